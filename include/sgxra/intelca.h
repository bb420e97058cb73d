/*
 * sgxra/intelca.h -- the simulated Intel provisioning and collateral
 * service: a TEST certificate authority that plays Intel's part for the
 * emulated platforms, so that their quotes verify end to end against a test
 * root of trust.  It never claims to be Intel: every name it issues says
 * "sgxra TEST".
 *
 * What it issues, in the formats of Intel's PCS API v4 (Intel SGX PCK
 * Certificate and Certificate Revocation List Profile Specification; Intel
 * SGX DCAP PCS API reference):
 *
 *   root CA          CN=sgxra TEST Root CA, self-signed, CA:TRUE pathlen 1
 *   PCK Platform CA  CN=sgxra TEST SGX PCK Platform CA, CA:TRUE pathlen 0
 *   TCB signing      CN=sgxra TEST TCB Signing, signs TCB Info and QE Identity
 *   PCK leaf         CN=sgxra TEST SGX PCK Certificate, with the SGX extension
 *                    (OID 1.2.840.113741.1.13.1): PPID, TCB (16 component
 *                    SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type,
 *                    platform instance ID, configuration
 *   root CRL, PCK CRL (DER, X.509 v2 CRLs with a CRL number)
 *   TCB Info v3      {"tcbInfo":{...},"signature":"<hex r||s>"}
 *   QE Identity v2   {"enclaveIdentity":{...},"signature":"<hex r||s>"}
 *
 * Signed JSON is signed (ECDSA P-256 / SHA-256, raw r||s in hex) over the
 * exact compact bytes of the inner object, as they appear in the body.
 *
 * TCB levels.  For every FMSPC the CA publishes the same table, derived
 * from the "current" TCB (sgxra_intelca_tcb_current) and the number of TCB
 * recoveries performed.  With current comps C and PCESVN P:
 *
 *   C, P                                UpToDate
 *   C with comp[2] - 1, P               ConfigurationNeeded     (SA-00002)
 *   C with comp[0], comp[1] - 1, P      OutOfDate               (SA-00001)
 *   ... and comp[2] - 1, P              OutOfDateConfigurationNeeded (both)
 *   C with comp[0], comp[1] - 2, P - 1  OutOfDate               (both)
 *
 * (advisory IDs "SGXRA-TEST-SA-0000n"; a platform below the last level gets
 * "TCB not supported" from a verifier).
 *
 * A TCB recovery (sgxra_intelca_tcb_recovery) raises tcbEvaluationDataNumber
 * by one and comp[0], comp[1] of the current TCB by one, so a platform that
 * was UpToDate becomes OutOfDate.
 *
 * State directory (created by sgxra_intelca_create, read by _open):
 *   root_ca.pem root_ca_key.pem platform_ca.pem platform_ca_key.pem
 *   tcb_signing.pem tcb_signing_key.pem qe_signing_key.pem (RSA-3072, e=3,
 *   signs the QE's and PCE's SIGSTRUCTs) state.json (evaluation number,
 *   recoveries, issued and revoked serials, FMSPCs served, creation time).
 *   Keys are 0600.
 *
 * Thread-safety: a CA object may be used by one thread at a time; readers of
 * the same directory in other processes see whole files only.
 */
#ifndef SGXRA_INTELCA_H
#define SGXRA_INTELCA_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/quote.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_INTELCA_TCB_COMPONENTS 16
/* Serial numbers the CA gives: 20 random bytes, positive (RFC 5280
 * 4.1.2.2 allows at most 20 octets), and their lowercase hex + NUL. */
#define SGXRA_INTELCA_SERIAL_SIZE 20
#define SGXRA_INTELCA_SERIAL_HEX_SIZE (2 * SGXRA_INTELCA_SERIAL_SIZE + 1)

/* The OID of Intel's SGX extension in PCK certificates. */
#define SGXRA_SGX_EXTENSION_OID "1.2.840.113741.1.13.1"

/* TCB of a fresh CA before any recovery. */
#define SGXRA_INTELCA_BASE_COMPS                                               \
  { 12, 12, 3, 3, 255, 255, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0 }
#define SGXRA_INTELCA_BASE_PCESVN 13
/* Validity of TCB Info / QE Identity (nextUpdate - issueDate) and CRLs. */
#define SGXRA_INTELCA_COLLATERAL_SECONDS (30 * 86400)

typedef struct sgxra_intelca sgxra_intelca; /* opaque */

/* Create a new CA in `dir` (created 0700 if absent; must not already hold a
 * CA: SGXRA_E_CA_STATE).  Certificates are valid from now - 1 h. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_create(
    sgxra_ctx *cx, const char *dir, int64_t now, sgxra_intelca **out_ca);
/* Open an existing CA (SGXRA_E_CA_STATE naming the missing/bad file). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_open(sgxra_ctx *cx,
                                                        const char *dir,
                                                        sgxra_intelca **out_ca);
SGXRA_API void sgxra_intelca_free(sgxra_intelca *ca);

/* PEM of the root, PCK Platform CA and TCB signing certificates (owned by
 * the CA object). */
SGXRA_API const char *sgxra_intelca_root_pem(const sgxra_intelca *ca);
SGXRA_API const char *sgxra_intelca_platform_ca_pem(const sgxra_intelca *ca);
SGXRA_API const char *sgxra_intelca_tcb_signing_pem(const sgxra_intelca *ca);
/* The RSA key that signs the QE's and PCE's SIGSTRUCTs (borrowed). */
SGXRA_API const sgxra_rsa_key *
sgxra_intelca_qe_signing_key(const sgxra_intelca *ca);

/* The current UpToDate TCB (16 component SVNs and PCESVN). */
SGXRA_API void
sgxra_intelca_tcb_current(const sgxra_intelca *ca,
                          uint8_t out_comps[SGXRA_INTELCA_TCB_COMPONENTS],
                          uint16_t *out_pcesvn);
/* tcbEvaluationDataNumber currently published. */
SGXRA_API uint32_t sgxra_intelca_tcb_evaluation_number(const sgxra_intelca *ca);

/* Issue a PCK leaf certificate for `pck_pub` with `info` in its SGX
 * extension (written by sgxra_pck_extension_encode, sgxra/quote.h), valid
 * from now - 1 h for 7 years.  SGXRA_E_CA_ISSUE when `info` cannot be
 * encoded (an SGX type above 2).  *out_pem is malloc'ed; out_serial_hex
 * (SGXRA_INTELCA_SERIAL_HEX_SIZE bytes, may be NULL) gets the serial in
 * lowercase hex. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_issue_pck(
    sgxra_ctx *cx, sgxra_intelca *ca, const sgxra_pck_ext *info,
    const sgxra_p256_key *pck_pub, int64_t now, char **out_pem,
    char out_serial_hex[SGXRA_INTELCA_SERIAL_HEX_SIZE]);

/* 1 when a PCK certificate was issued for this FMSPC (the FMSPCs the
 * simulated PCS serves TCB Info for), else 0. */
SGXRA_API int
sgxra_intelca_has_fmspc(const sgxra_intelca *ca,
                        const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE]);

/* Revoke a PCK certificate by serial (hex, as _issue_pck gave it); it then
 * appears in every later PCK CRL.  SGXRA_E_CA_SERIAL for a serial this CA
 * never issued.  Persisted in state.json. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_revoke(
    sgxra_ctx *cx, sgxra_intelca *ca, const char *serial_hex, int64_t now);

/* TCB recovery: new tcbEvaluationDataNumber, current TCB raised (see the
 * table above).  Persisted. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_intelca_tcb_recovery(sgxra_ctx *cx, sgxra_intelca *ca);

/* DER CRLs issued by the root (revoking nothing) and by the PCK Platform CA
 * (revoking what _revoke was told), thisUpdate now, nextUpdate now + 30 d.
 * *out_der malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_root_crl(sgxra_ctx *cx,
                                                            sgxra_intelca *ca,
                                                            int64_t now,
                                                            uint8_t **out_der,
                                                            size_t *out_len);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_pck_crl(sgxra_ctx *cx,
                                                           sgxra_intelca *ca,
                                                           int64_t now,
                                                           uint8_t **out_der,
                                                           size_t *out_len);

/* Signed TCB Info v3 for `fmspc` (issueDate now).  *out_json malloc'ed,
 * NUL-terminated, *out_len without the NUL. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_intelca_tcb_info(sgxra_ctx *cx, sgxra_intelca *ca,
                       const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE],
                       int64_t now, char **out_json, size_t *out_len);

/* The QE identity the CA endorses. */
typedef struct sgxra_qe_identity_params {
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  uint16_t isvprodid;
  uint16_t isvsvn; /* current: UpToDate; lower ones OutOfDate */
  uint32_t miscselect;
  sgxra_attributes attributes;
  sgxra_attributes attributes_mask;
} sgxra_qe_identity_params;

/* What this CA's simulated QE looks like (MRSIGNER of its QE signing key,
 * ISVPRODID 1, ISVSVN SGXRA_QE_ISVSVN from sgxra/qe.h ...). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_qe_params(
    sgxra_ctx *cx, const sgxra_intelca *ca, sgxra_qe_identity_params *out);

/* Signed QE Identity v2 (issueDate now).  *out_json malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_intelca_qe_identity(sgxra_ctx *cx, sgxra_intelca *ca, int64_t now,
                          char **out_json, size_t *out_len);

/* Write a collateral bundle for `fmspc` into `dir` (created if absent) in
 * the layout of vectors/dcap/bundles: pck_crl.der,
 * pck_crl_issuer_chain.pem, root_ca_crl.der, tcb_info.json,
 * tcb_info_issuer_chain.pem, qe_identity.json, qe_identity_issuer_chain.pem,
 * plus root_ca.pem (the trust root to pass to the verifier). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_write_bundle(
    sgxra_ctx *cx, sgxra_intelca *ca,
    const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE], int64_t now, const char *dir);

#ifdef __cplusplus
}
#endif
#endif
