/* What `verify` and `appraise` share: the verify --json object of a
 * verdict, and reading + verifying a quote and its collateral. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "sgxra/supplemental.h"
#include "sgxra/timeutil.h"
#include "sp.h"

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

int cli_parse_verify_time(const char *verb, sgxra_ctx *cx, const char *s,
                          int64_t *out) {
  size_t n = strlen(s), i = s[0] == '-' ? 1 : 0;
  size_t start = i;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  if (start == 1 && i == n && n > 1 && n - 1 <= 12) {
    /* a negative number: not a time, but Intel's verifier takes any
     * integer and refuses it as a parameter, so the verdict says so */
    *out = -strtoll(s + 1, NULL, 10);
    return 0;
  }
  if (sgxra_time_parse_arg(cx, s, out) != SGXRA_OK)
    return cli_usage_error(verb, "--at '%s': %s", s, sgxra_ctx_message(cx));
  return 0;
}

int cli_strict_run(const char *verb, sgxra_ctx *cx,
                   const sgxra_collateral *coll, const char *dir, int64_t now,
                   const sgxra_verdict *vd, sgxra_strict_report *out) {
  const uint8_t *q = NULL;
  size_t qn = 0;
  sgxra_collateral_buffers raw;
  memset(&raw, 0, sizeof raw);
  /* the files were read once already; a folder that cannot be read again
   * only leaves out the checks of the raw JSON */
  int have_raw = dir && sgxra_collateral_read_dir(NULL, dir, &raw) == SGXRA_OK;
  if (!cli_quote_last(&q, &qn)) q = NULL, qn = 0;
  sgxra_err e = sgxra_verify_strict(cx, q, qn, coll, have_raw ? &raw : NULL,
                                    now, vd, out);
  sgxra_collateral_buffers_free(&raw);
  if (e != SGXRA_OK) return cli_fail(verb, "--strict", cx, CLI_EXIT_USAGE);
  return 0;
}

json_t *cli_strict_json(const sgxra_strict_report *r) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->count; i++) {
    json_t *one = json_object();
    json_object_set_new(
        one, "check",
        json_string(sgxra_strict_check_name(r->findings[i].check)));
    json_object_set_new(one, "message", json_string(r->findings[i].message));
    json_array_append_new(a, one);
  }
  return a;
}

void cli_strict_print(const sgxra_strict_report *r) {
  for (size_t i = 0; i < r->count; i++)
    printf("strict: %s: %s\n", sgxra_strict_check_name(r->findings[i].check),
           r->findings[i].message);
  if (r->dropped) printf("strict: ... and %zu more findings\n", r->dropped);
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
  if (cli_read_quote(verb, cx, quote_path, &quote, &quote_len)) goto out;
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
  } else if (sgxra_collateral_load_dir_deferred(cx, dir, &coll) != SGXRA_OK) {
    /* content that does not parse is not a command error: it is Intel's
     * verdict (SGX_QL_TCBINFO_UNSUPPORTED_FORMAT ...) made below */
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

static json_t *time_json(int64_t t) {
  char date[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, date);
  return json_string(date);
}

/* Intel's pck_cert_flag_enum_t: FALSE / TRUE, UNDEFINED -> absent. */
static void put_flag(json_t *o, const char *key, sgxra_pck_flag f) {
  if (f != SGXRA_PCK_FLAG_UNDEFINED)
    json_object_set_new(o, key, json_boolean(f == SGXRA_PCK_FLAG_TRUE));
}

json_t *cli_supplemental_json(const uint8_t *quote, size_t quote_len,
                              const sgxra_collateral *coll,
                              const sgxra_verdict *vd, char *why,
                              size_t why_size) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_supplemental s;
  if (!cx || sgxra_supplemental_fill(cx, quote, quote_len, coll, vd, &s)) {
    if (why && why_size)
      snprintf(why, why_size, "%s", cx ? sgxra_ctx_message(cx) : "no memory");
    sgxra_ctx_free(cx);
    return json_null();
  }
  sgxra_ctx_free(cx);
  json_t *o = json_object();
  char v[16];
  snprintf(v, sizeof v, "%u.%u", (unsigned)s.major_version,
           (unsigned)s.minor_version);
  json_object_set_new(o, "version", json_string(v));
  json_object_set_new(o, "earliest_issue_date",
                      time_json(s.earliest_issue_date));
  json_object_set_new(o, "latest_issue_date", time_json(s.latest_issue_date));
  json_object_set_new(o, "earliest_expiration_date",
                      time_json(s.earliest_expiration_date));
  json_object_set_new(o, "earliest_expiration_item",
                      json_string(s.earliest_expiration_item));
  json_object_set_new(o, "tcb_level_date_tag", time_json(s.tcb_level_date_tag));
  json_object_set_new(o, "qe_iden_tcb_level_date_tag",
                      s.qe_iden_tcb_level_date_tag
                          ? time_json(s.qe_iden_tcb_level_date_tag)
                          : json_null());
  json_object_set_new(o, "pck_crl_num", json_integer(s.pck_crl_num));
  json_object_set_new(o, "root_ca_crl_num", json_integer(s.root_ca_crl_num));
  json_object_set_new(o, "tcb_eval_ref_num", json_integer(s.tcb_eval_ref_num));
  json_object_set_new(o, "qe_iden_tcb_eval_ref_num",
                      json_integer(s.qe_iden_tcb_eval_ref_num));
  json_object_set_new(o, "root_key_id",
                      cli_json_hex(s.root_key_id, sizeof s.root_key_id));
  json_object_set_new(o, "tcb_cpusvn",
                      cli_json_hex(s.tcb_cpusvn, sizeof s.tcb_cpusvn));
  json_object_set_new(o, "tcb_pce_isvsvn", json_integer(s.tcb_pce_isvsvn));
  json_object_set_new(o, "pce_id", cli_json_hex(s.pce_id, sizeof s.pce_id));
  snprintf(v, sizeof v, "0x%02x", (unsigned)s.tee_type);
  json_object_set_new(o, "tee_type", json_string(v));
  json_object_set_new(o, "sgx_type",
                      json_string(sgxra_sgx_type_name(s.sgx_type)));
  if (s.has_platform_instance_id)
    json_object_set_new(
        o, "platform_instance_id",
        cli_json_hex(s.platform_instance_id, sizeof s.platform_instance_id));
  put_flag(o, "dynamic_platform", s.dynamic_platform);
  put_flag(o, "cached_keys", s.cached_keys);
  put_flag(o, "smt_enabled", s.smt_enabled);
  json_object_set_new(o, "qe_iden_status",
                      json_string(sgxra_tcb_status_name(s.qe_iden_status)));
  json_object_set_new(o, "tcb_status",
                      json_string(sgxra_tcb_status_name(s.tcb_status)));
  json_object_set_new(o, "sa_list", json_string(s.sa_list));
  return o;
}

void cli_print_verdict_line(const sgxra_verdict *vd, int accepted,
                            const char *const *reasons, size_t n) {
  int colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
  const char *what =
      vd->has_tcb_level
          ? sgxra_tcb_status_name(vd->final_status ? vd->final_status
                                                   : vd->tcb_status)
      : vd->err != SGXRA_OK ? sgxra_ql_result_name(vd->ql_return)
                            : vd->qv_result;
  if (colour) fputs(accepted ? "\033[1;32m" : "\033[1;31m", stdout);
  printf("%s %s", accepted ? "OK" : "REFUSED", what);
  if (accepted) {
    printf(" \xe2\x80\x94 accepted");
  } else if (vd->err != SGXRA_OK) {
    printf(": %s", sgxra_err_name(vd->err));
  } else {
    for (size_t i = 0; i < n; i++) printf("%s %s", i ? "," : ":", reasons[i]);
  }
  if (colour) fputs("\033[0m", stdout);
  printf("\n");
}
