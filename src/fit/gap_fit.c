/* The GAP fit (mlpot/gap_fit.h): label rows of the design matrix frame by frame, the sparse
 * prior's Cholesky factor below them, and a Householder QR least-squares solve.
 *
 * Row block of a frame: [energy] [forces 3N] [virial xx yy zz yz xz xy], as the frame has those
 * labels. A frame's rows are built in a row-major scratch block by one thread (the atoms of a
 * frame scatter into each other's force rows) and then copied into the column-major
 * least-squares matrix, so frames run in parallel and the matrix does not depend on the thread
 * count. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/frame_sigma.h"
#include "core/memory.h"
#include "fit/gap_fit_internal.h"
#include "models/gap_pair.h"

void mlpot_gap_fit_options_default(mlpot_gap_fit_options *o)
{
    memset(o, 0, sizeof *o);
    o->sigma_energy = 0.001, o->sigma_force = 0.1, o->sigma_virial = 0.05;
    o->use_energies = o->use_forces = o->use_virials = 1;
    o->sparse_jitter = 1e-10;
    o->seed = 1;
    o->variance_regularisation = 1e-3;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* --- labels and their noise --------------------------------------------------------------- */

typedef struct frame_rows {
    size_t first; /* first row in the matrix */
    int energy, forces, virial;
    size_t n;     /* rows */
    double sigma[3]; /* energy (total), force, virial (total) noise of this frame */
    double virial_label[9];
} frame_rows;

enum { MAX_CONFIG_TYPES = 64 };

typedef struct type_sigma {
    int n;
    char name[MAX_CONFIG_TYPES][64];
    double sigma[MAX_CONFIG_TYPES][3];
} type_sigma;

/* gap_fit's config_type_sigma: "type:σE:σF:σV:σH:type2:...". */
static mlpot_status parse_type_sigma(const char *text, type_sigma *t, mlpot_error *err)
{
    memset(t, 0, sizeof *t);
    if (!text || !text[0]) return MLPOT_OK;
    char *copy = mlpot_strdup(text);
    if (!copy) return mlpot_fail_memory(err, "reading config_type_sigma");
    char *w[5 * MAX_CONFIG_TYPES + 1];
    int n = 0;
    for (char *save = NULL, *p = strtok_r(copy, ":", &save); p && n <= 5 * MAX_CONFIG_TYPES; p = strtok_r(NULL, ":", &save))
        w[n++] = p;
    mlpot_status st = MLPOT_OK;
    if (n % 5 || n > 5 * MAX_CONFIG_TYPES)
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                        "config_type_sigma '%s': expected groups type:sigma_energy:sigma_force:sigma_virial:sigma_hessian",
                        text);
    for (int g = 0; g < n / 5 && !st; ++g) {
        snprintf(t->name[g], sizeof t->name[g], "%s", w[5 * g]);
        for (int k = 0; k < 3 && !st; ++k) {
            char *end;
            double v = strtod(w[5 * g + 1 + k], &end);
            if (end == w[5 * g + 1 + k] || *end || !(v > 0) || !isfinite(v))
                st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "config_type_sigma: '%s' for config type '%s' is not a positive number",
                                w[5 * g + 1 + k], w[5 * g]);
            t->sigma[g][k] = v;
        }
        t->n = g + 1;
    }
    free(copy);
    return st;
}

static const char *frame_name(const mlpot_structure *s, size_t q, char *buf, size_t size)
{
    if (s->source) snprintf(buf, size, "%s:%ld", s->source, s->source_line);
    else snprintf(buf, size, "frame %zu", q + 1);
    return buf;
}

/* Which labels of frame q are fitted, their noise, and the virial label. */
static mlpot_status frame_labels(const mlpot_structure *s, size_t q, const mlpot_gap_fit_options *o,
                                 const type_sigma *types, frame_rows *fr, mlpot_error *err)
{
    char name[600];
    memset(fr, 0, sizeof *fr);
    fr->energy = o->use_energies && (s->labels & MLPOT_LABEL_ENERGY);
    fr->forces = o->use_forces && (s->labels & MLPOT_LABEL_FORCES);
    const int periodic = s->pbc[0] && s->pbc[1] && s->pbc[2];
    fr->virial = o->use_virials && periodic && (s->labels & (MLPOT_LABEL_VIRIAL | MLPOT_LABEL_STRESS));
    double sigma[3] = {o->sigma_energy, o->sigma_force, o->sigma_virial};
    for (int t = 0; s->config_type && t < types->n; ++t)
        if (!strcmp(types->name[t], s->config_type)) memcpy(sigma, types->sigma[t], sizeof sigma);
    const double root_n = sqrt((double)s->n_atoms); /* gap_fit's sigma_per_atom */
    sigma[0] *= root_n, sigma[2] *= root_n;
    /* a frame's own noise levels are absolute, as gap_fit reads them: not scaled by √N */
    const int own = frame_sigma_read(s, sigma);
    if (own < 0) {
        const char *key = frame_sigma_keys[-1 - own];
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: %s=%s is not a positive number", frame_name(s, q, name, sizeof name),
                          key, mlpot_structure_info(s, key));
    }
    memcpy(fr->sigma, sigma, sizeof sigma);
    if (fr->virial) {
        if (s->labels & MLPOT_LABEL_VIRIAL) memcpy(fr->virial_label, s->virial, sizeof fr->virial_label);
        else {
            const double volume = mlpot_structure_volume(s);
            for (int k = 0; k < 9; ++k) fr->virial_label[k] = -s->stress[k] * volume;
        }
    }
    int finite = !fr->energy || isfinite(s->energy);
    for (int k = 0; fr->virial && k < 9; ++k) finite &= isfinite(fr->virial_label[k]) != 0;
    for (int k = 0; fr->forces && k < 3 * s->n_atoms; ++k) finite &= isfinite(s->forces[k]) != 0;
    if (!finite) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: a label is not a finite number", frame_name(s, q, name, sizeof name));
    if (!(s->weight >= 0) || !isfinite(s->weight))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the configuration weight must be >= 0",
                          frame_name(s, q, name, sizeof name));
    fr->n = (size_t)fr->energy + (fr->forces ? 3 * (size_t)s->n_atoms : 0) + (fr->virial ? 6 : 0);
    return MLPOT_OK;
}

/* --- e0 ----------------------------------------------------------------------------------- */

static int isolated_atom(const mlpot_structure *s)
{
    return s->n_atoms == 1 && (s->labels & MLPOT_LABEL_ENERGY) &&
           ((s->config_type && !strcmp(s->config_type, "isolated_atom")) || !(s->pbc[0] || s->pbc[1] || s->pbc[2]));
}

static mlpot_status choose_e0(const mlpot_structure *const *frames, size_t n, const int *elements, int n_el,
                              const mlpot_gap_fit_options *o, double *e0, int *method, mlpot_error *err)
{
    int given[MLPOT_MAX_ELEMENT + 1] = {0}, index[MLPOT_MAX_ELEMENT + 1];
    for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) index[z] = -1;
    for (int e = 0; e < n_el; ++e) index[elements[e]] = e;
    for (int k = 0; k < o->n_e0; ++k) {
        if (o->e0_z[k] < 1 || o->e0_z[k] > MLPOT_MAX_ELEMENT || !isfinite(o->e0[k]))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "e0: invalid element %d or energy", o->e0_z[k]);
        e0[o->e0_z[k]] = o->e0[k], given[o->e0_z[k]] = 1;
    }
    *method = o->e0_method;
    if (o->e0_method == MLPOT_GAP_E0_AVERAGE) { /* gap_fit: the mean over frames of E/N */
        double sum = 0.0;
        size_t count = 0;
        for (size_t q = 0; q < n; ++q)
            if (frames[q]->labels & MLPOT_LABEL_ENERGY) sum += frames[q]->energy / frames[q]->n_atoms, ++count;
        if (!count) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "e0_method=average: no frame has an energy");
        for (int e = 0; e < n_el; ++e)
            if (!given[elements[e]]) e0[elements[e]] = sum / (double)count;
        return MLPOT_OK;
    }
    /* isolated atoms */
    double sum[MLPOT_MAX_ELEMENT + 1] = {0};
    int count[MLPOT_MAX_ELEMENT + 1] = {0}, missing = 0;
    for (size_t q = 0; q < n; ++q)
        if (isolated_atom(frames[q])) sum[frames[q]->numbers[0]] += frames[q]->energy, count[frames[q]->numbers[0]]++;
    for (int e = 0; e < n_el; ++e) missing += !given[elements[e]] && !count[elements[e]];
    if (o->e0_method == MLPOT_GAP_E0_ISOLATED && missing)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "e0_method=isolated: %d element%s no isolated-atom frame (one atom, open boundaries or "
                          "config_type=isolated_atom); give e0 or use e0_method=average or fit",
                          missing, missing == 1 ? " has" : "s have");
    if (!missing && o->e0_method != MLPOT_GAP_E0_FIT) {
        *method = MLPOT_GAP_E0_ISOLATED;
        for (int e = 0; e < n_el; ++e)
            if (!given[elements[e]]) e0[elements[e]] = sum[elements[e]] / count[elements[e]];
        return MLPOT_OK;
    }
    *method = MLPOT_GAP_E0_FIT;
    /* least squares on the composition for the elements not given */
    int col[MLPOT_MAX_ELEMENT + 1], n_fit = 0;
    for (int e = 0; e < n_el; ++e) col[e] = given[elements[e]] ? -1 : n_fit++;
    size_t rows = 0;
    for (size_t q = 0; q < n; ++q) rows += (frames[q]->labels & MLPOT_LABEL_ENERGY) != 0;
    if (rows == 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "e0: no energies to fit them to, and no isolated atoms");
    size_t ldb = rows > (size_t)n_fit ? rows : (size_t)n_fit;
    double *A = calloc(rows * (size_t)n_fit + 1, sizeof *A), *b = calloc(ldb, sizeof *b), *sv = calloc((size_t)n_fit + 1, sizeof *sv);
    if (!A || !b || !sv) {
        free(A), free(b), free(sv);
        return mlpot_fail_memory(err, "fitting e0");
    }
    size_t r = 0;
    for (size_t q = 0; q < n; ++q) {
        const mlpot_structure *s = frames[q];
        if (!(s->labels & MLPOT_LABEL_ENERGY)) continue;
        double target = s->energy;
        for (int i = 0; i < s->n_atoms; ++i) {
            int e = index[s->numbers[i]];
            if (col[e] < 0) target -= e0[s->numbers[i]];
            else A[r * (size_t)n_fit + (size_t)col[e]] += 1.0;
        }
        b[r++] = target;
    }
    lapack_int rank = 0;
    lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)rows, n_fit, 1, A, n_fit, b, 1, sv, 1e-10, &rank);
    mlpot_status st = info ? mlpot_fail(err, MLPOT_ERR_NUMERIC, "e0: LAPACK dgelsd failed (%d)", (int)info) : MLPOT_OK;
    for (int e = 0; e < n_el && !st; ++e)
        if (col[e] >= 0) e0[elements[e]] = b[col[e]];
    free(A), free(b), free(sv);
    return st;
}

/* --- design matrix -------------------------------------------------------------------------- */

typedef struct fit_work {
    double *x, *jac, *T, *dots, *coef, *dxdr;
    size_t jac_size, T_size;
    soap_work soap;
    int soap_ready;
} fit_work;

static int grow(double **p, size_t *have, size_t need)
{
    if (need <= *have) return 1;
    double *q = realloc(*p, need * sizeof *q);
    if (!q) return 0;
    *p = q, *have = need;
    return 1;
}

static const int VOIGT[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};

/* Scatters the per-entry gradients T[3e + c][s] (dk_s/dd_e) of atom i into the frame's force
 * and virial rows. */
static void scatter(const fit_descriptor *f, const frame_rows *fr, const mlpot_neighbour_list *nl, int i, size_t width,
                    const double *T, double *B)
{
    const int M = f->n_sparse;
    const size_t f0 = (size_t)fr->energy, v0 = f0 + (fr->forces ? 3 * (size_t)nl->n_atoms : 0);
    for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q) {
        const double *t = T + 3 * (q - nl->offsets[i]) * (size_t)M;
        const int j = nl->neighbour[q];
        if (fr->forces)
            for (int c = 0; c < 3; ++c) {
                double *Fi = B + (f0 + 3 * (size_t)i + c) * width + f->column, *Fj = B + (f0 + 3 * (size_t)j + c) * width + f->column;
                const double *tc = t + (size_t)c * M;
                for (int s = 0; s < M; ++s) Fi[s] += tc[s], Fj[s] -= tc[s];
            }
        if (fr->virial) {
            const double *d = &nl->vector[3 * q];
            for (int v = 0; v < 6; ++v) {
                const int a = VOIGT[v][0], b = VOIGT[v][1];
                double *W = B + (v0 + (size_t)v) * width + f->column;
                const double *tb = t + (size_t)b * M, *ta = t + (size_t)a * M;
                for (int s = 0; s < M; ++s) W[s] -= 0.5 * (d[a] * tb[s] + d[b] * ta[s]);
            }
        }
    }
}

static mlpot_status soap_rows(const fit_descriptor *f, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                              const frame_rows *fr, size_t width, double *B, fit_work *w, mlpot_error *err)
{
    const int M = f->n_sparse, d = f->d, grad = fr->forces || fr->virial;
    const double d2 = f->delta * f->delta;
    mlpot_status st;
    if (w->soap_ready) soap_work_free(&w->soap), w->soap_ready = 0;
    if ((st = soap_work_init(&w->soap, &f->soap, soap_max_entries(nl), err))) return st;
    w->soap_ready = 1;
    for (int i = 0; i < s->n_atoms; ++i) {
        if (!f->soap.centre[s->numbers[i]]) continue;
        soap_atom(&f->soap, nl, s->numbers, i, grad, &w->soap, w->x);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, M, d, 1.0, f->sparse, d, w->x, 1, 0.0, w->dots, 1);
        for (int k = 0; k < M; ++k) {
            const double p = pow(w->dots[k], f->zeta - 1.0);
            w->coef[k] = d2 * f->zeta * p * f->sparse_cutoff[k];
            if (fr->energy) B[f->column + (size_t)k] += d2 * p * w->dots[k] * f->sparse_cutoff[k];
        }
        if (!grad) continue;
        const size_t count = nl->offsets[i + 1] - nl->offsets[i];
        if (!grow(&w->jac, &w->jac_size, (size_t)d * 3 * count + 1) || !grow(&w->T, &w->T_size, 3 * count * (size_t)M + 1))
            return mlpot_fail_memory(err, "building the GAP design matrix");
        soap_atom_jacobian(&f->soap, nl, i, &w->soap, w->jac);
        /* T = Jᵀ Sᵀ: [3·count][M], row 3e + c = dx/dd_e,c · x_s */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasTrans, (int)(3 * count), M, d, 1.0, w->jac, (int)(3 * count), f->sparse,
                    d, 0.0, w->T, M);
        for (size_t r = 0; r < 3 * count; ++r)
            for (int k = 0; k < M; ++k) w->T[r * (size_t)M + k] *= w->coef[k];
        /* scatter wants T[(3e + c)·M]: the layout above */
        scatter(f, fr, nl, i, width, w->T, B);
    }
    return MLPOT_OK;
}

static mlpot_status pair_rows(const fit_descriptor *f, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                              const frame_rows *fr, size_t width, double *B, fit_work *w, mlpot_error *err)
{
    const int M = f->n_sparse, d = f->d, grad = fr->forces || fr->virial;
    const double d2 = f->delta * f->delta, f02 = f->f0 * f->f0, inv_t2 = 1.0 / (f->theta * f->theta);
    for (int i = 0; i < s->n_atoms; ++i) {
        const size_t count = nl->offsets[i + 1] - nl->offsets[i];
        if (grad && !grow(&w->T, &w->T_size, 3 * count * (size_t)M + 1)) return mlpot_fail_memory(err, "building the GAP design matrix");
        if (grad) memset(w->T, 0, 3 * count * (size_t)M * sizeof *w->T);
        int any = 0;
        for (size_t q = nl->offsets[i]; q < nl->offsets[i + 1]; ++q) {
            const double r = nl->distance[q];
            if (r >= f->cutoff || !gap_pair_matches(&f->pair, s->numbers[i], s->numbers[nl->neighbour[q]])) continue;
            any = 1;
            double dcdr, cut = gap_pair_eval(&f->pair, r, w->x, w->dxdr, &dcdr);
            double *t = w->T + 3 * (q - nl->offsets[i]) * (size_t)M;
            for (int k = 0; k < M; ++k) {
                const double *xs = f->sparse + (size_t)k * d;
                double r2 = 0.0, dkdr = 0.0;
                for (int a = 0; a < d; ++a) r2 += (w->x[a] - xs[a]) * (w->x[a] - xs[a]);
                const double kappa = d2 * exp(-0.5 * r2 * inv_t2), sc = f->sparse_cutoff[k];
                for (int a = 0; a < d; ++a) dkdr -= kappa * (w->x[a] - xs[a]) * inv_t2 * w->dxdr[a];
                const double value = (kappa + f02) * sc;
                if (fr->energy) B[f->column + (size_t)k] += cut * value;
                if (grad) {
                    const double g = (dcdr * value + cut * dkdr * sc) / r;
                    for (int c = 0; c < 3; ++c) t[(size_t)c * M + k] += g * nl->vector[3 * q + c];
                }
            }
        }
        if (grad && any) scatter(f, fr, nl, i, width, w->T, B);
    }
    return MLPOT_OK;
}

/* --- the fit ---------------------------------------------------------------------------------- */

static void collect_elements(const mlpot_structure *const *frames, size_t n, int *elements, int *n_el)
{
    int present[MLPOT_MAX_ELEMENT + 1] = {0};
    for (size_t q = 0; q < n; ++q)
        for (int i = 0; i < frames[q]->n_atoms; ++i) present[frames[q]->numbers[i]] = 1;
    *n_el = 0;
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        if (present[z]) elements[(*n_el)++] = z;
}

mlpot_status mlpot_gap_fit(const mlpot_structure *const *frames, size_t n, const mlpot_gap_fit_options *options,
                           mlpot_potential **out, mlpot_gap_fit_report *report, mlpot_error *err)
{
    *out = NULL;
    mlpot_gap_fit_options defaults;
    mlpot_gap_fit_options_default(&defaults);
    const mlpot_gap_fit_options *o = options ? options : &defaults;
    mlpot_gap_fit_report rep;
    memset(&rep, 0, sizeof rep);
    if (n == 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "GAP fit: no training frames");
    if (!(o->sigma_energy > 0) || !(o->sigma_force > 0) || !(o->sigma_virial > 0))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "GAP fit: default_sigma values must be positive");
    if (!(o->sparse_jitter >= 0)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "GAP fit: sparse_jitter must be >= 0");
    int elements[MLPOT_MAX_ELEMENT], n_el;
    collect_elements(frames, n, elements, &n_el);
    type_sigma types;
    fit_descriptor *fd = NULL;
    int nd = 0;
    frame_rows *fr = calloc(n, sizeof *fr);
    double *A = NULL, *b = NULL, *tau = NULL;
    gap_model *m = NULL;
    double e0[MLPOT_MAX_ELEMENT + 1] = {0};
    mlpot_status st = fr ? MLPOT_OK : mlpot_fail_memory(err, "fitting a GAP");
    /* everything that can be checked before the expensive part */
    if (!st) st = parse_type_sigma(o->config_type_sigma, &types, err);
    if (!st) st = fit_descriptors_parse(o->gap, elements, n_el, &fd, &nd, err);
    size_t rows = 0;
    for (size_t q = 0; q < n && !st; ++q) {
        st = frame_labels(frames[q], q, o, &types, &fr[q], err);
        fr[q].first = rows;
        rows += fr[q].n;
        rep.n_energies += (size_t)fr[q].energy;
        rep.n_forces += fr[q].forces ? 3 * (size_t)frames[q]->n_atoms : 0;
        rep.n_virials += fr[q].virial ? 6 : 0;
    }
    if (!st && rows == 0) st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "GAP fit: the frames have no labels to fit");
    if (!st) st = choose_e0(frames, n, elements, n_el, o, e0, &rep.e0_method, err);
    memcpy(rep.e0, e0, sizeof rep.e0);
    if (st) goto done;
    /* descriptors and sparse points */
    double t0 = seconds();
    for (int k = 0; k < nd && !st; ++k) st = fit_collect_instances(&fd[k], frames, n, err);
    double t1 = seconds();
    for (int k = 0; k < nd && !st; ++k) /* every descriptor's count before any expensive choice */
        if (fd[k].method != FIT_SPARSE_UNIFORM && fd[k].method != FIT_SPARSE_ALL && fd[k].method != FIT_SPARSE_FILE &&
            (size_t)fd[k].n_sparse > fd[k].n_instances)
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                            "%s: n_sparse=%d but the training data have only %zu instances of this descriptor", fd[k].string,
                            fd[k].n_sparse, fd[k].n_instances);
    size_t cols = 0;
    for (int k = 0; k < nd && !st; ++k) {
        st = fit_select_sparse(&fd[k], o->seed + (unsigned long long)k, err);
        fd[k].column = cols;
        cols += (size_t)fd[k].n_sparse;
        free(fd[k].instances), fd[k].instances = NULL;
        if (k < 16) rep.n_sparse[k] = fd[k].n_sparse, rep.n_instances[k] = fd[k].n_instances;
    }
    double t2 = seconds();
    rep.seconds_descriptors = t1 - t0, rep.seconds_sparse = t2 - t1;
    if (st) goto done;
    /* the least-squares matrix, column-major: label rows then the prior's factor */
    const size_t ld = rows + cols;
    rep.matrix_bytes = ld * cols * sizeof(double);
    A = mlpot_calloc(ld * cols + 1, sizeof *A);
    b = mlpot_calloc(ld + 1, sizeof *b);
    tau = mlpot_calloc(cols + 1, sizeof *tau);
    if (!A || !b || !tau) {
        st = mlpot_fail(err, MLPOT_ERR_MEMORY, "GAP fit: the least-squares matrix needs %.2f GB (%zu rows × %zu sparse points)",
                        (double)rep.matrix_bytes / 1e9, ld, cols);
        goto done;
    }
    double max_cutoff = 0.0;
    for (int k = 0; k < nd; ++k) max_cutoff = fmax(max_cutoff, fd[k].cutoff);
    size_t max_rows = 0;
    for (size_t q = 0; q < n; ++q) max_rows = fr[q].n > max_rows ? fr[q].n : max_rows;
    int failed = 0;
    mlpot_error first_error = {0};
#pragma omp parallel reduction(|| : failed)
    {
        fit_work w;
        memset(&w, 0, sizeof w);
        int dmax = 1, mmax = 1;
        for (int k = 0; k < nd; ++k) dmax = fd[k].d > dmax ? fd[k].d : dmax, mmax = fd[k].n_sparse > mmax ? fd[k].n_sparse : mmax;
        w.x = malloc((size_t)dmax * sizeof *w.x), w.dxdr = malloc((size_t)dmax * sizeof *w.dxdr);
        w.dots = malloc((size_t)mmax * sizeof *w.dots), w.coef = malloc((size_t)mmax * sizeof *w.coef);
        double *B = NULL, *scale = malloc((max_rows + 1) * sizeof *scale); /* 1/σ of a frame's rows */
        size_t B_size = 0;
        if (!w.x || !w.dxdr || !w.dots || !w.coef || !scale) failed = 1;
#pragma omp for schedule(dynamic, 1)
        for (size_t q = 0; q < n; ++q) {
            if (failed || fr[q].n == 0) continue;
            const mlpot_structure *s = frames[q];
            mlpot_error e = {0};
            mlpot_neighbour_list nl;
            mlpot_neighbour_list_init(&nl);
            mlpot_status fs = grow(&B, &B_size, fr[q].n * cols + 1) ? MLPOT_OK : mlpot_fail_memory(&e, "building the GAP design matrix");
            if (!fs) fs = mlpot_neighbour_list_build(&nl, s, max_cutoff, 0.0, MLPOT_NEIGHBOURS_FULL, &e);
            if (!fs) memset(B, 0, fr[q].n * cols * sizeof *B);
            for (int k = 0; k < nd && !fs; ++k)
                fs = fd[k].kind == GAP_DESCRIPTOR_SOAP ? soap_rows(&fd[k], s, &nl, &fr[q], cols, B, &w, &e)
                                                       : pair_rows(&fd[k], s, &nl, &fr[q], cols, B, &w, &e);
            mlpot_neighbour_list_free(&nl);
            if (fs) {
#pragma omp critical(gap_fit_error)
                if (!failed) failed = 1, first_error = e;
                continue;
            }
            /* targets and noise: row r of the frame becomes (B_r, y_r)·√weight/σ_r */
            const frame_rows *f = &fr[q];
            const double root_w = sqrt(s->weight);
            size_t r = 0;
            double *y = b + f->first;
            if (f->energy) {
                double target = s->energy;
                for (int i = 0; i < s->n_atoms; ++i) target -= e0[s->numbers[i]];
                y[r++] = target;
            }
            if (f->forces)
                for (int k = 0; k < 3 * s->n_atoms; ++k) y[r++] = s->forces[k];
            if (f->virial)
                for (int v = 0; v < 6; ++v)
                    y[r++] = 0.5 * (f->virial_label[3 * VOIGT[v][0] + VOIGT[v][1]] + f->virial_label[3 * VOIGT[v][1] + VOIGT[v][0]]);
            for (size_t k = 0; k < f->n; ++k) {
                const int kind = f->energy && k == 0 ? 0 : (f->virial && k >= f->n - 6 ? 2 : 1);
                scale[k] = root_w / f->sigma[kind];
                y[k] *= scale[k];
            }
            /* column by column: the writes into the (large) column-major matrix are contiguous */
            for (size_t c = 0; c < cols; ++c) {
                double *column = A + c * ld + f->first;
                for (size_t k = 0; k < f->n; ++k) column[k] = B[k * cols + c] * scale[k];
            }
        }
        free(B), free(scale);
        free(w.x), free(w.dxdr), free(w.dots), free(w.coef), free(w.jac), free(w.T);
        if (w.soap_ready) soap_work_free(&w.soap);
    }
    if (failed) {
        *err = first_error;
        st = first_error.code ? first_error.code : mlpot_fail_memory(err, "building the GAP design matrix");
        goto done;
    }
    /* the prior: U with UᵀU = K_MM + jitter·I per descriptor, below the label rows */
    for (int k = 0; k < nd && !st; ++k) {
        const fit_descriptor *f = &fd[k];
        const int M = f->n_sparse;
        double *K = malloc((size_t)M * M * sizeof *K);
        if (!K) {
            st = mlpot_fail_memory(err, "the sparse prior");
            break;
        }
        for (int a = 0; a < M; ++a)
            for (int c = a; c < M; ++c) {
                double v = fit_kernel(f, f->sparse + (size_t)a * f->d, f->sparse + (size_t)c * f->d) * f->sparse_cutoff[a] *
                           f->sparse_cutoff[c];
                if (a == c) v += o->sparse_jitter;
                K[(size_t)c * M + a] = v; /* column-major upper triangle */
            }
        lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', M, K, M);
        if (info != 0)
            st = mlpot_fail(err, MLPOT_ERR_NUMERIC,
                            "%s: the covariance of the sparse points is singular (Cholesky failed at %d): duplicate sparse "
                            "points or too small a sparse_jitter",
                            f->string, (int)info);
        for (int a = 0; a < M && !st; ++a)
            for (int c = a; c < M; ++c) A[(f->column + (size_t)c) * ld + rows + f->column + (size_t)a] = K[(size_t)c * M + a];
        free(K);
    }
    double t3 = seconds();
    rep.seconds_matrix = t3 - t2;
    if (st) goto done;
    /* QR: A = QR, α = R⁻¹ (Qᵀb)[0:M) */
    lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)ld, (lapack_int)cols, A, (lapack_int)ld, tau);
    if (!info) info = LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', (lapack_int)ld, 1, (lapack_int)cols, A, (lapack_int)ld, tau, b,
                                     (lapack_int)ld);
    double rcond = 0.0;
    if (!info) info = LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', (lapack_int)cols, A, (lapack_int)ld, &rcond);
    if (!info) info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', (lapack_int)cols, 1, A, (lapack_int)ld, b, (lapack_int)ld);
    rep.condition_number = rcond > 0 ? 1.0 / rcond : INFINITY;
    rep.seconds_solve = seconds() - t3;
    if (info != 0) {
        st = mlpot_fail(err, MLPOT_ERR_NUMERIC, "GAP fit: the least-squares solve failed (LAPACK info %d, condition number %.3g)",
                        (int)info, rep.condition_number);
        goto done;
    }
    /* the model */
    m = calloc(1, sizeof *m);
    if (!m) {
        st = mlpot_fail_memory(err, "making the GAP model");
        goto done;
    }
    gap_model_init(m);
    m->label = mlpot_strdup("mlpot fit");
    m->source = mlpot_strdup("fitted GAP");
    m->gap_version = fd[0].kind == GAP_DESCRIPTOR_SOAP ? fd[0].soap.p.xml_version : 1686220958L;
    m->energy_scale = 1.0;
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) m->e0[z] = e0[z];
    for (int k = 0; k < nd && !st; ++k) {
        const fit_descriptor *f = &fd[k];
        gap_coordinate *c = gap_model_add_coordinate(m);
        const size_t M = (size_t)f->n_sparse, d = (size_t)f->d;
        if (!c || !(c->descriptor_string = mlpot_strdup(f->string)) || !(c->sparse = mlpot_calloc(M * d + 1, sizeof(double))) ||
            !(c->alpha = mlpot_calloc(M + 1, sizeof(double))) || !(c->sparse_cutoff = mlpot_calloc(M + 1, sizeof(double))) ||
            (f->kernel == GAP_KERNEL_ARD_SE && !(c->theta = mlpot_calloc(d + 1, sizeof(double))))) {
            st = mlpot_fail_memory(err, "making the GAP model");
            break;
        }
        c->kernel = f->kernel, c->delta = f->delta, c->f0 = f->kernel == GAP_KERNEL_ARD_SE ? f->f0 : 0.0, c->zeta = f->zeta;
        c->d = f->d, c->n_sparse = f->n_sparse;
        memcpy(c->sparse, f->sparse, M * d * sizeof(double));
        memcpy(c->sparse_cutoff, f->sparse_cutoff, M * sizeof(double));
        memcpy(c->alpha, b + f->column, M * sizeof(double));
        for (size_t q = 0; c->theta && q < d; ++q) c->theta[q] = f->theta;
    }
    if (!st) {
        mlpot_gap_options gopt;
        mlpot_gap_options_default(&gopt);
        gopt.variance_regularisation = o->variance_regularisation;
        st = gap_model_prepare(m, &gopt, err);
    }
    if (!st) {
        st = gap_model_potential(m, out, err); /* owns m from here, also on failure */
        m = NULL;
    }
done:
    if (m) gap_model_free(m), free(m);
    rep.n_frames = (int)n;
    rep.n_descriptors = nd;
    if (report) *report = rep;
    fit_descriptors_free(fd, nd);
    free(fr), free(A), free(b), free(tau);
    return st;
}
