/*
 * sgxra/layout.h -- how an enclave ELF shared object becomes enclave pages,
 * and its MRENCLAVE, before it ever runs.
 *
 * The layout (docs/EMULATOR.md draws it):
 *
 *   1. ECREATE(SSAFRAMESIZE, SIZE).
 *   2. Every PT_LOAD segment, in program-header order: the pages covering
 *      [p_vaddr, p_vaddr + p_memsz) at enclave offset = page of p_vaddr.
 *      Page contents: the file bytes [p_offset, p_offset + p_filesz) placed
 *      at p_vaddr, zeros elsewhere (.bss).  SECINFO = PT_REG | R/W/X from
 *      p_flags (PF_R -> R, PF_W -> W, PF_X -> X).  A page covered by an
 *      earlier segment is not added again: the later segment's bytes are
 *      written into it and its permissions ORed in, and it keeps its place.
 *   3. After the highest segment page (`image_end`): one TCS page, then
 *      NSSA * SSAFRAMESIZE SSA pages (REG RW), then `stack_pages` stack
 *      pages (REG RW).  The TCS holds OSSA (offset 16) = the SSA's offset,
 *      NSSA (offset 28), OENTRY (offset 32) = ELF e_entry, FSLIMIT and
 *      GSLIMIT (offsets 64, 68) = 0xfff; every other byte is zero.
 *   4. Every page is EADDed and all 16 of its 256-byte chunks EEXTENDed.
 *   5. SIZE = the next power of two >= the end of the last page.
 *
 * Only PT_LOAD contents are measured: section headers, symbols and debug
 * information are not.  But the ELF header (inside the first segment) holds
 * e_shoff and e_shnum, so stripping or adding debug information *does*
 * change MRENCLAVE: strip the enclave before signing it.
 *
 * Thread-safety: pure functions.
 */
#ifndef SGXRA_LAYOUT_H
#define SGXRA_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps against hostile files. */
#define SGXRA_LAYOUT_MAX_SEGMENTS 64
#define SGXRA_LAYOUT_MAX_IMAGE (256u * 1024u * 1024u)

typedef struct sgxra_layout_params {
  uint32_t ssaframesize; /* pages per SSA frame, >= 1 */
  uint32_t nssa;         /* SSA frames, >= 1 */
  uint32_t stack_pages;  /* >= 1 */
} sgxra_layout_params;

/* Defaults: SSAFRAMESIZE 1, NSSA 2, 16 stack pages (64 KiB). */
void sgxra_layout_params_default(sgxra_layout_params *p);

/* Where things went (offsets from the enclave base). */
typedef struct sgxra_layout {
  uint64_t image_end; /* end of the last segment page */
  uint64_t tcs_offset;
  uint64_t ssa_offset;
  uint64_t stack_offset;
  uint64_t end;  /* end of the last page */
  uint64_t size; /* SECS.SIZE */
  uint32_t ssaframesize;
  uint32_t pages; /* pages added */
  uint64_t entry; /* e_entry */
} sgxra_layout;

/* MRENCLAVE of an ELF64 x86-64 shared object (ET_DYN) with the default
 * parameters: what `sgxra measure` prints and what EINIT checks.
 * SGXRA_E_EMU_ELF for a file that is not such an object, has no PT_LOAD, or
 * whose segments are out of range (the message names the header and
 * field); the measurement builder's codes pass through. */
SGXRA_MUST_CHECK sgxra_err
sgxra_layout_measure_elf(sgxra_ctx *cx, const uint8_t *p, size_t n,
                         uint8_t out_mrenclave[SGXRA_HASH_SIZE]);

/* The same with explicit parameters; out_layout may be NULL. */
SGXRA_MUST_CHECK sgxra_err sgxra_layout_measure_elf_ex(
    sgxra_ctx *cx, const uint8_t *p, size_t n, const sgxra_layout_params *prm,
    sgxra_layout *out_layout, uint8_t out_mrenclave[SGXRA_HASH_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
