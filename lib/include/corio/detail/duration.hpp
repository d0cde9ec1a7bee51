// corio/detail/duration.hpp - turns a user's std::chrono duration into the
// steady_clock duration Asio timers take, rejecting bad input.
//
// Rules (documented in sleep.hpp and timeout.hpp, tested in sleep_test.cpp):
//  - negative durations and NaN are rejected with std::invalid_argument naming the
//    calling function: a negative sleep is almost always a sign of a bug;
//  - durations too large for steady_clock (hours::max(), 1e300 s) saturate to
//    steady_clock::duration::max(): "wait forever", still cancellable.
#ifndef CORIO_DETAIL_DURATION_HPP
#define CORIO_DETAIL_DURATION_HPP

#include <chrono>
#include <cmath>
#include <string>

namespace corio::detail {

[[noreturn]] void throw_bad_duration(const char* function, long double seconds);

/// Seconds as a short human string: "3s", "0.25s", "1.5e-06s".
std::string format_seconds(std::chrono::steady_clock::duration duration);

template <typename Rep, typename Period>
std::chrono::steady_clock::duration checked_duration(std::chrono::duration<Rep, Period> duration,
                                                     const char* function) {
  using target = std::chrono::steady_clock::duration;
  using wide = std::chrono::duration<long double, target::period>;
  const wide requested(duration);
  if (std::isnan(requested.count()) || requested.count() < 0)
    throw_bad_duration(function, std::chrono::duration<long double>(requested).count());
  if (requested >= wide(target::max()))
    return target::max();
  return std::chrono::duration_cast<target>(duration);
}

} // namespace corio::detail

#endif // CORIO_DETAIL_DURATION_HPP
