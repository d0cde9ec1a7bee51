// corio/cancel_scope.hpp - deadlines and cancel scopes around an awaitable
// (asyncio.timeout_at / Timeout, Trio CancelScope / move_on_after / fail_at).
//
//   auto page = co_await corio::timeout_at(deadline, fetch(url));     // or timeout_error
//   std::optional<page> p = co_await corio::move_on_after(2s, fetch(url)); // empty: cut
//   corio::cancel_scope scope{corio::now() + 5s};           // a handle: copies share it
//   spawn(watchdog(scope));                                // may reschedule() / cancel()
//   auto page = co_await scope.run(fetch(url));
//   if (auto left = corio::current_deadline()) ...         // inside fetch(): the budget
//
// A cancel_scope is a deadline (time_point::max(): none) and a cancel() covering one
// operation. scope.run(aw) runs aw as a child task and returns its value; when the
// scope's deadline passes first it cancels aw, waits until aw has ended, and throws
// timeout_error; when the scope's cancel() cut it, cancelled_error. scope.move_on(aw)
// returns std::optional<T> (bool for void: true when aw completed) that is empty when
// the scope cut it (Trio's CancelScope). timeout_at(tp, aw) is cancel_scope{tp}.run(aw);
// move_on_at / move_on_after are cancel_scope{...}.move_on(aw). An operation that ends
// by itself (a value, its own exception, a cancellation it caught) gives just that.
//
// The scope: deadline() (max(): none); reschedule(tp) moves it, also while aw runs
// (an earlier deadline may fire at once); after the deadline has expired, reschedule
// throws std::logic_error (the cut was delivered; asyncio refuses too), before or
// after the run it only records the new deadline. cancel() cuts aw at its next
// suspension; called before run it cuts aw at its first suspension, called after aw
// finished it changes nothing (cancel_called() turns true). expired(): the deadline
// passed while aw ran (its timer fired, or it had passed when aw ended cancelled).
// cancel_called(): cancel() was called or the deadline expired (Trio's meaning). A
// scope runs one operation: a second run()/move_on() throws std::logic_error.
//
// Deadlines: a deadline in the past still starts aw, which is cut at its first
// suspension (one that never suspends returns its value); time_point::max() never
// expires. Deadlines are time points of the loop clock (clock.hpp: build them from
// corio::now()), so they follow virtual time. move_on_after(d) with d negative or
// NaN is std::invalid_argument, thrown when awaited (as timeout(), timeout.hpp);
// huge durations saturate to "never".
//
// Nesting: the effective deadline is the minimum of the enclosing scopes',
// current_deadline() returns it (nullopt: none), in aw and in everything aw awaits
// in its task, including aw's own scopes (tasks aw spawns start with none, except
// with_task_group's body and children, which see it: task_group.hpp). Trio's
// rule decides who reports: when aw ends cancelled, a scope reports its own cut only
// if nothing outside it is cancelling too. So an inner scope's expiry never surfaces
// as an outer's timeout_error (the outer gets the inner's timeout_error as aw's own
// exception, like any other), an outer deadline that passes while the inner runs is
// never the inner's: the inner passes the cancellation on (expired() false) and the
// outer throws its timeout_error; when both deadlines have passed by the time aw
// ends, both report expired() and only the outermost throws.
//
// Cancellation: cancelling the awaiting coroutine cancels aw, waits for it to end,
// and throws cancelled_error (never timeout_error, never empty), unless aw swallowed
// it and returned a value. Nothing is left running when run()/move_on() returns.
// Non-guarantee: an operation that completes in the same turn as the deadline may
// either win or be cut.
// Thread-safety: a scope and its handles belong to one loop thread; to cancel from
// another thread, use a std::stop_token and cancel_on() (cancel_on.hpp).
#ifndef CORIO_CANCEL_SCOPE_HPP
#define CORIO_CANCEL_SCOPE_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/duration.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/scope_state.hpp>
#include <corio/detail/start_task.hpp>
#include <corio/errors.hpp>

#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace corio {

/// What move_on() gives: std::optional<T>, or bool (true: completed) for void.
template <typename T>
using moved_on_t = std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>;

/// The deadline in force for the running task (the minimum over its enclosing
/// scopes); nullopt when none, or outside a task.
std::optional<std::chrono::steady_clock::time_point> current_deadline() noexcept;

namespace detail {

enum class scope_mode { fail, move_on };

template <scope_mode Mode, typename T>
using scoped_t = std::conditional_t<Mode == scope_mode::fail, T, moved_on_t<T>>;

/// Runs `operation` as the child task of `scope`; `relative` starts the deadline's
/// clock now (timeout(d), move_on_after(d)).
template <scope_mode Mode, typename T>
awaitable<scoped_t<Mode, T>> run_scoped(std::shared_ptr<scope_state> scope,
                                        std::optional<duration_check> relative,
                                        awaitable<T> operation) {
  if (relative) {
    relative->throw_if_invalid(scope->function());
    scope->start_clock(relative->value);
  }
  scope->check_idle();
  auto outer_cancellation = co_await boost::asio::this_coro::cancellation_state;
  auto ex = co_await boost::asio::this_coro::executor;
  auto child =
      start_task(ex, std::move(operation), scope->task_name(), std::source_location::current());
  loop_timer timer(loop_executor(ex)); // its handler is not a step of this task
  scope->begin(*child, timer, loop_executor(ex));
  join_outcome<T> outcome = co_await join_capturing(child, join_mode::propagate);
  const scope_exit verdict =
      scope->finish(outcome.error && child->state() == task_state::cancelled,
                    outer_cancellation.cancelled() != boost::asio::cancellation_type::none);
  if constexpr (Mode == scope_mode::fail) {
    if (verdict == scope_exit::timed_out)
      scope->throw_timeout();
    if (verdict == scope_exit::cut)
      scope->throw_cut();
    co_return std::move(outcome).get();
  } else if (verdict != scope_exit::pass) {
    co_return moved_on_t<T>{};
  } else if constexpr (std::is_void_v<T>) {
    std::move(outcome).get();
    co_return true;
  } else {
    co_return moved_on_t<T>(std::move(outcome).get());
  }
}

} // namespace detail

/// A deadline and a cancel() covering one operation; a cheap handle (copies share
/// the scope), so another task can keep one to reschedule or cancel it.
class cancel_scope {
public:
  using clock = std::chrono::steady_clock;

  /// A scope with no deadline (cancel() only).
  cancel_scope() : cancel_scope(clock::time_point::max()) {}
  explicit cancel_scope(clock::time_point deadline)
      : state_(std::make_shared<detail::scope_state>(deadline, "corio::cancel_scope",
                                                     "corio.cancel_scope", "cancel()")) {}

  /// time_point::max() when the scope has no deadline.
  clock::time_point deadline() const noexcept { return state_->deadline(); }
  void reschedule(clock::time_point deadline) { state_->reschedule(deadline); }
  void cancel() noexcept { state_->cancel(); }
  bool expired() const noexcept { return state_->expired(); }
  bool cancel_called() const noexcept { return state_->cancel_called(); }

  /// Runs `operation` in the scope: its value, or timeout_error / cancelled_error
  /// when the scope cut it.
  template <awaitable_like A>
  awaitable<awaitable_result_t<A>> run(A operation) const {
    return detail::run_scoped<detail::scope_mode::fail>(state_, std::nullopt,
                                                        detail::to_awaitable(std::move(operation)));
  }
  /// Runs `operation` in the scope: empty (false for void) when the scope cut it.
  template <awaitable_like A>
  awaitable<moved_on_t<awaitable_result_t<A>>> move_on(A operation) const {
    return detail::run_scoped<detail::scope_mode::move_on>(
        state_, std::nullopt, detail::to_awaitable(std::move(operation)));
  }

private:
  std::shared_ptr<detail::scope_state> state_;
};

namespace detail {

/// A scope with no deadline yet, named for errors and all_tasks().
inline std::shared_ptr<scope_state> make_scope(const char* function, const char* task_name,
                                               const char* cut_by = "cancel()") {
  return std::make_shared<scope_state>(std::chrono::steady_clock::time_point::max(), function,
                                       task_name, cut_by);
}
} // namespace detail

/// Awaits `operation` until `deadline`; throws timeout_error when it passes first.
template <awaitable_like A>
awaitable<awaitable_result_t<A>> timeout_at(std::chrono::steady_clock::time_point deadline,
                                            A operation) {
  auto scope = detail::make_scope("corio::timeout_at", "corio.timeout_at");
  scope->reschedule(deadline);
  return detail::run_scoped<detail::scope_mode::fail>(std::move(scope), std::nullopt,
                                                      detail::to_awaitable(std::move(operation)));
}

/// Awaits `operation` until `deadline`; empty (false for void) when it passes first.
template <awaitable_like A>
awaitable<moved_on_t<awaitable_result_t<A>>>
move_on_at(std::chrono::steady_clock::time_point deadline, A operation) {
  return cancel_scope(deadline).move_on(std::move(operation));
}

/// Awaits `operation` for at most `limit` (counted from when it is awaited); empty
/// (false for void) when the limit passes first.
template <typename Rep, typename Period, awaitable_like A>
awaitable<moved_on_t<awaitable_result_t<A>>> move_on_after(std::chrono::duration<Rep, Period> limit,
                                                           A operation) {
  return detail::run_scoped<detail::scope_mode::move_on>(
      detail::make_scope("corio::move_on_after", "corio.move_on"), detail::check_duration(limit),
      detail::to_awaitable(std::move(operation)));
}

} // namespace corio

#endif // CORIO_CANCEL_SCOPE_HPP
