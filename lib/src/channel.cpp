#include <corio/channel.hpp>
#include <corio/detail/runtime.hpp>
#include <corio/detail/step.hpp>
#include <corio/errors.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace corio::detail {

void throw_bad_channel_capacity(long long capacity) {
  throw std::invalid_argument(fmt::format(
      "corio::channel: the capacity must be at least 1 (a channel of capacity 0, a rendezvous, "
      "is not supported), got {}",
      capacity));
}

void throw_channel_closed(const char* function) {
  throw channel_closed(fmt::format("{}: the channel is closed", function));
}

void refuse_on_loop_thread(const char* function) {
  if (runtime::current() != nullptr || this_loop_thread.running != nullptr)
    throw std::logic_error(fmt::format(
        "{}: called on a thread that runs a corio loop, which it would block (and maybe "
        "deadlock); use co_await send()/receive() there",
        function));
}

void throw_channel_error(const boost::system::error_code& error, const char* function) {
  throw_if_cancelled(error);
  if (error)
    throw_channel_closed(function);
}

} // namespace corio::detail
