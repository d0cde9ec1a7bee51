#include <corio/race.hpp>

#include "support/children.hpp"
#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <stdexcept>
#include <string>
#include <variant>

using namespace std::chrono_literals;
using corio::test::event_log;
using corio::test::fail_after;
using corio::test::slow_to_cancel;
using corio::test::traced;
using corio::test::value_after;

BOOST_AUTO_TEST_SUITE(race_test)

CORIO_TEST_CASE(race_returns_the_first_result_at_its_index) {
  auto winner = co_await corio::race(value_after(5ms, 1), value_after(1ms, 2));
  BOOST_TEST(winner.index() == 1u);
  BOOST_TEST(std::get<1>(winner) == 2);
}

CORIO_TEST_CASE(a_void_winner_is_a_monostate) {
  auto winner = co_await corio::race(value_after(1h, 1), corio::sleep(1ms));
  BOOST_TEST(winner.index() == 1u);
  BOOST_TEST(std::holds_alternative<std::monostate>(winner));
}

CORIO_TEST_CASE(the_losers_are_cancelled_and_awaited_before_race_returns) {
  event_log log;
  auto winner = co_await corio::race(traced("a", 1h, 0, log), traced("b", 1ms, 7, log),
                                     slow_to_cancel("c", 3ms, log));
  log("race returned");
  BOOST_TEST(std::get<1>(winner) == 7);
  BOOST_TEST(log.str() == "b done a cancelled c cancelled race returned");
}

CORIO_TEST_CASE(a_failure_that_finishes_first_is_rethrown_after_the_losers_ended) {
  event_log log;
  try {
    co_await corio::race(slow_to_cancel("a", 3ms, log), fail_after(1ms, "boom", log));
    BOOST_FAIL("race did not throw");
  } catch (const std::runtime_error& e) {
    log(std::string("caught ") + e.what());
  }
  BOOST_TEST(log.str() == "boom thrown a cancelled caught boom");
}

CORIO_TEST_CASE(a_loser_failing_after_the_winner_does_not_replace_the_result) {
  corio::test::captured_log captured;
  auto fails_when_cancelled = []() -> corio::awaitable<int> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
    }
    throw std::logic_error("loser");
  };
  auto winner = co_await corio::race(value_after(1ms, 3), fails_when_cancelled());
  BOOST_TEST(std::get<0>(winner) == 3);
  BOOST_TEST(captured.count("corio::race: dropped a further failure") == 1u);
}

CORIO_TEST_CASE(cancelling_the_racer_cancels_every_child_and_waits) {
  event_log log;
  co_await corio::test::cancel_while_awaiting(
      1ms, corio::race(traced("a", 1h, 0, log), slow_to_cancel("b", 3ms, log)), log);
  BOOST_TEST(log.str() == "a cancelled b cancelled awaiter cancelled");
}

CORIO_TEST_CASE(race_of_one_returns_its_result) {
  auto only = co_await corio::race(value_after(0ms, 9));
  BOOST_TEST(std::get<0>(only) == 9);
}

BOOST_AUTO_TEST_SUITE_END()
