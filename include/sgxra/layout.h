/*
 * sgxra/layout.h -- how an enclave ELF shared object becomes enclave pages,
 * and its MRENCLAVE, before it ever runs.  An sgx-layer module
 * (src/sgx/layout.c): `sgxra measure` and `sgxra sign` measure with it, and
 * the emulator's loader (src/emu/enclave.c) lays enclaves out with it, so
 * the ISV's MRENCLAVE is the one EINIT checks.
 *
 * The layout (docs/EMULATOR.md draws it):
 *
 *   1. ECREATE(SSAFRAMESIZE, SIZE).
 *   2. Every PT_LOAD segment with p_memsz > 0, in program-header order:
 *      every page of [p_vaddr & ~4095, p_vaddr + p_memsz rounded up), at
 *      enclave offset = its address, SECINFO = PT_REG | R/W/X from p_flags
 *      (PF_R -> R, PF_W -> W, PF_X -> X).  Page contents = what glibc's
 *      dlopen() maps there before relocating (elf/dl-map-segments.h):
 *        - pages up to p_vaddr + p_filesz rounded up hold the WHOLE file
 *          page at (p_offset & ~4095) + (page - (p_vaddr & ~4095)): file
 *          bytes before p_offset and after p_offset + p_filesz included,
 *          bytes past the end of the file zero;
 *        - when p_memsz > p_filesz, [p_vaddr + p_filesz, min(end of that
 *          page, p_vaddr + p_memsz)) is zero (the loader clears it; the
 *          rest of that page keeps the file's bytes), later pages are zero.
 *      So every byte the enclave's memory holds is measured; one file byte
 *      may be measured in two pages.  Refused as malformed
 *      (SGXRA_E_ELF_FORMAT, by the ELF reader every verb uses): p_vaddr !=
 *      p_offset modulo 4096 (dlopen refuses it too), segments out of
 *      ascending order or overlapping.  Refused as not an enclave sgxra can
 *      lay out (SGXRA_E_ELF_LAYOUT): two segments sharing a page (a page
 *      has one SECINFO and is added once; glibc would give it the later
 *      segment's mapping), no PT_LOAD with memory, more than
 *      SGXRA_LAYOUT_MAX_SEGMENTS of them, or one past
 *      SGXRA_LAYOUT_MAX_IMAGE.
 *   3. After the highest segment page (`image_end`): one TCS page, then
 *      NSSA * SSAFRAMESIZE SSA pages (REG RW), then `stack_pages` stack
 *      pages (REG RW).  The TCS holds OSSA (offset 16) = the SSA's offset,
 *      NSSA (offset 28), OENTRY (offset 32) = ELF e_entry, FSLIMIT and
 *      GSLIMIT (offsets 64, 68) = 0xfff; every other byte is zero.
 *   4. Every page is EADDed and all 16 of its 256-byte chunks EEXTENDed.
 *   5. SIZE = the next power of two >= the end of the last page.
 *
 * Only what the PT_LOAD segments map is measured: section headers, symbols
 * and debug information outside the mapped file pages are not.  But the ELF
 * header (inside the first segment) holds e_shoff and e_shnum, so stripping or
 * adding debug information *does* change MRENCLAVE: strip the enclave before
 * signing it.
 *
 * Ownership: the caller owns the ELF bytes and every output; nothing is
 * kept.  Thread-safety: pure functions.
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
SGXRA_API void sgxra_layout_params_default(sgxra_layout_params *p);

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
 * SGXRA_E_ELF_FORMAT for a file that is not such an object or is malformed
 * (the same code sgxra_sgxmeta_from_elf gives for it), SGXRA_E_ELF_LAYOUT
 * for one the layout above cannot map (both messages name the header and
 * field); the measurement builder's codes pass through. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_layout_measure_elf(sgxra_ctx *cx, const uint8_t *p, size_t n,
                         uint8_t out_mrenclave[SGXRA_HASH_SIZE]);

/* The same with explicit parameters; out_layout may be NULL. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_layout_measure_elf_ex(
    sgxra_ctx *cx, const uint8_t *p, size_t n, const sgxra_layout_params *prm,
    sgxra_layout *out_layout, uint8_t out_mrenclave[SGXRA_HASH_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
