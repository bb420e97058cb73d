/* Tests of the process-wide caches of src/quote/x509.c (issue 15): a
 * certificate's DER is decoded once per process, and a certificate's
 * signature verified once per (certificate, signer) pair; both keyed by the
 * exact bytes, so a certificate that differs in one byte is decoded and
 * verified afresh, and a failure is never remembered.  The decoding cache
 * serves certificates read with d2i_X509: those of the fixed shape
 * (x509.c, fast_walk) are not decoded by OpenSSL at all, which the first
 * test checks too; their keys are built once per exact point and shared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "quote/x509_internal.h"
#include "sgxra/x509.h"

#define CHAIN                                                                  \
  "dcap/bundles/sgx-12-mobilecoin-teepot-early-eval19/"                        \
  "tcb_info_issuer_chain.pem"
/* 2025-06-01T00:00:00Z, the bundle's verification time */
#define NOW 1748736000

/* The bundle's TCB signing certificate (certs[0]) and root (certs[1]). */
static sgxra_x509_chain *tcb_chain(void) {
  size_t n = 0;
  uint8_t *pem = tu_read_vector(CHAIN, &n);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, pem, n, &ch), SGXRA_OK);
  free(pem);
  assert_int_equal(sgxra_x509_chain_count(ch), 2);
  return ch;
}

static sgxra_x509_chain *one(const uint8_t *der, size_t n) {
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_der(NULL, der, n, &ch), SGXRA_OK);
  return ch;
}

/* c's DER in *der (borrowed) and a copy of it to change (free it). */
static uint8_t *der_copy(const sgxra_x509_cert *c, const uint8_t **der,
                         size_t *n) {
  sgxra_x509_cert_der(c, der, n);
  uint8_t *copy = malloc(*n);
  assert_non_null(copy);
  memcpy(copy, *der, *n);
  return copy;
}

/* The same bytes decode to the same (shared) X509; other bytes do not. */
static void test_decoded_once_per_bytes(void **state) {
  (void)state;
  /* Intel's certificates are of the fixed shape: no X509 at all */
  sgxra_x509_chain *w = tcb_chain();
  assert_null(w->certs[0].x);
  assert_null(w->certs[1].x);
  sgxra_x509_chain_free(w);
  /* the d2i_X509 path */
  sgxra__x509_set_fast(0);
  sgxra__x509_cache_clear();
  sgxra_x509_chain *a = tcb_chain(), *b = tcb_chain();
  for (size_t i = 0; i < 2; i++) assert_ptr_equal(a->certs[i].x, b->certs[i].x);
  assert_ptr_not_equal(a->certs[0].x, a->certs[1].x);
  /* the root from the built-in PEM is the bundle's root, byte for byte */
  sgxra_x509_chain *intel = NULL;
  assert_int_equal(sgxra_x509_intel_root(NULL, &intel), SGXRA_OK);
  assert_true(sgxra_x509_cert_equal(&intel->certs[0], &a->certs[1]));
  assert_ptr_equal(intel->certs[0].x, a->certs[1].x);
  /* freeing a user's copy (and emptying the cache) leaves the others whole */
  sgxra_x509_chain_free(a);
  sgxra__x509_cache_clear();
  assert_string_equal(sgxra_x509_cert_subject_cn(&b->certs[1]),
                      "Intel SGX Root CA");
  assert_int_equal(
      sgxra_x509_chain_verify(NULL, b, &intel->certs[0], NOW, NULL), SGXRA_OK);
  sgxra_x509_chain_free(intel);
  sgxra_x509_chain_free(b);
  sgxra__x509_set_fast(1);
}

/* A signature that verified once does not make a certificate differing in
 * one byte of its signature verify, before or after; the original still
 * verifies; the changed one is refused every time (failures not kept). */
static void signature_cache_exact_bytes(int fast) {
  sgxra__x509_set_fast(fast);
  sgxra__x509_cache_clear();
  sgxra_x509_chain *ch = tcb_chain();
  const sgxra_x509_cert *root = &ch->certs[1];
  const uint8_t *der = NULL;
  size_t n = 0;
  uint8_t *bad = der_copy(&ch->certs[0], &der, &n);
  bad[n - 1] ^= 0x01; /* the last byte of s in the signature */
  for (int round = 0; round < 2; round++) {
    sgxra_x509_chain *good = one(der, n), *changed = one(bad, n);
    if (!fast) assert_ptr_not_equal(good->certs[0].x, changed->certs[0].x);
    assert_int_equal(sgxra_x509_chain_verify(NULL, good, root, NOW, NULL),
                     SGXRA_OK);
    assert_int_equal(sgxra_x509_chain_verify(NULL, changed, root, NOW, NULL),
                     SGXRA_E_X509_SIGNATURE);
    assert_int_equal(sgxra_x509_chain_verify(NULL, changed, root, NOW, NULL),
                     SGXRA_E_X509_SIGNATURE);
    assert_int_equal(sgxra_x509_chain_verify(NULL, good, root, NOW, NULL),
                     SGXRA_OK);
    sgxra_x509_chain_free(good);
    sgxra_x509_chain_free(changed);
  }
  free(bad);
  sgxra_x509_chain_free(ch);
  sgxra__x509_set_fast(1);
}

/* ... with the certificates read by the DER walk and by d2i_X509 */
static void test_signature_cache_exact_bytes(void **state) {
  (void)state;
  signature_cache_exact_bytes(1);
  signature_cache_exact_bytes(0);
}

/* Keys of the fixed shape are built once per point and shared; a point
 * that differs in one byte is a miss, built afresh and refused as without
 * the cache (off the curve). */
static void test_key_shared_per_point(void **state) {
  (void)state;
  sgxra__x509_cache_clear();
  sgxra_x509_chain *a = tcb_chain(), *b = tcb_chain();
  for (size_t i = 0; i < 2; i++)
    assert_ptr_equal(sgxra__x509_pkey(&a->certs[i]),
                     sgxra__x509_pkey(&b->certs[i]));
  assert_ptr_not_equal(sgxra__x509_pkey(&a->certs[0]),
                       sgxra__x509_pkey(&a->certs[1]));
  const uint8_t *der = NULL;
  size_t n = 0;
  uint8_t *bad = der_copy(&a->certs[1], &der, &n);
  /* the point's last byte: 04 || X || Y ends 64 bytes after the 04 */
  size_t at = 0;
  for (size_t i = 0; i + 3 < n; i++)
    if (bad[i] == 0x03 && bad[i + 1] == 0x42 && bad[i + 2] == 0x00 &&
        bad[i + 3] == 0x04)
      at = i + 3 + 64;
  assert_true(at > 0);
  bad[at] ^= 0x01;
  sgxra_x509_chain *ch = NULL;
  sgxra_err with_cache = sgxra_x509_chain_parse_der(NULL, bad, n, &ch);
  assert_null(ch);
  assert_int_not_equal(with_cache, SGXRA_OK);
  sgxra__x509_set_fast(0);
  assert_int_equal(sgxra_x509_chain_parse_der(NULL, bad, n, &ch), with_cache);
  sgxra__x509_set_fast(1);
  /* the original still verifies with its shared keys */
  assert_int_equal(sgxra_x509_chain_verify(NULL, b, &a->certs[1], NOW, NULL),
                   SGXRA_OK);
  free(bad);
  sgxra_x509_chain_free(a);
  sgxra_x509_chain_free(b);
  sgxra__x509_cache_clear();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decoded_once_per_bytes),
      cmocka_unit_test(test_signature_cache_exact_bytes),
      cmocka_unit_test(test_key_shared_per_point),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
