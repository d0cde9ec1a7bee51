// apps/bench/spawn_all.hpp - the one shape most workloads share, written once per
// implementation: start N children (child i made by make(i)), wait until all are
// done, and sum what they return. Keeping these side by side is what makes the
// implementations of a workload obviously equivalent.
//
//   corio:      corio::spawn() each child, then co_await each task handle; with
//               `spread`, spawn(corio::next_loop(), ...): round robin over the loops.
//   raw Asio:   co_spawn() each child with a completion handler that adds its result;
//               the last handler wakes the parent through a channel. Same executor
//               type as corio (any_io_executor) and an io_context with the same
//               concurrency hint (1).
//   raw Asio on T threads: one io_context run by T threads, co_spawn() each child;
//               the handlers add up atomically (Asio's own multi-threaded model).
//   threads:    one std::thread per child, each writing its slot, then join all.
//   pool-P:     P std::threads (started for the batch) take indices from an atomic
//               counter until none is left.
#ifndef CORIO_APPS_BENCH_SPAWN_ALL_HPP
#define CORIO_APPS_BENCH_SPAWN_ALL_HPP

#include "bench.hpp"

#include <corio/loop.hpp>
#include <corio/run.hpp>
#include <corio/task.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace bench {

namespace asio = boost::asio;

// ------------------------------------------------------------------ corio
template <typename Make>
corio::awaitable<std::uint64_t> corio_spawn_all(std::size_t n, Make make, bool spread = false) {
  std::vector<corio::task<std::uint64_t>> tasks;
  tasks.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    tasks.push_back(spread ? corio::spawn(corio::next_loop(), make(i)) : corio::spawn(make(i)));
  std::uint64_t sum = 0;
  for (auto& t : tasks) {
    const std::uint64_t value = co_await t;
    sum += value;
  }
  co_return sum;
}

// ------------------------------------------------------------------ raw Asio
/// Counts finished children and adds up their results; wait() returns once `count`
/// handlers have run, rethrowing the first child's exception. The last handler wakes
/// the waiter through a channel: a steady_timer would start Asio's reactor, whose
/// epoll_wait every turn of the loop would then slow raw Asio down in workloads
/// that need no reactor (ping-pong, spawn-join).
class raw_join {
public:
  raw_join(const asio::any_io_executor& ex, std::size_t count) : done_(ex, 1), left_(count) {}

  /// A co_spawn completion handler for a child returning std::uint64_t.
  auto adder() {
    return [this](std::exception_ptr error, std::uint64_t value) {
      sum_ += value;
      if (error && !error_)
        error_ = error;
      if (--left_ == 0)
        done_.try_send(boost::system::error_code());
    };
  }

  asio::awaitable<std::uint64_t> wait() {
    if (left_ > 0)
      co_await done_.async_receive(asio::as_tuple(asio::use_awaitable));
    if (error_)
      std::rethrow_exception(error_);
    co_return sum_;
  }

private:
  asio::experimental::channel<void(boost::system::error_code)> done_;
  std::size_t left_;
  std::uint64_t sum_ = 0;
  std::exception_ptr error_;
};

template <typename Make>
asio::awaitable<std::uint64_t> raw_spawn_all(std::size_t n, Make make) {
  const auto ex = co_await asio::this_coro::executor;
  raw_join join(ex, n);
  for (std::size_t i = 0; i < n; ++i)
    asio::co_spawn(ex, make(i), join.adder());
  co_return co_await join.wait();
}

/// Raw Asio's asyncio.run: an io_context, one co_spawn, run() until it is done.
template <typename T>
T run_raw(asio::awaitable<T> main) {
  asio::io_context context(1);
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(context, std::move(main), [&](std::exception_ptr e, T value) {
    error = e;
    result = std::move(value);
  });
  context.run();
  if (error)
    std::rethrow_exception(error);
  return std::move(*result);
}

/// Raw Asio's multi-threaded model: one io_context (concurrency hint `threads`) run by
/// `threads` threads, one co_spawn per child; returns the sum of the children's results.
template <typename Make>
std::uint64_t raw_threads_run_all(std::size_t n, std::size_t threads, Make make) {
  asio::io_context context(static_cast<int>(threads));
  std::atomic<std::uint64_t> sum{0};
  std::atomic<bool> failed{false};
  for (std::size_t i = 0; i < n; ++i)
    asio::co_spawn(context, make(i),
                   [&sum, &failed](std::exception_ptr error, std::uint64_t value) {
                     failed = failed || error != nullptr;
                     sum += value;
                   });
  std::vector<std::thread> others;
  for (std::size_t t = 1; t < threads; ++t)
    others.emplace_back([&context] {
      context.run();
      retire_thread_allocations();
    });
  context.run();
  for (auto& t : others)
    t.join();
  if (failed)
    throw std::runtime_error("a child ended with an exception");
  return sum;
}

// ------------------------------------------------------------------ threads
/// Joins `threads` (those started so far) and throws: a thread could not be started.
[[noreturn]] void thread_start_failed(std::vector<std::thread>& threads, std::size_t wanted,
                                      const std::system_error& error);

template <typename Fn>
std::uint64_t threads_spawn_all(std::size_t n, Fn fn) {
  std::vector<std::uint64_t> results(n);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    try {
      threads.emplace_back([&results, &fn, i] {
        results[i] = fn(i);
        retire_thread_allocations();
      });
    } catch (const std::system_error& error) {
      thread_start_failed(threads, n, error);
    }
  }
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    threads[i].join();
    sum += results[i];
  }
  return sum;
}

template <typename Fn>
std::uint64_t pool_run_all(std::size_t n, std::size_t workers, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> sum{0};
  const auto work = [&] {
    std::uint64_t mine = 0;
    for (std::size_t i = next++; i < n; i = next++)
      mine += fn(i);
    sum += mine;
    retire_thread_allocations();
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < std::min(workers, n); ++w)
    pool.emplace_back(work);
  for (auto& t : pool)
    t.join();
  return sum;
}

} // namespace bench

#endif // CORIO_APPS_BENCH_SPAWN_ALL_HPP
