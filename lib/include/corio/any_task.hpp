// corio/any_task.hpp - a handle to a task of any result type: to look at it and
// cancel it, not to await its result (what current_task() and all_tasks() return).
//
//   corio::any_task me = corio::current_task();
//   fmt::print("{} has run for {:.1f} s\n", me.name(), me.age().count());
//   corio::task<int> t = corio::spawn(slow());
//   corio::any_task same = t;                 // any task<T> converts
//   same.cancel();
//
// Like task<T>, a cheap reference: copies share the task, and holding one keeps
// the task's record (not its coroutine) alive. Comparison is identity.
//
// Thread-safety: belongs to the loop thread, like the task.
// Cancellation: cancel() is task<T>::cancel(): a request that lands at the task's
// current or next suspension point; false when the task has already finished.
#ifndef CORIO_ANY_TASK_HPP
#define CORIO_ANY_TASK_HPP

#include <corio/detail/task_core.hpp>
#include <corio/task.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <chrono>
#include <ostream>
#include <source_location>
#include <string>
#include <utility>

namespace corio {

class any_task {
public:
  /// An empty handle; valid() is false (current_task() outside any task).
  any_task() noexcept = default;
  template <typename T>
  any_task(const task<T>& t) // NOLINT(google-explicit-constructor): a task IS an any_task
      : core_(detail::task_access::core(t)) {}
  explicit any_task(boost::intrusive_ptr<detail::task_core_base> core) noexcept
      : core_(std::move(core)) {}

  bool valid() const noexcept { return core_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }

  std::string name() const { return core().name(); }
  task_state state() const { return core().state(); }
  bool done() const { return core().done(); }
  bool cancelled() const { return state() == task_state::cancelled; }
  bool cancel() const { return core().cancel(); }
  /// Seconds since spawn() (a few ms of resolution).
  std::chrono::duration<double> age() const;
  /// What the task is suspended in when a corio wait says so ("sleep", "queue get",
  /// "co_await task", ...); empty while it runs, when done, or when unknown (a raw
  /// Asio operation).
  std::string waiting_on() const;
  std::source_location spawn_site() const { return core().spawn_site(); }

  friend bool operator==(const any_task& a, const any_task& b) noexcept {
    return a.core_ == b.core_;
  }

  /// asyncio's repr, as for task<T>: <Task pending name='Task-1'>.
  friend std::ostream& operator<<(std::ostream& out, const any_task& t) {
    return detail::task_core_base::print(out, t.core_.get());
  }

private:
  detail::task_core_base& core() const;

  boost::intrusive_ptr<detail::task_core_base> core_;
};

} // namespace corio

#endif // CORIO_ANY_TASK_HPP
