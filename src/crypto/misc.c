/* Constant-time compare, wipe and random bytes: see sgxra/crypto.h. */
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/internal.h"
#include "sgxra/crypto.h"

int sgxra_ct_equal(const void *a, const void *b, size_t n) {
  if (n == 0) return 1;
  return CRYPTO_memcmp(a, b, n) == 0;
}

void sgxra_wipe(void *p, size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}

sgxra_err sgxra_random(sgxra_ctx *cx, void *out, size_t n) {
  if (n == 0) return SGXRA_OK;
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "random: output buffer is NULL for %zu bytes", n);
  if (RAND_bytes_ex(sgxra__libctx(cx), out, n, 0) != 1) {
    memset(out, 0, n);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "random: OpenSSL's generator failed");
  }
  return SGXRA_OK;
}
