// The schedule fuzzer (test/support/schedule_fuzz.hpp): random trees of tasks built
// from seeds (spawn, await, gather, race, task_group, timeouts, queue traffic,
// semaphores, cancellations at random points), run under corio::run() and checked
// against the invariants every schedule must keep. CI runs seeds 1-500 on one loop
// (suite schedule_fuzz) and seeds 1-300 on three loops (schedule_fuzz_loops: remote
// subtrees, channels; under TSan seeds 1-40, the ctest schedule.schedule_fuzz_loops_tsan).
// A long run is
//
//   corio-test-schedule --run_test=schedule_fuzz/seeds -- --seeds 100000 --first 1
//   scripts/schedule-fuzz.sh --seeds 100000          (the same, built for you)
//   scripts/schedule-fuzz.sh --seeds 20000 --loops 3 (multi-loop mode)
//
// Arguments after `--`: --seeds N, --first N, --seed N (replay one seed and print its
// plan), --loops N (multi-loop mode with N loops; schedule_fuzz_loops defaults to 3),
// --print-plan, --trace (every step as it runs), --max-failures N (default 10),
// --fault NAME (plant a fault, see schedule_fuzz.hpp), --real-time (one loop on the real
// clock; by default one loop runs on virtual time, several loops on the real clock).
#include "support/schedule_fuzz.hpp"

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>
#include <corio/task_group.hpp>

#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace fuzz = corio::test::fuzz;

namespace {

struct fuzz_args {
  std::uint64_t first = 1;
  std::uint64_t count = 500; // CI's fixed set
  int loops = 1;
  bool chosen_seeds = false; // --seeds/--first/--seed given: no coverage floor
  bool print_plan = false;
  bool trace = false;
  bool real_time = false; // --real-time: one loop on the real clock, not virtual time
  std::size_t max_failures = 10;
  fuzz::fault inject = fuzz::fault::none;
};

std::string program() {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  return suite.argc > 0 ? suite.argv[0] : "corio-test-schedule";
}

/// The command line of the seeds cases; `defaults` holds the suite's own count and loops.
fuzz_args parse_args(fuzz_args args) {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  for (int i = 1; i < suite.argc; ++i) {
    const std::string_view arg = suite.argv[i];
    const bool has_value = i + 1 < suite.argc;
    auto number = [&] { return std::stoull(suite.argv[++i]); };
    if (arg == "--seeds" && has_value) {
      args.count = number();
      args.chosen_seeds = true;
    } else if (arg == "--first" && has_value) {
      args.first = number();
      args.chosen_seeds = true;
    } else if (arg == "--seed" && has_value) {
      args.first = number();
      args.count = 1;
      args.chosen_seeds = args.print_plan = true;
    } else if (arg == "--loops" && has_value) {
      args.loops = static_cast<int>(number());
      if (args.loops < 1 || args.loops > 64)
        BOOST_FAIL("--loops must be 1 to 64, not " << args.loops);
    } else if (arg == "--max-failures" && has_value) {
      args.max_failures = static_cast<std::size_t>(number());
    } else if (arg == "--print-plan") {
      args.print_plan = true;
    } else if (arg == "--trace") {
      args.trace = true;
    } else if (arg == "--real-time") {
      args.real_time = true;
    } else if (arg == "--fault" && has_value) {
      const auto f = fuzz::fault_from_name(suite.argv[++i]);
      if (!f)
        BOOST_FAIL("unknown --fault " << suite.argv[i]);
      args.inject = *f;
    } else {
      BOOST_FAIL("unknown argument "
                 << arg
                 << "; use --seeds N --first N --seed N --loops N "
                    "--print-plan --max-failures N --fault NAME --trace --real-time");
    }
  }
  return args;
}

/// With several loops a replay rebuilds the same plan, but the loops' threads
/// interleave differently each run: a failure may need a few replays (or --seeds 1
/// in a loop) to show again, and a trace shows one interleaving, not the failing one.
std::string replay_command(std::uint64_t seed, int loops, bool real_time) {
  if (loops == 1)
    return fmt::format("{} --run_test=schedule_fuzz/seeds -- --seed {}{}", program(), seed,
                       real_time ? " --real-time" : "");
  return fmt::format("{} --run_test=schedule_fuzz_loops/seeds -- --seed {} --loops {} (several "
                     "loops: the replay runs the same plan, but not the same thread "
                     "interleaving, so it may pass; repeat it)",
                     program(), seed, loops);
}

/// Ends the process, naming the seed, if one seed runs for a minute: a hang (say in
/// run()'s final drain, where the fuzzer's own watchdog no longer runs) then reports
/// its seed instead of stalling a long run until some outer timeout.
class hang_guard {
public:
  hang_guard() : thread_([this] { watch(); }) {}
  hang_guard(const hang_guard&) = delete;
  hang_guard& operator=(const hang_guard&) = delete;
  ~hang_guard() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }
  void arm(std::uint64_t seed, int loops, bool real_time) {
    loops_ = loops;
    real_time_ = real_time;
    set(seed);
  }
  void disarm() { set(std::nullopt); }

private:
  static constexpr auto limit = std::chrono::seconds(60);

  void set(std::optional<std::uint64_t> seed) {
    {
      const std::lock_guard lock(mutex_);
      seed_ = seed;
      ++generation_;
    }
    changed_.notify_one();
  }
  void watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (!seed_) {
        changed_.wait(lock);
        continue;
      }
      const auto armed = generation_;
      if (changed_.wait_for(lock, limit, [&] { return stopping_ || generation_ != armed; }))
        continue;
      fmt::print(stderr,
                 "schedule fuzzer: seed {} failed: no end after {} s (a hang); replay "
                 "with {}\n",
                 *seed_, limit.count(), replay_command(*seed_, loops_, real_time_));
      std::_Exit(3);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::uint64_t> seed_;
  std::atomic<int> loops_{1};
  std::atomic<bool> real_time_{false};
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(const fuzz::seed_result& result, int loops, bool real_time) {
  const std::string line = fmt::format(
      "schedule fuzzer: seed {} failed: {}{}; replay with {}", result.seed, result.failures.front(),
      result.failures.size() > 1 ? fmt::format(" (+{} more)", result.failures.size() - 1) : "",
      replay_command(result.seed, loops, real_time));
  fmt::print(stderr, "{}\n", line);
  for (std::size_t i = 1; i < result.failures.size(); ++i)
    fmt::print(stderr, "  also: {}\n", result.failures[i]);
  BOOST_ERROR(line);
}

/// Runs the seeds the command line (or `defaults`) names; returns the counts.
fuzz::stats run_seeds(const fuzz_args& args) {
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  fuzz::stats total;
  hang_guard guard;
  std::size_t failed = 0;
  std::uint64_t ran = 0;
  for (std::uint64_t seed = args.first; ran < args.count; ++seed, ++ran) {
    if (args.print_plan)
      fmt::print("{}", fuzz::to_string(fuzz::make_plan(seed, args.loops)));
    guard.arm(seed, args.loops, args.real_time);
    const fuzz::seed_result result = fuzz::run_seed(seed, {.loops = args.loops,
                                                           .inject = args.inject,
                                                           .trace = args.trace,
                                                           .real_time = args.real_time});
    guard.disarm();
    total += result.counts;
    if (!result.ok()) {
      report(result, args.loops, args.real_time);
      if (++failed >= args.max_failures) {
        ++ran;
        break;
      }
    }
    if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(30)) {
      last_progress = std::chrono::steady_clock::now();
      fmt::print("schedule fuzzer: {} seeds run, {} failed, {:.0f} s\n", ran + 1, failed,
                 seconds_since(start));
      std::fflush(stdout);
    }
  }
  fmt::print("schedule fuzzer: seeds {}..{} on {} loop(s): {} run, {} failed, {:.1f} s\n  {}\n",
             args.first, args.first + ran - 1, args.loops, ran, failed, seconds_since(start),
             total.str());
  return total;
}

// The fixed set must keep exercising every branch the checks are about; a change
// that makes the trees degenerate (say, every task cancelled at once) fails here.
void check_coverage(const fuzz::stats& total) {
  BOOST_TEST(total.done > 0u);
  BOOST_TEST(total.failed > 0u);
  BOOST_TEST(total.cancelled > 0u);
  BOOST_TEST(total.never_started > 0u);
  BOOST_TEST(total.items_got > 0u);
  BOOST_TEST(total.items_left > 0u);
  BOOST_TEST(total.holds > 0u);
  BOOST_TEST(total.joins_checked > 0u);
  BOOST_TEST(total.combinators_checked > 0u);
  BOOST_TEST(total.timeouts_fired > 0u);
  BOOST_TEST(total.group_errors > 0u);
  BOOST_TEST(total.shut_down_seen > 0u);
  BOOST_TEST(total.sticky_checks > 0u);
  BOOST_TEST(total.cleanups > 0u);
  BOOST_TEST(total.lost_failures_logged > 0u);
  BOOST_TEST(total.escalations > 0u);
}

/// Each fault of `faults` must be reported (its signature in a failure) within 100 seeds.
void check_faults_reported(const std::vector<fuzz::fault_signature>& faults, int loops) {
  for (const auto& [planted, reported_as] : faults) {
    bool reported = false;
    for (std::uint64_t seed = 1; seed <= 100 && !reported; ++seed)
      for (const auto& failure : fuzz::run_seed(seed, {.loops = loops, .inject = planted}).failures)
        reported = reported || failure.find(reported_as) != std::string::npos;
    BOOST_TEST_INFO("fault " << fuzz::to_string(planted) << " must be reported as '" << reported_as
                             << "' on " << loops << " loop(s)");
    BOOST_TEST(reported);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(schedule_fuzz)

BOOST_AUTO_TEST_CASE(seeds) {
  const fuzz_args args = parse_args({});
  const fuzz::stats total = run_seeds(args);
  if (!args.chosen_seeds)
    check_coverage(total);
}

// Each planted fault imitates one family of library bug (an item lost, a permit
// kept, a frame outliving run(), a wrong value or state, a child outliving its
// parent, a swallowed failure); the checks must report it within a few seeds.
BOOST_AUTO_TEST_CASE(every_planted_fault_is_reported) {
  check_faults_reported(fuzz::fault_signatures(), 1);
}

BOOST_AUTO_TEST_SUITE_END()

// Multi-loop mode (schedule_fuzz.hpp): three loops, remote subtrees, channels, misuse.
BOOST_AUTO_TEST_SUITE(schedule_fuzz_loops)

BOOST_AUTO_TEST_CASE(seeds) {
  const fuzz_args args = parse_args({.count = 300, .loops = 3});
  const fuzz::stats total = run_seeds(args);
  if (args.chosen_seeds || args.loops == 1)
    return;
  check_coverage(total);
  BOOST_TEST(total.remote_starts > 0u);
  BOOST_TEST(total.sent > 0u);
  BOOST_TEST(total.received > 0u);
  BOOST_TEST(total.channel_left > 0u);
  BOOST_TEST(total.closed_seen > 0u);
  BOOST_TEST(total.misuses_refused > 0u);
}

// The families of checks hold across threads too: every fault but lose_item as on one
// loop, and lose_item must be caught on a channel (items received on another loop).
BOOST_AUTO_TEST_CASE(every_planted_fault_is_reported) {
  std::vector<fuzz::fault_signature> faults;
  for (const auto& each : fuzz::fault_signatures())
    faults.push_back(each.injected == fuzz::fault::lose_item
                         ? fuzz::fault_signature{each.injected, "sent are neither received"}
                         : each);
  check_faults_reported(faults, 3);
}

BOOST_AUTO_TEST_SUITE_END()

// Minimal reproductions of what the fuzzer found in lib/ (seed, diagnosis). Each one
// fails until the library is fixed, and none can hang.
namespace {

using namespace std::chrono_literals;

/// Sleeps until cancelled, then fails with `message` instead of ending cancelled.
corio::awaitable<void> fails_when_cancelled(std::string message) {
  bool cancelled = false;
  try {
    co_await corio::sleep(1h);
  } catch (const boost::system::system_error&) {
    cancelled = true;
  }
  if (cancelled)
    throw std::runtime_error(message);
}

corio::awaitable<void> fails_at_once(std::string message) {
  throw std::runtime_error(message);
  co_return;
}

/// A group owner that is cancelled in a sleep before its join(): the group goes
/// (cancelling `child`) while the exception unwinds.
corio::awaitable<void> leave_group_unjoined(corio::awaitable<void> child) {
  corio::task_group group;
  group.spawn(std::move(child));
  co_await corio::sleep(1h);
  co_await group.join();
}

/// Spawns `owner`, lets it start, cancels it and checks it ends cancelled.
corio::awaitable<void> cancel_after_start(corio::awaitable<void> owner) {
  auto t = corio::spawn(std::move(owner));
  for (int i = 0; i < 3; ++i)
    co_await corio::yield_now();
  t.cancel();
  BOOST_CHECK_THROW(co_await t, corio::cancelled_error);
  for (int i = 0; i < 3; ++i)
    co_await corio::yield_now(); // children the owner left behind end now
}

} // namespace

BOOST_AUTO_TEST_SUITE(schedule_fuzz_findings)

// Seeds 10939, 14398 (of the first 20,000): run() hung in its final drain. The drain
// cancels the tasks alive when it starts (task_registry::cancel_all(), once); a task it
// cancelled spawned another before its next suspension, that one was never cancelled,
// and run() waits for every task. Here the late task sleeps 50 ms instead of forever,
// so the bug shows as a late task that ends done rather than as a hang.
BOOST_AUTO_TEST_CASE(a_task_spawned_during_the_final_drain_is_cancelled_too) {
  corio::task<void> late;
  corio::run([](corio::task<void>& late) -> corio::awaitable<void> {
    corio::spawn([](corio::task<void>& late) -> corio::awaitable<void> {
      bool cancelled = false;
      try {
        co_await corio::sleep(1h);
      } catch (const boost::system::system_error&) {
        cancelled = true; // run()'s drain cancelled us
      }
      if (cancelled)
        late = corio::spawn(corio::sleep(50ms));
    }(late));
    co_await corio::yield_now(); // main ends while that task sleeps
  }(late));
  BOOST_TEST_REQUIRE(late.valid());
  BOOST_TEST(late.state() == corio::task_state::cancelled);
}

// Seed 322 and about 1 seed in 80: a task_group child's failure was silently lost
// (DESIGN.md semantics 3). With report_failures, child_set leaves further failures to
// the owner's task_group_error; but when the owner's join() is cancelled (join_children
// rethrows cancelled_error; throw_cancelled() logs only first_failure_) or the group is
// destroyed without a join, nobody reports them, and the child's exception was
// already retrieved, so its task does not log "never retrieved" either.
CORIO_TEST_CASE(a_child_failing_while_the_join_is_cancelled_is_logged) {
  const corio::test::captured_log log;
  co_await cancel_after_start([]() -> corio::awaitable<void> {
    corio::task_group group;
    group.spawn(fails_when_cancelled("boom while the join was cancelled"));
    co_await group.join();
  }());
  BOOST_TEST(log.count("boom while the join was cancelled") >= 1u);
}

CORIO_TEST_CASE(a_child_failing_after_its_group_was_left_is_logged) {
  const corio::test::captured_log log;
  co_await cancel_after_start(leave_group_unjoined(fails_when_cancelled("boom after leaving")));
  BOOST_TEST(log.count("boom after leaving") >= 1u);
}

CORIO_TEST_CASE(a_first_failure_of_a_group_left_without_join_is_logged) {
  const corio::test::captured_log log;
  co_await cancel_after_start(leave_group_unjoined(fails_at_once("boom before leaving")));
  BOOST_TEST(log.count("boom before leaving") >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
