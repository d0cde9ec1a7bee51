#include <corio/mutex.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using corio::test::event_log;

namespace {

corio::awaitable<void> lock_and_log(corio::mutex& m, std::string who, event_log& log) {
  auto lock = co_await m.lock();
  log(who + " in");
  co_await corio::sleep(1ms);
  log(who + " out");
}

// A read-modify-write across a suspension: only safe under the mutex.
corio::awaitable<void> increment(corio::mutex& m, int& counter) {
  auto lock = co_await m.lock();
  int seen = counter;
  co_await corio::yield_now();
  counter = seen + 1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(mutex_test)

CORIO_TEST_CASE(lock_keeps_a_section_that_suspends_to_one_task_at_a_time) {
  corio::mutex m;
  int counter = 0;
  std::vector<corio::task<void>> tasks;
  for (int i = 0; i < 20; ++i)
    tasks.push_back(corio::spawn(increment(m, counter)));
  for (auto& t : tasks)
    co_await t;
  BOOST_TEST(counter == 20);
  BOOST_TEST(!m.locked());
}

CORIO_TEST_CASE(waiters_get_the_mutex_in_the_order_they_asked) {
  corio::mutex m;
  event_log log;
  auto a = corio::spawn(lock_and_log(m, "a", log));
  auto b = corio::spawn(lock_and_log(m, "b", log));
  auto c = corio::spawn(lock_and_log(m, "c", log));
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "a in a out b in b out c in c out");
}

CORIO_TEST_CASE(unlock_hands_the_mutex_to_the_waiter_not_to_a_later_try_lock) {
  corio::mutex m;
  auto held = m.try_lock();
  BOOST_TEST(held.owns_lock());
  BOOST_TEST(m.locked());
  auto waiter = corio::spawn(m.lock());
  co_await corio::yield_now();
  BOOST_TEST(m.waiting() == 1u);
  held.unlock();
  BOOST_TEST(!m.try_lock()); // already the waiter's
  auto lock = co_await waiter;
  BOOST_TEST(lock.owns_lock());
  BOOST_TEST(lock.mutex() == &m);
}

CORIO_TEST_CASE(a_guard_unlocks_once_when_moved_destroyed_or_unlocked) {
  corio::mutex m;
  {
    auto lock = co_await m.lock();
    corio::mutex::guard moved = std::move(lock);
    BOOST_TEST(!lock.owns_lock());
    BOOST_TEST(m.locked());
  }
  BOOST_TEST(!m.locked());
  auto lock = co_await m.lock();
  lock.unlock();
  BOOST_TEST(!m.locked());
  BOOST_CHECK_THROW(lock.unlock(), std::logic_error);
  auto again = m.try_lock();
  again = corio::mutex::guard(); // assignment unlocks the old lock
  BOOST_TEST(!m.locked());
}

CORIO_TEST_CASE(unlocking_an_unlocked_mutex_is_a_logic_error) {
  corio::mutex m;
  BOOST_CHECK_THROW(m.unlock(), std::logic_error);
  auto lock = m.try_lock();
  m.unlock(); // by hand, behind the guard's back: the guard must not throw later
  BOOST_CHECK_THROW(m.unlock(), std::logic_error);
  co_return;
}

CORIO_TEST_CASE(a_lock_waiter_cancelled_while_waiting_does_not_take_the_lock) {
  corio::mutex m;
  event_log log;
  auto held = m.try_lock();
  auto cancelled = corio::spawn(lock_and_log(m, "cancelled", log));
  auto next = corio::spawn(lock_and_log(m, "next", log));
  co_await corio::yield_now();
  cancelled.cancel();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  BOOST_TEST(m.waiting() == 1u);
  held.unlock();
  co_await next;
  BOOST_TEST(log.str() == "next in next out");
  BOOST_TEST(!m.locked());
}

CORIO_TEST_CASE(a_lock_waiter_cancelled_after_the_hand_off_unlocks_as_it_unwinds) {
  corio::mutex m;
  event_log log;
  auto held = m.try_lock();
  auto waiter = corio::spawn(lock_and_log(m, "w", log));
  co_await corio::yield_now();
  held.unlock();
  waiter.cancel(); // lands at the sleep inside the section
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  BOOST_TEST(log.str() == "w in");
  BOOST_TEST(!m.locked());
}

CORIO_TEST_CASE(a_lock_that_times_out_leaves_the_mutex_to_its_holder) {
  corio::mutex m;
  auto held = m.try_lock();
  BOOST_CHECK_THROW((void)co_await corio::timeout(1ms, m.lock()), corio::timeout_error);
  BOOST_TEST(m.waiting() == 0u);
  held.unlock();
  BOOST_TEST(!m.locked());
}

BOOST_AUTO_TEST_SUITE_END()
