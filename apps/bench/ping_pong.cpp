// apps/bench/ping_pong.cpp - workload 3: two tasks hand a number back and forth N
// times, through two queues of capacity 1 each way: corio::queue (maxsize 1), raw
// Asio's experimental::channel (capacity 1), and, for threads, two std::threads
// with the mutex + condition_variable queue. ns per round trip.
// Issue 17 adds corio::channel (capacity 1, the cross-loop channel): corio-channel
// with both tasks on one loop, corio-channel-loops-2 with the ponger on loop 1 (two
// threads; each hand-off wakes the other loop).
#include "blocking_queue.hpp"
#include "spawn_all.hpp"

#include <corio/channel.hpp>
#include <corio/queue.hpp>

#include <boost/asio/experimental/channel.hpp>

namespace bench {

namespace {

using number = std::uint64_t;

// ------------------------------------------------------------------ corio
// The same two tasks over a corio::queue (one loop only) or a corio::channel (any loops).
corio::awaitable<number> take(corio::queue<number>& q) {
  return q.get();
}
corio::awaitable<number> take(corio::channel<number>& c) {
  return c.receive();
}
corio::awaitable<void> give(corio::queue<number>& q, number value) {
  return q.put(value);
}
corio::awaitable<void> give(corio::channel<number>& c, number value) {
  return c.send(value);
}

template <typename Pipe>
corio::awaitable<number> corio_ponger(Pipe& ping, Pipe& pong, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const number value = co_await take(ping);
    co_await give(pong, value);
  }
  co_return 0;
}

// The ponger runs on loop `ponger_loop` (0: this one).
template <typename Pipe>
corio::awaitable<number> corio_ping_pong(std::size_t n, std::size_t ponger_loop) {
  Pipe ping(1);
  Pipe pong(1);
  const corio::task<number> ponger =
      corio::spawn(corio::loops().at(ponger_loop), corio_ponger(ping, pong, n));
  number sum = 0;
  for (number i = 0; i < n; ++i) {
    co_await give(ping, i);
    const number value = co_await take(pong);
    sum += value;
  }
  co_await ponger;
  co_return sum;
}

// ------------------------------------------------------------------ raw Asio
using channel = asio::experimental::channel<void(boost::system::error_code, number)>;

asio::awaitable<number> raw_ponger(channel& ping, channel& pong, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const number value = co_await ping.async_receive(asio::use_awaitable);
    co_await pong.async_send(boost::system::error_code(), value, asio::use_awaitable);
  }
  co_return 0;
}

asio::awaitable<number> raw_ping_pong(std::size_t n) {
  const auto ex = co_await asio::this_coro::executor;
  channel ping(ex, 1);
  channel pong(ex, 1);
  raw_join ponger(ex, 1);
  asio::co_spawn(ex, raw_ponger(ping, pong, n), ponger.adder());
  number sum = 0;
  for (number i = 0; i < n; ++i) {
    co_await ping.async_send(boost::system::error_code(), i, asio::use_awaitable);
    const number value = co_await pong.async_receive(asio::use_awaitable);
    sum += value;
  }
  co_await ponger.wait();
  co_return sum;
}

// ------------------------------------------------------------------ threads
number threads_ping_pong(std::size_t n) {
  blocking_queue<number> ping(1);
  blocking_queue<number> pong(1);
  std::thread ponger([&ping, &pong, n] {
    for (std::size_t i = 0; i < n; ++i)
      pong.put(*ping.get());
  });
  number sum = 0;
  for (number i = 0; i < n; ++i) {
    ping.put(i);
    sum += *pong.get();
  }
  ponger.join();
  return sum;
}

number ping_pong_corio(std::size_t n) {
  return corio::run(corio_ping_pong<corio::queue<number>>(n, 0));
}
number ping_pong_channel(std::size_t n) {
  return corio::run(corio_ping_pong<corio::channel<number>>(n, 0));
}
number ping_pong_channel_two_loops(std::size_t n) {
  return corio::run(corio_ping_pong<corio::channel<number>>(n, 1), {.loops = 2});
}
number ping_pong_raw(std::size_t n) {
  return run_raw(raw_ping_pong(n));
}

} // namespace

std::vector<record> run_ping_pong(const child_args& args) {
  using run_fn = number (*)(std::size_t);
  const run_fn run = pick<run_fn>(args, {{"corio", ping_pong_corio},
                                         {"corio-channel", ping_pong_channel},
                                         {"corio-channel-loops-2", ping_pong_channel_two_loops},
                                         {"raw-asio", ping_pong_raw},
                                         {"threads", threads_ping_pong}});
  return {timed(args, run, args.n * (args.n - 1) / 2)};
}

} // namespace bench
