/* Tests of sgxra/crypto.h: hashes, MACs, AEAD (known answers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "common/testutil.h"
#include "sgxra/crypto.h"
#include "sgxra/hex.h"

/* ---- misc -----------------------------------------------------------------
 */

static void test_ct_equal_and_wipe(void **state) {
  (void)state;
  uint8_t a[5] = {1, 2, 3, 4, 5}, b[5] = {1, 2, 3, 4, 5};
  assert_int_equal(sgxra_ct_equal(a, b, 5), 1);
  b[4] ^= 0x80;
  assert_int_equal(sgxra_ct_equal(a, b, 5), 0);
  b[4] ^= 0x80;
  b[0] ^= 1;
  assert_int_equal(sgxra_ct_equal(a, b, 5), 0);
  assert_int_equal(sgxra_ct_equal(a, b, 0), 1);
  sgxra_wipe(a, sizeof(a));
  uint8_t z[5] = {0};
  assert_memory_equal(a, z, 5);
  sgxra_wipe(NULL, 0);
}

static void test_random(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t a[32] = {0}, b[32] = {0}, z[32] = {0};
  assert_int_equal(sgxra_random(cx, a, sizeof(a)), SGXRA_OK);
  assert_int_equal(sgxra_random(cx, b, sizeof(b)), SGXRA_OK);
  assert_memory_not_equal(a, z, 32);
  assert_memory_not_equal(a, b, 32);
  assert_int_equal(sgxra_random(cx, NULL, 0), SGXRA_OK);
  assert_int_equal(sgxra_random(cx, NULL, 4), SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

/* ---- SHA-256 (FIPS 180-2 examples and a vector file's known hash) ---------
 */

static void test_sha256_known(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t d[32];
  assert_int_equal(sgxra_sha256(cx, NULL, 0, d), SGXRA_OK);
  tu_assert_hex(
      d, 32,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert_int_equal(sgxra_sha256(cx, "abc", 3, d), SGXRA_OK);
  tu_assert_hex(
      d, 32,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  assert_int_equal(sgxra_sha256(cx, m, strlen(m), d), SGXRA_OK);
  tu_assert_hex(
      d, 32,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  assert_int_equal(sgxra_sha256(cx, NULL, 3, d), SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

static void test_sha256_stream(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n = 0;
  uint8_t *buf = tu_read_vector("identity/fortanix-rust-sgx/report.sgxs", &n);
  const char *want =
      "a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290";
  uint8_t d[32];
  assert_int_equal(sgxra_sha256(cx, buf, n, d), SGXRA_OK);
  tu_assert_hex(d, 32, want);

  /* Streaming in uneven pieces gives the same, twice over (init again). */
  sgxra_sha256_stream s;
  for (int round = 0; round < 2; round++) {
    assert_int_equal(sgxra_sha256_init(cx, &s), SGXRA_OK);
    size_t off = 0, step = 1;
    while (off < n) {
      size_t k = n - off < step ? n - off : step;
      assert_int_equal(sgxra_sha256_update(cx, &s, buf + off, k), SGXRA_OK);
      off += k;
      step = step * 3 + 7;
    }
    assert_int_equal(sgxra_sha256_update(cx, &s, NULL, 0), SGXRA_OK);
    memset(d, 0xaa, sizeof(d));
    assert_int_equal(sgxra_sha256_final(cx, &s, d), SGXRA_OK);
    tu_assert_hex(d, 32, want);
  }
  sgxra_sha256_cleanup(&s); /* safe on a finished object */
  /* Update/final after final refuse instead of crashing. */
  assert_int_equal(sgxra_sha256_update(cx, &s, buf, 1),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_sha256_final(cx, &s, d), SGXRA_E_INVALID_ARGUMENT);
  uint8_t z[32] = {0};
  assert_memory_equal(d, z, 32);
  /* Cleanup mid-stream releases it. */
  assert_int_equal(sgxra_sha256_init(cx, &s), SGXRA_OK);
  assert_int_equal(sgxra_sha256_update(cx, &s, buf, 10), SGXRA_OK);
  sgxra_sha256_cleanup(&s);
  sgxra_sha256_cleanup(&s);
  free(buf);
  sgxra_ctx_free(cx);
}

/* ---- AES-128-CMAC: RFC 4493 section 4 from the vectors file ---------------
 */

static void test_cmac_rfc4493(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n = 0;
  uint8_t *txt = tu_read_vector("identity/rfc4493_aes_cmac_vectors.json", &n);
  json_error_t je;
  json_t *root = json_loadb((const char *)txt, n, 0, &je);
  assert_non_null(root);
  json_t *vs = json_object_get(root, "vectors");
  assert_true(json_is_array(vs));
  assert_int_equal(json_array_size(vs), 4);
  size_t i;
  json_t *v;
  json_array_foreach(vs, i, v) {
    const char *khex = json_string_value(json_object_get(v, "key"));
    const char *mhex = json_string_value(json_object_get(v, "msg"));
    const char *thex = json_string_value(json_object_get(v, "mac"));
    assert_non_null(khex);
    assert_non_null(mhex);
    assert_non_null(thex);
    uint8_t key[16], msg[64], mac[16];
    size_t ml = strlen(mhex) / 2;
    assert_true(ml <= sizeof(msg));
    tu_hex(khex, key, 16);
    if (ml) tu_hex(mhex, msg, ml);
    assert_int_equal(sgxra_aes128_cmac(cx, key, ml ? msg : NULL, ml, mac),
                     SGXRA_OK);
    tu_assert_hex(mac, 16, thex);
    /* A flipped message bit changes the MAC. */
    if (ml) {
      msg[ml - 1] ^= 1;
      assert_int_equal(sgxra_aes128_cmac(cx, key, msg, ml, mac), SGXRA_OK);
      char got[33];
      sgxra_hex_encode(mac, 16, got);
      assert_string_not_equal(got, thex);
    }
  }
  uint8_t key[16] = {0}, mac[16];
  assert_int_equal(sgxra_aes128_cmac(cx, key, NULL, 5, mac),
                   SGXRA_E_INVALID_ARGUMENT);
  json_decref(root);
  free(txt);
  sgxra_ctx_free(cx);
}

/* ---- AES-128-GCM: McGrew & Viega, "The Galois/Counter Mode of Operation",
 * test cases 2 and 4 ------------------------------------------------------- */

static void test_gcm_known(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t key[16] = {0}, iv[12] = {0}, pt[16] = {0}, ct[16], tag[16];
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, key, iv, 12, NULL, 0, pt, 16, ct, tag),
      SGXRA_OK);
  tu_assert_hex(ct, 16, "0388dace60b6a392f328c2b971b2fe78");
  tu_assert_hex(tag, 16, "ab6e47d42cec13bdf53a67b21257bddf");

  /* Test case 4: 60-byte plaintext, 20-byte AAD. */
  uint8_t k4[16], iv4[12], a4[20], p4[60], c4[60], t4[16], back[60];
  tu_hex("feffe9928665731c6d6a8f9467308308", k4, 16);
  tu_hex("cafebabefacedbaddecaf888", iv4, 12);
  tu_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2", a4, 20);
  tu_hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
         "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
         p4, 60);
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, k4, iv4, 12, a4, 20, p4, 60, c4, t4),
      SGXRA_OK);
  tu_assert_hex(c4, 60,
                "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca1"
                "2e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091");
  tu_assert_hex(t4, 16, "5bc94fbc3221a5db94fae95ae7121a47");
  assert_int_equal(
      sgxra_aes128_gcm_decrypt(cx, k4, iv4, 12, a4, 20, c4, 60, t4, back),
      SGXRA_OK);
  assert_memory_equal(back, p4, 60);

  /* Test case 3: no AAD, 64-byte plaintext. */
  uint8_t p3[64], c3[64], t3[16];
  tu_hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
         "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
         p3, 64);
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, k4, iv4, 12, NULL, 0, p3, 64, c3, t3),
      SGXRA_OK);
  tu_assert_hex(c3, 64,
                "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca1"
                "2e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f"
                "5985");
  tu_assert_hex(t3, 16, "4d5c2af327cd64a62cf35abd2ba6fab4");

  /* Test case 5: 8-byte IV (GHASH-derived counter block). */
  uint8_t iv5[8], c5[60], t5[16], b5[60];
  tu_hex("cafebabefacedbad", iv5, 8);
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, k4, iv5, 8, a4, 20, p4, 60, c5, t5),
      SGXRA_OK);
  tu_assert_hex(c5, 60,
                "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c74"
                "2373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598");
  tu_assert_hex(t5, 16, "3612d2e79e3b0785561be14aaca2fccb");
  assert_int_equal(
      sgxra_aes128_gcm_decrypt(cx, k4, iv5, 8, a4, 20, c5, 60, t5, b5),
      SGXRA_OK);
  assert_memory_equal(b5, p4, 60);

  /* In place (ct == pt). */
  uint8_t buf[60];
  memcpy(buf, p4, 60);
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, k4, iv4, 12, a4, 20, buf, 60, buf, t4),
      SGXRA_OK);
  assert_memory_equal(buf, c4, 60);

  /* Tampering anywhere gives TAG_MISMATCH and a wiped output. */
  uint8_t zero[60] = {0};
  uint8_t *regions[4] = {c4 + 7, a4 + 3, t4 + 15, iv4 + 11};
  for (int r = 0; r < 4; r++) {
    *regions[r] ^= 0x01;
    memset(back, 0x55, sizeof(back));
    sgxra_ctx_clear(cx);
    assert_int_equal(
        sgxra_aes128_gcm_decrypt(cx, k4, iv4, 12, a4, 20, c4, 60, t4, back),
        SGXRA_E_CRYPTO_TAG_MISMATCH);
    assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_CRYPTO_TAG_MISMATCH);
    assert_non_null(strstr(sgxra_ctx_message(cx), "tag mismatch"));
    assert_memory_equal(back, zero, 60);
    *regions[r] ^= 0x01;
  }
  /* Bad arguments. */
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, k4, iv4, 0, a4, 20, p4, 60, c4, t4),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_aes128_gcm_decrypt(cx, k4, iv4, 12, NULL, 20, c4, 60, t4, back),
      SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

/* A context made with sgxra_ctx_new_ex() fetches every algorithm from its
 * own OpenSSL library context (the paths sgxra_ctx_new() never takes): the
 * known answers come out the same, and a library context that has no
 * algorithms at all gives SGXRA_E_CRYPTO naming what is missing, not a
 * crash or a silent fallback to the default context. */
static void test_own_library_context(void **state) {
  (void)state;
  OSSL_LIB_CTX *lc = OSSL_LIB_CTX_new();
  assert_non_null(lc);
  sgxra_ctx *cx = sgxra_ctx_new_ex(lc);
  assert_non_null(cx);
  uint8_t h[32];
  assert_int_equal(sgxra_sha256(cx, "abc", 3, h), SGXRA_OK);
  tu_assert_hex(h, 32,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015"
                "ad");
  sgxra_sha256_stream st;
  assert_int_equal(sgxra_sha256_init(cx, &st), SGXRA_OK);
  assert_int_equal(sgxra_sha256_update(cx, &st, "ab", 2), SGXRA_OK);
  assert_int_equal(sgxra_sha256_update(cx, &st, "c", 1), SGXRA_OK);
  uint8_t h2[32];
  assert_int_equal(sgxra_sha256_final(cx, &st, h2), SGXRA_OK);
  assert_memory_equal(h, h2, 32);
  /* RFC 4493 example 1 (empty message). */
  uint8_t key[16], mac[16];
  tu_hex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
  assert_int_equal(sgxra_aes128_cmac(cx, key, NULL, 0, mac), SGXRA_OK);
  tu_assert_hex(mac, 16, "bb1d6929e95937287fa37d129b756746");
  /* GCM test case 2 (McGrew-Viega): zero key, IV, one zero block. */
  uint8_t zk[16] = {0}, iv[12] = {0}, pt[16] = {0}, ct[16], tag[16], back[16];
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, zk, iv, 12, NULL, 0, pt, 16, ct, tag),
      SGXRA_OK);
  tu_assert_hex(ct, 16, "0388dace60b6a392f328c2b971b2fe78");
  tu_assert_hex(tag, 16, "ab6e47d42cec13bdf53a67b21257bddf");
  assert_int_equal(
      sgxra_aes128_gcm_decrypt(cx, zk, iv, 12, NULL, 0, ct, 16, tag, back),
      SGXRA_OK);
  assert_memory_equal(back, pt, 16);
  /* P-256: generate, sign, rebuild the public key from X||Y (the general
   * path, not the default context's cached parameters), verify. */
  sgxra_p256_key *k = NULL, *pub = NULL;
  uint8_t xy[64], sig[64];
  assert_int_equal(sgxra_p256_generate(cx, &k), SGXRA_OK);
  sgxra_p256_public_raw(k, xy);
  assert_int_equal(sgxra_p256_sign(cx, k, "m", 1, sig), SGXRA_OK);
  assert_int_equal(sgxra_p256_from_public(cx, xy, &pub), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(cx, pub, "m", 1, sig), SGXRA_OK);
  xy[63] ^= 1;
  sgxra_p256_key *off = (sgxra_p256_key *)&off;
  assert_int_equal(sgxra_p256_from_public(cx, xy, &off),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(off);
  sgxra_p256_free(pub);
  sgxra_p256_free(k);
  sgxra_ctx_free(cx);
  OSSL_LIB_CTX_free(lc);

  /* Only the "null" provider: nothing can be fetched. */
  lc = OSSL_LIB_CTX_new();
  assert_non_null(lc);
  OSSL_PROVIDER *np = OSSL_PROVIDER_load(lc, "null");
  assert_non_null(np);
  cx = sgxra_ctx_new_ex(lc);
  memset(h, 0x55, sizeof h);
  assert_int_equal(sgxra_sha256(cx, "abc", 3, h), SGXRA_E_CRYPTO);
  assert_non_null(strstr(sgxra_ctx_message(cx), "SHA-256 is not available"));
  uint8_t zero[32] = {0};
  assert_memory_equal(h, zero, 32);
  memset(mac, 0x55, sizeof mac);
  assert_int_equal(sgxra_aes128_cmac(cx, key, "x", 1, mac), SGXRA_E_CRYPTO);
  assert_non_null(strstr(sgxra_ctx_message(cx), "CMAC is not available"));
  assert_memory_equal(mac, zero, 16);
  assert_int_equal(
      sgxra_aes128_gcm_encrypt(cx, zk, iv, 12, NULL, 0, pt, 16, ct, tag),
      SGXRA_E_CRYPTO);
  assert_non_null(strstr(sgxra_ctx_message(cx), "AES-128-GCM"));
  assert_memory_equal(ct, zero, 16);
  k = (sgxra_p256_key *)&k;
  assert_int_equal(sgxra_p256_generate(cx, &k), SGXRA_E_CRYPTO);
  assert_null(k);
  sgxra_ctx_free(cx);
  OSSL_PROVIDER_unload(np);
  OSSL_LIB_CTX_free(lc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_own_library_context),
      cmocka_unit_test(test_ct_equal_and_wipe),
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_sha256_known),
      cmocka_unit_test(test_sha256_stream),
      cmocka_unit_test(test_cmac_rfc4493),
      cmocka_unit_test(test_gcm_known),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
