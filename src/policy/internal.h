/*
 * policy/internal.h -- what the appraisal's source files share.  Not
 * installed; names are sgxra__*.
 */
#ifndef SGXRA_POLICY_INTERNAL_H
#define SGXRA_POLICY_INTERNAL_H

#include <stdint.h>

#include "sgxra/policy.h"

/* Bit of a status in sgxra_policy.accept_tcb. */
#define SGXRA__TCB_BIT(s) (1u << (unsigned)(s))

/* "UpToDate, SWHardeningNeeded" for a set of statuses, into out[cap]. */
void sgxra__tcb_set_text(uint32_t set, char *out, size_t cap);

/* Days to seconds. */
#define SGXRA__DAY 86400

#endif
