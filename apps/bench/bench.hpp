// apps/bench/bench.hpp - what the parts of corio-bench share: the record one
// measurement produces (a flat JSON object), the arguments of one measurement, the
// workload families' entry points, and the counting allocator's figures.
//
// One measurement runs in a child process (`corio-bench --child ...`): it runs one
// workload with one implementation, prints its records as JSON lines and exits, so
// that the parent can read its peak RSS from wait4(). Each family file
// (tasks.cpp, ping_pong.cpp, fan_out.cpp, latency.cpp, debug_mode.cpp, loops.cpp,
// generators.cpp) holds the
// implementations of its workloads side by side.
#ifndef CORIO_APPS_BENCH_BENCH_HPP
#define CORIO_APPS_BENCH_BENCH_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bench {

/// One JSON object with number and string values, in insertion order.
class record {
public:
  record& set(const std::string& key, double value);
  record& set(const std::string& key, std::string value);

  bool has(std::string_view key) const;
  /// The number under `key`, or `fallback` when there is none.
  double number(std::string_view key, double fallback = 0) const;
  /// The string under `key`, or "" when there is none.
  std::string text(std::string_view key) const;
  /// The keys whose values are numbers, in order.
  std::vector<std::string> number_keys() const;

  /// One line of JSON, without the newline.
  std::string json() const;
  /// Parses what json() writes (a flat object); nullopt and `error` on bad input.
  static std::optional<record> parse(std::string_view line, std::string& error);

private:
  using value = std::variant<double, std::string>;
  const value* find(std::string_view key) const;
  record& put(const std::string& key, value v);

  std::vector<std::pair<std::string, value>> fields_;
};

/// The arguments of one measurement (the child's command line).
struct child_args {
  std::string workload; // "spawn-join", "idle", ...
  std::string impl;     // "corio", "raw-asio", "threads", "pool-64", ...
  std::string variant;  // cancel: "sleep" or "queue-get"; empty elsewhere
  std::size_t n = 0;
  double seconds = 0;           // idle: the sleep; timer-lateness: the longest sleep;
                                // fan-out: the server's --delay
  std::string server_url;       // fan-out: a running corio-flags-server, or empty
  std::string server_path;      // fan-out without a server URL: the binary to start
  std::size_t server_loops = 1; // fan-out: the server's --loops (0: one per hardware thread)
};

/// The number after `prefix` in `impl` ("corio-loops-2", "corio-loops-" -> 2); 0 when
/// `impl` does not have that form.
std::size_t number_after(std::string_view impl, std::string_view prefix);

/// Thrown by a family for an implementation it does not have.
struct unknown_impl {
  std::string impl;
};

/// The entry of `table` named args.impl; throws unknown_impl when there is none.
template <typename Fn>
Fn pick(const child_args& args, std::initializer_list<std::pair<std::string_view, Fn>> table) {
  for (const auto& [impl, fn] : table)
    if (impl == args.impl)
      return fn;
  throw unknown_impl{args.impl};
}

// The workload families. Each runs args.workload with args.impl and returns its
// records (every one with workload, variant, impl, n, wall_s and per_op_ns).
std::vector<record> run_spawn_join(const child_args& args); // tasks.cpp
std::vector<record> run_idle(const child_args& args);       // tasks.cpp
std::vector<record> run_ping_pong(const child_args& args);
std::vector<record> run_fan_out(const child_args& args);
std::vector<record> run_cancel(const child_args& args);         // latency.cpp
std::vector<record> run_timer_lateness(const child_args& args); // latency.cpp
std::vector<record> run_debug_mode(const child_args& args);
std::vector<record> run_parallel(const child_args& args);        // loops.cpp
std::vector<record> run_spawn_remote(const child_args& args);    // loops.cpp
std::vector<record> run_async_generator(const child_args& args); // generators.cpp
/// Whether this build's corio::run_options has the `debug` field (workload 6).
bool debug_mode_available();

/// The fields every record has; `variant` overrides args.variant when not empty.
record make_record(const child_args& args, double wall_s, double per_op_ns,
                   std::string_view variant = {});

using clock = std::chrono::steady_clock;
inline double seconds_since(clock::time_point start) {
  return std::chrono::duration<double>(clock::now() - start).count();
}

/// Throws std::runtime_error unless a run returned what it should have.
void check_result(const child_args& args, std::uint64_t got, std::uint64_t expected);

/// Times run(args.n), checks that it returned `expected`, and makes the record:
/// per_op_ns is (wall - excluded_s) / n.
template <typename Run>
record timed(const child_args& args, Run run, std::uint64_t expected, std::string_view variant = {},
             double excluded_s = 0) {
  const auto start = clock::now();
  const std::uint64_t got = run(args.n);
  const double wall = seconds_since(start);
  check_result(args, got, expected);
  const double per_op = args.n == 0 ? 0 : (wall - excluded_s) * 1e9 / static_cast<double>(args.n);
  return make_record(args, wall, per_op, variant);
}
inline double to_ns(clock::duration d) {
  return std::chrono::duration<double, std::nano>(d).count();
}

/// The q-quantile (0..1) of `values` (sorted in place); 0 for none.
double quantile(std::vector<double>& values, double q);

// ------------------------------------------------------------------ counting allocator
// Every heap allocation in corio-bench is counted (alloc_count.cpp): per thread,
// without atomics, so the count costs the measured code a few instructions each.

/// False in sanitizer builds, where the counters stay at 0.
bool allocations_counted() noexcept;

struct alloc_counts {
  std::uint64_t allocations = 0;
  std::uint64_t bytes = 0;
};

/// What this thread has allocated so far, plus what retired threads handed over.
alloc_counts allocated_so_far() noexcept;
/// Hands this thread's counts over to allocated_so_far(); a worker calls it last.
void retire_thread_allocations() noexcept;

} // namespace bench

#endif // CORIO_APPS_BENCH_BENCH_HPP
