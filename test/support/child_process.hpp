// test/support/child_process.hpp - runs a program (an app under test) as a real
// child process and reports what it printed, how it exited, and the wall and CPU
// time it used (from wait4's rusage).
//
//   auto result = run_process({CORIO_APP_SPINNER_PATH, "--seconds", "0.5"});
//   auto same = run_process(command(CORIO_APP_SPINNER_PATH, {"--seconds", "0.5"}));
//
//   child_process server({CORIO_APP_FLAGS_SERVER_PATH, "--port", "0"});
//   std::string first = server.read_line();   // while it runs
//   server.signal(SIGTERM);
//   process_result result = server.wait();    // the rest of its output, its exit
#ifndef CORIO_TEST_SUPPORT_CHILD_PROCESS_HPP
#define CORIO_TEST_SUPPORT_CHILD_PROCESS_HPP

#include <sys/types.h>

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

/// A child process running in the background (stdout and stderr piped to us).
class child_process {
public:
  /// Starts `argv` (argv[0] is a path). Throws on fork/exec setup failures.
  explicit child_process(const std::vector<std::string>& argv);
  /// Kills (SIGKILL) and reaps a child that is still running.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  /// The next line of its stdout, without the '\n'; "" at end of output or after
  /// `limit`. Whatever it printed to stderr meanwhile is kept for wait().
  std::string read_line(std::chrono::milliseconds limit = std::chrono::seconds(10));
  void signal(int number);
  /// Waits until it exits, killing it after `limit` more. `out` holds the stdout that
  /// read_line() has not returned. Call once.
  process_result wait(std::chrono::milliseconds limit = std::chrono::seconds(60));

private:
  // Reads whatever is available until `done()` or the deadline; false on timeout.
  template <typename Done>
  bool pump(std::chrono::steady_clock::time_point deadline, Done done);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::chrono::steady_clock::time_point start_;
};

/// The argv of `program` run with `arguments`: {program, arguments...}. (Built by
/// copying, not by inserting in front: g++ 12 -O3 gives a false -Warray-bounds for
/// an insert of a long path into a vector of strings.)
std::vector<std::string> command(const std::string& program,
                                 const std::vector<std::string>& arguments);

/// Runs `argv` (argv[0] is a path) to its end, kills it after `limit`. Throws on
/// fork/exec setup failures.
process_result run_process(const std::vector<std::string>& argv,
                           std::chrono::milliseconds limit = std::chrono::seconds(60));

} // namespace corio::test

#endif // CORIO_TEST_SUPPORT_CHILD_PROCESS_HPP
