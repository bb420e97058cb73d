/* sgxra collateral fetch: get the collateral of a quote (or of an FMSPC and
 * PCK CA type) from Intel's PCS or a PCCS through the collateral cache, and
 * optionally write it as a bundle directory (docs/COLLATERAL.md,
 * "Fetching collateral").  Also the PCCS options shared with `verify`
 * (cli_pccs_*, declared in apps/cli.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "cli.h"
#include "sgxra/collateral.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/pccs.h"
#include "sgxra/store.h"
#include "sgxra/timeutil.h"
#include "sgxra/x509.h"

#define VERB "collateral fetch"
#define QUOTE_CAP ((size_t)1 << 20)

int cli_pccs_configured(const cli_pccs_opts *o) {
  if (o->pccs_url || o->qcnl_conf) return 1;
  const char *e = getenv(SGXRA_PCCS_URL_VAR);
  if (e && *e) return 1;
  return access(SGXRA_PCCS_QCNL_CONF, R_OK) == 0;
}

int cli_pccs_option(cli_pccs_opts *o, int c, const char *arg) {
  switch (c) {
  case CLI_OPT_PCCS:
    o->pccs_url = arg;
    return 1;
  case CLI_OPT_API_KEY:
    o->api_key = arg;
    return 1;
  case CLI_OPT_QCNL_CONF:
    o->qcnl_conf = arg;
    return 1;
  case CLI_OPT_INSECURE:
    o->insecure = 1;
    return 1;
  case CLI_OPT_CACHE:
    o->cache_url = arg;
    return 1;
  case CLI_OPT_NO_CACHE:
    o->no_cache = 1;
    return 1;
  case CLI_OPT_UPDATE:
    o->update = arg;
    return 1;
  default:
    return 0;
  }
}

int cli_pccs_get(const char *verb, sgxra_ctx *cx, const cli_pccs_opts *o,
                 const sgxra_store_collateral_key *key,
                 const sgxra_x509_cert *root, int64_t now,
                 sgxra_pccs_result **out) {
  *out = NULL;
  if (o->cache_url && o->no_cache)
    return cli_usage_error(verb, "--cache and --no-cache exclude each other");
  sgxra_pccs_config cfg;
  sgxra_pccs_config_init(&cfg);
  if (sgxra_pccs_config_resolve(cx, &cfg, o->pccs_url,
                                getenv(SGXRA_PCCS_URL_VAR), o->qcnl_conf))
    return cli_fail(verb, "PCCS configuration", cx, CLI_EXIT_USAGE);
  if (o->api_key) snprintf(cfg.api_key, sizeof cfg.api_key, "%s", o->api_key);
  if (o->insecure) cfg.use_secure_cert = 0;
  /* A command waits at most about a minute for the network. */
  if (cfg.retry_times > 3) cfg.retry_times = 3;
  if (cfg.retry_delay_ms > 2000) cfg.retry_delay_ms = 2000;
  if (cfg.total_timeout_ms > 30000) cfg.total_timeout_ms = 30000;
  sgxra_store *st = NULL;
  int status;
  if (!o->no_cache &&
      (status = cli_cache_open(verb, cx, o->cache_url, now, &st)))
    return status;
  sgxra_pccs_client *cl = NULL;
  status = CLI_EXIT_USAGE;
  if (sgxra_pccs_client_new(cx, &cfg, st, NULL, &cl)) {
    cli_fail(verb, "PCCS client", cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (sgxra_pccs_get_collateral(cx, cl, key, root, now, out)) {
    cli_fail(verb, cfg.base_url, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if ((*out)->info.refresh_failed)
    fprintf(stderr,
            "sgxra %s: warning: refreshing the collateral failed (%s [%s]); "
            "using the cached copy fetched at %" PRId64 ", still valid\n",
            verb, (*out)->info.refresh_message,
            sgxra_err_name((*out)->info.refresh_error),
            (*out)->info.fetched_at);
  status = 0;
out:
  sgxra_pccs_client_free(cl);
  sgxra_store_close(st);
  return status;
}

int cli_pccs_get_for_quote(const char *verb, sgxra_ctx *cx,
                           const cli_pccs_opts *o, const uint8_t *quote,
                           size_t n, const sgxra_x509_cert *root, int64_t now,
                           sgxra_pccs_result **out) {
  *out = NULL;
  sgxra_store_collateral_key key;
  if (sgxra_pccs_key_from_quote(cx, quote, n, o->update, &key))
    return cli_fail(verb, "quote's PCK certificate", cx, CLI_EXIT_USAGE);
  return cli_pccs_get(verb, cx, o, &key, root, now, out);
}

json_t *cli_pccs_info_json(const sgxra_pccs_info *in) {
  char d[SGXRA_TIME_TEXT_SIZE];
  json_t *o = json_object();
  json_object_set_new(o, "source", json_string(in->source));
  json_object_set_new(o, "from_cache", json_boolean(in->from_cache));
  json_object_set_new(o, "cache",
                      json_string(sgxra_pccs_origin_name(in->origin)));
  sgxra_time_format(in->fetched_at, d);
  json_object_set_new(o, "fetched_at", json_string(d));
  sgxra_time_format(in->next_update, d);
  json_object_set_new(o, "next_update", json_string(d));
  json_object_set_new(o, "tcb_evaluation_data_number",
                      json_integer(in->tcb_eval_num));
  json_object_set_new(o, "stale", json_boolean(in->stale));
  json_object_set_new(o, "refresh_failed", json_boolean(in->refresh_failed));
  if (in->refresh_failed)
    json_object_set_new(o, "refresh_error",
                        json_string(sgxra_err_name(in->refresh_error)));
  json_object_set_new(o, "http_requests", json_integer(in->http_requests));
  return o;
}

void cli_pccs_info_print(const char *label, int width,
                         const sgxra_pccs_info *in) {
  char d[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(in->fetched_at, d);
  printf("%-*s %s (%s, fetched %s%s)\n", width, label, in->source,
         in->from_cache ? sgxra_pccs_origin_name(in->origin) : "network", d,
         in->refresh_failed ? ", refresh failed: cached copy" : "");
}

/* ---- the bundle directory ---------------------------------------------------
 */

static int write_bundle(sgxra_ctx *cx, const char *dir,
                        const sgxra_collateral_buffers *b) {
  if (sgxra_collateral_write_dir(cx, dir, b) != SGXRA_OK)
    return cli_fail(VERB, "-o", cx, CLI_EXIT_USAGE);
  return 0;
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra collateral fetch QUOTE | --fmspc HEX --ca "
      "processor|platform\n"
      "                [-o DIR] [--pccs URL] [--update standard|early] "
      "[--api-key KEY]\n"
      "                [--qcnl-conf PATH] [--insecure] [--cache URL | "
      "--no-cache]\n"
      "                [--trust-root PEM] [--at TIME] [--json]\n"
      "\n"
      "Get the verification collateral of QUOTE's platform (FMSPC and PCK "
      "CA type\n"
      "read from its PCK certificate), or of --fmspc/--ca, from Intel's PCS "
      "or a\n"
      "PCCS through the collateral cache; validate it (never kept nor "
      "written\n"
      "unless it validates at TIME against the trust root) and say what was\n"
      "fetched.  With -o, write it as a bundle directory for `sgxra verify\n"
      "--collateral DIR` (DIR must not exist or be empty).\n"
      "\n"
      "  -o, --output DIR       write the bundle directory\n"
      "      --fmspc HEX        FMSPC, 12 hex digits (instead of QUOTE)\n"
      "      --ca TYPE          PCK CA: processor or platform (with --fmspc)\n"
      "      --pccs URL         PCS/PCCS base URL (.../sgx/certification/v4/ "
      "is\n"
      "                         added when missing); else $SGXRA_PCCS_URL, "
      "else the\n"
      "                         QCNL file's collateral_service / pccs_url, "
      "else\n"
      "                         Intel's PCS\n"
      "      --update TYPE      standard (default) or early\n"
      "      --api-key KEY      Ocp-Apim-Subscription-Key for Intel's PCS\n"
      "      --qcnl-conf PATH   QCNL configuration (default "
      "/etc/sgx_default_qcnl.conf\n"
      "                         when it exists)\n"
      "      --insecure         do not verify the server's TLS "
      "certificate\n" CLI_CACHE_HELP "      --no-cache         memory only\n"
      "      --trust-root PEM   trust anchor instead of Intel SGX Root CA\n"
      "      --at TIME          validation time: RFC 3339 UTC or unix "
      "seconds;\n"
      "                         default now\n"
      "      --json             one JSON object\n"
      "  -h, --help             this help\n"
      "\n"
      "Exit status: 0 fetched (or cached) and valid, 2 usage error, network\n"
      "failure or collateral that does not validate.\n");
}

int cli_collateral_fetch(int argc, char **argv) {
  enum { OPT_FMSPC = 400, OPT_CA, OPT_TRUST_ROOT, OPT_AT, OPT_JSON };
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"fmspc", required_argument, NULL, OPT_FMSPC},
      {"ca", required_argument, NULL, OPT_CA},
      {"trust-root", required_argument, NULL, OPT_TRUST_ROOT},
      {"at", required_argument, NULL, OPT_AT},
      {"json", no_argument, NULL, OPT_JSON},
      CLI_PCCS_LONG_OPTIONS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *out_dir = NULL, *fmspc = NULL, *ca = NULL, *root_path = NULL,
             *at = NULL;
  int json = 0;
  cli_pccs_opts po;
  memset(&po, 0, sizeof po);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    if (cli_pccs_option(&po, c, optarg)) continue;
    switch (c) {
    case 'o':
      out_dir = optarg;
      break;
    case OPT_FMSPC:
      fmspc = optarg;
      break;
    case OPT_CA:
      ca = optarg;
      break;
    case OPT_TRUST_ROOT:
      root_path = optarg;
      break;
    case OPT_AT:
      at = optarg;
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
  const char *quote_path = NULL;
  if (optind == argc - 1)
    quote_path = argv[optind];
  else if (optind < argc)
    return cli_usage_error(VERB, "at most one QUOTE file is expected");
  if (!quote_path == !fmspc)
    return cli_usage_error(VERB, "give a QUOTE file or --fmspc HEX, not both "
                                 "or neither");
  if (fmspc && !ca) return cli_usage_error(VERB, "--fmspc needs --ca TYPE");
  if (!fmspc && ca) return cli_usage_error(VERB, "--ca goes with --fmspc");

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  int status = CLI_EXIT_USAGE;
  uint8_t *buf = NULL;
  size_t len = 0;
  sgxra_x509_chain *root = NULL;
  sgxra_pccs_result *r = NULL;
  int64_t now = (int64_t)time(NULL);
  if (at && sgxra_time_parse_arg(cx, at, &now) != SGXRA_OK) {
    status = cli_usage_error(VERB, "--at '%s': %s", at, sgxra_ctx_message(cx));
    goto out;
  }
  sgxra_store_collateral_key key;
  if (fmspc) {
    if (sgxra_pccs_key_make(cx, fmspc, ca, po.update, &key)) {
      status = cli_usage_error(VERB, "%s", sgxra_ctx_message(cx));
      goto out;
    }
  } else {
    if ((status = cli_read_file(VERB, cx, quote_path, QUOTE_CAP, &buf, &len)))
      goto out;
    status = CLI_EXIT_USAGE;
    if (sgxra_pccs_key_from_quote(cx, buf, len, po.update, &key)) {
      status = cli_fail(VERB, quote_path, cx, CLI_EXIT_USAGE);
      goto out;
    }
    free(buf);
    buf = NULL;
  }
  if (root_path) {
    if ((status = cli_read_file(VERB, cx, root_path, 1 << 20, &buf, &len)))
      goto out;
    status = CLI_EXIT_USAGE;
    if (sgxra_x509_chain_parse_pem(cx, buf, len, &root)) {
      status = cli_fail(VERB, root_path, cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if ((status =
           cli_pccs_get(VERB, cx, &po, &key,
                        root ? sgxra_x509_chain_get(root, 0) : NULL, now, &r)))
    goto out;
  if (out_dir && (status = write_bundle(cx, out_dir, &r->entry.items)))
    goto out;

  const sgxra_collateral_buffers *b = &r->entry.items;
  char fm[13], d[SGXRA_TIME_TEXT_SIZE];
  sgxra_hex_encode(key.fmspc, 6, fm);
  struct {
    const char *name;
    size_t n;
  } items[] = {
      {"tcb_info", b->tcb_info_len},
      {"tcb_info_issuer_chain", b->tcb_info_issuer_chain_len},
      {"qe_identity", b->qe_identity_len},
      {"qe_identity_issuer_chain", b->qe_identity_issuer_chain_len},
      {"pck_crl", b->pck_crl_len},
      {"pck_crl_issuer_chain", b->pck_crl_issuer_chain_len},
      {"root_ca_crl", b->root_ca_crl_len},
  };
  if (json) {
    json_t *o = json_object();
    json_object_set_new(o, "fmspc", json_string(fm));
    json_object_set_new(o, "ca", json_string(key.ca));
    json_object_set_new(o, "update", json_string(key.update));
    json_object_set_new(o, "collateral", cli_pccs_info_json(&r->info));
    json_t *it = json_object();
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
      json_object_set_new(it, items[i].name,
                          json_integer((json_int_t)items[i].n));
    json_object_set_new(o, "items", it);
    json_object_set_new(o, "expired",
                        json_boolean(sgxra_collateral_expired(r->collateral)));
    json_object_set_new(o, "output",
                        out_dir ? json_string(out_dir) : json_null());
    cli_json_print(o);
  } else {
    printf("%-26s %s\n", "fmspc", fm);
    printf("%-26s %s\n", "ca", key.ca);
    printf("%-26s %s\n", "update", key.update);
    cli_pccs_info_print("source", 26, &r->info);
    printf("%-26s %" PRIu32 "\n", "tcb_evaluation_data_number",
           r->info.tcb_eval_num);
    sgxra_time_format(r->info.next_update, d);
    printf("%-26s %s\n", "next_update", d);
    printf("%-26s %s\n", "expired",
           sgxra_collateral_expired(r->collateral) ? "yes" : "no");
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
      printf("%-26s %zu bytes\n", items[i].name, items[i].n);
    if (out_dir) printf("%-26s %s\n", "written", out_dir);
  }
  status = CLI_EXIT_OK;
out:
  sgxra_pccs_result_free(r);
  sgxra_x509_chain_free(root);
  free(buf);
  sgxra_ctx_free(cx);
  return status;
}
