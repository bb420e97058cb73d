/* Crash-safe files and state-directory locks: see core/atomic.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/internal.h"

/* The directory part of `path` ("." when it has none), in a new buffer. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t n = slash ? (size_t)(slash - path) : 0;
  if (slash && n == 0) n = 1; /* "/name" */
  char *d = malloc(n + 2);
  if (!d) return NULL;
  if (slash)
    memcpy(d, path, n), d[n] = 0;
  else
    strcpy(d, ".");
  return d;
}

sgxra_err sgxra__fsync_dir(sgxra_ctx *cx, const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return sgxra__fail(cx, SGXRA_E_IO, "cannot open folder %s: %s", dir,
                       SGXRA__ERRNO_STR(errno));
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  /* Some file systems cannot sync a directory (EINVAL): nothing to do. */
  if (rc != 0 && err != EINVAL && err != EROFS)
    return sgxra__fail(cx, SGXRA_E_IO, "cannot sync folder %s: %s", dir,
                       SGXRA__ERRNO_STR(err));
  return SGXRA_OK;
}

sgxra_err sgxra__write_atomic(sgxra_ctx *cx, const char *path, const void *p,
                              size_t n, mode_t mode) {
  return sgxra__write_atomic_ex(cx, path, p, n, mode, 1);
}

sgxra_err sgxra__write_atomic_ex(sgxra_ctx *cx, const char *path, const void *p,
                                 size_t n, mode_t mode, int exact_mode) {
  size_t tlen = strlen(path) + 48;
  char *tmp = malloc(tlen);
  char *dir = dir_of(path);
  if (!tmp || !dir) {
    free(tmp);
    free(dir);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  /* O_EXCL: a name already taken (stale, or planted) is never written
   * through and never lends its mode to a secret; try the next one. */
  int fd = -1;
  for (unsigned i = 0; i < 100 && fd < 0; i++) {
    snprintf(tmp, tlen, "%s.tmp%ld.%u", path, (long)getpid(), i);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0 && errno != EEXIST) break;
  }
  sgxra_err e = SGXRA_OK;
  if (fd < 0) {
    e = sgxra__fail(cx, SGXRA_E_IO, "cannot create %s: %s", path,
                    SGXRA__ERRNO_STR(errno));
    goto out;
  }
  const unsigned char *b = p;
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, b + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      e = sgxra__fail(cx, SGXRA_E_IO, "cannot write %s: %s", path,
                      w < 0 ? SGXRA__ERRNO_STR(errno) : "short write");
      break;
    }
    done += (size_t)w;
  }
  /* fchmod: the mode is exactly `mode`, whatever the umask. */
  if (!e && ((exact_mode && fchmod(fd, mode) != 0) || fsync(fd) != 0))
    e = sgxra__fail(cx, SGXRA_E_IO, "cannot write %s: %s", path,
                    SGXRA__ERRNO_STR(errno));
  if (close(fd) != 0 && !e)
    e = sgxra__fail(cx, SGXRA_E_IO, "cannot write %s: %s", path,
                    SGXRA__ERRNO_STR(errno));
  if (!e && rename(tmp, path) != 0)
    e = sgxra__fail(cx, SGXRA_E_IO, "cannot replace %s: %s", path,
                    SGXRA__ERRNO_STR(errno));
  if (e)
    unlink(tmp);
  else
    e = sgxra__fsync_dir(cx, dir);
out:
  free(tmp);
  free(dir);
  return e;
}

sgxra_err sgxra__lock_dir(sgxra_ctx *cx, const char *dir, int *out_fd) {
  *out_fd = -1;
  size_t n = strlen(dir) + sizeof SGXRA__LOCK_FILE + 1;
  char *path = malloc(n);
  if (!path) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  snprintf(path, n, "%s/%s", dir, SGXRA__LOCK_FILE);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    sgxra_err e = sgxra__fail(cx, SGXRA_E_IO, "cannot open the lock %s: %s",
                              path, SGXRA__ERRNO_STR(errno));
    free(path);
    return e;
  }
  int rc;
  while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    sgxra_err e = sgxra__fail(cx, SGXRA_E_IO, "cannot lock %s: %s", path,
                              SGXRA__ERRNO_STR(errno));
    close(fd);
    free(path);
    return e;
  }
  free(path);
  *out_fd = fd;
  return SGXRA_OK;
}

void sgxra__unlock_dir(int fd) {
  if (fd < 0) return;
  flock(fd, LOCK_UN);
  close(fd);
}

sgxra_err sgxra__check_trusted(sgxra_ctx *cx, const char *path, sgxra_err code,
                               const char *what) {
  struct stat st;
  if (stat(path, &st) != 0) return SGXRA_OK;
  if (st.st_uid != geteuid())
    return sgxra__fail(cx, code,
                       "refusing %s %s: it is owned by uid %ld, not by you "
                       "(uid %ld), so its owner could change what it holds; "
                       "use your own copy or 'chown %ld %s'",
                       what, path, (long)st.st_uid, (long)geteuid(),
                       (long)geteuid(), path);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return sgxra__fail(cx, code,
                       "refusing %s %s: its mode %04o lets %s write it, so "
                       "another user could change what it holds; run "
                       "'chmod go-w %s'",
                       what, path, (unsigned)(st.st_mode & 07777),
                       (st.st_mode & S_IWOTH) ? "every user" : "its group",
                       path);
  return SGXRA_OK;
}
