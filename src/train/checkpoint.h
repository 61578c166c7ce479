/* The state of a training run between epochs, and its checkpoint file.
 *
 * File layout (version 4, native byte order, written atomically; version 3, read too, differed
 * only in its checksum, a byte-wise FNV-1a):
 *   "MLPOTTRN" · u32 version · u64 fingerprint of the configuration · i32 epoch · u64 n_params
 *   · f64 θ[n] · f64 best θ[n] · f64 Adam m[n] · f64 Adam v[n] · i64 Adam step · f64 learning
 *   rate · i32 lr wait · i32 stop wait · i32 best epoch · f64 best loss · u64 RNG state[4]
 *   · i32 rows · f64 rows[rows][TRAIN_ROW] (the learning curve) · f64 Kalman q · f64 Kalman eta · u64 size of
 *   the Kalman covariance (0 for the other optimisers) · f64 P[size] · with training.ema_decay only
 *   (the fingerprint then differs, so a reader always knows): i64 steps averaged · f64 average θ[n]
 *   · u64 checksum (train_checksum, one call per field) of all before.
 * The fingerprint covers everything that shapes the run (data, model, loss, optimiser, seed)
 * and not what may change on resume (epochs, early stopping, output paths, and since 2026-12-06
 * the step sizes training.learning_rate and training.kalman_etamax). */
#ifndef MLPOT_TRAIN_CHECKPOINT_H
#define MLPOT_TRAIN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "mlpot/status.h"

/* learning-curve row: epoch, seconds, loss, learning rate, then RMSE/MAE of energy, force and
 * stress on the training and on the validation set, then the validation loss, then RMSE/MAE of
 * charges on the training and on the validation set */
#define TRAIN_ROW 21

typedef struct train_state {
    int epoch; /* epochs completed */
    size_t n_params;
    double *theta, *best, *adam_m, *adam_v;
    int64_t adam_t;
    double lr;
    int lr_wait, stop_wait, best_epoch;
    double best_loss;
    rng shuffle;
    int n_rows, capacity;
    double *rows;
    /* the Kalman filter's covariance blocks (train/kalman.h; allocated by the trainer), process
     * noise and inverse measurement noise */
    double *kalman_p;
    size_t kalman_n;
    double kalman_q, kalman_eta;
    /* the moving average of θ (training.ema_decay), in the checkpoint when averaging is on */
    int averaging;
    int64_t average_steps;
    double *average;
} train_state;

mlpot_status train_state_init(train_state *s, size_t n_params, mlpot_error *err);
void train_state_free(train_state *s);
mlpot_status train_state_add_row(train_state *s, const double *row, mlpot_error *err);
/* Folds the current θ into the average with decay d, bias-corrected as Adam's moments are, so
 * that the first steps are not pulled towards the initial zero: after k steps the average is
 * Σ_j d^(k-j) θ_j / Σ_j d^(k-j). */
void train_state_average(train_state *s, double decay);

mlpot_status train_checkpoint_write(const char *path, uint64_t fingerprint, const train_state *s, mlpot_error *err);
/* Reads into s (initialised for the right n_params); a checkpoint of another configuration (one
 * whose fingerprint is neither of the two given: the current and the legacy one) or size, or a
 * damaged one, is an error that says so. */
mlpot_status train_checkpoint_read(const char *path, const uint64_t fingerprints[2], train_state *s, mlpot_error *err);

/* FNV-1a, for fingerprints and checksums. */
uint64_t train_fnv1a(uint64_t h, const void *data, size_t n);
/* A checksum of n bytes, folded into h, eight bytes per step (for large blocks). */
uint64_t train_checksum(uint64_t h, const void *data, size_t n);

#endif
