/* ECDSA and ECDH on P-256 (secp256r1 / prime256v1): see sgxra/crypto.h.
 *
 * SGX quotes carry public keys as raw X||Y and signatures as raw r||s, each
 * number a 32-byte big-endian string; X.509 and TLS use DER.  Both are
 * offered here.  Messages are hashed with the once-fetched SHA-256 and the
 * digest signed with EVP_PKEY_sign/verify, which keeps per-call overhead
 * small for quote verification. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>

#include "crypto/internal.h"
#include "sgxra/crypto.h"

struct sgxra_p256_key {
  EVP_PKEY *pkey;
  uint8_t pub[SGXRA_P256_PUBLIC_SIZE]; /* X||Y, big-endian */
  int has_private;
};

EVP_PKEY *sgxra__p256_evp(const sgxra_p256_key *key) {
  return key ? key->pkey : NULL;
}

sgxra_p256_key *sgxra__p256_share(const sgxra_p256_key *key) {
  sgxra_p256_key *k = key ? malloc(sizeof *k) : NULL;
  if (k == NULL) return NULL;
  if (EVP_PKEY_up_ref(key->pkey) != 1) {
    free(k);
    return NULL;
  }
  *k = *key;
  return k;
}

void sgxra_p256_free(sgxra_p256_key *key) {
  if (!key) return;
  EVP_PKEY_free(key->pkey);
  free(key);
}

void *sgxra_p256_evp(const sgxra_p256_key *key) {
  return key ? key->pkey : NULL;
}

void sgxra_p256_public_raw(const sgxra_p256_key *key,
                           uint8_t out[SGXRA_P256_PUBLIC_SIZE]) {
  memcpy(out, key->pub, SGXRA_P256_PUBLIC_SIZE);
}

/* Wrap a key this file built itself from known bytes (no checks or
 * parameter reads needed: from_public is on the quote-verification path).
 * Takes ownership of pkey (freed on failure). */
static sgxra_err p256_adopt(sgxra_ctx *cx, EVP_PKEY *pkey,
                            const uint8_t xy[SGXRA_P256_PUBLIC_SIZE],
                            int has_private, sgxra_p256_key **out_key) {
  sgxra_p256_key *k = calloc(1, sizeof(*k));
  if (!k) {
    EVP_PKEY_free(pkey);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "P-256 key: out of memory");
  }
  k->pkey = pkey;
  memcpy(k->pub, xy, SGXRA_P256_PUBLIC_SIZE);
  k->has_private = has_private;
  *out_key = k;
  return SGXRA_OK;
}

/* Check pkey is a P-256 key and wrap it; takes ownership of pkey (freed on
 * failure). */
static sgxra_err p256_wrap(sgxra_ctx *cx, EVP_PKEY *pkey,
                           sgxra_p256_key **out_key) {
  sgxra_err rc = SGXRA_OK;
  BIGNUM *x = NULL, *y = NULL, *d = NULL;
  char group[64] = {0};
  size_t glen = 0;
  /* The base id is set when the key is made; EVP_PKEY_is_a() looks names
   * up (and can fail under memory pressure), so it is only the fallback. */
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC && !EVP_PKEY_is_a(pkey, "EC")) {
    const char *t = EVP_PKEY_get0_type_name(pkey);
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_UNSUPPORTED,
                     "the key is %s, not an elliptic-curve key: a NIST P-256 "
                     "(prime256v1) key is needed",
                     t ? t : "of an unknown type");
    goto out;
  }
  ERR_clear_error(); /* so that an error seen below is from this call */
  if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                      sizeof(group), &glen)) {
    /* No name: explicit curve parameters (nothing queued), or OpenSSL
     * itself failed (an error is queued, e.g. out of memory). */
    if (ERR_peek_error() != 0) {
      rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "cannot read the elliptic-curve key's curve");
      goto out;
    }
    group[0] = 0;
  }
  if (strcmp(group, SN_X9_62_prime256v1) != 0) {
    ERR_clear_error();
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_UNSUPPORTED,
                     "the elliptic-curve key is on curve '%s'; only NIST "
                     "P-256 (prime256v1) is supported",
                     group[0] ? group : "unnamed/explicit parameters");
    goto out;
  }
  sgxra_p256_key *k = calloc(1, sizeof(*k));
  if (!k) {
    rc = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "P-256 key: out of memory");
    goto out;
  }
  if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
      !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
      BN_bn2binpad(x, k->pub, 32) != 32 ||
      BN_bn2binpad(y, k->pub + 32, 32) != 32) {
    free(k);
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                          "the P-256 key has no usable public point");
    goto out;
  }
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d))
    k->has_private = 1;
  else
    ERR_clear_error();
  k->pkey = pkey;
  pkey = NULL;
  *out_key = k;
out:
  BN_free(x);
  BN_free(y);
  BN_clear_free(d);
  EVP_PKEY_free(pkey);
  return rc;
}

sgxra_err sgxra_p256_generate(sgxra_ctx *cx, sgxra_p256_key **out_key) {
  *out_key = NULL;
  EVP_PKEY *pkey = NULL;
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(sgxra__libctx(cx), "EC", NULL);
  char group[] = SN_X9_62_prime256v1;
  OSSL_PARAM params[2] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_end()};
  if (!pc || EVP_PKEY_keygen_init(pc) <= 0 ||
      !EVP_PKEY_CTX_set_params(pc, params) ||
      EVP_PKEY_generate(pc, &pkey) <= 0) {
    EVP_PKEY_CTX_free(pc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "P-256 key generation failed");
  }
  EVP_PKEY_CTX_free(pc);
  return p256_wrap(cx, pkey, out_key);
}

/* Build an EC P-256 EVP_PKEY from an uncompressed point (65 bytes) and,
 * when d is not NULL, the private scalar. */
static EVP_PKEY *p256_fromdata(sgxra_ctx *cx, const uint8_t pub65[65],
                               const BIGNUM *d) {
  EVP_PKEY *pkey = NULL;
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *fc = NULL;
  if (bld &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                      SN_X9_62_prime256v1, 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub65,
                                       65) &&
      (!d || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) &&
      (fc = EVP_PKEY_CTX_new_from_name(sgxra__libctx(cx), "EC", NULL)) &&
      EVP_PKEY_fromdata_init(fc) > 0) {
    if (EVP_PKEY_fromdata(fc, &pkey, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params) <= 0)
      pkey = NULL;
  }
  EVP_PKEY_CTX_free(fc);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return pkey;
}

sgxra_err sgxra_p256_from_private(sgxra_ctx *cx,
                                  const uint8_t d[SGXRA_P256_PRIVATE_SIZE],
                                  sgxra_p256_key **out_key) {
  *out_key = NULL;
  sgxra_err rc = SGXRA_OK;
  EC_GROUP *g = EC_GROUP_new_by_curve_name_ex(sgxra__libctx(cx), NULL,
                                              NID_X9_62_prime256v1);
  EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
  BN_CTX *bc = BN_CTX_secure_new_ex(sgxra__libctx(cx));
  BIGNUM *bd = BN_secure_new();
  uint8_t pub65[65];
  if (!g || !pt || !bc || !bd || !BN_bin2bn(d, SGXRA_P256_PRIVATE_SIZE, bd)) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "P-256 setup failed");
    goto out;
  }
  /* A private scalar must lie in [1, n-1] (SEC 1 v2, 3.2.1). */
  if (BN_is_zero(bd) || BN_cmp(bd, EC_GROUP_get0_order(g)) >= 0) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                     "P-256 private key out of range: it must be between 1 "
                     "and the group order minus 1");
    goto out;
  }
  BN_set_flags(bd, BN_FLG_CONSTTIME);
  if (!EC_POINT_mul(g, pt, bd, NULL, NULL, bc) ||
      EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub65,
                         sizeof(pub65), bc) != sizeof(pub65)) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                          "P-256: computing the public point failed");
    goto out;
  }
  EVP_PKEY *pkey = p256_fromdata(cx, pub65, bd);
  if (!pkey) {
    rc = sgxra__fail_ossl(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                          "P-256: building the key failed");
    goto out;
  }
  rc = p256_adopt(cx, pkey, pub65 + 1, 1, out_key);
out:
  BN_clear_free(bd);
  BN_CTX_free(bc);
  EC_POINT_free(pt);
  EC_GROUP_free(g);
  return rc;
}

/* Domain parameters of P-256 made once per process: a public key built by
 * copying them and setting the point costs about a third of building the
 * group from its name each time, and quote verification builds one key per
 * quote.  The template is immutable after creation (a cache of constants,
 * not state), and is only used with OpenSSL's default library context. */
static pthread_once_t template_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *template_params;

static void template_make(void) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if (pc && EVP_PKEY_paramgen_init(pc) > 0 &&
      EVP_PKEY_CTX_set_group_name(pc, SN_X9_62_prime256v1) > 0 &&
      EVP_PKEY_paramgen(pc, &template_params) > 0) {
    EVP_PKEY_CTX_free(pc);
    return;
  }
  EVP_PKEY_CTX_free(pc);
  template_params = NULL;
  ERR_clear_error();
}

/* A public key from the cached parameters, or NULL (the caller then takes
 * the general path). */
static EVP_PKEY *p256_public_from_template(sgxra_ctx *cx,
                                           const uint8_t pub65[65]) {
  if (sgxra__libctx(cx) != NULL) return NULL;
  pthread_once(&template_once, template_make);
  if (!template_params) return NULL;
  EVP_PKEY *pkey = EVP_PKEY_new();
  if (pkey && EVP_PKEY_copy_parameters(pkey, template_params) == 1 &&
      EVP_PKEY_set1_encoded_public_key(pkey, pub65, 65) == 1)
    return pkey;
  EVP_PKEY_free(pkey);
  ERR_clear_error();
  return NULL;
}

/* 1 when the key lives in one of OpenSSL's own providers, whose EC import
 * refuses a point off the curve. */
static int decoded_by_openssl(const EVP_PKEY *pkey) {
  const OSSL_PROVIDER *prov = EVP_PKEY_get0_provider(pkey);
  const char *name = prov ? OSSL_PROVIDER_get0_name(prov) : NULL;
  return name && (!strcmp(name, "default") || !strcmp(name, "fips"));
}

sgxra_err sgxra_p256_from_public(sgxra_ctx *cx,
                                 const uint8_t xy[SGXRA_P256_PUBLIC_SIZE],
                                 sgxra_p256_key **out_key) {
  *out_key = NULL;
  uint8_t pub65[65];
  pub65[0] = POINT_CONVERSION_UNCOMPRESSED;
  memcpy(pub65 + 1, xy, SGXRA_P256_PUBLIC_SIZE);
  /* OpenSSL's own providers ("default", "fips") decode the point with
   * EC_POINT_oct2point, which refuses a point that is not on the curve
   * (tests/crypto/test_p256.c test_bad_keys).  A key from any other provider
   * is checked explicitly: its decoder is not known to do so.  The check
   * was 3 % of the full flow when made for every key (docs/PERFORMANCE.md). */
  EVP_PKEY *pkey = p256_public_from_template(cx, pub65);
  if (!pkey) pkey = p256_fromdata(cx, pub65, NULL);
  int ok = pkey != NULL;
  if (ok && !decoded_by_openssl(pkey)) {
    EVP_PKEY_CTX *pc =
        EVP_PKEY_CTX_new_from_pkey(sgxra__libctx(cx), pkey, NULL);
    ok = pc && EVP_PKEY_public_check_quick(pc) == 1;
    EVP_PKEY_CTX_free(pc);
  }
  if (!ok) {
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "P-256 public key X||Y (X starts %02x%02x%02x%02x) is "
                       "not a point on the curve: the key bytes are corrupt "
                       "or not a P-256 key",
                       xy[0], xy[1], xy[2], xy[3]);
  }
  return p256_adopt(cx, pkey, xy, 0, out_key);
}

static sgxra_err p256_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                             const char *input, const char *structure,
                             int selection, const char *what,
                             sgxra_p256_key **out_key) {
  *out_key = NULL;
  EVP_PKEY *pkey = NULL;
  sgxra_err rc =
      sgxra__pkey_decode(cx, p, n, input, structure, selection, what, &pkey);
  if (rc != SGXRA_OK) return rc;
  return p256_wrap(cx, pkey, out_key);
}

sgxra_err sgxra_p256_from_spki(sgxra_ctx *cx, const uint8_t *der, size_t n,
                               sgxra_p256_key **out_key) {
  return p256_decode(cx, der, n, "DER", "SubjectPublicKeyInfo",
                     EVP_PKEY_PUBLIC_KEY, "P-256 SubjectPublicKeyInfo",
                     out_key);
}

sgxra_err sgxra_p256_load_private(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  sgxra_p256_key **out_key) {
  sgxra_err rc = p256_decode(cx, p, n, NULL, NULL, EVP_PKEY_KEYPAIR,
                             "P-256 private key", out_key);
  if (rc == SGXRA_OK && !(*out_key)->has_private) {
    sgxra_p256_free(*out_key);
    *out_key = NULL;
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "P-256 private key: the input holds only a public key");
  }
  if (rc != SGXRA_OK) return rc;
  /* A key file carries the public point beside the scalar; a damaged file
   * can pair them wrongly.  Check public == d*G. */
  EVP_PKEY_CTX *pc =
      EVP_PKEY_CTX_new_from_pkey(sgxra__libctx(cx), (*out_key)->pkey, NULL);
  int ok = pc && EVP_PKEY_pairwise_check(pc) == 1;
  EVP_PKEY_CTX_free(pc);
  if (!ok) {
    sgxra_p256_free(*out_key);
    *out_key = NULL;
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "P-256 private key is inconsistent: its public point "
                       "is not d*G, so the key file is damaged");
  }
  return SGXRA_OK;
}

sgxra_err sgxra_p256_private_pem(sgxra_ctx *cx, const sgxra_p256_key *key,
                                 char **out_pem) {
  *out_pem = NULL;
  if (!key->has_private)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "P-256 key has no private part to write");
  return sgxra__pkey_private_pem(cx, key->pkey, out_pem);
}

sgxra_err sgxra_p256_from_evp(sgxra_ctx *cx, void *evp_pkey,
                              sgxra_p256_key **out_key) {
  *out_key = NULL;
  if (!evp_pkey)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "P-256: no EVP_PKEY");
  if (!EVP_PKEY_up_ref((EVP_PKEY *)evp_pkey))
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "EVP_PKEY_up_ref failed");
  return p256_wrap(cx, (EVP_PKEY *)evp_pkey, out_key);
}

sgxra_err sgxra_p256_private_raw(sgxra_ctx *cx, const sgxra_p256_key *key,
                                 uint8_t out[SGXRA_P256_PRIVATE_SIZE]) {
  memset(out, 0, SGXRA_P256_PRIVATE_SIZE);
  BIGNUM *d = NULL;
  if (!key->has_private ||
      !EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d)) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "P-256 key has no private part");
  }
  int ok =
      BN_bn2binpad(d, out, SGXRA_P256_PRIVATE_SIZE) == SGXRA_P256_PRIVATE_SIZE;
  BN_clear_free(d);
  if (!ok) {
    sgxra_wipe(out, SGXRA_P256_PRIVATE_SIZE);
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "P-256 private scalar does not fit 32 bytes");
  }
  return SGXRA_OK;
}

/* ---- signatures ---------------------------------------------------------- */

sgxra_err sgxra_p256_sig_to_der(sgxra_ctx *cx,
                                const uint8_t sig[SGXRA_P256_SIG_SIZE],
                                uint8_t **out_der, size_t *out_len) {
  *out_der = NULL;
  *out_len = 0;
  ECDSA_SIG *es = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(sig, 32, NULL);
  BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL);
  if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
    ECDSA_SIG_free(es);
    BN_free(r);
    BN_free(s);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "ECDSA signature: out of memory");
  }
  unsigned char *der = NULL;
  int len = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  if (len <= 0)
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "ECDSA signature DER encoding failed");
  uint8_t *out = malloc((size_t)len);
  if (!out) {
    OPENSSL_free(der);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "ECDSA signature: out of memory");
  }
  memcpy(out, der, (size_t)len);
  OPENSSL_free(der);
  *out_der = out;
  *out_len = (size_t)len;
  return SGXRA_OK;
}

sgxra_err sgxra_p256_sig_from_der(sgxra_ctx *cx, const uint8_t *der, size_t n,
                                  uint8_t out_sig[SGXRA_P256_SIG_SIZE]) {
  memset(out_sig, 0, SGXRA_P256_SIG_SIZE);
  /* SEQUENCE { INTEGER r, INTEGER s }: at most 2 + 2 * (2 + 33) bytes. */
  if (!der || n < 8 || n > 72)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_FORMAT,
                       "ECDSA signature: %zu bytes cannot be a DER P-256 "
                       "signature (8..72 expected)",
                       n);
  const unsigned char *q = der;
  ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)n);
  sgxra_err rc = SGXRA_OK;
  if (!es) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_FORMAT,
                       "ECDSA signature is not DER SEQUENCE { r, s }");
  }
  if ((size_t)(q - der) != n) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_FORMAT,
                     "ECDSA signature: %zu bytes of trailing data after the "
                     "DER signature",
                     n - (size_t)(q - der));
    goto out;
  }
  /* Strict DER: re-encoding must give the same bytes. */
  unsigned char *re = NULL;
  int rl = i2d_ECDSA_SIG(es, &re);
  int same = rl > 0 && (size_t)rl == n && memcmp(re, der, n) == 0;
  OPENSSL_free(re);
  if (!same) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_FORMAT,
                     "ECDSA signature is not in canonical DER");
    goto out;
  }
  const BIGNUM *r = NULL, *s = NULL;
  ECDSA_SIG_get0(es, &r, &s);
  if (BN_is_negative(r) || BN_is_negative(s) || BN_num_bytes(r) > 32 ||
      BN_num_bytes(s) > 32) {
    rc = sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_FORMAT,
                     "ECDSA signature: r or s is negative or longer than 32 "
                     "bytes, so not a P-256 signature");
    goto out;
  }
  BN_bn2binpad(r, out_sig, 32);
  BN_bn2binpad(s, out_sig + 32, 32);
out:
  ECDSA_SIG_free(es);
  return rc;
}

/* Sign the SHA-256 of msg; DER in *out (OPENSSL_malloc'ed). */
static sgxra_err p256_sign_raw_der(sgxra_ctx *cx, const sgxra_p256_key *key,
                                   const void *msg, size_t n, uint8_t *der,
                                   size_t *der_len) {
  if (!key->has_private)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "ECDSA sign: the P-256 key has no private part");
  uint8_t d[SGXRA_SHA256_SIZE];
  sgxra_err rc = sgxra_sha256(cx, msg, n, d);
  if (rc != SGXRA_OK) return rc;
  EVP_PKEY_CTX *pc =
      EVP_PKEY_CTX_new_from_pkey(sgxra__libctx(cx), key->pkey, NULL);
  if (!pc || EVP_PKEY_sign_init(pc) <= 0 ||
      EVP_PKEY_sign(pc, der, der_len, d, sizeof(d)) <= 0) {
    EVP_PKEY_CTX_free(pc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "ECDSA P-256 signing failed");
  }
  EVP_PKEY_CTX_free(pc);
  return SGXRA_OK;
}

sgxra_err sgxra_p256_sign(sgxra_ctx *cx, const sgxra_p256_key *key,
                          const void *msg, size_t n,
                          uint8_t out_sig[SGXRA_P256_SIG_SIZE]) {
  memset(out_sig, 0, SGXRA_P256_SIG_SIZE);
  uint8_t der[80];
  size_t len = sizeof(der);
  sgxra_err rc = p256_sign_raw_der(cx, key, msg, n, der, &len);
  if (rc != SGXRA_OK) return rc;
  /* OpenSSL's own output needs no canonical-DER re-check: decode it
   * directly (saves an encode per signature). */
  const unsigned char *q = der;
  ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)len);
  const BIGNUM *r = NULL, *s = NULL;
  if (es) ECDSA_SIG_get0(es, &r, &s);
  if (!es || BN_bn2binpad(r, out_sig, 32) != 32 ||
      BN_bn2binpad(s, out_sig + 32, 32) != 32) {
    ECDSA_SIG_free(es);
    memset(out_sig, 0, SGXRA_P256_SIG_SIZE);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO,
                            "ECDSA: decoding OpenSSL's signature failed");
  }
  ECDSA_SIG_free(es);
  return SGXRA_OK;
}

sgxra_err sgxra_p256_sign_der(sgxra_ctx *cx, const sgxra_p256_key *key,
                              const void *msg, size_t n, uint8_t **out_der,
                              size_t *out_len) {
  *out_der = NULL;
  *out_len = 0;
  uint8_t der[80];
  size_t len = sizeof(der);
  sgxra_err rc = p256_sign_raw_der(cx, key, msg, n, der, &len);
  if (rc != SGXRA_OK) return rc;
  uint8_t *out = malloc(len);
  if (!out)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "ECDSA signature: out of memory");
  memcpy(out, der, len);
  *out_der = out;
  *out_len = len;
  return SGXRA_OK;
}

static sgxra_err p256_verify_der_bytes(sgxra_ctx *cx, const sgxra_p256_key *key,
                                       const void *msg, size_t n,
                                       const uint8_t *der, size_t der_len) {
  uint8_t d[SGXRA_SHA256_SIZE];
  sgxra_err rc = sgxra_sha256(cx, msg, n, d);
  if (rc != SGXRA_OK) return rc;
  EVP_PKEY_CTX *pc =
      EVP_PKEY_CTX_new_from_pkey(sgxra__libctx(cx), key->pkey, NULL);
  if (!pc || EVP_PKEY_verify_init(pc) <= 0) {
    EVP_PKEY_CTX_free(pc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "ECDSA verify setup failed");
  }
  int v = EVP_PKEY_verify(pc, der, der_len, d, sizeof(d));
  EVP_PKEY_CTX_free(pc);
  if (v != 1) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_CRYPTO_SIG_INVALID,
                       "ECDSA P-256 signature does not verify: the signed "
                       "bytes or the signature were changed, or another key "
                       "signed them");
  }
  return SGXRA_OK;
}

sgxra_err sgxra_p256_verify(sgxra_ctx *cx, const sgxra_p256_key *key,
                            const void *msg, size_t n,
                            const uint8_t sig[SGXRA_P256_SIG_SIZE]) {
  if (!msg && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "ECDSA verify: message is NULL but its length is %zu",
                       n);
  /* Encode r||s as DER on the stack (no allocation): SEQUENCE of two
   * INTEGERs, each minimal big-endian with a 0x00 when the top bit is set. */
  uint8_t der[72];
  size_t off = 2;
  for (int i = 0; i < 2; i++) {
    const uint8_t *v = sig + 32 * i;
    size_t k = 0;
    while (k < 31 && v[k] == 0) k++;
    size_t len = 32 - k;
    int pad = (v[k] & 0x80) != 0;
    der[off++] = 0x02;
    der[off++] = (uint8_t)(len + pad);
    if (pad) der[off++] = 0;
    memcpy(der + off, v + k, len);
    off += len;
  }
  der[0] = 0x30;
  der[1] = (uint8_t)(off - 2);
  return p256_verify_der_bytes(cx, key, msg, n, der, off);
}

sgxra_err sgxra_p256_verify_der(sgxra_ctx *cx, const sgxra_p256_key *key,
                                const void *msg, size_t n, const uint8_t *der,
                                size_t der_len) {
  if (!msg && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "ECDSA verify: message is NULL but its length is %zu",
                       n);
  uint8_t raw[SGXRA_P256_SIG_SIZE];
  sgxra_err rc = sgxra_p256_sig_from_der(cx, der, der_len, raw);
  if (rc != SGXRA_OK) return rc;
  return p256_verify_der_bytes(cx, key, msg, n, der, der_len);
}

/* ---- ECDH ------------------------------------------------------------------
 */

sgxra_err sgxra_p256_ecdh(sgxra_ctx *cx, const sgxra_p256_key *priv,
                          const sgxra_p256_key *peer,
                          uint8_t out_shared[SGXRA_P256_SHARED_SIZE]) {
  memset(out_shared, 0, SGXRA_P256_SHARED_SIZE);
  if (!priv->has_private)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                       "ECDH: our P-256 key has no private part");
  EVP_PKEY_CTX *pc =
      EVP_PKEY_CTX_new_from_pkey(sgxra__libctx(cx), priv->pkey, NULL);
  size_t len = SGXRA_P256_SHARED_SIZE;
  if (!pc || EVP_PKEY_derive_init(pc) <= 0) {
    EVP_PKEY_CTX_free(pc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "ECDH setup failed");
  }
  if (EVP_PKEY_derive_set_peer(pc, peer->pkey) <= 0) {
    EVP_PKEY_CTX_free(pc);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO_KEY_INVALID,
                            "ECDH: the peer's public key is not usable");
  }
  int ok = EVP_PKEY_derive(pc, out_shared, &len) > 0 &&
           len == SGXRA_P256_SHARED_SIZE;
  EVP_PKEY_CTX_free(pc);
  if (!ok) {
    sgxra_wipe(out_shared, SGXRA_P256_SHARED_SIZE);
    return sgxra__fail_ossl(cx, SGXRA_E_CRYPTO, "ECDH derivation failed");
  }
  return SGXRA_OK;
}
