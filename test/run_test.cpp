#include <corio/run.hpp>

#include "support/corio_test.hpp"

#include <corio/detail/runtime.hpp>
#include <corio/detail/waiter_list.hpp>
#include <corio/errors.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using corio::test::counted;

namespace {

corio::awaitable<int> answer() {
  co_await corio::sleep(1ms);
  co_return 42;
}

corio::awaitable<void> sleep_forever_holding(counted, bool& saw_cancellation) {
  try {
    co_await corio::sleep(1h);
  } catch (const boost::system::system_error&) {
    saw_cancellation = true;
    throw;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_test)

BOOST_AUTO_TEST_CASE(run_returns_what_main_returns) {
  BOOST_TEST(corio::run(answer()) == 42);
}

BOOST_AUTO_TEST_CASE(run_rethrows_what_main_throws) {
  BOOST_CHECK_THROW(corio::run([]() -> corio::awaitable<void> {
                      co_await corio::sleep(0ms);
                      throw std::domain_error("main failed");
                    }()),
                    std::domain_error);
}

BOOST_AUTO_TEST_CASE(run_inside_run_is_rejected_with_a_clear_error) {
  bool rejected = false;
  corio::run([](bool& rejected) -> corio::awaitable<void> {
    try {
      corio::run(answer());
    } catch (const std::logic_error& e) {
      rejected = std::string(e.what()).find("already running") != std::string::npos;
    }
    co_return;
  }(rejected));
  BOOST_TEST(rejected);
}

BOOST_AUTO_TEST_CASE(run_cancels_and_drains_tasks_still_alive_when_main_ends) {
  bool saw_cancellation = false;
  corio::run([](bool& saw) -> corio::awaitable<void> {
    corio::spawn(sleep_forever_holding(counted{}, saw));
    co_await corio::sleep(1ms);
    BOOST_TEST(counted::alive == 1);
  }(saw_cancellation));
  BOOST_TEST(saw_cancellation);
  BOOST_TEST(counted::alive == 0);
}

BOOST_AUTO_TEST_CASE(run_can_run_again_and_numbers_tasks_afresh) {
  for (int i = 0; i < 2; ++i) {
    const std::string name = corio::run([]() -> corio::awaitable<std::string> {
      auto t = corio::spawn(answer());
      co_await t;
      co_return t.name();
    }());
    BOOST_TEST(name == "Task-2");
  }
}

BOOST_AUTO_TEST_CASE(two_threads_run_their_own_loops_at_once) {
  int first = 0;
  int second = 0;
  std::thread other([&second] { second = corio::run(answer()); });
  first = corio::run(answer());
  other.join();
  BOOST_TEST(first == 42);
  BOOST_TEST(second == 42);
}

BOOST_AUTO_TEST_CASE(an_exception_escaping_a_raw_handler_is_logged_and_the_loop_goes_on) {
  corio::test::captured_log log;
  const int result = corio::run([]() -> corio::awaitable<int> {
    boost::asio::post(co_await boost::asio::this_coro::executor,
                      [] { throw std::runtime_error("handler blew up"); });
    co_await corio::sleep(1ms);
    co_return 5;
  }());
  BOOST_TEST(result == 5);
  BOOST_TEST(log.count("handler blew up") == 1);
}

// The same rule during the final drain: main's result survives, and a task still in
// its cleanup finishes it instead of being destroyed mid-cleanup.
BOOST_AUTO_TEST_CASE(an_exception_escaping_a_raw_handler_during_the_drain_is_logged_too) {
  corio::test::captured_log log;
  bool cleaned_up = false;
  const int result = corio::run([](bool& cleaned_up) -> corio::awaitable<int> {
    corio::spawn([](bool& cleaned_up) -> corio::awaitable<void> {
      try {
        co_await corio::sleep(1h);
      } catch (const corio::cancelled_error&) {
        boost::asio::post(corio::detail::current_executor("test"),
                          [] { throw std::runtime_error("handler blew up in the drain"); });
      }
      co_await corio::enter_cleanup();
      co_await corio::sleep(5ms); // the drain's loop runs on while this waits
      cleaned_up = true;
    }(cleaned_up));
    co_await corio::sleep(1ms);
    co_return 7;
  }(cleaned_up));
  BOOST_TEST(result == 7);
  BOOST_TEST(cleaned_up);
  BOOST_TEST(log.count("handler blew up in the drain") == 1u);
  BOOST_TEST(log.count("destroyed but it is pending") == 0u);
}

BOOST_AUTO_TEST_CASE(an_absurd_thread_pool_size_is_rejected_before_anything_runs) {
  bool ran = false;
  BOOST_CHECK_THROW(corio::run(
                        [](bool& ran) -> corio::awaitable<void> {
                          ran = true;
                          co_return;
                        }(ran),
                        {.thread_pool_size = corio::run_options::max_threads + 1}),
                    std::invalid_argument);
  BOOST_TEST(!ran);
}

BOOST_AUTO_TEST_CASE(a_task_that_refuses_to_end_is_reported_when_the_drain_gives_up) {
  corio::detail::runtime runtime; // driven step by step
  corio::detail::waiter_list<> never_signalled{"never signalled"};
  auto stubborn = corio::spawn(
      runtime.get_executor(),
      [](corio::detail::waiter_list<>& list) -> corio::awaitable<void> {
        // Ignores cancellation, then waits where cancellation cannot reach.
        co_await boost::asio::this_coro::throw_if_cancelled(false);
        co_await list.async_wait(
            {}, boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(),
                                                    boost::asio::use_awaitable));
      }(never_signalled),
      "stubborn");
  runtime.poll();
  corio::test::captured_log log;
  BOOST_TEST(runtime.cancel_and_drain(1200ms) == 1);
  BOOST_TEST(log.count("still waiting for 1 task(s) to end after cancellation: <Task pending "
                       "name='stubborn'>") == 1);
  BOOST_TEST(log.count("could not be cancelled and were abandoned: <Task pending "
                       "name='stubborn'>") == 1);
  never_signalled.notify_all();
  runtime.poll();
  BOOST_TEST((stubborn.state() == corio::task_state::done));
}

BOOST_AUTO_TEST_SUITE_END()
