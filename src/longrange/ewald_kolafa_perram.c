/* Ewald splitting parameters from an accuracy (see ewald_kolafa_perram.h). */
#include "longrange/ewald_kolafa_perram.h"

#include <math.h>

#include "core/error.h"
#include "mlpot/units.h"

#define TOLERANCE 1e-10
#define MAX_ITERATIONS 1000

/* s > 0 with e^{-s²}/√s = y, by Newton steps on e^{-s²}/√s - y from `s` (the previous root
 * when called in a loop). Halves the start when a step would make s negative. */
static int solve_s(double y, double *s_io)
{
    double s = *s_io > 0 ? *s_io : 0.5;
    for (int it = 0; it < MAX_ITERATIONS; ++it) {
        double step = 2.0 * s / (4.0 * s * s + 1.0) * (1.0 - sqrt(s) * exp(s * s) * y);
        if (s <= -step) {
            s /= 2.0;
            continue;
        }
        s += step;
        double rel_y = fabs((exp(-s * s) / sqrt(s) - y) / y), rel_x = fabs(step / s);
        if (rel_x <= TOLERANCE && rel_y <= TOLERANCE) {
            *s_io = s;
            return 1;
        }
    }
    return 0;
}

/* k_c > 0 with e^{-k²η²/2}/√k = y, Newton steps on the log-free form from 1/η. */
static int solve_kcut(double eta, double y, double *out)
{
    double k = 1.0 / eta;
    for (int it = 0; it < MAX_ITERATIONS; ++it) {
        double old = k, ke2 = k * eta * k * eta;
        k -= 2.0 * k / (1.0 + 2.0 * ke2) * (-1.0 + sqrt(k) * exp(ke2 / 2.0) * y);
        if (k <= 0) {
            k = old / 2.0;
            continue;
        }
        ke2 = k * eta * k * eta;
        double rel_x = fabs((k - old) / k), rel_y = fabs((exp(-ke2 / 2.0) / sqrt(k) - y) / y);
        if (rel_x <= TOLERANCE && rel_y <= TOLERANCE) {
            *out = k;
            return 1;
        }
    }
    return 0;
}

mlpot_status ewald_truncation_parameters(const ewald_truncation_settings *t, int n, double volume,
                                         ewald_splitting *out, mlpot_error *err)
{
    const double delta = t->accuracy;
    if (!(volume > 0) || !isfinite(volume) || n < 1)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: cell volume %g or atom count %d is not positive",
                          volume, n);
    if (!(delta > 0) || !isfinite(delta))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: accuracy %g must be positive", delta);
    if (t->method == EWALD_JACKSON_CATLOW) {
        if (delta >= 1)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "ewald: the Jackson-Catlow estimate needs an accuracy below 1 (got %g)", delta);
        double eta = cbrt(volume) / sqrt(2.0 * MLPOT_PI), l = sqrt(-2.0 * log(delta));
        *out = (ewald_splitting){eta, eta * l, l / eta, 0.0};
        return MLPOT_OK;
    }
    if (t->method != EWALD_KOLAFA_PERRAM)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: unknown truncation method %d", t->method);
    if (!(t->max_charge > 0) || !(t->coulomb > 0))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: the expected largest charge %g must be positive",
                          t->max_charge);
    const double density = sqrt(n / volume), q2 = t->max_charge * t->max_charge;
    if (t->fixed_cutoff > 0) {
        const double rc = t->fixed_cutoff, C = 2.0 * t->coulomb * q2 * density;
        double x = sqrt(rc / 2.0) * delta / C;
        if (!(x < 1.0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "ewald: accuracy %g is too coarse for the real-space cutoff %g (the error estimate "
                              "needs a smaller value)",
                              delta, rc);
        double eta = rc / sqrt(-2.0 * log(x)), kc;
        if (!solve_kcut(eta, eta * delta / (sqrt(2.0) * C), &kc))
            return mlpot_fail(err, MLPOT_ERR_NUMERIC, "ewald: the reciprocal cutoff for accuracy %g did not converge", delta);
        *out = (ewald_splitting){eta, rc, kc, 0.0};
        return MLPOT_OK;
    }
    const double C = pow(2.0, 0.75) * t->coulomb * q2 * density;
    const double eta0 = pow(volume * volume / (3.676 * pow(2.0 * MLPOT_PI, 3.0)), 1.0 / 6.0);
    double eta = eta0, s = 1.0;
    int converged = 0;
    for (int it = 0; it < MAX_ITERATIONS && !converged; ++it) {
        if (!solve_s(delta / C * sqrt(eta / 2.0), &s))
            return mlpot_fail(err, MLPOT_ERR_NUMERIC, "ewald: the Kolafa-Perram estimate for accuracy %g did not converge",
                              delta);
        double old = eta;
        eta = eta0 * pow(1.0 + 1.0 / (2.0 * s * s), 1.0 / 6.0);
        converged = fabs(old - eta) / eta <= TOLERANCE;
    }
    if (!converged)
        return mlpot_fail(err, MLPOT_ERR_NUMERIC, "ewald: the optimal splitting for accuracy %g did not converge", delta);
    if (eta < t->max_width) eta = t->max_width;
    *out = (ewald_splitting){eta, sqrt(2.0) * eta * s, sqrt(2.0) * s / eta, 0.0};
    return MLPOT_OK;
}
