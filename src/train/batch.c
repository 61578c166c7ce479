#include "train/batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/error.h"

/* structures whose gradients are held at once (memory: CHUNK × parameters) */
#define CHUNK 64

mlpot_train_errors train_metrics_errors(const train_metrics *m, int e)
{
    mlpot_train_errors r = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (e < 0) {
        if (m->e_n) r.energy_rmse = sqrt(m->e_sq / m->e_n), r.energy_mae = m->e_abs / m->e_n;
        if (m->f_n) r.force_rmse = sqrt(m->f_sq / m->f_n), r.force_mae = m->f_abs / m->f_n;
        if (m->s_n) r.stress_rmse = sqrt(m->s_sq / m->s_n), r.stress_mae = m->s_abs / m->s_n;
    } else if (e < TRAIN_MAX_ELEMENTS && m->f_n_el[e]) {
        r.force_rmse = sqrt(m->f_sq_el[e] / m->f_n_el[e]), r.force_mae = m->f_abs_el[e] / m->f_n_el[e];
    }
    return r;
}

mlpot_status train_batcher_init(train_batcher *b, const nnp_model *m, const size_t *offsets, size_t n_params,
                                const train_weights *w, mlpot_error *err)
{
    memset(b, 0, sizeof *b);
    b->model = m, b->offsets = offsets, b->n_params = n_params, b->weights = *w;
#ifdef _OPENMP
    b->n_threads = omp_get_max_threads();
#else
    b->n_threads = 1;
#endif
    b->ws = calloc((size_t)b->n_threads, sizeof *b->ws);
    b->slots = calloc((size_t)CHUNK * n_params + 1, sizeof *b->slots);
    if (!b->ws || !b->slots) {
        train_batcher_free(b);
        return mlpot_fail_memory(err, "training");
    }
    for (int t = 0; t < b->n_threads; ++t) train_workspace_init(&b->ws[t]);
    return MLPOT_OK;
}

void train_batcher_free(train_batcher *b)
{
    for (int t = 0; b->ws && t < b->n_threads; ++t) train_workspace_free(&b->ws[t]);
    free(b->ws), free(b->slots);
    memset(b, 0, sizeof *b);
}

static void add_residuals(train_metrics *m, const train_residuals *r, double weight)
{
    m->loss += weight * r->loss, m->weight += weight;
    if (r->has_energy) m->e_sq += r->energy_error * r->energy_error, m->e_abs += fabs(r->energy_error), m->e_n++;
    m->f_sq += r->force_sq, m->f_abs += r->force_abs, m->f_n += r->force_n;
    m->s_sq += r->stress_sq, m->s_abs += r->stress_abs, m->s_n += r->stress_n;
    for (int e = 0; e < TRAIN_MAX_ELEMENTS; ++e)
        m->f_sq_el[e] += r->force_sq_el[e], m->f_abs_el[e] += r->force_abs_el[e], m->f_n_el[e] += r->force_n_el[e];
}

mlpot_status train_batch(train_batcher *b, const mlpot_structure *const *s, const size_t *idx, size_t n,
                         train_metrics *metrics, double *grad, mlpot_error *err)
{
    double total_weight = 0.0;
    for (size_t q = 0; q < n; ++q) total_weight += s[idx ? idx[q] : q]->weight;
    if (!(total_weight > 0)) total_weight = 1.0;
    train_residuals res[CHUNK];
    for (size_t start = 0; start < n; start += CHUNK) {
        const size_t count = n - start < CHUNK ? n - start : CHUNK;
        int failed = 0;
        mlpot_error first;
        mlpot_error_clear(&first);
        if (grad) memset(b->slots, 0, count * b->n_params * sizeof *b->slots);
#pragma omp parallel for schedule(dynamic, 1) num_threads(b->n_threads)
        for (size_t q = 0; q < count; ++q) {
#ifdef _OPENMP
            train_workspace *ws = &b->ws[omp_get_thread_num()];
#else
            train_workspace *ws = &b->ws[0];
#endif
            const mlpot_structure *st = s[idx ? idx[start + q] : start + q];
            mlpot_error local;
            if (train_structure(b->model, b->offsets, st, &b->weights, st->weight / total_weight, ws, &res[q],
                                grad ? b->slots + q * b->n_params : NULL, &local)) {
#pragma omp critical(train_batch_error)
                if (!failed) {
                    failed = 1, first = local;
                    if (st->source) mlpot_error_prepend(&first, "%s:%ld: ", st->source, st->source_line);
                }
            }
        }
        if (failed) {
            *err = first;
            return first.code;
        }
        for (size_t q = 0; q < count; ++q) { /* in order */
            add_residuals(metrics, &res[q], s[idx ? idx[start + q] : start + q]->weight);
            if (grad) {
                const double *g = b->slots + q * b->n_params;
                for (size_t k = 0; k < b->n_params; ++k) grad[k] += g[k];
            }
        }
    }
    return MLPOT_OK;
}
