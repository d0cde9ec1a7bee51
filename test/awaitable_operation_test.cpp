// Awaitable operations (awaitable.hpp): every corio function that takes an
// awaitable also takes a type with `awaitable_type` that converts to it. The
// operations here are the test's own, so the protocol is shown apart from sleep().
#include <corio/awaitable.hpp>

#include "support/corio_test.hpp"

#include <corio/cancel_on.hpp>
#include <corio/cancel_scope.hpp>
#include <corio/clock.hpp>
#include <corio/errors.hpp>
#include <corio/gather.hpp>
#include <corio/loop.hpp>
#include <corio/map_concurrent.hpp>
#include <corio/race.hpp>
#include <corio/run.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/submit.hpp>
#include <corio/task.hpp>
#include <corio/task_group.hpp>
#include <corio/timeout.hpp>

#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <stop_token>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

using namespace std::chrono_literals;
using corio::test::value_after;

namespace {

corio::awaitable<int> produce(int value) {
  co_await corio::yield_now(); // a real suspension: a cut can land here
  co_return value;
}

corio::awaitable<void> nap(std::chrono::milliseconds duration) {
  co_await corio::sleep(duration);
}

/// An int operation with an implicit conversion.
struct answer_operation {
  using awaitable_type = corio::awaitable<int>;
  int value;
  operator corio::awaitable<int>() && { return produce(value); }
};

/// A void operation that sleeps, with an explicit conversion (static_cast suffices).
struct nap_operation {
  using awaitable_type = corio::awaitable<void>;
  std::chrono::milliseconds duration;
  explicit operator corio::awaitable<void>() && { return nap(duration); }
};

struct converts_without_awaitable_type {
  operator corio::awaitable<int>() && { return produce(0); }
};
struct names_a_non_awaitable {
  using awaitable_type = int;
  operator int() && { return 0; }
};
struct converts_only_from_an_lvalue {
  using awaitable_type = corio::awaitable<int>;
  operator corio::awaitable<int>() & { return produce(0); }
};

static_assert(corio::awaitable_like<corio::awaitable<int>>);
static_assert(corio::awaitable_like<answer_operation>);
static_assert(corio::awaitable_like<nap_operation&&>);
static_assert(!corio::awaitable_like<int>);
static_assert(!corio::awaitable_like<corio::task<int>>);
static_assert(!corio::awaitable_like<converts_without_awaitable_type>);
static_assert(!corio::awaitable_like<names_a_non_awaitable>);
static_assert(!corio::awaitable_like<converts_only_from_an_lvalue>);
static_assert(std::is_same_v<corio::awaitable_result_t<answer_operation>, int>);
static_assert(std::is_same_v<corio::awaitable_result_t<nap_operation>, void>);
static_assert(std::is_same_v<corio::awaitable_result_t<corio::awaitable<char>>, char>);

// Something that is neither is refused by the constraint, not by a hard error inside.
template <typename A>
concept spawnable = requires(A body) {
  corio::spawn(std::move(body));
};
template <typename A>
concept timeout_takes = requires(A operation) {
  corio::timeout(1s, std::move(operation));
};
static_assert(spawnable<answer_operation> && spawnable<corio::awaitable<void>>);
static_assert(!spawnable<converts_without_awaitable_type> && !spawnable<int>);
static_assert(timeout_takes<nap_operation> && !timeout_takes<names_a_non_awaitable>);

template <typename T>
corio::awaitable<T> when_ready(std::future<T>& future) {
  while (future.wait_for(0s) != std::future_status::ready)
    co_await corio::yield_now();
  co_return future.get();
}

} // namespace

BOOST_AUTO_TEST_SUITE(awaitable_operation_test)

CORIO_TEST_CASE(spawn_runs_an_operation_as_a_task) {
  BOOST_TEST(co_await corio::spawn(answer_operation{1}) == 1);
  auto named = corio::spawn(answer_operation{2}, "answer");
  BOOST_TEST(named.name() == "answer");
  BOOST_TEST(co_await named == 2);
  auto ex = co_await boost::asio::this_coro::executor;
  BOOST_TEST(co_await corio::spawn(ex, answer_operation{3}) == 3);
  BOOST_TEST(co_await corio::spawn(corio::current_loop(), answer_operation{4}) == 4);
  co_await corio::spawn(nap_operation{1ms});
}

CORIO_TEST_CASE(cancel_reaches_an_operation_spawned_as_a_task) {
  auto napper = corio::spawn(nap_operation{1h});
  co_await corio::yield_now();
  napper.cancel();
  BOOST_CHECK_THROW(co_await napper, corio::cancelled_error);
}

CORIO_TEST_CASE(a_stop_request_cancels_an_operation_spawned_with_a_token) {
  std::stop_source stop;
  auto napper = corio::spawn(nap_operation{1h}, "napper", stop.get_token());
  BOOST_TEST(co_await corio::spawn(answer_operation{5}, "answer", stop.get_token()) == 5);
  stop.request_stop();
  BOOST_CHECK_THROW(co_await napper, corio::cancelled_error);
}

CORIO_TEST_CASE(timeout_fires_on_a_void_operation_and_passes_a_value_through) {
  BOOST_CHECK_THROW(co_await corio::timeout(1s, nap_operation{1h}), corio::timeout_error);
  BOOST_TEST(co_await corio::timeout(1s, answer_operation{6}) == 6);
  BOOST_CHECK_THROW(co_await corio::timeout_at(corio::now() + 1s, nap_operation{1h}),
                    corio::timeout_error);
  BOOST_TEST(co_await corio::timeout_at(corio::now() + 1s, answer_operation{7}) == 7);
}

CORIO_TEST_CASE(move_on_gives_up_on_an_operation_or_returns_its_value) {
  BOOST_TEST(!co_await corio::move_on_after(2ms, nap_operation{1h}));
  BOOST_TEST(co_await corio::move_on_after(1s, nap_operation{1ms}));
  BOOST_TEST((co_await corio::move_on_after(1s, answer_operation{8})).value_or(-1) == 8);
  BOOST_TEST(!co_await corio::move_on_at(corio::now() + 2ms, nap_operation{1h}));
  BOOST_TEST((co_await corio::move_on_at(corio::now() + 1s, answer_operation{9})).value_or(-1) ==
             9);
}

CORIO_TEST_CASE(a_cancel_scope_runs_an_operation) {
  const corio::cancel_scope expiring{corio::now() + 2ms};
  BOOST_CHECK_THROW(co_await expiring.run(nap_operation{1h}), corio::timeout_error);
  BOOST_TEST(expiring.expired());
  BOOST_TEST(co_await corio::cancel_scope{}.run(answer_operation{10}) == 10);
  corio::cancel_scope cut;
  cut.cancel();
  BOOST_TEST(!co_await cut.move_on(nap_operation{1h}));
  BOOST_TEST((co_await corio::cancel_scope{}.move_on(answer_operation{11})).value_or(-1) == 11);
}

CORIO_TEST_CASE(shielded_runs_an_operation_to_its_end) {
  BOOST_TEST(co_await corio::shielded(answer_operation{12}) == 12);
  co_await corio::shielded(nap_operation{0ms});
}

CORIO_TEST_CASE(cancel_on_cuts_an_operation_on_a_stop_request) {
  std::stop_source stop;
  BOOST_TEST(co_await corio::cancel_on(stop.get_token(), answer_operation{13}) == 13);
  stop.request_stop();
  BOOST_CHECK_THROW(co_await corio::cancel_on(stop.get_token(), nap_operation{1h}),
                    corio::cancelled_error);
}

CORIO_TEST_CASE(gather_mixes_operations_and_awaitables) {
  auto [a, b, c] =
      co_await corio::gather(answer_operation{14}, value_after(1ms, 15), nap_operation{2ms});
  BOOST_TEST(a == 14);
  BOOST_TEST(b == 15);
  static_assert(std::is_same_v<decltype(c), std::monostate>);
}

CORIO_TEST_CASE(race_mixes_operations_and_awaitables) {
  auto first = co_await corio::race(nap_operation{1h}, answer_operation{16}, value_after(1s, 17));
  BOOST_TEST(first.index() == 1u);
  BOOST_TEST(std::get<1>(first) == 16);
  auto late = co_await corio::race(value_after(1h, 18), nap_operation{2ms});
  BOOST_TEST(late.index() == 1u);
}

CORIO_TEST_CASE(map_concurrent_takes_a_function_returning_an_operation) {
  const std::vector<int> items{1, 2, 3}; // named: GCC 12 miscompiles a braced temporary here
  const std::vector<int> results = co_await corio::map_concurrent(
      items, 2, [](int item) { return answer_operation{item * 10}; });
  const std::vector<int> expected{10, 20, 30};
  BOOST_TEST(results == expected, boost::test_tools::per_element());
  co_await corio::map_concurrent(items, 1, [](int item) { return nap_operation{item * 1ms}; });
}

CORIO_TEST_CASE(a_task_group_spawns_operations_and_a_scope_body_may_be_one) {
  corio::task_group group;
  auto answer = group.spawn(answer_operation{19}, "answer");
  group.spawn(nap_operation{1ms});
  co_await group.join();
  BOOST_TEST(co_await answer == 19);
  BOOST_TEST(co_await corio::with_task_group([](corio::task_group& g) {
               g.spawn(nap_operation{1ms});
               return answer_operation{20};
             }) == 20);
}

CORIO_TEST_CASE(submit_runs_an_operation_from_the_loops_own_thread) {
  auto ex = co_await boost::asio::this_coro::executor;
  std::future<int> by_executor = corio::submit(ex, answer_operation{21});
  std::future<int> by_loop = corio::submit(corio::current_loop(), answer_operation{22});
  BOOST_TEST(co_await when_ready(by_executor) == 21);
  BOOST_TEST(co_await when_ready(by_loop) == 22);
}

BOOST_AUTO_TEST_CASE(run_runs_an_operation_as_main) {
  BOOST_TEST(corio::run(answer_operation{23}) == 23);
  corio::run(nap_operation{1ms});
}

BOOST_AUTO_TEST_SUITE_END()
