/*
 * sgxra/verifier.h -- the attestation service's core, independent of HTTP:
 * what `sgxra serve verifier` answers on each route, as bytes and a status.
 * The HTTP server (sgxra/verifier_server.h) only moves these bytes.
 *
 *   POST /v1/attest              sgxra_verifier_attest     signed token (JWT)
 *   GET  /v1/nonce               sgxra_verifier_nonce      verifier nonce
 *   GET  /v1/certs               sgxra_verifier_jwks       JWKS (token key)
 *   POST /attestation/v5/report  sgxra_verifier_ias_report Intel's retired
 *                                                          attestation
 *                                                          service API v5
 *
 * The verifier verifies quotes with Intel's semantics (sgxra/verify.h)
 * against collateral from a PCS/PCCS through a shared cache
 * (sgxra/pccs.h) or from one bundle directory, and signs what it found.
 * It keeps no per-request state: replicas behind a load balancer share
 * only the collateral cache, and a nonce is checked by its signature and
 * age, not by a lookup.
 *
 * Keys, in the state directory (created 0700 on first open; files 0600,
 * written to a temporary file and renamed):
 *   token_key.pem   P-256 private key: signs tokens (ES256) and nonces
 *   ias_key.pem     RSA-2048 private key: signs v5 reports
 *   ias_cert.pem    its certificate ("sgxra TEST Attestation Report
 *                   Signing"), then the self-signed CA that issued it
 *   ias_ca_key.pem  that CA's key
 * A given token key (options.token_key_pem) replaces token_key.pem.
 * Missing keys are made on open and kept; the v5 certificates are valid
 * 2020-01-01 .. 2049-12-31 (fixed: the library reads no clock).  Open
 * refuses (SGXRA_E_VERIFIER_STATE, the message naming the path and the
 * fix) a state directory or key file writable by group or others, a
 * state path that is not a directory, an ias_cert.pem without its
 * ias_key.pem or with another key.
 *
 * Every request function first clears *out (which must be zeroed or hold
 * an earlier answer), then returns SGXRA_OK with out->status set for every
 * answer, good or bad (400 with {"code", "message"} for bad input, 503
 * when collateral cannot be had); an error return means the service
 * itself failed (no memory, a key that cannot sign): answer 500.
 * The 400 codes: malformed_json (not JSON, a member twice), invalid_request
 * (not an object), unknown_member (all of them named), missing_member,
 * wrong_type, invalid_base64, quote_too_large (over max_quote decoded),
 * invalid_quote (empty, or it does not parse: Intel's
 * SGX_QL_QUOTE_FORMAT_UNSUPPORTED stage), nonce_invalid, nonce_expired,
 * runtime_data_mismatch, policy_invalid; v5 only: invalid_nonce.  503:
 * collateral_unavailable (the PCCS client's error in the message).
 *
 * The HTTP status is about the request, not the verdict: a quote that
 * parses but is not genuine (a bad signature, a revoked PCK, collateral
 * that does not validate...) gets 200 and a token saying so
 * (sgxra_genuine false, sgxra_return / sgxra_verdict Intel's failure,
 * sgxra_error / sgxra_reason sgxra's, no attester_tcb_status), or a v5
 * report with its status (below).
 *
 * POST /v1/attest, decisions (docs/VERIFIER.md has the claims table):
 *   - runtime_data (base64) binds as Azure Attestation does: the quote's
 *     REPORTDATA[0..32) must be SHA-256(runtime_data), else 400
 *     runtime_data_mismatch (no token is signed for a binding that fails;
 *     REPORTDATA[32..64) is not looked at).
 *   - nonce: a verifier nonce of this verifier (below), else 400.
 *   - policy: a policy document (docs/POLICY.md) given as a JSON object;
 *     applied as `sgxra verify` without identity flags does
 *     (identity_not_checked: Intel's verdict, the platform, DEBUG,
 *     REPORTDATA when the policy requires it -- runtime_data's hash is the
 *     expected REPORTDATA).  policy_hash is the SHA-256 of the object's
 *     canonical text (compact, keys sorted, as jansson writes it with
 *     JSON_COMPACT | JSON_SORT_KEYS), which is also the text parsed.
 *
 * GET /v1/nonce, as Intel Trust Authority's VerifierNonce: {"val":
 * base64(32 random bytes), "iat": base64(8 bytes: the issue time, unix
 * seconds, big-endian), "signature": base64(64 bytes: ES256 r||s by the
 * token key over the 40 bytes val || iat, decoded)}.  Accepted by attest
 * when the signature verifies with this verifier's token key, iat <= now
 * and now - iat <= nonce_ttl (nonce_expired otherwise); it is copied into
 * the claims as verifier_nonce.  Nothing is stored: a nonce can be used
 * again within its TTL.
 *
 * The v5 isvEnclaveQuoteStatus of a DCAP verdict:
 *   OK                              -> OK
 *   SW_HARDENING_NEEDED             -> SW_HARDENING_NEEDED
 *   CONFIG_NEEDED                   -> CONFIGURATION_NEEDED
 *   CONFIG_AND_SW_HARDENING_NEEDED  -> CONFIGURATION_AND_SW_HARDENING_NEEDED
 *   OUT_OF_DATE, OUT_OF_DATE_CONFIG_NEEDED -> GROUP_OUT_OF_DATE
 *   TCB revoked (SGX_QL_TCB_REVOKED)       -> GROUP_REVOKED (the platform)
 *   PCK revoked (SGX_QL_PCK_REVOKED)       -> KEY_REVOKED (its key)
 *   any other failure                      -> SIGNATURE_INVALID
 * A quote that does not parse: 400, as IAS answered.  advisoryURL and
 * advisoryIDs are present when the verdict has advisories.  The body's
 * members keep IAS's order; X-IASReport-Signature is base64 of the RSA
 * PKCS#1 v1.5 SHA-256 signature over the exact body bytes.
 *
 * Ownership: the response's malloc'ed members are the caller's
 * (sgxra_verifier_response_clear).  The pccs client and the trust root in
 * the options are borrowed and must outlive the verifier.
 *
 * Thread-safety: after sgxra_verifier_open, every function may be called
 * from any number of threads at once on one verifier, each with its own
 * sgxra_ctx.
 */
#ifndef SGXRA_VERIFIER_H
#define SGXRA_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"
#include "sgxra/pccs.h"
#include "sgxra/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque.  Not sgxra_verifier: that name is the quote verifier of
 * sgxra/verify.h (sgxra_verifier_new / sgxra_verifier_free); the service
 * is closed with sgxra_verifier_close. */
typedef struct sgxra_verifier_service sgxra_verifier_service;

typedef struct sgxra_verifier_options {
  const char *state_dir;     /* required: keys (see above) */
  const char *token_key_pem; /* optional P-256 key file for tokens */
  /* Where collateral comes from: exactly one of the two. */
  sgxra_pccs_client *pccs;           /* borrowed, shared by threads */
  const char *collateral_dir;        /* one bundle directory for every quote */
  const sgxra_x509_cert *trust_root; /* NULL: Intel SGX Root CA */
  const char *issuer; /* the tokens' "iss"; NULL: "sgxra-verifier" */
  int64_t token_ttl;  /* seconds a token is valid; 0: 300 */
  int64_t nonce_ttl;  /* seconds a nonce is accepted; 0: 300 */
  size_t max_quote;   /* largest decoded quote accepted; 0: 64 KiB */
} sgxra_verifier_options;

/* One answer, ready for HTTP. */
typedef struct sgxra_verifier_response {
  unsigned status; /* HTTP status */
  char *body;      /* malloc'ed; NUL-terminated after body_len */
  size_t body_len;
  const char *content_type; /* static string */
  /* v5 reports only (else NULL): X-IASReport-Signature (base64) and
   * X-IASReport-Signing-Certificate (URL-encoded PEM chain). */
  char *ias_signature;
  char *ias_signing_certificate;
  /* For metrics and the access log: */
  const char *verdict; /* static: "OK", "OUT_OF_DATE", ... or NULL when
                          verification did not reach a verdict */
  char fmspc[13];      /* hex, "" when unknown */
  int64_t collateral_fetched_at; /* 0 when unknown */
  int collateral_from_cache;     /* 1: the collateral came from a cache */
} sgxra_verifier_response;

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_verifier_open(sgxra_ctx *cx, const sgxra_verifier_options *opt,
                    sgxra_verifier_service **out);
SGXRA_API void sgxra_verifier_close(sgxra_verifier_service *v);

/* POST /v1/attest: body {"quote": base64, "nonce"?: verifier nonce object,
 * "runtime_data"?: base64, "policy"?: policy document}; `now` is the
 * verification time (unix seconds). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verifier_attest(
    sgxra_ctx *cx, sgxra_verifier_service *v, const uint8_t *body, size_t len,
    int64_t now, sgxra_verifier_response *out);

/* GET /v1/nonce. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_verifier_nonce(sgxra_ctx *cx, sgxra_verifier_service *v, int64_t now,
                     sgxra_verifier_response *out);

/* GET /v1/certs. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verifier_jwks(
    sgxra_ctx *cx, sgxra_verifier_service *v, sgxra_verifier_response *out);

/* POST /attestation/v5/report: body {"isvEnclaveQuote": base64,
 * "nonce"?: string}. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verifier_ias_report(
    sgxra_ctx *cx, sgxra_verifier_service *v, const uint8_t *body, size_t len,
    int64_t now, sgxra_verifier_response *out);

/* The PEM chain of the v5 report signing certificate (signer, then its
 * CA), as the X-IASReport-Signing-Certificate header carries it
 * URL-decoded.  Valid until sgxra_verifier_close. */
SGXRA_API const char *
sgxra_verifier_ias_chain_pem(const sgxra_verifier_service *v);

/* Free the response's members and zero it (NULL accepted). */
SGXRA_API void sgxra_verifier_response_clear(sgxra_verifier_response *r);

#ifdef __cplusplus
}
#endif
#endif
