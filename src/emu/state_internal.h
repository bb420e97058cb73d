/*
 * src/emu/state_internal.h -- the files of the emulator's state folders
 * (the simulated Intel CA's, the QE/PCE's): "<dir>/<name>", at most 1 MiB.
 */
#ifndef SGXRA_EMU_STATE_INTERNAL_H
#define SGXRA_EMU_STATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

/* "<dir>/<name>" in a new buffer (free with free()), or NULL. */
char *sgxra__state_path(const char *dir, const char *name);

/* Write <dir>/<name> atomically and durably (core/atomic.h: temporary,
 * fsync, rename, fsync of the folder), mode 0600 when `secret`, else 0644. */
SGXRA_MUST_CHECK sgxra_err sgxra__state_write(sgxra_ctx *cx, const char *dir,
                                              const char *name, const void *p,
                                              size_t n, int secret);

/* Read <dir>/<name> whole.  A failure is `code` with the message
 * "<who>: cannot read <path> (<why>)<hint>". */
SGXRA_MUST_CHECK sgxra_err sgxra__state_read(sgxra_ctx *cx, const char *dir,
                                             const char *name, sgxra_err code,
                                             const char *who, const char *hint,
                                             uint8_t **out, size_t *out_len);

/* The filesystem trust check done on opening a state folder: `dir` and
 * each existing file of the NULL-terminated `secrets` (may be NULL) must be
 * owned by the effective user and not writable by group or others, else
 * SGXRA_E_EMU_STATE_UNSAFE (core/atomic.h, sgxra__check_trusted).  `what`
 * names the folder in the message ("platform directory"). */
SGXRA_MUST_CHECK sgxra_err sgxra__state_check(sgxra_ctx *cx, const char *dir,
                                              const char *const *secrets,
                                              const char *what);

#endif
