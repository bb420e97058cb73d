# CLI tests of collateral from a PCS/PCCS: `sgxra verify QUOTE --pccs URL`
# against `sgxra serve pcs` (an emulated platform: UpToDate in one command,
# then from the cache), and `sgxra collateral fetch` of a real bundle from
# tests/net/fakepcs.py (recorded PCS responses) to -o DIR, whose verdict
# with `verify --collateral DIR` is the offline bundle's.  No network: both
# servers listen on 127.0.0.1:0 and are stopped on exit.
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
S="${SGXRA_SOURCE_DIR:?}"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
AT=2026-01-01T00:00:00Z
# `serve pcs` issues its collateral at the real current time, and a
# verification time before a CRL's thisUpdate is "collateral expired" for
# Intel's verifier (QVL's two-sided validity): verify an hour from now.
LATER=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
export XDG_CACHE_HOME="$T/xdg"
unset SGXRA_CACHE SGXRA_PCCS_URL
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# ---- sgxra serve pcs + verify --pccs --------------------------------------------
expect_status 0 "$SGXRA" platform init "$T/p1" --at $AT
expect_status 0 "$SGXRA" platform quote "$T/p1" --enclave "$SO" \
  --sigstruct "$SIG" -o "$T/q.bin"
expect_status 0 "$SGXRA" platform collateral "$T/p1" -o "$T/b1" --at $AT
ROOT="$T/b1/root_ca.pem"
"$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/p1" >"$T/serve.out" 2>"$T/serve.err" &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do grep -q "listening on" "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/serve.out")
case "$URL" in http://127.0.0.1:*) ok ;; *) bad "serve pcs: $(cat "$T/serve.out" "$T/serve.err")" ;; esac

# --collateral is still required without a PCCS
expect_status 2 env SGXRA_PCCS_URL= "$SGXRA" verify "$T/q.bin" --qcnl-conf /nonexistent --trust-root "$ROOT"
expect_err_contains "SGXRA_E_IO"
expect_status 2 "$SGXRA" verify "$T/q.bin" --collateral "$T/b1" --pccs "$URL"
expect_err_contains "exclude each other"

expect_status 0 "$SGXRA" verify "$T/q.bin" --pccs "$URL" --trust-root "$ROOT" --at $LATER --json
expect_json verdict SGX_QL_QV_RESULT_OK
expect_json tcb_status UpToDate
expect_json accepted true
expect_json collateral.from_cache false
expect_json collateral.source "$URL"
expect_json collateral.http_requests 4
[ -f "$XDG_CACHE_HOME/sgxra/collateral.db" ] && ok || bad "no default cache database"
# again: from the cache, no request
expect_status 0 "$SGXRA" verify "$T/q.bin" --pccs "$URL" --trust-root "$ROOT" --at $LATER --json
expect_json collateral.from_cache true
expect_json collateral.cache store
expect_json collateral.http_requests 0
# human output names the source
expect_status 0 "$SGXRA" verify "$T/q.bin" --pccs "$URL" --trust-root "$ROOT" --at $LATER
case "$OUT" in *"collateral           $URL (store, fetched $LATER)"*) ok ;; *) bad "human source line: $OUT" ;; esac
# $SGXRA_PCCS_URL alone, no cache
expect_status 0 env SGXRA_PCCS_URL="$URL" "$SGXRA" verify "$T/q.bin" --no-cache --trust-root "$ROOT" --at $LATER --json
expect_json collateral.from_cache false
# Intel's root: the simulated collateral does not validate, no verdict
expect_status 2 "$SGXRA" verify "$T/q.bin" --pccs "$URL" --no-cache --at $LATER --json
expect_err_contains "[SGXRA_E_COLLATERAL_UNVERIFIED]"
[ -z "$OUT" ] && ok || bad "a verdict was printed: $OUT"
# a QCNL file (with Intel's // comments) names the PCCS
cat >"$T/qcnl.conf" <<CONF
{
  // PCCS server address
  "pccs_url": "$URL"
  ,"use_secure_cert": true
  ,"retry_times": 0
}
CONF
expect_status 0 "$SGXRA" verify "$T/q.bin" --qcnl-conf "$T/qcnl.conf" --no-cache --trust-root "$ROOT" --at $LATER --json
expect_json collateral.source "$URL"
printf '{"retry_times": "x"}' >"$T/bad.conf"
expect_status 2 "$SGXRA" verify "$T/q.bin" --qcnl-conf "$T/bad.conf" --trust-root "$ROOT"
expect_err_contains '"retry_times"'
# server gone, nothing cached: a network error, no verdict
kill $PIDS 2>/dev/null; wait 2>/dev/null; PIDS=""
expect_status 2 "$SGXRA" verify "$T/q.bin" --pccs "$URL" --no-cache --trust-root "$ROOT" --at $LATER
expect_err_contains "[SGXRA_E_NET_CONNECT]"

# ---- collateral fetch of real bundles from fakepcs.py ------------------------------
if ! "$SGXRA" collateral fetch --help >/dev/null 2>&1; then
  skipped "sgxra collateral is not dispatched in this build"
elif ! command -v python3 >/dev/null; then
  skipped "python3 missing: fakepcs.py cases"
else
  BUN="$V/dcap/bundles"
  python3 "$S/tests/net/fakepcs.py" --bundles "$BUN" --listen 127.0.0.1:0 >"$T/fake.out" 2>"$T/fake.err" &
  PIDS="$PIDS $!"
  for _ in $(seq 1 100); do grep -q "listening on" "$T/fake.out" 2>/dev/null && break; sleep 0.05; done
  FURL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/fake.out")
  case "$FURL" in http://127.0.0.1:*) ok ;; *) bad "fakepcs: $(cat "$T/fake.err")" ;; esac
  for c in sgx-01-phala-v3 sgx-03-dcaprs-v3-tcbinfo-v2 sgx-25-mobilecoin-2023-expired-pck-crl; do
    AT1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verification_time"])' "$BUN/$c/expected.json")
    expect_status 0 "$SGXRA" collateral fetch "$BUN/$c/quote.bin" --pccs "$FURL$c/" --no-cache --at "$AT1" -o "$T/f-$c" --json
    expect_json collateral.source "$FURL$c/sgx/certification/v4/"
    expect_json output "$T/f-$c"
    for f in tcb_info.json qe_identity.json pck_crl.der root_ca_crl.der; do
      cmp -s "$BUN/$c/$f" "$T/f-$c/$f" && ok || bad "$c: $f differs from the bundle's"
    done
    "$SGXRA" verify "$BUN/$c/quote.bin" --collateral "$BUN/$c" --at "$AT1" --json >"$T/off.json" 2>/dev/null; s1=$?
    "$SGXRA" verify "$BUN/$c/quote.bin" --collateral "$T/f-$c" --at "$AT1" --json >"$T/on.json" 2>/dev/null; s2=$?
    [ "$s1" = "$s2" ] && cmp -s "$T/off.json" "$T/on.json" && ok || bad "$c: fetched bundle's verdict differs (exit $s1/$s2)"
  done
  # a non-empty -o DIR is refused; the FMSPC form; a 404 names the PCS's error
  expect_status 2 "$SGXRA" collateral fetch "$BUN/sgx-01-phala-v3/quote.bin" --pccs "${FURL}sgx-01-phala-v3" --no-cache --at 2025-07-01T00:00:00Z -o "$T/f-sgx-01-phala-v3"
  expect_err_contains "exists and is not empty"
  expect_status 0 "$SGXRA" collateral fetch --fmspc 00a067110000 --ca processor --pccs "${FURL}sgx-01-phala-v3" --no-cache --at 2025-07-01T00:00:00Z
  case "$OUT" in *"tcb_evaluation_data_number"*) ok ;; *) bad "fetch summary: $OUT" ;; esac
  expect_status 2 "$SGXRA" collateral fetch --fmspc 00a067110001 --ca processor --pccs "${FURL}sgx-01-phala-v3" --no-cache --at 2025-07-01T00:00:00Z
  expect_err_contains "HTTP 404"
  expect_err_contains "[SGXRA_E_NET_HTTP]"
fi
finish
