/* Benchmark of remote attestation end to end: complete attestations per
 * second against a service provider (`sgxra serve sp`, a separate process
 * on loopback; bench/bench_ra.sh starts it), each one msg0..msg4 with the
 * enclave's key exchange, the QE's quote, the SP's verification in
 * process, appraisal, audit row and provisioning, and the enclave's
 * sealing.  Measured in the same run, on this machine:
 *   ecdsa     OpenSSL's ECDSA-P256/SHA-256 sign and verify rates (1 thread)
 *   verify    in-process verification of the same platform's quote with a
 *             fresh verifier per quote (sgxra/verify.h; 1 thread), and with
 *             the collateral validated again per quote (sgxra_verify_quote)
 *   latency   one attestation at a time: p50 / p99
 *   loaded    THREADS client threads, each with its own attester (emulated
 *             platform + enclave) and HTTP client, for SECONDS: the rate,
 *             p50 / p99
 * The bound: one attestation needs 2 ECDSA signs (the SP's over Gb||Ga,
 * the QE's over the quote) and 4 verifies (the enclave checks the SP's
 * signature; the verifier the PCK certificate, the QE report and the quote
 * signatures); with C cores the signatures alone allow
 *   C / (2 / sign_rate + 4 / verify_rate)
 * attestations per second.  The target is >= 0.5 of that.
 *
 * usage: bench_ra SP_URL PLATFORM_DIR ENCLAVE_SO SIGSTRUCT QUOTE BUNDLE_DIR
 *                 [THREADS, default 4] [SECONDS, default 5] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sgxra/attester.h"
#include "sgxra/collateral.h"
#include "sgxra/file.h"
#include "sgxra/pccs.h"
#include "sgxra/sp_client.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define SIGNS_PER_ATTESTATION 2
#define VERIFIES_PER_ATTESTATION 4
#define MAX_THREADS 64
#define MAX_SAMPLES 200000

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, sgxra_ctx *cx) {
  fprintf(stderr, "bench_ra: %s: %s [%s]\n", what,
          cx ? sgxra_ctx_message(cx) : "failed",
          cx ? sgxra_err_name(sgxra_ctx_error(cx)) : "");
  exit(1);
}

/* ---- OpenSSL's ECDSA rates -------------------------------------------- */

static void ecdsa_rates(double secs, double *sign_rate, double *verify_rate) {
  EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  unsigned char msg[432], sig[80];
  size_t sl = sizeof sig;
  memset(msg, 0x5a, sizeof msg);
  if (!pk) die("OpenSSL keygen", NULL);
  long ns = 0, nv = 0;
  double t0 = now_s();
  while (now_s() - t0 < secs) {
    for (int i = 0; i < 20; i++) {
      EVP_MD_CTX *m = EVP_MD_CTX_new();
      sl = sizeof sig;
      if (!m || EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, pk) != 1 ||
          EVP_DigestSign(m, sig, &sl, msg, sizeof msg) != 1)
        die("OpenSSL sign", NULL);
      EVP_MD_CTX_free(m);
    }
    ns += 20;
  }
  *sign_rate = (double)ns / (now_s() - t0);
  t0 = now_s();
  while (now_s() - t0 < secs) {
    for (int i = 0; i < 20; i++) {
      EVP_MD_CTX *m = EVP_MD_CTX_new();
      if (!m || EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, pk) != 1 ||
          EVP_DigestVerify(m, sig, sl, msg, sizeof msg) != 1)
        die("OpenSSL verify", NULL);
      EVP_MD_CTX_free(m);
    }
    nv += 20;
  }
  *verify_rate = (double)nv / (now_s() - t0);
  EVP_PKEY_free(pk);
}

/* ---- in-process verification --------------------------------------------- */

static double verify_rate(const char *quote_path, const char *bundle,
                          double secs, double *full_rate) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *coll = NULL;
  sgxra_x509_chain *root = NULL;
  uint8_t *quote = NULL, *pem = NULL;
  size_t qn = 0, pn = 0;
  char rp[4096];
  snprintf(rp, sizeof rp, "%s/root_ca.pem", bundle);
  int64_t now = (int64_t)time(NULL);
  if (sgxra_file_read(cx, quote_path, 1 << 20, &quote, &qn) ||
      sgxra_file_read(cx, rp, 1 << 20, &pem, &pn) ||
      sgxra_x509_chain_parse_pem(cx, pem, pn, &root) ||
      sgxra_collateral_load_dir(cx, bundle, &coll) ||
      sgxra_collateral_validate(cx, coll, sgxra_x509_chain_get(root, 0), now))
    die("verification setup", cx);
  long n = 0;
  double t0 = now_s();
  while (now_s() - t0 < secs) {
    for (int i = 0; i < 10; i++) {
      sgxra_verifier *v = NULL;
      sgxra_verdict vd;
      if (sgxra_verifier_new(cx, coll, &v) ||
          sgxra_verifier_verify(cx, v, quote, qn, now, &vd))
        die("verify", cx);
      if (vd.err != SGXRA_OK) {
        fprintf(stderr, "bench_ra: the quote does not verify: %s\n", vd.reason);
        exit(1);
      }
      sgxra_verifier_free(v);
    }
    n += 10;
  }
  double rate = (double)n / (now_s() - t0);
  /* the same with the collateral validated again for every quote
   * (sgxra_verify_quote, Intel's order: what the SP does per msg3) */
  n = 0;
  t0 = now_s();
  while (now_s() - t0 < secs) {
    for (int i = 0; i < 10; i++) {
      sgxra_verdict vd;
      if (sgxra_verify_quote(cx, quote, qn, coll, sgxra_x509_chain_get(root, 0),
                             now, &vd))
        die("verify", cx);
      if (vd.err != SGXRA_OK) {
        fprintf(stderr, "bench_ra: the quote does not verify: %s\n", vd.reason);
        exit(1);
      }
    }
    n += 10;
  }
  *full_rate = (double)n / (now_s() - t0);
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(root);
  free(quote);
  free(pem);
  sgxra_ctx_free(cx);
  return rate;
}

/* ---- attestations ----------------------------------------------------------
 */

typedef struct worker {
  sgxra_attester *att;
  sgxra_sp_client *spc;
  sgxra_ra_client_ops ops;
  double until;
  long max; /* attestations to run (0: until `until`) */
  double *lat;
  long n;
  long cap;
  int failed;
  int breakdown; /* record the time of each step (one thread only) */
  char why[SGXRA_CTX_MSG_SIZE + 64];
} worker;

/* Time spent before each step of one attestation (a breakdown, printed
 * for the one-at-a-time run). */
static double step_t[16], step_sum[16], step_last;

static void on_step(void *arg, sgxra_sp_client_step s, const uint8_t *m,
                    size_t n) {
  (void)arg;
  (void)m;
  (void)n;
  double t = now_s();
  if ((unsigned)s < 16) step_t[s] = t - step_last;
  step_last = t;
}

static int one(worker *w, sgxra_ctx *cx) {
  sgxra_sp_client_outcome oc;
  double t0 = now_s();
  step_last = t0;
  sgxra_sp_client_hooks hk = {NULL, on_step, NULL};
  sgxra_err e = sgxra_sp_client_attest(cx, w->spc, &w->ops,
                                       w->breakdown ? &hk : NULL, &oc);
  if (w->breakdown)
    for (int i = 0; i < 16; i++) step_sum[i] += step_t[i];
  double dt = now_s() - t0;
  int good = !e && oc.completed && oc.result.trusted && oc.result.sealed;
  if (!good && !w->failed) {
    w->failed = 1;
    snprintf(w->why, sizeof w->why, "%s",
             e ? sgxra_ctx_message(cx) : "not trusted, or no secret");
  }
  sgxra_sp_client_outcome_free(&oc);
  if (good && w->n < w->cap) w->lat[w->n++] = dt;
  return good;
}

static void *work(void *arg) {
  worker *w = arg;
  sgxra_ctx *cx = sgxra_ctx_new();
  while (!w->failed) {
    if (w->max ? w->n >= w->max : now_s() >= w->until) break;
    one(w, cx);
  }
  sgxra_ctx_free(cx);
  return NULL;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, long n, double p) {
  if (n == 0) return 0;
  long i = (long)(p * (double)(n - 1) + 0.5);
  return v[i];
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: bench_ra SP_URL PLATFORM_DIR ENCLAVE_SO SIGSTRUCT "
                    "QUOTE BUNDLE_DIR [THREADS] [SECONDS]\n");
    return 2;
  }
  const char *url = argv[1], *plat = argv[2], *so = argv[3], *sigp = argv[4],
             *quote = argv[5], *bundle = argv[6];
  int threads = argc > 7 ? atoi(argv[7]) : 4;
  double secs = argc > 8 ? atof(argv[8]) : 5.0;
  if (threads < 1 || threads > MAX_THREADS) threads = 4;
  if (secs <= 0) secs = 5.0;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1) cpus = 1;

  sgxra_ctx *cx = sgxra_ctx_new();
  if (sgxra_pccs_global_init(cx)) die("curl", cx);
  uint8_t *sig = NULL;
  size_t sn = 0;
  if (sgxra_file_read(cx, sigp, 4096, &sig, &sn)) die(sigp, cx);

  double srate, vrate;
  ecdsa_rates(1.0, &srate, &vrate);
  double qfull = 0;
  double qrate = verify_rate(quote, bundle, 1.5, &qfull);

  /* one attester + client per thread, opened here one after the other */
  static worker w[MAX_THREADS];
  for (int i = 0; i < threads; i++) {
    sgxra_attester_options o;
    memset(&o, 0, sizeof o);
    o.platform_dir = plat;
    o.enclave_path = so;
    o.sigstruct = sig;
    o.sigstruct_len = sn;
    sgxra_sp_client_options co;
    memset(&co, 0, sizeof co);
    co.url = url;
    if (sgxra_attester_open(cx, &o, &w[i].att)) die("attester", cx);
    if (sgxra_sp_client_new(cx, &co, &w[i].spc)) die("client", cx);
    sgxra_attester_client_ops(w[i].att, &w[i].ops);
    w[i].cap = MAX_SAMPLES / threads;
    w[i].lat = calloc((size_t)w[i].cap, sizeof(double));
    if (!w[i].lat) die("out of memory", NULL);
  }

  /* one at a time (after 3 warm-up attestations) */
  w[0].max = 3;
  work(&w[0]);
  if (w[0].failed) {
    fprintf(stderr, "bench_ra: attestation failed: %s\n", w[0].why);
    return 1;
  }
  w[0].n = 0;
  w[0].max = 50;
  w[0].breakdown = 1;
  double t1 = now_s();
  work(&w[0]);
  w[0].breakdown = 0;
  double single_s = now_s() - t1;
  if (w[0].failed) {
    fprintf(stderr, "bench_ra: attestation failed: %s\n", w[0].why);
    return 1;
  }
  long n1 = w[0].n;
  qsort(w[0].lat, (size_t)n1, sizeof(double), cmp_d);
  double p50_1 = pct(w[0].lat, n1, 0.5), p99_1 = pct(w[0].lat, n1, 0.99);

  /* loaded: every thread for `secs` */
  pthread_t th[MAX_THREADS];
  double t0 = now_s();
  for (int i = 0; i < threads; i++) {
    w[i].n = 0;
    w[i].max = 0;
    w[i].until = t0 + secs;
    pthread_create(&th[i], NULL, work, &w[i]);
  }
  for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
  double wall = now_s() - t0;
  long total = 0;
  for (int i = 0; i < threads; i++) {
    if (w[i].failed) {
      fprintf(stderr, "bench_ra: attestation failed: %s\n", w[i].why);
      return 1;
    }
    total += w[i].n;
  }
  double *all = calloc((size_t)total + 1, sizeof(double));
  long k = 0;
  for (int i = 0; i < threads; i++)
    for (long j = 0; j < w[i].n; j++) all[k++] = w[i].lat[j];
  qsort(all, (size_t)total, sizeof(double), cmp_d);
  double rate = (double)total / wall;

  double per = SIGNS_PER_ATTESTATION / srate + VERIFIES_PER_ATTESTATION / vrate;
  double bound = (double)cpus / per;
  printf("bench_ra: %ld CPUs, SP %s\n", cpus, url);
  printf("OpenSSL ECDSA-P256 sign/s (1 thread)       %10.0f\n", srate);
  printf("OpenSSL ECDSA-P256 verify/s (1 thread)     %10.0f\n", vrate);
  printf("in-process quote verification/s (1 thread) %10.0f\n", qrate);
  printf("  ... collateral validated per quote          %10.0f  "
         "(sgxra_verify_quote)\n",
         qfull);
  printf("ECDSA per attestation                      %d signs + %d "
         "verifies\n",
         SIGNS_PER_ATTESTATION, VERIFIES_PER_ATTESTATION);
  printf("bound: %ld CPUs / (2/sign + 4/verify)      %10.0f attestations/s\n",
         cpus, bound);
  printf("one at a time: %ld attestations in %.2f s   p50 %.2f ms  p99 %.2f "
         "ms\n",
         n1, single_s, p50_1 * 1e3, p99_1 * 1e3);
  printf("  where one attestation spends its time (mean ms before each "
         "step):\n   ");
  for (int i = SGXRA_SP_CLIENT_STEP_SESSION; i <= SGXRA_SP_CLIENT_STEP_DONE;
       i++)
    printf(" %s %.2f", sgxra_sp_client_step_name((sgxra_sp_client_step)i),
           step_sum[i] / (double)(n1 ? n1 : 1) * 1e3);
  printf("\n");
  printf("loaded: %d client threads, %.1f s: %ld attestations\n", threads, wall,
         total);
  printf("complete attestations/s                    %10.1f  p50 %.2f ms  "
         "p99 %.2f ms\n",
         rate, pct(all, total, 0.5) * 1e3, pct(all, total, 0.99) * 1e3);
  printf(
      "ratio to the bound                         %10.2f  %s\n", rate / bound,
      rate / bound >= 0.5 ? "(target >= 0.5 met)" : "(target >= 0.5 NOT met)");
  free(all);
  for (int i = 0; i < threads; i++) {
    sgxra_sp_client_free(w[i].spc);
    sgxra_attester_free(w[i].att);
    free(w[i].lat);
  }
  free(sig);
  sgxra_ctx_free(cx);
  return 0;
}
