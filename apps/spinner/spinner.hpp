// apps/spinner/spinner.hpp - the spinner's coroutine version (spin, slow, supervisor)
// and the frames every mode draws. In a header of its own so that a test can run the
// app's own slow() and spinner on virtual time (test/spinner_coroutine_test.cpp); spinner.cpp
// defines them.
#ifndef CORIO_APPS_SPINNER_SPINNER_HPP
#define CORIO_APPS_SPINNER_SPINNER_HPP

#include <corio/awaitable.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace spinner_app {

using seconds = std::chrono::duration<double>;
constexpr std::string_view frames = "\\|/-";
constexpr auto frame_interval = std::chrono::milliseconds(100);

inline std::string show_frame(std::size_t index, const std::string& message) {
  std::string status = fmt::format("\r{} {}", frames[index % frames.size()], message);
  fmt::print("{}", status);
  std::fflush(stdout);
  return status;
}

inline void erase(const std::string& status) {
  fmt::print("\r{}\r", std::string(status.size(), ' '));
  std::fflush(stdout);
}

/// Draws `message` with a spinning frame every frame_interval until cancelled, then
/// erases its line (asyncio's spin()).
corio::awaitable<void> spin(std::string message);
/// Waits `delay` without blocking the loop, then returns 42.
corio::awaitable<int> slow(seconds delay);
/// Spins while slow() runs, cancels the spinner, returns slow()'s answer.
corio::awaitable<int> supervisor(seconds delay, std::string message);

} // namespace spinner_app

#endif // CORIO_APPS_SPINNER_SPINNER_HPP
