/*
 * quote/x509_internal.h -- what the collateral sources share about
 * certificates and CRLs (OpenSSL objects behind sgxra_x509_cert).
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_QUOTE_X509_INTERNAL_H
#define SGXRA_QUOTE_X509_INTERNAL_H

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "core/internal.h"
#include "sgxra/x509.h"

/* Extensions a certificate of the fixed shape may carry (x509.c,
 * fast_walk): basicConstraints, keyUsage, subjectKeyIdentifier,
 * authorityKeyIdentifier, cRLDistributionPoints, each at most once. */
#define SGXRA__X509_FAST_EXT_MAX 5

typedef struct sgxra__x509_ext_span {
  size_t oid_off, oid_len; /* OID contents, in der */
  size_t val_off, val_len; /* extnValue OCTET STRING contents, in der */
} sgxra__x509_ext_span;

struct sgxra_x509_cert {
  /* OpenSSL's decoding; NULL for a certificate of the fixed shape of
   * Intel's SGX PKI, read by the bounded DER walk of x509.c instead (the
   * fields below are then all it has). */
  X509 *x;
  const uint8_t *der; /* owned: malloc'ed copy */
  size_t der_len;
  /* The issuer and subject Name DER (tag included): into der for the
   * fixed shape, into x's own encoding otherwise. */
  const uint8_t *issuer_der, *subject_der;
  size_t issuer_len, subject_len;
  int self_issued; /* issuer Name == subject Name (X509_NAME_cmp) */
  /* Fixed shape only: the signed TBSCertificate (tag included) and the
   * ECDSA-Sig-Value of the signature BIT STRING, offsets in der; the
   * extensions. */
  size_t tbs_off, tbs_len, sig_off, sig_len;
  size_t ext_count;
  sgxra__x509_ext_span ext[SGXRA__X509_FAST_EXT_MAX];
  char subject_cn[SGXRA_X509_CN_SIZE];
  char issuer_cn[SGXRA_X509_CN_SIZE];
  int64_t not_before;
  int64_t not_after;
  sgxra_x509_serial serial;
  sgxra_p256_key *key;
  int is_ca;
  int can_sign_certs; /* keyUsage absent or has keyCertSign */
};

/* Tests and benchmarks only: read certificates of the fixed shape with the
 * DER walk (on != 0, the default) or always with d2i_X509 (0), to compare
 * the two.  Set it while no other thread parses certificates. */
void sgxra__x509_set_fast(int on);

/* Drop the process's decoded-certificate cache (x509.c): for benchmarks
 * that measure a cold start, and tests.  Certificates in use keep their
 * own reference. */
void sgxra__x509_cache_clear(void);

struct sgxra_x509_chain {
  size_t count;
  sgxra_x509_cert certs[SGXRA_X509_CHAIN_MAX];
};

/* `issuer` issued `c`: c's issuer name is issuer's subject, issuer is a CA
 * allowed to sign certificates, c's signature verifies with its key.
 * SGXRA_E_X509_CHAIN_LINK / _NOT_CA / _SIGNATURE. */
sgxra_err sgxra__x509_check_issued(sgxra_ctx *cx, const sgxra_x509_cert *c,
                                   const sgxra_x509_cert *issuer);

/* Is the OpenSSL Name `name` equal (X509_NAME_cmp) to c's subject
 * (`subject` != 0) or issuer Name? */
int sgxra__x509_name_is(const X509_NAME *name, const sgxra_x509_cert *c,
                        int subject);

/* c's public key as an OpenSSL key (borrowed), NULL when it has none. */
EVP_PKEY *sgxra__x509_pkey(const sgxra_x509_cert *c);

/* ASN1_TIME to unix seconds; SGXRA_E_X509_PARSE-style failure left to the
 * caller: returns 0 on success, -1 when the time is not representable. */
int sgxra__asn1_time_unix(const ASN1_TIME *t, int64_t *out);

/* The CN of a name into out (NUL-terminated, truncated to fit; "" when
 * absent or not convertible). */
void sgxra__name_cn(const X509_NAME *name, char out[SGXRA_X509_CN_SIZE]);

/* Base64 body of the PEM block labelled `label` starting at or after p
 * (search), decoded into a new buffer; *out_end is set past the END line.
 * SGXRA_E_NOT_FOUND-style: returns SGXRA_OK with *out_der NULL when no
 * BEGIN line is found.  `code` is used for malformed blocks. */
sgxra_err sgxra__pem_next(sgxra_ctx *cx, const uint8_t *p, size_t n,
                          const char *label, sgxra_err code, uint8_t **out_der,
                          size_t *out_len, size_t *out_end);

/* Do `a` and `b` carry the same public key?  This is how sgxra asks "is
 * this the trust root?" everywhere: the QvE compares a quote chain's root
 * with Intel's root public key (sgx_qve_verify_quote), not the whole
 * certificate.  0 when either is NULL or has no usable key. */
int sgxra__x509_same_key(const sgxra_x509_cert *a, const sgxra_x509_cert *b);

/* The CRL Number extension (2.5.29.20) of a CRL, as Intel's QvE reads it
 * for the supplemental data: SGXRA_E_CRL_EXTENSIONS when absent or not a
 * uint32. */
sgxra_err sgxra__crl_number(sgxra_ctx *cx, const sgxra_crl *crl, uint32_t *out);

#endif
