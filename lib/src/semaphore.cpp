#include <corio/log.hpp>
#include <corio/semaphore.hpp>

#include <exception>
#include <utility>

namespace corio {

awaitable<void> semaphore::acquire() {
  return permits_.acquire();
}

awaitable<semaphore::permit> semaphore::acquire_permit() {
  co_await permits_.acquire();
  co_return permit(*this);
}

void semaphore::release() {
  permits_.release("corio::bounded_semaphore::release: released more often than acquired");
}

semaphore::permit::permit(permit&& other) noexcept
    : semaphore_(std::exchange(other.semaphore_, nullptr)) {}

semaphore::permit& semaphore::permit::operator=(permit&& other) noexcept {
  if (this != &other) {
    permit old(std::move(*this));
    semaphore_ = std::exchange(other.semaphore_, nullptr);
  }
  return *this;
}

semaphore::permit::~permit() {
  if (semaphore_ == nullptr)
    return;
  try {
    release();
  } catch (const std::exception& e) {
    // Only when the user also released this permit by hand on a bounded semaphore.
    logger().error("corio::semaphore::permit: {}", e.what());
  }
}

void semaphore::permit::release() {
  if (semaphore_ != nullptr)
    std::exchange(semaphore_, nullptr)->release();
}

} // namespace corio
