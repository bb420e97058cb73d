/* The collateral set, validated once: see sgxra/collateral.h.
 *
 * Which dates count follows Intel's QvE (qve_get_collateral_dates): root CA
 * CRL and PCK CRL (thisUpdate / nextUpdate), every certificate of the PCK
 * CRL issuer chain, the TCB Info issuer chain, the QE Identity issuer chain
 * and the quote's PCK chain (notBefore / notAfter), TCB Info and QE
 * Identity (issueDate / nextUpdate).  The collateral is expired when the
 * earliest expiration date is <= the verification time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote/collateral_internal.h"
#include "quote/x509_internal.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"

struct sgxra_collateral {
  sgxra_x509_chain *pck_crl_chain;
  sgxra_x509_chain *tcb_chain;
  sgxra_x509_chain *qe_chain;
  sgxra_x509_chain *bundled_root; /* optional root_ca.pem */
  sgxra_crl *root_crl;
  sgxra_crl *pck_crl;
  sgxra_tcbinfo *tcb;
  sgxra_qeidentity *qe;
  sgxra_x509_chain *root; /* copy of the trust root validate used */
  sgxra_collateral_window win;
  /* set by validate for the PCK chain check's fast path */
  char *ca_b64;        /* base64 of the PCK CA's DER */
  char *root_b64;      /* base64 of the trust root's DER */
  uint8_t *ca_subject; /* DER of the PCK CA's subject Name */
  size_t ca_subject_len;
  int validated;
  int expired;
};

/* What the fast path compares a quote's chain with: the validated PCK CA's
 * and root's DER as base64 text, and the CA's subject Name as DER. */
static void pck_forget(sgxra_collateral *c) {
  free(c->ca_b64);
  free(c->root_b64);
  OPENSSL_free(c->ca_subject);
  c->ca_b64 = c->root_b64 = NULL;
  c->ca_subject = NULL;
  c->ca_subject_len = 0;
}

static char *der_base64(const sgxra_x509_cert *x) {
  char *b = malloc(4 * ((x->der_len + 2) / 3) + 1);
  if (b) sgxra_base64_encode(x->der, x->der_len, b);
  return b;
}

static sgxra_err pck_prepare(sgxra_ctx *cx, sgxra_collateral *c) {
  const sgxra_x509_cert *ca = &c->pck_crl_chain->certs[0];
  unsigned char *name = NULL;
  int nl = i2d_X509_NAME(X509_get_subject_name(ca->x), &name);
  c->ca_subject = name;
  c->ca_subject_len = nl > 0 ? (size_t)nl : 0;
  c->ca_b64 = der_base64(ca);
  c->root_b64 = der_base64(&c->root->certs[0]);
  if (nl <= 0 || !c->ca_b64 || !c->root_b64) {
    pck_forget(c);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral: out of memory");
  }
  return SGXRA_OK;
}

void sgxra_collateral_free(sgxra_collateral *c) {
  if (c == NULL) return;
  pck_forget(c);
  sgxra_x509_chain_free(c->pck_crl_chain);
  sgxra_x509_chain_free(c->tcb_chain);
  sgxra_x509_chain_free(c->qe_chain);
  sgxra_x509_chain_free(c->bundled_root);
  sgxra_x509_chain_free(c->root);
  sgxra_crl_free(c->root_crl);
  sgxra_crl_free(c->pck_crl);
  sgxra_tcbinfo_free(c->tcb);
  sgxra_qeidentity_free(c->qe);
  free(c);
}

static void win_add(sgxra_collateral_window *w, int *first, int64_t issue,
                    int64_t expiry) {
  if (*first) {
    w->earliest_issue = w->latest_issue = issue;
    w->earliest_expiry = w->latest_expiry = expiry;
    *first = 0;
    return;
  }
  if (issue < w->earliest_issue) w->earliest_issue = issue;
  if (issue > w->latest_issue) w->latest_issue = issue;
  if (expiry < w->earliest_expiry) w->earliest_expiry = expiry;
  if (expiry > w->latest_expiry) w->latest_expiry = expiry;
}

static void win_add_chain(sgxra_collateral_window *w, int *first,
                          const sgxra_x509_chain *ch) {
  for (size_t i = 0; i < sgxra_x509_chain_count(ch); i++)
    win_add(w, first, ch->certs[i].not_before, ch->certs[i].not_after);
}

static void compute_window(sgxra_collateral *c) {
  int first = 1;
  memset(&c->win, 0, sizeof(c->win));
  win_add(&c->win, &first, sgxra_crl_this_update(c->root_crl),
          sgxra_crl_next_update(c->root_crl));
  win_add(&c->win, &first, sgxra_crl_this_update(c->pck_crl),
          sgxra_crl_next_update(c->pck_crl));
  win_add_chain(&c->win, &first, c->pck_crl_chain);
  win_add_chain(&c->win, &first, c->tcb_chain);
  win_add_chain(&c->win, &first, c->qe_chain);
  win_add(&c->win, &first, c->tcb->issue_date, c->tcb->next_update);
  win_add(&c->win, &first, c->qe->issue_date, c->qe->next_update);
}

static sgxra_err need(sgxra_ctx *cx, const uint8_t *p, size_t n,
                      const char *what) {
  if (p == NULL || n == 0)
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_MISSING,
                       "collateral lacks the %s (empty input)", what);
  return SGXRA_OK;
}

sgxra_err sgxra_collateral_load(sgxra_ctx *cx,
                                const sgxra_collateral_buffers *b,
                                sgxra_collateral **out_coll) {
  if (out_coll == NULL || b == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_load: NULL argument");
  *out_coll = NULL;
  sgxra_err e;
  if ((e = need(cx, b->pck_crl_issuer_chain, b->pck_crl_issuer_chain_len,
                "PCK CRL issuer chain")) != SGXRA_OK ||
      (e = need(cx, b->root_ca_crl, b->root_ca_crl_len, "root CA CRL")) !=
          SGXRA_OK ||
      (e = need(cx, b->pck_crl, b->pck_crl_len, "PCK CRL")) != SGXRA_OK ||
      (e = need(cx, b->tcb_info, b->tcb_info_len, "TCB Info")) != SGXRA_OK ||
      (e = need(cx, b->tcb_info_issuer_chain, b->tcb_info_issuer_chain_len,
                "TCB Info issuer chain")) != SGXRA_OK ||
      (e = need(cx, b->qe_identity, b->qe_identity_len, "QE Identity")) !=
          SGXRA_OK ||
      (e = need(cx, b->qe_identity_issuer_chain,
                b->qe_identity_issuer_chain_len, "QE Identity issuer chain")) !=
          SGXRA_OK)
    return e;
  sgxra_collateral *c = calloc(1, sizeof(*c));
  if (c == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral");
  if ((e = sgxra_x509_chain_parse_pem(cx, b->pck_crl_issuer_chain,
                                      b->pck_crl_issuer_chain_len,
                                      &c->pck_crl_chain)) != SGXRA_OK) {
    sgxra__context(cx, e, "PCK CRL issuer chain");
  } else if ((e = sgxra_x509_chain_parse_pem(cx, b->tcb_info_issuer_chain,
                                             b->tcb_info_issuer_chain_len,
                                             &c->tcb_chain)) != SGXRA_OK) {
    sgxra__context(cx, e, "TCB Info issuer chain");
  } else if ((e = sgxra_x509_chain_parse_pem(cx, b->qe_identity_issuer_chain,
                                             b->qe_identity_issuer_chain_len,
                                             &c->qe_chain)) != SGXRA_OK) {
    sgxra__context(cx, e, "QE Identity issuer chain");
  } else if (b->root_ca_len != 0 &&
             (e = sgxra_x509_chain_parse_pem(cx, b->root_ca, b->root_ca_len,
                                             &c->bundled_root)) != SGXRA_OK) {
    sgxra__context(cx, e, "root CA certificate");
  } else if ((e = sgxra_crl_parse(cx, b->root_ca_crl, b->root_ca_crl_len,
                                  &c->root_crl)) != SGXRA_OK) {
    sgxra__context(cx, e, "root CA CRL");
  } else if ((e = sgxra_crl_parse(cx, b->pck_crl, b->pck_crl_len,
                                  &c->pck_crl)) != SGXRA_OK) {
    sgxra__context(cx, e, "PCK CRL");
  } else if ((e = sgxra_tcbinfo_parse(cx, b->tcb_info, b->tcb_info_len,
                                      &c->tcb)) != SGXRA_OK) {
    /* messages already start with "TCB Info" */
  } else if ((e = sgxra_qeidentity_parse(cx, b->qe_identity, b->qe_identity_len,
                                         &c->qe)) != SGXRA_OK) {
    /* messages already start with "QE Identity" */
  }
  if (e != SGXRA_OK) {
    sgxra_collateral_free(c);
    return e;
  }
  compute_window(c);
  *out_coll = c;
  return SGXRA_OK;
}

/* Read dir/name; a missing file is SGXRA_E_COLLATERAL_MISSING when
 * required, an empty buffer when optional. */
static sgxra_err read_piece(sgxra_ctx *cx, const char *dir, const char *name,
                            int optional, uint8_t **out, size_t *out_len) {
  char path[4096];
  *out = NULL;
  *out_len = 0;
  int k = snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (k < 0 || (size_t)k >= sizeof(path))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "collateral directory path too long");
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    if (optional) return SGXRA_OK;
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_MISSING,
                       "collateral file %s is missing: a bundle directory "
                       "holds pck_crl_issuer_chain.pem, root_ca_crl.der, "
                       "pck_crl.der, tcb_info.json, tcb_info_issuer_chain.pem, "
                       "qe_identity.json and qe_identity_issuer_chain.pem",
                       path);
  }
  fclose(f);
  return sgxra_file_read(cx, path, SGXRA_COLLATERAL_FILE_MAX, out, out_len);
}

sgxra_err sgxra_collateral_load_dir(sgxra_ctx *cx, const char *dir,
                                    sgxra_collateral **out_coll) {
  if (out_coll == NULL || dir == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_load_dir: NULL argument");
  *out_coll = NULL;
  static const char *const names[8] = {
      SGXRA_COLLATERAL_FILE_PCK_CRL_CHAIN, SGXRA_COLLATERAL_FILE_ROOT_CRL,
      SGXRA_COLLATERAL_FILE_PCK_CRL,       SGXRA_COLLATERAL_FILE_TCB_INFO,
      SGXRA_COLLATERAL_FILE_TCB_CHAIN,     SGXRA_COLLATERAL_FILE_QE_IDENTITY,
      SGXRA_COLLATERAL_FILE_QE_CHAIN,      SGXRA_COLLATERAL_FILE_ROOT_CA,
  };
  uint8_t *buf[8] = {0};
  size_t len[8] = {0};
  sgxra_err e = SGXRA_OK;
  for (int i = 0; i < 8 && e == SGXRA_OK; i++)
    e = read_piece(cx, dir, names[i], i == 7, &buf[i], &len[i]);
  if (e == SGXRA_OK) {
    sgxra_collateral_buffers b = {
        buf[0], len[0], buf[1], len[1], buf[2], len[2], buf[3], len[3],
        buf[4], len[4], buf[5], len[5], buf[6], len[6], buf[7], len[7],
    };
    e = sgxra_collateral_load(cx, &b, out_coll);
  }
  for (int i = 0; i < 8; i++) free(buf[i]);
  return e;
}

static int is_intel_root(const sgxra_x509_cert *root) {
  sgxra_x509_chain *intel = NULL;
  if (sgxra_x509_intel_root(NULL, &intel) != SGXRA_OK) return 0;
  int r = sgxra_x509_cert_equal(root, &intel->certs[0]);
  sgxra_x509_chain_free(intel);
  return r;
}

static sgxra_err validate(sgxra_ctx *cx, sgxra_collateral *c,
                          const sgxra_x509_cert *root, int64_t now,
                          int *out_expired) {
  sgxra_err e;
  if (c->bundled_root != NULL &&
      !sgxra_x509_cert_equal(&c->bundled_root->certs[0], root))
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_ROOT_MISMATCH,
                       "the bundle's root_ca.pem ('%s') is not the trust "
                       "root ('%s'): the collateral was made for another "
                       "root",
                       c->bundled_root->certs[0].subject_cn, root->subject_cn);
  /* Time is not checked here: see the expired flag at the end. */
  if ((e = sgxra_x509_chain_verify(cx, c->tcb_chain, root, now, NULL)) !=
      SGXRA_OK) {
    sgxra__context(cx, e, "TCB Info issuer chain");
    return e;
  }
  if ((e = sgxra_x509_chain_verify(cx, c->qe_chain, root, now, NULL)) !=
      SGXRA_OK) {
    sgxra__context(cx, e, "QE Identity issuer chain");
    return e;
  }
  if ((e = sgxra_x509_chain_verify(cx, c->pck_crl_chain, root, now, NULL)) !=
      SGXRA_OK) {
    sgxra__context(cx, e, "PCK CRL issuer chain");
    return e;
  }
  const sgxra_x509_cert *pck_ca = &c->pck_crl_chain->certs[0];
  int intel = is_intel_root(root);
  if (!pck_ca->is_ca)
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_PCK_CA,
                       "PCK CRL issuer chain: first certificate '%s' is not "
                       "a CA; the chain must start with the PCK CA",
                       pck_ca->subject_cn);
  if (intel && strcmp(pck_ca->subject_cn, "Intel SGX PCK Platform CA") != 0 &&
      strcmp(pck_ca->subject_cn, "Intel SGX PCK Processor CA") != 0)
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_PCK_CA,
                       "PCK CRL issuer chain starts with '%s', expected "
                       "'Intel SGX PCK Platform CA' or 'Intel SGX PCK "
                       "Processor CA'",
                       pck_ca->subject_cn);
  /* Under Intel's root the signer of TCB Info and QE Identity is "Intel
   * SGX TCB Signing", an end-entity certificate; anything else means the
   * files were mixed up. */
  const sgxra_x509_cert *signers[2] = {&c->tcb_chain->certs[0],
                                       &c->qe_chain->certs[0]};
  for (int i = 0; i < 2; i++)
    if (signers[i]->is_ca ||
        (intel && strcmp(signers[i]->subject_cn, "Intel SGX TCB Signing") != 0))
      return sgxra__fail(cx, SGXRA_E_COLLATERAL_TCB_SIGNER,
                         "%s issuer chain starts with '%s'%s, expected the "
                         "TCB signing certificate ('Intel SGX TCB Signing')",
                         i == 0 ? "TCB Info" : "QE Identity",
                         signers[i]->subject_cn,
                         signers[i]->is_ca ? " (a CA)" : "");
  if ((e = sgxra_crl_verify(cx, c->root_crl, root)) != SGXRA_OK) {
    sgxra__context(cx, e, "root CA CRL");
    return e;
  }
  if ((e = sgxra_crl_verify(cx, c->pck_crl, pck_ca)) != SGXRA_OK) {
    if (e == SGXRA_E_CRL_ISSUER)
      return sgxra__fail(cx, e,
                         "PCK CRL issuer CN '%s' does not match the chain's "
                         "CA '%s': pck_crl and pck_crl_issuer_chain belong "
                         "to different CAs",
                         sgxra_crl_issuer_cn(c->pck_crl), pck_ca->subject_cn);
    {
      sgxra__context(cx, e, "PCK CRL");
      return e;
    }
  }
  const sgxra_x509_cert *checks[3] = {&c->tcb_chain->certs[0],
                                      &c->qe_chain->certs[0], pck_ca};
  for (int i = 0; i < 3; i++)
    if (sgxra_crl_is_revoked(c->root_crl, checks[i]))
      return sgxra__fail(cx, SGXRA_E_COLLATERAL_SIGNER_REVOKED,
                         "certificate '%s' is revoked by the root CA CRL: "
                         "the collateral it signs cannot be trusted",
                         checks[i]->subject_cn);
  if ((e = sgxra_tcbinfo_verify(cx, c->tcb, c->tcb_chain->certs[0].key)) !=
      SGXRA_OK)
    return e;
  if ((e = sgxra_qeidentity_verify(cx, c->qe, c->qe_chain->certs[0].key)) !=
      SGXRA_OK)
    return e;
  /* Intel's flag counts expiry dates only (earliest_expiration_date <=
   * time; the verifiers compare notAfter alone, never notBefore).  The
   * window holds every certificate of the three chains; the trust root is
   * added in case a chain stops below it. */
  *out_expired = c->win.earliest_expiry <= now || root->not_after < now;
  return SGXRA_OK;
}

sgxra_err sgxra_collateral_validate(sgxra_ctx *cx, sgxra_collateral *c,
                                    const sgxra_x509_cert *root, int64_t now) {
  if (c == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_validate: NULL collateral");
  c->validated = 0;
  c->expired = 0;
  pck_forget(c);
  sgxra_x509_chain_free(c->root);
  c->root = NULL;
  sgxra_err e;
  if (root == NULL)
    e = sgxra_x509_intel_root(cx, &c->root);
  else
    e = sgxra_x509_chain_parse_der(cx, root->der, root->der_len, &c->root);
  if (e != SGXRA_OK) return e;
  int expired = 0;
  e = validate(cx, c, &c->root->certs[0], now, &expired);
  if (e == SGXRA_OK) e = pck_prepare(cx, c);
  if (e != SGXRA_OK) return e;
  c->expired = expired;
  c->validated = 1;
  return SGXRA_OK;
}

int sgxra_collateral_is_validated(const sgxra_collateral *c) {
  return c != NULL && c->validated;
}

sgxra_collateral_window sgxra_collateral_dates(const sgxra_collateral *c) {
  sgxra_collateral_window w = {0, 0, 0, 0};
  return c ? c->win : w;
}

sgxra_collateral_window
sgxra_collateral_dates_with_chain(const sgxra_collateral *c,
                                  const sgxra_x509_chain *pck_chain) {
  sgxra_collateral_window w = sgxra_collateral_dates(c);
  if (c == NULL) return w;
  int first = 0;
  win_add_chain(&w, &first, pck_chain);
  return w;
}

int sgxra_collateral_expired(const sgxra_collateral *c) {
  return c != NULL && c->expired;
}

int sgxra_collateral_expired_at(const sgxra_collateral *c, int64_t now) {
  return c != NULL && (c->win.earliest_expiry <= now ||
                       (c->root && c->root->certs[0].not_after < now));
}

const sgxra_tcbinfo *sgxra_collateral_tcbinfo(const sgxra_collateral *c) {
  return c ? c->tcb : NULL;
}

const sgxra_qeidentity *sgxra_collateral_qeidentity(const sgxra_collateral *c) {
  return c ? c->qe : NULL;
}

const sgxra_x509_cert *sgxra_collateral_pck_ca(const sgxra_collateral *c) {
  return c ? &c->pck_crl_chain->certs[0] : NULL;
}

const sgxra_x509_cert *sgxra_collateral_root(const sgxra_collateral *c) {
  return c && c->root ? &c->root->certs[0] : NULL;
}

const sgxra_crl *sgxra_collateral_pck_crl(const sgxra_collateral *c) {
  return c ? c->pck_crl : NULL;
}

const sgxra_crl *sgxra_collateral_root_crl(const sgxra_collateral *c) {
  return c ? c->root_crl : NULL;
}

const sgxra_x509_cert *sgxra_collateral_tcb_signer(const sgxra_collateral *c) {
  return c ? &c->tcb_chain->certs[0] : NULL;
}

/* ---- the per-quote PCK chain check (see quote/collateral_internal.h) ---- */

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

static sgxra_err pck_leaf_revoked(sgxra_ctx *cx, const sgxra_collateral *c,
                                  sgxra__pck_chain *r) {
  if (!sgxra_crl_has_serial(c->pck_crl, r->serial, r->serial_len))
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
static int pck_fast(sgxra_ctx *cx, const sgxra_collateral *c,
                    const uint8_t *pem, size_t n, int intel_shape,
                    sgxra__pck_chain *r, sgxra_err *out_err) {
  const char *p = (const char *)pem;
  const sgxra_x509_cert *ca = &c->pck_crl_chain->certs[0];
  const sgxra_x509_cert *root = &c->root->certs[0];
  size_t off = 0;
  if (!ca->can_sign_certs || n == 0 ||
      sgxra__pem_next(cx, pem, n, "CERTIFICATE", SGXRA_E_X509_PEM, &r->leaf_der,
                      &r->leaf_der_len, &off) != SGXRA_OK ||
      !r->leaf_der || pem_block_is(p, n, &off, c->ca_b64) != 1)
    return 0;
  int has_root = pem_block_is(p, n, &off, c->root_b64);
  if (has_root == 0 || (has_root < 0 && intel_shape) ||
      find_text(p + off, n - off, pem_begin, sizeof pem_begin - 1) ||
      sgxra_pck_cert_parse(cx, r->leaf_der, r->leaf_der_len, &r->walk) !=
          SGXRA_OK ||
      r->walk.issuer_len != c->ca_subject_len ||
      memcmp(r->walk.issuer, c->ca_subject, c->ca_subject_len) != 0 ||
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
    *out_err = pck_leaf_revoked(cx, c, r);
  return 1;
}

/* Every check over a parsed chain (borrowed). */
static sgxra_err pck_full(sgxra_ctx *cx, const sgxra_collateral *c,
                          const sgxra_x509_chain *chain, int intel_shape,
                          sgxra__pck_chain *r) {
  const sgxra_x509_cert *trust = &c->root->certs[0];
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
  uint8_t k1[SGXRA_P256_PUBLIC_SIZE], k2[SGXRA_P256_PUBLIC_SIZE];
  if (count > 2) {
    if (top->key) sgxra_p256_public_raw(top->key, k1);
    sgxra_p256_public_raw(trust->key, k2);
    if (!top->key || memcmp(k1, k2, sizeof k1) != 0)
      return pck_failed(
          r, SGXRA__PCK_ROOT,
          sgxra__fail(cx, SGXRA_E_X509_UNTRUSTED_ROOT,
                      "the chain's root '%s' does not have the public key of "
                      "the trusted root '%s'",
                      top->subject_cn, trust->subject_cn));
  }
  if (strcmp(sgxra_crl_issuer_cn(c->pck_crl), ca->subject_cn) != 0)
    return pck_failed(
        r, SGXRA__PCK_CA_NAME,
        sgxra__fail(cx, SGXRA_E_CRL_ISSUER,
                    "PCK CRL issuer CN '%s' does not match the chain's CA "
                    "'%s': fetch the collateral for the quote's PCK CA",
                    sgxra_crl_issuer_cn(c->pck_crl), ca->subject_cn));
  /* A CA (and root) byte for byte the validated ones were chained to the
   * trust root by validate; any other is checked up to it. */
  if (!sgxra_x509_cert_equal(ca, &c->pck_crl_chain->certs[0]) ||
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
  if (sgxra_crl_is_revoked(c->root_crl, ca))
    return pck_failed(r, SGXRA__PCK_CA_REVOKED,
                      sgxra__fail(cx, SGXRA_E_X509_REVOKED,
                                  "PCK CA '%s' is revoked by the root CA CRL",
                                  ca->subject_cn));
  sgxra_err e = sgxra__x509_check_issued(cx, leaf, ca);
  if (e != SGXRA_OK) return pck_failed(r, SGXRA__PCK_LEAF_LINK, e);
  return pck_leaf_revoked(cx, c, r);
}

sgxra_err sgxra__pck_check_pem(sgxra_ctx *cx, const sgxra_collateral *c,
                               const uint8_t *pem, size_t n, int intel_shape,
                               sgxra__pck_chain *out) {
  memset(out, 0, sizeof *out);
  sgxra__pck_chain_clear(out);
  sgxra_err e = SGXRA_OK;
  if (pck_fast(cx, c, pem, n, intel_shape, out, &e)) return e;
  sgxra__pck_chain_clear(out);
  if ((e = sgxra_x509_chain_parse_pem(cx, pem, n, &out->chain)) != SGXRA_OK)
    return pck_failed(out, SGXRA__PCK_PARSE, e);
  return pck_full(cx, c, out->chain, intel_shape, out);
}

static sgxra_err need_validated(sgxra_ctx *cx, const sgxra_collateral *c) {
  if (c->validated) return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_COLLATERAL_NOT_VALIDATED,
                     "collateral has not been validated: call "
                     "sgxra_collateral_validate() first");
}

/* Intel's per-quote flag: the earliest expiry of the collateral and the
 * chain <= now (expiry dates only, as validate). */
static int pck_expired(const sgxra_collateral *c, const sgxra__pck_chain *r,
                       int64_t now) {
  return sgxra_collateral_expired_at(c, now) || r->not_after_min <= now;
}

static void pck_context(sgxra_ctx *cx, const sgxra__pck_chain *r, sgxra_err e) {
  if (r->failed == SGXRA__PCK_PARSE || r->failed == SGXRA__PCK_CA_LINK ||
      r->failed == SGXRA__PCK_LEAF_LINK)
    sgxra__context(cx, e, "PCK certificate chain");
}

sgxra_err sgxra_collateral_check_pck_chain(sgxra_ctx *cx,
                                           const sgxra_collateral *c,
                                           const sgxra_x509_chain *pck_chain,
                                           int64_t now, int *out_expired) {
  if (out_expired) *out_expired = 0;
  if (c == NULL || pck_chain == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_check_pck_chain: NULL argument");
  sgxra_err e = need_validated(cx, c);
  if (e != SGXRA_OK) return e;
  sgxra__pck_chain r;
  memset(&r, 0, sizeof r);
  sgxra__pck_chain_clear(&r);
  e = pck_full(cx, c, pck_chain, 0, &r);
  if (e != SGXRA_OK)
    pck_context(cx, &r, e);
  else if (out_expired)
    *out_expired = pck_expired(c, &r, now);
  return e;
}

sgxra_err sgxra_collateral_check_pck_pem(sgxra_ctx *cx,
                                         const sgxra_collateral *c,
                                         const uint8_t *pem, size_t n,
                                         int64_t now, int *out_expired,
                                         sgxra_x509_chain **out_leaf) {
  if (out_expired) *out_expired = 0;
  if (out_leaf == NULL || c == NULL || (pem == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_collateral_check_pck_pem: NULL argument");
  *out_leaf = NULL;
  sgxra_err e = need_validated(cx, c);
  if (e != SGXRA_OK) return e;
  sgxra__pck_chain r;
  e = sgxra__pck_check_pem(cx, c, pem, n, 0, &r);
  if (e != SGXRA_OK) {
    pck_context(cx, &r, e);
  } else {
    const sgxra_x509_cert *leaf = r.chain ? &r.chain->certs[0] : NULL;
    e = sgxra_x509_chain_parse_der(cx, leaf ? leaf->der : r.leaf_der,
                                   leaf ? leaf->der_len : r.leaf_der_len,
                                   out_leaf);
    if (e != SGXRA_OK)
      sgxra__context(cx, e, "PCK certificate");
    else if (out_expired)
      *out_expired = pck_expired(c, &r, now);
  }
  sgxra__pck_chain_clear(&r);
  return e;
}
