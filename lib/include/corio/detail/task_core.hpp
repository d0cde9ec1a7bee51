// corio/detail/task_core.hpp - the state one task shares between its coroutine,
// its handles and its awaiters. The task state exists once, here.
//
// Design: one heap block per task holding the status, the result, the exception,
// the Asio cancellation signal the coroutine's cancellation slot hangs off, the
// waiter list of coroutines awaiting it, and for introspection its slot in the
// registry (task_ref.hpp), birth time and what it is waiting in. It is reference
// counted (intrusively, no separate control block) by the task handles, the running
// coroutine and pending completions. Counts are not atomic: a task lives on one
// loop thread.
//
// Invariants:
//  - state_ leaves pending exactly once (finish()), after the result or exception
//    is stored; finish() unregisters the task and wakes every joiner.
//  - A task ends `cancelled` when a cancellation (corio::cancelled_error or
//    system_error(operation_aborted)) escapes its coroutine, `failed` for any other
//    exception, `done` when it returns (even if it caught a cancellation).
//  - An exception of a failed task that no awaiter retrieved is logged when the
//    last reference goes (DESIGN.md semantics 3).
#ifndef CORIO_DETAIL_TASK_CORE_HPP
#define CORIO_DETAIL_TASK_CORE_HPP

#include <corio/detail/block_cache.hpp>
#include <corio/detail/result_of.hpp>
#include <corio/detail/task_ref.hpp>
#include <corio/detail/waiter_list.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iosfwd>
#include <memory>
#include <new>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace corio {

/// Where a task is in its life; see task.hpp.
enum class task_state { pending, done, failed, cancelled };

/// Prints "pending", "done", "failed" or "cancelled".
std::ostream& operator<<(std::ostream& out, task_state state);

} // namespace corio

namespace corio::detail {

class task_registry;
class step_scope;
class scope_state;

// The destructor is virtual and protected on purpose: only the last intrusive_ptr
// release deletes a core, through this base, and must destroy the task_core<T> it is.
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class task_core_base {
public:
  task_core_base(const task_core_base&) = delete;
  task_core_base& operator=(const task_core_base&) = delete;

  task_state state() const noexcept { return state_; }
  bool done() const noexcept { return state_ != task_state::pending; }
  /// The name given to spawn(), or "Task-N".
  std::string name() const;
  const std::source_location& spawn_site() const noexcept { return spawn_site_; }

  /// Requests cancellation (lands at the task's current or next suspension point).
  /// False when the task has already finished.
  bool cancel() noexcept;
  /// True once cancel() was called on the pending task; a task whose body has not
  /// started yet reads it on its first turn (start_task.hpp).
  bool cancel_requested() const noexcept { return cancel_requested_; }
  /// The cancel scope whose operation this task runs (scope_state.hpp), or null:
  /// current_deadline() starts there.
  scope_state* enclosing_scope() const noexcept { return enclosing_scope_; }
  void set_enclosing_scope(scope_state* scope) noexcept { enclosing_scope_ = scope; }

  /// The exception an awaiter receives: null when done, the task's exception when
  /// failed, a cancelled_error when cancelled. Marks a failure as retrieved.
  std::exception_ptr retrieve_exception() noexcept;

  boost::asio::cancellation_slot cancellation_slot() noexcept { return cancel_signal_.slot(); }
  waiter_list<>& joiners() noexcept { return joiners_; }

  /// The coroutine ended with an exception: classifies it and finishes.
  void finish_with_exception(std::exception_ptr error);
  /// Finishes `cancelled` (with a cancelled_error for awaiters).
  void finish_cancelled();

  /// Prints `<Task pending name='Task-1'>` (asyncio's repr).
  void print(std::ostream& out) const;
  /// The same, or `<Task empty>` for no task: operator<< of task<T> and any_task.
  static std::ostream& print(std::ostream& out, const task_core_base* core);
  std::string repr() const;

  /// How this pending task is named by its executor (task_executor.hpp).
  task_ref ref() const noexcept { return ref_; }
  /// When the task was spawned (a coarse clock: a few ms of resolution).
  std::chrono::steady_clock::time_point created() const noexcept { return created_; }
  /// True once its body has begun (task_body marks it; a task cancelled before its
  /// first turn never begins).
  bool started() const noexcept { return started_; }
  void mark_started() noexcept { started_ = true; }
  /// What the task is suspended in ("sleep", "queue get", ...), when a corio wait
  /// said so; null while it runs or when unknown.
  const char* waiting_on() const noexcept { return waiting_on_; }
  void note_waiting(const char* what) noexcept { waiting_on_ = what; }
  /// A wait was started in this cancelled task (step.hpp's note_wait_started).
  /// Counted per step: the step_scope of each new step resets the count. A task that
  /// catches its cancellation around a wait, in a loop, never suspends again (every
  /// wait throws at once), so its one step goes on forever; at
  /// spinning_after_cancel_threshold waits in one step it is logged, once, with its
  /// name and spawn site, debug mode or not.
  void count_wait_after_cancel() noexcept;
  static constexpr std::uint32_t spinning_after_cancel_threshold = 1000;

  /// Memory for the operation that launches the task (start_task.hpp's
  /// launch_allocator), so that spawning allocates the core and nothing more: null when
  /// taken or when the request does not fit.
  void* take_launch_memory(std::size_t size, std::size_t alignment) noexcept {
    if (launch_memory_taken_ || size > sizeof(launch_memory_) ||
        alignment > launch_memory_alignment)
      return nullptr;
    launch_memory_taken_ = true;
    return launch_memory_;
  }
  /// False when `memory` is not the launch memory.
  bool give_back_launch_memory(const void* memory) noexcept {
    if (memory != launch_memory_)
      return false;
    launch_memory_taken_ = false;
    return true;
  }

  friend void intrusive_ptr_add_ref(task_core_base* core) noexcept { ++core->references_; }
  friend void intrusive_ptr_release(task_core_base* core) noexcept {
    if (--core->references_ == 0)
      delete core;
  }

  task_core_base(task_registry& registry, std::string name, std::source_location spawn_site);

  // A core comes from the block cache of the loop that spawns it and goes back to the
  // cache of the loop that frees it, or to the heap (block_cache.hpp). Over-aligned
  // cores (a T aligned beyond the default) always use the heap.
  static void* operator new(std::size_t size) { return allocate_task_block(size); }
  static void operator delete(void* block, std::size_t size) noexcept {
    deallocate_task_block(block, size);
  }
  static void* operator new(std::size_t size, std::align_val_t alignment) {
    return ::operator new(size, alignment);
  }
  static void operator delete(void* block, std::size_t /*size*/,
                              std::align_val_t alignment) noexcept {
    ::operator delete(block, alignment);
  }

protected:
  virtual ~task_core_base(); // see the NOLINT above the class
  void finish_done() { finish(task_state::done); }
  /// For a move-only result: true once an awaiter has taken it (task_core<T>).
  bool take_result_once() noexcept { return !std::exchange(result_taken_, true); }

private:
  friend class task_registry;
  friend class step_scope;
  void finish(task_state state);

  std::uint32_t references_ = 0;
  task_state state_ = task_state::pending;
  bool cancel_requested_ = false;
  bool exception_retrieved_ = false;
  bool started_ = false;
  bool warned_spinning_ = false;
  bool launch_memory_taken_ = false;
  bool result_taken_ = false;
  std::uint32_t waits_after_cancel_ = 0; // in the current step
  const char* waiting_on_ = nullptr;
  scope_state* enclosing_scope_ = nullptr; // valid while this task runs
  task_ref ref_;
  std::chrono::steady_clock::time_point created_;
  std::uint64_t number_ = 0; // N of "Task-N"; 0 when named
  // The name given to spawn(), null for "Task-N": a word of the core instead of a
  // std::string's 32 bytes, since most tasks are not named (issue 18).
  std::unique_ptr<const std::string> given_name_;
  std::source_location spawn_site_;
  std::exception_ptr exception_;
  boost::asio::cancellation_signal cancel_signal_;
  waiter_list<> joiners_{"co_await task"};
  task_registry* registry_;
  task_core_base* registry_previous_ = nullptr;
  task_core_base* registry_next_ = nullptr;
  // The launcher's operation: the loop executor, the core pointer, the body and
  // Asio's operation header (56 bytes on Asio 1.26 with an io_context loop; every
  // part is pointer-aligned). Raw storage, written by Asio when the launcher is
  // posted: not zeroed on purpose.
  static constexpr std::size_t launch_memory_alignment = alignof(void*);
  alignas(launch_memory_alignment) std::byte launch_memory_[64];
};

[[noreturn]] void throw_result_taken(const task_core_base& core);

/// A task producing T: adds the value.
template <typename T>
class task_core final : public task_core_base {
public:
  using task_core_base::task_core_base;

  template <typename U>
  void set_value(U&& value) {
    value_.emplace(std::forward<U>(value));
    finish_done();
  }

  /// The value for an awaiter: a copy when T is copyable; for a move-only T the
  /// first caller takes it and later ones get a clear error.
  T take_value() {
    if constexpr (std::is_copy_constructible_v<T>) {
      return *value_;
    } else {
      if (!this->take_result_once())
        throw_result_taken(*this);
      return std::move(*value_);
    }
  }

private:
  std::optional<T> value_;
};

template <>
class task_core<void> final : public task_core_base {
public:
  using task_core_base::task_core_base;
  void set_value() { finish_done(); }
  void take_value() const noexcept {}
};

template <typename T>
using task_core_ptr = boost::intrusive_ptr<task_core<T>>;

} // namespace corio::detail

#endif // CORIO_DETAIL_TASK_CORE_HPP
