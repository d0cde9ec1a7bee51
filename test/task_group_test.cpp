#include <corio/task_group.hpp>

#include "support/children.hpp"
#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using corio::test::counted;
using corio::test::event_log;
using corio::test::fail_after;
using corio::test::slow_to_cancel;
using corio::test::traced;
using corio::test::value_after;

BOOST_AUTO_TEST_SUITE(task_group_test)

CORIO_TEST_CASE(join_waits_for_every_child) {
  event_log log;
  corio::task_group group;
  auto a = group.spawn(traced("a", 3ms, 1, log), "a");
  group.spawn(traced("b", 1ms, 2, log));
  BOOST_TEST(a.name() == "a");
  BOOST_TEST(group.size() == 2u);
  co_await group.join();
  log("joined");
  BOOST_TEST(log.str() == "b done a done joined");
  BOOST_TEST(group.size() == 0u);
  BOOST_TEST(co_await a == 1);
}

CORIO_TEST_CASE(join_of_an_empty_group_returns_at_once) {
  corio::task_group group;
  co_await group.join();
}

CORIO_TEST_CASE(children_may_spawn_siblings_while_join_waits) {
  event_log log;
  corio::task_group group;
  group.spawn([](corio::task_group& group, event_log& log) -> corio::awaitable<void> {
    co_await corio::sleep(1ms);
    group.spawn(traced("late", 2ms, 0, log));
  }(group, log));
  co_await group.join();
  BOOST_TEST(log.str() == "late done");
}

CORIO_TEST_CASE(the_first_failure_cancels_the_siblings_and_join_throws_after_they_ended) {
  event_log log;
  corio::task_group group;
  group.spawn(traced("a", 1h, 0, log), "a");
  group.spawn(fail_after(1ms, "boom", log), "failing");
  group.spawn(slow_to_cancel("b", 3ms, log));
  try {
    co_await group.join();
    BOOST_FAIL("join did not throw");
  } catch (const corio::task_group_error& e) {
    log("caught");
    BOOST_TEST(std::string(e.what()) == "corio::task_group: task 'failing' failed: boom");
    BOOST_TEST(e.further_failures() == 0u);
    BOOST_CHECK_THROW(std::rethrow_exception(e.first()), std::runtime_error);
  }
  BOOST_TEST(log.str() == "boom thrown a cancelled b cancelled caught");
}

CORIO_TEST_CASE(further_failures_are_counted_in_the_message) {
  corio::test::captured_log captured;
  corio::task_group group;
  auto fails_when_cancelled = [](std::string what) -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const boost::system::system_error&) {
    }
    throw std::logic_error(what);
  };
  event_log log;
  group.spawn(fail_after(1ms, "first", log), "one");
  group.spawn(fails_when_cancelled("second"));
  group.spawn(fails_when_cancelled("third"));
  try {
    co_await group.join();
    BOOST_FAIL("join did not throw");
  } catch (const corio::task_group_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "corio::task_group: task 'one' failed: first (and 2 more failures)");
    BOOST_TEST(e.exceptions().size() == 3u);
  }
  BOOST_TEST(captured.count("never retrieved") == 0u);
}

CORIO_TEST_CASE(a_child_cancelled_through_its_handle_is_not_a_failure) {
  event_log log;
  corio::task_group group;
  auto victim = group.spawn(traced("victim", 1h, 0, log));
  group.spawn(traced("other", 2ms, 0, log));
  victim.cancel();
  co_await group.join();
  BOOST_TEST(victim.cancelled());
  BOOST_TEST(log.str() == "other done");
}

CORIO_TEST_CASE(cancelling_the_owner_in_join_cancels_the_group_and_waits) {
  event_log log;
  auto owner = [](event_log& log) -> corio::awaitable<void> {
    corio::task_group group;
    group.spawn(traced("a", 1h, 0, log));
    group.spawn(slow_to_cancel("b", 3ms, log));
    co_await group.join();
  };
  co_await corio::test::cancel_while_awaiting(1ms, owner(log), log);
  BOOST_TEST(log.str() == "a cancelled b cancelled awaiter cancelled");
}

CORIO_TEST_CASE(using_the_group_after_join_is_a_logic_error) {
  corio::task_group group;
  group.spawn(value_after(0ms, 1));
  co_await group.join();
  BOOST_CHECK_THROW(group.spawn(value_after(0ms, 2)), std::logic_error);
  BOOST_CHECK_THROW((void)group.join(), std::logic_error);
}

CORIO_TEST_CASE(a_second_join_while_one_waits_is_a_logic_error) {
  corio::task_group group;
  group.spawn(value_after(2ms, 1));
  auto first = corio::spawn(
      [](corio::task_group& group) -> corio::awaitable<void> { co_await group.join(); }(group));
  co_await corio::sleep(1ms);
  BOOST_CHECK_THROW((void)group.join(), std::logic_error);
  co_await first;
}

CORIO_TEST_CASE(a_group_left_by_an_exception_cancels_its_children_quietly) {
  corio::test::captured_log captured;
  event_log log;
  auto owner = corio::spawn([](event_log& log) -> corio::awaitable<void> {
    corio::task_group group;
    group.spawn(traced("child", 1h, 0, log));
    co_await corio::sleep(1ms);
    throw std::runtime_error("owner failed");
  }(log));
  BOOST_CHECK_THROW(co_await owner, std::runtime_error);
  co_await corio::sleep(1ms); // the cancelled child ends at its next step
  BOOST_TEST(log.str() == "child cancelled");
  BOOST_TEST(captured.count("task_group") == 0u);
}

CORIO_TEST_CASE(a_group_destroyed_without_join_cancels_its_children_and_warns) {
  corio::test::captured_log captured;
  event_log log;
  {
    corio::task_group group;
    group.spawn(traced("child", 1h, 0, log));
    co_await corio::sleep(1ms);
  }
  co_await corio::sleep(1ms);
  BOOST_TEST(log.str() == "child cancelled");
  BOOST_TEST(captured.count("destroyed with 1 running task(s) and no join()") == 1u);
}

CORIO_TEST_CASE(spawn_into_a_failing_group_starts_the_task_cancelled) {
  bool ran = false;
  corio::task_group group;
  event_log log;
  group.spawn(fail_after(0ms, "boom", log));
  auto spawner = group.spawn([](corio::task_group& group, bool& ran) -> corio::awaitable<void> {
    co_await corio::enter_cleanup(); // keep running after the group cancelled us
    try {
      co_await corio::sleep(1h);
    } catch (...) {
    }
    auto late = group.spawn([](bool& ran) -> corio::awaitable<void> {
      ran = true;
      co_return;
    }(ran));
    BOOST_TEST(late.cancelled() == false); // pending until its first step
  }(group, ran));
  BOOST_CHECK_THROW(co_await group.join(), corio::task_group_error);
  BOOST_TEST(!ran);
}

CORIO_TEST_CASE(children_release_what_they_hold_before_join_returns) {
  corio::task_group group;
  auto hold = [](std::shared_ptr<counted> held) -> corio::awaitable<void> {
    co_await corio::sleep(1h);
    BOOST_TEST(held != nullptr);
  };
  event_log log;
  group.spawn(hold(std::make_shared<counted>()));
  group.spawn(hold(std::make_shared<counted>()));
  group.spawn(fail_after(1ms, "boom", log));
  BOOST_CHECK_THROW(co_await group.join(), corio::task_group_error);
  BOOST_TEST(counted::alive == 0);
}

BOOST_AUTO_TEST_SUITE_END()
