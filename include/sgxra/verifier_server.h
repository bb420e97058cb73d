/*
 * sgxra/verifier_server.h -- the attestation service over HTTP
 * (`sgxra serve verifier`): an HTTP(S) server (libmicrohttpd) that moves
 * the bytes of the verifier core (sgxra/verifier.h) and adds what HTTP
 * needs.  Routes:
 *
 *   POST /v1/attest              sgxra_verifier_attest
 *   GET  /v1/nonce               sgxra_verifier_nonce
 *   GET  /v1/certs               sgxra_verifier_jwks
 *   POST /attestation/v5/report  sgxra_verifier_ias_report, plus the
 *                                headers X-IASReport-Signature and
 *                                X-IASReport-Signing-Certificate
 *   GET  /healthz                {"status":"ok"}
 *   GET  /metrics                Prometheus text format 0.0.4:
 *       sgxra_http_requests_total{route,status}        counter
 *       sgxra_http_request_duration_seconds{route}     histogram
 *       sgxra_verdicts_total{verdict}                  counter
 *       sgxra_collateral_age_seconds{fmspc}            gauge
 *       sgxra_collateral_cache_total{result="hit|miss"} counter
 *
 * Errors are JSON {"code": "...", "message": "..."}: the core's 400 and
 * 503 as it answers them; 404 (NotFound) unknown path; 405
 * (MethodNotAllowed, with an Allow header) wrong method; 413
 * (PayloadTooLarge) a body over max_body, refused by its Content-Length
 * before it is read or while it is read; 415 (UnsupportedMediaType) a POST
 * whose Content-Type is not application/json; 500 (InternalError) when the
 * core returns an error.
 *
 * Load: a pool of threads, each with its own epoll loop; idle connections
 * closed after connection_timeout seconds; at most max_connections at
 * once and per_ip_connections from one address.  HTTPS when tls_cert and
 * tls_key are given (libmicrohttpd with GnuTLS).
 *
 * The server reads no clock itself: the caller passes one (the command
 * passes the wall clock, or a fixed time for testing with recorded
 * collateral).
 *
 * Ownership: the verifier is borrowed and must outlive the server.
 * Thread-safety: requests are answered by the pool's threads
 * concurrently; counters are atomics and the per-verdict / per-FMSPC
 * tables are under a mutex.  _start and _stop must be called from one
 * thread; _port, _requests, _in_flight and _metrics from any thread while
 * the server runs.
 */
#ifndef SGXRA_VERIFIER_SERVER_H
#define SGXRA_VERIFIER_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sgxra/ctx.h"
#include "sgxra/verifier.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_VERIFIER_DEFAULT_LISTEN "127.0.0.1:8082"
#define SGXRA_VERIFIER_DEFAULT_MAX_BODY ((size_t)1 << 20) /* 1 MiB */
#define SGXRA_VERIFIER_DEFAULT_TIMEOUT 10                 /* seconds idle */
#define SGXRA_VERIFIER_DEFAULT_MAX_CONNECTIONS 4096
#define SGXRA_VERIFIER_DEFAULT_PER_IP 1024
#define SGXRA_VERIFIER_DRAIN_SECONDS 30 /* _stop waits this long at most */

typedef int64_t (*sgxra_verifier_server_clock_fn)(void *arg);

typedef struct sgxra_verifier_server_options {
  /* "HOST:PORT", HOST IPv4; PORT 0 picks a free one.  NULL: default. */
  const char *listen;
  sgxra_verifier_server_clock_fn clock; /* NULL: `now`, fixed */
  void *clock_arg;
  int64_t now;
  /* One line per request, "verifier: METHOD PATH STATUS BYTES 1.23ms
   * [verdict=V]", or NULL for none. */
  FILE *log;
  unsigned threads;            /* 0: one per online CPU, at least 2 */
  unsigned connection_timeout; /* 0: SGXRA_VERIFIER_DEFAULT_TIMEOUT */
  unsigned max_connections;    /* 0: default */
  unsigned per_ip_connections; /* 0: default */
  size_t max_body;             /* 0: SGXRA_VERIFIER_DEFAULT_MAX_BODY */
  /* HTTPS: the server's certificate (chain) and key, PEM files; both or
   * neither. */
  const char *tls_cert_path;
  const char *tls_key_path;
} sgxra_verifier_server_options;

typedef struct sgxra_verifier_server sgxra_verifier_server; /* opaque */

/* Start serving `v`.  SGXRA_E_NET_ADDRESS for a malformed listen address,
 * SGXRA_E_NET_LISTEN when it cannot listen (port in use, or a certificate
 * and key libmicrohttpd refuses), SGXRA_E_IO for an unreadable TLS file,
 * SGXRA_E_INVALID_ARGUMENT for only one of cert and key. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verifier_server_start(
    sgxra_ctx *cx, sgxra_verifier_service *v,
    const sgxra_verifier_server_options *opt, sgxra_verifier_server **out);

/* The port actually bound. */
SGXRA_API uint16_t sgxra_verifier_server_port(const sgxra_verifier_server *s);

/* Requests answered so far (any status) / being answered now. */
SGXRA_API uint64_t
sgxra_verifier_server_requests(const sgxra_verifier_server *s);
SGXRA_API uint64_t
sgxra_verifier_server_in_flight(const sgxra_verifier_server *s);

/* The /metrics document (malloc'ed, NUL-terminated; NULL: no memory). */
SGXRA_API char *sgxra_verifier_server_metrics(sgxra_verifier_server *s);

/* Graceful stop: stop accepting, let the requests in flight finish (at
 * most SGXRA_VERIFIER_DRAIN_SECONDS), close, free (NULL accepted).
 * Returns the number of requests still in flight when it gave up
 * waiting (0 normally). */
SGXRA_API uint64_t sgxra_verifier_server_stop(sgxra_verifier_server *s);

#ifdef __cplusplus
}
#endif
#endif
