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

namespace {

// Sleeps until cancelled, then fails with `what` instead of ending cancelled.
corio::awaitable<void> fails_when_cancelled(std::string what) {
  try {
    co_await corio::sleep(1h);
  } catch (const boost::system::system_error&) {
  }
  throw std::logic_error(what);
}

} // namespace

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

// next_done(): the group as a growing task set (tokio's JoinSet::join_next).

CORIO_TEST_CASE(next_done_hands_out_each_child_once_in_the_order_they_ended) {
  event_log log;
  corio::task_group group;
  group.spawn(traced("slow", 3ms, 1, log), "slow");
  group.spawn(traced("quick", 1ms, 2, log), "quick");
  co_await corio::sleep(2ms); // "quick" ended before the first call: still handed out
  std::string order;
  while (std::optional<corio::any_task> done = co_await group.next_done()) {
    BOOST_TEST(done->done());
    order += done->name() + " ";
  }
  BOOST_TEST(order == "quick slow ");
  co_await group.join();
}

CORIO_TEST_CASE(next_done_on_an_empty_group_returns_nullopt_at_once) {
  corio::task_group group;
  BOOST_TEST(!(co_await group.next_done()).has_value());
  BOOST_TEST(!(co_await group.next_done<int>()).has_value());
}

CORIO_TEST_CASE(tasks_can_be_added_while_others_finish) {
  corio::task_group group;
  int next = 0;
  int sum = 0;
  for (; next < 3; ++next)
    group.spawn(corio::test::value_after(1ms * (next + 1), next));
  while (auto done = co_await group.next_done<int>()) {
    sum += co_await *done;
    if (next < 6) {
      group.spawn(corio::test::value_after(1ms, next));
      ++next;
    }
    BOOST_TEST(group.size() <= 3u);
  }
  BOOST_TEST(sum == 0 + 1 + 2 + 3 + 4 + 5);
  co_await group.join();
}

CORIO_TEST_CASE(next_done_of_another_type_is_a_logic_error_and_the_task_stays) {
  corio::task_group group;
  group.spawn(corio::test::value_after(0ms, 1), "int child");
  try {
    (void)co_await group.next_done<std::string>();
    BOOST_FAIL("no logic_error");
  } catch (const std::logic_error& e) {
    BOOST_TEST(std::string(e.what()).find("'int child' does not return T") != std::string::npos);
  }
  auto done = co_await group.next_done<int>();
  BOOST_TEST_REQUIRE(done.has_value());
  BOOST_TEST(co_await *done == 1);
}

CORIO_TEST_CASE(two_concurrent_next_done_get_different_children_the_earlier_waiter_first) {
  corio::task_group group;
  group.spawn(corio::test::value_after(2ms, 1), "first");
  auto waiter = [](corio::task_group& group) -> corio::awaitable<std::string> {
    auto done = co_await group.next_done();
    co_return done ? done->name() : "none";
  };
  auto a = corio::spawn(waiter(group));
  auto b = corio::spawn(waiter(group));
  co_await corio::yield_now();
  BOOST_TEST(co_await a == "first");
  BOOST_TEST(co_await b == "none"); // the group had nothing left to hand out
  co_await group.join();
}

CORIO_TEST_CASE(next_done_cancelled_while_waiting_takes_nothing) {
  corio::task_group group;
  group.spawn(corio::test::value_after(2ms, 1), "child");
  auto waiter = corio::spawn(group.next_done());
  co_await corio::sleep(1ms);
  waiter.cancel();
  BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
  auto done = co_await group.next_done();
  BOOST_TEST_REQUIRE(done.has_value());
  BOOST_TEST(done->name() == "child");
  co_await group.join();
}

CORIO_TEST_CASE(a_failed_child_from_next_done_still_fails_the_group) {
  event_log log;
  corio::task_group group;
  group.spawn(fail_after(1ms, "boom", log), "failing");
  auto sibling = group.spawn(traced("sibling", 1h, 0, log), "sibling");
  auto done = co_await group.next_done<int>();
  BOOST_TEST_REQUIRE(done.has_value());
  BOOST_TEST(done->name() == "failing");
  BOOST_CHECK_THROW(co_await *done, std::runtime_error); // awaiting it rethrows
  auto next = co_await group.next_done<int>();
  BOOST_TEST_REQUIRE(next.has_value());
  BOOST_TEST(next->cancelled()); // cancelled by the group because of the failure
  BOOST_CHECK_THROW(co_await group.join(), corio::task_group_error);
}

CORIO_TEST_CASE(size_counts_children_until_the_group_has_seen_them_end) {
  corio::task_group group;
  BOOST_TEST(group.size() == 0u);
  auto t = group.spawn(corio::test::value_after(1ms, 1));
  BOOST_TEST(group.size() == 1u);
  (void)co_await group.next_done();
  BOOST_TEST(group.size() == 0u);
  BOOST_TEST(t.done());
  co_await group.join();
}

CORIO_TEST_CASE(cancel_cancels_every_member_and_later_spawns_start_cancelled) {
  event_log log;
  corio::task_group group;
  auto a = group.spawn(traced("a", 1h, 0, log));
  auto b = group.spawn(slow_to_cancel("b", 2ms, log));
  co_await corio::sleep(1ms);
  group.cancel();
  auto late = group.spawn(traced("late", 0ms, 0, log));
  co_await group.join(); // cancellations are not failures
  BOOST_TEST(a.cancelled());
  BOOST_TEST(b.cancelled());
  BOOST_TEST(late.cancelled());
  BOOST_TEST(log.str() == "a cancelled b cancelled");
}

CORIO_TEST_CASE(a_child_failing_after_cancel_is_still_reported_by_join) {
  corio::test::captured_log captured;
  corio::task_group group;
  group.spawn(fails_when_cancelled("failed while cancelled"), "stubborn");
  co_await corio::sleep(1ms);
  group.cancel();
  try {
    co_await group.join();
    BOOST_FAIL("join did not throw");
  } catch (const corio::task_group_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "corio::task_group: task 'stubborn' failed: failed while cancelled");
  }
}

BOOST_AUTO_TEST_SUITE_END()
