// corio/loop.hpp - many loops: corio on every core (concurrency and parallelism).
//
//   corio::run(server(), {.loops = 0});                 // one loop per hardware thread
//   for (corio::loop l : corio::loops())                // in index order; main is on loop 0
//     workers.push_back(corio::spawn(l, accept_on(l))); // a task<T> of *this* loop
//   auto t = corio::spawn(corio::next_loop(), crunch(block), "crunch");
//   int n = co_await t;                                 // resumes here, on this loop
//
// Model (shared-nothing, as Seastar and glommio): each loop is one io_context run by
// one thread. A task stays on the loop it was spawned on for its whole life, so
// inside a loop nothing changes: one thread, no locks between tasks. Loops talk
// through spawn(loop, ...) + co_await, channel<T> (channel.hpp) and submit().
//
// spawn(loop, aw, name) starts aw on `loop` and returns a task<T> of the calling
// loop (a proxy, detail/remote_task.hpp): await it, cancel it and print it there;
// its completion is delivered to the caller's loop and cancel() to the task's.
// With the calling loop itself it is plain spawn(). next_loop() places round robin
// (each loop keeps its own cursor, so it takes no lock): loop i's successive calls
// give i+1, i+2, ... wrapping around, itself included.
//
// Errors: current_loop(), loops(), next_loop() and spawn(loop, ...) outside a corio
// loop throw std::logic_error (from a plain thread use submit(loop, ...)); so does a
// handle from a runtime that has ended, in spawn() and executor(). Loop-bound
// primitives (queue, event, mutex, ...) used from another loop throw
// std::logic_error naming both loops (detail/loop_binding.hpp).
// Thread-safety: a loop handle is a value; copy it anywhere. submit(loop, ...) may
// be called from any thread; the rest from a task.
// Cancellation: cancelling the proxy cancels the remote task and waits for it to
// end (as co_await on a task does); its result is whatever the remote task ended with.
#ifndef CORIO_LOOP_HPP
#define CORIO_LOOP_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/loop_home.hpp>
#include <corio/detail/remote_task.hpp>
#include <corio/submit.hpp>
#include <corio/task.hpp>

#include <cstddef>
#include <cstdint>
#include <future>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

namespace corio {

namespace detail {
struct loop_access;
}

/// A handle to one loop of a running corio::run(): small, copyable, comparable.
class loop {
public:
  /// The loop's position: 0 is main's loop, the one run() was called on.
  std::size_t index() const noexcept { return index_; }
  /// The loop's executor (for Asio objects and spawn(executor, ...)). Throws
  /// std::logic_error when the loop's run() has ended.
  corio::executor executor() const;

  friend bool operator==(const loop& a, const loop& b) noexcept {
    return a.home_ == b.home_ && a.generation_ == b.generation_;
  }

private:
  friend loop current_loop();
  friend std::vector<loop> loops();
  friend loop next_loop();
  friend struct detail::loop_access;
  explicit loop(detail::loop_state& state) noexcept;

  detail::loop_home* home_;
  std::uint64_t generation_;
  std::size_t index_;
};

/// The loop the calling task runs on.
loop current_loop();
/// Every loop of the running runtime, in index order.
std::vector<loop> loops();
/// The next loop in round-robin order from the calling loop's cursor.
loop next_loop();

namespace detail {

struct loop_access {
  /// The loop `where` names, checked to belong to the runtime the calling thread
  /// runs; std::logic_error otherwise, naming `function`.
  static loop_state& resolve(const loop& where, const char* function);
  static loop_home& home(const loop& where) noexcept { return *where.home_; }
  static std::uint64_t generation(const loop& where) noexcept { return where.generation_; }
};

std::string next_default_task_name(loop_state& loop);
[[noreturn]] void throw_loop_ended(const char* function, std::size_t index);

} // namespace detail

/// Starts `body` as a task on `where` and returns a handle on the calling loop.
template <awaitable_like A, typename T = awaitable_result_t<A>>
task<T> spawn(const loop& where, A body, std::string name = {},
              std::source_location spawn_site = std::source_location::current()) {
  detail::loop_state& there = detail::loop_access::resolve(where, "corio::spawn(loop, ...)");
  detail::loop_state& here = *detail::loop_state::current();
  if (&there == &here)
    return spawn(here.get_executor(), detail::to_awaitable(std::move(body)), std::move(name),
                 spawn_site);
  if (name.empty()) // one name for the proxy and the task
    name = detail::next_default_task_name(here);
  return spawn(
      here.get_executor(),
      detail::await_remote<T>(&there, detail::to_awaitable(std::move(body)), name, spawn_site),
      name, spawn_site);
}

/// submit() through a loop handle, from any thread: a handle names its run() exactly,
/// so after that run() has begun to end the future reports broken_promise.
template <awaitable_like A, typename T = awaitable_result_t<A>>
std::future<T> submit(const loop& where, A body, std::string name = {},
                      std::source_location spawn_site = std::source_location::current()) {
  detail::submission<T> step{
      {}, detail::to_awaitable(std::move(body)), std::move(name), spawn_site, {}};
  std::future<T> future = step.promise.get_future();
  // Refused: the step is destroyed here, which breaks the promise.
  detail::loop_access::home(where).post_from_outside(
      detail::loop_access::generation(where), [step = std::move(step)]() mutable {
        step.ex = detail::loop_state::current()->get_executor();
        step();
      });
  return future;
}

} // namespace corio

#endif // CORIO_LOOP_HPP
