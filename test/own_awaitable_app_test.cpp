// Smoke test of corio-own-awaitable: a user-defined async_initiate operation used
// plainly and under timeout, cancel, gather and task_group (runs as a child process).
#include "support/child_process.hpp"
#include "support/text.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using corio::test::contains;
using corio::test::process_result;
using corio::test::run_process;

namespace {

process_result own_awaitable(const std::vector<std::string>& arguments) {
  return run_process(corio::test::command(CORIO_APP_OWN_AWAITABLE_PATH, arguments));
}

} // namespace

BOOST_AUTO_TEST_SUITE(own_awaitable_app_test)

BOOST_AUTO_TEST_CASE(the_operation_works_with_timeout_cancel_gather_and_task_group) {
  const auto result = own_awaitable({"--ticks", "3", "--interval-ms", "100"});
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(contains(result.out, "plain:      3 2 1 liftoff\n"), result.out);
  BOOST_TEST(contains(result.out, "timeout:    3 2 gave up (corio::timeout: the operation did not "
                                  "finish within 0.15s)\n"),
             result.out);
  BOOST_TEST(contains(result.out, "cancel:     3 2 cancelled (<Task cancelled name='Task-2'>)\n"),
             result.out);
  BOOST_TEST(contains(result.out, "gather:     a=0 b=0"), result.out);
  BOOST_TEST(contains(result.out, "task_group: countdown cancelled because a sibling failed: boom"),
             result.out);
  BOOST_TEST(result.err.empty(), result.err);
}

BOOST_AUTO_TEST_CASE(help_exits_0_and_bad_options_exit_2) {
  const auto help = own_awaitable({"--help"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(contains(help.out, "async_initiate"));
  const auto bad = own_awaitable({"--ticks", "1"});
  BOOST_TEST(bad.exit_code == 2);
  const auto unknown = own_awaitable({"--frobnicate"});
  BOOST_TEST(unknown.exit_code == 2);
}

BOOST_AUTO_TEST_SUITE_END()
