// corio/mutex.hpp - mutual exclusion between coroutines (asyncio.Lock): keeps a
// section that suspends (read-modify-write across a co_await) to one task at a time.
//
//   corio::mutex m;
//   corio::awaitable<void> deposit(account& a, int amount) {
//     auto lock = co_await m.lock();          // unlocked when `lock` goes
//     a.balance = co_await add_remote(a.balance, amount);
//   }
//
// lock() returns a `mutex::guard` (like std::unique_lock: movable, owns_lock(),
// unlock() early; the destructor unlocks). try_lock() / unlock() exist for the rare
// manual case; unlock() of an unlocked mutex is std::logic_error (asyncio's
// RuntimeError). Not recursive: a task locking a mutex it holds waits forever.
// Ownership is not tracked: any task may unlock (as asyncio).
//
// Fairness: waiters get the mutex in the order they called lock(); unlock() hands it
// straight to the oldest waiter, so a later try_lock() cannot take it first.
// Non-guarantee: lock() of a free mutex does not suspend.
//
// Where a waiter resumes: on a later turn of the loop (posted), never inside unlock().
//
// Cancellation: lock() cancelled while waiting throws cancelled_error and does not
// take the mutex (the next waiter gets it). Cancelled after unlock() handed it the
// mutex, lock() returns the guard normally; the cancellation lands at the next
// suspension, and the guard unlocks as the exception unwinds.
// Thread-safety: none; use it from coroutines on the loop thread only. It does not
// protect data shared with other threads (use std::mutex for that).
// With several loops it binds to the loop that first uses it; an operation from a
// task of another loop throws std::logic_error naming both loops.
#ifndef CORIO_MUTEX_HPP
#define CORIO_MUTEX_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/permits.hpp>

namespace corio {

class condition_variable;

class mutex {
public:
  /// Owns the lock of one mutex until destroyed, moved from, or unlock()ed.
  class [[nodiscard]] guard {
  public:
    guard() noexcept = default;
    guard(guard&& other) noexcept;
    guard& operator=(guard&& other) noexcept;
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    /// Unlocks if it owns the lock. If mutex::unlock() was called by hand behind the
    /// guard's back, logs an error instead (a destructor must not throw).
    ~guard() = default;

    bool owns_lock() const noexcept { return held_.owns(); }
    explicit operator bool() const noexcept { return owns_lock(); }
    /// The mutex this guard belongs to (nullptr for an empty guard).
    corio::mutex* mutex() const noexcept { return mutex_; }
    /// Unlocks now; std::logic_error when this guard does not own the lock.
    void unlock();

  private:
    friend class corio::mutex;
    friend class corio::condition_variable;
    explicit guard(corio::mutex& owner) noexcept
        : mutex_(&owner), held_(owner.permit_, "corio::mutex::guard") {}
    corio::mutex* mutex_ = nullptr;
    detail::held_permit held_;
  };

  mutex() noexcept = default;
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;
  ~mutex() = default;

  /// Waits until the mutex is free and locks it.
  [[nodiscard]] awaitable<guard> lock();
  /// Locks if free now; the guard is empty otherwise. Never suspends.
  guard try_lock();
  /// Unlocks (prefer the guard); std::logic_error if not locked.
  void unlock();

  bool locked() const noexcept { return permit_.available() == 0; }
  /// How many lock() calls are waiting.
  std::size_t waiting() const noexcept { return permit_.waiting(); }

private:
  friend class condition_variable;
  detail::permits permit_{1, 1, "mutex lock"};
};

} // namespace corio

#endif // CORIO_MUTEX_HPP
