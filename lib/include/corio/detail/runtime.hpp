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
// The runtime is also the test harness's step-by-step loop (poll / run_one).
//
// Invariants: at most one runtime per thread (nested run() is rejected);
// current() is the runtime whose loop this thread drives, or null.
#ifndef CORIO_DETAIL_RUNTIME_HPP
#define CORIO_DETAIL_RUNTIME_HPP

#include <corio/awaitable.hpp>
#include <corio/run_options.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

namespace corio::detail {

class task_core_base;
class task_registry;

class runtime {
public:
  /// Throws std::logic_error when this thread already has a runtime.
  explicit runtime(run_options options = {});
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// The runtime of the calling thread, or null.
  static runtime* current() noexcept;

  executor get_executor() noexcept { return context_.get_executor(); }
  boost::asio::io_context& context() noexcept { return context_; }
  task_registry& registry() noexcept { return registry_; }
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

  run_options options_;
  boost::asio::io_context context_;
  task_registry& registry_;
  task_core_base* main_ = nullptr;
  bool draining_ = false;
  runtime* previous_ = nullptr;
  // Declared last: joined and destroyed before the loop, so a pool thread never
  // posts to a destroyed io_context.
  std::unique_ptr<boost::asio::thread_pool> thread_pool_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_RUNTIME_HPP
