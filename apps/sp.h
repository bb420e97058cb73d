/*
 * apps/sp.h -- what the service provider's verbs share (`registry`,
 * `policy`, `audit`, `appraise`): the common options (--db, --actor, --at,
 * --json, -h), opening the registry, reference values as output, hex
 * values given on the command line, and the verify step appraise reuses.
 *
 * The database: --db URL, else $SGXRA_DB, else
 * sqlite:$XDG_DATA_HOME/sgxra/registry.db (XDG_DATA_HOME defaults to
 * ~/.local/share; the folder is created 0700).  Who: --actor NAME, else
 * $SGXRA_ACTOR, else the login user name.
 */
#ifndef SGXRA_APPS_SP_H
#define SGXRA_APPS_SP_H

#include <getopt.h>
#include <stdint.h>

#include "cli.h"
#include "sgxra/collateral.h"
#include "sgxra/store.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

/* getopt_long values of the common options. */
enum {
  SP_OPT_DB = 1000,
  SP_OPT_ACTOR,
  SP_OPT_AT,
  SP_OPT_JSON,
  SP_OPT_HELP = 'h'
};
#define SP_COMMON_OPTIONS                                                      \
  {"db", required_argument, NULL, SP_OPT_DB},                                  \
      {"actor", required_argument, NULL, SP_OPT_ACTOR},                        \
      {"at", required_argument, NULL, SP_OPT_AT},                              \
      {"json", no_argument, NULL, SP_OPT_JSON}, {                              \
    "help", no_argument, NULL, SP_OPT_HELP                                     \
  }

/* The help lines of the common options, for each verb's usage text. */
#define SP_COMMON_HELP                                                         \
  "Common options:\n"                                                          \
  "      --db URL      the registry: sqlite:PATH, sqlite:PATH?mode=ro,\n"      \
  "                    postgresql://... or a libpq conninfo string; default\n" \
  "                    $SGXRA_DB, else sqlite:$XDG_DATA_HOME/sgxra/"           \
  "registry.db\n"                                                              \
  "                    ($XDG_DATA_HOME defaults to ~/.local/share; the "       \
  "folder\n"                                                                   \
  "                    is created with mode 0700)\n"                           \
  "      --actor NAME  who does it, recorded in the entry and the audit "      \
  "log;\n"                                                                     \
  "                    default $SGXRA_ACTOR, else the login user name\n"       \
  "      --at TIME     the time recorded (and for appraise the verification\n" \
  "                    time): RFC 3339 UTC or unix seconds; default now\n"     \
  "      --json        one JSON object on stdout\n"                            \
  "  -h, --help        this help\n"

typedef struct sp_common {
  const char *verb; /* "registry add" */
  const char *db;   /* --db */
  const char *actor_flag;
  const char *at;
  int json;
  int help;
  /* resolved by sp_begin */
  char url[4096];
  char actor[SGXRA_STORE_ACTOR_MAX + 1];
  int64_t now;
} sp_common;

/* Take a common option: 1 when c was one (help sets ->help), 0 otherwise. */
int sp_common_option(sp_common *c, int opt, const char *arg);

/* Resolve --at, the actor and the URL (creating the default folder);
 * returns 0 or the exit status (2) after the message. */
int sp_begin(sp_common *c, sgxra_ctx *cx);

/* mkdir -p PATH, each folder made with mode 0700 (also the collateral
 * cache's default folder, apps/cache.c); 0 or -1 with errno. */
int sp_make_dirs(char *path);

/* Open the store named by c->url; returns 0 or 2 after the message. */
int sp_open(sp_common *c, sgxra_ctx *cx, sgxra_store **out);

/* A store error as an exit status: 1 for a refusal the input could not
 * avoid being judged on (duplicate, not found, debug signer), 2 otherwise.
 * Prints "sgxra <verb>: <db>: <message> [CODE]". */
int sp_store_fail(const sp_common *c, sgxra_ctx *cx, const sgxra_store *st);

/* Decode exactly n bytes of hex given to `flag`; returns 0 or the usage
 * error naming the flag, the count of digits expected and found. */
int sp_parse_hex(const char *verb, const char *flag, const char *s,
                 uint8_t *out, size_t n);
/* ATTRIBUTES as 32 hex digits: the 16 bytes of the SIGSTRUCT / REPORT
 * field (FLAGS then XFRM, each little-endian). */
int sp_parse_attributes(const char *verb, const char *flag, const char *s,
                        sgxra_attributes *out);

/* Entries as output (human lines or members of o->json). */
void sp_put_enclave(cli_out *o, const sgxra_store_enclave *e);
void sp_put_signer(cli_out *o, const sgxra_store_signer *s);
void sp_put_deny(cli_out *o, const sgxra_store_deny *d);
void sp_put_time(cli_out *o, const char *key, int64_t t);

#endif
