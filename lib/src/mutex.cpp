#include <corio/detail/primitive.hpp>
#include <corio/mutex.hpp>

#include <utility>

namespace corio {

awaitable<mutex::guard> mutex::lock() {
  permit_.check_loop("corio::mutex::lock");
  co_await permit_.acquire();
  co_return guard(*this);
}

mutex::guard mutex::try_lock() {
  permit_.check_loop("corio::mutex::try_lock");
  return permit_.try_acquire() ? guard(*this) : guard();
}

void mutex::unlock() {
  permit_.check_loop("corio::mutex::unlock");
  if (!permit_.release())
    detail::throw_logic_error("corio::mutex::unlock: the mutex is not locked");
}

mutex::guard::guard(guard&& other) noexcept
    : mutex_(std::exchange(other.mutex_, nullptr)), held_(std::move(other.held_)) {}

mutex::guard& mutex::guard::operator=(guard&& other) noexcept {
  if (this != &other) {
    guard old(std::move(*this));
    mutex_ = std::exchange(other.mutex_, nullptr);
    held_ = std::move(other.held_);
  }
  return *this;
}

void mutex::guard::unlock() {
  if (!held_.owns())
    detail::throw_logic_error("corio::mutex::guard::unlock: this guard does not own the lock");
  if (!held_.release())
    detail::throw_logic_error("corio::mutex::guard::unlock: the mutex was already unlocked by "
                              "hand (mutex::unlock()) behind the guard's back");
}

} // namespace corio
