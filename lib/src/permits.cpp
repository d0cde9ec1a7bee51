#include <corio/detail/permits.hpp>
#include <corio/detail/primitive.hpp>
#include <corio/log.hpp>

#include <utility>

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

bool permits::release() noexcept {
  if (count_ >= bound_)
    return false;
  if (!waiters_.notify_one())
    ++count_;
  return true;
}

held_permit::held_permit(held_permit&& other) noexcept
    : source_(std::exchange(other.source_, nullptr)), owner_(other.owner_) {}

held_permit& held_permit::operator=(held_permit&& other) noexcept {
  if (this != &other) {
    held_permit old(std::move(*this));
    source_ = std::exchange(other.source_, nullptr);
    owner_ = other.owner_;
  }
  return *this;
}

held_permit::~held_permit() {
  if (source_ != nullptr && !release())
    logger().error("{}: destroyed after its permit was given back by hand behind its back "
                   "(unlock() / release() on the primitive itself); not giving it back twice",
                   owner_);
}

bool held_permit::release() noexcept {
  return std::exchange(source_, nullptr)->release();
}

} // namespace corio::detail
