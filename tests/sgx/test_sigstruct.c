/* Tests of sgxra/sigstruct.h against the identity vectors (values from
 * ../shared/vectors/README.md): decode, MRSIGNER, verify, byte-exact
 * signing of three references, and one precise error per damage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "common/testutil.h"
#include "sgxra/sigstruct.h"

#define ENCL_SS "identity/enarx-sgx/encl.ss"
#define ENCL_PEM "identity/enarx-sgx/encl.pem"
#define TEST_SIG "identity/fortanix-rust-sgx/test_enclave.sig"
#define SIG1 "identity/fortanix-rust-sgx/sig1.sigstruct.bin"
#define SIG1_KEY "identity/fortanix-rust-sgx/sig1.key.pem"
#define LEXE "identity/lexe/test_vectors_ref_sigstruct.bin"
#define LEXE_KEY "identity/lexe/test_vectors_key.pkcs8.der"
#define LE_CSS "identity/intel-linux-sgx/le_prod_css_1.5_initial.bin"
#define PCE_CSS "identity/intel-pce/pce_sigstruct.bin"
#define TEST_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Decode a vector SIGSTRUCT, check it verifies and return it. */
static void load(const char *rel, sgxra_sigstruct *s, uint8_t **raw) {
  size_t n;
  uint8_t *p = tu_read_vector(rel, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(n, SGXRA_SIGSTRUCT_SIZE);
  assert_int_equal(sgxra_sigstruct_decode(cx, p, n, s), SGXRA_OK);
  sgxra_err e = sgxra_sigstruct_verify(cx, s);
  if (e) fail_msg("%s: %s", rel, sgxra_ctx_message(cx));
  uint8_t enc[SGXRA_SIGSTRUCT_SIZE];
  sgxra_sigstruct_encode(s, enc);
  assert_memory_equal(enc, p, SGXRA_SIGSTRUCT_SIZE);
  sgxra_ctx_free(cx);
  if (raw)
    *raw = p;
  else
    free(p);
}

static void assert_mrsigner(const sgxra_sigstruct *s, const char *hex,
                            int debug) {
  uint8_t m[32];
  const char *name = "x";
  assert_int_equal(sgxra_sigstruct_mrsigner(NULL, s, m), SGXRA_OK);
  tu_assert_hex(m, 32, hex);
  assert_int_equal(sgxra_mrsigner_is_debug_key(m, &name), debug);
  if (debug)
    assert_non_null(name);
  else
    assert_null(name);
}

static void test_encl_ss(void **state) {
  (void)state;
  sgxra_sigstruct s;
  load(ENCL_SS, &s, NULL);
  tu_assert_hex(
      s.enclavehash, 32,
      "b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0");
  assert_mrsigner(
      &s, "2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4",
      1);
  assert_int_equal(s.vendor, 0);
  assert_int_equal(s.date, 0);
  assert_int_equal(s.attributes.flags, 0x4);
  assert_int_equal(s.attributes.xfrm, 0x3);
  assert_int_equal(s.attributemask.flags, 0);
  assert_int_equal(s.attributemask.xfrm, 0);
  assert_int_equal(s.miscselect, 0);
  assert_int_equal(s.miscmask, 0);
  assert_int_equal(s.isvprodid, 0);
  assert_int_equal(s.isvsvn, 0);
  assert_int_equal(s.exponent, 3);
}

static void test_fortanix_test_enclave(void **state) {
  (void)state;
  sgxra_sigstruct s;
  load(TEST_SIG, &s, NULL);
  tu_assert_hex(
      s.enclavehash, 32,
      "784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc");
  /* Fortanix's signer: in Intel's launch whitelist, not a public key. */
  assert_mrsigner(
      &s, "fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542",
      0);
  assert_int_equal(s.date, 0x20161214);
  assert_int_equal(s.attributes.flags, 0x4);
  assert_int_equal(s.attributes.xfrm, 0x3);
  assert_true(s.attributemask.flags == 0xfffffffffffffffdULL);
  assert_true(s.attributemask.xfrm == 0xffffffffffffff1bULL);
  assert_int_equal(s.miscmask, 0xffffffff);
  assert_int_equal(s.isvprodid, 0xffff);
  assert_int_equal(s.isvsvn, 0);
}

static void test_sig1(void **state) {
  (void)state;
  sgxra_sigstruct s;
  load(SIG1, &s, NULL);
  tu_assert_hex(
      s.enclavehash, 32,
      "c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d");
  assert_mrsigner(
      &s, "83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e",
      1);
  assert_int_equal(s.date, 0x20160109);
  assert_int_equal(s.vendor, 0);
  assert_int_equal(s.attributes.flags, 0x4);
  assert_int_equal(s.attributes.xfrm, 0x3);
  assert_true(s.attributemask.flags == 0xfffffffffffffffdULL);
  assert_true(s.attributemask.xfrm == 0xffffffffffffff1bULL);
  assert_int_equal(s.miscselect, 0);
  assert_int_equal(s.miscmask, 0xffffffff);
  assert_int_equal(s.isvprodid, 0);
  assert_int_equal(s.isvsvn, 0);
  /* The raw RSA known answers use the same key: same LE modulus. */
  size_t n;
  uint8_t *v = tu_read_vector("identity/fortanix-rust-sgx/sig1.key_n.bin", &n);
  assert_int_equal(n, 384);
  assert_memory_equal(v, s.modulus, 384);
  free(v);
}

static void test_lexe(void **state) {
  (void)state;
  sgxra_sigstruct s;
  load(LEXE, &s, NULL);
  uint8_t h[32];
  memset(h, 0x69, 32);
  assert_memory_equal(s.enclavehash, h, 32);
  assert_mrsigner(
      &s, "55663a16f3d9c2890ff4c5bb35ad92984c6ce39a17b83f1614800376f2f1dc0d",
      1);
  assert_int_equal(s.date, 0x20240304);
  assert_int_equal(s.vendor, 0);
  assert_int_equal(s.attributes.flags, 0x4);
  assert_int_equal(s.attributes.xfrm, 0xe7);
  assert_int_equal(s.attributemask.flags, 0x7);
  assert_int_equal(s.attributemask.xfrm, 0xe7);
  assert_int_equal(s.miscselect, 0);
  assert_int_equal(s.miscmask, 0);
  assert_int_equal(s.isvprodid, 0);
  assert_int_equal(s.isvsvn, 0);
}

static void test_intel_le(void **state) {
  (void)state;
  sgxra_sigstruct s;
  load(LE_CSS, &s, NULL);
  assert_mrsigner(
      &s, "acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4",
      0);
  assert_int_equal(s.vendor, 0x8086);
  assert_int_equal(s.swdefined, 0x10);
  assert_int_equal(s.attributes.flags, 0x24);
  assert_int_equal(s.attributes.xfrm, 0x3);
  assert_int_equal(s.isvprodid, 0x20);
  assert_int_equal(s.isvsvn, 1);
  assert_int_equal(s.date, 0x20150724);
  tu_assert_hex(
      s.enclavehash, 32,
      "3fb6238206b19c8e3b24ded8cacc9dd9428372898e34cd2da4a5166ecfb16f74");
}

static void test_intel_pce(void **state) {
  (void)state;
  sgxra_sigstruct s;
  load(PCE_CSS, &s, NULL);
  assert_mrsigner(
      &s, "c54a62f2be9ef76efb1f3930ad81ea7f60defc1f5f25e09b7c067a815ae0c6cb",
      0);
  tu_assert_hex(
      s.enclavehash, 32,
      "03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578");
  assert_int_equal(s.vendor, 0x8086);
  assert_int_equal(s.isvprodid, 1);
  assert_int_equal(s.isvsvn, 16);
  assert_int_equal(s.attributes.flags, 0x14);
  assert_int_equal(s.attributes.xfrm, 0x3);
}

/* ---- signing reproduces the references byte for byte ------------------ */

static sgxra_rsa_key *load_key(const char *rel) {
  size_t n;
  uint8_t *p = tu_read_vector(rel, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_rsa_key *k = NULL;
  if (sgxra_rsa_load_private(cx, p, n, &k) != SGXRA_OK)
    fail_msg("%s: %s", rel, sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  free(p);
  return k;
}

static void sign_and_compare(const char *keyrel, const char *refrel,
                             const sgxra_sigstruct_params *p) {
  sgxra_rsa_key *k = load_key(keyrel);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sigstruct s;
  if (sgxra_sigstruct_sign(cx, k, p, &s) != SGXRA_OK)
    fail_msg("%s: %s", refrel, sgxra_ctx_message(cx));
  uint8_t out[SGXRA_SIGSTRUCT_SIZE];
  sgxra_sigstruct_encode(&s, out);
  size_t n;
  uint8_t *ref = tu_read_vector(refrel, &n);
  assert_int_equal(n, SGXRA_SIGSTRUCT_SIZE);
  for (size_t i = 0; i < n; i++)
    if (out[i] != ref[i])
      fail_msg("%s: first difference at byte %zu", refrel, i);
  assert_int_equal(sgxra_sigstruct_verify(cx, &s), SGXRA_OK);
  free(ref);
  sgxra_ctx_free(cx);
  sgxra_rsa_free(k);
}

static void test_sign_encl_ss(void **state) {
  (void)state;
  sgxra_sigstruct_params p;
  sgxra_sigstruct_params_default(&p);
  tu_hex("b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0",
         p.enclavehash, 32);
  p.attributemask.flags = 0;
  p.attributemask.xfrm = 0;
  p.miscmask = 0;
  /* mask 0 leaves DEBUG free: refused unless allowed */
  sgxra_rsa_key *k = load_key(ENCL_PEM);
  sgxra_sigstruct s;
  memset(&s, 0xaa, sizeof s);
  assert_int_equal(sgxra_sigstruct_sign(NULL, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN);
  uint8_t z[sizeof s];
  memset(z, 0, sizeof z);
  assert_memory_equal(&s, z, sizeof s);
  sgxra_rsa_free(k);
  p.allow_debug = 1;
  sign_and_compare(ENCL_PEM, ENCL_SS, &p);
}

static void test_sign_sig1(void **state) {
  (void)state;
  sgxra_sigstruct_params p;
  sgxra_sigstruct_params_default(&p);
  tu_hex("c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d",
         p.enclavehash, 32);
  p.date = 0x20160109;
  p.attributemask.flags = 0xfffffffffffffffdULL;
  p.allow_debug = 1;
  sign_and_compare(SIG1_KEY, SIG1, &p);
}

static void test_sign_lexe(void **state) {
  (void)state;
  sgxra_sigstruct_params p;
  sgxra_sigstruct_params_default(&p);
  memset(p.enclavehash, 0x69, 32);
  p.date = 0x20240304;
  p.attributes.xfrm = 0xe7;
  p.attributemask.flags = 0x7; /* DEBUG enforced: production */
  p.attributemask.xfrm = 0xe7;
  p.miscmask = 0;
  sign_and_compare(LEXE_KEY, LEXE, &p); /* no allow_debug needed */
}

static void test_sign_refusals(void **state) {
  (void)state;
  sgxra_rsa_key *k = load_key(LEXE_KEY);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sigstruct_params p;
  sgxra_sigstruct s;

  sgxra_sigstruct_params_default(&p);
  assert_true(p.attributemask.flags & SGXRA_ATTR_DEBUG);
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s), SGXRA_OK);
  assert_int_equal(sgxra_sigstruct_verify(cx, &s), SGXRA_OK);
  assert_true(s.attributemask.flags == 0xffffffffffffffffULL);

  p.attributes.flags |= SGXRA_ATTR_DEBUG;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN);
  p.allow_debug = 1;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s), SGXRA_OK);
  assert_int_equal(s.attributes.flags, 0x6);

  sgxra_sigstruct_params_default(&p);
  p.vendor = 0x1234;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_FIELD);
  p.vendor = 0x8086;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s), SGXRA_OK);
  p.date = 0x2024130a;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_FIELD);
  /* BCD digits, but no month 13, month 0 or day 0 (SDM: mm 1-12, dd 1-31) */
  static const uint32_t bad_dates[] = {0x20241301, 0x20240001, 0x20240100,
                                       0x20240132, 0x00000001};
  for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
    p.date = bad_dates[i];
    assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                     SGXRA_E_SIGSTRUCT_FIELD);
  }
  assert_non_null(strstr(sgxra_ctx_message(cx), "month 01..12"));
  p.date = 0x20240229;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s), SGXRA_OK);
  /* values no enclave could launch with (EINIT/ECREATE would refuse) */
  sgxra_sigstruct_params_default(&p);
  p.attributes.flags |= SGXRA_ATTR_INIT;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_FIELD);
  assert_non_null(strstr(sgxra_ctx_message(cx), "sets INIT"));
  p.attributemask.flags &= ~SGXRA_ATTR_INIT; /* not enforced: harmless */
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s), SGXRA_OK);
  sgxra_sigstruct_params_default(&p);
  p.attributes.xfrm = 0x1;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_FIELD);
  assert_non_null(strstr(sgxra_ctx_message(cx), "x87/SSE"));
  sgxra_sigstruct_params_default(&p);
  p.isvfamilyid[15] = 1;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_FIELD);
  assert_non_null(strstr(sgxra_ctx_message(cx), "ISVFAMILYID"));
  p.attributes.flags |= SGXRA_ATTR_KSS;
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s), SGXRA_OK);

  sgxra_sigstruct_params_default(&p);
  p.date = 0x20241231;
  p.attributes.flags |= 0x8; /* reserved bit */
  assert_int_equal(sgxra_sigstruct_sign(cx, k, &p, &s),
                   SGXRA_E_SIGSTRUCT_FIELD);
  assert_int_equal(sgxra_sigstruct_sign(cx, NULL, &p, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
  sgxra_rsa_free(k);
}

/* ---- damage: one precise code per region -------------------------------- */

static sgxra_err verify_bytes(sgxra_ctx *cx, const uint8_t *p) {
  sgxra_sigstruct s;
  sgxra_err e = sgxra_sigstruct_decode(cx, p, SGXRA_SIGSTRUCT_SIZE, &s);
  if (e) return e;
  return sgxra_sigstruct_verify(cx, &s);
}

static void test_sizes(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_vector(LE_CSS, &n);
  uint8_t *big = malloc(SGXRA_SIGSTRUCT_SIZE + 1);
  memcpy(big, p, SGXRA_SIGSTRUCT_SIZE);
  big[SGXRA_SIGSTRUCT_SIZE] = 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t len = 0; len <= SGXRA_SIGSTRUCT_SIZE + 1; len++) {
    sgxra_sigstruct s;
    memset(&s, 0x77, sizeof s);
    sgxra_err e = sgxra_sigstruct_decode(cx, big, len, &s);
    if (len == SGXRA_SIGSTRUCT_SIZE) {
      assert_int_equal(e, SGXRA_OK);
      continue;
    }
    assert_int_equal(e, SGXRA_E_SGX_SIZE);
    for (size_t i = 0; i < sizeof s; i++)
      assert_int_equal(((uint8_t *)&s)[i], 0);
  }
  sgxra_sigstruct s;
  assert_int_equal(sgxra_sigstruct_decode(cx, big, 1809, &s), SGXRA_E_SGX_SIZE);
  assert_string_equal(sgxra_ctx_message(cx),
                      "SIGSTRUCT must be 1808 bytes, got 1809 (trailing "
                      "data?)");
  sgxra_ctx_free(cx);
  free(big);
  free(p);
}

static void test_flips(void **state) {
  (void)state;
  size_t n;
  uint8_t *ref = tu_read_vector(PCE_CSS, &n);
  uint8_t buf[SGXRA_SIGSTRUCT_SIZE];
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(verify_bytes(cx, ref), SGXRA_OK);
  for (size_t i = 0; i < SGXRA_SIGSTRUCT_SIZE; i++) {
    sgxra_err want;
    /* EINIT checks HEADER, VENDOR, HEADER2, EXPONENT and that all reserved
     * space is zero (SGX_INVALID_SIG_STRUCT) before the signature. */
    if (i < 16 || (i >= 24 && i < 40))
      want = SGXRA_E_SIGSTRUCT_HEADER; /* HEADER, HEADER2 */
    else if (i < 20)
      want = SGXRA_E_SIGSTRUCT_FIELD; /* VENDOR 0x8086 -> 0x8082 etc. */
    else if ((i >= 44 && i < 128) || (i >= 910 && i < 912) ||
             (i >= 992 && i < 1008) || (i >= 1028 && i < 1040))
      want = SGXRA_E_SGX_RESERVED; /* signed or not ([1028,1040)) */
    else if (i < 512)
      want = SGXRA_E_SIGSTRUCT_SIGNATURE; /* signed header part, MODULUS */
    else if (i < 516)
      want = SGXRA_E_SIGSTRUCT_EXPONENT;
    else if (i < 1028)
      want = SGXRA_E_SIGSTRUCT_SIGNATURE; /* SIGNATURE, signed body */
    else
      want = SGXRA_E_SIGSTRUCT_Q1Q2;
    /* every byte of the small regions, a stride through the big ones */
    if (i >= 128 && i < 512 && i % 7) continue;
    if (i >= 516 && i < 900 && i % 7) continue;
    if (i >= 1040 && i % 11 && i != 1807) continue;
    memcpy(buf, ref, sizeof buf);
    buf[i] ^= 0x04;
    sgxra_err got = verify_bytes(cx, buf);
    if (got != want)
      fail_msg("flip at byte %zu: got %s, want %s (%s)", i, sgxra_err_name(got),
               sgxra_err_name(want), sgxra_ctx_message(cx));
  }
  /* exponent 65537 and 0 */
  memcpy(buf, ref, sizeof buf);
  buf[512] = 0x01;
  buf[514] = 0x01;
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_EXPONENT);
  assert_string_equal(sgxra_ctx_message(cx),
                      "SIGSTRUCT EXPONENT (offset 512) is 65537, SGX "
                      "requires 3");
  memset(buf + 512, 0, 4);
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_EXPONENT);
  /* VENDOR 0 is allowed by EINIT, but signed: the signature then fails */
  memcpy(buf, ref, sizeof buf);
  memset(buf + 16, 0, 4);
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_SIGNATURE);
  buf[17] = 0x90;
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_FIELD);
  assert_string_equal(sgxra_ctx_message(cx),
                      "SIGSTRUCT VENDOR (offset 16) is 0x9000, must be 0 (any "
                      "ISV) or 0x8086 (Intel): EINIT refuses it");
  /* the unsigned reserved bytes [1028,1040) must be zero too */
  memcpy(buf, ref, sizeof buf);
  buf[1039] = 0x80;
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SGX_RESERVED);
  assert_string_equal(sgxra_ctx_message(cx),
                      "SIGSTRUCT reserved byte at offset 1039 is 0x80, must "
                      "be zero (reserved field [1028,1040)): EINIT refuses it");
  /* the header test file detection uses: any length from 16 bytes */
  assert_true(sgxra_sigstruct_has_header(ref, 16));
  assert_true(sgxra_sigstruct_has_header(ref, SGXRA_SIGSTRUCT_SIZE + 1));
  assert_false(sgxra_sigstruct_has_header(ref, 15));
  assert_false(sgxra_sigstruct_has_header(NULL, 0));
  memcpy(buf, ref, sizeof buf);
  buf[10] ^= 1;
  assert_false(sgxra_sigstruct_has_header(buf, sizeof buf));
  /* an all-zero structure is not a SIGSTRUCT */
  memset(buf, 0, sizeof buf);
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_HEADER);
  /* the signature of another SIGSTRUCT with the same key */
  uint8_t *le = tu_read_vector(LE_CSS, &n);
  memcpy(buf, ref, sizeof buf);
  memcpy(buf + 516, le + 516, 384);
  assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_SIGNATURE);
  free(le);
  sgxra_ctx_free(cx);
  free(ref);
}

/* Garbage with a valid header, exponent and zero reserved space: always a
 * precise refusal. */
static void test_garbage(void **state) {
  (void)state;
  size_t n;
  uint8_t *ref = tu_read_vector(PCE_CSS, &n);
  uint8_t buf[SGXRA_SIGSTRUCT_SIZE];
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (int round = 0; round < 64; round++) {
    for (size_t i = 0; i < sizeof buf; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      buf[i] = (uint8_t)x;
    }
    memcpy(buf, ref, 40);            /* HEADER, VENDOR, DATE, HEADER2 */
    memcpy(buf + 512, ref + 512, 4); /* EXPONENT 3 */
    if (round % 2) { /* garbage reserved space is refused first */
      assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SGX_RESERVED);
    }
    memset(buf + 44, 0, 84); /* reserved space zero, as EINIT requires */
    memset(buf + 910, 0, 2);
    memset(buf + 992, 0, 16);
    memset(buf + 1028, 0, 12);
    if (round == 0) memset(buf + 128, 0, 384);    /* zero modulus */
    if (round == 1) memset(buf + 516, 0xff, 384); /* signature >= n */
    if (round == 2) memset(buf + 516, 0, 384);    /* zero signature */
    assert_int_equal(verify_bytes(cx, buf), SGXRA_E_SIGSTRUCT_SIGNATURE);
  }
  sgxra_ctx_free(cx);
  free(ref);
}

static void test_debug_keys(void **state) {
  (void)state;
  uint8_t m[32];
  const char *name = NULL;
  tu_hex("83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e", m,
         32);
  assert_int_equal(sgxra_mrsigner_is_debug_key(m, &name), 1);
  assert_string_equal(name, "Intel SGX SDK sample key (Enclave_private.pem)");
  assert_int_equal(sgxra_mrsigner_is_debug_key(m, NULL), 1);
  m[31] ^= 1;
  assert_int_equal(sgxra_mrsigner_is_debug_key(m, &name), 0);
  assert_null(name);
  tu_hex("2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4", m,
         32);
  assert_int_equal(sgxra_mrsigner_is_debug_key(m, &name), 1);
  assert_string_equal(name, "Linux kernel SGX selftest key (sign_key.pem)");
  assert_int_equal(sgxra_mrsigner_is_debug_key(NULL, &name), 0);
}

/* ---- two-step signing (gendata / catsig) and public keys ----------------- */

static const uint8_t k_zero_ss[sizeof(sgxra_sigstruct)];

static void params_sig1(sgxra_sigstruct_params *p) {
  sgxra_sigstruct_params_default(p);
  tu_hex("c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d",
         p->enclavehash, 32);
  p->date = 0x20160109;
  p->attributemask.flags = 0xfffffffffffffffdULL;
  p->allow_debug = 1;
}

/* The params a SIGSTRUCT was signed with. */
static void params_of(const sgxra_sigstruct *s, sgxra_sigstruct_params *p) {
  memset(p, 0, sizeof *p);
  memcpy(p->enclavehash, s->enclavehash, 32);
  p->vendor = s->vendor;
  p->date = s->date;
  p->swdefined = s->swdefined;
  p->miscselect = s->miscselect;
  p->miscmask = s->miscmask;
  p->attributes = s->attributes;
  p->attributemask = s->attributemask;
  p->isvprodid = s->isvprodid;
  p->isvsvn = s->isvsvn;
  memcpy(p->isvfamilyid, s->isvfamilyid, 16);
  memcpy(p->isvextprodid, s->isvextprodid, 16);
  p->allow_debug = 1;
}

/* What an HSM does: PKCS#1 v1.5 SHA-256 over the 256 bytes, big-endian
 * octet string out -- with OpenSSL's EVP_DigestSign, not sgxra's code. */
static void external_sign(const char *keyrel, const uint8_t *data, size_t n,
                          uint8_t sig_be[SGXRA_RSA3072_SIZE]) {
  size_t kn;
  uint8_t *kp = tu_read_vector(keyrel, &kn);
  EVP_PKEY *pkey = NULL;
  OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(
      &pkey, NULL, NULL, "RSA", EVP_PKEY_KEYPAIR, NULL, NULL);
  const unsigned char *q = kp;
  size_t left = kn;
  assert_non_null(dc);
  assert_int_equal(OSSL_DECODER_from_data(dc, &q, &left), 1);
  OSSL_DECODER_CTX_free(dc);
  EVP_MD_CTX *mc = EVP_MD_CTX_new();
  size_t sl = SGXRA_RSA3072_SIZE;
  assert_int_equal(EVP_DigestSignInit(mc, NULL, EVP_sha256(), NULL, pkey), 1);
  assert_int_equal(EVP_DigestSign(mc, sig_be, &sl, data, n), 1);
  assert_int_equal(sl, SGXRA_RSA3072_SIZE);
  EVP_MD_CTX_free(mc);
  EVP_PKEY_free(pkey);
  free(kp);
}

/* The public half of a key file, encoded as `type` ("PEM"/"DER") and
 * `structure` ("SubjectPublicKeyInfo", "type-specific" = PKCS#1). */
static uint8_t *encode_public(EVP_PKEY *pkey, const char *type,
                              const char *structure, size_t *out_len) {
  OSSL_ENCODER_CTX *ec = OSSL_ENCODER_CTX_new_for_pkey(
      pkey, EVP_PKEY_PUBLIC_KEY, type, structure, NULL);
  unsigned char *data = NULL;
  size_t len = 0;
  assert_non_null(ec);
  assert_int_equal(OSSL_ENCODER_to_data(ec, &data, &len), 1);
  OSSL_ENCODER_CTX_free(ec);
  uint8_t *copy = malloc(len + 1);
  assert_non_null(copy);
  memcpy(copy, data, len);
  copy[len] = 0;
  OPENSSL_free(data);
  *out_len = len;
  return copy;
}

static EVP_PKEY *decode_key_file(const char *rel) {
  size_t kn;
  uint8_t *kp = tu_read_vector(rel, &kn);
  EVP_PKEY *pkey = NULL;
  OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(
      &pkey, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
  const unsigned char *q = kp;
  size_t left = kn;
  assert_int_equal(OSSL_DECODER_from_data(dc, &q, &left), 1);
  OSSL_DECODER_CTX_free(dc);
  free(kp);
  return pkey;
}

static sgxra_rsa_key *load_pub_bytes(const uint8_t *p, size_t n) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_rsa_key *k = NULL;
  if (sgxra_rsa_load_public(cx, p, n, &k) != SGXRA_OK)
    fail_msg("load_public: %s", sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  return k;
}

static sgxra_rsa_key *load_pub_vector(const char *rel) {
  size_t n;
  uint8_t *p = tu_read_vector(rel, &n);
  sgxra_rsa_key *k = load_pub_bytes(p, n);
  free(p);
  return k;
}

static void test_signing_data(void **state) {
  (void)state;
  sgxra_sigstruct_params p;
  uint8_t data[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE];
  params_sig1(&p);
  assert_int_equal(sgxra_sigstruct_signing_data(NULL, &p, data), SGXRA_OK);
  size_t n;
  uint8_t *ref = tu_read_vector(SIG1, &n);
  assert_memory_equal(data, ref, 128);
  assert_memory_equal(data + 128, ref + 900, 128);
  free(ref);
  /* and equal to the encoding of a fresh one-step signature */
  sgxra_rsa_key *k = load_key(LEXE_KEY);
  sgxra_sigstruct s;
  uint8_t enc[SGXRA_SIGSTRUCT_SIZE];
  sgxra_sigstruct_params_default(&p);
  memset(p.enclavehash, 0x5a, 32);
  p.isvprodid = 0x1234;
  p.isvsvn = 0x5678;
  p.date = 0x20261207;
  p.miscselect = 1;
  p.swdefined = 9;
  assert_int_equal(sgxra_sigstruct_sign(NULL, k, &p, &s), SGXRA_OK);
  sgxra_sigstruct_encode(&s, enc);
  assert_int_equal(sgxra_sigstruct_signing_data(NULL, &p, data), SGXRA_OK);
  assert_memory_equal(data, enc, 128);
  assert_memory_equal(data + 128, enc + 900, 128);
  /* the same field refusals as signing, output zeroed */
  sgxra_ctx *cx = sgxra_ctx_new();
  p.attributes.flags |= SGXRA_ATTR_DEBUG;
  memset(data, 0xaa, sizeof data);
  assert_int_equal(sgxra_sigstruct_signing_data(cx, &p, data),
                   SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN);
  uint8_t z[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE] = {0};
  assert_memory_equal(data, z, sizeof z);
  p.allow_debug = 1;
  p.vendor = 7;
  assert_int_equal(sgxra_sigstruct_signing_data(cx, &p, data),
                   SGXRA_E_SIGSTRUCT_FIELD);
  assert_int_equal(sgxra_sigstruct_signing_data(cx, NULL, data),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
  sgxra_rsa_free(k);
}

static void test_assemble_round_trip(void **state) {
  (void)state;
  static const char *const keys[] = {SIG1_KEY, LEXE_KEY, ENCL_PEM};
  for (size_t i = 0; i < TEST_LEN(keys); i++) {
    sgxra_sigstruct_params p;
    params_sig1(&p);
    p.isvsvn = (uint16_t)(i + 1);
    uint8_t data[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE], sig[SGXRA_RSA3072_SIZE];
    assert_int_equal(sgxra_sigstruct_signing_data(NULL, &p, data), SGXRA_OK);
    external_sign(keys[i], data, sizeof data, sig);
    sgxra_rsa_key *pub =
        load_pub_vector(keys[i]); /* private file, public half */
    sgxra_rsa_key *priv = load_key(keys[i]);
    sgxra_sigstruct a, b;
    sgxra_ctx *cx = sgxra_ctx_new();
    if (sgxra_sigstruct_assemble(cx, pub, &p, sig, &a) != SGXRA_OK)
      fail_msg("%s: %s", keys[i], sgxra_ctx_message(cx));
    assert_int_equal(sgxra_sigstruct_sign(cx, priv, &p, &b), SGXRA_OK);
    uint8_t ea[SGXRA_SIGSTRUCT_SIZE], eb[SGXRA_SIGSTRUCT_SIZE];
    sgxra_sigstruct_encode(&a, ea);
    sgxra_sigstruct_encode(&b, eb);
    assert_memory_equal(ea, eb, SGXRA_SIGSTRUCT_SIZE);
    assert_int_equal(sgxra_sigstruct_verify(cx, &a), SGXRA_OK);
    sgxra_ctx_free(cx);
    sgxra_rsa_free(pub);
    sgxra_rsa_free(priv);
  }
  /* the sig1 reference itself, from its reversed signature */
  size_t n;
  uint8_t *ref = tu_read_vector(SIG1, &n);
  uint8_t sig[SGXRA_RSA3072_SIZE], enc[SGXRA_SIGSTRUCT_SIZE];
  for (size_t i = 0; i < SGXRA_RSA3072_SIZE; i++)
    sig[i] = ref[516 + SGXRA_RSA3072_SIZE - 1 - i];
  sgxra_sigstruct_params p;
  params_sig1(&p);
  sgxra_rsa_key *pub = load_pub_vector(SIG1_KEY);
  sgxra_sigstruct s;
  assert_int_equal(sgxra_sigstruct_assemble(NULL, pub, &p, sig, &s), SGXRA_OK);
  sgxra_sigstruct_encode(&s, enc);
  assert_memory_equal(enc, ref, SGXRA_SIGSTRUCT_SIZE);
  sgxra_rsa_free(pub);
  free(ref);
}

/* A PKCS#1 RSAPublicKey DER built by hand from a little-endian modulus. */
static void pkcs1_der(const uint8_t n_le[SGXRA_RSA3072_SIZE],
                      uint8_t der[396]) {
  static const uint8_t head[] = {0x30, 0x82, 0x01, 0x88, 0x02,
                                 0x82, 0x01, 0x81, 0x00};
  memcpy(der, head, sizeof head);
  for (size_t i = 0; i < SGXRA_RSA3072_SIZE; i++)
    der[9 + i] = n_le[SGXRA_RSA3072_SIZE - 1 - i];
  der[393] = 0x02;
  der[394] = 0x01;
  der[395] = 0x03;
}

/* Signal's release enclave was signed in two steps (sgx_sign gendata /
 * catsig): its SIGSTRUCT, reassembled from its own signature and a public
 * key holding only its modulus, comes out byte for byte. */
static void test_assemble_signal(void **state) {
  (void)state;
  size_t n;
  uint8_t *so = tu_read_vector("sdk/signal-cds-md23-prod.signed.so", &n);
  const size_t css = 0x15949 + 64;
  assert_true(n >= css + SGXRA_SIGSTRUCT_SIZE);
  sgxra_sigstruct ref, s;
  assert_int_equal(
      sgxra_sigstruct_decode(NULL, so + css, SGXRA_SIGSTRUCT_SIZE, &ref),
      SGXRA_OK);
  tu_assert_hex(
      ref.enclavehash, 32,
      "cd6cfc342937b23b1bdd3bbf9721aa5615ac9ff50a75c5527d441cd3276826c9");
  uint8_t der[396], sig[SGXRA_RSA3072_SIZE], enc[SGXRA_SIGSTRUCT_SIZE];
  pkcs1_der(ref.modulus, der);
  sgxra_rsa_key *pub = load_pub_bytes(der, sizeof der);
  for (size_t i = 0; i < SGXRA_RSA3072_SIZE; i++)
    sig[i] = ref.signature[SGXRA_RSA3072_SIZE - 1 - i];
  sgxra_sigstruct_params p;
  params_of(&ref, &p);
  p.allow_debug = 0; /* production: DEBUG enforced by the mask */
  sgxra_ctx *cx = sgxra_ctx_new();
  if (sgxra_sigstruct_assemble(cx, pub, &p, sig, &s) != SGXRA_OK)
    fail_msg("%s", sgxra_ctx_message(cx));
  sgxra_sigstruct_encode(&s, enc);
  assert_memory_equal(enc, so + css, SGXRA_SIGSTRUCT_SIZE);
  /* a trailing byte after the DER is refused */
  uint8_t der2[397];
  memcpy(der2, der, sizeof der);
  der2[396] = 0;
  sgxra_rsa_key *k = (sgxra_rsa_key *)1;
  assert_int_equal(sgxra_rsa_load_public(cx, der2, sizeof der2, &k),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(k);
  assert_non_null(strstr(sgxra_ctx_message(cx), "trailing"));
  sgxra_ctx_free(cx);
  sgxra_rsa_free(pub);
  free(so);
}

static void test_assemble_refusals(void **state) {
  (void)state;
  sgxra_sigstruct_params p;
  uint8_t data[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE], sig[SGXRA_RSA3072_SIZE];
  params_sig1(&p);
  assert_int_equal(sgxra_sigstruct_signing_data(NULL, &p, data), SGXRA_OK);
  external_sign(SIG1_KEY, data, sizeof data, sig);
  sgxra_rsa_key *pub = load_pub_vector(SIG1_KEY);
  sgxra_rsa_key *other = load_pub_vector(LEXE_KEY);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sigstruct s;

  /* a flipped signature byte (first, middle, last) */
  static const size_t at[] = {0, 191, 383};
  for (size_t i = 0; i < TEST_LEN(at); i++) {
    sig[at[i]] ^= 0x01;
    memset(&s, 0xaa, sizeof s);
    assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &p, sig, &s),
                     SGXRA_E_SIGSTRUCT_SIGNATURE);
    assert_memory_equal(&s, k_zero_ss, sizeof s);
    sig[at[i]] ^= 0x01;
  }
  assert_non_null(strstr(sgxra_ctx_message(cx), "other data"));
  /* the little-endian order (as SIGSTRUCT stores it) is not accepted */
  uint8_t le[SGXRA_RSA3072_SIZE];
  for (size_t i = 0; i < SGXRA_RSA3072_SIZE; i++)
    le[i] = sig[SGXRA_RSA3072_SIZE - 1 - i];
  assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &p, le, &s),
                   SGXRA_E_SIGSTRUCT_SIGNATURE);
  /* another key's public half */
  memset(&s, 0xaa, sizeof s);
  assert_int_equal(sgxra_sigstruct_assemble(cx, other, &p, sig, &s),
                   SGXRA_E_SIGSTRUCT_SIGNATURE);
  assert_memory_equal(&s, k_zero_ss, sizeof s);
  /* other params: each field the signature covers */
  for (int f = 0; f < 6; f++) {
    sgxra_sigstruct_params q = p;
    if (f == 0) q.enclavehash[31] ^= 1;
    if (f == 1) q.isvsvn = 1;
    if (f == 2) q.isvprodid = 1;
    if (f == 3) q.date = 0x20160110;
    if (f == 4) q.attributemask.flags = 0xffffffffffffffffULL;
    if (f == 5) q.miscselect = 1;
    memset(&s, 0xaa, sizeof s);
    assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &q, sig, &s),
                     SGXRA_E_SIGSTRUCT_SIGNATURE);
    assert_memory_equal(&s, k_zero_ss, sizeof s);
  }
  /* zero and all-ones signatures */
  uint8_t junk[SGXRA_RSA3072_SIZE];
  memset(junk, 0, sizeof junk);
  assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &p, junk, &s),
                   SGXRA_E_SIGSTRUCT_SIGNATURE);
  memset(junk, 0xff, sizeof junk);
  assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &p, junk, &s),
                   SGXRA_E_SIGSTRUCT_SIGNATURE);
  assert_memory_equal(&s, k_zero_ss, sizeof s);
  /* field refusals come first; missing arguments */
  sgxra_sigstruct_params q = p;
  q.allow_debug = 0;
  assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &q, sig, &s),
                   SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN);
  assert_int_equal(sgxra_sigstruct_assemble(cx, NULL, &p, sig, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &p, NULL, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  /* still fine after all that */
  assert_int_equal(sgxra_sigstruct_assemble(cx, pub, &p, sig, &s), SGXRA_OK);
  sgxra_ctx_free(cx);
  sgxra_rsa_free(pub);
  sgxra_rsa_free(other);
}

static void test_load_public(void **state) {
  (void)state;
  EVP_PKEY *pkey = decode_key_file(SIG1_KEY);
  sgxra_rsa_key *priv = load_key(SIG1_KEY);
  uint8_t want[SGXRA_RSA3072_SIZE], got[SGXRA_RSA3072_SIZE];
  sgxra_rsa_modulus_le(priv, want);
  static const struct {
    const char *type, *structure, *marker;
  } forms[] = {
      {"PEM", "SubjectPublicKeyInfo", "-----BEGIN PUBLIC KEY-----"},
      {"PEM", "type-specific", "-----BEGIN RSA PUBLIC KEY-----"},
      {"DER", "SubjectPublicKeyInfo", NULL},
      {"DER", "type-specific", NULL},
  };
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < TEST_LEN(forms); i++) {
    size_t n;
    uint8_t *p = encode_public(pkey, forms[i].type, forms[i].structure, &n);
    if (forms[i].marker)
      assert_non_null(strstr((const char *)p, forms[i].marker));
    sgxra_rsa_key *k = load_pub_bytes(p, n);
    sgxra_rsa_modulus_le(k, got);
    assert_memory_equal(got, want, sizeof want);
    /* a public key cannot sign, load_private refuses the file */
    uint8_t sig[SGXRA_RSA3072_SIZE];
    memset(sig, 0xaa, sizeof sig);
    assert_int_equal(sgxra_rsa_sign_le(cx, k, "x", 1, sig),
                     SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
    assert_non_null(strstr(sgxra_ctx_message(cx), "public key only"));
    uint8_t zsig[SGXRA_RSA3072_SIZE] = {0};
    assert_memory_equal(sig, zsig, sizeof sig);
    assert_int_equal(
        sgxra_rsa_sign_digest_le(cx, k, (const uint8_t *)want, sig),
        SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
    sgxra_sigstruct_params prm;
    sgxra_sigstruct s;
    params_sig1(&prm);
    memset(&s, 0xaa, sizeof s);
    assert_int_equal(sgxra_sigstruct_sign(cx, k, &prm, &s),
                     SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
    assert_memory_equal(&s, k_zero_ss, sizeof s);
    char *pem = (char *)1;
    assert_int_equal(sgxra_rsa_private_pem(cx, k, &pem),
                     SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
    assert_null(pem);
    sgxra_rsa_free(k);
    sgxra_rsa_key *k2 = (sgxra_rsa_key *)1;
    assert_int_not_equal(sgxra_rsa_load_private(cx, p, n, &k2), SGXRA_OK);
    assert_null(k2);
    free(p);
  }
  /* a private key file (PEM PKCS#1, DER PKCS#8): only the public half */
  static const char *const privs[] = {SIG1_KEY, LEXE_KEY};
  for (size_t i = 0; i < TEST_LEN(privs); i++) {
    sgxra_rsa_key *k = load_pub_vector(privs[i]);
    uint8_t sig[SGXRA_RSA3072_SIZE];
    assert_int_equal(sgxra_rsa_sign_le(cx, k, "x", 1, sig),
                     SGXRA_E_CRYPTO_KEY_UNSUPPORTED);
    sgxra_rsa_free(k);
  }
  EVP_PKEY_free(pkey);
  sgxra_rsa_free(priv);

  /* refusals: 2048 bits, e = 65537, not RSA, not a key */
  static const struct {
    const char *alg;
    unsigned bits, e;
    sgxra_err want;
  } bad[] = {
      {"RSA", 2048, 3, SGXRA_E_CRYPTO_KEY_UNSUPPORTED},
      {"RSA", 3072, 65537, SGXRA_E_CRYPTO_RSA_EXPONENT},
      {"EC", 0, 0, SGXRA_E_CRYPTO_KEY_UNSUPPORTED},
  };
  for (size_t i = 0; i < TEST_LEN(bad); i++) {
    EVP_PKEY *bk = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, bad[i].alg, NULL);
    assert_non_null(pc);
    assert_int_equal(EVP_PKEY_keygen_init(pc), 1);
    if (bad[i].bits) {
      size_t bits = bad[i].bits;
      unsigned int e = bad[i].e;
      OSSL_PARAM prm[3] = {OSSL_PARAM_construct_size_t("bits", &bits),
                           OSSL_PARAM_construct_uint("e", &e),
                           OSSL_PARAM_construct_end()};
      assert_int_equal(EVP_PKEY_CTX_set_params(pc, prm), 1);
    } else {
      assert_int_equal(EVP_PKEY_CTX_set_group_name(pc, "P-256"), 1);
    }
    assert_int_equal(EVP_PKEY_generate(pc, &bk), 1);
    EVP_PKEY_CTX_free(pc);
    for (int form = 0; form < 2; form++) {
      size_t n;
      uint8_t *p =
          encode_public(bk, form ? "DER" : "PEM", "SubjectPublicKeyInfo", &n);
      sgxra_rsa_key *k = (sgxra_rsa_key *)1;
      assert_int_equal(sgxra_rsa_load_public(cx, p, n, &k), bad[i].want);
      assert_null(k);
      free(p);
    }
    if (bad[i].e == 65537)
      assert_non_null(strstr(sgxra_ctx_message(cx), "65537"));
    if (bad[i].bits == 2048)
      assert_non_null(strstr(sgxra_ctx_message(cx), "2048"));
    EVP_PKEY_free(bk);
  }
  sgxra_rsa_key *k = (sgxra_rsa_key *)1;
  static const char junk[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n";
  assert_int_equal(
      sgxra_rsa_load_public(cx, (const uint8_t *)junk, sizeof junk - 1, &k),
      SGXRA_E_CRYPTO_KEY_INVALID);
  assert_null(k);
  assert_non_null(strstr(sgxra_ctx_message(cx), "RSA public key"));
  assert_int_equal(sgxra_rsa_load_public(cx, NULL, 0, &k),
                   SGXRA_E_CRYPTO_KEY_INVALID);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encl_ss),
      cmocka_unit_test(test_fortanix_test_enclave),
      cmocka_unit_test(test_sig1),
      cmocka_unit_test(test_lexe),
      cmocka_unit_test(test_intel_le),
      cmocka_unit_test(test_intel_pce),
      cmocka_unit_test(test_sign_encl_ss),
      cmocka_unit_test(test_sign_sig1),
      cmocka_unit_test(test_sign_lexe),
      cmocka_unit_test(test_sign_refusals),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_flips),
      cmocka_unit_test(test_garbage),
      cmocka_unit_test(test_debug_keys),
      cmocka_unit_test(test_signing_data),
      cmocka_unit_test(test_assemble_round_trip),
      cmocka_unit_test(test_assemble_signal),
      cmocka_unit_test(test_assemble_refusals),
      cmocka_unit_test(test_load_public),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
