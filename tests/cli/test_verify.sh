# CLI tests of `sgxra verify`: every DCAP bundle gives its expected.json
# through the command (return, verdict, expired flag, advisory IDs in order,
# TCB status and date, FMSPC, exit status), and each damage its own error.
# Since issue 8 verify fails closed: exit 0 only for an accepted quote (by
# default UpToDate, unexpired collateral, no DEBUG); no real bundle is
# UpToDate, so each exits 1 by default and 0 with its status accepted.  The
# flags' refusals carry appraisal's reason codes (docs/APPRAISAL.md).
. "$(dirname "$0")/lib.sh"
BUN="$V/dcap/bundles"
B01="$BUN/sgx-01-phala-v3"
T01=2025-07-01T00:00:00Z

# One python3 per JSON text, not per assertion (a CLI test of a few hundred
# checks spent most of its time starting python3 on a loaded machine):
# jload TEXT flattens it into J["a.0.b"] (strings as they are, anything
# else as JSON), plus J[".codes"] (the reason codes joined by spaces) and
# J[".adv"] (the advisory IDs joined by spaces).  expect_json below, which
# replaces lib.sh's, reads $OUT through it with the same output.
declare -A J
J_SRC=""
J_OK=0
jload() {
  [ "$J_OK" = 1 ] && [ "$J_SRC" = "$1" ] && return 0
  J=()
  J_SRC=$1
  J_OK=1
  local k v
  while IFS= read -r -d '' k && IFS= read -r -d '' v; do J[$k]=$v; done < <(
    printf '%s' "$1" | python3 -c '
import json, sys
def out(k, v):
    sys.stdout.write(k + "\0" + v + "\0")
def walk(p, v):
    if p: out(p, v if isinstance(v, str) else json.dumps(v))
    if isinstance(v, dict):
        for k, x in v.items(): walk(p + "." + k if p else k, x)
    elif isinstance(v, list):
        for i, x in enumerate(v): walk(p + "." + str(i) if p else str(i), x)
try:
    j = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
walk("", j)
if isinstance(j, dict):
    out(".codes", " ".join(r["code"] for r in j.get("reasons", [])))
    out(".adv", " ".join(j.get("advisory_ids") or []))
')
}
expect_json() {
  jload "$OUT"
  if [ "${J[$1]+set}" != set ]; then bad "$1 missing in: $OUT"
  elif [ "${J[$1]}" = "$2" ]; then ok
  else bad "$1 = '${J[$1]}', want '$2'"; fi
}
# expect_out_contains TEXT: stdout holds TEXT
expect_out_contains() {
  case "$OUT" in *"$1"*) ok ;; *) bad "stdout lacks '$1': $OUT" ;; esac
}
# jget KEY: a value of $OUT
jget() { jload "$OUT"; printf '%s' "${J[$1]-}"; }
# fload FILE: read a JSON file once into F (call it outside $(...), which
# is a subshell); field FILE KEY: a value of it (lists joined by spaces)
declare -A F
fload() {
  [ "${F[$1]+set}" = set ] && return 0
  F[$1]=1
  jload "$(cat "$1")"
  local k
  for k in "${!J[@]}"; do F["$1 $k"]=${J[$k]}; done
}
field() {
  fload "$1"
  local v=${F["$1 $2"]-}
  case "$v" in
    \[*) printf '%s' "$v" | tr -d '[]",' ;;
    *) printf '%s' "$v" ;;
  esac
}
# codes: the reason codes of $OUT (JSON) joined by spaces
codes() { jget .codes; }
# expect_codes "CODE ...": the reasons of $OUT are exactly these, in order
expect_codes() {
  jload "$OUT"
  local got
  got=$(codes)
  if [ "$got" = "$1" ]; then ok; else bad "reasons '$got', want '$1'"; fi
}
# adv: the advisory_ids of $OUT joined by spaces
adv() { jget .adv; }
# flip FILE OFFSET OUT: copy FILE with the byte at OFFSET xor 0x01
flip() {
  python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=1; open(sys.argv[3],"wb").write(b)' "$1" "$2" "$3"
}

# ---- every bundle, as Intel's verifier says --------------------------------
n=0
for dir in "$BUN"/*/; do
  dir=${dir%/}
  e="$dir/expected.json"
  fload "$e"
  at=$(field "$e" verification_time)
  expect_status 1 "$SGXRA" verify "$dir/quote.bin" --collateral "$dir" --at "$at" --json
  expect_json return "$(field "$e" qve_return)"
  expect_json verdict "$(field "$e" quote_verification_result)"
  want_exp=false
  [ "$(field "$e" collateral_expiration_status)" = 1 ] && want_exp=true
  expect_json collateral_expired "$want_exp"
  expect_json accepted false
  if [ "$want_exp" = true ]; then
    expect_codes "TCB_STATUS_NOT_ACCEPTED COLLATERAL_EXPIRED"
  else
    expect_codes "TCB_STATUS_NOT_ACCEPTED"
  fi
  got=$(adv)
  want=$(field "$e" advisory_ids)
  if [ "$got" = "$want" ]; then ok; else bad "$(basename "$dir"): advisories '$got', want '$want'"; fi
  lvl="$(field "$e" matched_tcb_level.status) $(field "$e" matched_tcb_level.tcb_date)"
  expect_json tcb_level_status "${lvl% *}"
  expect_json tcb_date "${lvl#* }"
  expect_json fmspc "$(field "$e" pck.fmspc)"
  expect_json stage done
  # accepted with its status (and its advisories) and, if expired, expiry
  st=$(jget tcb_status)
  extra=()
  [ "$want_exp" = true ] && extra=(--accept-expired)
  expect_status 0 "$SGXRA" verify "$dir/quote.bin" --collateral "$dir" --at "$at" \
    --accept-status "$st" "${extra[@]}" --json
  expect_json accepted true
  expect_codes ""
  n=$((n + 1))
done
[ "$n" -eq 13 ] && ok || bad "expected 13 bundles, found $n"

# the enclave of sgx-01 (values read from the quote bytes); its platform is
# ConfigurationAndSWHardeningNeeded: refused by default
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --json
expect_json mrenclave 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
expect_json mrsigner 815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6
expect_json isvprodid 0
expect_json isvsvn 0
expect_json debug false
expect_json report_data 48656c6c6f2c20776f726c6421000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
expect_json tcb_status ConfigurationAndSWHardeningNeeded
expect_json accepted false
expect_json reasons.0.code TCB_STATUS_NOT_ACCEPTED
expect_err_contains "genuine, refused: TCB_STATUS_NOT_ACCEPTED"
# unix seconds work as --at too; human output names the enclave, then one
# "refused:" line per reason
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 1751328000
case "$OUT" in *"mrenclave"*33d8736d*"INTEL-SA-00289 INTEL-SA-00615"*) ok ;; *) bad "human output: $OUT" ;; esac
case "$OUT" in *$'\nrefused: TCB_STATUS_NOT_ACCEPTED: platform TCB status ConfigurationAndSWHardeningNeeded is not accepted (the policy accepts UpToDate): CPUSVN components 7: 0 < 12'*) ok ;; *) bad "human refusal: $OUT" ;; esac
[ "$(printf '%s\n' "$OUT" | grep -c '^refused: ')" = 1 ] && ok || bad "one refused line expected: $OUT"
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 1751328000 \
  --accept-status ConfigurationAndSWHardeningNeeded
case "$OUT" in *"refused"*) bad "accepted but: $OUT" ;; *) ok ;; esac

# ---- damage: each its own error --------------------------------------------
check_fail() { # STATUS RETURN CODE QUOTE [extra args]
  local st=$1 ret=$2 code=$3 q=$4; shift 4
  expect_status "$st" "$SGXRA" verify "$q" --collateral "$B01" --at "$T01" --json "$@"
  expect_json return "$ret"
  expect_json verdict SGX_QL_QV_RESULT_UNSPECIFIED
  expect_json error "$code"
  expect_err_contains "[$code]"
  expect_json accepted false
  expect_json reasons.0.code QUOTE_NOT_GENUINE
}
flip "$B01/quote.bin" 30 "$T/hdr.bin"
check_fail 1 SGX_QL_RESULT_INVALID_SIGNATURE SGXRA_E_VERIFY_QUOTE_SIGNATURE "$T/hdr.bin"
flip "$B01/quote.bin" 0 "$T/ver.bin"
check_fail 2 SGX_QL_QUOTE_FORMAT_UNSUPPORTED SGXRA_E_QUOTE_VERSION "$T/ver.bin"
flip "$B01/quote.bin" 112 "$T/body.bin"
check_fail 1 SGX_QL_RESULT_INVALID_SIGNATURE SGXRA_E_VERIFY_QUOTE_SIGNATURE "$T/body.bin"
flip "$B01/quote.bin" 700 "$T/qerep.bin"
check_fail 1 SGX_QL_QE_REPORT_INVALID_SIGNATURE SGXRA_E_VERIFY_QE_REPORT_SIGNATURE "$T/qerep.bin"
flip "$B01/quote.bin" 1020 "$T/auth.bin"
check_fail 1 SGX_QL_ERROR_UNEXPECTED SGXRA_E_VERIFY_QE_REPORT_DATA "$T/auth.bin"
flip "$B01/quote.bin" 440 "$T/isvsig.bin"
check_fail 1 SGX_QL_RESULT_INVALID_SIGNATURE SGXRA_E_VERIFY_QUOTE_SIGNATURE "$T/isvsig.bin"
flip "$B01/quote.bin" 960 "$T/qesig.bin"
check_fail 1 SGX_QL_QE_REPORT_INVALID_SIGNATURE SGXRA_E_VERIFY_QE_REPORT_SIGNATURE "$T/qesig.bin"
# shorter than 1020 bytes: Intel's QvE refuses it as an invalid parameter
# before parsing it (sgx_qve_verify_quote, QUOTE_MIN_SIZE); still unusable
# input (exit 2).  From 1020 bytes on a truncated quote fails to parse.
head -c 1000 "$B01/quote.bin" >"$T/short.bin"
check_fail 2 SGX_QL_ERROR_INVALID_PARAMETER SGXRA_E_INVALID_ARGUMENT "$T/short.bin"
head -c 1020 "$B01/quote.bin" >"$T/short1020.bin"
check_fail 2 SGX_QL_QUOTE_FORMAT_UNSUPPORTED SGXRA_E_QUOTE_TRUNCATED "$T/short1020.bin"
# verification time 0: Intel's QvE refuses it (expiration_check_date <= 0)
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 0 --json
expect_json return SGX_QL_ERROR_INVALID_PARAMETER
expect_json verdict SGX_QL_QV_RESULT_UNSPECIFIED
expect_json error SGXRA_E_INVALID_ARGUMENT
expect_err_contains "time <= 0"
# a negative time is Intel's INVALID_PARAMETER too (a verdict, exit 1), not a
# usage error: QvE checks expiration_check_date <= 0
for neg in -1 -1751328000 -0; do
  expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$neg" --json
  expect_json return SGX_QL_ERROR_INVALID_PARAMETER
  expect_json verdict SGX_QL_QV_RESULT_UNSPECIFIED
  expect_json stage parameters
done
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at -1
expect_out_contains "SGX_QL_ERROR_INVALID_PARAMETER"
# not a number or a date still is a usage error
flagerr_at() {
  expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$1" --json
  expect_err_contains "--at '$1'"
}
flagerr_at -
flagerr_at --1
flagerr_at -1x
flagerr_at -1234567890123
# 400 days before the bundle's time, before the CRLs' thisUpdate: Intel's
# answer is success with the collateral expired (two-sided CRL validity)
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" \
  --at 1716768000 --json
expect_json return SGX_QL_SUCCESS
expect_json verdict SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED
expect_json collateral_expired true
check_fail 1 SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED SGXRA_E_QUOTE_CERT_DATA_TYPE \
  "$V/dcap/negative/quote_v3_ecdsa_p256_eppid.bin"
# wrong trust root: the TCB signing certificate
head -n "$(grep -n 'END CERT' "$B01/tcb_info_issuer_chain.pem" | head -1 | cut -d: -f1)" \
  "$B01/tcb_info_issuer_chain.pem" >"$T/notroot.pem"
check_fail 1 SGX_QL_PCK_CERT_CHAIN_ERROR SGXRA_E_VERIFY_TRUST_ROOT "$B01/quote.bin" --trust-root "$T/notroot.pem"
# Intel's root given explicitly is the default
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --trust-root "$V/dcap/Intel_SGX_Root_CA.pem" \
  --accept-status ConfigurationAndSWHardeningNeeded

# a TCB level's pcesvn edited: the TCB Info signature breaks
mkdir "$T/pce"
cp "$B01"/* "$T/pce/"
chmod u+w "$T/pce"/*
python3 -c 'import sys; p=sys.argv[1]; s=open(p).read(); i=s.index("\"pcesvn\":13"); open(p,"w").write(s[:i]+"\"pcesvn\":12"+s[i+11:])' "$T/pce/tcb_info.json"
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/pce" --at "$T01" --json
expect_json return SGX_QL_TCBINFO_CHAIN_ERROR
expect_json error SGXRA_E_TCBINFO_SIGNATURE

# Collateral that does not parse gets Intel's return code as a verdict
# (exit 1, JSON), not a command error: the answers of Intel's QvE (DCAP
# 1.23 qve.cpp + QVL) on the same bytes (issue 13 classes D, E, F, N).
# coll_case NAME FILE RETURN PYTHON-EXPR-OF-b (the file's bytes)
coll_case() {
  local name=$1 file=$2 ret=$3 expr=$4
  mkdir "$T/cc-$name"
  cp "$B01"/* "$T/cc-$name/"
  chmod u+w "$T/cc-$name"/*
  python3 -c 'import sys,binascii; p=sys.argv[1]; b=open(p,"rb").read(); open(p,"wb").write(eval(sys.argv[2]))' \
    "$T/cc-$name/$file" "$expr"
  if [ "$ret" = SGX_QL_SUCCESS ]; then
    expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/cc-$name" --at "$T01" --json
    expect_json return SGX_QL_SUCCESS
    expect_json verdict SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED
    expect_json collateral_expired false
  else
    expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/cc-$name" --at "$T01" --json
    expect_json return "$ret"
    expect_json verdict SGX_QL_QV_RESULT_UNSPECIFIED
    expect_json accepted false
    expect_json reasons.0.code QUOTE_NOT_GENUINE
  fi
}
coll_case tcb-garbage tcb_info.json SGX_QL_TCBINFO_UNSUPPORTED_FORMAT 'b + b"garbage"'
coll_case tcb-bom tcb_info.json SGX_QL_TCBINFO_UNSUPPORTED_FORMAT 'b"\xef\xbb\xbf" + b'
coll_case tcb-empty tcb_info.json SGX_QL_TCBINFO_UNSUPPORTED_FORMAT 'b""'
coll_case qe-garbage qe_identity.json SGX_QL_QEIDENTITY_UNSUPPORTED_FORMAT 'b + b"garbage"'
coll_case qe-empty qe_identity.json SGX_QL_QEIDENTITY_UNSUPPORTED_FORMAT 'b""'
coll_case chain-empty pck_crl_issuer_chain.pem SGX_QL_PCK_CERT_CHAIN_ERROR 'b""'
coll_case tcbchain-empty tcb_info_issuer_chain.pem SGX_QL_PCK_CERT_CHAIN_ERROR 'b""'
coll_case chain-cut pck_crl_issuer_chain.pem SGX_QL_PCK_CERT_CHAIN_ERROR 'b[:len(b)//4]'
coll_case tcb-nul tcb_info.json SGX_QL_ERROR_INVALID_PARAMETER 'b + b"\0"'
coll_case qechain-nul qe_identity_issuer_chain.pem SGX_QL_ERROR_INVALID_PARAMETER 'b + b"\0"'
coll_case crl-truncated pck_crl.der SGX_QL_CRL_UNSUPPORTED_FORMAT 'b[:-10]'
coll_case crl-empty root_ca_crl.der SGX_QL_ERROR_INVALID_PARAMETER 'b""'
coll_case crl-der-garbage pck_crl.der SGX_QL_SUCCESS 'b + b"garbage"'
coll_case crl-der-nul root_ca_crl.der SGX_QL_SUCCESS 'b + b"\0"'
coll_case crl-hex pck_crl.der SGX_QL_SUCCESS 'binascii.hexlify(b)'
coll_case crl-hex-newline pck_crl.der SGX_QL_CRL_UNSUPPORTED_FORMAT 'binascii.hexlify(b) + b"\n"'
coll_case crl-pem-newline root_ca_crl.der SGX_QL_CRL_UNSUPPORTED_FORMAT \
  'b"\n-----BEGIN X509 CRL-----\n" + binascii.b2a_base64(b) + b"-----END X509 CRL-----\n"'
coll_case crl-pem pck_crl.der SGX_QL_SUCCESS \
  'b"-----BEGIN X509 CRL-----\n" + binascii.b2a_base64(b) + b"-----END X509 CRL-----\ngarbage"'
# a missing file is still a command error
mkdir "$T/cc-missing"
cp "$B01"/* "$T/cc-missing/"
rm -f "$T/cc-missing/tcb_info.json"
expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/cc-missing" --at "$T01" --json
expect_err_contains "tcb_info.json is missing"

# another FMSPC's TCB Info: sgx-26's quote with sgx-02's collateral
B02="$BUN/sgx-02-automata-v3-2025-08"
expect_status 1 "$SGXRA" verify "$BUN/sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid/quote.bin" \
  --collateral "$B02" --at 2025-08-15T05:45:00Z --json
expect_json return SGX_QL_TCBINFO_MISMATCH
expect_json error SGXRA_E_VERIFY_TCB_INFO_MISMATCH
expect_err_contains "fmspc=30606a000000"

# past nextUpdate: still a verdict, flagged expired -- and refused
# (COLLATERAL_EXPIRED) unless --accept-expired
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-19T10:01:18Z --json
expect_json collateral_expired true
expect_json verdict SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED
expect_codes "TCB_STATUS_NOT_ACCEPTED COLLATERAL_EXPIRED"
C01=ConfigurationAndSWHardeningNeeded
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-19T10:01:18Z --json \
  --accept-status $C01
expect_codes "COLLATERAL_EXPIRED"
expect_json reasons.0.message "Intel's collateral expired 2025-07-19T10:01:18Z (earliest nextUpdate / notAfter), before 2025-07-19T10:01:18Z: fetch fresh collateral, or set allow_expired_collateral"
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-19T10:01:18Z --json \
  --accept-status $C01 --accept-expired
expect_json collateral_expired true
expect_json accepted true
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-19T10:01:17Z --json \
  --accept-status $C01
expect_json collateral_expired false
expect_json accepted true

# ---- --accept-status --------------------------------------------------------
B03="$BUN/sgx-03-dcaprs-v3-tcbinfo-v2"
fload "$B03/expected.json"
AT03=$(field "$B03/expected.json" verification_time)
# an OutOfDate real quote: refused by default, accepted when named
expect_status 1 "$SGXRA" verify "$B03/quote.bin" --collateral "$B03" --at "$AT03" --json
expect_json tcb_status OutOfDate
expect_codes "TCB_STATUS_NOT_ACCEPTED"
case "$(jget reasons.0.message)" in
  "platform TCB status OutOfDate is not accepted (the policy accepts UpToDate)"*) ok ;;
  *) bad "OutOfDate message: $OUT" ;;
esac
expect_status 0 "$SGXRA" verify "$B03/quote.bin" --collateral "$B03" --at "$AT03" \
  --accept-status OutOfDate,OutOfDateConfigurationNeeded
# another status accepted is not this one; lists and repeated flags add up
expect_status 1 "$SGXRA" verify "$B03/quote.bin" --collateral "$B03" --at "$AT03" --json \
  --accept-status SWHardeningNeeded,ConfigurationNeeded,$C01
expect_json reasons.0.message "platform TCB status OutOfDate is not accepted (the policy accepts UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded): CPUSVN components 1: 12 < 14, 2: 12 < 14 short of the newest level (SWHardeningNeeded, tcbDate 2024-03-13T00:00:00Z; TCB Info has no UpToDate level for this FMSPC)"
expect_status 0 "$SGXRA" verify "$B03/quote.bin" --collateral "$B03" --at "$AT03" \
  --accept-status UpToDate --accept-status OutOfDate
# unknown names: usage errors listing the valid ones
for bad_name in Foo outofdate Revoked "OutOfDate," ",OutOfDate" "OutOfDate,,UpToDate" ""; do
  expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --accept-status "$bad_name"
  expect_err_contains "expected comma-separated names from UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded"
  expect_err_contains "try 'sgxra verify --help'"
done

# ---- identity without a database -------------------------------------------
ME01=33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
MS01=815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6
RD01=48656c6c6f2c20776f726c6421000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
OTHER=$(printf '%064d' 1)
v01() { # STATUS [flags]: sgx-01 with its status accepted, JSON
  local st=$1; shift
  expect_status "$st" "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" \
    --accept-status $C01 --json "$@"
}
v01 0 --mrenclave $ME01
expect_codes ""
v01 0 --mrenclave $ME01 --mrsigner $MS01 --isvprodid 0 --min-isvsvn 0 --report-data $RD01
expect_codes ""
v01 0 --mrenclave "$(printf '%s' $ME01 | tr a-f A-F)"
v01 1 --mrenclave $OTHER
expect_codes "MRENCLAVE_NOT_REGISTERED"
expect_json reasons.0.message "MRENCLAVE $ME01 is not registered, and MRSIGNER $MS01 is not trusted for ISVPRODID 0: register the enclave from its SIGSTRUCT or image if it is one you expect"
expect_err_contains "genuine, refused: MRENCLAVE_NOT_REGISTERED"
v01 1 --mrenclave $ME01 --mrsigner $OTHER
expect_codes "MRSIGNER_MISMATCH"
expect_json reasons.0.message "MRENCLAVE $ME01 is registered (entry #1) with MRSIGNER $OTHER; the quote's MRSIGNER is $MS01"
v01 1 --mrenclave $ME01 --isvprodid 7
expect_codes "ISVPRODID_MISMATCH"
v01 1 --mrenclave $ME01 --min-isvsvn 1
expect_codes "ISVSVN_BELOW_MINIMUM"
expect_json reasons.0.message "MRENCLAVE $ME01 is expected (entry #1) from ISVSVN 1; this enclave has ISVSVN 0"
# a signer trusted per product, without MRENCLAVE
v01 0 --mrsigner $MS01 --isvprodid 0
v01 0 --mrsigner $MS01 --isvprodid 0x0 --min-isvsvn 0
v01 1 --mrsigner $MS01 --isvprodid 0 --min-isvsvn 2
expect_codes "ISVSVN_BELOW_MINIMUM"
v01 1 --mrsigner $MS01 --isvprodid 1
expect_codes "MRENCLAVE_NOT_REGISTERED"
v01 1 --mrsigner $OTHER --isvprodid 0
expect_codes "MRENCLAVE_NOT_REGISTERED"
# every mismatch at once, with the platform's refusal first
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --json \
  --mrenclave $ME01 --mrsigner $OTHER --isvprodid 7 --min-isvsvn 1 --report-data "${RD01%?}1"
expect_codes "TCB_STATUS_NOT_ACCEPTED MRSIGNER_MISMATCH ISVPRODID_MISMATCH ISVSVN_BELOW_MINIMUM REPORT_DATA_MISMATCH"
# REPORTDATA: 128 digits, or 64 (then 32 zero bytes); the identity is not
# needed for it
v01 0 --report-data $RD01
v01 0 --report-data "${RD01:0:64}"
v01 1 --report-data "${RD01%?}1"
expect_codes "REPORT_DATA_MISMATCH"
expect_json reasons.0.message "REPORTDATA $RD01 differs from the expected ${RD01%?}1"
v01 1 --report-data "$(printf '%064d' 0)"
expect_codes "REPORT_DATA_MISMATCH"
# a refused genuine quote still prints the whole verdict
expect_json verdict SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED
expect_json mrenclave $ME01
# not genuine: Intel's verdict first, the identity checks still report
expect_status 1 "$SGXRA" verify "$T/hdr.bin" --collateral "$B01" --at "$T01" --json \
  --accept-status $C01 --mrenclave $OTHER
expect_codes "QUOTE_NOT_GENUINE MRENCLAVE_NOT_REGISTERED"
expect_status 1 "$SGXRA" verify "$T/hdr.bin" --collateral "$B01" --at "$T01" --json \
  --accept-status $C01
expect_codes "QUOTE_NOT_GENUINE"
# the flags' values: usage errors (2), before any file is read
flagerr() { # CODE flags...
  local code=$1; shift
  expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" "$@"
  expect_err_contains "$code"
  expect_err_contains "try 'sgxra verify --help'"
}
flagerr "[SGXRA_E_POLICY_HEX]" --mrenclave 33d8
expect_err_contains "expected 64 hex digits (32 bytes), found 4"
flagerr "[SGXRA_E_POLICY_HEX]" --mrenclave "${ME01}00"
flagerr "[SGXRA_E_POLICY_HEX]" --mrenclave $ME01 --mrsigner "${MS01:0:62}"
flagerr "[SGXRA_E_HEX]" --mrenclave "${ME01:0:63}g"
flagerr "[SGXRA_E_POLICY_HEX]" --report-data "${RD01:0:126}"
expect_err_contains "found 126"
flagerr "[SGXRA_E_POLICY_HEX]" --report-data 00
flagerr "[SGXRA_E_HEX]" --report-data "${RD01:0:127}x"
flagerr "[SGXRA_E_POLICY_INPUT]" --mrsigner $MS01
flagerr "[SGXRA_E_POLICY_INPUT]" --isvprodid 0
flagerr "[SGXRA_E_POLICY_INPUT]" --min-isvsvn 1
flagerr "--isvprodid '65536': out of range" --isvprodid 65536
flagerr "--min-isvsvn '-1'" --min-isvsvn -1
flagerr "--at" --mrenclave $ME01 --at never
expect_status 2 "$SGXRA" verify "$T/none.bin" --collateral "$B01" --mrenclave 33
expect_err_contains "[SGXRA_E_POLICY_HEX]"

# ---- an emulated UpToDate platform: DEBUG, a well-known signer ---------------
BD="${SGXRA_BUILD_DIR:?}"
SO="$BD/enclaves/example_enclave.so"
SIG="$BD/enclaves/example_enclave.sig"
AT=2026-01-01T00:00:00Z
LATER=2026-01-02T00:00:00Z
SAMPLE="$V/identity/fortanix-rust-sgx/sig1.key.pem"
"$SGXRA" platform init "$T/p" --at $AT >/dev/null &&
  "$SGXRA" platform collateral "$T/p" -o "$T/b" --at $AT >/dev/null &&
  "$SGXRA" platform quote "$T/p" --enclave "$SO" --sigstruct "$SIG" -o "$T/q.bin" >/dev/null &&
  "$SGXRA" sign --key "$SAMPLE" --isvprodid 1 --isvsvn 2 "$SO" -o "$T/pub.sig" >/dev/null 2>&1 &&
  "$SGXRA" platform quote "$T/p" --enclave "$SO" --sigstruct "$T/pub.sig" -o "$T/qpub.bin" >/dev/null &&
  "$SGXRA" sign --key "$SAMPLE" --isvprodid 1 --isvsvn 2 --debug --attributes 0x6 "$SO" \
    -o "$T/dbg.sig" >/dev/null 2>&1 &&
  "$SGXRA" platform quote "$T/p" --enclave "$SO" --sigstruct "$T/dbg.sig" -o "$T/qdbg.bin" >/dev/null &&
  ok || bad "emulated platform and quotes"
ve() { # STATUS QUOTE [flags]
  local st=$1 q=$2; shift 2
  expect_status "$st" "$SGXRA" verify "$q" --collateral "$T/b" --trust-root "$T/b/root_ca.pem" \
    --at $LATER --json "$@"
}
# UpToDate, fresh: accepted with no flag
ve 0 "$T/q.bin"
expect_json verdict SGX_QL_QV_RESULT_OK
expect_json accepted true
expect_codes ""
MRE=$(jget mrenclave)
MRS=$(jget mrsigner)
# the example enclave is signed with sgxra's demo key, whose private key is
# public: with an identity given, refused unless --allow-debug-signer
ve 1 "$T/q.bin" --mrenclave "$MRE" --mrsigner "$MRS" --isvprodid 1 --min-isvsvn 2
expect_codes "DEBUG_SIGNER"
expect_json reasons.0.message "MRSIGNER $MRS is the sgxra demo signing key (enclaves/demo_signing_key.pem), a well-known public key: anyone can sign any enclave with it; registry entry #1 does not allow it (allow_debug_signer)"
ve 0 "$T/q.bin" --mrenclave "$MRE" --mrsigner "$MRS" --isvprodid 1 --min-isvsvn 2 --allow-debug-signer
ve 0 "$T/q.bin" --mrsigner "$MRS" --isvprodid 1 --allow-debug-signer
ve 1 "$T/q.bin" --mrenclave "$MRE" --min-isvsvn 3 --allow-debug-signer
expect_codes "ISVSVN_BELOW_MINIMUM"
# a DEBUG enclave: refused whatever the identity, unless --allow-debug
ve 1 "$T/qdbg.bin"
expect_json debug true
expect_codes "DEBUG_ENCLAVE"
expect_json reasons.0.message "MRENCLAVE $MRE runs in DEBUG mode (ATTRIBUTES.DEBUG set): its memory and secrets are open to the platform's owner; the policy does not allow_debug"
ve 0 "$T/qdbg.bin" --allow-debug
ve 1 "$T/qdbg.bin" --allow-debug --mrenclave "$MRE"
expect_codes "DEBUG_SIGNER"
ve 0 "$T/qdbg.bin" --allow-debug --mrenclave "$MRE" --allow-debug-signer
ve 1 "$T/qdbg.bin" --mrenclave "$MRE" --allow-debug-signer
expect_codes "DEBUG_ENCLAVE"
# the same code signed with the SDK's public sample key: with an identity
# given, its MRSIGNER differs and the key is public; without, the identity
# (and so the key) is not checked
ve 1 "$T/qpub.bin" --mrenclave "$MRE" --mrsigner "$MRS"
expect_codes "MRSIGNER_MISMATCH DEBUG_SIGNER"
ve 1 "$T/qpub.bin" --mrenclave "$MRE"
expect_codes "DEBUG_SIGNER"
ve 0 "$T/qpub.bin"
# the platform's collateral past its expiry: refused unless --accept-expired
expect_status 1 "$SGXRA" verify "$T/q.bin" --collateral "$T/b" --trust-root "$T/b/root_ca.pem" \
  --at 2027-06-01T00:00:00Z --json
expect_json collateral_expired true
expect_json tcb_status UpToDate
expect_codes "COLLATERAL_EXPIRED"
expect_status 0 "$SGXRA" verify "$T/q.bin" --collateral "$T/b" --trust-root "$T/b/root_ca.pem" \
  --at 2027-06-01T00:00:00Z --accept-expired

# ---- input formats, the supplemental data, the PPID -------------------------
# Every bundle's quote as hex (lower, one line), HEX (0x, 64 digits a
# line), base64 (76 a line), base64url (no padding) and on stdin gives the
# same verify --json object; that object carries Intel's supplemental data
# with the CRL Numbers `openssl crl -text` prints and the lower
# tcbEvaluationDataNumber of tcb_info.json and qe_identity.json; the PPID
# of the PCK leaf (read from its DER) appears nowhere.
formats() {
  python3 - "$1" "$2" <<'PY'
import base64, re, sys
q = open(sys.argv[1], "rb").read(); d = sys.argv[2]
h = q.hex()
open(d + "/q.hex", "w").write(h + "\n")
H = h.upper()
open(d + "/q.HEX", "w").write("0x" + "\n".join(H[i:i+64] for i in range(0, len(H), 64)) + "\n")
b = base64.b64encode(q).decode()
open(d + "/q.b64", "w").write("\n".join(b[i:i+76] for i in range(0, len(b), 76)) + "\n")
open(d + "/q.b64url", "w").write(base64.urlsafe_b64encode(q).decode().rstrip("="))
pem = re.search(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", q, re.S).group(1)
der = base64.b64decode(b"".join(pem.split()))
oid = bytes.fromhex("060a2a864886f84d010d0101")
i = der.index(oid) + len(oid)
print(der[i+2:i+18].hex())
PY
}
crlnum() { openssl crl -inform DER -in "$1" -noout -text | grep -A1 'CRL Number' | tail -1 | tr -d ' '; }
evalnum() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["tcbEvaluationDataNumber"])' "$1" "$2"; }
ns=0
for dir in "$BUN"/*/; do
  dir=${dir%/}
  e="$dir/expected.json"
  at=$(field "$e" verification_time)
  ppid=$(formats "$dir/quote.bin" "$T")
  expect_status 1 "$SGXRA" verify "$dir/quote.bin" --collateral "$dir" --at "$at" --json
  bin=$OUT
  te=$(evalnum "$dir/tcb_info.json" tcbInfo)
  qe=$(evalnum "$dir/qe_identity.json" enclaveIdentity)
  [ "$te" -lt "$qe" ] && want=$te || want=$qe
  expect_json supplemental.tcb_eval_ref_num "$want"
  expect_json supplemental.qe_iden_tcb_eval_ref_num "$qe"
  expect_json supplemental.pck_crl_num "$(crlnum "$dir/pck_crl.der")"
  expect_json supplemental.root_ca_crl_num "$(crlnum "$dir/root_ca_crl.der")"
  expect_json supplemental.version 3.3
  expect_json supplemental.root_key_id 46e403bd34f05a3f2817ab9badcaacc7ffc98e0f261008cd30dae936cace18d5dcf58eef31463613de1570d516200993
  expect_json supplemental.tcb_level_date_tag "$(field "$e" matched_tcb_level.tcb_date)"
  expect_json supplemental.tcb_pce_isvsvn "$(field "$e" pck.pcesvn)"
  expect_json supplemental.tcb_status "$(field "$e" matched_tcb_level.status)"
  expect_json supplemental.sa_list "$(field "$e" advisory_ids | tr ' ' ',')"
  expect_json supplemental.tee_type 0x00
  win=$(field "$e" all_collateral_valid_window)
  if [ -n "$win" ] && [ "$win" != null ]; then
    expect_json supplemental.latest_issue_date "${win% *}"
    expect_json supplemental.earliest_expiration_date "${win#* }"
  fi
  human=$("$SGXRA" verify "$dir/quote.bin" --collateral "$dir" --at "$at" 2>&1)
  case "$bin$human" in
    *"$ppid"* | *"${ppid^^}"*) bad "$(basename "$dir"): PPID printed" ;;
    *) ok ;;
  esac
  [ ${#ppid} -eq 32 ] && ok || bad "no PPID read"
  for f in q.hex q.HEX q.b64 q.b64url; do
    expect_status 1 "$SGXRA" verify "$T/$f" --collateral "$dir" --at "$at" --json
    [ "$OUT" = "$bin" ] && ok || bad "$(basename "$dir"): $f differs from the binary quote"
  done
  OUT=$("$SGXRA" verify - --collateral "$dir" --at "$at" --json <"$dir/quote.bin" 2>/dev/null)
  [ "$OUT" = "$bin" ] && ok || bad "$(basename "$dir"): stdin differs"
  OUT=$("$SGXRA" verify - --collateral "$dir" --at "$at" --json <"$T/q.HEX" 2>/dev/null)
  [ "$OUT" = "$bin" ] && ok || bad "$(basename "$dir"): HEX on stdin differs"
  ns=$((ns + 1))
done
[ "$ns" -eq 13 ] && ok || bad "expected 13 bundles, found $ns"
# the earliest expiry named: sgx-01's QE Identity nextUpdate (qe_identity.json)
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --json
expect_json supplemental.earliest_expiration_item "QE Identity nextUpdate"
expect_json supplemental.earliest_expiration_date 2025-07-19T10:01:18Z
expect_json supplemental.sgx_type Standard
# sgx-02: Platform CA, Scalable; Intel's flags (cached keys FALSE -> absent)
B02="$BUN/sgx-02-automata-v3-2025-08"
expect_status 1 "$SGXRA" verify "$B02/quote.bin" --collateral "$B02" --at 2025-08-15T05:45:00Z --json
expect_json supplemental.sgx_type Scalable
expect_json supplemental.platform_instance_id 7f96822f9d6421e505d4f256f65c5338
expect_json supplemental.dynamic_platform true
expect_json supplemental.smt_enabled false
case "$OUT" in *cached_keys*) bad "cached_keys FALSE printed (Intel leaves it undefined)" ;; *) ok ;; esac
# the verdict first, on one line, never coloured in a pipe
OUT=$("$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" 2>/dev/null)
first=${OUT%%$'\n'*}
[ "$first" = "REFUSED ConfigurationAndSWHardeningNeeded: TCB_STATUS_NOT_ACCEPTED" ] && ok || bad "first line '$first'"
case "$OUT" in *$'\033'*) bad "colour in a pipe" ;; *) ok ;; esac
OUT=$("$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --accept-status ConfigurationAndSWHardeningNeeded 2>/dev/null)
first=${OUT%%$'\n'*}
[ "$first" = "OK ConfigurationAndSWHardeningNeeded — accepted" ] && ok || bad "first line '$first'"
case "$OUT" in *"verdict"*SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED*) ok ;; *) bad "the rest of the output is gone: $OUT" ;; esac
# on a terminal (script(1) gives one): coloured, unless NO_COLOR is set
if command -v script >/dev/null; then
  tty=$(script -qec "'$SGXRA' verify '$B01/quote.bin' --collateral '$B01' --at $T01" /dev/null 2>/dev/null)
  case "$tty" in *$'\033[1;31m'REFUSED*) ok ;; *) bad "no colour on a terminal: $tty" ;; esac
  tty=$(NO_COLOR=1 script -qec "'$SGXRA' verify '$B01/quote.bin' --collateral '$B01' --at $T01" /dev/null 2>/dev/null)
  case "$tty" in *$'\033'*) bad "colour with NO_COLOR" ;; *) ok ;; esac
else
  skipped "script(1) not installed: colour on a terminal not checked"
fi
# junk text: exit 2 with the reason for each format
printf 'not a quote at all\n' >"$T/junk.txt"
expect_status 2 "$SGXRA" verify "$T/junk.txt" --collateral "$B01" --at "$T01"
expect_err_contains "not a quote: neither binary (version 3-5), hex nor base64"
expect_err_contains "[SGXRA_E_QUOTE_FORMAT]"
expect_status 2 "$SGXRA" verify - --collateral "$B01" --at "$T01" <"$T/junk.txt"
expect_err_contains "sgxra verify: -: not a quote"
# base64 with a junk character is refused, not skipped
python3 -c 'import sys; b=open(sys.argv[1]).read(); open(sys.argv[2],"w").write(b[:40]+"*"+b[41:])' "$T/q.b64" "$T/qbad.b64"
expect_status 2 "$SGXRA" verify "$T/qbad.b64" --collateral "$B01" --at "$T01"
expect_err_contains "invalid base64 character '*' at position 40"

# ---- --strict: sgxra's stricter readings on top of Intel's verdict ---------
# quiet on the bundle at its time: the verdict and exit as without it
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --json \
  --accept-status $C01 --strict
expect_json accepted true
expect_json strict "[]"
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" \
  --accept-status $C01 --strict
case "$OUT" in *"strict:"*) bad "strict line on a quiet bundle: $OUT" ;; *) ok ;; esac
# without --strict no "strict" member
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --json \
  --accept-status $C01
[ -z "$(jget strict)" ] && ok || bad "strict without --strict: $OUT"
# 400 days early: Intel says success with the expired flag; strict: not yet valid
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 1716768000 --json \
  --accept-status $C01 --accept-expired
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 1716768000 --json \
  --accept-status $C01 --accept-expired --strict
expect_json return SGX_QL_SUCCESS
expect_json verdict SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED
expect_json collateral_expired true
expect_json accepted false
expect_json reasons "[]"
expect_json strict.0.check not_yet_valid
case "$(jget strict.0.message)" in *"is after the verification time 2024-05-27T00:00:00Z"*) ok ;;
  *) bad "strict message: $(jget strict.0.message)" ;; esac
expect_err_contains "genuine, refused by --strict: not_yet_valid"
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 1716768000 \
  --accept-status $C01 --accept-expired --strict
case "$OUT" in "REFUSED $C01: STRICT"*) ok ;; *) bad "human first line: $OUT" ;; esac
expect_out_contains $'\nstrict: not_yet_valid: '
# a duplicate "signature" member in TCB Info: Intel reads the first (same
# verdict); strict: duplicate_member
mkdir -p "$T/dupm" && cp "$B01"/* "$T/dupm/"
python3 -c 'import sys; p=sys.argv[1]; s=open(p).read().rstrip(); open(p,"w").write(s[:-1]+",\"signature\":\"00\"}")' "$T/dupm/tcb_info.json"
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/dupm" --at "$T01" --json \
  --accept-status $C01
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/dupm" --at "$T01" --json \
  --accept-status $C01 --strict
expect_json return SGX_QL_SUCCESS
expect_json strict.0.check duplicate_member
case "$(jget strict.0.message)" in "tcb_info.json: duplicate object key"*) ok ;;
  *) bad "strict message: $(jget strict.0.message)" ;; esac
# bytes after the quote's signature data
{ cat "$B01/quote.bin"; printf 'appended'; } >"$T/qappend.bin"
expect_status 1 "$SGXRA" verify "$T/qappend.bin" --collateral "$B01" --at "$T01" --json \
  --accept-status $C01 --strict
expect_json return SGX_QL_SUCCESS
expect_json strict.0.check quote_unread_bytes
case "$(jget strict.0.message)" in "quote: 8 bytes after the signature data"*) ok ;;
  *) bad "strict message: $(jget strict.0.message)" ;; esac
# a verdict that already failed stays Intel's; strict adds nothing at a time <= 0
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at -1 --json --strict
expect_json return SGX_QL_ERROR_INVALID_PARAMETER
expect_json strict "[]"

# ---- usage and unusable input ----------------------------------------------
expect_status 2 "$SGXRA" verify "$B01/quote.bin"
expect_err_contains "try 'sgxra verify --help'"
expect_status 2 "$SGXRA" verify --collateral "$B01"
expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at yesterday
expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/nowhere" --at "$T01"
expect_err_contains "[SGXRA_E_"
expect_status 2 "$SGXRA" verify "$T/none.bin" --collateral "$B01"
expect_status 2 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --bogus
expect_status 0 "$SGXRA" verify --help
for f in --trust-root --accept-status --accept-expired --allow-debug --mrenclave \
  --mrsigner --isvprodid --min-isvsvn --report-data --allow-debug-signer "Exit status changed" \
  --strict advisory_list_cut not_yet_valid date_trailing_text duplicate_member quote_unread_bytes; do
  case "$OUT" in *"$f"*) ok ;; *) bad "help lacks $f" ;; esac
done

finish
