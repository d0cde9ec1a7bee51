// apps/common/app_main.hpp - every corio app's main(): Ctrl-C and SIGTERM end the app
// with one line on stderr and the shell's status for the signal (130, 143), instead
// of an abort from an uncaught corio::interrupted.
//
//   int run_app(int argc, char** argv) { ...; return corio::run(work()); }
//   int main(int argc, char** argv) { return app_main::guard("corio-spinner", run_app, argc, argv);
//   }
//
//   $ corio-spinner
//   / thinking!^C
//   corio-spinner: interrupted by SIGINT          ($? is 130)
//
// corio::run() (run_options::handle_signals, on by default) has by then cancelled
// main and drained every task, so the app's cleanup has run; what stdout holds is
// flushed before the line. A second signal during that drain ends the app at once
// (corio's own message, same status). The body's other exceptions pass through.
#ifndef CORIO_APPS_COMMON_APP_MAIN_HPP
#define CORIO_APPS_COMMON_APP_MAIN_HPP

#include <corio/errors.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <string_view>

namespace app_main {

/// Returns body(argc, argv), or the exit status of the signal that interrupted it.
template <typename Body>
int guard(std::string_view program, Body&& body, int argc, char** argv) {
  try {
    return body(argc, argv);
  } catch (const corio::interrupted& interruption) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: {}\n", program, interruption.what());
    return interruption.exit_code();
  }
}

} // namespace app_main

#endif // CORIO_APPS_COMMON_APP_MAIN_HPP
