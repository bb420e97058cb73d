# CLI tests of a platform certified by the simulated PCK Processor CA
# (`platform init --pck-ca processor`) and of `sgxra serve pcs`'s new
# routes, request log, SIGHUP and SIGTERM.
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
AT=2026-01-01T00:00:00Z
LATER=2026-01-02T00:00:00Z

expect_status 2 "$SGXRA" platform init "$T/p9" --pck-ca cpu --at $AT
expect_err_contains "--pck-ca"

# ---- a platform whose PCK the Processor CA issued -----------------------------
expect_status 0 "$SGXRA" platform init "$T/px" --pck-ca processor --at $AT --json
expect_json pck_ca processor
python3 - "$T/px/pck_chain.pem" <<'EOF' && ok || bad "PCK chain of --pck-ca processor"
import sys, subprocess
pems = open(sys.argv[1]).read().split('-----END CERTIFICATE-----')
def cn(pem, which):
    out = subprocess.run(['openssl', 'x509', '-noout', '-' + which],
                         input=pem + '-----END CERTIFICATE-----\n',
                         capture_output=True, text=True).stdout
    return out
assert 'sgxra TEST SGX PCK Processor CA' in cn(pems[0], 'issuer'), cn(pems[0], 'issuer')
assert 'sgxra TEST SGX PCK Processor CA' in cn(pems[1], 'subject')
EOF
expect_status 0 "$SGXRA" platform quote "$T/px" --enclave "$SO" \
  --sigstruct "$SIG" -o "$T/qx.bin"
expect_status 0 "$SGXRA" platform collateral "$T/px" -o "$T/bx" --at $AT
grep -q "" "$T/bx/pck_crl_issuer_chain.pem" && \
  openssl x509 -noout -subject -in "$T/bx/pck_crl_issuer_chain.pem" | \
  grep -q "PCK Processor CA" && ok || bad "bundle's PCK CRL chain is not the Processor CA's"
openssl crl -inform DER -noout -issuer -in "$T/bx/pck_crl.der" | \
  grep -q "PCK Processor CA" && ok || bad "bundle's PCK CRL is not the Processor CA's"
expect_status 0 "$SGXRA" verify "$T/qx.bin" --collateral "$T/bx" \
  --trust-root "$T/bx/root_ca.pem" --at $LATER --json
expect_json verdict SGX_QL_QV_RESULT_OK
expect_json tcb_status UpToDate

# a platform-CA platform under the same CA: its bundle has the Platform CA's
# CRL, and the processor platform's quote does not verify with it
expect_status 0 "$SGXRA" platform init "$T/pp" --ca "$T/px/ca" --at $AT
expect_status 0 "$SGXRA" platform collateral "$T/pp" -o "$T/bp" --at $AT
openssl crl -inform DER -noout -issuer -in "$T/bp/pck_crl.der" | \
  grep -q "PCK Platform CA" && ok || bad "platform bundle's CRL"
expect_status 1 "$SGXRA" verify "$T/qx.bin" --collateral "$T/bp" \
  --trust-root "$T/bp/root_ca.pem" --at $LATER

# revoking the processor platform: its CRL lists it, verify refuses
expect_status 0 "$SGXRA" platform revoke "$T/px" --at $AT
expect_status 0 "$SGXRA" platform collateral "$T/px" -o "$T/bx2" --at $AT
expect_status 1 "$SGXRA" verify "$T/qx.bin" --collateral "$T/bx2" \
  --trust-root "$T/bx2/root_ca.pem" --at $LATER --json
expect_json return SGX_QL_PCK_REVOKED

# ---- serve pcs: new routes, log, SIGHUP, SIGTERM --------------------------------
"$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/px" >"$T/serve.out" 2>"$T/serve.err" &
SPID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/serve.out")
case "$URL" in http://127.0.0.1:*/sgx/certification/v4/) ok ;; *) bad "no listening line: $(cat "$T/serve.out" "$T/serve.err")" ;; esac
http() { # http PATH -> "STATUS Request-ID? Error-Code BODY-PREFIX"
  python3 - "$URL$1" <<'EOF'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=10)
    body = r.read()
    print(r.status, len(r.headers.get('Request-ID') or ''), body[:12].decode('latin1'))
except urllib.error.HTTPError as e:
    print(e.code, len(e.headers.get('Request-ID') or ''), e.headers.get('Error-Code'))
EOF
}
got=$(http "fmspcs")
[ "$got" = '200 32 [{"fmspc":"0' ] && ok || bad "fmspcs: $got"
got=$(http "qve/identity")
[ "$got" = '200 32 {"enclaveIde' ] && ok || bad "qve/identity: $got"
got=$(http "pckcrl?ca=processor")
[ "$got" = '200 32 -----BEGIN X' ] && ok || bad "pckcrl processor: $got"
got=$(http "tcb?fmspc=00906ED50000&update=late")
[ "$got" = '400 32 InvalidRequestSyntax' ] && ok || bad "bad update: $got"
got=$(http "pckcert?encrypted_ppid=00&cpusvn=00&pcesvn=0000&pceid=0000")
[ "$got" = '400 32 InvalidRequestSyntax' ] && ok || bad "bad pckcert: $got"
got=$(http "nothing")
[ "$got" = '404 32 NotFound' ] && ok || bad "unknown path: $got"
grep -q "^pcs: GET /sgx/certification/v4/fmspcs 200 [0-9]* [0-9.]*ms$" "$T/serve.err" \
  && ok || bad "no request log line: $(cat "$T/serve.err")"
kill -HUP $SPID
sleep 0.2
got=$(http "fmspcs")
[ "$got" = '200 32 [{"fmspc":"0' ] && ok || bad "fmspcs after SIGHUP: $got"
grep -q "SIGHUP" "$T/serve.err" && ok || bad "SIGHUP not reported"
kill -TERM $SPID
wait $SPID
rc=$?
[ $rc -eq 0 ] && ok || bad "serve pcs exit $rc after SIGTERM"
# start + the SIGHUP above
grep -q "stopping on signal 15 after [0-9]* requests (2 signed sets prepared)" \
  "$T/serve.err" && ok || bad "stop line: $(tail -1 "$T/serve.err")"

# ---- serve pcs: limits --------------------------------------------------------
expect_status 2 "$SGXRA" serve pcs --state "$T/px" --idle-timeout 3601
expect_err_contains "--idle-timeout '3601': out of range"
expect_status 2 "$SGXRA" serve pcs --state "$T/px" --per-ip 0
expect_err_contains "--per-ip"
expect_status 2 "$SGXRA" serve pcs --state "$T/px" --max-connections x
expect_err_contains "--max-connections"
# a hard open-file limit below --max-connections: the limit is lowered to fit
(ulimit -n 300 && exec "$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/px") \
  >"$T/lim.out" 2>"$T/lim.err" &
LPID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/lim.out" 2>/dev/null && break; sleep 0.05; done
grep -q "open-file limit is 300 (ulimit -n): serving at most 236 connections at once instead of 4096" \
  "$T/lim.err" && ok || bad "no fd-limit notice: $(cat "$T/lim.err")"
grep -q "listening on" "$T/lim.out" && ok || bad "serve pcs under ulimit -n 300 did not start"
kill -TERM $LPID
wait $LPID
finish
