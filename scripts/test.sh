#!/usr/bin/env bash
# Build sgxra and run the whole test suite twice: a normal build and an
# AddressSanitizer + UndefinedBehaviorSanitizer build.  Exits non-zero on the
# first failure.  Vectors are read from ../shared/vectors (read-only); tests
# write only to temporary folders.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

echo "== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
echo "== test (RelWithDebInfo)"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== build (ASan + UBSan)"
CC=clang cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSGXRA_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
echo "== test (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"
