/* Tests of certificates, chains and CRLs (sgxra/x509.h) on Intel's real
 * certificates and on a small test PKI built here with OpenSSL (root ->
 * PCK CA -> PCK leaf, root -> TCB signer, CRLs with revoked serials), and of
 * the collateral set's revocation checks with that PKI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/crypto.h"
#include "sgxra/hex.h"
#include "sgxra/timeutil.h"
#include "sgxra/x509.h"

/* 2025-07-01T00:00:00Z: the test PKI is valid a year either side. */
#define NOW 1751328000

static uint8_t *vec(const char *rel, size_t *n) {
  return tu_read_vector(rel, n);
}

static int64_t t(const char *s) {
  int64_t v;
  assert_int_equal(sgxra_time_parse_rfc3339(NULL, s, strlen(s), &v), SGXRA_OK);
  return v;
}

/* ---- a test PKI -------------------------------------------------------- */

static EVP_PKEY *ec_key(void) {
  EVP_PKEY *k = EVP_EC_gen("P-256");
  assert_non_null(k);
  return k;
}

/* A certificate for `key` named `cn`, issued by (issuer, ikey) or self when
 * issuer is NULL.  ca: 1 basicConstraints cA TRUE + keyCertSign, 0 end
 * entity, -1 no basicConstraints at all. */
static X509 *cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
                  long serial, int ca, int64_t nb, int64_t na) {
  X509 *x = X509_new();
  assert_non_null(x);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             (const unsigned char *)cn, -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             (const unsigned char *)"sgxra test", -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
  ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
  X509_set_pubkey(x, key);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
  if (ca >= 0) {
    X509_EXTENSION *e =
        X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
                            ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    e = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
                            ca ? "critical,keyCertSign,cRLSign"
                               : "critical,digitalSignature");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
  }
  assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
  return x;
}

static size_t x509_pem(X509 *x, char *out, size_t cap) {
  BIO *b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char *p;
  long n = BIO_get_mem_data(b, &p);
  assert_true((size_t)n < cap);
  memcpy(out, p, (size_t)n);
  out[n] = 0;
  BIO_free(b);
  return (size_t)n;
}

/* PEM of several certificates concatenated into out. */
static size_t chain_pem(X509 **xs, int n, char *out, size_t cap) {
  size_t len = 0;
  for (int i = 0; i < n; i++) len += x509_pem(xs[i], out + len, cap - len);
  return len;
}

/* A CRL by (issuer, ikey) revoking the given serials; next_update 0 means
 * none. */
static int crl_without_extensions; /* set to build a CRL Intel refuses */

static X509_CRL *crl(X509 *issuer, EVP_PKEY *ikey, const long *serials, int n,
                     int64_t this_update, int64_t next_update) {
  X509_CRL *c = X509_CRL_new();
  if (!crl_without_extensions) {
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    ASN1_INTEGER_set(num, 1);
    assert_int_equal(X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0), 1);
    ASN1_INTEGER_free(num);
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    unsigned char md[20];
    unsigned int mdlen = 0;
    assert_int_equal(X509_pubkey_digest(issuer, EVP_sha1(), md, &mdlen), 1);
    akid->keyid = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(akid->keyid, md, (int)mdlen);
    assert_int_equal(
        X509_CRL_add1_ext_i2d(c, NID_authority_key_identifier, akid, 0, 0), 1);
    AUTHORITY_KEYID_free(akid);
  }
  X509_CRL_set_version(c, 1);
  X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
  ASN1_TIME *tm = ASN1_TIME_set(NULL, (time_t)this_update);
  X509_CRL_set1_lastUpdate(c, tm);
  ASN1_TIME_free(tm);
  if (next_update) {
    tm = ASN1_TIME_set(NULL, (time_t)next_update);
    X509_CRL_set1_nextUpdate(c, tm);
    ASN1_TIME_free(tm);
  }
  for (int i = 0; i < n; i++) {
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *s = ASN1_INTEGER_new();
    ASN1_INTEGER_set(s, serials[i]);
    X509_REVOKED_set_serialNumber(r, s);
    ASN1_INTEGER_free(s);
    tm = ASN1_TIME_set(NULL, (time_t)this_update);
    X509_REVOKED_set_revocationDate(r, tm);
    ASN1_TIME_free(tm);
    X509_CRL_add0_revoked(c, r);
  }
  X509_CRL_sort(c);
  assert_true(X509_CRL_sign(c, ikey, EVP_sha256()) > 0);
  return c;
}

static uint8_t *crl_der(X509_CRL *c, size_t *n) {
  unsigned char *p = NULL;
  int len = i2d_X509_CRL(c, &p);
  assert_true(len > 0);
  uint8_t *out = malloc((size_t)len);
  memcpy(out, p, (size_t)len);
  OPENSSL_free(p);
  *n = (size_t)len;
  return out;
}

typedef struct pki {
  EVP_PKEY *root_key, *ca_key, *leaf_key, *tcb_key, *other_key;
  X509 *root, *ca, *leaf, *tcb;
} pki;

static void pki_make(pki *k) {
  int64_t nb = NOW - 365 * 86400, na = NOW + 365 * 86400;
  k->root_key = ec_key();
  k->ca_key = ec_key();
  k->leaf_key = ec_key();
  k->tcb_key = ec_key();
  k->other_key = ec_key();
  k->root = cert("Test SGX Root CA", k->root_key, NULL, NULL, 1, 1, nb, na);
  k->ca = cert("Test SGX PCK Platform CA", k->ca_key, k->root, k->root_key, 2,
               1, nb, na);
  k->leaf = cert("Test SGX PCK Certificate", k->leaf_key, k->ca, k->ca_key,
                 0x1234567, 0, nb, na);
  k->tcb = cert("Test SGX TCB Signing", k->tcb_key, k->root, k->root_key, 3, 0,
                nb, na);
}

static void pki_free(pki *k) {
  EVP_PKEY_free(k->root_key);
  EVP_PKEY_free(k->ca_key);
  EVP_PKEY_free(k->leaf_key);
  EVP_PKEY_free(k->tcb_key);
  EVP_PKEY_free(k->other_key);
  X509_free(k->root);
  X509_free(k->ca);
  X509_free(k->leaf);
  X509_free(k->tcb);
}

static sgxra_x509_chain *parse_chain(X509 **xs, int n) {
  static char buf[32768];
  size_t len = chain_pem(xs, n, buf, sizeof buf);
  sgxra_x509_chain *ch = NULL;
  sgxra_ctx *cx = sgxra_ctx_new();
  if (sgxra_x509_chain_parse_pem(cx, (const uint8_t *)buf, len, &ch) !=
      SGXRA_OK)
    fail_msg("%s", sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  return ch;
}

/* ---- Intel's certificates ------------------------------------------------ */

static void test_intel_root(void **state) {
  (void)state;
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_intel_root(NULL, &ch), SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_count(ch), 1);
  const sgxra_x509_cert *r = sgxra_x509_chain_get(ch, 0);
  assert_null(sgxra_x509_chain_get(ch, 1));
  const uint8_t *der;
  size_t n;
  sgxra_x509_cert_der(r, &der, &n);
  uint8_t h[32];
  assert_int_equal(sgxra_sha256(NULL, der, n, h), SGXRA_OK);
  tu_assert_hex(
      h, 32,
      "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  assert_string_equal(sgxra_x509_cert_subject_cn(r), "Intel SGX Root CA");
  assert_string_equal(sgxra_x509_cert_issuer_cn(r), "Intel SGX Root CA");
  assert_int_equal(sgxra_x509_cert_not_before(r), t("2018-05-21T10:45:10Z"));
  assert_int_equal(sgxra_x509_cert_not_after(r), t("2049-12-31T23:59:59Z"));
  assert_true(sgxra_x509_cert_is_ca(r));
  assert_true(sgxra_x509_cert_is_self_issued(r));
  const sgxra_x509_serial *s = sgxra_x509_cert_serial(r);
  assert_int_equal(s->len, 20);
  tu_assert_hex(s->bytes, 20, "22650cd65a9d3489f383b49552bf501b392706ac");
  /* Its key is the one Intel's QvE embeds (04 || X || Y). */
  uint8_t xy[64];
  sgxra_p256_public_raw(sgxra_x509_cert_public_key(r), xy);
  tu_assert_hex(xy, 4, "0ba9c4c0");
  /* The published file is the same certificate. */
  size_t fn;
  uint8_t *f = vec("dcap/Intel_SGX_Root_CA.pem", &fn);
  sgxra_x509_chain *fc = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, f, fn, &fc), SGXRA_OK);
  assert_true(sgxra_x509_cert_equal(sgxra_x509_chain_get(fc, 0), r));
  /* A root verifies as a chain of itself. */
  int exp = -1;
  assert_int_equal(sgxra_x509_chain_verify(NULL, fc, NULL, NOW, &exp),
                   SGXRA_OK);
  assert_int_equal(exp, 0);
  assert_int_equal(
      sgxra_x509_chain_verify(NULL, fc, NULL, t("2050-01-01T00:00:00Z"), &exp),
      SGXRA_OK);
  assert_int_equal(exp, 1);
  sgxra_x509_chain_free(fc);
  sgxra_x509_chain_free(ch);
  free(f);
}

static void test_real_chains(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = vec("dcap/bundles/sgx-01-phala-v3/pck_crl_issuer_chain.pem", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(cx, p, n, &ch), SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_count(ch), 2);
  const sgxra_x509_cert *ca = sgxra_x509_chain_get(ch, 0);
  assert_string_equal(sgxra_x509_cert_subject_cn(ca),
                      "Intel SGX PCK Processor CA");
  assert_string_equal(sgxra_x509_cert_issuer_cn(ca), "Intel SGX Root CA");
  assert_true(sgxra_x509_cert_is_ca(ca));
  int exp = -1;
  assert_int_equal(sgxra_x509_chain_verify(cx, ch, NULL, NOW, &exp), SGXRA_OK);
  assert_int_equal(exp, 0);
  /* The CA alone chains to the root too. */
  const uint8_t *der;
  size_t dn;
  sgxra_x509_cert_der(ca, &der, &dn);
  sgxra_x509_chain *one = NULL;
  assert_int_equal(sgxra_x509_chain_parse_der(cx, der, dn, &one), SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_verify(cx, one, NULL, NOW, NULL), SGXRA_OK);
  /* Trailing bytes after DER are refused. */
  uint8_t *longer = malloc(dn + 1);
  memcpy(longer, der, dn);
  longer[dn] = 0;
  sgxra_x509_chain *bad = (sgxra_x509_chain *)1;
  assert_int_equal(sgxra_x509_chain_parse_der(cx, longer, dn + 1, &bad),
                   SGXRA_E_X509_PARSE);
  assert_null(bad);
  free(longer);
  /* Root first: the links do not hold. */
  char rev[8192];
  const char *second =
      strstr((const char *)p + 10, "-----BEGIN CERTIFICATE-----");
  assert_non_null(second);
  size_t first_len = (size_t)(second - (const char *)p);
  memcpy(rev, second, n - first_len);
  memcpy(rev + (n - first_len), p, first_len);
  sgxra_x509_chain *rch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(cx, (uint8_t *)rev, n, &rch),
                   SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_verify(cx, rch, NULL, NOW, NULL),
                   SGXRA_E_X509_CHAIN_LINK);
  print_message("  reversed: %s\n", sgxra_ctx_message(cx));
  /* Extensions: the PCK CA has no SGX extension. */
  const uint8_t *v;
  size_t vn;
  assert_int_equal(
      sgxra_x509_cert_extension(cx, ca, SGXRA_X509_OID_SGX_EXTENSION, &v, &vn),
      SGXRA_E_X509_EXT_MISSING);
  assert_null(v);
  assert_int_equal(sgxra_x509_cert_extension(cx, ca, "2.5.29.19", &v, &vn),
                   SGXRA_OK);
  /* basicConstraints CA:TRUE, pathlen 0: 30 06 01 01 ff 02 01 00 */
  tu_assert_hex(v, vn, "30060101ff020100");
  assert_int_equal(sgxra_x509_cert_extension(cx, ca, "not an oid", &v, &vn),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_x509_chain_free(rch);
  sgxra_x509_chain_free(one);
  sgxra_x509_chain_free(ch);
  sgxra_ctx_free(cx);
  free(p);
}

static void test_pem_errors(void **state) {
  (void)state;
  sgxra_x509_chain *ch = (sgxra_x509_chain *)1;
  const char *none = "no certificate here\n";
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, (const uint8_t *)none,
                                              strlen(none), &ch),
                   SGXRA_E_X509_PEM);
  assert_null(ch);
  const char *b64 =
      "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----\n";
  assert_int_equal(
      sgxra_x509_chain_parse_pem(NULL, (const uint8_t *)b64, strlen(b64), &ch),
      SGXRA_E_X509_PEM);
  const char *open = "-----BEGIN CERTIFICATE-----\nMIIB\n";
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, (const uint8_t *)open,
                                              strlen(open), &ch),
                   SGXRA_E_X509_PEM);
  const char *junk =
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, (const uint8_t *)junk,
                                              strlen(junk), &ch),
                   SGXRA_E_X509_PARSE);
  assert_null(ch);
  /* An RSA certificate is not SGX PKI. */
  EVP_PKEY *rsa = EVP_RSA_gen(2048);
  X509 *x = cert("RSA", rsa, NULL, NULL, 9, 1, NOW - 100, NOW + 100);
  char buf[8192];
  size_t len = x509_pem(x, buf, sizeof buf);
  assert_int_equal(
      sgxra_x509_chain_parse_pem(NULL, (const uint8_t *)buf, len, &ch),
      SGXRA_E_X509_KEY);
  X509_free(x);
  EVP_PKEY_free(rsa);
  /* More than SGXRA_X509_CHAIN_MAX certificates. */
  size_t n;
  uint8_t *root = vec("dcap/Intel_SGX_Root_CA.pem", &n);
  char *many = malloc(n * (SGXRA_X509_CHAIN_MAX + 1));
  for (int i = 0; i <= SGXRA_X509_CHAIN_MAX; i++) memcpy(many + i * n, root, n);
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, (uint8_t *)many,
                                              n * (SGXRA_X509_CHAIN_MAX + 1),
                                              &ch),
                   SGXRA_E_X509_CHAIN_LENGTH);
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, (uint8_t *)many,
                                              n * SGXRA_X509_CHAIN_MAX, &ch),
                   SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_count(ch), SGXRA_X509_CHAIN_MAX);
  sgxra_x509_chain_free(ch);
  /* Every truncation of a PEM chain fails or yields fewer certificates. */
  uint8_t *pc = vec(
      "dcap/bundles/sgx-02-automata-v3-2025-08/pck_crl_issuer_chain.pem", &n);
  const char *last =
      strstr(strstr((const char *)pc, "-----END") + 8, "-----END");
  assert_non_null(last);
  size_t complete =
      (size_t)(last - (const char *)pc) + strlen("-----END CERTIFICATE-----");
  for (size_t k = 0; k < n; k++) {
    sgxra_x509_chain *c2 = NULL;
    if (sgxra_x509_chain_parse_pem(NULL, pc, k, &c2) == SGXRA_OK) {
      assert_int_equal(sgxra_x509_chain_count(c2), k < complete ? 1 : 2);
      sgxra_x509_chain_free(c2);
    } else {
      assert_null(c2);
    }
  }
  free(pc);
  free(many);
  free(root);
}

/* The one PEM reader (sgxra_x509_pem_split): DER and offsets of each
 * block, and a precise error for each way PEM text can be wrong. */
static void expect_split(const char *text, size_t max, unsigned flags,
                         sgxra_err want, const char *msg_part) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_x509_pem_certs *c = (sgxra_x509_pem_certs *)1;
  assert_int_equal(sgxra_x509_pem_split(cx, (const uint8_t *)text, strlen(text),
                                        max, flags, &c),
                   want);
  assert_null(c);
  if (!strstr(sgxra_ctx_message(cx), msg_part))
    fail_msg("message '%s' lacks '%s'", sgxra_ctx_message(cx), msg_part);
  sgxra_ctx_free(cx);
}

static void test_pem_split(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = vec("dcap/bundles/sgx-01-phala-v3/pck_crl_issuer_chain.pem", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_x509_pem_certs *c = NULL;
  assert_int_equal(sgxra_x509_pem_split(cx, p, n, SGXRA_X509_CHAIN_MAX, 0, &c),
                   SGXRA_OK);
  assert_int_equal(c->count, 2);
  /* The DER is the chain parser's, the offsets those of the blocks. */
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(cx, p, n, &ch), SGXRA_OK);
  const char *second =
      strstr((const char *)p + 10, "-----BEGIN CERTIFICATE-----");
  assert_non_null(second);
  assert_int_equal(c->certs[0].begin, 0);
  assert_int_equal(c->certs[1].begin, (size_t)(second - (const char *)p));
  for (size_t i = 0; i < 2; i++) {
    const uint8_t *der;
    size_t dn;
    sgxra_x509_cert_der(sgxra_x509_chain_get(ch, i), &der, &dn);
    assert_int_equal(c->certs[i].der_len, dn);
    assert_memory_equal(c->certs[i].der, der, dn);
    assert_memory_equal(p + c->certs[i].end - 25, "-----END CERTIFICATE-----",
                        25);
    assert_true(c->certs[i].end > c->certs[i].begin);
  }
  sgxra_x509_pem_certs_free(c);
  sgxra_x509_chain_free(ch);
  /* A cap of one: the second block is refused where it begins. */
  c = (sgxra_x509_pem_certs *)1;
  assert_int_equal(sgxra_x509_pem_split(cx, p, n, 1, 0, &c),
                   SGXRA_E_X509_CHAIN_LENGTH);
  assert_null(c);
  char at[64];
  snprintf(at, sizeof at, "offset %zu", (size_t)(second - (const char *)p));
  assert_non_null(strstr(sgxra_ctx_message(cx), at));

  /* Text around the blocks: ignored, or in strict mode the first byte that
   * is not whitespace is named with its offset; NULs at the end pass. */
  char *t = malloc(n + 64);
  snprintf(t, n + 64, "# comment\n%.*s", (int)n, (const char *)p);
  assert_int_equal(sgxra_x509_pem_split(cx, (uint8_t *)t, strlen(t), 2, 0, &c),
                   SGXRA_OK);
  assert_int_equal(c->count, 2);
  assert_int_equal(c->certs[0].begin, 10);
  sgxra_x509_pem_certs_free(c);
  expect_split(t, 2, SGXRA_X509_PEM_STRICT, SGXRA_E_X509_PEM,
               "byte 0x23 at offset 0 before the first certificate");
  snprintf(t, n + 64, "%.*sjunk\n", (int)n, (const char *)p);
  expect_split(t, 2, SGXRA_X509_PEM_STRICT, SGXRA_E_X509_PEM,
               "after certificate 2");
  size_t s2 = (size_t)(second - (const char *)p);
  snprintf(t, n + 64, "%.*s.%.*s", (int)s2, (const char *)p, (int)(n - s2),
           (const char *)p + s2);
  expect_split(t, 2, SGXRA_X509_PEM_STRICT, SGXRA_E_X509_PEM,
               "between certificates 1 and 2");
  memcpy(t, p, n);
  t[n] = t[n + 1] = 0;
  assert_int_equal(sgxra_x509_pem_split(cx, (uint8_t *)t, n + 2, 2,
                                        SGXRA_X509_PEM_STRICT, &c),
                   SGXRA_OK);
  sgxra_x509_pem_certs_free(c);
  t[n] = 0;
  t[n + 1] = 'x'; /* a NUL that is not at the end is not whitespace */
  assert_int_equal(sgxra_x509_pem_split(cx, (uint8_t *)t, n + 2, 2,
                                        SGXRA_X509_PEM_STRICT, &c),
                   SGXRA_E_X509_PEM);
  free(t);

  /* Blocks that are not PEM. */
  expect_split("", 1, 0, SGXRA_E_X509_PEM, "no '-----BEGIN CERTIFICATE-----'");
  /* A last block cut before its END line is dropped, as Intel's QVL
   * CertificateChain::parse (splitChain) drops it; in strict mode it is
   * refused; a cut block followed by another is refused in both. */
  {
    size_t cn;
    uint8_t *chain =
        vec("dcap/bundles/sgx-01-phala-v3/pck_crl_issuer_chain.pem", &cn);
    char *ct = strndup((const char *)chain, cn);
    char *last_end = ct;
    for (char *q = ct; (q = strstr(q, "-----END CERTIFICATE-----")) != NULL;
         q++)
      last_end = q;
    *last_end = 0;
    sgxra_ctx *cx2 = sgxra_ctx_new();
    sgxra_x509_pem_certs *cut = NULL;
    assert_int_equal(sgxra_x509_pem_split(cx2, (const uint8_t *)ct, strlen(ct),
                                          SGXRA_X509_CHAIN_MAX, 0, &cut),
                     SGXRA_OK);
    assert_int_equal(cut->count, 1);
    sgxra_x509_pem_certs_free(cut);
    expect_split(ct, 2, SGXRA_X509_PEM_STRICT, SGXRA_E_X509_PEM,
                 "has no '-----END CERTIFICATE-----' line");
    free(ct);
    ct = strndup((const char *)chain, cn);
    char *first_end = strstr(ct, "-----END CERTIFICATE-----");
    memset(first_end, ' ', strlen("-----END CERTIFICATE-----"));
    expect_split(ct, 2, 0, SGXRA_E_X509_PEM, "before the next BEGIN line");
    free(ct);
    free(chain);
    sgxra_ctx_free(cx2);
  }
  expect_split("-----BEGIN CERTIFICATE-----\nMIIB\n", 1, 0, SGXRA_E_X509_PEM,
               "has no '-----END CERTIFICATE-----' line");
  expect_split("-----BEGIN CERTIFICATE-----\nMIIB\n"
               "-----BEGIN CERTIFICATE-----\nAAAA\n"
               "-----END CERTIFICATE-----\n",
               2, 0, SGXRA_E_X509_PEM, "line before the next BEGIN line");
  expect_split("x-----BEGIN CERTIFICATE-----\nMI*B\n"
               "-----END CERTIFICATE-----\n",
               1, 0, SGXRA_E_X509_PEM, "at offset 1 is not base64");
  expect_split("-----BEGIN CERTIFICATE-----\n \n-----END CERTIFICATE-----\n", 1,
               0, SGXRA_E_X509_PEM, "is empty");
  /* DER over the cap (base64 of SGXRA_X509_DER_MAX + 2 zero bytes). */
  size_t big = SGXRA_X509_DER_MAX + 2, blen = 4 * (big / 3);
  char *b = malloc(blen + 64);
  strcpy(b, "-----BEGIN CERTIFICATE-----\n");
  memset(b + 28, 'A', blen);
  strcpy(b + 28 + blen, "\n-----END CERTIFICATE-----\n");
  char cap[64];
  snprintf(cap, sizeof cap, "holds %zu bytes of DER, more than the %u", big,
           SGXRA_X509_DER_MAX);
  expect_split(b, 1, 0, SGXRA_E_X509_PEM, cap);
  free(b);

  /* Arguments. */
  assert_int_equal(sgxra_x509_pem_split(cx, p, n, 0, 0, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_x509_pem_split(cx, p, n, SGXRA_X509_CHAIN_MAX + 1, 0, &c),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_x509_pem_split(cx, p, n, 2, 2, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_x509_pem_split(cx, NULL, 3, 2, 0, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_x509_pem_split(cx, p, n, 2, 0, NULL),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_x509_pem_certs_free(NULL);
  sgxra_ctx_free(cx);
  free(p);
}

static void test_test_pki_chains(void **state) {
  (void)state;
  pki k;
  pki_make(&k);
  sgxra_ctx *cx = sgxra_ctx_new();
  X509 *full[3] = {k.leaf, k.ca, k.root};
  sgxra_x509_chain *ch = parse_chain(full, 3);
  sgxra_x509_chain *root = parse_chain(&k.root, 1);
  const sgxra_x509_cert *r = sgxra_x509_chain_get(root, 0);
  int exp = -1;
  assert_int_equal(sgxra_x509_chain_verify(cx, ch, r, NOW, &exp), SGXRA_OK);
  assert_int_equal(exp, 0);
  assert_int_equal(sgxra_x509_cert_serial(sgxra_x509_chain_get(ch, 0))->len, 4);
  /* Against Intel's root it is untrusted. */
  assert_int_equal(sgxra_x509_chain_verify(cx, ch, NULL, NOW, &exp),
                   SGXRA_E_X509_UNTRUSTED_ROOT);
  print_message("  %s\n", sgxra_ctx_message(cx));
  /* Without its root, still anchored by issuer to the test root, and not
   * to Intel's. */
  sgxra_x509_chain *two = parse_chain(full, 2);
  assert_int_equal(sgxra_x509_chain_verify(cx, two, r, NOW, NULL), SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_verify(cx, two, NULL, NOW, NULL),
                   SGXRA_E_X509_UNTRUSTED_ROOT);
  /* Outside validity: still OK, flagged. */
  assert_int_equal(sgxra_x509_chain_verify(cx, ch, r, NOW + 400 * 86400, &exp),
                   SGXRA_OK);
  assert_int_equal(exp, 1);
  assert_int_equal(sgxra_x509_chain_verify(cx, ch, r, NOW - 400 * 86400, &exp),
                   SGXRA_OK);
  assert_int_equal(exp, 1);
  /* A leaf signed by another key under the CA's name. */
  X509 *forged = cert("Test SGX PCK Certificate", k.leaf_key, k.ca, k.other_key,
                      77, 0, NOW - 100, NOW + 100);
  X509 *fchain[3] = {forged, k.ca, k.root};
  sgxra_x509_chain *fc = parse_chain(fchain, 3);
  assert_int_equal(sgxra_x509_chain_verify(cx, fc, r, NOW, NULL),
                   SGXRA_E_X509_SIGNATURE);
  print_message("  %s\n", sgxra_ctx_message(cx));
  /* An issuer that is not a CA (end entity, or no basicConstraints). */
  X509 *under_leaf = cert("Below a leaf", k.other_key, k.leaf, k.leaf_key, 78,
                          0, NOW - 100, NOW + 100);
  X509 *nc[4] = {under_leaf, k.leaf, k.ca, k.root};
  sgxra_x509_chain *ncc = parse_chain(nc, 4);
  assert_int_equal(sgxra_x509_chain_verify(cx, ncc, r, NOW, NULL),
                   SGXRA_E_X509_NOT_CA);
  print_message("  %s\n", sgxra_ctx_message(cx));
  X509 *plain = cert("Plain CA", k.ca_key, k.root, k.root_key, 79, -1,
                     NOW - 100, NOW + 100);
  X509 *leaf2 = cert("Leaf of plain", k.leaf_key, plain, k.ca_key, 80, 0,
                     NOW - 100, NOW + 100);
  X509 *pc[3] = {leaf2, plain, k.root};
  sgxra_x509_chain *pcc = parse_chain(pc, 3);
  assert_int_equal(sgxra_x509_chain_verify(cx, pcc, r, NOW, NULL),
                   SGXRA_E_X509_NOT_CA);
  /* A self-signed root with the test root's name but another key. */
  X509 *fake_root = cert("Test SGX Root CA", k.other_key, NULL, NULL, 1, 1,
                         NOW - 100, NOW + 100);
  X509 *frc[3] = {k.leaf, k.ca, fake_root};
  sgxra_x509_chain *frcc = parse_chain(frc, 3);
  /* Under it the CA's signature fails first ... */
  assert_int_equal(sgxra_x509_chain_verify(cx, frcc, r, NOW, NULL),
                   SGXRA_E_X509_SIGNATURE);
  /* ... and alone it is not the trusted root. */
  sgxra_x509_chain *fr1 = parse_chain(&fake_root, 1);
  assert_int_equal(sgxra_x509_chain_verify(cx, fr1, r, NOW, NULL),
                   SGXRA_E_X509_UNTRUSTED_ROOT);
  print_message("  %s\n", sgxra_ctx_message(cx));
  sgxra_x509_chain_free(fr1);
  assert_int_equal(sgxra_x509_chain_verify(cx, NULL, r, NOW, NULL),
                   SGXRA_E_X509_CHAIN_LENGTH);
  sgxra_x509_chain_free(frcc);
  X509_free(fake_root);
  sgxra_x509_chain_free(pcc);
  X509_free(plain);
  X509_free(leaf2);
  sgxra_x509_chain_free(ncc);
  X509_free(under_leaf);
  sgxra_x509_chain_free(fc);
  X509_free(forged);
  sgxra_x509_chain_free(two);
  sgxra_x509_chain_free(root);
  sgxra_x509_chain_free(ch);
  sgxra_ctx_free(cx);
  pki_free(&k);
}

/* ---- CRLs -------------------------------------------------------------------
 */

static void test_crl_real_forms(void **state) {
  (void)state;
  size_t n;
  uint8_t *der = vec("dcap/bundles/sgx-01-phala-v3/root_ca_crl.der", &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_crl *a = NULL, *b = NULL, *c = NULL;
  assert_int_equal(sgxra_crl_parse(cx, der, n, &a), SGXRA_OK);
  assert_string_equal(sgxra_crl_issuer_cn(a), "Intel SGX Root CA");
  /* PEM form. */
  char b64[8192], pem[9000];
  sgxra_base64_encode(der, n, b64);
  size_t pl = (size_t)snprintf(
      pem, sizeof pem, "-----BEGIN X509 CRL-----\n%s\n-----END X509 CRL-----\n",
      b64);
  assert_int_equal(sgxra_crl_parse(cx, (uint8_t *)pem, pl, &b), SGXRA_OK);
  /* Hex form (as PCS API v3 serves it), upper case with a newline. */
  char *hex = malloc(2 * n + 2);
  sgxra_hex_encode(der, n, hex);
  for (size_t i = 0; i < 2 * n; i++)
    if (hex[i] >= 'a') hex[i] = (char)(hex[i] - 32);
  hex[2 * n] = '\n';
  assert_int_equal(sgxra_crl_parse(cx, (uint8_t *)hex, 2 * n + 1, &c),
                   SGXRA_OK);
  sgxra_crl *all[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    assert_string_equal(sgxra_crl_issuer_cn(all[i]), "Intel SGX Root CA");
    assert_int_equal(sgxra_crl_this_update(all[i]), sgxra_crl_this_update(a));
    assert_int_equal(sgxra_crl_next_update(all[i]), sgxra_crl_next_update(a));
    assert_int_equal(sgxra_crl_count(all[i]), sgxra_crl_count(a));
  }
  assert_true(sgxra_crl_next_update(a) > sgxra_crl_this_update(a));
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_intel_root(cx, &root), SGXRA_OK);
  assert_int_equal(sgxra_crl_verify(cx, c, sgxra_x509_chain_get(root, 0)),
                   SGXRA_OK);
  /* Issued by the root, not by the PCK CA. */
  size_t cn;
  uint8_t *chain =
      vec("dcap/bundles/sgx-01-phala-v3/pck_crl_issuer_chain.pem", &cn);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(cx, chain, cn, &ch), SGXRA_OK);
  assert_int_equal(sgxra_crl_verify(cx, a, sgxra_x509_chain_get(ch, 0)),
                   SGXRA_E_CRL_ISSUER);
  print_message("  %s\n", sgxra_ctx_message(cx));
  /* The PCK CRL of the bundle verifies with its CA. */
  size_t pn;
  uint8_t *pck = vec("dcap/bundles/sgx-01-phala-v3/pck_crl.der", &pn);
  sgxra_crl *pc = NULL;
  assert_int_equal(sgxra_crl_parse(cx, pck, pn, &pc), SGXRA_OK);
  assert_string_equal(sgxra_crl_issuer_cn(pc), "Intel SGX PCK Processor CA");
  assert_int_equal(sgxra_crl_this_update(pc), t("2025-06-19T10:23:18Z"));
  assert_int_equal(sgxra_crl_next_update(pc), t("2025-07-19T10:23:18Z"));
  assert_int_equal(sgxra_crl_verify(cx, pc, sgxra_x509_chain_get(ch, 0)),
                   SGXRA_OK);
  /* A flipped signature byte (the last) fails. */
  pck[pn - 1] ^= 1;
  sgxra_crl *pc2 = NULL;
  assert_int_equal(sgxra_crl_parse(cx, pck, pn, &pc2), SGXRA_OK);
  assert_int_equal(sgxra_crl_verify(cx, pc2, sgxra_x509_chain_get(ch, 0)),
                   SGXRA_E_CRL_SIGNATURE);
  /* Garbage and truncation. */
  sgxra_crl *g = (sgxra_crl *)1;
  assert_int_equal(sgxra_crl_parse(cx, (const uint8_t *)"hello", 5, &g),
                   SGXRA_E_CRL_PARSE);
  assert_null(g);
  assert_int_equal(sgxra_crl_parse(cx, (const uint8_t *)"0a0b0", 5, &g),
                   SGXRA_E_CRL_PARSE);
  assert_int_equal(sgxra_crl_parse(cx, (const uint8_t *)"-----BEGIN X", 12, &g),
                   SGXRA_E_CRL_PARSE);
  assert_int_equal(sgxra_crl_parse(cx, (const uint8_t *)"  \n", 3, &g),
                   SGXRA_E_CRL_PARSE);
  for (size_t k = 0; k < n; k++) {
    assert_int_not_equal(sgxra_crl_parse(NULL, der, k, &g), SGXRA_OK);
    assert_null(g);
  }
  sgxra_crl_free(pc);
  sgxra_crl_free(pc2);
  free(pck);
  sgxra_x509_chain_free(ch);
  free(chain);
  sgxra_x509_chain_free(root);
  free(hex);
  sgxra_crl_free(a);
  sgxra_crl_free(b);
  sgxra_crl_free(c);
  sgxra_ctx_free(cx);
  free(der);
}

static void test_crl_revocation(void **state) {
  (void)state;
  pki k;
  pki_make(&k);
  sgxra_ctx *cx = sgxra_ctx_new();
  static const long revoked[] = {5, 0x1234567, 0x7fffffff, 0x80};
  X509_CRL *x = crl(k.ca, k.ca_key, revoked, 4, NOW - 86400, NOW + 86400);
  size_t n;
  uint8_t *der = crl_der(x, &n);
  sgxra_crl *c = NULL;
  assert_int_equal(sgxra_crl_parse(cx, der, n, &c), SGXRA_OK);
  assert_int_equal(sgxra_crl_count(c), 4);
  X509 *chain_x[3] = {k.leaf, k.ca, k.root};
  sgxra_x509_chain *ch = parse_chain(chain_x, 3);
  assert_int_equal(sgxra_crl_verify(cx, c, sgxra_x509_chain_get(ch, 1)),
                   SGXRA_OK);
  assert_true(sgxra_crl_is_revoked(c, sgxra_x509_chain_get(ch, 0)));
  assert_false(sgxra_crl_is_revoked(c, sgxra_x509_chain_get(ch, 1)));
  static const uint8_t s5[] = {5}, s5z[] = {0, 0, 5}, s6[] = {6},
                       s80[] = {0x00, 0x80}, s7f[] = {0x7f, 0xff, 0xff, 0xff},
                       s7e[] = {0x7f, 0xff, 0xff, 0xfe};
  assert_true(sgxra_crl_has_serial(c, s5, 1));
  assert_true(sgxra_crl_has_serial(c, s5z, 3));
  assert_false(sgxra_crl_has_serial(c, s6, 1));
  assert_true(sgxra_crl_has_serial(c, s80, 2));
  assert_true(sgxra_crl_has_serial(c, s7f, 4));
  assert_false(sgxra_crl_has_serial(c, s7e, 4));
  assert_false(sgxra_crl_has_serial(c, NULL, 0));
  /* Signed by the wrong key under the CA's name. */
  X509_CRL *wrong =
      crl(k.ca, k.other_key, revoked, 1, NOW - 86400, NOW + 86400);
  size_t wn;
  uint8_t *wder = crl_der(wrong, &wn);
  sgxra_crl *wc = NULL;
  assert_int_equal(sgxra_crl_parse(cx, wder, wn, &wc), SGXRA_OK);
  assert_int_equal(sgxra_crl_verify(cx, wc, sgxra_x509_chain_get(ch, 1)),
                   SGXRA_E_CRL_SIGNATURE);
  print_message("  %s\n", sgxra_ctx_message(cx));
  /* Without CRL Number / Authority Key Identifier. */
  crl_without_extensions = 1;
  X509_CRL *bare = crl(k.ca, k.ca_key, revoked, 1, NOW - 86400, NOW + 86400);
  crl_without_extensions = 0;
  size_t bn;
  uint8_t *bder = crl_der(bare, &bn);
  sgxra_crl *bc = NULL;
  assert_int_equal(sgxra_crl_parse(cx, bder, bn, &bc), SGXRA_OK);
  assert_int_equal(sgxra_crl_verify(cx, bc, sgxra_x509_chain_get(ch, 1)),
                   SGXRA_E_CRL_EXTENSIONS);
  print_message("  %s\n", sgxra_ctx_message(cx));
  sgxra_crl_free(bc);
  free(bder);
  X509_CRL_free(bare);
  /* No nextUpdate. */
  X509_CRL *nonext = crl(k.ca, k.ca_key, NULL, 0, NOW - 86400, 0);
  size_t nn;
  uint8_t *nder = crl_der(nonext, &nn);
  sgxra_crl *nc = (sgxra_crl *)1;
  assert_int_equal(sgxra_crl_parse(cx, nder, nn, &nc), SGXRA_E_CRL_FORMAT);
  assert_null(nc);
  free(nder);
  X509_CRL_free(nonext);
  sgxra_crl_free(wc);
  free(wder);
  X509_CRL_free(wrong);
  sgxra_x509_chain_free(ch);
  sgxra_crl_free(c);
  free(der);
  X509_CRL_free(x);
  sgxra_ctx_free(cx);
  pki_free(&k);
}

/* ---- collateral signed by the test PKI -------------------------------------
 */

/* {"<key>":<span of sgx-01's object>,"signature":"<r||s by key>"} */
static char *resign(const char *file, const char *member, EVP_PKEY *key,
                    size_t *out_n) {
  char rel[256];
  snprintf(rel, sizeof rel, "dcap/bundles/sgx-01-phala-v3/%s", file);
  size_t n;
  uint8_t *p = vec(rel, &n);
  char head[64];
  snprintf(head, sizeof head, "{\"%s\":", member);
  const char *s = strstr((const char *)p, head);
  const char *e = strstr((const char *)p, ",\"signature\":");
  assert_non_null(s);
  assert_non_null(e);
  s += strlen(head);
  size_t len = (size_t)(e - s);
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_evp(NULL, key, &k), SGXRA_OK);
  uint8_t sig[64];
  assert_int_equal(sgxra_p256_sign(NULL, k, s, len, sig), SGXRA_OK);
  sgxra_p256_free(k);
  char hex[129];
  sgxra_hex_encode(sig, 64, hex);
  char *out = malloc(len + 256);
  *out_n = (size_t)snprintf(out, len + 256, "%s%.*s,\"signature\":\"%s\"}",
                            head, (int)len, s, hex);
  free(p);
  return out;
}

typedef struct coll_parts {
  char pck_chain[8192], tcb_chain[8192], root_pem[4096];
  size_t pck_chain_n, tcb_chain_n, root_pem_n;
  uint8_t *root_crl, *pck_crl;
  size_t root_crl_n, pck_crl_n;
  char *tcb, *qe;
  size_t tcb_n, qe_n;
} coll_parts;

static void parts_make(coll_parts *c, pki *k, const long *root_revoked,
                       int nroot, const long *pck_revoked, int npck) {
  X509 *pc[2] = {k->ca, k->root}, *tc[2] = {k->tcb, k->root};
  c->pck_chain_n = chain_pem(pc, 2, c->pck_chain, sizeof c->pck_chain);
  c->tcb_chain_n = chain_pem(tc, 2, c->tcb_chain, sizeof c->tcb_chain);
  c->root_pem_n = x509_pem(k->root, c->root_pem, sizeof c->root_pem);
  X509_CRL *r = crl(k->root, k->root_key, root_revoked, nroot, NOW - 86400,
                    NOW + 20 * 86400);
  X509_CRL *p =
      crl(k->ca, k->ca_key, pck_revoked, npck, NOW - 86400, NOW + 20 * 86400);
  c->root_crl = crl_der(r, &c->root_crl_n);
  c->pck_crl = crl_der(p, &c->pck_crl_n);
  X509_CRL_free(r);
  X509_CRL_free(p);
  c->tcb = resign("tcb_info.json", "tcbInfo", k->tcb_key, &c->tcb_n);
  c->qe = resign("qe_identity.json", "enclaveIdentity", k->tcb_key, &c->qe_n);
}

static void parts_free(coll_parts *c) {
  free(c->root_crl);
  free(c->pck_crl);
  free(c->tcb);
  free(c->qe);
}

static sgxra_collateral_buffers bufs(const coll_parts *c) {
  sgxra_collateral_buffers b = {
      (const uint8_t *)c->pck_chain,
      c->pck_chain_n,
      c->root_crl,
      c->root_crl_n,
      c->pck_crl,
      c->pck_crl_n,
      (const uint8_t *)c->tcb,
      c->tcb_n,
      (const uint8_t *)c->tcb_chain,
      c->tcb_chain_n,
      (const uint8_t *)c->qe,
      c->qe_n,
      (const uint8_t *)c->tcb_chain,
      c->tcb_chain_n,
      NULL,
      0,
  };
  return b;
}

/* Validate collateral built from parts against the test root. */
static sgxra_err validate_parts(const sgxra_collateral_buffers *b, pki *k,
                                sgxra_collateral **out) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  sgxra_err e = sgxra_collateral_load(cx, b, &c);
  if (e == SGXRA_OK) {
    sgxra_x509_chain *root = parse_chain(&k->root, 1);
    e = sgxra_collateral_validate(cx, c, sgxra_x509_chain_get(root, 0), NOW);
    sgxra_x509_chain_free(root);
  }
  if (e != SGXRA_OK)
    print_message("  -> %s: %s\n", sgxra_err_name(e), sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  if (out)
    *out = c;
  else
    sgxra_collateral_free(c);
  return e;
}

static void test_collateral_with_test_pki(void **state) {
  (void)state;
  pki k;
  pki_make(&k);
  static const long none[1] = {0};
  coll_parts ok;
  parts_make(&ok, &k, none, 0, none, 0);
  sgxra_collateral_buffers b = bufs(&ok);
  sgxra_collateral *c = NULL;
  assert_int_equal(validate_parts(&b, &k, &c), SGXRA_OK);
  assert_false(sgxra_collateral_expired(c));
  assert_string_equal(sgxra_x509_cert_subject_cn(sgxra_collateral_pck_ca(c)),
                      "Test SGX PCK Platform CA");
  /* The PCK chain passes; not when its CA is another one. */
  X509 *lc[3] = {k.leaf, k.ca, k.root};
  sgxra_x509_chain *leaf_chain = parse_chain(lc, 3);
  int exp = -1;
  assert_int_equal(
      sgxra_collateral_check_pck_chain(NULL, c, leaf_chain, NOW, &exp),
      SGXRA_OK);
  assert_int_equal(exp, 0);
  /* The PCK CRL expires NOW + 20 days: Intel's flag turns on there. */
  assert_int_equal(sgxra_collateral_check_pck_chain(NULL, c, leaf_chain,
                                                    NOW + 20 * 86400, &exp),
                   SGXRA_OK);
  assert_int_equal(exp, 1);
  /* A leaf forged under the collateral's own CA (the fast path that skips
   * re-verifying the known CA) and under no root. */
  X509 *forged = cert("Test SGX PCK Certificate", k.leaf_key, k.ca, k.other_key,
                      99, 0, NOW - 100, NOW + 100);
  X509 *fc[3] = {forged, k.ca, k.root};
  sgxra_x509_chain *fch = parse_chain(fc, 3);
  assert_int_equal(sgxra_collateral_check_pck_chain(NULL, c, fch, NOW, &exp),
                   SGXRA_E_X509_SIGNATURE);
  {
    static char fpem[16384];
    size_t fl = chain_pem(fc, 3, fpem, sizeof fpem);
    sgxra_x509_chain *lf = NULL;
    assert_int_equal(sgxra_collateral_check_pck_pem(NULL, c, (uint8_t *)fpem,
                                                    fl, NOW, &exp, &lf),
                     SGXRA_E_X509_SIGNATURE);
    assert_null(lf);
    fl = chain_pem(lc, 3, fpem, sizeof fpem);
    assert_int_equal(sgxra_collateral_check_pck_pem(NULL, c, (uint8_t *)fpem,
                                                    fl, NOW, &exp, &lf),
                     SGXRA_OK);
    assert_int_equal(exp, 0);
    assert_string_equal(sgxra_x509_cert_subject_cn(sgxra_x509_chain_get(lf, 0)),
                        "Test SGX PCK Certificate");
    sgxra_x509_chain_free(lf);
  }
  sgxra_x509_chain_free(fch);
  fch = parse_chain(fc, 2);
  assert_int_equal(sgxra_collateral_check_pck_chain(NULL, c, fch, NOW, &exp),
                   SGXRA_E_X509_SIGNATURE);
  sgxra_x509_chain_free(fch);
  X509_free(forged);
  /* Leaf and CA only: accepted, the CA is the collateral's. */
  fch = parse_chain(lc, 2);
  assert_int_equal(sgxra_collateral_check_pck_chain(NULL, c, fch, NOW, &exp),
                   SGXRA_OK);
  sgxra_x509_chain_free(fch);
  X509 *only_leaf[1] = {k.leaf};
  sgxra_x509_chain *short_chain = parse_chain(only_leaf, 1);
  assert_int_equal(
      sgxra_collateral_check_pck_chain(NULL, c, short_chain, NOW, &exp),
      SGXRA_E_X509_CHAIN_LENGTH);
  sgxra_x509_chain_free(short_chain);
  /* Intel's root is not this collateral's root: the first check in
   * Intel's order is the root CA CRL against the root (QVL
   * PckCertVerifier::verify, QvE step 12, before the TCB Info chain of
   * step 13), which Intel's root did not issue. */
  sgxra_collateral *c2 = NULL;
  assert_int_equal(sgxra_collateral_load(NULL, &b, &c2), SGXRA_OK);
  assert_int_equal(sgxra_collateral_validate(NULL, c2, NULL, NOW),
                   SGXRA_E_CRL_ISSUER);
  assert_false(sgxra_collateral_is_validated(c2));
  sgxra_collateral_free(c2);
  sgxra_collateral_free(c);

  /* The PCK leaf revoked by the PCK CRL. */
  coll_parts rl;
  static const long leaf_serial[1] = {0x1234567};
  parts_make(&rl, &k, none, 0, leaf_serial, 1);
  b = bufs(&rl);
  assert_int_equal(validate_parts(&b, &k, &c), SGXRA_OK);
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(
      sgxra_collateral_check_pck_chain(cx, c, leaf_chain, NOW, &exp),
      SGXRA_E_X509_REVOKED);
  {
    static char rpem[16384];
    size_t rl2 = chain_pem(lc, 3, rpem, sizeof rpem);
    sgxra_x509_chain *lf = NULL;
    assert_int_equal(sgxra_collateral_check_pck_pem(cx, c, (uint8_t *)rpem, rl2,
                                                    NOW, &exp, &lf),
                     SGXRA_E_X509_REVOKED);
    assert_null(lf);
  }
  print_message("  %s\n", sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  sgxra_collateral_free(c);
  parts_free(&rl);

  /* The TCB signing certificate (serial 3) or the PCK CA (serial 2)
   * revoked by the root CA CRL. */
  static const long tcb_serial[1] = {3}, ca_serial[1] = {2};
  coll_parts rt, rc;
  parts_make(&rt, &k, tcb_serial, 1, none, 0);
  b = bufs(&rt);
  assert_int_equal(validate_parts(&b, &k, NULL),
                   SGXRA_E_COLLATERAL_SIGNER_REVOKED);
  parts_free(&rt);
  parts_make(&rc, &k, ca_serial, 1, none, 0);
  b = bufs(&rc);
  assert_int_equal(validate_parts(&b, &k, NULL),
                   SGXRA_E_COLLATERAL_SIGNER_REVOKED);
  parts_free(&rc);

  /* A bundled root_ca.pem that is not the trust root; and one that is. */
  b = bufs(&ok);
  size_t rn;
  uint8_t *intel = vec("dcap/Intel_SGX_Root_CA.pem", &rn);
  b.root_ca = intel;
  b.root_ca_len = rn;
  assert_int_equal(validate_parts(&b, &k, NULL),
                   SGXRA_E_COLLATERAL_ROOT_MISMATCH);
  b.root_ca = (const uint8_t *)ok.root_pem;
  b.root_ca_len = ok.root_pem_n;
  assert_int_equal(validate_parts(&b, &k, NULL), SGXRA_OK);
  free(intel);

  /* A PCK CRL issuer chain without the PCK CA: Intel's QvE only parses
   * that chain for its dates (qve_get_collateral_dates) and checks the PCK
   * CRL against the quote's own CA (PckCertVerifier), so the collateral
   * validates; the CRL is checked per quote then. */
  b = bufs(&ok);
  b.pck_crl_issuer_chain = (const uint8_t *)ok.tcb_chain;
  b.pck_crl_issuer_chain_len = ok.tcb_chain_n;
  assert_int_equal(validate_parts(&b, &k, NULL), SGXRA_OK);
  /* TCB Info / QE Identity checked with a signer that did not sign them:
   * another TCB signing certificate under the same root. */
  X509 *tcb2 = cert("Test SGX TCB Signing", k.other_key, k.root, k.root_key, 4,
                    0, NOW - 100, NOW + 100);
  X509 *t2[2] = {tcb2, k.root};
  static char t2pem[8192];
  size_t t2n = chain_pem(t2, 2, t2pem, sizeof t2pem);
  b = bufs(&ok);
  b.tcb_info_issuer_chain = (const uint8_t *)t2pem;
  b.tcb_info_issuer_chain_len = t2n;
  assert_int_equal(validate_parts(&b, &k, NULL), SGXRA_E_TCBINFO_SIGNATURE);
  b = bufs(&ok);
  b.qe_identity_issuer_chain = (const uint8_t *)t2pem;
  b.qe_identity_issuer_chain_len = t2n;
  assert_int_equal(validate_parts(&b, &k, NULL), SGXRA_E_QEID_SIGNATURE);
  X509_free(tcb2);
  /* A CA as the signer is refused before any signature check. */
  b = bufs(&ok);
  b.tcb_info_issuer_chain = (const uint8_t *)ok.pck_chain;
  b.tcb_info_issuer_chain_len = ok.pck_chain_n;
  assert_int_equal(validate_parts(&b, &k, NULL), SGXRA_E_COLLATERAL_TCB_SIGNER);
  /* Root CRL and PCK CRL swapped: issuers do not match. */
  b = bufs(&ok);
  b.root_ca_crl = ok.pck_crl;
  b.root_ca_crl_len = ok.pck_crl_n;
  assert_int_equal(validate_parts(&b, &k, NULL), SGXRA_E_CRL_ISSUER);

  sgxra_x509_chain_free(leaf_chain);
  parts_free(&ok);
  pki_free(&k);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_intel_root),
      cmocka_unit_test(test_real_chains),
      cmocka_unit_test(test_pem_errors),
      cmocka_unit_test(test_pem_split),
      cmocka_unit_test(test_test_pki_chains),
      cmocka_unit_test(test_crl_real_forms),
      cmocka_unit_test(test_crl_revocation),
      cmocka_unit_test(test_collateral_with_test_pki),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
