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
// A deadline not later than the queue's now() completes on the next turn, never
// inline. The completion is delivered as every wait's is (completion.hpp): on an
// io_context the waiter itself is queued on the scheduler, so a sleep allocates nothing
// when it ends, as nothing when it starts.
// Cancellation: through the handler's cancellation slot (the task's, for a coroutine):
// the entry leaves the queue and the handler is posted with operation_aborted, which
// co_await turns into corio::cancelled_error. A cancellation after the deadline fired
// finds nothing queued and is ignored (the sleep completes normally).
// Thread-safety: none; the loop thread.
#ifndef CORIO_DETAIL_SLEEP_WAIT_HPP
#define CORIO_DETAIL_SLEEP_WAIT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/asio_glue.hpp> // the Asio version check for the awaitable_async_op use
#include <corio/detail/completion.hpp>
#include <corio/detail/handler_node.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/detail/timer_queue.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

#include <utility>

namespace corio::detail {

/// One sleep: its place in the timer queue and the handler it completes.
template <typename Handler>
class sleep_waiter
    : public timer_queue_entry,
      private wait_completion<sleep_waiter<Handler>, Handler, boost::system::error_code> {
public:
  sleep_waiter() = default;
  sleep_waiter(const sleep_waiter&) = delete;
  sleep_waiter& operator=(const sleep_waiter&) = delete;

  /// Waits until `deadline`, then delivers handler(error_code{}); a cancellation
  /// through the handler's slot delivers handler(operation_aborted) instead.
  void start(Handler handler, time_point deadline) {
    note_waiting("sleep");
    const executor loop = loop_executor(boost::asio::get_associated_executor(handler));
    queue_ = &timer_queue::of(loop);
    this->hold(std::move(handler));
    if (deadline <= queue_->now()) {
      this->deliver({}); // due already: the next turn, as an expired steady_timer's wait
      return;
    }
    queue_->add(*this, deadline, loop);
    slot_.connect(this->handler(), this);
  }

protected:
  ~sleep_waiter() {
    if (queued())
      queue_->remove(*this);
  }

private:
  friend class slot_link<sleep_waiter>;
  friend class wait_completion<sleep_waiter, Handler, boost::system::error_code>;

  /// The heap node frees itself here; `handler` (moved out of it) gives the allocator.
  /// The awaiter's waiter lives on in the frame.
  virtual void release(const Handler& handler) noexcept = 0;

  void fire() override {
    slot_.clear();
    this->deliver({});
  }

  void abandon() noexcept override {
    slot_.clear();
    // Dropped unrun: a coroutine's thread unwinds through its executor.
    (void)this->take();
  }

  // Inside the slot's own call.
  void cancelled() {
    if (!queued())
      return;
    queue_->remove(*this);
    slot_.disarm();
    this->deliver(boost::asio::error::operation_aborted);
  }

  timer_queue* queue_ = nullptr;
  slot_link<sleep_waiter> slot_;
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
