/* The bounds-checked read cursor: see core/internal.h.
 *
 * The readers below set `p` to NULL first: with hidden visibility gcc -O2
 * inlines sgxra__cur_take and cannot see that sgxra__fail never returns
 * SGXRA_OK, so it warns (-Wmaybe-uninitialized) that `p` may be read unset. */
#include "core/internal.h"

sgxra_err sgxra__cur_take(sgxra_ctx *cx, sgxra__cur *c, size_t n,
                          const char *what, const uint8_t **out) {
  size_t left = c->len - c->off;
  if (n > left) {
    return sgxra__fail(cx, c->code,
                       "%s truncated: %s needs %zu bytes at offset %zu, only "
                       "%zu remain",
                       c->area, what, n, c->off, left);
  }
  *out = c->p + c->off;
  c->off += n;
  return SGXRA_OK;
}

sgxra_err sgxra__cur_copy(sgxra_ctx *cx, sgxra__cur *c, void *dst, size_t n,
                          const char *what) {
  const uint8_t *p = NULL;
  sgxra_err e = sgxra__cur_take(cx, c, n, what, &p);
  if (e) return e;
  if (n) memcpy(dst, p, n);
  return SGXRA_OK;
}

sgxra_err sgxra__cur_u8(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                        uint8_t *out) {
  const uint8_t *p = NULL;
  sgxra_err e = sgxra__cur_take(cx, c, 1, what, &p);
  if (e) return e;
  *out = p[0];
  return SGXRA_OK;
}

sgxra_err sgxra__cur_u16(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                         uint16_t *out) {
  const uint8_t *p = NULL;
  sgxra_err e = sgxra__cur_take(cx, c, 2, what, &p);
  if (e) return e;
  *out = sgxra__le16(p);
  return SGXRA_OK;
}

sgxra_err sgxra__cur_u32(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                         uint32_t *out) {
  const uint8_t *p = NULL;
  sgxra_err e = sgxra__cur_take(cx, c, 4, what, &p);
  if (e) return e;
  *out = sgxra__le32(p);
  return SGXRA_OK;
}

sgxra_err sgxra__cur_u64(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                         uint64_t *out) {
  const uint8_t *p = NULL;
  sgxra_err e = sgxra__cur_take(cx, c, 8, what, &p);
  if (e) return e;
  *out = sgxra__le64(p);
  return SGXRA_OK;
}
