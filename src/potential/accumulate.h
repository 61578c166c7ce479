/* Helpers for potential implementations: per-atom work arrays that make every sum
 * deterministic. Each atom's energy and virial are computed by the thread that owns the atom;
 * the totals are then summed in atom order, so results do not depend on the thread count. */
#ifndef MLPOT_POTENTIAL_ACCUMULATE_H
#define MLPOT_POTENTIAL_ACCUMULATE_H

#include "mlpot/potential.h"

typedef struct mlpot_local {
    int n_atoms;
    double *energy; /* [n] local energies */
    double *virial; /* [9n] local virials, NULL unless a virial output was requested */
} mlpot_local;

/* Zeroed local arrays for a request, taken from the result's scratch buffers (slots 0, 1). */
mlpot_status mlpot_local_init(mlpot_local *local, int n_atoms, unsigned request, mlpot_result *out,
                              mlpot_error *err);
/* Releases nothing (the buffers stay with the result); kept so call sites read symmetrically. */
void mlpot_local_free(mlpot_local *local);

/* Adds the local arrays into the result for the requested outputs, summing in atom order. */
void mlpot_local_add_to_result(const mlpot_local *local, unsigned request, mlpot_result *out);

/* w += -scale · d ⊗ g (row-major 3x3): the virial of a gradient g = dE/dd of a pair vector d. */
static inline void mlpot_virial_add(double *w, const double d[3], const double g[3], double scale)
{
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) w[3 * a + b] -= scale * d[a] * g[b];
}

#endif
