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
 *   root CA          CN=sgxra TEST SGX Root CA, self-signed, CA:TRUE pathlen 1
 *   PCK Platform CA  CN=sgxra TEST SGX PCK Platform CA, CA:TRUE pathlen 0
 *   PCK Processor CA CN=sgxra TEST SGX PCK Processor CA, CA:TRUE pathlen 0
 *                    (a CA directory made before it existed gets one, signed
 *                    by its root, the first time it is opened)
 *   TCB signing      CN=sgxra TEST SGX TCB Signing, signs TCB Info and
 *                    QE Identity
 *   PCK leaf         CN=sgxra TEST SGX PCK Certificate, with the SGX
 *                    extension (OID 1.2.840.113741.1.13.1): PPID, TCB (16
 *                    component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX
 *                    type, platform instance ID, configuration
 *   root CRL, PCK CRLs of both PCK CAs (DER, X.509 v2 CRLs with a CRL
 *                    number and an authority key identifier)
 *   TCB Info v3      {"tcbInfo":{...},"signature":"<hex r||s>"}
 *   QE / QvE Identity v2 {"enclaveIdentity":{...},"signature":"<hex r||s>"}
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
 * Update policies (Intel's update=early|standard).  "early" publishes the
 * latest TCB recovery at once; "standard" lags one recovery behind: after
 * R >= 1 recoveries it publishes the TCB Info and enclave identities of
 * R - 1 recoveries (tcbEvaluationDataNumber one lower).  With no recovery
 * both are the same.  The functions without an update argument publish
 * "early" (the latest).
 *
 * PCK issuer.  A CA object issues PCK certificates from its PCK Platform CA
 * unless sgxra_intelca_set_pck_issuer chose the Processor CA; the choice
 * also selects the issuer chain and PCK CRL of sgxra_intelca_write_bundle.
 * Each issued PCK certificate is also kept, by PPID, in
 * pckcert_<ppid hex>.json (what the simulated PCS's pckcert route serves).
 *
 * State directory (created by sgxra_intelca_create, read by _open):
 *   root_ca.pem root_ca_key.pem platform_ca.pem platform_ca_key.pem
 *   processor_ca.pem processor_ca_key.pem pckcert_<ppid hex>.json
 *   tcb_signing.pem tcb_signing_key.pem qe_signing_key.pem (RSA-3072, e=3,
 *   signs the QE's and PCE's SIGSTRUCTs) state.json (evaluation number,
 *   recoveries, issued and revoked serials, FMSPCs served, creation time).
 *   Keys are 0600.
 *
 * Thread-safety: a CA object may be used by one thread at a time, except
 * that the const functions (the PEM getters, _has_fmspc, _fmspc_count/_get,
 * _pck_lookup) may run in several threads at once when no thread changes
 * the object.
 *
 * Several processes (or objects) on one directory.  Every change --
 * _create, _issue_pck, _revoke, _tcb_recovery, and the Processor CA added
 * by _open -- holds an exclusive flock on DIR/.lock for its whole
 * read-modify-write: state.json is read again under the lock, changed and
 * written back, so no change made through another object or process is
 * lost (the object's in-memory state is refreshed at the same time).
 * Every file is written create-then-rename (temporary in DIR, fsync,
 * rename, fsync of DIR): after a crash or kill -9 each file is old or new,
 * never partial.  _create writes state.json last, so a CA is complete
 * exactly when state.json exists; _open reports key files without it as
 * SGXRA_E_EMU_STATE_INCOMPLETE with the recovery command (creating the CA
 * again over them is allowed).
 *
 * Trust on the filesystem.  _open and _create refuse (SGXRA_E_EMU_STATE_
 * UNSAFE, naming the path and the chmod/chown fix) a DIR writable by group
 * or others or owned by another user than the effective one, and _open
 * also such a key file or state.json, as ssh refuses such keys.
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
 * CA: SGXRA_E_CA_STATE, also for the loser of two concurrent creations).
 * Certificates are valid from now - 1 h.  SGXRA_E_EMU_STATE_UNSAFE for an
 * unsafe `dir` (see above). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_create(
    sgxra_ctx *cx, const char *dir, int64_t now, sgxra_intelca **out_ca);
/* Open an existing CA (SGXRA_E_CA_STATE naming the missing/bad file;
 * SGXRA_E_EMU_STATE_INCOMPLETE for an interrupted creation;
 * SGXRA_E_EMU_STATE_UNSAFE, see above). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_open(sgxra_ctx *cx,
                                                        const char *dir,
                                                        sgxra_intelca **out_ca);
SGXRA_API void sgxra_intelca_free(sgxra_intelca *ca);

/* PEM of the root, PCK Platform CA and TCB signing certificates (owned by
 * the CA object). */
SGXRA_API const char *sgxra_intelca_root_pem(const sgxra_intelca *ca);
SGXRA_API const char *sgxra_intelca_platform_ca_pem(const sgxra_intelca *ca);
SGXRA_API const char *sgxra_intelca_tcb_signing_pem(const sgxra_intelca *ca);
/* PEM of the PCK Processor CA, and of the CA that issues PCK certificates
 * now (see sgxra_intelca_set_pck_issuer). */
SGXRA_API const char *sgxra_intelca_processor_ca_pem(const sgxra_intelca *ca);
SGXRA_API const char *sgxra_intelca_pck_issuer_pem(const sgxra_intelca *ca);

/* Which PCK CA: the Platform CA (the default) or the Processor CA. */
typedef enum sgxra_intelca_pck_ca {
  SGXRA_INTELCA_PCK_PLATFORM = 0,
  SGXRA_INTELCA_PCK_PROCESSOR = 1
} sgxra_intelca_pck_ca;

/* Choose the CA that _issue_pck uses and whose chain and CRL
 * _write_bundle writes (not persisted: a property of this object). */
SGXRA_API void sgxra_intelca_set_pck_issuer(sgxra_intelca *ca,
                                            sgxra_intelca_pck_ca which);
SGXRA_API sgxra_intelca_pck_ca
sgxra_intelca_pck_issuer(const sgxra_intelca *ca);

/* Intel's update policy of TCB Info and enclave identities. */
typedef enum sgxra_intelca_update {
  SGXRA_INTELCA_UPDATE_STANDARD = 0,
  SGXRA_INTELCA_UPDATE_EARLY = 1
} sgxra_intelca_update;

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

/* The FMSPCs served (in the order first issued): their number, and the
 * i-th into out (0 when i is out of range, else 1). */
SGXRA_API size_t sgxra_intelca_fmspc_count(const sgxra_intelca *ca);
SGXRA_API int sgxra_intelca_fmspc_get(const sgxra_intelca *ca, size_t i,
                                      uint8_t out[SGXRA_PCKEXT_FMSPC_SIZE]);

/* A PCK certificate the CA issued, as kept in its state directory. */
typedef struct sgxra_intelca_pck_record {
  char *pem; /* the leaf certificate, PEM (malloc'ed) */
  uint8_t cpusvn[SGXRA_CPUSVN_SIZE];
  uint16_t pcesvn;
  uint8_t pceid[SGXRA_PCKEXT_PCEID_SIZE];
  uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE];
  sgxra_intelca_pck_ca issuer;
} sgxra_intelca_pck_record;

/* The PCK certificate issued for `ppid` and `pceid` at the best TCB not
 * above (cpusvn, pcesvn): every CPUSVN byte and the PCESVN at most the
 * given ones; the best is the highest PCESVN, then the highest sum of the
 * CPUSVN bytes, then the latest issued.  Read from the state directory at
 * each call (certificates issued by another process are found).
 * SGXRA_E_CA_PCK_NOT_FOUND when the PPID is unknown to this CA or every
 * certificate issued for it is above the given TCB.  Free the record with
 * sgxra_intelca_pck_record_clear. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_pck_lookup(
    sgxra_ctx *cx, const sgxra_intelca *ca,
    const uint8_t ppid[SGXRA_PCKEXT_PPID_SIZE],
    const uint8_t cpusvn[SGXRA_CPUSVN_SIZE], uint16_t pcesvn,
    const uint8_t pceid[SGXRA_PCKEXT_PCEID_SIZE],
    sgxra_intelca_pck_record *out);
SGXRA_API void sgxra_intelca_pck_record_clear(sgxra_intelca_pck_record *r);

/* Revoke a PCK certificate by serial (hex, as _issue_pck gave it); it then
 * appears in every later PCK CRL.  SGXRA_E_CA_SERIAL for a serial this CA
 * never issued (as state.json says under the lock, so a serial issued by
 * another process after this object was opened is known).  Persisted in
 * state.json under the directory's lock. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_revoke(
    sgxra_ctx *cx, sgxra_intelca *ca, const char *serial_hex, int64_t now);

/* TCB recovery: new tcbEvaluationDataNumber, current TCB raised (see the
 * table above).  Persisted under the directory's lock (two recoveries by
 * two processes raise the number by two). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_intelca_tcb_recovery(sgxra_ctx *cx, sgxra_intelca *ca);

/* DER CRLs issued by the root (revoking nothing) and by the PCK Platform CA
 * (revoking what _revoke was told of the certificates it issued),
 * thisUpdate now, nextUpdate now + 30 d.  *out_der malloc'ed.
 * sgxra_intelca_pck_crl_of: the CRL of either PCK CA. */
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

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_pck_crl_of(
    sgxra_ctx *cx, sgxra_intelca *ca, sgxra_intelca_pck_ca which, int64_t now,
    uint8_t **out_der, size_t *out_len);

/* Signed TCB Info v3 for `fmspc` under an update policy (see above). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_tcb_info_update(
    sgxra_ctx *cx, sgxra_intelca *ca,
    const uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE], sgxra_intelca_update upd,
    int64_t now, char **out_json, size_t *out_len);

/* Signed TCB Info v3 for `fmspc` (issueDate now, update=early).  *out_json
 * malloc'ed, NUL-terminated, *out_len without the NUL. */
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

/* The QvE the CA endorses: ISVPRODID 2, ISVSVN SGXRA_INTELCA_QVE_ISVSVN,
 * MRSIGNER of the QE signing key. */
#define SGXRA_INTELCA_QVE_ISVPRODID 2
#define SGXRA_INTELCA_QVE_ISVSVN 3

/* Which enclave identity. */
typedef enum sgxra_intelca_enclave {
  SGXRA_INTELCA_ENCLAVE_QE = 0,
  SGXRA_INTELCA_ENCLAVE_QVE = 1
} sgxra_intelca_enclave;

/* Signed enclave identity v2 of the QE ("id":"QE") or the QvE
 * ("id":"QVE") under an update policy (issueDate now). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_intelca_enclave_identity(
    sgxra_ctx *cx, sgxra_intelca *ca, sgxra_intelca_enclave which,
    sgxra_intelca_update upd, int64_t now, char **out_json, size_t *out_len);

/* Signed QE Identity v2 (issueDate now, update=early).  *out_json
 * malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_intelca_qe_identity(sgxra_ctx *cx, sgxra_intelca *ca, int64_t now,
                          char **out_json, size_t *out_len);

/* Write a collateral bundle for `fmspc` into `dir` (created if absent) in
 * the layout of vectors/dcap/bundles (the PCK CRL and its chain of the CA
 * chosen with sgxra_intelca_set_pck_issuer; update=early): pck_crl.der,
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
