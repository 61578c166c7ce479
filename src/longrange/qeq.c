/* Charge equilibration: the bordered linear system and its adjoint (see qeq.h). */
#include "longrange/qeq.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"

void qeq_solver_free(qeq_solver *qs)
{
    if (!qs) return;
    free(qs->a);
    free(qs->m);
    free(qs->pivots);
    memset(qs, 0, sizeof *qs);
}

/* Factors the bordered matrix built from qs->a and the hardnesses and solves for q. */
static mlpot_status factor_and_solve(qeq_solver *qs, const double *chi, const double *hardness, double total_charge,
                                     double *q, double *lambda, mlpot_error *err)
{
    const int n = qs->n, nb = n + 1;
    double *rhs = malloc((size_t)nb * sizeof *rhs);
    if (!rhs) return mlpot_fail_memory(err, "solving the charge equilibration");
    mlpot_status st = MLPOT_OK;
    for (int i = 0; i < n; ++i) {
        memcpy(&qs->m[(size_t)i * nb], &qs->a[(size_t)i * n], (size_t)n * sizeof *qs->m);
        qs->m[(size_t)i * nb + i] += hardness[i];
        qs->m[(size_t)i * nb + n] = 1.0;
        qs->m[(size_t)n * nb + i] = 1.0;
        rhs[i] = -chi[i];
    }
    qs->m[(size_t)n * nb + n] = 0.0;
    rhs[n] = total_charge;
    const double norm = LAPACKE_dlansy(LAPACK_ROW_MAJOR, '1', 'U', nb, qs->m, nb);
    lapack_int info = LAPACKE_dsytrf(LAPACK_ROW_MAJOR, 'U', nb, qs->m, nb, qs->pivots);
    if (info < 0) {
        st = mlpot_fail(err, MLPOT_ERR_NUMERIC, "charge equilibration: LAPACK dsytrf failed (%d)", (int)info);
        goto done;
    }
    if (info == 0) info = LAPACKE_dsycon(LAPACK_ROW_MAJOR, 'U', nb, qs->m, nb, qs->pivots, norm, &qs->rcond);
    if (info > 0 || !(qs->rcond >= 1e-15)) {
        st = mlpot_fail(err, MLPOT_ERR_NUMERIC,
                        "charge equilibration: the QEq matrix of %d atoms is singular (reciprocal condition number "
                        "%.3g); check the hardnesses (zero or negative?) and overlapping atoms",
                        n, info > 0 ? 0.0 : qs->rcond);
        goto done;
    }
    if ((info = LAPACKE_dsytrs(LAPACK_ROW_MAJOR, 'U', nb, 1, qs->m, nb, qs->pivots, rhs, 1))) {
        st = mlpot_fail(err, MLPOT_ERR_NUMERIC, "charge equilibration: LAPACK dsytrs failed (%d)", (int)info);
        goto done;
    }
    memcpy(q, rhs, (size_t)n * sizeof *q);
    if (lambda) *lambda = rhs[n];
done:
    free(rhs);
    return st;
}

static mlpot_status allocate(qeq_solver *qs, int n, mlpot_error *err)
{
    const int nb = n + 1;
    memset(qs, 0, sizeof *qs);
    qs->n = n;
    qs->a = malloc((size_t)n * n * sizeof *qs->a + 1);
    qs->m = malloc((size_t)nb * nb * sizeof *qs->m);
    qs->pivots = malloc((size_t)nb * sizeof *qs->pivots);
    if (qs->a && qs->m && qs->pivots) return MLPOT_OK;
    qeq_solver_free(qs);
    return mlpot_fail_memory(err, "solving the charge equilibration");
}

mlpot_status qeq_solve(qeq_solver *qs, const coulomb_matrix *cm, const double *chi, const double *hardness,
                       double total_charge, double *q, double *lambda, mlpot_error *err)
{
    mlpot_status st = allocate(qs, cm->n, err);
    if (!st) st = coulomb_matrix_fill(cm, qs->a, cm->n, err);
    if (!st) st = factor_and_solve(qs, chi, hardness, total_charge, q, lambda, err);
    if (st) qeq_solver_free(qs);
    return st;
}

mlpot_status qeq_solve_matrix(qeq_solver *qs, int n, const double *a, const double *chi, const double *hardness,
                              double total_charge, double *q, double *lambda, mlpot_error *err)
{
    mlpot_status st = allocate(qs, n, err);
    if (!st) memcpy(qs->a, a, (size_t)n * n * sizeof *qs->a);
    if (!st) st = factor_and_solve(qs, chi, hardness, total_charge, q, lambda, err);
    if (st) qeq_solver_free(qs);
    return st;
}

void qeq_coulomb_potential(const qeq_solver *qs, const double *q, double *phi)
{
    /* row by row in a fixed order rather than BLAS dsymv, whose threaded reductions round
     * differently with the thread count (training promises the same numbers for any count);
     * O(n²) beside the O(n³) factorisation */
    const size_t n = (size_t)qs->n;
    for (size_t i = 0; i < n; ++i) {
        const double *row = qs->a + i * n;
        double sum = 0.0;
        for (size_t j = 0; j < n; ++j) sum += row[j] * q[j];
        phi[i] = sum;
    }
}

mlpot_status qeq_adjoint(const qeq_solver *qs, const double *c, double *y, mlpot_error *err)
{
    const int n = qs->n, nb = n + 1;
    double *rhs = malloc((size_t)nb * sizeof *rhs);
    if (!rhs) return mlpot_fail_memory(err, "solving the charge-response equations");
    memcpy(rhs, c, (size_t)n * sizeof *rhs);
    rhs[n] = 0.0;
    lapack_int info = LAPACKE_dsytrs(LAPACK_ROW_MAJOR, 'U', nb, 1, qs->m, nb, qs->pivots, rhs, 1);
    if (!info) memcpy(y, rhs, (size_t)n * sizeof *y);
    free(rhs);
    return info ? mlpot_fail(err, MLPOT_ERR_NUMERIC, "charge equilibration: LAPACK dsytrs failed (%d)", (int)info)
                : MLPOT_OK;
}

mlpot_status qeq_adjoint_many(const qeq_solver *qs, double *c, int n_rhs, mlpot_error *err)
{
    const int nb = qs->n + 1;
    memset(c + (size_t)qs->n * n_rhs, 0, (size_t)n_rhs * sizeof *c);
    lapack_int info = LAPACKE_dsytrs(LAPACK_ROW_MAJOR, 'U', nb, n_rhs, qs->m, nb, qs->pivots, c, n_rhs);
    return info ? mlpot_fail(err, MLPOT_ERR_NUMERIC, "charge equilibration: LAPACK dsytrs failed (%d)", (int)info)
                : MLPOT_OK;
}
