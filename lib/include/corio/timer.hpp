// corio/timer.hpp - an Asio-style timer on the loop's clock: asio::steady_timer's
// interface, but it follows virtual time (clock.hpp) as corio::sleep does.
//
//   corio::timer t(co_await boost::asio::this_coro::executor);
//   t.expires_after(5s);
//   co_await t.async_wait(boost::asio::use_awaitable_t<corio::executor>());
//   t.async_wait([](boost::system::error_code error) { /* a callback, any token */ });
//   auto [e1, e2] = ... make_parallel_group(a.async_wait(deferred), b.async_wait(deferred))
//
// For Asio-style code (callbacks, deferred, parallel groups, Beast-style composed
// operations) that must follow the loop clock in tests. On a real loop it is an
// asio::steady_timer with corio::clock's time points. On a virtual loop a wait is on the
// loop clock's queue, so the driver jumps to it like to a sleep; a raw asio::steady_timer
// there is real time (and a task waiting in one holds time standing), and
// asio::basic_waitable_timer<corio::clock> compiles but corio cannot jump to it: it only
// fires when something else moves the clock. Semantics are steady_timer's: a wait
// completes with success at its expiry and with operation_aborted when cancelled, when
// the expiry is changed, or when the timer is destroyed; an expiry not later than now()
// completes on the next turn; an expiry that had already been reached when the timer was
// changed or cancelled still reports success (the wait had completed, as in Asio).
//
// The loop is the one running on the thread that constructs the timer; on a thread that
// runs no corio loop (a plain io_context) it is real time. A task awaiting async_wait
// counts as waiting on virtual time. Limit: a wait composed with a raw Asio operation in
// one awaited step (a parallel group of this timer and a socket read) counts as virtual
// too, so on virtual time the timer wins that race; put the read under corio::timeout
// instead, whose read runs in a task of its own and holds time standing.
//
// Thread-safety: as steady_timer: one loop's thread. Cancellation: a wait's per-operation
// cancellation (a corio task cancelled while awaiting it, bind_cancellation_slot)
// completes it with operation_aborted, as steady_timer's.
#ifndef CORIO_TIMER_HPP
#define CORIO_TIMER_HPP

#include <corio/awaitable.hpp>
#include <corio/clock.hpp>
#include <corio/detail/loop_clock.hpp>
#include <corio/detail/task_executor.hpp>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace corio {

namespace detail {

void note_timer_wait() noexcept;

// Reports a wait that the virtual clock ended (the parked Asio wait was cancelled to
// deliver it) as the success it is. Holds the timer, so it may outlive corio::timer.
template <typename Handler>
struct timer_wait_handler {
  std::shared_ptr<loop_timer> timer;
  std::uint64_t wait = 0;
  Handler handler;

  void operator()(boost::system::error_code error) {
    if (error == boost::asio::error::operation_aborted && timer->fired(wait))
      error = {};
    timer->wait_ended();
    timer.reset();
    std::move(handler)(error);
  }
};

} // namespace detail

/// A steady_timer on the loop clock (see the top of this header).
class timer {
public:
  using clock_type = corio::clock;
  using duration = clock::duration;
  using time_point = clock::time_point;
  using executor_type = executor;

  /// A timer of the loop running on this thread, expiring "never" until set.
  explicit timer(const executor_type& ex)
      : executor_(ex), timer_(std::make_shared<detail::loop_timer>(detail::loop_executor(ex))) {}
  timer(const executor_type& ex, time_point expiry) : timer(ex) { expires_at(expiry); }
  timer(const executor_type& ex, duration from_now) : timer(ex) { expires_after(from_now); }
  /// Cancels pending waits (operation_aborted), as steady_timer's destructor.
  ~timer() {
    if (timer_)
      timer_->cancel_quietly();
  }
  timer(timer&&) noexcept = default;
  timer& operator=(timer&& other) noexcept {
    if (this != &other) {
      if (timer_)
        timer_->cancel_quietly();
      executor_ = std::move(other.executor_);
      timer_ = std::move(other.timer_);
    }
    return *this;
  }
  timer(const timer&) = delete;
  timer& operator=(const timer&) = delete;

  executor_type get_executor() const noexcept { return executor_; }
  time_point expiry() const noexcept { return timer_->expiry(); }

  /// Sets the expiry; cancels pending waits and returns how many.
  std::size_t expires_at(time_point expiry) { return timer_->expires_at(expiry); }
  /// Sets the expiry to the loop's now() + `from_now` (saturating at time_point::max()).
  std::size_t expires_after(duration from_now) {
    return expires_at(detail::deadline_after(from_now));
  }
  /// Cancels pending waits (they complete with operation_aborted); returns how many.
  std::size_t cancel() { return timer_->cancel(); }

  /// Waits for the expiry; completes with void(error_code), with any completion token.
  template <typename Token = boost::asio::default_completion_token_t<executor_type>>
  auto async_wait(Token&& token = Token()) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [timer = timer_](auto handler) {
          detail::note_timer_wait();
          const std::uint64_t wait = timer->next_wait();
          timer->async_wait(
              detail::timer_wait_handler<decltype(handler)>{timer, wait, std::move(handler)});
        },
        token);
  }

private:
  executor_type executor_;
  std::shared_ptr<detail::loop_timer> timer_; // shared with the handlers of its waits
};

} // namespace corio

// The wait's handler keeps the user handler's executor, allocator and cancellation slot.
template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct boost::asio::associator<Associator, corio::detail::timer_wait_handler<Handler>,
                               DefaultCandidate> : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type
  get(const corio::detail::timer_wait_handler<Handler>& handler) noexcept {
    return Associator<Handler, DefaultCandidate>::get(handler.handler);
  }
  static auto get(const corio::detail::timer_wait_handler<Handler>& handler,
                  const DefaultCandidate& candidate) noexcept {
    return Associator<Handler, DefaultCandidate>::get(handler.handler, candidate);
  }
};

#endif // CORIO_TIMER_HPP
