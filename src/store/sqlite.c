/* The SQLite backend of the store: WAL journal, synchronous=FULL,
 * BEGIN IMMEDIATE writers waiting on busy_timeout.  See sgxra/store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/internal.h"

/* Default wait for another writer's lock (sgxra_store_set_busy_timeout). */
#define DEFAULT_BUSY_MS 30000

static sqlite3 *db_of(sgxra_store *st) {
  return (sqlite3 *)st->db;
}

/* Map an SQLite result code to an sgxra code with a message naming the
 * database and the next step. */
static sgxra_err fail_sqlite(sgxra_ctx *cx, sgxra_store *st, int rc,
                             const char *doing) {
  sqlite3 *db = db_of(st);
  const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return sgxra__fail(cx, SGXRA_E_STORE_BUSY,
                       "database %s: %s: another process held the lock for "
                       "more than %d ms (%s); retry, or raise the busy "
                       "timeout",
                       st->name, doing, st->busy_ms, msg);
  case SQLITE_READONLY:
    return sgxra__fail(cx, SGXRA_E_STORE_READ_ONLY,
                       "database %s is read-only (%s while %s): open it "
                       "writable or point --db elsewhere",
                       st->name, msg, doing);
  case SQLITE_NOTADB:
    return sgxra__fail(cx, SGXRA_E_STORE_NOT_DATABASE,
                       "%s is not an SQLite database (%s): check the path "
                       "given to --db",
                       st->name, msg);
  case SQLITE_CANTOPEN:
    return sgxra__fail(cx, SGXRA_E_STORE_OPEN,
                       "cannot open database %s (%s): check that its folder "
                       "exists and is writable",
                       st->name, msg);
  case SQLITE_CONSTRAINT:
    return sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE, "database %s: %s: %s",
                       st->name, doing, msg);
  default:
    return sgxra__fail(cx, SGXRA_E_STORE_DB, "database %s: %s: %s (%s)",
                       st->name, doing, msg, sqlite3_errstr(rc));
  }
}

/* ---- prepared statements ----------------------------------------------------
 * SELECTs are prepared once per handle and kept: parsing and planning a
 * lookup costs about as much as running it against 100,000 entries
 * (bench/bench_appraise.c), and the appraisal runs two per quote.  Keyed by
 * the SQL text (callers may build it in a buffer); a statement is reset and
 * its bindings cleared after every use, so no read transaction stays open
 * between calls.  Other statements (writes, DDL, PRAGMA) are prepared each
 * time.  A schema change re-prepares a kept statement by itself
 * (sqlite3_prepare_v3). */
#define STMT_CACHE_MAX 32

typedef struct sq_stmt_cache {
  size_t n;
  struct {
    char *sql;
    sqlite3_stmt *stmt;
    int busy; /* in use (a lookup cannot nest, but be safe) */
  } e[STMT_CACHE_MAX];
} sq_stmt_cache;

static sqlite3_stmt **cache_slot(sgxra_store *st, const char *sql, int **busy) {
  if (strncmp(sql, "SELECT ", 7) != 0) return NULL;
  sq_stmt_cache *c = st->stmts;
  if (!c) {
    c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    st->stmts = c;
  }
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->e[i].sql, sql) == 0) {
      if (c->e[i].busy) return NULL;
      *busy = &c->e[i].busy;
      return &c->e[i].stmt;
    }
  if (c->n == STMT_CACHE_MAX) return NULL;
  size_t len = strlen(sql) + 1;
  char *copy = malloc(len);
  if (!copy) return NULL;
  memcpy(copy, sql, len);
  c->e[c->n].sql = copy;
  c->e[c->n].stmt = NULL;
  c->e[c->n].busy = 0;
  *busy = &c->e[c->n].busy;
  return &c->e[c->n++].stmt;
}

static void cache_free(sgxra_store *st) {
  sq_stmt_cache *c = st->stmts;
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) {
    sqlite3_finalize(c->e[i].stmt);
    free(c->e[i].sql);
  }
  free(c);
  st->stmts = NULL;
}

static sgxra_err sq_query(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                          const sgxra__val *params, size_t nparams,
                          sgxra__res *out) {
  sqlite3 *db = db_of(st);
  sqlite3_stmt *stmt = NULL;
  if (out) memset(out, 0, sizeof(*out));
  int *busy = NULL;
  sqlite3_stmt **slot = cache_slot(st, sql, &busy);
  int rc = SQLITE_OK;
  if (slot && *slot) {
    stmt = *slot;
  } else {
    rc = sqlite3_prepare_v3(db, sql, -1, slot ? SQLITE_PREPARE_PERSISTENT : 0,
                            &stmt, NULL);
    if (rc != SQLITE_OK)
      return fail_sqlite(cx, st, rc, "preparing a statement");
    if (slot) *slot = stmt;
  }
  if (busy) *busy = 1;
  sgxra_err e = SGXRA_OK;
  for (size_t i = 0; i < nparams && rc == SQLITE_OK; i++) {
    char name[24];
    snprintf(name, sizeof(name), "$%zu", i + 1);
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx == 0) continue; /* not used by this statement */
    const sgxra__val *v = &params[i];
    switch (v->t) {
    case SGXRA__INT:
      rc = sqlite3_bind_int64(stmt, idx, v->i);
      break;
    case SGXRA__BLOB:
      rc = sqlite3_bind_blob64(stmt, idx, v->p ? (const void *)v->p : "", v->n,
                               SQLITE_STATIC);
      break;
    case SGXRA__TEXT:
      rc = sqlite3_bind_text64(stmt, idx, (const char *)v->p, v->n,
                               SQLITE_STATIC, SQLITE_UTF8);
      break;
    default:
      rc = sqlite3_bind_null(stmt, idx);
    }
  }
  if (rc != SQLITE_OK) {
    e = fail_sqlite(cx, st, rc, "binding a value");
    goto done;
  }
  int cols = sqlite3_column_count(stmt);
  sgxra__val cells[32];
  if (cols > (int)SGXRA__ARRAY_LEN(cells)) {
    e = sgxra__fail(cx, SGXRA_E_INTERNAL, "store: %d columns", cols);
    goto done;
  }
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!out) continue;
    for (int c = 0; c < cols; c++) {
      sgxra__val *v = &cells[c];
      memset(v, 0, sizeof(*v));
      switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
      case SQLITE_FLOAT:
        v->t = SGXRA__INT;
        v->i = sqlite3_column_int64(stmt, c);
        break;
      case SQLITE_BLOB:
        v->t = SGXRA__BLOB;
        v->p = sqlite3_column_blob(stmt, c);
        v->n = (size_t)sqlite3_column_bytes(stmt, c);
        break;
      case SQLITE_TEXT:
        v->t = SGXRA__TEXT;
        v->p = sqlite3_column_text(stmt, c);
        v->n = (size_t)sqlite3_column_bytes(stmt, c);
        break;
      default:
        v->t = SGXRA__NULL;
      }
    }
    e = sgxra__res_add_row(cx, out, (size_t)cols, cells);
    if (e) goto done;
  }
  if (rc != SQLITE_DONE) e = fail_sqlite(cx, st, rc, "running a statement");
done:
  if (slot) {
    /* kept: reset ends its read transaction; the bound values point into
     * the caller's memory */
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    *busy = 0;
  } else {
    sqlite3_finalize(stmt);
  }
  if (e && out) sgxra__res_free(out);
  return e;
}

static sgxra_err sq_begin(sgxra_ctx *cx, sgxra_store *st, sgxra__tx tx) {
  /* IMMEDIATE: a writer takes the write lock at BEGIN, where the busy
   * handler waits for it.  A deferred transaction that reads first and
   * writes later would get SQLITE_BUSY without waiting when another writer
   * committed in between (WAL snapshot conflict). */
  int rc = sqlite3_exec(db_of(st),
                        tx == SGXRA__TX_WRITE ? "BEGIN IMMEDIATE" : "BEGIN",
                        NULL, NULL, NULL);
  if (rc != SQLITE_OK) return fail_sqlite(cx, st, rc, "starting a transaction");
  return SGXRA_OK;
}

static sgxra_err sq_commit(sgxra_ctx *cx, sgxra_store *st) {
  int rc = sqlite3_exec(db_of(st), "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) return fail_sqlite(cx, st, rc, "committing");
  return SGXRA_OK;
}

static void sq_rollback(sgxra_store *st) {
  if (sqlite3_get_autocommit(db_of(st))) return; /* nothing open */
  (void)sqlite3_exec(db_of(st), "ROLLBACK", NULL, NULL, NULL);
}

static sgxra_err sq_busy(sgxra_ctx *cx, sgxra_store *st, int ms) {
  int rc = sqlite3_busy_timeout(db_of(st), ms);
  if (rc != SQLITE_OK) return fail_sqlite(cx, st, rc, "setting busy timeout");
  st->busy_ms = ms;
  return SGXRA_OK;
}

static void sq_close(sgxra_store *st) {
  cache_free(st);
  sqlite3_close_v2(db_of(st));
  st->db = NULL;
}

sgxra_err sgxra__sqlite_open(sgxra_ctx *cx, sgxra_store *st, const char *path) {
  sqlite3 *db = NULL;
  int flags = st->read_only ? SQLITE_OPEN_READONLY
                            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  /* One handle per thread (sgxra/store.h), so SQLite's own mutex on the
   * connection is not needed. */
  int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
  st->db = db;
  if (rc != SQLITE_OK) return fail_sqlite(cx, st, rc, "opening");
  sqlite3_extended_result_codes(db, 1);
  sgxra_err e = sq_busy(cx, st, DEFAULT_BUSY_MS);
  if (e) return e;
  if (!st->read_only && sqlite3_db_readonly(db, "main") == 1) {
    return sgxra__fail(cx, SGXRA_E_STORE_READ_ONLY,
                       "database %s is read-only (the file or its folder is "
                       "write-protected): make it writable, point --db "
                       "elsewhere, or open it with ?mode=ro for lookups",
                       st->name);
  }
  /* The first statement reads the file header: "file is not a database"
   * shows up here, not at sqlite3_open_v2. */
  sgxra__res r;
  e = sq_query(cx, st, "PRAGMA schema_version", NULL, 0, &r);
  if (e) return e;
  sgxra__res_free(&r);
  if (!st->read_only) {
    /* WAL: readers never block the writer, and a commit is one append to
     * the log; synchronous=FULL fsyncs the log at every commit, so a
     * transaction that returned is on disk (NORMAL would only guarantee
     * consistency, not durability, after a power loss). */
    e = sq_query(cx, st, "PRAGMA journal_mode=WAL", NULL, 0, &r);
    if (e) return e;
    int wal = r.rows == 1 && sgxra__cell(&r, 0, 0)->t == SGXRA__TEXT &&
              strcmp((const char *)sgxra__cell(&r, 0, 0)->p, "wal") == 0;
    sgxra__res_free(&r);
    if (!wal)
      return sgxra__fail(cx, SGXRA_E_STORE_DB,
                         "database %s: cannot switch to WAL journal mode "
                         "(is it on a network file system?)",
                         st->name);
  }
  return sq_query(cx, st, "PRAGMA synchronous=FULL", NULL, 0, NULL);
}

/* ---- schema ----------------------------------------------------------------
 * Version 1.  Columns and their meaning: docs/STORE.md.  Integers are
 * INTEGER (64-bit), hashes BLOB with their length checked. */
static const char *const v1[] = {
    "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
    "applied_at INTEGER NOT NULL)",
    "CREATE TABLE enclaves (id INTEGER PRIMARY KEY, "
    "mrenclave BLOB NOT NULL CHECK (length(mrenclave) = 32), "
    "mrsigner BLOB NOT NULL CHECK (length(mrsigner) = 32), "
    "isvprodid INTEGER NOT NULL, isvsvn INTEGER NOT NULL, "
    "attributes BLOB NOT NULL CHECK (length(attributes) = 16), "
    "allow_debug_signer INTEGER NOT NULL, source TEXT NOT NULL, "
    "product TEXT, note TEXT, added_by TEXT NOT NULL, "
    "added_at INTEGER NOT NULL, revoked_at INTEGER, revoked_by TEXT)",
    "CREATE UNIQUE INDEX enclaves_active ON enclaves (mrenclave) "
    "WHERE revoked_at IS NULL",
    "CREATE TABLE signers (id INTEGER PRIMARY KEY, "
    "mrsigner BLOB NOT NULL CHECK (length(mrsigner) = 32), "
    "isvprodid INTEGER NOT NULL, min_isvsvn INTEGER NOT NULL, "
    "allow_debug_signer INTEGER NOT NULL, source TEXT NOT NULL, "
    "product TEXT, note TEXT, added_by TEXT NOT NULL, "
    "added_at INTEGER NOT NULL, revoked_at INTEGER, revoked_by TEXT)",
    "CREATE UNIQUE INDEX signers_active ON signers (mrsigner, isvprodid) "
    "WHERE revoked_at IS NULL",
    "CREATE TABLE denied (id INTEGER PRIMARY KEY, "
    "mrenclave BLOB NOT NULL CHECK (length(mrenclave) = 32), "
    "reason TEXT NOT NULL, source TEXT NOT NULL, product TEXT, note TEXT, "
    "added_by TEXT NOT NULL, added_at INTEGER NOT NULL, "
    "revoked_at INTEGER, revoked_by TEXT)",
    "CREATE UNIQUE INDEX denied_active ON denied (mrenclave) "
    "WHERE revoked_at IS NULL",
    "CREATE TABLE policies (version INTEGER PRIMARY KEY, "
    "document BLOB NOT NULL, "
    "sha256 BLOB NOT NULL CHECK (length(sha256) = 32), "
    "set_by TEXT NOT NULL, set_at INTEGER NOT NULL)",
    "CREATE TABLE audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, "
    "actor TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, "
    "prev_hash BLOB NOT NULL, hash BLOB NOT NULL)",
    "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "seq INTEGER NOT NULL, hash BLOB NOT NULL)",
    NULL};
/* Version 2: the collateral cache (sgxra_store_collateral_*). */
static const char *const v2[] = {
    "CREATE TABLE collateral_cache ("
    "fmspc BLOB NOT NULL CHECK (length(fmspc) = 6), "
    "ca TEXT NOT NULL CHECK (ca IN ('processor', 'platform')), "
    "update_type TEXT NOT NULL CHECK (update_type IN ('standard', 'early')), "
    "fetched_at INTEGER NOT NULL, next_update INTEGER NOT NULL, "
    "tcb_eval_num INTEGER NOT NULL, source TEXT NOT NULL, "
    "pck_crl_issuer_chain BLOB NOT NULL, root_ca_crl BLOB NOT NULL, "
    "pck_crl BLOB NOT NULL, tcb_info BLOB NOT NULL, "
    "tcb_info_issuer_chain BLOB NOT NULL, qe_identity BLOB NOT NULL, "
    "qe_identity_issuer_chain BLOB NOT NULL, root_ca BLOB, "
    "PRIMARY KEY (fmspc, ca, update_type))",
    "CREATE TABLE collateral_lease ("
    "fmspc BLOB NOT NULL CHECK (length(fmspc) = 6), "
    "ca TEXT NOT NULL, update_type TEXT NOT NULL, holder TEXT NOT NULL, "
    "expires_at INTEGER NOT NULL, PRIMARY KEY (fmspc, ca, update_type))",
    NULL};
/* Version 3: RA sessions, provisioned secrets, admin tokens
 * (sgxra_store_session_*, _secret_*, _token_*). */
static const char *const v3[] = {
    "CREATE TABLE ra_session (id TEXT PRIMARY KEY CHECK (length(id) = 32), "
    "state INTEGER NOT NULL, blob BLOB NOT NULL, created INTEGER NOT NULL, "
    "expires INTEGER NOT NULL)",
    "CREATE INDEX ra_session_expires ON ra_session (expires)",
    "CREATE TABLE provisioned_secret (id INTEGER PRIMARY KEY, "
    "binding TEXT NOT NULL UNIQUE, "
    "kind TEXT NOT NULL CHECK (kind IN ('mrenclave', 'signer')), "
    "mrenclave BLOB CHECK (mrenclave IS NULL OR length(mrenclave) = 32), "
    "mrsigner BLOB CHECK (mrsigner IS NULL OR length(mrsigner) = 32), "
    "isvprodid INTEGER, data BLOB NOT NULL, "
    "sha256 BLOB NOT NULL CHECK (length(sha256) = 32), "
    "size INTEGER NOT NULL, set_by TEXT NOT NULL, set_at INTEGER NOT NULL)",
    "CREATE TABLE admin_token (id INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL UNIQUE, "
    "sha256 BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32), "
    "created INTEGER NOT NULL, actor TEXT NOT NULL, "
    "revoked_at INTEGER, revoked_by TEXT)",
    NULL};
static const char *const *const migrations[] = {v1, v2, v3};
_Static_assert(SGXRA__ARRAY_LEN(migrations) == SGXRA_STORE_SCHEMA_VERSION,
               "one migration per schema version");

const sgxra__store_ops sgxra__sqlite_ops = {
    .name = "sqlite",
    .lock_clause = "",
    .sql_has_schema = "SELECT count(*) FROM sqlite_master "
                      "WHERE type = 'table' AND name = 'schema_version'",
    .migrations = migrations,
    .sql_migration_lock = NULL,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .query = sq_query,
    .set_busy_timeout = sq_busy,
    .close = sq_close,
};
