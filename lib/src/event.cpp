#include <corio/detail/primitive.hpp>
#include <corio/event.hpp>

namespace corio {

void event::set() {
  binding_.check("corio::event::set");
  set_ = true;
  waiters_.notify_all();
}

awaitable<void> event::wait() {
  binding_.check("corio::event::wait");
  if (set_)
    co_return;
  auto [error] = co_await waiters_.async_wait({}, detail::wait_token);
  detail::throw_if_cancelled(error);
}

} // namespace corio
