/* Charge equilibration: the bordered linear system and its adjoint (see qeq.h). */
#include "longrange/qeq.h"

#include <cblas.h>
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

mlpot_status qeq_solve(qeq_solver *qs, const coulomb_matrix *cm, const double *chi, const double *hardness,
                       double total_charge, double *q, double *lambda, mlpot_error *err)
{
    const int n = cm->n, nb = n + 1;
    memset(qs, 0, sizeof *qs);
    qs->n = n;
    qs->a = malloc((size_t)n * n * sizeof *qs->a + 1);
    qs->m = malloc((size_t)nb * nb * sizeof *qs->m);
    qs->pivots = malloc((size_t)nb * sizeof *qs->pivots);
    double *rhs = malloc((size_t)nb * sizeof *rhs);
    mlpot_status st = MLPOT_OK;
    if (!qs->a || !qs->m || !qs->pivots || !rhs) {
        st = mlpot_fail_memory(err, "solving the charge equilibration");
        goto done;
    }
    if ((st = coulomb_matrix_fill(cm, qs->a, n, err))) goto done;
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
    if (st) qeq_solver_free(qs);
    return st;
}

void qeq_coulomb_potential(const qeq_solver *qs, const double *q, double *phi)
{
    cblas_dsymv(CblasRowMajor, CblasUpper, qs->n, 1.0, qs->a, qs->n, q, 1, 0.0, phi, 1);
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
