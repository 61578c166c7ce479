/* Vectorised symmetry-function kernels over the neighbours of one atom (acsf_radial.c,
 * acsf_angular.c): the fast path for values and back-propagation of the exponential types.
 * The Jacobian and the compact types go through the general code of acsf_kernels.c. */
#ifndef MLPOT_DESCRIPTORS_ACSF_VECTOR_H
#define MLPOT_DESCRIPTORS_ACSF_VECTOR_H

#include <stddef.h>

#include "descriptors/acsf_set.h"

/* neighbours k processed together by the angular kernel; a multiple of the widest vector
 * (AVX-512: 8 doubles) */
#define ACSF_LANES 8

/* The group's neighbours of one atom as arrays: displacement, distance, cutoff value and
 * derivative, element weight (atomic number for the weighted types, else 1), element index,
 * entry index in the atom's list, and E[e * m + u] = exp(-η_e (r_u - r_s,e)²) for each distinct
 * (η, r_s) of an angular group. Neighbours of element e1 come before those of e2 (first_of_e2
 * marks the boundary). */
typedef struct acsf_neighbours {
    int m, first_of_e2;
    const double *x, *y, *z, *r, *fc, *dfc, *z_weight, *E;
    const int *el, *entry;
} acsf_neighbours;

/* f, df = cutoff and its derivative at the n distances r. */
void acsf_cutoff_array(const acsf_cutoff *cut, int n, const double *r, double *f, double *df);

/* E[e * m + u] = exp(-η_e (r_u - r_s,e)²) for the n_exp pairs (η, r_s). */
void acsf_exp_factors(int n_exp, const double *eta, const double *rs, int m, const double *r, double *E);

/* Radial types 2 and 12 of a group: values added to G, and/or Σ_g w_g dG_g/dd added to grad
 * (indexed by entry; vec are the atom's entry displacements). work: 2 m doubles. */
void acsf_exp_radial(const acsf_element *el, const acsf_group *g, const acsf_neighbours *nb, unsigned mode,
                     double *G, const double *weights, double *grad, const double *vec, double *work);

/* Angular types 3, 9 and 13 of a group, likewise; cache carries per-pair values from the values
 * pass to the back-propagation pass of the same atom. */
size_t acsf_angular_work_size(size_t m, size_t n_fn);
void acsf_exp_angular(const acsf_element *el, const acsf_group *g, const acsf_cutoff *cut,
                      const acsf_neighbours *nb, unsigned mode, double *G, const double *weights,
                      double *grad, double *work, acsf_cache *cache);

#endif
