/*
 * sgx/elf_internal.h -- the one ELF reader of sgxra.  Enclaves are ELF64
 * little-endian x86-64 shared objects; two modules read them:
 *
 *   sgx/layout.c       the PT_LOAD segments (how the loader maps the file)
 *   sgx/enclavefile.c  the .note.sgxmeta section of a signed SDK enclave
 *
 * so that one malformed file gets one code, SGXRA_E_ELF_FORMAT, whichever
 * verb reads it (`measure`, `sign`, `inspect`, the emulator's loader).
 *
 * sgxra__elf_open() checks what every reader relies on (System V gABI,
 * "ELF Header" and "Program Header"):
 *
 *   header  0 e_ident: 7f 'E' 'L' 'F', EI_CLASS 2 (64-bit), EI_DATA 1
 *             (little-endian), EI_VERSION 1
 *          16 e_type u16 = 3 (ET_DYN)     18 e_machine u16 = 62 (x86-64)
 *          20 e_version u32 = 1           24 e_entry u64
 *          32 e_phoff u64                 40 e_shoff u64
 *          48 e_flags u32                 52 e_ehsize u16
 *          54 e_phentsize u16 (56 when e_phnum > 0)
 *          56 e_phnum u16                 58 e_shentsize u16
 *          60 e_shnum u16                 62 e_shstrndx u16
 *   phdr    0 p_type u32 (1 = PT_LOAD)    4 p_flags u32 (X 1, W 2, R 4)
 *           8 p_offset u64               16 p_vaddr u64
 *          24 p_paddr u64                32 p_filesz u64
 *          40 p_memsz u64                48 p_align u64
 *
 * and, for every PT_LOAD: p_filesz <= p_memsz; [p_offset, +p_filesz)
 * inside the file; p_vaddr + p_memsz does not wrap; no p_flags bits the
 * gABI leaves undefined (3..19); and for those with p_memsz > 0:
 * p_vaddr == p_offset modulo 4096 (the gABI's "congruent modulo the page
 * size"; dlopen refuses anything else) and ascending p_vaddr order
 * without overlap.  Sharing a page is allowed here (the gABI allows it);
 * the enclave layout refuses it with its own code (SGXRA_E_ELF_LAYOUT).
 *
 * The section header table is only read when a section is looked up, so
 * a file cut after its last segment still lays out as the loader maps it.
 *
 * Not installed; names are sgxra__*.  Thread-safety: pure functions; an
 * sgxra__elf points into the caller's buffer.
 */
#ifndef SGXRA_SGX_ELF_INTERNAL_H
#define SGXRA_SGX_ELF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#define SGXRA__ELF_HEADER_SIZE 64
#define SGXRA__ELF_PHDR_SIZE 56
#define SGXRA__ELF_SHDR_SIZE 64
#define SGXRA__ELF_ET_DYN 3
#define SGXRA__ELF_EM_X86_64 62
#define SGXRA__ELF_PT_LOAD 1
#define SGXRA__ELF_PF_X 1u
#define SGXRA__ELF_PF_W 2u
#define SGXRA__ELF_PF_R 4u

/* A checked ELF file: the header fields the readers use. */
typedef struct sgxra__elf {
  const uint8_t *p; /* the whole file (the caller's buffer) */
  size_t n;
  uint64_t entry; /* e_entry */
  uint64_t phoff; /* e_phoff: phnum headers of 56 bytes lie in the file */
  uint16_t phnum;
  uint64_t shoff;     /* e_shoff, e_shentsize, e_shnum, e_shstrndx: checked */
  uint16_t shentsize; /* only by sgxra__elf_find_section() */
  uint16_t shnum;
  uint16_t shstrndx;
} sgxra__elf;

/* One program header. */
typedef struct sgxra__elf_phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, filesz, memsz;
} sgxra__elf_phdr;

/* One section: its bytes lie inside the file. */
typedef struct sgxra__elf_section {
  uint64_t index;
  uint64_t offset, size;
  const uint8_t *bytes;
} sgxra__elf_section;

/* Check the header and the program headers as above.  SGXRA_E_ELF_FORMAT
 * with the field, the value found, the one expected and the offset;
 * SGXRA_E_INVALID_ARGUMENT for NULL with a length.  On error *out is
 * zeroed. */
SGXRA_MUST_CHECK sgxra_err sgxra__elf_open(sgxra_ctx *cx, const uint8_t *p,
                                           size_t n, sgxra__elf *out);

/* Program header i < e->phnum of a file sgxra__elf_open() accepted. */
SGXRA_MUST_CHECK sgxra_err sgxra__elf_read_phdr(sgxra_ctx *cx,
                                                const sgxra__elf *e, unsigned i,
                                                sgxra__elf_phdr *out);

/* The section named `name` (bytes in the file, not SHT_NOBITS).  SGXRA_OK
 * with *out_found 0 when there is no section header table (e_shoff 0) or
 * no section of that name; *out_nsections is the number of sections
 * (for the caller's message).  SGXRA_E_ELF_FORMAT for a section header
 * table, name table or matching section that does not fit the file. */
SGXRA_MUST_CHECK sgxra_err sgxra__elf_find_section(
    sgxra_ctx *cx, const sgxra__elf *e, const char *name,
    sgxra__elf_section *out, int *out_found, uint64_t *out_nsections);

#endif
