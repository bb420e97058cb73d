/*
 * tests/common/bundles.h -- the real DCAP bundles of
 * ../shared/vectors/dcap/bundles (quote, collateral, expected.json), and
 * the edits the quote tests make to them.
 */
#ifndef SGXRA_TEST_BUNDLES_H
#define SGXRA_TEST_BUNDLES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Every bundle, in name order. */
#define TU_BUNDLE_COUNT 13
extern const char *const tu_bundles[TU_BUNDLE_COUNT];

/* Full path of a bundle's folder (static buffer, as tu_vector_path). */
const char *tu_bundle_dir(const char *bundle);

/* Read <bundle>/<file> whole, as tu_read_vector. */
uint8_t *tu_read_bundle(const char *bundle, const char *file, size_t *out_len);

/* The bundle's expected.json (fails the test if it does not parse). */
json_t *tu_bundle_expected(const char *bundle);

/* A copy of p[0..n) with the first `from` replaced by `to` (fails the test
 * if `from` is absent).  NUL-terminated; *out_n is the new length. */
uint8_t *tu_replace(const uint8_t *p, size_t n, const char *from,
                    const char *to, size_t *out_n);

/* A v3 quote rebuilt as v4 or v5: the same header (version byte changed, so
 * the ISV signature no longer checks), body, ISV signature and key, then
 * certification data type 6 wrapping the QE report .. certification
 * data. */
uint8_t *tu_quote_v3_as(const uint8_t *v3, size_t n, int version,
                        size_t *out_n);

#endif
