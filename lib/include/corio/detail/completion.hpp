// corio/detail/completion.hpp - how every corio wait (task join, queue, event, sleep,
// yield ...) hands its completion to the handler it holds: on the next turn of the
// handler's loop, never inside the call that ends the wait.
//
//   class my_wait : public wait_completion<Handler, boost::system::error_code> {
//     void start(Handler h) { hold(std::move(h)); /* link somewhere */ }
//     void woken() { deliver({}); }                     // handler({}) runs next turn
//     void release(const Handler&) noexcept override {} // in a frame: nothing to free
//   };
//
// Design (docs/design.md, "Light tasks", fourth round): a wait's node holds the
// handler. When the handler's executor belongs to an io_context (a corio task's always
// does), deliver() queues the node itself on that io_context's scheduler
// (asio_glue::in_place_operation), so a wake-up allocates nothing; a post through
// any_io_executor would allocate a type-erased function for it. When the scheduler runs
// the node, the handler is moved out, the node is released (a heap node frees itself),
// and the handler runs in a step of its task, as the task's executor would run it (any
// other handler is dispatched to its own executor from that turn, as Asio's post
// does). Any other executor (a strand, a thread pool) gets an ordinary post.
//
// Thread-safety: deliver() may be called on any thread (Asio's scheduler queue takes
// its lock when the caller is not the io_context's own thread); the handler runs on a
// thread running its io_context. A node is delivered at most once per hold().
// Cancellation: none here; the wait decides what a cancellation delivers. If the
// io_context is destroyed with the node queued, the handler is destroyed unrun (a
// coroutine unwinds) and the node released.
#ifndef CORIO_DETAIL_COMPLETION_HPP
#define CORIO_DETAIL_COMPLETION_HPP

#include <corio/awaitable.hpp>
#include <corio/detail/asio_glue.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>

#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace corio::detail {

/// The executor a completion runs on: the handler's associated one.
template <typename Handler>
auto completion_executor(const Handler& handler) {
  auto executor = boost::asio::get_associated_executor(handler);
  static_assert(!std::is_same_v<decltype(executor), boost::asio::system_executor>,
                "corio: a completion handler must have an associated executor (coroutines "
                "always do; bind callbacks with boost::asio::bind_executor)");
  return executor;
}

/// Posts `handler()` to the handler's associated executor (this allocates; a wait's
/// node uses wait_completion instead).
template <typename Handler>
void post_completion(Handler&& handler) {
  auto executor = completion_executor(handler);
  boost::asio::post(executor, std::forward<Handler>(handler));
}

/// Posts `handler(ec)` to the handler's associated executor.
template <typename Handler>
void post_completion(Handler&& handler, boost::system::error_code ec) {
  auto executor = completion_executor(handler);
  boost::asio::post(executor, boost::asio::append(std::forward<Handler>(handler), ec));
}

/// The scheduler of the io_context behind `ex` (an io_context's executor, or a corio
/// task's over one), or null.
boost::asio::detail::scheduler* scheduler_behind(const executor& ex) noexcept;

/// Runs `call(argument)` inside a step of the task whose executor `ex` is, when `ex` is
/// a corio task's executor over an io_context running on this thread; else returns
/// false without calling it.
bool run_in_task_step(const executor& ex, void (*call)(void*), void* argument);

/// A wait's handler and its delivery (see the header comment). `Derived` (the node)
/// frees itself in `release(const Handler& handler) noexcept`, where `handler` (moved
/// out of it) gives the allocator; a node in a coroutine's frame frees nothing. `Args`
/// are the completion's arguments (none, or an error_code).
template <typename Derived, typename Handler, typename... Args>
class wait_completion
    : private asio_glue::in_place_operation<wait_completion<Derived, Handler, Args...>> {
public:
  wait_completion(const wait_completion&) = delete;
  wait_completion& operator=(const wait_completion&) = delete;

protected:
  wait_completion() = default;
  ~wait_completion() = default;

  void hold(Handler handler) { handler_.emplace(std::move(handler)); }
  const Handler& handler() const noexcept { return *handler_; }

  /// handler(args...) on the next turn of its executor. The node stays alive (and
  /// unreleased) until then; it must not be delivered again before.
  void deliver(Args... args) {
    auto ex = completion_executor(*handler_);
    if (boost::asio::detail::scheduler* scheduler = scheduler_of_executor(ex)) {
      arguments_ = std::tuple<Args...>(std::move(args)...);
      this->post_to(*scheduler);
      return;
    }
    post_completion(take(), std::move(args)...);
  }

  /// Moves the handler out and releases the node (a heap node: `this`).
  Handler take() noexcept {
    Handler handler(std::move(*handler_));
    handler_.reset();
    static_cast<Derived*>(this)->release(handler);
    return handler;
  }

private:
  friend class asio_glue::in_place_operation<wait_completion>;

  template <typename Executor>
  static boost::asio::detail::scheduler* scheduler_of_executor(const Executor& ex) noexcept {
    if constexpr (std::is_same_v<Executor, executor>)
      return scheduler_behind(ex);
    else if constexpr (std::is_same_v<Executor, boost::asio::io_context::executor_type>)
      return &asio_glue::scheduler_of(ex.context());
    else
      return nullptr;
  }

  // The scheduler runs the node, on a thread running its io_context.
  void run_posted() {
    struct completion {
      std::tuple<Args...> arguments;
      Handler handler;
      void operator()() { std::apply(std::move(handler), std::move(arguments)); }
    };
    // The arguments first: take() releases the node, so `this` may be gone after it.
    completion call{std::move(arguments_), take()};
    const auto ex = completion_executor(call.handler);
    if constexpr (std::is_same_v<std::decay_t<decltype(ex)>, executor>) {
      if (run_in_task_step(
              ex, [](void* pending) { (*static_cast<completion*>(pending))(); }, &call))
        return;
    }
    // This already is the posted turn, so it runs through its own executor now (at
    // once when that executor runs here), as Asio's post does.
    boost::asio::dispatch(ex, std::move(call));
  }

  // The io_context went away with the node queued: a coroutine unwinds.
  void drop_posted() noexcept { (void)take(); }

  std::optional<Handler> handler_;
  [[no_unique_address]] std::tuple<Args...> arguments_;
};

/// A completion kept in the awaiting coroutine's frame with no wait around it (a
/// yield's): nothing to free.
template <typename Handler, typename... Args>
class completion_in_frame final
    : public wait_completion<completion_in_frame<Handler, Args...>, Handler, Args...> {
  using base = wait_completion<completion_in_frame, Handler, Args...>;

public:
  completion_in_frame() = default;
  ~completion_in_frame() = default;
  completion_in_frame(const completion_in_frame&) = delete;
  completion_in_frame& operator=(const completion_in_frame&) = delete;

  /// handler(args...) on the next turn of its executor.
  void deliver(Handler handler, Args... args) {
    this->hold(std::move(handler));
    base::deliver(std::move(args)...);
  }

private:
  friend base;
  void release(const Handler&) noexcept {}
};

} // namespace corio::detail

#endif // CORIO_DETAIL_COMPLETION_HPP
