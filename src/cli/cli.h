/* The CLI's commands and shared helpers. Only the CLI prints and chooses exit codes. */
#ifndef MLPOT_CLI_H
#define MLPOT_CLI_H

#include "mlpot/mlpot.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

int cli_eval(int argc, char **argv);
int cli_convert(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_descriptors(int argc, char **argv);
int cli_fit(int argc, char **argv);

/* Prints "mlpot: <message>" to stderr and returns the exit code for the status: 2 for bad
 * input (format, argument, unsupported, missing, geometry), 1 otherwise. */
int cli_report(const mlpot_error *err);

#endif
