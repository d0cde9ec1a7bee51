// test/support/schedule_fuzz_plan.hpp - what the schedule fuzzer runs for one seed: a
// random tree of task nodes, built from the seed alone before anything runs, so that a
// printed seed always rebuilds the same tree (schedule_fuzz.hpp runs and checks it).
//
// A node is a coroutine that performs its steps in order: leaf steps (yield, sleep,
// queue traffic, holding a semaphore or the mutex, cancelling a task, failing) and
// steps that run child nodes (spawn and later await or cancel them, call inline,
// gather, race, task_group, timeout, gather of spawned tasks). Every random choice is
// made here; the run itself only picks "which live task" from an index drawn here.
//
// Multi-loop plans (make_plan(seed, loops) with loops > 1) give every node a loop.
// A child run in its parent's task (call, a hold's child, a task_group child) stays on
// its parent's loop; a spawned child, a child of gather/race/map/timeout and a
// top-level node may be placed on another loop (spawn(loop, ...)). A node uses only
// the queues, semaphores and mutex of its own loop; the steps send/receive/try_*/
// close on the channels cross loops, and a misuse step calls a primitive of another
// loop on purpose (expecting std::logic_error). With loops == 1 the plan is exactly
// the single-loop plan of that seed (no extra random draws).
#ifndef CORIO_TEST_SUPPORT_SCHEDULE_FUZZ_PLAN_HPP
#define CORIO_TEST_SUPPORT_SCHEDULE_FUZZ_PLAN_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

namespace corio::test::fuzz {

enum class step_kind {
  yield,          // yield_now() `count` times
  sleep,          // sleep(duration)
  put,            // queue `target`: put(item), maybe under a timeout
  try_put,        // queue `target`: try_put(item)
  get,            // queue `target`: get(), maybe under a timeout
  try_get,        // queue `target`: try_get()
  hold,           // semaphore / bounded_semaphore / mutex `target`: acquire, hold, release
  shutdown_queue, // queue `target`: shutdown(immediate)
  cancel_any,     // cancel the live-or-not task number `target` (modulo; 3 tasks at least)
  fail,           // end the node with a failure now
  spawn,          // spawn child[0] and keep the handle
  await_kept,     // co_await kept handle `target` (modulo)
  shield_kept,    // co_await shield(kept handle `target`)
  cancel_kept,    // kept handle `target`.cancel()
  drop_kept,      // forget kept handle `target` (the task runs on, detached)
  call,           // co_await child[0] inline, in this task
  gather,         // co_await gather(children...) (1 to 3)
  map,            // co_await map_concurrent(children, limit `count`, start the node)
  race,           // co_await race(children...) (1 to 3)
  group,          // task_group: spawn children, join
  timeout,        // co_await timeout(duration, child[0]), or another scope_form
  gather_tasks,   // spawn children, co_await gather(vector of their handles)
  // Multi-loop plans only:
  send,          // channel `target`: send(item), maybe under a timeout
  try_send,      // channel `target`: try_send(item)
  receive,       // channel `target`: receive(), maybe under a timeout
  try_receive,   // channel `target`: try_receive()
  close_channel, // channel `target`: close()
  misuse,        // a primitive of another loop (`target`): must throw std::logic_error
};

/// Which scope a timeout step puts around its child (cancel_scope.hpp). Read from the
/// step's `target`, which a timeout step does not otherwise use, so plans drawn before
/// the scopes existed are unchanged.
enum class scope_form {
  timeout,        // timeout(d, child)
  timeout_at,     // timeout_at(now + d, child)
  move_on_after,  // move_on_after(d, child): empty when cut
  nested_move_on, // timeout_at(now + d, cancel_scope{}.move_on(child)): the outer cuts
};
constexpr int scope_form_count = 4;

/// How a blocking operation is bounded: not at all, by timeout(0), by a short real
/// timeout (`duration`), or by a timeout that never fires (1 h).
enum class wait_bound { none, zero, brief, forever };

/// How a hold step acquires: acquire()/lock(), under a timeout, try_*(), or
/// acquire() + release() by hand (semaphores only).
enum class acquire_mode { blocking, bounded, attempt, manual };

struct step {
  step_kind kind = step_kind::yield;
  int target = 0;
  int item = -1; // put/try_put: the id of the item put
  int count = 0; // yield: how many; hold: yields while holding; map: the limit;
                 // await_kept/shield_kept: 2 = from two child tasks at once
  wait_bound wait = wait_bound::none;
  acquire_mode acquire = acquire_mode::blocking;
  bool immediate = false;     // shutdown_queue
  bool yield_between = false; // group/gather_tasks: yield after each spawn
  std::chrono::microseconds duration{0};
  std::vector<int> children; // node ids
};

/// What a node does when its own task's cancellation reaches one of its steps.
enum class on_cancel {
  escape,          // let it escape: the node ends cancelled
  swallow_return,  // return the node's value (a task ends done)
  check_sticky,    // check that the next suspension throws again, then escape
  cleanup_rethrow, // enter_cleanup(), shielded(cleanup steps), sticky again, rethrow
  cleanup_return,  // enter_cleanup(), shielded(cleanup steps), sticky again, return
  convert,         // end with a failure of its own instead
};

struct node_plan {
  int id = 0;
  int depth = 0;
  int loop = 0; // the loop the node runs on (its task's loop)
  std::vector<step> steps;
  std::vector<step> cleanup; // run under shielded() by the cleanup policies
  on_cancel cancel_policy = on_cancel::escape;
  bool fail_on_error = false;          // a step's failure ends the node with its own
  bool foreign_cancel_escapes = false; // a cancellation that is not its own escapes
  bool fail_at_end = false;            // fail after the last step instead of returning
};

constexpr int queue_count = 3;    // 0 queue, 1 lifo_queue, 2 priority_queue
constexpr int lockable_count = 3; // 0 semaphore, 1 bounded_semaphore, 2 mutex
constexpr int channel_count = 2;  // shared by every loop

struct plan {
  std::uint64_t seed = 0;
  int loops = 1; // run({.loops = loops}); > 1: a multi-loop plan
  std::vector<node_plan> nodes;
  std::vector<int> top_level; // nodes main spawns, root first
  std::array<int, queue_count> queue_maxsize{};
  std::array<int, lockable_count> lockable_limit{};  // the mutex's is 1
  std::array<int, channel_count> channel_capacity{}; // multi-loop plans
  int items = 0;                                     // item ids are 0 .. items-1, one per put step
  bool timed = false;                                // real sleeps and brief timeouts may occur
  bool immediate_shutdown = false;                   // how the watchdog shuts the queues down
  bool main_waits_for_all = false;                   // else run()'s final drain ends what is left
};

/// The tree for `seed` on `loops` loops; the same arguments always give the same plan.
plan make_plan(std::uint64_t seed, int loops = 1);

/// The scope of a timeout step.
scope_form form_of(const step& s);

/// Steps on a channel (send, try_send, receive, try_receive, close_channel).
bool is_channel_step(step_kind kind);

/// One line per node and per step, indented by depth, for replays.
std::string to_string(const plan& p);
const char* to_string(step_kind kind);

/// names[value] for an enum whose enumerators count from 0; "?" past the end.
template <typename Enum, typename Names>
const char* name_in(const Names& names, Enum value) {
  const auto index = static_cast<std::size_t>(value);
  return index < std::size(names) ? names[index] : "?";
}

/// The value node `id` returns when it ends normally.
constexpr int node_value(int id) {
  return id * 10 + 7;
}

} // namespace corio::test::fuzz

#endif // CORIO_TEST_SUPPORT_SCHEDULE_FUZZ_PLAN_HPP
