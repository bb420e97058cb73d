/*
 * ra/sp.c -- the service provider's side of the RA protocol: the session
 * state machine, msg2 and msg4, and the sealed session state.  See
 * sgxra/ra.h and docs/RA.md.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ra/internal.h"
#include "sgxra/hex.h"
#include "sgxra/ra.h"

const char *sgxra_ra_sp_state_name(int state) {
  switch (state) {
  case SGXRA_RA_SP_WAIT_MSG1:
    return "wait_msg1";
  case SGXRA_RA_SP_WAIT_MSG3:
    return "wait_msg3";
  case SGXRA_RA_SP_APPRAISE:
    return "appraise";
  case SGXRA_RA_SP_DONE:
    return "done";
  case SGXRA_RA_SP_FAILED:
    return "failed";
  default:
    return "unknown";
  }
}

void sgxra_ra_sp_fail(sgxra_ra_sp_session *s) {
  if (!s) return;
  s->state = SGXRA_RA_SP_FAILED;
  sgxra_wipe(&s->keys, sizeof s->keys);
  sgxra_wipe(s->binding, sizeof s->binding);
}

void sgxra_ra_sp_session_wipe(sgxra_ra_sp_session *s) {
  if (s) sgxra_wipe(s, sizeof *s);
}

/* Every error of the state machine ends the session. */
static sgxra_err fail(sgxra_ra_sp_session *s, sgxra_err e) {
  sgxra_ra_sp_fail(s);
  return e;
}

sgxra_err sgxra_ra_sp_begin(sgxra_ctx *cx, const uint8_t *msg0, size_t n,
                            const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                            int64_t now, int64_t ttl, uint16_t quote_type,
                            sgxra_ra_sp_session *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_sp_begin: NULL session");
  memset(out, 0, sizeof *out);
  out->state = SGXRA_RA_SP_FAILED;
  if (ttl <= 0 || ttl > INT64_MAX - (now > 0 ? now : 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "RA session TTL %lld s is not usable (> 0 needed)",
                       (long long)ttl);
  if (quote_type < SGXRA_RA_QUOTE_TYPE_MIN ||
      quote_type > SGXRA_RA_QUOTE_TYPE_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "quote type %u: msg2 can ask for DCAP quotes v%d or "
                       "v%d only",
                       (unsigned)quote_type, SGXRA_RA_QUOTE_TYPE_MIN,
                       SGXRA_RA_QUOTE_TYPE_MAX);
  sgxra_err e = sgxra_ra_msg0_check(cx, msg0, n);
  if (e != SGXRA_OK) return e;
  if (id)
    memcpy(out->id, id, SGXRA_RA_SESSION_ID_SIZE);
  else if ((e = sgxra_random(cx, out->id, SGXRA_RA_SESSION_ID_SIZE)) !=
           SGXRA_OK)
    return e;
  out->created = now;
  out->expires = now + ttl;
  out->quote_type = quote_type;
  out->state = SGXRA_RA_SP_WAIT_MSG1;
  return SGXRA_OK;
}

static sgxra_err check_live(sgxra_ctx *cx, const sgxra_ra_sp_session *s,
                            int64_t now, const char *what) {
  if (now > s->expires)
    return sgxra__fail(cx, SGXRA_E_RA_EXPIRED,
                       "%s arrived %lld s after the RA session expired "
                       "(it lives %lld s from msg0)",
                       what, (long long)(now - s->expires),
                       (long long)(s->expires - s->created));
  return SGXRA_OK;
}

sgxra_err sgxra_ra_sp_msg1(sgxra_ctx *cx, sgxra_ra_sp_session *s,
                           const sgxra_p256_key *sp_key,
                           const sgxra_p256_key *gb_private,
                           const uint8_t *msg1, size_t n, int64_t now,
                           uint8_t out_msg2[SGXRA_RA_MSG2_FIXED_SIZE]) {
  if (!s || !sp_key || !out_msg2)
    return fail(s, sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                               "sgxra_ra_sp_msg1: NULL argument"));
  if (s->state != SGXRA_RA_SP_WAIT_MSG1)
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_STATE,
                               "msg1 arrived in state %s; it is only taken "
                               "right after msg0",
                               sgxra_ra_sp_state_name(s->state)));
  sgxra_err e = check_live(cx, s, now, "msg1");
  if (e != SGXRA_OK) return fail(s, e);

  sgxra_ra_msg1 m1;
  e = sgxra_ra_msg1_parse(cx, msg1, n, &m1);
  if (e != SGXRA_OK) return fail(s, e);
  sgxra_p256_key *ga = NULL, *gb = NULL;
  e = sgxra_ra_public_from_wire(cx, m1.g_a, "msg1 Ga", &ga);
  if (e != SGXRA_OK) return fail(s, e);
  if (gb_private) {
    uint8_t d[SGXRA_P256_PRIVATE_SIZE];
    e = sgxra_p256_private_raw(cx, gb_private, d);
    if (e == SGXRA_OK) e = sgxra_p256_from_private(cx, d, &gb);
    sgxra_wipe(d, sizeof d);
  } else {
    e = sgxra_p256_generate(cx, &gb);
  }
  if (e != SGXRA_OK) goto out;

  memcpy(s->g_a, m1.g_a, sizeof s->g_a);
  sgxra_ra_public_to_wire(gb, s->g_b);
  e = sgxra_ra_derive_keys(cx, gb, ga, &s->keys);
  if (e != SGXRA_OK) goto out;
  e = sgxra_ra_binding(cx, s->g_a, s->g_b, s->keys.vk, s->binding);
  if (e != SGXRA_OK) goto out;

  sgxra_ra_msg2 m2;
  memset(&m2, 0, sizeof m2);
  memcpy(m2.g_b, s->g_b, sizeof m2.g_b);
  e = sgxra_ra_spid(cx, sp_key, m2.spid);
  if (e != SGXRA_OK) goto out;
  m2.quote_type = s->quote_type;
  m2.kdf_id = SGXRA_RA_KDF_ID;
  e = sgxra__ra_sign_gb_ga(cx, sp_key, s->g_b, s->g_a, m2.sign_gb_ga);
  if (e != SGXRA_OK) goto out;
  sgxra_ra_msg2_encode(&m2, out_msg2);
  e = sgxra_aes128_cmac(cx, s->keys.smk, out_msg2, SGXRA_RA_MSG2_MAC_OFFSET,
                        out_msg2 + SGXRA_RA_MSG2_MAC_OFFSET);
  if (e != SGXRA_OK) goto out;
  s->state = SGXRA_RA_SP_WAIT_MSG3;
out:
  sgxra_p256_free(ga);
  sgxra_p256_free(gb);
  if (e != SGXRA_OK) {
    memset(out_msg2, 0, SGXRA_RA_MSG2_FIXED_SIZE);
    return fail(s, e);
  }
  return SGXRA_OK;
}

sgxra_err sgxra_ra_sp_msg3(sgxra_ctx *cx, sgxra_ra_sp_session *s,
                           const uint8_t *msg3, size_t n, int64_t now,
                           const uint8_t **out_quote, size_t *out_quote_len,
                           uint8_t out_reportdata[SGXRA_REPORTDATA_SIZE]) {
  if (out_quote) *out_quote = NULL;
  if (out_quote_len) *out_quote_len = 0;
  if (!s || !out_quote || !out_quote_len)
    return fail(s, sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                               "sgxra_ra_sp_msg3: NULL argument"));
  if (s->state == SGXRA_RA_SP_APPRAISE || s->state == SGXRA_RA_SP_DONE)
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_REPLAY,
                               "msg3 replayed: this RA session took its msg3 "
                               "already (state %s)",
                               sgxra_ra_sp_state_name(s->state)));
  if (s->state != SGXRA_RA_SP_WAIT_MSG3)
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_STATE,
                               "msg3 arrived in state %s; it is only taken "
                               "after msg2",
                               sgxra_ra_sp_state_name(s->state)));
  sgxra_err e = check_live(cx, s, now, "msg3");
  if (e != SGXRA_OK) return fail(s, e);

  sgxra_ra_msg3 m3;
  e = sgxra_ra_msg3_parse(cx, msg3, n, &m3);
  if (e != SGXRA_OK) return fail(s, e);
  if (!sgxra_ct_equal(m3.g_a, s->g_a, sizeof s->g_a))
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_GA_MISMATCH,
                               "msg3 Ga differs from msg1's"));
  uint8_t mac[SGXRA_RA_MAC_SIZE];
  e = sgxra_aes128_cmac(cx, s->keys.smk, msg3 + SGXRA_RA_MSG3_GA_OFFSET,
                        n - SGXRA_RA_MSG3_GA_OFFSET, mac);
  if (e != SGXRA_OK) return fail(s, e);
  if (!sgxra_ct_equal(mac, m3.mac, sizeof mac))
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_MAC,
                               "msg3 MAC does not verify under SMK (msg3 "
                               "altered, or not made in this session)"));
  if (m3.quote_len < SGXRA_RA_QUOTE_MIN_SIZE)
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                               "msg3 quote truncated: %zu bytes, the header "
                               "and report body need %d",
                               m3.quote_len, SGXRA_RA_QUOTE_MIN_SIZE));
  const uint8_t *rd = m3.quote + SGXRA_RA_QUOTE_REPORTDATA_OFFSET;
  if (!sgxra_ct_equal(rd, s->binding, SGXRA_REPORTDATA_SIZE)) {
    char got[17], want[17];
    sgxra_hex_encode(rd, 8, got);
    sgxra_hex_encode(s->binding, 8, want);
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_BINDING,
                               "the quote's REPORTDATA (%s...) is not this "
                               "session's SHA-256(Ga||Gb||VK) (%s...): a "
                               "quote made for another key exchange",
                               got, want));
  }
  s->state = SGXRA_RA_SP_APPRAISE;
  *out_quote = m3.quote;
  *out_quote_len = m3.quote_len;
  if (out_reportdata) memcpy(out_reportdata, s->binding, SGXRA_REPORTDATA_SIZE);
  return SGXRA_OK;
}

sgxra_err sgxra_ra_sp_msg4(sgxra_ctx *cx, sgxra_ra_sp_session *s,
                           const sgxra_decision *d, const uint8_t *secret,
                           size_t secret_len, uint8_t **out_msg4,
                           size_t *out_len) {
  if (out_msg4) *out_msg4 = NULL;
  if (out_len) *out_len = 0;
  if (!s || !d || !out_msg4 || !out_len || (!secret && secret_len))
    return fail(s, sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                               "sgxra_ra_sp_msg4: NULL argument"));
  if (s->state != SGXRA_RA_SP_APPRAISE)
    return fail(s, sgxra__fail(cx, SGXRA_E_RA_STATE,
                               "msg4 requested in state %s; it is made once, "
                               "after msg3 was accepted",
                               sgxra_ra_sp_state_name(s->state)));
  int trusted = d->trusted && d->reason_count == 0;
  if (!trusted && d->reason_count == 0)
    return fail(s, sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                               "a decision that is not trusted must carry "
                               "a reason (is it a zeroed, failed "
                               "appraisal?)"));
  uint16_t reasons[SGXRA_RA_REASON_MAX];
  size_t rc = d->reason_count;
  if (rc > SGXRA_RA_REASON_MAX) rc = SGXRA_RA_REASON_MAX;
  for (size_t i = 0; i < rc; i++) reasons[i] = (uint16_t)d->reasons[i].code;
  if (!trusted) {
    secret = NULL;
    secret_len = 0;
  }
  sgxra_err e =
      sgxra__ra_msg4_build(cx, &s->keys, trusted, reasons, (uint32_t)rc, secret,
                           secret_len, out_msg4, out_len);
  if (e != SGXRA_OK) return fail(s, e);
  s->state = SGXRA_RA_SP_DONE;
  sgxra_wipe(&s->keys, sizeof s->keys);
  return SGXRA_OK;
}

/* ---- session key and sealed state ---------------------------------------- */

sgxra_err sgxra_ra_session_key(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                               uint8_t out[SGXRA_RA_SESSION_KEY_SIZE]) {
  if (!sp_key || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_session_key: NULL argument");
  static const char label[] = "sgxra sp session key v1";
  uint8_t m[sizeof label - 1 + SGXRA_P256_PRIVATE_SIZE], h[SGXRA_SHA256_SIZE];
  memcpy(m, label, sizeof label - 1);
  sgxra_err e = sgxra_p256_private_raw(cx, sp_key, m + sizeof label - 1);
  if (e == SGXRA_OK) e = sgxra_sha256(cx, m, sizeof m, h);
  if (e == SGXRA_OK) memcpy(out, h, SGXRA_RA_SESSION_KEY_SIZE);
  sgxra_wipe(m, sizeof m);
  sgxra_wipe(h, sizeof h);
  return e;
}

/* Blob: "SRAS" || u16 format || iv || tag || ct, ct of the fields below. */
#define BLOB_MAGIC "SRAS"
#define BLOB_FORMAT 1
#define BLOB_HDR 6
#define BLOB_PT                                                                \
  (4 + 8 + 8 + 2 + 2 * SGXRA_RA_EC_PUBLIC_SIZE + 4 * SGXRA_RA_KEY_SIZE +       \
   SGXRA_REPORTDATA_SIZE)
#define BLOB_SIZE                                                              \
  (BLOB_HDR + SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE + BLOB_PT)
_Static_assert(BLOB_SIZE == SGXRA_RA_SESSION_BLOB_SIZE, "session blob size");

static void pt_encode(const sgxra_ra_sp_session *s, uint8_t *p) {
  sgxra__st32(p, (uint32_t)s->state);
  sgxra__st64(p + 4, (uint64_t)s->created);
  sgxra__st64(p + 12, (uint64_t)s->expires);
  sgxra__st16(p + 20, s->quote_type);
  p += 22;
  memcpy(p, s->g_a, 64);
  memcpy(p + 64, s->g_b, 64);
  p += 128;
  memcpy(p, s->keys.smk, 16);
  memcpy(p + 16, s->keys.sk, 16);
  memcpy(p + 32, s->keys.mk, 16);
  memcpy(p + 48, s->keys.vk, 16);
  memcpy(p + 64, s->binding, SGXRA_REPORTDATA_SIZE);
}

static void pt_decode(const uint8_t *p, sgxra_ra_sp_session *s) {
  s->state = (int)sgxra__le32(p);
  s->created = (int64_t)sgxra__le64(p + 4);
  s->expires = (int64_t)sgxra__le64(p + 12);
  s->quote_type = sgxra__le16(p + 20);
  p += 22;
  memcpy(s->g_a, p, 64);
  memcpy(s->g_b, p + 64, 64);
  p += 128;
  memcpy(s->keys.smk, p, 16);
  memcpy(s->keys.sk, p + 16, 16);
  memcpy(s->keys.mk, p + 32, 16);
  memcpy(s->keys.vk, p + 48, 16);
  memcpy(s->binding, p + 64, SGXRA_REPORTDATA_SIZE);
}

sgxra_err sgxra_ra_sp_session_seal(sgxra_ctx *cx,
                                   const uint8_t key[SGXRA_RA_SESSION_KEY_SIZE],
                                   const sgxra_ra_sp_session *s,
                                   uint8_t **out_blob, size_t *out_len) {
  if (out_blob) *out_blob = NULL;
  if (out_len) *out_len = 0;
  if (!key || !s || !out_blob || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_sp_session_seal: NULL argument");
  uint8_t *b = malloc(BLOB_SIZE);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "sealed session");
  uint8_t pt[BLOB_PT];
  pt_encode(s, pt);
  memcpy(b, BLOB_MAGIC, 4);
  sgxra__st16(b + 4, BLOB_FORMAT);
  uint8_t *iv = b + BLOB_HDR, *tag = iv + SGXRA_RA_GCM_IV_SIZE,
          *ct = tag + SGXRA_GCM_TAG_SIZE;
  sgxra_err e = sgxra_random(cx, iv, SGXRA_RA_GCM_IV_SIZE);
  if (e == SGXRA_OK)
    e = sgxra_aes128_gcm_encrypt(cx, key, iv, SGXRA_RA_GCM_IV_SIZE, s->id,
                                 SGXRA_RA_SESSION_ID_SIZE, pt, sizeof pt, ct,
                                 tag);
  sgxra_wipe(pt, sizeof pt);
  if (e != SGXRA_OK) {
    free(b);
    return e;
  }
  *out_blob = b;
  *out_len = BLOB_SIZE;
  return SGXRA_OK;
}

sgxra_err sgxra_ra_sp_session_open(sgxra_ctx *cx,
                                   const uint8_t key[SGXRA_RA_SESSION_KEY_SIZE],
                                   const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                                   const uint8_t *blob, size_t n,
                                   sgxra_ra_sp_session *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_sp_session_open: NULL session");
  memset(out, 0, sizeof *out);
  if (!key || !id || (!blob && n))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_sp_session_open: NULL argument");
  if (n != BLOB_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_SESSION,
                       "sealed RA session has %zu bytes, a format-%d one has "
                       "%d",
                       n, BLOB_FORMAT, BLOB_SIZE);
  if (memcmp(blob, BLOB_MAGIC, 4) != 0)
    return sgxra__fail(cx, SGXRA_E_RA_SESSION,
                       "sealed RA session does not start with \"%s\"",
                       BLOB_MAGIC);
  if (sgxra__le16(blob + 4) != BLOB_FORMAT)
    return sgxra__fail(cx, SGXRA_E_RA_SESSION,
                       "sealed RA session has format %u; this build reads %d",
                       (unsigned)sgxra__le16(blob + 4), BLOB_FORMAT);
  const uint8_t *iv = blob + BLOB_HDR, *tag = iv + SGXRA_RA_GCM_IV_SIZE,
                *ct = tag + SGXRA_GCM_TAG_SIZE;
  uint8_t pt[BLOB_PT];
  sgxra_err e =
      sgxra_aes128_gcm_decrypt(cx, key, iv, SGXRA_RA_GCM_IV_SIZE, id,
                               SGXRA_RA_SESSION_ID_SIZE, ct, BLOB_PT, tag, pt);
  if (e == SGXRA_E_CRYPTO_TAG_MISMATCH)
    return sgxra__fail(cx, SGXRA_E_RA_SESSION,
                       "sealed RA session does not open: sealed under "
                       "another key (another SP key?) or for another "
                       "session id, or altered");
  if (e != SGXRA_OK) return e;
  memcpy(out->id, id, SGXRA_RA_SESSION_ID_SIZE);
  pt_decode(pt, out);
  sgxra_wipe(pt, sizeof pt);
  if (out->state < SGXRA_RA_SP_WAIT_MSG1 || out->state > SGXRA_RA_SP_FAILED) {
    int st = out->state;
    sgxra_ra_sp_session_wipe(out);
    return sgxra__fail(cx, SGXRA_E_RA_SESSION,
                       "sealed RA session has state %d, which is none", st);
  }
  return SGXRA_OK;
}

void sgxra_ra_session_id_hex(const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                             char out[2 * SGXRA_RA_SESSION_ID_SIZE + 1]) {
  sgxra_hex_encode(id, SGXRA_RA_SESSION_ID_SIZE, out);
}

sgxra_err sgxra_ra_session_id_parse(sgxra_ctx *cx, const char *hex,
                                    uint8_t out[SGXRA_RA_SESSION_ID_SIZE]) {
  if (!hex || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_session_id_parse: NULL argument");
  size_t l = strnlen(hex, 2 * SGXRA_RA_SESSION_ID_SIZE + 1);
  if (l != 2 * SGXRA_RA_SESSION_ID_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_SESSION,
                       "RA session id must be %d hex characters, not %zu%s",
                       2 * SGXRA_RA_SESSION_ID_SIZE, l,
                       l > 2 * SGXRA_RA_SESSION_ID_SIZE ? " or more" : "");
  if (sgxra_hex_decode(cx, hex, l, out, SGXRA_RA_SESSION_ID_SIZE) != SGXRA_OK)
    return sgxra__context(cx, SGXRA_E_RA_SESSION, "RA session id");
  return SGXRA_OK;
}
