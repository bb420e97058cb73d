/* What the net layer's HTTP servers share: see http_internal.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
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

/* ---- the request deadline ------------------------------------------------
 *
 * One entry per open connection (MHD_OPTION_NOTIFY_CONNECTION: made at
 * STARTED, unlinked and freed at CLOSED -- which MHD calls before it closes
 * the socket, so the fd stays valid while its entry is listed).  An entry is
 * armed (a deadline set) while a request is awaited: from the opening and
 * from the end of each request; the first call of the access handler (the
 * headers are in) disarms it.  The watchdog wakes every WATCH_TICK_MS and
 * shuts down (SHUT_RDWR, under the list's lock) each armed connection past
 * its deadline; MHD then sees the end of the stream and closes it. */

#define WATCH_TICK_MS 200

typedef struct watch_conn {
  struct watch_conn *prev, *next;
  int fd;
  atomic_int_fast64_t deadline_ms; /* CLOCK_MONOTONIC; 0: disarmed */
} watch_conn;

struct sgxra__http_watch {
  pthread_mutex_t lock; /* guards the list and stop */
  pthread_cond_t wake;
  pthread_t thread;
  watch_conn *head;
  int stop;
  int64_t timeout_ms;
  atomic_uint_fast64_t closed;
  MHD_AccessHandlerCallback handler;
  void *handler_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
};

static int64_t mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static watch_conn *watch_conn_of(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? (watch_conn *)ci->socket_context : NULL;
}

static void watch_notify(void *cls, struct MHD_Connection *conn,
                         void **socket_context,
                         enum MHD_ConnectionNotificationCode toe) {
  sgxra__http_watch *w = cls;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    watch_conn *c = calloc(1, sizeof(*c));
    *socket_context = c;
    if (!c || !ci) return; /* unwatched: MHD's idle timeout still applies */
    c->fd = ci->connect_fd;
    atomic_init(&c->deadline_ms, mono_ms() + w->timeout_ms);
    pthread_mutex_lock(&w->lock);
    c->next = w->head;
    if (w->head) w->head->prev = c;
    w->head = c;
    pthread_mutex_unlock(&w->lock);
    return;
  }
  watch_conn *c = *socket_context;
  if (!c) return;
  pthread_mutex_lock(&w->lock);
  if (c->prev || w->head == c) {
    if (c->prev)
      c->prev->next = c->next;
    else
      w->head = c->next;
    if (c->next) c->next->prev = c->prev;
  }
  pthread_mutex_unlock(&w->lock);
  free(c);
  *socket_context = NULL;
}

static enum MHD_Result watch_handler(void *cls, struct MHD_Connection *conn,
                                     const char *url, const char *method,
                                     const char *version,
                                     const char *upload_data,
                                     size_t *upload_data_size, void **con_cls) {
  sgxra__http_watch *w = cls;
  watch_conn *c = watch_conn_of(conn);
  if (c) atomic_store(&c->deadline_ms, 0);
  return w->handler(w->handler_cls, conn, url, method, version, upload_data,
                    upload_data_size, con_cls);
}

static void watch_completed(void *cls, struct MHD_Connection *conn,
                            void **con_cls,
                            enum MHD_RequestTerminationCode toe) {
  sgxra__http_watch *w = cls;
  watch_conn *c = watch_conn_of(conn);
  if (c) atomic_store(&c->deadline_ms, mono_ms() + w->timeout_ms);
  if (w->completed) w->completed(w->completed_cls, conn, con_cls, toe);
}

static void *watch_main(void *arg) {
  sgxra__http_watch *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += WATCH_TICK_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    int rc = pthread_cond_timedwait(&w->wake, &w->lock, &until);
    if (rc && rc != ETIMEDOUT) break;
    int64_t now = mono_ms();
    for (watch_conn *c = w->head; c; c = c->next) {
      int64_t d = atomic_load(&c->deadline_ms);
      if (d && now >= d) {
        atomic_store(&c->deadline_ms, 0);
        shutdown(c->fd, SHUT_RDWR);
        atomic_fetch_add(&w->closed, 1);
      }
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

void sgxra__http_watch_free(sgxra__http_watch *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->stop = 1;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  /* the list is empty: the stopped daemon closed every connection */
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

uint64_t sgxra__http_watch_closed(const sgxra__http_watch *w) {
  return w ? (uint64_t)atomic_load(&((sgxra__http_watch *)w)->closed) : 0;
}

static sgxra__http_watch *watch_new(const sgxra__http_daemon_opts *o) {
  sgxra__http_watch *w = calloc(1, sizeof(*w));
  if (!w) return NULL;
  w->timeout_ms = (int64_t)o->request_timeout * 1000;
  w->handler = o->handler;
  w->handler_cls = o->handler_cls;
  w->completed = o->completed;
  w->completed_cls = o->completed_cls;
  atomic_init(&w->closed, 0);
  if (pthread_mutex_init(&w->lock, NULL)) {
    free(w);
    return NULL;
  }
  if (pthread_cond_init(&w->wake, NULL)) {
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  if (pthread_create(&w->thread, NULL, watch_main, w)) {
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  return w;
}

struct MHD_Daemon *sgxra__http_start(const sgxra__http_daemon_opts *o) {
  return sgxra__http_start_watched(o, NULL);
}

struct MHD_Daemon *sgxra__http_start_watched(const sgxra__http_daemon_opts *o,
                                             sgxra__http_watch **out_watch) {
  unsigned threads = o->threads;
  if (out_watch) *out_watch = NULL;
  if (!threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n < 2 ? 2 : n > 64 ? 64 : (unsigned)n;
  }
  sgxra__http_watch *w = NULL;
  if (out_watch && o->request_timeout) {
    w = watch_new(o);
    if (!w) return NULL;
  }
  MHD_AccessHandlerCallback handler = w ? watch_handler : o->handler;
  void *handler_cls = w ? (void *)w : o->handler_cls;
  MHD_RequestCompletedCallback completed = w ? watch_completed : o->completed;
  void *completed_cls = w ? (void *)w : o->completed_cls;
  MHD_NotifyConnectionCallback notify = w ? watch_notify : NULL;
  unsigned flags =
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | o->extra_flags;
  /* The certificate and key when serving TLS; an empty list otherwise. */
  struct MHD_OptionItem tls[] = {
      {(o->extra_flags & MHD_USE_TLS) ? MHD_OPTION_HTTPS_MEM_CERT
                                      : MHD_OPTION_END,
       0, (void *)o->tls_cert},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key},
      {MHD_OPTION_END, 0, NULL}};
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, ntohs(o->addr->sin_port), NULL, NULL, handler, handler_cls,
      MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)o->addr,
      MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
      o->timeout, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
      MHD_OPTION_NOTIFY_COMPLETED, completed, completed_cls,
      MHD_OPTION_NOTIFY_CONNECTION, notify, (void *)w, MHD_OPTION_ARRAY, tls,
      MHD_OPTION_END);
  if (!d) {
    sgxra__http_watch_free(w);
    return NULL;
  }
  if (out_watch) *out_watch = w;
  return d;
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
