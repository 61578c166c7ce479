/* n2p2 model folders (input.nn, scaling.data, weights.ZZZ.data) as mlpot potentials.
 *
 * Per atom, in one pass: symmetry functions, scaling, the element's network forward and its
 * input gradient, then the symmetry functions' back-propagation of dE/dG into per-neighbour
 * gradients. A second pass gathers forces through the reverse-pair index, so no thread writes
 * another atom's data and results do not depend on the thread count. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/memory.h"
#include "core/neighbours_internal.h"
#include "io/lines.h"
#include "mlpot/nnp.h"
#include "models/n2p2_settings.h"
#include "models/nnp_model.h"
#include "potential/accumulate.h"
#include "potential/potential_internal.h"

void nnp_model_free(nnp_model *m)
{
    if (!m) return;
    for (int e = 0; m->elements && e < m->acsf.n_elements; ++e) {
        nnp_element *el = &m->elements[e];
        free(el->gmin), free(el->gmax), free(el->gmean), free(el->gsigma), free(el->factor), free(el->shift);
        nn_free(&el->net);
    }
    free(m->elements);
    acsf_set_free(&m->acsf);
    free(m->path);
    memset(m, 0, sizeof *m);
}

int nnp_scale(const nnp_model *m, int e, const double *G, double *scaled)
{
    const nnp_element *el = &m->elements[e];
    int outside = 0;
    for (int k = 0; k < m->acsf.elements[e].n; ++k) {
        outside += G[k] < el->gmin[k] || G[k] > el->gmax[k];
        scaled[k] = m->smin + el->factor[k] * (G[k] - el->shift[k]);
    }
    return outside;
}

mlpot_status nnp_model_scaling_factors(nnp_model *m, mlpot_error *err)
{
    for (int k = 0; k < m->acsf.n_elements; ++k) {
        nnp_element *el = &m->elements[k];
        for (int q = 0; q < m->acsf.elements[k].n; ++q) {
            double range = el->gmax[q] - el->gmin[q];
            switch (m->scaling) {
            case NNP_SCALE: el->factor[q] = (m->smax - m->smin) / range, el->shift[q] = el->gmin[q]; break;
            case NNP_CENTER: el->factor[q] = 1.0, el->shift[q] = el->gmean[q]; break;
            case NNP_SCALE_CENTER: el->factor[q] = (m->smax - m->smin) / range, el->shift[q] = el->gmean[q]; break;
            case NNP_SCALE_SIGMA: el->factor[q] = (m->smax - m->smin) / el->gsigma[q], el->shift[q] = el->gmean[q]; break;
            default: el->factor[q] = 1.0, el->shift[q] = 0.0;
            }
            if (!isfinite(el->factor[q]))
                return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                  "symmetry function %d of %s has an empty range (min = max), so it cannot be scaled",
                                  q + 1, mlpot_element_symbol(m->acsf.z[k]));
        }
    }
    return MLPOT_OK;
}

/* --- compute ------------------------------------------------------------------------------- */

static mlpot_status nnp_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                unsigned request, mlpot_result *out, mlpot_error *err)
{
    const nnp_model *m = state;
    const int n = s->n_atoms;
    const int want_grad = (request & (MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VIRIALS)) != 0;
    const int *reverse = NULL;
    int *owned = NULL;
    mlpot_status st = MLPOT_OK;
    if (want_grad && (st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err))) return st;
    mlpot_local local;
    if ((st = mlpot_local_init(&local, n, request, out, err))) {
        free(owned);
        return st;
    }
    double *grad = want_grad ? mlpot_result_scratch(out, 2, (3 * nl->n_pairs + 3) * sizeof *grad, 0) : NULL;
    int *extrapolated = mlpot_result_scratch(out, 3, ((size_t)n + 1) * sizeof *extrapolated, 1);
    if ((want_grad && !grad) || !extrapolated) {
        free(owned);
        return mlpot_fail_memory(err, "evaluating a neural network potential");
    }
    size_t max_entries = 0, max_fn = 0, max_nn = 0;
    for (int i = 0; i < n; ++i)
        if (nl->offsets[i + 1] - nl->offsets[i] > max_entries) max_entries = nl->offsets[i + 1] - nl->offsets[i];
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        if ((size_t)m->acsf.elements[e].n > max_fn) max_fn = (size_t)m->acsf.elements[e].n;
        if (nn_scratch_size(&m->elements[e].net) > max_nn) max_nn = nn_scratch_size(&m->elements[e].net);
    }
    const double energy_scale = m->normalize ? 1.0 / m->conv_energy : 1.0;
    const double energy_shift = m->normalize ? m->mean_energy : 0.0;
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 32)
    {
        size_t work_doubles = acsf_work_size(&m->acsf, max_entries) / sizeof(double) + 1;
        double *work = malloc((work_doubles + 4 * max_fn + 3 * max_nn + 4) * sizeof(double));
        if (!work) failed = 1;
        acsf_cache cache = {NULL, 0, 0, 0};
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            double *G = work + work_doubles, *Gs = G + max_fn, *dEdG = Gs + max_fn, *values = dEdG + max_fn;
            double *derivs = values + max_nn, *scratch = derivs + max_nn;
            int e = m->acsf.index[s->numbers[i]];
            const acsf_element *ae = &m->acsf.elements[e];
            const nnp_element *el = &m->elements[e];
            memset(G, 0, (size_t)ae->n * sizeof *G);
            acsf_atom(&m->acsf, e, s, nl, i, ACSF_VALUES, G, NULL, NULL, NULL, work, &cache);
            if (!cache.valid && cache.used > cache.capacity) { /* room for the next atoms */
                double *bigger = realloc(cache.data, (cache.used + cache.used / 4) * sizeof *bigger);
                if (bigger) cache.data = bigger, cache.capacity = cache.used + cache.used / 4;
            }
            extrapolated[i] = nnp_scale(m, e, G, Gs);
            double output = nn_forward(&el->net, Gs, values, derivs);
            local.energy[i] = output * energy_scale + energy_shift + el->offset;
            if (!want_grad) continue;
            nn_input_gradient(&el->net, values, derivs, dEdG, scratch);
            for (int k = 0; k < ae->n; ++k) dEdG[k] *= el->factor[k] * energy_scale; /* dE/dG raw */
            size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first;
            double *gi = &grad[3 * first];
            memset(gi, 0, 3 * count * sizeof *gi);
            acsf_atom(&m->acsf, e, s, nl, i, ACSF_BACKPROP, NULL, NULL, dEdG, gi, work, &cache);
            if (local.virial) {
                double *w = &local.virial[9 * i];
                for (size_t k = 0; k < count; ++k) mlpot_virial_add(w, &nl->vector[3 * (first + k)], &gi[3 * k], 1.0);
            }
        }
        free(work);
        free(cache.data);
    }
    if (failed) st = mlpot_fail_memory(err, "evaluating a neural network potential");
    if (!st && (request & MLPOT_OUT_FORCES)) {
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
    if (!st && m->extrapolation_error) {
        int first = -1, count = 0;
        for (int i = 0; i < n; ++i)
            if (extrapolated[i]) {
                if (first < 0) first = i;
                ++count;
            }
        if (count) {
            st = mlpot_fail(err, MLPOT_ERR_NUMERIC,
                            "nnp %s: %d atoms have symmetry functions outside the training range (first: "
                            "atom %d, %s, %d functions); the model is extrapolating",
                            m->path, count, first + 1, mlpot_element_symbol(s->numbers[first]), extrapolated[first]);
            if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
        }
    }
    if (!st && (request & MLPOT_OUT_EXTRAPOLATION))
        for (int i = 0; i < n; ++i) out->atom_extrapolations[i] += extrapolated[i];
    if (!st) mlpot_local_add_to_result(&local, request, out);
    mlpot_local_free(&local);
    free(owned);
    return st;
}

/* --- loading --------------------------------------------------------------------------------- */

static mlpot_status number(const n2p2_settings *set, const n2p2_entry *e, const char *word, double *out,
                           mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(word, &end);
    if (end == word || *end || !isfinite(x))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: '%s' of %s is not a number", set->path, e->line, word,
                          e->keyword);
    *out = x;
    return MLPOT_OK;
}

static mlpot_status read_scaling(nnp_model *m, const char *path, mlpot_error *err)
{
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    int e = 0, k = 0;
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        if (r.line[0] == '#' || is_blank(r.line)) continue;
        while (e < m->acsf.n_elements && k == m->acsf.elements[e].n) ++e, k = 0;
        if (e == m->acsf.n_elements) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: more lines than symmetry functions in input.nn", path, r.number);
            break;
        }
        char *f[8];
        int nf = split_fields(r.line, f, 8);
        if (nf < 5 || nf > 6) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected 5 or 6 columns (element, index, min, max, mean[, sigma]), found %d",
                            path, r.number, nf);
            break;
        }
        double v[6] = {0};
        for (int c = 0; c < nf && !st; ++c) st = parse_real(f[c], &v[c], &r, "value", err);
        if (st) break;
        if ((int)v[0] != e + 1 || (int)v[1] != k + 1) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: expected element %d, symmetry function %d (n2p2's sorted order), found %g %g",
                            path, r.number, e + 1, k + 1, v[0], v[1]);
            break;
        }
        nnp_element *el = &m->elements[e];
        el->gmin[k] = v[2], el->gmax[k] = v[3], el->gmean[k] = v[4], el->gsigma[k] = nf > 5 ? v[5] : 0.0;
        ++k;
    }
    while (!st && e < m->acsf.n_elements && k == m->acsf.elements[e].n) ++e, k = 0;
    if (!st && e < m->acsf.n_elements)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: ends after %d of the %d symmetry functions of %s", path, k,
                        m->acsf.elements[e].n, mlpot_element_symbol(m->acsf.z[e]));
    line_reader_close(&r);
    return st;
}

static mlpot_status read_weights(nn *net, const char *path, const char *architecture, mlpot_error *err)
{
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    size_t count = 0;
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        char *f[16];
        if (r.line[0] == '#' || split_fields(r.line, f, 16) == 0) continue;
        double x;
        if ((st = parse_real(f[0], &x, &r, "weight", err))) break;
        if (count < net->n_params) net->params[count] = x;
        ++count;
    }
    line_reader_close(&r);
    if (!st && count != net->n_params)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s: %zu weights, but the network %s described in input.nn needs %zu", path, count,
                        architecture, net->n_params);
    return st;
}

/* Layer sizes and activations of element e's short-range network. */
static mlpot_status topology(const n2p2_settings *set, const nnp_model *m, int e, int *n_layers, int *size,
                             int *activation, mlpot_error *err)
{
    const char *symbol = mlpot_element_symbol(m->acsf.z[e]);
    const n2p2_entry *hl = n2p2_settings_find(set, "global_hidden_layers_short");
    const n2p2_entry *nodes = n2p2_settings_find(set, "global_nodes_short");
    const n2p2_entry *act = n2p2_settings_find(set, "global_activation_short");
    /* per-element overrides: "element_..._short El values" */
    for (int k = 0; k < set->n; ++k) {
        const n2p2_entry *en = &set->entries[k];
        if (strncmp(en->value, symbol, strlen(symbol)) || (en->value[strlen(symbol)] != ' ' && en->value[strlen(symbol)] != '\t'))
            continue;
        if (n2p2_settings_is(set, k, "element_hidden_layers_short")) hl = en;
        if (n2p2_settings_is(set, k, "element_nodes_short")) nodes = en;
        if (n2p2_settings_is(set, k, "element_activation_short")) act = en;
    }
    if (!hl || !nodes || !act)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the network of %s is not described (global_hidden_layers_short, "
                                                 "global_nodes_short, global_activation_short)",
                          set->path, symbol);
    char buf[1024];
    char *w[64];
    int skip = !strncmp(hl->keyword, "element", 7);
    snprintf(buf, sizeof buf, "%s", hl->value);
    int nw = split_fields(buf, w, 64);
    char *end;
    long hidden = nw > skip ? strtol(w[skip], &end, 10) : -1;
    if (nw <= skip || *end || hidden < 0 || hidden > 50)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: invalid number of hidden layers", set->path, hl->line);
    *n_layers = (int)hidden + 2;
    size[0] = m->acsf.elements[e].n;
    size[*n_layers - 1] = 1;
    skip = !strncmp(nodes->keyword, "element", 7);
    snprintf(buf, sizeof buf, "%s", nodes->value);
    nw = split_fields(buf, w, 64);
    if (nw - skip != hidden)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %d node counts for %ld hidden layers", set->path, nodes->line,
                          nw - skip, hidden);
    for (int l = 0; l < hidden; ++l) {
        long v = strtol(w[skip + l], &end, 10);
        if (*end || v < 1 || v > 100000)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: invalid node count '%s'", set->path, nodes->line, w[skip + l]);
        size[1 + l] = (int)v;
    }
    skip = !strncmp(act->keyword, "element", 7);
    snprintf(buf, sizeof buf, "%s", act->value);
    nw = split_fields(buf, w, 64);
    if (nw - skip != hidden + 1)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %d activation functions for %ld hidden layers and the output",
                          set->path, act->line, nw - skip, hidden);
    activation[0] = NN_IDENTITY;
    for (int l = 0; l <= hidden; ++l) {
        activation[1 + l] = nn_activation_from_letter(w[skip + l]);
        if (activation[1 + l] < 0)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: unknown activation function '%s' (l t s p r g c S e h)",
                              set->path, act->line, w[skip + l]);
    }
    return MLPOT_OK;
}

static int file_exists(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0;
}

mlpot_status mlpot_nnp_model_load(const char *folder, const mlpot_nnp_options *opt, nnp_model *m, mlpot_error *err)
{
    memset(m, 0, sizeof *m);
    char path[4096];
    snprintf(path, sizeof path, "%s/input.nn", folder);
    n2p2_settings set;
    mlpot_status st = n2p2_settings_read(path, &set, err);
    if (st) return st;
    if ((st = n2p2_settings_check_keywords(&set, err))) goto done;
    m->path = mlpot_strdup(folder);
    m->extrapolation_error = opt ? opt->extrapolation_error : 0;
    const n2p2_entry *e;
    if ((e = n2p2_settings_find(&set, "nnp_type")) && strtol(e->value, NULL, 10) != 2) {
        st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                        "%s:%ld: nnp_type %s: 4th-generation HDNNPs (charge equilibration, electrostatics) are "
                        "not supported yet; only short-range (2G) models",
                        path, e->line, e->value);
        goto done;
    }
    /* a 4G folder without the keyword would silently lose its electrostatics */
    for (int z = 1; z <= MLPOT_MAX_ELEMENT && !st; ++z) {
        char other[4200];
        snprintf(other, sizeof other, "%s/weightse.%03d.data", folder, z);
        char other2[4200];
        snprintf(other2, sizeof other2, "%s/hardness.%03d.data", folder, z);
        if (file_exists(other) || file_exists(other2))
            st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                            "%s: has electronegativity or hardness files (%s): a 4G-HDNNP, which is not "
                            "supported yet",
                            folder, file_exists(other) ? other : other2);
    }
    if (st) goto done;
    /* elements */
    const n2p2_entry *el_line = n2p2_settings_find(&set, "elements");
    const n2p2_entry *nel_line = n2p2_settings_find(&set, "number_of_elements");
    if (!el_line || !nel_line) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: 'elements' and 'number_of_elements' are required", path);
        goto done;
    }
    char elbuf[1024];
    char *symbols[MLPOT_MAX_ELEMENT + 1];
    snprintf(elbuf, sizeof elbuf, "%s", el_line->value);
    int n_el = split_fields(elbuf, symbols, MLPOT_MAX_ELEMENT + 1);
    if (n_el < 1 || n_el > MLPOT_MAX_ELEMENT || strtol(nel_line->value, NULL, 10) != n_el) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: number_of_elements %s but %d elements listed", path, nel_line->line,
                        nel_line->value, n_el);
        goto done;
    }
    /* cutoff type */
    int cutoff_type = 1;
    double alpha = 0.0;
    if ((e = n2p2_settings_find(&set, "cutoff_type"))) {
        char buf[256];
        char *w[4];
        snprintf(buf, sizeof buf, "%s", e->value);
        int nw = split_fields(buf, w, 4);
        double t = 0;
        if (nw < 1 || (st = number(&set, e, w[0], &t, err))) {
            if (!st) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: cutoff_type needs a value", path, e->line);
            goto done;
        }
        cutoff_type = (int)t;
        if (nw > 1 && (st = number(&set, e, w[1], &alpha, err))) goto done;
    }
    /* symmetry functions */
    acsf_line *lines = calloc((size_t)set.n + 1, sizeof *lines);
    int n_lines = 0;
    if (!lines) {
        st = mlpot_fail_memory(err, "reading input.nn");
        goto done;
    }
    for (int k = 0; k < set.n; ++k)
        if (n2p2_settings_is(&set, k, "symfunction_short")) lines[n_lines].text = set.entries[k].value, lines[n_lines++].line = set.entries[k].line;
    st = acsf_set_build(&m->acsf, (const char *const *)symbols, n_el, lines, n_lines, cutoff_type, alpha, path, err);
    free(lines);
    if (st) goto done;
    /* scaling */
    int scale = n2p2_settings_find(&set, "scale_symmetry_functions") != NULL;
    int center = n2p2_settings_find(&set, "center_symmetry_functions") != NULL;
    int sigma = n2p2_settings_find(&set, "scale_symmetry_functions_sigma") != NULL;
    m->scaling = scale && center ? NNP_SCALE_CENTER : scale ? NNP_SCALE : center ? NNP_CENTER : sigma ? NNP_SCALE_SIGMA : NNP_SCALE_NONE;
    m->smin = 0.0, m->smax = 1.0;
    if ((e = n2p2_settings_find(&set, "scale_min_short")) && (st = number(&set, e, e->value, &m->smin, err))) goto done;
    if ((e = n2p2_settings_find(&set, "scale_max_short")) && (st = number(&set, e, e->value, &m->smax, err))) goto done;
    if (m->scaling == NNP_SCALE_NONE || m->scaling == NNP_CENTER) m->smin = 0.0; /* no shift by smin */
    /* normalisation: all three keywords or none */
    const n2p2_entry *me = n2p2_settings_find(&set, "mean_energy"), *ce = n2p2_settings_find(&set, "conv_energy"),
                     *cl = n2p2_settings_find(&set, "conv_length");
    if ((me || ce || cl) && !(me && ce && cl)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: use all or none of mean_energy, conv_energy, conv_length", path);
        goto done;
    }
    if (me) {
        m->normalize = 1;
        if ((st = number(&set, me, me->value, &m->mean_energy, err)) || (st = number(&set, ce, ce->value, &m->conv_energy, err)) ||
            (st = number(&set, cl, cl->value, &m->conv_length, err)))
            goto done;
        if (!(m->conv_energy > 0) || !(m->conv_length > 0)) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: conv_energy and conv_length must be positive", path);
            goto done;
        }
    }
    /* per-element data */
    m->elements = calloc((size_t)n_el, sizeof *m->elements);
    if (!m->elements) {
        st = mlpot_fail_memory(err, "loading a model");
        goto done;
    }
    for (int k = 0; k < set.n && !st; ++k) {
        if (!n2p2_settings_is(&set, k, "atom_energy")) continue;
        char buf[256];
        char *w[4];
        snprintf(buf, sizeof buf, "%s", set.entries[k].value);
        double v = 0;
        if (split_fields(buf, w, 4) != 2) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atom_energy needs an element and an energy", path, set.entries[k].line);
            break;
        }
        int z = mlpot_element_number(w[0]);
        if (!z || m->acsf.index[z] < 0) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atom_energy for '%s', which is not in 'elements'", path,
                            set.entries[k].line, w[0]);
            break;
        }
        if (!(st = number(&set, &set.entries[k], w[1], &v, err))) m->elements[m->acsf.index[z]].offset = v;
    }
    int normalize_nodes = n2p2_settings_find(&set, "normalize_nodes") != NULL;
    for (int k = 0; k < n_el && !st; ++k) {
        nnp_element *el = &m->elements[k];
        int nsf = m->acsf.elements[k].n;
        el->gmin = calloc((size_t)nsf, sizeof(double)), el->gmax = calloc((size_t)nsf, sizeof(double));
        el->gmean = calloc((size_t)nsf, sizeof(double)), el->gsigma = calloc((size_t)nsf, sizeof(double));
        el->factor = calloc((size_t)nsf, sizeof(double)), el->shift = calloc((size_t)nsf, sizeof(double));
        if (!el->gmin || !el->gmax || !el->gmean || !el->gsigma || !el->factor || !el->shift) {
            st = mlpot_fail_memory(err, "loading a model");
            break;
        }
        for (int q = 0; q < nsf; ++q) el->gmin[q] = -INFINITY, el->gmax[q] = INFINITY;
        int n_layers = 0, size[64], activation[64];
        if ((st = topology(&set, m, k, &n_layers, size, activation, err))) break;
        st = nn_create(&el->net, n_layers, size, activation, normalize_nodes, err);
    }
    if (st) goto done;
    snprintf(path, sizeof path, "%s/scaling.data", folder);
    if (file_exists(path)) st = read_scaling(m, path, err);
    else if (m->scaling != NNP_SCALE_NONE)
        st = mlpot_fail(err, MLPOT_ERR_IO, "%s: missing (input.nn asks for scaled symmetry functions)", path);
    if (!st && (st = nnp_model_scaling_factors(m, err))) mlpot_error_prepend(err, "%s/scaling.data: ", folder);
    for (int k = 0; k < n_el && !st; ++k) {
        nnp_element *el = &m->elements[k];
        char arch[256];
        size_t used = 0;
        for (int l = 0; l < el->net.n_layers && used < sizeof arch; ++l)
            used += (size_t)snprintf(arch + used, sizeof arch - used, "%s%d", l ? "-" : "", el->net.size[l]);
        snprintf(path, sizeof path, "%s/weights.%03d.data", folder, m->acsf.z[k]);
        if (!st) st = read_weights(&el->net, path, arch, err);
    }
    /* weight files of elements the model does not list */
    DIR *d = st ? NULL : opendir(folder);
    struct dirent *de;
    while (d && !st && (de = readdir(d))) {
        int z;
        char tail[16];
        if (sscanf(de->d_name, "weights.%3d.dat%15s", &z, tail) == 2 && !strcmp(tail, "a") &&
            (z < 1 || z > MLPOT_MAX_ELEMENT || m->acsf.index[z] < 0))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s/%s: weights for element %d, which input.nn does not list", folder,
                            de->d_name, z);
    }
    if (d) closedir(d);
done:
    n2p2_settings_free(&set);
    if (st) nnp_model_free(m);
    return st;
}

static void nnp_destroy(void *state)
{
    nnp_model_free(state);
    free(state);
}

static void nnp_describe(const void *state, char *buf, size_t size)
{
    const nnp_model *m = state;
    size_t used = (size_t)snprintf(buf, size, "nnp: %s (n2p2 HDNNP, elements", m->path);
    for (int e = 0; e < m->acsf.n_elements && used < size; ++e)
        used += (size_t)snprintf(buf + used, size - used, " %s:%d SF", mlpot_element_symbol(m->acsf.z[e]), m->acsf.elements[e].n);
    if (used < size) snprintf(buf + used, size - used, ", cutoff %g)", m->acsf.rmax);
}

mlpot_status mlpot_nnp_load(const char *folder, const mlpot_nnp_options *opt, mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    nnp_model *m = calloc(1, sizeof *m);
    if (!m) return mlpot_fail_memory(err, "loading a model");
    mlpot_status st = mlpot_nnp_model_load(folder, opt, m, err);
    if (st) {
        free(m);
        return st;
    }
    return nnp_potential_from_model(m, out, err);
}

mlpot_status nnp_potential_from_model(nnp_model *m, mlpot_potential **out, mlpot_error *err)
{
    mlpot_potential_info info = {
        .style = "nnp",
        .cutoff = m->acsf.rmax,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                   MLPOT_OUT_ATOM_VIRIALS | MLPOT_OUT_EXTRAPOLATION,
        .needs_full_list = 1,
        .n_species = m->acsf.n_elements,
        .species = m->acsf.z,
    };
    static const mlpot_potential_ops ops = {nnp_compute, nnp_destroy, nnp_describe};
    return mlpot_potential_create(&ops, m, &info, out, err);
}
