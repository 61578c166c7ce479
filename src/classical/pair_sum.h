/* The driver shared by pair potentials E = ½ Σ_i Σ_j φ(r_ij).
 *
 * It walks the full neighbour list atom by atom: atom i takes half of each pair energy and the
 * whole force of its pairs on itself, F_i = Σ_j φ'(r) d_ij / r. Each pair is evaluated from both
 * sides, which costs a second evaluation of φ but leaves no scatter: every thread writes only
 * its own atoms, and results are identical for any number of threads.
 *
 * PAIR_FN(state, zi, zj, r, &phi, &dphi) returns 0 when the pair is out of range. It is a
 * static function known at the call site, so the compiler inlines it into the loop. */
#ifndef MLPOT_CLASSICAL_PAIR_SUM_H
#define MLPOT_CLASSICAL_PAIR_SUM_H

#include "mlpot/potential.h"
#include "potential/accumulate.h"

typedef int (*mlpot_pair_fn)(const void *state, int zi, int zj, double r, double *phi,
                             double *dphi);

static inline mlpot_status mlpot_pair_sum(const void *state, const mlpot_structure *s,
                                          const mlpot_neighbour_list *nl, unsigned request,
                                          mlpot_result *out, mlpot_pair_fn fn, mlpot_error *err)
{
    mlpot_local local;
    mlpot_status st = mlpot_local_init(&local, s->n_atoms, request, out, err);
    if (st) return st;
    const int n = s->n_atoms;
    const int want_forces = (request & MLPOT_OUT_FORCES) != 0;
#pragma omp parallel for schedule(dynamic, 64) if (n > 256)
    for (int i = 0; i < n; ++i) {
        const int zi = s->numbers[i];
        double e = 0.0, f[3] = {0, 0, 0}, w[9] = {0};
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            const double r = nl->distance[k];
            double phi, dphi;
            if (!fn(state, zi, s->numbers[nl->neighbour[k]], r, &phi, &dphi)) continue;
            const double *d = &nl->vector[3 * k];
            e += 0.5 * phi;
            double g[3] = {dphi * d[0] / r, dphi * d[1] / r, dphi * d[2] / r}; /* dφ/dd */
            if (want_forces)
                for (int a = 0; a < 3; ++a) f[a] += g[a];
            if (local.virial) { /* -½ d⊗g with g ∥ d: symmetric, six products */
                double h = 0.5 * dphi / r;
                w[0] -= h * d[0] * d[0], w[4] -= h * d[1] * d[1], w[8] -= h * d[2] * d[2];
                w[1] -= h * d[0] * d[1], w[2] -= h * d[0] * d[2], w[5] -= h * d[1] * d[2];
            }
        }
        w[3] = w[1], w[6] = w[2], w[7] = w[5];
        local.energy[i] = e;
        if (want_forces)
            for (int a = 0; a < 3; ++a) out->forces[3 * i + a] += f[a];
        if (local.virial)
            for (int q = 0; q < 9; ++q) local.virial[9 * i + q] = w[q];
    }
    mlpot_local_add_to_result(&local, request, out);
    mlpot_local_free(&local);
    return MLPOT_OK;
}

#endif
