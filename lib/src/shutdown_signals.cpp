#include <corio/detail/shutdown_signals.hpp>

#include <boost/asio/post.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace corio::detail {

namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free int");

// Process-wide: signal dispositions are. Only the owning run() touches them.
std::atomic<bool> installed{false};
std::atomic<int> first_signal{0};
std::atomic<bool> watcher_stopping{false}; // stop() tells the owner's watcher to end
int wake_pipe[2] = {-1, -1};               // created once, never closed (see the header)
std::once_flag wake_pipe_created;

constexpr char second_sigint[] = "corio: second SIGINT during shutdown; exiting at once\n";
constexpr char second_sigterm[] = "corio: second SIGTERM during shutdown; exiting at once\n";

// Async-signal-safe: atomics that are lock-free, write(2), _Exit.
void on_signal(int number) {
  const int saved_errno = errno;
  int none = 0;
  if (first_signal.compare_exchange_strong(none, number)) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(wake_pipe[1], &byte, 1);
    errno = saved_errno;
    return;
  }
  const bool sigint = number == SIGINT;
  [[maybe_unused]] const auto written =
      ::write(STDERR_FILENO, sigint ? second_sigint : second_sigterm,
              sigint ? sizeof second_sigint - 1 : sizeof second_sigterm - 1);
  std::_Exit(128 + number);
}

void create_wake_pipe() {
  if (::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "corio::run: cannot create the pipe for signal handling");
}

void drain_wake_pipe() noexcept {
  char bytes[64];
  while (::read(wake_pipe[0], bytes, sizeof bytes) > 0) {
  }
}

void wake_watcher() noexcept {
  const char byte = 0;
  [[maybe_unused]] const auto written = ::write(wake_pipe[1], &byte, 1);
}

void install(int number, struct sigaction& previous) {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(number, &action, &previous) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "corio::run: cannot install the SIGINT/SIGTERM handler");
}

} // namespace

struct shutdown_signals::waiting {
  std::function<void(int)> on_first;
};

shutdown_signals::shutdown_signals(boost::asio::io_context& loop_zero,
                                   std::function<void(int)> on_first) {
  std::call_once(wake_pipe_created, create_wake_pipe);
  bool expected = false;
  if (!installed.compare_exchange_strong(expected, true))
    return; // another thread's run() handles the signals
  owner_ = true;
  drain_wake_pipe();
  first_signal = 0;
  watcher_stopping = false;
  waiting_ = std::make_shared<waiting>(waiting{std::move(on_first)});
  try {
    watch(loop_zero);
  } catch (const std::system_error& e) {
    installed = false;
    throw std::system_error(e.code(), "corio::run: cannot start the signal-watching thread");
  }
  try {
    install(SIGINT, previous_int_);
    try {
      install(SIGTERM, previous_term_);
    } catch (...) {
      ::sigaction(SIGINT, &previous_int_, nullptr);
      throw;
    }
  } catch (...) {
    watcher_stopping = true;
    wake_watcher();
    watcher_.join();
    installed = false;
    throw;
  }
}

shutdown_signals::~shutdown_signals() {
  stop();
}

void shutdown_signals::watch(boost::asio::io_context& loop_zero) {
  // The posted call holds `waiting` weakly: once this object is gone (it may run in a
  // later run() on the same io_context), it does nothing.
  std::weak_ptr<waiting> weak = waiting_;
  watcher_ = std::thread([&loop_zero, weak] {
    pollfd readable{wake_pipe[0], POLLIN, 0};
    for (;;) {
      if (::poll(&readable, 1, -1) < 0 && errno != EINTR)
        return;
      drain_wake_pipe();
      if (watcher_stopping)
        return;
      if (const int number = first_signal.load(); number != 0) {
        boost::asio::post(loop_zero, [weak, number] {
          if (const std::shared_ptr<waiting> alive = weak.lock())
            alive->on_first(number);
        });
        return; // a second signal ends the process from the handler
      }
    }
  });
}

int shutdown_signals::stop() noexcept {
  if (!owner_ || stopped_)
    return received_;
  stopped_ = true;
  ::sigaction(SIGTERM, &previous_term_, nullptr);
  ::sigaction(SIGINT, &previous_int_, nullptr);
  received_ = first_signal.load();
  watcher_stopping = true;
  wake_watcher();
  watcher_.join();
  waiting_.reset();
  installed = false;
  return received_;
}

} // namespace corio::detail
