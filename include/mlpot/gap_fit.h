/* Fitting Gaussian Approximation Potentials: sparse Gaussian-process regression on SOAP (and
 * distance_2b) descriptors, trained jointly on total energies, forces and virials, as QUIP's
 * gap_fit does, so that gap_fit's settings carry over.
 *
 * The model (mlpot/gap.h): E = Σ_atoms e0(Z) + Σ_descriptors Σ_instances c·Σ_s α_s k(x, x_s).
 * With y the labels (energies minus e0, forces, virials), L the linear map from the local
 * kernel functions to the labels (sums for energies, minus derivatives for forces, the strain
 * derivative for virials), K_NM = L k(·, x_s) and Σ the diagonal label noise, the
 * projected-process (DTC) weights are
 *     α = (K_MM + K_MN Σ⁻¹ K_NM)⁻¹ K_MN Σ⁻¹ y,
 * obtained as the least-squares solution of [Σ^{-1/2} K_NM ; U] α ≈ [Σ^{-1/2} y ; 0] with
 * UᵀU = K_MM + jitter·I, by a Householder QR (LAPACK), which is stable where the normal
 * equations are not; the condition number of the triangular factor is reported.
 *
 * Settings, in gap_fit's syntax:
 *   gap:  descriptors separated by ':', each a QUIP descriptor string with its fit keys, e.g.
 *         "distance_2b cutoff=5.0 covariance_type=ard_se delta=2.0 theta_uniform=0.5
 *          n_sparse=15 sparse_method=uniform :
 *          soap cutoff=5.0 n_max=8 l_max=6 atom_sigma=0.5 zeta=4 delta=0.2
 *          covariance_type=dot_product n_sparse=400 sparse_method=cur_points"
 *         Per descriptor: delta (δ, eV), zeta (dot_product), theta_uniform (ard_se, Å),
 *         f0 (default 0), n_sparse, sparse_method = random | uniform (distance_2b) |
 *         cur_points (leverage-score sampling of the descriptor matrix) | fps (farthest point
 *         sampling) | all (every instance: kernel ridge regression), add_species (default T:
 *         one descriptor per centre species, soap, or per species pair, distance_2b, when the
 *         string names none).
 *   default_sigma: noise of energies (eV per atom), forces (eV/Å), virials (eV per atom), as
 *         gap_fit's default_sigma with sigma_per_atom=T (energy and virial noise grow as √N);
 *   config_type_sigma: "type:σE:σF:σV:type2:..." overrides per config_type (per atom as
 *         default_sigma); per-structure overrides from the info keys energy_sigma, force_sigma,
 *         virial_sigma, absolute (eV, eV/Å, eV: not scaled by √N), as gap_fit reads them; the
 *         info key config_weight (mlpot_structure.weight) multiplies the frame's rows' weights;
 *   e0: given per element, else by e0_method: isolated (isolated-atom frames: one atom,
 *         open boundaries or config_type isolated_atom), average (gap_fit's e0_method=average:
 *         the mean energy per atom of the frames, the same for every element), fit (least
 *         squares on the composition), or auto (isolated when every element has one, else fit).
 *   sparse_file=PATH in a descriptor: its sparse points are the instances listed there (1-based
 *         indices, whitespace-separated, into the descriptor's instances in frame order, atom
 *         order, then neighbour-list order for distance_2b pairs).
 *   sparse_jitter: added to the diagonal of K_MM (gap_fit's, absolute). */
#ifndef MLPOT_GAP_FIT_H
#define MLPOT_GAP_FIT_H

#include <stddef.h>

#include "mlpot/elements.h"
#include "mlpot/export.h"
#include "mlpot/potential.h"
#include "mlpot/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mlpot_gap_e0_method { MLPOT_GAP_E0_AUTO, MLPOT_GAP_E0_ISOLATED, MLPOT_GAP_E0_AVERAGE, MLPOT_GAP_E0_FIT };

typedef struct mlpot_gap_fit_options {
    const char *gap;                /* descriptors, see above (required) */
    double sigma_energy;            /* eV per atom (default 0.001) */
    double sigma_force;             /* eV/Å (default 0.1) */
    double sigma_virial;            /* eV per atom (default 0.05) */
    const char *config_type_sigma;  /* may be NULL */
    int use_energies, use_forces, use_virials; /* labels to fit when present (default 1) */
    int e0_method;                  /* enum mlpot_gap_e0_method (default auto) */
    int n_e0;                       /* given e0: n_e0 pairs (e0_z[k], e0[k]) */
    int e0_z[MLPOT_MAX_ELEMENT];
    double e0[MLPOT_MAX_ELEMENT];
    double sparse_jitter;           /* added to K_MM's diagonal (default 1e-10) */
    unsigned long long seed;        /* every random choice (sparse points) */
    double variance_regularisation; /* of the fitted potential's variance (default 1e-3) */
} mlpot_gap_fit_options;

MLPOT_API void mlpot_gap_fit_options_default(mlpot_gap_fit_options *o);

typedef struct mlpot_gap_fit_report {
    int n_frames;
    size_t n_energies, n_forces, n_virials; /* label rows fitted (components) */
    int n_descriptors;
    int n_sparse[16];               /* per descriptor (first 16) */
    size_t n_instances[16];         /* candidate instances per descriptor */
    int e0_method;                  /* the method that gave e0 (enum mlpot_gap_e0_method) */
    double e0[MLPOT_MAX_ELEMENT + 1];
    double condition_number;        /* of the least-squares system (1-norm estimate) */
    double seconds_descriptors, seconds_sparse, seconds_matrix, seconds_solve;
    size_t matrix_bytes;            /* the least-squares matrix */
} mlpot_gap_fit_report;

/* Fits a GAP to frames[0..n) and returns it as a potential of style "gap" (save it with
 * mlpot_gap_save). Every setting and every label is checked before the expensive part: an
 * unknown key, a value out of range, more sparse points than instances, no labels to fit,
 * an element without isolated atom or composition to give its e0 fail naming what is wrong.
 * report may be NULL. */
MLPOT_API mlpot_status mlpot_gap_fit(const mlpot_structure *const *frames, size_t n,
                                     const mlpot_gap_fit_options *options,
                                     mlpot_potential **out, mlpot_gap_fit_report *report,
                                     mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
