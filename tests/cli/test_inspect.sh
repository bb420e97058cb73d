# CLI tests of `sgxra inspect`: every identity value of the vectors README
# read back through the command, and one precise failure per damage.
. "$(dirname "$0")/lib.sh"
ID="$V/identity"

# flip FILE OFFSET OUT: copy FILE with the byte at OFFSET xor 0x01
flip() {
  python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=1; open(sys.argv[3],"wb").write(b)' "$1" "$2" "$3"
}
# mkelf NOTE OUT: a minimal ELF64 shared object whose only section besides
# .shstrtab is .note.sgxmeta holding the bytes of NOTE (or none if NOTE="")
mkelf() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
note = open(sys.argv[1], "rb").read() if sys.argv[1] else b""
name = ".note.sgxmeta" if note else ".data"
strtab = b"\0" + name.encode() + b"\0.shstrtab\0"
data_off = 64
str_off = data_off + len(note)
sh_off = (str_off + len(strtab) + 7) & ~7
eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
eh += struct.pack("<HHIQQQIHHHHHH", 3, 0x3E, 1, 0, 0, sh_off, 0, 64, 56, 0, 64, 3, 2)
sh = bytes(64)
sh += struct.pack("<IIQQQQIIQQ", 1, 7 if note else 1, 2, 0, data_off, len(note), 0, 0, 4, 0)
sh += struct.pack("<IIQQQQIIQQ", 2 + len(name), 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0)
img = eh + note + strtab
img += bytes(sh_off - len(img)) + sh
open(sys.argv[2], "wb").write(img)
EOF
}

# ---- SIGSTRUCTs: the identity table ----------------------------------------------
expect_status 0 "$SGXRA" inspect --json "$ID/enarx-sgx/encl.ss"
expect_json mrenclave b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
expect_json mrsigner 2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4
expect_json vendor 0x0
expect_json date 0x0
expect_json attributes.flags 0x4
expect_json attributes.xfrm 0x3
expect_json attributemask.flags 0x0
expect_json attributemask.xfrm 0x0
expect_json miscselect 0x0
expect_json miscmask 0x0
expect_json isvprodid 0
expect_json isvsvn 0
expect_json signature_valid true
expect_json debug_signer true
expect_err_contains "well-known public debug key"

expect_status 0 "$SGXRA" inspect --json "$ID/fortanix-rust-sgx/test_enclave.sig"
expect_json mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc
expect_json mrsigner fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542
expect_json date 0x20161214
expect_json attributes.flags 0x4
expect_json attributes.xfrm 0x3
expect_json attributemask.flags 0xfffffffffffffffd
expect_json attributemask.xfrm 0xffffffffffffff1b
expect_json miscmask 0xffffffff
expect_json isvprodid 65535
expect_json isvsvn 0
expect_json signature_valid true
expect_json debug_signer false
[ -z "$ERR" ] && ok || bad "unexpected stderr for test_enclave.sig: $ERR"

expect_status 0 "$SGXRA" inspect --json "$ID/fortanix-rust-sgx/sig1.sigstruct.bin"
expect_json mrenclave c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d
expect_json mrsigner 83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e
expect_json date 0x20160109
expect_json attributes.flags 0x4
expect_json attributes.xfrm 0x3
expect_json attributemask.flags 0xfffffffffffffffd
expect_json attributemask.xfrm 0xffffffffffffff1b
expect_json miscselect 0x0
expect_json miscmask 0xffffffff
expect_json isvprodid 0
expect_json isvsvn 0
expect_json signature_valid true
expect_json debug_signer true
expect_err_contains "Intel SGX SDK sample key"

expect_status 0 "$SGXRA" inspect --json "$ID/lexe/test_vectors_ref_sigstruct.bin"
expect_json mrenclave 6969696969696969696969696969696969696969696969696969696969696969
expect_json mrsigner 55663a16f3d9c2890ff4c5bb35ad92984c6ce39a17b83f1614800376f2f1dc0d
expect_json date 0x20240304
expect_json vendor 0x0
expect_json attributes.flags 0x4
expect_json attributes.xfrm 0xe7
expect_json attributemask.flags 0x7
expect_json attributemask.xfrm 0xe7
expect_json miscselect 0x0
expect_json miscmask 0x0
expect_json isvprodid 0
expect_json isvsvn 0
expect_json signature_valid true
expect_json debug_signer true

expect_status 0 "$SGXRA" inspect --json "$ID/intel-linux-sgx/le_prod_css_1.5_initial.bin"
expect_json mrenclave 3fb6238206b19c8e3b24ded8cacc9dd9428372898e34cd2da4a5166ecfb16f74
expect_json mrsigner acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4
expect_json vendor 0x8086
expect_json swdefined 0x10
expect_json attributes.flags 0x24
expect_json attributes.xfrm 0x3
expect_json isvprodid 32
expect_json date 0x20150724
expect_json isvsvn 1
expect_json signature_valid true
expect_json debug_signer false

expect_status 0 "$SGXRA" inspect --json "$ID/intel-pce/pce_sigstruct.bin"
expect_json mrenclave 03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578
expect_json mrsigner c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb
expect_json vendor 0x8086
expect_json isvprodid 1
expect_json isvsvn 16
expect_json attributes.flags 0x14
expect_json attributes.xfrm 0x3
expect_json signature_valid true
expect_json debug_signer false

# human output: MRENCLAVE then MRSIGNER first, fields named
expect_status 0 "$SGXRA" inspect "$ID/intel-pce/pce_sigstruct.bin"
first=$(printf '%s\n' "$OUT" | sed -n 1p)
second=$(printf '%s\n' "$OUT" | sed -n 2p)
case "$first" in "mrenclave "*03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578) ok ;; *) bad "line 1: $first" ;; esac
case "$second" in "mrsigner "*c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb) ok ;; *) bad "line 2: $second" ;; esac
case "$OUT" in *"flags 0x14 (MODE64BIT|PROVISIONKEY)"*) ok ;; *) bad "no flag names: $OUT" ;; esac

# ---- the PCE's .note.sgxmeta, bare and inside an ELF ------------------------------
expect_status 0 "$SGXRA" inspect --json "$ID/intel-pce/pce_note_sgxmeta_section.bin"
expect_json mrenclave 03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578
expect_json mrsigner c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb
expect_json metadata_version 1.5
expect_json metadata_size 4956
expect_json enclave_size 0x400000
expect_json ssa_frame_size 1
mkelf "$ID/intel-pce/pce_note_sgxmeta_section.bin" "$T/pce.so"
expect_status 0 "$SGXRA" inspect --json "$T/pce.so"
expect_json type "signed enclave (ELF .note.sgxmeta)"
expect_json mrenclave 03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578
expect_json mrsigner c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb
expect_json vendor 0x8086
expect_json isvprodid 1
expect_json isvsvn 16
expect_json signature_valid true
mkelf "" "$T/plain.so"
expect_status 2 "$SGXRA" inspect "$T/plain.so"
expect_err_contains "[SGXRA_E_ELF_NO_SGXMETA]"
expect_err_contains "sgxra measure"

# ---- images: MRENCLAVE computed ----------------------------------------------------
expect_status 0 "$SGXRA" inspect --json "$ID/fortanix-rust-sgx/test_enclave.sgxs"
expect_json mrenclave 784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc
expect_status 0 "$SGXRA" inspect --json "$ID/fortanix-rust-sgx/report.sgxs"
expect_json mrenclave a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290
expect_status 0 "$SGXRA" inspect --json "$ID/enarx-sgx/encl.bin"
expect_json mrenclave b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
expect_json size 0x8000

# ---- a DCAP quote and a REPORT --------------------------------------------------------
Q="$V/dcap/bundles/sgx-01-phala-v3/quote.bin"
expect_status 0 "$SGXRA" inspect --json "$Q"
expect_json mrenclave 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
expect_json mrsigner 815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6
expect_json attributes.flags 0x5
expect_json attributes.xfrm 0xe7
expect_json quote_version 3
expect_json qe_mrsigner 8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff
expect_json debug_signer false
python3 -c 'import sys; q=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(q[48:432]+bytes(range(48)))' "$Q" "$T/report.bin"
expect_status 0 "$SGXRA" inspect --json "$T/report.bin"
expect_json mrenclave 33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
expect_json mrsigner 815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6
expect_json mac 202122232425262728292a2b2c2d2e2f
head -c 600 "$Q" >"$T/cut_quote.bin"
expect_status 2 "$SGXRA" inspect "$T/cut_quote.bin"
expect_err_contains "[SGXRA_E_QUOTE_"

# ---- damaged SIGSTRUCTs: each with its own code and exit status ---------------------
S="$ID/intel-linux-sgx/le_prod_css_1.5_initial.bin"
head -c 1807 "$S" >"$T/short.bin"
expect_status 2 "$SGXRA" inspect "$T/short.bin"
expect_err_contains "SIGSTRUCT must be 1808 bytes, got 1807"
expect_err_contains "[SGXRA_E_SGX_SIZE]"
{ cat "$S"; printf 'x'; } >"$T/long.bin"
expect_status 2 "$SGXRA" inspect --json "$T/long.bin"
expect_err_contains "[SGXRA_E_SGX_SIZE]"
[ -z "$OUT" ] && ok || bad "JSON printed for unusable input"
flip "$S" 24 "$T/hdr2.bin" # HEADER2
expect_status 2 "$SGXRA" inspect "$T/hdr2.bin"
expect_err_contains "[SGXRA_E_SIGSTRUCT_HEADER]"
flip "$S" 4 "$T/hdr.bin" # HEADER, still 1808 bytes
expect_status 2 "$SGXRA" inspect "$T/hdr.bin"
expect_err_contains "[SGXRA_E_SIGSTRUCT_HEADER]"
flip "$S" 512 "$T/exp.bin" # exponent 2
expect_status 1 "$SGXRA" inspect --json "$T/exp.bin"
expect_json signature_valid false
expect_err_contains "[SGXRA_E_SIGSTRUCT_EXPONENT]"
for off in 20 40 900 960 1024 1027; do # [0,128) and [900,1028)
  flip "$S" $off "$T/f$off.bin"
  expect_status 1 "$SGXRA" inspect --json "$T/f$off.bin"
  expect_json signature_valid false
  expect_err_contains "[SGXRA_E_SIGSTRUCT_SIGNATURE]"
done
# EINIT checks VENDOR (0 or 0x8086) and that all reserved space is zero,
# signed or not, before the signature (SDM EINIT, SGX_INVALID_SIG_STRUCT)
flip "$S" 16 "$T/vendor.bin" # VENDOR 0x8087
expect_status 1 "$SGXRA" inspect --json "$T/vendor.bin"
expect_json signature_valid false
expect_err_contains "VENDOR (offset 16) is 0x8087"
expect_err_contains "[SGXRA_E_SIGSTRUCT_FIELD]"
for off in 100 911 1000 1030; do
  flip "$S" $off "$T/r$off.bin"
  expect_status 1 "$SGXRA" inspect --json "$T/r$off.bin"
  expect_json signature_valid false
  expect_err_contains "reserved byte at offset $off is 0x01"
  expect_err_contains "[SGXRA_E_SGX_RESERVED]"
done
flip "$S" 300 "$T/mod.bin" # MODULUS: another signer, signature fails
expect_status 1 "$SGXRA" inspect "$T/mod.bin"
expect_err_contains "[SGXRA_E_SIGSTRUCT_SIGNATURE]"
flip "$S" 700 "$T/sig.bin" # SIGNATURE
expect_status 1 "$SGXRA" inspect "$T/sig.bin"
expect_err_contains "[SGXRA_E_SIGSTRUCT_SIGNATURE]"
flip "$S" 1100 "$T/q1.bin"
expect_status 1 "$SGXRA" inspect --json "$T/q1.bin"
expect_json signature_valid false
expect_err_contains "[SGXRA_E_SIGSTRUCT_Q1Q2]"
flip "$S" 1500 "$T/q2.bin"
expect_status 1 "$SGXRA" inspect "$T/q2.bin"
expect_err_contains "Q2"
expect_err_contains "[SGXRA_E_SIGSTRUCT_Q1Q2]"

# ---- DCAP quotes of every real bundle, in every input format -------------------
# variants QUOTE DIR: the quote as hex (lower, one line), HEX (upper, 0x,
# 64 digits a line), base64 (standard, padded, 76 a line) and base64url
# (no padding, one line); and the PPID of its PCK leaf (the OCTET STRING
# after OID 1.2.840.113741.1.13.1.1 in the certificate's DER).
variants() {
  python3 - "$1" "$2" <<'PY'
import base64, binascii, re, sys
q = open(sys.argv[1], "rb").read(); d = sys.argv[2]
h = q.hex()
open(d + "/q.hex", "w").write(h + "\n")
H = h.upper()
open(d + "/q.HEX", "w").write("0x" + "\n".join(H[i:i+64] for i in range(0, len(H), 64)) + "\n")
b = base64.b64encode(q).decode()
open(d + "/q.b64", "w").write("\n".join(b[i:i+76] for i in range(0, len(b), 76)) + "\n")
open(d + "/q.b64url", "w").write(base64.urlsafe_b64encode(q).decode().rstrip("="))
pem = re.search(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", q, re.S).group(1)
der = base64.b64decode(b"".join(pem.split()))
oid = bytes.fromhex("060a2a864886f84d010d0101")
i = der.index(oid) + len(oid)
assert der[i:i+2] == b"\x04\x10"
print(der[i+2:i+18].hex())
PY
}
nq=0
for dir in "$V"/dcap/bundles/*/; do
  dir=${dir%/}
  e="$dir/expected.json"
  ppid=$(variants "$dir/quote.bin" "$T")
  [ ${#ppid} -eq 32 ] && ok || bad "$(basename "$dir"): no PPID found"
  expect_status 0 "$SGXRA" inspect --json "$dir/quote.bin"
  bin=$OUT
  # the PCK fields expected.json gives
  want=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["pck"]
print(p["fmspc"], p["pcesvn"], json.dumps(p["comps"]), "platform" if "Platform" in p["ca"] else "processor", p["ca"])' "$e")
  got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin)
print(j["pck_fmspc"], j["pck_pcesvn"], json.dumps(j["pck_tcb_comp_svns"]), j["pck_ca"], j["pck_issuer_cn"])')
  if [ "$got" = "$want" ]; then ok; else bad "$(basename "$dir"): PCK '$got', want '$want'"; fi
  expect_json cert_type 5
  expect_json qe_vendor_id 939a7233f79c4ca9940a0db3957f0607
  expect_json quote_version "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["quote_version"])' "$e")"
  # the PPID is never shown, in JSON or text
  human=$("$SGXRA" inspect "$dir/quote.bin" 2>&1)
  case "$bin$human" in
    *"$ppid"* | *"${ppid^^}"*) bad "$(basename "$dir"): PPID $ppid printed" ;;
    *) ok ;;
  esac
  case "$human" in *pck_fmspc*) ok ;; *) bad "text output lacks pck_fmspc" ;; esac
  # hex, HEX, base64, base64url and stdin give the same object
  for f in q.hex q.HEX q.b64 q.b64url; do
    expect_status 0 "$SGXRA" inspect --json "$T/$f"
    [ "$OUT" = "$bin" ] && ok || bad "$(basename "$dir"): $f differs from the binary quote"
  done
  for f in quote.bin; do
    OUT=$("$SGXRA" inspect --json - <"$dir/$f")
    [ "$OUT" = "$bin" ] && ok || bad "$(basename "$dir"): stdin differs"
  done
  OUT=$("$SGXRA" inspect --json - <"$T/q.b64")
  [ "$OUT" = "$bin" ] && ok || bad "$(basename "$dir"): base64 on stdin differs"
  nq=$((nq + 1))
done
[ "$nq" -eq 13 ] && ok || bad "expected 13 bundles, found $nq"
# sgx-02 (PCK Platform CA, Scalable): the platform fields, read from its
# certificate with `openssl x509 -text` (SGX extension .6 and .7)
B02="$V/dcap/bundles/sgx-02-automata-v3-2025-08"
expect_status 0 "$SGXRA" inspect --json "$B02/quote.bin"
expect_json pck_ca platform
expect_json pck_sgx_type Scalable
expect_json pck_platform_instance_id 7f96822f9d6421e505d4f256f65c5338
expect_json pck_dynamic_platform true
expect_json pck_cached_keys false
expect_json pck_smt_enabled false
expect_json pck_pceid 0000
expect_json qe_auth_data_len 32
# sgx-01 (Processor CA, Standard): QE identity as the quote bytes hold it
B01="$V/dcap/bundles/sgx-01-phala-v3"
expect_status 0 "$SGXRA" inspect --json "$B01/quote.bin"
expect_json pck_sgx_type Standard
expect_json pck_cpusvn 0b0b0202ff0100000000000000000000
expect_json qe_isvprodid 1
expect_json qe_isvsvn 10
expect_json qe_attributes.flags 0x15
expect_json qe_mrsigner 8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff
jq_has() { printf '%s' "$OUT" | python3 -c 'import json,sys; sys.exit(0 if sys.argv[1] in json.load(sys.stdin) else 1)' "$1"; }
jq_has pck_platform_instance_id && bad "Standard PCK shows a platform instance id" || ok
# junk text: neither hex nor base64 (exit 2, both reasons named)
printf 'this is not a quote\n' >"$T/junk.txt"
expect_status 2 "$SGXRA" inspect "$T/junk.txt"
expect_err_contains "not a quote: neither binary (version 3-5), hex nor base64"
expect_err_contains "(hex: "
expect_err_contains "; base64: "
# hex with one junk character inside is refused, not skipped
python3 -c 'import sys; h=open(sys.argv[1]).read(); open(sys.argv[2],"w").write(h[:100]+"g"+h[101:])' "$T/q.hex" "$T/qbad.hex"
expect_status 2 "$SGXRA" inspect "$T/qbad.hex"
expect_err_contains "invalid hex digit 0x67"
# hex of something that is not a quote
printf '0x1234567890abcdef\n' >"$T/nq.hex"
expect_status 2 "$SGXRA" inspect "$T/nq.hex"
expect_err_contains "decodes to 8 bytes starting with version 13330"

# ---- other bad input and usage -----------------------------------------------------------
printf 'hello' >"$T/hello.txt"
expect_status 2 "$SGXRA" inspect "$T/hello.txt"
expect_err_contains "[SGXRA_E_FILE_UNKNOWN]"
: >"$T/empty"
expect_status 2 "$SGXRA" inspect "$T/empty"
expect_status 2 "$SGXRA" inspect "$T/missing"
expect_err_contains "[SGXRA_E_IO]"
expect_status 2 "$SGXRA" inspect
expect_err_contains "try 'sgxra inspect --help'"
expect_status 2 "$SGXRA" inspect --bogus "$S"
expect_status 2 "$SGXRA" inspect "$S" "$S"
expect_status 0 "$SGXRA" inspect --help
case "$OUT" in *--json*) ok ;; *) bad "help lacks --json" ;; esac
finish
