/* Tests of schema v3 (sgxra/store.h): RA sessions (the compare-and-set that
 * refuses a replayed step across replicas, expiry, purge), provisioned
 * secrets (per MRENCLAVE and per (MRSIGNER, ISVPRODID), audited by hash,
 * never by value), admin tokens, and the migration 2 -> 3; each on SQLite
 * and on PostgreSQL (tests/common/testdb.h: the PostgreSQL half is SKIPPED
 * without a server).  Hashes are recomputed here with OpenSSL directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "common/testdb.h"
#include "common/testutil.h"
#include "sgxra/hex.h"
#include "sgxra/store.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

typedef struct backend {
  int pg;
} backend;
static const backend SQ = {0}, PG = {1};

typedef struct env {
  tu_db db;
  sgxra_ctx *cx;
} env;

/* One integer from raw SQL, behind the store's back. */
static long long count(const tu_db *d, const char *sql) {
  long long v = -1;
  if (!d->pg) {
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_open(d->path, &db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
      fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
  }
  PGconn *c = PQconnectdb(d->url);
  PGresult *r = PQexec(c, sql);
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  v = atoll(PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(c);
  return v;
}

static void env_init(env *e, void **state) {
  memset(e, 0, sizeof(*e));
  const backend *b = *state;
  tu_db_init(&e->db, b->pg);
  e->cx = sgxra_ctx_new();
}

static void env_done(env *e) {
  tu_db_done(&e->db);
  sgxra_ctx_free(e->cx);
}

static sgxra_store *env_open(env *e) {
  sgxra_store *st = NULL;
  sgxra_err err = sgxra_store_open(e->cx, e->db.url, T0, &st);
  if (err) fail_msg("open %s: %s", e->db.url, sgxra_ctx_message(e->cx));
  return st;
}

#define OK(call)                                                               \
  do {                                                                         \
    sgxra_err err_ = (call);                                                   \
    if (err_)                                                                  \
      fail_msg("%s: %s [%s]", #call, sgxra_ctx_message(e.cx),                  \
               sgxra_err_name(err_));                                          \
  } while (0)

#define REFUSED(code, call)                                                    \
  do {                                                                         \
    sgxra_err err_ = (call);                                                   \
    if (err_ != (code))                                                        \
      fail_msg("%s: expected %s, got %s (%s)", #call, sgxra_err_name(code),    \
               sgxra_err_name(err_), sgxra_ctx_message(e.cx));                 \
  } while (0)

static void sha256(const void *p, size_t n, uint8_t out[32]) {
  unsigned int len = 0;
  assert_int_equal(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL), 1);
  assert_int_equal(len, 32);
}

static void hexs(const uint8_t *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

/* Session id number i: 32 lowercase hex characters. */
static void sid(int i, char out[33]) {
  snprintf(out, 33, "%08x%024x", 0x5e55u, (unsigned)i);
}

/* The audit rows, all of them (one allocation). */
static sgxra_store_audit_row *audit_rows(env *ep, sgxra_store *st, size_t *n) {
  env e = *ep;
  sgxra_store_audit_row *rows = NULL;
  OK(sgxra_store_audit_list(e.cx, st, 0, SGXRA_STORE_LIST_MAX, &rows, n));
  return rows;
}

/* ---- RA sessions --------------------------------------------------------- */

static void test_session(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  char id[33], id2[33];
  sid(1, id);
  sid(2, id2);
  assert_int_equal(sgxra_store_session_id_valid(id), 1);
  assert_int_equal(sgxra_store_session_id_valid(NULL), 0);
  assert_int_equal(sgxra_store_session_id_valid(""), 0);
  assert_int_equal(
      sgxra_store_session_id_valid("00005E55000000000000000000000001"), 0);
  assert_int_equal(
      sgxra_store_session_id_valid("00005e5500000000000000000000001"), 0);
  assert_int_equal(
      sgxra_store_session_id_valid("00005e55000000000000000000000001a"), 0);
  assert_int_equal(
      sgxra_store_session_id_valid("00005e5500000000000000000000000g"), 0);

  static const uint8_t blob1[] = {1, 2, 3, 4, 5}, blob2[] = {9, 8, 7};
  OK(sgxra_store_session_put(e.cx, st, id, 1, blob1, sizeof(blob1), T0,
                             T0 + 60));
  /* duplicate id: refused, the row unchanged */
  REFUSED(SGXRA_E_STORE_DUPLICATE,
          sgxra_store_session_put(e.cx, st, id, 7, blob2, sizeof(blob2), T0,
                                  T0 + 600));
  assert_non_null(strstr(sgxra_ctx_message(e.cx), id));
  int found = -1, state_ = -1;
  uint8_t *b = NULL;
  size_t bn = 0;
  int64_t exp = 0;
  OK(sgxra_store_session_get(e.cx, st, id, &found, &state_, &b, &bn, &exp));
  assert_int_equal(found, 1);
  assert_int_equal(state_, 1);
  assert_int_equal(bn, sizeof(blob1));
  assert_memory_equal(b, blob1, sizeof(blob1));
  assert_int_equal(exp, T0 + 60);
  sgxra_store_free(b);
  /* unknown id: not found, outputs zeroed */
  OK(sgxra_store_session_get(e.cx, st, id2, &found, &state_, &b, &bn, &exp));
  assert_int_equal(found, 0);
  assert_int_equal(state_, 0);
  assert_null(b);
  assert_int_equal(bn, 0);
  assert_int_equal(exp, 0);
  /* outputs other than found may be NULL */
  OK(sgxra_store_session_get(e.cx, st, id, &found, NULL, NULL, NULL, NULL));
  assert_int_equal(found, 1);

  /* bad arguments */
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_get(e.cx, st, "nothex", &found, NULL, NULL, NULL,
                                  NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_put(e.cx, st, "00005E55000000000000000000000003",
                                  1, blob1, 5, T0, T0 + 60));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_put(e.cx, st, id2, 1, blob1, 0, T0, T0 + 60));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_put(e.cx, st, id2, 1, NULL, 5, T0, T0 + 60));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_put(e.cx, st, id2, 1, blob1, 5, T0, T0));
  uint8_t *big = calloc(1, SGXRA_STORE_SESSION_BLOB_MAX + 1);
  assert_non_null(big);
  REFUSED(SGXRA_E_TOO_LARGE,
          sgxra_store_session_put(e.cx, st, id2, 1, big,
                                  SGXRA_STORE_SESSION_BLOB_MAX + 1, T0,
                                  T0 + 60));
  OK(sgxra_store_session_put(e.cx, st, id2, 1, big,
                             SGXRA_STORE_SESSION_BLOB_MAX, T0, T0 + 60));
  free(big);

  /* compare-and-set: 1 -> 2 with a new blob, once */
  int adv = -1;
  OK(sgxra_store_session_advance(e.cx, st, id, 1, 2, blob2, sizeof(blob2),
                                 T0 + 1, &adv));
  assert_int_equal(adv, 1);
  OK(sgxra_store_session_advance(e.cx, st, id, 1, 2, blob1, sizeof(blob1),
                                 T0 + 2, &adv));
  assert_int_equal(adv, 0); /* not in state 1 any more: the replay */
  OK(sgxra_store_session_get(e.cx, st, id, &found, &state_, &b, &bn, &exp));
  assert_int_equal(state_, 2);
  assert_int_equal(bn, sizeof(blob2));
  assert_memory_equal(b, blob2, sizeof(blob2));
  assert_int_equal(exp, T0 + 60);
  sgxra_store_free(b);
  /* keep the blob: NULL, 0 */
  OK(sgxra_store_session_advance(e.cx, st, id, 2, 3, NULL, 0, T0 + 3, &adv));
  assert_int_equal(adv, 1);
  OK(sgxra_store_session_get(e.cx, st, id, &found, &state_, &b, &bn, &exp));
  assert_int_equal(state_, 3);
  assert_memory_equal(b, blob2, sizeof(blob2));
  sgxra_store_free(b);
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_advance(e.cx, st, id, 3, 4, NULL, 5, T0, &adv));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_session_advance(e.cx, st, id, 3, 4, blob1, 0, T0, &adv));
  /* unknown id: nothing advanced, no row made */
  char id3[33];
  sid(3, id3);
  OK(sgxra_store_session_advance(e.cx, st, id3, 0, 1, blob1, 5, T0, &adv));
  assert_int_equal(adv, 0);
  OK(sgxra_store_session_get(e.cx, st, id3, &found, NULL, NULL, NULL, NULL));
  assert_int_equal(found, 0);

  /* expiry: advance only while expires > now */
  OK(sgxra_store_session_advance(e.cx, st, id, 3, 4, NULL, 0, T0 + 60, &adv));
  assert_int_equal(adv, 0); /* expires == now: expired */
  OK(sgxra_store_session_advance(e.cx, st, id, 3, 4, NULL, 0, T0 + 59, &adv));
  assert_int_equal(adv, 1);
  OK(sgxra_store_session_advance(e.cx, st, id, 4, 5, NULL, 0, T0 + 1000, &adv));
  assert_int_equal(adv, 0);
  /* an expired session is still readable (the caller tells "expired") */
  OK(sgxra_store_session_get(e.cx, st, id, &found, &state_, NULL, NULL, &exp));
  assert_int_equal(found, 1);
  assert_int_equal(state_, 4);
  assert_int_equal(exp, T0 + 60);

  /* purge: exactly the expired ones */
  char id4[33], id5[33];
  sid(4, id4);
  sid(5, id5);
  OK(sgxra_store_session_put(e.cx, st, id4, 1, blob1, 5, T0, T0 + 100));
  OK(sgxra_store_session_put(e.cx, st, id5, 1, blob1, 5, T0, T0 + 101));
  int64_t purged = -1;
  OK(sgxra_store_session_purge(e.cx, st, T0 + 59, &purged));
  assert_int_equal(purged, 0);
  OK(sgxra_store_session_purge(e.cx, st, T0 + 100, &purged));
  assert_int_equal(purged, 3); /* id, id2 (T0 + 60) and id4 (T0 + 100) */
  OK(sgxra_store_session_get(e.cx, st, id, &found, NULL, NULL, NULL, NULL));
  assert_int_equal(found, 0);
  OK(sgxra_store_session_get(e.cx, st, id4, &found, NULL, NULL, NULL, NULL));
  assert_int_equal(found, 0);
  OK(sgxra_store_session_get(e.cx, st, id5, &found, NULL, NULL, NULL, NULL));
  assert_int_equal(found, 1);
  OK(sgxra_store_session_purge(e.cx, st, T0 + 100, NULL));
  /* a purged id can be used again */
  OK(sgxra_store_session_put(e.cx, st, id, 1, blob1, 5, T0 + 200, T0 + 260));
  assert_int_equal(count(&e.db, "SELECT count(*) FROM ra_session"), 2);

  /* sessions write no audit rows */
  sgxra_store_audit_check chk;
  OK(sgxra_store_audit_verify(e.cx, st, &chk));
  assert_int_equal(chk.rows, 0);
  sgxra_store_close(st);

  /* read-only: reads work, writes refused */
  if (!e.db.pg) {
    char ro[1100];
    snprintf(ro, sizeof(ro), "%s?mode=ro", e.db.url);
    OK(sgxra_store_open(e.cx, ro, T0, &st));
    OK(sgxra_store_session_get(e.cx, st, id5, &found, NULL, NULL, NULL, NULL));
    assert_int_equal(found, 1);
    REFUSED(
        SGXRA_E_STORE_READ_ONLY,
        sgxra_store_session_advance(e.cx, st, id5, 1, 2, NULL, 0, T0, &adv));
    REFUSED(SGXRA_E_STORE_READ_ONLY,
            sgxra_store_session_put(e.cx, st, id4, 1, blob1, 5, T0, T0 + 9));
    REFUSED(SGXRA_E_STORE_READ_ONLY,
            sgxra_store_session_purge(e.cx, st, T0 + 9999, NULL));
    sgxra_store_close(st);
  }
  env_done(&e);
}

/* Two replicas (two handles on one database): the second of two advances
 * from the same state is refused, whichever replica it comes from. */
static void test_session_replicas(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *a = env_open(&e), *b = env_open(&e);
  char id[33];
  sid(10, id);
  static const uint8_t blob[] = {0xaa, 0xbb};
  OK(sgxra_store_session_put(e.cx, a, id, 1, blob, 2, T0, T0 + 60));
  int found, sa, sb, adv;
  OK(sgxra_store_session_get(e.cx, a, id, &found, &sa, NULL, NULL, NULL));
  OK(sgxra_store_session_get(e.cx, b, id, &found, &sb, NULL, NULL, NULL));
  assert_int_equal(sa, 1);
  assert_int_equal(sb, 1); /* both replicas saw state 1 */
  OK(sgxra_store_session_advance(e.cx, b, id, 1, 2, blob, 2, T0 + 1, &adv));
  assert_int_equal(adv, 1);
  OK(sgxra_store_session_advance(e.cx, a, id, 1, 2, blob, 2, T0 + 1, &adv));
  assert_int_equal(adv, 0); /* the replayed step on the other replica */
  OK(sgxra_store_session_get(e.cx, a, id, &found, &sa, NULL, NULL, NULL));
  assert_int_equal(sa, 2);
  /* the session the other replica created is a duplicate for this one */
  REFUSED(SGXRA_E_STORE_DUPLICATE,
          sgxra_store_session_put(e.cx, b, id, 1, blob, 2, T0, T0 + 60));
  sgxra_store_close(a);
  sgxra_store_close(b);
  env_done(&e);
}

/* Racing advances from the same state: in N processes and in N threads,
 * each with its own handle, exactly one wins, and the row holds the
 * winner's state and blob. */
enum { RACERS = 6, ROUNDS = 3 };

typedef struct racer {
  const char *url;
  const char *id;
  int to;
  int advanced;
  int err;
} racer;

static void race_one(racer *r) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_store *st = NULL;
  uint8_t blob[4] = {(uint8_t)r->to, 0, 0, 1};
  r->err = sgxra_store_open(cx, r->url, T0, &st);
  if (!r->err)
    r->err = sgxra_store_session_advance(cx, st, r->id, 1, r->to, blob,
                                         sizeof(blob), T0 + 1, &r->advanced);
  if (r->err) fprintf(stderr, "racer %d: %s\n", r->to, sgxra_ctx_message(cx));
  sgxra_store_close(st);
  sgxra_ctx_free(cx);
}

static void *race_thread(void *arg) {
  race_one(arg);
  return NULL;
}

static void check_winner(env *ep, const char *id, const int *won) {
  env e = *ep;
  sgxra_store *st = env_open(&e);
  int winners = 0, winner = -1;
  for (int i = 0; i < RACERS; i++)
    if (won[i]) {
      winners++;
      winner = 100 + i;
    }
  assert_int_equal(winners, 1);
  int found, s;
  uint8_t *b = NULL;
  size_t bn;
  OK(sgxra_store_session_get(e.cx, st, id, &found, &s, &b, &bn, NULL));
  assert_int_equal(found, 1);
  assert_int_equal(s, winner);
  assert_int_equal(bn, 4);
  assert_int_equal(b[0], (uint8_t)winner);
  sgxra_store_free(b);
  sgxra_store_close(st);
}

static void test_session_race(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  static const uint8_t blob[] = {1};
  for (int round = 0; round < ROUNDS; round++) {
    /* processes */
    char id[33];
    sid(100 + round, id);
    OK(sgxra_store_session_put(e.cx, st, id, 1, blob, 1, T0, T0 + 60));
    pid_t pids[RACERS];
    for (int i = 0; i < RACERS; i++) {
      pids[i] = fork();
      assert_true(pids[i] >= 0);
      if (pids[i] == 0) {
        racer r = {e.db.url, id, 100 + i, 0, 0};
        race_one(&r);
        _exit(r.err ? 3 : r.advanced);
      }
    }
    int won[RACERS];
    for (int i = 0; i < RACERS; i++) {
      int status;
      assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
      assert_true(WIFEXITED(status));
      assert_true(WEXITSTATUS(status) <= 1);
      won[i] = WEXITSTATUS(status);
    }
    check_winner(&e, id, won);

    /* threads */
    sid(200 + round, id);
    OK(sgxra_store_session_put(e.cx, st, id, 1, blob, 1, T0, T0 + 60));
    racer rs[RACERS];
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
      rs[i] = (racer){e.db.url, id, 100 + i, 0, 0};
      assert_int_equal(pthread_create(&th[i], NULL, race_thread, &rs[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
      assert_int_equal(pthread_join(th[i], NULL), 0);
      assert_int_equal(rs[i].err, SGXRA_OK);
      won[i] = rs[i].advanced;
    }
    check_winner(&e, id, won);
  }
  sgxra_store_close(st);
  env_done(&e);
}

/* ---- provisioned secrets ------------------------------------------------- */

static sgxra_store_secret_binding by_enclave(uint8_t fillb) {
  sgxra_store_secret_binding b;
  memset(&b, 0, sizeof(b));
  b.kind = SGXRA_STORE_SECRET_MRENCLAVE;
  memset(b.mrenclave, fillb, 32);
  return b;
}

static sgxra_store_secret_binding by_signer(uint8_t fillb, uint16_t prodid) {
  sgxra_store_secret_binding b;
  memset(&b, 0, sizeof(b));
  b.kind = SGXRA_STORE_SECRET_SIGNER;
  memset(b.mrsigner, fillb, 32);
  b.isvprodid = prodid;
  return b;
}

/* get must give exactly (p, n). */
static void expect_secret(env *ep, sgxra_store *st,
                          const sgxra_store_secret_binding *b, const void *p,
                          size_t n, int64_t id) {
  env e = *ep;
  int found = -1;
  sgxra_store_secret_info info;
  uint8_t *got = NULL;
  size_t gn = 0;
  OK(sgxra_store_secret_get(e.cx, st, b, &found, &info, &got, &gn));
  assert_int_equal(found, 1);
  assert_int_equal(gn, n);
  assert_memory_equal(got, p, n);
  uint8_t h[32];
  sha256(p, n, h);
  assert_memory_equal(info.sha256, h, 32);
  assert_int_equal(info.size, n);
  assert_int_equal(info.id, id);
  assert_int_equal(info.binding.kind, b->kind);
  sgxra_wipe(got, gn);
  sgxra_store_free(got);
}

static const char VALUE1[] = "TOPSECRET-value-one-4f1c";
static const char VALUE2[] = "TOPSECRET-value-two-9a02";
static const char VALUE3[] = "TOPSECRET-value-three-77e";

static void test_secret(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_secret_binding enc = by_enclave(0x11), sg1 = by_signer(0x22, 1),
                             sg2 = by_signer(0x22, 2), other = by_enclave(0x33);
  /* the other kind's fields are ignored */
  memset(enc.mrsigner, 0x99, 32);
  enc.isvprodid = 77;
  sgxra_store_secret_info info;
  OK(sgxra_store_secret_set(e.cx, st, &enc, (const uint8_t *)VALUE1,
                            strlen(VALUE1), "alice", T0 + 1, &info));
  assert_true(info.id > 0);
  int64_t enc_id = info.id;
  uint8_t h1[32];
  sha256(VALUE1, strlen(VALUE1), h1);
  assert_memory_equal(info.sha256, h1, 32);
  assert_int_equal(info.size, strlen(VALUE1));
  assert_string_equal(info.set_by, "alice");
  assert_int_equal(info.set_at, T0 + 1);
  assert_int_equal(info.binding.kind, SGXRA_STORE_SECRET_MRENCLAVE);
  assert_int_equal(info.binding.isvprodid, 0);
  uint8_t zero[32] = {0};
  assert_memory_equal(info.binding.mrsigner, zero, 32);
  OK(sgxra_store_secret_set(e.cx, st, &sg1, (const uint8_t *)VALUE2,
                            strlen(VALUE2), "alice", T0 + 2, &info));
  int64_t sg1_id = info.id;
  OK(sgxra_store_secret_set(e.cx, st, &sg2, (const uint8_t *)VALUE3,
                            strlen(VALUE3), "alice", T0 + 3, NULL));

  /* each binding gives its own bytes */
  expect_secret(&e, st, &enc, VALUE1, strlen(VALUE1), enc_id);
  expect_secret(&e, st, &sg1, VALUE2, strlen(VALUE2), sg1_id);
  expect_secret(&e, st, &sg2, VALUE3, strlen(VALUE3), sg1_id + 1);
  int found = -1;
  uint8_t *got = (uint8_t *)"x";
  size_t gn = 9;
  OK(sgxra_store_secret_get(e.cx, st, &other, &found, &info, &got, &gn));
  assert_int_equal(found, 0);
  assert_null(got);
  assert_int_equal(gn, 0);
  assert_int_equal(info.id, 0);
  sgxra_store_secret_binding sg3 = by_signer(0x22, 3);
  OK(sgxra_store_secret_get(e.cx, st, &sg3, &found, NULL, &got, &gn));
  assert_int_equal(found, 0);
  /* an MRENCLAVE equal to a signer's MRSIGNER is another binding */
  sgxra_store_secret_binding enc22 = by_enclave(0x22);
  OK(sgxra_store_secret_get(e.cx, st, &enc22, &found, NULL, &got, &gn));
  assert_int_equal(found, 0);

  /* replace: same id, new bytes, new hash */
  OK(sgxra_store_secret_set(e.cx, st, &enc, (const uint8_t *)VALUE3,
                            strlen(VALUE3), "bob", T0 + 4, &info));
  assert_int_equal(info.id, enc_id);
  expect_secret(&e, st, &enc, VALUE3, strlen(VALUE3), enc_id);

  /* list: metadata, in id order */
  sgxra_store_secret_info *list = NULL;
  size_t n = 0;
  OK(sgxra_store_secret_list(e.cx, st, &list, &n));
  assert_int_equal(n, 3);
  assert_int_equal(list[0].id, enc_id);
  assert_int_equal(list[0].binding.kind, SGXRA_STORE_SECRET_MRENCLAVE);
  assert_memory_equal(list[0].binding.mrenclave, enc.mrenclave, 32);
  assert_string_equal(list[0].set_by, "bob");
  assert_int_equal(list[0].set_at, T0 + 4);
  uint8_t h3[32];
  sha256(VALUE3, strlen(VALUE3), h3);
  assert_memory_equal(list[0].sha256, h3, 32);
  assert_int_equal(list[1].binding.kind, SGXRA_STORE_SECRET_SIGNER);
  assert_memory_equal(list[1].binding.mrsigner, sg1.mrsigner, 32);
  assert_int_equal(list[1].binding.isvprodid, 1);
  assert_int_equal(list[1].size, strlen(VALUE2));
  assert_int_equal(list[2].binding.isvprodid, 2);
  sgxra_store_free(list);

  /* delete */
  int del = -1;
  OK(sgxra_store_secret_delete(e.cx, st, &sg1, "carol", T0 + 5, &del));
  assert_int_equal(del, 1);
  OK(sgxra_store_secret_delete(e.cx, st, &sg1, "carol", T0 + 6, &del));
  assert_int_equal(del, 0);
  OK(sgxra_store_secret_get(e.cx, st, &sg1, &found, NULL, &got, &gn));
  assert_int_equal(found, 0);
  expect_secret(&e, st, &sg2, VALUE3, strlen(VALUE3), sg1_id + 1);

  /* the audit rows: exact payloads, never the value */
  char hx1[65], hx2[65], hx3[65], mre[65], mrs[65], want[512];
  hexs(h1, 32, hx1);
  uint8_t h2[32];
  sha256(VALUE2, strlen(VALUE2), h2);
  hexs(h2, 32, hx2);
  hexs(h3, 32, hx3);
  hexs(enc.mrenclave, 32, mre);
  hexs(sg1.mrsigner, 32, mrs);
  size_t nr = 0;
  sgxra_store_audit_row *rows = audit_rows(&e, st, &nr);
  assert_int_equal(nr, 5);
  assert_string_equal(rows[0].kind, "secret.set");
  snprintf(want, sizeof(want),
           "{\"binding\":\"mrenclave\",\"id\":%lld,\"mrenclave\":\"%s\","
           "\"sha256\":\"%s\",\"size\":%zu}",
           (long long)enc_id, mre, hx1, strlen(VALUE1));
  assert_string_equal(rows[0].payload, want);
  assert_string_equal(rows[0].actor, "alice");
  assert_int_equal(rows[0].at, T0 + 1);
  snprintf(want, sizeof(want),
           "{\"binding\":\"signer\",\"id\":%lld,\"isvprodid\":1,"
           "\"mrsigner\":\"%s\",\"sha256\":\"%s\",\"size\":%zu}",
           (long long)sg1_id, mrs, hx2, strlen(VALUE2));
  assert_string_equal(rows[1].payload, want);
  assert_string_equal(rows[3].kind, "secret.set"); /* the replace */
  snprintf(want, sizeof(want),
           "{\"binding\":\"mrenclave\",\"id\":%lld,\"mrenclave\":\"%s\","
           "\"replaced_sha256\":\"%s\",\"sha256\":\"%s\",\"size\":%zu}",
           (long long)enc_id, mre, hx1, hx3, strlen(VALUE3));
  assert_string_equal(rows[3].payload, want);
  assert_string_equal(rows[3].actor, "bob");
  assert_string_equal(rows[4].kind, "secret.delete");
  snprintf(want, sizeof(want),
           "{\"binding\":\"signer\",\"id\":%lld,\"isvprodid\":1,"
           "\"mrsigner\":\"%s\",\"sha256\":\"%s\",\"size\":%zu}",
           (long long)sg1_id, mrs, hx2, strlen(VALUE2));
  assert_string_equal(rows[4].payload, want);
  assert_string_equal(rows[4].actor, "carol");
  const char *values[] = {VALUE1, VALUE2, VALUE3};
  for (size_t i = 0; i < nr; i++)
    for (size_t v = 0; v < 3; v++) {
      char vhex[128];
      hexs((const uint8_t *)values[v], strlen(values[v]), vhex);
      assert_null(strstr(rows[i].payload, values[v]));
      assert_null(strstr(rows[i].payload, "TOPSECRET"));
      assert_null(strstr(rows[i].payload, vhex));
    }
  sgxra_store_free(rows);
  sgxra_store_audit_check chk;
  OK(sgxra_store_audit_verify(e.cx, st, &chk));
  assert_int_equal(chk.rows, 5);
  assert_int_equal(chk.first_bad_seq, 0);
  /* the store's own kinds cannot be forged by a caller */
  int64_t seq;
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_audit_append(e.cx, st, "secret.set", "{}", 2, "mallory",
                                   T0, &seq));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_audit_append(e.cx, st, "token.revoke", "{}", 2, "mallory",
                                   T0, &seq));
  /* the value is nowhere in the audit table (raw SQL) */
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM audit WHERE payload LIKE '%%TOPSECRET%%'");
  assert_int_equal(count(&e.db, sql), 0);
  sgxra_store_close(st);
  env_done(&e);
}

static void test_secret_refused(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_secret_binding enc = by_enclave(0x44);
  uint8_t *big = malloc(SGXRA_STORE_SECRET_MAX + 1);
  assert_non_null(big);
  for (size_t i = 0; i < SGXRA_STORE_SECRET_MAX + 1; i++)
    big[i] = (uint8_t)(i * 31 + 7);
  REFUSED(SGXRA_E_TOO_LARGE, sgxra_store_secret_set(e.cx, st, &enc, big,
                                                    SGXRA_STORE_SECRET_MAX + 1,
                                                    "alice", T0, NULL));
  /* the largest: 65536 + 64 bytes, round trip */
  OK(sgxra_store_secret_set(e.cx, st, &enc, big, SGXRA_STORE_SECRET_MAX,
                            "alice", T0, NULL));
  assert_int_equal(SGXRA_STORE_SECRET_MAX, 65600);
  expect_secret(&e, st, &enc, big, SGXRA_STORE_SECRET_MAX, 1);
  /* one byte */
  sgxra_store_secret_binding one = by_signer(0x45, 0);
  OK(sgxra_store_secret_set(e.cx, st, &one, big, 1, "alice", T0, NULL));
  expect_secret(&e, st, &one, big, 1, 2);
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_set(e.cx, st, &enc, big, 0, "alice", T0, NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_set(e.cx, st, &enc, NULL, 5, "alice", T0, NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_set(e.cx, st, &enc, big, 5, "", T0, NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_set(e.cx, st, NULL, big, 5, "alice", T0, NULL));
  sgxra_store_secret_binding bad = enc;
  bad.kind = (sgxra_store_secret_kind)3;
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_set(e.cx, st, &bad, big, 5, "alice", T0, NULL));
  int found, del;
  uint8_t *got;
  size_t gn;
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_get(e.cx, st, &bad, &found, NULL, &got, &gn));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_delete(e.cx, st, &bad, "alice", T0, &del));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_secret_get(e.cx, st, &enc, &found, NULL, NULL, &gn));
  assert_string_equal(sgxra_store_secret_kind_name(SGXRA_STORE_SECRET_SIGNER),
                      "signer");
  assert_string_equal(sgxra_store_secret_kind_name(bad.kind), "?");
  /* refused writes leave no audit row */
  sgxra_store_audit_check chk;
  OK(sgxra_store_audit_verify(e.cx, st, &chk));
  assert_int_equal(chk.rows, 2);

  /* bytes changed behind the store's back: get refuses them */
  tu_db_exec(&e.db, e.db.pg ? "UPDATE provisioned_secret SET data = "
                              "'\\x00'::bytea WHERE id = 2"
                            : "UPDATE provisioned_secret SET data = x'00' "
                              "WHERE id = 2");
  REFUSED(SGXRA_E_STORE_DB,
          sgxra_store_secret_get(e.cx, st, &one, &found, NULL, &got, &gn));
  assert_int_equal(found, 0);
  assert_null(got);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "SHA-256"));
  sgxra_store_close(st);

  if (!e.db.pg) {
    char ro[1100];
    snprintf(ro, sizeof(ro), "%s?mode=ro", e.db.url);
    OK(sgxra_store_open(e.cx, ro, T0, &st));
    REFUSED(SGXRA_E_STORE_READ_ONLY,
            sgxra_store_secret_set(e.cx, st, &enc, big, 5, "alice", T0, NULL));
    REFUSED(SGXRA_E_STORE_READ_ONLY,
            sgxra_store_secret_delete(e.cx, st, &enc, "alice", T0, &del));
    expect_secret(&e, st, &enc, big, SGXRA_STORE_SECRET_MAX, 1);
    sgxra_store_close(st);
  }
  free(big);
  env_done(&e);
}

/* ---- admin tokens -------------------------------------------------------- */

static void token_hash(const char *token, uint8_t out[32]) {
  sha256(token, strlen(token), out);
}

static void test_token(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  uint8_t h1[32], h2[32], h3[32];
  token_hash("tok-one-c0ffee", h1);
  token_hash("tok-two-beef", h2);
  token_hash("tok-three-f00d", h3);
  int64_t id1 = 0, id2 = 0;
  OK(sgxra_store_token_add(e.cx, st, "ops-1", h1, "alice", T0 + 1, &id1));
  assert_true(id1 > 0);
  OK(sgxra_store_token_add(e.cx, st, "ci.deploy_2", h2, "alice", T0 + 2, &id2));
  assert_int_equal(id2, id1 + 1);

  int found = -1;
  sgxra_store_token t;
  OK(sgxra_store_token_check(e.cx, st, h1, &found, &t));
  assert_int_equal(found, 1);
  assert_int_equal(t.id, id1);
  assert_string_equal(t.name, "ops-1");
  assert_string_equal(t.created_by, "alice");
  assert_int_equal(t.created_at, T0 + 1);
  assert_int_equal(t.revoked, 0);
  OK(sgxra_store_token_check(e.cx, st, h3, &found, &t));
  assert_int_equal(found, 0);
  assert_int_equal(t.id, 0);
  OK(sgxra_store_token_check(e.cx, st, h2, &found, NULL));
  assert_int_equal(found, 1);

  /* duplicates: the name, or the hash */
  REFUSED(SGXRA_E_STORE_DUPLICATE,
          sgxra_store_token_add(e.cx, st, "ops-1", h3, "alice", T0, NULL));
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "ops-1"));
  REFUSED(SGXRA_E_STORE_DUPLICATE,
          sgxra_store_token_add(e.cx, st, "ops-3", h1, "alice", T0, NULL));
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "same value"));
  /* names */
  static const char *const bad_names[] = {
      "",
      "a b",
      "a/b",
      "ops:1",
      "caf\xc3\xa9",
      "x\n",
      "12345678901234567890123456789012345678901234567890123456789012345"};
  for (size_t i = 0; i < sizeof(bad_names) / sizeof(*bad_names); i++)
    REFUSED(
        SGXRA_E_INVALID_ARGUMENT,
        sgxra_store_token_add(e.cx, st, bad_names[i], h3, "alice", T0, NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_token_add(e.cx, st, NULL, h3, "alice", T0, NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_token_add(e.cx, st, "ops-3", NULL, "alice", T0, NULL));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_token_add(e.cx, st, "ops-3", h3, "", T0, NULL));
  static const char n64[] =
      "1234567890123456789012345678901234567890123456789012345678901234";
  assert_int_equal(strlen(n64), 64);
  uint8_t h4[32];
  token_hash("tok-four", h4);
  OK(sgxra_store_token_add(e.cx, st, n64, h4, "alice", T0 + 3, NULL));

  /* revoke: never matches again; the name is not reused */
  OK(sgxra_store_token_revoke(e.cx, st, "ops-1", "bob", T0 + 10));
  OK(sgxra_store_token_check(e.cx, st, h1, &found, &t));
  assert_int_equal(found, 0);
  REFUSED(SGXRA_E_STORE_NOT_FOUND,
          sgxra_store_token_revoke(e.cx, st, "ops-1", "bob", T0 + 11));
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "revoked already"));
  REFUSED(SGXRA_E_STORE_NOT_FOUND,
          sgxra_store_token_revoke(e.cx, st, "nobody", "bob", T0 + 11));
  REFUSED(SGXRA_E_INVALID_ARGUMENT,
          sgxra_store_token_revoke(e.cx, st, "a b", "bob", T0 + 11));
  REFUSED(SGXRA_E_STORE_DUPLICATE,
          sgxra_store_token_add(e.cx, st, "ops-1", h3, "alice", T0, NULL));
  REFUSED(SGXRA_E_STORE_DUPLICATE, /* the revoked token's value */
          sgxra_store_token_add(e.cx, st, "ops-9", h1, "alice", T0, NULL));
  OK(sgxra_store_token_check(e.cx, st, h2, &found, NULL));
  assert_int_equal(found, 1); /* the others still match */

  /* list */
  sgxra_store_token *list = NULL;
  size_t n = 0;
  OK(sgxra_store_token_list(e.cx, st, 0, &list, &n));
  assert_int_equal(n, 2);
  assert_string_equal(list[0].name, "ci.deploy_2");
  assert_string_equal(list[1].name, n64);
  sgxra_store_free(list);
  OK(sgxra_store_token_list(e.cx, st, 1, &list, &n));
  assert_int_equal(n, 3);
  assert_string_equal(list[0].name, "ops-1");
  assert_int_equal(list[0].revoked, 1);
  assert_string_equal(list[0].revoked_by, "bob");
  assert_int_equal(list[0].revoked_at, T0 + 10);
  assert_int_equal(list[1].revoked, 0);
  sgxra_store_free(list);

  /* audit: names only, never a hash */
  size_t nr = 0;
  sgxra_store_audit_row *rows = audit_rows(&e, st, &nr);
  assert_int_equal(nr, 4);
  char want[128];
  assert_string_equal(rows[0].kind, "token.add");
  snprintf(want, sizeof(want), "{\"id\":%lld,\"name\":\"ops-1\"}",
           (long long)id1);
  assert_string_equal(rows[0].payload, want);
  assert_string_equal(rows[0].actor, "alice");
  assert_string_equal(rows[3].kind, "token.revoke");
  assert_string_equal(rows[3].payload, want);
  assert_string_equal(rows[3].actor, "bob");
  assert_int_equal(rows[3].at, T0 + 10);
  char hx[65];
  uint8_t *hs[] = {h1, h2, h4};
  for (size_t i = 0; i < nr; i++)
    for (size_t k = 0; k < 3; k++) {
      hexs(hs[k], 32, hx);
      assert_null(strstr(rows[i].payload, hx));
      assert_null(strstr(rows[i].payload, "tok-"));
    }
  sgxra_store_free(rows);
  sgxra_store_audit_check chk;
  OK(sgxra_store_audit_verify(e.cx, st, &chk));
  assert_int_equal(chk.rows, 4);
  /* the database holds the hash, not the token */
  assert_int_equal(count(&e.db, "SELECT count(*) FROM admin_token"), 3);
  assert_int_equal(count(&e.db, "SELECT count(*) FROM admin_token WHERE "
                                "length(sha256) = 32"),
                   3);
  sgxra_store_close(st);
  env_done(&e);
}

/* ---- migration ----------------------------------------------------------- */

/* Take a fresh database back to version 2 behind the store's back (v1's
 * and v2's DDL are unchanged, so this is what a v2 build left). */
static void back_to_v2(const tu_db *d) {
  tu_db_exec(d, "DROP TABLE ra_session");
  tu_db_exec(d, "DROP TABLE provisioned_secret");
  tu_db_exec(d, "DROP TABLE admin_token");
  tu_db_exec(d, "DELETE FROM schema_version WHERE version = 3");
}

static void test_migrate_v2(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_enclave en;
  memset(&en, 0, sizeof(en));
  memset(en.mrenclave, 0xab, 32);
  memset(en.mrsigner, 0xcd, 32);
  en.isvprodid = 3;
  en.meta.source = SGXRA_STORE_SOURCE_HEX;
  int64_t id;
  OK(sgxra_store_enclave_add(e.cx, st, &en, "alice", T0 + 1, &id));
  sgxra_store_close(st);
  back_to_v2(&e.db);
  assert_int_equal(count(&e.db, "SELECT max(version) FROM schema_version"), 2);

  /* read-only: refused (it needs migrating) */
  if (!e.db.pg) {
    char ro[1100];
    snprintf(ro, sizeof(ro), "%s?mode=ro", e.db.url);
    REFUSED(SGXRA_E_STORE_READ_ONLY, sgxra_store_open(e.cx, ro, T0, &st));
    assert_non_null(strstr(sgxra_ctx_message(e.cx), "schema version 2"));
  }

  /* One transaction: a v3 statement that fails (a table of that name is
   * in the way) leaves the database at version 2 with no v3 table. */
  tu_db_exec(&e.db, "CREATE TABLE admin_token (x INTEGER)");
  st = NULL;
  assert_int_not_equal(sgxra_store_open(e.cx, e.db.url, T0 + 500, &st),
                       SGXRA_OK);
  assert_null(st);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "version 3"));
  assert_int_equal(count(&e.db, "SELECT max(version) FROM schema_version"), 2);
  assert_int_equal(count(&e.db, e.db.pg ? "SELECT count(*) FROM "
                                          "information_schema.tables WHERE "
                                          "table_schema = current_schema() AND "
                                          "table_name IN ('ra_session', "
                                          "'provisioned_secret')"
                                        : "SELECT count(*) FROM sqlite_master "
                                          "WHERE name IN ('ra_session', "
                                          "'provisioned_secret')"),
                   0);
  tu_db_exec(&e.db, "DROP TABLE admin_token");

  OK(sgxra_store_open(e.cx, e.db.url, T0 + 1000, &st));
  int found = 0;
  sgxra_store_enclave got;
  OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, id);
  /* v3 works on the migrated database */
  char sidv[33];
  sid(1, sidv);
  static const uint8_t blob[] = {1, 2};
  OK(sgxra_store_session_put(e.cx, st, sidv, 1, blob, 2, T0, T0 + 60));
  int adv;
  OK(sgxra_store_session_advance(e.cx, st, sidv, 1, 2, blob, 2, T0, &adv));
  assert_int_equal(adv, 1);
  sgxra_store_secret_binding b = by_enclave(0xab);
  OK(sgxra_store_secret_set(e.cx, st, &b, blob, 2, "alice", T0 + 2, NULL));
  uint8_t h[32] = {1};
  OK(sgxra_store_token_add(e.cx, st, "admin", h, "alice", T0 + 3, NULL));
  sgxra_store_audit_check chk;
  OK(sgxra_store_audit_verify(e.cx, st, &chk));
  assert_int_equal(chk.rows, 3);
  sgxra_store_close(st);
  assert_int_equal(count(&e.db, "SELECT count(*) FROM schema_version WHERE "
                                "version = 3 AND applied_at = 1767226600"),
                   1);
  assert_int_equal(count(&e.db, "SELECT count(*) FROM schema_version"), 3);
  /* reopening migrates nothing */
  OK(sgxra_store_open(e.cx, e.db.url, T0 + 2000, &st));
  sgxra_store_close(st);
  assert_int_equal(count(&e.db, "SELECT count(*) FROM schema_version"), 3);
  env_done(&e);
}

#define BOTH(fn)                                                               \
  {#fn "/sqlite", fn, NULL, NULL, (void *)&SQ}, {                              \
#fn "/postgresql", fn, NULL, NULL, (void *)&PG                             \
  }

int main(void) {
  const struct CMUnitTest tests[] = {
      BOTH(test_session),        BOTH(test_session_replicas),
      BOTH(test_session_race),   BOTH(test_secret),
      BOTH(test_secret_refused), BOTH(test_token),
      BOTH(test_migrate_v2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
