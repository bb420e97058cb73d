/* The service provider verbs' shared parts: see sp.h. */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sgxra/hex.h"
#include "sgxra/timeutil.h"
#include "sp.h"

int sp_common_option(sp_common *c, int opt, const char *arg) {
  switch (opt) {
  case SP_OPT_DB:
    c->db = arg;
    return 1;
  case SP_OPT_ACTOR:
    c->actor_flag = arg;
    return 1;
  case SP_OPT_AT:
    c->at = arg;
    return 1;
  case SP_OPT_JSON:
    c->json = 1;
    return 1;
  case SP_OPT_HELP:
    c->help = 1;
    return 1;
  default:
    return 0;
  }
}

int sp_make_dirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int r = mkdir(path, 0700);
    *p = '/';
    if (r != 0 && errno != EEXIST) return -1;
  }
  if (mkdir(path, 0700) != 0 && errno != EEXIST) return -1;
  return 0;
}

static int default_url(sp_common *c) {
  const char *xdg = getenv("XDG_DATA_HOME");
  char dir[sizeof c->url - 32];
  int n;
  if (xdg && xdg[0] == '/') {
    n = snprintf(dir, sizeof dir, "%s/sgxra", xdg);
  } else {
    const char *home = getenv("HOME");
    if (!home || !*home) {
      struct passwd *pw = getpwuid(geteuid());
      home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
      return cli_usage_error(c->verb, "no --db given, $SGXRA_DB unset and no "
                                      "home folder for the default database");
    n = snprintf(dir, sizeof dir, "%s/.local/share/sgxra", home);
  }
  if (n < 0 || (size_t)n >= sizeof dir)
    return cli_usage_error(c->verb, "the default database folder's name is "
                                    "too long: give --db URL");
  if (sp_make_dirs(dir) != 0) {
    fprintf(stderr,
            "sgxra %s: %s: cannot create the default database folder: %s "
            "(give --db URL or set SGXRA_DB)\n",
            c->verb, dir, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  snprintf(c->url, sizeof c->url, "sqlite:%s/registry.db", dir);
  return 0;
}

int sp_begin(sp_common *c, sgxra_ctx *cx) {
  c->now = (int64_t)time(NULL);
  if (c->at && sgxra_time_parse_arg(cx, c->at, &c->now) != SGXRA_OK)
    return cli_usage_error(c->verb, "--at '%s': %s", c->at,
                           sgxra_ctx_message(cx));
  const char *a = c->actor_flag;
  if (!a) a = getenv("SGXRA_ACTOR");
  if (!a || !*a) {
    struct passwd *pw = getpwuid(geteuid());
    a = pw ? pw->pw_name : NULL;
  }
  if (!a || !*a) a = getlogin();
  if (!a || !*a)
    return cli_usage_error(c->verb, "who is doing this? give --actor NAME "
                                    "(no $SGXRA_ACTOR, no login name)");
  if (strlen(a) > SGXRA_STORE_ACTOR_MAX)
    return cli_usage_error(c->verb, "--actor: %zu bytes, at most %d", strlen(a),
                           SGXRA_STORE_ACTOR_MAX);
  snprintf(c->actor, sizeof c->actor, "%s", a);
  const char *db = c->db ? c->db : getenv("SGXRA_DB");
  if (db && *db) {
    if (strlen(db) >= sizeof c->url)
      return cli_usage_error(c->verb, "--db: the URL is too long");
    snprintf(c->url, sizeof c->url, "%s", db);
    return 0;
  }
  return default_url(c);
}

int sp_open(sp_common *c, sgxra_ctx *cx, sgxra_store **out) {
  /* the store's message names the database with any password masked;
   * the URL as given may hold one, so it is not printed here */
  if (sgxra_store_open(cx, c->url, c->now, out) != SGXRA_OK)
    return cli_fail(c->verb, NULL, cx, CLI_EXIT_USAGE);
  return 0;
}

int sp_store_fail(const sp_common *c, sgxra_ctx *cx, const sgxra_store *st) {
  sgxra_err e = sgxra_ctx_error(cx);
  int status = (e == SGXRA_E_STORE_DUPLICATE || e == SGXRA_E_STORE_NOT_FOUND)
                   ? CLI_EXIT_REFUSED
                   : CLI_EXIT_USAGE;
  /* the store's messages name the database themselves */
  (void)st;
  return cli_fail(c->verb, NULL, cx, status);
}

int sp_parse_hex(const char *verb, const char *flag, const char *s,
                 uint8_t *out, size_t n) {
  size_t len = strlen(s);
  if (len != 2 * n)
    return cli_usage_error(verb,
                           "%s: expected %zu hex digits (%zu bytes), found "
                           "%zu [SGXRA_E_POLICY_HEX]",
                           flag, 2 * n, n, len);
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return cli_usage_error(verb, "out of memory");
  int rc = 0;
  if (sgxra_hex_decode(cx, s, len, out, n) != SGXRA_OK)
    rc = cli_usage_error(verb, "%s: %s [%s]", flag, sgxra_ctx_message(cx),
                         sgxra_err_name(sgxra_ctx_error(cx)));
  sgxra_ctx_free(cx);
  return rc;
}

static uint64_t le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

int sp_parse_attributes(const char *verb, const char *flag, const char *s,
                        sgxra_attributes *out) {
  uint8_t b[16];
  int rc = sp_parse_hex(verb, flag, s, b, sizeof b);
  if (rc) return rc;
  out->flags = le64(b);
  out->xfrm = le64(b + 8);
  return 0;
}

void sp_put_time(cli_out *o, const char *key, int64_t t) {
  char s[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, s);
  cli_put_str(o, key, s);
}

static void put_meta(cli_out *o, const sgxra_store_meta *m) {
  cli_put_str(o, "source", sgxra_store_source_name(m->source));
  cli_put_str(o, "product", m->product);
  cli_put_str(o, "note", m->note);
  cli_put_str(o, "added_by", m->added_by);
  sp_put_time(o, "added_at", m->added_at);
  cli_put_bool(o, "revoked", m->revoked);
  if (m->revoked) {
    cli_put_str(o, "revoked_by", m->revoked_by);
    sp_put_time(o, "revoked_at", m->revoked_at);
  }
}

void sp_put_enclave(cli_out *o, const sgxra_store_enclave *e) {
  cli_put_str(o, "kind", "enclave");
  cli_put_num(o, "id", (uint64_t)e->meta.id);
  cli_put_hex(o, "mrenclave", e->mrenclave, sizeof e->mrenclave);
  cli_put_hex(o, "mrsigner", e->mrsigner, sizeof e->mrsigner);
  cli_put_num(o, "isvprodid", e->isvprodid);
  cli_put_num(o, "isvsvn", e->isvsvn);
  cli_put_attributes(o, "attributes", &e->attributes, 1);
  cli_put_bool(o, "allow_debug_signer", e->allow_debug_signer);
  put_meta(o, &e->meta);
}

void sp_put_signer(cli_out *o, const sgxra_store_signer *s) {
  cli_put_str(o, "kind", "signer");
  cli_put_num(o, "id", (uint64_t)s->meta.id);
  cli_put_hex(o, "mrsigner", s->mrsigner, sizeof s->mrsigner);
  cli_put_num(o, "isvprodid", s->isvprodid);
  cli_put_num(o, "min_isvsvn", s->min_isvsvn);
  cli_put_bool(o, "allow_debug_signer", s->allow_debug_signer);
  put_meta(o, &s->meta);
}

void sp_put_deny(cli_out *o, const sgxra_store_deny *d) {
  cli_put_str(o, "kind", "deny");
  cli_put_num(o, "id", (uint64_t)d->meta.id);
  cli_put_hex(o, "mrenclave", d->mrenclave, sizeof d->mrenclave);
  cli_put_str(o, "reason", d->reason);
  put_meta(o, &d->meta);
}
