/*
 * core/atomic.h -- crash-safe files and serialised updates of a state
 * directory (the emulated platform's, the simulated Intel CA's).
 *
 *   sgxra__write_atomic  create-then-rename: a temporary in the same
 *                        directory, fsync, rename over the target, fsync the
 *                        directory.  After a crash the target holds the old
 *                        or the new content, never a mix or nothing.
 *   sgxra__lock_dir      an exclusive flock on DIR/.lock, held for a whole
 *                        read-modify-write; released by sgxra__unlock_dir or
 *                        when the process dies (kill -9 leaves no stale lock).
 *   sgxra__check_trusted refuse, as ssh does for its keys, a file or
 *                        directory writable by group or others or owned by
 *                        another user than the effective one.
 *
 * Not installed; names are sgxra__*.  Thread-safety: reentrant; a lock is
 * per open file description, so two threads of one process that each call
 * sgxra__lock_dir exclude each other too.
 */
#ifndef SGXRA_CORE_ATOMIC_H
#define SGXRA_CORE_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#include "sgxra/ctx.h"

/* The lock file every state directory may hold. */
#define SGXRA__LOCK_FILE ".lock"

/* Write `path` whole with mode `mode` (0600 for a secret), atomically and
 * durably as above.  SGXRA_E_IO names the path and the system's reason. */
SGXRA_MUST_CHECK sgxra_err sgxra__write_atomic(sgxra_ctx *cx, const char *path,
                                               const void *p, size_t n,
                                               mode_t mode);

/* As sgxra__write_atomic; with exact_mode 0 the process's umask applies
 * to `mode` (output files the user names: `-o`), with 1 it does not. */
SGXRA_MUST_CHECK sgxra_err sgxra__write_atomic_ex(sgxra_ctx *cx,
                                                  const char *path,
                                                  const void *p, size_t n,
                                                  mode_t mode, int exact_mode);

/* fsync() a directory, so that renames and creations in it are durable. */
SGXRA_MUST_CHECK sgxra_err sgxra__fsync_dir(sgxra_ctx *cx, const char *dir);

/* Take the exclusive lock of `dir` (waits for another holder); *out_fd
 * gets the descriptor to hand to sgxra__unlock_dir (-1 on failure). */
SGXRA_MUST_CHECK sgxra_err sgxra__lock_dir(sgxra_ctx *cx, const char *dir,
                                           int *out_fd);
/* Release it (fd < 0 accepted). */
void sgxra__unlock_dir(int fd);

/* SGXRA_OK when `path` exists, is owned by the effective user and is not
 * writable by group or others; else `code` with a message naming the path,
 * what is wrong and the fix (chmod go-w / chown).  `what` names the object
 * ("platform directory").  A path that does not exist is SGXRA_OK: the
 * reader reports it as missing. */
SGXRA_MUST_CHECK sgxra_err sgxra__check_trusted(sgxra_ctx *cx, const char *path,
                                                sgxra_err code,
                                                const char *what);

#endif
