#include <corio/log.hpp>

#include "support/corio_test.hpp"

#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <spdlog/spdlog.h>

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(log_test)

BOOST_AUTO_TEST_CASE(the_logger_is_named_corio_and_registered_with_spdlog) {
  BOOST_TEST(corio::logger().name() == "corio");
  BOOST_TEST(spdlog::get("corio").get() == &corio::logger());
}

BOOST_AUTO_TEST_CASE(task_lifecycle_is_logged_at_debug_with_the_task_name) {
  corio::test::captured_log log(spdlog::level::debug);
  corio::run([]() -> corio::awaitable<void> {
    auto t = corio::spawn(corio::sleep(0ms), "lifecycle");
    co_await t;
    auto c = corio::spawn(corio::sleep(1h), "doomed");
    co_await corio::yield_now();
    c.cancel();
  }());
  BOOST_TEST(log.count("created <Task pending name='lifecycle'>") == 1);
  BOOST_TEST(log.count("finished <Task done name='lifecycle'>") == 1);
  BOOST_TEST(log.count("finished <Task cancelled name='doomed'>") == 1);
}

BOOST_AUTO_TEST_CASE(nothing_is_logged_at_the_default_warn_level_for_a_clean_run) {
  corio::test::captured_log log(spdlog::level::warn);
  corio::run([]() -> corio::awaitable<void> {
    auto t = corio::spawn(corio::sleep(0ms));
    co_await t;
  }());
  BOOST_TEST(log.messages().empty());
}

BOOST_AUTO_TEST_SUITE_END()
