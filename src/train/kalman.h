/* The extended Kalman filter of n2p2's training (Blank and Brown 1994; Behler's HDNNP training),
 * one scalar measurement per update, with the error covariance P kept block-diagonal: one block
 * for all parameters (n2p2's combined update) or one per element's network, the decoupled
 * filter of Puskorius and Feldkamp (1991), which shares the scalar a = Hᵀ P H + 1/η between
 * the blocks and costs Σ_b n_b² instead of (Σ_b n_b)² per update.
 *
 * Per update of m measurements (n2p2's task batch), with H = d(predictions)/dθ (n × m) and
 * ξ = references − predictions (both in noise units):
 *   X = P H,  A = Hᵀ X + I/η,  θ += X A⁻¹ ξ,  P = P − X A⁻¹ Xᵀ + q I.
 * m measurements at once cost one pass over P for X and one for the update, as one does: the
 * work per measurement falls about m-fold while P does not fit in the caches.
 * η rises and q falls by fixed factors per update (kalman_anneal); ε sets P = I/ε at the start. */
#ifndef MLPOT_TRAIN_KALMAN_H
#define MLPOT_TRAIN_KALMAN_H

#include <stddef.h>

#include "train/loss.h"

#define TRAIN_KALMAN_MAX_M 64

typedef struct train_kalman {
    int n_blocks, max_m;
    size_t start[TRAIN_MAX_ELEMENTS + 2];    /* block b is θ[start[b], start[b+1]) */
    size_t p_offset[TRAIN_MAX_ELEMENTS + 2]; /* its P at P + p_offset[b], row-major, full */
    double *x, *ht;                          /* P H, and H transposed ([parameter][measurement]) */
    double *a;                               /* A, then its Cholesky factor */
} train_kalman;

/* Blocks from the parameter offsets of n_elements networks (decoupled) or one block; up to
 * max_measurements (≤ TRAIN_KALMAN_MAX_M) per update. 0: out of memory. */
int train_kalman_init(train_kalman *k, const size_t *offsets, int n_elements, int decoupled, int max_measurements);
void train_kalman_free(train_kalman *k);
/* Doubles in P. */
size_t train_kalman_size(const train_kalman *k);
/* P = I / epsilon. */
void train_kalman_reset(const train_kalman *k, double *P, double epsilon);
/* One update of θ and P from m measurements: H holds m rows of d(prediction)/dθ, xi the m
 * errors. Returns 0 (θ and P untouched) when A is not positive definite or the step is not
 * finite (H or P went bad), else 1. */
int train_kalman_update(const train_kalman *k, double *P, double *theta, const double *H, const double *xi, int m,
                        double eta, double q);

#endif
