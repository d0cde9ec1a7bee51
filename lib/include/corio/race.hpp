// corio/race.hpp - run several operations concurrently, keep the first to finish
// and cancel the others (asyncio.wait(FIRST_COMPLETED), then cancel the pending).
//
//   auto winner = co_await corio::race(from_mirror_a(), from_mirror_b(), corio::sleep(2s));
//   if (winner.index() == 2) fmt::print("both mirrors too slow\n");
//   else fmt::print("got {}\n", winner.index() == 0 ? std::get<0>(winner) : std::get<1>(winner));
//
// race(aw...) starts each awaitable as a child task and returns a std::variant
// holding the result of the first child to end, at that child's index (a void
// result is std::monostate; equal types are told apart by index()). The other
// children are cancelled AND awaited before race returns, so nothing is left
// running and whatever they held has been released.
//
// Failure: if the first child to end failed, race rethrows its exception (after
// the others have ended). asyncio.wait would hand back the failed task instead;
// a race that "wins" with an exception is almost always meant to fail. A loser
// that fails with a real error while being cancelled is logged at warn.
// Non-guarantee: a loser that catches its cancellation and returns a value has
// that value discarded; if two children end in the same turn of the loop, the
// one whose end was seen first wins.
//
// Cancellation: cancelling the awaiting coroutine cancels every child, waits for
// all of them, and throws cancelled_error.
// Resumes: on the loop, after the last loser has ended.
// Thread-safety: call from a coroutine on the loop thread.
#ifndef CORIO_RACE_HPP
#define CORIO_RACE_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/child_set.hpp>

#include <boost/asio/this_coro.hpp>

#include <source_location>
#include <tuple>
#include <utility>
#include <variant>

namespace corio {

namespace detail {

template <typename Variant, std::size_t I, typename... T>
Variant take_winner(std::size_t winner, std::tuple<task_core_ptr<T>...>& children) {
  if constexpr (I + 1 < sizeof...(T)) {
    if (winner != I)
      return take_winner<Variant, I + 1>(winner, children);
  }
  return Variant(std::in_place_index<I>, take_result(*std::get<I>(children)));
}

template <typename... T>
awaitable<std::variant<result_of<T>...>> race_all(awaitable<T>... operations) {
  boost::intrusive_ptr<child_set> set(
      new child_set(co_await boost::asio::this_coro::executor,
                    {.owner = "corio::race", .first_end_settles = true}));
  const auto site = std::source_location::current();
  std::tuple<task_core_ptr<T>...> children{
      set->start(std::move(operations), "corio.race", site)...};
  co_await set->wait_all(); // the first end stops the rest
  co_return take_winner<std::variant<result_of<T>...>, 0>(set->finished().front(), children);
}

} // namespace detail

/// Runs every operation concurrently; returns the first one's result, at its index.
/// Each one is an awaitable or an awaitable operation (awaitable.hpp).
template <awaitable_like... A>
awaitable<std::variant<detail::result_of<awaitable_result_t<A>>...>> race(A... operations) {
  static_assert(sizeof...(A) > 0, "corio::race needs at least one operation");
  return detail::race_all(detail::to_awaitable(std::move(operations))...);
}

} // namespace corio

#endif // CORIO_RACE_HPP
