/*
 * sgxra/hex.h -- hex and base64 text.
 *
 * Thread-safety: pure functions.
 */
#ifndef SGXRA_HEX_H
#define SGXRA_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write 2*n lowercase hex digits and a NUL to out (size >= 2*n + 1). */
SGXRA_API void sgxra_hex_encode(const uint8_t *p, size_t n, char *out);

/* Decode exactly `n` bytes from hex text s[0..slen) (either case, no
 * separators, no prefix).  Fails with SGXRA_E_HEX naming the offending
 * position, or when slen != 2*n ("expected 64 hex digits, found 63"). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_hex_decode(sgxra_ctx *cx,
                                                      const char *s,
                                                      size_t slen, uint8_t *out,
                                                      size_t n);

/* Decode hex text of any even length into a new buffer (free with free()). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_hex_decode_alloc(sgxra_ctx *cx,
                                                            const char *s,
                                                            size_t slen,
                                                            uint8_t **out_buf,
                                                            size_t *out_len);

/* Standard base64 (RFC 4648 section 4) with padding; out needs
 * 4*((n+2)/3) + 1 bytes. */
SGXRA_API void sgxra_base64_encode(const uint8_t *p, size_t n, char *out);

/* Decode padded standard base64 into a new buffer (free with free()). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_base64_decode_alloc(sgxra_ctx *cx, const char *s, size_t slen,
                          uint8_t **out_buf, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
