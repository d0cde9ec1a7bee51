// corio/detail/task_ref.hpp - a weak name for a pending task, safe to hold in an
// executor that may outlive the task.
//
// Design: the registry of a loop owns a table of slots with stable addresses. A
// pending task occupies one slot; when it finishes, the slot's generation moves on
// and the slot is reused. A task_ref is (slot, generation): get() returns the task
// while it is pending and null afterwards, never a dangling pointer. This is what
// lets a task's executor (task_executor.hpp) be copied freely into handlers that
// may run after the task is gone.
//
// Thread-safety: read and written on the loop thread only.
#ifndef CORIO_DETAIL_TASK_REF_HPP
#define CORIO_DETAIL_TASK_REF_HPP

#include <cstdint>

namespace corio::detail {

class task_core_base;

struct task_slot {
  task_core_base* task = nullptr;
  std::uint32_t generation = 0;
  task_slot* next_free = nullptr;
};

struct task_ref {
  task_slot* slot = nullptr;
  std::uint32_t generation = 0;

  /// The task while it is pending, else null.
  task_core_base* get() const noexcept {
    return slot != nullptr && slot->generation == generation ? slot->task : nullptr;
  }

  friend bool operator==(const task_ref&, const task_ref&) = default;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_TASK_REF_HPP
