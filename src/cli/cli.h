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
int cli_md(int argc, char **argv);
int cli_relax(int argc, char **argv);
int cli_analyze(int argc, char **argv);

/* Strict option values: the whole text must be a (finite) number. On failure they print
 * "mlpot COMMAND: OPTION: 'TEXT' is not a number" and return 0. */
int cli_parse_double(const char *command, const char *option, const char *text, double *out);
int cli_parse_long(const char *command, const char *option, const char *text, long *out);

/* The potential of one or several -p specifications (several add up). */
enum { CLI_MAX_POTENTIALS = 64 };
mlpot_status cli_load_potential(const char *const *specs, int n_specs, mlpot_potential **out,
                                mlpot_error *err);

/* Prints "mlpot: <message>" to stderr and returns the exit code for the status: 2 for bad
 * input (format, argument, unsupported, missing, geometry), 1 otherwise. */
int cli_report(const mlpot_error *err);

#endif
