/* Setting up a model for training: symmetry functions and networks, scaling statistics from
 * the training structures, per-element reference energies, initial parameters; and the flat
 * parameter vector the optimisers work on (element networks one after the other, n2p2 order). */
#ifndef MLPOT_TRAIN_MODEL_SETUP_H
#define MLPOT_TRAIN_MODEL_SETUP_H

#include "core/rng.h"
#include "models/nnp_model.h"
#include "mlpot/structure.h"

/* An untrained model with the given symmetry-function definitions (input.nn lines without the
 * keyword), layers (n_sf, hidden..., 1), hidden activation (linear output), scaling type (enum
 * acsf_scaling_type, n2p2's) and range. Statistics are unset (call train_model_statistics). */
mlpot_status train_model_build(nnp_model *m, const int *elements, int n_elements, char *const *lines, int n_lines,
                               int cutoff_type, double alpha, const int *hidden, int n_hidden, int activation,
                               int scaling, double smin, double smax, mlpot_error *err);

/* One network: n_inputs, the hidden layers with their activation, one linear output. */
mlpot_status train_model_network(nn *net, int n_inputs, const int *hidden, int n_hidden, int activation, mlpot_error *err);

/* min, max, mean and standard deviation of every symmetry function over the atoms of the
 * structures (in parallel, the same result for any thread count), and the scaling factors.
 * zero_range[e * max_fn + k] (may be NULL; sized by the caller) is set for functions constant
 * over the data, whose range is then widened to 1 so that they scale finitely. */
mlpot_status train_model_statistics(nnp_model *m, const mlpot_structure *const *s, size_t n, int *zero_range,
                                    mlpot_error *err);

/* Per-element energies: the least-squares (minimum-norm, for compositions that do not
 * determine them) fit of the structures' energies (less shift[q] when shift is not NULL, e.g.
 * a 4G model's electrostatic energy) on their compositions, then those given (z[k], energy[k])
 * replace fitted ones. */
mlpot_status train_model_reference_energies(nnp_model *m, const mlpot_structure *const *s, size_t n, const int *z,
                                            const double *energy, int n_given, const double *shift, mlpot_error *err);

/* Continuing a fit (model.initial_weights, n2p2's use_old_weights_short): the networks' weights,
 * scaling statistics, reference energies and energy normalisation of the model in `folder` replace
 * m's, so that the weights see the inputs and give the energies they were fitted to. The folder
 * must have m's elements, symmetry functions, network layers and activations, and scaling type and
 * range; reference energies the configuration gives (z[k], energy[k], n_given of them) must be its
 * own. Messages name the folder and what differs. */
mlpot_status train_model_adopt(nnp_model *m, const char *folder, const int *z, const double *energy, int n_given,
                               mlpot_error *err);

/* Initial parameters: weights uniform in ±sqrt(6 / (n_in + n_out)) (Glorot), the output
 * layer's scaled by 0.1 so that the first predictions are the reference energies; biases 0. */
void train_model_init_params(nnp_model *m, rng *r);

/* Start of each element's block in the flat vector (offsets[n_elements] = total). */
size_t train_model_offsets(const nnp_model *m, size_t *offsets);
void train_model_get(const nnp_model *m, const size_t *offsets, double *theta);
void train_model_set(nnp_model *m, const size_t *offsets, const double *theta);

#endif
