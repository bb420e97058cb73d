/* Tests of the registry store (sgxra/store.h), each run against both
 * backends: SQLite in a temporary folder, and PostgreSQL at
 * $SGXRA_TEST_PG_URL (scripts/pg-cluster.sh start DIR prints one), or else
 * the URL in <build>/pg-cluster.url that ctest's pg_cluster_start fixture
 * writes, in a schema of its own per test; with neither the PostgreSQL half
 * is reported SKIPPED.  Tampering goes behind the store's back with raw SQL
 * (the sqlite3 API, libpq); audit hashes are recomputed here with OpenSSL
 * directly from the layout in sgxra/store.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "common/testdb.h"
#include "common/testutil.h"
#include "sgxra/store.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

typedef struct backend {
  int pg;
} backend;
static const backend SQ = {0}, PG = {1};

/* One test's database: a fresh SQLite file, or a fresh PostgreSQL schema
 * (search_path set through the URL's options). */
typedef struct env {
  tu_db db; /* the database: tests/common/testdb.h */
  sgxra_ctx *cx;
} env;

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

static void fill(uint8_t *p, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed * 131 + i * 7 + 1);
  p[0] = (uint8_t)seed;
  p[1] = (uint8_t)(seed >> 8);
  p[2] = (uint8_t)(seed >> 16);
}

static sgxra_store_enclave enclave(uint32_t seed) {
  sgxra_store_enclave en;
  memset(&en, 0, sizeof(en));
  fill(en.mrenclave, 32, seed);
  fill(en.mrsigner, 32, 7);
  en.isvprodid = 1;
  en.isvsvn = 4;
  en.attributes.flags = 0x5;
  en.attributes.xfrm = 0xe7;
  en.meta.source = SGXRA_STORE_SOURCE_SIGSTRUCT;
  snprintf(en.meta.product, sizeof(en.meta.product), "payments");
  return en;
}

/* ---- open, URLs, migrations ------------------------------------------- */

static void test_open_reopen(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  assert_string_equal(sgxra_store_backend(st),
                      e.db.pg ? "postgresql" : "sqlite");
  sgxra_store_enclave en = enclave(1);
  int64_t id;
  OK(sgxra_store_enclave_add(e.cx, st, &en, "alice", T0 + 1, &id));
  assert_int_equal(id, 1);
  sgxra_store_close(st);
  st = env_open(&e); /* reopen: no migration, data kept */
  int found;
  sgxra_store_enclave got;
  OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, 1);
  assert_memory_equal(got.mrsigner, en.mrsigner, 32);
  assert_int_equal(got.isvprodid, 1);
  assert_int_equal(got.isvsvn, 4);
  assert_int_equal(got.attributes.flags, 5);
  assert_int_equal(got.attributes.xfrm, 0xe7);
  assert_int_equal(got.meta.source, SGXRA_STORE_SOURCE_SIGSTRUCT);
  assert_string_equal(got.meta.product, "payments");
  assert_string_equal(got.meta.note, "");
  assert_string_equal(got.meta.added_by, "alice");
  assert_int_equal(got.meta.added_at, T0 + 1);
  assert_int_equal(got.meta.revoked, 0);
  sgxra_store_close(st);

  /* A schema from a newer build is refused, not touched. */
  _Static_assert(SGXRA_STORE_SCHEMA_VERSION == 3, "newer is 4 below");
  tu_db_exec(&e.db,
             "INSERT INTO schema_version (version, applied_at) VALUES (4, 0)");
  assert_int_equal(sgxra_store_open(e.cx, e.db.url, T0, &st),
                   SGXRA_E_STORE_SCHEMA_NEWER);
  assert_null(st);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "schema version 4"));
  env_done(&e);
}

static void test_urls(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = (sgxra_store *)&e; /* must be reset to NULL */
  if (!e.db.pg) {
    assert_int_equal(sgxra_store_open(e.cx, "mysql://db/x", T0, &st),
                     SGXRA_E_STORE_URL);
    assert_null(st);
    assert_int_equal(sgxra_store_open(e.cx, "sqlite:", T0, &st),
                     SGXRA_E_STORE_URL);
    assert_int_equal(sgxra_store_open(e.cx, "sqlite:/x.db?mode=wat", T0, &st),
                     SGXRA_E_STORE_URL);
    char url[700];
    snprintf(url, sizeof(url), "sqlite:%s/no/such/dir/r.db", e.db.dir);
    assert_int_equal(sgxra_store_open(e.cx, url, T0, &st), SGXRA_E_STORE_OPEN);
    assert_non_null(strstr(sgxra_ctx_message(e.cx), "/no/such/dir/r.db"));
  } else {
    /* Syntax errors are URL errors; passwords never reach a message. */
    assert_int_equal(
        sgxra_store_open(e.cx, "postgresql://sp:s3cret@h/db?bogus=1", T0, &st),
        SGXRA_E_STORE_URL);
    assert_null(strstr(sgxra_ctx_message(e.cx), "s3cret"));
    assert_non_null(strstr(sgxra_ctx_message(e.cx), "sp:***@h/db"));
    /* Nothing listens there. */
    char url[700];
    snprintf(url, sizeof(url),
             "postgresql://sp:s3cret@/sgxra?host=%s&connect_timeout=5",
             e.db.dir);
    assert_int_equal(sgxra_store_open(e.cx, url, T0, &st), SGXRA_E_STORE_OPEN);
    assert_null(strstr(sgxra_ctx_message(e.cx), "s3cret"));
    assert_int_equal(sgxra_store_open(e.cx,
                                      "host=/nowhere password='a b' dbname=x",
                                      T0, &st),
                     SGXRA_E_STORE_OPEN);
    assert_null(strstr(sgxra_ctx_message(e.cx), "a b"));
    /* A database that does not exist on a running server. */
    char bad[1100];
    snprintf(bad, sizeof(bad), "%s", tu_pg_url());
    char *p = strstr(bad, "/sgxra");
    if (p) {
      memcpy(p, "/nosuch", 7);
      memmove(p + 7, p + 6, strlen(p + 6) + 1);
      assert_int_equal(sgxra_store_open(e.cx, bad, T0, &st),
                       SGXRA_E_STORE_OPEN);
      assert_non_null(strstr(sgxra_ctx_message(e.cx), "nosuch"));
    }
  }
  assert_null(st);
  env_done(&e);
}

/* ---- registry --------------------------------------------------------- */

static void test_enclaves(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  int64_t id1, id2, id3, id;
  sgxra_store_enclave a = enclave(1), b = enclave(2);
  snprintf(b.meta.note, sizeof(b.meta.note), "release 2.1");
  b.meta.source = SGXRA_STORE_SOURCE_HEX;
  b.allow_debug_signer = 1;
  OK(sgxra_store_enclave_add(e.cx, st, &a, "alice", T0, &id1));
  OK(sgxra_store_enclave_add(e.cx, st, &b, "bob", T0 + 5, &id2));
  assert_int_equal(id2, id1 + 1);

  /* duplicate of an active MRENCLAVE */
  assert_int_equal(sgxra_store_enclave_add(e.cx, st, &a, "carol", T0, &id),
                   SGXRA_E_STORE_DUPLICATE);
  assert_int_equal(id, 0);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "added by alice"));

  /* bad input */
  assert_int_equal(sgxra_store_enclave_add(e.cx, st, &b, "", T0, &id),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_store_enclave c = enclave(3);
  c.meta.source = 0;
  assert_int_equal(sgxra_store_enclave_add(e.cx, st, &c, "a", T0, &id),
                   SGXRA_E_INVALID_ARGUMENT);
  c = enclave(3);
  snprintf(c.meta.note, sizeof(c.meta.note), "bad \xff utf-8");
  assert_int_equal(sgxra_store_enclave_add(e.cx, st, &c, "a", T0, &id),
                   SGXRA_E_INVALID_ARGUMENT);

  sgxra_store_enclave got;
  OK(sgxra_store_enclave_get(e.cx, st, id2, &got));
  assert_memory_equal(got.mrenclave, b.mrenclave, 32);
  assert_string_equal(got.meta.note, "release 2.1");
  assert_int_equal(got.meta.source, SGXRA_STORE_SOURCE_HEX);
  assert_int_equal(got.allow_debug_signer, 1);
  assert_string_equal(got.meta.added_by, "bob");
  assert_int_equal(sgxra_store_enclave_get(e.cx, st, 999, &got),
                   SGXRA_E_STORE_NOT_FOUND);

  /* revoke: no longer matches, shown as revoked, cannot be revoked twice */
  OK(sgxra_store_revoke(e.cx, st, SGXRA_STORE_ENCLAVES, id1, "carol", T0 + 9));
  int found = 1;
  OK(sgxra_store_enclave_find(e.cx, st, a.mrenclave, &found, &got));
  assert_int_equal(found, 0);
  OK(sgxra_store_enclave_get(e.cx, st, id1, &got));
  assert_int_equal(got.meta.revoked, 1);
  assert_int_equal(got.meta.revoked_at, T0 + 9);
  assert_string_equal(got.meta.revoked_by, "carol");
  assert_int_equal(
      sgxra_store_revoke(e.cx, st, SGXRA_STORE_ENCLAVES, id1, "carol", T0),
      SGXRA_E_STORE_NOT_FOUND);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "revoked already"));
  assert_int_equal(
      sgxra_store_revoke(e.cx, st, SGXRA_STORE_ENCLAVES, 77, "carol", T0),
      SGXRA_E_STORE_NOT_FOUND);

  /* re-registering a revoked MRENCLAVE is allowed */
  OK(sgxra_store_enclave_add(e.cx, st, &a, "alice", T0 + 10, &id3));
  OK(sgxra_store_enclave_find(e.cx, st, a.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, id3);

  sgxra_store_enclave *list;
  size_t n;
  OK(sgxra_store_enclave_list(e.cx, st, 0, 100, 0, &list, &n));
  assert_int_equal(n, 2);
  assert_int_equal(list[0].meta.id, id2);
  assert_int_equal(list[1].meta.id, id3);
  sgxra_store_free(list);
  OK(sgxra_store_enclave_list(e.cx, st, 0, 100, 1, &list, &n));
  assert_int_equal(n, 3);
  sgxra_store_free(list);
  OK(sgxra_store_enclave_list(e.cx, st, id1, 1, 1, &list, &n)); /* paging */
  assert_int_equal(n, 1);
  assert_int_equal(list[0].meta.id, id2);
  sgxra_store_free(list);
  assert_int_equal(sgxra_store_enclave_list(e.cx, st, 0, 0, 1, &list, &n),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_store_close(st);
  env_done(&e);
}

static void test_signers(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_signer s;
  memset(&s, 0, sizeof(s));
  fill(s.mrsigner, 32, 99);
  s.isvprodid = 3;
  s.min_isvsvn = 4;
  s.meta.source = SGXRA_STORE_SOURCE_HEX;
  int64_t id, id2;
  OK(sgxra_store_signer_add(e.cx, st, &s, "admin", T0, &id));
  assert_int_equal(sgxra_store_signer_add(e.cx, st, &s, "admin", T0, &id2),
                   SGXRA_E_STORE_DUPLICATE);
  s.isvprodid = 4; /* another product of the same signer: separate opt-in */
  OK(sgxra_store_signer_add(e.cx, st, &s, "admin", T0, &id2));
  int found;
  sgxra_store_signer got;
  OK(sgxra_store_signer_find(e.cx, st, s.mrsigner, 3, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, id);
  assert_int_equal(got.min_isvsvn, 4);
  assert_int_equal(got.isvprodid, 3);
  OK(sgxra_store_signer_find(e.cx, st, s.mrsigner, 5, &found, &got));
  assert_int_equal(found, 0);
  OK(sgxra_store_revoke(e.cx, st, SGXRA_STORE_SIGNERS, id, "admin", T0 + 1));
  OK(sgxra_store_signer_find(e.cx, st, s.mrsigner, 3, &found, &got));
  assert_int_equal(found, 0);
  OK(sgxra_store_signer_get(e.cx, st, id, &got));
  assert_int_equal(got.meta.revoked, 1);
  sgxra_store_signer *list;
  size_t n;
  OK(sgxra_store_signer_list(e.cx, st, 0, 10, 0, &list, &n));
  assert_int_equal(n, 1);
  assert_int_equal(list[0].meta.id, id2);
  sgxra_store_free(list);
  assert_int_equal(sgxra_store_signer_get(e.cx, st, 42, &got),
                   SGXRA_E_STORE_NOT_FOUND);
  sgxra_store_close(st);
  env_done(&e);
}

static void test_deny(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_enclave en = enclave(5);
  int64_t eid, did, id;
  OK(sgxra_store_enclave_add(e.cx, st, &en, "isv", T0, &eid));
  sgxra_store_deny d;
  memset(&d, 0, sizeof(d));
  memcpy(d.mrenclave, en.mrenclave, 32);
  d.meta.source = SGXRA_STORE_SOURCE_HEX;
  assert_int_equal(sgxra_store_deny_add(e.cx, st, &d, "sec", T0, &id),
                   SGXRA_E_INVALID_ARGUMENT); /* reason required */
  snprintf(d.reason, sizeof(d.reason), "CVE-2026-0001 in 1.0.3");
  OK(sgxra_store_deny_add(e.cx, st, &d, "sec", T0 + 1, &did));
  assert_int_equal(sgxra_store_deny_add(e.cx, st, &d, "sec", T0, &id),
                   SGXRA_E_STORE_DUPLICATE);
  /* Both facts are there; the appraisal lets the denial win. */
  int found, denied;
  sgxra_store_enclave got;
  sgxra_store_deny dgot;
  OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  OK(sgxra_store_deny_check(e.cx, st, en.mrenclave, &denied, &dgot));
  assert_int_equal(denied, 1);
  assert_int_equal(dgot.meta.id, did);
  assert_string_equal(dgot.reason, "CVE-2026-0001 in 1.0.3");
  assert_string_equal(dgot.meta.added_by, "sec");
  uint8_t other[32];
  fill(other, 32, 6);
  OK(sgxra_store_deny_check(e.cx, st, other, &denied, NULL));
  assert_int_equal(denied, 0);
  /* lifting the denial */
  OK(sgxra_store_revoke(e.cx, st, SGXRA_STORE_DENIED, did, "sec", T0 + 2));
  OK(sgxra_store_deny_check(e.cx, st, en.mrenclave, &denied, &dgot));
  assert_int_equal(denied, 0);
  OK(sgxra_store_deny_get(e.cx, st, did, &dgot));
  assert_int_equal(dgot.meta.revoked, 1);
  sgxra_store_deny *list;
  size_t n;
  OK(sgxra_store_deny_list(e.cx, st, 0, 10, 1, &list, &n));
  assert_int_equal(n, 1);
  sgxra_store_free(list);
  OK(sgxra_store_deny_list(e.cx, st, 0, 10, 0, &list, &n));
  assert_int_equal(n, 0);
  assert_null(list);
  sgxra_store_close(st);
  env_done(&e);
}

/* ---- policies ----------------------------------------------------------- */

static void sha256_ossl(const void *p, size_t n, uint8_t out[32]) {
  unsigned int l = 32;
  assert_int_equal(EVP_Digest(p, n, out, &l, EVP_sha256(), NULL), 1);
}

static void test_policy(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_policy_info info;
  char *doc;
  assert_int_equal(sgxra_store_policy_get(e.cx, st, 0, &info, &doc),
                   SGXRA_E_STORE_NOT_FOUND);
  const char *p1 = "{\"accept\": [\"UpToDate\"]}";
  const char *p2 = "{\"accept\":[\"UpToDate\",\"SWHardeningNeeded\"],\n"
                   " \"debug\": false}\n";
  OK(sgxra_store_policy_set(e.cx, st, p1, strlen(p1), "admin", T0, &info));
  assert_int_equal(info.version, 1);
  OK(sgxra_store_policy_set(e.cx, st, p2, strlen(p2), "admin2", T0 + 60,
                            &info));
  assert_int_equal(info.version, 2);
  uint8_t h[32];
  sha256_ossl(p2, strlen(p2), h);
  assert_memory_equal(info.sha256, h, 32);

  OK(sgxra_store_policy_get(e.cx, st, 0, &info, &doc));
  assert_int_equal(info.version, 2);
  assert_int_equal(info.size, strlen(p2));
  assert_string_equal(doc, p2); /* byte for byte, whitespace kept */
  assert_memory_equal(info.sha256, h, 32);
  assert_string_equal(info.set_by, "admin2");
  assert_int_equal(info.set_at, T0 + 60);
  sgxra_store_free(doc);
  OK(sgxra_store_policy_get(e.cx, st, 1, &info, NULL));
  sha256_ossl(p1, strlen(p1), h);
  assert_memory_equal(info.sha256, h, 32);
  assert_int_equal(sgxra_store_policy_get(e.cx, st, 3, &info, &doc),
                   SGXRA_E_STORE_NOT_FOUND);

  sgxra_store_policy_info *hist;
  size_t n;
  OK(sgxra_store_policy_history(e.cx, st, &hist, &n));
  assert_int_equal(n, 2);
  assert_int_equal(hist[0].version, 1);
  assert_int_equal(hist[1].version, 2);
  assert_memory_equal(hist[0].sha256, h, 32);
  sgxra_store_free(hist);

  assert_int_equal(
      sgxra_store_policy_set(e.cx, st, "{\"a\":", 5, "admin", T0, &info),
      SGXRA_E_JSON);
  assert_int_equal(
      sgxra_store_policy_set(e.cx, st, "[1]", 3, "admin", T0, &info),
      SGXRA_E_JSON);
  assert_int_equal(info.version, 0);

  /* A document changed behind the store's back is not handed out. */
  tu_db_exec(&e.db,
             e.db.pg
                 ? "UPDATE policies SET document = convert_to('{}', 'UTF8') "
                   "WHERE version = 2"
                 : "UPDATE policies SET document = CAST('{}' AS BLOB) "
                   "WHERE version = 2");
  assert_int_equal(sgxra_store_policy_get(e.cx, st, 0, &info, &doc),
                   SGXRA_E_STORE_DB);
  assert_null(doc);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "policy version 2"));
  sgxra_store_close(st);
  env_done(&e);
}

/* ---- the audit chain -------------------------------------------------- */

static void u32le(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void u64le(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* The row hash from the documented layout, independently of the store. */
static void row_hash(const uint8_t prev[32], int64_t seq, int64_t at,
                     const char *actor, const char *kind, const char *payload,
                     uint8_t out[32]) {
  size_t na = strlen(actor), nk = strlen(kind), np = strlen(payload);
  size_t n = 32 + 16 + 12 + na + nk + np, o = 0;
  uint8_t *b = malloc(n);
  memcpy(b, prev, 32);
  o = 32;
  u64le(b + o, (uint64_t)seq);
  u64le(b + o + 8, (uint64_t)at);
  o += 16;
  u32le(b + o, (uint32_t)na);
  memcpy(b + o + 4, actor, na);
  o += 4 + na;
  u32le(b + o, (uint32_t)nk);
  memcpy(b + o + 4, kind, nk);
  o += 4 + nk;
  u32le(b + o, (uint32_t)np);
  memcpy(b + o + 4, payload, np);
  sha256_ossl(b, n, out);
  free(b);
}

/* Six audit rows: enclave.add, signer.add, deny.add, revoke, policy.set,
 * decision. */
static sgxra_store *six_rows(env *e) {
  sgxra_store *st = env_open(e);
  sgxra_store_enclave en = enclave(11);
  sgxra_store_signer s;
  memset(&s, 0, sizeof(s));
  fill(s.mrsigner, 32, 12);
  s.meta.source = SGXRA_STORE_SOURCE_SIGSTRUCT;
  sgxra_store_deny d;
  memset(&d, 0, sizeof(d));
  fill(d.mrenclave, 32, 13);
  d.meta.source = SGXRA_STORE_SOURCE_HEX;
  snprintf(d.reason, sizeof(d.reason), "old");
  int64_t id, seq;
  sgxra_store_policy_info info;
  sgxra_ctx *cx = e->cx;
  assert_int_equal(sgxra_store_enclave_add(cx, st, &en, "a", T0 + 1, &id), 0);
  assert_int_equal(sgxra_store_signer_add(cx, st, &s, "b", T0 + 2, &id), 0);
  assert_int_equal(sgxra_store_deny_add(cx, st, &d, "c", T0 + 3, &id), 0);
  assert_int_equal(
      sgxra_store_revoke(cx, st, SGXRA_STORE_DENIED, id, "d", T0 + 4), 0);
  assert_int_equal(sgxra_store_policy_set(cx, st, "{}", 2, "e", T0 + 5, &info),
                   0);
  const char *dec = "{\"decision\":\"trusted\",\"fmspc\":\"00906ED50000\"}";
  assert_int_equal(sgxra_store_audit_append(cx, st, "decision", dec,
                                            strlen(dec), "sp-1", T0 + 6, &seq),
                   0);
  assert_int_equal(seq, 6);
  return st;
}

static void test_audit_chain(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = six_rows(&e);
  sgxra_store_audit_check ck;
  OK(sgxra_store_audit_verify(e.cx, st, &ck));
  assert_int_equal(ck.rows, 6);
  assert_int_equal(ck.head_seq, 6);
  assert_int_equal(ck.first_bad_seq, 0);

  sgxra_store_audit_row *rows;
  size_t n;
  OK(sgxra_store_audit_list(e.cx, st, 0, 100, &rows, &n));
  assert_int_equal(n, 6);
  const char *kinds[] = {"enclave.add", "signer.add", "deny.add",
                         "revoke",      "policy.set", "decision"};
  const char *actors[] = {"a", "b", "c", "d", "e", "sp-1"};
  uint8_t prev[32] = {0}, h[32];
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(rows[i].seq, (int64_t)i + 1);
    assert_int_equal(rows[i].at, T0 + 1 + (int64_t)i);
    assert_string_equal(rows[i].kind, kinds[i]);
    assert_string_equal(rows[i].actor, actors[i]);
    assert_memory_equal(rows[i].prev_hash, prev, 32);
    row_hash(prev, rows[i].seq, rows[i].at, rows[i].actor, rows[i].kind,
             rows[i].payload, h);
    assert_memory_equal(rows[i].hash, h, 32);
    memcpy(prev, h, 32);
  }
  assert_memory_equal(ck.head_hash, prev, 32);
  /* payloads name the row they record */
  assert_non_null(strstr(rows[0].payload, "\"id\":1"));
  assert_non_null(strstr(rows[0].payload, "\"source\":\"sigstruct\""));
  assert_string_equal(rows[3].payload, "{\"id\":1,\"table\":\"denied\"}");
  assert_non_null(strstr(rows[4].payload, "\"version\":1"));
  sgxra_store_free(rows);
  OK(sgxra_store_audit_list(e.cx, st, 4, 1, &rows, &n));
  assert_int_equal(n, 1);
  assert_int_equal(rows[0].seq, 5);
  sgxra_store_free(rows);

  int64_t seq;
  assert_int_equal(
      sgxra_store_audit_append(e.cx, st, "revoke", "{}", 2, "x", T0, &seq),
      SGXRA_E_INVALID_ARGUMENT); /* the store's own kind */
  assert_int_equal(
      sgxra_store_audit_append(e.cx, st, "Decision", "{}", 2, "x", T0, &seq),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_store_audit_append(e.cx, st, "decision", "{", 1, "x", T0, &seq),
      SGXRA_E_JSON);
  sgxra_store_close(st);
  env_done(&e);
}

/* One tampering, then verify must name `bad` as the first broken seq. */
typedef struct tamper {
  const char *what;
  const char *sql_sqlite, *sql_pg; /* NULL: same as sqlite */
  int64_t bad;
} tamper;

static const tamper tampers[] = {
    {"changed payload",
     "UPDATE audit SET payload = '{\"decision\":\"trusted\"}' WHERE seq = 3",
     NULL, 3},
    {"changed time", "UPDATE audit SET at = at + 1 WHERE seq = 2", NULL, 2},
    {"deleted row", "DELETE FROM audit WHERE seq = 3", NULL, 3},
    {"swapped rows",
     "UPDATE audit SET seq = -2 WHERE seq = 2;"
     "UPDATE audit SET seq = 2 WHERE seq = 4;"
     "UPDATE audit SET seq = 4 WHERE seq = -2",
     NULL, 2},
    {"truncated tail", "DELETE FROM audit WHERE seq >= 5", NULL, 5},
    {"row inserted in the middle",
     /* rows 3.. move up one; a copy of row 2 under seq 3 */
     "UPDATE audit SET seq = seq + 1000 WHERE seq >= 3;"
     "UPDATE audit SET seq = seq - 999 WHERE seq >= 1000;"
     "INSERT INTO audit SELECT 3, at, actor, kind, payload, prev_hash, hash "
     "FROM audit WHERE seq = 2",
     NULL, 3},
    {"chain head moved back", "UPDATE audit_head SET seq = 5", NULL, 6},
};

static void test_audit_tamper(void **state) {
  for (size_t t = 0; t < sizeof(tampers) / sizeof(tampers[0]); t++) {
    env e;
    env_init(&e, state);
    sgxra_store *st = six_rows(&e);
    tu_db_exec(&e.db, e.db.pg && tampers[t].sql_pg ? tampers[t].sql_pg
                                                   : tampers[t].sql_sqlite);
    sgxra_store_audit_check ck;
    sgxra_err err = sgxra_store_audit_verify(e.cx, st, &ck);
    if (err != SGXRA_E_STORE_AUDIT_BROKEN || ck.first_bad_seq != tampers[t].bad)
      fail_msg("%s: got %s first_bad_seq %lld (want %lld): %s", tampers[t].what,
               sgxra_err_name(err), (long long)ck.first_bad_seq,
               (long long)tampers[t].bad, sgxra_ctx_message(e.cx));
    sgxra_store_close(st);
    env_done(&e);
  }
}

/* Appending a row at the end with a correctly computed hash (the attacker
 * knows the layout) is caught by the chain head. */
static void test_audit_forged_append(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = six_rows(&e);
  sgxra_store_audit_check ck;
  OK(sgxra_store_audit_verify(e.cx, st, &ck));
  uint8_t h[32];
  const char *payload = "{\"decision\":\"trusted\"}";
  row_hash(ck.head_hash, 7, T0 + 7, "mallory", "decision", payload, h);
  char sql[600], ph[65], hh[65];
  for (int i = 0; i < 32; i++) {
    sprintf(ph + 2 * i, "%02x", ck.head_hash[i]);
    sprintf(hh + 2 * i, "%02x", h[i]);
  }
  if (e.db.pg)
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit VALUES (7, %d, 'mallory', 'decision', '%s', "
             "'\\x%s', '\\x%s')",
             T0 + 7, payload, ph, hh);
  else
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit VALUES (7, %d, 'mallory', 'decision', '%s', "
             "x'%s', x'%s')",
             T0 + 7, payload, ph, hh);
  tu_db_exec(&e.db, sql);
  assert_int_equal(sgxra_store_audit_verify(e.cx, st, &ck),
                   SGXRA_E_STORE_AUDIT_BROKEN);
  assert_int_equal(ck.first_bad_seq, 7);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "beyond the chain head"));
  /* ...but is a consistent chain when the head is rewritten too: the
   * reason to publish head_hash elsewhere. */
  tu_db_exec(&e.db,
             e.db.pg
                 ? "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM "
                   "audit WHERE seq = 7)"
                 : "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM "
                   "audit WHERE seq = 7)");
  OK(sgxra_store_audit_verify(e.cx, st, &ck));
  assert_int_equal(ck.rows, 7);
  sgxra_store_close(st);
  env_done(&e);
}

/* ---- damaged and read-only databases ------------------------------------ */

static void test_not_database(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = NULL;
  if (!e.db.pg) {
    FILE *f = fopen(e.db.path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 4096; i++) fputc("not a database\n"[i % 15], f);
    fclose(f);
    assert_int_equal(sgxra_store_open(e.cx, e.db.url, T0, &st),
                     SGXRA_E_STORE_NOT_DATABASE);
    assert_non_null(strstr(sgxra_ctx_message(e.cx), e.db.path));
  } else {
    /* The server's counterpart: tables of the same name that sgxra did not
     * create (no schema_version) are refused by the migration, which
     * rolls back entirely. */
    tu_db_exec(&e.db, "CREATE TABLE audit (x int)");
    assert_int_equal(sgxra_store_open(e.cx, e.db.url, T0, &st),
                     SGXRA_E_STORE_DB);
    assert_non_null(strstr(sgxra_ctx_message(e.cx), "migrating the schema"));
    tu_db_exec(&e.db, "DROP TABLE audit");
    st = env_open(&e);
  }
  sgxra_store_close(st);
  env_done(&e);
}

/* Open `url` as user nobody in a child (root ignores file modes) and
 * register one enclave; the child's exit status is the first sgxra code
 * (minus 1000 for store codes) and its message goes to stderr. */
static int open_as_nobody(const char *url) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (setgid(65534) || setuid(65534)) _exit(200);
    sgxra_store *st = NULL;
    sgxra_ctx *cx = sgxra_ctx_new();
    sgxra_err err = sgxra_store_open(cx, url, T0, &st);
    if (!err) {
      sgxra_store_enclave en = enclave(23);
      int64_t id;
      err = sgxra_store_enclave_add(cx, st, &en, "nobody", T0, &id);
    }
    if (err) fprintf(stderr, "as nobody: %s\n", sgxra_ctx_message(cx));
    sgxra_store_close(st);
    _exit(err > 255 ? err - 1000 : err);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static void test_read_only(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  sgxra_store_enclave en = enclave(21);
  int64_t id;
  OK(sgxra_store_enclave_add(e.cx, st, &en, "a", T0, &id));
  sgxra_store_close(st);
  int found;
  sgxra_store_enclave got;
  if (!e.db.pg) {
    /* Read-only on purpose: lookups work, writes are refused. */
    char ro[1100];
    snprintf(ro, sizeof(ro), "%s?mode=ro", e.db.url);
    OK(sgxra_store_open(e.cx, ro, T0, &st));
    OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, &got));
    assert_int_equal(found, 1);
    sgxra_store_enclave b = enclave(22);
    assert_int_equal(sgxra_store_enclave_add(e.cx, st, &b, "a", T0, &id),
                     SGXRA_E_STORE_READ_ONLY);
    sgxra_store_close(st);
    /* A write-protected file.  Root writes through file modes, so the open
     * runs as nobody when the test runs as root. */
    assert_int_equal(chmod(e.db.dir, 0755), 0);
    assert_int_equal(chmod(e.db.path, 0444), 0);
    if (geteuid() == 0) {
      assert_int_equal(open_as_nobody(e.db.url),
                       SGXRA_E_STORE_READ_ONLY - 1000);
      /* A folder nobody may write in, the file writable by all: SQLite
       * cannot create the WAL next to it. */
      assert_int_equal(chmod(e.db.path, 0666), 0);
      assert_int_equal(chmod(e.db.dir, 0555), 0);
      /* (the open succeeds: nothing to migrate; the first write fails) */
      assert_int_equal(open_as_nobody(e.db.url),
                       SGXRA_E_STORE_READ_ONLY - 1000);
      assert_int_equal(chmod(e.db.dir, 0700), 0);
    } else {
      assert_int_equal(sgxra_store_open(e.cx, e.db.url, T0, &st),
                       SGXRA_E_STORE_READ_ONLY);
      assert_non_null(strstr(sgxra_ctx_message(e.cx), "?mode=ro"));
    }
  } else {
    /* A server that refuses writes (a hot standby, or this setting). */
    char ro[1200];
    snprintf(ro, sizeof(ro), "%s%%20-cdefault_transaction_read_only%%3Don",
             e.db.url);
    OK(sgxra_store_open(e.cx, ro, T0, &st));
    OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, &got));
    assert_int_equal(found, 1);
    sgxra_store_enclave b = enclave(22);
    assert_int_equal(sgxra_store_enclave_add(e.cx, st, &b, "a", T0, &id),
                     SGXRA_E_STORE_READ_ONLY);
    sgxra_store_close(st);
  }
  /* nothing half-written: still one entry, chain intact */
  st = env_open(&e);
  sgxra_store_enclave *list;
  size_t n;
  OK(sgxra_store_enclave_list(e.cx, st, 0, 10, 1, &list, &n));
  assert_int_equal(n, 1);
  sgxra_store_free(list);
  sgxra_store_audit_check ck;
  OK(sgxra_store_audit_verify(e.cx, st, &ck));
  assert_int_equal(ck.rows, 1);
  sgxra_store_close(st);
  env_done(&e);
}

/* The server ends our session (as on a restart or failover): the call in
 * flight gets the connection-lost code; the next call reconnects. */
static void test_connection_lost(void **state) {
  env e;
  env_init(&e, state);
  assert_true(
      e.db.pg); /* registered for PostgreSQL only: SQLite has no server */
  char url[1200];
  snprintf(url, sizeof(url), "%s&application_name=victim%ld", e.db.url,
           (long)getpid());
  sgxra_store *st = NULL;
  OK(sgxra_store_open(e.cx, url, T0, &st));
  char sql[200];
  snprintf(sql, sizeof(sql),
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
           "application_name = 'victim%ld'",
           (long)getpid());
  tu_db_exec(&e.db, sql);
  sgxra_store_enclave en = enclave(31);
  int64_t id;
  sgxra_err err = sgxra_store_enclave_add(e.cx, st, &en, "a", T0, &id);
  assert_int_equal(err, SGXRA_E_STORE_CONNECTION);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "connection"));
  OK(sgxra_store_enclave_add(e.cx, st, &en, "a", T0, &id));
  assert_int_equal(id, 1);
  sgxra_store_close(st);
  env_done(&e);
}

/* Another writer holds the lock longer than the busy timeout. */
static void test_busy(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  OK(sgxra_store_set_busy_timeout(e.cx, st, 200));
  sqlite3 *db = NULL;
  PGconn *c = NULL;
  if (!e.db.pg) {
    assert_int_equal(sqlite3_open(e.db.path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
  } else {
    c = PQconnectdb(e.db.url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQclear(PQexec(c, "BEGIN"));
    PGresult *r = PQexec(c, "SELECT seq FROM audit_head FOR UPDATE");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
  }
  sgxra_store_enclave en = enclave(41);
  int64_t id;
  assert_int_equal(sgxra_store_enclave_add(e.cx, st, &en, "a", T0, &id),
                   SGXRA_E_STORE_BUSY);
  assert_non_null(strstr(sgxra_ctx_message(e.cx), "200 ms"));
  /* lookups do not wait for writers */
  int found;
  OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, NULL));
  assert_int_equal(found, 0);
  if (db) sqlite3_close(db); /* rolls back */
  if (c) PQfinish(c);
  OK(sgxra_store_enclave_add(e.cx, st, &en, "a", T0, &id));
  sgxra_store_close(st);
  env_done(&e);
}

/* ---- many writers, kill -9 ---------------------------------------------- */

#define WRITERS 4
#define WRITES 200

static void test_concurrent_writers(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store_close(env_open(&e)); /* schema first, as a deployment does */
  pid_t pids[WRITERS];
  for (int w = 0; w < WRITERS; w++) {
    pids[w] = fork();
    assert_true(pids[w] >= 0);
    if (pids[w] == 0) {
      sgxra_ctx *cx = sgxra_ctx_new();
      sgxra_store *st = NULL;
      int errors = 0;
      if (sgxra_store_open(cx, e.db.url, T0, &st)) _exit(255);
      for (int i = 0; i < WRITES; i++) {
        sgxra_store_enclave en = enclave((uint32_t)(w * 100000 + i + 1));
        int64_t id;
        if (sgxra_store_enclave_add(cx, st, &en, "writer", T0 + i, &id)) {
          fprintf(stderr, "writer %d: %s\n", w, sgxra_ctx_message(cx));
          errors++;
        }
      }
      sgxra_store_close(st);
      sgxra_ctx_free(cx);
      _exit(errors > 250 ? 250 : errors);
    }
  }
  for (int w = 0; w < WRITERS; w++) {
    int status;
    assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
  sgxra_store *st = env_open(&e);
  for (int w = 0; w < WRITERS; w++)
    for (int i = 0; i < WRITES; i++) {
      sgxra_store_enclave en = enclave((uint32_t)(w * 100000 + i + 1));
      int found;
      OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, NULL));
      assert_int_equal(found, 1);
    }
  sgxra_store_audit_check ck;
  OK(sgxra_store_audit_verify(e.cx, st, &ck));
  assert_int_equal(ck.rows, WRITERS * WRITES);
  assert_int_equal(ck.head_seq, WRITERS * WRITES);
  sgxra_store_close(st);
  env_done(&e);
}

#define ROUNDS 20

static void test_kill9_durability(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store_close(env_open(&e));
  uint32_t *acked = calloc(ROUNDS * 100000, sizeof(uint32_t));
  size_t nacked = 0;
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  for (int round = 0; round < ROUNDS; round++) {
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fd[0]);
      sgxra_store *st = NULL;
      if (sgxra_store_open(NULL, e.db.url, T0, &st)) _exit(1);
      for (uint32_t i = 1;; i++) {
        uint32_t seed = (uint32_t)round * 100000 + i;
        sgxra_store_enclave en = enclave(seed);
        int64_t id;
        if (sgxra_store_enclave_add(NULL, st, &en, "w", T0, &id)) _exit(2);
        /* acknowledged: only now does the parent learn of it */
        if (write(fd[1], &seed, sizeof(seed)) != sizeof(seed)) _exit(3);
      }
    }
    close(fd[1]);
    struct timespec ts = {0, (long)(20 + rand() % 180) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status))
      fail_msg("writer exited with %d before the kill",
               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    uint32_t seed;
    while (read(fd[0], &seed, sizeof(seed)) == sizeof(seed))
      acked[nacked++] = seed;
    close(fd[0]);
  }
  sgxra_store *st = env_open(&e);
  for (size_t i = 0; i < nacked; i++) {
    sgxra_store_enclave en = enclave(acked[i]);
    int found;
    OK(sgxra_store_enclave_find(e.cx, st, en.mrenclave, &found, NULL));
    if (!found) fail_msg("acknowledged write %u is lost", acked[i]);
  }
  sgxra_store_audit_check ck;
  OK(sgxra_store_audit_verify(e.cx, st, &ck));
  /* at most one unacknowledged commit per round (killed before the pipe
   * write) */
  assert_true((size_t)ck.rows >= nacked);
  assert_true((size_t)ck.rows <= nacked + ROUNDS);
  assert_true(nacked > 0);
  print_message("kill -9: %d rounds, %zu acknowledged writes, %lld rows\n",
                ROUNDS, nacked, (long long)ck.rows);
  sgxra_store_close(st);
  free(acked);
  env_done(&e);
}

static void test_names(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *st = env_open(&e);
  assert_string_equal(sgxra_store_name(st), e.db.url); /* no password here */
  assert_int_equal(sgxra_store_set_busy_timeout(e.cx, st, 0),
                   SGXRA_E_INVALID_ARGUMENT);
  OK(sgxra_store_set_busy_timeout(e.cx, st, 5000));
  assert_string_equal(sgxra_store_source_name(SGXRA_STORE_SOURCE_ENCLAVE),
                      "enclave");
  assert_string_equal(sgxra_err_name(SGXRA_E_STORE_AUDIT_BROKEN),
                      "SGXRA_E_STORE_AUDIT_BROKEN");
  sgxra_store_close(st);
  env_done(&e);
}

#define BOTH(fn)                                                               \
  {#fn "/sqlite", fn, NULL, NULL, (void *)&SQ}, {                              \
#fn "/postgresql", fn, NULL, NULL, (void *)&PG                             \
  }

/* Lookups are prepared once per handle (SQLite keeps its SELECTs): a kept
 * statement must not keep a read transaction open, or the handle would
 * keep reading the snapshot of its first lookup.  Handle A looks up, B
 * writes, A sees each write at once; a schema change behind A's back
 * (an index dropped and made again) re-prepares A's statements. */
static void test_lookup_sees_writes(void **state) {
  env e;
  env_init(&e, state);
  sgxra_store *a = env_open(&e), *b = env_open(&e);
  sgxra_store_enclave en = enclave(7), got;
  int found = 1, denied = 1;
  int64_t id, did;
  for (int round = 0; round < 3; round++) {
    OK(sgxra_store_enclave_find(e.cx, a, en.mrenclave, &found, &got));
    assert_int_equal(found, 0);
    OK(sgxra_store_deny_check(e.cx, a, en.mrenclave, &denied, NULL));
    assert_int_equal(denied, 0);
    OK(sgxra_store_enclave_add(e.cx, b, &en, "isv", T0 + round, &id));
    OK(sgxra_store_enclave_find(e.cx, a, en.mrenclave, &found, &got));
    assert_int_equal(found, 1);
    assert_int_equal(got.meta.id, id);
    sgxra_store_deny d;
    memset(&d, 0, sizeof(d));
    memcpy(d.mrenclave, en.mrenclave, 32);
    snprintf(d.reason, sizeof(d.reason), "round %d", round);
    d.meta.source = SGXRA_STORE_SOURCE_HEX;
    OK(sgxra_store_deny_add(e.cx, b, &d, "sec", T0 + round, &did));
    OK(sgxra_store_deny_check(e.cx, a, en.mrenclave, &denied, &d));
    assert_int_equal(denied, 1);
    assert_int_equal(d.meta.id, did);
    OK(sgxra_store_revoke(e.cx, b, SGXRA_STORE_ENCLAVES, id, "isv", T0 + 9));
    OK(sgxra_store_revoke(e.cx, b, SGXRA_STORE_DENIED, did, "sec", T0 + 9));
  }
  /* A writes itself with its kept statements, B sees it */
  OK(sgxra_store_enclave_add(e.cx, a, &en, "isv", T0 + 20, &id));
  OK(sgxra_store_enclave_find(e.cx, b, en.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, id);
  tu_db_exec(&e.db, "DROP INDEX enclaves_active");
  tu_db_exec(&e.db,
             "CREATE UNIQUE INDEX enclaves_active ON enclaves (mrenclave) "
             "WHERE revoked_at IS NULL");
  OK(sgxra_store_enclave_find(e.cx, a, en.mrenclave, &found, &got));
  assert_int_equal(found, 1);
  assert_int_equal(got.meta.id, id);
  sgxra_store_close(a);
  sgxra_store_close(b);
  env_done(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      BOTH(test_open_reopen),
      BOTH(test_urls),
      BOTH(test_enclaves),
      BOTH(test_signers),
      BOTH(test_deny),
      BOTH(test_lookup_sees_writes),
      BOTH(test_policy),
      BOTH(test_audit_chain),
      BOTH(test_audit_tamper),
      BOTH(test_audit_forged_append),
      BOTH(test_not_database),
      BOTH(test_read_only),
      {"test_connection_lost/postgresql", test_connection_lost, NULL, NULL,
       (void *)&PG},
      BOTH(test_concurrent_writers),
      BOTH(test_kill9_durability),
      BOTH(test_names),
      BOTH(test_busy),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
