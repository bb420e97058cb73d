/* Hex and base64 text: see sgxra/hex.h. */
#include <stdlib.h>

#include "core/internal.h"
#include "sgxra/hex.h"

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void sgxra_hex_encode(const uint8_t *p, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = 0;
}

static sgxra_err hex_decode_into(sgxra_ctx *cx, const char *s, size_t slen,
                                 uint8_t *out) {
  for (size_t i = 0; i < slen; i += 2) {
    int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? i : i + 1;
      unsigned char c = (unsigned char)s[bad];
      return sgxra__fail(cx, SGXRA_E_HEX,
                         "invalid hex digit 0x%02x at position %zu", c, bad);
    }
    out[i / 2] = (uint8_t)(hi << 4 | lo);
  }
  return SGXRA_OK;
}

sgxra_err sgxra_hex_decode(sgxra_ctx *cx, const char *s, size_t slen,
                           uint8_t *out, size_t n) {
  if (slen != 2 * n) {
    if (n) memset(out, 0, n);
    return sgxra__fail(cx, SGXRA_E_HEX, "expected %zu hex digits, found %zu",
                       2 * n, slen);
  }
  sgxra_err e = hex_decode_into(cx, s, slen, out);
  if (e && n) memset(out, 0, n);
  return e;
}

sgxra_err sgxra_hex_decode_alloc(sgxra_ctx *cx, const char *s, size_t slen,
                                 uint8_t **out_buf, size_t *out_len) {
  *out_buf = NULL;
  *out_len = 0;
  if (slen % 2)
    return sgxra__fail(cx, SGXRA_E_HEX,
                       "hex text has an odd number of digits (%zu)", slen);
  uint8_t *b = malloc(slen / 2 + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
  sgxra_err e = hex_decode_into(cx, s, slen, b);
  if (e) {
    free(b);
    return e;
  }
  *out_buf = b;
  *out_len = slen / 2;
  return SGXRA_OK;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sgxra_base64_encode(const uint8_t *p, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    out[o++] = b64[(v >> 18) & 63];
    out[o++] = b64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? b64[v & 63] : '=';
  }
  out[o] = 0;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

sgxra_err sgxra_base64_decode_alloc(sgxra_ctx *cx, const char *s, size_t slen,
                                    uint8_t **out_buf, size_t *out_len) {
  *out_buf = NULL;
  *out_len = 0;
  if (slen % 4)
    return sgxra__fail(cx, SGXRA_E_BASE64,
                       "base64 length %zu is not a multiple of 4", slen);
  uint8_t *b = malloc(slen / 4 * 3 + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
  size_t o = 0;
  for (size_t i = 0; i < slen; i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      char c = s[i + k];
      if (c == '=' && i + 4 == slen && k >= 2) {
        v[k] = 0;
        pad++;
        continue;
      }
      v[k] = b64_value(c);
      if (v[k] < 0 || pad) {
        free(b);
        return sgxra__fail(cx, SGXRA_E_BASE64,
                           "invalid base64 character 0x%02x at position %zu",
                           (unsigned char)c, i + k);
      }
    }
    uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
                 (uint32_t)v[2] << 6 | (uint32_t)v[3];
    /* Canonical form only: the bits that padding drops must be zero, so
     * each byte string has exactly one accepted encoding. */
    if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))) {
      free(b);
      return sgxra__fail(cx, SGXRA_E_BASE64,
                         "non-canonical base64: unused bits before the "
                         "padding at position %zu are not zero",
                         i + 3 - (size_t)pad);
    }
    b[o++] = (uint8_t)(w >> 16);
    if (pad < 2) b[o++] = (uint8_t)(w >> 8);
    if (pad < 1) b[o++] = (uint8_t)w;
  }
  *out_buf = b;
  *out_len = o;
  return SGXRA_OK;
}
