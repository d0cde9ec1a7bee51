// corio/detail/shutdown_signals.hpp - run()'s SIGINT/SIGTERM handling
// (run_options::handle_signals): the first signal cancels main, a second one during
// the drain ends the process at once.
//
// Design: a sigaction handler (async-signal-safe: one lock-free atomic and write(2))
// records the first signal and writes a byte to a process-wide pipe; loop 0 reads
// the pipe and calls on_first(signal) on its own thread, where main lives. Whatever
// thread the kernel picked, and however many loops run, the signal is handled on
// loop 0. A signal that comes while another one is recorded writes
// "corio: second SIGINT during shutdown; exiting at once" to stderr and _Exit()s
// with 128 + signal, from the handler: it works even when the loop is blocked.
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
// on any thread. Cancellation: this is what cancels main; it suspends nothing itself.
#ifndef CORIO_DETAIL_SHUTDOWN_SIGNALS_HPP
#define CORIO_DETAIL_SHUTDOWN_SIGNALS_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>

#include <signal.h> // NOLINT(modernize-deprecated-headers): POSIX sigaction, not in <csignal>

namespace corio::detail {

class shutdown_signals {
public:
  /// Installs the handlers for SIGINT and SIGTERM (unless another run() owns them)
  /// and starts waiting on `loop_zero` for the first signal. Throws
  /// std::system_error when the pipe or a handler cannot be set up.
  shutdown_signals(boost::asio::io_context& loop_zero, std::function<void(int)> on_first);
  ~shutdown_signals();
  shutdown_signals(const shutdown_signals&) = delete;
  shutdown_signals& operator=(const shutdown_signals&) = delete;

  bool owns() const noexcept { return owner_; }
  /// Restores the previous dispositions (once; later calls do nothing) and returns
  /// the first signal received while they were installed, or 0.
  int stop() noexcept;

private:
  struct waiting; // what loop 0's pending read refers to; outlives this object
  void wait_for_signal();

  bool owner_ = false;
  bool stopped_ = false;
  int received_ = 0;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  std::shared_ptr<waiting> waiting_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> reader_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_SHUTDOWN_SIGNALS_HPP
