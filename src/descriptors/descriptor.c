/* The descriptor handle and the feature container shared by ACSF and SOAP. */
#include "mlpot/descriptor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/elements.h"

struct mlpot_descriptor {
    mlpot_descriptor_ops ops;
    void *state;
    char *style;
    double cutoff;
    int n_species;
    int *species;
};

void mlpot_features_init(mlpot_features *f)
{
    memset(f, 0, sizeof *f);
}

void mlpot_features_free(mlpot_features *f)
{
    if (!f) return;
    free(f->offsets);
    free(f->values);
    free(f->gradient_offsets);
    free(f->gradients);
    mlpot_features_init(f);
}

mlpot_status mlpot_features_prepare(mlpot_features *f, const int *n_features_per_atom,
                                    int n_atoms, const mlpot_neighbour_list *nl, unsigned flags,
                                    mlpot_error *err)
{
    if (n_atoms + 1 > f->atom_capacity || !f->offsets || !f->gradient_offsets) {
        size_t *o = mlpot_realloc(f->offsets, (size_t)n_atoms + 1, sizeof *o);
        if (o) f->offsets = o;
        size_t *g = mlpot_realloc(f->gradient_offsets, (size_t)n_atoms + 1, sizeof *g);
        if (g) f->gradient_offsets = g;
        if (!o || !g) return mlpot_fail_memory(err, "sizing descriptor features");
        f->atom_capacity = n_atoms + 1;
    }
    f->n_atoms = n_atoms;
    f->flags = flags;
    f->offsets[0] = 0;
    f->gradient_offsets[0] = 0;
    for (int i = 0; i < n_atoms; ++i) {
        size_t nf = (size_t)n_features_per_atom[i];
        f->offsets[i + 1] = f->offsets[i] + nf;
        size_t entries = (flags & MLPOT_FEATURES_GRADIENTS) ? nl->offsets[i + 1] - nl->offsets[i] : 0;
        f->gradient_offsets[i + 1] = f->gradient_offsets[i] + nf * entries * 3;
    }
    size_t nv = f->offsets[n_atoms], ng = f->gradient_offsets[n_atoms];
    if (nv > f->value_capacity || !f->values) {
        double *v = mlpot_realloc(f->values, nv + 1, sizeof *v);
        if (!v) return mlpot_fail_memory(err, "storing descriptor values");
        f->values = v;
        f->value_capacity = nv;
    }
    memset(f->values, 0, nv * sizeof *f->values);
    if (flags & MLPOT_FEATURES_GRADIENTS) {
        if (ng > f->gradient_capacity || !f->gradients) {
            double *g = mlpot_realloc(f->gradients, ng + 1, sizeof *g);
            if (!g)
                return mlpot_fail(err, MLPOT_ERR_MEMORY,
                                  "out of memory storing %zu descriptor derivatives (%.1f GB)", ng,
                                  (double)ng * 8e-9);
            f->gradients = g;
            f->gradient_capacity = ng;
        }
        memset(f->gradients, 0, ng * sizeof *f->gradients);
    }
    return MLPOT_OK;
}

mlpot_status mlpot_descriptor_create(const mlpot_descriptor_ops *ops, void *state,
                                     const mlpot_descriptor_info *info, mlpot_descriptor **out,
                                     mlpot_error *err)
{
    *out = NULL;
    if (!ops || !ops->compute || !ops->n_features || !info || !(info->cutoff > 0)) {
        if (ops && ops->destroy) ops->destroy(state);
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "invalid descriptor definition");
    }
    mlpot_descriptor *d = calloc(1, sizeof *d);
    int *species = info->n_species > 0 ? mlpot_calloc((size_t)info->n_species, sizeof *species) : NULL;
    char *style = mlpot_strdup(info->style ? info->style : "descriptor");
    if (!d || (info->n_species > 0 && !species) || !style) {
        free(d);
        free(species);
        free(style);
        if (ops->destroy) ops->destroy(state);
        return mlpot_fail_memory(err, "creating a descriptor");
    }
    if (info->n_species > 0) memcpy(species, info->species, (size_t)info->n_species * sizeof *species);
    d->ops = *ops;
    d->state = state;
    d->style = style;
    d->cutoff = info->cutoff;
    d->n_species = info->n_species > 0 ? info->n_species : 0;
    d->species = species;
    *out = d;
    return MLPOT_OK;
}

void mlpot_descriptor_free(mlpot_descriptor *d)
{
    if (!d) return;
    if (d->ops.destroy) d->ops.destroy(d->state);
    free(d->species);
    free(d->style);
    free(d);
}

const char *mlpot_descriptor_style(const mlpot_descriptor *d) { return d->style; }
double mlpot_descriptor_cutoff(const mlpot_descriptor *d) { return d->cutoff; }
const void *mlpot_descriptor_state(const mlpot_descriptor *d) { return d ? d->state : NULL; }

int mlpot_descriptor_n_features(const mlpot_descriptor *d, int z)
{
    return d->ops.n_features(d->state, z);
}

static mlpot_status check_input(const mlpot_descriptor *d, const mlpot_structure *s,
                                const mlpot_neighbour_list *nl, mlpot_error *err)
{
    if (nl->n_atoms != s->n_atoms)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "neighbour list and structure differ in size");
    if (nl->flags & MLPOT_NEIGHBOURS_HALF)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "descriptor '%s' needs a full neighbour list",
                          d->style);
    if (s->n_atoms > 0 && nl->cutoff + nl->skin < d->cutoff)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "neighbour list reaches %g Å but descriptor '%s' needs %g Å",
                          nl->cutoff + nl->skin, d->style, d->cutoff);
    for (int i = 0; i < s->n_atoms; ++i) {
        int z = s->numbers[i], ok = d->n_species == 0;
        for (int k = 0; k < d->n_species && !ok; ++k) ok = d->species[k] == z;
        if (!ok) {
            const char *sym = mlpot_element_symbol(z);
            mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                       "atom %d is %s (Z=%d), which descriptor '%s' does not handle", i + 1,
                       sym ? sym : "?", z, d->style);
            if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
            return MLPOT_ERR_UNSUPPORTED;
        }
    }
    return MLPOT_OK;
}

mlpot_status mlpot_descriptor_compute(const mlpot_descriptor *d, const mlpot_structure *s,
                                      const mlpot_neighbour_list *nl, unsigned flags,
                                      mlpot_features *out, mlpot_error *err)
{
    mlpot_status st = check_input(d, s, nl, err);
    if (st) return st;
    return d->ops.compute(d->state, s, nl, flags, out, err);
}

mlpot_status mlpot_descriptor_backprop(const mlpot_descriptor *d, const mlpot_structure *s,
                                       const mlpot_neighbour_list *nl, const double *dE_dG,
                                       double *forces, double *atom_virials, mlpot_error *err)
{
    if (!d->ops.backprop)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "descriptor '%s' has no backpropagation",
                          d->style);
    mlpot_status st = check_input(d, s, nl, err);
    if (st) return st;
    return d->ops.backprop(d->state, s, nl, dE_dG, forces, atom_virials, err);
}
