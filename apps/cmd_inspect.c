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
#include "sgxra/sdkenclave.h"
#include "sgxra/sigstruct.h"
#include "sgxra/supplemental.h"
#include "sgxra/x509.h"

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
          "or DCAP quote (header, enclave REPORT body, QE report identity and\n"
          "the PCK certificate's FMSPC, CA and TCB -- never its PPID).  A\n"
          "quote may also be hex or base64 text; FILE '-' reads stdin.\n"
          "\n"
          "      --json        one JSON object: mrenclave, mrsigner, "
          "isvprodid,\n"
          "                    isvsvn, vendor, date, attributes{flags,xfrm},\n"
          "                    attributemask, miscselect, miscmask,\n"
          "                    signature_valid, debug_signer, ...; for "
          "a signed\n"
          "                    .so also the metadata copy Intel's loader "
          "takes\n"
          "                    (metadata_version, metadata_versions) and "
          "its\n"
          "                    layout: enclave_size, tcs_count, "
          "tcs_dynamic,\n"
          "                    tcs_policy, tcs_min_pool, heap_init, "
          "heap_max,\n"
          "                    stack_max, stack_min, ssa_frame_size, nssa,\n"
          "                    misc_select, debug_launch_allowed, "
          "signing_date\n"
          "                    (read, not re-measured: 'sgxra measure' "
          "checks\n"
          "                    ENCLAVEHASH)\n"
          "  -h, --help        this help\n"
          "\n"
          "A well-known public debug signer is reported on stderr and as\n"
          "\"debug_signer\": true.\n"
          "Exit status: 0 ok, 1 SIGSTRUCT signature invalid, 2 usage error "
          "or\n"
          "unusable input.\n");
}

/* ---- SIGSTRUCT ----------------------------------------------------------- */

/* Print a SIGSTRUCT; returns the exit status. */
static int show_sigstruct(sgxra_ctx *cx, cli_out *o, const char *path,
                          const uint8_t *p, size_t n, const char *type) {
  cli_sigstruct ss;
  int rc = cli_sigstruct_load(VERB, cx, path, p, n, 1, &ss);
  if (rc) return rc;
  const sgxra_sigstruct *s = &ss.s;
  cli_put_hex(o, "mrenclave", s->enclavehash, 32);
  cli_put_hex(o, "mrsigner", ss.mrsigner, 32);
  cli_put_sigstruct_identity(o, &ss, 1);
  cli_put_str(o, "type", type);
  cli_put_hexnum(o, "swdefined", s->swdefined);
  cli_put_num(o, "exponent", s->exponent);
  cli_put_hexnum(o, "cet_attributes", s->cet_attributes);
  cli_put_hexnum(o, "cet_attributes_mask", s->cet_attributes_mask);
  cli_put_hex(o, "isvfamilyid", s->isvfamilyid, 16);
  cli_put_hex(o, "isvextprodid", s->isvextprodid, 16);
  cli_put_hex(o, "modulus", s->modulus, sizeof s->modulus);
  cli_put_hex(o, "signature", s->signature, sizeof s->signature);
  cli_put_hex(o, "q1", s->q1, sizeof s->q1);
  cli_put_hex(o, "q2", s->q2, sizeof s->q2);
  return cli_sigstruct_end(VERB, o, path, &ss);
}

/* ---- signed enclave .so ---------------------------------------------------
 */

/* The SIGSTRUCT DATE (BCD 0xyyyymmdd) as "yyyy-mm-dd"; "" when 0. */
static void date_text(uint32_t d, char out[16]) {
  if (!d)
    out[0] = '\0';
  else
    snprintf(out, 16, "%04" PRIx32 "-%02" PRIx32 "-%02" PRIx32, d >> 16,
             (d >> 8) & 0xff, d & 0xff);
}

/* What a reviewer reads out of the metadata of an SDK enclave: every copy's
 * version, the one Intel's loader takes, and that copy's layout (threads,
 * heap, stack, SSA).  Read, not re-measured: `sgxra measure` checks the
 * ENCLAVEHASH. */
static void show_sdk_layout(cli_out *o, const sgxra_sdk_enclave *en,
                            const sgxra_sdk_summary *sm,
                            const sgxra_sigstruct *s) {
  char v[24], vers[SGXRA_SDK_MAX_COPIES * 24] = "";
  json_t *all = o->json ? json_array() : NULL;
  for (unsigned i = 0; i < en->ncopies; i++) {
    const sgxra_sgxmeta *h = &en->copies[i].head;
    snprintf(v, sizeof v, "%" PRIu32 ".%" PRIu32, h->version_major,
             h->version_minor);
    if (all) json_array_append_new(all, json_string(v));
    size_t u = strlen(vers);
    snprintf(vers + u, sizeof vers - u, "%s%s", i ? ", " : "", v);
  }
  if (all)
    json_object_set_new(o->json, "metadata_versions", all);
  else
    cli_put_str(o, "metadata_versions", vers);
  cli_put_num(o, "tcs_count", sm->tcs_static);
  cli_put_num(o, "tcs_dynamic", sm->tcs_dynamic);
  cli_put_str(o, "tcs_policy",
              sm->tcs_policy == 0   ? "bound"
              : sm->tcs_policy == 1 ? "unbound"
                                    : "unknown");
  cli_put_hexnum(o, "heap_init", sm->heap_init);
  cli_put_hexnum(o, "heap_max", sm->heap_max);
  cli_put_hexnum(o, "stack_max", sm->stack_max);
  cli_put_hexnum(o, "stack_min", sm->stack_min);
  cli_put_num(o, "nssa", sm->nssa);
  cli_put_hexnum(o, "misc_select", sm->misc_select);
  cli_put_bool(o, "debug_launch_allowed",
               (s->attributemask.flags & SGXRA_ATTR_DEBUG) == 0);
  char d[16];
  date_text(s->date, d);
  cli_put_str(o, "signing_date", d);
  if (!o->json)
    printf("%-*s %s\n", o->width, "enclavehash",
           "not re-measured here: 'sgxra measure' checks it against the "
           "file's content");
}

/* An ELF .so (note_only 0) or the bare bytes of its .note.sgxmeta section
 * (note_only 1).  For the .so, the metadata copy shown is the one Intel's
 * loader takes (sgxra/sdkenclave.h) with its layout; for the bare note
 * (no ELF to read the copies against) the highest version. */
static int show_elf(sgxra_ctx *cx, cli_out *o, const char *path,
                    const uint8_t *p, size_t n, int note_only) {
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
  /* the copies and the layout table; what does not decode is a warning:
   * the SIGSTRUCT is still shown */
  sgxra_sdk_enclave en;
  sgxra_sdk_summary sm;
  int have_layout = 0;
  char why[SGXRA_CTX_MSG_SIZE + 64] = "";
  if (!note_only) {
    if ((e = sgxra_sdk_open(cx, p, n, &en)) == SGXRA_OK &&
        (e = sgxra_sdk_summarize(cx, &en, en.selected, &sm)) == SGXRA_OK) {
      have_layout = 1;
      meta = en.copies[en.selected].head;
    } else {
      snprintf(why, sizeof why, "%s [%s]", sgxra_ctx_message(cx),
               sgxra_err_name(e));
    }
  }
  int rc = show_sigstruct(cx, o, path, meta.sigstruct, SGXRA_SIGSTRUCT_SIZE,
                          note_only ? "SGX enclave metadata (.note.sgxmeta "
                                      "section)"
                                    : "signed enclave (ELF .note.sgxmeta)");
  if (rc == CLI_EXIT_USAGE) return rc;
  char ver[32];
  snprintf(ver, sizeof ver, "%" PRIu32 ".%" PRIu32, meta.version_major,
           meta.version_minor);
  cli_put_str(o, "metadata_version", ver);
  cli_put_num(o, "metadata_size", meta.size);
  cli_put_hexnum(o, "enclave_size", meta.enclave_size);
  cli_put_num(o, "ssa_frame_size", meta.ssa_frame_size);
  cli_put_num(o, "tcs_min_pool", meta.tcs_min_pool);
  cli_put_hexnum(o, "desired_misc_select", meta.desired_misc_select);
  cli_put_attributes(o, "metadata_attributes", &meta.attributes, 1);
  if (have_layout) {
    sgxra_sigstruct s;
    if (sgxra_sigstruct_decode(cx, meta.sigstruct, SGXRA_SIGSTRUCT_SIZE, &s) ==
        SGXRA_OK)
      show_sdk_layout(o, &en, &sm, &s);
  } else if (why[0]) {
    cli_put_str(o, "metadata_error", why);
    fprintf(stderr,
            "sgxra inspect: warning: %s: metadata tables: %s (the "
            "SIGSTRUCT is shown; 'sgxra measure' cannot re-measure this "
            "file)\n",
            path, why);
  }
  return rc;
}

/* ---- images: MRENCLAVE only ------------------------------------------------
 */

static int show_image(sgxra_ctx *cx, cli_out *o, const char *path,
                      const uint8_t *p, size_t n, sgxra_file_kind kind) {
  uint8_t mr[SGXRA_HASH_SIZE];
  sgxra_err e;
  if (kind == SGXRA_FILE_SGXS)
    e = sgxra_measure_sgxs(cx, p, n, mr);
  else
    e = sgxra_measure_raw_image(cx, p, n, 1, SGXRA_SECINFO_REG_RWX, mr);
  if (e != SGXRA_OK) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  cli_put_hex(o, "mrenclave", mr, 32);
  if (kind == SGXRA_FILE_SGXS) {
    cli_put_str(o, "type", "SGXS stream");
  } else {
    cli_put_str(o, "type",
                "raw page image (page 0 TCS, pages 1.. REG RWX, "
                "SSAFRAMESIZE 1)");
    cli_put_hexnum(o, "size", sgxra_measure_raw_image_size(n));
  }
  return CLI_EXIT_OK;
}

/* ---- REPORT body (REPORT and quote) ---------------------------------------
 */

/* mrenclave, mrsigner, the body's fields, debug_signer and the type;
 * returns the name of a well-known debug signer, or NULL. */
static const char *show_report_body(cli_out *o, const sgxra_report_body *b,
                                    const char *type) {
  const char *dbg = NULL;
  sgxra_mrsigner_is_debug_key(b->mrsigner, &dbg);
  cli_put_hex(o, "mrenclave", b->mrenclave, 32);
  cli_put_hex(o, "mrsigner", b->mrsigner, 32);
  cli_put_num(o, "isvprodid", b->isvprodid);
  cli_put_num(o, "isvsvn", b->isvsvn);
  cli_put_attributes(o, "attributes", &b->attributes, 1);
  cli_put_hexnum(o, "miscselect", b->miscselect);
  cli_put_hex(o, "cpusvn", b->cpusvn, sizeof b->cpusvn);
  cli_put_num(o, "configsvn", b->configsvn);
  cli_put_hex(o, "isvextprodid", b->isvextprodid, 16);
  cli_put_hex(o, "isvfamilyid", b->isvfamilyid, 16);
  cli_put_hex(o, "configid", b->configid, sizeof b->configid);
  cli_put_hex(o, "reportdata", b->reportdata, sizeof b->reportdata);
  cli_put_bool(o, "debug_signer", dbg != NULL);
  if (dbg) cli_put_str(o, "debug_signer_name", dbg);
  cli_put_str(o, "type", type);
  return dbg;
}

static int show_report(sgxra_ctx *cx, cli_out *o, const char *path,
                       const uint8_t *p, size_t n) {
  sgxra_report r;
  if (sgxra_report_decode(cx, p, n, &r) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  const char *dbg =
      show_report_body(o, &r.body,
                       "REPORT (MAC not checked: only the target enclave's "
                       "report key can)");
  cli_put_hex(o, "keyid", r.keyid, sizeof r.keyid);
  cli_put_hex(o, "mac", r.mac, sizeof r.mac);
  if (sgxra_report_body_check_reserved(cx, &r.body) != SGXRA_OK)
    fprintf(stderr, "sgxra inspect: warning: %s: %s\n", path,
            sgxra_ctx_message(cx));
  if (dbg) cli_warn_debug_signer(VERB, path, dbg);
  return CLI_EXIT_OK;
}

/* The PCK leaf of a type 5 certification data: FMSPC, CA, the TCB and
 * the other SGX extension fields -- never the PPID, which identifies the
 * platform.  A chain that does not parse is a warning: the rest of the
 * quote is still shown. */
static void show_pck(cli_out *o, const char *path, const sgxra_quote *q) {
  const char *pem;
  size_t pem_len;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_x509_chain *chain = NULL;
  if (!cx) return;
  if (sgxra_quote_pck_chain(cx, q, &pem, &pem_len) != SGXRA_OK ||
      sgxra_x509_chain_parse_pem(cx, (const uint8_t *)pem, pem_len, &chain) !=
          SGXRA_OK) {
    fprintf(stderr,
            "sgxra inspect: warning: %s: PCK certificate chain: %s [%s]\n",
            path, sgxra_ctx_message(cx), sgxra_err_name(sgxra_ctx_error(cx)));
    goto out;
  }
  const sgxra_x509_cert *leaf = sgxra_x509_chain_get(chain, 0);
  const uint8_t *der;
  size_t der_len;
  sgxra_x509_cert_der(leaf, &der, &der_len);
  sgxra_pck_ext ext;
  if (sgxra_pck_ext_from_cert_der(cx, der, der_len, &ext) != SGXRA_OK) {
    fprintf(stderr, "sgxra inspect: warning: %s: PCK certificate: %s [%s]\n",
            path, sgxra_ctx_message(cx), sgxra_err_name(sgxra_ctx_error(cx)));
    goto out;
  }
  const char *issuer = sgxra_x509_cert_issuer_cn(leaf);
  cli_put_hex(o, "pck_fmspc", ext.fmspc, sizeof ext.fmspc);
  cli_put_str(o, "pck_ca",
              strstr(issuer, "Platform")    ? "platform"
              : strstr(issuer, "Processor") ? "processor"
                                            : "unknown");
  cli_put_str(o, "pck_issuer_cn", issuer);
  cli_put_nums(o, "pck_tcb_comp_svns", ext.comp_svn, sizeof ext.comp_svn);
  cli_put_num(o, "pck_pcesvn", ext.pcesvn);
  cli_put_hex(o, "pck_cpusvn", ext.cpusvn, sizeof ext.cpusvn);
  cli_put_hex(o, "pck_pceid", ext.pceid, sizeof ext.pceid);
  cli_put_str(o, "pck_sgx_type", sgxra_sgx_type_name(ext.sgx_type));
  if (ext.has_platform_instance_id)
    cli_put_hex(o, "pck_platform_instance_id", ext.platform_instance_id,
                sizeof ext.platform_instance_id);
  if (ext.has_configuration) {
    if (ext.dynamic_platform >= 0)
      cli_put_bool(o, "pck_dynamic_platform", ext.dynamic_platform);
    if (ext.cached_keys >= 0)
      cli_put_bool(o, "pck_cached_keys", ext.cached_keys);
    if (ext.smt_enabled >= 0)
      cli_put_bool(o, "pck_smt_enabled", ext.smt_enabled);
  }
  sgxra_wipe(&ext, sizeof ext); /* the PPID */
out:
  sgxra_x509_chain_free(chain);
  sgxra_ctx_free(cx);
}

static int show_quote(sgxra_ctx *cx, cli_out *o, const char *path,
                      const uint8_t *p, size_t n) {
  sgxra_quote q;
  if (sgxra_quote_parse(cx, p, n, &q) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  const char *dbg =
      show_report_body(o, &q.report_body,
                       "DCAP quote (signature and collateral not checked: use "
                       "'sgxra verify')");
  cli_put_num(o, "quote_version", q.header.version);
  cli_put_num(o, "att_key_type", q.header.att_key_type);
  cli_put_hexnum(o, "tee_type", q.header.tee_type);
  cli_put_num(o, "qe_svn", q.header.qe_svn);
  cli_put_num(o, "pce_svn", q.header.pce_svn);
  cli_put_hex(o, "qe_vendor_id", q.header.qe_vendor_id, 16);
  cli_put_hex(o, "user_data", q.header.user_data, 20);
  cli_put_num(o, "cert_type", q.cert_type);
  cli_put_str(o, "cert_type_name", sgxra_quote_cert_type_name(q.cert_type));
  cli_put_hex(o, "qe_mrenclave", q.qe_report.mrenclave, 32);
  cli_put_hex(o, "qe_mrsigner", q.qe_report.mrsigner, 32);
  cli_put_num(o, "qe_isvprodid", q.qe_report.isvprodid);
  cli_put_num(o, "qe_isvsvn", q.qe_report.isvsvn);
  cli_put_attributes(o, "qe_attributes", &q.qe_report.attributes, 1);
  cli_put_hexnum(o, "qe_miscselect", q.qe_report.miscselect);
  cli_put_num(o, "qe_auth_data_len", q.qe_auth_data_len);
  if (q.cert_type == SGXRA_QUOTE_CERT_PCK_CHAIN) show_pck(o, path, &q);
  if (dbg) cli_warn_debug_signer(VERB, path, dbg);
  return CLI_EXIT_OK;
}

/* A hex or base64 quote: only text characters (so never a SIGSTRUCT,
 * ELF, SGXS stream or page image) that decode to a quote. */
static int text_quote(const uint8_t *p, size_t n, uint8_t **out,
                      size_t *out_len) {
  char why[2 * SGXRA_CTX_MSG_SIZE + 256];
  if (!cli_is_text(p, n)) return -1;
  return cli_quote_from_text(p, n, out, out_len, why, sizeof why);
}

/* ---- the command ------------------------------------------------------------
 */

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
      return cli_option_error(VERB, c, argv);
    }
  }
  const char *path;
  int rc = cli_one_file(VERB, argc, argv, &path);
  if (rc) return rc;

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  uint8_t *buf = NULL;
  size_t n = 0;
  rc = cli_read_input(VERB, cx, path, FILE_CAP, &buf, &n);
  if (rc) {
    sgxra_ctx_free(cx);
    return rc;
  }
  cli_out o = {json ? json_object() : NULL, W};
  sgxra_file_kind kind = sgxra_file_detect(buf, n);
  uint8_t *dec = NULL;
  size_t dec_len = 0;
  if ((kind == SGXRA_FILE_UNKNOWN || kind == SGXRA_FILE_RAW_IMAGE) &&
      text_quote(buf, n, &dec, &dec_len) == 0) {
    free(buf);
    buf = dec;
    n = dec_len;
    kind = SGXRA_FILE_QUOTE;
  }
  /* A SIGSTRUCT header on a file of the wrong size, or 1808 bytes that are
   * nothing else, go to the SIGSTRUCT decoder for a precise error. */
  if (kind != SGXRA_FILE_SIGSTRUCT &&
      (sgxra_sigstruct_has_header(buf, n) ||
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
    /* the code is the library's verdict on the file */
    sgxra_file_kind k;
    sgxra_err fe = sgxra_file_detect_known(cx, buf, n, &k);
    char why[2 * SGXRA_CTX_MSG_SIZE + 256] = "";
    uint8_t *tq = NULL;
    size_t tn = 0;
    if (cli_is_text(buf, n) &&
        cli_quote_from_text(buf, n, &tq, &tn, why + 2, sizeof why - 2) == 0)
      free(tq); /* not reached: text quotes were decoded above */
    else if (why[2])
      memcpy(why, "; ", 2);
    fprintf(stderr,
            "sgxra inspect: %s: not a file sgxra recognises (%zu bytes): "
            "expected a SIGSTRUCT (1808 bytes), a signed enclave .so, an SGXS "
            "stream, a raw page image, a REPORT (432 bytes) or a DCAP quote "
            "(binary, hex or base64)%s [%s]\n",
            path, n, why, sgxra_err_name(fe));
    rc = CLI_EXIT_USAGE;
  }
  }
  cli_out_end(&o, rc);
  free(buf);
  sgxra_ctx_free(cx);
  return rc;
}
