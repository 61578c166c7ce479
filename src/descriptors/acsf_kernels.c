/* Symmetry-function kernels for one atom: values, the Jacobian with respect to the neighbour
 * displacements, or the back-propagated gradient Σ_g w_g dG_g/dd (forces without storing the
 * Jacobian). Work is organised by groups (acsf_set.h): the neighbours of a group, their cutoff
 * values, and per pair the exponentials and angular powers shared by the group's functions are
 * computed once; each function then costs a few multiplications.
 *
 * Derivatives, with d_j, d_k the displacements to neighbours j, k, c = cos θ_jik and
 * d_jk = d_k - d_j: a term T(r_j, r_k, r_jk, c) contributes
 *   dT/dd_j = C1 d_k + Cj d_j - C3 d_jk,   dT/dd_k = C1 d_j + Ck d_k + C3 d_jk
 * with C1 = T_c / (r_j r_k), Cj = -T_c c / r_j² + T_rj / r_j, Ck likewise, C3 = T_rjk / r_jk
 * (T_c, T_r the partial derivatives). Radial terms give dT/dd_j = T_r / r_j d_j. */
#include <math.h>
#include <string.h>

#include "descriptors/acsf_set.h"
#include "descriptors/acsf_vector.h"
#include "descriptors/fast_math.h"

static int is_weighted(int t) { return t == 12 || t == 13 || t == 23 || t == 24 || t == 25; }
static int is_narrow(int t) { return t == 3 || t == 13 || t == 21 || t == 24; }

size_t acsf_work_size(const acsf_set *set, size_t n_entries)
{
    size_t nfn = 0;
    for (int e = 0; e < set->n_elements; ++e)
        if ((size_t)set->elements[e].n > nfn) nfn = (size_t)set->elements[e].n;
    /* per entry: selection index, r, fc, dfc and one exp factor per distinct (η, r_s) of a
     * group (at most nfn); per pair: X, P^ζ, P^(ζ-1), exp factors of r_jk; the arrays of the
     * vectorised angular path */
    return (n_entries * (16 + nfn) + nfn * 8 + 64 + acsf_angular_work_size(n_entries, nfn)) * sizeof(double);
}

/* x^n for a positive integer n by repeated squaring (n2p2's pow_int). */
static inline double pow_int(double x, int n)
{
    double r = 1.0;
    while (n > 0) {
        if (n & 1) r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

typedef struct sink {
    unsigned mode;
    int n_entries;
    double *G, *jacobian, *grad;
    const double *weights;
    const double *vec; /* displacement vectors of the atom's entries */
} sink;

/* A radial contribution of function g through entry e: value v, dv/dr. */
static inline void add_radial(const sink *o, int g, int e, double r, double v, double dv)
{
    if (o->mode & ACSF_VALUES) o->G[g] += v;
    const double *d = &o->vec[3 * e];
    double c = dv / r;
    if (o->mode & ACSF_JACOBIAN) {
        double *jac = &o->jacobian[((size_t)g * o->n_entries + e) * 3];
        for (int a = 0; a < 3; ++a) jac[a] += c * d[a];
    }
    if (o->mode & ACSF_BACKPROP) {
        double w = o->weights[g] * c;
        for (int a = 0; a < 3; ++a) o->grad[3 * e + a] += w * d[a];
    }
}

/* Applies the angular coefficients (see the top of the file) to the entries j, k. */
static inline void apply_angular(double *gj, double *gk, const double *dj, const double *dk, double C1,
                                 double Cj, double Ck, double C3)
{
    for (int a = 0; a < 3; ++a) {
        double djk = dk[a] - dj[a];
        gj[a] += C1 * dk[a] + Cj * dj[a] - C3 * djk;
        gk[a] += C1 * dj[a] + Ck * dk[a] + C3 * djk;
    }
}

void acsf_atom(const acsf_set *set, int ei, const mlpot_structure *s, const mlpot_neighbour_list *nl,
               int i, unsigned mode, double *G, double *jacobian, const double *weights, double *grad,
                        double *work, acsf_cache *cache)
{
    /* a values pass fills the cache, a later gradient pass of the same atom reads it */
    const int store = (mode & ACSF_VALUES) != 0;
    if (cache && store) cache->used = 0, cache->valid = 1;
    if (cache && !store) cache->used = 0;
    const acsf_element *el = &set->elements[ei];
    const size_t first = nl->offsets[i];
    const int n_e = (int)(nl->offsets[i + 1] - first);
    sink o = {mode, n_e, G, jacobian, grad, weights, &nl->vector[3 * first]};
    const double *dist = &nl->distance[first];
    const int *nb = &nl->neighbour[first];
    /* scratch: element index of every entry; selected entries, their distances and cutoff
     * values; cutoff values of all entries for the last radius computed */
    int *sel = (int *)work, *ent_el = (int *)(work + n_e);
    double *fc = work + 2 * n_e, *dfc = fc + n_e, *rsel = dfc + n_e, *fca = rsel + n_e, *dfca = fca + n_e;
    double *tmp = dfca + n_e; /* per-function / per-(η,r_s) / per-(λ,ζ) values of a pair */
    const int nfn = el->n;
    double *X = tmp, *Pz = X + nfn, *Pz1 = Pz + nfn, *Ejk = Pz1 + nfn;
    double *Esel = Ejk + nfn; /* [m][n_exp]: exp(-η (r - r_s)²) per selected neighbour */
    for (int e = 0; e < n_e; ++e) ent_el[e] = set->index[s->numbers[nb[e]]];
    acsf_cutoff cut = {0};
    double cut_rc = -1.0;
    const int fast = !(mode & ACSF_JACOBIAN);
    for (int gi = 0; gi < el->n_groups; ++gi) {
        const acsf_group *g = &el->groups[gi];
        const acsf_fn *f0 = &el->fn[g->index[0]];
        const int type = g->type, weighted = is_weighted(type), compact = type >= 20;
        if (!compact && g->rc != cut_rc) { /* groups of one radius follow each other */
            acsf_cutoff_set(&cut, set->cutoff_type, g->rc, set->cutoff_alpha);
            acsf_cutoff_array(&cut, n_e, dist, fca, dfca);
            cut_rc = g->rc;
        }
        /* neighbours of the group within its radial range */
        int m = 0;
        for (int e = 0; e < n_e; ++e) {
            double r = dist[e];
            if (r >= g->rc || (compact && r <= f0->rl)) continue;
            if (!weighted && ent_el[e] != g->e1 && ent_el[e] != g->e2) continue;
            sel[m] = e;
            rsel[m] = r;
            if (compact) acsf_compact_fdf(&f0->radial, r, &fc[m], &dfc[m]);
            else fc[m] = fca[e], dfc[m] = dfca[e];
            ++m;
        }
        const int angular_exp = !compact && type != 2 && type != 12;
        if (fast && !compact) {
            /* the vectorised path: neighbours as arrays */
            double *nx = Esel, *ny = nx + m, *nz = ny + m, *zw = nz + m, *E = zw + m;
            int *nel = (int *)(E + (size_t)g->n_exp * m), *nentry = nel + m;
            double *aw = (double *)(nentry + m); /* 2 m ints: still aligned */
            int first_e2 = m;
            for (int u = 0; u < m; ++u) {
                const double *d = &o.vec[3 * sel[u]];
                nx[u] = d[0], ny[u] = d[1], nz[u] = d[2];
                zw[u] = weighted ? (double)s->numbers[nb[sel[u]]] : 1.0;
                nel[u] = ent_el[sel[u]];
                nentry[u] = sel[u];
                if (first_e2 == m && nel[u] == g->e2 && g->e1 != g->e2) first_e2 = u;
            }
            if (angular_exp) { /* exponential factors per neighbour, kept for the gradient pass */
                double *kept = acsf_cache_slot(cache, store, (size_t)g->n_exp * m);
                if (kept && !store) {
                    memcpy(E, kept, (size_t)g->n_exp * m * sizeof *E);
                } else {
                    acsf_exp_factors(g->n_exp, g->exp_eta, g->exp_rs, m, rsel, E);
                    if (kept) memcpy(kept, E, (size_t)g->n_exp * m * sizeof *E);
                }
            }
            acsf_neighbours an = {m, first_e2, nx, ny, nz, rsel, fc, dfc, zw, E, nel, nentry};
            if (angular_exp) acsf_exp_angular(el, g, &cut, &an, mode, G, weights, grad, aw, cache);
            else acsf_exp_radial(el, g, &an, mode, G, weights, grad, o.vec, aw);
            continue;
        }
        if (angular_exp)
            for (int u = 0; u < m; ++u)
                for (int q = 0; q < g->n_exp; ++q) {
                    double a = rsel[u] - g->exp_rs[q];
                    Esel[u * g->n_exp + q] = fast_exp(-g->exp_eta[q] * a * a);
                }
        if (type == 2 || type == 12 || type == 20 || type == 23) { /* radial */
            for (int u = 0; u < m; ++u) {
                int e = sel[u];
                double r = rsel[u];
                double wz = weighted ? (double)s->numbers[nb[e]] : 1.0;
                for (int q = 0; q < g->n; ++q) {
                    int idx = g->index[q];
                    const acsf_fn *f = &el->fn[idx];
                    double v, dv;
                    if (compact) {
                        v = fc[u], dv = dfc[u]; /* one shared radial part (same r_l, r_c, core) */
                    } else {
                        double x = r - f->rs;
                        double p = fast_exp(-f->eta * x * x);
                        v = p * fc[u];
                        dv = (dfc[u] - 2.0 * f->eta * x * fc[u]) * p;
                    }
                    add_radial(&o, idx, e, r, wz * v, wz * dv);
                }
            }
            continue;
        }
        /* angular: pairs u < v of the group's neighbours */
        const int narrow = is_narrow(type);
        for (int u = 0; u + 1 < m; ++u) {
            int ej_el = weighted ? -1 : set->index[s->numbers[nb[sel[u]]]];
            const double *dj = &o.vec[3 * sel[u]];
            double rj = rsel[u];
            for (int v = u + 1; v < m; ++v) {
                if (!weighted) {
                    int ek_el = set->index[s->numbers[nb[sel[v]]]];
                    if (!((ej_el == g->e1 && ek_el == g->e2) || (ej_el == g->e2 && ek_el == g->e1))) continue;
                }
                const double *dk = &o.vec[3 * sel[v]];
                double rk = rsel[v];
                double rjk = 0, fjk = 1, dfjk = 0;
                const double *ejk = NULL;
                if (narrow) {
                    double djk[3] = {dk[0] - dj[0], dk[1] - dj[1], dk[2] - dj[2]};
                    double rjk2 = djk[0] * djk[0] + djk[1] * djk[1] + djk[2] * djk[2];
                    if (rjk2 >= g->rc * g->rc) continue;
                    if (compact && rjk2 <= f0->rl * f0->rl && f0->rl > 0) continue;
                    int n_slot = 3 + (compact ? 0 : g->n_exp);
                    double *slot = acsf_cache_slot(cache, store, (size_t)n_slot);
                    if (slot && !store) { /* from the values pass */
                        rjk = slot[0], fjk = slot[1], dfjk = slot[2];
                        ejk = slot + 3;
                    } else {
                        rjk = sqrt(rjk2);
                        if (compact) acsf_compact_fdf(&f0->radial, rjk, &fjk, &dfjk);
                        else {
                            acsf_cutoff_fdf(&cut, rjk, &fjk, &dfjk);
                            for (int q = 0; q < g->n_exp; ++q) {
                                double a = rjk - g->exp_rs[q];
                                Ejk[q] = fast_exp(-g->exp_eta[q] * a * a);
                            }
                        }
                        ejk = Ejk;
                        if (slot) {
                            slot[0] = rjk, slot[1] = fjk, slot[2] = dfjk;
                            if (!compact) memcpy(slot + 3, Ejk, (size_t)g->n_exp * sizeof *Ejk);
                        }
                    }
                }
                double rr = 1.0 / (rj * rk);
                double c = (dj[0] * dk[0] + dj[1] * dk[1] + dj[2] * dk[2]) * rr;
                double wz = weighted ? (double)s->numbers[nb[sel[u]]] * (double)s->numbers[nb[sel[v]]] : 1.0;
                double F = fc[u] * fc[v] * fjk;
                double C1 = 0, Cj = 0, Ck = 0, C3 = 0;
                if (!compact) {
                    const double *ej = &Esel[u * g->n_exp], *ek = &Esel[v * g->n_exp];
                    for (int q = 0; q < g->n_exp; ++q) X[q] = ej[q] * ek[q] * (narrow ? ejk[q] : 1.0);
                    for (int q = 0; q < g->n_pow; ++q) {
                        double P = 1.0 + g->pow_lambda[q] * c;
                        if (P <= 0.0) {
                            Pz[q] = Pz1[q] = 0.0;
                        } else {
                            Pz1[q] = g->pow_integer[q] ? pow_int(P, g->pow_zeta_int[q] - 1) : pow(P, g->pow_zeta[q] - 1.0);
                            Pz[q] = Pz1[q] * P;
                        }
                    }
                    /* Backprop accumulates, over the group's functions, the weighted sums the
                     * coefficients need; reciprocals and cutoff products are applied once after. */
                    double Sc = 0, Sj = 0, Sk = 0, Sjk = 0, Sb = 0;
                    for (int q = 0; q < g->n; ++q) {
                        int idx = g->index[q];
                        const acsf_fn *f = &el->fn[idx];
                        double Xq = X[g->fn_exp[q]], pz = Pz[g->fn_pow[q]];
                        if (pz == 0.0) continue;
                        double A = wz * f->norm;
                        double base = A * pz * Xq;
                        double T = base * F;
                        if (mode & ACSF_VALUES) G[idx] += T;
                        if (mode & ACSF_BACKPROP) {
                            double w = weights[idx], wt = w * T * f->eta;
                            Sc += w * A * Xq * F * f->zeta * f->lambda * Pz1[g->fn_pow[q]];
                            Sj += wt * (rj - f->rs);
                            Sk += wt * (rk - f->rs);
                            if (narrow) Sjk += wt * (rjk - f->rs);
                            Sb += w * base;
                        }
                        if (mode & ACSF_JACOBIAN) {
                            double Tc = A * Xq * F * f->zeta * f->lambda * Pz1[g->fn_pow[q]];
                            double Trj = -2.0 * f->eta * (rj - f->rs) * T + base * dfc[u] * fc[v] * fjk;
                            double Trk = -2.0 * f->eta * (rk - f->rs) * T + base * fc[u] * dfc[v] * fjk;
                            double Trjk = narrow ? -2.0 * f->eta * (rjk - f->rs) * T + base * fc[u] * fc[v] * dfjk : 0.0;
                            double c1 = Tc * rr, cj = -Tc * c / (rj * rj) + Trj / rj, ck = -Tc * c / (rk * rk) + Trk / rk;
                            double c3 = narrow ? Trjk / rjk : 0.0;
                            double *jj = &jacobian[((size_t)idx * n_e + sel[u]) * 3];
                            double *jk = &jacobian[((size_t)idx * n_e + sel[v]) * 3];
                            apply_angular(jj, jk, dj, dk, c1, cj, ck, c3);
                        }
                    }
                    if (mode & ACSF_BACKPROP) {
                        double irj = 1.0 / rj, irk = 1.0 / rk;
                        C1 = Sc * rr;
                        Cj = (-Sc * c * irj - 2.0 * Sj + Sb * dfc[u] * fc[v] * fjk) * irj;
                        Ck = (-Sc * c * irk - 2.0 * Sk + Sb * fc[u] * dfc[v] * fjk) * irk;
                        C3 = narrow ? (-2.0 * Sjk + Sb * fc[u] * fc[v] * dfjk) / rjk : 0.0;
                    }
                } else {
                    /* compact angular part of θ = acos c; zero at 0 and 180 degrees */
                    if (c <= -1.0 || c >= 1.0) continue;
                    double theta = acos(c);
                    double dtheta = -1.0 / sqrt(1.0 - c * c);
                    for (int q = 0; q < g->n; ++q) {
                        int idx = g->index[q];
                        const acsf_fn *f = &el->fn[idx];
                        if (theta < f->angular.left || theta > f->angular.right) continue;
                        double ca, dca;
                        acsf_compact_fdf(&f->angular, theta, &ca, &dca);
                        double T = wz * F * ca;
                        if (mode & ACSF_VALUES) G[idx] += T;
                        if (!(mode & (ACSF_JACOBIAN | ACSF_BACKPROP))) continue;
                        double Tc = wz * F * dca * dtheta;
                        double Trj = wz * dfc[u] * fc[v] * fjk * ca, Trk = wz * fc[u] * dfc[v] * fjk * ca;
                        double c1 = Tc * rr, cj = -Tc * c / (rj * rj) + Trj / rj, ck = -Tc * c / (rk * rk) + Trk / rk;
                        double c3 = narrow ? wz * fc[u] * fc[v] * dfjk * ca / rjk : 0.0;
                        if (mode & ACSF_JACOBIAN) {
                            double *jj = &jacobian[((size_t)idx * n_e + sel[u]) * 3];
                            double *jk = &jacobian[((size_t)idx * n_e + sel[v]) * 3];
                            apply_angular(jj, jk, dj, dk, c1, cj, ck, c3);
                        }
                        if (mode & ACSF_BACKPROP) {
                            double w = weights[idx];
                            C1 += w * c1, Cj += w * cj, Ck += w * ck, C3 += w * c3;
                        }
                    }
                }
                if (mode & ACSF_BACKPROP)
                    apply_angular(&grad[3 * sel[u]], &grad[3 * sel[v]], dj, dk, C1, Cj, Ck, C3);
            }
        }
    }
}
