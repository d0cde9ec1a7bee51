// corio/detail/task_group_impl.hpp - with_task_group's body, run as a child task of
// the group (included at the bottom of task_group.hpp).
//
// Design: the body is an ordinary child of the group's child_set, so the group's one
// failure rule covers it without a second mechanism: its exception is a child's
// failure (it stops the set, and join_children() reports it in task_group_error with
// the others); a sibling's failure cancels it like any child, and its cancellation
// is then not a failure. The owner (the coroutine awaiting with_task_group) is the
// set's supervisor, as with join(), so it is never cancelled by the group itself.
// The guard around the body stops the set when the body ends cancelled, so a body
// that ends early by a cancellation never leaves the others running.
//
// Deadlines (Trio: a nursery's children see the cancel scopes around it): the body
// and every child spawned into the group, at any depth, get the owner's enclosing
// cancel scope as theirs, so current_deadline() there is the owner's. Safe because
// the owner stays in join_children() until every child has ended (also when it is
// cancelled or a child fails), and the owner's scope runs at least that long; and
// spawn() after the join throws. A plain task_group does not do this: its
// destructor only cancels, so its children may outlive the owner's scope.
//
// Invariants: body_index_ is set before the body is started and never changes; the
// body never appears in next_done() and is not counted by size().
//
// Thread-safety: none; the group's loop thread.
#ifndef CORIO_DETAIL_TASK_GROUP_IMPL_HPP
#define CORIO_DETAIL_TASK_GROUP_IMPL_HPP

#include <corio/detail/step.hpp>
#include <corio/errors.hpp>

#include <exception>
#include <source_location>
#include <type_traits>
#include <utility>

namespace corio::detail {

[[noreturn]] void throw_body_cancelled();

// Runs the user's body; when it ends by a cancellation, stops the whole set.
template <typename T>
awaitable<T> guarded_body(boost::intrusive_ptr<child_set> set, awaitable<T> body) {
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      co_return;
    } else {
      co_return co_await std::move(body);
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (is_cancellation(error))
    set->stop();
  std::rethrow_exception(error);
}

template <typename T>
awaitable<T> task_group_scope::run(task_group& group, awaitable<T> body,
                                   std::source_location site) {
  if (const task_core_base* owner = running_task())
    group.set_->inherit_scope(owner->enclosing_scope());
  group.body_index_ = group.set_->size();
  task<T> body_task =
      group.spawn(guarded_body(group.set_, std::move(body)), "task_group body", site);
  group.body_core_ = task_access::core(body_task).get();
  group.phase_ = task_group::phase::joining;
  co_await task_group::join_children(&group, group.set_);
  if (body_task.cancelled()) {
    if constexpr (std::is_void_v<T>) {
      if (group.cancel_called_)
        co_return;
    }
    throw_body_cancelled();
  }
  if constexpr (std::is_void_v<T>)
    body_task.result();
  else
    co_return body_task.result();
}

} // namespace corio::detail

#endif // CORIO_DETAIL_TASK_GROUP_IMPL_HPP
