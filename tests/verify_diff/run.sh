#!/bin/bash
# tests/verify_diff/run.sh -- ctest case `verify_diff` (docs/VERIFY.md):
# writes every variant of every dev bundle and of the emulated bundles
# emu.sh makes (gen.py), plus the re-signed scenarios of synth.sh, into a
# temporary folder, and checks sgxra's answers against Intel's recorded ones
# with verify_diff_check ($VERIFY_DIFF_CHECK).  Skipped (77) without the shared
# vectors or python3's `cryptography`, unless SGXRA_REQUIRE_VECTORS=1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bundles=${SGXRA_VECTORS:-$here/../../../shared/vectors}/dcap/bundles
py=${PYTHON3:-python3}
[ -n "$py" ] || py=python3
skip() {
  if [ "${SGXRA_REQUIRE_VECTORS:-0}" = 1 ]; then
    echo "verify_diff: $1 (SGXRA_REQUIRE_VECTORS=1)" >&2
    exit 1
  fi
  echo "verify_diff: skipped: $1" >&2
  exit 77
}
[ -d "$bundles" ] || skip "no dev bundles at $bundles"
"$py" -c 'import cryptography' 2>/dev/null || skip "python3 with the cryptography package is needed"
[ -x "${VERIFY_DIFF_CHECK:-}" ] || { echo "verify_diff: VERIFY_DIFF_CHECK is not set" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" "$here/gen.py" "$bundles" "$tmp/v" || exit 1
# the emulated bundles (emu.sh; fresh keys on every run) against their own
# root: needs the sgxra binary and the demo enclave with its SIGSTRUCT
if [ -n "${VERIFY_DIFF_SGXRA:-}" ]; then
  bash "$here/emu.sh" "$VERIFY_DIFF_SGXRA" "${VERIFY_DIFF_ENCLAVE:?}" \
    "${VERIFY_DIFF_SIGSTRUCT:?}" "$tmp/emu" || exit 1
  "$py" "$here/gen.py" --append "$tmp/emu" "$tmp/v" || exit 1
  PYTHON3=$py bash "$here/synth.sh" "$tmp/v" "$VERIFY_DIFF_SGXRA" \
    "$VERIFY_DIFF_ENCLAVE" "$VERIFY_DIFF_SIGSTRUCT" || exit 1
else
  echo "verify_diff: emulated bundles and synthetic scenarios left out" \
    "(VERIFY_DIFF_SGXRA is not set)" >&2
fi
"$VERIFY_DIFF_CHECK" "$tmp/v/manifest.tsv" "$here/expected" \
  "$here/known_divergences.txt" "${VERIFY_DIFF_REPORT:-$tmp/report.tsv}"
