// corio/async_generator.hpp - async generators: a coroutine that waits between the values
// it produces (Python's `async def` + `yield`, consumed with `async for`; tokio's Stream).
//
// The body is an ordinary corio coroutine that receives a `yielder<T>`; it may co_await
// anything (corio waits, raw Asio operations, other tasks) and hands values out with
// `co_await yield(v)`. The consumer pulls them with `co_await gen.next()`.
//
//   corio::awaitable<void> countdown(corio::yielder<int> yield, int n) { // async def countdown(n):
//     for (; n > 0; --n) {                                               //   for ...:
//       co_await corio::sleep(1s);                                       //     await sleep(1)
//       co_await yield(n);                                               //     yield n
//   } }
//   corio::async_generator<int> g(countdown, 3);             // g = countdown(3)
//   while (std::optional<int> n = co_await g.next())         // async for n in g:
//     use(*n);                                               //     use(n)
//   co_await corio::for_each(g, [](int n) { use(n); });      // the same loop, as a helper
//
// Outline (template <class T> class async_generator; T a non-const object type):
//   async_generator(f, args...)  the body is f(yielder<T>, args...) -> awaitable<void>; f and
//                                args are stored; nothing runs yet
//   next()                       awaitable<optional<T>>: the next value, nullopt when the body
//                                returned; rethrows what the body threw
//   close()                      awaitable<void>: end it now, after its destructors ran
//                                (asyncio's aclose())
//   for_each(gen, fn)            the `async for` loop; fn returns void, bool, awaitable<void> or
//                                awaitable<bool> (false = break)
//
// Lazy: nothing runs ahead of the consumer. The body starts at the first next() and runs
// only while a next() waits: after `co_await yield(v)` it stays suspended until the next
// next(). Backpressure is therefore built in (a slow consumer slows the producer), and a
// generator nobody pulls costs nothing but its frame.
//
// How it runs: the body runs as a task of its own (named "corio.async_generator", on the
// loop of the first next()), and the two sides hand over through two waiter lists; each
// value costs two posted resumptions, like a queue hand-off (docs/design.md, "Async
// generators", says why and what it costs; corio-bench measures it).
//
// Cancellation: cancelling a coroutine inside next() cancels the generator's body (through
// Asio's cancellation slot, wherever it waits: a corio wait, a raw Asio operation) and
// next() keeps waiting until the body reacted: if the cancellation escapes the body, next()
// throws cancelled_error and the generator is closed (its destructors have run); if the
// body caught it and returned (or yielded in an enter_cleanup() scope), next() returns
// that. A coroutine cancelled between next() calls does not touch the generator: the body
// stays suspended at its yield and any other coroutine of the loop may pull it. A
// cancelled (sticky) consumer's `co_await gen.next()` throws before anything happens.
// Destroying a generator whose body is suspended cancels the body: it unwinds at its yield
// with cancelled_error on a later turn of the loop (catch blocks and destructors run there,
// exactly once; run() drains it at the latest). close() does the same and waits for it. A
// never-started generator's frame is destroyed on the spot. Inside the body, a cancelled
// `co_await yield(v)` throws cancelled_error and hands nothing over.
//
// Errors: next() on a closed generator (it returned nullopt, threw, was cancelled or
// closed) throws generator_exhausted (a std::logic_error saying which); a second next()
// while one is in progress, a yield while no next() waits (in a cleanup scope during
// close()), and pulling from another loop than the first next()'s throw std::logic_error.
// An exception thrown by the body reaches the consumer at next(), once; a body that fails
// after its consumer is gone (while unwinding from a destruction) is logged as a task's
// lost exception.
// Resumes: a next() that waits, and a yield, resume on a later turn of the loop (posted).
// Thread-safety: one loop. A generator binds to the loop of its first next() (like every
// loop-bound primitive, detail/loop_binding.hpp); move it around freely before that, and
// use spawn(loop, ...) to pull from another loop.
// Non-guarantees: the body's task is visible in all_tasks() (named corio.async_generator).
#ifndef CORIO_ASYNC_GENERATOR_HPP
#define CORIO_ASYNC_GENERATOR_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/async_generator_state.hpp>
#include <corio/errors.hpp> // generator_exhausted

#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace corio {

namespace detail {
template <typename Generator, typename Fn>
awaitable<void> pull_each(Generator& gen, Fn fn);
template <typename Generator, typename Fn>
awaitable<void> pull_each_and_close(Generator gen, Fn fn);
} // namespace detail

/// What a generator's body receives: `co_await yield(v)` hands v to the waiting next()
/// and suspends the body until the following next(). Copyable; belongs to its generator.
template <typename T>
class yielder {
public:
  /// Hands `value` over; resumes when the consumer asks for the next one.
  /// Throws cancelled_error if the body is cancelled meanwhile (the generator was
  /// destroyed or closed, or its consumer was cancelled).
  awaitable<void> operator()(T value) const;

private:
  template <typename>
  friend class async_generator;
  explicit yielder(boost::intrusive_ptr<detail::async_generator_state<T>> state) noexcept
      : state_(std::move(state)) {}

  boost::intrusive_ptr<detail::async_generator_state<T>> state_;
};

namespace detail {
/// f(yielder<T>, args...) can be called (what async_generator's constructor takes).
template <typename F, typename T, typename... Args>
concept async_generator_body = std::invocable < std::decay_t<F>
&, yielder<T>, Args... > ;
} // namespace detail

template <typename T>
class async_generator {
  static_assert(std::is_object_v<T> && !std::is_const_v<T>,
                "corio::async_generator<T>: T must be a non-const object type");

public:
  using value_type = T;

  /// The body is `f(yielder<T>, args...)`, which must return awaitable<void>. `f` is
  /// stored with the generator (a lambda's captures stay valid); args are passed as a
  /// coroutine takes them (by value unless its parameter is a reference).
  template <typename F, typename... Args>
  requires detail::async_generator_body<F, T, Args...>
  explicit async_generator(F&& f, Args&&... args);

  async_generator(const async_generator&) = delete;
  async_generator& operator=(const async_generator&) = delete;
  async_generator(async_generator&&) noexcept = default;
  async_generator& operator=(async_generator&& other) noexcept {
    async_generator(std::move(other)).swap(*this);
    return *this;
  }
  /// Ends an unfinished generator: see Cancellation above.
  ~async_generator() {
    if (state_)
      state_->abandon();
  }

  /// The next value, or std::nullopt when the body returned (asyncio's StopAsyncIteration).
  /// `site` names the body's task in error reports.
  awaitable<std::optional<T>> next(std::source_location site = std::source_location::current());

  /// Ends the generator (asyncio's aclose()): a suspended body is cancelled at its yield
  /// and close() returns once it has unwound; rethrows what it threw other than the
  /// cancellation. A no-op on a closed generator.
  awaitable<void> close() { return detail::close_async_generator(checked_state()); }

  void swap(async_generator& other) noexcept { state_.swap(other.state_); }

private:
  using state_type = detail::async_generator_state<T>;
  const boost::intrusive_ptr<state_type>& checked_state() const {
    if (!state_)
      detail::throw_empty_async_generator();
    return state_;
  }

  boost::intrusive_ptr<state_type> state_;
};

/// The `async for` loop: calls fn(value) for each value of `gen` (an async_generator or
/// anything whose next() gives awaitable<optional<X>>, such as as_completed). fn may
/// return void, bool, awaitable<void> or awaitable<bool>; false stops the loop (Python's
/// `break`), leaving an lvalue generator suspended where it was: it can be pulled again
/// or closed. A temporary generator is owned by the loop and closed when it stops.
///
///   async for tick in interval(1s):      co_await corio::for_each(corio::interval(1s),
///       if done(): break                     [](auto) { return !done(); });
template <typename Generator, typename Fn>
awaitable<void> for_each(Generator&& gen, Fn fn) {
  if constexpr (std::is_lvalue_reference_v<Generator>)
    return detail::pull_each(gen, std::move(fn));
  else
    return detail::pull_each_and_close(std::forward<Generator>(gen), std::move(fn));
}

} // namespace corio

#include <corio/detail/async_generator_impl.hpp>

#endif // CORIO_ASYNC_GENERATOR_HPP
