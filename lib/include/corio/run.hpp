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
// Options (run_options.hpp): the number of loops, the size of to_thread()'s pool
// (joined when run() ends), debug mode. Too many loops or pool threads (over
// run_options::max_threads) is std::invalid_argument before anything runs.
// Thread-safety: run() may be called from any thread, one loop per thread.
// Cancellation: main runs as a task and can be cancelled like any task (e.g. by
// a signal handler coroutine); run() then rethrows cancelled_error.
#ifndef CORIO_RUN_HPP
#define CORIO_RUN_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/run_options.hpp>
#include <corio/task.hpp>

#include <exception>
#include <utility>

namespace corio {

template <typename T>
T run(awaitable<T> main, run_options options = {}) {
  detail::runtime runtime(options);
  task<T> main_task = spawn(runtime.get_executor(), std::move(main));
  runtime.run_until_complete(*detail::task_access::core(main_task));
  return main_task.result();
}

} // namespace corio

#endif // CORIO_RUN_HPP
