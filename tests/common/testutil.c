/* Shared test helpers: see testutil.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"

const char *tu_vector_path(const char *rel) {
  static char path[4096];
  const char *dir = getenv("SGXRA_VECTORS");
  if (!dir) dir = SGXRA_VECTORS_DIR;
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    const char *req = getenv("SGXRA_REQUIRE_VECTORS");
    if (req && strcmp(req, "1") == 0)
      fail_msg("shared vectors not found at %s (SGXRA_REQUIRE_VECTORS=1): "
               "clone them beside the source tree or set SGXRA_VECTORS",
               dir);
    print_message("shared vectors not found at %s: skipped\n", dir);
    skip();
  }
  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  return path;
}

const char *tu_pg_url(void) {
  static char url[1024];
  const char *ev = getenv("SGXRA_TEST_PG_URL");
  if (ev && *ev) return ev;
  url[0] = '\0';
  FILE *f = fopen(SGXRA_BUILD_DIR "/pg-cluster.url", "r");
  if (f) {
    if (!fgets(url, sizeof(url), f)) url[0] = '\0';
    fclose(f);
    url[strcspn(url, "\n")] = '\0';
  }
  if (url[0]) return url;
  const char *req = getenv("SGXRA_REQUIRE_PG");
  if (req && strcmp(req, "1") == 0)
    fail_msg("no PostgreSQL server for this run (SGXRA_REQUIRE_PG=1): ctest's "
             "pg_cluster_start fixture did not write %s/pg-cluster.url and "
             "SGXRA_TEST_PG_URL is unset",
             SGXRA_BUILD_DIR);
  return NULL;
}

uint8_t *tu_read_vector(const char *rel, size_t *out_len) {
  uint8_t *buf = NULL;
  sgxra_ctx *cx = sgxra_ctx_new();
  const char *path = tu_vector_path(rel);
  if (sgxra_file_read(cx, path, 64u << 20, &buf, out_len) != SGXRA_OK) {
    fail_msg("cannot read vector %s: %s", path, sgxra_ctx_message(cx));
  }
  sgxra_ctx_free(cx);
  return buf;
}

void tu_hex(const char *hex, uint8_t *out, size_t n) {
  if (sgxra_hex_decode(NULL, hex, strlen(hex), out, n) != SGXRA_OK)
    fail_msg("bad hex literal in test (%zu bytes expected): %s", n, hex);
}

void tu_assert_hex(const uint8_t *p, size_t n, const char *hex) {
  char *got = malloc(2 * n + 1);
  assert_non_null(got);
  sgxra_hex_encode(p, n, got);
  assert_string_equal(got, hex);
  free(got);
}

char *tu_tmpdir(void) {
  const char *base = getenv("TMPDIR");
  if (!base) base = "/tmp";
  char *p = malloc(strlen(base) + 32);
  assert_non_null(p);
  sprintf(p, "%s/sgxra-test-XXXXXX", base);
  assert_non_null(mkdtemp(p));
  return p;
}

void tu_rmtree(const char *path) {
  char cmd[4200];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
  if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", path);
}
