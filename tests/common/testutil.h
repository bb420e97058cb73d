/*
 * tests/common/testutil.h -- what the cmocka tests share: reading the
 * shared vectors, hex literals, temporary folders.
 */
#ifndef SGXRA_TESTUTIL_H
#define SGXRA_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* The exit status of a test program whose tests skipped and none failed
 * (tests/common/skip.c); ctest shows it as Skipped (SKIP_RETURN_CODE). */
#define TU_SKIP_STATUS 77

/* Read ../shared/vectors/<rel> whole (fails the test if it cannot).  The
 * returned buffer is NUL-terminated after len bytes; free with free(). */
uint8_t *tu_read_vector(const char *rel, size_t *out_len);

/* Full path of a vector (static buffer, valid until the next call).  When
 * the vectors folder ($SGXRA_VECTORS, else the configured one) is not there
 * at all, the calling test is skipped -- or fails when SGXRA_REQUIRE_VECTORS
 * is 1, as scripts/test.sh (CI) sets it.  A missing file inside an existing
 * vectors folder always fails. */
const char *tu_vector_path(const char *rel);

/* Decode a hex literal of exactly n bytes into out (fails the test if it
 * is not). */
void tu_hex(const char *hex, uint8_t *out, size_t n);

/* Assert that p[0..n) equals the hex literal. */
void tu_assert_hex(const uint8_t *p, size_t n, const char *hex);

/* A new empty temporary folder (mkdtemp under $TMPDIR or /tmp); remove it
 * with tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);

/* The PostgreSQL server of this test run: $SGXRA_TEST_PG_URL, else the URL
 * ctest's pg_cluster_start fixture wrote to <build>/pg-cluster.url, else
 * NULL (the caller skips its PostgreSQL half) -- or a failed test when
 * SGXRA_REQUIRE_PG=1 (scripts/test.sh sets it). */
const char *tu_pg_url(void);

#endif
