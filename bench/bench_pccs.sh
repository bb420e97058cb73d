#!/usr/bin/env bash
# bench_pccs: process wall time of one `sgxra verify` of an emulated
# platform's quote, three ways, measured in the same run (median of N,
# default 20, interleaved so that machine load affects all alike):
#   cold     verify --pccs URL with an empty cache (a new SQLite cache file
#            each run): 4 HTTP requests to the local simulated PCS
#            (`sgxra serve pcs` on 127.0.0.1:0), validation, cache write
#   warm     verify --pccs URL with the cache filled: no HTTP request, the
#            cached items read and validated again
#   bundle   verify --collateral DIR (the same collateral, from files)
# Not a test (never run by ctest).
# usage: bash bench/bench_pccs.sh [BUILD_DIR [N]]   (default build, 20)
set -eu
B=${1:-build}
N=${2:-20}
SGXRA="$B/sgxra"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
[ -x "$SGXRA" ] || { echo "bench_pccs: no $SGXRA (build first)" >&2; exit 2; }
T=$(mktemp -d)
SPID=""
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
AT=2026-01-01T00:00:00Z
LATER=2026-01-02T00:00:00Z
"$SGXRA" platform init "$T/p" --at $AT >/dev/null
"$SGXRA" platform quote "$T/p" --enclave "$SO" --sigstruct "$SIG" -o "$T/q.bin" >/dev/null
"$SGXRA" platform collateral "$T/p" -o "$T/b" --at $AT >/dev/null
"$SGXRA" serve pcs --listen 127.0.0.1:0 --state "$T/p" >"$T/serve.out" 2>/dev/null &
SPID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$T/serve.out")
ROOT="$T/b/root_ca.pem"
export XDG_CACHE_HOME="$T/xdg"
common=(verify "$T/q.bin" --trust-root "$ROOT" --at $LATER)
"$SGXRA" "${common[@]}" --pccs "$URL" --cache "sqlite:$T/warm.db" >/dev/null
ns() { date +%s%N; }
run() { # run FILE cmd...: append the wall time in microseconds
  local f=$1; shift
  local t0 t1
  t0=$(ns); "$@" >/dev/null; t1=$(ns)
  echo $(((t1 - t0) / 1000)) >>"$f"
}
for i in $(seq 1 "$N"); do
  run "$T/cold" "$SGXRA" "${common[@]}" --pccs "$URL" --cache "sqlite:$T/cold$i.db"
  run "$T/warm" "$SGXRA" "${common[@]}" --pccs "$URL" --cache "sqlite:$T/warm.db"
  run "$T/bundle" "$SGXRA" "${common[@]}" --collateral "$T/b"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }
printf '%-8s %12s   (median of %d runs, process wall time)\n' "sgxra verify" "ms" "$N"
printf '%-12s %8s  %s\n' cold "$(median "$T/cold")" "--pccs, empty cache (4 HTTP requests)"
printf '%-12s %8s  %s\n' warm "$(median "$T/warm")" "--pccs, cached (0 requests)"
printf '%-12s %8s  %s\n' bundle "$(median "$T/bundle")" "--collateral DIR"
