#include <corio/detail/debug_monitor.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/log.hpp>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace corio::detail {

namespace {

std::atomic<std::uint64_t> clock_reads{0};

debug_monitor::clock::time_point read_clock() noexcept {
  clock_reads.fetch_add(1, std::memory_order_relaxed);
  return debug_monitor::clock::now();
}

double seconds(debug_monitor::clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

constexpr auto repeat_warning = std::chrono::seconds(1);

} // namespace

std::uint64_t debug_clock_reads() noexcept {
  return clock_reads.load(std::memory_order_relaxed);
}

debug_monitor::debug_monitor(clock::duration slow_step) : slow_step_(slow_step) {
  if (slow_step <= clock::duration::zero())
    throw std::invalid_argument(
        fmt::format("corio::run_options::slow_step must be positive, got {} ns",
                    std::chrono::duration_cast<std::chrono::nanoseconds>(slow_step).count()));
  watchdog_ = std::thread([this] { watch(); });
}

debug_monitor::~debug_monitor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  watchdog_.join();
}

debug_monitor::clock::time_point debug_monitor::step_started(const task_core_base* task) noexcept {
  const auto now = read_clock();
  std::lock_guard lock(mutex_);
  steps_.push_back({task, {}, now, {}, false});
  return now;
}

void debug_monitor::step_finished(task_ref task, clock::time_point started) noexcept {
  const auto elapsed = read_clock() - started;
  std::string finished_repr;
  {
    std::lock_guard lock(mutex_);
    finished_repr = std::move(steps_.back().finished_repr);
    steps_.pop_back();
  }
  if (elapsed < slow_step_)
    return;
  try {
    const task_core_base* running = task.get();
    if (running != nullptr)
      finished_repr = running->repr();
    else if (finished_repr.empty())
      finished_repr = "a handler of a finished task";
    logger().warn("Executing {} took {:.3f} seconds", finished_repr, seconds(elapsed));
  } catch (...) { // a failed warning must not take the loop down
  }
}

void debug_monitor::task_finishing(const task_core_base& task, task_state state) noexcept {
  try {
    std::string repr = fmt::format("<Task {} name='{}'>", fmt::streamed(state), task.name());
    std::lock_guard lock(mutex_);
    for (running_step& step : steps_) {
      if (step.task == &task) {
        step.task = nullptr;
        step.finished_repr = repr;
      }
    }
  } catch (...) {
  }
}

void debug_monitor::watch() {
  const auto interval = std::clamp<clock::duration>(slow_step_ / 4, std::chrono::milliseconds(1),
                                                    std::chrono::milliseconds(250));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval);
    if (stopping_ || steps_.empty())
      continue;
    running_step& step = steps_.back();
    const auto now = read_clock();
    if (now - step.started < slow_step_ ||
        (step.warned && now - step.last_warning < repeat_warning))
      continue;
    step.warned = true;
    step.last_warning = now;
    // The task cannot finish (or be freed) while we hold the lock: task_finishing
    // takes it first.
    const std::string name = step.task != nullptr ? step.task->repr() : step.finished_repr;
    logger().warn("the loop is blocked: {} has been running for {:.3f} seconds without "
                  "reaching a co_await (a blocking call in a coroutine?)",
                  name.empty() ? std::string("a handler of a finished task") : name,
                  seconds(now - step.started));
  }
}

} // namespace corio::detail
