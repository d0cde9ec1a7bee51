// corio/detail/child_set.hpp - the one core behind gather, race, map_concurrent,
// as_completed and task_group: start (or adopt) child tasks, learn when each one
// ends, cancel the rest on the first failure, and wait until all have ended.
//
// Design: each child is an ordinary task (start_task, or a user's task adopted as
// it is). The set watches it with a plain callback on the task core's own waiter
// list (task_core::joiners()), so there is no second task state and no second
// waiter list: when a child ends, the callback (posted, on the loop) records the
// order of completion, classifies the ending, and wakes the set's one supervisor
// through `wakeups()`. The supervisor is the coroutine that awaits the combinator;
// it waits in wait_until() with Asio's sticky-cancellation check turned off, so
// that after a failure or its own cancellation it can keep waiting for every
// child to end before it throws (the contract: "cancel the rest, wait for them,
// rethrow the first").
//
// Invariants:
//  - live() counts children whose end callback has not run yet; wait_until()
//    returns or throws only at a point where its condition held, and after a
//    failure or a cancellation only when live() == 0.
//  - The first failure is recorded only while the set is not stopping; once
//    stop() ran (first failure, race settled, awaiter cancelled) children that end
//    cancelled are not failures, and other failures are "further" failures
//    (counted; logged at warn unless the owner reports them itself).
//  - Once the owner will report nothing (its wait was cancelled, or a task_group
//    was left without join()), abandon() logs every failure recorded so far and
//    every later one: no child's failure is lost in silence.
//  - The set is reference counted; the callback holds a reference, and a child's
//    core is released when it ends (with keep_finished: when the owner takes it
//    from unreported()), so no cycle outlives the children.
//
// Thread-safety: none; a set and its children belong to one loop thread.
#ifndef CORIO_DETAIL_CHILD_SET_HPP
#define CORIO_DETAIL_CHILD_SET_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/cancellation_checks.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/waiter_list.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <cstddef>
#include <deque>
#include <exception>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace corio::detail {

/// Takes the value of a task that ended done.
template <typename T>
result_of<T> take_result(task_core<T>& core) {
  if constexpr (std::is_void_v<T>)
    return {};
  else
    return core.take_value();
}

struct child_set_options {
  const char* owner = "";              // "corio::gather", for messages
  bool cancellation_is_failure = true; // gather: a cancelled child fails the set
  bool first_end_settles = false;      // race: the first child to end stops the rest
  bool report_failures = false;        // task_group: further failures reported by the owner
  bool watch_only = false;             // as_completed: record the order, never cancel
  bool keep_finished = false;          // task_group: keep ended children for next_done()
};

class child_set : public boost::intrusive_ref_counter<child_set, boost::thread_unsafe_counter> {
public:
  child_set(executor ex, child_set_options options);
  child_set(const child_set&) = delete;
  child_set& operator=(const child_set&) = delete;
  ~child_set() = default;

  /// Starts `body` as a child task. On a stopping set it starts cancelled (it never runs).
  template <typename T>
  task_core_ptr<T> start(awaitable<T> body, std::string name, std::source_location site) {
    auto core = start_task(ex_, std::move(body), std::move(name), site);
    if (children_scope_ != nullptr)
      core->set_enclosing_scope(children_scope_);
    watch(core);
    if (stopping_)
      core->cancel();
    return core;
  }

  /// Children started from now on see `scope` as their enclosing cancel scope
  /// (current_deadline()). Only for an owner that awaits every child's end while
  /// `scope` runs (with_task_group): the pointer must outlive every child.
  void inherit_scope(scope_state* scope) noexcept { children_scope_ = scope; }

  /// Watches a task someone else started (gather and as_completed of task handles).
  void watch(const boost::intrusive_ptr<task_core_base>& core);

  std::size_t size() const noexcept { return children_.size(); }
  std::size_t live() const noexcept { return live_; }
  bool stopping() const noexcept { return stopping_; }
  /// Indices (in start order) of the children that have ended, in the order they ended.
  const std::vector<std::size_t>& finished() const noexcept { return finished_; }
  std::exception_ptr first_failure() const noexcept { return first_failure_; }
  const std::string& first_failure_name() const noexcept { return first_failure_name_; }
  const std::vector<std::exception_ptr>& further_failures() const noexcept { return further_; }
  waiter_list<>& wakeups() noexcept { return wakeups_; }
  /// True until the end callback of child `index` (in start order) has run.
  bool running(std::size_t index) const noexcept { return children_[index] != nullptr; }
  /// With keep_finished: the ended children not taken yet, in the order they ended.
  std::deque<boost::intrusive_ptr<task_core_base>>& unreported() noexcept { return unreported_; }

  /// Cancels every live child; from now on cancellations are not failures.
  void stop() noexcept;
  /// The owner will not report the set's failures: logs those recorded so far at
  /// warn, and each later one as it happens. `why` ends "dropped ... because <why>".
  /// Idempotent.
  void abandon(const char* why);
  /// Records `error` (thrown outside any child) as the first failure and stops.
  void fail(std::exception_ptr error);

  /// Waits until `ready()` holds (checked after each child ends), or every child
  /// has ended. On a failure: waits for the rest (already cancelled), then rethrows
  /// the first failure. When the awaiter is cancelled: cancels every child, waits
  /// for all of them, throws cancelled_error.
  template <typename Ready>
  awaitable<void> wait_until(Ready ready);
  awaitable<void> wait_all() {
    return wait_until([] { return false; });
  }

private:
  struct watcher {
    boost::intrusive_ptr<child_set> set;
    std::size_t index;
    void operator()(boost::system::error_code) const { set->child_ended(index); }
  };

  // wait_until()'s loop, run with Asio's sticky check off; true when the awaiter was
  // cancelled.
  template <typename Ready>
  awaitable<bool> wait_for_children(Ready ready);
  void child_ended(std::size_t index);
  [[noreturn]] void throw_cancelled();

  executor ex_;
  child_set_options options_;
  std::vector<boost::intrusive_ptr<task_core_base>> children_; // null once ended
  std::vector<std::size_t> finished_;
  std::size_t live_ = 0;
  bool stopping_ = false;
  const char* abandoned_because_ = nullptr; // set by abandon()
  std::exception_ptr first_failure_;
  std::string first_failure_name_;
  std::vector<std::exception_ptr> further_;
  std::deque<boost::intrusive_ptr<task_core_base>> unreported_; // keep_finished only
  waiter_list<> wakeups_{"child tasks"};
  scope_state* children_scope_ = nullptr; // inherit_scope()
};

template <typename Ready>
awaitable<void> child_set::wait_until(Ready ready) {
  const boost::intrusive_ptr<child_set> keep(this);
  // Sticky cancellation would make every wait after the first throw at once; the
  // set must keep waiting for its children, so it checks the state itself.
  if (co_await without_cancellation_checks(wait_for_children(std::move(ready))))
    throw_cancelled();
  if (first_failure_)
    std::rethrow_exception(first_failure_);
}

template <typename Ready>
awaitable<bool> child_set::wait_for_children(Ready ready) {
  const auto cancellation = co_await boost::asio::this_coro::cancellation_state;
  auto cancelled = [&cancellation] {
    return cancellation.cancelled() != boost::asio::cancellation_type::none;
  };
  for (;;) {
    if (cancelled() || first_failure_) {
      stop();
      if (live_ == 0)
        break;
    } else if (live_ == 0 || ready()) {
      break;
    }
    co_await wakeups_.async_wait({}, boost::asio::use_awaitable_t<executor>(), [this] {
      stop(); // the awaiter was cancelled: cancel the children, keep waiting
      return false;
    });
  }
  co_return cancelled();
}

} // namespace corio::detail

#endif // CORIO_DETAIL_CHILD_SET_HPP
