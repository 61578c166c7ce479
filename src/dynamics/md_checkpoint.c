/* Integrator checkpoints: a binary snapshot of everything that determines the rest of a run,
 * written atomically (temporary file + rename) and closed by an FNV-1a checksum, so that a run
 * killed at any moment resumes from the last complete checkpoint and continues bit for bit as
 * if it had never stopped. Native byte order: checkpoints are for the machine that wrote them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/memory.h"
#include "dynamics/md_internal.h"

/* Format 2 added the barostat, the Nosé-Hoover chain and their options; format 1 files are
 * refused by name (their runs had neither, but a silent reinterpretation is not worth it). */
#define MAGIC "MLPOTMD2"
#define MAGIC_V1 "MLPOTMD1"
#define N_OPTS 11
#define FNV_START 0xcbf29ce484222325ULL

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t k = 0; k < n; ++k) h = (h ^ p[k]) * 0x100000001b3ULL;
    return h;
}

static void put(FILE *f, uint64_t *sum, const void *data, size_t n)
{
    fwrite(data, 1, n, f);
    *sum = fnv1a(*sum, data, n);
}

static int get(FILE *f, uint64_t *sum, void *data, size_t n)
{
    if (fread(data, 1, n, f) != n) return 0;
    *sum = fnv1a(*sum, data, n);
    return 1;
}

/* The options that shape the trajectory; a resumed run must use the same. */
static void option_words(const mlpot_md_options *o, double w[N_OPTS])
{
    const int baro = o->barostat != MLPOT_BAROSTAT_NONE;
    w[0] = (double)o->ensemble, w[1] = o->timestep, w[2] = o->temperature;
    w[3] = o->ensemble == MLPOT_ENSEMBLE_LANGEVIN ? o->friction : 0.0;
    w[4] = o->ensemble == MLPOT_ENSEMBLE_BUSSI || o->ensemble == MLPOT_ENSEMBLE_NHC ? o->tau : 0.0;
    w[5] = (double)(o->seed & 0xffffffffu);
    w[6] = o->ensemble == MLPOT_ENSEMBLE_NHC ? (double)o->nhc_length : 0.0;
    w[7] = (double)o->barostat;
    w[8] = baro ? o->pressure : 0.0;
    w[9] = baro ? o->tau_p : 0.0;
    w[10] = baro ? o->compressibility : 0.0;
}

mlpot_status mlpot_md_checkpoint_write(const mlpot_md *md, const char *path,
                                       const int64_t extra[MLPOT_MD_CHECKPOINT_EXTRA], mlpot_error *err)
{
    atomic_file a;
    mlpot_status st = atomic_file_open(&a, path, err);
    if (st) return st;
    size_t n = (size_t)md->s.n_atoms;
    uint64_t sum = FNV_START;
    int64_t header[3] = {(int64_t)n, md->step, md->rebuilds};
    int64_t ex[MLPOT_MD_CHECKPOINT_EXTRA] = {0};
    if (extra) memcpy(ex, extra, sizeof ex);
    double opts[N_OPTS], scalars[4] = {md->time, md->heat, md->r.energy, md->baro_heat};
    option_words(&md->opt, opts);
    uint32_t computed = md->r.computed;
    put(a.file, &sum, MAGIC, 8);
    put(a.file, &sum, header, sizeof header);
    put(a.file, &sum, ex, sizeof ex);
    put(a.file, &sum, opts, sizeof opts);
    put(a.file, &sum, md->s.numbers, n * sizeof(int));
    put(a.file, &sum, md->s.positions, 3 * n * sizeof(double));
    put(a.file, &sum, md->s.cell, sizeof md->s.cell);
    put(a.file, &sum, md->s.masses, n * sizeof(double));
    put(a.file, &sum, md->fixed, n);
    put(a.file, &sum, md->velocities, 3 * n * sizeof(double));
    put(a.file, &sum, md->noise.s, sizeof md->noise.s);
    put(a.file, &sum, scalars, sizeof scalars);
    put(a.file, &sum, &computed, sizeof computed);
    put(a.file, &sum, md->r.forces, 3 * n * sizeof(double));
    put(a.file, &sum, md->r.virial, sizeof md->r.virial);
    put(a.file, &sum, md->nhc_xi, sizeof md->nhc_xi);
    put(a.file, &sum, md->nhc_v, sizeof md->nhc_v);
    fwrite(&sum, sizeof sum, 1, a.file);
    return atomic_file_commit(&a, err);
}

mlpot_status mlpot_md_checkpoint_read(mlpot_md *md, const char *path,
                                      int64_t extra[MLPOT_MD_CHECKPOINT_EXTRA], mlpot_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open the checkpoint: %s", path, strerror(errno));
    size_t n = (size_t)md->s.n_atoms;
    uint64_t sum = FNV_START, stored = 0;
    char magic[8] = {0};
    int64_t header[3], ex[MLPOT_MD_CHECKPOINT_EXTRA];
    double opts[N_OPTS], mine[N_OPTS], scalars[4], cell[3][3], virial[9];
    double nhc_xi[MLPOT_NHC_MAX], nhc_v[MLPOT_NHC_MAX];
    uint32_t computed = 0;
    rng noise;
    mlpot_status st = MLPOT_OK;
    int *numbers = mlpot_calloc(n, sizeof *numbers);
    double *x = mlpot_calloc(3 * n, sizeof *x), *v = mlpot_calloc(3 * n, sizeof *v);
    double *m = mlpot_calloc(n, sizeof *m), *forces = mlpot_calloc(3 * n, sizeof *forces);
    unsigned char *fixed = mlpot_calloc(n, 1);
    if (!numbers || !x || !v || !m || !forces || !fixed) {
        st = mlpot_fail_memory(err, "reading a checkpoint");
        goto done;
    }
    if (get(f, &sum, magic, 8) && !memcmp(magic, MAGIC_V1, 8)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s: a checkpoint of an older mlpot (format 1); this version reads format 2 only: "
                        "start the run again",
                        path);
        goto done;
    }
    if (memcmp(magic, MAGIC, 8)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: not an mlpot dynamics checkpoint", path);
        goto done;
    }
    if (!get(f, &sum, header, sizeof header) || !get(f, &sum, ex, sizeof ex) || !get(f, &sum, opts, sizeof opts)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the checkpoint is truncated", path);
        goto done;
    }
    if (header[0] != (int64_t)n) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the checkpoint has %lld atoms, the structure %zu", path,
                        (long long)header[0], n);
        goto done;
    }
    option_words(&md->opt, mine);
    if (memcmp(opts, mine, sizeof opts)) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                        "%s: the checkpoint was written with other options (ensemble, timestep, temperature, "
                        "friction, tau, seed, chain length or barostat settings); resume with the same ones",
                        path);
        goto done;
    }
    int ok = get(f, &sum, numbers, n * sizeof(int)) && get(f, &sum, x, 3 * n * sizeof(double)) &&
             get(f, &sum, cell, sizeof cell) && get(f, &sum, m, n * sizeof(double)) && get(f, &sum, fixed, n) &&
             get(f, &sum, v, 3 * n * sizeof(double)) && get(f, &sum, noise.s, sizeof noise.s) &&
             get(f, &sum, scalars, sizeof scalars) && get(f, &sum, &computed, sizeof computed) &&
             get(f, &sum, forces, 3 * n * sizeof(double)) && get(f, &sum, virial, sizeof virial) &&
             get(f, &sum, nhc_xi, sizeof nhc_xi) && get(f, &sum, nhc_v, sizeof nhc_v);
    uint64_t expect = sum;
    if (!ok || fread(&stored, sizeof stored, 1, f) != 1 || stored != expect) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the checkpoint is truncated or damaged", path);
        goto done;
    }
    if (memcmp(numbers, md->s.numbers, n * sizeof(int))) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the checkpoint's species differ from the structure's", path);
        goto done;
    }
    if (computed != md->r.computed) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the checkpoint was written with another potential", path);
        goto done;
    }
    memcpy(md->s.positions, x, 3 * n * sizeof(double));
    memcpy(md->s.cell, cell, sizeof cell);
    memcpy(md->s.masses, m, n * sizeof(double));
    memcpy(md->velocities, v, 3 * n * sizeof(double));
    memcpy(md->r.forces, forces, 3 * n * sizeof(double));
    memcpy(md->r.virial, virial, sizeof virial);
    md->r.energy = scalars[2];
    md->time = scalars[0], md->heat = scalars[1], md->baro_heat = scalars[3];
    memcpy(md->nhc_xi, nhc_xi, sizeof nhc_xi);
    memcpy(md->nhc_v, nhc_v, sizeof nhc_v);
    md->noise = noise;
    md->step = header[1], md->rebuilds = header[2];
    md->n_free = 0;
    for (size_t i = 0; i < n; ++i) md->n_free += !(md->fixed[i] = fixed[i]);
    md->force_rebuild = 1;
    md->kick_valid = md->thermal_valid = 0;
    if (extra) memcpy(extra, ex, sizeof ex);
done:
    fclose(f);
    free(numbers), free(x), free(v), free(m), free(forces), free(fixed);
    return st;
}
