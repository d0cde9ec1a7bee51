#include <corio/detail/duration.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio::detail {

void throw_bad_duration(const char* function, long double seconds) {
  throw std::invalid_argument(
      fmt::format("{}: invalid duration {}s; durations must be zero or positive", function,
                  static_cast<double>(seconds)));
}

std::string format_seconds(std::chrono::steady_clock::duration duration) {
  return fmt::format("{}s", std::chrono::duration<double>(duration).count());
}

} // namespace corio::detail
