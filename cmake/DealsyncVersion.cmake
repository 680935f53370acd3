# Version and git revision of this build, fixed at configure time into
# ${CMAKE_BINARY_DIR}/generated/dealsync/version.h (target dealsync_version).
# Outside a git checkout (a release tarball) the revision is "unknown" unless
# DEALSYNC_GIT_REVISION is given on the command line.
set(DEALSYNC_GIT_REVISION "" CACHE STRING "git revision to report (empty: ask git)")
set(_revision "${DEALSYNC_GIT_REVISION}")
if(_revision STREQUAL "")
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(
      COMMAND ${GIT_EXECUTABLE} -C ${CMAKE_SOURCE_DIR} rev-parse --short=12 HEAD
      OUTPUT_VARIABLE _revision OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET RESULT_VARIABLE _git_result)
    if(NOT _git_result EQUAL 0)
      set(_revision "")
    endif()
    if(NOT _revision STREQUAL "")
      execute_process(
        COMMAND ${GIT_EXECUTABLE} -C ${CMAKE_SOURCE_DIR} status --porcelain --untracked-files=no
        OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(NOT _dirty STREQUAL "")
        string(APPEND _revision "-dirty")
      endif()
    endif()
  endif()
endif()
if(_revision STREQUAL "")
  set(_revision "unknown")
endif()
set(DEALSYNC_REVISION "${_revision}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/version.h.in
               ${CMAKE_BINARY_DIR}/generated/dealsync/version.h @ONLY)
add_library(dealsync_version INTERFACE)
target_include_directories(dealsync_version INTERFACE ${CMAKE_BINARY_DIR}/generated)
