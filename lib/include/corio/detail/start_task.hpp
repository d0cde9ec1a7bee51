// corio/detail/start_task.hpp - how a task is started: one task_core, one Asio
// thread of execution.
//
// Design: spawn() creates the task's core and posts a small launcher to the loop;
// nothing else is allocated until the task's turn comes. asyncio and tokio start a
// task on a later turn of the loop, so the spawner runs on undisturbed, and a task
// cancelled before that turn never starts: the launcher finishes it as cancelled
// without running its body (the core remembers the request, since no cancellation
// handler is installed yet).
//
// On its turn the launcher co_spawns a small wrapper coroutine (task_body) around
// the user's awaitable; it stores the result or exception in the core, so the
// result never has to be default-constructible and the task finishes the moment the
// body ends. co_spawn's completion handler is bound to the core's cancellation
// signal: task::cancel() emits on it and Asio's own machinery delivers the
// cancellation to whatever operation the coroutine is suspended in. The completion
// handler only matters if the wrapper never ran (Asio throws operation_aborted
// instead of resuming a cancelled coroutine); it also clears the core's slot, which
// frees the two cancellation handlers co_spawn installed while they are still hot in
// Asio's per-thread recycling cache (the next task's co_spawn reuses them). The
// coroutine runs on a task_executor, so each of its steps is known to be this task's.
//
// Cost: until its turn a task holds the core and the launcher (besides the user's
// coroutine frame); the launcher is posted to the io_context directly, not through
// any_io_executor's type-erased function. co_spawn is called from the launcher, a
// handler of its own, so a body that finishes in its first step may complete
// co_spawn inline: task_body tells Asio so (at its end) instead of letting co_spawn
// post one more turn, and the task finishes within the turn it started in.
#ifndef CORIO_DETAIL_START_TASK_HPP
#define CORIO_DETAIL_START_TASK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/detail/task_registry.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/version.hpp>

#include <exception>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace corio::detail {

template <typename T>
awaitable<void> task_body(task_core_ptr<T> core, awaitable<T> body) {
  try {
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
  // co_spawn posts once more before calling its completion handler when the
  // coroutine never left its first step (a completion must not run inside the
  // initiating call). Here the caller is the launcher and the handler is
  // task_completion, so that turn buys nothing: mark the thread as having switched
  // context, as any suspension does. The flag lives in asio::detail
  // (co_spawn_entry_point, impl/co_spawn.hpp), checked against Asio 1.26; other
  // versions take the extra turn.
#if BOOST_ASIO_VERSION == 102600
  (co_await boost::asio::detail::awaitable_thread_has_context_switched{}) = true;
#endif
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
    // The coroutine is over: nothing can be cancelled any more (cancel() of a
    // finished task does nothing), and the handlers go back to Asio's cache.
    core->cancellation_slot().clear();
  }
};

// Runs on the task's first turn: starts the coroutine, or ends a task cancelled
// before that turn without running it.
template <typename T>
struct task_launcher {
  executor steps_on; // the task's task_executor
  task_core_ptr<T> core;
  awaitable<T> body;

  void operator()() {
    if (core->cancel_requested()) {
      core->finish_cancelled();
      return;
    }
    boost::asio::co_spawn(steps_on, task_body<T>(core, std::move(body)), task_completion<T>{core});
  }
};

/// Posts `function` to `loop`; straight to the io_context when that is what it
/// is, which saves any_io_executor's type-erased function (one allocation).
template <typename Function>
void post_to_loop(const executor& loop, Function&& function) {
  if (const auto* io_context_executor = loop.target<boost::asio::io_context::executor_type>())
    boost::asio::post(*io_context_executor, std::forward<Function>(function));
  else
    boost::asio::post(loop, std::forward<Function>(function));
}

/// Creates the task's core in `ex`'s registry and starts `body` on `ex`'s loop.
template <typename T>
task_core_ptr<T> start_task(const executor& ex, awaitable<T> body, std::string name,
                            std::source_location spawn_site) {
  const executor loop = loop_executor(ex);
  task_registry& registry = task_registry::of(loop);
  task_core_ptr<T> core(new task_core<T>(registry, std::move(name), spawn_site));
  post_to_loop(loop, task_launcher<T>{task_executor_for(loop, core->ref()), core, std::move(body)});
  if (registry.cancels_new_tasks())
    core->cancel(); // started during run()'s final drain: it never runs its body
  static_assert(std::is_void_v<typename boost::asio::associated_executor<
                    task_completion<T>, executor>::asio_associated_executor_is_unspecialised>);
  return core;
}

} // namespace corio::detail

#endif // CORIO_DETAIL_START_TASK_HPP
