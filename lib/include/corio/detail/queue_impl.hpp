// corio/detail/queue_impl.hpp - the bodies of corio/queue.hpp: the three item
// orders and basic_queue's operations.
//
// Design: direct hand-off on one waiter_list per side (see detail/primitive.hpp).
// Invariants:
//  - getters_ is non-empty only while items_ is empty (add() serves a waiting
//    getter before storing anything);
//  - putters_ is non-empty only while the queue is full (take() moves the oldest
//    putter's item into the slot it frees);
//  - unfinished_ counts items that entered the queue (stored or handed to a
//    getter) and have not been task_done(); a waiting putter's item is not counted;
//  - shutdown wakes waiters with asio::error::shut_down, which they turn into
//    queue_shut_down.
#ifndef CORIO_DETAIL_QUEUE_IMPL_HPP
#define CORIO_DETAIL_QUEUE_IMPL_HPP

#include <corio/queue.hpp>

#include <boost/asio/error.hpp>

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

namespace corio::detail {

[[noreturn]] void throw_queue_shut_down(const char* function);
[[noreturn]] void throw_task_done_too_often();

/// How a queue wait that did not get its item ends: cancelled_error, or queue_shut_down.
inline void throw_if_wait_failed(boost::system::error_code error, const char* function) {
  throw_if_cancelled(error);
  if (error)
    throw_queue_shut_down(function);
}

/// Both ends of a deque: fifo_items takes the oldest item, lifo_items the newest.
template <typename T, bool TakeOldest>
class deque_items {
public:
  std::size_t size() const noexcept { return items_.size(); }
  void push(T&& item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(TakeOldest ? items_.front() : items_.back());
    if constexpr (TakeOldest)
      items_.pop_front();
    else
      items_.pop_back();
    return item;
  }
  void clear() noexcept { items_.clear(); }

private:
  std::deque<T> items_;
};

template <typename T>
class fifo_items : public deque_items<T, true> {};
template <typename T>
class lifo_items : public deque_items<T, false> {};

/// A binary min-heap by Compare (std::priority_queue is a max-heap whose top()
/// cannot be moved from, so it cannot hold move-only items).
template <typename T, typename Compare>
class heap_items {
public:
  std::size_t size() const noexcept { return items_.size(); }
  void push(T&& item) {
    items_.push_back(std::move(item));
    std::push_heap(items_.begin(), items_.end(), greater());
  }
  T pop() {
    std::pop_heap(items_.begin(), items_.end(), greater());
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  void clear() noexcept { items_.clear(); }

private:
  auto greater() const {
    return [this](const T& a, const T& b) { return less_(b, a); };
  }
  std::vector<T> items_;
  [[no_unique_address]] Compare less_{};
};

/// get(): takes an item at once when there is one, else waits on getters_ for put()
/// to hand one over (into item_).
template <typename Queue>
class queue_get {
public:
  using value_type = typename Queue::value_type;
  using payload_type = std::optional<value_type>*;

  explicit queue_get(Queue& queue) noexcept : queue_(&queue) {}

  bool ready() {
    queue_->binding_.check("corio::queue::get");
    if (!queue_->empty()) {
      item_.emplace(queue_->take());
      return true;
    }
    if (queue_->shut_down_)
      throw_queue_shut_down("corio::queue::get");
    return false;
  }
  waiter_list<payload_type>& waiters() noexcept { return queue_->getters_; }
  payload_type payload() noexcept { return &item_; }
  value_type resume(boost::system::error_code error) {
    throw_if_wait_failed(error, "corio::queue::get");
    return std::move(*item_);
  }

private:
  Queue* queue_;
  std::optional<value_type> item_;
};

/// put(): adds the item at once when there is room, else waits on putters_ for get()
/// to move it in (from item_).
template <typename Queue>
class queue_put {
public:
  using value_type = void;
  using payload_type = typename Queue::value_type*;

  queue_put(Queue& queue, typename Queue::value_type&& item)
      : queue_(&queue), item_(std::move(item)) {}

  bool ready() {
    queue_->binding_.check("corio::queue::put");
    if (queue_->shut_down_)
      throw_queue_shut_down("corio::queue::put");
    if (queue_->full())
      return false;
    queue_->add(std::move(item_));
    return true;
  }
  waiter_list<payload_type>& waiters() noexcept { return queue_->putters_; }
  payload_type payload() noexcept { return &item_; }
  void resume(boost::system::error_code error) { throw_if_wait_failed(error, "corio::queue::put"); }

private:
  Queue* queue_;
  typename Queue::value_type item_;
};

template <typename T, typename Items>
list_operation<queue_put<basic_queue<T, Items>>> basic_queue<T, Items>::put(T item) {
  return {*this, std::move(item)};
}

template <typename T, typename Items>
list_operation<queue_get<basic_queue<T, Items>>> basic_queue<T, Items>::get() {
  return list_operation<queue_get<basic_queue>>(*this);
}

template <typename T, typename Items>
template <typename U>
requires std::constructible_from<T, U&&>
bool basic_queue<T, Items>::try_put(U&& item) {
  binding_.check("corio::queue::try_put");
  if (shut_down_)
    throw_queue_shut_down("corio::queue::try_put");
  if (full())
    return false;
  add(T(std::forward<U>(item)));
  return true;
}

template <typename T, typename Items>
std::optional<T> basic_queue<T, Items>::try_get() {
  binding_.check("corio::queue::try_get");
  if (!empty())
    return take();
  if (shut_down_)
    throw_queue_shut_down("corio::queue::try_get");
  return std::nullopt;
}

template <typename T, typename Items>
void basic_queue<T, Items>::task_done() {
  binding_.check("corio::queue::task_done");
  if (unfinished_ == 0)
    throw_task_done_too_often();
  if (--unfinished_ == 0)
    joiners_.notify_all();
}

template <typename T, typename Items>
awaitable<void> basic_queue<T, Items>::join() {
  binding_.check("corio::queue::join");
  if (unfinished_ == 0)
    co_return;
  auto [error] = co_await joiners_.async_wait({}, wait_token);
  throw_if_cancelled(error);
}

template <typename T, typename Items>
void basic_queue<T, Items>::shutdown(bool immediate) {
  binding_.check("corio::queue::shutdown");
  shut_down_ = true;
  if (immediate && !empty()) {
    unfinished_ -= std::min(unfinished_, size());
    items_.clear();
    if (unfinished_ == 0)
      joiners_.notify_all();
  }
  getters_.notify_all(boost::asio::error::shut_down);
  putters_.notify_all(boost::asio::error::shut_down);
}

template <typename T, typename Items>
void basic_queue<T, Items>::add(T&& item) {
  if (auto* getter = getters_.front()) {
    getter->payload->emplace(std::move(item));
    getters_.notify(*getter);
  } else {
    items_.push(std::move(item));
  }
  ++unfinished_;
}

template <typename T, typename Items>
T basic_queue<T, Items>::take() {
  T item = items_.pop();
  if (auto* putter = putters_.front()) {
    items_.push(std::move(*putter->payload));
    ++unfinished_;
    putters_.notify(*putter);
  }
  return item;
}

} // namespace corio::detail

#endif // CORIO_DETAIL_QUEUE_IMPL_HPP
