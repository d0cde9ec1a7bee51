// apps/bench/process.cpp - posix_spawn with stdout on a pipe, poll() with deadlines,
// wait4() for the peak RSS. See process.hpp.
#include "process.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace bench {

namespace {

using steady = std::chrono::steady_clock;

[[noreturn]] void fail(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

} // namespace

std::string exit_report::describe() const {
  if (timed_out)
    return "timed out";
  if (signal != 0)
    return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

process::process(const std::vector<std::string>& argv, bool quiet) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    fail(errno, "pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO); // clears CLOEXEC
  if (quiet)
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int error = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    fail(error, argv[0].c_str());
  }
  out_fd_ = pipe_fds[0];
}

process::~process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0)
    close(out_fd_);
}

bool process::read_more(steady::time_point deadline) {
  while (out_fd_ >= 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0)
      return false;
    pollfd ready{out_fd_, POLLIN, 0};
    const int polled = poll(&ready, 1, static_cast<int>(left.count()));
    if (polled < 0 && errno != EINTR)
      fail(errno, "poll");
    if (polled <= 0)
      continue;
    std::array<char, 8192> chunk;
    const ssize_t got = read(out_fd_, chunk.data(), chunk.size());
    if (got > 0) {
      buffer_.append(chunk.data(), static_cast<std::size_t>(got));
      return true;
    }
    if (got < 0 && errno == EINTR)
      continue;
    close(out_fd_); // end of output (or a read error: the same for us)
    out_fd_ = -1;
  }
  return false;
}

std::optional<std::string> process::read_line(std::chrono::milliseconds limit) {
  const auto deadline = steady::now() + limit;
  std::size_t end = buffer_.find('\n');
  while (end == std::string::npos && read_more(deadline))
    end = buffer_.find('\n');
  if (end == std::string::npos)
    return std::nullopt;
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  return line;
}

void process::signal(int number) {
  if (pid_ > 0)
    kill(pid_, number);
}

exit_report process::wait(std::chrono::milliseconds limit) {
  const auto deadline = steady::now() + limit;
  while (read_more(deadline)) {
  }
  exit_report report;
  int status = 0;
  rusage usage{};
  // The output can end before the process does: poll for its exit until the deadline.
  pid_t reaped = 0;
  while ((reaped = wait4(pid_, &status, WNOHANG, &usage)) == 0 && steady::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (reaped == 0) {
    report.timed_out = true;
    kill(pid_, SIGKILL);
    reaped = wait4(pid_, &status, 0, &usage);
  }
  if (reaped < 0)
    fail(errno, "wait4");
  pid_ = -1;
  report.out = std::move(buffer_);
  report.max_rss_kb = usage.ru_maxrss;
  const auto seconds_of = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  report.cpu_s = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  if (WIFEXITED(status))
    report.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    report.signal = WTERMSIG(status);
  return report;
}

namespace {

process start_flags_server(const std::string& path, double delay_s, std::size_t loops) {
  try {
    return process({path, "--port", "0", "--delay", fmt::format("{}", delay_s), "--max-connections",
                    "1000000", "--loops", std::to_string(loops)},
                   true);
  } catch (const std::system_error& error) {
    throw std::runtime_error(fmt::format("cannot start {}: {} (build the corio-flags-server "
                                         "target, or give --flags-server PATH)",
                                         path, error.code().message()));
  }
}

} // namespace

flags_server::flags_server(const std::string& path, double delay_s, std::size_t loops)
    : process_(start_flags_server(path, delay_s, loops)) {
  const std::optional<std::string> first = process_.read_line(std::chrono::seconds(10));
  constexpr std::string_view prefix = "listening on ";
  if (!first || !first->starts_with(prefix))
    throw std::runtime_error(
        fmt::format("{} did not start (first line: '{}')", path, first.value_or("")));
  url_ = first->substr(prefix.size());
}

flags_server::~flags_server() {
  process_.signal(SIGTERM);
  process_.wait(std::chrono::seconds(10));
}

double flags_server::cpu_seconds() const {
  // /proc/PID/stat: "pid (comm) state ..."; utime and stime are fields 14 and 15.
  std::ifstream file(fmt::format("/proc/{}/stat", process_.pid()));
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t after_name = text.rfind(')');
  if (after_name == std::string::npos)
    return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14)
      ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string default_flags_server_path() {
  return (std::filesystem::path(self_path()).parent_path() / "corio-flags-server").string();
}

std::string self_path() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

std::optional<std::string> find_in_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const std::size_t colon = dirs.find(':');
    const std::string candidate =
        fmt::format("{}/{}", dirs.substr(0, colon).empty() ? "." : dirs.substr(0, colon), program);
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
    dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
  }
  return std::nullopt;
}

} // namespace bench
