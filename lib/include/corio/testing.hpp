// corio/testing.hpp - Boost.Test cases whose body is a coroutine, run by corio::run on
// virtual time (tokio's #[tokio::test(start_paused = true)], Trio's MockClock).
//
//   #define BOOST_TEST_MODULE my_tests               // in one file, as usual
//   #include <corio/testing.hpp>
//   CORIO_TEST_CASE(retry_gives_up_after_an_hour) {   // an hour of backoff in ~1 ms
//     BOOST_CHECK_THROW(co_await corio::timeout(1h, retry_forever()), corio::timeout_error);
//   }
//   CORIO_TEST_CASE(talks_to_a_real_server, {.virtual_time = false, .loops = 2}) { ... }
//
// CMake: find_package(corio COMPONENTS testing) and link corio::testing (it brings
// Boost.Test; a user who never links it never needs Boost.Test).
//
// Each case runs its body with corio::run under case_options, whose defaults suit tests:
// virtual time (clock.hpp: sleeps, timeouts and deadlines take no wall time; a socket or
// a to_thread() call still waits for real), debug mode (slow steps and tasks that never
// ran are named), run()'s signal handling off (Boost.Test's is left alone). A task
// exception that nobody retrieved ("Task exception was never retrieved") and debug
// mode's "task(s) that never ran" warning fail the case with the logged text, unless
// the case captures corio's log itself (a sink that lowers the other sinks' levels, as
// corio's own tests do, silences this check too). An exception escaping the body fails
// the case as in any Boost.Test case.
//
// Thread-safety: Boost.Test's assertions are for the thread running the case; with
// loops > 1, check on loop 0 (main's loop). Cancellation: the body is corio::run's main
// task; run()'s rules apply (tasks still running when it returns are cancelled and
// drained).
#ifndef CORIO_TESTING_HPP
#define CORIO_TESTING_HPP

#include <corio/awaitable.hpp>
#include <corio/clock.hpp> // corio::now(), advance(): what tests on virtual time use
#include <corio/log.hpp>
#include <corio/run.hpp>
#include <corio/run_options.hpp>

#include <boost/test/unit_test.hpp>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace corio::testing {

/// How CORIO_TEST_CASE runs its body (corio::run_options with test defaults).
struct case_options {
  bool virtual_time = true;
  bool debug = true;
  /// A lost task exception or a task that never ran fails the case.
  bool fail_on_lost_tasks = true;
  std::size_t loops = 1;
  std::size_t thread_pool_size = 0; // 0: run()'s default
  std::chrono::steady_clock::duration slow_step = std::chrono::milliseconds(100);

  run_options to_run_options() const {
    run_options options;
    options.virtual_time = virtual_time;
    options.debug = debug;
    options.loops = loops;
    options.thread_pool_size = thread_pool_size;
    options.slow_step = slow_step;
    options.handle_signals = false;
    return options;
  }
};

namespace detail {

// Keeps what corio logs about lost tasks while a case runs.
class lost_task_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  std::vector<std::string> take() {
    const std::lock_guard lock(mutex_);
    return std::exchange(lost_, {});
  }

private:
  void sink_it_(const spdlog::details::log_msg& message) override {
    const std::string_view text(message.payload.data(), message.payload.size());
    if (text.find("Task exception was never retrieved") != std::string_view::npos ||
        text.find("task(s) that never ran") != std::string_view::npos)
      lost_.emplace_back(text);
  }
  void flush_() override {}

  std::vector<std::string> lost_;
};

// Attaches a lost_task_sink to corio's logger for its lifetime; warnings reach it even
// when the logger was quieter, without reaching the other sinks.
class lost_task_watch {
public:
  lost_task_watch() : sink_(std::make_shared<lost_task_sink>()) {
    auto& log = corio::logger();
    previous_level_ = log.level();
    if (previous_level_ > spdlog::level::warn) {
      for (const auto& sink : log.sinks()) {
        raised_.emplace_back(sink, sink->level());
        sink->set_level(std::max(sink->level(), previous_level_));
      }
      log.set_level(spdlog::level::warn);
    }
    log.sinks().push_back(sink_);
  }
  ~lost_task_watch() {
    auto& log = corio::logger();
    auto& sinks = log.sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    for (const auto& [sink, level] : raised_)
      sink->set_level(level);
    log.set_level(previous_level_);
  }
  lost_task_watch(const lost_task_watch&) = delete;
  lost_task_watch& operator=(const lost_task_watch&) = delete;

  /// Fails the running Boost.Test case once per lost task seen so far.
  void report() {
    for (const auto& message : sink_->take())
      BOOST_ERROR("corio: " << message);
  }

private:
  std::shared_ptr<lost_task_sink> sink_;
  spdlog::level::level_enum previous_level_{};
  std::vector<std::pair<spdlog::sink_ptr, spdlog::level::level_enum>> raised_;
};

} // namespace detail

/// Runs `body` as CORIO_TEST_CASE does (for cases written by hand).
inline void run_case(awaitable<void> body, const case_options& options = {}) {
  if (!options.fail_on_lost_tasks) {
    corio::run(std::move(body), options.to_run_options());
    return;
  }
  detail::lost_task_watch watch;
  try {
    corio::run(std::move(body), options.to_run_options());
  } catch (...) {
    watch.report();
    throw;
  }
  watch.report();
}

/// The options of CORIO_TEST_CASE(name) and CORIO_TEST_CASE(name, {...}).
inline case_options options_of_case(case_options options = {}) {
  return options;
}

} // namespace corio::testing

/// A Boost.Test case whose body is a coroutine: CORIO_TEST_CASE(name) { co_await ...; }
/// or CORIO_TEST_CASE(name, {.virtual_time = false}) with corio::testing::case_options.
#define CORIO_TEST_CASE(name, ...)                                                                 \
  static ::corio::awaitable<void> name##_coroutine();                                              \
  BOOST_AUTO_TEST_CASE(name) {                                                                     \
    ::corio::testing::run_case(name##_coroutine(),                                                 \
                               ::corio::testing::options_of_case(__VA_ARGS__));                    \
  }                                                                                                \
  static ::corio::awaitable<void> name##_coroutine()

#endif // CORIO_TESTING_HPP
