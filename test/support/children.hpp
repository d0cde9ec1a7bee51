// test/support/children.hpp - small coroutines the combinator tests (gather, race,
// map_concurrent, as_completed, task_group) start as children, each leaving a
// trace in an event_log so a test can assert what ended before what. (value_after
// is in corio_test.hpp.)
#ifndef CORIO_TEST_SUPPORT_CHILDREN_HPP
#define CORIO_TEST_SUPPORT_CHILDREN_HPP

#include "support/corio_test.hpp"

#include <corio/errors.hpp>
#include <corio/event.hpp>
#include <corio/shield.hpp>
#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <chrono>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace corio::test {

/// Throws std::runtime_error(message) after `delay`; logs "<message> thrown".
inline awaitable<int> fail_after(std::chrono::milliseconds delay, std::string message,
                                 event_log& log) {
  co_await corio::sleep(delay);
  log(message + " thrown");
  throw std::runtime_error(message);
}

/// Returns `value` once `go` is set: tests set the order of finishing with events, not
/// timers, so that a slow machine (ASan under load) cannot reorder it.
inline awaitable<int> value_when(corio::event& go, int value) {
  co_await go.wait();
  co_return value;
}

/// One task per event: task i returns i + 1 once go[i] is set.
inline std::vector<task<int>> tasks_released_by(std::span<corio::event> go) {
  std::vector<task<int>> tasks;
  for (std::size_t i = 0; i < go.size(); ++i)
    tasks.push_back(corio::spawn(value_when(go[i], static_cast<int>(i) + 1)));
  return tasks;
}

/// Sleeps `delay` and returns `value`; logs "<name> done" or "<name> cancelled".
inline awaitable<int> traced(std::string name, std::chrono::milliseconds delay, int value,
                             event_log& log) {
  try {
    co_await corio::sleep(delay);
  } catch (const boost::system::system_error&) {
    log(name + " cancelled");
    throw;
  }
  log(name + " done");
  co_return value;
}

/// Like traced(), but when cancelled it first spends `cleanup` in a shielded
/// cleanup step (so its end comes a while after the cancellation).
inline awaitable<int> slow_to_cancel(std::string name, std::chrono::milliseconds cleanup,
                                     event_log& log) {
  bool cancelled = false;
  try {
    co_await corio::sleep(std::chrono::hours(1));
  } catch (const boost::system::system_error&) {
    cancelled = true;
  }
  if (cancelled) {
    co_await corio::enter_cleanup();
    co_await corio::shielded(corio::sleep(cleanup));
    log(name + " cancelled");
    throw corio::cancelled_error();
  }
  co_return 0;
}

/// Runs `body` as a task, cancels that task after `delay`, and checks that it ends
/// with cancelled_error; logs "awaiter cancelled" when the error leaves `body`, so
/// a test can assert that the children ended before.
template <typename T>
awaitable<void> cancel_while_awaiting(std::chrono::milliseconds delay, awaitable<T> body,
                                      event_log& log) {
  auto awaiter = corio::spawn([](awaitable<T> body, event_log& log) -> awaitable<void> {
    try {
      co_await std::move(body);
    } catch (const corio::cancelled_error&) {
      log("awaiter cancelled");
      throw;
    }
  }(std::move(body), log));
  co_await corio::sleep(delay);
  awaiter.cancel();
  BOOST_CHECK_THROW(co_await awaiter, corio::cancelled_error);
}

} // namespace corio::test

#endif // CORIO_TEST_SUPPORT_CHILDREN_HPP
