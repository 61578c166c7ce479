/* The Coulomb matrix of Gaussian charges: the quadratic form behind charge equilibration.
 *
 * For unit Gaussian charges of widths σ_i (density ∝ exp(-r²/2σ²)) on the atoms of a structure,
 *   E(q) = ½ Σ_ij q_i A_ij q_j
 * is their full electrostatic energy, the self-energies k_e/(σ_i√π) on the diagonal included.
 *   open boundaries:  A_ij = k_e erf(r_ij/(√2γ_ij))/r_ij,  γ_ij = √(σ_i² + σ_j²)
 *   periodic (Ewald, η the screening width, α = 1/(√2η)):
 *     A_ij = k_e Σ_T' [erfc(r/(√2η)) - erfc(r/(√2γ_ij))]/r          real space, r = |x_j + T - x_i| < r_c
 *          + k_e (4π/V) Σ_{0<|k|<k_c} e^{-η²k²/2}/k² cos(k·(x_i - x_j))      reciprocal space
 *          + δ_ij k_e (1/(σ_i√π) - 2α/√π)                                   self terms
 *          - k_e π/(Vα²)                                                    neutralising background
 *   (Σ_T' skips T = 0 when i = j). The background makes the energy of a charged cell independent
 * of η and leaves equilibrated charges unchanged (a constant in every A_ij only shifts the
 * Lagrange multiplier of Σq = Q); for neutral cells it vanishes.
 *
 * Derivatives: the bilinear form B(a, b) = Σ_ij a_i A_ij b_j is differentiated with respect to
 * the positions (and to a homogeneous strain of positions and cell, for the virial), which is
 * all that forces need: ∂E/∂x = ½ ∂B(q, q)/∂x at fixed charges, and the response of equilibrated
 * charges enters as B(y, q) with y the adjoint solution (see models/nnp_4g.c, longrange/qeq.c).
 * η, r_c and k_c are held fixed, as every Ewald code does: the derivative is that of the
 * truncated sum actually evaluated. */
#ifndef MLPOT_LONGRANGE_COULOMB_MATRIX_H
#define MLPOT_LONGRANGE_COULOMB_MATRIX_H

#include <stddef.h>

#include "longrange/ewald_kolafa_perram.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"

typedef struct coulomb_matrix {
    int n, periodic;
    double coulomb;              /* k_e */
    ewald_splitting split;       /* periodic only */
    double volume, alpha;
    const mlpot_structure *s;    /* borrowed; positions must not change while in use */
    const double *sigma;         /* [n] borrowed */
    /* periodic: every pair image closer than max(r_c, pair_cutoff) once: i < j with any image
     * shift, and i == j (an atom and its own image) with shifts of one half of the lattice
     * (the other half mirrors them); open: every pair i < j; d = x_j + T - x_i */
    size_t n_pairs, pair_capacity;
    int *pi, *pj;
    double *pd, *pr;             /* [3 n_pairs] d, [n_pairs] |d| */
    double *g, *dg;              /* [n_pairs] kernel (real-space part when periodic) and g'(r)/r */
    size_t nk;
    double *k;                   /* [3 nk] half of k-space */
    double *kcoef;               /* [nk] 2 k_e (4π/V) e^{-η²k²/2}/k² (the factor 2: ±k) */
    double *cosk, *sink;         /* [n nk] cos, sin(k·x_i), row i contiguous */
    double *sf;                  /* [4 nk] structure factors of the last bilinear form */
} coulomb_matrix;

/* Prepares the matrix for s (periodic in all three directions, or open). pair_cutoff > 0 makes
 * the periodic pair list reach at least that far (for callers that need pairs, e.g. screening).
 * split is ignored for open structures. */
mlpot_status coulomb_matrix_setup(coulomb_matrix *cm, const mlpot_structure *s, const double *sigma,
                                  double coulomb, const ewald_splitting *split, double pair_cutoff,
                                  mlpot_error *err);
void coulomb_matrix_free(coulomb_matrix *cm);

/* Writes the symmetric n×n matrix A into a (row i at a + i·lda). */
mlpot_status coulomb_matrix_fill(const coulomb_matrix *cm, double *a, int lda, mlpot_error *err);

/* Adds scale·∂B(a,b)/∂x_i to grad[3n] and, when virial is not NULL, -scale·∂B(a,b)/∂ε to virial[9]
 * (the virial convention W = -∂E/∂ε of mlpot_result, so W = Σ r⊗f for pair terms). Uses cm's
 * scratch: one call at a time per matrix. */
void coulomb_matrix_bilinear_derivatives(const coulomb_matrix *cm, const double *a, const double *b, double scale,
                                         double *grad, double *virial);

/* The erf(r/(√2γ))/r kernel of two Gaussian charges (without k_e) and its derivative / r. */
void coulomb_gaussian_kernel(double r, double gamma, double *g, double *dg_over_r);

#endif
