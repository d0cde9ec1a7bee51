// corio/task_group.hpp - structured concurrency: tasks that are spawned into a
// group and all end before the group does (asyncio.TaskGroup, Trio's nursery).
//
//   corio::task_group group;
//   auto user = group.spawn(fetch_user(id), "user");
//   group.spawn(send_metrics());
//   co_await group.join();                 // every child has ended here
//   fmt::print("{}\n", co_await user);     // done: returns at once
//
// spawn(aw, name) starts aw as a child task (on a later turn, like corio::spawn)
// and returns its handle; children may spawn more siblings while join() waits.
// join() waits until every child has ended.
//
// As a scope (asyncio's `async with TaskGroup()`, Trio's nursery):
//
//   int n = co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<int> {
//     g.spawn(send_metrics());
//     co_return co_await fetch_count();   // the body runs as a child of the group
//   });                                   // every child has ended here
//
// with_task_group(body) runs body(g) as a child task of a new group (named
// "task_group body"), then joins the group and returns the body's value. A child's
// failure cancels the body like any sibling; the body's own exception cancels and
// waits for every child; either way with_task_group throws task_group_error listing
// every failure, the first first (the body's exception counts as a child's; a body
// cancelled because of a sibling's failure is not a failure). g.join() inside the
// scope is a std::logic_error (the scope joins when the body ends). A body that ends
// cancelled makes with_task_group throw cancelled_error once the children ended,
// except a void body cancelled by g.cancel(): then the scope ends normally.
// Deadlines (Trio's nursery): the body and every task spawned into the scope's group,
// at any depth, see the deadline around with_task_group in current_deadline()
// (cancel_scope.hpp); a plain task_group's children start with none, since they may
// outlive the owner's scope.
//
// As a growing task set (tokio's JoinSet): next_done() waits for the next child to
// end and returns its handle, already done (`co_await *t` gives its value or rethrows);
// each child is handed out once, in the order they ended (including children that
// ended before the call), and std::nullopt means "no child left to hand out or to
// wait for" (at once for an empty group). next_done<T>() returns a task<T> (a
// child of another type is a std::logic_error and stays for the next call). Two
// tasks waiting in next_done() at once each get a different child, the earlier
// waiter first. A failure still fails the group (as in Trio): next_done() hands out
// the failed child, join() still reports it. To keep the other children going
// through a failure, catch it inside the child. The group keeps each ended child's
// record (name, state, result) until next_done() takes it or the group goes, as
// tokio does. cancel() cancels every child (and a scope's body); tasks spawned
// afterwards start cancelled; children that end cancelled are not failures.
//
// Failure: the first child to fail (an exception other than a cancellation) makes
// the group cancel every other child; join() waits for all of them and then
// throws corio::task_group_error: what() names the task and its message, plus
// "(and N more failures)" when other children failed too; first() and
// exceptions() give the original exceptions (asyncio raises an ExceptionGroup the
// same way). A child that ends cancelled (by its handle, or by the group) is not a
// failure. The owner is not interrupted by a child's failure; it learns of it at
// join() (with_task_group's body is a child, so it is). spawn() on a group that is
// failing starts the task already cancelled. After cancel(), the first child that
// fails while it winds down is reported by join() like a first failure.
//
// Cancellation: cancelling the owner while it is in join() or with_task_group()
// cancels every child (and the body), waits until all have ended, and throws
// cancelled_error; every child failure seen meanwhile is logged at warn. join() in
// an already cancelled task throws at once. next_done() cancelled while waiting
// throws cancelled_error and takes nothing; the children keep running.
//
// Lifetime: C++ has no async destructor, so a group cannot wait in its destructor.
// Destroying a group whose children still run (join() never called, or the owner
// left by an exception or a cancellation) cancels them at once; they end at their
// next suspension point (run() drains them at the latest). Without an exception in
// flight this is a bug and is logged at warn. Children's failures that no join()
// will report (before or after the group went) are logged at warn, so none is lost
// in silence. Nothing leaks and nothing crashes. A group must outlive every
// next_done() waiting on it (as it must outlive join()).
// Errors: spawn() or join() after join() has finished, a second join() while one
// runs, and join() on a with_task_group() group throw std::logic_error;
// constructing a group outside a corio loop without an executor throws
// std::logic_error.
// Resumes: join() and next_done() resume on the loop, after a child's end.
// Thread-safety: loop thread only. With several loops, the group binds to the loop
// that first uses it; spawn() or join() from a task of another loop throws
// std::logic_error naming both loops (spawn(loop, ...) a task there instead).
#ifndef CORIO_TASK_GROUP_HPP
#define CORIO_TASK_GROUP_HPP

#include <corio/any_task.hpp>
#include <corio/awaitable.hpp>
#include <corio/detail/child_set.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/task.hpp>

#include <concepts>
#include <cstddef>
#include <exception>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace corio {

/// What join() throws when children failed: the first failure, and the others.
class task_group_error : public std::runtime_error {
public:
  task_group_error(const std::string& task_name, std::vector<std::exception_ptr> exceptions);
  /// The first failure, as thrown by the child.
  std::exception_ptr first() const noexcept { return exceptions_.front(); }
  /// Every failure, the first one first.
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
  /// How many children failed after the first.
  std::size_t further_failures() const noexcept { return exceptions_.size() - 1; }

private:
  std::vector<std::exception_ptr> exceptions_;
};

namespace detail {
struct task_group_scope;
[[noreturn]] void throw_next_done_type(const std::string& child_name);
} // namespace detail

class task_group {
public:
  /// A group on the loop running on this thread.
  task_group();
  explicit task_group(executor ex);
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;
  /// Cancels children still running (see Lifetime above).
  ~task_group();

  /// Starts `body` (an awaitable or an awaitable operation, awaitable.hpp) as a
  /// child; an empty name gives "Task-N".
  template <awaitable_like A, typename T = awaitable_result_t<A>>
  task<T> spawn(A body, std::string name = {},
                std::source_location spawn_site = std::source_location::current()) {
    check_open("spawn");
    return detail::task_access::make(
        set_->start(detail::to_awaitable(std::move(body)), std::move(name), spawn_site));
  }

  /// Waits for every child; throws task_group_error if any failed.
  awaitable<void> join();

  /// The next child to end, already done; std::nullopt when none is left.
  awaitable<std::optional<any_task>> next_done();
  /// next_done() as a task<T>, for a group whose children all return T.
  template <typename T>
  awaitable<std::optional<task<T>>> next_done();

  /// Cancels every child (and a scope's body); later spawns start cancelled.
  void cancel();

  /// Children whose end the group has not seen yet (a scope's body not counted).
  std::size_t size() const noexcept {
    return set_->live() - (body_index_ && set_->running(*body_index_) ? 1 : 0);
  }

private:
  friend struct detail::task_group_scope;
  enum class phase { open, joining, joined };
  void check_open(const char* operation) const;
  static awaitable<void> join_children(task_group* group,
                                       boost::intrusive_ptr<detail::child_set> set);
  // True when an ended child waits in set_->unreported() (the body is never there).
  awaitable<bool> wait_for_done();

  boost::intrusive_ptr<detail::child_set> set_;
  detail::loop_binding binding_;
  phase phase_ = phase::open;
  int uncaught_at_construction_;
  std::optional<std::size_t> body_index_;             // with_task_group: the body's child index
  const detail::task_core_base* body_core_ = nullptr; // and its task, for next_done()
  bool cancel_called_ = false;
};

template <typename T>
awaitable<std::optional<task<T>>> task_group::next_done() {
  binding_.check("corio::task_group::next_done");
  if (!co_await wait_for_done())
    co_return std::nullopt;
  auto& unreported = set_->unreported();
  auto core = boost::dynamic_pointer_cast<detail::task_core<T>>(unreported.front());
  if (!core)
    detail::throw_next_done_type(unreported.front()->name());
  unreported.pop_front();
  co_return detail::task_access::make(std::move(core));
}

namespace detail {

/// with_task_group's machinery (task_group_impl.hpp).
struct task_group_scope {
  template <typename T>
  static awaitable<T> run(task_group& group, awaitable<T> body, std::source_location site);
};

} // namespace detail

/// Runs body(group) inside a new task group and returns its value once every child
/// has ended (see "As a scope" above). `spawn_site` is the body task's.
template <typename Body>
requires std::invocable<Body&, task_group&> &&
    awaitable_like<std::invoke_result_t<Body&, task_group&>>
auto with_task_group(Body body, std::source_location spawn_site = std::source_location::current())
    -> awaitable<awaitable_result_t<std::invoke_result_t<Body&, task_group&>>> {
  task_group group;
  co_return co_await detail::task_group_scope::run(group, detail::to_awaitable(body(group)),
                                                   spawn_site);
}

} // namespace corio

#include <corio/detail/task_group_impl.hpp>

#endif // CORIO_TASK_GROUP_HPP
