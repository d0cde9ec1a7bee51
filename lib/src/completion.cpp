#include <corio/detail/completion.hpp>

#include <corio/detail/task_executor.hpp>

namespace corio::detail {

namespace {
using task_loop_executor = task_executor<boost::asio::io_context::executor_type>;
} // namespace

boost::asio::detail::scheduler* scheduler_behind(const executor& ex) noexcept {
  if (const auto* task = ex.target<task_loop_executor>())
    return &asio_glue::scheduler_of(task->inner().context());
  if (const auto* loop = ex.target<boost::asio::io_context::executor_type>())
    return &asio_glue::scheduler_of(loop->context());
  return nullptr;
}

bool run_in_task_step(const executor& ex, void (*call)(void*), void* argument) {
  const auto* task = ex.target<task_loop_executor>();
  if (task == nullptr || !task->inner().running_in_this_thread())
    return false;
  const step_scope step(task->task());
  call(argument);
  return true;
}

} // namespace corio::detail
