/* Whole-file reading and writing: see sgxra/file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/internal.h"
#include "sgxra/file.h"

/* What a non-regular file is, for "FILE is a FIFO, not a regular file". */
static const char *kind_of(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISLNK(m)) return "a symbolic link";
  return "not a regular file";
}

/* The message of a failed open() or read of `path`. */
static sgxra_err fail_errno(sgxra_ctx *cx, const char *path, int err) {
  if (err == EACCES || err == EPERM)
    return sgxra__fail(cx, SGXRA_E_IO, "cannot read %s: permission denied",
                       path);
  if (err == EISDIR)
    return sgxra__fail(cx, SGXRA_E_NOT_REGULAR_FILE,
                       "%s is a directory, not a regular file", path);
  return sgxra__fail(cx, SGXRA_E_IO, "cannot open %s: %s", path,
                     SGXRA__ERRNO_STR(err));
}

static sgxra_err too_large(sgxra_ctx *cx, const char *path, size_t cap) {
  return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                     "%s is larger than the %zu-byte limit for this input",
                     path, cap);
}

/* open() with the checks of every reader; ENOENT is left in *out_errno
 * (with SGXRA_E_IO) so a caller can treat an absent file as optional. */
static sgxra_err open_regular(sgxra_ctx *cx, const char *path, size_t cap,
                              int *out_fd, uint64_t *out_size, int *out_errno) {
  *out_fd = -1;
  if (out_errno) *out_errno = 0;
  if (path == NULL || path[0] == '\0')
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "empty file name");
  /* O_NONBLOCK: opening a FIFO with no writer must not wait for one. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    if (out_errno) *out_errno = err;
    return fail_errno(cx, path, err);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return fail_errno(cx, path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return sgxra__fail(cx, SGXRA_E_NOT_REGULAR_FILE,
                       "%s is %s, not a regular file", path,
                       kind_of(st.st_mode));
  }
  if (cap && st.st_size > 0 && (uint64_t)st.st_size > (uint64_t)cap) {
    close(fd);
    return too_large(cx, path, cap);
  }
  /* Reads of a regular file never block; clear the flag all the same so
   * the descriptor behaves as a plain one for a streaming caller. */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  *out_fd = fd;
  if (out_size) *out_size = (uint64_t)(st.st_size > 0 ? st.st_size : 0);
  return SGXRA_OK;
}

sgxra_err sgxra_file_open_read(sgxra_ctx *cx, const char *path, size_t cap,
                               int *out_fd, uint64_t *out_size) {
  if (out_size) *out_size = 0;
  if (out_fd == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_file_open_read: NULL argument");
  return open_regular(cx, path, cap, out_fd, out_size, NULL);
}

/* Read fd to its end, at most cap + 1 bytes; `hint` is the expected size
 * (the first allocation). */
static sgxra_err read_fd(sgxra_ctx *cx, int fd, const char *name, size_t cap,
                         size_t hint, uint8_t **out_buf, size_t *out_len) {
  /* limit = cap + 1 bytes of data, without overflowing. */
  size_t limit = cap < SIZE_MAX - 1 ? cap + 1 : SIZE_MAX - 1;
  size_t alloc = hint < 4096 ? 4096 : hint + 1;
  if (alloc > limit) alloc = limit;
  size_t size = 0;
  uint8_t *b = malloc(alloc + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
  for (;;) {
    if (size == alloc) {
      if (alloc >= limit) break;
      size_t na = alloc > limit / 2 ? limit : alloc * 2;
      uint8_t *nb = realloc(b, na + 1);
      if (!nb) {
        free(b);
        return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
      }
      b = nb;
      alloc = na;
    }
    ssize_t got = read(fd, b + size, alloc - size);
    if (got < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      free(b);
      if (err == EAGAIN || err == EWOULDBLOCK)
        return sgxra__fail(cx, SGXRA_E_IO,
                           "cannot read %s: no data available without "
                           "waiting (a non-blocking descriptor)",
                           name);
      return sgxra__fail(cx, SGXRA_E_IO, "cannot read %s: %s", name,
                         SGXRA__ERRNO_STR(err));
    }
    if (got == 0) break;
    size += (size_t)got;
  }
  if (size > cap) {
    free(b);
    return too_large(cx, name, cap);
  }
  b[size] = 0;
  *out_buf = b;
  *out_len = size;
  return SGXRA_OK;
}

sgxra_err sgxra_file_read_fd(sgxra_ctx *cx, int fd, const char *name,
                             size_t cap, uint8_t **out_buf, size_t *out_len) {
  if (out_buf == NULL || out_len == NULL || fd < 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_file_read_fd: bad argument");
  *out_buf = NULL;
  *out_len = 0;
  return read_fd(cx, fd, name ? name : "input", cap, 0, out_buf, out_len);
}

sgxra_err sgxra_file_read_ex(sgxra_ctx *cx, const char *path, size_t cap,
                             unsigned flags, uint8_t **out_buf,
                             size_t *out_len) {
  if (out_buf == NULL || out_len == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_file_read: NULL argument");
  *out_buf = NULL;
  *out_len = 0;
  if ((flags & SGXRA_FILE_DASH_STDIN) && path && strcmp(path, "-") == 0)
    return read_fd(cx, 0, "standard input", cap, 0, out_buf, out_len);
  int fd, err = 0;
  uint64_t size = 0;
  sgxra_err e = open_regular(cx, path, cap, &fd, &size, &err);
  if (e != SGXRA_OK) {
    if (err == ENOENT && (flags & SGXRA_FILE_MAY_BE_ABSENT)) {
      sgxra_ctx_clear(cx);
      return SGXRA_OK;
    }
    return e;
  }
  e = read_fd(cx, fd, path, cap, (size_t)size, out_buf, out_len);
  close(fd);
  return e;
}

sgxra_err sgxra_file_read(sgxra_ctx *cx, const char *path, size_t cap,
                          uint8_t **out_buf, size_t *out_len) {
  return sgxra_file_read_ex(cx, path, cap, 0, out_buf, out_len);
}

sgxra_err sgxra_file_write(sgxra_ctx *cx, const char *path, const uint8_t *p,
                           size_t n, int secret) {
  if (path == NULL || path[0] == '\0')
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "empty file name");
  /* Regular files and new names only: rename() would replace a device node
   * or a symbolic link with a regular file (`-o /dev/full` as root). */
  struct stat lst;
  if (lstat(path, &lst) == 0) {
    if (S_ISLNK(lst.st_mode))
      return sgxra__fail(cx, SGXRA_E_NOT_REGULAR_FILE,
                         "%s is a symbolic link: sgxra writes only to a "
                         "regular file or a new name, never through or over "
                         "a link; give the link's target",
                         path);
    if (!S_ISREG(lst.st_mode))
      return sgxra__fail(cx, SGXRA_E_NOT_REGULAR_FILE,
                         "%s is %s, not a regular file: sgxra writes only "
                         "to a regular file or a new name",
                         path, kind_of(lst.st_mode));
  } else if (errno != ENOENT) {
    return sgxra__fail(cx, SGXRA_E_IO, "cannot write %s: %s", path,
                       SGXRA__ERRNO_STR(errno));
  }
  /* Create-then-rename (core/atomic.c): the temporary is created with
   * O_EXCL|O_NOFOLLOW, so a file or link already at that name -- stale, or
   * planted by another user -- is never written through nor lends its mode
   * to a secret; fsync, rename, fsync of the folder.  The umask applies to
   * 0644 (a user's output), a secret is 0600 whatever it is. */
  return sgxra__write_atomic_ex(cx, path, p, n, secret ? 0600 : 0644, secret);
}
