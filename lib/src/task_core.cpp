#include <corio/detail/runtime.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/errors.hpp>
#include <corio/log.hpp>
#include <corio/task.hpp>

#include <fmt/format.h>
#include <fmt/ostream.h>

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

std::string repr(const task_core_base& core) {
  std::ostringstream out;
  core.print(out);
  return out.str();
}

std::string where(const std::source_location& site) {
  return fmt::format("{}:{}", site.file_name(), site.line());
}

} // namespace

task_core_base::task_core_base(task_registry& registry, std::string name,
                               std::source_location spawn_site)
    : number_(name.empty() ? registry.next_default_number() : 0), name_(std::move(name)),
      spawn_site_(spawn_site), registry_(&registry) {
  registry.add(*this);
  if (logger().should_log(spdlog::level::debug))
    logger().debug("created {} at {}", repr(*this), where(spawn_site_));
}

task_core_base::~task_core_base() {
  if (state_ == task_state::failed && !exception_retrieved_)
    logger().warn("Task exception was never retrieved: {} {} (spawned at {})", repr(*this),
                  describe(exception_), where(spawn_site_));
  if (registry_ != nullptr) // destroyed while pending (its loop was torn down)
    registry_->remove(*this);
}

std::string task_core_base::name() const {
  return number_ != 0 ? fmt::format("Task-{}", number_) : name_;
}

bool task_core_base::cancel() noexcept {
  if (done())
    return false;
  cancel_signal_.emit(boost::asio::cancellation_type::terminal);
  return true;
}

void task_core_base::cancel_for_deadline() noexcept {
  if (done())
    return;
  deadline_expired_ = true;
  cancel();
}

std::exception_ptr task_core_base::retrieve_exception() noexcept {
  if (state_ == task_state::failed)
    exception_retrieved_ = true;
  return exception_;
}

void task_core_base::finish_with_exception(std::exception_ptr error) {
  if (is_cancellation(error)) {
    exception_ = std::make_exception_ptr(
        cancelled_error(fmt::format("corio: task '{}' was cancelled", name())));
    finish(task_state::cancelled);
  } else {
    exception_ = std::move(error);
    finish(task_state::failed);
  }
}

void task_core_base::finish(task_state state) {
  state_ = state;
  if (logger().should_log(spdlog::level::debug)) {
    if (state == task_state::failed)
      logger().debug("finished {} {}", repr(*this), describe(exception_));
    else
      logger().debug("finished {}", repr(*this));
  }
  joiners_.notify_all();
  if (task_registry* registry = std::exchange(registry_, nullptr)) {
    registry->remove(*this);
    if (registry->on_task_finished)
      registry->on_task_finished();
  }
}

void task_core_base::print(std::ostream& out) const {
  out << "<Task " << state_ << " name='" << name() << "'";
  if (state_ == task_state::failed)
    out << " exception='" << describe(exception_) << "'";
  out << '>';
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

executor current_executor(const char* function) {
  runtime* current = runtime::current();
  if (current == nullptr)
    throw std::logic_error(fmt::format(
        "{}: no corio loop runs on this thread; call it inside corio::run(), or pass an executor",
        function));
  return current->get_executor();
}

} // namespace corio::detail

namespace corio::detail {

void throw_result_pending(const task_core_base& core) {
  throw std::logic_error(
      fmt::format("corio::task::result: task '{}' has not finished yet", core.name()));
}

} // namespace corio::detail
