# ccache as compiler launcher (top-level builds only; never overrides a launcher the
# user chose). With CORIO_USE_PCH=ON, ccache can only cache TUs that
# -include a GCC .gch when it may ignore the PCH's macro definitions and __TIME__:
# sloppiness=pch_defines,time_macros. ccache 4.7 has no "ccache key=value" syntax,
# so the settings travel in the environment via `cmake -E env`. base_dir makes paths
# under the source tree relative in the hash, so a fresh clone (CI) hits the cache
# filled by another checkout of the same commit.
include_guard(GLOBAL)

if(NOT CORIO_USE_CCACHE OR DEFINED CMAKE_CXX_COMPILER_LAUNCHER)
  return()
endif()

find_program(CORIO_CCACHE_PROGRAM ccache)
mark_as_advanced(CORIO_CCACHE_PROGRAM)
if(NOT CORIO_CCACHE_PROGRAM)
  message(STATUS "corio: ccache not found; compiling without it")
  return()
endif()

set(CMAKE_CXX_COMPILER_LAUNCHER
  "${CMAKE_COMMAND}" -E env
  "CCACHE_SLOPPINESS=pch_defines,time_macros"
  "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
  "${CORIO_CCACHE_PROGRAM}")
message(STATUS "corio: using ccache (${CORIO_CCACHE_PROGRAM})")
