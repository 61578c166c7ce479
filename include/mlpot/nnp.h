/* Behler-Parrinello neural network potentials from n2p2 model folders: input.nn, scaling.data
 * and weights.ZZZ.data (ZZZ the atomic number), as n2p2 writes them; 2nd-generation (short
 * range) and 4th-generation HDNNPs (nnp_generation 4: also weightse.ZZZ.data electronegativity
 * networks and hardness.ZZZ.data; charges by charge equilibration, Ewald electrostatics).
 *
 * The model is evaluated with n2p2's definitions (symmetry-function types, cutoff functions,
 * n2p2's sorted order of symmetry functions, scaling, data-set normalisation, activation
 * functions, atomic energy offsets) and reproduces n2p2's predictions to rounding.
 *
 * Units: a model computes in the units of its own files (n2p2 is unit-agnostic). Give them in
 * the specification to drive it in eV and Å: "FOLDER,energy_unit=Hartree,length_unit=Bohr"
 * (mlpot_potential_load). Further specification keys: extrapolation=error (fail, naming the
 * atoms, when a symmetry function leaves the range seen in training; default: count them in
 * MLPOT_OUT_EXTRAPOLATION) and unknown_keywords=ignore (load an input.nn with keywords n2p2
 * does not know; by default refused, as such a keyword might change the model).
 *
 * 4G-HDNNP: the charges (MLPOT_OUT_CHARGES) are equilibrated to the structure's total charge
 * (n2p2's `charge` line; MLPOT_LABEL_TOTAL_CHARGE), or to total_charge=Q from the
 * specification for structures without one; a structure with neither is an error. Periodic
 * cells use Ewald sums with n2p2's truncation (ewald_truncation_error_method 0 Jackson-Catlow,
 * 1 Kolafa-Perram, ewald_prec) so results match n2p2's; ewald_accuracy=δ replaces the model's
 * precision (e.g. 1e-11 for converged sums). Forces include the response of the charges.
 * Charge equilibration solves a dense system: N² memory and N³ time, as in n2p2 (a few thousand
 * atoms at most); OpenBLAS's own threads add to OpenMP's (OPENBLAS_NUM_THREADS).
 * A charged periodic cell gets the uniform neutralising background (n2p2 omits it, which makes
 * its energy depend on the Ewald splitting; charges are the same either way).
 *
 * Refused: Q-HDNNP models, normalised 4G models. Also refused rather than guessed: weights that
 * do not fit the network input.nn describes (such as the shipped n2p2 example Carbon_chain_4G,
 * whose 10-10 weight files do not fit its 15-15 input.nn), scaling.data that does not match
 * the symmetry functions, per-element network keywords that n2p2 would silently apply
 * differently. */
#ifndef MLPOT_NNP_H
#define MLPOT_NNP_H

#include <stddef.h>

#include "mlpot/export.h"
#include "mlpot/potential.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlpot_nnp_options {
    /* a compute fails, naming the atoms, when a symmetry function is outside the range of the
     * training data (scaling.data min/max), instead of only counting (MLPOT_OUT_EXTRAPOLATION) */
    int extrapolation_error;
    /* accept keywords in input.nn that n2p2 does not know (they are ignored) */
    int ignore_unknown_keywords;
    /* 4G: total charge for structures that carry none (has_total_charge != 0) */
    int has_total_charge;
    double total_charge;
    /* 4G: Ewald precision replacing the model's ewald_prec (0: the model's) */
    double ewald_accuracy;
} mlpot_nnp_options;

/* Loads the model in `folder`; options may be NULL. The potential's style is "nnp". */
MLPOT_API mlpot_status mlpot_nnp_load(const char *folder, const mlpot_nnp_options *options,
                                      mlpot_potential **out, mlpot_error *err);

/* One symmetry-function value outside the range seen in training (n2p2's "extrapolation
 * warning": more than 1000 machine epsilons outside scaling.data's [min, max]). */
typedef struct mlpot_nnp_extrapolation {
    int atom;      /* 0-based atom index */
    int function;  /* 0-based index among the functions of the atom's element, n2p2's order */
    double value;  /* the raw (unscaled) symmetry function */
    double min, max;
} mlpot_nnp_extrapolation;

/* Every extrapolating (atom, function) of s, in atom order; *records is allocated (release with
 * free()) and NULL when there are none. p must come from mlpot_nnp_load (or a plain
 * "FOLDER" specification) and s be in the model's units. */
MLPOT_API mlpot_status mlpot_nnp_extrapolations(const mlpot_potential *p, const mlpot_structure *s,
                                                mlpot_nnp_extrapolation **records, size_t *count,
                                                mlpot_error *err);

/* Describes symmetry function k (0-based, n2p2's order) of atomic number z: its definition as
 * written in input.nn and the line, e.g. "O 3: O 3 H H 0.07 -1.0 1.0 12.0 (line 58)". */
MLPOT_API mlpot_status mlpot_nnp_describe_function(const mlpot_potential *p, int z, int k,
                                                   char *buf, size_t size, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
