// Tests for debug mode (run_options::debug, CORIO_DEBUG): slow steps named with
// their task, the watchdog warning while the loop is blocked, the SIGUSR1 dump,
// the tasks-that-never-ran warning, the lifecycle log, and no clock reads when
// debug mode is off.
#include <corio/detail/debug_monitor.hpp>
#include <corio/introspection.hpp>
#include <corio/loop.hpp>
#include <corio/run.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/io_context.hpp>

#include <spdlog/common.h>

#include "support/corio_test.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

using namespace std::chrono_literals;

namespace {

/// A coroutine that blocks the loop thread: the classic mistake.
corio::awaitable<void> block_for(std::chrono::milliseconds duration) {
  co_await corio::yield_now();
  std::this_thread::sleep_for(duration);
}

corio::awaitable<void> block_twice() {
  auto slow = corio::spawn(block_for(250ms), "blocker");
  auto quick = corio::spawn(block_for(10ms), "quick");
  co_await slow;
  co_await quick;
}

corio::awaitable<void> sleep_and_yield() {
  for (int i = 0; i < 10; ++i) {
    co_await corio::yield_now();
    co_await corio::sleep(1ms);
  }
}

/// Index of the first message containing `text`, or -1.
long find(const std::vector<std::string>& messages, const std::string& text) {
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (messages[i].find(text) != std::string::npos)
      return static_cast<long>(i);
  return -1;
}

/// Sets an environment variable for the scope of a test.
class scoped_environment {
public:
  scoped_environment(const char* name, const char* value) : name_(name) {
    ::setenv(name, value, 1);
  }
  ~scoped_environment() { ::unsetenv(name_); }
  scoped_environment(const scoped_environment&) = delete;
  scoped_environment& operator=(const scoped_environment&) = delete;

private:
  const char* name_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(debug_mode_test)

BOOST_AUTO_TEST_CASE(a_slow_step_is_reported_with_its_task_and_a_quick_one_is_not) {
  corio::test::captured_log log;
  corio::run(block_twice(), {.debug = true});
  const auto messages = log.messages();
  BOOST_TEST_INFO(log.messages().size() << " messages");
  const long reported = find(messages, "Executing <Task ");
  BOOST_REQUIRE(reported >= 0);
  const std::string& line = messages[static_cast<std::size_t>(reported)];
  BOOST_TEST_INFO(line);
  BOOST_TEST(line.find("name='blocker'") != std::string::npos);
  BOOST_TEST(line.find(" took 0.2") != std::string::npos);
  BOOST_TEST(log.count("name='quick'") == 0U);
}

BOOST_AUTO_TEST_CASE(the_watchdog_warns_while_the_loop_is_blocked) {
  corio::test::captured_log log;
  corio::run(block_for(400ms), {.debug = true, .slow_step = 50ms});
  const auto messages = log.messages();
  const long blocked = find(messages, "the loop is blocked: <Task pending name='Task-1'> has been "
                                      "running for ");
  const long executed = find(messages, "Executing <Task ");
  BOOST_REQUIRE(blocked >= 0);
  BOOST_REQUIRE(executed >= 0);
  // Said while the step was still running, i.e. before the step's own report.
  BOOST_TEST(blocked < executed);
}

BOOST_AUTO_TEST_CASE(debug_off_reads_no_clock) {
  ::unsetenv("CORIO_DEBUG");
  const auto before = corio::detail::debug_clock_reads();
  corio::run(sleep_and_yield());
  BOOST_TEST(corio::detail::debug_clock_reads() == before);
  corio::run(sleep_and_yield(), {.debug = true});
  BOOST_TEST(corio::detail::debug_clock_reads() > before);
}

BOOST_AUTO_TEST_CASE(corio_debug_in_the_environment_switches_it_on) {
  corio::test::captured_log log;
  {
    scoped_environment debug("CORIO_DEBUG", "1");
    corio::run(block_for(150ms));
  }
  // "took 0.150 seconds", or more on a loaded machine: the report is what matters.
  BOOST_TEST(log.count("name='Task-1'> took ") == 1U);
  {
    scoped_environment debug("CORIO_DEBUG", "0");
    corio::run(block_for(150ms));
  }
  BOOST_TEST(log.count("name='Task-1'> took ") == 1U);
}

BOOST_AUTO_TEST_CASE(a_slow_step_that_is_not_positive_is_rejected) {
  BOOST_CHECK_THROW(corio::run(sleep_and_yield(), {.debug = true, .slow_step = 0ms}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(corio::run(sleep_and_yield(), {.debug = true, .slow_step = -1ms}),
                    std::invalid_argument);
  // The failed run left no loop behind.
  corio::run(sleep_and_yield(), {.debug = true});
}

corio::awaitable<void> spawn_and_leave() {
  corio::spawn(corio::sleep(1h), "forgotten");
  co_return;
}

BOOST_AUTO_TEST_CASE(run_warns_about_tasks_that_never_ran_in_debug_mode) {
  corio::test::captured_log log;
  corio::run(spawn_and_leave());
  BOOST_TEST(log.count("never ran") == 0U);
  corio::run(spawn_and_leave(), {.debug = true});
  BOOST_TEST(log.count("1 task(s) that never ran: <Task pending name='forgotten'>") == 1U);
}

corio::awaitable<void> signal_ourselves() {
  auto sleeper = corio::spawn(corio::sleep(1h), "sleeper");
  co_await corio::yield_now();
  std::raise(SIGUSR1);
  co_await corio::sleep(20ms); // the dump runs on the loop, when it is free
  sleeper.cancel();
}

// What corio::run(main, options) writes to std::cerr (where SIGUSR1's dump goes).
std::string stderr_of_run(corio::awaitable<void> main, corio::run_options options) {
  std::ostringstream captured;
  std::streambuf* original = std::cerr.rdbuf(captured.rdbuf());
  try {
    corio::run(std::move(main), options);
  } catch (...) {
    std::cerr.rdbuf(original);
    throw;
  }
  std::cerr.rdbuf(original);
  return captured.str();
}

BOOST_AUTO_TEST_CASE(sigusr1_dumps_the_tasks_in_debug_mode) {
  const std::string dump = stderr_of_run(signal_ourselves(), {.debug = true});
  BOOST_TEST_INFO(dump);
  BOOST_TEST(dump.find("corio: 2 pending task(s)") != std::string::npos);
  BOOST_TEST(dump.find("<Task pending name='sleeper'> age ") != std::string::npos);
}

corio::awaitable<void> signal_ourselves_with_a_task_on_loop_one() {
  auto sleeper = corio::spawn(corio::sleep(1h), "sleeper");
  auto remote = corio::spawn(corio::loops()[1], corio::sleep(1h), "remote-sleeper");
  co_await corio::sleep(5ms);
  std::raise(SIGUSR1);
  co_await corio::sleep(50ms); // each loop dumps its own tasks, loop after loop
  sleeper.cancel();
  remote.cancel();
}

BOOST_AUTO_TEST_CASE(sigusr1_dumps_the_tasks_of_every_loop) {
  const std::string dump =
      stderr_of_run(signal_ourselves_with_a_task_on_loop_one(), {.debug = true, .loops = 2});
  BOOST_TEST_INFO(dump);
  const auto loop_one = dump.find("corio: loop 1 of 2");
  BOOST_TEST(dump.find("corio: loop 0 of 2") < loop_one);
  BOOST_TEST_REQUIRE(loop_one != std::string::npos);
  // The proxy on loop 0 and the task itself on loop 1, each in its loop's table.
  BOOST_TEST(dump.find("<Task pending name='remote-sleeper'> age ") < loop_one);
  BOOST_TEST(dump.find("<Task pending name='remote-sleeper'> age ", loop_one) != std::string::npos);
}

corio::awaitable<void> cancel_one() {
  auto t = corio::spawn(corio::sleep(1h), "victim");
  co_await corio::yield_now();
  t.cancel();
  try {
    co_await t;
  } catch (const corio::cancelled_error&) {
  }
}

BOOST_AUTO_TEST_CASE(the_lifecycle_is_logged_at_debug_level) {
  corio::test::captured_log log(SPDLOG_LEVEL_DEBUG);
  corio::run(cancel_one());
  const auto messages = log.messages();
  const long created = find(messages, "created <Task pending name='victim'>");
  const long cancelling = find(messages, "cancelling <Task pending name='victim'>");
  const long finished = find(messages, "finished <Task cancelled name='victim'>");
  BOOST_TEST(created >= 0);
  BOOST_TEST(cancelling > created);
  BOOST_TEST(finished > cancelling);
}

BOOST_AUTO_TEST_CASE(a_loop_torn_down_under_a_pending_task_says_so) {
  corio::test::captured_log log;
  {
    boost::asio::io_context context;
    corio::spawn(context.get_executor(), corio::sleep(1h), "orphan");
    context.poll();
  }
  BOOST_TEST(log.count("Task was destroyed but it is pending: <Task pending name='orphan'>") == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
