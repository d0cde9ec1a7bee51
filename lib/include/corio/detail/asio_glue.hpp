// corio/detail/asio_glue.hpp - the one place where corio's task start reaches into
// Asio's `detail` namespace, checked against the one Asio version it was written for.
//
// Design (issue 18): a corio task used to be started with co_spawn around a wrapper
// coroutine; co_spawn adds an entry coroutine of its own (its frame, a dispatch, a
// completion dispatch and a cancellation handler with a second signal) on top of the
// wrapper's frame. corio starts the Asio thread of execution itself instead: one entry
// coroutine (returning `entry_awaitable`) runs the user's awaitable and stores the
// outcome in the task's core, and launch_thread() starts it the way co_spawn's
// initiation does, with the task's own cancellation slot as the thread's parent slot.
// Those names (awaitable_thread_entry_point, awaitable_handler) live in
// boost::asio::detail and change between Asio releases, so this header refuses any
// Boost other than 1.81 (Asio 1.26): a Boost upgrade is a change here, never a silent
// miscompile elsewhere. (task.hpp and detail/join.hpp specialize Asio's
// awaitable_async_op for `co_await t`; they include this header for the same check.)
//
// entry_frame is the entry coroutine's promise: Asio's own, with the frame allocated
// from the loop's block cache (block_cache.hpp) instead of Asio's two-block recycling
// cache, so that a task's entry frame is reused by the next task in the steady state.
// start_task.hpp selects it for task_entry alone, through std::coroutine_traits on
// task_entry's own parameter types; every other Asio coroutine keeps Asio's promise.
//
// in_place_operation posts an operation that lives in the caller's memory straight to
// an io_context's scheduler, as Asio's own timers and sockets queue their operations:
// a completion posted this way allocates nothing (a post through any_io_executor
// allocates a type-erased function, and that one malloc, at the wrong moment, can
// walk all of glibc's unsorted bin: docs/design.md, "Light tasks", third round).
//
// The other half of the glue is in_frame_awaiter, the base of corio's specializations of
// Asio's awaiter for its own operations (sleep.hpp, list_operation.hpp, join.hpp); the
// completions of those waits reach their handlers through completion.hpp.
//
// Thread-safety: launch_thread() runs the entry's first step inline, so call it on the
// loop's thread (start_task.hpp's launcher does).
// Cancellation: the thread's cancellation state hangs off `parent`; emitting on the
// signal behind `parent` cancels whatever operation the coroutine is suspended in.
#ifndef CORIO_DETAIL_ASIO_GLUE_HPP
#define CORIO_DETAIL_ASIO_GLUE_HPP

#include <boost/asio/version.hpp>

#if BOOST_ASIO_VERSION != 102600
#error                                                                                             \
    "corio/detail/asio_glue.hpp is written against Boost 1.81 (Asio 1.26, BOOST_ASIO_VERSION 102600): check awaitable_thread and awaitable_handler in the new Asio and update this header"
#endif

#include <corio/awaitable.hpp>
#include <corio/detail/block_cache.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/detail/scheduler_operation.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp> // awaitable_handler (in its impl/ part)

#include <coroutine>
#include <cstddef>
#include <utility>

namespace corio::detail::asio_glue {

/// What an entry coroutine returns: the bottom frame of an Asio thread of execution.
using entry_awaitable = boost::asio::awaitable<boost::asio::detail::awaitable_thread_entry_point,
                                               boost::asio::any_io_executor>;

using asio_entry_frame =
    boost::asio::detail::awaitable_frame<boost::asio::detail::awaitable_thread_entry_point,
                                         boost::asio::any_io_executor>;

/// The promise of an entry coroutine: Asio's entry-point frame, allocated from the block
/// cache of the loop that launches the task. It adds no member: Asio's
/// get_return_object() takes the coroutine handle from its own base class
/// (coroutine_handle<awaitable_frame>::from_promise), which names the same frame only
/// while the two have the same size and alignment, as the static_assert checks. An
/// Asio awaitable wants the handle of Asio's promise when it is awaited, so
/// await_transform hands it that one (the same frame, by the same argument).
class entry_frame : public asio_entry_frame {
public:
  static void* operator new(std::size_t size) { return allocate_task_block(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    deallocate_task_block(frame, size);
  }

  template <typename T>
  auto await_transform(awaitable<T> body) {
    struct awaiter {
      awaitable<T> body;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<entry_frame> self) {
        body.await_suspend(std::coroutine_handle<asio_entry_frame>::from_promise(self.promise()));
      }
      T await_resume() { return body.await_resume(); }
    };
    // Asio's own transform first: it throws when the thread is already cancelled.
    return awaiter{asio_entry_frame::await_transform(std::move(body))};
  }
};
static_assert(sizeof(entry_frame) == sizeof(asio_entry_frame) &&
              alignof(entry_frame) == alignof(asio_entry_frame));

/// Starts a thread of execution whose bottom frame is `entry`, running on `ex`, with
/// its cancellation state attached to `parent` (as co_spawn's initiation does, minus
/// co_spawn's own entry frame and proxy signal). Runs the first step inline.
inline void launch_thread(entry_awaitable entry, const boost::asio::any_io_executor& ex,
                          boost::asio::cancellation_slot parent) {
  const boost::asio::cancellation_state state(parent);
  boost::asio::detail::awaitable_handler<boost::asio::any_io_executor>(std::move(entry), ex, parent,
                                                                       state)
      .launch();
}

/// The scheduler that runs `context`'s handlers.
inline boost::asio::detail::scheduler& scheduler_of(boost::asio::io_context& context) {
  return boost::asio::use_service<boost::asio::detail::io_context_impl>(context);
}

/// An operation queued on an io_context's scheduler from the memory of `Derived`, which
/// must stay alive until one of its two hooks runs: `run_posted()` when the scheduler
/// runs it, on a thread running the io_context, or `drop_posted() noexcept` when the
/// io_context is destroyed first. Either hook may destroy the object. Post it again only
/// after a hook has run.
template <typename Derived>
class in_place_operation : private boost::asio::detail::scheduler_operation {
public:
  in_place_operation() noexcept : scheduler_operation(&in_place_operation::complete) {}
  in_place_operation(const in_place_operation&) = delete;
  in_place_operation& operator=(const in_place_operation&) = delete;

  void post_to(boost::asio::detail::scheduler& scheduler) {
    scheduler.post_immediate_completion(this, false);
  }

protected:
  ~in_place_operation() = default;

private:
  static void complete(void* owner, scheduler_operation* base, const boost::system::error_code&,
                       std::size_t) {
    auto* self = static_cast<Derived*>(static_cast<in_place_operation*>(base));
    if (owner != nullptr)
      self->run_posted();
    else
      self->drop_posted();
  }
};

/// The common part of corio's awaiters for its own operations (sleep, yield, queue
/// get/put), which specialize Asio's `awaitable_async_op`: Asio builds that awaiter in
/// the awaiting coroutine's frame, so an operation's whole wait can live in it. Once
/// the coroutine has suspended, `Derived::start(handler)` gets Asio's handler for the
/// suspended thread (calling it resumes the coroutine); `result` is where that handler
/// leaves its arguments for `await_resume()`.
template <typename Derived, typename Signature, typename Executor>
class in_frame_awaiter {
public:
  using handler_type = boost::asio::detail::awaitable_async_op_handler<Signature, Executor>;

  explicit in_frame_awaiter(boost::asio::detail::awaitable_frame_base<Executor>* frame) noexcept
      : frame_(frame) {}
  in_frame_awaiter(const in_frame_awaiter&) = delete;
  in_frame_awaiter& operator=(const in_frame_awaiter&) = delete;

  bool await_ready() const noexcept { return false; }

  void await_suspend(boost::asio::detail::coroutine_handle<void>) {
    frame_->after_suspend(
        [](void* arg) {
          auto* self = static_cast<in_frame_awaiter*>(arg);
          static_cast<Derived*>(self)->start(
              handler_type(self->frame_->detach_thread(), self->result));
        },
        this);
  }

protected:
  ~in_frame_awaiter() = default;

  typename handler_type::result_type result{};

private:
  boost::asio::detail::awaitable_frame_base<Executor>* frame_;
};

} // namespace corio::detail::asio_glue

#endif // CORIO_DETAIL_ASIO_GLUE_HPP
