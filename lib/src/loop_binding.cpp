#include <corio/detail/loop_binding.hpp>
#include <corio/detail/runtime.hpp>

#include <fmt/format.h>

#include <mutex>
#include <set>
#include <stdexcept>

namespace corio::detail {

namespace {

std::mutex& live_runtimes_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::set<std::uint64_t>& live_runtimes() {
  static std::set<std::uint64_t> serials;
  return serials;
}

bool runtime_is_alive(std::uint64_t serial) {
  std::lock_guard lock(live_runtimes_mutex());
  return live_runtimes().contains(serial);
}

} // namespace

void runtime_started(std::uint64_t serial) {
  std::lock_guard lock(live_runtimes_mutex());
  live_runtimes().insert(serial);
}

void runtime_ended(std::uint64_t serial) noexcept {
  std::lock_guard lock(live_runtimes_mutex());
  live_runtimes().erase(serial);
}

void loop_binding::bind_or_refuse(const char* operation, std::uint64_t here) const {
  constexpr std::uint64_t stride = loop_state::loop_key_stride;
  std::uint64_t bound = bound_.load(std::memory_order_relaxed);
  // Unbound, or bound to a runtime that has ended: (re)bind to the caller's loop.
  while (bound == 0 || (bound / stride != here / stride && !runtime_is_alive(bound / stride))) {
    if (bound_.compare_exchange_weak(bound, here, std::memory_order_relaxed))
      return;
    if (bound == here)
      return;
  }
  if (bound == here)
    return;
  if (bound / stride == here / stride)
    throw std::logic_error(fmt::format(
        "{}: used from a task of loop {}, but it belongs to loop {} (the loop that first used "
        "it); a queue, event, semaphore, mutex, condition_variable or task_group serves the tasks "
        "of one loop: between loops use corio::channel, spawn(loop, ...) or submit()",
        operation, here % stride, bound % stride));
  throw std::logic_error(
      fmt::format("{}: used from a task of loop {} of one corio::run(), but it belongs to loop {} "
                  "of another corio::run() that is still running on another thread; between "
                  "runtimes use corio::channel or submit()",
                  operation, here % stride, bound % stride));
}

} // namespace corio::detail
