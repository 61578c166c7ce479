/* The reciprocal-lattice vectors of an Ewald sum: one half of k-space (k and -k give the same
 * terms), 0 < |k| < k_c, k = n1 b1 + n2 b2 + n3 b3 with b_j = 2π (cell⁻¹ column j) and
 * n1 > 0, or n1 = 0 and (n2 > 0, or n2 = 0 and n3 > 0). Shared by the Ewald sum (ewald.c) and the
 * Coulomb matrix of charge equilibration (coulomb_matrix.c). */
#ifndef MLPOT_LONGRANGE_KVECTORS_H
#define MLPOT_LONGRANGE_KVECTORS_H

#include <stddef.h>

#include "mlpot/status.h"

typedef struct ewald_kvectors {
    size_t n;
    double *k;   /* [3n] */
    double *k2;  /* [n] |k|² */
    int *index;  /* [3n] n1 n2 n3 */
    int nmax[3]; /* |n_j| <= nmax[j] = ⌊k_c |a_j| / 2π⌋ (k·a_j = 2π n_j) */
    double b[3][3]; /* the reciprocal vectors b_j */
} ewald_kvectors;

/* cell: 3x3 row-major lattice vectors. Refuses more than 2000 vectors along a direction. */
mlpot_status ewald_kvectors_build(ewald_kvectors *kv, const double *cell, double kc, mlpot_error *err);
void ewald_kvectors_free(ewald_kvectors *kv);

#endif
