// The spinner's coroutine version, as asyncio's (declared in spinner.hpp).
#include "spinner.hpp"

#include <corio/sleep.hpp>
#include <corio/task.hpp>

#include <boost/system/system_error.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <string>
#include <utility>

namespace spinner_app {

// --- coroutine: asyncio's spinner -----------------------------------------------
//! [coroutine]
corio::awaitable<void> spin(std::string message) {
  std::string status;
  for (std::size_t i = 0;; ++i) {
    status = show_frame(i, message);
    try {
      co_await corio::sleep(frame_interval); // yields to the loop: slow() runs
    } catch (const boost::system::system_error&) {
      // spinner.cancel() lands here: as corio::cancelled_error inside sleep, or,
      // if this frame's tick had already fired, as Asio's operation_aborted at
      // the co_await itself. Both derive from system_error.
      break;
    }
  }
  erase(status);
}

corio::awaitable<int> slow(seconds delay) {
  co_await corio::sleep(delay); // not std::this_thread::sleep_for!
  co_return 42;
}

corio::awaitable<int> supervisor(seconds delay, std::string message) {
  corio::task<void> spinner = corio::spawn(spin(std::move(message)));
  fmt::print("spinner object: {}\n", fmt::streamed(spinner));
  int result = co_await slow(delay);
  spinner.cancel(); // run() lets it finish its step (erase the line) before returning
  co_return result;
}
//! [coroutine]

} // namespace spinner_app
