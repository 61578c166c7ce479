/* GAP kernels between a descriptor instance and the sparse points, with QUIP's conventions:
 *   dot_product: k_s = δ² (x·x_s)^ζ · sparseCutoff_s
 *   ard_se:      k_s = (δ² exp(-½ Σ_d ((x_d - x_s,d)/θ_d)²) + f0²) · sparseCutoff_s
 * and the variance δ² + f0² + ρ² - kᵀ(K_MM + ρ²I)⁻¹k. */
#include <math.h>
#include <string.h>

#include "models/gap_model.h"

/* The dot products with the sparse points and the triangular solves stream the whole sparse
 * matrix for every atom; AVX2 versions are chosen at run time where the processor has it.
 * The loops are element-wise (no reassociated reductions) and ISO C mode does not contract
 * FMAs, so both versions give the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__)
#define MLPOT_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MLPOT_VECTOR_CLONES
#endif

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

MLPOT_VECTOR_CLONES double gap_kernel_energy(const gap_coordinate *c, const double *x, double *work, double *k, double *dE_dx)
{
    const int M = c->n_sparse, d = c->d;
    double energy = 0.0;
    if (dE_dx) memset(dE_dx, 0, (size_t)d * sizeof *dE_dx);
    if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
        /* x·x_s for all s along the rows of the transposed sparse matrix: vectorisable, with a
         * fixed summation order */
        double *dots = work;
        for (int s = 0; s < M; ++s) dots[s] = 0.0;
        int q = 0;
        /* four rows at a time; each dots[s] still accumulates in q order */
        for (; q + 4 <= d; q += 4) {
            const double x0 = x[q], x1 = x[q + 1], x2 = x[q + 2], x3 = x[q + 3];
            const double *r0 = c->sparse_t + (size_t)q * M, *r1 = r0 + M, *r2 = r1 + M, *r3 = r2 + M;
            for (int s = 0; s < M; ++s) dots[s] = (((dots[s] + x0 * r0[s]) + x1 * r1[s]) + x2 * r2[s]) + x3 * r3[s];
        }
        for (; q < d; ++q) {
            const double xq = x[q];
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
            dots[s] = c->weight[s] * dpw; /* dE/d(x·x_s) */
        }
        if (dE_dx) {
            /* dE/dx = Σ_s f_s x_s, four points at a time, each component summed in s order */
            const double *f = dots;
            int s = 0;
            for (; s + 4 <= M; s += 4) {
                const double f0 = f[s], f1 = f[s + 1], f2 = f[s + 2], f3 = f[s + 3];
                const double *x0 = c->sparse + (size_t)s * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
                for (int t = 0; t < d; ++t) dE_dx[t] = (((dE_dx[t] + f0 * x0[t]) + f1 * x1[t]) + f2 * x2[t]) + f3 * x3[t];
            }
            for (; s < M; ++s) {
                const double *xs = c->sparse + (size_t)s * d;
                for (int t = 0; t < d; ++t) dE_dx[t] += f[s] * xs[t];
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

MLPOT_VECTOR_CLONES double gap_kernel_projection(const gap_coordinate *c, const double *k, double *work)
{
    /* forward substitution L v = k by columns (Lᵀ stored row-major, so every update is a
     * contiguous, vectorisable axpy); returns v·v */
    const int M = c->n_sparse;
    const double *U = c->chol; /* U = Lᵀ: U[a][b] = L[b][a] */
    double *v = work;
    memcpy(v, k, (size_t)M * sizeof *v);
    double vv = 0.0;
    for (int a = 0; a < M; ++a) {
        const double *row = U + (size_t)a * M;
        const double va = v[a] / row[a];
        vv += va * va;
        for (int b = a + 1; b < M; ++b) v[b] -= row[b] * va;
    }
    return vv;
}

double gap_kernel_variance(const gap_coordinate *c, double rho2, const double *k, double *work)
{
    return c->prior_diag + rho2 - gap_kernel_projection(c, k, work);
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
