// corio/detail/start_task.hpp - how a task is started: one task_core, one Asio
// thread of execution.
//
// Design: spawn() creates the task's core and posts a small launcher to the loop;
// nothing else is allocated until the task's turn comes. asyncio and tokio start a
// task on a later turn of the loop, so the spawner runs on undisturbed, and a task
// cancelled before that turn never starts: the launcher finishes it as cancelled
// without running its body (the core remembers the request, since no cancellation
// handler is installed yet).
//
// On its turn the launcher starts the task's Asio thread of execution itself
// (asio_glue.hpp), not through co_spawn (issue 18): the bottom frame is task_entry,
// which runs the user's awaitable and stores the result or exception in the core, so
// the result never has to be default-constructible and the task finishes the moment
// the body ends. The thread's cancellation state hangs straight off the core's
// cancellation signal: task::cancel() emits on it and Asio's own machinery delivers
// the cancellation, synchronously, to whatever operation the coroutine is suspended
// in. co_spawn would add its own entry frame, a dispatch before the first step and
// after the last, and a proxy cancellation handler with a second signal; none of
// them is needed when the loop is already running the launcher and the result goes
// to the core. task_entry holds a work-tracking executor, as co_spawn's entry does,
// so the io_context does not run out of work while a task waits on something that is
// not an Asio operation (a corio queue, a join). The coroutine runs on a
// task_executor, so each of its steps is known to be this task's; the first step
// runs inside the launcher, in a step_scope of its own.
//
// Cost: until its turn a task holds the core (besides the user's coroutine frame); the
// launcher is posted to the io_context directly, not through any_io_executor's
// type-erased function, and its operation lives in memory the core keeps for it. Once
// started, a task is the user's frame (Asio's recycling cache or malloc), task_entry's frame
// and the core (both from the loop's block cache, block_cache.hpp: a finished task's blocks
// serve the next one) and one cancellation handler (Asio's recycling cache).
#ifndef CORIO_DETAIL_START_TASK_HPP
#define CORIO_DETAIL_START_TASK_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/asio_glue.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/detail/task_registry.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

// task_entry's frame comes from the loop's block cache (asio_glue.hpp's entry_frame):
// the promise type of a coroutine returning entry_awaitable whose first parameter is a
// task core. No other coroutine has that signature.
template <typename T, typename Body, typename Work>
struct std::coroutine_traits<corio::detail::asio_glue::entry_awaitable,
                             corio::detail::task_core_ptr<T>, Body, Work> {
  using promise_type = corio::detail::asio_glue::entry_frame;
};

namespace corio::detail {

// The bottom frame of a task's thread of execution. `work` keeps the loop's
// io_context from running out of work while the task lives: a work-tracking
// io_context executor when the loop is one (8 bytes of the frame, against 48 for
// an any_io_executor).
template <typename T, typename Work>
asio_glue::entry_awaitable task_entry(task_core_ptr<T> core, awaitable<T> body,
                                      [[maybe_unused]] Work work) {
  try {
    core->mark_started();
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      core->set_value();
    } else {
      core->set_value(co_await std::move(body));
    }
  } catch (...) {
    core->finish_with_exception(std::current_exception());
  }
  // The coroutine is over: nothing can be cancelled any more (cancel() of a
  // finished task does nothing), and the thread's cancellation handler goes back to
  // Asio's recycling cache while it is hot. Nothing of the thread touches its
  // cancellation state after the last statement (checked against Asio 1.26).
  core->cancellation_slot().clear();
}

// The allocator of the launcher's posted operation: the memory the core keeps for it
// (task_core_base::take_launch_memory), the heap when that does not fit. A spawned task
// then allocates the core and nothing else until its first turn, and when many tasks
// start at once their launchers are not freed to malloc in a burst (glibc would keep
// them in its fastbins, and walk them all in malloc_consolidate later).
template <typename U>
class launch_allocator {
public:
  using value_type = U;

  explicit launch_allocator(task_core_base* core) noexcept : core_(core) {}
  template <typename V>
  // NOLINTNEXTLINE(google-explicit-constructor): allocators rebind implicitly
  launch_allocator(const launch_allocator<V>& other) noexcept : core_(other.core()) {}

  U* allocate(std::size_t count) {
    if (void* memory = core_->take_launch_memory(count * sizeof(U), alignof(U)))
      return static_cast<U*>(memory);
    return std::allocator<U>().allocate(count);
  }
  void deallocate(U* memory, std::size_t count) noexcept {
    if (!core_->give_back_launch_memory(memory))
      std::allocator<U>().deallocate(memory, count);
  }

  task_core_base* core() const noexcept { return core_; }
  friend bool operator==(const launch_allocator& a, const launch_allocator& b) noexcept {
    return a.core_ == b.core_;
  }

private:
  task_core_base* core_;
};

// Runs on the task's first turn: starts the coroutine, or ends a task cancelled
// before that turn without running it. `Loop` is the loop's io_context executor
// when it is one (8 bytes in the posted operation, against 48 for an
// any_io_executor); the task's task_executor is built when the task starts.
template <typename T, typename Loop>
struct task_launcher {
  Loop loop;
  task_core_ptr<T> core;
  awaitable<T> body;

  using allocator_type = launch_allocator<void>;
  allocator_type get_allocator() const noexcept { return allocator_type(core.get()); }

  void operator()() {
    if (core->cancel_requested()) {
      core->finish_cancelled();
      return;
    }
    const step_scope first_step(core->ref());
    const executor steps_on = task_executor_for(executor(loop), core->ref());
    const boost::asio::cancellation_slot slot = core->cancellation_slot();
    asio_glue::launch_thread(
        task_entry<T>(std::move(core), std::move(body),
                      boost::asio::prefer(loop, boost::asio::execution::outstanding_work.tracked)),
        steps_on, slot);
  }
};

/// Posts `function` to `loop`; straight to the io_context when that is what it
/// is, which saves any_io_executor's type-erased function (one allocation).
template <typename Function>
void post_to_loop(const executor& loop, Function&& function) {
  if (const auto* io_context_executor = loop.target<boost::asio::io_context::executor_type>())
    boost::asio::post(*io_context_executor, std::forward<Function>(function));
  else
    boost::asio::post(loop, std::forward<Function>(function));
}

/// Creates the task's core in `ex`'s registry and starts `body` on `ex`'s loop.
template <typename T>
task_core_ptr<T> start_task(const executor& ex, awaitable<T> body, std::string name,
                            std::source_location spawn_site) {
  const executor loop = loop_executor(ex);
  task_registry& registry = task_registry::of(loop);
  task_core_ptr<T> core(new task_core<T>(registry, std::move(name), spawn_site));
  using io_executor = boost::asio::io_context::executor_type;
  if (const auto* io_context_executor = loop.target<io_executor>())
    boost::asio::post(*io_context_executor,
                      task_launcher<T, io_executor>{*io_context_executor, core, std::move(body)});
  else
    boost::asio::post(loop, task_launcher<T, executor>{loop, core, std::move(body)});
  if (registry.cancels_new_tasks())
    core->cancel(); // started during run()'s final drain: it never runs its body
  return core;
}

} // namespace corio::detail

#endif // CORIO_DETAIL_START_TASK_HPP
