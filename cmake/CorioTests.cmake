# Test infrastructure:
#   corio_add_header_check()   every header compiles alone (and twice: include guards)
#   corio_test_pch             the tests' precompiled headers (an OBJECT donor target)
#   corio_test_main            test/support/test_main.cpp: BOOST_TEST_MODULE, linked into
#                              every test executable
#   corio_test_support         static library of test/support/*.cpp (the helpers)
#   corio_add_test_area(<area> [WITH_APPS] <sources...>)
#                              executable corio-test-<area>, one ctest per suite
#   corio_add_test_labels(<label> <test...>)
#                              one more ctest label on each listed test that exists
include_guard(GLOBAL)

# Compile flags every test target shares, so that the reused PCH stays valid.
function(_corio_test_target_setup target)
  # corio::testing: corio::corio, Boost.Test and CORIO_TEST_CASE's header.
  target_link_libraries(${target} PUBLIC corio::testing)
  target_compile_definitions(${target} PUBLIC BOOST_TEST_DYN_LINK)
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}/test")
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  corio_target_warnings(${target})
endfunction()

# ---------------------------------------------------------------------------- header check
# One generated TU per header under lib/include/corio (detail/ included): the header
# included twice, compiled WITHOUT a PCH so a missing #include cannot hide. The one
# exception is detail/<name>_impl.hpp, checked after its parent <name>.hpp.
function(corio_add_header_check)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS
    RELATIVE "${PROJECT_SOURCE_DIR}/lib/include"
    "${PROJECT_SOURCE_DIR}/lib/include/corio/*.hpp")
  if(NOT headers)
    return()
  endif()
  set(tus "")
  foreach(header IN LISTS headers)
    string(MAKE_C_IDENTIFIER "${header}" stem)
    set(tu "${PROJECT_BINARY_DIR}/header_check/${stem}.cpp")
    # file(CONFIGURE) rewrites only on change, so reconfiguring does not rebuild.
    set(parent "")
    if(header MATCHES "^corio/detail/(.+)_impl\\.hpp$")
      set(parent "corio/${CMAKE_MATCH_1}.hpp")
    endif()
    if(parent AND EXISTS "${PROJECT_SOURCE_DIR}/lib/include/${parent}")
      # detail/<name>_impl.hpp holds template bodies included at the bottom of
      # <name>.hpp; it compiles in that context, so check it there (then its guard).
      set(content "#include <${parent}>\n#include <${header}>\n")
    else()
      set(content "#include <${header}>\n#include <${header}> // twice: include guard\n")
    endif()
    file(CONFIGURE OUTPUT "${tu}" CONTENT "${content}")
    list(APPEND tus "${tu}")
  endforeach()
  add_library(corio_header_check OBJECT ${tus})
  target_link_libraries(corio_header_check PRIVATE corio::corio)
  set_target_properties(corio_header_check PROPERTIES
    CXX_EXTENSIONS OFF
    DISABLE_PRECOMPILE_HEADERS ON)
  corio_target_warnings(corio_header_check)
endfunction()

# ---------------------------------------------------------------------------- shared pieces
set(_corio_test_dir "${PROJECT_SOURCE_DIR}/test")

# PCH donor: an OBJECT library whose only source is an empty generated TU.
file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/corio_test_pch.cpp"
  CONTENT "// Donor TU for the tests' precompiled header.\n")
add_library(corio_test_pch OBJECT "${PROJECT_BINARY_DIR}/corio_test_pch.cpp")
_corio_test_target_setup(corio_test_pch)
if(CORIO_USE_PCH)
  target_precompile_headers(corio_test_pch PRIVATE
    ${CORIO_PCH_HEADERS} <boost/test/unit_test.hpp>)
endif()

function(_corio_test_reuse_pch target)
  if(CORIO_USE_PCH)
    target_precompile_headers(${target} REUSE_FROM corio_test_pch)
  endif()
endfunction()

# test_main.cpp defines BOOST_TEST_MODULE before including Boost.Test; it must not see
# the PCH (which already includes Boost.Test without the module name, so no main()).
add_library(corio_test_main OBJECT "${_corio_test_dir}/support/test_main.cpp")
_corio_test_target_setup(corio_test_main)
set_target_properties(corio_test_main PROPERTIES DISABLE_PRECOMPILE_HEADERS ON)

# Shared helpers: test/support/*.cpp except test_main.cpp. With none yet, an INTERFACE
# library keeps the link lines of the test areas unchanged.
file(GLOB _corio_support_sources CONFIGURE_DEPENDS "${_corio_test_dir}/support/*.cpp")
list(FILTER _corio_support_sources EXCLUDE REGEX "/test_main\\.cpp$")
if(_corio_support_sources)
  add_library(corio_test_support STATIC ${_corio_support_sources})
  _corio_test_target_setup(corio_test_support)
  _corio_test_reuse_pch(corio_test_support)
else()
  add_library(corio_test_support INTERFACE)
  target_link_libraries(corio_test_support INTERFACE corio::corio Boost::unit_test_framework)
  target_compile_definitions(corio_test_support INTERFACE BOOST_TEST_DYN_LINK)
  target_include_directories(corio_test_support INTERFACE "${_corio_test_dir}")
endif()

# ---------------------------------------------------------------------------- test areas
# Top-level suite names of one source file, in order (nested suites are skipped: they
# run as part of their parent). Matches BOOST_AUTO_TEST_SUITE(name) and
# BOOST_FIXTURE_TEST_SUITE(name, fixture).
function(_corio_suites_of file out_var)
  file(READ "${file}" text)
  # Drop // comments so a commented-out suite is not registered.
  string(REGEX REPLACE "//[^\n]*" "" text "${text}")
  set(ws "[ \t\r\n]*")
  string(REGEX MATCHALL
    "BOOST_(AUTO|FIXTURE)_TEST_SUITE(_END)?${ws}\\(${ws}[A-Za-z0-9_]*"
    tokens "${text}")
  set(depth 0)
  set(suites "")
  foreach(token IN LISTS tokens)
    if(token MATCHES "_END")
      if(depth GREATER 0)
        math(EXPR depth "${depth} - 1")
      endif()
    else()
      if(depth EQUAL 0 AND token MATCHES "\\(${ws}([A-Za-z0-9_]+)$")
        list(APPEND suites "${CMAKE_MATCH_1}")
      endif()
      math(EXPR depth "${depth} + 1")
    endif()
  endforeach()
  set(${out_var} "${suites}" PARENT_SCOPE)
endfunction()

function(corio_add_test_area area)
  cmake_parse_arguments(PARSE_ARGV 1 arg "WITH_APPS" "" "")
  set(sources "")
  foreach(src IN LISTS arg_UNPARSED_ARGUMENTS)
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND sources "${src}")
  endforeach()
  if(NOT sources)
    message(STATUS "corio: test area ${area} has no sources yet")
    return()
  endif()

  set(target corio-test-${area})
  add_executable(${target} ${sources})
  _corio_test_target_setup(${target})
  target_link_libraries(${target} PRIVATE corio_test_support corio_test_main)
  _corio_test_reuse_pch(${target})

  if(arg_WITH_APPS)
    # CORIO_APP_<NAME>_PATH="<path of corio-<name>>" for every app that is built.
    get_property(apps GLOBAL PROPERTY CORIO_APPS)
    foreach(app IN LISTS apps)
      string(MAKE_C_IDENTIFIER "${app}" id)
      string(TOUPPER "${id}" id)
      target_compile_definitions(${target} PRIVATE
        "CORIO_APP_${id}_PATH=\"$<TARGET_FILE:corio-${app}>\"")
      add_dependencies(${target} corio-${app})
    endforeach()
  endif()

  set(all_suites "")
  foreach(src IN LISTS sources)
    # Re-run configure when a source changes, so new suites become new ctests.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${src}")
    _corio_suites_of("${src}" suites)
    if(NOT suites)
      message(AUTHOR_WARNING
        "corio: ${src} declares no BOOST_AUTO_TEST_SUITE; its cases would not run in ctest")
    endif()
    list(APPEND all_suites ${suites})
  endforeach()
  list(REMOVE_DUPLICATES all_suites)

  foreach(suite IN LISTS all_suites)
    add_test(NAME ${area}.${suite}
      COMMAND ${target} --run_test=${suite} --log_level=test_suite --report_level=short
              --color_output=no)
    set_tests_properties(${area}.${suite} PROPERTIES TIMEOUT 120 LABELS "${area}")
  endforeach()
endfunction()

# ---------------------------------------------------------------------------- labels
# Adds <label> to each listed ctest (e.g. `threads`, which the tsan preset runs).
# A name that is not a test (its file or suite not written yet) is skipped, so the list
# can name suites before they exist without breaking configure.
function(corio_add_test_labels label)
  foreach(test IN LISTS ARGN)
    if(TEST ${test})
      set_property(TEST ${test} APPEND PROPERTY LABELS ${label})
    endif()
  endforeach()
endfunction()
