/*
 * sgxra/sp_server.h -- the service provider (`sgxra serve sp`): the relying
 * party of SGX remote attestation.  It speaks the RA protocol (msg0..msg4,
 * sgxra/ra.h) with clients over HTTP, verifies the quote of msg3 (in
 * process, or through `sgxra serve verifier`), appraises it against the
 * registry it keeps in the shared store (sgxra/policy.h, sgxra/store.h),
 * records each decision in the audit log and provisions the secret
 * configured for the matched registry entry, encrypted for the enclave.
 * It also serves the registry's administration API.  docs/SP.md is the
 * full description; the wire formats are docs/RA.md's.
 *
 * Two parts, as the attestation service (sgxra/verifier.h,
 * sgxra/verifier_server.h): a core that answers one request as bytes and a
 * status, independent of HTTP (sgxra_sp_*), and a libmicrohttpd server that
 * only moves those bytes (sgxra_sp_server_*).  Routes:
 *
 *   POST /ra/v1/sessions              msg0 -> 201 {"session", "expires"}
 *   POST /ra/v1/sessions/{id}/msg1    msg1 -> 200 msg2
 *   POST /ra/v1/sessions/{id}/msg3    msg3 -> 200 msg4
 *   POST /admin/v1/enclaves           SIGSTRUCT or signed SDK .so (re-
 *                                     measured; 422 EnclaveMismatch when
 *                                     it does not match) -> 201 the entry
 *   POST /admin/v1/signers            JSON -> 201 the entry
 *   POST /admin/v1/deny               JSON -> 201 the entry
 *   POST /admin/v1/revoke             JSON -> 200 the entry
 *   PUT  /admin/v1/policy             policy document -> 201 its version
 *   PUT  /admin/v1/secrets            JSON -> 200 binding + sha256
 *   GET  /admin/v1/enclaves|signers|deny|policy|secrets   listings
 *   GET  /healthz, GET /metrics       (the server; not the core)
 *
 * RA bodies are application/octet-stream; every error is JSON {"code",
 * "message"}.  The code is the sgxra error's name (SGXRA_E_RA_REPLAY,
 * SGXRA_E_RA_MAC, SGXRA_E_STORE_DUPLICATE, ...) whenever an sgxra error is
 * the cause, else one of the HTTP-level names NotFound (404 unknown path),
 * MethodNotAllowed (405, with an Allow header), PayloadTooLarge (413),
 * Unauthorized (401), DebugSigner (403: a SIGSTRUCT or signer whose
 * MRSIGNER is a well-known public key, without allow_debug_signer),
 * EnclaveMismatch (422: a signed .so whose content does not match its
 * SIGSTRUCT), InternalError (500).
 * Statuses of the protocol: 400 malformed, 403 MAC / signature / binding,
 * 404 unknown session, 409 out of order or replayed, 410 expired, 413 too
 * large, 503 collateral or verifier unavailable; any of them ends the
 * session (its row goes to FAILED) -- except a message that arrives after
 * msg3 was taken, which is refused (a replayed msg3: SGXRA_E_RA_REPLAY)
 * without ending the session being appraised; other sessions are not
 * affected.  An enclave the appraisal refuses is not an error: msg4 says
 * so (trusted 0 and the reason codes), with status 200.
 *
 * Sessions live in the store (sgxra_store_session_*): the row holds the
 * sealed session state of sgxra/ra.h (sgxra_ra_sp_session_seal) and its
 * state (sgxra_ra_sp_state: WAIT_MSG1, WAIT_MSG3, APPRAISE, DONE, FAILED),
 * so any replica with the same store and SP key serves any message, and
 * msg3 is accepted once: the store's compare-and-set from WAIT_MSG3 to
 * APPRAISE fails for a replay, on this replica or another.
 *
 * Admin writes need "Authorization: Bearer <token>" where SHA-256(token)
 * is an admin token of the store (`sgxra registry token add`); without a
 * token, with an unknown or revoked one: 401 Unauthorized, logged on the
 * server's log.  Reads are open (they never show a secret's value).
 *
 * Provisioned secrets are kept encrypted in the store: AES-128-GCM under
 * SHA-256("sgxra sp secret key v1" || d)[0..16) where d is the SP key's
 * private scalar (32 bytes, big-endian), iv 12 random bytes, AAD the
 * binding's text ("mrenclave:<64 hex>" or "mrsigner:<64 hex>:<isvprodid>");
 * stored as iv (12) || tag (16) || ciphertext.
 *
 * Ownership: the key, the PCCS client and the trust root in the options are
 * borrowed and must outlive the service; a response's body is the
 * caller's (sgxra_sp_response_clear).
 *
 * Thread-safety: after sgxra_sp_open every request function may be called
 * from any number of threads at once, each with its own sgxra_ctx; the
 * service keeps a pool of store handles (one per thread at a time).  The
 * server: _start and _stop from one thread; _port, _requests, _in_flight
 * and _metrics from any thread while it runs.
 */
#ifndef SGXRA_SP_SERVER_H
#define SGXRA_SP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/pccs.h"
#include "sgxra/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_SP_DEFAULT_LISTEN "127.0.0.1:8083"
#define SGXRA_SP_DEFAULT_SESSION_TTL 60             /* seconds, msg0 to msg3 */
#define SGXRA_SP_DEFAULT_MAX_QUOTE 65536            /* bytes of msg3's quote */
#define SGXRA_SP_DEFAULT_MAX_BODY ((size_t)2 << 20) /* 2 MiB */
#define SGXRA_SP_DEFAULT_TIMEOUT 10                 /* seconds idle */
#define SGXRA_SP_DEFAULT_MAX_CONNECTIONS 4096
#define SGXRA_SP_DEFAULT_PER_IP 1024
#define SGXRA_SP_DRAIN_SECONDS 30 /* _stop waits this long at most */
/* The largest provisioned secret (msg4's cap, docs/RA.md). */
#define SGXRA_SP_SECRET_MAX 65536

typedef struct sgxra_sp sgxra_sp; /* opaque: the service core */

typedef struct sgxra_sp_options {
  const char *db_url;        /* required: the shared store (sgxra/store.h) */
  const sgxra_p256_key *key; /* required: the SP's long-term key, with its
                                private part; borrowed */
  /* How quotes are verified: exactly one of the three. */
  sgxra_pccs_client *pccs;    /* in process, collateral through this client */
  const char *collateral_dir; /* in process, one bundle for every quote */
  const char *verifier_url;   /* `sgxra serve verifier` at this base URL */
  const sgxra_x509_cert *trust_root; /* in process; NULL: Intel SGX Root CA */
  /* HTTPS to the verifier: a CA bundle file ("" or NULL: the system's);
   * insecure 1 skips the certificate check (tests only). */
  const char *verifier_ca_file;
  int verifier_insecure;
  unsigned quote_version; /* asked for in msg2: 3 or 4; 0: 3 */
  int64_t session_ttl;    /* seconds; 0: SGXRA_SP_DEFAULT_SESSION_TTL */
  size_t max_quote;       /* 0: SGXRA_SP_DEFAULT_MAX_QUOTE */
  /* Who the audit rows name: NULL for "sp:<host>:<pid>". */
  const char *actor;
  unsigned store_pool; /* idle store handles kept; 0: 8 */
  /* The time (unix seconds) recorded when opening creates or migrates the
   * store's schema (the library reads no clock). */
  int64_t now;
} sgxra_sp_options;

/* One request, as the HTTP server received it. */
typedef struct sgxra_sp_request {
  const char *method; /* "GET", "POST", "PUT", ... */
  const char *path;   /* without the query string */
  /* Query arguments: name, value, name, value, ..., NULL (NULL: none). */
  const char *const *query;
  const char *authorization; /* the Authorization header or NULL */
  const char *content_type;  /* or NULL */
  const uint8_t *body;       /* may be NULL when body_len is 0 */
  size_t body_len;
} sgxra_sp_request;

/* One answer, ready for HTTP. */
typedef struct sgxra_sp_response {
  unsigned status;
  uint8_t *body; /* malloc'ed; NUL-terminated after body_len */
  size_t body_len;
  const char *content_type; /* static */
  const char *allow;        /* 405: the Allow header (static), else NULL */
  /* For the access log and metrics: */
  const char *route;   /* static route template, "/ra/v1/sessions/{id}/msg1" */
  const char *code;    /* static: the error's code, NULL when none */
  char session[33];    /* the session id in hex, "" when none */
  int decision;        /* msg4: 1 trusted, 0 refused; -1 otherwise */
  int audited;         /* an admin write refused (401) or done: log it */
  char token_name[72]; /* the admin token's name, "" when none */
} sgxra_sp_response;

/* Open the service: the store is opened once to check it (and its schema
 * migrated), the SP key's derived keys are made, the collateral bundle is
 * loaded.  Errors: SGXRA_E_INVALID_ARGUMENT (a required option missing,
 * none or several verification modes, quote_version not 3 or 4, a key
 * without its private part), the store's, the collateral loader's. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_open(sgxra_ctx *cx,
                                                   const sgxra_sp_options *opt,
                                                   sgxra_sp **out);
SGXRA_API void sgxra_sp_close(sgxra_sp *sp);

/* Answer one request at time `now` (unix seconds).  SGXRA_OK with
 * out->status set for every answer, good or bad; an error return means
 * the service itself failed (no memory): answer 500.  *out must be zeroed
 * or hold an earlier answer (it is cleared first). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_handle(sgxra_ctx *cx,
                                                     sgxra_sp *sp,
                                                     const sgxra_sp_request *rq,
                                                     int64_t now,
                                                     sgxra_sp_response *out);

/* Free the response's body and zero it (NULL accepted). */
SGXRA_API void sgxra_sp_response_clear(sgxra_sp_response *r);

/* The SP id of msg2: the first 16 bytes of SHA-256 of the SP's public key
 * in wire form (gx || gy, each little-endian). */
SGXRA_API void sgxra_sp_spid(const sgxra_sp *sp, uint8_t out[16]);

/* ---- the HTTP server ------------------------------------------------------
 */

typedef int64_t (*sgxra_sp_server_clock_fn)(void *arg);

typedef struct sgxra_sp_server_options {
  const char *listen; /* "HOST:PORT", IPv4; PORT 0 picks one; NULL default */
  sgxra_sp_server_clock_fn clock; /* NULL: `now`, fixed */
  void *clock_arg;
  int64_t now;
  /* One line per request, "sp: METHOD PATH STATUS BYTES 1.23ms
   * [session=ID] [code=C] [decision=trusted|refused] [token=NAME]", or
   * NULL for none. */
  FILE *log;
  unsigned threads;            /* 0: one per online CPU, at least 2 */
  unsigned connection_timeout; /* 0: SGXRA_SP_DEFAULT_TIMEOUT */
  unsigned max_connections;    /* 0: default */
  unsigned per_ip_connections; /* 0: default */
  size_t max_body;             /* 0: SGXRA_SP_DEFAULT_MAX_BODY */
  const char *tls_cert_path;   /* HTTPS: both or neither (PEM files) */
  const char *tls_key_path;
} sgxra_sp_server_options;

typedef struct sgxra_sp_server sgxra_sp_server; /* opaque */

/* Start serving `sp` (borrowed; it must outlive the server).  Errors as
 * sgxra_verifier_server_start: SGXRA_E_NET_ADDRESS, SGXRA_E_NET_LISTEN,
 * SGXRA_E_IO, SGXRA_E_INVALID_ARGUMENT. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_server_start(
    sgxra_ctx *cx, sgxra_sp *sp, const sgxra_sp_server_options *opt,
    sgxra_sp_server **out);

SGXRA_API uint16_t sgxra_sp_server_port(const sgxra_sp_server *s);
SGXRA_API uint64_t sgxra_sp_server_requests(const sgxra_sp_server *s);
SGXRA_API uint64_t sgxra_sp_server_in_flight(const sgxra_sp_server *s);

/* The /metrics document (Prometheus text 0.0.4; malloc'ed; NULL: no
 * memory):
 *   sgxra_http_requests_total{route,status}     counter
 *   sgxra_http_request_duration_seconds{route}  histogram
 *   sgxra_ra_decisions_total{decision}          counter (trusted, refused)
 *   sgxra_ra_errors_total{code}                 counter */
SGXRA_API char *sgxra_sp_server_metrics(sgxra_sp_server *s);

/* Graceful stop (NULL accepted): as sgxra_verifier_server_stop.  Returns
 * the requests still in flight when it gave up waiting (0 normally). */
SGXRA_API uint64_t sgxra_sp_server_stop(sgxra_sp_server *s);

#ifdef __cplusplus
}
#endif
#endif
