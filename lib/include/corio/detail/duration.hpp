// corio/detail/duration.hpp - turns a user's std::chrono duration into the
// steady_clock duration Asio timers take, rejecting bad input.
//
// Rules (documented in sleep.hpp and timeout.hpp, tested in sleep_test.cpp):
//  - negative durations and NaN are rejected with std::invalid_argument naming the
//    calling function: a negative sleep is almost always a sign of a bug. sleep()
//    throws at the call (checked_duration); timeout() keeps the verdict
//    (check_duration) and throws when awaited, with its other errors;
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

/// A duration converted without throwing; when !valid, `requested_seconds` is what the
/// user asked for (for the error message, thrown later by throw_if_invalid()).
struct duration_check {
  std::chrono::steady_clock::duration value{};
  long double requested_seconds = 0;
  bool valid = true;

  void throw_if_invalid(const char* function) const {
    if (!valid)
      throw_bad_duration(function, requested_seconds);
  }
};

template <typename Rep, typename Period>
duration_check check_duration(std::chrono::duration<Rep, Period> duration) noexcept {
  using target = std::chrono::steady_clock::duration;
  using wide = std::chrono::duration<long double, target::period>;
  const wide requested(duration);
  if (std::isnan(requested.count()) || requested.count() < 0)
    return {target::zero(), std::chrono::duration<long double>(requested).count(), false};
  if (requested >= wide(target::max()))
    return {target::max()};
  return {std::chrono::duration_cast<target>(duration)};
}

/// check_duration() that throws at once (sleep() rejects a bad duration when called).
template <typename Rep, typename Period>
std::chrono::steady_clock::duration checked_duration(std::chrono::duration<Rep, Period> duration,
                                                     const char* function) {
  const duration_check checked = check_duration(duration);
  checked.throw_if_invalid(function);
  return checked.value;
}

} // namespace corio::detail

#endif // CORIO_DETAIL_DURATION_HPP
