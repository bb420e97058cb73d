/*
 * ra/internal.h -- what the files of src/ra share.  Not installed.
 */
#ifndef SGXRA_RA_INTERNAL_H
#define SGXRA_RA_INTERNAL_H

#include "sgxra/ra.h"

/* msg2's values: KDF id, quote type, empty SigRL (SGXRA_E_RA_GROUP). */
sgxra_err sgxra__ra_msg2_values(sgxra_ctx *cx, const sgxra_ra_msg2 *m);

/* ECDSA by sp_key over g_b || g_a (wire forms); the signature in wire
 * form. */
sgxra_err sgxra__ra_sign_gb_ga(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                               const uint8_t g_b[64], const uint8_t g_a[64],
                               uint8_t out_wire[64]);

/* msg4 from its parts (sgxra/ra.h, "msg4"); *out malloc'ed. */
sgxra_err sgxra__ra_msg4_build(sgxra_ctx *cx, const sgxra_ra_keys *keys,
                               int trusted, const uint16_t *reasons,
                               uint32_t reason_count, const uint8_t *secret,
                               size_t secret_len, uint8_t **out,
                               size_t *out_len);

#endif
