/*
 * sgxra/x509.h -- X.509 certificates, chains and CRLs of Intel's SGX PKI.
 *
 * Intel's SGX provisioning certificates form short chains, all ECDSA P-256
 * with SHA-256 (Intel SGX PCK Certificate and Certificate Revocation List
 * Profile Specification):
 *
 *   PCK certificate  <- Intel SGX PCK Platform CA or Processor CA <- root
 *   TCB Signing cert <- Intel SGX Root CA
 *
 * The root is "Intel SGX Root CA"; sgxra embeds it as the default trust
 * anchor (sgxra_x509_intel_root()).  A test root can be used instead.
 *
 * Chains are parsed from concatenated PEM (quote certification data type 5,
 * the *_issuer_chain.pem files of PCS/PCCS), leaf first.  A chain owns its
 * certificates; a `const sgxra_x509_cert *` obtained from a chain is valid
 * while the chain lives.
 *
 * Chain verification follows Intel's QVL: each certificate's issuer name
 * equals the next one's subject, its signature verifies with the next one's
 * key, every issuer is a CA (basicConstraints cA TRUE; keyUsage, when
 * present, allows keyCertSign), the top certificate is self-signed and equals
 * the trust anchor (same subject and same public key).  Time validity is
 * *not* a failure: Intel reports it through the "collateral expired" flag,
 * so verification returns SGXRA_OK and sets *out_expired.
 *
 * CRLs come as DER, PEM ("X509 CRL") or hex-encoded DER (PCS API v3 bodies);
 * sgxra_crl_parse() takes any of the three.
 *
 * Conventions: bytes travel as (pointer, length); NULL only with length 0.
 * Times are unix seconds (UTC).  On error, outputs are zeroed / NULL.
 *
 * Thread-safety: chains, certificates and CRLs are immutable once parsed
 * and may be shared by threads; each call needs its own sgxra_ctx.
 */
#ifndef SGXRA_X509_H
#define SGXRA_X509_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest serial number RFC 5280 allows (20 octets), with room for a
 * leading zero byte. */
#define SGXRA_X509_SERIAL_MAX 21
/* Longest chain sgxra accepts (Intel's are 2 or 3). */
#define SGXRA_X509_CHAIN_MAX 8
/* Longest common name kept (ub-common-name is 64), NUL included. */
#define SGXRA_X509_CN_SIZE 65

/* OIDs the SGX PKI uses, dotted. */
#define SGXRA_X509_OID_SGX_EXTENSION "1.2.840.113741.1.13.1"

typedef struct sgxra_x509_cert sgxra_x509_cert;
typedef struct sgxra_x509_chain sgxra_x509_chain;
typedef struct sgxra_crl sgxra_crl;

/* A serial number: big-endian magnitude bytes as encoded in the INTEGER
 * (a leading 0x00 kept when the DER has one). */
typedef struct sgxra_x509_serial {
  uint8_t bytes[SGXRA_X509_SERIAL_MAX];
  size_t len;
} sgxra_x509_serial;

/* ---- PEM text to DER certificates ----------------------------------------
 *
 * The one PEM certificate reader of sgxra: the chain parser below, the
 * quote's certification data and the emulator's provisioned chains all go
 * through it.  A block is "-----BEGIN CERTIFICATE-----", base64 (RFC 4648
 * with padding; spaces, tabs and line breaks ignored), "-----END
 * CERTIFICATE-----". */

/* Most DER bytes one certificate may have (Intel's are under 1.5 KB). */
#define SGXRA_X509_DER_MAX 16384u
/* sgxra_x509_pem_split flag: only whitespace (and NULs at the very end)
 * may come before, between and after the blocks. */
#define SGXRA_X509_PEM_STRICT 1u

/* One certificate found in PEM text. */
typedef struct sgxra_x509_pem_cert {
  uint8_t *der; /* the decoded DER (owned by the list) */
  size_t der_len;
  size_t begin; /* offset of its BEGIN line in the text */
  size_t end;   /* offset just past its END line */
} sgxra_x509_pem_cert;

typedef struct sgxra_x509_pem_certs {
  size_t count; /* >= 1 */
  sgxra_x509_pem_cert certs[SGXRA_X509_CHAIN_MAX];
} sgxra_x509_pem_certs;

/* Split PEM text into the DER of its CERTIFICATE blocks, in order, without
 * parsing the DER.  At most max_certs (1..SGXRA_X509_CHAIN_MAX) blocks.
 * Without SGXRA_X509_PEM_STRICT, text outside the blocks is ignored (as in
 * PEM files with comments).  Errors: SGXRA_E_X509_PEM naming the block's
 * offset (no block at all; a BEGIN line without its END line, or with
 * another BEGIN first; a body that is empty or not base64; DER over
 * SGXRA_X509_DER_MAX; in strict mode, the first byte that is not
 * whitespace outside the blocks), SGXRA_E_X509_CHAIN_LENGTH (more blocks
 * than max_certs), SGXRA_E_INVALID_ARGUMENT.  *out_certs is malloc'ed
 * (free with sgxra_x509_pem_certs_free); NULL on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_x509_pem_split(
    sgxra_ctx *cx, const uint8_t *p, size_t n, size_t max_certs, unsigned flags,
    sgxra_x509_pem_certs **out_certs);

/* Free a list and its DER buffers; NULL is accepted. */
SGXRA_API void sgxra_x509_pem_certs_free(sgxra_x509_pem_certs *certs);

/* ---- chains -------------------------------------------------------------- */

/* Parse one or more concatenated PEM "CERTIFICATE" blocks
 * (sgxra_x509_pem_split without SGXRA_X509_PEM_STRICT: text between blocks
 * is ignored; a trailing NUL is accepted).  Each certificate must carry an
 * ECDSA P-256 public key.  Errors: SGXRA_E_X509_PEM (as
 * sgxra_x509_pem_split), SGXRA_E_X509_PARSE (DER not a certificate;
 * the message says which one, counted from 1), SGXRA_E_X509_KEY,
 * SGXRA_E_X509_CHAIN_LENGTH (more than SGXRA_X509_CHAIN_MAX). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_x509_chain_parse_pem(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_x509_chain **out_chain);

/* A chain of exactly one certificate from its DER encoding (trailing bytes
 * are an error). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_x509_chain_parse_der(
    sgxra_ctx *cx, const uint8_t *der, size_t n, sgxra_x509_chain **out_chain);

/* Intel SGX Root CA (embedded; SHA-256 of its DER is
 * 44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3) as a
 * chain of one. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_x509_intel_root(sgxra_ctx *cx, sgxra_x509_chain **out_chain);

/* Number of certificates (>= 1 for any parsed chain; 0 for NULL). */
SGXRA_API size_t sgxra_x509_chain_count(const sgxra_x509_chain *chain);

/* The i-th certificate, leaf first; NULL when i is out of range. */
SGXRA_API const sgxra_x509_cert *
sgxra_x509_chain_get(const sgxra_x509_chain *chain, size_t i);

SGXRA_API void sgxra_x509_chain_free(sgxra_x509_chain *chain);

/* Verify `chain` (leaf first) up to `root` at time `now`: linkage, every
 * signature, CA flags, and the top certificate being `root` (same subject
 * and public key; a chain that stops below the root is accepted when its
 * last certificate is issued by `root`).  root NULL means Intel's root.
 * *out_expired (may be NULL) becomes 1 when any certificate, root
 * included, is outside [notBefore, notAfter] at `now`; that alone does not
 * fail.  Errors: SGXRA_E_X509_CHAIN_LINK, SGXRA_E_X509_SIGNATURE,
 * SGXRA_E_X509_NOT_CA, SGXRA_E_X509_UNTRUSTED_ROOT, each message naming the
 * certificate by its subject CN. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_x509_chain_verify(
    sgxra_ctx *cx, const sgxra_x509_chain *chain, const sgxra_x509_cert *root,
    int64_t now, int *out_expired);

/* ---- one certificate (borrowed from its chain) --------------------------- */

/* The certificate's DER bytes (valid while the chain lives). */
SGXRA_API void sgxra_x509_cert_der(const sgxra_x509_cert *c,
                                   const uint8_t **out_der, size_t *out_len);

/* Common names ("Intel SGX PCK Processor CA"); "" when the name has no CN. */
SGXRA_API const char *sgxra_x509_cert_subject_cn(const sgxra_x509_cert *c);
SGXRA_API const char *sgxra_x509_cert_issuer_cn(const sgxra_x509_cert *c);

/* Validity bounds, unix seconds. */
SGXRA_API int64_t sgxra_x509_cert_not_before(const sgxra_x509_cert *c);
SGXRA_API int64_t sgxra_x509_cert_not_after(const sgxra_x509_cert *c);

/* Serial number. */
SGXRA_API const sgxra_x509_serial *
sgxra_x509_cert_serial(const sgxra_x509_cert *c);

/* The subject public key (borrowed; valid while the chain lives). */
SGXRA_API const sgxra_p256_key *
sgxra_x509_cert_public_key(const sgxra_x509_cert *c);

/* 1 when basicConstraints says cA TRUE. */
SGXRA_API int sgxra_x509_cert_is_ca(const sgxra_x509_cert *c);

/* 1 when subject and issuer names are equal. */
SGXRA_API int sgxra_x509_cert_is_self_issued(const sgxra_x509_cert *c);

/* The value (contents of extnValue's OCTET STRING: the DER of the
 * extension's own structure) of the extension with this dotted OID, e.g.
 * SGXRA_X509_OID_SGX_EXTENSION.  *out_value points into the certificate.
 * Errors: SGXRA_E_X509_EXT_MISSING (absent), SGXRA_E_X509_PARSE (the
 * extension occurs twice), SGXRA_E_INVALID_ARGUMENT (OID text malformed). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_x509_cert_extension(
    sgxra_ctx *cx, const sgxra_x509_cert *c, const char *oid,
    const uint8_t **out_value, size_t *out_len);

/* 1 when a and b are the same certificate (equal DER). */
SGXRA_API int sgxra_x509_cert_equal(const sgxra_x509_cert *a,
                                    const sgxra_x509_cert *b);

/* ---- CRLs ------------------------------------------------------------------
 */

/* Parse a CRL given as DER, PEM ("-----BEGIN X509 CRL-----") or hex text of
 * the DER (either case; surrounding whitespace ignored).  The CRL must be
 * v2-shaped enough for Intel's use: an issuer, thisUpdate and nextUpdate.
 * Errors: SGXRA_E_CRL_PARSE, SGXRA_E_CRL_FORMAT (no nextUpdate). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_crl_parse(sgxra_ctx *cx,
                                                     const uint8_t *p, size_t n,
                                                     sgxra_crl **out_crl);

SGXRA_API void sgxra_crl_free(sgxra_crl *crl);

SGXRA_API const char *sgxra_crl_issuer_cn(const sgxra_crl *crl);
SGXRA_API int64_t sgxra_crl_this_update(const sgxra_crl *crl);
SGXRA_API int64_t sgxra_crl_next_update(const sgxra_crl *crl);
/* Number of revoked entries. */
SGXRA_API size_t sgxra_crl_count(const sgxra_crl *crl);

/* Check that `ca` issued the CRL: its subject name equals the CRL's issuer
 * name (SGXRA_E_CRL_ISSUER, message naming both CNs), the CRL carries the
 * CRL Number and Authority Key Identifier extensions Intel's QVL requires
 * (SGXRA_E_CRL_EXTENSIONS) and its signature verifies with the CA's key
 * (SGXRA_E_CRL_SIGNATURE).  Time is not checked here:
 * see thisUpdate/nextUpdate. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_crl_verify(
    sgxra_ctx *cx, const sgxra_crl *crl, const sgxra_x509_cert *ca);

/* 1 when the serial is listed in the CRL, 0 when not.  Serials compare as
 * integers (leading zero bytes ignored). */
SGXRA_API int sgxra_crl_has_serial(const sgxra_crl *crl, const uint8_t *serial,
                                   size_t n);

/* 1 when `c` is listed (its issuer must be the CRL's issuer, else 0). */
SGXRA_API int sgxra_crl_is_revoked(const sgxra_crl *crl,
                                   const sgxra_x509_cert *c);

#ifdef __cplusplus
}
#endif
#endif
