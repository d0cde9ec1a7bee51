// corio/detail/scope_state.hpp - the state one cancel scope shares between its
// handles (cancel_scope.hpp), the coroutine running its operation and its timer.
//
// Design: a scope runs its operation as a child task (as timeout() always did), so
// "cancel what the scope covers" is "cancel that task", and the scope can tell its
// own cut (its deadline, its cancel()) from a cancellation of the awaiter: only the
// scope knows it cut, and join_mode::propagate makes the awaiter wait for the child
// to end either way. The child's core points at the scope (enclosing_scope), and
// the scope at the scope enclosing its awaiter, so current_deadline() walks from the
// running task up through every scope that is awaiting it, in this task and in the
// tasks that awaited it through a scope.
//
// Nesting (Trio's rule: the outermost cancelled scope catches): when the child ends
// cancelled, the scope reports its own cut (timeout_error, or empty for move_on)
// only if nothing outside it is cancelling too: not the awaiter, and no enclosing
// scope whose deadline has passed or who was cancelled. An enclosing scope whose
// deadline has passed but whose timer has not had its turn yet is expired on the
// spot, so two deadlines that pass together always surface as the outer's.
//
// Invariants: a scope runs at most one operation (phase idle -> running ->
// finished); while running, child_ is alive (the join holds it) and so is every
// scope on the parent_ chain (each is suspended in its join, which waits for its
// child whatever happens). `arming_` changes whenever the timer is re-armed or the
// scope ends, so a timer or posted expiry from an earlier arming does nothing.
// Time is the loop's clock (loop_clock.hpp), so deadlines follow virtual time.
// Thread-safety: loop-bound; every member runs on the scope's loop thread.
#ifndef CORIO_DETAIL_SCOPE_STATE_HPP
#define CORIO_DETAIL_SCOPE_STATE_HPP

#include <corio/awaitable.hpp>

#include <corio/detail/loop_clock.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace corio::detail {

class task_core_base;

/// How a scope's operation ended, as far as the scope is concerned.
enum class scope_exit {
  pass,      // return or rethrow what the operation ended with
  timed_out, // the scope's deadline cut it: timeout_error, or empty for move_on
  cut,       // the scope's cancel() cut it: cancelled_error, or empty for move_on
};

class scope_state : public std::enable_shared_from_this<scope_state> {
public:
  using clock = std::chrono::steady_clock;

  /// `function` names the scope in errors ("corio::timeout"); `task_name` is its
  /// child's name; `cut_by` says what cancel() means to the user ("a stop request").
  scope_state(clock::time_point deadline, const char* function, const char* task_name,
              const char* cut_by) noexcept
      : deadline_(deadline), function_(function), task_name_(task_name), cut_by_(cut_by) {}

  clock::time_point deadline() const noexcept { return deadline_; }
  bool expired() const noexcept { return expired_; }
  bool cancel_called() const noexcept { return cancel_called_ || expired_; }
  const char* function() const noexcept { return function_; }
  const char* task_name() const noexcept { return task_name_; }
  const scope_state* parent() const noexcept { return parent_; }

  /// Sets the deadline to now + limit (saturating) when the operation is awaited.
  void start_clock(clock::duration limit) noexcept;
  /// Throws std::logic_error unless the scope is idle (a scope runs one operation).
  void check_idle() const;
  /// The operation starts as `child`, timed by `timer`: arms the deadline, applies a
  /// cancel() made before, links the child to this scope and this scope to the
  /// awaiter's.
  void begin(task_core_base& child, loop_timer& timer, const executor& loop);
  /// The operation has ended (cancelled or not); decides what the awaiter gets.
  scope_exit finish(bool work_cancelled, bool awaiter_cancelled);

  void reschedule(clock::time_point deadline);
  void cancel() noexcept;

  [[noreturn]] void throw_timeout() const;
  [[noreturn]] void throw_cut() const;

private:
  enum class phase : unsigned char { idle, running, finished };
  enum class cut : unsigned char { none, deadline, call };

  void arm();
  void expire() noexcept;
  void cut_now() noexcept;
  /// Cancels for the outermost enclosing scope that is due; true if there is one.
  bool enclosing_scope_takes_over() const noexcept;
  template <typename Function>
  void post_step(Function function);

  clock::time_point deadline_;
  const char* function_;
  const char* task_name_;
  const char* cut_by_;
  clock::duration limit_ = clock::duration::min(); // for the message of a timeout(d)
  phase phase_ = phase::idle;
  cut first_cut_ = cut::none;
  bool expired_ = false;
  bool cancel_called_ = false;
  std::uint64_t arming_ = 0;
  task_core_base* child_ = nullptr; // while running
  loop_timer* timer_ = nullptr;     // while running
  executor loop_;
  scope_state* parent_ = nullptr; // while running
};

} // namespace corio::detail

#endif // CORIO_DETAIL_SCOPE_STATE_HPP
