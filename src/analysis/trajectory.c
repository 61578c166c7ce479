/* A trajectory in memory: the frames of one or several runs of one system as flat arrays, so
 * that time correlations can pair any two frames. Velocities and times are kept only while
 * every frame has them (an analysis that needs them then says what is missing). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "mlpot/analysis.h"

/* One ASE time unit, Å·sqrt(amu/eV), in fs (10.1805...): ASE writes momenta in amu·Å per it. */
#define ASE_TIME_UNIT_FS (1.0e5 * sqrt(MLPOT_ATOMIC_MASS_UNIT_KG / MLPOT_ELEMENTARY_CHARGE_C))

void mlpot_trajectory_init(mlpot_trajectory *t) { memset(t, 0, sizeof *t); }

void mlpot_trajectory_free(mlpot_trajectory *t)
{
    free(t->numbers);
    free(t->masses);
    free(t->positions);
    free(t->cells);
    free(t->velocities);
    free(t->times);
    free(t->segment_start);
    mlpot_trajectory_init(t);
}

void mlpot_trajectory_new_segment(mlpot_trajectory *t)
{
    /* an empty segment is never recorded: the boundary is placed when the next frame comes */
    if (t->n_segments > 0) t->segment_pending = 1;
}

static mlpot_status grow(mlpot_trajectory *t, mlpot_error *err)
{
    if (t->n_frames < t->capacity) return MLPOT_OK;
    long cap = t->capacity ? 2 * t->capacity : 64;
    size_t n3 = 3 * (size_t)t->n_atoms;
    double *p = mlpot_realloc(t->positions, (size_t)cap * n3, sizeof(double));
    if (!p) return mlpot_fail_memory(err, "trajectory positions");
    t->positions = p;
    double *c = mlpot_realloc(t->cells, (size_t)cap * 9, sizeof(double));
    if (!c) return mlpot_fail_memory(err, "trajectory cells");
    t->cells = c;
    if (!t->velocities_missing) {
        double *v = mlpot_realloc(t->velocities, (size_t)cap * n3, sizeof(double));
        if (!v) return mlpot_fail_memory(err, "trajectory velocities");
        t->velocities = v;
    }
    if (!t->times_missing) {
        double *tm = mlpot_realloc(t->times, (size_t)cap, sizeof(double));
        if (!tm) return mlpot_fail_memory(err, "trajectory times");
        t->times = tm;
    }
    t->capacity = cap;
    return MLPOT_OK;
}

static mlpot_status first_frame(mlpot_trajectory *t, const mlpot_structure *s, mlpot_error *err)
{
    if (s->n_atoms < 1) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: a frame without atoms",
                                          s->source ? s->source : "trajectory", s->source_line);
    t->n_atoms = s->n_atoms;
    t->numbers = mlpot_calloc((size_t)s->n_atoms, sizeof(int));
    t->masses = mlpot_calloc((size_t)s->n_atoms, sizeof(double));
    t->segment_start = mlpot_calloc(9, sizeof(long));
    if (!t->numbers || !t->masses || !t->segment_start) return mlpot_fail_memory(err, "trajectory");
    t->segment_capacity = 8;
    for (int i = 0; i < s->n_atoms; ++i) {
        t->numbers[i] = s->numbers[i];
        t->masses[i] = mlpot_structure_mass(s, i);
    }
    memcpy(t->pbc, s->pbc, sizeof t->pbc);
    return MLPOT_OK;
}

/* Velocities of frame s in Å/fs into v, or 0 when it has none. */
static int frame_velocities(const mlpot_trajectory *t, const mlpot_structure *s, double *v)
{
    const mlpot_atom_property *p = mlpot_structure_property(s, "velocities");
    if (p && p->type == MLPOT_PROPERTY_REAL && p->ncols == 3) {
        memcpy(v, p->real, 3 * (size_t)s->n_atoms * sizeof(double));
        return 1;
    }
    p = mlpot_structure_property(s, "momenta");
    if (p && p->type == MLPOT_PROPERTY_REAL && p->ncols == 3) {
        for (int i = 0; i < s->n_atoms; ++i)
            for (int k = 0; k < 3; ++k) v[3 * i + k] = p->real[3 * i + k] / (t->masses[i] * ASE_TIME_UNIT_FS);
        return 1;
    }
    return 0;
}

mlpot_status mlpot_trajectory_append(mlpot_trajectory *t, const mlpot_structure *s, mlpot_error *err)
{
    const char *src = s->source ? s->source : "trajectory";
    mlpot_status st;
    if (!t->numbers && (st = first_frame(t, s, err))) return st;
    if (s->n_atoms != t->n_atoms)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: frame %ld has %d atoms, the first frame %d: the atom count "
                          "must not change", src, s->source_line, t->n_frames + 1, s->n_atoms, t->n_atoms);
    for (int i = 0; i < s->n_atoms; ++i)
        if (s->numbers[i] != t->numbers[i])
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atom %d is element %d here and %d in the first frame",
                              src, s->source_line, i + 1, s->numbers[i], t->numbers[i]);
    if (memcmp(s->pbc, t->pbc, sizeof t->pbc))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: the periodicity differs from the first frame's", src,
                          s->source_line);
    if ((st = grow(t, err))) return st;
    size_t n3 = 3 * (size_t)t->n_atoms, f = (size_t)t->n_frames;
    memcpy(t->positions + f * n3, s->positions, n3 * sizeof(double));
    memcpy(t->cells + f * 9, &s->cell[0][0], 9 * sizeof(double));
    if (!t->velocities_missing && !frame_velocities(t, s, t->velocities + f * n3)) {
        t->velocities_missing = 1;
        free(t->velocities);
        t->velocities = NULL;
    }
    if (!t->times_missing) {
        const char *text = mlpot_structure_info(s, "time_fs");
        char *end = NULL;
        double time = text ? strtod(text, &end) : NAN;
        if (!text || end == text || *end || !isfinite(time)) {
            t->times_missing = 1;
            free(t->times);
            t->times = NULL;
        } else {
            t->times[f] = time;
        }
    }
    /* segments: the first frame opens one; so does the first frame after new_segment() */
    if (t->n_segments == 0 || t->segment_pending) {
        t->segment_pending = 0;
        if (t->n_segments + 1 >= t->segment_capacity) {
            long *g = mlpot_realloc(t->segment_start, 2 * (size_t)t->segment_capacity + 1, sizeof(long));
            if (!g) return mlpot_fail_memory(err, "trajectory segments");
            t->segment_start = g;
            t->segment_capacity *= 2;
        }
        t->segment_start[t->n_segments++] = t->n_frames;
    }
    ++t->n_frames;
    t->segment_start[t->n_segments] = t->n_frames;
    return MLPOT_OK;
}

mlpot_status mlpot_trajectory_timestep(const mlpot_trajectory *t, double *dt, mlpot_error *err)
{
    if (!t->times) return mlpot_fail(err, MLPOT_ERR_MISSING, "the trajectory records no time (time_fs=)");
    double first = NAN;
    for (int k = 0; k < t->n_segments; ++k) {
        for (long f = t->segment_start[k] + 1; f < t->segment_start[k + 1]; ++f) {
            double d = t->times[f] - t->times[f - 1];
            if (isnan(first)) first = d;
            if (!(d > 0) || fabs(d - first) > 1e-6 * fabs(first))
                return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                  "frames %ld and %ld are %.10g fs apart, earlier frames %.10g fs: the spacing must be "
                                  "uniform (and positive)", f, f + 1, d, first);
        }
    }
    if (isnan(first)) return mlpot_fail(err, MLPOT_ERR_MISSING, "one frame per run: no time step");
    *dt = first;
    return MLPOT_OK;
}

/* Whether every periodic coordinate of every frame lies in [0, 1] (with a small tolerance):
 * then the positions were wrapped and jumps across the cell are artefacts. */
static int looks_wrapped(const mlpot_trajectory *t, mlpot_error *err, int *wrapped)
{
    *wrapped = 1;
    for (long f = 0; f < t->n_frames; ++f) {
        double inv[9];
        if (mlpot_matrix3_inverse(t->cells + 9 * (size_t)f, inv, err)) return 1;
        for (int i = 0; i < t->n_atoms; ++i) {
            double fr[3];
            mlpot_cell_fractional(inv, t->positions + (size_t)f * 3 * (size_t)t->n_atoms + 3 * (size_t)i, fr);
            for (int k = 0; k < 3; ++k)
                if (t->pbc[k] && (fr[k] < -1e-6 || fr[k] > 1 + 1e-6)) {
                    *wrapped = 0;
                    return 0;
                }
        }
    }
    return 0;
}

mlpot_status mlpot_trajectory_unwrap(mlpot_trajectory *t, mlpot_unwrap_mode mode, int *unwrapped, mlpot_error *err)
{
    if (unwrapped) *unwrapped = 0;
    if (mode == MLPOT_UNWRAP_NEVER || !(t->pbc[0] || t->pbc[1] || t->pbc[2])) return MLPOT_OK;
    /* open directions get unit vectors in the cell used for fractional coordinates */
    if (!(t->pbc[0] && t->pbc[1] && t->pbc[2]))
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "unwrapping needs a cell periodic in all three directions");
    if (mode == MLPOT_UNWRAP_AUTO) {
        int wrapped;
        if (looks_wrapped(t, err, &wrapped)) return err ? err->code : MLPOT_ERR_GEOMETRY;
        if (!wrapped) return MLPOT_OK;
    }
    size_t n3 = 3 * (size_t)t->n_atoms;
    double *raw_prev = mlpot_calloc(n3, sizeof(double));
    if (!raw_prev) return mlpot_fail_memory(err, "unwrapping");
    int changed = 0;
    for (int k = 0; k < t->n_segments; ++k) {
        long f0 = t->segment_start[k];
        memcpy(raw_prev, t->positions + (size_t)f0 * n3, n3 * sizeof(double));
        for (long f = f0 + 1; f < t->segment_start[k + 1]; ++f) {
            const double *cell = t->cells + 9 * (size_t)f;
            double inv[9];
            if (mlpot_matrix3_inverse(cell, inv, err)) {
                free(raw_prev);
                return err ? err->code : MLPOT_ERR_GEOMETRY;
            }
            double *x = t->positions + (size_t)f * n3;
            const double *prev = x - n3; /* already unwrapped */
            for (size_t i = 0; i < n3; i += 3) {
                double d[3] = {x[i] - raw_prev[i], x[i + 1] - raw_prev[i + 1], x[i + 2] - raw_prev[i + 2]}, fr[3];
                memcpy(raw_prev + i, x + i, 3 * sizeof(double));
                mlpot_cell_fractional(inv, d, fr);
                double jump[3] = {round(fr[0]), round(fr[1]), round(fr[2])};
                if (jump[0] != 0 || jump[1] != 0 || jump[2] != 0) changed = 1;
                for (int c = 0; c < 3; ++c)
                    x[i + c] = prev[i + c] + d[c] - (jump[0] * cell[c] + jump[1] * cell[3 + c] + jump[2] * cell[6 + c]);
            }
        }
    }
    free(raw_prev);
    if (unwrapped) *unwrapped = changed;
    return MLPOT_OK;
}

mlpot_status mlpot_trajectory_temperature(const mlpot_trajectory *t, double *kelvin, mlpot_error *err)
{
    if (!t->velocities || t->n_frames == 0)
        return mlpot_fail(err, MLPOT_ERR_MISSING, "the trajectory has no velocities to measure the temperature");
    double sum = 0;
    size_t n3 = 3 * (size_t)t->n_atoms;
    for (long f = 0; f < t->n_frames; ++f)
        for (int i = 0; i < t->n_atoms; ++i) {
            const double *v = t->velocities + (size_t)f * n3 + 3 * (size_t)i;
            sum += t->masses[i] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        }
    double kinetic = 0.5 * MLPOT_AMU_A2_PER_FS2_EV * sum / (double)t->n_frames;
    *kelvin = 2.0 * kinetic / (3.0 * t->n_atoms * MLPOT_BOLTZMANN_EV_PER_K);
    return MLPOT_OK;
}

double mlpot_trajectory_volume(const mlpot_trajectory *t)
{
    if (!(t->pbc[0] && t->pbc[1] && t->pbc[2]) || t->n_frames == 0) return 0;
    double sum = 0;
    for (long f = 0; f < t->n_frames; ++f) {
        const double *c = t->cells + 9 * (size_t)f;
        sum += fabs(c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) +
                    c[2] * (c[3] * c[7] - c[4] * c[6]));
    }
    return sum / (double)t->n_frames;
}

int mlpot_trajectory_species(const mlpot_trajectory *t, int *numbers, int max)
{
    int seen[MLPOT_MAX_ELEMENT + 1] = {0}, n = 0;
    for (int i = 0; i < t->n_atoms; ++i)
        if (t->numbers[i] >= 0 && t->numbers[i] <= MLPOT_MAX_ELEMENT) seen[t->numbers[i]] = 1;
    for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z)
        if (seen[z] && n < max) numbers[n++] = z;
    return n;
}
