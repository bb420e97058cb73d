#!/usr/bin/env bash
# The main job: remote attestation end to end on the embedded defaults.
#
#   1. ISV        measures and signs the example enclave, hands MRENCLAVE /
#                 MRSIGNER to the service provider
#   2. SP         registers the ISV's SIGSTRUCT in its registry (SQLite)
#                 *before* anything runs (`sgxra registry add`)
#   3. platform   (emulated SGX) loads the enclave, EREPORT, QE -> DCAP quote
#   4. PCS        (simulated Intel) serves the collateral over HTTP
#   5. verifier   verifies quote + collateral -> Intel's verdict
#   6. SP         appraises: genuine? registered enclave? this session's
#                 nonce? policy? -> provision (`sgxra appraise`, recorded in
#                 the audit log)
#   7. attacks    a tampered enclave, an impostor signer and a replayed quote
#                 are refused, each with its reason code
#   8. real data  Intel-signed quotes from real SGX machines, verified offline
#
# Emulation gives identity, not isolation: the emulated platform computes
# what the CPU would (MRENCLAVE, MRSIGNER, REPORT MACs, keys), but its quotes
# chain to sgxra's TEST root, never to Intel's.
#
# Every step checks its own outcome: the script exits non-zero, naming the
# step, when anything differs from what that step must show (a quote that
# does not verify, an attack that is not refused, a real quote whose verdict
# is not Intel's).  SGXRA_BUILD_DIR picks the build folder (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
B="${SGXRA_BUILD_DIR:-build}"
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j "$(nproc)" >/dev/null

X="$PWD/$B/sgxra"
SO="$PWD/$B/enclaves/example_enclave.so"
KEY="$PWD/enclaves/demo_signing_key.pem"
V="${SGXRA_VECTORS:-$PWD/../shared/vectors}"
[ -d "$V/dcap/bundles" ] || { echo "demo: no test vectors at $V/dcap/bundles (set SGXRA_VECTORS to the vectors folder)" >&2; exit 2; }
W=$(mktemp -d)
PCS_PID=""
cleanup() { [ -n "$PCS_PID" ] && kill "$PCS_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

# die MESSAGE: the demo did not show what it must; stop with exit 1
die() { printf '\ndemo FAILED: %s\n' "$*" >&2; exit 1; }
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
export SGXRA_DB="sqlite:$W/registry.db" SGXRA_ACTOR=sp-demo
echo "\$ sgxra registry add enclave.sig --allow-debug-signer --product example   (registry: \$SGXRA_DB = $SGXRA_DB)"
# The demo key is public (a well-known debug key): the registry refuses it
# unless the entry says so -- a production SP never would.
set +e
"$X" registry add "$W/enclave.sig" >/dev/null 2>"$W/refused.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || die "step 2: the registry accepted the public demo key without --allow-debug-signer (exit $rc)"
echo "  without --allow-debug-signer: refused ($(sed 's/^.*refused: //' "$W/refused.err" | cut -c1-70)...)"
"$X" registry add "$W/enclave.sig" --allow-debug-signer --product example \
  --note "demo: public test key" --json >"$W/entry.json" 2>/dev/null ||
  die "step 2: sgxra registry add refused the ISV's SIGSTRUCT"
[ "$(jget "$W/entry.json" mrenclave)" = "$(jget "$W/handover.json" mrenclave)" ] ||
  die "step 2: the registered MRENCLAVE differs from the SIGSTRUCT's"
[ "$(jget "$W/entry.json" source)" = sigstruct ] || die "step 2: the entry's source is not sigstruct"
echo "  registered: enclave #$(jget "$W/entry.json" id) mrenclave=$(jget "$W/entry.json" mrenclave | cut -c1-16)... mrsigner=$(jget "$W/entry.json" mrsigner | cut -c1-16)... (signature verified; source sigstruct)"

step "3. Client platform (EMULATED SGX): load, EREPORT, quoting enclave"
"$X" platform init "$W/platform" 2>&1 | sed 's/^/  /'
NONCE=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "SP challenge (report data): $NONCE"
"$X" platform quote "$W/platform" --enclave "$SO" --sigstruct "$W/enclave.sig" \
  --report-data "$NONCE" -o "$W/quote.bin"
echo "quote: $(stat -c %s "$W/quote.bin") bytes, DCAP v3, certification data type 5 (PCK chain to the sgxra TEST root)"

step "4. Simulated Intel PCS on loopback; the verifier fetches the collateral"
ROOT="$W/platform/ca/root_ca.pem"   # the sgxra TEST root: the trust anchor of emulated quotes
CACHE="sqlite:$W/collateral-cache.db"
"$X" serve pcs --listen 127.0.0.1:0 --state "$W/platform/ca" >"$W/pcs.out" 2>"$W/pcs.log" &
PCS_PID=$!
URL=""
for _ in $(seq 100); do
  kill -0 "$PCS_PID" 2>/dev/null || break
  URL=$(sed -n 's/^listening on //p' "$W/pcs.out")
  [ -n "$URL" ] && break
  sleep 0.05
done
[ -n "$URL" ] || die "step 4: the simulated PCS did not come up: $(cat "$W/pcs.log")"
echo "simulated PCS: $URL"
echo "\$ sgxra collateral fetch quote.bin --pccs $URL --trust-root root_ca.pem -o bundle"
"$X" collateral fetch "$W/quote.bin" --pccs "$URL" --trust-root "$ROOT" --cache "$CACHE" \
  -o "$W/bundle" --json >"$W/fetch.json" 2>"$W/fetch.err" ||
  die "step 4: sgxra collateral fetch failed: $(cat "$W/fetch.err")"
python3 - "$W/fetch.json" <<'PY' || die "step 4: collateral fetch did not report what it fetched: $(cat "$W/fetch.json")"
import json, sys
f = json.load(open(sys.argv[1]))
c = f["collateral"]
print("  FMSPC %s (%s CA) from %s: %d HTTP requests, tcbEvaluationDataNumber %s, next update %s"
      % (f["fmspc"], f["ca"], c["cache"], c["http_requests"], c["tcb_evaluation_data_number"], c["next_update"]))
sys.exit(0 if c["from_cache"] is False and c["http_requests"] >= 4 else 1)
PY
for f in tcb_info.json tcb_info_issuer_chain.pem qe_identity.json pck_crl.der root_ca_crl.der; do
  [ -s "$W/bundle/$f" ] || die "step 4: the fetched bundle has no $f"
done

step "5. Attestation service: verify quote + collateral (one command, through the cache)"
echo "\$ sgxra verify quote.bin --pccs $URL --trust-root root_ca.pem --json"
set +e
"$X" verify "$W/quote.bin" --pccs "$URL" --trust-root "$ROOT" --cache "$CACHE" --json >"$W/verdict.json"
rc=$?
set -e
[ -s "$W/verdict.json" ] || die "step 5: sgxra verify printed no verdict (exit $rc)"
echo "return=$(jget "$W/verdict.json" return) verdict=$(jget "$W/verdict.json" verdict) tcb_status=$(jget "$W/verdict.json" tcb_status) (exit $rc)"
[ "$rc" -eq 0 ] || die "step 5: the emulated platform's quote did not verify (exit $rc)"
python3 - "$W/verdict.json" <<'PY' || die "step 5: the verifier did not use the cached collateral"
import json, sys
c = json.load(open(sys.argv[1]))["collateral"]
print("  collateral: %s, from cache: %s" % (c["source"], c["from_cache"]))
sys.exit(0 if c["from_cache"] is True else 1)
PY

step "6. Service provider appraises and provisions"
# appraise QUOTE OUT [args]: sgxra appraise against the registry; exit status in $rc
appraise() {
  local q=$1 out=$2; shift 2
  set +e
  "$X" appraise "$q" --collateral "$W/bundle" --trust-root "$ROOT" --json "$@" >"$out" 2>"$out.err"
  rc=$?
  set -e
  [ -s "$out" ] || die "sgxra appraise printed no decision (exit $rc): $(cat "$out.err")"
  python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("   decision=%s policy v%s matched=%s" % (d["decision"], d["policy"]["version"],
      ("%s #%s" % (d["matched"]["kind"], d["matched"]["id"])) if d["matched"] else "none"))
for r in d["reasons"]: print("   - %s: %s" % (r["code"], r["message"][:110]))
PY
}
# codes FILE: the reason codes of a decision, space-separated
codes() { python3 -c 'import json,sys; print(" ".join(r["code"] for r in json.load(open(sys.argv[1]))["reasons"]))' "$1"; }
echo "\$ sgxra appraise quote.bin --collateral bundle --trust-root root_ca.pem --report-data \$NONCE --json"
appraise "$W/quote.bin" "$W/decision.json" --report-data "$NONCE"
[ "$rc" -eq 0 ] && [ "$(jget "$W/decision.json" decision)" = trusted ] ||
  die "step 6: the service provider did not trust the genuine enclave (exit $rc): $(codes "$W/decision.json")"
echo "TRUSTED: enclave $(jget "$W/decision.json" mrenclave | cut -c1-16)... is the registered one on a genuine, up-to-date (emulated) platform"
echo "provisioning the secret to the enclave (demo secret: $(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n'))"
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
[ "$rc" -ne 0 ] || die "step 7a: a quote was produced for a tampered enclave"
[ "$rc" -le 2 ] || die "step 7a: sgxra platform quote ended abnormally (exit $rc)"
[ ! -e "$W/q2.bin" ] || die "step 7a: the refused quote command left $W/q2.bin behind"
echo "   (exit $rc: EINIT refused the enclave, no quote)"
echo "b) an impostor re-signs the same enclave with its own key:"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -pkeyopt rsa_keygen_pubexp:3 -out "$W/impostor.pem" 2>/dev/null
"$X" sign --key "$W/impostor.pem" --isvprodid 1 --isvsvn 2 "$SO" -o "$W/impostor.sig" >/dev/null 2>"$W/impostor.err" ||
  die "step 7b: signing with the impostor's key failed: $(cat "$W/impostor.err")"
"$X" platform quote "$W/platform" --enclave "$SO" --sigstruct "$W/impostor.sig" --report-data "$NONCE" -o "$W/q3.bin" >/dev/null
"$X" inspect "$W/impostor.sig" --json >"$W/impostor.json" 2>/dev/null
[ "$(jget "$W/impostor.json" mrenclave)" = "$(jget "$W/entry.json" mrenclave)" ] ||
  die "step 7b: re-signing changed the ENCLAVEHASH"
echo "   loads and quotes: MRENCLAVE unchanged, MRSIGNER $(jget "$W/impostor.json" mrsigner)"
"$X" verify "$W/q3.bin" --collateral "$W/bundle" --trust-root "$ROOT" --json >"$W/v3.json" ||
  die "step 7b: the impostor's quote should verify as genuine (it is; only its signer differs)"
[ "$(jget "$W/impostor.json" mrsigner)" != "$(jget "$W/entry.json" mrsigner)" ] ||
  die "step 7b: the impostor's MRSIGNER equals the registered one"
echo "   verifier: $(jget "$W/v3.json" verdict) (the quote is genuine)"
appraise "$W/q3.bin" "$W/d3.json" --report-data "$NONCE"
[ "$rc" -eq 1 ] || die "step 7b: the service provider did not refuse the impostor (exit $rc)"
[ "$(codes "$W/d3.json")" = MRSIGNER_MISMATCH ] ||
  die "step 7b: the refusal is not MRSIGNER_MISMATCH: $(codes "$W/d3.json")"
echo "c) the genuine quote replayed in a new session (another nonce):"
NONCE2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
appraise "$W/quote.bin" "$W/d4.json" --report-data "$NONCE2"
[ "$rc" -eq 1 ] || die "step 7c: the service provider accepted a replayed quote (exit $rc)"
[ "$(codes "$W/d4.json")" = REPORT_DATA_MISMATCH ] ||
  die "step 7c: the refusal is not REPORT_DATA_MISMATCH: $(codes "$W/d4.json")"
echo "d) the SP withdraws the enclave (deny list): the same genuine quote is refused"
"$X" registry deny --mrenclave "$(jget "$W/entry.json" mrenclave)" --reason "demo: withdrawn" >/dev/null
appraise "$W/quote.bin" "$W/d5.json" --report-data "$NONCE"
[ "$rc" -eq 1 ] && [ "$(codes "$W/d5.json")" = MRENCLAVE_DENIED ] ||
  die "step 7d: a denied MRENCLAVE was not refused with MRENCLAVE_DENIED (exit $rc): $(codes "$W/d5.json")"
echo "audit log: $("$X" audit list --json | python3 -c 'import json,sys; r=json.load(sys.stdin)["rows"]; print(len(r), "rows:", ", ".join(x["kind"] for x in r))')"
"$X" audit verify >/dev/null || die "step 7: the audit chain does not verify"
echo "  sgxra audit verify: chain intact"

step "8. Real quotes from real SGX machines, Intel's collateral, verified offline"
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
[ "$n" -gt 0 ] || die "step 8: no bundles under $V/dcap/bundles"
[ "$mismatches" -eq 0 ] || die "step 8: $mismatches of $n real quotes did not get Intel's verdict"
echo
echo "done. Everything above ran on an EMULATED platform except step 8 (real hardware quotes)."
