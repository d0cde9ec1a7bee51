// Virtual time (clock.hpp, run_options::virtual_time): corio's timers follow the loop's
// clock, which jumps to the next corio deadline when every task waits and none waits for
// something real (docs/design.md, "Virtual time"). Each test below would take hours on
// the real clock; none asserts wall time.
#include <corio/clock.hpp>

#include "support/corio_test.hpp"

#include <corio/cancel_scope.hpp>
#include <corio/errors.hpp>
#include <corio/interval.hpp>
#include <corio/loop.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/timeout.hpp>
#include <corio/timer.hpp>
#include <corio/to_thread.hpp>

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using corio::test::event_log;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

template <typename T>
T run_virtual(corio::awaitable<T> body, corio::run_options options = {}) {
  options.virtual_time = true;
  return corio::run(std::move(body), options);
}

// Calls `attempt` until it succeeds, sleeping 1 s, 2 s, 4 s, ... between tries.
corio::awaitable<void> retry_with_backoff(int& attempts) {
  auto delay = std::chrono::seconds(1);
  for (;;) {
    ++attempts; // the operation being retried: it never succeeds here
    co_await corio::sleep(delay);
    delay *= 2;
  }
}

// Awaits `body` while an hour-long corio sleep is pending on the loop, and checks that
// the loop clock did not move meanwhile: no jump to that deadline happened.
template <typename T>
corio::awaitable<void> without_moving_time(corio::awaitable<T> body) {
  auto sleeper = corio::spawn(corio::sleep(1h));
  const auto start = corio::now();
  (void)(co_await std::move(body));
  BOOST_TEST((corio::now() == start));
  BOOST_TEST(!sleeper.done());
  sleeper.cancel();
}

} // namespace

BOOST_AUTO_TEST_SUITE(virtual_time_test)

BOOST_AUTO_TEST_CASE(a_sleep_of_an_hour_moves_the_loop_clock_by_exactly_an_hour) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    co_await corio::sleep(1h);
    BOOST_TEST((corio::now() - start == 1h));
  }());
}

BOOST_AUTO_TEST_CASE(time_stands_still_while_tasks_can_run) {
  run_virtual(without_moving_time([]() -> corio::awaitable<void> {
    for (int i = 0; i < 100; ++i)
      co_await corio::yield_now();
  }()));
}

BOOST_AUTO_TEST_CASE(an_exponential_backoff_retry_runs_an_hour_under_a_deadline) {
  const auto wall_start = std::chrono::steady_clock::now();
  const int attempts = run_virtual([]() -> corio::awaitable<int> {
    const auto start = corio::now();
    int attempts = 0;
    BOOST_CHECK_THROW(co_await corio::timeout(1h, retry_with_backoff(attempts)),
                      corio::timeout_error);
    BOOST_TEST((corio::now() - start == 1h));
    co_return attempts;
  }());
  // Tries at 0, 1, 3, 7, ..., 2047 s; the next would be at 4095 s, past the hour.
  BOOST_TEST(attempts == 12);
  const std::chrono::duration<double, std::milli> wall =
      std::chrono::steady_clock::now() - wall_start;
  BOOST_TEST_MESSAGE("an hour of backoff took " << wall.count() << " ms of wall time");
}

BOOST_AUTO_TEST_CASE(timers_fire_in_deadline_order_and_equal_deadlines_in_arming_order) {
  event_log log;
  run_virtual([](event_log& log) -> corio::awaitable<void> {
    auto sleep_then_log = [&log](std::chrono::seconds delay,
                                 std::string name) -> corio::awaitable<void> {
      co_await corio::sleep(delay);
      log(name + "@" + std::to_string(delay.count()));
    };
    auto a = corio::spawn(sleep_then_log(5s, "a"));
    auto b = corio::spawn(sleep_then_log(2s, "b"));
    auto c = corio::spawn(sleep_then_log(5s, "c"));
    auto d = corio::spawn(sleep_then_log(5s, "d"));
    co_await a;
    co_await b;
    co_await c;
    co_await d;
  }(log));
  BOOST_TEST(log.str() == "b@2 a@5 c@5 d@5");
}

BOOST_AUTO_TEST_CASE(sleep_zero_completes_on_the_next_turn_without_jumping_to_a_pending_deadline) {
  run_virtual(without_moving_time([]() -> corio::awaitable<void> {
    co_await corio::sleep(0s);
    co_await corio::sleep_until(corio::now());
  }()));
}

BOOST_AUTO_TEST_CASE(a_deadline_equal_to_now_cuts_at_the_first_suspension_without_moving_time) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    BOOST_CHECK_THROW(co_await corio::timeout_at(start, corio::sleep(1s)), corio::timeout_error);
    const int value =
        co_await corio::timeout_at(corio::now(), []() -> corio::awaitable<int> { co_return 7; }());
    BOOST_TEST(value == 7);
    BOOST_TEST((corio::now() == start));
  }());
}

BOOST_AUTO_TEST_CASE(advance_fires_the_timers_it_passes_and_next_wake_up_names_the_earliest) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    BOOST_TEST(!corio::next_wake_up().has_value());
    auto early = corio::spawn(corio::sleep(5s));
    auto late = corio::spawn(corio::sleep(20s));
    co_await corio::yield_now(); // both have armed their timers
    BOOST_REQUIRE(corio::next_wake_up().has_value());
    BOOST_TEST((*corio::next_wake_up() == start + 5s));
    corio::advance(10s);
    BOOST_TEST((corio::now() == start + 10s));
    co_await corio::yield_now();
    BOOST_TEST(early.done());
    BOOST_TEST(!late.done());
    BOOST_TEST((*corio::next_wake_up() == start + 20s));
    BOOST_CHECK_THROW(corio::advance(-1s), std::invalid_argument);
    co_await late;
    BOOST_TEST((corio::now() == start + 20s));
  }());
}

CORIO_TEST_CASE(advance_on_a_real_time_loop_is_a_logic_error, corio::test::on_real_time) {
  BOOST_CHECK_THROW(corio::advance(1s), std::logic_error);
  BOOST_TEST(!corio::next_wake_up().has_value());
  co_return;
}

BOOST_AUTO_TEST_CASE(advance_outside_a_loop_is_a_logic_error) {
  BOOST_CHECK_THROW(corio::advance(1s), std::logic_error);
}

BOOST_AUTO_TEST_CASE(time_stands_while_to_thread_work_is_in_flight) {
  run_virtual(without_moving_time([]() -> corio::awaitable<void> {
    co_await corio::to_thread([] { std::this_thread::sleep_for(50ms); });
  }()));
}

BOOST_AUTO_TEST_CASE(a_pending_socket_read_keeps_time_standing_until_the_real_reply) {
  asio::io_context peer_context;
  tcp::acceptor acceptor(peer_context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  // The peer: accepts, waits 50 ms of real time, then replies. Nothing virtual in it.
  std::thread peer([&] {
    tcp::socket socket(peer_context);
    acceptor.accept(socket);
    std::this_thread::sleep_for(50ms);
    asio::write(socket, asio::buffer(std::string("hi")));
  });
  std::string received;
  try {
    run_virtual([](unsigned short port, std::string& received) -> corio::awaitable<void> {
      tcp::socket socket(co_await asio::this_coro::executor);
      co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                    asio::use_awaitable_t<corio::executor>());
      std::array<char, 2> reply{};
      co_await without_moving_time(
          corio::timeout(10s, asio::async_read(socket, asio::buffer(reply),
                                               asio::use_awaitable_t<corio::executor>())));
      received.assign(reply.begin(), reply.end());
    }(port, received));
  } catch (...) {
    peer.join();
    throw;
  }
  peer.join();
  BOOST_TEST(received == "hi");
}

BOOST_AUTO_TEST_CASE(a_raw_asio_steady_timer_is_real_time_and_holds_the_loop_clock) {
  run_virtual(without_moving_time([]() -> corio::awaitable<void> {
    asio::steady_timer raw(co_await asio::this_coro::executor, 20ms);
    co_await raw.async_wait(asio::use_awaitable_t<corio::executor>());
  }()));
}

BOOST_AUTO_TEST_CASE(a_cancelled_sleep_leaves_the_clock_queue) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    auto sleeper = corio::spawn(corio::sleep(1h));
    co_await corio::yield_now();
    BOOST_TEST((corio::next_wake_up() == start + 1h));
    sleeper.cancel();
    BOOST_CHECK_THROW(co_await sleeper, corio::cancelled_error);
    BOOST_TEST(!corio::next_wake_up().has_value());
    co_await corio::sleep(1s); // the next jump goes to 1 s, not to the cancelled hour
    BOOST_TEST((corio::now() == start + 1s));
  }());
}

BOOST_AUTO_TEST_CASE(interval_ticks_on_the_virtual_grid) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    auto ticks = corio::interval(1min);
    for (int i = 0; i < 3; ++i) {
      auto tick = co_await ticks.next();
      BOOST_REQUIRE(tick.has_value());
      BOOST_TEST((*tick == start + i * 1min));
      BOOST_TEST((corio::now() == *tick));
    }
  }());
}

BOOST_AUTO_TEST_CASE(debug_mode_runs_on_virtual_time_too) {
  run_virtual(
      []() -> corio::awaitable<void> {
        const auto start = corio::now();
        co_await corio::sleep(3h);
        BOOST_TEST((corio::now() - start == 3h));
      }(),
      {.debug = true});
}

BOOST_AUTO_TEST_CASE(each_loop_has_its_own_clock) {
  run_virtual(
      []() -> corio::awaitable<void> {
        auto other = corio::loops().at(1);
        corio::clock::duration slept{};
        // Loop 1 jumps its own clock; loop 0, awaiting a task on another loop, stands.
        co_await without_moving_time([](corio::loop other,
                                        corio::clock::duration& slept) -> corio::awaitable<void> {
          slept = co_await corio::spawn(other, []() -> corio::awaitable<corio::clock::duration> {
            const auto there = corio::now();
            co_await corio::sleep(2h);
            co_return corio::now() - there;
          }());
        }(other, slept));
        BOOST_TEST((slept == 2h));
      }(),
      {.loops = 2});
}

namespace {

// Twenty tasks, each sleeping five random times (0-9 ms, so many deadlines tie) and some
// under a random timeout, log what they do with the loop time in microseconds.
std::string run_seeded_program(std::uint32_t seed) {
  event_log log;
  std::mt19937 random(seed);
  run_virtual([](event_log& log, std::mt19937& random) -> corio::awaitable<void> {
    const auto start = corio::now();
    auto stamp = [&] {
      return std::chrono::duration_cast<std::chrono::microseconds>(corio::now() - start).count();
    };
    std::vector<corio::task<void>> tasks;
    for (int id = 0; id < 20; ++id) {
      std::vector<std::chrono::milliseconds> sleeps;
      for (int k = 0; k < 5; ++k)
        sleeps.emplace_back(random() % 10);
      const auto limit = std::chrono::milliseconds(random() % 40);
      tasks.push_back(corio::spawn([](int id, std::vector<std::chrono::milliseconds> sleeps,
                                      std::chrono::milliseconds limit, event_log& log,
                                      auto stamp) -> corio::awaitable<void> {
        auto body = [](int id, std::vector<std::chrono::milliseconds> sleeps, event_log& log,
                       auto stamp) -> corio::awaitable<void> {
          for (const auto sleep : sleeps) {
            co_await corio::sleep(sleep);
            log(fmt::format("{}@{}", id, stamp()));
          }
        };
        try {
          co_await corio::timeout(limit, body(id, std::move(sleeps), log, stamp));
        } catch (const corio::timeout_error&) {
          log(fmt::format("{}:timeout@{}", id, stamp()));
        }
      }(id, std::move(sleeps), limit, log, stamp)));
    }
    for (auto& task : tasks)
      co_await task;
  }(log, random));
  return log.str();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_seeded_program_with_random_sleeps_sees_the_same_timeline_in_100_runs) {
  const std::string first = run_seeded_program(2026);
  BOOST_TEST_MESSAGE("timeline: " << first.substr(0, 200) << "...");
  int identical = 1;
  for (int run = 1; run < 100; ++run)
    identical += run_seeded_program(2026) == first ? 1 : 0;
  BOOST_TEST(identical == 100);
  BOOST_TEST(run_seeded_program(2027) != first); // the timeline is the seed's, not a constant
}

// corio::timer: Asio's timer interface on the loop clock.

BOOST_AUTO_TEST_CASE(a_corio_timer_awaited_in_a_task_waits_exactly_its_virtual_time) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    corio::timer timer(co_await asio::this_coro::executor, 90min);
    BOOST_TEST((timer.expiry() == start + 90min));
    co_await timer.async_wait(asio::use_awaitable_t<corio::executor>());
    BOOST_TEST((corio::now() - start == 90min));
  }());
}

BOOST_AUTO_TEST_CASE(a_corio_timer_calls_a_plain_callback_at_its_virtual_expiry) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto start = corio::now();
    corio::timer timer(co_await asio::this_coro::executor, 1h);
    std::optional<corio::clock::duration> called_at;
    boost::system::error_code result = asio::error::would_block;
    timer.async_wait([&](boost::system::error_code error) {
      called_at = corio::now() - start;
      result = error;
    });
    co_await corio::sleep(2h); // the callback ran on the way, at the 1 h mark
    BOOST_TEST((called_at == 1h));
    BOOST_TEST(!result);
  }());
}

BOOST_AUTO_TEST_CASE(corio_timers_compose_with_an_asio_parallel_group) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto ex = co_await asio::this_coro::executor;
    const auto start = corio::now();
    corio::timer slow(ex, 1h);
    corio::timer fast(ex, 10min);
    auto [order, slow_error, fast_error] =
        co_await asio::experimental::make_parallel_group(slow.async_wait(asio::deferred),
                                                         fast.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(),
                        asio::use_awaitable_t<corio::executor>());
    BOOST_TEST(order[0] == 1U); // the 10-minute timer won
    BOOST_TEST(!fast_error);
    BOOST_TEST((slow_error == asio::error::operation_aborted)); // the group cancelled it
    BOOST_TEST((corio::now() - start == 10min));
    BOOST_TEST(!corio::next_wake_up().has_value()); // the cancelled hour left the queue
  }());
}

BOOST_AUTO_TEST_CASE(an_expiry_already_reached_reports_success_even_if_the_timer_is_reset) {
  run_virtual([]() -> corio::awaitable<void> {
    corio::timer timer(co_await asio::this_coro::executor, 1s);
    boost::system::error_code result = asio::error::would_block;
    timer.async_wait([&](boost::system::error_code error) { result = error; });
    corio::advance(1s); // the wait has completed; its handler waits for its turn
    BOOST_TEST(timer.expires_after(1h) == 0U); // nothing left to cancel, as in Asio
    co_await corio::yield_now();
    BOOST_TEST(!result);
    timer.cancel();
  }());
}

BOOST_AUTO_TEST_CASE(cancelling_or_resetting_or_destroying_a_corio_timer_aborts_its_waits) {
  run_virtual([]() -> corio::awaitable<void> {
    const auto ex = co_await asio::this_coro::executor;
    std::vector<boost::system::error_code> results;
    auto record = [&](boost::system::error_code error) { results.push_back(error); };
    corio::timer reset(ex, 1h);
    reset.async_wait(record);
    reset.async_wait(record);
    BOOST_TEST(reset.expires_after(2h) == 2U);
    corio::timer cancelled(ex, 1h);
    cancelled.async_wait(record);
    BOOST_TEST(cancelled.cancel() == 1U);
    {
      corio::timer destroyed(ex, 1h);
      destroyed.async_wait(record); // its handler outlives it
    }
    co_await corio::yield_now();
    BOOST_TEST(results.size() == 4U);
    for (const auto& error : results)
      BOOST_TEST((error == asio::error::operation_aborted));
    // An expiry nobody waits for is no wake-up: nothing is left for the clock to jump to.
    BOOST_TEST(!corio::next_wake_up().has_value());
    reset.async_wait(record);
    BOOST_TEST((corio::next_wake_up() == reset.expiry()));
    reset.cancel();
    co_await corio::yield_now();
    BOOST_TEST(results.size() == 5U);
  }());
}

BOOST_AUTO_TEST_CASE(a_task_cancelled_while_awaiting_a_corio_timer_ends_cancelled) {
  run_virtual([]() -> corio::awaitable<void> {
    auto waiter = corio::spawn([]() -> corio::awaitable<void> {
      corio::timer timer(co_await asio::this_coro::executor, 1h);
      co_await timer.async_wait(asio::use_awaitable_t<corio::executor>());
    }());
    co_await corio::yield_now();
    waiter.cancel();
    BOOST_CHECK_THROW(co_await waiter, boost::system::system_error);
    BOOST_TEST(!corio::next_wake_up().has_value());
  }());
}

CORIO_TEST_CASE(a_corio_timer_on_a_real_time_loop_is_a_steady_timer, corio::test::on_real_time) {
  const auto start = std::chrono::steady_clock::now();
  corio::timer timer(co_await asio::this_coro::executor, 5ms);
  co_await timer.async_wait(asio::use_awaitable_t<corio::executor>());
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 5ms));
}

BOOST_AUTO_TEST_SUITE_END()
