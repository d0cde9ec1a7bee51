// corio/detail/async_generator_state.hpp - what an async generator's handle, its body and
// its consumer share.
//
// Design: the body is an awaitable<void> started as a task of its own at the first next()
// (start_task, so it has Asio's cancellation, sticky checks and a task state like any
// task); consumer and body meet on two waiter lists. next() wakes the body (`producer`)
// and waits on `consumer`; the body's yield puts the value in the state, wakes `consumer`
// and waits on `producer`. The end of the body is seen through its task core's joiners
// (as child_set watches children), so a body that never started (cancelled before its
// first turn) ends the wait too. Cancelling the consumer's wait cancels the body task and
// keeps waiting for it, as `co_await task` does.
//
// Invariants:
//  - The body runs only while a next() is in progress (`pulling_`): it starts or is woken
//    by begin_pull(), and a yield is accepted only then. So nothing runs ahead of the
//    consumer, and a value, once handed over, is taken by the next() it was made for.
//  - At most one next() is in progress; end_ != none means no value will ever come.
//  - Before the first next() the state owns the body's frame (`pending_body_`), whose
//    yielder owns the state: abandon()/close() break that cycle by destroying the frame.
//    Afterwards the task owns the frame, and the state lives while the body runs.
//  - The body's outcome is read from its task core once (report_end), so a failure is
//    rethrown to the consumer, or logged by the core as never retrieved.
//
// Thread-safety: none; one loop (loop_binding checks next() and close()).
#ifndef CORIO_DETAIL_ASYNC_GENERATOR_STATE_HPP
#define CORIO_DETAIL_ASYNC_GENERATOR_STATE_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/loop_binding.hpp>
#include <corio/detail/task_core.hpp>
#include <corio/detail/waiter_list.hpp>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <memory>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace corio::detail {

[[noreturn]] void throw_empty_async_generator();

class async_generator_core
    : public boost::intrusive_ref_counter<async_generator_core, boost::thread_unsafe_counter> {
public:
  async_generator_core(const async_generator_core&) = delete;
  async_generator_core& operator=(const async_generator_core&) = delete;
  virtual ~async_generator_core(); // intrusive_ref_counter deletes through this base

  /// Keeps the body's callable where its frame can refer to it.
  template <typename F>
  std::decay_t<F>& keep_callable(F&& f) {
    auto kept = std::make_shared<std::decay_t<F>>(std::forward<F>(f));
    callable_ = kept;
    return *kept;
  }
  void set_body(awaitable<void> body) { pending_body_.emplace(std::move(body)); }

  /// One next() begins: starts the body (first call) or wakes it at its yield. True when
  /// next() must wait on consumer(); false when the body has already ended. Throws
  /// generator_exhausted when closed, std::logic_error for a concurrent next() or another loop.
  bool begin_pull(const executor& ex, std::source_location site);
  void end_pull() noexcept { pulling_ = false; }
  /// No value came: returns if the body returned (next() gives nullopt), else rethrows
  /// its exception or throws cancelled_error. The generator is closed afterwards.
  void report_end();
  /// The consumer's wait was cancelled: cancel the body (it keeps being waited for).
  void cancel_body() noexcept;
  /// The handle is destroyed: drop a never-started body, cancel a suspended one.
  void abandon() noexcept;

  /// The body is about to hand a value over; throws std::logic_error when no next() waits.
  void check_yield() const;
  waiter_list<>& consumer() noexcept { return consumer_; }
  waiter_list<>& producer() noexcept { return producer_; }

protected:
  async_generator_core() = default;

private:
  friend awaitable<void> close_async_generator(boost::intrusive_ptr<async_generator_core> self);
  enum class end_reason { none, returned, failed, cancelled, closed };
  struct body_end_watcher {
    boost::intrusive_ptr<async_generator_core> state;
    void operator()(boost::system::error_code) const { state->consumer_.notify_all(); }
  };
  [[noreturn]] void throw_closed() const;

  std::shared_ptr<void> callable_;              // declared first: outlives the frame
  std::optional<awaitable<void>> pending_body_; // until the first next()
  task_core_ptr<void> body_;                    // from the first next()
  waiter_list<> consumer_{"async_generator next"};
  waiter_list<> producer_{"async_generator yield"};
  loop_binding binding_;
  end_reason end_ = end_reason::none;
  bool pulling_ = false;
};

/// The state of one async_generator<T>: the core and the value being handed over.
template <typename T>
class async_generator_state final : public async_generator_core {
public:
  std::optional<T> value;
};

/// close() (non-template: it never touches the value).
awaitable<void> close_async_generator(boost::intrusive_ptr<async_generator_core> self);

/// Ends a next() on every path out of it.
class pull_scope {
public:
  explicit pull_scope(async_generator_core& state) noexcept : state_(state) {}
  pull_scope(const pull_scope&) = delete;
  pull_scope& operator=(const pull_scope&) = delete;
  ~pull_scope() { state_.end_pull(); }

private:
  async_generator_core& state_;
};

} // namespace corio::detail

#endif // CORIO_DETAIL_ASYNC_GENERATOR_STATE_HPP
