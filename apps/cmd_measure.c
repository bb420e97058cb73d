/* sgxra measure: MRENCLAVE of an enclave image (docs/MEASUREMENT.md).
 *
 *   SGXS stream     replayed through the measurement builder
 *   raw page image  Linux selftest convention: page 0 TCS, the rest REG
 *   ELF .so         signed by the Intel SGX SDK (.note.sgxmeta): re-measured
 *                   the way Intel's loader lays it out from its metadata
 *                   (sgxra/sdkenclave.h) and compared with the SIGSTRUCT's
 *                   ENCLAVEHASH; unsigned: measured with sgxra's enclave
 *                   layout (sgxra/layout.h), as the emulator loads it
 *   .note.sgxmeta   the bare section: cannot be re-measured (no pages), its
 *                   SIGSTRUCT's claim is shown, labelled "signed (not
 *                   re-measured)"
 *
 * JSON follows `sgxra inspect`: byte strings lowercase hex, counters
 * numbers, sizes/flags/masks "0x..." strings.
 *
 * Exit: 0 measured (a signed .so: every metadata copy re-measures to its
 * ENCLAVEHASH); 1 a signed .so whose content does not match its SIGSTRUCT
 * (both values printed), or a SIGSTRUCT that does not verify (fields
 * still printed, signature_valid false); 2 usage or unusable input. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sgxra/crypto.h"
#include "sgxra/enclavefile.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/sdkenclave.h"
#include "sgxra/sigstruct.h"

#define VERB "measure"
#define FILE_CAP ((size_t)1 << 31)
#define W 16 /* label width of the human output */

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra measure FILE [--json] [--format sgxs|raw|elf]\n"
      "                     [--ssaframesize N] [--reg-flags N]\n"
      "                     [--log] [--metadata MAJOR.MINOR]\n"
      "\n"
      "Compute an enclave's MRENCLAVE, as the CPU would after EINIT.  The "
      "file's\nkind is found by content unless --format says it:\n"
      "  sgxs  an SGXS stream (ECREATE/EADD/EEXTEND records), replayed with "
      "the\n        hardware's order and alignment checks\n"
      "  raw   a raw page image, Linux kernel selftest convention: page 0 "
      "TCS,\n        pages 1.. REG with --reg-flags, every page measured, "
      "SIZE the\n        next power of two\n"
      "  elf   an enclave .so: if signed by the Intel SGX SDK "
      "(.note.sgxmeta),\n"
      "        re-measured from its bytes the way Intel's loader lays it "
      "out from\n"
      "        the metadata (segments, patch table, layout table) and "
      "compared\n"
      "        with the SIGSTRUCT's ENCLAVEHASH: \"match\" or "
      "\"mismatch\" with\n"
      "        both values; every metadata copy is measured, the one "
      "shown is\n"
      "        the copy Intel's loader takes on an EDMM CPU; if not "
      "signed,\n"
      "        measured with sgxra's enclave layout (the emulator's "
      "loader)\n"
      "A bare .note.sgxmeta section has no pages to re-measure: its "
      "SIGSTRUCT's\n"
      "ENCLAVEHASH is shown, labelled \"signed (not re-measured)\".\n"
      "\n"
      "      --json              one JSON object: mrenclave, format, source, "
      "size,\n"
      "                          ssaframesize, pages; for a signed .so also\n"
      "                          measured_mrenclave, signed_mrenclave, match,\n"
      "                          metadata_version (the copy shown),\n"
      "                          metadata_versions (all, in file order),\n"
      "                          copies [{version, measured_mrenclave,\n"
      "                          signed_mrenclave, match, selected, eadd,\n"
      "                          eextend}],\n"
      "                          eadd, eextend, and the SIGSTRUCT's "
      "mrsigner,\n"
      "                          isvprodid, isvsvn, vendor, date, "
      "attributes,\n"
      "                          attributemask, miscselect, miscmask,\n"
      "                          signature_valid, debug_signer\n"
      "      --log               signed .so: the measurement log of the copy\n"
      "                          shown, ECREATE then one line per page "
      "added,\n"
      "                          so two builds can be diffed:\n"
      "                            ECREATE size=0x.. ssaframesize=N\n"
      "                            EADD offset=0x.. flags=0x.. "
      "measured|unmeasured\n"
      "                                 sha256=<page digest> <source>\n"
      "                          before the result; with --json the same "
      "lines\n"
      "                          as the array \"log\" (jq -r '.log[]')\n"
      "      --metadata M.N      signed .so: measure metadata copy M.N only\n"
      "      --format KIND       sgxs, raw or elf (default: by content)\n"
      "      --ssaframesize N    pages per SSA frame, 1..255, raw and "
      "unsigned elf\n"
      "                          (default 1)\n"
      "      --reg-flags N       SECINFO flags of pages 1.. of a raw image\n"
      "                          (default 0x207: REG, read/write/execute)\n"
      "  -h, --help              this help\n"
      "\n"
      "Numbers are decimal or 0x-prefixed hex (0x207; 207 is decimal).\n"
      "Exit status: 0 ok (a signed .so: every metadata copy matches its\n"
      "ENCLAVEHASH), 1 a signed .so whose content does not match its "
      "SIGSTRUCT,\n"
      "or a SIGSTRUCT that does not verify, 2 usage error or unusable "
      "input.\n");
}

/* What the builder measured, after the MRENCLAVE line. */
static void put_info(cli_out *o, const char *format, const char *source,
                     const sgxra_measure_info *info, size_t file_bytes) {
  cli_put_str(o, "format", format);
  cli_put_str(o, "source", source);
  cli_put_hexnum(o, "size", info->size);
  cli_put_num(o, "ssaframesize", info->ssaframesize);
  cli_put_num(o, "pages", info->pages);
  cli_put_num(o, "chunks", info->chunks);
  cli_put_num(o, "measured_bytes", info->hashed_bytes);
  cli_put_num(o, "file_bytes", file_bytes);
}

/* ---- the kinds ------------------------------------------------------------
 */

typedef struct opts {
  int json;
  long ssaframesize; /* -1: not given */
  int have_reg_flags;
  uint64_t reg_flags;
  int log;           /* --log */
  int have_metadata; /* --metadata MAJOR.MINOR */
  uint32_t meta_major, meta_minor;
} opts;

/* SGXS or raw image through a builder; returns the exit status. */
static int measure_image(sgxra_ctx *cx, cli_out *o, const char *path,
                         const uint8_t *p, size_t n, int sgxs, const opts *op) {
  sgxra_measure *m = NULL;
  uint8_t mr[SGXRA_HASH_SIZE];
  sgxra_measure_info info;
  sgxra_err e = sgxra_measure_new(cx, &m);
  if (!e) {
    if (sgxs)
      e = sgxra_measure_feed_sgxs(cx, m, p, n);
    else
      e = sgxra_measure_feed_raw_image(
          cx, m, p, n, op->ssaframesize < 0 ? 1 : (uint32_t)op->ssaframesize,
          op->have_reg_flags ? op->reg_flags : SGXRA_SECINFO_REG_RWX);
  }
  sgxra_measure_get_info(m, &info);
  if (!e) e = sgxra_measure_final(cx, m, mr);
  sgxra_measure_free(m);
  if (e) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  cli_put_hex(o, "mrenclave", mr, sizeof mr);
  put_info(o, sgxs ? "sgxs" : "raw",
           sgxs ? "measured (SGXS replay)"
                : "measured (raw image: page 0 TCS, pages 1.. REG)",
           &info, n);
  if (!sgxs)
    cli_put_hexnum(o, "reg_flags",
                   op->have_reg_flags ? op->reg_flags : SGXRA_SECINFO_REG_RWX);
  return CLI_EXIT_OK;
}

/* An SGXS stream read from f in 1 MiB pieces, so memory use does not grow
 * with the enclave. */
static int measure_sgxs_file(sgxra_ctx *cx, cli_out *o, const char *path,
                             FILE *f) {
  const size_t bufn = (size_t)1 << 20;
  uint8_t *buf = malloc(bufn);
  sgxra_measure *m = NULL;
  sgxra_sgxs_stream s;
  sgxra_measure_info info;
  uint8_t mr[SGXRA_HASH_SIZE];
  size_t total = 0, k;
  if (!buf) {
    fprintf(stderr, "sgxra measure: out of memory\n");
    return CLI_EXIT_USAGE;
  }
  sgxra_measure_sgxs_begin(&s);
  sgxra_err e = sgxra_measure_new(cx, &m);
  while (!e && (k = fread(buf, 1, bufn, f)) > 0) {
    e = sgxra_measure_sgxs_update(cx, &s, m, buf, k);
    total += k;
  }
  free(buf);
  if (!e && ferror(f)) {
    fprintf(stderr,
            "sgxra measure: %s: read error after %zu bytes: %s "
            "[SGXRA_E_IO]\n",
            path, total, strerror(errno));
    sgxra_measure_free(m);
    return CLI_EXIT_USAGE;
  }
  if (!e) e = sgxra_measure_sgxs_end(cx, &s);
  sgxra_measure_get_info(m, &info);
  if (!e) e = sgxra_measure_final(cx, m, mr);
  sgxra_measure_free(m);
  if (e) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  cli_put_hex(o, "mrenclave", mr, sizeof mr);
  put_info(o, "sgxs", "measured (SGXS replay)", &info, total);
  return CLI_EXIT_OK;
}

/* The bare .note.sgxmeta section: no pages, so the SIGSTRUCT's
 * ENCLAVEHASH is shown as the claim it is, with its fields. */
static int show_signed_note(sgxra_ctx *cx, cli_out *o, const char *path,
                            const sgxra_sgxmeta *meta, size_t n) {
  cli_sigstruct ss;
  /* A wrong HEADER means the metadata holds no SIGSTRUCT at all, so its
   * "ENCLAVEHASH" means nothing: unusable input, as for `inspect`. */
  int rc = cli_sigstruct_load(VERB, cx, path, meta->sigstruct,
                              SGXRA_SIGSTRUCT_SIZE, 1, &ss);
  if (rc) return rc;
  cli_put_hex(o, "mrenclave", ss.s.enclavehash, sizeof ss.s.enclavehash);
  cli_put_str(o, "format", "sgxmeta");
  cli_put_str(o, "source",
              "signed (not re-measured): the SIGSTRUCT's ENCLAVEHASH from a "
              "bare .note.sgxmeta section, which holds no enclave pages; "
              "measure the signed .so to check it");
  cli_put_bool(o, "re_measured", 0);
  cli_put_hexnum(o, "size", meta->enclave_size);
  cli_put_num(o, "ssaframesize", meta->ssa_frame_size);
  cli_put_num(o, "file_bytes", n);
  cli_put_hex(o, "mrsigner", ss.mrsigner, sizeof ss.mrsigner);
  cli_put_sigstruct_identity(o, &ss, 0);
  char ver[32];
  snprintf(ver, sizeof ver, "%" PRIu32 ".%" PRIu32, meta->version_major,
           meta->version_minor);
  cli_put_str(o, "metadata_version", ver);
  return cli_sigstruct_end(VERB, o, path, &ss);
}

/* ---- Intel SGX SDK signed enclaves: re-measured ---------------------------
 */

/* --log: the records of one copy's measurement, printed as they come
 * (human output: memory stays flat) or kept as the "log" array (JSON). */
typedef struct page_log {
  sgxra_ctx *cx;
  json_t *lines; /* JSON: the array; NULL: stdout */
  int no_memory; /* the array could not grow */
} page_log;

static sgxra_err log_line(page_log *lg, const char *line) {
  if (!lg->lines) {
    printf("%s\n", line);
    return SGXRA_OK;
  }
  if (json_array_append_new(lg->lines, json_string(line))) {
    lg->no_memory = 1;
    return SGXRA_E_NO_MEMORY;
  }
  return SGXRA_OK;
}

static sgxra_err log_page(void *arg, const sgxra_sdk_page *pg) {
  page_log *lg = arg;
  uint8_t d[SGXRA_SHA256_SIZE];
  char dh[2 * SGXRA_SHA256_SIZE + 1], line[2 * SGXRA_SHA256_SIZE + 512];
  sgxra_err e = sgxra_sha256(lg->cx, pg->bytes, SGXRA_PAGE_SIZE, d);
  if (e) return e;
  sgxra_hex_encode(d, sizeof d, dh);
  snprintf(line, sizeof line,
           "EADD offset=0x%" PRIx64 " flags=0x%" PRIx64 " %s sha256=%s %s",
           pg->offset, pg->secinfo_flags,
           pg->extended ? "measured" : "unmeasured", dh,
           pg->source ? pg->source : "");
  return log_line(lg, line);
}

static void version_text(const sgxra_sdk_meta *m, char *out, size_t n) {
  snprintf(out, n, "%" PRIu32 ".%" PRIu32, m->head.version_major,
           m->head.version_minor);
}

/* Parse --metadata MAJOR.MINOR: decimal numbers, nothing else. */
static int parse_metadata_version(const char *s, uint32_t *major,
                                  uint32_t *minor) {
  char *end;
  if (*s < '0' || *s > '9') return -1;
  unsigned long a = strtoul(s, &end, 10);
  if (*end != '.' || end[1] < '0' || end[1] > '9' || a > UINT32_MAX) return -1;
  unsigned long b = strtoul(end + 1, &end, 10);
  if (*end || b > UINT32_MAX) return -1;
  *major = (uint32_t)a;
  *minor = (uint32_t)b;
  return 0;
}

/* A signed SDK enclave: every metadata copy (or the --metadata one)
 * re-measured and compared with its SIGSTRUCT's ENCLAVEHASH; the fields of
 * the SIGSTRUCT of the copy shown. */
static int measure_sdk(sgxra_ctx *cx, cli_out *o, const char *path,
                       const uint8_t *p, size_t n, const opts *op) {
  sgxra_sdk_enclave en;
  sgxra_err e = sgxra_sdk_open(cx, p, n, &en);
  if (e) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  char vers[SGXRA_SDK_MAX_COPIES * 24] = "", v[24];
  for (unsigned i = 0; i < en.ncopies; i++) {
    version_text(&en.copies[i], v, sizeof v);
    size_t u = strlen(vers);
    snprintf(vers + u, sizeof vers - u, "%s%s", i ? ", " : "", v);
  }
  /* the copy shown: the loader's, or --metadata's (then the only one) */
  unsigned shown = en.selected, first = 0, last = en.ncopies;
  if (op->have_metadata) {
    unsigned i = 0;
    while (i < en.ncopies &&
           (en.copies[i].head.version_major != op->meta_major ||
            en.copies[i].head.version_minor != op->meta_minor))
      i++;
    if (i == en.ncopies)
      return cli_usage_error(VERB,
                             "--metadata %" PRIu32 ".%" PRIu32
                             ": %s has no such metadata copy (it has %s)",
                             op->meta_major, op->meta_minor, path, vers);
    shown = first = i;
    last = i + 1;
  }
  const sgxra_sdk_meta *sm = &en.copies[shown];
  cli_sigstruct ss;
  /* a wrong HEADER: no SIGSTRUCT, nothing to compare with (exit 2) */
  int rc = cli_sigstruct_load(VERB, cx, path, sm->head.sigstruct,
                              SGXRA_SIGSTRUCT_SIZE, 1, &ss);
  if (rc) return rc;

  page_log lg = {cx, NULL, 0};
  if (op->log) {
    if (o->json) {
      lg.lines = json_array();
      if (!lg.lines) {
        fprintf(stderr, "sgxra measure: out of memory\n");
        return CLI_EXIT_USAGE;
      }
    }
    char line[128];
    snprintf(line, sizeof line,
             "ECREATE size=0x%" PRIx64 " ssaframesize=%" PRIu32,
             sm->head.enclave_size, sm->head.ssa_frame_size);
    if (log_line(&lg, line)) goto oom;
  }
  sgxra_sdk_measurement ms[SGXRA_SDK_MAX_COPIES];
  uint8_t signed_hash[SGXRA_SDK_MAX_COPIES][SGXRA_HASH_SIZE];
  memset(ms, 0, sizeof ms);
  int all_match = 1;
  for (unsigned i = first; i < last; i++) {
    sgxra_sigstruct si;
    e = sgxra_sigstruct_decode(cx, en.copies[i].head.sigstruct,
                               SGXRA_SIGSTRUCT_SIZE, &si);
    if (!e)
      e = sgxra_sdk_measure(cx, &en, i, i == shown && op->log ? log_page : NULL,
                            &lg, &ms[i]);
    if (lg.no_memory) goto oom;
    if (e) {
      json_decref(lg.lines);
      version_text(&en.copies[i], v, sizeof v);
      fprintf(stderr,
              "sgxra measure: %s: metadata %s cannot be re-measured: %s "
              "[%s]\n",
              path, v, sgxra_ctx_message(cx), sgxra_err_name(e));
      return CLI_EXIT_USAGE;
    }
    memcpy(signed_hash[i], si.enclavehash, SGXRA_HASH_SIZE);
    if (!ms[i].match) all_match = 0;
  }

  const sgxra_sdk_measurement *m = &ms[shown];
  char sv[24];
  version_text(sm, sv, sizeof sv);
  cli_put_hex(o, "mrenclave", m->mrenclave, SGXRA_HASH_SIZE);
  if (o->json) {
    cli_put_hex(o, "measured_mrenclave", m->mrenclave, SGXRA_HASH_SIZE);
    cli_put_hex(o, "signed_mrenclave", signed_hash[shown], SGXRA_HASH_SIZE);
    cli_put_bool(o, "match", all_match);
  } else {
    cli_put_hex(o, "signed", signed_hash[shown], SGXRA_HASH_SIZE);
    char res[SGXRA_SDK_MAX_COPIES * 24 + 64] = "match";
    if (!all_match) {
      snprintf(res, sizeof res, "mismatch");
      if (ms[shown].match) /* another copy differs: name it */
        for (unsigned i = first; i < last; i++) {
          if (ms[i].match) continue;
          version_text(&en.copies[i], v, sizeof v);
          size_t u = strlen(res);
          snprintf(res + u, sizeof res - u, "%s%s",
                   u == 8 ? " (metadata copy " : ", ", v);
        }
      size_t u = strlen(res);
      if (u > 8) snprintf(res + u, sizeof res - u, " differs)");
    }
    cli_put_str(o, "result", res);
  }
  char how[SGXRA_SDK_MAX_COPIES * 24 + 160];
  const char *why =
      op->have_metadata && shown != en.selected
          ? "chosen with --metadata; Intel's loader on an EDMM CPU takes "
      : op->have_metadata ? "chosen with --metadata, also the copy "
                            "Intel's loader takes on an EDMM CPU"
      : en.copies[shown].loadable
          ? "the copy Intel's loader takes on an EDMM CPU"
          : "the highest version: Intel's current loader takes none of "
            "them";
  version_text(&en.copies[en.selected], v, sizeof v);
  snprintf(how, sizeof how, "%s of %s (%s%s)", sv, vers, why,
           op->have_metadata && shown != en.selected ? v : "");
  if (o->json) {
    cli_put_str(o, "metadata_version", sv);
    json_t *all = json_array(), *cps = json_array();
    for (unsigned i = 0; i < en.ncopies; i++) {
      version_text(&en.copies[i], v, sizeof v);
      json_array_append_new(all, json_string(v));
      if (i < first || i >= last) continue;
      json_t *c = json_object();
      json_object_set_new(c, "version", json_string(v));
      json_object_set_new(c, "measured_mrenclave",
                          cli_json_hex(ms[i].mrenclave, SGXRA_HASH_SIZE));
      json_object_set_new(c, "signed_mrenclave",
                          cli_json_hex(signed_hash[i], SGXRA_HASH_SIZE));
      json_object_set_new(c, "match", json_boolean(ms[i].match));
      json_object_set_new(c, "selected", json_boolean(i == en.selected));
      json_object_set_new(c, "eadd", json_integer((json_int_t)ms[i].eadd));
      json_object_set_new(c, "eextend",
                          json_integer((json_int_t)ms[i].eextend));
      json_array_append_new(cps, c);
    }
    json_object_set_new(o->json, "metadata_versions", all);
    json_object_set_new(o->json, "copies", cps);
    cli_put_str(o, "metadata", how);
  } else {
    cli_put_str(o, "metadata", how);
    for (unsigned i = first; i < last; i++) {
      if (i == shown || ms[i].match) continue;
      char h[2 * SGXRA_HASH_SIZE + 1], line[2 * SGXRA_HASH_SIZE + 96];
      sgxra_hex_encode(ms[i].mrenclave, SGXRA_HASH_SIZE, h);
      version_text(&en.copies[i], v, sizeof v);
      snprintf(line, sizeof line, "mismatch: measures %s", h);
      char label[40];
      snprintf(label, sizeof label, "metadata %s", v);
      cli_put_str(o, label, line);
    }
  }
  cli_put_str(o, "format", "elf");
  cli_put_str(o, "source",
              "re-measured (Intel SGX SDK loader layout from .note.sgxmeta: "
              "segments, patch table, layout table), compared with the "
              "SIGSTRUCT's ENCLAVEHASH");
  cli_put_bool(o, "re_measured", 1);
  cli_put_hexnum(o, "size", sm->head.enclave_size);
  cli_put_num(o, "ssaframesize", sm->head.ssa_frame_size);
  cli_put_num(o, "eadd", m->eadd);
  cli_put_num(o, "eextend", m->eextend);
  cli_put_num(o, "measured_bytes", m->measured_bytes);
  cli_put_num(o, "file_bytes", n);
  cli_put_hex(o, "mrsigner", ss.mrsigner, sizeof ss.mrsigner);
  cli_put_sigstruct_identity(o, &ss, 0);
  rc = cli_sigstruct_end(VERB, o, path, &ss);
  /* last: the other members stay readable above thousands of lines */
  if (lg.lines) json_object_set_new(o->json, "log", lg.lines);
  if (!all_match) {
    for (unsigned i = first; i < last; i++) {
      if (ms[i].match) continue;
      char mh[2 * SGXRA_HASH_SIZE + 1], sh[2 * SGXRA_HASH_SIZE + 1];
      sgxra_hex_encode(ms[i].mrenclave, SGXRA_HASH_SIZE, mh);
      sgxra_hex_encode(signed_hash[i], SGXRA_HASH_SIZE, sh);
      version_text(&en.copies[i], v, sizeof v);
      fprintf(stderr,
              "sgxra measure: %s: mismatch: content does not match its "
              "SIGSTRUCT (metadata %s): measured %s, signed %s\n",
              path, v, mh, sh);
    }
    rc = CLI_EXIT_REFUSED;
  }
  return rc;
oom:
  json_decref(lg.lines);
  fprintf(stderr, "sgxra measure: out of memory\n");
  return CLI_EXIT_USAGE;
}

/* An unsigned ELF: sgxra's enclave layout (the emulator's loader). */
static int measure_unsigned_elf(sgxra_ctx *cx, cli_out *o, const char *path,
                                const uint8_t *p, size_t n, const opts *op) {
  sgxra_layout_params prm;
  sgxra_layout lay;
  uint8_t mr[SGXRA_HASH_SIZE];
  sgxra_layout_params_default(&prm);
  if (op->ssaframesize >= 0) prm.ssaframesize = (uint32_t)op->ssaframesize;
  sgxra_err e = sgxra_layout_measure_elf_ex(cx, p, n, &prm, &lay, mr);
  if (e == SGXRA_E_INVALID_ARGUMENT) /* a parameter out of its range */
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  if (e) {
    fprintf(stderr,
            "sgxra measure: %s: ELF has no .note.sgxmeta (not a signed SGX "
            "SDK enclave), and it is not an enclave sgxra can lay out: %s "
            "[%s]\n",
            path, sgxra_ctx_message(cx), sgxra_err_name(sgxra_ctx_error(cx)));
    return CLI_EXIT_USAGE;
  }
  cli_put_hex(o, "mrenclave", mr, sizeof mr);
  cli_put_str(o, "format", "elf");
  cli_put_str(o, "source",
              "measured (unsigned ELF, sgxra enclave layout: "
              "segments, TCS, SSA, stack)");
  cli_put_hexnum(o, "size", lay.size);
  cli_put_num(o, "ssaframesize", lay.ssaframesize);
  cli_put_num(o, "pages", lay.pages);
  cli_put_num(o, "file_bytes", n);
  cli_put_hexnum(o, "tcs_offset", lay.tcs_offset);
  cli_put_hexnum(o, "entry", lay.entry);
  return CLI_EXIT_OK;
}

static int measure_elf(sgxra_ctx *cx, cli_out *o, const char *path,
                       const uint8_t *p, size_t n, const opts *op) {
  sgxra_sgxmeta meta;
  sgxra_err e = sgxra_sgxmeta_from_elf(cx, p, n, &meta);
  if (e == SGXRA_E_ELF_NO_SGXMETA) {
    if (op->log || op->have_metadata)
      return cli_usage_error(VERB,
                             "%s has no .note.sgxmeta: --log and --metadata "
                             "apply to enclaves signed by the Intel SGX SDK",
                             path);
    return measure_unsigned_elf(cx, o, path, p, n, op);
  }
  if (e) {
    /* the enclave reader's word when it refuses the file too: it says
     * more (an all-zero note: an SDK enclave built but not signed) */
    sgxra_sdk_enclave en;
    if (sgxra_sdk_open(cx, p, n, &en) == SGXRA_OK &&
        sgxra_sgxmeta_from_elf(cx, p, n, &meta) == SGXRA_OK)
      return CLI_EXIT_USAGE; /* not reached: the same file, read again */
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  }
  if (op->ssaframesize >= 0)
    return cli_usage_error(VERB,
                           "%s is a signed enclave: its metadata fixes "
                           "SSAFRAMESIZE, --ssaframesize does not apply",
                           path);
  return measure_sdk(cx, o, path, p, n, op);
}

/* ---- the command -----------------------------------------------------------
 */

/* --log and --metadata: for SDK-signed enclaves only. */
static int check_sdk_options(const char *path, const char *kind,
                             const opts *op) {
  if (op->log || op->have_metadata)
    return cli_usage_error(VERB,
                           "%s is %s: --log and --metadata apply to "
                           "enclaves signed by the Intel SGX SDK",
                           path, kind);
  return 0;
}

/* Options that an SGXS stream fixes itself. */
static int check_sgxs_options(const char *path, const opts *op) {
  int rc = check_sdk_options(path, "an SGXS stream", op);
  if (rc) return rc;
  if (op->have_reg_flags)
    return cli_usage_error(VERB,
                           "--reg-flags applies to raw page images only; %s "
                           "is an SGXS stream",
                           path);
  if (op->ssaframesize >= 0)
    return cli_usage_error(VERB,
                           "%s is an SGXS stream: its ECREATE record sets "
                           "SSAFRAMESIZE, --ssaframesize does not apply",
                           path);
  return 0;
}

static int parse_format(const char *s, sgxra_file_kind *out_kind) {
  if (!strcmp(s, "sgxs"))
    *out_kind = SGXRA_FILE_SGXS;
  else if (!strcmp(s, "raw"))
    *out_kind = SGXRA_FILE_RAW_IMAGE;
  else if (!strcmp(s, "elf"))
    *out_kind = SGXRA_FILE_ELF;
  else
    return -1;
  return 0;
}

int cli_cmd_measure(int argc, char **argv) {
  static const struct option longopts[] = {
      {"json", no_argument, NULL, 'j'},
      {"format", required_argument, NULL, 'f'},
      {"ssaframesize", required_argument, NULL, 's'},
      {"reg-flags", required_argument, NULL, 'r'},
      {"log", no_argument, NULL, 'l'},
      {"metadata", required_argument, NULL, 'm'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  opts op = {0, -1, 0, 0, 0, 0, 0, 0};
  sgxra_file_kind forced = SGXRA_FILE_UNKNOWN;
  int c;
  optind = 1;
  opterr = 0;
  int rc;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'j':
      op.json = 1;
      break;
    case 'f':
      if (parse_format(optarg, &forced))
        return cli_usage_error(
            VERB, "--format '%s' is not one of sgxs, raw, elf", optarg);
      break;
    case 's': {
      uint64_t v;
      if ((rc = cli_parse_uint(VERB, "--ssaframesize", optarg, 1, 255, &v)))
        return rc;
      op.ssaframesize = (long)v;
      break;
    }
    case 'r':
      if ((rc = cli_parse_uint(VERB, "--reg-flags", optarg, 0, UINT64_MAX,
                               &op.reg_flags)))
        return rc;
      op.have_reg_flags = 1;
      break;
    case 'l':
      op.log = 1;
      break;
    case 'm':
      if (parse_metadata_version(optarg, &op.meta_major, &op.meta_minor))
        return cli_usage_error(VERB,
                               "--metadata '%s': expected MAJOR.MINOR, "
                               "e.g. 2.1",
                               optarg);
      op.have_metadata = 1;
      break;
    case 'h':
      usage(stdout);
      return CLI_EXIT_OK;
    default:
      return cli_option_error(VERB, c, argv);
    }
  }
  const char *path;
  rc = cli_one_file(VERB, argc, argv, &path);
  if (rc) return rc;

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  uint8_t *buf = NULL;
  size_t n = 0;
  cli_out o = {NULL, W};
  /* An SGXS stream (forced, or starting with an ECREATE record) is
   * streamed from the file; everything else is read whole. */
  if (forced == SGXRA_FILE_UNKNOWN || forced == SGXRA_FILE_SGXS) {
    /* A regular file only (sgxra/file.h): a FIFO or /dev/zero fails here at
     * once instead of blocking or streaming forever. */
    int fd = -1;
    if (sgxra_file_open_read(cx, path, 0, &fd, NULL) != SGXRA_OK) {
      rc = cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
      sgxra_ctx_free(cx);
      return rc;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) close(fd);
    uint8_t head[64];
    if (f && (forced == SGXRA_FILE_SGXS ||
              (fread(head, 1, sizeof head, f) == sizeof head &&
               !memcmp(head, "ECREATE\0", 8)))) {
      rc = check_sgxs_options(path, &op);
      if (!rc) {
        rewind(f);
        if (op.json) o.json = json_object();
        rc = measure_sgxs_file(cx, &o, path, f);
      }
      fclose(f);
      goto print;
    }
    if (f) fclose(f);
  }
  rc = cli_read_file(VERB, cx, path, FILE_CAP, &buf, &n);
  if (rc) {
    sgxra_ctx_free(cx);
    return rc;
  }
  sgxra_file_kind kind = forced ? forced : sgxra_file_detect(buf, n);
  if (op.have_reg_flags && kind != SGXRA_FILE_RAW_IMAGE) {
    rc = cli_usage_error(VERB,
                         "--reg-flags applies to raw page images only; %s "
                         "is %s",
                         path, sgxra_file_kind_name(kind));
    goto done;
  }
  if (op.json) o.json = json_object();
  switch (kind) {
  case SGXRA_FILE_SGXS: /* the file changed since its head was read */
    rc = check_sgxs_options(path, &op);
    if (!rc) rc = measure_image(cx, &o, path, buf, n, 1, &op);
    break;
  case SGXRA_FILE_RAW_IMAGE:
    rc = check_sdk_options(path, "a raw page image", &op);
    if (!rc) rc = measure_image(cx, &o, path, buf, n, 0, &op);
    break;
  case SGXRA_FILE_ELF:
    rc = measure_elf(cx, &o, path, buf, n, &op);
    break;
  case SGXRA_FILE_SIGSTRUCT:
  case SGXRA_FILE_REPORT:
  case SGXRA_FILE_QUOTE:
    fprintf(stderr,
            "sgxra measure: %s: this is a %s, not an enclave image: "
            "'sgxra inspect %s' prints the MRENCLAVE it carries\n",
            path, sgxra_file_kind_name(kind), path);
    rc = CLI_EXIT_USAGE;
    break;
  default: {
    /* The bare .note.sgxmeta section, as cut out of a signed enclave. */
    sgxra_sgxmeta meta;
    if (!forced && sgxra_sgxmeta_parse_note(NULL, buf, n, &meta) == SGXRA_OK) {
      if (op.log || op.have_metadata) {
        rc = cli_usage_error(VERB,
                             "%s is a bare .note.sgxmeta section: it holds "
                             "no enclave pages, so it cannot be re-measured "
                             "(--log, --metadata); measure the signed .so",
                             path);
        break;
      }
      rc = show_signed_note(cx, &o, path, &meta, n);
      break;
    }
    /* the code is the library's verdict on the file */
    sgxra_file_kind k;
    sgxra_err fe = sgxra_file_detect_known(cx, buf, n, &k);
    fprintf(stderr,
            "sgxra measure: %s: not an enclave image sgxra recognises (%zu "
            "bytes): expected an SGXS stream (starts with an ECREATE "
            "record), a raw page image (a multiple of 4096 bytes) or an "
            "ELF enclave; --format sets the kind [%s]\n",
            path, n, sgxra_err_name(fe));
    rc = CLI_EXIT_USAGE;
  }
  }
print:
  cli_out_end(&o, rc);
done:
  free(buf);
  sgxra_ctx_free(cx);
  return rc;
}
