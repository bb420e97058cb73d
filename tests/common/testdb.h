/*
 * tests/common/testdb.h -- one test's registry database, on either backend:
 * a fresh SQLite file in a new temporary folder, or a fresh schema on the
 * PostgreSQL server of this test run (tu_pg_url(); the schema is chosen
 * through the URL's search_path, so tests running at once never meet).
 */
#ifndef SGXRA_TESTDB_H
#define SGXRA_TESTDB_H

typedef struct tu_db {
  int pg;          /* 0: SQLite, 1: PostgreSQL */
  char *dir;       /* a new temporary folder, for both backends */
  char url[1024];  /* what sgxra_store_open takes */
  char path[600];  /* the SQLite file (SQLite only) */
  char schema[64]; /* the schema (PostgreSQL only) */
} tu_db;

/* Make the database (nothing is created in it yet).  Without a PostgreSQL
 * server the calling test is skipped -- or fails under SGXRA_REQUIRE_PG=1
 * (see tu_pg_url). */
void tu_db_init(tu_db *d, int pg);

/* Drop the schema or the file, and the folder. */
void tu_db_done(tu_db *d);

/* Raw SQL behind the store's back (fails the test on an error). */
void tu_db_exec(const tu_db *d, const char *sql);

/* SQL on the server as its administrator (fails the test on an error). */
void tu_pg_exec(const char *sql);

#endif
