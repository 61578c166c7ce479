/* Option values shared by the commands: strict numbers (the whole text, finite) and the
 * potential built from one or several -p specifications. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cli_parse_double(const char *command, const char *option, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno || !isfinite(v)) {
        fprintf(stderr, "mlpot %s: %s: '%s' is not a number\n", command, option, text);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_long(const char *command, const char *option, const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno) {
        fprintf(stderr, "mlpot %s: %s: '%s' is not an integer\n", command, option, text);
        return 0;
    }
    *out = v;
    return 1;
}

mlpot_status cli_load_potential(const char *const *specs, int n_specs, mlpot_potential **out, mlpot_error *err)
{
    mlpot_potential *members[CLI_MAX_POTENTIALS];
    *out = NULL;
    for (int k = 0; k < n_specs; ++k) {
        mlpot_status st = mlpot_potential_load(specs[k], &members[k], err);
        if (st) {
            for (int q = 0; q < k; ++q) mlpot_potential_free(members[q]);
            return st;
        }
    }
    if (n_specs == 1) return *out = members[0], MLPOT_OK;
    return mlpot_potential_sum(members, n_specs, out, err);
}
