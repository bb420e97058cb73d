/*
 * apps/cache.h -- the collateral cache database of `sgxra collateral` and
 * of the verbs that fetch collateral (`collateral fetch`, `verify --pccs`).
 *
 * Which database: --cache URL, else $SGXRA_CACHE, else
 * sqlite:$XDG_CACHE_HOME/sgxra/collateral.db ($XDG_CACHE_HOME defaults to
 * ~/.cache; the folder is created with mode 0700).  Any store URL works
 * (sgxra/store.h): replicas share a PostgreSQL one.  Single-threaded, as
 * the command is.
 */
#ifndef SGXRA_APPS_CACHE_H
#define SGXRA_APPS_CACHE_H

#include <stdint.h>

#include "sgxra/ctx.h"
#include "sgxra/store.h"

/* The help lines of --cache, for each verb's usage text. */
#define CLI_CACHE_HELP                                                         \
  "      --cache URL        the collateral cache: sqlite:PATH,\n"              \
  "                         postgresql://... or a libpq conninfo string;\n"    \
  "                         default $SGXRA_CACHE, else\n"                      \
  "                         sqlite:$XDG_CACHE_HOME/sgxra/collateral.db\n"      \
  "                         ($XDG_CACHE_HOME defaults to ~/.cache; the\n"      \
  "                         folder is created with mode 0700)\n"

/* Resolve the URL (`url` is --cache, may be NULL) and open the store at
 * `now` (the migration time when it is new).  Returns 0 with *out open
 * (close with sgxra_store_close), or 2 after "sgxra <verb>: ..." on
 * stderr. */
int cli_cache_open(const char *verb, sgxra_ctx *cx, const char *url,
                   int64_t now, sgxra_store **out);

#endif
