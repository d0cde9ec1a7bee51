#include <corio/queue.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/loop.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>

#include <boost/asio/bind_executor.hpp>

#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using corio::test::counted;
using corio::test::event_log;

namespace {

template <typename Queue>
corio::awaitable<void> get_and_log(Queue& q, std::string who, event_log& log) {
  try {
    auto item = co_await q.get();
    log(who + ":" + std::to_string(item));
  } catch (const corio::queue_shut_down&) {
    log(who + ":shut_down");
  }
}

template <typename Queue>
corio::awaitable<void> put_and_log(Queue& q, int item, event_log& log) {
  try {
    co_await q.put(item);
    log("put:" + std::to_string(item));
  } catch (const corio::queue_shut_down&) {
    log("put:" + std::to_string(item) + ":shut_down");
  }
}

template <typename Queue>
std::string drain(Queue& q) {
  std::string out;
  while (auto item = q.try_get())
    out += std::to_string(*item) + " ";
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(queue_test)

CORIO_TEST_CASE(put_then_get_returns_the_items_in_fifo_order) {
  corio::queue<int> q;
  co_await q.put(1);
  co_await q.put(2);
  BOOST_TEST(q.size() == 2u);
  BOOST_TEST(!q.empty());
  BOOST_TEST(!q.full()); // unbounded
  BOOST_TEST(co_await q.get() == 1);
  BOOST_TEST(co_await q.get() == 2);
  BOOST_TEST(q.empty());
}

CORIO_TEST_CASE(a_getter_waits_for_a_producer_task) {
  corio::queue<std::string> q;
  auto producer = corio::spawn([](corio::queue<std::string>& q) -> corio::awaitable<void> {
    co_await corio::sleep(1ms);
    co_await q.put("hello");
  }(q));
  BOOST_TEST(co_await q.get() == "hello");
  co_await producer;
}

CORIO_TEST_CASE(try_put_and_try_get_never_wait) {
  corio::queue<int> q(2);
  BOOST_TEST(q.maxsize() == 2u);
  BOOST_TEST(!q.try_get().has_value());
  BOOST_TEST(q.try_put(1));
  BOOST_TEST(q.try_put(2));
  BOOST_TEST(q.full());
  BOOST_TEST(!q.try_put(3));
  BOOST_TEST((q.try_get() == 1));
  BOOST_TEST(q.try_put(3));
  BOOST_TEST(drain(q) == "2 3 ");
  co_return;
}

CORIO_TEST_CASE(a_putter_waits_while_the_queue_is_full) {
  corio::queue<int> q(1);
  event_log log;
  co_await q.put(1);
  auto putter = corio::spawn(put_and_log(q, 2, log));
  co_await corio::yield_now();
  BOOST_TEST(log.str() == "");
  BOOST_TEST(co_await q.get() == 1);
  BOOST_TEST(q.size() == 1u); // the waiting putter's item took the freed slot
  co_await putter;
  BOOST_TEST(log.str() == "put:2");
  BOOST_TEST(co_await q.get() == 2);
}

CORIO_TEST_CASE(lifo_queue_returns_the_newest_item_first) {
  corio::lifo_queue<int> q;
  for (int i : {1, 2, 3})
    co_await q.put(i);
  BOOST_TEST(drain(q) == "3 2 1 ");
}

CORIO_TEST_CASE(priority_queue_returns_the_smallest_item_first_like_asyncio) {
  corio::priority_queue<int> q;
  for (int i : {5, 1, 4, 2, 3})
    co_await q.put(i);
  BOOST_TEST(co_await q.get() == 1);
  BOOST_TEST(drain(q) == "2 3 4 5 ");

  corio::priority_queue<int, std::greater<int>> largest_first;
  for (int i : {5, 1, 4})
    largest_first.try_put(i);
  BOOST_TEST(drain(largest_first) == "5 4 1 ");
}

CORIO_TEST_CASE(waiting_getters_are_served_in_the_order_they_came) {
  corio::queue<int> q;
  event_log log;
  auto a = corio::spawn(get_and_log(q, "a", log));
  auto b = corio::spawn(get_and_log(q, "b", log));
  auto c = corio::spawn(get_and_log(q, "c", log));
  co_await corio::yield_now();
  q.try_put(1);
  q.try_put(2);
  BOOST_TEST(!q.try_get().has_value()); // both items were handed over: nothing to steal
  q.try_put(3);
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "a:1 b:2 c:3");
}

CORIO_TEST_CASE(waiting_putters_are_served_in_the_order_they_came) {
  corio::queue<int> q(1);
  event_log log;
  q.try_put(0);
  auto p1 = corio::spawn(put_and_log(q, 1, log));
  auto p2 = corio::spawn(put_and_log(q, 2, log));
  auto p3 = corio::spawn(put_and_log(q, 3, log));
  co_await corio::yield_now();
  BOOST_TEST(!q.try_put(9)); // a newcomer does not overtake the waiting putters
  std::string got;
  for (int i = 0; i < 4; ++i)
    got += std::to_string(co_await q.get()) + " ";
  co_await p1;
  co_await p2;
  co_await p3;
  BOOST_TEST(got == "0 1 2 3 ");
  BOOST_TEST(log.str() == "put:1 put:2 put:3");
}

CORIO_TEST_CASE(move_only_items_go_through_every_path) {
  corio::queue<std::unique_ptr<int>> q(1);
  co_await q.put(std::make_unique<int>(1));
  auto kept = std::make_unique<int>(2);
  BOOST_TEST(!q.try_put(std::move(kept)));
  BOOST_TEST(kept != nullptr); // a refused try_put leaves the item with the caller
  auto putter = corio::spawn(q.put(std::move(kept)));
  co_await corio::yield_now();
  auto first = co_await q.get();
  co_await putter;
  auto second = q.try_get();
  BOOST_TEST(*first == 1);
  BOOST_TEST(**second == 2);

  corio::priority_queue<std::unique_ptr<int>, std::function<bool(const std::unique_ptr<int>&,
                                                                 const std::unique_ptr<int>&)>>
      unused; // compiles with a move-only T and a type-erased comparator
}

CORIO_TEST_CASE(items_left_in_a_queue_are_destroyed_with_it) {
  {
    corio::queue<counted> q;
    co_await q.put(counted());
    q.try_put(counted());
    BOOST_TEST(counted::alive == 2);
  }
  BOOST_TEST(counted::alive == 0);
}

CORIO_TEST_CASE(join_waits_until_every_item_is_marked_done) {
  corio::queue<int> q;
  event_log log;
  co_await q.join(); // nothing put: returns at once
  q.try_put(1);
  q.try_put(2);
  auto joiner = corio::spawn([](corio::queue<int>& q, event_log& log) -> corio::awaitable<void> {
    co_await q.join();
    log("joined");
  }(q, log));
  co_await corio::yield_now();
  (void)q.try_get();
  (void)q.try_get();
  q.task_done();
  log("one done");
  co_await corio::yield_now();
  BOOST_TEST(q.unfinished() == 1u);
  q.task_done();
  log("two done");
  co_await joiner;
  BOOST_TEST(log.str() == "one done two done joined");
}

CORIO_TEST_CASE(task_done_more_often_than_items_were_put_is_a_logic_error) {
  corio::queue<int> q;
  BOOST_CHECK_THROW(q.task_done(), std::logic_error);
  q.try_put(1);
  (void)q.try_get();
  q.task_done();
  BOOST_CHECK_THROW(q.task_done(), std::logic_error);
  co_return;
}

CORIO_TEST_CASE(a_negative_maxsize_is_rejected) {
  BOOST_CHECK_THROW(corio::queue<int>(-1), std::invalid_argument);
  corio::queue<int> huge(std::numeric_limits<std::size_t>::max());
  BOOST_TEST(huge.try_put(1));
  co_return;
}

CORIO_TEST_CASE(after_shutdown_put_throws_and_getters_drain_what_is_left) {
  corio::queue<int> q(2);
  event_log log;
  q.try_put(1);
  q.try_put(2);
  auto putter = corio::spawn(put_and_log(q, 3, log));
  co_await corio::yield_now();
  q.shutdown();
  BOOST_TEST(q.is_shut_down());
  BOOST_CHECK_THROW(q.try_put(4), corio::queue_shut_down);
  BOOST_CHECK_THROW(co_await q.put(4), corio::queue_shut_down);
  co_await putter;
  BOOST_TEST(log.str() == "put:3:shut_down");
  BOOST_TEST(co_await q.get() == 1);
  BOOST_TEST((q.try_get() == 2));
  BOOST_CHECK_THROW(co_await q.get(), corio::queue_shut_down);
  BOOST_CHECK_THROW(q.try_get(), corio::queue_shut_down);
  q.shutdown(); // idempotent
}

CORIO_TEST_CASE(shutdown_wakes_waiting_getters_with_queue_shut_down) {
  corio::queue<int> q;
  event_log log;
  auto a = corio::spawn(get_and_log(q, "a", log));
  auto b = corio::spawn(get_and_log(q, "b", log));
  co_await corio::yield_now();
  q.shutdown();
  co_await a;
  co_await b;
  BOOST_TEST(log.str() == "a:shut_down b:shut_down");
}

CORIO_TEST_CASE(immediate_shutdown_drops_the_items_and_lets_join_return) {
  corio::queue<counted> q;
  q.try_put(counted());
  q.try_put(counted());
  auto joiner = corio::spawn(q.join());
  co_await corio::yield_now();
  BOOST_TEST(!joiner.done());
  q.shutdown(true);
  BOOST_TEST(q.empty());
  BOOST_TEST(counted::alive == 0);
  co_await joiner;
  BOOST_CHECK_THROW(co_await q.get(), corio::queue_shut_down);
}

CORIO_TEST_CASE(immediate_shutdown_counts_only_dropped_items_as_done) {
  corio::queue<int> q;
  q.try_put(1);
  q.try_put(2);
  (void)q.try_get(); // got, not yet done
  q.shutdown(true);
  BOOST_TEST(q.unfinished() == 1u);
  q.task_done();
  co_await q.join();
}

CORIO_TEST_CASE(a_getter_cancelled_while_waiting_takes_no_item) {
  corio::queue<int> q;
  event_log log;
  auto cancelled = corio::spawn(get_and_log(q, "cancelled", log));
  auto next = corio::spawn(get_and_log(q, "next", log));
  co_await corio::yield_now();
  cancelled.cancel();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  q.try_put(1);
  co_await next;
  BOOST_TEST(log.str() == "next:1");
  BOOST_TEST(q.empty());
}

CORIO_TEST_CASE(a_getter_cancelled_after_the_hand_off_still_returns_the_item) {
  corio::queue<int> q;
  auto getter = corio::spawn(q.get());
  co_await corio::yield_now();
  q.try_put(7);
  getter.cancel(); // lands after the hand-off: the item is delivered, not lost
  BOOST_TEST(co_await getter == 7);
  BOOST_TEST(q.empty());
}

CORIO_TEST_CASE(get_and_put_convert_to_awaitables_and_can_be_awaited_as_lvalues) {
  corio::queue<int> q(1);
  corio::awaitable<void> put = q.put(1); // nothing happens until it is awaited
  BOOST_TEST(q.empty());
  co_await std::move(put);
  corio::awaitable<int> get = q.get();
  BOOST_TEST(co_await std::move(get) == 1);
  auto get_later = q.get();
  auto later_put = q.put(2);
  co_await later_put;
  BOOST_TEST(co_await get_later == 2);
}

CORIO_TEST_CASE(get_and_put_take_other_completion_tokens) {
  namespace asio = boost::asio;
  const auto ex = corio::current_loop().executor(); // not this task's (see sleep_test)
  corio::queue<int> q(1);
  std::optional<int> got;
  q.get()(asio::bind_executor(ex, [&](std::exception_ptr error, int item) {
    if (!error)
      got = item;
  }));
  bool put_done = false;
  q.put(5)(asio::bind_executor(ex, [&](std::exception_ptr error) { put_done = !error; }));
  for (int turn = 0; turn < 4 && !(got && put_done); ++turn)
    co_await corio::yield_now();
  BOOST_TEST(put_done);
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(*got == 5);
}

CORIO_TEST_CASE(a_get_that_times_out_takes_no_item) {
  corio::queue<int> q;
  BOOST_CHECK_THROW(co_await corio::timeout(1ms, q.get()), corio::timeout_error);
  q.try_put(1);
  BOOST_TEST(q.size() == 1u);
  BOOST_TEST(co_await corio::timeout(1s, q.get()) == 1);
}

CORIO_TEST_CASE(a_putter_cancelled_while_waiting_does_not_insert) {
  corio::queue<int> q(1);
  event_log log;
  q.try_put(0);
  auto cancelled = corio::spawn(put_and_log(q, 1, log));
  auto next = corio::spawn(put_and_log(q, 2, log));
  co_await corio::yield_now();
  cancelled.cancel();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  BOOST_TEST(co_await q.get() == 0);
  BOOST_TEST(co_await q.get() == 2);
  co_await next;
  BOOST_TEST(log.str() == "put:2");
  BOOST_TEST(q.unfinished() == 2u); // 0 and 2; the cancelled 1 never entered
}

CORIO_TEST_CASE(a_cancelled_join_leaves_the_counter_alone) {
  corio::queue<int> q;
  q.try_put(1);
  auto joiner = corio::spawn(q.join());
  co_await corio::yield_now();
  joiner.cancel();
  BOOST_CHECK_THROW(co_await joiner, corio::cancelled_error);
  BOOST_TEST(q.unfinished() == 1u);
  (void)q.try_get();
  q.task_done();
  co_await q.join();
}

CORIO_TEST_CASE(a_queue_destroyed_with_a_waiting_getter_cancels_it) {
  corio::task<int> getter;
  {
    corio::queue<int> q;
    getter = corio::spawn(q.get());
    co_await corio::yield_now();
  }
  BOOST_CHECK_THROW(co_await getter, corio::cancelled_error);
}

BOOST_AUTO_TEST_SUITE_END()
