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

void md_langevin_aoa(mlpot_md *md, double h)
{
    const double c1 = exp(-md->opt.friction * h), noise = sqrt(1.0 - c1 * c1), half = 0.5 * h;
    const double kt = MLPOT_BOLTZMANN_EV_PER_K * md->opt.temperature;
    const int n = md->s.n_atoms;
    uint64_t key_state = md->opt.seed ^ 0x4c616e676576696eULL; /* "Langevin" */
    key_state += 0x9e3779b97f4a7c15ULL * (uint64_t)md->step;
    const uint64_t key = rng_splitmix64(&key_state);
    double *heat = md->langevin_heat, *x = md->s.positions, *thermal = md->thermal_speed;
    if (kt != md->thermal_kt || !md->thermal_valid) { /* sqrt(kT/m) per atom, kept while T and masses stay */
        for (int i = 0; i < n; ++i) thermal[i] = sqrt(kt / (md->s.masses[i] * MLPOT_AMU_A2_PER_FS2_EV));
        md->thermal_kt = kt, md->thermal_valid = 1;
    }
    /* a generator per block of atoms, seeded by (seed, step, block): fixed blocks, so the same
     * numbers for any thread count, and a seeding (four splitmix64 rounds) shared by 64 atoms.
     * Threads only for large systems: the pass costs about 15 ns per atom, less than waking
     * OpenMP's threads (measured slower on 2 threads than on 1 at 4096 atoms) */
    enum { BLOCK = 64 };
    const int n_blocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel for schedule(static) if (n > 50000)
    for (int b = 0; b < n_blocks; ++b) {
      rng r;
      rng_seed(&r, key, (uint64_t)b);
      const int end = (b + 1) * BLOCK < n ? (b + 1) * BLOCK : n;
      for (int i = b * BLOCK; i < end; ++i) {
        heat[i] = 0.0;
        if (md->fixed[i]) continue;
        const double m = md->s.masses[i], sigma = noise * thermal[i];
        double *v = &md->velocities[3 * i];
        const double before = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
        for (int c = 0; c < 3; ++c) {
            x[3 * i + c] += half * v[c];
            v[c] = c1 * v[c] + sigma * normal_ziggurat_draw(&md->normal, &r);
            x[3 * i + c] += half * v[c];
        }
        heat[i] = m * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2] - before);
      }
    }
    double sum = 0.0; /* in atom order: the same for any thread count */
    for (int i = 0; i < n; ++i) sum += heat[i];
    md->heat += 0.5 * sum * MLPOT_AMU_A2_PER_FS2_EV;
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
