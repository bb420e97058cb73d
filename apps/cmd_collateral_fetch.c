/* sgxra collateral fetch: a stub until the collateral client lands (it
 * replaces this file). */
#include <stdio.h>

#include "cli.h"

int cli_collateral_fetch(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "sgxra collateral fetch: not built yet\n");
  return CLI_EXIT_USAGE;
}
