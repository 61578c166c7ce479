#include "train/checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"

#define MAGIC "MLPOTTRN"
#define VERSION 4u

uint64_t train_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t k = 0; k < n; ++k) h = (h ^ p[k]) * 0x100000001b3ULL;
    return h;
}

/* FNV-1a's step on 64-bit words in four interleaved lanes: a byte-wise hash runs at one byte
 * per multiply latency: a seventh of a Kalman epoch for a 64 MB covariance (measured). Each step is a
 * bijection of the lane, so any change to a single word changes the sum. */
uint64_t train_checksum(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    const uint64_t prime = 0x100000001b3ULL;
    uint64_t lane[4] = {h, h ^ 1u, h ^ 2u, h ^ 3u};
    size_t k = 0;
    for (; k + 32 <= n; k += 32)
        for (int l = 0; l < 4; ++l) {
            uint64_t w;
            memcpy(&w, p + k + 8 * (size_t)l, sizeof w);
            lane[l] = (lane[l] ^ w) * prime;
        }
    for (int l = 0; l < 4; ++l) h = train_fnv1a(h, &lane[l], sizeof lane[l]);
    return train_fnv1a(h, p + k, n - k);
}

mlpot_status train_state_init(train_state *s, size_t n_params, mlpot_error *err)
{
    memset(s, 0, sizeof *s);
    s->n_params = n_params;
    s->theta = calloc(n_params + 1, sizeof *s->theta), s->best = calloc(n_params + 1, sizeof *s->best);
    s->adam_m = calloc(n_params + 1, sizeof *s->adam_m), s->adam_v = calloc(n_params + 1, sizeof *s->adam_v);
    s->average = calloc(n_params + 1, sizeof *s->average);
    if (!s->theta || !s->best || !s->adam_m || !s->adam_v || !s->average) {
        train_state_free(s);
        return mlpot_fail_memory(err, "training");
    }
    return MLPOT_OK;
}

void train_state_free(train_state *s)
{
    free(s->theta), free(s->best), free(s->adam_m), free(s->adam_v), free(s->rows), free(s->kalman_p), free(s->average);
    memset(s, 0, sizeof *s);
}

mlpot_status train_state_add_row(train_state *s, const double *row, mlpot_error *err)
{
    if (s->n_rows == s->capacity) {
        int grown = s->capacity ? 2 * s->capacity : 64;
        double *bigger = realloc(s->rows, (size_t)grown * TRAIN_ROW * sizeof *bigger);
        if (!bigger) return mlpot_fail_memory(err, "training");
        s->rows = bigger, s->capacity = grown;
    }
    memcpy(s->rows + (size_t)s->n_rows * TRAIN_ROW, row, TRAIN_ROW * sizeof *row);
    s->n_rows++;
    return MLPOT_OK;
}

void train_state_average(train_state *s, double decay)
{
    s->average_steps++;
    /* a_k = a_(k-1) + (θ_k - a_(k-1)) (1 - d) / (1 - d^k): the bias-corrected average, updated */
    const double w = (1.0 - decay) / (1.0 - pow(decay, (double)s->average_steps));
    for (size_t p = 0; p < s->n_params; ++p) s->average[p] += w * (s->theta[p] - s->average[p]);
}

/* Writes n bytes and folds them into the checksum. */
static void put(FILE *f, uint64_t *sum, const void *data, size_t n)
{
    fwrite(data, 1, n, f);
    *sum = train_checksum(*sum, data, n);
}

mlpot_status train_checkpoint_write(const char *path, uint64_t fingerprint, const train_state *s, mlpot_error *err)
{
    atomic_file a;
    mlpot_status st = atomic_file_open(&a, path, err);
    if (st) return st;
    uint64_t sum = 0xcbf29ce484222325ULL, n = s->n_params;
    uint32_t version = VERSION;
    int32_t ints[4] = {s->epoch, s->lr_wait, s->stop_wait, s->best_epoch}, rows = s->n_rows;
    put(a.file, &sum, MAGIC, 8);
    put(a.file, &sum, &version, sizeof version);
    put(a.file, &sum, &fingerprint, sizeof fingerprint);
    put(a.file, &sum, &ints[0], sizeof ints[0]);
    put(a.file, &sum, &n, sizeof n);
    put(a.file, &sum, s->theta, n * sizeof(double));
    put(a.file, &sum, s->best, n * sizeof(double));
    put(a.file, &sum, s->adam_m, n * sizeof(double));
    put(a.file, &sum, s->adam_v, n * sizeof(double));
    put(a.file, &sum, &s->adam_t, sizeof s->adam_t);
    put(a.file, &sum, &s->lr, sizeof s->lr);
    put(a.file, &sum, &ints[1], 3 * sizeof ints[0]);
    put(a.file, &sum, &s->best_loss, sizeof s->best_loss);
    put(a.file, &sum, s->shuffle.s, sizeof s->shuffle.s);
    put(a.file, &sum, &rows, sizeof rows);
    for (int r = 0; r < s->n_rows; ++r) /* row by row, as the reader reads them */
        put(a.file, &sum, s->rows + (size_t)r * TRAIN_ROW, TRAIN_ROW * sizeof(double));
    uint64_t kn = s->kalman_n;
    put(a.file, &sum, &s->kalman_q, sizeof s->kalman_q);
    put(a.file, &sum, &s->kalman_eta, sizeof s->kalman_eta);
    put(a.file, &sum, &kn, sizeof kn);
    if (kn) put(a.file, &sum, s->kalman_p, kn * sizeof(double));
    if (s->averaging) {
        put(a.file, &sum, &s->average_steps, sizeof s->average_steps);
        put(a.file, &sum, s->average, n * sizeof(double));
    }
    fwrite(&sum, sizeof sum, 1, a.file);
    return atomic_file_commit(&a, err);
}

/* Reads n bytes and folds them into both sums: sum[0] version 3's byte-wise FNV-1a, sum[1]
 * the current checksum, so that a run started by the previous release still resumes. */
static int get(FILE *f, uint64_t *sum, void *data, size_t n)
{
    if (fread(data, 1, n, f) != n) return 0;
    sum[0] = train_fnv1a(sum[0], data, n), sum[1] = train_checksum(sum[1], data, n);
    return 1;
}

mlpot_status train_checkpoint_read(const char *path, const uint64_t fingerprints[2], train_state *s, mlpot_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open the checkpoint: %s", path, strerror(errno));
    uint64_t sum[2] = {0xcbf29ce484222325ULL, 0xcbf29ce484222325ULL}, n = 0, fp = 0, stored = 0;
    uint32_t version = 0;
    int32_t ints[4] = {0}, rows = 0;
    char magic[8];
    mlpot_status st = MLPOT_OK;
    int ok = get(f, sum, magic, 8) && !memcmp(magic, MAGIC, 8);
    if (!ok) {
        fclose(f);
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: not an mlpot training checkpoint", path);
    }
    ok = get(f, sum, &version, sizeof version) && get(f, sum, &fp, sizeof fp) && get(f, sum, &ints[0], sizeof ints[0]) &&
         get(f, sum, &n, sizeof n);
    if (ok && version != VERSION && version != 3)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: checkpoint version %u; this mlpot reads versions 3 to %u", path, version, VERSION);
    else if (ok && fp != fingerprints[0] && fp != fingerprints[1])
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                        "%s: the checkpoint is of a different configuration (data, model, loss, optimiser or seed "
                        "changed); resume with the configuration that wrote it (only the epochs, early stopping "
                        "and the step sizes training.learning_rate and training.kalman_etamax may change, the "
                        "step sizes not for checkpoints written before 2026-12-06), or start afresh",
                        path);
    else if (ok && n != s->n_params)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the checkpoint has %llu parameters, the model %zu", path,
                        (unsigned long long)n, s->n_params);
    if (!st && ok) {
        ok = get(f, sum, s->theta, n * sizeof(double)) && get(f, sum, s->best, n * sizeof(double)) &&
             get(f, sum, s->adam_m, n * sizeof(double)) && get(f, sum, s->adam_v, n * sizeof(double)) &&
             get(f, sum, &s->adam_t, sizeof s->adam_t) && get(f, sum, &s->lr, sizeof s->lr) &&
             get(f, sum, &ints[1], 3 * sizeof ints[0]) && get(f, sum, &s->best_loss, sizeof s->best_loss) &&
             get(f, sum, s->shuffle.s, sizeof s->shuffle.s) && get(f, sum, &rows, sizeof rows) && rows >= 0 &&
             rows < 100000000;
        s->n_rows = 0;
        for (int32_t r = 0; ok && r < rows; ++r) {
            double row[TRAIN_ROW];
            ok = get(f, sum, row, sizeof row) && !train_state_add_row(s, row, err);
        }
        uint64_t kn = 0;
        ok = ok && get(f, sum, &s->kalman_q, sizeof s->kalman_q) && get(f, sum, &s->kalman_eta, sizeof s->kalman_eta) &&
             get(f, sum, &kn, sizeof kn) && kn == s->kalman_n && (!kn || get(f, sum, s->kalman_p, kn * sizeof(double)));
        ok = ok && (!s->averaging || (get(f, sum, &s->average_steps, sizeof s->average_steps) &&
                                      get(f, sum, s->average, n * sizeof(double))));
        uint64_t expect = version == 3 ? sum[0] : sum[1];
        ok = ok && fread(&stored, sizeof stored, 1, f) == 1 && stored == expect;
        if (!ok) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the checkpoint is truncated or damaged", path);
    } else if (!st) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the checkpoint is truncated", path);
    }
    fclose(f);
    if (!st) s->epoch = ints[0], s->lr_wait = ints[1], s->stop_wait = ints[2], s->best_epoch = ints[3];
    return st;
}
