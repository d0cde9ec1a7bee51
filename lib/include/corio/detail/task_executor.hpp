// corio/detail/task_executor.hpp - the executor a task's coroutine runs on: the
// loop's executor plus the task's name (a task_ref).
//
// Design: Asio resumes a coroutine by executing a function on the coroutine's
// executor. corio spawns every task on a task_executor, so each resumption (a
// "step") passes through execute(), which brackets it with a step_scope: the
// running task is known to current_task(), and in debug mode the step is timed
// (debug_monitor.hpp). Everything else is forwarded to the inner executor, so to
// the code inside a task it is an ordinary any_io_executor (timers and sockets
// accept it; spawn() and corio's own timers unwrap it with loop_executor()).
//
// It holds a task_ref, not a pointer, because copies of it end up in handlers
// that may run after the task is gone; such a step runs with no current task.
//
// Thread-safety: copyable anywhere; steps run where the inner executor runs them.
#ifndef CORIO_DETAIL_TASK_EXECUTOR_HPP
#define CORIO_DETAIL_TASK_EXECUTOR_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/debug_monitor.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_ref.hpp>

#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include <chrono>
#include <type_traits>
#include <utility>

namespace corio::detail {

/// Marks the current thread as running a step of `task` for the scope's lifetime
/// (nesting restores the outer step), and times it in debug mode. A step nested
/// in a step of the same task (Asio resuming a coroutine inline from its own
/// completion) is part of that step, not a new one.
class step_scope {
public:
  explicit step_scope(task_ref task) noexcept : task_(task), previous_(this_loop_thread.running) {
    task_core_base* running = task.get();
    if (running != nullptr && running == previous_)
      return;
    this_loop_thread.running = running;
    if (running != nullptr) {
      running->waiting_on_ = nullptr;
      running->waits_after_cancel_ = 0;
    }
    monitor_ = this_loop_thread.monitor;
    if (monitor_ != nullptr) [[unlikely]]
      started_ = monitor_->step_started(running);
  }

  ~step_scope() {
    if (monitor_ != nullptr) [[unlikely]]
      monitor_->step_finished(task_, started_);
    this_loop_thread.running = previous_;
  }

  step_scope(const step_scope&) = delete;
  step_scope& operator=(const step_scope&) = delete;

private:
  task_ref task_;
  task_core_base* previous_;
  debug_monitor* monitor_ = nullptr;
  std::chrono::steady_clock::time_point started_{};
};

template <typename Inner>
class task_executor {
public:
  task_executor(Inner inner, task_ref task) noexcept : inner_(std::move(inner)), task_(task) {}

  const Inner& inner() const noexcept { return inner_; }
  task_ref task() const noexcept { return task_; }

  template <typename Property>
  auto query(const Property& property) const noexcept
      -> decltype(boost::asio::query(std::declval<const Inner&>(), property)) {
    return boost::asio::query(inner_, property);
  }

  template <typename Property>
  auto require(const Property& property) const -> task_executor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), property))>> {
    return {boost::asio::require(inner_, property), task_};
  }

  template <typename Property>
  auto prefer(const Property& property) const -> task_executor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), property))>> {
    return {boost::asio::prefer(inner_, property), task_};
  }

  template <typename Function>
  void execute(Function&& function) const {
    inner_.execute(step<std::decay_t<Function>>{std::forward<Function>(function), task_});
  }

  friend bool operator==(const task_executor& a, const task_executor& b) noexcept {
    return a.task_ == b.task_ && a.inner_ == b.inner_;
  }
  friend bool operator!=(const task_executor& a, const task_executor& b) noexcept {
    return !(a == b);
  }

private:
  template <typename Function>
  struct step {
    Function function;
    task_ref task;

    void operator()() {
      step_scope scope(task);
      function();
    }
  };

  Inner inner_;
  task_ref task_;
};

/// `loop` tagged with `task`: the executor a task's coroutine runs on.
executor task_executor_for(const executor& loop, task_ref task);

/// The loop's executor under a task's executor; `ex` itself when it is not one.
executor loop_executor(const executor& ex);

} // namespace corio::detail

#endif // CORIO_DETAIL_TASK_EXECUTOR_HPP
