/* Shared helpers of the `sgxra` subcommands: see cli.h. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"

int cli_usage_error(const char *verb, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "sgxra %s: ", verb);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\ntry 'sgxra %s --help'\n", verb);
  return CLI_EXIT_USAGE;
}

int cli_fail(const char *verb, const char *what, const sgxra_ctx *cx,
             int status) {
  if (what)
    fprintf(stderr, "sgxra %s: %s: %s [%s]\n", verb, what,
            sgxra_ctx_message(cx), sgxra_err_name(sgxra_ctx_error(cx)));
  else
    fprintf(stderr, "sgxra %s: %s [%s]\n", verb, sgxra_ctx_message(cx),
            sgxra_err_name(sgxra_ctx_error(cx)));
  return status ? status : CLI_EXIT_USAGE;
}

int cli_option_error(const char *verb, int c, char **argv) {
  /* getopt leaves in optopt the letter of a short option, the `val` of a
   * long option missing its value, 0 for an unknown long option.  Inside a
   * group such as "-Zj" optind has not moved on yet, so argv[optind - 1]
   * is the option's own word only for a long option or a missing value
   * (which is always the last word). */
  const char *word = argv[optind - 1];
  int is_long = word[0] == '-' && word[1] == '-';
  if (c == ':') {
    if (is_long || optopt <= 0 || optopt >= 128)
      return cli_usage_error(verb, "option '%s' needs a value", word);
    return cli_usage_error(verb, "option '-%c' needs a value", optopt);
  }
  if (optopt > 0 && optopt < 128)
    return cli_usage_error(verb, "unknown option '-%c'", optopt);
  return cli_usage_error(verb, "unknown option '%s'", word);
}

/* The value of s if it is decimal or 0x hex digits only; -1 for any other
 * syntax, -2 for a value above UINT64_MAX. */
static int uint_syntax(const char *s, uint64_t *out) {
  unsigned base = 10;
  uint64_t v = 0;
  if ((s[0] == '0') && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (!*s) return -1;
  int overflow = 0;
  for (; *s; s++) {
    unsigned d;
    if (*s >= '0' && *s <= '9')
      d = (unsigned)(*s - '0');
    else if (base == 16 && *s >= 'a' && *s <= 'f')
      d = (unsigned)(*s - 'a' + 10);
    else if (base == 16 && *s >= 'A' && *s <= 'F')
      d = (unsigned)(*s - 'A' + 10);
    else
      return -1;
    if (v > (UINT64_MAX - d) / base) overflow = 1;
    v = v * base + d;
  }
  if (overflow) return -2;
  *out = v;
  return 0;
}

/* A bound as the user would type it: decimal up to 65535, else hex. */
static void bound(char *buf, size_t n, uint64_t v) {
  if (v <= 0xffff)
    snprintf(buf, n, "%" PRIu64, v);
  else
    snprintf(buf, n, "0x%" PRIx64, v);
}

int cli_parse_uint(const char *verb, const char *flag, const char *s,
                   uint64_t min, uint64_t max, uint64_t *out) {
  char lo[24], hi[24];
  uint64_t v = 0;
  bound(lo, sizeof lo, min);
  bound(hi, sizeof hi, max);
  int syn = s ? uint_syntax(s, &v) : -1;
  if (syn == -1)
    return cli_usage_error(verb,
                           "%s '%s': not a number: expected a number from %s "
                           "to %s, decimal or 0x hex",
                           flag, s ? s : "", lo, hi);
  if (syn == -2 || v < min || v > max)
    return cli_usage_error(verb,
                           "%s '%s': out of range: expected a number from %s "
                           "to %s (decimal or 0x hex)",
                           flag, s, lo, hi);
  *out = v;
  return 0;
}

int cli_one_file(const char *verb, int argc, char **argv,
                 const char **out_path) {
  *out_path = NULL;
  if (optind >= argc) return cli_usage_error(verb, "a FILE is required");
  if (argc - optind > 1)
    return cli_usage_error(verb, "one FILE at a time (got '%s' too)",
                           argv[optind + 1]);
  *out_path = argv[optind];
  return 0;
}

sgxra_ctx *cli_ctx_new(const char *verb) {
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) fprintf(stderr, "sgxra %s: out of memory\n", verb);
  return cx;
}

int cli_read_file(const char *verb, sgxra_ctx *cx, const char *path, size_t cap,
                  uint8_t **out_buf, size_t *out_len) {
  if (sgxra_file_read(cx, path, cap, out_buf, out_len) != SGXRA_OK)
    return cli_fail(verb, path, cx, CLI_EXIT_USAGE);
  return 0;
}

json_t *cli_json_hex(const uint8_t *p, size_t n) {
  char *s = malloc(2 * n + 1);
  if (!s) return NULL;
  sgxra_hex_encode(p, n, s);
  json_t *v = json_string(s);
  free(s);
  return v;
}

int cli_output_failed;

void cli_json_print(json_t *v) {
  char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  if (s) {
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
  } else {
    cli_output_failed = 1; /* main() reports it and fails */
  }
  json_decref(v);
}

void cli_print_hex(const char *label, int width, const uint8_t *p, size_t n) {
  char *s = malloc(2 * n + 1);
  if (!s) return;
  sgxra_hex_encode(p, n, s);
  printf("%-*s %s\n", width, label, s);
  free(s);
}
