/* The one ELF reader (src/sgx/elf.c), through both modules that use it: a
 * malformed ELF gets SGXRA_E_ELF_FORMAT and the same message from the
 * enclave layout (sgxra/layout.h) and the signed-enclave reader
 * (sgxra/enclavefile.h); a well-formed ELF the layout cannot map gets
 * SGXRA_E_ELF_LAYOUT from the layout only.  The cases are in elf_cases.h
 * (tests/emu/test_cpu.c runs them through the emulator's loader). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf_cases.h"
#include "sgxra/ctx.h"
#include "sgxra/enclavefile.h"
#include "sgxra/layout.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void expect_msg(const char *name, sgxra_ctx *cx, const char *needle) {
  const char *msg = sgxra_ctx_message(cx);
  if (!strstr(msg, needle))
    fail_msg("%s: message \"%s\" lacks \"%s\"", name, msg, needle);
}

/* The valid file lays out as drawn in elf_cases.h and is an unsigned
 * enclave to the metadata reader. */
static void valid(void **state) {
  (void)state;
  uint8_t elf[ELFC_LEN], mr[32], zero[32];
  sgxra_layout lay;
  sgxra_layout_params prm;
  sgxra_sgxmeta m;
  sgxra_ctx *cx = sgxra_ctx_new();
  memset(zero, 0, sizeof zero);
  elfc_make(elf);
  sgxra_layout_params_default(&prm);
  assert_int_equal(
      sgxra_layout_measure_elf_ex(cx, elf, ELFC_LEN, &prm, &lay, mr), SGXRA_OK);
  assert_memory_not_equal(mr, zero, 32);
  assert_int_equal(lay.image_end, 0x3000);
  assert_int_equal(lay.tcs_offset, 0x3000);
  assert_int_equal(lay.ssa_offset, 0x4000);
  assert_int_equal(lay.stack_offset, 0x6000);
  assert_int_equal(lay.end, 0x16000);
  assert_int_equal(lay.size, 0x20000);
  assert_int_equal(lay.pages, 3 + 1 + 2 + 16);
  assert_int_equal(lay.entry, 0x1000);
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, elf, ELFC_LEN, &m),
                   SGXRA_E_ELF_NO_SGXMETA);
  expect_msg("valid", cx, "no section header table");
  sgxra_ctx_free(cx);
}

/* Each malformed file: SGXRA_E_ELF_FORMAT from both readers, the same
 * message from both, outputs zeroed. */
static void malformed_same_code(void **state) {
  (void)state;
  uint8_t elf[ELFC_LEN], mr[32], zero[32];
  char first[SGXRA_CTX_MSG_SIZE];
  sgxra_sgxmeta m, mzero;
  sgxra_ctx *cx = sgxra_ctx_new();
  memset(zero, 0, sizeof zero);
  memset(&mzero, 0, sizeof mzero);
  for (size_t i = 0; i < ARRAY_LEN(elfc_malformed); i++) {
    const elfc_case *c = &elfc_malformed[i];
    size_t n = elfc_apply(c, elf);
    memset(mr, 0xee, sizeof mr);
    sgxra_err e = sgxra_layout_measure_elf(cx, elf, n, mr);
    if (e != SGXRA_E_ELF_FORMAT)
      fail_msg("%s: layout gave %s (%s)", c->name, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    expect_msg(c->name, cx, c->msg);
    assert_memory_equal(mr, zero, 32);
    strcpy(first, sgxra_ctx_message(cx));
    memset(&m, 0xaa, sizeof m);
    e = sgxra_sgxmeta_from_elf(cx, elf, n, &m);
    if (e != SGXRA_E_ELF_FORMAT)
      fail_msg("%s: metadata reader gave %s (%s)", c->name, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    assert_string_equal(sgxra_ctx_message(cx), first);
    assert_memory_equal(&m, &mzero, sizeof m);
  }
  sgxra_ctx_free(cx);
}

/* Well-formed but not an enclave image: the layout says so, the metadata
 * reader accepts the ELF (and finds no note). */
static void unlayable(void **state) {
  (void)state;
  uint8_t elf[ELFC_LEN], mr[32];
  sgxra_sgxmeta m;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < ARRAY_LEN(elfc_unlayable); i++) {
    const elfc_case *c = &elfc_unlayable[i];
    size_t n = elfc_apply(c, elf);
    sgxra_err e = sgxra_layout_measure_elf(cx, elf, n, mr);
    if (e != SGXRA_E_ELF_LAYOUT)
      fail_msg("%s: layout gave %s (%s)", c->name, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    expect_msg(c->name, cx, c->msg);
    e = sgxra_sgxmeta_from_elf(cx, elf, n, &m);
    if (e != SGXRA_E_ELF_NO_SGXMETA)
      fail_msg("%s: metadata reader gave %s (%s)", c->name, sgxra_err_name(e),
               sgxra_ctx_message(cx));
  }
  sgxra_ctx_free(cx);
}

/* The valid file cut at every length: the same code and message from both
 * readers (the last segment's bytes end at the end of the file). */
static void cut_same_code(void **state) {
  (void)state;
  uint8_t elf[ELFC_LEN], mr[32];
  char first[SGXRA_CTX_MSG_SIZE];
  sgxra_sgxmeta m;
  sgxra_ctx *cx = sgxra_ctx_new();
  elfc_make(elf);
  for (size_t n = 0; n < ELFC_LEN; n++) {
    assert_int_equal(sgxra_layout_measure_elf(cx, elf, n, mr),
                     SGXRA_E_ELF_FORMAT);
    strcpy(first, sgxra_ctx_message(cx));
    assert_int_equal(sgxra_sgxmeta_from_elf(cx, elf, n, &m),
                     SGXRA_E_ELF_FORMAT);
    assert_string_equal(sgxra_ctx_message(cx), first);
  }
  /* NULL with a length is a misuse, not a malformed file. */
  assert_int_equal(sgxra_layout_measure_elf(cx, NULL, 5, mr),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_sgxmeta_from_elf(cx, NULL, 5, &m),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(valid),
      cmocka_unit_test(malformed_same_code),
      cmocka_unit_test(unlayable),
      cmocka_unit_test(cut_same_code),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
