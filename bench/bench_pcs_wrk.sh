#!/usr/bin/env bash
# bench_pcs_wrk: `sgxra serve pcs` (the simulated Intel PCS, as a user runs
# it) under Debian's `wrk` load generator (issue 14):
#   1. requests/s of GET tcb (a signed TCB Info of about 1.9 KB) at 1, 64
#      and 512 concurrent keep-alive connections, next to two bounds
#      measured in the same run: the same server's cheapest route (a 404
#      answered without touching the CA) at the same concurrency, and
#      OpenSSL's ECDSA P-256 sign rate on one core (`openssl speed`) -- what
#      the PCS could do if it still signed per request (it signs once per CA
#      state change);
#   2. time-to-serve (median and max of 50 requests, each a new connection)
#      for a legitimate client while 2,000 slow connections are held open
#      (each sent half a request line, from 8 loopback addresses).
# Client and server share the machine's CPUs.  wrk is installed with apt-get
# when missing (like scripts/deps.sh; root or sudo needed then).
# Not a test (never run by ctest).
# usage: bash bench/bench_pcs_wrk.sh [BUILD_DIR [SECONDS]]  (build-h, 5)
set -eu
B=${1:-build-h}
D=${2:-5}
SGXRA="$B/sgxra"
[ -x "$SGXRA" ] || { echo "bench_pcs_wrk: no $SGXRA (build first)" >&2; exit 2; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if ! dpkg-query -W -f='${Status}' wrk 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "bench_pcs_wrk: installing wrk (apt-get)" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

T=$(mktemp -d)
SPID=""
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
"$SGXRA" platform init "$T/p" --at 2026-01-01T00:00:00Z >/dev/null
# all load comes from loopback addresses: let 2,000+ in from one of them
"$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/p" --per-ip 4096 \
  --max-connections 4096 >"$T/serve.out" 2>"$T/serve.err" &
SPID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/serve.out")
[ -n "$URL" ] || { echo "bench_pcs_wrk: serve pcs did not start" >&2; exit 1; }
FMSPC=$(curl -s "${URL}fmspcs" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["fmspc"])')

echo "bench_pcs_wrk: $(uname -m), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)),"
echo "  wrk and sgxra serve pcs share them; $D s per row; $(wrk --version 2>&1 | head -1 | cut -c1-40)"
SIGN=$(openssl speed -seconds 2 ecdsap256 2>/dev/null | awk '/256 bits ecdsa/ {print $(NF-1)}' | tail -1)
echo "  OpenSSL ECDSA P-256 signs/s on one core: ${SIGN:-?}"
echo
printf "%-28s %6s %12s %12s %10s\n" route conns requests/s "latency p50" errors
row() { # row LABEL PATH CONNS
  local t=2
  [ "$3" -ge 2 ] || t=1
  wrk -t$t -c$3 -d${D}s --latency "$URL$2" >"$T/wrk.out" 2>&1 || true
  local rps p50 err
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$T/wrk.out")
  err=$(awk '/Non-2xx or 3xx/ {print $NF} /Socket errors/ {print $0}' "$T/wrk.out" | tr '\n' ' ')
  printf "%-28s %6s %12s %12s %10s\n" "$1" "$3" "${rps:-?}" "${p50:-?}" "${err:-0}"
}
for c in 1 64 512; do
  row "tcb (signed, prepared)" "tcb?fmspc=$FMSPC" $c
  row "404 (cheapest route)" "nothing" $c
done
echo "  (the 404 row counts its answers as 'errors': they are all 404s)"
echo

# time-to-serve while 2,000 slow connections are held
"$PY" - "${URL}tcb?fmspc=$FMSPC" <<'EOF'
import resource, socket, statistics, sys, time, urllib.parse, http.client
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
u = urllib.parse.urlsplit(sys.argv[1])
port = u.port
held = []
for i in range(2000):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (10 + i % 8), 0))
    s.connect(("127.0.0.1", port))
    s.send(b"GET /sgx/certification/v4/tcb?fm")
    held.append(s)
time.sleep(0.3)
ms, ok = [], 0
for i in range(50):
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", u.path + "?" + u.query)
    r = c.getresponse()
    body = r.read()
    c.close()
    ms.append((time.monotonic() - t0) * 1e3)
    ok += r.status == 200 and b'"tcbInfo"' in body
print("time-to-serve, 2,000 slow connections held (half a request line each):")
print("  %d/50 answered 200 with TCB Info; connect + GET: median %.2f ms, "
      "max %.2f ms" % (ok, statistics.median(ms), max(ms)))
for s in held:
    s.close()
EOF
kill -TERM $SPID
wait $SPID || true
SPID=""
echo
echo "server: $(grep 'stopping on signal' "$T/serve.err" | sed 's/^sgxra serve pcs: //')"
