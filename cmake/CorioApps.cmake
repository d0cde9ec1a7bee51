# corio_add_app(<name> <sources...>)
# Builds executable corio-<name> from apps/<name>/, linked to corio, CLI11 and fmt,
# installed to bin/. Every app can include apps/common/ (cli_checks.hpp: the number
# checks of every app's command line). Apps are written alongside the build; if a listed source does not
# exist yet, the app is skipped with a status message instead of failing configure.
# Every app built is recorded in the global property CORIO_APPS, so test areas can be
# given its path (CORIO_APP_<NAME>_PATH, see corio_add_test_area).
include_guard(GLOBAL)

# The apps' PCH: the library's heavy headers plus CLI11, whose header-only parse alone
# costs ~4 s of CPU per app. Compiled once on an OBJECT donor, reused by every app.
# apps/CMakeLists.txt creates the donor first, so its place does not depend on which
# app comes first.
function(corio_add_app_pch)
  if(NOT CORIO_USE_PCH OR TARGET corio_app_pch)
    return()
  endif()
  set(donor_source "${CMAKE_CURRENT_BINARY_DIR}/corio_app_pch.cpp")
  file(CONFIGURE OUTPUT "${donor_source}"
    CONTENT "// Donor TU for the apps' precompiled header.\n")
  add_library(corio_app_pch OBJECT "${donor_source}")
  _corio_app_setup(corio_app_pch)
  target_precompile_headers(corio_app_pch PRIVATE ${CORIO_PCH_HEADERS} <CLI/CLI.hpp>)
endfunction()

function(_corio_app_reuse_pch target)
  if(CORIO_USE_PCH)
    corio_add_app_pch()
    target_precompile_headers(${target} REUSE_FROM corio_app_pch)
  endif()
endfunction()

# Flags every app target shares (they must match for the reused PCH).
function(_corio_app_setup target)
  target_link_libraries(${target} PRIVATE corio::corio CLI11::CLI11 fmt::fmt)
  target_include_directories(${target} PRIVATE "${PROJECT_SOURCE_DIR}/apps/common")
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  corio_target_warnings(${target})
endfunction()

function(corio_add_app name)
  set(sources "")
  foreach(src IN LISTS ARGN)
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${src}")
      message(STATUS "corio: skipping app ${name}: ${src} does not exist yet")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}")
      return()
    endif()
    list(APPEND sources "${src}")
  endforeach()

  set(target corio-${name})
  add_executable(${target} ${sources})
  _corio_app_setup(${target})
  _corio_app_reuse_pch(${target})
  install(TARGETS ${target} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  set_property(GLOBAL APPEND PROPERTY CORIO_APPS ${name})
endfunction()
