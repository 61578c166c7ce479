/* Half-space reciprocal-lattice vectors within a cutoff (see kvectors.h). */
#include "longrange/kvectors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mlpot/structure.h"
#include "mlpot/units.h"

void ewald_kvectors_free(ewald_kvectors *kv)
{
    free(kv->k);
    free(kv->k2);
    free(kv->index);
    memset(kv, 0, sizeof *kv);
}

mlpot_status ewald_kvectors_build(ewald_kvectors *kv, const double *cell, double kc, mlpot_error *err)
{
    memset(kv, 0, sizeof *kv);
    double inv[9];
    mlpot_status st = mlpot_matrix3_inverse(cell, inv, err);
    if (st) return st;
    double(*b)[3] = kv->b;
    for (int j = 0; j < 3; ++j) {
        for (int m = 0; m < 3; ++m) b[j][m] = 2.0 * MLPOT_PI * inv[3 * m + j];
        const double *a = &cell[3 * j];
        double m = floor(kc * sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]) / (2.0 * MLPOT_PI));
        if (!(m <= 2000))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "ewald: %g reciprocal vectors along lattice vector %c; lower the accuracy or raise "
                              "the real-space cutoff",
                              2 * m + 1, "abc"[j]);
        kv->nmax[j] = (int)m;
    }
    const int *nmax = kv->nmax;
    for (int pass = 0; pass < 2; ++pass) { /* count, then fill */
        size_t n = 0;
        for (int n1 = 0; n1 <= nmax[0]; ++n1)
            for (int n2 = -nmax[1]; n2 <= nmax[1]; ++n2)
                for (int n3 = -nmax[2]; n3 <= nmax[2]; ++n3) {
                    if (n1 == 0 && (n2 < 0 || (n2 == 0 && n3 <= 0))) continue;
                    double k[3];
                    for (int m = 0; m < 3; ++m) k[m] = n1 * b[0][m] + n2 * b[1][m] + n3 * b[2][m];
                    const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
                    if (k2 >= kc * kc) continue;
                    if (pass) {
                        memcpy(&kv->k[3 * n], k, sizeof k);
                        kv->k2[n] = k2;
                        kv->index[3 * n] = n1, kv->index[3 * n + 1] = n2, kv->index[3 * n + 2] = n3;
                    }
                    ++n;
                }
        if (!pass) {
            kv->k = malloc((3 * n + 1) * sizeof *kv->k);
            kv->k2 = malloc((n + 1) * sizeof *kv->k2);
            kv->index = malloc((3 * n + 1) * sizeof *kv->index);
            if (!kv->k || !kv->k2 || !kv->index) {
                ewald_kvectors_free(kv);
                return mlpot_fail_memory(err, "listing k-vectors");
            }
        }
        kv->n = n;
    }
    return MLPOT_OK;
}
