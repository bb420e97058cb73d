/* The fixed-shape reading of certificates (src/quote/x509.c, fast_walk)
 * against OpenSSL's d2i_X509 path, certificate by certificate (issue 15):
 * every distinct certificate of the bundles' issuer chains, and every copy
 * of each with one byte changed (its lowest or highest bit or all of it),
 * and edits that keep the shape but change a checked value, is read both ways
 * and must give the same result: the same error code, or the same names, dates,
 * serial, key, CA flags, self-issued answer, extensions, name links, and the
 * same answers when it is checked under its issuer and when it signs the
 * original.  Without the walk taking part the comparison would be empty, so the
 * test also requires that it read the unchanged certificates and a share of the
 * changed ones. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "quote/x509_internal.h"
#include "sgxra/x509.h"

#define BUNDLES "dcap/bundles"

static const char *const oids[] = {"2.5.29.19",
                                   "2.5.29.15",
                                   "2.5.29.14",
                                   "2.5.29.35",
                                   "2.5.29.31",
                                   "2.5.29.32",
                                   SGXRA_X509_OID_SGX_EXTENSION};

/* What one reading gives, as text (compared whole). */
static void describe(const uint8_t *der, size_t n,
                     const sgxra_x509_cert *issuer,
                     const sgxra_x509_cert *child, char *out, size_t size,
                     int *walked) {
  sgxra__x509_cache_clear();
  sgxra_x509_chain *ch = NULL;
  sgxra_err e = sgxra_x509_chain_parse_der(NULL, der, n, &ch);
  size_t k = (size_t)snprintf(out, size, "parse %s", sgxra_err_name(e));
  if (e != SGXRA_OK) {
    *walked = 0;
    return;
  }
  const sgxra_x509_cert *c = sgxra_x509_chain_get(ch, 0);
  *walked = c->x == NULL;
  uint8_t key[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_public_raw(sgxra_x509_cert_public_key(c), key);
  const sgxra_x509_serial *sn = sgxra_x509_cert_serial(c);
  k += (size_t)snprintf(out + k, size - k,
                        " s='%s' i='%s' nb=%lld na=%lld ca=%d sign=%d si=%d "
                        "serial=",
                        sgxra_x509_cert_subject_cn(c),
                        sgxra_x509_cert_issuer_cn(c),
                        (long long)sgxra_x509_cert_not_before(c),
                        (long long)sgxra_x509_cert_not_after(c), c->is_ca,
                        c->can_sign_certs, sgxra_x509_cert_is_self_issued(c));
  for (size_t i = 0; i < sn->len; i++)
    k += (size_t)snprintf(out + k, size - k, "%02x", sn->bytes[i]);
  k += (size_t)snprintf(out + k, size - k, " key=%02x%02x..%02x", key[0],
                        key[1], key[63]);
  for (size_t o = 0; o < sizeof oids / sizeof oids[0]; o++) {
    const uint8_t *v = NULL;
    size_t vn = 0;
    sgxra_err xe = sgxra_x509_cert_extension(NULL, c, oids[o], &v, &vn);
    unsigned sum = 0;
    for (size_t i = 0; i < vn; i++) sum = sum * 31 + v[i];
    k += (size_t)snprintf(out + k, size - k, " %s:%s/%zu/%x", oids[o],
                          sgxra_err_name(xe), vn, sum);
  }
  /* under its issuer (names, CA flags, signature), and as the issuer of
   * the original child (its key and subject) */
  sgxra_x509_chain two = {0};
  two.count = 1;
  two.certs[0] = *c;
  if (issuer != NULL) {
    sgxra__x509_cache_clear();
    e = sgxra_x509_chain_verify(NULL, &two, issuer, 1748736000, NULL);
    k += (size_t)snprintf(out + k, size - k, " under=%s", sgxra_err_name(e));
  }
  if (child != NULL) {
    sgxra__x509_cache_clear();
    e = sgxra__x509_check_issued(NULL, child, c);
    k += (size_t)snprintf(out + k, size - k, " over=%s", sgxra_err_name(e));
  }
  sgxra__x509_cache_clear();
  e = sgxra_x509_chain_verify(NULL, &two, c, 1748736000, NULL);
  snprintf(out + k, size - k, " self=%s", sgxra_err_name(e));
  memset(&two, 0, sizeof two);
  sgxra_x509_chain_free(ch);
}

typedef struct tally {
  size_t variants, walked, agreed;
} tally;

static void compare(const uint8_t *der, size_t n, const sgxra_x509_cert *issuer,
                    const sgxra_x509_cert *child, tally *t, const char *what,
                    size_t at) {
  char fast[2048], slow[2048];
  int walked = 0, w2 = 0;
  sgxra__x509_set_fast(1);
  describe(der, n, issuer, child, fast, sizeof fast, &walked);
  sgxra__x509_set_fast(0);
  describe(der, n, issuer, child, slow, sizeof slow, &w2);
  sgxra__x509_set_fast(1);
  assert_false(w2);
  if (strcmp(fast, slow) != 0)
    fail_msg("%s, byte %zu: the walk and d2i_X509 disagree\n  walk: %s\n  "
             "d2i:  %s",
             what, at, fast, slow);
  t->variants++;
  t->walked += (size_t)walked;
  t->agreed++;
}

/* Distinct certificates seen so far (the root is in every chain). */
static uint8_t *seen[32];
static size_t seen_len[32], n_seen;

static int seen_before(const uint8_t *der, size_t n) {
  for (size_t i = 0; i < n_seen; i++)
    if (seen_len[i] == n && memcmp(seen[i], der, n) == 0) return 1;
  assert_true(n_seen < 32);
  seen[n_seen] = malloc(n);
  assert_non_null(seen[n_seen]);
  memcpy(seen[n_seen], der, n);
  seen_len[n_seen++] = n;
  return 0;
}

static void one_chain(const char *bundle, const char *file, tally *t,
                      tally *orig) {
  char rel[512];
  snprintf(rel, sizeof rel, "%s/%s/%s", BUNDLES, bundle, file);
  size_t n = 0;
  uint8_t *pem = tu_read_vector(rel, &n);
  sgxra_x509_chain *ch = NULL;
  sgxra__x509_set_fast(0);
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, pem, n, &ch), SGXRA_OK);
  sgxra__x509_set_fast(1);
  free(pem);
  size_t count = sgxra_x509_chain_count(ch);
  for (size_t i = 0; i < count; i++) {
    const sgxra_x509_cert *c = sgxra_x509_chain_get(ch, i);
    const sgxra_x509_cert *issuer =
        sgxra_x509_chain_get(ch, i + 1 < count ? i + 1 : i);
    const sgxra_x509_cert *child = i > 0 ? sgxra_x509_chain_get(ch, i - 1) : c;
    const uint8_t *der = NULL;
    size_t dn = 0;
    sgxra_x509_cert_der(c, &der, &dn);
    if (seen_before(der, dn)) continue;
    uint8_t *v = malloc(dn);
    assert_non_null(v);
    memcpy(v, der, dn);
    compare(v, dn, issuer, child, orig, rel, 0);
    /* the lowest and highest bit of every byte, and the byte's complement */
    static const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t b = 0; b < dn; b++) {
      for (size_t f = 0; f < sizeof flips; f++) {
        v[b] ^= flips[f];
        compare(v, dn, issuer, child, t, rel, b);
        v[b] ^= flips[f];
      }
    }
    free(v);
  }
  sgxra_x509_chain_free(ch);
}

/* Edits that keep the DER well formed: each changes what a checked field
 * says (names, dates, flags, key usage) rather than the structure. */
static void test_shape_edits(void **state) {
  (void)state;
  size_t n = 0;
  uint8_t *pem = tu_read_vector(
      BUNDLES "/sgx-12-mobilecoin-teepot-early-eval19/pck_crl_issuer_chain.pem",
      &n);
  sgxra_x509_chain *ch = NULL;
  sgxra__x509_set_fast(0);
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, pem, n, &ch), SGXRA_OK);
  sgxra__x509_set_fast(1);
  free(pem);
  tally t = {0};
  for (size_t i = 0; i < 2; i++) {
    const sgxra_x509_cert *c = sgxra_x509_chain_get(ch, i);
    const sgxra_x509_cert *issuer = sgxra_x509_chain_get(ch, 1);
    const uint8_t *der = NULL;
    size_t dn = 0;
    sgxra_x509_cert_der(c, &der, &dn);
    static const struct {
      const char *from, *to;
      size_t len;
    } edits[] = {
        /* critical TRUE -> FALSE written out (DER omits it) */
        {"\x01\x01\xff", "\x01\x01\x00", 3},
        /* cA TRUE -> any other non-zero byte (BER TRUE) */
        {"\x30\x06\x01\x01\xff", "\x30\x06\x01\x01\x01", 5},
        /* keyUsage: no bits, other bits, unused bits */
        {"\x03\x02\x01\x06", "\x03\x02\x01\x00", 4},
        {"\x03\x02\x01\x06", "\x03\x02\x01\x80", 4},
        {"\x03\x02\x01\x06", "\x03\x02\x07\x06", 4},
        {"\x03\x02\x01\x06", "\x03\x02\x08\x06", 4},
        /* a name's UTF8String made a PrintableString, an IA5String */
        {"\x0c\x11Intel SGX Root CA", "\x13\x11Intel SGX Root CA", 19},
        {"\x0c\x11Intel SGX Root CA", "\x16\x11Intel SGX Root CA", 19},
        {"\x0c\x11Intel SGX Root CA", "\x0c\x11intel sgx root ca", 19},
        {"\x0c\x11Intel SGX Root CA", "\x0c\x11Intel  SGX Root CA", 19},
        {"\x0c\x11Intel SGX Root CA", "\x0c\x11Intel\xc3\xa9GX Root CA", 19},
        {"\x0c\x11Intel SGX Root CA", "\x0c\x11Intel\xffSGX Root CA", 19},
        /* commonName -> another attribute */
        {"\x06\x03\x55\x04\x03", "\x06\x03\x55\x04\x0b", 5},
    };
    for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
      for (size_t at = 0; at + edits[e].len <= dn; at++) {
        if (memcmp(der + at, edits[e].from, edits[e].len) != 0) continue;
        uint8_t *v = malloc(dn);
        assert_non_null(v);
        memcpy(v, der, dn);
        memcpy(v + at, edits[e].to, edits[e].len);
        compare(v, dn, issuer, c, &t, "edit", at);
        free(v);
      }
    }
    /* every validity date moved to the end of each month, leap or not */
    for (size_t at = 0; at + 15 <= dn; at++) {
      if (der[at] != 0x17 || der[at + 1] != 0x0d) continue;
      static const char *const dates[] = {
          "240229", "230229", "000229", "250631", "250630",
          "251231", "250132", "251301", "500101", "491231"};
      for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
        uint8_t *v = malloc(dn);
        assert_non_null(v);
        memcpy(v, der, dn);
        memcpy(v + at + 2, dates[d], 6);
        compare(v, dn, issuer, c, &t, "date", at);
        memcpy(v + at + 8, "235960", 6);
        compare(v, dn, issuer, c, &t, "second", at);
        free(v);
      }
    }
  }
  print_message("  %zu edited certificates, %zu read by the walk, all as by "
                "d2i_X509\n",
                t.variants, t.walked);
  assert_true(t.variants > 40);
  assert_true(t.walked > 10);
  sgxra_x509_chain_free(ch);
}

static void test_every_bundle_every_bit(void **state) {
  (void)state;
  char dir[512];
  snprintf(dir, sizeof dir, "%s", tu_vector_path(BUNDLES));
  DIR *d = opendir(dir);
  assert_non_null(d);
  tally t = {0}, orig = {0};
  struct dirent *ent;
  /* the first three bundles by name, both chains of each: Intel's root,
   * the Platform and Processor CAs, the TCB signing certificate */
  char names[64][256];
  size_t nb = 0;
  while ((ent = readdir(d)) != NULL && nb < 64)
    if (strncmp(ent->d_name, "sgx-", 4) == 0)
      snprintf(names[nb++], sizeof names[0], "%s", ent->d_name);
  closedir(d);
  qsort(names, nb, sizeof names[0],
        (int (*)(const void *, const void *))strcmp);
  assert_true(nb >= 3);
  for (size_t b = 0; b < 3; b++) {
    one_chain(names[b], "pck_crl_issuer_chain.pem", &t, &orig);
    one_chain(names[b], "tcb_info_issuer_chain.pem", &t, &orig);
  }
  print_message("  %zu certificates, %zu read by the walk; %zu one-bit "
                "changes, %zu read by the walk, all as by d2i_X509\n",
                orig.variants, orig.walked, t.variants, t.walked);
  assert_int_equal(orig.walked, orig.variants);
  assert_true(orig.variants >= 3);
  for (size_t i = 0; i < n_seen; i++) free(seen[i]);
  n_seen = 0;
  assert_true(t.walked > t.variants / 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shape_edits),
      cmocka_unit_test(test_every_bundle_every_bit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
