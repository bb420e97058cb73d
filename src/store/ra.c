/* Schema v3: the service provider's RA sessions (a compare-and-set per
 * protocol step, shared by replicas), provisioned secrets (opaque bytes per
 * binding, audited by hash) and admin tokens (stored hashed, audited by
 * name).  The same SQL runs on both backends (RETURNING exists in SQLite >=
 * 3.35 and PostgreSQL).  See sgxra/store.h and docs/STORE.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sgxra/hex.h"
#include "store/internal.h"

/* ---- shared helpers ------------------------------------------------------ */

static void hex32(const uint8_t *p, char out[65]) {
  sgxra_hex_encode(p, 32, out);
}

/* Serialise a JSON object compactly with sorted keys and append it as an
 * audit row of `kind` (consumes j). */
static sgxra_err audit_json(sgxra_ctx *cx, sgxra_store *st, sgxra__head *h,
                            json_t *j, const char *actor, int64_t now,
                            const char *kind) {
  char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(j);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: audit payload");
  sgxra_err e = sgxra__audit_add(cx, st, h, now, actor, kind, s, strlen(s));
  free(s);
  return e;
}

/* ---- RA sessions --------------------------------------------------------- */

int sgxra_store_session_id_valid(const char *id) {
  if (!id) return 0;
  for (size_t i = 0; i < SGXRA_STORE_SESSION_ID_LEN; i++) {
    char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  return id[SGXRA_STORE_SESSION_ID_LEN] == '\0';
}

static sgxra_err check_session(sgxra_ctx *cx, const sgxra_store *st,
                               const char *id, const char *fn) {
  if (!st)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: store is NULL", fn);
  if (!sgxra_store_session_id_valid(id))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: session id '%.40s' is not %d lowercase hex "
                       "characters",
                       fn, id ? id : "(null)", SGXRA_STORE_SESSION_ID_LEN);
  return SGXRA_OK;
}

static sgxra_err check_session_blob(sgxra_ctx *cx, const uint8_t *blob,
                                    size_t n, const char *fn) {
  if (!blob || n == 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: the session blob is required (1..%d bytes)", fn,
                       SGXRA_STORE_SESSION_BLOB_MAX);
  if (n > SGXRA_STORE_SESSION_BLOB_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "%s: session blob of %zu bytes, more than %d", fn, n,
                       SGXRA_STORE_SESSION_BLOB_MAX);
  return SGXRA_OK;
}

sgxra_err sgxra_store_session_put(sgxra_ctx *cx, sgxra_store *st,
                                  const char *id, int state,
                                  const uint8_t *blob, size_t blob_len,
                                  int64_t now, int64_t expires) {
  static const char fn[] = "sgxra_store_session_put";
  sgxra_err e = check_session(cx, st, id, fn);
  if (!e) e = check_session_blob(cx, blob, blob_len, fn);
  if (e) return e;
  if (expires <= now)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: session %s would expire at %lld, not after now "
                       "(%lld)",
                       fn, id, (long long)expires, (long long)now);
  sgxra__val p[] = {sgxra__text(id), sgxra__int(state),
                    sgxra__blob(blob, blob_len), sgxra__int(now),
                    sgxra__int(expires)};
  e = sgxra__write_one(
      cx, st,
      "INSERT INTO ra_session (id, state, blob, created, expires) "
      "VALUES ($1, $2, $3, $4, $5)",
      p, 5, NULL);
  if (e == SGXRA_E_STORE_DUPLICATE)
    e = sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                    "database %s: RA session %s exists already: session ids "
                    "must be fresh random values",
                    st->name, id);
  return e;
}

sgxra_err sgxra_store_session_get(sgxra_ctx *cx, sgxra_store *st,
                                  const char *id, int *out_found,
                                  int *out_state, uint8_t **out_blob,
                                  size_t *out_blob_len, int64_t *out_expires) {
  static const char fn[] = "sgxra_store_session_get";
  if (out_found) *out_found = 0;
  if (out_state) *out_state = 0;
  if (out_blob) *out_blob = NULL;
  if (out_blob_len) *out_blob_len = 0;
  if (out_expires) *out_expires = 0;
  if (!out_found)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: out_found is NULL",
                       fn);
  sgxra_err e = check_session(cx, st, id, fn);
  if (e) return e;
  sgxra__val p[] = {sgxra__text(id)};
  sgxra__res r;
  e = st->ops->query(cx, st,
                     "SELECT state, blob, expires FROM ra_session "
                     "WHERE id = $1",
                     p, 1, &r);
  if (e) return e;
  if (r.rows == 1) {
    const sgxra__val *c = sgxra__cell(&r, 0, 0);
    if (c[0].t != SGXRA__INT || c[1].t != SGXRA__BLOB || c[2].t != SGXRA__INT)
      e = sgxra__fail(cx, SGXRA_E_STORE_DB,
                      "database %s: RA session %s has a malformed row: it "
                      "was not written by sgxra",
                      st->name, id);
    if (!e) {
      *out_found = 1;
      if (out_state) *out_state = (int)c[0].i;
      if (out_expires) *out_expires = c[2].i;
      if (out_blob_len) *out_blob_len = c[1].n;
      if (out_blob) {
        /* The cell is a malloc'ed copy: hand it over. */
        *out_blob = (uint8_t *)c[1].p;
        ((sgxra__val *)&c[1])->p = NULL;
      }
    }
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_session_advance(sgxra_ctx *cx, sgxra_store *st,
                                      const char *id, int from, int to,
                                      const uint8_t *blob, size_t blob_len,
                                      int64_t now, int *out_advanced) {
  static const char fn[] = "sgxra_store_session_advance";
  if (out_advanced) *out_advanced = 0;
  if (!out_advanced)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: out_advanced is NULL",
                       fn);
  sgxra_err e = check_session(cx, st, id, fn);
  int keep = !blob && blob_len == 0;
  if (!e && !keep) e = check_session_blob(cx, blob, blob_len, fn);
  if (e) return e;
  /* One statement: the WHERE clause is the compare, evaluated under the
   * write lock (SQLite) or re-evaluated on the newest row version after
   * waiting for its row lock (PostgreSQL, READ COMMITTED). */
  sgxra__val p[] = {sgxra__int(to), sgxra__text(id), sgxra__int(from),
                    sgxra__int(now), sgxra__blob(blob, blob_len)};
  sgxra__res r;
  e = sgxra__write_one(
      cx, st,
      keep ? "UPDATE ra_session SET state = $1 WHERE id = $2 AND "
             "state = $3 AND expires > $4 RETURNING id"
           : "UPDATE ra_session SET state = $1, blob = $5 WHERE "
             "id = $2 AND state = $3 AND expires > $4 RETURNING id",
      p, keep ? 4 : 5, &r);
  if (e) return e;
  *out_advanced = r.rows == 1;
  sgxra__res_free(&r);
  return SGXRA_OK;
}

sgxra_err sgxra_store_session_purge(sgxra_ctx *cx, sgxra_store *st, int64_t now,
                                    int64_t *out_deleted) {
  if (out_deleted) *out_deleted = 0;
  if (!st)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_session_purge: store is NULL");
  sgxra__val p[] = {sgxra__int(now)};
  sgxra__res r;
  sgxra_err e = sgxra__write_one(
      cx, st, "DELETE FROM ra_session WHERE expires <= $1 RETURNING id", p, 1,
      &r);
  if (e) return e;
  if (out_deleted) *out_deleted = (int64_t)r.rows;
  sgxra__res_free(&r);
  return SGXRA_OK;
}

/* ---- provisioned secrets ------------------------------------------------- */

const char *sgxra_store_secret_kind_name(sgxra_store_secret_kind k) {
  switch (k) {
  case SGXRA_STORE_SECRET_MRENCLAVE:
    return "mrenclave";
  case SGXRA_STORE_SECRET_SIGNER:
    return "signer";
  }
  return "?";
}

/* A binding's unique key ("mrenclave:HEX" or "signer:HEX:PRODID") and its
 * normalised copy (fields of the other kind zeroed). */
typedef struct binding_key {
  char text[8 + 64 + 1 + 5 + 1];
  sgxra_store_secret_binding b;
} binding_key;

static sgxra_err check_binding(sgxra_ctx *cx, const sgxra_store *st,
                               const sgxra_store_secret_binding *b,
                               binding_key *k, const char *fn) {
  memset(k, 0, sizeof(*k));
  if (!st || !b)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: store and binding are required", fn);
  char hx[65];
  k->b.kind = b->kind;
  switch (b->kind) {
  case SGXRA_STORE_SECRET_MRENCLAVE:
    memcpy(k->b.mrenclave, b->mrenclave, 32);
    hex32(b->mrenclave, hx);
    snprintf(k->text, sizeof(k->text), "mrenclave:%s", hx);
    return SGXRA_OK;
  case SGXRA_STORE_SECRET_SIGNER:
    memcpy(k->b.mrsigner, b->mrsigner, 32);
    k->b.isvprodid = b->isvprodid;
    hex32(b->mrsigner, hx);
    snprintf(k->text, sizeof(k->text), "signer:%s:%u", hx,
             (unsigned)b->isvprodid);
    return SGXRA_OK;
  }
  return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                     "%s: binding kind %d is neither mrenclave (1) nor "
                     "signer (2)",
                     fn, (int)b->kind);
}

/* The binding's fields in an audit payload. */
static json_t *binding_json(const sgxra_store_secret_binding *b) {
  char hx[65];
  json_t *j = json_object();
  if (!j) return NULL;
  json_object_set_new(j, "binding",
                      json_string(sgxra_store_secret_kind_name(b->kind)));
  if (b->kind == SGXRA_STORE_SECRET_MRENCLAVE) {
    hex32(b->mrenclave, hx);
    json_object_set_new(j, "mrenclave", json_string(hx));
  } else {
    hex32(b->mrsigner, hx);
    json_object_set_new(j, "mrsigner", json_string(hx));
    json_object_set_new(j, "isvprodid", json_integer(b->isvprodid));
  }
  return j;
}

#define SECRET_COLS                                                            \
  "id, kind, mrenclave, mrsigner, isvprodid, sha256, size, set_by, set_at"
#define SECRET_N 9

static sgxra_err get_secret_info(sgxra_ctx *cx, sgxra_store *st,
                                 const sgxra__val *c,
                                 sgxra_store_secret_info *o) {
  memset(o, 0, sizeof(*o));
  o->id = c[0].i;
  sgxra_err e = SGXRA_OK;
  if (c[1].t == SGXRA__TEXT && c[1].n == 9 &&
      memcmp(c[1].p, "mrenclave", 9) == 0) {
    o->binding.kind = SGXRA_STORE_SECRET_MRENCLAVE;
    e = sgxra__get_blob(cx, st, &c[2], o->binding.mrenclave, 32,
                        "secret mrenclave");
  } else if (c[1].t == SGXRA__TEXT && c[1].n == 6 &&
             memcmp(c[1].p, "signer", 6) == 0) {
    o->binding.kind = SGXRA_STORE_SECRET_SIGNER;
    e = sgxra__get_blob(cx, st, &c[3], o->binding.mrsigner, 32,
                        "secret mrsigner");
    o->binding.isvprodid = (uint16_t)c[4].i;
  } else {
    e = sgxra__fail(cx, SGXRA_E_STORE_DB,
                    "database %s: secret %lld has an unknown binding kind: "
                    "the row was not written by sgxra",
                    st->name, (long long)o->id);
  }
  if (!e) e = sgxra__get_blob(cx, st, &c[5], o->sha256, 32, "secret sha256");
  o->size = (size_t)c[6].i;
  if (!e)
    e = sgxra__get_text(cx, st, &c[7], o->set_by, sizeof(o->set_by), "set_by");
  o->set_at = c[8].i;
  return e;
}

sgxra_err sgxra_store_secret_set(sgxra_ctx *cx, sgxra_store *st,
                                 const sgxra_store_secret_binding *b,
                                 const uint8_t *bytes, size_t len,
                                 const char *actor, int64_t now,
                                 sgxra_store_secret_info *out) {
  static const char fn[] = "sgxra_store_secret_set";
  if (out) memset(out, 0, sizeof(*out));
  binding_key k;
  sgxra_err e = check_binding(cx, st, b, &k, fn);
  if (e) return e;
  if (!bytes || len == 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: the secret is empty (1..%d bytes)", fn,
                       SGXRA_STORE_SECRET_MAX);
  if (len > SGXRA_STORE_SECRET_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "%s: the stored secret is %zu bytes, more than %d (a "
                       "secret of at most 65536 bytes plus 64 of at-rest "
                       "encryption)",
                       fn, len, SGXRA_STORE_SECRET_MAX);
  e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (e) return e;
  uint8_t h32[SGXRA_SHA256_SIZE];
  e = sgxra_sha256(cx, bytes, len, h32);
  if (e) return e;
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  int64_t id = 0;
  int replaced = 0;
  uint8_t prev[SGXRA_SHA256_SIZE] = {0};
  sgxra__val kp[] = {sgxra__text(k.text)};
  sgxra__res r;
  e = st->ops->query(cx, st,
                     "SELECT id, sha256 FROM provisioned_secret "
                     "WHERE binding = $1",
                     kp, 1, &r);
  if (!e) {
    if (r.rows == 1) {
      replaced = 1;
      id = sgxra__cell(&r, 0, 0)->i;
      e = sgxra__get_blob(cx, st, sgxra__cell(&r, 0, 1), prev, 32,
                          "secret sha256");
    }
    sgxra__res_free(&r);
  }
  int is_enc = k.b.kind == SGXRA_STORE_SECRET_MRENCLAVE;
  if (!e && replaced) {
    sgxra__val p[] = {sgxra__blob(bytes, len),  sgxra__blob(h32, 32),
                      sgxra__int((int64_t)len), sgxra__text(actor),
                      sgxra__int(now),          sgxra__int(id)};
    e = st->ops->query(cx, st,
                       "UPDATE provisioned_secret SET data = $1, sha256 = $2, "
                       "size = $3, set_by = $4, set_at = $5 WHERE id = $6",
                       p, 6, NULL);
  } else if (!e) {
    sgxra__val nul = {SGXRA__NULL, 0, NULL, 0};
    sgxra__val p[] = {sgxra__text(k.text),
                      sgxra__text(sgxra_store_secret_kind_name(k.b.kind)),
                      is_enc ? sgxra__blob(k.b.mrenclave, 32) : nul,
                      is_enc ? nul : sgxra__blob(k.b.mrsigner, 32),
                      is_enc ? nul : sgxra__int(k.b.isvprodid),
                      sgxra__blob(bytes, len),
                      sgxra__blob(h32, 32),
                      sgxra__int((int64_t)len),
                      sgxra__text(actor),
                      sgxra__int(now)};
    e = st->ops->query(cx, st,
                       "INSERT INTO provisioned_secret (binding, kind, "
                       "mrenclave, mrsigner, isvprodid, data, sha256, size, "
                       "set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                       "$8, $9, $10) RETURNING id",
                       p, 10, &r);
    if (!e) {
      if (r.rows == 1 && sgxra__cell(&r, 0, 0)->t == SGXRA__INT)
        id = sgxra__cell(&r, 0, 0)->i;
      else
        e = sgxra__fail(cx, SGXRA_E_STORE_DB, "database %s: INSERT gave no id",
                        st->name);
      sgxra__res_free(&r);
    }
  }
  if (!e) {
    char hx[65];
    json_t *j = binding_json(&k.b);
    if (j) {
      json_object_set_new(j, "id", json_integer(id));
      hex32(h32, hx);
      json_object_set_new(j, "sha256", json_string(hx));
      json_object_set_new(j, "size", json_integer((json_int_t)len));
      if (replaced) {
        hex32(prev, hx);
        json_object_set_new(j, "replaced_sha256", json_string(hx));
      }
    }
    e = audit_json(cx, st, &h, j, actor, now, "secret.set");
  }
  e = sgxra__write_end(cx, st, e);
  if (!e && out) {
    out->id = id;
    out->binding = k.b;
    memcpy(out->sha256, h32, 32);
    out->size = len;
    snprintf(out->set_by, sizeof(out->set_by), "%s", actor);
    out->set_at = now;
  }
  return e;
}

sgxra_err sgxra_store_secret_get(sgxra_ctx *cx, sgxra_store *st,
                                 const sgxra_store_secret_binding *b,
                                 int *out_found,
                                 sgxra_store_secret_info *out_info,
                                 uint8_t **out_bytes, size_t *out_len) {
  static const char fn[] = "sgxra_store_secret_get";
  if (out_found) *out_found = 0;
  if (out_info) memset(out_info, 0, sizeof(*out_info));
  if (out_bytes) *out_bytes = NULL;
  if (out_len) *out_len = 0;
  if (!out_found || !out_bytes || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: out_found, out_bytes and out_len are required", fn);
  binding_key k;
  sgxra_err e = check_binding(cx, st, b, &k, fn);
  if (e) return e;
  sgxra__val p[] = {sgxra__text(k.text)};
  sgxra__res r;
  e = st->ops->query(cx, st,
                     "SELECT " SECRET_COLS ", data FROM provisioned_secret "
                     "WHERE binding = $1",
                     p, 1, &r);
  if (e) return e;
  if (r.rows == 1) {
    sgxra_store_secret_info info;
    const sgxra__val *c = sgxra__cell(&r, 0, 0);
    sgxra__val *d = (sgxra__val *)&c[SECRET_N];
    e = get_secret_info(cx, st, c, &info);
    /* Hand out the stored bytes only if they still hash to the stored
     * digest (the one the audit rows name). */
    uint8_t h32[SGXRA_SHA256_SIZE];
    if (!e && (d->t != SGXRA__BLOB || d->n != info.size || d->n == 0))
      e = sgxra__fail(cx, SGXRA_E_STORE_DB,
                      "database %s: secret %lld is malformed: the row was "
                      "not written by sgxra",
                      st->name, (long long)info.id);
    if (!e) e = sgxra_sha256(cx, d->p, d->n, h32);
    if (!e && !sgxra_ct_equal(h32, info.sha256, 32))
      e = sgxra__fail(cx, SGXRA_E_STORE_DB,
                      "database %s: secret %lld (%s) does not hash to its "
                      "stored SHA-256: the row was changed behind sgxra's "
                      "back; run the audit verify and set the secret again",
                      st->name, (long long)info.id, k.text);
    if (!e) {
      *out_found = 1;
      if (out_info) *out_info = info;
      *out_len = d->n;
      *out_bytes = (uint8_t *)d->p; /* the cell's malloc'ed copy */
      d->p = NULL;
    } else if (d->p) {
      sgxra_wipe((void *)d->p, d->n);
    }
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_secret_list(sgxra_ctx *cx, sgxra_store *st,
                                  sgxra_store_secret_info **out,
                                  size_t *out_n) {
  if (out) *out = NULL;
  if (out_n) *out_n = 0;
  if (!st || !out || !out_n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_secret_list: store, out and out_n are "
                       "required");
  sgxra__val p[] = {sgxra__int(SGXRA_STORE_LIST_MAX)};
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st,
                               "SELECT " SECRET_COLS " FROM provisioned_secret "
                               "ORDER BY id LIMIT $1",
                               p, 1, &r);
  if (e) return e;
  sgxra_store_secret_info *arr = NULL;
  if (r.rows && !(arr = calloc(r.rows, sizeof(*arr))))
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: secret list");
  for (size_t i = 0; i < r.rows && !e; i++)
    e = get_secret_info(cx, st, sgxra__cell(&r, i, 0), &arr[i]);
  if (!e) {
    *out = arr;
    *out_n = r.rows;
  } else {
    free(arr);
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_secret_delete(sgxra_ctx *cx, sgxra_store *st,
                                    const sgxra_store_secret_binding *b,
                                    const char *actor, int64_t now,
                                    int *out_deleted) {
  static const char fn[] = "sgxra_store_secret_delete";
  if (out_deleted) *out_deleted = 0;
  if (!out_deleted)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: out_deleted is NULL",
                       fn);
  binding_key k;
  sgxra_err e = check_binding(cx, st, b, &k, fn);
  if (!e) e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (e) return e;
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__val kp[] = {sgxra__text(k.text)};
  sgxra__res r;
  e = st->ops->query(cx, st,
                     "DELETE FROM provisioned_secret WHERE binding = $1 "
                     "RETURNING id, sha256, size",
                     kp, 1, &r);
  if (!e) {
    if (r.rows == 1) {
      uint8_t h32[SGXRA_SHA256_SIZE];
      char hx[65];
      int64_t id = sgxra__cell(&r, 0, 0)->i;
      int64_t size = sgxra__cell(&r, 0, 2)->i;
      e = sgxra__get_blob(cx, st, sgxra__cell(&r, 0, 1), h32, 32,
                          "secret sha256");
      if (!e) {
        json_t *j = binding_json(&k.b);
        if (j) {
          json_object_set_new(j, "id", json_integer(id));
          hex32(h32, hx);
          json_object_set_new(j, "sha256", json_string(hx));
          json_object_set_new(j, "size", json_integer(size));
        }
        e = audit_json(cx, st, &h, j, actor, now, "secret.delete");
      }
      if (!e) *out_deleted = 1;
    }
    sgxra__res_free(&r);
  }
  e = sgxra__write_end(cx, st, e);
  if (e) *out_deleted = 0;
  return e;
}

/* ---- admin tokens -------------------------------------------------------- */

static sgxra_err check_token_name(sgxra_ctx *cx, const char *name,
                                  const char *fn) {
  size_t n = name ? strnlen(name, SGXRA_STORE_TOKEN_NAME_MAX + 1) : 0;
  if (n == 0 || n > SGXRA_STORE_TOKEN_NAME_MAX ||
      strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789._-") != n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: token name '%.*s' must be 1..%d characters of "
                       "A-Z a-z 0-9 . _ -",
                       fn, (int)(n > 70 ? 70 : n), name ? name : "",
                       SGXRA_STORE_TOKEN_NAME_MAX);
  return SGXRA_OK;
}

#define TOKEN_COLS "id, name, actor, created, revoked_at, revoked_by"

static sgxra_err get_token(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                           sgxra_store_token *o) {
  memset(o, 0, sizeof(*o));
  o->id = c[0].i;
  sgxra_err e =
      sgxra__get_text(cx, st, &c[1], o->name, sizeof(o->name), "name");
  if (!e)
    e = sgxra__get_text(cx, st, &c[2], o->created_by, sizeof(o->created_by),
                        "actor");
  o->created_at = c[3].i;
  o->revoked = c[4].t != SGXRA__NULL;
  o->revoked_at = c[4].i;
  if (!e)
    e = sgxra__get_text(cx, st, &c[5], o->revoked_by, sizeof(o->revoked_by),
                        "revoked_by");
  return e;
}

sgxra_err sgxra_store_token_add(sgxra_ctx *cx, sgxra_store *st,
                                const char *name,
                                const uint8_t sha256[SGXRA_SHA256_SIZE],
                                const char *actor, int64_t now,
                                int64_t *out_id) {
  static const char fn[] = "sgxra_store_token_add";
  if (out_id) *out_id = 0;
  if (!st || !sha256)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: store and the token's SHA-256 are required", fn);
  sgxra_err e = check_token_name(cx, name, fn);
  if (!e) e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (e) return e;
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__val p[] = {sgxra__text(name), sgxra__blob(sha256, 32), sgxra__int(now),
                    sgxra__text(actor)};
  sgxra__res r;
  /* Refuse duplicates with a message that says which (the unique indexes
   * catch a race with another writer all the same). */
  e = st->ops->query(cx, st,
                     "SELECT name, revoked_at FROM admin_token "
                     "WHERE name = $1 OR sha256 = $2",
                     p, 2, &r);
  if (!e) {
    for (size_t i = 0; i < r.rows && !e; i++) {
      const sgxra__val *c = sgxra__cell(&r, i, 0);
      if (c[0].n == strlen(name) && memcmp(c[0].p, name, c[0].n) == 0)
        e = sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                        "database %s: admin token '%s' exists already%s: "
                        "choose another name (token names are never reused)",
                        st->name, name,
                        c[1].t == SGXRA__NULL ? "" : " (revoked)");
    }
    if (!e && r.rows)
      e = sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                      "database %s: another admin token has the same value "
                      "(SHA-256): generate a fresh random token",
                      st->name);
    sgxra__res_free(&r);
  }
  int64_t id = 0;
  if (!e) {
    e = st->ops->query(cx, st,
                       "INSERT INTO admin_token (name, sha256, created, actor) "
                       "VALUES ($1, $2, $3, $4) RETURNING id",
                       p, 4, &r);
    if (!e) {
      if (r.rows == 1 && sgxra__cell(&r, 0, 0)->t == SGXRA__INT)
        id = sgxra__cell(&r, 0, 0)->i;
      else
        e = sgxra__fail(cx, SGXRA_E_STORE_DB, "database %s: INSERT gave no id",
                        st->name);
      sgxra__res_free(&r);
    }
  }
  if (!e)
    e = audit_json(cx, st, &h,
                   json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name),
                   actor, now, "token.add");
  e = sgxra__write_end(cx, st, e);
  if (!e && out_id) *out_id = id;
  return e;
}

sgxra_err sgxra_store_token_check(sgxra_ctx *cx, sgxra_store *st,
                                  const uint8_t sha256[SGXRA_SHA256_SIZE],
                                  int *out_found, sgxra_store_token *out) {
  if (out_found) *out_found = 0;
  if (out) memset(out, 0, sizeof(*out));
  if (!st || !sha256 || !out_found)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_token_check: store, the SHA-256 and "
                       "out_found are required");
  sgxra__val p[] = {sgxra__blob(sha256, 32)};
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st,
                               "SELECT " TOKEN_COLS " FROM admin_token "
                               "WHERE sha256 = $1 AND revoked_at IS NULL",
                               p, 1, &r);
  if (e) return e;
  if (r.rows == 1) {
    sgxra_store_token t;
    e = get_token(cx, st, sgxra__cell(&r, 0, 0), &t);
    if (!e) {
      *out_found = 1;
      if (out) *out = t;
    }
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_token_list(sgxra_ctx *cx, sgxra_store *st,
                                 int include_revoked, sgxra_store_token **out,
                                 size_t *out_n) {
  if (out) *out = NULL;
  if (out_n) *out_n = 0;
  if (!st || !out || !out_n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_token_list: store, out and out_n are "
                       "required");
  sgxra__val p[] = {sgxra__int(SGXRA_STORE_LIST_MAX)};
  sgxra__res r;
  sgxra_err e = st->ops->query(
      cx, st,
      include_revoked ? "SELECT " TOKEN_COLS " FROM admin_token "
                        "ORDER BY id LIMIT $1"
                      : "SELECT " TOKEN_COLS " FROM admin_token "
                        "WHERE revoked_at IS NULL ORDER BY id LIMIT $1",
      p, 1, &r);
  if (e) return e;
  sgxra_store_token *arr = NULL;
  if (r.rows && !(arr = calloc(r.rows, sizeof(*arr))))
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: token list");
  for (size_t i = 0; i < r.rows && !e; i++)
    e = get_token(cx, st, sgxra__cell(&r, i, 0), &arr[i]);
  if (!e) {
    *out = arr;
    *out_n = r.rows;
  } else {
    free(arr);
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_token_revoke(sgxra_ctx *cx, sgxra_store *st,
                                   const char *name, const char *actor,
                                   int64_t now) {
  static const char fn[] = "sgxra_store_token_revoke";
  if (!st)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: store is NULL", fn);
  sgxra_err e = check_token_name(cx, name, fn);
  if (!e) e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (e) return e;
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__val p[] = {sgxra__text(name), sgxra__int(now), sgxra__text(actor)};
  sgxra__res r;
  int64_t id = 0;
  e = st->ops->query(cx, st,
                     "SELECT id, revoked_at, revoked_by FROM admin_token "
                     "WHERE name = $1",
                     p, 1, &r);
  if (!e) {
    if (r.rows == 0) {
      e = sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                      "database %s has no admin token '%s': list them to "
                      "see the names",
                      st->name, name);
    } else if (sgxra__cell(&r, 0, 1)->t != SGXRA__NULL) {
      const sgxra__val *by = sgxra__cell(&r, 0, 2);
      e = sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                      "database %s: admin token '%s' was revoked already, at "
                      "%lld by %.*s",
                      st->name, name, (long long)sgxra__cell(&r, 0, 1)->i,
                      (int)by->n, by->p ? (const char *)by->p : "");
    } else {
      id = sgxra__cell(&r, 0, 0)->i;
    }
    sgxra__res_free(&r);
  }
  if (!e)
    e = st->ops->query(cx, st,
                       "UPDATE admin_token SET revoked_at = $2, "
                       "revoked_by = $3 WHERE name = $1",
                       p, 3, NULL);
  if (!e)
    e = audit_json(cx, st, &h,
                   json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name),
                   actor, now, "token.revoke");
  return sgxra__write_end(cx, st, e);
}
