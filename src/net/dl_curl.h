/* src/net/dl_curl.h -- libcurl, the HTTP client (src/net/pccs_client.c,
 * sp_client.c, sp_verify.c), loaded on first use (see store/dl_internal.h).
 *
 * Include this header instead of <curl/curl.h>: it includes that header for
 * the types and constants, and turns each function sgxra calls into a call
 * through the table sgxra__curl, filled from libcurl.so.4 by
 * sgxra__curl_load().  Call sgxra__curl_load() (SGXRA_OK, or
 * SGXRA_E_LIBRARY_MISSING with a message naming the package) before the
 * first call; a handle from the library (a connection, an easy handle, a
 * daemon) implies it was loaded.  A function not listed in
 * SGXRA__CURL_FUNCS is not redirected and fails the link of the
 * `sgxra` command (which does not link the library): add it there.
 * Internal (sgxra__); thread-safety as store/dl_internal.h. */
#ifndef SGXRA_NET_DL_CURL_H
#define SGXRA_NET_DL_CURL_H

#include <curl/curl.h>

#include "store/dl_internal.h"

/* Every function of the library that sgxra calls. */
#define SGXRA__CURL_FUNCS(X, T)                                                \
  X(T, curl_easy_cleanup)                                                      \
  X(T, curl_easy_getinfo)                                                      \
  X(T, curl_easy_init)                                                         \
  X(T, curl_easy_perform)                                                      \
  X(T, curl_easy_reset)                                                        \
  X(T, curl_easy_setopt)                                                       \
  X(T, curl_easy_strerror)                                                     \
  X(T, curl_easy_unescape)                                                     \
  X(T, curl_free)                                                              \
  X(T, curl_global_init)                                                       \
  X(T, curl_slist_append)                                                      \
  X(T, curl_slist_free_all)

SGXRA__DL_TABLE(sgxra__curl_fns, SGXRA__CURL_FUNCS);

extern sgxra__curl_fns sgxra__curl;
extern sgxra__dl_lib sgxra__curl_lib;

/* Loads libcurl.so.4 (once per process). */
static inline sgxra_err sgxra__curl_load(sgxra_ctx *cx) {
  return sgxra__dl_load(cx, &sgxra__curl_lib);
}

#ifndef SGXRA__DL_CURL_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup (sgxra__curl.curl_easy_cleanup)
#define curl_easy_getinfo (sgxra__curl.curl_easy_getinfo)
#define curl_easy_init (sgxra__curl.curl_easy_init)
#define curl_easy_perform (sgxra__curl.curl_easy_perform)
#define curl_easy_reset (sgxra__curl.curl_easy_reset)
#define curl_easy_setopt (sgxra__curl.curl_easy_setopt)
#define curl_easy_strerror (sgxra__curl.curl_easy_strerror)
#define curl_easy_unescape (sgxra__curl.curl_easy_unescape)
#define curl_free (sgxra__curl.curl_free)
#define curl_global_init (sgxra__curl.curl_global_init)
#define curl_slist_append (sgxra__curl.curl_slist_append)
#define curl_slist_free_all (sgxra__curl.curl_slist_free_all)
#endif

#endif
