/* Libraries loaded on first use (store/dl_internal.h): libpq, libcurl and
 * libmicrohttpd are opened by SONAME the first time an operation needs
 * them.  When one cannot be opened, the operation fails with
 * SGXRA_E_LIBRARY_MISSING naming the file, the package and dlopen's reason
 * -- never a crash through an empty table -- and keeps failing the same
 * way; SQLite and everything else go on working.  The missing library is
 * simulated by pointing the table's SONAME at a file that does not exist,
 * before the first load of this process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "net/dl_curl.h"
#include "net/dl_mhd.h"
#include "sgxra/ctx.h"
#include "sgxra/error.h"
#include "sgxra/pccs.h"
#include "sgxra/pcs.h"
#include "sgxra/store.h"
#include "store/dl_pq.h"

#define T0 1767225600

static void assert_has(const char *hay, const char *needle) {
  if (!hay || !strstr(hay, needle))
    fail_msg("message '%s' does not contain '%s'", hay ? hay : "(null)",
             needle);
}

static void test_missing_libpq(void **state) {
  (void)state;
  sgxra__pq_lib.soname = "libsgxra-test-missing-pq.so.5";
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_non_null(cx);
  for (int i = 0; i < 2; i++) { /* the outcome is kept: same error again */
    sgxra_store *st = (sgxra_store *)&st;
    assert_int_equal(
        sgxra_store_open(cx, "postgresql://127.0.0.1:1/sgxra", T0, &st),
        SGXRA_E_LIBRARY_MISSING);
    assert_null(st);
    const char *m = sgxra_ctx_message(cx);
    assert_has(m, "PostgreSQL");
    assert_has(m, "libsgxra-test-missing-pq.so.5");
    assert_has(m, "libpq5");
    assert_has(m, "cannot open shared object file"); /* dlopen's reason */
  }
  /* a key=value conninfo takes the same path */
  sgxra_store *st = NULL;
  assert_int_equal(sgxra_store_open(cx, "host=/tmp dbname=x", T0, &st),
                   SGXRA_E_LIBRARY_MISSING);
  /* SQLite does not need libpq */
  char dir[] = "/tmp/sgxra-test-dl-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char url[96];
  snprintf(url, sizeof url, "sqlite:%s/r.db", dir);
  assert_int_equal(sgxra_store_open(cx, url, T0, &st), SGXRA_OK);
  sgxra_store_close(st);
  char path[96];
  snprintf(path, sizeof path, "%s/r.db", dir);
  unlink(path);
  rmdir(dir);
  sgxra_ctx_free(cx);
}

static void test_missing_libcurl(void **state) {
  (void)state;
  sgxra__curl_lib.soname = "libsgxra-test-missing-curl.so.4";
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra_pccs_global_init(cx), SGXRA_E_LIBRARY_MISSING);
  assert_has(sgxra_ctx_message(cx), "libsgxra-test-missing-curl.so.4");
  assert_has(sgxra_ctx_message(cx), "libcurl4");
  sgxra_pccs_config cfg;
  memset(&cfg, 0, sizeof cfg);
  sgxra_pccs_client *c = (sgxra_pccs_client *)&c;
  assert_int_equal(sgxra_pccs_client_new(cx, &cfg, NULL, NULL, &c),
                   SGXRA_E_LIBRARY_MISSING);
  assert_null(c);
  sgxra_ctx_free(cx);
}

static void test_missing_libmicrohttpd(void **state) {
  (void)state;
  sgxra__mhd_lib.soname = "libsgxra-test-missing-mhd.so.12";
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pcs_options o;
  memset(&o, 0, sizeof o);
  o.listen = "127.0.0.1:0";
  sgxra_pcs_server *s = (sgxra_pcs_server *)&s;
  assert_int_equal(sgxra_pcs_start(cx, "/nonexistent", &o, &s),
                   SGXRA_E_LIBRARY_MISSING);
  assert_null(s);
  assert_has(sgxra_ctx_message(cx), "libsgxra-test-missing-mhd.so.12");
  assert_has(sgxra_ctx_message(cx), "libmicrohttpd12");
  assert_has(sgxra_ctx_message(cx), "HTTP servers");
  sgxra_ctx_free(cx);
}

/* A library that opens but lacks a function is refused as a whole. */
static void (*no_such_fn)(void);
static const char *resolve_missing(void *h) {
  const char *missing = NULL;
  sgxra__dl_sym(h, "sgxra_test_no_such_function", &no_such_fn, &missing);
  return missing;
}

static void test_missing_function(void **state) {
  (void)state;
  sgxra__dl_lib lib = {.soname = "libc.so.6",
                       .package = "libc6",
                       .needed_by = "Tests",
                       .resolve = resolve_missing};
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra__dl_load(cx, &lib), SGXRA_E_LIBRARY_MISSING);
  assert_has(sgxra_ctx_message(cx), "sgxra_test_no_such_function");
  assert_has(sgxra_ctx_message(cx), "libc6");
  assert_int_equal(sgxra__dl_load(cx, &lib), SGXRA_E_LIBRARY_MISSING);
  sgxra_ctx_free(cx);
}

/* The real library: the table holds the very functions the linker binds
 * (this test program links libpq itself). */
static PGconn *(*connectdb)(const char *);
static ConnStatusType (*status)(const PGconn *);
static const char *resolve_pq(void *h) {
  const char *missing = NULL;
  sgxra__dl_sym(h, "PQconnectdb", &connectdb, &missing);
  sgxra__dl_sym(h, "PQstatus", &status, &missing);
  return missing;
}

static void test_loads_real_library(void **state) {
  (void)state;
  sgxra__dl_lib lib = {.soname = "libpq.so.5",
                       .package = "libpq5",
                       .needed_by = "Tests",
                       .resolve = resolve_pq};
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra__dl_load(cx, &lib), SGXRA_OK);
  assert_int_equal(sgxra__dl_load(cx, &lib), SGXRA_OK);
#undef PQconnectdb
#undef PQstatus
  assert_ptr_equal((void *)connectdb, (void *)PQconnectdb);
  assert_ptr_equal((void *)status, (void *)PQstatus);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_missing_libpq),
      cmocka_unit_test(test_missing_libcurl),
      cmocka_unit_test(test_missing_libmicrohttpd),
      cmocka_unit_test(test_missing_function),
      cmocka_unit_test(test_loads_real_library),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
