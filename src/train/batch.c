#include "train/batch.h"

#include <math.h>
#include <stdint.h>
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
    mlpot_train_errors r = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    if (e < 0) {
        if (m->q_n) r.charge_rmse = sqrt(m->q_sq / m->q_n), r.charge_mae = m->q_abs / m->q_n;
        if (m->e_n) r.energy_rmse = sqrt(m->e_sq / m->e_n), r.energy_mae = m->e_abs / m->e_n;
        if (m->f_n) r.force_rmse = sqrt(m->f_sq / m->f_n), r.force_mae = m->f_abs / m->f_n;
        if (m->s_n) r.stress_rmse = sqrt(m->s_sq / m->s_n), r.stress_mae = m->s_abs / m->s_n;
    } else if (e < TRAIN_MAX_ELEMENTS && m->f_n_el[e]) {
        r.force_rmse = sqrt(m->f_sq_el[e] / m->f_n_el[e]), r.force_mae = m->f_abs_el[e] / m->f_n_el[e];
    }
    return r;
}

mlpot_status train_batcher_init(train_batcher *b, const nnp_model *m, const size_t *offsets, size_t n_params,
                                const train_weights *w, size_t cache_budget, mlpot_error *err)
{
    memset(b, 0, sizeof *b);
    b->model = m, b->offsets = offsets, b->n_params = n_params, b->weights = *w;
    b->cache_budget = cache_budget;
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
    for (size_t k = 0; b->cache && k < b->cache_capacity; ++k)
        if (b->cache_key[k]) train_cache_free(&b->cache[k]);
    free(b->cache), free(b->cache_key);
    for (int t = 0; b->ws && t < b->n_threads; ++t) train_workspace_free(&b->ws[t]);
    free(b->ws), free(b->slots);
    memset(b, 0, sizeof *b);
}

static void add_residuals(train_metrics *m, const train_residuals *r, double weight)
{
    m->loss += weight * r->loss, m->weight += weight;
    if (!(weight > 0)) return; /* the errors are those of the structures the loss counts */
    if (r->has_energy) m->e_sq += r->energy_error * r->energy_error, m->e_abs += fabs(r->energy_error), m->e_n++;
    m->f_sq += r->force_sq, m->f_abs += r->force_abs, m->f_n += r->force_n;
    m->s_sq += r->stress_sq, m->s_abs += r->stress_abs, m->s_n += r->stress_n;
    m->q_sq += r->charge_sq, m->q_abs += r->charge_abs, m->q_n += r->charge_n;
    for (int e = 0; e < TRAIN_MAX_ELEMENTS; ++e)
        m->f_sq_el[e] += r->force_sq_el[e], m->f_abs_el[e] += r->force_abs_el[e], m->f_n_el[e] += r->force_n_el[e];
}

/* The cache slot of structure s, or NULL when it has none. With insert, an absent s is
 * inserted (NULL when the table cannot grow); inserting may move every slot, so pointers from
 * earlier calls are stale after an insertion. */
static train_cache *cache_slot(train_batcher *b, const mlpot_structure *s, int insert)
{
    if (b->cache_capacity) {
        size_t h = ((uintptr_t)s >> 4) * 0x9E3779B97F4A7C15ull & (b->cache_capacity - 1);
        while (b->cache_key[h] && b->cache_key[h] != s) h = (h + 1) & (b->cache_capacity - 1);
        if (b->cache_key[h]) return &b->cache[h];
    }
    if (!insert) return NULL;
    if (2 * (b->cache_used + 1) > b->cache_capacity) { /* grow: rehash */
        size_t capacity = b->cache_capacity ? 2 * b->cache_capacity : 256;
        const mlpot_structure **key = calloc(capacity, sizeof *key);
        train_cache *cache = calloc(capacity, sizeof *cache);
        if (!key || !cache) {
            free(key), free(cache);
            return NULL;
        }
        for (size_t k = 0; k < b->cache_capacity; ++k) {
            if (!b->cache_key[k]) continue;
            size_t h = ((uintptr_t)b->cache_key[k] >> 4) * 0x9E3779B97F4A7C15ull & (capacity - 1);
            while (key[h]) h = (h + 1) & (capacity - 1);
            key[h] = b->cache_key[k], cache[h] = b->cache[k];
        }
        free(b->cache_key), free(b->cache);
        b->cache_key = key, b->cache = cache, b->cache_capacity = capacity;
    }
    size_t h = ((uintptr_t)s >> 4) * 0x9E3779B97F4A7C15ull & (b->cache_capacity - 1);
    while (b->cache_key[h] && b->cache_key[h] != s) h = (h + 1) & (b->cache_capacity - 1);
    if (!b->cache_key[h]) {
        b->cache_key[h] = s;
        train_cache_init(&b->cache[h]);
        ++b->cache_used;
    }
    return &b->cache[h];
}

mlpot_status train_batch(train_batcher *b, const mlpot_structure *const *s, const size_t *idx, size_t n,
                         train_metrics *metrics, double *grad, double *losses, mlpot_error *err)
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
        train_cache *kept[CHUNK];
        /* the table changes only here, outside the parallel loop: insert, then look up only (an
         * insertion may move the slots found before it) */
        for (int pass = 0; pass < 2; ++pass)
            for (size_t q = 0; q < count; ++q)
                kept[q] = b->cache_budget ? cache_slot(b, s[idx ? idx[start + q] : start + q], pass == 0) : NULL;
#pragma omp parallel for schedule(dynamic, 1) num_threads(b->n_threads)
        for (size_t q = 0; q < count; ++q) {
#ifdef _OPENMP
            train_workspace *ws = &b->ws[omp_get_thread_num()];
#else
            train_workspace *ws = &b->ws[0];
#endif
            const mlpot_structure *st = s[idx ? idx[start + q] : start + q];
            mlpot_error local;
            mlpot_status fs = MLPOT_OK;
            train_cache *c = kept[q];
            if (c && !c->ready) { /* keep it if it fits the budget (which ones fit does not change results) */
                int fits;
#pragma omp critical(train_cache_budget)
                fits = b->cache_bytes < b->cache_budget;
                if (fits && (fs = train_cache_fill(c, b->model, st, &b->weights, ws, &local)) == MLPOT_OK) {
#pragma omp critical(train_cache_budget)
                    b->cache_bytes += c->bytes;
                }
            }
            const train_weights w = train_weights_of(&b->weights, st);
            if (fs || train_structure(b->model, b->offsets, st, c, &w, st->weight / total_weight, ws, &res[q],
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
            if (losses) losses[start + q] = res[q].loss;
            if (grad) {
                const double *g = b->slots + q * b->n_params;
                for (size_t k = 0; k < b->n_params; ++k) grad[k] += g[k];
            }
        }
    }
    return MLPOT_OK;
}

/* One structure, on the calling thread (the Kalman filter's updates are sequential). */
static train_cache *kept_cache(train_batcher *b, const mlpot_structure *s, mlpot_error *err, mlpot_status *st)
{
    train_cache *c = b->cache_budget ? cache_slot(b, s, 1) : NULL;
    *st = MLPOT_OK;
    if (c && !c->ready && b->cache_bytes < b->cache_budget) {
        if ((*st = train_cache_fill(c, b->model, s, &b->weights, &b->ws[0], err))) return NULL;
        b->cache_bytes += c->bytes;
    }
    return c;
}

mlpot_status train_batch_jacobian(train_batcher *b, const mlpot_structure *s, long component, double *error,
                                  double *jacobian, mlpot_error *err)
{
    mlpot_status st;
    train_cache *c = kept_cache(b, s, err, &st);
    if (!st) st = train_structure_jacobian(b->model, b->offsets, s, c, &b->weights, component, &b->ws[0], error, jacobian, err);
    if (st && s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
    return st;
}
