#include <corio/condition_variable.hpp>
#include <corio/detail/primitive.hpp>

#include <boost/asio/this_coro.hpp>

#include <exception>

namespace corio {

awaitable<void> condition_variable::wait(mutex::guard& lock) {
  namespace this_coro = boost::asio::this_coro;
  if (!lock.owns_lock())
    detail::throw_logic_error("corio::condition_variable::wait: the guard does not own a lock");
  lock.unlock();

  std::exception_ptr error; // a cancellation, kept until the mutex is locked again
  try {
    auto [code] = co_await waiters_.async_wait({}, detail::wait_token);
    detail::throw_if_cancelled(code);
  } catch (...) {
    // Asio's sticky check throws at the co_await itself in a cancelled task.
    error = std::current_exception();
  }

  // Re-lock whatever happened: suspensions must not throw for the cancellation here.
  const bool throws_if_cancelled = co_await this_coro::throw_if_cancelled();
  co_await this_coro::throw_if_cancelled(false);
  co_await lock.mutex_->permit_.acquire_ignoring_cancellation();
  lock = mutex::guard(*lock.mutex_);
  co_await this_coro::throw_if_cancelled(throws_if_cancelled);
  if (error)
    std::rethrow_exception(error);
}

} // namespace corio
