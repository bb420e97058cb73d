/* TCB Info v2/v3 (SGX) as Intel PCS serves it: see sgxra/collateral.h.
 *
 * Shape (Intel PCS API v4 "Get TCB Info", SGX):
 *
 *   {"tcbInfo":{"id":"SGX","version":3,"issueDate":"...Z","nextUpdate":"...Z",
 *     "fmspc":"<12 hex>","pceId":"<4 hex>","tcbType":0,
 *     "tcbEvaluationDataNumber":N,
 *     "tcbLevels":[{"tcb":{"sgxtcbcomponents":[{"svn":S}, x16],"pcesvn":P},
 *                   "tcbDate":"...Z","tcbStatus":"...","advisoryIDs":[...]},
 *                  ...]},
 *    "signature":"<128 hex: r||s>"}
 *
 * Version 2 has no "id" and writes the components as "sgxtcbcomp01svn" ..
 * "sgxtcbcomp16svn" inside "tcb"; it has no advisory IDs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote/collateral_internal.h"
#include "sgxra/tcbstatus.h"

static const sgxra__jcodes tcb_codes = {
    "TCB Info",           SGXRA_E_TCBINFO_FORMAT, SGXRA_E_TCBINFO_FIELD,
    SGXRA_E_TCBINFO_DATE, SGXRA_E_TCBINFO_HEX,    SGXRA_E_TCBINFO_STATUS,
};

void sgxra_tcbinfo_free(sgxra_tcbinfo *info) {
  if (info == NULL) return;
  for (size_t i = 0; i < info->level_count; i++)
    sgxra__strings_free(info->levels[i].advisory_ids,
                        info->levels[i].advisory_count);
  free(info->levels);
  free(info->signed_body);
  free(info);
}

/* The 16 SVNs of a level's "tcb" object.
 *
 * Intel's rule (QVL TcbComponent.cpp TcbComponent::TcbComponent for v3,
 * TcbLevel.cpp TcbLevel::setCpuSvn for v2): a component SVN is any unsigned
 * 32-bit JSON integer, kept as its low 8 bits (a cast to uint8_t); so
 * "svn":256 is a level SVN of 0, not a format error (issue 13 class N,
 * tests/verify_diff synth/tcb_component_svn_256).  Negative, fractional or
 * larger numbers are format errors (rapidjson IsUint). */
static sgxra_err parse_components(sgxra_ctx *cx, const sgxra__jv *tcb,
                                  const char *path, unsigned version,
                                  uint8_t svn[SGXRA_TCB_SVN_COUNT]) {
  const sgxra__jcodes *c = &tcb_codes;
  int64_t v;
  sgxra_err e;
  if (version == 2) {
    static const char *const keys[SGXRA_TCB_SVN_COUNT] = {
        "sgxtcbcomp01svn", "sgxtcbcomp02svn", "sgxtcbcomp03svn",
        "sgxtcbcomp04svn", "sgxtcbcomp05svn", "sgxtcbcomp06svn",
        "sgxtcbcomp07svn", "sgxtcbcomp08svn", "sgxtcbcomp09svn",
        "sgxtcbcomp10svn", "sgxtcbcomp11svn", "sgxtcbcomp12svn",
        "sgxtcbcomp13svn", "sgxtcbcomp14svn", "sgxtcbcomp15svn",
        "sgxtcbcomp16svn"};
    for (unsigned i = 0; i < SGXRA_TCB_SVN_COUNT; i++) {
      if ((e = sgxra__j_int(cx, c, tcb, path, keys[i], 0, UINT32_MAX, &v)) !=
          SGXRA_OK)
        return e;
      svn[i] = (uint8_t)(v & 0xff); /* Intel: low 8 bits, above */
    }
    return SGXRA_OK;
  }
  const sgxra__jv *arr;
  if ((e = sgxra__j_obj(cx, c, tcb, path, "sgxtcbcomponents", 1, &arr)) !=
      SGXRA_OK)
    return e;
  if (sgxra__jv_size(arr) != SGXRA_TCB_SVN_COUNT)
    return sgxra__fail(cx, SGXRA_E_TCBINFO_FIELD,
                       "TCB Info: %s.sgxtcbcomponents has %zu entries, "
                       "exactly 16 expected",
                       path, sgxra__jv_size(arr));
  /* The component's path is written only for a message: formatting it for
   * each of the 16 components of every level was a measurable part of the
   * full flow (docs/PERFORMANCE.md). */
  for (unsigned i = 0; i < SGXRA_TCB_SVN_COUNT; i++) {
    const sgxra__jv *comp = sgxra__jv_at(arr, i);
    if (sgxra__jv_type(comp) == SGXRA__JV_OBJECT &&
        sgxra__j_int(cx, c, comp, path, "svn", 0, UINT32_MAX, &v) == SGXRA_OK) {
      svn[i] = (uint8_t)(v & 0xff); /* Intel: low 8 bits, above */
      continue;
    }
    char p2[160];
    snprintf(p2, sizeof(p2), "%s.sgxtcbcomponents[%u]", path, i);
    if (sgxra__jv_type(comp) != SGXRA__JV_OBJECT)
      return sgxra__fail(cx, SGXRA_E_TCBINFO_FIELD,
                         "TCB Info: %s is not an object", p2);
    /* the same check again, to word the message with the exact path */
    return sgxra__j_int(cx, c, comp, p2, "svn", 0, UINT32_MAX, &v);
  }
  return SGXRA_OK;
}

/* *pcesvn gets the level's PCESVN as written: Intel reads it as any
 * unsigned 32-bit integer (QVL TcbLevel::parseSvns getUintFieldOf), and a
 * level above 65535 can never be a platform's (16-bit PCESVN), so the
 * caller drops it after the duplicate check (tests/verify_diff
 * synth/tcb_pcesvn_65536: Intel answers with the next level). */
static sgxra_err parse_level(sgxra_ctx *cx, const sgxra__jv *lv, size_t idx,
                             unsigned version, sgxra_tcb_level *out,
                             uint32_t *pcesvn) {
  const sgxra__jcodes *c = &tcb_codes;
  char path[64];
  snprintf(path, sizeof(path), "tcbInfo.tcbLevels[%zu]", idx);
  if (sgxra__jv_type(lv) != SGXRA__JV_OBJECT)
    return sgxra__fail(cx, SGXRA_E_TCBINFO_FIELD,
                       "TCB Info: %s is not an object", path);
  const sgxra__jv *tcb;
  sgxra_err e;
  int64_t v;
  if ((e = sgxra__j_obj(cx, c, lv, path, "tcb", 0, &tcb)) != SGXRA_OK) return e;
  char tpath[96];
  snprintf(tpath, sizeof(tpath), "%s.tcb", path);
  if ((e = parse_components(cx, tcb, tpath, version, out->sgx_svn)) != SGXRA_OK)
    return e;
  if ((e = sgxra__j_int(cx, c, tcb, tpath, "pcesvn", 0, UINT32_MAX, &v)) !=
      SGXRA_OK)
    return e;
  *pcesvn = (uint32_t)v;
  out->pcesvn = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
  if ((e = sgxra__j_date(cx, c, lv, path, "tcbDate", &out->tcb_date)) !=
      SGXRA_OK)
    return e;
  if ((e = sgxra__j_status(cx, c, lv, path, "tcbStatus", &out->status)) !=
      SGXRA_OK)
    return e;
  return sgxra__j_strings(cx, c, lv, path, "advisoryIDs", &out->advisory_ids,
                          &out->advisory_count);
}

/* A level's TCB for find_duplicate: its 16 SVNs and PCESVN as written. */
typedef struct level_key {
  const uint8_t *svn;
  uint32_t pcesvn;
  size_t idx;
} level_key;

static int key_cmp(const void *a, const void *b) {
  const level_key *x = a, *y = b;
  int c = memcmp(x->svn, y->svn, SGXRA_TCB_SVN_COUNT);
  if (c) return c;
  return (x->pcesvn > y->pcesvn) - (x->pcesvn < y->pcesvn);
}

/* Intel's rule (QVL TcbInfo.cpp TcbInfo::parsePartV2: the levels go into a
 * std::set ordered by TcbLevel::operator>, and a level that is not inserted
 * because an equal one is there throws "Detected duplicated TCB levels" ->
 * SGX_QL_TCBINFO_UNSUPPORTED_FORMAT): two levels with the same 16 SVNs (as
 * stored, low 8 bits) and PCESVN make the TCB Info unusable, whatever their
 * statuses (tests/verify_diff synth/tcb_level_duplicate_*).  k has
 * ti->level_count entries and is sorted here. */
static sgxra_err find_duplicate(sgxra_ctx *cx, const sgxra_tcbinfo *ti,
                                level_key *k) {
  for (size_t i = 0; i < ti->level_count; i++) {
    k[i].svn = ti->levels[i].sgx_svn;
    k[i].idx = i;
  }
  qsort(k, ti->level_count, sizeof(*k), key_cmp);
  for (size_t i = 1; i < ti->level_count; i++)
    if (key_cmp(&k[i - 1], &k[i]) == 0) {
      size_t a = k[i - 1].idx, b = k[i].idx;
      return sgxra__fail(cx, SGXRA_E_TCBINFO_FIELD,
                         "TCB Info: tcbInfo.tcbLevels[%zu] and [%zu] have the "
                         "same TCB (component SVNs and pcesvn); duplicate "
                         "levels are refused (as Intel's verifier does)",
                         a < b ? a : b, a < b ? b : a);
    }
  return SGXRA_OK;
}

static int idx_cmp(const void *a, const void *b) {
  const level_key *x = a, *y = b;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Drops the levels whose PCESVN (k[].pcesvn, any order) exceeds 65535: no
 * platform has one, so Intel never matches them (see parse_level). */
static void drop_unreachable(sgxra_tcbinfo *ti, level_key *k) {
  size_t n = ti->level_count, w = 0;
  qsort(k, n, sizeof(*k), idx_cmp); /* k[i] is level i again */
  for (size_t i = 0; i < n; i++) {
    if (k[i].pcesvn > UINT16_MAX) {
      sgxra__strings_free(ti->levels[i].advisory_ids,
                          ti->levels[i].advisory_count);
      continue;
    }
    if (w != i) ti->levels[w] = ti->levels[i];
    w++;
  }
  for (size_t i = w; i < n; i++)
    memset(&ti->levels[i], 0, sizeof(ti->levels[i]));
  ti->level_count = w;
}

static sgxra_err parse_body(sgxra_ctx *cx, const sgxra__jv *root,
                            sgxra_tcbinfo *ti) {
  const sgxra__jcodes *c = &tcb_codes;
  const sgxra__jv *b = sgxra__jv_get(root, "tcbInfo");
  const char *path = "tcbInfo";
  int64_t v;
  sgxra_err e;
  if ((e = sgxra__j_int(cx, c, b, path, "version", 0, 1000, &v)) != SGXRA_OK)
    return e;
  if (v != 2 && v != 3)
    return sgxra__fail(cx, SGXRA_E_TCBINFO_VERSION,
                       "TCB Info version %lld is not supported (2 and 3 are)",
                       (long long)v);
  ti->version = (unsigned)v;
  const sgxra__jv *id = sgxra__jv_get(b, "id");
  if (ti->version == 3 || id != NULL) {
    const char *s;
    size_t n;
    if ((e = sgxra__j_str(cx, c, b, path, "id", &s, &n)) != SGXRA_OK) return e;
    if (n == 3 && memcmp(s, "TDX", 3) == 0)
      return sgxra__fail(cx, SGXRA_E_TCBINFO_ID,
                         "TCB Info is for TDX (id \"TDX\"): sgxra verifies SGX "
                         "quotes; fetch the SGX TCB Info (/sgx/certification/"
                         "v4/tcb)");
    if (n != 3 || memcmp(s, "SGX", 3) != 0)
      return sgxra__fail(cx, SGXRA_E_TCBINFO_ID,
                         "TCB Info id is \"%.*s\", expected \"SGX\"",
                         (int)(n > 16 ? 16 : n), s);
    memcpy(ti->id, "SGX", 4);
  }
  if ((e = sgxra__j_date(cx, c, b, path, "issueDate", &ti->issue_date)) !=
          SGXRA_OK ||
      (e = sgxra__j_date(cx, c, b, path, "nextUpdate", &ti->next_update)) !=
          SGXRA_OK ||
      (e = sgxra__j_hex(cx, c, b, path, "fmspc", ti->fmspc,
                        SGXRA_FMSPC_SIZE)) != SGXRA_OK ||
      (e = sgxra__j_hex(cx, c, b, path, "pceId", ti->pce_id,
                        SGXRA_PCEID_SIZE)) != SGXRA_OK)
    return e;
  if ((e = sgxra__j_int(cx, c, b, path, "tcbType", INT32_MIN, INT32_MAX, &v)) !=
      SGXRA_OK)
    return e;
  /* Intel's rule (QVL TcbInfo.cpp TcbInfo::parsePartV2): tcbType must be 0,
   * the only type QVL supports; another value is a format error
   * (SGX_QL_TCBINFO_UNSUPPORTED_FORMAT; synth/tcb_type_1). */
  if (v != 0)
    return sgxra__fail(cx, SGXRA_E_TCBINFO_FIELD,
                       "TCB Info: tcbInfo.tcbType is %lld; only type 0 is "
                       "defined (Intel's verifier refuses others)",
                       (long long)v);
  ti->tcb_type = (uint32_t)v;
  if ((e = sgxra__j_int(cx, c, b, path, "tcbEvaluationDataNumber", 0,
                        UINT32_MAX, &v)) != SGXRA_OK)
    return e;
  ti->tcb_evaluation_data_number = (uint32_t)v;
  const sgxra__jv *levels;
  if ((e = sgxra__j_obj(cx, c, b, path, "tcbLevels", 1, &levels)) != SGXRA_OK)
    return e;
  size_t n = sgxra__jv_size(levels);
  if (n == 0)
    return sgxra__fail(cx, SGXRA_E_TCBINFO_FIELD,
                       "TCB Info: tcbInfo.tcbLevels is empty");
  ti->levels = calloc(n, sizeof(*ti->levels));
  if (ti->levels == NULL)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "TCB levels");
  level_key *k = calloc(n, sizeof(*k));
  if (k == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "TCB levels");
  const sgxra__jv *lv = sgxra__jv_at(levels, 0);
  for (size_t i = 0; i < n; i++, lv = sgxra__jv_next(lv)) {
    e = parse_level(cx, lv, i, ti->version, &ti->levels[i], &k[i].pcesvn);
    ti->level_count = i + 1; /* so free() sees partial advisories */
    if (e != SGXRA_OK) {
      free(k);
      return e;
    }
  }
  if ((e = find_duplicate(cx, ti, k)) == SGXRA_OK) drop_unreachable(ti, k);
  free(k);
  if (e != SGXRA_OK) return e;
  return sgxra__j_hex(cx, c, root, "(document)", "signature", ti->signature,
                      SGXRA_COLLATERAL_SIG_SIZE);
}

sgxra_err sgxra_tcbinfo_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_tcbinfo **out_info) {
  if (out_info == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_tcbinfo_parse: NULL output");
  *out_info = NULL;
  sgxra_tcbinfo *ti = calloc(1, sizeof(*ti));
  if (ti == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "TCB Info");
  sgxra__jv *root = NULL;
  sgxra_err e = sgxra__signed_json_load(cx, p, n, "tcbInfo", &tcb_codes, &root,
                                        &ti->signed_body, &ti->signed_len);
  if (e == SGXRA_OK) e = parse_body(cx, root, ti);
  sgxra__jv_free(root);
  if (e != SGXRA_OK) {
    sgxra_tcbinfo_free(ti);
    return e;
  }
  *out_info = ti;
  return SGXRA_OK;
}

sgxra_err sgxra_tcbinfo_verify(sgxra_ctx *cx, const sgxra_tcbinfo *info,
                               const sgxra_p256_key *key) {
  if (info == NULL || key == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_tcbinfo_verify: NULL argument");
  sgxra_err e = sgxra_p256_verify(cx, key, info->signed_body, info->signed_len,
                                  info->signature);
  if (e == SGXRA_E_CRYPTO_SIG_INVALID)
    return sgxra__fail(cx, SGXRA_E_TCBINFO_SIGNATURE,
                       "TCB Info signature does not verify with the TCB "
                       "signing certificate (over %zu bytes of compact "
                       "tcbInfo, FMSPC %02x%02x%02x%02x%02x%02x): the TCB "
                       "Info was altered or signed by another key",
                       info->signed_len, info->fmspc[0], info->fmspc[1],
                       info->fmspc[2], info->fmspc[3], info->fmspc[4],
                       info->fmspc[5]);
  return e;
}
