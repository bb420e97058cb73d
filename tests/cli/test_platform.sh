# CLI tests of `sgxra platform` and `sgxra serve pcs`: the output contract
# of issue 4 end to end with `sgxra verify` against the simulated CA's root.
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
AT=2026-01-01T00:00:00Z
LATER=2026-01-02T00:00:00Z
CUR=12,12,3,3,255,255,1,0,3,0,0,0,0,0,0,0
OLD=11,11,3,3,255,255,1,0,3,0,0,0,0,0,0,0

# ---- help on every verb -------------------------------------------------------
for v in "platform --help" "platform init --help" "platform quote -h" \
  "platform collateral --help" "platform revoke --help" \
  "platform tcb-recovery --help" "serve --help" "serve pcs --help"; do
  expect_status 0 "$SGXRA" $v
  case "$OUT" in *usage:*) ok ;; *) bad "no usage text for '$v'" ;; esac
done

# ---- init ---------------------------------------------------------------------
expect_status 0 "$SGXRA" platform init "$T/p1" --at $AT --json
expect_json fmspc 00906ED50000
expect_json pcesvn 13
expect_json tcb_evaluation_number 1
expect_status 2 "$SGXRA" platform init "$T/p1" --at $AT
expect_err_contains "[SGXRA_E_EMU_STATE_EXISTS]"
expect_status 2 "$SGXRA" platform init "$T/p9" --tcb-svns $OLD
expect_err_contains "try 'sgxra platform init --help'"
expect_status 2 "$SGXRA" platform init "$T/p9" --tcb-svns 1,2,3 --pcesvn 13
expect_err_contains "16 numbers"
expect_status 2 "$SGXRA" platform init "$T/p9" --fmspc 0090
expect_status 2 "$SGXRA" platform frobnicate "$T/p1"
expect_err_contains "unknown sub-command"

# ---- quote + collateral + verify: UpToDate ------------------------------------
RD=00112233445566778899aabbccddeeff
expect_status 0 "$SGXRA" platform quote "$T/p1" --enclave "$SO" \
  --sigstruct "$SIG" --report-data $RD -o "$T/q3.bin" --json
expect_json isvprodid 1
expect_json isvsvn 2
MRE=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
expect_status 0 "$SGXRA" platform quote "$T/p1" --enclave "$SO" \
  --sigstruct "$SIG" --version 4 -o "$T/q4.bin"
expect_status 0 "$SGXRA" platform collateral "$T/p1" -o "$T/b1" --at $AT
for f in pck_crl.der pck_crl_issuer_chain.pem root_ca_crl.der tcb_info.json \
  tcb_info_issuer_chain.pem qe_identity.json qe_identity_issuer_chain.pem \
  root_ca.pem; do
  [ -s "$T/b1/$f" ] && ok || bad "bundle lacks $f"
done
expect_status 0 "$SGXRA" verify "$T/q3.bin" --collateral "$T/b1" \
  --trust-root "$T/b1/root_ca.pem" --at $LATER --json
expect_json return SGX_QL_SUCCESS
expect_json verdict SGX_QL_QV_RESULT_OK
expect_json tcb_status UpToDate
expect_json mrenclave "$MRE"
expect_json report_data "${RD}$(printf '0%.0s' $(seq 1 96))"
expect_status 0 "$SGXRA" verify "$T/q4.bin" --collateral "$T/b1" \
  --trust-root "$T/b1/root_ca.pem" --at $LATER --json
expect_json quote_version 4
expect_json verdict SGX_QL_QV_RESULT_OK
# Intel's root is not the trust root of an emulated quote
expect_status 1 "$SGXRA" verify "$T/q3.bin" --collateral "$T/b1" \
  --trust-root "$V/dcap/Intel_SGX_Root_CA.pem" --at $LATER --json

# the same enclave re-signed with another key: it loads, with the same
# MRENCLAVE and another MRSIGNER
expect_status 0 "$SGXRA" sign --key "$V/identity/fortanix-rust-sgx/sig1.key.pem" \
  --isvprodid 1 --isvsvn 2 "$SO" -o "$T/other.sig"
expect_status 0 "$SGXRA" platform quote "$T/p1" --enclave "$SO" \
  --sigstruct "$T/other.sig" -o "$T/q_other.bin" --json
expect_json mrenclave "$MRE"
expect_json mrsigner 83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e

# ---- quote usage and refusals -------------------------------------------------
expect_status 2 "$SGXRA" platform quote "$T/p1" --sigstruct "$SIG" -o "$T/x"
expect_err_contains "try 'sgxra platform quote --help'"
expect_status 2 "$SGXRA" platform quote "$T/p1" --enclave "$SO" \
  --sigstruct "$SIG" --version 5 -o "$T/x"
expect_status 2 "$SGXRA" platform quote "$T/p1" --enclave "$SO" \
  --sigstruct "$SIG" --report-data "$RD$RD$RD$RD$RD" -o "$T/x"
# a tampered enclave (one byte) is refused by EINIT
cp "$SO" "$T/tampered.so"
python3 - "$T/tampered.so" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[0x1000 if len(b) > 0x1000 else 64] ^= 1
open(p, 'wb').write(b)
EOF
expect_status 2 "$SGXRA" platform quote "$T/p1" --enclave "$T/tampered.so" \
  --sigstruct "$SIG" -o "$T/x"
expect_err_contains "[SGXRA_E_EMU_MRENCLAVE_MISMATCH]"
[ ! -e "$T/x" ] && ok || bad "a refused quote was written"
expect_status 2 "$SGXRA" platform quote "$T/nothing" --enclave "$SO" \
  --sigstruct "$SIG" -o "$T/x"
expect_err_contains "[SGXRA_E_EMU_STATE]"

# ---- an outdated platform under the same CA -----------------------------------
expect_status 0 "$SGXRA" platform init "$T/p2" --ca "$T/p1/ca" \
  --tcb-svns $OLD --pcesvn 13 --at $AT
expect_status 0 "$SGXRA" platform quote "$T/p2" --enclave "$SO" \
  --sigstruct "$SIG" -o "$T/q_old.bin"
expect_status 0 "$SGXRA" platform collateral "$T/p2" -o "$T/b2" --at $AT
# (verify fails closed: an OutOfDate platform exits 1 unless accepted)
expect_status 1 "$SGXRA" verify "$T/q_old.bin" --collateral "$T/b2" \
  --trust-root "$T/b2/root_ca.pem" --at $LATER --json
expect_json verdict SGX_QL_QV_RESULT_OUT_OF_DATE
expect_json tcb_status OutOfDate
expect_json reasons.0.code TCB_STATUS_NOT_ACCEPTED
expect_status 0 "$SGXRA" verify "$T/q_old.bin" --collateral "$T/b2" \
  --trust-root "$T/b2/root_ca.pem" --at $LATER --accept-status OutOfDate

# ---- TCB recovery, then revocation --------------------------------------------
expect_status 0 "$SGXRA" platform tcb-recovery "$T/p1"
expect_status 0 "$SGXRA" platform collateral "$T/p1" -o "$T/b3" --at $AT
expect_status 1 "$SGXRA" verify "$T/q3.bin" --collateral "$T/b3" \
  --trust-root "$T/b3/root_ca.pem" --at $LATER --json
expect_json verdict SGX_QL_QV_RESULT_OUT_OF_DATE
expect_json reasons.0.code TCB_STATUS_NOT_ACCEPTED
expect_status 0 "$SGXRA" platform revoke "$T/p1" --at $AT
expect_status 0 "$SGXRA" platform collateral "$T/p1" -o "$T/b4" --at $AT
expect_status 1 "$SGXRA" verify "$T/q3.bin" --collateral "$T/b4" \
  --trust-root "$T/b4/root_ca.pem" --at $LATER --json
expect_json return SGX_QL_PCK_REVOKED
# the other platform's PCK is not revoked
expect_status 0 "$SGXRA" verify "$T/q_old.bin" --collateral "$T/b4" \
  --trust-root "$T/b4/root_ca.pem" --at $LATER --json --accept-status OutOfDate

# ---- serve pcs ------------------------------------------------------------------
expect_status 2 "$SGXRA" serve pcs --listen nohost --state "$T/p1"
expect_err_contains "[SGXRA_E_NET_ADDRESS]"
expect_status 2 "$SGXRA" serve pcs --listen 127.0.0.1:0
expect_err_contains "--state"
expect_status 2 "$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/nothing"
expect_err_contains "[SGXRA_E_CA_STATE]"
"$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/p1" >"$T/serve.out" 2>"$T/serve.err" &
SPID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/serve.out")
case "$URL" in http://127.0.0.1:*/sgx/certification/v4/) ok ;; *) bad "no listening line: $(cat "$T/serve.out" "$T/serve.err")" ;; esac
http() { # http PATH -> "STATUS HEADERVALUE-PREFIX"
  python3 - "$URL$1" <<'EOF'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=10)
    body = r.read()
    print(r.status, (r.headers.get('TCB-Info-Issuer-Chain') or '')[:24], body[:11].decode('latin1'))
except urllib.error.HTTPError as e:
    print(e.code)
EOF
}
got=$(http "tcb?fmspc=00906ED50000")
[ "$got" = "200 -----BEGIN%20CERTIFICATE {\"tcbInfo\":" ] && ok || bad "tcb: $got"
got=$(http "tcb?fmspc=112233445566")
[ "$got" = "404" ] && ok || bad "unknown fmspc: $got"
got=$(http "pckcrl?ca=platform&encoding=der")
case "$got" in "200 "*) ok ;; *) bad "pckcrl: $got" ;; esac
got=$(http "qe/identity")
case "$got" in *'{"enclaveId'*) ok ;; *) bad "qe/identity: $got" ;; esac
kill -TERM $SPID
wait $SPID
rc=$?
[ $rc -eq 0 ] && ok || bad "serve pcs exit $rc after SIGTERM"
finish
