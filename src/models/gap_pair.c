/* QUIP's distance_2b descriptor: its parameters, and the descriptor value and covariance
 * cutoff of one pair with their derivatives. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "descriptors/soap_args.h"
#include "models/gap_model.h"
#include "models/gap_pair.h"

mlpot_status gap_pair_params_parse(const char *text, const char *context, gap_pair_params *p, mlpot_error *err)
{
    memset(p, 0, sizeof *p);
    quip_args a;
    mlpot_status st = quip_args_parse(text, 1, context, &a, err);
    if (st) return st;
    const char *ctx = context && context[0] ? context : "distance_2b";
    if (!a.name || strcasecmp(a.name, "distance_2b")) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: not a distance_2b descriptor: '%s'", ctx, text);
        goto done;
    }
    p->cutoff = 0.0;
    p->transition_width = 0.5;
    p->n_exponents = 1;
    p->tail_range = 1.0;
    int intra = 0, inter = 0;
    if ((st = quip_args_real(&a, "cutoff", &p->cutoff, NULL, err)) ||
        (st = quip_args_real(&a, "cutoff_transition_width", &p->transition_width, NULL, err)) ||
        (st = quip_args_int(&a, "Z1", &p->z1, NULL, err)) || (st = quip_args_int(&a, "Z2", &p->z2, NULL, err)) ||
        (st = quip_args_int(&a, "n_exponents", &p->n_exponents, NULL, err)) ||
        (st = quip_args_real(&a, "tail_range", &p->tail_range, NULL, err)) ||
        (st = quip_args_int(&a, "tail_exponent", &p->tail_exponent, NULL, err)) ||
        (st = quip_args_bool(&a, "only_intra", &intra, NULL, err)) ||
        (st = quip_args_bool(&a, "only_inter", &inter, NULL, err)))
        goto done;
    if (quip_args_get(&a, "resid_name") || intra || inter) {
        st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                        "%s: distance_2b with resid_name/only_intra/only_inter (molecule-resolved pairs) is not "
                        "supported by mlpot",
                        ctx);
        goto done;
    }
    if (p->n_exponents < 1 || p->n_exponents > GAP_MAX_EXPONENTS) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: n_exponents must be between 1 and %d (got %d)", ctx,
                        GAP_MAX_EXPONENTS, p->n_exponents);
        goto done;
    }
    int count = 0;
    if ((st = quip_args_real_list(&a, "exponents", p->exponents, GAP_MAX_EXPONENTS, &count, err))) goto done;
    if (count == 0) {
        if (p->n_exponents == 1) p->exponents[0] = 1.0;
        else
            for (int k = 0; k < p->n_exponents; ++k) p->exponents[k] = -(k + 1.0);
    } else if (count != p->n_exponents) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: n_exponents=%d but %d exponents given", ctx, p->n_exponents, count);
        goto done;
    }
    long version = 0;
    if ((st = quip_args_long(&a, "xml_version", &version, NULL, err))) goto done;
    if (!(p->cutoff > 0) || !isfinite(p->cutoff)) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: distance_2b needs a positive cutoff (got %g)", ctx, p->cutoff);
        goto done;
    }
    if (!(p->transition_width >= 0) || !(p->transition_width <= p->cutoff)) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: cutoff_transition_width must lie in [0, cutoff] (got %g)", ctx,
                        p->transition_width);
        goto done;
    }
    if (p->z1 < 0 || p->z1 > MLPOT_MAX_ELEMENT || p->z2 < 0 || p->z2 > MLPOT_MAX_ELEMENT) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: Z1=%d Z2=%d are not atomic numbers", ctx, p->z1, p->z2);
        goto done;
    }
    if (p->tail_exponent && !(p->tail_range > 0)) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: tail_range must be positive", ctx);
        goto done;
    }
    st = quip_args_finish(&a, quip_gap_fit_keys, err);
done:
    quip_args_free(&a);
    return st;
}

double gap_pair_eval(const gap_pair_params *p, double r, double *x, double *dx_dr, double *dc_dr)
{
    for (int q = 0; q < p->n_exponents; ++q) {
        double e = p->exponents[q];
        x[q] = e == 1.0 ? r : pow(r, e);
        if (dx_dr) dx_dr[q] = e == 1.0 ? 1.0 : e * pow(r, e - 1.0);
    }
    double dfc, fc = soap_cutoff_function(r, p->cutoff, p->transition_width, &dfc);
    if (!p->tail_exponent) {
        if (dc_dr) *dc_dr = dfc;
        return fc;
    }
    const double sqrt_pi = 1.7724538509055160273;
    double er = erf(p->tail_range * r);
    double tail = pow(er / r, p->tail_exponent);
    if (dc_dr) {
        double dtail = tail * p->tail_exponent *
                       (2.0 * p->tail_range * exp(-p->tail_range * p->tail_range * r * r) / sqrt_pi / er - 1.0 / r);
        *dc_dr = dfc * tail + fc * dtail;
    }
    return fc * tail;
}
