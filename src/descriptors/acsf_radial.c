/* Vectorised pieces of the per-atom symmetry-function work that run over neighbours: cutoff
 * values of all entries, the exponential factors of the angular types, and the exponential
 * radial functions (types 2 and 12). */
#include <string.h>

#include "descriptors/acsf_vector.h"
#include "descriptors/fast_math.h"

MLPOT_TARGET_CLONES
void acsf_cutoff_array(const acsf_cutoff *cut, int n, const double *r, double *f, double *df)
{
    if (cut->type == ACSF_CUT_TANHU || cut->type == ACSF_CUT_TANH) {
#pragma omp simd
        for (int k = 0; k < n; ++k) acsf_cutoff_tanh_fdf(cut, r[k], &f[k], &df[k]);
        return;
    }
    for (int k = 0; k < n; ++k) acsf_cutoff_fdf(cut, r[k], &f[k], &df[k]);
}

MLPOT_TARGET_CLONES
void acsf_exp_factors(int n_exp, const double *eta, const double *rs, int m, const double *r, double *E)
{
    for (int e = 0; e < n_exp; ++e) {
        const double h = eta[e], s = rs[e];
        double *Ee = &E[(size_t)e * m];
#pragma omp simd
        for (int u = 0; u < m; ++u) {
            double a = r[u] - s;
            Ee[u] = fast_exp(-h * a * a);
        }
    }
}

MLPOT_TARGET_CLONES
void acsf_exp_radial(const acsf_element *el, const acsf_group *g, const acsf_neighbours *nb, unsigned mode,
                     double *G, const double *weights, double *grad, const double *vec, double *work)
{
    const int m = nb->m;
    const int backprop = (mode & ACSF_BACKPROP) != 0, values = (mode & ACSF_VALUES) != 0;
    double *coef = work, *ir = coef + m; /* Σ_f w_f dG_f/dr / r per neighbour, 1/r */
    if (backprop) {
        memset(coef, 0, (size_t)m * sizeof *coef);
#pragma omp simd
        for (int u = 0; u < m; ++u) ir[u] = 1.0 / nb->r[u];
    }
    const double *r = nb->r, *fc = nb->fc, *dfc = nb->dfc, *zw = nb->z_weight;
    for (int q = 0; q < g->n; ++q) {
        const int idx = g->index[q];
        const double eta = el->fn[idx].eta, rs = el->fn[idx].rs;
        if (values) {
            double sum = 0.0;
#pragma omp simd reduction(+ : sum)
            for (int u = 0; u < m; ++u) {
                double x = r[u] - rs;
                sum += zw[u] * fast_exp(-eta * x * x) * fc[u];
            }
            G[idx] += sum;
        }
        if (backprop) {
            const double w = weights[idx];
#pragma omp simd
            for (int u = 0; u < m; ++u) {
                double x = r[u] - rs;
                double p = fast_exp(-eta * x * x);
                coef[u] += w * zw[u] * (dfc[u] - 2.0 * eta * x * fc[u]) * p * ir[u];
            }
        }
    }
    if (backprop)
        for (int u = 0; u < m; ++u) {
            const int e = nb->entry[u];
            for (int a = 0; a < 3; ++a) grad[3 * e + a] += coef[u] * vec[3 * e + a];
        }
}
