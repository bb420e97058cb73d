/* Tests of the store's collateral cache (sgxra_store_collateral_* in
 * sgxra/store.h) and of the schema migration 1 -> 2, each on SQLite and on
 * PostgreSQL (tests/common/testdb.h: the PostgreSQL half is SKIPPED without
 * a server).  The items are the real bytes of the bundle
 * dcap/bundles/sgx-01-phala-v3; the store treats them as opaque. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "common/testdb.h"
#include "common/testutil.h"
#include "sgxra/store.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */
#define BUNDLE "dcap/bundles/sgx-01-phala-v3/"

typedef struct backend {
  int pg;
} backend;
static const backend SQ = {0}, PG = {1};

typedef struct env {
  tu_db db;
  sgxra_ctx *cx;
  /* the bundle's files, read whole */
  uint8_t *f[8];
  size_t n[8];
} env;

static const char *const files[8] = {"pck_crl_issuer_chain.pem",
                                     "root_ca_crl.der",
                                     "pck_crl.der",
                                     "tcb_info.json",
                                     "tcb_info_issuer_chain.pem",
                                     "qe_identity.json",
                                     "qe_identity_issuer_chain.pem",
                                     NULL /* root_ca: not in this bundle */};

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
  for (int i = 0; i < 8; i++) {
    if (!files[i]) continue;
    char rel[128];
    snprintf(rel, sizeof(rel), BUNDLE "%s", files[i]);
    e->f[i] = tu_read_vector(rel, &e->n[i]);
  }
}

static void env_done(env *e) {
  for (int i = 0; i < 8; i++) free(e->f[i]);
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

static sgxra_store_collateral_key key(const char *fmspc_hex, const char *ca,
                                      const char *update) {
  sgxra_store_collateral_key k;
  memset(&k, 0, sizeof(k));
  tu_hex(fmspc_hex, k.fmspc, 6);
  snprintf(k.ca, sizeof(k.ca), "%s", ca);
  snprintf(k.update, sizeof(k.update), "%s", update);
  return k;
}

/* An entry holding the bundle's bytes. */
static sgxra_store_collateral entry(const env *e,
                                    sgxra_store_collateral_key k) {
  sgxra_store_collateral c;
  memset(&c, 0, sizeof(c));
  c.key = k;
  c.fetched_at = T0 - 100;
  c.next_update = 1752919278; /* 2025-07-19T10:01:18Z */
  c.tcb_eval_num = 17;
  snprintf(c.source, sizeof(c.source), "import:/bundles/phala");
  sgxra_collateral_buffers *b = &c.items;
  b->pck_crl_issuer_chain = e->f[0];
  b->pck_crl_issuer_chain_len = e->n[0];
  b->root_ca_crl = e->f[1];
  b->root_ca_crl_len = e->n[1];
  b->pck_crl = e->f[2];
  b->pck_crl_len = e->n[2];
  b->tcb_info = e->f[3];
  b->tcb_info_len = e->n[3];
  b->tcb_info_issuer_chain = e->f[4];
  b->tcb_info_issuer_chain_len = e->n[4];
  b->qe_identity = e->f[5];
  b->qe_identity_len = e->n[5];
  b->qe_identity_issuer_chain = e->f[6];
  b->qe_identity_issuer_chain_len = e->n[6];
  return c;
}

static void assert_items(const env *e, const sgxra_collateral_buffers *b) {
  const uint8_t *p[7] = {b->pck_crl_issuer_chain,
                         b->root_ca_crl,
                         b->pck_crl,
                         b->tcb_info,
                         b->tcb_info_issuer_chain,
                         b->qe_identity,
                         b->qe_identity_issuer_chain};
  size_t n[7] = {b->pck_crl_issuer_chain_len,
                 b->root_ca_crl_len,
                 b->pck_crl_len,
                 b->tcb_info_len,
                 b->tcb_info_issuer_chain_len,
                 b->qe_identity_len,
                 b->qe_identity_issuer_chain_len};
  for (int i = 0; i < 7; i++) {
    assert_int_equal(n[i], e->n[i]);
    assert_memory_equal(p[i], e->f[i], e->n[i]);
  }
}

static void test_round_trip(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_collateral_key k = key("00906ED50000", "processor", "standard");
  sgxra_store_collateral *got = NULL;
  int found = -1;
  OK(sgxra_store_collateral_get(e.cx, st, &k, &got, &found));
  assert_int_equal(found, 0);
  assert_null(got);

  sgxra_store_collateral c = entry(&e, k);
  OK(sgxra_store_collateral_put(e.cx, st, &c));
  sgxra_store_close(st);
  st = env_open(&e); /* from the database, not from a handle's memory */
  OK(sgxra_store_collateral_get(e.cx, st, &k, &got, &found));
  assert_int_equal(found, 1);
  assert_non_null(got);
  tu_assert_hex(got->key.fmspc, 6, "00906ed50000");
  assert_string_equal(got->key.ca, "processor");
  assert_string_equal(got->key.update, "standard");
  assert_int_equal(got->fetched_at, T0 - 100);
  assert_int_equal(got->next_update, 1752919278);
  assert_int_equal(got->tcb_eval_num, 17);
  assert_string_equal(got->source, "import:/bundles/phala");
  assert_items(&e, &got->items);
  assert_null(got->items.root_ca);
  assert_int_equal(got->items.root_ca_len, 0);
  /* the items live inside the one allocation, NUL-terminated */
  const uint8_t *lo = (const uint8_t *)got;
  const uint8_t *tcb = got->items.tcb_info;
  assert_true(tcb > lo);
  assert_int_equal(tcb[got->items.tcb_info_len], 0);
  sgxra_store_free(got);

  /* Replace: new bytes, new dates, a root CA this time. */
  static const uint8_t root[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
  c.fetched_at = T0 + 5;
  c.next_update = T0 + 86400;
  c.tcb_eval_num = 19;
  snprintf(c.source, sizeof(c.source), "https://pccs.example/sgx/");
  c.items.tcb_info = e.f[5]; /* any other bytes */
  c.items.tcb_info_len = e.n[5];
  c.items.root_ca = root;
  c.items.root_ca_len = sizeof(root) - 1;
  OK(sgxra_store_collateral_put(e.cx, st, &c));
  OK(sgxra_store_collateral_get(e.cx, st, &k, &got, &found));
  assert_int_equal(found, 1);
  assert_int_equal(got->fetched_at, T0 + 5);
  assert_int_equal(got->next_update, T0 + 86400);
  assert_int_equal(got->tcb_eval_num, 19);
  assert_string_equal(got->source, "https://pccs.example/sgx/");
  assert_int_equal(got->items.tcb_info_len, e.n[5]);
  assert_memory_equal(got->items.tcb_info, e.f[5], e.n[5]);
  assert_int_equal(got->items.root_ca_len, sizeof(root) - 1);
  assert_memory_equal(got->items.root_ca, root, sizeof(root) - 1);
  assert_int_equal(got->items.qe_identity_len, e.n[5]);
  sgxra_store_free(got);

  /* A cache write is not a registry write: no audit row. */
  sgxra_store_audit_row *rows = NULL;
  size_t nrows = 99;
  OK(sgxra_store_audit_list(e.cx, st, 0, 100, &rows, &nrows));
  assert_int_equal(nrows, 0);
  sgxra_store_free(rows);
  sgxra_store_close(st);
  env_done(&e);
}

static void test_list_delete(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_collateral *arr = NULL;
  size_t n = 99;
  OK(sgxra_store_collateral_list(e.cx, st, &arr, &n));
  assert_int_equal(n, 0);
  assert_null(arr);
  /* Put in an order that is not the listing order. */
  sgxra_store_collateral_key ks[] = {
      key("30606a000000", "processor", "standard"),
      key("00906ed50000", "processor", "standard"),
      key("00906ed50000", "platform", "early"),
      key("00906ed50000", "processor", "early"),
      key("00606a000000", "platform", "standard"),
  };
  for (size_t i = 0; i < 5; i++) {
    sgxra_store_collateral c = entry(&e, ks[i]);
    c.tcb_eval_num = (uint32_t)(10 + i);
    c.fetched_at = T0 + (int64_t)i;
    OK(sgxra_store_collateral_put(e.cx, st, &c));
  }
  OK(sgxra_store_collateral_list(e.cx, st, &arr, &n));
  assert_int_equal(n, 5);
  /* by FMSPC bytes, then CA ("platform" < "processor"), then update */
  static const struct {
    const char *fmspc, *ca, *update;
    uint32_t eval;
  } want[] = {
      {"00606a000000", "platform", "standard", 14},
      {"00906ed50000", "platform", "early", 12},
      {"00906ed50000", "processor", "early", 13},
      {"00906ed50000", "processor", "standard", 11},
      {"30606a000000", "processor", "standard", 10},
  };
  for (size_t i = 0; i < 5; i++) {
    tu_assert_hex(arr[i].key.fmspc, 6, want[i].fmspc);
    assert_string_equal(arr[i].key.ca, want[i].ca);
    assert_string_equal(arr[i].key.update, want[i].update);
    assert_int_equal(arr[i].tcb_eval_num, want[i].eval);
    assert_int_equal(arr[i].fetched_at, T0 + (want[i].eval - 10));
    assert_int_equal(arr[i].next_update, 1752919278);
    assert_string_equal(arr[i].source, "import:/bundles/phala");
    assert_null(arr[i].items.tcb_info);
    assert_int_equal(arr[i].items.tcb_info_len, 0);
  }
  sgxra_store_free(arr);

  int deleted = -1;
  OK(sgxra_store_collateral_delete(e.cx, st, &ks[2], &deleted));
  assert_int_equal(deleted, 1);
  OK(sgxra_store_collateral_delete(e.cx, st, &ks[2], &deleted));
  assert_int_equal(deleted, 0);
  sgxra_store_collateral *got = NULL;
  int found = -1;
  OK(sgxra_store_collateral_get(e.cx, st, &ks[2], &got, &found));
  assert_int_equal(found, 0);
  OK(sgxra_store_collateral_get(e.cx, st, &ks[3], &got, &found));
  assert_int_equal(found, 1); /* its neighbours stay */
  sgxra_store_free(got);
  OK(sgxra_store_collateral_list(e.cx, st, &arr, &n));
  assert_int_equal(n, 4);
  sgxra_store_free(arr);
  sgxra_store_close(st);
  env_done(&e);
}

static void test_refused(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_collateral_key k = key("00906ed50000", "processor", "standard");
  sgxra_store_collateral c = entry(&e, k);
  c.items.pck_crl_len = 0;
  assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "pck_crl is empty"));
  c = entry(&e, k);
  c.items.qe_identity_issuer_chain = NULL;
  assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_non_null(
      strstr(sgxra_ctx_message(e.cx), "qe_identity_issuer_chain is empty"));
  c = entry(&e, key("00906ed50000", "Processor", "standard"));
  assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "'Processor'"));
  c = entry(&e, key("00906ed50000", "platform", "late"));
  assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  c = entry(&e, k);
  memset(c.key.ca, 'p', sizeof(c.key.ca)); /* no NUL */
  assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  c = entry(&e, k);
  c.source[0] = '\0';
  assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  int claimed = -1;
  assert_int_equal(
      sgxra_store_collateral_claim(e.cx, st, &k, "", T0, 60, &claimed),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_store_collateral_claim(e.cx, st, &k, "a", T0, 0, &claimed),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_store_collateral_claim(e.cx, st, &k, "a", INT64_MAX, 1, &claimed),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(claimed, 0);
  /* nothing was stored by the refused calls */
  sgxra_store_collateral *arr = NULL;
  size_t n = 99;
  OK(sgxra_store_collateral_list(e.cx, st, &arr, &n));
  assert_int_equal(n, 0);
  /* a good one, for the read-only half */
  c = entry(&e, k);
  OK(sgxra_store_collateral_put(e.cx, st, &c));
  sgxra_store_close(st);

  if (!e.db.pg) {
    char ro[1100];
    snprintf(ro, sizeof(ro), "%s?mode=ro", e.db.url);
    OK(sgxra_store_open(e.cx, ro, T0, &st));
    sgxra_store_collateral *got = NULL;
    int found = 0;
    OK(sgxra_store_collateral_get(e.cx, st, &k, &got, &found));
    assert_int_equal(found, 1);
    assert_items(&e, &got->items);
    sgxra_store_free(got);
    OK(sgxra_store_collateral_list(e.cx, st, &arr, &n));
    assert_int_equal(n, 1);
    sgxra_store_free(arr);
    assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                     SGXRA_E_STORE_READ_ONLY);
    int deleted = -1;
    assert_int_equal(sgxra_store_collateral_delete(e.cx, st, &k, &deleted),
                     SGXRA_E_STORE_READ_ONLY);
    assert_int_equal(
        sgxra_store_collateral_claim(e.cx, st, &k, "a", T0, 60, &claimed),
        SGXRA_E_STORE_READ_ONLY);
    assert_int_equal(sgxra_store_collateral_release(e.cx, st, &k, "a"),
                     SGXRA_E_STORE_READ_ONLY);
    sgxra_store_close(st);
  } else {
    /* A read-only transaction on the server: the PostgreSQL error maps to
     * the same code. */
    char ro[1200];
    snprintf(ro, sizeof(ro), "%s%%20-cdefault_transaction_read_only%%3Don",
             e.db.url);
    OK(sgxra_store_open(e.cx, ro, T0, &st));
    assert_int_equal(sgxra_store_collateral_put(e.cx, st, &c),
                     SGXRA_E_STORE_READ_ONLY);
    sgxra_store_close(st);
  }
  env_done(&e);
}

static void test_claim(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *a = env_open(&e), *b = env_open(&e);
  sgxra_store_collateral_key k = key("00906ed50000", "processor", "standard");
  sgxra_store_collateral_key k2 = key("00906ed50000", "processor", "early");
  int got = -1;
  OK(sgxra_store_collateral_claim(e.cx, a, &k, "A", T0, 60, &got));
  assert_int_equal(got, 1);
  OK(sgxra_store_collateral_claim(e.cx, b, &k, "B", T0 + 1, 60, &got));
  assert_int_equal(got, 0);
  /* another key is free */
  OK(sgxra_store_collateral_claim(e.cx, b, &k2, "B", T0 + 1, 60, &got));
  assert_int_equal(got, 1);
  /* the holder re-claims and extends to T0 + 30 + 60 */
  OK(sgxra_store_collateral_claim(e.cx, a, &k, "A", T0 + 30, 60, &got));
  assert_int_equal(got, 1);
  OK(sgxra_store_collateral_claim(e.cx, b, &k, "B", T0 + 60, 60, &got));
  assert_int_equal(got, 0); /* the first lease would have expired */
  OK(sgxra_store_collateral_claim(e.cx, b, &k, "B", T0 + 89, 60, &got));
  assert_int_equal(got, 0);
  OK(sgxra_store_collateral_claim(e.cx, b, &k, "B", T0 + 90, 60, &got));
  assert_int_equal(got, 1); /* expiry <= now: taken over */
  OK(sgxra_store_collateral_claim(e.cx, a, &k, "A", T0 + 91, 60, &got));
  assert_int_equal(got, 0);
  /* release by a non-holder does nothing; by the holder frees it */
  OK(sgxra_store_collateral_release(e.cx, a, &k, "A"));
  OK(sgxra_store_collateral_claim(e.cx, a, &k, "A", T0 + 92, 60, &got));
  assert_int_equal(got, 0);
  OK(sgxra_store_collateral_release(e.cx, b, &k, "B"));
  OK(sgxra_store_collateral_claim(e.cx, a, &k, "A", T0 + 93, 60, &got));
  assert_int_equal(got, 1);
  sgxra_store_close(a);
  sgxra_store_close(b);

  /* Processes racing for a fresh key: exactly one wins. */
  enum { N = 6 };
  sgxra_store_collateral_key k3 = key("00606a000000", "platform", "standard");
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    assert_true(pids[i] >= 0);
    if (pids[i] == 0) {
      sgxra_ctx *cx = sgxra_ctx_new();
      sgxra_store *st = NULL;
      char holder[16];
      snprintf(holder, sizeof(holder), "proc-%d", i);
      int c = 0;
      if (sgxra_store_open(cx, e.db.url, T0, &st) ||
          sgxra_store_collateral_claim(cx, st, &k3, holder, T0, 60, &c))
        _exit(3);
      _exit(c);
    }
  }
  int winners = 0;
  for (int i = 0; i < N; i++) {
    int status;
    assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
    assert_true(WIFEXITED(status));
    assert_true(WEXITSTATUS(status) <= 1);
    winners += WEXITSTATUS(status);
  }
  assert_int_equal(winners, 1);
  env_done(&e);
}

/* A version-1 database (what the build before the cache wrote): opening
 * migrates it to 2 and 3 in one go, in place, and keeps its rows.  The v1
 * database is made by taking a fresh one back to v1 behind the store's back:
 * v1's DDL is unchanged, so what remains is exactly what a v1 build created. */
static void test_migrate_v1(void **state) {
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
  static const char pol[] = "{\"min_isvsvn\":2}";
  sgxra_store_policy_info pi;
  OK(sgxra_store_policy_set(e.cx, st, pol, sizeof(pol) - 1, "bob", T0 + 2,
                            &pi));
  sgxra_store_close(st);
  tu_db_exec(&e.db, "DROP TABLE ra_session"); /* v3 (test_store_ra.c) */
  tu_db_exec(&e.db, "DROP TABLE provisioned_secret");
  tu_db_exec(&e.db, "DROP TABLE admin_token");
  tu_db_exec(&e.db, "DELETE FROM schema_version WHERE version = 3");
  tu_db_exec(&e.db, "DROP TABLE collateral_cache");
  tu_db_exec(&e.db, "DROP TABLE collateral_lease");
  tu_db_exec(&e.db, "DELETE FROM schema_version WHERE version = 2");

  /* read-only: refused (it needs migrating) */
  if (!e.db.pg) {
    char ro[1100];
    snprintf(ro, sizeof(ro), "%s?mode=ro", e.db.url);
    assert_int_equal(sgxra_store_open(e.cx, ro, T0, &st),
                     SGXRA_E_STORE_READ_ONLY);
    assert_non_null(strstr(sgxra_ctx_message(e.cx), "schema version 1"));
  }

  st = NULL;
  OK(sgxra_store_open(e.cx, e.db.url, T0 + 1000, &st));
  int found = 0;
  sgxra_store_enclave got;
  OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, id);
  assert_int_equal(got.isvprodid, 3);
  assert_string_equal(got.meta.added_by, "alice");
  char *doc = NULL;
  OK(sgxra_store_policy_get(e.cx, st, 0, &pi, &doc));
  assert_string_equal(doc, pol);
  sgxra_store_free(doc);
  sgxra_store_audit_check chk;
  OK(sgxra_store_audit_verify(e.cx, st, &chk));
  assert_int_equal(chk.rows, 2);
  /* the cache works on the migrated database */
  sgxra_store_collateral_key k = key("00906ed50000", "processor", "standard");
  sgxra_store_collateral c = entry(&e, k);
  OK(sgxra_store_collateral_put(e.cx, st, &c));
  sgxra_store_collateral *cg = NULL;
  OK(sgxra_store_collateral_get(e.cx, st, &k, &cg, &found));
  assert_int_equal(found, 1);
  assert_items(&e, &cg->items);
  sgxra_store_free(cg);
  int claimed = 0;
  OK(sgxra_store_collateral_claim(e.cx, st, &k, "A", T0, 60, &claimed));
  assert_int_equal(claimed, 1);
  sgxra_store_close(st);
  /* versions 2 and 3 recorded once each, with the migration time */
  assert_int_equal(count(&e.db, "SELECT count(*) FROM schema_version WHERE "
                                "version = 2 AND applied_at = 1767226600"),
                   1);
  assert_int_equal(count(&e.db, "SELECT count(*) FROM schema_version WHERE "
                                "version = 3 AND applied_at = 1767226600"),
                   1);
  assert_int_equal(count(&e.db, "SELECT count(*) FROM schema_version"), 3);
  env_done(&e);
}

#define BOTH(fn)                                                               \
  {#fn "/sqlite", fn, NULL, NULL, (void *)&SQ}, {                              \
#fn "/postgresql", fn, NULL, NULL, (void *)&PG                             \
  }

int main(void) {
  const struct CMUnitTest tests[] = {
      BOTH(test_round_trip), BOTH(test_list_delete), BOTH(test_refused),
      BOTH(test_claim),      BOTH(test_migrate_v1),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
