#include <corio/detail/runtime.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_registry.hpp>
#include <corio/log.hpp>

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

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

runtime::runtime()
    : context_(1), registry_(boost::asio::use_service<task_registry>(context_)) {
  if (current_runtime != nullptr)
    throw std::logic_error("corio::run() cannot be called while a corio loop is already running "
                           "on this thread; inside a coroutine use co_await or corio::spawn()");
  current_runtime = this;
}

runtime::~runtime() {
  registry_.on_task_finished = nullptr;
  current_runtime = nullptr;
}

runtime* runtime::current() noexcept { return current_runtime; }

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
  const bool deadlocked = !main.done();
  std::string stuck;
  if (deadlocked)
    stuck = describe_live_tasks(registry_);
  cancel_and_drain();
  if (deadlocked)
    throw std::runtime_error(fmt::format(
        "corio::run: deadlock: the main coroutine is waiting for something that can never happen "
        "(no timer, I/O or other work is pending); tasks waiting:{}",
        stuck));
}

std::size_t runtime::cancel_and_drain() {
  draining_ = true;
  if (!registry_.empty()) {
    registry_.cancel_all();
    if (main_ == nullptr) // driven step by step (tests): stop when the last task ends
      registry_.on_task_finished = [this] {
        if (registry_.empty())
          context_.stop();
      };
    run_loop();
  }
  const std::size_t stuck = registry_.size();
  if (stuck != 0)
    logger().warn("corio::run: {} task(s) could not be cancelled and were abandoned:{}", stuck,
                  describe_live_tasks(registry_));
  // Let finished coroutines complete their last steps (frame teardown).
  context_.restart();
  context_.poll();
  return stuck;
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
