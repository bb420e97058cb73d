/* The PostgreSQL backend of the store (libpq).  Parameters and results
 * travel in binary: integers as big-endian int8, hashes as bytea, text as
 * UTF-8 bytes (client_encoding is set to UTF8), so nothing is re-encoded on
 * the way.  See sgxra/store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dl_pq.h"
#include "store/internal.h"

#define DEFAULT_BUSY_MS 30000

/* Type OIDs (PostgreSQL's pg_type.dat). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25

static PGconn *conn_of(sgxra_store *st) {
  return (PGconn *)st->db;
}

/* libpq messages end in a newline and may run over several lines; keep the
 * first line. */
static void first_line(const char *in, char *out, size_t cap) {
  snprintf(out, cap, "%s", in ? in : "");
  out[strcspn(out, "\n")] = '\0';
}

static sgxra_err fail_conn(sgxra_ctx *cx, sgxra_store *st, const char *doing) {
  char m[256];
  first_line(PQerrorMessage(conn_of(st)), m, sizeof(m));
  return sgxra__fail(cx, SGXRA_E_STORE_CONNECTION,
                     "database %s: connection to the server lost while %s "
                     "(%s); the next call reconnects; a write whose commit "
                     "was cut off may or may not be stored: check with a "
                     "lookup before retrying",
                     st->name, doing, m[0] ? m : "no reply");
}

/* Map a failed result to an sgxra code by SQLSTATE. */
static sgxra_err fail_res(sgxra_ctx *cx, sgxra_store *st, const PGresult *r,
                          const char *doing) {
  if (PQstatus(conn_of(st)) != CONNECTION_OK) return fail_conn(cx, st, doing);
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  char m[256];
  first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_of(st)), m,
             sizeof(m));
  if (!state) state = "";
  if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
      strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
    return fail_conn(cx, st, doing);
  if (strcmp(state, "23505") == 0)
    return sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE, "database %s: %s: %s",
                       st->name, doing, m);
  if (strcmp(state, "25006") == 0)
    return sgxra__fail(cx, SGXRA_E_STORE_READ_ONLY,
                       "database %s is read-only (%s while %s): connect to "
                       "the primary or point --db elsewhere",
                       st->name, m, doing);
  if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 ||
      strcmp(state, "40001") == 0 || strcmp(state, "57014") == 0)
    return sgxra__fail(cx, SGXRA_E_STORE_BUSY,
                       "database %s: %s: %s (lock wait over %d ms); retry, "
                       "or raise the busy timeout",
                       st->name, doing, m, st->busy_ms);
  return sgxra__fail(cx, SGXRA_E_STORE_DB, "database %s: %s: %s [SQLSTATE %s]",
                     st->name, doing, m, state);
}

static int64_t be_int(const uint8_t *p, int n) {
  uint64_t v = (n > 0 && (p[0] & 0x80)) ? UINT64_MAX : 0; /* sign-extend */
  for (int i = 0; i < n; i++) v = (v << 8) | p[i];
  return (int64_t)v;
}

static sgxra_err pg_query(sgxra_ctx *cx, sgxra_store *st, const char *sql,
                          const sgxra__val *params, size_t nparams,
                          sgxra__res *out) {
  if (out) memset(out, 0, sizeof(*out));
  enum { MAXP = 16 };
  if (nparams > MAXP)
    return sgxra__fail(cx, SGXRA_E_INTERNAL, "store: %zu parameters", nparams);
  /* Zeroed: a query without parameters passes them untouched. */
  Oid types[MAXP] = {0};
  const char *values[MAXP] = {0};
  int lengths[MAXP] = {0}, formats[MAXP] = {0};
  uint8_t ints[MAXP][8];
  for (size_t i = 0; i < nparams; i++) {
    const sgxra__val *v = &params[i];
    formats[i] = 1;
    switch (v->t) {
    case SGXRA__INT:
      types[i] = OID_INT8;
      for (int b = 0; b < 8; b++)
        ints[i][b] = (uint8_t)((uint64_t)v->i >> (56 - 8 * b));
      values[i] = (const char *)ints[i];
      lengths[i] = 8;
      break;
    case SGXRA__BLOB:
    case SGXRA__TEXT:
      types[i] = v->t == SGXRA__BLOB ? OID_BYTEA : OID_TEXT;
      values[i] = v->p ? (const char *)v->p : "";
      lengths[i] = (int)v->n;
      break;
    default:
      types[i] = 0;
      values[i] = NULL;
      lengths[i] = 0;
    }
  }
  PGresult *r = PQexecParams(conn_of(st), sql, (int)nparams, types, values,
                             lengths, formats, 1);
  ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    sgxra_err e = fail_res(cx, st, r, "running a statement");
    PQclear(r);
    return e;
  }
  sgxra_err e = SGXRA_OK;
  if (out && s == PGRES_TUPLES_OK) {
    int rows = PQntuples(r), cols = PQnfields(r);
    sgxra__val cells[32];
    if (cols > (int)SGXRA__ARRAY_LEN(cells)) {
      PQclear(r);
      return sgxra__fail(cx, SGXRA_E_INTERNAL, "store: %d columns", cols);
    }
    for (int row = 0; row < rows && !e; row++) {
      for (int c = 0; c < cols; c++) {
        sgxra__val *v = &cells[c];
        memset(v, 0, sizeof(*v));
        if (PQgetisnull(r, row, c)) continue;
        const uint8_t *p = (const uint8_t *)PQgetvalue(r, row, c);
        int n = PQgetlength(r, row, c);
        switch (PQftype(r, c)) {
        case OID_INT8:
        case OID_INT4:
        case OID_INT2:
        case OID_BOOL:
          v->t = SGXRA__INT;
          v->i = be_int(p, n);
          break;
        case OID_BYTEA:
          v->t = SGXRA__BLOB;
          v->p = p;
          v->n = (size_t)n;
          break;
        default: /* text, name, varchar: UTF-8 bytes */
          v->t = SGXRA__TEXT;
          v->p = p;
          v->n = (size_t)n;
        }
      }
      e = sgxra__res_add_row(cx, out, (size_t)cols, cells);
    }
  }
  PQclear(r);
  if (e && out) sgxra__res_free(out);
  return e;
}

static sgxra_err pg_set_timeout(sgxra_ctx *cx, sgxra_store *st, int ms) {
  char sql[64];
  /* lock_timeout bounds the wait for the chain head row (another writer):
   * the same wait as SQLite's busy timeout. */
  snprintf(sql, sizeof(sql), "SET lock_timeout = %d", ms);
  sgxra_err e = pg_query(cx, st, sql, NULL, 0, NULL);
  if (!e) st->busy_ms = ms;
  return e;
}

static sgxra_err pg_begin(sgxra_ctx *cx, sgxra_store *st, sgxra__tx tx) {
  if (PQstatus(conn_of(st)) != CONNECTION_OK) {
    /* Lost earlier (server restart, failover): reconnect once, here,
     * between transactions, where nothing can be half-done. */
    PQreset(conn_of(st));
    if (PQstatus(conn_of(st)) != CONNECTION_OK)
      return fail_conn(cx, st, "reconnecting");
    if (PQsetClientEncoding(conn_of(st), "UTF8") != 0)
      return fail_conn(cx, st, "setting client_encoding");
    sgxra_err e = pg_set_timeout(cx, st, st->busy_ms);
    if (e) return e;
  }
  /* Readers get one snapshot for the whole transaction (the audit verify
   * reads the chain in pages); writers run at READ COMMITTED and are
   * serialised by the chain-head row lock. */
  return pg_query(cx, st,
                  tx == SGXRA__TX_WRITE
                      ? "BEGIN"
                      : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                  NULL, 0, NULL);
}

static sgxra_err pg_commit(sgxra_ctx *cx, sgxra_store *st) {
  return pg_query(cx, st, "COMMIT", NULL, 0, NULL);
}

static void pg_rollback(sgxra_store *st) {
  if (PQstatus(conn_of(st)) != CONNECTION_OK) return;
  PQclear(PQexec(conn_of(st), "ROLLBACK"));
}

static void pg_close(sgxra_store *st) {
  PQfinish(conn_of(st));
  st->db = NULL;
}

sgxra_err sgxra__pg_open(sgxra_ctx *cx, sgxra_store *st, const char *conninfo) {
  sgxra_err le = sgxra__pq_load(cx);
  if (le) return le;
  PGconn *c = PQconnectdb(conninfo);
  st->db = c;
  st->busy_ms = DEFAULT_BUSY_MS;
  if (!c) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "libpq: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    char m[256];
    first_line(PQerrorMessage(c), m, sizeof(m));
    return sgxra__fail(cx, SGXRA_E_STORE_OPEN,
                       "cannot connect to database %s: %s: check that the "
                       "server runs and the URL names the right host, port, "
                       "database and user",
                       st->name, m);
  }
  if (PQsetClientEncoding(c, "UTF8") != 0) {
    return sgxra__fail(cx, SGXRA_E_STORE_OPEN,
                       "database %s: cannot set client_encoding UTF8",
                       st->name);
  }
  return pg_set_timeout(cx, st, DEFAULT_BUSY_MS);
}

/* ---- schema: the same tables as sqlite.c, in PostgreSQL's types ----------
 */
static const char *const v1[] = {
    "CREATE TABLE schema_version (version BIGINT PRIMARY KEY, "
    "applied_at BIGINT NOT NULL)",
    "CREATE TABLE enclaves (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
    "PRIMARY KEY, "
    "mrenclave BYTEA NOT NULL CHECK (length(mrenclave) = 32), "
    "mrsigner BYTEA NOT NULL CHECK (length(mrsigner) = 32), "
    "isvprodid BIGINT NOT NULL, isvsvn BIGINT NOT NULL, "
    "attributes BYTEA NOT NULL CHECK (length(attributes) = 16), "
    "allow_debug_signer BIGINT NOT NULL, source TEXT NOT NULL, "
    "product TEXT, note TEXT, added_by TEXT NOT NULL, "
    "added_at BIGINT NOT NULL, revoked_at BIGINT, revoked_by TEXT)",
    "CREATE UNIQUE INDEX enclaves_active ON enclaves (mrenclave) "
    "WHERE revoked_at IS NULL",
    "CREATE TABLE signers (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
    "PRIMARY KEY, "
    "mrsigner BYTEA NOT NULL CHECK (length(mrsigner) = 32), "
    "isvprodid BIGINT NOT NULL, min_isvsvn BIGINT NOT NULL, "
    "allow_debug_signer BIGINT NOT NULL, source TEXT NOT NULL, "
    "product TEXT, note TEXT, added_by TEXT NOT NULL, "
    "added_at BIGINT NOT NULL, revoked_at BIGINT, revoked_by TEXT)",
    "CREATE UNIQUE INDEX signers_active ON signers (mrsigner, isvprodid) "
    "WHERE revoked_at IS NULL",
    "CREATE TABLE denied (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
    "PRIMARY KEY, "
    "mrenclave BYTEA NOT NULL CHECK (length(mrenclave) = 32), "
    "reason TEXT NOT NULL, source TEXT NOT NULL, product TEXT, note TEXT, "
    "added_by TEXT NOT NULL, added_at BIGINT NOT NULL, "
    "revoked_at BIGINT, revoked_by TEXT)",
    "CREATE UNIQUE INDEX denied_active ON denied (mrenclave) "
    "WHERE revoked_at IS NULL",
    "CREATE TABLE policies (version BIGINT PRIMARY KEY, "
    "document BYTEA NOT NULL, "
    "sha256 BYTEA NOT NULL CHECK (length(sha256) = 32), "
    "set_by TEXT NOT NULL, set_at BIGINT NOT NULL)",
    "CREATE TABLE audit (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, "
    "actor TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, "
    "prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL)",
    "CREATE TABLE audit_head (id BIGINT PRIMARY KEY CHECK (id = 1), "
    "seq BIGINT NOT NULL, hash BYTEA NOT NULL)",
    NULL};
/* Version 2: the collateral cache (sgxra_store_collateral_*). */
static const char *const v2[] = {
    "CREATE TABLE collateral_cache ("
    "fmspc BYTEA NOT NULL CHECK (length(fmspc) = 6), "
    "ca TEXT COLLATE \"C\" NOT NULL CHECK (ca IN ('processor', 'platform')), "
    "update_type TEXT COLLATE \"C\" NOT NULL CHECK (update_type IN "
    "('standard', 'early')), "
    "fetched_at BIGINT NOT NULL, next_update BIGINT NOT NULL, "
    "tcb_eval_num BIGINT NOT NULL, source TEXT NOT NULL, "
    "pck_crl_issuer_chain BYTEA NOT NULL, root_ca_crl BYTEA NOT NULL, "
    "pck_crl BYTEA NOT NULL, tcb_info BYTEA NOT NULL, "
    "tcb_info_issuer_chain BYTEA NOT NULL, qe_identity BYTEA NOT NULL, "
    "qe_identity_issuer_chain BYTEA NOT NULL, root_ca BYTEA, "
    "PRIMARY KEY (fmspc, ca, update_type))",
    "CREATE TABLE collateral_lease ("
    "fmspc BYTEA NOT NULL CHECK (length(fmspc) = 6), "
    "ca TEXT NOT NULL, update_type TEXT NOT NULL, holder TEXT NOT NULL, "
    "expires_at BIGINT NOT NULL, PRIMARY KEY (fmspc, ca, update_type))",
    NULL};
/* Version 3: RA sessions, provisioned secrets, admin tokens
 * (sgxra_store_session_*, _secret_*, _token_*). */
static const char *const v3[] = {
    "CREATE TABLE ra_session (id TEXT COLLATE \"C\" PRIMARY KEY "
    "CHECK (length(id) = 32), "
    "state BIGINT NOT NULL, blob BYTEA NOT NULL, created BIGINT NOT NULL, "
    "expires BIGINT NOT NULL)",
    "CREATE INDEX ra_session_expires ON ra_session (expires)",
    "CREATE TABLE provisioned_secret (id BIGINT GENERATED BY DEFAULT AS "
    "IDENTITY PRIMARY KEY, "
    "binding TEXT COLLATE \"C\" NOT NULL UNIQUE, "
    "kind TEXT NOT NULL CHECK (kind IN ('mrenclave', 'signer')), "
    "mrenclave BYTEA CHECK (mrenclave IS NULL OR length(mrenclave) = 32), "
    "mrsigner BYTEA CHECK (mrsigner IS NULL OR length(mrsigner) = 32), "
    "isvprodid BIGINT, data BYTEA NOT NULL, "
    "sha256 BYTEA NOT NULL CHECK (length(sha256) = 32), "
    "size BIGINT NOT NULL, set_by TEXT NOT NULL, set_at BIGINT NOT NULL)",
    "CREATE TABLE admin_token (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
    "PRIMARY KEY, "
    "name TEXT COLLATE \"C\" NOT NULL UNIQUE, "
    "sha256 BYTEA NOT NULL UNIQUE CHECK (length(sha256) = 32), "
    "created BIGINT NOT NULL, actor TEXT NOT NULL, "
    "revoked_at BIGINT, revoked_by TEXT)",
    NULL};
static const char *const *const migrations[] = {v1, v2, v3};
_Static_assert(SGXRA__ARRAY_LEN(migrations) == SGXRA_STORE_SCHEMA_VERSION,
               "one migration per schema version");

const sgxra__store_ops sgxra__pg_ops = {
    .name = "postgresql",
    .lock_clause = " FOR UPDATE",
    .sql_has_schema = "SELECT count(*) FROM information_schema.tables "
                      "WHERE table_schema = current_schema() "
                      "AND table_name = 'schema_version'",
    .migrations = migrations,
    /* Any constant: the key of sgxra's schema migrations ("sgxr"). */
    .sql_migration_lock = "SELECT pg_advisory_xact_lock(1936160882)",
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .query = pg_query,
    .set_busy_timeout = pg_set_timeout,
    .close = pg_close,
};
