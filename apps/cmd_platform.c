/* sgxra platform: the emulated SGX platform and its simulated Intel CA
 * (docs/SIMULATED_INTEL.md).
 *
 *   sgxra platform init DIR [--fmspc HEX] [--tcb-svns LIST --pcesvn N]
 *                           [--ca CADIR] [--pck-ca platform|processor]
 *                           [--at TIME] [--qe-signing-key PEM] [--json]
 *   sgxra platform quote DIR --enclave SO --sigstruct SIG [--report-data HEX]
 *                            [--version 3|4] -o QUOTE [--json]
 *   sgxra platform collateral DIR -o BUNDLE [--at TIME]
 *   sgxra platform revoke DIR [--at TIME]
 *   sgxra platform tcb-recovery DIR
 *
 * A platform directory holds the emulated CPU's state (platform.json), the
 * QE/PCE SIGSTRUCTs, the PCK chain, and the path of its CA in `ca_path`
 * (DIR/ca unless --ca named another, so several platforms can share one
 * simulated Intel), and which PCK CA certified it in `pck_ca` ("platform"
 * or "processor"; absent: platform), which `collateral` follows.
 *
 * State guarantees (docs/RELIABILITY.md, "State directories"): `init` is
 * all-or-nothing -- the platform is built in a temporary sibling folder
 * ".<name>.init-XXXXXX" and renamed into place, so DIR either does not
 * exist or is complete, and of two inits of one DIR one succeeds and the
 * other fails with "already exists"; every change of a CA (issue, revoke,
 * tcb-recovery) is a read-modify-write under the CA folder's flock; every
 * file is written create-then-rename with fsync.  A platform or CA folder
 * (or ca_path, or a key) writable by group/others or owned by another user
 * is refused (SGXRA_E_EMU_STATE_UNSAFE), as ssh refuses such keys.
 *
 * Exit: 0 done; 1 the QE refused the enclave's REPORT; 2 usage error or
 * unusable input. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/atomic.h"
#include "core/internal.h"
#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/qe.h"
#include "sgxra/timeutil.h"

#define CA_PATH_FILE "ca_path"
#define PCK_CA_FILE "pck_ca"
#define FILE_CAP ((size_t)1 << 20)
#define W 14

enum {
  OPT_FMSPC = 1000,
  OPT_TCB_SVNS,
  OPT_PCESVN,
  OPT_CA,
  OPT_AT,
  OPT_JSON,
  OPT_ENCLAVE,
  OPT_SIGSTRUCT,
  OPT_REPORT_DATA,
  OPT_VERSION,
  OPT_PCK_CA,
  OPT_QE_SIGNING_KEY
};

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: sgxra platform <init|quote|collateral|revoke|tcb-recovery> DIR "
      "[options]\n"
      "\n"
      "An emulated SGX platform (CPU, QE, PCE) with a simulated Intel CA that\n"
      "certifies it.  Emulation gives identity, not isolation.\n"
      "\n"
      "  init DIR        create the platform and provision its PCK "
      "certificate\n"
      "      --fmspc HEX           FMSPC, 12 hex digits (default "
      "00906ED50000)\n"
      "      --tcb-svns LIST       16 TCB component SVNs, comma-separated\n"
      "                            (default: the CA's current UpToDate TCB)\n"
      "      --pcesvn N            PCESVN, 0..65535 (default: the CA's)\n"
      "      --ca CADIR            use (or create) the simulated Intel CA "
      "there\n"
      "                            (default DIR/ca)\n"
      "      --pck-ca platform|processor  the PCK CA that certifies the "
      "platform\n"
      "                            (default platform)\n"
      "      --qe-signing-key PEM  TEST/DEMO ONLY: sign the quoting enclave "
      "with\n"
      "                            this RSA-3072 e=3 key instead of Intel's "
      "(a\n"
      "                            rogue QE: verifiers refuse its quotes at "
      "the\n"
      "                            QE Identity check)\n"
      "  quote DIR       load an enclave, ask it for a REPORT, quote it\n"
      "      --enclave SO          the enclave shared object (required)\n"
      "      --sigstruct SIG       its SIGSTRUCT (required)\n"
      "      --report-data HEX     up to 64 bytes, zero-padded (default "
      "zeros)\n"
      "      --version 3|4         quote version (default 3)\n"
      "  -o, --out FILE            where the quote / bundle goes\n"
      "  collateral DIR  write a collateral bundle for the platform (plus\n"
      "                  root_ca.pem, the trust root to verify with)\n"
      "  revoke DIR      revoke the platform's PCK certificate\n"
      "  tcb-recovery DIR  publish a new TCB evaluation: the current TCB "
      "level\n"
      "                  becomes OutOfDate\n"
      "      --at TIME             RFC 3339 or unix seconds (default now)\n"
      "      --json                print the result as JSON\n"
      "  -h, --help                this help\n"
      "\n"
      "Numbers are decimal or 0x-prefixed hex.\n"
      "Exit status: 0 done, 1 the QE refused the REPORT, 2 usage error or\n"
      "unusable input.\n");
}

/* ---- helpers ----------------------------------------------------------------
 */

/* "a,b,...": 16 numbers 0..255 (cli_parse_uint's syntax); returns 0 or
 * the usage error. */
#define SVNS_USAGE                                                             \
  "--tcb-svns: expected 16 numbers 0..255 separated by commas, got '%s'"
static int parse_svns(const char *verb, const char *s, uint8_t out[16]) {
  char buf[256];
  if (strlen(s) >= sizeof buf) return cli_usage_error(verb, SVNS_USAGE, s);
  strcpy(buf, s);
  int n = 0, rc;
  char *save = NULL;
  for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    uint64_t v;
    if (n >= 16) return cli_usage_error(verb, SVNS_USAGE, s);
    if ((rc = cli_parse_uint(verb, "--tcb-svns", t, 0, 255, &v))) return rc;
    out[n++] = (uint8_t)v;
  }
  return n == 16 ? 0 : cli_usage_error(verb, SVNS_USAGE, s);
}

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s/%s", dir, name);
  return s;
}

/* The CA directory of a platform: DIR/ca_path's content, else DIR/ca
 * (only when ca_path does not exist: one that cannot be read, is not a
 * regular file or is too large stops the command, with cx set).  NULL on
 * failure. */
static char *ca_dir_of(sgxra_ctx *cx, const char *dir) {
  char *p = join(dir, CA_PATH_FILE);
  uint8_t *buf = NULL;
  size_t n = 0;
  if (!p) return NULL;
  sgxra_err e =
      sgxra_file_read_ex(cx, p, 8192, SGXRA_FILE_MAY_BE_ABSENT, &buf, &n);
  free(p);
  if (e) return NULL;
  if (!buf) return join(dir, "ca");
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
  return (char *)buf;
}

static int get_now(const char *verb, const char *at, int64_t *now) {
  if (!at) {
    *now = (int64_t)time(NULL);
    return 0;
  }
  sgxra_ctx *cx = sgxra_ctx_new();
  int rc = 0;
  if (sgxra_time_parse_arg(cx, at, now) != SGXRA_OK)
    rc = cli_usage_error(verb, "--at: %s", sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  return rc;
}

static void hex_upper(const uint8_t *p, size_t n, char *out) {
  sgxra_hex_encode(p, n, out);
  for (char *c = out; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
}

typedef struct args {
  const char *verb;
  const char *dir;
  const char *fmspc, *tcb_svns, *pcesvn, *ca, *at, *enclave, *sigstruct,
      *report_data, *version, *out, *pck_ca, *qe_key;
  int json;
} args;

/* Parse the options every sub-verb shares; unknown ones are errors. */
static int parse_args(int argc, char **argv, args *a, int *done) {
  static const struct option opts[] = {
      {"fmspc", required_argument, NULL, OPT_FMSPC},
      {"tcb-svns", required_argument, NULL, OPT_TCB_SVNS},
      {"pcesvn", required_argument, NULL, OPT_PCESVN},
      {"ca", required_argument, NULL, OPT_CA},
      {"at", required_argument, NULL, OPT_AT},
      {"json", no_argument, NULL, OPT_JSON},
      {"enclave", required_argument, NULL, OPT_ENCLAVE},
      {"sigstruct", required_argument, NULL, OPT_SIGSTRUCT},
      {"report-data", required_argument, NULL, OPT_REPORT_DATA},
      {"version", required_argument, NULL, OPT_VERSION},
      {"pck-ca", required_argument, NULL, OPT_PCK_CA},
      {"qe-signing-key", required_argument, NULL, OPT_QE_SIGNING_KEY},
      {"out", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c, li;
  optind = 0;
  opterr = 0;
  *done = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, &li)) != -1) {
    switch (c) {
    case OPT_FMSPC:
      a->fmspc = optarg;
      break;
    case OPT_TCB_SVNS:
      a->tcb_svns = optarg;
      break;
    case OPT_PCESVN:
      a->pcesvn = optarg;
      break;
    case OPT_CA:
      a->ca = optarg;
      break;
    case OPT_AT:
      a->at = optarg;
      break;
    case OPT_JSON:
      a->json = 1;
      break;
    case OPT_ENCLAVE:
      a->enclave = optarg;
      break;
    case OPT_SIGSTRUCT:
      a->sigstruct = optarg;
      break;
    case OPT_REPORT_DATA:
      a->report_data = optarg;
      break;
    case OPT_VERSION:
      a->version = optarg;
      break;
    case OPT_PCK_CA:
      a->pck_ca = optarg;
      break;
    case OPT_QE_SIGNING_KEY:
      a->qe_key = optarg;
      break;
    case 'o':
      a->out = optarg;
      break;
    case 'h':
      usage(stdout);
      *done = 1;
      return CLI_EXIT_OK;
    case ':':
      return cli_usage_error(a->verb, "option %s needs a value",
                             argv[optind - 1]);
    default:
      return cli_usage_error(a->verb, "unknown option %s", argv[optind - 1]);
    }
  }
  if (optind >= argc) return cli_usage_error(a->verb, "DIR is required");
  if (optind + 1 < argc)
    return cli_usage_error(a->verb, "one DIR expected, got also '%s'",
                           argv[optind + 1]);
  a->dir = argv[optind];
  return 0;
}

/* The trust check of a platform folder before anything in it is believed
 * (ca_path above all: it says which CA's keys sign this platform's
 * collateral): 0, or the message and exit status 2. */
static int check_platform_dir(const char *verb, sgxra_ctx *cx,
                              const char *dir) {
  static const char *const files[] = {CA_PATH_FILE, PCK_CA_FILE,
                                      "pck_serial.txt", SGXRA_EMU_STATE_FILE};
  if (sgxra__check_trusted(cx, dir, SGXRA_E_EMU_STATE_UNSAFE,
                           "platform directory"))
    return cli_fail(verb, NULL, cx, CLI_EXIT_USAGE);
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *p = join(dir, files[i]);
    if (!p) return cli_usage_error(verb, "out of memory");
    sgxra_err e =
        sgxra__check_trusted(cx, p, SGXRA_E_EMU_STATE_UNSAFE, "platform file");
    free(p);
    if (e) return cli_fail(verb, NULL, cx, CLI_EXIT_USAGE);
  }
  return 0;
}

static int open_ca(const char *verb, sgxra_ctx *cx, const char *dir,
                   sgxra_intelca **ca) {
  int rc = check_platform_dir(verb, cx, dir);
  if (rc) return rc;
  sgxra_ctx_clear(cx);
  char *cadir = ca_dir_of(cx, dir);
  if (!cadir) {
    if (sgxra_ctx_error(cx) == SGXRA_OK)
      return cli_usage_error(verb, "out of memory");
    return cli_fail(verb, NULL, cx, CLI_EXIT_USAGE);
  }
  if (sgxra_intelca_open(cx, cadir, ca) != SGXRA_OK)
    rc = cli_fail(verb, cadir, cx, CLI_EXIT_USAGE);
  free(cadir);
  return rc;
}

/* ---- init
 * --------------------------------------------------------------------- */

/* Remove the temporary folder this process made (never anything else):
 * its files and folders, depth first, without following links. */
static void remove_tree(const char *dir) {
  if (!dir) return;
  DIR *d = opendir(dir);
  for (struct dirent *de; d && (de = readdir(d));) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char *p = join(dir, de->d_name);
    struct stat st;
    if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
      remove_tree(p);
    else if (p)
      unlink(p);
    free(p);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* DIR must not exist or be an empty folder (which the new platform
 * replaces); 0 or the message and exit status 2. */
static int check_new_dir(const char *verb, sgxra_ctx *cx, const char *dir) {
  struct stat st;
  if (lstat(dir, &st) != 0) {
    if (errno == ENOENT) return 0;
    sgxra__fail(cx, SGXRA_E_IO, "cannot inspect: %s", strerror(errno));
    return cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
  }
  char *pj = join(dir, SGXRA_EMU_STATE_FILE);
  int has_platform = pj && lstat(pj, &st) == 0;
  free(pj);
  if (has_platform) {
    sgxra__fail(cx, SGXRA_E_EMU_STATE_EXISTS,
                "already exists: this folder already holds an emulated "
                "platform; use it, or choose a new folder");
    return cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
  }
  if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
    sgxra__fail(cx, SGXRA_E_EMU_STATE_EXISTS,
                "already exists and is not a folder; choose a new folder");
    return cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
  }
  DIR *d = opendir(dir);
  int empty = 1;
  for (struct dirent *de; d && (de = readdir(d));)
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) empty = 0;
  if (d) closedir(d);
  if (!empty) {
    sgxra__fail(cx, SGXRA_E_EMU_STATE_INCOMPLETE,
                "exists, is not empty and holds no platform.json (an init "
                "interrupted by an older sgxra, or other files): remove it "
                "and initialise it again: 'rm -r %s && sgxra platform init "
                "%s'",
                dir, dir);
    return cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
  }
  return 0;
}

/* The absolute path DIR will have (its parent must exist), and a new
 * temporary sibling ".<name>.init-XXXXXX" (0700) to build it in. */
static int plan_dir(const char *verb, sgxra_ctx *cx, const char *dir,
                    char **out_abs, char **out_tmp) {
  *out_abs = *out_tmp = NULL;
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/') n--;
  char *d = strndup(dir, n);
  if (!d) return cli_usage_error(verb, "out of memory");
  char *slash = strrchr(d, '/');
  const char *base = slash ? slash + 1 : d;
  char *parent =
      slash ? (slash == d ? strdup("/") : strndup(d, slash - d)) : strdup(".");
  char pabs[PATH_MAX];
  int rc = 0;
  if (!parent || !*base || !strcmp(base, ".") || !strcmp(base, "..")) {
    rc = cli_usage_error(verb, "DIR must name a new folder, got '%s'", dir);
  } else if (!realpath(parent, pabs)) {
    sgxra__fail(cx, SGXRA_E_IO, "cannot use the parent folder %s: %s", parent,
                strerror(errno));
    rc = cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
  } else {
    size_t an = strlen(pabs) + strlen(base) + 2;
    size_t tn = strlen(parent) + strlen(base) + 16;
    *out_abs = malloc(an);
    *out_tmp = malloc(tn);
    if (!*out_abs || !*out_tmp) {
      rc = cli_usage_error(verb, "out of memory");
    } else {
      snprintf(*out_abs, an, "%s%s%s", pabs, strcmp(pabs, "/") ? "/" : "",
               base);
      snprintf(*out_tmp, tn, "%s/.%s.init-XXXXXX", parent, base);
      if (!mkdtemp(*out_tmp)) {
        sgxra__fail(cx, SGXRA_E_IO, "cannot create a folder in %s: %s", parent,
                    strerror(errno));
        rc = cli_fail(verb, dir, cx, CLI_EXIT_USAGE);
      }
    }
    if (rc) {
      free(*out_abs);
      free(*out_tmp);
      *out_abs = *out_tmp = NULL;
    }
  }
  free(parent);
  free(d);
  return rc;
}

/* Open the CA in cadir, or create it when it has none yet.  Creation is
 * locked inside the library: of two inits sharing one new --ca, one
 * creates it and the other (refused as existing) opens it. */
static sgxra_err open_or_create_ca(sgxra_ctx *cx, const char *cadir,
                                   int64_t now, sgxra_intelca **ca) {
  char *state = join(cadir, "state.json");
  struct stat sb;
  int have_ca = state && stat(state, &sb) == 0;
  sgxra_err e = have_ca ? sgxra_intelca_open(cx, cadir, ca)
                        : sgxra_intelca_create(cx, cadir, now, ca);
  if (e == SGXRA_E_CA_STATE && !have_ca && state && stat(state, &sb) == 0)
    e = sgxra_intelca_open(cx, cadir, ca);
  free(state);
  return e;
}

static int cmd_init(args *a, sgxra_ctx *cx) {
  const char *verb = a->verb;
  int64_t now;
  int rc = get_now(verb, a->at, &now);
  if (rc) return rc;
  if ((a->tcb_svns == NULL) != (a->pcesvn == NULL))
    return cli_usage_error(verb, "--tcb-svns and --pcesvn go together");
  if (a->enclave || a->sigstruct || a->report_data || a->version || a->out)
    return cli_usage_error(verb, "quote options do not apply to init");
  int proc = 0;
  if (a->pck_ca && !strcmp(a->pck_ca, "processor"))
    proc = 1;
  else if (a->pck_ca && strcmp(a->pck_ca, "platform"))
    return cli_usage_error(verb,
                           "--pck-ca: expected 'platform' or 'processor', "
                           "got '%s'",
                           a->pck_ca);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  if (a->fmspc && sgxra_hex_decode(cx, a->fmspc, strlen(a->fmspc), cfg.fmspc,
                                   sizeof cfg.fmspc) != SGXRA_OK)
    return cli_usage_error(verb, "--fmspc: %s", sgxra_ctx_message(cx));
  uint64_t pcesvn = 0;
  if (a->tcb_svns && (rc = parse_svns(verb, a->tcb_svns, cfg.tcb_svns)))
    return rc;
  if (a->pcesvn &&
      (rc = cli_parse_uint(verb, "--pcesvn", a->pcesvn, 0, 65535, &pcesvn)))
    return rc;

  /* A rogue QE signer (test/demo): loaded before anything is created. */
  sgxra_rsa_key *qe_key = NULL;
  if (a->qe_key) {
    uint8_t *kb = NULL;
    size_t kn = 0;
    if ((rc = cli_read_file(verb, cx, a->qe_key, 1u << 20, &kb, &kn)))
      return rc;
    sgxra_err ke = sgxra_rsa_load_private(cx, kb, kn, &qe_key);
    sgxra_wipe(kb, kn);
    free(kb);
    if (ke) return cli_fail(verb, a->qe_key, cx, CLI_EXIT_USAGE);
  }
  /* All or nothing: build the platform in a temporary sibling folder,
   * then rename it to DIR (which must not exist, or be empty). */
  char *abs_dir = NULL, *tmp = NULL, *cadir = NULL;
  sgxra_intelca *ca = NULL;
  sgxra_emu_platform *plat = NULL;
  char ca_abs[PATH_MAX];
  if ((rc = check_new_dir(verb, cx, a->dir)) ||
      (rc = plan_dir(verb, cx, a->dir, &abs_dir, &tmp)))
    goto done;
  /* The CA: --ca (created when it does not exist yet, 0700, locked), or
   * DIR/ca built inside the temporary folder. */
  cadir = a->ca ? strdup(a->ca) : join(tmp, "ca");
  if (!cadir) {
    rc = cli_usage_error(verb, "out of memory");
    goto done;
  }
  if (open_or_create_ca(cx, cadir, now, &ca)) {
    rc = cli_fail(verb, cadir, cx, CLI_EXIT_USAGE);
    goto done;
  }
  if (a->ca) {
    if (!realpath(cadir, ca_abs)) snprintf(ca_abs, sizeof ca_abs, "%s", cadir);
  } else {
    snprintf(ca_abs, sizeof ca_abs, "%s/ca", abs_dir);
  }
  sgxra_intelca_set_pck_issuer(ca, proc ? SGXRA_INTELCA_PCK_PROCESSOR
                                        : SGXRA_INTELCA_PCK_PLATFORM);
  uint16_t cur_pcesvn;
  uint8_t cur[16];
  sgxra_intelca_tcb_current(ca, cur, &cur_pcesvn);
  if (!a->tcb_svns) {
    memcpy(cfg.tcb_svns, cur, 16);
    pcesvn = cur_pcesvn;
  }
  cfg.pcesvn = (uint16_t)pcesvn;
  memcpy(cfg.cpusvn, cfg.tcb_svns, SGXRA_CPUSVN_SIZE);

  char serial[41];
  if (sgxra_emu_platform_init(cx, tmp, &cfg, &plat) != SGXRA_OK ||
      sgxra_qe_provision_ex(cx, plat, ca, tmp, now, qe_key, serial) !=
          SGXRA_OK) {
    rc = cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
    goto done;
  }
  const char *pck_ca = proc ? "processor" : "platform";
  char *cap = join(tmp, CA_PATH_FILE);
  char *pcp = join(tmp, PCK_CA_FILE);
  sgxra_err we =
      !cap || !pcp ? sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL) : SGXRA_OK;
  if (!we) we = sgxra__write_atomic(cx, cap, ca_abs, strlen(ca_abs), 0644);
  if (!we) we = sgxra__write_atomic(cx, pcp, pck_ca, strlen(pck_ca), 0644);
  free(cap);
  free(pcp);
  if (we) {
    rc = cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
    goto done;
  }
  /* The commit: rename(2) replaces a missing or empty DIR atomically and
   * fails when another init got there first. */
  if (rename(tmp, a->dir) != 0) {
    int err = errno;
    if (err == EEXIST || err == ENOTEMPTY)
      sgxra__fail(cx, SGXRA_E_EMU_STATE_EXISTS,
                  "already exists: another 'sgxra platform init' made it "
                  "first; use it, or choose a new folder");
    else
      sgxra__fail(cx, SGXRA_E_IO, "cannot move %s into place: %s", tmp,
                  strerror(err));
    rc = cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
    goto done;
  }
  free(tmp);
  tmp = NULL;
  /* abs_dir's parent: its entry for DIR is made durable too. */
  char *sl = strrchr(abs_dir, '/');
  if (sl == abs_dir) sl++;
  char keep = *sl;
  *sl = 0;
  if (sgxra__fsync_dir(cx, abs_dir) != SGXRA_OK)
    fprintf(stderr, "sgxra %s: warning: %s\n", verb, sgxra_ctx_message(cx));
  *sl = keep;

  char fm[13];
  hex_upper(cfg.fmspc, 6, fm);
  if (a->json) {
    json_t *svns = json_array();
    for (int i = 0; i < 16; i++)
      json_array_append_new(svns, json_integer(cfg.tcb_svns[i]));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:I}", "platform", a->dir, "ca",
        ca_abs, "pck_ca", pck_ca, "fmspc", fm, "tcb_svns", svns, "pcesvn",
        (int)cfg.pcesvn, "pck_serial", serial, "tcb_evaluation_number",
        (json_int_t)sgxra_intelca_tcb_evaluation_number(ca));
    if (a->qe_key)
      json_object_set_new(o, "qe_signing_key", json_string(a->qe_key));
    cli_json_print(o);
  } else {
    printf("%-*s %s\n", W, "platform", a->dir);
    printf("%-*s %s\n", W, "ca", ca_abs);
    printf("%-*s %s\n", W, "pck_ca", pck_ca);
    printf("%-*s %s\n", W, "fmspc", fm);
    printf("%-*s", W + 1, "tcb_svns");
    for (int i = 0; i < 16; i++) printf("%s%u", i ? "," : "", cfg.tcb_svns[i]);
    printf("\n%-*s %u\n", W, "pcesvn", cfg.pcesvn);
    printf("%-*s %s\n", W, "pck_serial", serial);
    if (a->qe_key)
      printf("%-*s %s (a rogue QE: not Intel's signer)\n", W, "qe_signer",
             a->qe_key);
  }
done:
  remove_tree(tmp); /* this init's own temporary folder, when it failed */
  free(tmp);
  free(abs_dir);
  sgxra_rsa_free(qe_key);
  sgxra_emu_platform_free(plat);
  sgxra_intelca_free(ca);
  free(cadir);
  return rc;
}

/* ---- quote
 * -------------------------------------------------------------------- */

static int cmd_quote(args *a, sgxra_ctx *cx) {
  const char *verb = a->verb;
  if (!a->enclave || !a->sigstruct || !a->out)
    return cli_usage_error(verb, "--enclave, --sigstruct and -o are required");
  uint64_t version = 3;
  int prc;
  if (a->version &&
      (prc = cli_parse_uint(verb, "--version", a->version, 3, 4, &version)))
    return prc;
  uint8_t rd[SGXRA_REPORTDATA_SIZE] = {0};
  if (a->report_data) {
    uint8_t *b = NULL;
    size_t n = 0;
    if (sgxra_hex_decode_alloc(cx, a->report_data, strlen(a->report_data), &b,
                               &n) != SGXRA_OK)
      return cli_usage_error(verb, "--report-data: %s", sgxra_ctx_message(cx));
    if (n > sizeof rd) {
      free(b);
      return cli_usage_error(verb,
                             "--report-data: at most 64 bytes (128 hex "
                             "digits), got %zu bytes",
                             n);
    }
    memcpy(rd, b, n);
    free(b);
  }
  uint8_t *ss = NULL, *q = NULL;
  size_t ssn = 0, qn = 0;
  int rc = cli_read_file(verb, cx, a->sigstruct, 1u << 16, &ss, &ssn);
  if (rc) return rc;
  sgxra_emu_platform *plat = NULL;
  sgxra_qe *qe = NULL;
  sgxra_emu_enclave *enc = NULL;
  if ((rc = check_platform_dir(verb, cx, a->dir))) goto done;
  if (sgxra_emu_platform_load(cx, a->dir, &plat) != SGXRA_OK ||
      sgxra_qe_open(cx, plat, a->dir, &qe) != SGXRA_OK) {
    rc = cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
    goto done;
  }
  if (sgxra_emu_enclave_load(cx, plat, a->enclave, ss, ssn, NULL, &enc) !=
      SGXRA_OK) {
    rc = cli_fail(verb, NULL, cx, CLI_EXIT_USAGE); /* names the file */
    goto done;
  }
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(qe, &ti);
  sgxra_report report;
  if (sgxra_emu_enclave_get_report(cx, enc, &ti, rd, &report) != SGXRA_OK) {
    rc = cli_fail(verb, a->enclave, cx, CLI_EXIT_USAGE);
    goto done;
  }
  sgxra_err e = sgxra_qe_quote(cx, qe, &report, (uint16_t)version, &q, &qn);
  if (e) {
    rc = cli_fail(verb, a->enclave, cx,
                  e == SGXRA_E_QE_REPORT_MAC ? CLI_EXIT_REFUSED
                                             : CLI_EXIT_USAGE);
    goto done;
  }
  if (sgxra_file_write(cx, a->out, q, qn, 0) != SGXRA_OK) {
    rc = cli_fail(verb, a->out, cx, CLI_EXIT_USAGE);
    goto done;
  }
  if (a->json) {
    json_t *o =
        json_pack("{s:s, s:i, s:I, s:o, s:o, s:i, s:i, s:o}", "quote", a->out,
                  "version", (int)version, "size", (json_int_t)qn, "mrenclave",
                  cli_json_hex(report.body.mrenclave, 32), "mrsigner",
                  cli_json_hex(report.body.mrsigner, 32), "isvprodid",
                  (int)report.body.isvprodid, "isvsvn", (int)report.body.isvsvn,
                  "report_data", cli_json_hex(report.body.reportdata, 64));
    cli_json_print(o);
  } else {
    printf("%-*s %s (v%lu, %zu bytes)\n", W, "quote", a->out, version, qn);
    cli_print_hex("mrenclave", W, report.body.mrenclave, 32);
    cli_print_hex("mrsigner", W, report.body.mrsigner, 32);
    printf("%-*s %u\n%-*s %u\n", W, "isvprodid", report.body.isvprodid, W,
           "isvsvn", report.body.isvsvn);
  }
done:
  free(q);
  free(ss);
  sgxra_emu_enclave_free(enc);
  sgxra_qe_free(qe);
  sgxra_emu_platform_free(plat);
  return rc;
}

/* ---- collateral, revoke, tcb-recovery
 * -------------------------------------------- */

static int cmd_collateral(args *a, sgxra_ctx *cx) {
  const char *verb = a->verb;
  if (!a->out) return cli_usage_error(verb, "-o BUNDLE is required");
  int64_t now;
  int rc = get_now(verb, a->at, &now);
  if (rc) return rc;
  sgxra_emu_platform *plat = NULL;
  sgxra_intelca *ca = NULL;
  if ((rc = check_platform_dir(verb, cx, a->dir))) return rc;
  if (sgxra_emu_platform_load(cx, a->dir, &plat) != SGXRA_OK)
    return cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
  if ((rc = open_ca(verb, cx, a->dir, &ca))) goto done;
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(plat, &cfg);
  /* The PCK CRL of the CA that certified this platform. */
  char *pcp = join(a->dir, PCK_CA_FILE);
  uint8_t *which = NULL;
  size_t wn = 0;
  if (!pcp) {
    rc = cli_usage_error(verb, "out of memory");
    goto done;
  }
  if (sgxra_file_read_ex(cx, pcp, 64, SGXRA_FILE_MAY_BE_ABSENT, &which, &wn) !=
      SGXRA_OK) {
    free(pcp);
    rc = cli_fail(verb, NULL, cx, CLI_EXIT_USAGE);
    goto done;
  }
  if (which && wn >= 9 && !memcmp(which, "processor", 9))
    sgxra_intelca_set_pck_issuer(ca, SGXRA_INTELCA_PCK_PROCESSOR);
  free(which);
  free(pcp);
  if (sgxra_intelca_write_bundle(cx, ca, cfg.fmspc, now, a->out) != SGXRA_OK) {
    rc = cli_fail(verb, a->out, cx, CLI_EXIT_USAGE);
    goto done;
  }
  printf("%-*s %s\n", W, "bundle", a->out);
  printf("%-*s %s/root_ca.pem\n", W, "trust_root", a->out);
done:
  sgxra_intelca_free(ca);
  sgxra_emu_platform_free(plat);
  return rc;
}

static int cmd_revoke(args *a, sgxra_ctx *cx) {
  const char *verb = a->verb;
  int64_t now;
  int rc = get_now(verb, a->at, &now);
  if (rc || (rc = check_platform_dir(verb, cx, a->dir))) return rc;
  char *p = join(a->dir, "pck_serial.txt");
  uint8_t *serial = NULL;
  size_t n = 0;
  rc = p ? cli_read_file(verb, cx, p, 256, &serial, &n) : CLI_EXIT_USAGE;
  free(p);
  if (rc) return rc;
  while (n && (serial[n - 1] == '\n' || serial[n - 1] == '\r')) serial[--n] = 0;
  sgxra_intelca *ca = NULL;
  if (!(rc = open_ca(verb, cx, a->dir, &ca))) {
    if (sgxra_intelca_revoke(cx, ca, (const char *)serial, now) != SGXRA_OK)
      rc = cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
    else
      printf("%-*s %s\n", W, "revoked", (const char *)serial);
  }
  sgxra_intelca_free(ca);
  free(serial);
  return rc;
}

static int cmd_recovery(args *a, sgxra_ctx *cx) {
  const char *verb = a->verb;
  sgxra_intelca *ca = NULL;
  int rc = open_ca(verb, cx, a->dir, &ca);
  if (rc) return rc;
  if (sgxra_intelca_tcb_recovery(cx, ca) != SGXRA_OK) {
    rc = cli_fail(verb, a->dir, cx, CLI_EXIT_USAGE);
  } else {
    uint8_t cur[16];
    uint16_t pcesvn;
    sgxra_intelca_tcb_current(ca, cur, &pcesvn);
    printf("%-*s %u\n%-*s", W, "tcb_evaluation_number",
           sgxra_intelca_tcb_evaluation_number(ca), W + 1, "uptodate_svns");
    for (int i = 0; i < 16; i++) printf("%s%u", i ? "," : "", cur[i]);
    printf("\n%-*s %u\n", W, "pcesvn", pcesvn);
  }
  sgxra_intelca_free(ca);
  return rc;
}

int cli_cmd_platform(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  static const struct {
    const char *name;
    const char *verb;
    int (*fn)(args *, sgxra_ctx *);
  } subs[] = {
      {"init", "platform init", cmd_init},
      {"quote", "platform quote", cmd_quote},
      {"collateral", "platform collateral", cmd_collateral},
      {"revoke", "platform revoke", cmd_revoke},
      {"tcb-recovery", "platform tcb-recovery", cmd_recovery},
  };
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    if (strcmp(sub, subs[i].name)) continue;
    args a;
    memset(&a, 0, sizeof a);
    a.verb = subs[i].verb;
    int done = 0;
    int rc = parse_args(argc - 1, argv + 1, &a, &done);
    if (rc || done) return rc;
    sgxra_ctx *cx = sgxra_ctx_new();
    if (!cx) return cli_usage_error(a.verb, "out of memory");
    rc = subs[i].fn(&a, cx);
    sgxra_ctx_free(cx);
    return rc;
  }
  return cli_usage_error("platform",
                         "unknown sub-command '%s' (init, quote, collateral, "
                         "revoke, tcb-recovery)",
                         sub);
}
