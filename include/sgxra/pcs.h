/*
 * sgxra/pcs.h -- a simulated Intel PCS: an HTTP server (libmicrohttpd) that
 * serves the simulated Intel CA's collateral (sgxra/intelca.h) on the paths
 * and with the headers of Intel's PCS API v4 (Intel SGX and TDX DCAP
 * "Provisioning Certification Service for ECDSA Attestation" API, v4).
 * docs/SIMULATED_INTEL.md describes every route; in short, under
 * /sgx/certification/v4:
 *
 *   GET tcb?fmspc=<12 hex>[&update=standard|early]
 *       200 TCB Info JSON; header TCB-Info-Issuer-Chain
 *       400 fmspc missing or not 12 hex digits, bad update; 404 FMSPC not
 *       served
 *   GET qe/identity[?update=]   200 QE Identity; SGX-Enclave-Identity-Issuer-
 *   GET qve/identity[?update=]  200 QvE Identity;   Chain
 *   GET pckcrl?ca=platform|processor[&encoding=der|pem]
 *       200 the PCK CRL of that CA (PEM unless encoding=der); header
 *       SGX-PCK-CRL-Issuer-Chain; 400 ca or encoding missing/invalid
 *   GET rootcacrl               200 root CA CRL (DER)
 *   GET fmspcs[?platform=all|client|E3|E5]
 *       200 [{"fmspc":"<12 HEX>","platform":"E5"},...]: every FMSPC the CA
 *       provisioned (all labelled E5; client/E3 give [])
 *   GET pckcert?encrypted_ppid=&cpusvn=&pcesvn=&pceid=
 *       200 the PCK leaf (PEM) issued for that PPID at the best TCB not
 *       above the given one; headers SGX-PCK-Certificate-Issuer-Chain,
 *       SGX-TCBm (CPUSVN || PCESVN LE, hex), SGX-FMSPC,
 *       SGX-PCK-Certificate-CA-Type; 400 bad parameters; 404 unknown PPID
 *       or TCB too low.  SIMULATION SHORTCUT: the emulator has no PPID
 *       encryption, so encrypted_ppid is the plain 16-byte PPID in hex.
 *   anything else: 404; a method other than GET/HEAD: 405.
 *
 * update defaults to standard, as Intel's; what each publishes is in
 * sgxra/intelca.h.  Every answer has a Request-ID header (32 random hex
 * digits); every 4xx/5xx has Error-Code (InvalidRequestSyntax for 400,
 * NotFound for 404, MethodNotAllowed for 405, InternalError for 500) and
 * Error-Message headers and the message as a one-line text body.  Issuer
 * chain headers hold the PEM chain (signer, then root), URL-encoded (RFC
 * 3986 percent-encoding of every byte outside A-Z a-z 0-9 - . _ ~), as
 * Intel sends them.
 *
 * Prepared responses: what the CA signs is signed once per CA state (and
 * again after an hour) and served from memory.  Each request stat()s the
 * CA's state.json; a change (every CA write renames a new state.json into
 * place: revocation, TCB recovery, issuance, possibly by another process)
 * makes the next request re-sign, so changes are served at once.
 *
 * Load: a pool of threads (default: one per online CPU, at least 2), each
 * with its own epoll loop; idle connections are closed after
 * connection_timeout seconds; at most max_connections at once and
 * per_ip_connections from one IPv4 address (connections beyond either are
 * refused at accept), so slow or half-open clients cannot take every slot.
 *
 * Thread-safety: requests are answered by the pool's threads concurrently;
 * the prepared set is swapped under a mutex and reference-counted, so a
 * reader never sees a set being freed.  sgxra_pcs_start / _stop must be
 * called from one thread; _port, _requests, _preparations and _reload may
 * be called from any thread while the server runs.
 */
#ifndef SGXRA_PCS_H
#define SGXRA_PCS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_PCS_PREFIX "/sgx/certification/v4"
#define SGXRA_PCS_DEFAULT_LISTEN "127.0.0.1:8081"
#define SGXRA_PCS_DEFAULT_TIMEOUT 10           /* seconds idle */
#define SGXRA_PCS_DEFAULT_MAX_CONNECTIONS 4096 /* at once */
#define SGXRA_PCS_DEFAULT_PER_IP 1024          /* from one address */
/* The platform label of every FMSPC in the fmspcs answer. */
#define SGXRA_PCS_FMSPC_PLATFORM "E5"

/* The clock the server asks for issueDate / thisUpdate.  The library never
 * reads the clock itself: the caller (the `sgxra` command) passes one. */
typedef int64_t (*sgxra_pcs_clock_fn)(void *arg);

typedef struct sgxra_pcs_options {
  /* "HOST:PORT" with HOST an IPv4 address; PORT 0 picks a free port (see
   * sgxra_pcs_port).  NULL: SGXRA_PCS_DEFAULT_LISTEN. */
  const char *listen;
  sgxra_pcs_clock_fn clock; /* NULL: `now` below, fixed */
  void *clock_arg;
  int64_t now;
  /* One line per request ("pcs: METHOD PATH STATUS BYTES 0.12ms"), or NULL
   * for none.  Written from the server's threads (stdio locks the FILE). */
  FILE *log;
  unsigned threads; /* 0: one per online CPU, at least 2 */
  /* Seconds a connection may stay idle (no byte received); 0:
   * SGXRA_PCS_DEFAULT_TIMEOUT. */
  unsigned connection_timeout;
  unsigned max_connections;    /* 0: SGXRA_PCS_DEFAULT_MAX_CONNECTIONS */
  unsigned per_ip_connections; /* 0: SGXRA_PCS_DEFAULT_PER_IP */
  /* Seconds a request may take to arrive whole (its headers), counted from
   * the connection's opening or the end of its previous request, however
   * slowly it trickles in (slow-loris); past it the connection is closed.
   * 0: the connection_timeout in effect. */
  unsigned request_timeout;
} sgxra_pcs_options;

typedef struct sgxra_pcs_server sgxra_pcs_server; /* opaque */

/* Start serving the CA in `ca_dir` (which must open and sign:
 * SGXRA_E_CA_STATE).
 * SGXRA_E_NET_ADDRESS for a malformed listen address, SGXRA_E_NET_LISTEN
 * when the socket cannot be bound (port in use, no permission). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_pcs_start(sgxra_ctx *cx, const char *ca_dir, const sgxra_pcs_options *opt,
                sgxra_pcs_server **out_server);

/* The port actually bound. */
SGXRA_API uint16_t sgxra_pcs_port(const sgxra_pcs_server *s);

/* Number of requests answered so far (any status). */
SGXRA_API uint64_t sgxra_pcs_requests(const sgxra_pcs_server *s);

/* Number of times the signed responses were prepared (1 at start, one
 * more per CA state change seen, per hour, per _reload). */
SGXRA_API uint64_t sgxra_pcs_preparations(const sgxra_pcs_server *s);

/* Re-read the CA and re-sign at the next request (e.g. on SIGHUP). */
SGXRA_API void sgxra_pcs_reload(sgxra_pcs_server *s);

/* Stop (open connections are closed) and free (NULL accepted). */
SGXRA_API void sgxra_pcs_stop(sgxra_pcs_server *s);

/* Percent-encode p[0..n) as the issuer chain headers are (malloc'ed). */
SGXRA_API char *sgxra_pcs_url_encode(const char *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
