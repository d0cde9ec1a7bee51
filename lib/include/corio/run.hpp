// corio/run.hpp - the entry point from ordinary code into coroutines (asyncio.run).
//
//   int main() {
//     int answer = corio::run(supervisor());   // blocks until supervisor() returns
//     fmt::print("Answer: {}\n", answer);
//   }
//
// run() creates a fresh loop on the calling thread, runs `main` on it as the task
// "Task-1", and returns its result or rethrows its exception. When main ends,
// every task still alive is cancelled and the loop runs until all of them have
// ended, so nothing outlives run() and nothing leaks. With {.loops = N}, loops
// 1..N-1 run on threads of their own (loop.hpp); the end cancels and drains the
// tasks of every loop, then joins their threads.
//
// Errors: calling run() while a corio loop already runs on this thread throws
// std::logic_error (use co_await or spawn() instead). Non-guarantee: like
// asyncio.run, run() waits for main however long it takes, and at the end for
// every cancelled task to end; a task that ignores its cancellation and waits on
// something that never comes keeps it waiting, with a warning naming the task
// every second.
//
// Ctrl-C and SIGTERM (run_options::handle_signals, on by default): while run()
// runs, the first of them cancels main and run() drains every task as above, then
// throws corio::interrupted carrying the signal (asyncio.run raises
// KeyboardInterrupt); a second one during the drain ends the process at once with
// exit status 128 + signal. The signal wins over main's outcome: main may catch
// its cancelled_error and return a value (to shut down in order: close listeners,
// finish requests), or may have returned before the signal came during the drain;
// run() throws interrupted all the same, because the program was asked to stop
// and the shell should hear so (an exception main ended with is then logged as
// "Task exception was never retrieved", not lost):
//
//   int main() {
//     try { return corio::run(serve()); }
//     catch (const corio::interrupted& e) { return e.exit_code(); }  // 130, 143
//   }
//
// Options (run_options.hpp): the number of loops, the size of to_thread()'s pool
// (joined when run() ends), debug mode, signal handling. Too many loops or pool threads (over
// run_options::max_threads) is std::invalid_argument before anything runs.
// Thread-safety: run() may be called from any thread, one loop per thread.
// Cancellation: main runs as a task and can be cancelled like any task (by
// another task, or by a signal as above); cancelled by a task, run() rethrows
// cancelled_error, by a handled signal it throws interrupted.
#ifndef CORIO_RUN_HPP
#define CORIO_RUN_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/errors.hpp>
#include <corio/run_options.hpp>
#include <corio/task.hpp>

#include <exception>
#include <utility>

namespace corio {

/// Runs `main` (an awaitable or an awaitable operation, awaitable.hpp) as the task
/// "Task-1" on a fresh loop; its result, or its exception rethrown.
template <awaitable_like A, typename T = awaitable_result_t<A>>
T run(A main, run_options options = {}) {
  detail::runtime runtime(options);
  task<T> main_task = spawn(runtime.get_executor(), detail::to_awaitable(std::move(main)));
  runtime.run_until_complete(*detail::task_access::core(main_task));
  if (const int signal_number = runtime.interrupted_by(); signal_number != 0)
    throw interrupted(signal_number);
  return main_task.result();
}

} // namespace corio

#endif // CORIO_RUN_HPP
