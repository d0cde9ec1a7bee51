// corio/detail/list_operation.hpp - a primitive's waiting operation (queue get/put)
// that co_await runs without a coroutine frame of its own.
//
// Design (docs/design.md, "Light tasks"): a primitive's operation used to be a
// coroutine: a frame per call, and on cancellation an exception thrown in that frame
// and thrown again in the caller's. A list_operation<Policy> is instead an Asio async
// operation; `co_await` builds Asio's awaiter for it inside the awaiting frame, and
// corio specializes that awaiter (below) to run the policy right there:
//
//   struct policy {                            // what a primitive provides
//     using value_type = ...; using payload_type = ...;
//     bool ready();                            // at co_await: done without waiting?
//     waiter_list<payload_type>& waiters();    // else wait on this list
//     payload_type payload();                  // with this payload
//     value_type resume(error_code ec);        // then: the result, or throw
//   };
//
// The waiter node (waiter_list.hpp's waiter_in_frame) lives in the awaiter too, so a
// wait allocates nothing. Where an awaitable is needed (spawn, gather, timeout) the
// operation converts to one (a coroutine that awaits it); with any other completion
// token it runs as that coroutine under co_spawn, completing with co_spawn's
// signature (void(exception_ptr[, T])).
// Cancellation: as the waiter list's (abandon: operation_aborted, which resume()
// turns into cancelled_error); Asio's sticky check runs at the co_await as for any
// operation.
// Thread-safety: the loop thread, as the primitive.
#ifndef CORIO_DETAIL_LIST_OPERATION_HPP
#define CORIO_DETAIL_LIST_OPERATION_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/asio_glue.hpp> // the Asio version check for the awaitable_async_op use
#include <corio/detail/waiter_list.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace corio::detail {

/// What an operation converts to: a coroutine that co_awaits it.
template <typename T, typename Operation>
awaitable<T> await_in_coroutine(Operation operation) {
  co_return co_await std::move(operation);
}

/// The completion signature of an operation run as a coroutine under co_spawn.
template <typename T>
struct spawned_completion {
  using type = void(std::exception_ptr, T);
};
template <>
struct spawned_completion<void> {
  using type = void(std::exception_ptr);
};
template <typename T>
using spawned_signature = typename spawned_completion<T>::type;

template <typename Policy>
class list_operation : public Policy {
public:
  using value_type = typename Policy::value_type;
  /// The awaitable-operation protocol (awaitable.hpp).
  using awaitable_type = awaitable<value_type>;

  using Policy::Policy;

  /// With a completion token other than co_await's: runs the operation's coroutine.
  /// An operation is one-shot: starting it (this, or co_await, on an rvalue or an
  /// lvalue) moves what it holds (a put()'s item) out of it.
  template <boost::asio::completion_token_for<spawned_signature<value_type>> CompletionToken>
  typename boost::asio::async_result<std::decay_t<CompletionToken>,
                                     spawned_signature<value_type>>::return_type
  operator()(CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, spawned_signature<value_type>>(
        [](auto handler, awaitable_type body) {
          auto executor = completion_executor(handler);
          boost::asio::co_spawn(executor, std::move(body), std::move(handler));
        },
        token, static_cast<awaitable_type>(std::move(*this)));
  }

  // NOLINTNEXTLINE(google-explicit-constructor): the operation is an awaitable
  operator awaitable_type() && { return await_in_coroutine<value_type>(std::move(*this)); }
};

} // namespace corio::detail

namespace boost::asio::detail {

// `co_await list_operation`: the policy and its waiter live in this awaiter.
template <typename Signature, typename Policy, typename Executor>
class awaitable_async_op<Signature, corio::detail::list_operation<Policy>, Executor>
    : public corio::detail::asio_glue::in_frame_awaiter<
          awaitable_async_op<Signature, corio::detail::list_operation<Policy>, Executor>,
          void(boost::system::error_code), Executor> {
  using base = typename awaitable_async_op::in_frame_awaiter;

public:
  template <typename Operation>
  awaitable_async_op(Operation&& operation, awaitable_frame_base<Executor>* frame)
      : base(frame), policy_(static_cast<Policy&&>(operation)) {}

  bool await_ready() { return policy_.ready(); }
  void start(typename base::handler_type handler) {
    waiter_.emplace(policy_.waiters(), std::move(handler), policy_.payload());
  }
  typename Policy::value_type await_resume() {
    return policy_.resume(this->result != nullptr ? *this->result : boost::system::error_code());
  }

private:
  Policy policy_;
  std::optional<
      corio::detail::waiter_in_frame<typename base::handler_type, typename Policy::payload_type>>
      waiter_;
};

} // namespace boost::asio::detail

#endif // CORIO_DETAIL_LIST_OPERATION_HPP
