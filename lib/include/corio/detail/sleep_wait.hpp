// corio/detail/sleep_wait.hpp - how a corio::sleep_operation waits: an entry in the
// loop's timer queue holding the completion handler, kept in the awaiting coroutine's
// own frame when the sleep is co_awaited.
//
// Design (docs/design.md, "Light tasks"): `co_await corio::sleep(d)` goes through Asio's
// await_transform for async operations, whose awaiter object lives in the awaiting frame
// for the whole suspension. corio specializes that awaiter for sleep_operation (as
// join.hpp does for tasks), so a sleep costs no coroutine frame, no timer object and
// no heap-allocated wait operation: the sleep_waiter below is a member of the awaiter,
// linked into timer_queue.hpp's queue. With any other completion token the same
// sleep_waiter is allocated as a node with the handler's associated allocator.
//
// A deadline not later than the queue's now() completes on the next turn (posted),
// never inline. On an io_context the completion is the waiter itself, queued on the
// scheduler in place (asio_glue::in_place_operation: no allocation when a sleep ends,
// as none when it starts); when it runs it resumes a task's coroutine in a step of that
// task, as the task's executor would; any other handler is dispatched to its associated
// executor from that turn (Asio's post does the same). On a context that is not an
// io_context the completion is posted to the handler's executor, as the waiter list's
// are.
// Cancellation: through the handler's cancellation slot (the task's, for a coroutine):
// the entry leaves the queue and the handler is posted with operation_aborted, which
// co_await turns into corio::cancelled_error. A cancellation after the deadline fired
// finds nothing queued and is ignored (the sleep completes normally).
// Thread-safety: none; the loop thread.
#ifndef CORIO_DETAIL_SLEEP_WAIT_HPP
#define CORIO_DETAIL_SLEEP_WAIT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/asio_glue.hpp> // the Asio version check for the awaitable_async_op use
#include <corio/detail/handler_node.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/detail/timer_queue.hpp>
#include <corio/detail/waiter_list.hpp> // post_completion

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace corio::detail {

/// One sleep: its place in the timer queue and the handler it completes.
template <typename Handler>
class sleep_waiter : public timer_queue_entry,
                     private asio_glue::in_place_operation<sleep_waiter<Handler>> {
public:
  sleep_waiter() = default;
  sleep_waiter(const sleep_waiter&) = delete;
  sleep_waiter& operator=(const sleep_waiter&) = delete;

  /// Waits until `deadline`, then posts handler(error_code{}); a cancellation through
  /// the handler's slot posts handler(operation_aborted) instead.
  void start(Handler handler, time_point deadline) {
    note_waiting("sleep");
    const executor loop = loop_executor(boost::asio::get_associated_executor(handler));
    queue_ = &timer_queue::of(loop);
    handler_.emplace(std::move(handler));
    if (deadline <= queue_->now()) {
      complete({}); // due already: the next turn, as an expired steady_timer's wait
      return;
    }
    queue_->add(*this, deadline, loop);
    slot_.connect(*handler_, this);
  }

protected:
  ~sleep_waiter() {
    if (queued())
      queue_->remove(*this);
  }

private:
  friend class slot_link<sleep_waiter>;
  friend class asio_glue::in_place_operation<sleep_waiter>;

  /// The heap node frees itself here; `handler` (moved out of it, or null when it
  /// was dropped) gives the allocator. The awaiter's waiter lives on in the frame.
  virtual void release(const Handler& handler) noexcept = 0;

  void fire() override {
    slot_.clear();
    complete({});
  }

  void abandon() noexcept override {
    slot_.clear();
    // Dropped unrun: a coroutine's thread unwinds through its executor.
    (void)take_handler();
  }

  // Inside the slot's own call.
  void cancelled() {
    if (!queued())
      return;
    queue_->remove(*this);
    slot_.disarm();
    complete(boost::asio::error::operation_aborted);
  }

  void complete(boost::system::error_code ec) {
    if (boost::asio::detail::scheduler* scheduler = queue_->scheduler()) {
      aborted_ = ec == boost::asio::error::operation_aborted;
      this->post_to(*scheduler);
      return;
    }
    post_completion(take_handler(), ec);
  }

  // The scheduler runs the posted waiter (on the loop's thread).
  void run_posted() {
    const boost::system::error_code ec =
        aborted_ ? boost::asio::error::operation_aborted : boost::system::error_code();
    Handler handler = take_handler(); // `this` may be gone after the handler runs
    const auto ex = completion_executor(handler);
    if constexpr (std::is_same_v<std::decay_t<decltype(ex)>, executor>) {
      using task_loop_executor = task_executor<boost::asio::io_context::executor_type>;
      if (const auto* task = ex.template target<task_loop_executor>();
          task != nullptr && task->inner().running_in_this_thread()) {
        const step_scope step(task->task());
        std::move(handler)(ec);
        return;
      }
    }
    // Any other handler: this already is the posted turn, so it runs through its own
    // executor now (at once when that executor runs here), as Asio's post does.
    boost::asio::dispatch(ex, boost::asio::append(std::move(handler), ec));
  }
  // The io_context went away with the completion queued: a coroutine unwinds.
  void drop_posted() noexcept { (void)take_handler(); }

  // Moves the handler out and frees the node (a heap node: `this`).
  Handler take_handler() noexcept {
    Handler handler(std::move(*handler_));
    handler_.reset();
    release(handler);
    return handler;
  }

  std::optional<Handler> handler_;
  timer_queue* queue_ = nullptr;
  slot_link<sleep_waiter> slot_;
  bool aborted_ = false; // what the posted completion reports
};

/// A sleep_waiter on the heap, for completion tokens other than co_await's.
template <typename Handler>
// final, and it frees itself as a sleep_node (never through a base pointer).
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class sleep_node final : public sleep_waiter<Handler> {
public:
  static void start(Handler handler, timer_queue_entry::time_point deadline) {
    auto* node = ::new (allocate_node<sleep_node>(handler)) sleep_node();
    node->sleep_waiter<Handler>::start(std::move(handler), deadline);
  }

private:
  sleep_node() = default;
  ~sleep_node() = default;

  void release(const Handler& handler) noexcept override {
    this->~sleep_node();
    deallocate_node(this, handler);
  }
};

/// The sleep_waiter inside a co_await's awaiter, in the awaiting coroutine's frame.
template <typename Handler>
// final, and never destroyed through a base pointer.
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class sleep_in_frame final : public sleep_waiter<Handler> {
public:
  sleep_in_frame() = default;
  ~sleep_in_frame() = default;
  sleep_in_frame(const sleep_in_frame&) = delete;
  sleep_in_frame& operator=(const sleep_in_frame&) = delete;

private:
  void release(const Handler&) noexcept override {}
};

/// What a co_await of a sleep ends with: nothing, or cancelled_error.
void sleep_resumed(const boost::system::error_code& error);

} // namespace corio::detail

#endif // CORIO_DETAIL_SLEEP_WAIT_HPP
