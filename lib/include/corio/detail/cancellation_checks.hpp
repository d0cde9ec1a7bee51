// corio/detail/cancellation_checks.hpp - running one wait of a coroutine with Asio's
// sticky cancellation check off.
//
// Design: once a task is cancelled, Asio throws operation_aborted at every co_await
// of an operation (this_coro::throw_if_cancelled, on by default), so a cancelled
// coroutine cannot wait for anything. corio's own code sometimes must: shielded()
// joins its child, a child_set waits for its cancelled children, a
// condition_variable re-locks its mutex. Each wraps that wait in
// without_cancellation_checks(work), the one place that turns the check off and
// restores the caller's setting afterwards, whether `work` returns or throws.
//
// The co_await of the wrapper itself is still checked: use it where the task is not
// cancelled yet (or where the caller already turned the check off), and let `work`
// do everything that may happen after a cancellation.
//
// Thread-safety: a coroutine on the loop thread.
#ifndef CORIO_DETAIL_CANCELLATION_CHECKS_HPP
#define CORIO_DETAIL_CANCELLATION_CHECKS_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/result_of.hpp>

#include <boost/asio/this_coro.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace corio::detail {

/// Awaits `work` with this_coro::throw_if_cancelled(false), then restores the setting.
template <typename T>
awaitable<T> without_cancellation_checks(awaitable<T> work) {
  namespace this_coro = boost::asio::this_coro;
  const bool throws_if_cancelled = co_await this_coro::throw_if_cancelled();
  co_await this_coro::throw_if_cancelled(false);
  std::exception_ptr error;
  std::optional<result_of<T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(work);
      value.emplace();
    } else {
      value.emplace(co_await std::move(work));
    }
  } catch (...) {
    error = std::current_exception();
  }
  co_await this_coro::throw_if_cancelled(throws_if_cancelled);
  if (error)
    std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>)
    co_return std::move(*value);
}

} // namespace corio::detail

#endif // CORIO_DETAIL_CANCELLATION_CHECKS_HPP
