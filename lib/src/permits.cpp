#include <corio/detail/permits.hpp>
#include <corio/detail/primitive.hpp>

namespace corio::detail {

bool permits::try_acquire() noexcept {
  if (count_ == 0)
    return false;
  --count_;
  return true;
}

awaitable<void> permits::acquire() {
  if (try_acquire())
    co_return;
  auto [error] = co_await waiters_.async_wait({}, wait_token);
  throw_if_cancelled(error);
}

awaitable<void> permits::acquire_ignoring_cancellation() {
  if (try_acquire())
    co_return;
  auto [error] = co_await waiters_.async_wait({}, wait_token, [] { return false; });
  throw_if_cancelled(error); // only when the list itself died with us on it
}

void permits::release(const char* over_release) {
  if (count_ >= bound_)
    throw_logic_error(over_release);
  if (!waiters_.notify_one())
    ++count_;
}

} // namespace corio::detail
