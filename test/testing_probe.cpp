// A Boost.Test module of CORIO_TEST_CASEs that testing_test runs as a child process: the
// harness must fail a case that loses a task, and nothing else.
#define BOOST_TEST_MODULE corio_testing_probe
#include <corio/testing.hpp>

#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <chrono>
#include <stdexcept>

using namespace std::chrono_literals;

namespace {

corio::awaitable<void> fail_after(std::chrono::seconds delay) {
  co_await corio::sleep(delay);
  throw std::runtime_error("nobody awaits this failure");
}

corio::awaitable<void> lose_a_failing_task() {
  { auto lost = corio::spawn(fail_after(1s), "lost"); } // the handle is gone; the task runs on
  co_await corio::sleep(2s);
}

} // namespace

CORIO_TEST_CASE(loses_a_task_exception) {
  co_await lose_a_failing_task();
}

CORIO_TEST_CASE(loses_a_task_exception_with_the_check_off, {.fail_on_lost_tasks = false}) {
  co_await lose_a_failing_task();
}

CORIO_TEST_CASE(leaves_a_task_that_never_runs) {
  auto never = corio::spawn(corio::sleep(1h), "never");
  co_return; // run() cancels it before its first turn
}

CORIO_TEST_CASE(sleeps_a_day_on_virtual_time) {
  const auto start = corio::now();
  co_await corio::sleep(24h);
  BOOST_TEST((corio::now() - start == 24h));
}
