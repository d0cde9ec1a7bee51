// corio/generator.hpp - synchronous, lazy generators: Python's `yield`, `send()` and `yield from`.
//
// A function returning `corio::generator<T>` runs only when its consumer asks for the next
// value, so it can walk a huge file or an endless sequence in constant memory. The second
// template argument turns it into a Python-style coroutine that also *receives* values.
//
//   corio::generator<int> count_to(int n) { for (int i = 1; i <= n; ++i) co_yield i; }
//   for (int i : count_to(5)) fmt::print("{}\n", i);                 // 1 2 3 4 5
//
//   corio::generator<double, double> averager() {  // yields the average, receives a term
//     double total = 0; int count = 0;
//     for (double average = 0;;) { total += co_yield average; average = total / ++count; }
//   }
//   auto a = averager(); a.next(); a.send(10.0); /* == 10 */ a.send(20.0); /* == 15 */
//
// Outline (template <class Yield, class Sent = void, class Return = void> class generator):
//   begin(), end()       range-for / std::ranges input range; only when Sent is void
//   next()               run to the next co_yield; the value, or nullopt when the body ended
//   send(v)              resume with v (the value of the paused co_yield expression)
//   state()              created, suspended, running or closed (Python's getgeneratorstate)
//   close()              end it now; its destructors run, its body does not
//   result()             the value of `co_return v` (Python's StopIteration.value)
//   co_yield elements_of(sub)  delegation (`yield from`); evaluates to sub's co_return value
//
// Thread-safety: none. A generator belongs to one consumer on one thread; it is not an Asio
// operation and never suspends a corio task (`co_await` is rejected inside its body).
//
// Destruction and close() (the "cancellation" of a generator): destroying or closing an
// unfinished generator destroys its frame right there: destructors of its locals run (RAII
// cleanup), innermost delegated generator first, nothing leaks. Unlike Python's
// GeneratorExit, no code of the body runs, so a `catch` in the body sees nothing.
//
// Exceptions thrown in the body reach the consumer at the call that resumed it (begin(),
// ++it, next(), send()); the generator is then closed. An exception thrown in a delegated
// generator surfaces first at the `co_yield elements_of(...)` in the delegating body.
//
// Non-guarantees: yielded values are exposed by reference only until the next resumption.
#ifndef CORIO_GENERATOR_HPP
#define CORIO_GENERATOR_HPP

#include <corio/errors.hpp> // generator_not_started, generator_exhausted

#include <coroutine>
#include <cstddef>
#include <exception>
#include <iosfwd>
#include <iterator>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

namespace corio {

/// Python's inspect.getgeneratorstate(): GEN_CREATED, GEN_SUSPENDED, GEN_RUNNING, GEN_CLOSED.
enum class generator_state { created, suspended, running, closed };

/// "created", "suspended", "running" or "closed".
constexpr std::string_view to_string(generator_state state) noexcept {
  constexpr std::string_view names[] = {"created", "suspended", "running", "closed"};
  return names[static_cast<int>(state)];
}

template <class Char, class Traits>
std::basic_ostream<Char, Traits>& operator<<(std::basic_ostream<Char, Traits>& out,
                                             generator_state state) {
  return out << to_string(state);
}

/// `co_yield corio::elements_of(range)`: yield every element of `range`, Python's `yield from`.
/// A corio::generator with the same Yield and Sent is truly delegated to: send() reaches it and
/// the co_yield expression evaluates to its co_return value. Any other input range (Sent void
/// only) is walked element by element. The range must outlive the co_yield expression, which
/// it does when passed as a temporary or a local.
template <class Range>
struct elements_of {
  Range range;
};
template <class Range>
elements_of(Range&&) -> elements_of<Range&&>;

template <class Yield, class Sent = void, class Return = void>
class generator;

namespace detail {
template <class Yield, class Sent>
struct generator_frame;
template <class Yield>
class generator_iterator;
template <class Yield, class Sent, class Return>
struct generator_promise;
template <class Yield, class Sent, class Child>
struct delegate_awaiter;
struct no_parameter {};
template <class T> // T, or a placeholder that keeps `send(void)` declarable
using parameter_type = std::conditional_t<std::is_void_v<T>, no_parameter, T>;
} // namespace detail

template <class Yield, class Sent, class Return>
class generator : public std::ranges::view_interface<generator<Yield, Sent, Return>> {
  static_assert(std::is_object_v<Yield> && !std::is_const_v<Yield>,
                "corio::generator<Yield>: Yield must be a non-const object type");

public:
  using promise_type = detail::generator_promise<Yield, Sent, Return>;
  using iterator = detail::generator_iterator<Yield>; // input iterator; *it is Yield&

  generator() noexcept = default;
  generator(generator&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  generator& operator=(generator other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~generator() { destroy(); }

  /// Runs the body to its first co_yield if it has not started; later calls do not advance.
  iterator begin() requires std::is_void_v<Sent>;
  std::default_sentinel_t end() const noexcept requires std::is_void_v<Sent> { return {}; }

  /// Runs to the next co_yield and returns its value (moved out), or nullopt if the body
  /// ended instead. Primes a send()-generator. When Sent is not void and the generator has
  /// started, the paused co_yield receives `Sent{}` (Python: next(g) is g.send(None)).
  /// Throws generator_exhausted if already closed, std::logic_error if running.
  std::optional<Yield> next();

  /// Resumes with `value` as the result of the paused co_yield; returns the next yielded value,
  /// or nullopt if the body ended. Throws generator_not_started before the first next(),
  /// generator_exhausted once closed, std::logic_error if called from inside the body.
  std::optional<Yield> send(detail::parameter_type<Sent> value) requires(!std::is_void_v<Sent>);

  generator_state state() const noexcept;

  /// Ends the generator: an unfinished frame is destroyed (its destructors run). A no-op when
  /// already closed; after the body returned, result() stays available.
  void close();

  /// The body's `co_return` value. Throws std::logic_error if the body has not returned
  /// (still running, closed early, or ended by an exception).
  std::add_lvalue_reference_t<Return> result() requires(!std::is_void_v<Return>);

private:
  using handle_type = std::coroutine_handle<promise_type>;
  friend promise_type;
  template <class, class, class>
  friend struct detail::delegate_awaiter;

  explicit generator(handle_type handle) noexcept : handle_(handle) {}
  detail::generator_frame<Yield, Sent>& frame() const { return handle_.promise(); }
  bool done() const noexcept { return !handle_ || handle_.done(); }
  void destroy() noexcept;
  // Drops the handle of a frame that close already destroyed (see delegate_awaiter).
  void forget() noexcept { handle_ = {}; }

  handle_type handle_;
};

} // namespace corio

#include <corio/detail/generator_impl.hpp>

#endif // CORIO_GENERATOR_HPP
