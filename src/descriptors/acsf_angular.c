/* The exponential angular symmetry functions (types 3, 9, 13) of one atom and one group, in a
 * form the compiler vectorises. The pairs (j, k) of neighbours that count (for the narrow types
 * only those with r_jk < r_c, about half) are listed, and go by in full blocks of ACSF_LANES:
 * geometry, cutoff of r_jk, exponentials and angular powers as short arrays, then all functions
 * of the group as multiply-adds over the block. Short rows of pairs share blocks, so lanes are
 * not wasted on padding.
 *
 * Notation of acsf_kernels.c: a term is T = A (1 + λc)^ζ X F with X = e^{-η[(r_j - r_s)² +
 * (r_k - r_s)² + (r_jk - r_s)²]} and F the product of the cutoffs (and element weights).
 * Back-propagation needs, per pair, the coefficients C1, Cj, Ck, C3 of the displacement
 * vectors; they depend on the functions only through four sums over the group,
 *   Sc = Σ w ζλ A P^(ζ-1) X,  Sb = Σ w A P^ζ X,  W = Σ η w A P^ζ X,  Wr = Σ η r_s w A P^ζ X,
 * and functions sharing (η, r_s) share X, so the sums go through one partial sum per distinct
 * (η, r_s). The gradient is accumulated per neighbour and written to the atom's entries once
 * at the end. */
#include <math.h>
#include <string.h>

#include "descriptors/acsf_vector.h"
#include "descriptors/fast_math.h"

#define B ACSF_LANES
#define LANES _Pragma("omp simd") for (int b = 0; b < B; ++b)
/* pairs collected before a batch of blocks is processed */
#define CHUNK 512

/* The group's state during one call. */
typedef struct angular {
    const acsf_element *el;
    const acsf_group *g;
    const acsf_cutoff *cut;
    acsf_cache *cache;
    int narrow, weighted, values, backprop, n_exp, n_pow, n_fn, mp;
    const double *x, *y, *z, *r, *ir, *fc, *dfc, *zw, *E; /* per neighbour, padded */
    double *gx, *gy, *gz;                                /* gradient per neighbour */
    double *gacc;                                        /* [n_fn][B] values per function */
    double *coef_a, *coef_b;                             /* w ζ λ A and w A, per function */
    int *order, *exp_end; /* functions sorted by exponential index; end of each run */
    double *X, *P, *P1;   /* per block: [n_exp][B], [n_pow][B], [n_pow][B] */
} angular;

/* per neighbour (padded): x y z r 1/r fc dfc zw gx gy gz r², E; per function: gacc[B], 2
 * coefficients, 2 ints; per block: X, P, P^(ζ-1); the pair list */
size_t acsf_angular_work_size(size_t m, size_t n_fn)
{
    return (m + B) * (12 + n_fn) + n_fn * (B + 4) + (3 * n_fn + 4) * B + (CHUNK + m + B) + 64;
}

/* cutoff value and derivative of B distances; tanh-type cutoffs through fast_tanh so that the
 * loop vectorises, the others through the scalar definition */
static inline __attribute__((always_inline)) void cutoff_lanes(const acsf_cutoff *cut, const double *r,
                                                               double *f, double *df)
{
    if (cut->type == ACSF_CUT_TANHU || cut->type == ACSF_CUT_TANH) {
        LANES acsf_cutoff_tanh_fdf(cut, r[b], &f[b], &df[b]);
        return;
    }
    for (int b = 0; b < B; ++b) acsf_cutoff_fdf(cut, r[b], &f[b], &df[b]);
}

/* (1 + λc)^ζ and (1 + λc)^(ζ-1) of the block for every distinct (λ, ζ); zero where 1 + λc <= 0 */
static inline __attribute__((always_inline)) void powers(const acsf_group *g, const double *c, double *P,
                                                         double *P1)
{
    for (int p = 0; p < g->n_pow; ++p) {
        const double lambda = g->pow_lambda[p];
        double *Pp = &P[(size_t)p * B], *P1p = &P1[(size_t)p * B];
        if (g->pow_integer[p] && g->pow_zeta_int[p] <= 32) {
            /* by squaring with fixed steps (branch-free, so it vectorises) */
            const int n1 = g->pow_zeta_int[p] - 1;
            LANES {
                double t = 1.0 + lambda * c[b];
                double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4, t16 = t8 * t8;
                double pw = ((n1 & 1) ? t : 1.0) * ((n1 & 2) ? t2 : 1.0) * ((n1 & 4) ? t4 : 1.0) *
                            ((n1 & 8) ? t8 : 1.0) * ((n1 & 16) ? t16 : 1.0);
                double pos = t > 0.0 ? 1.0 : 0.0;
                P1p[b] = pos * pw;
                Pp[b] = pos * pw * t;
            }
        } else {
            const double zm1 = g->pow_zeta[p] - 1.0;
            for (int b = 0; b < B; ++b) {
                double t = 1.0 + lambda * c[b];
                P1p[b] = t > 0.0 ? pow(t, zm1) : 0.0;
                Pp[b] = t > 0.0 ? P1p[b] * t : 0.0;
            }
        }
    }
}

/* n_pairs (a multiple of B) pairs (pu[q], pv[q]) of neighbours. */
static inline __attribute__((always_inline)) void blocks(const angular *a, const int *pu, const int *pv,
                                                         int n_pairs)
{
    const acsf_group *g = a->g;
    const int n_exp = a->n_exp, mp = a->mp, narrow = a->narrow;
    const double *x = a->x, *y = a->y, *z = a->z, *r = a->r, *ir = a->ir, *fc = a->fc, *dfc = a->dfc,
                 *zw = a->zw, *E = a->E;
    double *X = a->X, *P = a->P, *P1 = a->P1;
    for (int q0 = 0; q0 < n_pairs; q0 += B) {
        const int *iu = &pu[q0], *iv = &pv[q0];
        double xj[B], yj[B], zj[B], rj[B], irj[B], fj[B], dfj[B], wj[B];
        double xk[B], yk[B], zk[B], rk[B], irk[B], fk[B], dfk[B], wk[B];
        double dx[B], dy[B], dz[B], rjk[B], c[B], fjk[B], dfjk[B], F[B];
        LANES {
            const int u = iu[b], v = iv[b];
            xj[b] = x[u], yj[b] = y[u], zj[b] = z[u], rj[b] = r[u], irj[b] = ir[u];
            fj[b] = fc[u], dfj[b] = dfc[u], wj[b] = zw[u];
            xk[b] = x[v], yk[b] = y[v], zk[b] = z[v], rk[b] = r[v], irk[b] = ir[v];
            fk[b] = fc[v], dfk[b] = dfc[v], wk[b] = zw[v];
            dx[b] = xk[b] - xj[b], dy[b] = yk[b] - yj[b], dz[b] = zk[b] - zj[b];
            c[b] = (xj[b] * xk[b] + yj[b] * yk[b] + zj[b] * zk[b]) * irj[b] * irk[b];
        }
        /* r_jk, its cutoff and exponentials: computed, or read from the values pass */
        double *slot = narrow ? acsf_cache_slot(a->cache, a->values, (size_t)(3 + n_exp) * B) : NULL;
        if (slot && !a->values) {
            memcpy(rjk, slot, sizeof rjk);
            memcpy(fjk, slot + B, sizeof fjk);
            memcpy(dfjk, slot + 2 * B, sizeof dfjk);
            memcpy(X, slot + 3 * B, (size_t)n_exp * B * sizeof *X);
        } else {
            LANES rjk[b] = sqrt(dx[b] * dx[b] + dy[b] * dy[b] + dz[b] * dz[b]);
            if (narrow) {
                cutoff_lanes(a->cut, rjk, fjk, dfjk);
            } else {
                LANES fjk[b] = 1.0, dfjk[b] = 0.0;
            }
            for (int e = 0; e < n_exp; ++e) {
                const double eta = g->exp_eta[e], rs = g->exp_rs[e];
                const double *Ee = &E[(size_t)e * mp];
                double *Xe = &X[(size_t)e * B];
                if (narrow) {
                    LANES {
                        double t = rjk[b] - rs;
                        Xe[b] = Ee[iu[b]] * Ee[iv[b]] * fast_exp(-eta * t * t);
                    }
                } else {
                    LANES Xe[b] = Ee[iu[b]] * Ee[iv[b]];
                }
            }
            if (slot) {
                memcpy(slot, rjk, sizeof rjk);
                memcpy(slot + B, fjk, sizeof fjk);
                memcpy(slot + 2 * B, dfjk, sizeof dfjk);
                memcpy(slot + 3 * B, X, (size_t)n_exp * B * sizeof *X);
            }
        }
        LANES F[b] = fj[b] * fk[b] * fjk[b] * wj[b] * wk[b];
        powers(g, c, P, P1);
        if (a->values)
            for (int e = 0, k = 0; e < n_exp; ++e) {
                double XF[B];
                const double *Xe = &X[(size_t)e * B];
                LANES XF[b] = Xe[b] * F[b];
                for (; k < a->exp_end[e]; ++k) {
                    const double *Pf = &P[(size_t)g->fn_pow[a->order[k]] * B];
                    double *acc = &a->gacc[(size_t)k * B];
                    LANES acc[b] += Pf[b] * XF[b];
                }
            }
        if (!a->backprop) continue;
        double Sc[B] = {0}, Sb[B] = {0}, W[B] = {0}, Wr[B] = {0};
        for (int e = 0, k = 0; e < n_exp; ++e) {
            double sa[B] = {0}, sb[B] = {0};
            for (; k < a->exp_end[e]; ++k) {
                const int p = g->fn_pow[a->order[k]];
                const double *Pf = &P[(size_t)p * B], *P1f = &P1[(size_t)p * B];
                const double ca = a->coef_a[k], cb = a->coef_b[k];
                LANES {
                    sa[b] += ca * P1f[b];
                    sb[b] += cb * Pf[b];
                }
            }
            const double eta = g->exp_eta[e], eta_rs = eta * g->exp_rs[e];
            const double *Xe = &X[(size_t)e * B];
            LANES {
                double t = Xe[b] * sb[b];
                Sc[b] += Xe[b] * sa[b];
                Sb[b] += t;
                W[b] += eta * t;
                Wr[b] += eta_rs * t;
            }
        }
        double gjx[B], gjy[B], gjz[B], gkx[B], gky[B], gkz[B];
        LANES {
            const double sc = Sc[b] * F[b], sj = F[b] * (W[b] * rj[b] - Wr[b]),
                         sk = F[b] * (W[b] * rk[b] - Wr[b]), sjk = F[b] * (W[b] * rjk[b] - Wr[b]);
            const double sbw = Sb[b] * wj[b] * wk[b];
            const double C1 = sc * irj[b] * irk[b];
            const double Cj = (-sc * c[b] * irj[b] - 2.0 * sj + sbw * dfj[b] * fk[b] * fjk[b]) * irj[b];
            const double Ck = (-sc * c[b] * irk[b] - 2.0 * sk + sbw * fj[b] * dfk[b] * fjk[b]) * irk[b];
            const double C3 = narrow ? (-2.0 * sjk + sbw * fj[b] * fk[b] * dfjk[b]) / rjk[b] : 0.0;
            gjx[b] = C1 * xk[b] + Cj * xj[b] - C3 * dx[b];
            gjy[b] = C1 * yk[b] + Cj * yj[b] - C3 * dy[b];
            gjz[b] = C1 * zk[b] + Cj * zj[b] - C3 * dz[b];
            gkx[b] = C1 * xj[b] + Ck * xk[b] + C3 * dx[b];
            gky[b] = C1 * yj[b] + Ck * yk[b] + C3 * dy[b];
            gkz[b] = C1 * zj[b] + Ck * zk[b] + C3 * dz[b];
        }
        /* a scatter, in order (lanes may share their first neighbour) */
        for (int b = 0; b < B; ++b) {
            a->gx[iu[b]] += gjx[b], a->gy[iu[b]] += gjy[b], a->gz[iu[b]] += gjz[b];
            a->gx[iv[b]] += gkx[b], a->gy[iv[b]] += gky[b], a->gz[iv[b]] += gkz[b];
        }
    }
}

MLPOT_TARGET_CLONES
void acsf_exp_angular(const acsf_element *el, const acsf_group *g, const acsf_cutoff *cut,
                      const acsf_neighbours *nb, unsigned mode, double *G, const double *weights,
                      double *grad, double *work, acsf_cache *cache)
{
    const int m = nb->m, mp = m + B, n_fn = g->n, n_exp = g->n_exp, n_pow = g->n_pow;
    angular a = {.el = el, .g = g, .cut = cut, .cache = cache, .narrow = g->type != 9, .weighted = g->type == 13,
                 .values = (mode & ACSF_VALUES) != 0, .backprop = (mode & ACSF_BACKPROP) != 0,
                 .n_exp = n_exp, .n_pow = n_pow, .n_fn = n_fn, .mp = mp};
    const double rc2 = g->rc * g->rc;

    /* neighbour arrays, padded with B neighbours that contribute nothing (zero cutoff) at
     * distinct places (so that padding pairs have r_jk > 0) */
    double *x = work, *y = x + mp, *z = y + mp, *r = z + mp, *ir = r + mp, *fc = ir + mp, *dfc = fc + mp,
           *zw = dfc + mp, *r2 = zw + mp, *E = r2 + mp;
    a.gx = E + (size_t)n_exp * mp, a.gy = a.gx + mp, a.gz = a.gy + mp;
    a.gacc = a.gz + mp;
    a.coef_a = a.gacc + (size_t)n_fn * B, a.coef_b = a.coef_a + n_fn;
    a.order = (int *)(a.coef_b + n_fn), a.exp_end = a.order + n_fn;
    a.X = a.coef_b + n_fn + (n_fn + n_exp + 1) / 2 + 1;
    a.P = a.X + (size_t)n_exp * B, a.P1 = a.P + (size_t)n_pow * B;
    int *pu = (int *)(a.P1 + (size_t)n_pow * B), *pv = pu + CHUNK + m + B;
    for (int u = 0; u < m; ++u) {
        x[u] = nb->x[u], y[u] = nb->y[u], z[u] = nb->z[u], r[u] = nb->r[u], ir[u] = 1.0 / nb->r[u];
        fc[u] = nb->fc[u], dfc[u] = nb->dfc[u], zw[u] = a.weighted ? nb->z_weight[u] : 1.0;
        for (int e = 0; e < n_exp; ++e) E[(size_t)e * mp + u] = nb->E[(size_t)e * m + u];
    }
    for (int u = m; u < mp; ++u) {
        x[u] = (double)(u - m), y[u] = z[u] = 0.0, r[u] = ir[u] = 1.0, fc[u] = dfc[u] = zw[u] = 0.0;
        for (int e = 0; e < n_exp; ++e) E[(size_t)e * mp + u] = 0.0;
    }
    a.x = x, a.y = y, a.z = z, a.r = r, a.ir = ir, a.fc = fc, a.dfc = dfc, a.zw = zw, a.E = E;
    if (a.backprop) memset(a.gx, 0, 3 * (size_t)mp * sizeof *a.gx); /* gx, gy, gz are adjacent */
    if (a.values) memset(a.gacc, 0, (size_t)n_fn * B * sizeof *a.gacc);
    for (int e = 0, k = 0; e < n_exp; ++e) {
        for (int f = 0; f < n_fn; ++f)
            if (g->fn_exp[f] == e) a.order[k++] = f;
        a.exp_end[e] = k;
    }
    if (a.backprop)
        for (int k = 0; k < n_fn; ++k) {
            const acsf_fn *fn = &el->fn[g->index[a.order[k]]];
            const double w = weights[g->index[a.order[k]]];
            a.coef_a[k] = w * fn->norm * fn->zeta * fn->lambda;
            a.coef_b[k] = w * fn->norm;
        }

    int n = 0; /* pairs listed and not yet processed */
    for (int u = 0; u + 1 < m; ++u) {
        int v0 = u + 1;
        if (!a.weighted && g->e1 != g->e2) { /* one neighbour of each element: j from e1, k from e2 */
            if (nb->el[u] != g->e1) break;
            v0 = nb->first_of_e2;
        }
        if (a.narrow) {
            const double xu = x[u], yu = y[u], zu = z[u];
#pragma omp simd
            for (int v = v0; v < m; ++v) {
                double dx = x[v] - xu, dy = y[v] - yu, dz = z[v] - zu;
                r2[v] = dx * dx + dy * dy + dz * dz;
            }
            for (int v = v0; v < m; ++v) {
                pu[n] = u, pv[n] = v;
                n += r2[v] < rc2;
            }
        } else {
            for (int v = v0; v < m; ++v) pu[n] = u, pv[n++] = v;
        }
        if (n >= CHUNK) { /* full blocks now; the rest moves to the front */
            int done = n - n % B;
            blocks(&a, pu, pv, done);
            for (int q = done; q < n; ++q) pu[q - done] = pu[q], pv[q - done] = pv[q];
            n -= done;
        }
    }
    if (n > 0) {
        for (int b = 0; n % B; ++b, ++n) pu[n] = m + 2 * (b / 2), pv[n] = m + 2 * (b / 2) + 1; /* padding */
        blocks(&a, pu, pv, n);
    }
    if (a.values)
        for (int k = 0; k < n_fn; ++k) {
            const int idx = g->index[a.order[k]];
            double sum = 0.0;
            for (int b = 0; b < B; ++b) sum += a.gacc[(size_t)k * B + b];
            G[idx] += el->fn[idx].norm * sum;
        }
    if (a.backprop)
        for (int u = 0; u < m; ++u) {
            double *gu = &grad[3 * nb->entry[u]];
            gu[0] += a.gx[u], gu[1] += a.gy[u], gu[2] += a.gz[u];
        }
}
