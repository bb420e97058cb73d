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
 * usage: bench_verify [SECONDS, default 2; the run takes three times that] */
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

/* OpenSSL's own ECDSA-P256/SHA-256 verification of a 432-byte message,
 * `n` times; returns the seconds taken. */
typedef struct ossl_bound {
  EVP_PKEY *pk;
  unsigned char msg[432], sig[80];
  size_t sl;
} ossl_bound;

static void bound_init(ossl_bound *b) {
  b->pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  memset(b->msg, 0x5a, sizeof b->msg);
  b->sl = sizeof b->sig;
  EVP_MD_CTX *m = EVP_MD_CTX_new();
  if (!b->pk || !m ||
      EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, b->pk) != 1 ||
      EVP_DigestSign(m, b->sig, &b->sl, b->msg, sizeof b->msg) != 1) {
    fprintf(stderr, "bench_verify: OpenSSL signing failed\n");
    exit(1);
  }
  EVP_MD_CTX_free(m);
}

static double bound_run(ossl_bound *b, int n) {
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, b->pk) != 1 ||
        EVP_DigestVerify(c, b->sig, b->sl, b->msg, sizeof b->msg) != 1) {
      fprintf(stderr, "bench_verify: OpenSSL verify failed\n");
      exit(1);
    }
    EVP_MD_CTX_free(c);
  }
  return now_s() - t0;
}

static void check(const sgxra_verdict *vd) {
  if (strcmp(sgxra_ql_result_name(vd->ql_return), "SGX_QL_SUCCESS") != 0) {
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
  /* The three measurements run interleaved in short batches, so that a
   * change in machine load affects them alike. */
  ossl_bound ob;
  bound_init(&ob);
  sgxra_verifier *v = NULL;
  if (sgxra_verifier_new(cx, coll, &v) != SGXRA_OK) return 1;
  sgxra_verdict vd;
  double t_ecdsa = 0, t_fresh = 0, t_warm = 0;
  long n_ecdsa = 0, n_fresh = 0, n_warm = 0;
  double start = now_s();
  while (now_s() - start < 3 * secs) {
    t_ecdsa += bound_run(&ob, 30);
    n_ecdsa += 30;
    double t0 = now_s();
    for (int i = 0; i < 10; i++) {
      sgxra_verifier *f = NULL;
      if (sgxra_verifier_new(cx, coll, &f) != SGXRA_OK ||
          sgxra_verifier_verify(cx, f, quote, qn, T01, &vd) != SGXRA_OK) {
        fprintf(stderr, "bench_verify: %s\n", sgxra_ctx_message(cx));
        return 1;
      }
      check(&vd);
      sgxra_verifier_free(f);
    }
    t_fresh += now_s() - t0;
    n_fresh += 10;
    t0 = now_s();
    for (int i = 0; i < 10; i++) {
      if (sgxra_verifier_verify(cx, v, quote, qn, T01, &vd) != SGXRA_OK) {
        fprintf(stderr, "bench_verify: %s\n", sgxra_ctx_message(cx));
        return 1;
      }
      check(&vd);
    }
    t_warm += now_s() - t0;
    n_warm += 10;
  }
  double ecdsa = (double)n_ecdsa / t_ecdsa;
  double fresh = (double)n_fresh / t_fresh;
  double warm = (double)n_warm / t_warm;
  EVP_PKEY_free(ob.pk);

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
