/* sgxra audit: the registry's hash-chained audit log (docs/STORE.md): every
 * registry write, policy version and appraisal decision, in order.
 *
 * Exit: list 0; verify 0 when the chain is intact, 1 naming the first
 * broken row; 2 usage error or a database that cannot be used. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/timeutil.h"
#include "sp.h"

#define W 20
#define DEFAULT_LIMIT 100

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra audit list [--after SEQ] [--limit N]\n"
          "       sgxra audit verify\n"
          "\n"
          "The registry's audit log: one row per registry write (enclave.add,\n"
          "signer.add, deny.add, revoke), policy version (policy.set) and "
          "appraisal\n"
          "(decision), each holding the SHA-256 of the row before it "
          "(docs/STORE.md).\n"
          "\n"
          "list: rows with seq > SEQ in order, at most N (default %d; at most "
          "%d):\n"
          "  seq, time, actor, kind, payload (JSON), hash.\n"
          "verify: recompute the whole chain; exit 1 naming the first row "
          "that was\n"
          "  changed, removed or reordered.\n"
          "\n"
          "      --after SEQ   list rows after this seq (default 0: from the "
          "first)\n"
          "      --limit N     list at most N rows\n"
          "\n" SP_COMMON_HELP "\n"
          "Exit status: 0 done (verify: the chain is intact), 1 verify found "
          "the chain\n"
          "broken, 2 usage error or unusable input.\n",
          DEFAULT_LIMIT, SGXRA_STORE_LIST_MAX);
}

static int cmd_list(sp_common *c, sgxra_ctx *cx, sgxra_store *st,
                    uint64_t after, uint64_t limit) {
  sgxra_store_audit_row *rows = NULL;
  size_t n = 0;
  if (sgxra_store_audit_list(cx, st, (int64_t)after, (size_t)limit, &rows,
                             &n) != SGXRA_OK)
    return sp_store_fail(c, cx, st);
  if (c->json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
      const sgxra_store_audit_row *r = &rows[i];
      cli_out o = {json_object(), W};
      cli_put_num(&o, "seq", (uint64_t)r->seq);
      sp_put_time(&o, "at", r->at);
      cli_put_str(&o, "actor", r->actor);
      cli_put_str(&o, "kind", r->kind);
      json_t *pj =
          json_loadb(r->payload, r->payload_len, JSON_DECODE_ANY, NULL);
      json_object_set_new(o.json, "payload",
                          pj ? pj : json_stringn(r->payload, r->payload_len));
      cli_put_hex(&o, "prev_hash", r->prev_hash, sizeof r->prev_hash);
      cli_put_hex(&o, "hash", r->hash, sizeof r->hash);
      json_array_append_new(arr, o.json);
    }
    json_t *root = json_object();
    json_object_set_new(root, "rows", arr);
    cli_json_print(root);
  } else {
    for (size_t i = 0; i < n; i++) {
      const sgxra_store_audit_row *r = &rows[i];
      char t[SGXRA_TIME_TEXT_SIZE];
      sgxra_time_format(r->at, t);
      printf("%" PRId64 " %s %s %s %.*s\n", r->seq, t, r->actor, r->kind,
             (int)r->payload_len, r->payload);
    }
    if (!n) printf("no rows after seq %" PRIu64 "\n", after);
  }
  sgxra_store_free(rows);
  return CLI_EXIT_OK;
}

static int cmd_verify(sp_common *c, sgxra_ctx *cx, sgxra_store *st) {
  sgxra_store_audit_check chk;
  sgxra_err e = sgxra_store_audit_verify(cx, st, &chk);
  if (e != SGXRA_OK && e != SGXRA_E_STORE_AUDIT_BROKEN)
    return sp_store_fail(c, cx, st);
  cli_out o = {c->json ? json_object() : NULL, W};
  cli_put_bool(&o, "intact", e == SGXRA_OK);
  cli_put_num(&o, "rows", (uint64_t)chk.rows);
  cli_put_num(&o, "head_seq", (uint64_t)chk.head_seq);
  cli_put_hex(&o, "head_hash", chk.head_hash, sizeof chk.head_hash);
  if (e != SGXRA_OK) {
    cli_put_num(&o, "first_bad_seq", (uint64_t)chk.first_bad_seq);
    cli_put_str(&o, "error", sgxra_err_name(e));
    cli_put_str(&o, "message", sgxra_ctx_message(cx));
    /* the message names the database and the row ("database D: audit
     * row 7: stored hash ... differs ...") */
    fprintf(stderr, "sgxra %s: %s [%s]\n", c->verb, sgxra_ctx_message(cx),
            sgxra_err_name(e));
    return cli_out_end(&o, CLI_EXIT_REFUSED);
  }
  return cli_out_end(&o, CLI_EXIT_OK);
}

int cli_cmd_audit(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  int is_list = !strcmp(sub, "list");
  if (!is_list && strcmp(sub, "verify"))
    return cli_usage_error("audit", "unknown sub-command '%s' (list, verify)",
                           sub);
  const char *verb = is_list ? "audit list" : "audit verify";
  enum { OPT_AFTER = 256, OPT_LIMIT };
  static const struct option opts[] = {
      {"after", required_argument, NULL, OPT_AFTER},
      {"limit", required_argument, NULL, OPT_LIMIT},
      SP_COMMON_OPTIONS,
      {NULL, 0, NULL, 0},
  };
  sp_common c;
  memset(&c, 0, sizeof c);
  c.verb = verb;
  uint64_t after = 0, limit = DEFAULT_LIMIT;
  argc--;
  argv++;
  optind = 1;
  opterr = 0;
  int ch, rc;
  while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (sp_common_option(&c, ch, optarg)) continue;
    if ((ch == OPT_AFTER || ch == OPT_LIMIT) && !is_list)
      return cli_usage_error(verb, "option '%s' applies to list only",
                             argv[optind - 1]);
    if (ch == OPT_AFTER) {
      if ((rc = cli_parse_uint(verb, "--after", optarg, 0, INT64_MAX, &after)))
        return rc;
    } else if (ch == OPT_LIMIT) {
      if ((rc = cli_parse_uint(verb, "--limit", optarg, 1, SGXRA_STORE_LIST_MAX,
                               &limit)))
        return rc;
    } else {
      return cli_option_error(verb, ch, argv);
    }
  }
  if (c.help) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (optind < argc)
    return cli_usage_error(verb, "unexpected argument '%s'", argv[optind]);
  sgxra_ctx *cx = cli_ctx_new(verb);
  if (!cx) return CLI_EXIT_USAGE;
  sgxra_store *st = NULL;
  rc = sp_begin(&c, cx);
  if (!rc) rc = sp_open(&c, cx, &st);
  if (!rc)
    rc = is_list ? cmd_list(&c, cx, st, after, limit) : cmd_verify(&c, cx, st);
  sgxra_store_close(st);
  sgxra_ctx_free(cx);
  return rc;
}
