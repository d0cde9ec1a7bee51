// corio/event.hpp - a flag that tasks can wait for (asyncio.Event): one task
// announces "ready" / "stop", any number of others wake up.
//
//   corio::event ready;
//   auto waiter = corio::spawn(wait_then_work(ready));  // co_await ready.wait();
//   ready.set();                                         // every waiter wakes
//
// set() sets the flag and wakes every waiter; clear() resets it; wait() returns at
// once (without suspending) while the flag is set, otherwise waits for set().
// A waiter woken by set() returns even if clear() runs before it resumes (asyncio).
//
// Fairness: waiters resume in the order they started waiting.
// Where a waiter resumes: on a later turn of the loop (posted), never inside set().
//
// Cancellation: wait() cancelled while waiting throws cancelled_error and leaves
// nothing behind (the waiter is removed from the list). Cancelled after set() woke
// it, wait() returns normally; the cancellation lands at the next suspension.
// Destroying an event with waiters wakes them with cancelled_error.
// Thread-safety: none; set() from another thread must go through asio::post. With
// several loops, an event binds to the loop that first uses it; set() or wait() from
// a task of another loop throws std::logic_error naming both loops.
#ifndef CORIO_EVENT_HPP
#define CORIO_EVENT_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/waiter_list.hpp>

#include <cstddef>

namespace corio {

class event {
public:
  event() noexcept = default;
  event(const event&) = delete;
  event& operator=(const event&) = delete;
  ~event() = default;

  /// Sets the flag and wakes every waiter.
  void set();
  /// Resets the flag; later wait() calls wait again.
  void clear() noexcept { set_ = false; }
  bool is_set() const noexcept { return set_; }
  /// Returns once the flag is set.
  awaitable<void> wait();
  /// How many tasks are waiting.
  std::size_t waiting() const noexcept { return waiters_.size(); }

private:
  bool set_ = false;
  detail::waiter_list<> waiters_{"event wait"};
  detail::loop_binding binding_;
};

} // namespace corio

#endif // CORIO_EVENT_HPP
