#include <corio/barrier.hpp>
#include <corio/errors.hpp>

#include <limits>
#include <stdexcept>

namespace corio {

namespace {
// The index abort() hands to a waiter: "the barrier broke".
constexpr std::size_t broken_index = std::numeric_limits<std::size_t>::max();
} // namespace

void barrier::throw_no_parties() {
  throw std::invalid_argument("corio::barrier: parties must be at least 1, got 0");
}

awaitable<std::size_t> barrier::wait() {
  binding_.check("corio::barrier::wait");
  if (broken_)
    throw broken_barrier();
  if (waiters_.size() + 1 == parties_) { // this task completes the round
    std::size_t index = 0;
    while (auto* waiter = waiters_.front()) {
      *waiter->payload = index++;
      waiters_.notify(*waiter);
    }
    co_return index;
  }
  std::size_t index = broken_index;
  auto [error] = co_await waiters_.async_wait(&index, detail::wait_token);
  detail::throw_if_cancelled(error);
  if (index == broken_index)
    throw broken_barrier();
  co_return index;
}

void barrier::abort() {
  binding_.check("corio::barrier::abort");
  broken_ = true;
  waiters_.notify_all(); // their index stays broken_index
}

} // namespace corio
