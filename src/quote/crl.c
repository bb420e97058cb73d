/* CRLs of Intel's SGX PKI (root CA CRL, PCK Platform/Processor CA CRLs):
 * see sgxra/x509.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "quote/collateral_internal.h"
#include "quote/x509_internal.h"
#include "sgxra/hex.h"

struct sgxra_crl {
  X509_CRL *crl;
  char issuer_cn[SGXRA_X509_CN_SIZE];
  int64_t this_update;
  int64_t next_update;
  /* Revoked serials, leading zero bytes stripped, sorted by (len, bytes)
   * for binary search: revocation lookups happen per quote. */
  sgxra_x509_serial *serials;
  size_t count;
};

void sgxra_crl_free(sgxra_crl *crl) {
  if (crl == NULL) return;
  X509_CRL_free(crl->crl);
  free(crl->serials);
  free(crl);
}

static void strip_zeros(const uint8_t **p, size_t *n) {
  while (*n > 1 && (*p)[0] == 0) {
    (*p)++;
    (*n)--;
  }
}

static int serial_cmp(const uint8_t *a, size_t an, const uint8_t *b,
                      size_t bn) {
  if (an != bn) return an < bn ? -1 : 1;
  return memcmp(a, b, an);
}

static int serial_qsort_cmp(const void *x, const void *y) {
  const sgxra_x509_serial *a = x, *b = y;
  return serial_cmp(a->bytes, a->len, b->bytes, b->len);
}

static int is_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

static int is_hex(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/* Get the DER of the CRL: PEM, hex text or DER itself.  *out_owned is the
 * buffer to free (NULL when the input is DER). */
static sgxra_err crl_der(sgxra_ctx *cx, const uint8_t *p, size_t n,
                         const uint8_t **out_der, size_t *out_len,
                         uint8_t **out_owned) {
  *out_owned = NULL;
  size_t a = 0, b = n;
  while (a < b && is_space(p[a])) a++;
  while (b > a && is_space(p[b - 1])) b--;
  if (a == b)
    return sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                       "empty input: a CRL in DER, PEM or hex was expected");
  if (p[a] == 0x30) { /* SEQUENCE: DER */
    *out_der = p + a;
    *out_len = n - a;
    return SGXRA_OK;
  }
  if (p[a] == '-') {
    size_t end = 0;
    sgxra_err e = sgxra__pem_next(cx, p + a, b - a, "X509 CRL",
                                  SGXRA_E_CRL_PARSE, out_owned, out_len, &end);
    if (e != SGXRA_OK) return e;
    if (*out_owned == NULL)
      return sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                         "PEM input has no '-----BEGIN X509 CRL-----' block");
    *out_der = *out_owned;
    return SGXRA_OK;
  }
  for (size_t i = a; i < b; i++)
    if (!is_hex(p[i]))
      return sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                         "byte 0x%02x at offset %zu: input is neither DER "
                         "(starts with 0x30), PEM nor hex text",
                         p[i], i);
  sgxra_err e = sgxra_hex_decode_alloc(cx, (const char *)p + a, b - a,
                                       out_owned, out_len);
  if (e != SGXRA_OK) {
    char why[SGXRA_CTX_MSG_SIZE];
    snprintf(why, sizeof(why), "%s", sgxra_ctx_message(cx));
    return sgxra__fail(cx, SGXRA_E_CRL_PARSE, "hex CRL: %s", why);
  }
  *out_der = *out_owned;
  return SGXRA_OK;
}

sgxra_err sgxra_crl_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                          sgxra_crl **out_crl) {
  if (out_crl == NULL || (p == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_crl_parse: NULL argument");
  *out_crl = NULL;
  const uint8_t *der = NULL;
  size_t dlen = 0;
  uint8_t *owned = NULL;
  sgxra_err err = crl_der(cx, p, n, &der, &dlen, &owned);
  if (err != SGXRA_OK) return err;
  sgxra_crl *c = calloc(1, sizeof(*c));
  if (c == NULL) {
    free(owned);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "CRL");
  }
  const unsigned char *q = der;
  if (dlen > (size_t)0x7fffffff ||
      (c->crl = d2i_X509_CRL(NULL, &q, (long)dlen)) == NULL) {
    ERR_clear_error();
    err = sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                      "%zu bytes of DER are not an X.509 CRL", dlen);
    goto out;
  }
  if ((size_t)(q - der) != dlen) {
    err = sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                      "%zu trailing bytes after the CRL's %zu bytes of DER",
                      dlen - (size_t)(q - der), (size_t)(q - der));
    goto out;
  }
  sgxra__name_cn(X509_CRL_get_issuer(c->crl), c->issuer_cn);
  if (sgxra__asn1_time_unix(X509_CRL_get0_lastUpdate(c->crl),
                            &c->this_update) != 0) {
    err = sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                      "CRL of '%s': thisUpdate unreadable", c->issuer_cn);
    goto out;
  }
  if (X509_CRL_get0_nextUpdate(c->crl) == NULL) {
    err = sgxra__fail(cx, SGXRA_E_CRL_FORMAT,
                      "CRL of '%s' has no nextUpdate; Intel's CRLs always "
                      "carry one",
                      c->issuer_cn);
    goto out;
  }
  if (sgxra__asn1_time_unix(X509_CRL_get0_nextUpdate(c->crl),
                            &c->next_update) != 0) {
    err = sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                      "CRL of '%s': nextUpdate unreadable", c->issuer_cn);
    goto out;
  }
  STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(c->crl);
  int nrev = rev ? sk_X509_REVOKED_num(rev) : 0;
  if (nrev > 0) {
    c->serials = calloc((size_t)nrev, sizeof(*c->serials));
    if (c->serials == NULL) {
      err = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "CRL serial list");
      goto out;
    }
    for (int i = 0; i < nrev; i++) {
      const ASN1_INTEGER *sn =
          X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(rev, i));
      const uint8_t *sp = ASN1_STRING_get0_data(sn);
      int sl = ASN1_STRING_length(sn);
      if (sp == NULL || sl <= 0 || sl > SGXRA_X509_SERIAL_MAX) {
        err = sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                          "CRL of '%s': revoked entry %d has a serial of %d "
                          "bytes (1..%d allowed)",
                          c->issuer_cn, i + 1, sl, SGXRA_X509_SERIAL_MAX);
        goto out;
      }
      size_t len = (size_t)sl;
      strip_zeros(&sp, &len);
      memcpy(c->serials[i].bytes, sp, len);
      c->serials[i].len = len;
    }
    c->count = (size_t)nrev;
    qsort(c->serials, c->count, sizeof(*c->serials), serial_qsort_cmp);
  }
out:
  free(owned);
  if (err != SGXRA_OK) {
    sgxra_crl_free(c);
    return err;
  }
  *out_crl = c;
  return SGXRA_OK;
}

const char *sgxra_crl_issuer_cn(const sgxra_crl *crl) {
  return crl ? crl->issuer_cn : "";
}

int64_t sgxra_crl_this_update(const sgxra_crl *crl) {
  return crl ? crl->this_update : 0;
}

int64_t sgxra_crl_next_update(const sgxra_crl *crl) {
  return crl ? crl->next_update : 0;
}

size_t sgxra_crl_count(const sgxra_crl *crl) {
  return crl ? crl->count : 0;
}

sgxra_err sgxra_crl_verify(sgxra_ctx *cx, const sgxra_crl *crl,
                           const sgxra_x509_cert *ca) {
  if (crl == NULL || ca == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_crl_verify: NULL argument");
  if (!sgxra__x509_name_is(X509_CRL_get_issuer(crl->crl), ca, 1))
    return sgxra__fail(cx, SGXRA_E_CRL_ISSUER,
                       "CRL issuer CN '%s' does not match the CA '%s': the "
                       "CRL belongs to another CA; fetch the CRL of '%s'",
                       crl->issuer_cn, ca->subject_cn, ca->subject_cn);
  /* Intel's QVL requires the CRL Number and Authority Key Identifier
   * extensions (CRL_REQUIRED_EXTENSIONS) on every SGX CRL. */
  if (X509_CRL_get_ext_by_NID(crl->crl, NID_crl_number, -1) < 0 ||
      X509_CRL_get_ext_by_NID(crl->crl, NID_authority_key_identifier, -1) < 0)
    return sgxra__fail(cx, SGXRA_E_CRL_EXTENSIONS,
                       "CRL of '%s' lacks the %s extension that Intel's SGX "
                       "CRLs carry",
                       crl->issuer_cn,
                       X509_CRL_get_ext_by_NID(crl->crl, NID_crl_number, -1) < 0
                           ? "CRL Number (2.5.29.20)"
                           : "Authority Key Identifier (2.5.29.35)");
  EVP_PKEY *pk = sgxra__x509_pkey(ca);
  if (pk == NULL || X509_CRL_verify(crl->crl, pk) != 1) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRL_SIGNATURE,
                       "signature of the CRL of '%s' does not verify with "
                       "the key of '%s'",
                       crl->issuer_cn, ca->subject_cn);
  }
  return SGXRA_OK;
}

int sgxra_crl_has_serial(const sgxra_crl *crl, const uint8_t *serial,
                         size_t n) {
  if (crl == NULL || serial == NULL || n == 0 || crl->count == 0) return 0;
  strip_zeros(&serial, &n);
  size_t lo = 0, hi = crl->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int r =
        serial_cmp(serial, n, crl->serials[mid].bytes, crl->serials[mid].len);
    if (r == 0) return 1;
    if (r < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

int sgxra_crl_is_revoked(const sgxra_crl *crl, const sgxra_x509_cert *c) {
  if (crl == NULL || c == NULL) return 0;
  if (!sgxra__x509_name_is(X509_CRL_get_issuer(crl->crl), c, 0)) return 0;
  return sgxra_crl_has_serial(crl, c->serial.bytes, c->serial.len);
}

sgxra_err sgxra__crl_number(sgxra_ctx *cx, const sgxra_crl *crl,
                            uint32_t *out) {
  *out = 0;
  if (!crl) return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "no CRL");
  int crit = 0;
  ASN1_INTEGER *num =
      X509_CRL_get_ext_d2i(crl->crl, NID_crl_number, &crit, NULL);
  if (!num)
    return sgxra__fail(cx, SGXRA_E_CRL_EXTENSIONS,
                       "CRL of '%s' has no CRL Number (2.5.29.20)",
                       crl->issuer_cn);
  uint64_t v = 0;
  int ok = ASN1_INTEGER_get_uint64(&v, num);
  ASN1_INTEGER_free(num);
  /* Intel's QvE refuses a CRL number outside uint32 (SGX_QL_ERROR_
   * UNEXPECTED) rather than cutting it. */
  if (!ok || v > UINT32_MAX)
    return sgxra__fail(cx, SGXRA_E_CRL_EXTENSIONS,
                       "CRL Number of the CRL of '%s' is not a 32-bit "
                       "unsigned number",
                       crl->issuer_cn);
  *out = (uint32_t)v;
  return SGXRA_OK;
}

/* ---- a CRL buffer as Intel's QvE reads it: see quote/collateral_internal.h
 */

#define QVE_CRL_MIN_SIZE 300 /* qve.cpp CRL_MIN_SIZE, counting the NUL */
#define PEM_CRL_BEGIN "-----BEGIN X509 CRL-----"

/* The first DER object of p[0..n) as a CRL; the bytes after it are
 * ignored, as OpenSSL's d2i_X509_CRL_bio does for QVL. */
static sgxra_err crl_first_der(sgxra_ctx *cx, const uint8_t *p, size_t n,
                               sgxra_crl **out_crl) {
  const unsigned char *q = p;
  X509_CRL *x =
      n <= (size_t)0x7fffffff ? d2i_X509_CRL(NULL, &q, (long)n) : NULL;
  if (x == NULL) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                       "%zu bytes are not an X.509 CRL in DER (nor PEM "
                       "starting at byte 0 with '" PEM_CRL_BEGIN
                       "', nor hex text)",
                       n);
  }
  X509_CRL_free(x);
  return sgxra_crl_parse(cx, p, (size_t)(q - p), out_crl);
}

sgxra_err sgxra__crl_parse_qve(sgxra_ctx *cx, const uint8_t *p, size_t n,
                               sgxra_crl **out_crl) {
  if (out_crl == NULL || (p == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra__crl_parse_qve: NULL argument");
  *out_crl = NULL;
  if (n == 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "empty CRL (Intel's QvE refuses a zero-size buffer)");
  size_t begin_len = sizeof(PEM_CRL_BEGIN) - 1;
  if (n + 1 >= QVE_CRL_MIN_SIZE && n >= begin_len &&
      memcmp(p, PEM_CRL_BEGIN, begin_len) == 0) {
    /* PEM: OpenSSL's reader, as QVL's; text after the END line is fine */
    BIO *bio = BIO_new_mem_buf(p, (int)(n > 0x7fffffff ? 0x7fffffff : n));
    X509_CRL *x = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    unsigned char *der = NULL;
    int dl = x ? i2d_X509_CRL(x, &der) : -1;
    X509_CRL_free(x);
    ERR_clear_error();
    if (dl <= 0)
      return sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                         "the PEM CRL does not decode to an X.509 CRL");
    sgxra_err e = sgxra_crl_parse(cx, der, (size_t)dl, out_crl);
    OPENSSL_free(der);
    return e;
  }
  int all_hex = n + 1 >= QVE_CRL_MIN_SIZE;
  for (size_t i = 0; all_hex && i < n; i++) all_hex = is_hex(p[i]);
  if (!all_hex) return crl_first_der(cx, p, n, out_crl);
  if (n % 2 != 0)
    return sgxra__fail(cx, SGXRA_E_CRL_PARSE,
                       "hex CRL of %zu digits: an odd count does not decode",
                       n);
  uint8_t *der = NULL;
  size_t dl = 0;
  sgxra_err e = sgxra_hex_decode_alloc(cx, (const char *)p, n, &der, &dl);
  if (e == SGXRA_OK) e = crl_first_der(cx, der, dl, out_crl);
  free(der);
  return e;
}
