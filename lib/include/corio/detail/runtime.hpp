// corio/detail/runtime.hpp - the loops behind corio::run(): N io_contexts, each
// run by one thread (loop 0 by the caller), plus the rules for starting and
// stopping them.
//
// Design: run() spawns main as a task on loop 0, runs loop 0 until main finishes,
// then cancels every task still alive on every loop and runs the loops until they
// have all ended (asyncio.run's contract), joins to_thread()'s pool while the loops
// still run (a pool thread may be waiting on a submit() to a loop), stops the other
// loops' threads and joins them. Loops share nothing but the pool: a task lives on
// the loop it was spawned on, and each loop has its own registry, debug monitor
// and default task numbers.
//
// The drain ends when the runtime's tasks on all loops have ended: a multi-loop
// runtime counts them in one atomic (each registry adds and removes), and whichever
// loop finishes the last one wakes loop 0. The hooks that do so are installed by
// each loop on its own thread. While tasks remain, each loop names its own every
// second. A task that ignores its cancellation keeps run() waiting, as in asyncio.
//
// Outside threads reach a loop through its loop_home (loop_home.hpp), closed when
// the drain begins: submit() is refused from then on (broken_promise), and a
// submission already posted starts its task already cancelled. An exception that
// escapes a raw Asio handler is logged and the loop goes on, in the drain too.
//
// With run_options::handle_signals, run_until_complete() installs the SIGINT/SIGTERM
// handling of shutdown_signals.hpp for its whole length (main, drain, joins): the
// first signal cancels main on loop 0, the drain follows as usual, and
// interrupted_by() names the signal afterwards (run() then throws interrupted).
//
// In debug mode each loop has a debug_monitor that times every task step; SIGUSR1
// dumps every loop's tasks, loop after loop; run() warns about tasks that never ran.
//
// With run_options::virtual_time each loop has its own virtual clock (loop_clock.hpp),
// and loop_state::run() drives it: poll(); if nothing ran and no task waits for
// something real, jump to the earliest corio deadline; otherwise run_one().
//
// The runtime is also the test harness's step-by-step loop (poll / run_one, loop 0).
//
// Invariants: at most one loop per thread (nested run() is rejected);
// loop_state::current() is the loop this thread drives, or null.
#ifndef CORIO_DETAIL_RUNTIME_HPP
#define CORIO_DETAIL_RUNTIME_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/block_cache.hpp>
#include <corio/run_options.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace corio::detail {

class debug_monitor;
class loop_clock;
class loop_home;
class runtime;
class shutdown_signals;
class task_core_base;
class task_registry;

/// One loop of a runtime: an io_context, its registry, and the thread that runs it.
class loop_state {
public:
  loop_state(runtime& owner, std::size_t index);
  ~loop_state();
  loop_state(const loop_state&) = delete;
  loop_state& operator=(const loop_state&) = delete;

  /// The loop this thread runs, or null.
  static loop_state* current() noexcept;

  runtime& owner() const noexcept { return *owner_; }
  std::size_t index() const noexcept { return index_; }
  loop_home& home() const noexcept { return *home_; }
  std::uint64_t generation() const noexcept { return generation_; }
  boost::asio::io_context& context() const noexcept;
  executor get_executor() const noexcept;
  task_registry& registry() const noexcept { return *registry_; }
  /// This loop's identity for loop-bound primitives: unique among the loops of
  /// every runtime of the process (runtime serial * loop_key_stride + index).
  std::uint64_t key() const noexcept { return key_; }
  static constexpr std::uint64_t loop_key_stride = 4096;
  loop_clock& clock() const noexcept { return *clock_; }
  /// Runs the loop until it is stopped: io_context::run(), or on virtual time the
  /// driver that jumps the clock when the loop is idle (docs/design.md, "Virtual time").
  /// With a limit, returns after that much real time at most (io_context::run_for).
  void run(std::optional<std::chrono::steady_clock::duration> limit = std::nullopt);
  /// Round-robin cursor of next_loop() for tasks of this loop.
  std::size_t next_placement() noexcept { return placement_++; }

private:
  friend class runtime;
  void enter() noexcept; // makes this the current loop of the calling thread
  void leave() noexcept;
  /// Virtual time: no task waits for something real, so time may jump.
  bool waits_only_on_virtual_time() const noexcept;

  runtime* owner_;
  std::size_t index_;
  loop_home* home_;
  std::uint64_t generation_;
  std::uint64_t key_ = 0;
  task_registry* registry_;
  std::size_t placement_ = 0;
  std::unique_ptr<debug_monitor> monitor_;
  std::unique_ptr<loop_clock> clock_;
  block_cache blocks_; // this loop's freed task cores; freed after the io_context
  std::thread thread_; // none for loop 0, which the caller of run() drives
};

class runtime {
public:
  /// Throws std::logic_error when this thread already runs a loop,
  /// std::invalid_argument for bad options (loops or pool size over max_threads, a
  /// debug mode with a non-positive slow_step) and std::system_error when a loop's
  /// thread cannot be started.
  explicit runtime(run_options options = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// The runtime of the loop this thread runs, or null.
  static runtime* current() noexcept;

  // Loop 0: the caller's loop, where main runs.
  executor get_executor() const noexcept { return loops_.front()->get_executor(); }
  boost::asio::io_context& context() const noexcept { return loops_.front()->context(); }
  task_registry& registry() const noexcept { return loops_.front()->registry(); }

  std::size_t loop_count() const noexcept { return loops_.size(); }
  loop_state& loop_at(std::size_t index) const noexcept { return *loops_[index]; }
  bool debug() const noexcept { return debug_; }

  /// to_thread()'s pool, created on first use (from any loop); joined by
  /// run_until_complete(). Throws std::system_error when its first thread cannot be
  /// started, and std::logic_error once run() has joined it.
  boost::asio::thread_pool& thread_pool();

  /// Runs the loops until `main` finishes, then cancels and drains every other task.
  /// With options.handle_signals, SIGINT/SIGTERM cancel main meanwhile.
  void run_until_complete(task_core_base& main);
  /// The signal that interrupted run_until_complete(), or 0.
  int interrupted_by() const noexcept { return interrupted_by_; }

  /// Cancels every live task and runs the loops until all have ended, warning every
  /// second about those that have not. With a limit, gives up after it and
  /// returns how many tasks were left (logged); without one, returns 0.
  std::size_t
  cancel_and_drain(std::optional<std::chrono::steady_clock::duration> limit = std::nullopt);

  // Step-by-step driving of loop 0 for tests.
  std::size_t poll();
  std::size_t run_one();

private:
  friend class loop_state;
  void start_loop_threads();
  void stop_loop_threads() noexcept;
  void join_thread_pool();
  std::size_t live_tasks() const noexcept;
  void begin_drain();
  void wake_loop_zero_if_drained();
  void start_debug_mode();
  void dump_on_signal();
  void warn_about_live_tasks(bool abandoning) const;
  /// Calls function(loop) for every loop, on that loop's thread (loop 0's directly:
  /// call it there).
  template <typename Function>
  void on_every_loop(Function function) const;

  run_options options_;
  std::uint64_t serial_ = 0;
  bool debug_ = false;
  std::atomic<std::size_t> live_tasks_{0}; // across loops; kept only when loops > 1
  std::vector<std::unique_ptr<loop_state>> loops_;
  task_core_base* main_ = nullptr;
  std::unique_ptr<boost::asio::signal_set> dump_signal_;
  std::unique_ptr<shutdown_signals> shutdown_signals_;
  int interrupted_by_ = 0;
  std::mutex pool_mutex_;
  bool pool_joined_ = false;
  std::unique_ptr<boost::asio::thread_pool> thread_pool_;
  std::vector<std::thread> pool_extra_threads_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_RUNTIME_HPP
