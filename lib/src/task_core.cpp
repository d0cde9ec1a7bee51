#include <corio/detail/debug_monitor.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/errors.hpp>
#include <corio/log.hpp>
#include <corio/task.hpp>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ctime>
#include <ostream>
#include <sstream>

namespace corio {

std::ostream& operator<<(std::ostream& out, task_state state) {
  switch (state) {
  case task_state::pending:
    return out << "pending";
  case task_state::done:
    return out << "done";
  case task_state::failed:
    return out << "failed";
  case task_state::cancelled:
    return out << "cancelled";
  }
  return out << "unknown";
}

} // namespace corio

namespace corio::detail {

namespace {

// A task's birth time only feeds all_tasks()' age, so the coarse clock (same
// epoch as steady_clock, a few ms of resolution) is good enough at a fraction of
// the cost on every spawn.
std::chrono::steady_clock::time_point coarse_now() noexcept {
#ifdef CLOCK_MONOTONIC_COARSE
  timespec now{};
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) == 0)
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
#endif
  return std::chrono::steady_clock::now();
}

std::string where(const std::source_location& site) {
  return fmt::format("{}:{}", site.file_name(), site.line());
}

} // namespace

// launch_memory_ is raw storage Asio writes the launcher's operation into: not zeroed.
// NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init,hicpp-member-init)
task_core_base::task_core_base(task_registry& registry, std::string name,
                               std::source_location spawn_site)
    : number_(name.empty() ? registry.next_default_number() : 0),
      given_name_(name.empty() ? nullptr : std::make_unique<const std::string>(std::move(name))),
      spawn_site_(spawn_site), registry_(&registry) {
  created_ = coarse_now();
  registry.add(*this);
  if (logger().should_log(spdlog::level::debug))
    logger().debug("created {} at {}", repr(), where(spawn_site_));
}

task_core_base::~task_core_base() {
  if (state_ == task_state::failed && !exception_retrieved_)
    logger().warn("Task exception was never retrieved: {} {} (spawned at {})", repr(),
                  describe(exception_), where(spawn_site_));
  if (registry_ != nullptr) // destroyed while pending (its loop was torn down)
    registry_->remove(*this);
}

std::string task_core_base::name() const {
  return number_ != 0 ? fmt::format("Task-{}", number_) : *given_name_;
}

bool task_core_base::cancel() noexcept {
  if (done())
    return false;
  if (logger().should_log(spdlog::level::debug))
    logger().debug("cancelling {}", repr());
  cancel_requested_ = true;
  cancel_signal_.emit(boost::asio::cancellation_type::terminal);
  return true;
}

void task_core_base::count_wait_after_cancel() noexcept {
  if (++waits_after_cancel_ < spinning_after_cancel_threshold || warned_spinning_)
    return;
  warned_spinning_ = true;
  try {
    logger().warn("{} (spawned at {}) was cancelled and has since started {} waits in one step, "
                  "each failing at once with cancelled_error: it catches its cancellation in a "
                  "loop and keeps its loop busy forever; let cancelled_error propagate, or leave "
                  "the loop when it arrives",
                  repr(), where(spawn_site_), waits_after_cancel_);
  } catch (...) { // logging must not turn a warning into a crash
  }
}

std::exception_ptr task_core_base::retrieve_exception() noexcept {
  if (state_ == task_state::failed)
    exception_retrieved_ = true;
  return exception_;
}

void task_core_base::finish_with_exception(std::exception_ptr error) {
  if (is_cancellation(error)) {
    finish_cancelled();
  } else {
    exception_ = std::move(error);
    finish(task_state::failed);
  }
}

void task_core_base::finish_cancelled() {
  exception_ = std::make_exception_ptr(
      cancelled_error(fmt::format("corio: task '{}' was cancelled", name())));
  finish(task_state::cancelled);
}

void task_core_base::finish(task_state state) {
  // Debug mode's watchdog may be reading this task; it stops before state_ changes.
  if (debug_monitor* monitor = this_loop_thread.monitor; monitor != nullptr) [[unlikely]]
    monitor->task_finishing(*this, state);
  state_ = state;
  if (logger().should_log(spdlog::level::debug)) {
    if (state == task_state::failed)
      logger().debug("finished {} {}", repr(), describe(exception_));
    else
      logger().debug("finished {}", repr());
  }
  joiners_.notify_all();
  if (task_registry* registry = std::exchange(registry_, nullptr)) {
    registry->remove(*this);
    if (registry->on_task_finished)
      registry->on_task_finished();
  }
}

std::string task_core_base::repr() const {
  std::ostringstream out;
  print(out);
  return out.str();
}

void task_core_base::print(std::ostream& out) const {
  out << "<Task " << state_ << " name='" << name() << "'";
  if (state_ == task_state::failed)
    out << " exception='" << describe(exception_) << "'";
  out << '>';
}

std::ostream& task_core_base::print(std::ostream& out, const task_core_base* core) {
  if (core == nullptr)
    return out << "<Task empty>";
  core->print(out);
  return out;
}

void throw_result_taken(const task_core_base& core) {
  throw std::logic_error(fmt::format("corio: the result of task '{}' is move-only and an earlier "
                                     "co_await already took it",
                                     core.name()));
}

void throw_empty_task() {
  throw std::logic_error("corio::task: empty handle (default-constructed or moved-from)");
}

} // namespace corio::detail

namespace corio::detail {

void throw_result_pending(const task_core_base& core) {
  throw std::logic_error(
      fmt::format("corio::task::result: task '{}' has not finished yet", core.name()));
}

} // namespace corio::detail
