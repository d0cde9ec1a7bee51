// corio/detail/remote_task.hpp - how a task on one loop awaits a task it started on
// another loop (spawn(loop, aw) in loop.hpp).
//
// Design: task cores are loop-bound (their counts and waiter lists take no locks),
// so a task on loop A never touches a core on loop B. spawn(loop B, aw) from loop A
// starts two tasks: on B the real one, running aw; on A a proxy whose body awaits
// the remote one through the Asio operation below, so the handle the caller gets is
// an ordinary task of its own loop: awaited, cancelled and printed there.
//
//  - Initiation (on A) posts a start step to B: B creates the task and joins it.
//  - When it ends, B stores the value or exception in the shared remote_call, drops
//    its core, and posts the proxy's completion back to A (the handler's executor).
//  - Cancelling the proxy (on A) posts core->cancel() to B. Steps posted from one
//    thread to one io_context run in order, so the cancel step finds the core the
//    start step created, or nothing once the task has ended.
//
// Invariants: remote_call::task is touched only on B; error and value are written
// on B before the completion is posted to A and read on A after (the post orders
// them). The proxy's cancellation slot is cleared on A, before its handler runs.
// Cost: two tasks, one shared block and three posts per cross-loop spawn.
#ifndef CORIO_DETAIL_REMOTE_TASK_HPP
#define CORIO_DETAIL_REMOTE_TASK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace corio::detail {

template <typename T>
struct remote_call {
  task_core_ptr<T> task; // on the remote loop only
  std::exception_ptr error;
  std::optional<result_of<T>> value;
};

/// Cancels the remote task from the proxy's cancellation slot.
template <typename T>
struct remote_cancel {
  std::shared_ptr<remote_call<T>> call;
  loop_state* there;
  void operator()(boost::asio::cancellation_type) const {
    boost::asio::post(there->context(), [call = call] {
      if (call->task)
        call->task->cancel();
    });
  }
};

/// The operation's initiation: holds what the remote loop needs to start the task.
template <typename T>
struct remote_start {
  loop_state* there = nullptr;
  awaitable<T> body;
  std::string name;
  std::source_location site;

  template <typename Handler>
  void operator()(Handler handler, std::shared_ptr<remote_call<T>> call) {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected())
      slot.template emplace<remote_cancel<T>>(remote_cancel<T>{call, there});
    boost::asio::post(there->context(), [call, there = there, body = std::move(body),
                                         name = std::move(name), site = site,
                                         handler = std::move(handler)]() mutable {
      call->task = start_task(there->get_executor(), std::move(body), std::move(name), site);
      join_wait<T>(call->task, join_mode::ignore)(boost::asio::bind_executor(
          there->get_executor(),
          [call, handler = std::move(handler)](const std::exception_ptr& error) mutable {
            call->error = error;
            if (!error) {
              if constexpr (std::is_void_v<T>)
                call->value.emplace();
              else
                call->value.emplace(call->task->take_value());
            }
            call->task.reset();
            auto home = boost::asio::get_associated_executor(handler);
            boost::asio::post(home, [call, handler = std::move(handler)]() mutable {
              boost::asio::get_associated_cancellation_slot(handler).clear();
              std::move(handler)(call->error);
            });
          }));
    });
  }
};

/// The proxy's body: starts `body` on `there` and returns what it ends with.
template <typename T>
awaitable<T> await_remote(loop_state* there, awaitable<T> body, std::string name,
                          std::source_location site) {
  auto call = std::make_shared<remote_call<T>>();
  remote_start<T> start{there, std::move(body), std::move(name), site};
  note_waiting("task on another loop");
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<executor>&,
                                       void(std::exception_ptr)>(
      std::move(start), boost::asio::use_awaitable_t<executor>(), call);
  if constexpr (!std::is_void_v<T>)
    co_return std::move(*call->value);
}

} // namespace corio::detail

#endif // CORIO_DETAIL_REMOTE_TASK_HPP
