// corio/detail/task_registry.hpp - every live task of one execution context.
//
// Design: an Asio execution_context service, so each io_context (corio's own in
// run(), or a user's) gets exactly one registry, found from any executor on it.
// It hands out default names (Task-1, Task-2, ... per context, as asyncio counts
// unnamed tasks), links every pending task in an intrusive list (for run()'s
// cancel-and-drain, and introspection), gives each pending task a slot that its
// executor can name it by (task_ref.hpp), and tells the runtime when a task
// finishes.
//
// Invariants: a task is linked from its creation until finish(); a context's
// tasks run on its one loop thread, so the registry takes no locks. When the
// context shuts down, still-linked tasks are unlinked (and logged: "Task was
// destroyed but it is pending", as asyncio says) so none points at a dead registry.
#ifndef CORIO_DETAIL_TASK_REGISTRY_HPP
#define CORIO_DETAIL_TASK_REGISTRY_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/task_ref.hpp>

#include <boost/asio/execution_context.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace corio::detail {

class task_core_base;

class task_registry : public boost::asio::execution_context::service {
public:
  static boost::asio::execution_context::id id;

  explicit task_registry(boost::asio::execution_context& context);
  task_registry(const task_registry&) = delete;
  task_registry& operator=(const task_registry&) = delete;
  task_registry(task_registry&&) = delete;
  task_registry& operator=(task_registry&&) = delete;
  ~task_registry() override;

  /// The registry of the context `ex` runs on (a task's executor included).
  static task_registry& of(const executor& ex);

  std::uint64_t next_default_number() noexcept { return ++last_default_number_; }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// Requests cancellation of every live task, and of every task started from now
  /// on (run()'s final drain: a task spawned while the others wind down must not
  /// keep run() waiting); returns how many live tasks were asked.
  std::size_t cancel_all();
  /// True once cancel_all() ran: start_task() cancels each new task at once.
  bool cancels_new_tasks() const noexcept { return cancels_new_tasks_; }

  /// References to every live task, oldest first.
  std::vector<boost::intrusive_ptr<task_core_base>> live_tasks() const;

  /// Calls `visit(task)` for every live task, oldest first.
  void for_each(const std::function<void(const task_core_base&)>& visit) const;

  /// Called after any task of this context finishes (the runtime stops its loop
  /// from here). Empty by default.
  std::function<void()> on_task_finished;

  /// Also counts this registry's tasks in `counter`, shared by the loops of one
  /// runtime (its drain waits for all of them). Call before any task is added.
  void count_live_tasks_in(std::atomic<std::size_t>& counter) noexcept {
    runtime_live_tasks_ = &counter;
  }

private:
  friend class task_core_base;
  void add(task_core_base& core);
  void remove(task_core_base& core) noexcept;
  void shutdown() override;

  std::uint64_t last_default_number_ = 0;
  std::size_t size_ = 0;
  std::atomic<std::size_t>* runtime_live_tasks_ = nullptr;
  bool cancels_new_tasks_ = false;
  task_core_base* head_ = nullptr;
  task_core_base* tail_ = nullptr;
  std::deque<task_slot> slots_; // a deque: slots never move
  task_slot* free_slots_ = nullptr;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_TASK_REGISTRY_HPP
