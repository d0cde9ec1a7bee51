#include <corio/as_completed.hpp>

namespace corio::detail {

void throw_as_completed_cancelled() {
  throw cancelled_error("corio::as_completed::next: cancelled while waiting; no task was consumed");
}

} // namespace corio::detail
