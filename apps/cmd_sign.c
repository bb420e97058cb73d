/* sgxra sign: make the SIGSTRUCT of an enclave (see docs/ISV.md).
 *
 *   sgxra sign --key KEY (--enclavehash HEX | IMAGE) [fields] -o OUT
 *
 * The ENCLAVEHASH comes from --enclavehash or from IMAGE: an SGXS stream or a
 * raw page image (selftest convention) is measured; an SDK-signed enclave
 * .so or an existing SIGSTRUCT gives the ENCLAVEHASH already in it (for
 * re-signing).  Defaults make a production SIGSTRUCT (DEBUG enforced to 0);
 * --debug is needed to sign one that a debug enclave can launch with. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sgxra/crypto.h"
#include "sgxra/enclavefile.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/sigstruct.h"

#define VERB "sign"
#define IMAGE_CAP ((size_t)1 << 31)
#define KEY_CAP ((size_t)1 << 20)

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra sign --key KEY (--enclavehash HEX | IMAGE) [options] -o "
      "OUT\n"
      "\n"
      "Write the 1808-byte SIGSTRUCT of an enclave, signed with KEY "
      "(RSA-3072,\n"
      "public exponent 3; PEM or DER, PKCS#1 or PKCS#8).\n"
      "\n"
      "  -k, --key FILE            signing key (required)\n"
      "  -e, --enclavehash HEX     MRENCLAVE to sign (64 hex digits), or give\n"
      "                            IMAGE: an SGXS stream or raw page image is\n"
      "                            measured (an unsigned enclave .so with\n"
      "                            sgxra's layout, as 'sgxra measure'); a "
      "signed\n"
      "                            .so or a SIGSTRUCT gives its ENCLAVEHASH\n"
      "      --ssaframesize N      SSAFRAMESIZE for a raw image or unsigned "
      ".so,\n"
      "                            1..255 (default 1)\n"
      "      --vendor N            0 (default) or 0x8086 (Intel)\n"
      "      --date YYYYMMDD       stored as BCD 0xYYYYMMDD (default 0, "
      "keeping\n"
      "                            signatures reproducible)\n"
      "      --attributes N        ATTRIBUTES.FLAGS (default 0x4 MODE64BIT)\n"
      "      --attributes-mask N   ATTRIBUTEMASK.FLAGS (default "
      "0xffffffffffffffff)\n"
      "      --xfrm N              ATTRIBUTES.XFRM (default 0x3)\n"
      "      --xfrm-mask N         ATTRIBUTEMASK.XFRM (default "
      "0xffffffffffffff1b)\n"
      "      --miscselect N        MISCSELECT (default 0)\n"
      "      --miscmask N          MISCMASK (default 0xffffffff)\n"
      "      --isvprodid N         ISVPRODID, 0..65535 (default 0)\n"
      "      --isvsvn N            ISVSVN, 0..65535 (default 0)\n"
      "      --swdefined N         SWDEFINED (default 0)\n"
      "      --isvfamilyid HEX     ISVFAMILYID, 16 bytes (KSS; default 0)\n"
      "      --isvextprodid HEX    ISVEXTPRODID, 16 bytes (KSS; default 0)\n"
      "      --debug               allow DEBUG: ATTRIBUTES with DEBUG set, or "
      "a\n"
      "                            mask leaving DEBUG free (development only)\n"
      "  -o, --out FILE            where to write the SIGSTRUCT (required)\n"
      "      --json                print the result as JSON\n"
      "  -h, --help                this help\n"
      "\n"
      "Numbers are decimal or 0x-prefixed hex (0x8086; 010 is decimal ten).\n"
      "Prints MRENCLAVE and MRSIGNER.\n"
      "Exit status: 0 written, 2 usage error or unusable input or key.\n");
}

/* "20240304" -> 0x20240304, checking it is a plausible date. */
static int parse_date(const char *s, uint32_t *out) {
  if (strlen(s) != 8) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 8; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = (v << 4) | (uint32_t)(s[i] - '0');
  }
  int month = (s[4] - '0') * 10 + (s[5] - '0');
  int day = (s[6] - '0') * 10 + (s[7] - '0');
  if (v != 0 && (month < 1 || month > 12 || day < 1 || day > 31)) return 0;
  *out = v;
  return 1;
}

/* The ENCLAVEHASH of IMAGE; returns 0 or the exit status.  ssa_given:
 * --ssaframesize was on the command line, which only an image sgxra lays out
 * itself (raw, unsigned .so) can use. */
static int hash_of_image(sgxra_ctx *cx, const char *path, uint32_t ssaframes,
                         int ssa_given, uint8_t out[SGXRA_HASH_SIZE]) {
  uint8_t *buf = NULL;
  size_t n = 0;
  int rc = cli_read_file(VERB, cx, path, IMAGE_CAP, &buf, &n);
  if (rc) return rc;
  sgxra_err e = SGXRA_OK;
  sgxra_file_kind kind = sgxra_file_detect(buf, n);
  if (ssa_given) {
    const char *fixed = kind == SGXRA_FILE_SGXS        ? "an SGXS stream"
                        : kind == SGXRA_FILE_SIGSTRUCT ? "a SIGSTRUCT"
                                                       : NULL;
    sgxra_sgxmeta meta;
    if (kind == SGXRA_FILE_ELF &&
        sgxra_sgxmeta_from_elf(NULL, buf, n, &meta) == SGXRA_OK)
      fixed = "a signed enclave";
    if (fixed) {
      free(buf);
      return cli_usage_error(VERB,
                             "%s is %s: it fixes MRENCLAVE itself, "
                             "--ssaframesize does not apply",
                             path, fixed);
    }
  }
  switch (kind) {
  case SGXRA_FILE_SGXS:
    e = sgxra_measure_sgxs(cx, buf, n, out);
    break;
  case SGXRA_FILE_RAW_IMAGE:
    e = sgxra_measure_raw_image(cx, buf, n, ssaframes, SGXRA_SECINFO_REG_RWX,
                                out);
    break;
  case SGXRA_FILE_ELF: {
    sgxra_sgxmeta meta;
    sgxra_sigstruct s;
    e = sgxra_sgxmeta_from_elf(cx, buf, n, &meta);
    if (e == SGXRA_E_ELF_NO_SGXMETA) {
      /* Unsigned: measure it with sgxra's enclave layout (the loader of
       * the emulated platform), as `sgxra measure` does. */
      sgxra_layout_params prm;
      sgxra_layout_params_default(&prm);
      prm.ssaframesize = ssaframes;
      sgxra_ctx_clear(cx);
      e = sgxra_layout_measure_elf_ex(cx, buf, n, &prm, NULL, out);
      break;
    }
    if (!e)
      e = sgxra_sigstruct_decode(cx, meta.sigstruct, SGXRA_SIGSTRUCT_SIZE, &s);
    if (!e) {
      memcpy(out, s.enclavehash, SGXRA_HASH_SIZE);
      fprintf(stderr,
              "sgxra sign: %s: using the ENCLAVEHASH of the SIGSTRUCT "
              "already in the enclave file (only the ENCLAVEHASH: every "
              "other field comes from the options or their defaults)\n",
              path);
    }
    break;
  }
  case SGXRA_FILE_SIGSTRUCT: {
    sgxra_sigstruct s;
    e = sgxra_sigstruct_decode(cx, buf, n, &s);
    if (!e) {
      memcpy(out, s.enclavehash, SGXRA_HASH_SIZE);
      fprintf(stderr,
              "sgxra sign: %s: re-signing the ENCLAVEHASH of this "
              "SIGSTRUCT (only the ENCLAVEHASH: every other field comes "
              "from the options or their defaults)\n",
              path);
    }
    break;
  }
  case SGXRA_FILE_REPORT:
  case SGXRA_FILE_QUOTE:
    /* a known kind, but nothing to sign */
    free(buf);
    return cli_usage_error(VERB,
                           "%s is a %s, not an enclave image: give an SGXS "
                           "stream, a raw page image, an enclave .so or a "
                           "SIGSTRUCT, or --enclavehash",
                           path, sgxra_file_kind_name(kind));
  default:
    /* the library's own verdict on the file, and its code */
    e = sgxra_file_detect_known(cx, buf, n, &kind);
    free(buf);
    fprintf(stderr,
            "sgxra sign: %s: not an enclave image: %s [%s]\n"
            "give an SGXS stream, a raw page image, an enclave .so or a "
            "SIGSTRUCT, or --enclavehash\n",
            path, sgxra_ctx_message(cx), sgxra_err_name(e));
    return CLI_EXIT_USAGE;
  }
  free(buf);
  if (e) return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  return 0;
}

enum {
  OPT_VENDOR = 256,
  OPT_DATE,
  OPT_ATTR,
  OPT_ATTR_MASK,
  OPT_XFRM,
  OPT_XFRM_MASK,
  OPT_MISCSELECT,
  OPT_MISCMASK,
  OPT_ISVPRODID,
  OPT_ISVSVN,
  OPT_SWDEFINED,
  OPT_DEBUG,
  OPT_SSAFRAMESIZE,
  OPT_JSON,
  OPT_FAMILYID,
  OPT_EXTPRODID,
};

int cli_cmd_sign(int argc, char **argv) {
  static const struct option opts[] = {
      {"key", required_argument, NULL, 'k'},
      {"enclavehash", required_argument, NULL, 'e'},
      {"out", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {"vendor", required_argument, NULL, OPT_VENDOR},
      {"date", required_argument, NULL, OPT_DATE},
      {"attributes", required_argument, NULL, OPT_ATTR},
      {"attributes-mask", required_argument, NULL, OPT_ATTR_MASK},
      {"xfrm", required_argument, NULL, OPT_XFRM},
      {"xfrm-mask", required_argument, NULL, OPT_XFRM_MASK},
      {"miscselect", required_argument, NULL, OPT_MISCSELECT},
      {"miscmask", required_argument, NULL, OPT_MISCMASK},
      {"isvprodid", required_argument, NULL, OPT_ISVPRODID},
      {"isvsvn", required_argument, NULL, OPT_ISVSVN},
      {"swdefined", required_argument, NULL, OPT_SWDEFINED},
      {"debug", no_argument, NULL, OPT_DEBUG},
      {"ssaframesize", required_argument, NULL, OPT_SSAFRAMESIZE},
      {"json", no_argument, NULL, OPT_JSON},
      {"isvfamilyid", required_argument, NULL, OPT_FAMILYID},
      {"isvextprodid", required_argument, NULL, OPT_EXTPRODID},
      {NULL, 0, NULL, 0},
  };
  const char *key_path = NULL, *hash_hex = NULL, *out_path = NULL;
  int json = 0, ssa_given = 0;
  uint64_t v = 0, ssaframes = 1;
  sgxra_sigstruct_params p;
  sgxra_sigstruct_params_default(&p);

  optind = 1;
  opterr = 0;
  int c, li = -1, rc;
  while ((c = getopt_long(argc, argv, ":k:e:o:h", opts, &li)) != -1) {
    const char *name = li >= 0 ? opts[li].name : "?";
    char flag[32];
    snprintf(flag, sizeof flag, "--%s", name);
    li = -1;
    switch (c) {
    case 'k':
      key_path = optarg;
      break;
    case 'e':
      hash_hex = optarg;
      break;
    case 'o':
      out_path = optarg;
      break;
    case 'h':
      usage(stdout);
      return CLI_EXIT_OK;
    case OPT_JSON:
      json = 1;
      break;
    case OPT_DEBUG:
      p.allow_debug = 1;
      break;
    case OPT_DATE:
      if (!parse_date(optarg, &p.date))
        return cli_usage_error(
            VERB, "--date '%s': expected YYYYMMDD, e.g. 20240304", optarg);
      break;
    case OPT_VENDOR:
      if (!strcmp(optarg, "intel")) {
        p.vendor = SGXRA_SIGSTRUCT_VENDOR_INTEL;
        break;
      }
      if ((rc = cli_parse_uint(VERB, flag, optarg, 0, UINT32_MAX, &v)))
        return rc;
      if (v != 0 && v != SGXRA_SIGSTRUCT_VENDOR_INTEL)
        return cli_usage_error(
            VERB, "--vendor '%s': must be 0 or 0x8086 (Intel)", optarg);
      p.vendor = (uint32_t)v;
      break;
    case OPT_ATTR:
    case OPT_ATTR_MASK:
    case OPT_XFRM:
    case OPT_XFRM_MASK:
      if ((rc = cli_parse_uint(VERB, flag, optarg, 0, UINT64_MAX, &v)))
        return rc;
      if (c == OPT_ATTR) p.attributes.flags = v;
      if (c == OPT_ATTR_MASK) p.attributemask.flags = v;
      if (c == OPT_XFRM) p.attributes.xfrm = v;
      if (c == OPT_XFRM_MASK) p.attributemask.xfrm = v;
      break;
    case OPT_MISCSELECT:
    case OPT_MISCMASK:
    case OPT_SWDEFINED:
      if ((rc = cli_parse_uint(VERB, flag, optarg, 0, UINT32_MAX, &v)))
        return rc;
      if (c == OPT_MISCSELECT) p.miscselect = (uint32_t)v;
      if (c == OPT_MISCMASK) p.miscmask = (uint32_t)v;
      if (c == OPT_SWDEFINED) p.swdefined = (uint32_t)v;
      break;
    case OPT_ISVPRODID:
    case OPT_ISVSVN:
      if ((rc = cli_parse_uint(VERB, flag, optarg, 0, UINT16_MAX, &v)))
        return rc;
      if (c == OPT_ISVPRODID) p.isvprodid = (uint16_t)v;
      if (c == OPT_ISVSVN) p.isvsvn = (uint16_t)v;
      break;
    case OPT_SSAFRAMESIZE:
      /* the same range as `sgxra measure --ssaframesize` */
      if ((rc = cli_parse_uint(VERB, flag, optarg, 1, 255, &ssaframes)))
        return rc;
      ssa_given = 1;
      break;
    case OPT_FAMILYID:
    case OPT_EXTPRODID:
      if (sgxra_hex_decode(NULL, optarg, strlen(optarg),
                           c == OPT_FAMILYID ? p.isvfamilyid : p.isvextprodid,
                           16) != SGXRA_OK)
        return cli_usage_error(VERB, "--%s '%s': expected 32 hex digits", name,
                               optarg);
      break;
    default:
      return cli_option_error(VERB, c, argv);
    }
  }
  const char *image = NULL;
  if (optind < argc) image = argv[optind++];
  if (optind < argc)
    return cli_usage_error(VERB, "unexpected argument '%s'", argv[optind]);
  if (!key_path) return cli_usage_error(VERB, "--key KEY is required");
  if (!out_path) return cli_usage_error(VERB, "-o/--out FILE is required");
  if (!hash_hex == !image)
    return cli_usage_error(VERB,
                           "give either --enclavehash HEX or an IMAGE file "
                           "(exactly one)");
  if (hash_hex && ssa_given)
    return cli_usage_error(VERB, "--ssaframesize applies to a measured IMAGE, "
                                 "not to --enclavehash");

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  rc = CLI_EXIT_USAGE;
  uint8_t *key_buf = NULL;
  size_t key_len = 0;
  sgxra_rsa_key *key = NULL;
  sgxra_sigstruct s;

  if (hash_hex) {
    if (sgxra_hex_decode(cx, hash_hex, strlen(hash_hex), p.enclavehash,
                         SGXRA_HASH_SIZE) != SGXRA_OK) {
      rc = cli_fail(VERB, "--enclavehash", cx, CLI_EXIT_USAGE);
      goto done;
    }
  } else {
    rc =
        hash_of_image(cx, image, (uint32_t)ssaframes, ssa_given, p.enclavehash);
    if (rc) goto done;
    rc = CLI_EXIT_USAGE;
  }

  if ((rc = cli_read_file(VERB, cx, key_path, KEY_CAP, &key_buf, &key_len)))
    goto done;
  rc = CLI_EXIT_USAGE;
  if (sgxra_rsa_load_private(cx, key_buf, key_len, &key) != SGXRA_OK) {
    fprintf(stderr,
            "sgxra sign: %s: %s [%s]\nan SGX signing key is RSA-3072 with "
            "public exponent 3, e.g. 'openssl genrsa -3 -out key.pem 3072'\n",
            key_path, sgxra_ctx_message(cx),
            sgxra_err_name(sgxra_ctx_error(cx)));
    goto done;
  }
  if (sgxra_sigstruct_sign(cx, key, &p, &s) != SGXRA_OK) {
    rc = cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE);
    goto done;
  }
  /* Check our own output as EINIT would before handing it out. */
  if (sgxra_sigstruct_verify(cx, &s) != SGXRA_OK) {
    rc = cli_fail(VERB, "self-check of the new SIGSTRUCT", cx, CLI_EXIT_USAGE);
    goto done;
  }
  uint8_t raw[SGXRA_SIGSTRUCT_SIZE], mrsigner[SGXRA_HASH_SIZE];
  sgxra_sigstruct_encode(&s, raw);
  if (sgxra_sigstruct_mrsigner(cx, &s, mrsigner) != SGXRA_OK ||
      sgxra_file_write(cx, out_path, raw, sizeof raw, 0) != SGXRA_OK) {
    rc = cli_fail(VERB, out_path, cx, CLI_EXIT_USAGE);
    goto done;
  }
  const char *dbg = NULL;
  if (sgxra_mrsigner_is_debug_key(mrsigner, &dbg))
    cli_warn_debug_signer(VERB, key_path, dbg);
  if (json) {
    json_t *o = json_object();
    json_object_set_new(o, "mrenclave", cli_json_hex(s.enclavehash, 32));
    json_object_set_new(o, "mrsigner", cli_json_hex(mrsigner, 32));
    json_object_set_new(o, "out", json_string(out_path));
    json_object_set_new(o, "debug_signer", json_boolean(dbg != NULL));
    cli_json_print(o);
  } else {
    cli_print_hex("mrenclave", 10, s.enclavehash, 32);
    cli_print_hex("mrsigner", 10, mrsigner, 32);
    printf("%-10s %s (%d bytes)\n", "written", out_path, SGXRA_SIGSTRUCT_SIZE);
  }
  rc = CLI_EXIT_OK;
done:
  sgxra_rsa_free(key);
  if (key_buf) {
    sgxra_wipe(key_buf, key_len);
    free(key_buf);
  }
  sgxra_ctx_free(cx);
  return rc;
}
