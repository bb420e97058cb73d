/* SIGSTRUCT decode, encode, sign, verify and MRSIGNER: see sgxra/sigstruct.h.
 *
 * Byte layout (Intel SDM Vol. 3D, table 38-19), 1808 bytes:
 *
 *      0 HEADER[16]   16 VENDOR u32   20 DATE u32 (BCD)   24 HEADER2[16]
 *     40 SWDEFINED u32   44 reserved[84]
 *    128 MODULUS[384] (LE)   512 EXPONENT u32   516 SIGNATURE[384] (LE)
 *    900 MISCSELECT u32  904 MISCMASK u32  908 CET_ATTRIBUTES u8
 *    909 CET_ATTRIBUTES_MASK u8  910 reserved[2]  912 ISVFAMILYID[16]
 *    928 ATTRIBUTES 16  944 ATTRIBUTEMASK 16  960 ENCLAVEHASH[32]
 *    992 reserved[16]  1008 ISVEXTPRODID[16]  1024 ISVPRODID u16
 *   1026 ISVSVN u16    1028 reserved[12]
 *   1040 Q1[384] (LE)  1424 Q2[384] (LE)  1808 end
 *
 * The signature covers [0,128) || [900,1028): 256 bytes.  Every reference
 * signer we reproduce (Intel's sgx_sign, the Linux selftest sign_tool,
 * Fortanix sgxs-sign, lexe) leaves all reserved fields zero and writes the
 * same HEADER/HEADER2, so signing here does too. */
#include <stddef.h>
#include <stdio.h>

#include "core/internal.h"
#include "sgxra/sigstruct.h"

_Static_assert(SGXRA_SIGSTRUCT_SIZE == 1808, "SIGSTRUCT is 1808 bytes");

#define TRY(expr)                                                              \
  do {                                                                         \
    if ((e = (expr)) != SGXRA_OK) goto fail;                                   \
  } while (0)

/* SDM table 38-19: HEADER and HEADER2 are fixed constants. */
static const uint8_t k_header[16] = {0x06, 0x00, 0x00, 0x00, 0xe1, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
                                     0x00, 0x00, 0x00, 0x00};
static const uint8_t k_header2[16] = {0x01, 0x01, 0x00, 0x00, 0x60, 0x00,
                                      0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
                                      0x01, 0x00, 0x00, 0x00};

int sgxra_sigstruct_has_header(const uint8_t *p, size_t n) {
  return p && n >= sizeof k_header && !memcmp(p, k_header, sizeof k_header);
}

#define SIGNED1_OFF 0
#define SIGNED1_LEN 128
#define SIGNED2_OFF 900
#define SIGNED2_LEN 128

sgxra_err sgxra_sigstruct_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 sgxra_sigstruct *out) {
  sgxra_err e;
  sgxra__cur c;
  memset(out, 0, sizeof *out);
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "SIGSTRUCT: NULL buffer");
  if (n != SGXRA_SIGSTRUCT_SIZE)
    return sgxra__fail(
        cx, SGXRA_E_SGX_SIZE, "SIGSTRUCT must be %d bytes, got %zu%s",
        SGXRA_SIGSTRUCT_SIZE, n,
        n < SGXRA_SIGSTRUCT_SIZE ? " (truncated?)" : " (trailing data?)");
  sgxra__cur_init(&c, p, n, "SIGSTRUCT", SGXRA_E_SGX_SIZE);
  TRY(sgxra__cur_copy(cx, &c, out->header, 16, "HEADER"));
  TRY(sgxra__cur_u32(cx, &c, "VENDOR", &out->vendor));
  TRY(sgxra__cur_u32(cx, &c, "DATE", &out->date));
  TRY(sgxra__cur_copy(cx, &c, out->header2, 16, "HEADER2"));
  TRY(sgxra__cur_u32(cx, &c, "SWDEFINED", &out->swdefined));
  TRY(sgxra__cur_copy(cx, &c, out->reserved1, sizeof out->reserved1,
                      "reserved"));
  TRY(sgxra__cur_copy(cx, &c, out->modulus, sizeof out->modulus, "MODULUS"));
  TRY(sgxra__cur_u32(cx, &c, "EXPONENT", &out->exponent));
  TRY(sgxra__cur_copy(cx, &c, out->signature, sizeof out->signature,
                      "SIGNATURE"));
  TRY(sgxra__cur_u32(cx, &c, "MISCSELECT", &out->miscselect));
  TRY(sgxra__cur_u32(cx, &c, "MISCMASK", &out->miscmask));
  TRY(sgxra__cur_u8(cx, &c, "CET_ATTRIBUTES", &out->cet_attributes));
  TRY(sgxra__cur_u8(cx, &c, "CET_ATTRIBUTES_MASK", &out->cet_attributes_mask));
  TRY(sgxra__cur_copy(cx, &c, out->reserved2, sizeof out->reserved2,
                      "reserved"));
  TRY(sgxra__cur_copy(cx, &c, out->isvfamilyid, 16, "ISVFAMILYID"));
  TRY(sgxra__cur_u64(cx, &c, "ATTRIBUTES", &out->attributes.flags));
  TRY(sgxra__cur_u64(cx, &c, "ATTRIBUTES", &out->attributes.xfrm));
  TRY(sgxra__cur_u64(cx, &c, "ATTRIBUTEMASK", &out->attributemask.flags));
  TRY(sgxra__cur_u64(cx, &c, "ATTRIBUTEMASK", &out->attributemask.xfrm));
  TRY(sgxra__cur_copy(cx, &c, out->enclavehash, 32, "ENCLAVEHASH"));
  TRY(sgxra__cur_copy(cx, &c, out->reserved3, sizeof out->reserved3,
                      "reserved"));
  TRY(sgxra__cur_copy(cx, &c, out->isvextprodid, 16, "ISVEXTPRODID"));
  TRY(sgxra__cur_u16(cx, &c, "ISVPRODID", &out->isvprodid));
  TRY(sgxra__cur_u16(cx, &c, "ISVSVN", &out->isvsvn));
  TRY(sgxra__cur_copy(cx, &c, out->reserved4, sizeof out->reserved4,
                      "reserved"));
  TRY(sgxra__cur_copy(cx, &c, out->q1, sizeof out->q1, "Q1"));
  TRY(sgxra__cur_copy(cx, &c, out->q2, sizeof out->q2, "Q2"));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}

void sgxra_sigstruct_encode(const sgxra_sigstruct *s,
                            uint8_t out[SGXRA_SIGSTRUCT_SIZE]) {
  memcpy(out + 0, s->header, 16);
  sgxra__st32(out + 16, s->vendor);
  sgxra__st32(out + 20, s->date);
  memcpy(out + 24, s->header2, 16);
  sgxra__st32(out + 40, s->swdefined);
  memcpy(out + 44, s->reserved1, 84);
  memcpy(out + 128, s->modulus, 384);
  sgxra__st32(out + 512, s->exponent);
  memcpy(out + 516, s->signature, 384);
  sgxra__st32(out + 900, s->miscselect);
  sgxra__st32(out + 904, s->miscmask);
  out[908] = s->cet_attributes;
  out[909] = s->cet_attributes_mask;
  memcpy(out + 910, s->reserved2, 2);
  memcpy(out + 912, s->isvfamilyid, 16);
  sgxra__st64(out + 928, s->attributes.flags);
  sgxra__st64(out + 936, s->attributes.xfrm);
  sgxra__st64(out + 944, s->attributemask.flags);
  sgxra__st64(out + 952, s->attributemask.xfrm);
  memcpy(out + 960, s->enclavehash, 32);
  memcpy(out + 992, s->reserved3, 16);
  memcpy(out + 1008, s->isvextprodid, 16);
  sgxra__st16(out + 1024, s->isvprodid);
  sgxra__st16(out + 1026, s->isvsvn);
  memcpy(out + 1028, s->reserved4, 12);
  memcpy(out + 1040, s->q1, 384);
  memcpy(out + 1424, s->q2, 384);
}

/* The 256 signed bytes: [0,128) || [900,1028) of the encoding. */
static void signed_bytes(const sgxra_sigstruct *s,
                         uint8_t out[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE]) {
  uint8_t tmp[SGXRA_SIGSTRUCT_SIZE];
  sgxra_sigstruct_encode(s, tmp);
  memcpy(out, tmp + SIGNED1_OFF, SIGNED1_LEN);
  memcpy(out + SIGNED1_LEN, tmp + SIGNED2_OFF, SIGNED2_LEN);
}

static void hex_prefix(const uint8_t *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

/* EINIT refuses a SIGSTRUCT whose reserved space is not zero (SDM EINIT
 * pseudo-code, "Verify SIGSTRUCT Header": SGX_INVALID_SIG_STRUCT), the
 * unsigned [1028,1040) included. */
static sgxra_err check_reserved(sgxra_ctx *cx, const sgxra_sigstruct *s) {
  static const struct {
    size_t offset, len, field; /* field: offset in sgxra_sigstruct */
  } r[] = {
      {44, 84, offsetof(sgxra_sigstruct, reserved1)},
      {910, 2, offsetof(sgxra_sigstruct, reserved2)},
      {992, 16, offsetof(sgxra_sigstruct, reserved3)},
      {1028, 12, offsetof(sgxra_sigstruct, reserved4)},
  };
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(r); i++) {
    const uint8_t *p = (const uint8_t *)s + r[i].field;
    for (size_t j = 0; j < r[i].len; j++)
      if (p[j])
        return sgxra__fail(cx, SGXRA_E_SGX_RESERVED,
                           "SIGSTRUCT reserved byte at offset %zu is 0x%02x, "
                           "must be zero (reserved field [%zu,%zu)): EINIT "
                           "refuses it",
                           r[i].offset + j, p[j], r[i].offset,
                           r[i].offset + r[i].len);
  }
  return SGXRA_OK;
}

sgxra_err sgxra_sigstruct_verify(sgxra_ctx *cx, const sgxra_sigstruct *s) {
  uint8_t msg[SIGNED1_LEN + SIGNED2_LEN];
  uint8_t q1[SGXRA_RSA3072_SIZE], q2[SGXRA_RSA3072_SIZE];
  sgxra_err e;

  if (memcmp(s->header, k_header, sizeof k_header) != 0) {
    char got[33], want[33];
    hex_prefix(s->header, 16, got);
    hex_prefix(k_header, 16, want);
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_HEADER,
                       "SIGSTRUCT HEADER (offset 0) is %s, must be %s: not a "
                       "SIGSTRUCT, or a damaged one",
                       got, want);
  }
  if (memcmp(s->header2, k_header2, sizeof k_header2) != 0) {
    char got[33], want[33];
    hex_prefix(s->header2, 16, got);
    hex_prefix(k_header2, 16, want);
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_HEADER,
                       "SIGSTRUCT HEADER2 (offset 24) is %s, must be %s", got,
                       want);
  }
  if (s->vendor != 0 && s->vendor != SGXRA_SIGSTRUCT_VENDOR_INTEL)
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_FIELD,
                       "SIGSTRUCT VENDOR (offset 16) is 0x%x, must be 0 (any "
                       "ISV) or 0x8086 (Intel): EINIT refuses it",
                       (unsigned)s->vendor);
  if (s->exponent != 3)
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_EXPONENT,
                       "SIGSTRUCT EXPONENT (offset 512) is %u, SGX requires 3",
                       (unsigned)s->exponent);
  if ((e = check_reserved(cx, s)) != SGXRA_OK) return e;

  signed_bytes(s, msg);
  e = sgxra_rsa_verify_le(cx, s->modulus, 3, msg, sizeof msg, s->signature);
  if (e != SGXRA_OK) {
    char why[SGXRA_CTX_MSG_SIZE];
    if (e == SGXRA_E_NO_MEMORY) return e;
    /* copy first: the message is rewritten in the same context buffer */
    snprintf(why, sizeof why, "%s", sgxra_ctx_message(cx));
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_SIGNATURE,
                       "SIGSTRUCT signature (offset 516) does not verify "
                       "with its MODULUS over bytes [0,128) and [900,1028): "
                       "the SIGSTRUCT was altered or not signed by this key "
                       "(%s)",
                       why);
  }

  /* EINIT does not compute s^3 mod n itself: it checks the signature with
   * the helper quotients Q1 = floor(s^2/n), Q2 = floor((s^3 - Q1*s*n)/n).
   * Wrong ones make EINIT fail even with a valid signature. */
  e = sgxra_rsa_q1q2_le(cx, s->signature, s->modulus, q1, q2);
  if (e != SGXRA_OK) return e;
  if (memcmp(q1, s->q1, sizeof q1) != 0)
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_Q1Q2,
                       "SIGSTRUCT Q1 (offset 1040) is not floor(s^2/n): EINIT "
                       "would refuse it; re-sign or recompute Q1/Q2");
  if (memcmp(q2, s->q2, sizeof q2) != 0)
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_Q1Q2,
                       "SIGSTRUCT Q2 (offset 1424) is not "
                       "floor((s^3 - Q1*s*n)/n): EINIT would refuse it; "
                       "re-sign or recompute Q1/Q2");
  return SGXRA_OK;
}

sgxra_err sgxra_sigstruct_mrsigner(sgxra_ctx *cx, const sgxra_sigstruct *s,
                                   uint8_t out[SGXRA_HASH_SIZE]) {
  sgxra_err e = sgxra_sha256(cx, s->modulus, sizeof s->modulus, out);
  if (e != SGXRA_OK) memset(out, 0, SGXRA_HASH_SIZE);
  return e;
}

void sgxra_sigstruct_params_default(sgxra_sigstruct_params *p) {
  memset(p, 0, sizeof *p);
  p->attributes.flags = SGXRA_ATTR_MODE64BIT;
  p->attributes.xfrm = 0x3; /* x87 and SSE: the minimum legal XFRM */
  /* Every flag bit enforced, DEBUG included, so the enclave can only be
   * launched as a production (non-debug) enclave; XFRM bits outside
   * AVX/MPX/AVX-512 state enforced, as Intel's sgx_sign does. */
  p->attributemask.flags = 0xffffffffffffffffULL;
  p->attributemask.xfrm = 0xffffffffffffff1bULL;
  p->miscselect = 0;
  p->miscmask = 0xffffffff;
}

/* DATE is yyyymmdd in BCD, mm 1..12 and dd 1..31 (SDM table 38-19); 0
 * means "not set" (the Linux selftest signer writes 0). */
static int valid_date(uint32_t v) {
  if (v == 0) return 1;
  for (uint32_t d = v, i = 0; i < 8; i++, d >>= 4)
    if ((d & 0xf) > 9) return 0;
  unsigned mm = ((v >> 12) & 0xf) * 10 + ((v >> 8) & 0xf);
  unsigned dd = ((v >> 4) & 0xf) * 10 + (v & 0xf);
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

static sgxra_err check_params(sgxra_ctx *cx, const sgxra_sigstruct_params *p) {
  if (p->vendor != 0 && p->vendor != SGXRA_SIGSTRUCT_VENDOR_INTEL)
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_FIELD,
                       "VENDOR 0x%x is not allowed: use 0 (any ISV) or 0x8086 "
                       "(Intel)",
                       (unsigned)p->vendor);
  if (!valid_date(p->date))
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_FIELD,
                       "DATE 0x%08x is not a BCD date 0xyyyymmdd (each hex "
                       "digit 0..9, month 01..12, day 01..31, e.g. 0x20240304 "
                       "for 2024-03-04; or 0 for none)",
                       (unsigned)p->date);
  if (p->attributes.flags & SGXRA_ATTR_RESERVED_MASK)
    return sgxra__fail(
        cx, SGXRA_E_SIGSTRUCT_FIELD,
        "ATTRIBUTES 0x%016llx sets reserved bits 0x%016llx: "
        "EINIT would refuse the enclave",
        (unsigned long long)p->attributes.flags,
        (unsigned long long)(p->attributes.flags & SGXRA_ATTR_RESERVED_MASK));
  /* Values no enclave could ever be launched with: EINIT compares
   * (SECS.ATTRIBUTES & ATTRIBUTEMASK) with (ATTRIBUTES & ATTRIBUTEMASK)
   * while SECS.INIT is still 0; ECREATE requires XFRM bits 0 and 1 (x87,
   * SSE); EINIT refuses a nonzero ISVFAMILYID unless SECS.ATTRIBUTES.KSS. */
  const sgxra_attributes *a = &p->attributes, *am = &p->attributemask;
  if (a->flags & am->flags & SGXRA_ATTR_INIT)
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_FIELD,
                       "ATTRIBUTES 0x%llx sets INIT and ATTRIBUTEMASK enforces "
                       "it: EINIT sees INIT clear, so no enclave could launch "
                       "with this SIGSTRUCT; clear bit 0",
                       (unsigned long long)a->flags);
  if ((a->xfrm & am->xfrm & 0x3) != (am->xfrm & 0x3))
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_FIELD,
                       "ATTRIBUTES.XFRM 0x%llx clears x87/SSE (bits 0 and 1) "
                       "that ATTRIBUTEMASK.XFRM 0x%llx enforces: ECREATE "
                       "requires both set, so no enclave could launch; use "
                       "at least 0x3",
                       (unsigned long long)a->xfrm,
                       (unsigned long long)am->xfrm);
  static const uint8_t zero16[16];
  if (memcmp(p->isvfamilyid, zero16, 16) != 0 && !(a->flags & SGXRA_ATTR_KSS) &&
      (am->flags & SGXRA_ATTR_KSS))
    return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_FIELD,
                       "ISVFAMILYID is set but ATTRIBUTES 0x%llx enforces KSS "
                       "(bit 7) off: EINIT refuses an ISVFAMILYID without "
                       "KSS; set KSS (0x80) in ATTRIBUTES or leave "
                       "ISVFAMILYID zero",
                       (unsigned long long)a->flags);
  if (!p->allow_debug) {
    if (p->attributes.flags & SGXRA_ATTR_DEBUG)
      return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN,
                         "ATTRIBUTES 0x%llx sets DEBUG: a debug enclave's "
                         "memory can be read by its host; allow it "
                         "explicitly (--debug) only for development",
                         (unsigned long long)p->attributes.flags);
    if (!(p->attributemask.flags & SGXRA_ATTR_DEBUG))
      return sgxra__fail(cx, SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN,
                         "ATTRIBUTEMASK 0x%llx leaves DEBUG (bit 1) free, so "
                         "this SIGSTRUCT would also launch the enclave in "
                         "debug mode: set bit 1 in the mask, or allow debug "
                         "explicitly (--debug) for development",
                         (unsigned long long)p->attributemask.flags);
  }
  return SGXRA_OK;
}

/* Every field but SIGNATURE, Q1 and Q2 from the params (checked by the
 * caller) and the signer's modulus; reserved bytes zero.  One-step signing,
 * gendata and catsig all build the SIGSTRUCT here, so their signed bytes
 * are identical by construction. */
static void fill_fields(const sgxra_sigstruct_params *p,
                        const uint8_t modulus_le[SGXRA_RSA3072_SIZE],
                        sgxra_sigstruct *out) {
  memset(out, 0, sizeof *out);
  memcpy(out->header, k_header, 16);
  out->vendor = p->vendor;
  out->date = p->date;
  memcpy(out->header2, k_header2, 16);
  out->swdefined = p->swdefined;
  if (modulus_le) memcpy(out->modulus, modulus_le, SGXRA_RSA3072_SIZE);
  out->exponent = 3;
  out->miscselect = p->miscselect;
  out->miscmask = p->miscmask;
  memcpy(out->isvfamilyid, p->isvfamilyid, 16);
  out->attributes = p->attributes;
  out->attributemask = p->attributemask;
  memcpy(out->enclavehash, p->enclavehash, 32);
  memcpy(out->isvextprodid, p->isvextprodid, 16);
  out->isvprodid = p->isvprodid;
  out->isvsvn = p->isvsvn;
}

sgxra_err sgxra_sigstruct_sign(sgxra_ctx *cx, const sgxra_rsa_key *key,
                               const sgxra_sigstruct_params *p,
                               sgxra_sigstruct *out) {
  uint8_t msg[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE];
  uint8_t modulus[SGXRA_RSA3072_SIZE];
  sgxra_err e;
  memset(out, 0, sizeof *out);
  if (!key || !p)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SIGSTRUCT sign: key and params are required");
  TRY(check_params(cx, p));

  sgxra_rsa_modulus_le(key, modulus);
  fill_fields(p, modulus, out);
  signed_bytes(out, msg);
  TRY(sgxra_rsa_sign_le(cx, key, msg, sizeof msg, out->signature));
  TRY(sgxra_rsa_q1q2_le(cx, out->signature, out->modulus, out->q1, out->q2));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}

sgxra_err
sgxra_sigstruct_signing_data(sgxra_ctx *cx, const sgxra_sigstruct_params *p,
                             uint8_t out[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE]) {
  sgxra_sigstruct s;
  sgxra_err e;
  memset(out, 0, SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE);
  if (!p)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SIGSTRUCT signing data: params are required");
  if ((e = check_params(cx, p)) != SGXRA_OK) return e;
  /* The modulus is outside the signed ranges: no key needed. */
  fill_fields(p, NULL, &s);
  signed_bytes(&s, out);
  return SGXRA_OK;
}

sgxra_err sgxra_sigstruct_assemble(sgxra_ctx *cx, const sgxra_rsa_key *key,
                                   const sgxra_sigstruct_params *p,
                                   const uint8_t sig_be[SGXRA_RSA3072_SIZE],
                                   sgxra_sigstruct *out) {
  uint8_t msg[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE];
  uint8_t modulus[SGXRA_RSA3072_SIZE];
  sgxra_err e;
  memset(out, 0, sizeof *out);
  if (!key || !p || !sig_be)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SIGSTRUCT assemble: key, params and signature are "
                       "required");
  TRY(check_params(cx, p));

  sgxra_rsa_modulus_le(key, modulus);
  fill_fields(p, modulus, out);
  /* An HSM or `openssl pkeyutl -sign` writes the signature as a big-endian
   * octet string; SIGSTRUCT stores it little-endian. */
  for (size_t i = 0; i < SGXRA_RSA3072_SIZE; i++)
    out->signature[i] = sig_be[SGXRA_RSA3072_SIZE - 1 - i];
  signed_bytes(out, msg);
  e = sgxra_rsa_verify_le(cx, out->modulus, 3, msg, sizeof msg, out->signature);
  if (e == SGXRA_E_CRYPTO_SIG_INVALID)
    e = sgxra__fail(cx, SGXRA_E_SIGSTRUCT_SIGNATURE,
                    "the external signature does not verify with this public "
                    "key over the 256 signing-data bytes of these fields: it "
                    "was made over other data (fields that differ from the "
                    "ones given when the data was written), by another key, "
                    "or it is not a big-endian PKCS#1 v1.5 SHA-256 signature "
                    "of those bytes");
  if (e != SGXRA_OK) goto fail;
  TRY(sgxra_rsa_q1q2_le(cx, out->signature, out->modulus, out->q1, out->q2));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}
