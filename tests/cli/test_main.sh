#!/usr/bin/env bash
# The `sgxra` command itself (apps/main.c): verbs, help, and that a result
# which cannot be written is never reported as success.
. "$(dirname "$0")/lib.sh"
SS="$V/identity/fortanix-rust-sgx/sig1.sigstruct.bin"

expect_status 0 "$SGXRA" --help
case "$OUT" in *inspect*) ok ;; *) bad "--help lists no verbs: $OUT" ;; esac
case "$OUT" in *"decimal or 0x-prefixed hex"*) ok ;; *) bad "--help does not give the number syntax: $OUT" ;; esac
expect_status 2 "$SGXRA"
expect_status 2 "$SGXRA" frobnicate
expect_err_contains "unknown command 'frobnicate'"
expect_err_contains "sgxra --help"

# Option errors name the option, also inside a group of short options.
expect_status 2 "$SGXRA" inspect -Zh "$SS"
expect_err_contains "unknown option '-Z'"
expect_status 2 "$SGXRA" inspect --no-such-option "$SS"
expect_err_contains "unknown option '--no-such-option'"
expect_status 2 "$SGXRA" verify "$SS" -c
expect_err_contains "option '-c' needs a value"
expect_status 2 "$SGXRA" verify "$SS" --collateral
expect_err_contains "option '--collateral' needs a value"

# A full stdout (/dev/full): the JSON is lost, so the exit status must not
# be 0, and stderr says why.
if [ -w /dev/full ]; then
  "$SGXRA" inspect "$SS" --json >/dev/full 2>"$T/err"; rc=$?
  if [ "$rc" -eq 2 ]; then ok; else bad "inspect --json >/dev/full: exit $rc, want 2"; fi
  case "$(cat "$T/err")" in *"cannot write"*) ok ;; *) bad "no write error on stderr: $(cat "$T/err")" ;; esac
  "$SGXRA" inspect "$SS" >/dev/full 2>"$T/err"; rc=$?
  if [ "$rc" -eq 2 ]; then ok; else bad "inspect >/dev/full: exit $rc, want 2"; fi
  "$SGXRA" --help >/dev/full 2>"$T/err"; rc=$?
  if [ "$rc" -eq 2 ]; then ok; else bad "--help >/dev/full: exit $rc, want 2"; fi
else
  bad "/dev/full is missing: cannot test write failures"
fi
# The same command to a working stdout still succeeds.
expect_status 0 "$SGXRA" inspect "$SS" --json
expect_json mrsigner 83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e
finish
