// The runtime's accessor for code that needs "the loop of this thread" (spawn,
// task_group, as_completed, all_tasks): it belongs with the runtime, not with the
// task core. It sits in its own file next to runtime.cpp so the runtime's own file
// stays about running the loop.
#include <corio/detail/runtime.hpp>
#include <corio/task.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio::detail {

executor current_executor(const char* function) {
  runtime* current = runtime::current();
  if (current == nullptr)
    throw std::logic_error(fmt::format(
        "{}: no corio loop runs on this thread; call it inside corio::run(), or pass an executor",
        function));
  return current->get_executor();
}

} // namespace corio::detail
