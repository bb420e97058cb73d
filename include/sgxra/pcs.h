/*
 * sgxra/pcs.h -- a simulated Intel PCS: an HTTP server (libmicrohttpd) that
 * serves the simulated Intel CA's collateral (sgxra/intelca.h) on the paths
 * and with the headers of Intel's PCS API v4 (Intel SGX and TDX DCAP
 * "Provisioning Certification Service for ECDSA Attestation" API, v4):
 *
 *   GET /sgx/certification/v4/tcb?fmspc=<12 hex>
 *       200 TCB Info JSON; header TCB-Info-Issuer-Chain
 *       400 fmspc missing or not 12 hex digits; 404 FMSPC not served
 *   GET /sgx/certification/v4/qe/identity
 *       200 QE Identity JSON; header SGX-Enclave-Identity-Issuer-Chain
 *   GET /sgx/certification/v4/pckcrl?ca=platform|processor[&encoding=der|pem]
 *       200 PCK CRL (PEM unless encoding=der); header SGX-PCK-CRL-Issuer-Chain
 *       400 ca or encoding missing/invalid; 404 ca=processor (this simulated
 *       PCS has a PCK Platform CA only)
 *   GET /sgx/certification/v4/rootcacrl
 *       200 root CA CRL (DER)
 *   anything else: 404; a method other than GET/HEAD: 405.
 *
 * Issuer chain headers hold the PEM chain (signer, then root), URL-encoded
 * (RFC 3986 percent-encoding of every byte outside A-Z a-z 0-9 - . _ ~), as
 * Intel sends them.  Error bodies are one line of text naming what was
 * wrong.
 *
 * The CA directory is re-read for every request, so revocations and TCB
 * recoveries made meanwhile (by another process) are served at once.
 *
 * Thread-safety: the server answers from one internal thread; start/stop
 * from one thread.
 */
#ifndef SGXRA_PCS_H
#define SGXRA_PCS_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_PCS_PREFIX "/sgx/certification/v4"
#define SGXRA_PCS_DEFAULT_LISTEN "127.0.0.1:8081"

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
} sgxra_pcs_options;

typedef struct sgxra_pcs_server sgxra_pcs_server; /* opaque */

/* Start serving the CA in `ca_dir` (which must open: SGXRA_E_CA_STATE).
 * SGXRA_E_NET_ADDRESS for a malformed listen address, SGXRA_E_NET_LISTEN
 * when the socket cannot be bound (port in use, no permission). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_pcs_start(sgxra_ctx *cx, const char *ca_dir, const sgxra_pcs_options *opt,
                sgxra_pcs_server **out_server);

/* The port actually bound. */
SGXRA_API uint16_t sgxra_pcs_port(const sgxra_pcs_server *s);

/* Number of requests answered so far (any status). */
SGXRA_API uint64_t sgxra_pcs_requests(const sgxra_pcs_server *s);

/* Stop and free (NULL accepted). */
SGXRA_API void sgxra_pcs_stop(sgxra_pcs_server *s);

/* Percent-encode p[0..n) as the issuer chain headers are (malloc'ed). */
SGXRA_API char *sgxra_pcs_url_encode(const char *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
