/* The integrator's state, shared by the integration steps, the thermostats and checkpoints. */
#ifndef MLPOT_DYNAMICS_MD_INTERNAL_H
#define MLPOT_DYNAMICS_MD_INTERNAL_H

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
    mlpot_neighbour_list nl;
    int force_rebuild;     /* positions jumped (checkpoint loaded): search again */
    long rebuilds;
    mlpot_result r;
    unsigned request;
    rng noise;             /* thermostat stream */
    long step;
    double time;           /* fs */
    double heat;           /* eV given to the system by the thermostat */
};

/* Degrees of freedom in the temperature: 3 per free atom, less the 3 of the centre-of-mass
 * momentum when no atom is fixed and the ensemble conserves it (NVE, Bussi); a Langevin bath
 * kicks the centre of mass too, so there it is a thermalised degree of freedom. */
int md_degrees_of_freedom(const mlpot_md *md);
/* Kinetic energy of the free atoms, eV. */
double md_kinetic_energy(const mlpot_md *md);

/* Thermostat kernels (thermostat.c). */
/* Langevin O step over the free atoms: v <- c1 v + sqrt((1 - c1²) kT/m) ξ, c1 = exp(-γ h). */
void md_langevin_o(mlpot_md *md, double h);
/* Bussi et al. (2007) rescaling of the free atoms' velocities over a time h. */
void md_bussi(mlpot_md *md, double h);
/* A Gamma(shape, 1) deviate (Marsaglia and Tsang 2000), shape > 0. */
double md_gamma_deviate(rng *r, double shape);

#endif
