// corio/as_completed.hpp - the tasks of a set, one at a time, in the order they
// finish (asyncio.as_completed).
//
//   corio::as_completed finished(downloads);              // std::vector<task<page>>
//   while (std::optional<corio::task<page>> t = co_await finished.next())
//     try { show(co_await *t); }                          // ready: returns at once
//     catch (const std::exception& e) { fmt::print("failed: {}\n", e.what()); }
//
// as_completed(tasks) starts watching the tasks at construction (so the order is
// the order they really ended, even for tasks that end before the first next()).
// next() waits for the next task to end and returns its handle, already done;
// `co_await *t` then gives its value or rethrows its exception or cancelled_error.
// After the last task, next() returns std::nullopt (at once; also for an empty
// vector). It does not own the tasks: a failure of one does not cancel the others.
//
// Cancellation: cancelling a coroutine inside next() stops that wait with
// cancelled_error and nothing else: no task is consumed (a later next() returns
// the same task it would have) and the tasks keep running (they are the caller's;
// cancel them, or let run() do it at the end).
// Resumes: on the loop, on a later turn than the task's end.
// Errors: constructing it outside a corio loop throws std::logic_error; empty task
// handles throw std::logic_error.
// Thread-safety: loop thread only; one next() at a time (a second concurrent one
// waits for a later task).
//
// The async-generator form (Python 3.13's `async for t in as_completed(tasks)`):
//
//   co_await corio::for_each(corio::as_completed_generator(downloads),
//                            [](corio::task<page> t) -> corio::awaitable<void> {
//                              show(co_await t);
//                            });
//
// as_completed_generator(tasks) is an async_generator<task<T>> over the same order
// (recorded from the call). It follows async_generator's rules: cancelling a coroutine
// inside its next() closes it (a later next() throws generator_exhausted); the tasks
// keep running either way. Use the class when a cancelled wait must leave it usable.
#ifndef CORIO_AS_COMPLETED_HPP
#define CORIO_AS_COMPLETED_HPP

#include <corio/async_generator.hpp>
#include <corio/awaitable.hpp>
#include <corio/detail/child_set.hpp>
#include <corio/errors.hpp>
#include <corio/task.hpp>

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace corio {

namespace detail {
[[noreturn]] void throw_as_completed_cancelled();
} // namespace detail

template <typename T>
class as_completed {
public:
  /// Watches `tasks` (handles are copied) on the loop of this thread.
  explicit as_completed(std::vector<task<T>> tasks)
      : tasks_(std::move(tasks)),
        set_(new detail::child_set(detail::current_executor("corio::as_completed"),
                                   {.owner = "corio::as_completed", .watch_only = true})) {
    for (const auto& t : tasks_)
      set_->watch(detail::task_access::core(t));
  }

  /// How many tasks next() has not returned yet.
  std::size_t remaining() const noexcept { return tasks_.size() - returned_; }

  /// The next task to finish, or std::nullopt when all have been returned.
  awaitable<std::optional<task<T>>> next() {
    const boost::intrusive_ptr<detail::child_set> set = set_;
    while (returned_ < tasks_.size() && set->finished().size() <= returned_) {
      bool cancelled = false;
      try {
        co_await set->wakeups().async_wait({}, boost::asio::use_awaitable_t<executor>());
      } catch (const boost::system::system_error&) {
        cancelled = true;
      }
      if (cancelled)
        detail::throw_as_completed_cancelled();
    }
    if (returned_ == tasks_.size())
      co_return std::nullopt;
    co_return tasks_[set->finished()[returned_++]];
  }

private:
  std::vector<task<T>> tasks_;
  boost::intrusive_ptr<detail::child_set> set_;
  std::size_t returned_ = 0;
};

/// The tasks in the order they finish, as an async generator (see above). Constructing
/// it watches the tasks at once, as the class does.
template <typename T>
async_generator<task<T>> as_completed_generator(std::vector<task<T>> tasks) {
  return async_generator<task<T>>(
      [](yielder<task<T>> yield, as_completed<T> finished) -> awaitable<void> {
        while (std::optional<task<T>> t = co_await finished.next())
          co_await yield(std::move(*t));
      },
      as_completed<T>(std::move(tasks)));
}

} // namespace corio

#endif // CORIO_AS_COMPLETED_HPP
