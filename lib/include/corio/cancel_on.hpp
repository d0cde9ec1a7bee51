// corio/cancel_on.hpp - cancelling unrelated work together with a std::stop_token
// (tokio's CancellationToken, with the standard types).
//
//   std::stop_source stop;                              // e.g. one per client session
//   auto a = corio::spawn(reader(conn), "reader", stop.get_token());
//   auto n = co_await corio::cancel_on(stop.get_token(), fetch(url));
//   stop.request_stop();                                // from any thread
//
// co_await cancel_on(token, aw) runs aw in a cancel scope (cancel_scope.hpp) that a
// stop request cancels: aw is cancelled at its next suspension, cancel_on waits for
// it to end and throws cancelled_error ("corio::cancel_on: ... by a stop request"),
// unless aw caught the cancellation and returned a value, which is returned. A token
// that is already stopped cuts aw at its first suspension (aw still starts, as with a
// deadline in the past). spawn(aw, name, token) (task.hpp) is the task form: a stop
// request is task.cancel(). Child tokens: a std::stop_callback on the parent token
// that requests stop on the child's source.
//
// Nesting: aw sees the deadlines of the scopes around the awaiter (current_deadline()).
// Cancellation: cancelling the awaiter cancels aw, waits for it, and throws
// cancelled_error; nothing is left running when cancel_on returns.
// Thread-safety: await on a loop thread; request_stop() may come from any thread
// (the cancellation is posted to aw's loop). A stop request made once run() has
// begun its final drain is dropped: the drain cancels every task anyway.
// Non-guarantee: a stop request from another thread that races with cancel_on's start
// may cancel aw before its first step (aw then never runs; cancel_on still throws).
#ifndef CORIO_CANCEL_ON_HPP
#define CORIO_CANCEL_ON_HPP

#include <corio/awaitable.hpp>
#include <corio/cancel_scope.hpp>
#include <corio/detail/stop_link.hpp>

#include <boost/asio/this_coro.hpp>

#include <optional>
#include <stop_token>
#include <utility>

namespace corio {

/// Awaits `operation`; a stop request on `token` cancels it (cancelled_error).
template <awaitable_like A>
awaitable<awaitable_result_t<A>> cancel_on(std::stop_token token, A operation) {
  const auto scope = detail::make_scope("corio::cancel_on", "corio.cancel_on", "a stop request");
  // Already stopped: the scope's own cancel-before-run path cuts `operation` at its
  // first suspension (the link would post the cut ahead of the operation's start).
  if (token.stop_requested()) {
    scope->cancel();
    token = {};
  }
  const detail::stop_link link(std::move(token), co_await boost::asio::this_coro::executor,
                               [scope = scope.get()] { scope->cancel(); });
  co_return co_await detail::run_scoped<detail::scope_mode::fail>(
      scope, std::nullopt, detail::to_awaitable(std::move(operation)));
}

} // namespace corio

#endif // CORIO_CANCEL_ON_HPP
