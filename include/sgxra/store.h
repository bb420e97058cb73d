/*
 * sgxra/store.h -- the service provider's registry of trusted enclaves:
 * reference values, the deny list, appraisal policies and a tamper-evident
 * audit log, in SQLite (one machine) or PostgreSQL (replicas sharing one
 * registry).  The model and the schema: docs/STORE.md.
 *
 * Databases, chosen by URL:
 *
 *   sqlite:PATH            the embedded default; the file is created when
 *                          missing.  WAL journal, synchronous=FULL (a write
 *                          that returned SGXRA_OK survives kill -9 and power
 *                          loss), writers take the lock up front (BEGIN
 *                          IMMEDIATE) and wait up to the busy timeout.
 *   sqlite:PATH?mode=ro    read-only: lookups, lists, audit verify; writes
 *                          fail with SGXRA_E_STORE_READ_ONLY.  PATH may not
 *                          contain '?'.
 *   postgresql://...       PostgreSQL via libpq (also postgres://...), any
 *   postgres://...         libpq URI: postgresql:///sgxra?host=/run/pg
 *                          (Unix socket) or postgresql://u:pw@h:5432/sgxra.
 *   KEY=VALUE ...          a libpq key=value conninfo string, e.g.
 *                          "host=/run/pg dbname=sgxra user=sp".
 *
 * Opening creates the schema or migrates an older one forward, in one
 * transaction (concurrent openers wait for each other); a schema newer than
 * this build is refused (SGXRA_E_STORE_SCHEMA_NEWER), never downgraded.
 *
 * Every registry write (add, revoke, policy set, audit append, secret
 * set/delete, token add/revoke) is one transaction that also appends its
 * audit row: either both are stored or neither is.  (Collateral cache and
 * RA session writes, below, append none.)
 * Writes are serialised across processes on both backends (SQLite: the
 * write lock; PostgreSQL: the audit chain head row, locked FOR UPDATE), so
 * the audit chain is a single line whatever the number of writers.
 *
 * The audit chain (hash of row seq, all integers little-endian):
 *
 *   hash[seq] = SHA-256( prev_hash (32)        hash[seq-1]; 32 zero bytes
 *                                              for seq 1
 *                      || seq      u64 LE (8)  1, 2, 3, ... without gaps
 *                      || at       i64 LE (8)  unix seconds, as given
 *                      || len(actor)   u32 LE || actor bytes
 *                      || len(kind)    u32 LE || kind bytes
 *                      || len(payload) u32 LE || payload bytes )
 *
 * (strings without a terminating NUL).  The chain head (last seq and its
 * hash) is kept in its own row, so deleting rows at the end is detected too;
 * publish sgxra_store_audit_check.head_hash elsewhere to detect a rewrite of
 * the whole tail including the head.
 *
 * Lookups for the appraisal return SGXRA_OK and *out_found = 0/1: "not
 * registered" is an answer, not an error, and a database failure is never
 * mistaken for either.  Revoked entries never match; denied MRENCLAVEs are
 * reported by sgxra_store_deny_check, which the appraisal consults first.
 *
 * Memory: records are fixed-size and caller-owned; lists, policy documents,
 * audit rows, session blobs and secret bytes are single allocations
 * released with sgxra_store_free().
 *
 * Thread-safety: a store handle may be used by one thread at a time (open
 * one per thread); any number of processes and threads may have the same
 * database open at once.  The library never reads the clock: every write
 * takes `now` (unix seconds) and the actor (who asked) to record.
 */
#ifndef SGXRA_STORE_H
#define SGXRA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/collateral.h"
#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema this build writes and reads (docs/STORE.md lists each). */
#define SGXRA_STORE_SCHEMA_VERSION 3

/* Text caps in bytes (UTF-8, without the NUL that the arrays below add). */
#define SGXRA_STORE_ACTOR_MAX 128
#define SGXRA_STORE_PRODUCT_MAX 128
#define SGXRA_STORE_NOTE_MAX 512
#define SGXRA_STORE_KIND_MAX 32
/* Policy documents and audit payloads. */
#define SGXRA_STORE_DOC_MAX (1024 * 1024)
/* The longest list one call returns. */
#define SGXRA_STORE_LIST_MAX 10000

typedef struct sgxra_store sgxra_store;

/* How a reference value arrived; stored as the text in brackets. */
typedef enum sgxra_store_source {
  SGXRA_STORE_SOURCE_SIGSTRUCT = 1, /* "sigstruct": the ISV's SIGSTRUCT */
  SGXRA_STORE_SOURCE_ENCLAVE = 2,   /* "enclave": the image, measured */
  SGXRA_STORE_SOURCE_HEX = 3        /* "hex": typed in by an administrator */
} sgxra_store_source;

/* The registry's three tables, for revoke and get. */
typedef enum sgxra_store_table {
  SGXRA_STORE_ENCLAVES = 1,
  SGXRA_STORE_SIGNERS = 2,
  SGXRA_STORE_DENIED = 3
} sgxra_store_table;

/* Who added a row, when, how; who revoked it and when.  Filled by the store
 * on read; on add only source, product and note are taken from it. */
typedef struct sgxra_store_meta {
  int64_t id; /* assigned by the store, > 0 */
  sgxra_store_source source;
  char product[SGXRA_STORE_PRODUCT_MAX + 1]; /* "" when none */
  char note[SGXRA_STORE_NOTE_MAX + 1];       /* "" when none */
  char added_by[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t added_at;
  int revoked; /* 1 when revoked: the row no longer matches */
  char revoked_by[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t revoked_at;
} sgxra_store_meta;

/* Trust by exact identity.  At most one non-revoked entry per MRENCLAVE. */
typedef struct sgxra_store_enclave {
  uint8_t mrenclave[SGXRA_HASH_SIZE];
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  uint16_t isvprodid;
  uint16_t isvsvn;
  sgxra_attributes attributes; /* flags and xfrm as registered */
  int allow_debug_signer;      /* 1: a well-known debug key may sign it */
  sgxra_store_meta meta;
} sgxra_store_enclave;

/* Trust by signer (opt-in per signer): any enclave signed by MRSIGNER with
 * ISVPRODID and ISVSVN >= min_isvsvn.  At most one non-revoked entry per
 * (MRSIGNER, ISVPRODID). */
typedef struct sgxra_store_signer {
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  uint16_t isvprodid;
  uint16_t min_isvsvn;
  int allow_debug_signer;
  sgxra_store_meta meta;
} sgxra_store_signer;

/* A denied MRENCLAVE: refused whatever else matches.  At most one
 * non-revoked entry per MRENCLAVE; revoking it lifts the denial. */
typedef struct sgxra_store_deny {
  uint8_t mrenclave[SGXRA_HASH_SIZE];
  char reason[SGXRA_STORE_NOTE_MAX + 1]; /* required, non-empty */
  sgxra_store_meta meta;
} sgxra_store_deny;

/* One stored policy version (the document itself comes separately). */
typedef struct sgxra_store_policy_info {
  int64_t version;                   /* 1, 2, ...: assigned by the store */
  uint8_t sha256[SGXRA_SHA256_SIZE]; /* of the exact stored bytes */
  char set_by[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t set_at;
  size_t size; /* document length in bytes */
} sgxra_store_policy_info;

/* One audit row.  `payload` points into the same allocation as the row
 * array and is NUL-terminated after payload_len bytes. */
typedef struct sgxra_store_audit_row {
  int64_t seq;
  int64_t at;
  char actor[SGXRA_STORE_ACTOR_MAX + 1];
  char kind[SGXRA_STORE_KIND_MAX + 1];
  const char *payload; /* JSON text */
  size_t payload_len;
  uint8_t prev_hash[SGXRA_SHA256_SIZE];
  uint8_t hash[SGXRA_SHA256_SIZE];
} sgxra_store_audit_row;

/* What sgxra_store_audit_verify found. */
typedef struct sgxra_store_audit_check {
  int64_t rows;     /* rows read */
  int64_t head_seq; /* the chain head: last seq written */
  uint8_t head_hash[SGXRA_SHA256_SIZE];
  int64_t first_bad_seq; /* 0 when the chain is intact */
} sgxra_store_audit_check;

/* ---- opening ------------------------------------------------------------ */

/* Open (creating or migrating the schema; `now` is recorded as the
 * migration time).  Errors: SGXRA_E_STORE_URL (unknown scheme, empty path,
 * bad ?mode=), _OPEN (cannot create the file, server unreachable,
 * authentication or database name refused), _NOT_DATABASE, _READ_ONLY (a
 * write-protected file opened for writing, or a read-only database whose
 * schema needs migrating), _SCHEMA_NEWER, _BUSY, _DB; SGXRA_E_LIBRARY_MISSING
 * for a PostgreSQL URL when libpq.so.5 (opened on first use) is not
 * installed.  *out is NULL on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_open(sgxra_ctx *cx,
                                                      const char *url,
                                                      int64_t now,
                                                      sgxra_store **out);

/* Close (NULL is accepted).  An open transaction cannot exist between
 * calls, so nothing is lost. */
SGXRA_API void sgxra_store_close(sgxra_store *st);

/* The database as messages name it: the URL with any password replaced by
 * "***".  Valid until sgxra_store_close. */
SGXRA_API const char *sgxra_store_name(const sgxra_store *st);

/* "sqlite" or "postgresql". */
SGXRA_API const char *sgxra_store_backend(const sgxra_store *st);

/* SQLite: how long a writer waits for another writer's lock before
 * SGXRA_E_STORE_BUSY (default 30000 ms).  PostgreSQL: lock_timeout for the
 * same wait.  0 < ms <= 3600000. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_set_busy_timeout(sgxra_ctx *cx, sgxra_store *st, int ms);

/* Release what the store allocated for a caller (lists, documents); NULL is
 * accepted. */
SGXRA_API void sgxra_store_free(void *p);

/* ---- the registry -----------------------------------------------------------
 *
 * Writes take the actor (1..SGXRA_STORE_ACTOR_MAX bytes of UTF-8: a user
 * name, "sp-replica-2") and the time.  Errors common to all writes:
 * SGXRA_E_INVALID_ARGUMENT (NULL, empty actor, text too long or not UTF-8,
 * unknown source), _STORE_READ_ONLY, _STORE_BUSY, _STORE_CONNECTION,
 * _STORE_DB.  *out_id is 0 on error. */

/* Register an enclave.  SGXRA_E_STORE_DUPLICATE when a non-revoked entry
 * has the same MRENCLAVE (revoke it first to replace it).  e->meta gives
 * source, product, note; its other fields are ignored. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_enclave_add(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_enclave *e,
    const char *actor, int64_t now, int64_t *out_id);

/* Trust a signer for one ISVPRODID from min_isvsvn on.
 * SGXRA_E_STORE_DUPLICATE when a non-revoked entry has the same MRSIGNER and
 * ISVPRODID. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_signer_add(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_signer *s,
    const char *actor, int64_t now, int64_t *out_id);

/* Deny an MRENCLAVE (d->reason required).  SGXRA_E_STORE_DUPLICATE when it
 * is denied already. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_deny_add(sgxra_ctx *cx, sgxra_store *st, const sgxra_store_deny *d,
                     const char *actor, int64_t now, int64_t *out_id);

/* Revoke entry `id` of `table`: it stops matching from the next lookup on.
 * SGXRA_E_STORE_NOT_FOUND when there is no such id or it is revoked
 * already (the message says which, and when and by whom). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_revoke(sgxra_ctx *cx, sgxra_store *st, sgxra_store_table table,
                   int64_t id, const char *actor, int64_t now);

/* Lookups for the appraisal: the non-revoked entry, *out_found = 1, or
 * *out_found = 0 and *out zeroed.  Errors only for database failures. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_enclave_find(
    sgxra_ctx *cx, sgxra_store *st, const uint8_t mrenclave[SGXRA_HASH_SIZE],
    int *out_found, sgxra_store_enclave *out);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_signer_find(
    sgxra_ctx *cx, sgxra_store *st, const uint8_t mrsigner[SGXRA_HASH_SIZE],
    uint16_t isvprodid, int *out_found, sgxra_store_signer *out);
/* *out_denied = 1 and *out (may be NULL) the deny entry when MRENCLAVE is
 * denied. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_deny_check(
    sgxra_ctx *cx, sgxra_store *st, const uint8_t mrenclave[SGXRA_HASH_SIZE],
    int *out_denied, sgxra_store_deny *out);

/* Show one entry by id, revoked or not.  SGXRA_E_STORE_NOT_FOUND. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_enclave_get(
    sgxra_ctx *cx, sgxra_store *st, int64_t id, sgxra_store_enclave *out);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_signer_get(
    sgxra_ctx *cx, sgxra_store *st, int64_t id, sgxra_store_signer *out);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_deny_get(
    sgxra_ctx *cx, sgxra_store *st, int64_t id, sgxra_store_deny *out);

/* List entries with id > after_id in id order, at most `limit` (1..
 * SGXRA_STORE_LIST_MAX); revoked ones only when include_revoked.  Page with
 * after_id = the last id returned.  *out (free with sgxra_store_free) is
 * NULL when *out_n is 0. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_enclave_list(
    sgxra_ctx *cx, sgxra_store *st, int64_t after_id, size_t limit,
    int include_revoked, sgxra_store_enclave **out, size_t *out_n);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_signer_list(
    sgxra_ctx *cx, sgxra_store *st, int64_t after_id, size_t limit,
    int include_revoked, sgxra_store_signer **out, size_t *out_n);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_deny_list(
    sgxra_ctx *cx, sgxra_store *st, int64_t after_id, size_t limit,
    int include_revoked, sgxra_store_deny **out, size_t *out_n);

/* ---- policies -------------------------------------------------------------
 *
 * A policy is a JSON object (its schema belongs to the appraisal; the store
 * checks only that it is one), stored byte for byte.  The current policy is
 * the highest version. */

/* Store a new version.  SGXRA_E_JSON when doc is not a JSON object;
 * SGXRA_E_TOO_LARGE above SGXRA_STORE_DOC_MAX. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_policy_set(
    sgxra_ctx *cx, sgxra_store *st, const char *doc, size_t doc_len,
    const char *actor, int64_t now, sgxra_store_policy_info *out);

/* Version `version`, or the current one when 0: its info and, when out_doc
 * is not NULL, its exact bytes (NUL-terminated after out_info->size bytes;
 * free with sgxra_store_free).  SGXRA_E_STORE_NOT_FOUND when no such
 * version (or no policy at all). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_policy_get(sgxra_ctx *cx, sgxra_store *st, int64_t version,
                       sgxra_store_policy_info *out_info, char **out_doc);

/* Every version, oldest first.  *out NULL when none. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_policy_history(sgxra_ctx *cx, sgxra_store *st,
                           sgxra_store_policy_info **out, size_t *out_n);

/* ---- the audit log ----------------------------------------------------------
 *
 * Kinds the store writes itself: "enclave.add", "signer.add", "deny.add",
 * "revoke", "policy.set", "secret.set", "secret.delete", "token.add",
 * "token.revoke"; each payload is a compact JSON object naming the
 * row (docs/STORE.md).  Callers append their own, e.g. "decision". */

/* Append a row.  kind: 1..SGXRA_STORE_KIND_MAX of [a-z0-9._-], not one of
 * the store's own kinds; payload: a JSON value (SGXRA_E_JSON otherwise).
 * *out_seq is the row's seq. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_audit_append(
    sgxra_ctx *cx, sgxra_store *st, const char *kind, const char *payload,
    size_t payload_len, const char *actor, int64_t now, int64_t *out_seq);

/* Rows with seq > after_seq in seq order, at most `limit` (1..
 * SGXRA_STORE_LIST_MAX).  One allocation: free *out with sgxra_store_free. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_audit_list(
    sgxra_ctx *cx, sgxra_store *st, int64_t after_seq, size_t limit,
    sgxra_store_audit_row **out, size_t *out_n);

/* Recompute the whole chain in one consistent snapshot.  SGXRA_OK when
 * every row links to the one before and the last is the chain head;
 * SGXRA_E_STORE_AUDIT_BROKEN otherwise, with out->first_bad_seq the first
 * seq at which it fails and the message saying how ("row 7: stored hash
 * 3f1c... differs from the recomputed 9a02...: the row was changed";
 * "row 4 is missing: row 5 follows row 3"; "rows 9..12 are missing: the
 * chain head records 12").  *out is filled in both cases (zeroed on other
 * errors). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_audit_verify(
    sgxra_ctx *cx, sgxra_store *st, sgxra_store_audit_check *out);

/* The hash of one audit row, exactly as above (for external verifiers). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_audit_hash(
    sgxra_ctx *cx, const uint8_t prev_hash[SGXRA_SHA256_SIZE], int64_t seq,
    int64_t at, const char *actor, const char *kind, const char *payload,
    size_t payload_len, uint8_t out[SGXRA_SHA256_SIZE]);

/* ---- the collateral cache -------------------------------------------------
 *
 * Intel collateral fetched from a PCS or PCCS (or imported from a bundle
 * directory), kept by key (FMSPC, PCK CA type, update type) so that
 * verifiers on one machine, or replicas sharing one PostgreSQL database,
 * fetch each key once.  The store keeps bytes and dates; it does not parse
 * or verify the items: the caller (src/net's collateral client, `sgxra
 * collateral import`) validates collateral before putting it and again
 * after getting it.  Cache writes are not registry writes: no audit row.
 *
 * Single flight across processes: before fetching a key, a client claims
 * it (a lease row with a holder name and an expiry); one claimant wins, the
 * others wait for the winner's put (or the lease to expire) instead of
 * fetching too.
 */

#define SGXRA_STORE_COLLATERAL_SOURCE_MAX 512
#define SGXRA_STORE_COLLATERAL_HOLDER_MAX 128

typedef struct sgxra_store_collateral_key {
  uint8_t fmspc[6];
  char ca[16];     /* "processor" or "platform" */
  char update[16]; /* "standard" or "early" */
} sgxra_store_collateral_key;

typedef struct sgxra_store_collateral {
  sgxra_store_collateral_key key;
  int64_t fetched_at;    /* unix seconds: when the items were fetched */
  int64_t next_update;   /* earliest nextUpdate of TCB Info, QE Identity and
                            the two CRLs (unix seconds) */
  uint32_t tcb_eval_num; /* TCB Info's tcbEvaluationDataNumber */
  char source[SGXRA_STORE_COLLATERAL_SOURCE_MAX + 1]; /* URL, "import:DIR" */
  /* The items, as a bundle directory holds them (root_ca optional).  On
   * put: read, copied.  On get: point into the same allocation as the
   * record.  In lists: all NULL/0 (metadata only). */
  sgxra_collateral_buffers items;
} sgxra_store_collateral;

/* Insert or replace the entry of c->key.  Every item but root_ca must be
 * non-empty (SGXRA_E_INVALID_ARGUMENT naming it) and at most
 * SGXRA_STORE_DOC_MAX bytes (SGXRA_E_TOO_LARGE); ca and update must be one of
 * the words above; source 1..SGXRA_STORE_COLLATERAL_SOURCE_MAX bytes of
 * UTF-8.  SGXRA_E_STORE_READ_ONLY on a read-only store. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_collateral_put(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_collateral *c);

/* The entry of `key`: SGXRA_OK and *out_found = 0 (and *out = NULL) when
 * there is none.  *out is one allocation: sgxra_store_free(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_collateral_get(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_collateral_key *key,
    sgxra_store_collateral **out, int *out_found);

/* Every entry, metadata only, ordered by FMSPC, CA, update type (at most
 * SGXRA_STORE_LIST_MAX).  *out is one allocation: sgxra_store_free(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_collateral_list(sgxra_ctx *cx, sgxra_store *st,
                            sgxra_store_collateral **out, size_t *out_n);

/* Remove the entry of `key`; *out_deleted = 0 when there was none. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_collateral_delete(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_collateral_key *key,
    int *out_deleted);

/* Claim the right to fetch `key` until now + lease_seconds: *out_claimed = 1
 * when there was no lease, it had expired (expiry <= now), or `holder`
 * already held it (the lease is then extended); 0 when another holder's
 * lease is live.  Atomic across processes on both backends: one statement
 * (INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING), under the
 * write lock on SQLite, under the row lock on PostgreSQL.  holder: 1..
 * SGXRA_STORE_COLLATERAL_HOLDER_MAX bytes of UTF-8 (e.g. "host:pid");
 * lease_seconds > 0.  The lease is independent of the entry: put does not
 * release it. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_collateral_claim(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_collateral_key *key,
    const char *holder, int64_t now, int64_t lease_seconds, int *out_claimed);

/* Drop `holder`'s lease on `key` (nothing when another holder has it, or
 * none does). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_collateral_release(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_collateral_key *key,
    const char *holder);

/* ---- RA sessions (schema v3) ------------------------------------------------
 *
 * The service provider's remote-attestation sessions, shared by every
 * replica that opens the same database: a row per session id with the
 * protocol state (a small integer the caller defines; the store compares it,
 * it does not interpret it), the sealed session blob (opaque: the RA library
 * seals and authenticates it, the store keeps bytes), the creation time and
 * the expiry.  Session writes append no audit row and do not queue on the
 * audit chain head (like the collateral cache).
 *
 * The id is exactly SGXRA_STORE_SESSION_ID_LEN lowercase hex characters
 * [0-9a-f] (NUL-terminated); anything else is SGXRA_E_INVALID_ARGUMENT on
 * every call below (check an id taken from a URL with
 * sgxra_store_session_id_valid first to answer "unknown session" instead).
 *
 * sgxra_store_session_advance is the one compare-and-set that orders a
 * session across replicas: one UPDATE ... WHERE id = $ AND state = $from AND
 * expires > $now, atomic on both backends (SQLite's write lock, PostgreSQL's
 * row lock with READ COMMITTED re-check), so of two advances from the same
 * state, on one handle or on two handles in different processes or threads,
 * exactly one succeeds and the other reports *out_advanced = 0.  That is
 * what refuses a replayed msg3 on another replica.
 */

#define SGXRA_STORE_SESSION_ID_LEN 32
/* The largest session blob (bytes). */
#define SGXRA_STORE_SESSION_BLOB_MAX (64 * 1024)

/* 1 when id is exactly SGXRA_STORE_SESSION_ID_LEN characters of [0-9a-f]
 * followed by its NUL; 0 otherwise (NULL too). */
SGXRA_API int sgxra_store_session_id_valid(const char *id);

/* Insert a new session: state, blob (1..SGXRA_STORE_SESSION_BLOB_MAX bytes,
 * copied), created = now, expires (unix seconds, > now).
 * SGXRA_E_STORE_DUPLICATE when the id exists (expired or not: purge first);
 * SGXRA_E_INVALID_ARGUMENT (bad id, NULL/empty blob, expires <= now);
 * SGXRA_E_TOO_LARGE (blob); _STORE_READ_ONLY, _STORE_BUSY,
 * _STORE_CONNECTION, _STORE_DB. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_session_put(
    sgxra_ctx *cx, sgxra_store *st, const char *id, int state,
    const uint8_t *blob, size_t blob_len, int64_t now, int64_t expires);

/* Read a session whatever its expiry (the caller compares *out_expires with
 * its clock, to tell "expired" from "unknown").  SGXRA_OK and *out_found = 0
 * (other outputs zeroed/NULL) when there is no such id.  Each output other
 * than out_found may be NULL when not wanted.  *out_blob is malloc'ed: free
 * it with sgxra_store_free (it is a sealed blob; wiping is not needed). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_session_get(sgxra_ctx *cx, sgxra_store *st, const char *id,
                        int *out_found, int *out_state, uint8_t **out_blob,
                        size_t *out_blob_len, int64_t *out_expires);

/* Compare-and-set: when the row `id` is in state `from` and expires > now,
 * set its state to `to` and its blob to (blob, blob_len) -- or keep the blob
 * when blob is NULL and blob_len is 0 -- and *out_advanced = 1; otherwise
 * change nothing and *out_advanced = 0 (no such id, another state already,
 * or expired: get tells which).  Errors as sgxra_store_session_put (never
 * _STORE_DUPLICATE). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_session_advance(
    sgxra_ctx *cx, sgxra_store *st, const char *id, int from, int to,
    const uint8_t *blob, size_t blob_len, int64_t now, int *out_advanced);

/* Delete every session with expires <= now; *out_deleted (may be NULL) the
 * number deleted. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_session_purge(
    sgxra_ctx *cx, sgxra_store *st, int64_t now, int64_t *out_deleted);

/* ---- provisioned secrets (schema v3) ----------------------------------------
 *
 * The secret a service provider sends to an enclave it trusts, one per
 * binding: an MRENCLAVE (given to an enclave matched by an enclave entry),
 * or (MRSIGNER, ISVPRODID) (an enclave matched by a signer entry).  A
 * binding is independent of the registry's rows: revoking and re-adding an
 * entry keeps its secret; a secret without an entry is never sent.
 *
 * The store keeps opaque bytes: the SP encrypts the secret at rest before
 * set and decrypts it after get; the store hashes the exact stored bytes
 * (SHA-256) for lists and audit rows.  Set (insert or replace) and delete
 * each append an audit row in the same transaction -- "secret.set",
 * "secret.delete" -- whose payload names the binding and the SHA-256 and
 * size of the stored bytes (for a replace also the previous SHA-256), never
 * the bytes: docs/STORE.md.  Lists return metadata only.
 */

/* Secret bytes: 1..SGXRA_STORE_SECRET_MAX (a 64 KiB secret plus up to 64
 * bytes of the SP's at-rest encryption). */
#define SGXRA_STORE_SECRET_MAX (65536 + 64)

typedef enum sgxra_store_secret_kind {
  SGXRA_STORE_SECRET_MRENCLAVE = 1, /* "mrenclave" */
  SGXRA_STORE_SECRET_SIGNER = 2     /* "signer": MRSIGNER + ISVPRODID */
} sgxra_store_secret_kind;

/* Zero it, set kind and the fields of that kind; the others are ignored
 * (and zero on read). */
typedef struct sgxra_store_secret_binding {
  sgxra_store_secret_kind kind;
  uint8_t mrenclave[SGXRA_HASH_SIZE]; /* SGXRA_STORE_SECRET_MRENCLAVE */
  uint8_t mrsigner[SGXRA_HASH_SIZE];  /* SGXRA_STORE_SECRET_SIGNER */
  uint16_t isvprodid;                 /* SGXRA_STORE_SECRET_SIGNER */
} sgxra_store_secret_binding;

/* A stored secret's metadata. */
typedef struct sgxra_store_secret_info {
  int64_t id; /* > 0; a replace keeps the id */
  sgxra_store_secret_binding binding;
  uint8_t sha256[SGXRA_SHA256_SIZE]; /* of the exact stored bytes */
  size_t size;                       /* stored bytes */
  char set_by[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t set_at;
} sgxra_store_secret_info;

/* "mrenclave", "signer"; "?" for other values. */
SGXRA_API const char *sgxra_store_secret_kind_name(sgxra_store_secret_kind k);

/* Insert or replace the secret of binding `b` (bytes copied).  *out (may be
 * NULL) receives the stored metadata.  Errors: SGXRA_E_INVALID_ARGUMENT
 * (NULL, unknown kind, empty bytes, bad actor), SGXRA_E_TOO_LARGE (more
 * than SGXRA_STORE_SECRET_MAX), and those common to registry writes. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_secret_set(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_secret_binding *b,
    const uint8_t *bytes, size_t len, const char *actor, int64_t now,
    sgxra_store_secret_info *out);

/* The secret of binding `b`: SGXRA_OK and *out_found = 0 (*out_bytes NULL,
 * *out_len 0, *out_info zeroed) when there is none.  out_info may be NULL;
 * out_bytes and out_len are required.  *out_bytes is malloc'ed: the caller
 * wipes it (sgxra_wipe) and frees it with
 * sgxra_store_free. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_secret_get(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_secret_binding *b,
    int *out_found, sgxra_store_secret_info *out_info, uint8_t **out_bytes,
    size_t *out_len);

/* Every secret's metadata (never the bytes), in id order, at most
 * SGXRA_STORE_LIST_MAX.  *out (free with sgxra_store_free) is NULL when
 * *out_n is 0. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_secret_list(sgxra_ctx *cx, sgxra_store *st,
                        sgxra_store_secret_info **out, size_t *out_n);

/* Delete the secret of binding `b`: *out_deleted = 1 and a "secret.delete"
 * audit row, or *out_deleted = 0 (no row, no audit) when there is none. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_secret_delete(
    sgxra_ctx *cx, sgxra_store *st, const sgxra_store_secret_binding *b,
    const char *actor, int64_t now, int *out_deleted);

/* ---- admin tokens (schema v3) -----------------------------------------------
 *
 * Bearer tokens for the SP's administration API, stored as the SHA-256 of
 * the token (the caller generates the token, shows it once and hashes it;
 * the store never sees it).  A name is unique for good: a revoked name is
 * not reused (SGXRA_E_STORE_DUPLICATE), so audit rows name one token.  A
 * revoked token never matches.  Add and revoke append audit rows
 * "token.add" and "token.revoke" with the name only.
 */

/* Names: 1..SGXRA_STORE_TOKEN_NAME_MAX bytes of [A-Za-z0-9._-]. */
#define SGXRA_STORE_TOKEN_NAME_MAX 64

typedef struct sgxra_store_token {
  int64_t id; /* > 0 */
  char name[SGXRA_STORE_TOKEN_NAME_MAX + 1];
  char created_by[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t created_at;
  int revoked; /* 1: never matches again */
  char revoked_by[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t revoked_at;
} sgxra_store_token;

/* Add token `name` with the SHA-256 of its value.  SGXRA_E_STORE_DUPLICATE
 * when the name exists (revoked or not) or the same hash is stored already;
 * SGXRA_E_INVALID_ARGUMENT (bad name, NULL hash, bad actor); and those
 * common to registry writes.  *out_id (may be NULL) the new id. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_token_add(sgxra_ctx *cx, sgxra_store *st, const char *name,
                      const uint8_t sha256[SGXRA_SHA256_SIZE],
                      const char *actor, int64_t now, int64_t *out_id);

/* Look a presented token up by its SHA-256: *out_found = 1 and *out (may be
 * NULL) the token when a non-revoked token has that hash; *out_found = 0
 * otherwise (unknown or revoked).  The database compares hashes (an index
 * lookup): timing reveals nothing about a token whose hash is not known. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_token_check(
    sgxra_ctx *cx, sgxra_store *st, const uint8_t sha256[SGXRA_SHA256_SIZE],
    int *out_found, sgxra_store_token *out);

/* Every token (revoked ones only when include_revoked), in id order, at
 * most SGXRA_STORE_LIST_MAX; never the hashes.  *out (free with
 * sgxra_store_free) is NULL when *out_n is 0. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_store_token_list(sgxra_ctx *cx, sgxra_store *st, int include_revoked,
                       sgxra_store_token **out, size_t *out_n);

/* Revoke token `name`.  SGXRA_E_STORE_NOT_FOUND when there is no such name
 * or it is revoked already (the message says which). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_store_token_revoke(sgxra_ctx *cx,
                                                              sgxra_store *st,
                                                              const char *name,
                                                              const char *actor,
                                                              int64_t now);

/* "sigstruct", "enclave", "hex"; "?" for other values. */
SGXRA_API const char *sgxra_store_source_name(sgxra_store_source source);

#ifdef __cplusplus
}
#endif
#endif
