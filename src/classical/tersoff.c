/* Tersoff, multi-element, from LAMMPS .tersoff files (pair_style tersoff):
 *   E = ½ Σ_i Σ_{j≠i} f_c(r_ij) [f_R(r_ij) + b_ij f_A(r_ij)],  f_R = A e^{-λ1 r},  f_A = -B e^{-λ2 r}
 *   b_ij = (1 + (β ζ_ij)^n)^{-1/(2n)}
 *   ζ_ij = Σ_{k≠i,j} f_c(r_ik) g(cos θ_ijk) exp[(λ3 (r_ij - r_ik))^m]
 *   g(x) = γ (1 + c²/d² - c²/(d² + (h - x)²)),   f_c smooth between R - D and R + D.
 * Entry (e1 e2 e3 m γ λ3 c d h n β λ2 B R D λ1 A): the pair terms and β, n of (i, j) come from
 * entry (i, j, j); γ, λ3, m, c, d, h and the cutoff of r_ik inside ζ_ij from entry (i, j, k).
 * As LAMMPS, the exponent is clamped to ±69.0776, and b_ij switches to its asymptotic forms
 * where (βζ)^n would lose all precision (the switch points make the difference < 1e-16).
 *
 * Forces: the thread of centre i stores dE_i/dd for each entry of i; a second pass gathers
 * F_i = Σ_e (G[e] - G[reverse(e)]) (as for Stillinger-Weber). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classical/param_file.h"
#include "core/error.h"
#include "core/memory.h"
#include "core/neighbours_internal.h"
#include "mlpot/classical.h"
#include "mlpot/elements.h"
#include "potential/accumulate.h"
#include "potential/potential_internal.h"

#define PI 3.14159265358979323846

typedef struct tersoff_param {
    double m, gamma, lam3, c, d, h, n, beta, lam2, B, R, D, lam1, A;
    double cut, cutsq;
    double c1, c4; /* βζ above c1: b = (βζ)^(-1/2); below c4: b = 1 */
    int m_cubic;   /* m == 3 (else 1) */
} tersoff_param;

typedef struct tersoff {
    int n_el;
    int z[MLPOT_MAX_ELEMENT];
    int index[MLPOT_MAX_ELEMENT + 1];
    tersoff_param *params;
    double cutoff;
    char *path;
    char *seen; /* which element triplets the file gives */
} tersoff;

static inline const tersoff_param *param(const tersoff *p, int i, int j, int k)
{
    return &p->params[((size_t)i * p->n_el + (size_t)j) * p->n_el + (size_t)k];
}

/* cutoff function and its derivative */
static inline void cutoff_fn(const tersoff_param *q, double r, double *fc, double *dfc)
{
    if (r < q->R - q->D) {
        *fc = 1.0, *dfc = 0.0;
    } else if (r > q->R + q->D) {
        *fc = 0.0, *dfc = 0.0;
    } else {
        double x = 0.5 * PI * (r - q->R) / q->D;
        *fc = 0.5 * (1.0 - sin(x));
        *dfc = -0.25 * PI / q->D * cos(x);
    }
}

/* exp[(λ3 Δ)^m] and its derivative with respect to Δ = r_ij - r_ik */
static inline void exp_term(const tersoff_param *q, double delta, double *ex, double *dex)
{
    double arg = q->m_cubic ? pow(q->lam3 * delta, 3) : q->lam3 * delta;
    if (arg > 69.0776) {
        *ex = 1.0e30, *dex = 0.0;
    } else if (arg < -69.0776) {
        *ex = 0.0, *dex = 0.0;
    } else {
        *ex = exp(arg);
        *dex = *ex * (q->m_cubic ? 3.0 * q->lam3 * q->lam3 * q->lam3 * delta * delta : q->lam3);
    }
}

/* angular function g(x) and g'(x) */
static inline void angular(const tersoff_param *q, double x, double *g, double *dg)
{
    double c2 = q->c * q->c, d2 = q->d * q->d, hx = q->h - x;
    double den = d2 + hx * hx;
    *g = q->gamma * (1.0 + c2 / d2 - c2 / den);
    *dg = -2.0 * q->gamma * c2 * hx / (den * den);
}

/* bond order b(ζ) and db/dζ */
static inline void bond_order(const tersoff_param *q, double zeta, double *b, double *db)
{
    double t = q->beta * zeta;
    if (t > q->c1) {
        *b = 1.0 / sqrt(t);
        *db = -0.5 * q->beta * pow(t, -1.5);
    } else if (t < q->c4) {
        *b = 1.0, *db = 0.0;
    } else {
        double tn = pow(t, q->n);
        *b = pow(1.0 + tn, -1.0 / (2.0 * q->n));
        *db = -0.5 * pow(1.0 + tn, -1.0 - 1.0 / (2.0 * q->n)) * tn / zeta;
    }
}

static mlpot_status tersoff_compute(const void *state, const mlpot_structure *s,
                                    const mlpot_neighbour_list *nl, unsigned request,
                                    mlpot_result *out, mlpot_error *err)
{
    const tersoff *p = state;
    const int *reverse = NULL;
    int *owned = NULL;
    const int want_forces = (request & MLPOT_OUT_FORCES) != 0;
    mlpot_status st = param_triplets_check(p->seen, p->n_el, p->index, p->z, s, "tersoff", p->path, err);
    if (st) return st;
    if (want_forces && (st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err))) return st;
    mlpot_local local;
    if ((st = mlpot_local_init(&local, s->n_atoms, request, out, err))) {
        free(owned);
        return st;
    }
    double *grad = mlpot_result_scratch(out, 2, (3 * nl->n_pairs + 3) * sizeof *grad, 1);
    if (!grad) {
        free(owned);
        mlpot_local_free(&local);
        return mlpot_fail_memory(err, "computing Tersoff forces");
    }
    const int n = s->n_atoms;
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 256)
    {
        size_t cap = 64;
        size_t *close = malloc(cap * sizeof *close);
        if (!close) failed = 1;
#pragma omp for schedule(dynamic, 32)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            int ei = p->index[s->numbers[i]];
            size_t m = 0;
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
                if (nl->distance[k] >= p->cutoff) continue;
                if (m == cap) {
                    size_t *g = realloc(close, 2 * cap * sizeof *g);
                    if (!g) {
                        failed = 1;
                        break;
                    }
                    close = g;
                    cap *= 2;
                }
                close[m++] = k;
            }
            double e = 0;
            for (size_t u = 0; u < m && !failed; ++u) {
                size_t kj = close[u];
                int ej = p->index[s->numbers[nl->neighbour[kj]]];
                const tersoff_param *qij = param(p, ei, ej, ej);
                double r1 = nl->distance[kj];
                if (r1 * r1 >= qij->cutsq) continue;
                const double *d1 = &nl->vector[3 * kj];
                double fc, dfc;
                cutoff_fn(qij, r1, &fc, &dfc);
                /* repulsion, half from each side */
                double fr = qij->A * exp(-qij->lam1 * r1);
                double dfr = -qij->lam1 * fr;
                e += 0.5 * fc * fr;
                double g1 = 0.5 * (dfc * fr + fc * dfr) / r1; /* dE/dd1 = g1 d1 so far */
                /* attraction with the bond order */
                double zeta = 0;
                for (size_t v = 0; v < m; ++v) {
                    if (v == u) continue;
                    size_t kk = close[v];
                    int ek = p->index[s->numbers[nl->neighbour[kk]]];
                    const tersoff_param *qijk = param(p, ei, ej, ek);
                    double r2 = nl->distance[kk];
                    if (r2 * r2 >= qijk->cutsq) continue;
                    const double *d2 = &nl->vector[3 * kk];
                    double fc2, dfc2, ex, dex, g, dg;
                    cutoff_fn(qijk, r2, &fc2, &dfc2);
                    exp_term(qijk, r1 - r2, &ex, &dex);
                    double x = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) / (r1 * r2);
                    angular(qijk, x, &g, &dg);
                    zeta += fc2 * g * ex;
                }
                double fa = -qij->B * exp(-qij->lam2 * r1);
                double dfa = -qij->lam2 * fa;
                double b, db;
                bond_order(qij, zeta, &b, &db);
                e += 0.5 * fc * fa * b;
                g1 += 0.5 * (dfc * fa + fc * dfa) * b / r1;
                double prefactor = 0.5 * fc * fa * db; /* dE/dζ */
                double gd1[3] = {g1 * d1[0], g1 * d1[1], g1 * d1[2]};
                if (prefactor != 0.0) {
                    for (size_t v = 0; v < m; ++v) {
                        if (v == u) continue;
                        size_t kk = close[v];
                        int ek = p->index[s->numbers[nl->neighbour[kk]]];
                        const tersoff_param *qijk = param(p, ei, ej, ek);
                        double r2 = nl->distance[kk];
                        if (r2 * r2 >= qijk->cutsq) continue;
                        const double *d2 = &nl->vector[3 * kk];
                        double fc2, dfc2, ex, dex, g, dg;
                        cutoff_fn(qijk, r2, &fc2, &dfc2);
                        exp_term(qijk, r1 - r2, &ex, &dex);
                        double rr = 1.0 / (r1 * r2);
                        double x = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) * rr;
                        angular(qijk, x, &g, &dg);
                        /* ∂ζ/∂d1 = fc2 [g' ∂x/∂d1 ex + g ex' d1/r1];
                         * ∂ζ/∂d2 = fc2' g ex d2/r2 + fc2 [g' ∂x/∂d2 ex - g ex' d2/r2] */
                        double a1 = prefactor * fc2 * dg * ex, c1 = prefactor * fc2 * g * dex / r1;
                        double a2 = a1, c2 = prefactor * (dfc2 * g * ex - fc2 * g * dex) / r2;
                        for (int a = 0; a < 3; ++a) {
                            double dx1 = d2[a] * rr - x * d1[a] / (r1 * r1);
                            double dx2 = d1[a] * rr - x * d2[a] / (r2 * r2);
                            gd1[a] += a1 * dx1 + c1 * d1[a];
                            grad[3 * kk + a] += a2 * dx2 + c2 * d2[a];
                        }
                    }
                }
                for (int a = 0; a < 3; ++a) grad[3 * kj + a] += gd1[a];
            }
            local.energy[i] = e;
            if (local.virial) {
                double *w = &local.virial[9 * i];
                for (size_t u = 0; u < m; ++u) mlpot_virial_add(w, &nl->vector[3 * close[u]], &grad[3 * close[u]], 1.0);
            }
        }
        free(close);
    }
    if (failed) {
        st = mlpot_fail_memory(err, "computing Tersoff forces");
    } else if (want_forces) {
#pragma omp parallel for schedule(static) if (n > 256)
        for (int i = 0; i < n; ++i) {
            double f[3] = {0, 0, 0};
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
                const double *g = &grad[3 * k], *h = &grad[3 * (size_t)reverse[k]];
                for (int a = 0; a < 3; ++a) f[a] += g[a] - h[a];
            }
            for (int a = 0; a < 3; ++a) out->forces[3 * i + a] += f[a];
        }
    }
    if (!st) mlpot_local_add_to_result(&local, request, out);
    free(owned);
    mlpot_local_free(&local);
    return st;
}

static void tersoff_destroy(void *state)
{
    tersoff *p = state;
    if (!p) return;
    free(p->params);
    free(p->seen);
    free(p->path);
    free(p);
}

static void tersoff_describe(const void *state, char *buf, size_t size)
{
    const tersoff *p = state;
    size_t used = (size_t)snprintf(buf, size, "tersoff: %s, elements", p->path);
    for (int k = 0; k < p->n_el && used < size; ++k)
        used += (size_t)snprintf(buf + used, size - used, " %s", mlpot_element_symbol(p->z[k]));
    if (used < size) snprintf(buf + used, size - used, ", cutoff %g Å", p->cutoff);
}

mlpot_status mlpot_tersoff_load(const char *path, const mlpot_element_label *labels, int n_labels,
                                mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    param_file pf;
    mlpot_status st = param_file_read(path, &pf, err);
    if (st) return st;
    typedef struct entry {
        int el[3];
        double v[14];
        long line;
    } entry;
    static const char *names[14] = {"m", "gamma", "lambda3", "c", "d", "costheta0 (h)", "n", "beta",
                                    "lambda2", "B", "R", "D", "lambda1", "A"};
    int n_entries = 0, cap = 0;
    entry *entries = NULL;
    tersoff *p = calloc(1, sizeof *p);
    if (!p || !(p->path = mlpot_strdup(path))) st = mlpot_fail_memory(err, "reading a Tersoff file");
    for (int z = 0; p && z <= MLPOT_MAX_ELEMENT; ++z) p->index[z] = -1;
    while (!st) {
        char **w;
        long line;
        int done = 0;
        if ((st = param_file_entry(&pf, 17, &w, &line, &done, err)) || done) break;
        if (n_entries == cap) {
            entry *g = mlpot_realloc(entries, (size_t)(cap = cap ? 2 * cap : 16), sizeof *g);
            if (!g) {
                st = mlpot_fail_memory(err, "reading a Tersoff file");
                break;
            }
            entries = g;
        }
        entry *e = &entries[n_entries++];
        e->line = line;
        int skip = 0;
        for (int k = 0; k < 3 && !st && !skip; ++k) {
            int z = 0;
            if ((st = label_element(w[k], labels, n_labels, &z, path, line, err))) break;
            if (!z) {
                skip = 1; /* a label no element maps to: ignored, as LAMMPS does */
                break;
            }
            if (p->index[z] < 0) {
                p->index[z] = p->n_el;
                p->z[p->n_el++] = z;
            }
            e->el[k] = p->index[z];
        }
        if (skip) {
            --n_entries;
            continue;
        }
        for (int k = 0; k < 14 && !st; ++k) st = param_file_number(&pf, w, line, 3 + k, names[k], &e->v[k], err);
        if (st) break;
        /* the checks LAMMPS applies */
        if ((e->v[0] != 3.0 && e->v[0] != 1.0) || e->v[1] < 0 || e->v[4] < 0 || e->v[6] < 0 || e->v[7] < 0 ||
            e->v[8] < 0 || e->v[9] < 0 || e->v[10] < 0 || e->v[11] < 0 || e->v[11] > e->v[10] || e->v[12] < 0 ||
            e->v[13] < 0)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: illegal Tersoff parameter (m must be 1 or 3, D <= R, others non-negative)",
                            path, line);
    }
    if (!st && n_entries == 0) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no usable Tersoff entries", path);
    if (!st) {
        size_t n3 = (size_t)p->n_el * p->n_el * p->n_el;
        p->params = calloc(n3, sizeof *p->params);
        char *seen = p->seen = calloc(n3, 1);
        if (!p->params || !seen) st = mlpot_fail_memory(err, "reading a Tersoff file");
        for (int k = 0; k < n_entries && !st; ++k) {
            const entry *e = &entries[k];
            size_t at = ((size_t)e->el[0] * p->n_el + (size_t)e->el[1]) * p->n_el + (size_t)e->el[2];
            if (seen[at]) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: entry %s %s %s appears twice", path, e->line,
                                mlpot_element_symbol(p->z[e->el[0]]), mlpot_element_symbol(p->z[e->el[1]]),
                                mlpot_element_symbol(p->z[e->el[2]]));
                break;
            }
            seen[at] = 1;
            tersoff_param *q = &p->params[at];
            const double *v = e->v;
            q->m = v[0], q->gamma = v[1], q->lam3 = v[2], q->c = v[3], q->d = v[4], q->h = v[5];
            q->n = v[6], q->beta = v[7], q->lam2 = v[8], q->B = v[9], q->R = v[10], q->D = v[11];
            q->lam1 = v[12], q->A = v[13];
            q->m_cubic = q->m == 3.0;
            q->cut = q->R + q->D;
            q->cutsq = q->cut * q->cut;
            if (q->n > 0) {
                q->c1 = pow(2.0 * q->n * 1.0e-16, -1.0 / q->n);
                q->c4 = 1.0 / q->c1;
            } else {
                q->c1 = INFINITY, q->c4 = 0;
            }
            if (q->cut > p->cutoff) p->cutoff = q->cut;
        }
        /* missing triplets are allowed until a structure needs them (param_triplets_check) */
    }
    free(entries);
    param_file_free(&pf);
    if (!st && !(p->cutoff > 0)) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: every cutoff R + D is zero", path);
    if (st) {
        tersoff_destroy(p);
        return st;
    }
    mlpot_potential_info info = {
        .style = "tersoff",
        .cutoff = p->cutoff,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                   MLPOT_OUT_ATOM_VIRIALS,
        .needs_full_list = 1,
        .n_species = p->n_el,
        .species = p->z,
    };
    static const mlpot_potential_ops ops = {tersoff_compute, tersoff_destroy, tersoff_describe};
    return mlpot_potential_create(&ops, p, &info, out, err);
}
