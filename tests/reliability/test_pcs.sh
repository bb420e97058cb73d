# Reliability of `sgxra serve pcs` under hostile load (issue 14, "The
# simulated PCS under load").  Against a server on 127.0.0.1:0 started with
# the soft file-descriptor limit of a default Debian shell (1024), each
# while a legitimate client fetches TCB Info (body identical to a reference
# whose ECDSA signature was checked with openssl, 2 s bound):
#   a) 1,100 half-open connections held (4 source addresses, under the
#      per-IP limit): the client is still served;
#   b) a burst of 3,000 connect-and-reset connections (SO_LINGER 0): the
#      client is served within 1 s during and right after; server alive;
#   c) one address over the per-IP limit (1024) is closed/refused, a client
#      from 127.0.0.2 is served;
#   d) slow-loris: one byte per second is closed after --idle-timeout (2 s
#      here), as is an idle connection;
#   e) platform revoke + SIGHUP: the next PCK CRL lists the PCK, same PID
#      and port; SIGTERM exits 0; `serve pcs | true` keeps serving;
#   g) under a hard limit of 300 descriptors, 400 half-open connections:
#      no busy loop, and served again once they close;
#   f) 32 keep-alive clients x 40 requests: every answer is correct; the
#      server signed at most 3 sets (start, revoke) for all its requests.
# The socket work is in pcs_load.py (Python standard library).  Servers are
# killed by the EXIT trap even when a check fails.  Bounded: about a minute.
. "$(dirname "$0")/../cli/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PY="/usr/bin/python3"
[ -x "$PY" ] || PY=python3
AT=2026-01-01T00:00:00Z
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; rm -rf "$T"' EXIT
load() { timeout 90 "$PY" "$HERE/pcs_load.py" "$@"; }

# start NAME ARGS...: `serve pcs ARGS` with a soft limit of 1024 file
# descriptors, in the background; sets PID and PORT
start() {
  local n=$1; shift
  (ulimit -Sn 1024 && exec "$SGXRA" serve pcs --listen 127.0.0.1:0 "$@") \
    >"$T/$n.out" 2>"$T/$n.err" &
  PID=$!
  PIDS="$PIDS $PID"
  PORT=""
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$T/$n.out" 2>/dev/null)
    [ -n "$PORT" ] && break
    kill -0 $PID 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$PORT" ] && ok || bad "serve pcs $* did not start: $(cat "$T/$n.err")"
}

expect_status 0 "$SGXRA" platform init "$T/p" --at $AT
start s1 --state "$T/p"
[ -n "$PORT" ] || { finish; exit 1; }
load fetch $PORT fmspcs "$T/fmspcs.json" >/dev/null && ok || bad "fmspcs"
FMSPC=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["fmspc"])' "$T/fmspcs.json")
load ref $PORT "$FMSPC" "$T/ref.json" && ok || bad "reference TCB Info"

# a) half-open connections
load halfopen $PORT "$FMSPC" "$T/ref.json" $PID 1100 \
  && ok || bad "a) 1,100 half-open connections locked the client out"
sleep 0.5
# b) connect-and-reset burst
load burst $PORT "$FMSPC" "$T/ref.json" $PID 3000 \
  && ok || bad "b) a burst of 3,000 connect-and-reset connections: outage"
sleep 0.5
# c) per-IP limit
load perip $PORT "$FMSPC" "$T/ref.json" 1024 \
  && ok || bad "c) per-IP limit not applied, or another address not served"
sleep 0.5
# f) a fixed load: every answer correct
load load $PORT "$FMSPC" "$T/ref.json" 32 40 \
  && ok || bad "f) wrong or missing answers under 32 concurrent clients"

# e) revoke + SIGHUP: same process, same port, the new CRL served
SERIAL=$(tr 'a-f' 'A-F' <"$T/p/pck_serial.txt" | sed 's/^0*//')
load fetch $PORT "pckcrl?ca=platform&encoding=der" "$T/crl0.der" >/dev/null
openssl crl -inform DER -noout -text -in "$T/crl0.der" | grep -q "$SERIAL" \
  && bad "PCK listed before revoke" || ok
expect_status 0 "$SGXRA" platform revoke "$T/p" --at $AT
kill -HUP $PID
sleep 0.3
kill -0 $PID 2>/dev/null && ok || bad "e) SIGHUP killed the server"
load fetch $PORT "pckcrl?ca=platform&encoding=der" "$T/crl1.der" >/dev/null \
  && ok || bad "e) no answer on the same port after SIGHUP"
openssl crl -inform DER -noout -text -in "$T/crl1.der" 2>/dev/null | \
  grep -q "$SERIAL" && ok || bad "e) revoked PCK $SERIAL not in the CRL after SIGHUP"
grep -q "SIGHUP" "$T/s1.err" && ok || bad "e) SIGHUP not logged"
kill -TERM $PID
wait $PID
rc=$?
[ $rc -eq 0 ] && ok || bad "e) exit $rc after SIGTERM (want 0)"
# signed once per CA state (start, the revoke), not per request
STOP=$(grep "stopping on signal 15" "$T/s1.err")
REQS=$(printf '%s' "$STOP" | sed -n 's/.* after \([0-9]*\) requests.*/\1/p')
SETS=$(printf '%s' "$STOP" | sed -n 's/.*(\([0-9]*\) signed sets.*/\1/p')
[ "${REQS:-0}" -ge 1280 ] && [ -n "$SETS" ] && [ "$SETS" -le 3 ] && ok \
  || bad "f) $REQS requests, $SETS signed sets (want <= 3): $STOP"

# d) slow-loris with a 2 s timeout
start s2 --state "$T/p" --idle-timeout 2
if [ -n "$PORT" ]; then
  load loris $PORT 2 && ok || bad "d) a trickling connection was not closed after the 2 s timeout"
  kill -TERM $PID
  wait $PID
  rc=$?
  [ $rc -eq 0 ] && ok || bad "d) exit $rc after SIGTERM: $(tail -5 "$T/s2.err")"
fi
# g) a hard open-file limit of 300 (connection limit lowered to 236): 400
# half-open connections; no busy loop, served again once they close
(ulimit -n 300 && exec "$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/p") \
  >"$T/s3.out" 2>"$T/s3.err" &
PID=$!
PIDS="$PIDS $PID"
for _ in $(seq 1 100); do grep -q "listening on" "$T/s3.out" 2>/dev/null && break; sleep 0.05; done
PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$T/s3.out")
if [ -n "$PORT" ]; then
  load ref $PORT "$FMSPC" "$T/ref3.json" >/dev/null && ok || bad "g) reference"
  load limit $PORT "$FMSPC" "$T/ref3.json" $PID 400 \
    && ok || bad "g) over the connection/fd limit: busy loop or listener stopped"
  kill -TERM $PID
  wait $PID
else
  bad "g) serve pcs under ulimit -n 300 did not start: $(cat "$T/s3.err")"
fi

expect_status 2 "$SGXRA" serve pcs --state "$T/p" --idle-timeout 0
expect_err_contains "--idle-timeout"

# e) stdout a closed pipe: still serving
FREE=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sh -c 'echo $$ >"$1/pipe.pid"; exec "$2" serve pcs --listen 127.0.0.1:$3 --state "$1/p" 2>"$1/pipe.err"' \
  sh "$T" "$SGXRA" "$FREE" | true &
for _ in $(seq 1 50); do [ -s "$T/pipe.pid" ] && break; sleep 0.05; done
PPID2=$(cat "$T/pipe.pid" 2>/dev/null)
PIDS="$PIDS $PPID2"
sleep 1
if kill -0 "$PPID2" 2>/dev/null; then
  ok
  load fetch $FREE fmspcs "$T/f2.json" >/dev/null && ok || bad "e) serve pcs | true does not serve"
  kill -TERM "$PPID2"
else
  bad "e) serve pcs | true died at start-up: $(cat "$T/pipe.err")"
fi
finish
