#include <corio/async_generator.hpp>

#include "support/children.hpp"
#include "support/corio_test.hpp"

#include <corio/as_completed.hpp>
#include <corio/clock.hpp>
#include <corio/errors.hpp>
#include <corio/event.hpp>
#include <corio/interval.hpp>
#include <corio/loop.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corio::test::counted;
using corio::test::event_log;

namespace {

using clock_type = corio::clock; // the loop's: virtual in CORIO_TEST_CASE

// Yields 1..n; logs each value as it is made, and the end.
corio::awaitable<void> numbers(corio::yielder<int> yield, int n, event_log& log) {
  for (int i = 1; i <= n; ++i) {
    log("make " + std::to_string(i));
    co_await corio::yield_now(); // a real suspension between values
    co_await yield(i);
  }
  log("end");
}

// Yields 0, 1, 2, ... forever, holding a counted; logs how it unwinds.
corio::awaitable<void> holding(corio::yielder<int> yield, counted /*held*/, event_log& log) {
  try {
    for (int i = 0;; ++i)
      co_await yield(i);
  } catch (const corio::cancelled_error&) {
    log("cancelled at yield");
    throw;
  }
}

// Yields 1, then waits an hour (logging "sleeping" first), then yields 2.
corio::awaitable<void> sleeps_after_one(corio::yielder<int> yield, counted /*held*/,
                                        event_log& log) {
  co_await yield(1);
  log("sleeping");
  try {
    co_await corio::sleep(1h);
  } catch (const corio::cancelled_error&) {
    log("sleep cancelled");
    throw;
  }
  co_await yield(2);
}

// Lets the loop run until `log` has `count` events (a bounded number of turns).
corio::awaitable<void> turns_until(const event_log& log, std::size_t count) {
  for (int turn = 0; turn < 100 && log.events().size() < count; ++turn)
    co_await corio::yield_now();
}

// Lets the loop run until every counted is gone (a bounded number of turns).
corio::awaitable<void> turns_until_none_alive() {
  for (int turn = 0; turn < 100 && counted::alive != 0; ++turn)
    co_await corio::yield_now();
}

// Pulls one value; logs the value or what next() threw.
corio::awaitable<void> pull_one(corio::async_generator<int>& gen, event_log& log) {
  try {
    std::optional<int> value = co_await gen.next();
    log(value ? "got " + std::to_string(*value) : "got nullopt");
  } catch (const corio::cancelled_error&) {
    log("next cancelled");
    throw;
  }
}

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(async_generator_test)

CORIO_TEST_CASE(values_come_out_in_order_then_nullopt) {
  event_log log;
  corio::async_generator<int> gen(numbers, 3, log);
  std::vector<int> values;
  while (std::optional<int> value = co_await gen.next())
    values.push_back(*value);
  BOOST_TEST(values == (std::vector<int>{1, 2, 3}));
  BOOST_TEST(log.str() == "make 1 make 2 make 3 end");
}

CORIO_TEST_CASE(nothing_runs_before_the_first_next_nor_ahead_of_the_consumer) {
  event_log log;
  corio::async_generator<int> gen(numbers, 3, log);
  co_await corio::sleep(1ms);
  BOOST_TEST(log.str() == ""); // created, never pulled: the body has not started
  BOOST_TEST(*co_await gen.next() == 1);
  for (int turn = 0; turn < 10; ++turn)
    co_await corio::yield_now();
  BOOST_TEST(log.str() == "make 1"); // suspended at its yield until the next next()
  BOOST_TEST(*co_await gen.next() == 2);
  BOOST_TEST(log.str() == "make 1 make 2");
}

CORIO_TEST_CASE(an_exception_in_the_body_reaches_next_once_then_the_generator_is_closed) {
  corio::async_generator<int> gen([](corio::yielder<int> yield) -> corio::awaitable<void> {
    co_await yield(1);
    co_await corio::sleep(1ms);
    throw std::runtime_error("boom");
  });
  BOOST_TEST(*co_await gen.next() == 1);
  BOOST_CHECK_EXCEPTION(co_await gen.next(), std::runtime_error, [](const std::runtime_error& e) {
    return std::string(e.what()) == "boom";
  });
  BOOST_CHECK_EXCEPTION(
      co_await gen.next(), corio::generator_exhausted,
      [](const corio::generator_exhausted& e) { return contains(e.what(), "its body threw"); });
}

CORIO_TEST_CASE(next_after_the_loop_ended_throws_generator_exhausted) {
  event_log log;
  corio::async_generator<int> gen(numbers, 2, log);
  int sum = 0;
  co_await corio::for_each(gen, [&sum](int value) { sum += value; });
  BOOST_TEST(sum == 3);
  BOOST_CHECK_EXCEPTION(co_await gen.next(), corio::generator_exhausted,
                        [](const corio::generator_exhausted& e) {
                          return contains(e.what(), "corio::async_generator::next") &&
                                 contains(e.what(), "has returned");
                        });
}

CORIO_TEST_CASE(for_each_takes_a_coroutine_and_stops_when_it_returns_false) {
  event_log log;
  corio::async_generator<int> gen(numbers, 5, log);
  std::vector<int> seen;
  co_await corio::for_each(gen, [&seen](int value) -> corio::awaitable<bool> {
    co_await corio::yield_now();
    seen.push_back(value);
    co_return value < 2;
  });
  BOOST_TEST(seen == (std::vector<int>{1, 2}));
  BOOST_TEST(*co_await gen.next() == 3); // a break leaves the generator where it was
}

CORIO_TEST_CASE(move_only_values_are_handed_over) {
  corio::async_generator<std::unique_ptr<int>> gen(
      [](corio::yielder<std::unique_ptr<int>> yield) -> corio::awaitable<void> {
        co_await yield(std::make_unique<int>(7));
      });
  std::optional<std::unique_ptr<int>> first = co_await gen.next();
  BOOST_TEST(**first == 7);
  BOOST_TEST(!(co_await gen.next()).has_value());
}

CORIO_TEST_CASE(a_never_started_generator_is_destroyed_on_the_spot) {
  event_log log;
  {
    corio::async_generator<int> gen(holding, counted{}, log);
    BOOST_TEST(counted::alive == 1); // the body's parameter, in its frame
  }
  BOOST_TEST(counted::alive == 0);
  BOOST_TEST(log.str() == ""); // its body never ran
  co_return;
}

CORIO_TEST_CASE(destroying_a_suspended_generator_unwinds_its_body_once) {
  event_log log;
  {
    corio::async_generator<int> gen(holding, counted{}, log);
    BOOST_TEST(*co_await gen.next() == 0);
  }
  co_await turns_until_none_alive();
  BOOST_TEST(counted::alive == 0);
  BOOST_TEST(log.str() == "cancelled at yield");
}

CORIO_TEST_CASE(a_body_failing_while_it_unwinds_after_destruction_is_logged_not_lost) {
  corio::test::captured_log warnings;
  {
    corio::async_generator<int> gen([](corio::yielder<int> yield) -> corio::awaitable<void> {
      try {
        co_await yield(1);
      } catch (const corio::cancelled_error&) {
        throw std::runtime_error("cleanup failed");
      }
    });
    BOOST_TEST(*co_await gen.next() == 1);
  }
  for (int turn = 0; turn < 100 && warnings.count("cleanup failed") == 0; ++turn)
    co_await corio::yield_now();
  BOOST_TEST(warnings.count("never retrieved") == 1u);
  BOOST_TEST(warnings.count("cleanup failed") == 1u);
}

CORIO_TEST_CASE(close_returns_after_the_body_unwound_and_closes_the_generator) {
  event_log log;
  corio::async_generator<int> gen(holding, counted{}, log);
  BOOST_TEST(*co_await gen.next() == 0);
  BOOST_TEST(*co_await gen.next() == 1);
  co_await gen.close();
  BOOST_TEST(counted::alive == 0);
  BOOST_TEST(log.str() == "cancelled at yield");
  co_await gen.close(); // a no-op now
  BOOST_CHECK_EXCEPTION(
      co_await gen.next(), corio::generator_exhausted,
      [](const corio::generator_exhausted& e) { return contains(e.what(), "it was closed"); });
  BOOST_TEST(log.str() == "cancelled at yield");
}

CORIO_TEST_CASE(for_each_over_a_temporary_closes_it_when_the_loop_breaks) {
  event_log log;
  int last = -1;
  co_await corio::for_each(corio::async_generator<int>(holding, counted{}, log),
                           [&last](int value) {
                             last = value;
                             return value < 2;
                           });
  BOOST_TEST(last == 2);
  BOOST_TEST(counted::alive == 0); // unwound before for_each returned
  BOOST_TEST(log.str() == "cancelled at yield");
}

CORIO_TEST_CASE(cancelling_the_consumer_cancels_the_await_inside_the_generator) {
  event_log log;
  corio::async_generator<int> gen(sleeps_after_one, counted{}, log);
  BOOST_TEST(*co_await gen.next() == 1);
  auto consumer = corio::spawn(pull_one(gen, log));
  co_await turns_until(log, 1); // the body sleeps, the consumer waits in next()
  BOOST_TEST(log.str() == "sleeping");
  consumer.cancel();
  BOOST_CHECK_THROW(co_await consumer, corio::cancelled_error);
  // next() waited for the body to unwind before it threw.
  BOOST_TEST(log.str() == "sleeping sleep cancelled next cancelled");
  BOOST_TEST(counted::alive == 0);
  // Pulled again after the cancellation: a clear error.
  BOOST_CHECK_EXCEPTION(
      co_await gen.next(), corio::generator_exhausted,
      [](const corio::generator_exhausted& e) { return contains(e.what(), "it was cancelled"); });
}

CORIO_TEST_CASE(cancelling_the_consumer_reaches_a_raw_asio_operation_in_the_generator) {
  event_log log;
  corio::async_generator<int> gen([&log](corio::yielder<int> yield) -> corio::awaitable<void> {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 1h);
    log("waiting");
    co_await timer.async_wait(boost::asio::use_awaitable); // system_error(operation_aborted)
    co_await yield(1);
  });
  auto consumer = corio::spawn(pull_one(gen, log));
  co_await turns_until(log, 1);
  consumer.cancel();
  BOOST_CHECK_THROW(co_await consumer, corio::cancelled_error);
  BOOST_TEST(log.str() == "waiting next cancelled");
  BOOST_CHECK_THROW(co_await gen.next(), corio::generator_exhausted);
}

CORIO_TEST_CASE(cancelling_the_consumer_between_next_calls_leaves_the_generator_usable) {
  event_log log;
  corio::async_generator<int> gen(holding, counted{}, log);
  auto consumer =
      corio::spawn([](corio::async_generator<int>& gen, event_log& log) -> corio::awaitable<void> {
        co_await pull_one(gen, log);
        co_await corio::sleep(1h); // cancelled here, outside next()
      }(gen, log));
  co_await turns_until(log, 1);
  consumer.cancel();
  BOOST_CHECK_THROW(co_await consumer, corio::cancelled_error);
  BOOST_TEST(log.str() == "got 0");
  BOOST_TEST(counted::alive == 1);       // the body still waits at its yield
  BOOST_TEST(*co_await gen.next() == 1); // nothing was lost
  co_await gen.close();
}

CORIO_TEST_CASE(a_cancelled_consumer_cannot_pull_and_the_generator_is_untouched) {
  event_log log;
  corio::async_generator<int> gen(numbers, 3, log);
  auto consumer = corio::spawn([](corio::async_generator<int>& gen) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const corio::cancelled_error&) {
    }
    co_await gen.next(); // sticky: throws before next() begins
  }(gen));
  co_await corio::yield_now();
  consumer.cancel();
  BOOST_CHECK_THROW(co_await consumer, boost::system::system_error);
  BOOST_TEST(log.str() == "");
  BOOST_TEST(*co_await gen.next() == 1);
}

CORIO_TEST_CASE(a_second_concurrent_next_is_a_logic_error) {
  event_log log;
  corio::async_generator<int> gen(sleeps_after_one, counted{}, log);
  BOOST_TEST(*co_await gen.next() == 1);
  auto consumer = corio::spawn(pull_one(gen, log));
  co_await turns_until(log, 1);
  BOOST_CHECK_EXCEPTION(co_await gen.next(), std::logic_error, [](const std::logic_error& e) {
    return contains(e.what(), "still in progress");
  });
  BOOST_CHECK_THROW(co_await gen.close(), std::logic_error);
  consumer.cancel();
  BOOST_CHECK_THROW(co_await consumer, corio::cancelled_error);
}

CORIO_TEST_CASE(a_yield_while_the_generator_closes_is_a_logic_error) {
  event_log log;
  corio::async_generator<int> gen([&log](corio::yielder<int> yield) -> corio::awaitable<void> {
    bool cancelled = false;
    try {
      co_await yield(1);
    } catch (const corio::cancelled_error&) {
      cancelled = true;
    }
    if (!cancelled)
      co_return;
    co_await corio::enter_cleanup();
    try {
      co_await yield(2); // Python: "async generator ignored GeneratorExit"
    } catch (const std::logic_error& e) {
      log(contains(e.what(), "no next() waits") ? "refused" : e.what());
      throw;
    }
  });
  BOOST_TEST(*co_await gen.next() == 1);
  BOOST_CHECK_THROW(co_await gen.close(), std::logic_error); // close() rethrows what it threw
  BOOST_TEST(log.str() == "refused");
}

BOOST_AUTO_TEST_CASE(a_generator_outliving_run_is_drained_and_destroyed_safely) {
  event_log log;
  std::optional<corio::async_generator<int>> gen;
  corio::run([](std::optional<corio::async_generator<int>>& gen,
                event_log& log) -> corio::awaitable<void> {
    gen.emplace(holding, counted{}, log);
    co_await gen->next();
  }(gen, log));
  BOOST_TEST(counted::alive == 0); // run() cancelled and drained the suspended body
  BOOST_TEST(log.str() == "cancelled at yield");
  gen.reset();
}

namespace {

corio::awaitable<std::string> pull_error(corio::async_generator<int>& gen) {
  try {
    co_await gen.next();
  } catch (const std::logic_error& e) {
    co_return e.what();
  }
  co_return "no error";
}

corio::awaitable<std::size_t> loop_of_first_value(corio::async_generator<int>& gen) {
  co_await gen.next();
  co_return corio::current_loop().index();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_generator_binds_to_the_loop_of_its_first_next) {
  corio::run(
      []() -> corio::awaitable<void> {
        event_log log;
        corio::async_generator<int> here(numbers, 3, log);
        BOOST_TEST(*co_await here.next() == 1);
        const std::string error = co_await corio::spawn(corio::loops()[1], pull_error(here));
        BOOST_TEST(contains(error.c_str(), "used from a task of loop 1, but it belongs to loop 0"),
                   error);
        BOOST_TEST(*co_await here.next() == 2); // the refused pull changed nothing
        // Created here, first pulled on loop 1: it belongs to loop 1, and its body runs there.
        corio::async_generator<int> there([](corio::yielder<int> yield) -> corio::awaitable<void> {
          co_await yield(static_cast<int>(corio::current_loop().index()));
        });
        BOOST_TEST(co_await corio::spawn(corio::loops()[1], loop_of_first_value(there)) == 1u);
        const std::string refused = co_await pull_error(there);
        BOOST_TEST(
            contains(refused.c_str(), "used from a task of loop 0, but it belongs to loop 1"),
            refused);
      }(),
      corio::run_options{.loops = 2});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(interval_test)

BOOST_AUTO_TEST_CASE(a_late_tick_follows_the_policy) {
  using corio::missed_tick;
  using corio::detail::next_tick;
  const clock_type::time_point start{};
  constexpr auto period = 10ms;
  // On time: the next tick is one period later, whatever the policy.
  for (missed_tick policy : {missed_tick::skip, missed_tick::burst, missed_tick::delay})
    BOOST_TEST((next_tick(start, period, start + 4ms, policy) == start + 10ms));
  // Back at 35 ms, having taken the tick due at 0: ticks at 10, 20, 30 were missed.
  const auto late = start + 35ms;
  BOOST_TEST((next_tick(start, period, late, missed_tick::burst) == start + 10ms));
  BOOST_TEST((next_tick(start + 10ms, period, late, missed_tick::burst) == start + 20ms));
  BOOST_TEST((next_tick(start, period, late, missed_tick::skip) == start + 30ms));
  BOOST_TEST((next_tick(start + 30ms, period, late, missed_tick::skip) == start + 40ms));
  BOOST_TEST((next_tick(start, period, late, missed_tick::delay) == late));
  BOOST_TEST((next_tick(late, period, late, missed_tick::delay) == late + 10ms));
  // A period beyond the clock's range means "never".
  BOOST_TEST((next_tick(start + 1h, clock_type::duration::max(), late, missed_tick::skip) ==
              clock_type::time_point::max()));
}

CORIO_TEST_CASE(ticks_come_at_most_once_a_period_and_the_first_at_once) {
  constexpr auto period = 20ms;
  const auto before = clock_type::now();
  auto ticks = corio::interval(period);
  const clock_type::time_point first = *co_await ticks.next();
  BOOST_TEST((first >= before));
  const clock_type::time_point second = *co_await ticks.next();
  BOOST_TEST((clock_type::now() >= second)); // never early
  BOOST_TEST((second > first));
  BOOST_TEST(((second - first) % period == clock_type::duration::zero())); // on the grid
}

CORIO_TEST_CASE(a_late_consumer_gets_every_missed_tick_with_burst) {
  constexpr auto period = 10ms;
  auto ticks = corio::interval(period, corio::missed_tick::burst);
  const clock_type::time_point first = *co_await ticks.next();
  co_await corio::sleep(period * 3.5);
  for (int k = 1; k <= 3; ++k)
    BOOST_TEST((*co_await ticks.next() == first + k * period));
}

CORIO_TEST_CASE(a_late_consumer_gets_one_tick_on_the_grid_with_skip) {
  constexpr auto period = 10ms;
  auto ticks = corio::interval(period);
  const clock_type::time_point first = *co_await ticks.next();
  co_await corio::sleep(period * 3.5);
  const clock_type::time_point late = *co_await ticks.next();
  BOOST_TEST((late >= first + 3 * period)); // ticks 1 and 2 were skipped
  BOOST_TEST(((late - first) % period == clock_type::duration::zero()));
  const clock_type::time_point after = *co_await ticks.next();
  BOOST_TEST((after > late));
  BOOST_TEST(((after - first) % period == clock_type::duration::zero())); // still on the grid
}

CORIO_TEST_CASE(a_late_consumer_moves_the_grid_with_delay) {
  constexpr auto period = 10ms;
  auto ticks = corio::interval(period, corio::missed_tick::delay);
  const clock_type::time_point first = *co_await ticks.next();
  co_await corio::sleep(period * 3.5);
  const clock_type::time_point late = *co_await ticks.next();
  BOOST_TEST((late >= first + period * 3.5)); // due when the consumer came back
  const clock_type::time_point after = *co_await ticks.next();
  BOOST_TEST((after >= late + period));
}

CORIO_TEST_CASE(a_period_that_is_not_positive_is_rejected) {
  BOOST_CHECK_THROW(corio::interval(0s), std::invalid_argument);
  BOOST_CHECK_THROW(corio::interval(-1ms), std::invalid_argument);
  co_return;
}

CORIO_TEST_CASE(cancelling_a_consumer_waiting_for_a_tick_closes_the_interval) {
  auto ticks = corio::interval(1h);
  co_await ticks.next(); // the first tick comes at once; the next one in an hour
  auto consumer = corio::spawn(
      [](decltype(ticks)& ticks) -> corio::awaitable<void> { co_await ticks.next(); }(ticks));
  co_await corio::yield_now();
  co_await corio::yield_now();
  consumer.cancel();
  BOOST_CHECK_THROW(co_await consumer, corio::cancelled_error);
  BOOST_CHECK_THROW(co_await ticks.next(), corio::generator_exhausted);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(as_completed_generator_test)

CORIO_TEST_CASE(tasks_come_out_of_the_generator_in_the_order_they_finish) {
  std::array<corio::event, 3> go;
  std::vector<corio::task<int>> tasks = corio::test::tasks_released_by(go);
  auto finished = corio::as_completed_generator(tasks);
  co_await corio::yield_now();
  go[2].set();
  go[0].set();
  go[1].set();
  std::vector<int> order;
  co_await corio::for_each(finished, [&order](corio::task<int> t) -> corio::awaitable<void> {
    BOOST_TEST(t.done());
    order.push_back(co_await t);
  });
  BOOST_TEST(order == (std::vector<int>{3, 1, 2}));
  BOOST_CHECK_THROW(co_await finished.next(), corio::generator_exhausted);
}

CORIO_TEST_CASE(for_each_also_walks_the_as_completed_class) {
  std::vector<corio::task<int>> tasks{corio::spawn(corio::test::value_after(1ms, 5))};
  corio::as_completed finished(tasks);
  int sum = 0;
  co_await corio::for_each(
      finished, [&sum](corio::task<int> t) -> corio::awaitable<void> { sum += co_await t; });
  BOOST_TEST(sum == 5);
}

BOOST_AUTO_TEST_SUITE_END()
