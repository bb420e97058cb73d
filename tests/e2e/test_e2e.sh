# End-to-end test of remote attestation with real processes on loopback:
# the simulated PCS (`serve pcs`), the attestation service (`serve
# verifier`) and the service provider (`serve sp`), each its own process on
# 127.0.0.1:0; the ISV's SIGSTRUCT registered through the admin API; the
# client (`sgxra client attest`) on an emulated platform.  Checks the good
# path (the secret reaches the enclave and only it can unseal it) and each
# refusal with its own reason code:
#   tampered enclave        exit 2  SGXRA_E_EMU_MRENCLAVE_MISMATCH (EINIT)
#   another signer          exit 1  MRSIGNER_MISMATCH
#   debug build             exit 1  DEBUG_ENCLAVE
#   forged REPORT           exit 2  SGXRA_E_QE_REPORT_MAC (the QE)
#   rogue QE                exit 1  QUOTE_NOT_GENUINE (QE Identity)
#   replayed msg3           exit 2  SGXRA_E_RA_REPLAY (HTTP 409)
#   MITM swaps Gb           exit 2  SGXRA_E_RA_SIGNATURE (the enclave)
#   MITM alters the quote   exit 2  SGXRA_E_RA_MAC (HTTP 403)
#   denied MRENCLAVE        exit 1  MRENCLAVE_DENIED
# and that a restart of the SP between registration and attestation loses
# nothing.
#
# usage: test_e2e.sh sqlite|postgresql
#   postgresql: TWO SP replicas share one PostgreSQL database (a schema of
#   the ctest `pg` fixture's cluster); msg0/msg1 go to one, msg3 to the
#   other, and the replay goes to the replica that did not take msg3.
# Every server is stopped by the EXIT trap, also on failure; each client
# call is bounded by `timeout`.
. "$(dirname "$0")/../cli/lib.sh"
BACKEND=${1:?usage: test_e2e.sh sqlite|postgresql}
B="${SGXRA_BUILD_DIR:?}"
S="${SGXRA_SOURCE_DIR:?}"
E="$B/enclaves"
SO="$E/example_enclave.so"
SIG="$E/example_enclave.sig"
SPKEY="$S/enclaves/demo_sp_key.pem"
export SGXRA_ACTOR=e2e XDG_CACHE_HOME="$T/xdg" XDG_DATA_HOME="$T/xdg"
unset SGXRA_DB SGXRA_CACHE SGXRA_PCCS_URL
TO="timeout 120"

PIDS=""
SCHEMA=""
PGURL=""
stop_all() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  for p in $PIDS; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  PIDS=""
}
cleanup() {
  stop_all
  [ -n "$SCHEMA" ] && psql "$PGURL" -qc "SET client_min_messages = warning; DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1
  rm -rf "$T"
}
trap cleanup EXIT

case "$BACKEND" in
  sqlite) DB="sqlite:$T/sp.db" ;;
  postgresql)
    PGURL="${SGXRA_TEST_PG_URL:-}"
    [ -z "$PGURL" ] && [ -s "$B/pg-cluster.url" ] && PGURL=$(head -n1 "$B/pg-cluster.url")
    if [ -z "$PGURL" ]; then
      if [ "${SGXRA_REQUIRE_PG:-0}" = 1 ]; then
        bad "no PostgreSQL server (SGXRA_REQUIRE_PG=1)"
        finish
      fi
      echo "skipped: no PostgreSQL server for this run"
      exit 77
    fi
    SCHEMA="e2e_$$"
    psql "$PGURL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null || { bad "CREATE SCHEMA failed"; finish; }
    case "$PGURL" in *\?*) DB="$PGURL&options=-csearch_path%3D$SCHEMA" ;; *) DB="$PGURL?options=-csearch_path%3D$SCHEMA" ;; esac
    ;;
  *) echo "usage: test_e2e.sh sqlite|postgresql" >&2; exit 2 ;;
esac

# start NAME CMD...: a server in the background; sets PID and URL
start() {
  local name=$1; shift
  "$@" >"$T/$name.out" 2>"$T/$name.log" &
  PID=$!
  PIDS="$PIDS $PID"
  URL=""
  for _ in $(seq 400); do
    kill -0 "$PID" 2>/dev/null || break
    URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/$name.out")
    [ -n "$URL" ] && break
    sleep 0.05
  done
  case "$URL" in
    http://127.0.0.1:*/) ok ;;
    *) bad "$name did not start: $(cat "$T/$name.out" "$T/$name.log")"; finish ;;
  esac
}
# start_sp NAME: an SP replica on $DB
start_sp() {
  start "$1" "$SGXRA" serve sp --listen 127.0.0.1:0 --db "$DB" --key "$SPKEY" \
    --verifier "$VERIFIER" --threads 2
}
# field FILE KEY: a value of a JSON file ("a.b" for nested keys)
field() {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(json.dumps(v) if isinstance(v,(bool,list,dict)) or v is None else v)' "$1" "$2" 2>/dev/null
}
# admin METHOD PATH CURL_ARGS...: the SP's admin API on SP A; $HTTP, $T/admin.json
admin() {
  local method=$1 path=$2; shift 2
  HTTP=$($TO curl -sS -o "$T/admin.json" -w '%{http_code}' -X "$method" "$@" "${SPA%/}$path")
}
# attest NAME WANT_RC ARGS...: sgxra client attest --json; $T/NAME.json
n_attest=0
attest() {
  local name=$1 want=$2; shift 2
  n_attest=$((n_attest + 1))
  local extra=()
  [ -n "$SPB" ] && extra=(--msg3-sp "$SPB")
  $TO "$SGXRA" client attest --sp "$SPA" "${extra[@]}" "$@" --json >"$T/$name.json" 2>"$T/$name.err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$name: exit $got (want $want): $(cat "$T/$name.err")"; fi
}
# expect_reason NAME CODE: CODE among the reasons of attestation NAME
expect_reason() {
  local r
  r=$(field "$T/$1.json" reasons)
  case "$r" in *"\"$2\""*) ok ;; *) bad "$1: reasons $r, want $2" ;; esac
}
# expect_code NAME CODE: the error code of attestation NAME
expect_code() {
  local c
  c=$(field "$T/$1.json" error.code)
  [ "$c" = "$2" ] && ok || bad "$1: error code '$c', want $2 ($(cat "$T/$1.err"))"
}

# ---- the services --------------------------------------------------------------
"$SGXRA" platform init "$T/platform" >/dev/null && ok || bad "platform init"
"$SGXRA" platform collateral "$T/platform" -o "$T/bundle" >/dev/null && ok || bad "platform collateral"
ROOT="$T/bundle/root_ca.pem"
start pcs "$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/platform/ca"
PCS=$URL
start verifier "$SGXRA" serve verifier --listen 127.0.0.1:0 --state "$T/verifier" \
  --pccs "$PCS" --trust-root "$ROOT" --cache "sqlite:$T/cache.db" --threads 2
VERIFIER=$URL
start_sp spa
SPA=$URL
SPA_PID=$PID
SPB=""
if [ "$BACKEND" = postgresql ]; then
  start_sp spb
  SPB=$URL
fi

# ---- registration through the admin API ------------------------------------------
SGXRA_DB="$DB" "$SGXRA" registry token add e2e-admin --json >"$T/token.json" 2>"$T/token.err" && ok ||
  bad "registry token add: $(cat "$T/token.err")"
TOKEN=$(field "$T/token.json" token)
[ -n "$TOKEN" ] && ok || bad "no token in $(cat "$T/token.json")"
MRENCLAVE=$("$SGXRA" inspect "$SIG" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
admin POST "/admin/v1/enclaves?product=e2e&allow_debug_signer=1" \
  -H "Content-Type: application/octet-stream" --data-binary @"$SIG"
[ "$HTTP" = 401 ] && ok || bad "upload without a token: HTTP $HTTP, want 401"
admin POST "/admin/v1/enclaves?product=e2e&allow_debug_signer=1" -H "Authorization: Bearer wrong" \
  -H "Content-Type: application/octet-stream" --data-binary @"$SIG"
[ "$HTTP" = 401 ] && ok || bad "upload with a bad token: HTTP $HTTP, want 401"
admin POST "/admin/v1/enclaves?product=e2e&allow_debug_signer=1" -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/octet-stream" --data-binary @"$SIG"
[ "$HTTP" = 201 ] && ok || bad "upload: HTTP $HTTP, want 201: $(cat "$T/admin.json")"
[ "$(field "$T/admin.json" mrenclave)" = "$MRENCLAVE" ] && ok || bad "registered mrenclave: $(cat "$T/admin.json")"
SECRET="e2e secret $BACKEND $$ $(date +%s%N)"
admin PUT /admin/v1/secrets -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data "{\"mrenclave\": \"$MRENCLAVE\", \"secret\": \"$(printf '%s' "$SECRET" | base64 -w0)\"}"
[ "$HTTP" = 200 ] && ok || bad "secret: HTTP $HTTP, want 200: $(cat "$T/admin.json")"
HTTP=$($TO curl -sS -o "$T/secrets.json" -w '%{http_code}' "${SPA%/}/admin/v1/secrets")
[ "$HTTP" = 200 ] && ok || bad "GET secrets: HTTP $HTTP"
grep -qF "$SECRET" "$T/secrets.json" && bad "the secrets listing shows the value" || ok

# ---- a restart of the SP between registration and attestation loses nothing -------
kill "$SPA_PID"
wait "$SPA_PID"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "SP A did not stop cleanly on SIGTERM (exit $rc)"
PIDS=$(echo "$PIDS" | sed "s/\b$SPA_PID\b//")
start_sp spa2
SPA=$URL

# ---- the good path ----------------------------------------------------------------
"$SGXRA" platform init "$T/client" --ca "$T/platform/ca" >/dev/null && ok || bad "client platform init"
attest good 0 --platform "$T/client" --enclave "$SO" --sigstruct "$SIG" -o "$T/sealed.bin" --save-msg3 "$T/msg3.bin"
[ "$(field "$T/good.json" decision)" = trusted ] && ok || bad "good: decision $(field "$T/good.json" decision)"
[ "$(field "$T/good.json" reasons)" = "[]" ] && ok || bad "good: reasons $(field "$T/good.json" reasons)"
[ -s "$T/sealed.bin" ] && ok || bad "good: no sealed secret"
grep -qF "$SECRET" "$T/sealed.bin" && bad "the sealed file holds the secret in clear" || ok
[ -s "$T/msg3.bin" ] && ok || bad "good: --save-msg3 wrote nothing"
GOT=$($TO "$SGXRA" client unseal --platform "$T/client" --enclave "$SO" --sigstruct "$SIG" "$T/sealed.bin")
[ "$GOT" = "$SECRET" ] && ok || bad "unseal: '$GOT', want '$SECRET'"
# another platform, or another enclave, cannot open it
"$SGXRA" platform init "$T/other" --ca "$T/platform/ca" >/dev/null
$TO "$SGXRA" client unseal --platform "$T/other" --enclave "$SO" --sigstruct "$SIG" "$T/sealed.bin" >/dev/null 2>&1
[ $? -ne 0 ] && ok || bad "another platform unsealed the secret"
# the steps, in order
steps=$(python3 -c 'import json,sys; print(" ".join(s["step"] for s in json.load(open(sys.argv[1]))["steps"]))' "$T/good.json")
[ "$steps" = "session msg1 msg2 report quote msg3 msg4 done" ] && ok || bad "good: steps '$steps'"
# the audit log names the decision
SGXRA_DB="$DB" "$SGXRA" audit verify >/dev/null 2>&1 && ok || bad "audit chain does not verify"

# ---- refusals, each with its own reason ---------------------------------------------
cp "$SO" "$T/tampered.so"
OFF=$(python3 - "$SO" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<Q", d, 32); phentsize, phnum = struct.unpack_from("<HH", d, 54)
for i in range(phnum):
    t, flags, off, va, pa, fsz = struct.unpack_from("<IIQQQQ", d, phoff + i * phentsize)
    if t == 1 and flags & 1:
        print(off + fsz // 2); break
PY
)
python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); d = bytearray(open(p, "rb").read()); d[o] ^= 1; open(p, "wb").write(d)' "$T/tampered.so" "$OFF"
attest tampered 2 --platform "$T/client" --enclave "$T/tampered.so" --sigstruct "$SIG"
expect_code tampered SGXRA_E_EMU_MRENCLAVE_MISMATCH

attest other 1 --platform "$T/client" --enclave "$SO" --sigstruct "$E/example_enclave.other.sig"
expect_reason other MRSIGNER_MISMATCH

attest debug 1 --platform "$T/client" --enclave "$SO" --sigstruct "$E/example_enclave.debug.sig"
expect_reason debug DEBUG_ENCLAVE

attest forge 2 --platform "$T/client" --enclave "$E/forge_enclave.so" --sigstruct "$E/forge_enclave.sig"
expect_code forge SGXRA_E_QE_REPORT_MAC

if "$SGXRA" platform init "$T/rogue" --ca "$T/platform/ca" --qe-signing-key "$S/enclaves/other_signing_key.pem" >/dev/null 2>"$T/rogue.init.err"; then
  ok
  attest rogue 1 --platform "$T/rogue" --enclave "$SO" --sigstruct "$SIG"
  expect_reason rogue QUOTE_NOT_GENUINE
else
  bad "platform init --qe-signing-key: $(cat "$T/rogue.init.err")"
fi

# the replay goes to the replica that did not take the original msg3 (A
# with two replicas), and to the same one with one
SESSION=$(field "$T/good.json" session)
$TO "$SGXRA" client replay-msg3 --sp "$SPA" --session "$SESSION" "$T/msg3.bin" --json >"$T/replay.json" 2>"$T/replay.err"
rc=$?
[ "$rc" -eq 2 ] && ok || bad "replay: exit $rc, want 2"
[ "$(field "$T/replay.json" code)" = SGXRA_E_RA_REPLAY ] && ok || bad "replay: $(cat "$T/replay.json" "$T/replay.err")"
[ "$(field "$T/replay.json" http_status)" = 409 ] && ok || bad "replay: HTTP $(field "$T/replay.json" http_status), want 409"

attest mitm-gb 2 --platform "$T/client" --enclave "$SO" --sigstruct "$SIG" --tamper gb
expect_code mitm-gb SGXRA_E_RA_SIGNATURE
attest mitm-quote 2 --platform "$T/client" --enclave "$SO" --sigstruct "$SIG" --tamper quote
expect_code mitm-quote SGXRA_E_RA_MAC
[ "$(field "$T/mitm-quote.json" error.http_status)" = 403 ] && ok || bad "mitm-quote: HTTP $(field "$T/mitm-quote.json" error.http_status), want 403"

# the SP still serves after all of that
attest good2 0 --platform "$T/client" --enclave "$SO" --sigstruct "$SIG" -o "$T/sealed2.bin"

admin POST /admin/v1/deny -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data "{\"mrenclave\": \"$MRENCLAVE\", \"reason\": \"e2e: withdrawn\"}"
[ "$HTTP" = 201 ] && ok || bad "deny: HTTP $HTTP, want 201: $(cat "$T/admin.json")"
attest denied 1 --platform "$T/client" --enclave "$SO" --sigstruct "$SIG"
expect_reason denied MRENCLAVE_DENIED
[ "$(field "$T/denied.json" sealed)" = null ] && ok || bad "denied: a secret was sealed"

# HTTPS: an SP replica with a certificate; the client trusts it with
# --ca-file, and refuses it without (SQLite run only: the transport does
# not depend on the store)
if [ "$BACKEND" = sqlite ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$T/tls.key" -out "$T/tls.crt" -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 && ok || bad "openssl req"
  "$SGXRA" serve sp --listen 127.0.0.1:0 --db "$DB" --key "$SPKEY" --verifier "$VERIFIER" \
    --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" --threads 2 >"$T/sptls.out" 2>"$T/sptls.log" &
  PIDS="$PIDS $!"
  TLSURL=""
  for _ in $(seq 400); do
    TLSURL=$(sed -n 's/^listening on \(https[^ ]*\)$/\1/p' "$T/sptls.out")
    [ -n "$TLSURL" ] && break
    sleep 0.05
  done
  case "$TLSURL" in https://127.0.0.1:*/) ok ;; *) bad "TLS SP did not start: $(cat "$T/sptls.out" "$T/sptls.log")" ;; esac
  # the deny entry above refuses this enclave: the TLS run must reach the SP
  # and get that decision
  $TO "$SGXRA" client attest --sp "$TLSURL" --ca-file "$T/tls.crt" --platform "$T/client" \
    --enclave "$SO" --sigstruct "$SIG" --json >"$T/tls.json" 2>"$T/tls.err"
  rc=$?
  [ "$rc" -eq 1 ] && ok || bad "TLS attest: exit $rc, want 1: $(cat "$T/tls.err")"
  expect_reason tls MRENCLAVE_DENIED
  $TO "$SGXRA" client attest --sp "$TLSURL" --platform "$T/client" \
    --enclave "$SO" --sigstruct "$SIG" --json >"$T/tls2.json" 2>"$T/tls2.err"
  rc=$?
  [ "$rc" -eq 2 ] && ok || bad "TLS without --ca-file: exit $rc, want 2"
  expect_code tls2 SGXRA_E_NET_TLS
fi

# with two replicas, both served: each log has msg requests
if [ -n "$SPB" ]; then
  grep -q "msg3" "$T/spb.log" && ok || bad "replica B served no msg3: $(tail -3 "$T/spb.log")"
  grep -q "msg1" "$T/spa2.log" && ok || bad "replica A served no msg1"
fi

stop_all
echo "$BACKEND: $n_attest attestations"
finish
