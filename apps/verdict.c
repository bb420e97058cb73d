/* What `verify` and `appraise` share: the verify --json object of a
 * verdict, and reading + verifying a quote and its collateral. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/timeutil.h"
#include "sp.h"

#define QUOTE_CAP ((size_t)1 << 20) /* quotes are a few KiB */
#define ROOT_CAP ((size_t)1 << 20)

static json_t *hex_or_null(int have, const uint8_t *p, size_t n) {
  return have ? cli_json_hex(p, n) : json_null();
}

json_t *cli_verdict_json(const sgxra_verdict *vd) {
  json_t *o = json_object();
  char date[SGXRA_TIME_TEXT_SIZE];
  json_object_set_new(o, "return",
                      json_string(sgxra_ql_result_name(vd->ql_return)));
  json_object_set_new(o, "verdict", json_string(vd->qv_result));
  json_object_set_new(o, "collateral_expired",
                      json_boolean(vd->collateral_expired));
  json_t *adv = json_array();
  for (size_t i = 0; i < vd->advisory_count; i++)
    json_array_append_new(adv, json_string(vd->advisory_ids[i]));
  json_object_set_new(o, "advisory_ids", adv);
  if (vd->has_tcb_level) {
    sgxra_tcb_status st = vd->final_status ? vd->final_status : vd->tcb_status;
    json_object_set_new(o, "tcb_status",
                        json_string(sgxra_tcb_status_name(st)));
    sgxra_time_format(vd->tcb_date, date);
    json_object_set_new(o, "tcb_date", json_string(date));
  } else {
    json_object_set_new(o, "tcb_status", json_null());
    json_object_set_new(o, "tcb_date", json_null());
  }
  json_object_set_new(
      o, "fmspc", hex_or_null(vd->has_pck, vd->pck.fmspc, SGXRA_FMSPC_SIZE));
  const sgxra_report_body *r = &vd->report;
  json_object_set_new(
      o, "mrenclave",
      hex_or_null(vd->has_quote, r->mrenclave, SGXRA_HASH_SIZE));
  json_object_set_new(o, "mrsigner",
                      hex_or_null(vd->has_quote, r->mrsigner, SGXRA_HASH_SIZE));
  json_object_set_new(o, "isvprodid",
                      vd->has_quote ? json_integer(r->isvprodid) : json_null());
  json_object_set_new(o, "isvsvn",
                      vd->has_quote ? json_integer(r->isvsvn) : json_null());
  json_object_set_new(o, "debug",
                      vd->has_quote ? json_boolean((r->attributes.flags &
                                                    SGXRA_ATTR_DEBUG) != 0)
                                    : json_null());
  json_object_set_new(
      o, "report_data",
      hex_or_null(vd->has_quote, r->reportdata, SGXRA_REPORTDATA_SIZE));
  /* beyond the contract */
  json_object_set_new(o, "quote_version",
                      vd->has_quote ? json_integer(vd->header.version)
                                    : json_null());
  if (vd->has_quote) {
    char a[19];
    snprintf(a, sizeof a, "0x%016" PRIx64, r->attributes.flags);
    json_object_set_new(o, "attributes", json_string(a));
  }
  if (vd->has_tcb_level) {
    json_object_set_new(o, "tcb_level_status",
                        json_string(sgxra_tcb_status_name(vd->tcb_status)));
    json_t *svn = json_array();
    for (size_t i = 0; i < SGXRA_TCB_SVN_COUNT; i++)
      json_array_append_new(svn, json_integer(vd->tcb_svn[i]));
    json_object_set_new(o, "tcb_level_svns", svn);
    json_object_set_new(o, "tcb_level_pcesvn", json_integer(vd->tcb_pcesvn));
  }
  if (vd->has_qe_level || vd->stage == SGXRA_STAGE_DONE)
    json_object_set_new(o, "qe_identity_status",
                        json_string(sgxra_tcb_status_name(vd->qe_status)));
  if (vd->has_pck) {
    json_object_set_new(o, "pck_pcesvn", json_integer(vd->pck.pcesvn));
    json_object_set_new(
        o, "pck_ca",
        json_string(vd->pck_platform_ca ? "platform" : "processor"));
  }
  json_object_set_new(o, "stage",
                      json_string(sgxra_verify_stage_name(vd->stage)));
  if (vd->err != SGXRA_OK) {
    json_object_set_new(o, "error", json_string(sgxra_err_name(vd->err)));
    json_object_set_new(o, "reason", json_string(vd->reason));
  }
  return o;
}

/* cli_verify_bundle, with the collateral from `dir` or, when dir is NULL,
 * through the PCCS client (`po`; *out_info says where it came from). */
static int verify_with(const char *verb, sgxra_ctx *cx, const char *quote_path,
                       const char *dir, const cli_pccs_opts *po,
                       const char *root_path, int64_t now, sgxra_verdict *out,
                       sgxra_collateral **out_coll, sgxra_pccs_info *out_info) {
  uint8_t *quote = NULL, *root_pem = NULL;
  size_t quote_len = 0, root_len = 0;
  sgxra_x509_chain *root_chain = NULL;
  sgxra_collateral *coll = NULL;
  int status = CLI_EXIT_USAGE;
  *out_coll = NULL;
  memset(out, 0, sizeof *out);
  if (cli_read_file(verb, cx, quote_path, QUOTE_CAP, &quote, &quote_len))
    goto out;
  if (root_path) {
    if (cli_read_file(verb, cx, root_path, ROOT_CAP, &root_pem, &root_len))
      goto out;
    if (sgxra_x509_chain_parse_pem(cx, root_pem, root_len, &root_chain)) {
      cli_fail(verb, root_path, cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if (!dir) {
    sgxra_pccs_result *r = NULL;
    if (cli_pccs_get_for_quote(
            verb, cx, po, quote, quote_len,
            root_chain ? sgxra_x509_chain_get(root_chain, 0) : NULL, now, &r))
      goto out;
    coll = r->collateral;
    r->collateral = NULL;
    *out_info = r->info;
    sgxra_pccs_result_free(r);
  } else if (sgxra_collateral_load_dir(cx, dir, &coll) != SGXRA_OK) {
    cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (sgxra_verify_quote(cx, quote, quote_len, coll,
                         root_chain ? sgxra_x509_chain_get(root_chain, 0)
                                    : NULL,
                         now, out) != SGXRA_OK) {
    cli_fail(verb, quote_path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  *out_coll = coll;
  coll = NULL;
  status = CLI_EXIT_OK;
out:
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(root_chain);
  free(root_pem);
  free(quote);
  return status;
}

int cli_verify_bundle(const char *verb, sgxra_ctx *cx, const char *quote_path,
                      const char *dir, const char *root_path, int64_t now,
                      sgxra_verdict *out, sgxra_collateral **out_coll) {
  return verify_with(verb, cx, quote_path, dir, NULL, root_path, now, out,
                     out_coll, NULL);
}

int cli_verify_pccs(const char *verb, sgxra_ctx *cx, const char *quote_path,
                    const cli_pccs_opts *po, const char *root_path, int64_t now,
                    sgxra_verdict *out, sgxra_collateral **out_coll,
                    sgxra_pccs_info *out_info) {
  memset(out_info, 0, sizeof *out_info);
  return verify_with(verb, cx, quote_path, NULL, po, root_path, now, out,
                     out_coll, out_info);
}
