// apps/bench/latency.cpp - workload 5: how promptly a waiting task reacts.
//
//   cancel (variant sleep or queue-get): a task waits, in a one-hour sleep or in get()
//     on an empty queue; the parent cancels it and measures from the cancel call to
//     the first instruction the waiter runs after its wait threw. N rounds, a new
//     task each; per_op_ns is the median, p99_ns the 99th percentile. Cancelling is
//     task::cancel() for corio, a cancellation_signal bound to co_spawn's handler
//     for raw Asio, and std::jthread::request_stop() for threads (which wait on a
//     condition variable that the stop token wakes).
//   timer-lateness: N children sleep until now + d, d uniform in [seconds / 2, seconds)
//     (a fixed seed, so every implementation gets the same durations), all at once;
//     lateness is when a child resumed minus its deadline. p50 as per_op_ns, and
//     p99_ns. The shortest sleep is long enough for every child to have started
//     before the first deadline, so starting them does not delay the wake-ups.
#include "blocking_queue.hpp"
#include "spawn_all.hpp"

#include <corio/queue.hpp>
#include <corio/sleep.hpp>

#include <boost/asio/steady_timer.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>

namespace bench {

namespace {

using number = std::uint64_t;
using latencies = std::vector<double>; // ns
constexpr std::chrono::hours forever(1);

// ------------------------------------------------------------------ cancel
struct wait_probe {
  bool armed = false;          // the waiter is about to suspend
  clock::time_point resumed{}; // when its wait threw
};

// The waiter, the same for corio and raw Asio: marks itself armed, waits, and stamps
// the moment its wait throws (corio::cancelled_error, or Asio's
// system_error(operation_aborted): both are system_errors). `wait` is what each
// library's user would co_await: an awaitable, or corio's sleep operation (no frame).
template <typename Wait>
asio::awaitable<number> waiter(Wait wait, wait_probe& probe) {
  probe.armed = true; // the rest of this step suspends in `wait`
  try {
    co_await std::move(wait);
  } catch (const boost::system::system_error&) {
    probe.resumed = clock::now();
  }
  co_return 1;
}

double latency_of(const wait_probe& probe, clock::time_point cancelled) {
  if (probe.resumed == clock::time_point{})
    throw std::runtime_error("cancel: the waiter's wait did not throw");
  return to_ns(probe.resumed - cancelled);
}

corio::awaitable<latencies> corio_cancel(std::size_t n, bool queue_get) {
  corio::queue<number> queue(1);
  latencies result;
  for (std::size_t i = 0; i < n; ++i) {
    wait_probe probe;
    const corio::task<number> t = queue_get ? corio::spawn(waiter(queue.get(), probe))
                                            : corio::spawn(waiter(corio::sleep(forever), probe));
    while (!probe.armed)
      co_await corio::yield_now();
    const auto start = clock::now();
    t.cancel();
    co_await t;
    result.push_back(latency_of(probe, start));
  }
  co_return result;
}

using channel = asio::experimental::channel<void(boost::system::error_code, number)>;

asio::awaitable<latencies> raw_cancel(std::size_t n, bool queue_get) {
  const auto ex = co_await asio::this_coro::executor;
  channel queue(ex, 1);
  latencies result;
  for (std::size_t i = 0; i < n; ++i) {
    wait_probe probe;
    asio::cancellation_signal cancel;
    raw_join join(ex, 1);
    auto handler = asio::bind_cancellation_slot(cancel.slot(), join.adder());
    std::optional<asio::steady_timer> timer; // only for a sleep: a timer starts the reactor
    if (queue_get) {
      asio::co_spawn(ex, waiter(queue.async_receive(asio::use_awaitable), probe),
                     std::move(handler));
    } else {
      timer.emplace(ex, forever);
      asio::co_spawn(ex, waiter(timer->async_wait(asio::use_awaitable), probe), std::move(handler));
    }
    while (!probe.armed)
      co_await asio::post(ex, asio::use_awaitable);
    const auto start = clock::now();
    cancel.emit(asio::cancellation_type::terminal);
    co_await join.wait();
    result.push_back(latency_of(probe, start));
  }
  co_return result;
}

latencies threads_cancel(std::size_t n, bool queue_get) {
  blocking_queue<number> queue(1);
  latencies result;
  for (std::size_t i = 0; i < n; ++i) {
    wait_probe probe;
    std::mutex mutex;
    std::condition_variable_any wake;
    std::jthread waiter([&](std::stop_token stop) {
      if (queue_get) {
        if (!queue.get(stop))
          probe.resumed = clock::now();
        return;
      }
      std::unique_lock lock(mutex);
      probe.armed = true; // read under `mutex`, which the wait releases
      wake.wait_for(lock, stop, forever, [] { return false; });
      if (stop.stop_requested())
        probe.resumed = clock::now();
    });
    // Wait until the waiter is blocked in its wait (see waiting_getters()).
    const auto blocked = [&] {
      if (queue_get)
        return queue.waiting_getters() > 0;
      std::lock_guard lock(mutex);
      return probe.armed;
    };
    while (!blocked())
      std::this_thread::yield();
    const auto start = clock::now();
    waiter.request_stop();
    waiter.join();
    result.push_back(latency_of(probe, start));
  }
  return result;
}

// ------------------------------------------------------------------ timer lateness
corio::awaitable<number> corio_late(std::chrono::nanoseconds sleep, double& lateness) {
  const auto deadline = clock::now() + sleep;
  co_await corio::sleep_until(deadline);
  lateness = to_ns(clock::now() - deadline);
  co_return 1;
}

asio::awaitable<number> raw_late(std::chrono::nanoseconds sleep, double& lateness) {
  const auto deadline = clock::now() + sleep;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  co_await timer.async_wait(asio::use_awaitable);
  lateness = to_ns(clock::now() - deadline);
  co_return 1;
}

number thread_late(std::chrono::nanoseconds sleep, double& lateness) {
  const auto deadline = clock::now() + sleep;
  std::this_thread::sleep_until(deadline);
  lateness = to_ns(clock::now() - deadline);
  return 1;
}

using sleeps = std::vector<std::chrono::nanoseconds>;

template <typename Child>
auto children(const sleeps& durations, latencies& lateness, Child child) {
  return [&durations, &lateness, child](std::size_t i) { return child(durations[i], lateness[i]); };
}

number lateness_corio(const sleeps& durations, latencies& lateness) {
  return corio::run(corio_spawn_all(durations.size(), children(durations, lateness, corio_late)));
}
number lateness_raw(const sleeps& durations, latencies& lateness) {
  return run_raw(raw_spawn_all(durations.size(), children(durations, lateness, raw_late)));
}
number lateness_threads(const sleeps& durations, latencies& lateness) {
  return threads_spawn_all(durations.size(), children(durations, lateness, thread_late));
}

latencies cancel_corio(std::size_t n, bool queue_get) {
  return corio::run(corio_cancel(n, queue_get));
}
latencies cancel_raw(std::size_t n, bool queue_get) {
  return run_raw(raw_cancel(n, queue_get));
}

record latency_record(const child_args& args, double wall, latencies& values) {
  record r = make_record(args, wall, quantile(values, 0.5));
  r.set("p99_ns", quantile(values, 0.99));
  return r;
}

} // namespace

std::vector<record> run_cancel(const child_args& args) {
  if (args.variant != "sleep" && args.variant != "queue-get")
    throw std::invalid_argument("cancel: the variant must be sleep or queue-get");
  using run_fn = latencies (*)(std::size_t, bool);
  const run_fn run = pick<run_fn>(
      args, {{"corio", cancel_corio}, {"raw-asio", cancel_raw}, {"threads", threads_cancel}});
  const auto start = clock::now();
  latencies values = run(args.n, args.variant == "queue-get");
  return {latency_record(args, seconds_since(start), values)};
}

std::vector<record> run_timer_lateness(const child_args& args) {
  std::mt19937_64 random(1);
  const auto longest = static_cast<std::int64_t>(args.seconds * 1e9);
  std::uniform_int_distribution<std::int64_t> uniform(longest / 2, longest - 1);
  sleeps durations(args.n);
  for (auto& sleep : durations)
    sleep = std::chrono::nanoseconds(uniform(random));
  using run_fn = number (*)(const sleeps&, latencies&);
  const run_fn run = pick<run_fn>(
      args, {{"corio", lateness_corio}, {"raw-asio", lateness_raw}, {"threads", lateness_threads}});
  latencies lateness(args.n);
  const auto start = clock::now();
  if (run(durations, lateness) != args.n)
    throw std::runtime_error("timer-lateness: a sleeper did not finish");
  record r = latency_record(args, seconds_since(start), lateness);
  r.set("max_sleep_s", args.seconds);
  return {r};
}

} // namespace bench
