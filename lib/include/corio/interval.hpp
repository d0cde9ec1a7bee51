// corio/interval.hpp - a tick every `period`, as an async generator (tokio's
// time::interval; Python has no builtin for it).
//
//   auto ticks = corio::interval(1s);                      // nothing runs yet
//   while (auto tick = co_await ticks.next())              // async for tick in ticks:
//     redraw(*tick);                                       // 1st at once, then every second
//
// Each value is the steady_clock time point the tick was due at. The first tick is due
// at the first next() (the interval is lazy: its clock starts when it is first pulled),
// the following ones `period` apart. A tick whose time has come is returned at once.
//
// Missed ticks. A consumer that comes back late (its work between two next() took longer
// than a period) has missed ticks; `missed_tick` says what happens then:
//   skip   (default) the late tick is returned at once, due at the latest missed time of
//          the original grid; later ticks stay on that grid (start + k * period). No
//          burst, no drift: what a display refresh or a heartbeat wants.
//   burst  every missed tick is returned, back to back, each due at its grid time,
//          until the interval has caught up (tokio's default): what a rate counter wants.
//   delay  the late tick is returned at once, due now; later ticks are `period` after it
//          (the grid moves): what "at least `period` between two runs" wants.
// The default differs from tokio's (burst) because a corio interval is lazy: a consumer
// that was slow for once rarely wants the backlog replayed.
//
// Errors: a period that is zero, negative or NaN is std::invalid_argument at the call.
// Cancellation: as for any async_generator (async_generator.hpp): cancelling the consumer
// while next() waits for a tick cancels the interval's sleep and closes the interval;
// cancelling it between ticks leaves the interval untouched.
// Thread-safety: one loop, as async_generator.
#ifndef CORIO_INTERVAL_HPP
#define CORIO_INTERVAL_HPP

#include <corio/async_generator.hpp>
#include <corio/detail/duration.hpp>

#include <chrono>

namespace corio {

/// What interval() does with ticks the consumer came too late for (see above).
enum class missed_tick { skip, burst, delay };

namespace detail {
async_generator<std::chrono::steady_clock::time_point>
make_interval(std::chrono::steady_clock::duration period, missed_tick policy);
/// When the tick after the one due at `due` is due, seen at `now` (the policy's rule).
std::chrono::steady_clock::time_point next_tick(std::chrono::steady_clock::time_point due,
                                                std::chrono::steady_clock::duration period,
                                                std::chrono::steady_clock::time_point now,
                                                missed_tick policy) noexcept;
} // namespace detail

/// Ticks every `period`, the first at the first next(). Throws std::invalid_argument for a
/// period that is not positive.
template <typename Rep, typename Period>
async_generator<std::chrono::steady_clock::time_point>
interval(std::chrono::duration<Rep, Period> period, missed_tick policy = missed_tick::skip) {
  return detail::make_interval(detail::checked_duration(period, "corio::interval"), policy);
}

} // namespace corio

#endif // CORIO_INTERVAL_HPP
