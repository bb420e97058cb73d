/* The `sgxra` command: one binary, one verb per subcommand.  See
 * docs/CLI.md and apps/cli.h for the output contract. */
#include <errno.h>
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
    {"registry", cli_cmd_registry,
     "the service provider's reference values: add, trust-signer, deny, ..."},
    {"policy", cli_cmd_policy, "the appraisal policy: set, show, history"},
    {"audit", cli_cmd_audit, "the registry's audit log: list, verify"},
    {"appraise", cli_cmd_appraise,
     "verify a quote and appraise it against the registry and policy"},
    {"collateral", cli_cmd_collateral,
     "Intel collateral: fetch from a PCS/PCCS, import, list, export"},
    {"client", cli_cmd_client,
     "remote attestation with a service provider: attest, unseal"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: sgxra <command> [options] [files]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'sgxra <command> --help' shows a command's options.\n"
             "Numbers, in every option that takes one: decimal or 0x-prefixed "
             "hex.\n"
             "Exit status: 0 ok, 1 verified but refused, 2 usage or unusable "
             "input.\n");
}

/* A result that did not reach stdout (a full disk, a closed pipe, JSON
 * that could not be formatted) must not end in success: a script would
 * read nothing, or half, and carry on. */
static int finish(const char *verb, int rc) {
  int err = fflush(stdout) != 0 ? errno : 0;
  if (!err && !ferror(stdout) && !cli_output_failed) return rc;
  fprintf(stderr, "sgxra%s%s: cannot write the result to standard output%s%s\n",
          verb ? " " : "", verb ? verb : "", err ? ": " : "",
          err ? strerror(err) : "");
  return rc == CLI_EXIT_OK ? CLI_EXIT_USAGE : rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    usage(stdout);
    return finish(NULL, CLI_EXIT_OK);
  }
  if (!strcmp(argv[1], "--version")) {
    printf("sgxra 0.1.0\n");
    return finish(NULL, CLI_EXIT_OK);
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (!strcmp(argv[1], commands[i].name))
      return finish(commands[i].name, commands[i].fn(argc - 1, argv + 1));
  }
  fprintf(stderr, "sgxra: unknown command '%s'\ntry 'sgxra --help'\n", argv[1]);
  return CLI_EXIT_USAGE;
}
