/* Tests of sgxra/file.h: whole-file read with a cap, atomic write. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* Readers take regular files only: a FIFO (no writer: it would block
 * forever), a character device (/dev/zero: endless) and a directory fail
 * at once with SGXRA_E_NOT_REGULAR_FILE and say what the path is. */
static void test_read_not_regular(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  char *dir = tu_tmpdir();
  char fifo[4096], want[4200];
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  uint8_t *buf = (uint8_t *)1;
  size_t len = 7;
  alarm(10); /* a blocking open() fails the test instead of hanging it */
  assert_int_equal(sgxra_file_read(cx, fifo, 100, &buf, &len),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_null(buf);
  assert_int_equal(len, 0);
  snprintf(want, sizeof want, "%s is a FIFO, not a regular file", fifo);
  assert_string_equal(sgxra_ctx_message(cx), want);
  int fd = 5;
  assert_int_equal(sgxra_file_open_read(cx, fifo, 0, &fd, NULL),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_int_equal(fd, -1);
  /* absent-is-fine does not make a FIFO fine */
  assert_int_equal(
      sgxra_file_read_ex(cx, fifo, 100, SGXRA_FILE_MAY_BE_ABSENT, &buf, &len),
      SGXRA_E_NOT_REGULAR_FILE);
  alarm(0);

  assert_int_equal(sgxra_file_read(cx, "/dev/zero", 100, &buf, &len),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_string_equal(sgxra_ctx_message(cx),
                      "/dev/zero is a character device, not a regular file");
  assert_int_equal(sgxra_file_read(cx, dir, 100, &buf, &len),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "is a directory"));
  assert_null(buf);
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

/* The cap is checked against the size before reading: a sparse file of
 * 1 GiB with a 1 MiB cap fails without reading (or allocating) it. */
static void test_read_cap_before_reading(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  char *dir = tu_tmpdir();
  char path[4096];
  snprintf(path, sizeof path, "%s/sparse", dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
  close(fd);
  uint8_t *buf = (uint8_t *)1;
  size_t len = 7;
  assert_int_equal(sgxra_file_read(cx, path, (size_t)1 << 20, &buf, &len),
                   SGXRA_E_TOO_LARGE);
  assert_null(buf);
  assert_non_null(strstr(sgxra_ctx_message(cx), "1048576-byte limit"));
  fd = 5;
  assert_int_equal(sgxra_file_open_read(cx, path, (size_t)1 << 20, &fd, NULL),
                   SGXRA_E_TOO_LARGE);
  assert_int_equal(fd, -1);
  /* without a cap, the streaming open hands over the descriptor */
  uint64_t size = 0;
  assert_int_equal(sgxra_file_open_read(cx, path, 0, &fd, &size), SGXRA_OK);
  assert_true(fd >= 0);
  assert_int_equal(size, (uint64_t)1 << 30);
  close(fd);
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

/* A descriptor (stdin) is read to at most cap + 1 bytes: an endless pipe
 * is refused after cap + 1, not read to the end. */
static void test_read_fd_cap(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  int zero = open("/dev/zero", O_RDONLY);
  assert_true(zero >= 0);
  uint8_t *buf = (uint8_t *)1;
  size_t len = 7;
  assert_int_equal(sgxra_file_read_fd(cx, zero, "-", 10000, &buf, &len),
                   SGXRA_E_TOO_LARGE);
  assert_null(buf);
  assert_int_equal(len, 0);
  assert_non_null(strstr(sgxra_ctx_message(cx), "10000-byte limit"));
  close(zero);

  int p[2];
  assert_int_equal(pipe(p), 0);
  assert_int_equal(write(p[1], "0123456789abcdef", 16), 16);
  close(p[1]);
  assert_int_equal(sgxra_file_read_fd(cx, p[0], "-", 16, &buf, &len), SGXRA_OK);
  assert_int_equal(len, 16);
  assert_memory_equal(buf, "0123456789abcdef", 16);
  assert_int_equal(buf[16], 0);
  free(buf);
  close(p[0]);

  assert_int_equal(pipe(p), 0);
  assert_int_equal(write(p[1], "0123456789abcdef", 16), 16);
  assert_int_equal(sgxra_file_read_fd(cx, p[0], "-", 4, &buf, &len),
                   SGXRA_E_TOO_LARGE);
  /* the reader stopped at cap + 1 = 5 bytes: 11 are left in the pipe */
  close(p[1]);
  char rest[32];
  assert_int_equal(read(p[0], rest, sizeof rest), 11);
  close(p[0]);
  sgxra_ctx_free(cx);
}

/* MAY_BE_ABSENT: a missing file is SGXRA_OK with no buffer; one that
 * exists but cannot be opened is still an error, with the reason. */
static void test_read_optional(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  char *dir = tu_tmpdir();
  char path[4096];
  snprintf(path, sizeof path, "%s/absent", dir);
  uint8_t *buf = (uint8_t *)1;
  size_t len = 7;
  assert_int_equal(
      sgxra_file_read_ex(cx, path, 100, SGXRA_FILE_MAY_BE_ABSENT, &buf, &len),
      SGXRA_OK);
  assert_null(buf);
  assert_int_equal(len, 0);
  assert_int_equal(sgxra_file_read(cx, path, 100, &buf, &len), SGXRA_E_IO);
  assert_non_null(strstr(sgxra_ctx_message(cx), "No such file"));

  snprintf(path, sizeof path, "%s/noread", dir);
  assert_int_equal(sgxra_file_write(cx, path, (const uint8_t *)"x", 1, 0),
                   SGXRA_OK);
  assert_int_equal(chmod(path, 0), 0);
  sgxra_err e =
      sgxra_file_read_ex(cx, path, 100, SGXRA_FILE_MAY_BE_ABSENT, &buf, &len);
  if (geteuid() != 0) {
    char want[4200];
    snprintf(want, sizeof want, "cannot read %s: permission denied", path);
    assert_int_equal(e, SGXRA_E_IO);
    assert_null(buf);
    assert_string_equal(sgxra_ctx_message(cx), want);
  } else { /* root reads it whatever its mode */
    assert_int_equal(e, SGXRA_OK);
    assert_int_equal(len, 1);
    free(buf);
  }
  /* "-" is a file name unless SGXRA_FILE_DASH_STDIN says otherwise */
  assert_int_equal(sgxra_file_read(cx, "-", 100, &buf, &len), SGXRA_E_IO);
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

/* The writer writes regular files and new names only: a device node, a
 * FIFO, a directory or a symbolic link at the target is refused and left as
 * it is (rename() would replace it with a regular file). */
static void test_write_targets(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  char *dir = tu_tmpdir();
  char path[4096], target[4096], want[4200];
  struct stat st;
  const uint8_t *d = (const uint8_t *)"data";

  /* A device node.  Root would lose a real one to a faulty writer, so root
   * uses its own copy of /dev/full (1, 7) in the temporary directory. */
  char dev[4096];
  snprintf(dev, sizeof dev, "/dev/full");
  if (geteuid() == 0) {
    snprintf(dev, sizeof dev, "%s/full", dir);
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 7)) != 0) dev[0] = '\0';
  }
  if (dev[0]) {
    assert_int_equal(sgxra_file_write(cx, dev, d, 4, 0),
                     SGXRA_E_NOT_REGULAR_FILE);
    snprintf(want, sizeof want, "%s is a character device, not a regular file",
             dev);
    assert_non_null(strstr(sgxra_ctx_message(cx), want));
    assert_int_equal(lstat(dev, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
  }

  snprintf(path, sizeof path, "%s/fifo", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  alarm(10);
  assert_int_equal(sgxra_file_write(cx, path, d, 4, 0),
                   SGXRA_E_NOT_REGULAR_FILE);
  alarm(0);
  snprintf(want, sizeof want, "%s is a FIFO, not a regular file", path);
  assert_non_null(strstr(sgxra_ctx_message(cx), want));
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISFIFO(st.st_mode));

  assert_int_equal(sgxra_file_write(cx, dir, d, 4, 0),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "is a directory"));

  snprintf(target, sizeof target, "%s/target", dir);
  snprintf(path, sizeof path, "%s/link", dir);
  assert_int_equal(sgxra_file_write(cx, target, (const uint8_t *)"old", 3, 0),
                   SGXRA_OK);
  assert_int_equal(symlink(target, path), 0);
  assert_int_equal(sgxra_file_write(cx, path, d, 4, 0),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "is a symbolic link"));
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(sgxra_file_read(cx, target, 100, &buf, &len), SGXRA_OK);
  assert_int_equal(len, 3);
  assert_memory_equal(buf, "old", 3);
  free(buf);
  /* reading through a link is fine */
  assert_int_equal(sgxra_file_read(cx, path, 100, &buf, &len), SGXRA_OK);
  assert_int_equal(len, 3);
  free(buf);
  /* a regular file is replaced */
  assert_int_equal(sgxra_file_write(cx, target, d, 4, 0), SGXRA_OK);
  assert_int_equal(sgxra_file_read(cx, target, 100, &buf, &len), SGXRA_OK);
  assert_int_equal(len, 4);
  assert_memory_equal(buf, "data", 4);
  free(buf);
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_read_cap),
      cmocka_unit_test(test_io_errors),
      cmocka_unit_test(test_write_ignores_planted_temp),
      cmocka_unit_test(test_read_not_regular),
      cmocka_unit_test(test_read_cap_before_reading),
      cmocka_unit_test(test_read_fd_cap),
      cmocka_unit_test(test_read_optional),
      cmocka_unit_test(test_write_targets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
