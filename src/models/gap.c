/* GAP models as mlpot potentials: prediction (energy, forces, virials, per-atom energies and
 * virials, per-atom and total-energy variances), loading and saving.
 *
 * Per descriptor and per atom, in one pass over the atom's neighbours: the descriptor of every
 * instance the atom owns (its SOAP, or its distance_2b pairs), the kernel against the sparse
 * points, the local energy, dE/dx, and the back-propagation into per-neighbour-entry gradients
 * dE_i/dd_k. Forces are then gathered through the reverse-pair index and virials taken per
 * atom, so no thread writes another atom's data and results do not depend on the thread count.
 *
 * distance_2b: QUIP makes one instance per ordered pair (i, j-image) and gives half of its
 * energy (and variance) to each atom. The reverse pair is an identical instance, so atom i
 * receives exactly e(r)·c(r) (and var(r)·c(r)²) for each of its own entries. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "core/neighbours_internal.h"
#include "models/gap_model.h"
#include "models/gap_pair.h"
#include "potential/accumulate.h"
#include "potential/potential_internal.h"

void mlpot_gap_options_default(mlpot_gap_options *o)
{
    o->variance_regularisation = 1e-3;
    o->variance = -1;
}

/* --- energy variance ------------------------------------------------------------------------ */

/* Σ_ab w_a w_b k(x_a, x_b) over instances (rows of X), by rows in parallel, summed in order. */
static double prior_sum(const gap_coordinate *c, const double *X, const double *w, int n, double *row)
{
    const size_t d = (size_t)c->d;
#pragma omp parallel for schedule(dynamic, 4) if (n > 64)
    for (int a = 0; a < n; ++a) {
        double sum = 0.5 * w[a] * gap_kernel_prior(c, X + a * d, X + a * d);
        for (int b = a + 1; b < n; ++b) sum += w[b] * gap_kernel_prior(c, X + a * d, X + b * d);
        row[a] = 2.0 * w[a] * sum;
    }
    double total = 0.0;
    for (int a = 0; a < n; ++a) total += row[a];
    return total;
}

/* Adds Var(Σ_a w_a f(x_a)) + ρ²·noise (see gap.h) to *out. X [n][d], K [n][M] kernel vectors. */
static mlpot_status add_energy_variance(const gap_model *m, const gap_coordinate *c, const double *X, const double *K,
                                    const double *w, double noise, int n, double *out, mlpot_error *err)
{
    const int M = c->n_sparse;
    double *buf = mlpot_calloc((size_t)n + 2 * (size_t)M + 2, sizeof *buf);
    if (!buf) return mlpot_fail_memory(err, "computing the energy variance");
    double *row = buf, *kE = buf + n + 1, *v = kE + M + 1;
    double prior = prior_sum(c, X, w, n, row);
    for (int a = 0; a < n; ++a)
        for (int s = 0; s < M; ++s) kE[s] += w[a] * K[(size_t)a * M + s];
    double vv = M > 0 ? gap_kernel_projection(c, kE, v) : 0.0; /* kEᵀ A⁻¹ kE */
    *out += prior + m->variance_regularisation * m->variance_regularisation * noise - vv;
    free(buf);
    return MLPOT_OK;
}

/* --- compute -------------------------------------------------------------------------------- */

/* Per-thread buffers: a SOAP work area per SOAP descriptor and vectors for the kernels. */
typedef struct thread_work {
    soap_work *soap; /* [n_coordinates] (unused entries zeroed) */
    double *x, *dEdx, *dxdr, *dots, *k, *v;
} thread_work;

static void thread_work_free(thread_work *t, int n_coordinates)
{
    for (int c = 0; t->soap && c < n_coordinates; ++c) soap_work_free(&t->soap[c]);
    free(t->soap);
    free(t->x);
}

static int thread_work_init(thread_work *t, const gap_model *m, int cap)
{
    memset(t, 0, sizeof *t);
    int d = 1, M = 1;
    for (int c = 0; c < m->n_coordinates; ++c) {
        if (m->coordinates[c].d > d) d = m->coordinates[c].d;
        if (m->coordinates[c].n_sparse > M) M = m->coordinates[c].n_sparse;
    }
    t->soap = calloc((size_t)m->n_coordinates, sizeof *t->soap);
    t->x = malloc(((size_t)3 * d + 3 * (size_t)M + 8) * sizeof(double));
    if (!t->soap || !t->x) return 0;
    t->dEdx = t->x + d, t->dxdr = t->dEdx + d, t->dots = t->dxdr + d;
    t->k = t->dots + M + 1, t->v = t->k + M + 1;
    for (int c = 0; c < m->n_coordinates; ++c)
        if (m->coordinates[c].descriptor == GAP_DESCRIPTOR_SOAP && soap_work_init(&t->soap[c], &m->coordinates[c].soap, cap, NULL))
            return 0;
    return 1;
}

typedef struct gap_pass {
    const gap_model *m;
    const mlpot_structure *s;
    const mlpot_neighbour_list *nl;
    int want_grad, want_var, want_evar;
    double *local_energy; /* [n] */
    double *grad;         /* [3 n_pairs] dE_i/dd_k */
    double *variances;    /* [n] or NULL */
    int *centre_index;    /* [n_coordinates][n]: instance number of a SOAP centre (energy variance) */
    double **X, **Kv;     /* [n_coordinates]: instance descriptors and kernel vectors (energy variance) */
} gap_pass;

/* The SOAP descriptor `c` (number ci) of atom i. */
static void soap_atom_terms(const gap_pass *g, int ci, int i, thread_work *t)
{
    const gap_coordinate *c = &g->m->coordinates[ci];
    const mlpot_neighbour_list *nl = g->nl;
    const int d = c->d, M = c->n_sparse;
    const double rho2 = g->m->variance_regularisation * g->m->variance_regularisation;
    soap_atom(&c->soap, nl, g->s->numbers, i, g->want_grad, &t->soap[ci], t->x);
    int keep_k = g->want_var || g->want_evar;
    double e = gap_kernel_energy(c, t->x, t->dots, keep_k ? t->k : NULL, g->want_grad ? t->dEdx : NULL);
    g->local_energy[i] += e;
    if (g->want_var) g->variances[i] += gap_kernel_variance(c, rho2, t->k, t->v);
    if (g->want_evar) {
        int a = g->centre_index[(size_t)ci * g->s->n_atoms + i];
        memcpy(g->X[ci] + (size_t)a * d, t->x, (size_t)d * sizeof *t->x);
        memcpy(g->Kv[ci] + (size_t)a * M, t->k, (size_t)M * sizeof *t->k);
    }
    if (g->want_grad) soap_atom_backprop(&c->soap, nl, i, t->dEdx, &t->soap[ci], g->grad + 3 * nl->offsets[i]);
}

/* The distance_2b descriptor `c` on the entries of atom i (each gets e·c(r) and var·c(r)²). */
static void pair_atom_terms(const gap_pass *g, const gap_coordinate *c, int i, thread_work *t)
{
    const mlpot_neighbour_list *nl = g->nl;
    const int *numbers = g->s->numbers;
    const int d = c->d;
    const double rc = c->pair.cutoff, rho2 = g->m->variance_regularisation * g->m->variance_regularisation;
    double e_atom = 0.0, var_atom = 0.0;
    for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q) {
        double r = nl->distance[q];
        if (r >= rc || !gap_pair_matches(&c->pair, numbers[i], numbers[nl->neighbour[q]])) continue;
        double dcdr, cut = gap_pair_eval(&c->pair, r, t->x, t->dxdr, &dcdr);
        double e = gap_kernel_energy(c, t->x, t->dots, g->want_var ? t->k : NULL, g->want_grad ? t->dEdx : NULL);
        e_atom += e * cut;
        if (g->want_var) var_atom += gap_kernel_variance(c, rho2, t->k, t->v) * cut * cut;
        if (g->want_grad) {
            double dedr = 0.0;
            for (int k = 0; k < d; ++k) dedr += t->dEdx[k] * t->dxdr[k];
            double f = (dedr * cut + e * dcdr) / r;
            double *gq = g->grad + 3 * q;
            for (int a = 0; a < 3; ++a) gq[a] += f * nl->vector[3 * q + a];
        }
    }
    g->local_energy[i] += e_atom;
    if (g->want_var) g->variances[i] += var_atom;
}

/* Energy variance of a distance_2b descriptor over its owned instances (each unordered pair
 * once, weight 2c: the two ordered instances are identical). */
static mlpot_status pair_energy_variance(const gap_pass *g, const gap_coordinate *c, double *out, mlpot_error *err)
{
    const mlpot_neighbour_list *nl = g->nl;
    const int *numbers = g->s->numbers, n = g->s->n_atoms, M = c->n_sparse;
    const size_t d = (size_t)c->d;
    const double rc = c->pair.cutoff;
    size_t n_inst = 0;
    for (int i = 0; i < n; ++i)
        for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q)
            n_inst += nl->distance[q] < rc && mlpot_pair_is_owned(i, nl->neighbour[q], &nl->shift[3 * q]) &&
                      gap_pair_matches(&c->pair, numbers[i], numbers[nl->neighbour[q]]);
    if (n_inst == 0) return MLPOT_OK;
    if (n_inst > (size_t)1 << 28) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "GAP energy variance: too many pairs");
    double *X = malloc((n_inst * d + 1) * sizeof *X), *Kv = malloc((n_inst * (size_t)M + 1) * sizeof *Kv);
    double *w = malloc((n_inst + 1) * sizeof *w), *work = malloc(((size_t)M + 1) * sizeof *work);
    mlpot_status st = MLPOT_OK;
    if (!X || !Kv || !w || !work) {
        st = mlpot_fail_memory(err, "computing the GAP energy variance");
    } else {
        size_t a = 0;
        double noise = 0.0;
        for (int i = 0; i < n; ++i)
            for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q) {
                double r = nl->distance[q];
                if (!(r < rc && mlpot_pair_is_owned(i, nl->neighbour[q], &nl->shift[3 * q]) &&
                      gap_pair_matches(&c->pair, numbers[i], numbers[nl->neighbour[q]])))
                    continue;
                double cut = gap_pair_eval(&c->pair, r, X + a * d, NULL, NULL);
                gap_kernel_energy(c, X + a * d, work, Kv + a * (size_t)M, NULL);
                w[a] = 2.0 * cut;
                noise += 2.0 * cut * cut;
                ++a;
            }
        st = add_energy_variance(g->m, c, X, Kv, w, noise, (int)n_inst, out, err);
    }
    free(X), free(Kv), free(w), free(work);
    return st;
}

static mlpot_status gap_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                unsigned request, mlpot_result *out, mlpot_error *err)
{
    const gap_model *m = state;
    const int n = s->n_atoms, nc = m->n_coordinates;
    gap_pass g = {.m = m, .s = s, .nl = nl};
    g.want_grad = (request & (MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VIRIALS)) != 0;
    g.want_var = (request & MLPOT_OUT_ATOM_VARIANCES) != 0;
    g.want_evar = (request & MLPOT_OUT_ENERGY_VARIANCE) != 0;
    const int *reverse = NULL;
    int *owned = NULL;
    int *n_centres = NULL;
    mlpot_status st = MLPOT_OK;
    if ((request & MLPOT_OUT_FORCES) && (st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err))) return st;
    mlpot_local local;
    if ((st = mlpot_local_init(&local, n, request, out, err))) goto done;
    g.local_energy = local.energy;
    g.grad = g.want_grad ? mlpot_result_scratch(out, 2, (3 * nl->n_pairs + 3) * sizeof(double), 1) : NULL;
    g.variances = g.want_var ? mlpot_result_scratch(out, 3, ((size_t)n + 1) * sizeof(double), 1) : NULL;
    if ((g.want_grad && !g.grad) || (g.want_var && !g.variances)) {
        st = mlpot_fail_memory(err, "evaluating a GAP model");
        goto done;
    }
    if (g.want_evar) {
        /* SOAP instances are stored during the pass (one per centre atom, in atom order) */
        g.centre_index = calloc((size_t)nc * n + 1, sizeof *g.centre_index);
        g.X = calloc((size_t)nc, sizeof *g.X);
        g.Kv = calloc((size_t)nc, sizeof *g.Kv);
        n_centres = calloc((size_t)nc, sizeof *n_centres);
        if (!g.centre_index || !g.X || !g.Kv || !n_centres) st = mlpot_fail_memory(err, "computing the energy variance");
        for (int c = 0; c < nc && !st; ++c) {
            const gap_coordinate *co = &m->coordinates[c];
            if (co->descriptor != GAP_DESCRIPTOR_SOAP) continue;
            for (int i = 0; i < n; ++i)
                g.centre_index[(size_t)c * n + i] = co->soap.centre[s->numbers[i]] ? n_centres[c]++ : -1;
            g.X[c] = malloc(((size_t)n_centres[c] * co->d + 1) * sizeof(double));
            g.Kv[c] = malloc(((size_t)n_centres[c] * co->n_sparse + 1) * sizeof(double));
            if (!g.X[c] || !g.Kv[c]) st = mlpot_fail_memory(err, "computing the energy variance");
        }
        if (st) goto done;
    }
    /* every descriptor of every atom in one parallel loop */
    const int cap = soap_max_entries(nl);
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 4)
    {
        thread_work t;
        if (!thread_work_init(&t, m, cap)) failed = 1;
#pragma omp for schedule(dynamic, 2)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            for (int c = 0; c < nc; ++c) {
                const gap_coordinate *co = &m->coordinates[c];
                if (co->n_sparse == 0) continue;
                if (co->descriptor == GAP_DESCRIPTOR_SOAP) {
                    if (co->soap.centre[s->numbers[i]]) soap_atom_terms(&g, c, i, &t);
                } else {
                    pair_atom_terms(&g, co, i, &t);
                }
            }
        }
        thread_work_free(&t, nc);
    }
    if (failed) {
        st = mlpot_fail_memory(err, "evaluating a GAP model");
        goto done;
    }
    double energy_variance = 0.0;
    for (int c = 0; c < nc && g.want_evar && !st; ++c) {
        const gap_coordinate *co = &m->coordinates[c];
        if (co->n_sparse == 0) continue;
        if (co->descriptor == GAP_DESCRIPTOR_SOAP) {
            if (n_centres[c] == 0) continue;
            double *ones = malloc((size_t)n_centres[c] * sizeof *ones);
            if (!ones) {
                st = mlpot_fail_memory(err, "computing the energy variance");
                break;
            }
            for (int a = 0; a < n_centres[c]; ++a) ones[a] = 1.0;
            st = add_energy_variance(m, co, g.X[c], g.Kv[c], ones, (double)n_centres[c], n_centres[c], &energy_variance, err);
            free(ones);
        } else {
            st = pair_energy_variance(&g, co, &energy_variance, err);
        }
    }
    if (st) goto done;
    const double scale = m->energy_scale;
    for (int i = 0; i < n; ++i) local.energy[i] = (local.energy[i] + m->e0[s->numbers[i]]) * scale;
    if (g.want_grad && scale != 1.0)
        for (size_t q = 0; q < 3 * nl->n_pairs; ++q) g.grad[q] *= scale;
    if (local.virial) {
#pragma omp parallel for schedule(static) if (n > 2048)
        for (int i = 0; i < n; ++i) {
            double *w = &local.virial[9 * (size_t)i];
            for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q)
                mlpot_virial_add(w, &nl->vector[3 * q], &g.grad[3 * q], 1.0);
        }
    }
    if (request & MLPOT_OUT_FORCES) {
#pragma omp parallel for schedule(static) if (n > 2048)
        for (int i = 0; i < n; ++i) {
            double f[3] = {0, 0, 0};
            for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q) {
                const double *a = &g.grad[3 * q], *b = &g.grad[3 * (size_t)reverse[q]];
                for (int x = 0; x < 3; ++x) f[x] += a[x] - b[x];
            }
            for (int x = 0; x < 3; ++x) out->forces[3 * i + x] += f[x];
        }
    }
    if (g.want_var)
        for (int i = 0; i < n; ++i) out->atom_variances[i] += g.variances[i];
    if (g.want_evar) out->energy_variance += energy_variance;
    mlpot_local_add_to_result(&local, request, out);
    mlpot_local_free(&local);
done:
    if (g.X)
        for (int c = 0; c < nc; ++c) free(g.X[c]);
    if (g.Kv)
        for (int c = 0; c < nc; ++c) free(g.Kv[c]);
    free(g.X), free(g.Kv), free(g.centre_index), free(n_centres);
    free(owned);
    return st;
}

/* --- the potential --------------------------------------------------------------------------- */

static void gap_destroy(void *state)
{
    gap_model_free(state);
    free(state);
}

static void gap_describe(const void *state, char *buf, size_t size)
{
    const gap_model *m = state;
    size_t used = (size_t)snprintf(buf, size, "gap: %s (gap_version %ld;", m->source ? m->source : "model", m->gap_version);
    for (int k = 0; k < m->n_coordinates && used < size; ++k) {
        const gap_coordinate *c = &m->coordinates[k];
        used += (size_t)snprintf(buf + used, size - used, " %s %s %d sparse%s",
                                 c->descriptor == GAP_DESCRIPTOR_SOAP ? "soap" : "distance_2b",
                                 c->kernel == GAP_KERNEL_DOT_PRODUCT ? "dot_product" : "ard_se", c->n_sparse,
                                 k + 1 < m->n_coordinates ? "," : "");
    }
    if (used < size) snprintf(buf + used, size - used, "; cutoff %g)", m->cutoff);
}

mlpot_status gap_model_potential(gap_model *m, mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    unsigned outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                       MLPOT_OUT_ATOM_VIRIALS;
    if (m->has_variance) outputs |= MLPOT_OUT_ATOM_VARIANCES | MLPOT_OUT_ENERGY_VARIANCE;
    mlpot_potential_info info = {
        .style = "gap",
        .cutoff = m->cutoff,
        .outputs = outputs,
        .needs_full_list = 1,
        .n_species = m->n_species,
        .species = m->species,
    };
    static const mlpot_potential_ops ops = {gap_compute, gap_destroy, gap_describe};
    return mlpot_potential_create(&ops, m, &info, out, err);
}

/* --- loading and saving ------------------------------------------------------------------------ */

/* 1: QUIP XML, 2: mlpot GAP file, 0: neither. */
static int detect_kind(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    const size_t size = 65536;
    char *buf = malloc(size + 1);
    if (!buf) {
        fclose(f);
        return 0;
    }
    size_t got = fread(buf, 1, size, f);
    fclose(f);
    buf[got] = '\0';
    for (size_t k = 0; k < got; ++k)
        if (buf[k] == '\0') buf[k] = ' ';
    int kind = 0;
    if (!strncmp(buf, "mlpot-gap", 9)) kind = 2;
    else if (strstr(buf, "<GAP_params") || strstr(buf, "<gpSparse")) kind = 1;
    free(buf);
    return kind;
}

int mlpot_gap_detect(const char *path)
{
    return detect_kind(path) != 0;
}

mlpot_status mlpot_gap_load(const char *path, const mlpot_gap_options *options, mlpot_potential **out,
                            mlpot_error *err)
{
    *out = NULL;
    int kind = detect_kind(path);
    if (!kind) {
        FILE *f = fopen(path, "rb");
        if (!f) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open", path);
        fclose(f);
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s: not a GAP model (neither a QUIP XML file with <GAP_params> nor an mlpot GAP file)", path);
    }
    gap_model *m = malloc(sizeof *m);
    if (!m) return mlpot_fail_memory(err, "loading a GAP model");
    gap_model_init(m);
    m->source = mlpot_strdup(path);
    mlpot_status st = kind == 1 ? gap_xml_read(path, m, err) : gap_file_read(path, m, err);
    if (!st) st = gap_model_prepare(m, options, err);
    if (st) {
        gap_model_free(m);
        free(m);
        return st;
    }
    return gap_model_potential(m, out, err);
}

mlpot_status mlpot_gap_save(const mlpot_potential *p, const char *path, mlpot_error *err)
{
    if (!p || strcmp(mlpot_potential_style(p), "gap"))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "mlpot_gap_save: the potential is not a GAP model (style '%s')",
                          p ? mlpot_potential_style(p) : "none");
    return gap_file_write(mlpot_potential_state(p), path, err);
}
