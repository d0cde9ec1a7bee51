// corio/detail/shutdown_signals.hpp - run()'s SIGINT/SIGTERM handling
// (run_options::handle_signals): the first signal cancels main, a second one during
// the drain ends the process at once.
//
// Design: a sigaction handler (async-signal-safe: one lock-free atomic and write(2))
// records the first signal and writes a byte to a process-wide pipe; a small watcher
// thread blocks reading the pipe and posts on_first(signal) to loop 0, where main
// lives. Whatever thread the kernel picked, and however many loops run, the signal
// is handled on loop 0.
//
// Why a thread and not an Asio read on loop 0 (issue 18): a descriptor registered
// with loop 0 starts its reactor, and from then on Asio's scheduler polls epoll
// (one epoll_wait system call) every time its queue comes round, before nearly
// every handler of a loop that has no I/O or timers of its own. That made a queue
// ping-pong 7.8x slower and spawn-join warm 2.8x slower (docs/design.md, "Light
// tasks"). The watcher costs one blocked thread while run() handles signals. A signal that comes
// while another one is recorded writes "corio: second SIGINT during shutdown; exiting at once" to
// stderr and _Exit()s with 128 + signal, from the handler: it works even when the loop is blocked.
//
// The handlers are installed by the constructor and the previous dispositions
// (whatever they were: SIG_DFL, SIG_IGN, the program's own handler) restored by
// stop() or the destructor. A signal before or after that window meets the previous
// disposition. Handlers are process-wide, so one run() at a time owns them: a run()
// that starts while another thread's run() handles signals leaves them to it
// (owns() is false and received() stays 0).
//
// The pipe is created once and never closed: a handler still running on another
// thread while stop() restores the dispositions can never write to a reused
// descriptor. Its bytes are drained when the next run() installs the handlers.
//
// Thread-safety: construct, stop and destroy on loop 0's thread; the handler may run
// on any thread; the watcher only reads the pipe and posts (thread-safe) to loop 0,
// and stop() joins it, so nothing is posted after stop(). Cancellation: this is what cancels main;
// it suspends nothing itself.
#ifndef CORIO_DETAIL_SHUTDOWN_SIGNALS_HPP
#define CORIO_DETAIL_SHUTDOWN_SIGNALS_HPP

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <thread>

#include <signal.h> // NOLINT(modernize-deprecated-headers): POSIX sigaction, not in <csignal>

namespace corio::detail {

class shutdown_signals {
public:
  /// Installs the handlers for SIGINT and SIGTERM (unless another run() owns them)
  /// and starts the watcher that posts the first signal to `loop_zero`. Throws
  /// std::system_error when the pipe, the thread or a handler cannot be set up.
  shutdown_signals(boost::asio::io_context& loop_zero, std::function<void(int)> on_first);
  ~shutdown_signals();
  shutdown_signals(const shutdown_signals&) = delete;
  shutdown_signals& operator=(const shutdown_signals&) = delete;

  bool owns() const noexcept { return owner_; }
  /// Restores the previous dispositions (once; later calls do nothing) and returns
  /// the first signal received while they were installed, or 0.
  int stop() noexcept;

private:
  struct waiting; // what a posted on_first refers to; outlives this object
  void watch(boost::asio::io_context& loop_zero);

  bool owner_ = false;
  bool stopped_ = false;
  int received_ = 0;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  std::shared_ptr<waiting> waiting_;
  std::thread watcher_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_SHUTDOWN_SIGNALS_HPP
