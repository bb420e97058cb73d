/* sgxra sign: make the SIGSTRUCT of an enclave (see docs/ISV.md).
 *
 *   sgxra sign --key KEY (--enclavehash HEX | IMAGE) [fields] -o OUT
 *   sgxra sign --gendata (--enclavehash HEX | IMAGE) [fields] -o DATA
 *   sgxra sign --catsig --signature SIG --public-key PEM
 *              (--enclavehash HEX | IMAGE) [fields] -o OUT
 *
 * The ENCLAVEHASH comes from --enclavehash or from IMAGE: an SGXS stream, a
 * raw page image (selftest convention) or an unsigned .so is measured; a
 * signed Intel SDK enclave .so is re-measured from its bytes and metadata
 * (sgxra/sdkenclave.h) and OUT is then a signed copy of it; an existing
 * SIGSTRUCT gives the ENCLAVEHASH already in it (for re-signing).  Two-step
 * signing (Intel sgx_sign gendata / catsig) writes the 256 signed bytes and
 * assembles the SIGSTRUCT from an external signature, byte-identical to
 * one-step signing with the same key and fields.  Defaults make a
 * production SIGSTRUCT (DEBUG enforced to 0); --debug is needed to sign one
 * that a debug enclave can launch with. */
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
#include "sgxra/sdkenclave.h"
#include "sgxra/sigstruct.h"

#define VERB "sign"
#define IMAGE_CAP ((size_t)1 << 31)
#define KEY_CAP ((size_t)1 << 20)

static void usage(FILE *f) {
  fputs(
      "usage: sgxra sign --key KEY (--enclavehash HEX | IMAGE) [options] -o "
      "OUT\n"
      "       sgxra sign --gendata (--enclavehash HEX | IMAGE) [options] -o "
      "DATA\n"
      "       sgxra sign --catsig --signature SIG --public-key PEM\n"
      "                  (--enclavehash HEX | IMAGE) [options] -o OUT\n"
      "\n"
      "Write the 1808-byte SIGSTRUCT of an enclave, signed with KEY "
      "(RSA-3072,\n"
      "public exponent 3; PEM or DER, PKCS#1 or PKCS#8).  When IMAGE is a "
      "signed\n"
      "Intel SGX SDK enclave (.so with metadata), its MRENCLAVE is re-measured "
      "from\n"
      "the file and OUT is a signed copy of it, the new SIGSTRUCT in its "
      "metadata.\n"
      "\n"
      "  -k, --key FILE            signing key (one-step signing)\n"
      "      --gendata             two-step signing, step 1: write to DATA the "
      "256\n"
      "                            bytes to sign (no key needed)\n"
      "      --catsig              step 2: assemble the SIGSTRUCT from SIG, "
      "made\n"
      "                            over DATA outside sgxra (an HSM), with the "
      "same\n"
      "                            IMAGE or --enclavehash and fields as "
      "--gendata\n"
      "      --signature FILE      SIG: the raw 384-byte big-endian PKCS#1 "
      "v1.5\n"
      "                            SHA-256 signature ('openssl dgst -sha256 "
      "-sign\n"
      "                            KEY -out SIG DATA')\n"
      "      --public-key FILE     the signer's public key (PEM or DER, "
      "SPKI or\n"
      "                            PKCS#1; a private key file also works)\n"
      "  -e, --enclavehash HEX     MRENCLAVE to sign (64 hex digits), or give\n"
      "                            IMAGE: an SGXS stream or raw page image is\n"
      "                            measured (an unsigned enclave .so with\n"
      "                            sgxra's layout, as 'sgxra measure'); a "
      "signed\n"
      "                            SDK .so is re-measured; a SIGSTRUCT gives "
      "its\n"
      "                            ENCLAVEHASH\n"
      "      --sigstruct-out FILE  with a signed SDK .so: also write the bare\n"
      "                            SIGSTRUCT\n"
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
      "  -o, --out FILE            where to write the SIGSTRUCT, the signed "
      "SDK\n"
      "                            enclave, or DATA (required)\n"
      "      --json                print the result as JSON\n"
      "  -h, --help                this help\n"
      "\n"
      "With a signed SDK .so, ATTRIBUTES, XFRM, MISCSELECT and MISCMASK "
      "default to\n"
      "the values in the enclave's metadata (its configuration); the other "
      "fields\n"
      "to the defaults above.\n"
      "Numbers are decimal or 0x-prefixed hex (0x8086; 010 is decimal ten).\n"
      "Prints MRENCLAVE and MRSIGNER.\n"
      "Exit status: 0 written, 2 usage error or unusable input, key or "
      "signature.\n",
      f);
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

/* What IMAGE gave besides its ENCLAVEHASH.  For a signed Intel SDK enclave
 * (.so with metadata) the file is kept: the output is a copy of it with
 * the new SIGSTRUCT in its metadata. */
typedef struct image {
  int sdk;      /* a signed SDK enclave, re-measured */
  uint8_t *buf; /* the file (sdk only; owned) */
  size_t n;
  sgxra_sdk_enclave e; /* points into buf */
  sgxra_sdk_check chk; /* its re-measurement */
  sgxra_sigstruct old; /* the SIGSTRUCT it carries (selected copy) */
} image;

static void image_free(image *img) {
  free(img->buf);
  memset(img, 0, sizeof *img);
}

static void hex_str(const uint8_t *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

/* A signed SDK enclave: re-measure it (every metadata copy must lay out
 * the same enclave) and keep it.  Takes buf.  Returns 0 or the exit
 * status. */
static int sdk_image(sgxra_ctx *cx, const char *path, uint8_t *buf, size_t n,
                     uint8_t out[SGXRA_HASH_SIZE], image *img) {
  img->buf = buf;
  img->n = n;
  if (sgxra_sdk_open(cx, buf, n, &img->e) != SGXRA_OK ||
      sgxra_sdk_check_file(cx, buf, n, &img->chk) != SGXRA_OK) {
    int rc = cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
    fprintf(stderr, "sgxra sign: a signed SDK enclave is re-measured before "
                    "it is signed again; to sign a bare SIGSTRUCT for a "
                    "hash obtained otherwise, give --enclavehash HEX\n");
    return rc;
  }
  const sgxra_sdk_check *k = &img->chk;
  unsigned sel = k->selected;
  for (unsigned i = 0; i < k->ncopies; i++) {
    if (!memcmp(k->copies[i].mrenclave, k->copies[sel].mrenclave,
                SGXRA_HASH_SIZE))
      continue;
    char a[65], b[65];
    hex_str(k->copies[sel].mrenclave, SGXRA_HASH_SIZE, a);
    hex_str(k->copies[i].mrenclave, SGXRA_HASH_SIZE, b);
    return cli_usage_error(
        VERB,
        "%s: its metadata copies lay out different enclaves (copy %u, "
        "version %u.%u, measures %s; copy %u, version %u.%u, measures %s): "
        "the loader picks a copy by CPU, so no one SIGSTRUCT fits the file; "
        "rebuild and sign it with the SDK",
        path, sel, (unsigned)k->version_major[sel],
        (unsigned)k->version_minor[sel], a, i, (unsigned)k->version_major[i],
        (unsigned)k->version_minor[i], b);
  }
  if (sgxra_sigstruct_decode(cx, img->e.copies[sel].head.sigstruct,
                             SGXRA_SIGSTRUCT_SIZE, &img->old) != SGXRA_OK)
    return cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
  memcpy(out, k->measured, SGXRA_HASH_SIZE);
  img->sdk = 1;
  fprintf(stderr,
          "sgxra sign: %s: signed SDK enclave (metadata %u.%u, %u "
          "cop%s): MRENCLAVE re-measured from the file\n",
          path, (unsigned)k->version_major[sel],
          (unsigned)k->version_minor[sel], k->ncopies,
          k->ncopies == 1 ? "y" : "ies");
  if (memcmp(img->old.enclavehash, k->measured, SGXRA_HASH_SIZE) != 0) {
    char a[65];
    hex_str(img->old.enclavehash, SGXRA_HASH_SIZE, a);
    fprintf(stderr,
            "sgxra sign: %s: note: its old SIGSTRUCT signed ENCLAVEHASH %s, "
            "not what the file measures now: the content changed after it "
            "was signed; the new signature covers the content as it is\n",
            path, a);
  }
  return 0;
}

/* The ENCLAVEHASH of IMAGE; returns 0 or the exit status.  ssa_given:
 * --ssaframesize was on the command line, which only an image sgxra lays out
 * itself (raw, unsigned .so) can use. */
static int hash_of_image(sgxra_ctx *cx, const char *path, uint32_t ssaframes,
                         int ssa_given, uint8_t out[SGXRA_HASH_SIZE],
                         image *img) {
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
    if (e == SGXRA_E_SGXMETA_FORMAT) {
      rc = cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
      fprintf(stderr,
              "sgxra sign: an SDK enclave built but not yet signed has no "
              "metadata to sign: sgx_sign makes it from the enclave's "
              "configuration; sign it with the SDK first (any key), then "
              "re-sign it here\n");
      free(buf);
      return rc;
    }
    if (e) break;
    /* Signed by the SDK: re-measured, and the output is a signed copy. */
    return sdk_image(cx, path, buf, n, out, img);
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

/* The signed enclave: a copy of the SDK enclave with `raw` in every
 * metadata copy, checked to re-measure to itself, written to path. */
static int write_signed_so(sgxra_ctx *cx, const image *img,
                           const uint8_t raw[SGXRA_SIGSTRUCT_SIZE],
                           const char *path) {
  uint8_t *copy = malloc(img->n ? img->n : 1);
  if (!copy) {
    fprintf(stderr, "sgxra sign: out of memory (%zu bytes)\n", img->n);
    return CLI_EXIT_USAGE;
  }
  memcpy(copy, img->buf, img->n);
  int rc = CLI_EXIT_USAGE;
  sgxra_sdk_check chk;
  if (sgxra_sdk_set_sigstruct(cx, &img->e, raw, copy, img->n) != SGXRA_OK ||
      sgxra_sdk_check_file(cx, copy, img->n, &chk) != SGXRA_OK) {
    rc = cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  /* what a verifier will do with it: every copy re-measures to the new
   * ENCLAVEHASH */
  if (!chk.match) {
    fprintf(stderr,
            "sgxra sign: %s: internal error: the signed copy does "
            "not re-measure to its new SIGSTRUCT; nothing written\n",
            path);
    goto out;
  }
  if (sgxra_file_write(cx, path, copy, img->n, 0) != SGXRA_OK) {
    rc = cli_fail(VERB, path, cx, CLI_EXIT_USAGE);
    goto out;
  }
  rc = 0;
out:
  free(copy);
  return rc;
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
  OPT_GENDATA,
  OPT_CATSIG,
  OPT_SIGNATURE,
  OPT_PUBLIC_KEY,
  OPT_SIGSTRUCT_OUT,
};

/* Which of the SDK-defaulted fields the command line set. */
#define GIVEN_ATTR 1u
#define GIVEN_XFRM 2u
#define GIVEN_MISCSELECT 4u
#define GIVEN_MISCMASK 8u

/* Fields of a signed SDK enclave's own SIGSTRUCT (the metadata's
 * enclave_css, which sgx_sign filled from the enclave's configuration)
 * that the command line did not set: ATTRIBUTES (flags, xfrm) and
 * MISCSELECT with its MISCMASK.  The metadata's own attributes.xfrm and
 * desired_misc_select are what the loader requests at ECREATE, derived
 * from those (xfrm = ~mask | (xfrm & mask)), not the signed values. */
static void sdk_defaults(const char *path, const image *img, unsigned given,
                         sgxra_sigstruct_params *p) {
  const sgxra_sigstruct *o = &img->old;
  if (!(given & GIVEN_ATTR)) p->attributes.flags = o->attributes.flags;
  if (!(given & GIVEN_XFRM)) p->attributes.xfrm = o->attributes.xfrm;
  if (!(given & GIVEN_MISCSELECT)) p->miscselect = o->miscselect;
  if (!(given & GIVEN_MISCMASK)) p->miscmask = o->miscmask;
  fprintf(stderr,
          "sgxra sign: %s: ATTRIBUTES 0x%llx / xfrm 0x%llx, MISCSELECT 0x%x / "
          "MISCMASK 0x%x (from the enclave's metadata unless given); the "
          "other fields from the options or their defaults\n",
          path, (unsigned long long)p->attributes.flags,
          (unsigned long long)p->attributes.xfrm, (unsigned)p->miscselect,
          (unsigned)p->miscmask);
  if (o->isvprodid != p->isvprodid || o->isvsvn != p->isvsvn)
    fprintf(stderr,
            "sgxra sign: %s: note: the old SIGSTRUCT had ISVPRODID %u "
            "ISVSVN %u; the new one has ISVPRODID %u ISVSVN %u\n",
            path, (unsigned)o->isvprodid, (unsigned)o->isvsvn,
            (unsigned)p->isvprodid, (unsigned)p->isvsvn);
}

/* --signature FILE: the raw 384-byte big-endian signature. */
static int read_signature(sgxra_ctx *cx, const char *path,
                          uint8_t sig[SGXRA_RSA3072_SIZE]) {
  uint8_t *buf = NULL;
  size_t n = 0;
  int rc = cli_read_file(VERB, cx, path, KEY_CAP, &buf, &n);
  if (rc) return rc;
  if (n != SGXRA_RSA3072_SIZE) {
    free(buf);
    return cli_usage_error(
        VERB,
        "--signature %s is %zu bytes: expected the raw 384-byte big-endian "
        "RSA-3072 signature, as 'openssl dgst -sha256 -sign KEY -out SIG "
        "DATA' writes it (not hex, base64 or PEM)",
        path, n);
  }
  memcpy(sig, buf, SGXRA_RSA3072_SIZE);
  free(buf);
  return 0;
}

/* Read and load a key file (private, or public for --catsig); returns 0
 * or the exit status. */
static int load_key_file(sgxra_ctx *cx, const char *path, int public_only,
                         sgxra_rsa_key **out) {
  uint8_t *buf = NULL;
  size_t n = 0;
  int rc = cli_read_file(VERB, cx, path, KEY_CAP, &buf, &n);
  if (rc) return rc;
  sgxra_err e = public_only ? sgxra_rsa_load_public(cx, buf, n, out)
                            : sgxra_rsa_load_private(cx, buf, n, out);
  sgxra_wipe(buf, n);
  free(buf);
  if (e == SGXRA_OK) return 0;
  fprintf(stderr,
          "sgxra sign: %s: %s [%s]\nan SGX signing key is RSA-3072 with "
          "public exponent 3, e.g. 'openssl genrsa -3 -out key.pem 3072'\n",
          path, sgxra_ctx_message(cx), sgxra_err_name(sgxra_ctx_error(cx)));
  return CLI_EXIT_USAGE;
}

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
      {"gendata", no_argument, NULL, OPT_GENDATA},
      {"catsig", no_argument, NULL, OPT_CATSIG},
      {"signature", required_argument, NULL, OPT_SIGNATURE},
      {"public-key", required_argument, NULL, OPT_PUBLIC_KEY},
      {"sigstruct-out", required_argument, NULL, OPT_SIGSTRUCT_OUT},
      {NULL, 0, NULL, 0},
  };
  const char *key_path = NULL, *hash_hex = NULL, *out_path = NULL;
  const char *sig_path = NULL, *pub_path = NULL, *ss_out = NULL;
  int json = 0, ssa_given = 0, gendata = 0, catsig = 0;
  unsigned given = 0;
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
    case OPT_GENDATA:
      gendata = 1;
      break;
    case OPT_CATSIG:
      catsig = 1;
      break;
    case OPT_SIGNATURE:
      sig_path = optarg;
      break;
    case OPT_PUBLIC_KEY:
      pub_path = optarg;
      break;
    case OPT_SIGSTRUCT_OUT:
      ss_out = optarg;
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
      if (c == OPT_ATTR) p.attributes.flags = v, given |= GIVEN_ATTR;
      if (c == OPT_ATTR_MASK) p.attributemask.flags = v;
      if (c == OPT_XFRM) p.attributes.xfrm = v, given |= GIVEN_XFRM;
      if (c == OPT_XFRM_MASK) p.attributemask.xfrm = v;
      break;
    case OPT_MISCSELECT:
    case OPT_MISCMASK:
    case OPT_SWDEFINED:
      if ((rc = cli_parse_uint(VERB, flag, optarg, 0, UINT32_MAX, &v)))
        return rc;
      if (c == OPT_MISCSELECT)
        p.miscselect = (uint32_t)v, given |= GIVEN_MISCSELECT;
      if (c == OPT_MISCMASK) p.miscmask = (uint32_t)v, given |= GIVEN_MISCMASK;
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
  const char *image_path = NULL;
  if (optind < argc) image_path = argv[optind++];
  if (optind < argc)
    return cli_usage_error(VERB, "unexpected argument '%s'", argv[optind]);
  if (gendata && catsig)
    return cli_usage_error(VERB, "--gendata and --catsig are the two steps "
                                 "of two-step signing: give one of them");
  if (gendata && key_path)
    return cli_usage_error(VERB, "--gendata writes the bytes to sign and "
                                 "needs no key: drop --key (sign the data "
                                 "with your HSM, then --catsig)");
  if (gendata && (sig_path || pub_path))
    return cli_usage_error(VERB, "--signature and --public-key go with "
                                 "--catsig, not --gendata");
  if (catsig && key_path)
    return cli_usage_error(VERB, "--catsig takes the signer's --public-key, "
                                 "not --key");
  if (catsig && (!sig_path || !pub_path))
    return cli_usage_error(VERB, "--catsig needs --signature SIG (the raw "
                                 "signature over the --gendata bytes) and "
                                 "--public-key PEM");
  if (!catsig && (sig_path || pub_path))
    return cli_usage_error(VERB, "--signature and --public-key go with "
                                 "--catsig");
  if (!gendata && !catsig && !key_path)
    return cli_usage_error(VERB, "--key KEY is required (or two-step "
                                 "signing: --gendata, then --catsig)");
  if (gendata && ss_out)
    return cli_usage_error(VERB, "--sigstruct-out goes with signing "
                                 "(--key or --catsig), not --gendata");
  if (!out_path) return cli_usage_error(VERB, "-o/--out FILE is required");
  if (!hash_hex == !image_path)
    return cli_usage_error(VERB,
                           "give either --enclavehash HEX or an IMAGE file "
                           "(exactly one)");
  if (hash_hex && ssa_given)
    return cli_usage_error(VERB, "--ssaframesize applies to a measured IMAGE, "
                                 "not to --enclavehash");

  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  rc = CLI_EXIT_USAGE;
  sgxra_rsa_key *key = NULL;
  sgxra_sigstruct s;
  image img;
  memset(&img, 0, sizeof img);

  if (hash_hex) {
    if (sgxra_hex_decode(cx, hash_hex, strlen(hash_hex), p.enclavehash,
                         SGXRA_HASH_SIZE) != SGXRA_OK) {
      rc = cli_fail(VERB, "--enclavehash", cx, CLI_EXIT_USAGE);
      goto done;
    }
  } else {
    rc = hash_of_image(cx, image_path, (uint32_t)ssaframes, ssa_given,
                       p.enclavehash, &img);
    if (rc) goto done;
    rc = CLI_EXIT_USAGE;
  }
  if (ss_out && !img.sdk) {
    rc = cli_usage_error(VERB, "--sigstruct-out applies when IMAGE is a "
                               "signed SDK enclave .so (-o is then the "
                               "signed enclave); here -o is the SIGSTRUCT");
    goto done;
  }
  if (img.sdk) sdk_defaults(image_path, &img, given, &p);

  if (gendata) {
    uint8_t data[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE], dh[SGXRA_HASH_SIZE];
    if (sgxra_sigstruct_signing_data(cx, &p, data) != SGXRA_OK) {
      rc = cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE);
      goto done;
    }
    if (sgxra_sha256(cx, data, sizeof data, dh) != SGXRA_OK ||
        sgxra_file_write(cx, out_path, data, sizeof data, 0) != SGXRA_OK) {
      rc = cli_fail(VERB, out_path, cx, CLI_EXIT_USAGE);
      goto done;
    }
    if (json) {
      json_t *o = json_object();
      json_object_set_new(o, "mrenclave", cli_json_hex(p.enclavehash, 32));
      json_object_set_new(o, "data_sha256", cli_json_hex(dh, 32));
      json_object_set_new(o, "out", json_string(out_path));
      cli_json_print(o);
    } else {
      cli_print_hex("mrenclave", 11, p.enclavehash, 32);
      cli_print_hex("data sha256", 11, dh, 32);
      printf("%-11s %s (%d bytes to sign: PKCS#1 v1.5, SHA-256, RSA-3072 "
             "e=3)\n",
             "written", out_path, SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE);
    }
    rc = CLI_EXIT_OK;
    goto done;
  }

  if (catsig) {
    uint8_t sig[SGXRA_RSA3072_SIZE];
    if ((rc = read_signature(cx, sig_path, sig))) goto done;
    if ((rc = load_key_file(cx, pub_path, 1, &key))) goto done;
    rc = CLI_EXIT_USAGE;
    sgxra_err e = sgxra_sigstruct_assemble(cx, key, &p, sig, &s);
    if (e == SGXRA_E_SIGSTRUCT_SIGNATURE) {
      fprintf(stderr,
              "sgxra sign: %s: the signature does not verify over these "
              "fields: were they the same at --gendata? (and the key the "
              "one whose public half is %s?) [%s]\n",
              sig_path, pub_path, sgxra_err_name(e));
      goto done;
    }
    if (e != SGXRA_OK) {
      rc = cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE);
      goto done;
    }
  } else {
    if ((rc = load_key_file(cx, key_path, 0, &key))) goto done;
    rc = CLI_EXIT_USAGE;
    if (sgxra_sigstruct_sign(cx, key, &p, &s) != SGXRA_OK) {
      rc = cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE);
      goto done;
    }
  }
  /* Check our own output as EINIT would before handing it out. */
  if (sgxra_sigstruct_verify(cx, &s) != SGXRA_OK) {
    rc = cli_fail(VERB, "self-check of the new SIGSTRUCT", cx, CLI_EXIT_USAGE);
    goto done;
  }
  uint8_t raw[SGXRA_SIGSTRUCT_SIZE], mrsigner[SGXRA_HASH_SIZE];
  sgxra_sigstruct_encode(&s, raw);
  if (sgxra_sigstruct_mrsigner(cx, &s, mrsigner) != SGXRA_OK) {
    rc = cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE);
    goto done;
  }
  if (img.sdk) {
    if ((rc = write_signed_so(cx, &img, raw, out_path))) goto done;
    rc = CLI_EXIT_USAGE;
    if (ss_out &&
        sgxra_file_write(cx, ss_out, raw, sizeof raw, 0) != SGXRA_OK) {
      rc = cli_fail(VERB, ss_out, cx, CLI_EXIT_USAGE);
      goto done;
    }
  } else if (sgxra_file_write(cx, out_path, raw, sizeof raw, 0) != SGXRA_OK) {
    rc = cli_fail(VERB, out_path, cx, CLI_EXIT_USAGE);
    goto done;
  }
  const char *dbg = NULL;
  const char *signer = catsig ? pub_path : key_path;
  if (sgxra_mrsigner_is_debug_key(mrsigner, &dbg))
    cli_warn_debug_signer(VERB, signer, dbg);
  if (json) {
    json_t *o = json_object();
    json_object_set_new(o, "mrenclave", cli_json_hex(s.enclavehash, 32));
    json_object_set_new(o, "mrsigner", cli_json_hex(mrsigner, 32));
    json_object_set_new(o, "out", json_string(out_path));
    json_object_set_new(o, "debug_signer", json_boolean(dbg != NULL));
    if (img.sdk) {
      json_object_set_new(o, "signed_enclave", json_true());
      json_object_set_new(o, "previous_enclavehash",
                          cli_json_hex(img.old.enclavehash, 32));
      json_object_set_new(
          o, "previous_match",
          json_boolean(!memcmp(img.old.enclavehash, s.enclavehash, 32)));
      if (ss_out) json_object_set_new(o, "sigstruct_out", json_string(ss_out));
    }
    cli_json_print(o);
  } else {
    cli_print_hex("mrenclave", 10, s.enclavehash, 32);
    cli_print_hex("mrsigner", 10, mrsigner, 32);
    if (img.sdk) {
      printf("%-10s %s (signed enclave, %zu bytes)\n", "written", out_path,
             img.n);
      if (ss_out)
        printf("%-10s %s (%d bytes)\n", "written", ss_out,
               SGXRA_SIGSTRUCT_SIZE);
    } else {
      printf("%-10s %s (%d bytes)\n", "written", out_path,
             SGXRA_SIGSTRUCT_SIZE);
    }
  }
  rc = CLI_EXIT_OK;
done:
  sgxra_rsa_free(key);
  image_free(&img);
  sgxra_ctx_free(cx);
  return rc;
}
