#!/usr/bin/env bash
# Build sgxra and run the whole test suite four times, warnings as errors
# (SGXRA_WERROR=ON), each build in its own folder:
#   build-release   gcc, Release
#   build-clang     clang, Release
#   build           gcc, RelWithDebInfo (the default build)
#   build-asan      clang, Debug, AddressSanitizer + UndefinedBehaviorSanitizer,
#                   with the libFuzzer targets and their fuzz_smoke_ tests
# after checking that layers point one way (scripts/check-layers.sh).
# Exits non-zero on the first failure.  Vectors are read from
# ../shared/vectors (read-only) and must be there: SGXRA_REQUIRE_VECTORS=1
# turns a test that would skip for want of them into a failure.  Tests write
# only to temporary folders.
#
# SGXRA_TEST_BUILDS="release asan" runs only some of the builds (names as
# above without "build-"; "default" for build/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
export SGXRA_REQUIRE_VECTORS=1
# ...and the PostgreSQL halves of the store and appraisal tests must run:
# ctest starts a throw-away cluster (scripts/pg-cluster.sh) for them.
export SGXRA_REQUIRE_PG=1
builds=${SGXRA_TEST_BUILDS:-release clang default asan}
start=$SECONDS

echo "== layers"
bash scripts/check-layers.sh

# run NAME DIR CC CMAKE_ARGS...: configure, build and test one build folder.
run() {
  local name=$1 dir=$2 cc=$3
  shift 3
  local t0=$SECONDS
  echo "== build ($name)"
  CC=$cc cmake -S . -B "$dir" -G Ninja -DSGXRA_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== test ($name)"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs"
  echo "== $name: $((SECONDS - t0)) s"
}

for b in $builds; do
  case "$b" in
    release) run "gcc Release" build-release gcc -DCMAKE_BUILD_TYPE=Release ;;
    clang) run "clang Release" build-clang clang -DCMAKE_BUILD_TYPE=Release ;;
    default) run "gcc RelWithDebInfo" build gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
    asan)
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run "clang ASan + UBSan" build-asan clang -DCMAKE_BUILD_TYPE=Debug \
        -DSGXRA_SANITIZE=ON -DSGXRA_FUZZ=ON ;;
    *) echo "scripts/test.sh: unknown build '$b'" >&2; exit 2 ;;
  esac
done
echo "== all passed in $((SECONDS - start)) s"
