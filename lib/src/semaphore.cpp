#include <corio/semaphore.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio {

awaitable<void> semaphore::acquire() {
  permits_.check_loop("corio::semaphore::acquire");
  return permits_.acquire();
}

awaitable<semaphore::permit> semaphore::acquire_permit() {
  permits_.check_loop("corio::semaphore::acquire_permit");
  co_await permits_.acquire();
  co_return permit(*this);
}

bool semaphore::try_acquire() {
  permits_.check_loop("corio::semaphore::try_acquire");
  return permits_.try_acquire();
}

void semaphore::release() {
  permits_.check_loop("corio::semaphore::release");
  if (!permits_.release())
    throw_over_release();
}

// A plain semaphore's bound is SIZE_MAX; a bounded one's is its initial value.
void semaphore::throw_over_release() const {
  if (permits_.bound() == detail::permits::unbounded)
    throw std::logic_error(fmt::format(
        "corio::semaphore::release: the count is already at its maximum, {}", permits_.bound()));
  throw std::logic_error(fmt::format("corio::bounded_semaphore::release: released more often "
                                     "than acquired (the count would exceed its initial value, {})",
                                     permits_.bound()));
}

void semaphore::permit::release() {
  if (held_.owns() && !held_.release())
    semaphore_->throw_over_release();
}

} // namespace corio
