# CLI tests of `sgxra verify`: every DCAP bundle gives its expected.json
# through the command (return, verdict, expired flag, advisory IDs in order,
# TCB status and date, FMSPC, exit status), and each damage its own error.
. "$(dirname "$0")/lib.sh"
BUN="$V/dcap/bundles"
B01="$BUN/sgx-01-phala-v3"
T01=2025-07-01T00:00:00Z

# field FILE KEY: a top-level value of a JSON file (lists joined by spaces)
field() {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]
print(" ".join(v) if isinstance(v,list) else v)' "$1" "$2"
}
# adv: the advisory_ids of $OUT joined by spaces
adv() {
  printf '%s' "$OUT" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["advisory_ids"]))'
}
# flip FILE OFFSET OUT: copy FILE with the byte at OFFSET xor 0x01
flip() {
  python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=1; open(sys.argv[3],"wb").write(b)' "$1" "$2" "$3"
}

# ---- every bundle, as Intel's verifier says --------------------------------
n=0
for dir in "$BUN"/*/; do
  dir=${dir%/}
  e="$dir/expected.json"
  at=$(field "$e" verification_time)
  expect_status 0 "$SGXRA" verify "$dir/quote.bin" --collateral "$dir" --at "$at" --json
  expect_json return "$(field "$e" qve_return)"
  expect_json verdict "$(field "$e" quote_verification_result)"
  want_exp=false
  [ "$(field "$e" collateral_expiration_status)" = 1 ] && want_exp=true
  expect_json collateral_expired "$want_exp"
  got=$(adv)
  want=$(field "$e" advisory_ids)
  if [ "$got" = "$want" ]; then ok; else bad "$(basename "$dir"): advisories '$got', want '$want'"; fi
  lvl=$(python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["matched_tcb_level"]; print(l["status"], l["tcb_date"])' "$e")
  expect_json tcb_level_status "${lvl% *}"
  expect_json tcb_date "${lvl#* }"
  expect_json fmspc "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pck"]["fmspc"])' "$e")"
  expect_json stage done
  n=$((n + 1))
done
[ "$n" -eq 13 ] && ok || bad "expected 13 bundles, found $n"

# the enclave of sgx-01 (values read from the quote bytes)
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --json
expect_json mrenclave 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
expect_json mrsigner 815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6
expect_json isvprodid 0
expect_json isvsvn 0
expect_json debug false
expect_json report_data 48656c6c6f2c20776f726c6421000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
expect_json tcb_status ConfigurationAndSWHardeningNeeded
# unix seconds work as --at too; human output names the enclave
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 1751328000
case "$OUT" in *"mrenclave"*33d8736d*"INTEL-SA-00289 INTEL-SA-00615"*) ok ;; *) bad "human output: $OUT" ;; esac

# ---- damage: each its own error --------------------------------------------
check_fail() { # STATUS RETURN CODE QUOTE [extra args]
  local st=$1 ret=$2 code=$3 q=$4; shift 4
  expect_status "$st" "$SGXRA" verify "$q" --collateral "$B01" --at "$T01" --json "$@"
  expect_json return "$ret"
  expect_json verdict SGX_QL_QV_RESULT_UNSPECIFIED
  expect_json error "$code"
  expect_err_contains "[$code]"
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
head -c 1000 "$B01/quote.bin" >"$T/short.bin"
check_fail 2 SGX_QL_QUOTE_FORMAT_UNSUPPORTED SGXRA_E_QUOTE_TRUNCATED "$T/short.bin"
check_fail 1 SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED SGXRA_E_QUOTE_CERT_DATA_TYPE \
  "$V/dcap/negative/quote_v3_ecdsa_p256_eppid.bin"
# wrong trust root: the TCB signing certificate
head -n "$(grep -n 'END CERT' "$B01/tcb_info_issuer_chain.pem" | head -1 | cut -d: -f1)" \
  "$B01/tcb_info_issuer_chain.pem" >"$T/notroot.pem"
check_fail 1 SGX_QL_PCK_CERT_CHAIN_ERROR SGXRA_E_VERIFY_TRUST_ROOT "$B01/quote.bin" --trust-root "$T/notroot.pem"
# Intel's root given explicitly is the default
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at "$T01" --trust-root "$V/dcap/Intel_SGX_Root_CA.pem"

# a TCB level's pcesvn edited: the TCB Info signature breaks
mkdir "$T/pce"
cp "$B01"/* "$T/pce/"
chmod u+w "$T/pce"/*
python3 -c 'import sys; p=sys.argv[1]; s=open(p).read(); i=s.index("\"pcesvn\":13"); open(p,"w").write(s[:i]+"\"pcesvn\":12"+s[i+11:])' "$T/pce/tcb_info.json"
expect_status 1 "$SGXRA" verify "$B01/quote.bin" --collateral "$T/pce" --at "$T01" --json
expect_json return SGX_QL_TCBINFO_CHAIN_ERROR
expect_json error SGXRA_E_TCBINFO_SIGNATURE

# another FMSPC's TCB Info: sgx-26's quote with sgx-02's collateral
B02="$BUN/sgx-02-automata-v3-2025-08"
expect_status 1 "$SGXRA" verify "$BUN/sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid/quote.bin" \
  --collateral "$B02" --at 2025-08-15T05:45:00Z --json
expect_json return SGX_QL_TCBINFO_MISMATCH
expect_json error SGXRA_E_VERIFY_TCB_INFO_MISMATCH
expect_err_contains "fmspc=30606a000000"

# past nextUpdate: still a verdict, flagged expired
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-19T10:01:18Z --json
expect_json collateral_expired true
expect_json verdict SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED
expect_status 0 "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-19T10:01:17Z --json
expect_json collateral_expired false

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
case "$OUT" in *"--trust-root"*) ok ;; *) bad "help lacks --trust-root" ;; esac

finish
