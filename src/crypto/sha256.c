/* SHA-256, one-shot and streaming: see sgxra/crypto.h.
 *
 * The EVP_MD is fetched once per process (pthread_once) for the default
 * library context: MRENCLAVE streams hundreds of MiB through here in
 * 64..256-byte records, so per-call overhead must stay near zero. */
#include <pthread.h>

#include "crypto/internal.h"
#include "sgxra/crypto.h"

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_default;

static void sha256_fetch(void) {
  sha256_default = EVP_MD_fetch(NULL, "SHA256", NULL);
}

EVP_MD *sgxra__sha256_md(sgxra_ctx *cx) {
  OSSL_LIB_CTX *lc = sgxra__libctx(cx);
  EVP_MD *md = NULL;
  if (lc == NULL) {
    pthread_once(&sha256_once, sha256_fetch);
    if (sha256_default && EVP_MD_up_ref(sha256_default)) md = sha256_default;
  } else {
    md = EVP_MD_fetch(lc, "SHA256", NULL);
  }
  if (!md)
    sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                     "SHA-256 is not available from OpenSSL");
  return md;
}

sgxra_err sgxra_sha256(sgxra_ctx *cx, const void *p, size_t n,
                       uint8_t out[SGXRA_SHA256_SIZE]) {
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SHA-256: input is NULL but its length is %zu", n);
  EVP_MD *md = sgxra__sha256_md(cx);
  if (!md) {
    memset(out, 0, SGXRA_SHA256_SIZE);
    return SGXRA_E_CRYPTO;
  }
  unsigned int len = 0;
  int ok = EVP_Digest(n ? p : "", n, out, &len, md, NULL);
  EVP_MD_free(md);
  if (!ok || len != SGXRA_SHA256_SIZE) {
    memset(out, 0, SGXRA_SHA256_SIZE);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "SHA-256 failed");
  }
  return SGXRA_OK;
}

/* init always makes a fresh EVP_MD_CTX (final and cleanup release it), so
 * init works on an uninitialised object too. */
sgxra_err sgxra_sha256_init(sgxra_ctx *cx, sgxra_sha256_stream *s) {
  s->impl = NULL;
  EVP_MD *md = sgxra__sha256_md(cx);
  if (!md) return SGXRA_E_CRYPTO;
  EVP_MD_CTX *mc = EVP_MD_CTX_new();
  if (!mc) {
    EVP_MD_free(md);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "SHA-256: out of memory");
  }
  int ok = EVP_DigestInit_ex2(mc, md, NULL);
  EVP_MD_free(md);
  if (!ok) {
    EVP_MD_CTX_free(mc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "SHA-256 init failed");
  }
  s->impl = mc;
  return SGXRA_OK;
}

sgxra_err sgxra_sha256_update(sgxra_ctx *cx, sgxra_sha256_stream *s,
                              const void *p, size_t n) {
  if (!s->impl)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SHA-256 update on a stream that was not initialised "
                       "(call sgxra_sha256_init first)");
  if (n == 0) return SGXRA_OK;
  if (!p)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SHA-256: input is NULL but its length is %zu", n);
  if (!EVP_DigestUpdate((EVP_MD_CTX *)s->impl, p, n))
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "SHA-256 update failed");
  return SGXRA_OK;
}

sgxra_err sgxra_sha256_final(sgxra_ctx *cx, sgxra_sha256_stream *s,
                             uint8_t out[SGXRA_SHA256_SIZE]) {
  memset(out, 0, SGXRA_SHA256_SIZE);
  if (!s->impl)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SHA-256 final on a stream that was not initialised");
  unsigned int len = 0;
  int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)s->impl, out, &len);
  sgxra_sha256_cleanup(s);
  if (!ok || len != SGXRA_SHA256_SIZE) {
    memset(out, 0, SGXRA_SHA256_SIZE);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "SHA-256 final failed");
  }
  return SGXRA_OK;
}

void sgxra_sha256_cleanup(sgxra_sha256_stream *s) {
  if (!s) return;
  EVP_MD_CTX_free((EVP_MD_CTX *)s->impl);
  s->impl = NULL;
}
