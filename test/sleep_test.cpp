#include <corio/sleep.hpp>

#include "support/corio_test.hpp"

#include <corio/clock.hpp>
#include <corio/errors.hpp>
#include <corio/task.hpp>

#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>

using corio::test::on_real_time;

using namespace std::chrono_literals;
using corio::test::event_log;
using clock_type = corio::clock; // the loop's: virtual in CORIO_TEST_CASE

BOOST_AUTO_TEST_SUITE(sleep_test)

CORIO_TEST_CASE(sleep_waits_at_least_the_duration_on_the_real_clock, on_real_time) {
  const auto start = clock_type::now();
  co_await corio::sleep(20ms);
  BOOST_TEST((clock_type::now() - start >= 20ms));
}

CORIO_TEST_CASE(sleep_waits_exactly_the_duration_on_virtual_time) {
  const auto start = clock_type::now();
  co_await corio::sleep(20ms);
  BOOST_TEST((clock_type::now() - start == 20ms));
}

CORIO_TEST_CASE(sleep_accepts_any_duration_type_including_fractional_seconds) {
  const auto start = clock_type::now();
  co_await corio::sleep(std::chrono::duration<double>(0.01));
  co_await corio::sleep(0s);
  BOOST_TEST((clock_type::now() - start >= 10ms));
}

BOOST_AUTO_TEST_CASE(a_negative_duration_is_rejected_when_sleep_is_called) {
  try {
    (void)corio::sleep(-5ms);
    BOOST_FAIL("accepted");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    BOOST_TEST(message.find("corio::sleep") != std::string::npos);
    BOOST_TEST(message.find("-0.005s") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_nan_duration_is_rejected) {
  const std::chrono::duration<double> nan(std::numeric_limits<double>::quiet_NaN());
  BOOST_CHECK_THROW((void)corio::sleep(nan), std::invalid_argument);
}

CORIO_TEST_CASE(an_absurdly_long_sleep_saturates_and_stays_cancellable) {
  auto forever = corio::spawn(corio::sleep(std::chrono::hours::max()));
  auto also_forever = corio::spawn(corio::sleep(std::chrono::duration<double>(1e300)));
  co_await corio::sleep(1ms);
  BOOST_TEST(!forever.done());
  BOOST_TEST(!also_forever.done());
  forever.cancel();
  also_forever.cancel();
  BOOST_CHECK_THROW(co_await forever, corio::cancelled_error);
  BOOST_CHECK_THROW(co_await also_forever, corio::cancelled_error);
}

CORIO_TEST_CASE(sleep_until_a_past_deadline_completes_at_once) {
  const auto start = clock_type::now();
  co_await corio::sleep_until(start - 1h);
  co_await corio::sleep_until(clock_type::time_point::min());
  BOOST_TEST((clock_type::now() - start < 1s));
}

CORIO_TEST_CASE(sleepers_wake_in_deadline_order) {
  event_log log;
  auto sleeper = [](event_log& log, std::chrono::milliseconds delay,
                    std::string name) -> corio::awaitable<void> {
    co_await corio::sleep(delay);
    log(std::move(name));
  };
  auto slow = corio::spawn(sleeper(log, 30ms, "slow"));
  auto fast = corio::spawn(sleeper(log, 5ms, "fast"));
  auto middle = corio::spawn(sleeper(log, 15ms, "middle"));
  co_await slow;
  co_await fast;
  co_await middle;
  BOOST_TEST(log.str() == "fast middle slow");
}

CORIO_TEST_CASE(yield_now_lets_every_ready_task_take_a_step) {
  event_log log;
  auto stepper = [](event_log& log, std::string name) -> corio::awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      log(name + std::to_string(i));
      co_await corio::yield_now();
    }
  };
  auto a = corio::spawn(stepper(log, "a"));
  auto b = corio::spawn(stepper(log, "b"));
  co_await a;
  co_await b;
  BOOST_TEST(log.str() == "a0 b0 a1 b1");
}

CORIO_TEST_CASE(a_cancelled_yield_now_throws) {
  auto t = corio::spawn([]() -> corio::awaitable<void> {
    for (;;)
      co_await corio::yield_now();
  }());
  co_await corio::yield_now();
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
}

BOOST_AUTO_TEST_SUITE_END()
