#include <corio/timeout.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

using corio::test::on_real_time;

using namespace std::chrono_literals;
using corio::test::event_log;
using corio::test::value_after;
namespace asio = boost::asio;
using asio::ip::tcp;

BOOST_AUTO_TEST_SUITE(timeout_test)

CORIO_TEST_CASE(an_operation_that_finishes_in_time_returns_its_value) {
  BOOST_TEST(co_await corio::timeout(1s, value_after(1ms, 5)) == 5);
  co_await corio::timeout(1s, corio::sleep(1ms));
}

CORIO_TEST_CASE(the_deadline_cancels_the_operation_and_throws_after_it_ended) {
  event_log log;
  try {
    co_await corio::timeout(5ms, [](event_log& log) -> corio::awaitable<void> {
      try {
        co_await corio::sleep(1h);
      } catch (...) {
        log("operation cancelled");
        throw;
      }
    }(log));
    BOOST_FAIL("no timeout");
  } catch (const corio::timeout_error& e) {
    log("timeout_error");
    BOOST_TEST(std::string(e.what()).find("within 0.005s") != std::string::npos);
    BOOST_TEST((e.code() == asio::error::timed_out));
  }
  BOOST_TEST(log.str() == "operation cancelled timeout_error");
}

// Real time: on virtual time a pending socket read holds the clock, so the 10 ms
// deadline would wait for a reply that never comes (virtual_time_test covers that rule).
CORIO_TEST_CASE(a_timeout_around_a_raw_socket_read_fires, on_real_time) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket client(ex);
  co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  tcp::socket server = co_await acceptor.async_accept(asio::use_awaitable);
  auto read_one_byte = [](tcp::socket& socket) -> corio::awaitable<std::size_t> {
    std::array<char, 1> byte{};
    co_return co_await socket.async_read_some(asio::buffer(byte), asio::use_awaitable);
  };
  BOOST_CHECK_THROW(co_await corio::timeout(10ms, read_one_byte(client)), corio::timeout_error);
  // The socket is still usable after the cancelled read.
  co_await asio::async_write(server, asio::buffer("x", 1), asio::use_awaitable);
  BOOST_TEST(co_await corio::timeout(1s, read_one_byte(client)) == 1u);
}

CORIO_TEST_CASE(the_operations_own_exception_passes_through) {
  BOOST_CHECK_THROW(co_await corio::timeout(1s,
                                            []() -> corio::awaitable<void> {
                                              co_await corio::sleep(0ms);
                                              throw std::length_error("own");
                                            }()),
                    std::length_error);
}

CORIO_TEST_CASE(an_operation_that_swallows_the_cancellation_returns_its_value) {
  const int value = co_await corio::timeout(2ms, corio::test::sleep_swallowing_cancellation());
  BOOST_TEST(value == -1);
}

CORIO_TEST_CASE(cancelling_the_awaiter_gives_cancelled_error_not_timeout_error) {
  event_log log;
  auto waiter = corio::spawn(corio::test::logging_how_it_ends(
      log, "", corio::timeout(1h, [](event_log& log) -> corio::awaitable<void> {
        try {
          co_await corio::sleep(1h);
        } catch (...) {
          log("operation cancelled");
          throw;
        }
      }(log))));
  co_await corio::sleep(2ms);
  waiter.cancel();
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  BOOST_TEST(log.str() == "operation cancelled cancelled_error");
}

CORIO_TEST_CASE(an_inner_timeout_propagates_through_a_longer_outer_one) {
  try {
    co_await corio::timeout(1h, corio::timeout(2ms, corio::sleep(1h)));
    BOOST_FAIL("no timeout");
  } catch (const corio::timeout_error& e) {
    BOOST_TEST(std::string(e.what()).find("0.002s") != std::string::npos);
  }
}

CORIO_TEST_CASE(a_shorter_outer_timeout_wins_over_a_longer_inner_one) {
  try {
    co_await corio::timeout(2ms, corio::timeout(1h, corio::sleep(1h)));
    BOOST_FAIL("no timeout");
  } catch (const corio::timeout_error& e) {
    BOOST_TEST(std::string(e.what()).find("0.002s") != std::string::npos);
  }
}

CORIO_TEST_CASE(a_zero_timeout_cancels_an_operation_that_suspends) {
  BOOST_CHECK_THROW(co_await corio::timeout(0ms, corio::sleep(1h)), corio::timeout_error);
}

// CPython's test_timeout_zero_sleep_zero: `async with timeout(0): await sleep(0)`
// raises TimeoutError. The operation starts, and its one suspension is cancelled.
CORIO_TEST_CASE(a_zero_timeout_cancels_an_operation_that_yields_once) {
  event_log log;
  BOOST_CHECK_THROW(co_await corio::timeout(0s, corio::test::yield_once(log)),
                    corio::timeout_error);
  BOOST_TEST(log.str() == "started");
}

CORIO_TEST_CASE(a_zero_timeout_returns_the_value_of_an_operation_that_never_suspends) {
  BOOST_TEST(co_await corio::timeout(0s, []() -> corio::awaitable<int> { co_return 7; }()) == 7);
}

CORIO_TEST_CASE(a_negative_timeout_is_rejected_when_awaited) {
  // timeout() itself does not throw: the error arrives where timeout_error would.
  auto op = corio::timeout(-1s, value_after(0ms, 1));
  BOOST_CHECK_THROW(co_await std::move(op), std::invalid_argument);
  auto nan = corio::timeout(std::chrono::duration<double>(std::nan("")), value_after(0ms, 1));
  try {
    co_await std::move(nan);
    BOOST_FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("corio::timeout") != std::string::npos);
  }
}

CORIO_TEST_CASE(timeout_in_an_already_cancelled_task_starts_nothing) {
  bool started = false;
  auto t = corio::spawn([](bool& started) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
    }
    co_await corio::timeout(1s, [](bool& started) -> corio::awaitable<void> {
      started = true;
      co_return;
    }(started));
  }(started));
  co_await corio::sleep(1ms);
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(!started);
}

BOOST_AUTO_TEST_SUITE_END()
