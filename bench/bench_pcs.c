/* bench_pcs: requests per second of the simulated Intel PCS (sgxra/pcs.h)
 * at 1, 64 and 512 concurrent keep-alive connections, and the time one
 * legitimate client waits for an answer while 2,000 idle connections (a
 * connect and half a request line each, never finished) are held open
 * (issue 14).
 *
 * Setup: a temporary simulated Intel CA with one PCK (FMSPC 00906ED50000),
 * served on 127.0.0.1:0 by sgxra_pcs_start with the defaults (a thread per
 * online CPU, epoll, 10 s idle timeout) except the connection limits: the
 * load comes from one address, so the per-IP limit is raised to let 2,000
 * idle connections in (the default per-IP limit would refuse most of them,
 * which is the point of that limit, not what is measured here).
 *
 * The load generator is in this file: one thread per connection, each
 * sending "GET /sgx/certification/v4/tcb?fmspc=00906ED50000" (a signed TCB
 * Info of about 2.7 KB, from the prepared set) on a keep-alive connection
 * and reading the whole answer (Content-Length) before the next request.
 * Client and server share the machine, so the numbers are a floor.
 *
 * usage: bench_pcs [SECONDS]   (per concurrency level; default 2) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sgxra/crypto.h"
#include "sgxra/intelca.h"
#include "sgxra/pcs.h"

#define NOW 1767225600
#define IDLE 2000
#define PATH "/sgx/certification/v4/tcb?fmspc=00906ED50000"

static uint16_t port;
static atomic_int stop;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int connect_server(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {.tv_sec = 20};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* One request on fd; the status, or -1 on a broken connection. */
static int request(int fd) {
  static const char req[] = "GET " PATH " HTTP/1.1\r\nHost: bench\r\n\r\n";
  if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)sizeof req - 1)
    return -1;
  char buf[16384];
  size_t have = 0;
  char *end = NULL;
  while (!end) {
    if (have == sizeof buf - 1) return -1;
    ssize_t k = recv(fd, buf + have, sizeof buf - 1 - have, 0);
    if (k <= 0) return -1;
    have += (size_t)k;
    buf[have] = 0;
    end = strstr(buf, "\r\n\r\n");
  }
  int status = 0;
  if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return -1;
  size_t body = 0;
  for (const char *l = strstr(buf, "\r\n"); l && l < end;
       l = strstr(l + 2, "\r\n"))
    if (!strncasecmp(l + 2, "Content-Length:", 15)) {
      body = strtoul(l + 17, NULL, 10);
      break;
    }
  size_t got = have - (size_t)(end + 4 - buf);
  while (got < body) {
    ssize_t k = recv(fd, buf, sizeof buf, 0);
    if (k <= 0) return -1;
    got += (size_t)k;
  }
  return status;
}

typedef struct worker {
  pthread_t t;
  long done, failed;
} worker;

static void *worker_run(void *arg) {
  worker *w = arg;
  int fd = connect_server();
  while (!atomic_load(&stop)) {
    if (fd < 0 && (fd = connect_server()) < 0) {
      w->failed++;
      continue;
    }
    int st = request(fd);
    if (st == 200) {
      w->done++;
    } else {
      w->failed++;
      close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) close(fd);
  return NULL;
}

static void load(int conns, double seconds) {
  worker *w = calloc((size_t)conns, sizeof *w);
  if (!w) return;
  atomic_store(&stop, 0);
  double t0 = now_s();
  int started = 0;
  for (; started < conns; started++)
    if (pthread_create(&w[started].t, NULL, worker_run, &w[started])) break;
  while (now_s() - t0 < seconds) usleep(10000);
  atomic_store(&stop, 1);
  long done = 0, failed = 0;
  for (int i = 0; i < started; i++) {
    pthread_join(w[i].t, NULL);
    done += w[i].done;
    failed += w[i].failed;
  }
  double el = now_s() - t0;
  printf("%-34s %6d %12.0f %10.3f %8ld\n", "GET tcb (keep-alive)", started,
         (double)done / el, done ? el * 1e3 * started / (double)done : 0.0,
         failed);
  free(w);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 2.0;
  if (seconds <= 0) seconds = 2.0;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  char dir[] = "/tmp/bench_pcs.XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char cadir[64];
  snprintf(cadir, sizeof cadir, "%s/ca", dir);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_intelca *ca = NULL;
  sgxra_p256_key *k = NULL;
  char *pem = NULL;
  sgxra_pck_ext in;
  memset(&in, 0, sizeof in);
  const uint8_t fm[6] = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  memcpy(in.fmspc, fm, 6);
  in.pcesvn = 13;
  in.dynamic_platform = in.cached_keys = in.smt_enabled = -1;
  sgxra_pcs_server *srv = NULL;
  sgxra_pcs_options opt = {.listen = "127.0.0.1:0",
                           .now = NOW,
                           .max_connections = 3 * IDLE,
                           .per_ip_connections = 3 * IDLE};
  if (sgxra_intelca_create(cx, cadir, NOW, &ca) ||
      sgxra_p256_generate(cx, &k) ||
      sgxra_intelca_issue_pck(cx, ca, &in, k, NOW, &pem, NULL) ||
      sgxra_pcs_start(cx, cadir, &opt, &srv)) {
    fprintf(stderr, "bench_pcs: %s\n", sgxra_ctx_message(cx));
    return 1;
  }
  port = sgxra_pcs_port(srv);
  printf("bench_pcs: simulated PCS on 127.0.0.1:%u, %ld CPUs, %.1f s per "
         "row\n\n",
         port, sysconf(_SC_NPROCESSORS_ONLN), seconds);
  printf("%-34s %6s %12s %10s %8s\n", "what", "conns", "requests/s", "ms/req",
         "failed");
  int levels[] = {1, 64, 512};
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
    load(levels[i], seconds);

  /* 2,000 idle connections, each with half a request line. */
  int *idle = malloc(IDLE * sizeof *idle);
  int opened = 0;
  for (; idle && opened < IDLE; opened++) {
    idle[opened] = connect_server();
    if (idle[opened] < 0) break;
    send(idle[opened], "GET /sgx/cert", 13, MSG_NOSIGNAL);
  }
  usleep(200000); /* let the server accept them all */
  enum { SAMPLES = 50 };
  double ms[SAMPLES];
  int ok = 0;
  for (int i = 0; i < SAMPLES; i++) {
    double t0 = now_s();
    int fd = connect_server();
    int st = fd >= 0 ? request(fd) : -1;
    if (fd >= 0) close(fd);
    ms[i] = (now_s() - t0) * 1e3;
    ok += st == 200;
  }
  qsort(ms, SAMPLES, sizeof ms[0], cmp_double);
  printf("\nwith %d idle connections held open (half a request line "
         "each):\n",
         opened);
  printf("  one new client, connect + GET tcb: %d/%d answered 200, median "
         "%.2f ms, max %.2f ms\n",
         ok, SAMPLES, ms[SAMPLES / 2], ms[SAMPLES - 1]);
  for (int i = 0; i < opened; i++) close(idle[i]);
  free(idle);

  printf("\nprepared (signed) sets: %llu for %llu requests\n",
         (unsigned long long)sgxra_pcs_preparations(srv),
         (unsigned long long)sgxra_pcs_requests(srv));
  sgxra_pcs_stop(srv);
  free(pem);
  sgxra_p256_free(k);
  sgxra_intelca_free(ca);
  sgxra_ctx_free(cx);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "bench_pcs: could not remove %s\n", dir);
  return ok == SAMPLES ? 0 : 1;
}
