#include <corio/semaphore.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

using namespace std::chrono_literals;
using corio::test::event_log;

namespace {

corio::awaitable<void> acquire_and_log(corio::semaphore& s, std::string who, event_log& log) {
  co_await s.acquire();
  log(who);
}

// Counts how many tasks are inside at once, and the most there ever were.
corio::awaitable<void> limited_section(corio::semaphore& s, int& inside, int& most) {
  auto permit = co_await s.acquire_permit();
  most = std::max(most, ++inside);
  co_await corio::sleep(1ms);
  --inside;
}

} // namespace

BOOST_AUTO_TEST_SUITE(semaphore_test)

CORIO_TEST_CASE(at_most_initial_tasks_hold_a_permit_at_once) {
  corio::semaphore s(3);
  int inside = 0;
  int most = 0;
  std::vector<corio::task<void>> tasks;
  for (int i = 0; i < 10; ++i)
    tasks.push_back(corio::spawn(limited_section(s, inside, most)));
  for (auto& t : tasks)
    co_await t;
  BOOST_TEST(most == 3);
  BOOST_TEST(s.available() == 3u);
}

CORIO_TEST_CASE(try_acquire_takes_only_a_free_permit) {
  corio::semaphore s(1);
  BOOST_TEST(s.try_acquire());
  BOOST_TEST(s.locked());
  BOOST_TEST(!s.try_acquire());
  s.release();
  BOOST_TEST(s.available() == 1u);
  {
    auto permit = s.try_acquire_permit();
    BOOST_TEST(permit.owns_permit());
    BOOST_TEST(!s.try_acquire_permit());
  }
  BOOST_TEST(s.available() == 1u);
  corio::semaphore default_one;
  BOOST_TEST(default_one.available() == 1u);
  co_return;
}

CORIO_TEST_CASE(a_permit_guard_releases_once_when_moved_or_released_early) {
  corio::semaphore s(1);
  auto first = co_await s.acquire_permit();
  corio::semaphore::permit moved = std::move(first);
  BOOST_TEST(!first.owns_permit());
  BOOST_TEST(s.available() == 0u);
  moved.release();
  BOOST_TEST(s.available() == 1u);
  moved.release(); // empty now: nothing
  BOOST_TEST(s.available() == 1u);
  auto again = co_await s.acquire_permit();
  again = corio::semaphore::permit(); // assignment releases the old permit
  BOOST_TEST(s.available() == 1u);
}

CORIO_TEST_CASE(release_hands_the_permit_to_the_oldest_waiter_not_to_a_later_try_acquire) {
  corio::semaphore s(0);
  event_log log;
  auto a = corio::spawn(acquire_and_log(s, "a", log));
  auto b = corio::spawn(acquire_and_log(s, "b", log));
  auto c = corio::spawn(acquire_and_log(s, "c", log));
  co_await corio::yield_now();
  BOOST_TEST(s.waiting() == 3u);
  s.release();
  BOOST_TEST(!s.try_acquire()); // the permit already belongs to a
  s.release();
  s.release();
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "a b c");
  BOOST_TEST(s.available() == 0u);
}

CORIO_TEST_CASE(a_bounded_semaphore_refuses_a_release_above_its_initial_value) {
  corio::bounded_semaphore s(2);
  BOOST_CHECK_THROW(s.release(), std::logic_error);
  co_await s.acquire();
  s.release();
  BOOST_CHECK_THROW(s.release(), std::logic_error);
  BOOST_TEST(s.available() == 2u);
  corio::semaphore unbounded(0);
  unbounded.release();
  unbounded.release();
  BOOST_TEST(unbounded.available() == 2u);
}

// Each error names the type the user made and says what went wrong in its terms.
CORIO_TEST_CASE(an_over_release_message_names_the_semaphore_type_and_its_limit) {
  corio::bounded_semaphore bounded(2);
  try {
    bounded.release();
    BOOST_FAIL("no exception");
  } catch (const std::logic_error& e) {
    BOOST_TEST(std::string(e.what()) == "corio::bounded_semaphore::release: released more often "
                                        "than acquired (the count would exceed its initial "
                                        "value, 2)");
  }
  corio::semaphore plain(std::numeric_limits<std::size_t>::max());
  try {
    plain.release();
    BOOST_FAIL("no exception");
  } catch (const std::logic_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               fmt::format("corio::semaphore::release: the count is already at its maximum, {}",
                           std::numeric_limits<std::size_t>::max()));
  }
  co_return;
}

CORIO_TEST_CASE(a_negative_initial_value_is_rejected) {
  BOOST_CHECK_THROW(corio::semaphore(-1), std::invalid_argument);
  BOOST_CHECK_THROW(corio::bounded_semaphore(-3), std::invalid_argument);
  co_return;
}

CORIO_TEST_CASE(a_waiter_cancelled_while_waiting_does_not_lose_a_permit) {
  corio::semaphore s(0);
  event_log log;
  auto cancelled = corio::spawn(acquire_and_log(s, "cancelled", log));
  auto next = corio::spawn(acquire_and_log(s, "next", log));
  co_await corio::yield_now();
  cancelled.cancel();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  s.release();
  co_await next;
  s.release();
  BOOST_TEST(log.str() == "next");
  BOOST_TEST(s.available() == 1u);
}

CORIO_TEST_CASE(a_waiter_cancelled_after_the_hand_off_owns_the_permit) {
  corio::semaphore s(0);
  auto holder = corio::spawn([](corio::semaphore& s) -> corio::awaitable<void> {
    auto permit = co_await s.acquire_permit();
  }(s));
  co_await corio::yield_now();
  s.release();
  holder.cancel(); // after the hand-off: the permit guard gets it and gives it back
  co_await holder;
  BOOST_TEST(s.available() == 1u);
}

CORIO_TEST_CASE(a_permit_taken_under_a_timeout_is_released_once) {
  corio::semaphore s(1);
  {
    auto permit = co_await corio::timeout(1s, s.acquire_permit());
    BOOST_TEST(s.available() == 0u);
  }
  BOOST_TEST(s.available() == 1u);
}

CORIO_TEST_CASE(an_acquire_that_times_out_takes_no_permit) {
  corio::semaphore s(0);
  BOOST_CHECK_THROW((void)co_await corio::timeout(1ms, s.acquire_permit()), corio::timeout_error);
  BOOST_TEST(s.waiting() == 0u);
  s.release();
  BOOST_TEST(s.available() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
