/* Stillinger-Weber, multi-element, from LAMMPS .sw files (pair_style sw):
 *   E = Σ_i Σ_{j>i} φ2(r_ij) + Σ_i Σ_{j<k} φ3(r_ij, r_ik, θ_jik)
 *   φ2(r) = A ε [B (σ/r)^p - (σ/r)^q] exp(σ / (r - aσ))
 *   φ3    = λ ε (cos θ_jik - cos θ0)² exp(γ_ij σ_ij / (r_ij - a_ij σ_ij)) exp(γ_ik σ_ik / (r_ik - a_ik σ_ik))
 * Entry (e1, e2, e3) of the file holds ε σ a λ γ cosθ0 A B p q tol. As in LAMMPS, two-body and
 * the radial factors of pair (i, j) come from entry (i, j, j), and λ, cos θ0 of the triplet from
 * entry (i, j, k) with j the earlier neighbour (files give (i,j,k) and (i,k,j) the same values).
 * "tol" is read and not used (LAMMPS ignores it too).
 *
 * Forces without races: the thread of centre atom i stores dE/dd for each of i's neighbour
 * entries (two- and three-body); a second pass gathers F_i = Σ_e (G[e] - G[reverse(e)]). */
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

typedef struct sw_param {
    double epsilon, sigma, a, lambda, gamma, costheta, A, B, p, q;
    double cut;            /* a σ */
    double c5, c6;         /* A ε B σ^p and A ε σ^q */
    double sigma_gamma;    /* σ γ */
    double lambda_epsilon; /* λ ε */
} sw_param;

typedef struct sw {
    int n_el;
    int z[MLPOT_MAX_ELEMENT];
    int index[MLPOT_MAX_ELEMENT + 1]; /* atomic number -> element index, -1 when absent */
    sw_param *params;                 /* [n_el³], entry (i, j, k) at (i n + j) n + k */
    double cutoff;
    char *path;
    char *seen; /* which element triplets the file gives */
} sw;

static inline const sw_param *param(const sw *p, int i, int j, int k)
{
    return &p->params[((size_t)i * p->n_el + (size_t)j) * p->n_el + (size_t)k];
}

/* φ2 and dφ2/dr */
static inline void two_body(const sw_param *q, double r, double *e, double *de)
{
    double rp = pow(r, -q->p), rq = q->q == 0 ? 1.0 : pow(r, -q->q);
    double inv = 1.0 / (r - q->cut);
    double ex = exp(q->sigma * inv);
    double radial = q->c5 * rp - q->c6 * rq;
    *e = radial * ex;
    *de = (-q->p * q->c5 * rp + q->q * q->c6 * rq) / r * ex - radial * ex * q->sigma * inv * inv;
}

static mlpot_status sw_compute(const void *state, const mlpot_structure *s,
                               const mlpot_neighbour_list *nl, unsigned request, mlpot_result *out,
                               mlpot_error *err)
{
    const sw *p = state;
    const int *reverse = NULL;
    int *owned = NULL;
    const int want_forces = (request & MLPOT_OUT_FORCES) != 0;
    mlpot_status st = param_triplets_check(p->seen, p->n_el, p->index, p->z, s, "sw", p->path, err);
    if (st) return st;
    if (want_forces && (st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err))) return st;
    mlpot_local local;
    if ((st = mlpot_local_init(&local, s->n_atoms, request, err))) {
        free(owned);
        return st;
    }
    double *grad = mlpot_calloc(3 * nl->n_pairs + 3, sizeof *grad);
    if (!grad) {
        free(owned);
        mlpot_local_free(&local);
        return mlpot_fail_memory(err, "computing Stillinger-Weber forces");
    }
    const int n = s->n_atoms;
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 256)
    {
        size_t cap = 64;
        size_t *close = malloc(cap * sizeof *close); /* entries within the pair's cutoff */
        if (!close) failed = 1;
#pragma omp for schedule(dynamic, 32)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            int ei = p->index[s->numbers[i]];
            size_t m = 0;
            double e = 0;
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
                int ej = p->index[s->numbers[nl->neighbour[k]]];
                const sw_param *q = param(p, ei, ej, ej);
                double r = nl->distance[k];
                if (r >= q->cut) continue;
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
                double phi, dphi;
                two_body(q, r, &phi, &dphi);
                e += 0.5 * phi; /* each pair is seen from both atoms */
                const double *d = &nl->vector[3 * k];
                for (int a = 0; a < 3; ++a) grad[3 * k + a] += 0.5 * dphi * d[a] / r;
            }
            for (size_t u = 0; u < m && !failed; ++u) {
                size_t k1 = close[u];
                int j = nl->neighbour[k1], ej = p->index[s->numbers[j]];
                const sw_param *qij = param(p, ei, ej, ej);
                const double *d1 = &nl->vector[3 * k1];
                double r1 = nl->distance[k1];
                double inv1 = 1.0 / (r1 - qij->cut);
                double e1 = exp(qij->sigma_gamma * inv1);
                double dlog1 = -qij->sigma_gamma * inv1 * inv1; /* d ln e1 / dr1 */
                for (size_t v = u + 1; v < m; ++v) {
                    size_t k2 = close[v];
                    int ek = p->index[s->numbers[nl->neighbour[k2]]];
                    const sw_param *qik = param(p, ei, ek, ek), *qijk = param(p, ei, ej, ek);
                    const double *d2 = &nl->vector[3 * k2];
                    double r2 = nl->distance[k2];
                    double inv2 = 1.0 / (r2 - qik->cut);
                    double e2 = exp(qik->sigma_gamma * inv2);
                    double dlog2 = -qik->sigma_gamma * inv2 * inv2;
                    double rr = 1.0 / (r1 * r2);
                    double cs = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) * rr;
                    double delta = cs - qijk->costheta;
                    double ee = qijk->lambda_epsilon * e1 * e2;
                    e += ee * delta * delta;
                    /* dφ3/dd1 = ee [2δ (d2/(r1 r2) - cs d1/r1²) + δ² dlog1 d1/r1], same for d2 */
                    double ang = 2.0 * ee * delta;
                    double c1 = -ang * cs / (r1 * r1) + ee * delta * delta * dlog1 / r1;
                    double c2 = -ang * cs / (r2 * r2) + ee * delta * delta * dlog2 / r2;
                    for (int a = 0; a < 3; ++a) {
                        grad[3 * k1 + a] += ang * rr * d2[a] + c1 * d1[a];
                        grad[3 * k2 + a] += ang * rr * d1[a] + c2 * d2[a];
                    }
                }
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
        st = mlpot_fail_memory(err, "computing Stillinger-Weber forces");
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
    free(grad);
    free(owned);
    mlpot_local_free(&local);
    return st;
}

static void sw_destroy(void *state)
{
    sw *p = state;
    if (!p) return;
    free(p->params);
    free(p->seen);
    free(p->path);
    free(p);
}

static void sw_describe(const void *state, char *buf, size_t size)
{
    const sw *p = state;
    size_t used = (size_t)snprintf(buf, size, "sw: %s, elements", p->path);
    for (int k = 0; k < p->n_el && used < size; ++k)
        used += (size_t)snprintf(buf + used, size - used, " %s", mlpot_element_symbol(p->z[k]));
    if (used < size) snprintf(buf + used, size - used, ", cutoff %g Å", p->cutoff);
}

mlpot_status mlpot_sw_load(const char *path, const mlpot_element_label *labels, int n_labels,
                           mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    param_file pf;
    mlpot_status st = param_file_read(path, &pf, err);
    if (st) return st;
    /* first pass: elements in order of appearance */
    typedef struct entry {
        int el[3];
        double v[11];
        long line;
    } entry;
    int n_entries = 0, cap = 0;
    entry *entries = NULL;
    sw *p = calloc(1, sizeof *p);
    if (!p || !(p->path = mlpot_strdup(path))) st = mlpot_fail_memory(err, "reading a Stillinger-Weber file");
    for (int z = 0; p && z <= MLPOT_MAX_ELEMENT; ++z) p->index[z] = -1;
    static const char *names[11] = {"epsilon", "sigma", "a", "lambda", "gamma", "costheta0", "A", "B", "p", "q", "tol"};
    while (!st) {
        char **w;
        long line;
        int done = 0;
        if ((st = param_file_entry(&pf, 14, &w, &line, &done, err)) || done) break;
        if (n_entries == cap) {
            entry *g = mlpot_realloc(entries, (size_t)(cap = cap ? 2 * cap : 16), sizeof *g);
            if (!g) {
                st = mlpot_fail_memory(err, "reading a Stillinger-Weber file");
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
        for (int k = 0; k < 11 && !st; ++k) st = param_file_number(&pf, w, line, 3 + k, names[k], &e->v[k], err);
        if (!st && (e->v[0] < 0 || e->v[1] < 0 || e->v[2] < 0 || e->v[3] < 0 || e->v[4] < 0 || e->v[6] < 0 ||
                    e->v[7] < 0 || e->v[8] < 0 || e->v[9] < 0))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: negative Stillinger-Weber parameter", path, line);
    }
    if (!st && n_entries == 0) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no usable Stillinger-Weber entries", path);
    if (!st) {
        size_t n3 = (size_t)p->n_el * p->n_el * p->n_el;
        p->params = calloc(n3, sizeof *p->params);
        char *seen = p->seen = calloc(n3, 1);
        if (!p->params || !seen) st = mlpot_fail_memory(err, "reading a Stillinger-Weber file");
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
            sw_param *q = &p->params[at];
            q->epsilon = e->v[0], q->sigma = e->v[1], q->a = e->v[2], q->lambda = e->v[3];
            q->gamma = e->v[4], q->costheta = e->v[5], q->A = e->v[6], q->B = e->v[7];
            q->p = e->v[8], q->q = e->v[9];
            q->cut = q->a * q->sigma;
            q->c5 = q->A * q->epsilon * q->B * pow(q->sigma, q->p);
            q->c6 = q->A * q->epsilon * pow(q->sigma, q->q);
            q->sigma_gamma = q->sigma * q->gamma;
            q->lambda_epsilon = q->lambda * q->epsilon;
            if (q->cut > p->cutoff) p->cutoff = q->cut;
        }
        /* missing triplets are allowed until a structure needs them (param_triplets_check) */
    }
    free(entries);
    param_file_free(&pf);
    if (!st && !(p->cutoff > 0)) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: every a·sigma is zero", path);
    if (st) {
        sw_destroy(p);
        return st;
    }
    mlpot_potential_info info = {
        .style = "sw",
        .cutoff = p->cutoff,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                   MLPOT_OUT_ATOM_VIRIALS,
        .needs_full_list = 1,
        .n_species = p->n_el,
        .species = p->z,
    };
    static const mlpot_potential_ops ops = {sw_compute, sw_destroy, sw_describe};
    return mlpot_potential_create(&ops, p, &info, out, err);
}
