// corio/barrier.hpp - a meeting point for a fixed number of tasks (asyncio.Barrier,
// std::barrier): each waits until `parties` tasks have arrived, then all go on.
//
//   corio::barrier ready(3);                      // three workers start together
//   corio::awaitable<void> worker() {
//     co_await load();
//     std::size_t index = co_await ready.wait();  // 0, 1 or 2
//   }
//
// wait() returns once `parties` tasks are waiting, then the barrier is ready for the
// next round at once (it is cyclic: no "draining" phase, since every waiter of a
// round is served before anyone can arrive for the next one). It returns the
// task's index in its round: the tasks of a round get 0 .. parties-1, in the order
// they arrived; the one that completes the round gets parties-1 and does not
// suspend. (asyncio numbers arrivals as they come, so a waiter cancelled before the
// round completes can leave two tasks with the same index; here indices are
// assigned when the round completes, so they are always distinct.)
// abort() breaks the barrier: every waiter, and every later wait(), throws
// corio::broken_barrier (errors.hpp); abort() again does nothing. parties == 0 (or
// negative) is std::invalid_argument.
//
// Where a waiter resumes: on a later turn of the loop (posted), never inside the
// wait() that completed the round or inside abort().
//
// Cancellation: wait() cancelled while the round is filling throws cancelled_error
// and leaves the round (waiting() drops by one; the round then needs one more
// arrival, as asyncio's does). Cancelled after its round completed, wait() returns
// its index normally; the cancellation lands at the next suspension. Destroying a
// barrier with waiters wakes them with cancelled_error.
// Thread-safety: none; loop thread only. With several loops, a barrier binds to the
// loop that first uses it; wait() or abort() from a task of another loop throws
// std::logic_error naming both loops.
#ifndef CORIO_BARRIER_HPP
#define CORIO_BARRIER_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/primitive.hpp>
#include <corio/detail/waiter_list.hpp>

#include <concepts>
#include <cstddef>

namespace corio {

class barrier {
public:
  /// A barrier for `parties` tasks (at least 1).
  template <std::integral Int>
  explicit barrier(Int parties) : parties_(checked_parties(parties)) {}
  barrier(const barrier&) = delete;
  barrier& operator=(const barrier&) = delete;
  ~barrier() = default;

  /// Waits until `parties` tasks wait; returns this task's index in its round.
  awaitable<std::size_t> wait();
  /// Breaks the barrier: waiters and later wait() calls throw broken_barrier.
  void abort();

  std::size_t parties() const noexcept { return parties_; }
  /// How many tasks wait in the current round (asyncio's n_waiting).
  std::size_t waiting() const noexcept { return waiters_.size(); }
  bool broken() const noexcept { return broken_; }

private:
  template <std::integral Int>
  static std::size_t checked_parties(Int parties) {
    const std::size_t count = detail::checked_count(parties, "corio::barrier");
    if (count == 0)
      throw_no_parties();
    return count;
  }
  [[noreturn]] static void throw_no_parties();

  std::size_t parties_;
  bool broken_ = false;
  // Each waiter's payload points at its index, written when its round completes.
  detail::waiter_list<std::size_t*> waiters_{"barrier wait"};
  detail::loop_binding binding_;
};

} // namespace corio

#endif // CORIO_BARRIER_HPP
