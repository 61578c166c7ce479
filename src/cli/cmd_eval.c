#include <stdio.h>

#include "cli/cli.h"

int cli_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mlpot eval: not yet wired\n");
    return CLI_EXIT_FAILURE;
}
