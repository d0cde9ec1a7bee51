#include <corio/timeout.hpp>

#include <fmt/format.h>

namespace corio::detail {

void throw_timeout(std::chrono::steady_clock::duration limit) {
  throw timeout_error(
      fmt::format("corio::timeout: the operation did not finish within {}", format_seconds(limit)));
}

} // namespace corio::detail
