/*
 * sgxra/measure.h -- MRENCLAVE: the streaming measurement builder and the
 * enclave file formats it reads.
 *
 * MRENCLAVE is SHA-256 over 64-byte records that ECREATE, EADD and EEXTEND
 * append (Intel SDM Vol. 3D, 38.7 "SGX measurement", and the ENCLS leaf
 * pseudo-code in chapter 40):
 *
 *   ECREATE  "ECREATE\0" | SSAFRAMESIZE u32 | SIZE u64 (at the unaligned
 *            offset 12) | 44 zero bytes
 *   EADD     "EADD\0\0\0\0" | page offset u64 | first 48 bytes of SECINFO
 *            (FLAGS u64, then zeros)
 *   EEXTEND  "EEXTEND\0" | chunk offset u64 | 48 zero bytes, then the 256
 *            bytes of the chunk
 *
 * The builder checks what the hardware checks, each with its own code:
 * ECREATE first and once, anything after final (SGXRA_E_MEASURE_ORDER);
 * SIZE a power of two >= 2 pages (_SIZE); SSAFRAMESIZE >= 1
 * (_SSAFRAMESIZE); EADD page-aligned and EEXTEND 256-byte aligned
 * (_ALIGNMENT), inside SIZE (_RANGE); a page added once (_DUPLICATE);
 * EEXTEND inside an added page (_NOT_ADDED); SECINFO of type REG or TCS, no
 * reserved bits, no W without R (_SECINFO).  A TCS is measured with FLAGS
 * exactly 0x100: the CPU clears its R/W/X before hashing SECINFO.  A
 * refused operation changes nothing.  Offsets are relative to the enclave
 * base (BASEADDR is not measured).  docs/MEASUREMENT.md has the details.
 *
 * Thread-safety: a builder is used by one thread at a time.
 */
#ifndef SGXRA_MEASURE_H
#define SGXRA_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_PAGE_SIZE 4096
#define SGXRA_EEXTEND_CHUNK 256

/* SECINFO.FLAGS (SDM table 38-18). */
#define SGXRA_SECINFO_R 0x01ULL
#define SGXRA_SECINFO_W 0x02ULL
#define SGXRA_SECINFO_X 0x04ULL
#define SGXRA_SECINFO_PT_SECS 0x000ULL
#define SGXRA_SECINFO_PT_TCS 0x100ULL
#define SGXRA_SECINFO_PT_REG 0x200ULL
#define SGXRA_SECINFO_PT_VA 0x300ULL
#define SGXRA_SECINFO_PT_TRIM 0x400ULL
#define SGXRA_SECINFO_PT_MASK 0xff00ULL
#define SGXRA_SECINFO_TCS (SGXRA_SECINFO_PT_TCS)
#define SGXRA_SECINFO_REG_RWX                                                  \
  (SGXRA_SECINFO_PT_REG | SGXRA_SECINFO_R | SGXRA_SECINFO_W | SGXRA_SECINFO_X)

typedef struct sgxra_measure sgxra_measure; /* opaque; heap-allocated */

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_new(sgxra_ctx *cx,
                                                       sgxra_measure **out_m);
SGXRA_API void sgxra_measure_free(sgxra_measure *m);

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_ecreate(
    sgxra_ctx *cx, sgxra_measure *m, uint32_t ssaframesize, uint64_t size);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_eadd(sgxra_ctx *cx,
                                                        sgxra_measure *m,
                                                        uint64_t offset,
                                                        uint64_t secinfo_flags);
/* EEXTEND one 256-byte chunk at `offset`. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_measure_eextend(sgxra_ctx *cx, sgxra_measure *m, uint64_t offset,
                      const uint8_t chunk[SGXRA_EEXTEND_CHUNK]);
/* Convenience: EADD a whole page and, if `measure` is nonzero, EEXTEND all
 * 16 of its chunks from page[0..4096). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_add_page(
    sgxra_ctx *cx, sgxra_measure *m, uint64_t offset, uint64_t secinfo_flags,
    const uint8_t page[SGXRA_PAGE_SIZE], int measure);
/* Finish: MRENCLAVE.  The builder then refuses further operations. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_final(
    sgxra_ctx *cx, sgxra_measure *m, uint8_t out[SGXRA_HASH_SIZE]);

/* The largest SIZE the builder accepts: it tracks added pages in a bitmap
 * of SIZE/4096 bits (allocated zeroed, so the operating system only backs
 * the parts touched), 512 MiB of address space at this limit. */
#define SGXRA_MEASURE_MAX_SIZE (1ULL << 44)

/* What a builder has measured so far. */
typedef struct sgxra_measure_info {
  uint32_t ssaframesize; /* from ECREATE (0 before) */
  uint64_t size;         /* SECS.SIZE from ECREATE (0 before) */
  uint64_t pages;        /* EADDs accepted */
  uint64_t chunks;       /* EEXTENDs accepted */
  uint64_t hashed_bytes; /* bytes given to SHA-256: records + chunk data */
} sgxra_measure_info;

SGXRA_API void sgxra_measure_get_info(const sgxra_measure *m,
                                      sgxra_measure_info *out_info);

/* ---- enclave files ---------------------------------------------------------
 */

/* An SGXS stream: the raw concatenation of measurement records (ECREATE
 * first, then EADD and EEXTEND records each followed by its 256 bytes).
 * Replays it through the builder, so bad streams get the builder's errors
 * (SGXRA_E_SGXS_FORMAT for unknown tags or a cut record). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_sgxs(
    sgxra_ctx *cx, const uint8_t *p, size_t n, uint8_t out[SGXRA_HASH_SIZE]);

/* A raw page image in the Linux kernel selftest convention: page 0 is the
 * TCS (SECINFO 0x100), pages 1.. are REG with `reg_flags` (e.g. 0x207 RWX),
 * every page fully EEXTENDed, SSAFRAMESIZE `ssaframesize`, SIZE = the next
 * power of two >= the image size.  n must be a nonzero multiple of 4096. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_raw_image(
    sgxra_ctx *cx, const uint8_t *p, size_t n, uint32_t ssaframesize,
    uint64_t reg_flags, uint8_t out[SGXRA_HASH_SIZE]);

/* The same two, feeding a caller's fresh builder (not finalised), so the
 * caller can read sgxra_measure_get_info() or add more pages before
 * sgxra_measure_final(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_feed_sgxs(sgxra_ctx *cx,
                                                             sgxra_measure *m,
                                                             const uint8_t *p,
                                                             size_t n);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_measure_feed_raw_image(
    sgxra_ctx *cx, sgxra_measure *m, const uint8_t *p, size_t n,
    uint32_t ssaframesize, uint64_t reg_flags);

/* Incremental SGXS replay, for streams too large to hold in memory: feed
 * the bytes in any split, then end, which fails with SGXRA_E_SGXS_FORMAT if
 * the stream was empty or stopped inside a record.  The stream object is
 * caller-owned (nothing to free) and holds at most one partial record.
 * After an error, update and end refuse (SGXRA_E_MEASURE_ORDER). */
typedef struct sgxra_sgxs_stream {
  uint8_t part[64 + SGXRA_EEXTEND_CHUNK]; /* a record cut between calls */
  size_t part_len;
  size_t need;     /* length of the record in part (64 or 320) */
  uint64_t offset; /* stream offset of the next record */
  int failed;
} sgxra_sgxs_stream;

SGXRA_API void sgxra_measure_sgxs_begin(sgxra_sgxs_stream *s);
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_measure_sgxs_update(sgxra_ctx *cx, sgxra_sgxs_stream *s, sgxra_measure *m,
                          const uint8_t *p, size_t n);
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_measure_sgxs_end(sgxra_ctx *cx, sgxra_sgxs_stream *s);

/* SIZE the raw-image convention gives an image of n bytes: the next power
 * of two >= n, at least 2 pages (ECREATE's minimum).  0 when n is too large
 * for SGXRA_MEASURE_MAX_SIZE. */
SGXRA_API uint64_t sgxra_measure_raw_image_size(uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
