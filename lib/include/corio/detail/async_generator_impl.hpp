// corio/detail/async_generator_impl.hpp - the template bodies of async_generator.hpp:
// the constructor, next(), the yield, and for_each's loops. The protocol itself is in
// async_generator_state.hpp.
#ifndef CORIO_DETAIL_ASYNC_GENERATOR_IMPL_HPP
#define CORIO_DETAIL_ASYNC_GENERATOR_IMPL_HPP

#include <corio/async_generator.hpp>
#include <corio/detail/primitive.hpp>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace corio {

template <typename T>
template <typename F, typename... Args>
requires detail::async_generator_body<F, T, Args...>
async_generator<T>::async_generator(F&& f, Args&&... args) : state_(new state_type()) {
  auto& body = state_->keep_callable(std::forward<F>(f));
  using result = std::invoke_result_t<decltype(body), yielder<T>, Args...>;
  static_assert(std::is_same_v<result, awaitable<void>>,
                "corio::async_generator: the body must return corio::awaitable<void>");
  state_->set_body(std::invoke(body, yielder<T>(state_), std::forward<Args>(args)...));
}

namespace detail {

template <typename T>
awaitable<std::optional<T>> pull_next(boost::intrusive_ptr<async_generator_state<T>> state,
                                      std::source_location site) {
  const executor ex = co_await boost::asio::this_coro::executor;
  const bool must_wait = state->begin_pull(ex, site);
  const pull_scope pulling(*state);
  if (must_wait) {
    async_generator_core* core = state.get();
    co_await state->consumer().async_wait({}, boost::asio::use_awaitable_t<executor>(), [core] {
      core->cancel_body();
      return false; // keep waiting until the body has reacted
    });
  }
  if (state->value) {
    std::optional<T> value(std::move(state->value));
    state->value.reset();
    co_return value;
  }
  state->report_end();
  co_return std::nullopt;
}

template <typename T>
awaitable<void> hand_over(boost::intrusive_ptr<async_generator_state<T>> state, T value) {
  state->check_yield();
  state->value.emplace(std::move(value));
  state->consumer().notify_one();
  auto [error] = co_await state->producer().async_wait({}, wait_token);
  throw_if_cancelled(error);
}

/// Calls fn with one item; false when fn asked to stop.
template <typename Fn, typename Item>
awaitable<bool> call_each(Fn& fn, Item&& item) {
  using result = std::invoke_result_t<Fn&, Item&&>;
  if constexpr (std::is_void_v<result>) {
    std::invoke(fn, std::forward<Item>(item));
    co_return true;
  } else if constexpr (std::is_same_v<result, bool>) {
    co_return std::invoke(fn, std::forward<Item>(item));
  } else if constexpr (std::is_same_v<result, awaitable<void>>) {
    co_await std::invoke(fn, std::forward<Item>(item));
    co_return true;
  } else {
    static_assert(std::is_same_v<result, awaitable<bool>>,
                  "corio::for_each: fn must return void, bool, awaitable<void> or awaitable<bool>");
    co_return co_await std::invoke(fn, std::forward<Item>(item));
  }
}

template <typename Generator, typename Fn>
awaitable<void> pull_each(Generator& gen, Fn fn) {
  while (auto item = co_await gen.next())
    if (!co_await call_each(fn, std::move(*item)))
      co_return;
}

template <typename Generator, typename Fn>
awaitable<void> pull_each_and_close(Generator gen, Fn fn) {
  co_await pull_each(gen, std::move(fn));
  if constexpr (requires { gen.close(); })
    co_await gen.close(); // a break leaves the body suspended: unwind it before returning
}

} // namespace detail

template <typename T>
awaitable<void> yielder<T>::operator()(T value) const {
  return detail::hand_over(state_, std::move(value));
}

template <typename T>
awaitable<std::optional<T>> async_generator<T>::next(std::source_location site) {
  return detail::pull_next(checked_state(), site);
}

} // namespace corio

#endif // CORIO_DETAIL_ASYNC_GENERATOR_IMPL_HPP
