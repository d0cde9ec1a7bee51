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
// Nesting and deadlines: timeout() is a cancel scope (cancel_scope.hpp, which also
// has timeout_at() and move_on_after()): the operation sees its deadline in
// current_deadline(), and nested timeouts follow the scope rules written there.
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_TIMEOUT_HPP
#define CORIO_TIMEOUT_HPP

#include <corio/awaitable.hpp>
#include <corio/cancel_scope.hpp>
#include <corio/detail/duration.hpp>

#include <chrono>
#include <utility>

namespace corio {

/// Awaits `operation` for at most `limit`; throws timeout_error when the limit
/// passes first (after the operation has been cancelled and has ended).
template <typename Rep, typename Period, awaitable_like A>
awaitable<awaitable_result_t<A>> timeout(std::chrono::duration<Rep, Period> limit, A operation) {
  return detail::run_scoped<detail::scope_mode::fail>(
      detail::make_scope("corio::timeout", "corio.timeout"), detail::check_duration(limit),
      detail::to_awaitable(std::move(operation)));
}

} // namespace corio

#endif // CORIO_TIMEOUT_HPP
