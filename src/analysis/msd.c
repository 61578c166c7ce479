/* Mean squared displacement per species and the diffusion coefficient D = slope / 6 (Einstein).
 *
 * Every frame of a segment is a time origin. The error bar comes from block averaging: each
 * segment is cut into `blocks` equal parts, D is fitted in each block separately (over the same
 * lag window) and the standard error of the block values is the error bar. Blocks much longer
 * than the velocity correlation time are nearly independent, so this error is honest where the
 * scatter of the full-trajectory MSD (whose points are strongly correlated) would not be. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/error.h"
#include "core/memory.h"
#include "mlpot/analysis.h"

enum { MSD_DEFAULT_LAGS = 1001 };

void mlpot_msd_options_default(mlpot_msd_options *opt)
{
    opt->dt = 0;
    opt->max_lag = 0;
    opt->fit_from = -1;
    opt->fit_to = -1;
    opt->blocks = 5;
}

void mlpot_msd_result_init(mlpot_msd_result *r) { memset(r, 0, sizeof *r); }

void mlpot_msd_result_free(mlpot_msd_result *r)
{
    free(r->species);
    free(r->count);
    free(r->msd);
    free(r->diffusion);
    free(r->diffusion_error);
    mlpot_msd_result_init(r);
}

double mlpot_fit_slope(const double *x, const double *y, long n, double x_from, double x_to)
{
    /* the window's ends are lags computed as k·dt: a relative tolerance keeps them inside */
    double tol = 1e-9 * fmax(fabs(x_from), fabs(x_to));
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    long m = 0;
    for (long k = 0; k < n; ++k) {
        if (x[k] < x_from - tol || x[k] > x_to + tol) continue;
        sx += x[k], sy += y[k], sxx += x[k] * x[k], sxy += x[k] * y[k];
        ++m;
    }
    if (m < 2) return NAN;
    double mx = sx / (double)m, my = sy / (double)m;
    double var = sxx / (double)m - mx * mx, cov = sxy / (double)m - mx * my;
    return var > 0 ? cov / var : NAN;
}

/* Adds the squared displacements of frames [begin, end) for lags 0 .. n_lags-1 into
 * sum[species * n_lags + lag] and the number of origins into origins[lag]. */
static void accumulate(const mlpot_trajectory *t, const int *species_of_atom, long begin, long end, long n_lags,
                       double *sum, double *origins)
{
    size_t n3 = 3 * (size_t)t->n_atoms;
    for (long t0 = begin; t0 < end; ++t0) {
        const double *x0 = t->positions + (size_t)t0 * n3;
        for (long lag = 0; lag < n_lags && t0 + lag < end; ++lag) {
            const double *x1 = x0 + (size_t)lag * n3;
            for (int i = 0; i < t->n_atoms; ++i) {
                int s = species_of_atom[i];
                if (s < 0) continue;
                double dx = x1[3 * i] - x0[3 * i], dy = x1[3 * i + 1] - x0[3 * i + 1], dz = x1[3 * i + 2] - x0[3 * i + 2];
                sum[(size_t)s * (size_t)n_lags + (size_t)lag] += dx * dx + dy * dy + dz * dz;
            }
            origins[lag] += 1;
        }
    }
}

/* sum / (origins · atoms of the species), in place. */
static void normalise(double *sum, const double *origins, const int *count, int n_species, long n_lags)
{
    for (int s = 0; s < n_species; ++s)
        for (long lag = 0; lag < n_lags; ++lag) {
            double *v = &sum[(size_t)s * (size_t)n_lags + (size_t)lag];
            *v = origins[lag] > 0 ? *v / (origins[lag] * count[s]) : NAN;
        }
}

mlpot_status analysis_select_species(const mlpot_trajectory *t, const int *species, int n_species, int **selected,
                                     int **count, int *n_selected, int **species_of_atom, mlpot_error *err)
{
    int all[MLPOT_MAX_ELEMENT + 1];
    if (!species || n_species == 0) {
        n_species = mlpot_trajectory_species(t, all, MLPOT_MAX_ELEMENT + 1);
        species = all;
    }
    *selected = mlpot_calloc((size_t)n_species, sizeof(int));
    *count = mlpot_calloc((size_t)n_species, sizeof(int));
    *species_of_atom = mlpot_calloc((size_t)t->n_atoms, sizeof(int));
    if (!*selected || !*count || !*species_of_atom) return mlpot_fail_memory(err, "species selection");
    for (int i = 0; i < t->n_atoms; ++i) (*species_of_atom)[i] = -1;
    for (int s = 0; s < n_species; ++s) {
        (*selected)[s] = species[s];
        for (int i = 0; i < t->n_atoms; ++i)
            if (t->numbers[i] == species[s] && (*species_of_atom)[i] < 0) {
                (*species_of_atom)[i] = s;
                ++(*count)[s];
            }
        if ((*count)[s] == 0) {
            const char *symbol = mlpot_element_symbol(species[s]);
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no %s atoms in the trajectory", symbol ? symbol : "such");
        }
    }
    *n_selected = n_species;
    return MLPOT_OK;
}

long analysis_block_frames(const mlpot_trajectory *t, int blocks)
{
    long shortest = -1;
    for (int k = 0; k < t->n_segments; ++k) {
        long len = (t->segment_start[k + 1] - t->segment_start[k]) / blocks;
        if (shortest < 0 || len < shortest) shortest = len;
    }
    return shortest < 0 ? 0 : shortest;
}

mlpot_status mlpot_msd(const mlpot_trajectory *t, const int *species, int n_species, const mlpot_msd_options *opt,
                       mlpot_msd_result *out, mlpot_error *err)
{
    mlpot_msd_result_free(out);
    if (!(opt->dt > 0)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the time between frames must be positive (got %g fs)", opt->dt);
    if (opt->blocks < 2) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "at least 2 blocks are needed for an error bar (got %d)", opt->blocks);
    if (opt->max_lag < 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the largest lag must not be negative");
    long block = analysis_block_frames(t, opt->blocks);
    if (block < 3)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%ld frames are too few for %d blocks of at least 3 frames: use fewer "
                          "blocks or a longer trajectory", t->n_frames, opt->blocks);
    /* by default every lag a block holds, capped: lags beyond a few thousand frames are noise
     * and cost O(frames × lags) */
    long n_lags = opt->max_lag > 0 ? opt->max_lag + 1 : (block < MSD_DEFAULT_LAGS ? block : MSD_DEFAULT_LAGS);
    double lag_max = (double)(n_lags - 1) * opt->dt;
    double from = opt->fit_from >= 0 ? opt->fit_from : 0.2 * lag_max;
    double to = opt->fit_to >= 0 ? opt->fit_to : 0.8 * lag_max;
    double block_lag_max = (double)(block - 1) * opt->dt;
    if (!(to > from))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the fit window %g-%g fs is empty", from, to);
    if (to > lag_max * (1 + 1e-9))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the fit window ends at %g fs, beyond the largest lag %g fs", to, lag_max);
    if (to > block_lag_max * (1 + 1e-9))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the fit window ends at %g fs but a block spans only %g fs: use fewer "
                          "blocks or a smaller fit window", to, block_lag_max);
    if (floor(to / opt->dt + 1e-9) - ceil(from / opt->dt - 1e-9) < 1)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the fit window %g-%g fs holds fewer than two lags of %g fs", from, to, opt->dt);

    int *species_of_atom = NULL;
    mlpot_status st = analysis_select_species(t, species, n_species, &out->species, &out->count, &out->n_species,
                                              &species_of_atom, err);
    size_t ns = (size_t)out->n_species;
    double *origins = mlpot_calloc((size_t)n_lags, sizeof(double));
    /* a block needs the lags up to the fit window only, which ends within both ranges */
    long block_lags = n_lags < block ? n_lags : block;
    double *lags = mlpot_calloc((size_t)n_lags, sizeof(double));
    double *block_msd = mlpot_calloc(ns * (size_t)block_lags, sizeof(double));
    double *block_d = mlpot_calloc(ns * (size_t)opt->blocks, sizeof(double));
    out->msd = mlpot_calloc(ns * (size_t)n_lags, sizeof(double));
    out->diffusion = mlpot_calloc(ns, sizeof(double));
    out->diffusion_error = mlpot_calloc(ns, sizeof(double));
    if (!st && (!origins || !lags || !block_msd || !block_d || !out->msd || !out->diffusion || !out->diffusion_error))
        st = mlpot_fail_memory(err, "MSD");
    if (!st) {
        out->n_lags = n_lags;
        out->dt = opt->dt;
        out->fit_from = from;
        out->fit_to = to;
        out->blocks = opt->blocks;
        for (long k = 0; k < n_lags; ++k) lags[k] = (double)k * opt->dt;
        for (int k = 0; k < t->n_segments; ++k)
            accumulate(t, species_of_atom, t->segment_start[k], t->segment_start[k + 1], n_lags, out->msd, origins);
        normalise(out->msd, origins, out->count, out->n_species, n_lags);
        for (size_t s = 0; s < ns; ++s)
            out->diffusion[s] = mlpot_fit_slope(lags, out->msd + s * (size_t)n_lags, n_lags, from, to) / 6.0;
        for (int b = 0; b < opt->blocks; ++b) {
            memset(block_msd, 0, ns * (size_t)block_lags * sizeof(double));
            memset(origins, 0, (size_t)n_lags * sizeof(double));
            for (int k = 0; k < t->n_segments; ++k) {
                long len = (t->segment_start[k + 1] - t->segment_start[k]) / opt->blocks;
                long begin = t->segment_start[k] + b * len;
                accumulate(t, species_of_atom, begin, begin + len, block_lags, block_msd, origins);
            }
            normalise(block_msd, origins, out->count, out->n_species, block_lags);
            for (size_t s = 0; s < ns; ++s)
                block_d[s * (size_t)opt->blocks + (size_t)b] =
                    mlpot_fit_slope(lags, block_msd + s * (size_t)block_lags, block_lags, from, to) / 6.0;
        }
        for (size_t s = 0; s < ns; ++s)
            out->diffusion_error[s] = analysis_standard_error(block_d + s * (size_t)opt->blocks, opt->blocks);
    }
    free(species_of_atom);
    free(origins);
    free(lags);
    free(block_msd);
    free(block_d);
    if (st) mlpot_msd_result_free(out);
    return st;
}
