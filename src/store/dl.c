/* Shared libraries loaded on first use.  See store/dl_internal.h. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "store/dl_internal.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
               "dlsym results are copied into function pointers");

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

void sgxra__dl_sym(void *handle, const char *name, void *fnptr_out,
                   const char **missing) {
  void *p = dlsym(handle, name);
  if (!p && !*missing) *missing = name;
  memcpy(fnptr_out, &p, sizeof p);
}

static void load(sgxra__dl_lib *lib) {
  /* RTLD_LAZY: only what is called gets bound; RTLD_LOCAL: the library's
   * symbols do not join the global scope (nothing else in the process
   * resolves against them by accident). */
  void *h = dlopen(lib->soname, RTLD_LAZY | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(lib->why, sizeof lib->why, "%s", e ? e : "dlopen failed");
    atomic_store_explicit(&lib->state, -1, memory_order_release);
    return;
  }
  const char *missing = lib->resolve(h);
  if (missing) {
    snprintf(lib->why, sizeof lib->why, "%s has no function %s (too old?)",
             lib->soname, missing);
    /* never closed: the table may hold pointers into it */
    atomic_store_explicit(&lib->state, -1, memory_order_release);
    return;
  }
  atomic_store_explicit(&lib->state, 1, memory_order_release);
}

sgxra_err sgxra__dl_load(sgxra_ctx *cx, sgxra__dl_lib *lib) {
  int s = atomic_load_explicit(&lib->state, memory_order_acquire);
  if (s == 0) {
    pthread_mutex_lock(&dl_lock);
    if (atomic_load_explicit(&lib->state, memory_order_acquire) == 0) load(lib);
    pthread_mutex_unlock(&dl_lock);
    s = atomic_load_explicit(&lib->state, memory_order_acquire);
  }
  if (s == 1) return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_LIBRARY_MISSING,
                     "%s need %s, which cannot be loaded (%s): install the "
                     "package that provides it (Debian/Ubuntu: %s)",
                     lib->needed_by, lib->soname, lib->why, lib->package);
}
