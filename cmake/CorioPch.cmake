# Precompiled headers. Three PCHs are compiled, each once, all from CORIO_PCH_HEADERS
# (Asio's coroutine machinery, timers, sockets, spdlog, fmt):
#   - on `corio` itself (PRIVATE, never exported);
#   - on `corio_app_pch` (CorioApps.cmake): plus CLI11; every app reuses it;
#   - on `corio_test_pch` (CorioTests.cmake): plus Boost.Test; every test target
#     reuses it.
#
# Why CORIO_USE_PCH is OFF by default (measured on the 2-core machine, g++ 12, Release):
#   - corio's TUs are dominated by instantiating and optimising coroutine templates,
#     not by parsing: per TU the PCH saved 0.5 s of CPU at best (run_test 7.8 -> 7.3 s,
#     log_test 6.0 -> 5.4 s) and cost time where it drags in unused headers
#     (runtime.cpp 6.8 -> 7.6 s, the generators app 13.4 -> 14.6 s);
#   - each .gch costs ~10 s of CPU and writes 140-190 MB; a clean build of the tree
#     took 199 s of CPU with PCH against 170 s without;
#   - with ccache, every hit on a PCH-using TU re-hashes the .gch (~0.5 s extra);
#     a warm-cache rebuild without PCH is mostly ~0.2 s hits.
# Turn it on (-DCORIO_USE_PCH=ON) if the number of test TUs grows enough to amortise
# the .gch; the REUSE_FROM plumbing below keeps it to three compiles.
# A reusing target must be compiled with flags compatible with the donor's; GCC checks
# and CMake adds -Winvalid-pch, so a mismatch shows up as a warning (an error in CI).
# Targets that must see headers alone (the header check) never use a PCH.
include_guard(GLOBAL)

set(CORIO_PCH_HEADERS
  <boost/asio/awaitable.hpp>
  <boost/asio/co_spawn.hpp>
  <boost/asio/use_awaitable.hpp>
  <boost/asio/this_coro.hpp>
  <boost/asio/io_context.hpp>
  <boost/asio/post.hpp>
  <boost/asio/steady_timer.hpp>
  <boost/asio/ip/tcp.hpp>
  <spdlog/spdlog.h>
  <fmt/format.h>
  <chrono>
  <coroutine>
  <exception>
  <functional>
  <memory>
  <optional>
  <string>
  <vector>)

# The library's own PCH (PRIVATE: never exported to consumers).
function(corio_target_pch target)
  if(CORIO_USE_PCH)
    target_precompile_headers(${target} PRIVATE ${CORIO_PCH_HEADERS})
  endif()
endfunction()
