/* X.509 certificates and chains of Intel's SGX PKI: see sgxra/x509.h. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "crypto/internal.h"
#include "quote/x509_internal.h"
#include "sgxra/hex.h"
#include "sgxra/timeutil.h"

/* Intel SGX Root CA, as published at
 * https://certificates.trustedservices.intel.com/Intel_SGX_Provisioning_Certification_RootCA.pem
 * (DER SHA-256 44a0196b...74d3).  The default trust anchor. */
static const char intel_root_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIw\n"
    "aDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENv\n"
    "cnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ\n"
    "BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgG\n"
    "A1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0\n"
    "aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT\n"
    "AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi7\n"
    "1OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOB\n"
    "uzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ\n"
    "MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50\n"
    "ZWwuY29tL0ludGVsU0dYUm9vdENBLmRlcjAdBgNVHQ4EFgQUImUM1lqdNInzg7SV\n"
    "Ur9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI\n"
    "KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwg\n"
    "AiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZUGOdRQ7cvqRXaqI=\n"
    "-----END CERTIFICATE-----\n";

/* ---- shared helpers (x509_internal.h) ------------------------------------ */

int sgxra__asn1_time_unix(const ASN1_TIME *t, int64_t *out) {
  struct tm tm;
  *out = 0;
  if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return -1;
  int64_t days =
      sgxra_days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                            (unsigned)tm.tm_mday);
  *out = days * 86400 + (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 +
         tm.tm_sec;
  return 0;
}

void sgxra__name_cn(const X509_NAME *name, char out[SGXRA_X509_CN_SIZE]) {
  out[0] = '\0';
  if (name == NULL) return;
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return;
  const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
  const ASN1_STRING *s = X509_NAME_ENTRY_get_data(e);
  unsigned char *utf8 = NULL;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return;
  size_t n = (size_t)len < SGXRA_X509_CN_SIZE - 1 ? (size_t)len
                                                  : SGXRA_X509_CN_SIZE - 1;
  memcpy(out, utf8, n);
  out[n] = '\0';
  OPENSSL_free(utf8);
}

static const uint8_t *find_text(const uint8_t *p, size_t n,
                                const char *needle) {
  size_t k = strlen(needle);
  if (n < k) return NULL;
  for (size_t i = 0; i + k <= n; i++)
    if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, k) == 0)
      return p + i;
  return NULL;
}

sgxra_err sgxra__pem_next(sgxra_ctx *cx, const uint8_t *p, size_t n,
                          const char *label, sgxra_err code, uint8_t **out_der,
                          size_t *out_len, size_t *out_end) {
  char begin[64], end[64];
  *out_der = NULL;
  *out_len = 0;
  *out_end = n;
  snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
  snprintf(end, sizeof(end), "-----END %s-----", label);
  const uint8_t *b = find_text(p, n, begin);
  if (b == NULL) return SGXRA_OK;
  const uint8_t *body = b + strlen(begin);
  size_t left = n - (size_t)(body - p);
  const uint8_t *e = find_text(body, left, end);
  /* A block cut short and followed by another: the END found would be the
   * next block's, so look for a BEGIN line in between. */
  const uint8_t *next =
      find_text(body, e ? (size_t)(e - body) : left, "-----BEGIN ");
  if (e == NULL || next != NULL)
    return sgxra__fail(
        cx, code, "PEM block '%s' at offset %zu has no '%s' line%s", begin,
        (size_t)(b - p), end, next ? " before the next BEGIN line" : "");
  size_t blen = (size_t)(e - body);
  char *clean = malloc(blen + 1);
  if (clean == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "PEM body");
  size_t m = 0;
  for (size_t i = 0; i < blen; i++) {
    uint8_t ch = body[i];
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') continue;
    clean[m++] = (char)ch;
  }
  sgxra_err err = SGXRA_OK;
  if (m == 0) {
    err = sgxra__fail(cx, code, "PEM block at offset %zu is empty",
                      (size_t)(b - p));
  } else {
    err = sgxra_base64_decode_alloc(cx, clean, m, out_der, out_len);
    if (err != SGXRA_OK) {
      char why[SGXRA_CTX_MSG_SIZE];
      snprintf(why, sizeof(why), "%s", sgxra_ctx_message(cx));
      err = sgxra__fail(cx, code, "PEM block at offset %zu is not base64: %s",
                        (size_t)(b - p), why);
    }
  }
  free(clean);
  if (err == SGXRA_OK) *out_end = (size_t)(e - p) + strlen(end);
  return err;
}

/* ---- PEM text to DER certificates ------------------------------------------
 */

static int is_pem_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* In strict mode only whitespace may come before, between and after the
 * blocks (and NULs at the very end, as a C string's terminator). */
static sgxra_err check_between(sgxra_ctx *cx, const uint8_t *p, size_t from,
                               size_t to, size_t n, size_t count) {
  for (size_t i = from; i < to; i++) {
    if (is_pem_space(p[i])) continue;
    if (to == n && p[i] == 0) {
      size_t j = i;
      while (j < n && p[j] == 0) j++;
      if (j == n) break; /* trailing NULs */
    }
    char where[48];
    if (to == n)
      snprintf(where, sizeof(where), "after certificate %zu", count);
    else if (count == 0)
      snprintf(where, sizeof(where), "before the first certificate");
    else
      snprintf(where, sizeof(where), "between certificates %zu and %zu", count,
               count + 1);
    return sgxra__fail(cx, SGXRA_E_X509_PEM,
                       "byte 0x%02x at offset %zu %s is not PEM: only "
                       "whitespace may surround the certificates",
                       p[i], i, where);
  }
  return SGXRA_OK;
}

void sgxra_x509_pem_certs_free(sgxra_x509_pem_certs *certs) {
  if (certs == NULL) return;
  for (size_t i = 0; i < certs->count; i++) free(certs->certs[i].der);
  free(certs);
}

sgxra_err sgxra_x509_pem_split(sgxra_ctx *cx, const uint8_t *p, size_t n,
                               size_t max_certs, unsigned flags,
                               sgxra_x509_pem_certs **out_certs) {
  if (out_certs) *out_certs = NULL;
  if (out_certs == NULL || (p == NULL && n != 0) || max_certs == 0 ||
      max_certs > SGXRA_X509_CHAIN_MAX || (flags & ~SGXRA_X509_PEM_STRICT))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_x509_pem_split: NULL argument, a count cap "
                       "outside 1..%d or unknown flags 0x%x",
                       SGXRA_X509_CHAIN_MAX, flags);
  sgxra_x509_pem_certs *cs = calloc(1, sizeof(*cs));
  if (cs == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "PEM certificates");
  size_t off = 0;
  sgxra_err err = SGXRA_OK;
  while (off < n) {
    uint8_t *der = NULL;
    size_t dlen = 0, end = 0;
    /* A last block with no END line after it, cut at the end of the text:
     * Intel's QVL (CertificateChain::parse, splitChain) drops it silently,
     * and so does the lenient mode; a block without END followed by another
     * block is refused by both (sgxra__pem_next), and so is a lone cut
     * block (no certificate: QVL's STATUS_UNSUPPORTED_CERT_FORMAT). */
    if (!(flags & SGXRA_X509_PEM_STRICT) && cs->count > 0) {
      const uint8_t *b =
          find_text(p + off, n - off, "-----BEGIN CERTIFICATE-----");
      if (b != NULL && find_text(b, n - (size_t)(b - p),
                                 "-----END CERTIFICATE-----") == NULL)
        break;
    }
    err = sgxra__pem_next(cx, p + off, n - off, "CERTIFICATE", SGXRA_E_X509_PEM,
                          &der, &dlen, &end);
    if (err != SGXRA_OK) break;
    if (der == NULL) break; /* no more blocks */
    /* Where this block starts: its BEGIN line is the first in p + off. */
    size_t begin = off + (size_t)(find_text(p + off, n - off,
                                            "-----BEGIN CERTIFICATE-----") -
                                  (p + off));
    if ((flags & SGXRA_X509_PEM_STRICT) &&
        (err = check_between(cx, p, off, begin, n, cs->count)) != SGXRA_OK) {
      free(der);
      break;
    }
    if (cs->count == max_certs) {
      free(der);
      err = sgxra__fail(cx, SGXRA_E_X509_CHAIN_LENGTH,
                        "more than %zu certificate%s in the PEM chain "
                        "(another begins at offset %zu)",
                        max_certs, max_certs == 1 ? "" : "s", begin);
      break;
    }
    if (dlen > SGXRA_X509_DER_MAX) {
      free(der);
      err = sgxra__fail(cx, SGXRA_E_X509_PEM,
                        "PEM certificate %zu at offset %zu holds %zu bytes of "
                        "DER, more than the %u a certificate may have",
                        cs->count + 1, begin, dlen, SGXRA_X509_DER_MAX);
      break;
    }
    sgxra_x509_pem_cert *c = &cs->certs[cs->count++];
    c->der = der;
    c->der_len = dlen;
    c->begin = begin;
    c->end = off + end;
    off += end;
  }
  if (err == SGXRA_OK && cs->count == 0)
    err = sgxra__fail(cx, SGXRA_E_X509_PEM,
                      "no '-----BEGIN CERTIFICATE-----' block in %zu bytes of "
                      "input: a PEM certificate chain was expected",
                      n);
  if (err == SGXRA_OK && (flags & SGXRA_X509_PEM_STRICT))
    err = check_between(cx, p, off, n, n, cs->count);
  if (err != SGXRA_OK) {
    sgxra_x509_pem_certs_free(cs);
    return err;
  }
  *out_certs = cs;
  return SGXRA_OK;
}

/* ---- one certificate -------------------------------------------------------
 */

static void cert_clear(sgxra_x509_cert *c) {
  X509_free(c->x);
  free((void *)c->der);
  sgxra_p256_free(c->key);
  memset(c, 0, sizeof(*c));
}

/* ---- certificates of the fixed shape: a bounded DER walk -----------------
 *
 * Intel's SGX certificates (the root, the PCK Platform/Processor CA, the
 * TCB signing certificate) all have one shape: v3, ecdsa-with-SHA256,
 * names of single printable-ASCII attributes, an uncompressed P-256 key,
 * and only basicConstraints, keyUsage, the key identifiers and CRL
 * distribution points as extensions.  For such a certificate d2i_X509
 * (most of a cold verification's time, through OpenSSL's generic key
 * decoders) is replaced by the walk below and a key built from the raw
 * point on cached P-256 parameters.
 *
 * The walk accepts only what it reads completely, in strict DER, to the
 * same values OpenSSL's decoding gives (names, validity, serial, key,
 * EXFLAG_CA, the key usage bits, no EXFLAG_INVALID; see each check), so
 * every check done with the X509 is done with these values; anything else
 * (another algorithm or extension, a critical flag written FALSE, a
 * non-minimal length, an empty key usage, a point off the curve, ...) is
 * left to d2i_X509 and the checks as before, which then decide.  The
 * signature is verified over the TBSCertificate bytes as they are (what
 * X509_verify hashes: OpenSSL keeps the received encoding), both
 * AlgorithmIdentifiers being exactly ecdsa-with-SHA256 and the BIT STRING
 * without unused bits. */

typedef struct dspan {
  const uint8_t *p;
  size_t n;
} dspan;

/* The next element of *in with tag `tag`: its contents in *val, its whole
 * TLV in *whole (may be NULL).  Strict DER lengths (minimal, <= 0xffff). */
static int d_next(dspan *in, uint8_t tag, dspan *val, dspan *whole) {
  if (in->n < 2 || in->p[0] != tag) return 0;
  size_t hdr = 2, len = in->p[1];
  if (len == 0x81) {
    if (in->n < 3 || in->p[2] < 0x80) return 0;
    len = in->p[2];
    hdr = 3;
  } else if (len == 0x82) {
    if (in->n < 4 || in->p[2] == 0) return 0;
    len = (size_t)in->p[2] << 8 | in->p[3];
    hdr = 4;
  } else if (len & 0x80) {
    return 0;
  }
  if (len > in->n - hdr) return 0;
  val->p = in->p + hdr;
  val->n = len;
  if (whole) {
    whole->p = in->p;
    whole->n = hdr + len;
  }
  in->p += hdr + len;
  in->n -= hdr + len;
  return 1;
}

/* The next bytes of *in are exactly b[0..n). */
static int d_exact(dspan *in, const uint8_t *b, size_t n) {
  if (in->n < n || memcmp(in->p, b, n) != 0) return 0;
  in->p += n;
  in->n -= n;
  return 1;
}

static const uint8_t alg_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                           0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
/* SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 00 04 } */
static const uint8_t spki_p256_prefix[] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
static const uint8_t version_v3[] = {0xa0, 0x03, 0x02, 0x01, 0x02};

/* A PrintableString character (X.680 41.4). */
static int printable(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == ' ' || c == '\'' || c == '(' ||
         c == ')' || c == '+' || c == ',' || c == '-' || c == '.' || c == '/' ||
         c == ':' || c == '=' || c == '?';
}

/* A Name of RDNs of one attribute each, types 2.5.4.x, values UTF8String
 * or PrintableString of printable ASCII (their canonical and UTF-8 forms
 * in OpenSSL are then the bytes themselves); the first commonName into
 * cn, truncated as sgxra__name_cn does. */
static int fast_name(dspan name, char cn[SGXRA_X509_CN_SIZE]) {
  cn[0] = '\0';
  int rdns = 0, have_cn = 0;
  while (name.n > 0) {
    dspan set, atv, type, val;
    if (!d_next(&name, 0x31, &set, NULL) || !d_next(&set, 0x30, &atv, NULL) ||
        set.n != 0 || !d_next(&atv, 0x06, &type, NULL) || type.n != 3 ||
        type.p[0] != 0x55 || type.p[1] != 0x04 || type.p[2] >= 0x80)
      return 0;
    uint8_t tag = atv.n > 0 ? atv.p[0] : 0;
    if ((tag != 0x0c && tag != 0x13) || !d_next(&atv, tag, &val, NULL) ||
        atv.n != 0 || val.n == 0)
      return 0;
    for (size_t i = 0; i < val.n; i++)
      if (val.p[i] < 0x20 || val.p[i] > 0x7e ||
          (tag == 0x13 && !printable(val.p[i])))
        return 0;
    if (type.p[2] == 3 && !have_cn) {
      size_t k =
          val.n < SGXRA_X509_CN_SIZE - 1 ? val.n : SGXRA_X509_CN_SIZE - 1;
      memcpy(cn, val.p, k);
      cn[k] = '\0';
      have_cn = 1;
    }
    rdns++;
  }
  return rdns > 0;
}

static int two_digits(const uint8_t *p, unsigned *out) {
  if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return 0;
  *out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
  return 1;
}

/* UTCTime YYMMDDHHMMSSZ (years 1950..2049, as ASN1_TIME_to_tm) or
 * GeneralizedTime YYYYMMDDHHMMSSZ, a real date and time. */
static int fast_time(dspan *in, int64_t *out) {
  dspan t;
  size_t yl;
  if (in->n > 0 && in->p[0] == 0x17) {
    yl = 2;
    if (!d_next(in, 0x17, &t, NULL)) return 0;
  } else {
    yl = 4;
    if (!d_next(in, 0x18, &t, NULL)) return 0;
  }
  if (t.n != yl + 11 || t.p[t.n - 1] != 'Z') return 0;
  unsigned y1, y2 = 0, mo, d, h, mi, s;
  if (!two_digits(t.p, &y1) || (yl == 4 && !two_digits(t.p + 2, &y2)) ||
      !two_digits(t.p + yl, &mo) || !two_digits(t.p + yl + 2, &d) ||
      !two_digits(t.p + yl + 4, &h) || !two_digits(t.p + yl + 6, &mi) ||
      !two_digits(t.p + yl + 8, &s))
    return 0;
  unsigned y = yl == 2 ? (y1 < 50 ? 2000 + y1 : 1900 + y1) : y1 * 100 + y2;
  static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 ||
      d > mdays[mo - 1] + (mo == 2 && leap ? 1u : 0u) || h > 23 || mi > 59 ||
      s > 59)
    return 0;
  *out = sgxra_days_from_civil((int64_t)y, mo, d) * 86400 + (int64_t)h * 3600 +
         (int64_t)mi * 60 + s;
  return 1;
}

/* One extension's value, of the fixed shape.  Sets the bit of its kind in
 * *seen (a second one is refused), and *is_ca / *ku for those kinds. */
static int fast_ext(uint8_t kind, dspan v, unsigned *seen, int *is_ca,
                    uint32_t *ku) {
  unsigned bit;
  dspan a, b, c, d;
  switch (kind) {
  case 0x13: /* basicConstraints: {} | {cA TRUE} | {cA TRUE, pathLen} */
    bit = 1;
    if (!d_next(&v, 0x30, &a, NULL) || v.n != 0) return 0;
    if (a.n == 0) {
      *is_ca = 0;
    } else {
      static const uint8_t ca_true[] = {0x01, 0x01, 0xff};
      if (!d_exact(&a, ca_true, sizeof ca_true)) return 0;
      *is_ca = 1;
      /* pathLenConstraint: a small non-negative INTEGER */
      if (a.n != 0 && (!d_next(&a, 0x02, &b, NULL) || a.n != 0 || b.n != 1 ||
                       b.p[0] >= 0x80))
        return 0;
    }
    break;
  case 0x0f: /* keyUsage: BIT STRING of 1 or 2 bytes, some bit set */
    bit = 2;
    if (!d_next(&v, 0x03, &a, NULL) || v.n != 0 || a.n < 2 || a.n > 3 ||
        a.p[0] > 7)
      return 0;
    {
      /* as OpenSSL reads it: unused bits cleared, data[0] | data[1] << 8 */
      uint8_t k[2] = {a.p[1], a.n == 3 ? a.p[2] : 0};
      k[a.n - 2] &= (uint8_t)(0xff << a.p[0]);
      *ku = (uint32_t)k[0] | (uint32_t)k[1] << 8;
      if (*ku == 0) return 0;
    }
    break;
  case 0x0e: /* subjectKeyIdentifier: OCTET STRING */
    bit = 4;
    if (!d_next(&v, 0x04, &a, NULL) || v.n != 0 || a.n == 0) return 0;
    break;
  case 0x23: /* authorityKeyIdentifier: { [0] keyIdentifier } only */
    bit = 8;
    if (!d_next(&v, 0x30, &a, NULL) || v.n != 0 ||
        !d_next(&a, 0x80, &b, NULL) || a.n != 0 || b.n == 0)
      return 0;
    break;
  case 0x1f: /* cRLDistributionPoints: one point, one URI, nothing else */
    bit = 16;
    if (!d_next(&v, 0x30, &a, NULL) || v.n != 0 ||
        !d_next(&a, 0x30, &b, NULL) || a.n != 0 ||
        !d_next(&b, 0xa0, &c, NULL) || b.n != 0 ||
        !d_next(&c, 0xa0, &d, NULL) || c.n != 0 ||
        !d_next(&d, 0x86, &a, NULL) || d.n != 0 || a.n == 0)
      return 0;
    for (size_t i = 0; i < a.n; i++)
      if (a.p[i] <= 0x20 || a.p[i] > 0x7e) return 0;
    break;
  default:
    return 0;
  }
  if (*seen & bit) return 0;
  *seen |= bit;
  return 1;
}

/* Read c->der (c->der_len bytes) as a certificate of the fixed shape into
 * c (everything but x and key); 0 when it is not of that shape. */
static int fast_walk(sgxra_x509_cert *c, const uint8_t **point) {
  const uint8_t *base = c->der;
  dspan all = {c->der, c->der_len}, cert, tbs, tbs_whole, sig, t, e;
  if (!d_next(&all, 0x30, &cert, NULL) || all.n != 0 ||
      !d_next(&cert, 0x30, &tbs, &tbs_whole) ||
      !d_exact(&cert, alg_ecdsa_sha256, sizeof alg_ecdsa_sha256) ||
      !d_next(&cert, 0x03, &sig, NULL) || cert.n != 0 || sig.n < 2 ||
      sig.p[0] != 0)
    return 0;
  c->tbs_off = (size_t)(tbs_whole.p - base);
  c->tbs_len = tbs_whole.n;
  c->sig_off = (size_t)(sig.p + 1 - base);
  c->sig_len = sig.n - 1;
  /* TBSCertificate: version v3, serialNumber, signature, issuer,
   * validity, subject, subjectPublicKeyInfo, [3] extensions */
  if (!d_exact(&tbs, version_v3, sizeof version_v3) ||
      !d_next(&tbs, 0x02, &t, NULL) || t.n == 0 || (t.p[0] & 0x80))
    return 0;
  /* a positive serial, minimal; OpenSSL keeps it without the 0x00 */
  if (t.p[0] == 0) {
    if (t.n < 2 || !(t.p[1] & 0x80)) return 0;
    t.p++;
    t.n--;
  }
  if (t.n > SGXRA_X509_SERIAL_MAX) return 0;
  memcpy(c->serial.bytes, t.p, t.n);
  c->serial.len = t.n;
  if (!d_exact(&tbs, alg_ecdsa_sha256, sizeof alg_ecdsa_sha256) ||
      !d_next(&tbs, 0x30, &t, &e) || !fast_name(t, c->issuer_cn))
    return 0;
  c->issuer_der = e.p;
  c->issuer_len = e.n;
  dspan val;
  if (!d_next(&tbs, 0x30, &val, NULL) || !fast_time(&val, &c->not_before) ||
      !fast_time(&val, &c->not_after) || val.n != 0 ||
      !d_next(&tbs, 0x30, &t, &e) || !fast_name(t, c->subject_cn))
    return 0;
  c->subject_der = e.p;
  c->subject_len = e.n;
  if (!d_exact(&tbs, spki_p256_prefix, sizeof spki_p256_prefix) ||
      tbs.n < SGXRA_P256_PUBLIC_SIZE)
    return 0;
  *point = tbs.p;
  tbs.p += SGXRA_P256_PUBLIC_SIZE;
  tbs.n -= SGXRA_P256_PUBLIC_SIZE;
  /* no extensions: not a CA, no key usage (X509_get_key_usage: all) */
  c->is_ca = 0;
  c->can_sign_certs = 1;
  c->ext_count = 0;
  if (tbs.n == 0) return 1;
  dspan x3, exts;
  if (!d_next(&tbs, 0xa3, &x3, NULL) || tbs.n != 0 ||
      !d_next(&x3, 0x30, &exts, NULL) || x3.n != 0 || exts.n == 0)
    return 0;
  unsigned seen = 0;
  uint32_t ku = UINT32_MAX;
  while (exts.n > 0) {
    dspan ext, oid, v;
    static const uint8_t critical[] = {0x01, 0x01, 0xff};
    if (c->ext_count == SGXRA__X509_FAST_EXT_MAX ||
        !d_next(&exts, 0x30, &ext, NULL) || !d_next(&ext, 0x06, &oid, NULL) ||
        oid.n != 3 || oid.p[0] != 0x55 || oid.p[1] != 0x1d)
      return 0;
    (void)d_exact(&ext, critical, sizeof critical); /* any, for OpenSSL */
    if (!d_next(&ext, 0x04, &v, NULL) || ext.n != 0 ||
        !fast_ext(oid.p[2], v, &seen, &c->is_ca, &ku))
      return 0;
    sgxra__x509_ext_span *s = &c->ext[c->ext_count++];
    s->oid_off = (size_t)(oid.p - base);
    s->oid_len = oid.n;
    s->val_off = (size_t)(v.p - base);
    s->val_len = v.n;
  }
  c->can_sign_certs = ku == UINT32_MAX || (ku & KU_KEY_CERT_SIGN) != 0;
  return 1;
}

/* c->der read by fast_walk, with its key built from the raw point: 1; 0
 * when not of the fixed shape or the point is not on the curve (c is then
 * as it was: x NULL, der and der_len set, everything else zero). */
/* ---- decoded certificates, shared within the process ----------------------
 *
 * d2i_X509 is most of a cold verification's time: OpenSSL 3 decodes each
 * certificate's public key through its generic provider decoders.  The same
 * certificates come again and again: Intel's root is in every issuer chain
 * of a bundle and is also the built-in trust anchor, the TCB signing
 * certificate heads two chains.  So a decoded X509 is kept here, keyed by
 * its exact DER (compared byte for byte, never by a hash or a name), and
 * shared with X509_up_ref.  Only clean decodes (the whole input, no
 * trailing bytes) enter; what is derived from the X509 (names, flags,
 * dates, key) is still computed for every certificate, so a hit skips only
 * the decoding of identical bytes.  A decoded X509 is only read afterwards
 * (OpenSSL locks its lazily computed extension cache), so sharing it
 * across threads is safe.  Bounded: CERT_CACHE_MAX entries, the oldest
 * replaced. */
#define CERT_CACHE_MAX 16
typedef struct cached_cert {
  uint8_t *der;
  size_t n;
  X509 *x;
} cached_cert;
static pthread_mutex_t cert_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cached_cert cert_cache[CERT_CACHE_MAX];
static size_t cert_cache_next;

static X509 *cert_cache_get(const uint8_t *der, size_t n) {
  X509 *x = NULL;
  pthread_mutex_lock(&cert_cache_lock);
  for (size_t i = 0; i < CERT_CACHE_MAX && x == NULL; i++) {
    const cached_cert *e = &cert_cache[i];
    if (e->x != NULL && e->n == n && memcmp(e->der, der, n) == 0 &&
        X509_up_ref(e->x) == 1)
      x = e->x;
  }
  pthread_mutex_unlock(&cert_cache_lock);
  return x;
}

static void cert_cache_put(const uint8_t *der, size_t n, X509 *x) {
  uint8_t *copy = malloc(n);
  if (copy == NULL) return;
  if (X509_up_ref(x) != 1) {
    free(copy);
    return;
  }
  memcpy(copy, der, n);
  pthread_mutex_lock(&cert_cache_lock);
  cached_cert *e = &cert_cache[cert_cache_next];
  cert_cache_next = (cert_cache_next + 1) % CERT_CACHE_MAX;
  cached_cert old = *e;
  e->der = copy;
  e->n = n;
  e->x = x;
  pthread_mutex_unlock(&cert_cache_lock);
  X509_free(old.x);
  free(old.der);
}

/* Signatures of certificates that verified, each as (the certificate's
 * exact DER, the signer's exact public point): within one verification the
 * root's self-signature and the TCB signing certificate are checked once per
 * chain that carries them.  A pair is only ever looked up by byte-for-byte
 * equality of both, so a changed certificate or another key is verified
 * afresh; failures are never kept.  Same lock and bound as above. */
typedef struct verified_sig {
  uint8_t *der;
  size_t n;
  uint8_t key[SGXRA_P256_PUBLIC_SIZE];
} verified_sig;
static verified_sig sig_cache[CERT_CACHE_MAX];
static size_t sig_cache_next;

static int sig_cache_has(const sgxra_x509_cert *c,
                         const uint8_t key[SGXRA_P256_PUBLIC_SIZE]) {
  int hit = 0;
  pthread_mutex_lock(&cert_cache_lock);
  for (size_t i = 0; i < CERT_CACHE_MAX && !hit; i++) {
    const verified_sig *e = &sig_cache[i];
    hit = e->der != NULL && e->n == c->der_len &&
          memcmp(e->key, key, SGXRA_P256_PUBLIC_SIZE) == 0 &&
          memcmp(e->der, c->der, c->der_len) == 0;
  }
  pthread_mutex_unlock(&cert_cache_lock);
  return hit;
}

static void sig_cache_put(const sgxra_x509_cert *c,
                          const uint8_t key[SGXRA_P256_PUBLIC_SIZE]) {
  uint8_t *copy = malloc(c->der_len);
  if (copy == NULL) return;
  memcpy(copy, c->der, c->der_len);
  pthread_mutex_lock(&cert_cache_lock);
  verified_sig *e = &sig_cache[sig_cache_next];
  sig_cache_next = (sig_cache_next + 1) % CERT_CACHE_MAX;
  uint8_t *old = e->der;
  e->der = copy;
  e->n = c->der_len;
  memcpy(e->key, key, SGXRA_P256_PUBLIC_SIZE);
  pthread_mutex_unlock(&cert_cache_lock);
  free(old);
}

/* 1 when `signer`'s key verifies c's signature (X509_verify), once per
 * process for each (c's DER, signer's key) pair. */
static int cert_signed_by(const sgxra_x509_cert *c,
                          const sgxra_x509_cert *signer) {
  EVP_PKEY *pk = sgxra__x509_pkey(signer);
  if (pk == NULL || signer->key == NULL || c->der == NULL) return 0;
  uint8_t key[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_public_raw(signer->key, key);
  if (sig_cache_has(c, key)) return 1;
  if (c->x != NULL ? X509_verify(c->x, pk) != 1
                   : sgxra_p256_verify_der(
                         NULL, signer->key, c->der + c->tbs_off, c->tbs_len,
                         c->der + c->sig_off, c->sig_len) != SGXRA_OK)
    return 0;
  sig_cache_put(c, key);
  return 1;
}

/* The next character of a Name value as OpenSSL's canonical form has it
 * (x509_name_canon, asn1_string_canon: leading and trailing spaces
 * dropped, runs of spaces made one, ASCII lowercased), for the printable
 * ASCII values fast_name admits; -1 at the end. */
typedef struct canon_it {
  const uint8_t *p, *end;
  int space; /* a space run is pending */
} canon_it;

static int canon_next(canon_it *it) {
  while (it->p < it->end && *it->p == ' ') {
    it->space = 1;
    it->p++;
  }
  if (it->p == it->end) return -1;
  if (it->space) {
    it->space = 0;
    return ' ';
  }
  uint8_t c = *it->p++;
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Names of fast_name's shape compared canonically: 1 equal, 0 not, -1
 * when either is not of that shape. */
static int fast_names_cmp(const uint8_t *a, size_t an, const uint8_t *b,
                          size_t bn) {
  dspan x = {a, an}, y = {b, bn}, xn, yn;
  char cn[SGXRA_X509_CN_SIZE];
  if (!d_next(&x, 0x30, &xn, NULL) || x.n != 0 || !fast_name(xn, cn) ||
      !d_next(&y, 0x30, &yn, NULL) || y.n != 0 || !fast_name(yn, cn))
    return -1;
  while (xn.n > 0 && yn.n > 0) {
    /* fast_name checked the shape: SET { SEQUENCE { OID 55 04 t, value } } */
    dspan xs, ys, xa, ya, xt, yt, xv, yv;
    (void)(d_next(&xn, 0x31, &xs, NULL) && d_next(&xs, 0x30, &xa, NULL) &&
           d_next(&xa, 0x06, &xt, NULL) && d_next(&xa, xa.p[0], &xv, NULL));
    (void)(d_next(&yn, 0x31, &ys, NULL) && d_next(&ys, 0x30, &ya, NULL) &&
           d_next(&ya, 0x06, &yt, NULL) && d_next(&ya, ya.p[0], &yv, NULL));
    if (xt.p[2] != yt.p[2]) return 0;
    /* leading spaces go; trailing ones are a pending run never emitted */
    canon_it i = {xv.p, xv.p + xv.n, 0}, j = {yv.p, yv.p + yv.n, 0};
    while (i.p < i.end && *i.p == ' ') i.p++;
    while (j.p < j.end && *j.p == ' ') j.p++;
    for (;;) {
      int c = canon_next(&i), d = canon_next(&j);
      if (c != d) return 0;
      if (c < 0) break;
    }
  }
  return xn.n == 0 && yn.n == 0;
}

/* Two Names in DER equal as X509_NAME_cmp has it: the same bytes are the
 * same name; names of the fixed shape that differ canonically differ;
 * otherwise both are decoded and compared by OpenSSL. */
static int names_equal(const uint8_t *a, size_t an, const uint8_t *b,
                       size_t bn) {
  if (a == NULL || b == NULL) return 0;
  if (an == bn && memcmp(a, b, an) == 0) return 1;
  if (fast_names_cmp(a, an, b, bn) == 0) return 0;
  const unsigned char *pa = a, *pb = b;
  X509_NAME *na = an <= LONG_MAX ? d2i_X509_NAME(NULL, &pa, (long)an) : NULL;
  X509_NAME *nb = bn <= LONG_MAX ? d2i_X509_NAME(NULL, &pb, (long)bn) : NULL;
  int eq = na != NULL && nb != NULL && X509_NAME_cmp(na, nb) == 0;
  X509_NAME_free(na);
  X509_NAME_free(nb);
  ERR_clear_error();
  return eq;
}

/* c's issuer is i's subject. */
static int issuer_is(const sgxra_x509_cert *c, const sgxra_x509_cert *i) {
  return names_equal(c->issuer_der, c->issuer_len, i->subject_der,
                     i->subject_len);
}

int sgxra__x509_name_is(const X509_NAME *name, const sgxra_x509_cert *c,
                        int subject) {
  const unsigned char *p = NULL;
  size_t n = 0;
  if (name == NULL || c == NULL || X509_NAME_get0_der(name, &p, &n) != 1) {
    ERR_clear_error();
    return 0;
  }
  return subject ? names_equal(p, n, c->subject_der, c->subject_len)
                 : names_equal(p, n, c->issuer_der, c->issuer_len);
}

EVP_PKEY *sgxra__x509_pkey(const sgxra_x509_cert *c) {
  if (c == NULL) return NULL;
  return c->x != NULL ? X509_get0_pubkey(c->x) : sgxra__p256_evp(c->key);
}

/* Public keys of certificates of the fixed shape, keyed by the exact point:
 * Intel's root comes in every issuer chain and as the built-in anchor, the
 * TCB signing certificate in two chains; its key is built once (on the
 * cached P-256 parameters) and shared, for verifying only.  Same lock and
 * bound as above. */
typedef struct cached_key {
  uint8_t point[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_key *key;
} cached_key;
static cached_key key_cache[CERT_CACHE_MAX];
static size_t key_cache_next;

static sgxra_p256_key *key_from_point(const uint8_t *point) {
  sgxra_p256_key *k = NULL;
  pthread_mutex_lock(&cert_cache_lock);
  for (size_t i = 0; i < CERT_CACHE_MAX && k == NULL; i++)
    if (key_cache[i].key != NULL &&
        memcmp(key_cache[i].point, point, SGXRA_P256_PUBLIC_SIZE) == 0)
      k = sgxra__p256_share(key_cache[i].key);
  pthread_mutex_unlock(&cert_cache_lock);
  if (k != NULL) return k;
  if (sgxra_p256_from_public(NULL, point, &k) != SGXRA_OK) return NULL;
  sgxra_p256_key *shared = sgxra__p256_share(k);
  if (shared == NULL) return k;
  pthread_mutex_lock(&cert_cache_lock);
  cached_key *e = &key_cache[key_cache_next];
  key_cache_next = (key_cache_next + 1) % CERT_CACHE_MAX;
  sgxra_p256_key *old = e->key;
  memcpy(e->point, point, SGXRA_P256_PUBLIC_SIZE);
  e->key = shared;
  pthread_mutex_unlock(&cert_cache_lock);
  sgxra_p256_free(old);
  return k;
}

void sgxra__x509_cache_clear(void) {
  pthread_mutex_lock(&cert_cache_lock);
  sgxra_p256_key *keys[CERT_CACHE_MAX];
  for (size_t i = 0; i < CERT_CACHE_MAX; i++) keys[i] = key_cache[i].key;
  memset(key_cache, 0, sizeof key_cache);
  key_cache_next = 0;
  for (size_t i = 0; i < CERT_CACHE_MAX; i++) free(sig_cache[i].der);
  memset(sig_cache, 0, sizeof sig_cache);
  sig_cache_next = 0;
  cached_cert all[CERT_CACHE_MAX];
  memcpy(all, cert_cache, sizeof all);
  memset(cert_cache, 0, sizeof cert_cache);
  cert_cache_next = 0;
  pthread_mutex_unlock(&cert_cache_lock);
  for (size_t i = 0; i < CERT_CACHE_MAX; i++) {
    X509_free(all[i].x);
    free(all[i].der);
    sgxra_p256_free(keys[i]);
  }
}

static int fast_on = 1;

void sgxra__x509_set_fast(int on) {
  fast_on = on != 0;
}

static int cert_fast(sgxra_x509_cert *c) {
  const uint8_t *point = NULL;
  if (!fast_on) return 0;
  if (!fast_walk(c, &point) || (c->key = key_from_point(point)) == NULL) {
    const uint8_t *der = c->der;
    size_t n = c->der_len;
    memset(c, 0, sizeof *c);
    c->der = der;
    c->der_len = n;
    ERR_clear_error();
    return 0;
  }
  c->self_issued =
      names_equal(c->issuer_der, c->issuer_len, c->subject_der, c->subject_len);
  return 1;
}

/* Fill *c from DER.  `which` names the certificate in messages
 * ("certificate 2"). */
static sgxra_err cert_from_der(sgxra_ctx *cx, const uint8_t *der, size_t n,
                               const char *which, sgxra_x509_cert *c) {
  memset(c, 0, sizeof(*c));
  if (n == 0 || n > (size_t)0x7fffffff)
    return sgxra__fail(cx, SGXRA_E_X509_PARSE, "%s: DER length %zu unusable",
                       which, n);
  uint8_t *copy = malloc(n);
  if (copy == NULL)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s: DER copy", which);
  memcpy(copy, der, n);
  c->der = copy;
  c->der_len = n;
  if (cert_fast(c)) return SGXRA_OK;
  c->x = cert_cache_get(der, n);
  if (c->x == NULL) {
    const unsigned char *q = der;
    c->x = d2i_X509(NULL, &q, (long)n);
    if (c->x == NULL) {
      ERR_clear_error();
      cert_clear(c);
      return sgxra__fail(cx, SGXRA_E_X509_PARSE,
                         "%s: %zu bytes of DER are not an X.509 certificate",
                         which, n);
    }
    if ((size_t)(q - der) != n) {
      size_t used = (size_t)(q - der);
      cert_clear(c);
      return sgxra__fail(cx, SGXRA_E_X509_PARSE,
                         "%s: %zu trailing bytes after the certificate's %zu "
                         "bytes of DER",
                         which, n - used, used);
    }
    cert_cache_put(der, n, c->x);
  }
  if (X509_NAME_get0_der(X509_get_issuer_name(c->x), &c->issuer_der,
                         &c->issuer_len) != 1 ||
      X509_NAME_get0_der(X509_get_subject_name(c->x), &c->subject_der,
                         &c->subject_len) != 1) {
    ERR_clear_error();
    cert_clear(c);
    return sgxra__fail(cx, SGXRA_E_X509_PARSE, "%s: names unreadable", which);
  }
  c->self_issued = X509_NAME_cmp(X509_get_subject_name(c->x),
                                 X509_get_issuer_name(c->x)) == 0;
  /* Computes and caches the extension flags; EXFLAG_INVALID marks
   * undecodable or duplicate standard extensions. */
  uint32_t flags = X509_get_extension_flags(c->x);
  sgxra__name_cn(X509_get_subject_name(c->x), c->subject_cn);
  sgxra__name_cn(X509_get_issuer_name(c->x), c->issuer_cn);
  if (flags & EXFLAG_INVALID) {
    sgxra_err e = sgxra__fail(cx, SGXRA_E_X509_PARSE,
                              "%s ('%s'): an extension is malformed or "
                              "repeated",
                              which, c->subject_cn);
    cert_clear(c);
    return e;
  }
  c->is_ca = (flags & EXFLAG_CA) != 0;
  uint32_t ku = X509_get_key_usage(c->x);
  c->can_sign_certs = ku == UINT32_MAX || (ku & KU_KEY_CERT_SIGN) != 0;
  if (sgxra__asn1_time_unix(X509_get0_notBefore(c->x), &c->not_before) != 0 ||
      sgxra__asn1_time_unix(X509_get0_notAfter(c->x), &c->not_after) != 0) {
    sgxra_err e = sgxra__fail(cx, SGXRA_E_X509_PARSE,
                              "%s ('%s'): validity time unreadable", which,
                              c->subject_cn);
    cert_clear(c);
    return e;
  }
  const ASN1_INTEGER *sn = X509_get0_serialNumber(c->x);
  int snlen = ASN1_STRING_length(sn);
  if (snlen <= 0 || snlen > SGXRA_X509_SERIAL_MAX) {
    sgxra_err e =
        sgxra__fail(cx, SGXRA_E_X509_PARSE,
                    "%s ('%s'): serial number of %d bytes (1..%d "
                    "allowed)",
                    which, c->subject_cn, snlen, SGXRA_X509_SERIAL_MAX);
    cert_clear(c);
    return e;
  }
  memcpy(c->serial.bytes, ASN1_STRING_get0_data(sn), (size_t)snlen);
  c->serial.len = (size_t)snlen;

  EVP_PKEY *pk = X509_get0_pubkey(c->x);
  char group[32] = "";
  size_t glen = 0;
  if (pk == NULL || !EVP_PKEY_is_a(pk, "EC") ||
      EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) != 1 ||
      (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0)) {
    ERR_clear_error();
    sgxra_err e = sgxra__fail(cx, SGXRA_E_X509_KEY,
                              "%s ('%s'): public key is %s%s, expected ECDSA "
                              "P-256 as in Intel's SGX PKI",
                              which, c->subject_cn,
                              pk ? EVP_PKEY_get0_type_name(pk) : "unreadable",
                              group[0] ? group : "");
    cert_clear(c);
    return e;
  }
  sgxra_err e = sgxra_p256_from_evp(cx, pk, &c->key);
  if (e != SGXRA_OK) {
    sgxra__context(cx, e, "%s ('%s')", which, c->subject_cn);
    cert_clear(c);
    return e;
  }
  return SGXRA_OK;
}

/* ---- chains ----------------------------------------------------------------
 */

static sgxra_x509_chain *chain_new(sgxra_ctx *cx) {
  sgxra_x509_chain *ch = calloc(1, sizeof(*ch));
  if (ch == NULL) sgxra__fail(cx, SGXRA_E_NO_MEMORY, "certificate chain");
  return ch;
}

void sgxra_x509_chain_free(sgxra_x509_chain *chain) {
  if (chain == NULL) return;
  for (size_t i = 0; i < chain->count; i++) cert_clear(&chain->certs[i]);
  free(chain);
}

sgxra_err sgxra_x509_chain_parse_pem(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                     sgxra_x509_chain **out_chain) {
  if (out_chain == NULL || (p == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_x509_chain_parse_pem: NULL argument");
  *out_chain = NULL;
  sgxra_x509_pem_certs *pem = NULL;
  sgxra_err err = sgxra_x509_pem_split(cx, p, n, SGXRA_X509_CHAIN_MAX, 0, &pem);
  if (err != SGXRA_OK) return err;
  sgxra_x509_chain *ch = chain_new(cx);
  if (ch == NULL) {
    sgxra_x509_pem_certs_free(pem);
    return SGXRA_E_NO_MEMORY;
  }
  for (size_t i = 0; i < pem->count && err == SGXRA_OK; i++) {
    char which[32];
    snprintf(which, sizeof(which), "certificate %zu", i + 1);
    err = cert_from_der(cx, pem->certs[i].der, pem->certs[i].der_len, which,
                        &ch->certs[i]);
    if (err == SGXRA_OK) ch->count++;
  }
  sgxra_x509_pem_certs_free(pem);
  if (err != SGXRA_OK) {
    sgxra_x509_chain_free(ch);
    return err;
  }
  *out_chain = ch;
  return SGXRA_OK;
}

sgxra_err sgxra_x509_chain_parse_der(sgxra_ctx *cx, const uint8_t *der,
                                     size_t n, sgxra_x509_chain **out_chain) {
  if (out_chain == NULL || (der == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_x509_chain_parse_der: NULL argument");
  *out_chain = NULL;
  sgxra_x509_chain *ch = chain_new(cx);
  if (ch == NULL) return SGXRA_E_NO_MEMORY;
  sgxra_err err = cert_from_der(cx, der, n, "certificate", &ch->certs[0]);
  if (err != SGXRA_OK) {
    free(ch);
    return err;
  }
  ch->count = 1;
  *out_chain = ch;
  return SGXRA_OK;
}

sgxra_err sgxra_x509_intel_root(sgxra_ctx *cx, sgxra_x509_chain **out_chain) {
  return sgxra_x509_chain_parse_pem(cx, (const uint8_t *)intel_root_pem,
                                    sizeof(intel_root_pem) - 1, out_chain);
}

size_t sgxra_x509_chain_count(const sgxra_x509_chain *chain) {
  return chain ? chain->count : 0;
}

const sgxra_x509_cert *sgxra_x509_chain_get(const sgxra_x509_chain *chain,
                                            size_t i) {
  if (chain == NULL || i >= chain->count) return NULL;
  return &chain->certs[i];
}

static int outside(const sgxra_x509_cert *c, int64_t now) {
  return now < c->not_before || now > c->not_after;
}

/* `issuer` signed `c`: names link, issuer is a CA allowed to sign
 * certificates, signature verifies. */
sgxra_err sgxra__x509_check_issued(sgxra_ctx *cx, const sgxra_x509_cert *c,
                                   const sgxra_x509_cert *issuer) {
  if (!issuer_is(c, issuer))
    return sgxra__fail(cx, SGXRA_E_X509_CHAIN_LINK,
                       "certificate '%s' names issuer '%s', but the next "
                       "certificate is '%s': the chain is out of order or "
                       "incomplete",
                       c->subject_cn, c->issuer_cn, issuer->subject_cn);
  if (!issuer->is_ca || !issuer->can_sign_certs)
    return sgxra__fail(cx, SGXRA_E_X509_NOT_CA,
                       "certificate '%s' issued '%s' but is not a CA "
                       "(basicConstraints cA %s, keyCertSign %s)",
                       issuer->subject_cn, c->subject_cn,
                       issuer->is_ca ? "TRUE" : "absent/FALSE",
                       issuer->can_sign_certs ? "allowed" : "not allowed");
  if (!cert_signed_by(c, issuer)) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_X509_SIGNATURE,
                       "signature of certificate '%s' does not verify with "
                       "the key of '%s'",
                       c->subject_cn, issuer->subject_cn);
  }
  return SGXRA_OK;
}

int sgxra__x509_same_key(const sgxra_x509_cert *a, const sgxra_x509_cert *b) {
  /* Both keys are P-256 (cert_from_der): the same point is the same key,
   * as EVP_PKEY_eq has it. */
  if (a == NULL || b == NULL || a->key == NULL || b->key == NULL) return 0;
  uint8_t ka[SGXRA_P256_PUBLIC_SIZE], kb[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_public_raw(a->key, ka);
  sgxra_p256_public_raw(b->key, kb);
  return memcmp(ka, kb, sizeof ka) == 0;
}

sgxra_err sgxra_x509_chain_verify(sgxra_ctx *cx, const sgxra_x509_chain *chain,
                                  const sgxra_x509_cert *root, int64_t now,
                                  int *out_expired) {
  if (out_expired) *out_expired = 0;
  if (chain == NULL || chain->count == 0)
    return sgxra__fail(cx, SGXRA_E_X509_CHAIN_LENGTH,
                       "empty certificate chain");
  sgxra_x509_chain *own_root = NULL;
  if (root == NULL) {
    sgxra_err e = sgxra_x509_intel_root(cx, &own_root);
    if (e != SGXRA_OK) return e;
    root = &own_root->certs[0];
  }
  sgxra_err err = SGXRA_OK;
  int expired = outside(root, now);
  for (size_t i = 0; i + 1 < chain->count && err == SGXRA_OK; i++)
    err = sgxra__x509_check_issued(cx, &chain->certs[i], &chain->certs[i + 1]);
  for (size_t i = 0; i < chain->count; i++)
    expired |= outside(&chain->certs[i], now);
  if (err == SGXRA_OK) {
    const sgxra_x509_cert *top = &chain->certs[chain->count - 1];
    if (sgxra_x509_cert_is_self_issued(top)) {
      /* The chain carries its root: it must be the trust anchor. */
      if (!names_equal(top->subject_der, top->subject_len, root->subject_der,
                       root->subject_len) ||
          !sgxra__x509_same_key(top, root))
        err = sgxra__fail(cx, SGXRA_E_X509_UNTRUSTED_ROOT,
                          "the chain's root '%s' is not the trusted root "
                          "'%s' (different %s): the chain was issued under "
                          "another root; pass that root as the trust root "
                          "only if you trust it",
                          top->subject_cn, root->subject_cn,
                          sgxra__x509_same_key(top, root) ? "name"
                                                          : "public key");
      else if (!top->is_ca || !top->can_sign_certs)
        err = sgxra__fail(cx, SGXRA_E_X509_NOT_CA,
                          "root certificate '%s' is not a CA", top->subject_cn);
      else if (!cert_signed_by(top, root)) {
        ERR_clear_error();
        err = sgxra__fail(cx, SGXRA_E_X509_SIGNATURE,
                          "self-signature of root certificate '%s' does not "
                          "verify",
                          top->subject_cn);
      }
    } else {
      /* The chain stops below the root: its top must be issued by it. */
      err = sgxra__x509_check_issued(cx, top, root);
      if (err == SGXRA_E_X509_CHAIN_LINK)
        err = sgxra__fail(cx, SGXRA_E_X509_UNTRUSTED_ROOT,
                          "certificate '%s' is issued by '%s', not by the "
                          "trusted root '%s'",
                          top->subject_cn, top->issuer_cn, root->subject_cn);
    }
  }
  sgxra_x509_chain_free(own_root);
  if (err == SGXRA_OK && out_expired) *out_expired = expired;
  return err;
}

/* ---- accessors -------------------------------------------------------------
 */

void sgxra_x509_cert_der(const sgxra_x509_cert *c, const uint8_t **out_der,
                         size_t *out_len) {
  *out_der = c ? c->der : NULL;
  *out_len = c ? c->der_len : 0;
}

const char *sgxra_x509_cert_subject_cn(const sgxra_x509_cert *c) {
  return c ? c->subject_cn : "";
}

const char *sgxra_x509_cert_issuer_cn(const sgxra_x509_cert *c) {
  return c ? c->issuer_cn : "";
}

int64_t sgxra_x509_cert_not_before(const sgxra_x509_cert *c) {
  return c ? c->not_before : 0;
}

int64_t sgxra_x509_cert_not_after(const sgxra_x509_cert *c) {
  return c ? c->not_after : 0;
}

const sgxra_x509_serial *sgxra_x509_cert_serial(const sgxra_x509_cert *c) {
  return c ? &c->serial : NULL;
}

const sgxra_p256_key *sgxra_x509_cert_public_key(const sgxra_x509_cert *c) {
  return c ? c->key : NULL;
}

int sgxra_x509_cert_is_ca(const sgxra_x509_cert *c) {
  return c && c->is_ca;
}

int sgxra_x509_cert_is_self_issued(const sgxra_x509_cert *c) {
  return c && c->self_issued;
}

sgxra_err sgxra_x509_cert_extension(sgxra_ctx *cx, const sgxra_x509_cert *c,
                                    const char *oid, const uint8_t **out_value,
                                    size_t *out_len) {
  if (out_value == NULL || out_len == NULL || c == NULL || oid == NULL)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_x509_cert_extension: NULL argument");
  *out_value = NULL;
  *out_len = 0;
  ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
  if (obj == NULL) {
    ERR_clear_error();
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "'%s' is not a dotted OID",
                       oid);
  }
  if (c->x == NULL) {
    /* the fixed shape: its extensions as the walk found them */
    const unsigned char *od = OBJ_get0_data(obj);
    size_t ol = OBJ_length(obj);
    const sgxra__x509_ext_span *hit = NULL;
    int twice = 0;
    for (size_t k = 0; k < c->ext_count; k++) {
      const sgxra__x509_ext_span *x = &c->ext[k];
      if (od != NULL && x->oid_len == ol &&
          memcmp(c->der + x->oid_off, od, ol) == 0) {
        twice |= hit != NULL;
        hit = hit ? hit : x;
      }
    }
    ASN1_OBJECT_free(obj);
    if (hit == NULL)
      return sgxra__fail(cx, SGXRA_E_X509_EXT_MISSING,
                         "certificate '%s' has no extension %s", c->subject_cn,
                         oid);
    if (twice)
      return sgxra__fail(cx, SGXRA_E_X509_PARSE,
                         "certificate '%s' carries extension %s twice",
                         c->subject_cn, oid);
    *out_value = c->der + hit->val_off;
    *out_len = hit->val_len;
    return SGXRA_OK;
  }
  int i = X509_get_ext_by_OBJ(c->x, obj, -1);
  int j = i >= 0 ? X509_get_ext_by_OBJ(c->x, obj, i) : -1;
  ASN1_OBJECT_free(obj);
  if (i < 0)
    return sgxra__fail(cx, SGXRA_E_X509_EXT_MISSING,
                       "certificate '%s' has no extension %s", c->subject_cn,
                       oid);
  if (j >= 0)
    return sgxra__fail(cx, SGXRA_E_X509_PARSE,
                       "certificate '%s' carries extension %s twice",
                       c->subject_cn, oid);
  const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(c->x, i));
  *out_value = ASN1_STRING_get0_data(v);
  *out_len = (size_t)ASN1_STRING_length(v);
  return SGXRA_OK;
}

int sgxra_x509_cert_equal(const sgxra_x509_cert *a, const sgxra_x509_cert *b) {
  if (a == NULL || b == NULL) return 0;
  return a->der_len == b->der_len && memcmp(a->der, b->der, a->der_len) == 0;
}
