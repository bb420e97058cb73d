/* src/net/dl_mhd.h -- libmicrohttpd, the HTTP server (src/net/http.c and the
 * three servers), loaded on first use (see store/dl_internal.h).
 *
 * Include this header instead of <microhttpd.h>: it includes that header for
 * the types and constants, and turns each function sgxra calls into a call
 * through the table sgxra__mhd, filled from libmicrohttpd.so.12 by
 * sgxra__mhd_load().  Call sgxra__mhd_load() (SGXRA_OK, or
 * SGXRA_E_LIBRARY_MISSING with a message naming the package) before the
 * first call; a handle from the library (a connection, an easy handle, a
 * daemon) implies it was loaded.  A function not listed in
 * SGXRA__MHD_FUNCS is not redirected and fails the link of the
 * `sgxra` command (which does not link the library): add it there.
 * Internal (sgxra__); thread-safety as store/dl_internal.h. */
#ifndef SGXRA_NET_DL_MHD_H
#define SGXRA_NET_DL_MHD_H

#include <microhttpd.h>

#include "store/dl_internal.h"

/* Every function of the library that sgxra calls. */
#define SGXRA__MHD_FUNCS(X, T)                                                 \
  X(T, MHD_add_response_header)                                                \
  X(T, MHD_create_response_from_buffer)                                        \
  X(T, MHD_destroy_response)                                                   \
  X(T, MHD_get_connection_info)                                                \
  X(T, MHD_get_connection_values)                                              \
  X(T, MHD_get_daemon_info)                                                    \
  X(T, MHD_lookup_connection_value)                                            \
  X(T, MHD_queue_response)                                                     \
  X(T, MHD_quiesce_daemon)                                                     \
  X(T, MHD_start_daemon)                                                       \
  X(T, MHD_stop_daemon)

SGXRA__DL_TABLE(sgxra__mhd_fns, SGXRA__MHD_FUNCS);

extern sgxra__mhd_fns sgxra__mhd;
extern sgxra__dl_lib sgxra__mhd_lib;

/* Loads libmicrohttpd.so.12 (once per process). */
static inline sgxra_err sgxra__mhd_load(sgxra_ctx *cx) {
  return sgxra__dl_load(cx, &sgxra__mhd_lib);
}

#ifndef SGXRA__DL_MHD_IMPL
#define MHD_add_response_header (sgxra__mhd.MHD_add_response_header)
#define MHD_create_response_from_buffer                                        \
  (sgxra__mhd.MHD_create_response_from_buffer)
#define MHD_destroy_response (sgxra__mhd.MHD_destroy_response)
#define MHD_get_connection_info (sgxra__mhd.MHD_get_connection_info)
#define MHD_get_connection_values (sgxra__mhd.MHD_get_connection_values)
#define MHD_get_daemon_info (sgxra__mhd.MHD_get_daemon_info)
#define MHD_lookup_connection_value (sgxra__mhd.MHD_lookup_connection_value)
#define MHD_queue_response (sgxra__mhd.MHD_queue_response)
#define MHD_quiesce_daemon (sgxra__mhd.MHD_quiesce_daemon)
#define MHD_start_daemon (sgxra__mhd.MHD_start_daemon)
#define MHD_stop_daemon (sgxra__mhd.MHD_stop_daemon)
#endif

#endif
