// corio-spinner: the "hello world" of concurrency, four ways.
//
// A spinner cycles \|/- next to a message every 0.1 s while slow() waits 3 s and
// returns 42; then the spinner stops, its line is erased and the answer printed.
//   --mode coroutine  (default) spin() is a corio task stopped with cancel();
//                     one thread runs both, switching only at co_await
//   --mode thread     spin() runs on a std::thread stopped by an event (a flag
//                     and a condition variable: Python's threading.Event)
//   --mode process    spin() runs in a forked child stopped through a pipe
//   --mode blocking   the classic mistake: slow() blocks the loop's only thread
//                     with std::this_thread::sleep_for, so the spinner never runs
//
//   $ corio-spinner
//   spinner object: <Task pending name='Task-2'>
//   | thinking!                       (one line, redrawn in place)
//   Answer: 42
//
// Frames go to stdout even when it is not a terminal, so they can be counted.
// Ctrl-C in the coroutine and blocking modes: corio::run() cancels main, the spinner
// erases its line, "corio-spinner: interrupted by SIGINT", exit status 130
// (app_main.hpp). The thread and process modes do not run a corio loop: Ctrl-C
// kills them as it kills any program.
#include "app_main.hpp"
#include "cli_checks.hpp"
#include "spinner.hpp"

#include <corio/corio.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

namespace {

using namespace spinner_app;

// --- blocking: the mistake ------------------------------------------------------
corio::awaitable<int> blocking_slow(seconds delay) {
  std::this_thread::sleep_for(delay); // blocks the only thread: nothing else runs
  co_return 42;
}

corio::awaitable<int> blocking_supervisor(seconds delay, std::string message) {
  corio::task<void> spinner = corio::spawn(spin(std::move(message)));
  fmt::print("spinner object: {}\n", fmt::streamed(spinner));
  int result = co_await blocking_slow(delay);
  spinner.cancel(); // it never got a turn: cancelled before its first step
  co_return result;
}

// --- thread: threading.Thread + threading.Event ---------------------------------
class event {
public:
  void set() {
    std::lock_guard lock(mutex_);
    flag_ = true;
    changed_.notify_all();
  }
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return flag_; });
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool flag_ = false;
};

void spin_thread(const std::string& message, event& done) {
  std::string status;
  for (std::size_t i = 0;; ++i) {
    status = show_frame(i, message);
    if (done.wait_for(frame_interval))
      break;
  }
  erase(status);
}

int thread_supervisor(seconds delay, const std::string& message) {
  event done;
  fmt::print("spinner object: <std::thread spin('{}'), initial>\n", message);
  std::fflush(stdout);
  std::thread spinner(spin_thread, std::cref(message), std::ref(done)); // starts it
  std::this_thread::sleep_for(delay); // slow(): this thread blocks, the spinner runs
  done.set();
  spinner.join();
  return 42;
}

// --- process: multiprocessing.Process; the pipe closing is the event -------------
void spin_process(const std::string& message, int start_fd, int done_fd) {
  char go = 0;
  if (read(start_fd, &go, 1) != 1) // wait until the parent has printed its line
    _exit(1);
  std::string status;
  pollfd done{done_fd, POLLIN, 0};
  for (std::size_t i = 0;; ++i) {
    status = show_frame(i, message);
    if (poll(&done, 1, static_cast<int>(frame_interval.count())) != 0)
      break; // the parent closed the pipe (or it broke): stop
  }
  erase(status);
  _exit(0);
}

int process_supervisor(seconds delay, const std::string& message) {
  int start[2];
  int done[2];
  if (pipe(start) != 0 || pipe(done) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe");
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0)
    throw std::system_error(errno, std::generic_category(), "fork");
  if (child == 0) {
    close(start[1]);
    close(done[1]);
    spin_process(message, start[0], done[0]);
  }
  close(start[0]);
  close(done[0]);
  fmt::print("spinner object: <process pid={} parent={}>\n", child, getpid());
  std::fflush(stdout);
  if (write(start[1], "g", 1) != 1)
    throw std::system_error(errno, std::generic_category(), "write");
  std::this_thread::sleep_for(delay); // slow()
  close(done[1]);                     // done.set()
  close(start[1]);
  int status = 0;
  waitpid(child, &status, 0); // spinner.join()
  return 42;
}

int run_app(int argc, char** argv) {
  CLI::App app{"corio-spinner: a spinner runs while slow() computes the answer"};
  std::string mode = "coroutine";
  double delay = 3.0;
  std::string message = "thinking!";
  app.add_option("--mode", mode, "coroutine, thread, process or blocking")
      ->check(CLI::IsMember({"coroutine", "thread", "process", "blocking"}));
  app.add_option("--seconds", delay, "how long slow() takes, 0 to 3600")
      ->check(cli_checks::number(0, 3600, "seconds"));
  app.add_option("--message", message, "what the spinner says");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2; // --help exits 0; every bad option exits 2
  }

  int answer = 0;
  if (mode == "coroutine")
    answer = corio::run(supervisor(seconds(delay), message));
  else if (mode == "blocking")
    answer = corio::run(blocking_supervisor(seconds(delay), message));
  else if (mode == "thread")
    answer = thread_supervisor(seconds(delay), message);
  else
    answer = process_supervisor(seconds(delay), message);
  fmt::print("Answer: {}\n", answer);
  if (mode == "blocking")
    fmt::print("No spinner: slow() blocked the loop's only thread for {}s, so the spinner "
               "task never got a turn. Await corio::sleep instead.\n",
               delay);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  return app_main::guard("corio-spinner", run_app, argc, argv);
}
