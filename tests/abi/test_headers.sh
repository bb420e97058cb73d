#!/usr/bin/env bash
# Every public header compiles alone (and twice: the include guard) as C11
# under -pedantic -Werror, and as C++ when a C++ compiler is there: a
# consumer can include any one of them first, from C or C++.
# Usage: test_headers.sh SOURCE_DIR [CC [CXX]]
set -euo pipefail
src=$1
cc=${2:-cc}
cxx=${3:-}
if [ -z "$cxx" ]; then
  for c in c++ g++ clang++; do
    if command -v "$c" >/dev/null; then cxx=$c; break; fi
  done
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
for h in "$src"/include/sgxra.h "$src"/include/sgxra/*.h; do
  rel=${h#"$src"/include/}
  printf '#include "%s"\n#include "%s"\nint sgxra_header_test_anchor;\n' "$rel" "$rel" >"$T/t.c"
  n=$((n + 1))
  if ! "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only \
      -I "$src/include" "$T/t.c" 2>"$T/err"; then
    echo "FAIL: $rel alone, C11 ($cc):" >&2
    sed 's/^/  /' "$T/err" >&2
    fails=$((fails + 1))
  fi
  if [ -n "$cxx" ]; then
    cp "$T/t.c" "$T/t.cc"
    if ! "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only \
        -I "$src/include" "$T/t.cc" 2>"$T/err"; then
      echo "FAIL: $rel alone, C++11 ($cxx):" >&2
      sed 's/^/  /' "$T/err" >&2
      fails=$((fails + 1))
    fi
  fi
done
echo "$n headers, C11${cxx:+ and C++11 ($cxx)}: $fails failure(s)"
[ "$fails" -eq 0 ]
