/* net/sp_verify.c -- the service provider's quote verification (see
 * sgxra/sp_server.h and docs/SP.md, "Verification"):
 *
 *   in process   collateral through the PCCS client (and its shared cache)
 *                or from one bundle directory, validated once, then a
 *                verifier over it per quote (sgxra/verify.h);
 *   remote       `sgxra serve verifier`: GET /v1/nonce, POST /v1/attest
 *                {"quote", "nonce"}, the token's ES256 signature checked
 *                with the key of GET /v1/certs named by its "kid", the
 *                nonce echoed in "verifier_nonce", the quote's SHA-256 in
 *                "sgx_collateral.quotehash"; the verdict is rebuilt from
 *                the claims, the identity from the quote parsed here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/dl_curl.h"
#include "net/sp_internal.h"
#include "sgxra/base64.h"
#include "sgxra/hex.h"
#include "sgxra/pccs.h"
#include "sgxra/qlresult.h"
#include "sgxra/quote.h"
#include "sgxra/tcbstatus.h"
#include "sgxra/timeutil.h"

#define RESPONSE_CAP ((size_t)1 << 20)
#define CONNECT_TIMEOUT_MS 5000L
#define TOTAL_TIMEOUT_MS 30000L

/* ---- the collateral cache (pccs mode)
 * ---------------------------------------- */

static void coll_unref(sgxra_sp *sp, sgxra__sp_coll *ce) {
  if (!ce) return;
  pthread_mutex_lock(&sp->coll_lock);
  int last = --ce->refs == 0;
  pthread_mutex_unlock(&sp->coll_lock);
  if (last) {
    sgxra_pccs_result_free(ce->res);
    free(ce);
  }
}

static int same_key(const sgxra_store_collateral_key *a,
                    const sgxra_store_collateral_key *b) {
  return !memcmp(a->fmspc, b->fmspc, sizeof a->fmspc) &&
         !strcmp(a->ca, b->ca) && !strcmp(a->update, b->update);
}

/* The collateral of `key`: a cached result younger than SGXRA__SP_COLL_TTL,
 * else a fresh one from the PCCS client, which then replaces the slot. */
static sgxra_err coll_get(sgxra_ctx *cx, sgxra_sp *sp,
                          const sgxra_store_collateral_key *key, int64_t now,
                          sgxra__sp_coll **out) {
  *out = NULL;
  size_t slot = SGXRA__SP_COLL_SLOTS;
  pthread_mutex_lock(&sp->coll_lock);
  for (size_t i = 0; i < SGXRA__SP_COLL_SLOTS; i++) {
    sgxra__sp_coll *ce = sp->coll_cache[i];
    if (!ce) {
      if (slot == SGXRA__SP_COLL_SLOTS) slot = i;
      continue;
    }
    if (!same_key(&ce->key, key)) continue;
    slot = i;
    if (now >= ce->at && now - ce->at < SGXRA__SP_COLL_TTL) {
      ce->refs++;
      *out = ce;
    }
    break;
  }
  pthread_mutex_unlock(&sp->coll_lock);
  if (*out) return SGXRA_OK;
  sgxra__sp_coll *ce = calloc(1, sizeof *ce);
  if (!ce) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "collateral");
  sgxra_err e = sgxra_pccs_get_collateral(cx, sp->pccs, key, sp->trust_root,
                                          now, &ce->res);
  if (e) {
    free(ce);
    return e;
  }
  ce->key = *key;
  ce->at = now;
  ce->refs = 2; /* the caller's and the cache's */
  if (slot == SGXRA__SP_COLL_SLOTS) slot = (size_t)(now % SGXRA__SP_COLL_SLOTS);
  pthread_mutex_lock(&sp->coll_lock);
  sgxra__sp_coll *old = sp->coll_cache[slot];
  sp->coll_cache[slot] = ce;
  pthread_mutex_unlock(&sp->coll_lock);
  coll_unref(sp, old);
  *out = ce;
  return SGXRA_OK;
}

void sgxra__sp_coll_cache_free(sgxra_sp *sp) {
  for (size_t i = 0; i < SGXRA__SP_COLL_SLOTS; i++) {
    coll_unref(sp, sp->coll_cache[i]);
    sp->coll_cache[i] = NULL;
  }
}

void sgxra__sp_check_clear(sgxra__sp_check *c) {
  if (c->sp) coll_unref(c->sp, c->ce);
  memset(c, 0, sizeof *c);
}

static sgxra_err unavailable(sgxra__sp_check *c, unsigned status,
                             const char *code, const char *fmt, ...)
    SGXRA__PRINTF(4, 5);
static sgxra_err unavailable(sgxra__sp_check *c, unsigned status,
                             const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->message, sizeof c->message, fmt, ap);
  va_end(ap);
  c->status = status;
  c->code = code;
  return SGXRA_OK;
}

/* ---- in process ------------------------------------------------------------
 */

static int is_resource_error(sgxra_err e) {
  return e == SGXRA_E_NO_MEMORY || e == SGXRA_E_INVALID_ARGUMENT;
}

static sgxra_err verify_local(sgxra_ctx *cx, sgxra_sp *sp, const uint8_t *quote,
                              size_t n, int64_t now, sgxra__sp_check *c) {
  const sgxra_collateral *coll = sp->coll;
  if (sp->pccs) {
    sgxra_store_collateral_key key;
    sgxra_err e = sgxra_pccs_key_from_quote(cx, quote, n, NULL, &key);
    if (e == SGXRA_E_NO_MEMORY) return e;
    if (e)
      return unavailable(c, 400, sgxra_err_name(e), "msg3's quote: %s",
                         sgxra_ctx_message(cx));
    e = coll_get(cx, sp, &key, now, &c->ce);
    if (e) {
      if (is_resource_error(e)) return e;
      return unavailable(c, 503, sgxra_err_name(e),
                         "no collateral for FMSPC %s (%s CA): %s", key.fmspc,
                         key.ca, sgxra_ctx_message(cx));
    }
    coll = c->ce->res->collateral;
  }
  /* Collateral validated already (by the PCCS client when it was fetched,
   * or at open for a bundle) is not validated again per quote: a verifier
   * over it checks the quote with Intel's steps and the expiry at `now`.
   * Otherwise the one-shot path validates it and reports why it fails. */
  sgxra_err e;
  if (sgxra_collateral_is_validated(coll)) {
    sgxra_verifier *v = NULL;
    e = sgxra_verifier_new(cx, coll, &v);
    if (!e) e = sgxra_verifier_verify(cx, v, quote, n, now, &c->vd);
    sgxra_verifier_free(v);
  } else {
    e = sgxra_verify_quote(cx, quote, n, coll, sp->trust_root, now, &c->vd);
  }
  if (e) return e;
  if (!c->vd.has_quote || c->vd.stage == SGXRA_STAGE_QUOTE)
    return unavailable(c, 400, sgxra_err_name(c->vd.err), "msg3's quote: %s",
                       c->vd.reason);
  c->coll = coll;
  return SGXRA_OK;
}

/* ---- HTTP to the verifier
 * ---------------------------------------------------- */

typedef struct buf {
  uint8_t *p;
  size_t n;
  int over;
} buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg) {
  buf *b = arg;
  size_t k = size * nmemb;
  if (b->over || k > RESPONSE_CAP - b->n) {
    b->over = 1;
    return 0;
  }
  uint8_t *np = realloc(b->p, b->n + k + 1);
  if (!np) {
    b->over = 2;
    return 0;
  }
  memcpy(np + b->n, data, k);
  b->p = np;
  b->n += k;
  b->p[b->n] = 0;
  return k;
}

/* GET (body NULL) or POST JSON to verifier_url + path; the JSON answer of
 * a 200 in *out.  Anything else: c->status 503 (SGXRA_E_NET_*). */
static sgxra_err call(sgxra_ctx *cx, sgxra_sp *sp, const char *path,
                      const char *body, json_t **out, sgxra__sp_check *c) {
  *out = NULL;
  char url[SGXRA__SP_URL_MAX + 64];
  snprintf(url, sizeof url, "%s%s", sp->verifier_url, path);
  sgxra_err le = sgxra__curl_load(cx); /* loaded by sgxra_sp_new already */
  if (le) return le;
  CURL *h = curl_easy_init();
  if (!h) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "curl handle");
  char ebuf[CURL_ERROR_SIZE] = "";
  buf b = {0};
  struct curl_slist *hdrs = NULL;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, sp->verifier_insecure ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, sp->verifier_insecure ? 0L : 2L);
  if (sp->verifier_ca_file[0])
    curl_easy_setopt(h, CURLOPT_CAINFO, sp->verifier_ca_file);
  if (body) {
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  curl_slist_free_all(hdrs);
  sgxra_err e = SGXRA_OK;
  if (b.over == 2) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "verifier response");
  } else if (b.over) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_TOO_LARGE),
                "verifier %s: answer over %zu bytes", url, RESPONSE_CAP);
  } else if (rc != CURLE_OK) {
    sgxra_err code =
        rc == CURLE_OPERATION_TIMEDOUT ? SGXRA_E_NET_TIMEOUT
        : rc == CURLE_COULDNT_CONNECT  ? SGXRA_E_NET_CONNECT
        : (rc == CURLE_PEER_FAILED_VERIFICATION ||
           rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE ||
           rc == CURLE_SSL_CERTPROBLEM)
            ? SGXRA_E_NET_TLS
            : SGXRA_E_NET;
    unavailable(c, 503, sgxra_err_name(code), "verifier %s: %s", url,
                ebuf[0] ? ebuf : curl_easy_strerror(rc));
  } else if (status != 200) {
    /* the verifier's own {"code", "message"} when it gave one */
    json_t *o = b.p ? json_loadb((const char *)b.p, b.n, 0, NULL) : NULL;
    const char *vc = json_string_value(json_object_get(o, "code"));
    const char *vm = json_string_value(json_object_get(o, "message"));
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_HTTP),
                "verifier %s answered HTTP %ld%s%s%s%s", url, status,
                vc ? ": " : "", vc ? vc : "", vm ? ": " : "", vm ? vm : "");
    json_decref(o);
  } else {
    json_error_t je;
    *out = b.p ? json_loadb((const char *)b.p, b.n, 0, &je) : NULL;
    if (!*out || !json_is_object(*out)) {
      json_decref(*out);
      *out = NULL;
      unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                  "verifier %s: the answer is not a JSON object", url);
    }
  }
  free(b.p);
  return e;
}

/* base64url text -> bytes (at most cap). */
static sgxra_err b64url(sgxra_ctx *cx, const char *s, size_t n, size_t cap,
                        uint8_t **out, size_t *out_n) {
  return sgxra_base64_decode_text(
      cx, s, n, SGXRA_BASE64_URL | SGXRA_BASE64_PAD_OPTIONAL, cap, out, out_n);
}

/* The verifier's token key named `kid`, from GET /v1/certs (cached). */
static sgxra_err token_key(sgxra_ctx *cx, sgxra_sp *sp, const char *kid,
                           sgxra_p256_key **out, sgxra__sp_check *c) {
  *out = NULL;
  pthread_mutex_lock(&sp->jwks_lock);
  int have = sp->jwks_key && !strcmp(sp->jwks_kid, kid);
  pthread_mutex_unlock(&sp->jwks_lock);
  json_t *jwks = NULL;
  sgxra_err e = SGXRA_OK;
  sgxra_p256_key *k = NULL;
  if (!have) {
    if ((e = call(cx, sp, "/v1/certs", NULL, &jwks, c)) || c->status) return e;
    json_t *keys = json_object_get(jwks, "keys");
    json_t *found = NULL;
    for (size_t i = 0; i < json_array_size(keys); i++) {
      json_t *jk = json_array_get(keys, i);
      const char *id = json_string_value(json_object_get(jk, "kid"));
      if (id && !strcmp(id, kid)) found = jk;
    }
    const char *x = json_string_value(json_object_get(found, "x"));
    const char *y = json_string_value(json_object_get(found, "y"));
    const char *crv = json_string_value(json_object_get(found, "crv"));
    uint8_t *xb = NULL, *yb = NULL;
    size_t xn = 0, yn = 0;
    if (!found || !x || !y || !crv || strcmp(crv, "P-256") ||
        b64url(cx, x, strlen(x), 64, &xb, &xn) ||
        b64url(cx, y, strlen(y), 64, &yb, &yn) || xn != 32 || yn != 32) {
      free(xb);
      free(yb);
      json_decref(jwks);
      return unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                         "verifier %s/v1/certs has no usable P-256 key with "
                         "kid \"%.64s\"",
                         sp->verifier_url, kid);
    }
    uint8_t xy[64];
    memcpy(xy, xb, 32);
    memcpy(xy + 32, yb, 32);
    free(xb);
    free(yb);
    json_decref(jwks);
    e = sgxra_p256_from_public(cx, xy, &k);
    if (e == SGXRA_E_NO_MEMORY) return e;
    if (e)
      return unavailable(c, 503, sgxra_err_name(e), "verifier's token key: %s",
                         sgxra_ctx_message(cx));
    pthread_mutex_lock(&sp->jwks_lock);
    sgxra_p256_free(sp->jwks_key);
    sp->jwks_key = k;
    snprintf(sp->jwks_kid, sizeof sp->jwks_kid, "%s", kid);
    pthread_mutex_unlock(&sp->jwks_lock);
  }
  /* A copy for this thread: the cached key may be replaced meanwhile. */
  pthread_mutex_lock(&sp->jwks_lock);
  uint8_t xy[64];
  int ok = sp->jwks_key != NULL;
  if (ok) sgxra_p256_public_raw(sp->jwks_key, xy);
  pthread_mutex_unlock(&sp->jwks_lock);
  if (!ok)
    return unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                       "verifier's token key is gone");
  return sgxra_p256_from_public(cx, xy, out);
}

/* Check the JWT and return its claims. */
static sgxra_err token_claims(sgxra_ctx *cx, sgxra_sp *sp, const char *jwt,
                              json_t **out, sgxra__sp_check *c) {
  *out = NULL;
  const char *d1 = strchr(jwt, '.');
  const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
  if (!d1 || !d2 || strchr(d2 + 1, '.'))
    return unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                       "the verifier's token is not a JWT (three parts)");
  uint8_t *hb = NULL, *pb = NULL, *sb = NULL;
  size_t hn = 0, pn = 0, sn = 0;
  json_t *hdr = NULL, *claims = NULL;
  sgxra_p256_key *key = NULL;
  sgxra_err e = SGXRA_OK;
  if (b64url(cx, jwt, (size_t)(d1 - jwt), 4096, &hb, &hn) ||
      b64url(cx, d1 + 1, (size_t)(d2 - d1 - 1), RESPONSE_CAP, &pb, &pn) ||
      b64url(cx, d2 + 1, strlen(d2 + 1), 128, &sb, &sn) ||
      !(hdr = json_loadb((const char *)hb, hn, 0, NULL)) ||
      !(claims = json_loadb((const char *)pb, pn, 0, NULL)) || sn != 64) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "the verifier's token does not decode");
    goto done;
  }
  const char *alg = json_string_value(json_object_get(hdr, "alg"));
  const char *kid = json_string_value(json_object_get(hdr, "kid"));
  if (!alg || strcmp(alg, "ES256") || !kid) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "the verifier's token is not ES256 with a kid (alg %.16s)",
                alg ? alg : "none");
    goto done;
  }
  if ((e = token_key(cx, sp, kid, &key, c)) || c->status) goto done;
  e = sgxra_p256_verify(cx, key, jwt, (size_t)(d2 - jwt), sb);
  if (e == SGXRA_E_NO_MEMORY) goto done;
  if (e) {
    e = SGXRA_OK;
    unavailable(c, 503, sgxra_err_name(SGXRA_E_CRYPTO_SIG_INVALID),
                "the verifier's token signature does not verify with its key "
                "%.64s",
                kid);
    goto done;
  }
  if (!json_is_object(claims)) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "the token's claims are not an object");
    goto done;
  }
  *out = claims;
  claims = NULL;
done:
  sgxra_p256_free(key);
  json_decref(hdr);
  json_decref(claims);
  free(hb);
  free(pb);
  free(sb);
  return e;
}

static sgxra_ql_result ql_from_name(const char *s, int *ok) {
  *ok = 1;
#define SGXRA__QL_FIND(name, num)                                              \
  if (s && !strcmp(s, "SGX_QL_" #name)) return SGXRA_QL_##name;
  SGXRA_QL_RESULTS(SGXRA__QL_FIND)
#undef SGXRA__QL_FIND
  *ok = 0;
  return SGXRA_QL_SUCCESS;
}

/* The verdict from the claims; the identity from the quote itself. */
static void verdict_from_claims(const json_t *cl, const sgxra_quote *q,
                                int64_t now, sgxra__sp_check *c) {
  (void)now;
  sgxra_verdict *vd = &c->vd;
  int ok = 0;
  const char *ret = json_string_value(json_object_get(cl, "sgxra_return"));
  vd->ql_return = ql_from_name(ret, &ok);
  int genuine = json_is_true(json_object_get(cl, "sgxra_genuine"));
  if (!ok || !genuine != (vd->ql_return != SGXRA_QL_SUCCESS)) {
    /* an unknown return name, or one that disagrees with sgxra_genuine:
     * fail closed */
    vd->ql_return = SGXRA_QL_ERROR_UNEXPECTED;
    genuine = 0;
  }
  snprintf(c->qv_result, sizeof c->qv_result, "%s",
           json_string_value(json_object_get(cl, "sgxra_verdict"))
               ? json_string_value(json_object_get(cl, "sgxra_verdict"))
               : "");
  vd->qv_result = c->qv_result;
  vd->collateral_expired =
      json_is_true(json_object_get(cl, "collateral_expired"));
  vd->err = genuine ? SGXRA_OK : SGXRA_E_NET_BAD_RESPONSE;
  if (!genuine) {
    const char *why = json_string_value(json_object_get(cl, "sgxra_reason"));
    const char *code = json_string_value(json_object_get(cl, "sgxra_error"));
    snprintf(vd->reason, sizeof vd->reason, "the verifier says: %s%s%s%s",
             why ? why : "not genuine", code ? " [" : "", code ? code : "",
             code ? "]" : "");
  }
  const char *st =
      json_string_value(json_object_get(cl, "attester_tcb_status"));
  if (genuine && st) {
    vd->has_tcb_level = 1;
    vd->tcb_status = vd->final_status =
        sgxra_tcb_status_from_name(st, strlen(st));
    const char *date =
        json_string_value(json_object_get(cl, "attester_tcb_date"));
    if (date &&
        sgxra_time_parse_rfc3339(NULL, date, strlen(date), &vd->tcb_date))
      vd->tcb_date = 0;
    json_t *adv = json_object_get(cl, "attester_advisory_ids");
    for (size_t i = 0; i < json_array_size(adv) &&
                       vd->advisory_count < SGXRA_VERDICT_ADVISORY_MAX;
         i++) {
      const char *id = json_string_value(json_array_get(adv, i));
      if (!id) continue;
      snprintf(vd->advisory_ids[vd->advisory_count++],
               SGXRA_VERDICT_ADVISORY_SIZE, "%s", id);
    }
  }
  const char *fmspc = json_string_value(json_object_get(cl, "fmspc"));
  if (fmspc && strlen(fmspc) == 2 * SGXRA_FMSPC_SIZE &&
      sgxra_hex_decode(NULL, fmspc, strlen(fmspc), vd->pck.fmspc,
                       SGXRA_FMSPC_SIZE) == SGXRA_OK)
    vd->has_pck = 1;
  vd->has_quote = 1;
  vd->header = q->header;
  vd->report = q->report_body;
  vd->qe_report = q->qe_report;
}

static sgxra_err verify_remote(sgxra_ctx *cx, sgxra_sp *sp,
                               const uint8_t *quote, size_t n, int64_t now,
                               sgxra__sp_check *c) {
  sgxra_quote q;
  sgxra_err e = sgxra_quote_parse(cx, quote, n, &q);
  if (e == SGXRA_E_NO_MEMORY) return e;
  if (e)
    return unavailable(c, 400, sgxra_err_name(e), "msg3's quote: %s",
                       sgxra_ctx_message(cx));
  json_t *nonce = NULL, *resp = NULL, *claims = NULL, *req = NULL;
  char *b64 = NULL, *body = NULL;
  if ((e = call(cx, sp, "/v1/nonce", NULL, &nonce, c)) || c->status) goto done;
  size_t bl = sgxra_base64_encoded_len(n, SGXRA_BASE64_STD);
  if (bl == SIZE_MAX || !(b64 = malloc(bl + 1))) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "quote");
    goto done;
  }
  sgxra_base64_encode(quote, n, b64);
  req = json_pack("{s:s, s:O}", "quote", b64, "nonce", nonce);
  body = req ? json_dumps(req, JSON_COMPACT) : NULL;
  if (!body) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "request");
    goto done;
  }
  if ((e = call(cx, sp, "/v1/attest", body, &resp, c)) || c->status) goto done;
  const char *jwt = json_string_value(json_object_get(resp, "token"));
  if (!jwt) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "verifier %s/v1/attest: no \"token\" in its answer",
                sp->verifier_url);
    goto done;
  }
  if ((e = token_claims(cx, sp, jwt, &claims, c)) || c->status) goto done;
  /* the token is about this request: our nonce, our quote */
  if (!json_equal(json_object_get(claims, "verifier_nonce"), nonce)) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "the verifier's token does not echo the nonce of this "
                "request");
    goto done;
  }
  uint8_t h[SGXRA_SHA256_SIZE];
  char hh[2 * SGXRA_SHA256_SIZE + 1];
  if ((e = sgxra_sha256(cx, quote, n, h))) goto done;
  sgxra_hex_encode(h, sizeof h, hh);
  const char *qh = json_string_value(
      json_object_get(json_object_get(claims, "sgx_collateral"), "quotehash"));
  if (!qh || strcmp(qh, hh)) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "the verifier's token is about another quote (quotehash "
                "%.64s, this quote's %s)",
                qh ? qh : "missing", hh);
    goto done;
  }
  json_t *exp = json_object_get(claims, "exp");
  if (!json_is_integer(exp) || json_integer_value(exp) < now) {
    unavailable(c, 503, sgxra_err_name(SGXRA_E_NET_BAD_RESPONSE),
                "the verifier's token has expired or has no exp");
    goto done;
  }
  verdict_from_claims(claims, &q, now, c);
done:
  json_decref(nonce);
  json_decref(resp);
  json_decref(claims);
  json_decref(req);
  free(body);
  free(b64);
  return e;
}

sgxra_err sgxra__sp_verify(sgxra_ctx *cx, sgxra_sp *sp, const uint8_t *quote,
                           size_t n, int64_t now, sgxra__sp_check *c) {
  memset(c, 0, sizeof *c);
  c->sp = sp;
  if (sp->verifier_url[0]) return verify_remote(cx, sp, quote, n, now, c);
  return verify_local(cx, sp, quote, n, now, c);
}
