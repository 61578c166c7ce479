/* GAP kernels between a descriptor instance and the sparse points, with QUIP's conventions:
 *   dot_product: k_s = δ² (x·x_s)^ζ · sparseCutoff_s
 *   ard_se:      k_s = (δ² exp(-½ Σ_d ((x_d - x_s,d)/θ_d)²) + f0²) · sparseCutoff_s
 * and the variance δ² + f0² + ρ² - kᵀ(K_MM + ρ²I)⁻¹k. */
#include <math.h>
#include <string.h>

#include "models/gap_model.h"

/* x^n for a positive integer n by squaring (QUIP's fast_pow does the same for integer ζ). */
static inline double int_pow(double x, int n)
{
    double r = 1.0;
    while (n) {
        if (n & 1) r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

double gap_kernel_energy(const gap_coordinate *c, const double *x, double *work, double *k, double *dE_dx)
{
    const int M = c->n_sparse, d = c->d;
    double energy = 0.0;
    if (dE_dx) memset(dE_dx, 0, (size_t)d * sizeof *dE_dx);
    if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
        /* x·x_s for all s along the rows of the transposed sparse matrix: vectorisable, with a
         * fixed summation order */
        double *dots = work;
        for (int s = 0; s < M; ++s) dots[s] = 0.0;
        for (int q = 0; q < d; ++q) {
            const double xq = x[q];
            if (xq == 0.0) continue;
            const double *row = c->sparse_t + (size_t)q * M;
            for (int s = 0; s < M; ++s) dots[s] += xq * row[s];
        }
        const double d2 = c->delta * c->delta;
        for (int s = 0; s < M; ++s) {
            double dot = dots[s], pw, dpw;
            if (c->zeta_int) {
                double pm1 = int_pow(dot, c->zeta_int - 1);
                pw = pm1 * dot;
                dpw = c->zeta_int * pm1;
            } else {
                pw = pow(dot, c->zeta);
                dpw = c->zeta * pow(dot, c->zeta - 1.0);
            }
            energy += c->weight[s] * pw;
            if (k) k[s] = d2 * pw * c->sparse_cutoff[s];
            if (dE_dx) {
                const double f = c->weight[s] * dpw;
                const double *xs = c->sparse + (size_t)s * d;
                for (int q = 0; q < d; ++q) dE_dx[q] += f * xs[q];
            }
        }
        return energy;
    }
    /* ard_se */
    const double d2 = c->delta * c->delta, f02 = c->f0 * c->f0;
    for (int s = 0; s < M; ++s) {
        const double *xs = c->sparse + (size_t)s * d;
        double r2 = 0.0;
        for (int q = 0; q < d; ++q) {
            double t = (x[q] - xs[q]) / c->theta[q];
            r2 += t * t;
        }
        double e = d2 * exp(-0.5 * r2);
        double ks = (e + f02) * c->sparse_cutoff[s];
        if (k) k[s] = ks;
        energy += c->alpha[s] * ks;
        if (dE_dx) {
            double f = c->alpha[s] * e * c->sparse_cutoff[s];
            for (int q = 0; q < d; ++q) dE_dx[q] += f * (xs[q] - x[q]) / (c->theta[q] * c->theta[q]);
        }
    }
    return energy;
}

double gap_kernel_variance(const gap_coordinate *c, double rho2, const double *k, double *work)
{
    /* forward substitution L v = k; var = diag - v·v */
    const int M = c->n_sparse;
    const double *L = c->chol;
    double vv = 0.0;
    for (int a = 0; a < M; ++a) {
        const double *row = L + (size_t)a * M;
        double s = k[a];
        for (int b = 0; b < a; ++b) s -= row[b] * work[b];
        double v = s / row[a];
        work[a] = v;
        vv += v * v;
    }
    return c->prior_diag + rho2 - vv;
}

double gap_kernel_prior(const gap_coordinate *c, const double *x, const double *y)
{
    const double d2 = c->delta * c->delta, f02 = c->f0 * c->f0;
    if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
        double dot = 0.0;
        for (int q = 0; q < c->d; ++q) dot += x[q] * y[q];
        return d2 * (c->zeta_int ? int_pow(dot, c->zeta_int) : pow(dot, c->zeta)) + f02;
    }
    double r2 = 0.0;
    for (int q = 0; q < c->d; ++q) {
        double t = (x[q] - y[q]) / c->theta[q];
        r2 += t * t;
    }
    return d2 * exp(-0.5 * r2) + f02;
}
