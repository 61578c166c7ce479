/* Candidate instances of a GAP descriptor in the training frames and the choice of its sparse
 * (inducing) points: random, uniform (one-dimensional descriptors), CUR leverage-score sampling,
 * farthest point sampling, or all of them. Every choice is reproducible from the seed. */
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "core/rng.h"
#include "fit/gap_fit_internal.h"
#include "models/gap_pair.h"

double fit_kernel(const fit_descriptor *f, const double *x, const double *y)
{
    double s = 0.0;
    if (f->kernel == GAP_KERNEL_DOT_PRODUCT) {
        for (int q = 0; q < f->d; ++q) s += x[q] * y[q];
        return f->delta * f->delta * pow(s, f->zeta) + f->f0 * f->f0;
    }
    for (int q = 0; q < f->d; ++q) s += (x[q] - y[q]) * (x[q] - y[q]);
    return f->delta * f->delta * exp(-0.5 * s / (f->theta * f->theta)) + f->f0 * f->f0;
}

/* Instances of f in one frame into rows (NULL: only count them). */
static mlpot_status frame_instances(const fit_descriptor *f, const mlpot_structure *s, double *rows, size_t *count,
                                    mlpot_error *err)
{
    *count = 0;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_status st = mlpot_neighbour_list_build(&nl, s, f->cutoff, 0.0, MLPOT_NEIGHBOURS_FULL, err);
    if (st) return st;
    if (f->kind == GAP_DESCRIPTOR_SOAP) {
        soap_work w;
        if ((st = soap_work_init(&w, &f->soap, soap_max_entries(&nl), err))) {
            mlpot_neighbour_list_free(&nl);
            return st;
        }
        for (int i = 0; i < s->n_atoms; ++i) {
            if (!f->soap.centre[s->numbers[i]]) continue;
            if (rows) soap_atom(&f->soap, &nl, s->numbers, i, 0, &w, rows + *count * (size_t)f->d);
            ++*count;
        }
        soap_work_free(&w);
    } else {
        for (int i = 0; i < s->n_atoms; ++i)
            for (size_t q = nl.offsets[i]; q < nl.offsets[i + 1]; ++q) {
                if (nl.distance[q] >= f->cutoff || !gap_pair_matches(&f->pair, s->numbers[i], s->numbers[nl.neighbour[q]]))
                    continue;
                if (rows) gap_pair_eval(&f->pair, nl.distance[q], rows + *count * (size_t)f->d, NULL, NULL);
                ++*count;
            }
    }
    mlpot_neighbour_list_free(&nl);
    return MLPOT_OK;
}

mlpot_status fit_collect_instances(fit_descriptor *f, const mlpot_structure *const *frames, size_t n, mlpot_error *err)
{
    size_t *first = calloc(n + 1, sizeof *first);
    if (!first) return mlpot_fail_memory(err, "collecting descriptors");
    mlpot_status st = MLPOT_OK;
    for (size_t q = 0; q < n && !st; ++q) {
        size_t c = 0;
        if (f->kind == GAP_DESCRIPTOR_SOAP) { /* one instance per centre atom: no list needed */
            for (int i = 0; i < frames[q]->n_atoms; ++i) c += f->soap.centre[frames[q]->numbers[i]] != 0;
        } else {
            st = frame_instances(f, frames[q], NULL, &c, err);
        }
        first[q + 1] = first[q] + c;
    }
    f->n_instances = first[n];
    f->instances = st ? NULL : mlpot_calloc(f->n_instances * (size_t)f->d + 1, sizeof *f->instances);
    if (!st && !f->instances) st = mlpot_fail_memory(err, "collecting descriptors");
    int failed = 0;
    mlpot_error first_error = {0};
#pragma omp parallel for schedule(dynamic, 1) if (!st && n > 1)
    for (size_t q = 0; q < (st ? 0 : n); ++q) {
        if (failed) continue;
        size_t c;
        mlpot_error e;
        if (frame_instances(f, frames[q], f->instances + first[q] * (size_t)f->d, &c, &e)) {
#pragma omp critical(fit_collect_error)
            if (!failed) failed = 1, first_error = e;
        }
    }
    free(first);
    if (!st && failed) {
        *err = first_error;
        st = first_error.code ? first_error.code : MLPOT_ERR_NUMERIC;
    }
    return st;
}

/* Squared distance between rows a and b of f's instances. */
static double distance2(const fit_descriptor *f, size_t a, const double *y)
{
    const double *x = f->instances + a * (size_t)f->d;
    double s = 0.0;
    for (int q = 0; q < f->d; ++q) s += (x[q] - y[q]) * (x[q] - y[q]);
    return s;
}

/* Whether instance a equals (to rounding) one of the n sparse points chosen so far. */
static int duplicate(const fit_descriptor *f, size_t a, int n)
{
    for (int s = 0; s < n; ++s)
        if (distance2(f, a, f->sparse + (size_t)s * f->d) <= 1e-20) return 1;
    return 0;
}

/* Leverage scores of the rows of the instance matrix X (N × d) in its leading k-dimensional
 * right singular subspace: score_i = Σ_{j<k} (x_i·v_j)²/σ_j², from the eigenvectors of XᵀX. */
static mlpot_status leverage_scores(const fit_descriptor *f, int k, double *score, mlpot_error *err)
{
    const int d = f->d;
    const size_t N = f->n_instances;
    double *C = calloc((size_t)d * d, sizeof *C), *w = calloc((size_t)d, sizeof *w);
    if (!C || !w) {
        free(C), free(w);
        return mlpot_fail_memory(err, "choosing sparse points");
    }
    for (size_t i = 0; i < N; ++i) { /* XᵀX, upper triangle */
        const double *x = f->instances + i * (size_t)d;
        for (int a = 0; a < d; ++a) {
            if (x[a] == 0.0) continue;
            for (int b = a; b < d; ++b) C[(size_t)a * d + b] += x[a] * x[b];
        }
    }
    lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', d, C, d, w);
    if (info != 0) {
        free(C), free(w);
        return mlpot_fail(err, MLPOT_ERR_NUMERIC, "choosing sparse points: the eigensolver failed (%d)", (int)info);
    }
    /* eigenvalues ascending: the last k columns, those above rounding */
    const double floor_ = 1e-12 * (w[d - 1] > 0 ? w[d - 1] : 1.0);
    for (size_t i = 0; i < N; ++i) {
        const double *x = f->instances + i * (size_t)d;
        double s = 0.0;
        for (int j = d - 1; j >= 0 && j >= d - k; --j) {
            if (w[j] <= floor_) break;
            double p = 0.0;
            for (int a = 0; a < d; ++a) p += x[a] * C[(size_t)a * d + j];
            s += p * p / w[j];
        }
        score[i] = s;
    }
    free(C), free(w);
    return MLPOT_OK;
}

static void set_sparse_cutoffs(fit_descriptor *f);

/* sparse_file: whitespace-separated 1-based instance indices. */
static mlpot_status read_sparse_file(fit_descriptor *f, mlpot_error *err)
{
    FILE *in = fopen(f->sparse_file, "r");
    if (!in) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open the sparse_file", f->sparse_file);
    size_t capacity = 64, n = 0;
    long *index = malloc(capacity * sizeof *index);
    mlpot_status st = index ? MLPOT_OK : mlpot_fail_memory(err, "reading sparse points");
    char word[64];
    while (!st && fscanf(in, "%63s", word) == 1) {
        char *end;
        long v = strtol(word, &end, 10);
        if (*end || v < 1 || (size_t)v > f->n_instances) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: entry %zu '%s' is not an instance index in 1..%zu", f->sparse_file,
                            n + 1, word, f->n_instances);
            break;
        }
        if (n == capacity) {
            long *grown = realloc(index, 2 * capacity * sizeof *grown);
            if (!grown) {
                st = mlpot_fail_memory(err, "reading sparse points");
                break;
            }
            index = grown, capacity *= 2;
        }
        index[n++] = v - 1;
    }
    fclose(in);
    if (!st && n == 0) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no indices", f->sparse_file);
    if (!st) {
        f->n_sparse = (int)n;
        f->sparse = mlpot_calloc(n * (size_t)f->d + 1, sizeof *f->sparse);
        f->sparse_cutoff = mlpot_calloc(n + 1, sizeof *f->sparse_cutoff);
        if (!f->sparse || !f->sparse_cutoff) st = mlpot_fail_memory(err, "reading sparse points");
        for (size_t k = 0; k < n && !st; ++k)
            memcpy(f->sparse + k * (size_t)f->d, f->instances + (size_t)index[k] * f->d, (size_t)f->d * sizeof *f->sparse);
        if (!st) set_sparse_cutoffs(f);
    }
    free(index);
    return st;
}

typedef struct keyed {
    double key;
    size_t index;
} keyed;

static int by_key_descending(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index; /* a total order: the same on every machine */
}

mlpot_status fit_select_sparse(fit_descriptor *f, unsigned long long seed, mlpot_error *err)
{
    const size_t N = f->n_instances;
    const int d = f->d;
    if (f->method == FIT_SPARSE_FILE) return read_sparse_file(f, err);
    if (f->method == FIT_SPARSE_ALL) {
        if (N > 50000)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "%s: sparse_method=all would make %zu sparse points (more than 50000); choose n_sparse",
                              f->string, N);
        f->n_sparse = (int)N;
    }
    if (N == 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: no instances in the training data", f->string);
    if (f->method != FIT_SPARSE_UNIFORM && (size_t)f->n_sparse > N)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "%s: n_sparse=%d but the training data have only %zu instances of this descriptor", f->string,
                          f->n_sparse, N);
    const int M = f->n_sparse;
    f->sparse = mlpot_calloc((size_t)M * d + 1, sizeof *f->sparse);
    f->sparse_cutoff = mlpot_calloc((size_t)M + 1, sizeof *f->sparse_cutoff);
    if (!f->sparse || !f->sparse_cutoff) return mlpot_fail_memory(err, "choosing sparse points");
    rng r;
    rng_seed(&r, seed, 0x5ba25e);
    int chosen = 0;
    mlpot_status st = MLPOT_OK;
    if (f->method == FIT_SPARSE_UNIFORM) {
        /* an even grid over the range of the (1-D) instances; each grid point takes the nearest
         * instance (as gap_fit's uniform does), duplicates skipped */
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < N; ++i) lo = fmin(lo, f->instances[i * d]), hi = fmax(hi, f->instances[i * d]);
        for (int s = 0; s < M; ++s) {
            const double target = M == 1 ? 0.5 * (lo + hi) : lo + (hi - lo) * s / (M - 1);
            size_t best = 0;
            for (size_t i = 1; i < N; ++i)
                if (fabs(f->instances[i * d] - target) < fabs(f->instances[best * d] - target)) best = i;
            if (duplicate(f, best, chosen)) continue;
            memcpy(f->sparse + (size_t)chosen * d, f->instances + best * d, (size_t)d * sizeof *f->sparse);
            ++chosen;
        }
    } else if (f->method == FIT_SPARSE_ALL) {
        for (size_t i = 0; i < N; ++i)
            if (!duplicate(f, i, chosen))
                memcpy(f->sparse + (size_t)chosen++ * d, f->instances + i * (size_t)d, (size_t)d * sizeof *f->sparse);
    } else if (f->method == FIT_SPARSE_RANDOM || f->method == FIT_SPARSE_CUR) {
        /* random: uniform weights; CUR: weights = leverage scores; sampling without replacement
         * by exponential keys (Efraimidis-Spirakis), skipping duplicates of chosen points */
        double *score = malloc(N * sizeof *score);
        keyed *order = malloc(N * sizeof *order);
        if (!score || !order) st = mlpot_fail_memory(err, "choosing sparse points");
        if (!st && f->method == FIT_SPARSE_CUR) st = leverage_scores(f, M < d ? M : d, score, err);
        for (size_t i = 0; i < N && !st; ++i) {
            double weight = f->method == FIT_SPARSE_CUR ? score[i] : 1.0;
            double u = rng_uniform(&r);
            order[i].key = weight > 0 ? log(u > 0 ? u : 1e-300) / weight : -INFINITY; /* larger: chosen first */
            order[i].index = i;
        }
        if (!st) {
            qsort(order, N, sizeof *order, by_key_descending);
            for (size_t a = 0; a < N && chosen < M; ++a) {
                if (order[a].key == -INFINITY) break;
                if (duplicate(f, order[a].index, chosen)) continue;
                memcpy(f->sparse + (size_t)chosen * d, f->instances + order[a].index * (size_t)d,
                       (size_t)d * sizeof *f->sparse);
                ++chosen;
            }
        }
        free(score), free(order);
    } else { /* farthest point sampling from a random start, Euclidean in descriptor space */
        double *mind = malloc(N * sizeof *mind);
        if (!mind) return mlpot_fail_memory(err, "choosing sparse points");
        size_t next = (size_t)(rng_uniform(&r) * (double)N) % N;
        for (size_t i = 0; i < N; ++i) mind[i] = INFINITY;
        while (chosen < M) {
            const double *y = f->instances + next * (size_t)d;
            memcpy(f->sparse + (size_t)chosen * d, y, (size_t)d * sizeof *y);
            ++chosen;
            double far = -1.0;
#pragma omp parallel for schedule(static) if (N > 4096)
            for (size_t i = 0; i < N; ++i) mind[i] = fmin(mind[i], distance2(f, i, y));
            for (size_t i = 0; i < N; ++i)
                if (mind[i] > far) far = mind[i], next = i;
            if (far <= 1e-20) break; /* every instance is a chosen point */
        }
        free(mind);
    }
    if (st) return st;
    /* fewer distinct instances than asked for (identical environments, as in a perfect crystal):
     * gap_fit lowers n_sparse the same way */
    if (chosen == 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: no sparse point could be chosen", f->string);
    f->n_sparse = chosen;
    set_sparse_cutoffs(f);
    return MLPOT_OK;
}

/* QUIP's sparse cutoff: the covariance cutoff of the point (distance_2b), else 1. */
static void set_sparse_cutoffs(fit_descriptor *f)
{
    const int d = f->d;
    for (int s = 0; s < f->n_sparse; ++s) { /* QUIP's sparse cutoff: the covariance cutoff of the point */
        f->sparse_cutoff[s] = 1.0;
        if (f->kind == GAP_DESCRIPTOR_DISTANCE_2B) {
            double x[GAP_MAX_EXPONENTS];
            double rs = f->pair.n_exponents == 1 ? pow(f->sparse[(size_t)s * d], 1.0 / f->pair.exponents[0]) : 0.0;
            f->sparse_cutoff[s] = f->pair.n_exponents == 1 ? gap_pair_eval(&f->pair, rs, x, NULL, NULL) : 1.0;
        }
    }
}
