/* sgxra measure: MRENCLAVE of an enclave image (docs/MEASUREMENT.md).
 *
 *   SGXS stream     replayed through the measurement builder
 *   raw page image  Linux selftest convention: page 0 TCS, the rest REG
 *   ELF .so         signed (.note.sgxmeta): the SIGSTRUCT's ENCLAVEHASH and
 *                   its fields; unsigned: measured with sgxra's enclave
 *                   layout (sgxra/layout.h), as the emulator loads it
 *
 * JSON follows `sgxra inspect`: byte strings lowercase hex, counters
 * numbers, sizes/flags/masks "0x..." strings.
 *
 * Exit: 0 measured; 1 a signed enclave whose SIGSTRUCT does not verify
 * (fields still printed, signature_valid false); 2 usage or unusable
 * input. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sgxra/enclavefile.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/sigstruct.h"

#define VERB "measure"
#define FILE_CAP ((size_t)1 << 31)
#define W 16 /* label width of the human output */

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra measure FILE [--json] [--format sgxs|raw|elf]\n"
      "                     [--ssaframesize N] [--reg-flags N]\n"
      "\n"
      "Compute an enclave's MRENCLAVE, as the CPU would after EINIT.  The "
      "file's\nkind is found by content unless --format says it:\n"
      "  sgxs  an SGXS stream (ECREATE/EADD/EEXTEND records), replayed with "
      "the\n        hardware's order and alignment checks\n"
      "  raw   a raw page image, Linux kernel selftest convention: page 0 "
      "TCS,\n        pages 1.. REG with --reg-flags, every page measured, "
      "SIZE the\n        next power of two\n"
      "  elf   an enclave .so: if signed (.note.sgxmeta), its SIGSTRUCT's\n"
      "        ENCLAVEHASH and fields; if not, measured with sgxra's "
      "enclave\n        layout (the emulator's loader)\n"
      "\n"
      "      --json              one JSON object: mrenclave, format, source, "
      "size,\n"
      "                          ssaframesize, pages; for a signed .so also\n"
      "                          mrsigner, isvprodid, isvsvn, vendor, date,\n"
      "                          attributes, attributemask, miscselect, "
      "miscmask,\n"
      "                          signature_valid, debug_signer\n"
      "      --format KIND       sgxs, raw or elf (default: by content)\n"
      "      --ssaframesize N    pages per SSA frame, 1..255, raw and "
      "unsigned elf\n"
      "                          (default 1)\n"
      "      --reg-flags N       SECINFO flags of pages 1.. of a raw image\n"
      "                          (default 0x207: REG, read/write/execute)\n"
      "  -h, --help              this help\n"
      "\n"
      "Numbers are decimal or 0x-prefixed hex (0x207; 207 is decimal).\n"
      "Exit status: 0 ok, 1 signed enclave whose SIGSTRUCT does not verify, "
      "2 usage\nerror or unusable input.\n");
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

/* A signed enclave: the SIGSTRUCT's ENCLAVEHASH and fields. */
static int show_signed(sgxra_ctx *cx, cli_out *o, const char *path,
                       const char *format, const sgxra_sgxmeta *meta,
                       size_t n) {
  cli_sigstruct ss;
  /* A wrong HEADER means the metadata holds no SIGSTRUCT at all, so its
   * "ENCLAVEHASH" means nothing: unusable input, as for `inspect`. */
  int rc = cli_sigstruct_load(VERB, cx, path, meta->sigstruct,
                              SGXRA_SIGSTRUCT_SIZE, 1, &ss);
  if (rc) return rc;
  cli_put_hex(o, "mrenclave", ss.s.enclavehash, sizeof ss.s.enclavehash);
  cli_put_str(o, "format", format);
  cli_put_str(o, "source",
              "sigstruct (ENCLAVEHASH of the signed enclave, "
              "from .note.sgxmeta)");
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
  if (e == SGXRA_E_ELF_NO_SGXMETA)
    return measure_unsigned_elf(cx, o, path, p, n, op);
  if (e) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  if (op->ssaframesize >= 0)
    return cli_usage_error(VERB,
                           "%s is a signed enclave: its SIGSTRUCT fixes "
                           "MRENCLAVE, --ssaframesize does not apply",
                           path);
  return show_signed(cx, o, path, "elf", &meta, n);
}

/* ---- the command -----------------------------------------------------------
 */

/* Options that an SGXS stream fixes itself. */
static int check_sgxs_options(const char *path, const opts *op) {
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
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  opts op = {0, -1, 0, 0};
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
    FILE *f = fopen(path, "rb");
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
    rc = measure_image(cx, &o, path, buf, n, 0, &op);
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
      rc = show_signed(cx, &o, path, "sgxmeta", &meta, n);
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
