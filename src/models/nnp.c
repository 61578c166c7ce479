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
#include "models/nnp_model.h"
#include "potential/accumulate.h"
#include "potential/potential_internal.h"

/* --- shared by the 2G and 4G evaluations ------------------------------------------------- */

void nnp_gather_forces(const mlpot_neighbour_list *nl, const int *reverse, const double *grad, const double *extra,
                       double *forces)
{
    const int n = nl->n_atoms;
#pragma omp parallel for schedule(static) if (n > 256)
    for (int i = 0; i < n; ++i) {
        double f[3] = {0, 0, 0};
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            const double *g = &grad[3 * k], *h = &grad[3 * (size_t)reverse[k]];
            for (int a = 0; a < 3; ++a) f[a] += g[a] - h[a];
        }
        for (int a = 0; a < 3; ++a) forces[3 * i + a] += f[a] - (extra ? extra[3 * i + a] : 0.0);
    }
}

mlpot_status nnp_extrapolation_check(const nnp_model *m, const mlpot_structure *s, const int *extrapolated,
                                     mlpot_error *err)
{
    int first = -1, count = 0;
    for (int i = 0; i < s->n_atoms; ++i)
        if (extrapolated[i]) {
            if (first < 0) first = i;
            ++count;
        }
    if (!count) return MLPOT_OK;
    mlpot_status st = mlpot_fail(err, MLPOT_ERR_NUMERIC,
                                 "nnp %s: the model extrapolates: %d atom%s with symmetry functions outside the range "
                                 "of scaling.data (first: atom %d (%s, %d functions)); `mlpot eval` writes every "
                                 "atom's count, mlpot_nnp_extrapolations lists the functions",
                                 m->path, count, count == 1 ? "" : "s", first + 1,
                                 mlpot_element_symbol(s->numbers[first]), extrapolated[first]);
    if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
    return st;
}

/* --- compute ------------------------------------------------------------------------------- */

static mlpot_status nnp_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                unsigned request, mlpot_result *out, mlpot_error *err)
{
    const nnp_model *m = state;
    if (m->generation == 4) return nnp_4g_compute(m, s, nl, request, out, err);
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
    size_t max_entries = mlpot_neighbour_max_entries(nl), max_fn = 0, max_nn = 0;
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        if ((size_t)m->acsf.elements[e].n > max_fn) max_fn = (size_t)m->acsf.elements[e].n;
        if (nn_scratch_size(&m->nets[e]) > max_nn) max_nn = nn_scratch_size(&m->nets[e]);
    }
    const double energy_scale = nnp_energy_scale(m);
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
            const nn *net = &m->nets[e];
            const double *factor = m->scaling.elements[e].factor;
            memset(G, 0, (size_t)ae->n * sizeof *G);
            acsf_atom(&m->acsf, e, s, nl, i, ACSF_VALUES, G, NULL, NULL, NULL, work, &cache);
            if (!cache.valid && cache.used > cache.capacity) { /* room for the next atoms */
                double *bigger = realloc(cache.data, (cache.used + cache.used / 4) * sizeof *bigger);
                if (bigger) cache.data = bigger, cache.capacity = cache.used + cache.used / 4;
            }
            extrapolated[i] = acsf_scaling_apply(&m->scaling, e, ae->n, G, Gs);
            double output = nn_forward(net, Gs, values, derivs);
            local.energy[i] = output * energy_scale + nnp_energy_shift(m, e);
            if (!want_grad) continue;
            nn_input_gradient(net, values, derivs, dEdG, scratch);
            for (int k = 0; k < ae->n; ++k) dEdG[k] *= factor[k] * energy_scale; /* dE/dG raw */
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
    if (!st && (request & MLPOT_OUT_FORCES)) nnp_gather_forces(nl, reverse, grad, NULL, out->forces);
    if (!st && m->extrapolation_error) st = nnp_extrapolation_check(m, s, extrapolated, err);
    if (!st && (request & MLPOT_OUT_EXTRAPOLATION))
        for (int i = 0; i < n; ++i) out->atom_extrapolations[i] += extrapolated[i];
    if (!st) mlpot_local_add_to_result(&local, request, out);
    mlpot_local_free(&local);
    free(owned);
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
    size_t used = (size_t)snprintf(buf, size, "nnp: %s (n2p2 %s, elements", m->path,
                                   m->generation == 4 ? "4G-HDNNP with charge equilibration" : "HDNNP");
    for (int e = 0; e < m->acsf.n_elements && used < size; ++e)
        used += (size_t)snprintf(buf + used, size - used, " %s:%d SF", mlpot_element_symbol(m->acsf.z[e]), m->acsf.elements[e].n);
    if (used < size) snprintf(buf + used, size - used, ", cutoff %g)", m->acsf.rmax);
}

mlpot_status mlpot_nnp_load(const char *folder, const mlpot_nnp_options *opt, mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    nnp_model *m = calloc(1, sizeof *m);
    if (!m) return mlpot_fail_memory(err, "loading a model");
    mlpot_status st = nnp_model_load(folder, opt, m, err);
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
        /* a 4G model's reciprocal-space terms have no per-atom virial */
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                   MLPOT_OUT_EXTRAPOLATION |
                   (m->generation == 4 ? MLPOT_OUT_CHARGES : MLPOT_OUT_ATOM_VIRIALS),
        .needs_full_list = 1,
        .n_species = m->acsf.n_elements,
        .species = m->acsf.z,
    };
    static const mlpot_potential_ops ops = {nnp_compute, nnp_destroy, nnp_describe};
    return mlpot_potential_create(&ops, m, &info, out, err);
}

/* The model behind p, or an error when p is not an n2p2 model (also when wrapped in units). */
static mlpot_status model_of(const mlpot_potential *p, const nnp_model **m, mlpot_error *err)
{
    const char *style = p ? mlpot_potential_style(p) : NULL;
    if (!p || p->ops.compute != nnp_compute) /* also an nnp wrapped into other units: not its own state */
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "potential '%s' is not an n2p2 model (load it as a plain FOLDER specification, without "
                          "units or sums, to inspect its symmetry functions)",
                          style ? style : "(null)");
    *m = p->state;
    return MLPOT_OK;
}

mlpot_status mlpot_nnp_describe_function(const mlpot_potential *p, int z, int k, char *buf, size_t size,
                                         mlpot_error *err)
{
    const nnp_model *m = NULL;
    mlpot_status st = model_of(p, &m, err);
    if (st) return st;
    int e = z >= 1 && z <= MLPOT_MAX_ELEMENT ? m->acsf.index[z] : -1;
    if (e < 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the model has no element Z=%d", z);
    if (k < 0 || k >= m->acsf.elements[e].n)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "element %s has %d symmetry functions; there is no function %d",
                          mlpot_element_symbol(z), m->acsf.elements[e].n, k + 1);
    acsf_set_describe_function(&m->acsf, e, k, buf, size);
    return MLPOT_OK;
}

mlpot_status mlpot_nnp_extrapolations(const mlpot_potential *p, const mlpot_structure *s,
                                      mlpot_nnp_extrapolation **records, size_t *count, mlpot_error *err)
{
    *records = NULL;
    *count = 0;
    const nnp_model *m = NULL;
    mlpot_status st = model_of(p, &m, err);
    if (st) return st;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    if ((st = mlpot_neighbour_list_build(&nl, s, m->acsf.rmax, 0.0, MLPOT_NEIGHBOURS_FULL, err)) ||
        (st = mlpot_potential_check_request(p, s, &nl, MLPOT_OUT_ENERGY, err))) {
        mlpot_neighbour_list_free(&nl);
        return st;
    }
    const size_t work_doubles = acsf_work_size(&m->acsf, mlpot_neighbour_max_entries(&nl)) / sizeof(double) + 1;
    double *work = malloc((work_doubles + (size_t)m->acsf.max_functions) * sizeof *work);
    mlpot_nnp_extrapolation *list = NULL;
    size_t n = 0, capacity = 0;
    if (!work) st = mlpot_fail_memory(err, "listing extrapolations");
    /* serial and in atom order: a diagnostic, run once per structure of interest */
    for (int i = 0; i < s->n_atoms && !st; ++i) {
        const int e = m->acsf.index[s->numbers[i]];
        const int nf = m->acsf.elements[e].n;
        double *G = work + work_doubles;
        memset(G, 0, (size_t)nf * sizeof *G);
        acsf_atom(&m->acsf, e, s, &nl, i, ACSF_VALUES, G, NULL, NULL, NULL, work, NULL);
        for (int k = 0; k < nf && !st; ++k) {
            if (!acsf_scaling_outside(&m->scaling, e, k, G[k])) continue;
            if (n == capacity) {
                size_t bigger = capacity ? 2 * capacity : 16;
                mlpot_nnp_extrapolation *grown = realloc(list, bigger * sizeof *grown);
                if (!grown) {
                    st = mlpot_fail_memory(err, "listing extrapolations");
                    break;
                }
                list = grown, capacity = bigger;
            }
            list[n++] = (mlpot_nnp_extrapolation){i, k, G[k], m->scaling.elements[e].gmin[k],
                                                  m->scaling.elements[e].gmax[k]};
        }
    }
    free(work);
    mlpot_neighbour_list_free(&nl);
    if (st) {
        free(list);
        return st;
    }
    *records = list;
    *count = n;
    return MLPOT_OK;
}
