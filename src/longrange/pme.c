/* Smooth particle-mesh Ewald: the reciprocal-space energy, forces, virial and potential dE/dq
 * of point charges (Essmann et al., J. Chem. Phys. 103, 8577 (1995)).
 *
 * With scaled coordinates u_iα = K_α s_iα (s = fractional coordinates, K_α grid points along
 * lattice vector α), the charges are spread on the grid with cardinal B-splines M_p,
 *   Q(k) = Σ_i q_i Π_α M_p(u_iα - k_α)               (periodically wrapped),
 * and the reciprocal energy is the quadratic form
 *   E = ½ Σ_{m≠0} G(m) |Q̂(m)|²,   G(m) = k_e/(πV) exp(-π²|m|²/α²)/|m|² Π_α |b_α(m_α)|²,
 * with m = Σ_α m_α a*_α (a*_α the reciprocal vectors, no 2π) and the B-spline moduli
 *   |b_α(m)|² = 1 / |Σ_{k=0}^{p-2} M_p(k+1) exp(2πi m k/K_α)|².
 * Everything else is an exact derivative of this E:
 *   φ_grid = ∂E/∂Q = the inverse FFT of G Q̂ (no normalisation; G is even in m),
 *   φ_i = ∂E/∂q_i = Σ_k W_i(k) φ_grid(k),     W_i(k) = Π_α M_p(u_iα - k_α),
 *   F_i = -q_i Σ_k ∇_i W_i(k) φ_grid(k),       through M_p' = M_{p-1}(x) - M_{p-1}(x-1),
 *   W_ab = Σ_m E_m [δ_ab - 2 m_a m_b (1/|m|² + π²/α²)]  (a strain keeps u and so Q fixed and
 *                                                      changes only V and the vectors m).
 * Forces are therefore conservative (the energy's gradient, to rounding) but, unlike the
 * Ewald k-sum's, do not sum exactly to zero: the interpolation breaks translation invariance
 * at the level of the PME error.
 *
 * Modes at the Nyquist index m_α = K_α/2 (even K_α) are left out: in a skewed cell +K/2 and
 * -K/2 are different vectors with different G, and for odd p the modulus is singular there.
 * Their weight exp(-π²|m|²/α²) is negligible on any grid the accuracy rule below picks, and
 * leaving them out keeps the energy, and so its exact derivatives, well defined.
 *
 * Results are the same for any number of threads: the spreading splits the grid into slabs
 * along a, each filled by one thread in atom order; FFTW plans are made with FFTW_ESTIMATE,
 * which (unlike FFTW_MEASURE) picks the same algorithm on every call. FFTW's planner is not
 * thread-safe, so planning and plan destruction hold a lock; execution needs none. */
#include "longrange/pme.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/units.h"

/* Largest grid accepted: 2^28 points (2 GiB of real grid and 2 GiB of its transform). */
#define MAX_GRID_POINTS (1L << 28)

/* M_p(w + j) for j = 0..p-1 and w in [0, 1], and the derivatives M_p'(w + j), by the recursion
 *   M_n(x) = [x M_{n-1}(x) + (n - x) M_{n-1}(x - 1)] / (n - 1),  M_2(x) = 1 - |x - 1|,
 * done in place from the top so that M_{n-1}(x - 1) is still the old value. p >= 3. */
static void bspline(double w, int p, double *m, double *dm)
{
    m[0] = w;
    m[1] = 1.0 - w;
    for (int n = 3; n <= p; ++n) {
        if (n == p) {
            dm[0] = m[0];
            for (int j = 1; j < p - 1; ++j) dm[j] = m[j] - m[j - 1];
            dm[p - 1] = -m[p - 2];
        }
        double div = 1.0 / (n - 1);
        m[n - 1] = (1.0 - w) * m[n - 2] * div;
        for (int j = n - 2; j >= 1; --j) m[j] = ((w + j) * m[j] + (n - w - j) * m[j - 1]) * div;
        m[0] = w * m[0] * div;
    }
}

/* |b(m)|² for m = 0..K-1 along one grid direction; the Nyquist entry of an even K is 0. */
static void bspline_moduli(int p, int K, double *bsq)
{
    double m[MLPOT_PME_MAX_ORDER], dm[MLPOT_PME_MAX_ORDER];
    bspline(0.0, p, m, dm); /* m[j] = M_p(j) */
    for (int j = 0; j < K; ++j) {
        double re = 0, im = 0;
        for (int k = 0; k <= p - 2; ++k) {
            double arg = 2.0 * MLPOT_PI * (double)j * k / K;
            re += m[k + 1] * cos(arg);
            im += m[k + 1] * sin(arg);
        }
        bsq[j] = (2 * j == K) ? 0.0 : 1.0 / (re * re + im * im);
    }
}

/* Smallest n' >= n whose only prime factors are 2, 3, 5 and 7 (fast FFT sizes). */
static int fft_size(int n)
{
    for (;; ++n) {
        int r = n;
        static const int primes[4] = {2, 3, 5, 7};
        for (int k = 0; k < 4; ++k)
            while (r % primes[k] == 0) r /= primes[k];
        if (r == 1) return n;
    }
}

/* The accuracy rule. The PME error is the aliasing of the B-spline interpolation (plane waves
 * of wavevector k pick up images at k ± 2π/h with relative amplitude ~(kh/2π)^p) and the
 * modes beyond the grid; both depend on the grid spacing h only through αh. Relative to the
 * real-space forces of ions about 2.8 Å apart, the reciprocal forces scale as (α·1 Å)², so the
 * relative RMS force error is
 *   ε ≈ C_p (α·1 Å)² (αh)^{n_p},
 * with C_p and n_p measured for each order: PME against the Ewald k-sum at the same α
 * (converged), rattled rock-salt crystals of 216 and 512 ions, cubic and skewed, α 0.2–1 Å⁻¹,
 * 8–96 grid points, ε from 1e-3 to 1e-11; each fit is good to a factor 2–4 (n_p exceeds p - 1,
 * the asymptotic force order, because at practical αh the modes cut off by the grid still
 * count). Setting ε = δ gives
 *   h = (1/α) (δ / (C_p α²))^{1/n_p},   K_α = ⌈|a_α|/h⌉ (rounded up to an FFT size, ≥ p),
 * which makes the PME force error comparable to the real-space truncation error of the same δ
 * (tests/test_pme.c checks it within a factor 3 of the Ewald k-sum's). */
static const double RULE_C[MLPOT_PME_MAX_ORDER + 1] = {0, 0, 0, 0.43, 0.32, 0.18, 0.21, 0.26,
                                                       0.46, 1.4, 2.4, 7.9, 15.0};
static const double RULE_N[MLPOT_PME_MAX_ORDER + 1] = {0, 0, 0, 1.98, 3.26, 4.45, 5.76, 7.18,
                                                       8.72, 10.67, 12.16, 14.0, 15.5};

mlpot_status mlpot_pme_grid_for(const mlpot_ewald_params *p, int order, double alpha,
                                const double cell[3][3], int grid[3], mlpot_error *err)
{
    if (order < 3 || order > MLPOT_PME_MAX_ORDER)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: PME order %d outside 3..%d", order,
                          MLPOT_PME_MAX_ORDER);
    double h = pow(p->accuracy / (RULE_C[order] * alpha * alpha), 1.0 / RULE_N[order]) / alpha;
    long total = 1;
    for (int a = 0; a < 3; ++a) {
        if (p->pme_grid[a] > 0) {
            grid[a] = p->pme_grid[a];
            if (grid[a] < order)
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                  "ewald: PME grid %d along %c is smaller than the order %d",
                                  grid[a], "abc"[a], order);
        } else if (!cell) {
            grid[a] = 0;
            continue;
        } else {
            double len = sqrt(cell[a][0] * cell[a][0] + cell[a][1] * cell[a][1] + cell[a][2] * cell[a][2]);
            double k = ceil(len / h);
            if (!(p->accuracy > 0 && p->accuracy < 1) || !(k < 65536))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                  "ewald: no PME grid for accuracy %g along %c (%g Å long); "
                                  "raise the order, lower the accuracy or give the grid",
                                  p->accuracy, "abc"[a], len);
            grid[a] = fft_size(k < order ? order : (int)k);
        }
        total *= grid[a];
        if (total > MAX_GRID_POINTS)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "ewald: PME grid %d×%d×%d is too large; raise the order, lower the "
                              "accuracy or give a smaller grid",
                              grid[0], a > 0 ? grid[1] : 0, a > 1 ? grid[2] : 0);
    }
    return MLPOT_OK;
}

static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct pme_work {
    int p, K[3];
    int *base;       /* [3n] grid index of the first spline point, floor(u) mod K */
    double *w, *dw;  /* [3n p] spline weights M_p(u - k) and derivatives, per direction */
    double *bsq[3];  /* [K_α] B-spline moduli */
    double *grid;    /* [K0 K1 K2] charges, then the potential φ_grid */
    fftw_complex *freq; /* [K0 K1 (K2/2+1)] */
} pme_work;

static void work_free(pme_work *w)
{
    free(w->base);
    free(w->w);
    free(w->dw);
    for (int a = 0; a < 3; ++a) free(w->bsq[a]);
    fftw_free(w->grid);
    fftw_free(w->freq);
}

/* Scaled coordinates and spline weights of every atom. */
static void splines(const mlpot_structure *s, const double inv[9], pme_work *w)
{
    int n = s->n_atoms, p = w->p;
#pragma omp parallel for schedule(static) if (n > 1000)
    for (int i = 0; i < n; ++i) {
        const double *x = &s->positions[3 * i];
        for (int a = 0; a < 3; ++a) {
            int K = w->K[a];
            double u = K * (x[0] * inv[a] + x[1] * inv[3 + a] + x[2] * inv[6 + a]);
            u -= K * floor(u / K);
            double fl = floor(u);
            int b = (int)fl % K; /* u may round up to exactly K */
            w->base[3 * i + a] = b;
            size_t off = ((size_t)3 * i + a) * (size_t)p;
            bspline(u - fl, p, &w->w[off], &w->dw[off]);
        }
    }
}

/* Q(k) = Σ_i q_i W_i(k). Thread t owns planes k0 in [lo, hi) and adds in atom order. */
static void spread(int n, const double *q, pme_work *w)
{
    const int p = w->p, K0 = w->K[0], K1 = w->K[1], K2 = w->K[2];
    memset(w->grid, 0, (size_t)K0 * K1 * K2 * sizeof *w->grid);
#pragma omp parallel if (n > 1000)
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
#endif
        int lo = (int)((long)K0 * t / nt), hi = (int)((long)K0 * (t + 1) / nt);
        for (int i = 0; i < n; ++i) {
            const int *b = &w->base[3 * i];
            const double *w0 = &w->w[(size_t)3 * i * p], *w1 = w0 + p, *w2 = w1 + p;
            for (int j0 = 0; j0 < p; ++j0) {
                int k0 = b[0] - j0;
                if (k0 < 0) k0 += K0;
                if (k0 < lo || k0 >= hi) continue;
                double c0 = q[i] * w0[j0];
                for (int j1 = 0; j1 < p; ++j1) {
                    int k1 = b[1] - j1;
                    if (k1 < 0) k1 += K1;
                    double c1 = c0 * w1[j1];
                    double *row = &w->grid[((size_t)k0 * K1 + k1) * K2];
                    for (int j2 = 0; j2 < p; ++j2) {
                        int k2 = b[2] - j2;
                        if (k2 < 0) k2 += K2;
                        row[k2] += c1 * w2[j2];
                    }
                }
            }
        }
    }
}

/* Multiplies Q̂ by G and accumulates the virial, one partial sum per plane k0 (summed in plane
 * order, so the result does not depend on the threads). */
static void influence(const pme_work *w, const double inv[9], double alpha, double volume,
                      double *virial, double *plane_virial)
{
    const int K0 = w->K[0], K1 = w->K[1], K2 = w->K[2], H = K2 / 2 + 1;
    const double pref = MLPOT_COULOMB_EV_ANGSTROM / (MLPOT_PI * volume);
    const double pi2_a2 = MLPOT_PI * MLPOT_PI / (alpha * alpha);
#pragma omp parallel for schedule(static)
    for (int k0 = 0; k0 < K0; ++k0) {
        int m0 = 2 * k0 <= K0 ? k0 : k0 - K0;
        double wv[6] = {0};
        for (int k1 = 0; k1 < K1; ++k1) {
            int m1 = 2 * k1 <= K1 ? k1 : k1 - K1;
            double b01 = w->bsq[0][k0] * w->bsq[1][k1];
            fftw_complex *f = &w->freq[((size_t)k0 * K1 + k1) * H];
            for (int k2 = 0; k2 < H; ++k2) {
                double bb = b01 * w->bsq[2][k2];
                if (bb == 0 || (k0 == 0 && k1 == 0 && k2 == 0)) {
                    f[k2][0] = f[k2][1] = 0;
                    continue;
                }
                double m[3];
                for (int c = 0; c < 3; ++c) m[c] = m0 * inv[3 * c] + m1 * inv[3 * c + 1] + k2 * inv[3 * c + 2];
                double m2 = m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
                double g = pref * exp(-pi2_a2 * m2) / m2 * bb;
                if (virial) {
                    /* E_m for this entry and its mirror -m, which r2c stores implicitly */
                    double e = (k2 == 0 ? 0.5 : 1.0) * g * (f[k2][0] * f[k2][0] + f[k2][1] * f[k2][1]);
                    double c = 2.0 * (1.0 / m2 + pi2_a2);
                    wv[0] += e * (1 - c * m[0] * m[0]);
                    wv[1] += e * (1 - c * m[1] * m[1]);
                    wv[2] += e * (1 - c * m[2] * m[2]);
                    wv[3] -= e * c * m[0] * m[1];
                    wv[4] -= e * c * m[0] * m[2];
                    wv[5] -= e * c * m[1] * m[2];
                }
                f[k2][0] *= g;
                f[k2][1] *= g;
            }
        }
        memcpy(&plane_virial[6 * (size_t)k0], wv, sizeof wv);
    }
    if (virial) {
        double wv[6] = {0};
        for (int k0 = 0; k0 < K0; ++k0)
            for (int c = 0; c < 6; ++c) wv[c] += plane_virial[6 * (size_t)k0 + c];
        static const int idx[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
        for (int c = 0; c < 6; ++c) {
            virial[3 * idx[c][0] + idx[c][1]] += wv[c];
            if (c >= 3) virial[3 * idx[c][1] + idx[c][0]] += wv[c];
        }
    }
}

/* φ_i and forces from the potential grid. */
static void gather(const mlpot_structure *s, const double *q, const double inv[9],
                   const pme_work *w, double *phi, double *forces)
{
    const int n = s->n_atoms, p = w->p, K0 = w->K[0], K1 = w->K[1], K2 = w->K[2];
#pragma omp parallel for schedule(static) if (n > 1000)
    for (int i = 0; i < n; ++i) {
        const int *b = &w->base[3 * i];
        const double *w0 = &w->w[(size_t)3 * i * p], *w1 = w0 + p, *w2 = w1 + p;
        const double *d0 = &w->dw[(size_t)3 * i * p], *d1 = d0 + p, *d2 = d1 + p;
        double pot = 0, du[3] = {0, 0, 0}; /* ∂φ_i/∂u_α */
        for (int j0 = 0; j0 < p; ++j0) {
            int k0 = b[0] - j0;
            if (k0 < 0) k0 += K0;
            for (int j1 = 0; j1 < p; ++j1) {
                int k1 = b[1] - j1;
                if (k1 < 0) k1 += K1;
                const double *row = &w->grid[((size_t)k0 * K1 + k1) * K2];
                double s0 = 0, s2 = 0; /* Σ_j2 M(…)φ and Σ_j2 M'(…)φ along the row */
                for (int j2 = 0; j2 < p; ++j2) {
                    int k2 = b[2] - j2;
                    if (k2 < 0) k2 += K2;
                    s0 += w2[j2] * row[k2];
                    s2 += d2[j2] * row[k2];
                }
                pot += w0[j0] * w1[j1] * s0;
                du[0] += d0[j0] * w1[j1] * s0;
                du[1] += w0[j0] * d1[j1] * s0;
                du[2] += w0[j0] * w1[j1] * s2;
            }
        }
        phi[i] += pot;
        if (forces)
            for (int c = 0; c < 3; ++c)
                forces[3 * i + c] -= q[i] * (du[0] * K0 * inv[3 * c] + du[1] * K1 * inv[3 * c + 1] +
                                             du[2] * K2 * inv[3 * c + 2]);
    }
}

mlpot_status mlpot_pme_reciprocal(const mlpot_structure *s, const mlpot_ewald_setup *set,
                                  const double *q, double volume, double *phi, double *forces,
                                  double *virial, mlpot_error *err)
{
    double inv[9]; /* s_α = Σ_c x_c inv[3c + α]; column α is the reciprocal vector a*_α */
    mlpot_status st = mlpot_matrix3_inverse(&s->cell[0][0], inv, err);
    if (st) return st;
    const int n = s->n_atoms;
    pme_work w;
    memset(&w, 0, sizeof w);
    w.p = set->pme_order;
    memcpy(w.K, set->pme_grid, sizeof w.K);
    if (w.p < 3 || w.p > MLPOT_PME_MAX_ORDER || w.K[0] < w.p || w.K[1] < w.p || w.K[2] < w.p)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: PME order %d and grid %d×%d×%d unusable",
                          w.p, w.K[0], w.K[1], w.K[2]);
    size_t nreal = (size_t)w.K[0] * w.K[1] * w.K[2];
    size_t ncomplex = (size_t)w.K[0] * w.K[1] * (w.K[2] / 2 + 1);
    w.base = malloc(3 * (size_t)n * sizeof *w.base + 1);
    w.w = malloc(3 * (size_t)n * w.p * sizeof *w.w + 1);
    w.dw = malloc(3 * (size_t)n * w.p * sizeof *w.dw + 1);
    for (int a = 0; a < 3; ++a) w.bsq[a] = malloc((size_t)w.K[a] * sizeof *w.bsq[a]);
    w.grid = fftw_alloc_real(nreal);
    w.freq = fftw_alloc_complex(ncomplex);
    double *plane_virial = malloc(6 * (size_t)w.K[0] * sizeof *plane_virial);
    if (!w.base || !w.w || !w.dw || !w.bsq[0] || !w.bsq[1] || !w.bsq[2] || !w.grid || !w.freq ||
        !plane_virial) {
        work_free(&w);
        free(plane_virial);
        return mlpot_fail_memory(err, "allocating the PME grid");
    }
    pthread_mutex_lock(&planner_lock);
    fftw_plan forward = fftw_plan_dft_r2c_3d(w.K[0], w.K[1], w.K[2], w.grid, w.freq, FFTW_ESTIMATE);
    fftw_plan backward = fftw_plan_dft_c2r_3d(w.K[0], w.K[1], w.K[2], w.freq, w.grid, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    if (!forward || !backward) {
        st = mlpot_fail(err, MLPOT_ERR_INTERNAL, "ewald: FFTW could not plan a %d×%d×%d transform",
                        w.K[0], w.K[1], w.K[2]);
        goto done;
    }
    for (int a = 0; a < 3; ++a) bspline_moduli(w.p, w.K[a], w.bsq[a]);
    splines(s, inv, &w);
    spread(n, q, &w);
    fftw_execute(forward);
    influence(&w, inv, set->alpha, volume, virial, plane_virial);
    fftw_execute(backward);
    gather(s, q, inv, &w, phi, forces);
done:
    pthread_mutex_lock(&planner_lock);
    if (forward) fftw_destroy_plan(forward);
    if (backward) fftw_destroy_plan(backward);
    pthread_mutex_unlock(&planner_lock);
    work_free(&w);
    free(plane_virial);
    return st;
}
