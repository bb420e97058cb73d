/* MRENCLAVE: the builder, SGXS replay and raw images, against the vectors
 * of ../shared/vectors/identity (see its README) and against the
 * hardware's order and alignment rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "common/testutil.h"
#include "sgxra/crypto.h"
#include "sgxra/measure.h"

#define ENCL_MRENCLAVE                                                         \
  "b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0"
#define TEST_ENCLAVE_MRENCLAVE                                                 \
  "784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc"
#define REPORT_SGXS_SHA256                                                     \
  "a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t zero32[32];

static sgxra_measure *fresh(sgxra_ctx *cx) {
  sgxra_measure *m = NULL;
  assert_int_equal(sgxra_measure_new(cx, &m), SGXRA_OK);
  assert_non_null(m);
  return m;
}

static void expect_msg(sgxra_ctx *cx, const char *needle) {
  const char *msg = sgxra_ctx_message(cx);
  if (!strstr(msg, needle))
    fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

/* ---- vectors ------------------------------------------------------------- */

static void raw_image_encl_bin(void **state) {
  (void)state;
  size_t n;
  uint8_t *img = tu_read_vector("identity/enarx-sgx/encl.bin", &n);
  assert_int_equal(n, 6 * 4096);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32];
  assert_int_equal(
      sgxra_measure_raw_image(cx, img, n, 1, SGXRA_SECINFO_REG_RWX, mr),
      SGXRA_OK);
  tu_assert_hex(mr, 32, ENCL_MRENCLAVE);

  /* What was measured: SIZE 0x8000, 6 pages, 96 chunks, and exactly
   * 64 + 6*64 + 96*(64+256) bytes hashed. */
  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_feed_raw_image(cx, m, img, n, 1, 0x207),
                   SGXRA_OK);
  sgxra_measure_info info;
  sgxra_measure_get_info(m, &info);
  assert_int_equal(info.size, 0x8000);
  assert_int_equal(info.ssaframesize, 1);
  assert_int_equal(info.pages, 6);
  assert_int_equal(info.chunks, 96);
  assert_int_equal(info.hashed_bytes, 64 + 6 * 64 + 96 * 320);
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
  tu_assert_hex(mr, 32, ENCL_MRENCLAVE);
  sgxra_measure_free(m);

  /* A different SSAFRAMESIZE or permission gives a different MRENCLAVE. */
  assert_int_equal(sgxra_measure_raw_image(cx, img, n, 2, 0x207, mr), SGXRA_OK);
  assert_memory_not_equal(mr, zero32, 32);
  uint8_t want[32];
  tu_hex(ENCL_MRENCLAVE, want, 32);
  assert_memory_not_equal(mr, want, 32);
  assert_int_equal(sgxra_measure_raw_image(cx, img, n, 1, 0x203, mr), SGXRA_OK);
  assert_memory_not_equal(mr, want, 32);
  sgxra_ctx_free(cx);
  free(img);
}

/* The builder fed the same pages in every granularity gives the one-shot
 * result; a TCS's R/W/X bits are cleared before measuring. */
static void builder_equals_one_shot(void **state) {
  (void)state;
  size_t n;
  uint8_t *img = tu_read_vector("identity/enarx-sgx/encl.bin", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32];

  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x8000), SGXRA_OK);
  for (size_t off = 0; off < n; off += 4096) {
    assert_int_equal(sgxra_measure_eadd(cx, m, off, off ? 0x207 : 0x100),
                     SGXRA_OK);
    for (size_t c = 0; c < 4096; c += 256)
      assert_int_equal(sgxra_measure_eextend(cx, m, off + c, img + off + c),
                       SGXRA_OK);
  }
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
  tu_assert_hex(mr, 32, ENCL_MRENCLAVE);
  sgxra_measure_free(m);

  /* add_page, with the TCS given RWX bits (0x107): still measured 0x100. */
  m = fresh(cx);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x8000), SGXRA_OK);
  for (size_t off = 0; off < n; off += 4096)
    assert_int_equal(
        sgxra_measure_add_page(cx, m, off, off ? 0x207 : 0x107, img + off, 1),
        SGXRA_OK);
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
  tu_assert_hex(mr, 32, ENCL_MRENCLAVE);
  sgxra_measure_free(m);

  /* Pages added in a different order measure differently (order matters). */
  m = fresh(cx);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x8000), SGXRA_OK);
  for (size_t off = n; off > 0; off -= 4096)
    assert_int_equal(sgxra_measure_add_page(cx, m, off - 4096,
                                            off - 4096 ? 0x207 : 0x100,
                                            img + off - 4096, 1),
                     SGXRA_OK);
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
  uint8_t want[32];
  tu_hex(ENCL_MRENCLAVE, want, 32);
  assert_memory_not_equal(mr, want, 32);
  sgxra_measure_free(m);
  sgxra_ctx_free(cx);
  free(img);
}

/* The record layout, checked against SHA-256 of records written out by
 * hand here: ECREATE with SIZE at the unaligned offset 12, an EADD without
 * data and an EEXTEND. */
static void record_layout(void **state) {
  (void)state;
  uint8_t recs[64 * 3 + 256];
  memset(recs, 0, sizeof recs);
  memcpy(recs, "ECREATE", 7);
  recs[8] = 3;         /* SSAFRAMESIZE 3 */
  recs[12 + 2] = 0x01; /* SIZE 0x10000 at offset 12 */
  memcpy(recs + 64, "EADD", 4);
  recs[64 + 8 + 1] = 0x20; /* offset 0x2000 */
  recs[64 + 16] = 0x03;    /* flags 0x203 */
  recs[64 + 17] = 0x02;
  memcpy(recs + 128, "EEXTEND", 7);
  recs[128 + 8] = 0x00; /* offset 0x2300 */
  recs[128 + 9] = 0x23;
  for (int i = 0; i < 256; i++) recs[192 + i] = (uint8_t)(i * 7 + 1);
  uint8_t want[32], got[32];
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra_sha256(cx, recs, sizeof recs, want), SGXRA_OK);
  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 3, 0x10000), SGXRA_OK);
  /* EADD without measuring the page: add_page with measure 0 */
  assert_int_equal(sgxra_measure_add_page(cx, m, 0x2000, 0x203, NULL, 0),
                   SGXRA_OK);
  assert_int_equal(sgxra_measure_eextend(cx, m, 0x2300, recs + 192), SGXRA_OK);
  assert_int_equal(sgxra_measure_final(cx, m, got), SGXRA_OK);
  assert_memory_equal(got, want, 32);
  sgxra_measure_free(m);
  /* The same bytes replayed as an SGXS stream. */
  assert_int_equal(sgxra_measure_sgxs(cx, recs, sizeof recs, got), SGXRA_OK);
  assert_memory_equal(got, want, 32);
  sgxra_ctx_free(cx);
}

/* Replay a vector SGXS file both one-shot and through a caller's builder
 * (left open in *out_m for more checks); out_info says what was measured. */
static void replay_vector(sgxra_ctx *cx, const char *rel, const char *want_hex,
                          sgxra_measure_info *out_info, sgxra_measure **out_m) {
  size_t n;
  uint8_t *p = tu_read_vector(rel, &n);
  uint8_t mr[32];
  assert_int_equal(sgxra_measure_sgxs(cx, p, n, mr), SGXRA_OK);
  tu_assert_hex(mr, 32, want_hex);
  /* SHA-256 of the file itself: a well-formed stream is its measurement */
  assert_int_equal(sgxra_sha256(cx, p, n, mr), SGXRA_OK);
  tu_assert_hex(mr, 32, want_hex);
  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_feed_sgxs(cx, m, p, n), SGXRA_OK);
  sgxra_measure_get_info(m, out_info);
  assert_int_equal(out_info->hashed_bytes, n);
  *out_m = m;
  free(p);
}

static void sgxs_test_enclave(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_measure_info info;
  sgxra_measure *m;
  replay_vector(cx, "identity/fortanix-rust-sgx/test_enclave.sgxs",
                TEST_ENCLAVE_MRENCLAVE, &info, &m);
  assert_int_equal(info.size, 0x40000);
  assert_int_equal(info.ssaframesize, 1);
  assert_int_equal(info.pages, 9);
  assert_int_equal(info.chunks, 144);
  sgxra_measure_free(m);
  sgxra_ctx_free(cx);
}

/* report.sgxs is a complete stream of a partly filled enclave: 3 pages
 * (REG R-X at 0, TCS at 0x1000, REG RW- at 0x2000) of a 4-page SIZE.  The
 * replay accepts it, and its MRENCLAVE is the SHA-256 of the file. */
static void sgxs_report_partial(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_measure_info info;
  sgxra_measure *m;
  replay_vector(cx, "identity/fortanix-rust-sgx/report.sgxs",
                REPORT_SGXS_SHA256, &info, &m);
  assert_int_equal(info.hashed_bytes, 15616);
  assert_int_equal(info.size, 0x4000);
  assert_int_equal(info.pages, 3);
  assert_int_equal(info.chunks, 48);
  /* The missing 4th page may still be added after the replay. */
  assert_int_equal(sgxra_measure_eadd(cx, m, 0x3000, 0x201), SGXRA_OK);
  assert_int_equal(sgxra_measure_eadd(cx, m, 0x1000, 0x201),
                   SGXRA_E_MEASURE_DUPLICATE);
  sgxra_measure_free(m);
  sgxra_ctx_free(cx);
}

/* Cut test_enclave.sgxs at every record boundary (a valid shorter stream:
 * its MRENCLAVE is SHA-256 of the prefix) and inside every record
 * (SGXRA_E_SGXS_FORMAT). */
static void sgxs_truncated(void **state) {
  (void)state;
  size_t n;
  uint8_t *p =
      tu_read_vector("identity/fortanix-rust-sgx/test_enclave.sgxs", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32], want[32];
  size_t off = 0, boundaries = 0, cuts = 0;
  while (off <= n) {
    /* at the boundary */
    sgxra_err e = sgxra_measure_sgxs(cx, p, off, mr);
    if (off == 0) {
      assert_int_equal(e, SGXRA_E_SGXS_FORMAT);
      expect_msg(cx, "empty");
    } else {
      assert_int_equal(e, SGXRA_OK);
      assert_int_equal(sgxra_sha256(cx, p, off, want), SGXRA_OK);
      assert_memory_equal(mr, want, 32);
    }
    boundaries++;
    if (off == n) break;
    size_t len = memcmp(p + off, "EEXTEND", 8) ? 64 : 320;
    const size_t cut_at[] = {1, 8, 20, 63, 64, 65, 200, 319};
    for (size_t i = 0; i < ARRAY_LEN(cut_at); i++) {
      if (cut_at[i] >= len) continue;
      memset(mr, 0xaa, 32);
      assert_int_equal(sgxra_measure_sgxs(cx, p, off + cut_at[i], mr),
                       SGXRA_E_SGXS_FORMAT);
      assert_memory_equal(mr, zero32, 32);
      expect_msg(cx, "cut");
      cuts++;
    }
    off += len;
  }
  /* empty, ECREATE, 9 EADD, 144 EEXTEND */
  assert_int_equal(boundaries, 1 + 1 + 9 + 144);
  assert_true(cuts > 144 * 6);
  sgxra_ctx_free(cx);
  free(p);
}

/* The incremental replay gives the same MRENCLAVE for any split of the
 * stream, and the same errors. */
static void sgxs_streamed(void **state) {
  (void)state;
  size_t n;
  uint8_t *p =
      tu_read_vector("identity/fortanix-rust-sgx/test_enclave.sgxs", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32];
  const size_t steps[] = {1, 7, 63, 64, 65, 100, 319, 320, 321, 4096, 46720};
  for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
    sgxra_measure *m = fresh(cx);
    sgxra_sgxs_stream s;
    sgxra_measure_sgxs_begin(&s);
    for (size_t off = 0; off < n; off += steps[i]) {
      size_t k = n - off < steps[i] ? n - off : steps[i];
      assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, p + off, k),
                       SGXRA_OK);
    }
    assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, p, 0), SGXRA_OK);
    assert_int_equal(sgxra_measure_sgxs_end(cx, &s), SGXRA_OK);
    assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
    tu_assert_hex(mr, 32, TEST_ENCLAVE_MRENCLAVE);
    sgxra_measure_free(m);
  }
  /* cut in the middle of an EEXTEND, fed in two pieces */
  sgxra_measure *m = fresh(cx);
  sgxra_sgxs_stream s;
  sgxra_measure_sgxs_begin(&s);
  assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, p, 100), SGXRA_OK);
  assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, p + 100, 150),
                   SGXRA_OK);
  assert_int_equal(sgxra_measure_sgxs_end(cx, &s), SGXRA_E_SGXS_FORMAT);
  expect_msg(cx, "EEXTEND record at offset 0x80 needs 320 bytes (record and "
                 "256 data bytes), only 122 remain");
  sgxra_measure_free(m);
  /* a bad record found across a split; then the stream refuses more */
  uint8_t *bad = malloc(n);
  assert_non_null(bad);
  memcpy(bad, p, n);
  bad[0x80 + 9] = 0x30; /* EEXTEND of page 0x3000, never added */
  m = fresh(cx);
  sgxra_measure_sgxs_begin(&s);
  assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, bad, 0x85), SGXRA_OK);
  assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, bad + 0x85, n - 0x85),
                   SGXRA_E_MEASURE_NOT_ADDED);
  expect_msg(cx, "SGXS record at offset 0x80: EEXTEND at offset 0x3000");
  assert_int_equal(sgxra_measure_sgxs_update(cx, &s, m, p, 64),
                   SGXRA_E_MEASURE_ORDER);
  assert_int_equal(sgxra_measure_sgxs_end(cx, &s), SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "already failed");
  sgxra_measure_free(m);
  free(bad);
  sgxra_ctx_free(cx);
  free(p);
}

/* Damage in each region of the stream gives its own code. */
static void sgxs_damaged(void **state) {
  (void)state;
  size_t n;
  uint8_t *orig = tu_read_vector("identity/fortanix-rust-sgx/report.sgxs", &n);
  uint8_t *p = malloc(n);
  assert_non_null(p);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32];
  /* record order in report.sgxs: ECREATE @0, EADD @0x40, 16 EEXTEND @0x80 */
  struct {
    size_t at;
    uint8_t val;
    sgxra_err code;
    const char *msg;
  } cases[] = {
      {0, 'X', SGXRA_E_SGXS_FORMAT, "unknown tag \"XCREATE\\x00\""},
      {0x40 + 3, 'X', SGXRA_E_SGXS_FORMAT, "unknown tag"},
      {0x80 + 7, 1, SGXRA_E_SGXS_FORMAT, "unknown tag"},
      {30, 1, SGXRA_E_SGXS_FORMAT, "ECREATE record at offset 0x0: byte 30"},
      {8, 0, SGXRA_E_MEASURE_SSAFRAMESIZE, "SSAFRAMESIZE is 0"},
      {13, 0x41, SGXRA_E_MEASURE_SIZE, "not a power of two"},
      {0x40 + 9, 0x40, SGXRA_E_MEASURE_RANGE, "outside SIZE 0x4000"},
      {0x40 + 8, 0x08, SGXRA_E_MEASURE_ALIGNMENT, "not page-aligned"},
      {0x40 + 17, 0x03, SGXRA_E_MEASURE_SECINFO, "page type 0x3"},
      {0x40 + 40, 1, SGXRA_E_MEASURE_SECINFO, "EADD record at offset 0x40"},
      {0x80 + 8, 0x10, SGXRA_E_MEASURE_ALIGNMENT, "256-byte"},
      {0x80 + 9, 0x30, SGXRA_E_MEASURE_NOT_ADDED, "never added"},
      {0x80 + 20, 1, SGXRA_E_SGXS_FORMAT, "EEXTEND record at offset 0x80"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    memcpy(p, orig, n);
    p[cases[i].at] = cases[i].val;
    memset(mr, 0xaa, 32);
    sgxra_err e = sgxra_measure_sgxs(cx, p, n, mr);
    if (e != cases[i].code)
      fail_msg("case %zu: got %s, want %s (%s)", i, sgxra_err_name(e),
               sgxra_err_name(cases[i].code), sgxra_ctx_message(cx));
    expect_msg(cx, cases[i].msg);
    assert_memory_equal(mr, zero32, 32);
  }
  /* A stream that starts without ECREATE, or has it twice. */
  assert_int_equal(sgxra_measure_sgxs(cx, orig + 64, n - 64, mr),
                   SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "SGXS record at offset 0x0: EADD before ECREATE");
  uint8_t two[128];
  memcpy(two, orig, 64);
  memcpy(two + 64, orig, 64);
  assert_int_equal(sgxra_measure_sgxs(cx, two, sizeof two, mr),
                   SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "offset 0x40: ECREATE on an enclave that was already");
  /* The same page added twice: copy the first EADD after its chunks. */
  uint8_t *dup = malloc(n + 64);
  assert_non_null(dup);
  memcpy(dup, orig, n);
  memcpy(dup + n, orig + 0x40, 64);
  assert_int_equal(sgxra_measure_sgxs(cx, dup, n + 64, mr),
                   SGXRA_E_MEASURE_DUPLICATE);
  expect_msg(cx, "EADD at offset 0x0: that page was already added");
  assert_int_equal(sgxra_measure_sgxs(cx, NULL, 5, mr),
                   SGXRA_E_INVALID_ARGUMENT);
  free(dup);
  free(p);
  free(orig);
  sgxra_ctx_free(cx);
}

/* Random damage (a fixed-seed generator, so failures replay): every result
 * is OK or one of the measurement codes, never a crash, and the output is
 * zeroed unless OK, and a damaged stream that replays never keeps the
 * original MRENCLAVE. */
static void sgxs_random_damage(void **state) {
  (void)state;
  size_t n;
  uint8_t *orig = tu_read_vector("identity/fortanix-rust-sgx/report.sgxs", &n);
  uint8_t *p = malloc(n);
  assert_non_null(p);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32], good[32];
  tu_hex(REPORT_SGXS_SHA256, good, 32);
  uint32_t x = 0x12345678u;
  int errors = 0, changed = 0;
  for (int round = 0; round < 3000; round++) {
    memcpy(p, orig, n);
    int flips = 1 + round % 3;
    for (int f = 0; f < flips; f++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      p[x % n] ^= (uint8_t)(1u << ((x >> 24) & 7));
    }
    size_t len = round % 7 == 0 ? (x >> 8) % (n + 1) : n;
    memset(mr, 0xaa, 32);
    sgxra_err e = sgxra_measure_sgxs(cx, p, len, mr);
    switch (e) {
    case SGXRA_OK:
      if (len == n && !memcmp(mr, good, 32)) {
        /* Only R/W/X of the TCS (EADD at 0x1480, FLAGS at +16) may change
         * without changing MRENCLAVE: the CPU clears them. */
        for (size_t i = 0; i < n; i++) {
          uint8_t d = p[i] ^ orig[i];
          if (d && !(i == 0x1480 + 16 && !(d & ~7)))
            fail_msg("round %d: damage at %zu kept the MRENCLAVE", round, i);
        }
      }
      if (memcmp(mr, good, 32)) changed++;
      break;
    case SGXRA_E_SGXS_FORMAT:
    case SGXRA_E_MEASURE_ORDER:
    case SGXRA_E_MEASURE_ALIGNMENT:
    case SGXRA_E_MEASURE_RANGE:
    case SGXRA_E_MEASURE_DUPLICATE:
    case SGXRA_E_MEASURE_NOT_ADDED:
    case SGXRA_E_MEASURE_SECINFO:
    case SGXRA_E_MEASURE_SIZE:
    case SGXRA_E_MEASURE_SSAFRAMESIZE:
      assert_memory_equal(mr, zero32, 32);
      errors++;
      break;
    default:
      fail_msg("round %d: unexpected %s (%s)", round, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    }
  }
  assert_true(errors > 100);
  assert_true(changed > 100);
  free(p);
  free(orig);
  sgxra_ctx_free(cx);
}

/* ---- builder misuse ---------------------------------------------------- */

static void misuse_order(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t page[4096] = {1}, mr[32];
  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_eadd(cx, m, 0, 0x100), SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "EADD before ECREATE");
  assert_int_equal(sgxra_measure_eextend(cx, m, 0, page),
                   SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "EEXTEND before ECREATE");
  assert_int_equal(sgxra_measure_add_page(cx, m, 0, 0x100, page, 1),
                   SGXRA_E_MEASURE_ORDER);
  memset(mr, 0xaa, 32);
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_E_MEASURE_ORDER);
  assert_memory_equal(mr, zero32, 32);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x2000), SGXRA_OK);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x2000),
                   SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "already created (SIZE 0x2000)");
  assert_int_equal(sgxra_measure_add_page(cx, m, 0, 0x100, page, 1), SGXRA_OK);
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
  assert_memory_not_equal(mr, zero32, 32);
  assert_int_equal(sgxra_measure_eadd(cx, m, 0x1000, 0x201),
                   SGXRA_E_MEASURE_ORDER);
  expect_msg(cx, "finalised");
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_E_MEASURE_ORDER);
  assert_memory_equal(mr, zero32, 32);
  sgxra_measure_free(m);
  assert_int_equal(sgxra_measure_eadd(cx, NULL, 0, 0x100),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_measure_free(NULL);
  sgxra_ctx_free(cx);
}

static void misuse_size(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  const struct {
    uint32_t ssa;
    uint64_t size;
    sgxra_err code;
    const char *msg;
  } cases[] = {
      {1, 0, SGXRA_E_MEASURE_SIZE, "SIZE 0x0 is below the minimum"},
      {1, 0x1000, SGXRA_E_MEASURE_SIZE, "SIZE 0x1000 is below the minimum"},
      {1, 0x3000, SGXRA_E_MEASURE_SIZE, "SIZE 0x3000 is not a power of two"},
      {1, 0x8001, SGXRA_E_MEASURE_SIZE, "not a power of two"},
      {1, 1ULL << 45, SGXRA_E_MEASURE_SIZE, "exceeds 0x100000000000"},
      {1, 1ULL << 63, SGXRA_E_MEASURE_SIZE, "largest enclave"},
      {0, 0x8000, SGXRA_E_MEASURE_SSAFRAMESIZE, "SSAFRAMESIZE is 0"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    sgxra_measure *m = fresh(cx);
    assert_int_equal(sgxra_measure_ecreate(cx, m, cases[i].ssa, cases[i].size),
                     cases[i].code);
    expect_msg(cx, cases[i].msg);
    /* A refused ECREATE leaves the builder new: a good one still works. */
    assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x2000), SGXRA_OK);
    sgxra_measure_free(m);
  }
  /* The largest SIZE is accepted, and its page map costs no real memory
   * until touched. */
  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, SGXRA_MEASURE_MAX_SIZE),
                   SGXRA_OK);
  assert_int_equal(
      sgxra_measure_eadd(cx, m, SGXRA_MEASURE_MAX_SIZE - 4096, 0x201),
      SGXRA_OK);
  sgxra_measure_free(m);
  sgxra_ctx_free(cx);
}

static void misuse_pages(void **state) {
  (void)state;
  size_t n;
  uint8_t *img = tu_read_vector("identity/enarx-sgx/encl.bin", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_measure *m = fresh(cx);
  assert_int_equal(sgxra_measure_ecreate(cx, m, 1, 0x8000), SGXRA_OK);
  const struct {
    int eextend;
    uint64_t off;
    uint64_t flags;
    sgxra_err code;
    const char *msg;
  } cases[] = {
      {0, 0x1010, 0x207, SGXRA_E_MEASURE_ALIGNMENT,
       "EADD at offset 0x1010 is not page-aligned"},
      {0, 0x9000, 0x207, SGXRA_E_MEASURE_RANGE,
       "EADD at offset 0x9000 is outside SIZE 0x8000"},
      {0, 0x8000, 0x207, SGXRA_E_MEASURE_RANGE, "outside SIZE 0x8000"},
      {0, UINT64_MAX & ~0xfffULL, 0x207, SGXRA_E_MEASURE_RANGE, "outside"},
      {0, 0x1000, 0x300, SGXRA_E_MEASURE_SECINFO, "page type 0x3"},
      {0, 0x1000, 0x000, SGXRA_E_MEASURE_SECINFO, "page type 0x0"},
      {0, 0x1000, 0x400, SGXRA_E_MEASURE_SECINFO, "page type 0x4"},
      {0, 0x1000, 0x208, SGXRA_E_MEASURE_SECINFO, "bits 0x8"},
      {0, 0x1000, 0x10207, SGXRA_E_MEASURE_SECINFO, "bits 0x10000"},
      {0, 0x1000, 0x202, SGXRA_E_MEASURE_SECINFO, "writable but not readable"},
      {1, 0x1001, 0, SGXRA_E_MEASURE_ALIGNMENT,
       "EEXTEND at offset 0x1001 is not 256-byte aligned (a multiple of "
       "0x100)"},
      {1, 0x1080, 0, SGXRA_E_MEASURE_ALIGNMENT, "256-byte"},
      {1, 0x8000, 0, SGXRA_E_MEASURE_RANGE,
       "EEXTEND at offset 0x8000 is outside SIZE 0x8000"},
      {1, 0x1100, 0, SGXRA_E_MEASURE_NOT_ADDED,
       "EEXTEND at offset 0x1100: its page 0x1000 was never added"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    sgxra_err e = cases[i].eextend
                      ? sgxra_measure_eextend(cx, m, cases[i].off, img)
                      : sgxra_measure_eadd(cx, m, cases[i].off, cases[i].flags);
    if (e != cases[i].code)
      fail_msg("case %zu: got %s, want %s (%s)", i, sgxra_err_name(e),
               sgxra_err_name(cases[i].code), sgxra_ctx_message(cx));
    expect_msg(cx, cases[i].msg);
  }
  assert_int_equal(sgxra_measure_eextend(cx, m, 0, NULL),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_measure_add_page(cx, m, 0, 0x100, NULL, 1),
                   SGXRA_E_INVALID_ARGUMENT);
  /* None of the refused operations changed the measurement: the real
   * pages still give the vector's MRENCLAVE, and re-adding one is refused. */
  for (size_t off = 0; off < n; off += 4096) {
    assert_int_equal(
        sgxra_measure_add_page(cx, m, off, off ? 0x207 : 0x100, img + off, 1),
        SGXRA_OK);
    assert_int_equal(sgxra_measure_eadd(cx, m, off, 0x207),
                     SGXRA_E_MEASURE_DUPLICATE);
    expect_msg(cx, "already added");
  }
  sgxra_measure_info info;
  sgxra_measure_get_info(m, &info);
  assert_int_equal(info.pages, 6);
  uint8_t mr[32];
  assert_int_equal(sgxra_measure_final(cx, m, mr), SGXRA_OK);
  tu_assert_hex(mr, 32, ENCL_MRENCLAVE);
  sgxra_measure_free(m);
  sgxra_ctx_free(cx);
  free(img);
}

static void raw_image_errors(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *img = calloc(1, 3 * 4096);
  assert_non_null(img);
  uint8_t mr[32];
  memset(mr, 0xaa, 32);
  assert_int_equal(sgxra_measure_raw_image(cx, img, 0, 1, 0x207, mr),
                   SGXRA_E_RAW_IMAGE_FORMAT);
  assert_memory_equal(mr, zero32, 32);
  assert_int_equal(sgxra_measure_raw_image(cx, img, 4097, 1, 0x207, mr),
                   SGXRA_E_RAW_IMAGE_FORMAT);
  expect_msg(cx, "4097 bytes is not a nonzero multiple of 4096");
  assert_int_equal(sgxra_measure_raw_image(cx, img, 4096, 1, 0x107, mr),
                   SGXRA_E_MEASURE_SECINFO);
  expect_msg(cx, "not a REG page");
  assert_int_equal(sgxra_measure_raw_image(cx, img, 4096, 0, 0x207, mr),
                   SGXRA_E_MEASURE_SSAFRAMESIZE);
  assert_int_equal(sgxra_measure_raw_image(cx, img, 8192, 1, 0x202, mr),
                   SGXRA_E_MEASURE_SECINFO);
  assert_memory_equal(mr, zero32, 32);
  /* One page: SIZE is the 2-page minimum; three pages: 0x4000. */
  assert_int_equal(sgxra_measure_raw_image(cx, img, 4096, 1, 0x207, mr),
                   SGXRA_OK);
  assert_int_equal(sgxra_measure_raw_image_size(1), 0x2000);
  assert_int_equal(sgxra_measure_raw_image_size(4096), 0x2000);
  assert_int_equal(sgxra_measure_raw_image_size(3 * 4096), 0x4000);
  assert_int_equal(sgxra_measure_raw_image_size(6 * 4096), 0x8000);
  assert_int_equal(sgxra_measure_raw_image_size(0x8000), 0x8000);
  assert_int_equal(sgxra_measure_raw_image_size(0x8001), 0x10000);
  assert_int_equal(sgxra_measure_raw_image_size(SGXRA_MEASURE_MAX_SIZE),
                   SGXRA_MEASURE_MAX_SIZE);
  assert_int_equal(sgxra_measure_raw_image_size(SGXRA_MEASURE_MAX_SIZE + 1), 0);
  free(img);
  sgxra_ctx_free(cx);
}

/* ---- allocation failure ---------------------------------------------------
 * OpenSSL's allocator (set first thing in main) fails after `budget`
 * allocations; the SHA-256 state is the builder's only OpenSSL
 * allocation.  Each run must succeed or fail with a code, zero its output
 * and leak nothing (the sanitizer build checks). */
static long budget = -1; /* < 0: unlimited */
static long failed_allocs;

static void *t_malloc(size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  if (budget == 0) {
    failed_allocs++;
    return NULL;
  }
  if (budget > 0) budget--;
  return malloc(n);
}
static void *t_realloc(void *p, size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  if (budget == 0) {
    failed_allocs++;
    return NULL;
  }
  if (budget > 0) budget--;
  return realloc(p, n);
}
static void t_free(void *p, const char *file, int line) {
  (void)file;
  (void)line;
  free(p);
}

static void alloc_failure(void **state) {
  (void)state;
  size_t n;
  uint8_t *img = tu_read_vector("identity/enarx-sgx/encl.bin", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t mr[32];
  /* warm up: the SHA-256 algorithm is fetched once per process */
  assert_int_equal(sgxra_sha256(cx, img, 1, mr), SGXRA_OK);
  int ok = 0, failures = 0;
  for (long k = 0; k < 64 && !ok; k++) {
    budget = k;
    memset(mr, 0xaa, 32);
    sgxra_err e = sgxra_measure_raw_image(cx, img, n, 1, 0x207, mr);
    budget = -1;
    if (e == SGXRA_OK) {
      tu_assert_hex(mr, 32, ENCL_MRENCLAVE);
      ok = 1;
    } else {
      if (e != SGXRA_E_NO_MEMORY && e != SGXRA_E_CRYPTO)
        fail_msg("budget %ld: %s (%s)", k, sgxra_err_name(e),
                 sgxra_ctx_message(cx));
      assert_memory_equal(mr, zero32, 32);
      failures++;
    }
  }
  assert_true(ok);
  assert_true(failures >= 1 && failed_allocs >= 1);
  sgxra_ctx_free(cx);
  free(img);
}

int main(void) {
  /* before anything makes OpenSSL allocate */
  if (!CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free)) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(raw_image_encl_bin),
      cmocka_unit_test(builder_equals_one_shot),
      cmocka_unit_test(record_layout),
      cmocka_unit_test(sgxs_test_enclave),
      cmocka_unit_test(sgxs_report_partial),
      cmocka_unit_test(sgxs_truncated),
      cmocka_unit_test(sgxs_streamed),
      cmocka_unit_test(sgxs_damaged),
      cmocka_unit_test(sgxs_random_damage),
      cmocka_unit_test(misuse_order),
      cmocka_unit_test(misuse_size),
      cmocka_unit_test(misuse_pages),
      cmocka_unit_test(raw_image_errors),
      cmocka_unit_test(alloc_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
