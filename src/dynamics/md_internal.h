/* The integrator's state, shared by the integration steps, the thermostats and checkpoints. */
#ifndef MLPOT_DYNAMICS_MD_INTERNAL_H
#define MLPOT_DYNAMICS_MD_INTERNAL_H

#include "core/normal_ziggurat.h"
#include "core/rng.h"
#include "mlpot/dynamics.h"

struct mlpot_md {
    const mlpot_potential *pot; /* borrowed */
    mlpot_md_options opt;
    mlpot_structure s;     /* owned copy; s.masses always set */
    double *velocities;    /* [3n] Å/fs */
    unsigned char *fixed;  /* [n] 1: the atom does not move */
    int n_free;
    double *kick_factor;   /* [n] kick_h / (m_i · MLPOT_AMU_A2_PER_FS2_EV), 0 for fixed atoms */
    double kick_h;         /* the h kick_factor was computed for */
    int kick_valid;        /* 0 after masses or the fixed mask changed */
    mlpot_neighbour_list nl;     /* every pair within cutoff + skin, searched when atoms moved
                                    more than skin/2 */
    mlpot_neighbour_list near;   /* the pairs of nl within the cutoff, selected each step: what
                                    the potential gets, so it never walks the skin's pairs */
    int force_rebuild;     /* positions jumped (checkpoint loaded): search again */
    long rebuilds;
    mlpot_result r;
    unsigned request;
    rng noise;             /* thermostat and barostat stream (Bussi, stochastic cell rescaling) */
    normal_ziggurat normal; /* tables of the Langevin thermostat's normal deviates */
    double *langevin_heat; /* [n] per-atom m (v'² - v²) of the last Langevin O step */
    double *thermal_speed; /* [n] sqrt(kT/m) for thermal_kt (Langevin), Å/fs */
    double thermal_kt;     /* the kT it was computed for */
    int thermal_valid;     /* 0 after masses changed */
    /* wall time of mlpot_md_run (mlpot_md_state): all of it, the potential's calls, and the
     * neighbour-list searches and per-step selections */
    double seconds_run, seconds_force, seconds_neighbours;
    int running;           /* inside mlpot_md_run: the force calls count to its timers */
    long step;
    double time;           /* fs */
    double heat;           /* eV given to the system by the thermostat */
    double baro_heat;      /* eV given to the system by the barostat (all it changed of
                              E_pot + E_kin + P V) */
    double strain[3][3];   /* the barostat's logarithmic strain of this step (symmetric) */
    double nhc_xi[MLPOT_NHC_MAX];  /* Nosé-Hoover chain positions (dimensionless) */
    double nhc_v[MLPOT_NHC_MAX];   /* and velocities, 1/fs */
};

/* Degrees of freedom in the temperature: 3 per free atom, less the 3 of the centre-of-mass
 * momentum when no atom is fixed and the ensemble conserves it (NVE, Bussi); a Langevin bath
 * kicks the centre of mass too, so there it is a thermalised degree of freedom. */
int md_degrees_of_freedom(const mlpot_md *md);
/* Kinetic energy of the free atoms, eV. */
double md_kinetic_energy(const mlpot_md *md);

/* Thermostat kernels (thermostat.c). */
/* The A O A middle of a BAOAB Langevin step over the free atoms, in one pass: x += h/2 v, then
 * the O step v <- c1 v + sqrt((1 - c1²) kT/m) ξ, c1 = exp(-γ h), then x += h/2 v. The
 * deviates of step k come from generators seeded by (seed, k, block of 64 atoms), not from one
 * stream: the blocks are updated in parallel and the numbers do not depend on the thread count,
 * and a resumed run, knowing its step, draws the same ones. */
void md_langevin_aoa(mlpot_md *md, double h);
/* Bussi et al. (2007) rescaling of the free atoms' velocities over a time h. */
void md_bussi(mlpot_md *md, double h);
/* A Gamma(shape, 1) deviate (Marsaglia and Tsang 2000), shape > 0. */
double md_gamma_deviate(rng *r, double shape);

/* Nosé-Hoover chain (nose_hoover.c): propagates the chain and scales the velocities over a time
 * h (a half step), and sets md->heat to minus the chain's energy. */
void md_nhc_half_step(mlpot_md *md, double h);

/* Stochastic cell rescaling (barostat.c). md_barostat_strain draws this step's strain from the
 * pressure at the start of the step (md->strain); md_barostat_apply scales cell, positions and
 * velocities by it and books the first half of the energy it changed; md_barostat_finish books
 * the second half once the virial at the new positions is known. */
void md_barostat_strain(mlpot_md *md, double h);
void md_barostat_apply(mlpot_md *md);
void md_barostat_finish(mlpot_md *md);
/* Pressure tensor (Σ m v⊗v + W) / V, eV/Å³; 0 when the volume or the virial is missing. */
int md_pressure_tensor(const mlpot_md *md, double p[9]);

#endif
