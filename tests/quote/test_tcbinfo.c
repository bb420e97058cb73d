/* Tests of TCB Info parsing and its signature (sgxra/collateral.h) on the
 * real PCS bodies of the bundles: v3 and v2 values, the signed span
 * (compact input verifies over its exact bytes, pretty-printed sgx-26
 * verifies, added whitespace verifies), edits inside tcbInfo break the
 * signature, and each kind of malformed input gives its own code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/timeutil.h"

/* The TCB signing certificate's chain of a bundle. */
static sgxra_x509_chain *signer(const char *bundle) {
  size_t n;
  uint8_t *p = tu_read_bundle(bundle, "tcb_info_issuer_chain.pem", &n);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, p, n, &ch), SGXRA_OK);
  free(p);
  return ch;
}

static const sgxra_p256_key *key_of(const sgxra_x509_chain *ch) {
  return sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0));
}

static int64_t t(const char *s) {
  int64_t v;
  assert_int_equal(sgxra_time_parse_rfc3339(NULL, s, strlen(s), &v), SGXRA_OK);
  return v;
}

/* Parse a bundle's TCB Info with `from` replaced by `to`: the code, *out
 * (NULL on failure) and the message in cx. */
static sgxra_err parse_edited(sgxra_ctx *cx, const char *bundle,
                              const char *from, const char *to,
                              sgxra_tcbinfo **out) {
  size_t n, m;
  uint8_t *p = tu_read_bundle(bundle, "tcb_info.json", &n);
  uint8_t *q = tu_replace(p, n, from, to, &m);
  *out = NULL;
  sgxra_err e = sgxra_tcbinfo_parse(cx, q, m, out);
  free(p);
  free(q);
  return e;
}

/* Parse the edited sgx-01 TCB Info and return the code (verifying the
 * signature when parsing succeeds). */
static sgxra_err edited(const char *from, const char *to) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_tcbinfo *ti = NULL;
  sgxra_err e = parse_edited(cx, "sgx-01-phala-v3", from, to, &ti);
  if (e == SGXRA_OK) {
    sgxra_x509_chain *ch = signer("sgx-01-phala-v3");
    e = sgxra_tcbinfo_verify(cx, ti, key_of(ch));
    sgxra_x509_chain_free(ch);
  } else {
    assert_null(ti);
  }
  if (e != SGXRA_OK)
    print_message("  %s -> %s: %s\n", from, sgxra_err_name(e),
                  sgxra_ctx_message(cx));
  sgxra_tcbinfo_free(ti);
  sgxra_ctx_free(cx);
  return e;
}

static void test_v3_values_and_exact_span(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(NULL, p, n, &ti), SGXRA_OK);
  assert_int_equal(ti->version, 3);
  assert_string_equal(ti->id, "SGX");
  assert_int_equal(ti->tcb_type, 0);
  assert_int_equal(ti->tcb_evaluation_data_number, 17);
  assert_int_equal(ti->level_count, 11);
  assert_int_equal(ti->levels[2].status, SGXRA_TCB_OUT_OF_DATE);
  assert_int_equal(ti->levels[2].tcb_date, t("2023-02-15T00:00:00Z"));
  assert_int_equal(ti->levels[2].advisory_count, 3);
  assert_string_equal(ti->levels[2].advisory_ids[0], "INTEL-SA-00828");
  assert_int_equal(ti->levels[3].status,
                   SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
  /* Compact input: the signed bytes are exactly the tcbInfo span. */
  const char *start = strstr((const char *)p, "{\"id\":\"SGX\"");
  const char *end = strstr((const char *)p, ",\"signature\":");
  assert_non_null(start);
  assert_non_null(end);
  assert_int_equal(ti->signed_len, (size_t)(end - start));
  assert_memory_equal(ti->signed_body, start, ti->signed_len);
  sgxra_x509_chain *ch = signer("sgx-01-phala-v3");
  assert_int_equal(sgxra_tcbinfo_verify(NULL, ti, key_of(ch)), SGXRA_OK);
  /* A flipped signature bit fails. */
  ti->signature[10] ^= 1;
  assert_int_equal(sgxra_tcbinfo_verify(NULL, ti, key_of(ch)),
                   SGXRA_E_TCBINFO_SIGNATURE);
  sgxra_x509_chain_free(ch);
  sgxra_tcbinfo_free(ti);
  free(p);
}

static void test_v2(void **state) {
  (void)state;
  static const char *const v2[] = {"sgx-03-dcaprs-v3-tcbinfo-v2",
                                   "sgx-14-mobilecoin-teepot-tcbinfo-v2-apiv3"};
  for (int b = 0; b < 2; b++) {
    size_t n;
    uint8_t *p = tu_read_bundle(v2[b], "tcb_info.json", &n);
    sgxra_tcbinfo *ti = NULL;
    assert_int_equal(sgxra_tcbinfo_parse(NULL, p, n, &ti), SGXRA_OK);
    assert_int_equal(ti->version, 2);
    assert_string_equal(ti->id, "");
    for (size_t i = 0; i < ti->level_count; i++)
      assert_int_equal(ti->levels[i].advisory_count, 0);
    sgxra_x509_chain *ch = signer(v2[b]);
    assert_int_equal(sgxra_tcbinfo_verify(NULL, ti, key_of(ch)), SGXRA_OK);
    sgxra_x509_chain_free(ch);
    if (b == 0) {
      static const uint8_t l0[16] = {14, 14, 3, 3, 255, 255, 1, 0,
                                     0,  0,  0, 0, 0,   0,   0, 0};
      tu_assert_hex(ti->fmspc, 6, "00606a000000");
      assert_int_equal(ti->tcb_evaluation_data_number, 17);
      assert_memory_equal(ti->levels[0].sgx_svn, l0, 16);
      assert_int_equal(ti->levels[0].pcesvn, 13);
      assert_int_equal(ti->levels[0].status, SGXRA_TCB_SW_HARDENING_NEEDED);
      assert_int_equal(ti->levels[0].tcb_date, t("2024-03-13T00:00:00Z"));
      assert_int_equal(ti->levels[1].status,
                       SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
      assert_int_equal(ti->issue_date, t("2025-02-13T03:29:42Z"));
    }
    sgxra_tcbinfo_free(ti);
    free(p);
  }
}

/* sgx-26's body is pretty-printed; its signature is over the compact
 * form, which must come out byte for byte. */
static void test_pretty_printed(void **state) {
  (void)state;
  const char *b = "sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid";
  size_t n;
  uint8_t *p = tu_read_bundle(b, "tcb_info.json", &n);
  assert_non_null(memchr(p, '\n', n));
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(NULL, p, n, &ti), SGXRA_OK);
  assert_null(memchr(ti->signed_body, '\n', ti->signed_len));
  assert_true(ti->signed_len < n);
  tu_assert_hex(ti->fmspc, 6, "30606a000000");
  assert_int_equal(ti->issue_date, t("2025-09-28T06:06:22Z"));
  sgxra_x509_chain *ch = signer(b);
  assert_int_equal(sgxra_tcbinfo_verify(NULL, ti, key_of(ch)), SGXRA_OK);
  sgxra_x509_chain_free(ch);
  sgxra_tcbinfo_free(ti);
  free(p);
}

static void test_edits_break_signature(void **state) {
  (void)state;
  /* Insignificant whitespace is not signed. */
  assert_int_equal(
      edited("{\"tcbInfo\":{\"id\"", "{ \"tcbInfo\" :\n {\n\t\"id\""),
      SGXRA_OK);
  assert_int_equal(edited("\"pcesvn\":13}", "\"pcesvn\" : 13 }"), SGXRA_OK);
  /* A changed character inside tcbInfo is. */
  assert_int_equal(
      edited("\"fmspc\":\"00A067110000\"", "\"fmspc\":\"00A067110001\""),
      SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(edited("\"pcesvn\":13}", "\"pcesvn\":12}"),
                   SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(edited("INTEL-SA-00615", "INTEL-SA-00616"),
                   SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(edited("\"INTEL-SA-00615\"", "\"INTEL-SA-00615 \""),
                   SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(edited("\"tcbEvaluationDataNumber\":17",
                          "\"tcbEvaluationDataNumber\":18"),
                   SGXRA_E_TCBINFO_SIGNATURE);
  /* Member order is signed too. */
  assert_int_equal(edited("\"tcbType\":0,\"tcbEvaluationDataNumber\":17",
                          "\"tcbEvaluationDataNumber\":17,\"tcbType\":0"),
                   SGXRA_E_TCBINFO_SIGNATURE);
  /* Outside tcbInfo the signature itself. */
  assert_int_equal(edited("\"signature\":\"", "\"signature\":\"0"),
                   SGXRA_E_TCBINFO_HEX);
}

static void test_format_errors(void **state) {
  (void)state;
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-06-19 10:56:11Z\""),
                   SGXRA_E_TCBINFO_DATE);
  assert_int_equal(edited("\"nextUpdate\":\"2025-07-19T10:56:11Z\"",
                          "\"nextUpdate\":\"2025-02-30T10:56:11Z\""),
                   SGXRA_E_TCBINFO_DATE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T00:00:00+01:00\""),
                   SGXRA_E_TCBINFO_DATE);
  /* Intel's PCS writes an uppercase T and Z and seconds 00..59: the forms
   * RFC 3339 also allows (lowercase t / z, a leap second) are refused. */
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-06-19t10:56:11Z\""),
                   SGXRA_E_TCBINFO_DATE);
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-06-19T10:56:11z\""),
                   SGXRA_E_TCBINFO_DATE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T23:59:60Z\""),
                   SGXRA_E_TCBINFO_DATE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T00:00:60Z\""),
                   SGXRA_E_TCBINFO_DATE);
  /* The last second of a day is a date like any other. */
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T23:59:59Z\""),
                   SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(
      edited("\"fmspc\":\"00A067110000\"", "\"fmspc\":\"00A06711000G\""),
      SGXRA_E_TCBINFO_HEX);
  assert_int_equal(
      edited("\"fmspc\":\"00A067110000\"", "\"fmspc\":\"00A0671100\""),
      SGXRA_E_TCBINFO_HEX);
  assert_int_equal(edited("\"pceId\":\"0000\"", "\"pceId\":\"00000\""),
                   SGXRA_E_TCBINFO_HEX);
  assert_int_equal(edited("\"tcbStatus\":\"SWHardeningNeeded\"",
                          "\"tcbStatus\":\"SwHardeningNeeded\""),
                   SGXRA_E_TCBINFO_STATUS);
  assert_int_equal(
      edited("\"tcbStatus\":\"OutOfDate\"", "\"tcbStatus\":\"Bogus\""),
      SGXRA_E_TCBINFO_STATUS);
  assert_int_equal(edited("\"version\":3", "\"version\":4"),
                   SGXRA_E_TCBINFO_VERSION);
  assert_int_equal(edited("\"version\":3", "\"version\":1"),
                   SGXRA_E_TCBINFO_VERSION);
  assert_int_equal(edited("\"id\":\"SGX\"", "\"id\":\"TDX\""),
                   SGXRA_E_TCBINFO_ID);
  assert_int_equal(edited("\"id\":\"SGX\"", "\"id\":\"SEV\""),
                   SGXRA_E_TCBINFO_ID);
  assert_int_equal(edited("\"pcesvn\":13}", "\"pcesvn\":\"13\"}"),
                   SGXRA_E_TCBINFO_FIELD);
  /* Intel keeps an SVN's low 8 bits (QVL TcbComponent::TcbComponent):
   * 256 parses (as 0), so only the signature fails; see
   * test_intel_integer_rules */
  assert_int_equal(edited("{\"svn\":255}", "{\"svn\":256}"),
                   SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(edited("{\"svn\":255}", "{\"svn\":4294967296}"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("{\"svn\":255}", "{\"svn\":-1}"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("{\"svn\":11}", "{\"svn\":11.0}"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("{\"svn\":11},", ""), SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("\"tcbType\":0,", ""), SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(
      edited("\"advisoryIDs\":[\"INTEL-SA-00615\"]", "\"advisoryIDs\":[615]"),
      SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("{\"tcbInfo\":", "{\"tcbInfo\":1,\"x\":"),
                   SGXRA_E_TCBINFO_FORMAT);
  /* Duplicate names: the first wins, as rapidjson's FindMember in QVL
   * (issue 13 class G); here the first tcbInfo is {} (Intel:
   * TCBINFO_UNSUPPORTED_FORMAT, as this code maps). */
  assert_int_equal(edited("{\"tcbInfo\":", "{\"tcbInfo\":{},\"tcbInfo\":"),
                   SGXRA_E_TCBINFO_FIELD);
  /* ... and a later duplicate changes nothing */
  assert_int_equal(edited("{\"tcbInfo\":", "{\"x\":1,\"x\":{},\"tcbInfo\":"),
                   SGXRA_OK);
  assert_int_equal(edited("{\"tcbInfo\":", "[{\"tcbInfo\":"),
                   SGXRA_E_TCBINFO_FORMAT);
}

/* Intel's QvE reads a date by its first 20 characters and ignores what
 * follows the Z (QVL TimeUtils.cpp qvlStringToTime, the enclave build;
 * issue 13 class O: "2026-01-01T00:00:00Zjunk" -> SGX_QL_SUCCESS from
 * Intel).  The edit breaks the signature, which is checked after the
 * parse; the parse itself keeps the date. */
static void test_date_trailing_text(void **state) {
  (void)state;
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-06-19T10:56:11Zjunk\""),
                   SGXRA_E_TCBINFO_SIGNATURE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T00:00:00Z+01:00\""),
                   SGXRA_E_TCBINFO_SIGNATURE);
  /* what comes before the Z is still checked */
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-13-19T10:56:11Zjunk\""),
                   SGXRA_E_TCBINFO_DATE);
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-06-19T10:56:11\""),
                   SGXRA_E_TCBINFO_DATE);
  size_t n, m;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  uint8_t *q = tu_replace(p, n, "\"issueDate\":\"2025-06-19T10:56:11Z\"",
                          "\"issueDate\":\"2025-06-19T10:56:11Z.999\"", &m);
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(NULL, q, m, &ti), SGXRA_OK);
  assert_int_equal(ti->issue_date, t("2025-06-19T10:56:11Z"));
  sgxra_tcbinfo_free(ti);
  free(p);
  free(q);
}

/* Parse the edited sgx-01 TCB Info (no signature check). */
static sgxra_tcbinfo *parsed(const char *from, const char *to) {
  size_t n, m;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  uint8_t *q = tu_replace(p, n, from, to, &m);
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(NULL, q, m, &ti), SGXRA_OK);
  free(p);
  free(q);
  return ti;
}

/* Intel's integer rules (issue 13 class N; tests/verify_diff synth/):
 * a component SVN is any unsigned 32-bit integer kept as its low 8 bits
 * (QVL TcbComponent::TcbComponent, TcbLevel::setCpuSvn: Intel answers
 * CONFIG_NEEDED for synth/tcb_component_svn_256, the edited level then
 * sorting below the next one); tcbType must be 0 (QVL
 * TcbInfo::parsePartV2: TCBINFO_UNSUPPORTED_FORMAT for synth/tcb_type_1). */
/* A bad component names its exact place: the level, the component and the
 * key (the path is written only when a message needs it). */
static void expect_message(const char *bundle, const char *from, const char *to,
                           sgxra_err want, const char *text) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(parse_edited(cx, bundle, from, to, &ti), want);
  assert_null(ti);
  if (!strstr(sgxra_ctx_message(cx), text))
    fail_msg("message '%s' lacks '%s'", sgxra_ctx_message(cx), text);
  sgxra_ctx_free(cx);
}

static void test_component_paths(void **state) {
  (void)state;
  /* sgx-01 (v3): level 0 is 11,11,2,2,255,...; the first {"svn":2} is its
   * third component */
  expect_message("sgx-01-phala-v3", "{\"svn\":2}", "{\"svn\":\"2\"}",
                 SGXRA_E_TCBINFO_FIELD,
                 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[2].svn");
  expect_message("sgx-01-phala-v3", "{\"svn\":2}", "2", SGXRA_E_TCBINFO_FIELD,
                 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[2] is not an "
                 "object");
  expect_message("sgx-01-phala-v3", "{\"svn\":2}", "{\"svn\":-2}",
                 SGXRA_E_TCBINFO_FIELD,
                 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomponents[2].svn is -2");
  /* sgx-03 (v2): the components are keys of the level's tcb */
  expect_message("sgx-03-dcaprs-v3-tcbinfo-v2", "\"sgxtcbcomp16svn\"",
                 "\"sgxtcbcompXXsvn\"", SGXRA_E_TCBINFO_FIELD,
                 "tcbInfo.tcbLevels[0].tcb.sgxtcbcomp16svn");
}

/* A level whose advisoryIDs array has 300 000 more entries parses with all
 * of them, in order (the JSON reader's arrays are walked element by
 * element; finding each entry from the start took minutes on this). */
static void test_long_advisory_list(void **state) {
  (void)state;
  enum { EXTRA = 300000 };
  const char *from = "\"advisoryIDs\":[\"INTEL-SA-00615\"]";
  size_t fl = strlen(from);
  char *to = malloc(fl + (size_t)EXTRA * 4 + 1);
  assert_non_null(to);
  memcpy(to, from, fl - 1); /* without the closing ']' */
  size_t m = fl - 1;
  for (int i = 0; i < EXTRA; i++) {
    memcpy(to + m, ",\"x\"", 4);
    m += 4;
  }
  to[m++] = ']';
  to[m] = '\0';
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(parse_edited(cx, "sgx-01-phala-v3", from, to, &ti),
                   SGXRA_OK);
  size_t found = 0;
  for (size_t i = 0; i < ti->level_count; i++) {
    const sgxra_tcb_level *l = &ti->levels[i];
    if (l->advisory_count != EXTRA + 1) continue;
    found++;
    assert_string_equal(l->advisory_ids[0], "INTEL-SA-00615");
    assert_string_equal(l->advisory_ids[EXTRA], "x");
  }
  assert_int_equal(found, 1);
  sgxra_tcbinfo_free(ti);
  sgxra_ctx_free(cx);
  free(to);
}

static void test_intel_integer_rules(void **state) {
  (void)state;
  sgxra_tcbinfo *ti = parsed("{\"svn\":255}", "{\"svn\":256}");
  int hit = 0;
  for (size_t i = 0; i < ti->level_count; i++)
    for (unsigned k = 0; k < 16; k++) hit += ti->levels[i].sgx_svn[k] == 255;
  sgxra_tcbinfo_free(ti);
  ti = parsed("{\"svn\":255}", "{\"svn\":4294967295}");
  int hit2 = 0;
  for (size_t i = 0; i < ti->level_count; i++)
    for (unsigned k = 0; k < 16; k++) hit2 += ti->levels[i].sgx_svn[k] == 255;
  sgxra_tcbinfo_free(ti);
  ti = parsed("{\"svn\":255}", "{\"svn\":257}");
  int ones = 0, ones_before;
  for (size_t i = 0; i < ti->level_count; i++)
    for (unsigned k = 0; k < 16; k++) ones += ti->levels[i].sgx_svn[k] == 1;
  sgxra_tcbinfo_free(ti);
  ti = parsed("{\"svn\":255}", "{\"svn\":255}");
  int orig = 0;
  ones_before = 0;
  for (size_t i = 0; i < ti->level_count; i++)
    for (unsigned k = 0; k < 16; k++) {
      orig += ti->levels[i].sgx_svn[k] == 255;
      ones_before += ti->levels[i].sgx_svn[k] == 1;
    }
  sgxra_tcbinfo_free(ti);
  /* the first "svn":255 became 0 (256), stayed 255 (2^32-1), became 1 (257) */
  assert_true(orig > 0);
  assert_int_equal(hit, orig - 1);
  assert_int_equal(hit2, orig);
  assert_int_equal(ones, ones_before + 1);
  assert_int_equal(edited("\"tcbType\":0,", "\"tcbType\":1,"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("\"tcbType\":0,", "\"tcbType\":-1,"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited("\"tcbType\":0,", "\"tcbType\":4294967296,"),
                   SGXRA_E_TCBINFO_FIELD);
}

/* Intel refuses a TCB Info with two levels of the same TCB (16 SVNs and
 * PCESVN), whatever their statuses (QVL TcbInfo::parsePartV2, "Detected
 * duplicated TCB levels" -> TCBINFO_UNSUPPORTED_FORMAT; tests/verify_diff
 * synth/tcb_level_duplicate_*).  Levels differing only in PCESVN, or equal
 * only after Intel's 8-bit SVN cast, are checked too. */
#define L0_HEAD "{\"tcb\":{\"sgxtcbcomponents\":["
#define L0_TAIL                                                                \
  "{\"svn\":11},{\"svn\":2},{\"svn\":2},{\"svn\":255},{\"svn\":1},{\"svn\":"   \
  "12},"                                                                       \
  "{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"   \
  "{\"svn\":0},{\"svn\":0},{\"svn\":0}],\"pcesvn\":"
#define L0_TCB L0_HEAD "{\"svn\":11}," L0_TAIL
static void test_duplicate_levels(void **state) {
  (void)state;
  const char *lv = "\"tcbLevels\":[";
  /* the first level again, Revoked, after it and before it */
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":"
                          "\"SWHardeningNeeded\",\"advisoryIDs\":[\"INTEL-SA-"
                          "00615\"]},",
                          "\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":"
                          "\"SWHardeningNeeded\",\"advisoryIDs\":[\"INTEL-SA-"
                          "00615\"]}," L0_TCB
                          "13},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                          "\"tcbStatus\":\"Revoked\"},"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited(lv, "\"tcbLevels\":[" L0_TCB
                              "13},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                              "\"tcbStatus\":\"UpToDate\"},"),
                   SGXRA_E_TCBINFO_FIELD);
  /* another PCESVN: a different level (only the signature fails) */
  assert_int_equal(edited(lv, "\"tcbLevels\":[" L0_TCB
                              "14},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                              "\"tcbStatus\":\"UpToDate\"},"),
                   SGXRA_E_TCBINFO_SIGNATURE);
  /* 267 = 11 + 256: the same level once cast to 8 bits */
  assert_int_equal(edited(lv, "\"tcbLevels\":[" L0_HEAD "{\"svn\":267}," L0_TAIL
                              "13},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                              "\"tcbStatus\":\"UpToDate\"},"),
                   SGXRA_E_TCBINFO_FIELD);
  assert_int_equal(edited(lv, "\"tcbLevels\":[" L0_HEAD "{\"svn\":268}," L0_TAIL
                              "13},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                              "\"tcbStatus\":\"UpToDate\"},"),
                   SGXRA_E_TCBINFO_SIGNATURE);
}

/* A level's pcesvn is any unsigned 32-bit integer for Intel (QVL
 * TcbLevel::parseSvns); one above 65535 never matches a platform (16-bit
 * PCESVN), so sgxra drops it after the duplicate check: Intel answers with
 * the next level (tests/verify_diff synth/tcb_pcesvn_65536). */
static void test_unreachable_levels(void **state) {
  (void)state;
  sgxra_tcbinfo *ti = parsed("\"pcesvn\":13}", "\"pcesvn\":13}");
  size_t all = ti->level_count;
  sgxra_tcb_status second = ti->levels[1].status;
  sgxra_tcbinfo_free(ti);
  ti = parsed("\"pcesvn\":13}", "\"pcesvn\":65536}");
  assert_int_equal(ti->level_count, all - 1);
  assert_int_equal(ti->levels[0].status, second);
  sgxra_tcbinfo_free(ti);
  ti = parsed("\"pcesvn\":13}", "\"pcesvn\":65535}");
  assert_int_equal(ti->level_count, all);
  assert_int_equal(ti->levels[0].pcesvn, 65535);
  sgxra_tcbinfo_free(ti);
  assert_int_equal(edited("\"pcesvn\":13}", "\"pcesvn\":4294967296}"),
                   SGXRA_E_TCBINFO_FIELD);
  /* two equal levels above 65535 are still duplicates */
  assert_int_equal(edited("\"tcbLevels\":[",
                          "\"tcbLevels\":[" L0_TCB
                          "70000},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                          "\"tcbStatus\":\"UpToDate\"}," L0_TCB
                          "70000},\"tcbDate\":\"2024-03-13T00:00:00Z\","
                          "\"tcbStatus\":\"Revoked\"},"),
                   SGXRA_E_TCBINFO_FIELD);
}

/* Every truncation fails cleanly (never OK, never a crash). */
static void test_truncation(void **state) {
  (void)state;
  size_t n;
  uint8_t *p =
      tu_read_bundle("sgx-03-dcaprs-v3-tcbinfo-v2", "tcb_info.json", &n);
  for (size_t k = 0; k < n; k++) {
    sgxra_tcbinfo *ti = (sgxra_tcbinfo *)1;
    uint8_t *q = malloc(k + 1);
    memcpy(q, p, k);
    assert_int_not_equal(sgxra_tcbinfo_parse(NULL, q, k, &ti), SGXRA_OK);
    assert_null(ti);
    free(q);
  }
  free(p);
}

/* Flip one bit of every byte of a compact body: each copy is refused, by
 * the parser or by the signature (no byte of it is insignificant). */
static void test_every_byte_matters(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  sgxra_x509_chain *ch = signer("sgx-01-phala-v3");
  size_t by_parser = 0, by_signature = 0;
  for (size_t i = 0; i < n; i++) {
    p[i] ^= 0x01;
    sgxra_tcbinfo *ti = NULL;
    sgxra_err e = sgxra_tcbinfo_parse(NULL, p, n, &ti);
    if (e == SGXRA_OK) {
      e = sgxra_tcbinfo_verify(NULL, ti, key_of(ch));
      if (e == SGXRA_OK)
        fail_msg("flipping byte %zu ('%c') went unnoticed", i, p[i]);
      assert_int_equal(e, SGXRA_E_TCBINFO_SIGNATURE);
      by_signature++;
    } else {
      assert_null(ti);
      by_parser++;
    }
    sgxra_tcbinfo_free(ti);
    p[i] ^= 0x01;
  }
  print_message("  %zu flips refused by the parser, %zu by the signature\n",
                by_parser, by_signature);
  assert_true(by_signature > n / 4);
  sgxra_x509_chain_free(ch);
  free(p);
}

/* The document's syntax is checked whole, including what the de-duplicated
 * reading drops: a later duplicate member is not used, but it must still be
 * JSON (jansson's syntax: literals, number forms and ranges, strings with
 * valid UTF-8 and no NUL).  Each edit here is refused as a format error
 * with the "not valid JSON" message, at the top level, inside the signed
 * body and nested in a dropped value; trailing text too. */
static sgxra_err edited_msg(const char *from, const char *to, char *msg,
                            size_t msg_size) {
  size_t n, m;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  uint8_t *q = tu_replace(p, n, from, to, &m);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_tcbinfo *ti = NULL;
  sgxra_err e = sgxra_tcbinfo_parse(cx, q, m, &ti);
  snprintf(msg, msg_size, "%s", sgxra_ctx_message(cx));
  if (e != SGXRA_OK) assert_null(ti);
  sgxra_tcbinfo_free(ti);
  sgxra_ctx_free(cx);
  free(p);
  free(q);
  return e;
}

static void test_syntax_of_dropped_duplicates(void **state) {
  (void)state;
  static const char *const bad[] = {
      "tru",
      "nul",
      "falsey",
      "01",
      "1.",
      ".5",
      "+1",
      "-",
      "1e",
      "1e+",
      "0x10",
      "1e999",
      "-1e999",
      "99999999999999999999",
      "\"\\u0000\"",
      "\"\\udc00\"",
      "\"\\ud800\"",
      "\"\xff\"",
      "\"\xc0\xaf\"",
      "\"\\x\"",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\":tru}",
      "[tru]",
      "{\"a\":1,\"a\":tru}",
      "\"a\tb\"",
      "1 2",
      "NaN",
      "Infinity",
  };
  char msg[512];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char to[128];
    /* a later duplicate at the top level */
    snprintf(to, sizeof to, "{\"x\":1,\"x\":%s,\"tcbInfo\":", bad[i]);
    sgxra_err e = edited_msg("{\"tcbInfo\":", to, msg, sizeof msg);
    if (e != SGXRA_E_TCBINFO_FORMAT || strstr(msg, "not valid JSON") == NULL)
      fail_msg("top-level duplicate %s -> %s: %s", bad[i], sgxra_err_name(e),
               msg);
    /* a later duplicate of a member of the signed body */
    snprintf(to, sizeof to, "\"id\":\"SGX\",\"id\":%s", bad[i]);
    e = edited_msg("\"id\":\"SGX\"", to, msg, sizeof msg);
    if (e != SGXRA_E_TCBINFO_FORMAT || strstr(msg, "not valid JSON") == NULL)
      fail_msg("body duplicate %s -> %s: %s", bad[i], sgxra_err_name(e), msg);
    /* nested inside a dropped value */
    snprintf(to, sizeof to, "{\"x\":1,\"x\":{\"y\":[%s]},\"tcbInfo\":", bad[i]);
    e = edited_msg("{\"tcbInfo\":", to, msg, sizeof msg);
    if (e != SGXRA_E_TCBINFO_FORMAT || strstr(msg, "not valid JSON") == NULL)
      fail_msg("nested in a dropped value %s -> %s: %s", bad[i],
               sgxra_err_name(e), msg);
    /* and where it is read */
    snprintf(to, sizeof to, "\"version\":%s", bad[i]);
    e = edited_msg("\"version\":3", to, msg, sizeof msg);
    if (e != SGXRA_E_TCBINFO_FORMAT)
      fail_msg("kept value %s -> %s: %s", bad[i], sgxra_err_name(e), msg);
  }
  /* A duplicate name with invalid UTF-8: the key itself is checked. */
  assert_int_equal(
      edited_msg("{\"tcbInfo\":", "{\"\xff\":1,\"\xff\":2,\"tcbInfo\":", msg,
                 sizeof msg),
      SGXRA_E_TCBINFO_FORMAT);
  assert_int_equal(edited_msg("{\"tcbInfo\":",
                              "{\"x\":1,\"x\":1,\"x\xff\":1,\"tcbInfo\":", msg,
                              sizeof msg),
                   SGXRA_E_TCBINFO_FORMAT);
  /* Valid later duplicates of every kind change nothing: the signature of
   * the unchanged body still verifies. */
  static const char *const good[] = {
      "true",         "null",
      "-0",           "1.5e-3",
      "1E+2",         "\"\\ud83d\\ude00\"",
      "\"\xc3\xa9\"", "{\"a\":1,\"a\":[]}",
      "[]",           "{}",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    char to[128];
    snprintf(to, sizeof to, "{\"x\":1,\"x\":%s,\"tcbInfo\":", good[i]);
    if (edited("{\"tcbInfo\":", to) != SGXRA_OK)
      fail_msg("valid duplicate %s refused", good[i]);
  }
  /* Trailing text after the document; trailing NULs are not text. */
  size_t n;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\0')) n--;
  static const char *const tails[] = {" x", "}", ",", " {}", "\x01", "\xff"};
  for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
    size_t k = strlen(tails[i]);
    uint8_t *q = malloc(n + k);
    memcpy(q, p, n);
    memcpy(q + n, tails[i], k);
    sgxra_tcbinfo *ti = NULL;
    assert_int_equal(sgxra_tcbinfo_parse(NULL, q, n + k, &ti),
                     SGXRA_E_TCBINFO_FORMAT);
    assert_null(ti);
    free(q);
  }
  uint8_t *q = malloc(n + 3);
  memcpy(q, p, n);
  memcpy(q + n, " \n\0", 3);
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(NULL, q, n + 3, &ti), SGXRA_OK);
  sgxra_tcbinfo_free(ti);
  free(q);
  free(p);
}

/* Nesting: values up to 64 levels below the document are read, deeper
 * ones refused (the rapidjson-like reading's limit), with or without
 * duplicate names elsewhere in the document. */
static sgxra_err nested(size_t arrays, const char *inner, int dup) {
  char to[1024];
  size_t k = (size_t)snprintf(to, sizeof to,
                              "{%s\"x\":", dup ? "\"d\":1,\"d\":2," : "");
  for (size_t i = 0; i < arrays; i++) to[k++] = '[';
  k += (size_t)snprintf(to + k, sizeof to - k, "%s", inner);
  for (size_t i = 0; i < arrays; i++) to[k++] = ']';
  snprintf(to + k, sizeof to - k, ",\"tcbInfo\":");
  return edited("{\"tcbInfo\":", to);
}

static void test_nesting_limit(void **state) {
  (void)state;
  for (int dup = 0; dup < 2; dup++) {
    assert_int_equal(nested(63, "1", dup), SGXRA_OK);
    assert_int_equal(nested(64, "", dup), SGXRA_OK);
    assert_int_equal(nested(64, "1", dup), SGXRA_E_TCBINFO_FORMAT);
    assert_int_equal(nested(65, "", dup), SGXRA_E_TCBINFO_FORMAT);
    assert_int_equal(nested(63, "{}", dup), SGXRA_OK);
    assert_int_equal(nested(63, "{\"a\":1}", dup), SGXRA_E_TCBINFO_FORMAT);
  }
}

/* The signed bytes of a body written differently from rapidjson's Writer
 * are the Writer's form: escapes and spaces normalised; a body already in
 * that form is signed as it is. */
static void test_signed_body_forms(void **state) {
  (void)state;
  static const struct {
    const char *member, *signed_as;
  } cases[] = {
      {"\"x\":\"a\\/b\"", "\"x\":\"a/b\""},
      {"\"x\":\"\\u001f\"", "\"x\":\"\\u001F\""},
      {"\"x\":\"\\u001F\"", "\"x\":\"\\u001F\""},
      {"\"x\":\"\\u0041\"", "\"x\":\"A\""},
      {"\"x\":\"\\u000a\"", "\"x\":\"\\n\""},
      {"\"x\":\"\\n\\t\\\"\\\\\"", "\"x\":\"\\n\\t\\\"\\\\\""},
      {"\"x\" : [ 1 , {} ]", "\"x\":[1,{}]"},
      {"\"x\":\"\\u00e9\"", "\"x\":\"\xc3\xa9\""},
      {"\"x\":\"\xc3\xa9\"", "\"x\":\"\xc3\xa9\""},
  };
  size_t n;
  uint8_t *p = tu_read_bundle("sgx-01-phala-v3", "tcb_info.json", &n);
  sgxra_tcbinfo *orig = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(NULL, p, n, &orig), SGXRA_OK);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char to[256];
    snprintf(to, sizeof to, "{\"id\":\"SGX\",%s,", cases[i].member);
    size_t m;
    uint8_t *q = tu_replace(p, n, "{\"id\":\"SGX\",", to, &m);
    sgxra_tcbinfo *ti = NULL;
    assert_int_equal(sgxra_tcbinfo_parse(NULL, q, m, &ti), SGXRA_OK);
    char want[256];
    int wl =
        snprintf(want, sizeof want, "{\"id\":\"SGX\",%s,", cases[i].signed_as);
    if (ti->signed_len != orig->signed_len + (size_t)wl - 12 ||
        memcmp(ti->signed_body, want, (size_t)wl) != 0 ||
        memcmp(ti->signed_body + wl, orig->signed_body + 12,
               orig->signed_len - 12) != 0)
      fail_msg("member %s: signed as %.*s", cases[i].member, wl + 10,
               (const char *)ti->signed_body);
    sgxra_tcbinfo_free(ti);
    free(q);
  }
  sgxra_tcbinfo_free(orig);
  free(p);
}

static void test_status_names(void **state) {
  (void)state;
  for (int s = SGXRA_TCB_UP_TO_DATE; s <= SGXRA_TCB_REVOKED; s++) {
    const char *name = sgxra_tcb_status_name((sgxra_tcb_status)s);
    assert_int_equal(sgxra_tcb_status_from_name(name, strlen(name)), s);
  }
  assert_string_equal(sgxra_tcb_status_name(SGXRA_TCB_OUT_OF_DATE),
                      "OutOfDate");
  assert_int_equal(sgxra_tcb_status_from_name("UpToDat", 7),
                   SGXRA_TCB_STATUS_INVALID);
  assert_string_equal(sgxra_tcb_status_name((sgxra_tcb_status)99), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_v3_values_and_exact_span),
      cmocka_unit_test(test_v2),
      cmocka_unit_test(test_pretty_printed),
      cmocka_unit_test(test_edits_break_signature),
      cmocka_unit_test(test_format_errors),
      cmocka_unit_test(test_date_trailing_text),
      cmocka_unit_test(test_intel_integer_rules),
      cmocka_unit_test(test_duplicate_levels),
      cmocka_unit_test(test_unreachable_levels),
      cmocka_unit_test(test_truncation),
      cmocka_unit_test(test_every_byte_matters),
      cmocka_unit_test(test_syntax_of_dropped_duplicates),
      cmocka_unit_test(test_nesting_limit),
      cmocka_unit_test(test_signed_body_forms),
      cmocka_unit_test(test_status_names),
      cmocka_unit_test(test_component_paths),
      cmocka_unit_test(test_long_advisory_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
