/* Smooth particle-mesh Ewald: the reciprocal-space part of mlpot_electrostatics (pme.c). */
#ifndef MLPOT_LONGRANGE_PME_H
#define MLPOT_LONGRANGE_PME_H

#include "mlpot/ewald.h"

/* High orders need far coarser grids for the same error (pme.c's rule: at δ = 1e-5 order 8
 * takes a grid 2.5 times coarser per direction than order 5), and at the default δ of 1e-8 the
 * low orders need grids of 10⁷ points and more; bench_ewald finds order 7–8 the fastest at
 * 1e-5 force error. */
#define MLPOT_PME_DEFAULT_ORDER 8

/* The grid along each lattice vector of cell (rows) for splitting parameter alpha: p's explicit
 * pme_grid where given, otherwise the accuracy rule of pme.c (0 when cell is NULL). Fails on an order outside
 * 3..MLPOT_PME_MAX_ORDER, a grid smaller than the order, or one too large to allocate. */
mlpot_status mlpot_pme_grid_for(const mlpot_ewald_params *p, int order, double alpha,
                                const double cell[3][3], int grid[3], mlpot_error *err);

/* Reciprocal-space part with the setup's alpha, order and grid: adds the potential dE/dq to
 * phi[n], the forces to forces[3n] (or NULL) and the virial to virial[9] (or NULL). */
mlpot_status mlpot_pme_reciprocal(const mlpot_structure *s, const mlpot_ewald_setup *set,
                                  const double *q, double volume, double *phi, double *forces,
                                  double *virial, mlpot_error *err);

#endif
