// corio/submit.hpp - the bridge from plain threads into the loop
// (asyncio.run_coroutine_threadsafe).
//
//   // on any thread, e.g. a GUI or a legacy worker thread:
//   std::future<int> answer = corio::submit(loop_executor, compute(21));
//   int value = answer.get();            // blocks this thread, not the loop
//
// submit(ex, aw) posts to `ex`'s loop a step that spawns aw as a task there; the
// future receives the task's result, its exception, or cancelled_error if the task
// is cancelled (e.g. by run()'s final cancel-and-drain). Get the executor inside
// the loop (co_await asio::this_coro::executor) and hand it to the thread.
//
// Thread-safety: submit() may be called from any thread, including the loop's.
// Never block the loop thread on the future (future.get() inside a coroutine
// waits for a step that needs the very thread it blocks: a deadlock); await a
// corio::task instead.
// Cancellation: std::future has none; cancel the work from inside the loop (it is
// an ordinary task, listed by run()'s drain). If the loop never runs the posted
// step (it has stopped or is destroyed first), the future reports
// std::future_error(broken_promise) instead of hanging.
// Resumes: nothing resumes; the promise is set on the loop thread when the task ends.
#ifndef CORIO_SUBMIT_HPP
#define CORIO_SUBMIT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/start_task.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <future>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace corio {

/// Spawns `body` on `ex`'s loop from any thread; the future gets its result.
template <typename T>
std::future<T> submit(const executor& ex, awaitable<T> body, std::string name = {},
                      std::source_location spawn_site = std::source_location::current()) {
  std::promise<T> promise;
  std::future<T> future = promise.get_future();
  boost::asio::post(ex, [ex, body = std::move(body), name = std::move(name), spawn_site,
                         promise = std::move(promise)]() mutable {
    auto core = detail::start_task(ex, std::move(body), std::move(name), spawn_site);
    detail::join_wait<T>(core, detail::join_mode::ignore)(boost::asio::bind_executor(
        ex, [core, promise = std::move(promise)](std::exception_ptr error) mutable {
          if (error)
            promise.set_exception(std::move(error));
          else if constexpr (std::is_void_v<T>)
            promise.set_value();
          else
            promise.set_value(core->take_value());
        }));
  });
  return future;
}

} // namespace corio

#endif // CORIO_SUBMIT_HPP
