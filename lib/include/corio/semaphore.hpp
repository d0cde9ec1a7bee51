// corio/semaphore.hpp - a counting semaphore for coroutines (asyncio.Semaphore and
// asyncio.BoundedSemaphore): limits how many tasks may be inside a section at once.
//
//   corio::semaphore slots(3);                         // at most 3 downloads at once
//   corio::awaitable<void> download(std::string url) {
//     auto permit = co_await slots.acquire_permit();   // released when it goes
//     co_await fetch(url);
//   }
//
// acquire() takes a permit (waiting while none is free), release() returns one,
// try_acquire() takes one only if free. acquire_permit() returns a movable RAII
// `semaphore::permit` that releases on destruction; prefer it to bare release().
// bounded_semaphore rejects a release() that would raise the count above its
// initial value with std::logic_error (asyncio's ValueError): it catches "released
// twice". A negative initial count is std::invalid_argument.
//
// Fairness: waiters get permits in the order they started waiting. release() hands
// its permit straight to the oldest waiter, so a later try_acquire() cannot steal
// it. Non-guarantee: acquire() with a free permit does not suspend, so it does not
// let other ready tasks run first.
//
// Where a waiter resumes: on a later turn of the loop (posted to its executor),
// never inside release().
//
// Cancellation: acquire() / acquire_permit() cancelled while waiting throw
// cancelled_error and hold no permit (the waiter left the queue; the permit goes
// to the next waiter). Cancelled after release() handed it the permit, the wait
// has already succeeded: it returns normally holding the permit, and the
// cancellation lands at the task's next suspension. A permit is never lost.
// Thread-safety: none; use it from coroutines on the loop thread (from other
// threads go through asio::post or submit()).
// With several loops it binds to the loop that first uses it; an operation from a
// task of another loop throws std::logic_error naming both loops.
#ifndef CORIO_SEMAPHORE_HPP
#define CORIO_SEMAPHORE_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/permits.hpp>
#include <corio/detail/primitive.hpp>

#include <concepts>
#include <cstddef>

namespace corio {

class semaphore {
public:
  /// Releases its permit when destroyed (or at release()); movable, not copyable.
  class [[nodiscard]] permit {
  public:
    permit() noexcept = default;
    permit(permit&& other) noexcept = default;
    permit& operator=(permit&& other) noexcept = default;
    permit(const permit&) = delete;
    permit& operator=(const permit&) = delete;
    /// Releases the permit if it owns one. If it was released by hand behind its
    /// back on a bounded_semaphore, logs an error instead (a destructor must not throw).
    ~permit() = default;

    bool owns_permit() const noexcept { return held_.owns(); }
    explicit operator bool() const noexcept { return owns_permit(); }
    /// Returns the permit now; then the guard is empty. On a bounded_semaphore whose
    /// permit was already released by hand, std::logic_error as release().
    void release();

  private:
    friend class semaphore;
    explicit permit(semaphore& owner) noexcept
        : semaphore_(&owner), held_(owner.permits_, "corio::semaphore::permit") {}
    semaphore* semaphore_ = nullptr;
    detail::held_permit held_;
  };

  /// `initial` free permits (asyncio's default is 1).
  template <std::integral Int = int>
  explicit semaphore(Int initial = 1)
      : semaphore(detail::checked_count(initial, "corio::semaphore"), detail::permits::unbounded) {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;
  ~semaphore() = default;

  /// Waits for a free permit and takes it.
  awaitable<void> acquire();
  /// acquire(), returning a guard that releases the permit.
  awaitable<permit> acquire_permit();
  /// Takes a permit if one is free now (and nobody waits); never suspends.
  bool try_acquire();
  /// try_acquire() as a guard; empty when no permit was free.
  permit try_acquire_permit() noexcept { return try_acquire() ? permit(*this) : permit(); }
  /// Returns a permit (to the oldest waiter first). bounded_semaphore: throws
  /// std::logic_error above the initial count.
  void release();

  /// Free permits now (asyncio's _value); 0 while anyone waits.
  std::size_t available() const noexcept { return permits_.available(); }
  /// True when acquire() would wait (asyncio's locked()).
  bool locked() const noexcept { return available() == 0; }
  /// How many acquire() calls are waiting.
  std::size_t waiting() const noexcept { return permits_.waiting(); }

protected:
  semaphore(std::size_t initial, std::size_t bound) noexcept
      : permits_(initial, bound, "semaphore acquire") {}

private:
  [[noreturn]] void throw_over_release() const;

  detail::permits permits_;
};

/// A semaphore whose count may never exceed its initial value.
class bounded_semaphore : public semaphore {
public:
  template <std::integral Int = int>
  explicit bounded_semaphore(Int initial = 1)
      : semaphore(detail::checked_count(initial, "corio::bounded_semaphore"),
                  detail::checked_count(initial, "corio::bounded_semaphore")) {}
};

} // namespace corio

#endif // CORIO_SEMAPHORE_HPP
