// corio/detail/join.hpp - the Asio async operation behind `co_await task`,
// `co_await shield(task)` and the cleanup scope `shielded()`.
//
// Design: a join is a wait on the task core's waiter list. When the task finishes
// every joiner is woken (on the next turn, FIFO). `co_await` keeps the waiter in the
// awaiting frame (join_awaiter): a join allocates nothing. The operation itself completes with
// void(exception_ptr): null when the task is done, else the exception to rethrow.
// The value is not carried through the handler; the awaiter reads it from the
// core when it resumes (join_awaiter below), so T need not be default-
// constructible, and for a move-only T the first awaiter to resume takes it.
// (Asio 1.26 also mishandles void(exception_ptr, T) in co_await: its resume tests
// the wrong pointer.)
//
// What a cancellation of the awaiter does depends on the mode:
//  - propagate: the task is cancelled and the awaiter keeps waiting for it to end
//    (asyncio: cancelling `await t` cancels t); the result is whatever t ended with;
//  - abandon: the awaiter stops waiting at once with cancelled_error; the task runs
//    on (asyncio.shield);
//  - ignore: the awaiter keeps waiting and the task is left alone (cleanup scope).
#ifndef CORIO_DETAIL_JOIN_HPP
#define CORIO_DETAIL_JOIN_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/asio_glue.hpp> // the Asio version check for the awaitable_async_op use
#include <corio/detail/task_core.hpp>
#include <corio/detail/waiter_list.hpp>
#include <corio/errors.hpp>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace corio::detail {

enum class join_mode { propagate, abandon, ignore };

using join_signature = void(std::exception_ptr);

/// What a join reports: null when the task is done, else the exception to rethrow
/// (the task's, its cancellation, or `ec`: the awaiter stopped waiting).
inline std::exception_ptr join_error(task_core_base& task, boost::system::error_code ec) {
  return ec ? std::make_exception_ptr(cancelled_error("corio: stopped waiting for a shielded task"))
            : task.retrieve_exception();
}

/// What a join does when its awaiter is cancelled (see join_mode): true to stop
/// waiting.
struct join_cancellation {
  task_core_base* task; // the joined task: the waiter is in its list, so it is alive
  join_mode mode;

  bool operator()() const {
    if (mode == join_mode::propagate)
      task->cancel();
    return mode == join_mode::abandon;
  }
};

/// Adapts a handler of void(exception_ptr) to the waiter list's void(error_code).
template <typename Handler>
class join_completion {
public:
  join_completion(Handler handler, boost::intrusive_ptr<task_core_base> core)
      : handler_(std::move(handler)), core_(std::move(core)) {}

  void operator()(boost::system::error_code ec) { std::move(handler_)(join_error(*core_, ec)); }

  Handler handler_;

private:
  boost::intrusive_ptr<task_core_base> core_;
};

/// Waits for a task to end, with any completion token; completes with
/// void(exception_ptr). (co_await uses join_awaiter below instead.)
template <typename T>
class join_wait {
public:
  join_wait(task_core_ptr<T> core, join_mode mode) : core_(std::move(core)), mode_(mode) {}

  const task_core_ptr<T>& core() const noexcept { return core_; }
  join_mode mode() const noexcept { return mode_; }

  template <boost::asio::completion_token_for<join_signature> CompletionToken>
  auto operator()(CompletionToken&& token) const {
    return boost::asio::async_initiate<CompletionToken, join_signature>(
        [](auto handler, boost::intrusive_ptr<task_core_base> core, join_mode mode) {
          task_core_base* task = core.get();
          join_completion<std::decay_t<decltype(handler)>> completion(std::move(handler),
                                                                      std::move(core));
          if (task->done()) {
            post_completion(std::move(completion), {});
            return;
          }
          task->joiners().async_wait({}, std::move(completion), join_cancellation{task, mode});
        },
        token, boost::intrusive_ptr<task_core_base>(core_), mode_);
  }

private:
  task_core_ptr<T> core_;
  join_mode mode_;
};

/// The join as a coroutine awaits it: `co_await join_op` resumes with the value
/// (see join_awaiter and the awaitable_async_op specialization below).
template <typename T>
class join_op : public join_wait<T> {
public:
  using join_wait<T>::join_wait;
};

/// What `co_await` on a task or a join builds in the awaiting coroutine's frame: the
/// join's waiter itself (no allocation, and the wake-up is queued in place,
/// completion.hpp), resuming with the task's value read from the core.
template <typename T, typename Executor>
class join_awaiter : public asio_glue::in_frame_awaiter<join_awaiter<T, Executor>,
                                                        void(boost::system::error_code), Executor> {
  using base = typename join_awaiter::in_frame_awaiter;

public:
  join_awaiter(join_wait<T> wait, boost::asio::detail::awaitable_frame_base<Executor>* frame)
      : base(frame), wait_(std::move(wait)) {}

  void start(typename base::handler_type handler) {
    task_core_base* task = wait_.core().get();
    waiter_.emplace(task->joiners(), std::move(handler), std::monostate{},
                    join_cancellation{task, wait_.mode()});
    if (task->done())
      task->joiners().notify(*waiter_); // ended already: resumes on the next turn
  }

  T await_resume() {
    // Rethrows the task's failure or cancellation, or the abandoned wait's.
    if (std::exception_ptr error = join_error(*wait_.core(), *this->result))
      std::rethrow_exception(error);
    return wait_.core()->take_value();
  }

private:
  join_wait<T> wait_;
  std::optional<waiter_in_frame<typename base::handler_type, std::monostate, join_cancellation>>
      waiter_;
};

/// How a join ended, captured instead of thrown, so that a combinator can look at
/// the task (was it its deadline?) before deciding what to throw.
template <typename T>
struct join_outcome {
  std::exception_ptr error;
  std::optional<result_of<T>> value;

  T get() && {
    if (error)
      std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
      return std::move(*value);
  }
};

template <typename T>
awaitable<join_outcome<T>> join_capturing(task_core_ptr<T> core, join_mode mode) {
  join_outcome<T> outcome;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await join_op<T>(std::move(core), mode);
      outcome.value.emplace();
    } else {
      outcome.value.emplace(co_await join_op<T>(std::move(core), mode));
    }
  } catch (...) {
    outcome.error = std::current_exception();
  }
  co_return outcome;
}

} // namespace corio::detail

namespace boost::asio {

/// The adapted handler keeps the awaiter's executor, allocator and cancellation slot.
template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct associator<Associator, corio::detail::join_completion<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type
  get(const corio::detail::join_completion<Handler>& completion) noexcept {
    return Associator<Handler, DefaultCandidate>::get(completion.handler_);
  }
  static auto get(const corio::detail::join_completion<Handler>& completion,
                  const DefaultCandidate& candidate) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(completion.handler_, candidate)) {
    return Associator<Handler, DefaultCandidate>::get(completion.handler_, candidate);
  }
};

namespace detail {

// `co_await join_op` resumes with the task's value (see join_awaiter).
template <typename Signature, typename T, typename Executor>
class awaitable_async_op<Signature, corio::detail::join_op<T>, Executor>
    : public corio::detail::join_awaiter<T, Executor> {
public:
  awaitable_async_op(const corio::detail::join_op<T>& op, awaitable_frame_base<Executor>* frame)
      : corio::detail::join_awaiter<T, Executor>(op, frame) {}
};

} // namespace detail
} // namespace boost::asio

#endif // CORIO_DETAIL_JOIN_HPP
