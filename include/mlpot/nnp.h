/* Behler-Parrinello neural network potentials from n2p2 model folders (input.nn, scaling.data,
 * weights.ZZZ.data), evaluated with n2p2's definitions (symmetry-function order, scaling,
 * data-set normalisation, activation functions) so that its published numbers are reproduced.
 *
 * Units: a model computes in the units of its own files (n2p2 is unit-agnostic); wrap it with
 * mlpot_potential_with_units() (spec "FOLDER,energy_unit=Hartree,length_unit=Bohr") to drive
 * it in eV and Å. Only 2nd-generation (short-range) models are supported; 4G-HDNNP folders are
 * refused with a message. */
#ifndef MLPOT_NNP_H
#define MLPOT_NNP_H

#include "mlpot/export.h"
#include "mlpot/potential.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlpot_nnp_options {
    /* Symmetry functions outside the range of the training data (scaling.data min/max) make a
     * compute fail, naming the atoms, instead of only being counted (MLPOT_OUT_EXTRAPOLATION). */
    int extrapolation_error;
} mlpot_nnp_options;

MLPOT_API mlpot_status mlpot_nnp_load(const char *folder, const mlpot_nnp_options *options,
                                      mlpot_potential **out, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
