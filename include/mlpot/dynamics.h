/* Molecular dynamics and structure relaxation on any potential.
 *
 * An integrator (mlpot_md) owns a copy of the structure, its velocities (Å/fs), per-atom masses
 * (amu), a mask of fixed atoms, a neighbour list reused between steps thanks to a skin, and the
 * potential's current result (energy, forces, virial). Ensembles: NVE velocity Verlet, NVT
 * Langevin (BAOAB splitting), NVT Bussi stochastic velocity rescaling and NVT Nosé-Hoover chains
 * (Martyna, Klein and Tuckerman 1992), and NPT: Langevin or Bussi for the particles with the
 * stochastic cell rescaling barostat (Bernetti and Bussi 2020), isotropic, per Cartesian axis or
 * fully flexible. Thermostats and barostat keep the energy they put into the system (heat), so
 * that the effective energy E_pot + E_kin + P V - heat is conserved by every ensemble (its drift
 * measures the integration error); for Nosé-Hoover chains the heat is minus the energy of the
 * chain (its kinetic energy and N_f kT ξ_1 + kT Σ ξ_k).
 *
 * Positions are never wrapped back into the cell during a run: trajectories stay continuous
 * (unwrapped), which is what diffusion analysis and comparisons with other codes want.
 *
 * Random numbers come from a seeded xoshiro256** stream held by the integrator: a run is a
 * pure function of its inputs and seed, and a checkpoint restores it bit for bit. */
#ifndef MLPOT_DYNAMICS_H
#define MLPOT_DYNAMICS_H

#include <stdint.h>

#include "mlpot/export.h"
#include "mlpot/potential.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mlpot_ensemble {
    MLPOT_ENSEMBLE_NVE = 0,      /* velocity Verlet */
    MLPOT_ENSEMBLE_LANGEVIN = 1, /* BAOAB Langevin, friction in 1/fs */
    MLPOT_ENSEMBLE_BUSSI = 2,    /* stochastic velocity rescaling, time constant tau in fs */
    MLPOT_ENSEMBLE_NHC = 3       /* Nosé-Hoover chain, chain length nhc_length, period tau in fs */
} mlpot_ensemble;

/* Cell fluctuations under a target pressure, by stochastic cell rescaling (Bernetti and Bussi,
 * J. Chem. Phys. 153, 114107 (2020)): a first-order stochastic equation for the logarithm of the
 * volume (or the cell's strain) driven by the difference between the instantaneous pressure
 * (kinetic + virial) and the target, with noise that makes the cell sample the isothermal-isobaric
 * distribution; positions are scaled with the cell and velocities inversely. With the Langevin or
 * Bussi thermostat (the particles' thermostat is opt.ensemble). */
typedef enum mlpot_barostat {
    MLPOT_BAROSTAT_NONE = 0,
    MLPOT_BAROSTAT_ISOTROPIC = 1,   /* the volume, the cell's shape kept */
    MLPOT_BAROSTAT_ANISOTROPIC = 2, /* the three Cartesian diagonal strains, each on its own */
    MLPOT_BAROSTAT_TRICLINIC = 3    /* all six components of a symmetric strain (no rotation) */
} mlpot_barostat;

/* Parses "nve", "langevin", "bussi", "nhc" (MLPOT_ERR_ARGUMENT naming the choices otherwise). */
MLPOT_API mlpot_status mlpot_ensemble_parse(const char *name, mlpot_ensemble *out, mlpot_error *err);
MLPOT_API const char *mlpot_ensemble_name(mlpot_ensemble e);
/* Parses "none", "iso", "aniso", "tri" (also "isotropic", "anisotropic", "triclinic"). */
MLPOT_API mlpot_status mlpot_barostat_parse(const char *name, mlpot_barostat *out, mlpot_error *err);
MLPOT_API const char *mlpot_barostat_name(mlpot_barostat b);

/* The largest timestep accepted, fs, for a lightest mass m (amu): 10 fs for hydrogen, scaled
 * with sqrt(m) as vibrational periods are. A guard against unit mistakes (ps for fs), not a
 * recommendation: a stable step is usually 5-20 times smaller. */
MLPOT_API double mlpot_md_timestep_limit(double lightest_mass);

typedef struct mlpot_md_options {
    mlpot_ensemble ensemble;
    double timestep;    /* fs, > 0 and <= mlpot_md_timestep_limit() */
    double temperature; /* K, target of the thermostats (>= 0) */
    double friction;    /* 1/fs, Langevin (default 0.01) */
    double tau;         /* fs, Bussi time constant, Nosé-Hoover period (default 100) */
    uint64_t seed;      /* thermostat noise */
    double skin;        /* Å, neighbour-list skin (default 1.0) */
    int nhc_length;     /* Nosé-Hoover chain length, 1..MLPOT_NHC_MAX (default 3) */
    mlpot_barostat barostat; /* default none */
    double pressure;        /* eV/Å³, barostat target (default 0) */
    double tau_p;           /* fs, barostat time constant (default 1000) */
    double compressibility; /* Å³/eV (1/pressure), the barostat's estimate of the isothermal
                               compressibility: with tau_p it sets how fast the volume relaxes
                               (~ tau_p · compressibility_true / compressibility), not the
                               distribution sampled (default 4.5e-5 /bar, water: 72.1 Å³/eV) */
} mlpot_md_options;

enum { MLPOT_NHC_MAX = 10 };
/* Compressibility of water, 4.5e-5 /bar, in Å³/eV (1 eV/Å³ = 1.602e6 bar). */
#define MLPOT_WATER_COMPRESSIBILITY (4.5e-5 * MLPOT_EV_PER_A3_KBAR * 1.0e3)

/* NVE, 1 fs, 300 K, friction 0.01/fs, tau 100 fs, seed 1, skin 1 Å, chain of 3, no barostat
 * (target 0, tau_p 1000 fs, water's compressibility). */
MLPOT_API void mlpot_md_options_default(mlpot_md_options *opt);

/* What an integrator reports after a step (or after creation, for step 0). */
typedef struct mlpot_md_state {
    long step;
    double time;          /* fs */
    double potential;     /* eV */
    double kinetic;       /* eV */
    double temperature;   /* K, 2 E_kin / (n_dof k_B) */
    double heat;          /* eV put into the system by thermostat and barostat since step 0
                             (Nosé-Hoover: minus the chain's energy) */
    double conserved;     /* eV: potential + kinetic + P·V (barostat target P) - heat */
    double volume;        /* Å³, 0 without a periodic cell */
    double pressure_tensor[9]; /* eV/Å³, (Σ m v⊗v + W) / V; NAN without volume or virial */
    double pressure;      /* eV/Å³, (2 E_kin + tr W) / (3 V); NAN without volume or virial */
    int n_dof;            /* degrees of freedom in the temperature */
    long rebuilds;        /* neighbour-list searches so far */
    /* wall time spent in mlpot_md_run since the integrator was created (not kept in
     * checkpoints): all of it; in the potential's calls; in neighbour-list searches and the
     * per-step selection of the pairs within the cutoff. The rest is the integrator's own:
     * kicks, drifts, thermostat and barostat. */
    double seconds, seconds_force, seconds_neighbours;
} mlpot_md_state;

typedef struct mlpot_md mlpot_md;

/* Creates an integrator for a copy of s on potential p (borrowed: it must outlive the
 * integrator). Masses: s->masses when set, else the standard masses of the elements. Velocities
 * start at zero; forces are computed here, so step 0 has energies. Errors: bad options (naming
 * the option), masses missing or not positive, species the potential lacks, overlapping atoms. */
MLPOT_API mlpot_status mlpot_md_create(const mlpot_potential *p, const mlpot_structure *s,
                                       const mlpot_md_options *opt, mlpot_md **out,
                                       mlpot_error *err);
MLPOT_API void mlpot_md_free(mlpot_md *md);

/* Sets the mass of every atom of element z (e.g. 1 -> 2.014 for deuterium); the timestep is
 * checked again against the new lightest mass. */
MLPOT_API mlpot_status mlpot_md_set_element_mass(mlpot_md *md, int z, double mass,
                                                 mlpot_error *err);
/* Per-atom masses [n_atoms], amu. */
MLPOT_API mlpot_status mlpot_md_set_masses(mlpot_md *md, const double *masses, mlpot_error *err);

/* Fixes atoms (fixed[i] != 0): they neither move nor count as degrees of freedom, and their
 * velocities are zeroed. NULL frees every atom. Refused with a barostat (the cell would carry
 * fixed atoms along). */
MLPOT_API mlpot_status mlpot_md_set_fixed(mlpot_md *md, const int *fixed, mlpot_error *err);

/* Sets velocities [3 n_atoms] in Å/fs (those of fixed atoms are ignored and zeroed). */
MLPOT_API mlpot_status mlpot_md_set_velocities(mlpot_md *md, const double *v, mlpot_error *err);

/* Maxwell-Boltzmann velocities at temperature T from seed: Gaussian per component with
 * variance k_B T / m, the centre-of-mass momentum removed (when no atom is fixed), then scaled
 * so that the instantaneous temperature is exactly T. */
MLPOT_API mlpot_status mlpot_md_maxwell_boltzmann(mlpot_md *md, double temperature,
                                                  uint64_t seed, mlpot_error *err);

/* Advances n_steps steps. On failure the message names the step ("step 1234 (t = ... fs): ...");
 * the integrator is then left mid-step (positions moved, forces stale): free it, or reload a
 * checkpoint. */
MLPOT_API mlpot_status mlpot_md_run(mlpot_md *md, long n_steps, mlpot_error *err);

MLPOT_API void mlpot_md_get_state(const mlpot_md *md, mlpot_md_state *out);
/* The current structure (positions, cell, masses); valid until the next call on md. */
MLPOT_API const mlpot_structure *mlpot_md_structure(const mlpot_md *md);
/* Velocities [3 n_atoms], Å/fs. */
MLPOT_API const double *mlpot_md_velocities(const mlpot_md *md);
/* The potential's result at the current positions (energy, forces, virial when periodic). */
MLPOT_API const mlpot_result *mlpot_md_result(const mlpot_md *md);

/* Checkpoints: everything a run needs to continue bit for bit (step, time, heat, positions,
 * cell, velocities, masses, fixed atoms, forces and energy, the random stream), written
 * atomically with a checksum. `extra` is up to 8 numbers the caller wants back (e.g. output
 * file offsets). Loading checks the atom count and species against the integrator's. */
enum { MLPOT_MD_CHECKPOINT_EXTRA = 8 };
MLPOT_API mlpot_status mlpot_md_checkpoint_write(const mlpot_md *md, const char *path,
                                                 const int64_t extra[MLPOT_MD_CHECKPOINT_EXTRA],
                                                 mlpot_error *err);
MLPOT_API mlpot_status mlpot_md_checkpoint_read(mlpot_md *md, const char *path,
                                                int64_t extra[MLPOT_MD_CHECKPOINT_EXTRA],
                                                mlpot_error *err);

/* --- relaxation ------------------------------------------------------------------------ */

typedef enum mlpot_relax_method {
    MLPOT_RELAX_FIRE = 0, /* fast inertial relaxation engine (Bitzek et al. 2006) */
    MLPOT_RELAX_LBFGS = 1 /* limited-memory BFGS with a line search (liblbfgs) */
} mlpot_relax_method;

typedef struct mlpot_relax_options {
    mlpot_relax_method method;
    double fmax;      /* converged when every free atom's |F| < fmax, eV/Å (default 0.05) */
    int max_steps;    /* force evaluations allowed (default 1000) */
    double max_step;  /* largest displacement of an atom per step, Å (default 0.2) */
    double skin;      /* neighbour-list skin, Å (default 1.0) */
    const int *fixed; /* [n_atoms] nonzero: atom stays put; NULL: all free */
    /* Cell relaxation (fully periodic structures, potentials with a virial): the cell's
     * deformation gradient joins the positions (as ASE's UnitCellFilter does) and the enthalpy
     * E + P V is minimised; converged when also every component of stress + P·1 is below smax. */
    int cell;         /* 1: relax the cell too (default 0) */
    double pressure;  /* eV/Å³, target pressure (default 0) */
    double smax;      /* eV/Å³, stress threshold (default 0.01 GPa) */
    /* Optional progress callback after each step; returning nonzero stops the relaxation. */
    int (*callback)(void *user, int step, double energy, double fmax);
    void *user;
} mlpot_relax_options;

MLPOT_API void mlpot_relax_options_default(mlpot_relax_options *opt);

typedef struct mlpot_relax_report {
    int converged; /* 1 when fmax was reached */
    int steps;     /* force evaluations used */
    double energy; /* eV, at the returned positions */
    double fmax;   /* eV/Å, largest free-atom force at the returned positions */
    double smax;   /* eV/Å³, largest |stress + P·1| component (cell relaxation; else 0) */
} mlpot_relax_report;

/* Relaxes the positions of s in place (and its cell with opt->cell). Not converging within
 * max_steps is not an error: the report says so (s holds the last positions). Errors: bad
 * options, a cell relaxation of a structure not periodic in 3D or with a potential without a
 * virial, a failing potential call (message names the step). */
MLPOT_API mlpot_status mlpot_relax(const mlpot_potential *p, mlpot_structure *s,
                                   const mlpot_relax_options *opt, mlpot_relax_report *report,
                                   mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
