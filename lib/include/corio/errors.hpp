// corio/errors.hpp - the exceptions corio throws into coroutines.
//
// `cancelled_error` is asyncio's CancelledError: it lands at the suspension point of
// a cancelled task. It derives from boost::system::system_error with
// asio::error::operation_aborted, so code that catches Asio's own cancellation
// (a raw socket read throws system_error(operation_aborted)) catches corio's too.
//
//   try { co_await corio::timeout(1s, fetch()); }
//   catch (const corio::timeout_error&) { /* our deadline passed */ }
//   catch (const corio::cancelled_error&) { /* someone cancelled us */ throw; }
//
// `interrupted` is what corio::run() throws, after its drain, when SIGINT or SIGTERM
// stopped the program (run_options::handle_signals; asyncio.run's KeyboardInterrupt).
// It is thrown by run() only, never inside a task (tasks see cancelled_error), so it
// derives from neither cancelled_error nor std::exception: like Python's
// KeyboardInterrupt (a BaseException, not an Exception), it goes through the
// `catch (const std::exception&)` blocks that log an error and carry on, instead of
// turning Ctrl-C into "one more failed item". Catch it by name in main():
//
//   try { return corio::run(app()); }
//   catch (const corio::interrupted& e) { return e.exit_code(); }   // 130 or 143
//
// Uncaught, it ends the program through std::terminate (abort, exit status 134).
//
// Thread-safety: plain exception types.
#ifndef CORIO_ERRORS_HPP
#define CORIO_ERRORS_HPP

#include <boost/system/system_error.hpp>

#include <exception>
#include <stdexcept>
#include <string>

namespace corio {

/// Thrown at a cancelled task's suspension point (asyncio.CancelledError).
class cancelled_error : public boost::system::system_error {
public:
  cancelled_error();
  explicit cancelled_error(const std::string& what);
  /// The message alone, without system_error's ": Operation canceled [system:125]".
  const char* what() const noexcept override;

private:
  std::string message_;
};

/// Thrown by `timeout()` when its own deadline passed (asyncio.TimeoutError).
/// Carries asio::error::timed_out.
class timeout_error : public boost::system::system_error {
public:
  explicit timeout_error(const std::string& what);
  const char* what() const noexcept override;

private:
  std::string message_;
};

/// Thrown by a channel's sends once it is closed, and by its receives once it is
/// closed and drained (channel.hpp). Like queue_shut_down, a std::runtime_error.
class channel_closed : public std::runtime_error {
public:
  explicit channel_closed(const std::string& what = "corio: the channel is closed");
};

/// Thrown by corio::run() when a signal it handled (SIGINT, SIGTERM) stopped the
/// program: main was cancelled and every task drained. Not a std::exception (see
/// above). Copying never throws.
class interrupted {
public:
  explicit interrupted(int signal_number) noexcept;
  /// The signal: SIGINT (2) or SIGTERM (15).
  int signal_number() const noexcept { return signal_number_; }
  /// The shell's status for "ended by this signal": 128 + signal_number().
  int exit_code() const noexcept { return 128 + signal_number_; }
  /// "interrupted by SIGINT" (or SIGTERM, or "signal N" for another one).
  const char* what() const noexcept { return message_; }

private:
  int signal_number_;
  char message_[40]{};
};

/// Thrown by barrier::wait() when the barrier was aborted (asyncio.BrokenBarrierError,
/// a RuntimeError there; a std::runtime_error here).
class broken_barrier : public std::runtime_error {
public:
  explicit broken_barrier(const std::string& what = "corio::barrier: the barrier was aborted");
};

/// corio::generator (generator.hpp): send() before the first next(): there is no paused co_yield to
/// receive the value. Python: "TypeError: can't send non-None value to a just-started generator".
class generator_not_started : public std::logic_error {
public:
  generator_not_started()
      : std::logic_error("corio::generator: can't send a value to a just-started generator; "
                         "call next() first to run it to its first co_yield") {}
};

/// next() or send() on a closed corio::generator (finished, failed or closed), and next() on a
/// closed corio::async_generator. Python: StopIteration. Declared here so that
/// async_generator.hpp need not include generator.hpp.
class generator_exhausted : public std::logic_error {
public:
  generator_exhausted()
      : std::logic_error("corio::generator: the generator is closed; it yields no more values") {}
  /// With a message of its own (async_generator.hpp says why the generator is closed).
  explicit generator_exhausted(const std::string& what) : std::logic_error(what) {}
};

/// True for corio::cancelled_error and for any system_error carrying
/// asio::error::operation_aborted: both mean "this operation was cancelled".
bool is_cancellation(const std::exception_ptr& error) noexcept;

/// The exception's message, for logs: what() for std::exception and
/// corio::interrupted, a placeholder naming the case otherwise. Never throws.
std::string describe(const std::exception_ptr& error);

} // namespace corio

#endif // CORIO_ERRORS_HPP
