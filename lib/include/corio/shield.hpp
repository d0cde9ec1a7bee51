// corio/shield.hpp - keeping cancellation out: shield(task) (asyncio.shield) and
// shielded(awaitable), the cleanup scope of a cancelled task.
//
//   co_await corio::shield(saver);        // if *we* are cancelled, saver keeps going
//
//   bool cancelled = false;
//   try { co_await work(); } catch (const corio::cancelled_error&) { cancelled = true; }
//   if (cancelled) { co_await corio::shielded(flush_logs()); throw corio::cancelled_error(); }
//
// shield(t): awaits t like `co_await t`, but a cancellation of the awaiting
// coroutine does not reach t: the awaiter stops waiting at once with
// cancelled_error and t runs on (keep a handle, or run() cancels it at the end).
//
// shielded(op): runs op to its end even though the calling task has been
// cancelled. Cancellation is sticky in corio (every suspension of a cancelled
// task throws again), so cleanup that must suspend (flush, send a goodbye, close
// politely) goes inside shielded(). op runs as a child task that cancellation does
// not reach; the caller stays cancelled afterwards, so its next suspension
// outside shielded() throws again. Use it for short cleanup, not to ignore
// cancellation: a timeout() around the cleanup keeps it bounded.
//
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_SHIELD_HPP
#define CORIO_SHIELD_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/task.hpp>

#include <boost/asio/this_coro.hpp>

#include <utility>

namespace corio {

/// Awaits `t` without letting the awaiter's cancellation reach it.
template <typename T>
detail::join_op<T> shield(const task<T>& t) {
  return detail::join_op<T>(detail::task_access::core(t), detail::join_mode::abandon);
}

/// Runs `operation` to its end even when the calling task has been cancelled.
template <typename T>
awaitable<T> shielded(awaitable<T> operation) {
  namespace this_coro = boost::asio::this_coro;
  auto ex = co_await this_coro::executor;
  const bool throws_if_cancelled = co_await this_coro::throw_if_cancelled();
  co_await this_coro::throw_if_cancelled(false);
  auto child = detail::start_task(ex, std::move(operation), "corio.shielded",
                                  std::source_location::current());
  auto outcome = co_await detail::join_capturing(child, detail::join_mode::ignore);
  co_await this_coro::throw_if_cancelled(throws_if_cancelled);
  co_return std::move(outcome).get();
}

} // namespace corio

#endif // CORIO_SHIELD_HPP
