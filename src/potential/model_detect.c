/* Detects the kind of a model file or folder and hands it to its loader. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "mlpot/gap.h"
#include "mlpot/nnp.h"
#include "potential/spec.h"

mlpot_status mlpot_model_load_path(const char *path, mlpot_spec_args *args, mlpot_potential **out,
                                   mlpot_error *err)
{
    *out = NULL;
    struct stat info;
    if (stat(path, &info) != 0)
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: no such file or folder", path);
    if (S_ISDIR(info.st_mode)) {
        char input[4096];
        snprintf(input, sizeof input, "%s/input.nn", path);
        if (stat(input, &info) == 0) { /* an n2p2 model folder */
            mlpot_nnp_options opt = {0};
            const char *x = mlpot_spec_args_get(args, "extrapolation");
            if (x && strcmp(x, "error") && strcmp(x, "count"))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: extrapolation=%s (count or error)", path, x);
            opt.extrapolation_error = x && !strcmp(x, "error");
            const char *u = mlpot_spec_args_get(args, "unknown_keywords");
            if (u && strcmp(u, "error") && strcmp(u, "ignore"))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: unknown_keywords=%s (error or ignore)", path, u);
            opt.ignore_unknown_keywords = u && !strcmp(u, "ignore");
            mlpot_status st;
            if (mlpot_spec_args_get(args, "total_charge")) {
                opt.has_total_charge = 1;
                if ((st = mlpot_spec_args_double(args, "nnp", "total_charge", 0, 0.0, &opt.total_charge, err))) return st;
            }
            if ((st = mlpot_spec_args_double(args, "nnp", "ewald_accuracy", 0, 0.0, &opt.ewald_accuracy, err))) return st;
            if (opt.ewald_accuracy < 0)
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: ewald_accuracy=%g must be positive", path, opt.ewald_accuracy);
            return mlpot_nnp_load(path, &opt, out, err);
        }
    }
    /* GAP: a QUIP XML file (<GAP_params>/<gpSparse>) or an mlpot GAP file ("mlpot-gap N") */
    if (S_ISREG(info.st_mode) && mlpot_gap_detect(path)) {
        mlpot_gap_options opt;
        mlpot_gap_options_default(&opt);
        mlpot_status st = mlpot_spec_args_double(args, "gap", "variance_regularisation", 0,
                                                 opt.variance_regularisation, &opt.variance_regularisation, err);
        if (st) return st;
        const char *v = mlpot_spec_args_get(args, "variance");
        if (v && strcmp(v, "auto") && strcmp(v, "yes") && strcmp(v, "no"))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: variance=%s (auto, yes or no)", path, v);
        if (v) opt.variance = !strcmp(v, "auto") ? -1 : !strcmp(v, "yes");
        return mlpot_gap_load(path, &opt, out, err);
    }
    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                      "%s: not a model mlpot recognises (expected an n2p2 folder with input.nn, "
                      "a GAP XML file or an mlpot model file)",
                      path);
}
