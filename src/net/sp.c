/* net/sp.c -- the service provider's core (sgxra/sp_server.h): open, the
 * pool of store handles, routing, and the RA protocol's three routes.
 * The administration API: sp_admin.c; quote verification: sp_verify.c.
 *
 * One session, across replicas (docs/SP.md, "Sessions"):
 *
 *   POST /ra/v1/sessions           sgxra_ra_sp_begin; put the row
 *                                  (WAIT_MSG1, sealed state, expiry)
 *   POST .../{id}/msg1             get, open, sgxra_ra_sp_msg1; advance
 *                                  WAIT_MSG1 -> WAIT_MSG3 with the new state
 *   POST .../{id}/msg3             get, open, sgxra_ra_sp_msg3; advance
 *                                  WAIT_MSG3 -> APPRAISE (the one step a
 *                                  replay cannot repeat, on any replica);
 *                                  verify, appraise, audit, secret,
 *                                  sgxra_ra_sp_msg4; advance -> DONE
 *
 * Any protocol error advances the row from the state it was read in to
 * FAILED (a replayed msg3 does not: it must not end the session that is
 * being appraised). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "net/sp_internal.h"
#include "sgxra/hex.h"
#include "sgxra/pccs.h"
#include "sgxra/ra.h"

#define SESSIONS "/ra/v1/sessions"
#define ROUTE_SESSIONS "/ra/v1/sessions"
#define ROUTE_MSG1 "/ra/v1/sessions/{id}/msg1"
#define ROUTE_MSG3 "/ra/v1/sessions/{id}/msg3"
#define ROUTE_OTHER "other"
#define SECRET_KEY_LABEL "sgxra sp secret key v1"
/* Expired session rows are deleted by the first msg0 this often (seconds;
 * across replicas each does it, which is harmless). */
#define PURGE_INTERVAL 60

/* ---- responses ---------------------------------------------------------- */

void sgxra_sp_response_clear(sgxra_sp_response *r) {
  if (!r) return;
  free(r->body);
  memset(r, 0, sizeof *r);
  r->decision = -1;
}

static sgxra_err set_body(sgxra_ctx *cx, sgxra_sp_response *out,
                          unsigned status, const void *p, size_t n,
                          const char *type) {
  uint8_t *b = malloc(n + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "response");
  if (n) memcpy(b, p, n);
  b[n] = 0;
  free(out->body);
  out->body = b;
  out->body_len = n;
  out->status = status;
  out->content_type = type;
  return SGXRA_OK;
}

sgxra_err sgxra__sp_json(sgxra_ctx *cx, sgxra_sp_response *out, unsigned status,
                         json_t *o) {
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(o);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "response JSON");
  sgxra_err e = set_body(cx, out, status, s, strlen(s), "application/json");
  free(s);
  return e;
}

sgxra_err sgxra__sp_bytes(sgxra_ctx *cx, sgxra_sp_response *out,
                          unsigned status, const uint8_t *p, size_t n) {
  return set_body(cx, out, status, p, n, "application/octet-stream");
}

sgxra_err sgxra__sp_error(sgxra_ctx *cx, sgxra_sp_response *out,
                          unsigned status, const char *code, const char *fmt,
                          ...) {
  char msg[SGXRA_CTX_MSG_SIZE + 512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  out->code = code;
  return sgxra__sp_json(cx, out, status,
                        json_pack("{s:s, s:s}", "code", code, "message", msg));
}

sgxra_err sgxra__sp_store_error(sgxra_ctx *cx, sgxra_sp_response *out,
                                sgxra_err e) {
  if (e == SGXRA_E_NO_MEMORY) return e;
  unsigned status;
  switch (e) {
  case SGXRA_E_STORE_DUPLICATE:
    status = 409;
    break;
  case SGXRA_E_STORE_NOT_FOUND:
    status = 404;
    break;
  case SGXRA_E_STORE_BUSY:
  case SGXRA_E_STORE_CONNECTION:
  case SGXRA_E_STORE_OPEN:
    status = 503;
    break;
  case SGXRA_E_INVALID_ARGUMENT:
  case SGXRA_E_JSON:
  case SGXRA_E_TOO_LARGE:
    status = 400;
    break;
  default:
    status = 500;
    break;
  }
  return sgxra__sp_error(cx, out, status, sgxra_err_name(e), "%s",
                         sgxra_ctx_message(cx));
}

/* ---- the store pool --------------------------------------------------------
 */

sgxra_err sgxra__sp_store_get(sgxra_ctx *cx, sgxra_sp *sp, int64_t now,
                              sgxra_store **out) {
  *out = NULL;
  pthread_mutex_lock(&sp->pool_lock);
  if (sp->pool_n) *out = sp->pool[--sp->pool_n];
  pthread_mutex_unlock(&sp->pool_lock);
  if (*out) return SGXRA_OK;
  return sgxra_store_open(cx, sp->db_url, now, out);
}

void sgxra__sp_store_put(sgxra_sp *sp, sgxra_store *st, sgxra_err e) {
  if (!st) return;
  if (e == SGXRA_E_STORE_CONNECTION || e == SGXRA_E_STORE_DB) {
    sgxra_store_close(st); /* a handle that failed is not reused */
    return;
  }
  pthread_mutex_lock(&sp->pool_lock);
  if (sp->pool_n < sp->pool_cap) {
    sp->pool[sp->pool_n++] = st;
    st = NULL;
  }
  pthread_mutex_unlock(&sp->pool_lock);
  sgxra_store_close(st);
}

/* ---- open / close
 * ------------------------------------------------------------ */

void sgxra_sp_spid(const sgxra_sp *sp, uint8_t out[16]) {
  memcpy(out, sp->spid, 16);
}

sgxra_err sgxra_sp_open(sgxra_ctx *cx, const sgxra_sp_options *opt,
                        sgxra_sp **out) {
  if (out) *out = NULL;
  if (!opt || !out || !opt->db_url || !opt->db_url[0] || !opt->key)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sp_open: options with db_url and key, and out "
                       "are required");
  int modes = (opt->pccs != NULL) + (opt->collateral_dir != NULL) +
              (opt->verifier_url != NULL && opt->verifier_url[0]);
  if (modes != 1)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sp_open: give exactly one way to verify quotes "
                       "(a PCCS client, a collateral directory or a verifier "
                       "URL; %d given)",
                       modes);
  unsigned qv = opt->quote_version ? opt->quote_version : 3;
  if (qv < SGXRA_RA_QUOTE_TYPE_MIN || qv > SGXRA_RA_QUOTE_TYPE_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "quote version %u: msg2 asks for 3 or 4", qv);
  if (opt->session_ttl < 0 || opt->session_ttl > 86400)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "session TTL %" PRId64 " s: 1..86400", opt->session_ttl);
  if (opt->verifier_url && strlen(opt->verifier_url) >= SGXRA__SP_URL_MAX - 1)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "verifier URL too long");
  if (opt->verifier_ca_file &&
      strlen(opt->verifier_ca_file) >= SGXRA__SP_URL_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "CA file path too long");
  sgxra_sp *sp = calloc(1, sizeof *sp);
  if (!sp) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "sp");
  pthread_mutex_init(&sp->pool_lock, NULL);
  pthread_mutex_init(&sp->jwks_lock, NULL);
  pthread_mutex_init(&sp->coll_lock, NULL);
  sp->key = opt->key;
  sp->pccs = opt->pccs;
  sp->trust_root = opt->trust_root;
  sp->quote_version = qv;
  sp->session_ttl =
      opt->session_ttl ? opt->session_ttl : SGXRA_SP_DEFAULT_SESSION_TTL;
  sp->max_quote = opt->max_quote ? opt->max_quote : SGXRA_SP_DEFAULT_MAX_QUOTE;
  if (sp->max_quote > SGXRA_RA_QUOTE_MAX) sp->max_quote = SGXRA_RA_QUOTE_MAX;
  sp->pool_cap = opt->store_pool ? opt->store_pool : 8;
  if (sp->pool_cap > SGXRA__SP_POOL_MAX) sp->pool_cap = SGXRA__SP_POOL_MAX;
  sp->verifier_insecure = opt->verifier_insecure;
  if (opt->verifier_ca_file)
    snprintf(sp->verifier_ca_file, sizeof sp->verifier_ca_file, "%s",
             opt->verifier_ca_file);
  sgxra_err e = SGXRA_OK;
  if (opt->actor) {
    if (!opt->actor[0] || strlen(opt->actor) > SGXRA_STORE_ACTOR_MAX) {
      e = sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "actor: 1..%d bytes",
                      SGXRA_STORE_ACTOR_MAX);
      goto fail;
    }
    snprintf(sp->actor, sizeof sp->actor, "%s", opt->actor);
  } else {
    char host[64] = "localhost";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    snprintf(sp->actor, sizeof sp->actor, "sp:%s:%ld", host, (long)getpid());
  }
  if (!(sp->db_url = strdup(opt->db_url))) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "sp");
    goto fail;
  }
  if (opt->verifier_url && opt->verifier_url[0]) {
    snprintf(sp->verifier_url, sizeof sp->verifier_url, "%s",
             opt->verifier_url);
    size_t n = strlen(sp->verifier_url);
    while (n && sp->verifier_url[n - 1] == '/') sp->verifier_url[--n] = 0;
    if ((e = sgxra_pccs_global_init(cx))) goto fail;
  }
  /* the keys derived from the SP key */
  uint8_t d[SGXRA_P256_PRIVATE_SIZE];
  if ((e = sgxra_p256_private_raw(cx, sp->key, d))) {
    e = sgxra__context(cx, e, "the SP key");
    goto fail;
  }
  uint8_t buf[sizeof SECRET_KEY_LABEL - 1 + SGXRA_P256_PRIVATE_SIZE];
  uint8_t h[SGXRA_SHA256_SIZE];
  memcpy(buf, SECRET_KEY_LABEL, sizeof SECRET_KEY_LABEL - 1);
  memcpy(buf + sizeof SECRET_KEY_LABEL - 1, d, sizeof d);
  e = sgxra_sha256(cx, buf, sizeof buf, h);
  memcpy(sp->secret_key, h, SGXRA__SP_KEY_SIZE);
  sgxra_wipe(buf, sizeof buf);
  sgxra_wipe(h, sizeof h);
  sgxra_wipe(d, sizeof d);
  if (e) goto fail;
  if ((e = sgxra_ra_session_key(cx, sp->key, sp->session_key)) ||
      (e = sgxra_ra_spid(cx, sp->key, sp->spid)))
    goto fail;
  sgxra_ra_public_to_wire(sp->key, sp->pub_wire);
  if (opt->collateral_dir &&
      (e = sgxra_collateral_load_dir(cx, opt->collateral_dir, &sp->coll))) {
    e = sgxra__context(cx, e, "collateral directory %s", opt->collateral_dir);
    goto fail;
  }
  /* Validated once here (signatures, chains and CRLs do not depend on the
   * time; expiry is computed per quote at its verification time).  A
   * bundle that does not validate stays unvalidated: each quote then gets
   * the verdict that says why (sgxra_verify_quote validates per quote). */
  if (sp->coll && sgxra_collateral_validate(cx, sp->coll, sp->trust_root,
                                            opt->now) != SGXRA_OK)
    sgxra_ctx_clear(cx);
  /* the store: opened once now so that a wrong URL fails here, not at the
   * first request (and the schema is migrated before any thread runs) */
  sgxra_store *st = NULL;
  if ((e = sgxra_store_open(cx, sp->db_url, opt->now, &st))) goto fail;
  sgxra__sp_store_put(sp, st, SGXRA_OK);
  *out = sp;
  return SGXRA_OK;
fail:
  sgxra_sp_close(sp);
  return e;
}

void sgxra_sp_close(sgxra_sp *sp) {
  if (!sp) return;
  for (size_t i = 0; i < sp->pool_n; i++) sgxra_store_close(sp->pool[i]);
  sgxra__sp_coll_cache_free(sp);
  sgxra_collateral_free(sp->coll);
  sgxra_p256_free(sp->jwks_key);
  sgxra_wipe(sp->secret_key, sizeof sp->secret_key);
  sgxra_wipe(sp->session_key, sizeof sp->session_key);
  pthread_mutex_destroy(&sp->pool_lock);
  pthread_mutex_destroy(&sp->jwks_lock);
  pthread_mutex_destroy(&sp->coll_lock);
  free(sp->db_url);
  free(sp);
}

/* ---- the protocol
 * ------------------------------------------------------------ */

/* The HTTP status of a protocol error. */
static unsigned ra_status(sgxra_err e) {
  switch (e) {
  case SGXRA_E_RA_MESSAGE:
  case SGXRA_E_RA_GROUP:
    return 400;
  case SGXRA_E_RA_SIGNATURE:
  case SGXRA_E_RA_MAC:
  case SGXRA_E_RA_GA_MISMATCH:
  case SGXRA_E_RA_BINDING:
    return 403;
  case SGXRA_E_RA_SESSION:
    return 404;
  case SGXRA_E_RA_STATE:
  case SGXRA_E_RA_REPLAY:
    return 409;
  case SGXRA_E_RA_EXPIRED:
    return 410;
  case SGXRA_E_TOO_LARGE:
    return 413;
  case SGXRA_E_STORE_BUSY:
  case SGXRA_E_STORE_CONNECTION:
  case SGXRA_E_STORE_OPEN:
    return 503;
  default:
    return 500;
  }
}

/* Answer the protocol error e (message from cx, prefixed by `what`). */
static sgxra_err ra_fail(sgxra_ctx *cx, sgxra_sp_response *out, sgxra_err e,
                         const char *what) {
  if (e == SGXRA_E_NO_MEMORY) return e;
  return sgxra__sp_error(cx, out, ra_status(e), sgxra_err_name(e), "%s: %s",
                         what, sgxra_ctx_message(cx));
}

/* End the session: its row from `from` to FAILED (best effort: a row in
 * another state already is left as it is).  A session past msg3 (APPRAISE,
 * DONE) is not ended by a stray message: its msg3 was taken, and a replay
 * of it must keep being answered SGXRA_E_RA_REPLAY.  route_msg3 ends an
 * APPRAISE session itself (end_row) when its appraisal fails. */
static void end_row(sgxra_store *st, const char *id, int from, int64_t now) {
  sgxra_ctx *cx = sgxra_ctx_new();
  int adv = 0;
  if (cx && from != SGXRA_RA_SP_FAILED && from != SGXRA_RA_SP_DONE)
    if (sgxra_store_session_advance(cx, st, id, from, SGXRA_RA_SP_FAILED, NULL,
                                    0, now, &adv) != SGXRA_OK)
      adv = 0; /* nothing more to do: the session is unusable either way */
  sgxra_ctx_free(cx);
}

static void end_session(sgxra_store *st, const char *id, int from,
                        int64_t now) {
  if (from == SGXRA_RA_SP_WAIT_MSG1 || from == SGXRA_RA_SP_WAIT_MSG3)
    end_row(st, id, from, now);
}

/* A session id from the URL; 0 when it is not one. */
static int id_of(const char *path, const char *suffix, char id[33]) {
  const char *p = path + sizeof SESSIONS; /* after "/ra/v1/sessions/" */
  if (strlen(p) != 32 + strlen(suffix) || strcmp(p + 32, suffix)) return 0;
  memcpy(id, p, 32);
  id[32] = 0;
  return sgxra_store_session_id_valid(id);
}

static sgxra_err route_begin(sgxra_ctx *cx, sgxra_sp *sp,
                             const sgxra_sp_request *rq, int64_t now,
                             sgxra_sp_response *out) {
  sgxra_ra_sp_session s;
  sgxra_err e =
      sgxra_ra_sp_begin(cx, rq->body, rq->body_len, NULL, now, sp->session_ttl,
                        (uint16_t)sp->quote_version, &s);
  if (e) return ra_fail(cx, out, e, "msg0");
  sgxra_ra_session_id_hex(s.id, out->session);
  uint8_t *blob = NULL;
  size_t bn = 0;
  sgxra_store *st = NULL;
  if ((e = sgxra_ra_sp_session_seal(cx, sp->session_key, &s, &blob, &bn)))
    goto done;
  if ((e = sgxra__sp_store_get(cx, sp, now, &st))) {
    e = sgxra__sp_store_error(cx, out, e);
    goto done;
  }
  e = sgxra_store_session_put(cx, st, out->session, s.state, blob, bn, now,
                              s.expires);
  int64_t last = __atomic_load_n(&sp->last_purge, __ATOMIC_RELAXED);
  if (!e && now - last >= PURGE_INTERVAL &&
      __atomic_compare_exchange_n(&sp->last_purge, &last, now, 0,
                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    /* best effort: a failure here does not concern this session */
    sgxra_ctx *pcx = sgxra_ctx_new();
    if (pcx && sgxra_store_session_purge(pcx, st, now, NULL) != SGXRA_OK)
      __atomic_store_n(&sp->last_purge, last, __ATOMIC_RELAXED);
    sgxra_ctx_free(pcx);
  }
  sgxra__sp_store_put(sp, st, e);
  if (e) {
    e = sgxra__sp_store_error(cx, out, e);
    goto done;
  }
  e = sgxra__sp_json(cx, out, 201,
                     json_pack("{s:s, s:I}", "session", out->session, "expires",
                               (json_int_t)s.expires));
done:
  sgxra_ra_sp_session_wipe(&s);
  free(blob);
  return e;
}

/* Load session `id`: the row's state and the opened session, or the
 * answer (404 unknown, 410 expired -- which also ends it) in out. */
static sgxra_err load(sgxra_ctx *cx, sgxra_sp *sp, sgxra_store *st,
                      const char *id, int64_t now, int *out_state,
                      sgxra_ra_sp_session *s, int *answered,
                      sgxra_sp_response *out) {
  *answered = 1;
  int found = 0, state = 0;
  uint8_t *blob = NULL;
  size_t bn = 0;
  int64_t expires = 0;
  sgxra_err e =
      sgxra_store_session_get(cx, st, id, &found, &state, &blob, &bn, &expires);
  if (e) return sgxra__sp_store_error(cx, out, e);
  *out_state = state;
  if (!found) {
    e = sgxra__sp_error(cx, out, 404, sgxra_err_name(SGXRA_E_RA_SESSION),
                        "no session %s (never opened, or purged after it "
                        "expired): start again with msg0",
                        id);
    goto done;
  }
  /* the store advances only while expires > now: the same boundary */
  if (now >= expires) {
    end_session(st, id, state, now);
    e = sgxra__sp_error(cx, out, 410, sgxra_err_name(SGXRA_E_RA_EXPIRED),
                        "session %s expired %" PRId64 " s ago: start again "
                        "with msg0",
                        id, now - expires);
    goto done;
  }
  uint8_t raw[SGXRA_RA_SESSION_ID_SIZE];
  if ((e = sgxra_ra_session_id_parse(cx, id, raw)) ||
      (e = sgxra_ra_sp_session_open(cx, sp->session_key, raw, blob, bn, s))) {
    end_session(st, id, state, now);
    e = ra_fail(cx, out, e, "session state");
    goto done;
  }
  /* the row's state is the authority (FAILED is set on the row only) */
  s->state = state;
  *answered = 0;
done:
  sgxra_store_free(blob);
  return e;
}

/* Seal s and advance the row from -> s->state.  *advanced 0 when another
 * request advanced it first (or it expired meanwhile). */
static sgxra_err save(sgxra_ctx *cx, sgxra_sp *sp, sgxra_store *st,
                      const char *id, int from, const sgxra_ra_sp_session *s,
                      int64_t now, int *advanced) {
  uint8_t *blob = NULL;
  size_t bn = 0;
  sgxra_err e = sgxra_ra_sp_session_seal(cx, sp->session_key, s, &blob, &bn);
  if (!e)
    e = sgxra_store_session_advance(cx, st, id, from, s->state, blob, bn, now,
                                    advanced);
  free(blob);
  return e;
}

/* Why an advance from `from` failed: 410 expired, else 409 with `code`. */
static sgxra_err lost_race(sgxra_ctx *cx, sgxra_store *st, const char *id,
                           int64_t now, sgxra_err code, const char *what,
                           sgxra_sp_response *out) {
  int found = 0, state = 0;
  int64_t expires = 0;
  sgxra_err e =
      sgxra_store_session_get(cx, st, id, &found, &state, NULL, NULL, &expires);
  if (e) return sgxra__sp_store_error(cx, out, e);
  if (found && now >= expires)
    return sgxra__sp_error(cx, out, 410, sgxra_err_name(SGXRA_E_RA_EXPIRED),
                           "session %s expired before %s was taken", id, what);
  return sgxra__sp_error(cx, out, 409, sgxra_err_name(code),
                         "%s on session %s: another request (maybe on another "
                         "replica) took it first (state now %s)",
                         what, id, sgxra_ra_sp_state_name(state));
}

static sgxra_err route_msg1(sgxra_ctx *cx, sgxra_sp *sp, const char *id,
                            const sgxra_sp_request *rq, int64_t now,
                            sgxra_sp_response *out) {
  sgxra_store *st = NULL;
  sgxra_err e = sgxra__sp_store_get(cx, sp, now, &st);
  if (e) return sgxra__sp_store_error(cx, out, e);
  sgxra_ra_sp_session s;
  memset(&s, 0, sizeof s);
  int state = 0, answered = 0, adv = 0;
  uint8_t msg2[SGXRA_RA_MSG2_FIXED_SIZE];
  e = load(cx, sp, st, id, now, &state, &s, &answered, out);
  if (e || answered) goto done;
  if ((e = sgxra_ra_sp_msg1(cx, &s, sp->key, NULL, rq->body, rq->body_len, now,
                            msg2))) {
    end_session(st, id, state, now);
    e = ra_fail(cx, out, e, "msg1");
    goto done;
  }
  if ((e = save(cx, sp, st, id, state, &s, now, &adv))) {
    e = sgxra__sp_store_error(cx, out, e);
    goto done;
  }
  if (!adv) {
    e = lost_race(cx, st, id, now, SGXRA_E_RA_STATE, "msg1", out);
    goto done;
  }
  e = sgxra__sp_bytes(cx, out, 200, msg2, sizeof msg2);
done:
  sgxra_ra_sp_session_wipe(&s);
  sgxra__sp_store_put(sp, st, e ? e : sgxra_ctx_error(cx));
  return e;
}

/* The policy in force: the store's current one, else the default. */
static sgxra_err current_policy(sgxra_ctx *cx, sgxra_store *st,
                                sgxra_policy *p) {
  sgxra_err e = sgxra_policy_load_store(cx, st, 0, p);
  if (e == SGXRA_E_STORE_NOT_FOUND) e = sgxra_policy_default(cx, p);
  return e;
}

/* The secret of the matched entry, decrypted: *out NULL when none. */
static sgxra_err matched_secret(sgxra_ctx *cx, sgxra_sp *sp, sgxra_store *st,
                                const sgxra_decision *d, uint8_t **out,
                                size_t *out_n) {
  *out = NULL;
  *out_n = 0;
  if (!d->trusted || d->match == SGXRA_MATCH_NONE) return SGXRA_OK;
  sgxra_store_secret_binding b;
  memset(&b, 0, sizeof b);
  char bind[SGXRA__SP_BINDING_SIZE];
  if (d->match == SGXRA_MATCH_ENCLAVE) {
    b.kind = SGXRA_STORE_SECRET_MRENCLAVE;
    memcpy(b.mrenclave, d->enclave.mrenclave, SGXRA_HASH_SIZE);
    sgxra__sp_binding_text(0, b.mrenclave, 0, bind);
  } else {
    b.kind = SGXRA_STORE_SECRET_SIGNER;
    memcpy(b.mrsigner, d->signer.mrsigner, SGXRA_HASH_SIZE);
    b.isvprodid = d->signer.isvprodid;
    sgxra__sp_binding_text(1, b.mrsigner, b.isvprodid, bind);
  }
  int found = 0;
  uint8_t *sealed = NULL;
  size_t sn = 0;
  sgxra_err e = sgxra_store_secret_get(cx, st, &b, &found, NULL, &sealed, &sn);
  if (e || !found) return e;
  e = sgxra__sp_secret_open(cx, sp, bind, sealed, sn, out, out_n);
  sgxra_store_free(sealed);
  return e;
}

static sgxra_err route_msg3(sgxra_ctx *cx, sgxra_sp *sp, const char *id,
                            const sgxra_sp_request *rq, int64_t now,
                            sgxra_sp_response *out) {
  if (rq->body_len > SGXRA_RA_MSG3_HEADER_SIZE + sp->max_quote)
    return sgxra__sp_error(cx, out, 413, sgxra_err_name(SGXRA_E_TOO_LARGE),
                           "msg3 of %zu bytes: its quote may be at most %zu "
                           "bytes",
                           rq->body_len, sp->max_quote);
  sgxra_store *st = NULL;
  sgxra_err e = sgxra__sp_store_get(cx, sp, now, &st);
  if (e) return sgxra__sp_store_error(cx, out, e);
  sgxra_ra_sp_session s;
  memset(&s, 0, sizeof s);
  sgxra__sp_check *c = NULL;
  sgxra_policy *pol = NULL;
  sgxra_decision *d = NULL;
  uint8_t *secret = NULL, *msg4 = NULL;
  size_t secret_n = 0, msg4_n = 0;
  int state = 0, answered = 0, adv = 0;
  int64_t seq = 0;
  const uint8_t *quote = NULL;
  size_t qn = 0;
  e = load(cx, sp, st, id, now, &state, &s, &answered, out);
  if (e || answered) goto done;
  if (state == SGXRA_RA_SP_APPRAISE || state == SGXRA_RA_SP_DONE) {
    /* a replay: refused without ending the session being appraised */
    e = sgxra__sp_error(cx, out, 409, sgxra_err_name(SGXRA_E_RA_REPLAY),
                        "msg3 on session %s was taken already (state %s): a "
                        "replayed msg3 is refused",
                        id, sgxra_ra_sp_state_name(state));
    goto done;
  }
  if ((e = sgxra_ra_sp_msg3(cx, &s, rq->body, rq->body_len, now, &quote, &qn,
                            NULL))) {
    end_session(st, id, state, now);
    e = ra_fail(cx, out, e, "msg3");
    goto done;
  }
  /* msg3 is taken once, whichever replica gets there first */
  if ((e = save(cx, sp, st, id, state, &s, now, &adv))) {
    e = sgxra__sp_store_error(cx, out, e);
    goto done;
  }
  if (!adv) {
    e = lost_race(cx, st, id, now, SGXRA_E_RA_REPLAY, "msg3", out);
    goto done;
  }
  state = SGXRA_RA_SP_APPRAISE;
  c = calloc(1, sizeof *c);
  pol = calloc(1, sizeof *pol);
  d = calloc(1, sizeof *d);
  if (!c || !pol || !d) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "msg3");
    goto fail_session;
  }
  if ((e = sgxra__sp_verify(cx, sp, quote, qn, now, c))) goto fail_session;
  if (c->status) {
    e = sgxra__sp_error(cx, out, c->status, c->code, "%s", c->message);
    goto fail_session;
  }
  sgxra_registry_view view = sgxra_registry_view_store(st);
  sgxra_appraise_options ao;
  memset(&ao, 0, sizeof ao);
  ao.collateral = c->coll;
  if ((e = sgxra_appraise_options_report_data(cx, &ao, s.binding,
                                              sizeof s.binding)) ||
      (e = current_policy(cx, st, pol)) ||
      (e = sgxra_appraise(cx, &c->vd, &view, pol, &ao, now, d)) ||
      (e = sgxra_decision_audit(cx, st, d, sp->actor, &seq)) ||
      (e = matched_secret(cx, sp, st, d, &secret, &secret_n))) {
    e = e == SGXRA_E_NO_MEMORY
            ? e
            : sgxra__sp_error(cx, out, ra_status(e) == 500 ? 500 : 503,
                              sgxra_err_name(e), "appraisal: %s",
                              sgxra_ctx_message(cx));
    goto fail_session;
  }
  if ((e = sgxra_ra_sp_msg4(cx, &s, d, secret, secret_n, &msg4, &msg4_n))) {
    e = ra_fail(cx, out, e, "msg4");
    goto fail_session;
  }
  /* DONE; when the session expired meanwhile the row stays APPRAISE (a
   * replay is refused either way) */
  (void)save(cx, sp, st, id, SGXRA_RA_SP_APPRAISE, &s, now, &adv);
  out->decision = d->trusted;
  e = sgxra__sp_bytes(cx, out, 200, msg4, msg4_n);
  goto done;
fail_session:
  end_row(st, id, state, now);
done:
  sgxra_ra_sp_session_wipe(&s);
  if (secret) {
    sgxra_wipe(secret, secret_n);
    free(secret);
  }
  free(msg4);
  if (c) sgxra__sp_check_clear(c);
  free(c);
  free(pol);
  free(d);
  sgxra__sp_store_put(sp, st, e ? e : sgxra_ctx_error(cx));
  return e;
}

/* ---- routing
 * ------------------------------------------------------------------ */

static int has_prefix(const char *s, const char *p) {
  return strncmp(s, p, strlen(p)) == 0;
}

sgxra_err sgxra_sp_handle(sgxra_ctx *cx, sgxra_sp *sp,
                          const sgxra_sp_request *rq, int64_t now,
                          sgxra_sp_response *out) {
  if (!sp || !rq || !out || !rq->method || !rq->path ||
      (!rq->body && rq->body_len))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sp_handle: NULL argument");
  sgxra_sp_response_clear(out);
  const char *path = rq->path;
  if (has_prefix(path, "/admin/v1/"))
    return sgxra__sp_admin(cx, sp, rq, now, out);
  const char *route = NULL;
  char id[33] = "";
  if (!strcmp(path, SESSIONS)) {
    route = ROUTE_SESSIONS;
  } else if (has_prefix(path, SESSIONS "/")) {
    if (id_of(path, "/msg1", id))
      route = ROUTE_MSG1;
    else if (id_of(path, "/msg3", id))
      route = ROUTE_MSG3;
    else if (strlen(path) > sizeof SESSIONS &&
             (strstr(path, "/msg1") || strstr(path, "/msg3"))) {
      out->route = ROUTE_OTHER;
      return sgxra__sp_error(cx, out, 404, sgxra_err_name(SGXRA_E_RA_SESSION),
                             "no session %.64s: a session id is 32 lower-case "
                             "hex characters",
                             path + sizeof SESSIONS);
    }
  }
  if (!route) {
    out->route = ROUTE_OTHER;
    return sgxra__sp_error(cx, out, 404, "NotFound",
                           "no such path %.200s: served are POST "
                           "/ra/v1/sessions, POST /ra/v1/sessions/{id}/msg1 "
                           "and /msg3, /admin/v1/..., GET /healthz, GET "
                           "/metrics",
                           path);
  }
  out->route = route;
  memcpy(out->session, id, sizeof id);
  if (strcmp(rq->method, "POST")) {
    out->allow = "POST";
    return sgxra__sp_error(cx, out, 405, "MethodNotAllowed",
                           "method %.16s not allowed on %s: use POST",
                           rq->method, route);
  }
  if (!strcmp(route, ROUTE_SESSIONS)) return route_begin(cx, sp, rq, now, out);
  if (!strcmp(route, ROUTE_MSG1)) return route_msg1(cx, sp, id, rq, now, out);
  return route_msg3(cx, sp, id, rq, now, out);
}
