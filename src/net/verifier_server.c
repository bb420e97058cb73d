/* The attestation service over HTTP: see sgxra/verifier_server.h.
 *
 * Each request: the first call of the handler (headers only) finds the
 * route and refuses what needs no body (404, 405, 413 by Content-Length,
 * 415); the next calls append the body (413 once it passes max_body: the
 * rest is discarded); the last call asks the core and queues its answer.
 * The completion callback writes the access-log line and the metrics. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "core/internal.h"
#include "net/dl_mhd.h"
#include "net/http_internal.h"
#include "sgxra/file.h"
#include "sgxra/verifier_server.h"

#define MAX_VERDICTS 24
#define MAX_FMSPCS 64

enum route {
  RT_ATTEST,
  RT_NONCE,
  RT_CERTS,
  RT_IAS,
  RT_HEALTHZ,
  RT_METRICS,
  RT_OTHER,
  RT_COUNT
};

static const struct {
  const char *path;
  const char *method; /* the one allowed */
} routes[RT_COUNT] = {
    [RT_ATTEST] = {"/v1/attest", "POST"},
    [RT_NONCE] = {"/v1/nonce", "GET"},
    [RT_CERTS] = {"/v1/certs", "GET"},
    [RT_IAS] = {"/attestation/v5/report", "POST"},
    [RT_HEALTHZ] = {"/healthz", "GET"},
    [RT_METRICS] = {"/metrics", "GET"},
    [RT_OTHER] = {"other", ""},
};

/* The statuses counted by name; anything else is counted as "other". */
static const unsigned statuses[] = {200, 400, 404, 405, 413, 415, 500, 503, 0};
#define N_STATUS (sizeof statuses / sizeof statuses[0])

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,  0.1,    0.25,  0.5,
                                 1,      2.5,   5,      10};
#define N_BUCKET (sizeof buckets / sizeof buckets[0])

typedef struct route_stats {
  atomic_uint_fast64_t by_status[N_STATUS];
  atomic_uint_fast64_t bucket[N_BUCKET + 1]; /* last: +Inf */
  atomic_uint_fast64_t sum_us;
  atomic_uint_fast64_t count;
} route_stats;

struct sgxra_verifier_server {
  struct MHD_Daemon *daemon;
  sgxra_verifier_service *v;
  sgxra_verifier_server_clock_fn clock;
  void *clock_arg;
  int64_t now;
  FILE *log;
  size_t max_body;
  uint16_t port;
  char *tls_cert, *tls_key;
  atomic_uint_fast64_t requests;
  atomic_uint_fast64_t in_flight;
  route_stats rs[RT_COUNT];
  atomic_uint_fast64_t cache_hit, cache_miss;
  pthread_mutex_t lock; /* guards the two tables below */
  struct {
    const char *name; /* the core's static string */
    uint64_t n;
  } verdicts[MAX_VERDICTS];
  size_t n_verdicts;
  struct {
    char fmspc[13];
    int64_t fetched_at;
  } fmspcs[MAX_FMSPCS];
  size_t n_fmspcs;
};

typedef struct request {
  sgxra__http_req h;
  enum route route;
  int counted;     /* in in_flight */
  int too_big;     /* the body passed max_body */
  char *body;      /* received so far */
  size_t len, cap; /* of body */
  const char *verdict;
} request;

static int64_t now_of(const sgxra_verifier_server *s) {
  return s->clock ? s->clock(s->clock_arg) : s->now;
}

/* ---- responses ---------------------------------------------------------- */

/* Queue `body` (copied) with `type` and (name, value) header pairs ending
 * with NULL. */
static enum MHD_Result reply(struct MHD_Connection *conn, request *rq,
                             unsigned status, const char *body, size_t n,
                             const char *type, ...) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      n, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  va_list ap;
  va_start(ap, type);
  const char *name;
  while ((name = va_arg(ap, const char *)) != NULL) {
    const char *value = va_arg(ap, const char *);
    if (value) MHD_add_response_header(r, name, value);
  }
  va_end(ap);
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  rq->h.status = status;
  rq->h.bytes = n;
  return ret;
}

/* {"code": code, "message": ...} with `status`; `allow` the Allow header
 * of a 405 (else NULL). */
static enum MHD_Result fail_reply(struct MHD_Connection *conn, request *rq,
                                  unsigned status, const char *code,
                                  const char *allow, const char *fmt, ...)
    SGXRA__PRINTF(6, 7);
static enum MHD_Result fail_reply(struct MHD_Connection *conn, request *rq,
                                  unsigned status, const char *code,
                                  const char *allow, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *o = json_pack("{s:s, s:s}", "code", code, "message", msg);
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  if (!text) return MHD_NO;
  enum MHD_Result r =
      reply(conn, rq, status, text, strlen(text), "application/json", "Allow",
            allow, (const char *)NULL);
  free(text);
  return r;
}

/* ---- metrics ------------------------------------------------------------ */

static void count_verdict(sgxra_verifier_server *s, const char *verdict) {
  pthread_mutex_lock(&s->lock);
  size_t i = 0;
  for (; i < s->n_verdicts; i++)
    if (s->verdicts[i].name == verdict || !strcmp(s->verdicts[i].name, verdict))
      break;
  if (i == s->n_verdicts && i < MAX_VERDICTS) {
    s->verdicts[i].name = verdict;
    s->verdicts[i].n = 0;
    s->n_verdicts++;
  }
  if (i < s->n_verdicts) s->verdicts[i].n++;
  pthread_mutex_unlock(&s->lock);
}

static void note_collateral(sgxra_verifier_server *s,
                            const sgxra_verifier_response *r) {
  if (r->collateral_fetched_at) {
    if (r->collateral_from_cache)
      atomic_fetch_add(&s->cache_hit, 1);
    else
      atomic_fetch_add(&s->cache_miss, 1);
  }
  if (!r->fmspc[0] || !r->collateral_fetched_at) return;
  pthread_mutex_lock(&s->lock);
  size_t i = 0;
  for (; i < s->n_fmspcs; i++)
    if (!strcmp(s->fmspcs[i].fmspc, r->fmspc)) break;
  if (i == s->n_fmspcs && i < MAX_FMSPCS) {
    snprintf(s->fmspcs[i].fmspc, sizeof s->fmspcs[i].fmspc, "%s", r->fmspc);
    sgxra__http_header_safe(s->fmspcs[i].fmspc);
    s->n_fmspcs++;
  }
  if (i < s->n_fmspcs) s->fmspcs[i].fetched_at = r->collateral_fetched_at;
  pthread_mutex_unlock(&s->lock);
}

static void observe(sgxra_verifier_server *s, const request *rq,
                    double seconds) {
  route_stats *st = &s->rs[rq->route];
  size_t k = 0;
  while (statuses[k] && statuses[k] != rq->h.status) k++;
  atomic_fetch_add(&st->by_status[k], 1);
  size_t b = 0;
  while (b < N_BUCKET && seconds > buckets[b]) b++;
  atomic_fetch_add(&st->bucket[b], 1); /* cumulated when rendered */
  atomic_fetch_add(&st->sum_us, (uint_fast64_t)(seconds * 1e6));
  atomic_fetch_add(&st->count, 1);
}

char *sgxra_verifier_server_metrics(sgxra_verifier_server *s) {
  if (!s) return NULL;
  sgxra__sbuf b = {.p = malloc(8192), .cap = 8192};
  if (!b.p) return NULL;
  b.p[0] = 0;
  sgxra__sb_printf(
      &b, "# HELP sgxra_http_requests_total HTTP requests answered, by "
          "route and status.\n"
          "# TYPE sgxra_http_requests_total counter\n");
  for (size_t r = 0; r < RT_COUNT; r++)
    for (size_t k = 0; k < N_STATUS; k++) {
      uint64_t n = atomic_load(&s->rs[r].by_status[k]);
      if (!n) continue;
      char st[16];
      if (statuses[k])
        snprintf(st, sizeof st, "%u", statuses[k]);
      else
        snprintf(st, sizeof st, "other");
      sgxra__sb_printf(&b,
                       "sgxra_http_requests_total{route=\"%s\",status=\"%s\"} "
                       "%" PRIu64 "\n",
                       routes[r].path, st, n);
    }
  sgxra__sb_printf(&b,
                   "# HELP sgxra_http_request_duration_seconds Time from the "
                   "request's headers to its completion.\n"
                   "# TYPE sgxra_http_request_duration_seconds histogram\n");
  for (size_t r = 0; r < RT_COUNT; r++) {
    const route_stats *st = &s->rs[r];
    uint64_t count = atomic_load(&st->count);
    if (!count) continue;
    uint64_t cum = 0;
    for (size_t k = 0; k <= N_BUCKET; k++) {
      cum += atomic_load(&st->bucket[k]);
      if (k < N_BUCKET)
        sgxra__sb_printf(
            &b,
            "sgxra_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"%g\"} %" PRIu64 "\n",
            routes[r].path, buckets[k], cum);
      else
        sgxra__sb_printf(
            &b,
            "sgxra_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"+Inf\"} %" PRIu64 "\n",
            routes[r].path, cum);
    }
    sgxra__sb_printf(
        &b,
        "sgxra_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
        "sgxra_http_request_duration_seconds_count{route=\"%s\"} "
        "%" PRIu64 "\n",
        routes[r].path, (double)atomic_load(&st->sum_us) / 1e6, routes[r].path,
        cum);
  }
  sgxra__sb_printf(&b, "# HELP sgxra_verdicts_total Verifications by verdict.\n"
                       "# TYPE sgxra_verdicts_total counter\n");
  int64_t now = now_of(s);
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0; i < s->n_verdicts; i++)
    sgxra__sb_printf(&b, "sgxra_verdicts_total{verdict=\"%s\"} %" PRIu64 "\n",
                     s->verdicts[i].name, s->verdicts[i].n);
  sgxra__sb_printf(&b,
                   "# HELP sgxra_collateral_age_seconds Age of the collateral "
                   "last used for the FMSPC.\n"
                   "# TYPE sgxra_collateral_age_seconds gauge\n");
  for (size_t i = 0; i < s->n_fmspcs; i++)
    sgxra__sb_printf(&b,
                     "sgxra_collateral_age_seconds{fmspc=\"%s\"} %" PRId64 "\n",
                     s->fmspcs[i].fmspc, now - s->fmspcs[i].fetched_at);
  pthread_mutex_unlock(&s->lock);
  sgxra__sb_printf(&b,
                   "# HELP sgxra_collateral_cache_total Collateral lookups by "
                   "result.\n"
                   "# TYPE sgxra_collateral_cache_total counter\n"
                   "sgxra_collateral_cache_total{result=\"hit\"} %" PRIu64 "\n"
                   "sgxra_collateral_cache_total{result=\"miss\"} %" PRIu64
                   "\n",
                   (uint64_t)atomic_load(&s->cache_hit),
                   (uint64_t)atomic_load(&s->cache_miss));
  if (b.failed) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

/* ---- the handler -------------------------------------------------------- */

static enum route route_of(const char *url) {
  for (size_t i = 0; i < RT_OTHER; i++)
    if (!strcmp(url, routes[i].path)) return (enum route)i;
  return RT_OTHER;
}

static int is_json(const char *ct) {
  static const char want[] = "application/json";
  if (!ct) return 0;
  while (*ct == ' ') ct++;
  if (strncasecmp(ct, want, sizeof want - 1)) return 0;
  ct += sizeof want - 1;
  while (*ct == ' ') ct++;
  return *ct == 0 || *ct == ';';
}

/* The first call: refuse what the headers suffice to refuse. */
static enum MHD_Result first_call(sgxra_verifier_server *s,
                                  struct MHD_Connection *conn, request *rq,
                                  const char *url, const char *method) {
  if (rq->route == RT_OTHER)
    return fail_reply(conn, rq, MHD_HTTP_NOT_FOUND, "NotFound", NULL,
                      "no such path %.200s: served are POST /v1/attest, GET "
                      "/v1/nonce, GET /v1/certs, POST "
                      "/attestation/v5/report, GET /healthz, GET /metrics",
                      url);
  const char *want = routes[rq->route].method;
  int head_ok = !strcmp(want, "GET") && !strcmp(method, "HEAD");
  if (strcmp(method, want) && !head_ok)
    return fail_reply(conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed",
                      want, "method %.16s not allowed on %s: use %s",
                      rq->h.method, routes[rq->route].path, want);
  if (strcmp(want, "POST")) return MHD_YES;
  const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    char *end = NULL;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end != cl && n > s->max_body)
      return fail_reply(conn, rq, 413 /* Content Too Large */,
                        "PayloadTooLarge", NULL,
                        "request body of %llu bytes is over the limit of %zu "
                        "bytes",
                        n, s->max_body);
  }
  const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!is_json(ct)) {
    char shown[80];
    snprintf(shown, sizeof shown, "%s", ct ? ct : "(none)");
    sgxra__http_header_safe(shown);
    return fail_reply(conn, rq, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                      "UnsupportedMediaType", NULL,
                      "Content-Type must be application/json, got %s", shown);
  }
  return MHD_YES;
}

static void append(sgxra_verifier_server *s, request *rq, const char *data,
                   size_t n) {
  if (rq->too_big) return;
  if (n > s->max_body - rq->len) {
    rq->too_big = 1;
    free(rq->body);
    rq->body = NULL;
    rq->len = rq->cap = 0;
    return;
  }
  if (rq->len + n > rq->cap) {
    size_t nc = rq->cap ? 2 * rq->cap : 4096;
    while (nc < rq->len + n) nc *= 2;
    if (nc > s->max_body) nc = s->max_body;
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

static enum MHD_Result answer(sgxra_verifier_server *s,
                              struct MHD_Connection *conn, request *rq) {
  static const char ok[] = "{\"status\":\"ok\"}";
  if (rq->route == RT_HEALTHZ)
    return reply(conn, rq, MHD_HTTP_OK, ok, sizeof ok - 1, "application/json",
                 (const char *)NULL);
  if (rq->route == RT_METRICS) {
    char *m = sgxra_verifier_server_metrics(s);
    if (!m)
      return fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
                        "InternalError", NULL, "out of memory");
    enum MHD_Result r =
        reply(conn, rq, MHD_HTTP_OK, m, strlen(m),
              "text/plain; version=0.0.4; charset=utf-8", (const char *)NULL);
    free(m);
    return r;
  }
  if (rq->too_big == 1)
    return fail_reply(conn, rq, 413 /* Content Too Large */, "PayloadTooLarge",
                      NULL, "request body is over the limit of %zu bytes",
                      s->max_body);
  if (rq->too_big)
    return fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalError",
                      NULL, "out of memory");
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return MHD_NO;
  sgxra_verifier_response out;
  memset(&out, 0, sizeof out);
  int64_t now = now_of(s);
  const uint8_t *body =
      rq->body ? (const uint8_t *)rq->body : (const uint8_t *)"";
  sgxra_err e;
  switch (rq->route) {
  case RT_ATTEST:
    e = sgxra_verifier_attest(cx, s->v, body, rq->len, now, &out);
    break;
  case RT_IAS:
    e = sgxra_verifier_ias_report(cx, s->v, body, rq->len, now, &out);
    break;
  case RT_NONCE:
    e = sgxra_verifier_nonce(cx, s->v, now, &out);
    break;
  default:
    e = sgxra_verifier_jwks(cx, s->v, &out);
    break;
  }
  enum MHD_Result r;
  if (e || !out.body || !out.status) {
    r = fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalError",
                   NULL, "the verifier failed: %s",
                   e ? sgxra_ctx_message(cx) : "no answer");
  } else {
    r = reply(conn, rq, out.status, out.body, out.body_len,
              out.content_type ? out.content_type : "application/json",
              "X-IASReport-Signature", out.ias_signature,
              "X-IASReport-Signing-Certificate", out.ias_signing_certificate,
              (const char *)NULL);
    if (out.verdict) {
      rq->verdict = out.verdict;
      count_verdict(s, out.verdict);
    }
    note_collateral(s, &out);
  }
  sgxra_verifier_response_clear(&out);
  sgxra_ctx_free(cx);
  return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls) {
  (void)version;
  sgxra_verifier_server *s = cls;
  request *rq = *con_cls;
  if (!rq) {
    rq = calloc(1, sizeof(*rq));
    if (!rq) return MHD_NO;
    sgxra__http_req_begin(&rq->h, method, url);
    rq->route = route_of(url);
    *con_cls = rq;
    atomic_fetch_add(&s->in_flight, 1);
    rq->counted = 1;
    return first_call(s, conn, rq, url, method);
  }
  if (*upload_data_size) {
    if (!rq->h.status) append(s, rq, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (rq->h.status) return MHD_YES; /* answered at the first call */
  return answer(s, conn, rq);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)conn;
  sgxra_verifier_server *s = cls;
  request *rq = *con_cls;
  if (!rq) return;
  if (rq->h.status) {
    atomic_fetch_add(&s->requests, 1);
    observe(s, rq, sgxra__http_req_seconds(&rq->h));
    char extra[48];
    if (rq->verdict) snprintf(extra, sizeof extra, "verdict=%s", rq->verdict);
    sgxra__http_log(s->log, "verifier", &rq->h, rq->verdict ? extra : NULL,
                    toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
  }
  if (rq->counted) atomic_fetch_sub(&s->in_flight, 1);
  free(rq->body);
  free(rq);
  *con_cls = NULL;
}

/* ---- start / stop ------------------------------------------------------- */

static void server_free(sgxra_verifier_server *s) {
  pthread_mutex_destroy(&s->lock);
  sgxra__http_tls_free(s->tls_cert, s->tls_key);
  free(s);
}

sgxra_err sgxra_verifier_server_start(sgxra_ctx *cx, sgxra_verifier_service *v,
                                      const sgxra_verifier_server_options *opt,
                                      sgxra_verifier_server **out) {
  if (out) *out = NULL;
  if (!v || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "verifier server: the verifier and output are "
                       "required");
  sgxra_err le = sgxra__mhd_load(cx);
  if (le) return le;
  sgxra_verifier_server_options o;
  memset(&o, 0, sizeof o);
  if (opt) o = *opt;
  const char *listen = o.listen ? o.listen : SGXRA_VERIFIER_DEFAULT_LISTEN;
  if (!o.tls_cert_path != !o.tls_key_path)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "verifier server: HTTPS needs both a certificate and "
                       "its key (--tls-cert and --tls-key)");
  struct sockaddr_in addr;
  sgxra_err e = sgxra__http_parse_listen(cx, listen, &addr);
  if (e) return e;
  sgxra_verifier_server *s = calloc(1, sizeof(*s));
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  if (pthread_mutex_init(&s->lock, NULL)) {
    free(s);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  s->v = v;
  s->clock = o.clock;
  s->clock_arg = o.clock_arg;
  s->now = o.now;
  s->log = o.log;
  s->max_body = o.max_body ? o.max_body : SGXRA_VERIFIER_DEFAULT_MAX_BODY;
  if ((e = sgxra__http_tls_read(cx, o.tls_cert_path, o.tls_key_path,
                                &s->tls_cert, &s->tls_key))) {
    server_free(s);
    return e;
  }
  sgxra__http_daemon_opts d = {
      .addr = &addr,
      .threads = o.threads,
      .timeout = o.connection_timeout ? o.connection_timeout
                                      : SGXRA_VERIFIER_DEFAULT_TIMEOUT,
      .max_connections = o.max_connections
                             ? o.max_connections
                             : SGXRA_VERIFIER_DEFAULT_MAX_CONNECTIONS,
      .per_ip = o.per_ip_connections ? o.per_ip_connections
                                     : SGXRA_VERIFIER_DEFAULT_PER_IP,
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
                       tls ? "verifier: cannot listen on %s with HTTPS (port "
                             "in use, or a certificate/key libmicrohttpd "
                             "refuses?)"
                           : "verifier: cannot listen on %s (port in use or "
                             "not permitted?); choose another with --listen",
                       listen);
  }
  s->port = sgxra__http_port(s->daemon, ntohs(addr.sin_port));
  *out = s;
  return SGXRA_OK;
}

uint16_t sgxra_verifier_server_port(const sgxra_verifier_server *s) {
  return s ? s->port : 0;
}

uint64_t sgxra_verifier_server_requests(const sgxra_verifier_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_verifier_server *)s)->requests) : 0;
}

uint64_t sgxra_verifier_server_in_flight(const sgxra_verifier_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_verifier_server *)s)->in_flight)
           : 0;
}

uint64_t sgxra_verifier_server_stop(sgxra_verifier_server *s) {
  if (!s) return 0;
  uint64_t left = sgxra__http_drain_stop(s->daemon, &s->in_flight,
                                         SGXRA_VERIFIER_DRAIN_SECONDS);
  server_free(s);
  return left;
}
