#include <corio/condition_variable.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/mutex.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>

#include <deque>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using corio::test::event_log;

namespace {

struct jobs {
  corio::mutex m;
  corio::condition_variable cv;
  std::deque<int> items;
};

corio::awaitable<void> take_and_log(jobs& j, std::string who, event_log& log) {
  auto lock = co_await j.m.lock();
  co_await j.cv.wait(lock, [&j] { return !j.items.empty(); });
  BOOST_TEST(lock.owns_lock());
  log(who + ":" + std::to_string(j.items.front()));
  j.items.pop_front();
}

corio::awaitable<void> wait_and_log(jobs& j, std::string who, event_log& log) {
  auto lock = co_await j.m.lock();
  try {
    co_await j.cv.wait(lock);
    log(who + " woke locked=" + std::to_string(j.m.locked() && lock.owns_lock()));
  } catch (const corio::cancelled_error&) {
    log(who + " cancelled locked=" + std::to_string(j.m.locked() && lock.owns_lock()));
    throw;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(condition_variable_test)

CORIO_TEST_CASE(wait_with_a_predicate_returns_with_the_lock_once_it_holds) {
  jobs j;
  event_log log;
  auto consumer = corio::spawn(take_and_log(j, "c", log));
  co_await corio::yield_now();
  co_await corio::yield_now();
  BOOST_TEST(!j.m.locked()); // wait() gave the mutex up
  BOOST_TEST(j.cv.waiting() == 1u);
  j.cv.notify_one(); // predicate still false: it waits again
  co_await corio::yield_now();
  co_await corio::yield_now();
  BOOST_TEST(j.cv.waiting() == 1u);
  {
    auto lock = co_await j.m.lock();
    j.items.push_back(5);
    j.cv.notify_one();
  }
  co_await consumer;
  BOOST_TEST(log.str() == "c:5");
}

CORIO_TEST_CASE(notify_one_wakes_the_oldest_waiter_and_notify_all_the_rest_in_order) {
  jobs j;
  event_log log;
  auto a = corio::spawn(wait_and_log(j, "a", log));
  auto b = corio::spawn(wait_and_log(j, "b", log));
  auto c = corio::spawn(wait_and_log(j, "c", log));
  co_await corio::sleep(1ms);
  BOOST_TEST(j.cv.waiting() == 3u);
  j.cv.notify_one();
  co_await a;
  BOOST_TEST(log.str() == "a woke locked=1");
  j.cv.notify_all();
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "a woke locked=1 b woke locked=1 c woke locked=1");
  BOOST_TEST(!j.m.locked());
  j.cv.notify_one(); // nobody waits: a no-op
}

CORIO_TEST_CASE(waking_is_fifo_and_the_woken_queue_for_the_mutex_behind_its_holder) {
  jobs j;
  event_log log;
  auto a = corio::spawn(take_and_log(j, "a", log));
  auto b = corio::spawn(take_and_log(j, "b", log));
  co_await corio::sleep(1ms);
  auto lock = co_await j.m.lock();
  j.items.push_back(1);
  j.items.push_back(2);
  j.cv.notify_all();
  co_await corio::sleep(1ms);
  BOOST_TEST(log.str() == ""); // woken, but we still hold the mutex
  lock.unlock();
  co_await a;
  co_await b;
  BOOST_TEST(log.str() == "a:1 b:2");
}

CORIO_TEST_CASE(a_waiter_cancelled_while_waiting_relocks_then_throws_and_consumes_no_notify) {
  jobs j;
  event_log log;
  auto cancelled = corio::spawn(wait_and_log(j, "x", log));
  auto next = corio::spawn(wait_and_log(j, "y", log));
  co_await corio::sleep(1ms);
  auto held = co_await j.m.lock(); // the cancelled waiter must wait for this to relock
  cancelled.cancel();
  BOOST_TEST(j.cv.waiting() == 1u);
  j.cv.notify_one(); // goes to y, not to the cancelled x
  co_await corio::sleep(1ms);
  BOOST_TEST(!cancelled.done());
  held.unlock();
  BOOST_CHECK_THROW(co_await cancelled, corio::cancelled_error);
  co_await next;
  BOOST_TEST(log.str() == "x cancelled locked=1 y woke locked=1");
  BOOST_TEST(!j.m.locked());
}

CORIO_TEST_CASE(wait_in_an_already_cancelled_task_throws_and_keeps_the_lock) {
  jobs j;
  event_log log;
  auto t = corio::spawn([](jobs& j, event_log& log) -> corio::awaitable<void> {
    auto lock = co_await j.m.lock();
    try {
      co_await corio::sleep(1h);
    } catch (const corio::cancelled_error&) {
      log("cancelled");
    }
    try {
      co_await j.cv.wait(lock); // Asio's sticky check throws at the co_await
    } catch (const boost::system::system_error&) {
      log("wait threw locked=" + std::to_string(j.m.locked() && lock.owns_lock()));
      throw;
    }
  }(j, log));
  co_await corio::yield_now();
  t.cancel();
  BOOST_CHECK_THROW(co_await t, boost::system::system_error);
  BOOST_TEST(log.str() == "cancelled wait threw locked=1");
  BOOST_TEST(!j.m.locked());
  BOOST_TEST(j.cv.waiting() == 0u);
}

CORIO_TEST_CASE(a_wait_that_times_out_returns_the_lock) {
  jobs j;
  auto lock = co_await j.m.lock();
  BOOST_CHECK_THROW(co_await corio::timeout(1ms, j.cv.wait(lock)), corio::timeout_error);
  BOOST_TEST(lock.owns_lock());
  BOOST_TEST(j.m.locked());
  BOOST_TEST(j.cv.waiting() == 0u);
}

CORIO_TEST_CASE(wait_without_owning_the_lock_is_a_logic_error) {
  jobs j;
  corio::mutex::guard empty;
  BOOST_CHECK_THROW(co_await j.cv.wait(empty), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()
