// corio/introspection.hpp - which task is running, which tasks exist, and what
// each one waits for (asyncio.current_task, asyncio.all_tasks, and a dump).
//
//   corio::any_task me = corio::current_task();        // inside a task
//   for (const corio::any_task& t : corio::all_tasks())
//     fmt::print("{} {} waiting on {}\n", t.name(), t.age().count(), t.waiting_on());
//   corio::dump_tasks(std::cerr);                       // a table of every live task
//   // debug mode: kill -USR1 <pid> prints the same dump to stderr
//
// current_task() knows the running task because every task runs on an executor
// that marks each of its steps (detail/task_executor.hpp). all_tasks() lists the
// pending tasks of a loop, oldest first; finished ones are not listed.
//
// Errors: all_tasks() and dump_tasks() without an executor need a running corio
// loop on this thread (inside run()), else std::logic_error.
// Thread-safety: loop thread only. Cancellation: none of these suspend.
#ifndef CORIO_INTROSPECTION_HPP
#define CORIO_INTROSPECTION_HPP

#include <corio/any_task.hpp>
#include <corio/awaitable.hpp>

#include <iosfwd>
#include <vector>

namespace corio {

/// The task whose coroutine is running on this thread; an empty handle outside
/// any task (plain code, a callback that is not part of a task).
any_task current_task() noexcept;

/// The pending tasks of this thread's loop, oldest first.
std::vector<any_task> all_tasks();
/// The pending tasks of the loop `ex` runs on (a task's executor included).
std::vector<any_task> all_tasks(const executor& ex);

/// Prints one line per pending task: repr, age, what it waits for, spawn site;
/// the running one is marked.
void dump_tasks(std::ostream& out);
void dump_tasks(std::ostream& out, const executor& ex);

} // namespace corio

#endif // CORIO_INTROSPECTION_HPP
