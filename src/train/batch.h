/* Loss, gradient and error metrics over a list of structures, in parallel over structures with
 * a fixed-order reduction: the same numbers for any thread count. */
#ifndef MLPOT_TRAIN_BATCH_H
#define MLPOT_TRAIN_BATCH_H

#include "mlpot/train.h"
#include "train/loss.h"

typedef struct train_metrics {
    double loss, weight;               /* Σ w_s L_s, Σ w_s */
    double e_sq, e_abs;
    long e_n;
    double f_sq, f_abs;
    long f_n;
    double s_sq, s_abs;
    long s_n;
    double f_sq_el[TRAIN_MAX_ELEMENTS], f_abs_el[TRAIN_MAX_ELEMENTS];
    long f_n_el[TRAIN_MAX_ELEMENTS];
    double q_sq, q_abs;
    long q_n;
} train_metrics;

/* RMSE and MAE from sums (NAN where nothing was counted); e: -1 overall, else the element's
 * forces only. */
mlpot_train_errors train_metrics_errors(const train_metrics *m, int e);

typedef struct train_batcher {
    const nnp_model *model;
    const size_t *offsets;
    size_t n_params;
    train_weights weights;
    int n_threads;
    train_workspace *ws; /* one per thread */
    double *slots;       /* per-structure gradients of a chunk */
    size_t n_slots;
    /* kept per-structure data (loss.h), found by the structure's address */
    const mlpot_structure **cache_key;
    train_cache *cache;
    size_t cache_capacity, cache_used; /* hash slots (a power of two), filled slots */
    size_t cache_budget, cache_bytes;  /* bytes allowed and kept */
} train_batcher;

/* cache_budget: bytes of per-structure data kept between passes (0: none). */
mlpot_status train_batcher_init(train_batcher *b, const nnp_model *m, const size_t *offsets, size_t n_params,
                                const train_weights *w, size_t cache_budget, mlpot_error *err);
void train_batcher_free(train_batcher *b);

/* Structures s[idx[0..n)] (idx NULL: s[0..n)). Adds to *metrics; with grad (n_params, zeroed by
 * the caller) adds d/dθ of Σ w_s L_s / Σ w_s over these structures; with losses (n) stores each
 * structure's own loss L_s, unweighted, in the order listed. */
mlpot_status train_batch(train_batcher *b, const mlpot_structure *const *s, const size_t *idx, size_t n,
                         train_metrics *metrics, double *grad, double *losses, mlpot_error *err);

/* One label of one structure on the calling thread, with its kept data (train_structure_jacobian:
 * component -1 the energy per atom, else a force component). */
mlpot_status train_batch_jacobian(train_batcher *b, const mlpot_structure *s, long component, double *error,
                                  double *jacobian, mlpot_error *err);

#endif
