/*
 * tests/sgx/elf_cases.h -- one small, valid enclave ELF and the ways to break
 * it, shared by the tests of every reader of ELF files, so each expects the
 * same code for the same file:
 *
 *   tests/sgx/test_elf.c   sgxra_layout_measure_elf (`measure`/`sign` of an
 *                          unsigned .so) and sgxra_sgxmeta_from_elf
 *                          (`inspect`, and `measure`/`sign` of a signed .so)
 *   tests/emu/test_cpu.c   sgxra_emu_enclave_create (the emulator's loader)
 *
 * tests/cli/test_elf.sh builds the same files in Python and runs them
 * through the verbs.
 *
 *   file 0x000  ELF header (64) | 2 program headers (112) | filler
 *        0x200  0x100 bytes of data
 *   PT_LOAD 0: off 0      vaddr 0      filesz 0x200 memsz 0x200   R X
 *   PT_LOAD 1: off 0x200  vaddr 0x1200 filesz 0x100 memsz 0x1000  R W
 *   no section header table (so no .note.sgxmeta: an unsigned enclave)
 */
#ifndef SGXRA_TESTS_ELF_CASES_H
#define SGXRA_TESTS_ELF_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sgxra/error.h"

#define ELFC_LEN 0x300
#define ELFC_PH0 64              /* program header 0 */
#define ELFC_PH1 (ELFC_PH0 + 56) /* program header 1 */

static void elfc_put(uint8_t *p, int width, uint64_t v) {
  for (int i = 0; i < width; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void elfc_make(uint8_t p[ELFC_LEN]) {
  memset(p, 0, ELFC_LEN);
  memcpy(p,
         "\x7f"
         "ELF",
         4);
  p[4] = 2;                /* ELFCLASS64 */
  p[5] = 1;                /* ELFDATA2LSB */
  p[6] = 1;                /* EV_CURRENT */
  elfc_put(p + 16, 2, 3);  /* ET_DYN */
  elfc_put(p + 18, 2, 62); /* EM_X86_64 */
  elfc_put(p + 20, 4, 1);  /* e_version */
  elfc_put(p + 24, 8, 0x1000);
  elfc_put(p + 32, 8, ELFC_PH0); /* e_phoff */
  elfc_put(p + 52, 2, 64);       /* e_ehsize */
  elfc_put(p + 54, 2, 56);       /* e_phentsize */
  elfc_put(p + 56, 2, 2);        /* e_phnum */
  uint8_t *h = p + ELFC_PH0;
  elfc_put(h, 4, 1);     /* PT_LOAD */
  elfc_put(h + 4, 4, 5); /* R X */
  elfc_put(h + 32, 8, 0x200);
  elfc_put(h + 40, 8, 0x200);
  h = p + ELFC_PH1;
  elfc_put(h, 4, 1);
  elfc_put(h + 4, 4, 6); /* R W */
  elfc_put(h + 8, 8, 0x200);
  elfc_put(h + 16, 8, 0x1200);
  elfc_put(h + 32, 8, 0x100);
  elfc_put(h + 40, 8, 0x1000);
  for (size_t i = 176; i < ELFC_LEN; i++) p[i] = (uint8_t)('A' + i);
}

/* One way to break it: store `val` (width bytes, little-endian) at `at`,
 * then keep the first `len` bytes (0: all).  Every reader gives `code`
 * with a message containing `msg`. */
typedef struct elfc_case {
  const char *name;
  size_t at;
  int width;
  uint64_t val;
  size_t len;
  const char *msg;
} elfc_case;

/* Malformed: SGXRA_E_ELF_FORMAT from every reader, with the same message. */
static const elfc_case elfc_malformed[] = {
    {"not ELF", 0, 1, 0x7e, 0, "not an ELF file"},
    {"header cut", 0, 0, 0, 40,
     "the ELF64 header needs 64 bytes at offset 0, only 40 remain"},
    {"ET_EXEC", 16, 2, 2, 0, "e_type is 2, expected 3 (ET_DYN"},
    {"ELFCLASS32", 4, 1, 1, 0, "ELF class 1 is not ELF64"},
    {"big-endian", 5, 1, 2, 0, "data encoding 2 is not little-endian"},
    {"EV_NONE", 6, 1, 0, 0, "ELF version is 0 (e_ident[EI_VERSION])"},
    {"EM_386", 18, 2, 3, 0, "e_machine is 3, expected 62 (x86-64)"},
    {"e_phentsize 64", 54, 2, 64, 0, "e_phentsize is 64, expected 56"},
    {"program headers cut", 0, 0, 0, 130,
     "program header 1 of 2 at offset 0x78 runs past the end of the file "
     "(0x82 bytes)"},
    {"e_phnum 40", 56, 2, 40, 0,
     "program header 12 of 40 at offset 0x2e0 runs past the end"},
    {"PT_LOAD past EOF", ELFC_PH1 + 32, 8, 0x200, 0,
     "program header 1: PT_LOAD file bytes [0x200, +0x200) run past the end "
     "of the file (0x300 bytes)"},
    {"p_filesz > p_memsz", ELFC_PH0 + 32, 8, 0x220, 0,
     "program header 0: p_filesz 544 exceeds p_memsz 512"},
    {"p_vaddr wraps", ELFC_PH1 + 16, 8, 0xfffffffffffff200ULL, 0,
     "wraps around the address space"},
    {"undefined p_flags bit", ELFC_PH0 + 4, 4, 0x15, 0,
     "program header 0: p_flags 0x15 sets bits 0x10"},
    {"p_vaddr not congruent", ELFC_PH1 + 16, 8, 0x1280, 0,
     "differ in their offset within a 4096-byte page"},
    /* segment 0 [0, 0x1300) runs into segment 1 at 0x1200 */
    {"overlapping segments", ELFC_PH0 + 40, 8, 0x1300, 0,
     "segment 1 starts at p_vaddr 0x1200, in or below the page 0x1000 where "
     "segment 0 (program header 0) ends at 0x1300"},
    {"descending segments", ELFC_PH0 + 16, 8, 0x5000, 0,
     "must be in ascending p_vaddr order"},
};

/* Well-formed, but not an enclave the layout can map: SGXRA_E_ELF_LAYOUT
 * from the layout (and so from the loader); the metadata reader accepts
 * the ELF and finds no .note.sgxmeta (SGXRA_E_ELF_NO_SGXMETA). */
static const elfc_case elfc_unlayable[] = {
    {"segments share a page", ELFC_PH1 + 16, 8, 0x200, 0, "share no page"},
    {"beyond the image cap", ELFC_PH1 + 16, 8, 0x20001200, 0, "image cap"},
    {"no program headers", 56, 2, 0, 0, "no PT_LOAD segment"},
};

/* Apply case c to a fresh copy of the valid file; returns its length. */
static size_t elfc_apply(const elfc_case *c, uint8_t p[ELFC_LEN]) {
  elfc_make(p);
  if (c->width) elfc_put(p + c->at, c->width, c->val);
  return c->len ? c->len : ELFC_LEN;
}

#endif
