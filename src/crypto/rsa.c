/* RSA-3072 with e = 3, PKCS#1 v1.5 SHA-256, little-endian numbers as in
 * SIGSTRUCT (Intel SDM vol. 3D, 38.13 "Enclave Signature Structure"):
 * see sgxra/crypto.h.
 *
 * SIGSTRUCT stores MODULUS, SIGNATURE, Q1 and Q2 as 384-byte little-endian
 * integers; OpenSSL speaks big-endian, so every number is reversed at the
 * boundary (BN_lebin2bn / BN_bn2lebinpad, or an explicit byte reversal for
 * signatures that OpenSSL produces and consumes as octet strings). */
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "crypto/internal.h"
#include "sgxra/crypto.h"

struct sgxra_rsa_key {
  EVP_PKEY *pkey; /* public only when has_private is 0 */
  uint8_t n_le[SGXRA_RSA3072_SIZE];
  int has_private; /* 0: sgxra_rsa_load_public, cannot sign */
};

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[n - 1 - i];
}

void sgxra_rsa_free(sgxra_rsa_key *key) {
  if (!key) return;
  EVP_PKEY_free(key->pkey);
  free(key);
}

/* An EVP_PKEY holding only the public key (n, e). */
static EVP_PKEY *rsa_public_only(sgxra_ctx *cx, const BIGNUM *n,
                                 const BIGNUM *e) {
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *fc = NULL;
  EVP_PKEY *pub = NULL;
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
      !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
      !(params = OSSL_PARAM_BLD_to_param(bld)) ||
      !(fc = EVP_PKEY_CTX_new_from_name(sgxra__libctx(cx), "RSA", NULL)) ||
      EVP_PKEY_fromdata_init(fc) <= 0 ||
      EVP_PKEY_fromdata(fc, &pub, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    EVP_PKEY_free(pub);
    pub = NULL;
  }
  EVP_PKEY_CTX_free(fc);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return pub;
}

/* Check an RSA EVP_PKEY is what SGX signs with and wrap it (takes pkey).
 * need_private: refuse a key without its private part; otherwise keep only
 * the public half (a private key given as a public key is not retained). */
static sgxra_err rsa_wrap(sgxra_ctx *cx, EVP_PKEY *pkey, int need_private,
                          sgxra_rsa_key **out_key) {
  sgxra_err rc = SGXRA_OK;
  BIGNUM *e = NULL, *n = NULL, *d = NULL;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA &&
      !EVP_PKEY_is_a(pkey, "RSA")) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_UNSUPPORTED,
                     "the key is %s, not RSA: SGX enclave signing needs an "
                     "RSA-3072 key with public exponent 3 (make one with "
                     "'openssl genrsa -3 3072')",
                     EVP_PKEY_get0_type_name(pkey)
                         ? EVP_PKEY_get0_type_name(pkey)
                         : "of an unknown type");
    goto out;
  }
  int bits = EVP_PKEY_get_bits(pkey);
  if (bits != 3072) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_UNSUPPORTED,
                     "the RSA key has %d bits; SGX enclave signing needs "
                     "exactly 3072 bits with public exponent 3 (make one with "
                     "'openssl genrsa -3 3072')",
                     bits);
    goto out;
  }
  if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) ||
      !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n)) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                          "cannot read the RSA key's modulus and exponent");
    goto out;
  }
  if (!BN_is_word(e, 3)) {
    char *dec = BN_bn2dec(e);
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_RSA_EXPONENT,
                     "the RSA key's public exponent is %s; SGX requires 3 "
                     "(make a key with 'openssl genrsa -3 3072')",
                     dec ? dec : "not 3");
    OPENSSL_free(dec);
    goto out;
  }
  int has_d = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d);
  if (!has_d) ERR_clear_error();
  if (need_private && !has_d) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                     "the RSA key has no private part: signing needs the "
                     "private key");
    goto out;
  }
  if (!need_private) {
    EVP_PKEY *pub = rsa_public_only(cx, n, e);
    if (!pub) {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                            "cannot build the RSA public key from its "
                            "modulus and exponent");
      goto out;
    }
    EVP_PKEY_free(pkey);
    pkey = pub;
  }
  sgxra_rsa_key *k = calloc(1, sizeof(*k));
  if (!k) {
    rc = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "RSA key: out of memory");
    goto out;
  }
  if (BN_bn2lebinpad(n, k->n_le, SGXRA_RSA3072_SIZE) != SGXRA_RSA3072_SIZE) {
    free(k);
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "RSA modulus encoding failed");
    goto out;
  }
  k->pkey = pkey;
  k->has_private = need_private;
  pkey = NULL;
  *out_key = k;
out:
  BN_free(e);
  BN_free(n);
  BN_clear_free(d);
  EVP_PKEY_free(pkey);
  return rc;
}

sgxra_err sgxra_rsa_load_private(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 sgxra_rsa_key **out_key) {
  *out_key = NULL;
  /* Any encoding and structure is decoded, so that a non-RSA key is then
   * refused by name rather than as unreadable. */
  EVP_PKEY *pkey = NULL;
  sgxra_err rc = sgxra__pkey_decode(cx, p, n, NULL, NULL, EVP_PKEY_KEYPAIR,
                                    "RSA key", &pkey);
  if (rc != SGXRA_OK) return rc;
  rc = rsa_wrap(cx, pkey, 1, out_key);
  if (rc != SGXRA_OK) return rc;
  /* Pairwise consistency: a key file with a damaged modulus, exponent or
   * CRT value still decodes, but would make SIGSTRUCTs that never verify.
   * One signature checked under the key's own modulus catches that here,
   * with a clear message, instead of at EINIT. */
  static const char probe[] = "sgxra RSA key consistency check";
  uint8_t sig[SGXRA_RSA3072_SIZE];
  rc = sgxra_rsa_sign_le(cx, *out_key, probe, sizeof(probe), sig);
  if (rc == SGXRA_OK)
    rc =
        sgxra_rsa_verify_le(cx, (*out_key)->n_le, 3, probe, sizeof(probe), sig);
  if (rc != SGXRA_OK) {
    sgxra_rsa_free(*out_key);
    *out_key = NULL;
    if (rc == SGXRA_E_CRYPTO_SIG_INVALID)
      rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "RSA key is inconsistent: a signature made with it "
                       "does not verify under its own modulus, so the key "
                       "file is damaged");
  }
  return rc;
}

sgxra_err sgxra_rsa_generate(sgxra_ctx *cx, sgxra_rsa_key **out_key) {
  *out_key = NULL;
  EVP_PKEY *pkey = NULL;
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(sgxra__libctx(cx), "RSA", NULL);
  size_t bits = 3072;
  unsigned int e = 3;
  OSSL_PARAM params[3] = {
      OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &bits),
      OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &e),
      OSSL_PARAM_construct_end()};
  if (!pc || EVP_PKEY_keygen_init(pc) <= 0 ||
      !EVP_PKEY_CTX_set_params(pc, params) ||
      EVP_PKEY_generate(pc, &pkey) <= 0) {
    EVP_PKEY_CTX_free(pc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "RSA-3072 (e = 3) key generation failed");
  }
  EVP_PKEY_CTX_free(pc);
  return rsa_wrap(cx, pkey, 1, out_key);
}

sgxra_err sgxra_rsa_load_public(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                sgxra_rsa_key **out_key) {
  *out_key = NULL;
  if (!p || n == 0)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "RSA public key: no bytes given");
  /* Selection 0: any structure OpenSSL knows (SubjectPublicKeyInfo, PKCS#1
   * RSAPublicKey, PKCS#1/PKCS#8 private keys), in PEM or DER.  RSA first:
   * a bare DER RSAPublicKey, SEQUENCE { n, e }, also parses as other
   * types' parameters.  Then any type, so that rsa_wrap refuses a non-RSA
   * key by name. */
  EVP_PKEY *pkey = NULL;
  size_t left = n;
  static const char *const types[] = {"RSA", NULL};
  for (size_t i = 0; i < 2 && !pkey; i++) {
    OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(
        &pkey, NULL, NULL, types[i], 0, sgxra__libctx(cx), NULL);
    if (!dc)
      return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "no OpenSSL key decoder");
    const unsigned char *q = p;
    left = n;
    if (!OSSL_DECODER_from_data(dc, &q, &left)) {
      EVP_PKEY_free(pkey);
      pkey = NULL;
    }
    OSSL_DECODER_CTX_free(dc);
  }
  if (!pkey) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "RSA public key: %zu bytes could not be decoded as a "
                       "public key (PEM or DER, SubjectPublicKeyInfo \"PUBLIC "
                       "KEY\" or PKCS#1 \"RSA PUBLIC KEY\") or an unencrypted "
                       "private key; 'openssl pkey -in KEY -pubout' writes "
                       "the first",
                       n);
  }
  ERR_clear_error();
  /* A DER object fills the input exactly (PEM allows text around it). */
  if (left != 0 && p[0] == 0x30) {
    EVP_PKEY_free(pkey);
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "RSA public key: %zu bytes of trailing data after the "
                       "DER key",
                       left);
  }
  return rsa_wrap(cx, pkey, 0, out_key);
}

/* The refusal of every private-key operation on a public-only key. */
static sgxra_err need_private(sgxra_ctx *cx, const sgxra_rsa_key *key,
                              const char *what) {
  if (!key)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: no RSA key", what);
  if (!key->has_private)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_UNSUPPORTED,
                       "%s needs the private key, but this RSA key was "
                       "loaded as a public key only (sgxra_rsa_load_public): "
                       "load the private key, or sign externally and "
                       "assemble (two-step signing)",
                       what);
  return SGXRA_OK;
}

sgxra_err sgxra_rsa_private_pem(sgxra_ctx *cx, const sgxra_rsa_key *key,
                                char **out_pem) {
  *out_pem = NULL;
  sgxra_err rc = need_private(cx, key, "writing the private key");
  if (rc != SGXRA_OK) return rc;
  return sgxra__pkey_private_pem(cx, key->pkey, out_pem);
}

void sgxra_rsa_modulus_le(const sgxra_rsa_key *key,
                          uint8_t out[SGXRA_RSA3072_SIZE]) {
  memcpy(out, key->n_le, SGXRA_RSA3072_SIZE);
}

static EVP_PKEY_CTX *rsa_pkcs1_ctx(sgxra_ctx *cx, EVP_PKEY *pkey, int sign) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(sgxra__libctx(cx), pkey, NULL);
  EVP_MD *md = sgxra__sha256_md(cx);
  int ok = pc && md &&
           (sign ? EVP_PKEY_sign_init(pc) : EVP_PKEY_verify_init(pc)) > 0 &&
           EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0 &&
           EVP_PKEY_CTX_set_signature_md(pc, md) > 0;
  EVP_MD_free(md);
  if (!ok) {
    EVP_PKEY_CTX_free(pc);
    return NULL;
  }
  return pc;
}

sgxra_err sgxra_rsa_sign_digest_le(sgxra_ctx *cx, const sgxra_rsa_key *key,
                                   const uint8_t digest[SGXRA_SHA256_SIZE],
                                   uint8_t out_sig[SGXRA_RSA3072_SIZE]) {
  memset(out_sig, 0, SGXRA_RSA3072_SIZE);
  sgxra_err rc = need_private(cx, key, "RSA signing");
  if (rc != SGXRA_OK) return rc;
  EVP_PKEY_CTX *pc = rsa_pkcs1_ctx(cx, key->pkey, 1);
  if (!pc)
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "RSA PKCS#1 v1.5 SHA-256 signing setup failed");
  uint8_t be[SGXRA_RSA3072_SIZE];
  size_t len = sizeof(be);
  int ok = EVP_PKEY_sign(pc, be, &len, digest, SGXRA_SHA256_SIZE) > 0;
  EVP_PKEY_CTX_free(pc);
  if (!ok || len != SGXRA_RSA3072_SIZE)
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "RSA signing failed");
  reverse_copy(out_sig, be, SGXRA_RSA3072_SIZE);
  return SGXRA_OK;
}

sgxra_err sgxra_rsa_sign_le(sgxra_ctx *cx, const sgxra_rsa_key *key,
                            const void *msg, size_t n,
                            uint8_t out_sig[SGXRA_RSA3072_SIZE]) {
  uint8_t d[SGXRA_SHA256_SIZE];
  sgxra_err rc = need_private(cx, key, "RSA signing");
  if (rc == SGXRA_OK) rc = sgxra_sha256(cx, msg, n, d);
  if (rc != SGXRA_OK) {
    memset(out_sig, 0, SGXRA_RSA3072_SIZE);
    return rc;
  }
  return sgxra_rsa_sign_digest_le(cx, key, d, out_sig);
}

sgxra_err sgxra_rsa_verify_le(sgxra_ctx *cx,
                              const uint8_t modulus_le[SGXRA_RSA3072_SIZE],
                              uint32_t exponent, const void *msg, size_t n,
                              const uint8_t sig_le[SGXRA_RSA3072_SIZE]) {
  if (!msg && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "RSA verify: message is NULL but its length is %zu", n);
  /* A 3072-bit modulus has its top byte (last, little-endian) nonzero and
   * is odd; anything else cannot be a SIGSTRUCT signer, so no signature is
   * valid under it.  That is a verdict on the signature (SIG_INVALID, as
   * for any other wrong signature), with the reason in the message. */
  if (modulus_le[SGXRA_RSA3072_SIZE - 1] == 0 || !(modulus_le[0] & 1))
    return sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_INVALID,
                       "RSA signature cannot verify: the modulus is not a "
                       "3072-bit odd number (top byte 0x%02x, low byte "
                       "0x%02x), so the stored key is corrupt",
                       modulus_le[SGXRA_RSA3072_SIZE - 1], modulus_le[0]);
  if (exponent < 3 || !(exponent & 1))
    return sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_INVALID,
                       "RSA signature cannot verify: public exponent %u is "
                       "not a usable RSA exponent (SGX uses 3)",
                       (unsigned)exponent);
  uint8_t d[SGXRA_SHA256_SIZE];
  sgxra_err rc = sgxra_sha256(cx, msg, n, d);
  if (rc != SGXRA_OK) return rc;

  BIGNUM *bn_n = BN_lebin2bn(modulus_le, SGXRA_RSA3072_SIZE, NULL);
  BIGNUM *bn_e = BN_new();
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *fc = NULL, *vc = NULL;
  EVP_PKEY *pkey = NULL;
  if (!bn_n || !bn_e || !bld || !BN_set_word(bn_e, exponent) ||
      !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
      !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
      !(params = OSSL_PARAM_BLD_to_param(bld)) ||
      !(fc = EVP_PKEY_CTX_new_from_name(sgxra__libctx(cx), "RSA", NULL)) ||
      EVP_PKEY_fromdata_init(fc) <= 0 ||
      EVP_PKEY_fromdata(fc, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                          "RSA verify: cannot build the public key from the "
                          "modulus and exponent");
    goto out;
  }
  vc = rsa_pkcs1_ctx(cx, pkey, 0);
  if (!vc) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "RSA verify setup failed");
    goto out;
  }
  uint8_t be[SGXRA_RSA3072_SIZE];
  reverse_copy(be, sig_le, SGXRA_RSA3072_SIZE);
  if (EVP_PKEY_verify(vc, be, sizeof(be), d, sizeof(d)) != 1) {
    ERR_clear_error();
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_INVALID,
                     "RSA PKCS#1 v1.5 SHA-256 signature does not verify "
                     "under the given modulus: the signed bytes or the "
                     "signature were changed, or another key signed them");
  }
out:
  EVP_PKEY_CTX_free(vc);
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(fc);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return rc;
}

sgxra_err sgxra_rsa_q1q2_le(sgxra_ctx *cx,
                            const uint8_t sig_le[SGXRA_RSA3072_SIZE],
                            const uint8_t modulus_le[SGXRA_RSA3072_SIZE],
                            uint8_t out_q1[SGXRA_RSA3072_SIZE],
                            uint8_t out_q2[SGXRA_RSA3072_SIZE]) {
  memset(out_q1, 0, SGXRA_RSA3072_SIZE);
  memset(out_q2, 0, SGXRA_RSA3072_SIZE);
  sgxra_err rc = SGXRA_OK;
  BN_CTX *bc = BN_CTX_new_ex(sgxra__libctx(cx));
  BIGNUM *s = BN_lebin2bn(sig_le, SGXRA_RSA3072_SIZE, NULL);
  BIGNUM *n = BN_lebin2bn(modulus_le, SGXRA_RSA3072_SIZE, NULL);
  BIGNUM *t = BN_new(), *q1 = BN_new(), *r = BN_new(), *q2 = BN_new();
  if (!bc || !s || !n || !t || !q1 || !r || !q2) {
    rc = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "Q1/Q2: out of memory");
    goto out;
  }
  if (BN_is_zero(n)) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                     "Q1/Q2: the modulus is zero");
    goto out;
  }
  if (BN_cmp(s, n) >= 0) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_FORMAT,
                     "Q1/Q2: the signature is not smaller than the modulus");
    goto out;
  }
  /* Q1 = floor(s^2 / n), r = s^2 mod n.
   * s^3 - Q1*s*n = s * (s^2 - Q1*n) = s * r, so Q2 = floor(s*r / n). */
  if (!BN_sqr(t, s, bc) || !BN_div(q1, r, t, n, bc) || !BN_mul(t, s, r, bc) ||
      !BN_div(q2, NULL, t, n, bc) ||
      BN_bn2lebinpad(q1, out_q1, SGXRA_RSA3072_SIZE) != SGXRA_RSA3072_SIZE ||
      BN_bn2lebinpad(q2, out_q2, SGXRA_RSA3072_SIZE) != SGXRA_RSA3072_SIZE) {
    memset(out_q1, 0, SGXRA_RSA3072_SIZE);
    memset(out_q2, 0, SGXRA_RSA3072_SIZE);
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "Q1/Q2 computation failed");
  }
out:
  BN_free(s);
  BN_free(n);
  BN_free(t);
  BN_free(q1);
  BN_free(r);
  BN_free(q2);
  BN_CTX_free(bc);
  return rc;
}
