/* Tests of the RA protocol library (sgxra/ra.h).
 *
 * Known answers: tests/ra/kat.txt holds values that tests/ra/kat.py
 * computes from the published algorithm with Python and the openssl
 * command line only (ctest runs `kat.py check` as ra_kat_openssl).  The
 * algorithm is the one of Intel's sample service provider (sgx_ra key
 * derivation: KDK = AES-CMAC(0^128, Gab.x little-endian), KEY =
 * AES-CMAC(KDK, 01 || label || 00 80 00)); the SP key is the sample's own
 * g_sp_priv_key, whose public key in wire form must be the sample
 * enclave's g_sp_pub_key.  Ga and Gb are fixed scalars, so the KDF, msg2's
 * MAC and signature check, the binding and msg4 have exact expected values.
 *
 * Then whole protocol runs SP <-> client (the software enclave and a fake
 * quote callback), and every refusal with its code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "ra/internal.h"
#include "sgxra/hex.h"
#include "sgxra/ra.h"

#define NOW 1800000000
#define TTL 60

/* ---- kat.txt ------------------------------------------------------------- */

static char *kat_text;

static const char *kat_hex(const char *name) {
  if (!kat_text) {
    FILE *f = fopen(SGXRA_SOURCE_DIR "/tests/ra/kat.txt", "r");
    assert_non_null(f);
    kat_text = calloc(1, 1 << 16);
    assert_non_null(kat_text);
    size_t n = fread(kat_text, 1, (1 << 16) - 1, f);
    fclose(f);
    assert_true(n > 0);
  }
  static char val[4096];
  size_t nl = strlen(name);
  for (const char *p = kat_text; p && *p; p = strchr(p, '\n')) {
    if (*p == '\n') p++;
    if (strncmp(p, name, nl) == 0 && strncmp(p + nl, " = ", 3) == 0) {
      p += nl + 3;
      size_t l = strcspn(p, "\n");
      assert_true(l < sizeof val);
      memcpy(val, p, l);
      val[l] = 0;
      return val;
    }
  }
  fail_msg("kat.txt has no %s", name);
  return NULL;
}

/* Bytes of a kat value; its length must be n. */
static void kat(const char *name, uint8_t *out, size_t n) {
  const char *h = kat_hex(name);
  if (strlen(h) != 2 * n) fail_msg("kat %s: %zu bytes expected", name, n);
  tu_hex(h, out, n);
}

static size_t kat_len(const char *name) {
  return strlen(kat_hex(name)) / 2;
}

static sgxra_p256_key *key_from(const char *name) {
  uint8_t d[32];
  kat(name, d, 32);
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_private(NULL, d, &k), SGXRA_OK);
  return k;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The call returned `code` and, when frag is not NULL, its message
 * contains frag. */
static void check_err(sgxra_ctx *cx, const char *call, sgxra_err got,
                      sgxra_err code, const char *frag) {
  if (got != code)
    fail_msg("%s: got %s (%s), expected %s", call, sgxra_err_name(got),
             sgxra_ctx_message(cx), sgxra_err_name(code));
  if (frag && !strstr(sgxra_ctx_message(cx), frag))
    fail_msg("%s: message \"%s\" lacks \"%s\"", call, sgxra_ctx_message(cx),
             frag);
}
#define assert_err(cx, call, code, frag)                                       \
  check_err((cx), #call, (call), (code), (frag))

/* 1 when s occurs in p[0..n). */
static int contains(const uint8_t *p, size_t n, const char *s) {
  size_t l = strlen(s);
  for (size_t i = 0; i + l <= n; i++)
    if (memcmp(p + i, s, l) == 0) return 1;
  return 0;
}

/* ---- known answers --------------------------------------------------------
 */

/* Intel's isv_enclave.cpp g_sp_pub_key (wire form), beside the sample SP's
 * g_sp_priv_key (little-endian 90e76cbb...8c01). */
static const uint8_t INTEL_SP_PUB[64] = {
    0x72, 0x12, 0x8a, 0x7a, 0x17, 0x52, 0x6e, 0xbf, 0x85, 0xd0, 0x3a,
    0x62, 0x37, 0x30, 0xae, 0xad, 0x3e, 0x3d, 0xaa, 0xee, 0x9c, 0x60,
    0x73, 0x1d, 0xb0, 0x5b, 0xe8, 0x62, 0x1c, 0x4b, 0xeb, 0x38, 0xd4,
    0x81, 0x40, 0xd9, 0x50, 0xe2, 0x57, 0x7b, 0x26, 0xee, 0xb7, 0x41,
    0xe7, 0xc6, 0x14, 0xe2, 0x24, 0xb7, 0xbd, 0xc9, 0x03, 0xf2, 0x9a,
    0x28, 0xa8, 0x3c, 0xc8, 0x10, 0x11, 0x14, 0x5e, 0x06};

static void test_kat_wire(void **state) {
  (void)state;
  sgxra_p256_key *sp = key_from("sp_private");
  uint8_t w[64], k[64];
  sgxra_ra_public_to_wire(sp, w);
  assert_memory_equal(w, INTEL_SP_PUB, 64);
  kat("sp_public_wire", k, 64);
  assert_memory_equal(w, k, 64);
  /* the swap is its own inverse and reverses each half */
  uint8_t xy[64], back[64];
  sgxra_p256_public_raw(sp, xy);
  assert_int_equal(xy[0], w[31]);
  assert_int_equal(xy[32], w[63]);
  sgxra_ra_wire_swap(w, back);
  assert_memory_equal(back, xy, 64);
  sgxra_p256_key *again = NULL;
  assert_int_equal(sgxra_ra_public_from_wire(NULL, w, "SP", &again), SGXRA_OK);
  sgxra_p256_public_raw(again, back);
  assert_memory_equal(back, xy, 64);
  sgxra_p256_free(again);
  /* SPID = SHA-256(wire)[0..16) */
  uint8_t spid[16];
  assert_int_equal(sgxra_ra_spid(NULL, sp, spid), SGXRA_OK);
  kat("spid", k, 16);
  assert_memory_equal(spid, k, 16);
  /* the SP's session key */
  uint8_t sk[16];
  assert_int_equal(sgxra_ra_session_key(NULL, sp, sk), SGXRA_OK);
  kat("session_key", k, 16);
  assert_memory_equal(sk, k, 16);
  /* a public key alone has no session key */
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *pub = NULL;
  assert_int_equal(sgxra_ra_public_from_wire(cx, w, "SP", &pub), SGXRA_OK);
  assert_int_equal(sgxra_ra_session_key(cx, pub, sk),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  /* a point off the curve */
  w[5] ^= 1;
  assert_err(cx, sgxra_ra_public_from_wire(cx, w, "msg1 Ga", &again),
             SGXRA_E_RA_MESSAGE, "msg1 Ga is not a P-256 point");
  assert_null(again);
  sgxra_p256_free(pub);
  sgxra_p256_free(sp);
  sgxra_ctx_free(cx);
}

static void test_kat_kdf(void **state) {
  (void)state;
  sgxra_p256_key *a = key_from("ga_private"), *b = key_from("gb_private");
  uint8_t x[32], want[64], ga[64], gb[64];
  assert_int_equal(sgxra_p256_ecdh(NULL, a, b, x), SGXRA_OK);
  kat("shared_x_be", want, 32);
  assert_memory_equal(x, want, 32);
  sgxra_ra_public_to_wire(a, ga);
  sgxra_ra_public_to_wire(b, gb);
  kat("ga_wire", want, 64);
  assert_memory_equal(ga, want, 64);
  kat("gb_wire", want, 64);
  assert_memory_equal(gb, want, 64);

  uint8_t kdk[16], k[16];
  assert_int_equal(sgxra_ra_kdk(NULL, x, kdk), SGXRA_OK);
  kat("kdk", want, 16);
  assert_memory_equal(kdk, want, 16);
  const char *labels[] = {"SMK", "SK", "MK", "VK"};
  const char *names[] = {"smk", "sk", "mk", "vk"};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(sgxra_ra_derive_key(NULL, kdk, labels[i], k), SGXRA_OK);
    kat(names[i], want, 16);
    assert_memory_equal(k, want, 16);
  }
  /* all four at once, from either side */
  sgxra_ra_keys ks, kb;
  assert_int_equal(sgxra_ra_kdf(NULL, x, &ks), SGXRA_OK);
  assert_int_equal(sgxra_ra_derive_keys(NULL, b, a, &kb), SGXRA_OK);
  assert_memory_equal(&ks, &kb, sizeof ks);
  kat("smk", want, 16);
  assert_memory_equal(ks.smk, want, 16);
  kat("sk", want, 16);
  assert_memory_equal(ks.sk, want, 16);
  kat("mk", want, 16);
  assert_memory_equal(ks.mk, want, 16);
  kat("vk", want, 16);
  assert_memory_equal(ks.vk, want, 16);
  /* the binding */
  uint8_t rd[64];
  assert_int_equal(sgxra_ra_binding(NULL, ga, gb, ks.vk, rd), SGXRA_OK);
  kat("binding", want, 64);
  assert_memory_equal(rd, want, 64);
  /* labels out of range */
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra_ra_derive_key(cx, kdk, "", k),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_ra_derive_key(cx, kdk, "ABCDEFGHIJKLMNOPQ", k),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
  sgxra_p256_free(a);
  sgxra_p256_free(b);
}

/* msg2 of kat.txt: signed by openssl with Intel's sample SP key. */
static void test_kat_msg2_check(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *sp = key_from("sp_private"), *a = key_from("ga_private");
  uint8_t m2[SGXRA_RA_MSG2_FIXED_SIZE], want[16], bad[200];
  assert_int_equal(kat_len("msg2"), sizeof m2);
  kat("msg2", m2, sizeof m2);
  sgxra_ra_msg2 p;
  sgxra_ra_keys k;
  assert_int_equal(sgxra_ra_msg2_check(cx, sp, a, m2, sizeof m2, &p, &k),
                   SGXRA_OK);
  kat("smk", want, 16);
  assert_memory_equal(k.smk, want, 16);
  kat("vk", want, 16);
  assert_memory_equal(k.vk, want, 16);
  assert_int_equal(p.quote_type, 3);
  assert_int_equal(p.kdf_id, 1);
  assert_int_equal(p.sig_rl_size, 0);
  assert_null(p.sig_rl);
  kat("spid", want, 16);
  assert_memory_equal(p.spid, want, 16);

  /* each field altered */
  struct {
    size_t off;
    sgxra_err code;
    const char *frag;
  } cases[] = {
      {0, SGXRA_E_RA_SIGNATURE, "signature over Gb||Ga"},  /* Gb */
      {63, SGXRA_E_RA_SIGNATURE, "signature over Gb||Ga"}, /* Gb */
      {64, SGXRA_E_RA_SIGNATURE, "SPID"},                  /* SPID */
      {84, SGXRA_E_RA_SIGNATURE, "signature"},             /* r */
      {147, SGXRA_E_RA_SIGNATURE, "signature"},            /* s */
      {148, SGXRA_E_RA_MAC, "msg2 MAC does not verify"},   /* mac */
      {163, SGXRA_E_RA_MAC, "msg2 MAC does not verify"},   /* mac */
      {82, SGXRA_E_RA_GROUP, "KDF id is 0"},               /* kdf 1 -> 0 */
      {80, SGXRA_E_RA_GROUP, "quote type 2"},              /* 3 -> 2 */
      {164, SGXRA_E_RA_MESSAGE, "SigRL has 1 bytes, 0 follow"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    memcpy(bad, m2, sizeof m2);
    bad[cases[i].off] ^= 1;
    assert_err(cx, sgxra_ra_msg2_check(cx, sp, a, bad, sizeof m2, &p, &k),
               cases[i].code, cases[i].frag);
    uint8_t zero[sizeof k];
    memset(zero, 0, sizeof zero);
    assert_memory_equal(&k, zero, sizeof k); /* keys wiped */
  }
  /* a SigRL, even a well-formed one, is refused */
  memcpy(bad, m2, sizeof m2);
  bad[164] = 4;
  memset(bad + 168, 0xab, 4);
  assert_err(cx, sgxra_ra_msg2_check(cx, sp, a, bad, 172, &p, &k),
             SGXRA_E_RA_GROUP, "4-byte SigRL");
  assert_int_equal(sgxra_ra_msg2_parse(cx, bad, 172, &p), SGXRA_OK);
  assert_ptr_equal(p.sig_rl, bad + 168);
  /* sizes */
  assert_err(cx, sgxra_ra_msg2_check(cx, sp, a, m2, 160, &p, &k),
             SGXRA_E_RA_MESSAGE,
             "msg2 truncated: 160 bytes, the fixed part needs 168");
  assert_err(cx, sgxra_ra_msg2_check(cx, sp, a, m2, 0, &p, &k),
             SGXRA_E_RA_MESSAGE, "msg2 truncated: 0 bytes");
  memcpy(bad, m2, sizeof m2);
  assert_err(cx, sgxra_ra_msg2_check(cx, sp, a, bad, 169, &p, &k),
             SGXRA_E_RA_MESSAGE, "SigRL has 0 bytes, 1 follow");
  /* another SP key pinned: the signature is refused */
  sgxra_p256_key *other = NULL;
  assert_int_equal(sgxra_p256_generate(cx, &other), SGXRA_OK);
  assert_err(cx, sgxra_ra_msg2_check(cx, other, a, m2, sizeof m2, &p, &k),
             SGXRA_E_RA_SIGNATURE, "not the pinned SP key's");
  /* another Ga (the MAC and signature were for this one) */
  assert_err(cx, sgxra_ra_msg2_check(cx, sp, other, m2, sizeof m2, &p, &k),
             SGXRA_E_RA_SIGNATURE, NULL);
  sgxra_p256_free(other);
  sgxra_p256_free(sp);
  sgxra_p256_free(a);
  sgxra_ctx_free(cx);
}

/* The SP's msg2 with Gb fixed: everything but the (randomised) signature is
 * the known answer, and the signature verifies. */
static void test_kat_sp_msg2(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *sp = key_from("sp_private"), *a = key_from("ga_private"),
                 *b = key_from("gb_private");
  uint8_t m0[4], m1[68], m2[168], want[168];
  sgxra_ra_msg0_encode(m0);
  sgxra_ra_msg1 q = {.gid = 0};
  sgxra_ra_public_to_wire(a, q.g_a);
  sgxra_ra_msg1_encode(&q, m1);
  sgxra_ra_sp_session s;
  assert_int_equal(sgxra_ra_sp_begin(cx, m0, 4, NULL, NOW, TTL, 3, &s),
                   SGXRA_OK);
  assert_int_equal(s.state, SGXRA_RA_SP_WAIT_MSG1);
  assert_int_equal(s.expires, NOW + TTL);
  assert_int_equal(sgxra_ra_sp_msg1(cx, &s, sp, b, m1, 68, NOW, m2), SGXRA_OK);
  assert_int_equal(s.state, SGXRA_RA_SP_WAIT_MSG3);
  kat("msg2", want, 168);
  assert_memory_equal(m2, want, SGXRA_RA_MSG2_SIGN_OFFSET);
  assert_memory_equal(m2 + 164, want + 164, 4);
  kat("binding", want, 64);
  assert_memory_equal(s.binding, want, 64);
  kat("mk", want, 16);
  assert_memory_equal(s.keys.mk, want, 16);
  sgxra_ra_msg2 p;
  sgxra_ra_keys k;
  assert_int_equal(sgxra_ra_msg2_check(cx, sp, a, m2, 168, &p, &k), SGXRA_OK);
  assert_memory_equal(&k, &s.keys, sizeof k);
  sgxra_p256_free(sp);
  sgxra_p256_free(a);
  sgxra_p256_free(b);
  sgxra_ctx_free(cx);
}

static void test_kat_msg4(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_ra_keys k;
  kat("sk", k.sk, 16);
  kat("mk", k.mk, 16);
  kat("smk", k.smk, 16);
  kat("vk", k.vk, 16);
  uint8_t m[64], bad[64];
  size_t n = kat_len("msg4_refused");
  assert_int_equal(n, 58);
  kat("msg4_refused", m, n);
  sgxra_ra_msg4 p;
  uint8_t *sec = NULL;
  size_t sl = 99;
  assert_int_equal(sgxra_ra_msg4_open(cx, &k, m, n, &p, &sec, &sl), SGXRA_OK);
  assert_int_equal(p.trusted, 0);
  assert_int_equal(p.reason_count, 1);
  assert_int_equal(p.reasons[0], 3);
  assert_int_equal(sl, 0);
  assert_non_null(sec);
  free(sec);
  /* every byte matters */
  for (size_t i = 0; i < n; i++) {
    memcpy(bad, m, n);
    bad[i] ^= 0x01;
    sgxra_err e = sgxra_ra_msg4_open(cx, &k, bad, n, &p, &sec, &sl);
    if (e != SGXRA_E_RA_MAC && e != SGXRA_E_RA_MESSAGE)
      fail_msg("msg4 byte %zu altered: %s", i, sgxra_err_name(e));
    assert_null(sec);
  }
  /* the reason code (offset 8) altered: the MAC catches it */
  memcpy(bad, m, n);
  bad[8] = 4;
  assert_err(cx, sgxra_ra_msg4_open(cx, &k, bad, n, &p, &sec, &sl),
             SGXRA_E_RA_MAC, "msg4 MAC does not verify under MK");
  n = kat_len("msg4_trusted");
  assert_int_equal(n, 56);
  kat("msg4_trusted", m, n);
  assert_int_equal(sgxra_ra_msg4_open(cx, &k, m, n, &p, &sec, &sl), SGXRA_OK);
  assert_int_equal(p.trusted, 1);
  assert_int_equal(p.reason_count, 0);
  free(sec);
  /* trusted 1 -> 0 with no reason: malformed */
  memcpy(bad, m, n);
  bad[2] = 0;
  assert_err(cx, sgxra_ra_msg4_parse(cx, bad, n, &p), SGXRA_E_RA_MESSAGE,
             "not trusted but gives no reason");
  /* the GCM tag altered and the CMAC redone: still refused */
  memcpy(bad, m, n);
  bad[12 + 12] ^= 0x80;
  assert_int_equal(sgxra_aes128_cmac(cx, k.mk, bad, n - 16, bad + n - 16),
                   SGXRA_OK);
  assert_err(cx, sgxra_ra_msg4_open(cx, &k, bad, n, &p, &sec, &sl),
             SGXRA_E_RA_MAC, "GCM tag");
  sgxra_ctx_free(cx);
}

/* ---- message parsers at every boundary ------------------------------------
 */

static void test_parsers(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t buf[600];
  memset(buf, 0, sizeof buf);
  /* msg0 */
  assert_int_equal(sgxra_ra_msg0_check(cx, buf, 4), SGXRA_OK);
  assert_err(cx, sgxra_ra_msg0_check(cx, buf, 3), SGXRA_E_RA_MESSAGE,
             "msg0 has 3 bytes, it must have exactly 4");
  assert_err(cx, sgxra_ra_msg0_check(cx, buf, 5), SGXRA_E_RA_MESSAGE, NULL);
  assert_err(cx, sgxra_ra_msg0_check(cx, NULL, 0), SGXRA_E_RA_MESSAGE, NULL);
  buf[0] = 1;
  assert_err(cx, sgxra_ra_msg0_check(cx, buf, 4), SGXRA_E_RA_GROUP,
             "extended EPID group id is 1");
  buf[0] = 0;
  /* msg1 */
  sgxra_ra_msg1 m1;
  assert_int_equal(sgxra_ra_msg1_parse(cx, buf, 68, &m1), SGXRA_OK);
  assert_err(cx, sgxra_ra_msg1_parse(cx, buf, 67, &m1), SGXRA_E_RA_MESSAGE,
             "msg1 has 67 bytes, it must have exactly 68");
  assert_err(cx, sgxra_ra_msg1_parse(cx, buf, 69, &m1), SGXRA_E_RA_MESSAGE,
             NULL);
  buf[67] = 0x80;
  assert_err(cx, sgxra_ra_msg1_parse(cx, buf, 68, &m1), SGXRA_E_RA_GROUP,
             "GID is 0x80000000");
  buf[67] = 0;
  /* msg3 */
  sgxra_ra_msg3 m3;
  assert_err(cx, sgxra_ra_msg3_parse(cx, buf, 336, &m3), SGXRA_E_RA_MESSAGE,
             "msg3 truncated: 336 bytes");
  assert_err(cx, sgxra_ra_msg3_parse(cx, buf, 0, &m3), SGXRA_E_RA_MESSAGE,
             NULL);
  assert_int_equal(sgxra_ra_msg3_parse(cx, buf, 337, &m3), SGXRA_OK);
  assert_int_equal(m3.quote_len, 1);
  assert_ptr_equal(m3.quote, buf + 336);
  buf[80 + 255] = 1;
  assert_err(cx, sgxra_ra_msg3_parse(cx, buf, 400, &m3), SGXRA_E_RA_MESSAGE,
             "ps_sec_prop");
  buf[80 + 255] = 0;
  uint8_t *big = calloc(1, SGXRA_RA_MSG3_MAX + 1);
  assert_non_null(big);
  assert_int_equal(sgxra_ra_msg3_parse(cx, big, SGXRA_RA_MSG3_MAX, &m3),
                   SGXRA_OK);
  assert_err(cx, sgxra_ra_msg3_parse(cx, big, SGXRA_RA_MSG3_MAX + 1, &m3),
             SGXRA_E_TOO_LARGE, NULL);
  uint8_t *out = NULL;
  size_t on = 0;
  assert_int_equal(sgxra_ra_msg3_encode(cx, buf, buf, big,
                                        SGXRA_RA_QUOTE_MAX + 1, &out, &on),
                   SGXRA_E_TOO_LARGE);
  assert_int_equal(sgxra_ra_msg3_encode(cx, buf, buf, big, 0, &out, &on),
                   SGXRA_E_INVALID_ARGUMENT);
  free(big);
  /* msg4: the smallest, then each structural refusal */
  uint8_t m4[64];
  memset(m4, 0, sizeof m4);
  m4[0] = 1;
  m4[2] = 1;
  sgxra_ra_msg4 p4;
  assert_int_equal(sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_OK);
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 55, &p4), SGXRA_E_RA_MESSAGE,
             "msg4 truncated: 55 bytes, the smallest has 56");
  m4[0] = 2;
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "version is 2");
  m4[0] = 1;
  m4[2] = 2;
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "trusted byte is 2");
  m4[2] = 1;
  m4[3] = 1;
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "reserved byte");
  m4[3] = 0;
  m4[4] = 25;
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "25 reasons");
  m4[4] = 1;
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "1 reasons need 58");
  m4[4] = 0;
  m4[8] = 1; /* secret_len 1 with 56 bytes */
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "make 57");
  m4[8] = 0;
  m4[11] = 0x01; /* 16 MiB secret */
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 56, &p4), SGXRA_E_RA_MESSAGE,
             "above the cap");
  m4[11] = 0;
  assert_err(cx, sgxra_ra_msg4_parse(cx, m4, 57, &p4), SGXRA_E_RA_MESSAGE,
             "make 56");
  /* session ids */
  uint8_t id[16];
  char hex[33];
  assert_int_equal(
      sgxra_ra_session_id_parse(cx, "00112233445566778899aabbccddeeff", id),
      SGXRA_OK);
  sgxra_ra_session_id_hex(id, hex);
  assert_string_equal(hex, "00112233445566778899aabbccddeeff");
  assert_err(cx, sgxra_ra_session_id_parse(cx, "0011", id), SGXRA_E_RA_SESSION,
             "32 hex characters, not 4");
  assert_err(
      cx, sgxra_ra_session_id_parse(cx, "00112233445566778899aabbccddeefg", id),
      SGXRA_E_RA_SESSION, NULL);
  assert_err(
      cx,
      sgxra_ra_session_id_parse(cx, "00112233445566778899aabbccddeeff00", id),
      SGXRA_E_RA_SESSION, NULL);
  sgxra_ctx_free(cx);
}

/* ---- whole runs ------------------------------------------------------------
 */

/* A fake quote: a v3 header (48 bytes, version 3), the REPORT's body, and
 * 100 bytes of "signature data". */
typedef struct fake_qe {
  int calls;
  int corrupt_reportdata; /* alter REPORTDATA after the fact */
  uint16_t last_type;
} fake_qe;

static sgxra_err fake_targetinfo(sgxra_ctx *cx, void *user, uint8_t out[512]) {
  (void)cx;
  (void)user;
  memset(out, 0x5a, 512);
  return SGXRA_OK;
}

static sgxra_err fake_quote(sgxra_ctx *cx, void *user, const uint8_t r[432],
                            uint16_t type, uint8_t **out, size_t *n) {
  (void)cx;
  fake_qe *q = user;
  q->calls++;
  q->last_type = type;
  *n = 48 + 384 + 100;
  *out = calloc(1, *n);
  (*out)[0] = 3;
  memcpy(*out + 48, r, 384);
  memset(*out + 432, 0xcd, 100);
  if (q->corrupt_reportdata) (*out)[368] ^= 1;
  return SGXRA_OK;
}

typedef struct world {
  sgxra_ctx *cx;
  sgxra_p256_key *sp;
  sgxra_ra_soft_enclave *enc;
  fake_qe qe;
  sgxra_ra_client_ops ops;
  sgxra_ra_client *cl;
  sgxra_ra_sp_session s;
  uint8_t seal_key[16];
} world;

static void world_open(world *w, const uint8_t *seal_key) {
  memset(w, 0, sizeof *w);
  w->cx = sgxra_ctx_new();
  w->sp = key_from("sp_private");
  memset(w->seal_key, 0x42, 16);
  uint8_t body[384];
  for (int i = 0; i < 384; i++) body[i] = (uint8_t)i;
  sgxra_ra_soft_enclave_options o = {
      .sp_public = w->sp, .seal_key = seal_key, .report_body = body};
  assert_int_equal(sgxra_ra_soft_enclave_new(w->cx, &o, &w->enc), SGXRA_OK);
  sgxra_ra_soft_enclave_ops(w->enc, &w->ops);
  w->ops.quote_user = &w->qe;
  w->ops.qe_targetinfo = fake_targetinfo;
  w->ops.quote = fake_quote;
  assert_int_equal(sgxra_ra_client_new(w->cx, &w->ops, &w->cl), SGXRA_OK);
}

static void world_close(world *w) {
  sgxra_ra_client_free(w->cl);
  sgxra_ra_soft_enclave_free(w->enc);
  sgxra_p256_free(w->sp);
  sgxra_ctx_free(w->cx);
}

/* msg0..msg3 on both sides; *m3 malloc'ed. */
static void run_to_msg3(world *w, uint8_t **m3, size_t *n3) {
  uint8_t m0[4], m1[68], m2[168];
  assert_int_equal(sgxra_ra_client_msg0(w->cx, w->cl, m0), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_begin(w->cx, m0, 4, NULL, NOW, TTL, 3, &w->s),
                   SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg1(w->cx, w->cl, m1), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_msg1(w->cx, &w->s, w->sp, NULL, m1, 68, NOW, m2),
                   SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg2(w->cx, w->cl, m2, 168, m3, n3),
                   SGXRA_OK);
}

static const uint8_t SECRET[] = "the provisioned secret";

static void test_round_trip(void **state) {
  (void)state;
  for (int sealed = 0; sealed < 2; sealed++) {
    world w;
    uint8_t sk[16];
    memset(sk, 0x42, 16);
    world_open(&w, sealed ? sk : NULL);
    uint8_t *m3 = NULL, *m4 = NULL;
    size_t n3 = 0, n4 = 0;
    run_to_msg3(&w, &m3, &n3);
    assert_int_equal(w.qe.calls, 1);
    assert_int_equal(w.qe.last_type, 3);
    assert_int_equal(n3, 336 + 532);
    const uint8_t *cq = NULL;
    size_t cqn = 0;
    sgxra_ra_client_quote(w.cl, &cq, &cqn);
    assert_int_equal(cqn, 532);
    const uint8_t *q = NULL;
    size_t qn = 0;
    uint8_t rd[64];
    assert_int_equal(sgxra_ra_sp_msg3(w.cx, &w.s, m3, n3, NOW, &q, &qn, rd),
                     SGXRA_OK);
    assert_int_equal(w.s.state, SGXRA_RA_SP_APPRAISE);
    assert_int_equal(qn, 532);
    assert_ptr_equal(q, m3 + 336);
    assert_memory_equal(q, cq, qn);
    assert_memory_equal(rd, w.s.binding, 64);
    assert_memory_equal(q + 368, rd, 64);
    /* the report body other than REPORTDATA is the enclave's */
    assert_int_equal(q[48 + 5], 5);
    sgxra_decision d;
    memset(&d, 0, sizeof d);
    d.trusted = 1;
    assert_int_equal(
        sgxra_ra_sp_msg4(w.cx, &w.s, &d, SECRET, sizeof SECRET, &m4, &n4),
        SGXRA_OK);
    assert_int_equal(w.s.state, SGXRA_RA_SP_DONE);
    assert_int_equal(n4, 56 + sizeof SECRET);
    /* the host sees the header, not the secret */
    sgxra_ra_msg4 h;
    assert_int_equal(sgxra_ra_msg4_parse(w.cx, m4, n4, &h), SGXRA_OK);
    assert_int_equal(h.trusted, 1);
    assert_int_equal(h.secret_len, sizeof SECRET);
    assert_false(contains(m4, n4, "provisioned"));
    sgxra_ra_result r;
    assert_int_equal(sgxra_ra_client_msg4(w.cx, w.cl, m4, n4, &r), SGXRA_OK);
    assert_int_equal(r.trusted, 1);
    assert_int_equal(r.reason_count, 0);
    assert_non_null(r.sealed);
    if (!sealed) {
      assert_int_equal(r.sealed_len, sizeof SECRET);
      assert_memory_equal(r.sealed, SECRET, sizeof SECRET);
    } else {
      assert_int_equal(r.sealed_len, 28 + sizeof SECRET);
      assert_false(contains(r.sealed, r.sealed_len, "provisioned"));
    }
    uint8_t *plain = NULL;
    size_t pn = 0;
    assert_int_equal(sgxra_ra_soft_enclave_unseal(w.cx, w.enc, r.sealed,
                                                  r.sealed_len, &plain, &pn),
                     SGXRA_OK);
    assert_int_equal(pn, sizeof SECRET);
    assert_memory_equal(plain, SECRET, pn);
    free(plain);
    if (sealed) {
      r.sealed[r.sealed_len - 1] ^= 1;
      assert_err(w.cx,
                 sgxra_ra_soft_enclave_unseal(w.cx, w.enc, r.sealed,
                                              r.sealed_len, &plain, &pn),
                 SGXRA_E_RA_MAC, NULL);
    }
    sgxra_ra_result_free(&r);
    /* after msg4 nothing more: client and SP */
    assert_err(w.cx, sgxra_ra_client_msg4(w.cx, w.cl, m4, n4, &r),
               SGXRA_E_RA_STATE, "out of order");
    uint8_t *again = NULL;
    size_t an = 0;
    assert_err(w.cx, sgxra_ra_sp_msg4(w.cx, &w.s, &d, NULL, 0, &again, &an),
               SGXRA_E_RA_STATE, NULL);
    assert_null(again);
    free(m3);
    free(m4);
    world_close(&w);
  }
}

/* Not trusted: reasons travel, no secret even when one is given. */
static void test_refused_decision(void **state) {
  (void)state;
  world w;
  world_open(&w, NULL);
  uint8_t *m3 = NULL, *m4 = NULL;
  size_t n3 = 0, n4 = 0;
  run_to_msg3(&w, &m3, &n3);
  const uint8_t *q;
  size_t qn;
  assert_int_equal(sgxra_ra_sp_msg3(w.cx, &w.s, m3, n3, NOW, &q, &qn, NULL),
                   SGXRA_OK);
  sgxra_decision d;
  memset(&d, 0, sizeof d);
  d.trusted = 0;
  d.reason_count = 2;
  d.reasons[0].code = (sgxra_reason_code)2;
  d.reasons[1].code = (sgxra_reason_code)5;
  assert_int_equal(
      sgxra_ra_sp_msg4(w.cx, &w.s, &d, SECRET, sizeof SECRET, &m4, &n4),
      SGXRA_OK);
  assert_int_equal(n4, 56 + 4);
  sgxra_ra_result r;
  assert_int_equal(sgxra_ra_client_msg4(w.cx, w.cl, m4, n4, &r), SGXRA_OK);
  assert_int_equal(r.trusted, 0);
  assert_int_equal(r.reason_count, 2);
  assert_int_equal(r.reasons[0], 2);
  assert_int_equal(r.reasons[1], 5);
  assert_null(r.sealed);
  sgxra_ra_result_free(&r);
  free(m3);
  free(m4);
  world_close(&w);

  /* a zeroed (failed) appraisal is no decision to send */
  world_open(&w, NULL);
  run_to_msg3(&w, &m3, &n3);
  assert_int_equal(sgxra_ra_sp_msg3(w.cx, &w.s, m3, n3, NOW, &q, &qn, NULL),
                   SGXRA_OK);
  memset(&d, 0, sizeof d);
  assert_err(w.cx, sgxra_ra_sp_msg4(w.cx, &w.s, &d, NULL, 0, &m4, &n4),
             SGXRA_E_INVALID_ARGUMENT, "must carry a reason");
  assert_int_equal(w.s.state, SGXRA_RA_SP_FAILED);
  free(m3);
  world_close(&w);
}

/* Sealed session state between every step, as replicas would. */
static void test_session_seal(void **state) {
  (void)state;
  world w;
  world_open(&w, NULL);
  uint8_t key[16], other[16];
  assert_int_equal(sgxra_ra_session_key(w.cx, w.sp, key), SGXRA_OK);
  memcpy(other, key, 16);
  other[0] ^= 1;
  uint8_t m0[4], m1[68], m2[168];
  assert_int_equal(sgxra_ra_client_msg0(w.cx, w.cl, m0), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_begin(w.cx, m0, 4, NULL, NOW, TTL, 4, &w.s),
                   SGXRA_OK);
  uint8_t *b = NULL, *b2 = NULL;
  size_t bn = 0, bn2 = 0;
  assert_int_equal(sgxra_ra_sp_session_seal(w.cx, key, &w.s, &b, &bn),
                   SGXRA_OK);
  assert_int_equal(bn, SGXRA_RA_SESSION_BLOB_SIZE);
  sgxra_ra_sp_session s2;
  assert_int_equal(sgxra_ra_sp_session_open(w.cx, key, w.s.id, b, bn, &s2),
                   SGXRA_OK);
  assert_memory_equal(&s2, &w.s, sizeof s2);
  free(b);
  assert_int_equal(sgxra_ra_client_msg1(w.cx, w.cl, m1), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_msg1(w.cx, &s2, w.sp, NULL, m1, 68, NOW, m2),
                   SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_session_seal(w.cx, key, &s2, &b, &bn), SGXRA_OK);
  /* two seals of one state differ (fresh IV) */
  assert_int_equal(sgxra_ra_sp_session_seal(w.cx, key, &s2, &b2, &bn2),
                   SGXRA_OK);
  assert_memory_not_equal(b, b2, bn);
  free(b2);
  /* refusals: another key, another id, altered, truncated, bad magic */
  sgxra_ra_sp_session s3;
  assert_err(w.cx, sgxra_ra_sp_session_open(w.cx, other, s2.id, b, bn, &s3),
             SGXRA_E_RA_SESSION, "does not open");
  uint8_t id2[16];
  memcpy(id2, s2.id, 16);
  id2[15] ^= 1;
  assert_err(w.cx, sgxra_ra_sp_session_open(w.cx, key, id2, b, bn, &s3),
             SGXRA_E_RA_SESSION, "another session id");
  for (size_t i = 0; i < bn; i += 7) {
    b[i] ^= 0x10;
    assert_int_equal(sgxra_ra_sp_session_open(w.cx, key, s2.id, b, bn, &s3),
                     SGXRA_E_RA_SESSION);
    b[i] ^= 0x10;
  }
  assert_err(w.cx, sgxra_ra_sp_session_open(w.cx, key, s2.id, b, bn - 1, &s3),
             SGXRA_E_RA_SESSION, "has 311 bytes");
  assert_err(w.cx, sgxra_ra_sp_session_open(w.cx, key, s2.id, NULL, 0, &s3),
             SGXRA_E_RA_SESSION, NULL);
  /* the good one continues the session */
  assert_int_equal(sgxra_ra_sp_session_open(w.cx, key, s2.id, b, bn, &s3),
                   SGXRA_OK);
  assert_int_equal(s3.state, SGXRA_RA_SP_WAIT_MSG3);
  assert_int_equal(s3.quote_type, 4);
  free(b);
  uint8_t *m3 = NULL, *m4 = NULL;
  size_t n3 = 0, n4 = 0;
  assert_int_equal(sgxra_ra_client_msg2(w.cx, w.cl, m2, 168, &m3, &n3),
                   SGXRA_OK);
  assert_int_equal(w.qe.last_type, 4);
  const uint8_t *q;
  size_t qn;
  assert_int_equal(sgxra_ra_sp_msg3(w.cx, &s3, m3, n3, NOW, &q, &qn, NULL),
                   SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_session_seal(w.cx, key, &s3, &b, &bn), SGXRA_OK);
  sgxra_ra_sp_session s4;
  assert_int_equal(sgxra_ra_sp_session_open(w.cx, key, s3.id, b, bn, &s4),
                   SGXRA_OK);
  free(b);
  /* a replayed msg3 on the reopened state: refused */
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s4, m3, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_REPLAY, "msg3 replayed");
  assert_int_equal(sgxra_ra_sp_session_open(w.cx, key, s3.id, NULL, 0, &s4),
                   SGXRA_E_RA_SESSION);
  sgxra_decision d;
  memset(&d, 0, sizeof d);
  d.trusted = 1;
  assert_int_equal(
      sgxra_ra_sp_msg4(w.cx, &s3, &d, SECRET, sizeof SECRET, &m4, &n4),
      SGXRA_OK);
  sgxra_ra_result r;
  assert_int_equal(sgxra_ra_client_msg4(w.cx, w.cl, m4, n4, &r), SGXRA_OK);
  assert_int_equal(r.trusted, 1);
  assert_memory_equal(r.sealed, SECRET, sizeof SECRET);
  sgxra_ra_result_free(&r);
  free(m3);
  free(m4);
  world_close(&w);
}

/* msg3 refusals on the SP side. */
static void test_msg3_refusals(void **state) {
  (void)state;
  world w;
  world_open(&w, NULL);
  uint8_t *m3 = NULL;
  size_t n3 = 0;
  run_to_msg3(&w, &m3, &n3);
  sgxra_ra_sp_session base = w.s, s;
  const uint8_t *q;
  size_t qn;
  uint8_t *bad = malloc(n3);
  assert_non_null(bad);

  /* Ga differs */
  s = base;
  memcpy(bad, m3, n3);
  bad[16] ^= 1;
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, bad, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_GA_MISMATCH, "msg3 Ga differs from msg1's");
  assert_int_equal(s.state, SGXRA_RA_SP_FAILED);
  assert_null(q);
  /* MAC: the mac field, and a byte of the quote */
  s = base;
  memcpy(bad, m3, n3);
  bad[3] ^= 1;
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, bad, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_MAC, "msg3 MAC");
  s = base;
  memcpy(bad, m3, n3);
  bad[n3 - 1] ^= 1;
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, bad, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_MAC, NULL);
  /* truncated at each boundary */
  size_t cuts[] = {0, 15, 16, 80, 335, 336};
  for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
    s = base;
    assert_err(w.cx,
               sgxra_ra_sp_msg3(w.cx, &s, m3, cuts[i], NOW, &q, &qn, NULL),
               SGXRA_E_RA_MESSAGE, "msg3 truncated");
  }
  /* a quote too short for a report body, correctly MAC'd */
  s = base;
  memcpy(bad, m3, n3);
  assert_int_equal(
      sgxra_aes128_cmac(w.cx, s.keys.smk, bad + 16, 336 + 431 - 16, bad),
      SGXRA_OK);
  assert_err(w.cx,
             sgxra_ra_sp_msg3(w.cx, &s, bad, 336 + 431, NOW, &q, &qn, NULL),
             SGXRA_E_RA_MESSAGE, "quote truncated: 431 bytes");
  /* wrong binding: the REPORTDATA altered and msg3 re-MAC'd with SMK (an
   * enclave tricked into quoting for another exchange) */
  s = base;
  memcpy(bad, m3, n3);
  bad[336 + 368 + 40] ^= 1;
  assert_int_equal(sgxra_aes128_cmac(w.cx, s.keys.smk, bad + 16, n3 - 16, bad),
                   SGXRA_OK);
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, bad, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_BINDING, "not this session's");
  /* a quote of another session (swapped in by a man in the middle who also
   * had this session's SMK: the binding still refuses it) */
  world w2;
  world_open(&w2, NULL);
  uint8_t *o3 = NULL;
  size_t on3 = 0;
  run_to_msg3(&w2, &o3, &on3);
  assert_int_equal(on3, n3);
  s = base;
  memcpy(bad, m3, 336);
  memcpy(bad + 336, o3 + 336, n3 - 336);
  assert_int_equal(sgxra_aes128_cmac(w.cx, s.keys.smk, bad + 16, n3 - 16, bad),
                   SGXRA_OK);
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, bad, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_BINDING, NULL);
  /* ... and without SMK the swap fails the MAC */
  s = base;
  memcpy(bad, m3, 336);
  memcpy(bad + 336, o3 + 336, n3 - 336);
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, bad, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_MAC, NULL);
  /* the other session's own msg3 on this session: Ga differs */
  s = base;
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, o3, on3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_GA_MISMATCH, NULL);
  free(o3);
  world_close(&w2);
  /* expired: at expiry still fine, one second later refused */
  s = base;
  assert_err(w.cx,
             sgxra_ra_sp_msg3(w.cx, &s, m3, n3, NOW + TTL + 1, &q, &qn, NULL),
             SGXRA_E_RA_EXPIRED, "after the RA session expired");
  assert_int_equal(s.state, SGXRA_RA_SP_FAILED);
  s = base;
  assert_int_equal(sgxra_ra_sp_msg3(w.cx, &s, m3, n3, NOW + TTL, &q, &qn, NULL),
                   SGXRA_OK);
  /* replayed on the same state */
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, m3, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_REPLAY, "already");
  assert_int_equal(s.state, SGXRA_RA_SP_FAILED);
  /* after a failure, nothing */
  assert_err(w.cx, sgxra_ra_sp_msg3(w.cx, &s, m3, n3, NOW, &q, &qn, NULL),
             SGXRA_E_RA_STATE, "state failed");
  free(bad);
  free(m3);
  world_close(&w);
}

/* Order and time on the SP side; msg1 refusals. */
static void test_sp_order(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_p256_key *sp = key_from("sp_private"), *a = key_from("ga_private");
  uint8_t m0[4] = {0}, m1[68], m2[168], zero[64] = {0};
  sgxra_ra_msg1 q = {.gid = 0};
  sgxra_ra_public_to_wire(a, q.g_a);
  sgxra_ra_msg1_encode(&q, m1);
  sgxra_ra_sp_session s, base;
  const uint8_t *qq;
  size_t qn;
  uint8_t *m4;
  size_t n4;
  assert_int_equal(sgxra_ra_sp_begin(cx, m0, 4, NULL, NOW, TTL, 3, &base),
                   SGXRA_OK);
  /* two sessions get different ids */
  assert_int_equal(sgxra_ra_sp_begin(cx, m0, 4, NULL, NOW, TTL, 3, &s),
                   SGXRA_OK);
  assert_memory_not_equal(s.id, base.id, 16);
  /* msg3 before msg1 */
  s = base;
  assert_err(cx, sgxra_ra_sp_msg3(cx, &s, m2, 168, NOW, &qq, &qn, NULL),
             SGXRA_E_RA_STATE, "msg3 arrived in state wait_msg1");
  /* msg4 before msg3 */
  s = base;
  sgxra_decision d;
  memset(&d, 0, sizeof d);
  d.trusted = 1;
  assert_err(cx, sgxra_ra_sp_msg4(cx, &s, &d, NULL, 0, &m4, &n4),
             SGXRA_E_RA_STATE, "msg4 requested in state wait_msg1");
  /* msg1 twice */
  s = base;
  assert_int_equal(sgxra_ra_sp_msg1(cx, &s, sp, NULL, m1, 68, NOW, m2),
                   SGXRA_OK);
  assert_err(cx, sgxra_ra_sp_msg1(cx, &s, sp, NULL, m1, 68, NOW, m2),
             SGXRA_E_RA_STATE, "msg1 arrived in state wait_msg3");
  assert_int_equal(s.state, SGXRA_RA_SP_FAILED);
  assert_memory_equal(s.keys.smk, zero, 16); /* wiped */
  /* expired msg1 */
  s = base;
  assert_err(cx, sgxra_ra_sp_msg1(cx, &s, sp, NULL, m1, 68, NOW + TTL + 5, m2),
             SGXRA_E_RA_EXPIRED, "arrived 5 s after");
  /* Ga not on the curve, wrong size, GID */
  s = base;
  uint8_t bad[69];
  memcpy(bad, m1, 68);
  memset(bad, 0, 64);
  assert_err(cx, sgxra_ra_sp_msg1(cx, &s, sp, NULL, bad, 68, NOW, m2),
             SGXRA_E_RA_MESSAGE, "msg1 Ga is not a P-256 point");
  s = base;
  assert_err(cx, sgxra_ra_sp_msg1(cx, &s, sp, NULL, m1, 67, NOW, m2),
             SGXRA_E_RA_MESSAGE, "msg1 has 67 bytes");
  s = base;
  memcpy(bad, m1, 68);
  bad[64] = 1;
  assert_err(cx, sgxra_ra_sp_msg1(cx, &s, sp, NULL, bad, 68, NOW, m2),
             SGXRA_E_RA_GROUP, NULL);
  /* begin refusals */
  m0[0] = 1;
  assert_err(cx, sgxra_ra_sp_begin(cx, m0, 4, NULL, NOW, TTL, 3, &s),
             SGXRA_E_RA_GROUP, NULL);
  m0[0] = 0;
  assert_int_equal(sgxra_ra_sp_begin(cx, m0, 4, NULL, NOW, 0, 3, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_ra_sp_begin(cx, m0, 4, NULL, NOW, TTL, 5, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  /* a given id is kept */
  uint8_t id[16];
  memset(id, 0xee, 16);
  assert_int_equal(sgxra_ra_sp_begin(cx, m0, 4, id, NOW, TTL, 3, &s), SGXRA_OK);
  assert_memory_equal(s.id, id, 16);
  assert_string_equal(sgxra_ra_sp_state_name(SGXRA_RA_SP_APPRAISE), "appraise");
  assert_string_equal(sgxra_ra_sp_state_name(99), "unknown");
  /* fail() wipes */
  s = base;
  assert_int_equal(sgxra_ra_sp_msg1(cx, &s, sp, NULL, m1, 68, NOW, m2),
                   SGXRA_OK);
  sgxra_ra_sp_fail(&s);
  assert_int_equal(s.state, SGXRA_RA_SP_FAILED);
  assert_memory_equal(s.binding, zero, 64);
  sgxra_p256_free(sp);
  sgxra_p256_free(a);
  sgxra_ctx_free(cx);
}

/* msg4: tampering seen by the client, unique IVs, the secret's cap. */
static void test_msg4(void **state) {
  (void)state;
  world w;
  world_open(&w, NULL);
  uint8_t *m3 = NULL, *m4 = NULL, *m4b = NULL;
  size_t n3 = 0, n4 = 0, n4b = 0;
  run_to_msg3(&w, &m3, &n3);
  const uint8_t *q;
  size_t qn;
  assert_int_equal(sgxra_ra_sp_msg3(w.cx, &w.s, m3, n3, NOW, &q, &qn, NULL),
                   SGXRA_OK);
  sgxra_ra_sp_session copy = w.s;
  sgxra_decision d;
  memset(&d, 0, sizeof d);
  d.trusted = 1;
  /* too large a secret */
  uint8_t *huge = calloc(1, SGXRA_RA_SECRET_MAX + 1);
  sgxra_ra_sp_session t = copy;
  assert_err(
      w.cx,
      sgxra_ra_sp_msg4(w.cx, &t, &d, huge, SGXRA_RA_SECRET_MAX + 1, &m4, &n4),
      SGXRA_E_TOO_LARGE, NULL);
  t = copy;
  assert_int_equal(
      sgxra_ra_sp_msg4(w.cx, &t, &d, huge, SGXRA_RA_SECRET_MAX, &m4, &n4),
      SGXRA_OK);
  assert_int_equal(n4, SGXRA_RA_MSG4_MAX_SIZE - 48);
  sgxra_ra_msg4 h;
  assert_int_equal(sgxra_ra_msg4_parse(w.cx, m4, n4, &h), SGXRA_OK);
  free(m4);
  free(huge);
  /* two msg4 of one state: different IVs and ciphertexts */
  assert_int_equal(
      sgxra_ra_sp_msg4(w.cx, &w.s, &d, SECRET, sizeof SECRET, &m4, &n4),
      SGXRA_OK);
  t = copy;
  assert_int_equal(
      sgxra_ra_sp_msg4(w.cx, &t, &d, SECRET, sizeof SECRET, &m4b, &n4b),
      SGXRA_OK);
  assert_int_equal(n4, n4b);
  assert_memory_not_equal(m4 + 12, m4b + 12, 12); /* iv at 12 */
  assert_memory_not_equal(m4 + 40, m4b + 40, sizeof SECRET);
  assert_memory_equal(m4, m4b, 12); /* the header is the same */
  /* the client refuses every altered byte */
  uint8_t *bad = malloc(n4);
  for (size_t i = 0; i < n4; i++) {
    /* what the enclave does, with this session's keys */
    sgxra_ra_msg4 p;
    uint8_t *sec = NULL;
    size_t sl = 0;
    memcpy(bad, m4, n4);
    bad[i] ^= 0x04;
    sgxra_err e = sgxra_ra_msg4_open(w.cx, &copy.keys, bad, n4, &p, &sec, &sl);
    if (e != SGXRA_E_RA_MAC && e != SGXRA_E_RA_MESSAGE)
      fail_msg("msg4 byte %zu altered: %s", i, sgxra_err_name(e));
    assert_null(sec);
  }
  /* through the client: a MAC byte */
  memcpy(bad, m4, n4);
  bad[n4 - 1] ^= 1;
  sgxra_ra_result r;
  assert_err(w.cx, sgxra_ra_client_msg4(w.cx, w.cl, bad, n4, &r),
             SGXRA_E_RA_MAC, "enclave msg4: msg4 MAC does not verify");
  assert_null(r.sealed);
  /* the client has failed: the good msg4 is refused now */
  assert_err(w.cx, sgxra_ra_client_msg4(w.cx, w.cl, m4, n4, &r),
             SGXRA_E_RA_STATE, NULL);
  free(bad);
  free(m3);
  free(m4);
  free(m4b);
  world_close(&w);
}

/* The client: order, msg2 refusals (a man in the middle swapping Gb), a
 * quote that does not carry the enclave's REPORT. */
static void test_client(void **state) {
  (void)state;
  world w;
  uint8_t m0[4], m1[68], m2[168], bad[168];
  uint8_t *m3 = NULL;
  size_t n3 = 0;
  /* out of order */
  world_open(&w, NULL);
  assert_err(w.cx, sgxra_ra_client_msg1(w.cx, w.cl, m1), SGXRA_E_RA_STATE,
             "msg1 out of order");
  assert_err(w.cx, sgxra_ra_client_msg0(w.cx, w.cl, m0), SGXRA_E_RA_STATE,
             "at \"failed\"");
  world_close(&w);
  world_open(&w, NULL);
  assert_int_equal(sgxra_ra_client_msg0(w.cx, w.cl, m0), SGXRA_OK);
  assert_err(w.cx, sgxra_ra_client_msg2(w.cx, w.cl, m2, 168, &m3, &n3),
             SGXRA_E_RA_STATE, NULL);
  world_close(&w);

  /* msg2 altered on the way: each is refused by the enclave */
  struct {
    size_t off;
    sgxra_err code;
  } cases[] = {{0, SGXRA_E_RA_SIGNATURE},   /* Gb swapped */
               {70, SGXRA_E_RA_SIGNATURE},  /* SPID */
               {100, SGXRA_E_RA_SIGNATURE}, /* signature */
               {150, SGXRA_E_RA_MAC},       /* MAC */
               {82, SGXRA_E_RA_GROUP}};     /* KDF id */
  for (size_t i = 0; i <= ARRAY_LEN(cases); i++) {
    world_open(&w, NULL);
    assert_int_equal(sgxra_ra_client_msg0(w.cx, w.cl, m0), SGXRA_OK);
    assert_int_equal(sgxra_ra_sp_begin(w.cx, m0, 4, NULL, NOW, TTL, 3, &w.s),
                     SGXRA_OK);
    assert_int_equal(sgxra_ra_client_msg1(w.cx, w.cl, m1), SGXRA_OK);
    assert_int_equal(sgxra_ra_sp_msg1(w.cx, &w.s, w.sp, NULL, m1, 68, NOW, m2),
                     SGXRA_OK);
    memcpy(bad, m2, 168);
    if (i == ARRAY_LEN(cases)) {
      /* a whole new Gb with a signature by another key */
      sgxra_p256_key *mitm = NULL, *mb = NULL;
      assert_int_equal(sgxra_p256_generate(w.cx, &mitm), SGXRA_OK);
      assert_int_equal(sgxra_p256_generate(w.cx, &mb), SGXRA_OK);
      sgxra_ra_public_to_wire(mb, bad);
      assert_int_equal(sgxra__ra_sign_gb_ga(w.cx, mitm, bad, m1, bad + 84),
                       SGXRA_OK);
      assert_err(w.cx, sgxra_ra_client_msg2(w.cx, w.cl, bad, 168, &m3, &n3),
                 SGXRA_E_RA_SIGNATURE, "enclave msg2");
      sgxra_p256_free(mitm);
      sgxra_p256_free(mb);
    } else {
      bad[cases[i].off] ^= 2;
      assert_err(w.cx, sgxra_ra_client_msg2(w.cx, w.cl, bad, 168, &m3, &n3),
                 cases[i].code, NULL);
    }
    assert_null(m3);
    assert_int_equal(w.qe.calls, 0);
    world_close(&w);
  }
  /* truncated msg2 */
  world_open(&w, NULL);
  assert_int_equal(sgxra_ra_client_msg0(w.cx, w.cl, m0), SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg1(w.cx, w.cl, m1), SGXRA_OK);
  assert_err(w.cx, sgxra_ra_client_msg2(w.cx, w.cl, m2, 167, &m3, &n3),
             SGXRA_E_RA_MESSAGE,
             "msg2 truncated: 167 bytes, the fixed part needs 168");
  world_close(&w);
  /* the quote does not carry the REPORT */
  world_open(&w, NULL);
  w.qe.corrupt_reportdata = 1;
  assert_int_equal(sgxra_ra_client_msg0(w.cx, w.cl, m0), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_begin(w.cx, m0, 4, NULL, NOW, TTL, 3, &w.s),
                   SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg1(w.cx, w.cl, m1), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_msg1(w.cx, &w.s, w.sp, NULL, m1, 68, NOW, m2),
                   SGXRA_OK);
  assert_err(w.cx, sgxra_ra_client_msg2(w.cx, w.cl, m2, 168, &m3, &n3),
             SGXRA_E_RA_ENCLAVE, "does not carry the REPORT");
  world_close(&w);
  /* the enclave pins another SP key */
  world_open(&w, NULL);
  sgxra_p256_key *other = NULL;
  assert_int_equal(sgxra_p256_generate(w.cx, &other), SGXRA_OK);
  sgxra_ra_soft_enclave *e2 = NULL;
  sgxra_ra_soft_enclave_options o = {.sp_public = other};
  assert_int_equal(sgxra_ra_soft_enclave_new(w.cx, &o, &e2), SGXRA_OK);
  sgxra_ra_client_ops ops = w.ops;
  sgxra_ra_soft_enclave_ops(e2, &ops);
  sgxra_ra_client *c2 = NULL;
  assert_int_equal(sgxra_ra_client_new(w.cx, &ops, &c2), SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg0(w.cx, c2, m0), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_begin(w.cx, m0, 4, NULL, NOW, TTL, 3, &w.s),
                   SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg1(w.cx, c2, m1), SGXRA_OK);
  assert_int_equal(sgxra_ra_sp_msg1(w.cx, &w.s, w.sp, NULL, m1, 68, NOW, m2),
                   SGXRA_OK);
  assert_err(w.cx, sgxra_ra_client_msg2(w.cx, c2, m2, 168, &m3, &n3),
             SGXRA_E_RA_SIGNATURE, "pinned SP key");
  sgxra_ra_client_free(c2);
  sgxra_ra_soft_enclave_free(e2);
  sgxra_p256_free(other);
  /* missing callbacks */
  ops.quote = NULL;
  assert_int_equal(sgxra_ra_client_new(w.cx, &ops, &c2),
                   SGXRA_E_INVALID_ARGUMENT);
  world_close(&w);
}

/* The software enclave's slots: many sessions at once, then full. */
static void test_soft_slots(void **state) {
  (void)state;
  world w;
  world_open(&w, NULL);
  uint32_t h[SGXRA_RA_SOFT_ENCLAVE_SLOTS + 1];
  uint8_t m1[68];
  for (int i = 0; i < SGXRA_RA_SOFT_ENCLAVE_SLOTS; i++)
    assert_int_equal(w.ops.msg1(w.cx, w.ops.enclave_user, &h[i], m1), SGXRA_OK);
  assert_err(w.cx, w.ops.msg1(w.cx, w.ops.enclave_user, &h[16], m1),
             SGXRA_E_RA_ENCLAVE, "all 16 session slots");
  w.ops.close(w.ops.enclave_user, h[3]);
  assert_int_equal(w.ops.msg1(w.cx, w.ops.enclave_user, &h[16], m1), SGXRA_OK);
  assert_int_equal(h[16], h[3]);
  uint8_t ti[512], rep[432];
  assert_err(w.cx, w.ops.msg2(w.cx, w.ops.enclave_user, 999, ti, m1, 68, rep),
             SGXRA_E_RA_ENCLAVE, "no session with handle 999");
  /* fixed Ga: msg1 is the known answer */
  sgxra_ra_soft_enclave *e2 = NULL;
  uint8_t a[32], want[64];
  kat("ga_private", a, 32);
  sgxra_ra_soft_enclave_options o = {.sp_public = w.sp, .ga_private = a};
  assert_int_equal(sgxra_ra_soft_enclave_new(w.cx, &o, &e2), SGXRA_OK);
  sgxra_ra_client_ops ops;
  memset(&ops, 0, sizeof ops);
  sgxra_ra_soft_enclave_ops(e2, &ops);
  uint32_t hh;
  assert_int_equal(ops.msg1(w.cx, e2, &hh, m1), SGXRA_OK);
  kat("ga_wire", want, 64);
  assert_memory_equal(m1, want, 64);
  sgxra_ra_soft_enclave_free(e2);
  world_close(&w);
}

static int teardown(void **state) {
  (void)state;
  free(kat_text);
  kat_text = NULL;
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kat_wire),
      cmocka_unit_test(test_kat_kdf),
      cmocka_unit_test(test_kat_msg2_check),
      cmocka_unit_test(test_kat_sp_msg2),
      cmocka_unit_test(test_kat_msg4),
      cmocka_unit_test(test_parsers),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_refused_decision),
      cmocka_unit_test(test_session_seal),
      cmocka_unit_test(test_msg3_refusals),
      cmocka_unit_test(test_sp_order),
      cmocka_unit_test(test_msg4),
      cmocka_unit_test(test_client),
      cmocka_unit_test(test_soft_slots),
  };
  return cmocka_run_group_tests(tests, NULL, teardown);
}
