/* One test's registry database: see testdb.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "common/testdb.h"
#include "common/testutil.h"

static void pg_exec_on(const char *url, const char *sql) {
  PGconn *c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK)
    fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
  PGresult *r = PQexec(c, sql);
  ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
}

void tu_pg_exec(const char *sql) {
  const char *url = tu_pg_url();
  if (!url) fail_msg("%s: no PostgreSQL server for this run", sql);
  pg_exec_on(url, sql);
}

void tu_db_init(tu_db *d, int pg) {
  static int counter;
  memset(d, 0, sizeof(*d));
  d->pg = pg;
  if (!pg) {
    d->dir = tu_tmpdir();
    snprintf(d->path, sizeof(d->path), "%s/registry.db", d->dir);
    snprintf(d->url, sizeof(d->url), "sqlite:%s", d->path);
    return;
  }
  const char *base = tu_pg_url();
  if (!base) skip(); /* no PostgreSQL server for this run */
  d->dir = tu_tmpdir();
  snprintf(d->schema, sizeof(d->schema), "t_%ld_%d", (long)getpid(), ++counter);
  char sql[128];
  snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", d->schema);
  tu_pg_exec(sql);
  snprintf(d->url, sizeof(d->url), "%s%soptions=-csearch_path%%3D%s", base,
           strchr(base, '?') ? "&" : "?", d->schema);
}

void tu_db_done(tu_db *d) {
  if (d->pg && d->schema[0]) {
    char sql[128];
    snprintf(sql, sizeof(sql),
             "SET client_min_messages = warning; DROP SCHEMA %s CASCADE",
             d->schema);
    tu_pg_exec(sql);
  }
  if (d->dir) tu_rmtree(d->dir);
  free(d->dir);
  memset(d, 0, sizeof(*d));
}

void tu_db_exec(const tu_db *d, const char *sql) {
  if (d->pg) {
    pg_exec_on(d->url, sql);
    return;
  }
  sqlite3 *db;
  if (sqlite3_open(d->path, &db) != SQLITE_OK)
    fail_msg("cannot open %s: %s", d->path, sqlite3_errmsg(db));
  char *m = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &m) != SQLITE_OK)
    fail_msg("%s: %s", sql, m);
  sqlite3_close(db);
}
