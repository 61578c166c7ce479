/* SOAP per atom (values, back-propagation, Jacobian) and the descriptor-interface wrapper. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "core/neighbours_internal.h"
#include "descriptors/soap_internal.h"
#include "mlpot/elements.h"

/* --- work area ------------------------------------------------------------------------------ */

mlpot_status soap_work_init(soap_work *w, const soap_desc *d, int capacity, mlpot_error *err)
{
    memset(w, 0, sizeof *w);
    if (capacity < 1) capacity = 1;
    const size_t K = (size_t)d->K, nlm = (size_t)d->n_lm, L = (size_t)d->L, n = (size_t)d->n_max;
    const size_t cap = (size_t)capacity;
    size_t doubles = 4 * K * nlm + 5 * (size_t)d->n_power + 3 * n * nlm + 2 * L * n + L * K * K + cap * (3 + 1 + nlm + 3 * nlm + 2 * L * n) +
                     2 * n * (L + 1) + 4 * nlm + 4 * L + 2 * nlm + 8;
    size_t ints = 2 * cap;
    double *block = mlpot_calloc(doubles * sizeof(double) + ints * sizeof(int), 1);
    if (!block) return mlpot_fail_memory(err, "allocating SOAP work space");
    w->block = block;
    w->capacity = capacity;
    double *q = block;
    w->a = q, q += K * nlm;
    w->b = q, q += K * nlm;
    w->g = q, q += K * nlm;
    w->gb = q, q += K * nlm;
    w->cn = q, q += L * n;
    w->dcn = q, q += L * n;
    w->p = q, q += (size_t)d->n_power;
    w->gp = q, q += (size_t)d->n_power;
    w->pair = q, q += L * K * K;
    w->da = q, q += 3 * n * nlm;
    w->dp = q, q += 3 * (size_t)d->n_power;
    w->u = q, q += 3 * cap;
    w->rho = q, q += cap;
    w->Y = q, q += nlm * cap;
    w->dY = q, q += 3 * nlm * cap;
    w->c = q, q += L * n * cap;
    w->dc = q, q += L * n * cap;
    w->F = q, q += n * (L + 1);
    w->dF = q, q += n * (L + 1);
    w->scratch = q, q += 4 * nlm + 4 * L;
    w->A = q, q += nlm;
    w->B = q, q += nlm;
    q += 8;
    w->entry = (int *)(void *)q;
    w->channel = w->entry + cap;
    return MLPOT_OK;
}

void soap_work_free(soap_work *w)
{
    if (!w) return;
    free(w->block);
    memset(w, 0, sizeof *w);
}

int soap_max_entries(const mlpot_neighbour_list *nl)
{
    return (int)mlpot_neighbour_max_entries(nl);
}

/* --- per atom --------------------------------------------------------------------------------- */

/* The radial functions of a neighbour at distance rho at the basis centres, times the cutoff:
 * f[l][a] = f_c(ρ)·exp(-α(ρ²+r_a²))·i_l(2αρr_a), and with df their ρ-derivatives. The basis
 * transform C⁻¹L is linear and the same for every neighbour, so it is applied once per atom to
 * the sums over neighbours (see soap_atom), not here. */
static void radial_values(const soap_desc *d, double rho, double fc, double dfc, double *f, double *df, soap_work *w)
{
    const int n = d->n_max, L = d->L, Lp = L + 1;
    const double alpha = d->alpha;
    double *F = w->F;
    const int lmax_needed = df ? L : L - 1; /* the derivative needs one order more */
    const double two_alpha_rho = 2.0 * alpha * rho, inv_rho = 1.0 / rho;
    for (int a = 0; a < n; ++a) {
        double *Fa = F + a * Lp;
        soap_scaled_bessel(alpha, rho, d->r_basis[a], lmax_needed, Fa);
        for (int l = 0; l < L; ++l) f[l * n + a] = fc * Fa[l];
        if (df) {
            double two_alpha_r = 2.0 * alpha * d->r_basis[a];
            for (int l = 0; l < L; ++l) {
                double dF = (l * inv_rho - two_alpha_rho) * Fa[l] + two_alpha_r * Fa[l + 1];
                df[l * n + a] = fc * dF + dfc * Fa[l];
            }
        }
    }
}

/* out[(s,n)][lm] (+)= Σ_a T[a][n] in[(s,a)][lm] for every species block: the basis transform
 * (add = 0) or its transpose out[(s,a)] = Σ_n T[a][n] in[(s,n)] (transpose = 1). */
static void basis_transform(const soap_desc *d, const double *in, double *out, int transpose)
{
    const int n = d->n_max, nlm = d->n_lm, S = d->p.n_species;
    const double *T = d->transform;
    memset(out, 0, (size_t)d->K * nlm * sizeof *out);
    for (int s = 0; s < S; ++s)
        for (int a = 0; a < n; ++a)
            for (int k = 0; k < n; ++k) {
                const double t = T[a * n + k];
                const double *src = in + (size_t)(s * n + (transpose ? k : a)) * nlm;
                double *dst = out + (size_t)(s * n + (transpose ? a : k)) * nlm;
                for (int m = 0; m < nlm; ++m) dst[m] += t * src[m];
            }
}

void soap_atom(const soap_desc *d, const mlpot_neighbour_list *nl, const int *numbers, int i,
               int with_derivatives, soap_work *w, double *x)
{
    const int n = d->n_max, L = d->L, nlm = d->n_lm, K = d->K;
    const double rc = d->p.cutoff, width = d->p.cutoff_transition_width;
    double *a = w->a, *b = w->b;
    memset(b, 0, (size_t)K * nlm * sizeof *b);
    w->with_derivatives = with_derivatives;
    int used = 0;
    for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
        double rho = nl->distance[k];
        if (rho >= rc) continue;
        int s = d->channel[numbers[nl->neighbour[k]]];
        if (s < 0) continue;
        int t = with_derivatives ? used : 0; /* without derivatives, slot 0 is reused */
        double *u = w->u + 3 * t, *Y = w->Y + (size_t)t * nlm, *f = w->c + (size_t)t * L * n;
        double inv = 1.0 / rho;
        u[0] = nl->vector[3 * k] * inv, u[1] = nl->vector[3 * k + 1] * inv, u[2] = nl->vector[3 * k + 2] * inv;
        double dfc, fc = soap_cutoff_function(rho, rc, width, &dfc);
        if (with_derivatives) {
            w->entry[t] = (int)k;
            w->channel[t] = s;
            w->rho[t] = rho;
            radial_values(d, rho, fc, dfc, f, w->dc + (size_t)t * L * n, w);
            soap_harmonics(d->l_max, d->ylm_norm, d->double_factorial, u, Y, w->dY + (size_t)t * 3 * nlm, w->scratch);
        } else {
            radial_values(d, rho, fc, dfc, f, NULL, w);
            soap_harmonics(d->l_max, d->ylm_norm, d->double_factorial, u, Y, NULL, w->scratch);
        }
        ++used;
        /* b_{(s,a) lm} += f_l(r_a) Y_lm */
        for (int aa = 0; aa < n; ++aa) {
            double *bk = b + (size_t)(s * n + aa) * nlm;
            for (int l = 0; l < L; ++l) {
                double fv = f[l * n + aa];
                for (int q = l * l; q < (l + 1) * (l + 1); ++q) bk[q] += fv * Y[q];
            }
        }
    }
    /* orthonormal coefficients a = (C⁻¹L)ᵀ b, then the centre's own Gaussian, which is exactly
     * the first basis function: l = 0, n = 1, coefficient L_11 */
    basis_transform(d, b, a, 0);
    const int zi = numbers[i];
    for (int s = 0; s < d->p.n_species; ++s)
        if (d->central_all || d->p.species[s] == zi || d->p.species[s] == 0)
            a[(size_t)(s * n) * nlm] += d->central_coefficient;
    w->n_used = used;
    /* power spectrum: species-major channels, lower triangle, l innermost */
    const double sqrt2 = 1.4142135623730951;
    double *p = w->p;
    size_t q = 0;
    for (int k1 = 0; k1 < K; ++k1) {
        const double *a1 = a + (size_t)k1 * nlm;
        for (int k2 = 0; k2 <= k1; ++k2) {
            const double *a2 = a + (size_t)k2 * nlm;
            double f = k1 == k2 ? 1.0 : sqrt2;
            for (int l = 0; l < L; ++l) {
                double sum = 0.0;
                for (int m = l * l; m < (l + 1) * (l + 1); ++m) sum += a1[m] * a2[m];
                p[q++] = f * d->lweight[l] * sum;
            }
        }
    }
    double norm2 = 0.0;
    for (int k = 0; k < d->n_power; ++k) norm2 += p[k] * p[k];
    double norm = sqrt(norm2);
    w->norm = norm;
    if (d->p.normalise) {
        double inv = norm > 0 ? 1.0 / norm : 0.0;
        for (int k = 0; k < d->n_power; ++k) x[k] = p[k] * inv;
    } else {
        memcpy(x, p, (size_t)d->n_power * sizeof *x);
    }
    x[d->n_power] = d->p.covariance_sigma0;
}

/* dE/dp (raw power spectrum) from dE/dx, through the normalisation. */
static void raw_gradient(const soap_desc *d, const double *dE_dx, soap_work *w)
{
    const int np = d->n_power;
    if (!d->p.normalise) {
        memcpy(w->gp, dE_dx, (size_t)np * sizeof *w->gp);
        return;
    }
    if (!(w->norm > 0)) {
        memset(w->gp, 0, (size_t)np * sizeof *w->gp);
        return;
    }
    double inv = 1.0 / w->norm, dot = 0.0;
    for (int k = 0; k < np; ++k) dot += dE_dx[k] * w->p[k];
    dot *= inv * inv;
    for (int k = 0; k < np; ++k) w->gp[k] = (dE_dx[k] - dot * w->p[k]) * inv;
}

void soap_atom_backprop(const soap_desc *d, const mlpot_neighbour_list *nl, int i,
                        const double *dE_dx, soap_work *w, double *grad)
{
    const int n = d->n_max, L = d->L, nlm = d->n_lm, K = d->K;
    raw_gradient(d, dE_dx, w);
    /* symmetric weights M_l[k1][k2]: dE/da_{k1 lm} = Σ_k2 M_l[k1][k2] a_{k2 lm} */
    const double sqrt2 = 1.4142135623730951;
    double *M = w->pair;
    size_t q = 0;
    for (int k1 = 0; k1 < K; ++k1)
        for (int k2 = 0; k2 <= k1; ++k2)
            for (int l = 0; l < L; ++l) {
                double gv = w->gp[q++] * d->lweight[l];
                if (k1 == k2) M[((size_t)l * K + k1) * K + k1] = 2.0 * gv;
                else M[((size_t)l * K + k1) * K + k2] = M[((size_t)l * K + k2) * K + k1] = sqrt2 * gv;
            }
    double *G = w->g;
    memset(G, 0, (size_t)K * nlm * sizeof *G);
    for (int l = 0; l < L; ++l) {
        const double *Ml = M + (size_t)l * K * K;
        for (int k1 = 0; k1 < K; ++k1) {
            double *G1 = G + (size_t)k1 * nlm;
            for (int k2 = 0; k2 < K; ++k2) {
                double mv = Ml[k1 * K + k2];
                if (mv == 0.0) continue;
                const double *a2 = w->a + (size_t)k2 * nlm;
                for (int m = l * l; m < (l + 1) * (l + 1); ++m) G1[m] += mv * a2[m];
            }
        }
    }
    /* back through the basis transform once: dE/db = (C⁻¹L) dE/da */
    basis_transform(d, w->g, w->gb, 1);
    G = w->gb;
    /* each neighbour: dE/dd = (Σ_lm B_lm Y_lm) u + P_⊥ (Σ_lm A_lm ∇Y_lm) / ρ */
    const size_t first = nl->offsets[i];
    double *A = w->A, *B = w->B;
    for (int t = 0; t < w->n_used; ++t) {
        const int s = w->channel[t];
        const double *c = w->c + (size_t)t * L * n, *dc = w->dc + (size_t)t * L * n; /* f, df */
        const double *Y = w->Y + (size_t)t * nlm, *dY = w->dY + (size_t)t * 3 * nlm;
        memset(A, 0, (size_t)nlm * sizeof *A);
        memset(B, 0, (size_t)nlm * sizeof *B);
        for (int nn = 0; nn < n; ++nn) {
            const double *Gk = G + (size_t)(s * n + nn) * nlm;
            for (int l = 0; l < L; ++l) {
                double cv = c[l * n + nn], dcv = dc[l * n + nn];
                for (int m = l * l; m < (l + 1) * (l + 1); ++m) {
                    A[m] += Gk[m] * cv;
                    B[m] += Gk[m] * dcv;
                }
            }
        }
        double radial = 0.0, gx = 0.0, gy = 0.0, gz = 0.0;
        for (int m = 0; m < nlm; ++m) {
            radial += B[m] * Y[m];
            gx += A[m] * dY[3 * m];
            gy += A[m] * dY[3 * m + 1];
            gz += A[m] * dY[3 * m + 2];
        }
        const double *u = w->u + 3 * t;
        double inv = 1.0 / w->rho[t], ug = u[0] * gx + u[1] * gy + u[2] * gz;
        double *g = grad + 3 * ((size_t)w->entry[t] - first);
        g[0] += radial * u[0] + (gx - ug * u[0]) * inv;
        g[1] += radial * u[1] + (gy - ug * u[1]) * inv;
        g[2] += radial * u[2] + (gz - ug * u[2]) * inv;
    }
}

void soap_atom_jacobian(const soap_desc *d, const mlpot_neighbour_list *nl, int i, soap_work *w,
                        double *jac)
{
    const int n = d->n_max, L = d->L, nlm = d->n_lm, K = d->K, np = d->n_power;
    const size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first;
    memset(jac, 0, (size_t)d->dim * count * 3 * sizeof *jac);
    const double sqrt2 = 1.4142135623730951;
    /* da_{(s,n) lm}/dd for one neighbour (only channel block s is nonzero), [n][nlm][3] */
    double *da = w->da, *dp = w->dp;
    for (int t = 0; t < w->n_used; ++t) {
        const int s = w->channel[t];
        /* this neighbour's orthonormal radial coefficients c = (C⁻¹L)ᵀ f and their derivatives */
        const double *fr = w->c + (size_t)t * L * n, *dfr = w->dc + (size_t)t * L * n;
        double *c = w->cn, *dc = w->dcn;
        for (int l = 0; l < L; ++l)
            for (int k = 0; k < n; ++k) {
                double sc = 0.0, sd = 0.0;
                for (int aa = 0; aa < n; ++aa) {
                    sc += fr[l * n + aa] * d->transform[aa * n + k];
                    sd += dfr[l * n + aa] * d->transform[aa * n + k];
                }
                c[l * n + k] = sc, dc[l * n + k] = sd;
            }
        const double *Y = w->Y + (size_t)t * nlm, *dY = w->dY + (size_t)t * 3 * nlm;
        const double *u = w->u + 3 * t;
        double inv = 1.0 / w->rho[t];
        for (int m = 0; m < nlm; ++m) {
            /* projected gradient of Y_lm with respect to d */
            const double *g = dY + 3 * m;
            double ug = u[0] * g[0] + u[1] * g[1] + u[2] * g[2];
            double gy[3] = {(g[0] - ug * u[0]) * inv, (g[1] - ug * u[1]) * inv, (g[2] - ug * u[2]) * inv};
            int l = (int)sqrt((double)m);
            for (int nn = 0; nn < n; ++nn) {
                double cv = c[l * n + nn], dcv = dc[l * n + nn] * Y[m];
                double *out = da + ((size_t)nn * nlm + m) * 3;
                for (int x = 0; x < 3; ++x) out[x] = dcv * u[x] + cv * gy[x];
            }
        }
        /* dp_{k1 k2 l} = f w_l Σ_m (da_k1 a_k2 + a_k1 da_k2) */
        size_t q = 0;
        for (int k1 = 0; k1 < K; ++k1) {
            int in1 = k1 / n == s;
            for (int k2 = 0; k2 <= k1; ++k2) {
                int in2 = k2 / n == s;
                double f = k1 == k2 ? 1.0 : sqrt2;
                for (int l = 0; l < L; ++l, ++q) {
                    double sum[3] = {0, 0, 0};
                    if (in1) {
                        const double *a2 = w->a + (size_t)k2 * nlm;
                        const double *d1 = da + (size_t)(k1 % n) * nlm * 3;
                        for (int m = l * l; m < (l + 1) * (l + 1); ++m)
                            for (int x = 0; x < 3; ++x) sum[x] += d1[3 * m + x] * a2[m];
                    }
                    if (in2) {
                        const double *a1 = w->a + (size_t)k1 * nlm;
                        const double *d2 = da + (size_t)(k2 % n) * nlm * 3;
                        for (int m = l * l; m < (l + 1) * (l + 1); ++m)
                            for (int x = 0; x < 3; ++x) sum[x] += a1[m] * d2[3 * m + x];
                    }
                    double fw = f * d->lweight[l];
                    for (int x = 0; x < 3; ++x) dp[3 * q + x] = fw * sum[x];
                }
            }
        }
        /* through the normalisation: dx = (dp - x (x·dp)) / |p| */
        size_t e = (size_t)w->entry[t] - first;
        if (d->p.normalise) {
            double inv_norm = w->norm > 0 ? 1.0 / w->norm : 0.0, proj[3] = {0, 0, 0};
            for (int k = 0; k < np; ++k)
                for (int x = 0; x < 3; ++x) proj[x] += w->p[k] * dp[3 * k + x];
            for (int x = 0; x < 3; ++x) proj[x] *= inv_norm * inv_norm;
            for (int k = 0; k < np; ++k)
                for (int x = 0; x < 3; ++x)
                    jac[((size_t)k * count + e) * 3 + x] = (dp[3 * k + x] - w->p[k] * proj[x]) * inv_norm;
        } else {
            for (int k = 0; k < np; ++k)
                for (int x = 0; x < 3; ++x) jac[((size_t)k * count + e) * 3 + x] = dp[3 * k + x];
        }
    }
}

/* --- descriptor interface ----------------------------------------------------------------- */

static int soap_n_features(const void *state, int z)
{
    const soap_desc *d = state;
    return z >= 0 && z <= MLPOT_MAX_ELEMENT && d->centre[z] ? d->dim : 0;
}

static mlpot_status soap_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                 unsigned flags, mlpot_features *out, mlpot_error *err)
{
    const soap_desc *d = state;
    const int n = s->n_atoms;
    int *counts = mlpot_calloc((size_t)n + 1, sizeof *counts);
    if (!counts) return mlpot_fail_memory(err, "computing SOAP");
    for (int i = 0; i < n; ++i) counts[i] = soap_n_features(d, s->numbers[i]);
    mlpot_status st = mlpot_features_prepare(out, counts, n, nl, flags, err);
    free(counts);
    if (st) return st;
    const int grads = (flags & MLPOT_FEATURES_GRADIENTS) != 0;
    const int cap = soap_max_entries(nl);
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 16)
    {
        soap_work w;
        if (soap_work_init(&w, d, cap, NULL)) failed = 1;
#pragma omp for schedule(dynamic, 4)
        for (int i = 0; i < n; ++i) {
            if (failed || out->offsets[i + 1] == out->offsets[i]) continue;
            soap_atom(d, nl, s->numbers, i, grads, &w, out->values + out->offsets[i]);
            if (grads) soap_atom_jacobian(d, nl, i, &w, out->gradients + out->gradient_offsets[i]);
        }
        soap_work_free(&w);
    }
    if (failed) return mlpot_fail_memory(err, "computing SOAP");
    return MLPOT_OK;
}

static mlpot_status soap_backprop(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                  const double *dE_dG, double *forces, double *atom_virials, mlpot_error *err)
{
    const soap_desc *d = state;
    const int n = s->n_atoms;
    const int *reverse = NULL;
    int *owned = NULL;
    mlpot_status st = MLPOT_OK;
    if (forces && (st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err))) return st;
    double *grad = mlpot_calloc(3 * nl->n_pairs + 3, sizeof *grad);
    size_t *offset = mlpot_calloc((size_t)n + 1, sizeof *offset);
    if (!grad || !offset) {
        free(grad), free(offset), free(owned);
        return mlpot_fail_memory(err, "back-propagating SOAP");
    }
    for (int i = 0; i < n; ++i) offset[i + 1] = offset[i] + (size_t)soap_n_features(d, s->numbers[i]);
    const int cap = soap_max_entries(nl);
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 16)
    {
        soap_work w;
        double *x = malloc((size_t)d->dim * sizeof *x);
        if (!x || soap_work_init(&w, d, cap, NULL)) failed = 1;
#pragma omp for schedule(dynamic, 4)
        for (int i = 0; i < n; ++i) {
            if (failed || offset[i + 1] == offset[i]) continue;
            soap_atom(d, nl, s->numbers, i, 1, &w, x);
            soap_atom_backprop(d, nl, i, dE_dG + offset[i], &w, grad + 3 * nl->offsets[i]);
            if (atom_virials) {
                double *wv = atom_virials + 9 * (size_t)i;
                for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
                    for (int a = 0; a < 3; ++a)
                        for (int b = 0; b < 3; ++b) wv[3 * a + b] -= nl->vector[3 * k + a] * grad[3 * k + b];
            }
        }
        if (x) soap_work_free(&w);
        free(x);
    }
    if (failed) st = mlpot_fail_memory(err, "back-propagating SOAP");
    if (!st && forces) {
#pragma omp parallel for schedule(static) if (n > 256)
        for (int i = 0; i < n; ++i) {
            double f[3] = {0, 0, 0};
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
                const double *g = &grad[3 * k], *h = &grad[3 * (size_t)reverse[k]];
                for (int a = 0; a < 3; ++a) f[a] += g[a] - h[a];
            }
            for (int a = 0; a < 3; ++a) forces[3 * i + a] += f[a];
        }
    }
    free(grad), free(offset), free(owned);
    return st;
}

static void soap_describe(const void *state, char *buf, size_t size)
{
    const soap_desc *d = state;
    snprintf(buf, size, "soap cutoff=%g cutoff_transition_width=%g n_max=%d l_max=%d atom_sigma=%g n_species=%d (dimension %d)\n",
             d->p.cutoff, d->p.cutoff_transition_width, d->n_max, d->l_max, d->p.atom_sigma, d->p.n_species, d->dim);
}

static void soap_destroy(void *state)
{
    soap_desc_free(state);
    free(state);
}

mlpot_status mlpot_soap_create(const mlpot_soap_params *p, mlpot_descriptor **out, mlpot_error *err)
{
    *out = NULL;
    soap_desc *d = malloc(sizeof *d);
    if (!d) return mlpot_fail_memory(err, "creating SOAP");
    mlpot_status st = soap_desc_init(d, p, err);
    if (st) {
        free(d);
        return st;
    }
    static const mlpot_descriptor_ops ops = {soap_n_features, soap_compute, soap_backprop, soap_describe, soap_destroy};
    mlpot_descriptor_info info = {.style = "soap", .cutoff = p->cutoff, .n_species = 0, .species = NULL};
    return mlpot_descriptor_create(&ops, d, &info, out, err);
}

mlpot_status mlpot_soap_create_from_string(const char *text, mlpot_descriptor **out, mlpot_error *err)
{
    *out = NULL;
    mlpot_soap_params p;
    mlpot_status st = mlpot_soap_params_parse(text, &p, err);
    if (st) return st;
    return mlpot_soap_create(&p, out, err);
}
