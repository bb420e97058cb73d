/* Tests of the state-directory helpers (core/atomic.h) and of the
 * guarantees the emulator builds on them (issue 14, "State"): atomic
 * create-then-rename writes, the folder lock serialising read-modify-writes
 * across processes, no lost update between two CA objects on one folder,
 * the filesystem trust check, and incomplete folders reported with the
 * recovery command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/testutil.h"
#include "core/atomic.h"
#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/qe.h"

/* 2026-01-01T00:00:00Z */
#define NOW 1767225600

static char *path2(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  assert_non_null(p);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static void write_text(const char *path, const char *s, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
  close(fd);
  assert_int_equal(chmod(path, mode), 0);
}

static size_t count_entries(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t n = 0;
  for (struct dirent *de; (de = readdir(d));)
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
  closedir(d);
  return n;
}

/* ---- sgxra__write_atomic ---------------------------------------------- */

static void atomic_write(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *p = path2(dir, "f");
  sgxra_ctx *cx = sgxra_ctx_new();
  mode_t old = umask(0);
  /* The mode is exactly the one asked for, whatever the umask. */
  assert_int_equal(sgxra__write_atomic(cx, p, "hello", 5, 0600), SGXRA_OK);
  umask(077);
  assert_int_equal(sgxra__write_atomic(cx, p, "world!", 6, 0644), SGXRA_OK);
  umask(old);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0644);
  uint8_t *b = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_file_read(cx, p, 64, &b, &n), SGXRA_OK);
  assert_int_equal(n, 6);
  assert_memory_equal(b, "world!", 6);
  free(b);
  /* No temporary is left behind. */
  assert_int_equal(count_entries(dir), 1);
  /* A symlink at the target is replaced, never written through. */
  char *victim = path2(dir, "victim");
  write_text(victim, "keep", 0644);
  char *link = path2(dir, "link");
  assert_int_equal(symlink(victim, link), 0);
  assert_int_equal(sgxra__write_atomic(cx, link, "new", 3, 0600), SGXRA_OK);
  assert_int_equal(lstat(link, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(sgxra_file_read(cx, victim, 64, &b, &n), SGXRA_OK);
  assert_memory_equal(b, "keep", 4);
  free(b);
  /* A planted file at a temporary name is skipped, not reused. */
  char tmpname[4300];
  snprintf(tmpname, sizeof tmpname, "%s.tmp%ld.0", p, (long)getpid());
  write_text(tmpname, "planted", 0666);
  assert_int_equal(sgxra__write_atomic(cx, p, "x", 1, 0600), SGXRA_OK);
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
  assert_int_equal(st.st_size, 1);
  /* A folder that does not exist: SGXRA_E_IO naming the path. */
  char *bad = path2(dir, "none/f");
  assert_int_equal(sgxra__write_atomic(cx, bad, "x", 1, 0600), SGXRA_E_IO);
  assert_non_null(strstr(sgxra_ctx_message(cx), bad));
  free(bad);
  free(victim);
  free(link);
  free(p);
  sgxra_ctx_free(cx);
  tu_rmtree(dir);
  free(dir);
}

/* ---- sgxra__lock_dir ---------------------------------------------------- */

static void lock_excludes(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  sgxra_ctx *cx = sgxra_ctx_new();
  int fd = -1;
  assert_int_equal(sgxra__lock_dir(cx, dir, &fd), SGXRA_OK);
  assert_true(fd >= 0);
  /* Another open file description (another process's) cannot take it. */
  char *lp = path2(dir, SGXRA__LOCK_FILE);
  int other = open(lp, O_RDWR);
  assert_true(other >= 0);
  assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
  assert_int_equal(errno, EWOULDBLOCK);
  sgxra__unlock_dir(fd);
  assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
  close(other);
  sgxra__unlock_dir(-1); /* accepted */
  /* A folder that does not exist: SGXRA_E_IO. */
  char *none = path2(dir, "none");
  assert_int_equal(sgxra__lock_dir(cx, none, &fd), SGXRA_E_IO);
  assert_int_equal(fd, -1);
  free(none);
  free(lp);
  sgxra_ctx_free(cx);
  tu_rmtree(dir);
  free(dir);
}

/* Two processes each add 1 to a counter file 150 times, every time as
 * lock / read / write-atomic / unlock: no increment is lost. */
#define BUMPS 150
static void bump(const char *dir, const char *file) {
  sgxra_ctx *cx = sgxra_ctx_new();
  for (int i = 0; i < BUMPS; i++) {
    int fd = -1;
    if (sgxra__lock_dir(cx, dir, &fd)) _exit(2);
    uint8_t *b = NULL;
    size_t n = 0;
    if (sgxra_file_read(cx, file, 64, &b, &n)) _exit(3);
    char text[32];
    int len =
        snprintf(text, sizeof text, "%ld", strtol((char *)b, NULL, 10) + 1);
    free(b);
    if (sgxra__write_atomic(cx, file, text, (size_t)len, 0644)) _exit(4);
    sgxra__unlock_dir(fd);
  }
  sgxra_ctx_free(cx);
  _exit(0);
}

static void lock_serialises_processes(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *file = path2(dir, "counter");
  write_text(file, "0", 0644);
  pid_t a = fork();
  assert_true(a >= 0);
  if (a == 0) bump(dir, file);
  pid_t b = fork();
  assert_true(b >= 0);
  if (b == 0) bump(dir, file);
  int sa = -1, sb = -1;
  assert_int_equal(waitpid(a, &sa, 0), a);
  assert_int_equal(waitpid(b, &sb, 0), b);
  assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
  assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *buf = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_file_read(cx, file, 64, &buf, &n), SGXRA_OK);
  assert_int_equal(strtol((char *)buf, NULL, 10), 2 * BUMPS);
  free(buf);
  sgxra_ctx_free(cx);
  free(file);
  tu_rmtree(dir);
  free(dir);
}

/* ---- sgxra__check_trusted ------------------------------------------------ */

static void trust_check(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  sgxra_ctx *cx = sgxra_ctx_new();
  const sgxra_err C = SGXRA_E_EMU_STATE_UNSAFE;
  assert_int_equal(chmod(dir, 0700), 0);
  assert_int_equal(sgxra__check_trusted(cx, dir, C, "folder"), SGXRA_OK);
  assert_int_equal(chmod(dir, 0755), 0);
  assert_int_equal(sgxra__check_trusted(cx, dir, C, "folder"), SGXRA_OK);
  assert_int_equal(chmod(dir, 0777), 0);
  assert_int_equal(sgxra__check_trusted(cx, dir, C, "folder"), C);
  assert_non_null(strstr(sgxra_ctx_message(cx), "every user"));
  assert_non_null(strstr(sgxra_ctx_message(cx), "chmod go-w"));
  assert_non_null(strstr(sgxra_ctx_message(cx), dir));
  assert_int_equal(chmod(dir, 0770), 0);
  assert_int_equal(sgxra__check_trusted(cx, dir, C, "folder"), C);
  assert_non_null(strstr(sgxra_ctx_message(cx), "its group"));
  assert_int_equal(chmod(dir, 0700), 0);
  char *key = path2(dir, "key.pem");
  write_text(key, "k", 0602);
  assert_int_equal(sgxra__check_trusted(cx, key, C, "secret file"), C);
  assert_int_equal(chmod(key, 0600), 0);
  assert_int_equal(sgxra__check_trusted(cx, key, C, "secret file"), SGXRA_OK);
  /* Missing: left to the reader to report. */
  char *none = path2(dir, "none");
  assert_int_equal(sgxra__check_trusted(cx, none, C, "file"), SGXRA_OK);
  /* Owned by another user: only root can make one. */
  if (geteuid() == 0) {
    assert_int_equal(chown(key, 65534, (gid_t)-1), 0);
    assert_int_equal(sgxra__check_trusted(cx, key, C, "secret file"), C);
    assert_non_null(strstr(sgxra_ctx_message(cx), "owned by uid 65534"));
  }
  free(none);
  free(key);
  sgxra_ctx_free(cx);
  tu_rmtree(dir);
  free(dir);
}

/* ---- the simulated CA and the platform ----------------------------------- */

typedef struct fixture {
  char *dir, *cadir;
  sgxra_ctx *cx;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  f->dir = tu_tmpdir();
  f->cadir = path2(f->dir, "ca");
  f->cx = sgxra_ctx_new();
  sgxra_intelca *ca = NULL;
  if (sgxra_intelca_create(f->cx, f->cadir, NOW, &ca))
    fail_msg("CA: %s", sgxra_ctx_message(f->cx));
  sgxra_intelca_free(ca);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f->cadir);
  free(f);
  return 0;
}

/* Provision a new platform in f->dir/<name> with `ca`; its PCK serial. */
static void provision(fixture *f, sgxra_intelca *ca, const char *name,
                      char serial[SGXRA_INTELCA_SERIAL_HEX_SIZE]) {
  char *pd = path2(f->dir, name);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  uint16_t pcesvn;
  sgxra_intelca_tcb_current(ca, cfg.tcb_svns, &pcesvn);
  cfg.pcesvn = pcesvn;
  sgxra_emu_platform *p = NULL;
  if (sgxra_emu_platform_init(f->cx, pd, &cfg, &p) ||
      sgxra_qe_provision(f->cx, p, ca, pd, NOW, serial))
    fail_msg("platform %s: %s", name, sgxra_ctx_message(f->cx));
  sgxra_emu_platform_free(p);
  free(pd);
}

static int state_has(fixture *f, const char *s) {
  char *sp = path2(f->cadir, "state.json");
  uint8_t *b = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_file_read(f->cx, sp, 1 << 20, &b, &n), SGXRA_OK);
  int has = strstr((char *)b, s) != NULL;
  free(b);
  free(sp);
  return has;
}

/* Two CA objects opened on one folder (two processes): each revokes one
 * serial; both revocations are kept, and a serial issued through one
 * object after the other was opened is known to the other. */
static void ca_no_lost_update(void **state) {
  fixture *f = *state;
  sgxra_intelca *c1 = NULL, *c2 = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &c1), SGXRA_OK);
  char sa[SGXRA_INTELCA_SERIAL_HEX_SIZE], sb[SGXRA_INTELCA_SERIAL_HEX_SIZE];
  provision(f, c1, "pa", sa);
  provision(f, c1, "pb", sb);
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &c2), SGXRA_OK);
  sgxra_intelca *c3 = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &c3), SGXRA_OK);
  assert_int_equal(sgxra_intelca_revoke(f->cx, c2, sa, NOW), SGXRA_OK);
  assert_int_equal(sgxra_intelca_revoke(f->cx, c3, sb, NOW), SGXRA_OK);
  assert_true(state_has(f, sa));
  assert_true(state_has(f, sb));
  /* issued through c1 after c2 was opened: c2 revokes it */
  char sc[SGXRA_INTELCA_SERIAL_HEX_SIZE];
  provision(f, c1, "pc", sc);
  assert_int_equal(sgxra_intelca_revoke(f->cx, c2, sc, NOW), SGXRA_OK);
  /* a TCB recovery through c3 keeps c2's revocations; c1 then sees it */
  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, c3), SGXRA_OK);
  assert_true(state_has(f, sc));
  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, c1), SGXRA_OK);
  assert_int_equal(sgxra_intelca_tcb_evaluation_number(c1), 3);
  assert_true(state_has(f, sa) && state_has(f, sb) && state_has(f, sc));
  /* the revocation list the CA publishes names all three */
  sgxra_intelca *c4 = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &c4), SGXRA_OK);
  assert_int_equal(sgxra_intelca_tcb_evaluation_number(c4), 3);
  sgxra_intelca_free(c4);
  sgxra_intelca_free(c1);
  sgxra_intelca_free(c2);
  sgxra_intelca_free(c3);
}

static void unsafe_folders_refused(void **state) {
  fixture *f = *state;
  sgxra_intelca *ca = NULL;
  assert_int_equal(chmod(f->cadir, 0777), 0);
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &ca),
                   SGXRA_E_EMU_STATE_UNSAFE);
  assert_null(ca);
  assert_int_equal(chmod(f->cadir, 0700), 0);
  char *key = path2(f->cadir, "tcb_signing_key.pem");
  assert_int_equal(chmod(key, 0620), 0);
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &ca),
                   SGXRA_E_EMU_STATE_UNSAFE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "tcb_signing_key.pem"));
  assert_int_equal(chmod(key, 0600), 0);
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &ca), SGXRA_OK);
  char serial[SGXRA_INTELCA_SERIAL_HEX_SIZE];
  provision(f, ca, "p", serial);
  sgxra_intelca_free(ca);
  char *pd = path2(f->dir, "p");
  sgxra_emu_platform *p = NULL;
  assert_int_equal(chmod(pd, 0757), 0);
  assert_int_equal(sgxra_emu_platform_load(f->cx, pd, &p),
                   SGXRA_E_EMU_STATE_UNSAFE);
  assert_null(p);
  assert_int_equal(chmod(pd, 0700), 0);
  char *pj = path2(pd, SGXRA_EMU_STATE_FILE);
  assert_int_equal(chmod(pj, 0660), 0);
  assert_int_equal(sgxra_emu_platform_load(f->cx, pd, &p),
                   SGXRA_E_EMU_STATE_UNSAFE);
  assert_int_equal(chmod(pj, 0600), 0);
  assert_int_equal(sgxra_emu_platform_load(f->cx, pd, &p), SGXRA_OK);
  sgxra_qe *qe = NULL;
  assert_int_equal(chmod(pd, 0777), 0);
  assert_int_equal(sgxra_qe_open(f->cx, p, pd, &qe), SGXRA_E_EMU_STATE_UNSAFE);
  assert_int_equal(chmod(pd, 0700), 0);
  assert_int_equal(sgxra_qe_open(f->cx, p, pd, &qe), SGXRA_OK);
  sgxra_qe_free(qe);
  sgxra_emu_platform_free(p);
  /* init into a folder others may write is refused too */
  char *open_dir = path2(f->dir, "shared");
  assert_int_equal(mkdir(open_dir, 0700), 0);
  assert_int_equal(chmod(open_dir, 0777), 0);
  assert_int_equal(sgxra_emu_platform_init(f->cx, open_dir, NULL, &p),
                   SGXRA_E_EMU_STATE_UNSAFE);
  free(open_dir);
  free(pj);
  free(pd);
  free(key);
}

static void incomplete_reported(void **state) {
  fixture *f = *state;
  /* A CA whose creation stopped before state.json. */
  char *sp = path2(f->cadir, "state.json");
  assert_int_equal(unlink(sp), 0);
  sgxra_intelca *ca = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, f->cadir, &ca),
                   SGXRA_E_EMU_STATE_INCOMPLETE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "rm -r"));
  /* creating it again completes it */
  assert_int_equal(sgxra_intelca_create(f->cx, f->cadir, NOW, &ca), SGXRA_OK);
  char serial[SGXRA_INTELCA_SERIAL_HEX_SIZE];
  provision(f, ca, "p", serial);
  sgxra_intelca_free(ca);
  /* A platform with platform.json but without its QE files. */
  char *pd = path2(f->dir, "p");
  char *qs = path2(pd, "pck_chain.pem");
  assert_int_equal(unlink(qs), 0);
  sgxra_emu_platform *p = NULL;
  sgxra_qe *qe = NULL;
  assert_int_equal(sgxra_emu_platform_load(f->cx, pd, &p), SGXRA_OK);
  assert_int_equal(sgxra_qe_open(f->cx, p, pd, &qe),
                   SGXRA_E_EMU_STATE_INCOMPLETE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "sgxra platform init"));
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "pck_chain.pem"));
  sgxra_emu_platform_free(p);
  /* ...and the QE files without platform.json. */
  char *pj = path2(pd, SGXRA_EMU_STATE_FILE);
  assert_int_equal(unlink(pj), 0);
  assert_int_equal(sgxra_emu_platform_load(f->cx, pd, &p),
                   SGXRA_E_EMU_STATE_INCOMPLETE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "rm -r"));
  free(pj);
  free(qs);
  free(pd);
  free(sp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(atomic_write),
      cmocka_unit_test(lock_excludes),
      cmocka_unit_test(lock_serialises_processes),
      cmocka_unit_test(trust_check),
      cmocka_unit_test_setup_teardown(ca_no_lost_update, setup, teardown),
      cmocka_unit_test_setup_teardown(unsafe_folders_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(incomplete_reported, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
