#include "train/kalman.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/vector_clones.h"

int train_kalman_init(train_kalman *k, const size_t *offsets, int n_elements, int decoupled, int max_measurements)
{
    memset(k, 0, sizeof *k);
    k->n_blocks = decoupled ? n_elements : 1;
    k->max_m = max_measurements < 1 ? 1 : max_measurements;
    k->capacity = k->max_m > TRAIN_KALMAN_PENDING ? k->max_m : TRAIN_KALMAN_PENDING;
    for (int b = 0; b <= k->n_blocks; ++b) k->start[b] = decoupled ? offsets[b] : (b ? offsets[n_elements] : offsets[0]);
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t n = k->start[b + 1] - k->start[b];
        k->p_offset[b + 1] = k->p_offset[b] + n * n;
    }
    const size_t np = k->start[k->n_blocks];
    k->x = calloc(np * (size_t)k->max_m + 1, sizeof *k->x), k->ht = calloc(np * (size_t)k->max_m + 1, sizeof *k->ht);
    k->a = calloc((size_t)k->max_m * (size_t)k->max_m + 1, sizeof *k->a);
    k->z = calloc(np * (size_t)k->capacity + 1, sizeof *k->z);
    return k->x && k->ht && k->a && k->z;
}

void train_kalman_free(train_kalman *k)
{
    free(k->x), free(k->ht), free(k->a), free(k->z);
    memset(k, 0, sizeof *k);
}

size_t train_kalman_size(const train_kalman *k) { return k->p_offset[k->n_blocks]; }

void train_kalman_reset(train_kalman *k, double *P, double epsilon)
{
    memset(P, 0, train_kalman_size(k) * sizeof *P);
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t n = k->start[b + 1] - k->start[b];
        double *p = P + k->p_offset[b];
        for (size_t i = 0; i < n; ++i) p[i * n + i] = 1.0 / epsilon;
        k->dirty[b] = 0;
    }
    k->pending = 0, k->q_sum = 0.0;
}

/* row_j -= Σ_c z_ic z_jc over the r deferred columns (column c at zt + c·np), subtracted one
 * after the other in column order, four columns per sweep of the row. */
MLPOT_TARGET_CLONES
static void subtract_deferred(double *restrict row, const double *restrict zt, size_t np, size_t i, size_t n, int r)
{
    int c = 0;
    for (; c + 4 <= r; c += 4) {
        const double *z0 = zt + (size_t)c * np, *z1 = z0 + np, *z2 = z1 + np, *z3 = z2 + np;
        const double a0 = z0[i], a1 = z1[i], a2 = z2[i], a3 = z3[i];
        if (a0 == 0.0 && a1 == 0.0 && a2 == 0.0 && a3 == 0.0) continue; /* x - 0·y is x */
        for (size_t j = 0; j < n; ++j) row[j] = (((row[j] - a0 * z0[j]) - a1 * z1[j]) - a2 * z2[j]) - a3 * z3[j];
    }
    for (; c < r; ++c) {
        const double *zc = zt + (size_t)c * np, a = zc[i];
        if (a != 0.0)
            for (size_t j = 0; j < n; ++j) row[j] -= a * zc[j];
    }
}

/* Eight doubles, one AVX-512 register (two AVX2 ones, four SSE2 ones in the baseline clone);
 * element-wise arithmetic, so each lane gives the bits of the scalar expression. */
typedef double kalman_v8 __attribute__((vector_size(8 * sizeof(double))));

/* subtract_deferred for the eight rows i..i+7 (p, rows n apart) at once, with the same
 * operations in the same order for every element: each column of Z is read once per eight
 * rows instead of once per row, which is what bound the single-row sweep (Z does not fit in
 * L1). */
MLPOT_TARGET_CLONES
static void subtract_deferred8(double *restrict p, const double *restrict zt, size_t np, size_t i, size_t n, int r)
{
    const size_t nv = n / 8 * 8;
    int c = 0;
    for (; c + 4 <= r; c += 4) {
        const double *z0 = zt + (size_t)c * np, *z1 = z0 + np, *z2 = z1 + np, *z3 = z2 + np;
        double a[8][4];
        int skip[8];
        for (int t = 0; t < 8; ++t) {
            a[t][0] = z0[i + (size_t)t], a[t][1] = z1[i + (size_t)t], a[t][2] = z2[i + (size_t)t], a[t][3] = z3[i + (size_t)t];
            skip[t] = a[t][0] == 0.0 && a[t][1] == 0.0 && a[t][2] == 0.0 && a[t][3] == 0.0;
        }
        for (size_t j = 0; j < nv; j += 8) {
            kalman_v8 y0, y1, y2, y3;
            memcpy(&y0, z0 + j, sizeof y0), memcpy(&y1, z1 + j, sizeof y1);
            memcpy(&y2, z2 + j, sizeof y2), memcpy(&y3, z3 + j, sizeof y3);
            for (int t = 0; t < 8; ++t) {
                if (skip[t]) continue;
                double *row = p + (size_t)t * n + j;
                kalman_v8 v;
                memcpy(&v, row, sizeof v);
                v = (((v - a[t][0] * y0) - a[t][1] * y1) - a[t][2] * y2) - a[t][3] * y3;
                memcpy(row, &v, sizeof v);
            }
        }
        for (int t = 0; t < 8; ++t) {
            if (skip[t]) continue;
            double *row = p + (size_t)t * n;
            for (size_t j = nv; j < n; ++j)
                row[j] = (((row[j] - a[t][0] * z0[j]) - a[t][1] * z1[j]) - a[t][2] * z2[j]) - a[t][3] * z3[j];
        }
    }
    for (; c < r; ++c)
        for (int t = 0; t < 8; ++t) {
            const double *zc = zt + (size_t)c * np, at = zc[i + (size_t)t];
            double *row = p + (size_t)t * n;
            if (at != 0.0)
                for (size_t j = 0; j < n; ++j) row[j] -= at * zc[j];
        }
}

/* Rows are independent and each element is updated in one order, so the results do not
 * depend on the thread count (BLAS's dgemm does not promise that), and P_ij and P_ji receive
 * the same products in the same order, so P stays exactly symmetric. Small blocks stay on one
 * thread. */
void train_kalman_flush(train_kalman *k, double *P)
{
    const int r = k->pending;
    const size_t np = k->start[k->n_blocks];
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t s = k->start[b], n = k->start[b + 1] - s;
        double *p = P + k->p_offset[b];
        const double *zt = k->z + s;
        if (k->dirty[b] && r > 0) {
            const size_t tiles = (n + 7) / 8;
#pragma omp parallel for schedule(static) if (n > 256)
            for (size_t t = 0; t < tiles; ++t) {
                const size_t i0 = 8 * t;
                if (i0 + 8 <= n)
                    subtract_deferred8(p + i0 * n, zt, np, i0, n, r);
                else
                    for (size_t i = i0; i < n; ++i) subtract_deferred(p + i * n, zt, np, i, n, r);
            }
        }
        if (k->q_sum != 0.0)
            for (size_t i = 0; i < n; ++i) p[i * n + i] += k->q_sum;
        k->dirty[b] = 0;
    }
    k->pending = 0, k->q_sum = 0.0;
}

/* acc[d] = Σ_j row_j h_jd for the m measurements (h row-major, m per parameter); for one
 * measurement, memory-bound, in eight partial sums of a fixed order. */
MLPOT_TARGET_CLONES
static void row_times_h(const double *restrict row, const double *restrict h, size_t n, int m, double *restrict acc)
{
    if (m == 1) {
        double part[8] = {0};
        size_t j = 0;
        for (; j + 8 <= n; j += 8)
            for (int u = 0; u < 8; ++u) part[u] += row[j + (size_t)u] * h[j + (size_t)u];
        for (; j < n; ++j) part[0] += row[j] * h[j];
        acc[0] = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
        return;
    }
    for (int d = 0; d < m; ++d) acc[d] = 0.0;
    for (size_t j = 0; j < n; ++j) {
        const double pij = row[j], *hj = h + j * (size_t)m;
        for (int d = 0; d < m; ++d) acc[d] += pij * hj[d];
    }
}

/* row_times_h for the eight rows p, p + n, …, p + 7n at once (acc: 8 × m), each sum over j in
 * the same order as there: h is read once per eight rows. For m ≥ 2 (one measurement keeps
 * its eight partial sums, row by row). */
MLPOT_TARGET_CLONES
static void rows8_times_h(const double *restrict p, const double *restrict h, size_t n, int m, double *restrict acc)
{
    int d0 = 0;
    for (; d0 + 8 <= m; d0 += 8) {
        kalman_v8 a[8] = {{0}};
        for (size_t j = 0; j < n; ++j) {
            kalman_v8 y;
            memcpy(&y, h + j * (size_t)m + (size_t)d0, sizeof y);
            for (int t = 0; t < 8; ++t) a[t] += p[(size_t)t * n + j] * y;
        }
        for (int t = 0; t < 8; ++t) memcpy(acc + (size_t)t * (size_t)m + (size_t)d0, &a[t], sizeof a[t]);
    }
    for (; d0 < m; ++d0) {
        double a[8] = {0};
        for (size_t j = 0; j < n; ++j) {
            const double y = h[j * (size_t)m + (size_t)d0];
            for (int t = 0; t < 8; ++t) a[t] += p[(size_t)t * n + j] * y;
        }
        for (int t = 0; t < 8; ++t) acc[(size_t)t * (size_t)m + (size_t)d0] = a[t];
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
 * Z is L⁻¹ x_i), and the step is Z L⁻¹ ξ. */
int train_kalman_update(train_kalman *k, double *P, double *theta, const double *H, const double *xi, int m, double eta,
                        double q)
{
    if (m < 1 || m > k->max_m) return 0;
    if (k->pending + m > k->capacity) train_kalman_flush(k, P);
    const size_t np = k->start[k->n_blocks], r = (size_t)k->pending;
    double *ht = k->ht, *X = k->x, *A = k->a;
    for (int c = 0; c < m; ++c) /* H transposed: the m values of parameter j side by side */
        for (size_t j = 0; j < np; ++j) ht[j * (size_t)m + (size_t)c] = H[(size_t)c * np + j];
    int active[TRAIN_MAX_ELEMENTS + 1];
    for (int b = 0; b < k->n_blocks; ++b) {
        const size_t s = k->start[b], n = k->start[b + 1] - s;
        const double *h = ht + s * (size_t)m, *p = P + k->p_offset[b], *z = k->z + s;
        double *x = X + s * (size_t)m;
        active[b] = 0;
        for (size_t i = 0; i < n * (size_t)m && !active[b]; ++i) active[b] = h[i] != 0.0;
        if (!active[b]) { /* no measurement here (an element absent from the environments) */
            memset(x, 0, n * (size_t)m * sizeof *x);
            continue;
        }
        /* X = P H - Z (Zᵀ H) + q_sum H, with the deferred columns Z (column c at z + c·np) */
        const size_t rr = k->dirty[b] ? r : 0;
        double zh[TRAIN_KALMAN_MAX_M * TRAIN_KALMAN_MAX_M]; /* Zᵀ H; capacity ≤ TRAIN_KALMAN_MAX_M */
        for (size_t c = 0; c < rr; ++c) {
            const double *zc = z + c * np;
            double acc[TRAIN_KALMAN_MAX_M] = {0};
            for (size_t j = 0; j < n; ++j)
                for (int d = 0; d < m; ++d) acc[d] += zc[j] * h[j * (size_t)m + (size_t)d];
            memcpy(zh + c * (size_t)m, acc, (size_t)m * sizeof *acc);
        }
        const double qs = k->q_sum;
        const size_t tiles = (n + 7) / 8;
#pragma omp parallel for schedule(static) if (n > 256)
        for (size_t t = 0; t < tiles; ++t) {
            const size_t i0 = 8 * t, i1 = i0 + 8 < n ? i0 + 8 : n;
            double ph[8 * TRAIN_KALMAN_MAX_M]; /* rows i0..i1 of P H */
            if (m > 1 && i1 - i0 == 8)
                rows8_times_h(p + i0 * n, h, n, m, ph);
            else
                for (size_t i = i0; i < i1; ++i) row_times_h(p + i * n, h, n, m, ph + (i - i0) * (size_t)m);
            for (size_t i = i0; i < i1; ++i) {
                double *acc = ph + (i - i0) * (size_t)m;
                for (size_t c = 0; c < rr; ++c) {
                    const double zic = z[c * np + i];
                    for (int d = 0; d < m; ++d) acc[d] -= zic * zh[c * (size_t)m + (size_t)d];
                }
                for (int d = 0; d < m; ++d) acc[d] += qs * h[i * (size_t)m + (size_t)d];
                memcpy(x + i * (size_t)m, acc, (size_t)m * sizeof *acc);
            }
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
        double *x = X + s * (size_t)m, *z = k->z + s;
        for (size_t i = 0; i < n; ++i) {
            double *zi = x + i * (size_t)m, step = 0.0; /* row i of Z, in place of X */
            if (active[b]) {
                forward_substitute(A, m, zi);
                for (int c = 0; c < m; ++c) step += zi[c] * u[c];
                theta[s + i] += step;
            }
            for (int c = 0; c < m; ++c) z[(r + (size_t)c) * np + i] = active[b] ? zi[c] : 0.0;
        }
        k->dirty[b] |= active[b];
    }
    k->pending += m;
    k->q_sum += q;
    return 1;
}
