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
// an ordinary task, listed by run()'s drain).
// The end of run(), from any interleaving: a submission that reaches the loop
// before run() begins its final drain runs as a task (the drain cancels it: the
// future gets cancelled_error); one posted but not yet started when the drain
// begins starts already cancelled (cancelled_error); one made once the drain has
// begun, or after run() returned, is refused at once: the future reports
// std::future_error(broken_promise). The same for a loop of your own that is
// destroyed before it runs the step. (A corio loop's io_context lives in a home
// that outlives it, detail/loop_home.hpp, so a late submit() never touches freed
// memory; one non-guarantee there: a thread that kept the executor of an ended
// run() may reach a later run()'s loop; corio::submit(loop, ...) never does.)
// Resumes: nothing resumes; the promise is set on the loop thread when the task ends.
#ifndef CORIO_SUBMIT_HPP
#define CORIO_SUBMIT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/join.hpp>
#include <corio/detail/loop_home.hpp>
#include <corio/detail/start_task.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>

#include <exception>
#include <future>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

namespace corio {

namespace detail {

/// The step submit() posts to a loop: spawns the body there and fulfils the promise
/// when the task ends. Destroyed without running (a loop that never runs it), it
/// breaks the promise.
template <typename T>
struct submission {
  executor ex;
  awaitable<T> body;
  std::string name;
  std::source_location spawn_site;
  std::promise<T> promise;

  void operator()() {
    auto core = start_task(ex, std::move(body), std::move(name), spawn_site);
    join_wait<T>(core, join_mode::ignore)(boost::asio::bind_executor(
        ex, [core, promise = std::move(promise)](std::exception_ptr error) mutable {
          if (error)
            promise.set_exception(std::move(error));
          else if constexpr (std::is_void_v<T>)
            promise.set_value();
          else
            promise.set_value(core->take_value());
        }));
  }
};

} // namespace detail

/// Spawns `body` (an awaitable or an awaitable operation, awaitable.hpp) on `ex`'s
/// loop from any thread; the future gets its result.
template <awaitable_like A, typename T = awaitable_result_t<A>>
std::future<T> submit(const executor& ex, A body, std::string name = {},
                      std::source_location spawn_site = std::source_location::current()) {
  detail::submission<T> step{
      ex, detail::to_awaitable(std::move(body)), std::move(name), spawn_site, {}};
  std::future<T> future = step.promise.get_future();
  const auto& context = boost::asio::query(ex, boost::asio::execution::context);
  // A corio loop is reached through its home: refused (the step is destroyed here,
  // breaking the promise) once its run() has begun to end or has ended.
  if (detail::loop_home::post_from_outside(context, std::move(step)) ==
      detail::loop_home::post_result::not_corio)
    boost::asio::post(ex, std::move(step));
  return future;
}

} // namespace corio

#endif // CORIO_SUBMIT_HPP
