#include <corio/submit.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/to_thread.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

using corio::test::on_real_time;

using namespace std::chrono_literals;

namespace {

corio::awaitable<int> on_the_loop(std::thread::id loop, int value) {
  co_await corio::sleep(1ms);
  BOOST_TEST((std::this_thread::get_id() == loop));
  co_return value * 2;
}

} // namespace

BOOST_AUTO_TEST_SUITE(submit_test)

CORIO_TEST_CASE(a_plain_thread_gets_the_result_through_the_future, on_real_time) {
  auto ex = co_await boost::asio::this_coro::executor;
  const auto loop = std::this_thread::get_id();
  int result = 0;
  std::thread caller([&] { result = corio::submit(ex, on_the_loop(loop, 21)).get(); });
  co_await corio::to_thread([&caller] { caller.join(); }); // keeps the loop running
  BOOST_TEST(result == 42);
}

CORIO_TEST_CASE(the_tasks_exception_reaches_the_future, on_real_time) {
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

CORIO_TEST_CASE(many_threads_may_submit_at_once, on_real_time) {
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

BOOST_AUTO_TEST_CASE(a_submission_after_run_returned_breaks_the_promise) {
  const corio::executor ended = corio::run([]() -> corio::awaitable<corio::executor> {
    co_return co_await boost::asio::this_coro::executor;
  }());
  std::future<int> late = corio::submit(ended, corio::test::value_after(1ms, 1));
  BOOST_CHECK_THROW(late.get(), std::future_error);
}

// A plain thread submits without pause while run() ends: before, during and after
// the drain. Every future must settle (value, cancelled_error or broken_promise),
// and nothing may crash, hang or leak.
BOOST_AUTO_TEST_CASE(a_thread_submitting_while_run_ends_sees_every_future_settle) {
  for (int round = 0; round < 20; ++round) {
    std::promise<corio::executor> loop;
    std::atomic<bool> stop{false};
    int settled = 0;
    std::thread submitter([&] {
      const corio::executor ex = loop.get_future().get();
      std::vector<std::future<int>> futures;
      while (!stop.load() && futures.size() < 2000) {
        futures.push_back(corio::submit(ex, corio::test::value_after(1ms, 1)));
        std::this_thread::yield();
      }
      for (int extra = 0; extra < 10; ++extra) // after run() returned
        futures.push_back(corio::submit(ex, corio::test::value_after(1ms, 1)));
      for (auto& future : futures) {
        try {
          future.get();
        } catch (const corio::cancelled_error&) {
        } catch (const std::future_error& e) {
          BOOST_TEST((e.code() == std::future_errc::broken_promise));
        }
        ++settled;
      }
    });
    corio::run([](std::promise<corio::executor>& loop) -> corio::awaitable<void> {
      loop.set_value(co_await boost::asio::this_coro::executor);
      co_await corio::sleep(2ms);
    }(loop));
    stop = true;
    submitter.join();
    BOOST_TEST(settled >= 10);
  }
}

// asyncio's documented way back from a worker thread is run_coroutine_threadsafe;
// a worker that uses it while run() ends must not keep run() from returning.
BOOST_AUTO_TEST_CASE(a_to_thread_worker_submitting_back_while_run_ends_does_not_deadlock) {
  std::atomic<int> outcomes{0};
  corio::run([](std::atomic<int>& outcomes) -> corio::awaitable<void> {
    const corio::executor ex = co_await boost::asio::this_coro::executor;
    auto worker = corio::spawn(corio::to_thread([ex, &outcomes] {
      std::this_thread::sleep_for(20ms); // main has returned by now
      try {
        corio::submit(ex, corio::sleep(1ms)).get();
      } catch (const std::exception&) {
      }
      ++outcomes;
    }));
    co_await corio::sleep(1ms); // main ends while the worker sleeps
  }(outcomes));
  BOOST_TEST(outcomes.load() == 1);
}

BOOST_AUTO_TEST_CASE(a_to_thread_worker_whose_submission_is_queued_when_the_drain_starts_finishes) {
  std::atomic<bool> submitted{false};
  std::atomic<int> outcomes{0};
  corio::run(
      [](std::atomic<bool>& submitted, std::atomic<int>& outcomes) -> corio::awaitable<void> {
        const corio::executor ex = co_await boost::asio::this_coro::executor;
        corio::spawn(corio::to_thread([ex, &submitted, &outcomes] {
          auto future = corio::submit(ex, corio::sleep(1ms));
          submitted = true;
          try {
            future.get();
          } catch (const std::exception&) {
          }
          ++outcomes;
        }));
        co_await corio::sleep(1ms); // the worker task takes its first step: to_thread starts
        while (!submitted.load())   // blocks the loop on purpose: the submission stays queued
          std::this_thread::sleep_for(1ms);
      }(submitted, outcomes));
  BOOST_TEST(outcomes.load() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
