// corio/queue.hpp - queues between producer and consumer tasks (asyncio.Queue,
// LifoQueue, PriorityQueue, with Python 3.13's shutdown()).
//
//   corio::queue<job> jobs(100);                  // maxsize 100; 0 = unbounded
//   co_await jobs.put(j);                         // producer: waits while full
//   job j = co_await jobs.get();                  // consumer: waits while empty
//   handle(j); jobs.task_done();                  // then: co_await jobs.join();
//   jobs.shutdown();                              // end: getters drain, then throw
//
// queue<T> is FIFO, lifo_queue<T> LIFO, priority_queue<T, Compare> gives the
// SMALLEST item first (asyncio's heapq order: with std::less, 1 before 2; pass
// std::greater for largest-first); equal items come out in no particular order.
// Move-only T works. try_put()/try_get() never suspend (put_nowait/get_nowait:
// false / nullopt instead of QueueFull / QueueEmpty). A negative maxsize is
// std::invalid_argument.
//
// Counting: every item put counts as unfinished until task_done(); join() waits
// until none is. task_done() more often than items were put is std::logic_error.
// Shutdown: afterwards put()/try_put() throw queue_shut_down, and waiting putters
// get it at once. get()/try_get() still return what is left, then throw
// queue_shut_down. shutdown(true) (immediate) drops what is left, counting it as
// done (so join() can return), and waiting getters get queue_shut_down at once.
//
// Fairness: put() hands its item straight to the oldest waiting getter, and get()
// moves the oldest waiting putter's item into the freed slot, so waiters are
// served strictly in the order they started waiting and no later try_*() can
// overtake them. Non-guarantee: put()/get() that need not wait do not suspend.
// Where a waiter resumes: on a later turn of the loop (posted to its executor),
// never inside the put()/get()/shutdown() that woke it.
//
// put() and get() return an operation, not a coroutine: `co_await q.get()` runs in the
// awaiting coroutine's frame and allocates nothing (detail/list_operation.hpp). Where
// an awaitable is needed it converts to awaitable<void> / awaitable<T> (spawn,
// timeout and gather take it as it is); other completion tokens complete with
// void(exception_ptr) / void(exception_ptr, T). Nothing happens until it is awaited;
// an operation is awaited once.
//
// Cancellation: get() cancelled while waiting throws cancelled_error and took no
// item; cancelled after a put() handed it its item, it returns the item (never
// lost), and the cancellation lands at the next suspension. put() cancelled while
// waiting throws cancelled_error and did not insert (the item is destroyed with
// the coroutine); cancelled after get() moved its item in, it returns normally.
// join() cancelled leaves nothing behind. A destroyed queue wakes its waiters with
// cancelled_error; it must outlive every put()/get() still running on it.
// Thread-safety: none; use a queue from coroutines on one loop (other threads go
// through asio::post or submit(); other loops through corio::channel). With several
// loops, the queue binds to the loop that first uses it, and any operation from a
// task of another loop throws std::logic_error naming both loops.
#ifndef CORIO_QUEUE_HPP
#define CORIO_QUEUE_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/list_operation.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/primitive.hpp>
#include <corio/detail/waiter_list.hpp>

#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace corio {

/// Thrown by put()/try_put() on a shut-down queue, and by get()/try_get() on one
/// that is shut down and empty (asyncio.QueueShutDown).
class queue_shut_down : public std::runtime_error {
public:
  explicit queue_shut_down(const std::string& what = "corio: the queue is shut down")
      : std::runtime_error(what) {}
};

namespace detail {

template <typename T>
class fifo_items;
template <typename T>
class lifo_items;
template <typename T, typename Compare>
class heap_items;
template <typename Queue>
class queue_get;
template <typename Queue>
class queue_put;

/// The one queue implementation; `Items` decides the order (push, pop, size, clear).
template <typename T, typename Items>
class basic_queue {
public:
  using value_type = T;

  template <std::integral Int = std::size_t>
  explicit basic_queue(Int maxsize = 0) : maxsize_(checked_count(maxsize, "corio::queue")) {}
  basic_queue(const basic_queue&) = delete;
  basic_queue& operator=(const basic_queue&) = delete;
  ~basic_queue() = default;

  /// Adds an item, waiting while the queue is full.
  list_operation<queue_put<basic_queue>> put(T item);
  /// Removes and returns the next item, waiting while the queue is empty.
  list_operation<queue_get<basic_queue>> get();
  /// Adds an item if there is room now; never suspends. Moves from `item` only
  /// when it returns true.
  template <typename U = T>
  requires std::constructible_from<T, U&&>
  bool try_put(U&& item);
  /// The next item if there is one now; never suspends.
  std::optional<T> try_get();

  /// Marks one got item as processed.
  void task_done();
  /// Waits until every item put has been marked done.
  awaitable<void> join();
  /// Shuts the queue down (see the header comment); idempotent.
  void shutdown(bool immediate = false);

  std::size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return size() == 0; }
  bool full() const noexcept { return maxsize_ > 0 && size() >= maxsize_; }
  std::size_t maxsize() const noexcept { return maxsize_; }
  bool is_shut_down() const noexcept { return shut_down_; }
  /// Items put and not yet marked done (asyncio's _unfinished_tasks).
  std::size_t unfinished() const noexcept { return unfinished_; }

private:
  friend class queue_get<basic_queue>;
  friend class queue_put<basic_queue>;

  void add(T&& item);
  T take();

  Items items_;
  std::size_t maxsize_;
  std::size_t unfinished_ = 0;
  bool shut_down_ = false;
  waiter_list<std::optional<T>*> getters_{"queue get"}; // payload: where put() leaves the item
  waiter_list<T*> putters_{"queue put"};                // payload: the item waiting to go in
  waiter_list<> joiners_{"queue join"};
  loop_binding binding_;
};

} // namespace detail

/// First in, first out (asyncio.Queue).
template <typename T>
class queue : public detail::basic_queue<T, detail::fifo_items<T>> {
public:
  using detail::basic_queue<T, detail::fifo_items<T>>::basic_queue;
};

/// Last in, first out (asyncio.LifoQueue).
template <typename T>
class lifo_queue : public detail::basic_queue<T, detail::lifo_items<T>> {
public:
  using detail::basic_queue<T, detail::lifo_items<T>>::basic_queue;
};

/// Smallest first by `Compare` (asyncio.PriorityQueue).
template <typename T, typename Compare = std::less<T>>
class priority_queue : public detail::basic_queue<T, detail::heap_items<T, Compare>> {
public:
  using detail::basic_queue<T, detail::heap_items<T, Compare>>::basic_queue;
};

} // namespace corio

#include <corio/detail/queue_impl.hpp>

#endif // CORIO_QUEUE_HPP
