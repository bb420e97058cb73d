/* Signed enclave files: .note.sgxmeta of Intel's PCE (see
 * ../shared/vectors/README.md), ELF64 section walking, file detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "sgxra/enclavefile.h"
#include "sgxra/file.h"

#define PCE_NOTE "identity/intel-pce/pce_note_sgxmeta_section.bin"
#define PCE_ENCLAVEHASH                                                        \
  "03e3f07e8c11cc08a1fa2afa93a8f2699cc8d9e17efa890af5df4e3cf7696578"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void expect_msg(sgxra_ctx *cx, const char *needle) {
  const char *msg = sgxra_ctx_message(cx);
  if (!strstr(msg, needle))
    fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void check_pce(const sgxra_sgxmeta *m, const uint8_t *section) {
  assert_true(m->magic == 0x86A80294635D0E4CULL);
  assert_int_equal(m->version_major, 1);
  assert_int_equal(m->version_minor, 5);
  assert_int_equal(m->size, 4956);
  assert_int_equal(m->ssa_frame_size, 1);
  assert_int_equal(m->enclave_size, 0x400000);
  assert_int_equal(m->tcs_policy, 1);
  assert_int_equal(m->max_save_buffer_size, 2688);
  assert_int_equal(m->desired_misc_select, 0);
  assert_int_equal(m->tcs_min_pool, 0);
  /* metadata ATTRIBUTES: the flags of the SIGSTRUCT (0x14, README), but
   * the XFRM the loader asks for (0xe7, read with python from the vector),
   * not the SIGSTRUCT's 0x3 */
  assert_int_equal(m->attributes.flags, 0x14);
  assert_int_equal(m->attributes.xfrm, 0xe7);
  assert_ptr_equal(m->record, section + 25);
  /* dirs[]: 4 patch entries and 9 layout entries of 32 bytes, ending
   * exactly at the record's end (read with python from the vector) */
  assert_int_equal(m->patch_offset, 4540);
  assert_int_equal(m->patch_size, 128);
  assert_int_equal(m->layout_offset, 4668);
  assert_int_equal(m->layout_size, 288);
  assert_ptr_equal(m->sigstruct, section + 25 + 64);
  size_t n;
  uint8_t *ss = tu_read_vector("identity/intel-pce/pce_sigstruct.bin", &n);
  assert_int_equal(n, 1808);
  assert_memory_equal(m->sigstruct, ss, 1808);
  tu_assert_hex(m->sigstruct + 960, 32, PCE_ENCLAVEHASH);
  free(ss);
}

static void pce_note(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_vector(PCE_NOTE, &n);
  assert_int_equal(n, 24604);
  /* The note header as the README gives it, read independently. */
  assert_int_equal(p[0], 13);
  assert_int_equal(p[4] | p[5] << 8, 0x6000);
  assert_int_equal(p[8], 1);
  assert_memory_equal(p + 12, "sgx_metadata", 13);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sgxmeta m;
  assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, n, &m), SGXRA_OK);
  check_pce(&m, p);
  sgxra_ctx_free(cx);
  free(p);
}

/* Every cut of the note fails with SGXRA_E_SGXMETA_FORMAT and a zeroed
 * output: the 0x6000-byte descriptor is only whole at 24601 bytes. */
static void pce_note_truncated(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_vector(PCE_NOTE, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sgxmeta m, zero;
  memset(&zero, 0, sizeof zero);
  for (size_t len = 0; len < 25 + 0x6000; len++) {
    memset(&m, 0xaa, sizeof m);
    sgxra_err e = sgxra_sgxmeta_parse_note(cx, p, len, &m);
    if (e != SGXRA_E_SGXMETA_FORMAT)
      fail_msg("length %zu: %s", len, sgxra_err_name(e));
    assert_memory_equal(&m, &zero, sizeof m);
  }
  assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, 100, &m),
                   SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "note descriptor (descsz) needs 24576 bytes at offset 25");
  assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, 25 + 0x6000, &m), SGXRA_OK);
  sgxra_ctx_free(cx);
  free(p);
}

/* A damaged field in each region gives SGXRA_E_SGXMETA_FORMAT naming it. */
static void pce_note_damaged(void **state) {
  (void)state;
  size_t n;
  uint8_t *orig = tu_read_vector(PCE_NOTE, &n);
  uint8_t *p = malloc(n);
  assert_non_null(p);
  sgxra_ctx *cx = sgxra_ctx_new();
  const struct {
    size_t at;
    uint32_t val;
    const char *msg;
  } cases[] = {
      {0, 12, "name size is 12"},
      {8, 2, "note type is 2"},
      {4, 0x7000, "needs 28672 bytes"},
      {12, 'S', "not \"sgx_metadata\""},
      {25, 0x4d, "magic at offset 25 is 0x86a80294635d0e4d"},
      {25 + 16, 100, "declares size 100"},
      {25 + 16, 0x6001, "declares size 24577"},
      {25 + 16, 1872, "declares size 1872, outside 1888"},
      {25 + 1872, 4829,
       "patch table (offset 4829, 128 bytes) lies outside "
       "its 4956-byte record"},
      {25 + 1876, 0xffffffff, "patch table"},
      {25 + 1880, 4669, "metadata 1.5 layout table (offset 4669, 288 bytes)"},
      {25 + 1884, 289, "layout table"},
  };
  sgxra_sgxmeta m;
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    memcpy(p, orig, n);
    if (cases[i].at == 12 || cases[i].at == 25)
      p[cases[i].at] = (uint8_t)cases[i].val;
    else
      put32(p + cases[i].at, cases[i].val);
    assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, n, &m),
                     SGXRA_E_SGXMETA_FORMAT);
    expect_msg(cx, cases[i].msg);
  }
  free(p);
  free(orig);
  sgxra_ctx_free(cx);
}

/* Chained records: the highest version wins wherever it sits. */
static void chained_records(void **state) {
  (void)state;
  size_t n;
  uint8_t *orig = tu_read_vector(PCE_NOTE, &n);
  const size_t rec = 4956;
  uint8_t *p = calloc(1, 25 + 3 * rec);
  assert_non_null(p);
  memcpy(p, orig, 25);
  put32(p + 4, (uint32_t)(3 * rec));
  /* versions 1.5, 2.1, 2.0 */
  const uint32_t ver[3][2] = {{1, 5}, {2, 1}, {2, 0}};
  for (int i = 0; i < 3; i++) {
    uint8_t *r = p + 25 + i * rec;
    memcpy(r, orig + 25, rec);
    put32(r + 8, ver[i][1]);
    put32(r + 12, ver[i][0]);
    put32(r + 24, (uint32_t)(10 + i)); /* ssa_frame_size marks the record */
  }
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sgxmeta m;
  assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, 25 + 3 * rec, &m), SGXRA_OK);
  assert_int_equal(m.version_major, 2);
  assert_int_equal(m.version_minor, 1);
  assert_int_equal(m.ssa_frame_size, 11);
  assert_ptr_equal(m.record, p + 25 + rec);
  /* A chain ends at the first non-magic bytes: hide the third record. */
  p[25 + 2 * rec] ^= 1;
  put32(p + 25 + rec + 12, 0); /* record 2 becomes 0.1 */
  assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, 25 + 3 * rec, &m), SGXRA_OK);
  assert_int_equal(m.version_major, 1);
  assert_int_equal(m.ssa_frame_size, 10);
  /* A record whose size runs past the note is refused even after a good
   * one. */
  p[25 + 2 * rec] ^= 1;
  put32(p + 25 + 2 * rec + 16, (uint32_t)rec + 1);
  assert_int_equal(sgxra_sgxmeta_parse_note(cx, p, 25 + 3 * rec, &m),
                   SGXRA_E_SGXMETA_FORMAT);
  expect_msg(cx, "offset 9937 declares size 4957");
  free(p);
  free(orig);
  sgxra_ctx_free(cx);
}

/* ---- ELF ----------------------------------------------------------------- */

/* A minimal ELF64 shared object: header, the section's bytes, the name
 * table, then 4 section headers (null, .text NOBITS, the named one,
 * .shstrtab) at the end, so any cut reaches the header table. */
static uint8_t *make_elf(const uint8_t *sec, size_t secn, const char *name,
                         size_t *out_len) {
  const char names[] = "\0.text\0.shstrtab\0";
  size_t namelen = strlen(name) + 1;
  size_t strsz = sizeof names + namelen;
  size_t secoff = 64, stroff = secoff + secn, shoff = (stroff + strsz + 7) & ~7;
  size_t total = shoff + 4 * 64;
  uint8_t *p = calloc(1, total);
  assert_non_null(p);
  memcpy(p,
         "\x7f"
         "ELF",
         4);
  p[4] = 2; /* ELF64 */
  p[5] = 1; /* little-endian */
  p[6] = 1;
  put16(p + 16, 3);  /* ET_DYN */
  put16(p + 18, 62); /* x86-64 */
  put32(p + 20, 1);
  put64(p + 0x28, shoff);
  put16(p + 0x34, 64);
  put16(p + 0x3a, 64);
  put16(p + 0x3c, 4);
  put16(p + 0x3e, 3);
  memcpy(p + secoff, sec, secn);
  memcpy(p + stroff, names, sizeof names);
  memcpy(p + stroff + sizeof names, name, namelen);
  uint8_t *sh = p + shoff;
  /* 1: .text, NOBITS */
  put32(sh + 64, 1);
  put32(sh + 64 + 4, 8);
  /* 2: the section (SHT_NOTE) */
  put32(sh + 128, (uint32_t)sizeof names);
  put32(sh + 128 + 4, 7);
  put64(sh + 128 + 24, secoff);
  put64(sh + 128 + 32, secn);
  /* 3: .shstrtab */
  put32(sh + 192, 7);
  put32(sh + 192 + 4, 3);
  put64(sh + 192 + 24, stroff);
  put64(sh + 192 + 32, strsz);
  *out_len = total;
  return p;
}

static void elf_with_note(void **state) {
  (void)state;
  size_t n, elfn;
  uint8_t *note = tu_read_vector(PCE_NOTE, &n);
  uint8_t *elf = make_elf(note, n, ".note.sgxmeta", &elfn);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sgxmeta m, zero;
  memset(&zero, 0, sizeof zero);
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, elf, elfn, &m), SGXRA_OK);
  check_pce(&m, elf + 64);
  assert_int_equal(sgxra_file_detect(elf, elfn), SGXRA_FILE_ELF);

  /* Cut at every length: never a crash, always ELF_FORMAT, output zeroed. */
  for (size_t len = 0; len < elfn; len++) {
    memset(&m, 0xaa, sizeof m);
    sgxra_err e = sgxra_sgxmeta_from_elf(cx, elf, len, &m);
    if (e != SGXRA_E_ELF_FORMAT)
      fail_msg("length %zu: %s (%s)", len, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    assert_memory_equal(&m, &zero, sizeof m);
  }
  sgxra_ctx_free(cx);
  free(elf);
  free(note);
}

static void elf_damaged(void **state) {
  (void)state;
  size_t n, elfn;
  uint8_t *note = tu_read_vector(PCE_NOTE, &n);
  uint8_t *orig = make_elf(note, n, ".note.sgxmeta", &elfn);
  uint8_t *elf = malloc(elfn);
  assert_non_null(elf);
  size_t shoff = elfn - 4 * 64;
  const struct {
    size_t at;
    int width;
    uint64_t val;
    sgxra_err code;
    const char *msg;
  } cases[] = {
      {0, 1, 0x7e, SGXRA_E_ELF_FORMAT, "not an ELF file"},
      {4, 1, 1, SGXRA_E_ELF_FORMAT, "ELF class 1 is not ELF64"},
      {5, 1, 2, SGXRA_E_ELF_FORMAT, "not little-endian"},
      {0x3a, 2, 40, SGXRA_E_ELF_FORMAT, "section header size is 40"},
      {0x3c, 2, 5, SGXRA_E_ELF_FORMAT, "5 section headers"},
      {0x3e, 2, 4, SGXRA_E_ELF_FORMAT, "index 4 is not one of the 4"},
      {0x3e, 2, 1, SGXRA_E_ELF_FORMAT, "SHT_NOBITS"},
      {0x28, 8, 1ULL << 40, SGXRA_E_ELF_FORMAT, "past the end"},
      {0x28, 8, 0, SGXRA_E_ELF_NO_SGXMETA, "no section header table"},
      {shoff + 128 + 24, 8, 1ULL << 62, SGXRA_E_ELF_FORMAT,
       ".note.sgxmeta (section 2) is 0x601c bytes"},
      {shoff + 128 + 32, 8, UINT64_MAX, SGXRA_E_ELF_FORMAT,
       "past the end of the file"},
      {shoff + 128 + 4, 4, 8, SGXRA_E_ELF_FORMAT, "SHT_NOBITS"},
      {shoff + 128, 4, 0xffff, SGXRA_E_ELF_NO_SGXMETA, "no .note.sgxmeta"},
      {64 + 8, 4, 5, SGXRA_E_SGXMETA_FORMAT,
       "section 2 at file offset 0x40: .note.sgxmeta: note type is 5"},
  };
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sgxmeta m;
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    memcpy(elf, orig, elfn);
    if (cases[i].width == 1) elf[cases[i].at] = (uint8_t)cases[i].val;
    if (cases[i].width == 2) put16(elf + cases[i].at, (uint16_t)cases[i].val);
    if (cases[i].width == 4) put32(elf + cases[i].at, (uint32_t)cases[i].val);
    if (cases[i].width == 8) put64(elf + cases[i].at, cases[i].val);
    sgxra_err e = sgxra_sgxmeta_from_elf(cx, elf, elfn, &m);
    if (e != cases[i].code)
      fail_msg("case %zu: got %s, want %s (%s)", i, sgxra_err_name(e),
               sgxra_err_name(cases[i].code), sgxra_ctx_message(cx));
    expect_msg(cx, cases[i].msg);
  }
  /* Another name, and a name that only starts like it. */
  free(orig);
  orig = make_elf(note, n, ".note.sgxmetaX", &elfn);
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, orig, elfn, &m),
                   SGXRA_E_ELF_NO_SGXMETA);
  free(orig);
  orig = make_elf(note, n, ".note.sgx", &elfn);
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, orig, elfn, &m),
                   SGXRA_E_ELF_NO_SGXMETA);
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, NULL, 3, &m),
                   SGXRA_E_INVALID_ARGUMENT);
  free(orig);
  free(elf);
  free(note);
  sgxra_ctx_free(cx);
}

/* Random damage to the ELF and its note (fixed seed): OK or one of the
 * three file codes, output zeroed on error, never a crash. */
static void elf_random_damage(void **state) {
  (void)state;
  size_t n, elfn;
  uint8_t *note = tu_read_vector(PCE_NOTE, &n);
  uint8_t *orig = make_elf(note, n, ".note.sgxmeta", &elfn);
  uint8_t *p = malloc(elfn);
  assert_non_null(p);
  /* Flip inside the ELF header, the section headers, the note header with
   * the metadata head, and the section-name table. */
  const size_t regions[][2] = {
      {0, 64}, {elfn - 256, 256}, {64, 25 + 64}, {elfn - 256 - 40, 40}};
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_sgxmeta m, zero;
  memset(&zero, 0, sizeof zero);
  uint32_t x = 0x9e3779b9u;
  int errors = 0;
  for (int round = 0; round < 4000; round++) {
    memcpy(p, orig, elfn);
    for (int f = 0; f < 1 + round % 2; f++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      const size_t *r = regions[x % ARRAY_LEN(regions)];
      p[r[0] + (x >> 8) % r[1]] ^= (uint8_t)(1u << ((x >> 28) & 7));
    }
    memset(&m, 0xaa, sizeof m);
    sgxra_err e = sgxra_sgxmeta_from_elf(cx, p, elfn, &m);
    if (e == SGXRA_OK) {
      /* whatever was found lies inside the buffer */
      assert_true(m.record >= p && m.record + m.size <= p + elfn);
      assert_true(m.sigstruct == m.record + 64);
      continue;
    }
    if (e != SGXRA_E_ELF_FORMAT && e != SGXRA_E_ELF_NO_SGXMETA &&
        e != SGXRA_E_SGXMETA_FORMAT)
      fail_msg("round %d: unexpected %s (%s)", round, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    assert_memory_equal(&m, &zero, sizeof m);
    errors++;
  }
  assert_true(errors > 500);
  free(p);
  free(orig);
  free(note);
  sgxra_ctx_free(cx);
}

/* A real ELF without the note: this test program itself. */
static void elf_self_no_note(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *p;
  size_t n;
  assert_int_equal(sgxra_file_read(cx, "/proc/self/exe", 256u << 20, &p, &n),
                   SGXRA_OK);
  assert_int_equal(sgxra_file_detect(p, n), SGXRA_FILE_ELF);
  sgxra_sgxmeta m;
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, p, n, &m),
                   SGXRA_E_ELF_NO_SGXMETA);
  expect_msg(cx, "no .note.sgxmeta section");
  free(p);
  sgxra_ctx_free(cx);
}

static void detect(void **state) {
  (void)state;
  const struct {
    const char *rel;
    sgxra_file_kind kind;
    const char *name;
  } cases[] = {
      {"identity/enarx-sgx/encl.ss", SGXRA_FILE_SIGSTRUCT, "sigstruct"},
      {"identity/intel-pce/pce_sigstruct.bin", SGXRA_FILE_SIGSTRUCT,
       "sigstruct"},
      {"identity/intel-linux-sgx/le_prod_css_1.5_initial.bin",
       SGXRA_FILE_SIGSTRUCT, "sigstruct"},
      {"identity/enarx-sgx/encl.bin", SGXRA_FILE_RAW_IMAGE, "raw"},
      {"identity/fortanix-rust-sgx/test_enclave.sgxs", SGXRA_FILE_SGXS, "sgxs"},
      {"identity/fortanix-rust-sgx/report.sgxs", SGXRA_FILE_SGXS, "sgxs"},
      {"dcap/bundles/sgx-01-phala-v3/quote.bin", SGXRA_FILE_QUOTE, "quote"},
      {"identity/enarx-sgx/encl.pem", SGXRA_FILE_UNKNOWN, "unknown"},
      {PCE_NOTE, SGXRA_FILE_UNKNOWN, "unknown"},
  };
  for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
    size_t n;
    uint8_t *p = tu_read_vector(cases[i].rel, &n);
    sgxra_file_kind k = sgxra_file_detect(p, n);
    if (k != cases[i].kind)
      fail_msg("%s: detected %s, want %s", cases[i].rel,
               sgxra_file_kind_name(k), cases[i].name);
    assert_string_equal(sgxra_file_kind_name(k), cases[i].name);
    /* One byte fewer is never taken for the same fixed-size kind. */
    if (k == SGXRA_FILE_SIGSTRUCT)
      assert_int_not_equal(sgxra_file_detect(p, n - 1), SGXRA_FILE_SIGSTRUCT);
    free(p);
  }
  uint8_t buf[432] = {0};
  assert_int_equal(sgxra_file_detect(buf, 432), SGXRA_FILE_REPORT);
  assert_string_equal(sgxra_file_kind_name(SGXRA_FILE_REPORT), "report");
  assert_int_equal(sgxra_file_detect(buf, 431), SGXRA_FILE_UNKNOWN);
  assert_int_equal(sgxra_file_detect(buf, 0), SGXRA_FILE_UNKNOWN);
  assert_int_equal(sgxra_file_detect(NULL, 10), SGXRA_FILE_UNKNOWN);
  memcpy(buf, "ECREATE", 8);
  assert_int_equal(sgxra_file_detect(buf, 63), SGXRA_FILE_UNKNOWN);
  assert_int_equal(sgxra_file_detect(buf, 64), SGXRA_FILE_SGXS);
  assert_string_equal(sgxra_file_kind_name((sgxra_file_kind)99), "unknown");
}

/* sgxra_file_detect_known: the kind, or SGXRA_E_FILE_UNKNOWN with the size
 * (the code the verbs print for a file of no known kind). */
static void detect_known(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t buf[432] = {0};
  sgxra_file_kind k = SGXRA_FILE_SGXS;
  assert_int_equal(sgxra_file_detect_known(cx, buf, 432, &k), SGXRA_OK);
  assert_int_equal(k, SGXRA_FILE_REPORT);
  assert_int_equal(sgxra_file_detect_known(cx, buf, 431, &k),
                   SGXRA_E_FILE_UNKNOWN);
  assert_int_equal(k, SGXRA_FILE_UNKNOWN);
  assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_FILE_UNKNOWN);
  expect_msg(cx, "431 bytes that are no SGX file sgxra knows");
  expect_msg(cx, "a multiple of 4096 bytes");
  assert_int_equal(sgxra_file_detect_known(cx, NULL, 0, &k),
                   SGXRA_E_FILE_UNKNOWN);
  expect_msg(cx, "0 bytes");
  memcpy(buf,
         "\x7f"
         "ELF",
         4);
  assert_int_equal(sgxra_file_detect_known(cx, buf, 4, &k), SGXRA_OK);
  assert_int_equal(k, SGXRA_FILE_ELF);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pce_note),
      cmocka_unit_test(pce_note_truncated),
      cmocka_unit_test(pce_note_damaged),
      cmocka_unit_test(chained_records),
      cmocka_unit_test(elf_with_note),
      cmocka_unit_test(elf_damaged),
      cmocka_unit_test(elf_random_damage),
      cmocka_unit_test(elf_self_no_note),
      cmocka_unit_test(detect),
      cmocka_unit_test(detect_known),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
