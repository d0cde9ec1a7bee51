// corio/detail/start_task.hpp - how a task is started: one task_core, one Asio
// thread of execution.
//
// Design: the user's awaitable runs inside a small wrapper coroutine (task_body)
// that stores the result or exception in the core, so the result never has to be
// default-constructible and finishes the task the moment the body ends. The
// wrapper is started with co_spawn, whose completion handler is bound to the
// core's cancellation signal: task::cancel() emits on it and Asio's own machinery
// delivers the cancellation to whatever operation the coroutine is suspended in.
// The completion handler only matters if the wrapper never ran (Asio throws
// operation_aborted instead of resuming a cancelled coroutine). The coroutine
// runs on a task_executor, so each of its steps is known to be this task's.
#ifndef CORIO_DETAIL_START_TASK_HPP
#define CORIO_DETAIL_START_TASK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/detail/task_registry.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace corio::detail {

template <typename T>
awaitable<void> task_body(task_core_ptr<T> core, awaitable<T> body) {
  try {
    // co_spawn would run the first step inside spawn(); asyncio and tokio start a
    // task on a later turn of the loop, so the spawner runs on undisturbed and a
    // task cancelled before that turn never starts (the post throws).
    co_await boost::asio::post(boost::asio::use_awaitable_t<executor>());
    core->mark_started();
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      core->set_value();
    } else {
      core->set_value(co_await std::move(body));
    }
  } catch (...) {
    core->finish_with_exception(std::current_exception());
  }
}

// co_spawn's completion handler. It names its cancellation slot itself (rather
// than through bind_cancellation_slot) and has no associated executor, so Asio
// forwards task::cancel() to the coroutine synchronously instead of dispatching
// it: a dispatched cancellation posted from outside the loop would outlive the
// task core that holds the signal.
template <typename T>
struct task_completion {
  using cancellation_slot_type = boost::asio::cancellation_slot;

  task_core_ptr<T> core;

  cancellation_slot_type get_cancellation_slot() const noexcept {
    return core->cancellation_slot();
  }

  void operator()(const std::exception_ptr& error) const {
    if (error && !core->done())
      core->finish_with_exception(error);
  }
};

/// Creates the task's core in `ex`'s registry and starts `body` on `ex`'s loop.
template <typename T>
task_core_ptr<T> start_task(const executor& ex, awaitable<T> body, std::string name,
                            std::source_location spawn_site) {
  const executor loop = loop_executor(ex);
  task_registry& registry = task_registry::of(loop);
  task_core_ptr<T> core(new task_core<T>(registry, std::move(name), spawn_site));
  boost::asio::co_spawn(task_executor_for(loop, core->ref()), task_body<T>(core, std::move(body)),
                        task_completion<T>{core});
  if (registry.cancels_new_tasks())
    core->cancel(); // started during run()'s final drain: it never runs its body
  static_assert(std::is_void_v<typename boost::asio::associated_executor<
                    task_completion<T>, executor>::asio_associated_executor_is_unspecialised>);
  return core;
}

} // namespace corio::detail

#endif // CORIO_DETAIL_START_TASK_HPP
