/* The fixed-charge Coulomb potential: Ewald or particle-mesh Ewald (periodic) or direct (open)
 * electrostatics of the structure's own charges, or of per-element charges, added to any other
 * potential. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/elements.h"
#include "mlpot/ewald.h"

typedef struct coulomb {
    mlpot_ewald_params ewald;
    int by_element;
    double charge[MLPOT_MAX_ELEMENT + 1];
} coulomb;

static mlpot_status coulomb_compute(const void *state, const mlpot_structure *s,
                                    const mlpot_neighbour_list *nl, unsigned request,
                                    mlpot_result *out, mlpot_error *err)
{
    const coulomb *c = state;
    double *q = NULL;
    const double *charges = s->charges;
    if (c->by_element) {
        q = mlpot_calloc((size_t)s->n_atoms + 1, sizeof *q);
        if (!q) return mlpot_fail_memory(err, "assigning charges");
        for (int i = 0; i < s->n_atoms; ++i) q[i] = c->charge[s->numbers[i]];
        charges = q;
    } else if (!(s->labels & MLPOT_LABEL_CHARGES)) {
        mlpot_fail(err, MLPOT_ERR_MISSING,
                   "coulomb: the structure has no charges (give per-atom charges in the input or "
                   "per-element charges as coulomb:charge.Na=1,charge.Cl=-1)");
        if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
        return MLPOT_ERR_MISSING;
    }
    mlpot_ewald_output eo;
    memset(&eo, 0, sizeof eo);
    eo.forces = (request & MLPOT_OUT_FORCES) ? out->forces : NULL;
    eo.atom_energies = (request & MLPOT_OUT_ATOM_ENERGIES) ? out->atom_energies : NULL;
    eo.want_virial = (request & MLPOT_OUT_VIRIAL) != 0;
    mlpot_status st = mlpot_electrostatics(&c->ewald, s, nl, charges, NULL, &eo, err);
    free(q);
    if (st) return st;
    out->energy += eo.energy;
    if (eo.want_virial)
        for (int k = 0; k < 9; ++k) out->virial[k] += eo.virial[k];
    return MLPOT_OK;
}

static void coulomb_describe(const void *state, char *buf, size_t size)
{
    const coulomb *c = state;
    char kspace[96] = "Ewald k-sum";
    const int *g = c->ewald.pme_grid;
    if (c->ewald.method == MLPOT_EWALD_PME && g[0] > 0)
        snprintf(kspace, sizeof kspace, "PME order %d, grid %d×%d×%d", c->ewald.pme_order, g[0], g[1], g[2]);
    else if (c->ewald.method == MLPOT_EWALD_PME)
        snprintf(kspace, sizeof kspace, "PME order %d, grid from the accuracy", c->ewald.pme_order);
    snprintf(buf, size, "coulomb: Ewald real-space cutoff %g Å, accuracy %g, %s, charges %s",
             c->ewald.real_cutoff, c->ewald.accuracy, kspace, c->by_element ? "per element" : "from the structure");
}

static void coulomb_destroy(void *state) { free(state); }

mlpot_status mlpot_coulomb_create(const mlpot_coulomb_params *params, mlpot_potential **out,
                                  mlpot_error *err)
{
    *out = NULL;
    mlpot_ewald_setup setup;
    mlpot_structure dummy;
    mlpot_structure_init(&dummy);
    mlpot_status st = mlpot_ewald_setup_for(&params->ewald, &dummy, &setup, err);
    if (st) return st;
    coulomb *c = calloc(1, sizeof *c);
    if (!c) return mlpot_fail_memory(err, "creating a coulomb potential");
    c->ewald = params->ewald;
    c->by_element = params->n_species > 0;
    for (int k = 0; k < params->n_species; ++k) {
        int z = params->species[k];
        if (z < 1 || z > MLPOT_MAX_ELEMENT) {
            free(c);
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "coulomb: invalid species %d", z);
        }
        c->charge[z] = params->charges[k];
    }
    mlpot_potential_info info = {
        .style = "coulomb",
        .cutoff = params->ewald.real_cutoff,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES,
        .needs_full_list = 1,
        .n_species = params->n_species,
        .species = params->species,
    };
    static const mlpot_potential_ops ops = {coulomb_compute, coulomb_destroy, coulomb_describe};
    return mlpot_potential_create(&ops, c, &info, out, err);
}
