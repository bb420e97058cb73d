/* Fuzz target: the RA protocol's parsers (sgxra/ra.h).  The first byte
 * picks the reader, the rest is its input:
 *   0 msg0   1 msg1   2 msg2 (structure and values)   3 msg3
 *   4 msg4   5 a sealed SP session state (fixed key and id)
 *   6 msg2 checked as the enclave does (Intel's sample SP key pinned, the
 *     known-answer Ga of tests/ra/kat.txt)
 *   7 msg4 opened with fixed keys
 *   8 msg3 given to an SP session waiting for it
 * Any outcome is fine; a crash, a leak, a sanitizer report or a parse
 * result that contradicts the message's own sizes (abort) is not.  Seeds:
 * fuzz/corpus/fuzz_ra/ (ctest replays them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/ra.h"

/* Intel's sample SP key (big-endian) and tests/ra/kat.txt's Ga and Gb. */
static const char SP_D[] =
    "018c03d1533457adeaaeb6653b6a861fec879c4311de663bcea1522dbb6ce790";
static const char GA_D[] =
    "7b5a2c4d1e0f9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203";
static const char GB_D[] =
    "3d1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a392817160514";

static void unhex(const char *h, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    for (int j = 0; j < 2; j++) {
      char c = h[2 * i + j];
      v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    out[i] = (uint8_t)v;
  }
}

static sgxra_p256_key *key(const char *hex) {
  uint8_t d[32];
  unhex(hex, d, 32);
  sgxra_p256_key *k = NULL;
  if (sgxra_p256_from_private(NULL, d, &k) != SGXRA_OK) abort();
  return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static sgxra_p256_key *sp, *ga, *gb;
  static sgxra_ra_sp_session waiting; /* WAIT_MSG3, fixed keys */
  if (!sp) {
    sp = key(SP_D);
    ga = key(GA_D);
    gb = key(GB_D);
    uint8_t m0[4], m1[68], m2[168];
    sgxra_ra_msg0_encode(m0);
    sgxra_ra_msg1 q = {.gid = 0};
    sgxra_ra_public_to_wire(ga, q.g_a);
    sgxra_ra_msg1_encode(&q, m1);
    uint8_t id[16] = {1};
    if (sgxra_ra_sp_begin(NULL, m0, 4, id, 1000, 60, 3, &waiting) ||
        sgxra_ra_sp_msg1(NULL, &waiting, sp, gb, m1, 68, 1000, m2))
      abort();
  }
  if (size < 1) return 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  unsigned outcome = 0;
  switch (data[0] % 9) {
  case 0:
    outcome |= sgxra_ra_msg0_check(cx, p, n);
    break;
  case 1: {
    sgxra_ra_msg1 m;
    outcome |= sgxra_ra_msg1_parse(cx, p, n, &m);
    break;
  }
  case 2: {
    sgxra_ra_msg2 m;
    sgxra_err e = sgxra_ra_msg2_parse(cx, p, n, &m);
    if (e == SGXRA_OK &&
        (n != SGXRA_RA_MSG2_FIXED_SIZE + (size_t)m.sig_rl_size ||
         (m.sig_rl_size && m.sig_rl != p + SGXRA_RA_MSG2_FIXED_SIZE)))
      abort();
    outcome |= e;
    break;
  }
  case 3: {
    sgxra_ra_msg3 m;
    sgxra_err e = sgxra_ra_msg3_parse(cx, p, n, &m);
    if (e == SGXRA_OK &&
        (m.quote_len == 0 || m.quote != p + SGXRA_RA_MSG3_QUOTE_OFFSET ||
         m.quote_len != n - SGXRA_RA_MSG3_QUOTE_OFFSET))
      abort();
    outcome |= e;
    break;
  }
  case 4: {
    sgxra_ra_msg4 m;
    sgxra_err e = sgxra_ra_msg4_parse(cx, p, n, &m);
    if (e == SGXRA_OK &&
        (m.aad_len + SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE + m.secret_len +
                 SGXRA_RA_MAC_SIZE !=
             n ||
         m.reason_count > SGXRA_RA_REASON_MAX || (!m.trusted && m.secret_len) ||
         (m.trusted && m.reason_count)))
      abort();
    outcome |= e;
    break;
  }
  case 5: {
    uint8_t k[16] = {7}, id[16] = {1};
    sgxra_ra_sp_session s;
    outcome |= sgxra_ra_sp_session_open(cx, k, id, p, n, &s);
    break;
  }
  case 6: {
    sgxra_ra_msg2 m;
    sgxra_ra_keys k;
    outcome |= sgxra_ra_msg2_check(cx, sp, ga, p, n, &m, &k);
    break;
  }
  case 7: {
    sgxra_ra_msg4 m;
    uint8_t *sec = NULL;
    size_t sl = 0;
    sgxra_err e = sgxra_ra_msg4_open(cx, &waiting.keys, p, n, &m, &sec, &sl);
    if (e == SGXRA_OK && (!sec || sl != m.secret_len)) abort();
    free(sec);
    outcome |= e;
    break;
  }
  case 8: {
    sgxra_ra_sp_session s = waiting;
    const uint8_t *q = NULL;
    size_t qn = 0;
    sgxra_err e = sgxra_ra_sp_msg3(cx, &s, p, n, 1000, &q, &qn, NULL);
    if ((e == SGXRA_OK) != (s.state == SGXRA_RA_SP_APPRAISE)) abort();
    outcome |= e;
    break;
  }
  }
  (void)outcome;
  sgxra_ctx_free(cx);
  return 0;
}
