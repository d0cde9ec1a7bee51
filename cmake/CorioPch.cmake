# Precompiled headers. Three PCHs are compiled, each once, all from CORIO_PCH_HEADERS
# (Asio's coroutine machinery, timers, sockets, spdlog, fmt):
#   - on `corio` itself (PRIVATE, never exported);
#   - on `corio_app_pch` (CorioApps.cmake): plus CLI11; every app reuses it;
#   - on `corio_test_pch` (CorioTests.cmake): plus Boost.Test; every test target
#     reuses it.
# Measured on this 2-core machine: a TU including Asio's coroutine headers saves
# 1-1.5 s of CPU, an app including CLI11 ~4 s; one PCH costs ~5 s to compile.
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
