#!/usr/bin/env bash
# The main job: remote attestation end to end on the embedded defaults.
#
#   1. ISV        measures and signs the example enclave, hands MRENCLAVE /
#                 MRSIGNER to the service provider
#   2. SP         registers those reference values *before* anything runs
#   3. platform   (emulated SGX) loads the enclave, EREPORT, QE -> DCAP quote
#   4. PCS        (simulated Intel) serves the collateral over HTTP
#   5. verifier   verifies quote + collateral -> Intel's verdict
#   6. SP         appraises: genuine? expected enclave? fresh? -> provision
#   7. attacks    a tampered enclave and an impostor signer are refused
#   8. real data  Intel-signed quotes from real SGX machines, verified offline
#
# Emulation gives identity, not isolation: the emulated platform computes
# what the CPU would (MRENCLAVE, MRSIGNER, REPORT MACs, keys), but its quotes
# chain to sgxra's TEST root, never to Intel's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null

X="$PWD/build/sgxra"
SO="$PWD/build/enclaves/example_enclave.so"
KEY="$PWD/enclaves/demo_signing_key.pem"
V="${SGXRA_VECTORS:-$PWD/../shared/vectors}"
W=$(mktemp -d)
PCS_PID=""
cleanup() { [ -n "$PCS_PID" ] && kill "$PCS_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# jget FILE KEY: one value out of a JSON file
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]
print(json.dumps(v) if isinstance(v,(bool,list)) else v)' "$1" "$2"; }

step "1. ISV: measure and sign the example enclave"
echo "\$ sgxra measure example_enclave.so"
"$X" measure "$SO"
echo "\$ sgxra sign --key demo_signing_key.pem --isvprodid 1 --isvsvn 2 example_enclave.so -o enclave.sig"
"$X" sign --key "$KEY" --isvprodid 1 --isvsvn 2 "$SO" -o "$W/enclave.sig" 2>&1 | sed 's/^/  /'
"$X" inspect "$W/enclave.sig" --json >"$W/handover.json" 2>/dev/null
echo "ISV hands over: mrenclave=$(jget "$W/handover.json" mrenclave)"
echo "                mrsigner=$(jget "$W/handover.json" mrsigner) isvprodid=$(jget "$W/handover.json" isvprodid) isvsvn=$(jget "$W/handover.json" isvsvn)"

step "2. Service provider registers the reference values (before anything runs)"
cp "$W/handover.json" "$W/registry.json"
echo "registry: $W/registry.json (the SP's registry service is a later issue; this file stands in for it)"

step "3. Client platform (EMULATED SGX): load, EREPORT, quoting enclave"
"$X" platform init "$W/platform" 2>&1 | sed 's/^/  /'
NONCE=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "SP challenge (report data): $NONCE"
"$X" platform quote "$W/platform" --enclave "$SO" --sigstruct "$W/enclave.sig" \
  --report-data "$NONCE" -o "$W/quote.bin"
echo "quote: $(stat -c %s "$W/quote.bin") bytes, DCAP v3, certification data type 5 (PCK chain to the sgxra TEST root)"

step "4. Simulated Intel PCS on loopback"
"$X" platform collateral "$W/platform" -o "$W/bundle" >/dev/null
PORT=$((20000 + RANDOM % 20000))
"$X" serve pcs --listen "127.0.0.1:$PORT" --state "$W/platform/ca" >"$W/pcs.log" 2>&1 &
PCS_PID=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/sgx/certification/v4/qe/identity" && break
  sleep 0.1
done
FMSPC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tcbInfo"]["fmspc"])' "$W/bundle/tcb_info.json")
if curl -sf -D "$W/hdr" "http://127.0.0.1:$PORT/sgx/certification/v4/tcb?fmspc=$FMSPC" -o "$W/tcb_from_pcs.json"; then
  echo "GET /sgx/certification/v4/tcb?fmspc=$FMSPC -> $(stat -c %s "$W/tcb_from_pcs.json") bytes, $(grep -ci '^TCB-Info-Issuer-Chain' "$W/hdr") issuer-chain header"
  cmp -s "$W/tcb_from_pcs.json" "$W/bundle/tcb_info.json" && echo "  (identical to the bundle's tcb_info.json)"
else
  echo "PCS did not answer (see $W/pcs.log)"
fi

step "5. Attestation service: verify quote + collateral"
set +e
"$X" verify "$W/quote.bin" --collateral "$W/bundle" --trust-root "$W/bundle/root_ca.pem" --json >"$W/verdict.json"
rc=$?
set -e
echo "return=$(jget "$W/verdict.json" return) verdict=$(jget "$W/verdict.json" verdict) tcb_status=$(jget "$W/verdict.json" tcb_status) (exit $rc)"

step "6. Service provider appraises and provisions"
appraise() { # appraise VERDICT.json: compare with the registry, the nonce, the verdict
  python3 - "$1" "$W/registry.json" "$NONCE" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2])); nonce = sys.argv[3]
reasons = []
if v["return"] != "SGX_QL_SUCCESS": reasons.append("quote not genuine: " + v["return"])
if v["verdict"] not in ("SGX_QL_QV_RESULT_OK",): reasons.append("platform TCB: " + v["verdict"])
if v["mrenclave"] != r["mrenclave"]: reasons.append("MRENCLAVE %s is not the registered %s" % (v["mrenclave"][:16], r["mrenclave"][:16]))
if v["mrsigner"] != r["mrsigner"]: reasons.append("MRSIGNER %s is not the registered %s" % (v["mrsigner"][:16], r["mrsigner"][:16]))
if v["isvprodid"] != r["isvprodid"] or v["isvsvn"] < r["isvsvn"]: reasons.append("ISVPRODID/ISVSVN below the registered ones")
if v["debug"]: reasons.append("enclave is in DEBUG mode")
if not v["report_data"].startswith(nonce): reasons.append("report data does not carry this session's nonce (replay?)")
if reasons:
    print("REFUSED:"); [print("  - " + x) for x in reasons]; sys.exit(1)
print("TRUSTED: enclave %s... is the registered one on a genuine, up-to-date (emulated) platform" % v["mrenclave"][:16])
PY
}
if appraise "$W/verdict.json"; then
  echo "provisioning the secret to the enclave (demo secret: $(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n'))"
fi
echo "note: the demo key is a PUBLIC test key (inspect flags it debug_signer); a production SP must not trust it."

step "7. Attacks"
cp "$SO" "$W/tampered.so"
# one byte inside the executable segment (found from the program headers)
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
echo "a) one bit of the enclave's code changed (file offset $OFF), same SIGSTRUCT:"
set +e
"$X" platform quote "$W/platform" --enclave "$W/tampered.so" --sigstruct "$W/enclave.sig" -o "$W/q2.bin" >"$W/q2.out" 2>"$W/q2.err"
rc=$?
set -e
sed 's/^/   /' "$W/q2.err"
if [ "$rc" -ne 0 ]; then echo "   (exit $rc: EINIT refused the enclave, no quote)"; else echo "   UNEXPECTED: a quote was produced"; fi
echo "b) an impostor re-signs the same enclave with its own key:"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -pkeyopt rsa_keygen_pubexp:3 -out "$W/impostor.pem" 2>/dev/null
"$X" sign --key "$W/impostor.pem" --isvprodid 1 --isvsvn 2 "$SO" -o "$W/impostor.sig" >/dev/null 2>&1
"$X" platform quote "$W/platform" --enclave "$SO" --sigstruct "$W/impostor.sig" --report-data "$NONCE" -o "$W/q3.bin" >/dev/null
"$X" inspect "$W/impostor.sig" --json >"$W/impostor.json" 2>/dev/null
echo "   loads and quotes: MRENCLAVE unchanged, MRSIGNER $(jget "$W/impostor.json" mrsigner)"
set +e
"$X" verify "$W/q3.bin" --collateral "$W/bundle" --trust-root "$W/bundle/root_ca.pem" --json >"$W/v3.json"
echo "   verifier: $(jget "$W/v3.json" verdict) (the quote is genuine)"
appraise "$W/v3.json" | sed 's/^/   /'
set -e

step "8. Real quotes from real SGX machines, Intel's collateral, verified offline"
for b in "$V"/dcap/bundles/*/; do
  name=$(basename "$b")
  at=$(jget "$b/expected.json" verification_time)
  want=$(jget "$b/expected.json" quote_verification_result)
  set +e
  "$X" verify "$b/quote.bin" --collateral "$b" --at "$at" --json >"$W/r.json" 2>"$W/r.err"
  set -e
  got=$(jget "$W/r.json" verdict 2>/dev/null || echo "error: $(cat "$W/r.err")")
  mark="ok"; [ "$got" = "$want" ] || mark="MISMATCH (expected $want)"
  printf '  %-48s %-46s %s\n' "$name" "${got#SGX_QL_QV_RESULT_}" "$mark"
done
echo
echo "done. Everything above ran on an EMULATED platform except step 8 (real hardware quotes)."
