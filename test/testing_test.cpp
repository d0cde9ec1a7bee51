// corio/testing.hpp: CORIO_TEST_CASE fails a case that loses a task, on its own. The
// cases that must fail run in a child process (test/testing_probe.cpp), whose exit
// status and output are checked here; every other suite of corio uses the harness
// directly, so the passing side is covered everywhere.
#include "support/child_process.hpp"
#include "support/corio_test.hpp"

#include <corio/sleep.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using corio::test::run_process;

namespace {

corio::test::process_result run_probe_case(const std::string& name) {
  return run_process({CORIO_TESTING_PROBE_PATH, "--run_test=" + name, "--color_output=no"});
}

} // namespace

BOOST_AUTO_TEST_SUITE(testing_test)

BOOST_AUTO_TEST_CASE(a_lost_task_exception_fails_the_case_with_its_message) {
  const auto result = run_probe_case("loses_a_task_exception");
  BOOST_TEST(result.exit_code != 0);
  const auto output = result.out + result.err;
  BOOST_TEST(output.find("Task exception was never retrieved") != std::string::npos, output);
  BOOST_TEST(output.find("nobody awaits this failure") != std::string::npos, output);
  BOOST_TEST(output.find("failure is detected") != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(a_lost_task_passes_with_fail_on_lost_tasks_off) {
  const auto result = run_probe_case("loses_a_task_exception_with_the_check_off");
  BOOST_TEST(result.exit_code == 0, result.out + result.err);
}

BOOST_AUTO_TEST_CASE(a_task_that_never_ran_fails_the_case_in_debug_mode) {
  const auto result = run_probe_case("leaves_a_task_that_never_runs");
  BOOST_TEST(result.exit_code != 0);
  const auto output = result.out + result.err;
  BOOST_TEST(output.find("never ran") != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(a_clean_case_passes) {
  const auto result = run_probe_case("sleeps_a_day_on_virtual_time");
  BOOST_TEST(result.exit_code == 0, result.out + result.err);
}

CORIO_TEST_CASE(cases_run_on_virtual_time_in_debug_mode_by_default) {
  const auto start = corio::now();
  co_await corio::sleep(10h);
  BOOST_TEST((corio::now() - start == 10h)); // debug mode: see the never-ran case above
}

CORIO_TEST_CASE(a_case_can_ask_for_the_real_clock, {.virtual_time = false}) {
  BOOST_CHECK_THROW(corio::advance(1s), std::logic_error);
  co_return;
}

BOOST_AUTO_TEST_SUITE_END()
