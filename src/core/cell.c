/* Cell geometry: inverse, fractional coordinates, face distances, and the completion of a
 * partially periodic cell into a full-rank basis. */
#include "core/cell.h"

#include <math.h>
#include <string.h>

#include "core/error.h"

double mlpot_det3(const double *m)
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

static void cross(const double u[3], const double v[3], double c[3])
{
    c[0] = u[1] * v[2] - u[2] * v[1];
    c[1] = u[2] * v[0] - u[0] * v[2];
    c[2] = u[0] * v[1] - u[1] * v[0];
}

static void normalise(double v[3])
{
    double len = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (int a = 0; a < 3; ++a) v[a] /= len;
}

void mlpot_cell_complete(const double *cell_flat, const int pbc[3], double *basis_flat)
{
    const double(*cell)[3] = (const double(*)[3])cell_flat;
    double(*basis)[3] = (double(*)[3])basis_flat;
    int periodic[3], n_periodic = 0, open[3], n_open = 0;
    for (int k = 0; k < 3; ++k) {
        if (pbc[k]) periodic[n_periodic++] = k;
        else open[n_open++] = k;
    }
    memset(basis, 0, 9 * sizeof(double));
    for (int p = 0; p < n_periodic; ++p)
        memcpy(basis[periodic[p]], cell[periodic[p]], 3 * sizeof(double));
    if (n_periodic == 0) {
        for (int k = 0; k < 3; ++k) basis[k][k] = 1.0;
    } else if (n_periodic == 1) {
        /* Two unit vectors perpendicular to the periodic one: start from the Cartesian axis
         * least aligned with it. */
        double a[3];
        memcpy(a, cell[periodic[0]], sizeof a);
        normalise(a);
        int least = 0;
        for (int k = 1; k < 3; ++k)
            if (fabs(a[k]) < fabs(a[least])) least = k;
        double e[3] = {0, 0, 0}, u[3], v[3];
        e[least] = 1.0;
        cross(a, e, u);
        normalise(u);
        cross(a, u, v);
        normalise(v);
        memcpy(basis[open[0]], u, sizeof u);
        memcpy(basis[open[1]], v, sizeof v);
    } else if (n_periodic == 2) {
        double n[3];
        cross(cell[periodic[0]], cell[periodic[1]], n);
        normalise(n);
        memcpy(basis[open[0]], n, sizeof n);
    }
}

mlpot_status mlpot_matrix3_inverse(const double *m_flat, double *inv_flat, mlpot_error *err)
{
    const double(*m)[3] = (const double(*)[3])m_flat;
    double(*inv)[3] = (double(*)[3])inv_flat;
    double det = mlpot_det3(m_flat);
    double scale = 0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) scale = fmax(scale, fabs(m[i][j]));
    if (!(fabs(det) > 1e-12 * scale * scale * scale) || !isfinite(det))
        return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "singular 3x3 matrix (determinant %g)", det);
    inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
    inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
    inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
    inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
    inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
    inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
    inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
    inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
    inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
    return MLPOT_OK;
}

void mlpot_cell_fractional(const double *inverse_cell, const double x[3], double f[3])
{
    /* x = f·cell (row vector times matrix), so f = x·cell⁻¹. */
    for (int k = 0; k < 3; ++k)
        f[k] = x[0] * inverse_cell[k] + x[1] * inverse_cell[3 + k] + x[2] * inverse_cell[6 + k];
}

void mlpot_cell_heights(const double *cell_flat, double height[3])
{
    const double(*cell)[3] = (const double(*)[3])cell_flat;
    double volume = fabs(mlpot_det3(cell_flat));
    for (int k = 0; k < 3; ++k) {
        const double *u = cell[(k + 1) % 3], *v = cell[(k + 2) % 3];
        double c[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                       u[0] * v[1] - u[1] * v[0]};
        double area = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
        height[k] = area > 0 ? volume / area : 0.0;
    }
}

mlpot_status mlpot_structure_wrap(mlpot_structure *s, mlpot_error *err)
{
    if (!s->pbc[0] && !s->pbc[1] && !s->pbc[2]) return MLPOT_OK;
    double basis[9], inv[9];
    mlpot_cell_complete(&s->cell[0][0], s->pbc, basis);
    mlpot_status st = mlpot_matrix3_inverse(basis, inv, err);
    if (st) return st;
    for (int i = 0; i < s->n_atoms; ++i) {
        double *x = &s->positions[3 * i], f[3];
        mlpot_cell_fractional(inv, x, f);
        for (int k = 0; k < 3; ++k) {
            if (!s->pbc[k]) continue;
            double shift = floor(f[k]);
            if (shift == 0) continue;
            for (int a = 0; a < 3; ++a) x[a] -= shift * s->cell[k][a];
        }
    }
    return MLPOT_OK;
}
