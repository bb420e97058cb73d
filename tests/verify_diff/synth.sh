#!/bin/bash
# tests/verify_diff/synth.sh OUT SGXRA_BIN ENCLAVE SIGSTRUCT -- the synthetic
# part of the differential corpus (issue 13; docs/VERIFY.md): two emulated
# bundles made with the CLI at 2026-01-01 (synth-v3: v3 quote, PCK Platform
# CA; synth-v4: v4 quote, PCK Processor CA), each turned by synth.py into one
# collateral folder per scenario (TCB Info, QE Identity or CRLs edited and
# re-signed with the simulated Intel CA's keys), appended to OUT/manifest.tsv
# (6 columns: the last is the bundle's root_ca.pem, the trust root).
# Intel's answers are in expected/synth-v3.json and synth-v4.json; they do not
# depend on the keys (every run makes fresh ones).  Uses $PYTHON3 (python3).
set -eu
[ $# -eq 4 ] || { echo "usage: synth.sh OUT SGXRA_BIN ENCLAVE SIGSTRUCT" >&2; exit 2; }
out=$1 x=$2 so=$3 sig=$4
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON3:-python3}
[ -n "$py" ] || py=python3
at=2026-01-01T00:00:00Z
mkdir -p "$out/synth"
out=$(cd "$out" && pwd)
w=$out/synth
for v in 3 4; do
  if [ $v = 3 ]; then ca=platform; else ca=processor; fi
  rm -rf "$w/p$v" "$w/b$v" "$w/v$v"
  "$x" platform init "$w/p$v" --pck-ca $ca --at $at >/dev/null
  "$x" platform collateral "$w/p$v" -o "$w/b$v" --at $at >/dev/null
  "$x" platform quote "$w/p$v" --enclave "$so" --sigstruct "$sig" \
    --version $v -o "$w/b$v/quote.bin" --at $at >/dev/null
  "$py" "$here/synth.py" "$w/b$v" "$w/p$v/ca" "$w/v$v" --name synth-v$v \
    --time 1767312000 >>"$out/manifest.tsv"
done
