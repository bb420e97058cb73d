/* The collateral cache database: see cache.h. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "sp.h"

/* sqlite:<folder>/collateral.db, the folder made; 0 or 2 after the
 * message. */
static int default_url(const char *verb, char *url, size_t cap) {
  const char *xdg = getenv("XDG_CACHE_HOME");
  char dir[4000];
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
      return cli_usage_error(verb, "no --cache given, $SGXRA_CACHE unset and "
                                   "no home folder for the default cache");
    n = snprintf(dir, sizeof dir, "%s/.cache/sgxra", home);
  }
  if (n < 0 || (size_t)n >= sizeof dir)
    return cli_usage_error(verb, "the default cache folder's name is too "
                                 "long: give --cache URL");
  if (sp_make_dirs(dir) != 0) {
    fprintf(stderr,
            "sgxra %s: %s: cannot create the default cache folder: %s "
            "(give --cache URL or set SGXRA_CACHE)\n",
            verb, dir, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  n = snprintf(url, cap, "sqlite:%s/collateral.db", dir);
  if (n < 0 || (size_t)n >= cap)
    return cli_usage_error(verb, "the default cache's name is too long: give "
                                 "--cache URL");
  return 0;
}

int cli_cache_open(const char *verb, sgxra_ctx *cx, const char *url,
                   int64_t now, sgxra_store **out) {
  *out = NULL;
  char buf[4096];
  if (!url || !*url) url = getenv("SGXRA_CACHE");
  if (!url || !*url) {
    int rc = default_url(verb, buf, sizeof buf);
    if (rc) return rc;
    url = buf;
  }
  /* the store's message names the database with any password masked */
  if (sgxra_store_open(cx, url, now, out) != SGXRA_OK)
    return cli_fail(verb, NULL, cx, CLI_EXIT_USAGE);
  return 0;
}
