/* Intel's TCB status names: see sgxra/tcbstatus.h.  Their own unit so that
 * the signed-JSON readers (json_signed.c) and the TCB Info parser
 * (tcbinfo.c) both depend on it and not on each other. */
#include <string.h>

#include "core/internal.h"
#include "sgxra/tcbstatus.h"

/* Indexed by sgxra_tcb_status; Intel's spelling (PCS API v4). */
static const char *const status_names[] = {
    "",
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "Revoked",
};
_Static_assert(SGXRA__ARRAY_LEN(status_names) == SGXRA_TCB_REVOKED + 1,
               "one name per status");

const char *sgxra_tcb_status_name(sgxra_tcb_status s) {
  if ((unsigned)s >= SGXRA__ARRAY_LEN(status_names)) return "";
  return status_names[s];
}

sgxra_tcb_status sgxra_tcb_status_from_name(const char *s, size_t n) {
  if (s == NULL) return SGXRA_TCB_STATUS_INVALID;
  for (size_t i = 1; i < SGXRA__ARRAY_LEN(status_names); i++)
    if (strlen(status_names[i]) == n && memcmp(status_names[i], s, n) == 0)
      return (sgxra_tcb_status)i;
  return SGXRA_TCB_STATUS_INVALID;
}
