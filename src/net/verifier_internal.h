/*
 * net/verifier_internal.h -- what the attestation service's files share
 * (verifier.c: open, keys, collateral, /v1/attest; token.c: JWT, JWKS,
 * nonce; ias.c: the v5 report).  Not installed; names are sgxra__*.
 */
#ifndef SGXRA_NET_VERIFIER_INTERNAL_H
#define SGXRA_NET_VERIFIER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/types.h>

#include "core/internal.h"
#include "sgxra/crypto.h"
#include "sgxra/verifier.h"
#include "sgxra/verify.h"

/* base64url of a SHA-256 without padding: 43 characters. */
#define SGXRA__B64URL_32 44
#define SGXRA__VERIFIER_ISSUER_MAX 256
/* Bytes of a verifier nonce's val and iat. */
#define SGXRA__NONCE_VAL_SIZE 32
#define SGXRA__NONCE_IAT_SIZE 8

/* The collateral items, in this order, for the sgx_collateral hashes. */
enum {
  SGXRA__ITEM_PCK_CRL_CHAIN = 0,
  SGXRA__ITEM_ROOT_CRL,
  SGXRA__ITEM_PCK_CRL,
  SGXRA__ITEM_TCB_INFO,
  SGXRA__ITEM_TCB_CHAIN,
  SGXRA__ITEM_QE_IDENTITY,
  SGXRA__ITEM_QE_CHAIN,
  SGXRA__ITEM_COUNT
};

struct sgxra_verifier_service {
  sgxra_p256_key *token_key;
  char kid[SGXRA__B64URL_32]; /* RFC 7638 thumbprint, base64url */
  char jwk_x[SGXRA__B64URL_32], jwk_y[SGXRA__B64URL_32];
  EVP_PKEY *ias_key;                 /* RSA-2048: signs v5 reports */
  char *ias_chain_pem;               /* signer then CA */
  char *ias_chain_url;               /* the same, percent-encoded */
  sgxra_pccs_client *pccs;           /* borrowed */
  const sgxra_x509_cert *trust_root; /* borrowed; NULL: Intel's */
  sgxra_collateral *coll;            /* collateral_dir: loaded once */
  uint8_t *items[SGXRA__ITEM_COUNT]; /* collateral_dir: the files' bytes */
  size_t item_len[SGXRA__ITEM_COUNT];
  char issuer[SGXRA__VERIFIER_ISSUER_MAX];
  int64_t token_ttl, nonce_ttl;
  size_t max_quote;
};

/* One verification: the quote, the collateral used and the verdict. */
typedef struct sgxra__vcheck {
  uint8_t *quote;
  size_t quote_len;
  sgxra_pccs_result *res;       /* pccs only */
  const sgxra_collateral *coll; /* res->collateral or v->coll */
  const uint8_t *items[SGXRA__ITEM_COUNT];
  size_t item_len[SGXRA__ITEM_COUNT];
  sgxra_verdict vd;
} sgxra__vcheck;

/* Set *out to status + {"code", "message"} (message formatted).  Returns
 * SGXRA_OK, or SGXRA_E_NO_MEMORY. */
sgxra_err sgxra__vresp_error(sgxra_ctx *cx, sgxra_verifier_response *out,
                             unsigned status, const char *code, const char *fmt,
                             ...) SGXRA__PRINTF(5, 6);
/* Set *out to 200 + the compact JSON of o (keys sorted); o is consumed. */
sgxra_err sgxra__vresp_json(sgxra_ctx *cx, sgxra_verifier_response *out,
                            unsigned status, json_t *o);

/* Parse a request body: a JSON object whose members are all in `allowed`
 * (NULL-terminated).  On a bad body *out_obj is NULL and *out holds the
 * 400; returns an error only for lack of memory. */
sgxra_err sgxra__vparse_body(sgxra_ctx *cx, const uint8_t *body, size_t len,
                             const char *const *allowed, json_t **out_obj,
                             sgxra_verifier_response *out);

/* Decode the quote member `name` of obj (standard base64, padding
 * optional, at most v->max_quote bytes), get its collateral and verify it
 * at `now` into *c.  Returns SGXRA_OK with c->quote set when verified (a
 * verdict, good or bad); with c->quote NULL when *out holds the 400 or
 * 503 answer; an error when the service failed. */
sgxra_err sgxra__vcheck_run(sgxra_ctx *cx, sgxra_verifier_service *v,
                            json_t *obj, const char *name, int64_t now,
                            sgxra__vcheck *c, sgxra_verifier_response *out);
void sgxra__vcheck_clear(sgxra__vcheck *c);

/* Verdict names: "OK", "OUT_OF_DATE", ... ("SGX_QL_QV_RESULT_" dropped)
 * after success, else Intel's return name without "SGX_QL_"
 * ("QE_REPORT_INVALID_SIGNATURE"). Static. */
const char *sgxra__vcheck_short_verdict(const sgxra_verdict *vd);

/* ---- token.c ---------------------------------------------------------- */

/* base64url without padding into out (size >= encoded + 1). */
void sgxra__b64url(const uint8_t *p, size_t n, char *out, size_t out_size);

/* The JWK thumbprint and coordinates of v->token_key into v. */
sgxra_err sgxra__token_key_ids(sgxra_ctx *cx, sgxra_verifier_service *v);

/* header.payload.signature over the claims (compact, keys sorted);
 * *out_jwt malloc'ed. */
sgxra_err sgxra__jwt_sign(sgxra_ctx *cx, const sgxra_verifier_service *v,
                          const json_t *claims, char **out_jwt);

/* Check a verifier nonce object.  *out_code is NULL when it is good, else
 * "nonce_invalid" / "nonce_expired" with the reason in msg. */
sgxra_err sgxra__nonce_check(sgxra_ctx *cx, const sgxra_verifier_service *v,
                             const json_t *nonce, int64_t now,
                             const char **out_code, char *msg, size_t msg_size);

#endif
