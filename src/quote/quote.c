/* Quote v3/v4/v5 parsing: see sgxra/quote.h for the layouts and rules. */
#include "sgxra/quote.h"

#include "core/internal.h"
#include "sgxra/hex.h"

const uint8_t SGXRA_QUOTE_INTEL_QE_VENDOR_ID[SGXRA_QUOTE_VENDOR_ID_SIZE] = {
    0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
    0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

_Static_assert(SGXRA_QUOTE_HEADER_SIZE + SGXRA_REPORT_BODY_SIZE + 4 ==
                   SGXRA_QUOTE_MIN_SIZE,
               "quote v3 minimum = header + report body + length field");

/* v5 body descriptor type of an SGX report body. */
#define BODY_TYPE_SGX 1

const char *sgxra_quote_cert_type_name(uint16_t type) {
  switch (type) {
  case SGXRA_QUOTE_CERT_PPID_CLEAR:
    return "PPID in clear";
  case SGXRA_QUOTE_CERT_PPID_RSA2048:
    return "PPID encrypted with RSA-2048-OAEP";
  case SGXRA_QUOTE_CERT_PPID_RSA3072:
    return "PPID encrypted with RSA-3072-OAEP";
  case SGXRA_QUOTE_CERT_PCK_CLEAR:
    return "PCK certificate in clear";
  case SGXRA_QUOTE_CERT_PCK_CHAIN:
    return "PCK certificate chain";
  case SGXRA_QUOTE_CERT_QE_REPORT:
    return "QE report certification data";
  case 7:
    return "platform manifest";
  default:
    return "unknown";
  }
}

/* QE report || signature || auth data || certification data, as found in
 * v3 signature data after the attestation key and inside v4's type 6. */
static sgxra_err parse_qe_part(sgxra_ctx *cx, sgxra__cur *c, int version,
                               sgxra_quote *q) {
  const uint8_t *p;
  sgxra_err e = sgxra__cur_take(cx, c, SGXRA_REPORT_BODY_SIZE, "QE report", &p);
  if (e) return e;
  q->qe_report_raw = p;
  e = sgxra_report_body_decode(cx, p, SGXRA_REPORT_BODY_SIZE, &q->qe_report);
  if (e) return e;
  e = sgxra__cur_copy(cx, c, q->qe_report_signature, SGXRA_P256_SIG_SIZE,
                      "QE report signature");
  if (e) return e;
  uint16_t auth_len;
  e = sgxra__cur_u16(cx, c, "QE auth data size", &auth_len);
  if (e) return e;
  e = sgxra__cur_take(cx, c, auth_len, "QE auth data", &p);
  if (e) return e;
  q->qe_auth_data = auth_len ? p : NULL;
  q->qe_auth_data_len = auth_len;
  uint16_t type;
  uint32_t size;
  size_t type_at = c->off;
  e = sgxra__cur_u16(cx, c, "certification data type", &type);
  if (e) return e;
  e = sgxra__cur_u32(cx, c, "certification data size", &size);
  if (e) return e;
  e = sgxra__cur_take(cx, c, size, "certification data", &p);
  if (e) return e;
  /* Intel's QVL Quote::validate refuses a type outside 1..5 as a quote
   * format error (STATUS_UNSUPPORTED_QUOTE_FORMAT); only a type 1..4 that
   * is not the PCK chain is "certification data unsupported"
   * (sgxra_quote_pck_chain). */
  if (type < 1 || type > 5) {
    return sgxra__fail(cx, SGXRA_E_QUOTE_FORMAT,
                       "quote v%d: certification data type %u (%s) at "
                       "offset %zu is not a valid type here: a quote holds "
                       "types 1..5",
                       version, type, sgxra_quote_cert_type_name(type),
                       type_at);
  }
  q->cert_type = type;
  q->cert_data = size ? p : NULL;
  q->cert_data_len = size;
  return SGXRA_OK;
}

static sgxra_err parse(sgxra_ctx *cx, const uint8_t *buf, size_t n,
                       sgxra_quote *q) {
  sgxra__cur c;
  sgxra__cur_init(&c, buf, n, "quote", SGXRA_E_QUOTE_TRUNCATED);
  sgxra_quote_header *h = &q->header;
  sgxra_err e;
  if ((e = sgxra__cur_u16(cx, &c, "header version", &h->version)) ||
      (e = sgxra__cur_u16(cx, &c, "header attestation key type",
                          &h->att_key_type)) ||
      (e = sgxra__cur_u32(cx, &c, "header TEE type", &h->tee_type)) ||
      (e = sgxra__cur_u16(cx, &c, "header QE SVN", &h->qe_svn)) ||
      (e = sgxra__cur_u16(cx, &c, "header PCE SVN", &h->pce_svn)) ||
      (e = sgxra__cur_copy(cx, &c, h->qe_vendor_id, sizeof h->qe_vendor_id,
                           "header QE vendor id")) ||
      (e = sgxra__cur_copy(cx, &c, h->user_data, sizeof h->user_data,
                           "header user data")))
    return e;
  if (h->version < 3 || h->version > 5) {
    return sgxra__fail(cx, SGXRA_E_QUOTE_VERSION,
                       "quote version %u is not supported: expected 3, 4 or "
                       "5 (an SGX ECDSA quote; version 2 is EPID, use IAS)",
                       h->version);
  }
  if (h->att_key_type != SGXRA_QUOTE_ATT_KEY_ECDSA_P256) {
    return sgxra__fail(cx, SGXRA_E_QUOTE_KEY_TYPE,
                       "quote attestation key type %u is not supported: "
                       "expected 2 (ECDSA-256 with P-256)",
                       h->att_key_type);
  }
  if (h->tee_type != SGXRA_QUOTE_TEE_SGX) {
    return sgxra__fail(cx, SGXRA_E_QUOTE_TEE_TYPE,
                       "quote TEE type 0x%08x is not supported: expected 0 "
                       "(SGX)%s",
                       h->tee_type,
                       h->tee_type == SGXRA_QUOTE_TEE_TDX
                           ? "; TDX quotes are not verified by sgxra"
                           : "");
  }
  if (memcmp(h->qe_vendor_id, SGXRA_QUOTE_INTEL_QE_VENDOR_ID,
             SGXRA_QUOTE_VENDOR_ID_SIZE) != 0) {
    char hex[2 * SGXRA_QUOTE_VENDOR_ID_SIZE + 1];
    sgxra_hex_encode(h->qe_vendor_id, SGXRA_QUOTE_VENDOR_ID_SIZE, hex);
    return sgxra__fail(cx, SGXRA_E_QUOTE_QE_VENDOR,
                       "quote QE vendor id %s is not Intel's "
                       "939a7233f79c4ca9940a0db3957f0607",
                       hex);
  }
  const uint8_t *p;
  if (h->version == 5) {
    uint16_t body_type;
    uint32_t body_size;
    size_t at = c.off;
    if ((e = sgxra__cur_u16(cx, &c, "body type", &body_type)) ||
        (e = sgxra__cur_u32(cx, &c, "body size", &body_size)))
      return e;
    if (body_type != BODY_TYPE_SGX) {
      return sgxra__fail(cx, SGXRA_E_QUOTE_BODY_TYPE,
                         "quote v5 body type %u at offset %zu is not "
                         "supported: expected 1 (SGX report body); TDX "
                         "bodies (2, 3) are not verified by sgxra",
                         body_type, at);
    }
    if (body_size != SGXRA_REPORT_BODY_SIZE) {
      return sgxra__fail(cx, SGXRA_E_QUOTE_FORMAT,
                         "quote v5 SGX body size is %u, expected %d", body_size,
                         SGXRA_REPORT_BODY_SIZE);
    }
  }
  if ((e = sgxra__cur_take(cx, &c, SGXRA_REPORT_BODY_SIZE, "report body", &p)))
    return e;
  q->report_body_raw = p;
  if ((e = sgxra_report_body_decode(cx, p, SGXRA_REPORT_BODY_SIZE,
                                    &q->report_body)))
    return e;
  q->signed_data = buf;
  q->signed_len = c.off;

  uint32_t sig_len;
  if ((e = sgxra__cur_u32(cx, &c, "signature data length", &sig_len))) return e;
  size_t sig_at = c.off;
  const uint8_t *sig;
  if ((e = sgxra__cur_take(cx, &c, sig_len, "signature data", &sig))) return e;
  q->size = c.off; /* bytes after this are ignored, as Intel does */

  /* The signature data on its own: its parts must fill it exactly. */
  sgxra__cur s;
  sgxra__cur_init(&s, buf, sig_at + sig_len, "quote", SGXRA_E_QUOTE_TRUNCATED);
  s.off = sig_at;
  if ((e = sgxra__cur_copy(cx, &s, q->signature, SGXRA_P256_SIG_SIZE,
                           "ISV signature")) ||
      (e = sgxra__cur_copy(cx, &s, q->attest_key, SGXRA_P256_PUBLIC_SIZE,
                           "attestation key")))
    return e;
  if (h->version == 3) {
    if ((e = parse_qe_part(cx, &s, 3, q))) return e;
  } else {
    uint16_t type;
    uint32_t size;
    size_t at = s.off;
    if ((e = sgxra__cur_u16(cx, &s, "certification data type", &type)) ||
        (e = sgxra__cur_u32(cx, &s, "certification data size", &size)))
      return e;
    /* Intel's QVL Quote::validate: a v4/v5 quote whose outer type is not
     * 6 is a quote format error, not unsupported certification data. */
    if (type != SGXRA_QUOTE_CERT_QE_REPORT) {
      return sgxra__fail(cx, SGXRA_E_QUOTE_FORMAT,
                         "quote v%u: outer certification data type %u (%s) "
                         "at offset %zu; expected 6 (QE report "
                         "certification data)",
                         h->version, type, sgxra_quote_cert_type_name(type),
                         at);
    }
    const uint8_t *inner;
    if ((e = sgxra__cur_take(cx, &s, size, "QE report certification data",
                             &inner)))
      return e;
    sgxra__cur t;
    sgxra__cur_init(&t, buf, (size_t)(inner - buf) + size, "quote",
                    SGXRA_E_QUOTE_TRUNCATED);
    t.off = (size_t)(inner - buf);
    if ((e = parse_qe_part(cx, &t, h->version, q))) return e;
    if (t.off != t.len) {
      return sgxra__fail(cx, SGXRA_E_QUOTE_FORMAT,
                         "quote: QE report certification data declares %u "
                         "bytes but its parts end %zu bytes earlier "
                         "(offset %zu)",
                         size, t.len - t.off, t.off);
    }
  }
  /* Intel's QVL reads the certification data (v3, Ecdsa256BitQuoteV3AuthData)
   * or the type-6 data (v4/v5, Ecdsa256BitQuoteV4AuthData) by its own size
   * and ignores the rest of the signature data; only inside the type-6 data
   * must the parts end exactly (QEReportCertificationData, above). */
  return SGXRA_OK;
}

sgxra_err sgxra_quote_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                            sgxra_quote *out) {
  if (!out) {
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_quote_parse: out is NULL");
  }
  memset(out, 0, sizeof *out);
  if (!p && n) {
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_quote_parse: NULL quote with length %zu", n);
  }
  sgxra_err e = parse(cx, p, n, out);
  if (e) memset(out, 0, sizeof *out);
  return e;
}

sgxra_err sgxra_quote_pck_chain(sgxra_ctx *cx, const sgxra_quote *q,
                                const char **out_pem, size_t *out_len) {
  if (out_pem) *out_pem = NULL;
  if (out_len) *out_len = 0;
  if (!q || !out_pem || !out_len) {
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_quote_pck_chain: NULL argument");
  }
  if (q->cert_type != SGXRA_QUOTE_CERT_PCK_CHAIN) {
    return sgxra__fail(cx, SGXRA_E_QUOTE_CERT_DATA_TYPE,
                       "quote certification data is type %u (%s), not 5 "
                       "(PCK certificate chain): the PCK certificate must "
                       "come from a PCCS, which sgxra does not support here",
                       q->cert_type, sgxra_quote_cert_type_name(q->cert_type));
  }
  if (q->cert_data_len == 0) {
    return sgxra__fail(cx, SGXRA_E_QUOTE_FORMAT,
                       "quote certification data type 5 is empty: expected "
                       "a PEM PCK certificate chain");
  }
  *out_pem = (const char *)q->cert_data;
  *out_len = q->cert_data_len;
  return SGXRA_OK;
}
