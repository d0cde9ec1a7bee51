// corio/detail/channel_impl.hpp - the bodies of corio/channel.hpp: the shared state
// under its mutex, and the operations.
//
// Design: direct hand-off, as detail/queue_impl.hpp, on two waiter_lists
// guarded by one mutex (detail/locked_wait.hpp holds the locking and
// cancellation-race design).
// The state lives in a shared_ptr so that a waiter's node can keep the mutex alive
// for a cancellation that arrives after the channel object is gone. A suspending
// operation first tries under the lock without suspending; if it must wait, the wait
// tries once more under the lock before it links its node (the state may have
// changed between the two).
// Invariants (under the mutex):
//  - receivers is non-empty only while items is empty and the channel is open
//    (offer() serves a waiting receiver before storing anything);
//  - senders is non-empty only while items is full and the channel is open (take()
//    moves the oldest sender's item into the slot it frees);
//  - close() empties both lists, and no wait links a node once closed.
#ifndef CORIO_DETAIL_CHANNEL_IMPL_HPP
#define CORIO_DETAIL_CHANNEL_IMPL_HPP

#include <corio/channel.hpp>

#include <boost/asio/error.hpp>

#include <deque>
#include <mutex>
#include <utility>

namespace corio::detail {

[[noreturn]] void throw_channel_closed(const char* function);
/// std::logic_error naming `function` when the calling thread runs a corio loop.
void refuse_on_loop_thread(const char* function);
/// Turns a wait's outcome into the operation's exception: cancelled_error or
/// channel_closed; nothing on success.
void throw_channel_error(const boost::system::error_code& error, const char* function);

template <std::integral Int>
std::size_t channel_capacity(Int capacity) {
  if (capacity == 0 || !std::in_range<std::size_t>(capacity))
    throw_bad_channel_capacity(static_cast<long long>(capacity));
  return static_cast<std::size_t>(capacity);
}

template <typename T>
class channel_state : public std::enable_shared_from_this<channel_state<T>> {
public:
  using outcome = std::optional<boost::system::error_code>;

  explicit channel_state(std::size_t capacity) : capacity_(capacity) {}

  /// Runs `attempt` (offer or take) under the mutex.
  template <typename Attempt>
  outcome locked(Attempt attempt) {
    std::lock_guard lock(mutex);
    return attempt();
  }

  /// The mutex, keeping this state alive: what a waiting coroutine holds.
  std::shared_ptr<std::mutex> guard() { return {this->shared_from_this(), &mutex}; }

  // Every member below requires `mutex` held.

  bool has_room() const noexcept { return !receivers.empty() || items.size() < capacity_; }

  /// Sends `item` now (moving from it) or returns nullopt when full.
  outcome offer(T& item) {
    if (closed)
      return boost::asio::error::shut_down;
    if (auto* receiver = receivers.front()) {
      receiver->payload->emplace(std::move(item));
      receivers.notify(*receiver);
    } else if (items.size() < capacity_) {
      items.push_back(std::move(item));
    } else {
      return std::nullopt;
    }
    return boost::system::error_code();
  }

  /// Receives into `slot` now or returns nullopt when empty.
  outcome take(std::optional<T>& slot) {
    if (items.empty()) {
      if (closed)
        return boost::asio::error::shut_down;
      return std::nullopt;
    }
    slot.emplace(std::move(items.front()));
    items.pop_front();
    if (auto* sender = senders.front()) {
      items.push_back(std::move(*sender->payload));
      senders.notify(*sender);
    }
    return boost::system::error_code();
  }

  /// Wakes every waiter with `error`.
  void wake_all(boost::system::error_code error) {
    receivers.notify_all(error);
    senders.notify_all(error);
  }

  std::mutex mutex;
  std::deque<T> items;
  bool closed = false;
  waiter_list<std::optional<T>*> receivers{"channel receive"}; // payload: where to put it
  waiter_list<T*> senders{"channel send"};                     // payload: the item to take

private:
  const std::size_t capacity_;
};

} // namespace corio::detail

namespace corio {

template <typename T>
template <std::integral Int>
channel<T>::channel(Int capacity)
    : capacity_(detail::channel_capacity(capacity)),
      state_(std::make_shared<detail::channel_state<T>>(capacity_)) {}

template <typename T>
channel<T>::~channel() {
  std::lock_guard lock(state_->mutex);
  state_->wake_all(boost::asio::error::operation_aborted);
}

template <typename T>
awaitable<void> channel<T>::send(T item) {
  auto send_now = [state = state_.get(), &item] { return state->offer(item); };
  auto outcome = state_->locked(send_now);
  if (!outcome) {
    auto [error] = co_await detail::async_wait_locked(state_->senders, state_->guard(), &item,
                                                      send_now, detail::wait_token);
    outcome = error;
  }
  detail::throw_channel_error(*outcome, "corio::channel::send");
}

template <typename T>
awaitable<T> channel<T>::receive() {
  std::optional<T> slot;
  auto receive_now = [state = state_.get(), &slot] { return state->take(slot); };
  auto outcome = state_->locked(receive_now);
  if (!outcome) {
    auto [error] = co_await detail::async_wait_locked(state_->receivers, state_->guard(), &slot,
                                                      receive_now, detail::wait_token);
    outcome = error;
  }
  detail::throw_channel_error(*outcome, "corio::channel::receive");
  co_return std::move(*slot);
}

template <typename T>
template <typename U>
requires std::constructible_from<T, U&&>
bool channel<T>::try_send(U&& item) {
  std::lock_guard lock(state_->mutex);
  if (state_->closed)
    detail::throw_channel_closed("corio::channel::try_send");
  if (!state_->has_room())
    return false;
  T value(std::forward<U>(item));
  state_->offer(value);
  return true;
}

template <typename T>
std::optional<T> channel<T>::try_receive() {
  std::optional<T> slot;
  if (auto outcome = state_->locked([&] { return state_->take(slot); }))
    detail::throw_channel_error(*outcome, "corio::channel::try_receive");
  return slot;
}

template <typename T>
void channel<T>::send_blocking(T item) {
  detail::refuse_on_loop_thread("corio::channel::send_blocking");
  std::shared_ptr<detail::channel_state<T>> state = state_;
  auto error = detail::wait_blocking(state->senders, state->mutex, &item,
                                     [&] { return state->offer(item); });
  detail::throw_channel_error(error, "corio::channel::send_blocking");
}

template <typename T>
T channel<T>::receive_blocking() {
  detail::refuse_on_loop_thread("corio::channel::receive_blocking");
  std::shared_ptr<detail::channel_state<T>> state = state_;
  std::optional<T> slot;
  auto error = detail::wait_blocking(state->receivers, state->mutex, &slot,
                                     [&] { return state->take(slot); });
  detail::throw_channel_error(error, "corio::channel::receive_blocking");
  return std::move(*slot);
}

template <typename T>
void channel<T>::close() {
  std::lock_guard lock(state_->mutex);
  if (state_->closed)
    return;
  state_->closed = true;
  state_->wake_all(boost::asio::error::shut_down);
}

template <typename T>
std::size_t channel<T>::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->items.size();
}

template <typename T>
bool channel<T>::closed() const {
  std::lock_guard lock(state_->mutex);
  return state_->closed;
}

} // namespace corio

#endif // CORIO_DETAIL_CHANNEL_IMPL_HPP
