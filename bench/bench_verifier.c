/* Benchmark of the attestation service over HTTP (`sgxra serve verifier`,
 * sgxra/verifier_server.h) against the same verification in process.
 *
 * One real bundle (sgx-01 of the vectors) as --collateral, verification at
 * its expected time.  Measured in the same run:
 *   in-process  sgxra_verifier_attest on the same request body in a loop,
 *               on 1 thread and on one thread per online CPU
 *   http        POST /v1/attest over loopback with keep-alive
 *               (tests/net/loadgen.c) at 8, 16 and 32 connections, the
 *               server in this process with one thread per online CPU
 * and the ratio http / in-process(all CPUs): the target is
 * >= 0.7.  p50/p99 are per-request latencies seen by the client.
 *
 * usage: bench_verifier [REQUESTS per HTTP run, default 4000] */
#define LOADGEN_NO_MAIN
#include "../tests/net/loadgen.c"

#include <jansson.h>

#include "sgxra/base64.h"
#include "sgxra/file.h"
#include "sgxra/verifier.h"
#include "sgxra/verifier_server.h"

#define BUNDLE SGXRA_VECTORS_DIR "/dcap/bundles/sgx-01-phala-v3"
#define T01 1751328000

typedef struct inproc {
  sgxra_verifier_service *v;
  const char *body;
  size_t len;
  double until;
  unsigned long n;
  int failed;
} inproc;

static void *inproc_worker(void *arg) {
  inproc *w = arg;
  sgxra_ctx *cx = sgxra_ctx_new();
  while (lg_now() < w->until) {
    sgxra_verifier_response r;
    memset(&r, 0, sizeof r);
    if (sgxra_verifier_attest(cx, w->v, (const uint8_t *)w->body, w->len, T01,
                              &r) ||
        r.status != 200)
      w->failed = 1;
    sgxra_verifier_response_clear(&r);
    w->n++;
  }
  sgxra_ctx_free(cx);
  return NULL;
}

static double inproc_rate(sgxra_verifier_service *v, const char *body,
                          size_t len, unsigned threads, double seconds) {
  inproc w[64];
  pthread_t th[64];
  double t0 = lg_now();
  for (unsigned i = 0; i < threads; i++) {
    w[i] = (inproc){v, body, len, t0 + seconds, 0, 0};
    pthread_create(&th[i], NULL, inproc_worker, &w[i]);
  }
  unsigned long n = 0;
  for (unsigned i = 0; i < threads; i++) {
    pthread_join(th[i], NULL);
    n += w[i].n;
    if (w[i].failed) fprintf(stderr, "bench_verifier: in-process failure\n");
  }
  return (double)n / (lg_now() - t0);
}

int main(int argc, char **argv) {
  unsigned long requests = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned cpus = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (unsigned)ncpu;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *quote = NULL;
  size_t qn = 0;
  if (sgxra_file_read(cx, BUNDLE "/quote.bin", 1 << 20, &quote, &qn)) {
    fprintf(stderr, "bench_verifier: %s\n", sgxra_ctx_message(cx));
    return 1;
  }
  size_t b64n = sgxra_base64_encoded_len(qn, SGXRA_BASE64_STD) + 1;
  char *b64 = malloc(b64n);
  if (!b64 ||
      sgxra_base64_encode_text(cx, quote, qn, SGXRA_BASE64_STD, b64, b64n))
    return 1;
  size_t blen = strlen(b64) + 16;
  char *body = malloc(blen);
  snprintf(body, blen, "{\"quote\":\"%s\"}", b64);
  blen = strlen(body);
  char dir[] = "/tmp/bench_verifier.XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char state[64], bodyfile[64];
  snprintf(state, sizeof state, "%s/state", dir);
  snprintf(bodyfile, sizeof bodyfile, "%s/body.json", dir);
  FILE *f = fopen(bodyfile, "wb");
  fwrite(body, 1, blen, f);
  fclose(f);
  sgxra_verifier_options vo = {.state_dir = state, .collateral_dir = BUNDLE};
  sgxra_verifier_service *v = NULL;
  if (sgxra_verifier_open(cx, &vo, &v)) {
    fprintf(stderr, "bench_verifier: %s\n", sgxra_ctx_message(cx));
    return 1;
  }
  double r1 = inproc_rate(v, body, blen, 1, 2.0);
  double rn = inproc_rate(v, body, blen, cpus, 2.0);
  sgxra_verifier_server_options so = {.listen = "127.0.0.1:0", .now = T01};
  sgxra_verifier_server *srv = NULL;
  if (sgxra_verifier_server_start(cx, v, &so, &srv)) {
    fprintf(stderr, "bench_verifier: %s\n", sgxra_ctx_message(cx));
    return 1;
  }
  printf("attestation service, POST /v1/attest of %s (%zu-byte quote), %u "
         "CPUs\n\n",
         "sgx-01-phala-v3", qn, cpus);
  printf("%-26s %10s %10s %10s %8s\n", "mode", "verif/s", "p50 ms", "p99 ms",
         "ratio");
  printf("%-26s %10.0f %10s %10s %8s\n", "in-process, 1 thread", r1, "-", "-",
         "-");
  printf("%-26s %10.0f %10s %10s %8s\n", "in-process, all CPUs", rn, "-", "-",
         "1.00");
  unsigned conns[] = {8, 16, 32};
  for (size_t i = 0; i < sizeof conns / sizeof conns[0]; i++) {
    loadgen_cfg c;
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.port = sgxra_verifier_server_port(srv);
    c.conns = conns[i];
    c.requests = requests;
    char spec[128];
    snprintf(spec, sizeof spec, "POST:/v1/attest:%s:application/json",
             bodyfile);
    loadgen_result r;
    if (loadgen_add(&c, spec) || loadgen_run(&c, &r)) return 1;
    char mode[40];
    snprintf(mode, sizeof mode, "http, %u connections", conns[i]);
    printf("%-26s %10.0f %10.3f %10.3f %8.2f%s\n", mode, r.rate, r.p50_ms,
           r.p99_ms, r.rate / rn,
           r.errors || r.status[200] != requests ? "  (errors!)" : "");
    free(c.raw[0]);
  }
  printf("\nratio = HTTP rate / in-process rate on all CPUs (target >= "
         "0.7)\n");
  sgxra_verifier_server_stop(srv);
  sgxra_verifier_close(v);
  sgxra_ctx_free(cx);
  free(quote);
  free(b64);
  free(body);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 1;
  return 0;
}
