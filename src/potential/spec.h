/* Parsing of potential specification arguments ("a.sw,key=value,...") for style loaders. */
#ifndef MLPOT_POTENTIAL_SPEC_H
#define MLPOT_POTENTIAL_SPEC_H

#include "mlpot/potential.h"

typedef struct mlpot_spec_args {
    char *buffer;       /* owned copy the pointers below point into */
    int n_positional;
    char **positional;  /* arguments without '=' (file names) */
    int n_keys;
    char **keys;
    char **values;
    int *used;          /* which keys a loader consumed */
} mlpot_spec_args;

mlpot_status mlpot_spec_args_parse(const char *text, mlpot_spec_args *a, mlpot_error *err);
void mlpot_spec_args_free(mlpot_spec_args *a);
/* Value of key (marking it used), or NULL. */
const char *mlpot_spec_args_get(mlpot_spec_args *a, const char *key);
mlpot_status mlpot_spec_args_double(mlpot_spec_args *a, const char *style, const char *key,
                                    int required, double fallback, double *out, mlpot_error *err);
mlpot_status mlpot_spec_args_bool(mlpot_spec_args *a, const char *style, const char *key,
                                  int fallback, int *out, mlpot_error *err);
/* Fails on keys no loader used and on more positional arguments than allowed. */
mlpot_status mlpot_spec_args_finish(const mlpot_spec_args *a, const char *style,
                                    int max_positional, mlpot_error *err);

/* Loads a model from a file or folder, detecting its kind from the content (model_detect.c).
 * Model-specific key=value arguments are in args (never NULL; loaders mark what they use). */
mlpot_status mlpot_model_load_path(const char *path, mlpot_spec_args *args, mlpot_potential **out,
                                   mlpot_error *err);

#endif
