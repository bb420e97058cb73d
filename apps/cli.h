/*
 * apps/cli.h -- what every `sgxra` subcommand shares: exit codes, the
 * diagnostic format, and small output helpers.
 *
 * Contract (scripts depend on it):
 *   exit 0  success
 *   exit 1  the input was usable but verification or policy said no
 *   exit 2  usage error or unusable input
 * Results go to stdout; diagnostics to stderr as
 *   "sgxra <verb>: <file>: <message> [SGXRA_E_NAME]"
 * Usage errors end with "try 'sgxra <verb> --help'".  A result that cannot
 * be written to stdout turns exit 0 into 2 (apps/main.c).
 */
#ifndef SGXRA_APPS_CLI_H
#define SGXRA_APPS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sgxra/ctx.h"
#include "sgxra/pccs.h"
#include "sgxra/sigstruct.h"
#include "sgxra/verify.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_REFUSED 1
#define CLI_EXIT_USAGE 2

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* One subcommand: `sgxra <name> ...`; argv[0] is the verb. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cli_cmd_measure(int argc, char **argv);
int cli_cmd_sign(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);
int cli_cmd_platform(int argc, char **argv);
int cli_cmd_serve(int argc, char **argv);
int cli_cmd_registry(int argc, char **argv);
int cli_cmd_policy(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
int cli_cmd_appraise(int argc, char **argv);
int cli_cmd_collateral(int argc, char **argv);
int cli_cmd_client(int argc, char **argv);
/* `sgxra collateral fetch ...` (apps/cmd_collateral_fetch.c); argv[0] is
 * "fetch". */
int cli_collateral_fetch(int argc, char **argv);

/* "sgxra <verb>: <fmt...>\ntry 'sgxra <verb> --help'\n"; returns 2. */
int cli_usage_error(const char *verb, const char *fmt, ...) CLI_PRINTF(2, 3);

/* "sgxra <verb>: <what>: <ctx message> [SGXRA_E_NAME]"; returns the exit
 * status for the error: 2 (unusable input) unless `status` says otherwise. */
int cli_fail(const char *verb, const char *what, const sgxra_ctx *cx,
             int status);

/* The usage error for an option getopt_long refused: ':' (an option
 * without its value) or any other unknown option; returns 2. */
int cli_option_error(const char *verb, int c, char **argv);

/* The one parser of every numeric flag (docs/CLI.md, "Numbers"): `s` is
 * decimal digits ("4660"; leading zeros are still decimal, never octal) or
 * "0x"/"0X" and hex digits ("0x1234"), nothing else -- no sign, space,
 * suffix or empty string -- and its value lies in [min, max].  Returns 0
 * with *out set; otherwise prints the usage error naming the flag, the
 * value and the range, e.g.
 *   "sgxra measure: --ssaframesize '0': out of range: expected a number from
 *    1 to 255 (decimal or 0x hex)"
 * and returns 2.  `flag` is the option as typed ("--ssaframesize"). */
int cli_parse_uint(const char *verb, const char *flag, const char *s,
                   uint64_t min, uint64_t max, uint64_t *out);

/* The one FILE operand after the options (argv[optind]); returns 0 or the
 * usage error. */
int cli_one_file(const char *verb, int argc, char **argv,
                 const char **out_path);

/* A new context, or NULL after "sgxra <verb>: out of memory". */
sgxra_ctx *cli_ctx_new(const char *verb);

/* Read a file with a cap, reporting failures as cli_fail does; returns 0 or
 * the exit status. */
int cli_read_file(const char *verb, sgxra_ctx *cx, const char *path, size_t cap,
                  uint8_t **out_buf, size_t *out_len);

/* ---- quotes as users hand them over (apps/quotein.c) ------------------- */

/* Read QUOTE -- a file, or stdin for "-" -- as a binary quote or its hex
 * (either case, optional 0x, whitespace anywhere) or base64 text (standard
 * or URL-safe, padded or not, whitespace anywhere); see apps/quotein.c for
 * the decision.  Returns 0 with the binary quote in *out (free()), or 2
 * after the message, e.g. "sgxra verify: q.txt: not a quote: neither
 * binary (version 3-5), hex nor base64 (hex: ...; base64: ...)
 * [SGXRA_E_QUOTE_FORMAT]". */
int cli_read_quote(const char *verb, sgxra_ctx *cx, const char *path,
                   uint8_t **out, size_t *out_len);

/* The bytes of the last quote cli_read_quote returned in this process
 * (borrowed, valid until the next cli_read_quote): 1, or 0 when none. */
int cli_quote_last(const uint8_t **out, size_t *out_len);

/* 1 when p[0..n) starts like a binary quote: version 3..5, attestation key
 * type 2 or 3 (little-endian). */
int cli_quote_looks_binary(const uint8_t *p, size_t n);

/* 1 when p[0..n) is non-empty text: printable ASCII, space, tab, CR, LF. */
int cli_is_text(const uint8_t *p, size_t n);

/* Decode the hex or base64 text of a quote (cli_read_quote's steps 2-3):
 * 0 with the bytes in *out (free()), else -1 with the reason in why[]. */
int cli_quote_from_text(const uint8_t *p, size_t n, uint8_t **out,
                        size_t *out_len, char *why, size_t why_size);

/* Read FILE, or stdin for "-", with a cap, reporting failures as
 * cli_read_file does; returns 0 or the exit status (apps/quotein.c). */
int cli_read_input(const char *verb, sgxra_ctx *cx, const char *path,
                   size_t cap, uint8_t **out_buf, size_t *out_len);

/* Lowercase hex of p[0..n) as a jansson string. */
json_t *cli_json_hex(const uint8_t *p, size_t n);

/* Print a JSON value to stdout (indented, member order kept, newline) and
 * release it.  If it cannot be formatted, cli_output_failed is set and
 * main() turns the exit status into a failure. */
void cli_json_print(json_t *v);
extern int cli_output_failed;

/* Print "label  hex" with the label padded to `width`. */
void cli_print_hex(const char *label, int width, const uint8_t *p, size_t n);

/* ---- results (apps/output.c): "label value" lines, or one JSON object --- */

typedef struct cli_out {
  json_t *json; /* the object being filled; NULL for human lines */
  int width;    /* label width of the human lines */
} cli_out;

/* Byte strings as lowercase hex, counters as numbers, bit fields and codes
 * as "0x..." (strings in JSON: 64-bit masks do not survive a number). */
void cli_put_hex(cli_out *o, const char *key, const uint8_t *p, size_t n);
void cli_put_num(cli_out *o, const char *key, uint64_t v);
void cli_put_hexnum(cli_out *o, const char *key, uint64_t v);
void cli_put_str(cli_out *o, const char *key, const char *s);
void cli_put_bool(cli_out *o, const char *key, int b);
/* Small counters (TCB component SVNs) as a JSON array of numbers, or
 * "label 11 11 2 ...". */
void cli_put_nums(cli_out *o, const char *key, const uint8_t *v, size_t n);

/* {"flags": "0x..", "xfrm": "0x.."}; `names` adds the flags' names to the
 * human line. */
void cli_put_attributes(cli_out *o, const char *key, const sgxra_attributes *a,
                        int names);

/* Print the JSON object (unless rc is 2, unusable input) and release it;
 * returns rc. */
int cli_out_end(cli_out *o, int rc);

/* "sgxra <verb>: warning: <path>: MRSIGNER is a well-known public debug
 * key (<name>) ..." on stderr. */
void cli_warn_debug_signer(const char *verb, const char *path,
                           const char *name);

/* A SIGSTRUCT as `inspect` and `measure` report it. */
typedef struct cli_sigstruct {
  sgxra_sigstruct s;
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  sgxra_err verr;                    /* sgxra_sigstruct_verify's answer */
  char why[SGXRA_CTX_MSG_SIZE + 64]; /* "<message> [<code>]" if verr */
  const char *debug_name;            /* a well-known debug signer, or NULL */
} cli_sigstruct;

/* Decode, verify and hash the SIGSTRUCT p[0..n).  A failed decode or
 * MRSIGNER, and with `header_fatal` wrong header constants, are reported as
 * cli_fail does; returns 0 or that exit status.  Any other verification
 * failure is kept in out->verr / out->why. */
int cli_sigstruct_load(const char *verb, sgxra_ctx *cx, const char *path,
                       const uint8_t *p, size_t n, int header_fatal,
                       cli_sigstruct *out);

/* isvprodid, isvsvn, vendor, date, attributes, attributemask, miscselect,
 * miscmask, signature_valid, debug_signer[, debug_signer_name]; `annotate`
 * names the attribute flags and spells the date in the human lines. */
void cli_put_sigstruct_identity(cli_out *o, const cli_sigstruct *ss,
                                int annotate);

/* The last of a SIGSTRUCT: "signature_error" if it does not verify, the
 * debug-signer warning and the failure on stderr; returns 0 or 1. */
int cli_sigstruct_end(const char *verb, cli_out *o, const char *path,
                      const cli_sigstruct *ss);

/* The verification time of `verify` and `appraise` --at (apps/verdict.c):
 * what sgxra_time_parse_arg takes, and also any integer with a sign
 * ("-1", "-0"), passed through unchecked: Intel's QvE answers a time <= 0
 * with SGX_QL_ERROR_INVALID_PARAMETER, and so does the verdict.  Returns 0
 * with *out set, or the usage error (2) naming --at. */
int cli_parse_verify_time(const char *verb, sgxra_ctx *cx, const char *s,
                          int64_t *out);

/* --strict of `verify` (sgxra_verify_strict): run sgxra's
 * stricter checks on the last quote read (cli_quote_last), the collateral
 * `coll` and, when `dir` is given, that folder's raw files.  Returns 0 with
 * *out filled, or 2 after the message. */
int cli_strict_run(const char *verb, sgxra_ctx *cx,
                   const sgxra_collateral *coll, const char *dir, int64_t now,
                   const sgxra_verdict *vd, sgxra_strict_report *out);
/* The findings as JSON: [{"check": NAME, "message": TEXT}, ...]. */
json_t *cli_strict_json(const sgxra_strict_report *r);
/* The findings as "strict: NAME: message" lines on stdout. */
void cli_strict_print(const sgxra_strict_report *r);
/* The help text of --strict. */
#define CLI_STRICT_HELP                                                        \
  "      --strict           also run sgxra's stricter checks "                 \
  "(docs/VERIFY.md,\n"                                                         \
  "                         \"--strict\") on top of Intel's verdict, which\n"  \
  "                         they never change; when one fires the quote is\n"  \
  "                         refused (exit 1) and --json lists them in\n"       \
  "                         \"strict\": [{check, message}]:\n"                 \
  "                         advisory_list_cut (Intel's verdict dropped\n"      \
  "                         advisory IDs of the TCB level: an ID over 20\n"    \
  "                         characters, a list over 320 bytes),\n"             \
  "                         not_yet_valid (time before a certificate's\n"      \
  "                         notBefore, a CRL's thisUpdate, TCB Info's or QE\n" \
  "                         Identity's issueDate), date_trailing_text (a\n"    \
  "                         JSON date not exactly YYYY-MM-DDThh:mm:ssZ),\n"    \
  "                         duplicate_member (a JSON member name repeated),\n" \
  "                         quote_unread_bytes (quote bytes no check reads)\n"

/* The `verify --json` object of a verdict (docs/VERIFY.md), shared with
 * `appraise` (apps/verdict.c). */
json_t *cli_verdict_json(const sgxra_verdict *vd);

/* Intel's supplemental data (sgxra/supplemental.h) of a verdict as the
 * `verify --json` "supplemental" object (docs/VERIFY.md), or JSON null
 * when the verification stopped before the TCB level or the data cannot
 * be computed (then `why`, if not NULL, gets the reason). */
json_t *cli_supplemental_json(const uint8_t *quote, size_t quote_len,
                              const sgxra_collateral *coll,
                              const sgxra_verdict *vd, char *why,
                              size_t why_size);

/* The verdict on one line, first in the human output of `verify`:
 *   "OK UpToDate — accepted"
 *   "REFUSED OutOfDate: tcb_status_not_accepted, collateral_expired"
 *   "REFUSED SGX_QL_PCK_REVOKED: SGXRA_E_VERIFY_PCK_REVOKED"
 * green / red only when stdout is a terminal and NO_COLOR is unset.
 * `reasons` are the appraisal's refusal codes (n of them). */
void cli_print_verdict_line(const sgxra_verdict *vd, int accepted,
                            const char *const *reasons, size_t n);

/* Read QUOTE, the collateral folder and the optional trust root, and verify
 * at `now` (apps/verdict.c; `verify` and `appraise`).  Returns 0 with *out
 * filled (its err says whether Intel's verification succeeded; *out_coll is
 * the loaded collateral, free with sgxra_collateral_free), or 2 after the
 * message for unusable input. */
int cli_verify_bundle(const char *verb, sgxra_ctx *cx, const char *quote_path,
                      const char *dir, const char *root_path, int64_t now,
                      sgxra_verdict *out, sgxra_collateral **out_coll);

/* ---- collateral from a PCS/PCCS (apps/cmd_collateral_fetch.c) ----------- */

/* The PCCS flags `collateral fetch` and `verify` share. */
typedef struct cli_pccs_opts {
  const char *pccs_url;  /* --pccs URL */
  const char *api_key;   /* --api-key KEY */
  const char *qcnl_conf; /* --qcnl-conf PATH */
  const char *cache_url; /* --cache URL */
  const char *update;    /* --update standard|early */
  int insecure;          /* --insecure */
  int no_cache;          /* --no-cache */
} cli_pccs_opts;

enum {
  CLI_OPT_PCCS = 0x500,
  CLI_OPT_API_KEY,
  CLI_OPT_QCNL_CONF,
  CLI_OPT_INSECURE,
  CLI_OPT_CACHE,
  CLI_OPT_NO_CACHE,
  CLI_OPT_UPDATE
};
#define CLI_PCCS_LONG_OPTIONS                                                  \
  {"pccs", required_argument, NULL, CLI_OPT_PCCS},                             \
      {"api-key", required_argument, NULL, CLI_OPT_API_KEY},                   \
      {"qcnl-conf", required_argument, NULL, CLI_OPT_QCNL_CONF},               \
      {"insecure", no_argument, NULL, CLI_OPT_INSECURE},                       \
      {"cache", required_argument, NULL, CLI_OPT_CACHE},                       \
      {"no-cache", no_argument, NULL, CLI_OPT_NO_CACHE}, {                     \
    "update", required_argument, NULL, CLI_OPT_UPDATE                          \
  }

/* Take getopt's `c` if it is a PCCS flag (returns 1), else 0. */
int cli_pccs_option(cli_pccs_opts *o, int c, const char *arg);

/* 1 when a PCCS is configured: a flag, $SGXRA_PCCS_URL or a readable
 * /etc/sgx_default_qcnl.conf. */
int cli_pccs_configured(const cli_pccs_opts *o);

/* The validated collateral of `key` / of the quote's platform through the
 * cache; 0 with *out (sgxra_pccs_result_free), or the exit status after
 * the message (a refresh that failed is a warning on stderr). */
int cli_pccs_get(const char *verb, sgxra_ctx *cx, const cli_pccs_opts *o,
                 const sgxra_store_collateral_key *key,
                 const sgxra_x509_cert *root, int64_t now,
                 sgxra_pccs_result **out);
int cli_pccs_get_for_quote(const char *verb, sgxra_ctx *cx,
                           const cli_pccs_opts *o, const uint8_t *quote,
                           size_t n, const sgxra_x509_cert *root, int64_t now,
                           sgxra_pccs_result **out);

/* cli_verify_bundle with the collateral through the PCCS client; *out_info
 * says where it came from (apps/verdict.c). */
int cli_verify_pccs(const char *verb, sgxra_ctx *cx, const char *quote_path,
                    const cli_pccs_opts *po, const char *root_path, int64_t now,
                    sgxra_verdict *out, sgxra_collateral **out_coll,
                    sgxra_pccs_info *out_info);

/* {"source", "from_cache", "cache", "fetched_at", ...} / one human line. */
json_t *cli_pccs_info_json(const sgxra_pccs_info *in);
void cli_pccs_info_print(const char *label, int width,
                         const sgxra_pccs_info *in);

#endif
