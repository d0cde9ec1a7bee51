# Warnings for corio's own targets only; consumers keep their own flags because
# these are PRIVATE. CORIO_WARNINGS_AS_ERRORS (on in every preset) adds -Werror.
include_guard(GLOBAL)

function(corio_target_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(CORIO_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    # g++ 12's -Wmaybe-uninitialized misfires inside libstdc++ (std::regex,
    # std::function) once sanitizer instrumentation changes what it inlines; the
    # release build keeps the warning, so real cases still fail there.
    if(CORIO_SANITIZERS AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${CORIO_WARNINGS_AS_ERRORS}>:/WX>)
  endif()
endfunction()
