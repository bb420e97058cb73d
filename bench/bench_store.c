/* bench_store: registration writes per second on both store backends, each
 * next to the bound measured in the same run on the same database: one
 * single-row INSERT + COMMIT through the raw driver (sqlite3 with WAL and
 * synchronous=FULL; libpq with the server's fsync on), since every durable
 * commit costs at least one log flush.  A registration is two inserts, the
 * chain-head read/update and a SHA-256 in one transaction, so the ratio
 * shows what the audit chain and the checks cost over the flush.  Also
 * lookups/s (enclave_find) on the filled registry.
 *
 * Usage: bench_store [WRITES]   (default 1000)
 * PostgreSQL is measured when SGXRA_BENCH_PG_URL (or SGXRA_TEST_PG_URL) is
 * set, e.g. to the URL printed by scripts/pg-cluster.sh start DIR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "sgxra/store.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, sgxra_ctx *cx) {
  fprintf(stderr, "bench_store: %s failed: %s\n", what,
          cx ? sgxra_ctx_message(cx) : "");
  exit(2);
}

static void fill(uint8_t *p, uint32_t seed) {
  for (int i = 0; i < 32; i++) p[i] = (uint8_t)(seed * 31 + i);
  memcpy(p, &seed, sizeof(seed));
}

/* writes/s and lookups/s through the store */
static void bench_store(const char *url, int n, double *w, double *l) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_store *st;
  if (sgxra_store_open(cx, url, 0, &st)) die("open", cx);
  sgxra_store_enclave en;
  memset(&en, 0, sizeof(en));
  en.meta.source = SGXRA_STORE_SOURCE_HEX;
  fill(en.mrsigner, 7);
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    fill(en.mrenclave, (uint32_t)i + 1);
    int64_t id;
    if (sgxra_store_enclave_add(cx, st, &en, "bench", i, &id)) die("add", cx);
  }
  *w = n / (now_s() - t0);
  t0 = now_s();
  for (int i = 0; i < n; i++) {
    uint8_t m[32];
    fill(m, (uint32_t)i + 1);
    int found;
    if (sgxra_store_enclave_find(cx, st, m, &found, NULL) || !found)
      die("find", cx);
  }
  *l = n / (now_s() - t0);
  sgxra_store_close(st);
  sgxra_ctx_free(cx);
}

static double bound_sqlite(const char *path, int n) {
  sqlite3 *db;
  sqlite3_stmt *s;
  if (sqlite3_open(path, &db) ||
      sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                   "CREATE TABLE b (k BLOB)",
                   NULL, NULL, NULL) ||
      sqlite3_prepare_v2(db, "INSERT INTO b VALUES (?1)", -1, &s, NULL))
    die("raw sqlite", NULL);
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    uint8_t k[32];
    fill(k, (uint32_t)i);
    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_bind_blob(s, 1, k, 32, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) die("raw sqlite insert", NULL);
    sqlite3_reset(s);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) die("raw commit", NULL);
  }
  double r = n / (now_s() - t0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return r;
}

static double bound_pg(const char *url, int n) {
  PGconn *c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK) die("raw libpq connect", NULL);
  PQclear(PQexec(c, "SET client_min_messages = warning; "
                    "DROP TABLE IF EXISTS bench_bound; "
                    "CREATE TABLE bench_bound (k BYTEA)"));
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    uint8_t k[32];
    fill(k, (uint32_t)i);
    const char *v[] = {(const char *)k};
    int len[] = {32}, fmt[] = {1};
    PGresult *r = PQexecParams(c, "INSERT INTO bench_bound VALUES ($1)", 1,
                               NULL, v, len, fmt, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die("raw libpq insert", NULL);
    PQclear(r);
  }
  double r = n / (now_s() - t0);
  PQclear(PQexec(c, "DROP TABLE bench_bound"));
  PQfinish(c);
  return r;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  if (n <= 0) n = 1000;
  char dir[] = "/tmp/bench_store-XXXXXX";
  if (!mkdtemp(dir)) die("mkdtemp", NULL);
  char path[128], url[160], bpath[128];
  snprintf(path, sizeof(path), "%s/registry.db", dir);
  snprintf(bpath, sizeof(bpath), "%s/bound.db", dir);
  snprintf(url, sizeof(url), "sqlite:%s", path);
  double w, l, b = bound_sqlite(bpath, n);
  bench_store(url, n, &w, &l);
  printf("sqlite      registrations/s %8.0f  raw 1-row commits/s %8.0f  "
         "ratio %.2f  lookups/s %8.0f\n",
         w, b, w / b, l);
  char cmd[200];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "bench_store: could not remove %s\n", dir);

  const char *pg = getenv("SGXRA_BENCH_PG_URL");
  if (!pg) pg = getenv("SGXRA_TEST_PG_URL");
  if (!pg) {
    printf("postgresql  (set SGXRA_BENCH_PG_URL to measure)\n");
    return 0;
  }
  /* A fresh schema so earlier runs do not count. */
  PGconn *c = PQconnectdb(pg);
  if (PQstatus(c) != CONNECTION_OK) die("connect", NULL);
  PQclear(PQexec(c, "SET client_min_messages = warning; "
                    "DROP SCHEMA IF EXISTS bench_store CASCADE; "
                    "CREATE SCHEMA bench_store"));
  char purl[1200];
  snprintf(purl, sizeof(purl), "%s%soptions=-csearch_path%%3Dbench_store", pg,
           strchr(pg, '?') ? "&" : "?");
  b = bound_pg(purl, n);
  bench_store(purl, n, &w, &l);
  printf("postgresql  registrations/s %8.0f  raw 1-row commits/s %8.0f  "
         "ratio %.2f  lookups/s %8.0f\n",
         w, b, w / b, l);
  PQclear(PQexec(c, "SET client_min_messages = warning; "
                    "DROP SCHEMA bench_store CASCADE"));
  PQfinish(c);
  return 0;
}
