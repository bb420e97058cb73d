# CLI tests of the one numeric-flag parser (apps/cli.c cli_parse_uint,
# docs/CLI.md "Numbers"): every numeric flag of every verb takes decimal or
# 0x hex, nothing else, inside its range; a refusal is a usage error (exit
# 2) naming the flag, the value and the range.  For each flag: both
# boundaries, a hex value, one past each boundary, a negative, an overflow
# of 64 bits and trailing garbage.
. "$(dirname "$0")/lib.sh"
ID="$V/identity"
K="$ID/lexe/test_vectors_key.pkcs8.der"
H=b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
RAW="$ID/enarx-sgx/encl.bin"
U64_OVER=18446744073709551616 # 2^64
HEX_OVER=0x10000000000000000  # 2^64

# refused WHY FLAG VALUE CMD...: exit 2 and "FLAG 'VALUE': WHY ... from LO to HI"
refused() {
  local why=$1 flag=$2 val=$3 range=$4
  shift 4
  expect_status 2 "$@"
  expect_err_contains "$flag '$val': $why"
  expect_err_contains "from $range"
  expect_err_contains "try 'sgxra"
}

# the refusals every flag shares: RANGE is "LO to HI" as printed
common_refusals() { # FLAG RANGE OVER CMD-PREFIX...
  local flag=$1 range=$2 over=$3
  shift 3
  refused "out of range" "$flag" "$over" "$range" "$@" "$flag" "$over"
  refused "not a number" "$flag" -1 "$range" "$@" "$flag" -1
  refused "not a number" "$flag" +1 "$range" "$@" "$flag" +1
  refused "not a number" "$flag" 1x "$range" "$@" "$flag" 1x
  refused "not a number" "$flag" 0x "$range" "$@" "$flag" 0x
  refused "not a number" "$flag" " 1" "$range" "$@" "$flag" " 1"
  refused "not a number" "$flag" "" "$range" "$@" "$flag" ""
  refused "out of range" "$flag" $U64_OVER "$range" "$@" "$flag" $U64_OVER
  refused "out of range" "$flag" $HEX_OVER "$range" "$@" "$flag" $HEX_OVER
}

# ---- sign: the SIGSTRUCT fields -----------------------------------------------------
sign() { "$SGXRA" sign --key "$K" --enclavehash $H --debug -o "$T/n.bin" "$@"; }
# signed VALUE lands in the SIGSTRUCT as KEY = WANT (read back by inspect)
signed() { # FLAG VALUE KEY WANT
  expect_status 0 sign "$1" "$2"
  expect_status 0 "$SGXRA" inspect --json "$T/n.bin"
  expect_json "$3" "$4"
}
# flag|json key|lo|hi|hi in hex|hi+1|json of lo|json of hi|range as printed
while IFS='|' read -r flag key lo hi hihex over jlo jhi range; do
  [ -n "$flag" ] || continue
  signed "$flag" "$lo" "$key" "$jlo"
  signed "$flag" "$hi" "$key" "$jhi"
  signed "$flag" "$hihex" "$key" "$jhi"
  common_refusals "$flag" "$range" "$over" sign
done <<'FLAGS'
--isvprodid|isvprodid|0|65535|0xffff|65536|0|65535|0 to 65535
--isvsvn|isvsvn|0|65535|0XFFFF|65536|0|65535|0 to 65535
--miscselect|miscselect|0|4294967295|0xffffffff|4294967296|0x0|0xffffffff|0 to 0xffffffff
--miscmask|miscmask|0|4294967295|0xFFFFFFFF|4294967296|0x0|0xffffffff|0 to 0xffffffff
--swdefined|swdefined|0|4294967295|0xffffffff|4294967296|0x0|0xffffffff|0 to 0xffffffff
--attributes-mask|attributemask.flags|0|18446744073709551615|0xffffffffffffffff|18446744073709551616|0x0|0xffffffffffffffff|0 to 0xffffffffffffffff
--xfrm-mask|attributemask.xfrm|0|18446744073709551615|0xffffffffffffffff|18446744073709551616|0x0|0xffffffffffffffff|0 to 0xffffffffffffffff
FLAGS
# leading zeros are decimal, never octal
signed --isvsvn 010 isvsvn 10
# ATTRIBUTES and XFRM: every 64-bit value parses; the library then refuses
# what EINIT would (reserved ATTRIBUTES bits, XFRM without x87/SSE)
signed --attributes 0 attributes.flags 0x0
signed --attributes 0x6 attributes.flags 0x6
expect_status 2 sign --attributes 18446744073709551615
expect_err_contains "ATTRIBUTES 0xffffffffffffffff sets reserved bits"
expect_err_contains "[SGXRA_E_SIGSTRUCT_FIELD]"
common_refusals --attributes "0 to 0xffffffffffffffff" $U64_OVER sign
signed --xfrm 0xffffffffffffffff attributes.xfrm 0xffffffffffffffff
signed --xfrm 3 attributes.xfrm 0x3
expect_status 2 sign --xfrm 0
expect_err_contains "[SGXRA_E_SIGSTRUCT_FIELD]"
common_refusals --xfrm "0 to 0xffffffffffffffff" $U64_OVER sign
# VENDOR: 0 or 0x8086 (32902), or "intel"
signed --vendor 0 vendor 0x0
signed --vendor 0x8086 vendor 0x8086
signed --vendor 32902 vendor 0x8086
signed --vendor intel vendor 0x8086
expect_status 2 sign --vendor 1
expect_err_contains "--vendor '1': must be 0 or 0x8086"
expect_status 2 sign --vendor 0xffffffff
expect_err_contains "must be 0 or 0x8086"
refused "out of range" --vendor 4294967296 "0 to 0xffffffff" sign --vendor 4294967296
common_refusals --vendor "0 to 0xffffffff" $U64_OVER sign

# SSAFRAMESIZE of a measured image: 1..255
ssa() { "$SGXRA" sign --key "$K" "$RAW" -o "$T/s.bin" --json "$@"; }
expect_status 0 ssa --ssaframesize 1
expect_json mrenclave $H
MR1=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
expect_status 0 ssa --ssaframesize 2
MR2=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
expect_status 0 ssa --ssaframesize 0x2
expect_json mrenclave "$MR2"
[ "$MR1" != "$MR2" ] && ok || bad "--ssaframesize 2 measured as 1"
expect_status 0 ssa --ssaframesize 255
expect_status 0 ssa --ssaframesize 0xff
refused "out of range" --ssaframesize 0 "1 to 255" ssa --ssaframesize 0
refused "out of range" --ssaframesize 256 "1 to 255" ssa --ssaframesize 256
common_refusals --ssaframesize "1 to 255" 256 ssa

# ---- measure ---------------------------------------------------------------------------
m() { "$SGXRA" measure --json "$RAW" "$@"; }
expect_status 0 m --ssaframesize 1
expect_json ssaframesize 1
expect_json mrenclave "$MR1"
expect_status 0 m --ssaframesize 0x2
expect_json ssaframesize 2
expect_json mrenclave "$MR2"
expect_status 0 m --ssaframesize 255
expect_json ssaframesize 255
expect_status 0 m --ssaframesize 0XFF
expect_json ssaframesize 255
refused "out of range" --ssaframesize 0 "1 to 255" m --ssaframesize 0
refused "out of range" --ssaframesize 256 "1 to 255" m --ssaframesize 256
common_refusals --ssaframesize "1 to 255" 256 m
# --reg-flags: any 64-bit value parses; the builder refuses bad SECINFO.
# 207 is decimal (0xcf: page type 0), not the 0x207 it meant before the
# one syntax, and is refused rather than measured as something else.
expect_status 0 m --reg-flags 0x207
expect_json reg_flags 0x207
expect_json mrenclave $H
expect_status 0 m --reg-flags 519
expect_json reg_flags 0x207
expect_status 2 m --reg-flags 207
expect_err_contains "[SGXRA_E_MEASURE_SECINFO]"
expect_status 2 m --reg-flags 0
expect_err_contains "[SGXRA_E_MEASURE_SECINFO]"
expect_status 2 m --reg-flags 0xffffffffffffffff
expect_err_contains "[SGXRA_E_MEASURE_SECINFO]"
common_refusals --reg-flags "0 to 0xffffffffffffffff" $U64_OVER m

# ---- platform init --pcesvn, --tcb-svns; platform quote --version ------------------
S16=12,12,3,3,255,255,1,0,3,0,0,0,0,0,0,0
init() { "$SGXRA" platform init "$T/p$1" --at 2026-01-01T00:00:00Z --json "${@:2}"; }
expect_status 0 init 1 --tcb-svns $S16 --pcesvn 0
expect_json pcesvn 0
expect_status 0 init 2 --tcb-svns 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0 --pcesvn 65535
expect_json pcesvn 65535
expect_status 0 init 3 --tcb-svns 0xc,12,3,3,0xff,255,1,0,3,0,0,0,0,0,0,0 --pcesvn 0xd
expect_json pcesvn 13
p9() { init 9 --tcb-svns $S16 "$@"; }
refused "out of range" --pcesvn 65536 "0 to 65535" p9 --pcesvn 65536
common_refusals --pcesvn "0 to 65535" 65536 p9
t9() { init 9 --pcesvn 13 --tcb-svns "$1"; }
refused "out of range" --tcb-svns 256 "0 to 255" t9 12,12,3,3,256,255,1,0,3,0,0,0,0,0,0,0
refused "not a number" --tcb-svns -1 "0 to 255" t9 12,12,3,3,-1,255,1,0,3,0,0,0,0,0,0,0
refused "not a number" --tcb-svns 3x "0 to 255" t9 12,12,3,3x,1,255,1,0,3,0,0,0,0,0,0,0
refused "out of range" --tcb-svns $U64_OVER "0 to 255" t9 $U64_OVER,12,3,3,1,255,1,0,3,0,0,0,0,0,0,0
[ ! -e "$T/p9" ] && ok || bad "a platform was made after a usage error"

SO="${SGXRA_BUILD_DIR:-}/enclaves/example_enclave.so"
SIG="${SGXRA_BUILD_DIR:-}/enclaves/example_enclave.sig"
if [ -f "$SO" ] && [ -f "$SIG" ]; then
  q() { "$SGXRA" platform quote "$T/p1" --enclave "$SO" --sigstruct "$SIG" -o "$T/q.bin" --json "$@"; }
  expect_status 0 q --version 3
  expect_json version 3
  expect_status 0 q --version 0x4
  expect_json version 4
  refused "out of range" --version 2 "3 to 4" q --version 2
  refused "out of range" --version 5 "3 to 4" q --version 5
  common_refusals --version "3 to 4" 5 q
else
  echo "note: example enclave not built, platform quote --version not checked"
fi
finish
