#include <corio/detail/primitive.hpp>
#include <corio/mutex.hpp>

#include <utility>

namespace corio {

awaitable<mutex::guard> mutex::lock() {
  co_await permit_.acquire();
  co_return guard(*this);
}

mutex::guard mutex::try_lock() noexcept {
  return permit_.try_acquire() ? guard(*this) : guard();
}

void mutex::unlock() {
  permit_.release("corio::mutex::unlock: the mutex is not locked");
}

mutex::guard::guard(guard&& other) noexcept
    : mutex_(std::exchange(other.mutex_, nullptr)), owns_(std::exchange(other.owns_, false)) {}

mutex::guard& mutex::guard::operator=(guard&& other) noexcept {
  if (this != &other) {
    guard old(std::move(*this));
    mutex_ = std::exchange(other.mutex_, nullptr);
    owns_ = std::exchange(other.owns_, false);
  }
  return *this;
}

mutex::guard::~guard() {
  // Skipped if someone unlocked the mutex by hand behind the guard's back: a
  // destructor must not throw.
  if (owns_ && mutex_->locked())
    mutex_->unlock();
}

void mutex::guard::unlock() {
  if (!owns_)
    detail::throw_logic_error("corio::mutex::guard::unlock: this guard does not own the lock");
  owns_ = false;
  mutex_->unlock();
}

} // namespace corio
