/* distance_2b pairs: descriptor value and covariance cutoff of a pair at distance r. */
#ifndef MLPOT_MODELS_GAP_PAIR_H
#define MLPOT_MODELS_GAP_PAIR_H

#include "models/gap_model.h"

/* x[q] = r^exponent_q (dx_dr[q] its derivative, when not NULL); returns the covariance cutoff
 * c(r) = f_c(r)·tail(r) and its derivative in *dc_dr (when not NULL). */
double gap_pair_eval(const gap_pair_params *p, double r, double *x, double *dx_dr, double *dc_dr);

/* Whether the pair of atomic numbers (zi, zj) belongs to the descriptor (either order). */
static inline int gap_pair_matches(const gap_pair_params *p, int zi, int zj)
{
    int i1 = !p->z1 || zi == p->z1, i2 = !p->z2 || zi == p->z2;
    int j1 = !p->z1 || zj == p->z1, j2 = !p->z2 || zj == p->z2;
    return (i1 && j2) || (i2 && j1);
}

#endif
