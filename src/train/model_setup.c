#include "train/model_setup.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/neighbours_internal.h"
#include "core/memory.h"
#include "mlpot/elements.h"
#include "train/config.h"

mlpot_status train_model_build(nnp_model *m, const int *elements, int n_elements, char *const *lines, int n_lines,
                               int cutoff_type, double alpha, const int *hidden, int n_hidden, int activation,
                               int scaling, double smin, double smax, mlpot_error *err)
{
    memset(m, 0, sizeof *m);
    if (n_hidden < 0 || n_hidden > 60) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%d hidden layers", n_hidden);
    const char *symbols[MLPOT_MAX_ELEMENT];
    for (int e = 0; e < n_elements; ++e) symbols[e] = mlpot_element_symbol(elements[e]);
    acsf_line *defs = calloc((size_t)n_lines + 1, sizeof *defs);
    if (!defs) return mlpot_fail_memory(err, "setting up a model");
    for (int k = 0; k < n_lines; ++k) defs[k] = (acsf_line){lines[k], k + 1};
    mlpot_status st = acsf_set_build(&m->acsf, symbols, n_elements, defs, n_lines, cutoff_type, alpha,
                                     1.0, "symmetry functions", err);
    free(defs);
    if (st) return st;
    m->path = mlpot_strdup("model in training");
    m->nets = calloc((size_t)m->acsf.n_elements, sizeof *m->nets);
    m->offset = calloc((size_t)m->acsf.n_elements, sizeof *m->offset);
    if (!m->nets || !m->offset || !m->path) {
        nnp_model_free(m);
        return mlpot_fail_memory(err, "setting up a model");
    }
    st = acsf_scaling_create(&m->scaling, &m->acsf, scaling, smin, smax, err);
    for (int e = 0; e < m->acsf.n_elements && !st; ++e) {
        const size_t nsf = (size_t)m->acsf.elements[e].n;
        if (nsf == 0) {
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no symmetry functions for %s", mlpot_element_symbol(m->acsf.z[e]));
            break;
        }
        acsf_scaling_element *sc = &m->scaling.elements[e];
        for (size_t k = 0; k < nsf; ++k) sc->factor[k] = 1.0, sc->shift[k] = 0.0; /* until the statistics are known */
        st = train_model_network(&m->nets[e], (int)nsf, hidden, n_hidden, activation, err);
    }
    if (st) nnp_model_free(m);
    return st;
}

mlpot_status train_model_network(nn *net, int n_inputs, const int *hidden, int n_hidden, int activation, mlpot_error *err)
{
    int size[64], act[64];
    size[0] = n_inputs, act[0] = NN_IDENTITY;
    for (int l = 0; l < n_hidden; ++l) size[1 + l] = hidden[l], act[1 + l] = activation;
    size[n_hidden + 1] = 1, act[n_hidden + 1] = NN_IDENTITY;
    return nn_create(net, n_hidden + 2, size, act, 0, err);
}

/* Sums of one structure's symmetry functions, per element and function. */
typedef struct sf_sums {
    double *sum, *sum2, *min, *max;
    long *count;
} sf_sums;

mlpot_status train_model_statistics(nnp_model *m, const mlpot_structure *const *s, size_t n, int *zero_range,
                                    mlpot_error *err)
{
    const int n_el = m->acsf.n_elements;
    size_t max_fn = 0;
    for (int e = 0; e < n_el; ++e)
        if ((size_t)m->acsf.elements[e].n > max_fn) max_fn = (size_t)m->acsf.elements[e].n;
    const size_t width = (size_t)n_el * max_fn;
    /* per structure partial sums, merged in order afterwards (thread-count independent) */
    double *part = calloc(n * width * 4 + 1, sizeof *part);
    long *count = calloc(n * (size_t)n_el + 1, sizeof *count);
    if (!part || !count) {
        free(part), free(count);
        return mlpot_fail_memory(err, "computing symmetry-function statistics");
    }
    int failed = 0;
    mlpot_error first_err;
    mlpot_error_clear(&first_err);
#pragma omp parallel
    {
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        double *work = NULL, *G = malloc((max_fn + 1) * sizeof *G);
        size_t work_n = 0;
        mlpot_error local;
#pragma omp for schedule(dynamic, 1)
        for (size_t q = 0; q < n; ++q) {
            if (failed) continue;
            double *sum = part + q * width * 4, *sum2 = sum + width, *mn = sum2 + width, *mx = mn + width;
            for (size_t k = 0; k < width; ++k) mn[k] = INFINITY, mx[k] = -INFINITY;
            if (mlpot_neighbour_list_build(&nl, s[q], m->acsf.rmax, 0.0, MLPOT_NEIGHBOURS_FULL, &local)) {
#pragma omp critical(train_statistics)
                if (!failed) failed = 1, first_err = local;
                continue;
            }
            size_t need = acsf_work_size(&m->acsf, mlpot_neighbour_max_entries(&nl)) / sizeof(double) + 1;
            if (need > work_n) {
                free(work);
                work = malloc(need * sizeof *work);
                work_n = work ? need : 0;
            }
            if (!work || !G) {
#pragma omp critical(train_statistics)
                failed = 1;
                continue;
            }
            for (int i = 0; i < s[q]->n_atoms; ++i) {
                int e = m->acsf.index[s[q]->numbers[i]];
                if (e < 0) continue; /* checked by the caller */
                const int nsf = m->acsf.elements[e].n;
                memset(G, 0, (size_t)nsf * sizeof *G);
                acsf_atom(&m->acsf, e, s[q], &nl, i, ACSF_VALUES, G, NULL, NULL, NULL, work, NULL);
                const size_t at = (size_t)e * max_fn;
                for (int k = 0; k < nsf; ++k) {
                    sum[at + k] += G[k], sum2[at + k] += G[k] * G[k];
                    mn[at + k] = fmin(mn[at + k], G[k]), mx[at + k] = fmax(mx[at + k], G[k]);
                }
                count[q * (size_t)n_el + e]++;
            }
        }
        free(work), free(G);
        mlpot_neighbour_list_free(&nl);
    }
    mlpot_status st = MLPOT_OK;
    if (failed) st = first_err.code ? (*err = first_err, first_err.code) : mlpot_fail_memory(err, "computing statistics");
    for (int e = 0; e < n_el && !st; ++e) {
        acsf_scaling_element *el = &m->scaling.elements[e];
        long total = 0;
        for (size_t q = 0; q < n; ++q) total += count[q * (size_t)n_el + e];
        if (total == 0) {
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no %s atoms in the training data", mlpot_element_symbol(m->acsf.z[e]));
            break;
        }
        for (int k = 0; k < m->acsf.elements[e].n; ++k) {
            const size_t at = (size_t)e * max_fn + (size_t)k;
            double sum = 0, sum2 = 0, mn = INFINITY, mx = -INFINITY;
            for (size_t q = 0; q < n; ++q) {
                const double *p = part + q * width * 4;
                sum += p[at], sum2 += p[width + at], mn = fmin(mn, p[2 * width + at]), mx = fmax(mx, p[3 * width + at]);
            }
            double mean = sum / total, var = sum2 / total - mean * mean;
            el->gmin[k] = mn, el->gmax[k] = mx, el->gmean[k] = mean, el->gsigma[k] = sqrt(var > 0 ? var : 0);
            int flat = !(mx > mn);
            if (zero_range) zero_range[at] = flat;
            if (flat) el->gmax[k] = mn + 1.0, el->gsigma[k] = 1.0;
        }
    }
    free(part), free(count);
    if (!st) st = acsf_scaling_factors(&m->scaling, &m->acsf, "the training data", err);
    return st;
}

mlpot_status train_model_reference_energies(nnp_model *m, const mlpot_structure *const *s, size_t n, const int *z,
                                            const double *energy, int n_given, const double *shift, mlpot_error *err)
{
    const int n_el = m->acsf.n_elements;
    int given[MLPOT_MAX_ELEMENT] = {0};
    for (int k = 0; k < n_given; ++k) {
        int e = z[k] >= 1 && z[k] <= MLPOT_MAX_ELEMENT ? m->acsf.index[z[k]] : -1;
        if (e < 0) continue; /* an element the data do not have */
        m->offset[e] = energy[k];
        given[e] = 1;
    }
    int n_fit = 0, col[MLPOT_MAX_ELEMENT];
    for (int e = 0; e < n_el; ++e)
        if (!given[e]) col[e] = n_fit++;
    if (n_fit == 0) return MLPOT_OK;
    /* least squares: E_s - Σ_given n_se ε_e ≈ Σ_fit n_se ε_e, minimum norm (SVD), each row
     * weighted by the structure's √w_s as in the loss (a structure of weight 0 does not count) */
    size_t rows = 0;
    for (size_t q = 0; q < n; ++q) rows += (s[q]->labels & MLPOT_LABEL_ENERGY) != 0;
    if (rows == 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no energies to fit reference energies to");
    size_t ldb = rows > (size_t)n_fit ? rows : (size_t)n_fit;
    double *A = calloc(rows * (size_t)n_fit, sizeof *A), *b = calloc(ldb, sizeof *b), *sv = calloc((size_t)n_fit, sizeof *sv);
    if (!A || !b || !sv) {
        free(A), free(b), free(sv);
        return mlpot_fail_memory(err, "fitting reference energies");
    }
    size_t r = 0;
    for (size_t q = 0; q < n; ++q) {
        if (!(s[q]->labels & MLPOT_LABEL_ENERGY)) continue;
        double target = s[q]->energy - (shift ? shift[q] : 0.0);
        for (int i = 0; i < s[q]->n_atoms; ++i) {
            int e = m->acsf.index[s[q]->numbers[i]];
            if (given[e]) target -= m->offset[e];
            else A[r * (size_t)n_fit + (size_t)col[e]] += 1.0;
        }
        const double root_w = sqrt(s[q]->weight);
        for (int c = 0; c < n_fit; ++c) A[r * (size_t)n_fit + (size_t)c] *= root_w;
        b[r++] = target * root_w;
    }
    lapack_int rank = 0;
    lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)rows, n_fit, 1, A, n_fit, b, 1, sv, 1e-10, &rank);
    mlpot_status st = MLPOT_OK;
    if (info != 0) st = mlpot_fail(err, MLPOT_ERR_NUMERIC, "fitting reference energies: LAPACK dgelsd failed (%d)", (int)info);
    for (int e = 0; e < n_el && !st; ++e)
        if (!given[e]) m->offset[e] = b[col[e]];
    free(A), free(b), free(sv);
    return st;
}

/* What must agree for the old weights to mean what they meant; the first difference, or MLPOT_OK. */
static mlpot_status adoptable(const nnp_model *m, const nnp_model *old, const char *folder, const int *z,
                              const double *energy, int n_given, mlpot_error *err)
{
    const acsf_set *a = &m->acsf, *b = &old->acsf;
    if (old->generation != 2)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: a 4G model; model.initial_weights takes a 2G model", folder);
    int same = a->n_elements == b->n_elements;
    for (int e = 0; e < a->n_elements && same; ++e) same = a->z[e] == b->z[e];
    if (!same) {
        char have[256] = "", want[256] = "";
        for (int e = 0; e < b->n_elements; ++e)
            snprintf(have + strlen(have), sizeof have - strlen(have), " %s", mlpot_element_symbol(b->z[e]));
        for (int e = 0; e < a->n_elements; ++e)
            snprintf(want + strlen(want), sizeof want - strlen(want), " %s", mlpot_element_symbol(a->z[e]));
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the model has the elements%s, the training data%s", folder, have, want);
    }
    if (a->cutoff_type != b->cutoff_type || a->cutoff_alpha != b->cutoff_alpha)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "%s: cutoff function %d (alpha %g), the configuration's %d (alpha %g): set model.cutoff_type and "
                          "model.cutoff_alpha to the model's",
                          folder, b->cutoff_type, b->cutoff_alpha, a->cutoff_type, a->cutoff_alpha);
    for (int e = 0; e < a->n_elements; ++e) {
        const char *el = mlpot_element_symbol(a->z[e]);
        if (a->elements[e].n != b->elements[e].n)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "%s: %d symmetry functions of %s, the configuration's %d (set model.symmetry_functions to the "
                              "folder to take its functions)",
                              folder, b->elements[e].n, el, a->elements[e].n);
        for (int k = 0; k < a->elements[e].n; ++k) {
            char fa[512], fb[512];
            acsf_fn_format(a, &a->elements[e].fn[k], fa, sizeof fa);
            acsf_fn_format(b, &b->elements[e].fn[k], fb, sizeof fb);
            if (strcmp(fa, fb))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                  "%s: symmetry function %d of %s is '%s', the configuration's '%s' (set "
                                  "model.symmetry_functions to the folder to take its functions)",
                                  folder, k + 1, el, fb, fa);
        }
        char na[256], nb[256];
        nn_describe(&m->nets[e], na, sizeof na);
        nn_describe(&old->nets[e], nb, sizeof nb);
        if (strcmp(na, nb) || m->nets[e].normalize != old->nets[e].normalize)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the network of %s is %s%s, the configuration's %s", folder, el, nb,
                              old->nets[e].normalize ? " with normalize_nodes" : "", na);
    }
    const acsf_scaling *sa = &m->scaling, *sb = &old->scaling;
    if (sa->type != sb->type || sa->smin != sb->smin || sa->smax != sb->smax)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "%s: symmetry functions scaled by %s onto %g..%g, the configuration's model.scaling %s onto %g..%g "
                          "(model.scale_min, model.scale_max)",
                          folder, train_scaling_name(sb->type), sb->smin, sb->smax, train_scaling_name(sa->type), sa->smin,
                          sa->smax);
    for (int k = 0; k < n_given; ++k) {
        const int e = z[k] >= 1 && z[k] <= MLPOT_MAX_ELEMENT ? a->index[z[k]] : -1;
        if (e >= 0 && energy[k] != old->offset[e])
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "%s: the reference energy of %s is %.17g, model.reference_energies gives %.17g (leave it to "
                              "the model)",
                              folder, mlpot_element_symbol(z[k]), old->offset[e], energy[k]);
    }
    return MLPOT_OK;
}

mlpot_status train_model_adopt(nnp_model *m, const char *folder, const int *z, const double *energy, int n_given,
                               mlpot_error *err)
{
    nnp_model old;
    mlpot_status st = nnp_model_load(folder, NULL, &old, err);
    if (st) return st;
    st = adoptable(m, &old, folder, z, energy, n_given, err);
    if (!st) { /* same elements, functions and scaling type: the old scaling replaces m's whole */
        const acsf_scaling computed = m->scaling;
        m->scaling = old.scaling, old.scaling = computed;
        for (int e = 0; e < m->acsf.n_elements; ++e) {
            memcpy(m->nets[e].params, old.nets[e].params, m->nets[e].n_params * sizeof *m->nets[e].params);
            m->offset[e] = old.offset[e];
        }
        m->normalize = old.normalize;
        m->mean_energy = old.mean_energy, m->conv_energy = old.conv_energy, m->conv_length = old.conv_length;
    }
    nnp_model_free(&old);
    return st;
}

void train_model_init_params(nnp_model *m, rng *r)
{
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        nn *net = &m->nets[e];
        for (int l = 1; l < net->n_layers; ++l) {
            const int n_in = net->size[l - 1], n_out = net->size[l];
            double a = sqrt(6.0 / (n_in + n_out)) * (l == net->n_layers - 1 ? 0.1 : 1.0);
            double *w = net->params + net->weight_offset[l], *b = net->params + net->bias_offset[l];
            for (size_t k = 0; k < (size_t)n_in * n_out; ++k) w[k] = a * (2.0 * rng_uniform(r) - 1.0);
            for (int k = 0; k < n_out; ++k) b[k] = 0.0;
        }
    }
}

size_t train_model_offsets(const nnp_model *m, size_t *offsets)
{
    size_t total = 0;
    for (int e = 0; e < m->acsf.n_elements; ++e) offsets[e] = total, total += m->nets[e].n_params;
    offsets[m->acsf.n_elements] = total;
    return total;
}

void train_model_get(const nnp_model *m, const size_t *offsets, double *theta)
{
    for (int e = 0; e < m->acsf.n_elements; ++e)
        memcpy(theta + offsets[e], m->nets[e].params, m->nets[e].n_params * sizeof *theta);
}

void train_model_set(nnp_model *m, const size_t *offsets, const double *theta)
{
    for (int e = 0; e < m->acsf.n_elements; ++e)
        memcpy(m->nets[e].params, theta + offsets[e], m->nets[e].n_params * sizeof *theta);
}
