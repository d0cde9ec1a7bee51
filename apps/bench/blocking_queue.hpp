// apps/bench/blocking_queue.hpp - the threads' counterpart of corio::queue: a bounded
// FIFO under one std::mutex and two std::condition_variables (the textbook
// producer/consumer queue). get() can be stopped through a std::stop_token, which is
// how the cancellation workload cancels a thread waiting in it.
#ifndef CORIO_APPS_BENCH_BLOCKING_QUEUE_HPP
#define CORIO_APPS_BENCH_BLOCKING_QUEUE_HPP

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

namespace bench {

template <typename T>
class blocking_queue {
public:
  explicit blocking_queue(std::size_t maxsize) : maxsize_(maxsize) {}

  /// Adds an item, blocking while the queue is full.
  void put(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [this] { return items_.size() < maxsize_; });
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }

  /// The next item, blocking while the queue is empty; nullopt once `stop` is requested.
  std::optional<T> get(std::stop_token stop = {}) {
    // Registered before the lock is taken: a callback that runs at once (stop already
    // requested) takes the lock itself.
    std::stop_callback wake(stop, [this] {
      std::lock_guard lock(mutex_);
      not_empty_.notify_all();
    });
    std::unique_lock lock(mutex_);
    ++getters_;
    not_empty_.wait(lock, [&] { return !items_.empty() || stop.stop_requested(); });
    --getters_;
    if (items_.empty())
      return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  /// Threads blocked in get(). Once it reads 1, that getter is inside its wait: it
  /// counted itself under the lock that the wait releases.
  std::size_t waiting_getters() {
    std::lock_guard lock(mutex_);
    return getters_;
  }

private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  std::size_t maxsize_;
  std::size_t getters_ = 0;
};

} // namespace bench

#endif // CORIO_APPS_BENCH_BLOCKING_QUEUE_HPP
