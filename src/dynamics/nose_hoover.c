/* Nosé-Hoover chains: Martyna, Klein and Tuckerman, J. Chem. Phys. 97, 2635 (1992), integrated
 * as in Martyna, Tuckerman, Tobias and Klein, Mol. Phys. 87, 1117 (1996): a half step of the
 * chain before the velocity Verlet step and one after, each a Trotter factorisation of the chain
 * Liouvillian with the seventh-order Suzuki-Yoshida weights (one sub-step per weight).
 *
 * The first thermostat of the chain has mass Q_1 = N_f kT τ² and the others Q_k = kT τ² (τ the
 * period of the thermostat's oscillation, opt.tau): the chain couples at the frequency 1/τ
 * whatever the system's size. The conserved quantity is
 *     H = E_pot + E_kin + Σ_k ½ Q_k v_k² + N_f kT ξ_1 + kT Σ_{k>1} ξ_k,
 * reported as E_pot + E_kin - heat with heat = minus the chain's energy. */
#include <math.h>

#include "dynamics/md_internal.h"
#include "mlpot/units.h"

/* Suzuki-Yoshida seventh-order weights w_1..w_7 (sum 1, symmetric). */
static const double SY7[7] = {0.784513610477560, 0.235573213359357, -1.17767998417887, 1.31518632068391,
                              -1.17767998417887, 0.235573213359357, 0.784513610477560};

static double chain_energy(const mlpot_md *md, int nf, double kt)
{
    const double tau = md->opt.tau;
    double e = 0;
    for (int k = 0; k < md->opt.nhc_length; ++k) {
        double q = (k == 0 ? nf : 1) * kt * tau * tau;
        e += 0.5 * q * md->nhc_v[k] * md->nhc_v[k] + (k == 0 ? nf : 1) * kt * md->nhc_xi[k];
    }
    return e;
}

void md_nhc_half_step(mlpot_md *md, double h)
{
    const int m = md->opt.nhc_length, nf = md_degrees_of_freedom(md);
    const double kt = MLPOT_BOLTZMANN_EV_PER_K * md->opt.temperature, tau = md->opt.tau;
    if (nf <= 0 || !(kt > 0)) return;
    double q[MLPOT_NHC_MAX];
    for (int k = 0; k < m; ++k) q[k] = (k == 0 ? nf : 1) * kt * tau * tau;
    double *v = md->nhc_v, *xi = md->nhc_xi;
    double k2 = 2.0 * md_kinetic_energy(md), scale = 1.0;
    for (int w = 0; w < 7; ++w) {
        double d = SY7[w] * h, d2 = 0.5 * d, d4 = 0.25 * d;
        /* from the end of the chain down to the particles */
        v[m - 1] += d2 * (m > 1 ? (q[m - 2] * v[m - 2] * v[m - 2] - kt) / q[m - 1] : (k2 - nf * kt) / q[0]);
        for (int k = m - 2; k >= 0; --k) {
            double g = k == 0 ? (k2 - nf * kt) / q[0] : (q[k - 1] * v[k - 1] * v[k - 1] - kt) / q[k];
            double e = exp(-d4 * v[k + 1]);
            v[k] = (v[k] * e + d2 * g) * e;
        }
        /* the particles' velocities: scaled by exp(-d v_1), applied once at the end */
        double s = exp(-d * v[0]);
        scale *= s;
        k2 *= s * s;
        for (int k = 0; k < m; ++k) xi[k] += d * v[k];
        /* and back up the chain */
        for (int k = 0; k < m - 1; ++k) {
            double g = k == 0 ? (k2 - nf * kt) / q[0] : (q[k - 1] * v[k - 1] * v[k - 1] - kt) / q[k];
            double e = exp(-d4 * v[k + 1]);
            v[k] = (v[k] * e + d2 * g) * e;
        }
        v[m - 1] += d2 * (m > 1 ? (q[m - 2] * v[m - 2] * v[m - 2] - kt) / q[m - 1] : (k2 - nf * kt) / q[0]);
    }
    for (int c = 0; c < 3 * md->s.n_atoms; ++c) md->velocities[c] *= scale;
    md->heat = -chain_energy(md, nf, kt);
}
