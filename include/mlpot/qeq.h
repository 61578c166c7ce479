/* Charge equilibration (QEq) as a potential: environment-dependent charges of Gaussian width
 * that minimise the electrostatic energy for given electronegativities and hardnesses
 * (Rappé & Goddard 1991, with Gaussian charges as in the 4G-HDNNP of Ko et al. 2021):
 *
 *   E(x) = min_q  Σ_i (χ_i q_i + ½ J_i q_i²) + E_es(q, x)      subject to Σ_i q_i = Q,
 *
 * E_es the full electrostatic energy of Gaussian charges of widths σ_i (mlpot/ewald.h: Ewald in
 * periodic cells with the neutralising background, direct sums in open ones, self-energies
 * included). Per element: χ (eV/e), J (eV/e²), σ (Å). The charges solve a dense linear system
 * (LAPACK), so cost grows as N² in memory and N³ in time: for up to a few thousand atoms.
 * Forces: the minimum is stationary in q, so F = -∂E_es/∂x at the equilibrated charges
 * (Hellmann–Feynman); the virial likewise. Q is the structure's total charge
 * (MLPOT_LABEL_TOTAL_CHARGE, extxyz total_charge=), else params.total_charge (default 0). */
#ifndef MLPOT_QEQ_H
#define MLPOT_QEQ_H

#include "mlpot/ewald.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlpot_qeq_params {
    mlpot_ewald_params ewald; /* real-space cutoff, accuracy, α, k_c (the direct k-sum only) */
    int n_species;
    const int *species;       /* atomic numbers */
    const double *chi, *hardness, *width;
    double total_charge;      /* for structures without one */
} mlpot_qeq_params;

/* A "qeq" potential; outputs energy, forces, virial, per-atom energies and the charges. */
MLPOT_API mlpot_status mlpot_qeq_create(const mlpot_qeq_params *params, mlpot_potential **out,
                                        mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
