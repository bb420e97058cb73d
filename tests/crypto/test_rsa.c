/* Tests of the RSA-3072 e=3 part of sgxra/crypto.h, against SIGSTRUCTs
 * and raw known answers from the shared vectors. */
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
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "common/testutil.h"
#include "sgxra/crypto.h"

#define N 384

/* SIGSTRUCT offsets (Intel SDM 38.13): MODULUS 128, EXPONENT 512,
 * SIGNATURE 516, signed body 900..1028, Q1 1040, Q2 1424. */
static void check_sigstruct(sgxra_ctx *cx, const char *key_rel,
                            const char *ss_rel) {
  size_t kl = 0, sl = 0;
  uint8_t *kb = tu_read_vector(key_rel, &kl);
  uint8_t *ss = tu_read_vector(ss_rel, &sl);
  assert_int_equal(sl, 1808);
  sgxra_rsa_key *key = NULL;
  assert_int_equal(sgxra_rsa_load_private(cx, kb, kl, &key), SGXRA_OK);
  assert_non_null(key);
  uint8_t mod[N];
  sgxra_rsa_modulus_le(key, mod);
  assert_memory_equal(mod, ss + 128, N);
  uint32_t e = (uint32_t)ss[512] | ((uint32_t)ss[513] << 8) |
               ((uint32_t)ss[514] << 16) | ((uint32_t)ss[515] << 24);
  assert_int_equal(e, 3);

  uint8_t msg[256];
  memcpy(msg, ss, 128);
  memcpy(msg + 128, ss + 900, 128);
  /* PKCS#1 v1.5 is deterministic: signing reproduces the stored signature. */
  uint8_t sig[N];
  assert_int_equal(sgxra_rsa_sign_le(cx, key, msg, sizeof(msg), sig), SGXRA_OK);
  assert_memory_equal(sig, ss + 516, N);
  assert_int_equal(
      sgxra_rsa_verify_le(cx, ss + 128, e, msg, sizeof(msg), ss + 516),
      SGXRA_OK);
  uint8_t q1[N], q2[N];
  assert_int_equal(sgxra_rsa_q1q2_le(cx, ss + 516, ss + 128, q1, q2), SGXRA_OK);
  assert_memory_equal(q1, ss + 1040, N);
  assert_memory_equal(q2, ss + 1424, N);

  /* A flipped bit in the header, the body or the signature is refused. */
  size_t flips[3] = {5, 128 + 17, 0};
  for (int i = 0; i < 3; i++) {
    uint8_t s2[N];
    memcpy(s2, ss + 516, N);
    if (i < 2) {
      msg[flips[i]] ^= 0x10;
    } else {
      s2[200] ^= 0x01;
    }
    sgxra_ctx_clear(cx);
    assert_int_equal(sgxra_rsa_verify_le(cx, ss + 128, e, msg, sizeof(msg), s2),
                     SGXRA_E_CRYPTO_SIG_INVALID);
    assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_CRYPTO_SIG_INVALID);
    if (i < 2) msg[flips[i]] ^= 0x10;
  }
  /* Wrong exponent: the same bytes do not verify under e = 65537. */
  assert_int_equal(
      sgxra_rsa_verify_le(cx, ss + 128, 65537, msg, sizeof(msg), ss + 516),
      SGXRA_E_CRYPTO_SIG_INVALID);
  sgxra_rsa_free(key);
  free(kb);
  free(ss);
}

static void test_enarx_sigstruct(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  check_sigstruct(cx, "identity/enarx-sgx/encl.pem",
                  "identity/enarx-sgx/encl.ss");
  sgxra_ctx_free(cx);
}

static void test_lexe_pkcs8_der(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  check_sigstruct(cx, "identity/lexe/test_vectors_key.pkcs8.der",
                  "identity/lexe/test_vectors_ref_sigstruct.bin");
  sgxra_ctx_free(cx);
}

static void test_sig1_sigstruct(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  check_sigstruct(cx, "identity/fortanix-rust-sgx/sig1.key.pem",
                  "identity/fortanix-rust-sgx/sig1.sigstruct.bin");
  sgxra_ctx_free(cx);
}

/* sig1.*.bin: raw known answers; data.bin is the SHA-256 digest signed. */
static void test_sig1_raw(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t kl, dl, sl, nl, q1l, q2l;
  uint8_t *kb = tu_read_vector("identity/fortanix-rust-sgx/sig1.key.pem", &kl);
  uint8_t *data =
      tu_read_vector("identity/fortanix-rust-sgx/sig1.data.bin", &dl);
  uint8_t *want =
      tu_read_vector("identity/fortanix-rust-sgx/sig1.sig.bin", &sl);
  uint8_t *n = tu_read_vector("identity/fortanix-rust-sgx/sig1.key_n.bin", &nl);
  uint8_t *q1w = tu_read_vector("identity/fortanix-rust-sgx/sig1.q1.bin", &q1l);
  uint8_t *q2w = tu_read_vector("identity/fortanix-rust-sgx/sig1.q2.bin", &q2l);
  assert_int_equal(dl, 32);
  assert_int_equal(sl, N);
  assert_int_equal(nl, N);
  sgxra_rsa_key *key = NULL;
  assert_int_equal(sgxra_rsa_load_private(cx, kb, kl, &key), SGXRA_OK);
  uint8_t mod[N], sig[N], q1[N], q2[N];
  sgxra_rsa_modulus_le(key, mod);
  assert_memory_equal(mod, n, N);
  assert_int_equal(sgxra_rsa_sign_digest_le(cx, key, data, sig), SGXRA_OK);
  assert_memory_equal(sig, want, N);
  assert_int_equal(sgxra_rsa_q1q2_le(cx, sig, n, q1, q2), SGXRA_OK);
  assert_memory_equal(q1, q1w, N);
  assert_memory_equal(q2, q2w, N);
  /* A signature not below the modulus is refused for Q1/Q2. */
  uint8_t big[N];
  memset(big, 0xff, N);
  assert_int_equal(sgxra_rsa_q1q2_le(cx, big, n, q1, q2),
                   SGXRA_E_CRYPTO_SIG_FORMAT);
  uint8_t zero[N] = {0};
  assert_memory_equal(q1, zero, N);
  assert_int_equal(sgxra_rsa_q1q2_le(cx, sig, zero, q1, q2),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  /* verify_le: a malformed modulus or exponent means no signature is
   * valid; the message says why. */
  uint8_t msg[3] = {1, 2, 3};
  assert_int_equal(sgxra_rsa_verify_le(cx, zero, 3, msg, 3, sig),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  assert_non_null(strstr(sgxra_ctx_message(cx), "modulus"));
  uint8_t even[N];
  memcpy(even, n, N);
  even[0] &= 0xfe;
  assert_int_equal(sgxra_rsa_verify_le(cx, even, 3, msg, 3, sig),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  assert_int_equal(sgxra_rsa_verify_le(cx, n, 4, msg, 3, sig),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  assert_non_null(strstr(sgxra_ctx_message(cx), "exponent 4"));
  assert_int_equal(sgxra_rsa_verify_le(cx, n, 1, msg, 3, sig),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  /* The signature over data.bin itself verifies with sig1's key (the
   * signed "message" here is the digest's preimage, unknown, so use a
   * fresh message signed by the same key). */
  uint8_t sig2[N];
  assert_int_equal(sgxra_rsa_sign_le(cx, key, msg, 3, sig2), SGXRA_OK);
  assert_int_equal(sgxra_rsa_verify_le(cx, n, 3, msg, 3, sig2), SGXRA_OK);
  sig2[N - 1] ^= 0x01; /* most significant byte of the LE signature */
  assert_int_equal(sgxra_rsa_verify_le(cx, n, 3, msg, 3, sig2),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  sgxra_rsa_free(key);
  free(kb);
  free(data);
  free(want);
  free(n);
  free(q1w);
  free(q2w);
  sgxra_ctx_free(cx);
}

/* verify_le accepts exactly one encoding (RFC 8017 9.2, EMSA-PKCS1-v1_5):
 *
 *   00 01 FF..FF 00 | 30 31 30 0d 06 09 <sha256 oid> 05 00 04 20 | H(32)
 *
 * as EINIT does.  Each near miss below is raw-signed (no padding) with a
 * real SGX key, so only the encoding is wrong; a lenient parser (missing
 * NULL, another hash, short padding with trailing bytes -- the shape of
 * Bleichenbacher's e = 3 forgery) must fail.  The first case is the correct
 * encoding, which shows that the raw signing path itself works. */
static const uint8_t DI_SHA256[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                      0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                      0x01, 0x05, 0x00, 0x04, 0x20};

/* em: 384 big-endian bytes; out: little-endian signature em^d mod n. */
static void raw_sign_le(EVP_PKEY *pk, const uint8_t *em, uint8_t *out) {
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
  assert_non_null(pc);
  assert_true(EVP_PKEY_sign_init(pc) > 0);
  assert_true(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_NO_PADDING) > 0);
  uint8_t be[N];
  size_t len = N;
  assert_true(EVP_PKEY_sign(pc, be, &len, em, N) > 0);
  assert_int_equal(len, N);
  for (size_t i = 0; i < N; i++) out[i] = be[N - 1 - i];
  EVP_PKEY_CTX_free(pc);
}

static void test_verify_encoding_exact(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t kl, nl;
  uint8_t *kb = tu_read_vector("identity/fortanix-rust-sgx/sig1.key.pem", &kl);
  uint8_t *n = tu_read_vector("identity/fortanix-rust-sgx/sig1.key_n.bin", &nl);
  assert_int_equal(nl, N);
  BIO *bio = BIO_new_mem_buf(kb, (int)kl);
  EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  BIO_free(bio);
  assert_non_null(pk);
  static const uint8_t msg[] = "SIGSTRUCT header || body";
  uint8_t h[32];
  assert_int_equal(sgxra_sha256(cx, msg, sizeof(msg), h), SGXRA_OK);

  enum {
    GOOD,
    NO_NULL,
    OTHER_HASH_OID,
    BT2,
    SHORT_PAD_TRAIL,
    NO_ZERO_SEP,
    SHORT_PS,
    LONG_DIGEST_LEN,
    NCASES
  };
  for (int c = 0; c < NCASES; c++) {
    uint8_t em[N], di[19];
    memcpy(di, DI_SHA256, sizeof(di));
    size_t dil = sizeof(di), hl = 32, trail = 0, ps = N - 3 - 19 - 32;
    em[0] = 0x00;
    em[1] = 0x01;
    switch (c) {
    case NO_NULL: /* parameters absent instead of NULL */
      memcpy(di,
             (const uint8_t[]){0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86,
                               0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04,
                               0x20},
             17);
      dil = 17;
      ps += 2;
      break;
    case OTHER_HASH_OID: /* the OID of another hash, same digest bytes */
      di[14] = 0x02;     /* 2.16.840.1.101.3.4.2.2 = SHA-384 */
      break;
    case BT2: /* block type 2 (encryption padding) */
      em[1] = 0x02;
      break;
    case SHORT_PAD_TRAIL: /* 8 FF bytes, then garbage after the hash */
      trail = ps - 8;
      ps = 8;
      break;
    case NO_ZERO_SEP: /* FF padding runs into the DigestInfo */
      break;
    case SHORT_PS: /* built below */
      break;
    case LONG_DIGEST_LEN: /* OCTET STRING claims 33 bytes */
      di[1] = 0x32;
      di[18] = 0x21;
      hl = 33;
      ps -= 1;
      break;
    }
    size_t o = 2;
    memset(em + o, 0xff, ps);
    o += ps;
    em[o++] = c == NO_ZERO_SEP ? 0xff : 0x00;
    memcpy(em + o, di, dil);
    o += dil;
    memcpy(em + o, h, 32);
    o += 32;
    if (hl == 33) em[o++] = 0x00;
    if (o + trail > N)
      fail_msg("case %d: %zu trailing bytes overflow the block", c, trail);
    for (size_t i = 0; i < trail; i++) em[o++] = (uint8_t)(0x5a + i);
    assert_int_equal(o, N);
    if (c == SHORT_PS) {
      /* 00 01 FF*7 00 | filler | DI | H: the padding string ends
       * after 7 bytes (RFC 8017 needs at least 8 and no filler). */
      memset(em + 2, 0xff, 7);
      em[9] = 0x00;
      for (size_t i = 10; i < N - 19 - 32; i++) em[i] = 0x11;
    }
    uint8_t sig[N];
    raw_sign_le(pk, em, sig);
    sgxra_ctx_clear(cx);
    sgxra_err want = c == GOOD ? SGXRA_OK : SGXRA_E_CRYPTO_SIG_INVALID;
    if (sgxra_rsa_verify_le(cx, n, 3, msg, sizeof(msg), sig) != want)
      fail_msg("encoding case %d: got %s (%s)", c,
               sgxra_err_name(sgxra_ctx_error(cx)), sgxra_ctx_message(cx));
  }
  EVP_PKEY_free(pk);
  free(kb);
  free(n);
  sgxra_ctx_free(cx);
}

static void test_generate_roundtrip(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_rsa_key *key = NULL, *again = NULL;
  assert_int_equal(sgxra_rsa_generate(cx, &key), SGXRA_OK);
  uint8_t mod[N], mod2[N], sig[N];
  sgxra_rsa_modulus_le(key, mod);
  assert_true(mod[N - 1] & 0x80); /* exactly 3072 bits */
  const char m[] = "enclave body";
  assert_int_equal(sgxra_rsa_sign_le(cx, key, m, sizeof(m), sig), SGXRA_OK);
  assert_int_equal(sgxra_rsa_verify_le(cx, mod, 3, m, sizeof(m), sig),
                   SGXRA_OK);
  assert_int_equal(sgxra_rsa_verify_le(cx, mod, 3, m, sizeof(m) - 1, sig),
                   SGXRA_E_CRYPTO_SIG_INVALID);
  char *pem = NULL;
  assert_int_equal(sgxra_rsa_private_pem(cx, key, &pem), SGXRA_OK);
  assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
  assert_int_equal(
      sgxra_rsa_load_private(cx, (const uint8_t *)pem, strlen(pem), &again),
      SGXRA_OK);
  sgxra_rsa_modulus_le(again, mod2);
  assert_memory_equal(mod, mod2, N);
  free(pem);
  sgxra_rsa_free(again);
  sgxra_rsa_free(key);
  sgxra_rsa_free(NULL);
  sgxra_ctx_free(cx);
}

static char *pem_of(EVP_PKEY *pk) {
  unsigned char *data = NULL;
  size_t len = 0;
  OSSL_ENCODER_CTX *ec = OSSL_ENCODER_CTX_new_for_pkey(
      pk, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", NULL);
  assert_non_null(ec);
  assert_int_equal(OSSL_ENCODER_to_data(ec, &data, &len), 1);
  OSSL_ENCODER_CTX_free(ec);
  char *s = calloc(1, len + 1);
  memcpy(s, data, len);
  OPENSSL_free(data);
  return s;
}

static char *encrypted_pem_of(EVP_PKEY *pk) {
  unsigned char *data = NULL;
  size_t len = 0;
  OSSL_ENCODER_CTX *ec = OSSL_ENCODER_CTX_new_for_pkey(
      pk, EVP_PKEY_KEYPAIR, "PEM", "EncryptedPrivateKeyInfo", NULL);
  assert_non_null(ec);
  assert_int_equal(OSSL_ENCODER_CTX_set_cipher(ec, "AES-128-CBC", NULL), 1);
  assert_int_equal(
      OSSL_ENCODER_CTX_set_passphrase(ec, (const unsigned char *)"secret", 6),
      1);
  assert_int_equal(OSSL_ENCODER_to_data(ec, &data, &len), 1);
  OSSL_ENCODER_CTX_free(ec);
  char *s = calloc(1, len + 1);
  memcpy(s, data, len);
  OPENSSL_free(data);
  assert_non_null(strstr(s, "ENCRYPTED PRIVATE KEY"));
  return s;
}

static void expect_refused(EVP_PKEY *pk, sgxra_err code, const char *word) {
  sgxra_ctx *cx = sgxra_ctx_new();
  char *pem = pem_of(pk);
  sgxra_rsa_key *key = (sgxra_rsa_key *)&key; /* must be reset to NULL */
  assert_int_equal(
      sgxra_rsa_load_private(cx, (const uint8_t *)pem, strlen(pem), &key),
      code);
  assert_null(key);
  assert_non_null(strstr(sgxra_ctx_message(cx), word));
  free(pem);
  sgxra_ctx_free(cx);
}

static void test_refusals(void **state) {
  (void)state;
  EVP_PKEY *r2048 = EVP_RSA_gen(2048);
  assert_non_null(r2048);
  expect_refused(r2048, SGXRA_E_CRYPTO_KEY_UNSUPPORTED, "2048 bits");
  EVP_PKEY_free(r2048);

  EVP_PKEY *r65537 = EVP_RSA_gen(3072); /* default e = 65537 */
  assert_non_null(r65537);
  expect_refused(r65537, SGXRA_E_CRYPTO_RSA_EXPONENT, "65537");
  EVP_PKEY_free(r65537);

  EVP_PKEY *ec = EVP_EC_gen("P-256");
  assert_non_null(ec);
  expect_refused(ec, SGXRA_E_CRYPTO_KEY_UNSUPPORTED, "not RSA");
  EVP_PKEY_free(ec);

  /* An encrypted key is refused (no passphrase prompt), saying so. */
  {
    EVP_PKEY *r3 = EVP_RSA_gen(1024);
    assert_non_null(r3);
    char *enc = encrypted_pem_of(r3);
    sgxra_ctx *c0 = sgxra_ctx_new();
    sgxra_rsa_key *k1 = NULL;
    assert_int_equal(
        sgxra_rsa_load_private(c0, (const uint8_t *)enc, strlen(enc), &k1),
        SGXRA_E_CRYPTO_KEY_INVALID);
    assert_null(k1);
    assert_non_null(strstr(sgxra_ctx_message(c0), "encrypted"));
    free(enc);
    sgxra_ctx_free(c0);
    EVP_PKEY_free(r3);
  }
  /* Garbage, empty and truncated input. */
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_rsa_key *key = NULL;
  assert_int_equal(sgxra_rsa_load_private(cx, (const uint8_t *)"xyz", 3, &key),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_int_equal(sgxra_rsa_load_private(cx, NULL, 0, &key),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  size_t kl;
  uint8_t *der =
      tu_read_vector("identity/lexe/test_vectors_key.pkcs8.der", &kl);
  for (size_t cut = 0; cut < kl; cut++) {
    assert_int_equal(sgxra_rsa_load_private(cx, der, cut, &key),
                     SGXRA_E_CRYPTO_KEY_INVALID);
    assert_null(key);
  }
  /* The modulus starts at offset 38 of this PKCS#8 file (30 82 06fd,
   * version, AlgorithmIdentifier, 04 82 06e7, 30 82 06e3, version,
   * 02 82 0181 00).  A flipped modulus bit still decodes, but the key no
   * longer signs consistently: refused as damaged. */
  assert_int_equal(der[33], 0x02);
  assert_int_equal(der[37], 0x00);
  der[38 + 100] ^= 0x08;
  sgxra_ctx_clear(cx);
  assert_int_equal(sgxra_rsa_load_private(cx, der, kl, &key),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(key);
  assert_non_null(strstr(sgxra_ctx_message(cx), "damaged"));
  der[38 + 100] ^= 0x08;
  /* The public exponent (02 01 03 right after the modulus) changed to 19. */
  assert_int_equal(der[38 + 384], 0x02);
  assert_int_equal(der[38 + 386], 0x03);
  der[38 + 386] ^= 0x10;
  assert_int_equal(sgxra_rsa_load_private(cx, der, kl, &key),
                   SGXRA_E_CRYPTO_RSA_EXPONENT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "19"));
  der[38 + 386] ^= 0x10;
  assert_int_equal(sgxra_rsa_load_private(cx, der, kl, &key), SGXRA_OK);
  sgxra_rsa_free(key);
  free(der);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_enarx_sigstruct),
      cmocka_unit_test(test_lexe_pkcs8_der),
      cmocka_unit_test(test_sig1_sigstruct),
      cmocka_unit_test(test_sig1_raw),
      cmocka_unit_test(test_verify_encoding_exact),
      cmocka_unit_test(test_generate_roundtrip),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
