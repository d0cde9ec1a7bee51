// corio/detail/timer_queue.hpp - the deadlines of one execution context's corio sleeps
// (and, on a virtual loop, of its corio timers), in one ordered queue.
//
// Design (docs/design.md, "Light tasks"): raw Asio gives every wait its own timer and
// heap-allocated wait operation. corio's sleep instead links an entry that lives in
// the sleeping coroutine's own frame (sleep_wait.hpp) into this queue, an intrusive
// red-black tree (Boost.Intrusive: no allocation per entry). On real time one
// steady_timer per context waits for the earliest deadline; when it fires, every due
// entry is taken off and fired in deadline order, and the timer is set for the next.
// A virtual clock (loop_clock.hpp) drives the queue instead: it never arms the timer,
// it asks earliest() and fires what its jump passes.
//
//   timer_queue& queue = timer_queue::of(loop_executor);
//   queue.add(entry, deadline, loop_executor);   // entry.fire() once the deadline passes
//   queue.remove(entry);                         // cancelled first: it never fires
//
// Invariants: an entry is linked from add() until it fires or is removed; entries with
// equal deadlines fire in the order they were added (a seeded program sees the same
// timeline every run). fire() is called with the entry already unlinked and must not
// resume anything inline (entries post their completions).
// Thread-safety: none; the queue belongs to the one thread that runs its context
// (corio's rule for every task and its handles).
// Cancellation: remove() is the cancellation; a queue left empty cancels its wake-up
// timer, so an io_context's run() is not held by a deadline nobody waits for.
#ifndef CORIO_DETAIL_TIMER_QUEUE_HPP
#define CORIO_DETAIL_TIMER_QUEUE_HPP

#include <corio/awaitable.hpp>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/set.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace corio::detail {

class loop_clock;
class timer_queue;

/// Something waiting in a timer_queue for its deadline.
class timer_queue_entry : public boost::intrusive::set_base_hook<
                              boost::intrusive::optimize_size<true>,
                              boost::intrusive::link_mode<boost::intrusive::safe_link>> {
public:
  using time_point = std::chrono::steady_clock::time_point;

  timer_queue_entry(const timer_queue_entry&) = delete;
  timer_queue_entry& operator=(const timer_queue_entry&) = delete;

  time_point deadline() const noexcept { return deadline_; }
  bool queued() const noexcept { return is_linked(); }

protected:
  timer_queue_entry() = default;
  ~timer_queue_entry() = default;

private:
  friend class timer_queue;
  /// The deadline has passed; the entry is already off the queue.
  virtual void fire() = 0;
  /// The context shuts down with the entry still queued (already off the queue):
  /// release what it holds without completing anything.
  virtual void abandon() noexcept = 0;

  time_point deadline_{};
};

class timer_queue : public boost::asio::execution_context::service {
public:
  using time_point = std::chrono::steady_clock::time_point;
  using key_type = timer_queue;
  static inline boost::asio::execution_context::id id;

  explicit timer_queue(boost::asio::execution_context& context);
  ~timer_queue() override = default;
  timer_queue(const timer_queue&) = delete;
  timer_queue& operator=(const timer_queue&) = delete;

  /// The queue of the context `loop` (an executor of it, not a task's) belongs to: the
  /// running corio loop's without a lookup, any other context's through Asio's registry.
  static timer_queue& of(const executor& loop);

  /// The time the queue's deadlines are compared with: the attached virtual clock's,
  /// or steady_clock's.
  time_point now() const noexcept;
  /// Links `entry` to fire at `deadline`. On real time arms the wake-up timer (on
  /// `loop`, an executor of this context) when the deadline is the new earliest.
  void add(timer_queue_entry& entry, time_point deadline, const executor& loop);
  /// Unlinks a queued entry; it will not fire.
  void remove(timer_queue_entry& entry) noexcept;
  /// The earliest deadline queued, or nullopt.
  std::optional<time_point> earliest() const noexcept;
  /// Fires, in deadline order, every entry due at `now`.
  void fire_due(time_point now);
  /// A virtual clock takes over (null: back to steady_clock and the wake-up timer).
  /// Only while the queue is empty.
  void attach(loop_clock* clock) noexcept { clock_ = clock; }

private:
  struct earlier_deadline {
    bool operator()(const timer_queue_entry& a, const timer_queue_entry& b) const noexcept {
      return a.deadline() < b.deadline();
    }
  };
  using entries =
      boost::intrusive::multiset<timer_queue_entry, boost::intrusive::constant_time_size<false>,
                                 boost::intrusive::compare<earlier_deadline>>;

  void shutdown() override;
  void arm(time_point deadline, const executor& loop);
  void woken();

  entries entries_;
  loop_clock* clock_ = nullptr;
  std::optional<boost::asio::steady_timer> wake_;
  time_point armed_for_ = time_point::max(); // the pending wake-up's expiry, or max
  std::uint64_t arms_ = 0;                   // numbers the wake-up waits; only the last counts
};

} // namespace corio::detail

#endif // CORIO_DETAIL_TIMER_QUEUE_HPP
