/*
 * quote/verdict_internal.h -- what verify.c and verdict.c share: the one
 * mapping of a failed step to Intel's quote3_error_t, the status merge,
 * and recording an outcome in a verdict.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_QUOTE_VERDICT_INTERNAL_H
#define SGXRA_QUOTE_VERDICT_INTERNAL_H

#include "core/internal.h"
#include "sgxra/verify.h"

/* Intel's quote3_error_t for a verification that stopped at `stage` with
 * sgxra's code `err` (SGXRA_OK: SGX_QL_SUCCESS).  The one table behind
 * every verdict; its rows cite the QvE / QVL code they follow. */
sgxra_ql_result sgxra__ql_result_for(sgxra_verify_stage stage, sgxra_err err);

/* Intel's convergeTcbStatusWithQeTcbStatus (QVL TcbLevelCheck.cpp): the
 * platform TCB level's status merged with the QE's TCB status (UpToDate,
 * OutOfDate or Revoked; see check_qe_identity in verify.c). */
sgxra_tcb_status sgxra__tcb_status_converge(sgxra_tcb_status level,
                                            sgxra_tcb_status qe);

/* Set qv_result / qv_result_code for a final TCB status
 * (SGXRA_TCB_STATUS_INVALID: UNSPECIFIED). */
void sgxra__verdict_qv(sgxra_verdict *v, sgxra_tcb_status s);

/* A verdict before any check: nothing found, Intel's UNEXPECTED (every
 * path that returns a verdict overwrites it). */
void sgxra__verdict_init(sgxra_verdict *v);

/* Record a failed check: the stage, sgxra's code, Intel's return from
 * sgxra__ql_result_for(stage, err) and the reason "<stage>: <message>";
 * the verdict becomes UNSPECIFIED as Intel's QvE makes it for any
 * non-success return. */
void sgxra__verdict_fail(sgxra_verdict *v, sgxra_verify_stage stage,
                         sgxra_err err, const char *fmt, ...)
    SGXRA__PRINTF(4, 5);

#endif
