/* The integrator: state, masses, velocities and the integration schemes.
 *
 * Velocity Verlet (NVE), BAOAB Langevin (Leimkuhler and Matthews 2013: half kick, half drift,
 * exact Ornstein-Uhlenbeck velocity update, half drift, force, half kick), Bussi rescaling
 * applied once per Verlet step, and a Nosé-Hoover chain half step on either side of the Verlet
 * step. With a barostat, the cell's strain is drawn from the pressure at the start of the step
 * and applied after the drift, before the force call (barostat.c). Forces are in eV/Å and
 * masses in amu, so an acceleration F/m is divided by MLPOT_AMU_A2_PER_FS2_EV to get Å/fs². */
#include <math.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "dynamics/md_internal.h"
#include "mlpot/elements.h"
#include "mlpot/units.h"

/* Mass of hydrogen that the 10 fs limit refers to. */
#define HYDROGEN_MASS 1.008

mlpot_status mlpot_ensemble_parse(const char *name, mlpot_ensemble *out, mlpot_error *err)
{
    static const char *names[] = {"nve", "langevin", "bussi", "nhc"};
    for (int k = 0; k < 4; ++k)
        if (!strcmp(name, names[k])) return *out = (mlpot_ensemble)k, MLPOT_OK;
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown ensemble '%s' (nve, langevin, bussi or nhc)", name);
}

const char *mlpot_ensemble_name(mlpot_ensemble e)
{
    switch (e) {
    case MLPOT_ENSEMBLE_NVE: return "nve";
    case MLPOT_ENSEMBLE_LANGEVIN: return "langevin";
    case MLPOT_ENSEMBLE_BUSSI: return "bussi";
    case MLPOT_ENSEMBLE_NHC: return "nhc";
    }
    return "unknown";
}

mlpot_status mlpot_barostat_parse(const char *name, mlpot_barostat *out, mlpot_error *err)
{
    static const char *names[][2] = {{"none", "none"}, {"iso", "isotropic"}, {"aniso", "anisotropic"},
                                     {"tri", "triclinic"}};
    for (int k = 0; k < 4; ++k)
        if (!strcmp(name, names[k][0]) || !strcmp(name, names[k][1])) return *out = (mlpot_barostat)k, MLPOT_OK;
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown cell coupling '%s' (iso, aniso or tri)", name);
}

const char *mlpot_barostat_name(mlpot_barostat b)
{
    switch (b) {
    case MLPOT_BAROSTAT_NONE: return "none";
    case MLPOT_BAROSTAT_ISOTROPIC: return "iso";
    case MLPOT_BAROSTAT_ANISOTROPIC: return "aniso";
    case MLPOT_BAROSTAT_TRICLINIC: return "tri";
    }
    return "unknown";
}

double mlpot_md_timestep_limit(double lightest_mass)
{
    return 10.0 * sqrt(lightest_mass / HYDROGEN_MASS);
}

void mlpot_md_options_default(mlpot_md_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->ensemble = MLPOT_ENSEMBLE_NVE;
    opt->timestep = 1.0;
    opt->temperature = 300.0;
    opt->friction = 0.01;
    opt->tau = 100.0;
    opt->seed = 1;
    opt->skin = 1.0;
    opt->nhc_length = 3;
    opt->barostat = MLPOT_BAROSTAT_NONE;
    opt->pressure = 0.0;
    opt->tau_p = 1000.0;
    opt->compressibility = MLPOT_WATER_COMPRESSIBILITY;
}

static double lightest_free_mass(const mlpot_md *md)
{
    double m = INFINITY;
    for (int i = 0; i < md->s.n_atoms; ++i)
        if (!md->fixed[i] && md->s.masses[i] < m) m = md->s.masses[i];
    return m;
}

/* Every option in range and the timestep within the limit of the lightest moving atom. */
static mlpot_status check_options(const mlpot_md *md, const mlpot_md_options *o, mlpot_error *err)
{
    if (o->ensemble != MLPOT_ENSEMBLE_NVE && o->ensemble != MLPOT_ENSEMBLE_LANGEVIN &&
        o->ensemble != MLPOT_ENSEMBLE_BUSSI && o->ensemble != MLPOT_ENSEMBLE_NHC)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown ensemble %d", (int)o->ensemble);
    if (!(o->timestep > 0) || !isfinite(o->timestep))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "timestep %g fs: must be positive", o->timestep);
    double m = lightest_free_mass(md);
    if (isfinite(m) && o->timestep > mlpot_md_timestep_limit(m))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "timestep %g fs is beyond the limit %.3g fs for the lightest mass %g amu "
                          "(the timestep is in fs, not ps)",
                          o->timestep, mlpot_md_timestep_limit(m), m);
    if (!(o->temperature >= 0) || !isfinite(o->temperature))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "temperature %g K: must be zero or positive",
                          o->temperature);
    if (o->ensemble == MLPOT_ENSEMBLE_LANGEVIN && (!(o->friction > 0) || !isfinite(o->friction)))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "Langevin friction %g 1/fs: must be positive",
                          o->friction);
    if (o->ensemble == MLPOT_ENSEMBLE_BUSSI && (!(o->tau > 0) || !isfinite(o->tau)))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "Bussi time constant %g fs: must be positive", o->tau);
    if (o->ensemble == MLPOT_ENSEMBLE_NHC) {
        if (!(o->tau > 0) || !isfinite(o->tau))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "Nosé-Hoover period %g fs: must be positive", o->tau);
        if (o->nhc_length < 1 || o->nhc_length > MLPOT_NHC_MAX)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "Nosé-Hoover chain length %d: must be 1 to %d", o->nhc_length,
                              MLPOT_NHC_MAX);
        if (!(o->temperature > 0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a Nosé-Hoover chain needs a positive temperature");
    }
    if (o->barostat != MLPOT_BAROSTAT_NONE) {
        if (o->barostat != MLPOT_BAROSTAT_ISOTROPIC && o->barostat != MLPOT_BAROSTAT_ANISOTROPIC &&
            o->barostat != MLPOT_BAROSTAT_TRICLINIC)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown barostat %d", (int)o->barostat);
        if (o->ensemble != MLPOT_ENSEMBLE_LANGEVIN && o->ensemble != MLPOT_ENSEMBLE_BUSSI)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "the barostat needs the Langevin or Bussi thermostat for the particles, not %s",
                              mlpot_ensemble_name(o->ensemble));
        if (!(o->tau_p > 0) || !isfinite(o->tau_p))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "barostat time constant %g fs: must be positive", o->tau_p);
        if (!(o->compressibility > 0) || !isfinite(o->compressibility))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "compressibility %g Å³/eV: must be positive", o->compressibility);
        if (!isfinite(o->pressure))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "target pressure %g eV/Å³: must be finite", o->pressure);
        if (!(o->temperature > 0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "the barostat needs a positive temperature");
        if (!(md->s.pbc[0] && md->s.pbc[1] && md->s.pbc[2]))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a barostat needs a cell periodic in all three directions");
        if (!(mlpot_potential_outputs(md->pot) & MLPOT_OUT_VIRIAL))
            return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "the potential gives no virial: no pressure for a barostat");
        if (md->n_free != md->s.n_atoms)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a barostat with fixed atoms is not supported");
    }
    if (!(o->skin >= 0) || !isfinite(o->skin))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "neighbour skin %g Å: must be zero or positive", o->skin);
    return MLPOT_OK;
}

int md_degrees_of_freedom(const mlpot_md *md)
{
    int dof = 3 * md->n_free;
    if (md->n_free == md->s.n_atoms && md->n_free > 1 && md->opt.ensemble != MLPOT_ENSEMBLE_LANGEVIN)
        dof -= 3;
    return dof;
}

double md_kinetic_energy(const mlpot_md *md)
{
    double sum = 0;
    for (int i = 0; i < md->s.n_atoms; ++i) {
        const double *v = &md->velocities[3 * i];
        sum += md->s.masses[i] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }
    return 0.5 * sum * MLPOT_AMU_A2_PER_FS2_EV;
}

/* Refreshes the neighbour lists (a search only when an atom moved more than skin/2; otherwise
 * the pairs within the cutoff are picked from the skin's list) and the forces at the current
 * positions. The potential gets exactly the list a search with no skin would give, so its
 * results do not depend on the skin or on when the last search was (a resumed run searches at
 * once and still continues bit for bit), and it does not spend time on the skin's pairs (24 of
 * 28 entries per atom for Stillinger-Weber silicon with the 1 Å default). */
static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static mlpot_status compute_forces(mlpot_md *md, mlpot_error *err)
{
    mlpot_status st;
    const double t0 = seconds_now();
    double cutoff = mlpot_potential_cutoff(md->pot);
    if (!(cutoff > 0)) cutoff = 1.0;
    if (md->force_rebuild || mlpot_neighbour_list_needs_rebuild(&md->nl, &md->s)) {
        if ((st = mlpot_neighbour_list_build(&md->nl, &md->s, cutoff, md->opt.skin,
                                             MLPOT_NEIGHBOURS_FULL, err)))
            return st;
        /* so that the selected list gets its reverse index by a lookup, not a search each step */
        if ((st = mlpot_neighbour_list_reverse(&md->nl, err))) return st;
        md->force_rebuild = 0;
        md->rebuilds++;
    }
    if ((st = mlpot_neighbour_list_select(&md->near, &md->nl, &md->s, cutoff, err))) return st;
    const double t1 = seconds_now();
    st = mlpot_potential_compute(md->pot, &md->s, &md->near, md->request, &md->r, err);
    if (md->running) md->seconds_neighbours += t1 - t0, md->seconds_force += seconds_now() - t1;
    return st;
}

static mlpot_status check_masses(const mlpot_structure *s, const double *masses, mlpot_error *err)
{
    for (int i = 0; i < s->n_atoms; ++i)
        if (!(masses[i] > 0) || !isfinite(masses[i])) {
            const char *sym = mlpot_element_symbol(s->numbers[i]);
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "atom %d (%s) has no usable mass (%g amu): give one (e.g. --mass %s=...)",
                              i + 1, sym ? sym : "?", masses[i], sym ? sym : "X");
        }
    return MLPOT_OK;
}

void mlpot_md_free(mlpot_md *md)
{
    if (!md) return;
    mlpot_structure_free(&md->s);
    free(md->velocities);
    free(md->fixed);
    free(md->kick_factor);
    free(md->langevin_heat);
    free(md->thermal_speed);
    mlpot_neighbour_list_free(&md->nl);
    mlpot_neighbour_list_free(&md->near);
    mlpot_result_free(&md->r);
    free(md);
}

mlpot_status mlpot_md_create(const mlpot_potential *p, const mlpot_structure *s,
                             const mlpot_md_options *opt, mlpot_md **out, mlpot_error *err)
{
    *out = NULL;
    mlpot_status st;
    if (s->n_atoms < 1) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "molecular dynamics needs at least one atom");
    if ((st = mlpot_structure_validate(s, err)) || (st = mlpot_potential_check_species(p, s, err))) return st;
    mlpot_md *md = calloc(1, sizeof *md);
    if (!md) return mlpot_fail_memory(err, "creating an integrator");
    md->pot = p;
    md->opt = *opt;
    mlpot_structure_init(&md->s);
    mlpot_neighbour_list_init(&md->nl);
    mlpot_neighbour_list_init(&md->near);
    mlpot_result_init(&md->r);
    size_t n = (size_t)s->n_atoms;
    md->velocities = mlpot_calloc(3 * n, sizeof *md->velocities);
    md->fixed = mlpot_calloc(n, 1);
    md->kick_factor = mlpot_calloc(n, sizeof *md->kick_factor);
    md->langevin_heat = mlpot_calloc(n, sizeof *md->langevin_heat);
    md->thermal_speed = mlpot_calloc(n, sizeof *md->thermal_speed);
    if (!md->velocities || !md->fixed || !md->kick_factor || !md->langevin_heat || !md->thermal_speed) {
        mlpot_md_free(md);
        return mlpot_fail_memory(err, "creating an integrator");
    }
    if ((st = mlpot_structure_copy(&md->s, s, err))) goto fail;
    /* reference labels would go stale; what the potential reads as input stays: per-atom charges
     * (fixed-charge Coulomb) and the total charge (charge equilibration) */
    md->s.labels &= MLPOT_LABEL_CHARGES | MLPOT_LABEL_TOTAL_CHARGE;
    if (!md->s.masses && (st = mlpot_structure_add_masses(&md->s, err))) goto fail;
    if ((st = check_masses(&md->s, md->s.masses, err))) goto fail;
    md->n_free = s->n_atoms;
    if ((st = check_options(md, opt, err))) goto fail;
    md->request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES;
    if ((mlpot_potential_outputs(p) & MLPOT_OUT_VIRIAL) && s->pbc[0] && s->pbc[1] && s->pbc[2])
        md->request |= MLPOT_OUT_VIRIAL;
    rng_seed(&md->noise, opt->seed, 0);
    normal_ziggurat_init(&md->normal);
    if ((st = compute_forces(md, err))) goto fail;
    *out = md;
    return MLPOT_OK;
fail:
    mlpot_md_free(md);
    return st;
}

mlpot_status mlpot_md_set_masses(mlpot_md *md, const double *masses, mlpot_error *err)
{
    mlpot_status st = check_masses(&md->s, masses, err);
    if (st) return st;
    double *old = mlpot_calloc((size_t)md->s.n_atoms, sizeof *old);
    if (!old) return mlpot_fail_memory(err, "setting masses");
    memcpy(old, md->s.masses, (size_t)md->s.n_atoms * sizeof *old);
    memcpy(md->s.masses, masses, (size_t)md->s.n_atoms * sizeof *old);
    if ((st = check_options(md, &md->opt, err))) memcpy(md->s.masses, old, (size_t)md->s.n_atoms * sizeof *old);
    md->kick_valid = md->thermal_valid = 0;
    free(old);
    return st;
}

mlpot_status mlpot_md_set_element_mass(mlpot_md *md, int z, double mass, mlpot_error *err)
{
    if (!(mass > 0) || !isfinite(mass))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "mass %g amu for element %d: must be positive", mass, z);
    double *m = mlpot_calloc((size_t)md->s.n_atoms + 1, sizeof *m);
    if (!m) return mlpot_fail_memory(err, "setting masses");
    for (int i = 0; i < md->s.n_atoms; ++i) m[i] = md->s.numbers[i] == z ? mass : md->s.masses[i];
    mlpot_status st = mlpot_md_set_masses(md, m, err);
    free(m);
    return st;
}

mlpot_status mlpot_md_set_fixed(mlpot_md *md, const int *fixed, mlpot_error *err)
{
    if (md->opt.barostat != MLPOT_BAROSTAT_NONE && fixed)
        for (int i = 0; i < md->s.n_atoms; ++i)
            if (fixed[i]) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a barostat with fixed atoms is not supported");
    md->n_free = 0;
    md->kick_valid = md->thermal_valid = 0;
    for (int i = 0; i < md->s.n_atoms; ++i) {
        md->fixed[i] = fixed && fixed[i];
        if (md->fixed[i]) memset(&md->velocities[3 * i], 0, 3 * sizeof(double));
        else md->n_free++;
    }
    return MLPOT_OK;
}

mlpot_status mlpot_md_set_velocities(mlpot_md *md, const double *v, mlpot_error *err)
{
    for (int k = 0; k < 3 * md->s.n_atoms; ++k)
        if (!isfinite(v[k]))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "velocity of atom %d is not finite", k / 3 + 1);
    for (int i = 0; i < md->s.n_atoms; ++i)
        for (int c = 0; c < 3; ++c) md->velocities[3 * i + c] = md->fixed[i] ? 0.0 : v[3 * i + c];
    return MLPOT_OK;
}

mlpot_status mlpot_md_maxwell_boltzmann(mlpot_md *md, double temperature, uint64_t seed,
                                        mlpot_error *err)
{
    if (!(temperature >= 0) || !isfinite(temperature))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "temperature %g K: must be zero or positive", temperature);
    rng r;
    rng_seed(&r, seed, 1); /* a stream apart from the thermostat's */
    int n = md->s.n_atoms;
    double kt = MLPOT_BOLTZMANN_EV_PER_K * temperature, p[3] = {0, 0, 0}, mass = 0;
    for (int i = 0; i < n; ++i) {
        double sigma = sqrt(kt / (md->s.masses[i] * MLPOT_AMU_A2_PER_FS2_EV));
        for (int c = 0; c < 3; ++c) {
            double g = rng_normal(&r); /* drawn for fixed atoms too: the stream does not depend on the mask */
            md->velocities[3 * i + c] = md->fixed[i] ? 0.0 : sigma * g;
            if (!md->fixed[i]) p[c] += md->s.masses[i] * md->velocities[3 * i + c];
        }
        if (!md->fixed[i]) mass += md->s.masses[i];
    }
    if (md->n_free == n && n > 1)
        for (int i = 0; i < n; ++i)
            for (int c = 0; c < 3; ++c) md->velocities[3 * i + c] -= p[c] / mass;
    int dof = md_degrees_of_freedom(md);
    double k = md_kinetic_energy(md);
    if (temperature > 0 && dof > 0 && k > 0) {
        double scale = sqrt(0.5 * dof * kt / k);
        for (int q = 0; q < 3 * n; ++q) md->velocities[q] *= scale;
    }
    return MLPOT_OK;
}

/* v += h F/m for the free atoms (h in fs). */
static void kick(mlpot_md *md, double h)
{
    /* h/m per atom, cached: a division per atom and kick was a visible share of a step. The
     * cache holds exactly the quotient computed before, so results are unchanged. */
    if (h != md->kick_h || !md->kick_valid) {
        double factor = h / MLPOT_AMU_A2_PER_FS2_EV;
        for (int i = 0; i < md->s.n_atoms; ++i) md->kick_factor[i] = md->fixed[i] ? 0.0 : factor / md->s.masses[i];
        md->kick_h = h, md->kick_valid = 1;
    }
    const double *f = md->r.forces, *dtfm = md->kick_factor;
    double *v = md->velocities;
    for (int i = 0; i < md->s.n_atoms; ++i) {
        if (md->fixed[i]) continue;
        for (int c = 0; c < 3; ++c) v[3 * i + c] += dtfm[i] * f[3 * i + c];
    }
}

/* x += h v for the free atoms. */
static void drift(mlpot_md *md, double h)
{
    for (int i = 0; i < md->s.n_atoms; ++i) {
        if (md->fixed[i]) continue;
        for (int c = 0; c < 3; ++c) md->s.positions[3 * i + c] += h * md->velocities[3 * i + c];
    }
}

static mlpot_status one_step(mlpot_md *md, mlpot_error *err)
{
    double dt = md->opt.timestep;
    mlpot_status st;
    const int barostat = md->opt.barostat != MLPOT_BAROSTAT_NONE;
    /* the barostat's strain from the pressure at the start of the step (kinetic energy and
     * virial of one configuration), applied after the drift, before the force call */
    if (barostat) md_barostat_strain(md, dt);
    if (md->opt.ensemble == MLPOT_ENSEMBLE_NHC) md_nhc_half_step(md, 0.5 * dt);
    kick(md, 0.5 * dt);
    if (md->opt.ensemble == MLPOT_ENSEMBLE_LANGEVIN) {
        md_langevin_aoa(md, dt);
    } else {
        drift(md, dt);
    }
    if (barostat) md_barostat_apply(md);
    if ((st = compute_forces(md, err))) return st;
    if (barostat) md_barostat_finish(md);
    kick(md, 0.5 * dt);
    if (md->opt.ensemble == MLPOT_ENSEMBLE_BUSSI) md_bussi(md, dt);
    if (md->opt.ensemble == MLPOT_ENSEMBLE_NHC) md_nhc_half_step(md, 0.5 * dt);
    return MLPOT_OK;
}

mlpot_status mlpot_md_run(mlpot_md *md, long n_steps, mlpot_error *err)
{
    if (n_steps < 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "number of steps %ld is negative", n_steps);
    const double t0 = seconds_now();
    md->running = 1;
    for (long k = 0; k < n_steps; ++k) {
        mlpot_status st = one_step(md, err);
        if (st) {
            mlpot_error_prepend(err, "step %ld (t = %g fs): ", md->step + 1, md->time + md->opt.timestep);
            md->running = 0;
            md->seconds_run += seconds_now() - t0;
            return st;
        }
        md->step++;
        /* time from the step count, so that it does not accumulate rounding */
        md->time = (double)md->step * md->opt.timestep;
    }
    md->running = 0;
    md->seconds_run += seconds_now() - t0;
    return MLPOT_OK;
}

void mlpot_md_get_state(const mlpot_md *md, mlpot_md_state *out)
{
    memset(out, 0, sizeof *out);
    out->step = md->step;
    out->time = md->time;
    out->potential = md->r.energy;
    out->kinetic = md_kinetic_energy(md);
    out->n_dof = md_degrees_of_freedom(md);
    out->temperature = out->n_dof > 0 ? 2.0 * out->kinetic / (out->n_dof * MLPOT_BOLTZMANN_EV_PER_K) : 0.0;
    out->heat = md->heat + md->baro_heat;
    out->volume = (md->s.pbc[0] && md->s.pbc[1] && md->s.pbc[2]) ? mlpot_structure_volume(&md->s) : 0.0;
    double pv = md->opt.barostat != MLPOT_BAROSTAT_NONE ? md->opt.pressure * out->volume : 0.0;
    out->conserved = out->potential + out->kinetic + pv - out->heat;
    out->pressure = NAN;
    for (int q = 0; q < 9; ++q) out->pressure_tensor[q] = NAN;
    if (out->volume > 0 && (md->r.computed & MLPOT_OUT_VIRIAL)) {
        out->pressure = (2.0 * out->kinetic + md->r.virial[0] + md->r.virial[4] + md->r.virial[8]) /
                        (3.0 * out->volume);
        md_pressure_tensor(md, out->pressure_tensor);
    }
    out->rebuilds = md->rebuilds;
    out->seconds = md->seconds_run, out->seconds_force = md->seconds_force;
    out->seconds_neighbours = md->seconds_neighbours;
}

const mlpot_structure *mlpot_md_structure(const mlpot_md *md) { return &md->s; }
const double *mlpot_md_velocities(const mlpot_md *md) { return md->velocities; }
const mlpot_result *mlpot_md_result(const mlpot_md *md) { return &md->r; }
