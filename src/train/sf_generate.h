/* Symmetry-function sets generated from the elements of a data set and a cutoff, in the
 * manner of n2p2's nnp-sfparamgen:
 *   radial (type 2), for every central and neighbour element: n_radial Gaussians on a
 *     "shifted" grid, centres r_s = r_lower + k Δ (k = 0 .. n-1, Δ = (r_c - r_lower) / n) with
 *     widths Δ (η = 1 / (2 Δ²)), so the grid covers [r_lower, r_c) evenly;
 *   angular (type 3 narrow or 9 wide), for every central element and neighbour pair: a
 *     "centred" grid of n_eta widths (r_s = 0, η = 1 / (2 r_k²) for r_k evenly spaced in
 *     (0, r_c]), or with angular_shifted the radial kind of grid of n_eta centres r_s and widths
 *     Δ (nnp-sfparamgen's shifted mode); every ζ of the list and λ = ±1.
 * All with the model's cutoff function (type and α). */
#ifndef MLPOT_TRAIN_SF_GENERATE_H
#define MLPOT_TRAIN_SF_GENERATE_H

#include <stddef.h>

#include "mlpot/status.h"
#include "mlpot/structure.h"

typedef struct sf_grid {
    double cutoff, r_lower;
    int n_radial, n_eta, angular_type, angular_shifted;
    int n_zetas;
    double zetas[8];
} sf_grid;

/* The definitions ("El 2 El2 eta rs rc", ...) as newly allocated lines in *lines (count in
 * *n); free each and the array. elements: atomic numbers. */
mlpot_status sf_generate(const sf_grid *grid, const int *elements, int n_elements, char ***lines, int *n,
                         mlpot_error *err);

/* model.radial_r_lower: auto. The inner edge that puts the closest pair the data sample on the
 * grid's second centre, one spacing Δ = (cutoff - r_lower) / n_radial above the first:
 * r_lower = (n_radial·closest - cutoff) / (n_radial - 1), at least 0 (a single radial function
 * sits on the closest pair). A function centred much
 * below the closest pair is nearly zero on every training atom, so its scaling spans almost
 * nothing and a slightly closer pair later reads as far outside the training range (Zuo et al.'s
 * Ni with r_lower 0.5 Å: five of 16 functions below its closest pair, 1.80 Å); one centred on
 * the closest pair itself is narrow there and swings as widely (Mo, one network over 9 epochs:
 * validation forces up to 0.26 eV/Å, against 0.09 with r_lower 1.7 Å; bench/README.md). */
double sf_auto_r_lower(double closest, double cutoff, int n_radial);

/* The shortest interatomic distance (lattice images included) within cutoff over the
 * structures, or cutoff when no pair is that close. */
mlpot_status sf_closest_pair(const mlpot_structure *const *structures, size_t n, double cutoff, double *closest,
                             mlpot_error *err);

#endif
