/* Tests of the P-256 part of sgxra/crypto.h.  Known answers from RFC 6979
 * appendix A.2.5 (P-256 key, SHA-256, message "sample"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>

#include "common/testutil.h"
#include "sgxra/crypto.h"

#define RFC6979_D                                                              \
  "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define RFC6979_UX                                                             \
  "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
#define RFC6979_UY                                                             \
  "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
#define RFC6979_R                                                              \
  "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
#define RFC6979_S                                                              \
  "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
#define P256_ORDER                                                             \
  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"

static void test_rfc6979_known(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t d[32], pub[64], got[64], sig[64], d2[32];
  tu_hex(RFC6979_D, d, 32);
  tu_hex(RFC6979_UX RFC6979_UY, pub, 64);
  tu_hex(RFC6979_R RFC6979_S, sig, 64);

  sgxra_p256_key *priv = NULL, *pubk = NULL;
  assert_int_equal(sgxra_p256_from_private(cx, d, &priv), SGXRA_OK);
  sgxra_p256_public_raw(priv, got);
  assert_memory_equal(got, pub, 64);
  assert_int_equal(sgxra_p256_private_raw(cx, priv, d2), SGXRA_OK);
  assert_memory_equal(d2, d, 32);

  assert_int_equal(sgxra_p256_from_public(cx, pub, &pubk), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(cx, pubk, "sample", 6, sig), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(cx, pubk, "sampla", 6, sig),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  /* A flipped bit in r and in s. */
  int at[2] = {3, 63};
  for (int i = 0; i < 2; i++) {
    sig[at[i]] ^= 0x04;
    sgxra_ctx_clear(cx);
    assert_int_equal(sgxra_p256_verify(cx, pubk, "sample", 6, sig),
                     SGXRA_E_CRYPTO_SIG_INVALID);
    assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_CRYPTO_SIG_INVALID);
    sig[at[i]] ^= 0x04;
  }
  /* r = 0 or s = n must not verify. */
  uint8_t bad[64];
  memset(bad, 0, 32);
  memcpy(bad + 32, sig + 32, 32);
  assert_int_equal(sgxra_p256_verify(cx, pubk, "sample", 6, bad),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  memcpy(bad, sig, 32);
  tu_hex(P256_ORDER, bad + 32, 32);
  assert_int_equal(sgxra_p256_verify(cx, pubk, "sample", 6, bad),
                   SGXRA_E_CRYPTO_SIG_INVALID);

  /* The same signature as DER. */
  uint8_t *der = NULL;
  size_t dl = 0;
  assert_int_equal(sgxra_p256_sig_to_der(cx, sig, &der, &dl), SGXRA_OK);
  /* r and s both have the top bit set: 30 46 02 21 00 r 02 21 00 s. */
  assert_int_equal(dl, 72);
  assert_int_equal(der[0], 0x30);
  assert_int_equal(der[1], 0x46);
  assert_int_equal(der[4], 0x00);
  assert_int_equal(sgxra_p256_verify_der(cx, pubk, "sample", 6, der, dl),
                   SGXRA_OK);
  uint8_t back[64];
  assert_int_equal(sgxra_p256_sig_from_der(cx, der, dl, back), SGXRA_OK);
  assert_memory_equal(back, sig, 64);
  der[dl - 1] ^= 1;
  assert_int_equal(sgxra_p256_verify_der(cx, pubk, "sample", 6, der, dl),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  free(der);
  sgxra_p256_free(priv);
  sgxra_p256_free(pubk);
  sgxra_ctx_free(cx);
}

static void test_sign_verify_roundtrip(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *k = NULL, *pk = NULL;
  assert_int_equal(sgxra_p256_generate(cx, &k), SGXRA_OK);
  uint8_t pub[64], sig[64], sig2[64];
  sgxra_p256_public_raw(k, pub);
  assert_int_equal(sgxra_p256_from_public(cx, pub, &pk), SGXRA_OK);
  uint8_t msg[100];
  for (size_t i = 0; i < sizeof(msg); i++) msg[i] = (uint8_t)(i * 7);
  assert_int_equal(sgxra_p256_sign(cx, k, msg, sizeof(msg), sig), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(cx, pk, msg, sizeof(msg), sig), SGXRA_OK);
  /* ECDSA is randomised: a second signature differs and also verifies. */
  assert_int_equal(sgxra_p256_sign(cx, k, msg, sizeof(msg), sig2), SGXRA_OK);
  assert_memory_not_equal(sig, sig2, 64);
  assert_int_equal(sgxra_p256_verify(cx, pk, msg, sizeof(msg), sig2), SGXRA_OK);
  for (size_t i = 0; i < sizeof(msg); i += 33) {
    msg[i] ^= 0x80;
    assert_int_equal(sgxra_p256_verify(cx, pk, msg, sizeof(msg), sig),
                     SGXRA_E_CRYPTO_SIG_INVALID);
    msg[i] ^= 0x80;
  }
  /* DER signing. */
  uint8_t *der = NULL;
  size_t dl = 0;
  assert_int_equal(sgxra_p256_sign_der(cx, k, msg, sizeof(msg), &der, &dl),
                   SGXRA_OK);
  assert_true(dl >= 8 && dl <= 72);
  assert_int_equal(sgxra_p256_verify_der(cx, pk, msg, sizeof(msg), der, dl),
                   SGXRA_OK);
  uint8_t raw[64];
  assert_int_equal(sgxra_p256_sig_from_der(cx, der, dl, raw), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(cx, pk, msg, sizeof(msg), raw), SGXRA_OK);
  free(der);
  /* Empty message. */
  assert_int_equal(sgxra_p256_sign(cx, k, NULL, 0, sig), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(cx, pk, NULL, 0, sig), SGXRA_OK);
  /* A public-only key cannot sign or give its private part. */
  uint8_t d[32];
  char *pem = (char *)1;
  assert_int_equal(sgxra_p256_sign(cx, pk, msg, 1, sig),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  uint8_t z[64] = {0};
  assert_memory_equal(sig, z, 64);
  assert_int_equal(sgxra_p256_private_raw(cx, pk, d),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_int_equal(sgxra_p256_private_pem(cx, pk, &pem),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(pem);
  sgxra_p256_free(k);
  sgxra_p256_free(pk);
  sgxra_p256_free(NULL);
  sgxra_ctx_free(cx);
}

static void test_der_malformed(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t sig[64], raw[64], z[64] = {0};
  tu_hex(RFC6979_R RFC6979_S, sig, 64);
  uint8_t *der = NULL;
  size_t dl = 0;
  assert_int_equal(sgxra_p256_sig_to_der(cx, sig, &der, &dl), SGXRA_OK);
  /* Every truncation is refused. */
  for (size_t cut = 0; cut < dl; cut++) {
    memset(raw, 0x33, 64);
    assert_int_equal(sgxra_p256_sig_from_der(cx, der, cut, raw),
                     SGXRA_E_CRYPTO_SIG_FORMAT);
    assert_memory_equal(raw, z, 64);
  }
  /* Trailing byte. */
  uint8_t longer[80];
  memcpy(longer, der, dl);
  longer[dl] = 0;
  assert_int_equal(sgxra_p256_sig_from_der(cx, longer, dl + 1, raw),
                   SGXRA_E_CRYPTO_SIG_FORMAT);
  /* Non-minimal INTEGER (extra leading zero before a small value). */
  const uint8_t nonmin[] = {0x30, 0x07, 0x02, 0x02, 0x00,
                            0x01, 0x02, 0x01, 0x01};
  assert_int_equal(sgxra_p256_sig_from_der(cx, nonmin, sizeof(nonmin), raw),
                   SGXRA_E_CRYPTO_SIG_FORMAT);
  /* Wrong outer tag. */
  der[0] = 0x31;
  assert_int_equal(sgxra_p256_sig_from_der(cx, der, dl, raw),
                   SGXRA_E_CRYPTO_SIG_FORMAT);
  free(der);
  /* r of 33 significant bytes does not fit P-256. */
  uint8_t big[72] = {0x30, 0x46, 0x02, 0x21, 0x01};
  big[37] = 0x02;
  big[38] = 0x21;
  big[39] = 0x00;
  big[40] = 0x80;
  assert_int_equal(sgxra_p256_sig_from_der(cx, big, 72, raw),
                   SGXRA_E_CRYPTO_SIG_FORMAT);
  sgxra_ctx_free(cx);
}

static void test_bad_keys(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *k = (sgxra_p256_key *)&k;
  uint8_t pub[64], d[32];
  tu_hex(RFC6979_UX RFC6979_UY, pub, 64);
  pub[63] ^= 1; /* off the curve */
  assert_int_equal(sgxra_p256_from_public(cx, pub, &k),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(k);
  assert_non_null(strstr(sgxra_ctx_message(cx), "not a point on the curve"));
  pub[63] ^= 1;
  /* every one-bit change of X or Y leaves the curve, and is refused */
  for (unsigned bit = 0; bit < 512; bit++) {
    pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    if (sgxra_p256_from_public(cx, pub, &k) != SGXRA_E_CRYPTO_KEY_INVALID)
      fail_msg("bit %u flipped: not refused", bit);
    assert_null(k);
    pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  assert_int_equal(sgxra_p256_from_public(cx, pub, &k), SGXRA_OK);
  sgxra_p256_free(k);
  memset(pub, 0, 64);
  assert_int_equal(sgxra_p256_from_public(cx, pub, &k),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  memset(d, 0, 32);
  assert_int_equal(sgxra_p256_from_private(cx, d, &k),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  tu_hex(P256_ORDER, d, 32);
  assert_int_equal(sgxra_p256_from_private(cx, d, &k),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(k);
  d[31] -= 1; /* n - 1 is the largest valid scalar */
  assert_int_equal(sgxra_p256_from_private(cx, d, &k), SGXRA_OK);
  sgxra_p256_free(k);
  sgxra_ctx_free(cx);
}

static uint8_t *spki_of(EVP_PKEY *pk, size_t *len) {
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(pk, &der);
  assert_true(n > 0);
  uint8_t *out = malloc((size_t)n + 1);
  memcpy(out, der, (size_t)n);
  OPENSSL_free(der);
  *len = (size_t)n;
  return out;
}

static void test_spki_and_pem(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  EVP_PKEY *ev = EVP_EC_gen("P-256");
  assert_non_null(ev);
  sgxra_p256_key *k = NULL, *pk = NULL, *again = NULL;
  assert_int_equal(sgxra_p256_from_evp(cx, ev, &k), SGXRA_OK);
  assert_ptr_equal(sgxra_p256_evp(k), ev);
  uint8_t pub[64], pub2[64], d1[32], d2[32];
  sgxra_p256_public_raw(k, pub);

  size_t sl = 0;
  uint8_t *spki = spki_of(ev, &sl);
  assert_int_equal(sgxra_p256_from_spki(cx, spki, sl, &pk), SGXRA_OK);
  sgxra_p256_public_raw(pk, pub2);
  assert_memory_equal(pub, pub2, 64);
  sgxra_p256_free(pk);
  pk = NULL;
  for (size_t cut = 0; cut < sl; cut++) {
    assert_int_equal(sgxra_p256_from_spki(cx, spki, cut, &pk),
                     SGXRA_E_CRYPTO_KEY_INVALID);
    assert_null(pk);
  }
  spki[sl] = 0;
  assert_int_equal(sgxra_p256_from_spki(cx, spki, sl + 1, &pk),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  free(spki);

  /* PKCS#8 PEM round trip. */
  char *pem = NULL;
  assert_int_equal(sgxra_p256_private_pem(cx, k, &pem), SGXRA_OK);
  assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
  assert_int_equal(
      sgxra_p256_load_private(cx, (const uint8_t *)pem, strlen(pem), &again),
      SGXRA_OK);
  assert_int_equal(sgxra_p256_private_raw(cx, k, d1), SGXRA_OK);
  assert_int_equal(sgxra_p256_private_raw(cx, again, d2), SGXRA_OK);
  assert_memory_equal(d1, d2, 32);
  free(pem);
  sgxra_p256_free(again);
  again = NULL;

  /* SEC1 DER ("type-specific" ECPrivateKey). */
  unsigned char *sec1 = NULL;
  size_t sec1_len = 0;
  OSSL_ENCODER_CTX *ec = OSSL_ENCODER_CTX_new_for_pkey(
      ev, EVP_PKEY_KEYPAIR, "DER", "type-specific", NULL);
  assert_non_null(ec);
  assert_int_equal(OSSL_ENCODER_to_data(ec, &sec1, &sec1_len), 1);
  OSSL_ENCODER_CTX_free(ec);
  assert_int_equal(sgxra_p256_load_private(cx, sec1, sec1_len, &again),
                   SGXRA_OK);
  sgxra_p256_public_raw(again, pub2);
  assert_memory_equal(pub, pub2, 64);
  sgxra_p256_free(again);
  again = NULL;
  /* SEC1 ECPrivateKey ends with [1] { BIT STRING 04||X||Y }: the last
   * byte is Y's.  A damaged public point is refused. */
  assert_memory_equal(sec1 + sec1_len - 64, pub, 64);
  sec1[sec1_len - 1] ^= 0x01;
  assert_int_equal(sgxra_p256_load_private(cx, sec1, sec1_len, &again),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(again);
  sec1[sec1_len - 1] ^= 0x01;
  /* So is a scalar that no longer matches the stored point (the scalar is
   * the OCTET STRING at offset 7: 30 77 02 01 01 04 20 d...). */
  assert_int_equal(sec1[5], 0x04);
  assert_int_equal(sec1[6], 0x20);
  sec1[7 + 10] ^= 0x40;
  assert_int_equal(sgxra_p256_load_private(cx, sec1, sec1_len, &again),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(again);
  assert_non_null(strstr(sgxra_ctx_message(cx), "damaged"));
  sec1[7 + 10] ^= 0x40;
  assert_int_equal(sgxra_p256_load_private(cx, sec1, sec1_len, &again),
                   SGXRA_OK);
  OPENSSL_free(sec1);
  sgxra_p256_free(again);
  again = NULL;

  /* An encrypted PKCS#8 key is refused without a passphrase prompt. */
  {
    unsigned char *enc = NULL;
    size_t enc_len = 0;
    OSSL_ENCODER_CTX *ec2 = OSSL_ENCODER_CTX_new_for_pkey(
        ev, EVP_PKEY_KEYPAIR, "PEM", "EncryptedPrivateKeyInfo", NULL);
    assert_non_null(ec2);
    assert_int_equal(OSSL_ENCODER_CTX_set_cipher(ec2, "AES-128-CBC", NULL), 1);
    assert_int_equal(OSSL_ENCODER_CTX_set_passphrase(
                         ec2, (const unsigned char *)"secret", 6),
                     1);
    assert_int_equal(OSSL_ENCODER_to_data(ec2, &enc, &enc_len), 1);
    OSSL_ENCODER_CTX_free(ec2);
    assert_int_equal(sgxra_p256_load_private(cx, enc, enc_len, &again),
                     SGXRA_E_CRYPTO_KEY_INVALID);
    assert_null(again);
    assert_non_null(strstr(sgxra_ctx_message(cx), "encrypted"));
    OPENSSL_free(enc);
  }
  /* A public key is not a private key. */
  spki = spki_of(ev, &sl);
  assert_int_equal(sgxra_p256_load_private(cx, spki, sl, &again),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(again);
  free(spki);

  /* Other key types and curves are refused as unsupported. */
  EVP_PKEY *p384 = EVP_EC_gen("P-384");
  EVP_PKEY *rsa = EVP_RSA_gen(2048);
  assert_non_null(p384);
  assert_non_null(rsa);
  spki = spki_of(p384, &sl);
  assert_int_equal(sgxra_p256_from_spki(cx, spki, sl, &pk),
                   SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
  assert_non_null(strstr(sgxra_ctx_message(cx), "secp384r1"));
  free(spki);
  spki = spki_of(rsa, &sl);
  assert_int_equal(sgxra_p256_from_spki(cx, spki, sl, &pk),
                   SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
  free(spki);
  assert_int_equal(sgxra_p256_from_evp(cx, rsa, &pk),
                   SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
  assert_null(pk);
  EVP_PKEY_free(p384);
  EVP_PKEY_free(rsa);

  sgxra_p256_free(k);
  EVP_PKEY_free(ev); /* k held its own reference */
  sgxra_ctx_free(cx);
}

static void test_ecdh(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *a = NULL, *b = NULL, *bpub = NULL, *apub = NULL;
  assert_int_equal(sgxra_p256_generate(cx, &a), SGXRA_OK);
  assert_int_equal(sgxra_p256_generate(cx, &b), SGXRA_OK);
  uint8_t pa[64], pb[64], s1[32], s2[32], z[32] = {0};
  sgxra_p256_public_raw(a, pa);
  sgxra_p256_public_raw(b, pb);
  assert_int_equal(sgxra_p256_from_public(cx, pa, &apub), SGXRA_OK);
  assert_int_equal(sgxra_p256_from_public(cx, pb, &bpub), SGXRA_OK);
  assert_int_equal(sgxra_p256_ecdh(cx, a, bpub, s1), SGXRA_OK);
  assert_int_equal(sgxra_p256_ecdh(cx, b, apub, s2), SGXRA_OK);
  assert_memory_equal(s1, s2, 32);
  assert_memory_not_equal(s1, z, 32);
  /* With the RFC 6979 key as a, the shared value differs. */
  uint8_t d[32];
  tu_hex(RFC6979_D, d, 32);
  sgxra_p256_key *c = NULL;
  assert_int_equal(sgxra_p256_from_private(cx, d, &c), SGXRA_OK);
  assert_int_equal(sgxra_p256_ecdh(cx, c, bpub, s2), SGXRA_OK);
  assert_memory_not_equal(s1, s2, 32);
  /* A public-only key cannot be our side. */
  assert_int_equal(sgxra_p256_ecdh(cx, apub, bpub, s2),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_memory_equal(s2, z, 32);
  sgxra_p256_free(a);
  sgxra_p256_free(b);
  sgxra_p256_free(c);
  sgxra_p256_free(apub);
  sgxra_p256_free(bpub);
  sgxra_ctx_free(cx);
}

/* A real SGX quote (v3): the attestation key (raw X||Y at 500) signs
 * header || ISV report body, bytes [0, 432); the signature r||s is at 436
 * (after the 4-byte signature data length at 432). */
static void test_real_quote_signature(void **state) {
  (void)state;
  const char *cases[] = {
      "dcap/bundles/sgx-01-phala-v3/quote.bin",
      "dcap/bundles/sgx-02-automata-v3-2025-08/quote.bin",
      "dcap/bundles/sgx-03-dcaprs-v3-tcbinfo-v2/quote.bin",
  };
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < 3; i++) {
    size_t n = 0;
    uint8_t *q = tu_read_vector(cases[i], &n);
    assert_true(n > 564);
    assert_int_equal(q[0], 3); /* version 3 */
    sgxra_p256_key *ak = NULL;
    assert_int_equal(sgxra_p256_from_public(cx, q + 500, &ak), SGXRA_OK);
    assert_int_equal(sgxra_p256_verify(cx, ak, q, 432, q + 436), SGXRA_OK);
    /* As DER too. */
    uint8_t *der = NULL;
    size_t dl = 0;
    assert_int_equal(sgxra_p256_sig_to_der(cx, q + 436, &der, &dl), SGXRA_OK);
    assert_int_equal(sgxra_p256_verify_der(cx, ak, q, 432, der, dl), SGXRA_OK);
    free(der);
    /* One flipped byte in the header, the report body and the signature. */
    size_t at[3] = {10, 48 + 64 + 5, 436 + 40};
    for (int k = 0; k < 3; k++) {
      q[at[k]] ^= 0x20;
      assert_int_equal(sgxra_p256_verify(cx, ak, q, 432, q + 436),
                       SGXRA_E_CRYPTO_SIG_INVALID);
      q[at[k]] ^= 0x20;
    }
    sgxra_p256_free(ak);
    free(q);
  }
  sgxra_ctx_free(cx);
}

/* Key objects may be shared by threads: verify and sign concurrently. */
struct thread_arg {
  const sgxra_p256_key *key;
  const uint8_t *sig;
  int failures;
};

static void *verify_many(void *p) {
  struct thread_arg *a = p;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (int i = 0; i < 200; i++) {
    uint8_t sig[64], d[32];
    if (sgxra_p256_verify(cx, a->key, "sample", 6, a->sig) != SGXRA_OK)
      a->failures++;
    if (sgxra_p256_sign(cx, a->key, "x", 1, sig) != SGXRA_OK ||
        sgxra_p256_verify(cx, a->key, "x", 1, sig) != SGXRA_OK)
      a->failures++;
    if (sgxra_sha256(cx, "abc", 3, d) != SGXRA_OK || d[0] != 0xba)
      a->failures++;
  }
  sgxra_ctx_free(cx);
  return NULL;
}

static void test_threads_share_key(void **state) {
  (void)state;
  uint8_t d[32], sig[64];
  tu_hex(RFC6979_D, d, 32);
  tu_hex(RFC6979_R RFC6979_S, sig, 64);
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_private(NULL, d, &k), SGXRA_OK);
  pthread_t th[4];
  struct thread_arg args[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (struct thread_arg){k, sig, 0};
    assert_int_equal(pthread_create(&th[i], NULL, verify_many, &args[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(args[i].failures, 0);
  }
  sgxra_p256_free(k);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc6979_known),
      cmocka_unit_test(test_sign_verify_roundtrip),
      cmocka_unit_test(test_der_malformed),
      cmocka_unit_test(test_bad_keys),
      cmocka_unit_test(test_spki_and_pem),
      cmocka_unit_test(test_ecdh),
      cmocka_unit_test(test_real_quote_signature),
      cmocka_unit_test(test_threads_share_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
