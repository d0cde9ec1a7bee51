#include <corio/detail/loop_clock.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/timer_queue.hpp>
#include <corio/log.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <exception>

namespace corio::detail {

timer_queue::timer_queue(boost::asio::execution_context& context)
    : boost::asio::execution_context::service(context) {}

timer_queue& timer_queue::of(const executor& loop) {
  auto& context = boost::asio::query(loop, boost::asio::execution::context);
  if (loop_clock* clock = this_loop_thread.clock;
      clock != nullptr && &clock->timers().context() == &context)
    return clock->timers();
  return boost::asio::use_service<timer_queue>(context);
}

timer_queue::time_point timer_queue::now() const noexcept {
  return clock_ != nullptr ? clock_->now() : std::chrono::steady_clock::now();
}

void timer_queue::add(timer_queue_entry& entry, time_point deadline, const executor& loop) {
  entry.deadline_ = deadline;
  entries_.insert(entry); // after the entries with an equal deadline
  if (clock_ == nullptr && deadline < armed_for_)
    arm(deadline, loop);
}

void timer_queue::remove(timer_queue_entry& entry) noexcept {
  entries_.erase(entries_.iterator_to(entry));
  if (!entries_.empty() || armed_for_ == time_point::max())
    return;
  // Nobody waits any more: a pending wake-up would keep io_context::run() busy until it
  // expires. Cancelling a steady_timer throws only if the reactor fails.
  armed_for_ = time_point::max();
  ++arms_;
  try {
    wake_->cancel();
  } catch (const std::exception& error) {
    logger().error("corio::sleep: cancelling the wake-up timer failed: {}", error.what());
  }
}

std::optional<timer_queue::time_point> timer_queue::earliest() const noexcept {
  if (entries_.empty())
    return std::nullopt;
  return entries_.begin()->deadline();
}

void timer_queue::fire_due(time_point now) {
  while (!entries_.empty() && entries_.begin()->deadline() <= now) {
    timer_queue_entry& entry = *entries_.begin();
    entries_.erase(entries_.begin());
    entry.fire();
  }
}

void timer_queue::arm(time_point deadline, const executor& loop) {
  if (!wake_)
    wake_.emplace(loop);
  armed_for_ = deadline;
  wake_->expires_at(deadline); // a pending wake-up ends aborted, and is ignored
  wake_->async_wait([this, number = ++arms_](boost::system::error_code) {
    if (number == arms_)
      woken();
  });
}

void timer_queue::woken() {
  armed_for_ = time_point::max();
  fire_due(std::chrono::steady_clock::now());
  if (!entries_.empty() && clock_ == nullptr)
    arm(entries_.begin()->deadline(), wake_->get_executor());
}

void timer_queue::shutdown() {
  // The context is going away with entries still queued (a task that never ran to its
  // end): drop their handlers, whose destruction unwinds the coroutines.
  while (!entries_.empty()) {
    timer_queue_entry& entry = *entries_.begin();
    entries_.erase(entries_.begin());
    entry.abandon();
  }
  wake_.reset();
}

} // namespace corio::detail
