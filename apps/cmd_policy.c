/* sgxra policy: the appraisal policy in the registry (docs/POLICY.md).
 * Every `set` stores a new version (the exact bytes; the current policy is
 * the highest version); `show` prints one version exactly as stored;
 * `history` lists them.
 *
 * Exit: 0 done; 1 no such version; 2 usage error or unusable input (a
 * document that is not a valid policy -- an unknown key, a wrong type --
 * or a database that cannot be used). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/policy.h"
#include "sgxra/timeutil.h"
#include "sp.h"

#define W 20

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra policy set FILE|-\n"
          "       sgxra policy show [--version N]\n"
          "       sgxra policy history\n"
          "\n"
          "The appraisal policy `sgxra appraise` applies: a JSON object "
          "(docs/POLICY.md),\n"
          "e.g. {\"sgxra_policy\": 1, \"accept_tcb_status\": [\"UpToDate\",\n"
          "\"SWHardeningNeeded\"], \"allow_debug\": false}.  Without a stored "
          "policy the\n"
          "default applies: " SGXRA_POLICY_DEFAULT_DOC
          " (UpToDate only, no DEBUG\n"
          "enclave, no expired collateral).\n"
          "\n"
          "set FILE|-: check the document (FILE, or standard input for -) and "
          "store it,\n"
          "  byte for byte, as the next version; prints version and sha256.\n"
          "show: the current version (or --version N): version, sha256, who "
          "set it\n"
          "  and when, and the exact stored document (with --json as the "
          "string\n"
          "  \"document\").  Version 0 is the default policy (none stored).\n"
          "history: every version, oldest first.\n"
          "\n"
          "      --version N   the version to show (1, 2, ...)\n"
          "\n" SP_COMMON_HELP "\n"
          "Exit status: 0 done, 1 no such version, 2 usage error or unusable "
          "input\n"
          "(a document that is not a valid policy, a database that cannot be "
          "used).\n");
}

static void put_info(cli_out *o, const sgxra_store_policy_info *i) {
  cli_put_num(o, "version", (uint64_t)i->version);
  cli_put_hex(o, "sha256", i->sha256, sizeof i->sha256);
  cli_put_str(o, "set_by", i->set_by);
  sp_put_time(o, "set_at", i->set_at);
  cli_put_num(o, "size", i->size);
}

#define DOC_CAP ((size_t)SGXRA_POLICY_DOC_MAX)

static int cmd_set(sp_common *c, sgxra_ctx *cx, int nargs, char **args) {
  if (nargs != 1)
    return cli_usage_error(c->verb, "one FILE (or - for standard input) is "
                                    "required");
  const char *path = args[0];
  char *doc = NULL;
  size_t len = 0;
  int rc;
  rc = cli_read_input(c->verb, cx, path, DOC_CAP, (uint8_t **)&doc, &len);
  if (rc) return rc;
  sgxra_policy *p = calloc(1, sizeof *p);
  if (!p) {
    free(doc);
    return cli_usage_error(c->verb, "out of memory");
  }
  /* the store checks only for a JSON object: refuse what the appraisal
   * could not apply before it becomes the current policy */
  if (sgxra_policy_parse(cx, doc, len, p) != SGXRA_OK) {
    rc = cli_fail(c->verb, path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  sgxra_store *st = NULL;
  if ((rc = sp_open(c, cx, &st))) goto out;
  sgxra_store_policy_info info;
  if (sgxra_store_policy_set(cx, st, doc, len, c->actor, c->now, &info) !=
      SGXRA_OK) {
    rc = sp_store_fail(c, cx, st);
  } else {
    cli_out o = {c->json ? json_object() : NULL, W};
    put_info(&o, &info);
    rc = cli_out_end(&o, CLI_EXIT_OK);
  }
  sgxra_store_close(st);
out:
  free(p);
  free(doc);
  return rc;
}

static int cmd_show(sp_common *c, sgxra_ctx *cx, int nargs, char **args,
                    const char *version) {
  if (nargs)
    return cli_usage_error(c->verb, "unexpected argument '%s'", args[0]);
  uint64_t v = 0;
  int rc;
  if (version &&
      (rc = cli_parse_uint(c->verb, "--version", version, 1, INT64_MAX, &v)))
    return rc;
  sgxra_store *st = NULL;
  if ((rc = sp_open(c, cx, &st))) return rc;
  sgxra_store_policy_info info;
  char *doc = NULL;
  int dflt = 0;
  sgxra_err e = sgxra_store_policy_get(cx, st, (int64_t)v, &info, &doc);
  if (e == SGXRA_E_STORE_NOT_FOUND && !version) {
    /* none stored: the default applies, shown as version 0 */
    sgxra_policy p;
    if (sgxra_policy_default(cx, &p) != SGXRA_OK) {
      rc = cli_fail(c->verb, NULL, cx, CLI_EXIT_USAGE);
      goto out;
    }
    memset(&info, 0, sizeof info);
    memcpy(info.sha256, p.sha256, sizeof info.sha256);
    snprintf(info.set_by, sizeof info.set_by, "(default)");
    info.size = strlen(SGXRA_POLICY_DEFAULT_DOC);
    dflt = 1;
    e = SGXRA_OK;
  }
  if (e) {
    rc = sp_store_fail(c, cx, st);
    goto out;
  }
  const char *text = dflt ? SGXRA_POLICY_DEFAULT_DOC : doc;
  if (c->json) {
    cli_out o = {json_object(), W};
    put_info(&o, &info);
    cli_put_bool(&o, "default", dflt);
    json_object_set_new(o.json, "document", json_stringn(text, info.size));
    rc = cli_out_end(&o, CLI_EXIT_OK);
  } else {
    cli_out o = {NULL, W};
    put_info(&o, &info);
    if (dflt) printf("%-*s %s\n", W, "default", "true (no policy stored)");
    printf("\n");
    fwrite(text, 1, info.size, stdout);
    if (info.size && text[info.size - 1] != '\n') printf("\n");
    rc = CLI_EXIT_OK;
  }
out:
  sgxra_store_free(doc);
  sgxra_store_close(st);
  return rc;
}

static int cmd_history(sp_common *c, sgxra_ctx *cx, int nargs, char **args) {
  if (nargs)
    return cli_usage_error(c->verb, "unexpected argument '%s'", args[0]);
  sgxra_store *st = NULL;
  int rc = sp_open(c, cx, &st);
  if (rc) return rc;
  sgxra_store_policy_info *list = NULL;
  size_t n = 0;
  if (sgxra_store_policy_history(cx, st, &list, &n) != SGXRA_OK) {
    rc = sp_store_fail(c, cx, st);
  } else if (c->json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
      cli_out o = {json_object(), W};
      put_info(&o, &list[i]);
      json_array_append_new(arr, o.json);
    }
    json_t *root = json_object();
    json_object_set_new(root, "versions", arr);
    cli_json_print(root);
  } else {
    if (!n) printf("no policy stored: the default applies\n");
    for (size_t i = 0; i < n; i++) {
      char h[2 * SGXRA_SHA256_SIZE + 1];
      for (size_t k = 0; k < SGXRA_SHA256_SIZE; k++)
        snprintf(h + 2 * k, 3, "%02x", list[i].sha256[k]);
      printf("version %" PRId64 " sha256 %s by %s at ", list[i].version, h,
             list[i].set_by);
      char t[SGXRA_TIME_TEXT_SIZE];
      sgxra_time_format(list[i].set_at, t);
      printf("%s (%zu bytes)\n", t, list[i].size);
    }
  }
  sgxra_store_free(list);
  sgxra_store_close(st);
  return rc;
}

int cli_cmd_policy(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  const char *verb;
  if (!strcmp(sub, "set"))
    verb = "policy set";
  else if (!strcmp(sub, "show"))
    verb = "policy show";
  else if (!strcmp(sub, "history"))
    verb = "policy history";
  else
    return cli_usage_error(
        "policy", "unknown sub-command '%s' (set, show, history)", sub);
  enum { OPT_VERSION = 256 };
  static const struct option opts[] = {
      {"version", required_argument, NULL, OPT_VERSION},
      SP_COMMON_OPTIONS,
      {NULL, 0, NULL, 0},
  };
  sp_common c;
  memset(&c, 0, sizeof c);
  c.verb = verb;
  const char *version = NULL;
  argc--;
  argv++;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (sp_common_option(&c, ch, optarg)) continue;
    if (ch == OPT_VERSION && !strcmp(sub, "show")) {
      version = optarg;
      continue;
    }
    if (ch == OPT_VERSION)
      return cli_usage_error(verb, "option '--version' applies to show only");
    return cli_option_error(verb, ch, argv);
  }
  if (c.help) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  sgxra_ctx *cx = cli_ctx_new(verb);
  if (!cx) return CLI_EXIT_USAGE;
  int rc = sp_begin(&c, cx);
  if (!rc) {
    int nargs = argc - optind;
    char **args = argv + optind;
    if (!strcmp(sub, "set"))
      rc = cmd_set(&c, cx, nargs, args);
    else if (!strcmp(sub, "show"))
      rc = cmd_show(&c, cx, nargs, args, version);
    else
      rc = cmd_history(&c, cx, nargs, args);
  }
  sgxra_ctx_free(cx);
  return rc;
}
