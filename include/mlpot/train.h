/* Training Behler-Parrinello neural network potentials by force matching.
 *
 * The loss over the training structures s (weights w_s, N_s atoms) is
 *
 *   L = Σ_s w_s [ (ΔE_s / N_s)² / σ_E²  +  Σ_i |ΔF_i|² / σ_F²  +  Σ_ab Δσ_ab² / σ_S² ] / Σ_s w_s
 *       + λ Σ θ²
 *
 * with σ_E, σ_F, σ_S the noise levels of the labels (energy per atom, force component,
 * stress component) and θ the network parameters: every label counts as one observation
 * with its noise, so a structure of N atoms brings one energy and 3N force components.
 * The weights w_s are the structures' (extxyz config_weight, default 1; a structure of weight 0
 * counts nowhere: loss, reference energies, scaling statistics, reported errors, the Kalman
 * filter's measurements) and σ are the run's (loss.*_sigma) unless a structure gives its own
 * with gap_fit's per-configuration keys, absolute as gap_fit reads them: energy_sigma (eV, of
 * its energy: σ_E = energy_sigma/N), force_sigma (eV/Å), virial_sigma (eV: σ_S = virial_sigma/V).
 * The gradient is analytic: the force and stress terms go through the derivative of dE/dG
 * with respect to θ (forces are -Σ dE/dG dG/dx), computed per atom as a tangent of the network
 * along the residuals contracted with the symmetry-function derivatives.
 *
 * Optimisers: Adam on mini-batches, L-BFGS on the full batch (liblbfgs), and n2p2's extended
 * Kalman filter, which updates θ from one label at a time (an energy per atom or one force
 * component, or a batch of them) with their Jacobians d(prediction)/dθ and errors in units of
 * their σ, and keeps the error covariance per element's network (decoupled) or for all. With
 * loss.stress it also takes stress components as measurements, which n2p2's filter does not.
 *
 * 4th-generation HDNNPs (charge equilibration and Ewald electrostatics, nnp_generation 4) train
 * in n2p2's two stages. training.stage = charges fits the electronegativity networks and the
 * hardnesses J_e = h_e² to reference charges (e.g. Hirshfeld), L = Σ_s w_s Σ_i Δq_i²/σ_q², the
 * charges' derivatives coming from one adjoint solve of the QEq system per structure; the model
 * folder then holds weightse.ZZZ.data and hardness.ZZZ.data. training.stage = energy with
 * model.electrostatics = that folder fits new short-range networks, whose last input is the
 * charge, to E - E_elec and to the forces and stress, which include Σ_i ∂E_short/∂q_i dq_i/dx
 * through the charges' Jacobian kept per structure (one factorisation, 3N + 9 right-hand sides);
 * the folder written is a complete 4G model that n2p2 and mlpot evaluate.
 *
 * Everything is set through string keys ("section.key", listed with their defaults and meaning
 * by mlpot_train_config_describe) from a YAML file and/or the command line. All randomness
 * (split, initial weights, mini-batches) comes from one seed; results do not depend on the
 * number of threads; a checkpoint is written atomically after every epoch and a resumed run
 * ends bit-identical to an uninterrupted one. The model is written as an n2p2 folder. */
#ifndef MLPOT_TRAIN_H
#define MLPOT_TRAIN_H

#include <stddef.h>

#include "mlpot/export.h"
#include "mlpot/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlpot_train_config mlpot_train_config;

MLPOT_API mlpot_status mlpot_train_config_create(mlpot_train_config **out, mlpot_error *err);
MLPOT_API void mlpot_train_config_free(mlpot_train_config *c);
/* Sets one key from text (lists: comma- or space-separated; maps such as
 * model.reference_energies: "H=-13.6,O=-2040"). Unknown keys and wrong values are errors that
 * name the key (and suggest the nearest valid one). */
MLPOT_API mlpot_status mlpot_train_config_set(mlpot_train_config *c, const char *key, const char *value,
                                              mlpot_error *err);
/* The current value of a key as text (as mlpot_train_config_describe writes it, strings
 * unquoted). */
MLPOT_API mlpot_status mlpot_train_config_get(const mlpot_train_config *c, const char *key, char *buf, size_t size,
                                              mlpot_error *err);
/* Reads a YAML file of sections and keys (see mlpot_train_config_describe); messages name the
 * file and line. */
MLPOT_API mlpot_status mlpot_train_config_read(mlpot_train_config *c, const char *path, mlpot_error *err);
/* Reads an n2p2 training input.nn instead: its symmetry functions, networks, seed, epochs,
 * test_fraction (as the validation fraction), optimiser (updater_type: Kalman filter or Adam),
 * Kalman parameters, update fractions, thresholds, task batch, force_weight, use_short_forces,
 * atom_energy, and input.data beside it as the training data (unless data.train is set).
 * n2p2 measures errors in the data's units and mlpot in units of loss.energy_sigma and
 * loss.force_sigma, which the file does not set. Keywords whose effect mlpot does not reproduce
 * (normalize_nodes, the fading-memory filter, ...) are errors naming the line.
 * mlpot_train_config_read reads a file whose name ends in ".nn" this way. */
MLPOT_API mlpot_status mlpot_train_config_read_n2p2(mlpot_train_config *c, const char *path, mlpot_error *err);
/* Writes every key with its current value and a comment (a complete, valid YAML file). */
MLPOT_API void mlpot_train_config_describe(const mlpot_train_config *c, char *buf, size_t size);

/* What the trainer reports after each epoch (and once before the first, epoch 0). RMSE and MAE
 * in the data's units: energy per atom, force components, stress components. NAN when a set is
 * empty or lacks the label. */
typedef struct mlpot_train_errors {
    double energy_rmse, energy_mae, force_rmse, force_mae, stress_rmse, stress_mae;
    double charge_rmse, charge_mae; /* per atom, e (4G models' charges stage) */
} mlpot_train_errors;

typedef struct mlpot_train_progress {
    int epoch, epochs;
    double loss;           /* training loss of the epoch (as optimised) */
    mlpot_train_errors train, validation;
    double learning_rate;  /* Adam's step size; the Kalman filter's eta */
    double elapsed_s;      /* since the start (or resume) */
    double epoch_s;        /* this epoch */
    int best_epoch;        /* the model kept so far: lowest validation loss, or the last (training.keep_last) */
    const char *message;   /* a note ("resumed from ...", "early stop", ...) or NULL */
} mlpot_train_progress;

typedef void (*mlpot_train_callback)(const mlpot_train_progress *p, void *user);

/* Final errors on the test set, overall and per element (forces of atoms of that element). */
typedef struct mlpot_train_report {
    int n_train, n_validation, n_test; /* structures */
    int epochs_run, best_epoch; /* best_epoch: the model written (see mlpot_train_progress) */
    mlpot_train_errors test;
    int n_elements;
    int elements[16];
    mlpot_train_errors test_by_element[16];
    int n_parameters;
    /* the generated symmetry functions' inner grid edge, Å (NaN when they were read from a
     * file), and with model.radial_r_lower: auto the closest training pair it came from (NaN
     * otherwise) */
    double radial_r_lower, closest_pair;
    double seconds;     /* this invocation */
    double seconds_all; /* with the runs a resume went on from (the learning curve's time_s) */
    /* Empty, or a warning that a few validation structures carry most of the kept model's
     * validation loss (named by file and line or frame), so that they, not the bulk, chose the
     * epoch kept under training.selection: mean. */
    char validation_note[2048];
} mlpot_train_report;

/* Runs the training the configuration describes (resuming from its checkpoint when
 * training.resume is set), writes the model, learning curve and checkpoint, and fills report.
 * The callback (may be NULL) sees every epoch. */
MLPOT_API mlpot_status mlpot_train(const mlpot_train_config *c, mlpot_train_callback callback, void *user,
                                   mlpot_train_report *report, mlpot_error *err);

#ifdef __cplusplus
}
#endif

#endif
