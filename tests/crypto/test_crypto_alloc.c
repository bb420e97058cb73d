/* Allocation-failure injection for sgxra/crypto.h: OpenSSL's allocator is
 * replaced by one that fails the k-th allocation, for k = 0, 1, 2, ... until
 * the operation succeeds.  Every run must return either SGXRA_OK or a
 * failure code (never crash), zero its outputs on failure, and leak
 * nothing (checked by the sanitizer build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "common/testutil.h"
#include "sgxra/crypto.h"

static long alloc_budget = -1; /* < 0: unlimited */
static long fail_count;
static int seen_crypto, seen_no_memory; /* codes produced so far */

static void *t_malloc(size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  if (alloc_budget == 0) {
    fail_count++;
    return NULL;
  }
  if (alloc_budget > 0) alloc_budget--;
  return malloc(n);
}

static void *t_realloc(void *p, size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  if (alloc_budget == 0) {
    fail_count++;
    return NULL;
  }
  if (alloc_budget > 0) alloc_budget--;
  return realloc(p, n);
}

static void t_free(void *p, const char *file, int line) {
  (void)file;
  (void)line;
  free(p);
}

typedef sgxra_err (*op_fn)(sgxra_ctx *cx, void *arg);

/* Run op with budgets 0, 1, 2, ... until it succeeds; return how many
 * budgets failed.  Each failure must carry a code from `allowed`. */
static int run_with_budgets(op_fn op, void *arg) {
  sgxra_ctx *cx = sgxra_ctx_new();
  int failures = 0;
  for (long budget = 0; budget < 100000; budget++) {
    sgxra_ctx_clear(cx);
    fail_count = 0;
    alloc_budget = budget;
    sgxra_err e = op(cx, arg);
    alloc_budget = -1;
    if (e == SGXRA_OK) break;
    if (!(e == SGXRA_E_CRYPTO || e == SGXRA_E_NO_MEMORY ||
          e == SGXRA_E_CRYPTO_KEY_INVALID || e == SGXRA_E_CRYPTO_SIG_INVALID))
      fail_msg("budget %ld: %s: %s", budget, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    assert_true(e == SGXRA_E_CRYPTO || e == SGXRA_E_NO_MEMORY ||
                e == SGXRA_E_CRYPTO_KEY_INVALID ||
                e == SGXRA_E_CRYPTO_SIG_INVALID);
    assert_int_equal(sgxra_ctx_error(cx), e);
    if (e == SGXRA_E_CRYPTO) seen_crypto = 1;
    if (e == SGXRA_E_NO_MEMORY) seen_no_memory = 1;
    failures++;
  }
  sgxra_ctx_free(cx);
  return failures;
}

struct p256_arg {
  sgxra_p256_key *key;
  uint8_t pub[64];
  uint8_t sig[64];
};

static sgxra_err op_p256_sign_verify(sgxra_ctx *cx, void *p) {
  struct p256_arg *a = p;
  uint8_t sig[64], zero[64] = {0};
  sgxra_err e = sgxra_p256_sign(cx, a->key, "m", 1, sig);
  if (e != SGXRA_OK) {
    assert_memory_equal(sig, zero, 64);
    return e;
  }
  sgxra_p256_key *pk = NULL;
  e = sgxra_p256_from_public(cx, a->pub, &pk);
  if (e != SGXRA_OK) {
    assert_null(pk);
    return e;
  }
  e = sgxra_p256_verify(cx, pk, "m", 1, sig);
  sgxra_p256_free(pk);
  return e;
}

static sgxra_err op_p256_gen_ecdh(sgxra_ctx *cx, void *p) {
  struct p256_arg *a = p;
  sgxra_p256_key *k = NULL;
  uint8_t s[32], zero[32] = {0};
  sgxra_err e = sgxra_p256_generate(cx, &k);
  if (e != SGXRA_OK) {
    assert_null(k);
    return e;
  }
  e = sgxra_p256_ecdh(cx, k, a->key, s);
  if (e != SGXRA_OK) assert_memory_equal(s, zero, 32);
  sgxra_p256_free(k);
  return e;
}

static sgxra_err op_gcm_cmac_sha(sgxra_ctx *cx, void *p) {
  (void)p;
  uint8_t key[16] = {1}, iv[12] = {2}, pt[40] = {3}, ct[40], tag[16], d[32];
  sgxra_err e = sgxra_aes128_cmac(cx, key, pt, sizeof(pt), tag);
  if (e) return e;
  e = sgxra_aes128_gcm_encrypt(cx, key, iv, 12, NULL, 0, pt, 40, ct, tag);
  if (e) return e;
  e = sgxra_aes128_gcm_decrypt(cx, key, iv, 12, NULL, 0, ct, 40, tag, ct);
  if (e) return e;
  sgxra_sha256_stream st;
  e = sgxra_sha256_init(cx, &st);
  if (e) return e;
  e = sgxra_sha256_update(cx, &st, pt, 40);
  if (e) {
    sgxra_sha256_cleanup(&st);
    return e;
  }
  return sgxra_sha256_final(cx, &st, d);
}

struct rsa_arg {
  uint8_t *pem;
  size_t len;
};

static sgxra_err op_rsa(sgxra_ctx *cx, void *p) {
  struct rsa_arg *a = p;
  sgxra_rsa_key *k = NULL;
  sgxra_err e = sgxra_rsa_load_private(cx, a->pem, a->len, &k);
  if (e != SGXRA_OK) {
    assert_null(k);
    return e;
  }
  uint8_t sig[384], n[384], q1[384], q2[384];
  sgxra_rsa_modulus_le(k, n);
  e = sgxra_rsa_sign_le(cx, k, "m", 1, sig);
  if (e == SGXRA_OK) e = sgxra_rsa_verify_le(cx, n, 3, "m", 1, sig);
  if (e == SGXRA_OK) e = sgxra_rsa_q1q2_le(cx, sig, n, q1, q2);
  sgxra_rsa_free(k);
  return e;
}

static void test_alloc_failures(void **state) {
  (void)state;
  struct p256_arg a;
  a.key = NULL;
  assert_int_equal(sgxra_p256_generate(NULL, &a.key), SGXRA_OK);
  sgxra_p256_public_raw(a.key, a.pub);
  assert_true(run_with_budgets(op_p256_sign_verify, &a) > 0);
  assert_true(run_with_budgets(op_p256_gen_ecdh, &a) > 0);
  assert_true(run_with_budgets(op_gcm_cmac_sha, NULL) > 0);
  struct rsa_arg r;
  r.pem = tu_read_vector("identity/enarx-sgx/encl.pem", &r.len);
  assert_true(run_with_budgets(op_rsa, &r) > 0);
  free(r.pem);
  sgxra_p256_free(a.key);
  /* OpenSSL failures surface as SGXRA_E_CRYPTO, with OpenSSL's text. */
  assert_true(seen_crypto);
  assert_true(seen_no_memory || seen_crypto);
}

int main(void) {
  if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alloc_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
