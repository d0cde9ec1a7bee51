#include <corio/clock.hpp>
#include <corio/detail/loop_clock.hpp>
#include <corio/detail/step.hpp>
#include <corio/log.hpp>
#include <corio/timer.hpp>

#include <fmt/format.h>

#include <exception>
#include <stdexcept>

namespace corio {

clock::time_point clock::now() noexcept {
  const detail::loop_clock* loop = detail::this_loop_thread.clock;
  return loop != nullptr ? loop->now() : std::chrono::steady_clock::now();
}

void advance(clock::duration duration) {
  detail::loop_clock* loop = detail::this_loop_thread.clock;
  if (loop == nullptr || !loop->is_virtual())
    throw std::logic_error(loop == nullptr
                               ? "corio::advance: no corio loop runs on this thread"
                               : "corio::advance: this loop runs on real time; start it with "
                                 "run_options{.virtual_time = true} to step its clock");
  if (duration < clock::duration::zero())
    throw std::invalid_argument(fmt::format(
        "corio::advance: time cannot go back, got a negative duration ({} ns)", duration.count()));
  const auto now = loop->now();
  loop->advance_to(duration >= clock::time_point::max() - now ? clock::time_point::max()
                                                              : now + duration);
}

std::optional<clock::time_point> next_wake_up() noexcept {
  const detail::loop_clock* loop = detail::this_loop_thread.clock;
  return loop != nullptr ? loop->next_wake_up() : std::nullopt;
}

} // namespace corio

namespace corio::detail {

void loop_clock::advance_to(time_point when) {
  if (when > now_)
    now_ = when;
  timers_.fire_due(now_);
}

std::optional<loop_clock::time_point> loop_clock::next_wake_up() const noexcept {
  if (!virtual_)
    return std::nullopt;
  return timers_.earliest();
}

std::chrono::steady_clock::time_point deadline_after(std::chrono::steady_clock::duration limit) {
  using clock = std::chrono::steady_clock;
  const auto now = corio::clock::now();
  if (limit >= clock::time_point::max() - now)
    return clock::time_point::max();
  return now + limit;
}

void note_timer_wait() noexcept {
  note_wait_started();
  note_waiting("timer");
}

namespace {

timer_queue* virtual_timer_queue_of_this_thread() noexcept {
  loop_clock* clock = this_loop_thread.clock;
  return clock != nullptr && clock->is_virtual() ? &clock->timers() : nullptr;
}

} // namespace

loop_timer::loop_timer(const executor& ex)
    : timer_(ex), queue_(virtual_timer_queue_of_this_thread()) {}

loop_timer::~loop_timer() {
  leave_queue();
}

std::size_t loop_timer::expires_at(loop_clock::time_point deadline) {
  leave_queue();
  fired_ = false;
  deadline_ = deadline;
  // On a virtual loop the Asio timer only parks the wait; the clock fires it.
  return timer_.expires_at(queue_ != nullptr ? loop_clock::time_point::max() : deadline);
}

std::size_t loop_timer::cancel() {
  leave_queue();
  fired_ = false;
  return timer_.cancel();
}

void loop_timer::cancel_quietly() noexcept {
  try {
    cancel();
  } catch (const std::exception& error) {
    logger().error("corio::timer: cancelling the pending waits failed: {}", error.what());
  }
}

void loop_timer::arm() {
  ++waits_;
  if (queue_ == nullptr || deadline_ == loop_clock::time_point::max())
    return;
  if (deadline_ <= queue_->now()) {
    // Due already: complete on the reactor's next turn, as an expired steady_timer does.
    fired_ = true;
    fired_through_ = waits_;
    timer_.expires_at(loop_clock::time_point::min());
    return;
  }
  leave_queue();
  queue_->add(*this, deadline_, timer_.get_executor());
}

void loop_timer::fire() {
  fired_ = true;
  fired_through_ = waits_;
  timer_.cancel(); // the parked wait completes (operation_aborted; fired() says why)
}

void loop_timer::leave_queue() noexcept {
  if (queued())
    queue_->remove(*this);
}

} // namespace corio::detail
