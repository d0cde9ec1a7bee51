#include <corio/condition_variable.hpp>
#include <corio/detail/cancellation_checks.hpp>
#include <corio/detail/primitive.hpp>

#include <exception>

namespace corio {

awaitable<void> condition_variable::wait(mutex::guard& lock) {
  binding_.check("corio::condition_variable::wait");
  if (!lock.owns_lock())
    detail::throw_logic_error("corio::condition_variable::wait: the guard does not own a lock");
  // Re-lock whatever happens: suspensions must not throw for the cancellation.
  co_await detail::without_cancellation_checks(wait_and_relock(lock));
}

awaitable<void> condition_variable::wait_and_relock(mutex::guard& lock) {
  lock.unlock();

  std::exception_ptr error; // a cancellation, kept until the mutex is locked again
  try {
    auto [code] = co_await waiters_.async_wait({}, detail::wait_token);
    detail::throw_if_cancelled(code);
  } catch (...) {
    error = std::current_exception();
  }
  co_await lock.mutex_->permit_.acquire_ignoring_cancellation();
  lock = mutex::guard(*lock.mutex_);
  if (error)
    std::rethrow_exception(error);
}

} // namespace corio
