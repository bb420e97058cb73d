/* src/net/http_internal.h -- what the HTTP servers of the net layer
 * (the simulated PCS, src/net/pcs_server.c, the verifier service,
 * src/net/verifier_server.c, and the service provider, src/net/sp_server.c)
 * share: the listen address, the daemon start,
 * HTTPS key files, the graceful stop, one request's bookkeeping and its
 * access-log line.  Internal (sgxra__). */
#ifndef SGXRA_NET_HTTP_INTERNAL_H
#define SGXRA_NET_HTTP_INTERNAL_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "net/dl_mhd.h"
#include "sgxra/ctx.h"

/* "HOST:PORT", HOST an IPv4 address or "localhost", PORT 0..65535.
 * SGXRA_E_NET_ADDRESS naming the address otherwise. */
sgxra_err sgxra__http_parse_listen(sgxra_ctx *cx, const char *s,
                                   struct sockaddr_in *out);

/* One request's bookkeeping, for the log line. */
typedef struct sgxra__http_req {
  struct timespec start; /* CLOCK_MONOTONIC */
  char method[16];
  char path[160];
  unsigned status; /* 0 until a response is queued */
  size_t bytes;    /* body bytes of the response */
} sgxra__http_req;

/* Start time, method and path (truncated, made printable). */
void sgxra__http_req_begin(sgxra__http_req *rq, const char *method,
                           const char *url);

/* Seconds since sgxra__http_req_begin. */
double sgxra__http_req_seconds(const sgxra__http_req *rq);

/* Printable ASCII, anything else as '?'. */
void sgxra__http_header_safe(char *s);

/* "<who>: METHOD PATH STATUS BYTES 0.12ms[ <extra>][ (aborted)]\n" on
 * `log` (NULL: nothing), one fprintf (stdio locks the FILE). */
void sgxra__http_log(FILE *log, const char *who, const sgxra__http_req *rq,
                     const char *extra, int aborted);

/* The request deadline (slow-loris guard): a connection whose request has
 * not arrived whole (headers) within `request_timeout` seconds of its
 * opening, or of the end of its previous request, is shut down by a
 * watchdog thread, however slowly it keeps sending.  MHD's own timeout only
 * counts idle time.  Made by sgxra__http_start_watched; free it with
 * sgxra__http_watch_free after MHD_stop_daemon. */
typedef struct sgxra__http_watch sgxra__http_watch;

/* The daemon settings both servers take. */
typedef struct sgxra__http_daemon_opts {
  const struct sockaddr_in *addr;
  unsigned threads;         /* 0: one per online CPU, 2..64 */
  unsigned timeout;         /* idle seconds */
  unsigned request_timeout; /* seconds; only sgxra__http_start_watched */
  unsigned max_connections;
  unsigned per_ip;
  unsigned extra_flags; /* e.g. MHD_USE_ITC, MHD_USE_TLS */
  const char *tls_cert; /* PEM text, with MHD_USE_TLS */
  const char *tls_key;
  MHD_AccessHandlerCallback handler;
  void *handler_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
} sgxra__http_daemon_opts;

/* A thread pool of epoll loops on o->addr; NULL when it cannot listen. */
struct MHD_Daemon *sgxra__http_start(const sgxra__http_daemon_opts *o);

/* The same, plus the request deadline when o->request_timeout > 0 (then
 * *out_watch is set, else NULL; it stays NULL when the daemon does not
 * start or the watchdog thread cannot). */
struct MHD_Daemon *sgxra__http_start_watched(const sgxra__http_daemon_opts *o,
                                             sgxra__http_watch **out_watch);

/* Connections shut down by the watchdog so far (0 for NULL). */
uint64_t sgxra__http_watch_closed(const sgxra__http_watch *w);

/* Stop the watchdog thread and free (NULL accepted); after the daemon is
 * stopped. */
void sgxra__http_watch_free(sgxra__http_watch *w);

/* The port the daemon bound (`fallback` when MHD cannot tell). */
uint16_t sgxra__http_port(struct MHD_Daemon *d, uint16_t fallback);

/* Read an HTTPS certificate and its key (PEM, at most 1 MiB each) into
 * NUL-terminated malloc'ed text; both NULL paths: nothing to do.  On error
 * both outputs are NULL.  Free the key with sgxra__http_tls_free. */
sgxra_err sgxra__http_tls_read(sgxra_ctx *cx, const char *cert_path,
                               const char *key_path, char **out_cert,
                               char **out_key);
void sgxra__http_tls_free(char *cert, char *key);

/* Graceful stop: stop accepting, wait up to `drain_seconds` for the
 * requests counted in *in_flight to finish (idle keep-alive connections
 * are not waited for), stop the daemon.  Returns how many were still
 * running. */
uint64_t sgxra__http_drain_stop(struct MHD_Daemon *d,
                                atomic_uint_fast64_t *in_flight,
                                int drain_seconds);

/* A growing text buffer for the /metrics pages: append with
 * sgxra__sb_printf; `failed` is set (and later appends do nothing) when
 * memory runs out.  p is malloc'ed by the caller. */
typedef struct sgxra__sbuf {
  char *p;
  size_t n, cap;
  int failed;
} sgxra__sbuf;
void sgxra__sb_printf(sgxra__sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
