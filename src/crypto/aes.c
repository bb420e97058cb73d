/* AES-128-CMAC (RFC 4493) and AES-128-GCM: see sgxra/crypto.h.
 *
 * The EVP_MAC and EVP_CIPHER objects are fetched once per process for the
 * default library context (EREPORT MACs and key derivation call CMAC often,
 * on short inputs, so the fetch would dominate). */
#include <limits.h>
#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "crypto/internal.h"
#include "sgxra/crypto.h"

static pthread_once_t aes_once = PTHREAD_ONCE_INIT;
static EVP_MAC *cmac_default;
static EVP_CIPHER *gcm_default;
/* A CMAC context with its cipher already chosen: duplicating it is much
 * cheaper than naming "AES-128-CBC" at every init, which makes the
 * provider fetch the cipher again (about 15k instructions per MAC). */
static EVP_MAC_CTX *cmac_template;

static void cmac_param(OSSL_PARAM params[2]) {
  static char cipher[] = "AES-128-CBC";
  params[0] =
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0);
  params[1] = OSSL_PARAM_construct_end();
}

static void aes_fetch(void) {
  cmac_default = EVP_MAC_fetch(NULL, "CMAC", NULL);
  gcm_default = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
  OSSL_PARAM params[2];
  cmac_param(params);
  cmac_template = cmac_default ? EVP_MAC_CTX_new(cmac_default) : NULL;
  if (cmac_template && !EVP_MAC_CTX_set_params(cmac_template, params)) {
    EVP_MAC_CTX_free(cmac_template);
    cmac_template = NULL;
  }
  ERR_clear_error();
}

static EVP_MAC *cmac_mac(sgxra_ctx *cx) {
  OSSL_LIB_CTX *lc = sgxra__libctx(cx);
  EVP_MAC *m = NULL;
  if (!lc) {
    pthread_once(&aes_once, aes_fetch);
    if (cmac_default && EVP_MAC_up_ref(cmac_default)) m = cmac_default;
  } else {
    m = EVP_MAC_fetch(lc, "CMAC", NULL);
  }
  if (!m)
    sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "CMAC is not available from OpenSSL");
  return m;
}

static EVP_CIPHER *gcm_cipher(sgxra_ctx *cx) {
  OSSL_LIB_CTX *lc = sgxra__libctx(cx);
  EVP_CIPHER *c = NULL;
  if (!lc) {
    pthread_once(&aes_once, aes_fetch);
    if (gcm_default && EVP_CIPHER_up_ref(gcm_default)) c = gcm_default;
  } else {
    c = EVP_CIPHER_fetch(lc, "AES-128-GCM", NULL);
  }
  if (!c)
    sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                     "AES-128-GCM is not available from OpenSSL");
  return c;
}

sgxra_err sgxra_aes128_cmac(sgxra_ctx *cx,
                            const uint8_t key[SGXRA_AES128_KEY_SIZE],
                            const void *msg, size_t n,
                            uint8_t out[SGXRA_CMAC_SIZE]) {
  memset(out, 0, SGXRA_CMAC_SIZE);
  if (!msg && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "AES-CMAC: message is NULL but its length is %zu", n);
  EVP_MAC_CTX *mc = NULL;
  OSSL_PARAM params[2];
  const OSSL_PARAM *init_params = NULL;
  if (!sgxra__libctx(cx)) {
    pthread_once(&aes_once, aes_fetch);
    if (cmac_template) mc = EVP_MAC_CTX_dup(cmac_template);
  }
  if (!mc) {
    EVP_MAC *mac = cmac_mac(cx);
    if (!mac) return SGXRA_E_CRYPTO;
    mc = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (!mc)
      return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "AES-CMAC: out of memory");
    cmac_param(params);
    init_params = params;
  }
  size_t len = 0;
  sgxra_err rc = SGXRA_OK;
  if (!EVP_MAC_init(mc, key, SGXRA_AES128_KEY_SIZE, init_params) ||
      (n && !EVP_MAC_update(mc, msg, n)) ||
      !EVP_MAC_final(mc, out, &len, SGXRA_CMAC_SIZE) ||
      len != SGXRA_CMAC_SIZE) {
    memset(out, 0, SGXRA_CMAC_SIZE);
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-128-CMAC failed");
  }
  EVP_MAC_CTX_free(mc);
  return rc;
}

/* EVP_*Update take int lengths: feed large inputs in pieces. */
#define GCM_CHUNK ((size_t)1 << 30)

static sgxra_err gcm_check(sgxra_ctx *cx, const uint8_t *iv, size_t iv_len,
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t n, const uint8_t *out) {
  if (!iv || iv_len == 0 || iv_len > 1024)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "AES-GCM: IV length %zu is not usable (use 12 bytes)",
                       iv_len);
  if ((!aad && aad_len) || (n && (!in || !out)))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "AES-GCM: NULL buffer with a nonzero length");
  return SGXRA_OK;
}

static sgxra_err gcm_run(sgxra_ctx *cx, int enc,
                         const uint8_t key[SGXRA_AES128_KEY_SIZE],
                         const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                         size_t aad_len, const uint8_t *in, size_t n,
                         uint8_t *out, uint8_t tag[SGXRA_GCM_TAG_SIZE]) {
  EVP_CIPHER *c = gcm_cipher(cx);
  if (!c) return SGXRA_E_CRYPTO;
  EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
  if (!cc) {
    EVP_CIPHER_free(c);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "AES-GCM: out of memory");
  }
  sgxra_err rc = SGXRA_OK;
  size_t ivl = iv_len;
  OSSL_PARAM ivp[2] = {
      OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
      OSSL_PARAM_construct_end()};
  int outl = 0;
  if (!EVP_CipherInit_ex2(cc, c, NULL, NULL, enc, ivp) ||
      !EVP_CipherInit_ex2(cc, NULL, key, iv, enc, NULL)) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-GCM: setting key/IV failed");
    goto done;
  }
  for (size_t off = 0; off < aad_len; off += GCM_CHUNK) {
    size_t k = aad_len - off < GCM_CHUNK ? aad_len - off : GCM_CHUNK;
    if (!EVP_CipherUpdate(cc, NULL, &outl, aad + off, (int)k)) {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-GCM: AAD failed");
      goto done;
    }
  }
  for (size_t off = 0; off < n; off += GCM_CHUNK) {
    size_t k = n - off < GCM_CHUNK ? n - off : GCM_CHUNK;
    if (!EVP_CipherUpdate(cc, out + off, &outl, in + off, (int)k) ||
        (size_t)outl != k) {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-GCM: update failed");
      goto done;
    }
  }
  if (!enc) {
    OSSL_PARAM tp[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag,
                                          SGXRA_GCM_TAG_SIZE),
        OSSL_PARAM_construct_end()};
    if (!EVP_CIPHER_CTX_set_params(cc, tp)) {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-GCM: setting tag failed");
      goto done;
    }
  }
  uint8_t fin[16];
  if (EVP_CipherFinal_ex(cc, fin, &outl) <= 0) {
    if (!enc) {
      ERR_clear_error();
      rc = sgxra__fail(cx, SGXRA_E_CRYPTO_TAG_MISMATCH,
                       "AES-GCM: authentication tag mismatch: the ciphertext, "
                       "AAD, IV or key is wrong or was tampered with");
    } else {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-GCM: final failed");
    }
    goto done;
  }
  if (enc) {
    OSSL_PARAM tp[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag,
                                          SGXRA_GCM_TAG_SIZE),
        OSSL_PARAM_construct_end()};
    if (!EVP_CIPHER_CTX_get_params(cc, tp)) {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "AES-GCM: reading tag failed");
      goto done;
    }
  }
done:
  EVP_CIPHER_CTX_free(cc);
  EVP_CIPHER_free(c);
  return rc;
}

sgxra_err sgxra_aes128_gcm_encrypt(sgxra_ctx *cx,
                                   const uint8_t key[SGXRA_AES128_KEY_SIZE],
                                   const uint8_t *iv, size_t iv_len,
                                   const uint8_t *aad, size_t aad_len,
                                   const uint8_t *pt, size_t n, uint8_t *out_ct,
                                   uint8_t out_tag[SGXRA_GCM_TAG_SIZE]) {
  sgxra_err rc = gcm_check(cx, iv, iv_len, aad, aad_len, pt, n, out_ct);
  if (rc == SGXRA_OK)
    rc = gcm_run(cx, 1, key, iv, iv_len, aad, aad_len, pt, n, out_ct, out_tag);
  if (rc != SGXRA_OK) {
    if (out_ct && n) sgxra_wipe(out_ct, n);
    memset(out_tag, 0, SGXRA_GCM_TAG_SIZE);
  }
  return rc;
}

sgxra_err sgxra_aes128_gcm_decrypt(
    sgxra_ctx *cx, const uint8_t key[SGXRA_AES128_KEY_SIZE], const uint8_t *iv,
    size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
    size_t n, const uint8_t tag[SGXRA_GCM_TAG_SIZE], uint8_t *out_pt) {
  sgxra_err rc = gcm_check(cx, iv, iv_len, aad, aad_len, ct, n, out_pt);
  if (rc == SGXRA_OK) {
    uint8_t t[SGXRA_GCM_TAG_SIZE];
    memcpy(t, tag, sizeof(t));
    rc = gcm_run(cx, 0, key, iv, iv_len, aad, aad_len, ct, n, out_pt, t);
  }
  if (rc != SGXRA_OK && out_pt && n) sgxra_wipe(out_pt, n);
  return rc;
}
