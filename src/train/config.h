/* The training configuration (include/mlpot/train.h): every key, its default and meaning is in
 * the table of config.c. */
#ifndef MLPOT_TRAIN_CONFIG_H
#define MLPOT_TRAIN_CONFIG_H

#include "mlpot/elements.h"
#include "mlpot/io.h"
#include "mlpot/train.h"

enum train_optimizer { TRAIN_ADAM, TRAIN_LBFGS, TRAIN_KALMAN };
/* the statistic of the validation structures' losses that chooses the model (training.selection) */
enum train_selection { TRAIN_SELECT_MEAN, TRAIN_SELECT_MEDIAN };

#define TRAIN_MAX_LIST 16

typedef struct string_list {
    int n;
    char **items;
} string_list;

struct mlpot_train_config {
    /* data */
    string_list train, validation, test;
    double validation_fraction, test_fraction;
    int format; /* mlpot_format */
    char *energy_key, *forces_key, *stress_key;
    int energy_unit, length_unit; /* mlpot_energy_unit / mlpot_length_unit of the files */
    /* model */
    char *symmetry_functions; /* "auto" or an n2p2 input.nn (or its folder) */
    double cutoff, r_lower, cutoff_alpha; /* r_lower NaN: auto (sf_auto_r_lower) */
    int cutoff_type, n_radial, n_eta, angular_type, angular_shifted;
    int n_zetas;
    double zetas[8];
    int n_hidden;
    int hidden[TRAIN_MAX_LIST];
    int activation;
    int scaling; /* enum acsf_scaling_type */
    double scale_min, scale_max;
    int n_reference;
    char *initial_weights; /* "" or a model folder whose weights the networks start from */
    int reference_z[MLPOT_MAX_ELEMENT];
    double reference_energy[MLPOT_MAX_ELEMENT];
    /* 4G-HDNNP */
    int n_width;
    int width_z[MLPOT_MAX_ELEMENT];
    double width[MLPOT_MAX_ELEMENT];
    double initial_hardness, ewald_accuracy;
    int n_screening;
    double screening[8];
    char *electrostatics;
    /* loss */
    double energy_sigma, force_sigma, stress_sigma, charge_sigma, regularization;
    int use_forces, use_stress;
    /* training */
    int stage; /* enum train_stage (train/loss.h) */
    int optimizer, epochs, batch_size, lr_patience, lbfgs_iterations, early_stopping, resume, cache_memory;
    int selection; /* enum train_selection */
    int keep_last; /* write the last epoch's model, not the best loss's */
    double learning_rate, lr_decay, lr_min;
    unsigned long long seed;
    /* Kalman filter (train/kalman.h) */
    double kalman_epsilon, kalman_q0, kalman_qtau, kalman_qmin, kalman_eta, kalman_etatau, kalman_etamax;
    int kalman_decoupled, kalman_batch, threshold_trials;
    double energy_fraction, force_fraction, stress_fraction, force_weight, energy_threshold, force_threshold;
    double ema_decay; /* moving average of the parameters (0: none) */
    /* output */
    char *directory, *learning_curve, *checkpoint;
};

/* model.scaling's name of a scaling type (enum acsf_scaling_type). */
const char *train_scaling_name(int type);

#endif
