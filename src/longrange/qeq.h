/* Charge equilibration (QEq) with Gaussian charges and a total-charge constraint.
 *
 * The charges minimise
 *   E_QEq(q) = Σ_i χ_i q_i + ½ Σ_i J_i q_i² + ½ qᵀ A q     subject to Σ_i q_i = Q,
 * A the Coulomb matrix of Gaussian charges (coulomb_matrix.h), χ the electronegativities and J
 * the hardnesses. The minimum solves the bordered system
 *   [A + diag J  1] [q]   [-χ]
 *   [1ᵀ          0] [λ] = [ Q]
 * (λ the Lagrange multiplier), factored once by LAPACK's symmetric-indefinite Bunch–Kaufman
 * (dsytrf). The same factors solve the adjoint system M [y; μ] = [c; 0] that carries a
 * derivative c = ∂E/∂q of any energy through the charges: Σ_i c_i dq_i = -yᵀ (dχ + dA q),
 * the response term of forces when χ depends on the positions (4G-HDNNP). For fixed χ
 * the minimum is stationary in q and the force is ∂E_QEq/∂x at fixed charges (Hellmann–Feynman). */
#ifndef MLPOT_LONGRANGE_QEQ_H
#define MLPOT_LONGRANGE_QEQ_H

#include "longrange/coulomb_matrix.h"
#include "mlpot/status.h"

typedef struct qeq_solver {
    int n;
    double *a;      /* [n n] the Coulomb matrix A (without J) */
    double *m;      /* [(n+1)²] the factored bordered matrix */
    int *pivots;    /* [n+1] */
    double rcond;   /* reciprocal condition number estimate of the bordered matrix */
} qeq_solver;

/* Builds A from cm, factors the bordered matrix with hardness[i] (per atom) and solves for q
 * (and *lambda, may be NULL). A singular or numerically singular matrix (rcond < 1e-15) is an
 * error. */
mlpot_status qeq_solve(qeq_solver *qs, const coulomb_matrix *cm, const double *chi, const double *hardness,
                       double total_charge, double *q, double *lambda, mlpot_error *err);

/* The same for a Coulomb matrix already filled (a, n×n row-major, copied): training keeps A of
 * each structure and solves again as the electronegativities and hardnesses change. */
mlpot_status qeq_solve_matrix(qeq_solver *qs, int n, const double *a, const double *chi, const double *hardness,
                              double total_charge, double *q, double *lambda, mlpot_error *err);

/* phi = A q: ∂(½ qᵀA q)/∂q, the Coulomb potential at each atom (after qeq_solve). */
void qeq_coulomb_potential(const qeq_solver *qs, const double *q, double *phi);

/* Solves the adjoint system for c[n]: y[n] (μ dropped). */
mlpot_status qeq_adjoint(const qeq_solver *qs, const double *c, double *y, mlpot_error *err);

/* Solves the adjoint system for n_rhs right-hand sides at once: c is (n+1)×n_rhs row-major,
 * rows 0..n-1 the right-hand sides (row n is set to 0), overwritten by the solutions (row n:
 * the multipliers). */
mlpot_status qeq_adjoint_many(const qeq_solver *qs, double *c, int n_rhs, mlpot_error *err);

void qeq_solver_free(qeq_solver *qs);

#endif
