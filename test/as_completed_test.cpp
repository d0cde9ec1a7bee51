#include <corio/as_completed.hpp>

#include "support/children.hpp"
#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/event.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <vector>

using namespace std::chrono_literals;
using corio::test::event_log;
using corio::test::value_after;

BOOST_AUTO_TEST_SUITE(as_completed_test)

// The order of finishing is set by events, not by timers, so that a slow machine
// (ASan under load) cannot reorder it.
CORIO_TEST_CASE(tasks_come_out_in_the_order_they_finish) {
  std::array<corio::event, 3> go;
  std::vector<corio::task<int>> tasks = corio::test::tasks_released_by(go);
  corio::as_completed finished(tasks);
  BOOST_TEST(finished.remaining() == 3u);
  co_await corio::yield_now(); // every task is waiting on its event
  go[1].set();
  go[2].set();
  go[0].set();
  std::vector<int> order;
  while (std::optional<corio::task<int>> t = co_await finished.next()) {
    BOOST_TEST(t->done());
    order.push_back(co_await *t);
  }
  BOOST_TEST(order == (std::vector<int>{2, 3, 1}));
  BOOST_TEST(finished.remaining() == 0u);
  const auto after_end = co_await finished.next();
  BOOST_TEST(!after_end.has_value());
}

CORIO_TEST_CASE(an_empty_set_ends_at_once) {
  corio::as_completed finished(std::vector<corio::task<void>>{});
  const auto none = co_await finished.next();
  BOOST_TEST(!none.has_value());
}

CORIO_TEST_CASE(a_failed_task_is_returned_and_the_others_keep_running) {
  event_log log;
  corio::event release_slow; // the order is set by this event, not by timers
  auto slow = [](corio::event& release, event_log& log) -> corio::awaitable<int> {
    co_await release.wait();
    log("slow done");
    co_return 1;
  };
  std::vector<corio::task<int>> tasks{corio::spawn(slow(release_slow, log)),
                                      corio::spawn(corio::test::fail_after(1ms, "boom", log))};
  corio::as_completed finished(tasks);
  auto first = co_await finished.next();
  BOOST_CHECK_THROW(co_await *first, std::runtime_error);
  release_slow.set();
  auto second = co_await finished.next();
  BOOST_TEST(co_await *second == 1);
  BOOST_TEST(log.str() == "boom thrown slow done");
}

CORIO_TEST_CASE(the_order_counts_from_construction_not_from_next) {
  std::vector<corio::task<int>> tasks{corio::spawn(value_after(4ms, 1)),
                                      corio::spawn(value_after(1ms, 2))};
  corio::as_completed finished(tasks);
  co_await corio::sleep(8ms); // both have ended before the first next()
  auto first = co_await finished.next();
  BOOST_TEST(co_await *first == 2);
}

CORIO_TEST_CASE(cancelling_next_consumes_nothing_and_leaves_the_tasks_running) {
  std::vector<corio::task<int>> tasks{corio::spawn(value_after(1h, 1))};
  corio::as_completed finished(tasks);
  auto waiter = corio::spawn([](corio::as_completed<int>& finished) -> corio::awaitable<void> {
    co_await finished.next();
  }(finished));
  co_await corio::sleep(1ms);
  waiter.cancel();
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  BOOST_TEST(!tasks[0].done());
  tasks[0].cancel(); // ends it now; the next next() still returns it
  auto t = co_await finished.next();
  BOOST_REQUIRE(t.has_value());
  BOOST_CHECK_THROW(co_await *t, corio::cancelled_error);
}

BOOST_AUTO_TEST_SUITE_END()
