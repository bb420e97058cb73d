# CLI tests of the one ELF reader (src/sgx/elf.c): the same malformed
# enclave ELF gives the same code and message through `sgxra measure`,
# `sgxra inspect`, `sgxra sign` and the emulated loader (`sgxra platform
# quote`).  The files are those of tests/sgx/elf_cases.h, which the unit
# tests run through the library functions behind these verbs.
. "$(dirname "$0")/lib.sh"
K="$V/identity/lexe/test_vectors_key.pkcs8.der"
SS="$V/identity/enarx-sgx/encl.ss"

# mkcase NAME AT WIDTH VALUE LEN: the valid file of elf_cases.h with VALUE
# stored at AT (WIDTH bytes, little-endian; WIDTH 0: nothing), cut to LEN
# bytes (0: whole), written to $T/NAME.so.
mkcase() {
  python3 - "$T/$1.so" "$2" "$3" "$4" "$5" <<'EOF'
import struct, sys
out, at, width, val, cut = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3]), int(sys.argv[4], 0), int(sys.argv[5], 0)
p = bytearray(0x300)
p[0:16] = b'\x7fELF' + bytes([2, 1, 1]) + bytes(9)
# e_type e_machine e_version e_entry e_phoff e_shoff e_flags e_ehsize
# e_phentsize e_phnum e_shentsize e_shnum e_shstrndx
p[16:64] = struct.pack('<HHIQQQIHHHHHH', 3, 62, 1, 0x1000, 64, 0, 0, 64, 56, 2, 0, 0, 0)
# p_type p_flags p_offset p_vaddr p_paddr p_filesz p_memsz p_align
p[64:120] = struct.pack('<IIQQQQQQ', 1, 5, 0, 0, 0, 0x200, 0x200, 0)
p[120:176] = struct.pack('<IIQQQQQQ', 1, 6, 0x200, 0x1200, 0, 0x100, 0x1000, 0)
for i in range(176, 0x300):
    p[i] = (ord('A') + i) & 0xff
if width:
    p[at:at + width] = val.to_bytes(width, 'little')
open(out, 'wb').write(p[:cut] if cut else p)
EOF
}

expect_code_and_msg() { # CODE MSG
  expect_err_contains "$2"
  expect_err_contains "[$1]"
}

expect_status 0 "$SGXRA" platform init "$T/plat" --at 2026-01-01T00:00:00Z

# ---- the valid file: an unsigned enclave ---------------------------------------
mkcase valid 0 0 0 0
expect_status 0 "$SGXRA" measure --json "$T/valid.so"
expect_json format elf
expect_json size 0x20000
expect_json pages 22
expect_json tcs_offset 0x3000
expect_json entry 0x1000
MR=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mrenclave"])')
expect_status 0 "$SGXRA" sign --key "$K" "$T/valid.so" -o "$T/valid.sig" --json
expect_json mrenclave "$MR"
expect_status 2 "$SGXRA" inspect "$T/valid.so"
expect_err_contains "[SGXRA_E_ELF_NO_SGXMETA]"

# ---- malformed: SGXRA_E_ELF_FORMAT and the same message from every verb ------------
# name|at|width|value|cut|message
while IFS='|' read -r name at width val cut msg; do
  [ -n "$name" ] || continue
  mkcase "$name" "$at" "$width" "$val" "$cut"
  F="$T/$name.so"
  expect_status 2 "$SGXRA" measure "$F"
  expect_code_and_msg SGXRA_E_ELF_FORMAT "$msg"
  expect_status 2 "$SGXRA" measure --format elf --json "$F"
  expect_code_and_msg SGXRA_E_ELF_FORMAT "$msg"
  expect_status 2 "$SGXRA" inspect "$F"
  expect_code_and_msg SGXRA_E_ELF_FORMAT "$msg"
  expect_status 2 "$SGXRA" sign --key "$K" "$F" -o "$T/x.sig"
  expect_code_and_msg SGXRA_E_ELF_FORMAT "$msg"
  expect_status 2 "$SGXRA" platform quote "$T/plat" --enclave "$F" \
    --sigstruct "$SS" -o "$T/x.quote"
  expect_code_and_msg SGXRA_E_ELF_FORMAT "$msg"
  [ ! -e "$T/x.sig" ] && [ ! -e "$T/x.quote" ] && ok || bad "$name: output written"
done <<'CASES'
header-cut|0|0|0|40|the ELF64 header needs 64 bytes at offset 0, only 40 remain
et-exec|16|2|2|0|e_type is 2, expected 3 (ET_DYN
elfclass32|4|1|1|0|ELF class 1 is not ELF64
big-endian|5|1|2|0|data encoding 2 is not little-endian
ev-none|6|1|0|0|ELF version is 0 (e_ident[EI_VERSION])
em-386|18|2|3|0|e_machine is 3, expected 62 (x86-64)
phentsize-64|54|2|64|0|e_phentsize is 64, expected 56
phdrs-cut|0|0|0|130|program header 1 of 2 at offset 0x78 runs past the end of the file (0x82 bytes)
phnum-40|56|2|40|0|program header 12 of 40 at offset 0x2e0 runs past the end
load-past-eof|152|8|0x200|0|program header 1: PT_LOAD file bytes [0x200, +0x200) run past the end of the file (0x300 bytes)
filesz-gt-memsz|96|8|0x220|0|program header 0: p_filesz 544 exceeds p_memsz 512
undefined-flag|68|4|0x15|0|program header 0: p_flags 0x15 sets bits 0x10
not-congruent|136|8|0x1280|0|differ in their offset within a 4096-byte page
overlapping|104|8|0x1300|0|segment 1 starts at p_vaddr 0x1200, in or below the page 0x1000 where segment 0 (program header 0) ends at 0x1300
descending|80|8|0x5000|0|must be in ascending p_vaddr order
CASES

# ---- well-formed, but not an enclave sgxra's layout can map -----------------------
# SGXRA_E_ELF_LAYOUT where the file is laid out (measure, sign, the loader);
# inspect reads only the (absent) metadata of a well-formed ELF.
mkcase shared-page 136 8 0x200 0
F="$T/shared-page.so"
expect_status 2 "$SGXRA" measure "$F"
expect_code_and_msg SGXRA_E_ELF_LAYOUT "share no page"
expect_status 2 "$SGXRA" sign --key "$K" "$F" -o "$T/x.sig"
expect_code_and_msg SGXRA_E_ELF_LAYOUT "share no page"
expect_status 2 "$SGXRA" platform quote "$T/plat" --enclave "$F" \
  --sigstruct "$SS" -o "$T/x.quote"
expect_code_and_msg SGXRA_E_ELF_LAYOUT "share no page"
expect_status 2 "$SGXRA" inspect "$F"
expect_err_contains "[SGXRA_E_ELF_NO_SGXMETA]"
finish
