/*
 * sgxra/file.h -- whole-file reading and writing with a size cap.
 *
 * Every file sgxra reads goes through these readers, so every one refuses
 * the same things the same way:
 *   - only a regular file is read (a symlink to one is followed).  The
 *     file is opened with O_RDONLY|O_NONBLOCK|O_CLOEXEC and checked with
 *     fstat() before any read, so a FIFO, a device (/dev/zero), a socket or
 *     a directory fails at once with SGXRA_E_NOT_REGULAR_FILE and
 *     "FILE is a FIFO, not a regular file" -- nothing blocks;
 *   - the size is checked against the caller's cap before reading, and at
 *     most cap + 1 bytes are ever read, so a file that grows while it is
 *     read is caught too (SGXRA_E_TOO_LARGE);
 *   - a file that exists but cannot be opened says why:
 *     "cannot read FILE: permission denied" (SGXRA_E_IO).
 *
 * Writing (sgxra_file_write) goes to a regular file or a new name only:
 * the data goes to a temporary file in the same directory, is fsync()ed
 * and renamed over the target, so a reader never sees half and a crash
 * leaves the old file or the new one.  A target that is a device, a FIFO, a
 * socket or a directory is refused (SGXRA_E_NOT_REGULAR_FILE), and so is a
 * symbolic link (SGXRA_E_NOT_REGULAR_FILE, "FILE is a symbolic link"):
 * sgxra neither replaces the link with a file nor writes through it to a
 * place the caller did not name -- give the link's target instead.
 *
 * Ownership: buffers returned are the caller's (free()).  No descriptor
 * outlives a call except the one sgxra_file_open_read hands over.
 * Thread-safety: reentrant (each call uses only its arguments and cx).
 */
#ifndef SGXRA_FILE_H
#define SGXRA_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of sgxra_file_read_ex. */
/* A file that does not exist (ENOENT) is not an error: SGXRA_OK with
 * *out_buf NULL and *out_len 0.  Any other failure (permission, not a
 * regular file, too large) still is. */
#define SGXRA_FILE_MAY_BE_ABSENT 1u
/* The path "-" means standard input (read up to cap + 1 bytes, whatever it
 * is: a pipe, a terminal, a file). */
#define SGXRA_FILE_DASH_STDIN 2u

/* Read a whole regular file into a new buffer (free with free()); a NUL is
 * appended after the data (not counted in *out_len) so text can be parsed
 * in place.  SGXRA_E_IO names the path and errno's text ("cannot read x:
 * permission denied"); SGXRA_E_NOT_REGULAR_FILE for a FIFO, device,
 * socket or directory; SGXRA_E_TOO_LARGE when the file exceeds `cap`
 * bytes (checked before reading; at most cap + 1 bytes are read). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_read(sgxra_ctx *cx,
                                                     const char *path,
                                                     size_t cap,
                                                     uint8_t **out_buf,
                                                     size_t *out_len);

/* sgxra_file_read with SGXRA_FILE_* flags. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_file_read_ex(sgxra_ctx *cx, const char *path, size_t cap, unsigned flags,
                   uint8_t **out_buf, size_t *out_len);

/* Read an open descriptor to its end (stdin: fd 0), at most cap + 1 bytes,
 * into a new NUL-terminated buffer; `name` names it in messages ("-",
 * "standard input").  The descriptor stays open.  SGXRA_E_TOO_LARGE past
 * the cap, SGXRA_E_IO on a read error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_read_fd(sgxra_ctx *cx, int fd,
                                                        const char *name,
                                                        size_t cap,
                                                        uint8_t **out_buf,
                                                        size_t *out_len);

/* Open a regular file for reading as the readers above do (same checks and
 * messages, the cap checked against its size when `cap` is not 0) for a
 * caller that streams it; *out_fd is the caller's to close().  *out_size,
 * if not NULL, gets the size fstat() saw. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_open_read(sgxra_ctx *cx,
                                                          const char *path,
                                                          size_t cap,
                                                          int *out_fd,
                                                          uint64_t *out_size);

/* Write a whole file (created 0644, or 0600 when `secret` is nonzero),
 * through a temporary name in the same directory, fsync() and rename(), so
 * a reader never sees half.  `path` must be a new name or a regular file;
 * a symbolic link, a device, a FIFO, a socket or a directory there is
 * refused with SGXRA_E_NOT_REGULAR_FILE and left as it is. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_write(sgxra_ctx *cx,
                                                      const char *path,
                                                      const uint8_t *p,
                                                      size_t n, int secret);

#ifdef __cplusplus
}
#endif
#endif
