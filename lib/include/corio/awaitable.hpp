// corio/awaitable.hpp - the coroutine type every corio operation returns.
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
// Thread-safety: as Asio's; a coroutine runs on the thread that runs its executor.
// Cancellation: an awaitable has no cancellation of its own; it is cancelled
// through the task (or Asio thread of execution) that runs it.
#ifndef CORIO_AWAITABLE_HPP
#define CORIO_AWAITABLE_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace corio {

/// The executor every corio coroutine and task runs on.
using executor = boost::asio::any_io_executor;

/// A coroutine returning T: `async def f() -> T` in asyncio.
template <typename T = void>
using awaitable = boost::asio::awaitable<T, executor>;

} // namespace corio

#endif // CORIO_AWAITABLE_HPP
