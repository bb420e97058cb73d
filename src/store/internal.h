/*
 * store/internal.h -- what the store's front end (store.c, audit.c) and its
 * two backends (sqlite.c, pg.c) share.
 *
 * The front end writes every DML statement once, with $1, $2, ...
 * placeholders (SQLite reads "$N" as a named parameter; the backend binds
 * it by name), and runs it through the backend's `query`, which binds
 * typed values and returns all rows as typed values.  What differs per
 * backend stays in the ops table: opening, the DDL of each schema version,
 * how a write transaction starts, the lock clause of the chain-head read and
 * the mapping of native errors to sgxra codes.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_STORE_INTERNAL_H
#define SGXRA_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "sgxra/store.h"

/* A typed value: a parameter or a result cell.  Blob and text cells of a
 * result own their bytes (NUL-terminated after n for convenience). */
typedef enum sgxra__vt {
  SGXRA__NULL = 0,
  SGXRA__INT,
  SGXRA__BLOB,
  SGXRA__TEXT
} sgxra__vt;

typedef struct sgxra__val {
  sgxra__vt t;
  int64_t i;
  const uint8_t *p; /* blob/text bytes */
  size_t n;
} sgxra__val;

static inline sgxra__val sgxra__int(int64_t i) {
  sgxra__val v = {SGXRA__INT, i, NULL, 0};
  return v;
}
static inline sgxra__val sgxra__blob(const void *p, size_t n) {
  sgxra__val v = {SGXRA__BLOB, 0, (const uint8_t *)p, n};
  return v;
}
sgxra__val sgxra__text(const char *s); /* NULL -> SGXRA__NULL */

/* All rows of a result, row-major. */
typedef struct sgxra__res {
  size_t rows, cols;
  sgxra__val *v;
} sgxra__res;

void sgxra__res_free(sgxra__res *r);
static inline const sgxra__val *sgxra__cell(const sgxra__res *r, size_t row,
                                            size_t col) {
  return &r->v[row * r->cols + col];
}
/* Append one row of `cols` values (copies blob/text bytes). */
sgxra_err sgxra__res_add_row(sgxra_ctx *cx, sgxra__res *r, size_t cols,
                             sgxra__val *cells);

typedef enum sgxra__tx { SGXRA__TX_READ, SGXRA__TX_WRITE } sgxra__tx;

typedef struct sgxra__store_ops {
  const char *name; /* "sqlite", "postgresql" */
  /* Clause appended to the chain-head read in a write transaction (" FOR
   * UPDATE" on PostgreSQL: the row lock serialises writers; "" on SQLite,
   * where BEGIN IMMEDIATE already holds the database's write lock). */
  const char *lock_clause;
  /* Nonzero when the schema_version table exists (SELECT count(*) ...). */
  const char *sql_has_schema;
  /* DDL of each schema version: migrations[v - 1] takes v-1 to v; each a
   * NULL-terminated list of statements. */
  const char *const *const *migrations;
  /* Run at the start of a migration transaction (PostgreSQL: an advisory
   * lock, so concurrent openers migrate one at a time), or NULL. */
  const char *sql_migration_lock;
  sgxra_err (*begin)(sgxra_ctx *cx, sgxra_store *st, sgxra__tx tx);
  sgxra_err (*commit)(sgxra_ctx *cx, sgxra_store *st);
  void (*rollback)(sgxra_store *st); /* best effort, no error */
  /* Run one statement; `out` (may be NULL) receives the rows. */
  sgxra_err (*query)(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                     const sgxra__val *params, size_t nparams, sgxra__res *out);
  sgxra_err (*set_busy_timeout)(sgxra_ctx *cx, sgxra_store *st, int ms);
  void (*close)(sgxra_store *st);
} sgxra__store_ops;

struct sgxra_store {
  const sgxra__store_ops *ops;
  void *db;      /* sqlite3 * or PGconn * */
  char *name;    /* URL without password, for messages */
  int read_only; /* opened read-only on purpose (?mode=ro) */
  int in_tx;
  int busy_ms;
  void *stmts; /* the backend's prepared-statement cache (SQLite), or NULL */
};

extern const sgxra__store_ops sgxra__sqlite_ops;
extern const sgxra__store_ops sgxra__pg_ops;

/* Backend openers: fill st->db (st->name and st->read_only are set).
 * `path` is the SQLite file path; `conninfo` what libpq gets. */
sgxra_err sgxra__sqlite_open(sgxra_ctx *cx, sgxra_store *st, const char *path);
sgxra_err sgxra__pg_open(sgxra_ctx *cx, sgxra_store *st, const char *conninfo);

/* Run a statement without parameters or results. */
sgxra_err sgxra__exec(sgxra_ctx *cx, sgxra_store *st, const char *sql);

/* A caller's text: NUL-terminated, at most `cap` bytes, valid UTF-8,
 * non-empty when `required` (SGXRA_E_INVALID_ARGUMENT naming `what`). */
sgxra_err sgxra__check_text(sgxra_ctx *cx, const char *s, size_t cap,
                            int required, const char *what);

/* Cells read back from the database (store.c).  A text cell into a fixed
 * array (NULL -> ""), a blob cell of exactly n bytes: SGXRA_E_STORE_DB
 * naming `what` when the row does not have the shape sgxra writes. */
sgxra_err sgxra__get_text(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *v,
                          char *dst, size_t cap, const char *what);
sgxra_err sgxra__get_blob(sgxra_ctx *cx, sgxra_store *st, const sgxra__val *v,
                          uint8_t *dst, size_t n, const char *what);

/* SGXRA_E_STORE_READ_ONLY when the store was opened with ?mode=ro. */
sgxra_err sgxra__check_writable(sgxra_ctx *cx, const sgxra_store *st);

/* One statement in its own write transaction without an audit row (cache
 * and session writes): the begin reconnects a lost PostgreSQL connection;
 * on SQLite it takes the write lock up front.  *out (may be NULL) is freed
 * on error. */
sgxra_err sgxra__write_one(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                           const sgxra__val *p, size_t np, sgxra__res *out);

/* Bring the schema to SGXRA_STORE_SCHEMA_VERSION (store.c). */
sgxra_err sgxra__migrate(sgxra_ctx *cx, sgxra_store *st, int64_t now);

/* ---- the audit chain (audit.c) ------------------------------------------ */

/* The chain head as read inside a write transaction (locked there). */
typedef struct sgxra__head {
  int64_t seq;
  uint8_t hash[SGXRA_SHA256_SIZE];
} sgxra__head;

/* Begin a write transaction and read (lock) the chain head: every write
 * starts here, so writers queue on the head before touching anything. */
sgxra_err sgxra__write_begin(sgxra_ctx *cx, sgxra_store *st, sgxra__head *h);

/* Append one row after *h inside the write transaction, move the head and
 * advance *h.  `kind` is trusted (the store's own or checked). */
sgxra_err sgxra__audit_add(sgxra_ctx *cx, sgxra_store *st, sgxra__head *h,
                           int64_t now, const char *actor, const char *kind,
                           const char *payload, size_t payload_len);

/* Commit; on failure roll back.  Every write ends here or in
 * sgxra__write_abort. */
sgxra_err sgxra__write_end(sgxra_ctx *cx, sgxra_store *st, sgxra_err e);

#endif
