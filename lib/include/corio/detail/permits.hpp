// corio/detail/permits.hpp - the permit core that semaphore and mutex share
// (tokio's batch_semaphore, one permit at a time).
//
// Design: a count of free permits, an optional bound, and one waiter_list. A
// release hands its permit straight to the oldest waiter (the count does not move),
// so a later try_acquire() cannot steal it and waiters are served in FIFO order.
//
// Invariants:
//  - waiters_ is non-empty only while count_ == 0;
//  - count_ <= bound_ (release() above the bound is std::logic_error, before any
//    state changes);
//  - a waiter cancelled before its hand-off leaves the list holding nothing; one
//    cancelled after it has completed successfully and owns the permit.
//
// held_permit is the one RAII owner of a permit (mutex::guard and semaphore::permit
// are thin layers over it). A permit given back by hand behind its owner's back
// (mutex::unlock(), semaphore::release()) is caught where the bound allows: the
// owner's release() then reports it, and its destructor, which must not throw, logs
// it at error level instead of silently skipping the release.
//
// Thread-safety: none; one loop thread.
#ifndef CORIO_DETAIL_PERMITS_HPP
#define CORIO_DETAIL_PERMITS_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/waiter_list.hpp>

#include <cstddef>
#include <limits>

namespace corio::detail {

class permits {
public:
  static constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

  /// `what` names a wait for introspection ("semaphore acquire", "mutex lock").
  permits(std::size_t initial, std::size_t bound, const char* what) noexcept
      : count_(initial), bound_(bound), waiters_(what) {}

  std::size_t available() const noexcept { return count_; }
  std::size_t waiting() const noexcept { return waiters_.size(); }

  /// Takes a permit if one is free, never suspending.
  bool try_acquire() noexcept;
  /// Takes a permit, waiting in FIFO order; cancelled_error when cancelled while
  /// waiting (nothing taken).
  awaitable<void> acquire();
  /// Takes a permit, ignoring cancellation signals while it waits
  /// (condition_variable's re-lock). In a cancelled task the caller must first turn
  /// Asio's sticky check off (detail::without_cancellation_checks), or the co_await
  /// itself throws.
  awaitable<void> acquire_ignoring_cancellation();
  /// Returns a permit: to the oldest waiter, or to the count. False (and nothing
  /// changes) when that would exceed the bound; the caller reports it in its terms.
  [[nodiscard]] bool release() noexcept;
  std::size_t bound() const noexcept { return bound_; }
  /// The owner's loop check (loop_binding.hpp), called by each of its operations.
  void check_loop(const char* operation) const { binding_.check(operation); }

private:
  loop_binding binding_;
  std::size_t count_;
  std::size_t bound_;
  waiter_list<> waiters_;
};

/// Owns one permit of a `permits` until destroyed, moved from, or released.
class held_permit {
public:
  held_permit() noexcept = default;
  /// Takes over a permit already acquired from `source`; `owner` ("corio::mutex::guard")
  /// names it in the destructor's error log.
  held_permit(permits& source, const char* owner) noexcept : source_(&source), owner_(owner) {}
  held_permit(held_permit&& other) noexcept;
  held_permit& operator=(held_permit&& other) noexcept;
  held_permit(const held_permit&) = delete;
  held_permit& operator=(const held_permit&) = delete;
  ~held_permit();

  bool owns() const noexcept { return source_ != nullptr; }
  /// Gives the permit back now and owns nothing after. False when it was already
  /// given back by hand (the release would exceed the bound; nothing changes).
  /// Requires owns().
  [[nodiscard]] bool release() noexcept;

private:
  permits* source_ = nullptr;
  const char* owner_ = "";
};

} // namespace corio::detail

#endif // CORIO_DETAIL_PERMITS_HPP
