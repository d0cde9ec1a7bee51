#include <corio/loop.hpp>

#include "support/corio_test.hpp"

#include <corio/condition_variable.hpp>
#include <corio/detail/block_cache.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/waiter_list.hpp>
#include <corio/errors.hpp>
#include <corio/event.hpp>
#include <corio/mutex.hpp>
#include <corio/queue.hpp>
#include <corio/run.hpp>
#include <corio/semaphore.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/task_group.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <future>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using corio::test::counted;

namespace {

constexpr corio::run_options two_loops{.loops = 2};

corio::awaitable<std::thread::id> thread_after(std::chrono::milliseconds delay) {
  co_await corio::sleep(delay);
  co_return std::this_thread::get_id();
}

corio::awaitable<int> fail_after(std::chrono::milliseconds delay) {
  co_await corio::sleep(delay);
  throw std::runtime_error("remote failure");
}

corio::awaitable<void> sleep_forever_holding(counted, std::size_t& cancelled_on_loop,
                                             std::atomic<bool>* sleeping = nullptr) {
  try {
    if (sleeping != nullptr)
      sleeping->store(true);
    co_await corio::sleep(1h);
  } catch (const corio::cancelled_error&) {
    cancelled_on_loop = corio::current_loop().index();
    throw;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(loop_test)

BOOST_AUTO_TEST_CASE(main_runs_on_loop_zero_on_the_calling_thread) {
  const auto caller = std::this_thread::get_id();
  corio::run(
      [](std::thread::id caller) -> corio::awaitable<void> {
        BOOST_TEST(corio::current_loop().index() == 0u);
        BOOST_TEST((std::this_thread::get_id() == caller));
        const auto all = corio::loops();
        BOOST_TEST_REQUIRE(all.size() == 2u);
        BOOST_TEST(all[0].index() == 0u);
        BOOST_TEST(all[1].index() == 1u);
        BOOST_TEST((all[0] == corio::current_loop()));
        BOOST_TEST(!(all[1] == corio::current_loop()));
        co_return;
      }(caller),
      two_loops);
}

BOOST_AUTO_TEST_CASE(one_loop_is_the_default) {
  corio::run([]() -> corio::awaitable<void> {
    BOOST_TEST(corio::loops().size() == 1u);
    BOOST_TEST((corio::next_loop() == corio::current_loop()));
    co_return;
  }());
}

BOOST_AUTO_TEST_CASE(zero_loops_means_one_per_hardware_thread) {
  const std::size_t expected = std::max(1u, std::thread::hardware_concurrency());
  corio::run(
      [](std::size_t expected) -> corio::awaitable<void> {
        BOOST_TEST(corio::loops().size() == expected);
        co_return;
      }(expected),
      {.loops = 0});
}

BOOST_AUTO_TEST_CASE(loop_functions_on_a_plain_thread_are_logic_errors) {
  BOOST_CHECK_THROW(corio::current_loop(), std::logic_error);
  BOOST_CHECK_THROW(corio::loops(), std::logic_error);
  BOOST_CHECK_THROW(corio::next_loop(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_loop_thread_that_cannot_start_is_a_clear_error_not_a_hang) {
  std::string error = "no error";
  {
    corio::test::threads_cannot_start no_threads;
    try {
      corio::run(corio::sleep(1ms), {.loops = 3});
    } catch (const std::system_error& e) {
      error = e.what();
    }
  }
  BOOST_TEST(error.find("corio::run: cannot start the thread of loop 1 of 3") != std::string::npos,
             error);
}

BOOST_AUTO_TEST_CASE(more_loops_than_max_threads_is_rejected) {
  BOOST_CHECK_THROW(corio::run(corio::sleep(1ms), {.loops = corio::run_options::max_threads + 1}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(
    a_task_spawned_on_another_loop_runs_on_its_thread_and_resumes_the_awaiter_here) {
  corio::run(
      []() -> corio::awaitable<void> {
        const auto here = std::this_thread::get_id();
        corio::task<std::thread::id> remote =
            corio::spawn(corio::loops()[1], thread_after(1ms), "remote");
        BOOST_TEST(remote.name() == "remote");
        const std::thread::id there = co_await remote;
        BOOST_TEST((there != here));
        BOOST_TEST((std::this_thread::get_id() == here));
        BOOST_TEST((remote.state() == corio::task_state::done));
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(spawning_on_the_own_loop_is_a_plain_spawn) {
  corio::run(
      []() -> corio::awaitable<void> {
        const auto here = std::this_thread::get_id();
        BOOST_TEST((co_await corio::spawn(corio::current_loop(), thread_after(1ms)) == here));
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(a_task_on_loop_one_spawns_back_on_loop_zero) {
  corio::run(
      []() -> corio::awaitable<void> {
        const auto main_thread = std::this_thread::get_id();
        auto from_loop_one = []() -> corio::awaitable<std::thread::id> {
          co_return co_await corio::spawn(corio::loops()[0], thread_after(1ms));
        };
        BOOST_TEST((co_await corio::spawn(corio::loops()[1], from_loop_one()) == main_thread));
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(the_remote_exception_reaches_the_awaiter) {
  corio::run(
      []() -> corio::awaitable<void> {
        auto remote = corio::spawn(corio::loops()[1], fail_after(1ms));
        BOOST_CHECK_THROW(co_await remote, std::runtime_error);
        BOOST_TEST((remote.state() == corio::task_state::failed));
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(cancelling_the_handle_cancels_the_task_on_its_loop) {
  std::size_t cancelled_on = 99;
  std::atomic<bool> sleeping{false};
  corio::run(
      [](std::size_t& cancelled_on, std::atomic<bool>& sleeping) -> corio::awaitable<void> {
        auto remote =
            corio::spawn(corio::loops()[1], sleep_forever_holding({}, cancelled_on, &sleeping));
        // Until it sleeps on loop 1 (a fixed 5 ms was too short on a loaded machine: the
        // cancel then came before its first step, and it never ran).
        while (!sleeping.load())
          co_await corio::sleep(1ms);
        BOOST_TEST(remote.cancel());
        BOOST_CHECK_THROW(co_await remote, corio::cancelled_error);
        BOOST_TEST(remote.cancelled());
      }(cancelled_on, sleeping),
      two_loops);
  BOOST_TEST(cancelled_on == 1u);
  BOOST_TEST(counted::alive == 0);
}

BOOST_AUTO_TEST_CASE(cancelling_a_remote_task_waiting_in_a_queue_or_a_socket_ends_it) {
  corio::run(
      []() -> corio::awaitable<void> {
        auto in_queue = corio::spawn(corio::loops()[1], []() -> corio::awaitable<int> {
          corio::queue<int> empty;
          co_return co_await empty.get();
        }());
        auto in_socket = corio::spawn(corio::loops()[1], []() -> corio::awaitable<std::size_t> {
          namespace asio = boost::asio;
          const auto ex = co_await asio::this_coro::executor;
          asio::ip::tcp::acceptor acceptor(ex, {asio::ip::address_v4::loopback(), 0});
          asio::ip::tcp::socket client(ex);
          co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
          auto server = co_await acceptor.async_accept(asio::use_awaitable);
          char byte = 0; // nothing is ever written: the read waits until cancelled
          co_return co_await server.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable);
        }());
        co_await corio::sleep(20ms); // both are (most likely) waiting by now
        in_queue.cancel();
        in_socket.cancel();
        BOOST_CHECK_THROW(co_await in_queue, corio::cancelled_error);
        BOOST_CHECK_THROW(co_await in_socket, boost::system::system_error);
        BOOST_TEST(in_queue.cancelled());
        BOOST_TEST(in_socket.cancelled());
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(a_remote_task_cancelled_before_its_first_turn_never_runs) {
  corio::run(
      []() -> corio::awaitable<void> {
        bool ran = false;
        auto remote = corio::spawn(corio::loops()[1], [](bool& ran) -> corio::awaitable<void> {
          ran = true;
          co_return;
        }(ran));
        remote.cancel(); // before the proxy's first turn
        BOOST_CHECK_THROW(co_await remote, corio::cancelled_error);
        BOOST_TEST(!ran);
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(cancelling_the_awaiter_propagates_to_the_remote_task) {
  std::size_t cancelled_on = 99;
  corio::run(
      [](std::size_t& cancelled_on) -> corio::awaitable<void> {
        auto waiter = corio::spawn([](std::size_t& cancelled_on) -> corio::awaitable<void> {
          co_await corio::spawn(corio::loops()[1], sleep_forever_holding({}, cancelled_on));
        }(cancelled_on));
        co_await corio::sleep(5ms);
        waiter.cancel();
        BOOST_CHECK_THROW(co_await waiter, corio::cancelled_error);
      }(cancelled_on),
      two_loops);
  BOOST_TEST(cancelled_on == 1u);
}

BOOST_AUTO_TEST_CASE(run_cancels_and_drains_the_tasks_of_every_loop) {
  std::size_t cancelled_on = 99;
  corio::run(
      [](std::size_t& cancelled_on) -> corio::awaitable<void> {
        // Started on loop 1 by a task of loop 1: no handle on loop 0 keeps it.
        auto starter = [](std::size_t& cancelled_on) -> corio::awaitable<void> {
          corio::spawn(sleep_forever_holding({}, cancelled_on), "orphan");
          co_return;
        };
        co_await corio::spawn(corio::loops()[1], starter(cancelled_on));
        co_await corio::sleep(5ms); // the orphan is mid-sleep when main returns
      }(cancelled_on),
      two_loops);
  BOOST_TEST(cancelled_on == 1u);
  BOOST_TEST(counted::alive == 0);
}

BOOST_AUTO_TEST_CASE(a_failure_nobody_retrieves_on_another_loop_is_logged_as_on_loop_zero) {
  corio::test::captured_log log;
  corio::run(
      []() -> corio::awaitable<void> {
        auto starter = []() -> corio::awaitable<void> {
          corio::spawn(fail_after(1ms), "lost");
          co_await corio::sleep(20ms);
        };
        co_await corio::spawn(corio::loops()[1], starter());
      }(),
      two_loops);
  BOOST_TEST(log.count("Task exception was never retrieved: <Task failed name='lost' "
                       "exception='remote failure'>") == 1u);
}

BOOST_AUTO_TEST_CASE(next_loop_goes_round_robin_from_the_next_loop) {
  corio::run(
      []() -> corio::awaitable<void> {
        std::vector<std::size_t> order;
        for (int i = 0; i < 4; ++i)
          order.push_back(corio::next_loop().index());
        BOOST_TEST((order == std::vector<std::size_t>{1, 2, 0, 1}));
        co_return;
      }(),
      {.loops = 3});
}

// Each loop keeps the cores and entry frames its tasks free (block_cache.hpp); tasks
// spawned from loop 0 onto both loops, round after round, reuse them on whichever
// loop frees them. TSan watches that no block is shared between the loops' threads.
BOOST_AUTO_TEST_CASE(rounds_of_tasks_spread_over_loops_reuse_their_blocks_safely) {
  const long total = corio::run(
      []() -> corio::awaitable<long> {
        long sum = 0;
        for (int round = 0; round < 20; ++round) {
          std::vector<corio::task<int>> tasks;
          for (int i = 0; i < 50; ++i)
            tasks.push_back(corio::spawn(corio::next_loop(), [](int i) -> corio::awaitable<int> {
              co_await corio::yield_now();
              co_return i;
            }(i)));
          for (auto& t : tasks)
            sum += co_await t;
        }
        co_return sum;
      }(),
      two_loops);
  BOOST_TEST(total == 20 * (49 * 50 / 2));
}

namespace {

struct block_counts {
  std::size_t allocated;
  std::size_t reused;
};

block_counts blocks_of_this_loop() {
  const corio::detail::block_cache* blocks = corio::detail::this_loop_thread.blocks;
  return {blocks->allocated(), blocks->reused()};
}

} // namespace

// A task handle stays on its loop, so a task spawned from loop 0 onto loop 1 is made,
// joined and freed on loop 1 and its proxy on loop 0: every block goes back to the cache
// of the loop that made it. At most 64 tasks (a core and an entry frame each, on each
// side) are alive at once, so over 50 rounds neither loop allocates more than those
// blocks; a block lost to the other loop or to the heap would be allocated again in
// every round (6,400 in all).
BOOST_AUTO_TEST_CASE(tasks_spawned_across_loops_keep_their_blocks_on_their_own_loop) {
  corio::run(
      []() -> corio::awaitable<void> {
        auto remote_counts = []() -> corio::awaitable<block_counts> {
          co_return blocks_of_this_loop();
        };
        const block_counts near_before = blocks_of_this_loop();
        const block_counts far_before = co_await corio::spawn(corio::loops()[1], remote_counts());
        for (int round = 0; round < 50; ++round) {
          std::vector<corio::task<int>> tasks;
          for (int i = 0; i < 64; ++i)
            tasks.push_back(corio::spawn(corio::loops()[1], [](int i) -> corio::awaitable<int> {
              co_await corio::yield_now();
              co_return i;
            }(i)));
          for (auto& t : tasks)
            co_await t;
        }
        const block_counts near_after = blocks_of_this_loop();
        const block_counts far_after = co_await corio::spawn(corio::loops()[1], remote_counts());
        constexpr std::size_t most_alive = 2 * 64 + 8; // a few more for the counting tasks
        BOOST_TEST(near_after.allocated - near_before.allocated <= most_alive);
        BOOST_TEST(far_after.allocated - far_before.allocated <= most_alive);
        BOOST_TEST(near_after.reused - near_before.reused >= 2 * 64 * 50 - most_alive);
        BOOST_TEST(far_after.reused - far_before.reused >= 2 * 64 * 50 - most_alive);
      }(),
      two_loops);
}

// A wake-up delivered from a thread that is not the io_context's queues the waiter on
// that io_context while its thread runs it (Asio's scheduler takes its lock), and the
// handler runs on the io_context's thread (detail/completion.hpp).
BOOST_AUTO_TEST_CASE(a_wake_up_from_another_thread_runs_on_the_waiters_thread) {
  boost::asio::io_context context;
  auto guard = boost::asio::make_work_guard(context);
  std::thread runner([&] { context.run(); });
  corio::detail::waiter_list<int> list{"test wait"};
  std::promise<std::thread::id> woken_on;
  list.async_wait(
      1, boost::asio::bind_executor(context.get_executor(), [&](boost::system::error_code ec) {
        BOOST_TEST(!ec);
        woken_on.set_value(std::this_thread::get_id());
      }));
  list.notify_one(); // this thread, while `runner` waits in run()
  const std::thread::id runner_id = runner.get_id();
  const std::thread::id id = woken_on.get_future().get();
  guard.reset();
  runner.join();
  BOOST_TEST((id == runner_id));
}

BOOST_AUTO_TEST_CASE(tasks_spread_over_loops_run_on_distinct_threads) {
  std::set<std::thread::id> threads;
  corio::run(
      [](std::set<std::thread::id>& threads) -> corio::awaitable<void> {
        std::vector<corio::task<std::thread::id>> tasks;
        for (int i = 0; i < 6; ++i)
          tasks.push_back(corio::spawn(corio::next_loop(), thread_after(1ms)));
        for (auto& t : tasks)
          threads.insert(co_await t);
      }(threads),
      {.loops = 3});
  BOOST_TEST(threads.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_handle_from_an_ended_run_is_a_clear_error) {
  std::vector<corio::loop> old =
      corio::run([]() -> corio::awaitable<std::vector<corio::loop>> { co_return corio::loops(); }(),
                 two_loops);
  BOOST_CHECK_THROW(old[1].executor(), std::logic_error);
  corio::run(
      [](corio::loop stale) -> corio::awaitable<void> {
        BOOST_CHECK_THROW(corio::spawn(stale, corio::sleep(1ms)), std::logic_error);
        co_return;
      }(old[1]),
      two_loops);
  // From a plain thread: the future breaks its promise instead of hanging.
  std::future<void> late = corio::submit(old[1], corio::sleep(1ms));
  BOOST_CHECK_THROW(late.get(), std::future_error);
}

BOOST_AUTO_TEST_CASE(a_plain_thread_submits_to_a_loop_through_its_handle) {
  corio::run(
      []() -> corio::awaitable<void> {
        corio::loop target = corio::loops()[1];
        std::future<std::thread::id> answer;
        std::thread caller([&] { answer = corio::submit(target, thread_after(1ms)); });
        caller.join();
        while (answer.wait_for(0s) != std::future_status::ready)
          co_await corio::sleep(1ms);
        BOOST_TEST((answer.get() != std::this_thread::get_id()));
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(a_queue_used_from_another_loop_throws_naming_both_loops) {
  corio::run(
      []() -> corio::awaitable<void> {
        corio::queue<int> numbers;
        BOOST_TEST(numbers.try_put(1)); // binds it to loop 0
        auto misuse = [](corio::queue<int>& numbers) -> corio::awaitable<std::string> {
          try {
            numbers.try_get();
          } catch (const std::logic_error& e) {
            co_return e.what();
          }
          co_return "no error";
        };
        const std::string error = co_await corio::spawn(corio::loops()[1], misuse(numbers));
        BOOST_TEST(error.find("corio::queue::try_get: used from a task of loop 1, but it belongs "
                              "to loop 0") != std::string::npos,
                   error);
        BOOST_TEST(numbers.size() == 1u); // untouched
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(an_event_waited_on_from_another_loop_throws) {
  corio::run(
      []() -> corio::awaitable<void> {
        corio::event ready;
        ready.set();
        auto misuse = [](corio::event& ready) -> corio::awaitable<void> { co_await ready.wait(); };
        BOOST_CHECK_THROW(co_await corio::spawn(corio::loops()[1], misuse(ready)),
                          std::logic_error);
      }(),
      two_loops);
}

BOOST_AUTO_TEST_CASE(a_primitive_outliving_its_run_serves_the_next_run) {
  static corio::queue<int> shared; // used by two successive run() calls
  for (int round = 0; round < 2; ++round) {
    corio::run(
        []() -> corio::awaitable<void> {
          co_await corio::spawn(corio::loops()[1], []() -> corio::awaitable<void> {
            co_await shared.put(1);
            BOOST_TEST(co_await shared.get() == 1);
          }());
        }(),
        two_loops);
  }
}

BOOST_AUTO_TEST_CASE(spawning_with_another_loops_executor_is_refused) {
  corio::run(
      []() -> corio::awaitable<void> {
        BOOST_CHECK_THROW(corio::spawn(corio::loops()[1].executor(), corio::sleep(1ms)),
                          std::logic_error);
        co_return;
      }(),
      two_loops);
}

namespace {

// Runs `misuse` as a task on loop 1 and returns what it threw (or "no error").
template <typename Misuse>
corio::awaitable<std::string> error_on_loop_one(Misuse misuse) {
  co_return co_await corio::spawn(corio::loops()[1],
                                  [](Misuse misuse) -> corio::awaitable<std::string> {
                                    try {
                                      co_await misuse();
                                    } catch (const std::logic_error& e) {
                                      co_return e.what();
                                    }
                                    co_return "no error";
                                  }(std::move(misuse)));
}

bool names_both_loops(const std::string& error) {
  return error.find("used from a task of loop 1, but it belongs to loop 0") != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_loop_bound_primitive_refuses_another_loop) {
  corio::run(
      []() -> corio::awaitable<void> {
        corio::mutex lock;
        corio::semaphore slots(2);
        corio::condition_variable changed;
        corio::task_group group;
        { auto held = co_await lock.lock(); } // each is bound to loop 0 by a first use
        co_await slots.acquire();
        changed.notify_all();
        group.spawn(corio::sleep(1ms));
        std::string error = co_await error_on_loop_one([&]() -> corio::awaitable<void> {
          auto held = lock.try_lock();
          co_return;
        });
        BOOST_TEST(names_both_loops(error), error);
        error = co_await error_on_loop_one([&]() -> corio::awaitable<void> {
          slots.release();
          co_return;
        });
        BOOST_TEST(names_both_loops(error), error);
        BOOST_TEST(slots.available() == 1u); // the refused release changed nothing
        error = co_await error_on_loop_one([&]() -> corio::awaitable<void> {
          changed.notify_one();
          co_return;
        });
        BOOST_TEST(names_both_loops(error), error);
        error = co_await error_on_loop_one([&]() -> corio::awaitable<void> {
          group.spawn(corio::sleep(1ms));
          co_return;
        });
        BOOST_TEST(names_both_loops(error), error);
        co_await group.join();
      }(),
      two_loops);
}

BOOST_AUTO_TEST_SUITE_END()
