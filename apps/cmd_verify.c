/* sgxra verify: placeholder until its module lands. */
#include <stdio.h>

#include "cli.h"

int cli_cmd_verify(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "sgxra verify: not built yet\n");
  return CLI_EXIT_USAGE;
}
