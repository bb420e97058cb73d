/* Intel SGX SDK enclaves re-measured from their bytes (sgxra/sdkenclave.h)
 * against the real signed enclaves of ../shared/vectors/sdk (README.md
 * there gives every expected value used here). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "sgxra/sdkenclave.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* README.md "Further fields": MRENCLAVE, EADD / EEXTEND records. */
static const struct known {
  const char *file;
  const char *mrenclave;
  uint64_t eadd, eextend;
} KNOWN[] = {
    {"eternalray-md13-quirk.signed.so",
     "d1d79feb6fe2a02270d0bdc6e973544567e4fd9d5cb481e99c9b8c044aa76a40", 988,
     11712},
    {"dzobbe-md14-sdk19.signed.so",
     "c5f9825b70439584b843f27a41f946cf440ff162667faa191964c361719b4046", 1014,
     12128},
    {"qshield-md21-sdk20.signed.so",
     "59f8c5493b76312db0115058d54333f3f2eeaab33370f7fde7311c8561edf253", 10571,
     165040},
    {"george321-md22-ownkey.signed.so",
     "f2ef63410a903d8688a95ef60bdf4b9f7efae81592a6be25ca8771e797c9207d", 373,
     1872},
    {"signal-cds-md23-prod.signed.so",
     "cd6cfc342937b23b1bdd3bbf9721aa5615ac9ff50a75c5527d441cd3276826c9", 4800,
     11264},
    {"fpsg-md24-dyntcs.signed.so",
     "54b387aef1febea9f24c2868876dcbd8b8bd84d824fbe37eec83e29d3e563eea", 540,
     4544},
    {"oblidb-md24-64mb.signed.so",
     "48672af0cea206050a1572989ce4e9622b2d8cfa770d15be2d06cb12881e6a48", 8506,
     5024},
    {"taiwolfb-md14-sdk219-svn1.signed.so",
     "bae5494bd7f65084883702f08844187dc82b63e043266bede7dcc21293f8603a", 519,
     4208},
    {"flgado-md30-edmm.signed.so",
     "d8d6664ba99a8adfec6319c3bfcd4c4bc168a3121a9e274fe3edb6a4787a6aa7", 1138,
     14112},
    {"rds-md15-sdk227.signed.so",
     "6aa9bc4ae194db671cb423816b8bf54ba2de0a8141bcea1a34457cab9cc4c8f4", 988,
     11712},
};

static uint8_t *read_sdk(const char *name, size_t *n) {
  char rel[256];
  snprintf(rel, sizeof rel, "sdk/%s", name);
  return tu_read_vector(rel, n);
}

__attribute__((unused)) static void expect_msg(sgxra_ctx *cx,
                                               const char *needle) {
  const char *msg = sgxra_ctx_message(cx);
  if (!strstr(msg, needle))
    fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

__attribute__((unused)) static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
__attribute__((unused)) static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
__attribute__((unused)) static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
__attribute__((unused)) static uint64_t get64(const uint8_t *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Measure every copy; each must match its ENCLAVEHASH. */
static void check_vector(sgxra_ctx *cx, const char *name,
                         const struct known *k) {
  size_t n;
  uint8_t *p = read_sdk(name, &n);
  sgxra_sdk_enclave en;
  sgxra_err e = sgxra_sdk_open(cx, p, n, &en);
  if (e) fail_msg("%s: open: %s", name, sgxra_ctx_message(cx));
  assert_true(en.ncopies >= 1);
  assert_true(en.selected < en.ncopies);
  for (unsigned i = 0; i < en.ncopies; i++) {
    sgxra_sdk_measurement m;
    e = sgxra_sdk_measure(cx, &en, i, NULL, NULL, &m);
    if (e) fail_msg("%s copy %u: %s", name, i, sgxra_ctx_message(cx));
    if (!m.match)
      fail_msg("%s copy %u (metadata %u.%u) does not measure to its "
               "ENCLAVEHASH",
               name, i, en.copies[i].head.version_major,
               en.copies[i].head.version_minor);
    assert_memory_equal(m.mrenclave, en.copies[i].head.sigstruct + 960, 32);
    assert_int_equal(m.measured_bytes, m.eextend * 256);
    if (k) {
      tu_assert_hex(m.mrenclave, 32, k->mrenclave);
      assert_int_equal(m.eadd, k->eadd);
      assert_int_equal(m.eextend, k->eextend);
    }
  }
  sgxra_sdk_check ck;
  e = sgxra_sdk_check_file(cx, p, n, &ck);
  if (e) fail_msg("%s: check: %s", name, sgxra_ctx_message(cx));
  assert_true(ck.match);
  assert_int_equal(ck.ncopies, en.ncopies);
  assert_int_equal(ck.selected, en.selected);
  assert_memory_equal(ck.measured, ck.signed_hash, 32);
  if (k) tu_assert_hex(ck.measured, 32, k->mrenclave);
  free(p);
}

/* Every file of the folder (so a vector added later is covered), and
 * the ten known ones with their README values. */
static void all_vectors(void **state) {
  (void)state;
  const char *dir = tu_vector_path("sdk");
  char path[4096];
  snprintf(path, sizeof path, "%s", dir);
  DIR *d = opendir(path);
  if (!d) fail_msg("cannot open %s", path);
  sgxra_ctx *cx = sgxra_ctx_new();
  unsigned seen = 0, known = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t len = strlen(de->d_name);
    if (len < 3 || strcmp(de->d_name + len - 3, ".so") != 0) continue;
    const struct known *k = NULL;
    for (size_t i = 0; i < ARRAY_LEN(KNOWN); i++)
      if (!strcmp(KNOWN[i].file, de->d_name)) k = &KNOWN[i];
    check_vector(cx, de->d_name, k);
    seen++;
    known += k != NULL;
  }
  closedir(d);
  assert_int_equal(known, ARRAY_LEN(KNOWN));
  assert_true(seen >= known);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(all_vectors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
