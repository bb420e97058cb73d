/* The collateral cache: Intel collateral kept by (FMSPC, CA type, update
 * type), with a lease per key so that one process fetches while the others
 * wait.  The same SQL runs on both backends (INSERT ... ON CONFLICT ... DO
 * UPDATE and RETURNING exist in SQLite >= 3.35 and PostgreSQL >= 9.5).
 * Cache writes append no audit row and do not queue on the chain head.
 * See sgxra/store.h and docs/STORE.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* The items in their column order (and in sgxra_collateral_buffers). */
#define ITEM_COLS                                                              \
  "pck_crl_issuer_chain, root_ca_crl, pck_crl, tcb_info, "                     \
  "tcb_info_issuer_chain, qe_identity, qe_identity_issuer_chain, root_ca"
#define N_ITEMS SGXRA_COLLATERAL_ITEMS
#define META_COLS                                                              \
  "fmspc, ca, update_type, fetched_at, next_update, tcb_eval_num, source"
#define N_META 7

static int one_of(const char *s, size_t cap, const char *a, const char *b) {
  size_t n = strnlen(s, cap);
  return n < cap && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

static sgxra_err check_key(sgxra_ctx *cx, const sgxra_store *st,
                           const sgxra_store_collateral_key *k,
                           const char *what) {
  if (!st || !k)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: store and key are required", what);
  if (!one_of(k->ca, sizeof(k->ca), "processor", "platform"))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: CA type '%.*s' is neither 'processor' nor "
                       "'platform'",
                       what, (int)strnlen(k->ca, sizeof(k->ca)), k->ca);
  if (!one_of(k->update, sizeof(k->update), "standard", "early"))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: update type '%.*s' is neither 'standard' nor "
                       "'early'",
                       what, (int)strnlen(k->update, sizeof(k->update)),
                       k->update);
  return SGXRA_OK;
}

sgxra_err sgxra_store_collateral_put(sgxra_ctx *cx, sgxra_store *st,
                                     const sgxra_store_collateral *c) {
  sgxra_err e =
      check_key(cx, st, c ? &c->key : NULL, "sgxra_store_collateral_put");
  if (e) return e;
  e = sgxra__check_text(cx, c->source, SGXRA_STORE_COLLATERAL_SOURCE_MAX, 1,
                        "collateral source");
  if (e) return e;
  sgxra_collateral_buffers b = c->items;
  sgxra__val p[N_META + N_ITEMS];
  for (unsigned i = 0; i < N_ITEMS; i++) {
    int optional = i == N_ITEMS - 1;
    size_t *n;
    const uint8_t **ip = sgxra_collateral_item_at(&b, i, &n);
    if (!*ip || *n == 0) {
      if (optional) {
        p[N_META + i] = sgxra__text(NULL);
        continue;
      }
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "sgxra_store_collateral_put: item %s is empty",
                         sgxra_collateral_item_name(i));
    }
    if (*n > SGXRA_STORE_DOC_MAX)
      return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                         "sgxra_store_collateral_put: item %s is %zu bytes, "
                         "more than %d",
                         sgxra_collateral_item_name(i), *n,
                         SGXRA_STORE_DOC_MAX);
    p[N_META + i] = sgxra__blob(*ip, *n);
  }
  p[0] = sgxra__blob(c->key.fmspc, sizeof(c->key.fmspc));
  p[1] = sgxra__text(c->key.ca);
  p[2] = sgxra__text(c->key.update);
  p[3] = sgxra__int(c->fetched_at);
  p[4] = sgxra__int(c->next_update);
  p[5] = sgxra__int((int64_t)c->tcb_eval_num);
  p[6] = sgxra__text(c->source);
  return sgxra__write_one(
      cx, st,
      "INSERT INTO collateral_cache (" META_COLS ", " ITEM_COLS
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
      "$15) ON CONFLICT (fmspc, ca, update_type) DO UPDATE SET "
      "fetched_at = excluded.fetched_at, next_update = excluded.next_update, "
      "tcb_eval_num = excluded.tcb_eval_num, source = excluded.source, "
      "pck_crl_issuer_chain = excluded.pck_crl_issuer_chain, "
      "root_ca_crl = excluded.root_ca_crl, pck_crl = excluded.pck_crl, "
      "tcb_info = excluded.tcb_info, "
      "tcb_info_issuer_chain = excluded.tcb_info_issuer_chain, "
      "qe_identity = excluded.qe_identity, "
      "qe_identity_issuer_chain = excluded.qe_identity_issuer_chain, "
      "root_ca = excluded.root_ca",
      p, SGXRA__ARRAY_LEN(p), NULL);
}

/* Decode the metadata columns of one row into *o (items untouched). */
static sgxra_err get_meta(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                          sgxra_store_collateral *o) {
  if (c[0].t != SGXRA__BLOB || c[0].n != sizeof(o->key.fmspc) ||
      c[1].t != SGXRA__TEXT || c[1].n >= sizeof(o->key.ca) ||
      c[2].t != SGXRA__TEXT || c[2].n >= sizeof(o->key.update) ||
      c[3].t != SGXRA__INT || c[4].t != SGXRA__INT || c[5].t != SGXRA__INT ||
      c[5].i < 0 || c[5].i > UINT32_MAX || c[6].t != SGXRA__TEXT ||
      c[6].n > SGXRA_STORE_COLLATERAL_SOURCE_MAX)
    return sgxra__fail(cx, SGXRA_E_STORE_DB,
                       "database %s: a collateral cache row has columns of "
                       "the wrong type or size: it was not written by sgxra; "
                       "delete it",
                       st->name);
  memcpy(o->key.fmspc, c[0].p, sizeof(o->key.fmspc));
  memcpy(o->key.ca, c[1].p, c[1].n);
  o->key.ca[c[1].n] = '\0';
  memcpy(o->key.update, c[2].p, c[2].n);
  o->key.update[c[2].n] = '\0';
  o->fetched_at = c[3].i;
  o->next_update = c[4].i;
  o->tcb_eval_num = (uint32_t)c[5].i;
  memcpy(o->source, c[6].p, c[6].n);
  o->source[c[6].n] = '\0';
  return SGXRA_OK;
}

static void key_params(const sgxra_store_collateral_key *k, sgxra__val p[3]) {
  p[0] = sgxra__blob(k->fmspc, sizeof(k->fmspc));
  p[1] = sgxra__text(k->ca);
  p[2] = sgxra__text(k->update);
}

#define KEY_WHERE "WHERE fmspc = $1 AND ca = $2 AND update_type = $3"

sgxra_err sgxra_store_collateral_get(sgxra_ctx *cx, sgxra_store *st,
                                     const sgxra_store_collateral_key *key,
                                     sgxra_store_collateral **out,
                                     int *out_found) {
  if (out) *out = NULL;
  if (out_found) *out_found = 0;
  if (!out || !out_found)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_collateral_get: out and out_found are "
                       "required");
  sgxra_err e = check_key(cx, st, key, "sgxra_store_collateral_get");
  if (e) return e;
  sgxra__val p[3];
  key_params(key, p);
  sgxra__res r;
  e = st->ops->query(cx, st,
                     "SELECT " META_COLS ", " ITEM_COLS
                     " FROM collateral_cache " KEY_WHERE,
                     p, 3, &r);
  if (e) return e;
  if (r.rows == 0) {
    sgxra__res_free(&r);
    return SGXRA_OK;
  }
  const sgxra__val *c = sgxra__cell(&r, 0, 0);
  /* One allocation: the record, then each item NUL-terminated. */
  size_t total = sizeof(sgxra_store_collateral);
  for (unsigned i = 0; i < N_ITEMS && !e; i++) {
    const sgxra__val *v = &c[N_META + i];
    int optional = i == N_ITEMS - 1;
    if (v->t == SGXRA__NULL && optional) continue;
    if (v->t != SGXRA__BLOB || v->n == 0 || v->n > SGXRA_STORE_DOC_MAX)
      e = sgxra__fail(cx, SGXRA_E_STORE_DB,
                      "database %s: collateral cache item %s is missing or "
                      "malformed: the row was not written by sgxra; delete "
                      "it",
                      st->name, sgxra_collateral_item_name(i));
    total += v->n + 1;
  }
  sgxra_store_collateral *o = NULL;
  if (!e && !(o = calloc(1, total)))
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: collateral entry");
  if (!e) e = get_meta(cx, st, c, o);
  if (!e) {
    uint8_t *w = (uint8_t *)(o + 1);
    for (unsigned i = 0; i < N_ITEMS; i++) {
      const sgxra__val *v = &c[N_META + i];
      if (v->t == SGXRA__NULL) continue;
      memcpy(w, v->p, v->n);
      w[v->n] = 0;
      size_t *n;
      *sgxra_collateral_item_at(&o->items, i, &n) = w;
      *n = v->n;
      w += v->n + 1;
    }
  }
  sgxra__res_free(&r);
  if (e) {
    free(o);
    return e;
  }
  *out = o;
  *out_found = 1;
  return SGXRA_OK;
}

sgxra_err sgxra_store_collateral_list(sgxra_ctx *cx, sgxra_store *st,
                                      sgxra_store_collateral **out,
                                      size_t *out_n) {
  if (out) *out = NULL;
  if (out_n) *out_n = 0;
  if (!st || !out || !out_n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_collateral_list: store, out and out_n "
                       "are required");
  sgxra__val p[] = {sgxra__int(SGXRA_STORE_LIST_MAX)};
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st,
                               "SELECT " META_COLS " FROM collateral_cache "
                               "ORDER BY fmspc, ca, update_type LIMIT $1",
                               p, 1, &r);
  if (e) return e;
  sgxra_store_collateral *arr = NULL;
  if (r.rows && !(arr = calloc(r.rows, sizeof(*arr))))
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: collateral list");
  for (size_t i = 0; i < r.rows && !e; i++)
    e = get_meta(cx, st, sgxra__cell(&r, i, 0), &arr[i]);
  if (!e) {
    *out = arr;
    *out_n = r.rows;
  } else {
    free(arr);
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_collateral_delete(sgxra_ctx *cx, sgxra_store *st,
                                        const sgxra_store_collateral_key *key,
                                        int *out_deleted) {
  if (out_deleted) *out_deleted = 0;
  if (!out_deleted)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_collateral_delete: out_deleted is "
                       "required");
  sgxra_err e = check_key(cx, st, key, "sgxra_store_collateral_delete");
  if (e) return e;
  sgxra__val p[3];
  key_params(key, p);
  sgxra__res r;
  e = sgxra__write_one(
      cx, st, "DELETE FROM collateral_cache " KEY_WHERE " RETURNING ca", p, 3,
      &r);
  if (e) return e;
  *out_deleted = r.rows > 0;
  sgxra__res_free(&r);
  return SGXRA_OK;
}

static sgxra_err check_holder(sgxra_ctx *cx, const char *holder) {
  return sgxra__check_text(cx, holder, SGXRA_STORE_COLLATERAL_HOLDER_MAX, 1,
                           "lease holder");
}

sgxra_err sgxra_store_collateral_claim(sgxra_ctx *cx, sgxra_store *st,
                                       const sgxra_store_collateral_key *key,
                                       const char *holder, int64_t now,
                                       int64_t lease_seconds,
                                       int *out_claimed) {
  if (out_claimed) *out_claimed = 0;
  if (!out_claimed)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_collateral_claim: out_claimed is "
                       "required");
  sgxra_err e = check_key(cx, st, key, "sgxra_store_collateral_claim");
  if (!e) e = check_holder(cx, holder);
  if (e) return e;
  if (lease_seconds <= 0 || now > INT64_MAX - lease_seconds)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_collateral_claim: lease of %lld s from "
                       "%lld is out of range",
                       (long long)lease_seconds, (long long)now);
  sgxra__val p[6];
  key_params(key, p);
  p[3] = sgxra__text(holder);
  p[4] = sgxra__int(now + lease_seconds);
  p[5] = sgxra__int(now);
  sgxra__res r;
  /* One statement decides: SQLite runs it under the write lock (BEGIN
   * IMMEDIATE); on PostgreSQL a concurrent claimant waits for the row lock
   * and re-evaluates the WHERE on the committed row. */
  e = sgxra__write_one(
      cx, st,
      "INSERT INTO collateral_lease (fmspc, ca, update_type, holder, "
      "expires_at) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (fmspc, ca, update_type) DO UPDATE SET "
      "holder = excluded.holder, expires_at = excluded.expires_at "
      "WHERE collateral_lease.expires_at <= $6 "
      "OR collateral_lease.holder = excluded.holder "
      "RETURNING holder",
      p, 6, &r);
  if (e) return e;
  *out_claimed = r.rows == 1;
  sgxra__res_free(&r);
  return SGXRA_OK;
}

sgxra_err sgxra_store_collateral_release(sgxra_ctx *cx, sgxra_store *st,
                                         const sgxra_store_collateral_key *key,
                                         const char *holder) {
  sgxra_err e = check_key(cx, st, key, "sgxra_store_collateral_release");
  if (!e) e = check_holder(cx, holder);
  if (e) return e;
  sgxra__val p[4];
  key_params(key, p);
  p[3] = sgxra__text(holder);
  return sgxra__write_one(
      cx, st, "DELETE FROM collateral_lease " KEY_WHERE " AND holder = $4", p,
      4, NULL);
}
