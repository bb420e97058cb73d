# CLI tests of `sgxra serve sp` (the service provider over HTTP) and
# `sgxra registry token add|list|revoke` (its admin tokens): usage errors,
# start and graceful stop, the access log, /healthz and /metrics, msg0,
# the admin API with and without a token (SIGSTRUCT upload of the example
# enclave), HTTPS, a port in use.  The whole protocol is
# tests/net/test_sp.c's and tests/e2e's.  Servers listen on 127.0.0.1:0
# and are killed on exit.
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
SIG="$B/enclaves/example_enclave.sig"
B1="$V/dcap/bundles/sgx-01-phala-v3"
DB="sqlite:$T/sp.db"
export SGXRA_ACTOR=cli-test
unset SGXRA_DB SGXRA_CACHE SGXRA_PCCS_URL
PIDS=""
trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

openssl ecparam -name prime256v1 -genkey -noout -out "$T/sp.pem" 2>/dev/null
chmod 600 "$T/sp.pem"

# ---- registry token ------------------------------------------------------------
expect_status 0 "$SGXRA" registry token add ops --db "$DB"
TOKEN=$(printf '%s\n' "$OUT" | sed -n 's/^token  *\(sgxra_[A-Za-z0-9_-]*\)$/\1/p')
case "$TOKEN" in sgxra_???????????????????????????????????????????) ok ;;
  *) bad "token add printed no sgxra_ + 43 characters token: $OUT" ;; esac
expect_err_contains "shown once"
expect_status 0 "$SGXRA" registry token add ci --db "$DB" --json
expect_json name ci
expect_json revoked false
TOKEN2=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
[ "$TOKEN" != "$TOKEN2" ] && ok || bad "two tokens are the same"
expect_status 1 "$SGXRA" registry token add ops --db "$DB"
expect_err_contains SGXRA_E_STORE_DUPLICATE
expect_status 2 "$SGXRA" registry token add "a b" --db "$DB"
expect_status 2 "$SGXRA" registry token add --db "$DB"
expect_status 2 "$SGXRA" registry token frob --db "$DB"
expect_status 0 "$SGXRA" registry token list --db "$DB"
case "$OUT" in *"name=ops created_by=cli-test"*"name=ci"*) ok ;; *) bad "list: $OUT" ;; esac
case "$OUT" in *"$TOKEN"*) bad "list shows a token" ;; *) ok ;; esac
expect_status 0 "$SGXRA" registry token revoke ci --db "$DB"
expect_status 1 "$SGXRA" registry token revoke ci --db "$DB"
expect_err_contains SGXRA_E_STORE_NOT_FOUND
expect_status 0 "$SGXRA" registry token list --db "$DB" --json
expect_json tokens.0.name ops
[ "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tokens"]))')" = 1 ] && ok || bad "revoked token listed without --all: $OUT"
expect_status 0 "$SGXRA" registry token list --db "$DB" --all
case "$OUT" in *"name=ci"*"REVOKED by cli-test"*) ok ;; *) bad "list --all: $OUT" ;; esac
expect_status 0 "$SGXRA" audit list --db "$DB" --json
case "$OUT" in *token.add*token.revoke*) ok ;; *) bad "audit: $OUT" ;; esac
case "$OUT" in *"$TOKEN"*) bad "the audit log holds a token" ;; *) ok ;; esac

# ---- serve sp: usage ---------------------------------------------------------------
expect_status 0 "$SGXRA" serve sp --help
case "$OUT" in *"/ra/v1/sessions"*"--verifier URL"*"--session-ttl"*) ok ;; *) bad "help: $OUT" ;; esac
expect_status 2 "$SGXRA" serve sp --db "$DB" --collateral "$B1"
expect_err_contains "--key"
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem"
expect_err_contains "exactly one"
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" --verifier http://127.0.0.1:1/
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" --tls-cert x
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" --quote-version 5
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" --session-ttl 0
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" --listen nowhere
expect_err_contains SGXRA_E_NET_ADDRESS
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/nope.pem" --collateral "$B1"
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$SIG" --collateral "$B1"
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$T"
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" --bogus
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --collateral "$B1" extra

# ---- serve sp: running ------------------------------------------------------------
# start NAME ARGS...: a server in the background; sets PID and URL
start() {
  local name=$1; shift
  "$@" >"$T/$name.out" 2>"$T/$name.err" &
  PID=$!
  PIDS="$PIDS $PID"
  for _ in $(seq 1 200); do grep -q "listening on" "$T/$name.out" 2>/dev/null && break; sleep 0.05; done
  URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/$name.out")
  case "$URL" in http*://127.0.0.1:*/) ok ;; *) bad "$name did not start: $(cat "$T/$name.out" "$T/$name.err")" ;; esac
}

start sp "$SGXRA" serve sp --listen 127.0.0.1:0 --db "$DB" --key "$T/sp.pem" \
  --collateral "$B1" --at 2026-01-01T00:00:00Z --threads 2
out=$(python3 - "$URL" "$SIG" "$TOKEN" "$TOKEN2" <<'PYEOF' 2>&1
import json, sys, urllib.request, urllib.error
url, sig, tok, revoked = sys.argv[1:5]
def call(path, body=None, auth=None, method=None):
    rq = urllib.request.Request(url + path, data=body, method=method)
    if body is not None: rq.add_header('Content-Type', 'application/octet-stream')
    if auth: rq.add_header('Authorization', 'Bearer ' + auth)
    try:
        r = urllib.request.urlopen(rq, timeout=30)
        return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
def code(b):
    return json.loads(b)['code']
s, b = call('healthz'); print('healthz', s, b.decode())
s, b = call('ra/v1/sessions', b'\0\0\0\0'); o = json.loads(b)
print('msg0', s, len(o['session']), o['expires'] - 1767225600)
s, b = call('ra/v1/sessions', b'\1\0\0\0'); print('msg0-group', s, code(b))
s, b = call('ra/v1/sessions/' + o['session'] + '/msg3', b'\0' * 400); print('msg3-early', s, code(b))
sigb = open(sig, 'rb').read()
s, b = call('admin/v1/enclaves', sigb); print('no-token', s, code(b))
s, b = call('admin/v1/enclaves', sigb, revoked); print('revoked', s, code(b))
s, b = call('admin/v1/enclaves', sigb, tok); print('debug-signer', s, code(b))
s, b = call('admin/v1/enclaves?product=demo&allow_debug_signer=1', sigb, tok)
e = json.loads(b); print('added', s, e['source'], e['product'], e['added_by'], e['allow_debug_signer'])
s, b = call('admin/v1/enclaves'); print('list', s, len(json.loads(b)['enclaves']))
s, b = call('admin/v1/policy', b'{"sgxra_policy":1,"allow_debug":true}', tok, 'PUT')
print('policy', s, json.loads(b)['version'])
s, b = call('metrics'); t = b.decode()
print('metrics', s, 'sgxra_http_requests_total{route="/admin/v1/enclaves",status="401"} 2' in t)
PYEOF
)
expected="healthz 200 {\"status\":\"ok\"}
msg0 201 32 60
msg0-group 400 SGXRA_E_RA_GROUP
msg3-early 409 SGXRA_E_RA_STATE
no-token 401 Unauthorized
revoked 401 Unauthorized
debug-signer 403 DebugSigner
added 201 sigstruct demo token:ops True
list 200 1
policy 201 1
metrics 200 True"
[ "$out" = "$expected" ] && ok || bad "serve sp: got"$'\n'"$out"$'\n'"expected"$'\n'"$expected"$'\n'"$(cat "$T/sp.err")"
kill -TERM $PID; wait $PID; rc=$?
[ $rc -eq 0 ] && ok || bad "serve sp exit $rc after SIGTERM"
grep -q '^sp: POST /admin/v1/enclaves 401 .*admin write refused' "$T/sp.err" && ok || bad "refused write not logged: $(cat "$T/sp.err")"
grep -q '^sp: POST /admin/v1/enclaves 201 .*token=ops' "$T/sp.err" && ok || bad "write not logged with its token"
grep -q '^sp: POST /ra/v1/sessions 201 .*session=[0-9a-f]\{32\}' "$T/sp.err" && ok || bad "msg0 not logged"
grep -q 'stopped after 1[0-9] requests' "$T/sp.err" && ok || bad "no stop line: $(tail -2 "$T/sp.err")"
# the registry written over HTTP is the CLI's
expect_status 0 "$SGXRA" registry list --db "$DB" --json
expect_json enclaves.0.added_by token:ops
expect_status 0 "$SGXRA" policy show --db "$DB"

# ---- HTTPS, and a port in use ----------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1
start tls "$SGXRA" serve sp --listen 127.0.0.1:0 --db "$DB" --key "$T/sp.pem" \
  --collateral "$B1" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
case "$URL" in https://*) ok ;; *) bad "not https: $URL" ;; esac
out=$(python3 - "$URL" "$T/tls.crt" <<'PYEOF' 2>&1
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(urllib.request.urlopen(sys.argv[1] + 'healthz', context=ctx).read().decode())
PYEOF
)
[ "$out" = '{"status":"ok"}' ] && ok || bad "https healthz: $out"
PORT=${URL##*:}; PORT=${PORT%/}
TLS_PID=$PID
# the other verification modes start too (their protocol runs are
# tests/net/test_sp.c's and tests/e2e's)
start pccs "$SGXRA" serve sp --listen 127.0.0.1:0 --db "$DB" --key "$T/sp.pem" \
  --pccs http://127.0.0.1:1/ --no-cache --trust-root "$T/tls.crt" --quote-version 4 --session-ttl 5
curl -sS -o /dev/null -w '%{http_code}' --data-binary @/dev/null "${URL}ra/v1/sessions" >"$T/code" 2>&1
[ "$(cat "$T/code")" = 400 ] && ok || bad "pccs mode msg0 of 0 bytes: $(cat "$T/code")"
kill -TERM $PID; wait $PID; rc=$?
[ $rc -eq 0 ] && ok || bad "pccs mode exit $rc"
start remote "$SGXRA" serve sp --listen 127.0.0.1:0 --db "$DB" --key "$T/sp.pem" \
  --verifier http://127.0.0.1:1/ --actor sp-remote
kill -TERM $PID; wait $PID; rc=$?
[ $rc -eq 0 ] && ok || bad "verifier mode exit $rc"
expect_status 2 "$SGXRA" serve sp --db "$DB" --key "$T/sp.pem" --verifier http://127.0.0.1:1/ --trust-root "$T/tls.crt"
PID=$TLS_PID
expect_status 2 "$SGXRA" serve sp --listen "127.0.0.1:$PORT" --db "$DB" --key "$T/sp.pem" --collateral "$B1"
expect_err_contains SGXRA_E_NET_LISTEN
kill -TERM $PID; wait $PID; rc=$?
[ $rc -eq 0 ] && ok || bad "https server exit $rc"

finish
