# Sourced by the CLI tests (tests/cli/*.sh).  Provides $SGXRA, $V (vectors),
# a temporary folder $T removed on exit, and assertions that name what failed.
# Exit status: 0 all passed, 1 a check failed, 77 nothing failed but a part
# was skipped (ctest shows Skipped; SKIP_RETURN_CODE).  Without the shared
# vectors the whole test is skipped -- or fails when SGXRA_REQUIRE_VECTORS=1
# (scripts/test.sh, CI).
set -u
: "${SGXRA:?SGXRA must point at the built sgxra}"
V="${SGXRA_VECTORS:?}"
if [ ! -d "$V" ]; then
  if [ "${SGXRA_REQUIRE_VECTORS:-0}" = 1 ]; then
    echo "FAIL: shared vectors not found at $V (SGXRA_REQUIRE_VECTORS=1)" >&2
    exit 1
  fi
  echo "skipped: shared vectors not found at $V"
  exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0
skips=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
skipped() { echo "SKIPPED: $*"; skips=$((skips + 1)); }
# expect_status N cmd...: run cmd, keep stdout in $OUT and stderr in $ERR
expect_status() {
  local want=$1; shift
  OUT=$("$@" 2>"$T/stderr"); local got=$?
  ERR=$(cat "$T/stderr")
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got (want $want): $*"$'\n'"$ERR"; fi
}
# expect_json KEY VALUE: jq-free check of a top-level key in $OUT
expect_json() {
  local got
  got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v) if not isinstance(v,str) else v)' "$1" 2>&1)
  if [ "$got" = "$2" ]; then ok; else bad "$1 = '$got', want '$2'"; fi
}
expect_err_contains() {
  case "$ERR" in *"$1"*) ok ;; *) bad "stderr lacks '$1': $ERR" ;; esac
}
finish() {
  echo "$passes passed, $fails failed, $skips skipped"
  [ "$fails" -eq 0 ] || exit 1
  [ "$skips" -eq 0 ] || exit 77
}
