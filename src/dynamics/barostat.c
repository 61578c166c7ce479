/* Stochastic cell rescaling: Bernetti and Bussi, J. Chem. Phys. 153, 114107 (2020).
 *
 * Isotropic: the logarithm of the volume ε = ln V follows the first-order stochastic equation
 *     dε = (β/τ_p) (P_int - P_0 + kT/V) dt + sqrt(2 kT β / (V τ_p)) dW,
 * P_int = (2 E_kin + tr W) / (3 V) the instantaneous pressure, β the compressibility given by the
 * user (a mobility: it and τ_p set how fast the volume relaxes, not what it samples), kT/V the
 * Jacobian of sampling ln V instead of V. Its stationary distribution is the isothermal-isobaric
 * one, exp(-(U + P_0 V)/kT) V^N. Positions (and the cell) are scaled by exp(Δε/3), velocities by
 * exp(-Δε/3), as in the paper.
 *
 * Anisotropic: the three Cartesian log-strains ε_aa, each with mobility β/(3 V τ_p) and the
 * driving force V (P_aa - P_0) + kT, so that their sum moves as the isotropic ε does. Triclinic:
 * also the three symmetric shear strains ε_ab with driving force 2 V P_ab (the strain enters the
 * cell matrix twice) and the same mobility; the cell is multiplied by exp(ε), a symmetric matrix,
 * so that it does not rotate. The shear Jacobian (of order 1/N in the distribution) is left out.
 *
 * The barostat's share of the energy (what scaling changed of E_kin, P_0 V and E_pot) is booked
 * as heat, so that E_pot + E_kin + P_0 V - heat only drifts by integration error: E_kin and
 * P_0 V exactly, E_pot by the trapezoid rule over the virials before and after the scaling,
 * ΔE_pot ≈ -½ (W_before + W_after) : ε, exact to second order in the strain of a step. */
#include <math.h>
#include <string.h>

#include "dynamics/md_internal.h"
#include "mlpot/units.h"

int md_pressure_tensor(const mlpot_md *md, double p[9])
{
    memset(p, 0, 9 * sizeof *p);
    const mlpot_structure *s = &md->s;
    if (!(s->pbc[0] && s->pbc[1] && s->pbc[2]) || !(md->r.computed & MLPOT_OUT_VIRIAL)) return 0;
    double v = mlpot_structure_volume(s);
    if (!(v > 0)) return 0;
    double k[9] = {0};
    for (int i = 0; i < s->n_atoms; ++i) {
        const double *u = &md->velocities[3 * i];
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) k[3 * a + b] += s->masses[i] * u[a] * u[b];
    }
    for (int q = 0; q < 9; ++q) p[q] = (k[q] * MLPOT_AMU_A2_PER_FS2_EV + md->r.virial[q]) / v;
    return 1;
}

void md_barostat_strain(mlpot_md *md, double h)
{
    const mlpot_md_options *o = &md->opt;
    double p[9], v = mlpot_structure_volume(&md->s);
    md_pressure_tensor(md, p);
    double kt = MLPOT_BOLTZMANN_EV_PER_K * o->temperature, beta = o->compressibility, tau = o->tau_p;
    memset(md->strain, 0, sizeof md->strain);
    if (o->barostat == MLPOT_BAROSTAT_ISOTROPIC) {
        double pint = (p[0] + p[4] + p[8]) / 3.0;
        double de = beta / tau * (pint - o->pressure + kt / v) * h +
                    sqrt(2.0 * kt * beta * h / (v * tau)) * rng_normal(&md->noise);
        for (int a = 0; a < 3; ++a) md->strain[a][a] = de / 3.0;
        return;
    }
    double mobility = beta / (3.0 * tau), noise = sqrt(2.0 * kt * beta * h / (3.0 * v * tau));
    for (int a = 0; a < 3; ++a)
        md->strain[a][a] = mobility * (p[4 * a] - o->pressure + kt / v) * h + noise * rng_normal(&md->noise);
    if (o->barostat == MLPOT_BAROSTAT_TRICLINIC) {
        /* a symmetric pair of matrix entries is one variable: force 2 V P_ab, mobility halved
         * for the matrix entry, so drift (β/(3τ)) P_ab h and noise sqrt(kT β h/(3 V τ)) */
        static const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
        for (int q = 0; q < 3; ++q) {
            int a = pairs[q][0], b = pairs[q][1];
            double e = mobility * 0.5 * (p[3 * a + b] + p[3 * b + a]) * h + noise / sqrt(2.0) * rng_normal(&md->noise);
            md->strain[a][b] = md->strain[b][a] = e;
        }
    }
}

/* exp(sign · e) for a small symmetric e, by its series to fourth order (|e| ~ 1e-4 per step:
 * the remainder is far below rounding). */
static void expm_small(double e[3][3], double sign, double out[3][3])
{
    double term[3][3], next[3][3];
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) out[a][b] = term[a][b] = (a == b);
    for (int n = 1; n <= 4; ++n) {
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                double sum = 0;
                for (int c = 0; c < 3; ++c) sum += term[a][c] * e[c][b];
                next[a][b] = sign * sum / n;
            }
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) out[a][b] += term[a][b] = next[a][b];
    }
}

/* x <- x · m for a row vector x. */
static void row_times(double x[3], double m[3][3])
{
    double y[3];
    for (int b = 0; b < 3; ++b) y[b] = x[0] * m[0][b] + x[1] * m[1][b] + x[2] * m[2][b];
    memcpy(x, y, sizeof y);
}

static double strain_work(const mlpot_md *md)
{
    double w = 0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) w += md->r.virial[3 * a + b] * md->strain[a][b];
    return w;
}

void md_barostat_apply(mlpot_md *md)
{
    double mu[3][3], inv[3][3];
    memset(mu, 0, sizeof mu), memset(inv, 0, sizeof inv);
    if (md->opt.barostat == MLPOT_BAROSTAT_TRICLINIC) {
        expm_small(md->strain, 1.0, mu);
        expm_small(md->strain, -1.0, inv);
    } else {
        for (int a = 0; a < 3; ++a) mu[a][a] = exp(md->strain[a][a]), inv[a][a] = exp(-md->strain[a][a]);
    }
    double k0 = md_kinetic_energy(md), v0 = mlpot_structure_volume(&md->s);
    for (int a = 0; a < 3; ++a) row_times(md->s.cell[a], mu);
    for (int i = 0; i < md->s.n_atoms; ++i) {
        row_times(&md->s.positions[3 * i], mu);
        row_times(&md->velocities[3 * i], inv);
    }
    double k1 = md_kinetic_energy(md), v1 = mlpot_structure_volume(&md->s);
    /* dE_pot = -W : dε; the first half of the trapezoid, with the virial before the scaling */
    md->baro_heat += (k1 - k0) + md->opt.pressure * (v1 - v0) - 0.5 * strain_work(md);
}

void md_barostat_finish(mlpot_md *md) { md->baro_heat -= 0.5 * strain_work(md); }
