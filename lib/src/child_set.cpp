#include <corio/detail/child_set.hpp>
#include <corio/errors.hpp>
#include <corio/log.hpp>

#include <fmt/format.h>

namespace corio::detail {

child_set::child_set(executor ex, child_set_options options)
    : ex_(std::move(ex)), options_(options) {}

void child_set::watch(const boost::intrusive_ptr<task_core_base>& core) {
  const std::size_t index = children_.size();
  children_.push_back(core);
  ++live_;
  auto handler = boost::asio::bind_executor(ex_, watcher{this, index});
  if (core->done())
    post_completion(std::move(handler), {});
  else
    core->joiners().async_wait({}, std::move(handler));
}

void child_set::stop() noexcept {
  stopping_ = true;
  for (const auto& child : children_)
    if (child)
      child->cancel();
}

void child_set::fail(std::exception_ptr error) {
  if (!first_failure_ && !stopping_) {
    first_failure_ = std::move(error);
    first_failure_name_ = options_.owner;
  } else {
    further_.push_back(std::move(error));
  }
  stop();
}

void child_set::child_ended(std::size_t index) {
  const boost::intrusive_ptr<task_core_base> child = std::move(children_[index]);
  --live_;
  finished_.push_back(index);
  const bool first = finished_.size() == 1;
  if (options_.keep_finished)
    unreported_.push_back(child);
  if (options_.watch_only) {
    wakeups_.notify_all();
    return;
  }
  const task_state state = child->state();
  const bool failed = state == task_state::failed ||
                      (state == task_state::cancelled && options_.cancellation_is_failure);
  // A task_group stopped by cancel() (not by a failure) still reports the first
  // child that fails while ending, rather than dropping it.
  const bool reported_later = options_.report_failures && abandoned_because_ == nullptr &&
                              !first_failure_ && state == task_state::failed;
  const bool first_failure = failed && (!stopping_ || reported_later);
  if (first_failure) {
    first_failure_ = child->retrieve_exception();
    first_failure_name_ = child->name();
    stop();
  } else if (state == task_state::failed) {
    further_.push_back(child->retrieve_exception());
    if (abandoned_because_ != nullptr)
      logger().warn("{}: dropped the failure of task '{}' because {}: {}", options_.owner,
                    child->name(), abandoned_because_, describe(further_.back()));
    else if (!options_.report_failures)
      logger().warn("{}: dropped a further failure after the first one: task '{}': {}",
                    options_.owner, child->name(), describe(further_.back()));
  }
  if (first && options_.first_end_settles)
    stop();
  wakeups_.notify_all();
}

void child_set::abandon(const char* why) {
  if (abandoned_because_ != nullptr)
    return;
  abandoned_because_ = why;
  if (first_failure_)
    logger().warn("{}: dropped the failure of task '{}' because {}: {}", options_.owner,
                  first_failure_name_, why, describe(first_failure_));
  if (options_.report_failures) // otherwise child_ended() logged them already
    for (const auto& further : further_)
      logger().warn("{}: dropped a further failure because {}: {}", options_.owner, why,
                    describe(further));
}

void child_set::throw_cancelled() {
  abandon("its awaiter was cancelled");
  throw cancelled_error(fmt::format("{}: cancelled while waiting for its tasks", options_.owner));
}

} // namespace corio::detail
