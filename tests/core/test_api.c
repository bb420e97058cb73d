/* The installed API as a user sees it: the umbrella header compiles on its
 * own, the architectural sizes it names are the SDM's, and the default
 * trust anchor is Intel's root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <sgxra.h>

_Static_assert(SGXRA_REPORT_BODY_SIZE == 384, "SDM 38.15: REPORT body");
_Static_assert(SGXRA_REPORT_SIZE == 432, "SDM 38.15: REPORT");
_Static_assert(SGXRA_TARGETINFO_SIZE == 512, "SDM 38.16: TARGETINFO");
_Static_assert(SGXRA_KEYREQUEST_SIZE == 512, "SDM 38.17: KEYREQUEST");
_Static_assert(SGXRA_SIGSTRUCT_SIZE == 1808, "SDM 38.13: SIGSTRUCT");
_Static_assert(SGXRA_RSA3072_SIZE == 384, "RSA-3072 modulus bytes");

static void test_embedded_intel_root(void **state) {
  (void)state;
  /* The default trust anchor compiled into the library is Intel's SGX Root
   * CA: the SHA-256 of its DER is the one the vectors README gives. */
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_intel_root(cx, &root), SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_count(root), 1);
  const uint8_t *der;
  size_t n;
  sgxra_x509_cert_der(sgxra_x509_chain_get(root, 0), &der, &n);
  uint8_t h[SGXRA_SHA256_SIZE];
  assert_int_equal(sgxra_sha256(cx, der, n, h), SGXRA_OK);
  static const uint8_t want[SGXRA_SHA256_SIZE] = {
      0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49,
      0xe9, 0x5b, 0x80, 0x7a, 0x35, 0x0e, 0x74, 0x24, 0x96, 0x43, 0x99,
      0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3};
  assert_memory_equal(h, want, sizeof(want));
  sgxra_x509_chain_free(root);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_embedded_intel_root),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
