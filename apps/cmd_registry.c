/* sgxra registry: the service provider's reference values -- enclaves
 * trusted by exact identity, signers trusted per product, denied
 * MRENCLAVEs -- in the registry database (docs/STORE.md, docs/ISV.md).
 *
 * A reference value arrives as the ISV's SIGSTRUCT (or the signed enclave
 * carrying it): its header and RSA signature are verified as EINIT does and
 * MRENCLAVE = ENCLAVEHASH, MRSIGNER = SHA-256(modulus), ISVPRODID, ISVSVN
 * and ATTRIBUTES are recorded (source "sigstruct"); a signed SDK enclave is
 * re-measured first and refused when its content does not match the
 * ENCLAVEHASH it carries; as an enclave image
 * measured by sgxra (source "enclave"); or typed in as hex ("hex").  A
 * well-known public signing key is refused unless --allow-debug-signer.
 *
 * Exit: 0 done; 1 refused (a debug signer, a duplicate, no such entry);
 * 2 usage error or unusable input (a corrupt SIGSTRUCT, a wrong-size hex
 * value, a database that cannot be used). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/base64.h"
#include "sgxra/enclavefile.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/sdkenclave.h"
#include "sgxra/timeutil.h"
#include "sp.h"

#define W 20

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra registry add FILE [--product NAME] [--note TEXT]\n"
      "                          [--allow-debug-signer]\n"
      "       sgxra registry add ENCLAVE-IMAGE --mrsigner HEX --isvprodid N\n"
      "                          --isvsvn N [--attributes HEX] ...\n"
      "       sgxra registry add --mrenclave HEX --mrsigner HEX --isvprodid N\n"
      "                          --isvsvn N [--attributes HEX] ...\n"
      "       sgxra registry trust-signer (--mrsigner HEX | FILE.sig)\n"
      "                          --isvprodid N --min-isvsvn N\n"
      "                          [--allow-debug-signer] [--product NAME] "
      "[--note TEXT]\n"
      "       sgxra registry deny --mrenclave HEX --reason TEXT [--note "
      "TEXT]\n"
      "       sgxra registry revoke enclave|signer|deny ID\n"
      "       sgxra registry list [--all]\n"
      "       sgxra registry show enclave|signer|deny ID\n"
      "       sgxra registry token add NAME | list [--all] | revoke NAME\n"
      "\n"
      "The service provider's reference values, registered before any quote\n"
      "arrives and read by `sgxra appraise`.\n"
      "\n"
      "add FILE: FILE is recognised by content.\n"
      "  a SIGSTRUCT (.sig, 1808 bytes) or a signed SGX SDK enclave (.so "
      "with\n"
      "  .note.sgxmeta): the SIGSTRUCT's header and RSA signature are "
      "verified\n"
      "  as EINIT does; MRENCLAVE = ENCLAVEHASH, MRSIGNER = SHA-256(modulus),\n"
      "  ISVPRODID, ISVSVN and ATTRIBUTES are recorded (source "
      "\"sigstruct\").\n"
      "  A signed enclave is re-measured first (as `sgxra measure` does) and\n"
      "  refused, exit 2, when its content does not match its SIGSTRUCT.\n"
      "  an unsigned enclave image (ELF laid out by sgxra, SGXS stream, raw\n"
      "  page image): measured by sgxra (source \"enclave\"); --mrsigner,\n"
      "  --isvprodid and --isvsvn are then required.\n"
      "add --mrenclave HEX: the values typed in (source \"hex\").\n"
      "trust-signer: any enclave signed by MRSIGNER for ISVPRODID with ISVSVN\n"
      "  >= the minimum; from a SIGSTRUCT or signed enclave, ISVPRODID and "
      "the\n"
      "  minimum default to its ISVPRODID and ISVSVN.\n"
      "deny: refuse this MRENCLAVE whatever else matches (revoke lifts it).\n"
      "revoke: the entry stops matching; it stays listed with --all.\n"
      "list: every entry in force (--all: revoked ones too); show: one entry.\n"
      "token add NAME: a new bearer token for the SP's administration API\n"
      "  (`sgxra serve sp`), printed once (\"sgxra_\" + 43 characters of\n"
      "  base64url); the registry keeps only its SHA-256.  NAME: 1..%d of\n"
      "  [A-Za-z0-9._-], never reused.  token list: names, never the tokens;\n"
      "  token revoke NAME: the token stops working at once.\n"
      "\n"
      "Options:\n"
      "      --mrenclave HEX       64 hex digits\n"
      "      --mrsigner HEX        64 hex digits (SHA-256 of the signing "
      "key's\n"
      "                            modulus)\n"
      "      --isvprodid N         0..65535\n"
      "      --isvsvn N            0..65535\n"
      "      --min-isvsvn N        0..65535 (trust-signer)\n"
      "      --attributes HEX      32 hex digits: the 16 bytes of ATTRIBUTES "
      "as\n"
      "                            in a SIGSTRUCT or REPORT (FLAGS then XFRM,\n"
      "                            little-endian); default "
      "04000000000000000300000000000000\n"
      "                            (MODE64BIT, XFRM x87+SSE: the SDK's "
      "default)\n"
      "      --allow-debug-signer  accept an enclave or signer whose MRSIGNER "
      "is a\n"
      "                            well-known public key (the SGX SDK sample "
      "key,\n"
      "                            sgxra's demo key, ...): test registries "
      "only\n"
      "      --product NAME        a product name to record (at most %d "
      "bytes)\n"
      "      --note TEXT           a note to record (at most %d bytes)\n"
      "      --reason TEXT         why an MRENCLAVE is denied (deny; "
      "required)\n"
      "      --all                 list revoked entries too\n"
      "\n" SP_COMMON_HELP "\n"
      "Exit status: 0 done, 1 refused (debug signer, duplicate entry, no such\n"
      "entry), 2 usage error or unusable input (corrupt SIGSTRUCT, a signed\n"
      "enclave whose content does not match its SIGSTRUCT, wrong-size hex, "
      "a\ndatabase that cannot be opened or written).\n",
      SGXRA_STORE_TOKEN_NAME_MAX, SGXRA_STORE_PRODUCT_MAX,
      SGXRA_STORE_NOTE_MAX);
}

enum {
  O_MRENCLAVE = 1,
  O_MRSIGNER,
  O_ISVPRODID,
  O_ISVSVN,
  O_MIN_ISVSVN,
  O_ATTRIBUTES,
  O_ALLOW_DEBUG,
  O_PRODUCT,
  O_NOTE,
  O_REASON,
  O_ALL,
  O__COUNT
};
static const char *const opt_names[O__COUNT] = {
    "",        "mrenclave",  "mrsigner",   "isvprodid",
    "isvsvn",  "min-isvsvn", "attributes", "allow-debug-signer",
    "product", "note",       "reason",     "all"};
#define B(o) (1u << (o))

typedef struct reg_args {
  sp_common c;
  const char *val[O__COUNT];
  unsigned seen;
  int nfiles;
  char **files;
} reg_args;

static int parse_args(int argc, char **argv, reg_args *a, unsigned allowed) {
  static const struct option opts[] = {
      {"mrenclave", required_argument, NULL, O_MRENCLAVE},
      {"mrsigner", required_argument, NULL, O_MRSIGNER},
      {"isvprodid", required_argument, NULL, O_ISVPRODID},
      {"isvsvn", required_argument, NULL, O_ISVSVN},
      {"min-isvsvn", required_argument, NULL, O_MIN_ISVSVN},
      {"attributes", required_argument, NULL, O_ATTRIBUTES},
      {"allow-debug-signer", no_argument, NULL, O_ALLOW_DEBUG},
      {"product", required_argument, NULL, O_PRODUCT},
      {"note", required_argument, NULL, O_NOTE},
      {"reason", required_argument, NULL, O_REASON},
      {"all", no_argument, NULL, O_ALL},
      SP_COMMON_OPTIONS,
      {NULL, 0, NULL, 0},
  };
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    if (sp_common_option(&a->c, ch, optarg)) continue;
    if (ch <= 0 || ch >= O__COUNT) return cli_option_error(a->c.verb, ch, argv);
    if (!(allowed & B(ch)))
      return cli_usage_error(a->c.verb, "option '--%s' does not apply here",
                             opt_names[ch]);
    a->seen |= B(ch);
    a->val[ch] = optarg ? optarg : "";
  }
  if (a->c.help) {
    usage(stdout);
    return -1;
  }
  a->nfiles = argc - optind;
  a->files = argv + optind;
  const char *p = a->val[O_PRODUCT], *n = a->val[O_NOTE], *r = a->val[O_REASON];
  if (p && strlen(p) > SGXRA_STORE_PRODUCT_MAX)
    return cli_usage_error(a->c.verb, "--product: %zu bytes, at most %d",
                           strlen(p), SGXRA_STORE_PRODUCT_MAX);
  if (n && strlen(n) > SGXRA_STORE_NOTE_MAX)
    return cli_usage_error(a->c.verb, "--note: %zu bytes, at most %d",
                           strlen(n), SGXRA_STORE_NOTE_MAX);
  if (r && strlen(r) > SGXRA_STORE_NOTE_MAX)
    return cli_usage_error(a->c.verb, "--reason: %zu bytes, at most %d",
                           strlen(r), SGXRA_STORE_NOTE_MAX);
  return 0;
}

static int u16_flag(reg_args *a, int o, uint16_t *out) {
  uint64_t v;
  char flag[32];
  snprintf(flag, sizeof flag, "--%s", opt_names[o]);
  int rc = cli_parse_uint(a->c.verb, flag, a->val[o], 0, 0xffff, &v);
  if (!rc) *out = (uint16_t)v;
  return rc;
}

static void set_meta(reg_args *a, sgxra_store_meta *m, sgxra_store_source s) {
  m->source = s;
  snprintf(m->product, sizeof m->product, "%s",
           a->val[O_PRODUCT] ? a->val[O_PRODUCT] : "");
  snprintf(m->note, sizeof m->note, "%s", a->val[O_NOTE] ? a->val[O_NOTE] : "");
}

/* Refuse a well-known public signing key unless allowed; returns 0 or 1. */
static int debug_signer_check(reg_args *a, const char *what,
                              const uint8_t mrsigner[SGXRA_HASH_SIZE]) {
  const char *name = NULL;
  if (!sgxra_mrsigner_is_debug_key(mrsigner, &name)) return 0;
  if (a->seen & B(O_ALLOW_DEBUG)) {
    cli_warn_debug_signer(a->c.verb, what, name);
    return 0;
  }
  fprintf(stderr,
          "sgxra %s: %s: refused: MRSIGNER is a well-known public key (%s): "
          "anyone can sign with it; add --allow-debug-signer only for a test "
          "registry\n",
          a->c.verb, what, name);
  return CLI_EXIT_REFUSED;
}

/* The identity a SIGSTRUCT p[0..n) states, verified as EINIT would. */
static int from_sigstruct(reg_args *a, sgxra_ctx *cx, const char *path,
                          const uint8_t *p, size_t n, cli_sigstruct *ss) {
  int rc = cli_sigstruct_load(a->c.verb, cx, path, p, n, 1, ss);
  if (rc) return rc;
  if (ss->verr != SGXRA_OK) {
    fprintf(stderr, "sgxra %s: %s: not registered: %s\n", a->c.verb, path,
            ss->why);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* A signed SDK enclave re-measured (sgxra/sdkenclave.h): every metadata
 * copy must measure to its SIGSTRUCT's ENCLAVEHASH, or the file is not the
 * enclave that was signed; returns 0 or 2 after the message. */
static int remeasure(reg_args *a, sgxra_ctx *cx, const char *path,
                     const uint8_t *p, size_t n) {
  sgxra_sdk_check ck;
  if (sgxra_sdk_check_file(cx, p, n, &ck) != SGXRA_OK)
    return cli_fail(a->c.verb, path, cx, CLI_EXIT_USAGE);
  if (ck.match) return 0;
  /* the copy shown: the selected one when it differs, else the first that
   * does */
  unsigned i = ck.selected;
  const uint8_t *mr = ck.measured, *sg = ck.signed_hash;
  if (ck.copies[i].match) {
    for (i = 0; i < ck.ncopies && ck.copies[i].match; i++)
      ;
    if (i < ck.ncopies) mr = ck.copies[i].mrenclave;
  }
  char mh[2 * SGXRA_HASH_SIZE + 1], sh[2 * SGXRA_HASH_SIZE + 1], which[64] = "";
  sgxra_hex_encode(mr, SGXRA_HASH_SIZE, mh);
  sgxra_hex_encode(sg, SGXRA_HASH_SIZE, sh);
  if (i != ck.selected && i < ck.ncopies)
    snprintf(which, sizeof which, " (metadata copy %" PRIu32 ".%" PRIu32 ")",
             ck.version_major[i], ck.version_minor[i]);
  fprintf(stderr,
          "sgxra %s: %s: content does not match its SIGSTRUCT%s: measured %s, "
          "signed %s; not registered\n",
          a->c.verb, path, which, mh, sh);
  return CLI_EXIT_USAGE;
}

/* A SIGSTRUCT, or the one inside a signed enclave, in FILE; a signed
 * enclave is re-measured first when `check` is set.  *out_found = 0 for an
 * ELF without .note.sgxmeta (the buffer is kept in *out_buf then). */
static int file_sigstruct(reg_args *a, sgxra_ctx *cx, const char *path,
                          int check, cli_sigstruct *ss, int *out_found,
                          uint8_t **out_buf, size_t *out_len,
                          sgxra_file_kind *out_kind) {
  uint8_t *buf = NULL;
  size_t len = 0;
  *out_found = 0;
  int rc =
      cli_read_file(a->c.verb, cx, path, SGXRA_LAYOUT_MAX_IMAGE, &buf, &len);
  if (rc) return rc;
  sgxra_file_kind kind;
  if (sgxra_file_detect_known(cx, buf, len, &kind) != SGXRA_OK) {
    free(buf);
    return cli_fail(a->c.verb, path, cx, CLI_EXIT_USAGE);
  }
  *out_kind = kind;
  if (kind == SGXRA_FILE_SIGSTRUCT) {
    rc = from_sigstruct(a, cx, path, buf, len, ss);
    *out_found = 1;
    free(buf);
    return rc;
  }
  if (kind == SGXRA_FILE_ELF) {
    sgxra_sgxmeta meta;
    sgxra_err e = sgxra_sgxmeta_from_elf(cx, buf, len, &meta);
    if (e == SGXRA_OK) {
      rc =
          from_sigstruct(a, cx, path, meta.sigstruct, SGXRA_SIGSTRUCT_SIZE, ss);
      if (!rc && check) rc = remeasure(a, cx, path, buf, len);
      *out_found = 1;
      free(buf);
      return rc;
    }
    if (e != SGXRA_E_ELF_NO_SGXMETA) {
      free(buf);
      return cli_fail(a->c.verb, path, cx, CLI_EXIT_USAGE);
    }
  }
  *out_buf = buf;
  *out_len = len;
  return 0;
}

/* MRENCLAVE of an unsigned enclave image, measured by sgxra. */
static int measure_file(reg_args *a, sgxra_ctx *cx, const char *path,
                        const uint8_t *p, size_t n, sgxra_file_kind kind,
                        uint8_t mr[SGXRA_HASH_SIZE]) {
  sgxra_err e;
  switch (kind) {
  case SGXRA_FILE_ELF:
    e = sgxra_layout_measure_elf(cx, p, n, mr);
    break;
  case SGXRA_FILE_SGXS:
    e = sgxra_measure_sgxs(cx, p, n, mr);
    break;
  case SGXRA_FILE_RAW_IMAGE:
    e = sgxra_measure_raw_image(cx, p, n, 1, SGXRA_SECINFO_REG_RWX, mr);
    break;
  default:
    return cli_usage_error(a->c.verb,
                           "%s is a %s: expected a SIGSTRUCT, a signed "
                           "enclave or an enclave image",
                           path, sgxra_file_kind_name(kind));
  }
  if (e != SGXRA_OK) return cli_fail(a->c.verb, path, cx, CLI_EXIT_USAGE);
  return 0;
}

static int print_entry(reg_args *a, int table, const void *entry) {
  cli_out o = {a->c.json ? json_object() : NULL, W};
  if (table == SGXRA_STORE_ENCLAVES)
    sp_put_enclave(&o, entry);
  else if (table == SGXRA_STORE_SIGNERS)
    sp_put_signer(&o, entry);
  else
    sp_put_deny(&o, entry);
  return cli_out_end(&o, CLI_EXIT_OK);
}

/* Open, run one write, read the entry back and print it. */
static int store_add(reg_args *a, sgxra_ctx *cx, int table, const void *in) {
  sgxra_store *st = NULL;
  int rc = sp_open(&a->c, cx, &st);
  if (rc) return rc;
  int64_t id = 0;
  sgxra_err e;
  union {
    sgxra_store_enclave e;
    sgxra_store_signer s;
    sgxra_store_deny d;
  } got;
  if (table == SGXRA_STORE_ENCLAVES)
    e = sgxra_store_enclave_add(cx, st, in, a->c.actor, a->c.now, &id);
  else if (table == SGXRA_STORE_SIGNERS)
    e = sgxra_store_signer_add(cx, st, in, a->c.actor, a->c.now, &id);
  else
    e = sgxra_store_deny_add(cx, st, in, a->c.actor, a->c.now, &id);
  if (!e) {
    if (table == SGXRA_STORE_ENCLAVES)
      e = sgxra_store_enclave_get(cx, st, id, &got.e);
    else if (table == SGXRA_STORE_SIGNERS)
      e = sgxra_store_signer_get(cx, st, id, &got.s);
    else
      e = sgxra_store_deny_get(cx, st, id, &got.d);
  }
  rc = e ? sp_store_fail(&a->c, cx, st) : print_entry(a, table, &got);
  sgxra_store_close(st);
  return rc;
}

static int cmd_add(reg_args *a, sgxra_ctx *cx) {
  sgxra_store_enclave e;
  memset(&e, 0, sizeof e);
  const char *what = "--mrenclave";
  if (a->nfiles > 1)
    return cli_usage_error(a->c.verb, "one FILE at a time (got '%s' too)",
                           a->files[1]);
  if (a->nfiles == 1 && a->val[O_MRENCLAVE])
    return cli_usage_error(a->c.verb, "give FILE or --mrenclave, not both");
  if (a->nfiles == 0 && !a->val[O_MRENCLAVE])
    return cli_usage_error(a->c.verb, "a FILE (SIGSTRUCT, signed enclave, "
                                      "enclave image) or --mrenclave HEX is "
                                      "required");
  int rc;
  sgxra_store_source source = SGXRA_STORE_SOURCE_HEX;
  uint8_t *img = NULL;
  size_t img_len = 0;
  sgxra_file_kind kind = SGXRA_FILE_UNKNOWN;
  if (a->nfiles == 1) {
    what = a->files[0];
    cli_sigstruct ss;
    int found;
    rc = file_sigstruct(a, cx, what, 1, &ss, &found, &img, &img_len, &kind);
    if (rc) return rc;
    if (found) {
      unsigned given = a->seen & (B(O_MRSIGNER) | B(O_ISVPRODID) | B(O_ISVSVN) |
                                  B(O_ATTRIBUTES));
      if (given)
        return cli_usage_error(a->c.verb,
                               "%s carries a SIGSTRUCT: MRSIGNER, ISVPRODID, "
                               "ISVSVN and ATTRIBUTES come from it, not from "
                               "options",
                               what);
      source = SGXRA_STORE_SOURCE_SIGSTRUCT;
      memcpy(e.mrenclave, ss.s.enclavehash, SGXRA_HASH_SIZE);
      memcpy(e.mrsigner, ss.mrsigner, SGXRA_HASH_SIZE);
      e.isvprodid = ss.s.isvprodid;
      e.isvsvn = ss.s.isvsvn;
      e.attributes = ss.s.attributes;
    } else {
      source = SGXRA_STORE_SOURCE_ENCLAVE;
      rc = measure_file(a, cx, what, img, img_len, kind, e.mrenclave);
      free(img);
      if (rc) return rc;
    }
  } else {
    rc = sp_parse_hex(a->c.verb, "--mrenclave", a->val[O_MRENCLAVE],
                      e.mrenclave, SGXRA_HASH_SIZE);
    if (rc) return rc;
  }
  if (source != SGXRA_STORE_SOURCE_SIGSTRUCT) {
    const char *from = source == SGXRA_STORE_SOURCE_HEX
                           ? "with --mrenclave"
                           : "for a measured enclave image";
    if (!a->val[O_MRSIGNER] || !a->val[O_ISVPRODID] || !a->val[O_ISVSVN])
      return cli_usage_error(a->c.verb,
                             "--mrsigner, --isvprodid and --isvsvn are "
                             "required %s",
                             from);
    if ((rc = sp_parse_hex(a->c.verb, "--mrsigner", a->val[O_MRSIGNER],
                           e.mrsigner, SGXRA_HASH_SIZE)) ||
        (rc = u16_flag(a, O_ISVPRODID, &e.isvprodid)) ||
        (rc = u16_flag(a, O_ISVSVN, &e.isvsvn)))
      return rc;
    e.attributes.flags = SGXRA_ATTR_MODE64BIT;
    e.attributes.xfrm = 0x3;
    if (a->val[O_ATTRIBUTES] &&
        (rc = sp_parse_attributes(a->c.verb, "--attributes",
                                  a->val[O_ATTRIBUTES], &e.attributes)))
      return rc;
  }
  if ((rc = debug_signer_check(a, what, e.mrsigner))) return rc;
  e.allow_debug_signer = (a->seen & B(O_ALLOW_DEBUG)) != 0;
  set_meta(a, &e.meta, source);
  return store_add(a, cx, SGXRA_STORE_ENCLAVES, &e);
}

static int cmd_trust_signer(reg_args *a, sgxra_ctx *cx) {
  sgxra_store_signer s;
  memset(&s, 0, sizeof s);
  const char *what = "--mrsigner";
  int rc, have_prodid = 0, have_min = 0;
  if (a->nfiles > 1)
    return cli_usage_error(a->c.verb, "one FILE at a time (got '%s' too)",
                           a->files[1]);
  if ((a->nfiles == 1) == (a->val[O_MRSIGNER] != NULL))
    return cli_usage_error(a->c.verb,
                           "give exactly one of --mrsigner HEX and FILE "
                           "(a SIGSTRUCT or signed enclave)");
  if (a->nfiles == 1) {
    what = a->files[0];
    cli_sigstruct ss;
    int found;
    uint8_t *img = NULL;
    size_t img_len = 0;
    sgxra_file_kind kind;
    rc = file_sigstruct(a, cx, what, 0, &ss, &found, &img, &img_len, &kind);
    if (rc) return rc;
    free(img);
    if (!found)
      return cli_usage_error(a->c.verb,
                             "%s carries no SIGSTRUCT (an unsigned image "
                             "names no signer): give --mrsigner HEX",
                             what);
    memcpy(s.mrsigner, ss.mrsigner, SGXRA_HASH_SIZE);
    s.isvprodid = ss.s.isvprodid;
    s.min_isvsvn = ss.s.isvsvn;
    have_prodid = have_min = 1;
  } else if ((rc = sp_parse_hex(a->c.verb, "--mrsigner", a->val[O_MRSIGNER],
                                s.mrsigner, SGXRA_HASH_SIZE))) {
    return rc;
  }
  if (a->val[O_ISVPRODID]) {
    if ((rc = u16_flag(a, O_ISVPRODID, &s.isvprodid))) return rc;
    have_prodid = 1;
  }
  if (a->val[O_MIN_ISVSVN]) {
    if ((rc = u16_flag(a, O_MIN_ISVSVN, &s.min_isvsvn))) return rc;
    have_min = 1;
  }
  if (!have_prodid || !have_min)
    return cli_usage_error(a->c.verb, "--isvprodid N and --min-isvsvn N are "
                                      "required with --mrsigner");
  if ((rc = debug_signer_check(a, what, s.mrsigner))) return rc;
  s.allow_debug_signer = (a->seen & B(O_ALLOW_DEBUG)) != 0;
  set_meta(a, &s.meta,
           a->nfiles ? SGXRA_STORE_SOURCE_SIGSTRUCT : SGXRA_STORE_SOURCE_HEX);
  return store_add(a, cx, SGXRA_STORE_SIGNERS, &s);
}

static int cmd_deny(reg_args *a, sgxra_ctx *cx) {
  sgxra_store_deny d;
  memset(&d, 0, sizeof d);
  if (a->nfiles)
    return cli_usage_error(a->c.verb, "unexpected argument '%s'", a->files[0]);
  if (!a->val[O_MRENCLAVE] || !a->val[O_REASON] || !*a->val[O_REASON])
    return cli_usage_error(a->c.verb,
                           "--mrenclave HEX and --reason TEXT are required");
  int rc = sp_parse_hex(a->c.verb, "--mrenclave", a->val[O_MRENCLAVE],
                        d.mrenclave, SGXRA_HASH_SIZE);
  if (rc) return rc;
  snprintf(d.reason, sizeof d.reason, "%s", a->val[O_REASON]);
  set_meta(a, &d.meta, SGXRA_STORE_SOURCE_HEX);
  return store_add(a, cx, SGXRA_STORE_DENIED, &d);
}

/* TABLE ID operands of revoke and show. */
static int table_id(reg_args *a, int *out_table, int64_t *out_id) {
  if (a->nfiles != 2)
    return cli_usage_error(a->c.verb, "expected enclave|signer|deny and an ID");
  const char *t = a->files[0];
  if (!strcmp(t, "enclave"))
    *out_table = SGXRA_STORE_ENCLAVES;
  else if (!strcmp(t, "signer"))
    *out_table = SGXRA_STORE_SIGNERS;
  else if (!strcmp(t, "deny"))
    *out_table = SGXRA_STORE_DENIED;
  else
    return cli_usage_error(a->c.verb,
                           "'%s' is not one of enclave, signer, "
                           "deny",
                           t);
  uint64_t v;
  int rc = cli_parse_uint(a->c.verb, "ID", a->files[1], 1, INT64_MAX, &v);
  if (!rc) *out_id = (int64_t)v;
  return rc;
}

static int show_one(reg_args *a, sgxra_ctx *cx, sgxra_store *st, int table,
                    int64_t id) {
  union {
    sgxra_store_enclave e;
    sgxra_store_signer s;
    sgxra_store_deny d;
  } got;
  sgxra_err e;
  if (table == SGXRA_STORE_ENCLAVES)
    e = sgxra_store_enclave_get(cx, st, id, &got.e);
  else if (table == SGXRA_STORE_SIGNERS)
    e = sgxra_store_signer_get(cx, st, id, &got.s);
  else
    e = sgxra_store_deny_get(cx, st, id, &got.d);
  return e ? sp_store_fail(&a->c, cx, st) : print_entry(a, table, &got);
}

static int cmd_revoke_show(reg_args *a, sgxra_ctx *cx, int revoke) {
  int table = 0;
  int64_t id = 0;
  int rc = table_id(a, &table, &id);
  if (rc) return rc;
  sgxra_store *st = NULL;
  if ((rc = sp_open(&a->c, cx, &st))) return rc;
  if (revoke && sgxra_store_revoke(cx, st, (sgxra_store_table)table, id,
                                   a->c.actor, a->c.now) != SGXRA_OK)
    rc = sp_store_fail(&a->c, cx, st);
  else
    rc = show_one(a, cx, st, table, id);
  sgxra_store_close(st);
  return rc;
}

/* One human line per entry of `list`. */
static void line_meta(const sgxra_store_meta *m) {
  printf(" source=%s", sgxra_store_source_name(m->source));
  if (m->product[0]) printf(" product=%s", m->product);
  printf(" added_by=%s", m->added_by);
  if (m->revoked) printf(" REVOKED by %s", m->revoked_by);
  printf("\n");
}

static void hex_short(const char *label, const uint8_t *p) {
  char h[2 * SGXRA_HASH_SIZE + 1];
  for (size_t i = 0; i < SGXRA_HASH_SIZE; i++)
    snprintf(h + 2 * i, 3, "%02x", p[i]);
  printf(" %s=%s", label, h);
}

static int cmd_list(reg_args *a, sgxra_ctx *cx) {
  if (a->nfiles)
    return cli_usage_error(a->c.verb, "unexpected argument '%s'", a->files[0]);
  sgxra_store *st = NULL;
  int rc = sp_open(&a->c, cx, &st);
  if (rc) return rc;
  int all = (a->seen & B(O_ALL)) != 0;
  json_t *root = a->c.json ? json_object() : NULL;
  static const char *const keys[] = {"", "enclaves", "signers", "denied"};
  for (int t = SGXRA_STORE_ENCLAVES; t <= SGXRA_STORE_DENIED && !rc; t++) {
    json_t *arr = root ? json_array() : NULL;
    int64_t after = 0;
    size_t total = 0;
    if (!root) printf("%s:\n", keys[t]);
    for (;;) {
      void *list = NULL;
      size_t n = 0;
      sgxra_err e;
      if (t == SGXRA_STORE_ENCLAVES)
        e = sgxra_store_enclave_list(cx, st, after, SGXRA_STORE_LIST_MAX, all,
                                     (sgxra_store_enclave **)&list, &n);
      else if (t == SGXRA_STORE_SIGNERS)
        e = sgxra_store_signer_list(cx, st, after, SGXRA_STORE_LIST_MAX, all,
                                    (sgxra_store_signer **)&list, &n);
      else
        e = sgxra_store_deny_list(cx, st, after, SGXRA_STORE_LIST_MAX, all,
                                  (sgxra_store_deny **)&list, &n);
      if (e) {
        rc = sp_store_fail(&a->c, cx, st);
        break;
      }
      for (size_t i = 0; i < n; i++) {
        cli_out o = {root ? json_object() : NULL, W};
        if (t == SGXRA_STORE_ENCLAVES) {
          const sgxra_store_enclave *x = (sgxra_store_enclave *)list + i;
          after = x->meta.id;
          if (root) {
            sp_put_enclave(&o, x);
          } else {
            printf("  enclave %" PRId64, x->meta.id);
            hex_short("mrenclave", x->mrenclave);
            hex_short("mrsigner", x->mrsigner);
            printf(" isvprodid=%u isvsvn=%u", x->isvprodid, x->isvsvn);
            line_meta(&x->meta);
          }
        } else if (t == SGXRA_STORE_SIGNERS) {
          const sgxra_store_signer *x = (sgxra_store_signer *)list + i;
          after = x->meta.id;
          if (root) {
            sp_put_signer(&o, x);
          } else {
            printf("  signer %" PRId64, x->meta.id);
            hex_short("mrsigner", x->mrsigner);
            printf(" isvprodid=%u min_isvsvn=%u", x->isvprodid, x->min_isvsvn);
            line_meta(&x->meta);
          }
        } else {
          const sgxra_store_deny *x = (sgxra_store_deny *)list + i;
          after = x->meta.id;
          if (root) {
            sp_put_deny(&o, x);
          } else {
            printf("  deny %" PRId64, x->meta.id);
            hex_short("mrenclave", x->mrenclave);
            printf(" reason=\"%s\"", x->reason);
            line_meta(&x->meta);
          }
        }
        if (arr) json_array_append_new(arr, o.json);
      }
      sgxra_store_free(list);
      total += n;
      if (n < SGXRA_STORE_LIST_MAX) break;
    }
    if (!root && !total && !rc) printf("  (none)\n");
    if (root) json_object_set_new(root, keys[t], arr);
  }
  sgxra_store_close(st);
  if (root) {
    if (rc)
      json_decref(root);
    else
      cli_json_print(root);
  }
  return rc;
}

/* ---- admin tokens ----------------------------------------------------------
 */

#define TOKEN_PREFIX "sgxra_"
#define TOKEN_BYTES 32

static void put_token(cli_out *o, const sgxra_store_token *t) {
  cli_put_str(o, "kind", "token");
  cli_put_num(o, "id", (uint64_t)t->id);
  cli_put_str(o, "name", t->name);
  cli_put_str(o, "created_by", t->created_by);
  sp_put_time(o, "created_at", t->created_at);
  cli_put_bool(o, "revoked", t->revoked);
  if (t->revoked) {
    cli_put_str(o, "revoked_by", t->revoked_by);
    sp_put_time(o, "revoked_at", t->revoked_at);
  }
}

static int cmd_token(reg_args *a, sgxra_ctx *cx) {
  const char *what = a->nfiles ? a->files[0] : "";
  int add = !strcmp(what, "add"), list = !strcmp(what, "list"),
      revoke = !strcmp(what, "revoke");
  if (!add && !list && !revoke)
    return cli_usage_error(a->c.verb, "expected token add NAME, token list "
                                      "or token revoke NAME");
  if (list && a->nfiles != 1)
    return cli_usage_error(a->c.verb, "unexpected argument '%s'", a->files[1]);
  if (!list && a->nfiles != 2)
    return cli_usage_error(a->c.verb, "token %s takes one NAME", what);
  if (!list && (a->seen & B(O_ALL)))
    return cli_usage_error(a->c.verb, "--all goes with token list");
  const char *name = list ? NULL : a->files[1];
  sgxra_store *st = NULL;
  int rc = sp_open(&a->c, cx, &st);
  if (rc) return rc;
  if (add) {
    uint8_t raw[TOKEN_BYTES], h[SGXRA_SHA256_SIZE];
    char tok[sizeof TOKEN_PREFIX + 48];
    memcpy(tok, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
    int64_t id = 0;
    sgxra_store_token t;
    memset(&t, 0, sizeof t);
    if (sgxra_random(cx, raw, sizeof raw) ||
        sgxra_base64_encode_text(cx, raw, sizeof raw,
                                 SGXRA_BASE64_URL | SGXRA_BASE64_NO_PAD,
                                 tok + sizeof TOKEN_PREFIX - 1,
                                 sizeof tok - (sizeof TOKEN_PREFIX - 1)) ||
        sgxra_sha256(cx, tok, strlen(tok), h)) {
      rc = cli_fail(a->c.verb, NULL, cx, CLI_EXIT_USAGE);
    } else if (sgxra_store_token_add(cx, st, name, h, a->c.actor, a->c.now,
                                     &id)) {
      rc = sp_store_fail(&a->c, cx, st);
    } else {
      cli_out o = {a->c.json ? json_object() : NULL, W};
      snprintf(t.name, sizeof t.name, "%s", name);
      t.id = id;
      snprintf(t.created_by, sizeof t.created_by, "%s", a->c.actor);
      t.created_at = a->c.now;
      put_token(&o, &t);
      cli_put_str(&o, "token", tok);
      if (!o.json)
        fprintf(stderr,
                "sgxra %s: the token is shown once; the registry keeps only "
                "its SHA-256.  Use it as 'Authorization: Bearer <token>'.\n",
                a->c.verb);
      rc = cli_out_end(&o, CLI_EXIT_OK);
    }
    sgxra_wipe(raw, sizeof raw);
    sgxra_wipe(tok, sizeof tok);
  } else if (revoke) {
    if (sgxra_store_token_revoke(cx, st, name, a->c.actor, a->c.now))
      rc = sp_store_fail(&a->c, cx, st);
    else if (a->c.json)
      cli_json_print(json_pack("{s:s, s:s, s:b}", "kind", "token", "name", name,
                               "revoked", 1));
    else
      printf("token %s revoked\n", name);
  } else {
    sgxra_store_token *l = NULL;
    size_t n = 0;
    if (sgxra_store_token_list(cx, st, (a->seen & B(O_ALL)) != 0, &l, &n)) {
      rc = sp_store_fail(&a->c, cx, st);
    } else {
      json_t *arr = a->c.json ? json_array() : NULL;
      for (size_t i = 0; i < n; i++) {
        if (arr) {
          cli_out o = {json_object(), W};
          put_token(&o, &l[i]);
          json_array_append_new(arr, o.json);
        } else {
          char at[SGXRA_TIME_TEXT_SIZE];
          sgxra_time_format(l[i].created_at, at);
          printf("  token %" PRId64
                 " name=%s created_by=%s created_at=%s%s%s\n",
                 l[i].id, l[i].name, l[i].created_by, at,
                 l[i].revoked ? " REVOKED by " : "",
                 l[i].revoked ? l[i].revoked_by : "");
        }
      }
      if (arr)
        cli_json_print(json_pack("{s:o}", "tokens", arr));
      else if (!n)
        printf("  (none)\n");
      sgxra_store_free(l);
    }
  }
  sgxra_store_close(st);
  return rc;
}

int cli_cmd_registry(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  static const unsigned common = B(O_PRODUCT) | B(O_NOTE);
  static const struct {
    const char *name, *verb;
    unsigned allowed;
    int which;
  } subs[] = {
      {"add", "registry add",
       common | B(O_MRENCLAVE) | B(O_MRSIGNER) | B(O_ISVPRODID) | B(O_ISVSVN) |
           B(O_ATTRIBUTES) | B(O_ALLOW_DEBUG),
       0},
      {"trust-signer", "registry trust-signer",
       common | B(O_MRSIGNER) | B(O_ISVPRODID) | B(O_MIN_ISVSVN) |
           B(O_ALLOW_DEBUG),
       1},
      {"deny", "registry deny", common | B(O_MRENCLAVE) | B(O_REASON), 2},
      {"revoke", "registry revoke", 0, 3},
      {"list", "registry list", B(O_ALL), 4},
      {"show", "registry show", 0, 5},
      {"token", "registry token", B(O_ALL), 6},
  };
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    if (strcmp(sub, subs[i].name)) continue;
    reg_args a;
    memset(&a, 0, sizeof a);
    a.c.verb = subs[i].verb;
    int rc = parse_args(argc - 1, argv + 1, &a, subs[i].allowed);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    sgxra_ctx *cx = cli_ctx_new(a.c.verb);
    if (!cx) return CLI_EXIT_USAGE;
    rc = sp_begin(&a.c, cx);
    if (!rc) {
      switch (subs[i].which) {
      case 0:
        rc = cmd_add(&a, cx);
        break;
      case 1:
        rc = cmd_trust_signer(&a, cx);
        break;
      case 2:
        rc = cmd_deny(&a, cx);
        break;
      case 3:
        rc = cmd_revoke_show(&a, cx, 1);
        break;
      case 4:
        rc = cmd_list(&a, cx);
        break;
      case 6:
        rc = cmd_token(&a, cx);
        break;
      default:
        rc = cmd_revoke_show(&a, cx, 0);
        break;
      }
    }
    sgxra_ctx_free(cx);
    return rc;
  }
  return cli_usage_error("registry",
                         "unknown sub-command '%s' (add, trust-signer, deny, "
                         "revoke, list, show, token)",
                         sub);
}
