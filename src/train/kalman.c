#include "train/kalman.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int train_kalman_init(train_kalman *k, const size_t *offsets, int n_elements, int decoupled, int max_measurements)
{
    memset(k, 0, sizeof *k);
    k->n_blocks = decoupled ? n_elements : 1;
    k->max_m = max_measurements < 1 ? 1 : max_measurements;
    for (int b = 0; b <= k->n_blocks; ++b) k->start[b] = decoupled ? offsets[b] : (b ? offsets[n_elements] : offsets[0]);
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t n = k->start[b + 1] - k->start[b];
        k->p_offset[b + 1] = k->p_offset[b] + n * n;
    }
    const size_t n = k->start[k->n_blocks] * (size_t)k->max_m + 1;
    k->x = calloc(n, sizeof *k->x), k->ht = calloc(n, sizeof *k->ht);
    k->a = calloc((size_t)k->max_m * (size_t)k->max_m + 1, sizeof *k->a);
    return k->x && k->ht && k->a;
}

void train_kalman_free(train_kalman *k)
{
    free(k->x), free(k->ht), free(k->a);
    memset(k, 0, sizeof *k);
}

size_t train_kalman_size(const train_kalman *k) { return k->p_offset[k->n_blocks]; }

void train_kalman_reset(const train_kalman *k, double *P, double epsilon)
{
    memset(P, 0, train_kalman_size(k) * sizeof *P);
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t n = k->start[b + 1] - k->start[b];
        double *p = P + k->p_offset[b];
        for (size_t i = 0; i < n; ++i) p[i * n + i] = 1.0 / epsilon;
    }
}

/* x = L⁻¹ x for the lower Cholesky factor L (m × m, row-major). */
static void forward_substitute(const double *L, int m, double *x)
{
    for (int c = 0; c < m; ++c) {
        double v = x[c];
        for (int d = 0; d < c; ++d) v -= L[c * m + d] * x[d];
        x[c] = v / L[c * m + c];
    }
}

/* With X = P H and A = Hᵀ X + I/η = L Lᵀ, the update X A⁻¹ Xᵀ is Z Zᵀ with Z = X L⁻ᵀ (row i of
 * Z is L⁻¹ x_i), which keeps P exactly symmetric, and the step is Z L⁻¹ ξ. Rows are
 * independent and each is summed in one order, so the results do not depend on the thread
 * count; small blocks stay on one thread. */
int train_kalman_update(const train_kalman *k, double *P, double *theta, const double *H, const double *xi, int m,
                        double eta, double q)
{
    if (m < 1 || m > k->max_m) return 0;
    const size_t np = k->start[k->n_blocks];
    double *ht = k->ht, *X = k->x, *A = k->a;
    for (int c = 0; c < m; ++c) /* H transposed: the m values of parameter j side by side */
        for (size_t j = 0; j < np; ++j) ht[j * (size_t)m + (size_t)c] = H[(size_t)c * np + j];
    int active[TRAIN_MAX_ELEMENTS + 1];
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t s = k->start[b], n = k->start[b + 1] - s;
        const double *h = ht + s * (size_t)m, *p = P + k->p_offset[b];
        double *x = X + s * (size_t)m;
        active[b] = 0;
        for (size_t i = 0; i < n * (size_t)m && !active[b]; ++i) active[b] = h[i] != 0.0;
        if (!active[b]) { /* no measurement here (an element absent from the environments) */
            memset(x, 0, n * (size_t)m * sizeof *x);
            continue;
        }
#pragma omp parallel for schedule(static) if (n > 256)
        for (size_t i = 0; i < n; ++i) {
            const double *row = p + i * n;
            double acc[TRAIN_KALMAN_MAX_M] = {0};
            for (size_t j = 0; j < n; ++j) {
                const double pij = row[j], *hj = h + j * (size_t)m;
                for (int c = 0; c < m; ++c) acc[c] += pij * hj[c];
            }
            memcpy(x + i * (size_t)m, acc, (size_t)m * sizeof *acc);
        }
    }
    for (int c = 0; c < m; ++c)
        for (int d = 0; d <= c; ++d) {
            double sum = 0.0;
            for (size_t i = 0; i < np; ++i) sum += ht[i * (size_t)m + (size_t)c] * X[i * (size_t)m + (size_t)d];
            A[c * m + d] = A[d * m + c] = sum + (c == d ? 1.0 / eta : 0.0);
        }
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', m, A, m) != 0) return 0;
    double u[TRAIN_KALMAN_MAX_M];
    memcpy(u, xi, (size_t)m * sizeof *u);
    forward_substitute(A, m, u);
    for (int c = 0; c < m; ++c)
        if (!isfinite(u[c])) return 0;
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t s = k->start[b], n = k->start[b + 1] - s;
        double *z = X + s * (size_t)m, *p = P + k->p_offset[b];
        if (!active[b]) {
            for (size_t i = 0; i < n; ++i) p[i * n + i] += q;
            continue;
        }
        for (size_t i = 0; i < n; ++i) {
            double *zi = z + i * (size_t)m, step = 0.0;
            forward_substitute(A, m, zi);
            for (int c = 0; c < m; ++c) step += zi[c] * u[c];
            theta[s + i] += step;
        }
#pragma omp parallel for schedule(static) if (n > 256)
        for (size_t i = 0; i < n; ++i) {
            double *row = p + i * n;
            const double *zi = z + i * (size_t)m;
            if (m == 1) {
                const double zr = zi[0];
                for (size_t j = 0; j < n; ++j) row[j] -= zr * z[j];
            } else {
                for (size_t j = 0; j < n; ++j) {
                    const double *zj = z + j * (size_t)m;
                    double sum = 0.0;
                    for (int c = 0; c < m; ++c) sum += zi[c] * zj[c];
                    row[j] -= sum;
                }
            }
            row[i] += q;
        }
    }
    return 1;
}
