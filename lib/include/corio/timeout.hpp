// corio/timeout.hpp - a deadline around any awaitable (asyncio.timeout / wait_for).
//
//   try {
//     auto page = co_await corio::timeout(2s, fetch(url));
//   } catch (const corio::timeout_error& e) {
//     fmt::print("gave up: {}\n", e.what());
//   }
//
// The operation runs as a child task. When the deadline passes first, the child
// is cancelled, timeout() waits until it has actually ended, and only then throws
// timeout_error, so whatever the operation held is released when the exception
// arrives. timeout_error is thrown only for this timeout's own deadline: if the
// child ends by itself (a value or its own exception, including an inner timeout
// or a cancellation it caught and turned into a value), that is what you get.
//
// Durations: negative or NaN is std::invalid_argument, thrown when awaited (where
// timeout_error would be; timeout() itself never throws) and before the operation
// starts; huge ones saturate. A zero duration (or one that has passed before the
// timer is set) still starts the operation; it is cancelled at its first
// suspension, so one that finishes without suspending returns its value, and one
// that suspends even once (yield_now()) gets timeout_error, as asyncio.timeout(0).
//
// Cancellation: cancelling the awaiting coroutine cancels the operation, waits for
// it to end, and throws cancelled_error (not timeout_error), unless the operation
// swallowed the cancellation and returned a value: then that value is returned
// (the awaiter's cancellation stays requested). Nothing is left
// running. Non-guarantee: an operation that completes in the same turn as the
// deadline may either win or be cancelled.
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_TIMEOUT_HPP
#define CORIO_TIMEOUT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/duration.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/errors.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <utility>

namespace corio {

namespace detail {

[[noreturn]] void throw_timeout(std::chrono::steady_clock::duration limit);

template <typename T>
awaitable<T> timeout_after(duration_check checked_limit, awaitable<T> operation) {
  checked_limit.throw_if_invalid("corio::timeout");
  const std::chrono::steady_clock::duration limit = checked_limit.value;
  auto outer_cancellation = co_await boost::asio::this_coro::cancellation_state;
  auto ex = co_await boost::asio::this_coro::executor;
  const auto started = std::chrono::steady_clock::now();
  auto child =
      start_task(ex, std::move(operation), "corio.timeout", std::source_location::current());
  boost::asio::steady_timer timer(ex);
  if (std::chrono::steady_clock::now() - started >= limit) {
    // The deadline has passed already. An expired timer's handler waits for the
    // reactor, which may run only after the child's second step (a yield_now()
    // would then escape its timeout), so the cancellation is posted instead: it runs
    // right after the child's first step, whose launcher was posted just before.
    post_to_loop(loop_executor(ex), [child] { child->cancel_for_deadline(); });
  } else {
    timer.expires_after(limit);
    timer.async_wait([child](boost::system::error_code ec) {
      if (!ec)
        child->cancel_for_deadline();
    });
  }
  join_outcome<T> outcome = co_await join_capturing(child, join_mode::propagate);
  timer.cancel();
  if (outcome.error && child->deadline_expired() && child->state() == task_state::cancelled &&
      outer_cancellation.cancelled() == boost::asio::cancellation_type::none)
    throw_timeout(limit);
  co_return std::move(outcome).get();
}

} // namespace detail

/// Awaits `operation` for at most `limit`; throws timeout_error when the limit
/// passes first (after the operation has been cancelled and has ended).
template <typename T, typename Rep, typename Period>
awaitable<T> timeout(std::chrono::duration<Rep, Period> limit, awaitable<T> operation) {
  return detail::timeout_after(detail::check_duration(limit), std::move(operation));
}

} // namespace corio

#endif // CORIO_TIMEOUT_HPP
