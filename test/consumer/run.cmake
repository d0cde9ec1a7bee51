# cmake -P driver for the consumer ctests (registered in test/CMakeLists.txt).
#   MODE=find_package      install corio's build tree into WORK_DIR/prefix, then
#                          configure test/consumer with CMAKE_PREFIX_PATH=that prefix
#   MODE=add_subdirectory  configure test/consumer/add_subdirectory, which adds
#                          CORIO_SOURCE_DIR as a subdirectory
# Then build with the same compiler and launcher, run, and expect "consumer ok 7"; then
# run consumer_test (CORIO_TEST_CASEs through corio::testing) and expect it to pass.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS MODE CORIO_SOURCE_DIR CORIO_BINARY_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" LAUNCHER "${LAUNCHER}")
string(REPLACE "|" " " CXX_FLAGS "${CXX_FLAGS}")
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()

function(run_step what)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer.${MODE}: ${what} failed (${rc})\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(consumer_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${consumer_build}")
# The settings travel in an initial-cache file: a launcher is a list, and lists do not
# survive being passed around as command-line arguments.
set(init_cache "${WORK_DIR}/init-cache.cmake")
file(WRITE "${init_cache}"
  "set(CMAKE_CXX_COMPILER [[${CXX_COMPILER}]] CACHE FILEPATH \"\")\n"
  "set(CMAKE_BUILD_TYPE [[${BUILD_TYPE}]] CACHE STRING \"\")\n"
  "set(CMAKE_CXX_FLAGS [[${CXX_FLAGS}]] CACHE STRING \"\")\n"
  "set(CMAKE_EXE_LINKER_FLAGS [[${CXX_FLAGS}]] CACHE STRING \"\")\n"
  "set(CMAKE_CXX_COMPILER_LAUNCHER [[${LAUNCHER}]] CACHE STRING \"\")\n")
set(configure_args -G "${GENERATOR}" -C "${init_cache}")

if(MODE STREQUAL "find_package")
  set(prefix "${WORK_DIR}/prefix")
  file(REMOVE_RECURSE "${prefix}")
  run_step("install" "${CMAKE_COMMAND}" --install "${CORIO_BINARY_DIR}" --prefix "${prefix}")
  run_step("configure" "${CMAKE_COMMAND}" -S "${CORIO_SOURCE_DIR}/test/consumer"
    -B "${consumer_build}" ${configure_args} "-DCMAKE_PREFIX_PATH=${prefix}")
elseif(MODE STREQUAL "add_subdirectory")
  run_step("configure" "${CMAKE_COMMAND}" -S "${CORIO_SOURCE_DIR}/test/consumer/add_subdirectory"
    -B "${consumer_build}" ${configure_args} "-DCORIO_SOURCE_DIR=${CORIO_SOURCE_DIR}")
else()
  message(FATAL_ERROR "run.cmake: unknown MODE '${MODE}'")
endif()

run_step("build" "${CMAKE_COMMAND}" --build "${consumer_build}" -j 2)
run_step("run" "${consumer_build}/consumer")
if(NOT step_output MATCHES "consumer ok 7")
  message(FATAL_ERROR "consumer.${MODE}: unexpected output:\n${step_output}")
endif()
message(STATUS "consumer.${MODE}: ${step_output}")
run_step("run consumer_test" "${consumer_build}/consumer_test" --report_level=short)
message(STATUS "consumer.${MODE}: consumer_test: ${step_output}")
