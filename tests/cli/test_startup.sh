# Start-up of the `sgxra` command (issue 15, docs/PERFORMANCE.md
# "Start-up"): the command does not link libpq, libcurl or libmicrohttpd
# (nor, through them, GnuTLS, Kerberos, LDAP, ...); the verbs that need one
# open it on first use, and the others -- --version, verify -- never load
# it.  When the build links libcrypto, jansson and SQLite into the command
# (SGXRA_STATIC_COMMAND, the default; $SGXRA_COMMAND_STATIC=1 here), none
# of them is a shared library of the command either.
. "$(dirname "$0")/lib.sh"

needed=$(readelf -d "$SGXRA" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[ -n "$needed" ] && ok || bad "readelf -d $SGXRA lists no NEEDED library"
for lib in libpq libcurl libmicrohttpd libgnutls libkrb5 libldap libssl; do
  case " $needed" in
  *" $lib"*) bad "sgxra links $lib (NEEDED: $needed)" ;;
  *) ok ;;
  esac
done
if [ "${SGXRA_COMMAND_STATIC:-0}" = 1 ]; then
  for lib in libcrypto libjansson libsqlite3; do
    case " $needed" in
    *" $lib"*) bad "SGXRA_STATIC_COMMAND build links $lib dynamically (NEEDED: $needed)" ;;
    *) ok ;;
    esac
  done
fi

# loaded: the objects ld.so maps for one run (LD_DEBUG=files, on stderr)
loaded() {
  LD_DEBUG=files "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u | tr '\n' ' '
}
expect_status 0 "$SGXRA" --version
case "$OUT" in "sgxra "*) ok ;; *) bad "--version printed '$OUT'" ;; esac
l=$(loaded "$SGXRA" --version)
case "$l" in *libpq* | *libcurl* | *libmicrohttpd*) bad "--version loads $l" ;; *) ok ;; esac

B="$V/dcap/bundles/sgx-12-mobilecoin-teepot-early-eval19"
if [ -f "$B/quote.bin" ]; then
  expect_status 1 "$SGXRA" verify --collateral "$B" --at 2025-06-01T00:00:00Z "$B/quote.bin"
  l=$(loaded "$SGXRA" verify --collateral "$B" --at 2025-06-01T00:00:00Z "$B/quote.bin")
  case "$l" in *libpq* | *libcurl* | *libmicrohttpd*) bad "verify loads $l" ;; *) ok ;; esac
else
  skipped "no bundle $B"
fi

# a verb on PostgreSQL opens libpq itself (port 1: connection refused, no
# server needed), and names the database, not a missing library
expect_status 2 "$SGXRA" registry list --db postgresql://127.0.0.1:1/sgxra
expect_err_contains "SGXRA_E_STORE_OPEN"
l=$(loaded "$SGXRA" registry list --db postgresql://127.0.0.1:1/sgxra)
case "$l" in *libpq.so.5*) ok ;; *) bad "registry on PostgreSQL did not load libpq.so.5: $l" ;; esac
# on SQLite it does not
l=$(loaded "$SGXRA" registry list --db "sqlite:$T/r.db")
case "$l" in *libpq*) bad "registry on SQLite loads $l" ;; *) ok ;; esac

finish
