/* net/ias.c -- POST /attestation/v5/report: Intel's retired attestation
 * service's report (API v5) for a DCAP quote, signed with the verifier's
 * TEST report signing key.  The status mapping is in sgxra/verifier.h and
 * docs/VERIFIER.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "net/verifier_internal.h"
#include "sgxra/base64.h"
#include "sgxra/hex.h"

/* Header (48) || ISV report body (384): IAS's isvEnclaveQuoteBody. */
#define QUOTE_BODY_SIZE 432
#define IAS_NONCE_MAX 32

/* The isvEnclaveQuoteStatus of a DCAP verdict. */
static const char *ias_status(const sgxra_verdict *vd) {
  if (vd->ql_return == SGXRA_QL_SUCCESS) {
    const char *s = vd->qv_result ? vd->qv_result : "";
    static const struct {
      const char *qv, *ias;
    } map[] = {
        {"SGX_QL_QV_RESULT_OK", "OK"},
        {"SGX_QL_QV_RESULT_SW_HARDENING_NEEDED", "SW_HARDENING_NEEDED"},
        {"SGX_QL_QV_RESULT_CONFIG_NEEDED", "CONFIGURATION_NEEDED"},
        {"SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
         "CONFIGURATION_AND_SW_HARDENING_NEEDED"},
        {"SGX_QL_QV_RESULT_OUT_OF_DATE", "GROUP_OUT_OF_DATE"},
        {"SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED", "GROUP_OUT_OF_DATE"},
        {"SGX_QL_QV_RESULT_REVOKED", "GROUP_REVOKED"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
      if (strcmp(s, map[i].qv) == 0) return map[i].ias;
    return "SIGNATURE_INVALID";
  }
  switch (vd->ql_return) {
  case SGXRA_QL_TCB_REVOKED:
    return "GROUP_REVOKED";
  case SGXRA_QL_PCK_REVOKED:
    return "KEY_REVOKED";
  default:
    return "SIGNATURE_INVALID";
  }
}

/* 39 decimal digits, the first not 0 (IAS's report IDs are 128-bit
 * numbers in decimal). */
static sgxra_err report_id(sgxra_ctx *cx, char out[40]) {
  size_t i = 0;
  while (i < 39) {
    uint8_t b[32];
    sgxra_err e = sgxra_random(cx, b, sizeof b);
    if (e) return e;
    for (size_t k = 0; k < sizeof b && i < 39; k++) {
      if (b[k] >= 250) continue; /* unbiased */
      unsigned d = b[k] % 10;
      if (i == 0 && d == 0) continue;
      out[i++] = (char)('0' + d);
    }
  }
  out[39] = 0;
  return SGXRA_OK;
}

static sgxra_err rsa_sign(sgxra_ctx *cx, EVP_PKEY *key, const void *msg,
                          size_t n, char **out_b64) {
  *out_b64 = NULL;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pc = NULL;
  uint8_t sig[512];
  size_t sl = sizeof sig;
  if (!md ||
      EVP_DigestSignInit_ex(md, &pc, "SHA256", sgxra__libctx(cx), NULL, key,
                            NULL) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1 ||
      EVP_DigestSign(md, sig, &sl, msg, n) != 1) {
    EVP_MD_CTX_free(md);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "v5 report signature");
  }
  EVP_MD_CTX_free(md);
  char *b = malloc(sgxra_base64_encoded_len(sl, SGXRA_BASE64_STD) + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "signature");
  sgxra_base64_encode(sig, sl, b);
  *out_b64 = b;
  return SGXRA_OK;
}

static const char *const ias_members[] = {"isvEnclaveQuote", "nonce", NULL};

sgxra_err sgxra_verifier_ias_report(sgxra_ctx *cx, sgxra_verifier_service *v,
                                    const uint8_t *body, size_t len,
                                    int64_t now, sgxra_verifier_response *out) {
  if (!v || !out || (!body && len))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_ias_report: NULL argument");
  sgxra_verifier_response_clear(out);
  json_t *obj = NULL, *rep = NULL;
  sgxra__vcheck c;
  memset(&c, 0, sizeof c);
  sgxra_err e = sgxra__vparse_body(cx, body, len, ias_members, &obj, out);
  if (e || !obj) goto done;
  json_t *nonce = json_object_get(obj, "nonce");
  if (nonce && !json_is_string(nonce)) {
    e = sgxra__vresp_error(cx, out, 400, "wrong_type",
                           "member 'nonce' must be a string");
    goto done;
  }
  if (nonce && json_string_length(nonce) > IAS_NONCE_MAX) {
    e = sgxra__vresp_error(cx, out, 400, "invalid_nonce",
                           "member 'nonce' is %zu characters; at most %d "
                           "(as IAS allowed)",
                           json_string_length(nonce), IAS_NONCE_MAX);
    goto done;
  }
  if ((e = sgxra__vcheck_run(cx, v, obj, "isvEnclaveQuote", now, &c, out)) ||
      !c.quote)
    goto done;
  out->verdict = sgxra__vcheck_short_verdict(&c.vd);
  if (c.vd.has_pck) sgxra_hex_encode(c.vd.pck.fmspc, 6, out->fmspc);
  if (c.res) {
    out->collateral_fetched_at = c.res->info.fetched_at;
    out->collateral_from_cache = c.res->info.from_cache;
  }
  if (c.quote_len < QUOTE_BODY_SIZE) { /* a parsed quote is longer */
    e = sgxra__vresp_error(cx, out, 400, "invalid_quote",
                           "the quote is shorter than %d bytes",
                           QUOTE_BODY_SIZE);
    goto done;
  }
  char id[40];
  if ((e = report_id(cx, id))) goto done;
  time_t t = (time_t)now;
  struct tm tm;
  char ts[40];
  if (!gmtime_r(&t, &tm) ||
      strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.000000", &tm) == 0) {
    e = sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "time %lld out of range",
                    (long long)now);
    goto done;
  }
  char qb[4 * ((QUOTE_BODY_SIZE + 2) / 3) + 1];
  sgxra_base64_encode(c.quote, QUOTE_BODY_SIZE, qb);
  rep = json_object();
  json_object_set_new(rep, "id", json_string(id));
  json_object_set_new(rep, "timestamp", json_string(ts));
  json_object_set_new(rep, "version", json_integer(5));
  json_object_set_new(rep, "isvEnclaveQuoteStatus",
                      json_string(ias_status(&c.vd)));
  json_object_set_new(rep, "isvEnclaveQuoteBody", json_string(qb));
  if (c.vd.ql_return == SGXRA_QL_SUCCESS && c.vd.advisory_count) {
    json_object_set_new(rep, "advisoryURL",
                        json_string("https://security-center.intel.com"));
    json_t *adv = json_array();
    for (size_t i = 0; i < c.vd.advisory_count; i++)
      json_array_append_new(adv, json_string(c.vd.advisory_ids[i]));
    json_object_set_new(rep, "advisoryIDs", adv);
  }
  const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(c.coll);
  if (ti)
    json_object_set_new(rep, "tcbEvaluationDataNumber",
                        json_integer(ti->tcb_evaluation_data_number));
  if (nonce) json_object_set(rep, "nonce", nonce);
  /* IAS's member order (id first), not sorted. */
  char *text = json_dumps(rep, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "report");
    goto done;
  }
  if ((e = rsa_sign(cx, v->ias_key, text, strlen(text), &out->ias_signature))) {
    free(text);
    goto done;
  }
  out->ias_signing_certificate = strdup(v->ias_chain_url);
  if (!out->ias_signing_certificate) {
    free(text);
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "certificate header");
    goto done;
  }
  out->body = text;
  out->body_len = strlen(text);
  out->status = 200;
  out->content_type = "application/json";
done:
  json_decref(rep);
  json_decref(obj);
  sgxra__vcheck_clear(&c);
  if (e) {
    const char *vd = out->verdict;
    char fm[13];
    memcpy(fm, out->fmspc, sizeof fm);
    sgxra_verifier_response_clear(out);
    out->verdict = vd;
    memcpy(out->fmspc, fm, sizeof fm);
    out->status = 500;
  }
  return e;
}
