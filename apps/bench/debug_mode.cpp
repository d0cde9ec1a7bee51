// apps/bench/debug_mode.cpp - workload 6: what corio's debug mode costs per
// resumption. One task resumes N times (co_await corio::yield_now()) under
// corio::run(main, {.debug = false}) (impl corio) and {.debug = true} (impl
// corio-debug); raw-asio resumes N times with co_await asio::post(use_awaitable).
// ns per resumption.
//
// Whether corio::run_options has `debug` is checked at compile time, so this file
// builds against a corio without debug mode: then debug_mode_available() is false,
// the parent skips the workload with a note, and corio-debug is refused here.
#include "spawn_all.hpp"

#include <corio/run_options.hpp>
#include <corio/sleep.hpp>

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace bench {

namespace {

using number = std::uint64_t;

template <typename Options = corio::run_options>
constexpr bool has_debug_field = requires(Options options) {
  options.debug = true;
};

template <typename Options = corio::run_options>
Options with_debug(bool on) {
  Options options{};
  if constexpr (has_debug_field<Options>)
    options.debug = on;
  else if (on)
    throw std::logic_error("corio::run_options has no debug field in this build");
  return options;
}

corio::awaitable<number> corio_yields(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    co_await corio::yield_now();
  co_return n;
}

asio::awaitable<number> raw_yields(std::size_t n) {
  const auto ex = co_await asio::this_coro::executor;
  for (std::size_t i = 0; i < n; ++i)
    co_await asio::post(ex, asio::use_awaitable);
  co_return n;
}

number yields_corio(std::size_t n) {
  return corio::run(corio_yields(n), with_debug(false));
}
number yields_corio_debug(std::size_t n) {
  return corio::run(corio_yields(n), with_debug(true));
}
number yields_raw(std::size_t n) {
  return run_raw(raw_yields(n));
}

} // namespace

bool debug_mode_available() {
  return has_debug_field<>;
}

std::vector<record> run_debug_mode(const child_args& args) {
  using run_fn = number (*)(std::size_t);
  const run_fn run = pick<run_fn>(
      args,
      {{"corio", yields_corio}, {"corio-debug", yields_corio_debug}, {"raw-asio", yields_raw}});
  return {timed(args, run, args.n)};
}

} // namespace bench
