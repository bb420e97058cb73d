# CLI tests of `sgxra sign`: byte-for-byte reproduction of three reference
# SIGSTRUCTs (vectors README), DEBUG refused by default, unusable keys.
. "$(dirname "$0")/lib.sh"
ID="$V/identity"

same_file() { # same_file GOT WANT
  if cmp -s "$1" "$2"; then ok; else bad "$1 differs from $2: $(cmp "$1" "$2" 2>&1)"; fi
}

# ---- enarx-sgx/encl.ss: VENDOR 0, DATE 0, ATTRIBUTES 0x4/0x3, masks 0 --------
ENCL_HASH=b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
ENCL_MASKS="--attributes-mask 0 --xfrm-mask 0 --miscmask 0"
# masks 0 leave DEBUG free: refused without --debug, and nothing written
expect_status 2 "$SGXRA" sign --key "$ID/enarx-sgx/encl.pem" \
  --enclavehash $ENCL_HASH $ENCL_MASKS -o "$T/encl.ss"
expect_err_contains "[SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN]"
[ ! -e "$T/encl.ss" ] && ok || bad "a refused signature was written"
expect_status 0 "$SGXRA" sign --key "$ID/enarx-sgx/encl.pem" \
  --enclavehash $ENCL_HASH $ENCL_MASKS --debug -o "$T/encl.ss"
same_file "$T/encl.ss" "$ID/enarx-sgx/encl.ss"
# the debug-signer warning every verb gives (apps/output.c), naming the key
expect_err_contains "sgxra sign: warning: $ID/enarx-sgx/encl.pem: MRSIGNER is a well-known public debug key (Linux kernel SGX selftest key"
expect_err_contains "never trust it in production"
expect_status 0 "$SGXRA" inspect "$T/encl.ss"
warn_inspect=${ERR#*MRSIGNER is a well-known public debug key}
warn_sign=$("$SGXRA" sign --key "$ID/enarx-sgx/encl.pem" \
  --enclavehash $ENCL_HASH $ENCL_MASKS --debug -o "$T/encl.ss" 2>&1 >/dev/null)
warn_sign=${warn_sign#*MRSIGNER is a well-known public debug key}
[ -n "$warn_inspect" ] && [ "$warn_sign" = "$warn_inspect" ] && ok ||
  bad "sign and inspect word the debug-signer warning differently: '$warn_sign' vs '$warn_inspect'"
# from the raw page image itself (MRENCLAVE computed), JSON result
expect_status 0 "$SGXRA" sign --key "$ID/enarx-sgx/encl.pem" \
  "$ID/enarx-sgx/encl.bin" $ENCL_MASKS --debug -o "$T/encl2.ss" --json
same_file "$T/encl2.ss" "$ID/enarx-sgx/encl.ss"
expect_json mrenclave $ENCL_HASH
expect_json mrsigner 2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4
expect_json debug_signer true

# ---- fortanix sig1.sigstruct.bin: Intel SDK sample key ----------------------
expect_status 0 "$SGXRA" sign --key "$ID/fortanix-rust-sgx/sig1.key.pem" \
  --enclavehash c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d \
  --date 20160109 --attributes 0x4 --xfrm 0x3 \
  --attributes-mask 0xfffffffffffffffd --xfrm-mask 0xffffffffffffff1b \
  --miscselect 0 --miscmask 0xffffffff --isvprodid 0 --isvsvn 0 --debug \
  -o "$T/sig1.bin"
same_file "$T/sig1.bin" "$ID/fortanix-rust-sgx/sig1.sigstruct.bin"
case "$OUT" in *83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e*) ok ;;
  *) bad "sig1 MRSIGNER not printed: $OUT" ;; esac

# ---- lexe reference: production mask (DEBUG enforced), no --debug needed ----
expect_status 0 "$SGXRA" sign --key "$ID/lexe/test_vectors_key.pkcs8.der" \
  --enclavehash 6969696969696969696969696969696969696969696969696969696969696969 \
  --date 20240304 --vendor 0 --xfrm 0xe7 --attributes-mask 0x7 \
  --xfrm-mask 0xe7 --miscmask 0 -o "$T/lexe.bin" --json
same_file "$T/lexe.bin" "$ID/lexe/test_vectors_ref_sigstruct.bin"
expect_json mrsigner 55663a16f3d9c2890ff4c5bb35ad92984c6ce39a17b83f1614800376f2f1dc0d

# ---- defaults: production, all fields as documented --------------------------
expect_status 0 "$SGXRA" sign --key "$ID/lexe/test_vectors_key.pkcs8.der" \
  "$V/identity/fortanix-rust-sgx/test_enclave.sgxs" --isvprodid 0x1234 \
  --isvsvn 7 --vendor 0x8086 --date 20251231 --swdefined 5 --attributes 0x84 \
  --isvfamilyid 000102030405060708090a0b0c0d0e0f \
  --isvextprodid f0e0d0c0b0a090807060504030201000 -o "$T/def.bin"
expect_status 0 "$SGXRA" inspect --json "$T/def.bin"
expect_json mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc
expect_json isvprodid 4660
expect_json isvsvn 7
expect_json vendor 0x8086
expect_json date 0x20251231
expect_json swdefined 0x5
expect_json attributes.flags 0x84
expect_json attributes.xfrm 0x3
expect_json attributemask.flags 0xffffffffffffffff
expect_json attributemask.xfrm 0xffffffffffffff1b
expect_json miscmask 0xffffffff
expect_json signature_valid true
expect_json isvfamilyid 000102030405060708090a0b0c0d0e0f
expect_json isvextprodid f0e0d0c0b0a090807060504030201000
# re-signing: the ENCLAVEHASH of an existing SIGSTRUCT
expect_status 0 "$SGXRA" sign --key "$ID/lexe/test_vectors_key.pkcs8.der" \
  "$T/def.bin" -o "$T/re.bin" --json
expect_json mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc

# ---- an unsigned enclave .so (sgxra's layout) and the public demo key --------
SO="${SGXRA_BUILD_DIR:-}/enclaves/example_enclave.so"
DEMO_KEY="${SGXRA_SOURCE_DIR:-}/enclaves/demo_signing_key.pem"
if [ -f "$SO" ] && [ -f "$DEMO_KEY" ]; then
  # the same bytes as the build-time signer's, and the MRENCLAVE measure gives
  expect_status 0 "$SGXRA" sign --key "$DEMO_KEY" "$SO" --isvprodid 1 --isvsvn 2 \
    -o "$T/example.sig" --json
  expect_json debug_signer true
  same_file "$T/example.sig" "${SGXRA_BUILD_DIR}/enclaves/example_enclave.sig"
  want=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
  expect_status 0 "$SGXRA" measure --json "$SO"
  expect_json mrenclave "$want"
  expect_status 0 "$SGXRA" inspect --json "$T/example.sig"
  expect_json debug_signer true
  expect_json isvprodid 1
  expect_json isvsvn 2
fi

# ---- DEBUG refused by default --------------------------------------------------
expect_status 2 "$SGXRA" sign --key "$ID/lexe/test_vectors_key.pkcs8.der" \
  --enclavehash $ENCL_HASH --attributes 0x6 -o "$T/dbg.bin"
expect_err_contains "[SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN]"
expect_status 0 "$SGXRA" sign --key "$ID/lexe/test_vectors_key.pkcs8.der" \
  --enclavehash $ENCL_HASH --attributes 0x6 --debug -o "$T/dbg.bin" --json
expect_status 0 "$SGXRA" inspect --json "$T/dbg.bin"
expect_json attributes.flags 0x6

# ---- unusable keys ---------------------------------------------------------------
if command -v openssl >/dev/null; then
  openssl genrsa -3 -out "$T/k2048.pem" 2048 2>/dev/null
  expect_status 2 "$SGXRA" sign --key "$T/k2048.pem" --enclavehash $ENCL_HASH -o "$T/x"
  expect_err_contains "[SGXRA_E_CRYPTO_KEY_UNSUPPORTED]"
  expect_err_contains "RSA-3072"
  openssl genrsa -out "$T/k65537.pem" 3072 2>/dev/null
  expect_status 2 "$SGXRA" sign --key "$T/k65537.pem" --enclavehash $ENCL_HASH -o "$T/x"
  expect_err_contains "[SGXRA_E_CRYPTO_RSA_EXPONENT]"
  openssl ecparam -name prime256v1 -genkey -noout -out "$T/ec.pem" 2>/dev/null
  expect_status 2 "$SGXRA" sign --key "$T/ec.pem" --enclavehash $ENCL_HASH -o "$T/x"
  expect_err_contains "[SGXRA_E_CRYPTO_KEY_UNSUPPORTED]"
fi
printf 'not a key' >"$T/junk.pem"
expect_status 2 "$SGXRA" sign --key "$T/junk.pem" --enclavehash $ENCL_HASH -o "$T/x"
[ ! -e "$T/x" ] && ok || bad "output written for an unusable key"

# ---- usage errors ----------------------------------------------------------------
K="$ID/lexe/test_vectors_key.pkcs8.der"
expect_status 0 "$SGXRA" sign --help
case "$OUT" in *--attributes-mask*) ok ;; *) bad "help lacks --attributes-mask" ;; esac
expect_status 2 "$SGXRA" sign --enclavehash $ENCL_HASH -o "$T/x"
expect_err_contains "--key"
expect_status 2 "$SGXRA" sign --key "$K" -o "$T/x"
expect_err_contains "try 'sgxra sign --help'"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH "$ID/enarx-sgx/encl.bin" -o "$T/x"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash b999 -o "$T/x"
expect_err_contains "[SGXRA_E_HEX]"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --date 2024-03-04 -o "$T/x"
expect_err_contains "YYYYMMDD"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --date 20241301 -o "$T/x"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --vendor 5 -o "$T/x"
expect_err_contains "0x8086"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --isvsvn 65536 -o "$T/x"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --isvprodid -1 -o "$T/x"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --attributes 0x8 -o "$T/x"
expect_err_contains "[SGXRA_E_SIGSTRUCT_FIELD]"
# an ISVFAMILYID with KSS enforced off: EINIT would refuse every launch
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH \
  --isvfamilyid 000102030405060708090a0b0c0d0e0f -o "$T/x"
expect_err_contains "KSS"
expect_err_contains "[SGXRA_E_SIGSTRUCT_FIELD]"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --date 20240100 -o "$T/x"
expect_err_contains "YYYYMMDD"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --isvfamilyid 0011 -o "$T/x"
expect_err_contains "32 hex digits"
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --frobnicate -o "$T/x"
expect_err_contains "unknown option"
expect_status 2 "$SGXRA" sign --key "$K" "$ID/lexe/test_vectors_key.pkcs8.der" -o "$T/x"
expect_err_contains "not an enclave image"
# the code is the one the library returns for the file (sgxra_file_detect_known)
expect_err_contains "bytes that are no SGX file sgxra knows"
expect_err_contains "[SGXRA_E_FILE_UNKNOWN]"
# a REPORT or a quote is a known kind with nothing to sign: a usage error,
# no library code
python3 -c 'import sys; open(sys.argv[1],"wb").write(bytes(range(256))+bytes(176))' "$T/report.bin"
expect_status 2 "$SGXRA" sign --key "$K" "$T/report.bin" -o "$T/x"
expect_err_contains "is a report, not an enclave image"
expect_err_contains "try 'sgxra sign --help'"
case "$ERR" in *"[SGXRA_E_"*) bad "a code no library call returned: $ERR" ;; *) ok ;; esac
# --ssaframesize only where sgxra lays the image out itself (raw, unsigned .so)
expect_status 2 "$SGXRA" sign --key "$K" --enclavehash $ENCL_HASH --ssaframesize 2 -o "$T/x"
expect_err_contains "not to --enclavehash"
expect_status 2 "$SGXRA" sign --key "$K" "$ID/enarx-sgx/encl.bin" --ssaframesize 256 -o "$T/x"
expect_err_contains "from 1 to 255"
expect_status 2 "$SGXRA" sign --key "$K" "$ID/fortanix-rust-sgx/test_enclave.sgxs" --ssaframesize 2 -o "$T/x"
expect_err_contains "an SGXS stream"
expect_status 2 "$SGXRA" sign --key "$K" "$ID/enarx-sgx/encl.ss" --ssaframesize 2 -o "$T/x"
expect_err_contains "a SIGSTRUCT"
[ ! -e "$T/x" ] && ok || bad "output written after a usage error"
expect_status 0 "$SGXRA" sign --key "$K" "$ID/enarx-sgx/encl.bin" --ssaframesize 2 -o "$T/ssa2.bin" --json
got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
[ "$got" != "$ENCL_HASH" ] && [ ${#got} -eq 64 ] && ok || bad "--ssaframesize 2 ignored for a raw image: $got"
expect_status 0 "$SGXRA" sign --key "$K" "$ID/enarx-sgx/encl.ss" -o "$T/re2.bin"
expect_err_contains "only the ENCLAVEHASH"
expect_status 2 "$SGXRA" sign --key "$K" "$T/does-not-exist" -o "$T/x"
[ ! -e "$T/x" ] && ok || bad "output written after a usage error"
finish
