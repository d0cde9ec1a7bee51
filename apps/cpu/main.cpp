// corio-cpu: the other half of the flags lesson. Coroutines overlap waiting, not
// computing: CPU-bound work on one loop runs one job after another, exactly as
// sequential code does. Threads (or to_thread, which hands work to a pool) run on
// several cores at once. The seed notes show it with Python's GIL; in C++ there is
// no GIL, so threads do speed up - and coroutines on one loop still do not. The same
// tasks spread over one loop per core (corio::run with {.loops = 0}) do: concurrency
// within a loop, parallelism across loops.
//
// Each job fills a vector with --size random doubles (its own seeded generator) and
// sorts it; --jobs jobs run in each mode, and every result is checked to be sorted.
//
//   $ corio-cpu --size 10000000 --jobs 2
//   sorting 10,000,000 random doubles, 2 jobs, 2 hardware threads
//   sequential   1.70s  x1.00  sorted
//   coroutines   1.70s  x1.00  sorted   (2 tasks on one loop: one after the other)
//   threads      0.88s  x1.93  sorted   (one std::thread per job)
//   to_thread    0.88s  x1.93  sorted   (corio::to_thread: the runtime's thread pool)
//   loops        0.88s  x1.93  sorted   (the same tasks, one loop per core)
//
// (Times are illustrative; the speed-up of threads is bounded by the cores you have.)
#include <corio/corio.hpp>
#include <corio/to_thread.hpp>

#include "app_main.hpp"
#include "cli_checks.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using seconds = std::chrono::duration<double>;

// One job: the seed's sorted([random.random() for _ in range(n)]).
bool working(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> values(size);
  for (double& value : values)
    value = uniform(random);
  std::sort(values.begin(), values.end());
  return std::is_sorted(values.begin(), values.end());
}

using results = std::vector<bool>; // one "is sorted" per job

results run_sequential(std::size_t size, std::size_t jobs) {
  results sorted;
  for (std::size_t job = 0; job < jobs; ++job)
    sorted.push_back(working(size, job));
  return sorted;
}

//! [coroutines]
// A task never suspends inside working(), so the loop runs the tasks one by one.
corio::awaitable<bool> working_task(std::size_t size, std::uint64_t seed) {
  co_return working(size, seed);
}
//! [coroutines]

results run_threads(std::size_t size, std::size_t jobs) {
  std::vector<char> sorted(jobs); // not vector<bool>: each thread writes its own byte
  {
    std::vector<std::jthread> threads;
    for (std::size_t job = 0; job < jobs; ++job)
      threads.emplace_back([&sorted, size, job] { sorted[job] = working(size, job); });
  }
  return results(sorted.begin(), sorted.end());
}

//! [to_thread]
// The loop stays free while a pool thread sorts.
corio::awaitable<bool> working_on_a_thread(std::size_t size, std::uint64_t seed) {
  co_return co_await corio::to_thread(working, size, seed);
}
//! [to_thread]

// Spawns one task per job, each running `body`, and collects their results.
using job_body = corio::awaitable<bool> (*)(std::size_t size, std::uint64_t seed);

//! [loops]
// Each task starts on the next loop (round robin). With one loop that is this loop,
// and the tasks run one after the other; with one loop per core they run on
// different threads at the same time.
corio::awaitable<results> run_tasks(job_body body, std::size_t size, std::size_t jobs) {
  std::vector<corio::task<bool>> tasks;
  for (std::size_t job = 0; job < jobs; ++job)
    tasks.push_back(corio::spawn(corio::next_loop(), body(size, job)));
  results sorted;
  for (auto& t : tasks)
    sorted.push_back(co_await t);
  co_return sorted;
}
//! [loops]

struct mode {
  std::string_view name;
  std::string_view note;
  std::function<results(std::size_t, std::size_t)> run;
};

int run_app(int argc, char** argv) {
  CLI::App app{"corio-cpu: CPU-bound work gains nothing from coroutines, and much from threads"};
  std::string which = "all";
  std::size_t size = 10'000'000;
  std::size_t jobs = 2;
  app.add_option("--mode", which,
                 "sequential, coroutines, threads, to_thread, loops or all (sequential always runs "
                 "first: "
                 "the baseline)")
      ->check(CLI::IsMember({"sequential", "coroutines", "threads", "to_thread", "loops", "all"}))
      ->capture_default_str();
  app.add_option("--size", size, "random doubles each job sorts")
      ->check(cli_checks::whole_number(1, 200'000'000))
      ->capture_default_str();
  app.add_option("--jobs", jobs, "how many sorts each mode runs")
      ->check(cli_checks::whole_number(1, 64))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  const std::vector<mode> modes = {
      {"sequential", "", run_sequential},
      {"coroutines", "tasks on one loop: one after the other",
       [](std::size_t n, std::size_t k) { return corio::run(run_tasks(working_task, n, k)); }},
      {"threads", "one std::thread per job", run_threads},
      {"to_thread", "corio::to_thread: the runtime's thread pool",
       [](std::size_t n, std::size_t k) {
         return corio::run(run_tasks(working_on_a_thread, n, k));
       }},
      {"loops", "the same tasks, one loop per core",
       [](std::size_t n, std::size_t k) {
         return corio::run(run_tasks(working_task, n, k), {.loops = 0});
       }},
  };
  fmt::print("sorting {} random doubles, {} {}, {} hardware threads\n", fmt::group_digits(size),
             jobs, jobs == 1 ? "job" : "jobs", std::thread::hardware_concurrency());
  std::fflush(stdout);
  double sequential_time = 0;
  bool all_sorted = true;
  for (const auto& m : modes) {
    if (which != "all" && m.name != which && m.name != "sequential")
      continue; // sequential always runs: it is the baseline of the speed-ups
    const auto start = std::chrono::steady_clock::now();
    const results sorted = m.run(size, jobs);
    const double elapsed = seconds(std::chrono::steady_clock::now() - start).count();
    if (m.name == "sequential")
      sequential_time = elapsed;
    const bool ok = std::all_of(sorted.begin(), sorted.end(), std::identity{});
    all_sorted = all_sorted && ok && sorted.size() == jobs;
    fmt::print("{:<11} {:6.2f}s  x{:.2f}  {}{}\n", m.name, elapsed,
               elapsed > 0 ? sequential_time / elapsed : 1.0, ok ? "sorted" : "NOT SORTED",
               m.note.empty() ? "" : fmt::format("   ({})", m.note));
    std::fflush(stdout);
  }
  return all_sorted ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-cpu", run_app, argc, argv);
}
