// test/support/corio_test.hpp - the helpers every corio test suite shares.
//
//   CORIO_TEST_CASE(sleeping_task_can_be_cancelled) {   // the body is a coroutine
//     auto t = corio::spawn(corio::sleep(1h));            // run by corio::run()
//     t.cancel();
//     BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
//   }
//
// CORIO_TEST_CASE is the installed harness (corio/testing.hpp): virtual time and debug
// mode by default, and a lost task fails the case. A case that needs the wall clock (a
// thread that must act while the loop sleeps, a measured duration) says
// CORIO_TEST_CASE(name, {.virtual_time = false}), or CORIO_TEST_CASE(name, on_real_time).
// The suites of the threads area (real threads acting while the loop waits) use
// on_real_time throughout.
//
// Also: `counted` (counts live instances, to prove lifetimes end), `event_log`
// (records an interleaving to compare against the expected one), and
// `captured_log` (collects what corio writes to its spdlog logger).
#ifndef CORIO_TEST_SUPPORT_CORIO_TEST_HPP
#define CORIO_TEST_SUPPORT_CORIO_TEST_HPP

#include <corio/awaitable.hpp>
#include <corio/errors.hpp>
#include <corio/run.hpp>
#include <corio/testing.hpp>

#include <boost/test/unit_test.hpp>

#include <pthread.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace corio::test {

/// CORIO_TEST_CASE(name, on_real_time): the case runs on the wall clock.
inline constexpr corio::testing::case_options on_real_time{.virtual_time = false};

/// Sleeps `delay`, then returns `value`: a task with a known result and duration.
awaitable<int> value_after(std::chrono::milliseconds delay, int value);

/// Counts live instances (copies and moves included).
struct counted {
  static inline int alive = 0;
  counted() noexcept { ++alive; }
  counted(const counted&) noexcept { ++alive; }
  counted(counted&&) noexcept { ++alive; }
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) = default;
  ~counted() { --alive; }
};

/// Records events in order; str() joins them with spaces for one-line comparisons.
class event_log {
public:
  void operator()(std::string event) { events_.push_back(std::move(event)); }
  std::string str() const;
  const std::vector<std::string>& events() const noexcept { return events_; }

private:
  std::vector<std::string> events_;
};

/// Logs "started", yields once (corio::yield_now), logs "resumed", returns 1: an
/// operation whose one suspension a deadline or a cancellation can cut.
awaitable<int> yield_once(event_log& log);

/// Sleeps an hour; logs "<who> cancelled" (or "cancelled" when `who` is empty) when the
/// sleep is cancelled, and rethrows.
awaitable<void> sleep_logging_cancellation(event_log& log, std::string who = {});

/// Sleeps an hour and returns 1; swallows a cancellation of the sleep and returns -1
/// instead: an operation that ignores being cut.
awaitable<int> sleep_swallowing_cancellation();

/// Awaits `operation`; when a timeout_error or a cancelled_error escapes it, logs
/// "<who> timeout_error" or "<who> cancelled_error" (without the prefix when `who` is
/// empty) and rethrows: which of the two a scope reported, in the event order.
template <typename T>
awaitable<T> logging_how_it_ends(event_log& log, std::string who, awaitable<T> operation) {
  const std::string prefix = who.empty() ? who : who + " ";
  try {
    co_return co_await std::move(operation);
  } catch (const corio::timeout_error&) {
    log(prefix + "timeout_error");
    throw;
  } catch (const corio::cancelled_error&) {
    log(prefix + "cancelled_error");
    throw;
  }
}

/// While alive, every new thread of this process asks for a stack no machine has, so
/// pthread_create fails (EAGAIN) as when a process runs out of threads or memory
/// (glibc's per-process default thread attributes; restored on destruction).
class threads_cannot_start {
public:
  threads_cannot_start();
  ~threads_cannot_start();
  threads_cannot_start(const threads_cannot_start&) = delete;
  threads_cannot_start& operator=(const threads_cannot_start&) = delete;

private:
  pthread_attr_t saved_{};
};

/// While alive, copies every message corio logs at `level` or above.
class captured_log {
public:
  explicit captured_log(int level = 3 /* spdlog::level::warn */);
  ~captured_log();
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;

  std::vector<std::string> messages() const;
  /// How many messages contain `text`.
  std::size_t count(const std::string& text) const;

private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace corio::test

#endif // CORIO_TEST_SUPPORT_CORIO_TEST_HPP
