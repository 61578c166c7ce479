/* Thermostats: the Langevin velocity update and Bussi stochastic velocity rescaling.
 *
 * Both record the kinetic energy they add (md->heat), so that E_pot + E_kin - heat is a
 * conserved quantity whose drift measures the integration error, as in NVE. */
#include <math.h>

#include "dynamics/md_internal.h"
#include "mlpot/units.h"

double md_gamma_deviate(rng *r, double shape)
{
    /* shape < 1: Gamma(a) = Gamma(a + 1) U^(1/a) */
    if (shape < 1.0) {
        double u = 1.0 - rng_uniform(r);
        return md_gamma_deviate(r, shape + 1.0) * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = rng_normal(r), v = 1.0 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = 1.0 - rng_uniform(r); /* (0, 1]: log is finite */
        if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
    }
}

void md_langevin_o(mlpot_md *md, double h)
{
    double c1 = exp(-md->opt.friction * h), noise = sqrt(1.0 - c1 * c1);
    double kt = MLPOT_BOLTZMANN_EV_PER_K * md->opt.temperature, before = 0, after = 0;
    for (int i = 0; i < md->s.n_atoms; ++i) {
        if (md->fixed[i]) continue;
        double m = md->s.masses[i], sigma = noise * sqrt(kt / (m * MLPOT_AMU_A2_PER_FS2_EV));
        double *v = &md->velocities[3 * i];
        before += m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for (int c = 0; c < 3; ++c) v[c] = c1 * v[c] + sigma * rng_normal(&md->noise);
        after += m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }
    md->heat += 0.5 * (after - before) * MLPOT_AMU_A2_PER_FS2_EV;
}

void md_bussi(mlpot_md *md, double h)
{
    int nf = md_degrees_of_freedom(md);
    double k = md_kinetic_energy(md);
    if (nf <= 0 || !(k > 0)) return; /* nothing to rescale */
    double kt = 0.5 * nf * MLPOT_BOLTZMANN_EV_PER_K * md->opt.temperature;
    double c = exp(-h / md->opt.tau), alpha2, alpha;
    if (kt > 0) {
        /* Bussi, Donadio and Parrinello, J. Chem. Phys. 126, 014101 (2007), appendix: the new
         * kinetic energy from one Gaussian and a chi-squared deviate of nf - 1 degrees. */
        double r1 = rng_normal(&md->noise);
        double s = nf > 1 ? 2.0 * md_gamma_deviate(&md->noise, 0.5 * (nf - 1)) : 0.0;
        double ratio = kt / (nf * k);
        alpha2 = c + (1.0 - c) * (s + r1 * r1) * ratio + 2.0 * r1 * sqrt(c * (1.0 - c) * ratio);
        double sign = r1 + sqrt(c / ((1.0 - c) * ratio)) < 0 ? -1.0 : 1.0;
        alpha = sign * sqrt(alpha2);
    } else {
        alpha2 = c; /* T = 0: deterministic exponential cooling */
        alpha = sqrt(c);
    }
    for (int q = 0; q < 3 * md->s.n_atoms; ++q) md->velocities[q] *= alpha;
    md->heat += (alpha2 - 1.0) * k;
}
