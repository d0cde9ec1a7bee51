# install + export: after `cmake --install`, find_package(corio) gives corio::corio.
# The apps install their own executables (corio_add_app).
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(CORIO_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/corio"
  CACHE STRING "Where corioConfig.cmake is installed, relative to the prefix")
mark_as_advanced(CORIO_INSTALL_CMAKEDIR)

install(TARGETS corio
  EXPORT corioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

if(EXISTS "${PROJECT_SOURCE_DIR}/lib/include/corio")
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/lib/include/corio"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.hpp")
endif()

install(EXPORT corioTargets
  NAMESPACE corio::
  DESTINATION ${CORIO_INSTALL_CMAKEDIR})

# corio::testing has its own export set, loaded by find_package(corio COMPONENTS testing).
if(TARGET corio_testing)
  install(TARGETS corio_testing EXPORT corioTestingTargets)
  install(EXPORT corioTestingTargets
    NAMESPACE corio::
    DESTINATION ${CORIO_INSTALL_CMAKEDIR})
endif()

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/corioConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/corioConfig.cmake"
  INSTALL_DESTINATION ${CORIO_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/corioConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/corioConfig.cmake"
  "${PROJECT_BINARY_DIR}/corioConfigVersion.cmake"
  DESTINATION ${CORIO_INSTALL_CMAKEDIR})
