/* Atom-centred symmetry functions behind the descriptor interface (mlpot/acsf.h): the set of
 * acsf_set.h, optionally scaled as an n2p2 model's networks see it (acsf_scaling.h).
 *
 * Atoms are independent, so every loop runs over atoms in parallel, each thread writing only its
 * atom's rows; back-propagation first stores every entry's dE/dd and then gathers forces through
 * the reverse-pair index, so the results do not depend on the thread count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/neighbours_internal.h"
#include "descriptors/acsf_scaling.h"
#include "descriptors/acsf_set.h"
#include "io/n2p2_settings.h"
#include "mlpot/acsf.h"
#include "potential/accumulate.h"

typedef struct acsf_descriptor {
    acsf_set set;
    acsf_scaling scaling;
    int scaled;
} acsf_descriptor;

static int acsf_n_features(const void *state, int z)
{
    const acsf_descriptor *d = state;
    if (z < 1 || z > MLPOT_MAX_ELEMENT || d->set.index[z] < 0) return 0;
    return d->set.elements[d->set.index[z]].n;
}

static mlpot_status acsf_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                 unsigned flags, mlpot_features *out, mlpot_error *err)
{
    const acsf_descriptor *d = state;
    const int n = s->n_atoms;
    int *counts = malloc(((size_t)n + 1) * sizeof *counts);
    if (!counts) return mlpot_fail_memory(err, "computing symmetry functions");
    for (int i = 0; i < n; ++i) counts[i] = acsf_n_features(d, s->numbers[i]);
    const int jacobian = (flags & MLPOT_FEATURES_GRADIENTS) != 0;
    mlpot_status st = mlpot_features_prepare(out, counts, n, nl, flags, err);
    free(counts);
    if (st) return st;
    const size_t work_doubles = acsf_work_size(&d->set, mlpot_neighbour_max_entries(nl)) / sizeof(double) + 1;
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 32)
    {
        double *work = malloc(work_doubles * sizeof *work);
        if (!work) failed = 1;
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            const int e = d->set.index[s->numbers[i]];
            const int nf = d->set.elements[e].n;
            double *G = out->values + out->offsets[i];
            double *J = jacobian ? out->gradients + out->gradient_offsets[i] : NULL;
            acsf_atom(&d->set, e, s, nl, i, ACSF_VALUES | (jacobian ? ACSF_JACOBIAN : 0), G, J, NULL, NULL, work, NULL);
            if (!d->scaled) continue;
            const acsf_scaling_element *sc = &d->scaling.elements[e];
            acsf_scaling_apply(&d->scaling, e, nf, G, G);
            const size_t row = 3 * (nl->offsets[i + 1] - nl->offsets[i]);
            for (int k = 0; J && k < nf; ++k)
                for (size_t c = 0; c < row; ++c) J[(size_t)k * row + c] *= sc->factor[k];
        }
        free(work);
    }
    return failed ? mlpot_fail_memory(err, "computing symmetry functions") : MLPOT_OK;
}

static mlpot_status acsf_backprop(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                  const double *dE_dG, double *forces, double *atom_virials, mlpot_error *err)
{
    const acsf_descriptor *d = state;
    const int n = s->n_atoms;
    const int *reverse = NULL;
    int *owned = NULL;
    mlpot_status st = mlpot_neighbour_reverse_view(nl, &reverse, &owned, err);
    if (st) return st;
    size_t *offsets = malloc(((size_t)n + 1) * sizeof *offsets);
    double *grad = malloc((3 * nl->n_pairs + 3) * sizeof *grad);
    if (!offsets || !grad) {
        free(offsets), free(grad), free(owned);
        return mlpot_fail_memory(err, "back-propagating symmetry functions");
    }
    offsets[0] = 0; /* dE_dG is laid out like the features' values */
    for (int i = 0; i < n; ++i) offsets[i + 1] = offsets[i] + (size_t)acsf_n_features(d, s->numbers[i]);
    const size_t work_doubles = acsf_work_size(&d->set, mlpot_neighbour_max_entries(nl)) / sizeof(double) + 1;
    int failed = 0;
#pragma omp parallel reduction(|| : failed) if (n > 32)
    {
        double *work = malloc((work_doubles + (size_t)d->set.max_functions) * sizeof *work);
        if (!work) failed = 1;
#pragma omp for schedule(dynamic, 8)
        for (int i = 0; i < n; ++i) {
            if (failed) continue;
            const int e = d->set.index[s->numbers[i]];
            const int nf = d->set.elements[e].n;
            const double *weights = dE_dG + offsets[i];
            if (d->scaled) { /* dE/dG_raw = dE/dG̃ · factor */
                double *raw = work + work_doubles;
                for (int k = 0; k < nf; ++k) raw[k] = weights[k] * d->scaling.elements[e].factor[k];
                weights = raw;
            }
            const size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first;
            double *gi = &grad[3 * first];
            memset(gi, 0, 3 * count * sizeof *gi);
            acsf_atom(&d->set, e, s, nl, i, ACSF_BACKPROP, NULL, NULL, weights, gi, work, NULL);
            if (atom_virials)
                for (size_t k = 0; k < count; ++k)
                    mlpot_virial_add(&atom_virials[9 * (size_t)i], &nl->vector[3 * (first + k)], &gi[3 * k], 1.0);
        }
        free(work);
    }
    if (!failed && forces) {
#pragma omp parallel for schedule(static) if (n > 256)
        for (int i = 0; i < n; ++i)
            for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
                for (int a = 0; a < 3; ++a) forces[3 * i + a] += grad[3 * k + a] - grad[3 * (size_t)reverse[k] + a];
    }
    free(offsets), free(grad), free(owned);
    return failed ? mlpot_fail_memory(err, "back-propagating symmetry functions") : MLPOT_OK;
}

static void acsf_describe(const void *state, char *buf, size_t size)
{
    const acsf_descriptor *d = state;
    size_t used = (size_t)snprintf(buf, size, "acsf: n2p2 symmetry functions%s, elements", d->scaled ? " (scaled)" : "");
    for (int e = 0; e < d->set.n_elements && used < size; ++e)
        used += (size_t)snprintf(buf + used, size - used, " %s:%d", mlpot_element_symbol(d->set.z[e]), d->set.elements[e].n);
    if (used < size) snprintf(buf + used, size - used, ", cutoff %g", d->set.rmax);
}

static void acsf_destroy(void *state)
{
    acsf_descriptor *d = state;
    if (!d) return;
    acsf_scaling_free(&d->scaling);
    acsf_set_free(&d->set);
    free(d);
}

/* Takes the settings (freed here) and makes the descriptor; `folder` (may be NULL) holds the
 * scaling.data of scaled features. */
static mlpot_status from_settings(n2p2_settings *settings, const char *folder, const mlpot_acsf_options *opt,
                                  mlpot_descriptor **out, mlpot_error *err)
{
    acsf_descriptor *d = calloc(1, sizeof *d);
    mlpot_status st = d ? MLPOT_OK : mlpot_fail_memory(err, "loading symmetry functions");
    if (!st) st = n2p2_settings_check(settings, opt && opt->ignore_unknown_keywords, err);
    if (!st) st = acsf_set_from_settings(settings, &d->set, err);
    if (!st && opt && opt->scaled) {
        char path[4200];
        snprintf(path, sizeof path, "%s/scaling.data", folder ? folder : ".");
        d->scaled = 1;
        if (!(st = acsf_scaling_read(&d->scaling, &d->set, settings, path, err)) && d->scaling.type == ACSF_SCALE_NONE)
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                            "%s: the settings ask for no scaling (no scale_symmetry_functions, "
                            "center_symmetry_functions or scale_symmetry_functions_sigma), so scaled features "
                            "would be the raw ones; leave the scaled option off",
                            settings->path);
    }
    n2p2_settings_free(settings);
    if (st) {
        if (d) acsf_set_free(&d->set), acsf_scaling_free(&d->scaling), free(d);
        return st;
    }
    static const mlpot_descriptor_ops ops = {acsf_n_features, acsf_compute, acsf_backprop, acsf_describe, acsf_destroy};
    mlpot_descriptor_info info = {.style = "acsf", .cutoff = d->set.rmax, .n_species = d->set.n_elements, .species = d->set.z};
    return mlpot_descriptor_create(&ops, d, &info, out, err);
}

mlpot_status mlpot_acsf_load(const char *path, const mlpot_acsf_options *options, mlpot_descriptor **out,
                             mlpot_error *err)
{
    *out = NULL;
    char folder[4096], file[4200];
    struct stat info;
    snprintf(folder, sizeof folder, "%s", path);
    if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
        snprintf(file, sizeof file, "%s/input.nn", folder);
    } else { /* a settings file: its scaling.data lies beside it */
        snprintf(file, sizeof file, "%s", path);
        char *slash = strrchr(folder, '/');
        if (slash) *slash = '\0';
        else snprintf(folder, sizeof folder, ".");
    }
    n2p2_settings s;
    mlpot_status st = n2p2_settings_read(file, &s, err);
    if (st) return st;
    return from_settings(&s, folder, options, out, err);
}

mlpot_status mlpot_acsf_parse(const char *settings, mlpot_descriptor **out, mlpot_error *err)
{
    *out = NULL;
    n2p2_settings s;
    mlpot_status st = n2p2_settings_parse(settings, "settings", &s, err);
    if (st) return st;
    return from_settings(&s, NULL, NULL, out, err);
}

mlpot_status mlpot_acsf_describe_feature(const mlpot_descriptor *d, int z, int k, char *buf, size_t size,
                                         mlpot_error *err)
{
    if (!d || strcmp(mlpot_descriptor_style(d), "acsf"))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "descriptor '%s' is not ACSF", d ? mlpot_descriptor_style(d) : "(null)");
    const acsf_descriptor *a = mlpot_descriptor_state(d);
    const int e = z >= 1 && z <= MLPOT_MAX_ELEMENT ? a->set.index[z] : -1;
    if (e < 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the symmetry functions define no element Z=%d", z);
    if (k < 0 || k >= a->set.elements[e].n)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "element %s has %d symmetry functions; there is no function %d",
                          mlpot_element_symbol(z), a->set.elements[e].n, k + 1);
    acsf_set_describe_function(&a->set, e, k, buf, size);
    return MLPOT_OK;
}
