/* How the CLI shows a library error and which exit code it maps to. */
#include <stdio.h>

#include "cli/cli.h"

int cli_report(const mlpot_error *err)
{
    fprintf(stderr, "mlpot: %s\n", err->message);
    switch (err->code) {
    case MLPOT_ERR_FORMAT:
    case MLPOT_ERR_ARGUMENT:
    case MLPOT_ERR_UNSUPPORTED:
    case MLPOT_ERR_MISSING:
    case MLPOT_ERR_GEOMETRY:
    case MLPOT_ERR_IO: return CLI_EXIT_USAGE;
    default: return CLI_EXIT_FAILURE;
    }
}
