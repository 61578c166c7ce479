/* Electrostatics of point or Gaussian charges: Ewald summation in any triclinic cell, direct
 * sums for open boundaries, and a fixed-charge "coulomb" potential that adds to any other.
 *
 * Energy (eV) with k_e = e²/(4πε₀) = MLPOT_COULOMB_EV_ANGSTROM, charges in e:
 *   point charges:     E = ½ Σ_i Σ_j' k_e q_i q_j / r_ij                 (all images, j ≠ i in
 *                                                                       the home cell)
 *   Gaussian charges:  E = ½ Σ_i Σ_j' k_e q_i q_j erf(r_ij / (√2 γ_ij)) / r_ij
 *                        + Σ_i k_e q_i² / (2√π σ_i),   γ_ij = √(σ_i² + σ_j²),
 *                      i.e. the full electrostatic energy of Gaussian charge clouds of width
 *                      σ_i, self-energies included.
 * A periodic cell with net charge Q gets the uniform neutralising background, which adds
 * -k_e π Q² / (2 V α²) (the usual Ewald convention; the energy then does not depend on α).
 *
 * Ewald splitting: real space erfc(α r)/r up to r_c, reciprocal space for |k| < k_c, with
 * α = sqrt(-ln δ)/r_c and k_c = 2α sqrt(-ln δ) chosen from a relative accuracy δ unless
 * given explicitly.
 *
 * The reciprocal part is either the direct sum over k-vectors (O(N^1.5) at the best cutoff) or
 * smooth particle-mesh Ewald (Essmann et al., J. Chem. Phys. 103, 8577 (1995); O(N log N)):
 * charges spread on a grid with cardinal B-splines of order p, one FFT, the influence function
 * with the B-spline moduli, and forces, virial and dE/dq that are the exact derivatives of the
 * PME energy. The grid spacing follows from δ and α unless given (see src/longrange/pme.c);
 * PME is the faster from about 200 ions on (bench/README.md). */
#ifndef MLPOT_EWALD_H
#define MLPOT_EWALD_H

#include "mlpot/export.h"
#include "mlpot/neighbours.h"
#include "mlpot/potential.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlpot_ewald_method {
    MLPOT_EWALD_DIRECT_K = 0, /* reciprocal sum over the k-vectors |k| < k_c */
    MLPOT_EWALD_PME = 1       /* smooth particle-mesh Ewald */
} mlpot_ewald_method;

typedef struct mlpot_ewald_params {
    double real_cutoff;   /* r_c, Å (required for periodic cells) */
    double accuracy;      /* δ, relative; used when alpha or kspace_cutoff are 0 (default 1e-8) */
    double alpha;         /* splitting parameter, 1/Å; 0: sqrt(-ln δ)/r_c */
    double kspace_cutoff; /* k_c, 1/Å; 0: 2α sqrt(-ln δ) (direct k-sum only) */
    int method;           /* mlpot_ewald_method (default MLPOT_EWALD_DIRECT_K) */
    int pme_order;        /* PME B-spline order p, 3..MLPOT_PME_MAX_ORDER (default 8) */
    int pme_grid[3];      /* PME grid points along a, b, c; 0: from δ, α and the order */
    /* > 0: Kolafa–Perram instead (direct k-sum): δ is the RMS force error (eV/Å) estimated for N
     * charges up to this magnitude in volume V, r_c stays, α and k_c follow per structure (n2p2's
     * `ewald_prec δ q_max r_c`; longrange/ewald_kolafa_perram.h) */
    double max_charge;
} mlpot_ewald_params;

#define MLPOT_PME_MAX_ORDER 12

/* What to compute; arrays are caller-owned, sized for the structure, and ADDED to. */
typedef struct mlpot_ewald_output {
    double energy;
    double *forces;      /* [3n] or NULL */
    double virial[9];    /* filled when want_virial */
    int want_virial;
    double *potential;   /* [n] dE/dq_i (eV/e) or NULL: the electrostatic potential at i */
    double *atom_energies; /* [n] or NULL: ½ q_i φ_i split (plus self terms) */
} mlpot_ewald_output;

/* Parameters actually used for a structure (α, k_c and the number of k-vectors). */
typedef struct mlpot_ewald_setup {
    double alpha, real_cutoff, kspace_cutoff;
    long n_kvectors; /* half space (k and -k counted once) */
    int method;      /* mlpot_ewald_method */
    int pme_order;
    int pme_grid[3]; /* resolved for the structure's cell (0 when it has none) */
} mlpot_ewald_setup;

MLPOT_API void mlpot_ewald_params_default(mlpot_ewald_params *p);

/* Resolves α and k_c, and for PME the order and grid (when s has a periodic cell), for a
 * structure. */
MLPOT_API mlpot_status mlpot_ewald_setup_for(const mlpot_ewald_params *p, const mlpot_structure *s,
                                             mlpot_ewald_setup *setup, mlpot_error *err);

/* Electrostatics of the charges q (and Gaussian widths σ, or NULL for point charges) on s.
 * A structure periodic in all three directions uses Ewald with the neighbour list nl (full,
 * built with at least real_cutoff); an open structure uses the direct sum (nl ignored, may be
 * NULL). Partly periodic structures are refused. out->energy and the arrays are added to. */
MLPOT_API mlpot_status mlpot_electrostatics(const mlpot_ewald_params *p, const mlpot_structure *s,
                                            const mlpot_neighbour_list *nl, const double *q,
                                            const double *sigma, mlpot_ewald_output *out,
                                            mlpot_error *err);

/* A fixed-charge Coulomb potential: charges from the structure's charges label, or per element
 * when n_species > 0. */
typedef struct mlpot_coulomb_params {
    mlpot_ewald_params ewald;
    int n_species;
    const int *species;
    const double *charges;
} mlpot_coulomb_params;
MLPOT_API mlpot_status mlpot_coulomb_create(const mlpot_coulomb_params *params,
                                            mlpot_potential **out, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
