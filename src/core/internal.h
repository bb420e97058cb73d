/*
 * core/internal.h -- what every sgxra source file uses: error reporting into
 * the context, little-endian access and the bounds-checked read cursor.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_CORE_INTERNAL_H
#define SGXRA_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/types.h>

#include "sgxra/ctx.h"

#if defined(__GNUC__) || defined(__clang__)
#define SGXRA__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SGXRA__PRINTF(a, b)
#endif

/* Record `code` and a formatted specific message in cx (which may be NULL)
 * and return `code`, so a failure reads `return sgxra__fail(cx, ...)`. */
sgxra_err sgxra__fail(sgxra_ctx *cx, sgxra_err code, const char *fmt, ...)
    SGXRA__PRINTF(3, 4);

/* Put "<prefix>: " in front of the message already in cx and return
 * `code` (the failure being passed up), so a caller that knows where the
 * failure sits writes `return sgxra__context(cx, err, "PCK certificate")`.
 * With a NULL context only the code comes back. */
sgxra_err sgxra__context(sgxra_ctx *cx, sgxra_err code, const char *fmt, ...)
    SGXRA__PRINTF(3, 4);

/* Record an OpenSSL failure: `what` plus the text of OpenSSL's most recent
 * error, which is then cleared from OpenSSL's queue. */
sgxra_err sgxra__fail_ossl(sgxra_ctx *cx, sgxra_err code, const char *what);

/* The text of an errno value ("No such file or directory"), written into
 * buf (n bytes, always NUL-terminated when n > 0) and returned: the
 * reentrant stand-in for strerror(), whose buffer other threads may
 * overwrite.  A value the C library does not know gives its "Unknown
 * error <number>" or, with XSI strerror_r, "error <number>". */
#define SGXRA__ERRNO_TEXT_SIZE 128
const char *sgxra__errno_text(int err, char *buf, size_t n);
/* The drop-in for strerror(err) in a message's arguments: the buffer is a
 * compound literal that lives until the end of the enclosing block. */
#define SGXRA__ERRNO_STR(err)                                                  \
  sgxra__errno_text((err), (char[SGXRA__ERRNO_TEXT_SIZE]){0},                  \
                    SGXRA__ERRNO_TEXT_SIZE)

/* The OpenSSL library context to fetch algorithms from (NULL = default). */
OSSL_LIB_CTX *sgxra__libctx(const sgxra_ctx *cx);

/* ---- little-endian access (no alignment assumed) ---------------------- */

static inline uint16_t sgxra__le16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t sgxra__le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
}
static inline uint64_t sgxra__le64(const uint8_t *p) {
  return (uint64_t)sgxra__le32(p) | ((uint64_t)sgxra__le32(p + 4) << 32);
}
static inline void sgxra__st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void sgxra__st32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static inline void sgxra__st64(uint8_t *p, uint64_t v) {
  sgxra__st32(p, (uint32_t)v);
  sgxra__st32(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t sgxra__be16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t sgxra__be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* ---- the read cursor ---------------------------------------------------
 *
 * A view of untrusted bytes and how far parsing has got.  Every take checks
 * what is left first and on shortage fails with the caller's code and a
 * message naming the field, its size, the offset and what remained:
 *
 *   "<area> truncated: <what> needs 4660 bytes at offset 436, only 212
 *    remain"
 *
 * `area` is the noun of the structure being parsed ("quote", "SIGSTRUCT").
 */
typedef struct sgxra__cur {
  const uint8_t *p;
  size_t len;
  size_t off;
  const char *area;
  sgxra_err code; /* code used for truncation */
} sgxra__cur;

static inline void sgxra__cur_init(sgxra__cur *c, const uint8_t *p, size_t len,
                                   const char *area, sgxra_err code) {
  c->p = p;
  c->len = len;
  c->off = 0;
  c->area = area;
  c->code = code;
}

static inline size_t sgxra__cur_left(const sgxra__cur *c) {
  return c->len - c->off;
}

/* Take n bytes; *out points into the buffer. */
sgxra_err sgxra__cur_take(sgxra_ctx *cx, sgxra__cur *c, size_t n,
                          const char *what, const uint8_t **out);
/* Take n bytes into dst. */
sgxra_err sgxra__cur_copy(sgxra_ctx *cx, sgxra__cur *c, void *dst, size_t n,
                          const char *what);
sgxra_err sgxra__cur_u8(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                        uint8_t *out);
sgxra_err sgxra__cur_u16(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                         uint16_t *out);
sgxra_err sgxra__cur_u32(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                         uint32_t *out);
sgxra_err sgxra__cur_u64(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                         uint64_t *out);

/* Nonzero when all n bytes are zero (for reserved-field checks). */
static inline int sgxra__all_zero(const uint8_t *p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++) acc |= p[i];
  return acc == 0;
}

#define SGXRA__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
