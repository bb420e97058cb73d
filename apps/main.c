/* The `sgxra` command: one binary, one verb per subcommand.  See
 * docs/CLI.md and apps/cli.h for the output contract. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  cli_cmd_fn fn;
  const char *summary;
} commands[] = {
    {"measure", cli_cmd_measure, "compute MRENCLAVE of an enclave image"},
    {"sign", cli_cmd_sign, "sign an enclave: write its SIGSTRUCT"},
    {"inspect", cli_cmd_inspect,
     "print MRENCLAVE, MRSIGNER and every field of an SGX file"},
    {"verify", cli_cmd_verify,
     "verify a DCAP quote against Intel collateral (Intel QVL verdict)"},
    {"platform", cli_cmd_platform,
     "the emulated SGX platform: init, quote, collateral"},
    {"serve", cli_cmd_serve, "run a service: pcs (simulated Intel PCS)"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: sgxra <command> [options] [files]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'sgxra <command> --help' shows a command's options.\n"
             "Exit status: 0 ok, 1 verified but refused, 2 usage or unusable "
             "input.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("sgxra 0.1.0\n");
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (!strcmp(argv[1], commands[i].name))
      return commands[i].fn(argc - 1, argv + 1);
  }
  fprintf(stderr, "sgxra: unknown command '%s'\ntry 'sgxra --help'\n",
          argv[1]);
  return CLI_EXIT_USAGE;
}
