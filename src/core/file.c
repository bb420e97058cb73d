/* Whole-file reading and writing: see sgxra/file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "sgxra/file.h"

sgxra_err sgxra_file_read(sgxra_ctx *cx, const char *path, size_t cap,
                          uint8_t **out_buf, size_t *out_len) {
  *out_buf = NULL;
  *out_len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return sgxra__fail(cx, SGXRA_E_IO, "cannot open %s: %s", path,
                       SGXRA__ERRNO_STR(errno));
  size_t size = 0, alloc = 4096;
  uint8_t *b = malloc(alloc + 1);
  if (!b) {
    fclose(f);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
  }
  for (;;) {
    if (size == alloc) {
      if (alloc > cap) break;
      size_t na = alloc * 2;
      uint8_t *nb = realloc(b, na + 1);
      if (!nb) {
        free(b);
        fclose(f);
        return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
      }
      b = nb;
      alloc = na;
    }
    size_t got = fread(b + size, 1, alloc - size, f);
    size += got;
    if (got == 0) break;
  }
  int err = ferror(f) ? errno : 0;
  fclose(f);
  if (err) {
    free(b);
    return sgxra__fail(cx, SGXRA_E_IO, "error reading %s: %s", path,
                       SGXRA__ERRNO_STR(err));
  }
  if (size > cap) {
    free(b);
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "%s is larger than the %zu-byte limit for this input",
                       path, cap);
  }
  b[size] = 0;
  *out_buf = b;
  *out_len = size;
  return SGXRA_OK;
}

sgxra_err sgxra_file_write(sgxra_ctx *cx, const char *path, const uint8_t *p,
                           size_t n, int secret) {
  size_t plen = strlen(path);
  size_t tlen = plen + 48;
  char *tmp = malloc(tlen);
  if (!tmp) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL);
  /* The temporary is created exclusively (O_EXCL, which also refuses a
   * symlink there), so a file already at that name -- stale, or planted by
   * another user -- is never written through nor lends its mode to a
   * secret.  A taken name moves on to the next. */
  int fd = -1;
  for (unsigned i = 0; i < 100 && fd < 0; i++) {
    snprintf(tmp, tlen, "%s.tmp%ld.%u", path, (long)getpid(), i);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
              secret ? 0600 : 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    sgxra_err e = sgxra__fail(cx, SGXRA_E_IO, "cannot create %s: %s", path,
                              SGXRA__ERRNO_STR(errno));
    free(tmp);
    return e;
  }
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, p + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      sgxra_err e = sgxra__fail(cx, SGXRA_E_IO, "cannot write %s: %s", path,
                                SGXRA__ERRNO_STR(errno));
      close(fd);
      unlink(tmp);
      free(tmp);
      return e;
    }
    done += (size_t)w;
  }
  if (close(fd) != 0 || rename(tmp, path) != 0) {
    sgxra_err e = sgxra__fail(cx, SGXRA_E_IO, "cannot write %s: %s", path,
                              SGXRA__ERRNO_STR(errno));
    unlink(tmp);
    free(tmp);
    return e;
  }
  free(tmp);
  return SGXRA_OK;
}
