#include <corio/detail/list_operation.hpp> // await_in_coroutine
#include <corio/detail/loop_clock.hpp>
#include <corio/detail/primitive.hpp>
#include <corio/detail/sleep_wait.hpp>
#include <corio/detail/step.hpp>
#include <corio/detail/task_executor.hpp>
#include <corio/sleep.hpp>

namespace corio {

sleep_operation sleep_until(std::chrono::steady_clock::time_point deadline) {
  detail::note_wait_started();
  return sleep_operation(deadline);
}

sleep_operation detail::sleep_for(std::chrono::steady_clock::duration duration) {
  detail::note_wait_started();
  return sleep_operation(detail::deadline_after(duration));
}

sleep_operation::operator awaitable<void>() const {
  return detail::await_in_coroutine<void>(*this);
}

void detail::sleep_resumed(const boost::system::error_code& error) {
  detail::throw_if_cancelled(error);
  if (error)
    throw boost::system::system_error(error, "corio::sleep");
}

yield_operation::operator awaitable<void>() const {
  return detail::await_in_coroutine<void>(*this);
}

yield_operation yield_now() {
  detail::note_wait_started();
  return {};
}

} // namespace corio
