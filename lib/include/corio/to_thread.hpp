// corio/to_thread.hpp - run blocking or CPU-bound work on the runtime's thread
// pool and await its result on the loop (asyncio.to_thread).
//
//   std::string text = co_await corio::to_thread(read_whole_file, path);
//   auto digest = co_await corio::to_thread([](std::stop_token stop, std::string data) {
//     return sha256(data, stop);              // checks stop.stop_requested() now and then
//   }, std::move(text));
//
// f and args are decay-copied (as by std::thread) and f(args...) is called on a pool
// thread; the awaiter resumes on the loop with its result or its exception. The
// pool belongs to corio::run(): run_options::thread_pool_size threads (default:
// the hardware's), created on the first to_thread(), joined when run() ends.
//
// Cancellation: cancelling the awaiting coroutine stops the wait at once with
// cancelled_error; the loop never waits for the thread. A thread cannot be
// interrupted, so f keeps running: an f whose first parameter is std::stop_token
// is asked to stop (stop_requested() turns true); any other f runs to its end. In
// both cases its result or exception is discarded. run() still joins the pool at
// its end, so an f that never returns keeps run() from returning.
// A to_thread in an already cancelled task throws at once and never calls f.
// Errors: outside corio::run() it throws std::logic_error.
// Thread-safety: call from a coroutine on the loop thread; f runs on a pool thread
// and must not touch loop objects (use corio::submit or asio::post from there).
// Resumes: on the loop (the pool thread posts the completion to it), never on
// the pool thread.
#ifndef CORIO_TO_THREAD_HPP
#define CORIO_TO_THREAD_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/result_of.hpp>
#include <corio/detail/waiter_list.hpp>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corio {

namespace detail {

/// The pool of the corio loop running on this thread; std::logic_error outside run().
boost::asio::thread_pool& current_thread_pool();
[[noreturn]] void throw_to_thread_cancelled();

template <typename F, typename... Args>
constexpr bool takes_stop_token_v = std::is_invocable_v<F, std::stop_token, Args...>;

template <typename F, typename... Args>
using thread_result_t = typename std::conditional_t<takes_stop_token_v<F, Args...>,
                                                    std::invoke_result<F, std::stop_token, Args...>,
                                                    std::invoke_result<F, Args...>>::type;

/// What one call shares between the loop and its pool thread. The pool thread
/// writes value/error and then posts to the loop (the post orders the accesses);
/// `finished` and `done` are touched on the loop only; stop is thread-safe.
template <typename R>
struct thread_call {
  std::stop_source stop;
  std::optional<result_of<R>> value;
  std::exception_ptr error;
  waiter_list<> done{"to_thread"};
};

template <typename R, typename F, typename... Args>
awaitable<R> run_on_thread(F f, std::tuple<Args...> args) {
  auto& pool = current_thread_pool();
  auto call = std::make_shared<thread_call<R>>();
  // The tracked executor keeps the loop's work count up while f runs.
  auto loop = boost::asio::prefer(co_await boost::asio::this_coro::executor,
                                  boost::asio::execution::outstanding_work.tracked);
  boost::asio::post(pool, [call, loop, f = std::move(f), args = std::move(args)]() mutable {
    try {
      auto invoke = [&](auto&&... a) -> decltype(auto) {
        if constexpr (takes_stop_token_v<F, Args...>)
          return std::invoke(std::move(f), call->stop.get_token(), std::move(a)...);
        else
          return std::invoke(std::move(f), std::move(a)...);
      };
      if constexpr (std::is_void_v<R>) {
        std::apply(invoke, std::move(args));
        call->value.emplace();
      } else {
        call->value.emplace(std::apply(invoke, std::move(args)));
      }
    } catch (...) {
      call->error = std::current_exception();
    }
    boost::asio::post(loop, [call = std::move(call)] { call->done.notify_all(); });
  });
  bool cancelled = false;
  try {
    co_await call->done.async_wait({}, boost::asio::use_awaitable_t<executor>(),
                                   [stop = &call->stop] {
                                     stop->request_stop();
                                     return true; // stop waiting at once
                                   });
  } catch (const boost::system::system_error&) {
    cancelled = true;
  }
  if (cancelled)
    throw_to_thread_cancelled();
  if (call->error)
    std::rethrow_exception(call->error);
  if constexpr (!std::is_void_v<R>)
    co_return std::move(*call->value);
}

} // namespace detail

/// Calls f(args...) (or f(stop_token, args...)) on the runtime's thread pool.
template <typename F, typename... Args>
awaitable<detail::thread_result_t<std::decay_t<F>, std::decay_t<Args>...>>
to_thread(F&& f, Args&&... args) {
  using R = detail::thread_result_t<std::decay_t<F>, std::decay_t<Args>...>;
  return detail::run_on_thread<R>(std::decay_t<F>(std::forward<F>(f)),
                                  std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
}

} // namespace corio

#endif // CORIO_TO_THREAD_HPP
