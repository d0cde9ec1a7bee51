# CORIO_SANITIZERS: a list such as "address;undefined" or "thread" (set by the asan
# and tsan presets). Applied to every target of corio's directory tree (library,
# tests, apps), since ASan/TSan need the whole program instrumented.
# CORIO_SANITIZER_FLAGS is left for the consumer tests, which must build the same way.
include_guard(GLOBAL)

set(CORIO_SANITIZERS "" CACHE STRING "Sanitizers to build with, e.g. address;undefined or thread")

set(CORIO_SANITIZER_FLAGS "")
if(CORIO_SANITIZERS)
  if("thread" IN_LIST CORIO_SANITIZERS AND "address" IN_LIST CORIO_SANITIZERS)
    message(FATAL_ERROR "corio: ThreadSanitizer cannot be combined with AddressSanitizer")
  endif()
  list(JOIN CORIO_SANITIZERS "," _corio_sanitize_list)
  set(CORIO_SANITIZER_FLAGS
    "-fsanitize=${_corio_sanitize_list}"
    -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  add_compile_options(${CORIO_SANITIZER_FLAGS})
  add_link_options(${CORIO_SANITIZER_FLAGS})
  # g++ 12 warns (-Wtsan, an error under -Werror) that TSan ignores
  # std::atomic_thread_fence, which Asio's std_fenced_block uses around every handler
  # call (asio issue 1193). Silencing the warning changes no code: TSan treats the
  # fence as a no-op either way, and Asio's handler queues synchronise through
  # mutexes and atomics TSan does model. A race that only a fence prevents would be
  # reported (none is, with Boost 1.81 and g++ 12).
  if("thread" IN_LIST CORIO_SANITIZERS AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
     AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
    add_compile_options(-Wno-tsan)
  endif()
  message(STATUS "corio: sanitizers ${_corio_sanitize_list}")
  unset(_corio_sanitize_list)
endif()
