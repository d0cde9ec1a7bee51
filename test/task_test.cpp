#include <corio/task.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using corio::test::counted;
using corio::test::event_log;
using corio::test::value_after;

namespace {

template <typename T>
std::string repr(const corio::task<T>& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

struct not_default_constructible {
  explicit not_default_constructible(int v) : value(v) {}
  int value;
};

struct thrown_int {};

} // namespace

BOOST_AUTO_TEST_SUITE(task_test)

CORIO_TEST_CASE(await_returns_the_value_the_coroutine_returned) {
  auto t = corio::spawn(value_after(1ms, 42));
  BOOST_TEST(co_await t == 42);
  BOOST_TEST(t.done());
  BOOST_TEST((t.state() == corio::task_state::done));
}

CORIO_TEST_CASE(spawn_does_not_run_the_task_before_the_spawner_suspends) {
  event_log log;
  auto t = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    log("child");
    co_return;
  }(log));
  log("spawner");
  co_await t;
  BOOST_TEST(log.str() == "spawner child");
}

CORIO_TEST_CASE(unnamed_tasks_are_numbered_from_task_1_which_is_main) {
  auto second = corio::spawn(value_after(0ms, 2));
  auto named = corio::spawn(value_after(0ms, 0), "fetcher");
  auto third = corio::spawn(value_after(0ms, 3));
  BOOST_TEST(second.name() == "Task-2");
  BOOST_TEST(named.name() == "fetcher");
  BOOST_TEST(third.name() == "Task-3");
  co_await second;
  co_await named;
  co_await third;
}

CORIO_TEST_CASE(a_task_prints_like_asyncio) {
  auto pending = corio::spawn(value_after(1ms, 1), "worker");
  BOOST_TEST(repr(pending) == "<Task pending name='worker'>");
  co_await pending;
  BOOST_TEST(repr(pending) == "<Task done name='worker'>");

  auto failing = corio::spawn(
      []() -> corio::awaitable<void> {
        throw std::runtime_error("boom");
        co_return;
      }(),
      "bad");
  BOOST_CHECK_THROW(co_await failing, std::runtime_error);
  BOOST_TEST(repr(failing) == "<Task failed name='bad' exception='boom'>");

  auto sleeper = corio::spawn(corio::sleep(1h), "sleeper");
  sleeper.cancel();
  BOOST_CHECK_THROW(co_await sleeper, corio::cancelled_error);
  BOOST_TEST(repr(sleeper) == "<Task cancelled name='sleeper'>");
  BOOST_TEST(repr(corio::task<int>()) == "<Task empty>");
}

CORIO_TEST_CASE(exceptions_of_every_kind_reach_the_awaiter) {
  auto std_error = corio::spawn([]() -> corio::awaitable<int> {
    co_await corio::sleep(0ms);
    throw std::out_of_range("index 7");
  }());
  try {
    co_await std_error;
    BOOST_FAIL("no exception");
  } catch (const std::out_of_range& e) {
    BOOST_TEST(std::string(e.what()) == "index 7");
  }

  auto foreign = corio::spawn([]() -> corio::awaitable<void> {
    co_await corio::sleep(0ms);
    throw thrown_int{};
  }());
  BOOST_CHECK_THROW(co_await foreign, thrown_int);

  auto system = corio::spawn([]() -> corio::awaitable<void> {
    throw boost::system::system_error(boost::asio::error::connection_refused);
    co_return;
  }());
  try {
    co_await system;
    BOOST_FAIL("no exception");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == boost::asio::error::connection_refused));
  }
  BOOST_TEST((system.state() == corio::task_state::failed));
}

CORIO_TEST_CASE(every_awaiter_gets_a_copy_before_and_after_the_task_ends) {
  auto t = corio::spawn(value_after(5ms, 7));
  auto early_a =
      corio::spawn([](corio::task<int> t) -> corio::awaitable<int> { co_return co_await t; }(t));
  auto early_b =
      corio::spawn([](corio::task<int> t) -> corio::awaitable<int> { co_return co_await t; }(t));
  BOOST_TEST(co_await early_a == 7);
  BOOST_TEST(co_await early_b == 7);
  BOOST_TEST(co_await t == 7);
  BOOST_TEST(co_await t == 7);
  BOOST_TEST(t.result() == 7);
}

CORIO_TEST_CASE(a_move_only_result_is_taken_by_the_first_await_and_refused_after) {
  auto t = corio::spawn([]() -> corio::awaitable<std::unique_ptr<int>> {
    co_await corio::sleep(0ms);
    co_return std::make_unique<int>(5);
  }());
  std::unique_ptr<int> first = co_await t;
  BOOST_REQUIRE(first != nullptr);
  BOOST_TEST(*first == 5);
  try {
    co_await t;
    BOOST_FAIL("a second take succeeded");
  } catch (const std::logic_error& e) {
    BOOST_TEST(std::string(e.what()).find("move-only") != std::string::npos);
  }
}

CORIO_TEST_CASE(a_result_need_not_be_default_constructible) {
  auto t = corio::spawn([]() -> corio::awaitable<not_default_constructible> {
    co_await corio::sleep(0ms);
    co_return not_default_constructible(9);
  }());
  not_default_constructible result = co_await t;
  BOOST_TEST(result.value == 9);
}

CORIO_TEST_CASE(cancel_while_sleeping_lands_as_cancelled_error_in_the_task) {
  event_log log;
  auto t = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
      log("woke");
    } catch (const corio::cancelled_error&) {
      log("cancelled_error");
      throw;
    } catch (const boost::system::system_error& e) {
      log(e.code() == boost::asio::error::operation_aborted ? "operation_aborted" : "other");
      throw;
    }
  }(log));
  co_await corio::yield_now(); // its first step starts the wait (a real one: time stands)
  BOOST_TEST(t.cancel());
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(log.str() == "cancelled_error");
}

CORIO_TEST_CASE(cancel_before_the_first_step_never_runs_the_body) {
  bool ran = false;
  auto t = corio::spawn([](bool& ran) -> corio::awaitable<int> {
    ran = true;
    co_return 1;
  }(ran));
  BOOST_TEST(t.cancel());
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(!ran);
  BOOST_TEST(t.cancelled());
}

CORIO_TEST_CASE(cancel_after_the_task_ended_returns_false_and_changes_nothing) {
  auto t = corio::spawn(value_after(0ms, 3));
  BOOST_TEST(co_await t == 3);
  BOOST_TEST(!t.cancel());
  BOOST_TEST((t.state() == corio::task_state::done));
  BOOST_TEST(co_await t == 3);
}

CORIO_TEST_CASE(a_task_may_clean_up_inside_shielded_and_rethrow) {
  event_log log;
  auto t = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    bool cancelled = false;
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
      cancelled = true;
    }
    BOOST_TEST(cancelled);
    co_await corio::enter_cleanup();
    co_await corio::shielded([](event_log& log) -> corio::awaitable<void> {
      co_await corio::sleep(1ms); // cleanup that must suspend
      log("flushed");
    }(log));
    log("after cleanup");
    throw corio::cancelled_error();
  }(log));
  co_await corio::yield_now();
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(log.str() == "flushed after cleanup");
  BOOST_TEST(t.cancelled());
}

CORIO_TEST_CASE(a_task_that_swallows_cancellation_and_returns_ends_done) {
  auto t = corio::spawn(corio::test::sleep_swallowing_cancellation());
  co_await corio::yield_now();
  t.cancel();
  BOOST_TEST(co_await t == -1);
  BOOST_TEST((t.state() == corio::task_state::done));
}

CORIO_TEST_CASE(cancellation_is_sticky_every_later_suspension_throws_again) {
  auto t = corio::spawn([]() -> corio::awaitable<int> {
    int caught = 0;
    for (int i = 0; i < 3; ++i) {
      try {
        co_await corio::sleep(1h);
      } catch (const boost::system::system_error&) {
        ++caught;
      }
    }
    co_return caught;
  }());
  co_await corio::yield_now();
  t.cancel();
  BOOST_TEST(co_await t == 3);
}

CORIO_TEST_CASE(a_task_can_cancel_itself_and_stops_at_its_next_suspension) {
  auto handle = std::make_shared<corio::task<void>>();
  bool reached = false;
  *handle = corio::spawn(
      [](std::shared_ptr<corio::task<void>> self, bool& reached) -> corio::awaitable<void> {
        co_await corio::yield_now();
        self->cancel();
        self.reset();
        co_await corio::sleep(1ms);
        reached = true;
      }(handle, reached));
  BOOST_CHECK_THROW(co_await *handle, corio::cancelled_error);
  BOOST_TEST(!reached);
}

CORIO_TEST_CASE(cancelling_the_awaiter_cancels_the_awaited_task_and_waits_for_it) {
  event_log log;
  auto inner = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (...) {
      log("inner cancelled");
      throw;
    }
  }(log));
  auto outer = corio::spawn([](corio::task<void> inner, event_log& log) -> corio::awaitable<void> {
    try {
      co_await inner;
    } catch (const corio::cancelled_error&) {
      log("outer saw cancelled_error");
      throw;
    }
  }(inner, log));
  co_await corio::sleep(1ms);
  outer.cancel();
  BOOST_CHECK_THROW(co_await outer, corio::cancelled_error);
  BOOST_TEST(inner.cancelled());
  BOOST_TEST(log.str() == "inner cancelled outer saw cancelled_error");
}

CORIO_TEST_CASE(a_task_cancelled_by_a_third_party_raises_cancelled_error_in_its_awaiter) {
  auto sleeper = corio::spawn(corio::sleep(1h));
  auto waiter = corio::spawn([](corio::task<void> t) -> corio::awaitable<bool> {
    try {
      co_await t;
    } catch (const corio::cancelled_error&) {
      co_return true;
    }
    co_return false;
  }(sleeper));
  co_await corio::sleep(1ms);
  sleeper.cancel();
  BOOST_TEST(co_await waiter);
}

CORIO_TEST_CASE(a_raw_asio_operation_in_a_task_is_cancelled_too) {
  event_log log;
  auto t = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 1h);
    try {
      co_await timer.async_wait(boost::asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      // Raw Asio reports it as system_error(operation_aborted): the same meaning.
      log(e.code() == boost::asio::error::operation_aborted ? "operation_aborted" : "other");
      throw;
    }
  }(log));
  co_await corio::yield_now(); // its first step starts the wait (a real one: time stands)
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(log.str() == "operation_aborted");
}

CORIO_TEST_CASE(dropping_the_handle_detaches_and_the_task_runs_to_its_end) {
  auto finished = std::make_shared<bool>(false);
  {
    auto dropped = corio::spawn([](std::shared_ptr<bool> finished) -> corio::awaitable<void> {
      co_await corio::sleep(2ms);
      *finished = true;
    }(finished));
  }
  co_await corio::sleep(20ms);
  BOOST_TEST(*finished);
}

CORIO_TEST_CASE(a_task_can_be_awaited_with_a_plain_callback) {
  auto ex = co_await boost::asio::this_coro::executor;
  auto t = corio::spawn(value_after(1ms, 11));
  bool called = false;
  t(boost::asio::bind_executor(ex, [&called](std::exception_ptr error) { called = !error; }));
  co_await t; // joiners are woken in FIFO order: the callback runs first
  BOOST_TEST(called);
  BOOST_TEST(t.result() == 11);
}

BOOST_AUTO_TEST_CASE(an_unretrieved_failure_is_logged_with_name_what_and_spawn_site) {
  corio::test::captured_log log;
  corio::run([]() -> corio::awaitable<void> {
    corio::spawn(
        []() -> corio::awaitable<void> {
          co_await corio::sleep(0ms);
          throw std::runtime_error("disk on fire");
        }(),
        "writer");
    co_await corio::sleep(5ms);
  }());
  BOOST_TEST(log.count("Task exception was never retrieved: <Task failed name='writer' "
                       "exception='disk on fire'> disk on fire") == 1);
  BOOST_TEST(log.count("task_test.cpp:") == 1);
}

BOOST_AUTO_TEST_CASE(a_retrieved_failure_and_a_cancellation_are_not_logged) {
  corio::test::captured_log log;
  corio::run([]() -> corio::awaitable<void> {
    auto failing = corio::spawn([]() -> corio::awaitable<void> {
      throw std::runtime_error("seen");
      co_return;
    }());
    BOOST_CHECK_THROW(co_await failing, std::runtime_error);
    auto sleeper = corio::spawn(corio::sleep(1h));
    co_await corio::yield_now();
    sleeper.cancel();
  }());
  BOOST_TEST(log.count("never retrieved") == 0);
}

CORIO_TEST_CASE(result_of_a_pending_task_and_an_empty_handle_are_clear_errors) {
  auto t = corio::spawn(value_after(1ms, 1));
  try {
    t.result();
    BOOST_FAIL("no error");
  } catch (const std::logic_error& e) {
    BOOST_TEST(std::string(e.what()).find("has not finished") != std::string::npos);
  }
  co_await t;
  corio::task<int> empty;
  BOOST_TEST(!empty.valid());
  BOOST_CHECK_THROW(empty.name(), std::logic_error);
  BOOST_CHECK_THROW(empty.cancel(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(spawn_without_a_running_loop_is_a_clear_error) {
  try {
    corio::spawn(corio::sleep(1ms));
    BOOST_FAIL("no error");
  } catch (const std::logic_error& e) {
    BOOST_TEST(std::string(e.what()).find("no corio loop runs on this thread") !=
               std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_never_awaited_task_releases_what_it_holds) {
  corio::run([]() -> corio::awaitable<void> {
    corio::spawn([](counted) -> corio::awaitable<void> { co_await corio::sleep(1h); }(counted{}));
    corio::spawn([](counted) -> corio::awaitable<void> { co_return; }(counted{}));
    co_await corio::sleep(1ms);
    BOOST_TEST(counted::alive == 1);
  }());
  BOOST_TEST(counted::alive == 0);
}

namespace {

// Catches every cancellation around a sleep, `attempts` times: after the first, each
// sleep throws at once (sticky cancellation), so the task never suspends again.
corio::awaitable<void> catch_cancellation_in_a_loop(int attempts) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    try {
      co_await corio::sleep(1h);
    } catch (...) { // NOLINT(bugprone-empty-catch): the mistake under test
    }
  }
}

// Spawns it, cancels it while it sleeps, and awaits its end (done: it returns).
void cancel_a_task_catching_its_cancellation(int attempts, const std::string& name) {
  corio::run([](int attempts, std::string name) -> corio::awaitable<void> {
    auto stubborn = corio::spawn(catch_cancellation_in_a_loop(attempts), std::move(name));
    co_await corio::sleep(1ms);
    stubborn.cancel();
    co_await stubborn;
  }(attempts, name));
}

} // namespace

BOOST_AUTO_TEST_CASE(a_task_that_catches_its_cancellation_in_a_loop_is_named_in_a_warning) {
  corio::test::captured_log log;
  cancel_a_task_catching_its_cancellation(5000, "stubborn");
  BOOST_TEST(log.count("<Task pending name='stubborn'> (spawned at ") == 1u);
  BOOST_TEST(log.count("task_test.cpp") == 1u);
  BOOST_TEST(log.count("catches its cancellation in a loop") == 1u);
}

BOOST_AUTO_TEST_CASE(a_task_that_catches_its_cancellation_a_few_times_is_not_warned_about) {
  corio::test::captured_log log;
  cancel_a_task_catching_its_cancellation(10, "retrying");
  BOOST_TEST(log.count("catches its cancellation in a loop") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
