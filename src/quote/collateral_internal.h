/*
 * quote/collateral_internal.h -- what TCB Info and QE Identity parsing share:
 * the signed-span finder and compactor for Intel's signed JSON, and strict
 * member readers over jansson values.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_QUOTE_COLLATERAL_INTERNAL_H
#define SGXRA_QUOTE_COLLATERAL_INTERNAL_H

#include <jansson.h>

#include "core/internal.h"
#include "sgxra/collateral.h"
#include "sgxra/quote.h"

/* The codes one document kind reports (TCB Info or QE Identity). */
typedef struct sgxra__jcodes {
  const char *doc; /* "TCB Info" */
  sgxra_err format, field, date, hex, status;
} sgxra__jcodes;

/* Parse p[0..n) strictly (duplicate keys rejected) into a JSON object,
 * then locate the top-level member `body_key` ("tcbInfo") in the text and
 * produce its compact form (whitespace outside strings removed, everything
 * else byte for byte) into *out_signed (malloc'ed).  *out_root is the
 * parsed document (json_decref it). */
sgxra_err sgxra__signed_json_load(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  const char *body_key,
                                  const sgxra__jcodes *codes, json_t **out_root,
                                  uint8_t **out_signed, size_t *out_signed_len);

/* Compact JSON text: drop space, tab, CR and LF outside strings.  out must
 * hold n bytes; returns the length written. */
size_t sgxra__json_compact(const uint8_t *p, size_t n, uint8_t *out);

/* Strict member readers.  `path` names the object in messages
 * ("tcbInfo.tcbLevels[2]").  Missing member or wrong JSON type ->
 * codes->field; out of [lo, hi] -> codes->field. */
sgxra_err sgxra__j_int(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       int64_t lo, int64_t hi, int64_t *out);
/* A string member; *out borrowed from obj. */
sgxra_err sgxra__j_str(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       const char **out, size_t *out_len);
/* An RFC 3339 UTC date member -> codes->date when malformed. */
sgxra_err sgxra__j_date(sgxra_ctx *cx, const sgxra__jcodes *codes,
                        const json_t *obj, const char *path, const char *key,
                        int64_t *out);
/* A hex member of exactly n bytes -> codes->hex when malformed. */
sgxra_err sgxra__j_hex(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       uint8_t *out, size_t n);
/* A tcbStatus member -> codes->status when unknown. */
sgxra_err sgxra__j_status(sgxra_ctx *cx, const sgxra__jcodes *codes,
                          const json_t *obj, const char *path, const char *key,
                          sgxra_tcb_status *out);
/* Optional array of strings (advisoryIDs): absent -> 0 entries. */
sgxra_err sgxra__j_strings(sgxra_ctx *cx, const sgxra__jcodes *codes,
                           const json_t *obj, const char *path, const char *key,
                           char ***out, size_t *out_count);
void sgxra__strings_free(char **v, size_t n);

/* The object member `key` (codes->field when missing or not an object /
 * array as asked). */
sgxra_err sgxra__j_obj(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       int want_array, const json_t **out);

/* ---- the per-quote PCK chain check ----------------------------------------
 *
 * One implementation behind sgxra_collateral_check_pck_chain / _pem and the
 * quote verifier.  The checks, in Intel's order (QVL's PckCertVerifier):
 * the chain's length; its root carries the trust root's key; its CA has
 * the PCK CRL issuer's name, is a CA and chains to the trust root (skipped
 * when CA and root are byte for byte the validated ones) and is not on the
 * root CA CRL; the leaf is issued and signed by the CA and not on the PCK
 * CRL.  Each failure records the public code (SGXRA_E_X509_*, _CRL_ISSUER)
 * with a message in cx; `failed` says which check it was, so the verifier
 * can map it to Intel's outcome. */

typedef enum sgxra__pck_step {
  SGXRA__PCK_OK = 0,
  SGXRA__PCK_PARSE,        /* PEM or certificate does not parse */
  SGXRA__PCK_COUNT,        /* wrong number of certificates */
  SGXRA__PCK_ROOT,         /* the chain's root lacks the trust root's key */
  SGXRA__PCK_CA_NAME,      /* CA is not the PCK CRL's issuer (by CN) */
  SGXRA__PCK_CA_LINK,      /* CA is not a CA chaining to the trust root */
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

/* Check the PEM chain of a quote against validated collateral.
 * intel_shape: exactly leaf, CA, root (the QvE's rule); otherwise the root
 * may be omitted.  Returns SGXRA_OK or the failure's code (out->failed
 * set).  Clear *out with sgxra__pck_chain_clear either way. */
sgxra_err sgxra__pck_check_pem(sgxra_ctx *cx, const sgxra_collateral *c,
                               const uint8_t *pem, size_t n, int intel_shape,
                               sgxra__pck_chain *out);
void sgxra__pck_chain_clear(sgxra__pck_chain *r);

#endif
