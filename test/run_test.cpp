#include <corio/run.hpp>

#include "support/corio_test.hpp"

#include <corio/detail/runtime.hpp>
#include <corio/detail/waiter_list.hpp>
#include <corio/errors.hpp>
#include <corio/loop.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <string>
#include <thread>

#include <signal.h>

using namespace std::chrono_literals;
using corio::test::counted;

namespace {

corio::awaitable<int> answer() {
  co_await corio::sleep(1ms);
  co_return 42;
}

corio::awaitable<void> sleep_forever_holding(counted, bool& saw_cancellation) {
  try {
    co_await corio::sleep(1h);
  } catch (const boost::system::system_error&) {
    saw_cancellation = true;
    throw;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_test)

BOOST_AUTO_TEST_CASE(run_returns_what_main_returns) {
  BOOST_TEST(corio::run(answer()) == 42);
}

BOOST_AUTO_TEST_CASE(run_rethrows_what_main_throws) {
  BOOST_CHECK_THROW(corio::run([]() -> corio::awaitable<void> {
                      co_await corio::sleep(0ms);
                      throw std::domain_error("main failed");
                    }()),
                    std::domain_error);
}

BOOST_AUTO_TEST_CASE(run_inside_run_is_rejected_with_a_clear_error) {
  bool rejected = false;
  corio::run([](bool& rejected) -> corio::awaitable<void> {
    try {
      corio::run(answer());
    } catch (const std::logic_error& e) {
      rejected = std::string(e.what()).find("already running") != std::string::npos;
    }
    co_return;
  }(rejected));
  BOOST_TEST(rejected);
}

BOOST_AUTO_TEST_CASE(run_cancels_and_drains_tasks_still_alive_when_main_ends) {
  bool saw_cancellation = false;
  corio::run([](bool& saw) -> corio::awaitable<void> {
    corio::spawn(sleep_forever_holding(counted{}, saw));
    co_await corio::sleep(1ms);
    BOOST_TEST(counted::alive == 1);
  }(saw_cancellation));
  BOOST_TEST(saw_cancellation);
  BOOST_TEST(counted::alive == 0);
}

BOOST_AUTO_TEST_CASE(run_can_run_again_and_numbers_tasks_afresh) {
  for (int i = 0; i < 2; ++i) {
    const std::string name = corio::run([]() -> corio::awaitable<std::string> {
      auto t = corio::spawn(answer());
      co_await t;
      co_return t.name();
    }());
    BOOST_TEST(name == "Task-2");
  }
}

BOOST_AUTO_TEST_CASE(two_threads_run_their_own_loops_at_once) {
  int first = 0;
  int second = 0;
  std::thread other([&second] { second = corio::run(answer()); });
  first = corio::run(answer());
  other.join();
  BOOST_TEST(first == 42);
  BOOST_TEST(second == 42);
}

BOOST_AUTO_TEST_CASE(an_exception_escaping_a_raw_handler_is_logged_and_the_loop_goes_on) {
  corio::test::captured_log log;
  const int result = corio::run([]() -> corio::awaitable<int> {
    boost::asio::post(co_await boost::asio::this_coro::executor,
                      [] { throw std::runtime_error("handler blew up"); });
    co_await corio::sleep(1ms);
    co_return 5;
  }());
  BOOST_TEST(result == 5);
  BOOST_TEST(log.count("handler blew up") == 1);
}

// The same rule during the final drain: main's result survives, and a task still in
// its cleanup finishes it instead of being destroyed mid-cleanup.
BOOST_AUTO_TEST_CASE(an_exception_escaping_a_raw_handler_during_the_drain_is_logged_too) {
  corio::test::captured_log log;
  bool cleaned_up = false;
  const int result = corio::run([](bool& cleaned_up) -> corio::awaitable<int> {
    corio::spawn([](bool& cleaned_up) -> corio::awaitable<void> {
      try {
        co_await corio::sleep(1h);
      } catch (const corio::cancelled_error&) {
        boost::asio::post(corio::detail::current_executor("test"),
                          [] { throw std::runtime_error("handler blew up in the drain"); });
      }
      co_await corio::enter_cleanup();
      co_await corio::sleep(5ms); // the drain's loop runs on while this waits
      cleaned_up = true;
    }(cleaned_up));
    co_await corio::sleep(1ms);
    co_return 7;
  }(cleaned_up));
  BOOST_TEST(result == 7);
  BOOST_TEST(cleaned_up);
  BOOST_TEST(log.count("handler blew up in the drain") == 1u);
  BOOST_TEST(log.count("destroyed but it is pending") == 0u);
}

BOOST_AUTO_TEST_CASE(an_absurd_thread_pool_size_is_rejected_before_anything_runs) {
  bool ran = false;
  BOOST_CHECK_THROW(corio::run(
                        [](bool& ran) -> corio::awaitable<void> {
                          ran = true;
                          co_return;
                        }(ran),
                        {.thread_pool_size = corio::run_options::max_threads + 1}),
                    std::invalid_argument);
  BOOST_TEST(!ran);
}

BOOST_AUTO_TEST_CASE(a_task_that_refuses_to_end_is_reported_when_the_drain_gives_up) {
  corio::detail::runtime runtime; // driven step by step
  corio::detail::waiter_list<> never_signalled{"never signalled"};
  auto stubborn = corio::spawn(
      runtime.get_executor(),
      [](corio::detail::waiter_list<>& list) -> corio::awaitable<void> {
        // Ignores cancellation, then waits where cancellation cannot reach.
        co_await boost::asio::this_coro::throw_if_cancelled(false);
        co_await list.async_wait(
            {}, boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(),
                                                    boost::asio::use_awaitable));
      }(never_signalled),
      "stubborn");
  runtime.poll();
  corio::test::captured_log log;
  BOOST_TEST(runtime.cancel_and_drain(1200ms) == 1);
  BOOST_TEST(log.count("still waiting for 1 task(s) to end after cancellation: <Task pending "
                       "name='stubborn'>") == 1);
  BOOST_TEST(log.count("could not be cancelled and were abandoned: <Task pending "
                       "name='stubborn'>") == 1);
  never_signalled.notify_all();
  runtime.poll();
  BOOST_TEST((stubborn.state() == corio::task_state::done));
}

BOOST_AUTO_TEST_SUITE_END()

// run_options::handle_signals with real signals raised in this process. Raising
// SIGINT/SIGTERM with the default disposition would kill the test runner, so every
// test installs a handler of its own first (restored at the end), which is also the
// "previous handler" run() must give back.
namespace {

std::atomic<int> test_handler_calls{0};
void test_handler(int) {
  ++test_handler_calls;
}

struct own_handler {
  explicit own_handler(int number) : number(number) {
    struct sigaction action {};
    action.sa_handler = test_handler;
    sigemptyset(&action.sa_mask);
    ::sigaction(number, &action, &saved);
    test_handler_calls = 0;
  }
  ~own_handler() { ::sigaction(number, &saved, nullptr); }
  static bool is_installed(int number) {
    struct sigaction now {};
    ::sigaction(number, nullptr, &now);
    return now.sa_handler == test_handler;
  }
  int number;
  struct sigaction saved {};
};

corio::awaitable<int> raise_then_sleep(int number) {
  std::raise(number);
  co_await corio::sleep(1h);
  co_return 1;
}

// Runs `main` expecting run() to throw interrupted; returns its signal (0 if none).
template <typename T>
int interrupted_signal(corio::awaitable<T> main, corio::run_options options = {}) {
  try {
    corio::run(std::move(main), options);
  } catch (const corio::interrupted& e) {
    return e.signal_number();
  }
  return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_handle_signals_test)

// Issue 18: once anything is registered with an Asio reactor, the scheduler polls
// epoll before nearly every handler (a system call per turn). Signal handling used
// to read its pipe on loop 0 and so made every corio program pay that, even one with
// no I/O and no timers; the pipe is now read by a watcher thread.
BOOST_AUTO_TEST_CASE(handling_signals_does_not_start_loop_zeros_reactor) {
  const bool reactor_started = corio::run([]() -> corio::awaitable<bool> {
    const auto ex = co_await boost::asio::this_coro::executor;
    co_return boost::asio::has_service<boost::asio::detail::reactor>(
        boost::asio::query(ex, boost::asio::execution::context));
  }());
  BOOST_TEST(!reactor_started);
}

BOOST_AUTO_TEST_CASE(sigterm_cancels_main_and_run_throws_interrupted_with_exit_code_143) {
  const own_handler previous(SIGTERM);
  try {
    corio::run(raise_then_sleep(SIGTERM));
    BOOST_FAIL("run() returned");
  } catch (const corio::interrupted& e) {
    BOOST_TEST(e.signal_number() == SIGTERM);
    BOOST_TEST(e.exit_code() == 143);
    BOOST_TEST(std::string(e.what()) == "interrupted by SIGTERM");
    BOOST_TEST(corio::describe(std::current_exception()) == "interrupted by SIGTERM");
  }
  BOOST_TEST(test_handler_calls == 0); // run() took the signal
  BOOST_TEST(own_handler::is_installed(SIGTERM));
  std::raise(SIGTERM); // and after run() the previous handler has it again
  BOOST_TEST(test_handler_calls == 1);
}

BOOST_AUTO_TEST_CASE(sigint_reaches_the_tasks_under_main_and_every_task_is_drained) {
  const own_handler previous(SIGINT);
  bool saw_cancellation = false;
  const int number = interrupted_signal([](bool& saw) -> corio::awaitable<void> {
    corio::spawn(sleep_forever_holding(counted{}, saw)); // not awaited: the drain's
    auto awaited = corio::spawn(raise_then_sleep(SIGINT));
    co_await awaited; // main's cancellation reaches what it awaits
  }(saw_cancellation));
  BOOST_TEST(number == SIGINT);
  BOOST_TEST(saw_cancellation);
  BOOST_TEST(counted::alive == 0);
  BOOST_TEST(own_handler::is_installed(SIGINT));
}

BOOST_AUTO_TEST_CASE(a_main_that_catches_its_cancellation_and_returns_is_still_interrupted) {
  const own_handler previous(SIGTERM);
  bool caught = false;
  const int number = interrupted_signal([](bool& caught) -> corio::awaitable<int> {
    try {
      co_await raise_then_sleep(SIGTERM);
    } catch (const corio::cancelled_error&) {
      caught = true;
    }
    co_return 7; // an orderly shutdown: the signal still decides what run() reports
  }(caught));
  BOOST_TEST(caught);
  BOOST_TEST(number == SIGTERM);
}

BOOST_AUTO_TEST_CASE(a_signal_during_the_drain_after_main_returned_is_reported_too) {
  const own_handler previous(SIGTERM);
  const int number = interrupted_signal([]() -> corio::awaitable<int> {
    corio::spawn([]() -> corio::awaitable<void> {
      try {
        co_await corio::sleep(1h);
      } catch (const corio::cancelled_error&) {
        std::raise(SIGTERM); // main is done, the drain is running
        throw;
      }
    }());
    co_await corio::sleep(1ms);
    co_return 7;
  }());
  BOOST_TEST(number == SIGTERM);
  BOOST_TEST(own_handler::is_installed(SIGTERM));
}

BOOST_AUTO_TEST_CASE(with_several_loops_a_signal_raised_on_loop_1_cancels_main_on_loop_0) {
  const own_handler previous(SIGTERM);
  std::atomic<bool> raised_on_other_thread{false};
  const int number = interrupted_signal(
      [](std::atomic<bool>& raised) -> corio::awaitable<void> {
        const std::thread::id main_thread = std::this_thread::get_id();
        corio::spawn(
            corio::loops().at(1),
            [](std::atomic<bool>& raised, std::thread::id main_thread) -> corio::awaitable<void> {
              raised = std::this_thread::get_id() != main_thread;
              std::raise(SIGTERM); // delivered to this thread, loop 1's
              co_await corio::sleep(1h);
            }(raised, main_thread));
        co_await corio::sleep(1h);
      }(raised_on_other_thread),
      {.loops = 2});
  BOOST_TEST(raised_on_other_thread.load());
  BOOST_TEST(number == SIGTERM);
  BOOST_TEST(own_handler::is_installed(SIGTERM));
}

BOOST_AUTO_TEST_CASE(with_handle_signals_off_run_leaves_the_program_handler_in_place) {
  const own_handler previous(SIGINT);
  const int result = corio::run(
      []() -> corio::awaitable<int> {
        std::raise(SIGINT); // the program's own handler, not corio, gets it
        co_await corio::sleep(1ms);
        co_return 5;
      }(),
      {.handle_signals = false});
  BOOST_TEST(result == 5);
  BOOST_TEST(test_handler_calls == 1);
  BOOST_TEST(own_handler::is_installed(SIGINT));
  std::raise(SIGINT);
  BOOST_TEST(test_handler_calls == 2);
}

BOOST_AUTO_TEST_CASE(without_a_signal_run_returns_and_restores_the_previous_dispositions) {
  const own_handler int_handler(SIGINT);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction saved_term {};
  ::sigaction(SIGTERM, &ignore, &saved_term);
  bool installed_while_running = false;
  const int result = corio::run([](bool& installed) -> corio::awaitable<int> {
    installed = !own_handler::is_installed(SIGINT);
    co_await corio::sleep(1ms);
    co_return 3;
  }(installed_while_running));
  struct sigaction term_after {};
  ::sigaction(SIGTERM, &saved_term, &term_after);
  BOOST_TEST(result == 3);
  BOOST_TEST(installed_while_running);
  BOOST_TEST(own_handler::is_installed(SIGINT));
  BOOST_TEST((term_after.sa_handler == SIG_IGN));
}

// Issue 19's edge "a signal before run() started": corio's handling is not installed yet,
// so the program's own disposition takes it, and the run that follows is not interrupted by
// it (nothing of it is left pending for corio to find).
BOOST_AUTO_TEST_CASE(a_signal_before_run_meets_the_programs_handler_and_does_not_reach_run) {
  const own_handler previous(SIGINT);
  std::raise(SIGINT);
  BOOST_TEST(test_handler_calls == 1);
  const int result = corio::run([]() -> corio::awaitable<int> {
    co_await corio::sleep(5ms);
    co_return 4;
  }());
  BOOST_TEST(result == 4);
  BOOST_TEST(test_handler_calls == 1);
  BOOST_TEST(own_handler::is_installed(SIGINT));
}

BOOST_AUTO_TEST_CASE(an_exception_from_main_after_a_signal_still_reports_the_signal) {
  const own_handler previous(SIGINT);
  corio::test::captured_log log;
  const int number = interrupted_signal([]() -> corio::awaitable<void> {
    try {
      co_await raise_then_sleep(SIGINT);
    } catch (const corio::cancelled_error&) {
      throw std::runtime_error("cleanup failed");
    }
  }());
  BOOST_TEST(number == SIGINT);
  BOOST_TEST(log.count("cleanup failed") == 1u); // logged, not lost
  BOOST_TEST(own_handler::is_installed(SIGINT));
}

BOOST_AUTO_TEST_SUITE_END()
