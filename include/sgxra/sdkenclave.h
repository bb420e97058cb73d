/*
 * sgxra/sdkenclave.h -- Intel SGX SDK enclaves re-measured from their
 * bytes: the whole `.note.sgxmeta` (every metadata_t copy, its patch and
 * layout tables) and MRENCLAVE recomputed the way Intel's loader (psw/urts
 * loader.cpp, which the SDK's sgx_sign runs too) lays the enclave out, so
 * the ENCLAVEHASH an ISV signed can be checked instead of believed.
 *
 * The layout the loader builds from one metadata_t (docs/MEASUREMENT.md
 * has a worked example):
 *
 *   1. ECREATE(SSAFRAMESIZE = metadata ssa_frame_size,
 *              SIZE = metadata enclave_size).
 *   2. The patch table applied to a copy of the file: each entry copies
 *      `size` bytes from metadata + src to file offset dst.
 *   3. Every PT_LOAD, in program-header order (one whose p_flags give none
 *      of R/W/X is refused, as the loader does: SGXRA_E_ELF_LAYOUT),
 *      SECINFO = PT_REG | R/W/X:
 *      the pages holding [p_vaddr, p_vaddr + p_filesz) are EADDed and
 *      EEXTENDed with the file bytes at their place and ZERO elsewhere in
 *      the page (not the neighbouring file bytes dlopen would map); then
 *      the rest up to p_vaddr + p_memsz as zero pages.  For metadata
 *      version 1.3 exactly (SDK 1.5 .. 1.8): one extra zero page with the
 *      flags of the highest segment so far, at the page after its end,
 *      when its end is not page-aligned and the next segment starts beyond
 *      that page, and once more after the last segment.
 *   4. The layout table in order: a plain entry with attribute EADD (1)
 *      adds page_count pages at rva (+ the group step), SECINFO si_flags;
 *      EEXTEND (2) also measures them.  Contents: for a TCS (si_flags
 *      0x100) the 72-byte template at metadata + content_offset, zero
 *      padded, with OSSA (+16), OFSBASE (+48) and OGSBASE (+56) increased
 *      by the page's rva; for other entries with content_offset the bytes
 *      at metadata + content_offset (always measured); otherwise pages
 *      filled with the u32 content_size (0xCCCCCCCC for stacks), or zero
 *      when content_size is 0.  si_flags 0 (guard pages) and entries
 *      without EADD (POST_ADD: dynamic threads, heap added later with
 *      EDMM) add nothing.  A group entry (id & 0x1000) replays the
 *      entry_count entries before it load_times times, the j-th time
 *      (j = 1..) with rva + j * load_step.
 *
 * What the loader would refuse, sgxra refuses with a code and the field:
 * SGXRA_E_SGXMETA_FORMAT for a table outside its record, a patch outside
 * the file or the metadata, a layout entry outside the enclave, a group
 * reaching before the table, or an unknown page type;
 * SGXRA_E_MEASURE_DUPLICATE for two pages at one offset (overlapping
 * segments or layout entries); SGXRA_E_SGXMETA_UNSUPPORTED for what sgxra
 * does not reproduce (ELRANGE metadata 11.x/13.x, an EXTEND directory with
 * a FIPS shared object, text relocations DT_TEXTREL).
 *
 * Memory stays flat: pages are produced one at a time from the file and
 * the metadata, never as an enclave-sized image, so a 256 MiB enclave
 * needs the file, one page and the builder's bitmap of added pages.
 *
 * Ownership: sgxra_sdk_enclave and every pointer in it point into the
 * caller's file buffer, which must outlive it; nothing is allocated, so
 * there is nothing to free.  Thread-safety: pure functions.
 */
#ifndef SGXRA_SDKENCLAVE_H
#define SGXRA_SDKENCLAVE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/enclavefile.h"
#include "sgxra/sgx.h"
#include "sgxra/sigstruct.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Metadata copies read from one note (SDK 2.x writes up to three). */
#define SGXRA_SDK_MAX_COPIES 8

/* Layout entry attributes (metadata.h PAGE_ATTR_*). */
#define SGXRA_SDK_PAGE_EADD 0x1
#define SGXRA_SDK_PAGE_EEXTEND 0x2
#define SGXRA_SDK_PAGE_EREMOVE 0x4
#define SGXRA_SDK_PAGE_POST_ADD 0x8
#define SGXRA_SDK_PAGE_POST_REMOVE 0x10
#define SGXRA_SDK_PAGE_DYN_THREAD 0x20
#define SGXRA_SDK_PAGE_GROW_DOWN 0x40
#define SGXRA_SDK_GROUP_FLAG 0x1000

/* One metadata_t record of the note, decoded and checked. */
typedef struct sgxra_sdk_meta {
  sgxra_sgxmeta head;   /* fixed head, sigstruct and record pointers */
  uint64_t file_offset; /* of the record in the file (0 for a bare note) */
  unsigned ndirs;       /* 2 (SDK <= 2.23) or 4 (PATCH, LAYOUT, ELRANGE,
                           EXTEND: SDK >= 2.24); the record does not say,
                           so: 4 when the lowest nonzero offset it refers
                           to (tables, patch sources, layout contents) is
                           >= 1904, the data start after 4 dirs, else 2 */
  uint32_t elrange_offset, elrange_size; /* dirs[2], 0 when ndirs is 2 */
  uint32_t extend_offset, extend_size;   /* dirs[3], 0 when ndirs is 2 */
  uint32_t npatches;                     /* patch_size / 32 */
  uint32_t nlayout;                      /* layout_size / 32 */
  /* Layout-id numbering: 1 for SDK 1.x (HEAP 1, TCS 2, TD 3, SSA 4,
   * STACK 5, GROUP 0x1006, GUARD 7), 2 for SDK 2.x (HEAP_MIN 1 ..
   * GUARD 10, dynamic 11..19, USER_REGION 23), told apart by the id of
   * the TCS entry; 0 when the table has no TCS entry. */
  int id_numbering;
  /* Nonzero when Intel's current loader on an EDMM-capable CPU would
   * consider this copy (it skips every 2.x copy and majors above 3). */
  int loadable;
} sgxra_sdk_meta;

/* A signed SDK enclave file: the ELF, its note, every metadata copy. */
typedef struct sgxra_sdk_enclave {
  const uint8_t *file; /* the caller's buffer */
  size_t file_len;
  uint64_t note_offset; /* .note.sgxmeta in the file */
  uint64_t note_size;
  unsigned ncopies;
  sgxra_sdk_meta copies[SGXRA_SDK_MAX_COPIES]; /* in file order */
  /* The copy Intel's current loader takes on an EDMM-capable CPU: the
   * highest loadable version; when none is loadable, the highest. */
  unsigned selected;
} sgxra_sdk_enclave;

/* Open an SDK enclave: the ELF (sgx/elf.c's checks, SGXRA_E_ELF_FORMAT),
 * its `.note.sgxmeta` (SGXRA_E_ELF_NO_SGXMETA when absent), every metadata
 * copy with its directories, patch table and layout table checked against
 * the record, the file and the enclave size (SGXRA_E_SGXMETA_FORMAT with
 * the copy's version and the entry index).  A note of zeros (an enclave
 * built but not yet signed) is SGXRA_E_SGXMETA_FORMAT saying so.  On error
 * *out is zeroed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sdk_open(sgxra_ctx *cx,
                                                    const uint8_t *p, size_t n,
                                                    sgxra_sdk_enclave *out);

/* One page the loader adds, as the measurement sees it. */
typedef struct sgxra_sdk_page {
  uint64_t offset;        /* enclave offset (rva) */
  uint64_t secinfo_flags; /* as measured (0x100 for a TCS) */
  int extended;           /* nonzero: its 16 chunks were EEXTENDed */
  const uint8_t *bytes;   /* 4096 bytes, valid during the callback only */
  /* What it came from, for a human: "PT_LOAD 2" (PT_LOADs counted from
   * 1), "PT_LOAD 1 (zero)", "layout entry 6 (id 4 TCS)", "layout entry 4
   * (id 8 STACK_MIN), group entry 10, 3rd", "v1.3 extra page (after
   * PT_LOAD 2)"; an error of the builder gets the same text in front. */
  const char *source;
} sgxra_sdk_page;

/* Called for every page in measurement order; a nonzero return stops the
 * measurement with that error (set a message on cx first). */
typedef sgxra_err (*sgxra_sdk_page_fn)(void *arg, const sgxra_sdk_page *pg);

typedef struct sgxra_sdk_measurement {
  uint8_t mrenclave[SGXRA_HASH_SIZE]; /* as measured */
  uint64_t eadd;                      /* EADD records */
  uint64_t eextend;                   /* EEXTEND records (16 per page) */
  uint64_t measured_bytes;            /* page bytes EEXTENDed */
  int match; /* nonzero: equals the copy's SIGSTRUCT ENCLAVEHASH */
} sgxra_sdk_measurement;

/* Measure one copy (index < e->ncopies) of an opened enclave.  `fn` (may
 * be NULL) sees every page.  SGXRA_E_MEASURE_* from the builder (a
 * duplicate page, a page outside SIZE), SGXRA_E_SGXMETA_FORMAT /
 * _UNSUPPORTED as above, each naming the segment or layout entry. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sdk_measure(sgxra_ctx *cx, const sgxra_sdk_enclave *e, unsigned copy,
                  sgxra_sdk_page_fn fn, void *arg, sgxra_sdk_measurement *out);

/* The whole check a service provider wants: open, measure every copy,
 * compare each with its ENCLAVEHASH.  `match` is nonzero only when every
 * copy matches (whichever copy a CPU's loader picks, EINIT succeeds).
 * SGXRA_OK also for a mismatch: read `match`. */
typedef struct sgxra_sdk_check {
  uint8_t measured[SGXRA_HASH_SIZE]; /* of the selected copy */
  uint8_t signed_hash[SGXRA_HASH_SIZE];
  unsigned selected;
  unsigned ncopies;
  uint32_t version_major[SGXRA_SDK_MAX_COPIES];
  uint32_t version_minor[SGXRA_SDK_MAX_COPIES];
  sgxra_sdk_measurement copies[SGXRA_SDK_MAX_COPIES];
  int match;
} sgxra_sdk_check;

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sdk_check_file(sgxra_ctx *cx,
                                                          const uint8_t *p,
                                                          size_t n,
                                                          sgxra_sdk_check *out);

/* What a reviewer reads out of one copy's layout table. */
typedef struct sgxra_sdk_summary {
  uint32_t version_major, version_minor;
  uint64_t enclave_size;
  uint32_t ssa_frame_size; /* pages */
  uint32_t nssa;           /* SSA frames per thread (SSA pages / frame) */
  uint32_t tcs_policy;     /* 0 bound, 1 unbound */
  uint32_t tcs_min_pool;
  uint32_t tcs_static;  /* TCS pages EADDed at load */
  uint32_t tcs_dynamic; /* TCS pages added later (POST_ADD), EDMM */
  uint64_t heap_init;   /* bytes EADDed at load (HEAP / HEAP_MIN+INIT) */
  uint64_t heap_max;    /* bytes reserved in all (incl. POST_ADD) */
  uint64_t stack_max;   /* bytes per static thread */
  uint64_t stack_min;   /* bytes committed at load per thread (2.x) */
  uint32_t misc_select;
  sgxra_attributes attributes; /* metadata's (requested at load) */
} sgxra_sdk_summary;

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sdk_summarize(sgxra_ctx *cx, const sgxra_sdk_enclave *e, unsigned copy,
                    sgxra_sdk_summary *out);

/* Write `sigstruct` into every metadata copy of `out_file`, a copy of
 * e->file (same length) that the caller owns: what sgx_sign's output
 * holds.  Only enclave_css changes; the pages measured are untouched.
 * SGXRA_E_INVALID_ARGUMENT when out_len differs from e->file_len. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sdk_set_sigstruct(sgxra_ctx *cx, const sgxra_sdk_enclave *e,
                        const uint8_t sigstruct[SGXRA_SIGSTRUCT_SIZE],
                        uint8_t *out_file, size_t out_len);

#ifdef __cplusplus
}
#endif
#endif
