/*
 * sgxra/base64.h -- base64 text (RFC 4648 sections 4 and 5) in both
 * alphabets, padded or not, strictly decoded.
 *
 * sgxra/hex.h keeps the two calls the PEM reader and the PCS server use
 * (padded standard base64, no options); this header adds what reading
 * user input needs: the URL-safe alphabet, optional padding, whitespace
 * between characters, a cap on the output, and decoding into a caller
 * buffer.  Decoding is strict -- nothing is skipped silently:
 *   - a character outside the alphabet(s) allowed by the flags, a '=' not
 *     at the end, or text after the padding: SGXRA_E_BASE64 naming the
 *     character and its position;
 *   - both alphabets' special characters in one text ('+' and '-', or '/'
 *     and '_'): SGXRA_E_BASE64 (a text is one alphabet or the other);
 *   - a length that no encoding gives (one character left over after the
 *     groups of 4), wrong padding (not up to a multiple of 4, or more than
 *     two '='), or padding missing when SGXRA_BASE64_PAD_OPTIONAL is not
 *     given: SGXRA_E_BASE64;
 *   - non-zero bits after the last byte ("QR==" for "A", where "QQ=="
 *     is the encoding): SGXRA_E_BASE64 -- each byte string has one text;
 *   - more output than the cap: SGXRA_E_TOO_LARGE, checked before any
 *     allocation.
 * Whitespace (space, tab, CR, LF) is allowed between any two characters
 * only with SGXRA_BASE64_WHITESPACE, never inside the padding check's
 * count.
 *
 * Conventions: bytes travel as (pointer, length); NULL only with length 0.
 * On error outputs are zeroed / NULL.
 *
 * Thread-safety: pure functions on caller-owned memory.
 */
#ifndef SGXRA_BASE64_H
#define SGXRA_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of sgxra_base64_encode_text / sgxra_base64_decode_text. */
#define SGXRA_BASE64_STD 0x1u          /* '+' '/' (RFC 4648 section 4) */
#define SGXRA_BASE64_URL 0x2u          /* '-' '_' (RFC 4648 section 5) */
#define SGXRA_BASE64_PAD_OPTIONAL 0x4u /* decode: '=' may be left out */
#define SGXRA_BASE64_NO_PAD 0x8u       /* encode: write no '=' */
#define SGXRA_BASE64_WHITESPACE 0x10u  /* decode: skip space, tab, CR, LF */

/* Characters encoding n bytes takes (without the NUL), with or without
 * padding; SIZE_MAX if that does not fit a size_t. */
SGXRA_API size_t sgxra_base64_encoded_len(size_t n, unsigned flags);

/* Encode p[0..n) in the alphabet the flags name (exactly one of STD, URL)
 * with padding unless SGXRA_BASE64_NO_PAD, plus a NUL, into out[0..out_size).
 * Errors: SGXRA_E_INVALID_ARGUMENT (no or both alphabets, an unknown flag),
 * SGXRA_E_TOO_LARGE when out_size < sgxra_base64_encoded_len(n) + 1. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_base64_encode_text(sgxra_ctx *cx, const uint8_t *p, size_t n,
                         unsigned flags, char *out, size_t out_size);

/* Decode s[0..slen) under `flags` (at least one alphabet; both: either one,
 * not mixed) into a new buffer of at most `max_len` bytes (free with
 * free(); never NULL on success, even for 0 bytes).  Errors as listed at
 * the top; SGXRA_E_INVALID_ARGUMENT for no alphabet or an unknown flag;
 * SGXRA_E_NO_MEMORY. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_base64_decode_text(
    sgxra_ctx *cx, const char *s, size_t slen, unsigned flags, size_t max_len,
    uint8_t **out_buf, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
