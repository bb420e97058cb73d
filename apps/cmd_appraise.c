/* sgxra appraise: verify a quote against Intel collateral and appraise it
 * against the registry and the current policy in one step
 * (docs/APPRAISAL.md); every decision is recorded in the audit log.
 *
 * Output contract (--json): one object with decision ("trusted" /
 * "not_trusted"), reasons [{code, message}], policy {version, sha256},
 * matched (the registry entry, or null), denied_by (when denied), audit_seq,
 * and every field of `sgxra verify --json`.
 *
 * Exit: 0 trusted; 1 not trusted; 2 usage error or unusable input (a quote
 * that does not parse, unreadable collateral, a database that cannot be
 * used, a decision that could not be recorded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/policy.h"
#include "sgxra/timeutil.h"
#include "sp.h"

#define VERB "appraise"
#define W 20

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra appraise QUOTE --collateral DIR [--db URL] [--at "
          "TIME]\n"
          "                      [--trust-root PEM] [--report-data HEX] "
          "[--json]\n"
          "\n"
          "Verify an SGX ECDSA quote against Intel collateral (as `sgxra "
          "verify`) and\n"
          "appraise the verdict against the registry's reference values and "
          "the\n"
          "registry's current policy (`sgxra policy set`; without one the "
          "default:\n"
          "UpToDate only, no DEBUG enclave, no expired collateral).  The "
          "decision is\n"
          "recorded in the registry's audit log.  QUOTE is binary, hex or "
          "base64\n"
          "(docs/VERIFY.md); '-' reads it from stdin.\n"
          "\n"
          "  -c, --collateral DIR  collateral bundle directory (required)\n"
          "      --trust-root PEM  trust anchor instead of Intel SGX Root CA\n"
          "      --report-data HEX the expected REPORTDATA: 128 hex digits, "
          "or 64\n"
          "                        (a SHA-256, followed by 32 zero bytes)\n"
          "      --json            one JSON object: decision, reasons "
          "[{code,\n"
          "                        message}], policy {version, sha256}, "
          "matched,\n"
          "                        audit_seq and every field of verify "
          "--json\n"
          "\n" SP_COMMON_HELP "\n"
          "Reason codes, in check order (docs/APPRAISAL.md):\n");
  /* from the library's one list of codes */
  int col = 0;
  for (int c = SGXRA_REASON_NONE + 1; c < SGXRA_REASON__END; c++) {
    const char *n = sgxra_reason_name((sgxra_reason_code)c);
    if (col && col + strlen(n) + 2 > 76) {
      fprintf(f, "\n");
      col = 0;
    }
    col += fprintf(f, "%s%s%s", col ? " " : "  ", n,
                   c + 1 < SGXRA_REASON__END ? "," : ".\n");
  }
  fprintf(f, "\n"
             "Exit status: 0 trusted, 1 not trusted, 2 usage error or unusable "
             "input.\n");
}

/* The decision's own JSON (sgxra_decision_to_json) merged into the verify
 * object: decision, reasons, policy, matched, denied_by. */
static int decision_members(sgxra_ctx *cx, const sgxra_decision *d, json_t *o) {
  char *txt = NULL;
  if (sgxra_decision_to_json(cx, d, 1, &txt) != SGXRA_OK)
    return cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE);
  json_error_t jerr;
  json_t *dj = json_loads(txt, 0, &jerr);
  free(txt);
  if (!dj) {
    fprintf(stderr, "sgxra %s: the decision's JSON does not parse: %s\n", VERB,
            jerr.text);
    return CLI_EXIT_USAGE;
  }
  json_object_set(o, "decision", json_object_get(dj, "decision"));
  json_object_set(o, "reasons", json_object_get(dj, "reasons"));
  json_object_set(o, "policy", json_object_get(dj, "policy"));
  json_t *m = json_object_get(dj, "match");
  json_object_set(o, "matched", m ? m : json_null());
  json_t *den = json_object_get(dj, "denied_by");
  if (den) json_object_set(o, "denied_by", den);
  json_t *ex =
      json_object_get(json_object_get(dj, "verdict"), "tcb_explanation");
  if (ex) json_object_set(o, "tcb_explanation", ex);
  json_decref(dj);
  return 0;
}

static void print_human(const sgxra_decision *d, const sgxra_verdict *vd,
                        int64_t seq) {
  printf("%-*s %s\n", W, "decision", d->trusted ? "trusted" : "not_trusted");
  for (size_t i = 0; i < d->reason_count; i++)
    printf("%-*s %s: %s\n", W, i ? "" : "reasons",
           sgxra_reason_name(d->reasons[i].code), d->reasons[i].message);
  cli_print_hex("policy_sha256", W, d->policy_sha256, SGXRA_SHA256_SIZE);
  printf("%-*s %lld%s\n", W, "policy_version", (long long)d->policy_version,
         d->policy_version ? "" : " (the default policy: none stored)");
  if (d->match == SGXRA_MATCH_ENCLAVE)
    printf("%-*s enclave %lld\n", W, "matched", (long long)d->enclave.meta.id);
  else if (d->match == SGXRA_MATCH_SIGNER)
    printf("%-*s signer %lld\n", W, "matched", (long long)d->signer.meta.id);
  else
    printf("%-*s none\n", W, "matched");
  if (vd->has_quote) {
    cli_print_hex("mrenclave", W, vd->report.mrenclave, SGXRA_HASH_SIZE);
    cli_print_hex("mrsigner", W, vd->report.mrsigner, SGXRA_HASH_SIZE);
  }
  printf("%-*s %s\n", W, "return", sgxra_ql_result_name(vd->ql_return));
  printf("%-*s %s\n", W, "verdict", vd->qv_result);
  if (vd->has_tcb_level)
    printf("%-*s %s\n", W, "tcb_status",
           sgxra_tcb_status_name(vd->final_status ? vd->final_status
                                                  : vd->tcb_status));
  printf("%-*s %lld\n", W, "audit_seq", (long long)seq);
}

int cli_cmd_appraise(int argc, char **argv) {
  enum { OPT_TRUST_ROOT = 256, OPT_REPORT_DATA };
  static const struct option opts[] = {
      {"collateral", required_argument, NULL, 'c'},
      {"trust-root", required_argument, NULL, OPT_TRUST_ROOT},
      {"report-data", required_argument, NULL, OPT_REPORT_DATA},
      SP_COMMON_OPTIONS,
      {NULL, 0, NULL, 0},
  };
  sp_common c;
  memset(&c, 0, sizeof c);
  c.verb = VERB;
  const char *dir = NULL, *root_path = NULL, *rd = NULL;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
    if (sp_common_option(&c, ch, optarg)) continue;
    switch (ch) {
    case 'c':
      dir = optarg;
      break;
    case OPT_TRUST_ROOT:
      root_path = optarg;
      break;
    case OPT_REPORT_DATA:
      rd = optarg;
      break;
    default:
      return cli_option_error(VERB, ch, argv);
    }
  }
  if (c.help) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (optind != argc - 1)
    return cli_usage_error(VERB, optind >= argc
                                     ? "a QUOTE file is required"
                                     : "exactly one QUOTE file is expected");
  if (!dir) return cli_usage_error(VERB, "--collateral DIR is required");
  const char *quote_path = argv[optind];

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  int status = CLI_EXIT_USAGE;
  sgxra_store *st = NULL;
  sgxra_collateral *coll = NULL;
  sgxra_verdict *vd = calloc(1, sizeof *vd);
  sgxra_decision *d = calloc(1, sizeof *d);
  sgxra_policy *pol = calloc(1, sizeof *pol);
  sgxra_appraise_options ao;
  memset(&ao, 0, sizeof ao);
  if (!vd || !d || !pol) {
    fprintf(stderr, "sgxra %s: out of memory\n", VERB);
    goto out;
  }
  if ((status = sp_begin(&c, cx))) goto out;
  status = CLI_EXIT_USAGE;
  if (rd && sgxra_appraise_options_report_data_hex(cx, &ao, rd, strlen(rd))) {
    status =
        cli_usage_error(VERB, "--report-data: %s [%s]", sgxra_ctx_message(cx),
                        sgxra_err_name(sgxra_ctx_error(cx)));
    goto out;
  }
  if (cli_verify_bundle(VERB, cx, quote_path, dir, root_path, c.now, vd, &coll))
    goto out;
  if (vd->err != SGXRA_OK && vd->stage == SGXRA_STAGE_QUOTE) {
    /* a quote that does not parse is unusable input, as for verify */
    fprintf(stderr, "sgxra %s: %s: %s [%s]\n", VERB, quote_path, vd->reason,
            sgxra_err_name(vd->err));
    goto out;
  }
  if (sp_open(&c, cx, &st)) goto out;
  sgxra_err e = sgxra_policy_load_store(cx, st, 0, pol);
  if (e == SGXRA_E_STORE_NOT_FOUND) e = sgxra_policy_default(cx, pol);
  if (e) {
    cli_fail(VERB, sgxra_store_name(st), cx, CLI_EXIT_USAGE);
    goto out;
  }
  ao.collateral = coll;
  sgxra_registry_view view = sgxra_registry_view_store(st);
  if (sgxra_appraise(cx, vd, &view, pol, &ao, c.now, d) != SGXRA_OK) {
    cli_fail(VERB, quote_path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  int64_t seq = 0;
  if (sgxra_decision_audit(cx, st, d, c.actor, &seq) != SGXRA_OK) {
    /* an unrecorded decision is no decision: fail closed */
    fprintf(stderr,
            "sgxra %s: %s: the decision could not be recorded in the audit "
            "log: %s [%s]\n",
            VERB, sgxra_store_name(st), sgxra_ctx_message(cx),
            sgxra_err_name(sgxra_ctx_error(cx)));
    goto out;
  }
  if (c.json) {
    json_t *o = json_object();
    json_t *v = cli_verdict_json(vd);
    if ((status = decision_members(cx, d, o))) {
      json_decref(o);
      json_decref(v);
      goto out;
    }
    json_object_update(o, v);
    json_decref(v);
    json_object_set_new(o, "audit_seq", json_integer((json_int_t)seq));
    cli_json_print(o);
  } else {
    print_human(d, vd, seq);
  }
  for (size_t i = 0; i < d->reason_count; i++)
    fprintf(stderr, "sgxra %s: %s: not trusted: %s: %s\n", VERB, quote_path,
            sgxra_reason_name(d->reasons[i].code), d->reasons[i].message);
  status = d->trusted ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
out:
  sgxra_store_close(st);
  sgxra_collateral_free(coll);
  free(vd);
  free(d);
  free(pol);
  sgxra_ctx_free(cx);
  return status;
}
