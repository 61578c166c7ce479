/* The potential interface: every model (NN, GAP, classical, Ewald, a sum of potentials)
 * implements it, and MD, relaxation, fitting and every interface consume only it.
 *
 * A potential declares its cutoff, the species it supports and the outputs it can compute.
 * The caller asks for a subset (a request, as KIM API's compute arguments) and gets only those;
 * asking for an output the potential cannot give is an error, and so is a structure with a
 * species it does not support.
 *
 * Sign conventions: forces = -dE/dx; virial W = -dE/dε (ε the symmetric strain, x -> (1+ε)x),
 * so W = Σ_pairs d ⊗ f for pair forces and stress = -W/V (ASE's sign). */
#ifndef MLPOT_POTENTIAL_H
#define MLPOT_POTENTIAL_H

#include "mlpot/export.h"
#include "mlpot/neighbours.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"
#include "mlpot/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Outputs: bits of a request and of a potential's capabilities. */
enum mlpot_output {
    MLPOT_OUT_ENERGY = 1u << 0,          /* total energy, eV */
    MLPOT_OUT_FORCES = 1u << 1,          /* forces[3n], eV/Å */
    MLPOT_OUT_VIRIAL = 1u << 2,          /* virial[9], eV (stress = -virial/volume) */
    MLPOT_OUT_ATOM_ENERGIES = 1u << 3,   /* atom_energies[n], sum to the energy */
    MLPOT_OUT_ATOM_VIRIALS = 1u << 4,    /* atom_virials[9n], sum to the virial */
    MLPOT_OUT_ATOM_VARIANCES = 1u << 5,  /* atom_variances[n]: variance of each local energy */
    MLPOT_OUT_ENERGY_VARIANCE = 1u << 6, /* energy_variance: variance of the total energy */
    MLPOT_OUT_CHARGES = 1u << 7,         /* charges[n], e */
    MLPOT_OUT_EXTRAPOLATION = 1u << 8    /* atom_extrapolations[n]: how many of each atom's
                                            descriptor components lie outside the range seen
                                            in training (0 when inside) */
};

/* What a compute call produced. Arrays are sized for n_atoms by the library; initialise with
 * mlpot_result_init() and release with mlpot_result_free(). Only outputs in `computed` are
 * meaningful. */
typedef struct mlpot_result {
    int n_atoms;
    unsigned computed;
    double energy;
    double *forces;
    double virial[9];
    double *atom_energies;
    double *atom_virials;
    double *atom_variances;
    double energy_variance;
    double *charges;
    int *atom_extrapolations;
    int capacity; /* private */
    /* private: work buffers the implementations reuse from call to call */
    void *scratch[8];
    size_t scratch_size[8];
    struct mlpot_result *inner; /* private: a committee's members' result */
} mlpot_result;

MLPOT_API void mlpot_result_init(mlpot_result *r);
MLPOT_API void mlpot_result_free(mlpot_result *r);
/* Stress in eV/Å³ from the virial of r and the structure's volume. */
MLPOT_API mlpot_status mlpot_result_stress(const mlpot_result *r, const mlpot_structure *s,
                                           double stress[9], mlpot_error *err);

typedef struct mlpot_potential mlpot_potential;

/* What a potential implementation declares about itself. */
typedef struct mlpot_potential_info {
    const char *style;   /* short name, e.g. "sw", "eam/alloy", "nnp" */
    double cutoff;       /* interaction range, Å */
    unsigned outputs;    /* enum mlpot_output bits it can compute */
    int needs_full_list; /* 1: needs a full list; 0: works on a full or half list */
    int n_species;       /* number of supported atomic numbers; 0 means any species */
    const int *species;  /* [n_species] supported atomic numbers (copied) */
} mlpot_potential_info;

/* An implementation: compute ADDS its contributions to the requested fields of `out`, which
 * the library has sized and zeroed (so a sum passes one result to every member). It must not
 * modify `state` (compute may be called from several threads at once) and must fill every
 * requested output it declared. The neighbour list was built with at least the declared
 * cutoff; pairs beyond the cutoff (the skin) are to be skipped. */
typedef struct mlpot_potential_ops {
    mlpot_status (*compute)(const void *state, const mlpot_structure *s,
                            const mlpot_neighbour_list *nl, unsigned request, mlpot_result *out,
                            mlpot_error *err);
    void (*destroy)(void *state);
    /* optional: a one-line description of the parameters (for logs), written into buf */
    void (*describe)(const void *state, char *buf, size_t size);
} mlpot_potential_ops;

/* Wraps an implementation. Takes ownership of state (destroyed with ops->destroy, also on
 * failure). */
MLPOT_API mlpot_status mlpot_potential_create(const mlpot_potential_ops *ops, void *state,
                                              const mlpot_potential_info *info,
                                              mlpot_potential **out, mlpot_error *err);
MLPOT_API void mlpot_potential_free(mlpot_potential *p);

MLPOT_API const char *mlpot_potential_style(const mlpot_potential *p);
MLPOT_API double mlpot_potential_cutoff(const mlpot_potential *p);
MLPOT_API unsigned mlpot_potential_outputs(const mlpot_potential *p);
MLPOT_API int mlpot_potential_needs_full_list(const mlpot_potential *p);
/* 1 when the potential handles atomic number z. */
MLPOT_API int mlpot_potential_supports(const mlpot_potential *p, int z);
/* Writes a one-line description (style and parameters). */
MLPOT_API void mlpot_potential_describe(const mlpot_potential *p, char *buf, size_t size);
/* The implementation state, for code that knows the style (NULL-safe). */
MLPOT_API const void *mlpot_potential_state(const mlpot_potential *p);

/* MLPOT_ERR_UNSUPPORTED naming the first species of s the potential does not handle. */
MLPOT_API mlpot_status mlpot_potential_check_species(const mlpot_potential *p,
                                                     const mlpot_structure *s, mlpot_error *err);

/* Computes the requested outputs for s with a neighbour list the caller built (at least the
 * potential's cutoff; full if the potential needs it). Checks species, request and list, sizes
 * and zeroes the result, then fills it. Non-finite outputs are an MLPOT_ERR_NUMERIC error. */
MLPOT_API mlpot_status mlpot_potential_compute(const mlpot_potential *p, const mlpot_structure *s,
                                               const mlpot_neighbour_list *nl, unsigned request,
                                               mlpot_result *out, mlpot_error *err);

/* The same, building the neighbour list itself (for one-off evaluations). */
MLPOT_API mlpot_status mlpot_potential_evaluate(const mlpot_potential *p, const mlpot_structure *s,
                                                unsigned request, mlpot_result *out,
                                                mlpot_error *err);

/* A potential that adds up its members: cutoff the largest, outputs the common ones, species
 * those every member supports. Takes ownership of the members (also on failure); the array
 * itself stays the caller's. */
MLPOT_API mlpot_status mlpot_potential_sum(mlpot_potential **members, int n_members,
                                           mlpot_potential **out, mlpot_error *err);

/* A committee: the mean of its members' energies, forces, virials, local energies and virials
 * and charges (each member a model of the whole system, e.g. networks trained with other
 * seeds), with the members' spread about the mean (1/K normalised) as energy_variance and
 * atom_variances, and the largest extrapolation count of any member. Cutoff, list and species
 * as for a sum. Takes ownership of the members (also on failure). */
MLPOT_API mlpot_status mlpot_potential_committee(mlpot_potential **members, int n_members,
                                                 mlpot_potential **out, mlpot_error *err);

/* A potential in other units: `inner` computes in energy unit eu and length unit lu (an n2p2
 * model fitted in Hartree and Bohr, say); the wrapper takes and returns eV and Å. Takes
 * ownership of inner (also on failure). */
MLPOT_API mlpot_status mlpot_potential_with_units(mlpot_potential *inner, mlpot_energy_unit eu,
                                                  mlpot_length_unit lu, mlpot_potential **out,
                                                  mlpot_error *err);

/* Loads a potential from a specification string:
 *   STYLE:ARG[,ARG...]  a classical style with files and key=value parameters, e.g.
 *                       "sw:Si.sw", "eam/alloy:Cu.eam.alloy", "eam:Cu_u3.eam,Ni_u3.eam",
 *                       "tersoff:SiC.tersoff", "lj:epsilon=0.0104,sigma=3.4,cutoff=8.5",
 *                       "zbl:inner=1.2,outer=2.0"
 *   PATH[,ARG...]       a model file or folder, its kind detected from its content, with
 *                       optional arguments, e.g. "H2O/,energy_unit=Hartree,length_unit=Bohr"
 *                       to declare the units of a unit-agnostic model (n2p2).
 * mlpot_potential_styles() lists the styles with their arguments, one per line. */
MLPOT_API mlpot_status mlpot_potential_load(const char *spec, mlpot_potential **out,
                                            mlpot_error *err);
MLPOT_API const char *mlpot_potential_styles(void);

#ifdef __cplusplus
}
#endif

#endif
