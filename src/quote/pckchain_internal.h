/*
 * quote/pckchain_internal.h -- the per-quote PCK chain check and the trust
 * root comparison, one implementation behind
 * sgxra_collateral_check_pck_chain / _pem and the quote verifier.
 *
 * The checks, in Intel's order (QVL's PckCertVerifier):
 * the chain's length; its root carries the trust root's key; its CA has
 * the PCK CRL issuer's name, is a CA and chains to the trust root (skipped
 * when CA and root are byte for byte the validated ones) and is not on the
 * root CA CRL; the leaf is issued and signed by the CA and not on the PCK
 * CRL.  Each failure records the public code (SGXRA_E_X509_*, _CRL_ISSUER)
 * with a message in cx; `failed` says which check it was, so the verifier
 * can map it to Intel's outcome (sgxra__pck_step_outcome).
 *
 * Not installed; names are sgxra__*. */
#ifndef SGXRA_QUOTE_PCKCHAIN_INTERNAL_H
#define SGXRA_QUOTE_PCKCHAIN_INTERNAL_H

#include "core/internal.h"
#include "sgxra/quote.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

typedef enum sgxra__pck_step {
  SGXRA__PCK_OK = 0,
  SGXRA__PCK_PARSE,        /* PEM or certificate does not parse */
  SGXRA__PCK_COUNT,        /* wrong number of certificates */
  SGXRA__PCK_ROOT,         /* the chain's root lacks the trust root's key */
  SGXRA__PCK_CA_NAME,      /* CA is not the PCK CRL's issuer (by CN) */
  SGXRA__PCK_CA_MISSING,   /* no CA that is not self-issued (Intel's
                            * STATUS_SGX_INTERMEDIATE_CA_MISSING) */
  SGXRA__PCK_CA_LINK,      /* CA is not a CA chaining to the trust root */
  SGXRA__PCK_CRL,          /* PCK CRL does not verify with the quote's CA */
  SGXRA__PCK_CA_REVOKED,   /* CA on the root CA CRL */
  SGXRA__PCK_LEAF_LINK,    /* leaf not issued and signed by the CA */
  SGXRA__PCK_LEAF_REVOKED, /* leaf on the PCK CRL */
} sgxra__pck_step;

typedef struct sgxra__pck_chain {
  sgxra__pck_step failed;
  size_t count; /* certificates in the chain (0 on the fast path) */
  /* Fast path (CA and root byte for byte the validated ones): the leaf's
   * DER (owned) read by the bounded DER walk into `walk`, which borrows
   * it.  NULL on the full path. */
  uint8_t *leaf_der;
  size_t leaf_der_len;
  sgxra_pck_cert walk;
  /* Full path: the whole chain (owned); NULL on the fast path. */
  sgxra_x509_chain *chain;
  const char *leaf_cn, *ca_cn, *root_cn; /* borrowed; "" when unknown */
  uint8_t serial[SGXRA_X509_SERIAL_MAX]; /* the leaf's */
  size_t serial_len;
  int64_t not_after_min; /* earliest notAfter across the chain */
} sgxra__pck_chain;

/* What the check compares a chain with: validated collateral's trust root,
 * PCK CA and CRLs (borrowed), and for the fast path the CA's and root's
 * DER as base64 text (owned). */
typedef struct sgxra__pck_anchor {
  const sgxra_x509_cert *root;
  const sgxra_x509_cert *pck_ca;
  const sgxra_crl *pck_crl;
  const sgxra_crl *root_crl;
  char *ca_b64;
  char *root_b64;
} sgxra__pck_anchor;

/* Fill *a (SGXRA_E_NO_MEMORY, *a cleared, on failure). */
sgxra_err sgxra__pck_anchor_prepare(sgxra_ctx *cx, sgxra__pck_anchor *a,
                                    const sgxra_x509_cert *root,
                                    const sgxra_x509_cert *pck_ca,
                                    const sgxra_crl *pck_crl,
                                    const sgxra_crl *root_crl);
void sgxra__pck_anchor_clear(sgxra__pck_anchor *a);

/* Put a quote's 3-certificate chain, given in any order, as leaf, CA,
 * root, the roles Intel's QVL finds by content (CertificateChain): the
 * root is the last self-issued certificate, the CA the other one that is
 * a CA and not self-issued, the leaf the rest.  A chain without such a
 * root or CA keeps its order, the root moved last when there is one (the
 * checks then say what is missing). */
void sgxra__pck_chain_order(sgxra_x509_chain *chain);

/* Check the PEM chain of a quote against the anchor.  intel_shape: exactly
 * leaf, CA, root (the QvE's rule); otherwise the root may be omitted.
 * Returns SGXRA_OK or the failure's code (out->failed set).  Clear *out
 * with sgxra__pck_chain_clear either way. */
sgxra_err sgxra__pck_check_pem(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                               const uint8_t *pem, size_t n, int intel_shape,
                               sgxra__pck_chain *out);

/* The same checks over a parsed chain (borrowed; *r then borrows it). */
sgxra_err sgxra__pck_check_chain(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                                 const sgxra_x509_chain *chain, int intel_shape,
                                 sgxra__pck_chain *r);
void sgxra__pck_chain_clear(sgxra__pck_chain *r);

/* The step outcome of a failed check: where verification stops and the
 * code the verdict records (SGXRA_E_VERIFY_TRUST_ROOT, _PCK_CHAIN,
 * _PCK_REVOKED, or the parser's `err` for SGXRA__PCK_PARSE); Intel's value
 * then comes from the one table (quote/verdict_internal.h). */
void sgxra__pck_step_outcome(sgxra__pck_step step, sgxra_err err,
                             sgxra_verify_stage *out_stage,
                             sgxra_err *out_code);

#endif
