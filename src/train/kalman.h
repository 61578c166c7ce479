/* The extended Kalman filter of n2p2's training (Blank and Brown 1994; Behler's HDNNP training),
 * one scalar measurement per update, with the error covariance P kept block-diagonal: one block
 * for all parameters (n2p2's combined update) or one per element's network, the decoupled
 * filter of Puskorius and Feldkamp (1991), which shares the scalar a = Hᵀ P H + 1/η between
 * the blocks and costs Σ_b n_b² instead of (Σ_b n_b)² per update.
 *
 * Per update of m measurements (n2p2's task batch), with H = d(predictions)/dθ (n × m) and
 * ξ = references − predictions (both in noise units):
 *   X = P H,  A = Hᵀ X + I/η,  θ += X A⁻¹ ξ,  P = P − X A⁻¹ Xᵀ + q I.
 * The update of P is deferred: P = P_kept − Σ_r z_r z_rᵀ + q_sum I, with X A⁻¹ Xᵀ = Z Zᵀ, and
 * X = P_kept H − Z (Zᵀ H) + q_sum H. The kept P is rewritten once TRAIN_KALMAN_PENDING columns
 * have gathered (and at train_kalman_flush), so an update reads P once instead of reading it
 * twice and writing it once: P does not fit in the caches, and the filter is bound by memory.
 * m measurements per update (n2p2's task batch) share that pass too, and both passes work on
 * eight rows of P at a time, so H and Z are read once per eight rows (each element's
 * arithmetic, and so each bit, is that of the row-by-row loops).
 * ε sets P = I/ε at the start; the caller anneals η and q. */
#ifndef MLPOT_TRAIN_KALMAN_H
#define MLPOT_TRAIN_KALMAN_H

#include <stddef.h>

#include "train/loss.h"

#define TRAIN_KALMAN_MAX_M 64
#define TRAIN_KALMAN_PENDING 32 /* deferred columns of Z (or m, when more); ≤ TRAIN_KALMAN_MAX_M */

typedef struct train_kalman {
    int n_blocks, max_m;
    size_t start[TRAIN_MAX_ELEMENTS + 2];    /* block b is θ[start[b], start[b+1]) */
    size_t p_offset[TRAIN_MAX_ELEMENTS + 2]; /* its P at P + p_offset[b], row-major, full */
    double *x, *ht;                          /* P H, and H transposed ([parameter][measurement]) */
    double *a;                               /* A, then its Cholesky factor */
    double *z;                               /* deferred columns, [column][parameter] */
    int capacity, pending;                   /* columns of z, and those in use */
    int dirty[TRAIN_MAX_ELEMENTS + 1];       /* the block has nonzero deferred columns */
    double q_sum;                            /* process noise not yet added to P's diagonal */
} train_kalman;

/* Blocks from the parameter offsets of n_elements networks (decoupled) or one block; up to
 * max_measurements (≤ TRAIN_KALMAN_MAX_M) per update. 0: out of memory. */
int train_kalman_init(train_kalman *k, const size_t *offsets, int n_elements, int decoupled, int max_measurements);
void train_kalman_free(train_kalman *k);
/* Doubles in P. */
size_t train_kalman_size(const train_kalman *k);
/* P = I / epsilon. */
void train_kalman_reset(train_kalman *k, double *P, double epsilon);
/* Applies the deferred updates to P (before P is read or saved). */
void train_kalman_flush(train_kalman *k, double *P);
/* One update of θ and P from m measurements: H holds m rows of d(prediction)/dθ, xi the m
 * errors. Returns 0 (θ and P untouched) when A is not positive definite or the step is not
 * finite (H or P went bad), else 1. */
int train_kalman_update(train_kalman *k, double *P, double *theta, const double *H, const double *xi, int m,
                        double eta, double q);

#endif
