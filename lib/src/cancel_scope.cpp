#include <corio/cancel_scope.hpp>

#include <corio/clock.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace corio {

std::optional<std::chrono::steady_clock::time_point> current_deadline() noexcept {
  const detail::task_core_base* task = detail::running_task();
  if (task == nullptr)
    return std::nullopt;
  auto earliest = std::chrono::steady_clock::time_point::max();
  for (const detail::scope_state* scope = task->enclosing_scope(); scope != nullptr;
       scope = scope->parent())
    earliest = std::min(earliest, scope->deadline());
  if (earliest == std::chrono::steady_clock::time_point::max())
    return std::nullopt;
  return earliest;
}

} // namespace corio

namespace corio::detail {

void scope_state::start_clock(clock::duration limit) noexcept {
  limit_ = limit;
  deadline_ = deadline_after(limit);
}

void scope_state::check_idle() const {
  if (phase_ != phase::idle)
    throw std::logic_error(fmt::format("{}: this scope has already been entered; a scope runs "
                                       "one operation (make a new one)",
                                       function_));
}

template <typename Function>
void scope_state::post_step(Function function) {
  post_to_loop(loop_, [self = shared_from_this(), function]() {
    if (self->phase_ == phase::running)
      function(*self);
  });
}

void scope_state::begin(task_core_base& child, loop_timer& timer, const executor& loop) {
  phase_ = phase::running;
  child_ = &child;
  timer_ = &timer;
  loop_ = loop;
  if (task_core_base* awaiter = running_task())
    parent_ = awaiter->enclosing_scope();
  child.set_enclosing_scope(this);
  if (cancel_called_) // cancel() before the run: cut at the first suspension
    post_step([](scope_state& self) { self.cut_now(); });
  arm();
}

void scope_state::arm() {
  ++arming_;
  timer_->cancel();
  if (deadline_ == clock::time_point::max())
    return;
  if (deadline_ <= corio::clock::now()) {
    // An expired timer's handler waits for the reactor, which may run only after the
    // child's second step (a yield_now() would then escape the deadline), so the
    // expiry is posted instead: it runs right after the child's first step, whose
    // launcher was posted before it.
    post_step([arming = arming_](scope_state& self) {
      if (self.arming_ == arming)
        self.expire();
    });
    return;
  }
  timer_->expires_at(deadline_);
  timer_->async_wait([self = shared_from_this(), arming = arming_](boost::system::error_code ec) {
    if (self->phase_ == phase::running && self->arming_ == arming && (!ec || self->timer_->fired()))
      self->expire();
  });
}

void scope_state::expire() noexcept {
  if (phase_ != phase::running || expired_)
    return;
  expired_ = true;
  if (first_cut_ == cut::none) {
    first_cut_ = cut::deadline;
    child_->cancel();
  }
}

void scope_state::cut_now() noexcept {
  if (first_cut_ == cut::none) {
    first_cut_ = cut::call;
    child_->cancel();
  }
}

void scope_state::cancel() noexcept {
  cancel_called_ = true;
  if (phase_ == phase::running)
    cut_now();
}

void scope_state::reschedule(clock::time_point deadline) {
  if (expired_)
    throw std::logic_error(fmt::format("{}: reschedule() on a scope whose deadline has expired; "
                                       "its operation was already cut",
                                       function_));
  deadline_ = deadline;
  limit_ = clock::duration::min();
  if (phase_ == phase::running)
    arm();
}

bool scope_state::enclosing_scope_takes_over() const noexcept {
  const auto now = corio::clock::now();
  scope_state* outermost = nullptr;
  for (scope_state* scope = parent_; scope != nullptr; scope = scope->parent_)
    if (scope->first_cut_ != cut::none || scope->deadline_ <= now)
      outermost = scope;
  if (outermost == nullptr)
    return false;
  outermost->expire(); // due, but its timer has not had its turn yet (no-op if cut)
  return true;
}

scope_exit scope_state::finish(bool work_cancelled, bool awaiter_cancelled) {
  // Decided while the scope is still linked to the enclosing ones.
  const bool outside = work_cancelled && (awaiter_cancelled || enclosing_scope_takes_over());
  if (work_cancelled && deadline_ <= corio::clock::now())
    expired_ = true; // the deadline passed while the operation ran
  phase_ = phase::finished;
  ++arming_;
  timer_->cancel();
  timer_ = nullptr;
  child_ = nullptr;
  parent_ = nullptr;
  if (!work_cancelled || outside)
    return scope_exit::pass;
  if (first_cut_ == cut::call)
    return scope_exit::cut;
  return expired_ ? scope_exit::timed_out : scope_exit::pass;
}

void scope_state::throw_timeout() const {
  if (limit_ != clock::duration::min())
    throw timeout_error(fmt::format("{}: the operation did not finish within {}", function_,
                                    format_seconds(limit_)));
  throw timeout_error(fmt::format("{}: the operation did not finish by its deadline", function_));
}

void scope_state::throw_cut() const {
  throw cancelled_error(fmt::format("{}: the operation was cancelled by {}", function_, cut_by_));
}

} // namespace corio::detail
