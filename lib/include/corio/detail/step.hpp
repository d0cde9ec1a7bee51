// corio/detail/step.hpp - what the loop thread knows about the step it is running.
//
// A step is one resumption of a task's coroutine, from the moment Asio resumes it
// until it suspends again (or ends). task_executor.hpp brackets every step; this
// header only holds the per-thread record, so that low-level code (the waiter
// list) can annotate the running task without depending on the task machinery.
//
// Thread-safety: thread-local; each loop thread has its own.
#ifndef CORIO_DETAIL_STEP_HPP
#define CORIO_DETAIL_STEP_HPP

#include <cstdint>

namespace corio::detail {

class task_core_base;
class debug_monitor;
class loop_state;
class loop_clock;
class block_cache;

struct loop_thread_state {
  /// The task whose step runs on this thread, or null.
  task_core_base* running = nullptr;
  /// Debug mode's step timer for this thread's loop, or null when debug is off.
  debug_monitor* monitor = nullptr;
  /// The corio loop this thread runs (runtime.hpp), or null.
  loop_state* loop = nullptr;
  /// That loop's identity for loop-bound primitives (loop_binding.hpp); 0 for none.
  std::uint64_t loop_key = 0;
  /// That loop's clock (loop_clock.hpp), or null: corio::clock::now() reads it.
  loop_clock* clock = nullptr;
  /// That loop's cache of freed task cores (block_cache.hpp), or null.
  block_cache* blocks = nullptr;
};

inline constinit thread_local loop_thread_state this_loop_thread{};

inline task_core_base* running_task() noexcept {
  return this_loop_thread.running;
}

/// Records what the running task is about to wait in ("sleep", "queue get"), for
/// all_tasks() and dump_tasks(). `what` must be a string literal. No-op outside a
/// task; the note is cleared when the task's next step begins.
void note_waiting(const char* what) noexcept;

/// Called by corio's waits when they are created, before the co_await (where Asio
/// throws at once in a cancelled task): counts the waits a cancelled task starts
/// within one step, and warns once about a task that catches its cancellation in a
/// loop (task_core.cpp). No-op outside a task.
void note_wait_started() noexcept;

} // namespace corio::detail

#endif // CORIO_DETAIL_STEP_HPP
