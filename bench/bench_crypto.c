/* bench_crypto: sgxra's crypto wrappers against raw OpenSSL, measured in the
 * same run on the same bytes, so the ratio is what matters:
 *
 *   SHA-256 streaming MiB/s (64 KiB and 64-byte updates over 256 MiB / 16 MiB)
 *   ECDSA P-256 sign/s and verify/s (SHA-256, 256-byte message)
 *
 * Usage: bench_crypto [MiB]   (default 256) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "sgxra/crypto.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "bench_crypto: %s failed\n", what);
  exit(2);
}

/* Hash `total` bytes from buf in `chunk`-sized updates. */
static double sha_raw(const uint8_t *buf, size_t bufsize, size_t total,
                      size_t chunk, uint8_t out[32]) {
  EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
  EVP_MD_CTX *mc = EVP_MD_CTX_new();
  if (!md || !mc || !EVP_DigestInit_ex2(mc, md, NULL)) die("OpenSSL init");
  double t0 = now_s();
  for (size_t off = 0; off < total; off += chunk)
    if (!EVP_DigestUpdate(mc, buf + off % bufsize, chunk)) die("update");
  unsigned int l = 0;
  if (!EVP_DigestFinal_ex(mc, out, &l)) die("final");
  double t = now_s() - t0;
  EVP_MD_CTX_free(mc);
  EVP_MD_free(md);
  return (double)total / (1024.0 * 1024.0) / t;
}

static double sha_sgxra(const uint8_t *buf, size_t bufsize, size_t total,
                        size_t chunk, uint8_t out[32]) {
  sgxra_sha256_stream s;
  double t0 = now_s();
  if (sgxra_sha256_init(NULL, &s) != SGXRA_OK) die("sgxra init");
  for (size_t off = 0; off < total; off += chunk)
    if (sgxra_sha256_update(NULL, &s, buf + off % bufsize, chunk) != SGXRA_OK)
      die("sgxra update");
  if (sgxra_sha256_final(NULL, &s, out) != SGXRA_OK) die("sgxra final");
  double t = now_s() - t0;
  return (double)total / (1024.0 * 1024.0) / t;
}

static void bench_sha(size_t mib) {
  const size_t bufsize = 1 << 20;
  uint8_t *buf = malloc(bufsize);
  if (!buf) die("malloc");
  for (size_t i = 0; i < bufsize; i++) buf[i] = (uint8_t)(i * 131 + 7);
  struct {
    size_t chunk, total;
  } runs[2] = {{65536, mib << 20}, {64, (mib < 16 ? mib : 16) << 20}};
  for (int r = 0; r < 2; r++) {
    uint8_t d1[32], d2[32];
    /* Warm up, then alternate several rounds and keep each side's best:
     * the machine may be shared, and alternating spreads any drift. */
    sha_raw(buf, bufsize, 4 << 20, runs[r].chunk, d1);
    double raw = 0, ours = 0;
    for (int round = 0; round < 3; round++) {
      double a = sha_raw(buf, bufsize, runs[r].total, runs[r].chunk, d1);
      double b = sha_sgxra(buf, bufsize, runs[r].total, runs[r].chunk, d2);
      if (memcmp(d1, d2, 32) != 0) die("SHA-256 results differ");
      raw = a > raw ? a : raw;
      ours = b > ours ? b : ours;
    }
    printf("sha256 %zu MiB in %zu-byte updates: openssl %.1f MiB/s, sgxra "
           "%.1f MiB/s, ratio %.3f\n",
           runs[r].total >> 20, runs[r].chunk, raw, ours, ours / raw);
  }
  free(buf);
}

#define ECDSA_SECONDS 1.0

static void bench_ecdsa(void) {
  uint8_t msg[256];
  for (size_t i = 0; i < sizeof(msg); i++) msg[i] = (uint8_t)i;
  EVP_PKEY *pk = EVP_EC_gen("P-256");
  if (!pk) die("EVP_EC_gen");
  sgxra_p256_key *key = NULL, *pub = NULL;
  uint8_t xy[64], sig[64];
  if (sgxra_p256_from_evp(NULL, pk, &key) != SGXRA_OK) die("from_evp");
  sgxra_p256_public_raw(key, xy);
  if (sgxra_p256_from_public(NULL, xy, &pub) != SGXRA_OK) die("from_public");

  /* Raw OpenSSL: the usual one-shot EVP_DigestSign/Verify per message. */
  uint8_t der[80];
  size_t derlen = sizeof(der);
  long n = 0;
  double t0 = now_s(), t;
  do {
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    derlen = sizeof(der);
    if (!mc ||
        EVP_DigestSignInit_ex(mc, NULL, "SHA256", NULL, NULL, pk, NULL) != 1 ||
        EVP_DigestSign(mc, der, &derlen, msg, sizeof(msg)) != 1)
      die("raw sign");
    EVP_MD_CTX_free(mc);
    n++;
  } while ((t = now_s() - t0) < ECDSA_SECONDS);
  double raw_sign = (double)n / t;

  n = 0;
  t0 = now_s();
  do {
    if (sgxra_p256_sign(NULL, key, msg, sizeof(msg), sig) != SGXRA_OK)
      die("sgxra sign");
    n++;
  } while ((t = now_s() - t0) < ECDSA_SECONDS);
  double our_sign = (double)n / t;

  n = 0;
  t0 = now_s();
  do {
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    if (!mc ||
        EVP_DigestVerifyInit_ex(mc, NULL, "SHA256", NULL, NULL, pk, NULL) !=
            1 ||
        EVP_DigestVerify(mc, der, derlen, msg, sizeof(msg)) != 1)
      die("raw verify");
    EVP_MD_CTX_free(mc);
    n++;
  } while ((t = now_s() - t0) < ECDSA_SECONDS);
  double raw_verify = (double)n / t;

  n = 0;
  t0 = now_s();
  do {
    if (sgxra_p256_verify(NULL, pub, msg, sizeof(msg), sig) != SGXRA_OK)
      die("sgxra verify");
    n++;
  } while ((t = now_s() - t0) < ECDSA_SECONDS);
  double our_verify = (double)n / t;

  /* Public key from raw X||Y (every quote's attestation key). */
  uint8_t pub65[65] = {4};
  memcpy(pub65 + 1, xy, 64);
  n = 0;
  t0 = now_s();
  do {
    char group[] = "prime256v1";
    OSSL_PARAM ps[3] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub65, 65),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *p = NULL;
    if (!fc || EVP_PKEY_fromdata_init(fc) <= 0 ||
        EVP_PKEY_fromdata(fc, &p, EVP_PKEY_PUBLIC_KEY, ps) <= 0)
      die("raw fromdata");
    EVP_PKEY_free(p);
    EVP_PKEY_CTX_free(fc);
    n++;
  } while ((t = now_s() - t0) < ECDSA_SECONDS);
  double raw_pub = (double)n / t;
  n = 0;
  t0 = now_s();
  do {
    sgxra_p256_key *p = NULL;
    if (sgxra_p256_from_public(NULL, xy, &p) != SGXRA_OK) die("from_public");
    sgxra_p256_free(p);
    n++;
  } while ((t = now_s() - t0) < ECDSA_SECONDS);
  double our_pub = (double)n / t;

  printf("ecdsa p256 sign:   openssl %.0f/s, sgxra %.0f/s, ratio %.3f\n",
         raw_sign, our_sign, our_sign / raw_sign);
  printf("ecdsa p256 verify: openssl %.0f/s, sgxra %.0f/s, ratio %.3f\n",
         raw_verify, our_verify, our_verify / raw_verify);
  printf("p256 key from X||Y: openssl fromdata %.0f/s, sgxra from_public "
         "(with on-curve check) %.0f/s, ratio %.3f\n",
         raw_pub, our_pub, our_pub / raw_pub);
  sgxra_p256_free(key);
  sgxra_p256_free(pub);
  EVP_PKEY_free(pk);
}

int main(int argc, char **argv) {
  size_t mib = 256;
  if (argc > 1) mib = (size_t)strtoul(argv[1], NULL, 10);
  if (mib == 0) mib = 1;
  bench_sha(mib);
  bench_ecdsa();
  return 0;
}
