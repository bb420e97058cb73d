#!/usr/bin/env bash
# Run one libFuzzer target (built with -DSGXRA_FUZZ=ON and clang) from its
# seeds, never writing into the source tree:
#
#   scripts/fuzz.sh [--keep DIR] BINARY SEEDS... -- LIBFUZZER_ARGS...
#
# SEEDS are given as to fuzz/replay.c (the same lists CMakeLists.txt keeps
# in SGXRA_FUZZ_SEEDS_<target>): "--raw" files are seeds as they are,
# "--selectors K" files are seeds once per selector byte 0..K-1 prefixed
# (targets whose first byte picks the parser), "--optional" lets the
# following folders be absent; a folder stands for every file under it.
# The seeds are copied into a fresh temporary folder that is the working
# corpus (and where crash artifacts go); it is removed at the end unless
# --keep DIR names a folder to create and keep it in.  A missing seed
# folder skips (exit 77), or fails when SGXRA_REQUIRE_VECTORS=1.  The exit status is
# libFuzzer's: 0 when the runs ended without a crash, leak or timeout.
#
# ctest runs every target this way as fuzz_smoke_<target> with a fixed
# -runs and -seed; docs/RELIABILITY.md ("Fuzzing") gives the longer runs.
set -euo pipefail
keep=
if [ "${1:-}" = --keep ]; then
  keep=$2
  shift 2
fi
bin=$1
shift
if [ -n "$keep" ]; then
  mkdir "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/sgxra-fuzz.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir "$work/corpus" "$work/artifacts"

mode=raw sel=0 optional=0 count=0
add_file() { # add_file PATH
  local f=$1 base
  base=$(basename "$f")
  count=$((count + 1))
  if [ "$mode" = raw ]; then
    cp "$f" "$work/corpus/seed-$count-$base"
  else
    for ((s = 0; s < sel; s++)); do
      { printf "\\$(printf %03o "$s")"; cat "$f"; } \
        >"$work/corpus/seed-$count-$s-$base"
    done
  fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    --raw) mode=raw; shift ;;
    --selectors) mode=sel; sel=$2; shift 2 ;;
    --optional) optional=1; shift ;;
    *)
      if [ -d "$1" ]; then
        while IFS= read -r -d '' f; do add_file "$f"; done \
          < <(find "$1" -type f ! -name '.*' -print0 | sort -z)
      elif [ -f "$1" ]; then
        add_file "$1"
      elif [ "$optional" = 0 ]; then
        echo "fuzz.sh: seed folder $1 is missing (the shared vectors?)" >&2
        # as fuzz/replay.c: skipped, unless the vectors are required (CI)
        [ "${SGXRA_REQUIRE_VECTORS:-0}" = 1 ] && exit 1
        exit 77
      fi
      shift ;;
  esac
done

size() { # files and bytes of the working corpus
  echo "$(find "$work/corpus" -type f | wc -l) files," \
    "$(du -sb "$work/corpus" | cut -f1) bytes"
}
echo "fuzz.sh: $(basename "$bin"): seeds: $(size)"
rc=0
"$bin" "$work/corpus" -artifact_prefix="$work/artifacts/" "$@" || rc=$?
echo "fuzz.sh: $(basename "$bin"): exit $rc, corpus: $(size)"
if [ -n "$(ls -A "$work/artifacts")" ]; then
  echo "fuzz.sh: artifacts:" >&2
  ls -l "$work/artifacts" >&2
  [ -n "$keep" ] || for a in "$work/artifacts"/*; do
    echo "== $a (hex)" >&2
    od -An -tx1 "$a" | head -20 >&2
  done
  [ "$rc" != 0 ] || rc=1
fi
exit "$rc"
