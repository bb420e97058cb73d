#!/usr/bin/env bash
# The main job: remote attestation end to end, with real processes on
# loopback and the embedded defaults (SQLite, emulated platform, simulated
# Intel PCS).  The question of the seed thread -- "who holds MRENCLAVE?" --
# gets its answer: the SERVICE PROVIDER does, registered from the enclave's
# developer (the ISV) BEFORE anything runs, and it hands a secret only to an
# enclave that proves, through a quote bound to a fresh key exchange, that
# it is that MRENCLAVE on a genuine platform.
#
#   1. ISV        measures and signs the example enclave (SIGSTRUCT)
#   2. services   three processes: the simulated Intel PCS, the attestation
#                 service (`sgxra serve verifier`) and the service provider
#                 (`sgxra serve sp`: RA protocol + registry + secrets)
#   3. SP admin   an admin token; the ISV's SIGSTRUCT uploaded through the
#                 admin API (the SP registers its MRENCLAVE); a secret for it
#   4. client     (emulated SGX) the enclave runs msg0..msg4 with the SP and
#                 receives the secret, sealed to the enclave; `unseal`
#                 shows it
#   5. refusals   tampered enclave, another signer, a debug build, a forged
#                 REPORT, a rogue quoting enclave, a replayed msg3, a man in
#                 the middle (Gb, quote), a denied MRENCLAVE -- each with its
#                 reason
#   6. real data  Intel-signed quotes from real SGX machines, verified
#                 offline
#   7. real data  SDK-signed enclaves from public repositories: MRENCLAVE
#                 recomputed from each file and compared with what was
#                 signed; a one-bit change in code gives a mismatch
#
# Emulation gives identity, not isolation: the emulated platform computes
# what the CPU would (MRENCLAVE, MRSIGNER, REPORT MACs, keys), but its quotes
# chain to sgxra's TEST root, never to Intel's.
#
# Every step checks its own outcome: the script exits non-zero, naming the
# step, when anything differs from what that step must show.  Every server
# is stopped on exit (trap), also on failure.  SGXRA_BUILD_DIR picks the
# build folder (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
B="${SGXRA_BUILD_DIR:-build}"
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j "$(nproc)" >/dev/null

X="$PWD/$B/sgxra"
E="$PWD/$B/enclaves"
SO="$E/example_enclave.so"
KEY="$PWD/enclaves/demo_signing_key.pem"
SPKEY="$PWD/enclaves/demo_sp_key.pem"
V="${SGXRA_VECTORS:-$PWD/../shared/vectors}"
[ -d "$V/dcap/bundles" ] || { echo "demo: no test vectors at $V/dcap/bundles (set SGXRA_VECTORS to the vectors folder)" >&2; exit 2; }
W=$(mktemp -d)
PIDS=""
# Stop every server we started: SIGTERM (graceful), SIGKILL after 5 s.
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$W"
}
trap cleanup EXIT

# die MESSAGE: the demo did not show what it must; stop with exit 1
die() { printf '\ndemo FAILED: %s\n' "$*" >&2; exit 1; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# jget FILE KEY: one value out of a JSON file
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[k]
print(json.dumps(v) if isinstance(v,(bool,list,dict)) or v is None else v)' "$1" "$2"; }

# start NAME CMD...: a server in the background; waits for its
# "listening on URL" line and sets URL (and PID)
start() {
  local name=$1; shift
  "$@" >"$W/$name.out" 2>"$W/$name.log" &
  PID=$!
  PIDS="$PIDS $PID"
  URL=""
  for _ in $(seq 200); do
    kill -0 "$PID" 2>/dev/null || break
    URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$W/$name.out")
    [ -n "$URL" ] && break
    sleep 0.05
  done
  [ -n "$URL" ] || die "$name did not start: $(cat "$W/$name.out" "$W/$name.log")"
}

# admin METHOD PATH BODY_ARGS...: one call of the SP's admin API; the
# status in $HTTP, the body in $W/admin.json
admin() {
  local method=$1 path=$2; shift 2
  HTTP=$(curl -sS -o "$W/admin.json" -w '%{http_code}' -X "$method" "$@" "${SP%/}$path") ||
    die "admin $method $path: curl failed"
}

# attest NAME ARGS...: `sgxra client attest` (its output shown, indented),
# the JSON result kept in $W/NAME.json; exit status in $rc
attest() {
  local name=$1; shift
  set +e
  "$X" client attest --sp "$SP" "$@" --json-file "$W/$name.json" >"$W/$name.txt" 2>"$W/$name.err"
  rc=$?
  set -e
  sed 's/^/    /' "$W/$name.txt"
  sed 's/^/    /' "$W/$name.err"
}
# reasons NAME: the reason codes of attestation NAME
reasons() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["reasons"]))' "$W/$1.json"; }
# errcode NAME: the error code of attestation NAME
errcode() { python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["code"] if e else "none")' "$W/$1.json"; }

step "1. ISV: measure and sign the example enclave"
echo "\$ sgxra measure example_enclave.so"
"$X" measure "$SO"
echo "\$ sgxra sign --key demo_signing_key.pem --isvprodid 1 --isvsvn 2 example_enclave.so -o enclave.sig"
"$X" sign --key "$KEY" --isvprodid 1 --isvsvn 2 "$SO" -o "$W/enclave.sig" 2>&1 | sed 's/^/  /'
"$X" inspect "$W/enclave.sig" --json >"$W/handover.json" 2>/dev/null
MRENCLAVE=$(jget "$W/handover.json" mrenclave)
echo "ISV hands over: enclave.sig (its SIGSTRUCT: mrenclave=$MRENCLAVE"
echo "                mrsigner=$(jget "$W/handover.json" mrsigner) isvprodid=$(jget "$W/handover.json" isvprodid) isvsvn=$(jget "$W/handover.json" isvsvn))"

step "2. Three services on loopback, each its own process"
# The simulated Intel CA lives in the first platform's folder; its root
# certificate (the sgxra TEST root) is the attestation service's trust
# anchor, as Intel's SGX Root CA is for real quotes.
"$X" platform init "$W/platform" >/dev/null
"$X" platform collateral "$W/platform" -o "$W/bundle" >/dev/null # writes root_ca.pem
ROOT="$W/bundle/root_ca.pem"
start pcs "$X" serve pcs --listen 127.0.0.1:0 --state "$W/platform/ca"
PCS=$URL
echo "simulated Intel PCS:     $PCS  (serves the collateral of the simulated Intel CA)"
start verifier "$X" serve verifier --listen 127.0.0.1:0 --state "$W/verifier" \
  --pccs "$PCS" --trust-root "$ROOT" --cache "sqlite:$W/collateral-cache.db"
VERIFIER=$URL
echo "attestation service:     $VERIFIER  (verifies quotes: Intel's verdict, signed JWT)"
export SGXRA_DB="sqlite:$W/sp.db" SGXRA_ACTOR=sp-admin
start sp "$X" serve sp --listen 127.0.0.1:0 --db "$SGXRA_DB" --key "$SPKEY" --verifier "$VERIFIER"
SP=$URL
SP_PID=$PID
echo "service provider (SP):   $SP  (RA protocol, registry, secrets; db $SGXRA_DB)"
echo "the SP's key is enclaves/demo_sp_key.pem; the example enclave pins its PUBLIC key at build time"

step "3. The SP registers the ISV's enclave (before any client runs) and sets its secret"
echo "\$ sgxra registry token add isv-upload      (an admin token; the SP keeps only its SHA-256)"
"$X" registry token add isv-upload --json >"$W/token.json" 2>/dev/null || die "step 3: sgxra registry token add failed"
TOKEN=$(jget "$W/token.json" token)
admin POST "/admin/v1/enclaves?product=example&allow_debug_signer=1" \
  -H "Content-Type: application/octet-stream" --data-binary @"$W/enclave.sig"
[ "$HTTP" = 401 ] || die "step 3: the SP accepted a registration without a token (HTTP $HTTP)"
echo "POST /admin/v1/enclaves without a token:   HTTP $HTTP ($(jget "$W/admin.json" code))"
admin POST "/admin/v1/enclaves?product=example&allow_debug_signer=1&note=demo:%20public%20test%20key" \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/octet-stream" --data-binary @"$W/enclave.sig"
[ "$HTTP" = 201 ] || die "step 3: the SIGSTRUCT upload was refused (HTTP $HTTP): $(cat "$W/admin.json")"
[ "$(jget "$W/admin.json" mrenclave)" = "$MRENCLAVE" ] || die "step 3: the registered MRENCLAVE differs from the SIGSTRUCT's"
echo "POST /admin/v1/enclaves enclave.sig:       HTTP $HTTP, registered mrenclave=$(jget "$W/admin.json" mrenclave | cut -c1-16)... (SIGSTRUCT signature verified)"
echo "  (allow_debug_signer=1: the demo key is a PUBLIC test key; a production SP never would)"
SECRET="the launch code is 0000 -- $(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
admin PUT /admin/v1/secrets -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data "{\"mrenclave\": \"$MRENCLAVE\", \"secret\": \"$(printf '%s' "$SECRET" | base64 -w0)\"}"
[ "$HTTP" = 200 ] || die "step 3: the secret was refused (HTTP $HTTP): $(cat "$W/admin.json")"
echo "PUT /admin/v1/secrets for that MRENCLAVE:  HTTP $HTTP (the SP keeps it encrypted; listings never show it)"
echo "secret: \"$SECRET\""

step "4. Client (EMULATED SGX): the enclave attests to the SP and receives the secret"
"$X" platform init "$W/client" --ca "$W/platform/ca" >/dev/null
echo "\$ sgxra client attest --sp $SP --platform client --enclave example_enclave.so --sigstruct enclave.sig -o sealed.bin"
attest good --platform "$W/client" --enclave "$SO" --sigstruct "$W/enclave.sig" -o "$W/sealed.bin" --save-msg3 "$W/msg3.bin"
[ "$rc" -eq 0 ] || die "step 4: the registered enclave was not trusted (exit $rc)"
[ -s "$W/sealed.bin" ] || die "step 4: no sealed secret"
if ! grep -qF "$SECRET" "$W/sealed.bin"; then echo "    (sealed.bin does not hold the secret in clear: $(stat -c %s "$W/sealed.bin") bytes of AES-GCM under the enclave's seal key)"; else die "step 4: the secret is in clear in sealed.bin"; fi
echo "\$ sgxra client unseal --platform client --enclave example_enclave.so --sigstruct enclave.sig sealed.bin"
GOT=$("$X" client unseal --platform "$W/client" --enclave "$SO" --sigstruct "$W/enclave.sig" "$W/sealed.bin") ||
  die "step 4: the enclave could not unseal its secret"
echo "    $GOT"
[ "$GOT" = "$SECRET" ] || die "step 4: the unsealed secret differs from the SP's"
echo "  the enclave holds the SP's secret.  Another platform cannot open sealed.bin:"
"$X" platform init "$W/other" --ca "$W/platform/ca" >/dev/null
set +e
"$X" client unseal --platform "$W/other" --enclave "$SO" --sigstruct "$W/enclave.sig" "$W/sealed.bin" >/dev/null 2>"$W/other.err"
orc=$?
set -e
sed 's/^/    /' "$W/other.err"
[ "$orc" -ne 0 ] || die "step 4: another platform unsealed the secret"

step "5. What the SP refuses (each with its reason)"
SUMMARY=()
# expect_refused NAME WANT: exit 1 and WANT among the reason codes
expect_refused() {
  [ "$rc" -eq 1 ] || die "step 5 ($1): exit $rc, expected 1 (refused): $(cat "$W/$1.err")"
  case " $(reasons "$1") " in *" $2 "*) ;; *) die "step 5 ($1): reasons '$(reasons "$1")', expected $2" ;; esac
  echo "  => refused: $2"
  SUMMARY+=("$CASE|the SP refuses|$2")
}
# expect_error NAME CODE WHO: exit 2 with error CODE (WHO stopped it)
expect_error() {
  [ "$rc" -eq 2 ] || die "step 5 ($1): exit $rc, expected 2 (error $2)"
  [ "$(errcode "$1")" = "$2" ] || die "step 5 ($1): error $(errcode "$1"), expected $2"
  echo "  => stopped: $2"
  SUMMARY+=("$CASE|$3|$2")
}

echo
CASE="tampered enclave (1 bit of code)"
echo "a) a TAMPERED enclave: one bit of its code changed, the ISV's SIGSTRUCT kept"
cp "$SO" "$W/tampered.so"
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
python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); d = bytearray(open(p, "rb").read()); d[o] ^= 0x01; open(p, "wb").write(d)' "$W/tampered.so" "$OFF"
attest tampered --platform "$W/client" --enclave "$W/tampered.so" --sigstruct "$W/enclave.sig"
expect_error tampered SGXRA_E_EMU_MRENCLAVE_MISMATCH "EINIT refuses"
echo "     (EINIT measures the pages and compares with the SIGSTRUCT: the enclave never runs)"

echo
CASE="same enclave, another signer"
echo "b) the same enclave SIGNED BY ANOTHER KEY (an impostor re-signs it)"
attest othersigner --platform "$W/client" --enclave "$SO" --sigstruct "$E/example_enclave.other.sig"
[ "$rc" -eq 1 ] || die "step 5b: exit $rc, expected 1 (refused)"
case " $(reasons othersigner) " in
  *" MRSIGNER_MISMATCH "* | *" MRENCLAVE_NOT_REGISTERED "*)
    echo "  => refused: $(reasons othersigner)"
    SUMMARY+=("$CASE|the SP refuses|$(reasons othersigner)") ;;
  *) die "step 5b: reasons '$(reasons othersigner)', expected MRSIGNER_MISMATCH or MRENCLAVE_NOT_REGISTERED" ;;
esac

echo
CASE="debug build"
echo "c) a DEBUG build of the registered enclave (its memory readable by a debugger)"
attest debug --platform "$W/client" --enclave "$SO" --sigstruct "$E/example_enclave.debug.sig"
expect_refused debug DEBUG_ENCLAVE

echo
CASE="forged REPORT (claims MRENCLAVE)"
echo "d) a BAD ENCLAVE that FORGES a REPORT claiming the registered MRENCLAVE"
attest forge --platform "$W/client" --enclave "$E/forge_enclave.so" --sigstruct "$E/forge_enclave.sig"
expect_error forge SGXRA_E_QE_REPORT_MAC "the QE refuses"
echo "     (only the CPU can MAC a REPORT with the QE's report key: the QE refuses to quote it)"

echo
CASE="rogue quoting enclave"
echo "e) a ROGUE QUOTING ENCLAVE (signed by someone else than Intel's QE Identity names)"
echo "\$ sgxra platform init rogue --qe-signing-key other_signing_key.pem   (its QE signed by another key than Intel's)"
"$X" platform init "$W/rogue" --ca "$W/platform/ca" --qe-signing-key "$PWD/enclaves/other_signing_key.pem" >/dev/null 2>"$W/rogue.err" ||
  die "step 5e: sgxra platform init --qe-signing-key failed: $(cat "$W/rogue.err")"
attest rogue --platform "$W/rogue" --enclave "$SO" --sigstruct "$W/enclave.sig"
expect_refused rogue QUOTE_NOT_GENUINE
echo "     (one must trust Intel's QE: the verifier checks the QE's identity against Intel's signed QE Identity)"

echo
CASE="replayed msg3"
echo "f) a REPLAYED msg3: an eavesdropper resends the msg3 captured in step 4"
SESSION=$(jget "$W/good.json" session)
echo "\$ sgxra client replay-msg3 --sp $SP --session $SESSION msg3.bin"
set +e
"$X" client replay-msg3 --sp "$SP" --session "$SESSION" "$W/msg3.bin" --json >"$W/replay.json" 2>"$W/replay.err"
rc=$?
set -e
sed 's/^/    /' "$W/replay.err"
[ "$rc" -eq 2 ] && [ "$(jget "$W/replay.json" code)" = SGXRA_E_RA_REPLAY ] ||
  die "step 5f: the replayed msg3 was not refused with SGXRA_E_RA_REPLAY (exit $rc): $(cat "$W/replay.json")"
echo "  => refused: SGXRA_E_RA_REPLAY (HTTP $(jget "$W/replay.json" http_status))"
SUMMARY+=("$CASE|the SP refuses|SGXRA_E_RA_REPLAY")

echo
CASE="man in the middle: Gb swapped"
echo "g) a MAN IN THE MIDDLE swaps Gb in msg2 for his own key (to read the secret)"
attest mitm-gb --platform "$W/client" --enclave "$SO" --sigstruct "$W/enclave.sig" --tamper gb
expect_error mitm-gb SGXRA_E_RA_SIGNATURE "the enclave refuses"
echo "     (the enclave checks the SP's signature over Gb||Ga with the SP key pinned in it)"

echo
CASE="man in the middle: quote altered"
echo "h) a MAN IN THE MIDDLE alters the quote in msg3"
attest mitm-quote --platform "$W/client" --enclave "$SO" --sigstruct "$W/enclave.sig" --tamper quote
expect_error mitm-quote SGXRA_E_RA_MAC "the SP refuses"
echo "     (msg3 is MACed by the enclave under SMK; the quote's REPORTDATA binds it to Ga, Gb and VK)"

echo
CASE="denied MRENCLAVE"
echo "i) the SP WITHDRAWS the enclave (deny list): the genuine enclave is refused from now on"
admin POST /admin/v1/deny -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  --data "{\"mrenclave\": \"$MRENCLAVE\", \"reason\": \"demo: withdrawn\"}"
[ "$HTTP" = 201 ] || die "step 5i: the deny entry was refused (HTTP $HTTP): $(cat "$W/admin.json")"
attest denied --platform "$W/client" --enclave "$SO" --sigstruct "$W/enclave.sig"
expect_refused denied MRENCLAVE_DENIED

echo
echo "summary -- the SP holds MRENCLAVE (registered in step 3 from the ISV's SIGSTRUCT)"
echo "and gave its secret only to that enclave on a genuine platform (step 4):"
for l in "${SUMMARY[@]}"; do
  IFS='|' read -r c how why <<<"$l"
  printf '  %-34s %-20s %s\n' "$c" "$how" "$why"
done
[ "${#SUMMARY[@]}" -eq 9 ] || die "step 5: ${#SUMMARY[@]} of 9 refusals shown"
echo
echo "audit log (every registration, secret change and decision): $("$X" audit list --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["rows"]; print(len(r), "rows")')"
"$X" audit verify >/dev/null || die "step 5: the audit chain does not verify"
echo "  sgxra audit verify: chain intact"
echo "stopping the services (SIGTERM):"
for p in $PIDS; do kill "$p" 2>/dev/null || true; done
for p in $PIDS; do
  set +e; wait "$p"; prc=$?; set -e
  [ "$prc" -eq 0 ] || die "a service did not stop cleanly on SIGTERM (exit $prc)"
done
PIDS=""
echo "  simulated PCS, attestation service and SP stopped (exit 0)"

step "6. Real quotes from real SGX machines, Intel's collateral, verified offline"
mismatches=0 n=0
for b in "$V"/dcap/bundles/*/; do
  name=$(basename "$b")
  at=$(jget "$b/expected.json" verification_time)
  want=$(jget "$b/expected.json" qve_return)/$(jget "$b/expected.json" quote_verification_result)
  # `sgxra verify` fails closed (exit 1 for a genuine quote of an OutOfDate
  # platform, as real ones are): exit 0 or 1, and Intel's verdict names
  set +e
  "$X" verify "$b/quote.bin" --collateral "$b" --at "$at" --json >"$W/r.json" 2>"$W/r.err"
  vrc=$?
  set -e
  if [ "$vrc" -le 1 ] && r=$(jget "$W/r.json" return 2>/dev/null) && v=$(jget "$W/r.json" verdict 2>/dev/null); then
    got="$r/$v"
  else
    got="error: $(head -c 200 "$W/r.err")"
  fi
  mark="ok"
  if [ "$got" != "$want" ]; then mark="MISMATCH (expected $want)"; mismatches=$((mismatches + 1)); fi
  n=$((n + 1))
  printf '  %-48s %-46s %s\n' "$name" "${got#SGX_QL_SUCCESS/SGX_QL_QV_RESULT_}" "$mark"
done
[ "$n" -gt 0 ] || die "step 6: no bundles under $V/dcap/bundles"
[ "$mismatches" -eq 0 ] || die "step 6: $mismatches of $n real quotes did not get Intel's verdict"

step "7. Real SDK-signed enclaves (public repositories): MRENCLAVE recomputed from their bytes"
# The SP does not take an ISV's ENCLAVEHASH on trust: sgxra lays each file
# out as Intel's loader does (metadata, patch table, segments, layout
# table) and compares with what was signed.
n=0
if [ -d "$V/sdk" ]; then
  for f in "$V"/sdk/*.so; do
    set +e
    "$X" measure "$f" --json >"$W/m.json" 2>"$W/m.err"
    mrc=$?
    set -e
    [ "$mrc" -eq 0 ] || die "step 7: $(basename "$f") does not re-measure to its ENCLAVEHASH (exit $mrc): $(head -c 300 "$W/m.err")"
    printf '  %-40s metadata %-4s %s  match\n' "$(basename "$f")" \
      "$(jget "$W/m.json" metadata_version)" "$(jget "$W/m.json" measured_mrenclave)"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || die "step 7: no enclaves under $V/sdk"
  # One byte of code changed: the file still carries the same signed
  # ENCLAVEHASH, but the re-measurement no longer matches it.
  f="$V/sdk/george321-md22-ownkey.signed.so"
  python3 - "$f" "$W/tampered.so" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", d, 32)
phnum, = struct.unpack_from("<H", d, 56)
for i in range(phnum):
    typ, flags, off, _, _, filesz = struct.unpack_from("<IIQQQQ", d, phoff + 56 * i)
    if typ == 1 and flags & 1:  # the executable PT_LOAD
        d[off + filesz // 2] ^= 0x01
        break
open(sys.argv[2], "wb").write(d)
PY
  echo "\$ sgxra measure tampered.so   (george321-md22-ownkey with one code bit flipped)"
  set +e
  "$X" measure "$W/tampered.so" >"$W/t.out" 2>"$W/t.err"
  trc=$?
  set -e
  sed -n '1,6p' "$W/t.out" | sed 's/^/    /' # the values; the SIGSTRUCT's fields follow
  [ "$trc" -eq 1 ] || die "step 7: a tampered enclave gave exit $trc, expected 1 (mismatch)"
  echo "  exit 1: mismatch -- a service provider registering this file is refused"
else
  echo "  (no $V/sdk folder: skipped)"
fi
echo
echo "done. Everything above ran on an EMULATED platform except steps 6 and 7 (real quotes, real enclave files)."
