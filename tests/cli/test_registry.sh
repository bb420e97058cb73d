# CLI tests of the service provider's verbs (`registry`, `policy`, `audit`,
# `appraise`), each store-backed case on SQLite and on PostgreSQL: the
# PostgreSQL half uses the server of ctest's pg_cluster_start fixture
# ($SGXRA_BUILD_DIR/pg-cluster.url, or $SGXRA_TEST_PG_URL), one schema per
# run; without a server it is skipped -- or fails when SGXRA_REQUIRE_PG=1.
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
ID="$V/identity"
SDK="$V/sdk"
BUN="$V/dcap/bundles"
export SGXRA_ACTOR=tester
unset SGXRA_DB

PGURL="${SGXRA_TEST_PG_URL:-}"
[ -z "$PGURL" ] && [ -s "$B/pg-cluster.url" ] && PGURL=$(head -n1 "$B/pg-cluster.url")
backends=sqlite
if [ -n "$PGURL" ]; then
  backends="sqlite postgresql"
elif [ "${SGXRA_REQUIRE_PG:-0}" = 1 ]; then
  bad "no PostgreSQL server (SGXRA_REQUIRE_PG=1): $B/pg-cluster.url missing and SGXRA_TEST_PG_URL unset"
else
  skipped "PostgreSQL half: no server for this run"
fi
SCHEMAS=""
cleanup_pg() {
  for s in $SCHEMAS; do
    psql "$PGURL" -qc "SET client_min_messages = warning; DROP SCHEMA $s CASCADE" >/dev/null 2>&1
  done
}

# new_db BACKEND: a fresh empty registry in $DB
dbn=0
new_db() {
  dbn=$((dbn + 1))
  if [ "$1" = sqlite ]; then
    DB="sqlite:$T/r$dbn.db"
    DBFILE="$T/r$dbn.db"
  else
    local s="cli_$$_$dbn"
    psql "$PGURL" -qc "CREATE SCHEMA $s" >/dev/null || bad "CREATE SCHEMA $s failed"
    SCHEMAS="$SCHEMAS $s"
    SCHEMA=$s
    case "$PGURL" in *\?*) DB="$PGURL&options=-csearch_path%3D$s" ;; *) DB="$PGURL?options=-csearch_path%3D$s" ;; esac
  fi
}
# sql BACKEND STATEMENT: run SQL on the current registry behind the CLI's back
sql() {
  if [ "$1" = sqlite ]; then sqlite3 "$DBFILE" "$2"; else psql "$PGURL" -qAt -c "SET search_path = $SCHEMA; $2"; fi
}
# field FILE KEY: a top-level value of a JSON file
field() {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]
print(" ".join(v) if isinstance(v,list) else v)' "$1" "$2"
}
# codes: the reason codes of $OUT joined by spaces
codes() {
  printf '%s' "$OUT" | python3 -c 'import json,sys; print(" ".join(r["code"] for r in json.load(sys.stdin)["reasons"]))'
}
expect_codes() {
  local got; got=$(codes)
  if [ "$got" = "$1" ]; then ok; else bad "$2: reasons '$got', want '$1'"; fi
}
flip() {
  python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=1; open(sys.argv[3],"wb").write(b)' "$1" "$2" "$3"
}
# quote_attributes QUOTE: the 16 ATTRIBUTES bytes of the report body, hex
quote_attributes() {
  python3 -c 'import sys; print(open(sys.argv[1],"rb").read()[96:112].hex())' "$1"
}

# jq, where installed, is much quicker than a python3 per check
if command -v jq >/dev/null; then
  expect_json() {
    local got
    got=$(printf '%s' "$OUT" | jq -rc --arg p "$1" 'getpath($p | split(".") | map(tonumber? // .))' 2>&1)
    if [ "$got" = "$2" ]; then ok; else bad "$1 = '$got', want '$2'"; fi
  }
  codes() { printf '%s' "$OUT" | jq -r '[.reasons[].code] | join(" ")'; }
  jval() { printf '%s' "$OUT" | jq -r "$1"; }
else
  jval() { printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$(printf '%s' "$1" | sed 's/^\./d./')"; }
fi

# ---- help, usage --------------------------------------------------------------
for v in "registry --help" "registry add --help" "registry list -h" \
  "policy --help" "policy set --help" "audit --help" "audit verify -h" \
  "appraise --help"; do
  expect_status 0 "$SGXRA" $v
  case "$OUT" in *usage:*--db*) ok ;; *) bad "no usage text with --db for '$v'" ;; esac
done
expect_status 2 "$SGXRA" registry frobnicate
expect_err_contains "unknown sub-command"
expect_status 2 "$SGXRA" registry deny --isvsvn 1 --db "sqlite:$T/x.db"
expect_err_contains "does not apply"

# ---- the default database: $XDG_DATA_HOME/sgxra/registry.db, folder 0700 ------
expect_status 0 env XDG_DATA_HOME="$T/xdg" "$SGXRA" registry list
[ -f "$T/xdg/sgxra/registry.db" ] && ok || bad "no default database at $T/xdg/sgxra/registry.db"
[ "$(stat -c %a "$T/xdg/sgxra")" = 700 ] && ok || bad "default folder mode $(stat -c %a "$T/xdg/sgxra"), want 700"
expect_status 0 env SGXRA_DB="sqlite:$T/env.db" "$SGXRA" registry list
[ -f "$T/env.db" ] && ok || bad "SGXRA_DB not used"

# ---- an emulated platform's quote of the example enclave (test_platform.sh) ----
SO="$B/enclaves/example_enclave.so"
SIG="$B/enclaves/example_enclave.sig"
EAT=2026-01-01T00:00:00Z
ELATER=2026-01-02T00:00:00Z
RD=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
"$SGXRA" platform init "$T/plat" --at $EAT >/dev/null &&
  "$SGXRA" platform quote "$T/plat" --enclave "$SO" --sigstruct "$SIG" --report-data $RD -o "$T/eq.bin" >/dev/null &&
  "$SGXRA" platform collateral "$T/plat" -o "$T/eb" --at $EAT >/dev/null || bad "emulated platform setup failed"
EMU=(--collateral "$T/eb" --trust-root "$T/eb/root_ca.pem" --at $ELATER)

run_backend() {
  local be=$1
  echo "== $be"

  # -- the emulator's quote: registered from the ISV's SIGSTRUCT -> trusted --
  new_db "$be"
  local DE=(--db "$DB")
  expect_status 1 "$SGXRA" appraise "$T/eq.bin" "${EMU[@]}" "${DE[@]}" --json
  expect_codes "MRENCLAVE_NOT_REGISTERED DEBUG_SIGNER" "emulator, unregistered"
  expect_status 1 "$SGXRA" registry add "$SIG" "${DE[@]}"
  expect_err_contains "sgxra demo signing key"
  expect_status 0 "$SGXRA" registry add "$SIG" "${DE[@]}" --allow-debug-signer --product example --json
  local EMRE; EMRE=$(jval .mrenclave)
  expect_json isvprodid 1
  expect_json isvsvn 2
  expect_status 0 "$SGXRA" appraise "$T/eq.bin" "${EMU[@]}" "${DE[@]}" --report-data $RD --json
  expect_json decision trusted
  expect_codes "" "emulator, registered"
  expect_json matched.kind enclave
  expect_json matched.product example
  expect_json mrenclave "$EMRE"
  expect_json tcb_status UpToDate
  expect_status 1 "$SGXRA" appraise "$T/eq.bin" "${EMU[@]}" "${DE[@]}" --report-data ${RD%??}00 --json
  expect_codes "REPORT_DATA_MISMATCH" "emulator, another nonce"
  expect_status 0 "$SGXRA" registry deny --mrenclave "$EMRE" --reason "withdrawn" "${DE[@]}" --json
  local EDID; EDID=$(jval .id)
  expect_status 1 "$SGXRA" appraise "$T/eq.bin" "${EMU[@]}" "${DE[@]}" --json
  expect_json decision not_trusted
  expect_codes "MRENCLAVE_DENIED" "emulator, denied"
  expect_json denied_by.reason withdrawn
  expect_err_contains "MRENCLAVE_DENIED"
  expect_status 0 "$SGXRA" registry revoke deny "$EDID" "${DE[@]}"
  expect_status 0 "$SGXRA" appraise "$T/eq.bin" "${EMU[@]}" "${DE[@]}"
  # trusted by signer instead: the demo key for ISVPRODID 1 from ISVSVN 2
  new_db "$be"
  local DS=(--db "$DB")
  expect_status 0 "$SGXRA" registry trust-signer "$SIG" --allow-debug-signer "${DS[@]}"
  expect_status 0 "$SGXRA" appraise "$T/eq.bin" "${EMU[@]}" "${DS[@]}" --json
  expect_json matched.kind signer
  expect_status 0 "$SGXRA" audit verify "${DS[@]}"
  new_db "$be"
  local D=(--db "$DB")

  # -- SIGSTRUCTs: verified, values recorded ----------------------------------
  expect_status 0 "$SGXRA" registry add "$ID/intel-pce/pce_sigstruct.bin" "${D[@]}" --product PCE --note "Intel's PCE" --json
  expect_json mrenclave 03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578
  expect_json mrsigner c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb
  expect_json isvprodid 1
  expect_json isvsvn 16
  expect_json attributes.flags 0x14
  expect_json attributes.xfrm 0x3
  expect_json source sigstruct
  expect_json product PCE
  expect_json note "Intel's PCE"
  expect_json added_by tester
  expect_json id 1
  expect_status 0 "$SGXRA" registry add "$ID/intel-linux-sgx/le_prod_css_1.5_initial.bin" "${D[@]}" --actor alice --at 2026-01-02T03:04:05Z --json
  expect_json mrenclave 3fb6238206b19c8e3b24ded8cacc9dd9428372898e34cd2da4a5166ecfb16f74
  expect_json mrsigner acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4
  expect_json isvprodid 32
  expect_json isvsvn 1
  expect_json added_by alice
  expect_json added_at 2026-01-02T03:04:05Z
  expect_status 0 "$SGXRA" registry add "$ID/fortanix-rust-sgx/test_enclave.sig" "${D[@]}" --json
  expect_json mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc
  expect_json mrsigner fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542
  expect_json isvprodid 65535
  # the same MRENCLAVE measured from its SGXS image: a duplicate
  expect_status 1 "$SGXRA" registry add "$ID/fortanix-rust-sgx/test_enclave.sgxs" "${D[@]}" \
    --mrsigner fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542 --isvprodid 0xffff --isvsvn 0
  expect_err_contains "[SGXRA_E_STORE_DUPLICATE]"
  # a well-known public key: refused unless allowed
  expect_status 1 "$SGXRA" registry add "$ID/enarx-sgx/encl.ss" "${D[@]}"
  expect_err_contains "well-known public key"
  expect_status 0 "$SGXRA" registry add "$ID/enarx-sgx/encl.ss" "${D[@]}" --allow-debug-signer --json
  expect_json mrenclave b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
  expect_json mrsigner 2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4
  expect_json allow_debug_signer true
  # values from a SIGSTRUCT are not overridden by options
  expect_status 2 "$SGXRA" registry add "$ID/lexe/test_vectors_ref_sigstruct.bin" "${D[@]}" --isvsvn 3
  expect_err_contains "come from it"

  # -- signed SDK enclaves: the embedded SIGSTRUCT ----------------------------
  local f mre mrs prod svn
  while read -r f mre mrs prod svn; do
    if [ "$mrs" = 83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e ]; then
      expect_status 1 "$SGXRA" registry add "$SDK/$f" "${D[@]}"
      expect_err_contains "Intel SGX SDK sample key"
      expect_status 0 "$SGXRA" registry add "$SDK/$f" "${D[@]}" --allow-debug-signer --json
    else
      expect_status 0 "$SGXRA" registry add "$SDK/$f" "${D[@]}" --json
    fi
    expect_json mrenclave "$mre"
    expect_json mrsigner "$mrs"
    expect_json isvprodid "$prod"
    expect_json isvsvn "$svn"
    expect_json source sigstruct
  done < <(python3 -c 'import json,sys
for e in json.load(open(sys.argv[1])): print(e["file"], e["mrenclave"], e["mrsigner"], e["isvprodid"], e["isvsvn"])' "$SDK/expected.json")

  # -- an enclave image, measured by sgxra -------------------------------------
  expect_status 2 "$SGXRA" registry add "$ID/enarx-sgx/encl.bin" "${D[@]}"
  expect_err_contains "--mrsigner, --isvprodid and --isvsvn are required"
  new_db "$be"
  local D2=(--db "$DB")
  expect_status 0 "$SGXRA" registry add "$ID/enarx-sgx/encl.bin" "${D2[@]}" \
    --mrsigner fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542 --isvprodid 7 --isvsvn 3 --json
  expect_json mrenclave b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
  expect_json source enclave
  expect_json attributes.flags 0x4
  expect_json attributes.xfrm 0x3
  expect_status 0 "$SGXRA" registry add "$ID/fortanix-rust-sgx/test_enclave.sgxs" "${D2[@]}" \
    --mrsigner fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542 --isvprodid 0xffff --isvsvn 0 \
    --attributes 0400000000000000e700000000000000 --json
  expect_json mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc
  expect_json attributes.xfrm 0xe7
  # not an enclave at all
  expect_status 2 "$SGXRA" registry add "$BUN/sgx-01-phala-v3/quote.bin" "${D2[@]}" \
    --mrsigner fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542 --isvprodid 1 --isvsvn 1
  expect_err_contains "expected a SIGSTRUCT"

  # -- hex --------------------------------------------------------------------
  local H1=1111111111111111111111111111111111111111111111111111111111111111
  local H2=2222222222222222222222222222222222222222222222222222222222222222
  expect_status 0 "$SGXRA" registry add --mrenclave $H1 --mrsigner $H2 --isvprodid 3 --isvsvn 4 "${D2[@]}" --json
  expect_json source hex
  expect_json mrenclave $H1
  local HID; HID=$(jval .id)
  expect_status 2 "$SGXRA" registry add --mrenclave ${H1}11 --mrsigner $H2 --isvprodid 3 --isvsvn 4 "${D2[@]}"
  expect_err_contains "expected 64 hex digits (32 bytes), found 66 [SGXRA_E_POLICY_HEX]"
  expect_status 2 "$SGXRA" registry add --mrenclave $H1 --mrsigner ${H2:1}x --isvprodid 3 --isvsvn 4 "${D2[@]}"
  expect_err_contains "[SGXRA_E_HEX]"
  expect_status 2 "$SGXRA" registry add --mrenclave $H1 --mrsigner $H2 --isvprodid 65536 --isvsvn 4 "${D2[@]}"
  expect_err_contains "out of range"
  expect_status 2 "$SGXRA" registry add --mrenclave $H1 --mrsigner $H2 --isvprodid 1 --isvsvn 4 --attributes 04 "${D2[@]}"
  expect_err_contains "expected 32 hex digits"
  expect_status 2 "$SGXRA" registry add --mrenclave $H1 "${D2[@]}"
  expect_err_contains "are required"
  expect_status 1 "$SGXRA" registry add --mrenclave $H1 --mrsigner $H2 --isvprodid 3 --isvsvn 4 "${D2[@]}"
  expect_err_contains "[SGXRA_E_STORE_DUPLICATE]"
  expect_status 1 "$SGXRA" registry add --mrenclave $H2 --isvprodid 0 --isvsvn 0 "${D2[@]}" \
    --mrsigner 83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e
  expect_err_contains "well-known public key"

  # -- corrupt SIGSTRUCT uploads: exit 2 with the code, nothing written --------
  flip "$ID/intel-pce/pce_sigstruct.bin" 600 "$T/badsig.sig"
  expect_status 2 "$SGXRA" registry add "$T/badsig.sig" "${D2[@]}"
  expect_err_contains "[SGXRA_E_SIGSTRUCT_SIGNATURE]"
  flip "$ID/intel-pce/pce_sigstruct.bin" 1024 "$T/badfield.sig"
  expect_status 2 "$SGXRA" registry add "$T/badfield.sig" "${D2[@]}"
  expect_err_contains "[SGXRA_E_SIGSTRUCT_SIGNATURE]"
  flip "$ID/intel-pce/pce_sigstruct.bin" 3 "$T/badhdr.sig"
  expect_status 2 "$SGXRA" registry add "$T/badhdr.sig" "${D2[@]}"
  expect_err_contains "[SGXRA_E_FILE_UNKNOWN]"
  head -c 1000 "$ID/intel-pce/pce_sigstruct.bin" >"$T/short.sig"
  expect_status 2 "$SGXRA" registry add "$T/short.sig" "${D2[@]}"
  expect_status 0 "$SGXRA" registry list "${D2[@]}" --json
  local cnt; cnt=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["enclaves"]))')
  [ "$cnt" = 3 ] && ok || bad "$be: $cnt enclaves after the refusals, want 3"

  # -- trust-signer, deny, revoke, list, show ---------------------------------
  expect_status 0 "$SGXRA" registry trust-signer --mrsigner $H2 --isvprodid 9 --min-isvsvn 2 "${D2[@]}" --product prod9 --json
  expect_json kind signer
  expect_json min_isvsvn 2
  local SID; SID=$(jval .id)
  expect_status 1 "$SGXRA" registry trust-signer --mrsigner $H2 --isvprodid 9 --min-isvsvn 5 "${D2[@]}"
  expect_err_contains "[SGXRA_E_STORE_DUPLICATE]"
  expect_status 2 "$SGXRA" registry trust-signer --mrsigner $H2 "${D2[@]}"
  expect_status 0 "$SGXRA" registry trust-signer "$ID/intel-linux-sgx/le_prod_css_1.5_initial.bin" "${D2[@]}" --json
  expect_json mrsigner acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4
  expect_json isvprodid 32
  expect_json min_isvsvn 1
  expect_json source sigstruct
  expect_status 1 "$SGXRA" registry trust-signer "$ID/fortanix-rust-sgx/sig1.sigstruct.bin" "${D2[@]}"
  expect_err_contains "well-known public key"
  expect_status 0 "$SGXRA" registry deny --mrenclave $H2 --reason "leaks keys (CVE-X)" "${D2[@]}" --json
  expect_json kind deny
  expect_json reason "leaks keys (CVE-X)"
  local DID; DID=$(jval .id)
  expect_status 2 "$SGXRA" registry deny --mrenclave $H2 "${D2[@]}"
  expect_err_contains "--reason TEXT"
  expect_status 1 "$SGXRA" registry deny --mrenclave $H2 --reason again "${D2[@]}"
  expect_status 0 "$SGXRA" registry revoke enclave "$HID" "${D2[@]}" --actor bob --json
  expect_json revoked true
  expect_json revoked_by bob
  expect_status 1 "$SGXRA" registry revoke enclave "$HID" "${D2[@]}"
  expect_err_contains "revoked already"
  expect_status 1 "$SGXRA" registry revoke signer 999 "${D2[@]}"
  expect_err_contains "[SGXRA_E_STORE_NOT_FOUND]"
  expect_status 2 "$SGXRA" registry revoke table 1 "${D2[@]}"
  expect_status 2 "$SGXRA" registry revoke enclave 0 "${D2[@]}"
  expect_status 0 "$SGXRA" registry revoke signer "$SID" "${D2[@]}"
  expect_status 0 "$SGXRA" registry list "${D2[@]}" --json
  expect_json enclaves.0.source enclave
  local counts
  counts=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["enclaves"]), len(d["signers"]), len(d["denied"]))')
  [ "$counts" = "2 1 1" ] && ok || bad "$be: list counts '$counts', want '2 1 1'"
  expect_status 0 "$SGXRA" registry list "${D2[@]}" --all --json
  counts=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["enclaves"]), len(d["signers"]), len(d["denied"]))')
  [ "$counts" = "3 2 1" ] && ok || bad "$be: list --all counts '$counts', want '3 2 1'"
  expect_status 0 "$SGXRA" registry list "${D2[@]}"
  case "$OUT" in *"deny $DID"*"leaks keys"*) ok ;; *) bad "$be: human list: $OUT" ;; esac
  expect_status 0 "$SGXRA" registry show enclave "$HID" "${D2[@]}" --json
  expect_json mrenclave $H1
  expect_json revoked true
  expect_status 0 "$SGXRA" registry show deny "$DID" "${D2[@]}"
  case "$OUT" in *reason*"leaks keys"*) ok ;; *) bad "$be: human show: $OUT" ;; esac
  expect_status 1 "$SGXRA" registry show signer 77 "${D2[@]}"

  # -- policy -----------------------------------------------------------------
  expect_status 0 "$SGXRA" policy show "${D2[@]}" --json
  expect_json version 0
  expect_json default true
  expect_json document '{"sgxra_policy":1}'
  printf '{"sgxra_policy": 1,\n "accept_tcb_status": ["UpToDate", "SWHardeningNeeded"]}\n' >"$T/p1.json"
  expect_status 0 "$SGXRA" policy set "$T/p1.json" "${D2[@]}" --json
  expect_json version 1
  expect_json sha256 "$(sha256sum "$T/p1.json" | cut -d' ' -f1)"
  printf '{"sgxra_policy": 1, "accept_tcb_statuses": ["UpToDate"]}' >"$T/bad.json"
  expect_status 2 "$SGXRA" policy set "$T/bad.json" "${D2[@]}"
  expect_err_contains "[SGXRA_E_POLICY_UNKNOWN_KEY]"
  expect_status 2 "$SGXRA" policy set "${D2[@]}" - <<<'[1]'
  expect_err_contains "[SGXRA_E_POLICY_FORMAT]"
  expect_status 0 "$SGXRA" policy set - "${D2[@]}" --actor carol <<<'{"sgxra_policy": 1, "allow_debug": true}'
  case "$OUT" in *version*2*) ok ;; *) bad "$be: policy set - : $OUT" ;; esac
  expect_status 0 "$SGXRA" policy show "${D2[@]}" --version 1 --json
  expect_json document "$(cat "$T/p1.json")"
  expect_json set_by tester
  expect_status 0 "$SGXRA" policy show "${D2[@]}"
  case "$OUT" in *'"allow_debug": true'*) ok ;; *) bad "$be: policy show: $OUT" ;; esac
  expect_status 1 "$SGXRA" policy show --version 9 "${D2[@]}"
  expect_status 0 "$SGXRA" policy history "${D2[@]}" --json
  expect_json versions.0.version 1
  expect_json versions.1.version 2
  expect_json versions.1.set_by carol

  # -- audit ------------------------------------------------------------------
  expect_status 0 "$SGXRA" audit list "${D2[@]}" --json
  expect_json rows.0.kind enclave.add
  expect_json rows.0.actor tester
  expect_status 0 "$SGXRA" audit list "${D2[@]}" --after 2 --limit 1 --json
  expect_json rows.0.seq 3
  expect_status 2 "$SGXRA" audit list "${D2[@]}" --limit 0
  expect_status 0 "$SGXRA" audit verify "${D2[@]}" --json
  expect_json intact true
  sql "$be" "UPDATE audit SET actor = 'mallory' WHERE seq = 3" >/dev/null
  expect_status 1 "$SGXRA" audit verify "${D2[@]}" --json
  expect_json intact false
  expect_json first_bad_seq 3
  expect_err_contains "row 3"
  expect_err_contains "[SGXRA_E_STORE_AUDIT_BROKEN]"

  # -- appraise real quotes ----------------------------------------------------
  # D3 keeps the default policy, D4 accepts every TCB status; each bundle's
  # enclave is registered in both, appraised, then revoked (some bundles
  # share an MRENCLAVE with different signers)
  new_db "$be"
  local D3=(--db "$DB") dir e at name want
  new_db "$be"
  local D4=(--db "$DB")
  cat >"$T/accept.json" <<'P'
{"sgxra_policy": 1,
 "accept_tcb_status": ["UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
   "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"],
 "allow_expired_collateral": true, "allow_debug": true}
P
  expect_status 0 "$SGXRA" policy set "$T/accept.json" "${D4[@]}"
  local PSHA; PSHA=$(sha256sum "$T/accept.json" | cut -d' ' -f1)
  for dir in "$BUN"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    e="$dir/expected.json"
    at=$(field "$e" verification_time)
    want=TCB_STATUS_NOT_ACCEPTED
    [ "$(field "$e" collateral_expiration_status)" = 1 ] && want="$want COLLATERAL_EXPIRED"
    expect_status 1 "$SGXRA" appraise "$dir/quote.bin" --collateral "$dir" --at "$at" "${D3[@]}" --json
    expect_json decision not_trusted
    expect_codes "$want MRENCLAVE_NOT_REGISTERED" "$name unregistered"
    expect_json verdict "$(field "$e" quote_verification_result)"
    expect_json return "$(field "$e" qve_return)"
    expect_json matched null
    expect_json policy.version 0
    local missing
    missing=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(" ".join(k for k in "decision reasons policy matched return verdict collateral_expired advisory_ids tcb_status tcb_date fmspc mrenclave mrsigner isvprodid isvsvn debug report_data audit_seq".split() if k not in d))')
    [ -z "$missing" ] && ok || bad "$name: appraise --json lacks $missing"
    local args
    args=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("--mrenclave", d["mrenclave"], "--mrsigner", d["mrsigner"], "--isvprodid", d["isvprodid"], "--isvsvn", d["isvsvn"])')
    local mre=${args#--mrenclave }
    mre=${mre%% *}
    # shellcheck disable=SC2086
    expect_status 0 "$SGXRA" registry add $args --attributes "$(quote_attributes "$dir/quote.bin")" \
      --allow-debug-signer --product "$name" "${D3[@]}" --json
    local id3; id3=$(jval .id)
    # shellcheck disable=SC2086
    expect_status 0 "$SGXRA" registry add $args --attributes "$(quote_attributes "$dir/quote.bin")" \
      --allow-debug-signer --product "$name" "${D4[@]}" --json
    local id4; id4=$(jval .id)
    expect_status 1 "$SGXRA" appraise "$dir/quote.bin" --collateral "$dir" --at "$at" "${D3[@]}" --json
    expect_codes "$want" "$name registered, default policy"
    expect_json matched.kind enclave
    expect_json matched.mrenclave "$mre"
    expect_status 0 "$SGXRA" appraise "$dir/quote.bin" --collateral "$dir" --at "$at" "${D4[@]}" --json
    expect_json decision trusted
    expect_codes "" "$name accepting policy"
    expect_json policy.version 1
    expect_json policy.sha256 "$PSHA"
    expect_json matched.id "$id4"
    expect_status 0 "$SGXRA" registry revoke enclave "$id3" "${D3[@]}"
    expect_status 0 "$SGXRA" registry revoke enclave "$id4" "${D4[@]}"
  done
  D3=("${D4[@]}")
  # keep sgx-01 registered for the cases below
  local B01="$BUN/sgx-01-phala-v3" T01=2025-07-01T00:00:00Z
  expect_status 0 "$SGXRA" registry add --mrenclave 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb \
    --mrsigner 815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6 --isvprodid 0 --isvsvn 0 \
    --attributes "$(quote_attributes "$B01/quote.bin")" "${D3[@]}"
  expect_status 0 "$SGXRA" appraise "$B01/quote.bin" --collateral "$B01" --at $T01 "${D3[@]}" \
    --report-data 48656c6c6f2c20776f726c6421000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
  case "$OUT" in *decision*trusted*) ok ;; *) bad "$be: human appraise: $OUT" ;; esac
  # a wrong expected REPORTDATA; a quote that does not parse
  expect_status 1 "$SGXRA" appraise "$B01/quote.bin" --collateral "$B01" --at $T01 "${D3[@]}" \
    --report-data "$(printf '00%.0s' $(seq 64))" --json
  expect_codes "REPORT_DATA_MISMATCH" "sgx-01 wrong report data"
  expect_status 2 "$SGXRA" appraise "$B01/quote.bin" --collateral "$B01" --at $T01 "${D3[@]}" --report-data 00
  expect_err_contains "[SGXRA_E_POLICY_HEX]"
  flip "$B01/quote.bin" 0 "$T/ver.bin"
  expect_status 2 "$SGXRA" appraise "$T/ver.bin" --collateral "$B01" --at $T01 "${D3[@]}"
  expect_err_contains "[SGXRA_E_QUOTE_VERSION]"
  flip "$B01/quote.bin" 112 "$T/body.bin"
  expect_status 1 "$SGXRA" appraise "$T/body.bin" --collateral "$B01" --at $T01 "${D3[@]}" --json
  expect_json decision not_trusted
  case "$(codes)" in QUOTE_NOT_GENUINE*) ok ;; *) bad "$be: tampered body: $(codes)" ;; esac
  # each appraisal is in the audit log, and the chain is intact
  expect_status 0 "$SGXRA" audit list "${D3[@]}" --limit 10000 --json
  local ndec; ndec=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(sum(r["kind"]=="decision" for r in json.load(sys.stdin)["rows"]))')
  [ "$ndec" = 16 ] && ok || bad "$be: $ndec decision rows, want 16 (13 + 3)"
  expect_status 0 "$SGXRA" audit verify "${D3[@]}"
}

for be in $backends; do run_backend "$be"; done
[ -n "$PGURL" ] && cleanup_pg

# ---- databases that cannot be used (SQLite) -----------------------------------
head -c 4096 /dev/urandom >"$T/junk.db"
expect_status 2 "$SGXRA" registry list --db "sqlite:$T/junk.db"
expect_err_contains "[SGXRA_E_STORE_NOT_DATABASE]"
expect_status 2 "$SGXRA" registry add --mrenclave $(printf '33%.0s' $(seq 32)) --mrsigner $(printf '44%.0s' $(seq 32)) \
  --isvprodid 1 --isvsvn 1 --db "sqlite:$T/junk.db"
expect_err_contains "[SGXRA_E_STORE_NOT_DATABASE]"
cmp -s <(head -c 4096 "$T/junk.db") "$T/junk.db" && ok || bad "junk.db was changed"
expect_status 0 "$SGXRA" registry add --mrenclave $(printf '33%.0s' $(seq 32)) --mrsigner $(printf '44%.0s' $(seq 32)) \
  --isvprodid 1 --isvsvn 1 --db "sqlite:$T/ro.db"
expect_status 2 "$SGXRA" registry add --mrenclave $(printf '55%.0s' $(seq 32)) --mrsigner $(printf '44%.0s' $(seq 32)) \
  --isvprodid 1 --isvsvn 1 --db "sqlite:$T/ro.db?mode=ro"
expect_err_contains "[SGXRA_E_STORE_READ_ONLY]"
expect_status 0 "$SGXRA" registry list --db "sqlite:$T/ro.db?mode=ro" --json
expect_json enclaves.0.mrenclave "$(printf '33%.0s' $(seq 32))"
expect_status 2 "$SGXRA" registry list --db "mysql://nope"
expect_err_contains "[SGXRA_E_STORE_URL]"
expect_status 2 "$SGXRA" registry list --db "sqlite:$T/no/such/dir/r.db"
expect_err_contains "[SGXRA_E_STORE_OPEN]"
finish
