/* What the net layer's HTTP servers share: see http_internal.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/internal.h"
#include "net/http_internal.h"
#include "sgxra/crypto.h"
#include "sgxra/file.h"

sgxra_err sgxra__http_parse_listen(sgxra_ctx *cx, const char *s,
                                   struct sockaddr_in *out) {
  memset(out, 0, sizeof(*out));
  const char *colon = strrchr(s, ':');
  char host[64];
  if (!colon || (size_t)(colon - s) >= sizeof host || colon == s)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': expected HOST:PORT, e.g. "
                       "127.0.0.1:8081",
                       s);
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = 0;
  const char *ps = colon + 1;
  unsigned long port = 0;
  if (!*ps || strlen(ps) > 5)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': port must be 0..65535", s);
  for (const char *c = ps; *c; c++) {
    if (*c < '0' || *c > '9')
      return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                         "listen address '%s': port must be 0..65535", s);
    port = port * 10 + (unsigned long)(*c - '0');
  }
  if (port > 65535)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': port must be 0..65535", s);
  if (!strcmp(host, "localhost")) strcpy(host, "127.0.0.1");
  if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': host must be an IPv4 address "
                       "such as 127.0.0.1",
                       s);
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  return SGXRA_OK;
}

void sgxra__http_header_safe(char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) *s = '?';
}

void sgxra__http_req_begin(sgxra__http_req *rq, const char *method,
                           const char *url) {
  clock_gettime(CLOCK_MONOTONIC, &rq->start);
  snprintf(rq->method, sizeof rq->method, "%s", method);
  snprintf(rq->path, sizeof rq->path, "%s", url);
  sgxra__http_header_safe(rq->method);
  sgxra__http_header_safe(rq->path);
}

double sgxra__http_req_seconds(const sgxra__http_req *rq) {
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  return (double)(end.tv_sec - rq->start.tv_sec) +
         (double)(end.tv_nsec - rq->start.tv_nsec) / 1e9;
}

void sgxra__http_log(FILE *log, const char *who, const sgxra__http_req *rq,
                     const char *extra, int aborted) {
  if (!log) return;
  fprintf(log, "%s: %s %s %u %zu %.2fms%s%s%s\n", who, rq->method, rq->path,
          rq->status, rq->bytes, sgxra__http_req_seconds(rq) * 1e3,
          extra ? " " : "", extra ? extra : "", aborted ? " (aborted)" : "");
}

struct MHD_Daemon *sgxra__http_start(const sgxra__http_daemon_opts *o) {
  unsigned threads = o->threads;
  if (!threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n < 2 ? 2 : n > 64 ? 64 : (unsigned)n;
  }
  unsigned flags =
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | o->extra_flags;
  if (o->extra_flags & MHD_USE_TLS)
    return MHD_start_daemon(
        flags, ntohs(o->addr->sin_port), NULL, NULL, o->handler, o->handler_cls,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)o->addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        o->timeout, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
        MHD_OPTION_NOTIFY_COMPLETED, o->completed, o->completed_cls,
        MHD_OPTION_HTTPS_MEM_CERT, o->tls_cert, MHD_OPTION_HTTPS_MEM_KEY,
        o->tls_key, MHD_OPTION_END);
  return MHD_start_daemon(
      flags, ntohs(o->addr->sin_port), NULL, NULL, o->handler, o->handler_cls,
      MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)o->addr,
      MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
      o->timeout, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
      MHD_OPTION_NOTIFY_COMPLETED, o->completed, o->completed_cls,
      MHD_OPTION_END);
}

uint16_t sgxra__http_port(struct MHD_Daemon *d, uint16_t fallback) {
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  return info && info->port ? info->port : fallback;
}

#define TLS_FILE_CAP ((size_t)1 << 20)

sgxra_err sgxra__http_tls_read(sgxra_ctx *cx, const char *cert_path,
                               const char *key_path, char **out_cert,
                               char **out_key) {
  *out_cert = NULL;
  *out_key = NULL;
  if (!cert_path && !key_path) return SGXRA_OK;
  uint8_t *c = NULL, *k = NULL;
  size_t n;
  sgxra_err e;
  if ((e = sgxra_file_read(cx, cert_path, TLS_FILE_CAP, &c, &n)) ||
      (e = sgxra_file_read(cx, key_path, TLS_FILE_CAP, &k, &n))) {
    free(c);
    return e;
  }
  *out_cert = (char *)c;
  *out_key = (char *)k;
  return SGXRA_OK;
}

void sgxra__http_tls_free(char *cert, char *key) {
  if (key) {
    sgxra_wipe(key, strlen(key));
    free(key);
  }
  free(cert);
}

uint64_t sgxra__http_drain_stop(struct MHD_Daemon *d,
                                atomic_uint_fast64_t *in_flight,
                                int drain_seconds) {
  if (!d) return 0;
  MHD_socket ls = MHD_quiesce_daemon(d);
  if (ls != MHD_INVALID_SOCKET) close(ls);
  for (int i = 0; i < drain_seconds * 100; i++) {
    if (!atomic_load(in_flight)) break;
    usleep(10000);
  }
  uint64_t left = (uint64_t)atomic_load(in_flight);
  MHD_stop_daemon(d);
  return left;
}

void sgxra__sb_printf(sgxra__sbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (k < 0) {
      b->failed = 1;
      return;
    }
    if ((size_t)k < b->cap - b->n) {
      b->n += (size_t)k;
      return;
    }
    size_t nc = 2 * b->cap + (size_t)k;
    char *np = realloc(b->p, nc);
    if (!np) {
      b->failed = 1;
      return;
    }
    b->p = np;
    b->cap = nc;
  }
}
