#include <corio/map_concurrent.hpp>

#include <stdexcept>

namespace corio::detail {

void check_limit(std::size_t limit) {
  if (limit == 0)
    throw std::invalid_argument(
        "corio::map_concurrent: limit must be at least 1 (0 would never start anything)");
}

} // namespace corio::detail
