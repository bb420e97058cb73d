# CLI tests of `sgxra serve verifier`, the attestation service over HTTP:
# every real bundle through POST /v1/attest (the token's claims are
# `sgxra verify --json`'s verdict, TCB status and advisories; the JWT is
# checked with Python's standard library and the openssl command, not
# sgxra), an emulated platform's quote through `serve pcs` and a cache,
# nonces, Intel's v5 report checked as Intel's sample service provider
# did, bad requests of every kind, a burst of 10,000 requests over 64
# connections (RSS reported, bounded), SIGTERM with a request in flight,
# and /metrics.  Servers listen on 127.0.0.1:0 and are killed on exit.
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
LG="$B/sgxra_loadgen"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
AT=2026-01-01T00:00:00Z
export XDG_CACHE_HOME="$T/xdg"
unset SGXRA_CACHE SGXRA_PCCS_URL
PIDS=""
trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# start NAME ARGS...: a server in the background; sets PID and URL
start() {
  local name=$1; shift
  "$@" >"$T/$name.out" 2>"$T/$name.err" &
  PID=$!
  PIDS="$PIDS $PID"
  for _ in $(seq 1 200); do grep -q "listening on" "$T/$name.out" 2>/dev/null && break; sleep 0.05; done
  URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/$name.out")
  case "$URL" in http://127.0.0.1:*/) ok ;; *) bad "$name did not start: $(cat "$T/$name.out" "$T/$name.err")" ;; esac
}

cat >"$T/client.py" <<'PYEOF'
# The test's client: standard library + the openssl command only.
import base64, json, subprocess, sys, os, socket, time, urllib.request, urllib.error, urllib.parse
T = os.environ['T']

def call(url, body=None, ctype='application/json', method=None):
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    rq = urllib.request.Request(url, data=data, method=method)
    if data is not None and ctype:
        rq.add_header('Content-Type', ctype)
    try:
        r = urllib.request.urlopen(rq, timeout=30)
        return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

def b64u(s):
    return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))

def der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n])

def der_int(b):
    b = b.lstrip(b'\0') or b'\0'
    if b[0] & 0x80: b = b'\0' + b
    return b'\x02' + der_len(len(b)) + b

def openssl_verify(pub_pem, sig_der, data, tag):
    for name, content in (('pub.pem', pub_pem), ('sig.der', sig_der), ('data', data)):
        open(os.path.join(T, tag + name), 'wb').write(content)
    r = subprocess.run(['openssl', 'dgst', '-sha256', '-verify', os.path.join(T, tag + 'pub.pem'),
                        '-signature', os.path.join(T, tag + 'sig.der'), os.path.join(T, tag + 'data')],
                       capture_output=True, text=True)
    return r.returncode == 0 and 'Verified OK' in r.stdout

def jwt_claims(base, token):
    """Verify the ES256 JWT with the key from /v1/certs; its claims."""
    h64, p64, s64 = token.split('.')
    header = json.loads(b64u(h64))
    assert header['alg'] == 'ES256', header
    st, _, body = call(base + 'v1/certs')
    assert st == 200, st
    keys = [k for k in json.loads(body)['keys'] if k.get('kid') == header.get('kid')]
    assert len(keys) == 1, ('no key with kid', header)
    k = keys[0]
    assert k['kty'] == 'EC' and k['crv'] == 'P-256'
    x, y = b64u(k['x']), b64u(k['y'])
    assert len(x) == 32 and len(y) == 32
    spki = bytes.fromhex('3059301306072a8648ce3d020106082a8648ce3d030107034200') + b'\x04' + x + y
    pem = b'-----BEGIN PUBLIC KEY-----\n' + base64.encodebytes(spki) + b'-----END PUBLIC KEY-----\n'
    sig = b64u(s64)
    assert len(sig) == 64, len(sig)
    seq = der_int(sig[:32]) + der_int(sig[32:])
    der = b'\x30' + der_len(len(seq)) + seq
    assert openssl_verify(pem, der, (h64 + '.' + p64).encode(), 'jwt'), 'JWT signature does not verify'
    # and a tampered payload must not
    bad = json.loads(b64u(p64)); bad['iss'] = 'evil'
    p2 = base64.urlsafe_b64encode(json.dumps(bad).encode()).rstrip(b'=').decode()
    assert not openssl_verify(pem, der, (h64 + '.' + p2).encode(), 'jwtbad'), 'tampered JWT verifies'
    return json.loads(b64u(p64))

def quote_b64(path):
    return base64.b64encode(open(path, 'rb').read()).decode()

def attest(base, quote, expected, extra=None):
    body = {'quote': quote_b64(quote)}
    body.update(extra or {})
    st, _, resp = call(base + 'v1/attest', body)
    assert st == 200, (st, resp[:300])
    c = jwt_claims(base, json.loads(resp)['token'])
    want = json.load(open(expected))
    # the verdict by Intel's name, with or without its SGX_QL_QV_RESULT_ prefix
    short = want['verdict'].replace('SGX_QL_QV_RESULT_', '')
    assert c['sgxra_verdict'] in (want['verdict'], short), (c['sgxra_verdict'], short)
    assert c['attester_tcb_status'] == want['tcb_status'], (c['attester_tcb_status'], want['tcb_status'])
    assert sorted(c.get('attester_advisory_ids', [])) == sorted(want.get('advisory_ids', [])), c
    return c

def check_error(st, headers, body, want):
    assert st == want, (st, want, body[:200])
    j = json.loads(body)
    assert set(j) == {'code', 'message'} and j['code'] and j['message'], j
    assert headers.get('Content-Type', '').startswith('application/json'), headers

cmd = sys.argv[1]
if cmd == 'attest':      # BASE QUOTE EXPECTED_JSON
    attest(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == 'nonce':     # BASE QUOTE EXPECTED_JSON
    base = sys.argv[2]
    st, _, body = call(base + 'v1/nonce')
    assert st == 200, st
    nonce = json.loads(body)
    c = attest(base, sys.argv[3], sys.argv[4], {'nonce': nonce})
    assert c.get('verifier_nonce'), c
    for member in nonce:
        t = dict(nonce)
        v = bytearray(base64.b64decode(t[member])); v[0] ^= 1
        t[member] = base64.b64encode(bytes(v)).decode()
        st, h, body = call(base + 'v1/attest', {'quote': quote_b64(sys.argv[3]), 'nonce': t})
        check_error(st, h, body, 400)
elif cmd == 'v5':        # BASE QUOTE CA_PEM STATUS
    base, quote, ca, want_status = sys.argv[2:6]
    st, h, body = call(base + 'attestation/v5/report', {'isvEnclaveQuote': quote_b64(quote), 'nonce': 'abc123'})
    assert st == 200, (st, body[:200])
    chain = urllib.parse.unquote(h['X-IASReport-Signing-Certificate'])
    certs = ['-----BEGIN CERTIFICATE-----' + c for c in chain.split('-----BEGIN CERTIFICATE-----')[1:]]
    assert len(certs) >= 1
    open(os.path.join(T, 'v5leaf.pem'), 'w').write(certs[0])
    r = subprocess.run(['openssl', 'verify', '-CAfile', ca, os.path.join(T, 'v5leaf.pem')], capture_output=True, text=True)
    assert r.returncode == 0, ('chain', r.stdout, r.stderr)
    pub = subprocess.run(['openssl', 'x509', '-pubkey', '-noout', '-in', os.path.join(T, 'v5leaf.pem')],
                         capture_output=True, check=True).stdout
    sig = base64.b64decode(h['X-IASReport-Signature'])
    assert openssl_verify(pub, sig, body, 'v5'), 'v5 signature does not verify'
    assert not openssl_verify(pub, sig, body + b' ', 'v5bad'), 'v5 signature verifies other bytes'
    rep = json.loads(body)
    assert rep['isvEnclaveQuoteStatus'] == want_status, (rep['isvEnclaveQuoteStatus'], want_status)
    assert rep['isvEnclaveQuoteBody'] == base64.b64encode(open(quote, 'rb').read()[:432]).decode()
    assert rep.get('nonce') == 'abc123', rep.get('nonce')
    assert rep.get('version') == 5, rep.get('version')
elif cmd == 'bad':       # BASE QUOTE
    base, quote = sys.argv[2], sys.argv[3]
    q = open(quote, 'rb').read()
    cases = [
        ('v1/attest', b'{"quote": ', 'application/json', 400),
        ('v1/attest', b'[1,2]', 'application/json', 400),
        ('v1/attest', b'', 'application/json', 400),
        ('v1/attest', {'quote': 12}, 'application/json', 400),
        ('v1/attest', {'quote': ['a']}, 'application/json', 400),
        ('v1/attest', {'quote': '!!!not base64!!!'}, 'application/json', 400),
        ('v1/attest', {'quote': base64.b64encode(q[:100]).decode()}, 'application/json', 400),
        ('v1/attest', {'quote': base64.b64encode(q[:-1]).decode()}, 'application/json', 400),
        ('v1/attest', {'quote': base64.b64encode(q).decode(), 'surprise': 1}, 'application/json', 400),
        ('v1/attest', {}, 'application/json', 400),
        ('v1/attest', {'quote': base64.b64encode(q).decode(), 'nonce': 'x'}, 'application/json', 400),
        ('attestation/v5/report', {'isvEnclaveQuote': 5}, 'application/json', 400),
        ('attestation/v5/report', {'quote': base64.b64encode(q).decode()}, 'application/json', 400),
        ('v1/attest', {'quote': base64.b64encode(q).decode()}, 'text/plain', 415),
        ('v1/attest', {'quote': base64.b64encode(q).decode()}, None, 415),
        ('attestation/v5/report', {'isvEnclaveQuote': base64.b64encode(q).decode()}, 'application/xml', 415),
    ]
    for path, body, ctype, want in cases:
        st, h, resp = call(base + path, body, ctype)
        check_error(st, h, resp, want)
    for path in ('v1/attest', 'attestation/v5/report'):
        st, h, resp = call(base + path)
        check_error(st, h, resp, 405)
        assert h['Allow'] == 'POST', h['Allow']
    for path in ('v1/nonce', 'v1/certs', 'healthz', 'metrics'):
        st, h, resp = call(base + path, b'{}', 'application/json', 'POST')
        check_error(st, h, resp, 405)
        assert h['Allow'] == 'GET', h['Allow']
    for path in ('', 'v1', 'v1/attest/x', 'attestation/v4/report', 'v1/nonce?x=1&y'):
        st, h, resp = call(base + path)
        if '?' in path: assert st == 200, st; continue
        check_error(st, h, resp, 404)
    # 413 by Content-Length, before the body is sent
    host, port = urllib.parse.urlparse(base).netloc.split(':')
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(b'POST /v1/attest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n')
    got = s.recv(65536).decode('latin1')
    s.close()
    assert got.startswith('HTTP/1.1 413'), got[:100]
    # 413 while reading: a chunked body (no Content-Length) over the limit
    s = socket.create_connection((host, int(port)), timeout=20)
    s.sendall(b'POST /v1/attest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')
    chunk = b'A' * 65536
    try:
        for _ in range(24):  # 1.5 MiB
            s.sendall(b'%x\r\n' % len(chunk) + chunk + b'\r\n')
        s.sendall(b'0\r\n\r\n')
    except OSError:
        pass
    got = b''
    while b'\r\n\r\n' not in got:
        c = s.recv(65536)
        if not c: break
        got += c
    s.close()
    assert got.startswith(b'HTTP/1.1 413'), got[:100]
    assert b'"code":"PayloadTooLarge"' in got, got
    st, _, body = call(base + 'healthz')
    assert st == 200 and json.loads(body) == {'status': 'ok'}, (st, body)
elif cmd == 'slow':      # BASE QUOTE PIDFILE: SIGTERM while a request is in flight
    base, quote, pid = sys.argv[2], sys.argv[3], int(sys.argv[4])
    host, port = urllib.parse.urlparse(base).netloc.split(':')
    body = json.dumps({'quote': quote_b64(quote)}).encode()
    s = socket.create_connection((host, int(port)), timeout=20)
    s.sendall(b'POST /v1/attest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(body))
    s.sendall(body[:50])
    time.sleep(0.3)
    os.kill(pid, 15)
    time.sleep(0.5)
    # the new connections are refused, the one in flight goes on
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    assert refused, 'a new connection was accepted after SIGTERM'
    s.sendall(body[50:])
    resp = b''
    while b'\r\n\r\n' not in resp:
        chunk = s.recv(65536)
        if not chunk: break
        resp += chunk
    assert resp.startswith(b'HTTP/1.1 200'), resp[:200]
    print('in-flight request answered:', resp.split(b'\r\n')[0].decode())
else:
    sys.exit('unknown command ' + cmd)
PYEOF
export T
client() { python3 "$T/client.py" "$@" 2>&1; }

# ---- every real bundle: POST /v1/attest, the JWT checked independently ------
n=0
for d in "$V"/dcap/bundles/*/; do
  [ -f "$d/quote.bin" ] && [ -f "$d/expected.json" ] || continue
  name=$(basename "$d")
  at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verification_time"])' "$d/expected.json")
  "$SGXRA" verify "$d/quote.bin" --collateral "$d" --at "$at" --json >"$T/$name.verify.json" 2>/dev/null
  start "v-$name" "$SGXRA" serve verifier --listen 127.0.0.1:0 --state "$T/state" \
    --collateral "$d" --at "$at" --threads 2
  out=$(client attest "$URL" "$d/quote.bin" "$T/$name.verify.json") && ok || bad "$name: $out"
  if [ $n -eq 0 ]; then
    B1="$d"; AT1="$at"
    out=$(client nonce "$URL" "$d/quote.bin" "$T/$name.verify.json") && ok || bad "$name nonce: $out"
  fi
  kill -TERM $PID; wait $PID; rc=$?
  [ $rc -eq 0 ] && ok || bad "$name: server exit $rc after SIGTERM"
  grep -q "^verifier: POST /v1/attest 200 [0-9]* [0-9.]*ms verdict=[A-Z_]*$" "$T/v-$name.err" \
    && ok || bad "$name: no access-log line: $(cat "$T/v-$name.err")"
  n=$((n + 1))
done
[ $n -ge 10 ] && ok || bad "only $n bundles"
echo "bundles through /v1/attest: $n"

# ---- an emulated platform through serve pcs, --pccs and a cache ---------------
expect_status 0 "$SGXRA" platform init "$T/p1" --at $AT
expect_status 0 "$SGXRA" platform quote "$T/p1" --enclave "$SO" --sigstruct "$SIG" -o "$T/q.bin"
expect_status 0 "$SGXRA" platform collateral "$T/p1" -o "$T/b1" --at $AT
ROOT="$T/b1/root_ca.pem"
start pcs "$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/p1"
PCS_PID=$PID
PCS_URL=$URL
# Under AddressSanitizer freed memory is held in a quarantine (256 MB by
# default) and RSS says nothing about leaks: a small quarantine keeps the
# RSS bound below meaningful there too (LeakSanitizer checks at exit).
ASAN_SMALL=""
if grep -q __asan_init "$SGXRA" 2>/dev/null; then
  ASAN_SMALL="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
fi
start emu env $ASAN_SMALL "$SGXRA" serve verifier --listen 127.0.0.1:0 --state "$T/state" \
  --pccs "$PCS_URL" --trust-root "$ROOT" --cache "sqlite:$T/c.db" --threads 2
EMU_PID=$PID
EMU_URL=$URL
printf '{"verdict":"SGX_QL_QV_RESULT_OK","tcb_status":"UpToDate","advisory_ids":[]}' >"$T/emu.want.json"
out=$(client attest "$EMU_URL" "$T/q.bin" "$T/emu.want.json") && ok || bad "emulated quote: $out"
out=$(client attest "$EMU_URL" "$T/q.bin" "$T/emu.want.json") && ok || bad "emulated quote, cached: $out"
out=$(client nonce "$EMU_URL" "$T/q.bin" "$T/emu.want.json") && ok || bad "emulated nonce: $out"
[ -s "$T/c.db" ] && ok || bad "no cache database"

# ---- v5: Intel's retired attestation service API ------------------------------
CA="$T/ias_ca.pem"
python3 - "$T/state/ias_cert.pem" "$CA" <<'PYEOF' && ok || bad "no CA in ias_cert.pem"
import sys
pems = ['-----BEGIN CERTIFICATE-----' + p for p in open(sys.argv[1]).read().split('-----BEGIN CERTIFICATE-----')[1:]]
assert len(pems) == 2, len(pems)
open(sys.argv[2], 'w').write(pems[1])
PYEOF
out=$(client v5 "$EMU_URL" "$T/q.bin" "$CA" OK) && ok || bad "v5: $out"

# ---- bad requests of every kind ------------------------------------------------
out=$(client bad "$EMU_URL" "$T/q.bin") && ok || bad "bad requests: $out"

# ---- a burst: 10,000 mixed requests over 64 connections ------------------------
python3 - "$T" "$T/q.bin" <<'PYEOF'
import base64, json, sys
t, q = sys.argv[1], open(sys.argv[2], 'rb').read()
open(t + '/good.json', 'w').write(json.dumps({'quote': base64.b64encode(q).decode()}))
open(t + '/v5.json', 'w').write(json.dumps({'isvEnclaveQuote': base64.b64encode(q).decode()}))
open(t + '/trunc.json', 'w').write(json.dumps({'quote': base64.b64encode(q[:200]).decode()}))
open(t + '/junk.json', 'w').write('{"quote": [')
PYEOF
rss() { awk '/^VmRSS/ {print $2}' /proc/$1/status; }
RSS0=$(rss $EMU_PID)
PORT=$(echo "$EMU_URL" | sed 's|http://127.0.0.1:\([0-9]*\)/|\1|')
"$LG" --port "$PORT" --conns 64 --requests 10000 \
  --req "POST:/v1/attest:$T/good.json:application/json" \
  --req "POST:/v1/attest:$T/trunc.json:application/json" \
  --req "POST:/attestation/v5/report:$T/v5.json:application/json" \
  --req "POST:/v1/attest:$T/junk.json:application/json" \
  --req "GET:/v1/nonce" --req "GET:/v1/attest" --req "GET:/missing" \
  --req "POST:/v1/attest:$T/good.json:text/plain" >"$T/lg.out" 2>&1
lrc=$?
cat "$T/lg.out"
[ $lrc -eq 0 ] && ok || bad "load generator: exit $lrc"
for want in "status 200 3750" "status 400 2500" "status 404 1250" "status 405 1250" "status 415 1250"; do
  grep -qx "$want" "$T/lg.out" && ok || bad "burst: want '$want': $(cat "$T/lg.out")"
done
RSS1=$(rss $EMU_PID)
echo "verifier RSS before the burst ${RSS0} kB, after ${RSS1} kB"
[ $((RSS1 - RSS0)) -lt 51200 ] && ok || bad "RSS grew by $((RSS1 - RSS0)) kB (limit 50 MB)"
out=$(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]+"healthz").read().decode())' "$EMU_URL")
[ "$out" = '{"status":"ok"}' ] && ok || bad "healthz after the burst: $out"

# ---- /metrics -------------------------------------------------------------------
curl_metrics() { python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]+"metrics").read().decode())' "$1"; }
curl_metrics "$EMU_URL" >"$T/metrics.txt"
metric() { awk -v k="$1" '$1 == k {print $2}' "$T/metrics.txt"; }
m=$(metric 'sgxra_http_requests_total{route="/v1/attest",status="200"}')
# the burst's 1250 good quotes, and the ones before it
[ "${m:-0}" -ge 1253 ] && ok || bad "attest 200 count: '$m'"
m=$(metric 'sgxra_http_requests_total{route="/v1/attest",status="415"}')
[ "${m:-0}" -ge 1250 ] && ok || bad "attest 415 count: '$m'"
m=$(metric 'sgxra_http_requests_total{route="other",status="404"}')
[ "${m:-0}" -ge 1250 ] && ok || bad "404 count: '$m'"
m=$(metric 'sgxra_verdicts_total{verdict="OK"}')
[ "${m:-0}" -ge 1253 ] && ok || bad "verdict OK count: '$m'"
m=$(metric 'sgxra_http_request_duration_seconds_count{route="/v1/attest"}')
[ "${m:-0}" -ge 5000 ] && ok || bad "duration count: '$m'"
grep -q '^sgxra_http_request_duration_seconds_bucket{route="/v1/attest",le="+Inf"} ' "$T/metrics.txt" && ok || bad "no +Inf bucket"
m=$(metric 'sgxra_collateral_cache_total{result="hit"}')
[ "${m:-0}" -ge 1 ] && ok || bad "cache hits: '$m'"
grep -q '^sgxra_collateral_age_seconds{fmspc="[0-9a-fA-F]\{12\}"} [0-9]*$' "$T/metrics.txt" && ok || bad "no collateral age: $(grep age "$T/metrics.txt")"
grep -q '^# TYPE sgxra_http_request_duration_seconds histogram$' "$T/metrics.txt" && ok || bad "no histogram TYPE"

# ---- SIGTERM with a request in flight ---------------------------------------
out=$(client slow "$EMU_URL" "$T/q.bin" "$EMU_PID") && ok || bad "in-flight request: $out"
wait $EMU_PID; rc=$?
[ $rc -eq 0 ] && ok || bad "verifier exit $rc after SIGTERM with a request in flight"
grep -q "stopping on signal 15: finishing 1 request" "$T/emu.err" && ok || bad "stop line: $(tail -3 "$T/emu.err")"

# ---- usage errors --------------------------------------------------------------
expect_status 2 "$SGXRA" serve verifier --collateral "$B1"
expect_err_contains "--state"
expect_status 2 "$SGXRA" serve verifier --state "$T/state"
expect_err_contains "exactly one of --collateral"
expect_status 2 "$SGXRA" serve verifier --state "$T/state" --collateral "$B1" --tls-cert x
expect_err_contains "--tls-key"
expect_status 2 "$SGXRA" serve verifier --state "$T/state" --collateral "$B1" --max-body 0
expect_status 2 "$SGXRA" serve verifier --state "$T/state" --collateral "$B1" --listen nowhere
expect_err_contains "SGXRA_E_NET_ADDRESS"
expect_status 0 "$SGXRA" serve verifier --help
case "$OUT" in *"--at TIME"*"recorded collateral"*"--config FILE"*) ok ;; *) bad "help: $OUT" ;; esac

# ---- --config, and HTTPS ------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1
printf '{"listen":"127.0.0.1:0","state":"%s","collateral":"%s","at":"%s","threads":2,"tls-cert":"%s","tls-key":"%s","max-body":100}\n' \
  "$T/state" "$B1" "$AT1" "$T/tls.crt" "$T/tls.key" >"$T/config.json"
"$SGXRA" serve verifier --config "$T/config.json" --max-body 4096 >"$T/tls.out" 2>"$T/tls.err" &
PID=$!; PIDS="$PIDS $PID"
for _ in $(seq 1 200); do grep -q "listening on" "$T/tls.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(https[^ ]*\)$/\1/p' "$T/tls.out")
case "$URL" in https://127.0.0.1:*/) ok ;; *) bad "https: $(cat "$T/tls.out" "$T/tls.err")" ;; esac
out=$(python3 - "$URL" "$T/tls.crt" "$B1/quote.bin" <<'PYEOF' 2>&1
import base64, json, ssl, sys, urllib.request, urllib.error
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(urllib.request.urlopen(sys.argv[1] + 'healthz', context=ctx).read().decode())
# --max-body from the flag (4096) overrides the config's 100: a 1 KB body is read
body = json.dumps({'quote': base64.b64encode(open(sys.argv[3], 'rb').read()[:600]).decode()}).encode()
rq = urllib.request.Request(sys.argv[1] + 'v1/attest', data=body, headers={'Content-Type': 'application/json'})
try:
    urllib.request.urlopen(rq, context=ctx)
except urllib.error.HTTPError as e:
    print(e.code)
PYEOF
)
[ "$out" = '{"status":"ok"}'$'\n''400' ] && ok || bad "https + config: $out"
kill -TERM $PID; wait $PID; rc=$?
[ $rc -eq 0 ] && ok || bad "https server exit $rc"
printf '{"state":"%s","bogus":1}' "$T/state" >"$T/bad.json"
expect_status 2 "$SGXRA" serve verifier --config "$T/bad.json" --collateral "$B1"
expect_err_contains 'unknown option "bogus"'

# serve pcs still works after the shared code moved
kill -TERM $PCS_PID; wait $PCS_PID; rc=$?
[ $rc -eq 0 ] && ok || bad "serve pcs exit $rc"
grep -q "^pcs: GET /sgx/certification/v4/tcb 200 " "$T/pcs.err" && ok || bad "pcs log: $(head -3 "$T/pcs.err")"

# ---- collateral that cannot be had: 503 with {code, message} ------------------
printf '{"retry_times": 0}\n' >"$T/qcnl.conf"
start down "$SGXRA" serve verifier --listen 127.0.0.1:0 --state "$T/state" \
  --pccs "$PCS_URL" --qcnl-conf "$T/qcnl.conf" --no-cache --trust-root "$ROOT" --threads 2
out=$(python3 - "$URL" "$T/good.json" <<'PYEOF' 2>&1
import json, sys, urllib.request, urllib.error
rq = urllib.request.Request(sys.argv[1] + 'v1/attest', data=open(sys.argv[2], 'rb').read(),
                            headers={'Content-Type': 'application/json'})
try:
    urllib.request.urlopen(rq, timeout=60)
    print('200?')
except urllib.error.HTTPError as e:
    j = json.loads(e.read())
    print(e.code, sorted(j) == ['code', 'message'])
PYEOF
)
[ "$out" = "503 True" ] && ok || bad "PCCS down: $out"
kill -TERM $PID; wait $PID; rc=$?
[ $rc -eq 0 ] && ok || bad "server exit $rc"
finish
