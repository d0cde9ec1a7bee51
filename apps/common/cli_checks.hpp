// apps/common/cli_checks.hpp - the number checks every corio app's command line uses,
// so that a bad number gets the same message, in the user's terms, in every app:
//
//   app.add_option("--timeout", timeout)->check(cli_checks::number(0.001, 3600, "seconds"));
//   app.add_option("--port", port)->check(cli_checks::whole_number(0, 65535));
//   cli_checks::add_loops_option(app, loops);   // --loops N: corio::run_options::loops
//
//   $ corio-flags --timeout nan
//   --timeout: must be a number of seconds from 0.001 to 3600, not 'nan'
//
// CLI11's own checks say "Value 0 not in range 0.000000 to 1797693...", or "Could not
// convert" when a value does not fit the option's type, and its ranges let NaN through
// (every comparison with NaN is false). These checks run before CLI11 converts the
// text, accept only text that conversion accepts too, and reject NaN, infinities and
// numbers too large for a double. A failed check is a CLI::ValidationError: the apps
// print it and exit 2, like every other usage error.
#ifndef CORIO_APPS_COMMON_CLI_CHECKS_HPP
#define CORIO_APPS_COMMON_CLI_CHECKS_HPP

#include <corio/run_options.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

namespace cli_checks {

/// A finite decimal number from `min` to `max`, both included; `unit` ("seconds") names
/// what it counts in the message.
inline CLI::Validator number(double min, double max, std::string_view unit = "") {
  const std::string what = unit.empty() ? "a number" : fmt::format("a number of {}", unit);
  return CLI::Validator(
      [min, max, what](const std::string& text) {
        double value = 0;
        const char* end = text.data() + text.size();
        const auto [at, ec] = std::from_chars(text.data(), end, value);
        if (ec == std::errc() && at == end && std::isfinite(value) && value >= min && value <= max)
          return std::string();
        return fmt::format("must be {} from {} to {}, not '{}'", what, min, max, text);
      },
      fmt::format("{} to {}", min, max));
}

/// A whole number (digits only: no sign, no fraction) from `min` to `max`, both included.
inline CLI::Validator whole_number(std::uint64_t min,
                                   std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
  const bool unbounded = max == std::numeric_limits<std::uint64_t>::max();
  const std::string wanted =
      unbounded ? fmt::format("of at least {}", min) : fmt::format("from {} to {}", min, max);
  return CLI::Validator(
      [min, max, wanted](const std::string& text) {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [at, ec] = std::from_chars(text.data(), end, value);
        if (ec == std::errc() && at == end && value >= min && value <= max)
          return std::string();
        return fmt::format("must be a whole number {}, not '{}'", wanted, text);
      },
      unbounded ? fmt::format(">= {}", min) : fmt::format("{} to {}", min, max));
}

/// The --loops option of every app that runs corio on many loops (loop.hpp): a whole
/// number from 0 (one loop per hardware thread) to corio::run_options::max_threads.
inline CLI::Option* add_loops_option(CLI::App& app, std::size_t& loops, std::string what,
                                     const std::string& name = "--loops") {
  return app.add_option(name, loops, std::move(what) + " (0: one per hardware thread)")
      ->check(whole_number(0, corio::run_options::max_threads))
      ->capture_default_str();
}

} // namespace cli_checks

#endif // CORIO_APPS_COMMON_CLI_CHECKS_HPP
