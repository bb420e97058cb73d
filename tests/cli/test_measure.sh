# sgxra measure on every identity vector it applies to, on damaged input
# and on bad usage.  Values: ../shared/vectors/README.md.
. "$(dirname "$0")/lib.sh"

ID="$V/identity"
ENCL=b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0
TEST_ENCLAVE=784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc
REPORT_SGXS=a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290
PCE_HASH=03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578
PCE_SIGNER=c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb

# mkelf NOTE_FILE SECTION_NAME OUT: a minimal ELF64 .so whose only content
# is one section (the bytes of NOTE_FILE) named SECTION_NAME.
mkelf() {
  python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
sec = open(sys.argv[1], 'rb').read()
names = b'\0.shstrtab\0' + sys.argv[2].encode() + b'\0'
secoff = 64; stroff = secoff + len(sec); shoff = (stroff + len(names) + 7) & ~7
hdr = b'\x7fELF' + bytes([2, 1, 1]) + bytes(9)
hdr += struct.pack('<HHIQQQIHHHHHH', 3, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 3, 1)
sh = bytes(64)
sh += struct.pack('<IIQQQQIIQQ', 1, 3, 0, 0, stroff, len(names), 0, 0, 1, 0)
sh += struct.pack('<IIQQQQIIQQ', 11, 7, 0, 0, secoff, len(sec), 0, 0, 4, 0)
out = hdr + sec + names
out += bytes(shoff - len(out)) + sh
open(sys.argv[3], 'wb').write(out)
EOF
}

# ---- raw page image (Linux selftest convention) ----
expect_status 0 "$SGXRA" measure "$ID/enarx-sgx/encl.bin"
case "$OUT" in "mrenclave"*"$ENCL"*) ok ;; *) bad "human output: $OUT" ;; esac
expect_status 0 "$SGXRA" measure "$ID/enarx-sgx/encl.bin" --json
expect_json mrenclave "$ENCL"
expect_json format raw
expect_json size 0x8000
expect_json pages 6
expect_json ssaframesize 1
expect_json measured_bytes 31168
expect_status 0 "$SGXRA" measure --format raw --ssaframesize 1 \
  --reg-flags 0x207 --json "$ID/enarx-sgx/encl.bin"
expect_json mrenclave "$ENCL"
expect_status 0 "$SGXRA" measure --reg-flags 0x203 --json "$ID/enarx-sgx/encl.bin"
expect_json reg_flags 0x203
got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
[ "$got" != "$ENCL" ] && [ ${#got} -eq 64 ] && ok || bad "--reg-flags 0x203 gave $got"
expect_status 0 "$SGXRA" measure --ssaframesize 2 --json "$ID/enarx-sgx/encl.bin"
expect_json ssaframesize 2

# ---- SGXS streams: MRENCLAVE = SHA-256 of a well-formed file ----
expect_status 0 "$SGXRA" measure "$ID/fortanix-rust-sgx/test_enclave.sgxs" --json
expect_json mrenclave "$TEST_ENCLAVE"
expect_json format sgxs
expect_json size 0x40000
expect_json pages 9
expect_json chunks 144
sha=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$ID/fortanix-rust-sgx/test_enclave.sgxs")
expect_json mrenclave "$sha"
expect_status 0 "$SGXRA" measure "$ID/fortanix-rust-sgx/report.sgxs" --json
expect_json mrenclave "$REPORT_SGXS"
expect_json pages 3
expect_json size 0x4000
expect_status 0 "$SGXRA" measure --format sgxs "$ID/fortanix-rust-sgx/report.sgxs"
case "$OUT" in *"$REPORT_SGXS"*) ok ;; *) bad "report.sgxs human: $OUT" ;; esac

# a 2 MiB stream: read in 1 MiB pieces, records straddle the pieces
python3 - "$T/big.sgxs" <<'EOF2'
import struct, sys
out = bytearray(b'ECREATE\0' + struct.pack('<IQ', 2, 0x800000) + bytes(44))
for pg in range(400):
    flags = 0x100 if pg == 0 else 0x203
    out += b'EADD\0\0\0\0' + struct.pack('<QQ', pg * 4096, flags) + bytes(40)
    for c in range(16):
        off = pg * 4096 + c * 256
        out += b'EEXTEND\0' + struct.pack('<Q', off) + bytes(48)
        out += bytes((off // 256 + i) & 0xff for i in range(256))
open(sys.argv[1], 'wb').write(out)
EOF2
expect_status 0 "$SGXRA" measure "$T/big.sgxs" --json
expect_json mrenclave "$(sha256sum "$T/big.sgxs" | cut -c1-64)"
expect_json pages 400
expect_json ssaframesize 2
expect_json size 0x800000
head -c 1500000 "$T/big.sgxs" > "$T/bigcut.sgxs"
expect_status 2 "$SGXRA" measure "$T/bigcut.sgxs"
expect_err_contains "[SGXRA_E_SGXS_FORMAT]"

# cut inside a record, at a record boundary, an unknown tag
head -c 1000 "$ID/fortanix-rust-sgx/report.sgxs" > "$T/cut.sgxs"
expect_status 2 "$SGXRA" measure "$T/cut.sgxs"
expect_err_contains "SGXS stream cut: the EEXTEND record at offset 0x300"
expect_err_contains "[SGXRA_E_SGXS_FORMAT]"
head -c 1088 "$ID/fortanix-rust-sgx/report.sgxs" > "$T/boundary.sgxs"
expect_status 0 "$SGXRA" measure "$T/boundary.sgxs" --json
expect_json mrenclave "$(sha256sum "$T/boundary.sgxs" | cut -c1-64)"
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[0x40]=0x58; open(sys.argv[2],"wb").write(d)' \
  "$ID/fortanix-rust-sgx/report.sgxs" "$T/tag.sgxs"
expect_status 2 "$SGXRA" measure "$T/tag.sgxs"
expect_err_contains 'unknown tag "XADD'
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[0x49]=0x40; open(sys.argv[2],"wb").write(d)' \
  "$ID/fortanix-rust-sgx/report.sgxs" "$T/range.sgxs"
expect_status 2 "$SGXRA" measure "$T/range.sgxs"
expect_err_contains "EADD at offset 0x4000 is outside SIZE 0x4000 [SGXRA_E_MEASURE_RANGE]"

# ---- the bare .note.sgxmeta section: no pages, the SIGSTRUCT's claim ----
expect_status 0 "$SGXRA" measure "$ID/intel-pce/pce_note_sgxmeta_section.bin" --json
expect_json mrenclave "$PCE_HASH"
expect_json format sgxmeta
expect_json re_measured false
expect_json mrsigner "$PCE_SIGNER"
expect_json vendor 0x8086
expect_json isvprodid 1
expect_json isvsvn 16
expect_json attributes.flags 0x14
expect_json attributes.xfrm 0x3
expect_json signature_valid true
expect_json debug_signer false
expect_json size 0x400000
expect_json ssaframesize 1
expect_json metadata_version 1.5
case "$OUT" in *'"source": "signed (not re-measured): '*) ok ;; *) bad "bare note not labelled: $OUT" ;; esac
expect_status 0 "$SGXRA" measure "$ID/intel-pce/pce_note_sgxmeta_section.bin"
case "$OUT" in "mrenclave"*"$PCE_HASH"*"source"*"signed (not re-measured)"*) ok ;; *) bad "bare note human: $OUT" ;; esac
expect_status 2 "$SGXRA" measure "$ID/intel-pce/pce_note_sgxmeta_section.bin" --log
expect_err_contains "cannot be re-measured"

# ---- signed enclave .so: re-measured, compared with its SIGSTRUCT ----
# The PCE's note alone in an ELF: its metadata patches file bytes the file
# does not have, so there is nothing to re-measure -- refused, not believed.
mkelf "$ID/intel-pce/pce_note_sgxmeta_section.bin" .note.sgxmeta "$T/pce.so"
expect_status 2 "$SGXRA" measure "$T/pce.so" --json
expect_err_contains "metadata 1.5: patch entry 0 writes 1768 bytes at file offset 0x1f8a80, outside the"
expect_err_contains "[SGXRA_E_SGXMETA_FORMAT]"
[ -z "$OUT" ] && ok || bad "JSON printed for a .so that cannot be re-measured: $OUT"
# A real SDK 2.27 enclave (metadata 1.5, as the PCE's): the values of
# ../shared/vectors/sdk/README.md (tests/cli/test_sdk_measure.sh: all of them).
SO15="$V/sdk/rds-md15-sdk227.signed.so"
SO15_HASH=6aa9bc4ae194db671cb423816b8bf54ba2de0a8141bcea1a34457cab9cc4c8f4
SO15_SIGNER=788f1195cabf2a7ecf7f0809b0c59edfb34d5a47e4131bf648604e6e5a4cf32f
SO15_META=$((0x208d5)) # metadata record (its SIGSTRUCT at +64) in the file
if [ -f "$SO15" ]; then
  expect_status 0 "$SGXRA" measure "$SO15" --json
  expect_json mrenclave "$SO15_HASH"
  expect_json measured_mrenclave "$SO15_HASH"
  expect_json signed_mrenclave "$SO15_HASH"
  expect_json match true
  expect_json re_measured true
  expect_json format elf
  expect_json mrsigner "$SO15_SIGNER"
  expect_json vendor 0x0
  expect_json isvprodid 0
  expect_json isvsvn 0
  expect_json attributes.flags 0x4
  expect_json attributes.xfrm 0x3
  expect_json signature_valid true
  expect_json debug_signer false
  expect_json size 0x1000000
  expect_json ssaframesize 1
  expect_json metadata_version 1.5
  expect_json eadd 988
  expect_json eextend 11712
  expect_status 0 "$SGXRA" measure "$SO15"
  case "$OUT" in "mrenclave"*"$SO15_HASH"*"signed"*"$SO15_HASH"*"match"*) ok ;; *) bad "rds human: $OUT" ;; esac
  # a flipped byte in the RSA signature: the content still matches, the
  # SIGSTRUCT does not verify: fields printed, exit 1
  python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[int(sys.argv[3])+64+600]^=1; open(sys.argv[2],"wb").write(d)' \
    "$SO15" "$T/rds_badsig.so" "$SO15_META"
  expect_status 1 "$SGXRA" measure "$T/rds_badsig.so" --json
  expect_json signature_valid false
  expect_json match true
  expect_json mrenclave "$SO15_HASH"
  expect_err_contains "[SGXRA_E_SIGSTRUCT_SIGNATURE]"
  # a damaged SIGSTRUCT HEADER: no SIGSTRUCT, nothing to compare: exit 2, no JSON
  python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[int(sys.argv[3])+64+4]^=1; open(sys.argv[2],"wb").write(d)' \
    "$SO15" "$T/rds_badhdr.so" "$SO15_META"
  expect_status 2 "$SGXRA" measure "$T/rds_badhdr.so" --json
  expect_err_contains "[SGXRA_E_SIGSTRUCT_HEADER]"
  [ -z "$OUT" ] && ok || bad "JSON printed for a SIGSTRUCT without its HEADER: $OUT"
  # --log and --metadata: signed SDK enclaves only
  expect_status 2 "$SGXRA" measure "$SO15" --metadata 2.1
  expect_err_contains "has no such metadata copy (it has 1.5)"
  expect_status 2 "$SGXRA" measure "$SO15" --metadata 1
  expect_err_contains "expected MAJOR.MINOR"
  expect_status 2 "$SGXRA" measure "$ID/enarx-sgx/encl.bin" --log
  expect_err_contains "apply to enclaves signed by the Intel SGX SDK"
  expect_status 2 "$SGXRA" measure "$ID/fortanix-rust-sgx/report.sgxs" --metadata 1.5
  expect_err_contains "apply to enclaves signed by the Intel SGX SDK"
else
  skipped "SDK vector $SO15 missing, the signed .so checks"
fi
# a truncated .so and a damaged note: exit 2 with the specific code
head -c 5000 "$T/pce.so" > "$T/cut.so"
expect_status 2 "$SGXRA" measure "$T/cut.so"
expect_err_contains "[SGXRA_E_ELF_FORMAT]"
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[64+25]^=1; open(sys.argv[2],"wb").write(d)' \
  "$T/pce.so" "$T/badmagic.so"
expect_status 2 "$SGXRA" measure "$T/badmagic.so"
expect_err_contains "no metadata record"
expect_err_contains "[SGXRA_E_SGXMETA_FORMAT]"
# an ELF without the note that is no loadable enclave either
mkelf "$ID/intel-pce/pce_note_sgxmeta_section.bin" .note.other "$T/nometa.so"
expect_status 2 "$SGXRA" measure "$T/nometa.so"
expect_err_contains "no .note.sgxmeta"
expect_status 2 "$SGXRA" measure --ssaframesize 2 "$T/pce.so"
expect_err_contains "signed enclave"

# the project's example enclave: unsigned measurement == its SIGSTRUCT's hash
EX="${SGXRA_BUILD_DIR:-}/enclaves"
if [ -f "$EX/example_enclave.so" ] && [ -f "$EX/example_enclave.sig" ]; then
  want=$(python3 -c 'import sys; print(open(sys.argv[1],"rb").read()[960:992].hex())' "$EX/example_enclave.sig")
  expect_status 0 "$SGXRA" measure "$EX/example_enclave.so" --json
  expect_json mrenclave "$want"
  expect_json format elf
  expect_status 2 "$SGXRA" measure --ssaframesize 200 "$EX/example_enclave.so"
  expect_err_contains "[SGXRA_E_INVALID_ARGUMENT]"
else
  skipped "example enclave not built ($EX), its check"
fi

# ---- not enclave images, unusable input ----
expect_status 2 "$SGXRA" measure "$ID/enarx-sgx/encl.ss"
expect_err_contains "sgxra inspect"
expect_status 2 "$SGXRA" measure "$ID/enarx-sgx/encl.pem"
expect_err_contains "not an enclave image"
expect_err_contains "[SGXRA_E_FILE_UNKNOWN]"
head -c 5000 "$ID/enarx-sgx/encl.bin" > "$T/odd.bin"
expect_status 2 "$SGXRA" measure --format raw "$T/odd.bin"
expect_err_contains "[SGXRA_E_RAW_IMAGE_FORMAT]"
expect_status 2 "$SGXRA" measure --reg-flags 0x107 "$ID/enarx-sgx/encl.bin"
expect_err_contains "[SGXRA_E_MEASURE_SECINFO]"
expect_status 2 "$SGXRA" measure "$T/does-not-exist"
expect_err_contains "[SGXRA_E_IO]"

# ---- usage ----
expect_status 0 "$SGXRA" measure --help
case "$OUT" in *"usage: sgxra measure"*) ok ;; *) bad "help: $OUT" ;; esac
expect_status 2 "$SGXRA" measure
expect_err_contains "try 'sgxra measure --help'"
expect_status 2 "$SGXRA" measure --format pe "$ID/enarx-sgx/encl.bin"
expect_err_contains "--format 'pe'"
expect_status 2 "$SGXRA" measure --ssaframesize 0 "$ID/enarx-sgx/encl.bin"
expect_status 2 "$SGXRA" measure --ssaframesize x "$ID/enarx-sgx/encl.bin"
expect_status 2 "$SGXRA" measure --reg-flags zz "$ID/enarx-sgx/encl.bin"
expect_status 2 "$SGXRA" measure --reg-flags 0x207 "$ID/fortanix-rust-sgx/report.sgxs"
expect_err_contains "raw page images only"
expect_status 2 "$SGXRA" measure --ssaframesize 2 "$ID/fortanix-rust-sgx/report.sgxs"
expect_status 2 "$SGXRA" measure --bogus "$ID/enarx-sgx/encl.bin"
expect_status 2 "$SGXRA" measure "$ID/enarx-sgx/encl.bin" "$ID/enarx-sgx/encl.ss"
expect_status 2 "$SGXRA" measure --format
finish
