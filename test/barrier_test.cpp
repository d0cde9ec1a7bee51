// corio::barrier. The cases named test_* port CPython's BarrierTests
// (Lib/test/test_asyncio/test_locks.py); each quotes what the original checks.
// asyncio's reset() and its repr/draining-state cases have no counterpart (corio's
// barrier has no reset() and no draining phase).
#include <corio/barrier.hpp>

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/gather.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using corio::test::event_log;

namespace {

// Spawns `n` tasks running `body()` and returns their handles. `body` is a coroutine
// lambda: it must outlive the tasks (they use its captures).
template <typename Body>
std::vector<corio::task<std::size_t>> spawn_n(std::size_t n, const Body& body) {
  std::vector<corio::task<std::size_t>> tasks;
  for (std::size_t i = 0; i < n; ++i)
    tasks.push_back(corio::spawn(body()));
  return tasks;
}

std::vector<std::size_t> sorted(std::vector<std::size_t> values) {
  std::sort(values.begin(), values.end());
  return values;
}

std::vector<std::size_t> zero_to(std::size_t n) {
  std::vector<std::size_t> values;
  for (std::size_t i = 0; i < n; ++i)
    values.push_back(i);
  return values;
}

// A waiter that records broken_barrier instead of failing.
corio::awaitable<std::size_t> wait_or_log_broken(corio::barrier& b, event_log& log,
                                                 std::string who) {
  try {
    co_return co_await b.wait();
  } catch (const corio::broken_barrier&) {
    log(who + " broken");
  }
  co_return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(barrier_test)

// test_barrier_parties: "Barrier(0) and Barrier(-4) raise ValueError".
CORIO_TEST_CASE(test_barrier_parties) {
  BOOST_CHECK_THROW(corio::barrier(0), std::invalid_argument);
  BOOST_CHECK_THROW(corio::barrier(-4), std::invalid_argument);
  try {
    corio::barrier b(0);
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == "corio::barrier: parties must be at least 1, got 0");
  }
  corio::barrier b(5);
  BOOST_TEST(b.parties() == 5u);
  co_return;
}

// test_filling_one_task: "a barrier of one party lets its task through at once".
CORIO_TEST_CASE(test_filling_one_task) {
  corio::barrier b(1);
  BOOST_TEST(co_await b.wait() == 0u);
  BOOST_TEST(b.waiting() == 0u);
  BOOST_TEST(!b.broken());
}

// test_filling_one_task_twice: "two waits on Barrier(1) both pass, with the same index".
CORIO_TEST_CASE(test_filling_one_task_twice) {
  corio::barrier b(1);
  auto t1 = corio::spawn(b.wait());
  auto t2 = corio::spawn(b.wait());
  BOOST_TEST(co_await t1 == co_await t2);
  BOOST_TEST(b.waiting() == 0u);
}

// test_filling_task_by_task: "n_waiting counts 1, 2, then the third arrival releases all".
CORIO_TEST_CASE(test_filling_task_by_task) {
  corio::barrier b(3);
  auto t1 = corio::spawn(b.wait());
  co_await corio::yield_now();
  BOOST_TEST(b.waiting() == 1u);
  auto t2 = corio::spawn(b.wait());
  co_await corio::yield_now();
  BOOST_TEST(b.waiting() == 2u);
  auto t3 = corio::spawn(b.wait());
  BOOST_TEST(co_await t1 == 0u); // indices in arrival order
  BOOST_TEST(co_await t2 == 1u);
  BOOST_TEST(co_await t3 == 2u);
  BOOST_TEST(b.waiting() == 0u);
  BOOST_TEST(!b.broken());
}

// test_filling_tasks_wait_twice and test_filling_tasks_check_return_value: "N tasks
// pass the barrier twice; each round hands out the indices 0 .. N-1". This also
// stands for test_blocking_tasks_while_draining: with no draining phase, a task
// that passed starts waiting in the next round at once.
CORIO_TEST_CASE(test_filling_tasks_wait_twice) {
  constexpr std::size_t n = 5;
  corio::barrier b(n);
  std::vector<std::size_t> first_round;
  auto twice = [&]() -> corio::awaitable<std::size_t> {
    first_round.push_back(co_await b.wait());
    co_return co_await b.wait();
  };
  auto second_round = co_await corio::gather(spawn_n(n, twice));
  BOOST_TEST(sorted(first_round) == zero_to(n));
  BOOST_TEST(sorted(second_round) == zero_to(n));
  BOOST_TEST(b.waiting() == 0u);
}

// test_filling_tasks_cancel_one: "a waiter cancelled while the barrier fills leaves
// it (n_waiting drops from 2 to 1); two more arrivals complete the round".
CORIO_TEST_CASE(test_filling_tasks_cancel_one) {
  corio::barrier b(3);
  auto t1 = corio::spawn(b.wait());
  auto t2 = corio::spawn(b.wait());
  co_await corio::yield_now();
  BOOST_TEST(b.waiting() == 2u);
  t1.cancel();
  BOOST_CHECK_THROW(co_await t1, corio::cancelled_error);
  BOOST_TEST(t1.cancelled());
  BOOST_TEST(b.waiting() == 1u);
  auto t3 = corio::spawn(b.wait());
  co_await corio::yield_now();
  BOOST_TEST(b.waiting() == 2u);
  auto t4 = corio::spawn(b.wait());
  // Distinct indices even though a waiter left (asyncio would give t2 and t3 both 1).
  std::vector<std::size_t> indices;
  for (auto* t : {&t2, &t3, &t4})
    indices.push_back(co_await *t);
  BOOST_TEST(sorted(indices) == zero_to(3));
  BOOST_TEST(b.waiting() == 0u);
}

CORIO_TEST_CASE(a_waiter_cancelled_after_its_round_completed_returns_its_index) {
  corio::barrier b(2);
  auto t1 = corio::spawn(b.wait());
  co_await corio::yield_now();
  BOOST_TEST(co_await b.wait() == 1u); // completes the round without suspending
  t1.cancel();                         // t1 was woken but has not run yet
  BOOST_TEST(co_await t1 == 0u);
}

// test_abort_barrier: "abort() on an idle barrier: nobody waits, broken is True".
CORIO_TEST_CASE(test_abort_barrier) {
  corio::barrier b(1);
  b.abort();
  BOOST_TEST(b.waiting() == 0u);
  BOOST_TEST(b.broken());
  co_return;
}

// test_abort_barrier_when_tasks_half_draining_half_blocking, without draining:
// "abort() wakes every waiter with BrokenBarrierError, and later waits raise it too".
CORIO_TEST_CASE(abort_wakes_every_waiter_and_later_waits_with_broken_barrier) {
  corio::barrier b(4);
  event_log log;
  auto a = corio::spawn(wait_or_log_broken(b, log, "a"));
  auto c = corio::spawn(wait_or_log_broken(b, log, "c"));
  co_await corio::yield_now();
  b.abort();
  log("aborted");
  co_await a;
  co_await c;
  BOOST_TEST(log.str() == "aborted a broken c broken");
  BOOST_TEST(b.waiting() == 0u);
  BOOST_CHECK_THROW(co_await b.wait(), corio::broken_barrier);
  b.abort(); // twice: nothing more happens
  BOOST_TEST(b.broken());
  BOOST_CHECK_THROW(co_await b.wait(), corio::broken_barrier);
}

CORIO_TEST_CASE(destroying_a_barrier_with_waiters_wakes_them_cancelled) {
  auto waiter = [](std::unique_ptr<corio::barrier>& b) -> corio::awaitable<std::size_t> {
    co_return co_await b->wait();
  };
  auto b = std::make_unique<corio::barrier>(2);
  auto t = corio::spawn(waiter(b));
  co_await corio::yield_now();
  b.reset();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
}

BOOST_AUTO_TEST_SUITE_END()
