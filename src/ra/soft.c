/*
 * ra/soft.c -- the software "enclave": the RA client's enclave callbacks
 * done in the host process with libsgxra's crypto.  NOT AN ENCLAVE: no
 * isolation, no hardware REPORT, no hardware sealing (sgxra/ra.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ra/internal.h"
#include "sgxra/ra.h"

#define SEAL_AAD "sgxra soft seal v1"

typedef struct slot {
  int used;
  int step; /* 1 msg1 made, 2 REPORT made, 3 msg3 made, 4 msg4 taken */
  sgxra_p256_key *ga;
  uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE];
  sgxra_ra_keys keys;
  uint8_t body[SGXRA_REPORT_BODY_SIZE]; /* of the REPORT made */
} slot;

struct sgxra_ra_soft_enclave {
  sgxra_p256_key *sp_public;
  int has_seal_key;
  uint8_t seal_key[SGXRA_AES128_KEY_SIZE];
  uint8_t body[SGXRA_REPORT_BODY_SIZE];
  int has_ga_private;
  uint8_t ga_private[SGXRA_P256_PRIVATE_SIZE];
  slot slots[SGXRA_RA_SOFT_ENCLAVE_SLOTS];
};

static void slot_clear(slot *s) {
  sgxra_p256_free(s->ga);
  sgxra_wipe(s, sizeof *s);
}

sgxra_err sgxra_ra_soft_enclave_new(sgxra_ctx *cx,
                                    const sgxra_ra_soft_enclave_options *opt,
                                    sgxra_ra_soft_enclave **out) {
  if (out) *out = NULL;
  if (!opt || !out || !opt->sp_public)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "software enclave: the options and the SP public key "
                       "are required");
  sgxra_ra_soft_enclave *e = calloc(1, sizeof *e);
  if (!e) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "software enclave");
  uint8_t xy[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_public_raw(opt->sp_public, xy);
  sgxra_err rc = sgxra_p256_from_public(cx, xy, &e->sp_public);
  if (rc != SGXRA_OK) {
    free(e);
    return rc;
  }
  if (opt->seal_key) {
    e->has_seal_key = 1;
    memcpy(e->seal_key, opt->seal_key, sizeof e->seal_key);
  }
  if (opt->report_body) memcpy(e->body, opt->report_body, sizeof e->body);
  if (opt->ga_private) {
    e->has_ga_private = 1;
    memcpy(e->ga_private, opt->ga_private, sizeof e->ga_private);
  }
  *out = e;
  return SGXRA_OK;
}

void sgxra_ra_soft_enclave_free(sgxra_ra_soft_enclave *e) {
  if (!e) return;
  for (size_t i = 0; i < SGXRA_RA_SOFT_ENCLAVE_SLOTS; i++)
    slot_clear(&e->slots[i]);
  sgxra_p256_free(e->sp_public);
  sgxra_wipe(e, sizeof *e);
  free(e);
}

/* Handles are slot index + 1 (0 is never one). */
static sgxra_err get_slot(sgxra_ctx *cx, sgxra_ra_soft_enclave *e,
                          uint32_t handle, int step, const char *what,
                          slot **out) {
  *out = NULL;
  if (handle == 0 || handle > SGXRA_RA_SOFT_ENCLAVE_SLOTS ||
      !e->slots[handle - 1].used)
    return sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                       "software enclave %s: no session with handle %u", what,
                       (unsigned)handle);
  slot *s = &e->slots[handle - 1];
  if (s->step != step)
    return sgxra__fail(cx, SGXRA_E_RA_STATE,
                       "software enclave %s: out of order (session at step "
                       "%d, %d needed)",
                       what, s->step, step);
  *out = s;
  return SGXRA_OK;
}

static sgxra_err soft_msg1(sgxra_ctx *cx, void *user, uint32_t *out_handle,
                           uint8_t out_msg1[SGXRA_RA_MSG1_SIZE]) {
  sgxra_ra_soft_enclave *e = user;
  size_t i;
  for (i = 0; i < SGXRA_RA_SOFT_ENCLAVE_SLOTS && e->slots[i].used; i++) {
  }
  if (i == SGXRA_RA_SOFT_ENCLAVE_SLOTS)
    return sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                       "software enclave msg1: all %d session slots are in "
                       "use",
                       SGXRA_RA_SOFT_ENCLAVE_SLOTS);
  slot *s = &e->slots[i];
  sgxra_err rc = e->has_ga_private
                     ? sgxra_p256_from_private(cx, e->ga_private, &s->ga)
                     : sgxra_p256_generate(cx, &s->ga);
  if (rc != SGXRA_OK) return rc;
  s->used = 1;
  s->step = 1;
  sgxra_ra_public_to_wire(s->ga, s->g_a);
  sgxra_ra_msg1 m;
  memcpy(m.g_a, s->g_a, sizeof m.g_a);
  m.gid = 0;
  sgxra_ra_msg1_encode(&m, out_msg1);
  *out_handle = (uint32_t)i + 1;
  return SGXRA_OK;
}

static sgxra_err soft_msg2(sgxra_ctx *cx, void *user, uint32_t handle,
                           const uint8_t qe_targetinfo[SGXRA_TARGETINFO_SIZE],
                           const uint8_t *msg2, size_t n,
                           uint8_t out_report[SGXRA_REPORT_SIZE]) {
  (void)qe_targetinfo; /* no hardware REPORT: nothing to MAC for the QE */
  sgxra_ra_soft_enclave *e = user;
  slot *s;
  sgxra_err rc = get_slot(cx, e, handle, 1, "msg2", &s);
  if (rc != SGXRA_OK) return rc;
  sgxra_ra_msg2 m;
  rc = sgxra_ra_msg2_check(cx, e->sp_public, s->ga, msg2, n, &m, &s->keys);
  if (rc != SGXRA_OK) return rc;
  uint8_t rd[SGXRA_REPORTDATA_SIZE];
  rc = sgxra_ra_binding(cx, s->g_a, m.g_b, s->keys.vk, rd);
  if (rc != SGXRA_OK) return rc;
  memcpy(s->body, e->body, sizeof s->body);
  memcpy(s->body + SGXRA_REPORT_BODY_SIZE - SGXRA_REPORTDATA_SIZE, rd,
         sizeof rd);
  memset(out_report, 0, SGXRA_REPORT_SIZE); /* KEYID and MAC zero */
  memcpy(out_report, s->body, sizeof s->body);
  s->step = 2;
  return SGXRA_OK;
}

static sgxra_err soft_msg3(sgxra_ctx *cx, void *user, uint32_t handle,
                           const uint8_t *quote, size_t n, uint8_t **out_msg3,
                           size_t *out_len) {
  sgxra_ra_soft_enclave *e = user;
  slot *s;
  sgxra_err rc = get_slot(cx, e, handle, 2, "msg3", &s);
  if (rc != SGXRA_OK) return rc;
  if (!quote || n < SGXRA_RA_QUOTE_MIN_SIZE ||
      memcmp(quote + SGXRA_RA_QUOTE_BODY_OFFSET, s->body, sizeof s->body) != 0)
    return sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                       "software enclave msg3: the quote (%zu bytes) does "
                       "not carry the REPORT this enclave made",
                       n);
  static const uint8_t zero_mac[SGXRA_RA_MAC_SIZE] = {0};
  rc = sgxra_ra_msg3_encode(cx, zero_mac, s->g_a, quote, n, out_msg3, out_len);
  if (rc != SGXRA_OK) return rc;
  rc = sgxra_aes128_cmac(cx, s->keys.smk, *out_msg3 + SGXRA_RA_MSG3_GA_OFFSET,
                         *out_len - SGXRA_RA_MSG3_GA_OFFSET, *out_msg3);
  if (rc != SGXRA_OK) {
    free(*out_msg3);
    *out_msg3 = NULL;
    *out_len = 0;
    return rc;
  }
  s->step = 3;
  return SGXRA_OK;
}

static sgxra_err seal(sgxra_ctx *cx, const sgxra_ra_soft_enclave *e,
                      const uint8_t *secret, size_t n, uint8_t **out,
                      size_t *out_len) {
  size_t total =
      e->has_seal_key ? SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE + n : n;
  uint8_t *b = malloc(total);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "sealed secret");
  if (!e->has_seal_key) {
    memcpy(b, secret, n);
  } else {
    uint8_t *iv = b, *tag = b + SGXRA_RA_GCM_IV_SIZE,
            *ct = tag + SGXRA_GCM_TAG_SIZE;
    sgxra_err rc = sgxra_random(cx, iv, SGXRA_RA_GCM_IV_SIZE);
    if (rc == SGXRA_OK)
      rc = sgxra_aes128_gcm_encrypt(cx, e->seal_key, iv, SGXRA_RA_GCM_IV_SIZE,
                                    (const uint8_t *)SEAL_AAD,
                                    sizeof SEAL_AAD - 1, secret, n, ct, tag);
    if (rc != SGXRA_OK) {
      free(b);
      return rc;
    }
  }
  *out = b;
  *out_len = total;
  return SGXRA_OK;
}

static sgxra_err soft_msg4(sgxra_ctx *cx, void *user, uint32_t handle,
                           const uint8_t *msg4, size_t n, int *out_trusted,
                           uint8_t **out_sealed, size_t *out_sealed_len) {
  sgxra_ra_soft_enclave *e = user;
  *out_trusted = 0;
  *out_sealed = NULL;
  *out_sealed_len = 0;
  slot *s;
  sgxra_err rc = get_slot(cx, e, handle, 3, "msg4", &s);
  if (rc != SGXRA_OK) return rc;
  sgxra_ra_msg4 m;
  uint8_t *secret = NULL;
  size_t secret_len = 0;
  rc = sgxra_ra_msg4_open(cx, &s->keys, msg4, n, &m, &secret, &secret_len);
  if (rc != SGXRA_OK) return rc;
  if (m.trusted && secret_len)
    rc = seal(cx, e, secret, secret_len, out_sealed, out_sealed_len);
  sgxra_wipe(secret, secret_len);
  free(secret);
  if (rc != SGXRA_OK) return rc;
  *out_trusted = m.trusted;
  s->step = 4;
  sgxra_wipe(&s->keys, sizeof s->keys);
  return SGXRA_OK;
}

static void soft_close(void *user, uint32_t handle) {
  sgxra_ra_soft_enclave *e = user;
  if (handle == 0 || handle > SGXRA_RA_SOFT_ENCLAVE_SLOTS) return;
  slot_clear(&e->slots[handle - 1]);
}

void sgxra_ra_soft_enclave_ops(sgxra_ra_soft_enclave *e,
                               sgxra_ra_client_ops *ops) {
  if (!ops) return;
  ops->enclave_user = e;
  ops->msg1 = soft_msg1;
  ops->msg2 = soft_msg2;
  ops->msg3 = soft_msg3;
  ops->msg4 = soft_msg4;
  ops->close = soft_close;
}

sgxra_err sgxra_ra_soft_enclave_unseal(sgxra_ctx *cx,
                                       const sgxra_ra_soft_enclave *e,
                                       const uint8_t *blob, size_t n,
                                       uint8_t **out_secret, size_t *out_len) {
  if (out_secret) *out_secret = NULL;
  if (out_len) *out_len = 0;
  if (!e || (!blob && n) || !out_secret || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_soft_enclave_unseal: NULL argument");
  size_t over = e->has_seal_key ? SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE : 0;
  if (n < over)
    return sgxra__fail(cx, SGXRA_E_RA_MAC,
                       "sealed blob of %zu bytes is shorter than its IV and "
                       "tag (%zu)",
                       n, over);
  size_t len = n - over;
  uint8_t *p = malloc(len + 1);
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "unsealed secret");
  if (!e->has_seal_key) {
    if (len) memcpy(p, blob, len);
  } else {
    const uint8_t *iv = blob, *tag = blob + SGXRA_RA_GCM_IV_SIZE,
                  *ct = tag + SGXRA_GCM_TAG_SIZE;
    sgxra_err rc = sgxra_aes128_gcm_decrypt(
        cx, e->seal_key, iv, SGXRA_RA_GCM_IV_SIZE, (const uint8_t *)SEAL_AAD,
        sizeof SEAL_AAD - 1, ct, len, tag, p);
    if (rc != SGXRA_OK) {
      free(p);
      if (rc == SGXRA_E_CRYPTO_TAG_MISMATCH)
        return sgxra__fail(cx, SGXRA_E_RA_MAC,
                           "sealed blob does not open under this software "
                           "enclave's seal key");
      return rc;
    }
  }
  *out_secret = p;
  *out_len = len;
  return SGXRA_OK;
}
