/* The Coulomb matrix of Gaussian charges and the derivatives of its bilinear form (see
 * coulomb_matrix.h). The real-space pairs are enumerated directly over atom pairs and image
 * shifts rather than by a neighbour list: the matrix is dense (N²) anyway, the real-space
 * cutoffs of Ewald are long (30-50 Bohr for n2p2's models), and a sorted list of every image
 * cost more than the rest of the evaluation. The reciprocal part of A is a rank-2·nk update,
 * A += C Cᵀ + S Sᵀ with C_ik = cos(k·x_i) √c_k, done by BLAS. */
#include "longrange/coulomb_matrix.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "longrange/kvectors.h"
#include "mlpot/units.h"

#define SQRT_PI 1.7724538509055160273
#define SQRT2 1.4142135623730950488

void coulomb_gaussian_kernel(double r, double gamma, double *g, double *dg_over_r)
{
    const double b = 1.0 / (SQRT2 * gamma), ir = 1.0 / r, e = erf(b * r);
    *g = e * ir;
    *dg_over_r = ((2.0 * b / SQRT_PI) * exp(-b * b * r * r) - e * ir) * ir * ir;
}

/* erfc(αr)/r - erfc(r/(√2γ))/r and its derivative / r; the first term only where point is set
 * (r < r_c), the second one everywhere it is asked for */
static void real_kernel(double r, double alpha, double gamma, int point, double *g, double *dg_over_r)
{
    const double b = 1.0 / (SQRT2 * gamma), ir = 1.0 / r;
    const double ea = point ? erfc(alpha * r) : 0.0, eb = erfc(b * r);
    if (!point) alpha = 0; /* drops the Gaussian of the first term's derivative below */
    *g = (ea - eb) * ir;
    double d = (-(2.0 * alpha / SQRT_PI) * exp(-alpha * alpha * r * r) + (2.0 * b / SQRT_PI) * exp(-b * b * r * r)) * ir -
               (ea - eb) * ir * ir;
    *dg_over_r = d * ir;
}

void coulomb_matrix_free(coulomb_matrix *cm)
{
    if (!cm) return;
    free(cm->pi);
    free(cm->pj);
    free(cm->pd);
    free(cm->pr);
    free(cm->g);
    free(cm->dg);
    free(cm->k);
    free(cm->kcoef);
    free(cm->cosk);
    free(cm->sink);
    free(cm->sf);
    memset(cm, 0, sizeof *cm);
}

static mlpot_status setup_kspace(coulomb_matrix *cm, mlpot_error *err)
{
    const mlpot_structure *s = cm->s;
    const double eta = cm->split.eta;
    ewald_kvectors list;
    mlpot_status st = ewald_kvectors_build(&list, &s->cell[0][0], cm->split.kspace_cutoff, err);
    if (st) return st;
    const size_t cap = list.n;
    cm->nk = cap;
    cm->k = list.k; /* taken over */
    list.k = NULL;
    cm->kcoef = mlpot_calloc(cap + 1, sizeof *cm->kcoef);
    cm->cosk = mlpot_calloc((size_t)cm->n * cap + 1, sizeof *cm->cosk);
    cm->sink = mlpot_calloc((size_t)cm->n * cap + 1, sizeof *cm->sink);
    cm->sf = mlpot_calloc(4 * cap + 1, sizeof *cm->sf);
    if (!cm->kcoef || !cm->cosk || !cm->sink || !cm->sf) {
        ewald_kvectors_free(&list);
        return mlpot_fail_memory(err, "listing k-vectors");
    }
    for (size_t kk = 0; kk < cap; ++kk) {
        const double k2 = list.k2[kk];
        cm->kcoef[kk] = 2.0 * cm->coulomb * (4.0 * MLPOT_PI / cm->volume) * exp(-0.5 * eta * eta * k2) / k2;
    }
    ewald_kvectors_free(&list);
    const size_t nk = cm->nk;
#pragma omp parallel for schedule(static) if (cm->n * nk > 20000)
    for (int i = 0; i < cm->n; ++i) {
        const double *x = &s->positions[3 * i];
        for (size_t kk = 0; kk < nk; ++kk) {
            const double *k = &cm->k[3 * kk];
            double ph = k[0] * x[0] + k[1] * x[1] + k[2] * x[2];
            cm->cosk[(size_t)i * nk + kk] = cos(ph);
            cm->sink[(size_t)i * nk + kk] = sin(ph);
        }
    }
    return MLPOT_OK;
}

static mlpot_status add_pair(coulomb_matrix *cm, int i, int j, const double d[3], double r2, mlpot_error *err)
{
    if (cm->n_pairs == cm->pair_capacity) {
        size_t cap = cm->pair_capacity ? 2 * cm->pair_capacity : 4096;
        int *pi = realloc(cm->pi, cap * sizeof *pi);
        if (pi) cm->pi = pi;
        int *pj = pi ? realloc(cm->pj, cap * sizeof *pj) : NULL;
        if (pj) cm->pj = pj;
        double *pd = pj ? realloc(cm->pd, 3 * cap * sizeof *pd) : NULL;
        if (pd) cm->pd = pd;
        double *pr = pd ? realloc(cm->pr, cap * sizeof *pr) : NULL;
        if (pr) cm->pr = pr;
        if (!pr) return mlpot_fail_memory(err, "listing the pairs of the Ewald sum");
        cm->pair_capacity = cap;
    }
    const size_t e = cm->n_pairs++;
    cm->pi[e] = i, cm->pj[e] = j;
    memcpy(&cm->pd[3 * e], d, 3 * sizeof *d);
    cm->pr[e] = sqrt(r2);
    return MLPOT_OK;
}

/* Every pair image closer than reach, once (see coulomb_matrix.h). A point at fractional
 * coordinate f_a lies |f_a|·h_a from the lattice plane f_a = 0 (h_a the spacing of those planes),
 * so the images x_j - x_i + n·cell within reach have |f_a + n_a| h_a <= reach along each
 * direction: per pair, only those shifts are tried. */
static mlpot_status find_periodic_pairs(coulomb_matrix *cm, double reach, mlpot_error *err)
{
    const mlpot_structure *s = cm->s;
    const double *cell = &s->cell[0][0];
    double inv[9], height[3];
    mlpot_status st = mlpot_matrix3_inverse(cell, inv, err);
    if (st) return st;
    mlpot_cell_heights(cell, height);
    double span[3]; /* reach in units of the plane spacing */
    for (int a = 0; a < 3; ++a) {
        span[a] = reach / height[a];
        if (!(span[a] <= 200))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "ewald: the real-space cutoff %g needs %g cell images along lattice vector %c", reach,
                              2 * ceil(span[a]) + 1, "abc"[a]);
    }
    const double reach2 = reach * reach;
    for (int i = 0; i < cm->n && !st; ++i)
        for (int j = i; j < cm->n && !st; ++j) {
            double d0[3], f[3];
            for (int a = 0; a < 3; ++a) d0[a] = s->positions[3 * j + a] - s->positions[3 * i + a];
            mlpot_cell_fractional(inv, d0, f);
            int lo[3], hi[3];
            for (int a = 0; a < 3; ++a) {
                lo[a] = (int)ceil(-span[a] - f[a]);
                hi[a] = (int)floor(span[a] - f[a]);
            }
            for (int n0 = lo[0]; n0 <= hi[0] && !st; ++n0)
                for (int n1 = lo[1]; n1 <= hi[1] && !st; ++n1)
                    for (int n2 = lo[2]; n2 <= hi[2] && !st; ++n2) {
                        /* an atom and its images: one of each ±T, and not T = 0 */
                        if (i == j && (n0 < 0 || (n0 == 0 && (n1 < 0 || (n1 == 0 && n2 <= 0))))) continue;
                        double d[3];
                        for (int a = 0; a < 3; ++a) d[a] = d0[a] + n0 * cell[a] + n1 * cell[3 + a] + n2 * cell[6 + a];
                        double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                        if (r2 < reach2) st = add_pair(cm, i, j, d, r2, err);
                    }
        }
    return st;
}

/* Open boundaries: every pair i < j. */
static mlpot_status find_open_pairs(coulomb_matrix *cm, mlpot_error *err)
{
    const double *x = cm->s->positions;
    mlpot_status st = MLPOT_OK;
    for (int i = 0; i < cm->n && !st; ++i)
        for (int j = i + 1; j < cm->n && !st; ++j) {
            double d[3];
            for (int a = 0; a < 3; ++a) d[a] = x[3 * j + a] - x[3 * i + a];
            st = add_pair(cm, i, j, d, d[0] * d[0] + d[1] * d[1] + d[2] * d[2], err);
        }
    return st;
}

mlpot_status coulomb_matrix_setup(coulomb_matrix *cm, const mlpot_structure *s, const double *sigma,
                                  double coulomb, const ewald_splitting *split, double pair_cutoff,
                                  mlpot_error *err)
{
    memset(cm, 0, sizeof *cm);
    const int np = s->pbc[0] + s->pbc[1] + s->pbc[2];
    if (np != 0 && np != 3)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "electrostatics: the cell is periodic along %d directions; use a 3D periodic cell with "
                          "vacuum (slab) or open boundaries",
                          np);
    cm->n = s->n_atoms;
    cm->s = s;
    cm->sigma = sigma;
    cm->coulomb = coulomb;
    cm->periodic = np == 3;
    for (int i = 0; i < cm->n; ++i)
        if (!(sigma[i] > 0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "electrostatics: the Gaussian width of atom %d is not positive", i + 1);
    mlpot_status st = MLPOT_OK;
    double rc = INFINITY, rg = INFINITY;
    if (cm->periodic) {
        cm->split = *split;
        if (!(split->eta > 0) || !(split->real_cutoff > 0) || !(split->kspace_cutoff > 0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: η, r_c and k_c must be positive");
        cm->volume = mlpot_structure_volume(s);
        cm->alpha = 1.0 / (SQRT2 * split->eta);
        rc = split->real_cutoff, rg = split->gaussian_cutoff > rc ? split->gaussian_cutoff : rc;
        st = find_periodic_pairs(cm, rg > pair_cutoff ? rg : pair_cutoff, err);
    } else {
        st = find_open_pairs(cm, err);
    }
    if (st) goto fail;
    cm->g = malloc((cm->n_pairs + 1) * sizeof *cm->g);
    cm->dg = malloc((cm->n_pairs + 1) * sizeof *cm->dg);
    if (!cm->g || !cm->dg) {
        st = mlpot_fail_memory(err, "listing the pairs of the Coulomb matrix");
        goto fail;
    }
#pragma omp parallel for schedule(static) if (cm->n_pairs > 4096)
    for (size_t e = 0; e < cm->n_pairs; ++e) {
        const double r = cm->pr[e];
        const int i = cm->pi[e], j = cm->pj[e];
        const double gamma = sqrt(sigma[i] * sigma[i] + sigma[j] * sigma[j]);
        if (!cm->periodic) coulomb_gaussian_kernel(r, gamma, &cm->g[e], &cm->dg[e]);
        else if (r < rg) real_kernel(r, cm->alpha, gamma, r < rc, &cm->g[e], &cm->dg[e]);
        else cm->g[e] = cm->dg[e] = 0;
    }
    if (cm->periodic && (st = setup_kspace(cm, err))) goto fail;
    return MLPOT_OK;
fail:
    coulomb_matrix_free(cm);
    return st;
}

mlpot_status coulomb_matrix_fill(const coulomb_matrix *cm, double *a, int lda, mlpot_error *err)
{
    const int n = cm->n;
    const double ke = cm->coulomb;
    /* diagonal self terms and, periodic, the neutralising background in every element */
    const double background = cm->periodic ? -ke * MLPOT_PI / (cm->volume * cm->alpha * cm->alpha) : 0.0;
    const double ewald_self = cm->periodic ? 2.0 * cm->alpha / SQRT_PI : 0.0;
    for (int i = 0; i < n; ++i) {
        double *row = a + (size_t)i * lda;
        for (int j = 0; j < n; ++j) row[j] = background;
        row[i] += ke * (1.0 / (SQRT_PI * cm->sigma[i]) - ewald_self);
    }
    for (size_t e = 0; e < cm->n_pairs; ++e) {
        const int i = cm->pi[e], j = cm->pj[e];
        a[(size_t)i * lda + j] += ke * cm->g[e];
        a[(size_t)j * lda + i] += ke * cm->g[e]; /* i == j: the mirrored image -T */
    }
    /* reciprocal space: A += Σ_k c_k (cos_i cos_j + sin_i sin_j), the √c_k in scaled copies */
    const size_t nk = cm->nk;
    if (!nk) return MLPOT_OK;
    double *cw = mlpot_calloc(2 * (size_t)n * nk, sizeof *cw);
    if (!cw) return mlpot_fail_memory(err, "building the Coulomb matrix");
    double *sw = cw + (size_t)n * nk;
    for (int i = 0; i < n; ++i)
        for (size_t kk = 0; kk < nk; ++kk) {
            const double r = sqrt(cm->kcoef[kk]);
            cw[(size_t)i * nk + kk] = r * cm->cosk[(size_t)i * nk + kk];
            sw[(size_t)i * nk + kk] = r * cm->sink[(size_t)i * nk + kk];
        }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, (int)nk, 1.0, cw, (int)nk, 1.0, a, lda);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, (int)nk, 1.0, sw, (int)nk, 1.0, a, lda);
    free(cw);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < i; ++j) a[(size_t)i * lda + j] = a[(size_t)j * lda + i];
    return MLPOT_OK;
}

void coulomb_matrix_bilinear_derivatives(const coulomb_matrix *cm, const double *a, const double *b, double scale,
                                         double *grad, double *virial)
{
    const int n = cm->n;
    const double ke = cm->coulomb;
    double w[9] = {0}; /* ∂B/∂ε */
    const size_t nk = cm->nk;
    /* pairs (serial: the same sums for any thread count): a pair image (i, j, T) adds
     * (a_i b_j + a_j b_i) g(r) to B; an atom's own image stands for ±T, 2 a_i b_i g(r), and does
     * not move with the atom */
    for (size_t e = 0; e < cm->n_pairs; ++e) {
        if (cm->dg[e] == 0) continue;
        const int i = cm->pi[e], j = cm->pj[e];
        const double *d = &cm->pd[3 * e];
        const double c = ke * cm->dg[e] * (a[i] * b[j] + a[j] * b[i]);
        if (j != i)
            for (int x = 0; x < 3; ++x) grad[3 * i + x] -= scale * c * d[x], grad[3 * j + x] += scale * c * d[x];
        for (int x = 0; x < 3; ++x)
            for (int y = 0; y < 3; ++y) w[3 * x + y] += c * d[x] * d[y];
    }
    if (cm->periodic) {
        /* structure factors of a and b */
        double *ca = cm->sf, *sa = ca + nk, *cb = sa + nk, *sb = cb + nk;
        memset(cm->sf, 0, 4 * nk * sizeof *cm->sf);
        for (int i = 0; i < n; ++i)
            for (size_t kk = 0; kk < nk; ++kk) {
                const double c = cm->cosk[(size_t)i * nk + kk], sn = cm->sink[(size_t)i * nk + kk];
                ca[kk] += a[i] * c, sa[kk] += a[i] * sn, cb[kk] += b[i] * c, sb[kk] += b[i] * sn;
            }
#pragma omp parallel for schedule(dynamic, 8) if (n > 64)
        for (int i = 0; i < n; ++i) {
            double gi[3] = {0, 0, 0};
            for (size_t kk = 0; kk < nk; ++kk) {
                const double c = cm->cosk[(size_t)i * nk + kk], sn = cm->sink[(size_t)i * nk + kk];
                const double f = cm->kcoef[kk] * (a[i] * (c * sb[kk] - sn * cb[kk]) + b[i] * (c * sa[kk] - sn * ca[kk]));
                for (int x = 0; x < 3; ++x) gi[x] += f * cm->k[3 * kk + x];
            }
            for (int x = 0; x < 3; ++x) grad[3 * i + x] += scale * gi[x];
        }
        /* strain derivative of c_k: c_k [-δ + 2 k k (1/k² + η²/2)] */
        const double h = 0.5 * cm->split.eta * cm->split.eta;
        for (size_t kk = 0; kk < nk; ++kk) {
            const double *k = &cm->k[3 * kk];
            const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
            const double bk = cm->kcoef[kk] * (ca[kk] * cb[kk] + sa[kk] * sb[kk]), f = 2.0 * (1.0 / k2 + h);
            for (int x = 0; x < 3; ++x)
                for (int y = 0; y < 3; ++y) w[3 * x + y] += bk * (f * k[x] * k[y] - (x == y));
        }
        /* background ∝ 1/V */
        double suma = 0, sumb = 0;
        for (int i = 0; i < n; ++i) suma += a[i], sumb += b[i];
        const double bg = -ke * MLPOT_PI / (cm->volume * cm->alpha * cm->alpha) * suma * sumb;
        for (int x = 0; x < 3; ++x) w[4 * x] -= bg;
    }
    if (virial)
        for (int x = 0; x < 9; ++x) virial[x] -= scale * w[x];
}
