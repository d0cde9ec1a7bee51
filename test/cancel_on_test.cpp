#include <corio/cancel_on.hpp>

#include "support/corio_test.hpp"

#include <corio/cancel_scope.hpp>
#include <corio/errors.hpp>
#include <corio/event.hpp>
#include <corio/gather.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/to_thread.hpp>

#include <chrono>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using corio::test::on_real_time;

using namespace std::chrono_literals;
using corio::test::event_log;
using corio::test::sleep_logging_cancellation;
using corio::test::value_after;
using corio::test::yield_once;

namespace {

corio::awaitable<void> set_then_sleep(corio::event& started) {
  started.set();
  co_await corio::sleep(1h);
}

} // namespace

BOOST_AUTO_TEST_SUITE(cancel_on_test)

CORIO_TEST_CASE(a_token_never_stopped_changes_nothing, on_real_time) {
  std::stop_source stop;
  BOOST_TEST(co_await corio::cancel_on(stop.get_token(), value_after(1ms, 5)) == 5);
  BOOST_TEST(co_await corio::cancel_on(std::stop_token{}, value_after(0ms, 6)) == 6);
  auto t = corio::spawn(value_after(1ms, 7), "unstopped", stop.get_token());
  BOOST_TEST(co_await t == 7);
}

CORIO_TEST_CASE(a_stop_request_from_another_thread_cancels_the_operation, on_real_time) {
  std::stop_source stop;
  event_log log;
  corio::event started;
  auto waiter = corio::spawn([](std::stop_token token, event_log& log,
                                corio::event& started) -> corio::awaitable<void> {
    co_await corio::cancel_on(token,
                              [](event_log& log, corio::event& started) -> corio::awaitable<void> {
                                started.set();
                                co_await sleep_logging_cancellation(log);
                              }(log, started));
  }(stop.get_token(), log, started));
  co_await started.wait();
  std::thread requester([&stop] { stop.request_stop(); });
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  requester.join();
  BOOST_TEST(log.str() == "cancelled");
  BOOST_TEST(waiter.cancelled());
}

CORIO_TEST_CASE(a_stop_request_from_another_thread_cancels_spawned_tasks_like_cancel,
                on_real_time) {
  std::stop_source stop;
  corio::event first_started;
  corio::event second_started;
  auto first = corio::spawn(set_then_sleep(first_started), "first", stop.get_token());
  auto second = corio::spawn(set_then_sleep(second_started), "second", stop.get_token());
  auto bystander = corio::spawn(value_after(5ms, 3), "bystander");
  co_await first_started.wait();
  co_await second_started.wait();
  co_await corio::to_thread([&stop] { stop.request_stop(); });
  BOOST_CHECK_THROW(co_await first, corio::cancelled_error);
  BOOST_CHECK_THROW(co_await second, corio::cancelled_error);
  BOOST_TEST(first.cancelled());
  BOOST_TEST(second.cancelled());
  BOOST_TEST(co_await bystander == 3);
}

CORIO_TEST_CASE(an_already_stopped_token_cuts_at_the_first_suspension, on_real_time) {
  std::stop_source stop;
  stop.request_stop();
  event_log log;
  BOOST_CHECK_THROW(co_await corio::cancel_on(stop.get_token(), yield_once(log)),
                    corio::cancelled_error);
  BOOST_TEST(log.str() == "started");
  // An operation that never suspends is not cut.
  BOOST_TEST(co_await corio::cancel_on(stop.get_token(),
                                       []() -> corio::awaitable<int> { co_return 2; }()) == 2);
  event_log spawned;
  auto t = corio::spawn(yield_once(spawned), "stopped", stop.get_token());
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(spawned.str() == "started");
}

CORIO_TEST_CASE(a_stop_request_after_the_operation_finished_has_no_effect, on_real_time) {
  std::stop_source stop;
  BOOST_TEST(co_await corio::cancel_on(stop.get_token(), value_after(0ms, 4)) == 4);
  auto t = corio::spawn(value_after(0ms, 8), "finished", stop.get_token());
  BOOST_TEST(co_await t == 8);
  stop.request_stop();
  co_await corio::sleep(1ms); // a stale cancellation would land here
  BOOST_TEST(co_await value_after(1ms, 1) == 1);
  BOOST_TEST(!t.cancelled());
}

CORIO_TEST_CASE(a_stop_request_on_the_loop_thread_cancels_too, on_real_time) {
  std::stop_source stop;
  event_log log;
  auto stopper = corio::spawn([](std::stop_source stop) -> corio::awaitable<void> {
    co_await corio::sleep(1ms);
    stop.request_stop();
  }(stop));
  try {
    co_await corio::cancel_on(stop.get_token(), sleep_logging_cancellation(log));
    BOOST_FAIL("not cancelled");
  } catch (const corio::cancelled_error& e) {
    BOOST_TEST(std::string(e.what()).find("corio::cancel_on") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("stop request") != std::string::npos);
  }
  BOOST_TEST(log.str() == "cancelled");
  co_await stopper;
}

CORIO_TEST_CASE(cancel_on_sees_the_deadline_of_the_scope_around_it, on_real_time) {
  const auto deadline = std::chrono::steady_clock::now() + 1h;
  corio::cancel_scope scope{deadline};
  std::stop_source stop;
  const auto seen = co_await scope.run(corio::cancel_on(
      stop.get_token(),
      []() -> corio::awaitable<std::optional<std::chrono::steady_clock::time_point>> {
        co_return corio::current_deadline();
      }()));
  BOOST_TEST((seen == deadline));
}

CORIO_TEST_CASE(an_operation_that_catches_the_stop_returns_its_value, on_real_time) {
  std::stop_source stop;
  auto stopper = corio::spawn([](std::stop_source stop) -> corio::awaitable<void> {
    co_await corio::sleep(1ms);
    stop.request_stop();
  }(stop));
  const int value =
      co_await corio::cancel_on(stop.get_token(), corio::test::sleep_swallowing_cancellation());
  BOOST_TEST(value == -1);
  co_await stopper;
}

// Many tasks on one source, stopped from a thread while they come and go: TSan's part.
CORIO_TEST_CASE(many_tasks_stopped_from_a_thread_while_they_run_all_end, on_real_time) {
  std::stop_source stop;
  std::vector<corio::task<void>> tasks;
  for (int i = 0; i < 50; ++i) {
    tasks.push_back(corio::spawn(corio::sleep(1h), "sleeper", stop.get_token()));
    tasks.push_back(corio::spawn(corio::cancel_on(stop.get_token(), corio::sleep(1h))));
    tasks.push_back(corio::spawn(corio::cancel_on(stop.get_token(), corio::sleep(0ms))));
  }
  std::thread requester([&stop] {
    std::this_thread::sleep_for(2ms);
    stop.request_stop();
  });
  for (auto& t : tasks) {
    try {
      co_await t;
    } catch (const corio::cancelled_error&) {
    }
  }
  co_await corio::to_thread([&requester] { requester.join(); });
  for (auto& t : tasks)
    BOOST_TEST(t.done());
}

BOOST_AUTO_TEST_SUITE_END()
