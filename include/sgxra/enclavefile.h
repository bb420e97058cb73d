/*
 * sgxra/enclavefile.h -- signed enclave files of the Intel SGX SDK: the ELF
 * shared object whose `.note.sgxmeta` section carries the enclave metadata
 * (metadata_t) with the SIGSTRUCT inside.
 *
 * The note: an ELF note header (namesz 13, descsz, type 1), the name
 * "sgx_metadata\0" with *no* padding to 4 bytes, so the descriptor, a chain
 * of metadata_t records, starts at section offset +25.  Each metadata_t
 * starts with magic 0x86A80294635D0E4C, version (major << 32 | minor) and
 * size; the SIGSTRUCT (enclave_css) sits at metadata + 64, the table
 * directory (patch, layout) at + 1872.  When several
 * records are chained, the highest version is the one the SDK loader uses.
 *
 * Thread-safety: pure functions; results point into the caller's buffer.
 */
#ifndef SGXRA_ENCLAVEFILE_H
#define SGXRA_ENCLAVEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_SGXMETA_MAGIC 0x86A80294635D0E4CULL

/* The fixed head of one metadata_t record (what sgxra reads of it). */
typedef struct sgxra_sgxmeta {
  uint64_t magic;
  uint32_t version_major;
  uint32_t version_minor;
  uint32_t size; /* bytes of this record */
  uint32_t tcs_policy;
  uint32_t ssa_frame_size; /* pages */
  uint32_t max_save_buffer_size;
  uint32_t desired_misc_select;
  uint32_t tcs_min_pool;
  uint64_t enclave_size;
  sgxra_attributes attributes;
  const uint8_t *sigstruct; /* 1808 bytes inside the caller's buffer */
  const uint8_t *record;    /* the whole record, `size` bytes */
  /* dirs[] at record + 1872: where the patch table and the layout table
   * (what recomputing MRENCLAVE from the ELF will read) sit, as offsets
   * from the record start, checked to lie inside the record. */
  uint32_t patch_offset, patch_size;
  uint32_t layout_offset, layout_size;
} sgxra_sgxmeta;

/* Parse the bytes of a `.note.sgxmeta` section and select the record with
 * the highest version.  SGXRA_E_SGXMETA_FORMAT with the offending field. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sgxmeta_parse_note(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_sgxmeta *out);

/* Find `.note.sgxmeta` in an ELF64 file and parse it.  SGXRA_E_ELF_FORMAT
 * for a malformed ELF or one that is not an ELF64 little-endian x86-64
 * shared object: the header and program headers are checked by the same
 * reader as sgxra/layout.h's, so a file gets the same code from both.
 * SGXRA_E_ELF_NO_SGXMETA when the section is absent (an unsigned enclave
 * or not an enclave). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sgxmeta_from_elf(sgxra_ctx *cx,
                                                            const uint8_t *p,
                                                            size_t n,
                                                            sgxra_sgxmeta *out);

/* What kind of SGX file p[0..n) looks like, by content (not name). */
typedef enum sgxra_file_kind {
  SGXRA_FILE_UNKNOWN = 0,
  SGXRA_FILE_SIGSTRUCT, /* 1808 bytes starting with the SIGSTRUCT header */
  SGXRA_FILE_ELF,       /* ELF; may or may not carry .note.sgxmeta */
  SGXRA_FILE_SGXS,      /* starts with an "ECREATE\0" record */
  SGXRA_FILE_REPORT,    /* exactly 432 bytes, not one of the above */
  SGXRA_FILE_QUOTE,     /* quote header: version 3/4/5, key type 2 */
  SGXRA_FILE_RAW_IMAGE  /* nonzero multiple of 4096 bytes, none of above */
} sgxra_file_kind;

SGXRA_API sgxra_file_kind sgxra_file_detect(const uint8_t *p, size_t n);

/* sgxra_file_detect for a caller that needs a kind: SGXRA_OK with
 * *out_kind, or SGXRA_E_FILE_UNKNOWN (and SGXRA_FILE_UNKNOWN) when p[0..n)
 * is none of the kinds, with a message giving its size and what each kind
 * looks like. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_detect_known(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_file_kind *out_kind);
SGXRA_API const char *sgxra_file_kind_name(sgxra_file_kind k);

#ifdef __cplusplus
}
#endif
#endif
