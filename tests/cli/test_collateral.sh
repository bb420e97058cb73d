# CLI tests of `sgxra collateral import|list|export|delete` on the real
# bundles of dcap/bundles: each is imported at its verification time,
# exported again, and `sgxra verify --collateral` on the export must give
# exactly the original's answer (exit status and the whole JSON).  Then
# refusals (a tampered bundle, a non-empty export directory, unknown keys,
# bad flags), the default cache location, and import/list/export on
# PostgreSQL (the server of ctest's pg_cluster_start fixture, or
# $SGXRA_TEST_PG_URL; skipped without one, failed with SGXRA_REQUIRE_PG=1).
. "$(dirname "$0")/lib.sh"
B="${SGXRA_BUILD_DIR:?}"
BUN=$(cd "$V/dcap/bundles" && pwd -P)
unset SGXRA_CACHE
C="sqlite:$T/cache.db"

# field FILE KEY: a top-level value of a JSON file
field() {
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]
print(json.dumps(v) if not isinstance(v,str) else v)' "$1" "$2"
}
# line_of FMSPC CA UPDATE: the list line of that key (from $OUT)
line_of() { printf '%s\n' "$OUT" | grep "^$1 $2 *$3 " ; }

# ---- every real bundle: import, export, same verdict ---------------------
# expect_of BUNDLE-DIR: "AT FMSPC EVAL NEXT-UPDATE" from the bundle itself
# (verification time, the TCB Info's FMSPC and tcbEvaluationDataNumber, the
# earliest nextUpdate of TCB Info, QE Identity and both CRLs); one python
# run per bundle (python starts slowly on a loaded machine)
expect_of() {
  python3 - "$1" <<'EOF'
import json, subprocess, sys, datetime
d = sys.argv[1]
def crl(f):
    for form in ("DER", "PEM"):
        r = subprocess.run(["openssl", "crl", "-inform", form, "-noout", "-nextupdate", "-in", f], capture_output=True, text=True)
        if r.returncode == 0:
            t = r.stdout.strip().split("=", 1)[1]
            return datetime.datetime.strptime(t, "%b %d %H:%M:%S %Y GMT").replace(tzinfo=datetime.timezone.utc)
    raise SystemExit("cannot read " + f)
def js(f, k):
    t = json.load(open(f))[k]["nextUpdate"]
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
tcb = json.load(open(d + "/tcb_info.json"))["tcbInfo"]
ts = [js(d + "/tcb_info.json", "tcbInfo"), js(d + "/qe_identity.json", "enclaveIdentity"), crl(d + "/pck_crl.der"), crl(d + "/root_ca_crl.der")]
print(json.load(open(d + "/expected.json"))["verification_time"], tcb["fmspc"].lower(),
      tcb["tcbEvaluationDataNumber"], min(ts).strftime("%Y-%m-%dT%H:%M:%SZ"))
EOF
}
n=0
for dir in "$BUN"/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  read -r at fmspc eval nu < <(expect_of "$dir")
  upd=standard
  case "$name" in *early*) upd=early ;; esac
  case "$(openssl x509 -noout -subject -in "$dir/pck_crl_issuer_chain.pem" 2>/dev/null)" in
  *"Processor CA"*) ca=processor ;;
  *"Platform CA"*) ca=platform ;;
  *) ca=? ;;
  esac
  exp=""
  [ "$(date -u -d "$nu" +%s)" -le "$(date -u -d "$at" +%s)" ] && exp=" (expired)"
  expect_status 0 "$SGXRA" collateral import "$dir" --update "$upd" --at "$at" --cache "$C"
  want="imported $fmspc $ca $upd tcbEvaluationDataNumber=$eval next_update=$nu$exp source=import:$dir"
  [ "$OUT" = "$want" ] && ok || bad "$name: import said"$'\n'"  $OUT"$'\n'"want"$'\n'"  $want"
  # export right away (a later bundle may have the same key) and verify
  expect_status 0 "$SGXRA" collateral export --fmspc "$fmspc" --ca "$ca" --update "$upd" -o "$T/exp-$name" --cache "$C"
  for f in "$dir"/*; do
    b=$(basename "$f")
    case "$b" in quote.bin | expected.json) continue ;; esac
    cmp -s "$f" "$T/exp-$name/$b" && ok || bad "$name: exported $b differs"
    [ "$(stat -c %a "$T/exp-$name/$b" 2>/dev/null)" = 644 ] && ok || bad "$name: $b mode is not 0644"
  done
  [ "$(ls "$T/exp-$name" | wc -l)" = 7 ] && ok || bad "$name: export holds $(ls "$T/exp-$name" | wc -l) files, want 7"
  ls -d "$T"/exp-"$name".tmp-* >/dev/null 2>&1 && bad "$name: temporary directory left behind" || ok
  "$SGXRA" verify "$dir/quote.bin" --collateral "$dir" --at "$at" --json >"$T/v1.json" 2>/dev/null
  s1=$?
  "$SGXRA" verify "$dir/quote.bin" --collateral "$T/exp-$name" --at "$at" --json >"$T/v2.json" 2>/dev/null
  s2=$?
  [ "$s1" = "$s2" ] && ok || bad "$name: verify exits $s1 on the bundle, $s2 on the export"
  # the same JSON, so the same return, verdict, collateral_expired and
  # advisory_ids -- and they are there
  cmp -s "$T/v1.json" "$T/v2.json" && ok || bad "$name: verify --json differs between bundle and export"
  for k in return verdict collateral_expired advisory_ids; do
    grep -q "^  \"$k\": " "$T/v2.json" && ok || bad "$name: verify --json on the export lacks $k"
  done
  want_ret=$(grep -o '"qve_return": *"[A-Z_]*"' "$dir/expected.json" | sed 's/.*"\([A-Z_]*\)"$/\1/')
  grep -q "^  \"return\": \"$want_ret\"" "$T/v2.json" && ok || bad "$name: verify on the export does not return '$want_ret'"
  n=$((n + 1))
done
[ "$n" -ge 13 ] && ok || bad "only $n bundles found in $BUN"

# ---- list ------------------------------------------------------------------
# Keys present after the loop (the last import of each key wins):
# 00606a000000 platform standard <- sgx-22 (eval 19), 00906ed50000 processor
# early <- sgx-12, 00906ed50000 processor standard <- sgx-25 (eval 15),
# 00a067110000 processor standard <- sgx-01, 30606a000000 platform standard
# <- sgx-26.
expect_status 0 "$SGXRA" collateral list --cache "$C" --at 2025-07-01T00:00:00Z
[ "$(printf '%s\n' "$OUT" | wc -l)" = 5 ] && ok || bad "list: $(printf '%s\n' "$OUT" | wc -l) lines, want 5:"$'\n'"$OUT"
l=$(line_of 00a067110000 processor standard)
case "$l" in *" 17 2025-07-01T00:00:00Z 2025-07-19T10:01:18Z fresh import:$BUN/sgx-01-phala-v3") ok ;; *) bad "list line of sgx-01: '$l'" ;; esac
l=$(line_of 00906ed50000 processor standard)
case "$l" in *" 15 "*" 2023-05-21T22:00:36Z stale import:$BUN/sgx-25-mobilecoin-2023-expired-pck-crl") ok ;; *) bad "list line of sgx-25: '$l'" ;; esac
l=$(line_of 00906ed50000 processor early)
case "$l" in *" 19 "*"import:$BUN/sgx-12-mobilecoin-teepot-early-eval19") ok ;; *) bad "list line of sgx-12: '$l'" ;; esac
# ordered by FMSPC, CA, update type
first=$(printf '%s\n' "$OUT" | awk '{print $1" "$2" "$3}' | tr '\n' ',')
[ "$first" = "00606a000000 platform standard,00906ed50000 processor early,00906ed50000 processor standard,00a067110000 processor standard,30606a000000 platform standard," ] &&
  ok || bad "list order: $first"
# stale once past next_update
expect_status 0 "$SGXRA" collateral list --cache "$C" --at 2025-07-19T10:01:18Z
case "$(line_of 00a067110000 processor standard)" in *" stale "*) ok ;; *) bad "sgx-01 not stale at its nextUpdate" ;; esac
expect_status 0 "$SGXRA" collateral list --cache "$C" --at 2025-07-01T00:00:00Z --json
expect_json entries.3.fmspc 00a067110000
expect_json entries.3.tcb_eval_num 17
expect_json entries.3.next_update 2025-07-19T10:01:18Z
expect_json entries.3.fresh true
expect_json entries.2.fresh false
expect_json at 2025-07-01T00:00:00Z

# ---- refusals ----------------------------------------------------------------
B01="$BUN/sgx-01-phala-v3"
# a tampered bundle: one byte of tcb_info.json changed
mkdir "$T/tampered" && cp "$B01"/* "$T/tampered/" && chmod u+w "$T/tampered"/*
python3 - "$T/tampered/tcb_info.json" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b'"tcbEvaluationDataNumber":') + len(b'"tcbEvaluationDataNumber":')
while not (0x30 <= b[i] <= 0x39): i += 1
b[i] = 0x30 + (b[i] - 0x30 + 1) % 10
open(p, "wb").write(bytes(b))
EOF
cmp -s "$B01/tcb_info.json" "$T/tampered/tcb_info.json" && bad "tampering changed nothing" || ok
C2="sqlite:$T/cache2.db"
expect_status 2 "$SGXRA" collateral import "$T/tampered" --at 2025-07-01T00:00:00Z --cache "$C2"
expect_err_contains "sgxra collateral import: $T/tampered"
expect_err_contains "SGXRA_E_TCBINFO_SIGNATURE"
expect_err_contains "not imported"
expect_status 0 "$SGXRA" collateral list --cache "$C2"
[ "$OUT" = "(no entries)" ] && ok || bad "the tampered bundle was stored: $OUT"
# under another trust root nothing validates
expect_status 2 "$SGXRA" collateral import "$B01" --at 2025-07-01T00:00:00Z --cache "$C2" \
  --trust-root "$B01/pck_crl_issuer_chain.pem"
# Intel's root given explicitly: accepted
expect_status 0 "$SGXRA" collateral import "$B01" --at 2025-07-01T00:00:00Z --cache "$C2" \
  --trust-root "$V/dcap/Intel_SGX_Root_CA.pem"
# a bundle without one of its files
mkdir "$T/partial" && cp "$B01"/* "$T/partial/" && rm -f "$T/partial/pck_crl.der"
expect_status 2 "$SGXRA" collateral import "$T/partial" --at 2025-07-01T00:00:00Z --cache "$C2"
expect_err_contains "pck_crl.der"
expect_status 2 "$SGXRA" collateral import "$T/nonexistent" --cache "$C2"
# export into a non-empty directory
mkdir "$T/full" && echo x >"$T/full/keep"
expect_status 2 "$SGXRA" collateral export --fmspc 00a067110000 --ca processor -o "$T/full" --cache "$C"
expect_err_contains "not empty"
[ "$(ls "$T/full")" = keep ] && ok || bad "export touched a non-empty directory: $(ls "$T/full")"
ls -d "$T"/full.tmp-* >/dev/null 2>&1 && bad "temporary directory left behind" || ok
# an existing empty directory is fine
mkdir "$T/empty"
expect_status 0 "$SGXRA" collateral export --fmspc 00A067110000 --ca processor -o "$T/empty/" --cache "$C" --json
expect_json dir "$T/empty"
cmp -s "$B01/tcb_info.json" "$T/empty/tcb_info.json" && ok || bad "export into an empty directory"
# no such key
expect_status 2 "$SGXRA" collateral export --fmspc 00a067110000 --ca platform -o "$T/none" --cache "$C"
expect_err_contains "no entry for FMSPC 00a067110000, CA platform, update standard"
[ -e "$T/none" ] && bad "export of a missing key created its directory" || ok
# usage errors
expect_status 2 "$SGXRA" collateral export --fmspc 00a0671100 --ca processor -o "$T/x" --cache "$C"
expect_err_contains "--fmspc"
expect_status 2 "$SGXRA" collateral export --fmspc 00a067110000 --ca Processor -o "$T/x" --cache "$C"
expect_err_contains "--ca 'Processor'"
expect_status 2 "$SGXRA" collateral export --fmspc 00a067110000 --ca processor --cache "$C"
expect_err_contains "-o DIR is required"
expect_status 2 "$SGXRA" collateral import "$B01" --update late --cache "$C2"
expect_err_contains "--update 'late'"
expect_status 2 "$SGXRA" collateral import "$B01" --at yesterday --cache "$C2"
expect_err_contains "--at 'yesterday'"
expect_status 2 "$SGXRA" collateral list --fmspc 00a067110000 --cache "$C"
expect_err_contains "does not apply"
expect_status 2 "$SGXRA" collateral frobnicate
expect_err_contains "unknown sub-command 'frobnicate'"
expect_status 0 "$SGXRA" collateral --help
case "$OUT" in *"collateral import DIR"*) ok ;; *) bad "help lacks import" ;; esac
expect_status 0 "$SGXRA" collateral import --help
expect_status 2 "$SGXRA" collateral list --cache "bogus:x"
expect_err_contains "SGXRA_E_STORE_URL"
# a read-only cache refuses writes
expect_status 2 "$SGXRA" collateral import "$B01" --at 2025-07-01T00:00:00Z --cache "$C?mode=ro"
expect_err_contains "SGXRA_E_STORE_READ_ONLY"

# ---- delete --------------------------------------------------------------------
expect_status 0 "$SGXRA" collateral delete --fmspc 00a067110000 --ca processor --cache "$C"
[ "$OUT" = "deleted 00a067110000 processor standard" ] && ok || bad "delete said '$OUT'"
expect_status 2 "$SGXRA" collateral delete --fmspc 00a067110000 --ca processor --cache "$C"
expect_err_contains "no entry"
expect_status 0 "$SGXRA" collateral list --cache "$C"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 4 ] && ok || bad "after delete: $OUT"
line_of 00a067110000 processor standard >/dev/null && bad "deleted entry still listed" || ok

# ---- the default cache: $SGXRA_CACHE, else $XDG_CACHE_HOME, else ~/.cache
expect_status 0 env SGXRA_CACHE="sqlite:$T/env.db" "$SGXRA" collateral import "$B01" --at 2025-07-01T00:00:00Z
[ -s "$T/env.db" ] && ok || bad "\$SGXRA_CACHE not used"
expect_status 0 env XDG_CACHE_HOME="$T/xdg" "$SGXRA" collateral import "$B01" --at 2025-07-01T00:00:00Z --json
expect_json cache "sqlite:$T/xdg/sgxra/collateral.db"
[ "$(stat -c %a "$T/xdg/sgxra")" = 700 ] && ok || bad "cache folder mode $(stat -c %a "$T/xdg/sgxra")"
expect_status 0 env -u XDG_CACHE_HOME HOME="$T/home" "$SGXRA" collateral list --json
expect_json cache "sqlite:$T/home/.cache/sgxra/collateral.db"
expect_json entries "[]"

# ---- fetch is dispatched (its own file) --------------------------------------
"$SGXRA" collateral fetch --help >/dev/null 2>&1
[ $? -ne 127 ] && ok || bad "collateral fetch not dispatched"

# ---- PostgreSQL ----------------------------------------------------------------
PGURL="${SGXRA_TEST_PG_URL:-}"
[ -z "$PGURL" ] && [ -s "$B/pg-cluster.url" ] && PGURL=$(head -n1 "$B/pg-cluster.url")
if [ -n "$PGURL" ]; then
  s="clicoll_$$"
  psql "$PGURL" -qc "CREATE SCHEMA $s" >/dev/null || bad "CREATE SCHEMA $s failed"
  trap 'psql "$PGURL" -qc "SET client_min_messages = warning; DROP SCHEMA '"$s"' CASCADE" >/dev/null 2>&1; rm -rf "$T"' EXIT
  case "$PGURL" in *\?*) PC="$PGURL&options=-csearch_path%3D$s" ;; *) PC="$PGURL?options=-csearch_path%3D$s" ;; esac
  for name in sgx-01-phala-v3 sgx-25-mobilecoin-2023-expired-pck-crl; do
    dir="$BUN/$name"
    at=$(field "$dir/expected.json" verification_time)
    expect_status 0 "$SGXRA" collateral import "$dir" --at "$at" --cache "$PC"
  done
  expect_status 0 "$SGXRA" collateral list --cache "$PC" --at 2025-07-01T00:00:00Z
  [ "$(printf '%s\n' "$OUT" | wc -l)" = 2 ] && ok || bad "pg list: $OUT"
  case "$(line_of 00a067110000 processor standard)" in *" 17 2025-07-01T00:00:00Z 2025-07-19T10:01:18Z fresh import:$B01") ok ;; *) bad "pg list line: $OUT" ;; esac
  case "$(line_of 00906ed50000 processor standard)" in *" 15 "*" stale "*) ok ;; *) bad "pg list line of sgx-25: $OUT" ;; esac
  expect_status 0 "$SGXRA" collateral export --fmspc 00a067110000 --ca processor -o "$T/pgexp" --cache "$PC"
  "$SGXRA" verify "$B01/quote.bin" --collateral "$B01" --at 2025-07-01T00:00:00Z --json >"$T/v1.json" 2>/dev/null
  "$SGXRA" verify "$B01/quote.bin" --collateral "$T/pgexp" --at 2025-07-01T00:00:00Z --json >"$T/v2.json" 2>/dev/null
  cmp -s "$T/v1.json" "$T/v2.json" && ok || bad "pg: verify differs on the export"
  expect_status 2 "$SGXRA" collateral import "$T/tampered" --at 2025-07-01T00:00:00Z --cache "$PC"
  [ "$(psql "$PGURL" -qAt -c "SELECT count(*) FROM $s.collateral_cache")" = 2 ] && ok || bad "pg: row count"
  [ "$(psql "$PGURL" -qAt -c "SELECT count(*) FROM $s.audit")" = 0 ] && ok || bad "pg: cache writes appended audit rows"
elif [ "${SGXRA_REQUIRE_PG:-0}" = 1 ]; then
  bad "no PostgreSQL server (SGXRA_REQUIRE_PG=1)"
else
  skipped "PostgreSQL half: no server for this run"
fi

finish
