/*
 * sgxra/tcbstatus.h -- Intel's TCB statuses and their names.
 *
 * The strings are those of the "tcbStatus" members of Intel's TCB Info and
 * QE Identity (Intel SGX PCS API v3/v4, "TCB Info" and "Enclave Identity"
 * JSON), exactly as Intel writes them; the parsers (TCB Info, QE Identity)
 * and the verdict (sgxra/verify.h) use this one list.
 *
 * Thread-safety: pure functions over static text.
 */
#ifndef SGXRA_TCBSTATUS_H
#define SGXRA_TCBSTATUS_H

#include <stddef.h>

#include "sgxra/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Intel's TCB statuses.  0 is never a valid status. */
typedef enum sgxra_tcb_status {
  SGXRA_TCB_STATUS_INVALID = 0,
  SGXRA_TCB_UP_TO_DATE,                            /* "UpToDate" */
  SGXRA_TCB_SW_HARDENING_NEEDED,                   /* "SWHardeningNeeded" */
  SGXRA_TCB_CONFIGURATION_NEEDED,                  /* "ConfigurationNeeded" */
  SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED, /* "ConfigurationAndSWHardeningNeeded"
                                                    */
  SGXRA_TCB_OUT_OF_DATE,                           /* "OutOfDate" */
  SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED, /* "OutOfDateConfigurationNeeded"
                                               */
  SGXRA_TCB_REVOKED                           /* "Revoked" */
} sgxra_tcb_status;

/* Intel's string for a status ("OutOfDate"); "" for an invalid value. */
SGXRA_API const char *sgxra_tcb_status_name(sgxra_tcb_status s);

/* The status for Intel's string s[0..n); SGXRA_TCB_STATUS_INVALID when the
 * string is not exactly one of them. */
SGXRA_API sgxra_tcb_status sgxra_tcb_status_from_name(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
