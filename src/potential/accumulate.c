#include "potential/accumulate.h"

#include <stdlib.h>

#include "core/error.h"
#include "core/memory.h"

mlpot_status mlpot_local_init(mlpot_local *local, int n_atoms, unsigned request, mlpot_error *err)
{
    local->n_atoms = n_atoms;
    local->energy = mlpot_calloc((size_t)n_atoms, sizeof(double));
    local->virial = NULL;
    if (request & (MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VIRIALS))
        local->virial = mlpot_calloc(9 * (size_t)n_atoms, sizeof(double));
    if (!local->energy || ((request & (MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VIRIALS)) && !local->virial)) {
        mlpot_local_free(local);
        return mlpot_fail_memory(err, "allocating per-atom work arrays");
    }
    return MLPOT_OK;
}

void mlpot_local_free(mlpot_local *local)
{
    free(local->energy);
    free(local->virial);
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
