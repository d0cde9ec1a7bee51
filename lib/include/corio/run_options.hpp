// corio/run_options.hpp - how corio::run() sets up its loop.
//
//   corio::run(main_task(), {.thread_pool_size = 4});   // to_thread() uses 4 threads
//   corio::run(main_task(), {.debug = true});           // or CORIO_DEBUG=1 in the environment
//   corio::run(main_task(), {.debug = true, .slow_step = std::chrono::milliseconds(20)});
//   corio::run(main_task(), {.handle_signals = false});  // Ctrl-C kills, as before
//   corio::run(main_task(), {.virtual_time = true});     // tests: sleeps take no time
//
// A plain aggregate: fields are added over time, each with a default that keeps
// run() behaving as before, so designated initializers stay valid.
//
// Debug mode (asyncio's debug mode) names what blocks the loop. Every step of
// every task (one resumption, up to its next suspension) is timed; a step longer
// than slow_step logs `Executing <Task pending name='slow'> took 3.002 seconds`
// when it ends, and a watchdog thread warns while such a step is still running.
// It also makes SIGUSR1 print dump_tasks() to stderr (when the loop is free), and
// warns when run() ends with tasks that never ran. Off, it costs no clock reads.
// Thread-safety: a value type.
// Cancellation: plain data; nothing here suspends or can be cancelled. The options
// only shape how run() drains its tasks (see run.hpp for its cancellation rules).
#ifndef CORIO_RUN_OPTIONS_HPP
#define CORIO_RUN_OPTIONS_HPP

#include <chrono>
#include <cstddef>

namespace corio {

struct run_options {
  /// The most threads corio starts for `loops` or `thread_pool_size`; a larger
  /// value is rejected by run() with std::invalid_argument.
  static constexpr std::size_t max_threads = 1024;

  /// Threads of the pool behind to_thread(), shared by every loop; 0 means
  /// std::thread::hardware_concurrency() (at least 1). The pool is created on the
  /// first to_thread() and joined when run() ends, after every task has ended. If
  /// not even its first thread can be started, that to_thread() throws
  /// std::system_error; if only some can, it goes on with those (logged).
  std::size_t thread_pool_size = 0;
  /// Debug mode (see above). Also switched on by the environment variable
  /// CORIO_DEBUG set to anything but "" or "0".
  bool debug = false;
  /// In debug mode, the step duration that counts as blocking the loop. Must be
  /// positive (run() throws std::invalid_argument otherwise).
  std::chrono::steady_clock::duration slow_step = std::chrono::milliseconds(100);
  /// How many loops run the program's tasks, each on its own thread (loop.hpp):
  /// main runs on loop 0, the calling thread; loops 1..N-1 get a thread each.
  /// 0 means one per hardware thread. The default, 1, is a single-threaded loop.
  std::size_t loops = 1;
  /// Graceful shutdown on SIGINT (Ctrl-C) and SIGTERM, like asyncio.Runner. While
  /// run() runs (main, the drain, the joins: nothing before, nothing after), the
  /// first of them cancels main, which cancels what it awaits; the drain then
  /// cancels and waits for every other task as when main ends; run() finally throws
  /// corio::interrupted (errors.hpp) with the signal number, so that main() can
  /// `return e.exit_code();` (130 or 143). A second one while that drain runs ends
  /// the process at once: "corio: second SIGINT during shutdown; exiting at once" on
  /// stderr, exit status 128 + signal, no destructors. The signal is taken on loop
  /// 0, whatever thread the kernel chose; a loop blocked by a task sees the first
  /// one when it is free again (the second still works). The previous dispositions
  /// (SIG_DFL, SIG_IGN or the program's handlers) come back when run() returns or
  /// throws; a signal before run() starts meets them (by default the process dies).
  /// Dispositions are process-wide: a run() started while another thread's run()
  /// handles signals leaves them to that one. false: run() does not touch signal
  /// dispositions at all (corio before issue 19).
  bool handle_signals = true;
  /// Virtual time (clock.hpp): every loop's clock stands still while a task can run
  /// and jumps to the earliest corio deadline when every task waits and none waits for
  /// something real (a socket, a thread). For tests: an hour of sleeps in ~0 ms, and the
  /// same timeline every run. Debug mode keeps timing steps on the real clock.
  bool virtual_time = false;
};

} // namespace corio

#endif // CORIO_RUN_OPTIONS_HPP
