/* Ionic conductivity: Green-Kubo from the charge-current autocorrelation, and the
 * Nernst-Einstein estimate from the self-diffusion coefficients beside it.
 *
 * σ_GK = 1/(3 V k_B T) ∫ <J(0)·J(t)> dt with J = Σ_i q_i v_i includes the correlations between
 * distinct ions; σ_NE = e²/(V k_B T) Σ_a N_a q_a² D_a keeps only the self terms. Their ratio
 * (the Haven ratio) measures ion-ion correlation; for independent ions they agree. In mlpot's
 * units both come out in e²/(Å·fs·eV), converted to S/m by MLPOT_CONDUCTIVITY_S_PER_M. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/error.h"
#include "core/memory.h"
#include "mlpot/analysis.h"

void mlpot_conductivity_options_default(mlpot_conductivity_options *opt)
{
    opt->dt = 0;
    opt->max_lag = 0;
    opt->temperature = 0;
    opt->blocks = 5;
    mlpot_msd_options_default(&opt->msd);
}

void mlpot_conductivity_result_init(mlpot_conductivity_result *r)
{
    memset(r, 0, sizeof *r);
    mlpot_msd_result_init(&r->msd);
}

void mlpot_conductivity_result_free(mlpot_conductivity_result *r)
{
    free(r->current_acf);
    free(r->sigma_running);
    mlpot_msd_result_free(&r->msd);
    mlpot_conductivity_result_init(r);
}

/* ∫_0^{(n-1)dt} acf dt by the trapezoid rule. */
static double trapezoid(const double *acf, long n, double dt)
{
    double sum = 0;
    for (long k = 1; k < n; ++k) sum += 0.5 * (acf[k] + acf[k - 1]);
    return sum * dt;
}

/* The autocorrelation of J over frames [begin_k + offset, begin_k + offset + len) of every segment
 * k (len < 0: whole segments), into acf[n_lags]. */
static void current_acf(const mlpot_trajectory *t, const double *current, long n_lags, int block, int blocks,
                        double *acf, double *origins)
{
    memset(acf, 0, (size_t)n_lags * sizeof(double));
    memset(origins, 0, (size_t)n_lags * sizeof(double));
    for (int k = 0; k < t->n_segments; ++k) {
        long begin = t->segment_start[k], len = t->segment_start[k + 1] - begin;
        if (block >= 0) {
            len /= blocks;
            begin += block * len;
        }
        analysis_acf_accumulate(current + 3 * (size_t)begin, len, 3, n_lags, acf, origins);
    }
    for (long k = 0; k < n_lags; ++k) acf[k] = origins[k] > 0 ? acf[k] / origins[k] : NAN;
}

mlpot_status mlpot_conductivity(const mlpot_trajectory *t, const double *charge_of,
                                const mlpot_conductivity_options *opt, mlpot_conductivity_result *out,
                                mlpot_error *err)
{
    mlpot_conductivity_result_free(out);
    if (!t->velocities)
        return mlpot_fail(err, MLPOT_ERR_MISSING, "the trajectory has no velocities: Green-Kubo needs the charge current");
    if (!(opt->dt > 0)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the time between frames must be positive (got %g fs)", opt->dt);
    if (opt->blocks < 2) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "at least 2 blocks are needed for an error bar (got %d)", opt->blocks);
    double volume = mlpot_trajectory_volume(t);
    if (!(volume > 0)) return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "the conductivity needs a cell periodic in all three directions");
    double temperature = opt->temperature;
    mlpot_status st;
    if (!(temperature > 0) && (st = mlpot_trajectory_temperature(t, &temperature, err))) return st;
    if (!(temperature > 0)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the temperature must be positive (got %g K)", temperature);
    long block = analysis_block_frames(t, opt->blocks);
    /* default: a block's lags, capped (the integral's tail beyond the plateau is only noise) */
    long n_lags = opt->max_lag > 0 ? opt->max_lag + 1 : (block < 1001 ? block : 1001);
    if (block < 2 || n_lags > block)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%ld lags do not fit in blocks of %ld frames: use fewer blocks or a "
                          "smaller largest lag", n_lags, block);

    size_t n3 = 3 * (size_t)t->n_atoms, nl = (size_t)n_lags;
    double *current = mlpot_calloc(3 * (size_t)t->n_frames, sizeof(double));
    double *origins = mlpot_calloc(nl, sizeof(double));
    double *block_acf = mlpot_calloc(nl, sizeof(double));
    double *block_sigma = mlpot_calloc((size_t)opt->blocks, sizeof(double));
    out->current_acf = mlpot_calloc(nl, sizeof(double));
    out->sigma_running = mlpot_calloc(nl, sizeof(double));
    st = MLPOT_OK;
    if (!current || !origins || !block_acf || !block_sigma || !out->current_acf || !out->sigma_running)
        st = mlpot_fail_memory(err, "conductivity");
    if (!st) {
        for (long f = 0; f < t->n_frames; ++f)
            for (int i = 0; i < t->n_atoms; ++i) {
                double q = charge_of[t->numbers[i]];
                for (int c = 0; c < 3; ++c) current[3 * (size_t)f + (size_t)c] += q * t->velocities[(size_t)f * n3 + 3 * (size_t)i + (size_t)c];
            }
        /* 1/(3 V k_B T) in 1/(Å³ eV), times the unit conversion */
        double prefactor = MLPOT_CONDUCTIVITY_S_PER_M / (3.0 * volume * MLPOT_BOLTZMANN_EV_PER_K * temperature);
        out->n_lags = n_lags;
        out->dt = opt->dt;
        out->temperature = temperature;
        out->volume = volume;
        current_acf(t, current, n_lags, -1, opt->blocks, out->current_acf, origins);
        out->sigma_running[0] = 0;
        for (long k = 1; k < n_lags; ++k)
            out->sigma_running[k] = out->sigma_running[k - 1] +
                                    prefactor * 0.5 * (out->current_acf[k] + out->current_acf[k - 1]) * opt->dt;
        out->sigma = out->sigma_running[n_lags - 1];
        for (int b = 0; b < opt->blocks; ++b) {
            current_acf(t, current, n_lags, b, opt->blocks, block_acf, origins);
            block_sigma[b] = prefactor * trapezoid(block_acf, n_lags, opt->dt);
        }
        out->sigma_error = analysis_standard_error(block_sigma, opt->blocks);

        /* Nernst-Einstein from the self-diffusion of every species */
        mlpot_msd_options mo = opt->msd;
        mo.dt = opt->dt;
        st = mlpot_msd(t, NULL, 0, &mo, &out->msd, err);
        if (!st) {
            double sum = 0, var = 0;
            for (int s = 0; s < out->msd.n_species; ++s) {
                double q = charge_of[out->msd.species[s]];
                double w = out->msd.count[s] * q * q;
                sum += w * out->msd.diffusion[s];
                var += w * w * out->msd.diffusion_error[s] * out->msd.diffusion_error[s];
            }
            /* σ_NE = e²/(V k_B T) Σ N q² D: the 3 of Green-Kubo is already inside D = slope/6 */
            out->sigma_ne = 3.0 * prefactor * sum;
            out->sigma_ne_error = 3.0 * prefactor * sqrt(var);
        }
    }
    free(current);
    free(origins);
    free(block_acf);
    free(block_sigma);
    if (st) mlpot_conductivity_result_free(out);
    return st;
}
