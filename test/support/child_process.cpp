#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace corio::test {

namespace {

void check(int result, const char* what) {
  if (result < 0)
    throw std::system_error(errno, std::generic_category(), what);
}

double seconds_of(const timeval& time) {
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

} // namespace

child_process::child_process(const std::vector<std::string>& argv) {
  int out_pipe[2];
  int err_pipe[2];
  check(pipe2(out_pipe, O_CLOEXEC), "pipe2");
  check(pipe2(err_pipe, O_CLOEXEC), "pipe2");
  std::vector<char*> arguments;
  for (const auto& argument : argv)
    arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  start_ = std::chrono::steady_clock::now();
  pid_ = fork();
  check(pid_, "fork");
  if (pid_ == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    execv(arguments[0], arguments.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
}

child_process::~child_process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  for (const int fd : {out_fd_, err_fd_})
    if (fd >= 0)
      close(fd);
}

template <typename Done>
bool child_process::pump(std::chrono::steady_clock::time_point deadline, Done done) {
  std::array<int*, 2> fds{&out_fd_, &err_fd_};
  std::array<std::string*, 2> sinks{&out_, &err_};
  while (!done() && (out_fd_ >= 0 || err_fd_ >= 0)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    std::array<pollfd, 2> streams{{{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}}};
    if (poll(streams.data(), streams.size(), static_cast<int>(left.count())) < 0 && errno != EINTR)
      check(-1, "poll");
    for (std::size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].fd < 0 || streams[i].revents == 0)
        continue;
      std::array<char, 4096> buffer;
      const ssize_t n = read(streams[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else {
        close(streams[i].fd);
        *fds[i] = -1;
      }
    }
  }
  return true;
}

std::string child_process::read_line(std::chrono::milliseconds limit) {
  pump(std::chrono::steady_clock::now() + limit,
       [this] { return out_.find('\n') != std::string::npos; });
  const std::size_t end = out_.find('\n');
  if (end == std::string::npos)
    return {};
  std::string line = out_.substr(0, end);
  out_.erase(0, end + 1);
  return line;
}

void child_process::signal(int number) {
  if (pid_ > 0)
    check(kill(pid_, number), "kill");
}

process_result child_process::wait(std::chrono::milliseconds limit) {
  process_result result;
  if (!pump(std::chrono::steady_clock::now() + limit, [] { return false; })) {
    result.timed_out = true;
    kill(pid_, SIGKILL);
  }
  int status = 0;
  rusage usage{};
  check(static_cast<int>(wait4(pid_, &status, 0, &usage)), "wait4");
  pid_ = -1;
  result.out = std::move(out_);
  result.err = std::move(err_);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  result.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<std::string> command(const std::string& program,
                                 const std::vector<std::string>& arguments) {
  std::vector<std::string> argv;
  argv.reserve(arguments.size() + 1);
  argv.push_back(program);
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return argv;
}

process_result run_process(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  return child_process(argv).wait(limit);
}

} // namespace corio::test
