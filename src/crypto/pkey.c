/* Key decoding and encoding shared by the RSA and P-256 code: see
 * crypto/internal.h. */
#include <stdlib.h>

#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>

#include "crypto/internal.h"

sgxra_err sgxra__pkey_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                             const char *input, const char *structure,
                             int selection, const char *what,
                             EVP_PKEY **out_pkey) {
  *out_pkey = NULL;
  int want_public = selection == EVP_PKEY_PUBLIC_KEY;
  if (!p || n == 0)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID, "%s: no bytes given",
                       what);
  EVP_PKEY *pkey = NULL;
  OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(
      &pkey, input, structure, NULL, selection, sgxra__libctx(cx), NULL);
  if (!dc)
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "no OpenSSL key decoder");
  const unsigned char *q = p;
  size_t left = n;
  int ok = OSSL_DECODER_from_data(dc, &q, &left);
  OSSL_DECODER_CTX_free(dc);
  if (!ok || !pkey) {
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return sgxra__fail(
        cx, SGXRA_E_CRYPTO_KEY_INVALID,
        "%s: %zu bytes could not be decoded as %s", what, n,
        want_public ? "a DER SubjectPublicKeyInfo"
                    : "an unencrypted private key in PEM or DER (PKCS#1, "
                      "SEC1 or PKCS#8); decrypt an encrypted key first, "
                      "e.g. with 'openssl pkey'");
  }
  /* A DER object must fill the input exactly (PEM allows text around). */
  if (input && strcmp(input, "DER") == 0 && left != 0) {
    EVP_PKEY_free(pkey);
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "%s: %zu bytes of trailing data after the DER key", what,
                       left);
  }
  *out_pkey = pkey;
  return SGXRA_OK;
}

sgxra_err sgxra__pkey_private_pem(sgxra_ctx *cx, EVP_PKEY *pkey,
                                  char **out_pem) {
  *out_pem = NULL;
  unsigned char *data = NULL;
  size_t len = 0;
  OSSL_ENCODER_CTX *ec = OSSL_ENCODER_CTX_new_for_pkey(
      pkey, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL);
  if (!ec || !OSSL_ENCODER_to_data(ec, &data, &len)) {
    OSSL_ENCODER_CTX_free(ec);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "encoding the private key as PKCS#8 PEM failed");
  }
  OSSL_ENCODER_CTX_free(ec);
  char *s = malloc(len + 1);
  if (!s) {
    OPENSSL_clear_free(data, len);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "private key PEM: out of memory");
  }
  memcpy(s, data, len);
  s[len] = 0;
  OPENSSL_clear_free(data, len);
  *out_pem = s;
  return SGXRA_OK;
}
