// corio/task_group.hpp - structured concurrency: tasks that are spawned into a
// group and all end before the group does (asyncio.TaskGroup, Trio's nursery).
//
//   corio::task_group group;
//   auto user = group.spawn(fetch_user(id), "user");
//   group.spawn(send_metrics());
//   co_await group.join();                 // every child has ended here
//   fmt::print("{}\n", co_await user);     // done: returns at once
//
// spawn(aw, name) starts aw as a child task (on a later turn, like corio::spawn)
// and returns its handle; children may spawn more siblings while join() waits.
// join() waits until every child has ended.
//
// Failure: the first child to fail (an exception other than a cancellation) makes
// the group cancel every other child; join() waits for all of them and then
// throws corio::task_group_error: what() names the task and its message, plus
// "(and N more failures)" when other children failed too; first() and
// exceptions() give the original exceptions (asyncio raises an ExceptionGroup the
// same way). A child that ends cancelled (by its handle, or by the group) is not a
// failure. The owner is not interrupted by a child's failure; it learns of it at
// join(). spawn() on a group that is failing starts the task already cancelled.
//
// Cancellation: cancelling the owner while it is in join() cancels every child,
// waits until all have ended, and throws cancelled_error; every child failure seen
// meanwhile is logged at warn. join() in an already cancelled task throws at once.
//
// Lifetime: C++ has no async destructor, so a group cannot wait in its destructor.
// Destroying a group whose children still run (join() never called, or the owner
// left by an exception or a cancellation) cancels them at once; they end at their
// next suspension point (run() drains them at the latest). Without an exception in
// flight this is a bug and is logged at warn. Children's failures that no join()
// will report (before or after the group went) are logged at warn, so none is lost
// in silence. Nothing leaks and nothing crashes.
// Errors: spawn() or join() after join() has finished, and a second join() while
// one runs, throw std::logic_error; constructing a group outside a corio loop
// without an executor throws std::logic_error.
// Resumes: join() resumes on the loop, after the last child's end.
// Thread-safety: loop thread only. With several loops, the group binds to the loop
// that first uses it; spawn() or join() from a task of another loop throws
// std::logic_error naming both loops (spawn(loop, ...) a task there instead).
#ifndef CORIO_TASK_GROUP_HPP
#define CORIO_TASK_GROUP_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/child_set.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/task.hpp>

#include <cstddef>
#include <exception>
#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace corio {

/// What join() throws when children failed: the first failure, and the others.
class task_group_error : public std::runtime_error {
public:
  task_group_error(const std::string& task_name, std::vector<std::exception_ptr> exceptions);
  /// The first failure, as thrown by the child.
  std::exception_ptr first() const noexcept { return exceptions_.front(); }
  /// Every failure, the first one first.
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
  /// How many children failed after the first.
  std::size_t further_failures() const noexcept { return exceptions_.size() - 1; }

private:
  std::vector<std::exception_ptr> exceptions_;
};

class task_group {
public:
  /// A group on the loop running on this thread.
  task_group();
  explicit task_group(executor ex);
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;
  /// Cancels children still running (see Lifetime above).
  ~task_group();

  /// Starts `body` as a child; an empty name gives "Task-N".
  template <typename T>
  task<T> spawn(awaitable<T> body, std::string name = {},
                std::source_location spawn_site = std::source_location::current()) {
    check_open("spawn");
    return detail::task_access::make(set_->start(std::move(body), std::move(name), spawn_site));
  }

  /// Waits for every child; throws task_group_error if any failed.
  awaitable<void> join();

  /// Children that have not ended yet.
  std::size_t size() const noexcept { return set_->live(); }

private:
  enum class phase { open, joining, joined };
  void check_open(const char* operation) const;
  static awaitable<void> join_children(task_group* group,
                                       boost::intrusive_ptr<detail::child_set> set);

  boost::intrusive_ptr<detail::child_set> set_;
  detail::loop_binding binding_;
  phase phase_ = phase::open;
  int uncaught_at_construction_;
};

} // namespace corio

#endif // CORIO_TASK_GROUP_HPP
