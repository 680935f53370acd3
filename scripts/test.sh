#!/usr/bin/env bash
# Builds and runs the whole test suite, as CI does (.ci/run). Installs missing
# Debian packages first. Build trees, each configured on first use:
#   build-asan  everything, tests, the demo (as test demo_converges) and a smoke
#               run of every benchmark, under AddressSanitizer +
#               UndefinedBehaviorSanitizer (g++); any sanitizer report fails its test
#   build-fuzz  the libFuzzer harnesses of tests/fuzz (clang++), each fuzzing
#               DEALSYNC_FUZZ_SECONDS (default 5) over the committed corpus
#   build       the unsanitized build the README's commands use; the whole suite
#               runs there when DEALSYNC_TEST_TREES names it
# DEALSYNC_TEST_TREES (default "asan fuzz") picks trees, e.g. "build" for the
# unsanitized suite alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh --with-browser
jobs=$(nproc)
trees=" ${DEALSYNC_TEST_TREES:-asan fuzz} "
# Hash paths relative to the checkout so another clone reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

configure() {  # configure DIR ARGS...: once per tree
  local dir=$1
  shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  fi
}
stamp() {  # the time, and the CPU time used so far (children's user and system)
  local cpu
  cpu=$(times | tail -1)
  echo "== $(date -u +%H:%M:%S) [cpu so far: ${cpu}] $*"
}

if [[ "$trees" == *" asan "* ]]; then
  stamp "the suite under ASan+UBSan (build-asan)"
  # -O0 -g1: g++'s UBSan instrumentation at -O1 and above doubles the compile
  # time of the Beast/Asio units; at -O0 the sanitized tree costs about what
  # the optimised one does, and reports still name file and line.
  # Shared libraries: each test binary would otherwise carry its own copy of
  # the instrumented code (hundreds of MB each, several GB for the tree).
  configure build-asan -DDEALSYNC_SANITIZE=ON -DBUILD_SHARED_LIBS=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1 -DNDEBUG"
  cmake --build build-asan -j "$jobs"
  ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 900
fi

if [[ "$trees" == *" build "* ]]; then
  stamp "the suite, unsanitized (build)"
  configure build
  cmake --build build -j "$jobs"
  ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600
fi

if [[ "$trees" == *" fuzz "* ]]; then
  stamp "fuzzing (build-fuzz)"
  configure build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DDEALSYNC_FUZZ=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DDEALSYNC_FUZZ_SECONDS="${DEALSYNC_FUZZ_SECONDS:-5}"
  cmake --build build-fuzz -j "$jobs" --target dealsync_fuzzers
  ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
fi
stamp "done"
