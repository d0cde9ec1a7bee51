// corio/sleep.hpp - pausing a coroutine without blocking the loop
// (asyncio.sleep, and sleep(0) as yield_now).
//
//   co_await corio::sleep(100ms);           // other tasks run meanwhile
//   co_await corio::sleep_until(corio::now() + 5s);  // a time point of the loop clock
//   co_await corio::yield_now();            // let every ready task take a step
//
// Durations: negative ones (and NaN) are rejected with std::invalid_argument when
// sleep() is called, because a negative sleep is almost always a bug; durations
// too large for steady_clock saturate ("forever", still cancellable). A deadline
// in the past completes on the next turn of the loop.
//
// Time is the loop's clock (clock.hpp): steady_clock, or virtual time under
// run_options::virtual_time, where sleeps take no wall time.
//
// Never call std::this_thread::sleep_for in a coroutine: it blocks the one loop
// thread, and every other task with it (the spinner's --mode blocking shows it).
//
// What sleep() returns is a corio::sleep_operation, an Asio async operation: co_await
// it and the sleep lives in the awaiting coroutine's frame, with no frame, timer or
// wait operation of its own (docs/design.md, "Light tasks"). It converts to an
// awaitable<void> where one is needed (spawn(corio::sleep(1h)), timeout(d, sleep(..)))
// and takes any Asio completion token: sleep(1s)(asio::deferred), a callback bound to
// the loop's executor, a parallel group. Each sleep_operation is one sleep; its
// deadline is fixed when sleep() is called.
//
// Cancellation: sleeping is cancellable at once and throws corio::cancelled_error;
// nothing is left behind (other completion tokens get operation_aborted). yield_now() is a
// cancellation point too (as asyncio's sleep(0)): a cancellation requested while it waits for its
// turn throws cancelled_error when it resumes (not inside enter_cleanup()'s scope). Thread-safety:
// call from a coroutine on the loop thread.
#ifndef CORIO_SLEEP_HPP
#define CORIO_SLEEP_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/duration.hpp>
#include <corio/detail/primitive.hpp> // throw_cancelled
#include <corio/detail/sleep_wait.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <type_traits>
#include <utility>

namespace corio {

class sleep_operation;

/// Suspends until `deadline` (asyncio: await asyncio.sleep(deadline - now)).
sleep_operation sleep_until(std::chrono::steady_clock::time_point deadline);

namespace detail {
sleep_operation sleep_for(std::chrono::steady_clock::duration duration);
}

/// One sleep until a deadline of the loop clock, as an Asio async operation with the
/// signature void(error_code), like steady_timer::async_wait.
class sleep_operation {
public:
  using time_point = std::chrono::steady_clock::time_point;
  /// The coroutine it converts to (the awaitable-operation protocol, awaitable.hpp).
  using awaitable_type = awaitable<void>;
  using signature = void(boost::system::error_code);

  time_point deadline() const noexcept { return deadline_; }

  /// Starts the wait with any completion token. The handler's associated executor
  /// must be the loop's (a coroutine's always is).
  template <boost::asio::completion_token_for<signature> CompletionToken>
  auto operator()(CompletionToken&& token) const {
    return boost::asio::async_initiate<CompletionToken, signature>(
        [](auto handler, time_point deadline) {
          detail::sleep_node<std::decay_t<decltype(handler)>>::start(std::move(handler), deadline);
        },
        token, deadline_);
  }

  /// The sleep as a coroutine, where an awaitable<void> is needed. co_await the
  /// operation itself where you can: that needs no coroutine frame.
  operator awaitable<void>() const; // NOLINT(google-explicit-constructor): a sleep is an awaitable

private:
  friend sleep_operation sleep_until(time_point deadline);
  friend sleep_operation detail::sleep_for(std::chrono::steady_clock::duration duration);
  explicit sleep_operation(time_point deadline) noexcept : deadline_(deadline) {}

  time_point deadline_;
};

/// Suspends for `duration` (asyncio.sleep). Throws std::invalid_argument for a
/// negative or NaN duration.
template <typename Rep, typename Period>
sleep_operation sleep(std::chrono::duration<Rep, Period> duration) {
  return detail::sleep_for(detail::checked_duration(duration, "corio::sleep"));
}

/// What yield_now() returns: one turn of the loop, as an Asio async operation with
/// the signature void() (asio::post's). co_await costs no coroutine frame.
class yield_operation {
public:
  using awaitable_type = awaitable<void>;
  using signature = void();

  /// Posts the handler to its associated executor (which must be the loop's).
  template <boost::asio::completion_token_for<signature> CompletionToken>
  auto operator()(CompletionToken&& token) const {
    return boost::asio::async_initiate<CompletionToken, signature>(
        [](auto handler) { detail::post_completion(std::move(handler)); }, token);
  }

  /// The yield as a coroutine, where an awaitable<void> is needed.
  operator awaitable<void>() const; // NOLINT(google-explicit-constructor): a yield is an awaitable
};

/// Lets every other ready task run one step, then resumes (asyncio.sleep(0)).
/// Throws cancelled_error if the task was cancelled meanwhile.
yield_operation yield_now();

} // namespace corio

namespace boost::asio::detail {

// `co_await sleep_operation`: the wait lives in this awaiter, in the awaiting frame.
template <typename Signature, typename Executor>
class awaitable_async_op<Signature, corio::sleep_operation, Executor>
    : public corio::detail::asio_glue::in_frame_awaiter<
          awaitable_async_op<Signature, corio::sleep_operation, Executor>,
          corio::sleep_operation::signature, Executor> {
  using base = typename awaitable_async_op::in_frame_awaiter;

public:
  awaitable_async_op(const corio::sleep_operation& operation,
                     awaitable_frame_base<Executor>* frame) noexcept
      : base(frame), deadline_(operation.deadline()) {}

  void start(typename base::handler_type handler) { waiter_.start(std::move(handler), deadline_); }
  void await_resume() { corio::detail::sleep_resumed(*this->result); }

private:
  corio::detail::sleep_in_frame<typename base::handler_type> waiter_;
  corio::sleep_operation::time_point deadline_;
};

// `co_await yield_operation`: the coroutine's completion queued for the next turn from
// this awaiter (completion.hpp; no allocation), and a check of its cancellation state
// when it resumes (a posted wait has no cancellation handler, so a
// cancel() that arrived while it was queued would otherwise only land at the next
// suspension, and a task returning right after its yield would end `done`).
template <typename Signature, typename Executor>
class awaitable_async_op<Signature, corio::yield_operation, Executor>
    : public corio::detail::asio_glue::in_frame_awaiter<
          awaitable_async_op<Signature, corio::yield_operation, Executor>,
          corio::yield_operation::signature, Executor> {
  using base = typename awaitable_async_op::in_frame_awaiter;

public:
  awaitable_async_op(const corio::yield_operation&, awaitable_frame_base<Executor>* frame) noexcept
      : base(frame) {}

  void start(typename base::handler_type handler) {
    state_ = handler.get_cancellation_state();
    checked_ = handler.throw_if_cancelled();
    completion_.deliver(std::move(handler)); // the next turn, allocating nothing
  }
  void await_resume() const {
    if (checked_ && state_.cancelled() != cancellation_type::none)
      corio::detail::throw_cancelled();
  }

private:
  corio::detail::completion_in_frame<typename base::handler_type> completion_;
  cancellation_state state_;
  bool checked_ = false;
};

} // namespace boost::asio::detail

#endif // CORIO_SLEEP_HPP
