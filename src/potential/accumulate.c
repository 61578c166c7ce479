#include "potential/accumulate.h"

#include <stdlib.h>

#include "core/error.h"
#include "core/memory.h"
#include "potential/potential_internal.h"

mlpot_status mlpot_local_init(mlpot_local *local, int n_atoms, unsigned request, mlpot_result *out,
                              mlpot_error *err)
{
    local->n_atoms = n_atoms;
    local->energy = mlpot_result_scratch(out, 0, (size_t)n_atoms * sizeof(double), 1);
    local->virial = NULL;
    int want_virial = (request & (MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VIRIALS)) != 0;
    if (want_virial) local->virial = mlpot_result_scratch(out, 1, 9 * (size_t)n_atoms * sizeof(double), 1);
    if (!local->energy || (want_virial && !local->virial))
        return mlpot_fail_memory(err, "allocating per-atom work arrays");
    return MLPOT_OK;
}

void mlpot_local_free(mlpot_local *local)
{
    local->energy = local->virial = NULL;
}

void mlpot_local_add_to_result(const mlpot_local *local, unsigned request, mlpot_result *out)
{
    int n = local->n_atoms;
    if (request & MLPOT_OUT_ENERGY) {
        double e = 0.0;
        for (int i = 0; i < n; ++i) e += local->energy[i];
        out->energy += e;
    }
    if (request & MLPOT_OUT_ATOM_ENERGIES)
        for (int i = 0; i < n; ++i) out->atom_energies[i] += local->energy[i];
    if ((request & MLPOT_OUT_VIRIAL) && local->virial) {
        double w[9] = {0};
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < 9; ++k) w[k] += local->virial[9 * i + k];
        for (int k = 0; k < 9; ++k) out->virial[k] += w[k];
    }
    if ((request & MLPOT_OUT_ATOM_VIRIALS) && local->virial)
        for (size_t k = 0; k < 9 * (size_t)n; ++k) out->atom_virials[k] += local->virial[k];
}
