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
 * Usage errors end with "try 'sgxra <verb> --help'".
 */
#ifndef SGXRA_APPS_CLI_H
#define SGXRA_APPS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sgxra/ctx.h"

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

/* "sgxra <verb>: <fmt...>\ntry 'sgxra <verb> --help'\n"; returns 2. */
int cli_usage_error(const char *verb, const char *fmt, ...) CLI_PRINTF(2, 3);

/* "sgxra <verb>: <what>: <ctx message> [SGXRA_E_NAME]"; returns the exit
 * status for the error: 2 (unusable input) unless `status` says otherwise. */
int cli_fail(const char *verb, const char *what, const sgxra_ctx *cx,
             int status);

/* Read a file with a cap, reporting failures as cli_fail does; returns 0 or
 * the exit status. */
int cli_read_file(const char *verb, sgxra_ctx *cx, const char *path,
                  size_t cap, uint8_t **out_buf, size_t *out_len);

/* Lowercase hex of p[0..n) as a jansson string. */
json_t *cli_json_hex(const uint8_t *p, size_t n);

/* Print a JSON value to stdout (indented, member order kept, newline) and
 * release it. */
void cli_json_print(json_t *v);

/* Print "label  hex" with the label padded to `width`. */
void cli_print_hex(const char *label, int width, const uint8_t *p, size_t n);

#endif
