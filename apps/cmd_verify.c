/* sgxra verify: verify an SGX ECDSA (DCAP) quote against Intel collateral,
 * print Intel's verdict and the enclave's identity (docs/VERIFY.md), and
 * decide whether to accept it -- failing closed, through the library's
 * appraisal (sgxra/policy.h) so that the reason codes are appraise's.
 *
 * The policy comes from the flags: UpToDate plus --accept-status, expired
 * collateral only with --accept-expired, DEBUG only with --allow-debug.
 * The identity flags become an in-memory registry
 * (sgxra_registry_memory_add_expected); without any, the identity is not
 * checked (identity_not_checked: verify is a verifier, not a registry).
 *
 * Output contract (--json): one object with at least return, verdict,
 * collateral_expired, advisory_ids, tcb_status, tcb_date, fmspc,
 * mrenclave, mrsigner, isvprodid, isvsvn, debug, report_data, accepted,
 * reasons [{code, message}]; values that verification did not reach are
 * null.
 *
 * Exit: 0 genuine and accepted; 1 genuine but refused, or not genuine (any
 * return other than SGX_QL_SUCCESS); 2 usage error or unusable input
 * (unreadable files, collateral that does not parse, a quote that does not
 * parse). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sgxra/collateral.h"
#include "sgxra/hex.h"
#include "sgxra/policy.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define VERB "verify"
#define W 20

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra verify QUOTE --collateral DIR | --pccs URL [--at TIME] "
      "[--trust-root PEM]\n"
      "                    [--accept-status LIST] [--accept-expired] "
      "[--allow-debug]\n"
      "                    [--mrenclave HEX] [--mrsigner HEX] "
      "[--isvprodid N]\n"
      "                    [--min-isvsvn N] [--allow-debug-signer] "
      "[--report-data HEX]\n"
      "                    [--strict] [--json]\n"
      "\n"
      "Verify an SGX ECDSA quote (v3, v4, v5) with Intel's semantics "
      "against the\n"
      "collateral in DIR (pck_crl_issuer_chain.pem, root_ca_crl.der, "
      "pck_crl.der,\n"
      "tcb_info.json, tcb_info_issuer_chain.pem, qe_identity.json,\n"
      "qe_identity_issuer_chain.pem), print the verdict and the enclave, and\n"
      "accept it only if it passes the checks of appraisal "
      "(docs/APPRAISAL.md):\n"
      "by default a genuine quote of an UpToDate platform "
      "(SGX_QL_QV_RESULT_OK),\n"
      "unexpired collateral, not a DEBUG enclave.  Refusals are printed as\n"
      "\"refused: CODE: message\" lines after the verdict.  The first line "
      "is the\n"
      "verdict (\"OK <status> \xe2\x80\x94 accepted\" / \"REFUSED ...\").  "
      "QUOTE is "
      "binary, hex or\n"
      "base64 (docs/VERIFY.md); '-' reads it from stdin.\n"
      "\n"
      "  -c, --collateral DIR   collateral bundle directory\n"
      "      --pccs URL         instead: get the collateral from this "
      "PCS/PCCS\n"
      "                         through the cache (sgxra collateral fetch "
      "--help);\n"
      "                         without either, $SGXRA_PCCS_URL or\n"
      "                         /etc/sgx_default_qcnl.conf if set\n"
      "      --api-key KEY, --qcnl-conf PATH, --insecure, --cache URL, "
      "--no-cache,\n"
      "      --update standard|early  as for sgxra collateral fetch\n"
      "      --at TIME          verification time: RFC 3339 UTC "
      "(2025-07-01T00:00:00Z)\n"
      "                         or unix seconds; default now.  A time <= 0\n"
      "                         (\"-1\") is Intel's "
      "SGX_QL_ERROR_INVALID_PARAMETER\n"
      "                         (exit 1), not a usage error\n"
      "      --trust-root PEM   trust anchor instead of Intel SGX Root CA\n"
      "      --accept-status LIST  also accept these TCB statuses, "
      "comma-separated,\n"
      "                         as TCB Info writes them: SWHardeningNeeded,\n"
      "                         ConfigurationNeeded, "
      "ConfigurationAndSWHardeningNeeded,\n"
      "                         OutOfDate, OutOfDateConfigurationNeeded "
      "(UpToDate\n"
      "                         is always accepted); their advisories are "
      "accepted\n"
      "                         with them\n"
      "      --accept-expired   accept expired collateral (Intel's "
      "expiration flag)\n"
      "      --allow-debug      accept a DEBUG enclave (never in production)\n"
      "      --mrenclave HEX    expected MRENCLAVE (64 hex digits)\n"
      "      --mrsigner HEX     expected MRSIGNER (64 hex digits); without\n"
      "                         --mrenclave it needs --isvprodid (a signer is\n"
      "                         trusted per product)\n"
      "      --isvprodid N      expected ISVPRODID, 0..65535\n"
      "      --min-isvsvn N     lowest accepted ISVSVN, 0..65535\n"
      "      --allow-debug-signer  accept an expected identity signed with a\n"
      "                         well-known public key (tests only)\n"
      "      --report-data HEX  expected REPORTDATA: 128 hex digits, or 64 "
      "(then\n"
      "                         followed by 32 zero bytes)\n" CLI_STRICT_HELP
      "      --json             one JSON object: return, verdict,\n"
      "                         collateral_expired, advisory_ids, "
      "tcb_status,\n"
      "                         tcb_date, fmspc, mrenclave, mrsigner, "
      "isvprodid,\n"
      "                         isvsvn, debug, report_data, accepted,\n"
      "                         reasons [{code, message}], ..., supplemental\n"
      "                         (Intel's supplemental data)\n"
      "  -h, --help             this help\n"
      "\n"
      "Without --mrenclave/--mrsigner the enclave's identity is not checked:\n"
      "any enclave of a genuine, accepted platform passes (register it and "
      "use\n"
      "appraisal for more).  With an identity given, an MRSIGNER whose "
      "private key\n"
      "is public (the SDK sample key, sgxra's demo key) is refused "
      "(DEBUG_SIGNER)\n"
      "unless --allow-debug-signer.\n"
      "Numbers are decimal or 0x-prefixed hex.\n"
      "Exit status: 0 genuine and accepted, 1 genuine but refused or not\n"
      "genuine (return other than SGX_QL_SUCCESS), 2 usage error or "
      "unusable\n"
      "input.\n"
      "Exit status changed: before, 0 meant SGX_QL_SUCCESS whatever the TCB\n"
      "status and expiry; an OutOfDate platform or expired collateral now "
      "exits 1\n"
      "unless --accept-status / --accept-expired accept it.\n");
}

/* The TCB statuses --accept-status takes: Intel's names (Revoked is never
 * a success of verification). */
static const sgxra_tcb_status accept_names[] = {
    SGXRA_TCB_UP_TO_DATE,
    SGXRA_TCB_SW_HARDENING_NEEDED,
    SGXRA_TCB_CONFIGURATION_NEEDED,
    SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
    SGXRA_TCB_OUT_OF_DATE,
    SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
};
#define ACCEPT_N (sizeof(accept_names) / sizeof(accept_names[0]))

/* Add the comma-separated names of `list` to *set (bit per status). */
static int parse_accept(const char *list, uint32_t *set) {
  const char *p = list;
  for (;;) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    sgxra_tcb_status st = sgxra_tcb_status_from_name(p, n);
    size_t k = 0;
    while (k < ACCEPT_N && accept_names[k] != st) k++;
    if (n == 0 || st == SGXRA_TCB_STATUS_INVALID || k == ACCEPT_N)
      return cli_usage_error(
          VERB,
          "--accept-status '%s': unknown TCB status '%.*s': expected "
          "comma-separated names from UpToDate, SWHardeningNeeded, "
          "ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, "
          "OutOfDate, OutOfDateConfigurationNeeded",
          list, (int)n, p);
    *set |= 1u << (unsigned)st;
    if (!e) return 0;
    p = e + 1;
  }
}

/* The policy document the flags mean (docs/POLICY.md), parsed. */
static sgxra_err flags_policy(sgxra_ctx *cx, uint32_t accept, int expired,
                              int debug, sgxra_policy *out) {
  char doc[512];
  size_t o = (size_t)snprintf(doc, sizeof doc,
                              "{\"sgxra_policy\":1,\"accept_tcb_status\":[");
  int first = 1;
  for (size_t k = 0; k < ACCEPT_N; k++) {
    if (!(accept & (1u << (unsigned)accept_names[k]))) continue;
    o += (size_t)snprintf(doc + o, sizeof doc - o, "%s\"%s\"", first ? "" : ",",
                          sgxra_tcb_status_name(accept_names[k]));
    first = 0;
  }
  snprintf(doc + o, sizeof doc - o,
           "],\"allow_expired_collateral\":%s,\"allow_debug\":%s}",
           expired ? "true" : "false", debug ? "true" : "false");
  return sgxra_policy_parse(cx, doc, strlen(doc), out);
}

/* verify --json: the verdict's object (apps/verdict.c, shared with
 * appraise) plus whether it was accepted and why not. */
static json_t *verdict_json(const sgxra_verdict *vd, const sgxra_decision *d,
                            const sgxra_strict_report *sr) {
  json_t *o = cli_verdict_json(vd);
  json_object_set_new(o, "accepted",
                      json_boolean(d->trusted && !(sr && sr->count)));
  json_t *rs = json_array();
  for (size_t i = 0; i < d->reason_count; i++) {
    json_t *one = json_object();
    json_object_set_new(one, "code",
                        json_string(sgxra_reason_name(d->reasons[i].code)));
    json_object_set_new(one, "message", json_string(d->reasons[i].message));
    json_array_append_new(rs, one);
  }
  json_object_set_new(o, "reasons", rs);
  if (sr) json_object_set_new(o, "strict", cli_strict_json(sr));
  return o;
}

/* sr: the --strict findings (NULL without --strict). */
static void print_human(const sgxra_verdict *vd, const sgxra_decision *d,
                        const sgxra_strict_report *sr) {
  char date[SGXRA_TIME_TEXT_SIZE];
  const char *codes[SGXRA_DECISION_REASON_MAX + 1];
  size_t nc = 0;
  for (size_t i = 0; i < d->reason_count && nc < SGXRA_DECISION_REASON_MAX; i++)
    codes[nc++] = sgxra_reason_name(d->reasons[i].code);
  int strict_fail = sr && sr->count;
  if (strict_fail) codes[nc++] = "STRICT";
  cli_print_verdict_line(vd, vd->err == SGXRA_OK && d->trusted && !strict_fail,
                         codes, nc);
  if (vd->has_quote) {
    const sgxra_report_body *r = &vd->report;
    cli_print_hex("mrenclave", W, r->mrenclave, SGXRA_HASH_SIZE);
    cli_print_hex("mrsigner", W, r->mrsigner, SGXRA_HASH_SIZE);
    printf("%-*s %u\n", W, "isvprodid", r->isvprodid);
    printf("%-*s %u\n", W, "isvsvn", r->isvsvn);
    printf("%-*s %s\n", W, "debug",
           (r->attributes.flags & SGXRA_ATTR_DEBUG) ? "yes (NOT for production)"
                                                    : "no");
    cli_print_hex("report_data", W, r->reportdata, SGXRA_REPORTDATA_SIZE);
  }
  printf("%-*s %s\n", W, "return", sgxra_ql_result_name(vd->ql_return));
  printf("%-*s %s\n", W, "verdict", vd->qv_result);
  printf("%-*s %s\n", W, "collateral_expired",
         vd->collateral_expired ? "yes" : "no");
  if (vd->has_tcb_level) {
    sgxra_tcb_status st = vd->final_status ? vd->final_status : vd->tcb_status;
    sgxra_time_format(vd->tcb_date, date);
    printf("%-*s %s (level %s, %s)\n", W, "tcb_status",
           sgxra_tcb_status_name(st), sgxra_tcb_status_name(vd->tcb_status),
           date);
  }
  if (vd->has_pck) cli_print_hex("fmspc", W, vd->pck.fmspc, SGXRA_FMSPC_SIZE);
  printf("%-*s", W, "advisory_ids");
  if (!vd->advisory_count) printf(" none");
  for (size_t i = 0; i < vd->advisory_count; i++)
    printf(" %s", vd->advisory_ids[i]);
  printf("\n");
  if (vd->err != SGXRA_OK)
    printf("%-*s %s [%s]\n", W, "reason", vd->reason, sgxra_err_name(vd->err));
  for (size_t i = 0; i < d->reason_count; i++)
    printf("refused: %s: %s\n", sgxra_reason_name(d->reasons[i].code),
           d->reasons[i].message);
  if (sr) cli_strict_print(sr);
}

/* A failure of an identity flag's value: a usage error naming the flag and
 * the code. */
static int flag_error(const char *flag, const sgxra_ctx *cx, sgxra_err e) {
  return cli_usage_error(VERB, "%s: %s [%s]", flag, sgxra_ctx_message(cx),
                         sgxra_err_name(e));
}

int cli_cmd_verify(int argc, char **argv) {
  enum {
    OPT_AT = 256,
    OPT_TRUST_ROOT,
    OPT_JSON,
    OPT_ACCEPT_STATUS,
    OPT_ACCEPT_EXPIRED,
    OPT_ALLOW_DEBUG,
    OPT_MRENCLAVE,
    OPT_MRSIGNER,
    OPT_ISVPRODID,
    OPT_MIN_ISVSVN,
    OPT_REPORT_DATA,
    OPT_ALLOW_DEBUG_SIGNER,
    OPT_STRICT
  };
  static const struct option opts[] = {
      {"collateral", required_argument, NULL, 'c'},
      {"at", required_argument, NULL, OPT_AT},
      {"trust-root", required_argument, NULL, OPT_TRUST_ROOT},
      {"json", no_argument, NULL, OPT_JSON},
      {"accept-status", required_argument, NULL, OPT_ACCEPT_STATUS},
      {"accept-expired", no_argument, NULL, OPT_ACCEPT_EXPIRED},
      {"allow-debug", no_argument, NULL, OPT_ALLOW_DEBUG},
      {"mrenclave", required_argument, NULL, OPT_MRENCLAVE},
      {"mrsigner", required_argument, NULL, OPT_MRSIGNER},
      {"isvprodid", required_argument, NULL, OPT_ISVPRODID},
      {"min-isvsvn", required_argument, NULL, OPT_MIN_ISVSVN},
      {"report-data", required_argument, NULL, OPT_REPORT_DATA},
      {"allow-debug-signer", no_argument, NULL, OPT_ALLOW_DEBUG_SIGNER},
      {"strict", no_argument, NULL, OPT_STRICT},
      CLI_PCCS_LONG_OPTIONS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  cli_pccs_opts po; /* collateral from a PCS/PCCS (without --collateral) */
  memset(&po, 0, sizeof po);
  sgxra_pccs_info pinfo;
  memset(&pinfo, 0, sizeof pinfo);
  int use_pccs = 0;
  const char *dir = NULL, *at = NULL, *root_path = NULL, *report_hex = NULL;
  int json = 0, accept_expired = 0, allow_debug = 0, strict = 0;
  uint32_t accept = 1u << (unsigned)SGXRA_TCB_UP_TO_DATE;
  sgxra_expected x = {NULL, NULL, -1, -1, 0};
  uint64_t num;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
    if (cli_pccs_option(&po, c, optarg)) continue;
    switch (c) {
    case 'c':
      dir = optarg;
      break;
    case OPT_AT:
      at = optarg;
      break;
    case OPT_TRUST_ROOT:
      root_path = optarg;
      break;
    case OPT_JSON:
      json = 1;
      break;
    case OPT_ACCEPT_STATUS:
      if (parse_accept(optarg, &accept)) return CLI_EXIT_USAGE;
      break;
    case OPT_ACCEPT_EXPIRED:
      accept_expired = 1;
      break;
    case OPT_ALLOW_DEBUG:
      allow_debug = 1;
      break;
    case OPT_MRENCLAVE:
      x.mrenclave_hex = optarg;
      break;
    case OPT_MRSIGNER:
      x.mrsigner_hex = optarg;
      break;
    case OPT_ISVPRODID:
      if (cli_parse_uint(VERB, "--isvprodid", optarg, 0, 65535, &num))
        return CLI_EXIT_USAGE;
      x.isvprodid = (int32_t)num;
      break;
    case OPT_MIN_ISVSVN:
      if (cli_parse_uint(VERB, "--min-isvsvn", optarg, 0, 65535, &num))
        return CLI_EXIT_USAGE;
      x.min_isvsvn = (int32_t)num;
      break;
    case OPT_REPORT_DATA:
      report_hex = optarg;
      break;
    case OPT_ALLOW_DEBUG_SIGNER:
      x.allow_debug_signer = 1;
      break;
    case OPT_STRICT:
      strict = 1;
      break;
    case 'h':
      usage(stdout);
      return CLI_EXIT_OK;
    default:
      return cli_option_error(VERB, c, argv);
    }
  }
  if (optind != argc - 1)
    return cli_usage_error(VERB, optind >= argc
                                     ? "a QUOTE file is required"
                                     : "exactly one QUOTE file is expected");
  if (dir && po.pccs_url)
    return cli_usage_error(VERB, "--collateral and --pccs exclude each other");
  use_pccs = !dir && cli_pccs_configured(&po);
  if (!dir && !use_pccs)
    return cli_usage_error(VERB,
                           "--collateral DIR (or --pccs URL) is required");
  const char *quote_path = argv[optind];

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  int status = CLI_EXIT_USAGE;
  sgxra_collateral *coll = NULL;
  sgxra_registry_memory *mem = NULL;
  sgxra_decision *dec = NULL;
  sgxra_strict_report *sr = NULL; /* --strict's findings */
  sgxra_err e;
  int64_t now = (int64_t)time(NULL);
  if (at && (status = cli_parse_verify_time(VERB, cx, at, &now)) != 0) goto out;
  status = CLI_EXIT_USAGE;

  /* What to accept, checked before any file is read. */
  sgxra_policy policy;
  if ((e = flags_policy(cx, accept, accept_expired, allow_debug, &policy))) {
    status = cli_fail(VERB, "policy from the flags", cx, CLI_EXIT_USAGE);
    goto out;
  }
  sgxra_appraise_options ao;
  memset(&ao, 0, sizeof ao);
  if (report_hex && (e = sgxra_appraise_options_report_data_hex(
                         cx, &ao, report_hex, strlen(report_hex)))) {
    status = flag_error("--report-data", cx, e);
    goto out;
  }
  if ((e = sgxra_registry_memory_new(cx, &mem))) {
    status = cli_fail(VERB, "registry", cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (x.mrenclave_hex || x.mrsigner_hex || x.isvprodid >= 0 ||
      x.min_isvsvn >= 0) {
    if ((e = sgxra_registry_memory_add_expected(cx, mem, &x))) {
      status = flag_error("expected identity", cx, e);
      goto out;
    }
  } else {
    ao.identity_not_checked = 1;
  }
  sgxra_registry_view view = sgxra_registry_view_memory(mem);

  sgxra_verdict vd;
  if ((status = use_pccs
                    ? cli_verify_pccs(VERB, cx, quote_path, &po, root_path, now,
                                      &vd, &coll, &pinfo)
                    : cli_verify_bundle(VERB, cx, quote_path, dir, root_path,
                                        now, &vd, &coll)) != CLI_EXIT_OK)
    goto out;
  status = CLI_EXIT_USAGE;
  /* The collateral the verdict was made with explains a TCB status below
   * UpToDate in the refusal; a verdict that failed is appraised without
   * it (the appraisal only reads it for a genuine quote). */
  ao.collateral = coll;
  dec = malloc(sizeof *dec);
  if (!dec) {
    fprintf(stderr, "sgxra verify: out of memory\n");
    goto out;
  }
  if ((e = sgxra_appraise(cx, &vd, &view, &policy, &ao, now, dec))) {
    cli_fail(VERB, quote_path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (strict) {
    sr = malloc(sizeof *sr);
    if (!sr) {
      fprintf(stderr, "sgxra verify: out of memory\n");
      goto out;
    }
    if ((status = cli_strict_run(VERB, cx, coll, use_pccs ? NULL : dir, now,
                                 &vd, sr)) != 0)
      goto out;
    status = CLI_EXIT_USAGE;
  }
  int strict_fail = sr && sr->count;
  if (json) {
    json_t *o = verdict_json(&vd, dec, sr);
    if (use_pccs)
      json_object_set_new(o, "collateral", cli_pccs_info_json(&pinfo));
    const uint8_t *q;
    size_t qn;
    /* Intel's supplemental data, for a verification that reached the TCB
     * level (null otherwise). */
    json_object_set_new(o, "supplemental",
                        cli_quote_last(&q, &qn)
                            ? cli_supplemental_json(q, qn, coll, &vd, NULL, 0)
                            : json_null());
    cli_json_print(o);
  } else {
    print_human(&vd, dec, sr);
    if (use_pccs) cli_pccs_info_print("collateral", W, &pinfo);
  }
  if (vd.err != SGXRA_OK) {
    fprintf(stderr, "sgxra verify: %s: %s [%s]\n", quote_path, vd.reason,
            sgxra_err_name(vd.err));
    /* a quote that does not parse is unusable input; any other failure is
     * a verification outcome */
    status = vd.stage == SGXRA_STAGE_QUOTE ? CLI_EXIT_USAGE : CLI_EXIT_REFUSED;
  } else if (dec->trusted && !strict_fail) {
    status = CLI_EXIT_OK;
  } else {
    fprintf(stderr, "sgxra verify: %s: genuine, refused", quote_path);
    if (dec->reason_count) fprintf(stderr, ":");
    for (size_t i = 0; i < dec->reason_count; i++)
      fprintf(stderr, "%s %s", i ? "," : "",
              sgxra_reason_name(dec->reasons[i].code));
    if (strict_fail) {
      fprintf(stderr, "%s by --strict:", dec->reason_count ? ";" : "");
      for (size_t i = 0, n = 0; i < sr->count; i++) {
        size_t k = 0; /* each check named once */
        while (k < i && sr->findings[k].check != sr->findings[i].check) k++;
        if (k == i)
          fprintf(stderr, "%s %s", n++ ? "," : "",
                  sgxra_strict_check_name(sr->findings[i].check));
      }
    }
    fprintf(stderr, "\n");
    status = CLI_EXIT_REFUSED;
  }
out:
  free(sr);
  free(dec);
  sgxra_registry_memory_free(mem);
  sgxra_collateral_free(coll);
  sgxra_ctx_free(cx);
  return status;
}
