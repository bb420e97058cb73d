/*
 * sgxra/sp_client.h -- the client side of the remote-attestation protocol
 * over HTTP: it talks to a service provider (`sgxra serve sp`,
 * sgxra/sp_server.h) and runs the RA client state machine of sgxra/ra.h
 * with the callbacks of an attester (sgxra/attester.h: the enclave and the
 * quoting enclave of an emulated platform).  Built on libcurl; part of
 * libsgxra-sim.
 *
 * Routes (docs/SP.md), binary bodies (application/octet-stream):
 *   POST <url>ra/v1/sessions            msg0 -> 201 {"session","expires"}
 *   POST <url>ra/v1/sessions/{id}/msg1  msg1 -> 200 msg2
 *   POST <url>ra/v1/sessions/{id}/msg3  msg3 -> 200 msg4
 * A refusal is a 4xx/5xx with {"code": "SGXRA_E_...", "message": "..."}:
 * the call returns that code (when this library knows the name; else
 * SGXRA_E_NET_HTTP) with the message "SP refused msgN: HTTP 409
 * SGXRA_E_RA_REPLAY: <the SP's message>", and copies status, code and
 * message into an sgxra_sp_client_error the caller may pass.
 *
 * Transport failures are the net layer's codes (SGXRA_E_NET_TIMEOUT,
 * _CONNECT, _TLS, _CLOSED, _TRUNCATED, _TOO_LARGE, _BAD_RESPONSE); nothing
 * is retried (a message of the protocol is never sent twice: the SP would
 * refuse the second as out of order or replayed).  Responses are capped at
 * SGXRA_SP_CLIENT_BODY_MAX bytes.
 *
 * Ownership: an sgxra_sp_client holds one libcurl handle (connections are
 * kept alive between its requests); the caller frees it.  Buffers returned
 * by calls are malloc'ed and the caller's (free()).  The options' strings
 * are copied.
 *
 * Thread-safety: one client per thread (it holds a libcurl easy handle).
 * Different clients may run concurrently.  Call sgxra_pccs_global_init()
 * (curl_global_init) once before threads start; sgxra_sp_client_new calls
 * it too, which is enough for single-threaded programs.
 */
#ifndef SGXRA_SP_CLIENT_H
#define SGXRA_SP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"
#include "sgxra/ra.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A session id: 32 lowercase hex characters (plus the NUL). */
#define SGXRA_SP_CLIENT_SESSION_ID_LEN 32
/* The largest response body accepted (a msg4 is at most ~66 kB). */
#define SGXRA_SP_CLIENT_BODY_MAX (1u << 20)
/* URL length cap, NUL included. */
#define SGXRA_SP_CLIENT_URL_MAX 512

typedef struct sgxra_sp_client_options {
  /* The SP's base URL, "http://127.0.0.1:8080/" or https://...; a missing
   * trailing slash is added.  Required. */
  const char *url;
  /* Another replica's base URL for msg3, or NULL (the same SP).  Replicas
   * share their store, so any of them continues a session: tests use it to
   * spread one attestation over two SP processes. */
  const char *msg3_url;
  /* PEM file of the CA(s) that sign the SP's TLS certificate (https); NULL:
   * the system's. */
  const char *ca_file;
  /* 1: do not verify the SP's TLS certificate (tests only). */
  int insecure;
  /* Connect timeout and whole-request timeout in milliseconds; 0: 10000
   * and 60000. */
  long connect_timeout_ms;
  long timeout_ms;
} sgxra_sp_client_options;

typedef struct sgxra_sp_client sgxra_sp_client; /* opaque */

/* What the SP answered when it refused a request (all zero / empty when it
 * did not refuse: transport failures leave http_status 0). */
typedef struct sgxra_sp_client_error {
  long http_status;  /* 400, 403, 404, 409, 410, 413, 503, ... */
  char code[64];     /* "SGXRA_E_RA_REPLAY"; "" when the body had none */
  char message[256]; /* the SP's message, printable ASCII */
} sgxra_sp_client_error;

/* A client for opt->url.  SGXRA_E_INVALID_ARGUMENT for a URL that is not
 * http(s)://host..., too long, or contains spaces or non-ASCII. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_client_new(
    sgxra_ctx *cx, const sgxra_sp_client_options *opt, sgxra_sp_client **out);

SGXRA_API void sgxra_sp_client_free(sgxra_sp_client *c);

/* POST msg0 to ra/v1/sessions: a new session.  `id` gets its 32 hex
 * characters, *expires (may be NULL) its expiry (unix seconds). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_client_open_session(
    sgxra_ctx *cx, sgxra_sp_client *c, const uint8_t *msg0, size_t n,
    char id[SGXRA_SP_CLIENT_SESSION_ID_LEN + 1], int64_t *expires,
    sgxra_sp_client_error *err);

/* POST msg1 (msgno 1) or msg3 (msgno 3) of session `id` (msg3 to
 * opt->msg3_url when set); *out / *out_len get the response body (msg2 or
 * msg4, malloc'ed).  `err` may be NULL. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_client_post(
    sgxra_ctx *cx, sgxra_sp_client *c, const char *id, unsigned msgno,
    const uint8_t *body, size_t n, uint8_t **out, size_t *out_len,
    sgxra_sp_client_error *err);

/* ---- one attestation ------------------------------------------------------
 *
 * sgxra_sp_client_attest runs the whole protocol with the SP: msg0 (session),
 * msg1 -> msg2, the enclave checks msg2 (the SP's signature with its pinned
 * key, the MAC) and makes its REPORT, the QE quotes it, the enclave makes
 * msg3, msg3 -> msg4, the enclave checks msg4 and seals the secret.  The
 * enclave's and the QE's work is the callbacks of `ops` (sgxra/ra.h; an
 * attester fills them, sgxra/attester.h). */

/* The steps, in order, reported to sgxra_sp_client_hooks.step. */
typedef enum sgxra_sp_client_step {
  SGXRA_SP_CLIENT_STEP_SESSION =
      1, /* msg0 accepted: a session (msg0's bytes) */
  SGXRA_SP_CLIENT_STEP_MSG1 =
      2, /* msg1 made by the enclave, about to be sent */
  SGXRA_SP_CLIENT_STEP_MSG2 = 3,   /* msg2 received from the SP */
  SGXRA_SP_CLIENT_STEP_REPORT = 4, /* the enclave accepted msg2 and made its
                               REPORT for the QE (the REPORT's bytes) */
  SGXRA_SP_CLIENT_STEP_QUOTE = 5,  /* the QE made the quote (its bytes) */
  SGXRA_SP_CLIENT_STEP_MSG3 =
      6, /* msg3 made by the enclave, about to be sent */
  SGXRA_SP_CLIENT_STEP_MSG4 = 7, /* msg4 received from the SP */
  SGXRA_SP_CLIENT_STEP_DONE = 8  /* the enclave accepted msg4 (and sealed) */
} sgxra_sp_client_step;

/* "session", "msg1", "msg2", "report", "quote", "msg3", "msg4", "done". */
SGXRA_API const char *sgxra_sp_client_step_name(sgxra_sp_client_step s);

typedef struct sgxra_sp_client_hooks {
  void *arg;
  /* Progress: called after each step with its message (borrowed for the
   * call); may be NULL. */
  void (*step)(void *arg, sgxra_sp_client_step s, const uint8_t *msg, size_t n);
  /* ATTACK SIMULATION, for tests and the demo only: may change msg2
   * (SGXRA_SP_CLIENT_STEP_MSG2, before the enclave sees it) or msg3
   * (SGXRA_SP_CLIENT_STEP_MSG3, before it is sent) in place, as a man in the
   * middle would.  Called after `step`.  NULL in normal use. */
  void (*tamper)(void *arg, sgxra_sp_client_step s, uint8_t *msg, size_t n);
} sgxra_sp_client_hooks;

/* How one attestation ended. */
typedef struct sgxra_sp_client_outcome {
  char session[SGXRA_SP_CLIENT_SESSION_ID_LEN +
               1]; /* "" before msg0 succeeded */
  int64_t expires;
  /* Set when msg4 was accepted by the enclave: the decision (authenticated
   * by the enclave), its reason codes and the sealed secret. */
  int completed;
  sgxra_ra_result result;
  /* On an error: the step that failed (the next one after the last
   * reported), and the SP's refusal when it was the SP's answer. */
  sgxra_sp_client_step failed_step;
  sgxra_sp_client_error sp;
} sgxra_sp_client_outcome;

/* Free the sealed secret of the outcome (sgxra_ra_result_free). */
SGXRA_API void sgxra_sp_client_outcome_free(sgxra_sp_client_outcome *o);

/* One attestation.  SGXRA_OK when the enclave accepted msg4 -- trusted or
 * not: out->result.trusted says which, out->result.reasons why; otherwise
 * the error (the client's, the enclave's, the transport's, or the SP's
 * refusal with out->sp filled).  *out is zeroed first; free it with
 * sgxra_sp_client_outcome_free either way.  `hooks` may be NULL. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_client_attest(
    sgxra_ctx *cx, sgxra_sp_client *c, const sgxra_ra_client_ops *ops,
    const sgxra_sp_client_hooks *hooks, sgxra_sp_client_outcome *out);

#ifdef __cplusplus
}
#endif
#endif
