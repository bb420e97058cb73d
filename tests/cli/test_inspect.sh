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
