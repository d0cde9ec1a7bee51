// Smoke test of corio-bench (run as a child process): the shape of its output, never
// its speed. `--quick --json FILE` must print the table (a header with the ratio
// columns, a section per workload) and write JSON lines that each parse into the
// required keys with positive, finite numbers; --child must print one measurement;
// --help exits 0 and bad options exit 2.
#include "support/child_process.hpp"
#include "support/text.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

using corio::test::contains;
using corio::test::process_result;
using corio::test::run_process;
using namespace std::chrono_literals;

namespace {

process_result bench(const std::vector<std::string>& arguments,
                     std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  return run_process(corio::test::command(CORIO_APP_BENCH_PATH, arguments), limit);
}

// The line as a JSON object; a null json when it is not exactly one object.
nlohmann::json parse_object(const std::string& line) {
  auto object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return object.is_object() ? object : nlohmann::json();
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);)
    lines.push_back(line);
  return lines;
}

const std::vector<std::string> workloads = {
    "spawn-join",     "idle",       "ping-pong", "fan-out",      "cancel",
    "timer-lateness", "debug-mode", "parallel",  "spawn-remote", "async-generator"};

} // namespace

BOOST_AUTO_TEST_SUITE(bench_app_test)

BOOST_AUTO_TEST_CASE(quick_run_prints_the_table_and_writes_json_lines_with_sane_values) {
  const auto json = std::filesystem::temp_directory_path() /
                    ("corio-bench-test-" + std::to_string(getpid()) + ".jsonl");
  const auto result = bench({"--quick", "--json", json.string()}, 100s);
  const std::vector<std::string> lines = lines_of(json);
  std::filesystem::remove(json);
  BOOST_TEST_REQUIRE(result.exit_code == 0, result.err << result.out);

  BOOST_TEST(contains(result.out, "corio-bench: "), result.out);
  static const std::regex header("\n  impl +n +.*spread.*peak RSS +corio/raw +vs corio\n");
  BOOST_TEST(std::regex_search(result.out, header), result.out);
  for (const std::string workload :
       {"spawn-join (cold)", "spawn-join (warm)", "spawn-join (steady)", "idle", "ping-pong",
        "fan-out", "cancel (sleep)", "cancel (queue-get)", "timer-lateness", "parallel",
        "spawn-remote", "async-generator"})
    BOOST_TEST(contains(result.out, "\n" + workload + ": "), workload);
  BOOST_TEST(contains(result.out, "\ntargets (issue 5"), result.out);
  BOOST_TEST(contains(result.out, "\ntargets (issue 17"), result.out);
  static const std::regex machine("hardware threads on [0-9]+ cores.*\nloops: ");
  BOOST_TEST(std::regex_search(result.out, machine), result.out);
  BOOST_TEST(contains(result.out, "\nnotes\n"), result.out);

  BOOST_TEST_REQUIRE(!lines.empty());
  std::set<std::string> seen_workloads;
  std::set<std::string> seen_impls;
  for (const std::string& line : lines) {
    const nlohmann::json object = parse_object(line);
    BOOST_TEST_REQUIRE(object.is_object(), line);
    BOOST_TEST_REQUIRE(object.value("workload", nlohmann::json()).is_string(), line);
    BOOST_TEST_REQUIRE(object.value("impl", nlohmann::json()).is_string(), line);
    const auto workload = object["workload"].get<std::string>();
    const auto impl = object["impl"].get<std::string>();
    const bool known_workload =
        std::find(workloads.begin(), workloads.end(), workload) != workloads.end();
    BOOST_TEST(known_workload, line);
    BOOST_TEST(!impl.empty(), line);
    for (const std::string key : {"n", "wall_s", "per_op_ns", "rss_kb"}) {
      BOOST_TEST_REQUIRE(object.value(key, nlohmann::json()).is_number(), key << " in " << line);
      const auto value = object[key].get<double>();
      BOOST_TEST((std::isfinite(value) && value > 0), key << " in " << line);
    }
    seen_workloads.insert(workload);
    seen_impls.insert(impl);
  }
  for (const std::string& workload : workloads)
    if (workload != "debug-mode" || contains(result.out, "\ndebug-mode: "))
      BOOST_TEST(seen_workloads.contains(workload), workload);
  for (const std::string impl :
       {"corio", "raw-asio", "threads", "corio-limit-64", "pool-8", "pool-64", "pool-512",
        "thread-per-request", "corio-loops-2", "raw-asio-threads-2", "corio-channel",
        "corio-channel-loops-2", "corio-queue", "generator", "raw-asio-lean"})
    BOOST_TEST(seen_impls.contains(impl), impl);
}

// Issue 17: each many-loops measurement runs, on the loops its label names.
BOOST_AUTO_TEST_CASE(many_loops_measurements_run_on_their_loops) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"parallel", "corio-loops-2", "40"},
                                             {"spawn-remote", "corio-loops-2", "200"},
                                             {"ping-pong", "corio-channel-loops-2", "200"},
                                             {"fan-out", "corio-loops-2", "20"},
                                             {"fan-out", "raw-asio-threads-2", "20"}}) {
    const auto result = bench({"--child", "--only", args[0], "--impl", args[1], "--n", args[2],
                               "--seconds", "0.01", "--server-loops", "2"});
    BOOST_TEST_REQUIRE(result.exit_code == 0, args[0] << " " << args[1] << ": " << result.err);
    const nlohmann::json object = parse_object(result.out.substr(0, result.out.find('\n')));
    BOOST_TEST_REQUIRE(object.is_object(), result.out);
    BOOST_TEST(object.value("impl", "") == args[1]);
    BOOST_TEST(object.value("n", 0.0) == std::stod(args[2]));
    BOOST_TEST(object.value("errors", 0.0) == 0, result.out);
    if (args[0] == "parallel" || args[0] == "spawn-remote")
      BOOST_TEST(object.value("loops", 0.0) == 2, result.out);
    if (args[0] == "fan-out")
      BOOST_TEST(object.value("server_loops", 0.0) == 2, result.out);
  }
}

BOOST_AUTO_TEST_CASE(child_mode_prints_one_measurement_as_json) {
  const auto result = bench({"--child", "--only", "ping-pong", "--impl", "corio", "--n", "1000"});
  BOOST_TEST_REQUIRE(result.exit_code == 0, result.err);
  const nlohmann::json object = parse_object(result.out.substr(0, result.out.find('\n')));
  BOOST_TEST_REQUIRE(object.is_object(), result.out);
  BOOST_TEST(object.value("workload", "") == "ping-pong");
  BOOST_TEST(object.value("n", 0.0) == 1000);
  BOOST_TEST(object.value("per_op_ns", 0.0) > 0);
}

BOOST_AUTO_TEST_CASE(help_exits_0_and_bad_options_exit_2_with_a_message) {
  const auto help = bench({"--help"});
  BOOST_TEST(help.exit_code == 0);
  for (const std::string option : {"--quick", "--json", "--plot", "--only", "--impl", "--child"})
    BOOST_TEST(contains(help.out, option), option);
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"--frobnicate"},
                                             {"--only", "spawn-everything"},
                                             {"--impl", "fibers"},
                                             {"--reps", "0"},
                                             {"--server-loops", "1025"},
                                             {"--impl", "corio-loops-0"},
                                             {"--n", "5"},
                                             {"--child", "--only", "idle"}}) {
    const auto result = bench(bad);
    BOOST_TEST(result.exit_code == 2, bad.front());
    BOOST_TEST(!result.err.empty(), bad.front());
  }
}

BOOST_AUTO_TEST_SUITE_END()
