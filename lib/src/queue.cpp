#include <corio/queue.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio::detail {

void throw_queue_shut_down(const char* function) {
  throw queue_shut_down(fmt::format("{}: the queue is shut down", function));
}

void throw_task_done_too_often() {
  throw std::logic_error("corio::queue::task_done: called more times than items were put");
}

} // namespace corio::detail
