/*
 * net/sp_internal.h -- what the service provider's files share (sp.c: open,
 * the store pool, routing, the RA sessions; sp_admin.c: the administration
 * API; sp_verify.c: quote verification in process or through `serve
 * verifier`).  Not installed; names are sgxra__*.
 */
#ifndef SGXRA_NET_SP_INTERNAL_H
#define SGXRA_NET_SP_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/internal.h"
#include "sgxra/collateral.h"
#include "sgxra/policy.h"
#include "sgxra/sp_server.h"
#include "sgxra/store.h"
#include "sgxra/verify.h"

#define SGXRA__SP_POOL_MAX 64
#define SGXRA__SP_URL_MAX 2048
#define SGXRA__SP_KEY_SIZE 16
/* Collateral from the PCCS client is kept this long (seconds) per key
 * (FMSPC, CA), shared by the threads, instead of being parsed again for
 * every quote; sgxra_verify_quote still validates it at each quote's time,
 * so a copy that stopped being valid is refused, never accepted. */
#define SGXRA__SP_COLL_TTL 60
#define SGXRA__SP_COLL_SLOTS 16

/* One cached PCCS result, reference-counted (sp->coll_lock). */
typedef struct sgxra__sp_coll {
  sgxra_store_collateral_key key;
  sgxra_pccs_result *res;
  int64_t at; /* when it was fetched */
  unsigned refs;
} sgxra__sp_coll;

struct sgxra_sp {
  char *db_url;
  const sgxra_p256_key *key;               /* borrowed */
  uint8_t pub_wire[64];                    /* gx || gy, little-endian */
  uint8_t spid[16];                        /* SHA-256(pub_wire)[0..16) */
  uint8_t secret_key[SGXRA__SP_KEY_SIZE];  /* secrets at rest */
  uint8_t session_key[SGXRA__SP_KEY_SIZE]; /* sealed session states */
  /* verification */
  sgxra_pccs_client *pccs;              /* borrowed */
  sgxra_collateral *coll;               /* collateral_dir: loaded once */
  const sgxra_x509_cert *trust_root;    /* borrowed */
  char verifier_url[SGXRA__SP_URL_MAX]; /* "" in process; no trailing '/' */
  char verifier_ca_file[SGXRA__SP_URL_MAX];
  int verifier_insecure;
  pthread_mutex_t jwks_lock; /* guards the verifier's token key below */
  sgxra_p256_key *jwks_key;
  char jwks_kid[128];
  /* protocol */
  unsigned quote_version;
  int64_t session_ttl;
  size_t max_quote;
  char actor[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t last_purge; /* when expired sessions were last purged (atomic) */
  pthread_mutex_t coll_lock; /* guards coll_cache and the entries' refs */
  sgxra__sp_coll *coll_cache[SGXRA__SP_COLL_SLOTS];
  /* the pool of idle store handles */
  pthread_mutex_t pool_lock;
  sgxra_store *pool[SGXRA__SP_POOL_MAX];
  size_t pool_n, pool_cap;
};

/* ---- responses (sp.c) ------------------------------------------------------
 */

/* status + {"code", "message"} (message formatted; code static). */
sgxra_err sgxra__sp_error(sgxra_ctx *cx, sgxra_sp_response *out,
                          unsigned status, const char *code, const char *fmt,
                          ...) SGXRA__PRINTF(5, 6);
/* status + the compact JSON of o (keys sorted); o is consumed. */
sgxra_err sgxra__sp_json(sgxra_ctx *cx, sgxra_sp_response *out, unsigned status,
                         json_t *o);
/* status + bytes (copied), application/octet-stream. */
sgxra_err sgxra__sp_bytes(sgxra_ctx *cx, sgxra_sp_response *out,
                          unsigned status, const uint8_t *p, size_t n);
/* A store error as an answer: 409 duplicate, 404 not found, 503 busy or
 * connection lost, 400 invalid argument / JSON / too large, else 500;
 * the code is the error's name. */
sgxra_err sgxra__sp_store_error(sgxra_ctx *cx, sgxra_sp_response *out,
                                sgxra_err e);

/* ---- the store pool (sp.c) --------------------------------------------------
 */

/* An open handle for this thread (an idle one, or a new one). */
sgxra_err sgxra__sp_store_get(sgxra_ctx *cx, sgxra_sp *sp, int64_t now,
                              sgxra_store **out);
/* Give it back; `e` the last error seen on it (a connection error closes
 * it instead). */
void sgxra__sp_store_put(sgxra_sp *sp, sgxra_store *st, sgxra_err e);

/* ---- admin (sp_admin.c)
 * ------------------------------------------------------ */

/* Answer a request under /admin/v1/. */
sgxra_err sgxra__sp_admin(sgxra_ctx *cx, sgxra_sp *sp,
                          const sgxra_sp_request *rq, int64_t now,
                          sgxra_sp_response *out);

/* The binding text of a secret, the AAD of its encryption at rest:
 * "mrenclave:<64 hex>" or "mrsigner:<64 hex>:<isvprodid>". */
#define SGXRA__SP_BINDING_SIZE 96
void sgxra__sp_binding_text(int by_signer, const uint8_t mr[SGXRA_HASH_SIZE],
                            uint16_t isvprodid,
                            char out[SGXRA__SP_BINDING_SIZE]);
/* Encrypt a secret for storage: iv (12) || tag (16) || ct; *out malloc'ed. */
sgxra_err sgxra__sp_secret_seal(sgxra_ctx *cx, const sgxra_sp *sp,
                                const char *binding, const uint8_t *p, size_t n,
                                uint8_t **out, size_t *out_n);
/* Decrypt a stored secret; *out malloc'ed (wipe it). */
sgxra_err sgxra__sp_secret_open(sgxra_ctx *cx, const sgxra_sp *sp,
                                const char *binding, const uint8_t *p, size_t n,
                                uint8_t **out, size_t *out_n);

/* ---- verification (sp_verify.c) --------------------------------------------
 */

typedef struct sgxra__sp_check {
  sgxra_verdict vd;
  sgxra_sp *sp;
  sgxra__sp_coll *ce;           /* pccs mode: the collateral (a reference) */
  const sgxra_collateral *coll; /* what appraise may read; NULL remote */
  char qv_result[64]; /* remote: the verdict's name (vd points here) */
  /* Set when no verdict could be had: the answer's status and code. */
  unsigned status;
  const char *code;
  char message[SGXRA_CTX_MSG_SIZE + 256];
} sgxra__sp_check;

/* Verify quote[0..n) at `now` in the configured mode.  SGXRA_OK with
 * c->status 0 and c->vd the verdict; SGXRA_OK with c->status (400 a quote
 * that does not parse, 503 collateral or verifier unavailable) and the
 * reason in c->code / c->message; an error only for lack of memory. */
sgxra_err sgxra__sp_verify(sgxra_ctx *cx, sgxra_sp *sp, const uint8_t *quote,
                           size_t n, int64_t now, sgxra__sp_check *c);
void sgxra__sp_check_clear(sgxra__sp_check *c);
/* Drop the cached collateral (sgxra_sp_close). */
void sgxra__sp_coll_cache_free(sgxra_sp *sp);

#endif
