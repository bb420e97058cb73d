/* The audit chain: appending inside every write transaction, listing, and
 * verifying.  The byte layout of a row's hash is drawn in sgxra/store.h and
 * docs/STORE.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sgxra/hex.h"
#include "store/internal.h"

/* Rows read per query while verifying (bounded memory on long chains). */
#define VERIFY_PAGE 1000

static const char *const own_kinds[] = {
    "enclave.add", "signer.add",    "deny.add",  "revoke",      "policy.set",
    "secret.set",  "secret.delete", "token.add", "token.revoke"};

static sgxra_err put_str(sgxra_ctx *cx, sgxra_sha256_stream *s, const void *p,
                         size_t n) {
  uint8_t len[4];
  if (n > UINT32_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE, "audit field of %zu bytes", n);
  sgxra__st32(len, (uint32_t)n);
  sgxra_err e = sgxra_sha256_update(cx, s, len, sizeof(len));
  if (!e && n) e = sgxra_sha256_update(cx, s, p, n);
  return e;
}

sgxra_err sgxra_store_audit_hash(sgxra_ctx *cx,
                                 const uint8_t prev_hash[SGXRA_SHA256_SIZE],
                                 int64_t seq, int64_t at, const char *actor,
                                 const char *kind, const char *payload,
                                 size_t payload_len,
                                 uint8_t out[SGXRA_SHA256_SIZE]) {
  if (!prev_hash || !actor || !kind || (!payload && payload_len) || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_audit_hash: NULL argument");
  uint8_t nums[16];
  sgxra__st64(nums, (uint64_t)seq);
  sgxra__st64(nums + 8, (uint64_t)at);
  sgxra_sha256_stream s;
  sgxra_err e = sgxra_sha256_init(cx, &s);
  if (!e) e = sgxra_sha256_update(cx, &s, prev_hash, SGXRA_SHA256_SIZE);
  if (!e) e = sgxra_sha256_update(cx, &s, nums, sizeof(nums));
  if (!e) e = put_str(cx, &s, actor, strlen(actor));
  if (!e) e = put_str(cx, &s, kind, strlen(kind));
  if (!e) e = put_str(cx, &s, payload, payload_len);
  if (!e) e = sgxra_sha256_final(cx, &s, out);
  sgxra_sha256_cleanup(&s);
  return e;
}

sgxra_err sgxra__write_begin(sgxra_ctx *cx, sgxra_store *st, sgxra__head *h) {
  memset(h, 0, sizeof(*h));
  if (st->read_only)
    return sgxra__fail(cx, SGXRA_E_STORE_READ_ONLY,
                       "database %s is opened read-only (?mode=ro): open it "
                       "without ?mode=ro to change it",
                       st->name);
  sgxra_err e = st->ops->begin(cx, st, SGXRA__TX_WRITE);
  if (e) return e;
  /* PostgreSQL: FOR UPDATE makes this row the queue every writer waits in,
   * so seq and prev_hash cannot be taken twice. */
  char sql[96];
  snprintf(sql, sizeof(sql), "SELECT seq, hash FROM audit_head WHERE id = 1%s",
           st->ops->lock_clause);
  sgxra__res r;
  e = st->ops->query(cx, st, sql, NULL, 0, &r);
  if (!e) {
    if (r.rows != 1 || sgxra__cell(&r, 0, 1)->t != SGXRA__BLOB ||
        sgxra__cell(&r, 0, 1)->n != SGXRA_SHA256_SIZE)
      e = sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                      "database %s: the audit chain head row is missing or "
                      "malformed: the database was edited behind sgxra's "
                      "back; run the audit verify",
                      st->name);
    else {
      h->seq = sgxra__cell(&r, 0, 0)->i;
      memcpy(h->hash, sgxra__cell(&r, 0, 1)->p, SGXRA_SHA256_SIZE);
    }
    sgxra__res_free(&r);
  }
  if (e) st->ops->rollback(st);
  return e;
}

sgxra_err sgxra__audit_add(sgxra_ctx *cx, sgxra_store *st, sgxra__head *h,
                           int64_t now, const char *actor, const char *kind,
                           const char *payload, size_t payload_len) {
  int64_t seq = h->seq + 1;
  uint8_t hash[SGXRA_SHA256_SIZE];
  sgxra_err e = sgxra_store_audit_hash(cx, h->hash, seq, now, actor, kind,
                                       payload, payload_len, hash);
  if (e) return e;
  sgxra__val p[] = {sgxra__int(seq),
                    sgxra__int(now),
                    sgxra__text(actor),
                    sgxra__text(kind),
                    {SGXRA__TEXT, 0, (const uint8_t *)payload, payload_len},
                    sgxra__blob(h->hash, SGXRA_SHA256_SIZE),
                    sgxra__blob(hash, SGXRA_SHA256_SIZE)};
  e = st->ops->query(cx, st,
                     "INSERT INTO audit (seq, at, actor, kind, payload, "
                     "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                     p, SGXRA__ARRAY_LEN(p), NULL);
  if (e) return e;
  sgxra__val q[] = {sgxra__int(seq), sgxra__blob(hash, SGXRA_SHA256_SIZE)};
  e = st->ops->query(cx, st,
                     "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                     q, 2, NULL);
  if (e) return e;
  h->seq = seq;
  memcpy(h->hash, hash, SGXRA_SHA256_SIZE);
  return SGXRA_OK;
}

sgxra_err sgxra__write_end(sgxra_ctx *cx, sgxra_store *st, sgxra_err e) {
  if (!e) e = st->ops->commit(cx, st);
  if (e) st->ops->rollback(st);
  return e;
}

sgxra_err sgxra_store_audit_append(sgxra_ctx *cx, sgxra_store *st,
                                   const char *kind, const char *payload,
                                   size_t payload_len, const char *actor,
                                   int64_t now, int64_t *out_seq) {
  if (out_seq) *out_seq = 0;
  if (!st || !kind || !payload || !out_seq)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_audit_append: store, kind, payload and "
                       "out_seq are required");
  size_t kn = strlen(kind);
  if (kn == 0 || kn > SGXRA_STORE_KIND_MAX ||
      strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789._-") != kn)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "audit kind '%.40s' must be 1..%d characters of "
                       "a-z 0-9 . _ -",
                       kind, SGXRA_STORE_KIND_MAX);
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(own_kinds); i++)
    if (strcmp(kind, own_kinds[i]) == 0)
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "audit kind '%s' is written only by the store "
                         "itself, with the change it records",
                         kind);
  size_t an = actor ? strnlen(actor, SGXRA_STORE_ACTOR_MAX + 1) : 0;
  if (an == 0 || an > SGXRA_STORE_ACTOR_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "actor must be 1..%d bytes", SGXRA_STORE_ACTOR_MAX);
  json_t *ja = json_string(actor); /* UTF-8 check */
  if (!ja)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "actor is not valid UTF-8 text");
  json_decref(ja);
  if (payload_len > SGXRA_STORE_DOC_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "audit payload is %zu bytes, more than %d", payload_len,
                       SGXRA_STORE_DOC_MAX);
  json_error_t je;
  json_t *j = json_loadb(payload, payload_len, JSON_DECODE_ANY, &je);
  if (!j)
    return sgxra__fail(cx, SGXRA_E_JSON,
                       "audit payload: %s at line %d column %d", je.text,
                       je.line, je.column);
  json_decref(j);
  sgxra__head h;
  sgxra_err e = sgxra__write_begin(cx, st, &h);
  if (e) return e;
  e = sgxra__audit_add(cx, st, &h, now, actor, kind, payload, payload_len);
  e = sgxra__write_end(cx, st, e);
  if (!e) *out_seq = h.seq;
  return e;
}

#define AUDIT_SELECT                                                           \
  "SELECT seq, at, actor, kind, payload, prev_hash, hash FROM audit "          \
  "WHERE seq > $1 ORDER BY seq LIMIT $2"

static sgxra_err get_row(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *c,
                         sgxra_store_audit_row *o) {
  memset(o, 0, sizeof(*o));
  o->seq = c[0].i;
  o->at = c[1].i;
  if (c[2].n > SGXRA_STORE_ACTOR_MAX || c[3].n > SGXRA_STORE_KIND_MAX ||
      c[5].t != SGXRA__BLOB || c[5].n != SGXRA_SHA256_SIZE ||
      c[6].t != SGXRA__BLOB || c[6].n != SGXRA_SHA256_SIZE)
    return sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                       "database %s: audit row %lld has fields of the wrong "
                       "size: it was not written by sgxra",
                       st->name, (long long)o->seq);
  if (c[2].n) memcpy(o->actor, c[2].p, c[2].n);
  if (c[3].n) memcpy(o->kind, c[3].p, c[3].n);
  memcpy(o->prev_hash, c[5].p, SGXRA_SHA256_SIZE);
  memcpy(o->hash, c[6].p, SGXRA_SHA256_SIZE);
  o->payload_len = c[4].n;
  return SGXRA_OK;
}

sgxra_err sgxra_store_audit_list(sgxra_ctx *cx, sgxra_store *st,
                                 int64_t after_seq, size_t limit,
                                 sgxra_store_audit_row **out, size_t *out_n) {
  if (out) *out = NULL;
  if (out_n) *out_n = 0;
  if (!st || !out || !out_n || limit == 0 || limit > SGXRA_STORE_LIST_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_audit_list: store, out, out_n and a "
                       "limit of 1..%d are required",
                       SGXRA_STORE_LIST_MAX);
  sgxra__val p[] = {sgxra__int(after_seq), sgxra__int((int64_t)limit)};
  sgxra__res r;
  sgxra_err e = st->ops->query(cx, st, AUDIT_SELECT, p, 2, &r);
  if (e) return e;
  if (r.rows == 0) return SGXRA_OK;
  /* One block: the rows, then each payload with its NUL. */
  size_t total = r.rows * sizeof(sgxra_store_audit_row);
  for (size_t i = 0; i < r.rows; i++) total += sgxra__cell(&r, i, 4)->n + 1;
  uint8_t *blk = malloc(total);
  if (!blk) e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "store: audit rows");
  sgxra_store_audit_row *rows = (sgxra_store_audit_row *)blk;
  char *text = (char *)blk + r.rows * sizeof(*rows);
  for (size_t i = 0; i < r.rows && !e; i++) {
    const sgxra__val *c = sgxra__cell(&r, i, 0);
    e = get_row(cx, st, c, &rows[i]);
    if (e) break;
    if (c[4].n) memcpy(text, c[4].p, c[4].n);
    text[c[4].n] = '\0';
    rows[i].payload = text;
    text += c[4].n + 1;
  }
  if (!e) {
    *out = rows;
    *out_n = r.rows;
  } else {
    free(blk);
  }
  sgxra__res_free(&r);
  return e;
}

static void hex8(const uint8_t *p, char out[17]) {
  sgxra_hex_encode(p, 8, out);
}

/* Check the rows of one page against the chain so far.  Returns
 * SGXRA_E_STORE_AUDIT_BROKEN with out->first_bad_seq at the first
 * failure. */
static sgxra_err check_page(sgxra_ctx *cx, sgxra_store *st, const sgxra__res *r,
                            int64_t *last_seq,
                            uint8_t last_hash[SGXRA_SHA256_SIZE],
                            sgxra_store_audit_check *out) {
  for (size_t i = 0; i < r->rows; i++) {
    sgxra_store_audit_row row;
    const sgxra__val *c = sgxra__cell(r, i, 0);
    int64_t want = *last_seq + 1;
    if (c[0].i != want) {
      out->first_bad_seq = c[0].i < want ? c[0].i : want;
      if (c[0].i > want + 1)
        return sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                           "database %s: audit rows %lld..%lld are missing: "
                           "row %lld follows row %lld",
                           st->name, (long long)want, (long long)c[0].i - 1,
                           (long long)c[0].i, (long long)*last_seq);
      if (c[0].i == want + 1)
        return sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                           "database %s: audit row %lld is missing: row %lld "
                           "follows row %lld",
                           st->name, (long long)want, (long long)c[0].i,
                           (long long)*last_seq);
      return sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                         "database %s: audit row with seq %lld where the "
                         "chain starts at 1: it was inserted",
                         st->name, (long long)c[0].i);
    }
    out->first_bad_seq = want; /* until the row passes */
    sgxra_err e = get_row(cx, st, c, &row);
    if (e) return e;
    char a[17], b[17];
    if (!sgxra_ct_equal(row.prev_hash, last_hash, SGXRA_SHA256_SIZE)) {
      hex8(row.prev_hash, a);
      hex8(last_hash, b);
      return sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                         "database %s: audit row %lld: prev_hash %s... is not "
                         "the hash of row %lld (%s...): rows were inserted, "
                         "removed or reordered here",
                         st->name, (long long)want, a, (long long)*last_seq, b);
    }
    uint8_t h[SGXRA_SHA256_SIZE];
    e = sgxra_store_audit_hash(cx, last_hash, row.seq, row.at, row.actor,
                               row.kind, (const char *)c[4].p, c[4].n, h);
    if (e) return e;
    if (!sgxra_ct_equal(h, row.hash, SGXRA_SHA256_SIZE)) {
      hex8(row.hash, a);
      hex8(h, b);
      return sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                         "database %s: audit row %lld: stored hash %s... "
                         "differs from the recomputed %s...: the row was "
                         "changed (or moved: its seq is part of the hash)",
                         st->name, (long long)want, a, b);
    }
    out->first_bad_seq = 0;
    out->rows++;
    *last_seq = row.seq;
    memcpy(last_hash, row.hash, SGXRA_SHA256_SIZE);
  }
  return SGXRA_OK;
}

sgxra_err sgxra_store_audit_verify(sgxra_ctx *cx, sgxra_store *st,
                                   sgxra_store_audit_check *out) {
  if (out) memset(out, 0, sizeof(*out));
  if (!st || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_store_audit_verify: store and out are "
                       "required");
  /* One snapshot for the head and every page: writers may go on meanwhile
   * without making the chain look broken. */
  sgxra_err e = st->ops->begin(cx, st, SGXRA__TX_READ);
  if (e) return e;
  sgxra__res r;
  e = st->ops->query(cx, st, "SELECT seq, hash FROM audit_head WHERE id = 1",
                     NULL, 0, &r);
  if (!e) {
    if (r.rows != 1 || sgxra__cell(&r, 0, 1)->n != SGXRA_SHA256_SIZE)
      e = sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                      "database %s: the audit chain head row is missing or "
                      "malformed",
                      st->name);
    else {
      out->head_seq = sgxra__cell(&r, 0, 0)->i;
      memcpy(out->head_hash, sgxra__cell(&r, 0, 1)->p, SGXRA_SHA256_SIZE);
    }
    sgxra__res_free(&r);
  }
  int64_t last_seq = 0;
  uint8_t last_hash[SGXRA_SHA256_SIZE] = {0};
  while (!e) {
    sgxra__val p[] = {sgxra__int(last_seq), sgxra__int(VERIFY_PAGE)};
    e = st->ops->query(cx, st, AUDIT_SELECT, p, 2, &r);
    if (e) break;
    size_t n = r.rows;
    e = check_page(cx, st, &r, &last_seq, last_hash, out);
    sgxra__res_free(&r);
    if (n < VERIFY_PAGE) break;
  }
  if (!e && last_seq != out->head_seq) {
    if (last_seq < out->head_seq) {
      out->first_bad_seq = last_seq + 1;
      e = sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                      "database %s: audit rows %lld..%lld are missing: the "
                      "chain head records %lld, the last row is %lld",
                      st->name, (long long)last_seq + 1,
                      (long long)out->head_seq, (long long)out->head_seq,
                      (long long)last_seq);
    } else {
      out->first_bad_seq = out->head_seq + 1;
      e = sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                      "database %s: audit row %lld is beyond the chain head "
                      "(%lld): rows were appended behind sgxra's back",
                      st->name, (long long)out->head_seq + 1,
                      (long long)out->head_seq);
    }
  }
  if (!e && !sgxra_ct_equal(last_hash, out->head_hash, SGXRA_SHA256_SIZE)) {
    out->first_bad_seq = last_seq ? last_seq : 1;
    e = sgxra__fail(cx, SGXRA_E_STORE_AUDIT_BROKEN,
                    "database %s: the chain head's hash is not the hash of "
                    "row %lld: the head or the last row was changed",
                    st->name, (long long)last_seq);
  }
  st->ops->rollback(st); /* read-only: nothing to keep */
  if (e && e != SGXRA_E_STORE_AUDIT_BROKEN) memset(out, 0, sizeof(*out));
  return e;
}
