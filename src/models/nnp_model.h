/* A Behler-Parrinello high-dimensional neural network potential (2nd generation), as n2p2
 * defines it. Internal: the potential (nnp.c), the loader (nnp_load.c), the writer
 * (nnp_write.c) and the trainer use it.
 *
 * Energy in the model's own units (those of its training data):
 *   E = Σ_i [ NN_{Z_i}(G̃_i) / c_E + ē + e0(Z_i) ]        with data-set normalisation
 *   E = Σ_i [ NN_{Z_i}(G̃_i) + e0(Z_i) ]                  without
 * G̃ the scaled symmetry functions (acsf_scaling.h), c_E = conv_energy, ē = mean_energy, e0 the
 * atom_energy offsets. n2p2 evaluates a normalised model in scaled lengths (x' = c_L x, η' =
 * η/c_L², r' = c_L r); the symmetry functions are dimensionless and identical, so they are
 * evaluated here in the model's length unit, and forces follow as -dE/dx directly. */
#ifndef MLPOT_MODELS_NNP_MODEL_H
#define MLPOT_MODELS_NNP_MODEL_H

#include "descriptors/acsf_scaling.h"
#include "descriptors/acsf_set.h"
#include "mlpot/nnp.h"
#include "models/network.h"

typedef struct nnp_model {
    acsf_set acsf;
    acsf_scaling scaling;
    nn *nets;                /* [acsf.n_elements] short-range networks */
    double *offset;          /* [acsf.n_elements] atom_energy */
    int normalize;
    double mean_energy, conv_energy, conv_length;
    int extrapolation_error; /* option: symmetry functions outside the scaling range fail */
    char *path;
} nnp_model;

/* Loads an n2p2 folder into m (nnp_load.c). */
mlpot_status nnp_model_load(const char *folder, const mlpot_nnp_options *opt, nnp_model *m, mlpot_error *err);
void nnp_model_free(nnp_model *m);

/* A potential that owns the (heap-allocated) model m; on failure m is freed too. */
mlpot_status nnp_potential_from_model(nnp_model *m, mlpot_potential **out, mlpot_error *err);

/* Writes m as an n2p2 model folder (input.nn, scaling.data, weights.ZZZ.data; created if
 * needed), each file atomically. `comment` (may be NULL) heads input.nn as # lines. */
mlpot_status nnp_model_write(const nnp_model *m, const char *folder, const char *comment, mlpot_error *err);

/* Multiplies the network's output (and its gradient) into the model's energy unit. */
static inline double nnp_energy_scale(const nnp_model *m)
{
    return m->normalize ? 1.0 / m->conv_energy : 1.0;
}

/* The energy added to every atom's network output: ē (normalised models) + e0 of element e. */
static inline double nnp_energy_shift(const nnp_model *m, int e)
{
    return (m->normalize ? m->mean_energy : 0.0) + m->offset[e];
}

#endif
