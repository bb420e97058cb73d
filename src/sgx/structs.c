/* SGX architectural structures: see sgxra/sgx.h.
 *
 * Every decoder first insists on the exact architectural size (these are
 * fixed-size hardware structures: a longer buffer is as wrong as a shorter
 * one), then reads each field in order through the bounds-checked cursor,
 * little-endian, never casting the buffer.  Encoders write the same bytes
 * back, reserved fields included, so encode(decode(x)) == x. */
#include <stdio.h>

#include "core/internal.h"
#include "sgxra/sgx.h"

_Static_assert(SGXRA_REPORT_BODY_SIZE == 384, "REPORT body is 384 bytes");
_Static_assert(SGXRA_REPORT_SIZE ==
                   SGXRA_REPORT_BODY_SIZE + SGXRA_KEYID_SIZE + SGXRA_MAC_SIZE,
               "REPORT = body || KEYID || MAC");
_Static_assert(SGXRA_TARGETINFO_SIZE == 512, "TARGETINFO is 512 bytes");
_Static_assert(SGXRA_KEYREQUEST_SIZE == 512, "KEYREQUEST is 512 bytes");

#define TRY(expr)                                                              \
  do {                                                                         \
    if ((e = (expr)) != SGXRA_OK) goto fail;                                   \
  } while (0)

static sgxra_err check_size(sgxra_ctx *cx, const char *what, size_t want,
                            const uint8_t *p, size_t n) {
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: NULL buffer", what);
  if (n != want)
    return sgxra__fail(cx, SGXRA_E_SGX_SIZE, "%s must be %zu bytes, got %zu%s",
                       what, want, n,
                       n < want ? " (truncated?)" : " (trailing data?)");
  return SGXRA_OK;
}

static sgxra_err read_attributes(sgxra_ctx *cx, sgxra__cur *c, const char *what,
                                 sgxra_attributes *a) {
  sgxra_err e = sgxra__cur_u64(cx, c, what, &a->flags);
  if (e) return e;
  return sgxra__cur_u64(cx, c, what, &a->xfrm);
}

static void put_attributes(uint8_t *p, const sgxra_attributes *a) {
  sgxra__st64(p, a->flags);
  sgxra__st64(p + 8, a->xfrm);
}

/* ---- REPORT body -------------------------------------------------------
 *
 *   0  CPUSVN[16]       16 MISCSELECT u32    20 reserved[12]
 *  32  ISVEXTPRODID[16] 48 ATTRIBUTES 16     64 MRENCLAVE[32]
 *  96  reserved[32]    128 MRSIGNER[32]     160 reserved[32]
 * 192  CONFIGID[64]    256 ISVPRODID u16    258 ISVSVN u16
 * 260  CONFIGSVN u16   262 reserved[42]     304 ISVFAMILYID[16]
 * 320  REPORTDATA[64]  384 end
 */
static sgxra_err read_report_body(sgxra_ctx *cx, sgxra__cur *c,
                                  sgxra_report_body *b) {
  sgxra_err e;
  TRY(sgxra__cur_copy(cx, c, b->cpusvn, sizeof b->cpusvn, "CPUSVN"));
  TRY(sgxra__cur_u32(cx, c, "MISCSELECT", &b->miscselect));
  TRY(sgxra__cur_copy(cx, c, b->reserved1, sizeof b->reserved1, "reserved"));
  TRY(sgxra__cur_copy(cx, c, b->isvextprodid, sizeof b->isvextprodid,
                      "ISVEXTPRODID"));
  TRY(read_attributes(cx, c, "ATTRIBUTES", &b->attributes));
  TRY(sgxra__cur_copy(cx, c, b->mrenclave, sizeof b->mrenclave, "MRENCLAVE"));
  TRY(sgxra__cur_copy(cx, c, b->reserved2, sizeof b->reserved2, "reserved"));
  TRY(sgxra__cur_copy(cx, c, b->mrsigner, sizeof b->mrsigner, "MRSIGNER"));
  TRY(sgxra__cur_copy(cx, c, b->reserved3, sizeof b->reserved3, "reserved"));
  TRY(sgxra__cur_copy(cx, c, b->configid, sizeof b->configid, "CONFIGID"));
  TRY(sgxra__cur_u16(cx, c, "ISVPRODID", &b->isvprodid));
  TRY(sgxra__cur_u16(cx, c, "ISVSVN", &b->isvsvn));
  TRY(sgxra__cur_u16(cx, c, "CONFIGSVN", &b->configsvn));
  TRY(sgxra__cur_copy(cx, c, b->reserved4, sizeof b->reserved4, "reserved"));
  TRY(sgxra__cur_copy(cx, c, b->isvfamilyid, sizeof b->isvfamilyid,
                      "ISVFAMILYID"));
  TRY(sgxra__cur_copy(cx, c, b->reportdata, sizeof b->reportdata,
                      "REPORTDATA"));
  return SGXRA_OK;
fail:
  return e;
}

sgxra_err sgxra_report_body_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                   sgxra_report_body *out) {
  sgxra_err e;
  sgxra__cur c;
  memset(out, 0, sizeof *out);
  TRY(check_size(cx, "REPORT body", SGXRA_REPORT_BODY_SIZE, p, n));
  sgxra__cur_init(&c, p, n, "REPORT body", SGXRA_E_SGX_SIZE);
  TRY(read_report_body(cx, &c, out));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}

void sgxra_report_body_encode(const sgxra_report_body *b,
                              uint8_t out[SGXRA_REPORT_BODY_SIZE]) {
  memcpy(out + 0, b->cpusvn, 16);
  sgxra__st32(out + 16, b->miscselect);
  memcpy(out + 20, b->reserved1, 12);
  memcpy(out + 32, b->isvextprodid, 16);
  put_attributes(out + 48, &b->attributes);
  memcpy(out + 64, b->mrenclave, 32);
  memcpy(out + 96, b->reserved2, 32);
  memcpy(out + 128, b->mrsigner, 32);
  memcpy(out + 160, b->reserved3, 32);
  memcpy(out + 192, b->configid, 64);
  sgxra__st16(out + 256, b->isvprodid);
  sgxra__st16(out + 258, b->isvsvn);
  sgxra__st16(out + 260, b->configsvn);
  memcpy(out + 262, b->reserved4, 42);
  memcpy(out + 304, b->isvfamilyid, 16);
  memcpy(out + 320, b->reportdata, 64);
}

/* ---- REPORT: body[384] || KEYID[32] || MAC[16] ------------------------- */

sgxra_err sgxra_report_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_report *out) {
  sgxra_err e;
  sgxra__cur c;
  memset(out, 0, sizeof *out);
  TRY(check_size(cx, "REPORT", SGXRA_REPORT_SIZE, p, n));
  sgxra__cur_init(&c, p, n, "REPORT", SGXRA_E_SGX_SIZE);
  TRY(read_report_body(cx, &c, &out->body));
  TRY(sgxra__cur_copy(cx, &c, out->keyid, sizeof out->keyid, "KEYID"));
  TRY(sgxra__cur_copy(cx, &c, out->mac, sizeof out->mac, "MAC"));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}

void sgxra_report_encode(const sgxra_report *r,
                         uint8_t out[SGXRA_REPORT_SIZE]) {
  sgxra_report_body_encode(&r->body, out);
  memcpy(out + SGXRA_REPORT_BODY_SIZE, r->keyid, SGXRA_KEYID_SIZE);
  memcpy(out + SGXRA_REPORT_BODY_SIZE + SGXRA_KEYID_SIZE, r->mac,
         SGXRA_MAC_SIZE);
}

/* ---- TARGETINFO ----------------------------------------------------------
 *
 *   0 MEASUREMENT[32]  32 ATTRIBUTES 16  48 CET_ATTRIBUTES u8  49 reserved
 *  50 CONFIGSVN u16    52 MISCSELECT u32 56 reserved[8]  64 CONFIGID[64]
 * 128 reserved[384]   512 end
 */
sgxra_err sgxra_targetinfo_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  sgxra_targetinfo *out) {
  sgxra_err e;
  sgxra__cur c;
  memset(out, 0, sizeof *out);
  TRY(check_size(cx, "TARGETINFO", SGXRA_TARGETINFO_SIZE, p, n));
  sgxra__cur_init(&c, p, n, "TARGETINFO", SGXRA_E_SGX_SIZE);
  TRY(sgxra__cur_copy(cx, &c, out->mrenclave, 32, "MEASUREMENT"));
  TRY(read_attributes(cx, &c, "ATTRIBUTES", &out->attributes));
  TRY(sgxra__cur_u8(cx, &c, "CET_ATTRIBUTES", &out->ceattributes));
  TRY(sgxra__cur_u8(cx, &c, "reserved", &out->reserved1));
  TRY(sgxra__cur_u16(cx, &c, "CONFIGSVN", &out->configsvn));
  TRY(sgxra__cur_u32(cx, &c, "MISCSELECT", &out->miscselect));
  TRY(sgxra__cur_copy(cx, &c, out->reserved2, sizeof out->reserved2,
                      "reserved"));
  TRY(sgxra__cur_copy(cx, &c, out->configid, sizeof out->configid, "CONFIGID"));
  TRY(sgxra__cur_copy(cx, &c, out->reserved3, sizeof out->reserved3,
                      "reserved"));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}

void sgxra_targetinfo_encode(const sgxra_targetinfo *t,
                             uint8_t out[SGXRA_TARGETINFO_SIZE]) {
  memcpy(out + 0, t->mrenclave, 32);
  put_attributes(out + 32, &t->attributes);
  out[48] = t->ceattributes;
  out[49] = t->reserved1;
  sgxra__st16(out + 50, t->configsvn);
  sgxra__st32(out + 52, t->miscselect);
  memcpy(out + 56, t->reserved2, 8);
  memcpy(out + 64, t->configid, 64);
  memcpy(out + 128, t->reserved3, 384);
}

/* ---- KEYREQUEST ----------------------------------------------------------
 *
 *   0 KEYNAME u16   2 KEYPOLICY u16   4 ISVSVN u16   6 reserved[2]
 *   8 CPUSVN[16]   24 ATTRIBUTEMASK 16  40 KEYID[32]  72 MISCMASK u32
 *  76 CONFIGSVN u16  78 reserved[434]  512 end
 */
sgxra_err sgxra_keyrequest_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  sgxra_keyrequest *out) {
  sgxra_err e;
  sgxra__cur c;
  memset(out, 0, sizeof *out);
  TRY(check_size(cx, "KEYREQUEST", SGXRA_KEYREQUEST_SIZE, p, n));
  sgxra__cur_init(&c, p, n, "KEYREQUEST", SGXRA_E_SGX_SIZE);
  TRY(sgxra__cur_u16(cx, &c, "KEYNAME", &out->keyname));
  TRY(sgxra__cur_u16(cx, &c, "KEYPOLICY", &out->keypolicy));
  TRY(sgxra__cur_u16(cx, &c, "ISVSVN", &out->isvsvn));
  TRY(sgxra__cur_copy(cx, &c, out->reserved1, sizeof out->reserved1,
                      "reserved"));
  TRY(sgxra__cur_copy(cx, &c, out->cpusvn, sizeof out->cpusvn, "CPUSVN"));
  TRY(read_attributes(cx, &c, "ATTRIBUTEMASK", &out->attributemask));
  TRY(sgxra__cur_copy(cx, &c, out->keyid, sizeof out->keyid, "KEYID"));
  TRY(sgxra__cur_u32(cx, &c, "MISCMASK", &out->miscmask));
  TRY(sgxra__cur_u16(cx, &c, "CONFIGSVN", &out->configsvn));
  TRY(sgxra__cur_copy(cx, &c, out->reserved2, sizeof out->reserved2,
                      "reserved"));
  return SGXRA_OK;
fail:
  memset(out, 0, sizeof *out);
  return e;
}

void sgxra_keyrequest_encode(const sgxra_keyrequest *k,
                             uint8_t out[SGXRA_KEYREQUEST_SIZE]) {
  sgxra__st16(out + 0, k->keyname);
  sgxra__st16(out + 2, k->keypolicy);
  sgxra__st16(out + 4, k->isvsvn);
  memcpy(out + 6, k->reserved1, 2);
  memcpy(out + 8, k->cpusvn, 16);
  put_attributes(out + 24, &k->attributemask);
  memcpy(out + 40, k->keyid, 32);
  sgxra__st32(out + 72, k->miscmask);
  sgxra__st16(out + 76, k->configsvn);
  memcpy(out + 78, k->reserved2, 434);
}

/* ---- reserved-field checks ------------------------------------------------
 *
 * The CPU writes zeros into the reserved fields of a REPORT and refuses
 * (#GP) a KEYREQUEST or TARGETINFO whose reserved fields are not zero, so a
 * nonzero byte there means the bytes were not made by SGX or were altered. */

static sgxra_err reserved_zero(sgxra_ctx *cx, const char *what,
                               const uint8_t *p, size_t n, size_t offset) {
  for (size_t i = 0; i < n; i++) {
    if (p[i] != 0)
      return sgxra__fail(cx, SGXRA_E_SGX_RESERVED,
                         "%s: reserved byte at offset %zu is 0x%02x, must be "
                         "zero (reserved field [%zu,%zu))",
                         what, offset + i, p[i], offset, offset + n);
  }
  return SGXRA_OK;
}

static sgxra_err reserved_flags(sgxra_ctx *cx, const char *what, uint64_t flags,
                                size_t offset) {
  uint64_t bad = flags & SGXRA_ATTR_RESERVED_MASK;
  if (bad)
    return sgxra__fail(cx, SGXRA_E_SGX_RESERVED,
                       "%s: ATTRIBUTES.FLAGS (offset %zu) = 0x%016llx sets "
                       "reserved bits 0x%016llx",
                       what, offset, (unsigned long long)flags,
                       (unsigned long long)bad);
  return SGXRA_OK;
}

sgxra_err sgxra_report_body_check_reserved(sgxra_ctx *cx,
                                           const sgxra_report_body *b) {
  static const char w[] = "REPORT body";
  sgxra_err e;
  TRY(reserved_zero(cx, w, b->reserved1, sizeof b->reserved1, 20));
  TRY(reserved_flags(cx, w, b->attributes.flags, 48));
  TRY(reserved_zero(cx, w, b->reserved2, sizeof b->reserved2, 96));
  TRY(reserved_zero(cx, w, b->reserved3, sizeof b->reserved3, 160));
  TRY(reserved_zero(cx, w, b->reserved4, sizeof b->reserved4, 262));
  return SGXRA_OK;
fail:
  return e;
}

sgxra_err sgxra_targetinfo_check_reserved(sgxra_ctx *cx,
                                          const sgxra_targetinfo *t) {
  static const char w[] = "TARGETINFO";
  sgxra_err e;
  TRY(reserved_flags(cx, w, t->attributes.flags, 32));
  TRY(reserved_zero(cx, w, &t->reserved1, 1, 49));
  TRY(reserved_zero(cx, w, t->reserved2, sizeof t->reserved2, 56));
  TRY(reserved_zero(cx, w, t->reserved3, sizeof t->reserved3, 128));
  return SGXRA_OK;
fail:
  return e;
}

sgxra_err sgxra_keyrequest_check_reserved(sgxra_ctx *cx,
                                          const sgxra_keyrequest *k) {
  static const char w[] = "KEYREQUEST";
  sgxra_err e;
  if (k->keyname > SGXRA_KEYNAME_SEAL)
    return sgxra__fail(cx, SGXRA_E_SGX_RESERVED,
                       "%s: KEYNAME %u is not defined (0..4)", w,
                       (unsigned)k->keyname);
  if (k->keypolicy & ~0x003fu)
    return sgxra__fail(cx, SGXRA_E_SGX_RESERVED,
                       "%s: KEYPOLICY 0x%04x sets reserved bits 0x%04x", w,
                       (unsigned)k->keypolicy,
                       (unsigned)(k->keypolicy & ~0x003fu));
  TRY(reserved_zero(cx, w, k->reserved1, sizeof k->reserved1, 6));
  TRY(reserved_zero(cx, w, k->reserved2, sizeof k->reserved2, 78));
  return SGXRA_OK;
fail:
  return e;
}

/* ---- ATTRIBUTES.FLAGS names ------------------------------------------------
 */

static const struct {
  uint64_t bit;
  const char *name;
} attr_names[] = {
    {SGXRA_ATTR_INIT, "INIT"},
    {SGXRA_ATTR_DEBUG, "DEBUG"},
    {SGXRA_ATTR_MODE64BIT, "MODE64BIT"},
    {SGXRA_ATTR_PROVISIONKEY, "PROVISIONKEY"},
    {SGXRA_ATTR_EINITTOKENKEY, "EINITTOKENKEY"},
    {SGXRA_ATTR_CET, "CET"},
    {SGXRA_ATTR_KSS, "KSS"},
    {SGXRA_ATTR_AEXNOTIFY, "AEXNOTIFY"},
};

int sgxra_attributes_flags_text(uint64_t flags, char *out, size_t cap) {
  /* Build into a local buffer long enough for every name and a hex
   * remainder, then copy snprintf-style so the return value is the full
   * length even when cap is short. */
  char buf[160];
  size_t len = 0;
  buf[0] = '\0';
  if (flags == 0) {
    len = (size_t)snprintf(buf, sizeof buf, "none");
  } else {
    uint64_t rest = flags;
    for (size_t i = 0; i < SGXRA__ARRAY_LEN(attr_names); i++) {
      if (!(flags & attr_names[i].bit)) continue;
      rest &= ~attr_names[i].bit;
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
                              len ? "|" : "", attr_names[i].name);
    }
    if (rest)
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s0x%llx",
                              len ? "|" : "", (unsigned long long)rest);
  }
  if (out && cap) {
    size_t k = len < cap - 1 ? len : cap - 1;
    memcpy(out, buf, k);
    out[k] = '\0';
  }
  return (int)len;
}
