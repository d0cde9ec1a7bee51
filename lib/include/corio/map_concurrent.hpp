// corio/map_concurrent.hpp - bounded fan-out in one line: apply an async function
// to every item with at most `limit` calls in flight; results in input order
// (folly's collectAllWindowed; asyncio needs a Semaphore and gather for it).
//
//   std::vector<std::string> urls = load_urls();
//   std::vector<page> pages = co_await corio::map_concurrent(urls, 8, [](const std::string& url) {
//     return fetch(url);                                // returns corio::awaitable<page>
//   });
//
// fn(item) must return awaitable<R> (or an awaitable operation whose awaitable_type
// is that, awaitable.hpp); it is called on the loop, lazily: the call for
// item k+limit happens only once one of the first calls has ended, so at most
// `limit` coroutine frames exist at a time. Each call runs as a child task. The
// result is std::vector<R> in the order of `items` (void: the awaitable returns
// void). `items` is any input range, held as std::views::all holds it: an rvalue
// (a temporary vector) is moved in; an lvalue is referred to, so keep it alive and
// unchanged until map_concurrent returns. fn receives the range's element
// reference, valid until map_concurrent returns.
//
// Errors: limit == 0 throws std::invalid_argument at the call. The first call to
// fail (or an exception thrown by fn itself) stops it: no further item is
// started, the running calls are cancelled and awaited, and the first exception is
// rethrown. Failures of other calls after the first are logged at warn.
//
// Cancellation: cancelling the awaiting coroutine cancels the running calls,
// starts no more, waits for the running ones to end, and throws cancelled_error.
// Resumes: on the loop, after the last call has ended.
// Non-guarantee: the order in which calls finish (only the results are ordered).
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_MAP_CONCURRENT_HPP
#define CORIO_MAP_CONCURRENT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/child_set.hpp>

#include <boost/asio/this_coro.hpp>

#include <cstddef>
#include <exception>
#include <ranges>
#include <source_location>
#include <type_traits>
#include <utility>
#include <vector>

namespace corio {

namespace detail {

void check_limit(std::size_t limit);

template <typename Range, typename Fn>
using map_awaitable_t = std::invoke_result_t<Fn&, std::ranges::range_reference_t<Range>>;

template <typename Range, typename Fn>
using map_result_t = awaitable_result_t<map_awaitable_t<Range, Fn>>;

template <typename R, typename Range, typename Fn>
auto map_concurrent_impl(Range items, std::size_t limit, Fn fn)
    -> awaitable<std::conditional_t<std::is_void_v<R>, void, std::vector<result_of<R>>>> {
  boost::intrusive_ptr<child_set> set(
      new child_set(co_await boost::asio::this_coro::executor, {.owner = "corio::map_concurrent"}));
  const auto site = std::source_location::current();
  std::vector<task_core_ptr<R>> calls;
  if constexpr (std::ranges::sized_range<Range>)
    calls.reserve(std::ranges::size(items));
  for (auto&& item : items) {
    co_await set->wait_until([&set, limit] { return set->live() < limit; });
    try {
      calls.push_back(set->start(to_awaitable(fn(item)), "corio.map_concurrent", site));
    } catch (...) {
      set->fail(std::current_exception()); // fn threw before it could be awaited
      break;
    }
  }
  co_await set->wait_all();
  if constexpr (!std::is_void_v<R>) {
    std::vector<result_of<R>> results;
    results.reserve(calls.size());
    for (const auto& call : calls)
      results.push_back(take_result(*call));
    co_return results;
  }
}

} // namespace detail

/// Awaits fn(item) for every item, at most `limit` at a time; results in input order.
template <std::ranges::input_range Range, typename Fn>
requires awaitable_like<detail::map_awaitable_t<std::views::all_t<Range>, Fn>>
auto map_concurrent(Range&& items, std::size_t limit, Fn fn) {
  using R = detail::map_result_t<std::views::all_t<Range>, Fn>;
  detail::check_limit(limit);
  return detail::map_concurrent_impl<R>(std::views::all(std::forward<Range>(items)), limit,
                                        std::move(fn));
}

} // namespace corio

#endif // CORIO_MAP_CONCURRENT_HPP
