/* Tests of the appraisal (sgxra_appraise): the decision and every reason
 * code for identities x policies x verdicts.
 *
 * Verdicts are real: the 13 DCAP bundles of ../shared/vectors/dcap/bundles
 * verified at their verification time (none is UpToDate: their platforms
 * are SWHardeningNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate; two
 * have expired collateral), a bundle quote with one byte of its signed body
 * changed (not genuine), and quotes from the emulated platform
 * (sgxra/emu.h, UpToDate) by enclaves of two signers and two ISVSVNs.  One
 * row constructs its verdict: a DEBUG enclave (a real verdict with
 * ATTRIBUTES.DEBUG set afterwards), because the emulator's image signer
 * refuses DEBUG.
 *
 * Registry-backed rows run on both backends: SQLite in a temporary folder
 * and PostgreSQL at $SGXRA_TEST_PG_URL or the URL ctest's pg_cluster_start
 * fixture writes to <build>/pg-cluster.url, in a schema of its own (the
 * PostgreSQL half is SKIPPED without a server); the in-memory view is
 * checked to give the same reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include "common/bundles.h"
#include "common/testdb.h"
#include "common/testutil.h"
#include "sgxra/emu.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/policy.h"
#include "sgxra/qe.h"
#include "sgxra/sigstruct.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define B01 "sgx-01-phala-v3"
#define B03 "sgx-03-dcaprs-v3-tcbinfo-v2"
#define B25 "sgx-25-mobilecoin-2023-expired-pck-crl"
#define ME01 "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"
#define MS01 "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6"

/* ---- the two backends (as tests/store/test_store.c) ---------------------- */

typedef struct backend {
  int pg;
} backend;
static const backend SQ = {0}, PG = {1};

typedef struct env {
  tu_db db; /* the database: tests/common/testdb.h */
  sgxra_ctx *cx;
  sgxra_store *st;
} env;

static void env_init(env *e, void **state) {
  memset(e, 0, sizeof(*e));
  const backend *b = *state;
  tu_db_init(&e->db, b->pg);
  e->cx = sgxra_ctx_new();
  if (sgxra_store_open(e->cx, e->db.url, 1700000000, &e->st))
    fail_msg("open %s: %s", e->db.url, sgxra_ctx_message(e->cx));
}

static void env_done(env *e) {
  sgxra_store_close(e->st);
  tu_db_done(&e->db);
  sgxra_ctx_free(e->cx);
}

#define OK(cx, call)                                                           \
  do {                                                                         \
    sgxra_err err_ = (call);                                                   \
    if (err_)                                                                  \
      fail_msg("%s: %s [%s]", #call, sgxra_ctx_message(cx),                    \
               sgxra_err_name(err_));                                          \
  } while (0)

/* ---- verdicts from the bundles ------------------------------------------- */

typedef struct bundle {
  const char *name;
  json_t *exp;
  int64_t now;
  sgxra_collateral *coll;
  sgxra_verdict v;
} bundle;

static void bundle_load(sgxra_ctx *cx, const char *name, bundle *b) {
  memset(b, 0, sizeof(*b));
  b->name = name;
  b->exp = tu_bundle_expected(name);
  b->now =
      json_integer_value(json_object_get(b->exp, "verification_time_unix"));
  if (sgxra_collateral_load_dir(cx, tu_bundle_dir(name), &b->coll) ||
      sgxra_collateral_validate(cx, b->coll, NULL, b->now))
    fail_msg("%s: %s", name, sgxra_ctx_message(cx));
  size_t n;
  uint8_t *q = tu_read_bundle(name, "quote.bin", &n);
  sgxra_verifier *vf = NULL;
  OK(cx, sgxra_verifier_new(cx, b->coll, &vf));
  OK(cx, sgxra_verifier_verify(cx, vf, q, n, b->now, &b->v));
  sgxra_verifier_free(vf);
  free(q);
  if (b->v.err) fail_msg("%s: %s", name, b->v.reason);
}

static void bundle_free(bundle *b) {
  json_decref(b->exp);
  sgxra_collateral_free(b->coll);
}

/* The registry entry for a verdict's enclave, "as registered" from its
 * SIGSTRUCT: the report's attributes without INIT. */
static sgxra_store_enclave entry_for(const sgxra_verdict *v) {
  sgxra_store_enclave en;
  memset(&en, 0, sizeof(en));
  memcpy(en.mrenclave, v->report.mrenclave, 32);
  memcpy(en.mrsigner, v->report.mrsigner, 32);
  en.isvprodid = v->report.isvprodid;
  en.isvsvn = v->report.isvsvn;
  en.attributes.flags = v->report.attributes.flags & ~SGXRA_ATTR_INIT;
  en.attributes.xfrm = v->report.attributes.xfrm;
  en.meta.source = SGXRA_STORE_SOURCE_SIGSTRUCT;
  return en;
}

static sgxra_policy policy_of(sgxra_ctx *cx, const char *doc) {
  sgxra_policy p;
  if (sgxra_policy_parse(cx, doc, strlen(doc), &p))
    fail_msg("policy %s: %s", doc, sgxra_ctx_message(cx));
  return p;
}

#define PERMISSIVE                                                             \
  "{\"sgxra_policy\":1,\"accept_tcb_status\":[\"UpToDate\","                   \
  "\"SWHardeningNeeded\",\"ConfigurationNeeded\","                             \
  "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","                       \
  "\"OutOfDateConfigurationNeeded\"],\"allow_expired_collateral\":true,"       \
  "\"allow_debug\":true"

/* Assert the decision's reason codes, in order (NONE-terminated). */
static void expect_codes(const char *what, const sgxra_decision *d,
                         const sgxra_reason_code *want) {
  size_t n = 0;
  while (want[n] != SGXRA_REASON_NONE) n++;
  int same = d->reason_count == n;
  for (size_t i = 0; same && i < n; i++) same = d->reasons[i].code == want[i];
  if (!same) {
    char got[1024] = "";
    for (size_t i = 0; i < d->reason_count; i++) {
      strcat(got, sgxra_reason_name(d->reasons[i].code));
      strcat(got, " ");
    }
    fail_msg("%s: reasons [%s], want %zu others; first message: %s", what, got,
             n, d->reason_count ? d->reasons[0].message : "-");
  }
  assert_int_equal(d->trusted, n == 0);
  /* SGXRA_TEST_SHOW=1: print every message (docs/APPRAISAL.md quotes them) */
  if (getenv("SGXRA_TEST_SHOW"))
    for (size_t i = 0; i < d->reason_count; i++)
      print_message("%s %s: %s\n", what, sgxra_reason_name(d->reasons[i].code),
                    d->reasons[i].message);
}

static const char *message_of(const sgxra_decision *d, sgxra_reason_code c) {
  for (size_t i = 0; i < d->reason_count; i++)
    if (d->reasons[i].code == c) return d->reasons[i].message;
  fail_msg("no reason %s", sgxra_reason_name(c));
  return NULL;
}

static sgxra_decision appraise(sgxra_ctx *cx, const sgxra_verdict *v,
                               const sgxra_registry_view *view,
                               const sgxra_policy *p,
                               const sgxra_appraise_options *o, int64_t now) {
  sgxra_decision d;
  OK(cx, sgxra_appraise(cx, v, view, p, o, now, &d));
  return d;
}

/* ---- every bundle x registered or not x policies ------------------------ */

static void test_bundles(void **state) {
  env e;
  env_init(&e, state);
  sgxra_ctx *cx = e.cx;
  sgxra_registry_view sv = sgxra_registry_view_store(e.st);
  sgxra_policy def;
  OK(cx, sgxra_policy_default(cx, &def));
  int rows = 0;

  for (int bi = 0; bi < TU_BUNDLE_COUNT; bi++) {
    bundle b;
    bundle_load(cx, tu_bundles[bi], &b);
    const sgxra_verdict *v = &b.v;
    /* each bundle starts with an empty registry (some bundles share a
     * quote, so an entry left behind would match the next) */
    sgxra_registry_memory *mem = NULL;
    OK(cx, sgxra_registry_memory_new(cx, &mem));
    sgxra_registry_view mv = sgxra_registry_view_memory(mem);
    /* what the bundle is, from expected.json rather than from the verdict */
    const char *status = json_string_value(
        json_object_get(json_object_get(b.exp, "matched_tcb_level"), "status"));
    int expired = (int)json_integer_value(
        json_object_get(b.exp, "collateral_expiration_status"));
    json_t *adv = json_object_get(b.exp, "advisory_ids");
    size_t nadv = json_array_size(adv);
    int debug = (v->report.attributes.flags & SGXRA_ATTR_DEBUG) != 0;
    int debug_key = sgxra_mrsigner_is_debug_key(v->report.mrsigner, NULL);
    int ood = strncmp(status, "OutOfDate", 9) == 0;
    assert_string_not_equal(status, "UpToDate");
    sgxra_appraise_options o;
    memset(&o, 0, sizeof(o));
    o.collateral = b.coll;

    /* A: nothing registered, default policy */
    sgxra_reason_code want[24];
    size_t k = 0;
    want[k++] = SGXRA_REASON_TCB_STATUS_NOT_ACCEPTED;
    if (expired) want[k++] = SGXRA_REASON_COLLATERAL_EXPIRED;
    if (debug) want[k++] = SGXRA_REASON_DEBUG_ENCLAVE;
    want[k++] = SGXRA_REASON_MRENCLAVE_NOT_REGISTERED;
    if (debug_key) want[k++] = SGXRA_REASON_DEBUG_SIGNER;
    want[k] = SGXRA_REASON_NONE;
    sgxra_decision d = appraise(cx, v, &sv, &def, &o, b.now);
    expect_codes(b.name, &d, want);
    char msg[200];
    snprintf(msg, sizeof msg,
             "platform TCB status %s is not accepted (the "
             "policy accepts UpToDate)",
             status);
    assert_non_null(
        strstr(message_of(&d, SGXRA_REASON_TCB_STATUS_NOT_ACCEPTED), msg));
    /* the same with the in-memory view, also empty */
    sgxra_decision dm = appraise(cx, v, &mv, &def, &o, b.now);
    expect_codes(b.name, &dm, want);
    assert_memory_equal(d.policy_sha256, def.sha256, 32);
    assert_int_equal(d.at, b.now);
    rows += 2;

    /* B: registered exactly, a policy that accepts this platform */
    sgxra_store_enclave en = entry_for(v);
    int64_t id;
    OK(cx, sgxra_store_enclave_add(cx, e.st, &en, "isv", b.now, &id));
    OK(cx, sgxra_registry_memory_add_enclave(cx, mem, &en, SGXRA_REF_ALL));
    sgxra_policy perm = policy_of(cx, PERMISSIVE "}");
    sgxra_reason_code only_key[] = {SGXRA_REASON_DEBUG_SIGNER,
                                    SGXRA_REASON_NONE};
    sgxra_reason_code none[] = {SGXRA_REASON_NONE};
    d = appraise(cx, v, &sv, &perm, &o, b.now);
    expect_codes(b.name, &d, debug_key ? only_key : none);
    assert_int_equal(d.match, SGXRA_MATCH_ENCLAVE);
    assert_int_equal(d.enclave.meta.id, id);
    assert_string_equal(d.enclave.meta.added_by, "isv");
    dm = appraise(cx, v, &mv, &perm, &o, b.now);
    expect_codes(b.name, &dm, debug_key ? only_key : none);
    rows += 2;

    /* C: advisories: the last ID missing from the allow list; then denied */
    if (nadv > 0) {
      char doc[2048];
      size_t o2 = (size_t)snprintf(doc, sizeof doc,
                                   PERMISSIVE ",\"advisories\":{\"allow\":[");
      for (size_t i = 0; i + 1 < nadv; i++)
        o2 += (size_t)snprintf(doc + o2, sizeof doc - o2, "%s\"%s\"",
                               i ? "," : "",
                               json_string_value(json_array_get(adv, i)));
      snprintf(doc + o2, sizeof doc - o2, "]}}");
      sgxra_policy pa = policy_of(cx, doc);
      const char *last = json_string_value(json_array_get(adv, nadv - 1));
      sgxra_reason_code w1[] = {SGXRA_REASON_ADVISORY_NOT_ALLOWED,
                                SGXRA_REASON_DEBUG_SIGNER, SGXRA_REASON_NONE};
      if (!debug_key) w1[1] = SGXRA_REASON_NONE;
      d = appraise(cx, v, &sv, &pa, &o, b.now);
      expect_codes(b.name, &d, w1);
      snprintf(msg, sizeof msg, "affected by advisory %s, not in", last);
      assert_non_null(
          strstr(message_of(&d, SGXRA_REASON_ADVISORY_NOT_ALLOWED), msg));
      snprintf(doc, sizeof doc,
               PERMISSIVE ",\"advisories\":{\"deny\":[\"%s\"]}}",
               json_string_value(json_array_get(adv, 0)));
      sgxra_policy pd = policy_of(cx, doc);
      w1[0] = SGXRA_REASON_ADVISORY_DENIED;
      d = appraise(cx, v, &sv, &pd, &o, b.now);
      expect_codes(b.name, &d, w1);
      rows += 2;
    }

    /* D: the grace period of an OutOfDate platform, from its level's
     * tcbDate: 0 days is over (the level is older than the check), 3650
     * days is not */
    if (ood) {
      char doc[1024];
      snprintf(doc, sizeof doc, PERMISSIVE ",\"out_of_date_grace_days\":0}");
      sgxra_policy pg0 = policy_of(cx, doc);
      sgxra_reason_code w2[] = {SGXRA_REASON_TCB_GRACE_EXCEEDED,
                                SGXRA_REASON_DEBUG_SIGNER, SGXRA_REASON_NONE};
      if (!debug_key) w2[1] = SGXRA_REASON_NONE;
      d = appraise(cx, v, &sv, &pg0, &o, b.now);
      expect_codes(b.name, &d, w2);
      const char *tcb_date = json_string_value(json_object_get(
          json_object_get(b.exp, "matched_tcb_level"), "tcb_date"));
      assert_non_null(
          strstr(message_of(&d, SGXRA_REASON_TCB_GRACE_EXCEEDED), tcb_date));
      snprintf(doc, sizeof doc, PERMISSIVE ",\"out_of_date_grace_days\":3650}");
      sgxra_policy pg1 = policy_of(cx, doc);
      d = appraise(cx, v, &sv, &pg1, &o, b.now);
      expect_codes(b.name, &d, debug_key ? only_key : none);
      rows += 2;
    }

    /* E: expired collateral refused unless allowed */
    if (expired) {
      sgxra_policy px = policy_of(
          cx, "{\"sgxra_policy\":1,\"allow_debug\":true,"
              "\"accept_tcb_status\":[\"SWHardeningNeeded\",\"OutOfDate\"]}");
      sgxra_reason_code w3[] = {SGXRA_REASON_COLLATERAL_EXPIRED,
                                SGXRA_REASON_DEBUG_SIGNER, SGXRA_REASON_NONE};
      if (!debug_key) w3[1] = SGXRA_REASON_NONE;
      d = appraise(cx, v, &sv, &px, &o, b.now);
      expect_codes(b.name, &d, w3);
      rows++;
    }

    /* F: collateral age from the earlier issueDate of TCB Info and QE
     * Identity */
    const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(b.coll);
    const sgxra_qeidentity *qi = sgxra_collateral_qeidentity(b.coll);
    int64_t issued =
        ti->issue_date < qi->issue_date ? ti->issue_date : qi->issue_date;
    int64_t age_days = (b.now - issued) / 86400;
    if (age_days >= 1) {
      char doc[1024];
      snprintf(doc, sizeof doc, PERMISSIVE ",\"max_collateral_age_days\":%lld}",
               (long long)age_days);
      sgxra_policy pold = policy_of(cx, doc);
      sgxra_reason_code w4[] = {SGXRA_REASON_COLLATERAL_TOO_OLD,
                                SGXRA_REASON_DEBUG_SIGNER, SGXRA_REASON_NONE};
      if (!debug_key) w4[1] = SGXRA_REASON_NONE;
      /* exactly age_days old and a bit: over the limit only if the
       * remainder is > 0, so check one day further */
      d = appraise(cx, v, &sv, &pold, &o, b.now + 86400);
      expect_codes(b.name, &d, w4);
      d = appraise(cx, v, &sv, &pold, &o, issued + age_days * 86400);
      expect_codes(b.name, &d, debug_key ? only_key : none);
      rows += 2;
    }

    /* G: REPORTDATA binding */
    sgxra_appraise_options ro = o;
    OK(cx,
       sgxra_appraise_options_report_data(cx, &ro, v->report.reportdata, 64));
    d = appraise(cx, v, &sv, &perm, &ro, b.now);
    expect_codes(b.name, &d, debug_key ? only_key : none);
    ro.report_data[63] ^= 1;
    sgxra_reason_code w5[] = {SGXRA_REASON_DEBUG_SIGNER,
                              SGXRA_REASON_REPORT_DATA_MISMATCH,
                              SGXRA_REASON_NONE};
    d = appraise(cx, v, &sv, &perm, &ro, b.now);
    expect_codes(b.name, &d, debug_key ? w5 : w5 + 1);
    rows += 2;
    OK(cx,
       sgxra_store_revoke(cx, e.st, SGXRA_STORE_ENCLAVES, id, "isv", b.now));
    sgxra_registry_memory_free(mem);
    bundle_free(&b);
  }
  print_message("%s: %d bundle rows\n", e.db.pg ? "postgresql" : "sqlite",
                rows);
  env_done(&e);
}

/* ---- identity rows on one real verdict ------------------------------------
 */

static void test_identity(void **state) {
  env e;
  env_init(&e, state);
  sgxra_ctx *cx = e.cx;
  bundle b;
  bundle_load(cx, B01, &b);
  const sgxra_verdict *v = &b.v;
  tu_assert_hex(v->report.mrenclave, 32, ME01);
  tu_assert_hex(v->report.mrsigner, 32, MS01);
  assert_int_equal(v->report.isvprodid, 0);
  assert_int_equal(v->report.isvsvn, 0);
  sgxra_registry_view sv = sgxra_registry_view_store(e.st);
  sgxra_appraise_options o;
  memset(&o, 0, sizeof(o));
  o.collateral = b.coll;
  sgxra_policy perm = policy_of(cx, PERMISSIVE "}");
  sgxra_policy strict =
      policy_of(cx, "{\"sgxra_policy\":1,"
                    "\"accept_tcb_status\":[\"UpToDate\","
                    "\"ConfigurationAndSWHardeningNeeded\"]}");

  /* every identity field registered differently: four reasons at once */
  sgxra_store_enclave en = entry_for(v);
  en.mrsigner[0] ^= 0xff;
  en.isvprodid = 1;
  en.isvsvn = 4;
  /* an XSAVE feature registered that the quote's XFRM lacks */
  uint64_t missing = 1;
  while (v->report.attributes.xfrm & missing) missing <<= 1;
  en.attributes.xfrm |= missing;
  int64_t id;
  OK(cx, sgxra_store_enclave_add(cx, e.st, &en, "isv", b.now, &id));
  sgxra_decision d = appraise(cx, v, &sv, &strict, &o, b.now);
  sgxra_reason_code w1[] = {
      SGXRA_REASON_MRSIGNER_MISMATCH, SGXRA_REASON_ISVPRODID_MISMATCH,
      SGXRA_REASON_ISVSVN_MISMATCH, SGXRA_REASON_ATTRIBUTES_MISMATCH,
      SGXRA_REASON_NONE};
  expect_codes("mismatches", &d, w1);
  char msg[400];
  snprintf(msg, sizeof msg,
           "MRENCLAVE %s is registered (entry #%lld) with ISVSVN 4; the quote "
           "has ISVSVN 0",
           ME01, (long long)id);
  assert_string_equal(message_of(&d, SGXRA_REASON_ISVSVN_MISMATCH), msg);
  assert_non_null(strstr(message_of(&d, SGXRA_REASON_MRSIGNER_MISMATCH),
                         "the quote's MRSIGNER is " MS01));
  assert_int_equal(d.match, SGXRA_MATCH_ENCLAVE);

  /* revoked: the signer entry decides; ISVSVN below its minimum */
  OK(cx, sgxra_store_revoke(cx, e.st, SGXRA_STORE_ENCLAVES, id, "isv", b.now));
  sgxra_store_signer sg;
  memset(&sg, 0, sizeof(sg));
  memcpy(sg.mrsigner, v->report.mrsigner, 32);
  sg.isvprodid = 0;
  sg.min_isvsvn = 1;
  sg.meta.source = SGXRA_STORE_SOURCE_HEX;
  int64_t sid;
  OK(cx, sgxra_store_signer_add(cx, e.st, &sg, "isv", b.now, &sid));
  d = appraise(cx, v, &sv, &strict, &o, b.now);
  sgxra_reason_code w2[] = {SGXRA_REASON_ISVSVN_BELOW_MINIMUM,
                            SGXRA_REASON_NONE};
  expect_codes("signer minimum", &d, w2);
  snprintf(msg, sizeof msg,
           "MRENCLAVE %s is not registered; MRSIGNER %s is trusted for "
           "ISVPRODID 0 from ISVSVN 1 (entry #%lld), this enclave has ISVSVN 0",
           ME01, MS01, (long long)sid);
  assert_string_equal(message_of(&d, SGXRA_REASON_ISVSVN_BELOW_MINIMUM), msg);
  assert_int_equal(d.match, SGXRA_MATCH_SIGNER);
  assert_int_equal(d.signer.meta.id, sid);
  OK(cx, sgxra_store_revoke(cx, e.st, SGXRA_STORE_SIGNERS, sid, "isv", b.now));
  sg.min_isvsvn = 0;
  OK(cx, sgxra_store_signer_add(cx, e.st, &sg, "isv", b.now, &sid));
  d = appraise(cx, v, &sv, &strict, &o, b.now);
  sgxra_reason_code none[] = {SGXRA_REASON_NONE};
  expect_codes("signer trusted", &d, none);

  /* the decision as JSON, and its audit row */
  char *js = NULL;
  OK(cx, sgxra_decision_to_json(cx, &d, 1, &js));
  json_t *j = json_loads(js, 0, NULL);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "decision")),
                      "trusted");
  assert_int_equal(json_array_size(json_object_get(j, "reasons")), 0);
  json_t *jm = json_object_get(j, "match");
  assert_string_equal(json_string_value(json_object_get(jm, "kind")), "signer");
  assert_int_equal(json_integer_value(json_object_get(jm, "id")), sid);
  json_t *jv = json_object_get(j, "verdict");
  assert_string_equal(json_string_value(json_object_get(jv, "return")),
                      "SGX_QL_SUCCESS");
  assert_string_equal(json_string_value(json_object_get(jv, "verdict")),
                      "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED");
  assert_string_equal(json_string_value(json_object_get(jv, "fmspc")),
                      "00a067110000");
  assert_string_equal(json_string_value(json_object_get(jv, "tcb_status")),
                      "ConfigurationAndSWHardeningNeeded");
  assert_string_equal(
      json_string_value(json_array_get(json_object_get(jv, "advisory_ids"), 1)),
      "INTEL-SA-00615");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(j, "identity"), "mrenclave")),
                      ME01);
  assert_string_equal(json_string_value(json_object_get(j, "at")),
                      "2025-07-01T00:00:00Z");
  char sha[65];
  sgxra_hex_encode(strict.sha256, 32, sha);
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(j, "policy"), "sha256")),
                      sha);
  json_decref(j);
  int64_t seq;
  OK(cx, sgxra_decision_audit(cx, e.st, &d, "sp-1", &seq));
  sgxra_store_audit_row *rows = NULL;
  size_t nrows = 0;
  OK(cx, sgxra_store_audit_list(cx, e.st, seq - 1, 10, &rows, &nrows));
  assert_int_equal(nrows, 1);
  assert_string_equal(rows[0].kind, "decision");
  assert_string_equal(rows[0].actor, "sp-1");
  assert_int_equal(rows[0].at, b.now);
  assert_string_equal(rows[0].payload, js);
  sgxra_store_free(rows);
  free(js);
  sgxra_store_audit_check chk;
  OK(cx, sgxra_store_audit_verify(cx, e.st, &chk));

  /* denied: wins, and the other reasons are still given */
  sgxra_store_deny dn;
  memset(&dn, 0, sizeof(dn));
  memcpy(dn.mrenclave, v->report.mrenclave, 32);
  snprintf(dn.reason, sizeof dn.reason, "CVE-2026-0001 in the enclave");
  dn.meta.source = SGXRA_STORE_SOURCE_HEX;
  int64_t did;
  OK(cx, sgxra_store_deny_add(cx, e.st, &dn, "security", b.now, &did));
  d = appraise(cx, v, &sv, &strict, &o, b.now);
  sgxra_reason_code w3[] = {SGXRA_REASON_MRENCLAVE_DENIED, SGXRA_REASON_NONE};
  expect_codes("denied", &d, w3);
  assert_int_equal(d.denied, 1);
  assert_non_null(
      strstr(message_of(&d, SGXRA_REASON_MRENCLAVE_DENIED),
             "by security at 2025-07-01T00:00:00Z): CVE-2026-0001"));
  sgxra_policy def;
  OK(cx, sgxra_policy_default(cx, &def));
  d = appraise(cx, v, &sv, &def, &o, b.now);
  sgxra_reason_code w4[] = {SGXRA_REASON_MRENCLAVE_DENIED,
                            SGXRA_REASON_TCB_STATUS_NOT_ACCEPTED,
                            SGXRA_REASON_NONE};
  expect_codes("denied, default policy", &d, w4);
  OK(cx,
     sgxra_store_revoke(cx, e.st, SGXRA_STORE_DENIED, did, "security", b.now));

  /* DEBUG (constructed: the real verdict with ATTRIBUTES.DEBUG set) */
  sgxra_verdict dv = *v;
  dv.report.attributes.flags |= SGXRA_ATTR_DEBUG;
  d = appraise(cx, &dv, &sv, &strict, &o, b.now);
  sgxra_reason_code w5[] = {SGXRA_REASON_DEBUG_ENCLAVE, SGXRA_REASON_NONE};
  expect_codes("debug", &d, w5);
  d = appraise(cx, &dv, &sv, &perm, &o, b.now);
  expect_codes("debug allowed", &d, none);

  /* not genuine: a real verification failure (one REPORTDATA byte of the
   * signed body changed: the quote signature fails); the identity is still
   * checked and reported */
  size_t qn;
  uint8_t *q = tu_read_bundle(B01, "quote.bin", &qn);
  q[48 + 320] ^= 1;
  sgxra_verifier *vf = NULL;
  OK(cx, sgxra_verifier_new(cx, b.coll, &vf));
  sgxra_verdict bad;
  OK(cx, sgxra_verifier_verify(cx, vf, q, qn, b.now, &bad));
  sgxra_verifier_free(vf);
  free(q);
  assert_int_not_equal(bad.err, SGXRA_OK);
  d = appraise(cx, &bad, &sv, &perm, &o, b.now);
  sgxra_reason_code w6[] = {SGXRA_REASON_QUOTE_NOT_GENUINE, SGXRA_REASON_NONE};
  expect_codes("not genuine", &d, w6);
  assert_non_null(strstr(message_of(&d, SGXRA_REASON_QUOTE_NOT_GENUINE),
                         "SGX_QL_RESULT_INVALID_SIGNATURE"));
  /* a verdict for a quote that did not parse: only that reason */
  sgxra_verdict none_v;
  memset(&none_v, 0, sizeof(none_v));
  none_v.err = SGXRA_E_QUOTE_TRUNCATED;
  none_v.ql_return = SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED;
  d = appraise(cx, &none_v, &sv, &perm, &o, b.now);
  expect_codes("unparsed", &d, w6);

  /* REPORTDATA required and not given */
  sgxra_policy req = policy_of(cx, PERMISSIVE ",\"require_report_data\":true}");
  d = appraise(cx, v, &sv, &req, &o, b.now);
  sgxra_reason_code w7[] = {SGXRA_REASON_REPORT_DATA_NOT_GIVEN,
                            SGXRA_REASON_NONE};
  expect_codes("report data required", &d, w7);

  /* errors: no decision but an error, the decision zeroed */
  sgxra_decision z;
  memset(&z, 0, sizeof(z));
  assert_int_equal(sgxra_appraise(cx, v, NULL, &strict, &o, b.now, &d),
                   SGXRA_E_POLICY_NO_REGISTRY);
  assert_memory_equal(&d, &z, sizeof(d));
  sgxra_registry_view nv = sgxra_registry_view_store(NULL);
  assert_int_equal(sgxra_appraise(cx, v, &nv, &strict, &o, b.now, &d),
                   SGXRA_E_POLICY_NO_REGISTRY);
  assert_int_equal(sgxra_appraise(cx, v, &sv, NULL, &o, b.now, &d),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_policy aged =
      policy_of(cx, PERMISSIVE ",\"max_collateral_age_days\":30}");
  assert_int_equal(sgxra_appraise(cx, v, &sv, &aged, NULL, b.now, &d),
                   SGXRA_E_POLICY_INPUT);
  assert_memory_equal(&d, &z, sizeof(d));
  bundle other;
  bundle_load(cx, B03, &other);
  sgxra_appraise_options wrong = {0, {0}, other.coll, 0};
  assert_int_equal(sgxra_appraise(cx, v, &sv, &perm, &wrong, b.now, &d),
                   SGXRA_E_POLICY_INPUT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "FMSPC 00606a000000"));
  bundle_free(&other);
  /* a database that cannot answer: the store's error, never a decision */
  tu_db_exec(&e.db, "ALTER TABLE enclaves RENAME TO enclaves_gone");
  sgxra_err err = sgxra_appraise(cx, v, &sv, &perm, &o, b.now, &d);
  assert_int_not_equal(err, SGXRA_OK);
  assert_int_equal(err, sgxra_ctx_error(cx));
  assert_memory_equal(&d, &z, sizeof(d));
  tu_db_exec(&e.db, "ALTER TABLE enclaves_gone RENAME TO enclaves");

  /* the store's policy: version and hash named in the decision */
  sgxra_policy sp;
  assert_int_equal(sgxra_policy_load_store(cx, e.st, 0, &sp),
                   SGXRA_E_STORE_NOT_FOUND);
  const char *doc = PERMISSIVE "}";
  sgxra_store_policy_info info;
  OK(cx,
     sgxra_store_policy_set(cx, e.st, doc, strlen(doc), "admin", b.now, &info));
  const char *bad_doc = "{\"sgxra_policy\":1,\"allow_debug\":\"yes\"}";
  OK(cx, sgxra_store_policy_set(cx, e.st, bad_doc, strlen(bad_doc), "admin",
                                b.now, &info));
  assert_int_equal(sgxra_policy_load_store(cx, e.st, 0, &sp),
                   SGXRA_E_POLICY_TYPE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "policy version 2 in "));
  OK(cx, sgxra_policy_load_store(cx, e.st, 1, &sp));
  assert_int_equal(sp.version, 1);
  d = appraise(cx, v, &sv, &sp, &o, b.now);
  assert_int_equal(d.policy_version, 1);
  assert_memory_equal(d.policy_sha256, perm.sha256, 32);
  bundle_free(&b);
  env_done(&e);
}

/* ---- "why is my platform not UpToDate", recomputed from tcb_info.json ---- */

static void test_tcb_explanation(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_registry_memory *mem = NULL;
  OK(cx, sgxra_registry_memory_new(cx, &mem));
  sgxra_registry_view mv = sgxra_registry_view_memory(mem);
  sgxra_policy def;
  OK(cx, sgxra_policy_default(cx, &def));
  int explained = 0;
  for (int bi = 0; bi < TU_BUNDLE_COUNT; bi++) {
    bundle b;
    bundle_load(cx, tu_bundles[bi], &b);
    size_t n;
    uint8_t *tj = tu_read_bundle(b.name, "tcb_info.json", &n);
    json_t *root = json_loadb((const char *)tj, n, 0, NULL);
    json_t *t = json_object_get(root, "tcbInfo");
    free(tj);
    assert_non_null(t);
    /* the first UpToDate level in JSON order (Intel's newest first) */
    json_t *lv, *best = NULL;
    size_t i;
    json_array_foreach(json_object_get(t, "tcbLevels"), i, lv) {
      if (strcmp(json_string_value(json_object_get(lv, "tcbStatus")),
                 "UpToDate") == 0) {
        best = lv;
        break;
      }
    }
    /* none: the newest level, whatever its status */
    int has_up_to_date = best != NULL;
    if (!best) best = json_array_get(json_object_get(t, "tcbLevels"), 0);
    json_t *pck = json_object_get(b.exp, "pck");
    sgxra_appraise_options o = {0, {0}, b.coll, 0};
    sgxra_decision d = appraise(cx, &b.v, &mv, &def, &o, b.now);
    const char *x = d.tcb_explanation;
    assert_int_equal(strstr(x, "TCB Info has no UpToDate level") == NULL,
                     has_up_to_date);
    {
      json_t *tcb = json_object_get(best, "tcb");
      json_t *comps = json_object_get(tcb, "sgxtcbcomponents");
      int shorts = 0;
      for (int c = 0; c < 16; c++) {
        json_int_t want;
        if (comps) {
          want = json_integer_value(
              json_object_get(json_array_get(comps, (size_t)c), "svn"));
        } else {
          char key[32];
          snprintf(key, sizeof key, "sgxtcbcomp%02dsvn", c + 1);
          want = json_integer_value(json_object_get(tcb, key));
        }
        json_int_t have = json_integer_value(
            json_array_get(json_object_get(pck, "comps"), (size_t)c));
        char frag[64];
        snprintf(frag, sizeof frag, "%d: %lld < %lld", c + 1, (long long)have,
                 (long long)want);
        if (have < want) {
          shorts++;
          if (!strstr(x, frag))
            fail_msg("%s: '%s' lacks '%s'", b.name, x, frag);
        }
      }
      json_int_t pw = json_integer_value(json_object_get(tcb, "pcesvn"));
      json_int_t ph = json_integer_value(json_object_get(pck, "pcesvn"));
      assert_int_equal(strstr(x, "PCESVN") != NULL, ph < pw);
      assert_non_null(
          strstr(x, json_string_value(json_object_get(best, "tcbDate"))));
      if (ph < pw || shorts) explained++;
    }
    /* the explanation is in the reason's message too */
    assert_non_null(
        strstr(message_of(&d, SGXRA_REASON_TCB_STATUS_NOT_ACCEPTED), x));
    json_decref(root);
    bundle_free(&b);
  }
  print_message("%d platforms with components short of UpToDate\n", explained);
  assert_true(explained >= 3);
  sgxra_registry_memory_free(mem);
  sgxra_ctx_free(cx);
}

/* ---- emulated platform: UpToDate, two signers, two ISVSVNs -------------- */

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

typedef struct emu {
  char *dir;
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_collateral *coll;
  sgxra_x509_chain *root;
} emu;

static void emu_setup(emu *f) {
  memset(f, 0, sizeof(*f));
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  char cadir[4200], path[4200], serial[41];
  snprintf(cadir, sizeof cadir, "%s/ca", f->dir);
  if (sgxra_intelca_create(f->cx, cadir, NOW, &f->ca))
    fail_msg("CA: %s", sgxra_ctx_message(f->cx));
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  uint16_t pcesvn;
  sgxra_intelca_tcb_current(f->ca, cfg.tcb_svns, &pcesvn);
  cfg.pcesvn = pcesvn;
  if (sgxra_emu_platform_new(f->cx, &cfg, &f->plat) ||
      sgxra_qe_provision(f->cx, f->plat, f->ca, f->dir, NOW, serial) ||
      sgxra_qe_open(f->cx, f->plat, f->dir, &f->qe))
    fail_msg("platform: %s", sgxra_ctx_message(f->cx));
  snprintf(path, sizeof path, "%s/bundle", f->dir);
  OK(f->cx, sgxra_intelca_write_bundle(f->cx, f->ca, cfg.fmspc, NOW, path));
  OK(f->cx, sgxra_collateral_load_dir(f->cx, path, &f->coll));
  const char *pem = sgxra_intelca_root_pem(f->ca);
  OK(f->cx, sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem, strlen(pem),
                                       &f->root));
  OK(f->cx, sgxra_collateral_validate(f->cx, f->coll,
                                      sgxra_x509_chain_get(f->root, 0), NOW));
}

static void emu_teardown(emu *f) {
  sgxra_collateral_free(f->coll);
  sgxra_x509_chain_free(f->root);
  sgxra_qe_free(f->qe);
  sgxra_emu_platform_free(f->plat);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
}

/* Sign the image `name` with `key` (ISVPRODID 7, `isvsvn`), load it, have
 * it report to the QE, quote, verify: the verdict. */
static void emu_verdict(emu *f, const sgxra_rsa_key *key, const char *name,
                        uint16_t isvsvn, sgxra_verdict *out) {
  uint8_t ss[SGXRA_SIGSTRUCT_SIZE];
  OK(f->cx, sgxra_qe_sign_image(f->cx, key, name, 7, isvsvn, ss));
  sgxra_emu_enclave *en = NULL;
  OK(f->cx, sgxra_qe_start_image(f->cx, f->plat, name, ss, sizeof ss, &en));
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  uint8_t rd[64];
  for (int i = 0; i < 64; i++) rd[i] = (uint8_t)(0x40 + i);
  sgxra_report r;
  OK(f->cx, sgxra_emu_ereport(f->cx, en, &ti, rd, &r));
  uint8_t *q = NULL;
  size_t n = 0;
  OK(f->cx, sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n));
  sgxra_verifier *vf = NULL;
  OK(f->cx, sgxra_verifier_new(f->cx, f->coll, &vf));
  OK(f->cx, sgxra_verifier_verify(f->cx, vf, q, n, NOW + 3600, out));
  sgxra_verifier_free(vf);
  free(q);
  sgxra_emu_enclave_free(en);
  if (out->err) fail_msg("%s: %s", name, out->reason);
  assert_int_equal(out->final_status, SGXRA_TCB_UP_TO_DATE);
}

static sgxra_rsa_key *key_vector(sgxra_ctx *cx, const char *rel) {
  size_t n;
  uint8_t *p = tu_read_vector(rel, &n);
  sgxra_rsa_key *k = NULL;
  OK(cx, sgxra_rsa_load_private(cx, p, n, &k));
  free(p);
  return k;
}

static void test_emulated(void **state) {
  env e;
  env_init(&e, state);
  emu f;
  emu_setup(&f);
  sgxra_ctx *cx = f.cx;
  /* the ISV's own key (fresh) and a well-known public key (the SDK's
   * sample key, fortanix sig1.key.pem) */
  sgxra_rsa_key *isv = NULL;
  OK(cx, sgxra_rsa_generate(cx, &isv));
  sgxra_rsa_key *pub =
      key_vector(cx, "identity/fortanix-rust-sgx/sig1.key.pem");
  sgxra_verdict v1, v2, vo, vk;
  emu_verdict(&f, isv, "payments enclave", 1, &v1);
  emu_verdict(&f, isv, "payments enclave", 2, &v2); /* same MRENCLAVE */
  emu_verdict(&f, isv, "other enclave", 1, &vo);
  emu_verdict(&f, pub, "payments enclave", 1, &vk); /* same MRENCLAVE */
  assert_memory_equal(v1.report.mrenclave, v2.report.mrenclave, 32);
  assert_memory_equal(v1.report.mrenclave, vk.report.mrenclave, 32);
  assert_memory_not_equal(v1.report.mrsigner, vk.report.mrsigner, 32);
  assert_int_equal(v2.report.isvsvn, 2);

  sgxra_registry_view sv = sgxra_registry_view_store(e.st);
  sgxra_policy def;
  OK(cx, sgxra_policy_default(cx, &def));
  sgxra_appraise_options o = {0, {0}, f.coll, 0};
  int64_t at = NOW + 3600;
  sgxra_reason_code none[] = {SGXRA_REASON_NONE};

  /* nothing registered */
  sgxra_decision d = appraise(cx, &v1, &sv, &def, &o, at);
  sgxra_reason_code nr[] = {SGXRA_REASON_MRENCLAVE_NOT_REGISTERED,
                            SGXRA_REASON_NONE};
  expect_codes("unregistered", &d, nr);
  assert_string_equal(d.tcb_explanation, "");

  /* registered from the SIGSTRUCT's values: trusted under the default
   * policy (UpToDate, no DEBUG, collateral fresh) */
  sgxra_store_enclave en = entry_for(&v1);
  assert_int_equal(en.attributes.flags,
                   SGXRA_ATTR_MODE64BIT | SGXRA_ATTR_PROVISIONKEY);
  int64_t id;
  OK(cx, sgxra_store_enclave_add(cx, e.st, &en, "isv", NOW, &id));
  d = appraise(cx, &v1, &sv, &def, &o, at);
  expect_codes("registered", &d, none);
  assert_int_equal(d.trusted, 1);
  assert_int_equal(d.match, SGXRA_MATCH_ENCLAVE);
  /* REPORTDATA as the enclave wrote it, given as 64 bytes */
  uint8_t rd[64];
  for (int i = 0; i < 64; i++) rd[i] = (uint8_t)(0x40 + i);
  sgxra_appraise_options ro = o;
  OK(cx, sgxra_appraise_options_report_data(cx, &ro, rd, 64));
  d = appraise(cx, &v1, &sv, &def, &ro, at);
  expect_codes("report data", &d, none);
  /* given as its first 32 bytes: the rest must then be zero, it is not */
  OK(cx, sgxra_appraise_options_report_data(cx, &ro, rd, 32));
  d = appraise(cx, &v1, &sv, &def, &ro, at);
  sgxra_reason_code rdm[] = {SGXRA_REASON_REPORT_DATA_MISMATCH,
                             SGXRA_REASON_NONE};
  expect_codes("report data half", &d, rdm);

  /* a higher ISVSVN of the same code: not the registered enclave */
  d = appraise(cx, &v2, &sv, &def, &o, at);
  sgxra_reason_code svn[] = {SGXRA_REASON_ISVSVN_MISMATCH, SGXRA_REASON_NONE};
  expect_codes("isvsvn 2", &d, svn);
  /* the same code signed by a well-known key: another MRSIGNER, and a
   * public key */
  d = appraise(cx, &vk, &sv, &def, &o, at);
  sgxra_reason_code key[] = {SGXRA_REASON_MRSIGNER_MISMATCH,
                             SGXRA_REASON_DEBUG_SIGNER, SGXRA_REASON_NONE};
  expect_codes("public key", &d, key);
  assert_non_null(strstr(message_of(&d, SGXRA_REASON_DEBUG_SIGNER),
                         "Intel SGX SDK sample key"));
  /* identity not checked (`sgxra verify` without identity flags): neither
   * the mismatch nor the public key is a reason, nothing is matched; the
   * platform, DEBUG and REPORTDATA checks still run */
  sgxra_appraise_options io = o;
  io.identity_not_checked = 1;
  d = appraise(cx, &vk, &sv, &def, &io, at);
  expect_codes("identity not checked", &d, none);
  assert_int_equal(d.match, SGXRA_MATCH_NONE);
  d = appraise(cx, &vo, &sv, &def, &io, at);
  expect_codes("identity not checked, unregistered", &d, none);
  OK(cx, sgxra_appraise_options_report_data(cx, &io, rd, 32));
  d = appraise(cx, &vk, &sv, &def, &io, at);
  expect_codes("identity not checked, report data", &d, rdm);

  /* another enclave of the same signer: not registered, signer not trusted */
  d = appraise(cx, &vo, &sv, &def, &o, at);
  expect_codes("other enclave", &d, nr);

  /* trust the signer from ISVSVN 2: the other enclave at ISVSVN 1 is
   * below; v2 is registered exactly (by MRENCLAVE) and still mismatches */
  sgxra_store_signer sg;
  memset(&sg, 0, sizeof(sg));
  memcpy(sg.mrsigner, v1.report.mrsigner, 32);
  sg.isvprodid = 7;
  sg.min_isvsvn = 2;
  sg.meta.source = SGXRA_STORE_SOURCE_SIGSTRUCT;
  int64_t sid;
  OK(cx, sgxra_store_signer_add(cx, e.st, &sg, "isv", NOW, &sid));
  d = appraise(cx, &vo, &sv, &def, &o, at);
  sgxra_reason_code low[] = {SGXRA_REASON_ISVSVN_BELOW_MINIMUM,
                             SGXRA_REASON_NONE};
  expect_codes("other enclave, signer from 2", &d, low);
  /* revoke the exact entry: v2 is now trusted through its signer */
  OK(cx, sgxra_store_revoke(cx, e.st, SGXRA_STORE_ENCLAVES, id, "isv", NOW));
  d = appraise(cx, &v2, &sv, &def, &o, at);
  expect_codes("isvsvn 2 by signer", &d, none);
  assert_int_equal(d.match, SGXRA_MATCH_SIGNER);
  d = appraise(cx, &v1, &sv, &def, &o, at);
  expect_codes("isvsvn 1 by signer", &d, low);

  /* the public key's enclave registered with allow_debug_signer: trusted
   * (a test deployment that knows what it does) */
  sgxra_store_enclave ek = entry_for(&vk);
  ek.allow_debug_signer = 1;
  OK(cx, sgxra_store_enclave_add(cx, e.st, &ek, "isv", NOW, &id));
  d = appraise(cx, &vk, &sv, &def, &o, at);
  expect_codes("public key allowed", &d, none);
  /* denied on top: refused */
  sgxra_store_deny dn;
  memset(&dn, 0, sizeof(dn));
  memcpy(dn.mrenclave, vk.report.mrenclave, 32);
  snprintf(dn.reason, sizeof dn.reason, "test key in production");
  dn.meta.source = SGXRA_STORE_SOURCE_HEX;
  int64_t did;
  OK(cx, sgxra_store_deny_add(cx, e.st, &dn, "sec", NOW, &did));
  d = appraise(cx, &vk, &sv, &def, &o, at);
  sgxra_reason_code den[] = {SGXRA_REASON_MRENCLAVE_DENIED, SGXRA_REASON_NONE};
  expect_codes("denied", &d, den);

  /* the same checks through expected values in memory (quick checks) */
  sgxra_registry_memory *mem = NULL;
  OK(cx, sgxra_registry_memory_new(cx, &mem));
  char me[65], ms[65];
  sgxra_hex_encode(v1.report.mrenclave, 32, me);
  sgxra_hex_encode(v1.report.mrsigner, 32, ms);
  sgxra_expected x = {me, ms, 7, 2, 0};
  OK(cx, sgxra_registry_memory_add_expected(cx, mem, &x));
  sgxra_registry_view mv = sgxra_registry_view_memory(mem);
  d = appraise(cx, &v2, &mv, &def, &o, at);
  expect_codes("expected: isvsvn 2", &d, none);
  d = appraise(cx, &v1, &mv, &def, &o, at);
  expect_codes("expected: isvsvn 1", &d, low);
  d = appraise(cx, &vk, &mv, &def, &o, at);
  sgxra_reason_code keym[] = {SGXRA_REASON_MRSIGNER_MISMATCH,
                              SGXRA_REASON_ISVSVN_BELOW_MINIMUM,
                              SGXRA_REASON_DEBUG_SIGNER, SGXRA_REASON_NONE};
  expect_codes("expected: public key", &d, keym);
  d = appraise(cx, &vo, &mv, &def, &o, at);
  expect_codes("expected: other enclave", &d, nr);
  /* identity not checked: the deny list still applies */
  sgxra_store_deny mdn;
  memset(&mdn, 0, sizeof(mdn));
  memcpy(mdn.mrenclave, vo.report.mrenclave, 32);
  snprintf(mdn.reason, sizeof(mdn.reason), "withdrawn");
  mdn.meta.source = SGXRA_STORE_SOURCE_HEX;
  OK(cx, sgxra_registry_memory_add_deny(cx, mem, &mdn));
  sgxra_appraise_options no = o;
  no.identity_not_checked = 1;
  d = appraise(cx, &vo, &mv, &def, &no, at);
  sgxra_reason_code dn1[] = {SGXRA_REASON_MRENCLAVE_DENIED, SGXRA_REASON_NONE};
  expect_codes("identity not checked, denied", &d, dn1);
  sgxra_registry_memory_free(mem);

  sgxra_rsa_free(isv);
  sgxra_rsa_free(pub);
  emu_teardown(&f);
  env_done(&e);
}

#define BOTH(fn)                                                               \
  {#fn "/sqlite", fn, NULL, NULL, (void *)&SQ}, {                              \
#fn "/postgresql", fn, NULL, NULL, (void *)&PG                             \
  }

int main(void) {
  const struct CMUnitTest tests[] = {
      BOTH(test_bundles),
      BOTH(test_identity),
      BOTH(test_emulated),
      cmocka_unit_test(test_tcb_explanation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
