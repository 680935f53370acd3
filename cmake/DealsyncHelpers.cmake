# dealsync_library(NAME SOURCES ... DEPS ...): a library of ours, static
# unless BUILD_SHARED_LIBS is on (the sanitized test tree turns it on so that
# forty test binaries share one copy of each instrumented library instead of
# carrying their own).
function(dealsync_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} ${ARG_SOURCES})
  # Shared, the product's libraries ship with its binaries (tests' do not).
  file(RELATIVE_PATH _dir ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  if(BUILD_SHARED_LIBS AND NOT _dir MATCHES "^tests")
    install(TARGETS ${name} LIBRARY DESTINATION ${DEALSYNC_PRIVATE_LIBDIR})
  endif()
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC dealsync_headers ${ARG_DEPS})
endfunction()

# dealsync_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary
# registered with CTest, one CTest test per TEST().
function(dealsync_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE dealsync_headers ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # A label list must reach the test as one property value, not split into
  # further property names.
  string(REPLACE ";" "\\;" _labels "${ARG_LABELS}")
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${_labels}"
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()
