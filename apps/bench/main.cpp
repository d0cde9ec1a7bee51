// corio-bench: coroutines against threads, and corio against raw Asio, side by side,
// on whatever machine runs it (issue 5).
//
//   $ corio-bench --quick                    # a smoke run, under a minute
//   $ corio-bench --json bench.jsonl --plot docs/images   # the full run, ~5 minutes
//   $ corio-bench --only fan-out --impl corio,raw-asio,pool-64
//
// Every workload runs with every implementation in the same run. Each measurement
// runs in a child process of its own (the bench re-executes itself with --child), so
// its peak RSS (wait4's ru_maxrss) is its own; each is repeated --reps times, the
// repetitions interleaved across implementations; the table quotes medians and
// shows the spread (min..max) of each row's main figure.
//
// Workloads (each family file says exactly what it measures):
//   spawn-join      tasks.cpp       N tasks return i, all awaited and summed; ns, heap
//                                   allocations and bytes per task, cold and warm
//   idle            tasks.cpp       N tasks sleep at once; bytes per waiting task
//   ping-pong       ping_pong.cpp   N round trips through two queues of capacity 1
//   fan-out         fan_out.cpp     N GETs to corio-flags-server --delay 0.1
//   cancel          latency.cpp     cancel() to the waiter's resumption (sleep, queue get)
//   timer-lateness  latency.cpp     lateness of N random sleeps, p50 and p99
//   debug-mode      debug_mode.cpp  ns per resumption with corio's debug mode off and on
//   parallel        loops.cpp       N tasks of ~50 us of CPU spread over 1, 2, ... loops
//   spawn-remote    loops.cpp       spawn on another loop + await, against the same loop
//   async-generator generators.cpp  ns per item pulled: async_generator::next(), a
//                                   corio::queue(1) hand-off, a synchronous generator
// Many loops (issue 17): corio-loops-L runs corio::run(..., {.loops = L}) and spreads
// its tasks with spawn(corio::next_loop(), ...); "corio" is always one loop. The
// fan-out also has raw-asio-threads-T (one io_context run by T threads), the
// ping-pong corio-channel (corio::channel on one loop) and corio-channel-loops-2 (the
// two tasks on two loops); --server-loops sets the fan-out's server's --loops.
// Implementations: corio; raw-asio (co_spawn, steady_timer, experimental::channel on
// the same executor type: the floor a thin wrapper is judged against); threads
// (std::thread; a mutex + condition_variable queue); for the fan-out also
// corio-limit-64 (a corio::semaphore), pool-8/64/512 (P threads doing blocking I/O)
// and thread-per-request.
//
// Output: the table (with ratio columns corio/raw and vs corio), the check against
// issue 5's targets, notes (skipped measurements, limits raised); --json FILE writes
// one JSON object per row and line; --plot DIR draws PNG charts with gnuplot.
// Exit status: 0, or 1 when a measurement failed, or 2 for bad options.
#include "bench.hpp"
#include "process.hpp"
#include "report.hpp"

#include "app_main.hpp"
#include "cli_checks.hpp"
#include "flags_common.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <thread>

namespace {

using bench::child_args;
using bench::record;
using bench::row;

constexpr std::array<std::string_view, 10> workload_names = {
    "spawn-join",     "idle",       "ping-pong", "fan-out",      "cancel",
    "timer-lateness", "debug-mode", "parallel",  "spawn-remote", "async-generator"};
const std::vector<std::string> trio = {"corio", "raw-asio", "threads"};

std::size_t hardware_threads() {
  return std::max(1U, std::thread::hardware_concurrency());
}

// The many-loops rows (issue 17): 2, 3, ... loops, up to the hardware threads (at
// least 2, so that a one-core machine shows what a second loop costs there).
std::vector<std::string> many(std::string_view prefix) {
  std::vector<std::string> impls;
  for (std::size_t loops = 2; loops <= std::max<std::size_t>(2, hardware_threads()); ++loops)
    impls.push_back(fmt::format("{}{}", prefix, loops));
  return impls;
}

std::vector<std::string> fan_out_impls() {
  std::vector<std::string> impls = {"corio"};
  for (const std::string& impl : many("corio-loops-"))
    impls.push_back(impl);
  impls.insert(impls.end(), {"corio-limit-64", "raw-asio"});
  for (const std::string& impl : many("raw-asio-threads-"))
    impls.push_back(impl);
  impls.insert(impls.end(), {"pool-8", "pool-64", "pool-512", "thread-per-request"});
  return impls;
}

// The sizes of a run.
struct scale {
  std::size_t tasks;   // spawn-join, idle: coroutine tasks
  std::size_t threads; // spawn-join, idle: threads
  double idle_sleep;
  std::size_t trips; // ping-pong
  std::vector<std::size_t> fan_out_n;
  double delay; // the flags server's --delay
  std::size_t cancels;
  std::size_t sleeps; // timer-lateness
  double max_sleep;
  std::size_t resumptions;   // debug-mode
  std::size_t crunches;      // parallel
  std::size_t remote_spawns; // spawn-remote
  std::size_t items;         // async-generator
};

const scale full_scale{100'000, 10'000,  1.0,    200'000, {100, 1'000, 5'000, 10'000},
                       0.1,     10'000,  10'000, 0.5,     1'000'000,
                       20'000,  100'000, 200'000};
const scale quick_scale{10'000, 500, 0.2,     10'000, {50, 200}, 0.02,  500,
                        1'000,  0.1, 100'000, 400,    2'000,     10'000};

struct options {
  bool quick = false;
  std::size_t reps = 0; // 0: 3, or 1 with --quick
  std::vector<std::string> only;
  std::vector<std::string> impls;
  std::string json_path;
  std::string plot_dir;
  std::string server_path;
  std::size_t server_loops = 1;
  double max_predicted = 20;
  bool child = false;
  child_args args; // --child: the measurement
};

// ------------------------------------------------------------------ the plan
struct measurement {
  child_args args;
  double predicted_s = 0; // a lower bound of the child's run time, where one is known
};

struct group {
  std::string workload;
  std::vector<measurement> items; // one repetition, in the order they run
};

bool selected(const std::vector<std::string>& filter, std::string_view name) {
  return filter.empty() || std::find(filter.begin(), filter.end(), name) != filter.end();
}

rlim_t open_file_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

group plan_workload(std::string_view workload, const scale& s, const options& opts,
                    std::vector<std::string>& notes) {
  group g{std::string(workload), {}};
  const auto add = [&](const std::string& impl, std::size_t n, const std::string& variant,
                       double seconds, double predicted) {
    if (selected(opts.impls, impl))
      g.items.push_back(
          {{g.workload, impl, variant, n, seconds, {}, {}, opts.server_loops}, predicted});
  };
  const auto tasks_or_threads = [&s](const std::string& impl) {
    return impl == "threads" ? s.threads : s.tasks;
  };
  if (workload == "spawn-join") {
    for (const auto& impl : trio)
      add(impl, tasks_or_threads(impl), {}, 0, 0);
  } else if (workload == "idle") {
    // raw-asio-lean: raw Asio's coroutines on io_context::executor_type (issue 18)
    for (const std::string impl : {"corio", "raw-asio", "raw-asio-lean", "threads"}) {
      add(impl, tasks_or_threads(impl), {}, s.idle_sleep, s.idle_sleep);
      add(impl, 0, {}, s.idle_sleep, 0); // the baseline
    }
  } else if (workload == "ping-pong") {
    for (const std::string impl :
         {"corio", "corio-channel", "corio-channel-loops-2", "raw-asio", "threads"})
      add(impl, s.trips, {}, 0, 0);
  } else if (workload == "fan-out") {
    for (const std::size_t n : s.fan_out_n) {
      if (n + 100 > open_file_limit()) {
        notes.push_back(
            fmt::format("fan-out N={} skipped: the open-file limit is {}", n, open_file_limit()));
        continue;
      }
      for (const auto& impl : fan_out_impls()) {
        std::size_t in_flight = n;
        for (const std::string_view prefix : {"pool-", "corio-limit-"})
          if (impl.starts_with(prefix))
            in_flight = std::stoul(impl.substr(prefix.size()));
        const double predicted = static_cast<double>((n + in_flight - 1) / in_flight) * s.delay;
        if (predicted > opts.max_predicted && selected(opts.impls, impl)) {
          notes.push_back(fmt::format("fan-out {} at N={} skipped: it would take at least "
                                      "{:.1f} s (N / {} x {} s; --max-predicted {})",
                                      impl, n, predicted, in_flight, s.delay, opts.max_predicted));
          continue;
        }
        add(impl, n, {}, s.delay, predicted);
      }
    }
  } else if (workload == "cancel") {
    for (const std::string variant : {"sleep", "queue-get"})
      for (const auto& impl : trio)
        add(impl, s.cancels, variant, 0, 0);
  } else if (workload == "timer-lateness") {
    for (const auto& impl : trio)
      add(impl, s.sleeps, {}, s.max_sleep, s.max_sleep);
  } else if (workload == "debug-mode") {
    if (!bench::debug_mode_available()) {
      notes.push_back("debug-mode skipped: this build's corio::run_options has no `debug` field");
      return g;
    }
    for (const std::string impl : {"corio", "corio-debug", "raw-asio"})
      add(impl, s.resumptions, {}, 0, 0);
  } else if (workload == "parallel") {
    add("corio", s.crunches, {}, 0, 0);
    for (const std::string& impl : many("corio-loops-"))
      add(impl, s.crunches, {}, 0, 0);
  } else if (workload == "spawn-remote") {
    for (const std::string impl : {"corio", "corio-loops-2"})
      add(impl, s.remote_spawns, {}, 0, 0);
  } else if (workload == "async-generator") {
    for (const std::string impl : {"corio", "corio-queue", "generator"})
      add(impl, s.items, {}, 0, 0);
  }
  return g;
}

// ------------------------------------------------------------------ the child
std::vector<record> run_child(const child_args& args) {
  using family = std::vector<record> (*)(const child_args&);
  constexpr std::array<std::pair<std::string_view, family>, workload_names.size()> families = {{
      {"spawn-join", bench::run_spawn_join},
      {"idle", bench::run_idle},
      {"ping-pong", bench::run_ping_pong},
      {"fan-out", bench::run_fan_out},
      {"cancel", bench::run_cancel},
      {"timer-lateness", bench::run_timer_lateness},
      {"debug-mode", bench::run_debug_mode},
      {"parallel", bench::run_parallel},
      {"spawn-remote", bench::run_spawn_remote},
      {"async-generator", bench::run_async_generator},
  }};
  for (const auto& [name, run] : families)
    if (name == args.workload)
      return run(args);
  throw std::invalid_argument("unknown workload " + args.workload);
}

// The child's defaults are the plan's: --n and --seconds as the full (or quick) run.
bool fill_child_defaults(options& opts, bool n_given, bool seconds_given) {
  child_args& args = opts.args;
  if (args.workload == "cancel" && args.variant.empty())
    args.variant = "sleep";
  std::vector<std::string> ignored;
  options all = opts;
  all.impls.clear();
  all.max_predicted = 1e9;
  const group g = plan_workload(args.workload, opts.quick ? quick_scale : full_scale, all, ignored);
  for (const measurement& m : g.items)
    if (m.args.impl == args.impl && m.args.variant == args.variant && m.args.n > 0) {
      args.n = n_given ? args.n : m.args.n;
      args.seconds = seconds_given ? args.seconds : m.args.seconds;
      return true;
    }
  return n_given;
}

int child_main(options& opts, bool n_given, bool seconds_given) {
  if (opts.only.size() != 1 || opts.impls.size() != 1) {
    fmt::print(stderr, "corio-bench: --child runs one measurement: give one --only WORKLOAD "
                       "and one --impl IMPL\n");
    return 2;
  }
  opts.args.workload = opts.only.front();
  opts.args.impl = opts.impls.front();
  opts.args.server_path = opts.server_path;
  opts.args.server_loops = opts.server_loops;
  if (n_given && opts.args.n == 0 && opts.args.workload != "idle") {
    fmt::print(stderr, "corio-bench: --n 0 is only meaningful for idle (its baseline)\n");
    return 2;
  }
  if (!fill_child_defaults(opts, n_given, seconds_given)) {
    fmt::print(stderr, "corio-bench: no default size for {} with {}: give --n\n",
               opts.args.workload, opts.args.impl);
    return 2;
  }
  try {
    for (const record& r : run_child(opts.args))
      fmt::print("{}\n", r.json());
    return 0;
  } catch (const bench::unknown_impl& error) {
    fmt::print(stderr, "corio-bench: {} has no implementation '{}'\n", opts.args.workload,
               error.impl);
    return 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "corio-bench: {} {}: {}\n", opts.args.workload, opts.args.impl,
               error.what());
    return 1;
  }
}

// ------------------------------------------------------------------ the parent
class runner {
public:
  runner(const options& opts, std::size_t total) : opts_(opts), total_(total) {}

  /// Runs every repetition of `g`; returns its rows (failures included).
  std::vector<row> run(const group& g, std::size_t reps, double delay) {
    std::vector<row> rows;
    std::unique_ptr<bench::flags_server> server;
    std::string server_error;
    if (g.workload == "fan-out" && !g.items.empty()) {
      try {
        server = std::make_unique<bench::flags_server>(
            opts_.server_path.empty() ? bench::default_flags_server_path() : opts_.server_path,
            delay, opts_.server_loops);
      } catch (const std::exception& error) {
        server_error = error.what();
      }
    }
    for (std::size_t rep = 1; rep <= reps; ++rep)
      for (const measurement& m : g.items) {
        show_progress(m.args, rep, reps);
        std::string failure = server_error;
        std::vector<record> samples;
        const double server_cpu_before = server ? server->cpu_seconds() : 0;
        if (failure.empty())
          samples = measure(m, server ? server->url() : std::string(), failure);
        for (record& sample : samples)
          if (server)
            sample.set("server_cpu_s", server->cpu_seconds() - server_cpu_before);
        for (const record& sample : samples)
          bench::row_for(rows, sample).samples.push_back(sample);
        if (!failure.empty()) {
          failed_ = true;
          bench::row_for(rows, bench::make_record(m.args, 0, 0)).failure = failure;
        }
      }
    clear_progress();
    return rows;
  }

  bool failed() const { return failed_; }

private:
  std::vector<record> measure(const measurement& m, const std::string& server_url,
                              std::string& failure) {
    const child_args& a = m.args;
    std::vector<std::string> argv = {bench::self_path(),
                                     "--child",
                                     "--only",
                                     a.workload,
                                     "--impl",
                                     a.impl,
                                     "--n",
                                     std::to_string(a.n),
                                     "--seconds",
                                     fmt::format("{}", a.seconds)};
    if (!a.variant.empty())
      argv.insert(argv.end(), {"--variant", a.variant});
    if (!server_url.empty())
      argv.insert(argv.end(), {"--server-url", server_url});
    if (a.workload == "fan-out")
      argv.insert(argv.end(), {"--server-loops", std::to_string(a.server_loops)});
    bench::process child(argv);
    const auto limit = std::chrono::seconds(120 + static_cast<int>(3 * m.predicted_s));
    const bench::exit_report report = child.wait(limit);
    if (!report.ok()) {
      failure = report.describe();
      return {};
    }
    std::vector<record> samples;
    std::size_t start = 0;
    for (std::size_t end; (end = report.out.find('\n', start)) != std::string::npos;
         start = end + 1) {
      std::string error;
      auto sample = record::parse(std::string_view(report.out).substr(start, end - start), error);
      if (!sample) {
        failure = "unreadable output: " + error;
        return {};
      }
      sample->set("rss_kb", static_cast<double>(report.max_rss_kb));
      sample->set("cpu_s", report.cpu_s);
      samples.push_back(std::move(*sample));
    }
    if (samples.empty())
      failure = "no output";
    return samples;
  }

  void show_progress(const child_args& a, std::size_t rep, std::size_t reps) {
    ++done_;
    if (isatty(STDERR_FILENO) == 0)
      return;
    fmt::print(stderr, "\r\033[K[{}/{}] {} {}{} n={} (repetition {}/{})", done_, total_, a.workload,
               a.variant.empty() ? "" : a.variant + " ", a.impl, a.n, rep, reps);
    std::fflush(stderr);
  }
  static void clear_progress() {
    if (isatty(STDERR_FILENO) != 0)
      fmt::print(stderr, "\r\033[K");
  }

  const options& opts_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool failed_ = false;
};

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return file ? fmt::format("{} {} {}", one, five, fifteen) : "unknown";
}

// Physical cores: distinct (physical id, core id) pairs in /proc/cpuinfo.
std::size_t core_count() {
  std::ifstream file("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string physical = "0";
  for (std::string line; std::getline(file, line);) {
    const auto value = [&line] { return line.substr(line.find(':') + 1); };
    if (line.starts_with("physical id"))
      physical = value();
    else if (line.starts_with("core id"))
      cores.emplace(physical, value());
  }
  return cores.empty() ? hardware_threads() : cores.size();
}

std::string build_description() {
  std::string text = CORIO_BENCH_BUILD_TYPE;
#if defined(__SANITIZE_ADDRESS__)
  text += " + ASan";
#elif defined(__SANITIZE_THREAD__)
  text += " + TSan";
#endif
  return text;
}

int parent_main(const options& opts) {
  const scale& s = opts.quick ? quick_scale : full_scale;
  const std::size_t reps = opts.reps > 0 ? opts.reps : (opts.quick ? 1 : 3);
  std::vector<std::string> notes;
  const rlim_t files_before = open_file_limit();
  flags::raise_open_file_limit("corio-bench");
  if (open_file_limit() > files_before)
    notes.push_back(fmt::format("open files: the soft limit was raised from {} to {}", files_before,
                                open_file_limit()));

  std::vector<group> plan;
  std::size_t total = 0;
  for (const std::string_view workload : workload_names)
    if (selected(opts.only, workload)) {
      plan.push_back(plan_workload(workload, s, opts, notes));
      total += plan.back().items.size() * reps;
    }

  fmt::print("corio-bench: {} build, {} hardware threads on {} cores, load average {} at the "
             "start, open-file limit {}\n",
             build_description(), hardware_threads(), core_count(), load_average(),
             open_file_limit());
  fmt::print("loops: corio and every corio-limit-L row run on 1 loop, corio-loops-L on L; "
             "the fan-out's server runs on {}\n",
             opts.server_loops == 0
                 ? fmt::format("{} loops (--server-loops 0)", hardware_threads())
                 : fmt::format("{} loop{}", opts.server_loops, opts.server_loops == 1 ? "" : "s"));
  fmt::print("each measurement runs in its own process, {} time{}; figures are medians, "
             "spread = min..max\n",
             reps, reps == 1 ? "" : "s");
  if (opts.quick)
    fmt::print("--quick: small sizes; a smoke test of the bench, not a measurement\n");
  std::fflush(stdout);

  runner run(opts, total);
  std::vector<row> all;
  for (const group& g : plan) {
    std::vector<row> rows = run.run(g, reps, s.delay);
    bench::derive_idle_memory(rows);
    bench::summarize(rows);
    bench::print_table(stdout, rows);
    std::fflush(stdout);
    all.insert(all.end(), rows.begin(), rows.end());
  }
  bench::print_targets(stdout, all);
  int status = run.failed() ? 1 : 0;
  if (!opts.plot_dir.empty()) {
    try {
      notes.push_back(bench::draw_plots(all, opts.plot_dir));
    } catch (const std::exception& error) {
      notes.push_back(fmt::format("no charts: {}", error.what()));
      status = 1;
    }
  }
  if (!opts.json_path.empty()) {
    std::ofstream file(opts.json_path);
    file << bench::json_lines(all);
    if (!file.flush()) {
      notes.push_back(fmt::format("cannot write {}", opts.json_path));
      status = 1;
    }
  }
  notes.push_back(fmt::format("load average at the end: {} (the thread workloads raise it "
                              "themselves)",
                              load_average()));
  fmt::print("\nnotes\n");
  for (const std::string& note : notes)
    fmt::print("  {}\n", note);
  return status;
}

CLI::Validator impl_name() {
  return CLI::Validator(
      [](const std::string& name) {
        static const std::regex known(
            "corio|corio-debug|raw-asio|threads|thread-per-request|pool-[1-9][0-9]*|"
            "corio-limit-[1-9][0-9]*|corio-loops-[1-9][0-9]*|raw-asio-threads-[1-9][0-9]*|"
            "corio-channel|corio-channel-loops-2|corio-queue|generator|raw-asio-lean");
        return std::regex_match(name, known) ? std::string()
                                             : fmt::format("unknown implementation '{}'", name);
      },
      "IMPL");
}

int run_app(int argc, char** argv) {
  CLI::App app{"corio-bench: coroutines against threads and corio against raw Asio, side by "
               "side (issue 5)"};
  options opts;
  app.add_flag("--quick", opts.quick, "a sub-minute smoke run: small sizes, 1 repetition");
  app.add_option("--reps", opts.reps, "repetitions of each measurement (default 3; --quick 1)")
      ->check(cli_checks::whole_number(1, 100));
  app.add_option("--only", opts.only, "run only these workloads (comma-separated)")
      ->delimiter(',')
      ->check(
          CLI::IsMember(std::vector<std::string>(workload_names.begin(), workload_names.end())));
  app.add_option("--impl", opts.impls,
                 "run only these implementations (comma-separated): corio, raw-asio, threads, "
                 "corio-limit-64, pool-8, pool-64, pool-512, thread-per-request, corio-debug, "
                 "corio-loops-2, raw-asio-threads-2, corio-channel, corio-channel-loops-2, "
                 "corio-queue, generator, raw-asio-lean")
      ->delimiter(',')
      ->check(impl_name());
  app.add_option("--json", opts.json_path, "also write one JSON object per row and line to FILE");
  app.add_option("--plot", opts.plot_dir, "draw PNG charts into DIR (needs gnuplot)");
  app.add_option("--flags-server", opts.server_path,
                 "corio-flags-server for the fan-out (default: next to corio-bench)");
  cli_checks::add_loops_option(app, opts.server_loops, "fan-out: the flags server's --loops",
                               "--server-loops");
  app.add_option("--max-predicted", opts.max_predicted,
                 "skip fan-out measurements that would take longer, in seconds")
      ->check(cli_checks::number(0.001, 86400, "seconds"))
      ->capture_default_str();
  auto* child = app.add_flag("--child", opts.child,
                             "run one measurement in this process and print its JSON lines "
                             "(what the parent runs; the way to profile one measurement)");
  auto* n_option = app.add_option("--n", opts.args.n, "with --child: the size N")
                       ->check(cli_checks::whole_number(0))
                       ->needs(child);
  app.add_option("--variant", opts.args.variant, "with --child: cancel's wait, sleep or queue-get")
      ->check(CLI::IsMember({"sleep", "queue-get"}))
      ->needs(child);
  auto* seconds_option =
      app.add_option("--seconds", opts.args.seconds,
                     "with --child: idle's sleep, timer-lateness's longest sleep, the fan-out "
                     "server's delay")
          ->check(cli_checks::number(0, 3600, "seconds"))
          ->needs(child);
  app.add_option("--server-url", opts.args.server_url,
                 "with --child, fan-out: a running corio-flags-server (default: start one)")
      ->needs(child);
  app.footer(
      R"(Profiling one measurement: --child runs it in this process (defaults: the full run's sizes,
or --quick's) and prints its JSON lines, e.g.
  valgrind --tool=callgrind corio-bench --child --only spawn-join --impl corio --n 20000
  perf record -g corio-bench --child --only ping-pong --impl corio)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }
  // CORIO_DEBUG=1 would turn debug mode on in every corio row: each row must measure
  // exactly what its label says.
  if (std::getenv("CORIO_DEBUG") != nullptr) {
    unsetenv("CORIO_DEBUG");
    if (!opts.child)
      fmt::print(stderr, "corio-bench: ignoring CORIO_DEBUG (debug mode is measured in "
                         "the debug-mode workload only)\n");
  }
  if (opts.child)
    return child_main(opts, n_option->count() > 0, seconds_option->count() > 0);
  return parent_main(opts);
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-bench", run_app, argc, argv);
}
