// corio/detail/generator_impl.hpp - promise, awaiters, iterator and member bodies of
// corio::generator. Included at the bottom of <corio/generator.hpp>; not a public header.
//
// Design rationale
// - Delegation (`co_yield elements_of(sub)`) is a stack of coroutine frames, not a chain of
//   nested iterators: the consumer always resumes the innermost frame directly (root.active),
//   and a finished frame hands control to its parent by symmetric transfer. So a value
//   yielded N levels deep costs one resume, not N, and deep delegation cannot overflow the
//   stack.
// - Closing is iterative for the same reason: destroy_stack() walks down the `child` links to
//   the innermost frame and destroys the frames from there up, one at a time, so no frame's
//   destructor destroys its child (which would recurse once per level and overflow the stack
//   of a deep delegation). The delegating frame's awaiter then only forgets its child.
// - The state that the consumer sees (the yielded value, the sent value, created/suspended/
//   running) lives in the root frame's promise; every frame points to its root. An iterator
//   therefore needs only the root frame, and the generator object can be moved freely.
// - `closed` is never stored: it is "no frame" or "frame at its final suspend point".
// - An exception leaving a nested body is stored in that frame and rethrown in the parent at
//   its `co_yield elements_of(...)`, exactly where Python raises it in the delegating
//   generator; only the root rethrows to the consumer, after the resumption returns.
//
// Invariants
// - For every frame f: f.root is the root frame of the stack f belongs to; f.parent is null
//   iff f is the root; f.child is the frame f delegates to while it does (else null), so
//   f.child->parent == &f. Only the root's active/value/sent/state fields are meaningful.
// - root.state == running exactly while the consumer's resume() call is on the stack.
// - root.sent is non-null only while running, and points at the argument of send()/next().
// - root.value points at the most recent co_yield operand (or a copy in its awaiter); both live
//   in the yielding frame until it is resumed again.
// - A delegated child frame is owned by a generator object that lives in the parent frame (a
//   temporary or a local of the co_yield full-expression); destroying the root destroys the
//   whole stack, innermost first (destroy_stack), and those generator objects then own nothing.
#ifndef CORIO_DETAIL_GENERATOR_IMPL_HPP
#define CORIO_DETAIL_GENERATOR_IMPL_HPP

#include <concepts>
#include <memory>

namespace corio::detail {

template <class Yield, class Sent>
struct generator_frame {
  generator_frame* root = this;
  generator_frame* parent = nullptr;
  std::coroutine_handle<> handle;
  std::exception_ptr exception;
  generator_frame* child = nullptr;
  // Set by destroy_stack() once it destroyed `child`: the awaiter must not touch it again.
  bool child_destroyed = false;
  // Meaningful in the root frame only.
  std::coroutine_handle<> active;
  Yield* value = nullptr;
  std::add_pointer_t<Sent> sent = nullptr;
  generator_state state = generator_state::created;

  // Resumes the stack for the consumer; false when the root body has ended.
  bool resume_from_consumer(std::add_pointer_t<Sent> sent_value) {
    if (handle.done())
      throw generator_exhausted();
    if (root != this)
      throw std::logic_error("corio::generator: this generator is delegated to by another one "
                             "(elements_of); resume the outer generator instead");
    if (state == generator_state::running)
      throw std::logic_error("corio::generator: generator already running; it cannot resume "
                             "or close itself");
    sent = sent_value;
    state = generator_state::running;
    active.resume(); // never throws: bodies store their exceptions
    state = generator_state::suspended;
    sent = nullptr;
    if (exception)
      std::rethrow_exception(std::exchange(exception, nullptr));
    return !handle.done();
  }
};

// Suspends at a co_yield; the co_yield expression evaluates to the sent value (or void).
template <class Yield, class Sent>
struct yield_awaiter {
  generator_frame<Yield, Sent>* frame;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  Sent await_resume() const {
    if constexpr (!std::is_void_v<Sent>)
      return std::move(*frame->root->sent);
  }
};

// `co_yield lvalue`: the consumer may move from *it, so it gets a copy kept in this awaiter.
template <class Yield, class Sent>
struct copy_yield_awaiter : yield_awaiter<Yield, Sent> {
  Yield copy;

  void await_suspend(std::coroutine_handle<>) noexcept {
    this->frame->root->value = std::addressof(copy);
  }
};

template <class T, class Yield, class Sent>
inline constexpr bool is_delegable = false;
template <class Yield, class Sent, class Return>
inline constexpr bool is_delegable<generator<Yield, Sent, Return>, Yield, Sent> = true;

// `co_yield elements_of(child)`: runs child as the innermost frame until it returns.
// Child is `generator<...>&` (the caller's object) or `generator<...>` (owned by the awaiter).
template <class Yield, class Sent, class Child>
struct delegate_awaiter {
  generator_frame<Yield, Sent>* parent;
  Child child;

  bool await_ready() const {
    if (child.done() || child.frame().state != generator_state::created ||
        child.frame().root != &child.frame())
      throw std::logic_error("corio::elements_of: the generator has already started or is closed; "
                             "delegate only to a freshly created generator");
    return false;
  }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<>) const noexcept {
    auto& frame = child.frame();
    frame.root = parent->root;
    frame.parent = parent;
    parent->child = &frame;
    parent->root->active = frame.handle;
    return frame.handle;
  }
  decltype(auto) await_resume() const {
    auto& frame = child.frame();
    if (frame.exception)
      std::rethrow_exception(std::exchange(frame.exception, nullptr));
    if constexpr (requires { child.result(); })
      return std::move(child.result());
  }
  // The parent is destroyed while the child is still suspended (close() or destruction of the
  // outer generator). destroy_stack() has normally destroyed the child already (innermost
  // first, as Python's close() does through `yield from`): then only forget it.
  ~delegate_awaiter() {
    if (parent->child_destroyed)
      child.forget();
    else if (!child.done() && child.frame().parent == parent)
      child.destroy();
  }
};

// Destroys `top` and every frame it delegates to, innermost first, without recursion.
template <class Yield, class Sent>
void destroy_stack(generator_frame<Yield, Sent>& top) noexcept {
  generator_frame<Yield, Sent>* frame = &top;
  while (frame->child != nullptr)
    frame = frame->child;
  while (frame != &top) {
    generator_frame<Yield, Sent>* parent = frame->parent;
    frame->handle.destroy();
    parent->child = nullptr;
    parent->child_destroyed = true;
    frame = parent;
  }
  top.handle.destroy();
}

template <class Yield, class Range>
generator<Yield> yield_each(Range&& range) {
  for (auto&& element : range)
    co_yield element;
}

template <class Return>
struct generator_return {
  std::optional<Return> result;

  template <std::convertible_to<Return> Value = Return>
  void return_value(Value&& value) {
    result.emplace(std::forward<Value>(value));
  }
};
template <>
struct generator_return<void> {
  void return_void() const noexcept {}
};

template <class Yield, class Sent, class Return>
struct generator_promise : generator_frame<Yield, Sent>, generator_return<Return> {
  using frame_type = generator_frame<Yield, Sent>;

  generator<Yield, Sent, Return> get_return_object() noexcept {
    auto handle = std::coroutine_handle<generator_promise>::from_promise(*this);
    this->handle = handle;
    this->active = handle;
    return generator<Yield, Sent, Return>(handle);
  }
  std::suspend_always initial_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { this->exception = std::current_exception(); }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<>
    await_suspend(std::coroutine_handle<generator_promise> handle) noexcept {
      frame_type& frame = handle.promise();
      if (frame.parent == nullptr)
        return std::noop_coroutine(); // back to the consumer
      frame.root->active = frame.parent->handle;
      frame.parent->child = nullptr;
      return frame.parent->handle; // the parent continues after its elements_of
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }

  yield_awaiter<Yield, Sent> yield_value(Yield&& value) noexcept {
    this->root->value = std::addressof(value);
    return {{this}};
  }
  copy_yield_awaiter<Yield, Sent>
  yield_value(const Yield& value) requires std::copy_constructible<Yield> {
    return {{this}, value};
  }

  template <class Child>
  requires is_delegable<std::remove_reference_t<Child>, Yield, Sent> delegate_awaiter < Yield, Sent,
      std::remove_reference_t<Child>
  & > yield_value(elements_of<Child>&& elements) noexcept { return {this, elements.range}; }

  template <std::ranges::input_range Range>
  requires(std::is_void_v<Sent> && !is_delegable<std::remove_cvref_t<Range>, Yield, Sent> &&
           std::convertible_to<std::ranges::range_reference_t<Range>, Yield>)
      delegate_awaiter<Yield, Sent, generator<Yield>> yield_value(elements_of<Range>&& elements) {
    return {this, yield_each<Yield>(std::forward<Range>(elements.range))};
  }

  template <class Awaitable>
  void await_transform(Awaitable&&) {
    static_assert(sizeof(Awaitable) == 0,
                  "corio::generator bodies are synchronous: co_await is not allowed in them");
  }
};

template <class Yield>
class generator_iterator {
public:
  using value_type = Yield;
  using difference_type = std::ptrdiff_t;
  using reference = Yield&;
  using iterator_concept = std::input_iterator_tag;

  generator_iterator() noexcept = default;
  explicit generator_iterator(generator_frame<Yield, void>* frame) noexcept : frame_(frame) {}

  Yield& operator*() const noexcept { return *frame_->value; }
  Yield* operator->() const noexcept { return frame_->value; }
  generator_iterator& operator++() {
    if (frame_ == nullptr)
      throw generator_exhausted();
    frame_->resume_from_consumer(nullptr);
    return *this;
  }
  void operator++(int) { ++*this; }

  friend bool operator==(const generator_iterator& it, std::default_sentinel_t) noexcept {
    return it.frame_ == nullptr || it.frame_->handle.done();
  }

private:
  generator_frame<Yield, void>* frame_ = nullptr;
};

} // namespace corio::detail

namespace corio {

template <class Yield, class Sent, class Return>
auto generator<Yield, Sent, Return>::begin() -> iterator requires std::is_void_v<Sent> {
  if (done())
    return iterator{};
  if (frame().state == generator_state::created)
    frame().resume_from_consumer(nullptr);
  return iterator{&frame()};
}

template <class Yield, class Sent, class Return>
std::optional<Yield> generator<Yield, Sent, Return>::next() {
  if (done())
    throw generator_exhausted();
  bool yielded = false;
  if constexpr (std::is_void_v<Sent>) {
    yielded = frame().resume_from_consumer(nullptr);
  } else if (frame().state == generator_state::created) {
    yielded = frame().resume_from_consumer(nullptr);
  } else if constexpr (std::default_initializable<Sent>) {
    Sent none{};
    yielded = frame().resume_from_consumer(std::addressof(none));
  } else {
    throw std::logic_error("corio::generator::next(): Sent has no default value to resume the "
                           "paused co_yield with; use send()");
  }
  if (!yielded)
    return std::nullopt;
  return std::optional<Yield>(std::move(*frame().value));
}

template <class Yield, class Sent, class Return>
std::optional<Yield> generator<Yield, Sent, Return>::send(
    detail::parameter_type<Sent> value) requires(!std::is_void_v<Sent>) {
  if (done())
    throw generator_exhausted();
  if (frame().root == &frame() && frame().state == generator_state::created)
    throw generator_not_started();
  if (!frame().resume_from_consumer(std::addressof(value)))
    return std::nullopt;
  return std::optional<Yield>(std::move(*frame().value));
}

template <class Yield, class Sent, class Return>
generator_state generator<Yield, Sent, Return>::state() const noexcept {
  return done() ? generator_state::closed : frame().root->state;
}

template <class Yield, class Sent, class Return>
void generator<Yield, Sent, Return>::close() {
  if (done())
    return;
  if (frame().root != &frame())
    throw std::logic_error("corio::generator::close(): the generator is delegated to by another "
                           "one (elements_of); close the outer generator instead");
  if (frame().state == generator_state::running)
    throw std::logic_error("corio::generator::close(): generator already running; it cannot "
                           "close itself");
  destroy();
}

template <class Yield, class Sent, class Return>
void generator<Yield, Sent, Return>::destroy() noexcept {
  if (handle_)
    detail::destroy_stack(std::exchange(handle_, {}).promise());
}

template <class Yield, class Sent, class Return>
std::add_lvalue_reference_t<Return>
generator<Yield, Sent, Return>::result() requires(!std::is_void_v<Return>) {
  if (!handle_ || !handle_.done() || !handle_.promise().result)
    throw std::logic_error("corio::generator::result(): the body has not returned a value "
                           "(not finished, closed early, or it threw)");
  return *handle_.promise().result;
}

} // namespace corio

#endif // CORIO_DETAIL_GENERATOR_IMPL_HPP
