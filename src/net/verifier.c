/* net/verifier.c -- the attestation service's core (sgxra/verifier.h):
 * open (state directory, keys, collateral), the shared request steps and
 * POST /v1/attest.  Tokens and nonces: token.c; the v5 report: ias.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/verifier_internal.h"
#include "sgxra/base64.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/pcs.h"
#include "sgxra/policy.h"
#include "sgxra/timeutil.h"

#define KEY_FILE_MAX ((size_t)64 * 1024)
#define RUNTIME_DATA_MAX ((size_t)64 * 1024)
#define IAS_CA_CN "sgxra TEST Attestation Report Signing CA"
#define IAS_CN "sgxra TEST Attestation Report Signing"
/* The v5 certificates' validity: fixed, as the library reads no clock
 * (2020-01-01T00:00:00Z .. 2049-12-31T23:59:59Z). */
#define IAS_NOT_BEFORE INT64_C(1577836800)
#define IAS_NOT_AFTER INT64_C(2524607999)

/* ---- responses ---------------------------------------------------------- */

sgxra_err sgxra__vresp_json(sgxra_ctx *cx, sgxra_verifier_response *out,
                            unsigned status, json_t *o) {
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(o);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "response JSON");
  free(out->body);
  out->body = s;
  out->body_len = strlen(s);
  out->status = status;
  out->content_type = "application/json";
  return SGXRA_OK;
}

sgxra_err sgxra__vresp_error(sgxra_ctx *cx, sgxra_verifier_response *out,
                             unsigned status, const char *code, const char *fmt,
                             ...) {
  char msg[SGXRA_CTX_MSG_SIZE + 256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *o = json_pack("{s:s, s:s}", "code", code, "message", msg);
  return sgxra__vresp_json(cx, out, status, o);
}

void sgxra_verifier_response_clear(sgxra_verifier_response *r) {
  if (!r) return;
  free(r->body);
  free(r->ias_signature);
  free(r->ias_signing_certificate);
  memset(r, 0, sizeof *r);
}

static void response_reset(sgxra_verifier_response *r) {
  sgxra_verifier_response_clear(r);
}

sgxra_err sgxra__vparse_body(sgxra_ctx *cx, const uint8_t *body, size_t len,
                             const char *const *allowed, json_t **out_obj,
                             sgxra_verifier_response *out) {
  *out_obj = NULL;
  json_error_t je;
  json_t *o = json_loadb((const char *)body, body ? len : 0,
                         JSON_REJECT_DUPLICATES, &je);
  if (!o)
    return sgxra__vresp_error(cx, out, 400, "malformed_json",
                              "request body is not JSON: line %d column %d: %s",
                              je.line, je.column, je.text);
  if (!json_is_object(o)) {
    json_decref(o);
    return sgxra__vresp_error(cx, out, 400, "invalid_request",
                              "request body is not a JSON object");
  }
  char unknown[512] = "";
  size_t nunknown = 0;
  const char *key;
  json_t *val;
  json_object_foreach(o, key, val) {
    int ok = 0;
    for (size_t i = 0; allowed[i]; i++)
      if (strcmp(key, allowed[i]) == 0) ok = 1;
    if (!ok) {
      size_t used = strlen(unknown);
      if (used < sizeof unknown - 1)
        snprintf(unknown + used, sizeof unknown - used, "%s'%.64s'",
                 nunknown ? ", " : "", key);
      nunknown++;
    }
  }
  if (nunknown) {
    char known[256] = "";
    for (size_t i = 0; allowed[i]; i++) {
      size_t used = strlen(known);
      snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
               allowed[i]);
    }
    json_decref(o);
    return sgxra__vresp_error(cx, out, 400, "unknown_member",
                              "unknown member%s %s (known: %s)",
                              nunknown > 1 ? "s" : "", unknown, known);
  }
  *out_obj = o;
  return SGXRA_OK;
}

/* A string member: *out NULL (and 400 in *out_resp) when it has another
 * type; *out NULL with no answer when absent. */
static sgxra_err string_member(sgxra_ctx *cx, json_t *obj, const char *name,
                               const char **out, int *bad,
                               sgxra_verifier_response *resp) {
  *out = NULL;
  json_t *m = json_object_get(obj, name);
  if (!m) return SGXRA_OK;
  if (!json_is_string(m)) {
    *bad = 1;
    return sgxra__vresp_error(cx, resp, 400, "wrong_type",
                              "member '%s' must be a string (base64)", name);
  }
  *out = json_string_value(m);
  return SGXRA_OK;
}

/* ---- collateral and verification ---------------------------------------- */

const char *sgxra__vcheck_short_verdict(const sgxra_verdict *vd) {
  const char *s;
  if (vd->ql_return == SGXRA_QL_SUCCESS) {
    s = vd->qv_result ? vd->qv_result : "";
    if (strncmp(s, "SGX_QL_QV_RESULT_", 17) == 0) s += 17;
  } else {
    s = sgxra_ql_result_name(vd->ql_return);
    if (strncmp(s, "SGX_QL_", 7) == 0) s += 7;
  }
  return s;
}

void sgxra__vcheck_clear(sgxra__vcheck *c) {
  free(c->quote);
  sgxra_pccs_result_free(c->res);
  memset(c, 0, sizeof *c);
}

static int collateral_unavailable(sgxra_err e) {
  return e != SGXRA_E_NO_MEMORY && e != SGXRA_E_INVALID_ARGUMENT;
}

sgxra_err sgxra__vcheck_run(sgxra_ctx *cx, sgxra_verifier_service *v,
                            json_t *obj, const char *name, int64_t now,
                            sgxra__vcheck *c, sgxra_verifier_response *out) {
  memset(c, 0, sizeof *c);
  json_t *m = json_object_get(obj, name);
  if (!m)
    return sgxra__vresp_error(cx, out, 400, "missing_member",
                              "member '%s' (the quote, base64) is required",
                              name);
  if (!json_is_string(m))
    return sgxra__vresp_error(cx, out, 400, "wrong_type",
                              "member '%s' must be a string (base64)", name);
  uint8_t *q = NULL;
  size_t qn = 0;
  sgxra_err e = sgxra_base64_decode_text(
      cx, json_string_value(m), json_string_length(m),
      SGXRA_BASE64_STD | SGXRA_BASE64_PAD_OPTIONAL, v->max_quote, &q, &qn);
  if (e == SGXRA_E_NO_MEMORY) return e;
  if (e == SGXRA_E_TOO_LARGE)
    return sgxra__vresp_error(cx, out, 400, "quote_too_large",
                              "member '%s': the quote is larger than %zu "
                              "bytes, the most this verifier accepts",
                              name, v->max_quote);
  if (e)
    return sgxra__vresp_error(cx, out, 400, "invalid_base64", "member '%s': %s",
                              name, sgxra_ctx_message(cx));
  if (qn == 0) {
    free(q);
    return sgxra__vresp_error(cx, out, 400, "invalid_quote",
                              "member '%s': the quote is empty", name);
  }
  if (v->pccs) {
    sgxra_store_collateral_key key;
    e = sgxra_pccs_key_from_quote(cx, q, qn, NULL, &key);
    if (e == SGXRA_E_NO_MEMORY) {
      free(q);
      return e;
    }
    if (e) {
      free(q);
      return sgxra__vresp_error(cx, out, 400, "invalid_quote",
                                "member '%s': %s", name, sgxra_ctx_message(cx));
    }
    e = sgxra_pccs_get_collateral(cx, v->pccs, &key, v->trust_root, now,
                                  &c->res);
    if (e) {
      free(q);
      if (!collateral_unavailable(e)) return e;
      return sgxra__vresp_error(cx, out, 503, "collateral_unavailable",
                                "no collateral for FMSPC %s (%s CA): %s (%s)",
                                key.fmspc, key.ca, sgxra_ctx_message(cx),
                                sgxra_err_name(e));
    }
    c->coll = c->res->collateral;
    const sgxra_collateral_buffers *b = &c->res->entry.items;
    c->items[SGXRA__ITEM_PCK_CRL_CHAIN] = b->pck_crl_issuer_chain;
    c->item_len[SGXRA__ITEM_PCK_CRL_CHAIN] = b->pck_crl_issuer_chain_len;
    c->items[SGXRA__ITEM_ROOT_CRL] = b->root_ca_crl;
    c->item_len[SGXRA__ITEM_ROOT_CRL] = b->root_ca_crl_len;
    c->items[SGXRA__ITEM_PCK_CRL] = b->pck_crl;
    c->item_len[SGXRA__ITEM_PCK_CRL] = b->pck_crl_len;
    c->items[SGXRA__ITEM_TCB_INFO] = b->tcb_info;
    c->item_len[SGXRA__ITEM_TCB_INFO] = b->tcb_info_len;
    c->items[SGXRA__ITEM_TCB_CHAIN] = b->tcb_info_issuer_chain;
    c->item_len[SGXRA__ITEM_TCB_CHAIN] = b->tcb_info_issuer_chain_len;
    c->items[SGXRA__ITEM_QE_IDENTITY] = b->qe_identity;
    c->item_len[SGXRA__ITEM_QE_IDENTITY] = b->qe_identity_len;
    c->items[SGXRA__ITEM_QE_CHAIN] = b->qe_identity_issuer_chain;
    c->item_len[SGXRA__ITEM_QE_CHAIN] = b->qe_identity_issuer_chain_len;
  } else {
    c->coll = v->coll;
    for (int i = 0; i < SGXRA__ITEM_COUNT; i++) {
      c->items[i] = v->items[i];
      c->item_len[i] = v->item_len[i];
    }
  }
  e = sgxra_verify_quote(cx, q, qn, c->coll, v->trust_root, now, &c->vd);
  if (e) {
    free(q);
    sgxra__vcheck_clear(c);
    return e;
  }
  if (!c->vd.has_quote || c->vd.stage == SGXRA_STAGE_QUOTE) {
    char reason[SGXRA_VERDICT_REASON_SIZE];
    snprintf(reason, sizeof reason, "%s", c->vd.reason);
    free(q);
    sgxra__vcheck_clear(c);
    return sgxra__vresp_error(cx, out, 400, "invalid_quote", "member '%s': %s",
                              name, reason);
  }
  c->quote = q;
  c->quote_len = qn;
  return SGXRA_OK;
}

/* ---- /v1/attest ---------------------------------------------------------- */

static json_t *hex_json(const uint8_t *p, size_t n) {
  char buf[2 * 256 + 1];
  if (n > 256) return json_null();
  sgxra_hex_encode(p, n, buf);
  return json_string(buf);
}

static json_t *sha256_json(sgxra_ctx *cx, const uint8_t *p, size_t n) {
  uint8_t h[SGXRA_SHA256_SIZE];
  if (!p || sgxra_sha256(cx, p, n, h)) return json_null();
  return hex_json(h, sizeof h);
}

static json_t *collateral_hashes(sgxra_ctx *cx, const sgxra__vcheck *c) {
  json_t *o = json_object();
  json_object_set_new(o, "quotehash", sha256_json(cx, c->quote, c->quote_len));
  json_object_set_new(o, "tcbinfohash",
                      sha256_json(cx, c->items[SGXRA__ITEM_TCB_INFO],
                                  c->item_len[SGXRA__ITEM_TCB_INFO]));
  json_object_set_new(o, "tcbinfocertshash",
                      sha256_json(cx, c->items[SGXRA__ITEM_TCB_CHAIN],
                                  c->item_len[SGXRA__ITEM_TCB_CHAIN]));
  json_object_set_new(o, "tcbinfocrlhash",
                      sha256_json(cx, c->items[SGXRA__ITEM_ROOT_CRL],
                                  c->item_len[SGXRA__ITEM_ROOT_CRL]));
  json_object_set_new(o, "qeidhash",
                      sha256_json(cx, c->items[SGXRA__ITEM_QE_IDENTITY],
                                  c->item_len[SGXRA__ITEM_QE_IDENTITY]));
  json_object_set_new(o, "qeidcertshash",
                      sha256_json(cx, c->items[SGXRA__ITEM_QE_CHAIN],
                                  c->item_len[SGXRA__ITEM_QE_CHAIN]));
  json_object_set_new(o, "qeidcrlhash",
                      sha256_json(cx, c->items[SGXRA__ITEM_ROOT_CRL],
                                  c->item_len[SGXRA__ITEM_ROOT_CRL]));
  json_object_set_new(o, "pckcrlhash",
                      sha256_json(cx, c->items[SGXRA__ITEM_PCK_CRL],
                                  c->item_len[SGXRA__ITEM_PCK_CRL]));
  json_object_set_new(o, "pckcrlcertshash",
                      sha256_json(cx, c->items[SGXRA__ITEM_PCK_CRL_CHAIN],
                                  c->item_len[SGXRA__ITEM_PCK_CRL_CHAIN]));
  json_object_set_new(o, "rootcacrlhash",
                      sha256_json(cx, c->items[SGXRA__ITEM_ROOT_CRL],
                                  c->item_len[SGXRA__ITEM_ROOT_CRL]));
  return o;
}

static json_t *time_text(int64_t t) {
  char s[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, s);
  return json_string(s);
}

/* The claims of one verification (policy fields added by the caller). */
static json_t *verdict_claims(sgxra_ctx *cx, const sgxra_verifier_service *v,
                              const sgxra__vcheck *c, int64_t now,
                              const char *jti) {
  const sgxra_verdict *vd = &c->vd;
  json_t *o = json_object();
  json_object_set_new(o, "attester_type", json_string("SGX"));
  const sgxra_report_body *r = &vd->report;
  json_object_set_new(o, "sgx_mrenclave",
                      hex_json(r->mrenclave, SGXRA_HASH_SIZE));
  json_object_set_new(o, "sgx_mrsigner",
                      hex_json(r->mrsigner, SGXRA_HASH_SIZE));
  json_object_set_new(o, "sgx_isvprodid", json_integer(r->isvprodid));
  json_object_set_new(o, "sgx_isvsvn", json_integer(r->isvsvn));
  json_object_set_new(
      o, "sgx_is_debuggable",
      json_boolean((r->attributes.flags & SGXRA_ATTR_DEBUG) != 0));
  json_object_set_new(o, "sgx_report_data",
                      hex_json(r->reportdata, SGXRA_REPORTDATA_SIZE));
  json_object_set_new(o, "sgx_config_id",
                      hex_json(r->configid, SGXRA_CONFIGID_SIZE));
  json_object_set_new(o, "sgx_config_svn", json_integer(r->configsvn));
  json_object_set_new(o, "sgxra_return",
                      json_string(sgxra_ql_result_name(vd->ql_return)));
  json_object_set_new(o, "sgxra_verdict",
                      json_string(vd->qv_result ? vd->qv_result : ""));
  json_object_set_new(o, "sgxra_genuine",
                      json_boolean(vd->ql_return == SGXRA_QL_SUCCESS));
  if (vd->ql_return != SGXRA_QL_SUCCESS) {
    json_object_set_new(o, "sgxra_error", json_string(sgxra_err_name(vd->err)));
    json_object_set_new(o, "sgxra_reason", json_string(vd->reason));
  }
  if (vd->ql_return == SGXRA_QL_SUCCESS && vd->has_tcb_level) {
    sgxra_tcb_status st = vd->final_status ? vd->final_status : vd->tcb_status;
    json_object_set_new(o, "attester_tcb_status",
                        json_string(sgxra_tcb_status_name(st)));
    json_object_set_new(o, "attester_tcb_date", time_text(vd->tcb_date));
    json_t *adv = json_array();
    for (size_t i = 0; i < vd->advisory_count; i++)
      json_array_append_new(adv, json_string(vd->advisory_ids[i]));
    json_object_set_new(o, "attester_advisory_ids", adv);
  }
  json_object_set_new(o, "collateral_expired",
                      json_boolean(vd->collateral_expired != 0));
  if (vd->has_pck)
    json_object_set_new(o, "fmspc", hex_json(vd->pck.fmspc, SGXRA_FMSPC_SIZE));
  const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(c->coll);
  if (ti)
    json_object_set_new(o, "tcb_evaluation_data_number",
                        json_integer(ti->tcb_evaluation_data_number));
  json_object_set_new(o, "sgx_collateral", collateral_hashes(cx, c));
  json_object_set_new(o, "iss", json_string(v->issuer));
  json_object_set_new(o, "iat", json_integer(now));
  json_object_set_new(o, "nbf", json_integer(now));
  json_object_set_new(o, "exp", json_integer(now + v->token_ttl));
  json_object_set_new(o, "jti", json_string(jti));
  return o;
}

static sgxra_err random_jti(sgxra_ctx *cx, char out[33]) {
  uint8_t b[16];
  sgxra_err e = sgxra_random(cx, b, sizeof b);
  if (e) return e;
  sgxra_hex_encode(b, sizeof b, out);
  return SGXRA_OK;
}

static void fill_metrics(const sgxra__vcheck *c, sgxra_verifier_response *out) {
  out->verdict = sgxra__vcheck_short_verdict(&c->vd);
  out->fmspc[0] = 0;
  if (c->vd.has_pck) sgxra_hex_encode(c->vd.pck.fmspc, 6, out->fmspc);
  if (c->res) {
    out->collateral_fetched_at = c->res->info.fetched_at;
    out->collateral_from_cache = c->res->info.from_cache;
  }
}

/* Apply the policy document `pol` to the verdict; adds the policy claims
 * to `claims`, or answers 400 (*answered = 1). */
static sgxra_err apply_policy(sgxra_ctx *cx, const sgxra__vcheck *c,
                              json_t *pol, const uint8_t *rd_hash, int64_t now,
                              json_t *claims, int *answered,
                              sgxra_verifier_response *out) {
  char *doc = json_dumps(pol, JSON_COMPACT | JSON_SORT_KEYS);
  if (!doc) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "policy text");
  sgxra_policy *p = calloc(1, sizeof *p);
  sgxra_decision *d = calloc(1, sizeof *d);
  sgxra_registry_memory *mem = NULL;
  sgxra_err e = SGXRA_OK;
  if (!p || !d) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "policy");
    goto done;
  }
  e = sgxra_policy_parse(cx, doc, strlen(doc), p);
  if (e) {
    *answered = 1;
    e = e == SGXRA_E_NO_MEMORY
            ? e
            : sgxra__vresp_error(cx, out, 400, "policy_invalid",
                                 "member 'policy': %s", sgxra_ctx_message(cx));
    goto done;
  }
  if ((e = sgxra_registry_memory_new(cx, &mem))) goto done;
  sgxra_registry_view view = sgxra_registry_view_memory(mem);
  sgxra_appraise_options ao;
  memset(&ao, 0, sizeof ao);
  ao.identity_not_checked = 1;
  ao.collateral = c->coll;
  if (rd_hash && (e = sgxra_appraise_options_report_data(cx, &ao, rd_hash,
                                                         SGXRA_SHA256_SIZE)))
    goto done;
  e = sgxra_appraise(cx, &c->vd, &view, p, &ao, now, d);
  if (e) {
    *answered = 1;
    e = e == SGXRA_E_NO_MEMORY
            ? e
            : sgxra__vresp_error(cx, out, 400, "policy_invalid",
                                 "member 'policy': cannot appraise: %s",
                                 sgxra_ctx_message(cx));
    goto done;
  }
  json_object_set_new(claims, "policy_decision",
                      json_string(d->trusted ? "accepted" : "refused"));
  json_t *names = json_array();
  for (size_t i = 0; i < d->reason_count; i++)
    json_array_append_new(names,
                          json_string(sgxra_reason_name(d->reasons[i].code)));
  json_object_set_new(claims, "policy_reasons", names);
  json_object_set_new(claims, "policy_hash",
                      hex_json(p->sha256, SGXRA_SHA256_SIZE));
done:
  sgxra_registry_memory_free(mem);
  free(p);
  free(d);
  free(doc);
  return e;
}

static const char *const attest_members[] = {"quote", "nonce", "runtime_data",
                                             "policy", NULL};

sgxra_err sgxra_verifier_attest(sgxra_ctx *cx, sgxra_verifier_service *v,
                                const uint8_t *body, size_t len, int64_t now,
                                sgxra_verifier_response *out) {
  if (!v || !out || (!body && len))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_attest: NULL argument");
  response_reset(out);
  json_t *obj = NULL;
  sgxra__vcheck c;
  memset(&c, 0, sizeof c);
  uint8_t *rd = NULL;
  size_t rdn = 0;
  json_t *claims = NULL;
  char *jwt = NULL;
  sgxra_err e = sgxra__vparse_body(cx, body, len, attest_members, &obj, out);
  if (e || !obj) goto done;

  /* Types first, then the nonce: cheap refusals before any verification. */
  int bad = 0;
  const char *rd_text = NULL;
  if ((e = string_member(cx, obj, "runtime_data", &rd_text, &bad, out)) || bad)
    goto done;
  json_t *nonce = json_object_get(obj, "nonce");
  if (nonce && !json_is_object(nonce)) {
    e = sgxra__vresp_error(cx, out, 400, "wrong_type",
                           "member 'nonce' must be an object {val, iat, "
                           "signature} as GET /v1/nonce gives it");
    goto done;
  }
  json_t *pol = json_object_get(obj, "policy");
  if (pol && !json_is_object(pol)) {
    e = sgxra__vresp_error(cx, out, 400, "wrong_type",
                           "member 'policy' must be an object (a policy "
                           "document, docs/POLICY.md)");
    goto done;
  }
  if (rd_text) {
    e = sgxra_base64_decode_text(cx, rd_text, strlen(rd_text),
                                 SGXRA_BASE64_STD | SGXRA_BASE64_PAD_OPTIONAL,
                                 RUNTIME_DATA_MAX, &rd, &rdn);
    if (e == SGXRA_E_NO_MEMORY) goto done;
    if (e) {
      e = sgxra__vresp_error(cx, out, 400, "invalid_base64",
                             "member 'runtime_data': %s",
                             sgxra_ctx_message(cx));
      goto done;
    }
  }
  if (nonce) {
    const char *code = NULL;
    char msg[256];
    if ((e = sgxra__nonce_check(cx, v, nonce, now, &code, msg, sizeof msg)))
      goto done;
    if (code) {
      e = sgxra__vresp_error(cx, out, 400, code, "member 'nonce': %s", msg);
      goto done;
    }
  }

  if ((e = sgxra__vcheck_run(cx, v, obj, "quote", now, &c, out)) || !c.quote)
    goto done;
  fill_metrics(&c, out);

  uint8_t rd_hash[SGXRA_SHA256_SIZE];
  if (rd) {
    if ((e = sgxra_sha256(cx, rd, rdn, rd_hash))) goto done;
    if (!sgxra_ct_equal(rd_hash, c.vd.report.reportdata, SGXRA_SHA256_SIZE)) {
      char want[65], got[65];
      sgxra_hex_encode(rd_hash, sizeof rd_hash, want);
      sgxra_hex_encode(c.vd.report.reportdata, 32, got);
      e = sgxra__vresp_error(
          cx, out, 400, "runtime_data_mismatch",
          "the quote's REPORTDATA[0..32) is %s, not SHA-256(runtime_data) = "
          "%s",
          got, want);
      goto done;
    }
  }

  char jti[33];
  if ((e = random_jti(cx, jti))) goto done;
  claims = verdict_claims(cx, v, &c, now, jti);
  if (rd) {
    size_t n = sgxra_base64_encoded_len(rdn, SGXRA_BASE64_STD);
    char *t = malloc(n + 1);
    if (!t) {
      e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "runtime_data");
      goto done;
    }
    sgxra_base64_encode(rd, rdn, t);
    json_object_set_new(claims, "attester_held_data", json_string(t));
    free(t);
  }
  if (nonce) json_object_set(claims, "verifier_nonce", nonce);
  if (pol) {
    int answered = 0;
    e = apply_policy(cx, &c, pol, rd ? rd_hash : NULL, now, claims, &answered,
                     out);
    if (e || answered) goto done;
  }
  if ((e = sgxra__jwt_sign(cx, v, claims, &jwt))) goto done;
  json_t *resp = json_object();
  json_object_set_new(resp, "token", json_string(jwt));
  json_object_set(resp, "claims", claims);
  e = sgxra__vresp_json(cx, out, 200, resp);
done:
  free(jwt);
  json_decref(claims);
  free(rd);
  sgxra__vcheck_clear(&c);
  json_decref(obj);
  if (e) {
    free(out->body);
    out->body = NULL;
    out->body_len = 0;
    out->status = 500;
  }
  return e;
}

/* ---- open ---------------------------------------------------------------- */

static sgxra_err check_private(sgxra_ctx *cx, const char *path,
                               const struct stat *st, const char *what) {
  if (st->st_mode & (S_IWGRP | S_IWOTH))
    return sgxra__fail(cx, SGXRA_E_VERIFIER_STATE,
                       "%s %s is writable by group or others (mode %04o): "
                       "run chmod go-w %s",
                       what, path, (unsigned)(st->st_mode & 07777), path);
  return SGXRA_OK;
}

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* *out_exists 0 when the file is absent; else it is read, after the mode
 * check. */
static sgxra_err read_key_file(sgxra_ctx *cx, const char *path, int *out_exists,
                               uint8_t **out, size_t *out_n) {
  struct stat st;
  *out = NULL;
  *out_n = 0;
  *out_exists = 0;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT) return SGXRA_OK;
    return sgxra__fail(cx, SGXRA_E_IO, "cannot read %s: %s", path,
                       SGXRA__ERRNO_STR(errno));
  }
  *out_exists = 1;
  if (!S_ISREG(st.st_mode))
    return sgxra__fail(cx, SGXRA_E_VERIFIER_STATE, "%s is not a regular file",
                       path);
  sgxra_err e = check_private(cx, path, &st, "key file");
  if (e) return e;
  return sgxra_file_read(cx, path, KEY_FILE_MAX, out, out_n);
}

static sgxra_err open_token_key(sgxra_ctx *cx, sgxra_verifier_service *v,
                                const char *dir, const char *given) {
  char *path = given ? NULL : join(dir, "token_key.pem");
  const char *p = given ? given : path;
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "path");
  uint8_t *buf = NULL;
  size_t n = 0;
  int exists = 0;
  sgxra_err e = read_key_file(cx, p, &exists, &buf, &n);
  if (!e && !exists && given)
    e = sgxra__fail(cx, SGXRA_E_IO, "token key %s does not exist", given);
  if (!e && exists) {
    e = sgxra_p256_load_private(cx, buf, n, &v->token_key);
    if (e) e = sgxra__context(cx, e, "token key %s", p);
  } else if (!e) {
    char *pem = NULL;
    if (!(e = sgxra_p256_generate(cx, &v->token_key)) &&
        !(e = sgxra_p256_private_pem(cx, v->token_key, &pem)))
      e = sgxra_file_write(cx, p, (const uint8_t *)pem, strlen(pem), 1);
    if (pem) {
      sgxra_wipe(pem, strlen(pem));
      free(pem);
    }
  }
  if (buf) {
    sgxra_wipe(buf, n);
    free(buf);
  }
  free(path);
  return e;
}

static sgxra_err rsa_generate(sgxra_ctx *cx, EVP_PKEY **out) {
  *out = EVP_PKEY_Q_keygen(sgxra__libctx(cx), NULL, "RSA", (size_t)2048);
  if (!*out) return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "RSA-2048 key");
  return SGXRA_OK;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value) {
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
  if (!ext) return 0;
  int ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

static sgxra_err make_cert(sgxra_ctx *cx, const char *cn, EVP_PKEY *subject,
                           X509 *issuer, EVP_PKEY *issuer_key, X509 **out) {
  *out = NULL;
  X509 *x = X509_new_ex(sgxra__libctx(cx), NULL);
  X509_NAME *nm = X509_NAME_new();
  uint8_t raw[16];
  BIGNUM *bn = NULL;
  ASN1_INTEGER *serial = NULL;
  sgxra_err e = sgxra_random(cx, raw, sizeof raw);
  if (e) goto done;
  raw[0] = (uint8_t)((raw[0] & 0x7f) | 0x01);
  bn = BN_bin2bn(raw, sizeof raw, NULL);
  if (bn) serial = BN_to_ASN1_INTEGER(bn, NULL);
  int ca = issuer == NULL;
  X509V3_CTX v3;
  if (!x || !nm || !serial ||
      !X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
                                  (const unsigned char *)cn, -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
                                  (const unsigned char *)"sgxra TEST", -1, -1,
                                  0) ||
      !X509_set_version(x, 2) || !X509_set_serialNumber(x, serial) ||
      !X509_set_subject_name(x, nm) ||
      !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : nm) ||
      !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)IAS_NOT_BEFORE) ||
      !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)IAS_NOT_AFTER) ||
      !X509_set_pubkey(x, subject)) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "v5 signing certificate");
    goto done;
  }
  X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
  if (!add_ext(x, &v3, NID_subject_key_identifier, "hash") ||
      !add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") ||
      !add_ext(x, &v3, NID_basic_constraints,
               ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
      !add_ext(x, &v3, NID_key_usage,
               ca ? "critical,keyCertSign,cRLSign"
                  : "critical,digitalSignature,nonRepudiation") ||
      X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
    e = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "v5 signing certificate");
    goto done;
  }
  *out = x;
  x = NULL;
done:
  X509_free(x);
  X509_NAME_free(nm);
  BN_free(bn);
  ASN1_INTEGER_free(serial);
  return e;
}

static char *pem_of(int (*write)(BIO *, const void *), const void *obj) {
  BIO *b = BIO_new(BIO_s_mem());
  char *s = NULL;
  if (b && write(b, obj) > 0) {
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    if (n > 0 && (s = malloc((size_t)n + 1))) {
      memcpy(s, p, (size_t)n);
      s[n] = 0;
    }
  }
  BIO_free(b);
  return s;
}

static int write_cert(BIO *b, const void *x) {
  return PEM_write_bio_X509(b, (X509 *)x);
}
static int write_key(BIO *b, const void *k) {
  return PEM_write_bio_PrivateKey(b, (EVP_PKEY *)k, NULL, NULL, 0, NULL, NULL);
}

static sgxra_err write_secret(sgxra_ctx *cx, const char *dir, const char *name,
                              char *text) {
  char *p = join(dir, name);
  sgxra_err e = p && text ? sgxra_file_write(cx, p, (const uint8_t *)text,
                                             strlen(text), 1)
                          : sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s", name);
  free(p);
  return e;
}

static sgxra_err create_ias(sgxra_ctx *cx, sgxra_verifier_service *v,
                            const char *dir) {
  EVP_PKEY *cak = NULL;
  X509 *ca = NULL, *leaf = NULL;
  char *ca_key_pem = NULL, *key_pem = NULL, *ca_pem = NULL, *leaf_pem = NULL;
  sgxra_err e;
  if ((e = rsa_generate(cx, &cak)) || (e = rsa_generate(cx, &v->ias_key)) ||
      (e = make_cert(cx, IAS_CA_CN, cak, NULL, cak, &ca)) ||
      (e = make_cert(cx, IAS_CN, v->ias_key, ca, cak, &leaf)))
    goto done;
  ca_key_pem = pem_of(write_key, cak);
  key_pem = pem_of(write_key, v->ias_key);
  ca_pem = pem_of(write_cert, ca);
  leaf_pem = pem_of(write_cert, leaf);
  if (!ca_pem || !leaf_pem) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "PEM");
    goto done;
  }
  size_t n = strlen(leaf_pem) + strlen(ca_pem) + 1;
  if (!(v->ias_chain_pem = malloc(n))) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "PEM");
    goto done;
  }
  snprintf(v->ias_chain_pem, n, "%s%s", leaf_pem, ca_pem);
  /* The chain last: its presence says the set is complete. */
  if ((e = write_secret(cx, dir, "ias_ca_key.pem", ca_key_pem)) ||
      (e = write_secret(cx, dir, "ias_key.pem", key_pem)) ||
      (e = write_secret(cx, dir, "ias_cert.pem", v->ias_chain_pem)))
    goto done;
done:
  if (ca_key_pem) sgxra_wipe(ca_key_pem, strlen(ca_key_pem));
  if (key_pem) sgxra_wipe(key_pem, strlen(key_pem));
  free(ca_key_pem);
  free(key_pem);
  free(ca_pem);
  free(leaf_pem);
  EVP_PKEY_free(cak);
  X509_free(ca);
  X509_free(leaf);
  return e;
}

static sgxra_err load_ias(sgxra_ctx *cx, sgxra_verifier_service *v,
                          const char *dir, int *out_found) {
  *out_found = 0;
  char *kp = join(dir, "ias_key.pem"), *cp = join(dir, "ias_cert.pem");
  uint8_t *kb = NULL, *cb = NULL;
  size_t kn = 0, cn = 0;
  int kx = 0, cx_ = 0;
  X509 *leaf = NULL;
  BIO *b = NULL;
  sgxra_err e = SGXRA_OK;
  if (!kp || !cp) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "path");
    goto done;
  }
  if ((e = read_key_file(cx, cp, &cx_, &cb, &cn))) goto done;
  if (!cx_) goto done; /* not made yet (or interrupted): make a new set */
  if ((e = read_key_file(cx, kp, &kx, &kb, &kn))) goto done;
  if (!kx) {
    e = sgxra__fail(cx, SGXRA_E_VERIFIER_STATE,
                    "%s exists but %s does not: restore the key or remove "
                    "both to make a new v5 signing identity",
                    cp, kp);
    goto done;
  }
  b = BIO_new_mem_buf(kb, (int)kn);
  if (b)
    v->ias_key = PEM_read_bio_PrivateKey_ex(b, NULL, NULL, NULL,
                                            sgxra__libctx(cx), NULL);
  BIO_free(b);
  b = BIO_new_mem_buf(cb, (int)cn);
  if (b) leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
  if (!v->ias_key || !leaf ||
      EVP_PKEY_get_base_id(v->ias_key) != EVP_PKEY_RSA) {
    e = sgxra__fail_ossl(cx, SGXRA_E_VERIFIER_STATE,
                         "v5 signing key or certificate in the state "
                         "directory does not load");
    goto done;
  }
  if (X509_check_private_key(leaf, v->ias_key) != 1) {
    e = sgxra__fail(cx, SGXRA_E_VERIFIER_STATE,
                    "%s does not belong to the certificate %s", kp, cp);
    goto done;
  }
  if (!(v->ias_chain_pem = malloc(cn + 1))) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "chain");
    goto done;
  }
  memcpy(v->ias_chain_pem, cb, cn);
  v->ias_chain_pem[cn] = 0;
  *out_found = 1;
done:
  BIO_free(b);
  X509_free(leaf);
  if (kb) sgxra_wipe(kb, kn);
  free(kb);
  free(cb);
  free(kp);
  free(cp);
  return e;
}

static const char *const item_files[SGXRA__ITEM_COUNT] = {
    SGXRA_COLLATERAL_FILE_PCK_CRL_CHAIN, SGXRA_COLLATERAL_FILE_ROOT_CRL,
    SGXRA_COLLATERAL_FILE_PCK_CRL,       SGXRA_COLLATERAL_FILE_TCB_INFO,
    SGXRA_COLLATERAL_FILE_TCB_CHAIN,     SGXRA_COLLATERAL_FILE_QE_IDENTITY,
    SGXRA_COLLATERAL_FILE_QE_CHAIN};

static sgxra_err load_bundle(sgxra_ctx *cx, sgxra_verifier_service *v,
                             const char *dir) {
  uint8_t *root = NULL;
  size_t root_n = 0;
  for (int i = 0; i < SGXRA__ITEM_COUNT; i++) {
    char *p = join(dir, item_files[i]);
    if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "path");
    struct stat st;
    sgxra_err e = stat(p, &st) != 0 && errno == ENOENT
                      ? sgxra__fail(cx, SGXRA_E_COLLATERAL_MISSING,
                                    "collateral directory %s has no %s", dir,
                                    item_files[i])
                      : sgxra_file_read(cx, p, SGXRA_COLLATERAL_FILE_MAX,
                                        &v->items[i], &v->item_len[i]);
    free(p);
    if (e) return e;
  }
  char *rp = join(dir, SGXRA_COLLATERAL_FILE_ROOT_CA);
  if (!rp) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "path");
  struct stat st;
  sgxra_err e = SGXRA_OK;
  if (stat(rp, &st) == 0)
    e = sgxra_file_read(cx, rp, SGXRA_COLLATERAL_FILE_MAX, &root, &root_n);
  free(rp);
  if (e) return e;
  sgxra_collateral_buffers b = {
      .pck_crl_issuer_chain = v->items[SGXRA__ITEM_PCK_CRL_CHAIN],
      .pck_crl_issuer_chain_len = v->item_len[SGXRA__ITEM_PCK_CRL_CHAIN],
      .root_ca_crl = v->items[SGXRA__ITEM_ROOT_CRL],
      .root_ca_crl_len = v->item_len[SGXRA__ITEM_ROOT_CRL],
      .pck_crl = v->items[SGXRA__ITEM_PCK_CRL],
      .pck_crl_len = v->item_len[SGXRA__ITEM_PCK_CRL],
      .tcb_info = v->items[SGXRA__ITEM_TCB_INFO],
      .tcb_info_len = v->item_len[SGXRA__ITEM_TCB_INFO],
      .tcb_info_issuer_chain = v->items[SGXRA__ITEM_TCB_CHAIN],
      .tcb_info_issuer_chain_len = v->item_len[SGXRA__ITEM_TCB_CHAIN],
      .qe_identity = v->items[SGXRA__ITEM_QE_IDENTITY],
      .qe_identity_len = v->item_len[SGXRA__ITEM_QE_IDENTITY],
      .qe_identity_issuer_chain = v->items[SGXRA__ITEM_QE_CHAIN],
      .qe_identity_issuer_chain_len = v->item_len[SGXRA__ITEM_QE_CHAIN],
      .root_ca = root,
      .root_ca_len = root_n};
  e = sgxra_collateral_load(cx, &b, &v->coll);
  free(root);
  if (e) return sgxra__context(cx, e, "collateral directory %s", dir);
  return SGXRA_OK;
}

static sgxra_err open_state_dir(sgxra_ctx *cx, const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0) {
    if (errno != ENOENT || mkdir(dir, 0700) != 0)
      return sgxra__fail(cx, SGXRA_E_VERIFIER_STATE,
                         "cannot create state directory %s: %s", dir,
                         SGXRA__ERRNO_STR(errno));
    if (stat(dir, &st) != 0)
      return sgxra__fail(cx, SGXRA_E_VERIFIER_STATE, "state directory %s: %s",
                         dir, SGXRA__ERRNO_STR(errno));
  }
  if (!S_ISDIR(st.st_mode))
    return sgxra__fail(cx, SGXRA_E_VERIFIER_STATE,
                       "state directory %s is not a directory", dir);
  return check_private(cx, dir, &st, "state directory");
}

sgxra_err sgxra_verifier_open(sgxra_ctx *cx, const sgxra_verifier_options *opt,
                              sgxra_verifier_service **out) {
  if (out) *out = NULL;
  if (!opt || !out || !opt->state_dir || !opt->state_dir[0])
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_open: options, state_dir and out "
                       "are required");
  if ((opt->pccs != NULL) == (opt->collateral_dir != NULL))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_open: give exactly one collateral "
                       "source, a PCCS client or a collateral directory "
                       "(%s given)",
                       opt->pccs ? "both" : "none");
  if (opt->token_ttl < 0 || opt->nonce_ttl < 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_open: negative TTL");
  const char *iss = opt->issuer ? opt->issuer : "sgxra-verifier";
  if (strlen(iss) >= SGXRA__VERIFIER_ISSUER_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_open: issuer longer than %d bytes",
                       SGXRA__VERIFIER_ISSUER_MAX - 1);
  sgxra_verifier_service *v = calloc(1, sizeof *v);
  if (!v) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "verifier");
  snprintf(v->issuer, sizeof v->issuer, "%s", iss);
  v->token_ttl = opt->token_ttl ? opt->token_ttl : 300;
  v->nonce_ttl = opt->nonce_ttl ? opt->nonce_ttl : 300;
  v->max_quote = opt->max_quote ? opt->max_quote : (size_t)64 * 1024;
  v->pccs = opt->pccs;
  v->trust_root = opt->trust_root;
  sgxra_err e;
  int found = 0;
  if ((e = open_state_dir(cx, opt->state_dir)) ||
      (e = open_token_key(cx, v, opt->state_dir, opt->token_key_pem)) ||
      (e = sgxra__token_key_ids(cx, v)) ||
      (e = load_ias(cx, v, opt->state_dir, &found)) ||
      (!found && (e = create_ias(cx, v, opt->state_dir))))
    goto fail;
  v->ias_chain_url =
      sgxra_pcs_url_encode(v->ias_chain_pem, strlen(v->ias_chain_pem));
  if (!v->ias_chain_url) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "chain");
    goto fail;
  }
  if (opt->collateral_dir && (e = load_bundle(cx, v, opt->collateral_dir)))
    goto fail;
  *out = v;
  return SGXRA_OK;
fail:
  sgxra_verifier_close(v);
  return e;
}

void sgxra_verifier_close(sgxra_verifier_service *v) {
  if (!v) return;
  sgxra_p256_free(v->token_key);
  EVP_PKEY_free(v->ias_key);
  free(v->ias_chain_pem);
  free(v->ias_chain_url);
  sgxra_collateral_free(v->coll);
  for (int i = 0; i < SGXRA__ITEM_COUNT; i++) free(v->items[i]);
  free(v);
}

const char *sgxra_verifier_ias_chain_pem(const sgxra_verifier_service *v) {
  return v ? v->ias_chain_pem : NULL;
}
