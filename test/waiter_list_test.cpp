#include <corio/detail/waiter_list.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <string>

using namespace std::chrono_literals;
using corio::detail::waiter_list;
using corio::test::event_log;

namespace {

corio::awaitable<void> wait_and_log(waiter_list<int>& list, int payload, event_log& log) {
  try {
    co_await list.async_wait(payload, boost::asio::use_awaitable);
    log("woke " + std::to_string(payload));
  } catch (const boost::system::system_error& e) {
    log((e.code() == boost::asio::error::operation_aborted ? "aborted " : "error ") +
        std::to_string(payload));
    throw;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(waiter_list_test)

CORIO_TEST_CASE(waiters_are_woken_in_fifo_order_with_their_payloads_readable) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  auto b = corio::spawn(wait_and_log(list, 2, log));
  auto c = corio::spawn(wait_and_log(list, 3, log));
  co_await corio::yield_now();
  BOOST_TEST(list.size() == 3u);
  BOOST_TEST(list.front()->payload == 1);
  BOOST_TEST(list.notify_one());
  BOOST_TEST(list.front()->payload == 2);
  BOOST_TEST(list.notify_all() == 2u);
  BOOST_TEST(list.empty());
  BOOST_TEST(!list.notify_one());
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "woke 1 woke 2 woke 3");
}

CORIO_TEST_CASE(a_woken_waiter_resumes_after_the_waker_has_finished_its_step) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  co_await corio::yield_now();
  list.notify_one();
  log("waker continues");
  co_await a;
  BOOST_TEST(log.str() == "waker continues woke 1");
}

CORIO_TEST_CASE(a_cancelled_waiter_leaves_the_list_and_is_never_woken) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  auto b = corio::spawn(wait_and_log(list, 2, log));
  co_await corio::yield_now();
  a.cancel();
  BOOST_TEST(list.size() == 1u);
  BOOST_TEST(list.front()->payload == 2);
  list.notify_one();
  BOOST_CHECK_THROW(co_await a, corio::cancelled_error);
  co_await b;
  BOOST_TEST(log.str() == "aborted 1 woke 2");
  BOOST_TEST(!a.cancel()); // a second cancellation reaches nothing
}

CORIO_TEST_CASE(a_cancellation_after_the_wake_up_does_not_undo_it) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  co_await corio::yield_now();
  list.notify_one();
  a.cancel(); // lands after the wake-up: the wait already succeeded
  co_await corio::yield_now();
  BOOST_TEST(log.str() == "woke 1");
}

CORIO_TEST_CASE(a_list_destroyed_with_waiters_aborts_them) {
  event_log log;
  corio::task<void> a;
  {
    waiter_list<int> list{"test wait"};
    a = corio::spawn(wait_and_log(list, 1, log));
    co_await corio::yield_now();
  }
  BOOST_CHECK_THROW(co_await a, boost::system::system_error);
  BOOST_TEST(log.str() == "aborted 1");
}

CORIO_TEST_CASE(notify_delivers_an_error_code_when_asked) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 4, log));
  co_await corio::yield_now();
  list.notify_one(boost::asio::error::broken_pipe);
  BOOST_CHECK_THROW(co_await a, boost::system::system_error);
  BOOST_TEST(log.str() == "error 4");
}

BOOST_AUTO_TEST_SUITE_END()
