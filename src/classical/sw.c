/* Stillinger-Weber, multi-element, from LAMMPS .sw files (pair_style sw):
 *   E = Σ_i Σ_{j>i} φ2(r_ij) + Σ_i Σ_{j<k} φ3(r_ij, r_ik, θ_jik)
 *   φ2(r) = A ε [B (σ/r)^p - (σ/r)^q] exp(σ / (r - aσ))
 *   φ3    = λ ε (cos θ_jik - cos θ0)² exp(γ_ij σ_ij / (r_ij - a_ij σ_ij)) exp(γ_ik σ_ik / (r_ik - a_ik σ_ik))
 * Entry (e1, e2, e3) of the file holds ε σ a λ γ cosθ0 A B p q tol. As in LAMMPS, two-body and
 * the radial factors of pair (i, j) come from entry (i, j, j), and λ, cos θ0 of the triplet from
 * entry (i, j, k) with j the earlier neighbour (files give (i,j,k) and (i,k,j) the same values).
 * "tol" is read and not used (LAMMPS ignores it too).
 *
 * Forces without races: the thread of centre atom i stores the three-body dE/dd for each of its
 * entries, and the two-body φ2, φ2'/r once per pair (by the owning atom, in a compact per-pair
 * array); a second pass gathers F_i = Σ_e (G[e] - G[reverse(e)] + φ2'/r d_e). */
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
    const int *pair_index = NULL;
    int *owned_index = NULL;
    size_t n_unique = 0;
    if ((st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err)) ||
        (st = mlpot_neighbour_pairs_view(nl, &pair_index, &n_unique, &owned_index, err))) {
        free(owned);
        return st;
    }
    mlpot_local local;
    if ((st = mlpot_local_init(&local, s->n_atoms, request, out, err))) {
        free(owned), free(owned_index);
        return st;
    }
    /* three-body dE/dd per entry (both ends gather it through the reverse index); the two-body
     * φ2 and φ2'/r once per pair in a compact array (read through the pair index) */
    /* zeroed where they are filled, in parallel, rather than by a serial memset */
    double *grad = mlpot_result_scratch(out, 2, (3 * nl->n_pairs + 3) * sizeof *grad, 0);
    double(*pair)[2] = mlpot_result_scratch(out, 3, (n_unique + 1) * sizeof *pair, 0);
    if (!grad || !pair) {
        free(owned), free(owned_index);
        mlpot_local_free(&local);
        return mlpot_fail_memory(err, "computing Stillinger-Weber forces");
    }
    const int n = s->n_atoms;
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 256)
    {
        /* per neighbour within its cutoff: entry, element, r, exp(σγ/(r - aσ)) and d ln/dr */
        typedef struct close_entry {
            size_t k;
            int el;
            double r, ex, dlog;
        } close_entry;
        size_t cap = 64;
        close_entry *close = malloc(cap * sizeof *close);
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
                grad[3 * k] = grad[3 * k + 1] = grad[3 * k + 2] = 0.0;
                if (mlpot_pair_id_owned(pair_index[k])) pair[pair_index[k]][0] = pair[pair_index[k]][1] = 0.0;
                if (r >= q->cut) continue;
                if (m == cap) {
                    close_entry *g = realloc(close, 2 * cap * sizeof *g);
                    if (!g) {
                        failed = 1;
                        break;
                    }
                    close = g;
                    cap *= 2;
                }
                double inv = 1.0 / (r - q->cut);
                close_entry *c = &close[m++];
                c->k = k, c->el = ej, c->r = r;
                c->ex = exp(q->sigma_gamma * inv);
                c->dlog = -q->sigma_gamma * inv * inv;
                if (mlpot_pair_id_owned(pair_index[k])) {
                    double phi, dphi;
                    two_body(q, r, &phi, &dphi);
                    pair[pair_index[k]][0] = dphi / r;
                    pair[pair_index[k]][1] = phi;
                }
            }
            for (size_t u = 0; u < m && !failed; ++u) {
                const close_entry *cj = &close[u];
                const double *d1 = &nl->vector[3 * cj->k];
                double r1 = cj->r;
                double *g1 = &grad[3 * cj->k];
                for (size_t v = u + 1; v < m; ++v) {
                    const close_entry *ck = &close[v];
                    const sw_param *qijk = param(p, ei, cj->el, ck->el);
                    const double *d2 = &nl->vector[3 * ck->k];
                    double r2 = ck->r;
                    double rr = 1.0 / (r1 * r2);
                    double cs = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) * rr;
                    double delta = cs - qijk->costheta;
                    double ee = qijk->lambda_epsilon * cj->ex * ck->ex;
                    e += ee * delta * delta;
                    /* dφ3/dd1 = ee [2δ (d2/(r1 r2) - cs d1/r1²) + δ² dlog1 d1/r1], same for d2 */
                    double ang = 2.0 * ee * delta;
                    double c1 = -ang * cs / (r1 * r1) + ee * delta * delta * cj->dlog / r1;
                    double c2 = -ang * cs / (r2 * r2) + ee * delta * delta * ck->dlog / r2;
                    double *g2 = &grad[3 * ck->k];
                    for (int a = 0; a < 3; ++a) {
                        g1[a] += ang * rr * d2[a] + c1 * d1[a];
                        g2[a] += ang * rr * d1[a] + c2 * d2[a];
                    }
                }
            }
            local.energy[i] = e;
            if (local.virial) {
                double *w = &local.virial[9 * i];
                for (size_t u = 0; u < m; ++u) mlpot_virial_add(w, &nl->vector[3 * close[u].k], &grad[3 * close[u].k], 1.0);
            }
        }
        free(close);
    }
    if (failed) {
        st = mlpot_fail_memory(err, "computing Stillinger-Weber forces");
    } else {
        /* gather: three-body slots of both ends; the two-body pair, half its energy and virial */
#pragma omp parallel for schedule(static) if (n > 256)
        for (int i = 0; i < n; ++i) {
            double f[3] = {0, 0, 0}, e = 0, w[9] = {0};
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
                const double *g = &grad[3 * k], *h = &grad[3 * (size_t)reverse[k]], *d = &nl->vector[3 * k];
                const double *pk = pair[mlpot_pair_id(pair_index[k])];
                e += 0.5 * pk[1];
                for (int a = 0; a < 3; ++a) f[a] += g[a] - h[a] + pk[0] * d[a];
                if (local.virial) {
                    double hh = 0.5 * pk[0];
                    w[0] -= hh * d[0] * d[0], w[4] -= hh * d[1] * d[1], w[8] -= hh * d[2] * d[2];
                    w[1] -= hh * d[0] * d[1], w[2] -= hh * d[0] * d[2], w[5] -= hh * d[1] * d[2];
                }
            }
            w[3] = w[1], w[6] = w[2], w[7] = w[5];
            local.energy[i] += e;
            if (want_forces)
                for (int a = 0; a < 3; ++a) out->forces[3 * i + a] += f[a];
            if (local.virial)
                for (int q = 0; q < 9; ++q) local.virial[9 * i + q] += w[q];
        }
    }
    if (!st) mlpot_local_add_to_result(&local, request, out);
    free(owned);
    free(owned_index);
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
