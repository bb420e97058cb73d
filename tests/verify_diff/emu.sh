#!/bin/bash
# tests/verify_diff/emu.sh -- emulated bundles for the differential corpus
# (issue 13; docs/VERIFY.md).
#
#   emu.sh SGXRA ENCLAVE_SO SIGSTRUCT OUT_DIR
#
# Writes dev-bundle-like folders OUT_DIR/emu-*/ made by sgxra's emulated
# platform and simulated Intel CA (`sgxra platform ...`, fixed --at times),
# each with quote.bin, the seven collateral files, root_ca.pem (the
# simulated Intel root: the bundle's trust root) and expected.json holding
# the bundle's verification time (verification_time_unix), which is what
# gen.py reads of a dev bundle.  The keys are fresh on every run, so only
# what does not depend on them may be compared with Intel's answers
# (gen.py names emulated variants by field, never by byte offset).
#
# Every platform shares one simulated CA (OUT_DIR/.work/ca), so collateral
# files swapped between emulated bundles are validly signed.  The CA's
# state changes in a fixed order: the bundles without revocation or TCB
# recovery first, then the revoked PCK, then the TCB recovery.
set -eu
[ $# -eq 4 ] || { echo "usage: emu.sh SGXRA ENCLAVE_SO SIGSTRUCT OUT_DIR" >&2; exit 2; }
X=$1 SO=$2 SIG=$3 OUT=$4
AT=2026-01-01T00:00:00Z
VT=1767312000 # 2026-01-02T00:00:00Z: a day after the collateral was issued
CUR=12,12,3,3,255,255,1,0,3,0,0,0,0,0,0,0   # the CA's current TCB (UpToDate)
CFG=12,12,2,3,255,255,1,0,3,0,0,0,0,0,0,0   # component 2 one lower
HIGH=13,14,4,3,255,255,1,0,3,0,0,0,0,0,0,0  # above the current level
LOW=9,9,3,3,255,255,1,0,3,0,0,0,0,0,0,0     # below every level
W=$OUT/.work
mkdir -p "$W"
rm -rf "$W/ca" "$W"/p-*

# init NAME [platform init options...]
init() {
  local n=$1
  shift
  "$X" platform init "$W/p-$n" --ca "$W/ca" --at $AT "$@" >/dev/null
}
# bundle NAME PLATFORM [quote options...]: quote + collateral at $AT
bundle() {
  local n=$1 p=$2
  shift 2
  local b=$OUT/emu-$n
  rm -rf "$b"
  "$X" platform collateral "$W/p-$p" -o "$b" --at $AT >/dev/null
  "$X" platform quote "$W/p-$p" --enclave "$SO" --sigstruct "$SIG" \
    --report-data 00112233445566778899aabbccddeeff -o "$b/quote.bin" "$@" >/dev/null
  printf '{"verification_time_unix": %d, "emulated": true}\n' $VT >"$b/expected.json"
}

init v3 # the first platform creates the CA
init v4proc --pck-ca processor
init cfg --tcb-svns $CFG --pcesvn 13
init lowpce --tcb-svns $CUR --pcesvn 12
init high --tcb-svns $HIGH --pcesvn 14
init low --tcb-svns $LOW --pcesvn 13
init rev
bundle v3-platform v3
bundle v4-processor v4proc --version 4
bundle v4-platform v3 --version 4
bundle confneeded cfg
bundle lowpce lowpce
bundle highsvn high --version 4
bundle belowall low
"$X" platform revoke "$W/p-rev" --at $AT >/dev/null
bundle revoked rev
"$X" platform tcb-recovery "$W/p-v3" >/dev/null
bundle recovery v3
rm -rf "$W"
