/* A Behler-Parrinello high-dimensional neural network potential (2nd generation), as n2p2
 * defines it. Internal: the potential (nnp.c) and the trainer use it.
 *
 * Energy in the model's own units (those of its training data):
 *   E = Σ_i [ NN_{Z_i}(G̃_i) / c_E + ē + e0(Z_i) ]        with data-set normalisation
 *   E = Σ_i [ NN_{Z_i}(G̃_i) + e0(Z_i) ]                  without
 * G̃ the scaled symmetry functions (scaling.data), c_E = conv_energy, ē = mean_energy, e0 the
 * atom_energy offsets. Symmetry functions are dimensionless, so they are evaluated in the model's
 * length unit directly; conv_length only matters for training. */
#ifndef MLPOT_MODELS_NNP_MODEL_H
#define MLPOT_MODELS_NNP_MODEL_H

#include "descriptors/acsf_set.h"
#include "models/network.h"

enum nnp_scaling { NNP_SCALE_NONE, NNP_SCALE, NNP_CENTER, NNP_SCALE_CENTER, NNP_SCALE_SIGMA };

typedef struct nnp_element {
    double offset;                /* atom_energy */
    double *gmin, *gmax, *gmean, *gsigma, *factor, *shift; /* G̃ = smin + factor (G - shift) */
    nn net;
} nnp_element;

typedef struct nnp_model {
    acsf_set acsf;
    nnp_element *elements;        /* [acsf.n_elements] */
    int scaling;
    double smin, smax;
    int normalize;
    double mean_energy, conv_energy, conv_length;
    int extrapolation_error;      /* option: symmetry functions outside the scaling range fail */
    char *path;
} nnp_model;

/* Loads an n2p2 folder into m (the potential wrapper and the trainer use this). */
#include "mlpot/nnp.h"
mlpot_status mlpot_nnp_model_load(const char *folder, const mlpot_nnp_options *opt, nnp_model *m,
                                  mlpot_error *err);
void nnp_model_free(nnp_model *m);

/* factor and shift of every element's functions from the scaling type and statistics. */
mlpot_status nnp_model_scaling_factors(nnp_model *m, mlpot_error *err);
/* A potential that owns the (heap-allocated) model m; on failure m is freed too. */
mlpot_status nnp_potential_from_model(nnp_model *m, mlpot_potential **out, mlpot_error *err);
/* Writes m as an n2p2 model folder (input.nn, scaling.data, weights.ZZZ.data; created if
 * needed), each file atomically. `comment` (may be NULL) heads input.nn as # lines. */
mlpot_status nnp_model_write(const nnp_model *m, const char *folder, const char *comment, mlpot_error *err);

/* Scaled symmetry functions of one element from raw ones, and the number outside the range
 * seen in training (scaling.data's min/max). */
int nnp_scale(const nnp_model *m, int e, const double *G, double *scaled);

#endif
