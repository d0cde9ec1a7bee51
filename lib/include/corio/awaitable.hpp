// corio/awaitable.hpp - the coroutine type every corio operation returns, and
// the protocol by which corio's combinators also take awaitable operations.
//
// A corio coroutine IS a Boost.Asio coroutine: `corio::awaitable<T>` is an alias
// of `boost::asio::awaitable<T>` on `any_io_executor`, so user coroutines, Asio's
// own operations (sockets, timers, Beast) and corio's primitives compose freely.
//
//   corio::awaitable<int> slow() {
//     co_await corio::sleep(std::chrono::seconds(3));
//     co_return 42;
//   }
//
// Awaitable operations: some corio operations (sleep()) return a light object that
// `co_await` awaits without a coroutine frame of its own, rather than an
// awaitable<T>. Such a type A is an *awaitable operation* when it has a public
// member type `awaitable_type` that is some corio::awaitable<T>, and an rvalue of A
// converts to it: `static_cast<typename A::awaitable_type>(std::move(a))`. The
// conversion is where the coroutine gets built, so corio converts only where it
// needs a coroutine object (to run the operation as a task). Every corio function
// that takes "an awaitable" (spawn, submit, run, task_group::spawn, timeout,
// timeout_at, move_on_after/at, cancel_scope::run/move_on, shielded, cancel_on,
// gather, race, map_concurrent's fn, with_task_group's body) accepts any
// `awaitable_like` type, by value: an awaitable<T> (passed on as it is) or an
// awaitable operation (converted). Anything else fails that function's
// `awaitable_like` constraint at the call.
//
//   struct answer { using awaitable_type = corio::awaitable<int>;
//                   operator corio::awaitable<int>() && { return compute(); } };
//   int n = co_await corio::timeout(1s, answer{});
//
// Thread-safety: as Asio's; a coroutine runs on the thread that runs its executor.
// Cancellation: an awaitable has no cancellation of its own; it is cancelled
// through the task (or Asio thread of execution) that runs it. An awaitable
// operation is cancelled the same way once converted and running.
#ifndef CORIO_AWAITABLE_HPP
#define CORIO_AWAITABLE_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <type_traits>
#include <utility>

namespace corio {

/// The executor every corio coroutine and task runs on.
using executor = boost::asio::any_io_executor;

/// A coroutine returning T: `async def f() -> T` in asyncio.
template <typename T = void>
using awaitable = boost::asio::awaitable<T, executor>;

namespace detail {
template <typename A>
inline constexpr bool is_awaitable = false;
template <typename T>
inline constexpr bool is_awaitable<awaitable<T>> = true;
} // namespace detail

/// A type with `awaitable_type` (some corio::awaitable<T>) that an rvalue of it
/// converts to: sleep()'s result, for one.
template <typename A>
concept awaitable_operation = detail::is_awaitable<typename A::awaitable_type> &&
    requires(A&& operation) {
  static_cast<typename A::awaitable_type>(std::move(operation));
};

/// What corio's combinators accept: a corio::awaitable<T> or an awaitable operation.
template <typename A>
concept awaitable_like =
    detail::is_awaitable<std::remove_cvref_t<A>> || awaitable_operation<std::remove_cvref_t<A>>;

namespace detail {
/// The awaitable<T> an awaitable_like type stands for.
template <typename A>
struct awaitable_of {
  using type = A;
};
template <awaitable_operation A>
struct awaitable_of<A> {
  using type = typename A::awaitable_type;
};
} // namespace detail

/// The T that an awaitable_like A produces.
template <awaitable_like A>
using awaitable_result_t = typename detail::awaitable_of<std::remove_cvref_t<A>>::type::value_type;

namespace detail {
/// The awaitable<T> of an rvalue awaitable_like: an awaitable is passed on as the
/// same rvalue (no move, no frame); an operation is converted (its coroutine built).
template <awaitable_like A>
requires(!std::is_lvalue_reference_v<A>) decltype(auto) to_awaitable(A&& operation) {
  if constexpr (is_awaitable<std::remove_cv_t<A>>)
    return std::forward<A>(operation); // A&&: A is never an lvalue reference here
  else
    return static_cast<typename awaitable_of<std::remove_cv_t<A>>::type>(
        std::forward<A>(operation));
}
} // namespace detail

} // namespace corio

#endif // CORIO_AWAITABLE_HPP
