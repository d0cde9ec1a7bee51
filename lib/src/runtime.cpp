#include <corio/detail/debug_monitor.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/errors.hpp>
#include <corio/introspection.hpp>
#include <corio/log.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <unistd.h>

namespace corio::detail {

namespace {

thread_local runtime* current_runtime = nullptr;

std::string describe_live_tasks(const task_registry& registry) {
  std::ostringstream out;
  registry.for_each([&out](const task_core_base& core) {
    out << ' ';
    core.print(out);
  });
  return out.str();
}

bool debug_requested_by_environment() {
  const char* value = std::getenv("CORIO_DEBUG");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

} // namespace

runtime::runtime(run_options options)
    : options_(options), context_(1), registry_(boost::asio::use_service<task_registry>(context_)) {
  if (current_runtime != nullptr)
    throw std::logic_error("corio::run() cannot be called while a corio loop is already running "
                           "on this thread; inside a coroutine use co_await or corio::spawn()");
  current_runtime = this;
  if (options_.debug || debug_requested_by_environment()) {
    try {
      start_debug_mode();
    } catch (...) {
      current_runtime = nullptr;
      throw;
    }
  }
}

runtime::~runtime() {
  try {
    join_thread_pool();
  } catch (...) { // a to_thread completion threw while the runtime was going away
    logger().error("corio::run: error while joining the to_thread pool: {}",
                   describe(std::current_exception()));
  }
  registry_.on_task_finished = nullptr;
  dump_signal_.reset();
  this_loop_thread.monitor = nullptr;
  monitor_.reset();
  current_runtime = nullptr;
}

void runtime::start_debug_mode() {
  monitor_ = std::make_unique<debug_monitor>(options_.slow_step);
  this_loop_thread.monitor = monitor_.get();
  dump_signal_ = std::make_unique<boost::asio::signal_set>(context_, SIGUSR1);
  dump_on_signal();
  logger().info("debug mode: steps over {} ms are reported; kill -USR1 {} dumps the tasks",
                std::chrono::duration_cast<std::chrono::milliseconds>(options_.slow_step).count(),
                static_cast<long>(::getpid()));
}

void runtime::dump_on_signal() {
  dump_signal_->async_wait([this](const boost::system::error_code& error, int) {
    if (error)
      return;
    dump_tasks(std::cerr, context_.get_executor());
    dump_on_signal();
  });
}

void runtime::warn_about_tasks_that_never_ran() const {
  std::ostringstream never_ran;
  std::size_t count = 0;
  registry_.for_each([&](const task_core_base& core) {
    if (core.started())
      return;
    ++count;
    never_ran << ' ' << core.repr() << " (spawned at " << core.spawn_site().file_name() << ':'
              << core.spawn_site().line() << ')';
  });
  if (count != 0)
    logger().warn("corio::run is ending with {} task(s) that never ran:{}", count, never_ran.str());
}

runtime* runtime::current() noexcept {
  return current_runtime;
}

void runtime::run_loop() {
  context_.restart();
  for (;;) {
    try {
      context_.run();
      return;
    } catch (const std::exception& e) {
      logger().error("an exception escaped a completion handler and was dropped: {}", e.what());
    } catch (...) {
      logger().error("an exception escaped a completion handler and was dropped");
    }
  }
}

void runtime::run_until_complete(task_core_base& main) {
  main_ = &main;
  registry_.on_task_finished = [this] {
    if (main_->done() && (!draining_ || registry_.empty()))
      context_.stop();
  };
  run_loop();
  // Every co_spawn'ed coroutine holds outstanding work, so run() only returns
  // once the hook above stopped it.
  if (monitor_)
    warn_about_tasks_that_never_ran();
  cancel_and_drain();
  join_thread_pool();
}

boost::asio::thread_pool& runtime::thread_pool() {
  if (!thread_pool_) {
    std::size_t size = options_.thread_pool_size;
    if (size == 0)
      size = std::max<std::size_t>(1, std::thread::hardware_concurrency());
    thread_pool_ = std::make_unique<boost::asio::thread_pool>(size);
  }
  return *thread_pool_;
}

void runtime::join_thread_pool() {
  if (!thread_pool_)
    return;
  // Waits for to_thread() calls still running (their awaiters are gone), then runs
  // the completions they posted, so nothing they hold leaks.
  thread_pool_->join();
  thread_pool_.reset();
  context_.restart();
  context_.poll();
}

std::size_t runtime::cancel_and_drain(std::optional<std::chrono::steady_clock::duration> limit) {
  using clock = std::chrono::steady_clock;
  constexpr auto warning_interval = std::chrono::seconds(1);
  draining_ = true;
  registry_.on_task_finished = [this] {
    if (registry_.empty())
      context_.stop();
  };
  const auto start = clock::now();
  auto next_warning = start + warning_interval;
  if (!registry_.empty())
    registry_.cancel_all();
  while (!registry_.empty()) {
    const auto now = clock::now();
    if (limit && now - start >= *limit)
      break;
    if (now >= next_warning) {
      logger().warn("corio::run: still waiting for {} task(s) to end after cancellation:{}",
                    registry_.size(), describe_live_tasks(registry_));
      next_warning = now + warning_interval;
    }
    auto slice = next_warning - now;
    if (limit)
      slice = std::min(slice, start + *limit - now);
    context_.restart();
    context_.run_for(slice);
  }
  const std::size_t abandoned = registry_.size();
  if (abandoned != 0)
    logger().warn("corio: {} task(s) could not be cancelled and were abandoned:{}", abandoned,
                  describe_live_tasks(registry_));
  // Let finished coroutines complete their last steps (frame teardown).
  context_.restart();
  context_.poll();
  return abandoned;
}

std::size_t runtime::poll() {
  context_.restart();
  return context_.poll();
}

std::size_t runtime::run_one() {
  context_.restart();
  return context_.run_one();
}

} // namespace corio::detail
