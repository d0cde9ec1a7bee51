// corio/detail/loop_clock.hpp - the clock of one loop, and the timer corio's own waits
// (sleep, cancel scopes) use so that they follow it.
//
// Design (docs/design.md, "Virtual time"): a real loop's clock is steady_clock; a virtual
// one is a time point that moves only when the loop moves it (advance(), or the loop
// driver jumping to the earliest deadline when no task waits for anything real). Asio
// owns its timer queue and tells nobody its earliest expiry, so corio keeps its own:
// the loop context's timer_queue (timer_queue.hpp), where sleeps wait on every loop.
// On a virtual loop a loop_timer parks its steady_timer at "never" and queues its
// deadline there too; when the clock reaches it, the timer is marked fired() and its
// parked wait cancelled, so the handler is posted like any completion. Keeping an Asio
// wait underneath keeps Asio's per-operation cancellation (how corio cancels a task) as
// is: a handler sees operation_aborted either way, and fired() tells which it was.
//
// Invariants: on a virtual loop the queue holds exactly the armed, not yet fired timers
// and sleeps; equal deadlines fire in the order they were armed, so a seeded program
// sees the same timeline every run. Time never goes back.
// Thread-safety: loop-bound; everything runs on the loop's thread.
#ifndef CORIO_DETAIL_LOOP_CLOCK_HPP
#define CORIO_DETAIL_LOOP_CLOCK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/timer_queue.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace corio::detail {

class loop_timer;

class loop_clock {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// A virtual clock starts at `start`; a real one ignores it. `timers`: the queue of the
  /// loop's context, which a virtual clock drives.
  loop_clock(bool is_virtual, time_point start, timer_queue& timers) noexcept
      : virtual_(is_virtual), now_(start), timers_(timers) {
    if (virtual_)
      timers_.attach(this);
  }
  ~loop_clock() { timers_.attach(nullptr); }
  loop_clock(const loop_clock&) = delete;
  loop_clock& operator=(const loop_clock&) = delete;
  loop_clock(loop_clock&&) = delete;
  loop_clock& operator=(loop_clock&&) = delete;

  bool is_virtual() const noexcept { return virtual_; }
  time_point now() const noexcept { return virtual_ ? now_ : std::chrono::steady_clock::now(); }

  /// Moves a virtual clock to `when` (never back) and fires, in deadline order, every
  /// timer due by then. Throws what cancelling an Asio timer throws (nothing in practice).
  void advance_to(time_point when);
  /// The earliest queued deadline, or nullopt (always nullopt on a real loop).
  std::optional<time_point> next_wake_up() const noexcept;
  /// The timer queue of the loop's context.
  timer_queue& timers() const noexcept { return timers_; }

private:
  bool virtual_;
  time_point now_;
  timer_queue& timers_;
};

/// A one-shot timer on the loop clock, for corio's own waits. On a real loop it is a
/// steady_timer. Callers treat `!error || fired()` as "the deadline has passed".
class loop_timer : private timer_queue_entry {
public:
  /// `ex`: an executor of the loop whose thread constructs the timer.
  explicit loop_timer(const executor& ex);
  // Virtual only because the queue entry it derives from has virtual functions (the
  // vtable is there already); a loop_timer is never deleted through a base pointer.
  virtual ~loop_timer();
  loop_timer(const loop_timer&) = delete;
  loop_timer& operator=(const loop_timer&) = delete;

  /// Sets the deadline; pending waits complete with operation_aborted (as Asio's).
  /// Returns how many were cancelled.
  std::size_t expires_at(loop_clock::time_point deadline);
  /// Cancels pending waits and takes the timer off the clock's queue; returns how many.
  std::size_t cancel();
  /// cancel() for destructors and moves: Asio's timer cancel() throws only if the
  /// reactor fails, which a destructor cannot report but to the log.
  void cancel_quietly() noexcept;
  loop_clock::time_point expiry() const noexcept { return deadline_; }
  /// The deadline of the last wait has passed (virtual loops; real ones say so through
  /// the error code).
  bool fired() const noexcept { return fired_; }
  /// The number the next async_wait() gets: waits are numbered 1, 2, ... per timer.
  std::uint64_t next_wait() const noexcept { return waits_ + 1; }
  /// Wait number `wait` ended because the clock reached its deadline (virtual loops),
  /// even if the timer has been re-armed since: what corio::timer needs to report a
  /// fired wait as a success, as Asio does for an expiry that was already queued.
  bool fired(std::uint64_t wait) const noexcept { return wait != 0 && wait <= fired_through_; }
  /// For waits whose handler reports back (corio::timer's): one wait's handler has run.
  /// Once every wait has ended the timer leaves the clock's queue, so a wait ended by
  /// per-operation cancellation (which bypasses cancel()) leaves no deadline behind for
  /// the clock to jump to.
  void wait_ended() noexcept {
    if (++waits_ended_ == waits_)
      leave_queue();
  }

  /// Waits until the deadline (Asio's async_wait; any completion token). A deadline that
  /// is not later than the loop's now() completes on the next turn.
  template <typename Token>
  auto async_wait(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          arm();
          timer_.async_wait(std::move(handler));
        },
        token);
  }

private:
  void arm();
  void fire() override;
  void abandon() noexcept override {}
  void leave_queue() noexcept;

  boost::asio::steady_timer timer_;
  timer_queue* queue_; // the virtual loop's timer queue, or null on a real loop
  loop_clock::time_point deadline_ = loop_clock::time_point::max();
  bool fired_ = false;
  std::uint64_t waits_ = 0;         // async_wait() calls so far
  std::uint64_t fired_through_ = 0; // every wait numbered up to this one has fired
  std::uint64_t waits_ended_ = 0;   // reported by wait_ended()
};

/// The running loop's now() + limit, or time_point::max() when that does not fit.
std::chrono::steady_clock::time_point deadline_after(std::chrono::steady_clock::duration limit);

} // namespace corio::detail

#endif // CORIO_DETAIL_LOOP_CLOCK_HPP
