/* Tests of the PCK certificate SGX extension parser (sgxra/quote.h) on the
 * PCK certificates inside the vectors' quotes: every bundle's PCK fields
 * must equal its expected.json "pck" (fmspc, pcesvn, comps); damaged
 * extensions (truncated at every length, entries removed, wrong types)
 * give their own error.  The encoder (sgxra_pck_extension_encode) writes a
 * real Intel extension byte for byte and every bundle's back unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/hex.h"
#include "sgxra/quote.h"

/* The leaf (first) certificate of the bundle's quote, as an X509. */
static X509 *leaf_of(const char *bundle, int index) {
  size_t n;
  uint8_t *buf = tu_read_bundle(bundle, "quote.bin", &n);
  sgxra_quote q;
  assert_int_equal(sgxra_quote_parse(NULL, buf, n, &q), SGXRA_OK);
  const char *pem;
  size_t len;
  assert_int_equal(sgxra_quote_pck_chain(NULL, &q, &pem, &len), SGXRA_OK);
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  X509 *x = NULL;
  for (int i = 0; i <= index; i++) {
    X509_free(x);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    assert_non_null(x);
  }
  BIO_free(bio);
  free(buf);
  return x;
}

static uint8_t *der_of(X509 *x, size_t *n) {
  unsigned char *der = NULL;
  int len = i2d_X509(x, &der);
  assert_true(len > 0);
  *n = (size_t)len;
  return der;
}

/* The raw extension value (malloc'ed copy). */
static uint8_t *ext_value(X509 *x, size_t *n) {
  ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
  int idx = X509_get_ext_by_OBJ(x, obj, -1);
  ASN1_OBJECT_free(obj);
  assert_true(idx >= 0);
  ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(x, idx));
  *n = (size_t)ASN1_STRING_length(os);
  uint8_t *v = malloc(*n);
  memcpy(v, ASN1_STRING_get0_data(os), *n);
  return v;
}

static void test_bundles_match_expected(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    X509 *x = leaf_of(tu_bundles[i], 0);
    size_t n;
    uint8_t *der = der_of(x, &n);
    sgxra_ctx *cx = sgxra_ctx_new();
    sgxra_pck_ext e;
    if (sgxra_pck_ext_from_cert_der(cx, der, n, &e) != SGXRA_OK)
      fail_msg("%s: %s", tu_bundles[i], sgxra_ctx_message(cx));

    json_t *exp = tu_bundle_expected(tu_bundles[i]);
    json_t *pck = json_object_get(exp, "pck");
    char fm[13];
    sgxra_hex_encode(e.fmspc, 6, fm);
    assert_string_equal(fm, json_string_value(json_object_get(pck, "fmspc")));
    assert_int_equal(e.pcesvn,
                     json_integer_value(json_object_get(pck, "pcesvn")));
    json_t *comps = json_object_get(pck, "comps");
    assert_int_equal(json_array_size(comps), 16);
    for (size_t k = 0; k < 16; k++)
      assert_int_equal(e.comp_svn[k],
                       json_integer_value(json_array_get(comps, k)));
    const char *ca = json_string_value(json_object_get(pck, "ca"));
    int platform = strstr(ca, "Platform") != NULL;
    /* Platform CA PCKs carry the instance id and configuration (7 entries),
     * Processor CA PCKs do not (5 entries). */
    assert_int_equal(e.has_platform_instance_id, platform);
    assert_int_equal(e.has_configuration, platform);
    if (!platform) assert_int_equal(e.dynamic_platform, -1);
    uint8_t zero_pceid[2] = {0, 0};
    assert_memory_equal(e.pceid, zero_pceid, 2);
    /* here every Platform CA PCK is "scalable" (1), every Processor CA one
     * "standard" (0): read independently from the DER (0A 01 xx) */
    assert_int_equal(e.sgx_type, platform ? 1 : 0);
    json_decref(exp);
    OPENSSL_free(der);
    X509_free(x);
    sgxra_ctx_free(cx);
  }
}

/* sgx-01: a Processor CA PCK; its CPUSVN equals the quote's body CPUSVN
 * for this platform (0b0b0202ff01...) and PPID is 16 bytes. */
static void test_sgx01_details(void **state) {
  (void)state;
  X509 *x = leaf_of("sgx-01-phala-v3", 0);
  size_t n;
  uint8_t *v = ext_value(x, &n);
  sgxra_pck_ext e;
  assert_int_equal(sgxra_pck_ext_parse(NULL, v, n, &e), SGXRA_OK);
  tu_assert_hex(e.fmspc, 6, "00a067110000");
  assert_int_equal(e.pcesvn, 13);
  tu_assert_hex(e.comp_svn, 16, "0b0b0202ff0100000000000000000000");
  tu_assert_hex(e.cpusvn, 16, "0b0b0202ff0100000000000000000000");
  free(v);
  X509_free(x);
}

/* The SGX extension value of the PCK certificate inside
 * vectors/dcap/bundles/sgx-01-phala-v3/quote.bin (Intel SGX PCK Processor
 * CA), as `openssl asn1parse` prints it. */
static const char *REAL_EXT =
    "308201c1301e060a2a864886f84d010d01010410d04ec06d4e6d92dc90d0ad3cf5ee2ddf"
    "30820164060a2a864886f84d010d0102308201543010060b2a864886f84d010d01020102"
    "010b3010060b2a864886f84d010d01020202010b3010060b2a864886f84d010d01020302"
    "01023010060b2a864886f84d010d0102040201023011060b2a864886f84d010d01020502"
    "0200ff3010060b2a864886f84d010d0102060201013010060b2a864886f84d010d010207"
    "0201003010060b2a864886f84d010d0102080201003010060b2a864886f84d010d010209"
    "0201003010060b2a864886f84d010d01020a0201003010060b2a864886f84d010d01020b"
    "0201003010060b2a864886f84d010d01020c0201003010060b2a864886f84d010d01020d"
    "0201003010060b2a864886f84d010d01020e0201003010060b2a864886f84d010d01020f"
    "0201003010060b2a864886f84d010d0102100201003010060b2a864886f84d010d010211"
    "02010d301f060b2a864886f84d010d01021204100b0b0202ff0100000000000000000000"
    "3010060a2a864886f84d010d0103040200003014060a2a864886f84d010d010404060"
    "0a067110000300f060a2a864886f84d010d01050a0100";

static void real_pck_info(sgxra_pck_ext *in) {
  memset(in, 0, sizeof(*in));
  tu_hex("d04ec06d4e6d92dc90d0ad3cf5ee2ddf", in->ppid, 16);
  const uint8_t comps[16] = {11, 11, 2, 2, 255, 1, 0, 0,
                             0,  0,  0, 0, 0,   0, 0, 0};
  memcpy(in->comp_svn, comps, 16);
  in->pcesvn = 13;
  tu_hex("0b0b0202ff0100000000000000000000", in->cpusvn, 16);
  tu_hex("00a067110000", in->fmspc, 6);
  in->dynamic_platform = in->cached_keys = in->smt_enabled = -1;
}

/* The encoder reproduces a real Intel SGX extension byte for byte. */
static void test_encode_matches_intel(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext in;
  real_pck_info(&in);
  uint8_t *der = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_pck_extension_encode(cx, &in, &der, &n), SGXRA_OK);
  assert_int_equal(n, 453);
  tu_assert_hex(der, n, REAL_EXT);
  /* And it goes through the quote module's parser. */
  sgxra_pck_ext out;
  assert_int_equal(sgxra_pck_ext_parse(cx, der, n, &out), SGXRA_OK);
  assert_memory_equal(out.ppid, in.ppid, 16);
  assert_memory_equal(out.comp_svn, in.comp_svn, 16);
  assert_int_equal(out.pcesvn, 13);
  assert_memory_equal(out.fmspc, in.fmspc, 6);
  free(der);

  /* An SGX type the extension cannot hold is the caller's mistake. */
  in.sgx_type = 3;
  assert_int_equal(sgxra_pck_extension_encode(cx, &in, &der, &n),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_null(der);
  assert_int_equal(n, 0);
  assert_int_equal(sgxra_pck_extension_encode(cx, NULL, &der, &n),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

/* Every real PCK certificate's extension (Processor CA: 5 entries;
 * Platform CA: 7, with instance id and configuration) parses and encodes
 * back to the very same bytes. */
static void test_encode_round_trip(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    X509 *x = leaf_of(tu_bundles[i], 0);
    size_t n;
    uint8_t *v = ext_value(x, &n);
    sgxra_pck_ext e;
    assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_OK);
    uint8_t *der = NULL;
    size_t dn = 0;
    assert_int_equal(sgxra_pck_extension_encode(cx, &e, &der, &dn), SGXRA_OK);
    if (dn != n || memcmp(der, v, n) != 0)
      fail_msg("%s: encoded %zu bytes differ from the certificate's %zu",
               tu_bundles[i], dn, n);
    free(der);
    free(v);
    X509_free(x);
  }
  sgxra_ctx_free(cx);
}

/* An element must end inside its parent, not merely inside the input: the
 * PCESVN INTEGER of the real extension (entry .2.17: 30 10 | OID 06 0b ..
 * 11 | 02 01 0d) made to declare 2 bytes reaches one byte into the next
 * entry.  Read past its parent it would give PCESVN 0x0d30 = 3376 and an
 * extension that parses; the parent's bound refuses it, naming the entry. */
static void test_element_past_parent(void **state) {
  (void)state;
  size_t n = strlen(REAL_EXT) / 2;
  uint8_t *v = malloc(n);
  tu_hex(REAL_EXT, v, n);
  static const uint8_t pcesvn_entry[] = {0x30, 0x10, 0x06, 0x0b, 0x2a, 0x86,
                                         0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d,
                                         0x01, 0x02, 0x11, 0x02, 0x01, 0x0d};
  uint8_t *at = NULL;
  for (size_t i = 0; i + sizeof pcesvn_entry <= n; i++)
    if (memcmp(v + i, pcesvn_entry, sizeof pcesvn_entry) == 0) at = v + i;
  assert_non_null(at);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext e;
  assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_OK);
  assert_int_equal(e.pcesvn, 13);
  at[16] = 0x02; /* INTEGER length 1 -> 2 */
  assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_E_PCKEXT_FORMAT);
  char want[96];
  snprintf(want, sizeof want,
           "TCB entry at offset %zu declares 2 bytes, only 1 remain",
           (size_t)(at - v) + 15);
  if (!strstr(sgxra_ctx_message(cx), want))
    fail_msg("\"%s\" lacks \"%s\"", sgxra_ctx_message(cx), want);
  assert_int_equal(e.pcesvn, 0); /* zeroed on error */
  sgxra_ctx_free(cx);
  free(v);
}

/* The DER reader's other bounds, each case built so that a reader without
 * that bound would give another outcome (mutation-checked): the element
 * header's own bytes, the length form, the small-integer rules.  Inputs
 * sit in larger buffers so that a reader looking past n reads defined
 * bytes and fails differently instead of overrunning. */
static void test_der_bounds(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext e;
  static const struct {
    const char *hex; /* the first n bytes are the input */
    size_t n;
    sgxra_err want;
    const char *msg;
  } cases[] = {
      /* one byte: no room for a length (the next byte is not read) */
      {"3000", 1, SGXRA_E_PCKEXT_FORMAT,
       "needs a tag and a length at offset 0, only 1 bytes remain"},
      /* long form cut inside its length bytes */
      {"308201c1", 3, SGXRA_E_PCKEXT_FORMAT,
       "length at offset 0 needs 2 bytes, only 1 remain"},
      /* indefinite length (0x80) and 5 length bytes: not DER */
      {"30800000", 4, SGXRA_E_PCKEXT_FORMAT, "unsupported length form 0x80"},
      {"30850000000000", 7, SGXRA_E_PCKEXT_FORMAT,
       "unsupported length form 0x85"},
      /* the 4-byte form is the longest accepted */
      {"308400000000", 6, SGXRA_E_PCKEXT_COUNT, "has 0 entries"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t buf[16];
    tu_hex(cases[i].hex, buf, strlen(cases[i].hex) / 2);
    assert_int_equal(sgxra_pck_ext_parse(cx, buf, cases[i].n, &e),
                     cases[i].want);
    if (!strstr(sgxra_ctx_message(cx), cases[i].msg))
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, sgxra_ctx_message(cx),
               cases[i].msg);
  }

  /* Values in the real extension: a component SVN with its top bit set is
   * a negative INTEGER (not 139); SGX type 3 is above the largest, 2. */
  size_t n = strlen(REAL_EXT) / 2;
  uint8_t *v = malloc(n);
  tu_hex(REAL_EXT, v, n);
  static const uint8_t comp1[] = {0x0d, 0x01, 0x02, 0x01, 0x02, 0x01, 0x0b};
  size_t at = 0;
  for (size_t i = 0; i + sizeof comp1 <= n; i++)
    if (memcmp(v + i, comp1, sizeof comp1) == 0) at = i + sizeof comp1 - 1;
  assert_true(at > 0);
  v[at] = 0x8b;
  assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "TCB component SVN at offset"));
  assert_non_null(strstr(sgxra_ctx_message(cx), "non-negative integer"));
  v[at] = 0x0b;
  assert_int_equal(v[n - 3], 0x0a); /* ENUMERATED 0a 01 00, last */
  v[n - 1] = 3;
  assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(
      strstr(sgxra_ctx_message(cx), "SGX type is 3, above its maximum 2"));
  v[n - 1] = 2;
  assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_OK);
  assert_int_equal(e.sgx_type, 2);
  free(v);

  /* The certificate: nothing after it, nothing after its signatureValue
   * (a NULL 05 00 added inside the Certificate SEQUENCE, whose 2-byte
   * length grows by 2). */
  X509 *x = leaf_of("sgx-01-phala-v3", 0);
  size_t dn;
  uint8_t *der = der_of(x, &dn);
  uint8_t *c = malloc(dn + 2);
  memcpy(c, der, dn);
  c[dn] = 0x05;
  c[dn + 1] = 0x00;
  sgxra_pck_cert pc;
  assert_int_equal(sgxra_pck_cert_parse(cx, c, dn, &pc), SGXRA_OK);
  assert_int_equal(sgxra_pck_cert_parse(cx, c, dn + 1, &pc),
                   SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "trailing bytes"));
  assert_int_equal(c[1], 0x82);
  size_t len = ((size_t)c[2] << 8 | c[3]) + 2;
  c[2] = (uint8_t)(len >> 8);
  c[3] = (uint8_t)len;
  assert_int_equal(sgxra_pck_cert_parse(cx, c, dn + 2, &pc),
                   SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "signatureValue"));
  free(c);
  OPENSSL_free(der);
  X509_free(x);
  sgxra_ctx_free(cx);
}

static void test_truncated_every_length(void **state) {
  (void)state;
  X509 *x = leaf_of("sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid", 0);
  size_t n;
  uint8_t *v = ext_value(x, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext e;
  assert_int_equal(sgxra_pck_ext_parse(cx, v, n, &e), SGXRA_OK);
  assert_int_equal(e.has_configuration, 1);
  assert_int_equal(e.has_platform_instance_id, 1);
  for (size_t k = 0; k < n; k++) {
    uint8_t *cut = malloc(k ? k : 1);
    memcpy(cut, v, k);
    memset(&e, 0x5a, sizeof e);
    sgxra_err err = sgxra_pck_ext_parse(cx, k ? cut : NULL, k, &e);
    if (err != SGXRA_E_PCKEXT_FORMAT)
      fail_msg("length %zu: %s", k, sgxra_err_name(err));
    const uint8_t *b = (const uint8_t *)&e;
    for (size_t i = 0; i < sizeof e; i++) assert_int_equal(b[i], 0);
    free(cut);
  }
  /* a trailing byte after the SEQUENCE */
  uint8_t *more = malloc(n + 1);
  memcpy(more, v, n);
  more[n] = 0;
  assert_int_equal(sgxra_pck_ext_parse(cx, more, n + 1, &e),
                   SGXRA_E_PCKEXT_FORMAT);
  free(more);
  free(v);
  X509_free(x);
  sgxra_ctx_free(cx);
}

/* DER helpers for building damaged extensions. */
static size_t der_len(const uint8_t *p, size_t *hdr) {
  if (p[1] < 0x80) {
    *hdr = 2;
    return p[1];
  }
  size_t k = p[1] & 0x7f, n = 0;
  for (size_t i = 0; i < k; i++) n = (n << 8) | p[2 + i];
  *hdr = 2 + k;
  return n;
}

static size_t put_hdr(uint8_t *o, uint8_t tag, size_t n) {
  o[0] = tag;
  if (n < 128) {
    o[1] = (uint8_t)n;
    return 2;
  }
  o[1] = 0x82;
  o[2] = (uint8_t)(n >> 8);
  o[3] = (uint8_t)n;
  return 4;
}

/* Re-encode the top SEQUENCE keeping only entries whose bit is set in
 * `keep`. */
static uint8_t *keep_entries(const uint8_t *v, unsigned keep, size_t *out_n) {
  size_t hdr;
  size_t total = der_len(v, &hdr);
  uint8_t *body = malloc(total);
  size_t bn = 0, off = hdr, idx = 0;
  while (off < hdr + total) {
    size_t h;
    size_t len = der_len(v + off, &h);
    if (keep & (1u << idx)) {
      memcpy(body + bn, v + off, h + len);
      bn += h + len;
    }
    off += h + len;
    idx++;
  }
  uint8_t *o = malloc(bn + 4);
  size_t oh = put_hdr(o, 0x30, bn);
  memcpy(o + oh, body, bn);
  free(body);
  *out_n = oh + bn;
  return o;
}

static void test_entry_counts(void **state) {
  (void)state;
  X509 *x = leaf_of("sgx-01-phala-v3", 0);
  size_t n, m;
  uint8_t *v = ext_value(x, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext e;
  /* all five kept: re-encoding is faithful */
  uint8_t *o = keep_entries(v, 0x1f, &m);
  assert_int_equal(m, n);
  assert_int_equal(sgxra_pck_ext_parse(cx, o, m, &e), SGXRA_OK);
  free(o);
  /* four entries: wrong count */
  o = keep_entries(v, 0x0f, &m);
  assert_int_equal(sgxra_pck_ext_parse(cx, o, m, &e), SGXRA_E_PCKEXT_COUNT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "4 entries"));
  free(o);
  /* six entries (SGX type twice): wrong count for Intel */
  uint8_t *six = malloc(n + 64);
  size_t hdr;
  size_t total = der_len(v, &hdr);
  size_t off = hdr, last = 0, lastlen = 0;
  while (off < hdr + total) {
    size_t h;
    size_t len = der_len(v + off, &h);
    last = off;
    lastlen = h + len;
    off += h + len;
  }
  size_t bn = total + lastlen;
  size_t oh = put_hdr(six, 0x30, bn);
  memcpy(six + oh, v + hdr, total);
  memcpy(six + oh + total, v + last, lastlen);
  assert_int_equal(sgxra_pck_ext_parse(cx, six, oh + bn, &e),
                   SGXRA_E_PCKEXT_COUNT);
  free(six);
  free(v);
  X509_free(x);
  sgxra_ctx_free(cx);
}

static void test_damaged_values(void **state) {
  (void)state;
  X509 *x = leaf_of("sgx-01-phala-v3", 0);
  size_t n;
  uint8_t *v = ext_value(x, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext e;
  /* The FMSPC value's OCTET STRING tag 04 06 directly follows its OID
   * ...0D 01 04; turn it into an INTEGER. */
  static const uint8_t fmspc_oid[] = {0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86,
                                      0xf8, 0x4d, 0x01, 0x0d, 0x01, 0x04};
  uint8_t *c = malloc(n);
  memcpy(c, v, n);
  size_t at = 0;
  for (size_t i = 0; i + sizeof fmspc_oid < n; i++)
    if (memcmp(c + i, fmspc_oid, sizeof fmspc_oid) == 0) at = i;
  assert_true(at > 0);
  assert_int_equal(c[at + sizeof fmspc_oid], 0x04);
  c[at + sizeof fmspc_oid] = 0x02;
  assert_int_equal(sgxra_pck_ext_parse(cx, c, n, &e), SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "FMSPC"));
  /* rename the FMSPC OID (.4 -> .9, unknown and ignored): FMSPC missing */
  memcpy(c, v, n);
  c[at + sizeof fmspc_oid - 1] = 0x09;
  assert_int_equal(sgxra_pck_ext_parse(cx, c, n, &e), SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "FMSPC"));
  assert_non_null(strstr(sgxra_ctx_message(cx), "missing"));
  /* an indefinite length on the top SEQUENCE */
  memcpy(c, v, n);
  c[1] = 0x80;
  assert_int_equal(sgxra_pck_ext_parse(cx, c, n, &e), SGXRA_E_PCKEXT_FORMAT);
  free(c);
  free(v);
  X509_free(x);
  sgxra_ctx_free(cx);
}

static void test_not_a_pck(void **state) {
  (void)state;
  /* the intermediate CA of the chain has no SGX extension */
  X509 *x = leaf_of("sgx-01-phala-v3", 1);
  size_t n;
  uint8_t *der = der_of(x, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_ext e;
  assert_int_equal(sgxra_pck_ext_from_cert_der(cx, der, n, &e),
                   SGXRA_E_PCKEXT_MISSING);
  der[0] = 0x31; /* not a certificate any more */
  assert_int_equal(sgxra_pck_ext_from_cert_der(cx, der, n, &e),
                   SGXRA_E_PCKEXT_FORMAT);
  assert_int_equal(sgxra_pck_ext_from_cert_der(cx, NULL, 0, &e),
                   SGXRA_E_INVALID_ARGUMENT);
  OPENSSL_free(der);
  X509_free(x);
  sgxra_ctx_free(cx);
}

/* sgxra_pck_cert_parse against OpenSSL's reading of the same certificates */
static void test_cert_parse_matches_openssl(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    X509 *x = leaf_of(tu_bundles[i], 0);
    size_t n;
    uint8_t *der = der_of(x, &n);
    sgxra_ctx *cx = sgxra_ctx_new();
    sgxra_pck_cert c;
    if (sgxra_pck_cert_parse(cx, der, n, &c) != SGXRA_OK)
      fail_msg("%s: %s", tu_bundles[i], sgxra_ctx_message(cx));
    sgxra_pck_ext e;
    assert_int_equal(sgxra_pck_ext_from_cert_der(cx, der, n, &e), SGXRA_OK);
    assert_memory_equal(&c.ext, &e, sizeof e);
    assert_string_equal(c.subject_cn, "Intel SGX PCK Certificate");
    /* validity */
    int64_t nb = 0, na = 0;
    struct tm tm;
    assert_int_equal(ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm), 1);
    nb = (int64_t)timegm(&tm);
    assert_int_equal(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
    na = (int64_t)timegm(&tm);
    assert_int_equal(c.not_before, nb);
    assert_int_equal(c.not_after, na);
    /* serial */
    const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
    unsigned char *sd = NULL;
    int sl = i2d_ASN1_INTEGER((ASN1_INTEGER *)sn, &sd);
    assert_true(sl > 2);
    assert_int_equal(c.serial_len, (size_t)sl - 2);
    assert_memory_equal(c.serial, sd + 2, c.serial_len);
    OPENSSL_free(sd);
    /* public key */
    unsigned char pub[65];
    size_t pl = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(X509_get0_pubkey(x),
                                                     "encoded-pub-key", pub,
                                                     sizeof pub, &pl),
                     1);
    assert_int_equal(pl, 65);
    assert_memory_equal(c.public_key, pub + 1, 64);
    /* issuer and TBS spans */
    unsigned char *nm = NULL;
    int nl = i2d_X509_NAME(X509_get_issuer_name(x), &nm);
    assert_int_equal(c.issuer_len, (size_t)nl);
    assert_memory_equal(c.issuer, nm, c.issuer_len);
    OPENSSL_free(nm);
    unsigned char *tbs = NULL;
    int tl = i2d_re_X509_tbs(x, &tbs);
    assert_int_equal(c.tbs_len, (size_t)tl);
    assert_memory_equal(c.tbs, tbs, c.tbs_len);
    OPENSSL_free(tbs);
    OPENSSL_free(der);
    X509_free(x);
    sgxra_ctx_free(cx);
  }
}

static void test_cert_parse_damage(void **state) {
  (void)state;
  X509 *x = leaf_of("sgx-01-phala-v3", 0);
  size_t n;
  uint8_t *der = der_of(x, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pck_cert c;
  /* every truncation: refused, never a crash, output zeroed */
  for (size_t k = 0; k < n; k++) {
    uint8_t *cut = malloc(k ? k : 1);
    memcpy(cut, der, k);
    memset(&c, 0x77, sizeof c);
    sgxra_err err = sgxra_pck_cert_parse(cx, k ? cut : NULL, k, &c);
    if (err != SGXRA_E_PCKEXT_FORMAT)
      fail_msg("length %zu: %s", k, sgxra_err_name(err));
    const uint8_t *b = (const uint8_t *)&c;
    for (size_t i = 0; i < sizeof c; i++) assert_int_equal(b[i], 0);
    free(cut);
  }
  /* every byte flipped: parses or fails with a code, never crashes */
  uint8_t *f = malloc(n);
  size_t ok = 0;
  for (size_t k = 0; k < n; k++) {
    memcpy(f, der, n);
    f[k] ^= 0x80;
    sgxra_err err = sgxra_pck_cert_parse(cx, f, n, &c);
    if (err == SGXRA_OK)
      ok++;
    else
      assert_true(err == SGXRA_E_PCKEXT_FORMAT || err == SGXRA_E_PCKEXT_COUNT ||
                  err == SGXRA_E_PCKEXT_MISSING);
  }
  assert_true(ok >= 64); /* at least the 64 key bytes are plain data */
  /* the signature algorithm OID (last byte of ...04 03 02) altered */
  static const uint8_t alg[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
  memcpy(f, der, n);
  size_t at = 0;
  for (size_t i = 0; i + sizeof alg <= n; i++)
    if (memcmp(f + i, alg, sizeof alg) == 0) {
      at = i + sizeof alg - 1;
      break;
    }
  assert_true(at > 0);
  f[at] = 0x03; /* ecdsa-with-SHA384 */
  assert_int_equal(sgxra_pck_cert_parse(cx, f, n, &c), SGXRA_E_PCKEXT_FORMAT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "signature"));
  free(f);
  OPENSSL_free(der);
  X509_free(x);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bundles_match_expected),
      cmocka_unit_test(test_sgx01_details),
      cmocka_unit_test(test_encode_matches_intel),
      cmocka_unit_test(test_encode_round_trip),
      cmocka_unit_test(test_element_past_parent),
      cmocka_unit_test(test_der_bounds),
      cmocka_unit_test(test_truncated_every_length),
      cmocka_unit_test(test_entry_counts),
      cmocka_unit_test(test_damaged_values),
      cmocka_unit_test(test_not_a_pck),
      cmocka_unit_test(test_cert_parse_matches_openssl),
      cmocka_unit_test(test_cert_parse_damage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
