/* sgxra_loadgen: a small HTTP/1.1 load generator for the service tests and
 * bench/bench_verifier (plain sockets, one thread per connection,
 * keep-alive; a connection the server closes is opened again).
 *
 *   sgxra_loadgen --port P [--host 127.0.0.1] [--conns N] [--requests N]
 *                 --req METHOD:PATH[:BODYFILE[:CONTENT-TYPE]] ...
 *
 * The requests are sent in turn from the --req list.  Prints
 *   requests N ok N errors N seconds S rate R p50_ms A p99_ms B
 *   status CODE COUNT   (one line per status)
 * "errors" counts connection failures and unparsable answers; exit 1 when
 * there were any. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LG_MAX_REQS 32
#define LG_MAX_STATUS 600

typedef struct loadgen_cfg {
  const char *host;
  unsigned port;
  unsigned conns;
  unsigned long requests;
  size_t n_reqs;
  char *raw[LG_MAX_REQS]; /* complete requests */
  size_t raw_len[LG_MAX_REQS];
} loadgen_cfg;

typedef struct loadgen_result {
  unsigned long done, errors;
  unsigned long status[LG_MAX_STATUS];
  double seconds, p50_ms, p99_ms, rate;
} loadgen_result;

typedef struct lg_shared {
  const loadgen_cfg *cfg;
  atomic_ulong next;
  atomic_ulong errors;
  atomic_ulong status[LG_MAX_STATUS];
  double *lat_ms; /* [requests] */
} lg_shared;

static double lg_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int lg_connect(const loadgen_cfg *c) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)c->port);
  inet_pton(AF_INET, c->host, &a.sin_addr);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct timeval tv = {30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int lg_send_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k <= 0) return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* One response on fd: its status, *close when the server closes after it.
 * -1 on error. */
static int lg_read_response(int fd, char *buf, size_t cap, int *close_after) {
  size_t have = 0;
  char *end = NULL;
  while (!end) {
    if (have == cap - 1) return -1;
    ssize_t k = recv(fd, buf + have, cap - 1 - have, 0);
    if (k <= 0) return -1;
    have += (size_t)k;
    buf[have] = 0;
    end = strstr(buf, "\r\n\r\n");
  }
  int status = 0;
  if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return -1;
  size_t head = (size_t)(end - buf) + 4;
  long clen = -1;
  *close_after = 0;
  for (char *l = strstr(buf, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n")) {
    if (!strncasecmp(l + 2, "Content-Length:", 15)) clen = atol(l + 17);
    if (!strncasecmp(l + 2, "Connection: close", 17)) *close_after = 1;
  }
  if (clen < 0) return -1;
  size_t body = have - head;
  while (body < (size_t)clen) {
    char tmp[16384];
    size_t want = (size_t)clen - body;
    ssize_t k = recv(fd, tmp, want < sizeof tmp ? want : sizeof tmp, 0);
    if (k <= 0) return -1;
    body += (size_t)k;
  }
  return status;
}

static void *lg_worker(void *arg) {
  lg_shared *sh = arg;
  const loadgen_cfg *c = sh->cfg;
  char *buf = malloc(1 << 16);
  int fd = -1;
  for (;;) {
    unsigned long i = atomic_fetch_add(&sh->next, 1);
    if (i >= c->requests) break;
    size_t r = i % c->n_reqs;
    double t0 = lg_now();
    int status = -1, close_after = 0;
    for (int attempt = 0; attempt < 2 && status < 0; attempt++) {
      if (fd < 0) fd = lg_connect(c);
      if (fd < 0) continue;
      if (lg_send_all(fd, c->raw[r], c->raw_len[r]) == 0)
        status = lg_read_response(fd, buf, 1 << 16, &close_after);
      if (status < 0 || close_after) {
        close(fd);
        fd = -1;
      }
    }
    sh->lat_ms[i] = (lg_now() - t0) * 1e3;
    if (status < 0 || status >= LG_MAX_STATUS)
      atomic_fetch_add(&sh->errors, 1);
    else
      atomic_fetch_add(&sh->status[status], 1);
  }
  if (fd >= 0) close(fd);
  free(buf);
  return NULL;
}

static int lg_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Build a request from METHOD:PATH[:BODYFILE[:CONTENT-TYPE]]; 0 or -1. */
static int loadgen_add(loadgen_cfg *c, const char *spec) {
  if (c->n_reqs == LG_MAX_REQS) return -1;
  char *s = strdup(spec);
  if (!s) return -1;
  char *method = s, *path = strchr(s, ':'), *file = NULL, *ctype = NULL;
  if (!path) {
    free(s);
    return -1;
  }
  *path++ = 0;
  if ((file = strchr(path, ':'))) {
    *file++ = 0;
    if ((ctype = strchr(file, ':'))) *ctype++ = 0;
  }
  char *body = NULL;
  size_t blen = 0;
  if (file && *file) {
    FILE *f = fopen(file, "rb");
    if (!f) {
      free(s);
      return -1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    body = malloc((size_t)n + 1);
    if (!body || fread(body, 1, (size_t)n, f) != (size_t)n) {
      fclose(f);
      free(body);
      free(s);
      return -1;
    }
    fclose(f);
    blen = (size_t)n;
  }
  size_t cap = blen + 512 + strlen(path);
  char *raw = malloc(cap);
  if (!raw) {
    free(body);
    free(s);
    return -1;
  }
  int h =
      snprintf(raw, cap,
               "%s %s HTTP/1.1\r\nHost: %s:%u\r\n%s%s%sContent-Length: "
               "%zu\r\n\r\n",
               method, path, c->host, c->port, ctype ? "Content-Type: " : "",
               ctype ? ctype : "", ctype ? "\r\n" : "", blen);
  if (blen) memcpy(raw + h, body, blen);
  c->raw[c->n_reqs] = raw;
  c->raw_len[c->n_reqs] = (size_t)h + blen;
  c->n_reqs++;
  free(body);
  free(s);
  return 0;
}

static int loadgen_run(const loadgen_cfg *c, loadgen_result *out) {
  memset(out, 0, sizeof *out);
  lg_shared *sh = calloc(1, sizeof *sh);
  if (!sh) return -1;
  sh->cfg = c;
  sh->lat_ms = calloc(c->requests ? c->requests : 1, sizeof(double));
  pthread_t *th = calloc(c->conns, sizeof *th);
  if (!sh->lat_ms || !th) {
    free(sh->lat_ms);
    free(sh);
    free(th);
    return -1;
  }
  double t0 = lg_now();
  unsigned started = 0;
  for (; started < c->conns; started++)
    if (pthread_create(&th[started], NULL, lg_worker, sh)) break;
  for (unsigned i = 0; i < started; i++) pthread_join(th[i], NULL);
  out->seconds = lg_now() - t0;
  out->done = c->requests;
  out->errors = atomic_load(&sh->errors);
  for (int i = 0; i < LG_MAX_STATUS; i++)
    out->status[i] = atomic_load(&sh->status[i]);
  qsort(sh->lat_ms, c->requests, sizeof(double), lg_cmp);
  if (c->requests) {
    out->p50_ms = sh->lat_ms[c->requests / 2];
    out->p99_ms = sh->lat_ms[(c->requests * 99) / 100];
  }
  out->rate = out->seconds > 0 ? (double)c->requests / out->seconds : 0;
  free(sh->lat_ms);
  free(sh);
  free(th);
  return 0;
}

#ifndef LOADGEN_NO_MAIN
int main(int argc, char **argv) {
  loadgen_cfg c;
  memset(&c, 0, sizeof c);
  c.host = "127.0.0.1";
  c.conns = 8;
  c.requests = 1000;
  const char *specs[LG_MAX_REQS];
  size_t n_specs = 0;
  for (int i = 1; i < argc; i += 2) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      fprintf(stderr, "sgxra_loadgen: %s needs a value\n", a);
      return 2;
    }
    if (!strcmp(a, "--host"))
      c.host = v;
    else if (!strcmp(a, "--port"))
      c.port = (unsigned)atoi(v);
    else if (!strcmp(a, "--conns"))
      c.conns = (unsigned)atoi(v);
    else if (!strcmp(a, "--requests"))
      c.requests = strtoul(v, NULL, 10);
    else if (!strcmp(a, "--req") && n_specs < LG_MAX_REQS)
      specs[n_specs++] = v;
    else {
      fprintf(stderr, "sgxra_loadgen: unknown option %s\n", a);
      return 2;
    }
  }
  for (size_t i = 0; i < n_specs; i++)
    if (loadgen_add(&c, specs[i])) {
      fprintf(stderr, "sgxra_loadgen: bad --req %s\n", specs[i]);
      return 2;
    }
  if (!c.port || !c.n_reqs || !c.conns) {
    fprintf(stderr, "usage: sgxra_loadgen --port P [--host H] [--conns N] "
                    "[--requests N] --req METHOD:PATH[:BODYFILE[:TYPE]]...\n");
    return 2;
  }
  loadgen_result r;
  if (loadgen_run(&c, &r)) return 2;
  printf("requests %lu ok %lu errors %lu seconds %.3f rate %.1f p50_ms %.3f "
         "p99_ms %.3f\n",
         r.done, r.done - r.errors, r.errors, r.seconds, r.rate, r.p50_ms,
         r.p99_ms);
  for (int i = 0; i < LG_MAX_STATUS; i++)
    if (r.status[i]) printf("status %d %lu\n", i, r.status[i]);
  for (size_t i = 0; i < c.n_reqs; i++) free(c.raw[i]);
  return r.errors ? 1 : 0;
}
#endif
