/* Base64 text in both alphabets, strictly decoded: see sgxra/base64.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/base64.h"

#define KNOWN_FLAGS                                                            \
  (SGXRA_BASE64_STD | SGXRA_BASE64_URL | SGXRA_BASE64_PAD_OPTIONAL |           \
   SGXRA_BASE64_NO_PAD | SGXRA_BASE64_WHITESPACE)

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t sgxra_base64_encoded_len(size_t n, unsigned flags) {
  if (n / 3 > (SIZE_MAX - 4) / 4) return SIZE_MAX;
  size_t full = n / 3 * 4, rest = n % 3;
  if (!rest) return full;
  return full + ((flags & SGXRA_BASE64_NO_PAD) ? rest + 1 : 4);
}

sgxra_err sgxra_base64_encode_text(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                   unsigned flags, char *out, size_t out_size) {
  unsigned alpha = flags & (SGXRA_BASE64_STD | SGXRA_BASE64_URL);
  if ((flags & ~KNOWN_FLAGS) ||
      (alpha != SGXRA_BASE64_STD && alpha != SGXRA_BASE64_URL) || (!p && n) ||
      !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "base64 encode: expected exactly one alphabet flag "
                       "(STD or URL), known flags, and buffers");
  size_t need = sgxra_base64_encoded_len(n, flags);
  if (need == SIZE_MAX || out_size <= need) {
    if (out_size) out[0] = 0;
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "base64 of %zu bytes needs %zu bytes of output, "
                       "%zu given",
                       n, need == SIZE_MAX ? need : need + 1, out_size);
  }
  const char *a = alpha == SGXRA_BASE64_URL ? url_alphabet : std_alphabet;
  int pad = !(flags & SGXRA_BASE64_NO_PAD);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    out[o++] = a[(v >> 18) & 63];
    out[o++] = a[(v >> 12) & 63];
    if (i + 1 < n)
      out[o++] = a[(v >> 6) & 63];
    else if (pad)
      out[o++] = '=';
    if (i + 2 < n)
      out[o++] = a[v & 63];
    else if (pad)
      out[o++] = '=';
  }
  out[o] = 0;
  return SGXRA_OK;
}

/* The value of c under the allowed alphabets (-1: not a base64 character);
 * *kind says which alphabet's special character it is (0: common). */
static int b64_value(char c, unsigned alpha, int *kind) {
  *kind = 0;
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if ((alpha & SGXRA_BASE64_STD) && (c == '+' || c == '/')) {
    *kind = SGXRA_BASE64_STD;
    return c == '+' ? 62 : 63;
  }
  if ((alpha & SGXRA_BASE64_URL) && (c == '-' || c == '_')) {
    *kind = SGXRA_BASE64_URL;
    return c == '-' ? 62 : 63;
  }
  return -1;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static sgxra_err bad_char(sgxra_ctx *cx, char c, size_t pos, const char *why) {
  unsigned char u = (unsigned char)c;
  if (u >= 0x21 && u <= 0x7e)
    return sgxra__fail(cx, SGXRA_E_BASE64, "%s '%c' at position %zu", why, c,
                       pos);
  return sgxra__fail(cx, SGXRA_E_BASE64, "%s 0x%02x at position %zu", why, u,
                     pos);
}

sgxra_err sgxra_base64_decode_text(sgxra_ctx *cx, const char *s, size_t slen,
                                   unsigned flags, size_t max_len,
                                   uint8_t **out_buf, size_t *out_len) {
  if (out_buf) *out_buf = NULL;
  if (out_len) *out_len = 0;
  unsigned alpha = flags & (SGXRA_BASE64_STD | SGXRA_BASE64_URL);
  if (!out_buf || !out_len || (!s && slen) || !alpha ||
      (flags & ~KNOWN_FLAGS) || (flags & SGXRA_BASE64_NO_PAD))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "base64 decode: expected an alphabet flag, known "
                       "decode flags and output pointers");
  int ws = (flags & SGXRA_BASE64_WHITESPACE) != 0;
  /* Pass 1: check every character and count the data characters. */
  size_t data = 0, pads = 0, first_pad = 0;
  unsigned seen = 0; /* which alphabet's special characters appeared */
  for (size_t i = 0; i < slen; i++) {
    char c = s[i];
    if (ws && is_space(c)) continue;
    if (c == '=') {
      if (!pads) first_pad = i;
      pads++;
      continue;
    }
    int kind;
    if (b64_value(c, alpha, &kind) < 0)
      return bad_char(cx, c, i,
                      ws || !is_space(c) ? "invalid base64 character"
                                         : "whitespace (not allowed here)");
    if (pads) return bad_char(cx, c, i, "base64 data after the '=' padding:");
    if (kind) {
      seen |= (unsigned)kind;
      if (seen == (SGXRA_BASE64_STD | SGXRA_BASE64_URL))
        return bad_char(cx, c, i,
                        "base64 mixes the standard ('+' '/') and URL-safe "
                        "('-' '_') alphabets:");
    }
    data++;
  }
  size_t rest = data % 4;
  if (rest == 1)
    return sgxra__fail(cx, SGXRA_E_BASE64,
                       "base64 text of %zu characters (without padding) "
                       "is no encoding: %zu mod 4 is 1",
                       data, data);
  if (pads) {
    size_t want = rest ? 4 - rest : 0;
    if (pads != want)
      return sgxra__fail(cx, SGXRA_E_BASE64,
                         "base64 padding at position %zu: %zu '=' where %zu "
                         "complete%s the last group",
                         first_pad, pads, want, want == 1 ? "s" : "");
  } else if (rest && !(flags & SGXRA_BASE64_PAD_OPTIONAL)) {
    return sgxra__fail(cx, SGXRA_E_BASE64,
                       "base64 padding missing: %zu characters, expected "
                       "%zu '=' to reach a multiple of 4",
                       data, 4 - rest);
  }
  size_t n = data / 4 * 3 + (rest ? rest - 1 : 0);
  if (n > max_len)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "base64 text decodes to %zu bytes, more than the "
                       "cap of %zu",
                       n, max_len);
  uint8_t *b = malloc(n ? n : 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
  /* Pass 2: decode (every character is known good). */
  uint32_t acc = 0;
  size_t k = 0, o = 0, last = 0;
  for (size_t i = 0; i < slen && s[i] != '='; i++) {
    int kind, v = b64_value(s[i], alpha, &kind);
    if (v < 0) continue; /* whitespace */
    acc = acc << 6 | (uint32_t)v;
    last = i;
    if (++k == 4) {
      b[o++] = (uint8_t)(acc >> 16);
      b[o++] = (uint8_t)(acc >> 8);
      b[o++] = (uint8_t)acc;
      acc = 0;
      k = 0;
    }
  }
  /* The unused low bits of a partial group must be zero (2 characters
   * carry 12 bits for 1 byte, 3 carry 18 for 2). */
  if ((k == 2 && (acc & 0xf)) || (k == 3 && (acc & 0x3))) {
    free(b);
    return sgxra__fail(cx, SGXRA_E_BASE64,
                       "base64 character '%c' at position %zu leaves "
                       "non-zero bits after the last byte (not the "
                       "canonical encoding)",
                       s[last], last);
  }
  if (k == 2) b[o++] = (uint8_t)(acc >> 4);
  if (k == 3) {
    b[o++] = (uint8_t)(acc >> 10);
    b[o++] = (uint8_t)(acc >> 2);
  }
  *out_buf = b;
  *out_len = o;
  return SGXRA_OK;
}
