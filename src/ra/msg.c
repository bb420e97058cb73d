/*
 * ra/msg.c -- RA wire encodings, message encode/parse, Intel's key
 * derivation and the quote binding.  See sgxra/ra.h and docs/RA.md.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ra/internal.h"
#include "sgxra/hex.h"
#include "sgxra/ra.h"

/* ---- encodings ----------------------------------------------------------- */

void sgxra_ra_wire_swap(const uint8_t in[64], uint8_t out[64]) {
  uint8_t t[64];
  for (size_t i = 0; i < 32; i++) {
    t[i] = in[31 - i];
    t[32 + i] = in[63 - i];
  }
  memcpy(out, t, 64);
}

void sgxra_ra_public_to_wire(const sgxra_p256_key *key,
                             uint8_t out[SGXRA_RA_EC_PUBLIC_SIZE]) {
  uint8_t xy[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_public_raw(key, xy);
  sgxra_ra_wire_swap(xy, out);
}

sgxra_err sgxra_ra_public_from_wire(sgxra_ctx *cx,
                                    const uint8_t wire[SGXRA_RA_EC_PUBLIC_SIZE],
                                    const char *what,
                                    sgxra_p256_key **out_key) {
  if (out_key) *out_key = NULL;
  if (!wire || !out_key)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_public_from_wire: NULL argument");
  uint8_t xy[SGXRA_P256_PUBLIC_SIZE];
  sgxra_ra_wire_swap(wire, xy);
  sgxra_err e = sgxra_p256_from_public(cx, xy, out_key);
  if (e != SGXRA_OK)
    return sgxra__context(cx, SGXRA_E_RA_MESSAGE, "%s is not a P-256 point",
                          what ? what : "key");
  return SGXRA_OK;
}

sgxra_err sgxra_ra_spid(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                        uint8_t out[SGXRA_RA_SPID_SIZE]) {
  if (!sp_key || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_spid: NULL argument");
  uint8_t wire[SGXRA_RA_EC_PUBLIC_SIZE], h[SGXRA_SHA256_SIZE];
  sgxra_ra_public_to_wire(sp_key, wire);
  sgxra_err e = sgxra_sha256(cx, wire, sizeof wire, h);
  if (e != SGXRA_OK) return e;
  memcpy(out, h, SGXRA_RA_SPID_SIZE);
  return SGXRA_OK;
}

/* ---- key derivation ------------------------------------------------------
 * Intel's sample service provider (sample_libcrypto / ecp.cpp,
 * derive_key): KDK = CMAC(0^128, Gab.x little-endian), then one CMAC per
 * label over 0x01 || label || 0x00 || 0x80 0x00 (a counter, the label, a
 * separator and the output length in bits, 128, little-endian). */

sgxra_err sgxra_ra_kdk(sgxra_ctx *cx,
                       const uint8_t shared_x_be[SGXRA_P256_SHARED_SIZE],
                       uint8_t out_kdk[SGXRA_RA_KEY_SIZE]) {
  if (!shared_x_be || !out_kdk)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_kdk: NULL argument");
  static const uint8_t zero[SGXRA_AES128_KEY_SIZE] = {0};
  uint8_t le[SGXRA_P256_SHARED_SIZE];
  for (size_t i = 0; i < sizeof le; i++)
    le[i] = shared_x_be[SGXRA_P256_SHARED_SIZE - 1 - i];
  sgxra_err e = sgxra_aes128_cmac(cx, zero, le, sizeof le, out_kdk);
  sgxra_wipe(le, sizeof le);
  return e;
}

sgxra_err sgxra_ra_derive_key(sgxra_ctx *cx,
                              const uint8_t kdk[SGXRA_RA_KEY_SIZE],
                              const char *label,
                              uint8_t out[SGXRA_RA_KEY_SIZE]) {
  if (!kdk || !label || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_derive_key: NULL argument");
  size_t l = strlen(label);
  if (l == 0 || l > 16)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "KDF label must have 1..16 characters, not %zu", l);
  uint8_t m[1 + 16 + 3];
  m[0] = 0x01;
  memcpy(m + 1, label, l);
  m[1 + l] = 0x00;
  m[2 + l] = 0x80;
  m[3 + l] = 0x00;
  return sgxra_aes128_cmac(cx, kdk, m, l + 4, out);
}

sgxra_err sgxra_ra_kdf(sgxra_ctx *cx,
                       const uint8_t shared_x_be[SGXRA_P256_SHARED_SIZE],
                       sgxra_ra_keys *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_kdf: NULL argument");
  uint8_t kdk[SGXRA_RA_KEY_SIZE];
  sgxra_err e = sgxra_ra_kdk(cx, shared_x_be, kdk);
  if (e == SGXRA_OK) e = sgxra_ra_derive_key(cx, kdk, "SMK", out->smk);
  if (e == SGXRA_OK) e = sgxra_ra_derive_key(cx, kdk, "SK", out->sk);
  if (e == SGXRA_OK) e = sgxra_ra_derive_key(cx, kdk, "MK", out->mk);
  if (e == SGXRA_OK) e = sgxra_ra_derive_key(cx, kdk, "VK", out->vk);
  sgxra_wipe(kdk, sizeof kdk);
  if (e != SGXRA_OK) sgxra_wipe(out, sizeof *out);
  return e;
}

sgxra_err sgxra_ra_derive_keys(sgxra_ctx *cx, const sgxra_p256_key *priv,
                               const sgxra_p256_key *peer, sgxra_ra_keys *out) {
  if (!priv || !peer || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_derive_keys: NULL argument");
  uint8_t x[SGXRA_P256_SHARED_SIZE];
  sgxra_err e = sgxra_p256_ecdh(cx, priv, peer, x);
  if (e == SGXRA_OK) e = sgxra_ra_kdf(cx, x, out);
  sgxra_wipe(x, sizeof x);
  return e;
}

sgxra_err sgxra_ra_binding(sgxra_ctx *cx,
                           const uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE],
                           const uint8_t g_b[SGXRA_RA_EC_PUBLIC_SIZE],
                           const uint8_t vk[SGXRA_RA_KEY_SIZE],
                           uint8_t out[SGXRA_REPORTDATA_SIZE]) {
  if (!g_a || !g_b || !vk || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_binding: NULL argument");
  uint8_t m[2 * SGXRA_RA_EC_PUBLIC_SIZE + SGXRA_RA_KEY_SIZE];
  memcpy(m, g_a, SGXRA_RA_EC_PUBLIC_SIZE);
  memcpy(m + SGXRA_RA_EC_PUBLIC_SIZE, g_b, SGXRA_RA_EC_PUBLIC_SIZE);
  memcpy(m + 2 * SGXRA_RA_EC_PUBLIC_SIZE, vk, SGXRA_RA_KEY_SIZE);
  memset(out, 0, SGXRA_REPORTDATA_SIZE);
  sgxra_err e = sgxra_sha256(cx, m, sizeof m, out);
  sgxra_wipe(m, sizeof m);
  return e;
}

/* ---- msg0, msg1 ---------------------------------------------------------- */

void sgxra_ra_msg0_encode(uint8_t out[SGXRA_RA_MSG0_SIZE]) {
  sgxra__st32(out, SGXRA_RA_EXTENDED_GID);
}

sgxra_err sgxra_ra_msg0_check(sgxra_ctx *cx, const uint8_t *p, size_t n) {
  if (!p && n) return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "msg0: NULL");
  if (n != SGXRA_RA_MSG0_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg0 has %zu bytes, it must have exactly %d", n,
                       SGXRA_RA_MSG0_SIZE);
  uint32_t g = sgxra__le32(p);
  if (g != SGXRA_RA_EXTENDED_GID)
    return sgxra__fail(cx, SGXRA_E_RA_GROUP,
                       "msg0 extended EPID group id is %u; only 0 (Intel, "
                       "DCAP) is accepted",
                       (unsigned)g);
  return SGXRA_OK;
}

void sgxra_ra_msg1_encode(const sgxra_ra_msg1 *m,
                          uint8_t out[SGXRA_RA_MSG1_SIZE]) {
  memcpy(out + SGXRA_RA_MSG1_GA_OFFSET, m->g_a, SGXRA_RA_EC_PUBLIC_SIZE);
  sgxra__st32(out + SGXRA_RA_MSG1_GID_OFFSET, m->gid);
}

sgxra_err sgxra_ra_msg1_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg1 *out) {
  if (out) memset(out, 0, sizeof *out);
  if ((!p && n) || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "msg1: NULL argument");
  if (n != SGXRA_RA_MSG1_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg1 has %zu bytes, it must have exactly %d", n,
                       SGXRA_RA_MSG1_SIZE);
  memcpy(out->g_a, p + SGXRA_RA_MSG1_GA_OFFSET, SGXRA_RA_EC_PUBLIC_SIZE);
  out->gid = sgxra__le32(p + SGXRA_RA_MSG1_GID_OFFSET);
  if (out->gid != 0)
    return sgxra__fail(cx, SGXRA_E_RA_GROUP,
                       "msg1 GID is 0x%08x; DCAP attestation has none (0)",
                       (unsigned)out->gid);
  return SGXRA_OK;
}

/* ---- msg2 ---------------------------------------------------------------- */

void sgxra_ra_msg2_encode(const sgxra_ra_msg2 *m,
                          uint8_t out[SGXRA_RA_MSG2_FIXED_SIZE]) {
  memcpy(out + SGXRA_RA_MSG2_GB_OFFSET, m->g_b, SGXRA_RA_EC_PUBLIC_SIZE);
  memcpy(out + SGXRA_RA_MSG2_SPID_OFFSET, m->spid, SGXRA_RA_SPID_SIZE);
  sgxra__st16(out + SGXRA_RA_MSG2_QUOTE_TYPE_OFFSET, m->quote_type);
  sgxra__st16(out + SGXRA_RA_MSG2_KDF_ID_OFFSET, m->kdf_id);
  memcpy(out + SGXRA_RA_MSG2_SIGN_OFFSET, m->sign_gb_ga, SGXRA_RA_EC_SIG_SIZE);
  memcpy(out + SGXRA_RA_MSG2_MAC_OFFSET, m->mac, SGXRA_RA_MAC_SIZE);
  sgxra__st32(out + SGXRA_RA_MSG2_SIG_RL_SIZE_OFFSET, 0);
}

sgxra_err sgxra_ra_msg2_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg2 *out) {
  if (out) memset(out, 0, sizeof *out);
  if ((!p && n) || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "msg2: NULL argument");
  if (n < SGXRA_RA_MSG2_FIXED_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg2 truncated: %zu bytes, the fixed part needs %d", n,
                       SGXRA_RA_MSG2_FIXED_SIZE);
  memcpy(out->g_b, p + SGXRA_RA_MSG2_GB_OFFSET, SGXRA_RA_EC_PUBLIC_SIZE);
  memcpy(out->spid, p + SGXRA_RA_MSG2_SPID_OFFSET, SGXRA_RA_SPID_SIZE);
  out->quote_type = sgxra__le16(p + SGXRA_RA_MSG2_QUOTE_TYPE_OFFSET);
  out->kdf_id = sgxra__le16(p + SGXRA_RA_MSG2_KDF_ID_OFFSET);
  memcpy(out->sign_gb_ga, p + SGXRA_RA_MSG2_SIGN_OFFSET, SGXRA_RA_EC_SIG_SIZE);
  memcpy(out->mac, p + SGXRA_RA_MSG2_MAC_OFFSET, SGXRA_RA_MAC_SIZE);
  out->sig_rl_size = sgxra__le32(p + SGXRA_RA_MSG2_SIG_RL_SIZE_OFFSET);
  size_t rest = n - SGXRA_RA_MSG2_FIXED_SIZE;
  if ((uint64_t)out->sig_rl_size != (uint64_t)rest)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg2 says its SigRL has %u bytes, %zu follow the "
                       "fixed part",
                       (unsigned)out->sig_rl_size, rest);
  out->sig_rl = rest ? p + SGXRA_RA_MSG2_FIXED_SIZE : NULL;
  return SGXRA_OK;
}

sgxra_err sgxra__ra_msg2_values(sgxra_ctx *cx, const sgxra_ra_msg2 *m) {
  if (m->kdf_id != SGXRA_RA_KDF_ID)
    return sgxra__fail(cx, SGXRA_E_RA_GROUP,
                       "msg2 KDF id is %u; only %d (Intel's AES-CMAC KDF) is "
                       "known",
                       (unsigned)m->kdf_id, SGXRA_RA_KDF_ID);
  if (m->quote_type < SGXRA_RA_QUOTE_TYPE_MIN ||
      m->quote_type > SGXRA_RA_QUOTE_TYPE_MAX)
    return sgxra__fail(cx, SGXRA_E_RA_GROUP,
                       "msg2 asks for quote type %u; only DCAP quotes v%d "
                       "and v%d are made",
                       (unsigned)m->quote_type, SGXRA_RA_QUOTE_TYPE_MIN,
                       SGXRA_RA_QUOTE_TYPE_MAX);
  if (m->sig_rl_size != 0)
    return sgxra__fail(cx, SGXRA_E_RA_GROUP,
                       "msg2 carries a %u-byte SigRL; DCAP has no SigRL",
                       (unsigned)m->sig_rl_size);
  return SGXRA_OK;
}

/* The bytes the SP signs: Gb || Ga, both in wire form. */
static void gb_ga(const uint8_t g_b[64], const uint8_t g_a[64],
                  uint8_t out[128]) {
  memcpy(out, g_b, 64);
  memcpy(out + 64, g_a, 64);
}

sgxra_err sgxra__ra_sign_gb_ga(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                               const uint8_t g_b[64], const uint8_t g_a[64],
                               uint8_t out_wire[64]) {
  uint8_t m[128], sig[SGXRA_P256_SIG_SIZE];
  gb_ga(g_b, g_a, m);
  sgxra_err e = sgxra_p256_sign(cx, sp_key, m, sizeof m, sig);
  if (e != SGXRA_OK) return e;
  sgxra_ra_wire_swap(sig, out_wire);
  return SGXRA_OK;
}

sgxra_err sgxra_ra_msg2_check(sgxra_ctx *cx, const sgxra_p256_key *sp_public,
                              const sgxra_p256_key *ga_private,
                              const uint8_t *msg2, size_t n,
                              sgxra_ra_msg2 *out_msg2,
                              sgxra_ra_keys *out_keys) {
  if (out_keys) memset(out_keys, 0, sizeof *out_keys);
  if (!sp_public || !ga_private || !out_msg2 || !out_keys)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_msg2_check: NULL argument");
  sgxra_err e = sgxra_ra_msg2_parse(cx, msg2, n, out_msg2);
  if (e != SGXRA_OK) return e;
  e = sgxra__ra_msg2_values(cx, out_msg2);
  if (e != SGXRA_OK) return e;

  /* The SPID names the pinned SP (as the example enclave checks too). */
  uint8_t spid[SGXRA_RA_SPID_SIZE];
  e = sgxra_ra_spid(cx, sp_public, spid);
  if (e != SGXRA_OK) return e;
  if (!sgxra_ct_equal(spid, out_msg2->spid, sizeof spid)) {
    char got[2 * SGXRA_RA_SPID_SIZE + 1], want[2 * SGXRA_RA_SPID_SIZE + 1];
    sgxra_hex_encode(out_msg2->spid, sizeof spid, got);
    sgxra_hex_encode(spid, sizeof spid, want);
    return sgxra__fail(cx, SGXRA_E_RA_SIGNATURE,
                       "msg2 SPID %s is not the pinned SP key's (%s)", got,
                       want);
  }

  /* Signature over Gb || Ga with the pinned SP key. */
  uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE], m[128], sig[SGXRA_P256_SIG_SIZE];
  sgxra_ra_public_to_wire(ga_private, g_a);
  gb_ga(out_msg2->g_b, g_a, m);
  sgxra_ra_wire_swap(out_msg2->sign_gb_ga, sig);
  e = sgxra_p256_verify(cx, sp_public, m, sizeof m, sig);
  if (e == SGXRA_E_CRYPTO_SIG_INVALID)
    return sgxra__fail(cx, SGXRA_E_RA_SIGNATURE,
                       "msg2's signature over Gb||Ga is not the pinned SP "
                       "key's");
  if (e != SGXRA_OK) return e;

  sgxra_p256_key *gb = NULL;
  e = sgxra_ra_public_from_wire(cx, out_msg2->g_b, "msg2 Gb", &gb);
  if (e != SGXRA_OK) return e;
  e = sgxra_ra_derive_keys(cx, ga_private, gb, out_keys);
  sgxra_p256_free(gb);
  if (e != SGXRA_OK) return e;

  uint8_t mac[SGXRA_RA_MAC_SIZE];
  e = sgxra_aes128_cmac(cx, out_keys->smk, msg2, SGXRA_RA_MSG2_MAC_OFFSET, mac);
  if (e == SGXRA_OK && !sgxra_ct_equal(mac, out_msg2->mac, sizeof mac))
    e = sgxra__fail(cx, SGXRA_E_RA_MAC,
                    "msg2 MAC does not verify under SMK (msg2 altered, or "
                    "not made for this Ga)");
  if (e != SGXRA_OK) sgxra_wipe(out_keys, sizeof *out_keys);
  return e;
}

/* ---- msg3 ---------------------------------------------------------------- */

sgxra_err sgxra_ra_msg3_encode(sgxra_ctx *cx,
                               const uint8_t mac[SGXRA_RA_MAC_SIZE],
                               const uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE],
                               const uint8_t *quote, size_t quote_len,
                               uint8_t **out, size_t *out_len) {
  if (out) *out = NULL;
  if (out_len) *out_len = 0;
  if (!mac || !g_a || !quote || !out || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_msg3_encode: NULL argument");
  if (quote_len == 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "msg3 needs a quote");
  if (quote_len > SGXRA_RA_QUOTE_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "quote of %zu bytes is above msg3's cap of %d",
                       quote_len, SGXRA_RA_QUOTE_MAX);
  size_t n = SGXRA_RA_MSG3_HEADER_SIZE + quote_len;
  uint8_t *p = calloc(1, n);
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "msg3 (%zu bytes)", n);
  memcpy(p + SGXRA_RA_MSG3_MAC_OFFSET, mac, SGXRA_RA_MAC_SIZE);
  memcpy(p + SGXRA_RA_MSG3_GA_OFFSET, g_a, SGXRA_RA_EC_PUBLIC_SIZE);
  memcpy(p + SGXRA_RA_MSG3_QUOTE_OFFSET, quote, quote_len);
  *out = p;
  *out_len = n;
  return SGXRA_OK;
}

sgxra_err sgxra_ra_msg3_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg3 *out) {
  if (out) memset(out, 0, sizeof *out);
  if ((!p && n) || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "msg3: NULL argument");
  if (n <= SGXRA_RA_MSG3_HEADER_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg3 truncated: %zu bytes, it needs the %d-byte "
                       "header and a quote",
                       n, SGXRA_RA_MSG3_HEADER_SIZE);
  if (n > SGXRA_RA_MSG3_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "msg3 has %zu bytes, above the cap of %d (a quote of "
                       "at most %d bytes)",
                       n, SGXRA_RA_MSG3_MAX, SGXRA_RA_QUOTE_MAX);
  if (!sgxra__all_zero(p + SGXRA_RA_MSG3_PS_SEC_PROP_OFFSET,
                       SGXRA_RA_PS_SEC_PROP_SIZE))
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg3 ps_sec_prop (offset %d, %d bytes) is not all "
                       "zero; DCAP has no platform service properties",
                       SGXRA_RA_MSG3_PS_SEC_PROP_OFFSET,
                       SGXRA_RA_PS_SEC_PROP_SIZE);
  memcpy(out->mac, p + SGXRA_RA_MSG3_MAC_OFFSET, SGXRA_RA_MAC_SIZE);
  memcpy(out->g_a, p + SGXRA_RA_MSG3_GA_OFFSET, SGXRA_RA_EC_PUBLIC_SIZE);
  out->quote = p + SGXRA_RA_MSG3_QUOTE_OFFSET;
  out->quote_len = n - SGXRA_RA_MSG3_QUOTE_OFFSET;
  return SGXRA_OK;
}

/* ---- msg4 ---------------------------------------------------------------- */

sgxra_err sgxra_ra_msg4_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_ra_msg4 *out) {
  if (out) memset(out, 0, sizeof *out);
  if ((!p && n) || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "msg4: NULL argument");
  if (n < SGXRA_RA_MSG4_MIN_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 truncated: %zu bytes, the smallest has %d", n,
                       SGXRA_RA_MSG4_MIN_SIZE);
  if (n > SGXRA_RA_MSG4_MAX_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 has %zu bytes, the largest has %d", n,
                       SGXRA_RA_MSG4_MAX_SIZE);
  out->version = sgxra__le16(p);
  if (out->version != SGXRA_RA_MSG4_VERSION)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 version is %u; this build reads version %d",
                       (unsigned)out->version, SGXRA_RA_MSG4_VERSION);
  if (p[2] > 1)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 trusted byte is %u, not 0 or 1", (unsigned)p[2]);
  out->trusted = p[2];
  if (p[3] != 0)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 reserved byte (offset 3) is 0x%02x, not 0",
                       (unsigned)p[3]);
  out->reason_count = sgxra__le32(p + 4);
  if (out->reason_count > SGXRA_RA_REASON_MAX)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 has %u reasons, at most %d are allowed",
                       (unsigned)out->reason_count, SGXRA_RA_REASON_MAX);
  size_t off = 8;
  size_t need = off + 2u * out->reason_count + 4;
  if (n < need + SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE + SGXRA_RA_MAC_SIZE)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 truncated: %zu bytes, %u reasons need %zu", n,
                       (unsigned)out->reason_count,
                       need + SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE +
                           SGXRA_RA_MAC_SIZE);
  for (uint32_t i = 0; i < out->reason_count; i++, off += 2) {
    uint16_t r = sgxra__le16(p + off);
    if (r == SGXRA_REASON_NONE || r >= SGXRA_REASON__END)
      return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                         "msg4 reason %u is code %u, which is no reason code",
                         (unsigned)i, (unsigned)r);
    out->reasons[i] = r;
  }
  if (out->trusted && out->reason_count)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 says trusted but gives %u reasons",
                       (unsigned)out->reason_count);
  if (!out->trusted && out->reason_count == 0)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 says not trusted but gives no reason");
  out->secret_len = sgxra__le32(p + off);
  off += 4;
  if (out->secret_len > SGXRA_RA_SECRET_MAX)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 secret of %u bytes is above the cap of %d",
                       (unsigned)out->secret_len, SGXRA_RA_SECRET_MAX);
  if (!out->trusted && out->secret_len)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 says not trusted but carries a %u-byte secret",
                       (unsigned)out->secret_len);
  size_t total = off + SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE +
                 (size_t)out->secret_len + SGXRA_RA_MAC_SIZE;
  if (n != total)
    return sgxra__fail(cx, SGXRA_E_RA_MESSAGE,
                       "msg4 has %zu bytes; %u reasons and a %u-byte secret "
                       "make %zu",
                       n, (unsigned)out->reason_count,
                       (unsigned)out->secret_len, total);
  out->aad_len = off;
  memcpy(out->iv, p + off, SGXRA_RA_GCM_IV_SIZE);
  off += SGXRA_RA_GCM_IV_SIZE;
  memcpy(out->tag, p + off, SGXRA_GCM_TAG_SIZE);
  off += SGXRA_GCM_TAG_SIZE;
  out->ct = p + off;
  off += out->secret_len;
  memcpy(out->mac, p + off, SGXRA_RA_MAC_SIZE);
  return SGXRA_OK;
}

sgxra_err sgxra_ra_msg4_open(sgxra_ctx *cx, const sgxra_ra_keys *keys,
                             const uint8_t *msg4, size_t n,
                             sgxra_ra_msg4 *out_msg4, uint8_t **out_secret,
                             size_t *out_secret_len) {
  if (out_secret) *out_secret = NULL;
  if (out_secret_len) *out_secret_len = 0;
  if (!keys || !out_msg4 || !out_secret || !out_secret_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_msg4_open: NULL argument");
  sgxra_err e = sgxra_ra_msg4_parse(cx, msg4, n, out_msg4);
  if (e != SGXRA_OK) return e;
  uint8_t mac[SGXRA_RA_MAC_SIZE];
  e = sgxra_aes128_cmac(cx, keys->mk, msg4, n - SGXRA_RA_MAC_SIZE, mac);
  if (e != SGXRA_OK) return e;
  if (!sgxra_ct_equal(mac, out_msg4->mac, sizeof mac))
    return sgxra__fail(cx, SGXRA_E_RA_MAC,
                       "msg4 MAC does not verify under MK (msg4 altered, or "
                       "not made for this session)");
  /* +1: a non-NULL buffer even for an empty secret. */
  uint8_t *pt = malloc((size_t)out_msg4->secret_len + 1);
  if (!pt) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "msg4 secret");
  e = sgxra_aes128_gcm_decrypt(cx, keys->sk, out_msg4->iv, SGXRA_RA_GCM_IV_SIZE,
                               msg4, out_msg4->aad_len, out_msg4->ct,
                               out_msg4->secret_len, out_msg4->tag, pt);
  if (e != SGXRA_OK) {
    sgxra_wipe(pt, (size_t)out_msg4->secret_len + 1);
    free(pt);
    if (e == SGXRA_E_CRYPTO_TAG_MISMATCH)
      return sgxra__fail(cx, SGXRA_E_RA_MAC,
                         "msg4 secret does not decrypt under SK (GCM tag "
                         "mismatch)");
    return e;
  }
  *out_secret = pt;
  *out_secret_len = out_msg4->secret_len;
  return SGXRA_OK;
}

sgxra_err sgxra__ra_msg4_build(sgxra_ctx *cx, const sgxra_ra_keys *keys,
                               int trusted, const uint16_t *reasons,
                               uint32_t reason_count, const uint8_t *secret,
                               size_t secret_len, uint8_t **out,
                               size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (reason_count > SGXRA_RA_REASON_MAX)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "msg4 takes at most %d reasons, not %u",
                       SGXRA_RA_REASON_MAX, (unsigned)reason_count);
  if (secret_len > SGXRA_RA_SECRET_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "secret of %zu bytes is above msg4's cap of %d",
                       secret_len, SGXRA_RA_SECRET_MAX);
  size_t aad = 8 + 2u * reason_count + 4;
  size_t n = aad + SGXRA_RA_GCM_IV_SIZE + SGXRA_GCM_TAG_SIZE + secret_len +
             SGXRA_RA_MAC_SIZE;
  uint8_t *p = calloc(1, n);
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "msg4 (%zu bytes)", n);
  sgxra__st16(p, SGXRA_RA_MSG4_VERSION);
  p[2] = trusted ? 1 : 0;
  p[3] = 0;
  sgxra__st32(p + 4, reason_count);
  for (uint32_t i = 0; i < reason_count; i++)
    sgxra__st16(p + 8 + 2 * i, reasons[i]);
  sgxra__st32(p + aad - 4, (uint32_t)secret_len);
  uint8_t *iv = p + aad, *tag = iv + SGXRA_RA_GCM_IV_SIZE,
          *ct = tag + SGXRA_GCM_TAG_SIZE;
  /* A fresh random IV per msg4: SK is per session, but even so an IV is
   * never reused (the SDK sample's all-zero IV is what this avoids). */
  sgxra_err e = sgxra_random(cx, iv, SGXRA_RA_GCM_IV_SIZE);
  if (e == SGXRA_OK)
    e = sgxra_aes128_gcm_encrypt(cx, keys->sk, iv, SGXRA_RA_GCM_IV_SIZE, p, aad,
                                 secret, secret_len, ct, tag);
  if (e == SGXRA_OK)
    e = sgxra_aes128_cmac(cx, keys->mk, p, n - SGXRA_RA_MAC_SIZE,
                          p + n - SGXRA_RA_MAC_SIZE);
  if (e != SGXRA_OK) {
    free(p);
    return e;
  }
  *out = p;
  *out_len = n;
  return SGXRA_OK;
}
