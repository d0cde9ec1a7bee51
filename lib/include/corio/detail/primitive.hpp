// corio/detail/primitive.hpp - what every primitive built on detail::waiter_list
// shares (queue, event, semaphore, mutex, condition_variable); sleep() uses the
// same cancellation conversion.
//
// Design: a primitive's suspending operation checks its state, returns at once when
// it can, and otherwise waits once on a waiter_list. Most are coroutines:
//
//   auto [error] = co_await list.async_wait(payload, detail::wait_token);
//   detail::throw_if_cancelled(error);   // operation_aborted -> cancelled_error
//
// The queue's get() and put() are the same steps as a list_operation policy
// (list_operation.hpp), awaited in the caller's frame without a coroutine of their own.
//
// Whatever a waiter is woken for (an item, a permit) is handed over by the waker
// before the notify, so the waiter never re-checks and nothing can overtake it
// (FIFO fairness). A waiter cancelled before its hand-off is unlinked by the list and
// got nothing; one cancelled after it completes normally with what it was handed.
//
// Invariants kept by every primitive: a list has waiters only while what they wait
// for is unavailable (an empty queue has getters, a semaphore at zero has waiters).
//
// Thread-safety: none; one loop thread.
#ifndef CORIO_DETAIL_PRIMITIVE_HPP
#define CORIO_DETAIL_PRIMITIVE_HPP

#include <corio/awaitable.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <concepts>
#include <cstddef>
#include <utility>

namespace corio::detail {

/// The token primitives wait with: the error code arrives as a value, not thrown.
inline constexpr auto wait_token = boost::asio::as_tuple(boost::asio::use_awaitable_t<executor>());

[[noreturn]] void throw_cancelled();
[[noreturn]] void throw_logic_error(const char* what);
[[noreturn]] void throw_bad_count(const char* function, long long value);

/// A cancelled (or abandoned) wait surfaces as cancelled_error, like sleep().
inline void throw_if_cancelled(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted)
    throw_cancelled();
}

/// A count given by the user (queue maxsize, semaphore value) as a size_t;
/// negative values (or values beyond size_t) are std::invalid_argument naming
/// `function`, instead of silently wrapping to a huge unsigned value.
template <std::integral Int>
std::size_t checked_count(Int value, const char* function) {
  if (!std::in_range<std::size_t>(value))
    throw_bad_count(function, static_cast<long long>(value));
  return static_cast<std::size_t>(value);
}

} // namespace corio::detail

#endif // CORIO_DETAIL_PRIMITIVE_HPP
