#include <corio/submit.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/to_thread.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

corio::awaitable<int> on_the_loop(std::thread::id loop, int value) {
  co_await corio::sleep(1ms);
  BOOST_TEST((std::this_thread::get_id() == loop));
  co_return value * 2;
}

} // namespace

BOOST_AUTO_TEST_SUITE(submit_test)

CORIO_TEST_CASE(a_plain_thread_gets_the_result_through_the_future) {
  auto ex = co_await boost::asio::this_coro::executor;
  const auto loop = std::this_thread::get_id();
  int result = 0;
  std::thread caller([&] { result = corio::submit(ex, on_the_loop(loop, 21)).get(); });
  co_await corio::to_thread([&caller] { caller.join(); }); // keeps the loop running
  BOOST_TEST(result == 42);
}

CORIO_TEST_CASE(the_tasks_exception_reaches_the_future) {
  auto ex = co_await boost::asio::this_coro::executor;
  bool caught = false;
  std::thread caller([&] {
    auto future = corio::submit(ex, []() -> corio::awaitable<void> {
      co_await corio::sleep(0ms);
      throw std::domain_error("from the loop");
    }());
    try {
      future.get();
    } catch (const std::domain_error&) {
      caught = true;
    }
  });
  co_await corio::to_thread([&caller] { caller.join(); });
  BOOST_TEST(caught);
}

CORIO_TEST_CASE(many_threads_may_submit_at_once) {
  auto ex = co_await boost::asio::this_coro::executor;
  const auto loop = std::this_thread::get_id();
  std::vector<std::thread> callers;
  std::vector<int> sums(4, 0);
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([ex, loop, &sums, t] {
      for (int i = 0; i < 50; ++i)
        sums[static_cast<std::size_t>(t)] += corio::submit(ex, on_the_loop(loop, i)).get();
    });
  co_await corio::to_thread([&callers] {
    for (auto& caller : callers)
      caller.join();
  });
  for (int sum : sums)
    BOOST_TEST(sum == 2 * (49 * 50 / 2));
}

BOOST_AUTO_TEST_CASE(when_run_ends_a_pending_submission_gets_cancelled_error) {
  std::future<void> future;
  corio::run([](std::future<void>& future) -> corio::awaitable<void> {
    future = corio::submit(co_await boost::asio::this_coro::executor, corio::sleep(1h));
    co_await corio::sleep(1ms);
  }(future));
  BOOST_CHECK_THROW(future.get(), corio::cancelled_error);
}

BOOST_AUTO_TEST_CASE(a_loop_that_never_runs_the_submission_breaks_the_promise) {
  std::future<int> future;
  {
    boost::asio::io_context context;
    future = corio::submit(context.get_executor(), on_the_loop(std::this_thread::get_id(), 1));
  }
  BOOST_CHECK_THROW(future.get(), std::future_error);
}

BOOST_AUTO_TEST_SUITE_END()
