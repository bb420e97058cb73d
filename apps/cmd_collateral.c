/* sgxra collateral: Intel collateral (TCB Info, QE Identity, PCK CRL, root
 * CA CRL and their issuer chains) in the collateral cache, keyed by (FMSPC,
 * PCK CA type, update type): `import` a bundle directory after validating
 * it, `list` the entries, `export` one as a bundle directory (for `verify
 * --collateral`, or an offline machine), `delete` one.  `fetch` (from a
 * PCS/PCCS) is apps/cmd_collateral_fetch.c.  The cache: apps/cache.h; the
 * tables: docs/STORE.md.
 *
 * Exit: 0 done; 2 usage error or unusable input (a bundle that does not
 * validate, no such entry, a cache that cannot be opened or written). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
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
#include "sgxra/timeutil.h"
#include "sgxra/x509.h"
#include "sp.h"

#define ROOT_CAP ((size_t)1 << 20)

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra collateral fetch ...   (see 'sgxra collateral fetch "
      "--help')\n"
      "       sgxra collateral import DIR [--update standard|early]\n"
      "                         [--trust-root PEM] [--at TIME] [--cache "
      "URL] [--json]\n"
      "       sgxra collateral list [--at TIME] [--cache URL] [--json]\n"
      "       sgxra collateral export --fmspc HEX --ca processor|platform\n"
      "                         [--update standard|early] -o DIR [--cache "
      "URL]\n"
      "       sgxra collateral delete --fmspc HEX --ca processor|platform\n"
      "                         [--update standard|early] [--cache URL]\n"
      "\n"
      "Intel collateral (TCB Info, QE Identity, PCK CRL, root CA CRL and "
      "their\n"
      "issuer chains) kept in the collateral cache by FMSPC, PCK CA type and\n"
      "update type, for verifiers without network access to Intel's PCS.\n"
      "\n"
      "import DIR: a bundle directory as `sgxra verify --collateral` reads "
      "it\n"
      "  (pck_crl_issuer_chain.pem, root_ca_crl.der, pck_crl.der, "
      "tcb_info.json,\n"
      "  tcb_info_issuer_chain.pem, qe_identity.json,\n"
      "  qe_identity_issuer_chain.pem, optional root_ca.pem).  It must "
      "validate\n"
      "  at --at (signatures, chains to the trust root, CRLs; expired\n"
      "  collateral is stored and listed as stale); the key is the TCB "
      "Info's\n"
      "  FMSPC and the PCK CRL issuer's CA (Processor or Platform CA).  An\n"
      "  entry with the same key is replaced.\n"
      "list: one line per entry: FMSPC, CA, update type, "
      "tcbEvaluationDataNumber,\n"
      "  fetched at, next update, fresh/stale at --at, source.\n"
      "export: write the entry as a bundle directory DIR (created; an "
      "existing\n"
      "  DIR must be empty), its files 0644, made complete in a temporary\n"
      "  sibling and renamed into place.\n"
      "delete: remove the entry.\n"
      "\n"
      "Options:\n"
      "      --fmspc HEX        12 hex digits\n"
      "      --ca TYPE          processor or platform: the PCK CA\n"
      "      --update TYPE      standard (default) or early: Intel's TCB\n"
      "                         update type\n"
      "      --trust-root PEM   trust anchor instead of Intel SGX Root CA\n"
      "                         (import)\n"
      "  -o, --output DIR       the bundle directory to write (export)\n"
      "      --at TIME          validation time (import), the time fresh and\n"
      "                         stale are judged at (list): RFC 3339 UTC or\n"
      "                         unix seconds; default now\n" CLI_CACHE_HELP
      "      --json             one JSON object on stdout\n"
      "  -h, --help             this help\n"
      "\n"
      "Exit status: 0 done, 2 usage error or unusable input (a bundle that\n"
      "does not validate, no such entry, a cache that cannot be used).\n");
}

enum {
  O_FMSPC = 1,
  O_CA,
  O_UPDATE,
  O_TRUST_ROOT,
  O_OUTPUT,
  O_AT,
  O_CACHE,
  O_JSON,
  O__COUNT
};
static const char *const opt_names[O__COUNT] = {
    "", "fmspc", "ca", "update", "trust-root", "output", "at", "cache", "json"};
#define B(o) (1u << (o))

typedef struct coll_args {
  const char *verb; /* "collateral import" */
  const char *val[O__COUNT];
  unsigned seen;
  int nops;
  char **ops;
  int64_t now;
  sgxra_store_collateral_key key;
} coll_args;

/* Options, then the key (when allowed) and --at; 0, -1 after --help, or
 * the usage error. */
static int parse_args(int argc, char **argv, coll_args *a, unsigned allowed) {
  static const struct option opts[] = {
      {"fmspc", required_argument, NULL, O_FMSPC},
      {"ca", required_argument, NULL, O_CA},
      {"update", required_argument, NULL, O_UPDATE},
      {"trust-root", required_argument, NULL, O_TRUST_ROOT},
      {"output", required_argument, NULL, O_OUTPUT},
      {"at", required_argument, NULL, O_AT},
      {"cache", required_argument, NULL, O_CACHE},
      {"json", no_argument, NULL, O_JSON},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  optind = 1;
  opterr = 0;
  int ch, help = 0;
  while ((ch = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
    if (ch == 'h') {
      help = 1;
      continue;
    }
    if (ch == 'o') ch = O_OUTPUT;
    if (ch <= 0 || ch >= O__COUNT) return cli_option_error(a->verb, ch, argv);
    if (!(allowed & B(ch)))
      return cli_usage_error(a->verb, "option '--%s' does not apply here",
                             opt_names[ch]);
    a->seen |= B(ch);
    a->val[ch] = optarg ? optarg : "";
  }
  if (help) {
    usage(stdout);
    return -1;
  }
  a->nops = argc - optind;
  a->ops = argv + optind;
  a->now = (int64_t)time(NULL);
  if (a->val[O_AT]) {
    sgxra_ctx *cx = cli_ctx_new(a->verb);
    if (!cx) return CLI_EXIT_USAGE;
    int rc = 0;
    if (sgxra_time_parse_arg(cx, a->val[O_AT], &a->now) != SGXRA_OK)
      rc = cli_usage_error(a->verb, "--at '%s': %s", a->val[O_AT],
                           sgxra_ctx_message(cx));
    sgxra_ctx_free(cx);
    if (rc) return rc;
  }
  const char *update = a->val[O_UPDATE] ? a->val[O_UPDATE] : "standard";
  if (strcmp(update, "standard") && strcmp(update, "early"))
    return cli_usage_error(a->verb, "--update '%s': expected standard or early",
                           update);
  snprintf(a->key.update, sizeof a->key.update, "%s", update);
  if (allowed & B(O_FMSPC)) {
    if (!a->val[O_FMSPC] || !a->val[O_CA])
      return cli_usage_error(a->verb, "--fmspc HEX and --ca TYPE are "
                                      "required");
    int rc = sp_parse_hex(a->verb, "--fmspc", a->val[O_FMSPC], a->key.fmspc,
                          sizeof a->key.fmspc);
    if (rc) return rc;
    if (strcmp(a->val[O_CA], "processor") && strcmp(a->val[O_CA], "platform"))
      return cli_usage_error(
          a->verb, "--ca '%s': expected processor or platform", a->val[O_CA]);
    snprintf(a->key.ca, sizeof a->key.ca, "%s", a->val[O_CA]);
  }
  return 0;
}

static void put_time(cli_out *o, const char *key, int64_t t) {
  char s[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, s);
  cli_put_str(o, key, s);
}

static void fmspc_hex(const uint8_t fmspc[6], char out[13]) {
  sgxra_hex_encode(fmspc, 6, out);
}

/* ---- import ------------------------------------------------------------- */

/* "processor" / "platform" from the PCK CA's subject CN ("Intel SGX PCK
 * Processor CA", "... Platform CA"; a test CA under another root ends the
 * same way), or NULL. */
static const char *ca_type(const sgxra_x509_cert *ca) {
  const char *cn = ca ? sgxra_x509_cert_subject_cn(ca) : NULL;
  if (!cn) return NULL;
  size_t n = strlen(cn);
  static const char proc[] = "Processor CA", plat[] = "Platform CA";
  if (n >= sizeof proc - 1 && !strcmp(cn + n - (sizeof proc - 1), proc))
    return "processor";
  if (n >= sizeof plat - 1 && !strcmp(cn + n - (sizeof plat - 1), plat))
    return "platform";
  return NULL;
}

static int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}

static int cmd_import(coll_args *a, sgxra_ctx *cx) {
  if (a->nops == 0)
    return cli_usage_error(a->verb, "the bundle DIR is required");
  if (a->nops > 1)
    return cli_usage_error(a->verb, "one DIR expected, found %d", a->nops);
  const char *dir = a->ops[0];
  char abs[PATH_MAX];
  if (!realpath(dir, abs)) {
    fprintf(stderr, "sgxra %s: %s: %s\n", a->verb, dir, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  int rc = CLI_EXIT_USAGE;
  uint8_t *root_pem = NULL;
  sgxra_x509_chain *root_chain = NULL;
  sgxra_collateral *coll = NULL;
  sgxra_store *st = NULL;
  sgxra_store_collateral c;
  memset(&c, 0, sizeof c);
  /* Read each file once: what is validated is what is stored. */
  if (sgxra_collateral_read_dir(cx, abs, &c.items) != SGXRA_OK) {
    cli_fail(a->verb, dir, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (a->val[O_TRUST_ROOT]) {
    size_t n;
    if (cli_read_file(a->verb, cx, a->val[O_TRUST_ROOT], ROOT_CAP, &root_pem,
                      &n))
      goto out;
    if (sgxra_x509_chain_parse_pem(cx, root_pem, n, &root_chain)) {
      cli_fail(a->verb, a->val[O_TRUST_ROOT], cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if (sgxra_collateral_load(cx, &c.items, &coll) != SGXRA_OK ||
      sgxra_collateral_validate(
          cx, coll, root_chain ? sgxra_x509_chain_get(root_chain, 0) : NULL,
          a->now) != SGXRA_OK) {
    cli_fail(a->verb, dir, cx, CLI_EXIT_USAGE);
    fprintf(stderr,
            "sgxra %s: %s: not imported: the bundle does not "
            "validate\n",
            a->verb, dir);
    goto out;
  }
  const sgxra_tcbinfo *tcb = sgxra_collateral_tcbinfo(coll);
  const sgxra_qeidentity *qe = sgxra_collateral_qeidentity(coll);
  const char *ca = ca_type(sgxra_collateral_pck_ca(coll));
  if (!ca) {
    fprintf(stderr,
            "sgxra %s: %s: the PCK CRL issuer '%s' is neither a Processor "
            "nor a Platform CA: cannot tell the cache key\n",
            a->verb, dir,
            sgxra_x509_cert_subject_cn(sgxra_collateral_pck_ca(coll)));
    goto out;
  }
  memcpy(c.key.fmspc, tcb->fmspc, sizeof c.key.fmspc);
  snprintf(c.key.ca, sizeof c.key.ca, "%s", ca);
  memcpy(c.key.update, a->key.update, sizeof c.key.update);
  c.fetched_at = a->now;
  c.next_update =
      min64(min64(tcb->next_update, qe->next_update),
            min64(sgxra_crl_next_update(sgxra_collateral_pck_crl(coll)),
                  sgxra_crl_next_update(sgxra_collateral_root_crl(coll))));
  c.tcb_eval_num = tcb->tcb_evaluation_data_number;
  if ((size_t)snprintf(c.source, sizeof c.source, "import:%s", abs) >=
      sizeof c.source) {
    fprintf(stderr,
            "sgxra %s: %s: the path is longer than the %d bytes a "
            "cache entry's source holds\n",
            a->verb, abs, SGXRA_STORE_COLLATERAL_SOURCE_MAX - 7);
    goto out;
  }
  if ((rc = cli_cache_open(a->verb, cx, a->val[O_CACHE], a->now, &st)))
    goto out;
  if (sgxra_store_collateral_put(cx, st, &c) != SGXRA_OK) {
    rc = cli_fail(a->verb, NULL, cx, CLI_EXIT_USAGE);
    goto out;
  }
  char fx[13];
  fmspc_hex(c.key.fmspc, fx);
  int expired = sgxra_collateral_expired(coll);
  if (a->seen & B(O_JSON)) {
    cli_out o = {json_object(), 0};
    cli_put_str(&o, "fmspc", fx);
    cli_put_str(&o, "ca", c.key.ca);
    cli_put_str(&o, "update", c.key.update);
    cli_put_num(&o, "tcb_eval_num", c.tcb_eval_num);
    put_time(&o, "fetched_at", c.fetched_at);
    put_time(&o, "next_update", c.next_update);
    cli_put_bool(&o, "expired", expired);
    cli_put_str(&o, "source", c.source);
    cli_put_str(&o, "cache", sgxra_store_name(st));
    rc = cli_out_end(&o, CLI_EXIT_OK);
  } else {
    char nu[SGXRA_TIME_TEXT_SIZE];
    sgxra_time_format(c.next_update, nu);
    printf("imported %s %s %s tcbEvaluationDataNumber=%" PRIu32
           " next_update=%s%s source=%s\n",
           fx, c.key.ca, c.key.update, c.tcb_eval_num, nu,
           expired ? " (expired)" : "", c.source);
    rc = CLI_EXIT_OK;
  }
out:
  sgxra_store_close(st);
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(root_chain);
  free(root_pem);
  sgxra_collateral_buffers_free(&c.items);
  return rc;
}

/* ---- list ------------------------------------------------------------------
 */

static int cmd_list(coll_args *a, sgxra_ctx *cx) {
  if (a->nops)
    return cli_usage_error(a->verb, "unexpected argument '%s'", a->ops[0]);
  sgxra_store *st = NULL;
  int rc = cli_cache_open(a->verb, cx, a->val[O_CACHE], a->now, &st);
  if (rc) return rc;
  sgxra_store_collateral *arr = NULL;
  size_t n = 0;
  if (sgxra_store_collateral_list(cx, st, &arr, &n) != SGXRA_OK) {
    rc = cli_fail(a->verb, NULL, cx, CLI_EXIT_USAGE);
    sgxra_store_close(st);
    return rc;
  }
  json_t *root = (a->seen & B(O_JSON)) ? json_object() : NULL;
  json_t *entries = root ? json_array() : NULL;
  for (size_t i = 0; i < n; i++) {
    const sgxra_store_collateral *x = &arr[i];
    char fx[13], fa[SGXRA_TIME_TEXT_SIZE], nu[SGXRA_TIME_TEXT_SIZE];
    fmspc_hex(x->key.fmspc, fx);
    int fresh = x->next_update > a->now;
    if (root) {
      cli_out o = {json_object(), 0};
      cli_put_str(&o, "fmspc", fx);
      cli_put_str(&o, "ca", x->key.ca);
      cli_put_str(&o, "update", x->key.update);
      cli_put_num(&o, "tcb_eval_num", x->tcb_eval_num);
      put_time(&o, "fetched_at", x->fetched_at);
      put_time(&o, "next_update", x->next_update);
      cli_put_bool(&o, "fresh", fresh);
      cli_put_str(&o, "source", x->source);
      json_array_append_new(entries, o.json);
    } else {
      sgxra_time_format(x->fetched_at, fa);
      sgxra_time_format(x->next_update, nu);
      printf("%s %-9s %-8s %3" PRIu32 " %s %s %-5s %s\n", fx, x->key.ca,
             x->key.update, x->tcb_eval_num, fa, nu, fresh ? "fresh" : "stale",
             x->source);
    }
  }
  if (root) {
    json_object_set_new(root, "cache", json_string(sgxra_store_name(st)));
    put_time(&(cli_out){root, 0}, "at", a->now);
    json_object_set_new(root, "entries", entries);
    cli_json_print(root);
  } else if (n == 0) {
    printf("(no entries)\n");
  }
  sgxra_store_free(arr);
  sgxra_store_close(st);
  return CLI_EXIT_OK;
}

/* ---- export ------------------------------------------------------------- */

static int cmd_export(coll_args *a, sgxra_ctx *cx) {
  if (a->nops)
    return cli_usage_error(a->verb, "unexpected argument '%s'", a->ops[0]);
  if (!a->val[O_OUTPUT] || !*a->val[O_OUTPUT])
    return cli_usage_error(a->verb, "-o DIR is required");
  char dir[PATH_MAX];
  size_t dl = strlen(a->val[O_OUTPUT]);
  if (dl >= sizeof dir - 32)
    return cli_usage_error(a->verb, "-o: the path is too long");
  memcpy(dir, a->val[O_OUTPUT], dl + 1);
  while (dl > 1 && dir[dl - 1] == '/') dir[--dl] = '\0';
  sgxra_store *st = NULL;
  int rc = cli_cache_open(a->verb, cx, a->val[O_CACHE], a->now, &st);
  if (rc) return rc;
  sgxra_store_collateral *c = NULL;
  int found = 0;
  char fx[13];
  fmspc_hex(a->key.fmspc, fx);
  rc = CLI_EXIT_USAGE;
  if (sgxra_store_collateral_get(cx, st, &a->key, &c, &found) != SGXRA_OK) {
    cli_fail(a->verb, NULL, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (!found) {
    fprintf(stderr,
            "sgxra %s: %s: no entry for FMSPC %s, CA %s, update %s: see "
            "'sgxra collateral list'\n",
            a->verb, sgxra_store_name(st), fx, a->key.ca, a->key.update);
    goto out;
  }
  if (sgxra_collateral_write_dir(cx, dir, &c->items) != SGXRA_OK) {
    cli_fail(a->verb, NULL, cx, CLI_EXIT_USAGE);
    goto out;
  }
  if (a->seen & B(O_JSON)) {
    cli_out o = {json_object(), 0};
    cli_put_str(&o, "fmspc", fx);
    cli_put_str(&o, "ca", c->key.ca);
    cli_put_str(&o, "update", c->key.update);
    cli_put_str(&o, "dir", dir);
    cli_put_bool(&o, "root_ca", c->items.root_ca != NULL);
    rc = cli_out_end(&o, CLI_EXIT_OK);
  } else {
    printf("exported %s %s %s to %s\n", fx, c->key.ca, c->key.update, dir);
    rc = CLI_EXIT_OK;
  }
out:
  sgxra_store_free(c);
  sgxra_store_close(st);
  return rc;
}

/* ---- delete ------------------------------------------------------------- */

static int cmd_delete(coll_args *a, sgxra_ctx *cx) {
  if (a->nops)
    return cli_usage_error(a->verb, "unexpected argument '%s'", a->ops[0]);
  sgxra_store *st = NULL;
  int rc = cli_cache_open(a->verb, cx, a->val[O_CACHE], a->now, &st);
  if (rc) return rc;
  char fx[13];
  fmspc_hex(a->key.fmspc, fx);
  int deleted = 0;
  if (sgxra_store_collateral_delete(cx, st, &a->key, &deleted) != SGXRA_OK) {
    rc = cli_fail(a->verb, NULL, cx, CLI_EXIT_USAGE);
  } else if (!deleted) {
    fprintf(stderr,
            "sgxra %s: %s: no entry for FMSPC %s, CA %s, update %s: see "
            "'sgxra collateral list'\n",
            a->verb, sgxra_store_name(st), fx, a->key.ca, a->key.update);
    rc = CLI_EXIT_USAGE;
  } else if (a->seen & B(O_JSON)) {
    cli_out o = {json_object(), 0};
    cli_put_str(&o, "fmspc", fx);
    cli_put_str(&o, "ca", a->key.ca);
    cli_put_str(&o, "update", a->key.update);
    cli_put_bool(&o, "deleted", 1);
    rc = cli_out_end(&o, CLI_EXIT_OK);
  } else {
    printf("deleted %s %s %s\n", fx, a->key.ca, a->key.update);
  }
  sgxra_store_close(st);
  return rc;
}

int cli_cmd_collateral(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (!strcmp(sub, "fetch")) return cli_collateral_fetch(argc - 1, argv + 1);
  static const unsigned common = B(O_CACHE) | B(O_JSON);
  static const unsigned key = B(O_FMSPC) | B(O_CA) | B(O_UPDATE);
  static const struct {
    const char *name, *verb;
    unsigned allowed;
    int (*fn)(coll_args *, sgxra_ctx *);
  } subs[] = {
      {"import", "collateral import",
       common | B(O_UPDATE) | B(O_TRUST_ROOT) | B(O_AT), cmd_import},
      {"list", "collateral list", common | B(O_AT), cmd_list},
      {"export", "collateral export", common | key | B(O_OUTPUT), cmd_export},
      {"delete", "collateral delete", common | key, cmd_delete},
  };
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    if (strcmp(sub, subs[i].name)) continue;
    coll_args a;
    memset(&a, 0, sizeof a);
    a.verb = subs[i].verb;
    int rc = parse_args(argc - 1, argv + 1, &a, subs[i].allowed);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    sgxra_ctx *cx = cli_ctx_new(a.verb);
    if (!cx) return CLI_EXIT_USAGE;
    rc = subs[i].fn(&a, cx);
    sgxra_ctx_free(cx);
    return rc;
  }
  return cli_usage_error("collateral",
                         "unknown sub-command '%s' (fetch, import, list, "
                         "export, delete)",
                         sub);
}
