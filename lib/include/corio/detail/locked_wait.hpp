// corio/detail/locked_wait.hpp - waits on a waiter_list that a mutex guards, for
// waiters on different loops (coroutines) or plain threads blocked in a call:
// the waits of channel.hpp, the one thread-safe primitive.
//
// Design: the list (waiter_list.hpp's, for the linking only) and the owner's state
// change together under the owner's std::mutex. A waker holds that mutex, hands the
// value over through the waiter's `payload` and calls list.notify(), which unlinks
// the node and calls its complete():
//  - a coroutine's node posts a "finisher" to the coroutine's own executor (work
//    tracked while it waits, so its loop does not run out of work under it). The
//    finisher runs on the coroutine's loop thread: it clears the cancellation slot,
//    frees the node and resumes the coroutine. A coroutine never resumes inside the
//    waker's call, nor on the waker's thread;
//  - a blocked plain thread's node sets a flag and notifies its condition variable.
// Lock order: the owner's mutex, then an io_context's internal lock (inside post).
// Asio never calls into us while holding its own lock (handlers and cancellation
// slots run without it), so the order cannot invert.
//
// Cancellation race: a coroutine's cancellation slot fires on its own loop thread,
// maybe while another thread is handing it a value. Both take the mutex; the first
// wins. If the node is still linked, the cancellation unlinks it and completes it
// with operation_aborted (nothing was handed over); if not, the hand-off won and its
// finisher is posted: the cancellation does nothing and the wait completes normally.
//
// Invariants:
//  - a node's `linked_` (under the mutex) is true from its wait until notify();
//    only the thread that unlinks a node completes it, once;
//  - a coroutine's node is freed only by its finisher, on the coroutine's thread,
//    after clearing the slot: the slot and its forwarder (which calls into the
//    node) are touched on that thread only (Asio slots are not thread-safe), and
//    the forwarder never outlives the node;
//  - the node holds a shared_ptr to the owner's mutex (aliasing the owner's state),
//    so a cancellation that comes after the owner object is gone still finds it;
//  - a waker posts a finisher under the mutex, and the finisher takes the mutex
//    once before it resumes the coroutine: a loop can end (and destroy its
//    io_context) as soon as its coroutine resumes, and the waker's post() must have
//    returned by then (it still touches that io_context after queuing the finisher);
//  - a finisher destroyed unrun (its loop was destroyed) frees the node and its
//    handler, so nothing leaks.
//
// Thread-safety: the waits take the mutex themselves; everything else on the list
// (front, notify) requires the caller to hold it.
#ifndef CORIO_DETAIL_LOCKED_WAIT_HPP
#define CORIO_DETAIL_LOCKED_WAIT_HPP

#include <corio/detail/waiter_list.hpp>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

namespace corio::detail {

/// A waiting coroutine: its handler, its loop (work tracked) and its slot.
template <typename Handler, typename Payload>
// final, freed as itself only (see waiter_list.hpp's waiter_op).
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class locked_wait_op final : public waiter<Payload> {
public:
  // Called with *guard held, on the awaiter's thread.
  static void start(waiter_list<Payload>& list, std::shared_ptr<std::mutex> guard, Handler handler,
                    Payload payload) {
    void* memory = allocate_node<locked_wait_op>(handler);
    auto* node = ::new (memory)
        locked_wait_op(list, std::move(guard), std::move(handler), std::move(payload));
    list.push_back(*node);
    node->slot_.connect(node->handler_, node);
  }

private:
  friend class slot_link<locked_wait_op>;
  using work_executor = std::decay_t<decltype(boost::asio::prefer(
      boost::asio::get_associated_executor(std::declval<const Handler&>()),
      boost::asio::execution::outstanding_work.tracked))>;

  // Owns the node from complete() until it runs on the awaiter's executor.
  class finisher {
  public:
    finisher(locked_wait_op* node, boost::system::error_code ec) noexcept : node_(node), ec_(ec) {}
    finisher(finisher&& other) noexcept
        : node_(std::exchange(other.node_, nullptr)), ec_(other.ec_) {}
    finisher(const finisher&) = delete;
    finisher& operator=(const finisher&) = delete;
    finisher& operator=(finisher&&) = delete;
    ~finisher() {
      if (node_ != nullptr)
        (void)std::exchange(node_, nullptr)->free_node();
    }
    void operator()() {
      locked_wait_op* node = std::exchange(node_, nullptr);
      {
        // The waker posted this under the mutex. Taking it once means that post()
        // has returned: the waker no longer touches this loop's io_context, which
        // may be destroyed as soon as the coroutine resumes and its loop ends.
        std::lock_guard wait_for_the_waker(*node->guard_);
      }
      Handler handler = node->free_node();
      std::move(handler)(ec_);
    }

  private:
    locked_wait_op* node_;
    boost::system::error_code ec_;
  };

  locked_wait_op(waiter_list<Payload>& list, std::shared_ptr<std::mutex>&& guard, Handler&& handler,
                 Payload&& payload)
      : waiter<Payload>(std::move(payload)), list_(list), guard_(std::move(guard)),
        handler_(std::move(handler)),
        work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                  boost::asio::execution::outstanding_work.tracked)) {}

  // On the awaiter's thread, from its cancellation slot.
  void cancelled() {
    // A copy: once notified, the finisher may free the node before the unlock (were
    // the loop run by several threads).
    std::shared_ptr<std::mutex> guard = guard_;
    std::lock_guard lock(*guard);
    if (linked_)
      list_.notify(*this, boost::asio::error::operation_aborted);
  }

  // Under the mutex, on any thread, just unlinked. The node must not be touched
  // after the post: the finisher may already be running on the awaiter's thread.
  void complete(boost::system::error_code ec) override {
    linked_ = false;
    work_executor work = work_;
    boost::asio::post(work, finisher(this, ec));
  }

  // On the awaiter's thread: clears the slot (destroying the forwarder), frees the
  // node and returns its handler.
  Handler free_node() {
    slot_.clear();
    Handler handler(std::move(handler_));
    this->~locked_wait_op();
    deallocate_node(this, handler);
    return handler;
  }

  waiter_list<Payload>& list_;
  std::shared_ptr<std::mutex> guard_;
  Handler handler_;
  work_executor work_;
  slot_link<locked_wait_op> slot_;
  bool linked_ = true;
};

/// A plain thread blocked in wait_blocking(); lives on its stack.
template <typename Payload>
// NOLINTNEXTLINE(cppcoreguidelines-virtual-class-destructor)
class blocking_wait final : public waiter<Payload> {
public:
  explicit blocking_wait(Payload payload) : waiter<Payload>(std::move(payload)) {}

  boost::system::error_code wait(std::unique_lock<std::mutex>& lock) {
    woken_.wait(lock, [this] { return done_; });
    return outcome_;
  }

private:
  void complete(boost::system::error_code ec) override {
    outcome_ = ec;
    done_ = true;
    woken_.notify_one(); // under the mutex: the waiter cannot return (and die) first
  }

  std::condition_variable woken_;
  boost::system::error_code outcome_;
  bool done_ = false;
};

/// Waits on `list`, guarded by `*guard`; completes with void(error_code) on the
/// awaiter's executor. Under the lock, `try_now()` first returns the outcome when
/// the operation can finish at once, or nullopt to wait.
template <typename Payload, typename TryNow, typename CompletionToken>
auto async_wait_locked(waiter_list<Payload>& list, std::shared_ptr<std::mutex> guard,
                       Payload payload, TryNow try_now, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
      [&list](auto handler, std::shared_ptr<std::mutex> guard, Payload payload, TryNow try_now) {
        std::lock_guard lock(*guard);
        if (std::optional<boost::system::error_code> outcome = try_now()) {
          post_completion(std::move(handler), *outcome);
          return;
        }
        note_waiting(list.what());
        locked_wait_op<std::decay_t<decltype(handler)>, Payload>::start(
            list, std::move(guard), std::move(handler), std::move(payload));
      },
      token, std::move(guard), std::move(payload), std::move(try_now));
}

/// The same for a plain thread, which blocks; returns the outcome. Not cancellable.
template <typename Payload, typename TryNow>
boost::system::error_code wait_blocking(waiter_list<Payload>& list, std::mutex& guard,
                                        Payload payload, TryNow try_now) {
  std::unique_lock lock(guard);
  if (std::optional<boost::system::error_code> outcome = try_now())
    return *outcome;
  blocking_wait<Payload> node(std::move(payload));
  list.push_back(node);
  return node.wait(lock);
}

} // namespace corio::detail

#endif // CORIO_DETAIL_LOCKED_WAIT_HPP
