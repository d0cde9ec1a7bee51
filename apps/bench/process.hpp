// apps/bench/process.hpp - the processes corio-bench starts: itself again for each
// measurement (`--child`), corio-flags-server for the fan-out, and gnuplot. Their
// stdout is piped to us and their stderr is shared with ours; wait() reports how a
// process ended, its CPU time and its peak RSS (ru_maxrss from wait4, so it is that
// child's own figure, not the sum of all children).
//
//   bench::process child({bench::self_path(), "--child", "--only", "idle", ...});
//   bench::exit_report report = child.wait(std::chrono::seconds(60));
//   // report.out: everything it printed; report.max_rss_kb: its peak RSS
#ifndef CORIO_APPS_BENCH_PROCESS_HPP
#define CORIO_APPS_BENCH_PROCESS_HPP

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct exit_report {
  int exit_code = -1; // -1 when a signal ended it
  int signal = 0;     // the signal that ended it, or 0
  bool timed_out = false;
  std::string out;     // the stdout not yet returned by read_line()
  long max_rss_kb = 0; // peak resident set size
  double cpu_s = 0;    // user + system CPU time
  bool ok() const { return exit_code == 0 && !timed_out; }
  std::string describe() const; // "exit code 1", "killed by signal 11", "timed out"
};

class process {
public:
  /// Starts argv[0] (a path; a bare name is looked up in PATH), its stderr ours or,
  /// with `quiet`, /dev/null. Throws std::system_error when it cannot be started.
  explicit process(const std::vector<std::string>& argv, bool quiet = false);
  /// Kills (SIGKILL) and reaps a process that is still running.
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  /// The next line of stdout without its '\n'; nullopt at end of output or when
  /// `limit` passes first.
  std::optional<std::string> read_line(std::chrono::milliseconds limit);
  void signal(int number);
  pid_t pid() const { return pid_; }
  /// Reads the rest of stdout and reaps the process, killing it once `limit` has
  /// passed. Call once.
  exit_report wait(std::chrono::milliseconds limit);

private:
  // Reads what is available into buffer_; false at end of output or at `deadline`.
  bool read_more(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

/// corio-flags-server on an ephemeral loopback port (the fan-out's server), with no
/// connection limit and its stderr silenced; stopped with SIGTERM when destroyed.
class flags_server {
public:
  /// Throws std::runtime_error when it does not start. `loops`: its --loops.
  flags_server(const std::string& path, double delay_s, std::size_t loops);
  ~flags_server();
  flags_server(const flags_server&) = delete;
  flags_server& operator=(const flags_server&) = delete;

  /// "http://127.0.0.1:PORT/flags"
  const std::string& url() const { return url_; }
  /// The CPU time (user + system) it has used so far, from /proc/PID/stat.
  double cpu_seconds() const;

private:
  process process_;
  std::string url_;
};

/// corio-flags-server next to the running executable.
std::string default_flags_server_path();

/// The path of the running executable (/proc/self/exe, resolved).
std::string self_path();
/// The full path of `program` in PATH, or nullopt.
std::optional<std::string> find_in_path(std::string_view program);

} // namespace bench

#endif // CORIO_APPS_BENCH_PROCESS_HPP
