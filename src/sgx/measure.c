/* The streaming MRENCLAVE builder: see sgxra/measure.h.
 *
 * Every ENCLS leaf that changes the measurement appends one 64-byte record
 * to a SHA-256 stream (Intel SDM Vol. 3D, 40.x ECREATE/EADD/EEXTEND
 * pseudo-code, "Update enclave measurement"):
 *
 *   ECREATE  0  "ECREATE\0"          EADD  0  "EADD\0\0\0\0"
 *            8  SSAFRAMESIZE u32           8  page offset u64
 *           12  SIZE u64 (unaligned)      16  SECINFO[0..48): FLAGS u64,
 *           20  44 zero bytes                 40 zero bytes
 *
 *   EEXTEND  0  "EEXTEND\0"  8  chunk offset u64  16  48 zero bytes,
 *            then the 256 bytes of the chunk
 *
 * Records are collected in a buffer inside the builder and handed to
 * SHA-256 in large updates: one EVP call per 64-byte record would cost more
 * than the hashing itself.  The buffer always holds whole 64-byte blocks,
 * so OpenSSL never has to copy a partial block.
 *
 * Added pages are tracked in a bitmap of SIZE/4096 bits, allocated zeroed
 * (calloc), so memory use depends on SIZE, not on how much is measured, and
 * untouched parts of a large bitmap are never backed by real memory. */
#include <stdlib.h>

#include "core/internal.h"
#include "sgxra/measure.h"

#define REC 64                          /* one measurement record */
#define EXT (REC + SGXRA_EEXTEND_CHUNK) /* an EEXTEND record and its data */
/* Multiple of 64; sized for the L1/L2 caches the copy goes through. */
#define BUF_SIZE (32 * 1024)

/* SECINFO.FLAGS: bits 0..2 RWX, 3 PENDING, 4 MODIFIED, 5 PR, 6..7
 * reserved, 8..15 PAGE_TYPE, 16..63 reserved (SDM table 38-18).  EADD
 * takes only RWX and the page type. */
#define SECINFO_RWX 0x7ULL
#define SECINFO_EADD_ALLOWED (SECINFO_RWX | SGXRA_SECINFO_PT_MASK)

enum { ST_NEW, ST_CREATED, ST_FINAL, ST_BROKEN };

struct sgxra_measure {
  int state;
  uint32_t ssaframesize;
  uint64_t size;
  uint8_t *added; /* SIZE/4096 bits */
  uint64_t pages, chunks, hashed;
  sgxra_sha256_stream sha;
  size_t len;
  uint8_t buf[BUF_SIZE];
};

sgxra_err sgxra_measure_new(sgxra_ctx *cx, sgxra_measure **out_m) {
  *out_m = NULL;
  sgxra_measure *m = calloc(1, sizeof *m);
  if (!m)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY,
                       "out of memory for the measurement builder");
  sgxra_err e = sgxra_sha256_init(cx, &m->sha);
  if (e) {
    free(m);
    return e;
  }
  *out_m = m;
  return SGXRA_OK;
}

void sgxra_measure_free(sgxra_measure *m) {
  if (!m) return;
  sgxra_sha256_cleanup(&m->sha);
  free(m->added);
  free(m);
}

void sgxra_measure_get_info(const sgxra_measure *m,
                            sgxra_measure_info *out_info) {
  memset(out_info, 0, sizeof *out_info);
  if (!m) return;
  out_info->ssaframesize = m->ssaframesize;
  out_info->size = m->size;
  out_info->pages = m->pages;
  out_info->chunks = m->chunks;
  out_info->hashed_bytes = m->hashed;
}

/* Hand the buffered records to SHA-256.  A failure there leaves the hash
 * state unknown, so the builder refuses everything afterwards. */
static sgxra_err flush(sgxra_ctx *cx, sgxra_measure *m) {
  if (m->len == 0) return SGXRA_OK;
  sgxra_err e = sgxra_sha256_update(cx, &m->sha, m->buf, m->len);
  m->len = 0;
  if (e) m->state = ST_BROKEN;
  return e;
}

/* Room for `need` more bytes in the buffer (flushing if necessary). */
static sgxra_err reserve(sgxra_ctx *cx, sgxra_measure *m, size_t need,
                         uint8_t **out) {
  if (BUF_SIZE - m->len < need) {
    sgxra_err e = flush(cx, m);
    if (e) return e;
  }
  *out = m->buf + m->len;
  m->len += need;
  m->hashed += need;
  return SGXRA_OK;
}

/* The state check every operation starts with. */
static sgxra_err check_state(sgxra_ctx *cx, const sgxra_measure *m,
                             const char *op) {
  if (!m)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: the measurement builder is NULL", op);
  switch (m->state) {
  case ST_NEW:
    return sgxra__fail(cx, SGXRA_E_MEASURE_ORDER,
                       "%s before ECREATE: the enclave must be created "
                       "first (ECREATE with SSAFRAMESIZE and SIZE)",
                       op);
  case ST_FINAL:
    return sgxra__fail(cx, SGXRA_E_MEASURE_ORDER,
                       "%s after the measurement was finalised: start a new "
                       "builder",
                       op);
  case ST_BROKEN:
    return sgxra__fail(cx, SGXRA_E_MEASURE_ORDER,
                       "%s on a builder that failed to hash earlier: start a "
                       "new builder",
                       op);
  default:
    return SGXRA_OK;
  }
}

sgxra_err sgxra_measure_ecreate(sgxra_ctx *cx, sgxra_measure *m,
                                uint32_t ssaframesize, uint64_t size) {
  if (!m)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "ECREATE: the measurement builder is NULL");
  if (m->state != ST_NEW)
    return sgxra__fail(cx, SGXRA_E_MEASURE_ORDER,
                       "ECREATE on an enclave that was already created "
                       "(SIZE 0x%llx): ECREATE must come first and only once",
                       (unsigned long long)m->size);
  /* ECREATE's own checks: SIZE a power of two of at least two pages (the
   * SECS and one more), SSAFRAMESIZE at least one page. */
  if (size < 2 * SGXRA_PAGE_SIZE)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SIZE,
                       "ECREATE SIZE 0x%llx is below the minimum of two "
                       "pages (0x2000)",
                       (unsigned long long)size);
  if (size & (size - 1))
    return sgxra__fail(cx, SGXRA_E_MEASURE_SIZE,
                       "ECREATE SIZE 0x%llx is not a power of two",
                       (unsigned long long)size);
  if (size > SGXRA_MEASURE_MAX_SIZE)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SIZE,
                       "ECREATE SIZE 0x%llx exceeds 0x%llx (16 TiB), the "
                       "largest enclave sgxra can measure",
                       (unsigned long long)size,
                       (unsigned long long)SGXRA_MEASURE_MAX_SIZE);
  if (ssaframesize == 0)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SSAFRAMESIZE,
                       "ECREATE SSAFRAMESIZE is 0: each SSA frame needs at "
                       "least one page");
  uint64_t npages = size / SGXRA_PAGE_SIZE;
  uint8_t *bits = calloc((size_t)((npages + 7) / 8), 1);
  if (!bits)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY,
                       "out of memory for the page map of SIZE 0x%llx",
                       (unsigned long long)size);
  uint8_t *r;
  sgxra_err e = reserve(cx, m, REC, &r);
  if (e) {
    free(bits);
    return e;
  }
  memset(r, 0, REC);
  memcpy(r, "ECREATE", 8);
  sgxra__st32(r + 8, ssaframesize);
  sgxra__st64(r + 12, size);
  m->added = bits;
  m->size = size;
  m->ssaframesize = ssaframesize;
  m->state = ST_CREATED;
  return SGXRA_OK;
}

/* The flags EADD measures, or an error for flags EADD refuses. */
static sgxra_err check_secinfo(sgxra_ctx *cx, uint64_t offset, uint64_t flags,
                               uint64_t *out_measured) {
  *out_measured = 0;
  uint64_t pt = flags & SGXRA_SECINFO_PT_MASK;
  if (flags & ~SECINFO_EADD_ALLOWED)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SECINFO,
                       "EADD at offset 0x%llx: SECINFO flags 0x%llx set "
                       "bits 0x%llx that EADD requires to be zero (only RWX "
                       "0x7 and the page type 0xff00 may be set)",
                       (unsigned long long)offset, (unsigned long long)flags,
                       (unsigned long long)(flags & ~SECINFO_EADD_ALLOWED));
  if (pt == SGXRA_SECINFO_PT_TCS) {
    /* The CPU clears R/W/X of a TCS before it measures SECINFO, so a TCS
     * is always measured as exactly 0x100. */
    *out_measured = SGXRA_SECINFO_PT_TCS;
    return SGXRA_OK;
  }
  if (pt != SGXRA_SECINFO_PT_REG)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SECINFO,
                       "EADD at offset 0x%llx: SECINFO page type 0x%llx "
                       "cannot be added; use REG (0x200) or TCS (0x100)",
                       (unsigned long long)offset,
                       (unsigned long long)(pt >> 8));
  if ((flags & SGXRA_SECINFO_W) && !(flags & SGXRA_SECINFO_R))
    return sgxra__fail(cx, SGXRA_E_MEASURE_SECINFO,
                       "EADD at offset 0x%llx: SECINFO flags 0x%llx make the "
                       "page writable but not readable, which SGX refuses",
                       (unsigned long long)offset, (unsigned long long)flags);
  *out_measured = flags;
  return SGXRA_OK;
}

/* The alignment and SIZE checks EADD (align 4096, "page-aligned") and
 * EEXTEND (align 256, "256-byte aligned") share. */
static sgxra_err check_offset(sgxra_ctx *cx, const sgxra_measure *m,
                              const char *op, uint64_t offset, uint64_t align,
                              const char *aligned) {
  if (offset & (align - 1))
    return sgxra__fail(cx, SGXRA_E_MEASURE_ALIGNMENT,
                       "%s at offset 0x%llx is not %s (a multiple of 0x%llx)",
                       op, (unsigned long long)offset, aligned,
                       (unsigned long long)align);
  if (offset >= m->size)
    return sgxra__fail(cx, SGXRA_E_MEASURE_RANGE,
                       "%s at offset 0x%llx is outside SIZE 0x%llx", op,
                       (unsigned long long)offset, (unsigned long long)m->size);
  return SGXRA_OK;
}

static int page_added(const sgxra_measure *m, uint64_t page) {
  return (m->added[page >> 3] >> (page & 7)) & 1;
}

sgxra_err sgxra_measure_eadd(sgxra_ctx *cx, sgxra_measure *m, uint64_t offset,
                             uint64_t secinfo_flags) {
  sgxra_err e = check_state(cx, m, "EADD");
  if (e) return e;
  e = check_offset(cx, m, "EADD", offset, SGXRA_PAGE_SIZE, "page-aligned");
  if (e) return e;
  uint64_t page = offset / SGXRA_PAGE_SIZE;
  if (page_added(m, page))
    return sgxra__fail(cx, SGXRA_E_MEASURE_DUPLICATE,
                       "EADD at offset 0x%llx: that page was already added",
                       (unsigned long long)offset);
  uint64_t measured;
  e = check_secinfo(cx, offset, secinfo_flags, &measured);
  if (e) return e;
  uint8_t *r;
  e = reserve(cx, m, REC, &r);
  if (e) return e;
  memset(r, 0, REC);
  memcpy(r, "EADD\0\0\0", 8);
  sgxra__st64(r + 8, offset);
  sgxra__st64(r + 16, measured);
  m->added[page >> 3] |= (uint8_t)(1u << (page & 7));
  m->pages++;
  return SGXRA_OK;
}

/* Append one EEXTEND record and its chunk (offset already checked). */
static sgxra_err put_eextend(sgxra_ctx *cx, sgxra_measure *m, uint64_t offset,
                             const uint8_t *chunk) {
  uint8_t *r;
  sgxra_err e = reserve(cx, m, EXT, &r);
  if (e) return e;
  memcpy(r, "EEXTEND", 8);
  sgxra__st64(r + 8, offset);
  memset(r + 16, 0, REC - 16);
  memcpy(r + REC, chunk, SGXRA_EEXTEND_CHUNK);
  m->chunks++;
  return SGXRA_OK;
}

sgxra_err sgxra_measure_eextend(sgxra_ctx *cx, sgxra_measure *m,
                                uint64_t offset,
                                const uint8_t chunk[SGXRA_EEXTEND_CHUNK]) {
  sgxra_err e = check_state(cx, m, "EEXTEND");
  if (e) return e;
  if (!chunk)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "EEXTEND at offset 0x%llx: the chunk is NULL",
                       (unsigned long long)offset);
  e = check_offset(cx, m, "EEXTEND", offset, SGXRA_EEXTEND_CHUNK,
                   "256-byte aligned");
  if (e) return e;
  uint64_t page = offset / SGXRA_PAGE_SIZE;
  if (!page_added(m, page))
    return sgxra__fail(cx, SGXRA_E_MEASURE_NOT_ADDED,
                       "EEXTEND at offset 0x%llx: its page 0x%llx was never "
                       "added (EADD it first)",
                       (unsigned long long)offset,
                       (unsigned long long)(page * SGXRA_PAGE_SIZE));
  return put_eextend(cx, m, offset, chunk);
}

sgxra_err sgxra_measure_add_page(sgxra_ctx *cx, sgxra_measure *m,
                                 uint64_t offset, uint64_t secinfo_flags,
                                 const uint8_t page[SGXRA_PAGE_SIZE],
                                 int measure) {
  if (measure && !page)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "add page at offset 0x%llx: the page is NULL",
                       (unsigned long long)offset);
  sgxra_err e = sgxra_measure_eadd(cx, m, offset, secinfo_flags);
  if (e || !measure) return e;
  /* The page was just added, page-aligned and inside SIZE: its chunks
   * need no further checks. */
  for (unsigned i = 0; i < SGXRA_PAGE_SIZE / SGXRA_EEXTEND_CHUNK; i++) {
    e = put_eextend(cx, m, offset + i * SGXRA_EEXTEND_CHUNK,
                    page + i * SGXRA_EEXTEND_CHUNK);
    if (e) return e;
  }
  return SGXRA_OK;
}

sgxra_err sgxra_measure_final(sgxra_ctx *cx, sgxra_measure *m,
                              uint8_t out[SGXRA_HASH_SIZE]) {
  memset(out, 0, SGXRA_HASH_SIZE);
  sgxra_err e = check_state(cx, m, "final");
  if (e) return e;
  e = flush(cx, m);
  if (e) return e;
  e = sgxra_sha256_final(cx, &m->sha, out);
  m->state = e ? ST_BROKEN : ST_FINAL;
  return e;
}
