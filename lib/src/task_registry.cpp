#include <corio/detail/runtime.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/log.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <fmt/format.h>

#include <stdexcept>
#include <utility>
#include <vector>

namespace corio::detail {

boost::asio::execution_context::id task_registry::id;

task_registry::task_registry(boost::asio::execution_context& context)
    : boost::asio::execution_context::service(context) {}

task_registry::~task_registry() = default;

task_registry& task_registry::of(const executor& ex) {
  auto& context = boost::asio::query(ex, boost::asio::execution::context);
  // use_service() takes a mutex and walks a list; the loop of run() is the
  // common case and is known without either.
  if (loop_state* current = loop_state::current(); current != nullptr) {
    if (&current->context() == &context)
      return current->registry();
    // Another loop of this runtime: its registry belongs to its thread.
    const runtime& owner = current->owner();
    for (std::size_t index = 0; index < owner.loop_count(); ++index) {
      if (&owner.loop_at(index).context() == &context)
        throw std::logic_error(fmt::format(
            "corio: an executor of loop {} was used to start or list tasks from loop {}; a "
            "loop's tasks are started and listed on that loop (use corio::spawn(loop, ...) or "
            "corio::submit())",
            index, current->index()));
    }
  }
  return boost::asio::use_service<task_registry>(context);
}

void task_registry::add(task_core_base& core) {
  task_slot* slot = free_slots_;
  if (slot != nullptr)
    free_slots_ = slot->next_free;
  else
    slot = &slots_.emplace_back();
  slot->task = &core;
  core.ref_ = task_ref{slot, slot->generation};

  core.registry_previous_ = tail_;
  core.registry_next_ = nullptr;
  (tail_ != nullptr ? tail_->registry_next_ : head_) = &core;
  tail_ = &core;
  ++size_;
  if (runtime_live_tasks_ != nullptr)
    runtime_live_tasks_->fetch_add(1, std::memory_order_relaxed);
}

void task_registry::remove(task_core_base& core) noexcept {
  (core.registry_previous_ != nullptr ? core.registry_previous_->registry_next_ : head_) =
      core.registry_next_;
  (core.registry_next_ != nullptr ? core.registry_next_->registry_previous_ : tail_) =
      core.registry_previous_;
  core.registry_previous_ = core.registry_next_ = nullptr;
  --size_;
  if (runtime_live_tasks_ != nullptr)
    runtime_live_tasks_->fetch_sub(1, std::memory_order_acq_rel);
  task_slot* slot = core.ref_.slot;
  slot->task = nullptr;
  ++slot->generation;
  slot->next_free = std::exchange(free_slots_, slot);
}

std::vector<boost::intrusive_ptr<task_core_base>> task_registry::live_tasks() const {
  std::vector<boost::intrusive_ptr<task_core_base>> live;
  live.reserve(size_);
  for (task_core_base* core = head_; core != nullptr; core = core->registry_next_)
    live.emplace_back(core);
  return live;
}

std::size_t task_registry::cancel_all() {
  cancels_new_tasks_ = true;
  // Cancelling never finishes a task synchronously, but hold references anyway so
  // the walk cannot be invalidated.
  const auto live = live_tasks();
  for (const auto& core : live)
    core->cancel();
  return live.size();
}

void task_registry::for_each(const std::function<void(const task_core_base&)>& visit) const {
  for (const task_core_base* core = head_; core != nullptr; core = core->registry_next_)
    visit(*core);
}

void task_registry::shutdown() {
  // The context is being destroyed with tasks still pending. Unlink them, and
  // release their awaiters (whose handlers the scheduler is about to destroy) so
  // that no reference cycle between a task and its awaiters outlives the context.
  on_task_finished = nullptr;
  while (head_ != nullptr) {
    boost::intrusive_ptr<task_core_base> core(head_);
    logger().warn("Task was destroyed but it is pending: {} (spawned at {}:{})", core->repr(),
                  core->spawn_site().file_name(), core->spawn_site().line());
    remove(*core);
    core->registry_ = nullptr;
    core->joiners_.notify_all(boost::asio::error::operation_aborted);
  }
}

} // namespace corio::detail
