#include <corio/detail/primitive.hpp>
#include <corio/errors.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio::detail {

void throw_cancelled() {
  throw cancelled_error();
}

void throw_logic_error(const char* what) {
  throw std::logic_error(what);
}

void throw_bad_count(const char* function, long long value) {
  throw std::invalid_argument(
      fmt::format("{}: the count must be between 0 and SIZE_MAX, got {}", function, value));
}

} // namespace corio::detail
