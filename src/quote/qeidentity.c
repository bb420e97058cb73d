/* QE Identity v2 as Intel PCS serves it: see sgxra/collateral.h.
 *
 *   {"enclaveIdentity":{"id":"QE","version":2,"issueDate":"...Z",
 *     "nextUpdate":"...Z","tcbEvaluationDataNumber":N,
 *     "miscselect":"<8 hex>","miscselectMask":"<8 hex>",
 *     "attributes":"<32 hex>","attributesMask":"<32 hex>",
 *     "mrsigner":"<64 hex>","isvprodid":P,
 *     "tcbLevels":[{"tcb":{"isvsvn":S},"tcbDate":"...Z","tcbStatus":"...",
 *                   "advisoryIDs":[...]}, ...]},
 *    "signature":"<128 hex: r||s>"} */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote/collateral_internal.h"

static const sgxra__jcodes qe_codes = {
    "QE Identity",     SGXRA_E_QEID_FORMAT, SGXRA_E_QEID_FIELD,
    SGXRA_E_QEID_DATE, SGXRA_E_QEID_HEX,    SGXRA_E_QEID_STATUS,
};

void sgxra_qeidentity_free(sgxra_qeidentity *id) {
  if (id == NULL) return;
  for (size_t i = 0; i < id->level_count; i++)
    sgxra__strings_free(id->levels[i].advisory_ids,
                        id->levels[i].advisory_count);
  free(id->levels);
  free(id->signed_body);
  free(id);
}

/* *unreachable is set for a level whose isvsvn exceeds 65535: Intel's rule
 * (QVL EnclaveIdentityV2 / TCBLevel parse: isvsvn is any unsigned 32-bit
 * integer; EnclaveIdentityV2::getTcbStatus takes the first level, in file
 * order, whose isvsvn <= the QE's 16-bit ISVSVN) makes such a level valid
 * but never the QE's, so the caller drops it (tests/verify_diff
 * synth/qe_isvsvn_65536: Intel answers with the next level). */
static sgxra_err parse_level(sgxra_ctx *cx, const sgxra__jv *lv, size_t idx,
                             sgxra_qe_tcb_level *out, int *unreachable) {
  const sgxra__jcodes *c = &qe_codes;
  char path[64], tpath[80];
  snprintf(path, sizeof(path), "enclaveIdentity.tcbLevels[%zu]", idx);
  snprintf(tpath, sizeof(tpath), "%s.tcb", path);
  if (sgxra__jv_type(lv) != SGXRA__JV_OBJECT)
    return sgxra__fail(cx, SGXRA_E_QEID_FIELD,
                       "QE Identity: %s is not an object", path);
  const sgxra__jv *tcb;
  int64_t v;
  sgxra_err e;
  if ((e = sgxra__j_obj(cx, c, lv, path, "tcb", 0, &tcb)) != SGXRA_OK ||
      (e = sgxra__j_int(cx, c, tcb, tpath, "isvsvn", 0, UINT32_MAX, &v)) !=
          SGXRA_OK)
    return e;
  *unreachable = v > UINT16_MAX;
  out->isvsvn = (uint16_t)(*unreachable ? UINT16_MAX : v);
  if ((e = sgxra__j_date(cx, c, lv, path, "tcbDate", &out->tcb_date)) !=
          SGXRA_OK ||
      (e = sgxra__j_status(cx, c, lv, path, "tcbStatus", &out->status)) !=
          SGXRA_OK)
    return e;
  return sgxra__j_strings(cx, c, lv, path, "advisoryIDs", &out->advisory_ids,
                          &out->advisory_count);
}

static sgxra_err parse_body(sgxra_ctx *cx, const sgxra__jv *root,
                            sgxra_qeidentity *qi) {
  const sgxra__jcodes *c = &qe_codes;
  const sgxra__jv *b = sgxra__jv_get(root, "enclaveIdentity");
  const char *path = "enclaveIdentity";
  int64_t v;
  sgxra_err e;
  if ((e = sgxra__j_int(cx, c, b, path, "version", 0, 1000, &v)) != SGXRA_OK)
    return e;
  if (v != 2)
    return sgxra__fail(cx, SGXRA_E_QEID_VERSION,
                       "QE Identity version %lld is not supported (2 is)",
                       (long long)v);
  qi->version = 2;
  const char *s;
  size_t n;
  if ((e = sgxra__j_str(cx, c, b, path, "id", &s, &n)) != SGXRA_OK) return e;
  if (!((n == 2 && memcmp(s, "QE", 2) == 0) ||
        (n == 3 && memcmp(s, "QVE", 3) == 0) ||
        (n == 5 && memcmp(s, "TD_QE", 5) == 0)))
    return sgxra__fail(cx, SGXRA_E_QEID_ID,
                       "enclave identity id is \"%.*s\", expected \"QE\" "
                       "(or \"QVE\", \"TD_QE\")",
                       (int)(n > 16 ? 16 : n), s);
  memcpy(qi->id, s, n);
  qi->id[n] = '\0';
  uint8_t m4[4];
  if ((e = sgxra__j_date(cx, c, b, path, "issueDate", &qi->issue_date)) !=
          SGXRA_OK ||
      (e = sgxra__j_date(cx, c, b, path, "nextUpdate", &qi->next_update)) !=
          SGXRA_OK)
    return e;
  if ((e = sgxra__j_int(cx, c, b, path, "tcbEvaluationDataNumber", 0,
                        UINT32_MAX, &v)) != SGXRA_OK)
    return e;
  qi->tcb_evaluation_data_number = (uint32_t)v;
  if ((e = sgxra__j_hex(cx, c, b, path, "miscselect", m4, 4)) != SGXRA_OK)
    return e;
  qi->miscselect = sgxra__be32(m4);
  if ((e = sgxra__j_hex(cx, c, b, path, "miscselectMask", m4, 4)) != SGXRA_OK)
    return e;
  qi->miscselect_mask = sgxra__be32(m4);
  if ((e = sgxra__j_hex(cx, c, b, path, "attributes", qi->attributes, 16)) !=
          SGXRA_OK ||
      (e = sgxra__j_hex(cx, c, b, path, "attributesMask", qi->attributes_mask,
                        16)) != SGXRA_OK ||
      (e = sgxra__j_hex(cx, c, b, path, "mrsigner", qi->mrsigner, 32)) !=
          SGXRA_OK)
    return e;
  /* Intel's rule (QVL EnclaveIdentityV2 parse: isvprodid read as an
   * unsigned 32-bit integer; QuoteVerifier compares it with the QE report's
   * 16-bit ISVPRODID): a value above 65535 is valid and matches no QE
   * (QEIDENTITY_MISMATCH; tests/verify_diff synth/qe_isvprodid_65537). */
  if ((e = sgxra__j_int(cx, c, b, path, "isvprodid", 0, UINT32_MAX, &v)) !=
      SGXRA_OK)
    return e;
  qi->isvprodid = (uint32_t)v;
  const sgxra__jv *levels;
  if ((e = sgxra__j_obj(cx, c, b, path, "tcbLevels", 1, &levels)) != SGXRA_OK)
    return e;
  n = sgxra__jv_size(levels);
  if (n == 0)
    return sgxra__fail(cx, SGXRA_E_QEID_FIELD,
                       "QE Identity: enclaveIdentity.tcbLevels is empty");
  qi->levels = calloc(n, sizeof(*qi->levels));
  if (qi->levels == NULL)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "QE Identity levels");
  size_t kept = 0;
  const sgxra__jv *lv = sgxra__jv_at(levels, 0);
  for (size_t i = 0; i < n; i++, lv = sgxra__jv_next(lv)) {
    int unreachable = 0;
    e = parse_level(cx, lv, i, &qi->levels[kept], &unreachable);
    qi->level_count = kept + 1; /* so free() sees partial advisories */
    if (e != SGXRA_OK) return e;
    if (unreachable) { /* never the QE's level: dropped (see parse_level) */
      sgxra__strings_free(qi->levels[kept].advisory_ids,
                          qi->levels[kept].advisory_count);
      memset(&qi->levels[kept], 0, sizeof(qi->levels[kept]));
    } else {
      kept++;
    }
    qi->level_count = kept;
  }
  return sgxra__j_hex(cx, c, root, "(document)", "signature", qi->signature,
                      SGXRA_COLLATERAL_SIG_SIZE);
}

sgxra_err sgxra_qeidentity_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 sgxra_qeidentity **out_id) {
  if (out_id == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_qeidentity_parse: NULL output");
  *out_id = NULL;
  sgxra_qeidentity *qi = calloc(1, sizeof(*qi));
  if (qi == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "QE Identity");
  sgxra__jv *root = NULL;
  sgxra_err e =
      sgxra__signed_json_load(cx, p, n, "enclaveIdentity", &qe_codes, &root,
                              &qi->signed_body, &qi->signed_len);
  if (e == SGXRA_OK) e = parse_body(cx, root, qi);
  sgxra__jv_free(root);
  if (e != SGXRA_OK) {
    sgxra_qeidentity_free(qi);
    return e;
  }
  *out_id = qi;
  return SGXRA_OK;
}

sgxra_err sgxra_qeidentity_verify(sgxra_ctx *cx, const sgxra_qeidentity *id,
                                  const sgxra_p256_key *key) {
  if (id == NULL || key == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_qeidentity_verify: NULL argument");
  sgxra_err e = sgxra_p256_verify(cx, key, id->signed_body, id->signed_len,
                                  id->signature);
  if (e == SGXRA_E_CRYPTO_SIG_INVALID)
    return sgxra__fail(cx, SGXRA_E_QEID_SIGNATURE,
                       "QE Identity signature does not verify with the TCB "
                       "signing certificate (over %zu bytes of compact "
                       "enclaveIdentity): the QE Identity was altered or "
                       "signed by another key",
                       id->signed_len);
  return e;
}
