#include <corio/map_concurrent.hpp>

#include "support/children.hpp"
#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corio::test::event_log;

namespace {

struct in_flight {
  int now = 0;
  int most = 0;
  int calls = 0;
};

// Sleeps longer for smaller items, so calls finish out of input order.
corio::awaitable<int> square_slowly(int item, in_flight& count) {
  ++count.calls;
  count.most = std::max(count.most, ++count.now);
  try {
    co_await corio::sleep(std::chrono::milliseconds(10 - item));
  } catch (...) {
    --count.now;
    throw;
  }
  --count.now;
  co_return item* item;
}

// An rvalue range (g++ 12 cannot hold an init-list temporary across co_await).
std::vector<int> one_two() {
  return {1, 2};
}

} // namespace

BOOST_AUTO_TEST_SUITE(map_concurrent_test)

CORIO_TEST_CASE(results_come_in_input_order_with_at_most_limit_in_flight) {
  in_flight count;
  const std::vector<int> items{1, 2, 3, 4, 5, 6, 7};
  const std::vector<int> squares = co_await corio::map_concurrent(
      items, 3, [&count](int item) { return square_slowly(item, count); });
  BOOST_TEST(squares == (std::vector<int>{1, 4, 9, 16, 25, 36, 49}));
  BOOST_TEST(count.most == 3);
  BOOST_TEST(count.calls == 7);
}

CORIO_TEST_CASE(a_limit_above_the_item_count_runs_everything_at_once) {
  in_flight count;
  const auto squares = co_await corio::map_concurrent(
      one_two(), 100, [&count](int item) { return square_slowly(item, count); });
  BOOST_TEST(squares == (std::vector<int>{1, 4}));
  BOOST_TEST(count.most == 2);
}

CORIO_TEST_CASE(no_items_give_no_results) {
  const auto results = co_await corio::map_concurrent(
      std::vector<int>(), 2, [](int item) { return corio::test::value_after(0ms, item); });
  BOOST_TEST(results.empty());
}

CORIO_TEST_CASE(a_void_function_gives_a_void_result) {
  event_log log;
  const auto items = std::vector<std::string>{"a", "b"};
  co_await corio::map_concurrent(items, 1, [&log](const std::string& name) {
    return [](std::string name, event_log& log) -> corio::awaitable<void> {
      co_await corio::sleep(0ms);
      log(name);
    }(name, log);
  });
  BOOST_TEST(log.str() == "a b");
}

CORIO_TEST_CASE(a_limit_of_zero_is_rejected_at_the_call) {
  auto fn = [](int item) { return corio::test::value_after(0ms, item); };
  BOOST_CHECK_THROW((void)corio::map_concurrent(std::vector<int>{1}, 0, fn), std::invalid_argument);
  co_return;
}

CORIO_TEST_CASE(the_first_failure_cancels_the_running_calls_and_starts_no_more) {
  event_log log;
  try {
    const auto items = std::vector<int>{0, 1, 2, 3, 4};
    co_await corio::map_concurrent(items, 2, [&log](int item) {
      log("start " + std::to_string(item));
      if (item == 1)
        return corio::test::fail_after(1ms, "boom", log);
      return corio::test::traced(std::to_string(item), 1h, item, log);
    });
    BOOST_FAIL("no exception");
  } catch (const std::runtime_error& e) {
    log(std::string("caught ") + e.what());
  }
  BOOST_TEST(log.str() == "start 0 start 1 boom thrown 0 cancelled caught boom");
}

CORIO_TEST_CASE(an_exception_thrown_by_fn_itself_stops_it_the_same_way) {
  auto hold = [](std::shared_ptr<corio::test::counted> held) -> corio::awaitable<int> {
    co_await corio::sleep(1h);
    co_return held != nullptr;
  };
  try {
    const auto items = std::vector<int>{0, 1, 2};
    co_await corio::map_concurrent(items, 2, [&hold](int item) -> corio::awaitable<int> {
      if (item == 1)
        throw std::out_of_range("no coroutine");
      return hold(std::make_shared<corio::test::counted>());
    });
    BOOST_FAIL("no exception");
  } catch (const std::out_of_range&) {
    BOOST_TEST(corio::test::counted::alive == 0); // call 0 was cancelled and has ended
  }
}

CORIO_TEST_CASE(cancelling_the_caller_cancels_the_running_calls_and_waits) {
  event_log log;
  const auto items = std::vector<int>{0, 1, 2};
  auto start = [&log](int item) {
    log("start " + std::to_string(item));
    return corio::test::slow_to_cancel(std::to_string(item), 2ms, log);
  };
  co_await corio::test::cancel_while_awaiting(1ms, corio::map_concurrent(items, 2, start), log);
  BOOST_TEST(log.str() == "start 0 start 1 0 cancelled 1 cancelled awaiter cancelled");
}

BOOST_AUTO_TEST_SUITE_END()
