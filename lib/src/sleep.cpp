#include <corio/sleep.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace corio {

namespace {
constexpr boost::asio::use_awaitable_t<executor> use_awaitable;
}

awaitable<void> sleep_until(std::chrono::steady_clock::time_point deadline) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, deadline);
  co_await timer.async_wait(use_awaitable);
}

awaitable<void> detail::sleep_for(std::chrono::steady_clock::duration duration) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
  co_await timer.async_wait(use_awaitable);
}

awaitable<void> yield_now() {
  co_await boost::asio::post(co_await boost::asio::this_coro::executor, use_awaitable);
}

} // namespace corio
