/* Files of the emulator's state folders: see state_internal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/internal.h"
#include "emu/state_internal.h"
#include "sgxra/file.h"

#define FILE_CAP (1u << 20)

char *sgxra__state_path(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

sgxra_err sgxra__state_write(sgxra_ctx *cx, const char *dir, const char *name,
                             const void *p, size_t n, int secret) {
  char *path = sgxra__state_path(dir, name);
  if (!path) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  sgxra_err e = sgxra__write_atomic(cx, path, p, n, secret ? 0600 : 0644);
  free(path);
  return e;
}

sgxra_err sgxra__state_check(sgxra_ctx *cx, const char *dir,
                             const char *const *secrets, const char *what) {
  sgxra_err e = sgxra__check_trusted(cx, dir, SGXRA_E_EMU_STATE_UNSAFE, what);
  for (size_t i = 0; !e && secrets && secrets[i]; i++) {
    char *path = sgxra__state_path(dir, secrets[i]);
    if (!path) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    e = sgxra__check_trusted(cx, path, SGXRA_E_EMU_STATE_UNSAFE, "secret file");
    free(path);
  }
  return e;
}

sgxra_err sgxra__state_read(sgxra_ctx *cx, const char *dir, const char *name,
                            sgxra_err code, const char *who, const char *hint,
                            uint8_t **out, size_t *out_len) {
  char *path = sgxra__state_path(dir, name);
  if (!path) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  sgxra_err e = sgxra_file_read(cx, path, FILE_CAP, out, out_len);
  if (e)
    e = sgxra__fail(cx, code, "%s: cannot read %s (%s)%s", who, path,
                    sgxra_ctx_message(cx), hint);
  free(path);
  return e;
}
