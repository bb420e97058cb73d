/*
 * quote/verdict_internal.h -- what verify.c and verdict.c share: Intel's
 * result names for a status or an error code, and recording a failure in a
 * verdict.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_QUOTE_VERDICT_INTERNAL_H
#define SGXRA_QUOTE_VERDICT_INTERNAL_H

#include "core/internal.h"
#include "sgxra/verify.h"

/* Set qv_result / qv_result_code for a final TCB status
 * (SGXRA_TCB_STATUS_INVALID: UNSPECIFIED). */
void sgxra__verdict_qv(sgxra_verdict *v, sgxra_tcb_status s);

/* Record a failed check: stage, Intel's return name, sgxra's code and the
 * reason "<stage>: <message>"; the verdict becomes UNSPECIFIED as Intel's
 * QvE makes it for any non-success return. */
void sgxra__verdict_fail(sgxra_verdict *v, sgxra_verify_stage stage,
                         const char *ql_return, sgxra_err err, const char *fmt,
                         ...) SGXRA__PRINTF(5, 6);

/* Intel's quote3_error_t name for an sgxra error code met while verifying
 * (a parse error, a collateral error, a SGXRA_E_VERIFY_* code). */
const char *sgxra__ql_return_for(sgxra_err err);

#endif
