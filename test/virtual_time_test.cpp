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
#include <corio/to_thread.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

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

CORIO_TEST_CASE(advance_on_a_real_time_loop_is_a_logic_error) {
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

BOOST_AUTO_TEST_SUITE_END()
