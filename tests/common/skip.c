/*
 * Skipped tests show as skipped under ctest.
 *
 * cmocka 1.1 counts a skip() as a pass in the exit status of
 * cmocka_run_group_tests (it only prints "[  SKIPPED ]"), so ctest would
 * show a program whose tests all skipped as Passed.  Every test program is
 * linked with -Wl,--wrap=_skip -Wl,--wrap=_cmocka_run_group_tests
 * (CMakeLists.txt): the wrappers below count skips, and a group that
 * failed nothing but skipped something returns TU_SKIP_STATUS (77), which
 * ctest reports as "Skipped" (SKIP_RETURN_CODE).  A failure still wins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/testutil.h"

void __real__skip(const char *const file, const int line);
void __wrap__skip(const char *const file, const int line);
int __real__cmocka_run_group_tests(const char *group_name,
                                   const struct CMUnitTest *const tests,
                                   const size_t num_tests,
                                   CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name,
                                   const struct CMUnitTest *const tests,
                                   const size_t num_tests,
                                   CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);

static unsigned tu_skipped;

void __wrap__skip(const char *const file, const int line) {
  tu_skipped++;
  __real__skip(file, line);
}

int __wrap__cmocka_run_group_tests(const char *group_name,
                                   const struct CMUnitTest *const tests,
                                   const size_t num_tests,
                                   CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown) {
  unsigned before = tu_skipped;
  int rc = __real__cmocka_run_group_tests(group_name, tests, num_tests,
                                          group_setup, group_teardown);
  if (rc == 0 && tu_skipped != before) return TU_SKIP_STATUS;
  return rc;
}
