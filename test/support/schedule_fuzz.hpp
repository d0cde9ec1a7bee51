// test/support/schedule_fuzz.hpp - the schedule fuzzer: runs the random task tree of
// one seed (schedule_fuzz_plan.hpp) under corio::run() and checks the invariants that
// must hold whatever the interleaving:
//  - every task ends in exactly one state, the one its coroutine's exit implies (done
//    with its value, failed with its exception, cancelled, or cancelled before its
//    first step), and every awaiter of it saw exactly that;
//  - gather, race, timeout and task_group return or throw what their children's ends
//    imply (the first failure, the first to end, timeout_error only for a deadline);
//  - no child coroutine frame outlives the gather/race/timeout/task_group/await that
//    started or awaited it, and no frame at all outlives run();
//  - queues: every item put was got exactly once, is still queued, or was dropped by
//    shutdown(immediate); none appears twice or from nowhere; unfinished() balances;
//  - semaphores and the mutex: never more holders than the limit, all permits back
//    and nobody waiting at the end;
//  - a failure that leaves a task is observed by an awaiter or logged, never lost;
//  - a cancellation is sticky: after a task catches its own, its next co_await throws.
// Memory leaks are ASan's/LSan's part; the counters above cover coroutine frames.
//
// Multi-loop mode (options::loops > 1; CI: 300 seeds on 3 loops, 40 under TSan): the
// run uses run({.loops = N}) and the plan places subtrees on other loops with
// spawn(loop, ...) (spawned and gathered tasks, children of gather/race/map/timeout,
// top-level nodes), so awaiting, cancelling, timeouts and gathers of remote tasks
// cross threads. Each loop has its own queues, semaphores and mutex, and a node uses
// only its own loop's (a misuse step calls another loop's on purpose and requires
// std::logic_error). Two channel<item>s are shared by all loops (send, try_send,
// receive, try_receive, close, under timeouts and cancelled at random), with the
// queues' accounting: every item sent was received exactly once or is still buffered,
// none from nowhere, and a send that threw (cancelled, timed out, closed) did not
// enqueue. Checks that compare the order in which children ended ("the first failure",
// "the first to end") are relaxed to "one of the children's ends" when a child ran
// on another loop: its end is recorded on another thread, in an order the combinator
// cannot see. Bookkeeping: what a loop owns (its primitives, task handles, counters)
// is touched only by its thread and merged after run(); shared counters are atomics;
// the failure list, the seen exceptions and the timer horizon are under a mutex. A
// data race in the fuzzer is a defect: TSan runs this mode.
//
// Timing: most steps are yield_now() turns, so given a seed the schedule is the same
// run after run. Plans with real sleeps and brief timeouts (plan::timed) may branch
// differently between replays; the invariants hold on every branch. With several loops
// a replay is NOT deterministic: the seed rebuilds the same plan, but the threads
// interleave differently on each run, so a failing seed may need several replays (its
// failure message says so).
#ifndef CORIO_TEST_SUPPORT_SCHEDULE_FUZZ_HPP
#define CORIO_TEST_SUPPORT_SCHEDULE_FUZZ_HPP

#include "support/schedule_fuzz_plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corio::test::fuzz {

/// Bugs the fuzzer can plant in its own bookkeeping, to prove each family of checks
/// can fail (the self-test). Each one imitates a library bug of that family.
enum class fault {
  none,
  lose_item,      // a got item is not recorded: as if get() dropped it
  duplicate_item, // a got item is recorded twice: as if two getters received it
  leak_permit,    // a permit is kept until the end: as if release() lost it
  leak_frame,     // a coroutine frame counter is kept: as if a frame outlived run()
  wrong_value,    // a node returns another value than it records
  misrecord_exit, // a failing node records a normal return: a task in the wrong state
  orphan_child,   // a child node leaves a task behind that outlives its parent
  lose_exception, // an observed failure is not recorded: as if it was swallowed
};

/// "lose_item" -> fault::lose_item; nullopt for an unknown name.
std::optional<fault> fault_from_name(std::string_view name);
const char* to_string(fault f);
/// Every fault but none, and a word its failure report must contain.
struct fault_signature {
  fault injected;
  const char* reported_as;
};
const std::vector<fault_signature>& fault_signatures();

struct options {
  int loops = 1; // > 1: multi-loop mode, run({.loops = loops}) (see the header comment)
  fault inject = fault::none;
  bool trace = false; // print every node's steps and ends to stderr as they happen
  // One loop runs on virtual time (clock.hpp) unless this is set; several loops always
  // run on the real clock (each loop has its own virtual clock, and the fuzzer's timer
  // bookkeeping compares times across loops).
  bool real_time = false;
};

/// Counts summed over seeds, to show what the fuzzer exercised.
struct stats {
  std::uint64_t seeds = 0, timed_seeds = 0, nodes_run = 0, tasks = 0;
  std::uint64_t done = 0, failed = 0, cancelled = 0, never_started = 0;
  std::uint64_t items_put = 0, items_got = 0, items_left = 0, items_dropped = 0;
  std::uint64_t holds = 0, joins_checked = 0, combinators_checked = 0;
  std::uint64_t timeouts_fired = 0, group_errors = 0, shut_down_seen = 0;
  std::uint64_t own_cancellations = 0, sticky_checks = 0, cleanups = 0;
  std::uint64_t lost_failures_logged = 0, escalations = 0;
  // Multi-loop mode:
  std::uint64_t multi_loop_seeds = 0, remote_starts = 0, sent = 0, received = 0;
  std::uint64_t channel_left = 0, closed_seen = 0, misuses_refused = 0;

  stats& operator+=(const stats& other);
  std::string str() const;
};

struct seed_result {
  std::uint64_t seed = 0;
  std::vector<std::string> failures; // broken invariants; empty when all held
  stats counts;
  bool ok() const noexcept { return failures.empty(); }
};

/// Builds the plan of `seed`, runs it under corio::run() and checks it.
seed_result run_seed(std::uint64_t seed, const options& opts = {});

} // namespace corio::test::fuzz

#endif // CORIO_TEST_SUPPORT_SCHEDULE_FUZZ_HPP
