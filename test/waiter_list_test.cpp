#include <corio/detail/waiter_list.hpp>

#include "support/corio_test.hpp"

#include <corio/any_task.hpp>
#include <corio/errors.hpp>
#include <corio/introspection.hpp>
#include <corio/queue.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <string>

using namespace std::chrono_literals;
using corio::detail::waiter_list;
using corio::test::event_log;

namespace {

corio::awaitable<void> wait_and_log(waiter_list<int>& list, int payload, event_log& log) {
  try {
    co_await list.async_wait(payload, boost::asio::use_awaitable);
    log("woke " + std::to_string(payload));
  } catch (const boost::system::system_error& e) {
    log((e.code() == boost::asio::error::operation_aborted ? "aborted " : "error ") +
        std::to_string(payload));
    throw;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(waiter_list_test)

CORIO_TEST_CASE(waiters_are_woken_in_fifo_order_with_their_payloads_readable) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  auto b = corio::spawn(wait_and_log(list, 2, log));
  auto c = corio::spawn(wait_and_log(list, 3, log));
  co_await corio::yield_now();
  BOOST_TEST(list.size() == 3u);
  BOOST_TEST(list.front()->payload == 1);
  BOOST_TEST(list.notify_one());
  BOOST_TEST(list.front()->payload == 2);
  BOOST_TEST(list.notify_all() == 2u);
  BOOST_TEST(list.empty());
  BOOST_TEST(!list.notify_one());
  co_await a;
  co_await b;
  co_await c;
  BOOST_TEST(log.str() == "woke 1 woke 2 woke 3");
}

CORIO_TEST_CASE(a_woken_waiter_resumes_after_the_waker_has_finished_its_step) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  co_await corio::yield_now();
  list.notify_one();
  log("waker continues");
  co_await a;
  BOOST_TEST(log.str() == "waker continues woke 1");
}

CORIO_TEST_CASE(a_cancelled_waiter_leaves_the_list_and_is_never_woken) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  auto b = corio::spawn(wait_and_log(list, 2, log));
  co_await corio::yield_now();
  a.cancel();
  BOOST_TEST(list.size() == 1u);
  BOOST_TEST(list.front()->payload == 2);
  list.notify_one();
  BOOST_CHECK_THROW(co_await a, corio::cancelled_error);
  co_await b;
  BOOST_TEST(log.str() == "aborted 1 woke 2");
  BOOST_TEST(!a.cancel()); // a second cancellation reaches nothing
}

CORIO_TEST_CASE(a_cancellation_after_the_wake_up_does_not_undo_it) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 1, log));
  co_await corio::yield_now();
  list.notify_one();
  a.cancel(); // lands after the wake-up: the wait already succeeded
  co_await corio::yield_now();
  BOOST_TEST(log.str() == "woke 1");
}

CORIO_TEST_CASE(a_list_destroyed_with_waiters_aborts_them) {
  event_log log;
  corio::task<void> a;
  {
    waiter_list<int> list{"test wait"};
    a = corio::spawn(wait_and_log(list, 1, log));
    co_await corio::yield_now();
  }
  BOOST_CHECK_THROW(co_await a, boost::system::system_error);
  BOOST_TEST(log.str() == "aborted 1");
}

CORIO_TEST_CASE(notify_delivers_an_error_code_when_asked) {
  waiter_list<int> list{"test wait"};
  event_log log;
  auto a = corio::spawn(wait_and_log(list, 4, log));
  co_await corio::yield_now();
  list.notify_one(boost::asio::error::broken_pipe);
  BOOST_CHECK_THROW(co_await a, boost::system::system_error);
  BOOST_TEST(log.str() == "error 4");
}

// Every wake-up is delivered through completion.hpp: the waiter itself is queued on
// the io_context and resumes its coroutine inside a step of its own task, as the
// task's executor would. Each kind of wait checks it: join (pending, ended, abandoned),
// a primitive's wait in the frame, a heap waiter, and yield_now().
CORIO_TEST_CASE(every_wake_up_resumes_its_task_in_a_step_of_that_task) {
  auto name = [] { return corio::current_task().name(); };
  waiter_list<int> list{"test wait"};
  corio::queue<int> items;
  auto ends_later = corio::spawn(corio::sleep(1ms), "ends later");
  auto ended = corio::spawn([]() -> corio::awaitable<int> { co_return 1; }(), "ended");
  auto runs_on = corio::spawn(corio::sleep(1h), "runs on");
  auto join_pending = corio::spawn(
      [](auto name, corio::task<void> t) -> corio::awaitable<std::string> {
        co_await t;
        co_return name();
      }(name, ends_later),
      "join pending");
  auto join_ended = corio::spawn(
      [](auto name, corio::task<int> t) -> corio::awaitable<std::string> {
        co_await corio::yield_now(); // t has ended by now
        BOOST_TEST(t.done());
        BOOST_TEST(co_await t == 1);
        co_return name();
      }(name, ended),
      "join ended");
  auto abandoned = corio::spawn(
      [](auto name, corio::task<void> t) -> corio::awaitable<std::string> {
        try {
          co_await corio::shield(t);
        } catch (const corio::cancelled_error&) {
        }
        co_return name();
      }(name, runs_on),
      "abandoned");
  auto getter = corio::spawn(
      [](auto name, corio::queue<int>& items) -> corio::awaitable<std::string> {
        BOOST_TEST(co_await items.get() == 7);
        co_return name();
      }(name, items),
      "getter");
  auto heap_waiter = corio::spawn(
      [](auto name, waiter_list<int>& list) -> corio::awaitable<std::string> {
        co_await list.async_wait(0, boost::asio::use_awaitable);
        co_return name();
      }(name, list),
      "heap waiter");
  auto yielder = corio::spawn(
      [](auto name) -> corio::awaitable<std::string> {
        co_await corio::yield_now();
        co_return name();
      }(name),
      "yielder");
  co_await corio::yield_now();
  abandoned.cancel();
  BOOST_TEST(items.try_put(7));
  list.notify_one();
  BOOST_TEST(co_await join_pending == "join pending");
  BOOST_TEST(co_await join_ended == "join ended");
  BOOST_TEST(co_await abandoned == "abandoned");
  BOOST_TEST(co_await getter == "getter");
  BOOST_TEST(co_await heap_waiter == "heap waiter");
  BOOST_TEST(co_await yielder == "yielder");
  BOOST_TEST(!runs_on.done()); // shield() abandoned the wait, not the task
  runs_on.cancel();
}

// A handler whose executor is an io_context's, not a task's, is queued in place too,
// and still runs on a later turn, never inside notify().
BOOST_AUTO_TEST_CASE(a_callback_on_an_io_context_executor_runs_on_a_later_turn) {
  boost::asio::io_context context;
  waiter_list<int> list{"test wait"};
  event_log log;
  list.async_wait(
      1, boost::asio::bind_executor(context.get_executor(), [&](boost::system::error_code ec) {
        log(ec ? "aborted" : "woke");
      }));
  list.notify_one();
  log("notified");
  BOOST_TEST(context.poll() == 1u);
  BOOST_TEST(log.str() == "notified woke");
}

// Any other executor (here a strand) gets an ordinary post to that executor.
BOOST_AUTO_TEST_CASE(a_callback_on_a_strand_runs_through_the_strand) {
  boost::asio::io_context context;
  auto strand = boost::asio::make_strand(context);
  waiter_list<int> list{"test wait"};
  event_log log;
  list.async_wait(1, boost::asio::bind_executor(strand, [&](boost::system::error_code ec) {
                    log(ec ? "aborted" : "woke");
                    BOOST_TEST(strand.running_in_this_thread());
                  }));
  list.notify_one(boost::asio::error::operation_aborted);
  log("notified");
  context.run();
  BOOST_TEST(log.str() == "notified aborted");
}

namespace {

// Spawns on `context` a task that records whether it resumed or unwound.
corio::awaitable<void> record_unwinding(corio::awaitable<void> wait, bool& unwound, bool& resumed) {
  struct on_unwind {
    bool& unwound;
    ~on_unwind() { unwound = true; }
  } guard{unwound};
  co_await std::move(wait);
  resumed = true;
}

} // namespace

// A wake-up waits in the io_context's queue; destroying the io_context before it runs
// drops it, which unwinds the waiting task and frees a heap waiter (ASan: no leak).
BOOST_AUTO_TEST_CASE(an_io_context_destroyed_with_wake_ups_queued_unwinds_their_tasks) {
  bool joiner_unwound = false, joiner_resumed = false;
  bool waiter_unwound = false, waiter_resumed = false;
  auto context = std::make_unique<boost::asio::io_context>();
  auto list = std::make_unique<waiter_list<int>>("test wait");
  auto ended =
      corio::spawn(context->get_executor(), []() -> corio::awaitable<void> { co_return; }());
  auto joiner = corio::spawn(
      context->get_executor(),
      record_unwinding([](corio::task<void> t) -> corio::awaitable<void> { co_await t; }(ended),
                       joiner_unwound, joiner_resumed));
  auto waiter = corio::spawn(context->get_executor(),
                             record_unwinding(
                                 [](waiter_list<int>& list) -> corio::awaitable<void> {
                                   co_await list.async_wait(0, boost::asio::use_awaitable);
                                 }(*list),
                                 waiter_unwound, waiter_resumed));
  BOOST_TEST(context->poll_one() == 1u); // `ended` runs to its end
  BOOST_TEST(ended.done());
  BOOST_TEST(context->poll_one() == 1u); // the joiner's wake-up is queued at once
  BOOST_TEST(context->poll_one() == 1u); // the waiter waits on the heap
  BOOST_TEST(list->size() == 1u);
  BOOST_TEST(list->notify_one());
  context.reset();
  BOOST_TEST(joiner_unwound);
  BOOST_TEST(!joiner_resumed);
  BOOST_TEST(waiter_unwound);
  BOOST_TEST(!waiter_resumed);
}

BOOST_AUTO_TEST_SUITE_END()
