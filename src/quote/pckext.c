/* The SGX extension of PCK certificates: see sgxra/quote.h.
 *
 * A small DER reader: every element is read as tag, length, contents with
 * the length checked against what is left of its parent before anything is
 * touched.  Only the forms the extension uses are accepted: single-byte
 * tags and definite lengths of at most 4 length bytes. */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "core/internal.h"
#include "sgxra/quote.h"
#include "sgxra/timeutil.h"
#include "sgxra/x509.h"

#define TAG_BOOLEAN 0x01
#define TAG_INTEGER 0x02
#define TAG_OCTET_STRING 0x04
#define TAG_OID 0x06
#define TAG_ENUMERATED 0x0a
#define TAG_SEQUENCE 0x30

/* DER of OID 1.2.840.113741.1.13.1 (the SGX extension), without tag and
 * length: 1.2 -> 2A, 840 -> 86 48, 113741 -> 86 F8 4D, then 1, 13, 1. */
static const uint8_t sgx_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8,
                                  0x4d, 0x01, 0x0d, 0x01};

/* Arcs of the TCB entries (.2.<arc>): component SVNs 1..16, then PCESVN
 * and CPUSVN. */
#define TCB_ARC_LAST_COMP SGXRA_PCKEXT_COMP_COUNT
#define TCB_ARC_PCESVN (SGXRA_PCKEXT_COMP_COUNT + 1)
#define TCB_ARC_CPUSVN (SGXRA_PCKEXT_COMP_COUNT + 2)
_Static_assert(TCB_ARC_CPUSVN == SGXRA_PCKEXT_TCB_ENTRIES,
               "the TCB SEQUENCE: 16 SVNs, PCESVN, CPUSVN");

typedef struct der {
  const uint8_t *p;
  size_t len;
  size_t off;       /* within p */
  size_t base;      /* offset of p in the whole extension, for messages */
  const char *area; /* "PCK SGX extension" or "PCK certificate" */
} der;

typedef struct der_elem {
  uint8_t tag;
  const uint8_t *c; /* contents */
  size_t n;
  size_t at;  /* offset of the element in the whole extension */
  size_t hdr; /* bytes of tag and length */
  const char *area;
} der_elem;

static sgxra_err der_next(sgxra_ctx *cx, der *d, const char *what,
                          der_elem *e) {
  memset(e, 0, sizeof *e); /* zeroed on error too: no caller reads garbage */
  size_t at = d->base + d->off;
  size_t left = d->len - d->off;
  if (left < 2) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s needs a tag and a length at "
                       "offset %zu, only %zu bytes remain",
                       d->area, what, at, left);
  }
  const uint8_t *q = d->p + d->off;
  uint8_t tag = q[0];
  if ((tag & 0x1f) == 0x1f) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s at offset %zu has a multi-byte "
                       "tag, which Intel's PCK profile never uses",
                       d->area, what, at);
  }
  size_t hdr = 2, n = q[1];
  if (n & 0x80) {
    size_t k = n & 0x7f;
    if (k == 0 || k > 4) {
      return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                         "%s: %s at offset %zu has an "
                         "unsupported length form 0x%02x (DER needs a "
                         "definite length of 1..4 bytes)",
                         d->area, what, at, q[1]);
    }
    if (left - 2 < k) {
      return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                         "%s: %s length at offset %zu needs %zu "
                         "bytes, only %zu remain",
                         d->area, what, at, k, left - 2);
    }
    n = 0;
    for (size_t i = 0; i < k; i++) n = (n << 8) | q[2 + i];
    hdr += k;
  }
  if (n > left - hdr) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s at offset %zu declares %zu "
                       "bytes, only %zu remain",
                       d->area, what, at, n, left - hdr);
  }
  e->tag = tag;
  e->c = q + hdr;
  e->n = n;
  e->at = at;
  e->hdr = hdr;
  e->area = d->area;
  d->off += hdr + n;
  return SGXRA_OK;
}

static sgxra_err der_expect(sgxra_ctx *cx, der *d, uint8_t tag,
                            const char *what, der_elem *e) {
  sgxra_err err = der_next(cx, d, what, e);
  if (err) return err;
  if (e->tag != tag) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s at offset %zu has tag 0x%02x, "
                       "expected 0x%02x",
                       d->area, what, e->at, e->tag, tag);
  }
  return SGXRA_OK;
}

static void der_enter(der *d, const der_elem *e) {
  d->p = e->c;
  d->len = e->n;
  d->off = 0;
  d->base = e->at + e->hdr; /* contents start after tag and length */
  d->area = e->area;
}

/* The single element inside an EXPLICIT tagged value, with its tag. */
static sgxra_err der_expect_in(sgxra_ctx *cx, const der_elem *outer,
                               uint8_t tag, const char *what, der_elem *e) {
  der d;
  der_enter(&d, outer);
  sgxra_err err = der_expect(cx, &d, tag, what, e);
  if (err) return err;
  if (d.off != d.len) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "PCK certificate: %zu bytes follow %s at offset %zu",
                       d.len - d.off, what, e->at);
  }
  return SGXRA_OK;
}

/* Count the elements of a constructed value (each checked to fit). */
static sgxra_err der_count(sgxra_ctx *cx, const der_elem *e, const char *what,
                           size_t *out) {
  *out = 0;
  der d;
  der_enter(&d, e);
  size_t k = 0;
  while (d.off < d.len) {
    der_elem x;
    sgxra_err err = der_next(cx, &d, what, &x);
    if (err) return err;
    k++;
  }
  *out = k;
  return SGXRA_OK;
}

/* A non-negative INTEGER or ENUMERATED value no larger than `max`. */
static sgxra_err der_uint(sgxra_ctx *cx, const der_elem *e, const char *what,
                          uint32_t max, uint32_t *out) {
  *out = 0;
  if (e->n == 0 || e->n > 4 || (e->c[0] & 0x80)) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s at offset %zu is not a small "
                       "non-negative integer (%zu content bytes)",
                       e->area, what, e->at, e->n);
  }
  uint32_t v = 0;
  for (size_t i = 0; i < e->n; i++) v = (v << 8) | e->c[i];
  if (v > max) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s is %u, above its maximum %u", e->area, what, v,
                       max);
  }
  *out = v;
  return SGXRA_OK;
}

static sgxra_err der_octets(sgxra_ctx *cx, const der_elem *e, const char *what,
                            uint8_t *out, size_t want) {
  if (e->tag != TAG_OCTET_STRING || e->n != want) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "%s: %s at offset %zu must be an OCTET "
                       "STRING of %zu bytes (tag 0x%02x, %zu bytes found)",
                       e->area, what, e->at, want, e->tag, e->n);
  }
  memcpy(out, e->c, want);
  return SGXRA_OK;
}

/* When oid = SGX-extension-OID || suffix (suffix_len arcs, each < 128),
 * return 1 and the arcs in out. */
static int oid_under_sgx(const der_elem *oid, uint8_t *arcs, size_t nmax,
                         size_t *narcs) {
  if (oid->n <= sizeof sgx_oid || oid->n - sizeof sgx_oid > nmax) return 0;
  if (memcmp(oid->c, sgx_oid, sizeof sgx_oid) != 0) return 0;
  size_t k = oid->n - sizeof sgx_oid;
  for (size_t i = 0; i < k; i++) {
    uint8_t a = oid->c[sizeof sgx_oid + i];
    if (a & 0x80) return 0; /* multi-byte arcs are not SGX's */
    arcs[i] = a;
  }
  *narcs = k;
  return 1;
}

/* One SEQUENCE { OID, value } entry. */
static sgxra_err entry(sgxra_ctx *cx, der *d, const char *what, der_elem *oid,
                       der_elem *val) {
  der_elem seq;
  sgxra_err err = der_expect(cx, d, TAG_SEQUENCE, what, &seq);
  if (err) return err;
  size_t k;
  err = der_count(cx, &seq, what, &k);
  if (err) return err;
  if (k != 2) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_COUNT,
                       "%s: %s at offset %zu has %zu elements, "
                       "expected 2 (OID and value)",
                       d->area, what, seq.at, k);
  }
  der in;
  der_enter(&in, &seq);
  err = der_expect(cx, &in, TAG_OID, what, oid);
  if (err) return err;
  return der_next(cx, &in, what, val);
}

static sgxra_err parse_tcb(sgxra_ctx *cx, const der_elem *tcb,
                           sgxra_pck_ext *out) {
  if (tcb->tag != TAG_SEQUENCE) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "PCK SGX extension: TCB at offset %zu must be a "
                       "SEQUENCE (tag 0x%02x found)",
                       tcb->at, tcb->tag);
  }
  size_t k;
  sgxra_err err = der_count(cx, tcb, "TCB entry", &k);
  if (err) return err;
  if (k != SGXRA_PCKEXT_TCB_ENTRIES) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_COUNT,
                       "PCK SGX extension: TCB has %zu entries, expected %d "
                       "(%d component SVNs, PCESVN, CPUSVN)",
                       k, SGXRA_PCKEXT_TCB_ENTRIES, SGXRA_PCKEXT_COMP_COUNT);
  }
  uint32_t seen = 0;
  der d;
  der_enter(&d, tcb);
  for (size_t i = 0; i < SGXRA_PCKEXT_TCB_ENTRIES; i++) {
    der_elem oid, val;
    err = entry(cx, &d, "TCB entry", &oid, &val);
    if (err) return err;
    uint8_t arcs[2];
    size_t na = 0;
    if (!oid_under_sgx(&oid, arcs, 2, &na) || na != 2 || arcs[0] != 2 ||
        arcs[1] < 1 || arcs[1] > SGXRA_PCKEXT_TCB_ENTRIES) {
      return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                         "PCK SGX extension: TCB entry %zu at offset %zu has "
                         "an OID outside 1.2.840.113741.1.13.1.2.1..18",
                         i + 1, oid.at);
    }
    unsigned which = arcs[1];
    if (seen & (1u << which)) {
      return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                         "PCK SGX extension: TCB entry .2.%u appears twice",
                         which);
    }
    seen |= 1u << which;
    uint32_t v;
    if (which <= TCB_ARC_LAST_COMP) {
      if (val.tag != TAG_INTEGER) {
        return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                           "PCK SGX extension: TCB component %u SVN must be "
                           "an INTEGER (tag 0x%02x)",
                           which, val.tag);
      }
      err = der_uint(cx, &val, "TCB component SVN", 255, &v);
      if (err) return err;
      out->comp_svn[which - 1] = (uint8_t)v;
    } else if (which == TCB_ARC_PCESVN) {
      if (val.tag != TAG_INTEGER) {
        return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                           "PCK SGX extension: PCESVN must be an INTEGER "
                           "(tag 0x%02x)",
                           val.tag);
      }
      err = der_uint(cx, &val, "PCESVN", 65535, &v);
      if (err) return err;
      out->pcesvn = (uint16_t)v;
    } else {
      err = der_octets(cx, &val, "CPUSVN", out->cpusvn, SGXRA_CPUSVN_SIZE);
      if (err) return err;
    }
  }
  return SGXRA_OK;
}

static sgxra_err parse_config(sgxra_ctx *cx, const der_elem *cfg,
                              sgxra_pck_ext *out) {
  if (cfg->tag != TAG_SEQUENCE) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "PCK SGX extension: configuration must be a SEQUENCE "
                       "(tag 0x%02x)",
                       cfg->tag);
  }
  der d;
  der_enter(&d, cfg);
  while (d.off < d.len) {
    der_elem oid, val;
    sgxra_err err = entry(cx, &d, "configuration entry", &oid, &val);
    if (err) return err;
    uint8_t arcs[2];
    size_t na = 0;
    if (!oid_under_sgx(&oid, arcs, 2, &na) || na != 2 || arcs[0] != 7 ||
        arcs[1] < 1 || arcs[1] > 3) {
      continue; /* unknown configuration flags are ignored, as Intel does */
    }
    if (val.tag != TAG_BOOLEAN || val.n != 1) {
      return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                         "PCK SGX extension: configuration flag .7.%u must "
                         "be a BOOLEAN",
                         arcs[1]);
    }
    int b = val.c[0] != 0;
    if (arcs[1] == 1) out->dynamic_platform = b;
    if (arcs[1] == 2) out->cached_keys = b;
    if (arcs[1] == 3) out->smt_enabled = b;
  }
  out->has_configuration = 1;
  return SGXRA_OK;
}

static sgxra_err parse_ext(sgxra_ctx *cx, const uint8_t *p, size_t n,
                           sgxra_pck_ext *out) {
  der top = {p, n, 0, 0, "PCK SGX extension"};
  der_elem seq;
  sgxra_err err = der_expect(cx, &top, TAG_SEQUENCE, "SGX extensions", &seq);
  if (err) return err;
  if (top.off != n) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                       "PCK SGX extension: %zu bytes follow the SGX "
                       "extensions SEQUENCE",
                       n - top.off);
  }
  size_t k;
  err = der_count(cx, &seq, "SGX extension entry", &k);
  if (err) return err;
  if (k != 5 && k != 7) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_COUNT,
                       "PCK SGX extension has %zu entries, expected 5 "
                       "(Processor CA) or 7 (Platform CA)",
                       k);
  }
  out->dynamic_platform = out->cached_keys = out->smt_enabled = -1;
  unsigned seen = 0;
  der d;
  der_enter(&d, &seq);
  for (size_t i = 0; i < k; i++) {
    der_elem oid, val;
    err = entry(cx, &d, "SGX extension entry", &oid, &val);
    if (err) return err;
    uint8_t arcs[1];
    size_t na = 0;
    if (!oid_under_sgx(&oid, arcs, 1, &na) || na != 1) continue;
    unsigned which = arcs[0];
    if (which >= 1 && which <= 7) {
      if (seen & (1u << which)) {
        return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                           "PCK SGX extension: entry .%u appears twice", which);
      }
      seen |= 1u << which;
    }
    uint32_t v;
    switch (which) {
    case 1:
      err = der_octets(cx, &val, "PPID", out->ppid, sizeof out->ppid);
      break;
    case 2:
      err = parse_tcb(cx, &val, out);
      break;
    case 3:
      err = der_octets(cx, &val, "PCE-ID", out->pceid, sizeof out->pceid);
      break;
    case 4:
      err = der_octets(cx, &val, "FMSPC", out->fmspc, sizeof out->fmspc);
      break;
    case 5:
      if (val.tag != TAG_ENUMERATED) {
        return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                           "PCK SGX extension: SGX type must be ENUMERATED "
                           "(tag 0x%02x)",
                           val.tag);
      }
      err = der_uint(cx, &val, "SGX type", 2, &v);
      if (!err) out->sgx_type = (uint8_t)v;
      break;
    case 6:
      err = der_octets(cx, &val, "platform instance id",
                       out->platform_instance_id,
                       sizeof out->platform_instance_id);
      if (!err) out->has_platform_instance_id = 1;
      break;
    case 7:
      err = parse_config(cx, &val, out);
      break;
    default:
      break; /* unknown entries are ignored, as Intel's parser does */
    }
    if (err) return err;
  }
  static const char *const names[] = {"",       "PPID",  "TCB",
                                      "PCE-ID", "FMSPC", "SGX type"};
  for (unsigned w = 1; w <= 5; w++) {
    if (!(seen & (1u << w))) {
      return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                         "PCK SGX extension: required entry %s "
                         "(1.2.840.113741.1.13.1.%u) is missing",
                         names[w], w);
    }
  }
  return SGXRA_OK;
}

sgxra_err sgxra_pck_ext_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_pck_ext *out) {
  if (!out || (!p && n)) {
    if (out) memset(out, 0, sizeof *out);
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_pck_ext_parse: NULL argument");
  }
  memset(out, 0, sizeof *out);
  sgxra_err err = parse_ext(cx, p, n, out);
  if (err) memset(out, 0, sizeof *out);
  return err;
}

/* Cap on a PCK certificate given to sgxra_pck_ext_from_cert_der (Intel's
 * are about 1.2 KB). */
#define PCK_CERT_DER_MAX 65536u

sgxra_err sgxra_pck_ext_from_cert_der(sgxra_ctx *cx, const uint8_t *der_cert,
                                      size_t n, sgxra_pck_ext *out) {
  if (!out || !der_cert || n == 0 || n > PCK_CERT_DER_MAX) {
    if (out) memset(out, 0, sizeof *out);
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "PCK certificate: expected 1..%u bytes of DER",
                       PCK_CERT_DER_MAX);
  }
  memset(out, 0, sizeof *out);
  const unsigned char *q = der_cert;
  X509 *x = d2i_X509(NULL, &q, (long)n);
  if (!x) {
    return sgxra__fail_ossl(cx, SGXRA_E_PCKEXT_FORMAT,
                            "PCK certificate: DER does not parse");
  }
  sgxra_err err = SGXRA_OK;
  ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
  int idx = obj ? X509_get_ext_by_OBJ(x, obj, -1) : -1;
  if (!obj) {
    err = sgxra__fail_ossl(cx, SGXRA_E_INTERNAL, "SGX extension OID");
  } else if (idx < 0) {
    err = sgxra__fail(cx, SGXRA_E_PCKEXT_MISSING,
                      "PCK certificate has no SGX extension "
                      "(OID 1.2.840.113741.1.13.1): is it a PCK "
                      "certificate?");
  } else {
    X509_EXTENSION *ext = X509_get_ext(x, idx);
    ASN1_OCTET_STRING *os = ext ? X509_EXTENSION_get_data(ext) : NULL;
    if (!os) {
      err = sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                        "PCK certificate: SGX extension has no value");
    } else {
      err = sgxra_pck_ext_parse(cx, ASN1_STRING_get0_data(os),
                                (size_t)ASN1_STRING_length(os), out);
    }
  }
  ASN1_OBJECT_free(obj);
  X509_free(x);
  if (err) memset(out, 0, sizeof *out);
  return err;
}

/* ---- writing the extension (sgxra_pck_extension_encode) ------------------
 *
 * The DER is written by hand with a small fixed buffer: every element is
 * built inside out (content first, then wrapped in its tag and length).
 * What it writes is what parse_ext above reads back. */

/* Cap on the extension's size: the real ones are under 600 bytes. */
#define WBUF_CAP 4096

typedef struct wbuf {
  uint8_t p[WBUF_CAP];
  size_t n;
  int overflow;
} wbuf;

static void w_raw(wbuf *b, const uint8_t *p, size_t n) {
  if (b->overflow || n > WBUF_CAP - b->n) {
    b->overflow = 1;
    return;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

/* tag, definite length (short or long form), content */
static void w_tlv(wbuf *b, uint8_t tag, const uint8_t *content, size_t n) {
  uint8_t hdr[4];
  size_t h = 0;
  hdr[h++] = tag;
  if (n < 0x80) {
    hdr[h++] = (uint8_t)n;
  } else if (n < 0x100) {
    hdr[h++] = 0x81;
    hdr[h++] = (uint8_t)n;
  } else {
    hdr[h++] = 0x82;
    hdr[h++] = (uint8_t)(n >> 8);
    hdr[h++] = (uint8_t)n;
  }
  w_raw(b, hdr, h);
  w_raw(b, content, n);
}

/* Non-negative INTEGER, minimal two's complement (a leading 0x00 when the
 * top bit of the first byte is set). */
static void w_uint(wbuf *b, uint32_t v) {
  uint8_t tmp[5];
  size_t n = 0;
  int started = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    uint8_t byte = (uint8_t)(v >> shift);
    if (!started && byte == 0 && shift > 0) continue;
    if (!started && (byte & 0x80)) tmp[n++] = 0;
    started = 1;
    tmp[n++] = byte;
  }
  w_tlv(b, TAG_INTEGER, tmp, n);
}

/* The OID 1.2.840.113741.1.13.1[.a[.b]] (a, b < 128, so one byte each). */
static void w_sgx_oid(wbuf *b, int a, int sub) {
  uint8_t oid[sizeof sgx_oid + 2];
  memcpy(oid, sgx_oid, sizeof sgx_oid);
  size_t n = sizeof sgx_oid;
  if (a > 0) oid[n++] = (uint8_t)a;
  if (sub > 0) oid[n++] = (uint8_t)sub;
  w_tlv(b, TAG_OID, oid, n);
}

/* SEQUENCE { OID .a[.sub], <value already encoded in v> } appended to b */
static void w_pair(wbuf *b, int a, int sub, const wbuf *v) {
  wbuf *seq = calloc(1, sizeof(*seq));
  if (!seq) {
    b->overflow = 1;
    return;
  }
  w_sgx_oid(seq, a, sub);
  w_raw(seq, v->p, v->n);
  seq->overflow |= v->overflow;
  if (seq->overflow) b->overflow = 1;
  w_tlv(b, TAG_SEQUENCE, seq->p, seq->n);
  free(seq);
}

static void w_pair_octets(wbuf *b, int a, int sub, const uint8_t *p, size_t n) {
  wbuf v = {.n = 0};
  w_tlv(&v, TAG_OCTET_STRING, p, n);
  w_pair(b, a, sub, &v);
}

static void w_pair_uint(wbuf *b, int a, int sub, uint32_t x) {
  wbuf v = {.n = 0};
  w_uint(&v, x);
  w_pair(b, a, sub, &v);
}

static void w_pair_bool(wbuf *b, int a, int sub, int x) {
  wbuf v = {.n = 0};
  uint8_t byte = x ? 0xff : 0x00;
  w_tlv(&v, TAG_BOOLEAN, &byte, 1);
  w_pair(b, a, sub, &v);
}

sgxra_err sgxra_pck_extension_encode(sgxra_ctx *cx, const sgxra_pck_ext *info,
                                     uint8_t **out_der, size_t *out_len) {
  if (out_der) *out_der = NULL;
  if (out_len) *out_len = 0;
  if (!info || !out_der || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SGX extension: info and outputs are required");
  if (info->sgx_type > 2)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SGX extension: SGX type must be 0 (standard), 1 "
                       "(scalable) or 2 (scalable with integrity), got %u",
                       info->sgx_type);
  /* Four scratch buffers: the whole list, the TCB list, one value, and the
   * configuration list; heap-allocated as each holds WBUF_CAP bytes. */
  wbuf *all = calloc(1, sizeof(*all));
  wbuf *tcb = calloc(1, sizeof(*tcb));
  wbuf *val = calloc(1, sizeof(*val));
  wbuf *conf = calloc(1, sizeof(*conf));
  sgxra_err e = SGXRA_OK;
  if (!all || !tcb || !val || !conf) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "SGX extension: out of memory");
    goto done;
  }

  w_pair_octets(all, 1, 0, info->ppid, SGXRA_PCKEXT_PPID_SIZE);

  for (int i = 0; i < SGXRA_PCKEXT_COMP_COUNT; i++)
    w_pair_uint(tcb, 2, i + 1, info->comp_svn[i]);
  w_pair_uint(tcb, 2, TCB_ARC_PCESVN, info->pcesvn);
  w_pair_octets(tcb, 2, TCB_ARC_CPUSVN, info->cpusvn, SGXRA_CPUSVN_SIZE);
  w_tlv(val, TAG_SEQUENCE, tcb->p, tcb->n);
  val->overflow |= tcb->overflow;
  w_pair(all, 2, 0, val);

  w_pair_octets(all, 3, 0, info->pceid, SGXRA_PCKEXT_PCEID_SIZE);
  w_pair_octets(all, 4, 0, info->fmspc, SGXRA_PCKEXT_FMSPC_SIZE);

  val->n = 0;
  w_tlv(val, TAG_ENUMERATED, &info->sgx_type, 1);
  w_pair(all, 5, 0, val);

  if (info->has_platform_instance_id)
    w_pair_octets(all, 6, 0, info->platform_instance_id,
                  SGXRA_PCKEXT_PLATFORM_INSTANCE_ID_SIZE);
  if (info->has_configuration) {
    if (info->dynamic_platform >= 0)
      w_pair_bool(conf, 7, 1, info->dynamic_platform);
    if (info->cached_keys >= 0) w_pair_bool(conf, 7, 2, info->cached_keys);
    if (info->smt_enabled >= 0) w_pair_bool(conf, 7, 3, info->smt_enabled);
    val->n = 0;
    w_tlv(val, TAG_SEQUENCE, conf->p, conf->n);
    val->overflow |= conf->overflow;
    w_pair(all, 7, 0, val);
  }

  if (all->overflow) {
    e = sgxra__fail(cx, SGXRA_E_INTERNAL,
                    "SGX extension: encoding exceeds %d bytes", WBUF_CAP);
    goto done;
  }
  /* The outer SEQUENCE. */
  val->n = 0;
  w_tlv(val, TAG_SEQUENCE, all->p, all->n);
  if (val->overflow) {
    e = sgxra__fail(cx, SGXRA_E_INTERNAL,
                    "SGX extension: encoding exceeds %d bytes", WBUF_CAP);
    goto done;
  }
  *out_der = malloc(val->n);
  if (!*out_der) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "SGX extension: out of memory");
    goto done;
  }
  memcpy(*out_der, val->p, val->n);
  *out_len = val->n;
done:
  free(all);
  free(tcb);
  free(val);
  free(conf);
  return e;
}

/* ---- the PCK leaf certificate ------------------------------------------- */

#define TAG_BIT_STRING 0x03
#define TAG_UTC_TIME 0x17
#define TAG_GENERALIZED_TIME 0x18
#define TAG_SET 0x31
#define TAG_CTX0 0xa0 /* [0] EXPLICIT version */
#define TAG_CTX3 0xa3 /* [3] EXPLICIT extensions */
/* SEC 1 2.3.3: the first byte of an uncompressed point. */
#define EC_POINT_UNCOMPRESSED 0x04
_Static_assert(SGXRA_PCK_CERT_CN_SIZE == SGXRA_X509_CN_SIZE,
               "a PCK certificate's CN is kept as sgxra_x509_cert's");

/* OIDs (contents only): ecdsa-with-SHA256 1.2.840.10045.4.3.2,
 * id-ecPublicKey 1.2.840.10045.2.1, prime256v1 1.2.840.10045.3.1.7,
 * commonName 2.5.4.3. */
static const uint8_t oid_ecdsa_sha256[] = {0x2a, 0x86, 0x48, 0xce,
                                           0x3d, 0x04, 0x03, 0x02};
static const uint8_t oid_ec_public_key[] = {0x2a, 0x86, 0x48, 0xce,
                                            0x3d, 0x02, 0x01};
static const uint8_t oid_prime256v1[] = {0x2a, 0x86, 0x48, 0xce,
                                         0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};

static int oid_is(const der_elem *e, const uint8_t *oid, size_t n) {
  return e->tag == TAG_OID && e->n == n && memcmp(e->c, oid, n) == 0;
}

static sgxra_err cert_fail(sgxra_ctx *cx, const char *what, size_t at) {
  return sgxra__fail(cx, SGXRA_E_PCKEXT_FORMAT,
                     "PCK certificate: %s at offset %zu is not as Intel's PCK "
                     "profile requires",
                     what, at);
}

/* AlgorithmIdentifier that must be ecdsa-with-SHA256 (no parameters). */
static sgxra_err expect_ecdsa_sha256(sgxra_ctx *cx, der *d, const char *what) {
  der_elem seq, oid;
  sgxra_err err = der_expect(cx, d, TAG_SEQUENCE, what, &seq);
  if (err) return err;
  der in;
  der_enter(&in, &seq);
  err = der_expect(cx, &in, TAG_OID, what, &oid);
  if (err) return err;
  if (!oid_is(&oid, oid_ecdsa_sha256, sizeof oid_ecdsa_sha256) ||
      in.off != in.len)
    return cert_fail(cx, what, seq.at);
  return SGXRA_OK;
}

static int digits(const uint8_t *p, size_t n, unsigned *out) {
  unsigned v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return 0;
    v = v * 10 + (unsigned)(p[i] - '0');
  }
  *out = v;
  return 1;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280
 * 4.1.2.5) to unix seconds. */
static sgxra_err der_time(sgxra_ctx *cx, const der_elem *e, const char *what,
                          int64_t *out) {
  unsigned y, mo, d, h, mi, s;
  const uint8_t *p = e->c;
  size_t yl = e->tag == TAG_UTC_TIME ? 2 : 4;
  if ((e->tag != TAG_UTC_TIME && e->tag != TAG_GENERALIZED_TIME) ||
      e->n != yl + 11 || p[e->n - 1] != 'Z' || !digits(p, yl, &y) ||
      !digits(p + yl, 2, &mo) || !digits(p + yl + 2, 2, &d) ||
      !digits(p + yl + 4, 2, &h) || !digits(p + yl + 6, 2, &mi) ||
      !digits(p + yl + 8, 2, &s) || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || s > 59)
    return cert_fail(cx, what, e->at);
  if (yl == 2) y += y < 50 ? 2000 : 1900;
  *out = sgxra_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return SGXRA_OK;
}

/* The first commonName of a Name (SEQUENCE OF SET OF AttributeTypeAndValue)
 * into out; "" when there is none. */
static sgxra_err name_cn(sgxra_ctx *cx, const der_elem *name,
                         char out[SGXRA_PCK_CERT_CN_SIZE]) {
  out[0] = 0;
  der d;
  der_enter(&d, name);
  while (d.off < d.len) {
    der_elem set;
    sgxra_err err = der_expect(cx, &d, TAG_SET, "Name RDN", &set);
    if (err) return err;
    der s;
    der_enter(&s, &set);
    while (s.off < s.len) {
      der_elem atv, type, val;
      if ((err = der_expect(cx, &s, TAG_SEQUENCE, "Name attribute", &atv)))
        return err;
      der a;
      der_enter(&a, &atv);
      if ((err = der_expect(cx, &a, TAG_OID, "Name attribute type", &type)) ||
          (err = der_next(cx, &a, "Name attribute value", &val)))
        return err;
      if (!out[0] && oid_is(&type, oid_cn, sizeof oid_cn) &&
          val.n < SGXRA_PCK_CERT_CN_SIZE) {
        memcpy(out, val.c, val.n);
        out[val.n] = 0;
      }
    }
  }
  return SGXRA_OK;
}

static sgxra_err parse_cert(sgxra_ctx *cx, const uint8_t *p, size_t n,
                            sgxra_pck_cert *out) {
  der top = {p, n, 0, 0, "PCK certificate"};
  der_elem cert, tbs, e;
  sgxra_err err = der_expect(cx, &top, TAG_SEQUENCE, "Certificate", &cert);
  if (err) return err;
  if (top.off != n) return cert_fail(cx, "trailing bytes", top.off);
  der c;
  der_enter(&c, &cert);
  if ((err = der_expect(cx, &c, TAG_SEQUENCE, "TBSCertificate", &tbs)))
    return err;
  out->tbs = p + tbs.at;
  out->tbs_len = tbs.hdr + tbs.n;
  if ((err = expect_ecdsa_sha256(cx, &c, "signatureAlgorithm"))) return err;
  if ((err = der_expect(cx, &c, TAG_BIT_STRING, "signatureValue", &e)))
    return err;
  if (e.n < 2 || e.c[0] != 0 || c.off != c.len)
    return cert_fail(cx, "signatureValue", e.at);
  out->sig_der = e.c + 1;
  out->sig_der_len = e.n - 1;

  der t;
  der_enter(&t, &tbs);
  der_elem ver;
  if ((err = der_expect(cx, &t, TAG_CTX0, "version", &ver))) return err;
  if (ver.n != 3 || ver.c[0] != TAG_INTEGER || ver.c[1] != 1 || ver.c[2] != 2)
    return cert_fail(cx, "version (v3 expected)", ver.at);
  if ((err = der_expect(cx, &t, TAG_INTEGER, "serialNumber", &e))) return err;
  if (e.n == 0 || e.n > SGXRA_X509_SERIAL_MAX)
    return cert_fail(cx, "serialNumber", e.at);
  out->serial = e.c;
  out->serial_len = e.n;
  if ((err = expect_ecdsa_sha256(cx, &t, "signature"))) return err;
  if ((err = der_expect(cx, &t, TAG_SEQUENCE, "issuer", &e))) return err;
  out->issuer = p + e.at;
  out->issuer_len = e.hdr + e.n;
  der_elem val, nb, na;
  if ((err = der_expect(cx, &t, TAG_SEQUENCE, "validity", &val))) return err;
  der vd;
  der_enter(&vd, &val);
  if ((err = der_next(cx, &vd, "notBefore", &nb)) ||
      (err = der_next(cx, &vd, "notAfter", &na)) ||
      (err = der_time(cx, &nb, "notBefore", &out->not_before)) ||
      (err = der_time(cx, &na, "notAfter", &out->not_after)))
    return err;
  if ((err = der_expect(cx, &t, TAG_SEQUENCE, "subject", &e))) return err;
  out->subject = p + e.at;
  out->subject_len = e.hdr + e.n;
  if ((err = name_cn(cx, &e, out->subject_cn))) return err;

  der_elem spki, alg, key, o1, o2;
  if ((err = der_expect(cx, &t, TAG_SEQUENCE, "subjectPublicKeyInfo", &spki)))
    return err;
  der sp;
  der_enter(&sp, &spki);
  if ((err = der_expect(cx, &sp, TAG_SEQUENCE, "key algorithm", &alg)) ||
      (err = der_expect(cx, &sp, TAG_BIT_STRING, "subjectPublicKey", &key)))
    return err;
  der al;
  der_enter(&al, &alg);
  if ((err = der_expect(cx, &al, TAG_OID, "key algorithm", &o1)) ||
      (err = der_expect(cx, &al, TAG_OID, "key curve", &o2)))
    return err;
  if (!oid_is(&o1, oid_ec_public_key, sizeof oid_ec_public_key) ||
      !oid_is(&o2, oid_prime256v1, sizeof oid_prime256v1))
    return cert_fail(cx, "public key (ECDSA P-256 expected)", spki.at);
  /* BIT STRING: 0 unused bits, then the uncompressed point 04 || X || Y */
  if (key.n != 2 + SGXRA_P256_PUBLIC_SIZE || key.c[0] != 0 ||
      key.c[1] != EC_POINT_UNCOMPRESSED)
    return cert_fail(cx, "public key (uncompressed point expected)", key.at);
  memcpy(out->public_key, key.c + 2, SGXRA_P256_PUBLIC_SIZE);

  /* issuerUniqueID [1] and subjectUniqueID [2] may come before [3] */
  der_elem exts;
  int found = 0;
  while (t.off < t.len) {
    if ((err = der_next(cx, &t, "TBSCertificate field", &e))) return err;
    if (e.tag != TAG_CTX3) continue;
    if ((err = der_expect_in(cx, &e, TAG_SEQUENCE, "extensions", &exts)))
      return err;
    der x;
    der_enter(&x, &exts);
    while (x.off < x.len) {
      der_elem ext, id, v;
      if ((err = der_expect(cx, &x, TAG_SEQUENCE, "extension", &ext)))
        return err;
      der xe;
      der_enter(&xe, &ext);
      if ((err = der_expect(cx, &xe, TAG_OID, "extension id", &id)) ||
          (err = der_next(cx, &xe, "extension value", &v)))
        return err;
      if (v.tag == TAG_BOOLEAN &&
          (err = der_next(cx, &xe, "extension value", &v)))
        return err;
      if (v.tag != TAG_OCTET_STRING)
        return cert_fail(cx, "extension value", v.at);
      if (id.n == sizeof sgx_oid &&
          memcmp(id.c, sgx_oid, sizeof sgx_oid) == 0) {
        if (found) return cert_fail(cx, "second SGX extension", ext.at);
        found = 1;
        if ((err = sgxra_pck_ext_parse(cx, v.c, v.n, &out->ext))) return err;
      }
    }
  }
  if (!found) {
    return sgxra__fail(cx, SGXRA_E_PCKEXT_MISSING,
                       "PCK certificate has no SGX extension "
                       "(OID 1.2.840.113741.1.13.1): is it a PCK "
                       "certificate?");
  }
  return SGXRA_OK;
}

sgxra_err sgxra_pck_cert_parse(sgxra_ctx *cx, const uint8_t *der_cert, size_t n,
                               sgxra_pck_cert *out) {
  if (!out || (!der_cert && n)) {
    if (out) memset(out, 0, sizeof *out);
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_pck_cert_parse: NULL argument");
  }
  memset(out, 0, sizeof *out);
  sgxra_err err = parse_cert(cx, der_cert, n, out);
  if (err) memset(out, 0, sizeof *out);
  return err;
}
