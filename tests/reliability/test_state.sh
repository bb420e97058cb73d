# Reliability of the emulator's state directories (issue 14, "State"):
# concurrent revokes on one shared CA, concurrent inits of one folder and of
# one new CA, kill -9 at random points of init/revoke, and the filesystem
# trust check (a folder or key writable by others, or not ours, is refused).
# Every operation that returned 0 must be in effect; every folder must be
# usable or refused with a clear message.  Bounded: about 1.5 minutes
# (SGXRA_STATE_TRIALS=12 revoke trials and a SGXRA_STATE_KILL_SECONDS=20 s
# kill loop by default; raise them for a longer soak).
. "$(dirname "$0")/../cli/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
AT=2026-01-01T00:00:00Z
LATER=2026-01-02T00:00:00Z
TRIALS=${SGXRA_STATE_TRIALS:-12}
KILL_SECONDS=${SGXRA_STATE_KILL_SECONDS:-20}

serial_of() { cat "$1/pck_serial.txt"; }
# revoked_in CADIR SERIAL: 0 when state.json records SERIAL as revoked
revoked_in() {
  python3 - "$1/state.json" "$2" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
sys.exit(0 if any(r["serial"].lower() == sys.argv[2].lower()
                  for r in st["revoked"]) else 1)
PY
}
# quote_verify DIR WANT: quote on DIR, collateral, verify; WANT is the
# "return" value expected (SGX_QL_SUCCESS or SGX_QL_PCK_REVOKED)
quote_verify() {
  local d=$1 want=$2 st=0
  [ "$want" = SGX_QL_SUCCESS ] || st=1
  expect_status 0 "$SGXRA" platform quote "$d" --enclave "$SO" \
    --sigstruct "$SIG" -o "$d.q"
  expect_status 0 "$SGXRA" platform collateral "$d" -o "$d.b" --at $AT
  expect_status $st "$SGXRA" verify "$d.q" --collateral "$d.b" \
    --trust-root "$d.b/root_ca.pem" --at $LATER --json
  expect_json return "$want"
}

# ---- concurrent revokes on one shared CA --------------------------------------
expect_status 0 "$SGXRA" platform init "$T/base" --at $AT
CA="$T/base/ca"
for i in $(seq 1 "$TRIALS"); do
  expect_status 0 "$SGXRA" platform init "$T/ra$i" --ca "$CA" --at $AT
  expect_status 0 "$SGXRA" platform init "$T/rb$i" --ca "$CA" --at $AT
  "$SGXRA" platform revoke "$T/ra$i" --at $AT >/dev/null 2>"$T/ea" &
  pa=$!
  "$SGXRA" platform revoke "$T/rb$i" --at $AT >/dev/null 2>"$T/eb" &
  pb=$!
  wait $pa && ok || bad "trial $i: revoke A failed: $(cat "$T/ea")"
  wait $pb && ok || bad "trial $i: revoke B failed: $(cat "$T/eb")"
  for p in ra rb; do
    revoked_in "$CA" "$(serial_of "$T/$p$i")" && ok ||
      bad "trial $i: the revocation of $p$i (exit 0) is not in state.json"
  done
  # every 5th trial end to end: both platforms' quotes refused as revoked
  if [ $((i % 5)) -eq 1 ]; then
    quote_verify "$T/ra$i" SGX_QL_PCK_REVOKED
    quote_verify "$T/rb$i" SGX_QL_PCK_REVOKED
  fi
done
# the shared CA's own platform is not revoked
quote_verify "$T/base" SGX_QL_SUCCESS

# ---- two inits of one new folder: one succeeds, one says "already exists" -----
for i in 1 2 3 4 5; do
  "$SGXRA" platform init "$T/same$i" --at $AT >/dev/null 2>"$T/e1" &
  p1=$!
  "$SGXRA" platform init "$T/same$i" --at $AT >/dev/null 2>"$T/e2" &
  p2=$!
  wait $p1
  s1=$?
  wait $p2
  s2=$?
  if { [ $s1 -eq 0 ] && [ $s2 -eq 2 ]; } || { [ $s1 -eq 2 ] && [ $s2 -eq 0 ]; }; then
    ok
  else
    bad "same$i: exits $s1 and $s2, want one 0 and one 2"
  fi
  grep -q "already exists" "$T/e1" "$T/e2" && ok ||
    bad "same$i: the losing init does not say 'already exists': $(cat "$T/e1" "$T/e2")"
  quote_verify "$T/same$i" SGX_QL_SUCCESS
done
ls -a "$T" | grep -q '\.init-' && bad "a temporary init folder was left" || ok

# ---- two inits sharing one new --ca: both succeed, both usable ----------------
for i in 1 2 3; do
  "$SGXRA" platform init "$T/sx$i" --ca "$T/nca$i" --at $AT >/dev/null 2>"$T/e1" &
  p1=$!
  "$SGXRA" platform init "$T/sy$i" --ca "$T/nca$i" --at $AT >/dev/null 2>"$T/e2" &
  p2=$!
  wait $p1 && ok || bad "sx$i: init failed: $(cat "$T/e1")"
  wait $p2 && ok || bad "sy$i: init failed: $(cat "$T/e2")"
  quote_verify "$T/sx$i" SGX_QL_SUCCESS
  quote_verify "$T/sy$i" SGX_QL_SUCCESS
done

# ---- kill -9 at random points of init and revoke --------------------------------
KCA="$T/base/ca"
end=$((SECONDS + KILL_SECONDS))
n=0
while [ $SECONDS -lt $end ]; do
  n=$((n + 1))
  case $((RANDOM % 3)) in
    0) "$SGXRA" platform init "$T/k$n" --at $AT >/dev/null 2>&1 & ;;
    1) "$SGXRA" platform init "$T/k$n" --ca "$KCA" --at $AT >/dev/null 2>&1 & ;;
    2) "$SGXRA" platform revoke "$T/ra$(( (RANDOM % TRIALS) + 1 ))" \
         --at $AT >/dev/null 2>&1 & ;;
  esac
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 600)))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
done
echo "kill -9 loop: $n runs"
usable=0
for i in $(seq 1 $n); do
  d="$T/k$i"
  [ -e "$d" ] || continue
  "$SGXRA" platform quote "$d" --enclave "$SO" --sigstruct "$SIG" \
    -o "$d.q" >/dev/null 2>"$T/ek"
  case $? in
    0) usable=$((usable + 1)); ok ;;
    *) grep -q "rm -r" "$T/ek" && ok ||
         bad "$d: neither usable nor clearly reported: $(cat "$T/ek")" ;;
  esac
done
echo "kill -9 loop: $usable complete platforms, the others absent"
# folders a kill left absent can be initialised again
for i in $(seq 1 $n); do
  [ -e "$T/k$i" ] && continue
  expect_status 0 "$SGXRA" platform init "$T/k$i" --ca "$KCA" --at $AT
  break
done
# the shared CA survived: it parses, takes a revoke and a TCB recovery, and
# the revocations made before still hold
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$KCA/state.json" &&
  ok || bad "the shared CA's state.json is damaged"
for i in 1 $TRIALS; do
  revoked_in "$KCA" "$(serial_of "$T/ra$i")" && ok || bad "ra$i no longer revoked"
done
expect_status 0 "$SGXRA" platform revoke "$T/rb1" --at $AT
quote_verify "$T/base" SGX_QL_SUCCESS
expect_status 0 "$SGXRA" platform tcb-recovery "$T/base"

# ---- trust on the filesystem ------------------------------------------------------
expect_status 0 "$SGXRA" platform init "$T/tr" --at $AT
chmod 0777 "$T/tr"
for v in "quote $T/tr --enclave $SO --sigstruct $SIG -o $T/tr.q" \
  "collateral $T/tr -o $T/tr.b" "revoke $T/tr" "tcb-recovery $T/tr"; do
  expect_status 2 "$SGXRA" platform $v
  expect_err_contains "[SGXRA_E_EMU_STATE_UNSAFE]"
  expect_err_contains "chmod go-w $T/tr"
done
chmod 0700 "$T/tr"
# a ca_path another user could have rewritten
chmod 0666 "$T/tr/ca_path"
expect_status 2 "$SGXRA" platform collateral "$T/tr" -o "$T/tr.b"
expect_err_contains "[SGXRA_E_EMU_STATE_UNSAFE]"
chmod 0644 "$T/tr/ca_path"
# the CA folder and a CA key
chmod 0775 "$T/tr/ca"
expect_status 2 "$SGXRA" platform revoke "$T/tr"
expect_err_contains "[SGXRA_E_EMU_STATE_UNSAFE]"
chmod 0700 "$T/tr/ca"
chmod 0660 "$T/tr/ca/root_ca_key.pem"
expect_status 2 "$SGXRA" platform collateral "$T/tr" -o "$T/tr.b"
expect_err_contains "root_ca_key.pem"
chmod 0600 "$T/tr/ca/root_ca_key.pem"
chmod 0644 "$T/tr/platform.json"
expect_status 0 "$SGXRA" platform quote "$T/tr" --enclave "$SO" \
  --sigstruct "$SIG" -o "$T/tr.q"
chmod 0666 "$T/tr/platform.json"
expect_status 2 "$SGXRA" platform quote "$T/tr" --enclave "$SO" \
  --sigstruct "$SIG" -o "$T/tr.q"
expect_err_contains "platform.json"
chmod 0600 "$T/tr/platform.json"
# owned by another user (needs root to give it away)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  chown nobody "$T/tr"
  expect_status 2 "$SGXRA" platform quote "$T/tr" --enclave "$SO" \
    --sigstruct "$SIG" -o "$T/tr.q"
  expect_err_contains "owned by uid"
  chown 0 "$T/tr"
else
  echo "(not root: the other-owner case is not run)"
fi
quote_verify "$T/tr" SGX_QL_SUCCESS

finish
