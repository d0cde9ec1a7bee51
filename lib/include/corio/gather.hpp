// corio/gather.hpp - run several operations concurrently and wait for all of them
// (asyncio.gather).
//
//   auto [user, orders] = co_await corio::gather(fetch_user(id), fetch_orders(id));
//
//   std::vector<corio::task<int>> jobs;
//   for (int i = 0; i < 10; ++i) jobs.push_back(corio::spawn(work(i)));
//   std::vector<int> results = co_await corio::gather(jobs);   // in input order
//
// gather(aw...) starts each awaitable as a child task when it is awaited (they run
// concurrently, starting on a later turn of the loop) and returns a std::tuple of
// their results in argument order; a void result is std::monostate.
// gather(tasks) waits for tasks that already run and returns their results in
// vector order (copies; a move-only result is taken); an empty vector gives an
// empty vector at once (asyncio returns []).
//
// Failure: the first child to fail (an exception, or for gather(tasks) a task
// cancelled by someone else) makes gather cancel all the others, wait until every
// one has ended, and then rethrow that first exception unchanged. Failures of
// other children after the first are logged at warn, never lost silently. Unlike
// asyncio.gather (which leaves the others running), nothing is left running.
//
// Cancellation: cancelling the awaiting coroutine cancels every child, waits for
// all of them to end, and throws cancelled_error; their results are discarded.
// For gather(tasks), "every child" includes the caller's tasks.
// Resumes: on the loop, on a later turn than the last child's end.
// Non-guarantees: the order in which children start or run their steps.
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_GATHER_HPP
#define CORIO_GATHER_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/child_set.hpp>
#include <corio/task.hpp>

#include <boost/asio/this_coro.hpp>

#include <source_location>
#include <tuple>
#include <utility>
#include <vector>

namespace corio {

namespace detail {

template <typename... T, std::size_t... I>
awaitable<std::tuple<result_of<T>...>> gather_all(std::index_sequence<I...>,
                                                  awaitable<T>... operations) {
  boost::intrusive_ptr<child_set> set(
      new child_set(co_await boost::asio::this_coro::executor, {.owner = "corio::gather"}));
  [[maybe_unused]] const auto site = std::source_location::current(); // unused for gather()
  std::tuple<task_core_ptr<T>...> children{
      set->start(std::move(operations), "corio.gather", site)...};
  co_await set->wait_all();
  co_return std::tuple<result_of<T>...>(take_result(*std::get<I>(children))...);
}

} // namespace detail

/// Runs every operation concurrently; returns their results as a tuple. Each one is
/// an awaitable or an awaitable operation (awaitable.hpp).
template <awaitable_like... A>
awaitable<std::tuple<detail::result_of<awaitable_result_t<A>>...>> gather(A... operations) {
  return detail::gather_all(std::index_sequence_for<A...>(),
                            detail::to_awaitable(std::move(operations))...);
}

namespace detail {

template <typename T>
awaitable<std::vector<result_of<T>>> gather_tasks(std::vector<task<T>> tasks) {
  std::vector<result_of<T>> results;
  if (tasks.empty())
    co_return results;
  boost::intrusive_ptr<child_set> set(
      new child_set(co_await boost::asio::this_coro::executor, {.owner = "corio::gather"}));
  for (const auto& t : tasks)
    set->watch(task_access::core(t));
  co_await set->wait_all();
  results.reserve(tasks.size());
  for (const auto& t : tasks)
    results.push_back(take_result(*task_access::core(t)));
  co_return results;
}

} // namespace detail

/// Waits for every task; returns their results in vector order. The handles are
/// copied at the call, so the vector may change afterwards.
template <typename T>
awaitable<std::vector<detail::result_of<T>>> gather(const std::vector<task<T>>& tasks) {
  return detail::gather_tasks(tasks);
}

} // namespace corio

#endif // CORIO_GATHER_HPP
