// apps/bench/tasks.cpp - workloads 1 and 2: what a task costs, against a thread.
//
//   spawn-join: N children each return i; all are awaited and summed. Reports ns,
//     heap allocations and bytes per task, for the first run in the process (cold:
//     every page is touched for the first time) and for the same run repeated in the
//     process (warm: the allocator hands back memory already touched). With every task
//     alive at once, no allocator can reuse a block within a run; the steady variant
//     (corio and raw Asio) is the spawn-and-finish steady state instead: the same N
//     children in batches of 64, each batch joined before the next is spawned, so
//     the blocks of one batch can serve the next (issue 18's allocation targets).
//   idle: N children all sleep `seconds` at once. The parent turns the peak RSS into
//     bytes per waiting task against a run with N = 0; per_op_ns is what the run took
//     beyond the sleep, per task: (wall - sleep) / N. peak_asleep says how many slept
//     at the same time: N, unless threads started more slowly than the first ones
//     woke (their stacks stay resident until they are joined, so the peak RSS still
//     holds all N). raw-asio-lean is raw Asio with its coroutines and timers on
//     io_context::executor_type instead of any_io_executor (issue 18: what the
//     executor type costs a waiting coroutine).
#include "spawn_all.hpp"

#include <corio/sleep.hpp>

#include <boost/asio/steady_timer.hpp>

#include <malloc.h>

#include <fmt/format.h>

#include <atomic>
#include <stdexcept>

namespace bench {

namespace {

using sum_fn = std::uint64_t (*)(std::size_t n, std::chrono::nanoseconds sleep);

// ------------------------------------------------------------------ spawn-join
corio::awaitable<std::uint64_t> value_of(std::uint64_t i) {
  co_return i;
}

std::uint64_t spawn_join_corio(std::size_t n, std::chrono::nanoseconds) {
  return corio::run(corio_spawn_all(n, [](std::uint64_t i) { return value_of(i); }));
}

std::uint64_t spawn_join_raw(std::size_t n, std::chrono::nanoseconds) {
  return run_raw(raw_spawn_all(n, [](std::uint64_t i) { return value_of(i); }));
}

// The steady variant: batches of steady_batch children, one batch after the other.
// 64 is more than Asio's recycling cache holds (2 frames per thread).
constexpr std::size_t steady_batch = 64;

template <typename SpawnAll>
auto in_batches(std::size_t n, SpawnAll spawn_all)
    -> decltype(spawn_all(std::size_t{}, std::size_t{})) {
  std::uint64_t sum = 0;
  for (std::size_t first = 0; first < n; first += steady_batch)
    sum += co_await spawn_all(first, std::min(steady_batch, n - first));
  co_return sum;
}

std::uint64_t steady_corio(std::size_t n, std::chrono::nanoseconds) {
  return corio::run(in_batches(n, [](std::size_t first, std::size_t count) {
    return corio_spawn_all(count, [first](std::uint64_t i) { return value_of(first + i); });
  }));
}

std::uint64_t steady_raw(std::size_t n, std::chrono::nanoseconds) {
  return run_raw(in_batches(n, [](std::size_t first, std::size_t count) {
    return raw_spawn_all(count, [first](std::uint64_t i) { return value_of(first + i); });
  }));
}

std::uint64_t spawn_join_threads(std::size_t n, std::chrono::nanoseconds) {
  return threads_spawn_all(n, [](std::uint64_t i) { return i; });
}

// ------------------------------------------------------------------ idle
// How many children are asleep now, and at most.
struct sleepers {
  std::atomic<std::size_t> now{0};
  std::atomic<std::size_t> peak{0};

  void enter() {
    const std::size_t count = ++now;
    for (std::size_t seen = peak; seen < count && !peak.compare_exchange_weak(seen, count);) {
    }
  }
  void leave() { --now; }
} asleep;

corio::awaitable<std::uint64_t> corio_sleeper(std::chrono::nanoseconds duration) {
  asleep.enter();
  co_await corio::sleep(duration);
  asleep.leave();
  co_return 1;
}

asio::awaitable<std::uint64_t> raw_sleeper(std::chrono::nanoseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  asleep.enter();
  co_await timer.async_wait(asio::use_awaitable);
  asleep.leave();
  co_return 1;
}

using lean_executor = asio::io_context::executor_type;

asio::awaitable<std::uint64_t, lean_executor> lean_sleeper(std::chrono::nanoseconds duration) {
  asio::basic_waitable_timer<std::chrono::steady_clock,
                             asio::wait_traits<std::chrono::steady_clock>, lean_executor>
      timer(co_await asio::this_coro::executor, duration);
  asleep.enter();
  co_await timer.async_wait(asio::use_awaitable_t<lean_executor>());
  asleep.leave();
  co_return 1;
}

asio::awaitable<std::uint64_t> lean_spawn_all(std::size_t n, std::chrono::nanoseconds sleep) {
  const auto ex = co_await asio::this_coro::executor;
  raw_join join(ex, n);
  const lean_executor lean = *ex.target<lean_executor>(); // run_raw's io_context
  for (std::size_t i = 0; i < n; ++i)
    asio::co_spawn(lean, lean_sleeper(sleep), join.adder());
  co_return co_await join.wait();
}

std::uint64_t idle_corio(std::size_t n, std::chrono::nanoseconds sleep) {
  return corio::run(corio_spawn_all(n, [sleep](std::size_t) { return corio_sleeper(sleep); }));
}

std::uint64_t idle_raw(std::size_t n, std::chrono::nanoseconds sleep) {
  return run_raw(raw_spawn_all(n, [sleep](std::size_t) { return raw_sleeper(sleep); }));
}

std::uint64_t idle_raw_lean(std::size_t n, std::chrono::nanoseconds sleep) {
  return run_raw(lean_spawn_all(n, sleep));
}

std::uint64_t idle_threads(std::size_t n, std::chrono::nanoseconds sleep) {
  return threads_spawn_all(n, [sleep](std::size_t) {
    asleep.enter();
    std::this_thread::sleep_for(sleep);
    asleep.leave();
    return std::uint64_t{1};
  });
}

// ------------------------------------------------------------------ measuring
std::chrono::nanoseconds nanoseconds_of(double seconds) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
}

// Runs `run` once and checks its sum. per_op_ns leaves out the children's `sleep_s`;
// the record counts the allocations made during the run.
record measure(const child_args& args, sum_fn run, std::uint64_t expected, std::string_view variant,
               double sleep_s) {
  const alloc_counts before = allocated_so_far();
  const auto sleep = nanoseconds_of(sleep_s);
  record r = timed(
      args, [run, sleep](std::size_t n) { return run(n, sleep); }, expected, variant, sleep_s);
  const alloc_counts after = allocated_so_far();
  if (allocations_counted()) {
    const double n = static_cast<double>(std::max<std::size_t>(args.n, 1));
    r.set("allocs_per_op", static_cast<double>(after.allocations - before.allocations) / n);
    r.set("bytes_per_op", static_cast<double>(after.bytes - before.bytes) / n);
  }
  return r;
}

} // namespace

void thread_start_failed(std::vector<std::thread>& threads, std::size_t wanted,
                         const std::system_error& error) {
  const std::size_t started = threads.size();
  for (auto& t : threads)
    t.join();
  throw std::runtime_error(
      fmt::format("could not start thread {} of {}: {}", started + 1, wanted, error.what()));
}

std::vector<record> run_spawn_join(const child_args& args) {
  // Keep freed memory in the process: by default glibc returns the top of the heap
  // (and large blocks) to the kernel, and the warm run would touch fresh pages again.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  const sum_fn run = pick<sum_fn>(
      args,
      {{"corio", spawn_join_corio}, {"raw-asio", spawn_join_raw}, {"threads", spawn_join_threads}});
  const std::uint64_t expected = args.n * (args.n - 1) / 2;
  record cold = measure(args, run, expected, "cold", 0);
  record warm = measure(args, run, expected, "warm", 0);
  if (args.impl == "threads")
    return {cold, warm};
  const sum_fn steady = pick<sum_fn>(args, {{"corio", steady_corio}, {"raw-asio", steady_raw}});
  return {cold, warm, measure(args, steady, expected, "steady", 0)};
}

std::vector<record> run_idle(const child_args& args) {
  const sum_fn run = pick<sum_fn>(args, {{"corio", idle_corio},
                                         {"raw-asio", idle_raw},
                                         {"raw-asio-lean", idle_raw_lean},
                                         {"threads", idle_threads}});
  record r = measure(args, run, args.n, {}, args.seconds);
  r.set("sleep_s", args.seconds);
  r.set("peak_asleep", static_cast<double>(asleep.peak));
  return {r};
}

} // namespace bench
