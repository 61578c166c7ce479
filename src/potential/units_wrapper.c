/* A potential evaluated in other units than eV and Å (e.g. an n2p2 model fitted in Hartree
 * and Bohr). Each call scales the structure and neighbour list into the model's units, lets
 * the model compute, and scales the outputs back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "potential/potential_internal.h"

typedef struct units_state {
    mlpot_potential *inner;
    mlpot_energy_unit eu;
    mlpot_length_unit lu;
    double energy, length; /* size of the model's units in eV and Å */
} units_state;

static mlpot_status units_compute(const void *state, const mlpot_structure *s,
                                  const mlpot_neighbour_list *nl, unsigned request,
                                  mlpot_result *out, mlpot_error *err)
{
    const units_state *u = state;
    const double inv_l = 1.0 / u->length;
    size_t n = (size_t)s->n_atoms, np = nl->n_pairs;
    double *positions = mlpot_calloc(3 * n + 1, sizeof *positions);
    double *vector = mlpot_calloc(3 * np + 1, sizeof *vector);
    double *distance = mlpot_calloc(np + 1, sizeof *distance);
    mlpot_result inner;
    mlpot_result_init(&inner);
    mlpot_status st = MLPOT_OK;
    if (!positions || !vector || !distance) {
        st = mlpot_fail_memory(err, "converting units");
        goto done;
    }
    /* Shallow copies: only the length-carrying arrays are replaced. */
    mlpot_structure t = *s;
    for (size_t k = 0; k < 3 * n; ++k) positions[k] = s->positions[k] * inv_l;
    t.positions = positions;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) t.cell[a][b] = s->cell[a][b] * inv_l;
    mlpot_neighbour_list m = *nl;
    for (size_t k = 0; k < 3 * np; ++k) vector[k] = nl->vector[k] * inv_l;
    for (size_t k = 0; k < np; ++k) distance[k] = nl->distance[k] * inv_l;
    m.vector = vector;
    m.distance = distance;
    m.cutoff = nl->cutoff * inv_l;
    m.skin = nl->skin * inv_l;
    if ((st = mlpot_result_prepare(&inner, s->n_atoms, request, err))) goto done;
    if ((st = u->inner->ops.compute(u->inner->state, &t, &m, request, &inner, err))) goto done;
    const double e = u->energy, f = u->energy / u->length, e2 = u->energy * u->energy;
    if (request & MLPOT_OUT_ENERGY) out->energy += e * inner.energy;
    if (request & MLPOT_OUT_ENERGY_VARIANCE) out->energy_variance += e2 * inner.energy_variance;
    if (request & MLPOT_OUT_VIRIAL)
        for (int k = 0; k < 9; ++k) out->virial[k] += e * inner.virial[k];
    for (size_t i = 0; i < n; ++i) {
        if (request & MLPOT_OUT_FORCES)
            for (int a = 0; a < 3; ++a) out->forces[3 * i + a] += f * inner.forces[3 * i + a];
        if (request & MLPOT_OUT_ATOM_ENERGIES) out->atom_energies[i] += e * inner.atom_energies[i];
        if (request & MLPOT_OUT_ATOM_VIRIALS)
            for (int a = 0; a < 9; ++a) out->atom_virials[9 * i + a] += e * inner.atom_virials[9 * i + a];
        if (request & MLPOT_OUT_ATOM_VARIANCES) out->atom_variances[i] += e2 * inner.atom_variances[i];
        if (request & MLPOT_OUT_CHARGES) out->charges[i] += inner.charges[i];
        if (request & MLPOT_OUT_EXTRAPOLATION) out->atom_extrapolations[i] += inner.atom_extrapolations[i];
    }
done:
    free(positions);
    free(vector);
    free(distance);
    mlpot_result_free(&inner);
    return st;
}

static void units_destroy(void *state)
{
    units_state *u = state;
    if (!u) return;
    mlpot_potential_free(u->inner);
    free(u);
}

static void units_describe(const void *state, char *buf, size_t size)
{
    const units_state *u = state;
    char inner[512];
    mlpot_potential_describe(u->inner, inner, sizeof inner);
    snprintf(buf, size, "%s, in %s and %s", inner, mlpot_energy_unit_name(u->eu),
             mlpot_length_unit_name(u->lu));
}

mlpot_status mlpot_potential_with_units(mlpot_potential *inner, mlpot_energy_unit eu,
                                        mlpot_length_unit lu, mlpot_potential **out,
                                        mlpot_error *err)
{
    *out = NULL;
    units_state *u = calloc(1, sizeof *u);
    if (!u) {
        mlpot_potential_free(inner);
        return mlpot_fail_memory(err, "wrapping a potential in units");
    }
    u->inner = inner;
    u->eu = eu;
    u->lu = lu;
    u->energy = mlpot_energy_unit_in_ev(eu);
    u->length = mlpot_length_unit_in_angstrom(lu);
    mlpot_potential_info info = {
        .style = inner->style,
        .cutoff = inner->cutoff * u->length,
        .outputs = inner->outputs,
        .needs_full_list = inner->needs_full_list,
        .n_species = inner->n_species,
        .species = inner->species,
    };
    static const mlpot_potential_ops ops = {units_compute, units_destroy, units_describe};
    return mlpot_potential_create(&ops, u, &info, out, err);
}
