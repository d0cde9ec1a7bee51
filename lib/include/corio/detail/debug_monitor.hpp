// corio/detail/debug_monitor.hpp - debug mode's eye on the loop: times every step
// of every task and names the ones that block the loop.
//
// Design: the runtime owns one monitor per loop when debug mode is on (and none
// when it is off: step_scope then reads no clock at all). Each step is timed on
// the loop thread; a step longer than slow_step is logged when it ends, as
// asyncio does: "Executing <Task pending name='slow'> took 3.002 seconds". A
// watchdog thread looks at the running step every slow_step/4 and warns while a
// step is still blocking the loop (first after slow_step, then every second), so
// a program frozen by a blocking call says so while it is frozen.
//
// Invariants: the stack of running steps (innermost last) is shared with the
// watchdog under one mutex. A task finishing inside its own step leaves its repr
// in its step record before it can be freed, so neither thread reads a dead task.
//
// Thread-safety: step_started, step_finished and task_finishing are called on the
// loop thread; the watchdog runs on its own thread.
#ifndef CORIO_DETAIL_DEBUG_MONITOR_HPP
#define CORIO_DETAIL_DEBUG_MONITOR_HPP

#include <corio/detail/task_ref.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace corio {
enum class task_state;
}

namespace corio::detail {

class task_core_base;

class debug_monitor {
public:
  using clock = std::chrono::steady_clock;

  /// Throws std::invalid_argument when slow_step is not positive.
  explicit debug_monitor(clock::duration slow_step);
  ~debug_monitor();
  debug_monitor(const debug_monitor&) = delete;
  debug_monitor& operator=(const debug_monitor&) = delete;

  clock::duration slow_step() const noexcept { return slow_step_; }

  clock::time_point step_started(const task_core_base* task) noexcept;
  void step_finished(task_ref task, clock::time_point started) noexcept;
  /// `task` is about to finish as `state`, possibly inside its own step.
  void task_finishing(const task_core_base& task, task_state state) noexcept;

private:
  struct running_step {
    const task_core_base* task; // null once it finished (or for a handler of a dead task)
    std::string finished_repr;
    clock::time_point started;
    clock::time_point last_warning;
    bool warned;
  };

  void watch();

  clock::duration slow_step_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<running_step> steps_;
  std::thread watchdog_;
};

/// How many times debug mode has read the clock in this process (tests check that
/// debug off costs no clock reads).
std::uint64_t debug_clock_reads() noexcept;

} // namespace corio::detail

#endif // CORIO_DETAIL_DEBUG_MONITOR_HPP
