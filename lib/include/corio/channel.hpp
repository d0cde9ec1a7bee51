// corio/channel.hpp - a bounded multi-producer multi-consumer channel between
// loops and threads: the one corio primitive that is thread-safe (Go's buffered
// channel, tokio's mpsc, asyncio has none).
//
//   corio::channel<job> jobs(64);                 // capacity 64 (at least 1)
//   co_await jobs.send(j);                        // any task, any loop: waits while full
//   job j = co_await jobs.receive();              // any task, any loop: waits while empty
//   jobs.send_blocking(j);                        // a plain thread (never a loop thread)
//   jobs.close();                                 // receivers drain, then channel_closed
//
// Items come out in the order they went in (FIFO), and waiters are served in the
// order they started waiting: send() hands its item straight to the oldest waiting
// receiver, receive() moves the oldest waiting sender's item into the slot it freed,
// so no later try_*() can overtake a waiter. Move-only T works. try_send()/
// try_receive() never suspend nor block (false / nullopt when full / empty).
// Capacity: 0 (a rendezvous, Go's unbuffered channel) is not supported and, like a
// negative value, is std::invalid_argument; huge values are fine (the buffer grows on
// demand).
// Close: close() is idempotent. Afterwards send()/try_send()/send_blocking() throw
// channel_closed, and waiting senders get it at once (their item was NOT enqueued).
// Receivers get what is buffered, then channel_closed, at once if they were waiting.
//
// Thread-safety: every member may be called from any thread at once: coroutines on
// any loop (an io_context run by one thread), plain threads, to_thread() workers.
// One std::mutex guards the state; no user code but T's move runs under it.
// send_blocking()/receive_blocking() block the calling thread: on a thread running a
// corio loop they would block the very loop that must make progress, so there they
// throw std::logic_error at once (use co_await send()/receive()). Not detected: a raw
// Asio io_context thread outside corio::run().
// Where waiters resume: a waiting coroutine resumes on its own loop (its completion
// is posted to its executor), on a later turn, never inside the send()/receive()/
// close() on another thread that woke it. A waiting coroutine keeps its loop's
// io_context from running out of work.
// Cancellation: receive() cancelled while waiting throws cancelled_error and took
// no item; send() cancelled while waiting throws cancelled_error and did not enqueue
// (the item dies with the coroutine). The cancellation (on the waiter's loop) and a
// hand-off (from another thread) race for the channel's mutex; the first wins. If the
// hand-off won, the operation completes normally although it was cancelled: receive()
// returns the item it was handed (never lost, never put back) and send() returns
// (its item is in the channel); the cancellation lands at the next suspension point.
// A destroyed channel wakes its waiting coroutines with cancelled_error; it must
// outlive every call on it that is not yet waiting.
// Non-guarantees: send()/receive() that need not wait do not suspend (so do not
// yield); size() is a snapshot that may be stale when read.
#ifndef CORIO_CHANNEL_HPP
#define CORIO_CHANNEL_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/locked_wait.hpp>
#include <corio/detail/primitive.hpp>
#include <corio/errors.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace corio {

namespace detail {
template <typename T>
class channel_state;
[[noreturn]] void throw_bad_channel_capacity(long long capacity);
} // namespace detail

template <typename T>
class channel {
public:
  using value_type = T;

  /// A channel holding up to `capacity` items (>= 1, else std::invalid_argument).
  template <std::integral Int>
  explicit channel(Int capacity);
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;
  /// Wakes coroutines still waiting with cancelled_error.
  ~channel();

  /// Enqueues `item`, waiting while the channel is full.
  awaitable<void> send(T item);
  /// Dequeues the oldest item, waiting while the channel is empty.
  awaitable<T> receive();
  /// Enqueues if there is room now (moves from `item` only when it returns true).
  template <typename U = T>
  requires std::constructible_from<T, U&&>
  bool try_send(U&& item);
  /// The oldest item if there is one now.
  std::optional<T> try_receive();
  /// send() for plain threads: blocks the thread while full.
  void send_blocking(T item);
  /// receive() for plain threads: blocks the thread while empty.
  T receive_blocking();

  /// Closes the channel (see the header comment); idempotent.
  void close();

  std::size_t size() const;
  std::size_t capacity() const noexcept { return capacity_; }
  bool closed() const;

private:
  std::size_t capacity_;
  std::shared_ptr<detail::channel_state<T>> state_;
};

} // namespace corio

#include <corio/detail/channel_impl.hpp>

#endif // CORIO_CHANNEL_HPP
