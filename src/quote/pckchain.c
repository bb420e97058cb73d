/* The per-quote PCK chain check: see quote/pckchain_internal.h.
 *
 * Intel's QvE (sgx_qve_verify_quote) and QVL (PckCertVerifier,
 * QuoteVerifier) check, for the chain in the quote's certification data:
 * its shape (leaf, PCK CA, root), that its root carries the trusted root's
 * public key, that the CA chains to that root and is not revoked by the
 * root CA CRL, that the leaf is issued and signed by the CA that issued
 * the PCK CRL and is not on it. */
#include <stdlib.h>
#include <string.h>

#include "quote/pckchain_internal.h"
#include "quote/x509_internal.h"
#include "sgxra/hex.h"

/* ---- what the check compares with ---------------------------------------- */

void sgxra__pck_anchor_clear(sgxra__pck_anchor *a) {
  free(a->ca_b64);
  free(a->root_b64);
  memset(a, 0, sizeof *a);
}

static char *der_base64(const sgxra_x509_cert *x) {
  char *b = malloc(4 * ((x->der_len + 2) / 3) + 1);
  if (b) sgxra_base64_encode(x->der, x->der_len, b);
  return b;
}

sgxra_err sgxra__pck_anchor_prepare(sgxra_ctx *cx, sgxra__pck_anchor *a,
                                    const sgxra_x509_cert *root,
                                    const sgxra_x509_cert *pck_ca,
                                    const sgxra_crl *pck_crl,
                                    const sgxra_crl *root_crl) {
  memset(a, 0, sizeof *a);
  a->root = root;
  a->pck_ca = pck_ca;
  a->pck_crl = pck_crl;
  a->root_crl = root_crl;
  a->root_b64 = der_base64(root);
  if (pck_ca != NULL) a->ca_b64 = der_base64(pck_ca);
  if ((pck_ca != NULL && !a->ca_b64) || !a->root_b64) {
    sgxra__pck_anchor_clear(a);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral: out of memory");
  }
  return SGXRA_OK;
}

void sgxra__pck_step_outcome(sgxra__pck_step step, sgxra_err err,
                             sgxra_verify_stage *out_stage,
                             sgxra_err *out_code) {
  *out_stage = SGXRA_STAGE_PCK_CHAIN;
  switch (step) {
  case SGXRA__PCK_ROOT:
    *out_stage = SGXRA_STAGE_TRUST_ROOT;
    *out_code = SGXRA_E_VERIFY_TRUST_ROOT;
    return;
  case SGXRA__PCK_CA_NAME:
    /* PckCrlVerifier::verify(PCK CRL, the quote's CA):
     * STATUS_SGX_CRL_UNKNOWN_ISSUER */
    *out_code = SGXRA_E_CRL_ISSUER;
    return;
  case SGXRA__PCK_COUNT:
  case SGXRA__PCK_CA_LINK:
  case SGXRA__PCK_LEAF_LINK:
    *out_code = SGXRA_E_VERIFY_PCK_CHAIN;
    return;
  case SGXRA__PCK_CA_MISSING:
    /* PckCertVerifier: STATUS_SGX_INTERMEDIATE_CA_MISSING */
    *out_code = SGXRA_E_X509_NOT_CA;
    return;
  case SGXRA__PCK_CRL:
    /* PckCrlVerifier::verify(PCK CRL, the quote's CA): the CRL's own code
     * (issuer, extensions, signature) */
    *out_code = err;
    return;
  case SGXRA__PCK_CA_REVOKED:
  case SGXRA__PCK_LEAF_REVOKED:
    *out_code = SGXRA_E_VERIFY_PCK_REVOKED;
    return;
  case SGXRA__PCK_PARSE:
  case SGXRA__PCK_OK:
  default:
    /* the parser's own code: X509_PEM, X509_PARSE, ... */
    *out_code = err;
    return;
  }
}

/* ---- the check ------------------------------------------------------------
 */

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";

void sgxra__pck_chain_clear(sgxra__pck_chain *r) {
  free(r->leaf_der);
  sgxra_x509_chain_free(r->chain);
  memset(r, 0, sizeof *r);
  r->leaf_cn = r->ca_cn = r->root_cn = "";
}

static sgxra_err pck_failed(sgxra__pck_chain *r, sgxra__pck_step step,
                            sgxra_err e) {
  r->failed = step;
  return e;
}

static sgxra_err pck_leaf_revoked(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                                  sgxra__pck_chain *r) {
  if (!sgxra_crl_has_serial(a->pck_crl, r->serial, r->serial_len))
    return SGXRA_OK;
  char serial[2 * SGXRA_X509_SERIAL_MAX + 1];
  sgxra_hex_encode(r->serial, r->serial_len, serial);
  return pck_failed(
      r, SGXRA__PCK_LEAF_REVOKED,
      sgxra__fail(cx, SGXRA_E_X509_REVOKED,
                  "PCK certificate serial %s (issued by '%s') is revoked by "
                  "the PCK CRL: the platform's key is no longer trusted",
                  serial, r->ca_cn));
}

/* The first occurrence of the n-byte `needle` in p[0..len), or NULL. */
static const char *find_text(const char *p, size_t len, const char *needle,
                             size_t n) {
  for (size_t i = 0; n <= len && i <= len - n; i++)
    if (p[i] == needle[0] && memcmp(p + i, needle, n) == 0) return p + i;
  return NULL;
}

/* The next PEM certificate block at or after p[*off]: -1 when there is
 * none, 1 when its base64 text (whitespace aside) is b64 (*off then past
 * its END line), 0 when it is another. */
static int pem_block_is(const char *p, size_t n, size_t *off, const char *b64) {
  const char *q =
      find_text(p + *off, n - *off, pem_begin, sizeof pem_begin - 1);
  if (!q) return -1;
  size_t at = (size_t)(q - p) + sizeof pem_begin - 1, k = 0;
  while (at < n && p[at] != '-') {
    char ch = p[at++];
    if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t') continue;
    if (b64[k] == 0 || b64[k] != ch) return 0;
    k++;
  }
  if (b64[k] != 0 || n - at < sizeof pem_end - 1 ||
      memcmp(p + at, pem_end, sizeof pem_end - 1) != 0)
    return 0;
  *off = at + sizeof pem_end - 1;
  return 1;
}

/* The common case without OpenSSL's (slow) certificate decoding: the CA
 * and root are byte for byte the validated ones (chained to the trust root
 * and checked against the root CA CRL by validate), so only the leaf is
 * read, by the bounded DER walk, and its signature checked with the CA's
 * key.  Returns 0 when the chain is not of that shape or the leaf does not
 * read cleanly (the full path decides); 1 when decided (*out_err). */
static int pck_fast(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                    const uint8_t *pem, size_t n, int intel_shape,
                    sgxra__pck_chain *r, sgxra_err *out_err) {
  const char *p = (const char *)pem;
  const sgxra_x509_cert *ca = a->pck_ca;
  const sgxra_x509_cert *root = a->root;
  size_t off = 0;
  if (ca == NULL || !ca->can_sign_certs || n == 0 ||
      sgxra__pem_next(cx, pem, n, "CERTIFICATE", SGXRA_E_X509_PEM, &r->leaf_der,
                      &r->leaf_der_len, &off) != SGXRA_OK ||
      !r->leaf_der || pem_block_is(p, n, &off, a->ca_b64) != 1)
    return 0;
  int has_root = pem_block_is(p, n, &off, a->root_b64);
  if (has_root == 0 || (has_root < 0 && intel_shape) ||
      find_text(p + off, n - off, pem_begin, sizeof pem_begin - 1) ||
      sgxra_pck_cert_parse(cx, r->leaf_der, r->leaf_der_len, &r->walk) !=
          SGXRA_OK ||
      ca->subject_der == NULL || r->walk.issuer_len != ca->subject_len ||
      memcmp(r->walk.issuer, ca->subject_der, ca->subject_len) != 0 ||
      !strstr(r->walk.subject_cn, "SGX PCK Certificate"))
    return 0;
  r->leaf_cn = r->walk.subject_cn;
  r->ca_cn = ca->subject_cn;
  r->root_cn = has_root > 0 ? root->subject_cn : "";
  memcpy(r->serial, r->walk.serial, r->walk.serial_len);
  r->serial_len = r->walk.serial_len;
  r->not_after_min = r->walk.not_after;
  if (ca->not_after < r->not_after_min) r->not_after_min = ca->not_after;
  if (has_root > 0 && root->not_after < r->not_after_min)
    r->not_after_min = root->not_after;
  if (sgxra_p256_verify_der(cx, ca->key, r->walk.tbs, r->walk.tbs_len,
                            r->walk.sig_der, r->walk.sig_der_len) != SGXRA_OK)
    *out_err = pck_failed(
        r, SGXRA__PCK_LEAF_LINK,
        sgxra__fail(cx, SGXRA_E_X509_SIGNATURE,
                    "signature of certificate '%s' does not verify with the "
                    "key of '%s'",
                    r->leaf_cn, ca->subject_cn));
  else
    *out_err = pck_leaf_revoked(cx, a, r);
  return 1;
}

void sgxra__pck_chain_order(sgxra_x509_chain *chain) {
  if (chain == NULL || chain->count != 3) return;
  size_t root = 3;
  for (size_t i = 0; i < 3; i++)
    if (sgxra_x509_cert_is_self_issued(&chain->certs[i])) root = i;
  if (root == 3) return;
  size_t o[2], k = 0;
  for (size_t i = 0; i < 3; i++)
    if (i != root) o[k++] = i;
  const sgxra_x509_cert *x = &chain->certs[o[0]], *y = &chain->certs[o[1]];
  int x_ca = x->is_ca && !sgxra_x509_cert_is_self_issued(x);
  int y_ca = y->is_ca && !sgxra_x509_cert_is_self_issued(y);
  size_t leaf = o[0], ca = o[1]; /* file order when undecided */
  if (x_ca && !y_ca) {
    leaf = o[1];
    ca = o[0];
  }
  sgxra_x509_cert c[3] = {chain->certs[leaf], chain->certs[ca],
                          chain->certs[root]};
  memcpy(chain->certs, c, sizeof c);
}

sgxra_err sgxra__pck_check_chain(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                                 const sgxra_x509_chain *chain, int intel_shape,
                                 sgxra__pck_chain *r) {
  const sgxra_x509_cert *trust = a->root;
  size_t count = chain->count;
  r->count = count;
  if (intel_shape ? count != 3 : count < 2)
    return pck_failed(
        r, SGXRA__PCK_COUNT,
        sgxra__fail(cx, SGXRA_E_X509_CHAIN_LENGTH,
                    "PCK certificate chain has %zu certificate(s); the PCK "
                    "certificate and its CA%s are needed",
                    count,
                    intel_shape ? ", then the root," : " (then the root)"));
  const sgxra_x509_cert *leaf = &chain->certs[0], *ca = &chain->certs[1];
  const sgxra_x509_cert *top = &chain->certs[count - 1];
  r->leaf_cn = leaf->subject_cn;
  r->ca_cn = ca->subject_cn;
  r->root_cn = count > 2 ? top->subject_cn : "";
  memcpy(r->serial, leaf->serial.bytes, leaf->serial.len);
  r->serial_len = leaf->serial.len;
  r->not_after_min = INT64_MAX;
  for (size_t i = 0; i < count; i++)
    if (chain->certs[i].not_after < r->not_after_min)
      r->not_after_min = chain->certs[i].not_after;
  /* The trust anchor: the chain's root must carry the trusted key, as the
   * QvE compares it with Intel's root public key. */
  if (count > 2 && !sgxra__x509_same_key(top, trust))
    return pck_failed(
        r, SGXRA__PCK_ROOT,
        sgxra__fail(cx, SGXRA_E_X509_UNTRUSTED_ROOT,
                    "the chain's root '%s' does not have the public key of "
                    "the trusted root '%s'",
                    top->subject_cn, trust->subject_cn));
  if (intel_shape && (!ca->is_ca || sgxra_x509_cert_is_self_issued(ca)))
    return pck_failed(
        r, SGXRA__PCK_CA_MISSING,
        sgxra__fail(cx, SGXRA_E_X509_NOT_CA,
                    "PCK certificate chain has no PCK CA: besides the root "
                    "'%s' it holds '%s' and '%s'",
                    top->subject_cn, leaf->subject_cn, ca->subject_cn));
  if (strcmp(sgxra_crl_issuer_cn(a->pck_crl), ca->subject_cn) != 0)
    return pck_failed(
        r, SGXRA__PCK_CA_NAME,
        sgxra__fail(cx, SGXRA_E_CRL_ISSUER,
                    "PCK CRL issuer CN '%s' does not match the chain's CA "
                    "'%s': fetch the collateral for the quote's PCK CA",
                    sgxra_crl_issuer_cn(a->pck_crl), ca->subject_cn));
  /* A CA (and root) byte for byte the validated ones were chained to the
   * trust root by validate; any other is checked up to it. */
  if (!sgxra_x509_cert_equal(ca, a->pck_ca) ||
      !(count == 2 || (count == 3 && sgxra_x509_cert_equal(top, trust)))) {
    sgxra_err e;
    if (!ca->is_ca) {
      e = sgxra__fail(cx, SGXRA_E_X509_NOT_CA,
                      "PCK CA '%s' is not a CA (basicConstraints cA absent or "
                      "FALSE)",
                      ca->subject_cn);
    } else {
      sgxra_x509_chain up;
      up.count = count - 1;
      memcpy(up.certs, chain->certs + 1, up.count * sizeof up.certs[0]);
      e = sgxra_x509_chain_verify(cx, &up, trust, 0, NULL);
    }
    if (e != SGXRA_OK) return pck_failed(r, SGXRA__PCK_CA_LINK, e);
  }
  /* The PCK CRL is checked against the quote's own CA, as Intel's
   * PckCertVerifier does; validate checked it already against a CA byte
   * for byte this one. */
  if (!sgxra_x509_cert_equal(ca, a->pck_ca)) {
    sgxra_err ce = sgxra_crl_verify(cx, a->pck_crl, ca);
    if (ce != SGXRA_OK) {
      sgxra__context(cx, ce, "PCK CRL");
      return pck_failed(r, SGXRA__PCK_CRL, ce);
    }
  }
  if (sgxra_crl_is_revoked(a->root_crl, ca))
    return pck_failed(r, SGXRA__PCK_CA_REVOKED,
                      sgxra__fail(cx, SGXRA_E_X509_REVOKED,
                                  "PCK CA '%s' is revoked by the root CA CRL",
                                  ca->subject_cn));
  sgxra_err e = sgxra__x509_check_issued(cx, leaf, ca);
  if (e != SGXRA_OK) return pck_failed(r, SGXRA__PCK_LEAF_LINK, e);
  return pck_leaf_revoked(cx, a, r);
}

sgxra_err sgxra__pck_check_pem(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                               const uint8_t *pem, size_t n, int intel_shape,
                               sgxra__pck_chain *out) {
  memset(out, 0, sizeof *out);
  sgxra__pck_chain_clear(out);
  sgxra_err e = SGXRA_OK;
  if (pck_fast(cx, a, pem, n, intel_shape, out, &e)) return e;
  sgxra__pck_chain_clear(out);
  if ((e = sgxra_x509_chain_parse_pem(cx, pem, n, &out->chain)) != SGXRA_OK)
    return pck_failed(out, SGXRA__PCK_PARSE, e);
  if (intel_shape) sgxra__pck_chain_order(out->chain);
  return sgxra__pck_check_chain(cx, a, out->chain, intel_shape, out);
}
