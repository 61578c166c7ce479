/* Time autocorrelations: the generic vector autocorrelation, the velocity autocorrelation per
 * species and the vibrational density of states as its windowed cosine transform.
 *
 * Correlations are direct sums over origins and lags, O(frames × lags): exact for any lag
 * count, no padding or wrap-around to think about, and fast enough for the lag ranges that
 * correlation functions of MD need (hundreds to a few thousand frames). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/error.h"
#include "core/memory.h"
#include "mlpot/analysis.h"

double analysis_standard_error(const double *values, int n)
{
    if (n < 2) return NAN;
    double mean = 0, var = 0;
    for (int k = 0; k < n; ++k) mean += values[k];
    mean /= n;
    for (int k = 0; k < n; ++k) var += (values[k] - mean) * (values[k] - mean);
    return sqrt(var / (n - 1) / n);
}

void analysis_acf_accumulate(const double *x, long n_frames, int dim, long n_lags, double *sum, double *origins)
{
    for (long t0 = 0; t0 < n_frames; ++t0) {
        const double *a = x + (size_t)t0 * (size_t)dim;
        for (long lag = 0; lag < n_lags && t0 + lag < n_frames; ++lag) {
            const double *b = a + (size_t)lag * (size_t)dim;
            double dot = 0;
            for (int c = 0; c < dim; ++c) dot += a[c] * b[c];
            sum[lag] += dot;
            origins[lag] += 1;
        }
    }
}

void mlpot_autocorrelation(const double *x, long n_frames, int dim, long n_lags, double *acf)
{
    double *origins = calloc((size_t)(n_lags > 0 ? n_lags : 1), sizeof(double));
    for (long k = 0; k < n_lags; ++k) acf[k] = 0;
    if (!origins) {
        for (long k = 0; k < n_lags; ++k) acf[k] = NAN;
        return;
    }
    analysis_acf_accumulate(x, n_frames, dim, n_lags, acf, origins);
    for (long k = 0; k < n_lags; ++k) acf[k] = origins[k] > 0 ? acf[k] / origins[k] : NAN;
    free(origins);
}

void mlpot_vacf_result_init(mlpot_vacf_result *r) { memset(r, 0, sizeof *r); }

void mlpot_vacf_result_free(mlpot_vacf_result *r)
{
    free(r->species);
    free(r->vacf);
    free(r->frequency);
    free(r->vdos);
    mlpot_vacf_result_init(r);
}

/* g(ν) = 4 ∫_0^T c(t) w(t) cos(2πνt) dt (trapezoid), c = vacf / vacf(0), w the Hann window
 * falling to 0 at T; then scaled to unit area over ν (the 4 makes it so in the continuum). */
static void cosine_transform(const double *vacf, long n_lags, double dt, const double *frequency, double *vdos)
{
    double c0 = vacf[0], T = (double)(n_lags - 1) * dt;
    for (long k = 0; k < n_lags; ++k) {
        double sum = 0;
        for (long j = 0; j < n_lags; ++j) {
            double t = (double)j * dt;
            double w = T > 0 ? 0.5 * (1 + cos(MLPOT_PI * t / T)) : 1.0;
            double weight = (j == 0 || j == n_lags - 1) ? 0.5 : 1.0;
            sum += weight * vacf[j] / c0 * w * cos(2 * MLPOT_PI * frequency[k] * t);
        }
        vdos[k] = 4 * sum * dt;
    }
    double area = 0;
    for (long k = 1; k < n_lags; ++k) area += 0.5 * (vdos[k] + vdos[k - 1]) * (frequency[k] - frequency[k - 1]);
    if (area > 0)
        for (long k = 0; k < n_lags; ++k) vdos[k] /= area;
}

mlpot_status mlpot_vacf(const mlpot_trajectory *t, const int *species, int n_species, double dt, long max_lag,
                        mlpot_vacf_result *out, mlpot_error *err)
{
    mlpot_vacf_result_free(out);
    if (!t->velocities)
        return mlpot_fail(err, MLPOT_ERR_MISSING, "the trajectory has no velocities (a 'velocities' or 'momenta' column "
                          "in every frame)");
    if (!(dt > 0)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the time between frames must be positive (got %g fs)", dt);
    long shortest = -1;
    for (int k = 0; k < t->n_segments; ++k) {
        long len = t->segment_start[k + 1] - t->segment_start[k];
        if (shortest < 0 || len < shortest) shortest = len;
    }
    long n_lags = max_lag > 0 ? max_lag + 1 : shortest / 2;
    if (n_lags < 2 || n_lags > shortest)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%ld lags do not fit a run of %ld frames", n_lags, shortest);
    int *count = NULL, *species_of_atom = NULL;
    mlpot_status st = analysis_select_species(t, species, n_species, &out->species, &count, &out->n_species,
                                              &species_of_atom, err);
    size_t ns = (size_t)out->n_species, nl = (size_t)n_lags;
    double *origins = mlpot_calloc(nl, sizeof(double));
    out->vacf = mlpot_calloc(ns * nl, sizeof(double));
    out->vdos = mlpot_calloc(ns * nl, sizeof(double));
    out->frequency = mlpot_calloc(nl, sizeof(double));
    if (!st && (!origins || !out->vacf || !out->vdos || !out->frequency)) st = mlpot_fail_memory(err, "VACF");
    if (!st) {
        size_t n3 = 3 * (size_t)t->n_atoms;
        out->n_lags = n_lags;
        out->dt = dt;
        for (int k = 0; k < t->n_segments; ++k) {
            long begin = t->segment_start[k], end = t->segment_start[k + 1];
            for (long t0 = begin; t0 < end; ++t0) {
                const double *v0 = t->velocities + (size_t)t0 * n3;
                for (long lag = 0; lag < n_lags && t0 + lag < end; ++lag) {
                    const double *v1 = v0 + (size_t)lag * n3;
                    for (int i = 0; i < t->n_atoms; ++i) {
                        int s = species_of_atom[i];
                        if (s < 0) continue;
                        out->vacf[(size_t)s * nl + (size_t)lag] +=
                            v0[3 * i] * v1[3 * i] + v0[3 * i + 1] * v1[3 * i + 1] + v0[3 * i + 2] * v1[3 * i + 2];
                    }
                    origins[lag] += 1;
                }
            }
        }
        for (size_t s = 0; s < ns; ++s)
            for (size_t lag = 0; lag < nl; ++lag) out->vacf[s * nl + lag] /= origins[lag] * count[s];
        for (size_t k = 0; k < nl; ++k) out->frequency[k] = (double)k / (2.0 * (double)n_lags * dt);
        for (size_t s = 0; s < ns; ++s) {
            if (!(out->vacf[s * nl] > 0)) {
                st = mlpot_fail(err, MLPOT_ERR_NUMERIC, "the %s atoms never move: no VACF to normalise",
                                mlpot_element_symbol(out->species[s]));
                break;
            }
            cosine_transform(out->vacf + s * nl, n_lags, dt, out->frequency, out->vdos + s * nl);
        }
    }
    free(count);
    free(species_of_atom);
    free(origins);
    if (st) mlpot_vacf_result_free(out);
    return st;
}
