#include <corio/detail/runtime.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/log.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <thread>

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

} // namespace

runtime::runtime(run_options options)
    : options_(options), context_(1), registry_(boost::asio::use_service<task_registry>(context_)) {
  if (current_runtime != nullptr)
    throw std::logic_error("corio::run() cannot be called while a corio loop is already running "
                           "on this thread; inside a coroutine use co_await or corio::spawn()");
  current_runtime = this;
}

runtime::~runtime() {
  join_thread_pool();
  registry_.on_task_finished = nullptr;
  current_runtime = nullptr;
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
