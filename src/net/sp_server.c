/* The service provider over HTTP: see sgxra/sp_server.h.
 *
 * Each request: the first call of the handler (headers only) answers
 * /healthz and /metrics and refuses a body announced over max_body (413);
 * the next calls append the body (413 once it passes max_body: the rest is
 * discarded); the last call hands method, path, query, Authorization,
 * Content-Type and body to the core (src/net/sp.c) and queues its answer.
 * The completion callback writes the access-log line and the metrics.  The
 * shared parts (listen address, daemon, log line) are src/net/http.c's. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/internal.h"
#include "net/dl_mhd.h"
#include "net/http_internal.h"
#include "sgxra/file.h"
#include "sgxra/sp_server.h"

#define MAX_QUERY 16  /* query arguments passed to the core */
#define MAX_ROUTES 32 /* distinct route labels counted */
#define MAX_CODES 48  /* distinct error codes counted */
#define ROUTE_HEALTHZ "/healthz"
#define ROUTE_METRICS "/metrics"

static const unsigned statuses[] = {200, 201, 400, 401, 403, 404, 405,
                                    409, 410, 413, 415, 500, 503, 0};
#define N_STATUS (sizeof statuses / sizeof statuses[0])

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,  0.1,    0.25,  0.5,
                                 1,      2.5,   5,      10};
#define N_BUCKET (sizeof buckets / sizeof buckets[0])

typedef struct route_stats {
  const char *route; /* static (the core's or ours) */
  uint64_t by_status[N_STATUS];
  uint64_t bucket[N_BUCKET + 1]; /* last: +Inf */
  double sum;
  uint64_t count;
} route_stats;

struct sgxra_sp_server {
  struct MHD_Daemon *daemon;
  sgxra_sp *sp;
  sgxra_sp_server_clock_fn clock;
  void *clock_arg;
  int64_t now;
  FILE *log;
  size_t max_body;
  uint16_t port;
  char *tls_cert, *tls_key;
  atomic_uint_fast64_t requests;
  atomic_uint_fast64_t in_flight;
  pthread_mutex_t lock; /* guards the tables below */
  route_stats routes[MAX_ROUTES];
  size_t n_routes;
  struct {
    const char *code;
    uint64_t n;
  } codes[MAX_CODES];
  size_t n_codes;
  uint64_t trusted, refused;
};

typedef struct request {
  sgxra__http_req h;
  int counted;     /* in in_flight */
  int too_big;     /* 1: the body passed max_body; 2: no memory */
  char *body;      /* received so far */
  size_t len, cap; /* of body */
  const char *route;
  const char *code;
  char session[33];
  char token_name[72];
  int decision;
  int audited;
} request;

static int64_t now_of(const sgxra_sp_server *s) {
  return s->clock ? s->clock(s->clock_arg) : s->now;
}

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, request *rq,
                             unsigned status, const void *body, size_t n,
                             const char *type, const char *allow) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      n, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  if (allow) MHD_add_response_header(r, "Allow", allow);
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  rq->h.status = status;
  rq->h.bytes = n;
  return ret;
}

static enum MHD_Result fail_reply(struct MHD_Connection *conn, request *rq,
                                  unsigned status, const char *code,
                                  const char *fmt, ...) SGXRA__PRINTF(5, 6);
static enum MHD_Result fail_reply(struct MHD_Connection *conn, request *rq,
                                  unsigned status, const char *code,
                                  const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *o = json_pack("{s:s, s:s}", "code", code, "message", msg);
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!text) return MHD_NO;
  rq->code = code;
  enum MHD_Result r =
      reply(conn, rq, status, text, strlen(text), "application/json", NULL);
  free(text);
  return r;
}

/* ---- metrics ------------------------------------------------------------ */

static void observe(sgxra_sp_server *s, const request *rq, double seconds) {
  const char *route = rq->route ? rq->route : "other";
  pthread_mutex_lock(&s->lock);
  size_t i = 0;
  while (i < s->n_routes && strcmp(s->routes[i].route, route)) i++;
  if (i == s->n_routes && i < MAX_ROUTES) {
    memset(&s->routes[i], 0, sizeof s->routes[i]);
    s->routes[i].route = route;
    s->n_routes++;
  }
  if (i < s->n_routes) {
    route_stats *st = &s->routes[i];
    size_t k = 0;
    while (statuses[k] && statuses[k] != rq->h.status) k++;
    st->by_status[k]++;
    size_t b = 0;
    while (b < N_BUCKET && seconds > buckets[b]) b++;
    st->bucket[b]++;
    st->sum += seconds;
    st->count++;
  }
  if (rq->code) {
    size_t c = 0;
    while (c < s->n_codes && strcmp(s->codes[c].code, rq->code)) c++;
    if (c == s->n_codes && c < MAX_CODES) {
      s->codes[c].code = rq->code;
      s->codes[c].n = 0;
      s->n_codes++;
    }
    if (c < s->n_codes) s->codes[c].n++;
  }
  if (rq->decision == 1) s->trusted++;
  if (rq->decision == 0) s->refused++;
  pthread_mutex_unlock(&s->lock);
}

char *sgxra_sp_server_metrics(sgxra_sp_server *s) {
  if (!s) return NULL;
  sgxra__sbuf b = {.p = malloc(8192), .cap = 8192};
  if (!b.p) return NULL;
  b.p[0] = 0;
  pthread_mutex_lock(&s->lock);
  sgxra__sb_printf(
      &b, "# HELP sgxra_http_requests_total HTTP requests answered, by "
          "route and status.\n"
          "# TYPE sgxra_http_requests_total counter\n");
  for (size_t r = 0; r < s->n_routes; r++)
    for (size_t k = 0; k < N_STATUS; k++) {
      uint64_t n = s->routes[r].by_status[k];
      if (!n) continue;
      char st[16];
      if (statuses[k])
        snprintf(st, sizeof st, "%u", statuses[k]);
      else
        snprintf(st, sizeof st, "other");
      sgxra__sb_printf(&b,
                       "sgxra_http_requests_total{route=\"%s\",status=\"%s\"} "
                       "%" PRIu64 "\n",
                       s->routes[r].route, st, n);
    }
  sgxra__sb_printf(&b,
                   "# HELP sgxra_http_request_duration_seconds Time from the "
                   "request's headers to its completion.\n"
                   "# TYPE sgxra_http_request_duration_seconds histogram\n");
  for (size_t r = 0; r < s->n_routes; r++) {
    const route_stats *st = &s->routes[r];
    uint64_t cum = 0;
    for (size_t k = 0; k <= N_BUCKET; k++) {
      cum += st->bucket[k];
      if (k < N_BUCKET)
        sgxra__sb_printf(
            &b,
            "sgxra_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"%g\"} %" PRIu64 "\n",
            st->route, buckets[k], cum);
      else
        sgxra__sb_printf(
            &b,
            "sgxra_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"+Inf\"} %" PRIu64 "\n",
            st->route, cum);
    }
    sgxra__sb_printf(
        &b,
        "sgxra_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
        "sgxra_http_request_duration_seconds_count{route=\"%s\"} "
        "%" PRIu64 "\n",
        st->route, st->sum, st->route, st->count);
  }
  sgxra__sb_printf(
      &b,
      "# HELP sgxra_ra_decisions_total Appraisals answered in msg4, by "
      "decision.\n"
      "# TYPE sgxra_ra_decisions_total counter\n"
      "sgxra_ra_decisions_total{decision=\"trusted\"} %" PRIu64 "\n"
      "sgxra_ra_decisions_total{decision=\"refused\"} %" PRIu64 "\n",
      s->trusted, s->refused);
  sgxra__sb_printf(&b,
                   "# HELP sgxra_ra_errors_total Requests refused, by error "
                   "code.\n"
                   "# TYPE sgxra_ra_errors_total counter\n");
  for (size_t c = 0; c < s->n_codes; c++)
    sgxra__sb_printf(&b, "sgxra_ra_errors_total{code=\"%s\"} %" PRIu64 "\n",
                     s->codes[c].code, s->codes[c].n);
  pthread_mutex_unlock(&s->lock);
  if (b.failed) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

/* ---- the handler -------------------------------------------------------- */

static enum MHD_Result first_call(sgxra_sp_server *s,
                                  struct MHD_Connection *conn, request *rq,
                                  const char *method) {
  int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
  if (!strcmp(rq->h.path, ROUTE_HEALTHZ) ||
      !strcmp(rq->h.path, ROUTE_METRICS)) {
    rq->route =
        !strcmp(rq->h.path, ROUTE_HEALTHZ) ? ROUTE_HEALTHZ : ROUTE_METRICS;
    if (!get) {
      static const char body[] =
          "{\"code\":\"MethodNotAllowed\",\"message\":\"use GET\"}";
      rq->code = "MethodNotAllowed";
      return reply(conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED, body, sizeof body - 1,
                   "application/json", "GET");
    }
    return MHD_YES;
  }
  const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    char *end = NULL;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end != cl && n > s->max_body)
      return fail_reply(conn, rq, 413 /* Content Too Large */,
                        "PayloadTooLarge",
                        "request body of %llu bytes is over the limit of %zu "
                        "bytes",
                        n, s->max_body);
  }
  return MHD_YES;
}

static void append(sgxra_sp_server *s, request *rq, const char *data,
                   size_t n) {
  if (rq->too_big) return;
  if (n > s->max_body - rq->len) {
    rq->too_big = 1;
    free(rq->body);
    rq->body = NULL;
    rq->len = rq->cap = 0;
    return;
  }
  if (rq->len + n + 1 > rq->cap) {
    size_t nc = rq->cap ? 2 * rq->cap : 4096;
    while (nc < rq->len + n + 1) nc *= 2;
    if (nc > s->max_body + 1) nc = s->max_body + 1;
    char *np = realloc(rq->body, nc);
    if (!np) { /* answered 500 at the last call */
      rq->too_big = 2;
      return;
    }
    rq->body = np;
    rq->cap = nc;
  }
  memcpy(rq->body + rq->len, data, n);
  rq->len += n;
}

typedef struct query_acc {
  const char *kv[2 * MAX_QUERY + 1];
  size_t n; /* pairs */
} query_acc;

static enum MHD_Result query_it(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value) {
  (void)kind;
  query_acc *q = cls;
  if (q->n >= MAX_QUERY) return MHD_NO;
  q->kv[2 * q->n] = key;
  q->kv[2 * q->n + 1] = value ? value : "";
  q->n++;
  return MHD_YES;
}

static enum MHD_Result answer(sgxra_sp_server *s, struct MHD_Connection *conn,
                              request *rq, const char *url,
                              const char *method) {
  static const char ok[] = "{\"status\":\"ok\"}";
  if (rq->route && !strcmp(rq->route, ROUTE_HEALTHZ))
    return reply(conn, rq, MHD_HTTP_OK, ok, sizeof ok - 1, "application/json",
                 NULL);
  if (rq->route && !strcmp(rq->route, ROUTE_METRICS)) {
    char *m = sgxra_sp_server_metrics(s);
    if (!m)
      return fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
                        "InternalError", "out of memory");
    enum MHD_Result r = reply(conn, rq, MHD_HTTP_OK, m, strlen(m),
                              "text/plain; version=0.0.4; charset=utf-8", NULL);
    free(m);
    return r;
  }
  if (rq->too_big == 1)
    return fail_reply(conn, rq, 413 /* Content Too Large */, "PayloadTooLarge",
                      "request body is over the limit of %zu bytes",
                      s->max_body);
  if (rq->too_big)
    return fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalError",
                      "out of memory");
  query_acc q;
  memset(&q, 0, sizeof q);
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_it, &q);
  q.kv[2 * q.n] = NULL;
  sgxra_sp_request in = {
      .method = method,
      .path = url,
      .query = q.kv,
      .authorization = MHD_lookup_connection_value(
          conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
      .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE),
      .body = (const uint8_t *)rq->body,
      .body_len = rq->len};
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return MHD_NO;
  sgxra_sp_response out;
  memset(&out, 0, sizeof out);
  sgxra_err e = sgxra_sp_handle(cx, s->sp, &in, now_of(s), &out);
  enum MHD_Result r;
  rq->route = out.route;
  if (e || !out.status) {
    r = fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalError",
                   "the service failed: %s",
                   e ? sgxra_ctx_message(cx) : "no answer");
  } else {
    r = reply(conn, rq, out.status, out.body, out.body_len,
              out.content_type ? out.content_type : "application/json",
              out.allow);
    rq->code = out.code;
    rq->decision = out.decision;
    rq->audited = out.audited;
    memcpy(rq->session, out.session, sizeof rq->session);
    memcpy(rq->token_name, out.token_name, sizeof rq->token_name);
    sgxra__http_header_safe(rq->token_name);
  }
  sgxra_sp_response_clear(&out);
  sgxra_ctx_free(cx);
  return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls) {
  (void)version;
  sgxra_sp_server *s = cls;
  request *rq = *con_cls;
  if (!rq) {
    rq = calloc(1, sizeof(*rq));
    if (!rq) return MHD_NO;
    sgxra__http_req_begin(&rq->h, method, url);
    rq->decision = -1;
    *con_cls = rq;
    atomic_fetch_add(&s->in_flight, 1);
    rq->counted = 1;
    return first_call(s, conn, rq, method);
  }
  if (*upload_data_size) {
    if (!rq->h.status) append(s, rq, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (rq->h.status) return MHD_YES; /* answered at the first call */
  return answer(s, conn, rq, url, method);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)conn;
  sgxra_sp_server *s = cls;
  request *rq = *con_cls;
  if (!rq) return;
  if (rq->h.status) {
    atomic_fetch_add(&s->requests, 1);
    observe(s, rq, sgxra__http_req_seconds(&rq->h));
    char extra[256];
    size_t k = 0;
    extra[0] = 0;
    if (rq->session[0])
      k += (size_t)snprintf(extra + k, sizeof extra - k, "%ssession=%s",
                            k ? " " : "", rq->session);
    if (rq->code && k < sizeof extra)
      k += (size_t)snprintf(extra + k, sizeof extra - k, "%scode=%s",
                            k ? " " : "", rq->code);
    if (rq->decision >= 0 && k < sizeof extra)
      k += (size_t)snprintf(extra + k, sizeof extra - k, "%sdecision=%s",
                            k ? " " : "", rq->decision ? "trusted" : "refused");
    if (rq->token_name[0] && k < sizeof extra)
      k += (size_t)snprintf(extra + k, sizeof extra - k, "%stoken=%s",
                            k ? " " : "", rq->token_name);
    if (rq->audited && rq->h.status == 401 && k < sizeof extra)
      snprintf(extra + k, sizeof extra - k, "%sadmin write refused",
               k ? " " : "");
    sgxra__http_log(s->log, "sp", &rq->h, extra[0] ? extra : NULL,
                    toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
  }
  if (rq->counted) atomic_fetch_sub(&s->in_flight, 1);
  free(rq->body);
  free(rq);
  *con_cls = NULL;
}

/* ---- start / stop ------------------------------------------------------- */

static void server_free(sgxra_sp_server *s) {
  pthread_mutex_destroy(&s->lock);
  sgxra__http_tls_free(s->tls_cert, s->tls_key);
  free(s);
}

sgxra_err sgxra_sp_server_start(sgxra_ctx *cx, sgxra_sp *sp,
                                const sgxra_sp_server_options *opt,
                                sgxra_sp_server **out) {
  if (out) *out = NULL;
  if (!sp || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sp server: the service and output are required");
  sgxra_err le = sgxra__mhd_load(cx);
  if (le) return le;
  sgxra_sp_server_options o;
  memset(&o, 0, sizeof o);
  if (opt) o = *opt;
  const char *listen = o.listen ? o.listen : SGXRA_SP_DEFAULT_LISTEN;
  if (!o.tls_cert_path != !o.tls_key_path)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sp server: HTTPS needs both a certificate and its key "
                       "(--tls-cert and --tls-key)");
  struct sockaddr_in addr;
  sgxra_err e = sgxra__http_parse_listen(cx, listen, &addr);
  if (e) return e;
  sgxra_sp_server *s = calloc(1, sizeof(*s));
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  if (pthread_mutex_init(&s->lock, NULL)) {
    free(s);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  s->sp = sp;
  s->clock = o.clock;
  s->clock_arg = o.clock_arg;
  s->now = o.now;
  s->log = o.log;
  s->max_body = o.max_body ? o.max_body : SGXRA_SP_DEFAULT_MAX_BODY;
  if ((e = sgxra__http_tls_read(cx, o.tls_cert_path, o.tls_key_path,
                                &s->tls_cert, &s->tls_key))) {
    server_free(s);
    return e;
  }
  sgxra__http_daemon_opts d = {
      .addr = &addr,
      .threads = o.threads,
      .timeout = o.connection_timeout ? o.connection_timeout
                                      : SGXRA_SP_DEFAULT_TIMEOUT,
      .max_connections = o.max_connections ? o.max_connections
                                           : SGXRA_SP_DEFAULT_MAX_CONNECTIONS,
      .per_ip =
          o.per_ip_connections ? o.per_ip_connections : SGXRA_SP_DEFAULT_PER_IP,
      .extra_flags = MHD_USE_ITC | (s->tls_cert ? MHD_USE_TLS : 0),
      .tls_cert = s->tls_cert,
      .tls_key = s->tls_key,
      .handler = handler,
      .handler_cls = s,
      .completed = completed,
      .completed_cls = s};
  s->daemon = sgxra__http_start(&d);
  if (!s->daemon) {
    int tls = s->tls_cert != NULL;
    server_free(s);
    return sgxra__fail(cx, SGXRA_E_NET_LISTEN,
                       tls ? "sp: cannot listen on %s with HTTPS (port in use, "
                             "or a certificate/key libmicrohttpd refuses?)"
                           : "sp: cannot listen on %s (port in use or not "
                             "permitted?); choose another with --listen",
                       listen);
  }
  s->port = sgxra__http_port(s->daemon, ntohs(addr.sin_port));
  *out = s;
  return SGXRA_OK;
}

uint16_t sgxra_sp_server_port(const sgxra_sp_server *s) {
  return s ? s->port : 0;
}

uint64_t sgxra_sp_server_requests(const sgxra_sp_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_sp_server *)s)->requests) : 0;
}

uint64_t sgxra_sp_server_in_flight(const sgxra_sp_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_sp_server *)s)->in_flight) : 0;
}

uint64_t sgxra_sp_server_stop(sgxra_sp_server *s) {
  if (!s) return 0;
  uint64_t left =
      sgxra__http_drain_stop(s->daemon, &s->in_flight, SGXRA_SP_DRAIN_SECONDS);
  server_free(s);
  return left;
}
