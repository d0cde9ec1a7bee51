#include <corio/sleep.hpp>

#include "support/corio_test.hpp"

#include <corio/any_task.hpp>
#include <corio/clock.hpp>
#include <corio/errors.hpp>
#include <corio/introspection.hpp>
#include <corio/loop.hpp>
#include <corio/task.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <limits>
#include <memory>
#include <optional>
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

CORIO_TEST_CASE(equal_deadlines_wake_in_the_order_the_sleeps_started) {
  event_log log;
  const auto deadline = clock_type::now() + 10ms;
  auto sleeper = [](event_log& log, clock_type::time_point deadline,
                    std::string name) -> corio::awaitable<void> {
    co_await corio::sleep_until(deadline);
    log(std::move(name));
  };
  auto a = corio::spawn(sleeper(log, deadline, "a"));
  auto b = corio::spawn(sleeper(log, deadline, "b"));
  auto c = corio::spawn(sleeper(log, deadline, "c"));
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "a b c");
}

CORIO_TEST_CASE(a_sleep_converts_to_an_awaitable_where_one_is_needed) {
  const auto start = clock_type::now();
  corio::awaitable<void> later = corio::sleep(5ms);
  co_await std::move(later);
  BOOST_TEST((clock_type::now() - start == 5ms));
}

CORIO_TEST_CASE(a_sleep_takes_a_callback_and_a_cancellation_slot) {
  namespace asio = boost::asio;
  // The loop's executor: a callback bound to this task's own executor would run as a
  // step of this task (virtual time would then take the task for one in a raw wait).
  const auto ex = corio::current_loop().executor();
  std::optional<boost::system::error_code> slept;
  corio::sleep(5ms)(asio::bind_executor(ex, [&](boost::system::error_code ec) { slept = ec; }));
  co_await corio::sleep(10ms);
  BOOST_REQUIRE(slept.has_value());
  BOOST_TEST(!*slept);

  asio::cancellation_signal signal;
  std::optional<boost::system::error_code> cut;
  corio::sleep(1h)(asio::bind_cancellation_slot(
      signal.slot(), asio::bind_executor(ex, [&](boost::system::error_code ec) { cut = ec; })));
  BOOST_TEST(corio::next_wake_up().has_value()); // the hour is queued
  signal.emit(asio::cancellation_type::terminal);
  co_await corio::yield_now();
  BOOST_REQUIRE(cut.has_value());
  BOOST_TEST((*cut == asio::error::operation_aborted));
  BOOST_TEST(!corio::next_wake_up().has_value()); // and it left the queue
}

// One wake-up timer serves a context's sleeps; once the last sleep is cancelled it
// must not keep the context's run() busy until its old deadline.
BOOST_AUTO_TEST_CASE(a_cancelled_sleep_does_not_hold_a_users_io_context) {
  boost::asio::io_context context;
  auto sleeper = corio::spawn(context.get_executor(), corio::sleep(1h), "sleeper");
  auto canceller =
      corio::spawn(context.get_executor(), [](corio::task<void> victim) -> corio::awaitable<void> {
        co_await corio::sleep(1ms);
        victim.cancel();
      }(sleeper));
  context.run_for(10s); // returns as soon as the context runs out of work
  BOOST_TEST(context.stopped());
  BOOST_TEST(sleeper.cancelled());
  BOOST_TEST(canceller.done());
}

// A sleep's wait lives in its coroutine's frame, and the frame is owned by the wait's
// handler: a context destroyed under a sleeping task must still unwind the coroutine.
BOOST_AUTO_TEST_CASE(an_io_context_destroyed_under_a_sleeping_task_unwinds_it) {
  class on_unwind {
  public:
    explicit on_unwind(bool& unwound) noexcept : unwound_(unwound) {}
    on_unwind(const on_unwind&) = delete;
    on_unwind& operator=(const on_unwind&) = delete;
    ~on_unwind() { unwound_ = true; }

  private:
    bool& unwound_;
  };
  bool unwound = false;
  auto context = std::make_unique<boost::asio::io_context>();
  auto sleeper = corio::spawn(context->get_executor(), [](bool& unwound) -> corio::awaitable<void> {
    const on_unwind guard{unwound};
    co_await corio::sleep(1h);
  }(unwound));
  context->run_for(20ms);
  BOOST_TEST(!sleeper.done());
  BOOST_TEST(!unwound);
  context.reset();
  BOOST_TEST(unwound);
}

// A sleep's completion is queued on the io_context in place (no allocation) and resumes
// the task inside a step of that task, as the task's executor would: on real time and
// on virtual time, for an expired sleep, a timed one and a cancelled one.
CORIO_TEST_CASE(a_sleep_resumes_its_task_in_a_step_of_that_task) {
  auto sleeper = [](std::chrono::milliseconds duration) -> corio::awaitable<std::string> {
    co_await corio::sleep(duration);
    co_return corio::current_task().name();
  };
  auto expired = corio::spawn(sleeper(0ms), "expired");
  auto timed = corio::spawn(sleeper(5ms), "timed");
  BOOST_TEST(co_await expired == "expired");
  BOOST_TEST(co_await timed == "timed");
  auto cancelled = corio::spawn(
      []() -> corio::awaitable<std::string> {
        try {
          co_await corio::sleep(1h);
        } catch (const corio::cancelled_error&) {
        }
        co_return corio::current_task().name();
      }(),
      "cancelled");
  co_await corio::yield_now();
  cancelled.cancel();
  BOOST_TEST(co_await cancelled == "cancelled");
}

// An expired sleep's completion waits in the io_context's queue; destroying the
// io_context before it runs drops it, which unwinds the task (ASan: nothing leaks).
BOOST_AUTO_TEST_CASE(an_io_context_destroyed_with_a_sleeps_completion_queued_unwinds_the_task) {
  bool unwound = false;
  bool resumed = false;
  auto context = std::make_unique<boost::asio::io_context>();
  auto sleeper = corio::spawn(context->get_executor(),
                              [](bool& unwound, bool& resumed) -> corio::awaitable<void> {
                                struct on_unwind {
                                  bool& unwound;
                                  ~on_unwind() { unwound = true; }
                                } guard{unwound};
                                co_await corio::sleep(0ms);
                                resumed = true;
                              }(unwound, resumed));
  BOOST_TEST(context->poll_one() == 1u); // the task's first step: the sleep's completion is queued
  BOOST_TEST(!sleeper.done());
  BOOST_TEST(!unwound);
  context.reset();
  BOOST_TEST(unwound);
  BOOST_TEST(!resumed);
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
