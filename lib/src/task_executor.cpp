#include <corio/detail/step.hpp>
#include <corio/detail/task_executor.hpp>

#include <boost/asio/io_context.hpp>

namespace corio::detail {

namespace {

using loop_type = boost::asio::io_context::executor_type;

} // namespace

executor task_executor_for(const executor& loop, task_ref task) {
  // The common case keeps the executor small enough for any_io_executor's inline
  // storage (no allocation, no shared count on copies).
  if (const auto* io_context_executor = loop.target<loop_type>())
    return task_executor<loop_type>(*io_context_executor, task);
  return task_executor<executor>(loop, task);
}

executor loop_executor(const executor& ex) {
  if (const auto* tagged = ex.target<task_executor<loop_type>>())
    return tagged->inner();
  if (const auto* tagged = ex.target<task_executor<executor>>())
    return tagged->inner();
  return ex;
}

void note_waiting(const char* what) noexcept {
  if (task_core_base* running = running_task())
    running->note_waiting(what);
}

void note_wait_started() noexcept {
  if (task_core_base* running = running_task(); running != nullptr && running->cancel_requested())
    running->count_wait_after_cancel();
}

} // namespace corio::detail
