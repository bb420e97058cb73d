/* sgxra verify: verify an SGX ECDSA (DCAP) quote against Intel collateral
 * and print Intel's verdict and the enclave's identity (docs/VERIFY.md).
 *
 * Output contract (--json): one object with at least return, verdict,
 * collateral_expired, advisory_ids, tcb_status, tcb_date, fmspc,
 * mrenclave, mrsigner, isvprodid, isvsvn, debug, report_data; values that
 * verification did not reach are null.
 *
 * Exit: 0 when return is SGX_QL_SUCCESS; 1 any other verification outcome;
 * 2 usage error or unusable input (unreadable files, collateral that does
 * not parse, a quote that does not parse). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sgxra/collateral.h"
#include "sgxra/hex.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define VERB "verify"
#define QUOTE_CAP ((size_t)1 << 20) /* quotes are a few KiB */
#define W 20

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra verify QUOTE --collateral DIR [--at TIME] "
          "[--trust-root PEM] [--json]\n"
          "\n"
          "Verify an SGX ECDSA quote (v3, v4, v5) with Intel's semantics "
          "against the\n"
          "collateral in DIR (pck_crl_issuer_chain.pem, root_ca_crl.der, "
          "pck_crl.der,\n"
          "tcb_info.json, tcb_info_issuer_chain.pem, qe_identity.json,\n"
          "qe_identity_issuer_chain.pem) and print the verdict and the "
          "enclave.\n"
          "\n"
          "  -c, --collateral DIR  collateral bundle directory (required)\n"
          "      --at TIME         verification time: RFC 3339 UTC "
          "(2025-07-01T00:00:00Z)\n"
          "                        or unix seconds; default now\n"
          "      --trust-root PEM  trust anchor instead of Intel SGX Root CA\n"
          "      --json            one JSON object: return, verdict,\n"
          "                        collateral_expired, advisory_ids, "
          "tcb_status,\n"
          "                        tcb_date, fmspc, mrenclave, mrsigner, "
          "isvprodid,\n"
          "                        isvsvn, debug, report_data, ...\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit status: 0 return SGX_QL_SUCCESS (read the verdict and "
          "advisories:\n"
          "OUT_OF_DATE is a success of verification, not of trust), 1 any "
          "other\n"
          "verification outcome, 2 usage error or unusable input.\n");
}

static void print_human(const sgxra_verdict *vd) {
  char date[SGXRA_TIME_TEXT_SIZE];
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
}

int cli_cmd_verify(int argc, char **argv) {
  enum { OPT_AT = 256, OPT_TRUST_ROOT, OPT_JSON };
  static const struct option opts[] = {
      {"collateral", required_argument, NULL, 'c'},
      {"at", required_argument, NULL, OPT_AT},
      {"trust-root", required_argument, NULL, OPT_TRUST_ROOT},
      {"json", no_argument, NULL, OPT_JSON},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *dir = NULL, *at = NULL, *root_path = NULL;
  int json = 0;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
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
  if (!dir) return cli_usage_error(VERB, "--collateral DIR is required");
  const char *quote_path = argv[optind];

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  int status = CLI_EXIT_USAGE;
  uint8_t *quote = NULL, *root_pem = NULL;
  size_t quote_len = 0, root_len = 0;
  sgxra_collateral *coll = NULL;
  sgxra_x509_chain *root_chain = NULL;
  int64_t now = (int64_t)time(NULL);
  if (at && sgxra_time_parse_arg(cx, at, &now) != SGXRA_OK) {
    status = cli_usage_error(VERB, "--at '%s': %s", at, sgxra_ctx_message(cx));
    goto out;
  }
  if ((status = cli_read_file(VERB, cx, quote_path, QUOTE_CAP, &quote,
                              &quote_len)) != 0)
    goto out;
  status = CLI_EXIT_USAGE;
  if (root_path) {
    if (cli_read_file(VERB, cx, root_path, 1u << 20, &root_pem, &root_len))
      goto out;
    if (sgxra_x509_chain_parse_pem(cx, root_pem, root_len, &root_chain)) {
      cli_fail(VERB, root_path, cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if (sgxra_collateral_load_dir(cx, dir, &coll) != SGXRA_OK) {
    cli_fail(VERB, dir, cx, CLI_EXIT_USAGE);
    goto out;
  }
  sgxra_verdict vd;
  if (sgxra_verify_quote(cx, quote, quote_len, coll,
                         root_chain ? sgxra_x509_chain_get(root_chain, 0)
                                    : NULL,
                         now, &vd) != SGXRA_OK) {
    cli_fail(VERB, quote_path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (json)
    cli_json_print(cli_verdict_json(&vd));
  else
    print_human(&vd);
  if (vd.err == SGXRA_OK) {
    status = CLI_EXIT_OK;
  } else {
    fprintf(stderr, "sgxra verify: %s: %s [%s]\n", quote_path, vd.reason,
            sgxra_err_name(vd.err));
    /* a quote that does not parse is unusable input; any other failure is
     * a verification outcome */
    status = vd.stage == SGXRA_STAGE_QUOTE ? CLI_EXIT_USAGE : CLI_EXIT_REFUSED;
  }
out:
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(root_chain);
  free(root_pem);
  free(quote);
  sgxra_ctx_free(cx);
  return status;
}
