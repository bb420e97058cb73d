#!/usr/bin/env bash
# bench_ra: remote attestation end to end on loopback (bench/bench_ra.c
# prints what is measured and the bound it is compared with).  This script
# makes an emulated platform and its collateral bundle, registers the
# example enclave and a secret in a fresh SQLite registry, starts the
# service provider (`sgxra serve sp`, verification in process with the
# bundle) on 127.0.0.1:0 as its own process, runs bench_ra against it and
# stops it.  Not a test (never run by ctest).
# usage: bash bench/bench_ra.sh [BUILD_DIR [THREADS [SECONDS]]]
#   (default build, 4 client threads, 5 s); BENCH_DB=URL uses that
#   database instead (e.g. a PostgreSQL schema, or sqlite:/dev/shm/x.db to
#   see what the SQLite store's durable writes cost).
set -eu
B=${1:-build}
TH=${2:-4}
SECS=${3:-5}
X="$B/sgxra"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
SPKEY="$(dirname "$0")/../enclaves/demo_sp_key.pem"
[ -x "$X" ] && [ -x "$B/bench_ra" ] || { echo "bench_ra: no $X or $B/bench_ra (build first)" >&2; exit 2; }
T=$(mktemp -d)
SPID=""
trap '[ -n "$SPID" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }; rm -rf "$T"' EXIT
export XDG_CACHE_HOME="$T/xdg" SGXRA_ACTOR=bench
export SGXRA_DB="${BENCH_DB:-sqlite:$T/sp.db}"
"$X" platform init "$T/p" >/dev/null
"$X" platform collateral "$T/p" -o "$T/b" >/dev/null
"$X" platform quote "$T/p" --enclave "$SO" --sigstruct "$SIG" -o "$T/q.bin" >/dev/null
"$X" registry add "$SIG" --allow-debug-signer --product bench >/dev/null 2>&1
TOKEN=$("$X" registry token add bench --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
MRENCLAVE=$("$X" inspect "$SIG" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
"$X" serve sp --listen 127.0.0.1:0 --key "$SPKEY" --db "$SGXRA_DB" \
  --collateral "$T/b" --trust-root "$T/b/root_ca.pem" >"$T/sp.out" 2>/dev/null &
SPID=$!
for _ in $(seq 1 200); do grep -q "listening on" "$T/sp.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/sp.out")
[ -n "$URL" ] || { echo "bench_ra: the SP did not start" >&2; exit 1; }
curl -sS -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data "{\"mrenclave\": \"$MRENCLAVE\", \"secret\": \"$(printf 'bench secret' | base64)\"}" \
  "${URL}admin/v1/secrets"
echo "bench_ra: registry and sessions in $SGXRA_DB"
"$B/bench_ra" "$URL" "$T/p" "$SO" "$SIG" "$T/q.bin" "$T/b" "$TH" "$SECS"
