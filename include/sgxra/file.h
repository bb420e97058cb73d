/*
 * sgxra/file.h -- whole-file reading and writing with a size cap.
 *
 * Thread-safety: reentrant.
 */
#ifndef SGXRA_FILE_H
#define SGXRA_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read a whole file into a new buffer (free with free()); a NUL is appended
 * after the data (not counted in *out_len) so text can be parsed in place.
 * SGXRA_E_IO names the path and errno's text; SGXRA_E_TOO_LARGE when the file
 * exceeds `cap` bytes. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_read(sgxra_ctx *cx,
                                                     const char *path,
                                                     size_t cap,
                                                     uint8_t **out_buf,
                                                     size_t *out_len);

/* Write a whole file (created 0644, or 0600 when `secret` is nonzero),
 * through a temporary name and rename(), so a reader never sees half. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_file_write(sgxra_ctx *cx,
                                                      const char *path,
                                                      const uint8_t *p,
                                                      size_t n, int secret);

#ifdef __cplusplus
}
#endif
#endif
