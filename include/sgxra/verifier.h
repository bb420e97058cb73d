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
 *
 * Every request function returns SGXRA_OK with out->status set for every
 * answer, good or bad (400 with {"code", "message"} for bad input, 503
 * when collateral cannot be had); an error return means the service
 * itself failed (no memory, a key that cannot sign): answer 500.
 *
 * Ownership: the response's malloc'ed members are the caller's
 * (sgxra_verifier_response_clear).  The pccs client in the options is
 * borrowed and must outlive the verifier.
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
 * sgxra/verify.h (sgxra_verifier_new / sgxra_verifier_free), which a
 * service holds one of per collateral set; the service is closed with
 * sgxra_verifier_close. */
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
