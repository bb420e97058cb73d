/* Quote v3 / v4 encoder: see sgxra/quote.h for the layout.
 *
 * The quote is written field by field in the order the parser
 * (src/quote/quote.c) reads them, through a small writer that appends to a
 * buffer sized beforehand; the final offset is checked against the plan. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/quote.h"

/* Sizes of the length-prefix fields (Intel Quote Library API, A.4). */
#define SIG_DATA_LEN_SIZE 4 /* signature data length u32 */
#define AUTH_LEN_SIZE 2     /* QE auth data size u16 */
#define CERT_HDR_SIZE 6     /* certification data type u16 + size u32 */

_Static_assert(SGXRA_QUOTE_SIGNED_SIZE ==
                   SGXRA_QUOTE_HEADER_SIZE + SGXRA_REPORT_BODY_SIZE,
               "the ISV signature covers header || report body");
_Static_assert(SGXRA_QUOTE_SIGNED_SIZE + SIG_DATA_LEN_SIZE ==
                   SGXRA_QUOTE_MIN_SIZE,
               "signature data starts at SGXRA_QUOTE_MIN_SIZE");
/* header: version u16 | att. key type u16 | TEE type u32 | QE SVN u16 |
 * PCE SVN u16 | QE vendor id | user data */
_Static_assert(2 + 2 + 4 + 2 + 2 + SGXRA_QUOTE_VENDOR_ID_SIZE +
                       SGXRA_QUOTE_USER_DATA_SIZE ==
                   SGXRA_QUOTE_HEADER_SIZE,
               "quote header fields");

typedef struct writer {
  uint8_t *p;
  size_t off;
} writer;

static void put16(writer *w, uint16_t v) {
  sgxra__st16(w->p + w->off, v);
  w->off += 2;
}
static void put32(writer *w, uint32_t v) {
  sgxra__st32(w->p + w->off, v);
  w->off += 4;
}
static void put(writer *w, const void *src, size_t n) {
  if (n) memcpy(w->p + w->off, src, n);
  w->off += n;
}

static sgxra_err check_parts(sgxra_ctx *cx, const sgxra_quote_parts *p) {
  if (!p)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "quote encoder: no parts given");
  if (p->version != 3 && p->version != 4)
    return sgxra__fail(cx, SGXRA_E_QUOTE_ENCODE,
                       "quote encoder: version must be 3 or 4, got %u",
                       p->version);
  return SGXRA_OK;
}

/* header || ISV report body into w (SGXRA_QUOTE_SIGNED_SIZE bytes). */
static void put_signed(writer *w, const sgxra_quote_parts *p) {
  put16(w, p->version);
  put16(w, SGXRA_QUOTE_ATT_KEY_ECDSA_P256);
  put32(w, SGXRA_QUOTE_TEE_SGX);
  put16(w, p->qe_svn);
  put16(w, p->pce_svn);
  put(w, SGXRA_QUOTE_INTEL_QE_VENDOR_ID, SGXRA_QUOTE_VENDOR_ID_SIZE);
  put(w, p->user_data, SGXRA_QUOTE_USER_DATA_SIZE);
  put(w, p->report_body, SGXRA_REPORT_BODY_SIZE);
}

sgxra_err sgxra_quote_signed_bytes(sgxra_ctx *cx, const sgxra_quote_parts *p,
                                   uint8_t out[SGXRA_QUOTE_SIGNED_SIZE]) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "quote encoder: output is required");
  memset(out, 0, SGXRA_QUOTE_SIGNED_SIZE);
  sgxra_err e = check_parts(cx, p);
  if (e) return e;
  writer w = {out, 0};
  put_signed(&w, p);
  return SGXRA_OK;
}

sgxra_err sgxra_quote_encode(sgxra_ctx *cx, const sgxra_quote_parts *p,
                             uint8_t **out_quote, size_t *out_len) {
  if (out_quote) *out_quote = NULL;
  if (out_len) *out_len = 0;
  if (!out_quote || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "quote encoder: outputs are required");
  sgxra_err e = check_parts(cx, p);
  if (e) return e;
  if (!p->pck_chain_pem || p->pck_chain_len == 0 ||
      p->pck_chain_len > SGXRA_QUOTE_MAX_CHAIN)
    return sgxra__fail(cx, SGXRA_E_QUOTE_ENCODE,
                       "quote encoder: the PCK chain must be 1..%u bytes, "
                       "got %zu",
                       SGXRA_QUOTE_MAX_CHAIN, p->pck_chain_len);
  if (p->qe_auth_data_len > SGXRA_QUOTE_MAX_AUTH_DATA ||
      (p->qe_auth_data_len && !p->qe_auth_data))
    return sgxra__fail(cx, SGXRA_E_QUOTE_ENCODE,
                       "quote encoder: QE auth data must be 0..%u bytes, "
                       "got %zu",
                       SGXRA_QUOTE_MAX_AUTH_DATA, p->qe_auth_data_len);

  /* The QE certification part: QE report | sig | auth | type 5 chain. */
  size_t qe_part = SGXRA_REPORT_BODY_SIZE + SGXRA_P256_SIG_SIZE +
                   AUTH_LEN_SIZE + p->qe_auth_data_len + CERT_HDR_SIZE +
                   p->pck_chain_len;
  size_t sig_len = SGXRA_P256_SIG_SIZE + SGXRA_P256_PUBLIC_SIZE + qe_part;
  if (p->version == 4) sig_len += CERT_HDR_SIZE; /* outer type 6 */
  size_t total = SGXRA_QUOTE_SIGNED_SIZE + SIG_DATA_LEN_SIZE + sig_len;
  uint8_t *q = malloc(total);
  if (!q) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "quote: out of memory");

  writer w = {q, 0};
  put_signed(&w, p);
  put32(&w, (uint32_t)sig_len);
  put(&w, p->isv_signature, SGXRA_P256_SIG_SIZE);
  put(&w, p->attest_key, SGXRA_P256_PUBLIC_SIZE);
  if (p->version == 4) {
    put16(&w, SGXRA_QUOTE_CERT_QE_REPORT);
    put32(&w, (uint32_t)qe_part);
  }
  put(&w, p->qe_report_body, SGXRA_REPORT_BODY_SIZE);
  put(&w, p->qe_report_signature, SGXRA_P256_SIG_SIZE);
  put16(&w, (uint16_t)p->qe_auth_data_len);
  put(&w, p->qe_auth_data, p->qe_auth_data_len);
  put16(&w, SGXRA_QUOTE_CERT_PCK_CHAIN);
  put32(&w, (uint32_t)p->pck_chain_len);
  put(&w, p->pck_chain_pem, p->pck_chain_len);
  if (w.off != total) {
    free(q);
    return sgxra__fail(cx, SGXRA_E_INTERNAL,
                       "quote encoder: wrote %zu bytes, planned %zu", w.off,
                       total);
  }
  *out_quote = q;
  *out_len = total;
  return SGXRA_OK;
}
