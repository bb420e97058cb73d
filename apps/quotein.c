/* Reading a quote as users hand it over: the binary quote, or its hex or
 * base64 text, from a file or from stdin ("-").  Declared in apps/cli.h.
 *
 * The decision, in this order:
 *   1. binary when the first four bytes are a plausible quote header: a
 *      little-endian version 3, 4 or 5 and attestation key type 2 (ECDSA
 *      P-256) or 3 (ECDSA P-384, which the parser then names as
 *      unsupported).  No text starts like that: the first two characters of
 *      hex ("03") or base64 ("Aw") read as versions 0x3330 and 0x7741.
 *   2. hex: an optional "0x"/"0X", then hex digits in either case, with
 *      whitespace (space, tab, CR, LF) anywhere between digits;
 *   3. base64: standard or URL-safe alphabet (not mixed), padded or not,
 *      whitespace allowed (sgxra/base64.h, strict);
 *   and the decoded bytes must again start like a quote (step 1), so that
 *   a hex or base64 text of something else is not taken for a quote.
 * Input that is not text (any byte outside printable ASCII, space, tab,
 * CR, LF) is never hex or base64: it goes to the quote parser as it is,
 * whose message ("unsupported quote version 2") is the precise one.
 * Anything else is refused as a whole, naming why each text form failed:
 * no junk character is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sgxra/base64.h"
#include "sgxra/error.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/quote.h"

/* Quotes are a few KiB (a PCK chain of at most SGXRA_QUOTE_MAX_CHAIN); 1
 * MiB of binary, and the text of that: hex is 2 characters a byte plus a
 * newline every 32 bytes at most in practice; 4 MiB of text covers hex or
 * base64 with line breaks. */
#define QUOTE_BIN_CAP ((size_t)1 << 20)
#define QUOTE_TEXT_CAP ((size_t)4 << 20)

static int is_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int cli_quote_looks_binary(const uint8_t *p, size_t n) {
  if (n < 4) return 0;
  unsigned version = (unsigned)p[0] | (unsigned)p[1] << 8;
  unsigned key = (unsigned)p[2] | (unsigned)p[3] << 8;
  return version >= 3 && version <= 5 && (key == 2 || key == 3);
}

int cli_is_text(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x20 ? !is_space(p[i]) : p[i] > 0x7e) return 0;
  return n > 0;
}

/* Hex text with optional 0x and whitespace; 0 with the bytes, else -1
 * with the reason in why[]. */
static int hex_text(const uint8_t *p, size_t n, uint8_t **out, size_t *out_len,
                    char *why, size_t why_size) {
  size_t i = 0;
  while (i < n && is_space(p[i])) i++;
  if (i + 1 < n && p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X')) i += 2;
  char *digits = malloc(n - i + 1);
  if (!digits) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  size_t d = 0;
  for (; i < n; i++) {
    if (is_space(p[i])) continue;
    int hex = (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
              (p[i] >= 'A' && p[i] <= 'F');
    if (!hex) { /* named at its place in the text, not among the digits */
      snprintf(why, why_size, "invalid hex digit 0x%02x at position %zu",
               (unsigned)p[i], i);
      free(digits);
      return -1;
    }
    digits[d++] = (char)p[i];
  }
  sgxra_ctx *cx = sgxra_ctx_new();
  int rc = -1;
  if (!cx) {
    snprintf(why, why_size, "out of memory");
  } else if (d == 0) {
    snprintf(why, why_size, "no hex digits");
  } else if (sgxra_hex_decode_alloc(cx, digits, d, out, out_len) != SGXRA_OK) {
    snprintf(why, why_size, "%s", sgxra_ctx_message(cx));
  } else {
    rc = 0;
  }
  sgxra_ctx_free(cx);
  free(digits);
  return rc;
}

static int base64_text(const uint8_t *p, size_t n, uint8_t **out,
                       size_t *out_len, char *why, size_t why_size) {
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  /* leading / trailing whitespace are part of the WHITESPACE flag */
  int rc = -1;
  size_t data = 0;
  for (size_t i = 0; i < n; i++) data += !is_space(p[i]);
  if (data == 0)
    snprintf(why, why_size, "no base64 characters");
  else if (sgxra_base64_decode_text(cx, (const char *)p, n,
                                    SGXRA_BASE64_STD | SGXRA_BASE64_URL |
                                        SGXRA_BASE64_PAD_OPTIONAL |
                                        SGXRA_BASE64_WHITESPACE,
                                    QUOTE_BIN_CAP, out, out_len) != SGXRA_OK)
    snprintf(why, why_size, "%s", sgxra_ctx_message(cx));
  else
    rc = 0;
  sgxra_ctx_free(cx);
  return rc;
}

/* A decoded text must start like a quote too. */
static int plausible(uint8_t **buf, size_t *len, char *why, size_t why_size) {
  if (cli_quote_looks_binary(*buf, *len)) return 0;
  if (*len < 4)
    snprintf(why, why_size, "decodes to %zu bytes, too short for a quote",
             *len);
  else
    snprintf(why, why_size,
             "decodes to %zu bytes starting with version %u, attestation "
             "key type %u",
             *len, (unsigned)(*buf)[0] | (unsigned)(*buf)[1] << 8,
             (unsigned)(*buf)[2] | (unsigned)(*buf)[3] << 8);
  free(*buf);
  *buf = NULL;
  *len = 0;
  return -1;
}

int cli_quote_from_text(const uint8_t *p, size_t n, uint8_t **out,
                        size_t *out_len, char *why, size_t why_size) {
  char hwhy[SGXRA_CTX_MSG_SIZE + 64], bwhy[SGXRA_CTX_MSG_SIZE + 64];
  *out = NULL;
  *out_len = 0;
  if (hex_text(p, n, out, out_len, hwhy, sizeof hwhy) == 0 &&
      plausible(out, out_len, hwhy, sizeof hwhy) == 0)
    return 0;
  if (base64_text(p, n, out, out_len, bwhy, sizeof bwhy) == 0 &&
      plausible(out, out_len, bwhy, sizeof bwhy) == 0)
    return 0;
  snprintf(why, why_size,
           "not a quote: neither binary (version 3-5), hex nor base64 "
           "(hex: %s; base64: %s)",
           hwhy, bwhy);
  return -1;
}

int cli_read_input(const char *verb, sgxra_ctx *cx, const char *path,
                   size_t cap, uint8_t **out_buf, size_t *out_len) {
  *out_buf = NULL;
  *out_len = 0;
  /* One reader for files and stdin: regular files only, the cap checked
   * first, at most cap + 1 bytes read (sgxra/file.h). */
  if (sgxra_file_read_ex(cx, path, cap, SGXRA_FILE_DASH_STDIN, out_buf,
                         out_len) != SGXRA_OK)
    return cli_fail(verb, path, cx, CLI_EXIT_USAGE);
  return 0;
}

/* The last quote cli_read_quote returned (a copy): `verify --json` needs
 * the quote again for the supplemental data after cli_verify_bundle has
 * released its buffer, and stdin cannot be read twice.  One quote per
 * run of the command, so one slot. */
static uint8_t *last_quote;
static size_t last_quote_len;

static void last_quote_free(void) {
  free(last_quote);
  last_quote = NULL;
  last_quote_len = 0;
}

static void remember(const uint8_t *p, size_t n) {
  static int registered;
  if (!registered) registered = atexit(last_quote_free) == 0;
  last_quote_free();
  last_quote = malloc(n ? n : 1);
  if (!last_quote) return; /* then cli_quote_last says there is none */
  memcpy(last_quote, p, n);
  last_quote_len = n;
}

int cli_quote_last(const uint8_t **out, size_t *out_len) {
  *out = last_quote;
  *out_len = last_quote_len;
  return last_quote != NULL;
}

int cli_read_quote(const char *verb, sgxra_ctx *cx, const char *path,
                   uint8_t **out, size_t *out_len) {
  uint8_t *raw = NULL;
  size_t n = 0;
  *out = NULL;
  *out_len = 0;
  int rc = cli_read_input(verb, cx, path, QUOTE_TEXT_CAP, &raw, &n);
  if (rc) return rc;
  /* Bytes that are not text go to the parser as they are: its message
   * ("unsupported quote version 2") says more than "not hex". */
  if (cli_quote_looks_binary(raw, n) || !cli_is_text(raw, n)) {
    if (n > QUOTE_BIN_CAP) {
      free(raw);
      fprintf(stderr,
              "sgxra %s: %s: %zu bytes, more than the %zu of a quote "
              "[SGXRA_E_TOO_LARGE]\n",
              verb, path, n, QUOTE_BIN_CAP);
      return CLI_EXIT_USAGE;
    }
    *out = raw;
    *out_len = n;
    remember(raw, n);
    return 0;
  }
  char why[2 * SGXRA_CTX_MSG_SIZE + 256];
  rc = cli_quote_from_text(raw, n, out, out_len, why, sizeof why);
  free(raw);
  if (rc) {
    fprintf(stderr, "sgxra %s: %s: %s [%s]\n", verb, path, why,
            sgxra_err_name(SGXRA_E_QUOTE_FORMAT));
    return CLI_EXIT_USAGE;
  }
  remember(*out, *out_len);
  return 0;
}
