// corio/clock.hpp - the loop's clock: real time, or virtual time in tests
// (tokio's paused clock, Trio's MockClock).
//
//   corio::run(main(), {.virtual_time = true});      // an hour of sleeps in ~0 ms
//   const auto start = corio::now();                 // the loop's time
//   co_await corio::sleep(1h);                       // corio::now() - start == 1h
//   corio::advance(5s);                              // step time by hand
//   std::optional<corio::clock::time_point> next = corio::next_wake_up();
//
// corio's timers read this clock: sleep, sleep_until, the deadlines of timeout,
// timeout_at, move_on_* and cancel_scope, interval, and corio::timer (timer.hpp: an
// asio::steady_timer interface for Asio-style code). In tests, CORIO_TEST_CASE
// (testing.hpp) runs its body on virtual time. Its time_point is
// steady_clock's, so deadlines are built from corio::now() and passed where a
// steady_clock time point is asked for. On a real loop (the default) now() is
// steady_clock::now().
//
// Virtual time (run_options::virtual_time): each loop has its own clock, starting at the
// real time run() started. It stands still while any task can run; when every task of
// the loop waits and none waits for something real, it jumps to the earliest pending
// corio deadline. "Something real" is a raw Asio operation (a socket, an
// asio::steady_timer: a task waiting in one holds time standing and the loop waits for
// the real event), a to_thread() call, or a task on another loop. A deadline not later
// than now() (sleep(0), a deadline equal to now) completes on the next turn, as on a
// real loop. Debug mode's step timing stays on the real clock.
// Non-guarantees: a corio primitive fed by a foreign thread (a submit() from a pool
// thread) counts as virtual, so time may jump before that thread acts; a to_thread()
// whose awaiter was cancelled no longer holds time.
//
// Thread-safety: now() reads the clock of the loop running on the calling thread, or
// steady_clock on any other thread; advance() and next_wake_up() act on that loop.
// Cancellation: nothing here suspends.
#ifndef CORIO_CLOCK_HPP
#define CORIO_CLOCK_HPP

#include <chrono>
#include <optional>

namespace corio {

/// A Clock (C++ named requirement) whose now() is the running loop's time.
struct clock {
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr bool is_steady = true;

  static time_point now() noexcept;
};

/// The running loop's time (clock::now()).
inline clock::time_point now() noexcept {
  return clock::now();
}

/// Moves the running loop's virtual clock forward by `duration` and fires, in deadline
/// order, every corio timer due by then; their tasks run when the caller next
/// suspends. Throws std::logic_error on a real-time loop or outside a loop, and
/// std::invalid_argument for a negative duration.
void advance(clock::duration duration);

/// The earliest pending corio deadline of the running loop on virtual time; nullopt
/// when none is pending, on a real-time loop (Asio does not tell) or outside a loop.
std::optional<clock::time_point> next_wake_up() noexcept;

} // namespace corio

#endif // CORIO_CLOCK_HPP
