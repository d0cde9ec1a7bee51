// corio/sleep.hpp - pausing a coroutine without blocking the loop
// (asyncio.sleep, and sleep(0) as yield_now).
//
//   co_await corio::sleep(100ms);           // other tasks run meanwhile
//   co_await corio::sleep_until(corio::now() + 5s);  // a time point of the loop clock
//   co_await corio::yield_now();            // let every ready task take a step
//
// Durations: negative ones (and NaN) are rejected with std::invalid_argument when
// sleep() is called, because a negative sleep is almost always a bug; durations
// too large for steady_clock saturate ("forever", still cancellable). A deadline
// in the past completes on the next turn of the loop.
//
// Time is the loop's clock (clock.hpp): steady_clock, or virtual time under
// run_options::virtual_time, where sleeps take no wall time.
//
// Never call std::this_thread::sleep_for in a coroutine: it blocks the one loop
// thread, and every other task with it (the spinner's --mode blocking shows it).
//
// Cancellation: sleeping is cancellable at once and throws corio::cancelled_error;
// nothing is left behind. yield_now() is a cancellation point too (as asyncio's
// sleep(0)): a cancellation requested while it waits for its turn throws
// cancelled_error when it resumes (not inside enter_cleanup()'s scope).
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_SLEEP_HPP
#define CORIO_SLEEP_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/duration.hpp>

#include <chrono>

namespace corio {

/// Suspends until `deadline` (asyncio: await asyncio.sleep(deadline - now)).
awaitable<void> sleep_until(std::chrono::steady_clock::time_point deadline);

namespace detail {
awaitable<void> sleep_for(std::chrono::steady_clock::duration duration);
}

/// Suspends for `duration` (asyncio.sleep). Throws std::invalid_argument for a
/// negative or NaN duration.
template <typename Rep, typename Period>
awaitable<void> sleep(std::chrono::duration<Rep, Period> duration) {
  return detail::sleep_for(detail::checked_duration(duration, "corio::sleep"));
}

/// Lets every other ready task run one step, then resumes (asyncio.sleep(0)).
/// Throws cancelled_error if the task was cancelled meanwhile.
awaitable<void> yield_now();

} // namespace corio

#endif // CORIO_SLEEP_HPP
