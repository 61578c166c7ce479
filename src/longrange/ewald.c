/* Ewald summation and direct Coulomb sums for point and Gaussian charges (see mlpot/ewald.h).
 *
 * Every term is a quadratic form in the charges, E = ½ qᵀA q, so the code computes the
 * electrostatic potential φ = ∂E/∂q per atom and gets the energy as ½ Σ q_i φ_i; per-atom
 * energies are ½ q_i φ_i. Forces and the virial come from the same pair and k-vector terms:
 *   real space   u(r) = k_e q_i q_j g(r),  g = erfc(αr)/r  [ - erfc(r/(√2γ))/r  Gaussian ]
 *   reciprocal   E = (2π k_e / V) Σ_{k≠0} A(k) |S(k)|²,  A = exp(-k²/4α²)/k²,
 *                S(k) = Σ_j q_j exp(i k·r_j),
 *                W_ab = Σ_k E_k [δ_ab - 2 k_a k_b (1/k² + 1/(4α²))]
 *   self         -k_e α/√π Σ q²;  Gaussian self-energy  k_e Σ q²/(2√π σ)
 *   background   -k_e π Q²/(2Vα²)  (net charge Q), virial W = E_bg δ.
 * Reciprocal sums run over half of k-space (k and -k give the same terms). With
 * MLPOT_EWALD_PME the reciprocal part is smooth particle-mesh Ewald instead (pme.c); the real
 * space, self and background terms are the same. */
#include "mlpot/ewald.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"
#include "core/error.h"
#include "core/memory.h"
#include "longrange/ewald_kolafa_perram.h"
#include "longrange/kvectors.h"
#include "longrange/pme.h"
#include "mlpot/units.h"

#define SQRT_PI 1.7724538509055160273

void mlpot_ewald_params_default(mlpot_ewald_params *p)
{
    p->real_cutoff = 10.0;
    p->accuracy = 1e-8;
    p->alpha = 0.0;
    p->kspace_cutoff = 0.0;
    p->method = MLPOT_EWALD_DIRECT_K;
    p->pme_order = MLPOT_PME_DEFAULT_ORDER;
    p->pme_grid[0] = p->pme_grid[1] = p->pme_grid[2] = 0;
    p->max_charge = 0.0;
}

mlpot_status mlpot_ewald_setup_for(const mlpot_ewald_params *p, const mlpot_structure *s,
                                   mlpot_ewald_setup *setup, mlpot_error *err)
{
    if (!(p->real_cutoff > 0) || !isfinite(p->real_cutoff))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: real-space cutoff %g must be positive",
                          p->real_cutoff);
    const int kolafa_perram = p->max_charge > 0;
    if (kolafa_perram && p->method != MLPOT_EWALD_DIRECT_K)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: the Kolafa-Perram estimate (max_charge) is for the direct k-sum");
    if (!(p->accuracy > 0 && (kolafa_perram || p->accuracy < 1)) && (p->alpha <= 0 || p->kspace_cutoff <= 0))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: accuracy %g must lie in (0, 1)",
                          p->accuracy);
    double log_inv = p->accuracy > 0 && p->accuracy < 1 ? sqrt(-log(p->accuracy)) : 1.0;
    setup->real_cutoff = p->real_cutoff;
    setup->alpha = p->alpha > 0 ? p->alpha : log_inv / p->real_cutoff;
    setup->kspace_cutoff = p->kspace_cutoff > 0 ? p->kspace_cutoff : 2.0 * setup->alpha * log_inv;
    if (kolafa_perram && p->alpha <= 0 && s->n_atoms > 0 && s->pbc[0] && s->pbc[1] && s->pbc[2]) {
        /* without a cell (checking parameters only) the relative rule above stands in */
        ewald_truncation_settings t = {EWALD_KOLAFA_PERRAM, p->accuracy, p->max_charge, p->real_cutoff,
                                       MLPOT_COULOMB_EV_ANGSTROM, 0.0};
        ewald_splitting sp;
        mlpot_status st = ewald_truncation_parameters(&t, s->n_atoms, mlpot_structure_volume(s), &sp, err);
        if (st) return st;
        setup->alpha = 1.0 / (sqrt(2.0) * sp.eta);
        if (p->kspace_cutoff <= 0) setup->kspace_cutoff = sp.kspace_cutoff;
    }
    if (!(setup->alpha > 0) || !(setup->kspace_cutoff > 0))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: invalid splitting parameters");
    setup->n_kvectors = 0;
    setup->method = p->method;
    setup->pme_order = 0;
    memset(setup->pme_grid, 0, sizeof setup->pme_grid);
    if (p->method == MLPOT_EWALD_PME) {
        /* a zero order means the default, so that zero-initialised parameters work */
        setup->pme_order = p->pme_order ? p->pme_order : MLPOT_PME_DEFAULT_ORDER;
        /* the grid needs a cell; without one (only checking parameters) it stays 0 */
        int periodic = s->pbc[0] && s->pbc[1] && s->pbc[2] && mlpot_structure_volume(s) > 0;
        mlpot_status st = mlpot_pme_grid_for(p, setup->pme_order, setup->alpha,
                                             periodic ? s->cell : NULL, setup->pme_grid, err);
        if (st) return st;
    } else if (p->method != MLPOT_EWALD_DIRECT_K) {
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "ewald: unknown method %d", p->method);
    }
    return MLPOT_OK;
}

/* g(r) of the real-space sum and its derivative; gamma > 0 subtracts the Gaussian part. */
static inline void real_kernel(double r, double alpha, double gamma, double *g, double *dg)
{
    double ir = 1.0 / r;
    double e = erfc(alpha * r);
    *g = e * ir;
    *dg = -(2.0 * alpha / SQRT_PI) * exp(-alpha * alpha * r * r) * ir - e * ir * ir;
    if (gamma > 0) {
        double b = 1.0 / (sqrt(2.0) * gamma);
        double eg = erfc(b * r);
        *g -= eg * ir;
        *dg -= -(2.0 * b / SQRT_PI) * exp(-b * b * r * r) * ir - eg * ir * ir;
    }
}

/* f(r) of the direct sum: 1/r or erf(r/(√2γ))/r, and its derivative. */
static inline void direct_kernel(double r, double gamma, double *f, double *df)
{
    double ir = 1.0 / r;
    if (gamma > 0) {
        double b = 1.0 / (sqrt(2.0) * gamma);
        double e = erf(b * r);
        *f = e * ir;
        *df = (2.0 * b / SQRT_PI) * exp(-b * b * r * r) * ir - e * ir * ir;
    } else {
        *f = ir;
        *df = -ir * ir;
    }
}

static mlpot_status direct_sum(const mlpot_structure *s, const double *q, const double *sigma,
                               double *phi, double *forces, double *local_virial)
{
    const double ke = MLPOT_COULOMB_EV_ANGSTROM;
    int n = s->n_atoms;
#pragma omp parallel for schedule(dynamic, 16) if (n > 200)
    for (int i = 0; i < n; ++i) {
        const double *xi = &s->positions[3 * i];
        double p = sigma ? ke * q[i] / (SQRT_PI * sigma[i]) : 0.0;
        double f[3] = {0, 0, 0}, w[9] = {0};
        for (int j = 0; j < n; ++j) {
            if (j == i) continue;
            double d[3];
            for (int a = 0; a < 3; ++a) d[a] = s->positions[3 * j + a] - xi[a];
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            double gamma = sigma ? sqrt(sigma[i] * sigma[i] + sigma[j] * sigma[j]) : 0.0;
            double g, dg;
            direct_kernel(r, gamma, &g, &dg);
            p += ke * q[j] * g;
            double c = ke * q[i] * q[j] * dg / r; /* dU/dd = c·d */
            for (int a = 0; a < 3; ++a) f[a] += c * d[a];
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) w[3 * a + b] -= 0.5 * c * d[a] * d[b];
        }
        phi[i] = p;
        if (forces)
            for (int a = 0; a < 3; ++a) forces[3 * i + a] += f[a];
        if (local_virial) memcpy(&local_virial[9 * i], w, sizeof w);
    }
    return MLPOT_OK;
}

/* Real-space part over the neighbour list, plus the self, background and Gaussian self terms. */
static void real_space(const mlpot_structure *s, const mlpot_neighbour_list *nl,
                       const mlpot_ewald_setup *set, const double *q, const double *sigma,
                       double total_q, double volume, double *phi, double *forces,
                       double *local_virial)
{
    const double ke = MLPOT_COULOMB_EV_ANGSTROM, alpha = set->alpha, rc = set->real_cutoff;
    int n = s->n_atoms;
#pragma omp parallel for schedule(dynamic, 32) if (n > 200)
    for (int i = 0; i < n; ++i) {
        double p = -2.0 * ke * alpha * q[i] / SQRT_PI - ke * MLPOT_PI * total_q / (volume * alpha * alpha);
        if (sigma) p += ke * q[i] / (SQRT_PI * sigma[i]);
        double f[3] = {0, 0, 0}, w[9] = {0};
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            double r = nl->distance[k];
            if (r >= rc) continue;
            int j = nl->neighbour[k];
            double gamma = sigma ? sqrt(sigma[i] * sigma[i] + sigma[j] * sigma[j]) : 0.0;
            double g, dg;
            real_kernel(r, alpha, gamma, &g, &dg);
            p += ke * q[j] * g;
            const double *d = &nl->vector[3 * k];
            double c = ke * q[i] * q[j] * dg / r;
            for (int a = 0; a < 3; ++a) f[a] += c * d[a];
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) w[3 * a + b] -= 0.5 * c * d[a] * d[b];
        }
        phi[i] = p;
        if (forces)
            for (int a = 0; a < 3; ++a) forces[3 * i + a] += f[a];
        if (local_virial) {
            /* the background term's virial E_bg δ, shared equally by the atoms */
            double e_bg = -ke * MLPOT_PI * total_q * total_q / (2.0 * volume * alpha * alpha);
            for (int a = 0; a < 3; ++a) w[4 * a] += e_bg / n;
            memcpy(&local_virial[9 * i], w, sizeof w);
        }
    }
}

typedef struct kvector {
    double k[3];
    double a; /* A(k) with the half-space factor 2 and 2π k_e / V */
} kvector;

static mlpot_status reciprocal(const mlpot_structure *s, mlpot_ewald_setup *set, const double *q,
                               double volume, double *phi, double *forces, double *virial,
                               mlpot_error *err)
{
    const double ke = MLPOT_COULOMB_EV_ANGSTROM;
    const double kc = set->kspace_cutoff, alpha = set->alpha;
    ewald_kvectors list;
    mlpot_status st = ewald_kvectors_build(&list, &s->cell[0][0], kc, err);
    if (st) return st;
    const int *nmax = list.nmax;
    const double(*b)[3] = (const double(*)[3])list.b;
    const size_t nk = list.n;
    int(*kn)[3] = (int(*)[3])list.index;
    kvector *kv = malloc((nk + 1) * sizeof *kv);
    if (!kv) {
        ewald_kvectors_free(&list);
        return mlpot_fail_memory(err, "listing k-vectors");
    }
    for (size_t kk = 0; kk < nk; ++kk) {
        memcpy(kv[kk].k, &list.k[3 * kk], 3 * sizeof(double));
        kv[kk].a = 2.0 * (2.0 * MLPOT_PI * ke / volume) * exp(-list.k2[kk] / (4.0 * alpha * alpha)) / list.k2[kk];
    }
    set->n_kvectors = (long)nk;
    int n = s->n_atoms;
    /* Tables e^{i n b_j·r} per atom for n = -nmax..nmax, built by recurrence from e^{i b_j·r}. */
    int width[3] = {2 * nmax[0] + 1, 2 * nmax[1] + 1, 2 * nmax[2] + 1};
    size_t per_atom = (size_t)(width[0] + width[1] + width[2]);
    double *tab = mlpot_calloc(2 * per_atom * (size_t)n, sizeof *tab);
    double *sk = mlpot_calloc(2 * nk + 2, sizeof *sk);
    if (!tab || !sk) {
        free(kv);
        ewald_kvectors_free(&list);
        free(tab);
        free(sk);
        return mlpot_fail_memory(err, "computing structure factors");
    }
#pragma omp parallel for schedule(static) if (n > 200)
    for (int i = 0; i < n; ++i) {
        double *t = &tab[2 * per_atom * (size_t)i];
        const double *x = &s->positions[3 * i];
        for (int j = 0, off = 0; j < 3; off += width[j], ++j) {
            double ph = b[j][0] * x[0] + b[j][1] * x[1] + b[j][2] * x[2];
            double c1 = cos(ph), s1 = sin(ph);
            double *row = t + 2 * (off + nmax[j]);
            row[0] = 1.0, row[1] = 0.0;
            for (int m = 1; m <= nmax[j]; ++m) {
                /* exact cos/sin every 16 steps to keep the recurrence from drifting */
                double c, sn;
                if (m % 16 == 0) c = cos(m * ph), sn = sin(m * ph);
                else c = row[2 * (m - 1)] * c1 - row[2 * (m - 1) + 1] * s1,
                     sn = row[2 * (m - 1)] * s1 + row[2 * (m - 1) + 1] * c1;
                row[2 * m] = c, row[2 * m + 1] = sn;
                row[-2 * m] = c, row[-2 * m + 1] = -sn;
            }
        }
    }
#define PHASE(i, kk, c, sn)                                                                     \
    do {                                                                                        \
        const double *t_ = &tab[2 * per_atom * (size_t)(i)];                                    \
        const double *e1 = t_ + 2 * (kn[kk][0] + nmax[0]);                                      \
        const double *e2 = t_ + 2 * (width[0] + kn[kk][1] + nmax[1]);                           \
        const double *e3 = t_ + 2 * (width[0] + width[1] + kn[kk][2] + nmax[2]);                \
        double c12 = e1[0] * e2[0] - e1[1] * e2[1], s12 = e1[0] * e2[1] + e1[1] * e2[0];        \
        c = c12 * e3[0] - s12 * e3[1];                                                          \
        sn = c12 * e3[1] + s12 * e3[0];                                                         \
    } while (0)
    /* structure factors, one k-vector per iteration (the atom sum in atom order) */
#pragma omp parallel for schedule(static) if (nk > 16)
    for (size_t kk = 0; kk < nk; ++kk) {
        double cs = 0, ss = 0;
        for (int i = 0; i < n; ++i) {
            double c, sn;
            PHASE(i, kk, c, sn);
            cs += q[i] * c;
            ss += q[i] * sn;
        }
        sk[2 * kk] = cs, sk[2 * kk + 1] = ss;
    }
    /* potential and forces per atom */
#pragma omp parallel for schedule(static) if (n > 200)
    for (int i = 0; i < n; ++i) {
        double p = 0, f[3] = {0, 0, 0};
        for (size_t kk = 0; kk < nk; ++kk) {
            double c, sn;
            PHASE(i, kk, c, sn);
            double C = sk[2 * kk], S = sk[2 * kk + 1];
            p += 2.0 * kv[kk].a * (C * c + S * sn);
            double g = 2.0 * kv[kk].a * (S * c - C * sn); /* dE/dr_i = q_i g k */
            for (int a = 0; a < 3; ++a) f[a] -= q[i] * g * kv[kk].k[a];
        }
        phi[i] += p;
        if (forces)
            for (int a = 0; a < 3; ++a) forces[3 * i + a] += f[a];
    }
#undef PHASE
    if (virial) {
        double inv4a2 = 1.0 / (4.0 * alpha * alpha);
        for (size_t kk = 0; kk < nk; ++kk) {
            const double *k = kv[kk].k;
            double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
            double ek = kv[kk].a * (sk[2 * kk] * sk[2 * kk] + sk[2 * kk + 1] * sk[2 * kk + 1]);
            double c = 2.0 * (1.0 / k2 + inv4a2);
            for (int a = 0; a < 3; ++a)
                for (int bb = 0; bb < 3; ++bb) virial[3 * a + bb] += ek * ((a == bb) - c * k[a] * k[bb]);
        }
    }
    free(kv);
    ewald_kvectors_free(&list);
    free(tab);
    free(sk);
    return MLPOT_OK;
}

mlpot_status mlpot_electrostatics(const mlpot_ewald_params *p, const mlpot_structure *s,
                                  const mlpot_neighbour_list *nl, const double *q,
                                  const double *sigma, mlpot_ewald_output *out, mlpot_error *err)
{
    int n = s->n_atoms;
    int n_periodic = s->pbc[0] + s->pbc[1] + s->pbc[2];
    if (n_periodic != 0 && n_periodic != 3)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "electrostatics: the cell is periodic along %d directions; use a 3D "
                          "periodic cell with vacuum (slab) or open boundaries",
                          n_periodic);
    if (sigma)
        for (int i = 0; i < n; ++i)
            if (!(sigma[i] > 0))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "electrostatics: Gaussian width of atom %d is not positive", i + 1);
    double *phi = mlpot_calloc((size_t)n + 1, sizeof *phi);
    double *local_virial = out->want_virial ? mlpot_calloc(9 * (size_t)n + 1, sizeof *local_virial) : NULL;
    if (!phi || (out->want_virial && !local_virial)) {
        free(phi);
        free(local_virial);
        return mlpot_fail_memory(err, "computing electrostatics");
    }
    mlpot_status st = MLPOT_OK;
    double recip_virial[9] = {0};
    if (n_periodic == 0) {
        st = direct_sum(s, q, sigma, phi, out->forces, local_virial);
    } else {
        mlpot_ewald_setup set;
        if ((st = mlpot_ewald_setup_for(p, s, &set, err))) goto done;
        if (!nl || nl->n_atoms != n || (nl->flags & MLPOT_NEIGHBOURS_HALF) ||
            nl->cutoff + nl->skin < set.real_cutoff) {
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                            "ewald: needs a full neighbour list reaching the real-space cutoff %g Å",
                            set.real_cutoff);
            goto done;
        }
        double volume = mlpot_structure_volume(s);
        double total_q = 0;
        for (int i = 0; i < n; ++i) total_q += q[i];
        real_space(s, nl, &set, q, sigma, total_q, volume, phi, out->forces, local_virial);
        double *w = out->want_virial ? recip_virial : NULL;
        if (set.method == MLPOT_EWALD_PME) st = mlpot_pme_reciprocal(s, &set, q, volume, phi, out->forces, w, err);
        else st = reciprocal(s, &set, q, volume, phi, out->forces, w, err);
        if (st) goto done;
    }
    double e = 0;
    for (int i = 0; i < n; ++i) {
        double ei = 0.5 * q[i] * phi[i];
        e += ei;
        if (out->atom_energies) out->atom_energies[i] += ei;
        if (out->potential) out->potential[i] += phi[i];
    }
    out->energy += e;
    if (out->want_virial) {
        double w[9] = {0};
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < 9; ++k) w[k] += local_virial[9 * i + k];
        for (int k = 0; k < 9; ++k) out->virial[k] += w[k] + recip_virial[k];
    }
done:
    free(phi);
    free(local_virial);
    return st;
}
