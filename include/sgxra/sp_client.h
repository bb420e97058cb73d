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
 * message into an sgxra_sp_error the caller may pass.
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

#ifdef __cplusplus
extern "C" {
#endif

/* A session id: 32 lowercase hex characters (plus the NUL). */
#define SGXRA_SP_SESSION_ID_LEN 32
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
typedef struct sgxra_sp_error {
  long http_status;  /* 400, 403, 404, 409, 410, 413, 503, ... */
  char code[64];     /* "SGXRA_E_RA_REPLAY"; "" when the body had none */
  char message[256]; /* the SP's message, printable ASCII */
} sgxra_sp_error;

/* A client for opt->url.  SGXRA_E_INVALID_ARGUMENT for a URL that is not
 * http(s)://host..., too long, or contains spaces or non-ASCII. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sp_client_new(
    sgxra_ctx *cx, const sgxra_sp_client_options *opt, sgxra_sp_client **out);

SGXRA_API void sgxra_sp_client_free(sgxra_sp_client *c);

/* POST msg0 to ra/v1/sessions: a new session.  `id` gets its 32 hex
 * characters, *expires (may be NULL) its expiry (unix seconds). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sp_session_open(sgxra_ctx *cx, sgxra_sp_client *c, const uint8_t *msg0,
                      size_t n, char id[SGXRA_SP_SESSION_ID_LEN + 1],
                      int64_t *expires, sgxra_sp_error *err);

/* POST msg1 (msgno 1) or msg3 (msgno 3) of session `id` (msg3 to
 * opt->msg3_url when set); *out / *out_len get the response body (msg2 or
 * msg4, malloc'ed).  `err` may be NULL. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sp_session_post(sgxra_ctx *cx, sgxra_sp_client *c, const char *id,
                      unsigned msgno, const uint8_t *body, size_t n,
                      uint8_t **out, size_t *out_len, sgxra_sp_error *err);

#ifdef __cplusplus
}
#endif
#endif
