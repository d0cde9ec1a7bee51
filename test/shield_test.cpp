#include <corio/shield.hpp>

#include "support/corio_test.hpp"

#include <corio/detail/waiter_list.hpp>
#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

using namespace std::chrono_literals;
using corio::test::event_log;
using corio::test::value_after;

BOOST_AUTO_TEST_SUITE(shield_test)

CORIO_TEST_CASE(shield_returns_the_tasks_value_like_a_plain_await) {
  auto t = corio::spawn(value_after(1ms, 8));
  BOOST_TEST(co_await corio::shield(t) == 8);
}

CORIO_TEST_CASE(a_cancelled_awaiter_stops_waiting_and_the_shielded_task_runs_on) {
  corio::detail::waiter_list<> release{"test release"}; // the saver finishes only when told
  auto saver = corio::spawn(
      [](corio::detail::waiter_list<>& release) -> corio::awaitable<int> {
        co_await release.async_wait({}, boost::asio::use_awaitable);
        co_return 99;
      }(release),
      "saver");
  auto awaiter = corio::spawn([](corio::task<int> saver) -> corio::awaitable<int> {
    co_return co_await corio::shield(saver);
  }(saver));
  co_await corio::yield_now();
  awaiter.cancel();
  BOOST_CHECK_THROW(co_await awaiter, corio::cancelled_error);
  BOOST_TEST(!saver.done());
  release.notify_all();
  BOOST_TEST(co_await saver == 99);
}

CORIO_TEST_CASE(shield_passes_the_tasks_own_exception) {
  auto failing = corio::spawn([]() -> corio::awaitable<void> {
    co_await corio::sleep(0ms);
    throw std::runtime_error("inner");
  }());
  BOOST_CHECK_THROW(co_await corio::shield(failing), std::runtime_error);
}

CORIO_TEST_CASE(shielded_runs_cleanup_to_its_end_in_a_cancelled_task) {
  event_log log;
  auto t = corio::spawn([](event_log& log) -> corio::awaitable<int> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
      log("cancelled");
    }
    co_await corio::enter_cleanup();
    const int flushed = co_await corio::shielded(value_after(2ms, 3));
    log("flushed " + std::to_string(flushed));
    throw corio::cancelled_error();
    co_return flushed;
  }(log));
  co_await corio::yield_now();
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(log.str() == "cancelled flushed 3");
}

CORIO_TEST_CASE(a_second_cancellation_does_not_reach_the_shielded_cleanup) {
  event_log log;
  auto t = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
    }
    co_await corio::enter_cleanup();
    co_await corio::shielded([](event_log& log) -> corio::awaitable<void> {
      co_await corio::sleep(5ms);
      log("cleanup finished");
    }(log));
    throw corio::cancelled_error();
  }(log));
  co_await corio::yield_now();
  t.cancel();
  co_await corio::sleep(1ms);
  t.cancel(); // lands while the cleanup runs
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(log.str() == "cleanup finished");
}

CORIO_TEST_CASE(a_cancelled_task_cannot_start_shielded_before_entering_cleanup) {
  bool started = false;
  auto t = corio::spawn([](bool& started) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
    }
    co_await corio::shielded([](bool& started) -> corio::awaitable<void> {
      started = true;
      co_return;
    }(started));
  }(started));
  co_await corio::yield_now();
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(!started);
}

CORIO_TEST_CASE(a_timeout_inside_shielded_bounds_the_cleanup) {
  auto t = corio::spawn([]() -> corio::awaitable<bool> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
    }
    co_await corio::enter_cleanup();
    try {
      co_await corio::shielded(corio::timeout(2ms, corio::sleep(1h)));
    } catch (const corio::timeout_error&) {
      co_return true;
    }
    co_return false;
  }());
  co_await corio::yield_now();
  t.cancel();
  BOOST_TEST(co_await t);
}

CORIO_TEST_CASE(shielded_restores_the_callers_own_throw_if_cancelled_setting) {
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  co_await corio::shielded(corio::sleep(0ms));
  BOOST_TEST(!(co_await boost::asio::this_coro::throw_if_cancelled()));
  co_await boost::asio::this_coro::throw_if_cancelled(true);
  co_await corio::shielded(corio::sleep(0ms));
  BOOST_TEST((co_await boost::asio::this_coro::throw_if_cancelled()));
}

CORIO_TEST_CASE(shielded_passes_the_cleanups_exception) {
  BOOST_CHECK_THROW(co_await corio::shielded([]() -> corio::awaitable<void> {
                      co_await corio::sleep(0ms);
                      throw std::runtime_error("cleanup failed");
                    }()),
                    std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
