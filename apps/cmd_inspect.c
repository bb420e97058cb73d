/* sgxra inspect: print MRENCLAVE, MRSIGNER and every field of an SGX file
 * (SIGSTRUCT, SDK-signed enclave .so, SGXS stream, raw page image, REPORT,
 * DCAP quote), found by content.
 *
 * JSON representation (docs/ISV.md): byte strings are lowercase hex without
 * prefix; counters (isvprodid, isvsvn, configsvn, ...) are JSON numbers;
 * bit fields and codes (vendor, date, attributes.flags/xfrm,
 * attributemask.flags/xfrm, miscselect, miscmask, swdefined) are strings
 * "0x" + lowercase hex of the value, as Intel writes them ("0x8086",
 * "0x20240304" for the BCD date, "0xfffffffffffffffd") -- strings because
 * 64-bit masks do not survive a JSON number.
 *
 * Exit: 0 printed; 1 a SIGSTRUCT whose signature (or exponent, or Q1/Q2)
 * does not verify (fields still printed, signature_valid false); 2 unusable
 * input. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sgxra/enclavefile.h"
#include "sgxra/hex.h"
#include "sgxra/measure.h"
#include "sgxra/quote.h"
#include "sgxra/sigstruct.h"

#define VERB "inspect"
#define FILE_CAP ((size_t)1 << 31)
#define W 22 /* label width of the human output */

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra inspect FILE [--json]\n"
          "\n"
          "Print MRENCLAVE and MRSIGNER, then every field, of an SGX file "
          "found by\n"
          "content: SIGSTRUCT (1808 bytes), Intel SDK signed enclave .so, "
          "SGXS\n"
          "stream, raw page image (Linux selftest convention), REPORT (432 "
          "bytes)\n"
          "or DCAP quote (header and enclave REPORT body).\n"
          "\n"
          "      --json        one JSON object: mrenclave, mrsigner, "
          "isvprodid,\n"
          "                    isvsvn, vendor, date, attributes{flags,xfrm},\n"
          "                    attributemask, miscselect, miscmask,\n"
          "                    signature_valid, debug_signer, ...\n"
          "  -h, --help        this help\n"
          "\n"
          "A well-known public debug signer is reported on stderr and as\n"
          "\"debug_signer\": true.\n"
          "Exit status: 0 ok, 1 SIGSTRUCT signature invalid, 2 usage error "
          "or\n"
          "unusable input.\n");
}

/* ---- output: human lines or one JSON object -------------------------------
 */

typedef struct out {
  json_t *json; /* NULL for human output */
} out;

static void put_hex(out *o, const char *key, const uint8_t *p, size_t n) {
  if (o->json)
    json_object_set_new(o->json, key, cli_json_hex(p, n));
  else
    cli_print_hex(key, W, p, n);
}

static void put_num(out *o, const char *key, uint64_t v) {
  if (o->json)
    json_object_set_new(o->json, key, json_integer((json_int_t)v));
  else
    printf("%-*s %" PRIu64 "\n", W, key, v);
}

static json_t *hexnum(uint64_t v) {
  char s[24];
  snprintf(s, sizeof s, "0x%" PRIx64, v);
  return json_string(s);
}

static void put_hexnum(out *o, const char *key, uint64_t v) {
  if (o->json)
    json_object_set_new(o->json, key, hexnum(v));
  else
    printf("%-*s 0x%" PRIx64 "\n", W, key, v);
}

static void put_str(out *o, const char *key, const char *s) {
  if (o->json)
    json_object_set_new(o->json, key, json_string(s));
  else
    printf("%-*s %s\n", W, key, s);
}

static void put_bool(out *o, const char *key, int b) {
  if (o->json)
    json_object_set_new(o->json, key, json_boolean(b));
  else
    printf("%-*s %s\n", W, key, b ? "true" : "false");
}

static void put_attributes(out *o, const char *key, const sgxra_attributes *a,
                           int names) {
  char txt[160];
  sgxra_attributes_flags_text(a->flags, txt, sizeof txt);
  if (o->json) {
    json_t *v = json_object();
    json_object_set_new(v, "flags", hexnum(a->flags));
    json_object_set_new(v, "xfrm", hexnum(a->xfrm));
    json_object_set_new(o->json, key, v);
  } else if (names) {
    printf("%-*s flags 0x%" PRIx64 " (%s), xfrm 0x%" PRIx64 "\n", W, key,
           a->flags, txt, a->xfrm);
  } else {
    printf("%-*s flags 0x%" PRIx64 ", xfrm 0x%" PRIx64 "\n", W, key, a->flags,
           a->xfrm);
  }
}

static void put_date(out *o, uint32_t date) {
  if (o->json) {
    json_object_set_new(o->json, "date", hexnum(date));
    return;
  }
  if (date == 0)
    printf("%-*s 0x0 (not set)\n", W, "date");
  else
    printf("%-*s 0x%08" PRIx32 " (%04" PRIx32 "-%02" PRIx32 "-%02" PRIx32 ")\n",
           W, "date", date, date >> 16, (date >> 8) & 0xff, date & 0xff);
}

static void warn_debug_signer(const char *path, const char *name) {
  fprintf(stderr,
          "sgxra inspect: warning: %s: MRSIGNER is a well-known public debug "
          "key (%s): anyone can sign with it; never trust it in production\n",
          path, name);
}

/* ---- SIGSTRUCT ----------------------------------------------------------- */

/* Print a SIGSTRUCT; returns the exit status. */
static int show_sigstruct(sgxra_ctx *cx, out *o, const char *path,
                          const uint8_t *p, size_t n, const char *type) {
  sgxra_sigstruct s;
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  if (sgxra_sigstruct_decode(cx, p, n, &s) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  sgxra_err verr = sgxra_sigstruct_verify(cx, &s);
  if (verr == SGXRA_E_SIGSTRUCT_HEADER)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  char why[SGXRA_CTX_MSG_SIZE + 64] = "";
  if (verr != SGXRA_OK)
    snprintf(why, sizeof why, "%s [%s]", sgxra_ctx_message(cx),
             sgxra_err_name(verr));
  if (sgxra_sigstruct_mrsigner(cx, &s, mrsigner) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  const char *dbg = NULL;
  int is_dbg = sgxra_mrsigner_is_debug_key(mrsigner, &dbg);

  put_hex(o, "mrenclave", s.enclavehash, 32);
  put_hex(o, "mrsigner", mrsigner, 32);
  put_num(o, "isvprodid", s.isvprodid);
  put_num(o, "isvsvn", s.isvsvn);
  put_hexnum(o, "vendor", s.vendor);
  put_date(o, s.date);
  put_attributes(o, "attributes", &s.attributes, 1);
  put_attributes(o, "attributemask", &s.attributemask, 0);
  put_hexnum(o, "miscselect", s.miscselect);
  put_hexnum(o, "miscmask", s.miscmask);
  put_bool(o, "signature_valid", verr == SGXRA_OK);
  put_bool(o, "debug_signer", is_dbg);
  if (is_dbg) put_str(o, "debug_signer_name", dbg);
  put_str(o, "type", type);
  put_hexnum(o, "swdefined", s.swdefined);
  put_num(o, "exponent", s.exponent);
  put_hexnum(o, "cet_attributes", s.cet_attributes);
  put_hexnum(o, "cet_attributes_mask", s.cet_attributes_mask);
  put_hex(o, "isvfamilyid", s.isvfamilyid, 16);
  put_hex(o, "isvextprodid", s.isvextprodid, 16);
  put_hex(o, "modulus", s.modulus, sizeof s.modulus);
  put_hex(o, "signature", s.signature, sizeof s.signature);
  put_hex(o, "q1", s.q1, sizeof s.q1);
  put_hex(o, "q2", s.q2, sizeof s.q2);
  if (verr != SGXRA_OK) put_str(o, "signature_error", why);

  if (is_dbg) warn_debug_signer(path, dbg);
  if (verr != SGXRA_OK) {
    fprintf(stderr, "sgxra inspect: %s: %s\n", path, why);
    return CLI_EXIT_REFUSED;
  }
  return CLI_EXIT_OK;
}

/* ---- signed enclave .so ---------------------------------------------------
 */

/* An ELF .so (note_only 0) or the bare bytes of its .note.sgxmeta section
 * (note_only 1). */
static int show_elf(sgxra_ctx *cx, out *o, const char *path, const uint8_t *p,
                    size_t n, int note_only) {
  sgxra_sgxmeta meta;
  sgxra_err e = note_only ? sgxra_sgxmeta_parse_note(cx, p, n, &meta)
                          : sgxra_sgxmeta_from_elf(cx, p, n, &meta);
  if (e != SGXRA_OK) {
    int rc = cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
    if (e == SGXRA_E_ELF_NO_SGXMETA)
      fprintf(stderr,
              "sgxra inspect: %s: an unsigned enclave has no "
              "SIGSTRUCT to show; 'sgxra measure %s' computes its "
              "MRENCLAVE and 'sgxra sign' signs it\n",
              path, path);
    return rc;
  }
  int rc = show_sigstruct(cx, o, path, meta.sigstruct, SGXRA_SIGSTRUCT_SIZE,
                          note_only ? "SGX enclave metadata (.note.sgxmeta "
                                      "section)"
                                    : "signed enclave (ELF .note.sgxmeta)");
  if (rc == CLI_EXIT_USAGE) return rc;
  char ver[32];
  snprintf(ver, sizeof ver, "%" PRIu32 ".%" PRIu32, meta.version_major,
           meta.version_minor);
  put_str(o, "metadata_version", ver);
  put_hexnum(o, "enclave_size", meta.enclave_size);
  put_num(o, "ssa_frame_size", meta.ssa_frame_size);
  put_num(o, "tcs_min_pool", meta.tcs_min_pool);
  put_hexnum(o, "desired_misc_select", meta.desired_misc_select);
  put_attributes(o, "metadata_attributes", &meta.attributes, 1);
  return rc;
}

/* ---- images: MRENCLAVE only ------------------------------------------------
 */

static int show_image(sgxra_ctx *cx, out *o, const char *path, const uint8_t *p,
                      size_t n, sgxra_file_kind kind) {
  uint8_t mr[SGXRA_HASH_SIZE];
  sgxra_err e;
  if (kind == SGXRA_FILE_SGXS)
    e = sgxra_measure_sgxs(cx, p, n, mr);
  else
    e = sgxra_measure_raw_image(cx, p, n, 1, SGXRA_SECINFO_REG_RWX, mr);
  if (e != SGXRA_OK) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  put_hex(o, "mrenclave", mr, 32);
  if (kind == SGXRA_FILE_SGXS) {
    put_str(o, "type", "SGXS stream");
  } else {
    put_str(o, "type",
            "raw page image (page 0 TCS, pages 1.. REG RWX, "
            "SSAFRAMESIZE 1)");
    put_hexnum(o, "size", sgxra_measure_raw_image_size(n));
  }
  return CLI_EXIT_OK;
}

/* ---- REPORT body (REPORT and quote) ---------------------------------------
 */

static void show_report_body(out *o, const sgxra_report_body *b) {
  put_num(o, "isvprodid", b->isvprodid);
  put_num(o, "isvsvn", b->isvsvn);
  put_attributes(o, "attributes", &b->attributes, 1);
  put_hexnum(o, "miscselect", b->miscselect);
  put_hex(o, "cpusvn", b->cpusvn, sizeof b->cpusvn);
  put_num(o, "configsvn", b->configsvn);
  put_hex(o, "isvextprodid", b->isvextprodid, 16);
  put_hex(o, "isvfamilyid", b->isvfamilyid, 16);
  put_hex(o, "configid", b->configid, sizeof b->configid);
  put_hex(o, "reportdata", b->reportdata, sizeof b->reportdata);
}

static int show_report(sgxra_ctx *cx, out *o, const char *path,
                       const uint8_t *p, size_t n) {
  sgxra_report r;
  if (sgxra_report_decode(cx, p, n, &r) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  const char *dbg = NULL;
  int is_dbg = sgxra_mrsigner_is_debug_key(r.body.mrsigner, &dbg);
  put_hex(o, "mrenclave", r.body.mrenclave, 32);
  put_hex(o, "mrsigner", r.body.mrsigner, 32);
  show_report_body(o, &r.body);
  put_bool(o, "debug_signer", is_dbg);
  if (is_dbg) put_str(o, "debug_signer_name", dbg);
  put_str(o, "type",
          "REPORT (MAC not checked: only the target enclave's "
          "report key can)");
  put_hex(o, "keyid", r.keyid, sizeof r.keyid);
  put_hex(o, "mac", r.mac, sizeof r.mac);
  if (sgxra_report_body_check_reserved(cx, &r.body) != SGXRA_OK)
    fprintf(stderr, "sgxra inspect: warning: %s: %s\n", path,
            sgxra_ctx_message(cx));
  if (is_dbg) warn_debug_signer(path, dbg);
  return CLI_EXIT_OK;
}

static int show_quote(sgxra_ctx *cx, out *o, const char *path, const uint8_t *p,
                      size_t n) {
  sgxra_quote q;
  if (sgxra_quote_parse(cx, p, n, &q) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  const sgxra_report_body *b = &q.report_body;
  const char *dbg = NULL;
  int is_dbg = sgxra_mrsigner_is_debug_key(b->mrsigner, &dbg);
  put_hex(o, "mrenclave", b->mrenclave, 32);
  put_hex(o, "mrsigner", b->mrsigner, 32);
  show_report_body(o, b);
  put_bool(o, "debug_signer", is_dbg);
  if (is_dbg) put_str(o, "debug_signer_name", dbg);
  put_str(o, "type",
          "DCAP quote (signature and collateral not checked: use "
          "'sgxra verify')");
  put_num(o, "quote_version", q.header.version);
  put_num(o, "att_key_type", q.header.att_key_type);
  put_hexnum(o, "tee_type", q.header.tee_type);
  put_num(o, "qe_svn", q.header.qe_svn);
  put_num(o, "pce_svn", q.header.pce_svn);
  put_hex(o, "qe_vendor_id", q.header.qe_vendor_id, 16);
  put_hex(o, "user_data", q.header.user_data, 20);
  put_num(o, "cert_type", q.cert_type);
  put_hex(o, "qe_mrenclave", q.qe_report.mrenclave, 32);
  put_hex(o, "qe_mrsigner", q.qe_report.mrsigner, 32);
  if (is_dbg) warn_debug_signer(path, dbg);
  return CLI_EXIT_OK;
}

/* ---- the command ------------------------------------------------------------
 */

static int starts_like_sigstruct(const uint8_t *p, size_t n) {
  static const uint8_t hdr[16] = {0x06, 0, 0, 0, 0xe1, 0, 0, 0,
                                  0,    0, 1, 0, 0,    0, 0, 0};
  return n >= sizeof hdr && memcmp(p, hdr, sizeof hdr) == 0;
}

int cli_cmd_inspect(int argc, char **argv) {
  static const struct option opts[] = {
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int json = 0, c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'j':
      json = 1;
      break;
    case 'h':
      usage(stdout);
      return CLI_EXIT_OK;
    default:
      return cli_usage_error(VERB, "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc) return cli_usage_error(VERB, "a FILE is required");
  if (argc - optind > 1)
    return cli_usage_error(VERB, "one FILE at a time (got '%s' too)",
                           argv[optind + 1]);
  const char *path = argv[optind];

  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) {
    fprintf(stderr, "sgxra inspect: out of memory\n");
    return CLI_EXIT_USAGE;
  }
  uint8_t *buf = NULL;
  size_t n = 0;
  int rc = cli_read_file(VERB, cx, path, FILE_CAP, &buf, &n);
  if (rc) {
    sgxra_ctx_free(cx);
    return rc;
  }
  out o = {json ? json_object() : NULL};
  sgxra_file_kind kind = sgxra_file_detect(buf, n);
  /* A SIGSTRUCT header on a file of the wrong size, or 1808 bytes that are
   * nothing else, go to the SIGSTRUCT decoder for a precise error. */
  if (kind != SGXRA_FILE_SIGSTRUCT &&
      (starts_like_sigstruct(buf, n) ||
       (n == SGXRA_SIGSTRUCT_SIZE && kind == SGXRA_FILE_UNKNOWN)))
    kind = SGXRA_FILE_SIGSTRUCT;
  switch (kind) {
  case SGXRA_FILE_SIGSTRUCT:
    rc = show_sigstruct(cx, &o, path, buf, n, "SIGSTRUCT");
    break;
  case SGXRA_FILE_ELF:
    rc = show_elf(cx, &o, path, buf, n, 0);
    break;
  case SGXRA_FILE_SGXS:
  case SGXRA_FILE_RAW_IMAGE:
    rc = show_image(cx, &o, path, buf, n, kind);
    break;
  case SGXRA_FILE_REPORT:
    rc = show_report(cx, &o, path, buf, n);
    break;
  case SGXRA_FILE_QUOTE:
    rc = show_quote(cx, &o, path, buf, n);
    break;
  default: {
    /* The bare .note.sgxmeta section (as cut out of a signed enclave). */
    sgxra_sgxmeta meta;
    if (sgxra_sgxmeta_parse_note(NULL, buf, n, &meta) == SGXRA_OK) {
      rc = show_elf(cx, &o, path, buf, n, 1);
      break;
    }
    fprintf(stderr,
            "sgxra inspect: %s: not a file sgxra recognises (%zu bytes): "
            "expected a SIGSTRUCT (1808 bytes), a signed enclave .so, an SGXS "
            "stream, a raw page image, a REPORT (432 bytes) or a DCAP quote "
            "[SGXRA_E_FILE_UNKNOWN]\n",
            path, n);
    rc = CLI_EXIT_USAGE;
  }
  }
  if (o.json) {
    if (rc == CLI_EXIT_USAGE)
      json_decref(o.json);
    else
      cli_json_print(o.json);
  }
  free(buf);
  sgxra_ctx_free(cx);
  return rc;
}
