// corio/shield.hpp - keeping cancellation out: shield(task) (asyncio.shield),
// and the cleanup scope of a cancelled task: enter_cleanup() + shielded(op).
//
//   co_await corio::shield(saver);        // if *we* are cancelled, saver keeps going
//
//   try { co_await work(); } catch (const corio::cancelled_error&) { cancelled = true; }
//   if (cancelled) {
//     co_await corio::enter_cleanup();           // suspensions stop throwing
//     co_await corio::shielded(flush_logs());    // runs to its end, whatever happens
//     throw corio::cancelled_error();
//   }
//
// shield(t): awaits t like `co_await t`, but a cancellation of the awaiting
// coroutine does not reach t: the awaiter stops waiting at once with
// cancelled_error and t runs on (keep a handle, or run() cancels it at the end).
//
// Cancellation is sticky in corio (Asio checks it at every co_await: each
// suspension of a cancelled task throws again), so cleanup that must suspend
// (flush, send a goodbye, close politely) needs a scope where it does not:
//  - enter_cleanup() turns Asio's check off for the rest of the task (it is
//    this_coro::throw_if_cancelled(false)); the task is on its way out.
//  - shielded(op) runs op as a child task that no cancellation reaches (not even a
//    second cancel() or run()'s final drain), waits for it, and restores the
//    caller's check setting. Before enter_cleanup() a cancelled task cannot even
//    start it: Asio throws at the co_await itself. In a task that is not cancelled,
//    shielded(op) protects op from a cancellation that arrives while it runs; the
//    cancellation then lands at the next suspension after it.
// Keep cleanup short and bounded: shielded(timeout(1s, op)) gives up after 1 s
// (the other way round, timeout cannot cancel what shielded protects).
//
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_SHIELD_HPP
#define CORIO_SHIELD_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/cancellation_checks.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/task.hpp>

#include <boost/asio/this_coro.hpp>

#include <utility>

namespace corio {

/// Opens the cleanup scope of a cancelled task: from here on its suspensions do
/// not throw for the cancellation. `co_await corio::enter_cleanup();`
inline auto enter_cleanup() noexcept {
  return boost::asio::this_coro::throw_if_cancelled(false);
}

/// Awaits `t` without letting the awaiter's cancellation reach it.
template <typename T>
detail::join_op<T> shield(const task<T>& t) {
  return detail::join_op<T>(detail::task_access::core(t), detail::join_mode::abandon);
}

/// Runs `operation` to its end even when the calling task has been cancelled.
template <awaitable_like A>
awaitable<awaitable_result_t<A>> shielded(A operation) {
  auto ex = co_await boost::asio::this_coro::executor;
  auto child = detail::start_task(ex, detail::to_awaitable(std::move(operation)), "corio.shielded",
                                  std::source_location::current());
  auto outcome = co_await detail::without_cancellation_checks(
      detail::join_capturing(child, detail::join_mode::ignore));
  co_return std::move(outcome).get();
}

} // namespace corio

#endif // CORIO_SHIELD_HPP
