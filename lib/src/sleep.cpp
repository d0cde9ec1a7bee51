#include <corio/detail/loop_clock.hpp>
#include <corio/detail/primitive.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/sleep.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace corio {

namespace {

// The whole sleep is this one coroutine frame, which owns the timer (a loop_timer, so
// it follows the loop's clock, virtual or real). A cancelled wait surfaces as
// corio::cancelled_error, asyncio's CancelledError.
awaitable<void> sleep_on_timer(std::chrono::steady_clock::time_point deadline) {
  detail::loop_timer timer(detail::loop_executor(co_await boost::asio::this_coro::executor));
  timer.expires_at(deadline);
  detail::note_waiting("sleep");
  auto [error] = co_await timer.async_wait(detail::wait_token);
  if (timer.fired())
    co_return;
  detail::throw_if_cancelled(error);
  if (error)
    throw boost::system::system_error(error, "corio::sleep");
}

} // namespace

awaitable<void> sleep_until(std::chrono::steady_clock::time_point deadline) {
  detail::note_wait_started();
  return sleep_on_timer(deadline);
}

awaitable<void> detail::sleep_for(std::chrono::steady_clock::duration duration) {
  detail::note_wait_started();
  return sleep_on_timer(detail::deadline_after(duration));
}

namespace {

awaitable<void> post_and_resume() {
  namespace this_coro = boost::asio::this_coro;
  co_await boost::asio::post(co_await this_coro::executor,
                             boost::asio::use_awaitable_t<executor>());
  // A posted wait has no cancellation handler, so a cancel() that arrived while we
  // were queued would otherwise only land at the next suspension, and a task that
  // returns right after its yield would end `done` (asyncio throws it in here).
  if ((co_await this_coro::cancellation_state).cancelled() !=
          boost::asio::cancellation_type::none &&
      co_await this_coro::throw_if_cancelled())
    detail::throw_cancelled();
}

} // namespace

awaitable<void> yield_now() {
  detail::note_wait_started();
  return post_and_resume();
}

} // namespace corio
