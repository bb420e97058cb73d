/* The store's front end: URLs, opening and migrating, the registry
 * (enclaves, signers, deny list) and policies, with SQL written once for
 * both backends.  See sgxra/store.h; the audit chain is in audit.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sgxra/hex.h"
#include "store/dl_pq.h"
#include "store/internal.h"

/* ---- values and results ------------------------------------------------- */

sgxra__val sgxra__text(const char *s) {
  sgxra__val v = {SGXRA__NULL, 0, NULL, 0};
  if (s) {
    v.t = SGXRA__TEXT;
    v.p = (const uint8_t *)s;
    v.n = strlen(s);
  }
  return v;
}

void sgxra__res_free(sgxra__res *r) {
  if (!r) return;
  if (r->v) {
    for (size_t i = 0; i < r->rows * r->cols; i++) free((void *)r->v[i].p);
    free(r->v);
  }
  memset(r, 0, sizeof(*r));
}

sgxra_err sgxra__res_add_row(sgxra_ctx *cx, sgxra__res *r, size_t cols,
                             sgxra__val *cells) {
  if (r->rows && r->cols != cols)
    return sgxra__fail(cx, SGXRA_E_INTERNAL, "store: ragged result");
  r->cols = cols;
  sgxra__val *nv = realloc(r->v, (r->rows + 1) * cols * sizeof(*nv));
  if (!nv) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: result rows");
  r->v = nv;
  sgxra__val *row = &nv[r->rows * cols];
  for (size_t c = 0; c < cols; c++) {
    row[c] = cells[c];
    row[c].p = NULL;
    if (cells[c].t == SGXRA__BLOB || cells[c].t == SGXRA__TEXT) {
      uint8_t *copy = malloc(cells[c].n + 1);
      if (!copy) {
        for (size_t k = 0; k < c; k++) free((void *)row[k].p);
        return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: result cell");
      }
      if (cells[c].n) memcpy(copy, cells[c].p, cells[c].n);
      copy[cells[c].n] = 0;
      row[c].p = copy;
    }
  }
  r->rows++;
  return SGXRA_OK;
}

sgxra_err sgxra__exec(sgxra_ctx *cx, sgxra_store *st, const char *sql) {
  return st->ops->query(cx, st, sql, NULL, 0, NULL);
}

/* ---- URLs ------------------------------------------------------------------
 */

/* The URL with passwords replaced by "***": the user:PASSWORD@ of a URI and
 * the value of any password= parameter or conninfo key. */
static char *redact(const char *url) {
  size_t n = strlen(url);
  /* Each replacement grows the text by at most 3 bytes ("***" for an empty
   * value) and needs at least 9 bytes ("password=") or 1 (":"), so 4n is
   * plenty. */
  char *out = malloc(4 * n + 8);
  if (!out) return NULL;
  size_t o = 0;
  const char *scheme = strstr(url, "://");
  const char *userinfo_end = NULL, *pw = NULL;
  if (scheme) {
    const char *auth = scheme + 3;
    const char *end = auth + strcspn(auth, "/?");
    const char *at = memchr(auth, '@', (size_t)(end - auth));
    if (at) {
      const char *colon = memchr(auth, ':', (size_t)(at - auth));
      if (colon) {
        pw = colon + 1;
        userinfo_end = at;
      }
    }
  }
  for (size_t i = 0; i < n;) {
    if (pw && url + i == pw) {
      memcpy(out + o, "***", 3);
      o += 3;
      i = (size_t)(userinfo_end - url);
      continue;
    }
    if (strncmp(url + i, "password=", 9) == 0 &&
        (i == 0 || strchr("?& \t", url[i - 1]))) {
      memcpy(out + o, "password=***", 12);
      o += 12;
      i += 9;
      if (url[i] == '\'') { /* quoted conninfo value */
        for (i++; i < n && url[i] != '\''; i++)
          if (url[i] == '\\' && i + 1 < n) i++;
        if (i < n) i++;
      } else {
        while (i < n && !strchr("& \t", url[i])) i++;
      }
      continue;
    }
    out[o++] = url[i++];
  }
  out[o] = '\0';
  return out;
}

static int starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- opening and migrating ---------------------------------------------- */

static sgxra_err schema_version(sgxra_ctx *cx, sgxra_store *st, int64_t *out) {
  *out = 0;
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st, st->ops->sql_has_schema, NULL, 0, &r);
  if (e) return e;
  int has = r.rows == 1 && sgxra__cell(&r, 0, 0)->i > 0;
  sgxra__res_free(&r);
  if (!has) return SGXRA_OK;
  e = st->ops->query(cx, st, "SELECT max(version) FROM schema_version", NULL, 0,
                     &r);
  if (e) return e;
  if (r.rows == 1 && sgxra__cell(&r, 0, 0)->t == SGXRA__INT)
    *out = sgxra__cell(&r, 0, 0)->i;
  sgxra__res_free(&r);
  return SGXRA_OK;
}

static sgxra_err check_newer(sgxra_ctx *cx, sgxra_store *st, int64_t v) {
  if (v <= SGXRA_STORE_SCHEMA_VERSION) return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_STORE_SCHEMA_NEWER,
                     "database %s has schema version %lld, this build "
                     "knows up to %d: use a newer sgxra (a schema is never "
                     "downgraded)",
                     st->name, (long long)v, SGXRA_STORE_SCHEMA_VERSION);
}

sgxra_err sgxra__migrate(sgxra_ctx *cx, sgxra_store *st, int64_t now) {
  int64_t v;
  sgxra_err e = schema_version(cx, st, &v);
  if (e) return e;
  e = check_newer(cx, st, v);
  if (e || v == SGXRA_STORE_SCHEMA_VERSION) return e;
  if (st->read_only)
    return sgxra__fail(cx, SGXRA_E_STORE_READ_ONLY,
                       "database %s has schema version %lld and needs "
                       "migrating to %d, but it is opened read-only: open it "
                       "writable once",
                       st->name, (long long)v, SGXRA_STORE_SCHEMA_VERSION);
  e = st->ops->begin(cx, st, SGXRA__TX_WRITE);
  if (e) return e;
  if (st->ops->sql_migration_lock)
    e = sgxra__exec(cx, st, st->ops->sql_migration_lock);
  /* Another process may have migrated while we waited for the lock. */
  if (!e) e = schema_version(cx, st, &v);
  if (!e) e = check_newer(cx, st, v);
  for (int64_t to = v + 1; !e && to <= SGXRA_STORE_SCHEMA_VERSION; to++) {
    for (const char *const *s = st->ops->migrations[to - 1]; *s && !e; s++)
      e = sgxra__exec(cx, st, *s);
    if (!e && to == 1) {
      /* The chain head starts at seq 0 with 32 zero bytes: the prev_hash
       * of row 1. */
      static const uint8_t zero[SGXRA_SHA256_SIZE];
      sgxra__val p[] = {sgxra__blob(zero, sizeof(zero))};
      e = st->ops->query(cx, st,
                         "INSERT INTO audit_head (id, seq, hash) "
                         "VALUES (1, 0, $1)",
                         p, 1, NULL);
    }
    if (!e) {
      sgxra__val p[] = {sgxra__int(to), sgxra__int(now)};
      e = st->ops->query(cx, st,
                         "INSERT INTO schema_version (version, applied_at) "
                         "VALUES ($1, $2)",
                         p, 2, NULL);
    }
    if (e)
      e = sgxra__context(cx, e, "migrating the schema to version %lld",
                         (long long)to);
  }
  if (!e) return st->ops->commit(cx, st);
  st->ops->rollback(st);
  return e;
}

sgxra_err sgxra_store_open(sgxra_ctx *cx, const char *url, int64_t now,
                           sgxra_store **out) {
  if (out) *out = NULL;
  if (!url || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_open: url and out are required");
  sgxra_store *st = calloc(1, sizeof(*st));
  char *path = NULL;
  if (!st || !(st->name = redact(url))) {
    free(st);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: handle");
  }
  sgxra_err e;
  if (starts(url, "sqlite:")) {
    const char *rest = url + strlen("sqlite:");
    const char *q = strchr(rest, '?');
    size_t plen = q ? (size_t)(q - rest) : strlen(rest);
    if (q) {
      if (strcmp(q, "?mode=ro") == 0) {
        st->read_only = 1;
      } else if (strcmp(q, "?mode=rw") != 0) {
        e = sgxra__fail(cx, SGXRA_E_STORE_URL,
                        "database URL %s: unknown option '%s' (expected "
                        "?mode=ro or ?mode=rw)",
                        st->name, q);
        goto fail;
      }
    }
    if (plen == 0) {
      e = sgxra__fail(cx, SGXRA_E_STORE_URL,
                      "database URL %s has no path: use sqlite:PATH, e.g. "
                      "sqlite:/var/lib/sgxra/registry.db",
                      st->name);
      goto fail;
    }
    path = strndup(rest, plen);
    if (!path) {
      e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: path");
      goto fail;
    }
    st->ops = &sgxra__sqlite_ops;
    e = sgxra__sqlite_open(cx, st, path);
  } else if (starts(url, "postgresql://") || starts(url, "postgres://") ||
             (strchr(url, '=') && !strstr(url, "://"))) {
    e = sgxra__pq_load(cx);
    if (e) goto fail;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    if (!opts) {
      char m[200];
      snprintf(m, sizeof(m), "%s", err ? err : "out of memory");
      m[strcspn(m, "\n")] = '\0';
      PQfreemem(err);
      e = sgxra__fail(cx, SGXRA_E_STORE_URL, "database URL %s: %s", st->name,
                      m);
      goto fail;
    }
    PQconninfoFree(opts);
    st->ops = &sgxra__pg_ops;
    e = sgxra__pg_open(cx, st, url);
  } else {
    e = sgxra__fail(cx, SGXRA_E_STORE_URL,
                    "database URL '%s' has no known scheme: use sqlite:PATH, "
                    "postgresql://... or a key=value libpq conninfo",
                    st->name);
    goto fail;
  }
  if (!e) e = sgxra__migrate(cx, st, now);
  if (e) goto fail;
  free(path);
  *out = st;
  return SGXRA_OK;
fail:
  free(path);
  sgxra_store_close(st);
  return e;
}

void sgxra_store_close(sgxra_store *st) {
  if (!st) return;
  if (st->ops && st->db) st->ops->close(st);
  free(st->name);
  free(st);
}

const char *sgxra_store_name(const sgxra_store *st) {
  return st ? st->name : "";
}

const char *sgxra_store_backend(const sgxra_store *st) {
  return st && st->ops ? st->ops->name : "";
}

sgxra_err sgxra_store_set_busy_timeout(sgxra_ctx *cx, sgxra_store *st, int ms) {
  if (!st || ms <= 0 || ms > 3600000)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "busy timeout %d ms is out of range (1..3600000)", ms);
  return st->ops->set_busy_timeout(cx, st, ms);
}

void sgxra_store_free(void *p) {
  free(p);
}

const char *sgxra_store_source_name(sgxra_store_source source) {
  switch (source) {
  case SGXRA_STORE_SOURCE_SIGSTRUCT:
    return "sigstruct";
  case SGXRA_STORE_SOURCE_ENCLAVE:
    return "enclave";
  case SGXRA_STORE_SOURCE_HEX:
    return "hex";
  }
  return "?";
}

static int source_from_name(const char *s, size_t n) {
  for (int v = SGXRA_STORE_SOURCE_SIGSTRUCT; v <= SGXRA_STORE_SOURCE_HEX; v++) {
    const char *name = sgxra_store_source_name((sgxra_store_source)v);
    if (strlen(name) == n && memcmp(name, s, n) == 0) return v;
  }
  return 0;
}

/* ---- checks and conversions ------------------------------------------------
 */

/* A caller's text: NUL-terminated, at most `max` bytes, valid UTF-8 (so
 * that both databases store it byte for byte), non-empty when required. */
sgxra_err sgxra__check_text(sgxra_ctx *cx, const char *s, size_t cap,
                            int required, const char *what) {
  size_t n = s ? strnlen(s, cap + 1) : 0;
  if (required && n == 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s is required", what);
  if (n > cap)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s is longer than %zu bytes", what, cap);
  if (n) {
    json_t *j = json_stringn(s, n);
    if (!j)
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "%s is not valid UTF-8 text", what);
    json_decref(j);
  }
  return SGXRA_OK;
}

sgxra_err sgxra__get_text(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *v,
                          char *dst, size_t cap, const char *what) {
  dst[0] = '\0';
  if (v->t == SGXRA__NULL) return SGXRA_OK;
  if (v->n >= cap)
    return sgxra__fail(cx, SGXRA_E_STORE_DB,
                       "database %s: %s holds %zu bytes, more than the %zu "
                       "sgxra writes: the row was not written by sgxra",
                       st->name, what, v->n, cap - 1);
  memcpy(dst, v->p, v->n);
  dst[v->n] = '\0';
  return SGXRA_OK;
}

sgxra_err sgxra__get_blob(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *v,
                          uint8_t *dst, size_t n, const char *what) {
  if (v->t != SGXRA__BLOB || v->n != n)
    return sgxra__fail(cx, SGXRA_E_STORE_DB,
                       "database %s: %s is not %zu bytes: the row was not "
                       "written by sgxra",
                       st->name, what, n);
  memcpy(dst, v->p, n);
  return SGXRA_OK;
}

sgxra_err sgxra__check_writable(sgxra_ctx *cx, const sgxra_store *st) {
  if (!st->read_only) return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_STORE_READ_ONLY,
                     "database %s is opened read-only (?mode=ro): open it "
                     "without ?mode=ro to change it",
                     st->name);
}

sgxra_err sgxra__write_one(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                           const sgxra__val *p, size_t np, sgxra__res *out) {
  sgxra_err e = sgxra__check_writable(cx, st);
  if (!e) e = st->ops->begin(cx, st, SGXRA__TX_WRITE);
  if (e) return e;
  e = st->ops->query(cx, st, sql, p, np, out);
  if (!e) e = st->ops->commit(cx, st);
  if (e) {
    st->ops->rollback(st);
    if (out) sgxra__res_free(out);
  }
  return e;
}

static const char *const table_sql[] = {NULL, "enclaves", "signers", "denied"};
static const char *const table_noun[] = {NULL, "enclave entry",
                                         "trusted signer entry", "deny entry"};

/* The columns every registry table shares, first in every SELECT. */
#define META_COLS                                                              \
  "id, source, product, note, added_by, added_at, revoked_at, revoked_by"
#define META_N 8

static sgxra_err get_meta(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                          sgxra_store_meta *m) {
  m->id = c[0].i;
  m->source =
      (sgxra_store_source)source_from_name((const char *)c[1].p, c[1].n);
  sgxra_err e =
      sgxra__get_text(cx, st, &c[2], m->product, sizeof(m->product), "product");
  if (!e) e = sgxra__get_text(cx, st, &c[3], m->note, sizeof(m->note), "note");
  if (!e)
    e = sgxra__get_text(cx, st, &c[4], m->added_by, sizeof(m->added_by),
                        "added_by");
  m->added_at = c[5].i;
  m->revoked = c[6].t != SGXRA__NULL;
  m->revoked_at = c[6].i;
  if (!e)
    e = sgxra__get_text(cx, st, &c[7], m->revoked_by, sizeof(m->revoked_by),
                        "revoked_by");
  return e;
}

static sgxra_err check_meta(sgxra_ctx *cx, const sgxra_store_meta *m,
                            const char *actor) {
  sgxra_err e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (!e && !source_from_name(sgxra_store_source_name(m->source),
                              strlen(sgxra_store_source_name(m->source))))
    e = sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                    "source %d is not one of sigstruct (1), enclave (2), "
                    "hex (3)",
                    (int)m->source);
  if (!e)
    e = sgxra__check_text(cx, m->product, SGXRA_STORE_PRODUCT_MAX, 0,
                          "product");
  if (!e) e = sgxra__check_text(cx, m->note, SGXRA_STORE_NOTE_MAX, 0, "note");
  return e;
}

static const char *or_null(const char *s) {
  return s && s[0] ? s : NULL;
}

/* The audit payload of an added row: `j` plus the meta fields, compact
 * with sorted keys so the same row always gives the same bytes. */
static sgxra_err add_audit(sgxra_ctx *cx, sgxra_store *st, sgxra__head *h,
                           json_t *j, int64_t id, const sgxra_store_meta *m,
                           const char *actor, int64_t now, const char *kind) {
  if (!j) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: audit payload");
  json_object_set_new(j, "id", json_integer(id));
  json_object_set_new(j, "source",
                      json_string(sgxra_store_source_name(m->source)));
  if (or_null(m->product))
    json_object_set_new(j, "product", json_string(m->product));
  if (or_null(m->note)) json_object_set_new(j, "note", json_string(m->note));
  char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(j);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: audit payload");
  sgxra_err e = sgxra__audit_add(cx, st, h, now, actor, kind, s, strlen(s));
  free(s);
  return e;
}

static void hex32(const uint8_t *p, char out[65]) {
  sgxra_hex_encode(p, 32, out);
}

/* Fail with DUPLICATE when `sql` (one param) finds an active row. */
static sgxra_err no_active(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                           const sgxra__val *p, size_t np, const char *what) {
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st, sql, p, np, &r);
  if (e) return e;
  if (r.rows) {
    char by[SGXRA_STORE_ACTOR_MAX + 1];
    (void)sgxra__get_text(NULL, st, sgxra__cell(&r, 0, 1), by, sizeof(by), "");
    e = sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                    "database %s: %s is already entry %lld (added by %s at "
                    "%lld): revoke it first to replace it",
                    st->name, what, (long long)sgxra__cell(&r, 0, 0)->i, by,
                    (long long)sgxra__cell(&r, 0, 2)->i);
  }
  sgxra__res_free(&r);
  return e;
}

static sgxra_err insert_id(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                           const sgxra__val *p, size_t np, int64_t *id) {
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st, sql, p, np, &r);
  if (e) return e;
  if (r.rows != 1 || sgxra__cell(&r, 0, 0)->t != SGXRA__INT)
    e = sgxra__fail(cx, SGXRA_E_STORE_DB, "database %s: INSERT gave no id",
                    st->name);
  else
    *id = sgxra__cell(&r, 0, 0)->i;
  sgxra__res_free(&r);
  return e;
}

/* ---- enclaves --------------------------------------------------------------
 */

#define ENCLAVE_SELECT                                                         \
  "SELECT " META_COLS ", mrenclave, mrsigner, isvprodid, isvsvn, "             \
  "attributes, allow_debug_signer FROM enclaves "

static sgxra_err get_enclave(sgxra_ctx *cx, sgxra_store *st,
                             const sgxra__val *c, void *outp) {
  sgxra_store_enclave *o = outp;
  memset(o, 0, sizeof(*o));
  sgxra_err e = get_meta(cx, st, c, &o->meta);
  c += META_N;
  if (!e) e = sgxra__get_blob(cx, st, &c[0], o->mrenclave, 32, "mrenclave");
  if (!e) e = sgxra__get_blob(cx, st, &c[1], o->mrsigner, 32, "mrsigner");
  o->isvprodid = (uint16_t)c[2].i;
  o->isvsvn = (uint16_t)c[3].i;
  uint8_t attr[16];
  if (!e) e = sgxra__get_blob(cx, st, &c[4], attr, 16, "attributes");
  if (!e) {
    o->attributes.flags = sgxra__le64(attr);
    o->attributes.xfrm = sgxra__le64(attr + 8);
  }
  o->allow_debug_signer = c[5].i != 0;
  return e;
}

sgxra_err sgxra_store_enclave_add(sgxra_ctx *cx, sgxra_store *st,
                                  const sgxra_store_enclave *en,
                                  const char *actor, int64_t now,
                                  int64_t *out_id) {
  if (out_id) *out_id = 0;
  if (!st || !en || !out_id)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_enclave_add: store, entry and out_id "
                       "are required");
  sgxra_err e = check_meta(cx, &en->meta, actor);
  if (e) return e;
  char mre[65], mrs[65], attrhex[33];
  hex32(en->mrenclave, mre);
  hex32(en->mrsigner, mrs);
  uint8_t attr[16];
  sgxra__st64(attr, en->attributes.flags);
  sgxra__st64(attr + 8, en->attributes.xfrm);
  sgxra_hex_encode(attr, 16, attrhex);
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__val k[] = {sgxra__blob(en->mrenclave, 32)};
  char what[96];
  snprintf(what, sizeof(what), "MRENCLAVE %.16s...", mre);
  e = no_active(cx, st,
                "SELECT id, added_by, added_at FROM enclaves "
                "WHERE mrenclave = $1 AND revoked_at IS NULL",
                k, 1, what);
  int64_t id = 0;
  if (!e) {
    sgxra__val p[] = {sgxra__blob(en->mrenclave, 32),
                      sgxra__blob(en->mrsigner, 32),
                      sgxra__int(en->isvprodid),
                      sgxra__int(en->isvsvn),
                      sgxra__blob(attr, 16),
                      sgxra__int(en->allow_debug_signer ? 1 : 0),
                      sgxra__text(sgxra_store_source_name(en->meta.source)),
                      sgxra__text(or_null(en->meta.product)),
                      sgxra__text(or_null(en->meta.note)),
                      sgxra__text(actor),
                      sgxra__int(now)};
    e = insert_id(cx, st,
                  "INSERT INTO enclaves (mrenclave, mrsigner, isvprodid, "
                  "isvsvn, attributes, allow_debug_signer, source, product, "
                  "note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, "
                  "$7, $8, $9, $10, $11) RETURNING id",
                  p, SGXRA__ARRAY_LEN(p), &id);
  }
  if (!e)
    e = add_audit(cx, st, &h,
                  json_pack("{s:s, s:s, s:i, s:i, s:s, s:b}", "mrenclave", mre,
                            "mrsigner", mrs, "isvprodid", (int)en->isvprodid,
                            "isvsvn", (int)en->isvsvn, "attributes", attrhex,
                            "allow_debug_signer", en->allow_debug_signer != 0),
                  id, &en->meta, actor, now, "enclave.add");
  e = sgxra__write_end(cx, st, e);
  if (!e) *out_id = id;
  return e;
}

/* ---- signers ---------------------------------------------------------------
 */

#define SIGNER_SELECT                                                          \
  "SELECT " META_COLS ", mrsigner, isvprodid, min_isvsvn, "                    \
  "allow_debug_signer FROM signers "

static sgxra_err get_signer(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                            void *outp) {
  sgxra_store_signer *o = outp;
  memset(o, 0, sizeof(*o));
  sgxra_err e = get_meta(cx, st, c, &o->meta);
  c += META_N;
  if (!e) e = sgxra__get_blob(cx, st, &c[0], o->mrsigner, 32, "mrsigner");
  o->isvprodid = (uint16_t)c[1].i;
  o->min_isvsvn = (uint16_t)c[2].i;
  o->allow_debug_signer = c[3].i != 0;
  return e;
}

sgxra_err sgxra_store_signer_add(sgxra_ctx *cx, sgxra_store *st,
                                 const sgxra_store_signer *s, const char *actor,
                                 int64_t now, int64_t *out_id) {
  if (out_id) *out_id = 0;
  if (!st || !s || !out_id)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_signer_add: store, entry and out_id are "
                       "required");
  sgxra_err e = check_meta(cx, &s->meta, actor);
  if (e) return e;
  char mrs[65];
  hex32(s->mrsigner, mrs);
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__val k[] = {sgxra__blob(s->mrsigner, 32), sgxra__int(s->isvprodid)};
  char what[96];
  snprintf(what, sizeof(what), "MRSIGNER %.16s... for ISVPRODID %u", mrs,
           s->isvprodid);
  e = no_active(cx, st,
                "SELECT id, added_by, added_at FROM signers WHERE mrsigner = "
                "$1 AND isvprodid = $2 AND revoked_at IS NULL",
                k, 2, what);
  int64_t id = 0;
  if (!e) {
    sgxra__val p[] = {sgxra__blob(s->mrsigner, 32),
                      sgxra__int(s->isvprodid),
                      sgxra__int(s->min_isvsvn),
                      sgxra__int(s->allow_debug_signer ? 1 : 0),
                      sgxra__text(sgxra_store_source_name(s->meta.source)),
                      sgxra__text(or_null(s->meta.product)),
                      sgxra__text(or_null(s->meta.note)),
                      sgxra__text(actor),
                      sgxra__int(now)};
    e = insert_id(cx, st,
                  "INSERT INTO signers (mrsigner, isvprodid, min_isvsvn, "
                  "allow_debug_signer, source, product, note, added_by, "
                  "added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                  "RETURNING id",
                  p, SGXRA__ARRAY_LEN(p), &id);
  }
  if (!e)
    e = add_audit(cx, st, &h,
                  json_pack("{s:s, s:i, s:i, s:b}", "mrsigner", mrs,
                            "isvprodid", (int)s->isvprodid, "min_isvsvn",
                            (int)s->min_isvsvn, "allow_debug_signer",
                            s->allow_debug_signer != 0),
                  id, &s->meta, actor, now, "signer.add");
  e = sgxra__write_end(cx, st, e);
  if (!e) *out_id = id;
  return e;
}

/* ---- deny list -------------------------------------------------------------
 */

#define DENY_SELECT "SELECT " META_COLS ", mrenclave, reason FROM denied "

static sgxra_err get_deny(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                          void *outp) {
  sgxra_store_deny *o = outp;
  memset(o, 0, sizeof(*o));
  sgxra_err e = get_meta(cx, st, c, &o->meta);
  c += META_N;
  if (!e) e = sgxra__get_blob(cx, st, &c[0], o->mrenclave, 32, "mrenclave");
  if (!e)
    e = sgxra__get_text(cx, st, &c[1], o->reason, sizeof(o->reason), "reason");
  return e;
}

sgxra_err sgxra_store_deny_add(sgxra_ctx *cx, sgxra_store *st,
                               const sgxra_store_deny *d, const char *actor,
                               int64_t now, int64_t *out_id) {
  if (out_id) *out_id = 0;
  if (!st || !d || !out_id)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_deny_add: store, entry and out_id are "
                       "required");
  sgxra_err e = check_meta(cx, &d->meta, actor);
  if (!e)
    e = sgxra__check_text(cx, d->reason, SGXRA_STORE_NOTE_MAX, 1, "reason");
  if (e) return e;
  char mre[65];
  hex32(d->mrenclave, mre);
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__val k[] = {sgxra__blob(d->mrenclave, 32)};
  char what[96];
  snprintf(what, sizeof(what), "denied MRENCLAVE %.16s...", mre);
  e = no_active(cx, st,
                "SELECT id, added_by, added_at FROM denied "
                "WHERE mrenclave = $1 AND revoked_at IS NULL",
                k, 1, what);
  int64_t id = 0;
  if (!e) {
    sgxra__val p[] = {sgxra__blob(d->mrenclave, 32),
                      sgxra__text(d->reason),
                      sgxra__text(sgxra_store_source_name(d->meta.source)),
                      sgxra__text(or_null(d->meta.product)),
                      sgxra__text(or_null(d->meta.note)),
                      sgxra__text(actor),
                      sgxra__int(now)};
    e = insert_id(cx, st,
                  "INSERT INTO denied (mrenclave, reason, source, product, "
                  "note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, "
                  "$7) RETURNING id",
                  p, SGXRA__ARRAY_LEN(p), &id);
  }
  if (!e)
    e = add_audit(
        cx, st, &h,
        json_pack("{s:s, s:s}", "mrenclave", mre, "reason", d->reason), id,
        &d->meta, actor, now, "deny.add");
  e = sgxra__write_end(cx, st, e);
  if (!e) *out_id = id;
  return e;
}

/* ---- revoke ----------------------------------------------------------------
 */

sgxra_err sgxra_store_revoke(sgxra_ctx *cx, sgxra_store *st,
                             sgxra_store_table table, int64_t id,
                             const char *actor, int64_t now) {
  if (!st || table < SGXRA_STORE_ENCLAVES || table > SGXRA_STORE_DENIED)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_revoke: store and a table "
                       "(SGXRA_STORE_ENCLAVES, _SIGNERS, _DENIED) required");
  sgxra_err e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (e) return e;
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  char sql[160];
  snprintf(sql, sizeof(sql),
           "SELECT revoked_at, revoked_by FROM %s WHERE id = $1",
           table_sql[table]);
  sgxra__val k[] = {sgxra__int(id)};
  sgxra__res r;
  e = st->ops->query(cx, st, sql, k, 1, &r);
  if (!e) {
    if (r.rows == 0) {
      e = sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                      "database %s has no %s %lld: list them to find the id",
                      st->name, table_noun[table], (long long)id);
    } else if (sgxra__cell(&r, 0, 0)->t != SGXRA__NULL) {
      e = sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                      "database %s: %s %lld was revoked already, at %lld "
                      "by %s",
                      st->name, table_noun[table], (long long)id,
                      (long long)sgxra__cell(&r, 0, 0)->i,
                      (const char *)sgxra__cell(&r, 0, 1)->p);
    }
    sgxra__res_free(&r);
  }
  if (!e) {
    snprintf(sql, sizeof(sql),
             "UPDATE %s SET revoked_at = $1, revoked_by = $2 WHERE id = $3",
             table_sql[table]);
    sgxra__val p[] = {sgxra__int(now), sgxra__text(actor), sgxra__int(id)};
    e = st->ops->query(cx, st, sql, p, 3, NULL);
  }
  if (!e) {
    json_t *j = json_pack("{s:s, s:I}", "table", table_sql[table], "id",
                          (json_int_t)id);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    e = s ? sgxra__audit_add(cx, st, &h, now, actor, "revoke", s, strlen(s))
          : sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: audit payload");
    free(s);
  }
  return sgxra__write_end(cx, st, e);
}

/* ---- lookups, get, list ----------------------------------------------------
 */

typedef sgxra_err (*row_fn)(sgxra_ctx *, sgxra_store *, const sgxra__val *,
                            void *);

/* Run a SELECT in autocommit mode and decode up to `cap` rows into an
 * array of `size`-byte elements. */
static sgxra_err select_rows(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                             const sgxra__val *p, size_t np, row_fn fn,
                             size_t size, size_t cap, void *arr,
                             size_t *out_n) {
  *out_n = 0;
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st, sql, p, np, &r);
  if (e) return e;
  for (size_t i = 0; i < r.rows && i < cap && !e; i++)
    e = fn(cx, st, sgxra__cell(&r, i, 0), (uint8_t *)arr + i * size);
  if (!e) *out_n = r.rows < cap ? r.rows : cap;
  sgxra__res_free(&r);
  return e;
}

static sgxra_err find_one(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                          const sgxra__val *p, size_t np, row_fn fn,
                          size_t size, int *out_found, void *out) {
  if (out_found) *out_found = 0;
  if (out) memset(out, 0, size);
  if (!st || !out_found)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "store lookup: store and out_found are required");
  uint8_t tmp[sizeof(sgxra_store_enclave) > sizeof(sgxra_store_deny)
                  ? sizeof(sgxra_store_enclave)
                  : sizeof(sgxra_store_deny)];
  _Static_assert(sizeof(tmp) >= sizeof(sgxra_store_signer), "tmp size");
  size_t n;
  sgxra_err e = select_rows(cx, st, sql, p, np, fn, size, 1, tmp, &n);
  if (e) return e;
  *out_found = n == 1;
  if (n == 1 && out) memcpy(out, tmp, size);
  return SGXRA_OK;
}

sgxra_err sgxra_store_enclave_find(sgxra_ctx *cx, sgxra_store *st,
                                   const uint8_t mrenclave[SGXRA_HASH_SIZE],
                                   int *out_found, sgxra_store_enclave *out) {
  sgxra__val p[] = {sgxra__blob(mrenclave, 32)};
  return find_one(cx, st,
                  ENCLAVE_SELECT "WHERE mrenclave = $1 AND revoked_at IS NULL",
                  p, 1, get_enclave, sizeof(*out), out_found, out);
}

sgxra_err sgxra_store_signer_find(sgxra_ctx *cx, sgxra_store *st,
                                  const uint8_t mrsigner[SGXRA_HASH_SIZE],
                                  uint16_t isvprodid, int *out_found,
                                  sgxra_store_signer *out) {
  sgxra__val p[] = {sgxra__blob(mrsigner, 32), sgxra__int(isvprodid)};
  return find_one(cx, st,
                  SIGNER_SELECT "WHERE mrsigner = $1 AND isvprodid = $2 AND "
                                "revoked_at IS NULL",
                  p, 2, get_signer, sizeof(*out), out_found, out);
}

sgxra_err sgxra_store_deny_check(sgxra_ctx *cx, sgxra_store *st,
                                 const uint8_t mrenclave[SGXRA_HASH_SIZE],
                                 int *out_denied, sgxra_store_deny *out) {
  sgxra__val p[] = {sgxra__blob(mrenclave, 32)};
  return find_one(cx, st,
                  DENY_SELECT "WHERE mrenclave = $1 AND revoked_at IS NULL", p,
                  1, get_deny, sizeof(sgxra_store_deny), out_denied, out);
}

static sgxra_err get_by_id(sgxra_ctx *cx, sgxra_store *st, sgxra_store_table t,
                           const char *sql, int64_t id, row_fn fn, size_t size,
                           void *out) {
  if (out) memset(out, 0, size);
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "store get: out is NULL");
  int found;
  sgxra__val p[] = {sgxra__int(id)};
  sgxra_err e = find_one(cx, st, sql, p, 1, fn, size, &found, out);
  if (!e && !found)
    e = sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                    "database %s has no %s %lld: list them to find the id",
                    st->name, table_noun[t], (long long)id);
  return e;
}

sgxra_err sgxra_store_enclave_get(sgxra_ctx *cx, sgxra_store *st, int64_t id,
                                  sgxra_store_enclave *out) {
  return get_by_id(cx, st, SGXRA_STORE_ENCLAVES, ENCLAVE_SELECT "WHERE id = $1",
                   id, get_enclave, sizeof(*out), out);
}

sgxra_err sgxra_store_signer_get(sgxra_ctx *cx, sgxra_store *st, int64_t id,
                                 sgxra_store_signer *out) {
  return get_by_id(cx, st, SGXRA_STORE_SIGNERS, SIGNER_SELECT "WHERE id = $1",
                   id, get_signer, sizeof(*out), out);
}

sgxra_err sgxra_store_deny_get(sgxra_ctx *cx, sgxra_store *st, int64_t id,
                               sgxra_store_deny *out) {
  return get_by_id(cx, st, SGXRA_STORE_DENIED, DENY_SELECT "WHERE id = $1", id,
                   get_deny, sizeof(*out), out);
}

static sgxra_err list(sgxra_ctx *cx, sgxra_store *st, const char *select,
                      int64_t after_id, size_t limit, int include_revoked,
                      row_fn fn, size_t size, void **out, size_t *out_n) {
  if (out) *out = NULL;
  if (out_n) *out_n = 0;
  if (!st || !out || !out_n || limit == 0 || limit > SGXRA_STORE_LIST_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "store list: store, out, out_n and a limit of "
                       "1..%d are required",
                       SGXRA_STORE_LIST_MAX);
  char sql[512];
  snprintf(sql, sizeof(sql), "%sWHERE id > $1%s ORDER BY id LIMIT $2", select,
           include_revoked ? "" : " AND revoked_at IS NULL");
  sgxra__val p[] = {sgxra__int(after_id), sgxra__int((int64_t)limit)};
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st, sql, p, 2, &r);
  if (e) return e;
  void *arr = NULL;
  if (r.rows) {
    arr = calloc(r.rows, size);
    if (!arr) e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: list");
  }
  for (size_t i = 0; i < r.rows && !e; i++)
    e = fn(cx, st, sgxra__cell(&r, i, 0), (uint8_t *)arr + i * size);
  if (!e) {
    *out = arr;
    *out_n = r.rows;
  } else {
    free(arr);
  }
  sgxra__res_free(&r);
  return e;
}

sgxra_err sgxra_store_enclave_list(sgxra_ctx *cx, sgxra_store *st,
                                   int64_t after_id, size_t limit,
                                   int include_revoked,
                                   sgxra_store_enclave **out, size_t *out_n) {
  return list(cx, st, ENCLAVE_SELECT, after_id, limit, include_revoked,
              get_enclave, sizeof(**out), (void **)out, out_n);
}

sgxra_err sgxra_store_signer_list(sgxra_ctx *cx, sgxra_store *st,
                                  int64_t after_id, size_t limit,
                                  int include_revoked, sgxra_store_signer **out,
                                  size_t *out_n) {
  return list(cx, st, SIGNER_SELECT, after_id, limit, include_revoked,
              get_signer, sizeof(**out), (void **)out, out_n);
}

sgxra_err sgxra_store_deny_list(sgxra_ctx *cx, sgxra_store *st,
                                int64_t after_id, size_t limit,
                                int include_revoked, sgxra_store_deny **out,
                                size_t *out_n) {
  return list(cx, st, DENY_SELECT, after_id, limit, include_revoked, get_deny,
              sizeof(**out), (void **)out, out_n);
}

/* ---- policies --------------------------------------------------------------
 */

#define POLICY_COLS "version, sha256, set_by, set_at, length(document)"

static sgxra_err get_policy(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                            void *outp) {
  sgxra_store_policy_info *o = outp;
  memset(o, 0, sizeof(*o));
  o->version = c[0].i;
  sgxra_err e = sgxra__get_blob(cx, st, &c[1], o->sha256, 32, "policy sha256");
  if (!e)
    e = sgxra__get_text(cx, st, &c[2], o->set_by, sizeof(o->set_by), "set_by");
  o->set_at = c[3].i;
  o->size = (size_t)c[4].i;
  return e;
}

sgxra_err sgxra_store_policy_set(sgxra_ctx *cx, sgxra_store *st,
                                 const char *doc, size_t doc_len,
                                 const char *actor, int64_t now,
                                 sgxra_store_policy_info *out) {
  if (out) memset(out, 0, sizeof(*out));
  if (!st || !doc || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_policy_set: store, document and out are "
                       "required");
  sgxra_err e = sgxra__check_text(cx, actor, SGXRA_STORE_ACTOR_MAX, 1, "actor");
  if (e) return e;
  if (doc_len > SGXRA_STORE_DOC_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "policy document is %zu bytes, more than %d", doc_len,
                       SGXRA_STORE_DOC_MAX);
  json_error_t je;
  json_t *j = json_loadb(doc, doc_len, 0, &je);
  int is_obj = json_is_object(j);
  json_decref(j);
  if (!j)
    return sgxra__fail(cx, SGXRA_E_JSON,
                       "policy document: %s at line %d column %d", je.text,
                       je.line, je.column);
  if (!is_obj)
    return sgxra__fail(cx, SGXRA_E_JSON,
                       "policy document is JSON but not an object");
  uint8_t h32[SGXRA_SHA256_SIZE];
  e = sgxra_sha256(cx, doc, doc_len, h32);
  if (e) return e;
  sgxra__head h;
  e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  sgxra__res r;
  int64_t version = 0;
  e = st->ops->query(cx, st, "SELECT max(version) FROM policies", NULL, 0, &r);
  if (!e) {
    version = (r.rows && sgxra__cell(&r, 0, 0)->t == SGXRA__INT
                   ? sgxra__cell(&r, 0, 0)->i
                   : 0) +
              1;
    sgxra__res_free(&r);
    sgxra__val p[] = {sgxra__int(version), sgxra__blob(doc, doc_len),
                      sgxra__blob(h32, 32), sgxra__text(actor),
                      sgxra__int(now)};
    e = st->ops->query(cx, st,
                       "INSERT INTO policies (version, document, sha256, "
                       "set_by, set_at) VALUES ($1, $2, $3, $4, $5)",
                       p, 5, NULL);
  }
  if (!e) {
    char hx[65];
    hex32(h32, hx);
    json_t *pj = json_pack("{s:I, s:s, s:I}", "version", (json_int_t)version,
                           "sha256", hx, "size", (json_int_t)doc_len);
    char *s = pj ? json_dumps(pj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(pj);
    e = s ? sgxra__audit_add(cx, st, &h, now, actor, "policy.set", s, strlen(s))
          : sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: audit payload");
    free(s);
  }
  e = sgxra__write_end(cx, st, e);
  if (!e) {
    out->version = version;
    memcpy(out->sha256, h32, 32);
    snprintf(out->set_by, sizeof(out->set_by), "%s", actor);
    out->set_at = now;
    out->size = doc_len;
  }
  return e;
}

sgxra_err sgxra_store_policy_get(sgxra_ctx *cx, sgxra_store *st,
                                 int64_t version,
                                 sgxra_store_policy_info *out_info,
                                 char **out_doc) {
  if (out_info) memset(out_info, 0, sizeof(*out_info));
  if (out_doc) *out_doc = NULL;
  if (!st || !out_info || version < 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_policy_get: store, out_info and a version "
                       ">= 0 are required");
  sgxra__val p[] = {sgxra__int(version)};
  sgxra__res r;
  sgxra_err e =
      st->ops->query(cx, st,
                     version ? "SELECT " POLICY_COLS ", document FROM policies "
                               "WHERE version = $1"
                             : "SELECT " POLICY_COLS ", document FROM policies "
                               "ORDER BY version DESC LIMIT 1",
                     p, version ? 1 : 0, &r);
  if (e) return e;
  if (r.rows == 0) {
    e = version ? sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                              "database %s has no policy version %lld: see "
                              "the policy history",
                              st->name, (long long)version)
                : sgxra__fail(cx, SGXRA_E_STORE_NOT_FOUND,
                              "database %s has no policy yet: set one first",
                              st->name);
  }
  if (!e) e = get_policy(cx, st, sgxra__cell(&r, 0, 0), out_info);
  if (!e) {
    const sgxra__val *d = sgxra__cell(&r, 0, 5);
    /* Hand out the stored bytes only if they still hash to the stored
     * digest: the document is what every decision names by its hash. */
    uint8_t h32[SGXRA_SHA256_SIZE];
    e = sgxra_sha256(cx, d->p, d->n, h32);
    if (!e && !sgxra_ct_equal(h32, out_info->sha256, 32))
      e = sgxra__fail(cx, SGXRA_E_STORE_DB,
                      "database %s: policy version %lld does not hash to its "
                      "stored SHA-256: the row was changed behind sgxra's "
                      "back; run the audit verify and set the policy again",
                      st->name, (long long)out_info->version);
    if (!e && out_doc) {
      /* The cell is already NUL-terminated after n bytes: hand it over. */
      *out_doc = (char *)d->p;
      ((sgxra__val *)d)->p = NULL;
    }
  }
  sgxra__res_free(&r);
  if (e) memset(out_info, 0, sizeof(*out_info));
  return e;
}

sgxra_err sgxra_store_policy_history(sgxra_ctx *cx, sgxra_store *st,
                                     sgxra_store_policy_info **out,
                                     size_t *out_n) {
  if (out) *out = NULL;
  if (out_n) *out_n = 0;
  if (!st || !out || !out_n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_policy_history: store, out and out_n "
                       "are required");
  sgxra__res r;
  sgxra_err e = st->ops->query(
      cx, st, "SELECT " POLICY_COLS " FROM policies ORDER BY version", NULL, 0,
      &r);
  if (e) return e;
  sgxra_store_policy_info *arr = NULL;
  if (r.rows && !(arr = calloc(r.rows, sizeof(*arr))))
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: policy history");
  for (size_t i = 0; i < r.rows && !e; i++)
    e = get_policy(cx, st, sgxra__cell(&r, i, 0), &arr[i]);
  if (!e) {
    *out = arr;
    *out_n = r.rows;
  } else {
    free(arr);
  }
  sgxra__res_free(&r);
  return e;
}
