/* src/ra/stubs.c -- placeholder bodies (first commit of the header). */
#include "sgxra/ra.h"
#include <string.h>

sgxra_err sgxra_ra_kdk(sgxra_ctx *cx,
                       const uint8_t shared_x_be[SGXRA_P256_SHARED_SIZE],
                       uint8_t out_kdk[SGXRA_RA_KEY_SIZE]) {
  (void)cx;
  (void)shared_x_be;
  (void)out_kdk;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_derive_key(sgxra_ctx *cx,
                              const uint8_t kdk[SGXRA_RA_KEY_SIZE],
                              const char *label,
                              uint8_t out[SGXRA_RA_KEY_SIZE]) {
  (void)cx;
  (void)kdk;
  (void)label;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_kdf(sgxra_ctx *cx,
                       const uint8_t shared_x_be[SGXRA_P256_SHARED_SIZE],
                       sgxra_ra_keys *out) {
  (void)cx;
  (void)shared_x_be;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_derive_keys(sgxra_ctx *cx, const sgxra_p256_key *priv,
                               const sgxra_p256_key *peer, sgxra_ra_keys *out) {
  (void)cx;
  (void)priv;
  (void)peer;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_wire_swap(const uint8_t in[64], uint8_t out[64]) {
  (void)in;
  (void)out;
}

void sgxra_ra_public_to_wire(const sgxra_p256_key *key,
                             uint8_t out[SGXRA_RA_EC_PUBLIC_SIZE]) {
  (void)key;
  (void)out;
}

sgxra_err sgxra_ra_public_from_wire(sgxra_ctx *cx,
                                    const uint8_t wire[SGXRA_RA_EC_PUBLIC_SIZE],
                                    const char *what,
                                    sgxra_p256_key **out_key) {
  (void)cx;
  (void)wire;
  (void)what;
  (void)out_key;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_spid(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                        uint8_t out[SGXRA_RA_SPID_SIZE]) {
  (void)cx;
  (void)sp_key;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_msg0_encode(uint8_t out[SGXRA_RA_MSG0_SIZE]) {
  (void)out;
}

sgxra_err sgxra_ra_msg0_check(sgxra_ctx *cx, const uint8_t *p, size_t n) {
  (void)cx;
  (void)p;
  (void)n;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_msg1_encode(const sgxra_ra_msg1 *m,
                          uint8_t out[SGXRA_RA_MSG1_SIZE]) {
  (void)m;
  (void)out;
}

sgxra_err sgxra_ra_msg1_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg1 *out) {
  (void)cx;
  (void)p;
  (void)n;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_msg2_encode(const sgxra_ra_msg2 *m,
                          uint8_t out[SGXRA_RA_MSG2_FIXED_SIZE]) {
  (void)m;
  (void)out;
}

sgxra_err sgxra_ra_msg2_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg2 *out) {
  (void)cx;
  (void)p;
  (void)n;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_msg2_check(sgxra_ctx *cx, const sgxra_p256_key *sp_public,
                              const sgxra_p256_key *ga_private,
                              const uint8_t *msg2, size_t n,
                              sgxra_ra_msg2 *out_msg2,
                              sgxra_ra_keys *out_keys) {
  (void)cx;
  (void)sp_public;
  (void)ga_private;
  (void)msg2;
  (void)n;
  (void)out_msg2;
  (void)out_keys;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_msg3_encode(sgxra_ctx *cx,
                               const uint8_t mac[SGXRA_RA_MAC_SIZE],
                               const uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE],
                               const uint8_t *quote, size_t quote_len,
                               uint8_t **out, size_t *out_len) {
  (void)cx;
  (void)mac;
  (void)g_a;
  (void)quote;
  (void)quote_len;
  (void)out;
  (void)out_len;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_msg3_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg3 *out) {
  (void)cx;
  (void)p;
  (void)n;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_msg4_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg4 *out) {
  (void)cx;
  (void)p;
  (void)n;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_msg4_open(sgxra_ctx *cx, const sgxra_ra_keys *keys,
                             const uint8_t *msg4, size_t n,
                             sgxra_ra_msg4 *out_msg4, uint8_t **out_secret,
                             size_t *out_secret_len) {
  (void)cx;
  (void)keys;
  (void)msg4;
  (void)n;
  (void)out_msg4;
  (void)out_secret;
  (void)out_secret_len;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_binding(sgxra_ctx *cx,
                           const uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE],
                           const uint8_t g_b[SGXRA_RA_EC_PUBLIC_SIZE],
                           const uint8_t vk[SGXRA_RA_KEY_SIZE],
                           uint8_t out[SGXRA_REPORTDATA_SIZE]) {
  (void)cx;
  (void)g_a;
  (void)g_b;
  (void)vk;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

const char *sgxra_ra_sp_state_name(int state) {
  (void)state;
  return "unknown";
}

sgxra_err sgxra_ra_sp_begin(sgxra_ctx *cx, const uint8_t *msg0, size_t n,
                            const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                            int64_t now, int64_t ttl, uint16_t quote_type,
                            sgxra_ra_sp_session *out) {
  (void)cx;
  (void)msg0;
  (void)n;
  (void)id;
  (void)now;
  (void)ttl;
  (void)quote_type;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_sp_msg1(sgxra_ctx *cx, sgxra_ra_sp_session *s,
                           const sgxra_p256_key *sp_key,
                           const sgxra_p256_key *gb_private,
                           const uint8_t *msg1, size_t n, int64_t now,
                           uint8_t out_msg2[SGXRA_RA_MSG2_FIXED_SIZE]) {
  (void)cx;
  (void)s;
  (void)sp_key;
  (void)gb_private;
  (void)msg1;
  (void)n;
  (void)now;
  (void)out_msg2;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_sp_msg3(sgxra_ctx *cx, sgxra_ra_sp_session *s,
                           const uint8_t *msg3, size_t n, int64_t now,
                           const uint8_t **out_quote, size_t *out_quote_len,
                           uint8_t out_reportdata[SGXRA_REPORTDATA_SIZE]) {
  (void)cx;
  (void)s;
  (void)msg3;
  (void)n;
  (void)now;
  (void)out_quote;
  (void)out_quote_len;
  (void)out_reportdata;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_sp_msg4(sgxra_ctx *cx, sgxra_ra_sp_session *s,
                           const sgxra_decision *d, const uint8_t *secret,
                           size_t secret_len, uint8_t **out_msg4,
                           size_t *out_len) {
  (void)cx;
  (void)s;
  (void)d;
  (void)secret;
  (void)secret_len;
  (void)out_msg4;
  (void)out_len;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_sp_fail(sgxra_ra_sp_session *s) {
  (void)s;
}

void sgxra_ra_sp_session_wipe(sgxra_ra_sp_session *s) {
  (void)s;
}

sgxra_err sgxra_ra_session_key(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                               uint8_t out[SGXRA_RA_SESSION_KEY_SIZE]) {
  (void)cx;
  (void)sp_key;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_sp_session_seal(sgxra_ctx *cx,
                                   const uint8_t key[SGXRA_RA_SESSION_KEY_SIZE],
                                   const sgxra_ra_sp_session *s,
                                   uint8_t **out_blob, size_t *out_len) {
  (void)cx;
  (void)key;
  (void)s;
  (void)out_blob;
  (void)out_len;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_sp_session_open(sgxra_ctx *cx,
                                   const uint8_t key[SGXRA_RA_SESSION_KEY_SIZE],
                                   const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                                   const uint8_t *blob, size_t n,
                                   sgxra_ra_sp_session *out) {
  (void)cx;
  (void)key;
  (void)id;
  (void)blob;
  (void)n;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_session_id_hex(const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                             char out[2 * SGXRA_RA_SESSION_ID_SIZE + 1]) {
  (void)id;
  (void)out;
}

sgxra_err sgxra_ra_session_id_parse(sgxra_ctx *cx, const char *hex,
                                    uint8_t out[SGXRA_RA_SESSION_ID_SIZE]) {
  (void)cx;
  (void)hex;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_result_free(sgxra_ra_result *r) {
  (void)r;
}

sgxra_err sgxra_ra_client_new(sgxra_ctx *cx, const sgxra_ra_client_ops *ops,
                              sgxra_ra_client **out) {
  (void)cx;
  (void)ops;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_client_free(sgxra_ra_client *c) {
  (void)c;
}

sgxra_err sgxra_ra_client_msg0(sgxra_ctx *cx, sgxra_ra_client *c,
                               uint8_t out[SGXRA_RA_MSG0_SIZE]) {
  (void)cx;
  (void)c;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_client_msg1(sgxra_ctx *cx, sgxra_ra_client *c,
                               uint8_t out[SGXRA_RA_MSG1_SIZE]) {
  (void)cx;
  (void)c;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_client_msg2(sgxra_ctx *cx, sgxra_ra_client *c,
                               const uint8_t *msg2, size_t n,
                               uint8_t **out_msg3, size_t *out_len) {
  (void)cx;
  (void)c;
  (void)msg2;
  (void)n;
  (void)out_msg3;
  (void)out_len;
  return SGXRA_E_UNSUPPORTED;
}

sgxra_err sgxra_ra_client_msg4(sgxra_ctx *cx, sgxra_ra_client *c,
                               const uint8_t *msg4, size_t n,
                               sgxra_ra_result *out) {
  (void)cx;
  (void)c;
  (void)msg4;
  (void)n;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_client_quote(const sgxra_ra_client *c, const uint8_t **out_quote,
                           size_t *out_len) {
  (void)c;
  (void)out_quote;
  (void)out_len;
}

sgxra_err sgxra_ra_soft_enclave_new(sgxra_ctx *cx,
                                    const sgxra_ra_soft_enclave_options *opt,
                                    sgxra_ra_soft_enclave **out) {
  (void)cx;
  (void)opt;
  (void)out;
  return SGXRA_E_UNSUPPORTED;
}

void sgxra_ra_soft_enclave_free(sgxra_ra_soft_enclave *e) {
  (void)e;
}

void sgxra_ra_soft_enclave_ops(sgxra_ra_soft_enclave *e,
                               sgxra_ra_client_ops *ops) {
  (void)e;
  (void)ops;
}

sgxra_err sgxra_ra_soft_enclave_unseal(sgxra_ctx *cx,
                                       const sgxra_ra_soft_enclave *e,
                                       const uint8_t *blob, size_t n,
                                       uint8_t **out_secret, size_t *out_len) {
  (void)cx;
  (void)e;
  (void)blob;
  (void)n;
  (void)out_secret;
  (void)out_len;
  return SGXRA_E_UNSUPPORTED;
}
