// Tests for corio/introspection.hpp and corio/any_task.hpp: current_task(),
// all_tasks(), dump_tasks(), waiting_on() labels, and the step marking behind
// them (detail/task_executor.hpp).
#include <corio/any_task.hpp>
#include <corio/event.hpp>
#include <corio/introspection.hpp>
#include <corio/queue.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/corio_test.hpp"
#include "support/text.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>

using corio::test::on_real_time;

using namespace std::chrono_literals;

using corio::test::contains;

namespace {

corio::awaitable<std::string> name_of_current_task() {
  co_await corio::yield_now();
  co_return corio::current_task().name();
}

corio::awaitable<void> wait_for(corio::event& e) {
  co_await e.wait();
}

corio::awaitable<void> join(corio::task<void> t) {
  co_await t;
}

corio::awaitable<int> get_one(corio::queue<int>& q) {
  co_return co_await q.get();
}

} // namespace

BOOST_AUTO_TEST_SUITE(introspection_test)

CORIO_TEST_CASE(current_task_is_the_task_running_the_coroutine) {
  BOOST_TEST(corio::current_task().name() == "Task-1"); // main
  auto t = corio::spawn(name_of_current_task(), "worker");
  BOOST_TEST(co_await t == "worker");
  // Back in main after the co_await: main again.
  BOOST_TEST(corio::current_task() == corio::any_task(corio::current_task()));
  BOOST_TEST(corio::current_task().name() == "Task-1");
}

BOOST_AUTO_TEST_CASE(current_task_is_empty_outside_tasks) {
  BOOST_TEST(!corio::current_task().valid());
  BOOST_CHECK_THROW(corio::current_task().name(), std::logic_error);
  // A plain handler on the loop is not a task either.
  boost::asio::io_context context;
  bool valid = true;
  boost::asio::post(context, [&valid] { valid = corio::current_task().valid(); });
  context.run();
  BOOST_TEST(!valid);
}

CORIO_TEST_CASE(any_task_converts_from_task_and_compares_by_identity) {
  auto t = corio::spawn(corio::test::value_after(1ms, 5), "five");
  corio::any_task a = t;
  corio::any_task b = t;
  BOOST_TEST((a == b));
  BOOST_TEST(!(a == corio::current_task()));
  BOOST_TEST(a.name() == "five");
  BOOST_TEST(a.state() == corio::task_state::pending);
  co_await t;
  BOOST_TEST(a.done());
  std::ostringstream out;
  out << a << ' ' << corio::any_task();
  BOOST_TEST(out.str() == "<Task done name='five'> <Task empty>");
}

CORIO_TEST_CASE(any_task_can_cancel) {
  auto t = corio::spawn(corio::sleep(1h), "sleeper");
  corio::any_task handle = t;
  co_await corio::yield_now();
  BOOST_TEST(handle.cancel());
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  BOOST_TEST(handle.cancelled());
  BOOST_TEST(!handle.cancel());
}

CORIO_TEST_CASE(all_tasks_lists_pending_tasks_oldest_first) {
  corio::event go;
  auto first = corio::spawn(wait_for(go), "first");
  auto second = corio::spawn(wait_for(go), "second");
  std::vector<std::string> names;
  for (const corio::any_task& t : corio::all_tasks())
    names.push_back(t.name());
  BOOST_TEST((names == std::vector<std::string>{"Task-1", "first", "second"}));
  go.set();
  co_await first;
  co_await second;
  BOOST_TEST(corio::all_tasks().size() == 1U); // finished tasks are not listed
  BOOST_TEST(corio::all_tasks(co_await boost::asio::this_coro::executor).size() == 1U);
}

BOOST_AUTO_TEST_CASE(all_tasks_needs_a_loop) {
  BOOST_CHECK_THROW(corio::all_tasks(), std::logic_error);
  std::ostringstream out;
  BOOST_CHECK_THROW(corio::dump_tasks(out), std::logic_error);
}

CORIO_TEST_CASE(waiting_on_says_where_each_task_waits) {
  corio::event never;
  corio::queue<int> empty;
  auto sleeper = corio::spawn(corio::sleep(1h), "sleeper");
  auto getter = corio::spawn(get_one(empty), "getter");
  auto waiter = corio::spawn(wait_for(never), "waiter");
  auto joiner = corio::spawn(join(sleeper), "joiner");
  co_await corio::yield_now();
  co_await corio::yield_now();
  BOOST_TEST(corio::any_task(sleeper).waiting_on() == "sleep");
  BOOST_TEST(corio::any_task(getter).waiting_on() == "queue get");
  BOOST_TEST(corio::any_task(waiter).waiting_on() == "event wait");
  BOOST_TEST(corio::any_task(joiner).waiting_on() == "co_await task");
  BOOST_TEST(corio::current_task().waiting_on() == ""); // running
  BOOST_TEST(corio::current_task().age().count() >= 0.0);
  for (corio::any_task t : {corio::any_task(sleeper), corio::any_task(getter),
                            corio::any_task(waiter), corio::any_task(joiner)})
    t.cancel();
  for (corio::any_task t : corio::all_tasks())
    BOOST_TEST((t == corio::current_task() || t.waiting_on() != ""));
  co_await corio::sleep(1ms);
  BOOST_TEST(corio::all_tasks().size() == 1U);
  BOOST_TEST(corio::any_task(sleeper).waiting_on() == ""); // finished
}

CORIO_TEST_CASE(dump_tasks_prints_every_pending_task) {
  auto sleeper = corio::spawn(corio::sleep(1h), "sleeper");
  co_await corio::yield_now();
  std::ostringstream out;
  corio::dump_tasks(out);
  const std::string dump = out.str();
  BOOST_TEST_INFO(dump);
  BOOST_TEST(contains(dump, "corio: 2 pending task(s)"));
  BOOST_TEST(contains(dump, "<Task pending name='Task-1'> (running)"));
  BOOST_TEST(contains(dump, "<Task pending name='sleeper'> age "));
  BOOST_TEST(contains(dump, "waiting in sleep spawned at "));
  BOOST_TEST(contains(dump, "introspection_test.cpp"));
  sleeper.cancel();
}

corio::awaitable<corio::executor> own_executor() {
  co_return co_await boost::asio::this_coro::executor;
}

// A raw Asio timer outside any task: real time (on virtual time the sleep below would
// jump past it).
CORIO_TEST_CASE(a_handler_outliving_its_task_runs_without_a_current_task, on_real_time) {
  // The executor of a finished (and freed) task: a callback bound to it must not
  // see the dead task as current (ASan would catch a dangling read).
  corio::executor dead = co_await corio::spawn(own_executor(), "short-lived");
  boost::asio::steady_timer timer(dead, 1ms);
  int seen = -1;
  timer.async_wait(
      [&seen](const boost::system::error_code&) { seen = corio::current_task().valid() ? 1 : 0; });
  co_await corio::sleep(20ms);
  BOOST_TEST(seen == 0);
}

corio::awaitable<std::string> spawn_with_own_executor() {
  // A task's executor passed back to spawn(): the child is a task of its own.
  auto child =
      corio::spawn(co_await boost::asio::this_coro::executor, name_of_current_task(), "child");
  co_return co_await child;
}

CORIO_TEST_CASE(spawn_accepts_a_task_executor) {
  BOOST_TEST(co_await corio::spawn(spawn_with_own_executor(), "parent") == "child");
}

BOOST_AUTO_TEST_SUITE_END()
