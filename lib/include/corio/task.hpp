// corio/task.hpp - tasks: coroutines running concurrently on the loop, with a
// handle to await, cancel and inspect them (asyncio.create_task / asyncio.Task).
//
//   corio::task<void> spinner = corio::spawn(spin("thinking!"));   // create_task
//   std::cout << spinner;                // <Task pending name='Task-2'>
//   int result = co_await slow();        // spinner runs while we wait
//   spinner.cancel();                    // cancelled_error lands in spin()
//   co_await corio::shield(spinner);     // or: co_await spinner;
//
// spawn() starts the coroutine at once (its first step runs on a later turn of
// the loop) and never suspends the caller. The handle is a cheap reference:
// copies share the task; dropping every handle detaches it (the loop owns the
// coroutine until it ends, and run() cancels whatever is left when main ends).
//
// co_await t: returns t's result (a copy; for a move-only T the first awaiter
// takes it and later ones get std::logic_error), or rethrows t's exception, or
// throws cancelled_error when t was cancelled. Any number of coroutines may await
// a task, before or after it ends; the awaiter resumes on a later turn of the
// loop, never inside the call that finished the task. t works with any Asio
// completion token too: t(asio::use_future), t(callback), t(asio::deferred).
// A T awaited this way must be default-constructible (an Asio rule).
//
// Cancellation: t.cancel() is a request that lands at t's current or next
// suspension point as cancelled_error (a raw Asio operation throws
// system_error(operation_aborted), same meaning). It is sticky: every later
// suspension in t throws again, except inside shielded(). If the exception
// escapes, t ends cancelled; if t catches it and returns, t ends done with its
// value. cancel() on a finished task returns false and does nothing.
// Cancelling a coroutine that is inside `co_await t` cancels t too, and the
// awaiter then waits for t to end; use shield(t) to stop waiting instead.
// spawn(body, name, stop_token) also cancels t on a stop request, from any thread
// (cancel_on.hpp).
//
// A task that fails while nobody awaits it logs "Task exception was never
// retrieved" with its name, the exception and where it was spawned, when the
// last handle goes.
//
// Thread-safety: a task and its handles belong to the loop thread; from other
// threads go through asio::post or submit().
#ifndef CORIO_TASK_HPP
#define CORIO_TASK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/stop_link.hpp>
#include <corio/detail/task_core.hpp>

#include <boost/asio/this_coro.hpp>

#include <ostream>
#include <source_location>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>

namespace corio {

namespace detail {
struct task_access;
[[noreturn]] void throw_empty_task();
[[noreturn]] void throw_result_pending(const task_core_base& core);
executor current_executor(const char* function);
} // namespace detail

/// A handle to a running coroutine producing T.
template <typename T = void>
class task {
public:
  using result_type = T;

  /// An empty handle; valid() is false.
  task() noexcept = default;

  bool valid() const noexcept { return core_ != nullptr; }
  /// The name given to spawn(), or "Task-N" (numbered per loop, from 1 = main).
  std::string name() const { return core().name(); }
  task_state state() const { return core().state(); }
  /// True once the task has finished: done, failed or cancelled.
  bool done() const { return core().done(); }
  bool cancelled() const { return state() == task_state::cancelled; }

  /// Requests cancellation; false when the task has already finished.
  bool cancel() const { return core().cancel(); }

  /// Waits for the task with any Asio completion token; completes with
  /// void(std::exception_ptr) (null when done). `co_await t` uses it and then
  /// returns result().
  template <boost::asio::completion_token_for<detail::join_signature> CompletionToken>
  auto operator()(CompletionToken&& token) const {
    return detail::join_wait<T>(checked_core(),
                                detail::join_mode::propagate)(std::forward<CompletionToken>(token));
  }

  /// The result of a finished task (asyncio's Task.result()): its value (a copy;
  /// a move-only value can be taken once), or rethrows its exception, or throws
  /// cancelled_error. Throws std::logic_error while the task is pending.
  T result() const {
    auto& finished = core();
    if (!finished.done())
      detail::throw_result_pending(finished);
    if (std::exception_ptr error = finished.retrieve_exception())
      std::rethrow_exception(error);
    return finished.take_value();
  }

  /// asyncio's repr: <Task pending name='Task-1'>, <Task failed name='x' exception='...'>.
  friend std::ostream& operator<<(std::ostream& out, const task& t) {
    return detail::task_core_base::print(out, t.core_.get());
  }

private:
  friend struct detail::task_access;
  explicit task(detail::task_core_ptr<T> core) noexcept : core_(std::move(core)) {}

  const detail::task_core_ptr<T>& checked_core() const {
    if (!core_)
      detail::throw_empty_task();
    return core_;
  }
  detail::task_core<T>& core() const { return *checked_core(); }

  detail::task_core_ptr<T> core_;
};

namespace detail {
/// corio's own access to a handle's core (run, shield, timeout).
struct task_access {
  template <typename T>
  static const task_core_ptr<T>& core(const task<T>& t) {
    return t.checked_core();
  }
  template <typename T>
  static task<T> make(task_core_ptr<T> core) noexcept {
    return task<T>(std::move(core));
  }
};
} // namespace detail

/// Starts `body` (an awaitable or an awaitable operation, awaitable.hpp) as a task
/// on `ex` (asyncio.create_task with an explicit loop). An empty name gives
/// "Task-N". `spawn_site` is captured for error reports.
template <awaitable_like A, typename T = awaitable_result_t<A>>
task<T> spawn(const executor& ex, A body, std::string name = {},
              std::source_location spawn_site = std::source_location::current()) {
  return detail::task_access::make(
      detail::start_task(ex, detail::to_awaitable(std::move(body)), std::move(name), spawn_site));
}

/// Starts `body` as a task on the loop running on this thread (inside run()).
/// Throws std::logic_error when this thread runs no corio loop.
template <awaitable_like A, typename T = awaitable_result_t<A>>
task<T> spawn(A body, std::string name = {},
              std::source_location spawn_site = std::source_location::current()) {
  return spawn(detail::current_executor("corio::spawn"), std::move(body), std::move(name),
               spawn_site);
}

namespace detail {
/// The body of spawn(body, name, token): while it runs, a stop request on `token`
/// cancels the task it runs in (stop_link.hpp).
template <typename T>
awaitable<T> stop_linked(std::stop_token token, awaitable<T> body) {
  const stop_link link(std::move(token), co_await boost::asio::this_coro::executor,
                       [task = running_task()] { task->cancel(); });
  co_return co_await std::move(body);
}
} // namespace detail

/// spawn(body, name) whose task a stop request on `token` cancels, like
/// task.cancel(), from any thread (cancel_on.hpp). With a token already stopped the
/// body starts and is cancelled at its first suspension.
template <awaitable_like A, typename T = awaitable_result_t<A>>
task<T> spawn(A body, std::string name, std::stop_token token,
              std::source_location spawn_site = std::source_location::current()) {
  return spawn(detail::stop_linked(std::move(token), detail::to_awaitable(std::move(body))),
               std::move(name), spawn_site);
}

} // namespace corio

namespace boost::asio::detail {

// `co_await t` takes a task lvalue and resumes with its value. Asio 1.26's
// awaitable accepts an async operation only as an rvalue (it binds it to Op&&), so
// this specialization of its awaiter builds a join operation of its own.
template <typename Signature, typename T, typename Executor>
class awaitable_async_op<Signature, corio::task<T>, Executor>
    : public corio::detail::join_awaiter<T, Executor> {
public:
  awaitable_async_op(const corio::task<T>& t, awaitable_frame_base<Executor>* frame)
      : corio::detail::join_awaiter<T, Executor>(
            corio::detail::join_wait<T>(corio::detail::task_access::core(t),
                                        corio::detail::join_mode::propagate),
            frame) {}
};

} // namespace boost::asio::detail

#endif // CORIO_TASK_HPP
