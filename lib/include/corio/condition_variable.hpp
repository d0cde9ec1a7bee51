// corio/condition_variable.hpp - waiting for a condition on state guarded by a
// corio::mutex (asyncio.Condition, with the mutex passed to wait()).
//
//   auto lock = co_await m.lock();
//   co_await ready.wait(lock, [&] { return !jobs.empty(); });   // lock held again
//   auto job = take(jobs);
//   // elsewhere, under the same mutex: jobs.push_back(j); ready.notify_one();
//
// wait(lock) unlocks the guard's mutex, waits for a notify, and locks it again
// before returning. wait(lock, pred) loops `while (!pred()) co_await wait(lock);`,
// so spurious-looking wake-ups (another task got there first) are handled. The
// guard must own its lock (std::logic_error otherwise). notify_one() wakes the
// oldest waiter, notify_all() all of them; notifying nobody is a no-op. One
// condition_variable may be used with several mutexes (unlike asyncio.Condition).
//
// Fairness: waiters are woken in the order they started waiting; the woken ones then
// queue for the mutex in that order (FIFO, behind any task already waiting for it).
//
// Where a waiter resumes: on a later turn of the loop (posted), never inside
// notify_*(); after the mutex is locked again.
//
// Cancellation: wait() always returns or throws with the mutex locked again by the
// guard, like std::condition_variable. Cancelled while waiting for a notify, it
// leaves the wait list (the cancelled waiter never consumes a notify_one()),
// re-locks the mutex (waiting for it if needed, without letting the cancellation
// interrupt that), then throws cancelled_error. Cancelled after its notify, or while
// re-locking, it returns normally and the cancellation lands at the next
// suspension. In a task already cancelled, co_await wait() throws at the co_await
// itself (Asio's sticky check) and the lock stays held.
// Non-guarantee: re-locking may take as long as other holders keep the mutex.
// Thread-safety: none; use it from coroutines on the loop thread only.
// With several loops it binds to the loop that first uses it; an operation from a
// task of another loop throws std::logic_error naming both loops.
#ifndef CORIO_CONDITION_VARIABLE_HPP
#define CORIO_CONDITION_VARIABLE_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/waiter_list.hpp>
#include <corio/mutex.hpp>

#include <cstddef>
#include <utility>

namespace corio {

class condition_variable {
public:
  condition_variable() noexcept = default;
  condition_variable(const condition_variable&) = delete;
  condition_variable& operator=(const condition_variable&) = delete;
  ~condition_variable() = default;

  /// Unlocks, waits for a notify, locks again.
  awaitable<void> wait(mutex::guard& lock);

  /// Waits until pred() is true, checking it with the lock held.
  template <typename Predicate>
  awaitable<void> wait(mutex::guard& lock, Predicate pred) {
    while (!pred())
      co_await wait(lock);
  }

  void notify_one() {
    binding_.check("corio::condition_variable::notify_one");
    waiters_.notify_one();
  }
  void notify_all() {
    binding_.check("corio::condition_variable::notify_all");
    waiters_.notify_all();
  }
  /// How many tasks wait for a notify.
  std::size_t waiting() const noexcept { return waiters_.size(); }

private:
  // wait()'s body, run with Asio's sticky cancellation check off.
  awaitable<void> wait_and_relock(mutex::guard& lock);

  detail::waiter_list<> waiters_{"condition_variable wait"};
  detail::loop_binding binding_;
};

} // namespace corio

#endif // CORIO_CONDITION_VARIABLE_HPP
