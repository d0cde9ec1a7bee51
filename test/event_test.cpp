#include <corio/event.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>

#include <string>

using namespace std::chrono_literals;
using corio::test::event_log;

namespace {

corio::awaitable<void> wait_and_log(corio::event& e, std::string who, event_log& log) {
  co_await e.wait();
  log(who);
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_test)

CORIO_TEST_CASE(set_wakes_every_waiter_in_the_order_they_came) {
  corio::event e;
  event_log log;
  auto a = corio::spawn(wait_and_log(e, "a", log));
  auto b = corio::spawn(wait_and_log(e, "b", log));
  auto c = corio::spawn(wait_and_log(e, "c", log));
  co_await corio::yield_now();
  BOOST_TEST(e.waiting() == 3u);
  BOOST_TEST(!e.is_set());
  e.set();
  log("set");
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "set a b c");
}

CORIO_TEST_CASE(wait_on_a_set_event_returns_at_once_until_cleared) {
  corio::event e;
  e.set();
  BOOST_TEST(e.is_set());
  co_await e.wait();
  co_await e.wait();
  e.clear();
  BOOST_TEST(!e.is_set());
  BOOST_CHECK_THROW(co_await corio::timeout(1ms, e.wait()), corio::timeout_error);
}

CORIO_TEST_CASE(a_waiter_woken_by_set_returns_even_if_cleared_before_it_runs) {
  corio::event e;
  event_log log;
  auto a = corio::spawn(wait_and_log(e, "a", log));
  co_await corio::yield_now();
  e.set();
  e.clear();
  co_await a;
  BOOST_TEST(log.str() == "a");
}

CORIO_TEST_CASE(a_waiter_cancelled_while_waiting_leaves_nothing_behind) {
  corio::event e;
  event_log log;
  auto a = corio::spawn(wait_and_log(e, "a", log));
  auto b = corio::spawn(wait_and_log(e, "b", log));
  co_await corio::yield_now();
  a.cancel();
  BOOST_CHECK_THROW(co_await a, corio::cancelled_error);
  BOOST_TEST(e.waiting() == 1u);
  e.set();
  co_await b;
  BOOST_TEST(log.str() == "b");
}

CORIO_TEST_CASE(a_waiter_cancelled_after_set_still_returns_normally) {
  corio::event e;
  auto a = corio::spawn(e.wait());
  co_await corio::yield_now();
  e.set();
  a.cancel();
  co_await a;
  BOOST_TEST((a.state() == corio::task_state::done));
}

BOOST_AUTO_TEST_SUITE_END()
