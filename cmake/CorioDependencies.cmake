# Every dependency is a Debian 12 package (see scripts/common.sh); nothing is
# downloaded or vendored. CONFIG mode everywhere: each package ships its own config.
include_guard(GLOBAL)

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)

if(CORIO_BUILD_TESTS)
  find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS unit_test_framework)
else()
  # corio::testing (corio/testing.hpp) exists only where Boost.Test does.
  find_package(Boost 1.81 CONFIG QUIET COMPONENTS unit_test_framework)
endif()

if(CORIO_BUILD_APPS)
  find_package(CLI11 CONFIG REQUIRED)
  # corio-flags' --server URL (apps/flags/server_url.cpp); the library does not use it.
  find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS url)
  # corio-bench's JSON lines (and bench_app_test, which reads them back).
  find_package(nlohmann_json 3 CONFIG REQUIRED)
endif()
