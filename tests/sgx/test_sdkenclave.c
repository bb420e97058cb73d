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

static void expect_msg(sgxra_ctx *cx, const char *needle) {
  const char *msg = sgxra_ctx_message(cx);
  if (!strstr(msg, needle))
    fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) {
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

/* The copy the loader takes, the dirs count and the id numbering. */
static void copies_selected(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  sgxra_sdk_enclave en;
  /* flgado: 3.0 + 1.4, the 3.0 copy is taken */
  uint8_t *p = read_sdk("flgado-md30-edmm.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.ncopies, 2);
  assert_int_equal(en.copies[0].head.version_major, 3);
  assert_int_equal(en.copies[0].head.version_minor, 0);
  assert_int_equal(en.copies[1].head.version_major, 1);
  assert_int_equal(en.copies[1].head.version_minor, 4);
  assert_int_equal(en.selected, 0);
  assert_true(en.copies[0].loadable && en.copies[1].loadable);
  assert_int_equal(en.copies[0].ndirs, 2);
  assert_int_equal(en.copies[0].id_numbering, 2);
  assert_int_equal(en.copies[0].nlayout, 38);
  assert_int_equal(en.copies[0].npatches, 4);
  /* the metadata at the file offset the README gives */
  assert_int_equal(en.copies[0].file_offset, 0xb9015);
  assert_int_equal(en.note_offset + 25, 0xb9015);
  free(p);
  /* qshield: 2.1 + 1.4; the current loader skips 2.x, so 1.4 */
  p = read_sdk("qshield-md21-sdk20.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.ncopies, 2);
  assert_int_equal(en.copies[0].head.version_major, 2);
  assert_int_equal(en.copies[0].head.version_minor, 1);
  assert_false(en.copies[0].loadable);
  assert_true(en.copies[1].loadable);
  assert_int_equal(en.selected, 1);
  free(p);
  /* george321: 2.2, 2.1, 1.4 -> 1.4 */
  p = read_sdk("george321-md22-ownkey.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.ncopies, 3);
  assert_int_equal(en.selected, 2);
  assert_int_equal(en.copies[2].head.version_minor, 4);
  free(p);
  /* rds: SDK 2.27, one 1.5 copy with 4 dirs (ELRANGE, EXTEND 0/0) */
  p = read_sdk("rds-md15-sdk227.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.ncopies, 1);
  assert_int_equal(en.copies[0].ndirs, 4);
  assert_int_equal(en.copies[0].extend_size, 0);
  assert_int_equal(en.copies[0].elrange_size, 0);
  assert_int_equal(en.copies[0].id_numbering, 2);
  free(p);
  /* dzobbe: SDK 1.9, 1.x ids (TCS is id 2) */
  p = read_sdk("dzobbe-md14-sdk19.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.copies[0].id_numbering, 1);
  assert_int_equal(en.copies[0].ndirs, 2);
  free(p);
  /* taiwolfb: SDK 2.19 writes a single 1.4 copy with the 2.x ids */
  p = read_sdk("taiwolfb-md14-sdk219-svn1.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.copies[0].id_numbering, 2);
  free(p);
  sgxra_ctx_free(cx);
}

/* dzobbe (metadata 1.4, 2 dirs): where its pieces sit, read with python
 * from the vector.  PT_LOAD 1 file [0, 0x3726d), PT_LOAD 2 file
 * [0x379e8, 0x38ca8) at rva 0x2379e8; the record at 0x38d3d. */
#define DZ "dzobbe-md14-sdk19.signed.so"
#define DZ_META 0x38d3d
#define DZ_PATCH0_DST 0x381a0 /* 184 bytes from record offset 2280 */
#define DZ_PATCH0_SRC 2280
#define DZ_LAYOUT 1960 /* 10 entries */
#define DZ_TCS_CONTENT 1888

/* Open p (a mutated copy) and measure its selected copy: the error, and
 * the match in *match. */
static sgxra_err measure_selected(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  sgxra_sdk_measurement *m) {
  sgxra_sdk_enclave en;
  memset(m, 0, sizeof *m);
  sgxra_err e = sgxra_sdk_open(cx, p, n, &en);
  if (e) return e;
  return sgxra_sdk_measure(cx, &en, en.selected, NULL, NULL, m);
}

static int mutated_match(sgxra_ctx *cx, const uint8_t *orig, size_t n,
                         size_t at, uint8_t x) {
  uint8_t *p = malloc(n);
  assert_non_null(p);
  memcpy(p, orig, n);
  p[at] ^= x;
  sgxra_sdk_measurement m;
  sgxra_err e = measure_selected(cx, p, n, &m);
  if (e) fail_msg("offset 0x%zx: %s", at, sgxra_ctx_message(cx));
  free(p);
  return m.match;
}

/* One changed byte in what is measured breaks the match; a byte the
 * loader overwrites with a patch, or does not load, does not. */
static void mutations_measured(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  uint8_t *p = read_sdk(DZ, &n);
  sgxra_sdk_measurement m;
  assert_int_equal(measure_selected(cx, p, n, &m), SGXRA_OK);
  assert_true(m.match);
  const uint8_t *rec = p + DZ_META;
  assert_int_equal(get32(rec + 1872), 2472); /* patch table */
  assert_int_equal(get64(rec + 2472), DZ_PATCH0_DST);
  assert_int_equal(get32(rec + 2472 + 8), DZ_PATCH0_SRC);
  assert_int_equal(get32(rec + 2472 + 12), 184);
  /* PT_LOAD file bytes: code in segment 1, data in segment 2, the last
   * partial page of segment 1 */
  assert_false(mutated_match(cx, p, n, 0x1000, 1));
  assert_false(mutated_match(cx, p, n, 0x37a00, 0x80));
  assert_false(mutated_match(cx, p, n, 0x3726c, 1));
  /* bytes after segment 1's end share its last page but are not loaded
   * (zero there); nor is the section table at the end of the file */
  assert_true(mutated_match(cx, p, n, 0x3726d, 1));
  assert_true(mutated_match(cx, p, n, n - 1, 1));
  /* the file bytes a patch overwrites do not count, its source does */
  assert_true(mutated_match(cx, p, n, DZ_PATCH0_DST + 5, 1));
  assert_false(mutated_match(cx, p, n, DZ_META + DZ_PATCH0_SRC + 5, 1));
  /* the TCS template (layout entry 4 content) */
  assert_int_equal(get32(rec + DZ_LAYOUT + 4 * 32 + 20), DZ_TCS_CONTENT);
  assert_false(mutated_match(cx, p, n, DZ_META + DZ_TCS_CONTENT + 16, 1));
  assert_false(mutated_match(cx, p, n, DZ_META + DZ_TCS_CONTENT + 0x47, 1));
  /* layout entry 7 (TD, 1 page) attributes EADD|EEXTEND -> EADD only:
   * 10 pages x 16 fewer EEXTENDs */
  assert_int_equal(rec[DZ_LAYOUT + 7 * 32 + 2], 3);
  uint8_t *q = malloc(n);
  assert_non_null(q);
  memcpy(q, p, n);
  q[DZ_META + DZ_LAYOUT + 7 * 32 + 2] = 1;
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_OK);
  assert_false(m.match);
  assert_int_equal(m.eadd, 1014);
  assert_int_equal(m.eextend, 12128 - 160);
  /* the stack fill value (content_size 0xcccccccc of entry 2) */
  memcpy(q, p, n);
  q[DZ_META + DZ_LAYOUT + 2 * 32 + 16] ^= 1;
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_OK);
  assert_false(m.match);
  /* the heap (entry 0) is EADDed only: its fill does not count, its
   * place does */
  memcpy(q, p, n);
  put32(q + DZ_META + DZ_LAYOUT + 16, 0x12345678);
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_OK);
  assert_true(m.match);
  memcpy(q, p, n);
  assert_int_equal(get32(q + DZ_META + DZ_LAYOUT + 4), 256);
  put32(q + DZ_META + DZ_LAYOUT + 4, 255);
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_OK);
  assert_false(m.match);
  assert_int_equal(m.eadd, 1013);
  free(q);
  free(p);
  sgxra_ctx_free(cx);
}

/* Broken metadata gets its own code and a message naming the field. */
static void mutations_refused(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  uint8_t *p = read_sdk(DZ, &n);
  uint8_t *q = malloc(n);
  assert_non_null(q);
  uint8_t *rec = q + DZ_META;
  uint8_t *lay = rec + DZ_LAYOUT;
  sgxra_sdk_measurement m;
  sgxra_sdk_enclave en, zero;
  memset(&zero, 0, sizeof zero);

  /* a note cut inside the record (descsz 100) */
  memcpy(q, p, n);
  put32(q + DZ_META - 25 + 4, 100);
  memset(&en, 0xaa, sizeof en);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "truncated");
  assert_memory_equal(&en, &zero, sizeof en);
  /* a record size that lies: past the note, below the fixed part */
  memcpy(q, p, n);
  put32(rec + 16, 0x1001);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "declares size 4097");
  put32(rec + 16, 1000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "declares size 1000");
  /* a size that cuts the layout table off */
  put32(rec + 16, 2000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "patch table (offset 2472, 128 bytes) lies outside");
  /* a layout entry past the enclave size (0x800000) */
  memcpy(q, p, n);
  put64(lay + 9 * 32 + 8, 0x800000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "layout entry 9 (id 7)");
  expect_msg(cx, "beyond the enclave size 0x800000");
  /* one that fits itself but not at its last group repetition (9 x
   * 0x47000 after TD at 0x393000 passes 0x800000 when moved 0x400000 up) */
  memcpy(q, p, n);
  put64(lay + 7 * 32 + 8, 0x393000 + 0x400000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx,
             "layout entry 7 (id 3) replayed by group entry 8 at + 0x27f000");
  /* an unaligned rva */
  memcpy(q, p, n);
  put64(lay + 5 * 32 + 8, 0x390010);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "not page-aligned");
  /* two entries on one page: TD (entry 7) moved onto the SSA (entry 5):
   * refused when the table is read, as the loader's validate_layout_table
   * does, before anything is measured */
  memcpy(q, p, n);
  put64(lay + 7 * 32 + 8, 0x390000);
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "metadata 1.4: layout entry 7 (id 3 TD) at [0x390000, "
                 "0x391000) overlaps layout entry 5 (id 4 SSA) at rva "
                 "0x390000");
  assert_false(m.match);
  /* a guard page (entry 1, adds nothing) moved inside the heap (entry 0):
   * nothing is added twice, but the loader refuses the table */
  memcpy(q, p, n);
  put64(lay + 1 * 32 + 8, 0x300000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "layout entry 0 (id 1 HEAP) at [0x24d000, 0x34d000) "
                 "overlaps layout entry 1 (id 7 GUARD) at rva 0x300000");
  /* a page-less entry strictly inside another counts too; at its start
   * it does not (sorted first, it ends where the other begins).  Entry 9,
   * the last guard, is outside the thread group (entry 8 replays 1..7). */
  memcpy(q, p, n);
  put32(lay + 9 * 32 + 4, 0);
  put64(lay + 9 * 32 + 8, 0x24e000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "overlaps layout entry 9 (id 7 GUARD) at rva 0x24e000");
  put64(lay + 9 * 32 + 8, 0x24d000);
  if (sgxra_sdk_open(cx, q, n, &en) != SGXRA_OK)
    fail_msg("%s", sgxra_ctx_message(cx));
  /* a repetition of the thread group onto the previous one (step 0) */
  memcpy(q, p, n);
  put64(lay + 8 * 32 + 8, 0);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "replayed by group entry 8, time 1");
  /* a group replaying more entries than come before it */
  memcpy(q, p, n);
  put16(lay + 8 * 32 + 2, 9);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "replays 9 entries, but only 8 come before it");
  /* load_times x load_step overflowing */
  memcpy(q, p, n);
  put64(lay + 8 * 32 + 8, 0x4000000000000000ULL);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "overflows");
  /* an unknown page type (0x300, VA) */
  memcpy(q, p, n);
  put64(lay + 5 * 32 + 24, 0x303);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "unknown page type");
  /* TCS content outside the record */
  memcpy(q, p, n);
  put32(lay + 4 * 32 + 20, 2590);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "content (offset 2590, 72 bytes)");
  /* patch source outside the record, destination outside the file */
  memcpy(q, p, n);
  put32(rec + 2472 + 8, 2500);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "patch entry 0 copies 184 bytes from record offset 2500");
  memcpy(q, p, n);
  put64(rec + 2472, n - 100);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "patch entry 0 writes 184 bytes");
  /* SSA frame size 0: the builder's own check, with context */
  memcpy(q, p, n);
  put32(rec + 24, 0);
  assert_int_equal(measure_selected(cx, q, n, &m),
                   SGXRA_E_MEASURE_SSAFRAMESIZE);
  /* PT_LOAD 2 (program header 3, rva 0x2379e8) moved past SIZE, then
   * onto the last page of PT_LOAD 1 (which ends at 0x3726d): the
   * builder's codes, naming the segment */
  memcpy(q, p, n);
  put64(q + 0x40 + 3 * 56 + 16, 0x8379e8);
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_E_MEASURE_RANGE);
  expect_msg(cx, "PT_LOAD 2: EADD at offset 0x837000 is outside SIZE");
  put64(q + 0x40 + 3 * 56 + 16, 0x379e8);
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_E_MEASURE_DUPLICATE);
  expect_msg(cx, "PT_LOAD 2: EADD at offset 0x37000");
  /* a PT_LOAD with none of R/W/X (program header 2) */
  memcpy(q, p, n);
  put32(q + 0x40 + 2 * 56 + 4, 0);
  assert_int_equal(measure_selected(cx, q, n, &m), SGXRA_E_ELF_LAYOUT);
  expect_msg(cx, "PT_LOAD 1 has p_flags 0x0");
  /* a note of zeros: built, not signed */
  memcpy(q, p, n);
  memset(rec, 0, 0x1000);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "unsigned SDK enclave");
  memset(rec - 25, 0, 25);
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "unsigned SDK enclave");
  /* no note at all: rename the section */
  memcpy(q, p, n);
  uint8_t *name = NULL;
  for (size_t i = 0; i + 14 <= n && !name; i++)
    if (!memcmp(q + i, ".note.sgxmeta", 14)) name = q + i;
  assert_non_null(name);
  name[1] = 'N';
  assert_int_equal(sgxra_sdk_open(cx, q, n, &en), SGXRA_E_ELF_NO_SGXMETA);
  /* every cut of the file fails cleanly (or still opens, when the cut
   * only loses the section names after the note: not here, they are at
   * the end) */
  for (size_t len = 0; len < n; len += len < 4096 ? 61 : 4093) {
    sgxra_err e = sgxra_sdk_open(cx, p, len, &en);
    if (e == SGXRA_OK) fail_msg("a cut at %zu opens", len);
  }
  free(q);
  free(p);
  sgxra_ctx_free(cx);
}

/* What sgxra does not reproduce is refused by measure (open still shows
 * the metadata). */
static void unsupported(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  sgxra_sdk_enclave en;
  sgxra_sdk_measurement m;
  uint8_t *p = read_sdk("rds-md15-sdk227.signed.so", &n);
  const size_t meta = 0x208d5;
  /* metadata 11.5: ELRANGE */
  put32(p + meta + 12, 11);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, NULL, NULL, &m),
                   SGXRA_E_SGXMETA_UNSUPPORTED);
  expect_msg(cx, "ELRANGE");
  put32(p + meta + 12, 1);
  /* an EXTEND directory holding 32 bytes (the record's last 32) */
  put32(p + meta + 1896, 4232 - 32);
  put32(p + meta + 1900, 32);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.copies[0].extend_size, 32);
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, NULL, NULL, &m),
                   SGXRA_E_SGXMETA_UNSUPPORTED);
  expect_msg(cx, "EXTEND");
  /* ... and one outside the record */
  put32(p + meta + 1896, 4232 - 16);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "EXTEND table");
  put32(p + meta + 1896, 0);
  put32(p + meta + 1900, 0);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, NULL, NULL, &m), SGXRA_OK);
  assert_true(m.match);
  /* DT_TEXTREL: the first tag of PT_DYNAMIC turned into 22 */
  uint64_t phoff = get64(p + 32);
  unsigned phnum = p[56] | p[57] << 8;
  int done = 0;
  for (unsigned i = 0; i < phnum && !done; i++) {
    const uint8_t *h = p + phoff + 56 * i;
    if (get32(h) != 2) continue;
    put64(p + get64(h + 8), 22);
    done = 1;
  }
  assert_true(done);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, NULL, NULL, &m),
                   SGXRA_E_SGXMETA_UNSUPPORTED);
  expect_msg(cx, "DT_TEXTREL");
  free(p);
  sgxra_ctx_free(cx);
}

/* The page callback sees every page, with its source. */
typedef struct seen {
  uint64_t pages, extended, tcs;
  int quirk_ok, first_ok;
  uint64_t stop_after;
} seen;

static sgxra_err on_page(void *arg, const sgxra_sdk_page *pg) {
  seen *s = arg;
  if (s->pages == 0 && !strcmp(pg->source, "PT_LOAD 1") && pg->offset == 0)
    s->first_ok = 1;
  if (pg->offset == 0x232000 && pg->secinfo_flags == 0x203 && pg->extended &&
      !strncmp(pg->source, "v1.3 extra page", 15)) {
    s->quirk_ok = 1;
    for (unsigned i = 0; i < 4096; i++)
      if (pg->bytes[i]) s->quirk_ok = 0;
  }
  if (pg->secinfo_flags == 0x100) {
    /* the template's OSSA (1 page after the TCS in every SDK layout) is
     * fixed up by the page's rva */
    if (get64(pg->bytes + 16) == pg->offset + 4096) s->tcs++;
    assert_non_null(strstr(pg->source, "TCS"));
  }
  s->pages++;
  s->extended += pg->extended != 0;
  if (s->stop_after && s->pages == s->stop_after) return SGXRA_E_INTERNAL;
  return SGXRA_OK;
}

static void page_callback(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  uint8_t *p = read_sdk("eternalray-md13-quirk.signed.so", &n);
  sgxra_sdk_enclave en;
  sgxra_sdk_measurement m;
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  seen s;
  memset(&s, 0, sizeof s);
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, on_page, &s, &m), SGXRA_OK);
  assert_true(m.match);
  assert_int_equal(s.pages, 988);
  assert_int_equal(s.extended * 16, 11712);
  assert_true(s.first_ok);
  assert_true(s.quirk_ok);
  assert_int_equal(s.tcs, 10);
  /* a callback error stops the measurement */
  memset(&s, 0, sizeof s);
  s.stop_after = 5;
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, on_page, &s, &m),
                   SGXRA_E_INTERNAL);
  assert_int_equal(s.pages, 5);
  assert_false(m.match);
  /* without the 1.3 quirk (the same copy labelled 1.4) the hash differs */
  put32(p + 0x31a91 + 8, 4);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_measure(cx, &en, 0, NULL, NULL, &m), SGXRA_OK);
  assert_false(m.match);
  assert_int_equal(m.eadd, 987);
  free(p);
  sgxra_ctx_free(cx);
}

/* What a reviewer reads: README's static TCS, heap pages, SSA frame. */
static void summaries(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  sgxra_sdk_enclave en;
  sgxra_sdk_summary s;
  uint8_t *p = read_sdk(DZ, &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_summarize(cx, &en, 0, &s), SGXRA_OK);
  assert_int_equal(s.version_major, 1);
  assert_int_equal(s.version_minor, 4);
  assert_int_equal(s.enclave_size, 0x800000);
  assert_int_equal(s.ssa_frame_size, 1);
  assert_int_equal(s.nssa, 2);
  assert_int_equal(s.tcs_policy, 1);
  assert_int_equal(s.tcs_static, 10);
  assert_int_equal(s.tcs_dynamic, 0);
  assert_int_equal(s.heap_init, 256 * 4096);
  assert_int_equal(s.heap_max, 256 * 4096);
  assert_int_equal(s.stack_max, 64 * 4096);
  assert_int_equal(s.stack_min, 64 * 4096);
  assert_int_equal(s.attributes.flags, 0x4);
  assert_int_equal(s.misc_select, 0);
  assert_int_equal(sgxra_sdk_summarize(cx, &en, 1, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  free(p);
  /* qshield 2.1: 10 static threads with 4 MiB of measured stack (1023 +
   * 1 pages), 9 dynamic ones (POST_ADD) */
  p = read_sdk("qshield-md21-sdk20.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_summarize(cx, &en, 0, &s), SGXRA_OK);
  assert_int_equal(s.version_major, 2);
  assert_int_equal(s.tcs_static, 10);
  assert_int_equal(s.tcs_dynamic, 9);
  assert_int_equal(s.stack_max, 1024 * 4096);
  assert_int_equal(s.stack_min, 1024 * 4096);
  assert_int_equal(s.heap_init, 256 * 4096);
  assert_int_equal(s.tcs_min_pool, 1);
  assert_int_equal(s.enclave_size, 0x8000000);
  /* its 1.4 copy: the same static threads, no dynamic ones */
  assert_int_equal(sgxra_sdk_summarize(cx, &en, 1, &s), SGXRA_OK);
  assert_int_equal(s.tcs_static, 10);
  assert_int_equal(s.tcs_dynamic, 0);
  free(p);
  /* signal: 4096 heap pages, EADD only */
  p = read_sdk("signal-cds-md23-prod.signed.so", &n);
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(sgxra_sdk_summarize(cx, &en, en.selected, &s), SGXRA_OK);
  assert_int_equal(s.heap_init, 4096 * 4096);
  assert_int_equal(s.tcs_static, 10);
  free(p);
  sgxra_ctx_free(cx);
}

/* A new SIGSTRUCT lands in every copy; the pages measured do not move. */
static void set_sigstruct(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t n;
  uint8_t *p = read_sdk("george321-md22-ownkey.signed.so", &n);
  sgxra_sdk_enclave en, en2;
  assert_int_equal(sgxra_sdk_open(cx, p, n, &en), SGXRA_OK);
  assert_int_equal(en.ncopies, 3);
  uint8_t ss[1808];
  memcpy(ss, en.copies[0].head.sigstruct, sizeof ss);
  for (size_t i = 128; i < 512; i++) ss[i] = (uint8_t)(i * 7); /* modulus */
  uint8_t *out = malloc(n);
  assert_non_null(out);
  memcpy(out, p, n);
  assert_int_equal(sgxra_sdk_set_sigstruct(cx, &en, ss, out, n - 1),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_sdk_set_sigstruct(cx, &en, ss, out, n), SGXRA_OK);
  assert_int_equal(sgxra_sdk_open(cx, out, n, &en2), SGXRA_OK);
  assert_int_equal(en2.ncopies, 3);
  for (unsigned i = 0; i < 3; i++) {
    assert_memory_equal(en2.copies[i].head.sigstruct, ss, sizeof ss);
    sgxra_sdk_measurement m;
    assert_int_equal(sgxra_sdk_measure(cx, &en2, i, NULL, NULL, &m), SGXRA_OK);
    assert_true(m.match);
    tu_assert_hex(m.mrenclave, 32, KNOWN[3].mrenclave);
  }
  /* only the SIGSTRUCTs changed */
  size_t diff = 0;
  for (size_t i = 0; i < n; i++) diff += p[i] != out[i];
  assert_true(diff > 0 && diff <= 3 * 384);
  /* a different ENCLAVEHASH in the blob: no copy matches any more */
  ss[960] ^= 1;
  assert_int_equal(sgxra_sdk_set_sigstruct(cx, &en2, ss, out, n), SGXRA_OK);
  sgxra_sdk_check ck;
  assert_int_equal(sgxra_sdk_check_file(cx, out, n, &ck), SGXRA_OK);
  assert_false(ck.match);
  assert_false(ck.copies[2].match);
  tu_assert_hex(ck.measured, 32, KNOWN[3].mrenclave);
  assert_memory_not_equal(ck.measured, ck.signed_hash, 32);
  /* one copy (the 2.2 one the loader skips) with another hash is enough
   * for check_file to say no */
  memcpy(out, p, n);
  out[en.copies[0].file_offset + 64 + 960] ^= 1;
  assert_int_equal(sgxra_sdk_check_file(cx, out, n, &ck), SGXRA_OK);
  assert_false(ck.match);
  assert_false(ck.copies[0].match);
  assert_true(ck.copies[2].match);
  assert_memory_equal(ck.measured, ck.signed_hash, 32);
  free(out);
  free(p);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(all_vectors),        cmocka_unit_test(copies_selected),
      cmocka_unit_test(mutations_measured), cmocka_unit_test(mutations_refused),
      cmocka_unit_test(unsupported),        cmocka_unit_test(page_callback),
      cmocka_unit_test(summaries),          cmocka_unit_test(set_sigstruct),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
