/* sgxra client: the client platform's side of remote attestation.
 *
 *   sgxra client attest --sp URL --platform DIR --enclave SO --sigstruct SIG
 *                       [-o SEALED] [--json] [--ca-file PEM] [--insecure]
 *                       [--timeout S] [--msg3-sp URL]
 *                       [--save-msg3 FILE] [--tamper gb|quote]
 *   sgxra client unseal --platform DIR --enclave SO --sigstruct SIG [--hex]
 *                       SEALED
 *   sgxra client replay-msg3 --sp URL --session ID MSG3
 *
 * `attest` loads the enclave on the emulated platform (sgxra/attester.h),
 * runs the RA protocol with the service provider over HTTP
 * (sgxra/sp_client.h) and prints each step; the enclave -- not this
 * process -- checks the SP's signature, derives the keys, decrypts the
 * provisioned secret and seals it (EGETKEY SEAL key, MRENCLAVE policy) to
 * SEALED.  `unseal` asks the same enclave on the same platform to open it
 * (DEMO ONLY: the enclave hands the secret out so that one can see it).
 *
 * ATTACK SIMULATIONS (tests and the demo; never in normal use):
 *   --tamper gb      a man in the middle replaces the SP's Gb in msg2 by
 *                    his own key: the enclave refuses msg2 (the SP's
 *                    signature over Gb||Ga does not verify)
 *   --tamper quote   he changes the quote inside msg3: the SP refuses it
 *                    (msg3's MAC)
 *   --save-msg3 F    keep the bytes of msg3 as sent, for replay-msg3
 *   replay-msg3      send a captured msg3 again (the SP: SGXRA_E_RA_REPLAY)
 *
 * `attest --json` (and --json-file FILE) prints one object:
 *   {"sp", "session" (32 hex or null), "expires", "steps": [{"step":
 *    "session|msg1|msg2|report|quote|msg3|msg4|done", "bytes"}],
 *    "completed" (msg4 accepted by the enclave), "decision" ("trusted",
 *    "refused" or null), "reasons" (reason codes), "sealed" (the file or
 *    null), "sealed_bytes", "error": null or {"code", "message", "step"
 *    (the step that failed, "load" when the enclave did not load),
 *    "http_status" and "sp_code" (the SP's refusal; 0 and "" otherwise)}}
 *
 * Exit: 0 trusted (and the secret sealed); 1 the SP refused the enclave
 * (its reason codes are printed); 2 error (usage, the platform or enclave,
 * the network, a protocol error -- the SP's code is printed). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sgxra/attester.h"
#include "sgxra/crypto.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/policy.h"
#include "sgxra/ra.h"
#include "sgxra/sp_client.h"

#define VERB "client"
#define SIG_CAP 4096
#define SEALED_CAP ((size_t)1 << 20)
#define W 15

enum {
  OPT_SP = 1000,
  OPT_PLATFORM,
  OPT_ENCLAVE,
  OPT_SIGSTRUCT,
  OPT_JSON,
  OPT_CA_FILE,
  OPT_INSECURE,
  OPT_TIMEOUT,
  OPT_MSG3_SP,
  OPT_SAVE_MSG3,
  OPT_TAMPER,
  OPT_HEX,
  OPT_SESSION,
  OPT_JSON_FILE
};

static void usage(FILE *f) {
  fprintf(
      f, "usage: sgxra client attest --sp URL --platform DIR --enclave SO "
         "--sigstruct SIG\n"
         "                           [-o SEALED] [--json]\n"
         "       sgxra client unseal --platform DIR --enclave SO --sigstruct "
         "SIG SEALED\n"
         "       sgxra client replay-msg3 --sp URL --session ID MSG3\n"
         "\n"
         "Remote attestation of an enclave on the emulated platform with a "
         "service\n"
         "provider (`sgxra serve sp`): msg0..msg4 over HTTP, the enclave "
         "checks the\n"
         "SP's signature, derives the keys, and seals the provisioned secret.\n"
         "\n"
         "  attest                  run the protocol, print each step\n"
         "      --sp URL              the service provider (required)\n"
         "      --platform DIR        the emulated platform (`sgxra platform "
         "init`)\n"
         "      --enclave SO          the enclave shared object\n"
         "      --sigstruct SIG       its SIGSTRUCT\n"
         "  -o, --out SEALED          where the sealed secret goes\n"
         "      --json                print the result as JSON\n"
         "      --ca-file PEM         CA(s) of the SP's TLS certificate "
         "(https)\n"
         "      --insecure            do not verify the SP's TLS certificate\n"
         "      --timeout S           seconds per HTTP request (default 60)\n"
         "      --msg3-sp URL         send msg3 to this replica of the SP\n"
         "    attack simulations (tests and demos only):\n"
         "      --tamper gb           a man in the middle swaps Gb in msg2\n"
         "      --tamper quote        a man in the middle alters the quote in "
         "msg3\n"
         "      --save-msg3 FILE      keep msg3's bytes for replay-msg3\n"
         "  unseal SEALED           the same enclave opens the sealed secret "
         "and\n"
         "                          prints it (DEMO ONLY)\n"
         "      --hex                 print it as hex\n"
         "  replay-msg3 MSG3        send a captured msg3 again (attack "
         "simulation)\n"
         "      --session ID          the session it was captured from\n"
         "  -h, --help                this help\n"
         "\n"
         "Exit status: 0 trusted (secret sealed), 1 refused by the SP (reason "
         "codes\n"
         "printed), 2 error (usage, platform, network, protocol: the SP's "
         "code printed).\n");
}

typedef struct args {
  const char *sub, *sp, *platform, *enclave, *sigstruct, *out, *ca_file,
      *msg3_sp, *save_msg3, *tamper, *session, *file, *json_file;
  long timeout_s;
  int json, insecure, hex;
} args;

static int parse_args(int argc, char **argv, args *a, int *done) {
  static const struct option opts[] = {
      {"sp", required_argument, NULL, OPT_SP},
      {"platform", required_argument, NULL, OPT_PLATFORM},
      {"enclave", required_argument, NULL, OPT_ENCLAVE},
      {"sigstruct", required_argument, NULL, OPT_SIGSTRUCT},
      {"json", no_argument, NULL, OPT_JSON},
      {"ca-file", required_argument, NULL, OPT_CA_FILE},
      {"insecure", no_argument, NULL, OPT_INSECURE},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"msg3-sp", required_argument, NULL, OPT_MSG3_SP},
      {"save-msg3", required_argument, NULL, OPT_SAVE_MSG3},
      {"tamper", required_argument, NULL, OPT_TAMPER},
      {"hex", no_argument, NULL, OPT_HEX},
      {"session", required_argument, NULL, OPT_SESSION},
      {"json-file", required_argument, NULL, OPT_JSON_FILE},
      {"out", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c, li, rc;
  uint64_t v;
  optind = 0;
  opterr = 0;
  *done = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, &li)) != -1) {
    switch (c) {
    case OPT_SP:
      a->sp = optarg;
      break;
    case OPT_PLATFORM:
      a->platform = optarg;
      break;
    case OPT_ENCLAVE:
      a->enclave = optarg;
      break;
    case OPT_SIGSTRUCT:
      a->sigstruct = optarg;
      break;
    case OPT_JSON:
      a->json = 1;
      break;
    case OPT_CA_FILE:
      a->ca_file = optarg;
      break;
    case OPT_INSECURE:
      a->insecure = 1;
      break;
    case OPT_TIMEOUT:
      if ((rc = cli_parse_uint(VERB, "--timeout", optarg, 1, 3600, &v)))
        return rc;
      a->timeout_s = (long)v;
      break;
    case OPT_MSG3_SP:
      a->msg3_sp = optarg;
      break;
    case OPT_SAVE_MSG3:
      a->save_msg3 = optarg;
      break;
    case OPT_TAMPER:
      if (strcmp(optarg, "gb") && strcmp(optarg, "quote"))
        return cli_usage_error(VERB, "--tamper '%s': expected gb or quote",
                               optarg);
      a->tamper = optarg;
      break;
    case OPT_HEX:
      a->hex = 1;
      break;
    case OPT_SESSION:
      a->session = optarg;
      break;
    case OPT_JSON_FILE:
      a->json_file = optarg;
      break;
    case 'o':
      a->out = optarg;
      break;
    case 'h':
      usage(stdout);
      *done = 1;
      return CLI_EXIT_OK;
    default:
      return cli_option_error(VERB, c, argv);
    }
  }
  if (optind < argc) a->file = argv[optind++];
  if (optind < argc)
    return cli_usage_error(VERB, "unexpected argument '%s'", argv[optind]);
  return 0;
}

/* Open the attester: the platform, its QE and the enclave.  Returns 0, the
 * usage error, or -1 when loading failed (the message in cx). */
static int open_attester(sgxra_ctx *cx, const args *a, sgxra_attester **out) {
  *out = NULL;
  if (!a->platform || !a->enclave || !a->sigstruct)
    return cli_usage_error(VERB,
                           "%s needs --platform, --enclave and "
                           "--sigstruct",
                           a->sub);
  uint8_t *sig = NULL;
  size_t sn = 0;
  int rc = cli_read_file(VERB, cx, a->sigstruct, SIG_CAP, &sig, &sn);
  if (rc) return rc;
  sgxra_attester_options o;
  memset(&o, 0, sizeof o);
  o.platform_dir = a->platform;
  o.enclave_path = a->enclave;
  o.sigstruct = sig;
  o.sigstruct_len = sn;
  sgxra_err e = sgxra_attester_open(cx, &o, out);
  free(sig);
  return e ? -1 : 0;
}

/* ---- attest ------------------------------------------------------------ */

typedef struct run {
  const args *a;
  sgxra_ctx *cx; /* for the tamper hook's key */
  json_t *steps; /* [{"step", "bytes"}] */
  const sgxra_sp_client_outcome *oc;
  int save_failed;
  char save_err[SGXRA_CTX_MSG_SIZE + 64];
  uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE];
} run;

static void short_hex(const uint8_t *p, size_t n, char *out, size_t cap) {
  size_t k = n < 8 ? n : 8;
  if (cap < 2 * k + 4) {
    out[0] = 0;
    return;
  }
  sgxra_hex_encode(p, k, out);
  if (k < n) strcat(out, "...");
}

static void on_step(void *arg, sgxra_sp_client_step s, const uint8_t *msg,
                    size_t n) {
  run *r = arg;
  const args *a = r->a;
  char h[64];
  if (r->steps) {
    json_t *o = json_pack("{s:s, s:I}", "step", sgxra_sp_client_step_name(s),
                          "bytes", (json_int_t)n);
    json_array_append_new(r->steps, o);
  }
  if (s == SGXRA_SP_CLIENT_STEP_MSG3 && a->save_msg3) {
    sgxra_ctx *cx = sgxra_ctx_new();
    if (sgxra_file_write(cx, a->save_msg3, msg, n, 0)) {
      r->save_failed = 1;
      snprintf(r->save_err, sizeof r->save_err, "%s [%s]",
               sgxra_ctx_message(cx), sgxra_err_name(sgxra_ctx_error(cx)));
    }
    sgxra_ctx_free(cx);
  }
  if (s == SGXRA_SP_CLIENT_STEP_MSG1 && n >= SGXRA_RA_EC_PUBLIC_SIZE)
    memcpy(r->g_a, msg, SGXRA_RA_EC_PUBLIC_SIZE);
  if (a->json) return;
  switch (s) {
  case SGXRA_SP_CLIENT_STEP_SESSION:
    printf("%-*s session %s opened by the SP\n", W, "msg0 sent",
           r->oc->session);
    break;
  case SGXRA_SP_CLIENT_STEP_MSG1:
    short_hex(msg, n, h, sizeof h);
    printf("%-*s Ga %s (the enclave's fresh P-256 key, made inside it)\n", W,
           "msg1 sent", h);
    break;
  case SGXRA_SP_CLIENT_STEP_MSG2:
    short_hex(msg, n, h, sizeof h);
    printf("%-*s %zu bytes: Gb %s, SP signature over Gb||Ga, MAC\n", W,
           "msg2 received", n, h);
    break;
  case SGXRA_SP_CLIENT_STEP_REPORT:
    printf("%-*s by the enclave: the SP's signature (pinned key) and the "
           "MAC;\n%-*s REPORT for the QE, REPORTDATA = "
           "SHA-256(Ga||Gb||VK)\n",
           W, "msg2 verified", W, "");
    break;
  case SGXRA_SP_CLIENT_STEP_QUOTE:
    printf("%-*s %zu bytes, DCAP v%u, by the platform's quoting enclave\n", W,
           "quote made", n, n >= 2 ? (unsigned)(msg[0] | msg[1] << 8) : 0);
    break;
  case SGXRA_SP_CLIENT_STEP_MSG3:
    printf("%-*s %zu bytes (MAC under SMK, Ga, the quote)%s\n", W, "msg3 sent",
           n, a->save_msg3 ? "; a copy kept (--save-msg3)" : "");
    break;
  case SGXRA_SP_CLIENT_STEP_MSG4:
    printf("%-*s %zu bytes\n", W, "msg4 received", n);
    break;
  case SGXRA_SP_CLIENT_STEP_DONE:
    if (r->oc->result.trusted && r->oc->result.sealed)
      printf("%-*s by the enclave: msg4's MAC (MK); the secret decrypted "
             "(SK) and sealed\n",
             W, "msg4 verified");
    else
      printf("%-*s by the enclave: msg4's MAC (MK): the decision is the "
             "SP's\n",
             W, "msg4 verified");
    break;
  }
  fflush(stdout);
}

static void on_tamper(void *arg, sgxra_sp_client_step s, uint8_t *msg,
                      size_t n) {
  run *r = arg;
  const args *a = r->a;
  if (!a->tamper) return;
  if (!strcmp(a->tamper, "gb") && s == SGXRA_SP_CLIENT_STEP_MSG2 &&
      n >= SGXRA_RA_EC_PUBLIC_SIZE) {
    /* the man in the middle's own key in place of the SP's Gb */
    sgxra_p256_key *k = NULL;
    if (sgxra_p256_generate(r->cx, &k) == SGXRA_OK) {
      sgxra_ra_public_to_wire(k, msg + SGXRA_RA_MSG2_GB_OFFSET);
      sgxra_p256_free(k);
    } else {
      msg[0] ^= 1;
    }
    if (!a->json)
      printf("%-*s ATTACK SIMULATION: Gb in msg2 replaced by the attacker's "
             "key\n",
             W, "(tamper gb)");
  } else if (!strcmp(a->tamper, "quote") && s == SGXRA_SP_CLIENT_STEP_MSG3 &&
             n > SGXRA_RA_MSG3_QUOTE_OFFSET) {
    /* one bit of the quote's REPORTDATA (or its last byte if shorter) */
    size_t off = SGXRA_RA_MSG3_QUOTE_OFFSET + SGXRA_RA_QUOTE_REPORTDATA_OFFSET;
    if (off >= n) off = n - 1;
    msg[off] ^= 1;
    if (!a->json)
      printf("%-*s ATTACK SIMULATION: the quote in msg3 altered (byte %zu)\n",
             W, "(tamper quote)", off);
  }
  fflush(stdout);
}

static json_t *reasons_json(const sgxra_ra_result *res) {
  json_t *arr = json_array();
  for (uint32_t i = 0; i < res->reason_count && i < SGXRA_RA_REASON_MAX; i++) {
    const char *nm = sgxra_reason_name((sgxra_reason_code)res->reasons[i]);
    json_array_append_new(arr, json_string(nm[0] ? nm : "UNKNOWN"));
  }
  return arr;
}

static int cmd_attest(const args *a) {
  if (!a->sp) return cli_usage_error(VERB, "attest needs --sp URL");
  if (a->file)
    return cli_usage_error(VERB, "attest takes no FILE (the sealed secret "
                                 "goes to -o)");
  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  sgxra_attester *att = NULL;
  sgxra_sp_client *spc = NULL;
  sgxra_sp_client_outcome oc;
  memset(&oc, 0, sizeof oc);
  run r;
  memset(&r, 0, sizeof r);
  r.a = a;
  r.cx = cx;
  int rc = 0, load_failed = 0;
  sgxra_sp_client_options so;
  memset(&so, 0, sizeof so);
  so.url = a->sp;
  so.msg3_url = a->msg3_sp;
  so.ca_file = a->ca_file;
  so.insecure = a->insecure;
  so.timeout_ms = a->timeout_s * 1000;
  if (sgxra_sp_client_new(cx, &so, &spc)) {
    rc = cli_fail(VERB, "--sp", cx, CLI_EXIT_USAGE);
    goto out;
  }
  r.steps = json_array();
  r.oc = &oc;
  sgxra_err e = SGXRA_OK;
  rc = open_attester(cx, a, &att);
  if (rc > 0) goto out;
  if (rc < 0) {
    /* the platform or the enclave did not load (EINIT refused, ...) */
    load_failed = 1;
    e = sgxra_ctx_error(cx);
  } else {
    sgxra_ra_client_ops ops;
    memset(&ops, 0, sizeof ops);
    sgxra_attester_client_ops(att, &ops);
    sgxra_sp_client_hooks hooks = {&r, on_step, a->tamper ? on_tamper : NULL};
    if (!a->json) printf("%-*s %s\n", W, "service provider", a->sp);
    e = sgxra_sp_client_attest(cx, spc, &ops, &hooks, &oc);
  }
  /* the outcome */
  int trusted = !e && oc.completed && oc.result.trusted;
  int sealed_written = 0;
  char werr[SGXRA_CTX_MSG_SIZE + 64] = "";
  if (!e && trusted && oc.result.sealed && a->out) {
    sgxra_ctx *wc = sgxra_ctx_new();
    if (sgxra_file_write(wc, a->out, oc.result.sealed, oc.result.sealed_len, 1))
      snprintf(werr, sizeof werr, "%s [%s]", sgxra_ctx_message(wc),
               sgxra_err_name(sgxra_ctx_error(wc)));
    else
      sealed_written = 1;
    sgxra_ctx_free(wc);
  }
  if (e)
    rc = CLI_EXIT_USAGE;
  else if (!trusted)
    rc = CLI_EXIT_REFUSED;
  else if (werr[0] || r.save_failed)
    rc = CLI_EXIT_USAGE;
  else
    rc = CLI_EXIT_OK;
  {
    json_t *o = json_object();
    json_object_set_new(o, "sp", json_string(a->sp));
    json_object_set_new(o, "session",
                        oc.session[0] ? json_string(oc.session) : json_null());
    json_object_set_new(o, "expires", json_integer(oc.expires));
    json_object_set_new(o, "steps", r.steps);
    r.steps = NULL;
    json_object_set_new(o, "completed", json_boolean(!e && oc.completed));
    if (!e && oc.completed) {
      json_object_set_new(o, "decision",
                          json_string(trusted ? "trusted" : "refused"));
      json_object_set_new(o, "reasons", reasons_json(&oc.result));
      json_object_set_new(o, "sealed",
                          sealed_written ? json_string(a->out) : json_null());
      json_object_set_new(o, "sealed_bytes",
                          json_integer((json_int_t)oc.result.sealed_len));
    } else {
      json_object_set_new(o, "decision", json_null());
      json_object_set_new(o, "reasons", json_array());
      json_object_set_new(o, "sealed", json_null());
      json_object_set_new(o, "sealed_bytes", json_integer(0));
    }
    if (e) {
      json_object_set_new(
          o, "error",
          json_pack("{s:s, s:s, s:s, s:I, s:s}", "code",
                    sgxra_err_name(sgxra_ctx_error(cx)), "message",
                    sgxra_ctx_message(cx), "step",
                    load_failed ? "load"
                                : sgxra_sp_client_step_name(oc.failed_step),
                    "http_status", (json_int_t)oc.sp.http_status, "sp_code",
                    oc.sp.code));
    } else {
      json_object_set_new(o, "error", json_null());
    }
    if (a->json_file) {
      char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      sgxra_ctx *wc = sgxra_ctx_new();
      if (!text || sgxra_file_write(wc, a->json_file, (const uint8_t *)text,
                                    strlen(text), 0)) {
        fprintf(stderr, "sgxra %s: --json-file %s: %s\n", VERB, a->json_file,
                text ? sgxra_ctx_message(wc) : "out of memory");
        if (rc == CLI_EXIT_OK) rc = CLI_EXIT_USAGE;
      }
      free(text);
      sgxra_ctx_free(wc);
    }
    if (a->json)
      cli_json_print(o);
    else
      json_decref(o);
  }
  if (!a->json && !e) {
    if (trusted) {
      printf("%-*s TRUSTED: the SP found the enclave registered and the "
             "quote genuine\n",
             W, "decision");
    } else {
      printf("%-*s REFUSED by the SP:", W, "decision");
      for (uint32_t i = 0; i < oc.result.reason_count; i++)
        printf(" %s",
               sgxra_reason_name((sgxra_reason_code)oc.result.reasons[i]));
      printf("\n");
      for (uint32_t i = 0; i < oc.result.reason_count; i++)
        printf("%-*s - %s: %s\n", W, "",
               sgxra_reason_name((sgxra_reason_code)oc.result.reasons[i]),
               sgxra_reason_text((sgxra_reason_code)oc.result.reasons[i]));
    }
    if (trusted && sealed_written)
      printf("%-*s sealed by the enclave to %s (%zu bytes; only this "
             "enclave on this platform can open it)\n",
             W, "secret", a->out, oc.result.sealed_len);
    else if (trusted && !oc.result.sealed)
      printf("%-*s none provisioned\n", W, "secret");
    else if (trusted && !a->out)
      printf("%-*s sealed (%zu bytes), not written (no -o)\n", W, "secret",
             oc.result.sealed_len);
  }
  if (e) {
    const char *what = "attestation";
    char wbuf[64];
    if (oc.sp.http_status) {
      what = NULL; /* "SP refused msgN: HTTP ..." says it */
    } else if (load_failed) {
      what = NULL; /* the message names the enclave */
    } else if (oc.failed_step) {
      snprintf(wbuf, sizeof wbuf, "step %s",
               sgxra_sp_client_step_name(oc.failed_step));
      what = wbuf;
    }
    cli_fail(VERB, what, cx, CLI_EXIT_USAGE);
  }
  if (werr[0]) fprintf(stderr, "sgxra %s: %s: %s\n", VERB, a->out, werr);
  if (r.save_failed)
    fprintf(stderr, "sgxra %s: --save-msg3: %s\n", VERB, r.save_err);
out:
  json_decref(r.steps);
  sgxra_sp_client_outcome_free(&oc);
  sgxra_sp_client_free(spc);
  sgxra_attester_free(att);
  sgxra_ctx_free(cx);
  return rc;
}

/* ---- unseal ------------------------------------------------------------ */

static int cmd_unseal(const args *a) {
  if (!a->file) return cli_usage_error(VERB, "unseal needs the SEALED file");
  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  sgxra_attester *att = NULL;
  uint8_t *blob = NULL, *secret = NULL;
  size_t bn = 0, sn = 0;
  int rc = cli_read_file(VERB, cx, a->file, SEALED_CAP, &blob, &bn);
  if (!rc) rc = open_attester(cx, a, &att);
  if (rc < 0) rc = cli_fail(VERB, a->enclave, cx, CLI_EXIT_USAGE);
  if (!rc && sgxra_attester_unseal(cx, att, blob, bn, &secret, &sn))
    rc = cli_fail(VERB, a->file, cx, CLI_EXIT_REFUSED);
  if (!rc) {
    if (a->hex) {
      char *h = malloc(2 * sn + 1);
      if (h) {
        sgxra_hex_encode(secret, sn, h);
        printf("%s\n", h);
        free(h);
      }
    } else {
      fwrite(secret, 1, sn, stdout);
      if (sn && secret[sn - 1] != '\n') printf("\n");
    }
  }
  if (secret) sgxra_wipe(secret, sn);
  free(secret);
  free(blob);
  sgxra_attester_free(att);
  sgxra_ctx_free(cx);
  return rc;
}

/* ---- replay-msg3 (attack simulation) ----------------------------------- */

static int cmd_replay(const args *a) {
  if (!a->sp || !a->session || !a->file)
    return cli_usage_error(VERB, "replay-msg3 needs --sp URL, --session ID "
                                 "and the MSG3 file");
  sgxra_ctx *cx = cli_ctx_new(VERB);
  if (!cx) return CLI_EXIT_USAGE;
  uint8_t *m3 = NULL, *m4 = NULL;
  size_t n3 = 0, n4 = 0;
  sgxra_sp_client *spc = NULL;
  sgxra_sp_client_error se;
  memset(&se, 0, sizeof se);
  int rc = cli_read_file(VERB, cx, a->file, SEALED_CAP, &m3, &n3);
  if (!rc) {
    sgxra_sp_client_options so;
    memset(&so, 0, sizeof so);
    so.url = a->sp;
    so.ca_file = a->ca_file;
    so.insecure = a->insecure;
    so.timeout_ms = a->timeout_s * 1000;
    if (sgxra_sp_client_new(cx, &so, &spc))
      rc = cli_fail(VERB, "--sp", cx, CLI_EXIT_USAGE);
  }
  if (!rc) {
    sgxra_err e =
        sgxra_sp_client_post(cx, spc, a->session, 3, m3, n3, &m4, &n4, &se);
    if (a->json) {
      json_t *o =
          json_pack("{s:s, s:b, s:I, s:s, s:s}", "session", a->session,
                    "accepted", !e, "http_status", (json_int_t)se.http_status,
                    "code", e ? sgxra_err_name(e) : "SGXRA_OK", "message",
                    e ? sgxra_ctx_message(cx) : "");
      cli_json_print(o);
    } else if (!e) {
      printf("the SP accepted the replayed msg3 (%zu bytes of msg4)\n", n4);
    }
    if (e) rc = cli_fail(VERB, "replayed msg3", cx, CLI_EXIT_USAGE);
  }
  free(m3);
  free(m4);
  sgxra_sp_client_free(spc);
  sgxra_ctx_free(cx);
  return rc;
}

int cli_cmd_client(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  args a;
  memset(&a, 0, sizeof a);
  a.sub = argv[1];
  if (strcmp(a.sub, "attest") && strcmp(a.sub, "unseal") &&
      strcmp(a.sub, "replay-msg3"))
    return cli_usage_error(VERB,
                           "unknown sub-command '%s': expected attest, "
                           "unseal or replay-msg3",
                           a.sub);
  int done, rc = parse_args(argc - 1, argv + 1, &a, &done);
  if (rc || done) return rc;
  if (!strcmp(a.sub, "attest")) return cmd_attest(&a);
  if (!strcmp(a.sub, "unseal")) return cmd_unseal(&a);
  return cmd_replay(&a);
}
