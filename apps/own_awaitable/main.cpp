// corio-own-awaitable: your own Asio operation, working unchanged with corio.
//
// async_countdown(ex, ticks, interval, token) is a user-defined asynchronous
// operation written with boost::asio::async_initiate, the way Asio's own operations
// are written: it counts down `ticks` timer ticks and completes with
// void(error_code, int remaining). It supports Asio's per-operation cancellation:
// when the caller's cancellation slot fires, it stops its timer and completes with
// operation_aborted. That one hook is all corio needs: timeout, task::cancel,
// gather and task_group then work with it without any adapter.
//
//   $ corio-own-awaitable --ticks 3 --interval-ms 20
//   plain:      3 2 1 liftoff
//   timeout:    3 2 gave up (corio::timeout: the operation did not finish within 0.03s)
//   cancel:     3 2 cancelled (<Task cancelled name='Task-2'>)
//   gather:     a=0 b=0 (both counted down concurrently)
//   task_group: countdown cancelled because a sibling failed: boom
//
// Run with --help for the options. Output goes to stdout with fmt.
#include <corio/corio.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "app_main.hpp"
#include "cli_checks.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

//! [operation]
/// The state of one countdown: its timer, what is left, the caller's handler.
template <typename Handler>
struct countdown_op : std::enable_shared_from_this<countdown_op<Handler>> {
  asio::steady_timer timer;
  int remaining;
  milliseconds interval;
  std::function<void(int)> on_tick;
  Handler handler;

  countdown_op(corio::executor ex, int ticks, milliseconds every, std::function<void(int)> tick,
               Handler h)
      : timer(ex), remaining(ticks), interval(every), on_tick(std::move(tick)),
        handler(std::move(h)) {}

  void start() {
    // Per-operation cancellation: when the caller's slot fires (task::cancel,
    // timeout, gather, task_group), stop the timer; its handler then completes us.
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected())
      slot.assign(
          [self = this->shared_from_this()](asio::cancellation_type) { self->timer.cancel(); });
    tick({});
  }

  void tick(boost::system::error_code ec) {
    if (!ec && remaining > 0) {
      on_tick(remaining--);
      timer.expires_after(interval);
      timer.async_wait(
          [self = this->shared_from_this()](boost::system::error_code e) { self->tick(e); });
      return;
    }
    // Done or cancelled: detach from the slot, then complete on the handler's executor.
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected())
      slot.clear();
    auto ex = asio::get_associated_executor(handler, timer.get_executor());
    asio::dispatch(
        ex, [h = std::move(handler), ec, left = remaining]() mutable { std::move(h)(ec, left); });
  }
};

/// Counts down `ticks` ticks of `interval`, calling on_tick(n) at each; completes
/// with void(error_code, int remaining). Works with any completion token.
template <typename CompletionToken>
auto async_countdown(corio::executor ex, int ticks, milliseconds interval,
                     std::function<void(int)> on_tick, CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(boost::system::error_code, int)>(
      [](auto handler, corio::executor ex, int ticks, milliseconds interval,
         std::function<void(int)> on_tick) {
        using op = countdown_op<std::decay_t<decltype(handler)>>;
        std::make_shared<op>(ex, ticks, interval, std::move(on_tick), std::move(handler))->start();
      },
      token, std::move(ex), ticks, interval, std::move(on_tick));
}
//! [operation]

void print_tick(int n) {
  fmt::print(" {}", n);
  std::fflush(stdout);
}

//! [usage]
/// The operation as a corio coroutine: use_awaitable is the only glue.
corio::awaitable<int> countdown(int ticks, milliseconds interval, bool show = true) {
  auto ex = co_await asio::this_coro::executor;
  std::function<void(int)> on_tick = [](int) {};
  if (show)
    on_tick = print_tick;
  co_return co_await async_countdown(ex, ticks, interval, std::move(on_tick), asio::use_awaitable);
}

corio::awaitable<void> demo(int ticks, milliseconds interval) {
  fmt::print("plain:     ");
  co_await countdown(ticks, interval);
  fmt::print(" liftoff\n");

  fmt::print("timeout:   ");
  try {
    // Expires half a tick after the second-to-last tick.
    co_await corio::timeout(interval * (ticks - 2) + interval / 2, countdown(ticks, interval));
  } catch (const corio::timeout_error& e) {
    fmt::print(" gave up ({})\n", e.what());
  }

  fmt::print("cancel:    ");
  auto t = corio::spawn(countdown(ticks, interval));
  co_await corio::sleep(interval * (ticks - 2) + interval / 2);
  t.cancel();
  try {
    co_await t;
  } catch (const corio::cancelled_error&) {
    fmt::print(" cancelled ({})\n", fmt::streamed(t));
  }

  auto [a, b] = co_await corio::gather(countdown(ticks, interval, false),
                                       countdown(ticks + 1, interval, false));
  fmt::print("gather:     a={} b={} (both counted down concurrently)\n", a, b);

  try {
    corio::task_group group;
    group.spawn(countdown(ticks * 100, interval, false), "countdown");
    group.spawn([](milliseconds delay) -> corio::awaitable<void> {
      co_await corio::sleep(delay);
      throw std::runtime_error("boom");
    }(interval));
    co_await group.join();
  } catch (const corio::task_group_error& e) {
    fmt::print("task_group: countdown cancelled because a sibling failed: {}\n",
               corio::describe(e.first()));
  }
}
//! [usage]

int run_app(int argc, char** argv) {
  CLI::App app("A user-defined Asio operation (async_initiate) working with corio's "
               "timeout, cancel, gather and task_group.");
  int ticks = 3;
  int interval_ms = 20;
  app.add_option("--ticks", ticks, "ticks per countdown")->check(cli_checks::whole_number(2, 1000));
  app.add_option("--interval-ms", interval_ms, "milliseconds per tick")
      ->check(cli_checks::whole_number(4, 10000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  corio::run(demo(ticks, milliseconds(interval_ms)));
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-own-awaitable", run_app, argc, argv);
}
