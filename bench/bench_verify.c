/* Benchmark of quote verification (sgxra/verify.h) on one core.
 *
 * Collateral (sgx-01 of the vectors) is loaded and validated once.  Then:
 *   fresh   a new verifier per quote: PCK chain parsed and its leaf checked,
 *           QE report and ISV signatures verified (3 ECDSA verifications)
 *   warm    one verifier, PCK chain cached: 2 ECDSA verifications per quote
 * printed beside the OpenSSL ECDSA-P256/SHA-256 verification rate measured
 * in the same run (EVP_DigestVerify over 432 bytes, a quote's signed part),
 * and the ratio rate / (ecdsa_rate / 3): the target is >= 0.8 for
 * a platform never seen before.
 *
 * usage: bench_verify [SECONDS per measurement, default 2] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "sgxra/collateral.h"
#include "sgxra/file.h"
#include "sgxra/verify.h"

#define BUNDLE SGXRA_VECTORS_DIR "/dcap/bundles/sgx-01-phala-v3"
#define T01 1751328000

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double ecdsa_rate(double secs) {
  EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  unsigned char msg[432], sig[80];
  memset(msg, 0x5a, sizeof msg);
  size_t sl = sizeof sig;
  EVP_MD_CTX *m = EVP_MD_CTX_new();
  if (!pk || !m || EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, pk) != 1 ||
      EVP_DigestSign(m, sig, &sl, msg, sizeof msg) != 1) {
    fprintf(stderr, "bench_verify: OpenSSL signing failed\n");
    exit(1);
  }
  EVP_MD_CTX_free(m);
  long n = 0;
  double t0 = now_s(), t;
  do {
    for (int i = 0; i < 50; i++) {
      EVP_MD_CTX *c = EVP_MD_CTX_new();
      if (EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, pk) != 1 ||
          EVP_DigestVerify(c, sig, sl, msg, sizeof msg) != 1) {
        fprintf(stderr, "bench_verify: OpenSSL verify failed\n");
        exit(1);
      }
      EVP_MD_CTX_free(c);
    }
    n += 50;
    t = now_s();
  } while (t - t0 < secs);
  EVP_PKEY_free(pk);
  return (double)n / (t - t0);
}

static void check(const sgxra_verdict *vd) {
  if (strcmp(vd->ql_return, "SGX_QL_SUCCESS") != 0) {
    fprintf(stderr, "bench_verify: verification failed: %s\n", vd->reason);
    exit(1);
  }
}

int main(int argc, char **argv) {
  double secs = argc > 1 ? atof(argv[1]) : 2.0;
  if (secs <= 0) secs = 2.0;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *coll = NULL;
  uint8_t *quote = NULL;
  size_t qn = 0;
  if (sgxra_collateral_load_dir(cx, BUNDLE, &coll) != SGXRA_OK ||
      sgxra_collateral_validate(cx, coll, NULL, T01) != SGXRA_OK ||
      sgxra_file_read(cx, BUNDLE "/quote.bin", 1 << 20, &quote, &qn) !=
          SGXRA_OK) {
    fprintf(stderr, "bench_verify: %s\n", sgxra_ctx_message(cx));
    return 1;
  }
  double ecdsa = ecdsa_rate(secs);

  /* fresh verifier per quote */
  long n = 0;
  sgxra_verdict vd;
  double t0 = now_s(), t;
  do {
    sgxra_verifier *v = NULL;
    if (sgxra_verifier_new(cx, coll, &v) != SGXRA_OK ||
        sgxra_verifier_verify(cx, v, quote, qn, T01, &vd) != SGXRA_OK) {
      fprintf(stderr, "bench_verify: %s\n", sgxra_ctx_message(cx));
      return 1;
    }
    check(&vd);
    sgxra_verifier_free(v);
    n++;
    t = now_s();
  } while (t - t0 < secs);
  double fresh = (double)n / (t - t0);

  /* one verifier, PCK chain cached */
  sgxra_verifier *v = NULL;
  if (sgxra_verifier_new(cx, coll, &v) != SGXRA_OK) return 1;
  n = 0;
  t0 = now_s();
  do {
    if (sgxra_verifier_verify(cx, v, quote, qn, T01, &vd) != SGXRA_OK) {
      fprintf(stderr, "bench_verify: %s\n", sgxra_ctx_message(cx));
      return 1;
    }
    check(&vd);
    n++;
    t = now_s();
  } while (t - t0 < secs);
  double warm = (double)n / (t - t0);

  double bound = ecdsa / 3.0;
  printf("OpenSSL ECDSA-P256 verify/s          %10.0f\n", ecdsa);
  printf("bound: ECDSA verify/s / 3            %10.0f\n", bound);
  printf("quotes/s, fresh verifier per quote   %10.0f  ratio %.2f %s\n", fresh,
         fresh / bound,
         fresh / bound >= 0.8 ? "(target >= 0.8 met)"
                              : "(target >= 0.8 NOT met)");
  printf("quotes/s, warm PCK cache             %10.0f  ratio %.2f\n", warm,
         warm / bound);
  sgxra_verifier_free(v);
  sgxra_collateral_free(coll);
  free(quote);
  sgxra_ctx_free(cx);
  return 0;
}
