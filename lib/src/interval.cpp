#include <corio/clock.hpp>
#include <corio/interval.hpp>
#include <corio/sleep.hpp>

#include <stdexcept>

namespace corio::detail {

namespace {

using clock = std::chrono::steady_clock;

awaitable<void> ticks(yielder<clock::time_point> yield, clock::duration period,
                      missed_tick policy) {
  clock::time_point due = corio::clock::now();
  for (;;) {
    co_await sleep_until(due);
    co_await yield(due);
    due = next_tick(due, period, corio::clock::now(), policy);
  }
}

} // namespace

clock::time_point next_tick(clock::time_point due, clock::duration period, clock::time_point now,
                            missed_tick policy) noexcept {
  if (period > clock::time_point::max() - due)
    return clock::time_point::max(); // a period too long for the clock: "never"
  const clock::time_point following = due + period;
  if (now <= following || policy == missed_tick::burst)
    return following;
  if (policy == missed_tick::delay)
    return now;
  return following + (now - following) / period * period; // skip: the latest missed grid time
}

async_generator<clock::time_point> make_interval(clock::duration period, missed_tick policy) {
  if (period <= clock::duration::zero())
    throw std::invalid_argument("corio::interval: the period must be positive, got 0s");
  return async_generator<clock::time_point>(ticks, period, policy);
}

} // namespace corio::detail
