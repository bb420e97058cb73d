/* Enclave images measured through the builder: SGXS streams and raw page
 * images.  See sgxra/measure.h.
 *
 * SGXS (Fortanix's "SGX stream") is the measurement itself written out:
 * the 64-byte records of measure.c, each EEXTEND record followed by its 256
 * bytes, so SHA-256 of a well-formed file is MRENCLAVE.  Replaying it
 * through the builder rather than hashing the file means the hardware's
 * order and alignment rules are checked and a wrong file is named, not
 * silently given a hash. */
#include <stdio.h>
#include <stdlib.h>

#include "core/internal.h"
#include "sgxra/measure.h"

#define REC 64

/* Bytes [from, 64) of a record must be zero: the builder writes zeros
 * there, so anything else would make SHA-256(file) differ from what the
 * CPU measures. */
static sgxra_err check_zero_tail(sgxra_ctx *cx, const uint8_t *r, size_t from,
                                 uint64_t off, const char *name,
                                 sgxra_err code) {
  for (size_t i = from; i < REC; i++) {
    if (r[i])
      return sgxra__fail(cx, code,
                         "SGXS %s record at offset 0x%llx: byte %zu is "
                         "0x%02x, but bytes %zu..63 must be zero",
                         name, (unsigned long long)off, i, r[i], from);
  }
  return SGXRA_OK;
}

/* Render an unknown tag for a message: printable ASCII kept, the rest as
 * \xNN. */
static void tag_text(const uint8_t *t, char out[8 * 4 + 1]) {
  size_t k = 0;
  for (size_t i = 0; i < 8; i++) {
    if (t[i] >= 0x20 && t[i] < 0x7f && t[i] != '\\')
      out[k++] = (char)t[i];
    else
      k += (size_t)snprintf(out + k, 5, "\\x%02x", t[i]);
  }
  out[k] = 0;
}

/* The length of the record whose 64-byte head is at r: 64, or 320 for an
 * EEXTEND and its chunk. */
static sgxra_err record_len(sgxra_ctx *cx, const uint8_t *r, uint64_t off,
                            size_t *out_len) {
  if (!memcmp(r, "ECREATE\0", 8) || !memcmp(r, "EADD\0\0\0\0", 8)) {
    *out_len = REC;
    return SGXRA_OK;
  }
  if (!memcmp(r, "EEXTEND\0", 8)) {
    *out_len = REC + SGXRA_EEXTEND_CHUNK;
    return SGXRA_OK;
  }
  char t[8 * 4 + 1];
  tag_text(r, t);
  return sgxra__fail(cx, SGXRA_E_SGXS_FORMAT,
                     "SGXS record at offset 0x%llx has unknown tag \"%s\" "
                     "(expected ECREATE, EADD or EEXTEND): not an SGXS "
                     "stream, or a damaged one",
                     (unsigned long long)off, t);
}

/* Replay one whole record (its tag already known good). */
static sgxra_err replay(sgxra_ctx *cx, sgxra_measure *m, const uint8_t *r,
                        uint64_t off) {
  sgxra_err e;
  if (r[1] == 'C') { /* ECREATE */
    e = check_zero_tail(cx, r, 20, off, "ECREATE", SGXRA_E_SGXS_FORMAT);
    if (e) return e;
    e = sgxra_measure_ecreate(cx, m, sgxra__le32(r + 8), sgxra__le64(r + 12));
  } else if (r[1] == 'A') { /* EADD */
    /* SECINFO bytes 8..48 are reserved: EADD faults on them. */
    e = check_zero_tail(cx, r, 24, off, "EADD", SGXRA_E_MEASURE_SECINFO);
    if (e) return e;
    e = sgxra_measure_eadd(cx, m, sgxra__le64(r + 8), sgxra__le64(r + 16));
  } else { /* EEXTEND */
    e = check_zero_tail(cx, r, 16, off, "EEXTEND", SGXRA_E_SGXS_FORMAT);
    if (e) return e;
    e = sgxra_measure_eextend(cx, m, sgxra__le64(r + 8), r + REC);
  }
  /* The builder's message names the operation; say where it was. */
  if (e)
    return sgxra__context(cx, e, "SGXS record at offset 0x%llx",
                          (unsigned long long)off);
  return SGXRA_OK;
}

void sgxra_measure_sgxs_begin(sgxra_sgxs_stream *s) {
  memset(s, 0, sizeof *s);
}

sgxra_err sgxra_measure_sgxs_update(sgxra_ctx *cx, sgxra_sgxs_stream *s,
                                    sgxra_measure *m, const uint8_t *p,
                                    size_t n) {
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SGXS: input is NULL but its length is %zu", n);
  if (s->failed)
    return sgxra__fail(cx, SGXRA_E_MEASURE_ORDER,
                       "SGXS replay already failed at an earlier record: "
                       "start again with a new builder");
  sgxra_err e = SGXRA_OK;
  while (n > 0) {
    const uint8_t *rec;
    size_t len;
    /* Whole records straight from the caller's bytes ... */
    if (s->part_len == 0 && n >= REC) {
      if ((e = record_len(cx, p, s->offset, &len))) goto fail;
      if (n >= len) {
        rec = p;
        p += len;
        n -= len;
        goto have;
      }
    }
    /* ... the rest collected across calls: the 64-byte head first, then
     * (for EEXTEND) the chunk. */
    size_t want = s->part_len < REC ? REC : s->need;
    size_t take = want - s->part_len < n ? want - s->part_len : n;
    memcpy(s->part + s->part_len, p, take);
    s->part_len += take;
    p += take;
    n -= take;
    if (s->part_len < REC) continue;
    if (s->part_len == REC &&
        (e = record_len(cx, s->part, s->offset, &s->need)))
      goto fail;
    if (s->part_len < s->need) continue;
    rec = s->part;
    len = s->need;
    s->part_len = 0;
  have:
    if ((e = replay(cx, m, rec, s->offset))) goto fail;
    s->offset += len;
  }
  return SGXRA_OK;
fail:
  s->failed = 1;
  return e;
}

sgxra_err sgxra_measure_sgxs_end(sgxra_ctx *cx, sgxra_sgxs_stream *s) {
  if (s->failed)
    return sgxra__fail(cx, SGXRA_E_MEASURE_ORDER,
                       "SGXS replay already failed at an earlier record");
  if (s->part_len == 0 && s->offset == 0)
    return sgxra__fail(cx, SGXRA_E_SGXS_FORMAT,
                       "SGXS stream is empty: expected an ECREATE record");
  if (s->part_len < REC && s->part_len > 0)
    return sgxra__fail(cx, SGXRA_E_SGXS_FORMAT,
                       "SGXS stream cut: the record at offset 0x%llx needs "
                       "64 bytes, only %zu remain",
                       (unsigned long long)s->offset, s->part_len);
  if (s->part_len > 0)
    return sgxra__fail(cx, SGXRA_E_SGXS_FORMAT,
                       "SGXS stream cut: the EEXTEND record at offset "
                       "0x%llx needs 320 bytes (record and 256 data bytes), "
                       "only %zu remain",
                       (unsigned long long)s->offset, s->part_len);
  return SGXRA_OK;
}

sgxra_err sgxra_measure_feed_sgxs(sgxra_ctx *cx, sgxra_measure *m,
                                  const uint8_t *p, size_t n) {
  sgxra_sgxs_stream s;
  sgxra_measure_sgxs_begin(&s);
  sgxra_err e = sgxra_measure_sgxs_update(cx, &s, m, p, n);
  if (!e) e = sgxra_measure_sgxs_end(cx, &s);
  return e;
}

/* Finish a one-shot measurement: final on success, always free. */
static sgxra_err finish(sgxra_ctx *cx, sgxra_measure *m, sgxra_err e,
                        uint8_t out[SGXRA_HASH_SIZE]) {
  if (!e) e = sgxra_measure_final(cx, m, out);
  if (e) memset(out, 0, SGXRA_HASH_SIZE);
  sgxra_measure_free(m);
  return e;
}

sgxra_err sgxra_measure_sgxs(sgxra_ctx *cx, const uint8_t *p, size_t n,
                             uint8_t out[SGXRA_HASH_SIZE]) {
  memset(out, 0, SGXRA_HASH_SIZE);
  sgxra_measure *m;
  sgxra_err e = sgxra_measure_new(cx, &m);
  if (e) return e;
  return finish(cx, m, sgxra_measure_feed_sgxs(cx, m, p, n), out);
}

uint64_t sgxra_measure_raw_image_size(uint64_t n) {
  uint64_t size = 2 * SGXRA_PAGE_SIZE;
  while (size < n) {
    if (size >= SGXRA_MEASURE_MAX_SIZE) return 0;
    size <<= 1;
  }
  return size;
}

sgxra_err sgxra_measure_feed_raw_image(sgxra_ctx *cx, sgxra_measure *m,
                                       const uint8_t *p, size_t n,
                                       uint32_t ssaframesize,
                                       uint64_t reg_flags) {
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "raw image: input is NULL but its length is %zu", n);
  if (n == 0 || n % SGXRA_PAGE_SIZE)
    return sgxra__fail(cx, SGXRA_E_RAW_IMAGE_FORMAT,
                       "raw enclave image of %zu bytes is not a nonzero "
                       "multiple of 4096 (%zu bytes past the last whole page)",
                       n, n % SGXRA_PAGE_SIZE);
  if ((reg_flags & SGXRA_SECINFO_PT_MASK) != SGXRA_SECINFO_PT_REG)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SECINFO,
                       "raw image: flags 0x%llx for pages 1.. are not a REG "
                       "page (0x2xx, e.g. 0x207 for RWX)",
                       (unsigned long long)reg_flags);
  uint64_t size = sgxra_measure_raw_image_size(n);
  if (!size)
    return sgxra__fail(cx, SGXRA_E_MEASURE_SIZE,
                       "raw image of %zu bytes is larger than the largest "
                       "enclave sgxra can measure (0x%llx)",
                       n, (unsigned long long)SGXRA_MEASURE_MAX_SIZE);
  sgxra_err e = sgxra_measure_ecreate(cx, m, ssaframesize, size);
  if (e) return e;
  /* Linux kernel SGX selftest convention: page 0 is the TCS, the rest are
   * regular pages, every page measured in full. */
  for (size_t off = 0; off < n; off += SGXRA_PAGE_SIZE) {
    e = sgxra_measure_add_page(cx, m, off, off ? reg_flags : SGXRA_SECINFO_TCS,
                               p + off, 1);
    if (e) return e;
  }
  return SGXRA_OK;
}

sgxra_err sgxra_measure_raw_image(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  uint32_t ssaframesize, uint64_t reg_flags,
                                  uint8_t out[SGXRA_HASH_SIZE]) {
  memset(out, 0, SGXRA_HASH_SIZE);
  sgxra_measure *m;
  sgxra_err e = sgxra_measure_new(cx, &m);
  if (e) return e;
  return finish(
      cx, m, sgxra_measure_feed_raw_image(cx, m, p, n, ssaframesize, reg_flags),
      out);
}
