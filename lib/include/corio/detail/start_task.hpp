// corio/detail/start_task.hpp - how a task is started: one task_core, one Asio
// thread of execution.
//
// Design: the user's awaitable runs inside a small wrapper coroutine (task_body)
// that stores the result or exception in the core, so the result never has to be
// default-constructible and finishes the task the moment the body ends. The
// wrapper is started with co_spawn, whose completion handler is bound to the
// core's cancellation signal: task::cancel() emits on it and Asio's own machinery
// delivers the cancellation to whatever operation the coroutine is suspended in.
// The completion handler only matters when the wrapper never ran (cancelled before
// its first step: Asio throws operation_aborted before resuming it).
#ifndef CORIO_DETAIL_START_TASK_HPP
#define CORIO_DETAIL_START_TASK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace corio::detail {

template <typename T>
awaitable<void> task_body(task_core_ptr<T> core, awaitable<T> body) {
  try {
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

template <typename T>
struct task_completion {
  task_core_ptr<T> core;
  void operator()(const std::exception_ptr& error) const {
    if (error && !core->done())
      core->finish_with_exception(error);
  }
};

/// Creates the task's core in `ex`'s registry and starts `body` on `ex`.
template <typename T>
task_core_ptr<T> start_task(const executor& ex, awaitable<T> body, std::string name,
                            std::source_location spawn_site) {
  task_core_ptr<T> core(new task_core<T>(task_registry::of(ex), std::move(name), spawn_site));
  boost::asio::co_spawn(
      ex, task_body<T>(core, std::move(body)),
      boost::asio::bind_cancellation_slot(core->cancellation_slot(), task_completion<T>{core}));
  return core;
}

} // namespace corio::detail

#endif // CORIO_DETAIL_START_TASK_HPP
