// Smoke tests of the demo apps: each runs as a real child process with short
// arguments; the tests check its output, exit code and CPU use, never its speed.
#include "support/child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <regex>
#include <string>
#include <vector>

using corio::test::child_process;
using corio::test::process_result;
using corio::test::run_process;

namespace {

process_result spinner(const std::vector<std::string>& arguments) {
  return run_process(corio::test::command(CORIO_APP_SPINNER_PATH, arguments));
}

// Frames are "\r<c> <message>" with c one of \|/-.
std::size_t count_frames(const std::string& out, const std::string& message) {
  static const std::regex frame("\r[\\\\|/-] ");
  std::size_t frames = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), frame); it != std::sregex_iterator();
       ++it)
    if (out.compare(static_cast<std::size_t>(it->position() + it->length()), message.size(),
                    message) == 0)
      ++frames;
  return frames;
}

// The seed erases with as many blanks as the status string has characters,
// "\r<c> " included: message + 3.
bool erases_its_line(const std::string& out, const std::string& message) {
  std::string erase(message.size() + 5, ' '); // "\r" + blanks + "\r"
  erase.front() = '\r';
  erase.back() = '\r';
  return out.find(erase) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(spinner_app_test)

BOOST_AUTO_TEST_CASE(coroutine_mode_spins_until_slow_returns_then_answers) {
  const auto result = spinner({"--seconds", "0.5"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(result.out.rfind("spinner object: <Task pending name='Task-2'>\n", 0) == 0);
  const auto frames = count_frames(result.out, "thinking!");
  BOOST_TEST(frames >= 3u);
  BOOST_TEST(frames <= 8u);
  BOOST_TEST(erases_its_line(result.out, "thinking!"));
  BOOST_TEST(result.out.find("Answer: 42\n") != std::string::npos);
  // Waiting costs no CPU: the loop sleeps in the kernel between frames.
  BOOST_TEST(result.cpu_seconds < result.wall_seconds / 3,
             "cpu " << result.cpu_seconds << " s, wall " << result.wall_seconds << " s");
}

// Ctrl-C: corio::run() cancels main, the spinner erases its line, and the shared
// app_main wrapper prints one line and exits 128 + SIGINT instead of dying.
BOOST_AUTO_TEST_CASE(ctrl_c_cancels_the_spinner_erases_its_line_and_exits_130) {
  child_process app(corio::test::command(CORIO_APP_SPINNER_PATH, {"--seconds", "60"}));
  BOOST_TEST_REQUIRE(app.read_line().starts_with("spinner object: "));
  app.signal(SIGINT);
  const process_result result = app.wait(std::chrono::seconds(20));
  BOOST_TEST(!result.timed_out);
  BOOST_TEST(result.exit_code == 130, result.err);
  BOOST_TEST(result.err == "corio-spinner: interrupted by SIGINT\n");
  BOOST_TEST(erases_its_line(result.out, "thinking!"));
  BOOST_TEST(result.out.find("Answer:") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(thread_mode_spins_on_a_thread_stopped_by_an_event) {
  const auto result = spinner({"--mode", "thread", "--seconds", "0.5", "--message", "working"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(result.out.rfind("spinner object: <std::thread spin('working'), initial>\n", 0) == 0);
  BOOST_TEST(count_frames(result.out, "working") >= 3u);
  BOOST_TEST(erases_its_line(result.out, "working"));
  BOOST_TEST(result.out.find("Answer: 42\n") != std::string::npos);
  BOOST_TEST(result.cpu_seconds < result.wall_seconds / 3,
             "cpu " << result.cpu_seconds << " s, wall " << result.wall_seconds << " s");
}

BOOST_AUTO_TEST_CASE(process_mode_spins_in_a_child_process) {
  const auto result = spinner({"--mode", "process", "--seconds", "0.5"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(std::regex_search(
      result.out, std::regex("^spinner object: <process pid=[0-9]+ parent=[0-9]+>\n")));
  BOOST_TEST(count_frames(result.out, "thinking!") >= 3u);
  BOOST_TEST(erases_its_line(result.out, "thinking!"));
  BOOST_TEST(result.out.find("Answer: 42\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(blocking_mode_never_shows_the_spinner_and_says_why) {
  const auto result = spinner({"--mode", "blocking", "--seconds", "0.5"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(count_frames(result.out, "thinking!") == 0u);
  BOOST_TEST(result.out.find("Answer: 42\n") != std::string::npos);
  BOOST_TEST(result.out.find("blocked the loop's only thread") != std::string::npos);
  BOOST_TEST(result.wall_seconds >= 0.5);
}

BOOST_AUTO_TEST_CASE(debug_mode_names_the_task_that_blocks_the_loop) {
  const auto result = run_process({"/usr/bin/env", "CORIO_DEBUG=1", CORIO_APP_SPINNER_PATH,
                                   "--mode", "blocking", "--seconds", "0.5"});
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST_INFO(result.err);
  // The watchdog, while slow() blocks; the step's report when it ends; the spinner.
  BOOST_TEST(result.err.find("the loop is blocked: <Task pending name='Task-1'> has been running "
                             "for ") != std::string::npos);
  BOOST_TEST(result.err.find("name='Task-1'> took 0.5") != std::string::npos);
  BOOST_TEST(result.err.find("1 task(s) that never ran: <Task pending name='Task-2'>") !=
             std::string::npos);
  // Without debug mode, none of it.
  BOOST_TEST(spinner({"--mode", "blocking", "--seconds", "0.2"}).err.find("blocked") ==
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_options_get_a_clear_message_and_exit_code_2) {
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--mode", "fibers"},
                                                               {"--seconds", "-1"},
                                                               {"--seconds", "nan"},
                                                               {"--seconds", "soon"},
                                                               {"--no-such-option"}}) {
    const auto result = spinner(bad);
    BOOST_TEST(result.exit_code == 2, bad[0]);
    BOOST_TEST(!result.err.empty(), bad[0]);
    BOOST_TEST(result.out.find("Answer") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(help_describes_every_option_and_exits_0) {
  const auto result = spinner({"--help"});
  BOOST_TEST(result.exit_code == 0);
  for (const char* option : {"--mode", "--seconds", "--message"})
    BOOST_TEST(result.out.find(option) != std::string::npos, option);
}

BOOST_AUTO_TEST_SUITE_END()

// Issue 21: the async-generator step of corio-generators' path (generator -> coroutine ->
// async generator): values that wait, and interval ticks on their grid.
BOOST_AUTO_TEST_SUITE(generators_app_test)

BOOST_AUTO_TEST_CASE(the_async_example_pulls_numbers_that_wait_and_three_ticks) {
  const auto result =
      run_process(corio::test::command(CORIO_APP_GENERATORS_PATH, {"--example", "async"}));
  BOOST_TEST(result.exit_code == 0, result.err);
  BOOST_TEST(result.out.find("== async ==\n1\n2\n3\n4\n5\ntick 1 at +0 ms\n") == 0u, result.out);
  // The ticks are on a 50 ms grid; a loaded machine may skip one, never come early.
  static const std::regex ticks("tick 2 at \\+[0-9]*[05]0 ms\ntick 3 at \\+[0-9]*[05]0 ms\n$");
  BOOST_TEST(std::regex_search(result.out, ticks), result.out);
  BOOST_TEST(result.wall_seconds >= 0.2); // five 20 ms waits, then two 50 ms ones
}

BOOST_AUTO_TEST_CASE(help_names_the_async_example_and_exits_0) {
  const auto result = run_process(corio::test::command(CORIO_APP_GENERATORS_PATH, {"--help"}));
  BOOST_TEST(result.exit_code == 0);
  BOOST_TEST(result.out.find("async generators") != std::string::npos, result.out);
}

BOOST_AUTO_TEST_SUITE_END()

// Issue 16: every number option of every app rejects a bad value with exit 2 and says
// what is wrong in the user's terms: not CLI11's "Value 0 not in range 0.000000 to
// 1797693..." or "Could not convert", and never NaN or infinity let through.
BOOST_AUTO_TEST_SUITE(app_options_test)

struct bad_number {
  const char* app;
  std::vector<std::string> arguments; // the option and its bad value last
};

const std::vector<bad_number> bad_numbers = {
    {CORIO_APP_SPINNER_PATH, {"--seconds", "nan"}},
    {CORIO_APP_SPINNER_PATH, {"--seconds", "inf"}},
    {CORIO_APP_SPINNER_PATH, {"--seconds", "-1"}},
    {CORIO_APP_FLAGS_PATH, {"--timeout", "nan"}},
    {CORIO_APP_FLAGS_PATH, {"--timeout", "inf"}},
    {CORIO_APP_FLAGS_PATH, {"--timeout", "1e999"}},
    {CORIO_APP_FLAGS_PATH, {"--timeout", "0"}},
    {CORIO_APP_FLAGS_PATH, {"--limit", "0"}},
    {CORIO_APP_FLAGS_PATH, {"--limit", "-3"}},
    {CORIO_APP_FLAGS_PATH, {"--concurrency", "0"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--port", "70000"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--port", "-1"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--delay", "nan"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--delay", "inf"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--error-rate", "nan"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--error-rate", "1.5"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--idle-timeout", "nan"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--grace", "-inf"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--seed", "-1"}},
    {CORIO_APP_FLAGS_SERVER_PATH, {"--max-connections", "0"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--seconds", "nan"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--ramp", "inf"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--pause", "nan"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--disconnect-rate", "nan"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--timeout", "nan"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--clients", "0"}},
    {CORIO_APP_FLAGS_SOAK_PATH, {"--seed", "x"}},
    {CORIO_APP_CPU_PATH, {"--size", "0"}},
    {CORIO_APP_CPU_PATH, {"--jobs", "65"}},
    {CORIO_APP_GENERATORS_PATH, {"--lines", "0"}},
    {CORIO_APP_OWN_AWAITABLE_PATH, {"--ticks", "1"}},
    {CORIO_APP_OWN_AWAITABLE_PATH, {"--interval-ms", "nan"}},
    {CORIO_APP_BENCH_PATH, {"--reps", "0"}},
    {CORIO_APP_BENCH_PATH, {"--max-predicted", "nan"}},
    {CORIO_APP_BENCH_PATH, {"--max-predicted", "inf"}},
    {CORIO_APP_BENCH_PATH, {"--child", "--n", "-1"}},
    {CORIO_APP_BENCH_PATH, {"--child", "--seconds", "nan"}},
};

BOOST_AUTO_TEST_CASE(every_number_option_rejects_bad_values_in_the_users_terms) {
  for (const auto& [app, arguments] : bad_numbers) {
    const std::string& option = arguments[arguments.size() - 2];
    const std::string what = std::string(app) + " " + option + " " + arguments.back();
    const auto result = run_process(corio::test::command(app, arguments));
    BOOST_TEST(result.exit_code == 2, what << ": " << result.err);
    // "--timeout: must be a number of seconds from 0.001 to 3600, not 'nan'"
    BOOST_TEST(result.err.find(option + ": must be ") != std::string::npos,
               what << ": " << result.err);
    BOOST_TEST(result.err.find("'" + arguments.back() + "'") != std::string::npos, what);
    for (const char* internal : {"not in range", "Could not convert", "1797693"})
      BOOST_TEST(result.err.find(internal) == std::string::npos, what << ": " << result.err);
  }
}

BOOST_AUTO_TEST_SUITE_END()
