// test/support/child_process.hpp - runs a program (an app under test) as a real
// child process and reports what it printed, how it exited, and the wall and CPU
// time it used (from wait4's rusage).
#ifndef CORIO_TEST_SUPPORT_CHILD_PROCESS_HPP
#define CORIO_TEST_SUPPORT_CHILD_PROCESS_HPP

#include <chrono>
#include <string>
#include <vector>

namespace corio::test {

struct process_result {
  int exit_code = -1; // -1 when killed by a signal (timed_out tells whether we did)
  bool timed_out = false;
  std::string out;
  std::string err;
  double wall_seconds = 0;
  double cpu_seconds = 0; // user + system
};

/// Runs `argv` (argv[0] is a path), kills it after `limit`. Throws on fork/exec
/// setup failures.
process_result run_process(const std::vector<std::string>& argv,
                           std::chrono::milliseconds limit = std::chrono::seconds(60));

} // namespace corio::test

#endif // CORIO_TEST_SUPPORT_CHILD_PROCESS_HPP
