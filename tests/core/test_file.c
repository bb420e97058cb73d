/* Tests of sgxra/file.h: whole-file read with a cap, atomic write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "sgxra/file.h"

static void test_write_read_cap(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  umask(022); /* the modes asserted below assume the usual umask */
  char *dir = tu_tmpdir();
  char path[4096];
  snprintf(path, sizeof(path), "%s/data.bin", dir);

  /* Sizes around the reader's 4096-byte growth steps. */
  size_t sizes[] = {0, 1, 4095, 4096, 4097, 8192, 100000};
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    size_t n = sizes[i];
    uint8_t *p = malloc(n + 1);
    for (size_t k = 0; k < n; k++) p[k] = (uint8_t)(k * 31 + i);
    assert_int_equal(sgxra_file_write(cx, path, p, n, 0), SGXRA_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((size_t)st.st_size, n);
    assert_int_equal(st.st_mode & 0777, 0644);

    uint8_t *buf = NULL;
    size_t len = 99;
    /* Exactly at the cap is fine. */
    assert_int_equal(sgxra_file_read(cx, path, n, &buf, &len), SGXRA_OK);
    assert_int_equal(len, n);
    if (n) assert_memory_equal(buf, p, n);
    assert_int_equal(buf[n], 0); /* NUL appended */
    free(buf);
    /* One byte over the cap is refused. */
    if (n > 0) {
      buf = (uint8_t *)1;
      sgxra_ctx_clear(cx);
      assert_int_equal(sgxra_file_read(cx, path, n - 1, &buf, &len),
                       SGXRA_E_TOO_LARGE);
      assert_null(buf);
      assert_int_equal(len, 0);
      assert_non_null(strstr(sgxra_ctx_message(cx), "data.bin"));
      assert_non_null(strstr(sgxra_ctx_message(cx), "limit"));
    }
    free(p);
  }

  /* Secret files are 0600. */
  assert_int_equal(sgxra_file_write(cx, path, (const uint8_t *)"k", 1, 1),
                   SGXRA_OK);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

static void test_io_errors(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  char *dir = tu_tmpdir();
  char path[4096];
  snprintf(path, sizeof(path), "%s/missing.bin", dir);
  uint8_t *buf = (uint8_t *)1;
  size_t len = 3;
  assert_int_equal(sgxra_file_read(cx, path, 100, &buf, &len), SGXRA_E_IO);
  assert_null(buf);
  assert_int_equal(len, 0);
  assert_non_null(strstr(sgxra_ctx_message(cx), "missing.bin"));
  assert_non_null(strstr(sgxra_ctx_message(cx), "No such file"));
  snprintf(path, sizeof(path), "%s/no/such/dir/out.bin", dir);
  assert_int_equal(sgxra_file_write(cx, path, (const uint8_t *)"x", 1, 0),
                   SGXRA_E_IO);
  assert_non_null(strstr(sgxra_ctx_message(cx), "out.bin"));
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

/* A file already at the writer's old temporary name (a stale one from a
 * crashed run with the same pid, or one planted by another local user) must
 * neither give a secret its permissive mode nor be written through when it
 * is a symlink. */
static void test_write_ignores_planted_temp(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  umask(022);
  char *dir = tu_tmpdir();
  char path[4096], tmp[4200], victim[4096];
  snprintf(path, sizeof(path), "%s/key.pem", dir);
  snprintf(victim, sizeof(victim), "%s/victim", dir);
  snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());

  /* A world-readable file at the temporary name. */
  FILE *f = fopen(tmp, "wb");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(chmod(tmp, 0666), 0);
  assert_int_equal(sgxra_file_write(cx, path, (const uint8_t *)"secret", 6, 1),
                   SGXRA_OK);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  unlink(path);
  unlink(tmp);

  /* A symlink at the temporary name pointing at another file. */
  f = fopen(victim, "wb");
  assert_non_null(f);
  fputs("keep", f);
  fclose(f);
  assert_int_equal(symlink(victim, tmp), 0);
  assert_int_equal(sgxra_file_write(cx, path, (const uint8_t *)"secret", 6, 1),
                   SGXRA_OK);
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(sgxra_file_read(cx, victim, 100, &buf, &len), SGXRA_OK);
  assert_int_equal(len, 4);
  assert_memory_equal(buf, "keep", 4);
  free(buf);
  assert_int_equal(sgxra_file_read(cx, path, 100, &buf, &len), SGXRA_OK);
  assert_int_equal(len, 6);
  assert_memory_equal(buf, "secret", 6);
  free(buf);
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(st.st_mode & 0777, 0600);
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_read_cap),
      cmocka_unit_test(test_io_errors),
      cmocka_unit_test(test_write_ignores_planted_temp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
