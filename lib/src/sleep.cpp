#include <corio/detail/primitive.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/sleep.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace corio {

namespace {

// A cancelled wait surfaces as corio::cancelled_error, asyncio's CancelledError.
awaitable<void> wait(boost::asio::steady_timer& timer) {
  detail::note_waiting("sleep");
  auto [error] = co_await timer.async_wait(detail::wait_token);
  detail::throw_if_cancelled(error);
  if (error)
    throw boost::system::system_error(error, "corio::sleep");
}

} // namespace

awaitable<void> sleep_until(std::chrono::steady_clock::time_point deadline) {
  boost::asio::steady_timer timer(detail::loop_executor(co_await boost::asio::this_coro::executor),
                                  deadline);
  co_await wait(timer);
}

awaitable<void> detail::sleep_for(std::chrono::steady_clock::duration duration) {
  boost::asio::steady_timer timer(detail::loop_executor(co_await boost::asio::this_coro::executor),
                                  duration);
  co_await wait(timer);
}

awaitable<void> yield_now() {
  co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                             boost::asio::use_awaitable_t<executor>());
}

} // namespace corio
