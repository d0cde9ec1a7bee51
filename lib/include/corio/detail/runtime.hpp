// corio/detail/runtime.hpp - the loop behind corio::run(): one io_context, run
// on the calling thread, plus the rules for starting and stopping it.
//
// Design: run() spawns main as a task, runs the io_context until main finishes,
// then cancels every task still alive and runs the loop until they have all
// ended (asyncio.run's contract). The loop stops through the task registry's
// on_task_finished hook, so no polling is needed. A task that ignores its
// cancellation keeps run() waiting, as in asyncio; while it does, a warning
// names it every second. (Asio cannot tell a deadlock from a long wait: every
// co_spawn'ed coroutine holds outstanding work until it ends.)
//
// In debug mode the runtime owns the debug_monitor that times every task step,
// answers SIGUSR1 with a task dump, and warns about tasks that never ran.
//
// The runtime is also the test harness's step-by-step loop (poll / run_one).
//
// Invariants: at most one runtime per thread (nested run() is rejected);
// current() is the runtime whose loop this thread drives, or null.
#ifndef CORIO_DETAIL_RUNTIME_HPP
#define CORIO_DETAIL_RUNTIME_HPP

#include <corio/awaitable.hpp>
#include <corio/run_options.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

namespace corio::detail {

class debug_monitor;
class task_core_base;
class task_registry;

class runtime {
public:
  /// Throws std::logic_error when this thread already has a runtime, and
  /// std::invalid_argument for a debug mode with a non-positive slow_step.
  explicit runtime(run_options options = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// The runtime of the calling thread, or null.
  static runtime* current() noexcept;

  executor get_executor() noexcept { return context_.get_executor(); }
  boost::asio::io_context& context() noexcept { return context_; }
  task_registry& registry() noexcept { return registry_; }
  bool debug() const noexcept { return monitor_ != nullptr; }
  /// to_thread()'s pool, created on first use; joined by run_until_complete().
  boost::asio::thread_pool& thread_pool();

  /// Runs the loop until `main` finishes, then cancels and drains every other task.
  void run_until_complete(task_core_base& main);

  /// Cancels every live task and runs the loop until all have ended, warning every
  /// second about those that have not. With a limit, gives up after it and
  /// returns how many tasks were left (logged); without one, returns 0.
  std::size_t
  cancel_and_drain(std::optional<std::chrono::steady_clock::duration> limit = std::nullopt);

  // Step-by-step driving for tests.
  std::size_t poll();
  std::size_t run_one();

private:
  void run_loop();
  void join_thread_pool();
  void start_debug_mode();
  void dump_on_signal();
  void warn_about_tasks_that_never_ran() const;

  run_options options_;
  boost::asio::io_context context_;
  task_registry& registry_;
  task_core_base* main_ = nullptr;
  bool draining_ = false;
  std::unique_ptr<debug_monitor> monitor_;
  std::unique_ptr<boost::asio::signal_set> dump_signal_;
  // Declared last: joined and destroyed before the loop, so a pool thread never
  // posts to a destroyed io_context.
  std::unique_ptr<boost::asio::thread_pool> thread_pool_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_RUNTIME_HPP
