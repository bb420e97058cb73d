/*
 * tests/emu/test_cpu.c -- the emulated CPU: ELF layout and MRENCLAVE
 * (recomputed here record by record, independently of the measurement
 * builder), EINIT's refusals, EREPORT/EGETKEY, platform state.
 *
 * Enclaves here are small ELF shared objects built in memory, signed with
 * the PUBLIC demo key of enclaves/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "core/internal.h"
#include "sgx/elf_cases.h"
#include "sgxra/crypto.h"
#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/sigstruct.h"

/* ---- a hand-made ELF ------------------------------------------------------
 *
 *   file 0x000  ELF header (64) | 2 program headers (112) | bytes 'A'..
 *        0x200  0x100 bytes of data
 *   PT_LOAD 0: off 0      vaddr 0      filesz 0x200 memsz 0x200   R X
 *   PT_LOAD 1: off 0x200  vaddr 0x1200 filesz 0x100 memsz 0x1000  R W
 *
 * Pages: 0 (REG R X), 1 and 2 (REG R W; page 2 is .bss only); image_end
 * 0x3000; TCS 0x3000; SSA 0x4000, 0x5000; stack 0x6000..0x16000; SIZE
 * 0x20000.  As the loader maps them, pages 0 and 1 both hold the file's
 * first page: the whole 0x300-byte file, then zeros (page 0 also carries
 * segment 1's bytes, page 1 the ELF header). */
#define ELF_LEN 0x300
#define ELF_ENTRY 0x1000

static void make_elf(uint8_t p[ELF_LEN], uint8_t fill) {
  memset(p, 0, ELF_LEN);
  memcpy(p,
         "\x7f"
         "ELF",
         4);
  p[4] = 2;                /* 64-bit */
  p[5] = 1;                /* little-endian */
  p[6] = 1;                /* EV_CURRENT */
  sgxra__st16(p + 16, 3);  /* ET_DYN */
  sgxra__st16(p + 18, 62); /* x86-64 */
  sgxra__st32(p + 20, 1);
  sgxra__st64(p + 24, ELF_ENTRY);
  sgxra__st64(p + 32, 64); /* e_phoff */
  sgxra__st16(p + 52, 64);
  sgxra__st16(p + 54, 56);
  sgxra__st16(p + 56, 2);
  uint8_t *h = p + 64;
  sgxra__st32(h, 1);
  sgxra__st32(h + 4, 5); /* R X */
  sgxra__st64(h + 8, 0);
  sgxra__st64(h + 16, 0);
  sgxra__st64(h + 32, 0x200);
  sgxra__st64(h + 40, 0x200);
  h += 56;
  sgxra__st32(h, 1);
  sgxra__st32(h + 4, 6); /* R W */
  sgxra__st64(h + 8, 0x200);
  sgxra__st64(h + 16, 0x1200);
  sgxra__st64(h + 32, 0x100);
  sgxra__st64(h + 40, 0x1000);
  for (size_t i = 176; i < ELF_LEN; i++) p[i] = (uint8_t)(fill + i);
}

/* ---- MRENCLAVE recomputed from the SDM's record formats ---- */

static void rec(sgxra_sha256_stream *s, const uint8_t r[64]) {
  assert_int_equal(sgxra_sha256_update(NULL, s, r, 64), SGXRA_OK);
}

static void add_page(sgxra_sha256_stream *s, uint64_t off, uint64_t flags,
                     const uint8_t *page) {
  uint8_t r[64];
  memset(r, 0, 64);
  memcpy(r, "EADD\0\0\0\0", 8);
  sgxra__st64(r + 8, off);
  sgxra__st64(r + 16, flags);
  rec(s, r);
  for (int c = 0; c < 16; c++) {
    memset(r, 0, 64);
    memcpy(r, "EEXTEND\0", 8);
    sgxra__st64(r + 8, off + 256u * c);
    rec(s, r);
    assert_int_equal(sgxra_sha256_update(NULL, s, page + 256 * c, 256),
                     SGXRA_OK);
  }
}

/* ECREATE(1, 0x20000), the given segment pages, then TCS at image_end,
 * 2 SSA pages and 16 stack pages. */
static void expected_records(const uint8_t (*pages)[4096],
                             const uint64_t *flags, size_t npages,
                             uint8_t out[32]) {
  sgxra_sha256_stream s;
  uint8_t r[64], page[4096];
  uint64_t image_end = npages * 0x1000u;
  memset(&s, 0, sizeof s);
  assert_int_equal(sgxra_sha256_init(NULL, &s), SGXRA_OK);
  memset(r, 0, 64);
  memcpy(r, "ECREATE\0", 8);
  sgxra__st32(r + 8, 1);        /* SSAFRAMESIZE */
  sgxra__st64(r + 12, 0x20000); /* SIZE */
  rec(&s, r);
  for (size_t i = 0; i < npages; i++)
    add_page(&s, i * 0x1000u, flags[i], pages[i]);
  memset(page, 0, sizeof page);
  sgxra__st64(page + 16, image_end + 0x1000); /* OSSA */
  sgxra__st32(page + 28, 2);                  /* NSSA */
  sgxra__st64(page + 32, ELF_ENTRY);
  sgxra__st32(page + 64, 0xfff);
  sgxra__st32(page + 68, 0xfff);
  add_page(&s, image_end, 0x100, page); /* TCS */
  memset(page, 0, sizeof page);
  for (uint64_t off = image_end + 0x1000; off < image_end + 0x13000;
       off += 0x1000)
    add_page(&s, off, 0x203, page);
  assert_int_equal(sgxra_sha256_final(NULL, &s, out), SGXRA_OK);
  sgxra_sha256_cleanup(&s);
}

/* make_elf's file: page 0 (seg 0, file page 0), page 1 (seg 1: p_offset
 * 0x200 rounded down, so file page 0 again; the loader's clearing from
 * 0x1300 falls past the end of the file), page 2 (.bss). */
static void expected_mrenclave(const uint8_t elf[ELF_LEN], uint8_t out[32]) {
  static uint8_t pages[3][4096];
  const uint64_t flags[3] = {0x205, 0x203, 0x203};
  memset(pages, 0, sizeof pages);
  memcpy(pages[0], elf, ELF_LEN);
  memcpy(pages[1], elf, ELF_LEN);
  expected_records((const uint8_t(*)[4096])pages, flags, 3, out);
}

/* The same file with segment 1 cut to p_filesz 0x80, p_memsz 0xc0: one
 * page at 0x1000 holding file page 0, where the loader clears
 * [0x1280, 0x12c0) (p_filesz to p_memsz, inside the page) and keeps the
 * file's bytes from 0x12c0 on. */
#define SHORT_FILESZ 0x80
#define SHORT_MEMSZ 0xc0
static void make_short_elf(uint8_t p[ELF_LEN], uint8_t fill) {
  make_elf(p, fill);
  sgxra__st64(p + 64 + 56 + 32, SHORT_FILESZ);
  sgxra__st64(p + 64 + 56 + 40, SHORT_MEMSZ);
}

static void expected_short_mrenclave(const uint8_t elf[ELF_LEN],
                                     uint8_t out[32]) {
  static uint8_t pages[2][4096];
  const uint64_t flags[2] = {0x205, 0x203};
  memset(pages, 0, sizeof pages);
  memcpy(pages[0], elf, ELF_LEN);
  memcpy(pages[1], elf, ELF_LEN);
  memset(pages[1] + 0x200 + SHORT_FILESZ, 0, SHORT_MEMSZ - SHORT_FILESZ);
  expected_records((const uint8_t(*)[4096])pages, flags, 2, out);
}

/* ---- fixtures ---- */

static sgxra_rsa_key *demo_key(void) {
  char path[4096];
  uint8_t *buf = NULL;
  size_t len = 0;
  sgxra_rsa_key *k = NULL;
  snprintf(path, sizeof path, "%s/enclaves/demo_signing_key.pem",
           SGXRA_SOURCE_DIR);
  assert_int_equal(sgxra_file_read(NULL, path, 1 << 20, &buf, &len), SGXRA_OK);
  assert_int_equal(sgxra_rsa_load_private(NULL, buf, len, &k), SGXRA_OK);
  free(buf);
  return k;
}

/* Production SIGSTRUCT (DEBUG forced to 0) of an ELF. */
static void sign_elf(const sgxra_rsa_key *k, const uint8_t *elf, size_t n,
                     uint16_t isvprodid, uint16_t isvsvn, int debug_free,
                     uint8_t out[SGXRA_SIGSTRUCT_SIZE]) {
  sgxra_sigstruct_params prm;
  sgxra_sigstruct ss;
  sgxra_sigstruct_params_default(&prm);
  assert_int_equal(sgxra_layout_measure_elf(NULL, elf, n, prm.enclavehash),
                   SGXRA_OK);
  prm.isvprodid = isvprodid;
  prm.isvsvn = isvsvn;
  if (debug_free) {
    prm.attributemask.flags = ~SGXRA_ATTR_DEBUG;
    prm.allow_debug = 1;
  }
  assert_int_equal(sgxra_sigstruct_sign(NULL, k, &prm, &ss), SGXRA_OK);
  sgxra_sigstruct_encode(&ss, out);
}

typedef struct fx {
  sgxra_ctx *cx;
  sgxra_rsa_key *key;
  sgxra_emu_platform *plat;
  uint8_t elf_a[ELF_LEN], elf_b[ELF_LEN];
  uint8_t sig_a[SGXRA_SIGSTRUCT_SIZE], sig_a2[SGXRA_SIGSTRUCT_SIZE],
      sig_b[SGXRA_SIGSTRUCT_SIZE];
  sgxra_emu_enclave *a, *b; /* a: ISVPRODID 7 ISVSVN 3; b: another image */
} fx;

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->cx = sgxra_ctx_new();
  f->key = demo_key();
  assert_int_equal(sgxra_emu_platform_new(f->cx, NULL, &f->plat), SGXRA_OK);
  make_elf(f->elf_a, 'A');
  make_elf(f->elf_b, 'B');
  sign_elf(f->key, f->elf_a, ELF_LEN, 7, 3, 0, f->sig_a);
  sign_elf(f->key, f->elf_a, ELF_LEN, 7, 2, 0, f->sig_a2);
  sign_elf(f->key, f->elf_b, ELF_LEN, 7, 3, 0, f->sig_b);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, SGXRA_SIGSTRUCT_SIZE,
                                            NULL, &f->a),
                   SGXRA_OK);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_b, ELF_LEN,
                                            f->sig_b, SGXRA_SIGSTRUCT_SIZE,
                                            NULL, &f->b),
                   SGXRA_OK);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  sgxra_emu_enclave_free(f->a);
  sgxra_emu_enclave_free(f->b);
  sgxra_emu_platform_free(f->plat);
  sgxra_rsa_free(f->key);
  sgxra_ctx_free(f->cx);
  free(f);
  return 0;
}

/* ---- layout ---- */

static void test_layout_mrenclave(void **state) {
  (void)state;
  uint8_t elf[ELF_LEN], want[32], got[32];
  sgxra_layout_params prm;
  sgxra_layout lay;
  make_elf(elf, 'A');
  expected_mrenclave(elf, want);
  sgxra_layout_params_default(&prm);
  assert_int_equal(
      sgxra_layout_measure_elf_ex(NULL, elf, ELF_LEN, &prm, &lay, got),
      SGXRA_OK);
  assert_memory_equal(got, want, 32);
  assert_int_equal(lay.image_end, 0x3000);
  assert_int_equal(lay.tcs_offset, 0x3000);
  assert_int_equal(lay.ssa_offset, 0x4000);
  assert_int_equal(lay.stack_offset, 0x6000);
  assert_int_equal(lay.end, 0x16000);
  assert_int_equal(lay.size, 0x20000);
  assert_int_equal(lay.pages, 3 + 1 + 2 + 16);
  assert_int_equal(lay.entry, ELF_ENTRY);
  assert_int_equal(sgxra_layout_measure_elf(NULL, elf, ELF_LEN, got), SGXRA_OK);
  assert_memory_equal(got, want, 32);

  /* A data byte changes MRENCLAVE; so does a permission bit. */
  elf[0x250] ^= 1;
  assert_int_equal(sgxra_layout_measure_elf(NULL, elf, ELF_LEN, got), SGXRA_OK);
  assert_memory_not_equal(got, want, 32);
  expected_mrenclave(elf, want);
  assert_memory_equal(got, want, 32);
  make_elf(elf, 'A');
  expected_mrenclave(elf, want);
  sgxra__st32(elf + 64 + 56 + 4, 7); /* RWX */
  assert_int_equal(sgxra_layout_measure_elf(NULL, elf, ELF_LEN, got), SGXRA_OK);
  assert_memory_not_equal(got, want, 32);

  /* Segment 1 cut short: its page holds what the loader leaves there. */
  uint8_t base[32];
  make_short_elf(elf, 'A');
  expected_short_mrenclave(elf, want);
  assert_int_equal(
      sgxra_layout_measure_elf_ex(NULL, elf, ELF_LEN, &prm, &lay, got),
      SGXRA_OK);
  assert_memory_equal(got, want, 32);
  assert_int_equal(lay.image_end, 0x2000);
  assert_int_equal(lay.pages, 2 + 1 + 2 + 16);
  memcpy(base, got, 32);
  /* The cleared bytes are nonzero in the file ('A' + offset, bar one), so
   * a loader model that did not clear them would not match.  Flipped bytes
   * past segment 1's p_filesz (cleared in page 1 but mapped in page 0),
   * past its p_memsz, and at the file's end all land in a mapped page:
   * another MRENCLAVE, the one recomputed here. */
  size_t nonzero = 0;
  for (size_t i = 0x200 + SHORT_FILESZ; i < 0x200 + SHORT_MEMSZ; i++)
    nonzero += elf[i] != 0;
  assert_true(nonzero > 0);
  size_t mapped[] = {0x200 + SHORT_FILESZ + 5, 0x200 + SHORT_MEMSZ + 3, 0x2ff};
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(mapped); i++) {
    make_short_elf(elf, 'A');
    elf[mapped[i]] ^= 0x40;
    expected_short_mrenclave(elf, want);
    assert_int_equal(sgxra_layout_measure_elf(NULL, elf, ELF_LEN, got),
                     SGXRA_OK);
    assert_memory_not_equal(got, base, 32);
    assert_memory_equal(got, want, 32);
  }
}

static void test_layout_refusals(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t elf[ELF_LEN], out[32], zero[32];
  memset(zero, 0, 32);
  make_elf(elf, 'A');
  /* Every truncation is refused as a malformed ELF (the last segment ends
   * at the file's end) and leaves the output zeroed. */
  for (size_t n = 0; n < ELF_LEN; n++) {
    memset(out, 0xee, 32);
    assert_int_equal(sgxra_layout_measure_elf(cx, elf, n, out),
                     SGXRA_E_ELF_FORMAT);
    assert_memory_equal(out, zero, 32);
  }
  /* Malformed (the ELF reader every verb uses): SGXRA_E_ELF_FORMAT;
   * well-formed but not an enclave the layout can map: SGXRA_E_ELF_LAYOUT. */
  struct {
    size_t off;
    uint8_t val;
    sgxra_err code;
    const char *msg;
  } flips[] = {
      {0, 0x7e, SGXRA_E_ELF_FORMAT, "not an ELF file"},
      {4, 1, SGXRA_E_ELF_FORMAT, "64-bit"},
      {5, 2, SGXRA_E_ELF_FORMAT, "little-endian"},
      {16, 2, SGXRA_E_ELF_FORMAT, "shared object"},
      {18, 3, SGXRA_E_ELF_FORMAT, "x86-64"},
      {54, 55, SGXRA_E_ELF_FORMAT, "e_phentsize"},
      {56, 40, SGXRA_E_ELF_FORMAT, "truncated"},       /* e_phnum 40 */
      {64 + 32, 0x20, SGXRA_E_ELF_FORMAT, "p_filesz"}, /* seg 0 0x220 > memsz */
      {64 + 56 + 8, 0x80, SGXRA_E_ELF_FORMAT, "past the end"},
      {64 + 56 + 16 + 3, 0x20, SGXRA_E_ELF_LAYOUT,
       "image cap"}, /* vaddr 0x20001200 */
      /* seg 1 vaddr 0x1280, offset 0x200: not congruent modulo 4096 */
      {64 + 56 + 16, 0x80, SGXRA_E_ELF_FORMAT,
       "differ in their offset within a 4096-byte page"},
      /* seg 1 vaddr 0x200: page 0 would belong to both segments */
      {64 + 56 + 17, 0x02, SGXRA_E_ELF_LAYOUT, "share no page"},
      /* seg 0 vaddr 0x5000: segment 1 at 0x1200 comes below it */
      {64 + 17, 0x50, SGXRA_E_ELF_FORMAT, "in or below the page 0x5000"},
  };
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(flips); i++) {
    make_elf(elf, 'A');
    elf[flips[i].off] = flips[i].val;
    assert_int_equal(sgxra_layout_measure_elf(cx, elf, ELF_LEN, out),
                     flips[i].code);
    if (!strstr(sgxra_ctx_message(cx), flips[i].msg))
      fail_msg("case %zu: message \"%s\" lacks \"%s\"", i,
               sgxra_ctx_message(cx), flips[i].msg);
  }
  /* No PT_LOAD at all. */
  make_elf(elf, 'A');
  sgxra__st32(elf + 64, 6);
  sgxra__st32(elf + 64 + 56, 6);
  assert_int_equal(sgxra_layout_measure_elf(cx, elf, ELF_LEN, out),
                   SGXRA_E_ELF_LAYOUT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "no PT_LOAD"));
  /* Bad parameters. */
  sgxra_layout_params prm = {0, 1, 1};
  make_elf(elf, 'A');
  assert_int_equal(
      sgxra_layout_measure_elf_ex(cx, elf, ELF_LEN, &prm, NULL, out),
      SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

/* ---- EINIT ---- */

static void test_einit_identity(void **state) {
  fx *f = *state;
  sgxra_emu_secs s;
  uint8_t want[32], mod[384];
  sgxra_emu_enclave_secs(f->a, &s);
  expected_mrenclave(f->elf_a, want);
  assert_memory_equal(s.mrenclave, want, 32);
  sgxra_rsa_modulus_le(f->key, mod);
  assert_int_equal(sgxra_sha256(NULL, mod, sizeof mod, want), SGXRA_OK);
  assert_memory_equal(s.mrsigner, want, 32);
  assert_int_equal(s.isvprodid, 7);
  assert_int_equal(s.isvsvn, 3);
  assert_int_equal(s.attributes.flags, SGXRA_ATTR_INIT | SGXRA_ATTR_MODE64BIT);
  assert_int_equal(s.attributes.xfrm, 3);
  assert_int_equal(s.miscselect, 0);
  assert_int_equal(s.size, 0x20000);
  assert_int_equal(s.ssaframesize, 1);

  sgxra_targetinfo ti;
  sgxra_emu_enclave_targetinfo(f->a, &ti);
  assert_memory_equal(ti.mrenclave, s.mrenclave, 32);
  assert_int_equal(ti.attributes.flags, s.attributes.flags);
  assert_int_equal(ti.attributes.xfrm, 3);
}

static void test_einit_refusals(void **state) {
  fx *f = *state;
  sgxra_emu_enclave *e = (sgxra_emu_enclave *)1;
  uint8_t elf[ELF_LEN], sig[SGXRA_SIGSTRUCT_SIZE];

  /* One byte of the enclave changed after signing. */
  memcpy(elf, f->elf_a, ELF_LEN);
  elf[0x2ff] ^= 0x01;
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, elf, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, NULL,
                                            &e),
                   SGXRA_E_EMU_MRENCLAVE_MISMATCH);
  assert_null(e);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "ENCLAVEHASH"));
  /* Another enclave's SIGSTRUCT. */
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_b, sizeof f->sig_b, NULL,
                                            &e),
                   SGXRA_E_EMU_MRENCLAVE_MISMATCH);
  /* Signed fields changed (ISVSVN at 1026), signature bytes changed, Q1
   * changed, header changed, wrong size. */
  size_t offs[] = {1026, 600, 1100, 0};
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(offs); i++) {
    memcpy(sig, f->sig_a, sizeof sig);
    sig[offs[i]] ^= 0x01;
    assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                              sig, sizeof sig, NULL, &e),
                     SGXRA_E_EMU_SIGSTRUCT_INVALID);
    assert_null(e);
  }
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a - 1, NULL,
                                            &e),
                   SGXRA_E_EMU_SIGSTRUCT_INVALID);

  /* ATTRIBUTES outside the signer's mask: DEBUG is forced to 0. */
  sgxra_emu_load_options o;
  sgxra_emu_load_options_from_sigstruct(f->sig_a, sizeof f->sig_a, &o);
  assert_int_equal(o.attributes.flags, SGXRA_ATTR_MODE64BIT);
  o.attributes.flags |= SGXRA_ATTR_DEBUG;
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, &o, &e),
                   SGXRA_E_EMU_ATTRIBUTES_MISMATCH);
  sgxra_emu_load_options_from_sigstruct(f->sig_a, sizeof f->sig_a, &o);
  o.attributes.xfrm = 0x7; /* AVX: enforced by mask 0x...1b? bit 2 is free */
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, &o, &e),
                   SGXRA_OK);
  sgxra_emu_enclave_free(e);
  e = NULL;
  o.attributes.xfrm = 0xb; /* bit 3 (MPX BNDREGS) is enforced */
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, &o, &e),
                   SGXRA_E_EMU_ATTRIBUTES_MISMATCH);
  sgxra_emu_load_options_from_sigstruct(f->sig_a, sizeof f->sig_a, &o);
  o.miscselect = 1;
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, &o, &e),
                   SGXRA_E_EMU_MISCSELECT_MISMATCH);
  /* What ECREATE refuses. */
  uint64_t bad_flags[] = {SGXRA_ATTR_INIT | SGXRA_ATTR_MODE64BIT,
                          SGXRA_ATTR_KSS | SGXRA_ATTR_MODE64BIT,
                          (1ULL << 63) | SGXRA_ATTR_MODE64BIT};
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(bad_flags); i++) {
    sgxra_emu_load_options_from_sigstruct(f->sig_a, sizeof f->sig_a, &o);
    o.attributes.flags = bad_flags[i];
    assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                              f->sig_a, sizeof f->sig_a, &o,
                                              &e),
                     SGXRA_E_EMU_ATTRIBUTES_INVALID);
  }
  sgxra_emu_load_options_from_sigstruct(f->sig_a, sizeof f->sig_a, &o);
  o.attributes.xfrm = 1;
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, &o, &e),
                   SGXRA_E_EMU_ATTRIBUTES_INVALID);
  /* A non-ELF image. */
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->sig_a,
                                            sizeof f->sig_a, f->sig_a,
                                            sizeof f->sig_a, NULL, &e),
                   SGXRA_E_ELF_FORMAT);
  assert_null(e);
}

/* The malformed ELFs of tests/sgx/elf_cases.h through the loader: the code
 * and message `measure`, `sign` and `inspect` give for them
 * (tests/sgx/test_elf.c), after the loader's "loading enclave" prefix. */
static void test_load_malformed_elf(void **state) {
  fx *f = *state;
  uint8_t elf[ELFC_LEN];
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(elfc_malformed); i++) {
    const elfc_case *c = &elfc_malformed[i];
    size_t n = elfc_apply(c, elf);
    sgxra_emu_enclave *e = (sgxra_emu_enclave *)1;
    sgxra_err err = sgxra_emu_enclave_create(f->cx, f->plat, elf, n, f->sig_a,
                                             sizeof f->sig_a, NULL, &e);
    if (err != SGXRA_E_ELF_FORMAT)
      fail_msg("%s: loader gave %s (%s)", c->name, sgxra_err_name(err),
               sgxra_ctx_message(f->cx));
    assert_null(e);
    if (!strstr(sgxra_ctx_message(f->cx), c->msg))
      fail_msg("%s: message \"%s\" lacks \"%s\"", c->name,
               sgxra_ctx_message(f->cx), c->msg);
  }
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(elfc_unlayable); i++) {
    const elfc_case *c = &elfc_unlayable[i];
    size_t n = elfc_apply(c, elf);
    sgxra_emu_enclave *e = (sgxra_emu_enclave *)1;
    assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, elf, n, f->sig_a,
                                              sizeof f->sig_a, NULL, &e),
                     SGXRA_E_ELF_LAYOUT);
    assert_null(e);
    if (!strstr(sgxra_ctx_message(f->cx), c->msg))
      fail_msg("%s: message \"%s\" lacks \"%s\"", c->name,
               sgxra_ctx_message(f->cx), c->msg);
  }
}

static void test_einit_other_signer(void **state) {
  fx *f = *state;
  sgxra_rsa_key *k2 = NULL;
  uint8_t sig[SGXRA_SIGSTRUCT_SIZE];
  sgxra_emu_enclave *e = NULL;
  sgxra_emu_secs s1, s2;
  assert_int_equal(sgxra_rsa_generate(NULL, &k2), SGXRA_OK);
  sign_elf(k2, f->elf_a, ELF_LEN, 7, 3, 0, sig);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            sig, sizeof sig, NULL, &e),
                   SGXRA_OK);
  sgxra_emu_enclave_secs(f->a, &s1);
  sgxra_emu_enclave_secs(e, &s2);
  assert_memory_equal(s1.mrenclave, s2.mrenclave, 32);
  assert_memory_not_equal(s1.mrsigner, s2.mrsigner, 32);
  uint8_t mod[384], want[32];
  sgxra_rsa_modulus_le(k2, mod);
  assert_int_equal(sgxra_sha256(NULL, mod, sizeof mod, want), SGXRA_OK);
  assert_memory_equal(s2.mrsigner, want, 32);

  /* MRSIGNER-bound seal keys differ between the signers, MRENCLAVE-bound
   * ones too (MRSIGNER and ISVPRODID are always in). */
  sgxra_keyrequest kr;
  uint8_t k_a[16], k_e[16];
  memset(&kr, 0, sizeof kr);
  kr.keyname = SGXRA_KEYNAME_SEAL;
  kr.keypolicy = SGXRA_KEYPOLICY_MRSIGNER;
  kr.attributemask.flags = ~0ULL;
  kr.attributemask.xfrm = ~0ULL;
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k_a), SGXRA_OK);
  assert_int_equal(sgxra_emu_egetkey(f->cx, e, &kr, k_e), SGXRA_OK);
  assert_memory_not_equal(k_a, k_e, 16);
  sgxra_emu_enclave_free(e);
  sgxra_rsa_free(k2);
}

/* A DEBUG-capable signature: loads with DEBUG, and the debug instance
 * reports DEBUG and gets different seal keys (INIT|DEBUG always in). */
static void test_einit_debug(void **state) {
  fx *f = *state;
  uint8_t sig[SGXRA_SIGSTRUCT_SIZE], k1[16], k2[16];
  sgxra_emu_enclave *dbg = NULL, *prod = NULL;
  sgxra_emu_load_options o;
  sign_elf(f->key, f->elf_a, ELF_LEN, 7, 3, 1, sig);
  sgxra_emu_load_options_from_sigstruct(sig, sizeof sig, &o);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            sig, sizeof sig, &o, &prod),
                   SGXRA_OK);
  o.attributes.flags |= SGXRA_ATTR_DEBUG;
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            sig, sizeof sig, &o, &dbg),
                   SGXRA_OK);
  sgxra_keyrequest kr;
  memset(&kr, 0, sizeof kr);
  kr.keyname = SGXRA_KEYNAME_SEAL;
  kr.keypolicy = SGXRA_KEYPOLICY_MRENCLAVE;
  assert_int_equal(sgxra_emu_egetkey(f->cx, prod, &kr, k1), SGXRA_OK);
  assert_int_equal(sgxra_emu_egetkey(f->cx, dbg, &kr, k2), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);
  sgxra_targetinfo ti;
  sgxra_report r;
  uint8_t rd[64] = {0};
  sgxra_emu_enclave_targetinfo(f->b, &ti);
  assert_int_equal(sgxra_emu_ereport(f->cx, dbg, &ti, rd, &r), SGXRA_OK);
  assert_int_equal(r.body.attributes.flags,
                   SGXRA_ATTR_INIT | SGXRA_ATTR_DEBUG | SGXRA_ATTR_MODE64BIT);
  sgxra_emu_enclave_free(dbg);
  sgxra_emu_enclave_free(prod);
}

/* ---- EREPORT ---- */

static void test_ereport(void **state) {
  fx *f = *state;
  sgxra_targetinfo ti_b;
  sgxra_report r;
  sgxra_emu_secs sa;
  sgxra_emu_platform_config cfg;
  uint8_t rd[64], keyid[32];
  for (int i = 0; i < 64; i++) rd[i] = (uint8_t)(0xc0 + i);
  sgxra_emu_enclave_targetinfo(f->b, &ti_b);
  assert_int_equal(sgxra_emu_ereport(f->cx, f->a, &ti_b, rd, &r), SGXRA_OK);

  /* Identity from A's SECS and the platform. */
  sgxra_emu_enclave_secs(f->a, &sa);
  sgxra_emu_platform_get_config(f->plat, &cfg);
  assert_memory_equal(r.body.mrenclave, sa.mrenclave, 32);
  assert_memory_equal(r.body.mrsigner, sa.mrsigner, 32);
  assert_int_equal(r.body.isvprodid, 7);
  assert_int_equal(r.body.isvsvn, 3);
  assert_int_equal(r.body.attributes.flags, sa.attributes.flags);
  assert_int_equal(r.body.attributes.xfrm, sa.attributes.xfrm);
  assert_int_equal(r.body.miscselect, sa.miscselect);
  assert_memory_equal(r.body.cpusvn, cfg.cpusvn, 16);
  assert_memory_equal(r.body.reportdata, rd, 64);
  sgxra_emu_platform_report_keyid(f->plat, keyid);
  assert_memory_equal(r.keyid, keyid, 32);

  /* The MAC: CMAC over the 384 encoded body bytes with B's report key, got
   * by B through EGETKEY with the REPORT's KEYID. */
  sgxra_keyrequest kr;
  uint8_t key[16], body[384], mac[16];
  memset(&kr, 0, sizeof kr);
  kr.keyname = SGXRA_KEYNAME_REPORT;
  memcpy(kr.keyid, r.keyid, 32);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->b, &kr, key), SGXRA_OK);
  sgxra_report_body_encode(&r.body, body);
  assert_int_equal(sgxra_aes128_cmac(NULL, key, body, sizeof body, mac),
                   SGXRA_OK);
  assert_memory_equal(mac, r.mac, 16);
  assert_int_equal(sgxra_emu_report_verify(f->cx, f->b, &r), SGXRA_OK);
  /* A's own report key does not give that MAC. */
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, key), SGXRA_OK);
  assert_int_equal(sgxra_aes128_cmac(NULL, key, body, sizeof body, mac),
                   SGXRA_OK);
  assert_memory_not_equal(mac, r.mac, 16);
  assert_int_equal(sgxra_emu_report_verify(f->cx, f->a, &r),
                   SGXRA_E_EMU_REPORT_MAC);

  /* Any changed body byte (a forged MRENCLAVE, REPORTDATA) fails. */
  sgxra_report forged = r;
  forged.body.mrenclave[0] ^= 1;
  assert_int_equal(sgxra_emu_report_verify(f->cx, f->b, &forged),
                   SGXRA_E_EMU_REPORT_MAC);
  forged = r;
  forged.body.reportdata[63] ^= 1;
  assert_int_equal(sgxra_emu_report_verify(f->cx, f->b, &forged),
                   SGXRA_E_EMU_REPORT_MAC);

  /* B with the same identity on another platform cannot verify it. */
  sgxra_emu_platform *p2 = NULL;
  sgxra_emu_enclave *b2 = NULL;
  assert_int_equal(sgxra_emu_platform_new(f->cx, NULL, &p2), SGXRA_OK);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, p2, f->elf_b, ELF_LEN,
                                            f->sig_b, sizeof f->sig_b, NULL,
                                            &b2),
                   SGXRA_OK);
  assert_int_equal(sgxra_emu_report_verify(f->cx, b2, &r),
                   SGXRA_E_EMU_REPORT_MAC);
  sgxra_emu_enclave_free(b2);
  sgxra_emu_platform_free(p2);

  /* A TARGETINFO naming B's MRENCLAVE but other ATTRIBUTES is another
   * target. */
  sgxra_targetinfo ti = ti_b;
  ti.attributes.flags |= SGXRA_ATTR_DEBUG;
  assert_int_equal(sgxra_emu_ereport(f->cx, f->a, &ti, rd, &r), SGXRA_OK);
  assert_int_equal(sgxra_emu_report_verify(f->cx, f->b, &r),
                   SGXRA_E_EMU_REPORT_MAC);
}

/* ---- EGETKEY ---- */

static void seal_req(sgxra_keyrequest *kr, uint16_t policy, uint16_t isvsvn) {
  memset(kr, 0, sizeof *kr);
  kr->keyname = SGXRA_KEYNAME_SEAL;
  kr->keypolicy = policy;
  kr->isvsvn = isvsvn;
  kr->attributemask.flags = 0xff0000000000000bULL;
  kr->attributemask.xfrm = 0;
  kr->miscmask = 0xf0000000u;
}

static void test_egetkey_seal(void **state) {
  fx *f = *state;
  sgxra_keyrequest kr;
  sgxra_emu_enclave *a2 = NULL;
  uint8_t k1[16], k2[16], k3[16];
  sgxra_emu_platform_config cfg;

  /* A' = same image, ISVSVN 2. */
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_a, ELF_LEN,
                                            f->sig_a2, sizeof f->sig_a2, NULL,
                                            &a2),
                   SGXRA_OK);
  /* Deterministic. */
  seal_req(&kr, SGXRA_KEYPOLICY_MRENCLAVE, 3);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k1), SGXRA_OK);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k2), SGXRA_OK);
  assert_memory_equal(k1, k2, 16);
  /* MRENCLAVE policy: B (another image, same signer) gets another key. */
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->b, &kr, k2), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);
  /* MRSIGNER policy: A and B (same signer, same ISVPRODID) share it. */
  seal_req(&kr, SGXRA_KEYPOLICY_MRSIGNER, 2);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k1), SGXRA_OK);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->b, &kr, k2), SGXRA_OK);
  assert_memory_equal(k1, k2, 16);
  /* ... and the older version A' (ISVSVN 2) gets the ISVSVN-2 key too:
   * data sealed by A' can be unsealed after an upgrade. */
  assert_int_equal(sgxra_emu_egetkey(f->cx, a2, &kr, k3), SGXRA_OK);
  assert_memory_equal(k1, k3, 16);
  /* The ISVSVN-3 key differs from the ISVSVN-2 one, and A' cannot get
   * it. */
  seal_req(&kr, SGXRA_KEYPOLICY_MRSIGNER, 3);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k2), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);
  memset(k3, 0xee, 16);
  assert_int_equal(sgxra_emu_egetkey(f->cx, a2, &kr, k3), SGXRA_E_EMU_ISVSVN);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "ISVSVN 3"));
  uint8_t zero[16] = {0};
  assert_memory_equal(k3, zero, 16);
  /* Policy 0 (neither) and both differ from each other and from MRSIGNER. */
  seal_req(&kr, 0, 3);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k1), SGXRA_OK);
  seal_req(&kr, SGXRA_KEYPOLICY_MRENCLAVE | SGXRA_KEYPOLICY_MRSIGNER, 3);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k3), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);
  assert_memory_not_equal(k1, k3, 16);
  assert_memory_not_equal(k2, k3, 16);
  /* KEYID changes the key. */
  seal_req(&kr, SGXRA_KEYPOLICY_MRSIGNER, 3);
  kr.keyid[5] = 1;
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k1), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);

  /* CPUSVN: a lower one works and gives another key; any byte above the
   * platform's is refused. */
  sgxra_emu_platform_get_config(f->plat, &cfg);
  seal_req(&kr, SGXRA_KEYPOLICY_MRSIGNER, 3);
  memcpy(kr.cpusvn, cfg.cpusvn, 16);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k1), SGXRA_OK);
  kr.cpusvn[0]--;
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k3), SGXRA_OK);
  assert_memory_not_equal(k1, k3, 16);
  memcpy(kr.cpusvn, cfg.cpusvn, 16);
  kr.cpusvn[15]++;
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k3), SGXRA_E_EMU_CPUSVN);
  assert_memory_equal(k3, zero, 16);
  /* After a "microcode update" raising CPUSVN, the old key is still
   * derivable and the new one becomes available. */
  cfg.cpusvn[15]++;
  sgxra_emu_platform_set_config(f->plat, &cfg);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k3), SGXRA_OK);
  kr.cpusvn[15]--;
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k2), SGXRA_OK);
  assert_memory_equal(k1, k2, 16);
  cfg.cpusvn[15]--;
  sgxra_emu_platform_set_config(f->plat, &cfg);

  /* ATTRIBUTEMASK selects which attributes bind the key. */
  seal_req(&kr, SGXRA_KEYPOLICY_MRSIGNER, 3);
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k1), SGXRA_OK);
  kr.attributemask.xfrm = 3;
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k2), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);
  sgxra_emu_enclave_free(a2);
}

static void test_egetkey_refusals(void **state) {
  fx *f = *state;
  sgxra_keyrequest kr;
  uint8_t k[16], zero[16] = {0};
  struct {
    uint16_t keyname, policy;
    size_t reserved_off; /* 0: none; 3: CONFIGSVN 1; 4: ISVSVN, CPUSVN max */
    sgxra_err want;
  } cases[] = {
      {SGXRA_KEYNAME_EINITTOKEN, 0, 0, SGXRA_E_EMU_KEYNAME},
      {5, 0, 0, SGXRA_E_EMU_KEYNAME},
      {SGXRA_KEYNAME_SEAL, SGXRA_KEYPOLICY_CONFIGID, 0, SGXRA_E_EMU_KEYPOLICY},
      {SGXRA_KEYNAME_SEAL, 0x40, 0, SGXRA_E_EMU_KEYPOLICY},
      {SGXRA_KEYNAME_PROVISION, SGXRA_KEYPOLICY_MRSIGNER, 0,
       SGXRA_E_EMU_PROVISIONKEY},
      {SGXRA_KEYNAME_PROVISION_SEAL, SGXRA_KEYPOLICY_MRSIGNER, 0,
       SGXRA_E_EMU_PROVISIONKEY},
      {SGXRA_KEYNAME_SEAL, 0, 1, SGXRA_E_EMU_RESERVED},
      {SGXRA_KEYNAME_REPORT, 0, 2, SGXRA_E_EMU_RESERVED},
      /* Without KSS the SDM raises #GP for NOISVPRODID and for a nonzero
       * CONFIGSVN, whatever the KEYNAME. */
      {SGXRA_KEYNAME_SEAL,
       SGXRA_KEYPOLICY_MRSIGNER | SGXRA_KEYPOLICY_NOISVPRODID, 0,
       SGXRA_E_EMU_KEYPOLICY},
      {SGXRA_KEYNAME_SEAL, 0, 3, SGXRA_E_EMU_KEYPOLICY},
      {SGXRA_KEYNAME_REPORT, 0, 3, SGXRA_E_EMU_KEYPOLICY},
      /* CPUSVN is checked before ISVSVN (both too high here). */
      {SGXRA_KEYNAME_SEAL, 0, 4, SGXRA_E_EMU_CPUSVN},
  };
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(cases); i++) {
    memset(&kr, 0, sizeof kr);
    kr.keyname = cases[i].keyname;
    kr.keypolicy = cases[i].policy;
    if (cases[i].reserved_off == 1) kr.reserved1[1] = 1;
    if (cases[i].reserved_off == 2) kr.reserved2[433] = 1;
    if (cases[i].reserved_off == 3) kr.configsvn = 1;
    if (cases[i].reserved_off == 4) {
      kr.isvsvn = 0xffff;
      memset(kr.cpusvn, 0xff, sizeof kr.cpusvn);
    }
    memset(k, 0xee, 16);
    sgxra_err got = sgxra_emu_egetkey(f->cx, f->a, &kr, k);
    if (got != cases[i].want)
      fail_msg("case %zu: got %s (%s), want %s", i, sgxra_err_name(got),
               sgxra_ctx_message(f->cx), sgxra_err_name(cases[i].want));
    assert_memory_equal(k, zero, 16);
  }
}

/* An enclave signed with PROVISIONKEY gets provisioning keys: bound to
 * MRSIGNER, not to OWNEREPOCH. */
static void test_egetkey_provision(void **state) {
  fx *f = *state;
  sgxra_sigstruct_params prm;
  sgxra_sigstruct ss;
  uint8_t sig[SGXRA_SIGSTRUCT_SIZE], k1[16], k2[16], k3[16];
  sgxra_emu_enclave *pce = NULL, *pce2 = NULL;
  sgxra_sigstruct_params_default(&prm);
  assert_int_equal(
      sgxra_layout_measure_elf(NULL, f->elf_b, ELF_LEN, prm.enclavehash),
      SGXRA_OK);
  prm.attributes.flags |= SGXRA_ATTR_PROVISIONKEY;
  prm.isvprodid = 1;
  assert_int_equal(sgxra_sigstruct_sign(NULL, f->key, &prm, &ss), SGXRA_OK);
  sgxra_sigstruct_encode(&ss, sig);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, f->plat, f->elf_b, ELF_LEN,
                                            sig, sizeof sig, NULL, &pce),
                   SGXRA_OK);
  sgxra_keyrequest kr;
  memset(&kr, 0, sizeof kr);
  kr.keyname = SGXRA_KEYNAME_PROVISION;
  assert_int_equal(sgxra_emu_egetkey(f->cx, pce, &kr, k1), SGXRA_OK);
  kr.keyname = SGXRA_KEYNAME_PROVISION_SEAL;
  assert_int_equal(sgxra_emu_egetkey(f->cx, pce, &kr, k2), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);

  /* The same PCE on a platform with the same root but a new OWNEREPOCH:
   * same PROVISION key (save/load, then change the epoch in the file). */
  char *dir = tu_tmpdir();
  assert_int_equal(sgxra_emu_platform_save(f->cx, f->plat, dir), SGXRA_OK);
  char path[4096];
  snprintf(path, sizeof path, "%s/platform.json", dir);
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(sgxra_file_read(NULL, path, 1 << 20, &buf, &len), SGXRA_OK);
  char *ep = strstr((char *)buf, "\"ownerepoch\": \"");
  assert_non_null(ep);
  ep += strlen("\"ownerepoch\": \"");
  ep[0] = ep[0] == '0' ? '1' : '0';
  assert_int_equal(sgxra_file_write(NULL, path, buf, len, 1), SGXRA_OK);
  free(buf);
  sgxra_emu_platform *p2 = NULL;
  assert_int_equal(sgxra_emu_platform_load(f->cx, dir, &p2), SGXRA_OK);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, p2, f->elf_b, ELF_LEN, sig,
                                            sizeof sig, NULL, &pce2),
                   SGXRA_OK);
  kr.keyname = SGXRA_KEYNAME_PROVISION;
  assert_int_equal(sgxra_emu_egetkey(f->cx, pce2, &kr, k3), SGXRA_OK);
  assert_memory_equal(k1, k3, 16);
  /* Seal keys do depend on OWNEREPOCH. */
  seal_req(&kr, SGXRA_KEYPOLICY_MRSIGNER, 0);
  assert_int_equal(sgxra_emu_egetkey(f->cx, pce, &kr, k1), SGXRA_OK);
  assert_int_equal(sgxra_emu_egetkey(f->cx, pce2, &kr, k3), SGXRA_OK);
  assert_memory_not_equal(k1, k3, 16);
  sgxra_emu_enclave_free(pce2);
  sgxra_emu_platform_free(p2);
  sgxra_emu_enclave_free(pce);
  tu_rmtree(dir);
  free(dir);
}

/* ---- platform state ---- */

static void test_platform_state(void **state) {
  fx *f = *state;
  char *dir = tu_tmpdir();
  char sub[4096], path[4096];
  sgxra_emu_platform_config cfg, got;
  sgxra_emu_platform *p = NULL, *q = NULL;
  struct stat st;

  sgxra_emu_platform_config_default(&cfg);
  for (int i = 0; i < 16; i++) cfg.tcb_svns[i] = (uint8_t)(i + 1);
  memcpy(cfg.cpusvn, cfg.tcb_svns, 16);
  cfg.pcesvn = 11;
  cfg.pceid = 0x1234;
  memcpy(cfg.fmspc, "\x00\x60\x6a\x00\x00\x00", 6);
  snprintf(sub, sizeof sub, "%s/plat", dir);
  assert_int_equal(sgxra_emu_platform_init(f->cx, sub, &cfg, &p), SGXRA_OK);
  assert_string_equal(sgxra_emu_platform_dir(p), sub);
  snprintf(path, sizeof path, "%s/plat/platform.json", dir);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  /* A second init refuses to overwrite. */
  assert_int_equal(sgxra_emu_platform_init(f->cx, sub, NULL, NULL),
                   SGXRA_E_EMU_STATE_EXISTS);

  assert_int_equal(sgxra_emu_platform_load(f->cx, sub, &q), SGXRA_OK);
  sgxra_emu_platform_get_config(q, &got);
  assert_memory_equal(&got, &cfg, sizeof cfg);
  uint8_t e1[16], e2[16], id1[32], id2[32];
  sgxra_emu_platform_ownerepoch(p, e1);
  sgxra_emu_platform_ownerepoch(q, e2);
  assert_memory_equal(e1, e2, 16);
  /* A new boot: a new REPORT KEYID. */
  sgxra_emu_platform_report_keyid(p, id1);
  sgxra_emu_platform_report_keyid(q, id2);
  assert_memory_not_equal(id1, id2, 32);
  /* Same secrets: the same enclave gets the same seal key on both. */
  sgxra_emu_enclave *ep = NULL, *eq = NULL;
  assert_int_equal(sgxra_emu_enclave_create(f->cx, p, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, NULL,
                                            &ep),
                   SGXRA_OK);
  assert_int_equal(sgxra_emu_enclave_create(f->cx, q, f->elf_a, ELF_LEN,
                                            f->sig_a, sizeof f->sig_a, NULL,
                                            &eq),
                   SGXRA_OK);
  sgxra_keyrequest kr;
  uint8_t k1[16], k2[16];
  seal_req(&kr, SGXRA_KEYPOLICY_MRENCLAVE, 3);
  assert_int_equal(sgxra_emu_egetkey(f->cx, ep, &kr, k1), SGXRA_OK);
  assert_int_equal(sgxra_emu_egetkey(f->cx, eq, &kr, k2), SGXRA_OK);
  assert_memory_equal(k1, k2, 16);
  /* ... and another platform gives another. */
  assert_int_equal(sgxra_emu_egetkey(f->cx, f->a, &kr, k2), SGXRA_OK);
  assert_memory_not_equal(k1, k2, 16);
  /* A REPORT made before the reboot, to the enclave, verifies after it
   * (the REPORT carries its KEYID). */
  sgxra_targetinfo ti;
  sgxra_report r;
  uint8_t rd[64] = {1};
  sgxra_emu_enclave_targetinfo(ep, &ti);
  assert_int_equal(sgxra_emu_ereport(f->cx, ep, &ti, rd, &r), SGXRA_OK);
  assert_int_equal(sgxra_emu_report_verify(f->cx, eq, &r), SGXRA_OK);
  sgxra_emu_enclave_free(ep);
  sgxra_emu_enclave_free(eq);
  sgxra_emu_platform_free(p);
  sgxra_emu_platform_free(q);

  /* Damaged state files, each refused with EMU_STATE. */
  uint8_t *orig = NULL;
  size_t olen = 0;
  assert_int_equal(sgxra_file_read(NULL, path, 1 << 20, &orig, &olen),
                   SGXRA_OK);
  struct {
    const char *from, *to, *msg;
  } edits[] = {
      {"\"root_key\": \"", "\"root_key\": \"zz", "root_key"},
      {"\"ownerepoch\": \"", "\"ownerepoch\": \"0", "ownerepoch"},
      {"\"sgxra-emu-platform\"", "\"other\"", "format"},
      {"\"version\": 1", "\"version\": 2", "version"},
      {"\"pcesvn\": 11", "\"pcesvn\": 70000", "pcesvn"},
      {"\"pceid\": 4660", "\"pceid\": -1", "pceid"},
      {"\"fmspc\": \"", "\"fmspc\": \"00", "fmspc"},
      {"\"tcb_svns\": [", "\"tcb_svns\": [0, ", "tcb_svns"},
      {"\"tcb_svns\": [\n    1,", "\"tcb_svns\": [\n    256,", "tcb_svns"},
      {"\"cpusvn\"", "\"cpusvm\"", "cpusvn"},
      {"{", "[", "not a JSON object"},
  };
  char secret_at[4][9];
  const char *secret_keys[2] = {"\"root_key\": \"", "\"ownerepoch\": \""};
  for (size_t k = 0; k < 2; k++) {
    const char *v = strstr((char *)orig, secret_keys[k]);
    assert_non_null(v);
    v += strlen(secret_keys[k]);
    /* The first and the last 8 of the 32 digits. */
    memcpy(secret_at[2 * k], v, 8);
    secret_at[2 * k][8] = 0;
    memcpy(secret_at[2 * k + 1], v + 24, 8);
    secret_at[2 * k + 1][8] = 0;
  }
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(edits); i++) {
    char *at = strstr((char *)orig, edits[i].from);
    if (!at)
      fail_msg("edit %zu: \"%s\" not in the state file", i, edits[i].from);
    size_t pre = (size_t)(at - (char *)orig), fl = strlen(edits[i].from),
           tl = strlen(edits[i].to);
    size_t nlen = olen - fl + tl;
    uint8_t *nb = malloc(nlen);
    assert_non_null(nb);
    memcpy(nb, orig, pre);
    memcpy(nb + pre, edits[i].to, tl);
    memcpy(nb + pre + tl, orig + pre + fl, olen - pre - fl);
    assert_int_equal(sgxra_file_write(NULL, path, nb, nlen, 1), SGXRA_OK);
    free(nb);
    q = (sgxra_emu_platform *)1;
    sgxra_err got_err = sgxra_emu_platform_load(f->cx, sub, &q);
    if (got_err != SGXRA_E_EMU_STATE ||
        !strstr(sgxra_ctx_message(f->cx), edits[i].msg))
      fail_msg("edit %zu: got %s \"%s\", want SGXRA_E_EMU_STATE naming %s", i,
               sgxra_err_name(got_err), sgxra_ctx_message(f->cx), edits[i].msg);
    assert_null(q);
    /* A damaged secret is named, never quoted: no 8 hex digits of the
     * root key or OWNEREPOCH may reach the message. */
    for (size_t k = 0; k < SGXRA__ARRAY_LEN(secret_at); k++)
      if (strstr(sgxra_ctx_message(f->cx), secret_at[k]))
        fail_msg("edit %zu: the message quotes a secret: %s", i,
                 sgxra_ctx_message(f->cx));
  }
  free(orig);
  /* A folder with no platform. */
  assert_int_equal(sgxra_emu_platform_load(f->cx, dir, &q), SGXRA_E_EMU_STATE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "sgxra platform init"));
  tu_rmtree(dir);
  free(dir);
}

/* Raw page images (the form the emulated QE/PCE use). */
static void test_create_image(void **state) {
  fx *f = *state;
  uint8_t *img = calloc(3, 4096);
  uint8_t mr[32], sig[SGXRA_SIGSTRUCT_SIZE];
  sgxra_sigstruct_params prm;
  sgxra_sigstruct ss;
  sgxra_emu_enclave *e = NULL;
  assert_non_null(img);
  memcpy(img + 4096, "an emulated quoting enclave", 27);
  assert_int_equal(sgxra_measure_raw_image(NULL, img, 3 * 4096, 1,
                                           SGXRA_SECINFO_REG_RWX, mr),
                   SGXRA_OK);
  sgxra_sigstruct_params_default(&prm);
  memcpy(prm.enclavehash, mr, 32);
  prm.isvprodid = 1;
  prm.isvsvn = 8;
  assert_int_equal(sgxra_sigstruct_sign(NULL, f->key, &prm, &ss), SGXRA_OK);
  sgxra_sigstruct_encode(&ss, sig);
  assert_int_equal(sgxra_emu_enclave_create_image(f->cx, f->plat, img, 3 * 4096,
                                                  sig, sizeof sig, NULL, &e),
                   SGXRA_OK);
  sgxra_emu_secs s;
  sgxra_emu_enclave_secs(e, &s);
  assert_memory_equal(s.mrenclave, mr, 32);
  assert_int_equal(s.size, 4 * 4096);
  assert_int_equal(s.isvsvn, 8);
  sgxra_emu_enclave_free(e);
  e = NULL;
  img[4096] ^= 1;
  assert_int_equal(sgxra_emu_enclave_create_image(f->cx, f->plat, img, 3 * 4096,
                                                  sig, sizeof sig, NULL, &e),
                   SGXRA_E_EMU_MRENCLAVE_MISMATCH);
  assert_null(e);
  /* No code to run in an enclave made from bytes. */
  size_t n = 1;
  assert_int_equal(sgxra_emu_enclave_call(f->cx, f->a, 1, NULL, 0, NULL, 0, &n),
                   SGXRA_E_EMU_DLOPEN);
  assert_int_equal(n, 0);
  free(img);
}

/* An ELF that measures and passes EINIT but is no loadable object: the
 * loader says it cannot run it (and the handle is not returned). */
static void test_load_not_runnable(void **state) {
  fx *f = *state;
  char *dir = tu_tmpdir();
  char path[4096];
  sgxra_emu_enclave *e = (sgxra_emu_enclave *)1;
  snprintf(path, sizeof path, "%s/fake.so", dir);
  assert_int_equal(sgxra_file_write(NULL, path, f->elf_a, ELF_LEN, 0),
                   SGXRA_OK);
  assert_int_equal(sgxra_emu_enclave_load(f->cx, f->plat, path, f->sig_a,
                                          sizeof f->sig_a, NULL, &e),
                   SGXRA_E_EMU_DLOPEN);
  assert_null(e);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "dlopen"));
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout_mrenclave),
      cmocka_unit_test(test_layout_refusals),
      cmocka_unit_test_setup_teardown(test_einit_identity, setup, teardown),
      cmocka_unit_test_setup_teardown(test_einit_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_malformed_elf, setup, teardown),
      cmocka_unit_test_setup_teardown(test_einit_other_signer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_einit_debug, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ereport, setup, teardown),
      cmocka_unit_test_setup_teardown(test_egetkey_seal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_egetkey_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_egetkey_provision, setup, teardown),
      cmocka_unit_test_setup_teardown(test_platform_state, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_image, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_not_runnable, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
