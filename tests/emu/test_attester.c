/*
 * tests/emu/test_attester.c -- remote attestation in one process: the SP
 * side of src/ra, and the attester (sgxra/attester.h) with the example
 * enclave of enclaves/ on a temporary emulated platform.  The enclave gets
 * the secret and seals it, unseal gives it back; the forge enclave's REPORT
 * is refused by the QE; a msg2 whose Gb was swapped and a tampered msg4 are
 * refused by the enclave.  Also unit tests of the enclave api v2 crypto
 * runtime (the table the emulator hands an enclave), and of the pinned SP
 * key header against its PEM.
 *
 * The enclaves are built only with the command (SGXRA_MODULES with "apps",
 * or all modules); without them these tests are skipped, never passed.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "emu/cpu_internal.h"
#include "sgxra/attester.h"
#include "sgxra/crypto.h"
#include "sgxra/emu.h"
#include "sgxra/enclave_api.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/layout.h"
#include "sgxra/qe.h"
#include "sgxra/ra.h"
#include "sgxra/sigstruct.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#include "../../enclaves/demo_sp_pub.h"

#define NOW 1767225600 /* 2026-01-01 */
#define SECRET "the provisioned secret: 0123456789abcdef"

typedef struct fx {
  sgxra_ctx *cx;
  char *dir;
  char plat_dir[4200];
  char so[4200], forge_so[4200];
  uint8_t *sig, *forge_sig, *debug_sig;
  size_t sig_len, forge_sig_len, debug_sig_len;
  sgxra_p256_key *sp_key;
  sgxra_intelca *ca;
  char ca_dir[4200];
  int have_enclaves;
} fx;

static uint8_t *read_build(const char *rel, size_t *n) {
  char p[4200];
  uint8_t *b = NULL;
  snprintf(p, sizeof p, "%s/%s", SGXRA_BUILD_DIR, rel);
  if (sgxra_file_read(NULL, p, 1 << 20, &b, n) != SGXRA_OK)
    fail_msg("cannot read %s", p);
  return b;
}

static int group_setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  assert_non_null(f);
  *state = f;
  f->cx = sgxra_ctx_new();
  /* The SP's long-term key: the committed demo key. */
  char p[4200];
  uint8_t *pem = NULL;
  size_t pn = 0;
  snprintf(p, sizeof p, "%s/enclaves/demo_sp_key.pem", SGXRA_SOURCE_DIR);
  assert_int_equal(sgxra_file_read(NULL, p, 1 << 16, &pem, &pn), SGXRA_OK);
  assert_int_equal(sgxra_p256_load_private(f->cx, pem, pn, &f->sp_key),
                   SGXRA_OK);
  free(pem);

  snprintf(f->so, sizeof f->so, "%s/enclaves/example_enclave.so",
           SGXRA_BUILD_DIR);
  snprintf(f->forge_so, sizeof f->forge_so, "%s/enclaves/forge_enclave.so",
           SGXRA_BUILD_DIR);
  if (access(f->so, R_OK) != 0) {
    snprintf(p, sizeof p, "%s/sgxra", SGXRA_BUILD_DIR);
    if (access(p, X_OK) == 0)
      fail_msg("%s exists but the example enclave %s is missing", p, f->so);
    return 0; /* no command, no enclaves: the enclave tests skip */
  }
  f->have_enclaves = 1;
  f->sig = read_build("enclaves/example_enclave.sig", &f->sig_len);
  f->forge_sig = read_build("enclaves/forge_enclave.sig", &f->forge_sig_len);
  f->debug_sig =
      read_build("enclaves/example_enclave.debug.sig", &f->debug_sig_len);

  /* A provisioned platform directory, as `sgxra platform init` makes. */
  f->dir = tu_tmpdir();
  snprintf(f->plat_dir, sizeof f->plat_dir, "%s/platform", f->dir);
  snprintf(f->ca_dir, sizeof f->ca_dir, "%s/ca", f->dir);
  sgxra_intelca *ca = NULL;
  sgxra_emu_platform *plat = NULL;
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  if (sgxra_intelca_create(f->cx, f->ca_dir, NOW, &ca))
    fail_msg("CA: %s", sgxra_ctx_message(f->cx));
  sgxra_intelca_tcb_current(ca, cfg.tcb_svns, &cfg.pcesvn);
  memcpy(cfg.cpusvn, cfg.tcb_svns, 16);
  if (sgxra_emu_platform_init(f->cx, f->plat_dir, &cfg, &plat) ||
      sgxra_qe_provision(f->cx, plat, ca, f->plat_dir, NOW, NULL))
    fail_msg("platform: %s", sgxra_ctx_message(f->cx));
  sgxra_emu_platform_free(plat);
  f->ca = ca;
  return 0;
}

static int group_teardown(void **state) {
  fx *f = *state;
  sgxra_p256_free(f->sp_key);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  free(f->sig);
  free(f->forge_sig);
  free(f->debug_sig);
  if (f->dir) {
    tu_rmtree(f->dir);
    free(f->dir);
  }
  free(f);
  return 0;
}

#define NEED_ENCLAVES(f)                                                       \
  do {                                                                         \
    if (!(f)->have_enclaves) {                                                 \
      print_message("enclaves not built (build with apps): skipped\n");        \
      skip();                                                                  \
    }                                                                          \
  } while (0)

static sgxra_attester *open_attester(fx *f, const char *so, const uint8_t *sig,
                                     size_t sig_len) {
  sgxra_attester_options o;
  memset(&o, 0, sizeof o);
  o.platform_dir = f->plat_dir;
  o.enclave_path = so;
  o.sigstruct = sig;
  o.sigstruct_len = sig_len;
  sgxra_attester *a = NULL;
  if (sgxra_attester_open(f->cx, &o, &a))
    fail_msg("attester: %s", sgxra_ctx_message(f->cx));
  return a;
}

/* A protocol run, step by step, so each test can tamper where it wants. */
typedef struct run {
  sgxra_attester *a;
  sgxra_ra_client_ops ops;
  sgxra_ra_client *c;
  sgxra_ra_sp_session s;
  uint8_t msg2[SGXRA_RA_MSG2_FIXED_SIZE];
  uint8_t *msg3;
  size_t msg3_len;
} run;

static void run_to_msg2(fx *f, run *r, const char *so, const uint8_t *sig,
                        size_t sig_len) {
  uint8_t m0[SGXRA_RA_MSG0_SIZE], m1[SGXRA_RA_MSG1_SIZE];
  memset(r, 0, sizeof *r);
  r->a = open_attester(f, so, sig, sig_len);
  sgxra_attester_client_ops(r->a, &r->ops);
  assert_int_equal(sgxra_ra_client_new(f->cx, &r->ops, &r->c), SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg0(f->cx, r->c, m0), SGXRA_OK);
  assert_int_equal(
      sgxra_ra_sp_begin(f->cx, m0, sizeof m0, NULL, NOW, 60, 3, &r->s),
      SGXRA_OK);
  assert_int_equal(sgxra_ra_client_msg1(f->cx, r->c, m1), SGXRA_OK);
  if (sgxra_ra_sp_msg1(f->cx, &r->s, f->sp_key, NULL, m1, sizeof m1, NOW,
                       r->msg2))
    fail_msg("sp msg1: %s", sgxra_ctx_message(f->cx));
}

static void run_free(run *r) {
  free(r->msg3);
  sgxra_ra_client_free(r->c);
  sgxra_attester_free(r->a);
  sgxra_ra_sp_session_wipe(&r->s);
}

/* msg2 -> msg3 -> the SP's checks; returns the quote (borrowed in msg3). */
static void run_to_msg3(fx *f, run *r, const uint8_t **quote, size_t *qn) {
  uint8_t rd[SGXRA_REPORTDATA_SIZE];
  if (sgxra_ra_client_msg2(f->cx, r->c, r->msg2, sizeof r->msg2, &r->msg3,
                           &r->msg3_len))
    fail_msg("client msg2: %s", sgxra_ctx_message(f->cx));
  if (sgxra_ra_sp_msg3(f->cx, &r->s, r->msg3, r->msg3_len, NOW, quote, qn, rd))
    fail_msg("sp msg3: %s", sgxra_ctx_message(f->cx));
  assert_memory_equal(rd, r->s.binding, sizeof rd);
}

static void decision(sgxra_decision *d, int trusted) {
  memset(d, 0, sizeof *d);
  d->trusted = trusted;
  if (!trusted) {
    d->reason_count = 1;
    d->reasons[0].code = SGXRA_REASON_MRENCLAVE_NOT_REGISTERED;
  }
}

/* ---- the pinned key ---- */

static void test_sp_pub_header_matches_pem(void **state) {
  fx *f = *state;
  uint8_t xy[64];
  sgxra_p256_public_raw(f->sp_key, xy);
  assert_memory_equal(xy, demo_sp_pub, 64);
}

/* ---- the crypto runtime (enclave api v2) ---- */

typedef struct rt {
  sgxra_emu_enclave e; /* only call_cx is used by the runtime */
  sgxra_enclave_api api;
} rt;

static void rt_init(rt *t, sgxra_ctx *cx, uint32_t version) {
  memset(t, 0, sizeof *t);
  t->e.call_cx = cx;
  t->e.code_fd = -1;
  sgxra__emu_enclave_api_init(&t->e, version, &t->api);
}

static void test_runtime_v1_table(void **state) {
  fx *f = *state;
  rt t;
  rt_init(&t, f->cx, 1);
  assert_int_equal(t.api.version, 1);
  assert_int_equal(t.api.size, sizeof(sgxra_enclave_api));
  assert_true(t.api.size >= SGXRA_ENCLAVE_API_V1_SIZE);
  assert_non_null(t.api.ereport);
  assert_non_null(t.api.egetkey);
  assert_null(t.api.random);
  assert_null(t.api.p256_verify);
}

static void test_runtime_hash_mac(void **state) {
  fx *f = *state;
  rt t;
  rt_init(&t, f->cx, 2);
  const sgxra_enclave_api *a = &t.api;
  uint8_t h[32], m[16];
  assert_int_equal(a->sha256(a->self, (const uint8_t *)"abc", 3, h), 0);
  tu_assert_hex(h, 32,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015"
                "ad");
  /* RFC 4493 example 2. */
  uint8_t key[16], msg[16];
  tu_hex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
  tu_hex("6bc1bee22e409f96e93d7e117393172a", msg, 16);
  assert_int_equal(a->aes128_cmac(a->self, key, msg, 16, m), 0);
  tu_assert_hex(m, 16, "070a16b46b4d4144f79bdd9dd04a287c");
  /* random: 32 bytes, not all zero, two draws differ. */
  uint8_t r1[32], r2[32], z[32] = {0};
  assert_int_equal(a->random(a->self, r1, 32), 0);
  assert_int_equal(a->random(a->self, r2, 32), 0);
  assert_memory_not_equal(r1, z, 32);
  assert_memory_not_equal(r1, r2, 32);
  /* NULL with a length: refused, not a crash. */
  assert_int_equal(a->sha256(a->self, NULL, 5, h), SGXRA_E_INVALID_ARGUMENT);
}

static void test_runtime_gcm(void **state) {
  fx *f = *state;
  rt t;
  rt_init(&t, f->cx, 2);
  const sgxra_enclave_api *a = &t.api;
  uint8_t key[16], iv[12], pt[40], ct[40], tag[16], back[40];
  memset(key, 7, sizeof key);
  memset(iv, 9, sizeof iv);
  memcpy(pt, SECRET, sizeof pt);
  assert_int_equal(a->aes128_gcm_encrypt(a->self, key, iv,
                                         (const uint8_t *)"aad", 3, pt,
                                         sizeof pt, ct, tag),
                   0);
  /* The same as sgxra_aes128_gcm_encrypt. */
  uint8_t ct2[40], tag2[16];
  assert_int_equal(sgxra_aes128_gcm_encrypt(f->cx, key, iv, 12,
                                            (const uint8_t *)"aad", 3, pt,
                                            sizeof pt, ct2, tag2),
                   SGXRA_OK);
  assert_memory_equal(ct, ct2, sizeof ct);
  assert_memory_equal(tag, tag2, sizeof tag);
  assert_int_equal(a->aes128_gcm_decrypt(a->self, key, iv,
                                         (const uint8_t *)"aad", 3, ct,
                                         sizeof ct, tag, back),
                   0);
  assert_memory_equal(back, pt, sizeof pt);
  /* Another AAD: the tag does not verify, the output is wiped. */
  assert_int_equal(a->aes128_gcm_decrypt(a->self, key, iv,
                                         (const uint8_t *)"aaD", 3, ct,
                                         sizeof ct, tag, back),
                   SGXRA_E_CRYPTO_TAG_MISMATCH);
  uint8_t z[40] = {0};
  assert_memory_equal(back, z, sizeof z);
}

static void test_runtime_p256(void **state) {
  fx *f = *state;
  rt t;
  rt_init(&t, f->cx, 2);
  const sgxra_enclave_api *a = &t.api;
  uint8_t d1[32], q1[64], d2[32], q2[64], s12[32], s21[32];
  assert_int_equal(a->p256_generate(a->self, d1, q1), 0);
  assert_int_equal(a->p256_generate(a->self, d2, q2), 0);
  assert_memory_not_equal(d1, d2, 32);
  /* The public key is the private scalar's. */
  sgxra_p256_key *k1 = NULL;
  uint8_t q[64];
  assert_int_equal(sgxra_p256_from_private(f->cx, d1, &k1), SGXRA_OK);
  sgxra_p256_public_raw(k1, q);
  assert_memory_equal(q, q1, 64);
  /* ECDH agrees both ways. */
  assert_int_equal(a->p256_ecdh(a->self, d1, q2, s12), 0);
  assert_int_equal(a->p256_ecdh(a->self, d2, q1, s21), 0);
  assert_memory_equal(s12, s21, 32);
  /* A point off the curve is refused. */
  uint8_t bad[64];
  memcpy(bad, q2, 64);
  bad[63] ^= 1;
  assert_int_not_equal(a->p256_ecdh(a->self, d1, bad, s12), 0);
  /* ECDSA: a signature made by crypto.h verifies, a changed message or
   * signature does not. */
  uint8_t sig[64];
  assert_int_equal(sgxra_p256_sign(f->cx, k1, "gb||ga", 6, sig), SGXRA_OK);
  assert_int_equal(
      a->p256_verify(a->self, q1, (const uint8_t *)"gb||ga", 6, sig), 0);
  assert_int_equal(
      a->p256_verify(a->self, q1, (const uint8_t *)"gb||gA", 6, sig),
      SGXRA_E_CRYPTO_SIG_INVALID);
  sig[5] ^= 0x40;
  assert_int_equal(
      a->p256_verify(a->self, q1, (const uint8_t *)"gb||ga", 6, sig),
      SGXRA_E_CRYPTO_SIG_INVALID);
  assert_int_equal(
      a->p256_verify(a->self, q2, (const uint8_t *)"gb||ga", 6, sig),
      SGXRA_E_CRYPTO_SIG_INVALID);
  sgxra_p256_free(k1);
}

/* ---- the protocol ---- */

static void test_good_path_seal_unseal(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  run r;
  const uint8_t *quote = NULL;
  size_t qn = 0;
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  run_to_msg3(f, &r, &quote, &qn);
  /* The quote is the example enclave's, bound to this session. */
  sgxra_sigstruct ss;
  assert_int_equal(sgxra_sigstruct_decode(f->cx, f->sig, f->sig_len, &ss),
                   SGXRA_OK);
  assert_true(qn > 432);
  assert_memory_equal(quote + 48 + 64, ss.enclavehash, 32);
  assert_memory_equal(quote + SGXRA_RA_QUOTE_REPORTDATA_OFFSET, r.s.binding,
                      64);
  sgxra_decision d;
  decision(&d, 1);
  uint8_t *m4 = NULL;
  size_t m4n = 0;
  assert_int_equal(sgxra_ra_sp_msg4(f->cx, &r.s, &d, (const uint8_t *)SECRET,
                                    strlen(SECRET), &m4, &m4n),
                   SGXRA_OK);
  sgxra_ra_result res;
  if (sgxra_ra_client_msg4(f->cx, r.c, m4, m4n, &res))
    fail_msg("client msg4: %s", sgxra_ctx_message(f->cx));
  free(m4);
  assert_int_equal(res.trusted, 1);
  assert_int_equal(res.sealed_len, 116 + strlen(SECRET));
  assert_memory_equal(res.sealed, "sgxraSL1", 8);
  /* The secret is not in the sealed blob in clear. */
  assert_null(memmem(res.sealed, res.sealed_len, "provisioned", 11));

  /* Unseal: the same enclave, also after a reboot (a new attester). */
  uint8_t *sec = NULL;
  size_t sn = 0;
  assert_int_equal(
      sgxra_attester_unseal(f->cx, r.a, res.sealed, res.sealed_len, &sec, &sn),
      SGXRA_OK);
  assert_int_equal(sn, strlen(SECRET));
  assert_memory_equal(sec, SECRET, sn);
  free(sec);
  sgxra_attester *b = open_attester(f, f->so, f->sig, f->sig_len);
  assert_int_equal(
      sgxra_attester_unseal(f->cx, b, res.sealed, res.sealed_len, &sec, &sn),
      SGXRA_OK);
  assert_memory_equal(sec, SECRET, sn);
  free(sec);
  /* One bit changed anywhere: refused. */
  res.sealed[40] ^= 1; /* KEYID */
  assert_int_equal(
      sgxra_attester_unseal(f->cx, b, res.sealed, res.sealed_len, &sec, &sn),
      SGXRA_E_RA_MAC);
  res.sealed[40] ^= 1;
  res.sealed[res.sealed_len - 1] ^= 1; /* ciphertext */
  assert_int_equal(
      sgxra_attester_unseal(f->cx, b, res.sealed, res.sealed_len, &sec, &sn),
      SGXRA_E_RA_MAC);
  res.sealed[res.sealed_len - 1] ^= 1;
  assert_int_equal(sgxra_attester_unseal(f->cx, b, res.sealed, 100, &sec, &sn),
                   SGXRA_E_RA_MAC);
  assert_null(sec);
  sgxra_attester_free(b);
  /* Another enclave (the forge: another MRENCLAVE) cannot unseal. */
  b = open_attester(f, f->forge_so, f->forge_sig, f->forge_sig_len);
  assert_int_equal(
      sgxra_attester_unseal(f->cx, b, res.sealed, res.sealed_len, &sec, &sn),
      SGXRA_E_RA_MAC);
  sgxra_attester_free(b);
  /* The DEBUG instance of the same enclave (same MRENCLAVE, DEBUG set)
   * gets other seal keys. */
  b = open_attester(f, f->so, f->debug_sig, f->debug_sig_len);
  sgxra_emu_secs secs;
  sgxra_attester_enclave_secs(b, &secs);
  assert_true(secs.attributes.flags & SGXRA_ATTR_DEBUG);
  assert_memory_equal(secs.mrenclave, ss.enclavehash, 32);
  assert_int_equal(
      sgxra_attester_unseal(f->cx, b, res.sealed, res.sealed_len, &sec, &sn),
      SGXRA_E_RA_MAC);
  sgxra_attester_free(b);
  sgxra_ra_result_free(&res);
  run_free(&r);
}

static void test_refused_decision(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  run r;
  const uint8_t *quote = NULL;
  size_t qn = 0;
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  run_to_msg3(f, &r, &quote, &qn);
  sgxra_decision d;
  decision(&d, 0);
  uint8_t *m4 = NULL;
  size_t m4n = 0;
  assert_int_equal(sgxra_ra_sp_msg4(f->cx, &r.s, &d, (const uint8_t *)SECRET,
                                    strlen(SECRET), &m4, &m4n),
                   SGXRA_OK);
  sgxra_ra_result res;
  assert_int_equal(sgxra_ra_client_msg4(f->cx, r.c, m4, m4n, &res), SGXRA_OK);
  free(m4);
  assert_int_equal(res.trusted, 0);
  assert_int_equal(res.reason_count, 1);
  assert_int_equal(res.reasons[0], SGXRA_REASON_MRENCLAVE_NOT_REGISTERED);
  assert_null(res.sealed);
  assert_int_equal(res.sealed_len, 0);
  sgxra_ra_result_free(&res);
  run_free(&r);
}

/* The forge enclave's REPORT claims the example enclave's MRENCLAVE; its
 * MAC is over its true body, so the QE refuses it. */
static void test_forge_refused_by_qe(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  sgxra_sigstruct good, forge;
  assert_int_equal(sgxra_sigstruct_decode(f->cx, f->sig, f->sig_len, &good),
                   SGXRA_OK);
  assert_int_equal(
      sgxra_sigstruct_decode(f->cx, f->forge_sig, f->forge_sig_len, &forge),
      SGXRA_OK);
  assert_memory_not_equal(good.enclavehash, forge.enclavehash, 32);

  /* Through the callbacks: the REPORT does claim the good MRENCLAVE. */
  run r;
  run_to_msg2(f, &r, f->forge_so, f->forge_sig, f->forge_sig_len);
  sgxra_ra_client_free(r.c);
  r.c = NULL;
  uint32_t h = 0;
  uint8_t m1[SGXRA_RA_MSG1_SIZE], m2[SGXRA_RA_MSG2_FIXED_SIZE];
  uint8_t ti[SGXRA_TARGETINFO_SIZE], rep[SGXRA_REPORT_SIZE];
  sgxra_ra_sp_session s;
  uint8_t m0[SGXRA_RA_MSG0_SIZE];
  sgxra_ra_msg0_encode(m0);
  assert_int_equal(
      sgxra_ra_sp_begin(f->cx, m0, sizeof m0, NULL, NOW, 60, 3, &s), SGXRA_OK);
  assert_int_equal(r.ops.msg1(f->cx, r.ops.enclave_user, &h, m1), SGXRA_OK);
  assert_int_equal(
      sgxra_ra_sp_msg1(f->cx, &s, f->sp_key, NULL, m1, sizeof m1, NOW, m2),
      SGXRA_OK);
  assert_int_equal(r.ops.qe_targetinfo(f->cx, r.ops.quote_user, ti), SGXRA_OK);
  assert_int_equal(
      r.ops.msg2(f->cx, r.ops.enclave_user, h, ti, m2, sizeof m2, rep),
      SGXRA_OK);
  assert_memory_equal(rep + 64, good.enclavehash, 32);
  /* ... and is bound to the session: only the MAC gives it away. */
  assert_memory_equal(rep + 320, s.binding, 64);
  uint8_t *q = NULL;
  size_t qn = 0;
  assert_int_equal(r.ops.quote(f->cx, r.ops.quote_user, rep, 3, &q, &qn),
                   SGXRA_E_QE_REPORT_MAC);
  assert_null(q);
  sgxra_ra_sp_session_wipe(&s);
  run_free(&r);

  /* Through the client state machine: the same refusal. */
  run_to_msg2(f, &r, f->forge_so, f->forge_sig, f->forge_sig_len);
  assert_int_equal(sgxra_ra_client_msg2(f->cx, r.c, r.msg2, sizeof r.msg2,
                                        &r.msg3, &r.msg3_len),
                   SGXRA_E_QE_REPORT_MAC);
  assert_null(r.msg3);
  run_free(&r);
}

/* A man in the middle swaps Gb for his own: the SP's signature over
 * Gb||Ga no longer verifies with the key the enclave pins. */
static void test_msg2_gb_swapped(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  run r;
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  sgxra_p256_key *mitm = NULL;
  assert_int_equal(sgxra_p256_generate(f->cx, &mitm), SGXRA_OK);
  sgxra_ra_public_to_wire(mitm, r.msg2);
  sgxra_p256_free(mitm);
  assert_int_equal(sgxra_ra_client_msg2(f->cx, r.c, r.msg2, sizeof r.msg2,
                                        &r.msg3, &r.msg3_len),
                   SGXRA_E_RA_SIGNATURE);
  assert_non_null(
      strstr(sgxra_ctx_message(f->cx), "SGXRA_ENCLAVE_E_SIGNATURE"));
  run_free(&r);

  /* A MAC byte changed: the enclave's CMAC check. */
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  r.msg2[SGXRA_RA_MSG2_MAC_OFFSET + 3] ^= 0x10;
  assert_int_equal(sgxra_ra_client_msg2(f->cx, r.c, r.msg2, sizeof r.msg2,
                                        &r.msg3, &r.msg3_len),
                   SGXRA_E_RA_MAC);
  run_free(&r);

  /* Another SPID: not the SP this enclave pins. */
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  r.msg2[SGXRA_RA_MSG2_SPID_OFFSET] ^= 1;
  assert_int_equal(sgxra_ra_client_msg2(f->cx, r.c, r.msg2, sizeof r.msg2,
                                        &r.msg3, &r.msg3_len),
                   SGXRA_E_RA_SIGNATURE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "SGXRA_ENCLAVE_E_SPID"));
  run_free(&r);
}

static void test_msg4_tampered(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  /* Each byte class: header (trusted flag), IV, ciphertext, MAC. */
  for (int which = 0; which < 4; which++) {
    run r;
    const uint8_t *quote = NULL;
    size_t qn = 0;
    run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
    run_to_msg3(f, &r, &quote, &qn);
    sgxra_decision d;
    decision(&d, 1);
    uint8_t *m4 = NULL;
    size_t m4n = 0;
    assert_int_equal(sgxra_ra_sp_msg4(f->cx, &r.s, &d, (const uint8_t *)SECRET,
                                      strlen(SECRET), &m4, &m4n),
                     SGXRA_OK);
    size_t at = which == 0   ? 3        /* reserved byte */
                : which == 1 ? 12 + 2   /* IV */
                : which == 2 ? m4n - 20 /* ciphertext */
                             : m4n - 1; /* MAC */
    m4[at] ^= 1;
    sgxra_ra_result res;
    sgxra_err e = sgxra_ra_client_msg4(f->cx, r.c, m4, m4n, &res);
    free(m4);
    /* The client's parser may refuse the reserved byte first; the
     * enclave refuses anything else with its MAC check. */
    if (which == 0)
      assert_true(e == SGXRA_E_RA_MESSAGE || e == SGXRA_E_RA_MAC);
    else
      assert_int_equal(e, SGXRA_E_RA_MAC);
    assert_null(res.sealed);
    run_free(&r);
  }
}

/* Enclave sessions: order enforced, unknown handles refused, a session
 * ended by an error is gone. */
static void test_enclave_sessions(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  sgxra_attester *a = open_attester(f, f->so, f->sig, f->sig_len);
  sgxra_ra_client_ops ops;
  sgxra_attester_client_ops(a, &ops);
  uint32_t h1 = 0, h2 = 0;
  uint8_t m1[SGXRA_RA_MSG1_SIZE], m1b[SGXRA_RA_MSG1_SIZE];
  assert_int_equal(ops.msg1(f->cx, a, &h1, m1), SGXRA_OK);
  assert_int_equal(ops.msg1(f->cx, a, &h2, m1b), SGXRA_OK);
  assert_int_not_equal(h1, h2);
  assert_memory_not_equal(m1, m1b, 64); /* a fresh Ga per session */
  /* msg3 before msg2. */
  uint8_t *out = NULL;
  size_t n = 0;
  uint8_t q[500] = {0};
  assert_int_equal(ops.msg3(f->cx, a, h1, q, sizeof q, &out, &n),
                   SGXRA_E_RA_STATE);
  /* That ended session h1: it is gone. */
  uint8_t ti[512] = {0}, rep[432], m2[168] = {0};
  assert_int_equal(ops.msg2(f->cx, a, h1, ti, m2, sizeof m2, rep),
                   SGXRA_E_RA_STATE);
  /* A malformed msg2 on h2 (SigRL announced). */
  m2[164] = 1;
  assert_int_equal(ops.msg2(f->cx, a, h2, ti, m2, sizeof m2, rep),
                   SGXRA_E_RA_GROUP);
  /* The table is bounded: 16 sessions, then E_BUSY; closing frees one. */
  uint32_t hs[16];
  for (int i = 0; i < 16; i++)
    assert_int_equal(ops.msg1(f->cx, a, &hs[i], m1), SGXRA_OK);
  assert_int_equal(ops.msg1(f->cx, a, &h1, m1), SGXRA_E_RA_ENCLAVE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "SGXRA_ENCLAVE_E_BUSY"));
  ops.close(a, hs[3]);
  assert_int_equal(ops.msg1(f->cx, a, &h1, m1), SGXRA_OK);
  assert_int_not_equal(h1, hs[3]); /* a new generation */
  sgxra_attester_free(a);
}

/* Verify a quote against the simulated Intel CA's collateral. */
static void verify(fx *f, const uint8_t *q, size_t n, sgxra_verdict *v) {
  char path[4300];
  snprintf(path, sizeof path, "%s/bundle", f->dir);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  assert_int_equal(
      sgxra_intelca_write_bundle(f->cx, f->ca, cfg.fmspc, NOW, path), SGXRA_OK);
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir(f->cx, path, &coll), SGXRA_OK);
  const char *pem = sgxra_intelca_root_pem(f->ca);
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem,
                                              strlen(pem), &root),
                   SGXRA_OK);
  assert_int_equal(sgxra_verify_quote(f->cx, q, n, coll,
                                      sgxra_x509_chain_get(root, 0), NOW + 3600,
                                      v),
                   SGXRA_OK);
  sgxra_x509_chain_free(root);
  sgxra_collateral_free(coll);
}

/* The good platform's quote verifies; a platform whose QE is signed by
 * another key (platform init --qe-signing-key) gives quotes that pass the
 * RA checks (MAC, binding) but fail Intel's QE Identity (MRSIGNER). */
static void test_rogue_qe(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  run r;
  const uint8_t *quote = NULL;
  size_t qn = 0;
  sgxra_verdict v;
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  run_to_msg3(f, &r, &quote, &qn);
  verify(f, quote, qn, &v);
  assert_int_equal(v.err, SGXRA_OK);
  run_free(&r);

  char keyp[4200], saved[4200];
  snprintf(keyp, sizeof keyp, "%s/enclaves/other_signing_key.pem",
           SGXRA_SOURCE_DIR);
  uint8_t *kb = NULL;
  size_t kn = 0;
  sgxra_rsa_key *rogue = NULL;
  assert_int_equal(sgxra_file_read(NULL, keyp, 1 << 20, &kb, &kn), SGXRA_OK);
  assert_int_equal(sgxra_rsa_load_private(f->cx, kb, kn, &rogue), SGXRA_OK);
  free(kb);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  sgxra_intelca_tcb_current(f->ca, cfg.tcb_svns, &cfg.pcesvn);
  memcpy(cfg.cpusvn, cfg.tcb_svns, 16);
  sgxra_emu_platform *plat = NULL;
  memcpy(saved, f->plat_dir, sizeof saved);
  snprintf(f->plat_dir, sizeof f->plat_dir, "%s/rogue", f->dir);
  if (sgxra_emu_platform_init(f->cx, f->plat_dir, &cfg, &plat) ||
      sgxra_qe_provision_ex(f->cx, plat, f->ca, f->plat_dir, NOW, rogue, NULL))
    fail_msg("rogue platform: %s", sgxra_ctx_message(f->cx));
  sgxra_emu_platform_free(plat);
  sgxra_rsa_free(rogue);
  run_to_msg2(f, &r, f->so, f->sig, f->sig_len);
  run_to_msg3(f, &r, &quote, &qn); /* the SP's RA checks pass */
  verify(f, quote, qn, &v);
  assert_int_equal(v.err, SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH);
  run_free(&r);
  memcpy(f->plat_dir, saved, sizeof saved);
}

static void test_attester_open_errors(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  sgxra_attester_options o;
  sgxra_attester *a = NULL;
  memset(&o, 0, sizeof o);
  assert_int_equal(sgxra_attester_open(f->cx, &o, &a),
                   SGXRA_E_INVALID_ARGUMENT);
  o.platform_dir = f->plat_dir;
  o.enclave_path = f->so;
  o.sigstruct = f->forge_sig; /* another enclave's SIGSTRUCT */
  o.sigstruct_len = f->forge_sig_len;
  assert_int_equal(sgxra_attester_open(f->cx, &o, &a),
                   SGXRA_E_EMU_MRENCLAVE_MISMATCH);
  assert_null(a);
  o.sigstruct = f->sig;
  o.sigstruct_len = f->sig_len;
  o.quote_version = 5;
  assert_int_equal(sgxra_attester_open(f->cx, &o, &a),
                   SGXRA_E_INVALID_ARGUMENT);
  o.quote_version = 4;
  char nodir[4300];
  snprintf(nodir, sizeof nodir, "%s/none", f->dir);
  o.platform_dir = nodir;
  assert_int_equal(sgxra_attester_open(f->cx, &o, &a), SGXRA_E_EMU_STATE);
}

/* A version-1 enclave: the example .so with its version symbol renamed
 * (so dlsym cannot find it), re-signed.  It loads with api version 1, its
 * version-1 operations run, the RA operations answer E_API, and the
 * attester refuses it. */
static void test_v1_enclave(void **state) {
  fx *f = *state;
  NEED_ENCLAVES(f);
  size_t n = 0;
  uint8_t *so = read_build("enclaves/example_enclave.so", &n);
  const char *sym = SGXRA_ENCLAVE_API_VERSION_SYMBOL;
  uint8_t *hit = memmem(so, n, sym, strlen(sym) + 1);
  assert_non_null(hit);
  hit[strlen(sym) - 1] = 'X';
  assert_null(memmem(so, n, sym, strlen(sym) + 1));
  sgxra_sigstruct_params prm;
  sgxra_sigstruct ss;
  uint8_t sig[SGXRA_SIGSTRUCT_SIZE];
  sgxra_sigstruct_params_default(&prm);
  prm.isvprodid = 1;
  prm.isvsvn = 2;
  assert_int_equal(sgxra_layout_measure_elf(f->cx, so, n, prm.enclavehash),
                   SGXRA_OK);
  char keyp[4200], path[4300];
  snprintf(keyp, sizeof keyp, "%s/enclaves/demo_signing_key.pem",
           SGXRA_SOURCE_DIR);
  uint8_t *kb = NULL;
  size_t kn = 0;
  sgxra_rsa_key *k = NULL;
  assert_int_equal(sgxra_file_read(NULL, keyp, 1 << 20, &kb, &kn), SGXRA_OK);
  assert_int_equal(sgxra_rsa_load_private(f->cx, kb, kn, &k), SGXRA_OK);
  free(kb);
  assert_int_equal(sgxra_sigstruct_sign(f->cx, k, &prm, &ss), SGXRA_OK);
  sgxra_rsa_free(k);
  sgxra_sigstruct_encode(&ss, sig);
  snprintf(path, sizeof path, "%s/v1.so", f->dir);
  assert_int_equal(sgxra_file_write(f->cx, path, so, n, 0), SGXRA_OK);
  free(so);

  sgxra_emu_platform *plat = NULL;
  sgxra_emu_enclave *e = NULL;
  assert_int_equal(sgxra_emu_platform_new(f->cx, NULL, &plat), SGXRA_OK);
  assert_int_equal(
      sgxra_emu_enclave_load(f->cx, plat, path, sig, sizeof sig, NULL, &e),
      SGXRA_OK);
  assert_int_equal(sgxra_emu_enclave_api_version(e), 1);
  sgxra_targetinfo ti;
  sgxra_report r;
  uint8_t rd[64] = {1, 2, 3};
  sgxra_emu_enclave_targetinfo(e, &ti);
  assert_int_equal(sgxra_emu_enclave_get_report(f->cx, e, &ti, rd, &r),
                   SGXRA_OK);
  assert_memory_equal(r.body.reportdata, rd, 64);
  uint8_t out[100];
  size_t got = 0;
  int rc = 0;
  assert_int_equal(sgxra_emu_enclave_call_ex(f->cx, e, SGXRA_ENCLAVE_OP_RA_MSG1,
                                             NULL, 0, out, sizeof out, &got,
                                             &rc),
                   SGXRA_E_EMU_ECALL);
  assert_int_equal(rc, SGXRA_ENCLAVE_E_API);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "SGXRA_ENCLAVE_E_API"));
  sgxra_emu_enclave_free(e);
  sgxra_emu_platform_free(plat);
  /* The attester wants version 2. */
  sgxra_attester_options o;
  sgxra_attester *a = NULL;
  memset(&o, 0, sizeof o);
  o.platform_dir = f->plat_dir;
  o.enclave_path = path;
  o.sigstruct = sig;
  o.sigstruct_len = sizeof sig;
  assert_int_equal(sgxra_attester_open(f->cx, &o, &a), SGXRA_E_UNSUPPORTED);
  assert_null(a);
  /* The real one is version 2. */
  a = open_attester(f, f->so, f->sig, f->sig_len);
  sgxra_attester_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sp_pub_header_matches_pem),
      cmocka_unit_test(test_runtime_v1_table),
      cmocka_unit_test(test_runtime_hash_mac),
      cmocka_unit_test(test_runtime_gcm),
      cmocka_unit_test(test_runtime_p256),
      cmocka_unit_test(test_good_path_seal_unseal),
      cmocka_unit_test(test_refused_decision),
      cmocka_unit_test(test_forge_refused_by_qe),
      cmocka_unit_test(test_msg2_gb_swapped),
      cmocka_unit_test(test_msg4_tampered),
      cmocka_unit_test(test_enclave_sessions),
      cmocka_unit_test(test_rogue_qe),
      cmocka_unit_test(test_attester_open_errors),
      cmocka_unit_test(test_v1_enclave),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
