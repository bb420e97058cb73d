/* Quote v3 / v4 encoder: see sgxra/qe.h for the layout. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/qe.h"
#include "sgxra/quote.h"

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

sgxra_err sgxra_quote_signed_bytes(sgxra_ctx *cx, const sgxra_quote_parts *p,
                                   uint8_t out[SGXRA_QUOTE_SIGNED_SIZE]) {
  memset(out, 0, SGXRA_QUOTE_SIGNED_SIZE);
  sgxra_err e = check_parts(cx, p);
  if (e) return e;
  /* header: version | att. key type | TEE type | QE SVN | PCE SVN |
   * QE vendor id | user data */
  sgxra__st16(out + 0, p->version);
  sgxra__st16(out + 2, SGXRA_QUOTE_ATT_KEY_ECDSA_P256);
  sgxra__st32(out + 4, SGXRA_QUOTE_TEE_SGX);
  sgxra__st16(out + 8, p->qe_svn);
  sgxra__st16(out + 10, p->pce_svn);
  memcpy(out + 12, SGXRA_QUOTE_INTEL_QE_VENDOR_ID, SGXRA_QUOTE_VENDOR_ID_SIZE);
  memcpy(out + 28, p->user_data, SGXRA_QUOTE_USER_DATA_SIZE);
  memcpy(out + SGXRA_QUOTE_HEADER_SIZE, p->report_body, SGXRA_REPORT_BODY_SIZE);
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
  size_t qe_part = SGXRA_REPORT_BODY_SIZE + SGXRA_P256_SIG_SIZE + 2 +
                   p->qe_auth_data_len + 2 + 4 + p->pck_chain_len;
  size_t sig_len = SGXRA_P256_SIG_SIZE + SGXRA_P256_PUBLIC_SIZE + qe_part;
  if (p->version == 4) sig_len += 2 + 4; /* outer type 6 header */
  size_t total = SGXRA_QUOTE_SIGNED_SIZE + 4 + sig_len;
  uint8_t *q = malloc(total);
  if (!q) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "quote: out of memory");
  e = sgxra_quote_signed_bytes(cx, p, q);
  if (e) {
    free(q);
    return e;
  }
  size_t o = SGXRA_QUOTE_SIGNED_SIZE;
  sgxra__st32(q + o, (uint32_t)sig_len);
  o += 4;
  memcpy(q + o, p->isv_signature, SGXRA_P256_SIG_SIZE);
  o += SGXRA_P256_SIG_SIZE;
  memcpy(q + o, p->attest_key, SGXRA_P256_PUBLIC_SIZE);
  o += SGXRA_P256_PUBLIC_SIZE;
  if (p->version == 4) {
    sgxra__st16(q + o, SGXRA_QUOTE_CERT_QE_REPORT);
    sgxra__st32(q + o + 2, (uint32_t)qe_part);
    o += 6;
  }
  memcpy(q + o, p->qe_report_body, SGXRA_REPORT_BODY_SIZE);
  o += SGXRA_REPORT_BODY_SIZE;
  memcpy(q + o, p->qe_report_signature, SGXRA_P256_SIG_SIZE);
  o += SGXRA_P256_SIG_SIZE;
  sgxra__st16(q + o, (uint16_t)p->qe_auth_data_len);
  o += 2;
  if (p->qe_auth_data_len) memcpy(q + o, p->qe_auth_data, p->qe_auth_data_len);
  o += p->qe_auth_data_len;
  sgxra__st16(q + o, SGXRA_QUOTE_CERT_PCK_CHAIN);
  sgxra__st32(q + o + 2, (uint32_t)p->pck_chain_len);
  o += 6;
  memcpy(q + o, p->pck_chain_pem, p->pck_chain_len);
  o += p->pck_chain_len;
  if (o != total) {
    free(q);
    return sgxra__fail(cx, SGXRA_E_INTERNAL,
                       "quote encoder: wrote %zu bytes, planned %zu", o, total);
  }
  *out_quote = q;
  *out_len = total;
  return SGXRA_OK;
}
