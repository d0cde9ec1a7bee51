# Checks (or, with -DUPDATE=ON, rewrites) the code quoted in a Markdown file, so docs
# quote the compiled sources instead of retyping them and cannot drift.
#
#   cmake -DDOC=README.md -DROOT=<repo> [-DUPDATE=ON] -P cmake/CheckDocQuotes.cmake
#
# A quote is a marker line followed by a fenced block:
#   <!-- quote: apps/spinner/main.cpp#coroutine -->
#   ```cpp
#   ...the lines between "//! [coroutine]" markers in that file...
#   ```
cmake_minimum_required(VERSION 3.25)
foreach(var IN ITEMS DOC ROOT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "CheckDocQuotes: pass -D${var}=...")
  endif()
endforeach()

file(READ "${ROOT}/${DOC}" doc)
set(result "${doc}")
set(failures 0)
string(REGEX MATCHALL "<!-- quote: [^ ]+ -->\n```[a-z]*\n" markers "${doc}")
foreach(marker IN LISTS markers)
  string(REGEX REPLACE "<!-- quote: ([^#]+)#([^ ]+) -->.*" "\\1" source "${marker}")
  string(REGEX REPLACE "<!-- quote: ([^#]+)#([^ ]+) -->.*" "\\2" tag "${marker}")
  file(READ "${ROOT}/${source}" code)
  string(FIND "${code}" "//! [${tag}]\n" begin)
  if(begin EQUAL -1)
    message(SEND_ERROR "${DOC}: ${source} has no '//! [${tag}]' region")
    math(EXPR failures "${failures} + 1")
    continue()
  endif()
  string(LENGTH "//! [${tag}]\n" marker_length)
  math(EXPR begin "${begin} + ${marker_length}")
  string(SUBSTRING "${code}" ${begin} -1 rest)
  string(FIND "${rest}" "//! [${tag}]" end)
  string(SUBSTRING "${rest}" 0 ${end} region)

  # The quoted block in the document: from after the marker to the closing fence.
  string(FIND "${result}" "${marker}" at)
  string(LENGTH "${marker}" length)
  math(EXPR body_begin "${at} + ${length}")
  string(SUBSTRING "${result}" ${body_begin} -1 after)
  string(FIND "${after}" "```" fence)
  string(SUBSTRING "${after}" 0 ${fence} quoted)
  if(NOT quoted STREQUAL region)
    if(UPDATE)
      string(SUBSTRING "${result}" 0 ${body_begin} before)
      string(SUBSTRING "${after}" ${fence} -1 tail)
      set(result "${before}${region}${tail}")
    else()
      message(SEND_ERROR "${DOC}: the quote of ${source}#${tag} differs from the source; "
                         "run: cmake -DDOC=${DOC} -DROOT=. -DUPDATE=ON -P cmake/CheckDocQuotes.cmake")
      math(EXPR failures "${failures} + 1")
    endif()
  endif()
endforeach()

list(LENGTH markers count)
if(count EQUAL 0)
  message(SEND_ERROR "${DOC}: no quotes found")
endif()
if(UPDATE AND NOT result STREQUAL doc)
  file(WRITE "${ROOT}/${DOC}" "${result}")
  message(STATUS "${DOC}: quotes updated")
elseif(failures EQUAL 0)
  message(STATUS "${DOC}: ${count} quote(s) match their sources")
endif()
