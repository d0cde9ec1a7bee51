#include <corio/to_thread.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/run.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <system_error>
#include <thread>

using corio::test::on_real_time;

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(to_thread_test)

CORIO_TEST_CASE(the_function_runs_on_another_thread_and_the_result_comes_back_to_the_loop,
                on_real_time) {
  const auto loop_thread = std::this_thread::get_id();
  const auto worker = co_await corio::to_thread([] { return std::this_thread::get_id(); });
  BOOST_TEST((worker != loop_thread));
  BOOST_TEST((std::this_thread::get_id() == loop_thread));
}

CORIO_TEST_CASE(arguments_are_passed_and_move_only_values_work, on_real_time) {
  auto text = co_await corio::to_thread([](std::string a, int n) { return a + std::to_string(n); },
                                        std::string("x"), 5);
  BOOST_TEST(text == "x5");
  auto p =
      co_await corio::to_thread([](std::unique_ptr<int> q) { return q; }, std::make_unique<int>(3));
  BOOST_TEST(*p == 3);
  co_await corio::to_thread([] {}); // void
}

CORIO_TEST_CASE(an_exception_of_the_function_reaches_the_awaiter, on_real_time) {
  BOOST_CHECK_THROW(co_await corio::to_thread([]() -> int { throw std::range_error("bad"); }),
                    std::range_error);
}

CORIO_TEST_CASE(the_loop_keeps_running_while_the_function_blocks, on_real_time) {
  std::atomic<bool> release{false};
  auto blocker = corio::spawn(corio::to_thread([&release] {
    while (!release.load())
      std::this_thread::sleep_for(1ms);
    return 1;
  }));
  co_await corio::sleep(5ms); // the loop is not blocked
  release = true;
  BOOST_TEST(co_await blocker == 1);
}

CORIO_TEST_CASE(cancelling_the_awaiter_stops_the_wait_at_once_and_asks_a_stop_token_to_stop,
                on_real_time) {
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
  auto waiter = corio::spawn(corio::to_thread(
      [&started, &saw_stop](std::stop_token stop, int) {
        started = true;
        while (!stop.stop_requested())
          std::this_thread::sleep_for(1ms);
        saw_stop = true;
        return 0;
      },
      7));
  while (!started.load())
    co_await corio::sleep(1ms);
  waiter.cancel();
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  // The thread was asked to stop; it ends soon after.
  for (int i = 0; i < 2000 && !saw_stop.load(); ++i)
    co_await corio::sleep(1ms);
  BOOST_TEST(saw_stop.load());
}

CORIO_TEST_CASE(a_function_without_stop_token_runs_to_its_end_after_the_awaiter_left,
                on_real_time) {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::atomic<bool> release{false};
  auto waiter = corio::spawn(corio::to_thread([finished, &release] {
    while (!release.load())
      std::this_thread::sleep_for(1ms);
    *finished = true;
    return 5;
  }));
  co_await corio::sleep(2ms);
  waiter.cancel();
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  BOOST_TEST(!finished->load()); // the wait stopped before the function ended
  release = true;
  for (int i = 0; i < 2000 && !finished->load(); ++i)
    co_await corio::sleep(1ms);
  BOOST_TEST(finished->load());
}

BOOST_AUTO_TEST_CASE(
    run_joins_the_pool_so_a_function_outliving_its_awaiter_ends_before_run_returns) {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  corio::run(
      [](std::shared_ptr<std::atomic<bool>> finished) -> corio::awaitable<void> {
        corio::spawn(corio::to_thread([finished] {
          std::this_thread::sleep_for(20ms);
          *finished = true;
        }));
        co_await corio::sleep(1ms); // main ends; run() cancels the waiter
      }(finished),
      {.thread_pool_size = 1});
  BOOST_TEST(finished->load());
}

BOOST_AUTO_TEST_CASE(thread_pool_size_sets_how_many_calls_run_at_once) {
  const int most = corio::run(
      []() -> corio::awaitable<int> {
        auto now = std::make_shared<std::atomic<int>>(0);
        auto most = std::make_shared<std::atomic<int>>(0);
        auto work = [now, most] {
          const int running = ++*now;
          int seen = most->load();
          while (running > seen && !most->compare_exchange_weak(seen, running)) {
          }
          std::this_thread::sleep_for(5ms);
          --*now;
        };
        auto a = corio::spawn(corio::to_thread(work));
        auto b = corio::spawn(corio::to_thread(work));
        auto c = corio::spawn(corio::to_thread(work));
        co_await a;
        co_await b;
        co_await c;
        co_return most->load();
      }(),
      {.thread_pool_size = 2});
  BOOST_TEST(most <= 2);
  BOOST_TEST(most >= 1);
}

BOOST_AUTO_TEST_CASE(to_thread_outside_run_is_a_logic_error) {
  boost::asio::io_context context;
  auto future =
      boost::asio::co_spawn(context, corio::to_thread([] { return 1; }), boost::asio::use_future);
  context.run();
  BOOST_CHECK_THROW(future.get(), std::logic_error);
}

// Before: Asio's thread_pool hung in pthread_join when it could not start its
// threads, so run() never returned.
BOOST_AUTO_TEST_CASE(a_pool_that_cannot_start_a_thread_fails_the_to_thread_that_needed_it) {
  const std::string outcome = corio::run([]() -> corio::awaitable<std::string> {
    try {
      corio::test::threads_cannot_start no_threads;
      auto call = corio::to_thread([] { return 1; });
      co_await std::move(call);
      co_return "ran";
    } catch (const std::system_error& e) {
      co_return e.what();
    }
  }());
  BOOST_TEST(outcome.find("corio::to_thread: cannot start the thread pool") != std::string::npos,
             outcome);
}

BOOST_AUTO_TEST_SUITE_END()
