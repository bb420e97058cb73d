/*
 * sgx/sdk_internal.h -- what the readers of `.note.sgxmeta` share:
 * sgx/enclavefile.c (the fixed head, sgxra/enclavefile.h) and
 * sgx/sdkenclave.c + sgx/sdkmeasure.c (every copy, its tables and the
 * MRENCLAVE the loader builds, sgxra/sdkenclave.h).
 *
 * Not installed; names are sgxra__*.  Thread-safety: pure functions.
 */
#ifndef SGXRA_SGX_SDK_INTERNAL_H
#define SGXRA_SGX_SDK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sgx/elf_internal.h"
#include "sgxra/enclavefile.h"
#include "sgxra/sdkenclave.h"

#define SGXRA__SGXMETA_NOTE_DESC 25 /* 12-byte note header + 13-byte name */
#define SGXRA__SGXMETA_HEAD 64
#define SGXRA__SGXMETA_DIRS 1872  /* 64 + the 1808-byte SIGSTRUCT */
#define SGXRA__SGXMETA_DATA2 1888 /* tables after dirs[2] (SDK <= 2.23) */
#define SGXRA__SGXMETA_DATA4 1904 /* tables after dirs[4] (SDK >= 2.24) */
#define SGXRA__SDK_ENTRY                                                       \
  32 /* patch_entry_t, layout_entry_t, layout_group_t                          \
      */

/* The note header of a `.note.sgxmeta` section p[0..n): namesz 13, type
 * 1, the name "sgx_metadata\0" unpadded, the descriptor inside the section.
 * SGXRA_E_SGXMETA_FORMAT with the field. */
SGXRA_MUST_CHECK sgxra_err sgxra__sgxmeta_note(sgxra_ctx *cx, const uint8_t *p,
                                               size_t n,
                                               const uint8_t **out_desc,
                                               uint32_t *out_descsz);

/* Find the `.note.sgxmeta` section of the ELF image p[0..n) into *out.
 * SGXRA_E_ELF_* when the image is not a well-formed ELF;
 * SGXRA_E_ELF_NO_SGXMETA when it has no section header table or no such
 * section, the message ending with `hint` (a sentence the caller adds,
 * may be ""). */
SGXRA_MUST_CHECK sgxra_err sgxra__sgxmeta_section(sgxra_ctx *cx,
                                                  const uint8_t *p, size_t n,
                                                  const char *hint,
                                                  sgxra__elf_section *out);

/* Decode the fixed head and dirs[0..1] of the record at r (at least
 * SGXRA__SGXMETA_DATA2 bytes, checked by the caller). */
void sgxra__sgxmeta_decode(const uint8_t *r, sgxra_sgxmeta *out);

/* The name of a layout entry id under a numbering (sgxra_sdk_meta
 * id_numbering 1 or 2): "TCS", "STACK_MIN", ...; NULL when unknown. */
const char *sgxra__sdk_layout_name(int numbering, uint16_t id);

#endif
