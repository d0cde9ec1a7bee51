// with_task_group: the task group as a scope (task_group.hpp's "As a scope"). The
// cases named test_* port CPython's Lib/test/test_asyncio/test_taskgroups.py; each
// quotes what the original checks. Durations are scaled down (CPython's 0.1 s is
// 1 ms here, its 5-10 s "never" is an hour).
#include <corio/task_group.hpp>

#include "support/children.hpp"
#include "support/corio_test.hpp"

#include <corio/cancel_scope.hpp>
#include <corio/errors.hpp>
#include <corio/introspection.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <memory>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corio::test::event_log;
using corio::test::fail_after;
using corio::test::slow_to_cancel;
using corio::test::traced;

namespace {

struct my_exc : std::runtime_error { // CPython's MyExc
  my_exc() : std::runtime_error("MyExc") {}
};

corio::awaitable<void> crash_after(std::chrono::milliseconds delay) {
  co_await corio::sleep(delay);
  throw std::invalid_argument("ValueError " + std::to_string(delay.count())); // ValueError(t)
}

corio::awaitable<void> zero_division_after(std::chrono::milliseconds delay) {
  co_await corio::sleep(delay);
  throw std::domain_error("ZeroDivisionError"); // 1 / 0
}

// get_error_types(eg): every exception is of type E.
template <typename E>
bool all_of_type(const corio::task_group_error& e) {
  for (const auto& error : e.exceptions()) {
    try {
      std::rethrow_exception(error);
    } catch (const E&) {
      continue;
    } catch (...) {
      return false;
    }
  }
  return !e.exceptions().empty();
}

// Awaits `scope`, which must throw task_group_error, and returns that error.
corio::awaitable<std::optional<corio::task_group_error>> error_of(corio::awaitable<void> scope) {
  try {
    co_await std::move(scope);
  } catch (const corio::task_group_error& e) {
    co_return e;
  }
  BOOST_ERROR("no task_group_error");
  co_return std::nullopt;
}

// runner() of test_taskgroup_13 and _14: g1's child crashes after `outer`, and the
// body waits in g2, whose child crashes after `inner`.
corio::awaitable<void> nested_groups(std::chrono::milliseconds outer,
                                     std::chrono::milliseconds inner) {
  co_await corio::with_task_group([=](corio::task_group& g1) -> corio::awaitable<void> {
    g1.spawn(crash_after(outer));
    co_await corio::with_task_group([=](corio::task_group& g2) -> corio::awaitable<void> {
      g2.spawn(crash_after(inner));
      co_return;
    });
  });
}

using time_point = std::chrono::steady_clock::time_point;

// Records current_deadline() after a suspension (the task's later step sees it too).
corio::awaitable<void> record_deadline(std::optional<time_point>& into) {
  co_await corio::sleep(1ms);
  into = corio::current_deadline();
}

// A child that spawns a grandchild into the same group.
corio::awaitable<void> spawn_grandchild(corio::task_group& g, std::optional<time_point>& mine,
                                        std::optional<time_point>& grandchild) {
  mine = corio::current_deadline();
  g.spawn(record_deadline(grandchild));
  co_return;
}

corio::awaitable<std::optional<time_point>> deadline_now() {
  co_return corio::current_deadline();
}

// A plain task_group (not a scope) in the owner's task.
corio::awaitable<void> plain_group(std::optional<time_point>& owner,
                                   std::optional<time_point>& child) {
  corio::task_group group;
  owner = corio::current_deadline();
  group.spawn(record_deadline(child));
  co_await group.join();
}

} // namespace

BOOST_AUTO_TEST_SUITE(task_group_scope_test)

// test_taskgroup_01: "the results of children are there when the group ends".
CORIO_TEST_CASE(test_taskgroup_01) {
  std::optional<corio::task<int>> t1, t2;
  event_log log;
  co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
    t1 = g.spawn(traced("foo1", 1ms, 42, log));
    t2 = g.spawn(traced("foo2", 2ms, 11, log));
    co_return;
  });
  BOOST_TEST(t1->result() == 42);
  BOOST_TEST(t2->result() == 11);
}

CORIO_TEST_CASE(the_scope_returns_the_bodys_value_after_every_child_ended) {
  event_log log;
  auto value = co_await corio::with_task_group(
      [&](corio::task_group& g) -> corio::awaitable<std::unique_ptr<int>> {
        g.spawn(traced("child", 3ms, 0, log));
        log("body returns");
        co_return std::make_unique<int>(7);
      });
  log("scope returned");
  BOOST_TEST(*value == 7);
  BOOST_TEST(log.str() == "body returns child done scope returned");
}

// test_cancel_children_on_child_error: "When a child task raises an error, the rest
// of the children are cancelled and the errors are gathered into an EG." The body
// (sleeping) is cancelled too, and its cancellation is not one of the errors.
CORIO_TEST_CASE(test_cancel_children_on_child_error) {
  int num = 0;
  bool t2_cancel = false;
  bool runner_cancel = false;
  auto foo2 = [&]() -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const corio::cancelled_error&) {
      t2_cancel = true;
      throw;
    }
    num += 1;
  };
  try {
    co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
      g.spawn(zero_division_after(1ms));
      g.spawn(zero_division_after(1ms));
      g.spawn(zero_division_after(1ms));
      g.spawn(foo2());
      try {
        co_await corio::sleep(1h);
      } catch (const corio::cancelled_error&) {
        runner_cancel = true;
        throw;
      }
    });
    num += 10;
    BOOST_FAIL("no task_group_error");
  } catch (const corio::task_group_error& e) {
    BOOST_TEST(all_of_type<std::domain_error>(e)); // {ZeroDivisionError}
    BOOST_TEST(e.exceptions().size() <= 3u);
  }
  BOOST_TEST(num == 0);
  BOOST_TEST(t2_cancel);
  BOOST_TEST(runner_cancel);
}

// test_taskgroup_09: "the body raises after a sleep: the EG holds only its error and
// both children are cancelled".
CORIO_TEST_CASE(test_taskgroup_09) {
  std::optional<corio::task<int>> t1, t2;
  event_log log;
  try {
    co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
      t1 = g.spawn(traced("foo1", 1h, 42, log));
      t2 = g.spawn(traced("foo2", 2h, 11, log));
      co_await corio::sleep(1ms);
      throw std::domain_error("ZeroDivisionError");
    });
    BOOST_FAIL("no task_group_error");
  } catch (const corio::task_group_error& e) {
    BOOST_TEST(all_of_type<std::domain_error>(e));
    BOOST_TEST(e.exceptions().size() == 1u);
    BOOST_TEST(std::string(e.what()) ==
               "corio::task_group: task 'task_group body' failed: ZeroDivisionError");
  }
  BOOST_TEST(t1->cancelled());
  BOOST_TEST(t2->cancelled());
}

// test_taskgroup_10: the same with the body raising before its first suspension.
CORIO_TEST_CASE(test_taskgroup_10) {
  std::optional<corio::task<int>> t1, t2;
  event_log log;
  BOOST_CHECK_THROW(
      co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
        t1 = g.spawn(traced("foo1", 1h, 42, log));
        t2 = g.spawn(traced("foo2", 2h, 11, log));
        throw std::domain_error("ZeroDivisionError");
        co_return;
      }),
      corio::task_group_error);
  BOOST_TEST(t1->cancelled());
  BOOST_TEST(t2->cancelled());
}

// test_taskgroup_13: "an outer group's child crashes while the body waits in an
// inner group: the inner group is cancelled (its child too) and only the outer
// child's ValueError is reported".
CORIO_TEST_CASE(test_taskgroup_13) {
  auto e = co_await error_of(nested_groups(1ms, 1h));
  BOOST_TEST_REQUIRE(e.has_value());
  BOOST_TEST(all_of_type<std::invalid_argument>(*e)); // {ValueError}
  BOOST_TEST(e->exceptions().size() == 1u);
}

// test_taskgroup_14: "the inner group's child crashes: the outer group reports the
// inner group's EG, which holds the ValueError".
CORIO_TEST_CASE(test_taskgroup_14) {
  auto e = co_await error_of(nested_groups(1h, 1ms));
  BOOST_TEST_REQUIRE(e.has_value());
  BOOST_TEST_REQUIRE(all_of_type<corio::task_group_error>(*e)); // {ExceptionGroup}
  try {
    std::rethrow_exception(e->first());
  } catch (const corio::task_group_error& inner) {
    BOOST_TEST(all_of_type<std::invalid_argument>(inner)); // {ValueError}
  }
}

// test_taskgroup_07: "cancelling the task that runs the group cancels the five
// children and the body (NUM == 15) and raises CancelledError".
CORIO_TEST_CASE(test_taskgroup_07) {
  int num = 0;
  auto foo = [&]() -> corio::awaitable<void> {
    try {
      co_await corio::sleep(1h);
    } catch (const corio::cancelled_error&) {
      num += 1;
      throw;
    }
  };
  auto runner =
      corio::spawn(corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
        for (int i = 0; i < 5; ++i)
          g.spawn(foo());
        try {
          co_await corio::sleep(1h);
        } catch (const corio::cancelled_error&) {
          num += 10;
          throw;
        }
      }));
  co_await corio::sleep(1ms);
  BOOST_TEST(!runner.done());
  runner.cancel();
  BOOST_CHECK_THROW(co_await runner, corio::cancelled_error);
  BOOST_TEST(num == 15);
}

// test_taskgroup_18: "the body turns its cancellation into MyExc". asyncio raises an
// EG of {MyExc}; corio's rule differs on purpose: a cancelled owner gets
// cancelled_error (cancellation wins, as everywhere in child_set) and MyExc is logged.
CORIO_TEST_CASE(test_taskgroup_18) {
  corio::test::captured_log captured;
  int num = 0;
  auto runner =
      corio::spawn(corio::with_task_group([&](corio::task_group&) -> corio::awaitable<void> {
        try {
          co_await corio::sleep(1h);
        } catch (const corio::cancelled_error&) {
          num += 10;
          throw my_exc();
        }
      }));
  co_await corio::sleep(1ms);
  runner.cancel();
  BOOST_CHECK_THROW(co_await runner, corio::cancelled_error);
  BOOST_TEST(num == 10);
  BOOST_TEST(captured.count("MyExc") == 1u);
}

// test_taskgroup_19: "a child crashes; the body, cancelled, raises MyExc in its
// finally: the EG holds both {MyExc, ZeroDivisionError}". The child's comes first.
CORIO_TEST_CASE(test_taskgroup_19) {
  try {
    co_await corio::with_task_group([](corio::task_group& g) -> corio::awaitable<void> {
      g.spawn(zero_division_after(1ms));
      try {
        co_await corio::sleep(1h);
      } catch (...) {
      }
      throw my_exc();
    });
    BOOST_FAIL("no task_group_error");
  } catch (const corio::task_group_error& e) {
    BOOST_TEST_REQUIRE(e.exceptions().size() == 2u);
    BOOST_CHECK_THROW(std::rethrow_exception(e.exceptions()[0]), std::domain_error);
    BOOST_CHECK_THROW(std::rethrow_exception(e.exceptions()[1]), my_exc);
  }
}

// test_taskgroup_24: "a child spawns more children into the group; the group waits
// for them".
CORIO_TEST_CASE(test_taskgroup_24) {
  event_log log;
  co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
    g.spawn([](corio::task_group& g, event_log& log) -> corio::awaitable<void> {
      co_await corio::sleep(1ms);
      g.spawn(traced("coro1 a", 1ms, 0, log));
      g.spawn(traced("coro1 b", 2ms, 0, log));
    }(g, log));
    co_return;
  });
  BOOST_TEST(log.str() == "coro1 a done coro1 b done");
}

CORIO_TEST_CASE(the_body_failing_waits_for_every_child_before_the_error_leaves) {
  event_log log;
  try {
    co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
      g.spawn(slow_to_cancel("slow", 3ms, log));
      g.spawn(traced("plain", 1h, 0, log));
      co_await corio::sleep(1ms);
      throw std::runtime_error("body failed");
    });
  } catch (const corio::task_group_error&) {
    log("caught");
  }
  BOOST_TEST(log.str() == "plain cancelled slow cancelled caught");
}

CORIO_TEST_CASE(the_body_task_is_named_and_spawned_where_the_scope_is) {
  const auto line = std::source_location::current().line() + 1;
  co_await corio::with_task_group([&](corio::task_group&) -> corio::awaitable<void> {
    BOOST_TEST(corio::current_task().name() == "task_group body");
    BOOST_TEST(corio::current_task().spawn_site().line() == line);
    co_return;
  });
}

CORIO_TEST_CASE(join_inside_the_scope_is_a_logic_error) {
  co_await corio::with_task_group([](corio::task_group& g) -> corio::awaitable<void> {
    BOOST_CHECK_THROW((void)g.join(), std::logic_error);
    co_return;
  });
}

CORIO_TEST_CASE(cancel_in_a_void_body_ends_the_scope_normally) {
  event_log log;
  co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
    g.spawn(traced("child", 1h, 0, log));
    co_await corio::sleep(1ms);
    g.cancel();
    co_await corio::sleep(1h); // cancelled here
  });
  BOOST_TEST(log.str() == "child cancelled");
}

CORIO_TEST_CASE(cancel_before_a_value_body_returned_throws_cancelled_error) {
  BOOST_CHECK_THROW(
      co_await corio::with_task_group([](corio::task_group& g) -> corio::awaitable<int> {
        g.cancel();
        co_await corio::sleep(1h);
        co_return 1;
      }),
      corio::cancelled_error);
}

CORIO_TEST_CASE(a_body_cancelling_itself_cancels_the_children_too) {
  event_log log;
  BOOST_CHECK_THROW(
      co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
        g.spawn(traced("child", 1h, 0, log));
        co_await corio::sleep(1ms); // the child has started
        corio::current_task().cancel();
        co_await corio::sleep(1h);
      }),
      corio::cancelled_error);
  BOOST_TEST(log.str() == "child cancelled");
}

CORIO_TEST_CASE(next_done_and_size_in_the_body_leave_the_body_out) {
  event_log log;
  std::vector<std::string> ended;
  co_await corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
    BOOST_TEST(g.size() == 0u);
    g.spawn(traced("a", 2ms, 1, log), "a");
    g.spawn(traced("b", 1ms, 2, log), "b");
    BOOST_TEST(g.size() == 2u);
    while (auto done = co_await g.next_done<int>())
      ended.push_back(done->name() + "=" + std::to_string(co_await *done));
    BOOST_TEST(g.size() == 0u);
  });
  BOOST_TEST((ended == std::vector<std::string>{"b=2", "a=1"}));
}

// Trio's rule: a nursery inside a cancel scope, its children see the scope's deadline.
// The body, a child and a grandchild the child spawned via g.spawn all see it.
CORIO_TEST_CASE(the_body_children_and_grandchildren_see_the_deadline_around_the_scope) {
  const time_point deadline = std::chrono::steady_clock::now() + 1h;
  std::optional<time_point> body, child, grandchild;
  co_await corio::timeout_at(
      deadline, corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
        g.spawn(spawn_grandchild(g, child, grandchild));
        co_await corio::sleep(1ms);
        body = corio::current_deadline();
      }));
  BOOST_TEST((body == deadline));
  BOOST_TEST((child == deadline));
  BOOST_TEST((grandchild == deadline));
}

// A plain task_group's children may outlive the owner's scope (its destructor only
// cancels), so they keep starting with no enclosing scope, as corio::spawn's do.
CORIO_TEST_CASE(a_plain_task_groups_children_start_with_no_deadline) {
  const time_point deadline = std::chrono::steady_clock::now() + 1h;
  std::optional<time_point> owner, child = deadline;
  co_await corio::timeout_at(deadline, plain_group(owner, child));
  BOOST_TEST((owner == deadline));
  BOOST_TEST(!child.has_value());
}

// Nesting works through the group: a tighter scope in the body or a child wins, a
// looser one does not lift the enclosing deadline.
CORIO_TEST_CASE(a_tighter_scope_inside_the_group_wins_a_looser_one_does_not) {
  const time_point deadline = std::chrono::steady_clock::now() + 1h;
  std::optional<time_point> tighter, looser;
  co_await corio::move_on_at(
      deadline, corio::with_task_group([&](corio::task_group& g) -> corio::awaitable<void> {
        g.spawn([](std::optional<time_point>& into, time_point later) -> corio::awaitable<void> {
          into = co_await corio::timeout_at(later, deadline_now());
        }(looser, deadline + 1h));
        tighter = co_await corio::timeout_at(deadline - 30min, deadline_now());
      }));
  BOOST_TEST((tighter == deadline - 30min));
  BOOST_TEST((looser == deadline));
}

BOOST_AUTO_TEST_SUITE_END()
