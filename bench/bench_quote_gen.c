/* bench_quote_gen: quotes generated per second by the emulated platform,
 * next to raw OpenSSL ECDSA P-256 signs per second measured in the same run
 * (a quote costs one such signature plus EREPORT, the QE's MAC check and
 * the encoding, so the ratio shows the overhead around the signature).
 *
 *   full   enclave EREPORT to the QE + QE quote v3 (MAC check, sign, encode)
 *   qe     QE quote v3 of a ready REPORT
 *   ecdsa  EVP_DigestSign ECDSA P-256/SHA-256 over 432 bytes (raw OpenSSL)
 *
 * Usage: bench_quote_gen [seconds per round]   (default 1) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/qe.h"
#include "sgxra/quote.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, sgxra_ctx *cx) {
  fprintf(stderr, "bench_quote_gen: %s failed%s%s\n", what, cx ? ": " : "",
          cx ? sgxra_ctx_message(cx) : "");
  exit(2);
}

typedef struct world {
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_emu_enclave *isv;
  sgxra_targetinfo qe_ti;
  sgxra_report report;
} world;

static double rate_full(world *w, double secs) {
  uint8_t rd[64] = {1, 2, 3};
  long n = 0;
  double t0 = now_s(), t;
  do {
    for (int i = 0; i < 16; i++) {
      sgxra_report r;
      uint8_t *q = NULL;
      size_t qn = 0;
      rd[4] = (uint8_t)n;
      if (sgxra_emu_ereport(w->cx, w->isv, &w->qe_ti, rd, &r) ||
          sgxra_qe_quote(w->cx, w->qe, &r, 3, &q, &qn))
        die("quote", w->cx);
      free(q);
      n++;
    }
  } while ((t = now_s() - t0) < secs);
  return (double)n / t;
}

static double rate_qe(world *w, double secs) {
  long n = 0;
  double t0 = now_s(), t;
  do {
    for (int i = 0; i < 16; i++) {
      uint8_t *q = NULL;
      size_t qn = 0;
      if (sgxra_qe_quote(w->cx, w->qe, &w->report, 3, &q, &qn))
        die("quote", w->cx);
      free(q);
      n++;
    }
  } while ((t = now_s() - t0) < secs);
  return (double)n / t;
}

static double rate_ecdsa(EVP_PKEY *k, double secs) {
  uint8_t msg[432], sig[80];
  memset(msg, 0x5a, sizeof msg);
  long n = 0;
  /* The digest is fetched once and the context reused: the best case. */
  EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
  EVP_MD_CTX *mc = EVP_MD_CTX_new();
  if (!md || !mc) die("OpenSSL init", NULL);
  double t0 = now_s(), t;
  do {
    for (int i = 0; i < 16; i++) {
      size_t sl = sizeof sig;
      msg[0] = (uint8_t)n;
      if (EVP_DigestSignInit(mc, NULL, md, NULL, k) != 1 ||
          EVP_DigestSign(mc, sig, &sl, msg, sizeof msg) != 1)
        die("OpenSSL sign", NULL);
      n++;
    }
  } while ((t = now_s() - t0) < secs);
  EVP_MD_CTX_free(mc);
  EVP_MD_free(md);
  return (double)n / t;
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 1.0;
  if (secs <= 0) secs = 1.0;
  char tmpl[] = "/tmp/bench_quote_gen.XXXXXX";
  char *dir = mkdtemp(tmpl);
  if (!dir) die("mkdtemp", NULL);
  char cadir[64], cmd[128];
  snprintf(cadir, sizeof cadir, "%s/ca", dir);

  world w;
  memset(&w, 0, sizeof w);
  w.cx = sgxra_ctx_new();
  int64_t now = 1767225600; /* a fixed date: nothing depends on it here */
  if (sgxra_intelca_create(w.cx, cadir, now, &w.ca)) die("CA", w.cx);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  sgxra_intelca_tcb_current(w.ca, cfg.tcb_svns, &cfg.pcesvn);
  memcpy(cfg.cpusvn, cfg.tcb_svns, 16);
  if (sgxra_emu_platform_new(w.cx, &cfg, &w.plat) ||
      sgxra_qe_provision(w.cx, w.plat, w.ca, dir, now, NULL) ||
      sgxra_qe_open(w.cx, w.plat, dir, &w.qe))
    die("platform", w.cx);
  /* The ISV enclave: an image signed with a public test key. */
  uint8_t *kp = NULL, ss[1808];
  size_t kn = 0;
  sgxra_rsa_key *rk = NULL;
  if (sgxra_file_read(
          w.cx, SGXRA_VECTORS_DIR "/identity/fortanix-rust-sgx/sig1.key.pem",
          1 << 16, &kp, &kn) ||
      sgxra_rsa_load_private(w.cx, kp, kn, &rk) ||
      sgxra_qe_sign_image(w.cx, rk, "bench enclave", 1, 1, ss) ||
      sgxra_qe_start_image(w.cx, w.plat, "bench enclave", ss, sizeof ss,
                           &w.isv))
    die("ISV enclave", w.cx);
  free(kp);
  sgxra_rsa_free(rk);
  sgxra_qe_targetinfo(w.qe, &w.qe_ti);
  uint8_t rd[64] = {0};
  if (sgxra_emu_ereport(w.cx, w.isv, &w.qe_ti, rd, &w.report))
    die("EREPORT", w.cx);

  EVP_PKEY *k = EVP_EC_gen("P-256");
  if (!k) die("OpenSSL keygen", NULL);

  /* Warm up, then alternate rounds and keep each side's best. */
  rate_ecdsa(k, secs / 4);
  rate_full(&w, secs / 4);
  double ecdsa = 0, full = 0, qe = 0;
  for (int round = 0; round < 3; round++) {
    double a = rate_ecdsa(k, secs), b = rate_full(&w, secs),
           c = rate_qe(&w, secs);
    ecdsa = a > ecdsa ? a : ecdsa;
    full = b > full ? b : full;
    qe = c > qe ? c : qe;
  }
  printf("openssl ECDSA P-256 sign (432 B):         %10.0f /s\n", ecdsa);
  printf("quote v3, EREPORT + QE (MAC, sign, encode): %8.0f /s  (%.2f x "
         "OpenSSL signs)\n",
         full, full / ecdsa);
  printf("quote v3, QE only:                        %10.0f /s  (%.2f x "
         "OpenSSL signs)\n",
         qe, qe / ecdsa);

  EVP_PKEY_free(k);
  sgxra_emu_enclave_free(w.isv);
  sgxra_qe_free(w.qe);
  sgxra_emu_platform_free(w.plat);
  sgxra_intelca_free(w.ca);
  sgxra_ctx_free(w.cx);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "bench_quote_gen: cannot remove %s\n", dir);
  return 0;
}
