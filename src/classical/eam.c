/* Embedded-atom method from LAMMPS's tabulated files, with LAMMPS's tabulation so that the
 * numbers agree:
 *   E = Σ_i F_I(ρ_i) + ½ Σ_i Σ_j φ_IJ(r_ij),   ρ_i = Σ_j ρ_{J→I}(r_ij)
 * Formats:
 *   funcfl (pair_style eam): one element per file: F(ρ), an effective charge Z(r) and ρ(r);
 *     φ_IJ = 27.2·0.529·Z_I Z_J / r (LAMMPS's Hartree·Bohr constant). Several files are
 *     resampled onto one grid (the largest spacings and ranges among them) by 4-point Lagrange
 *     interpolation, as LAMMPS does.
 *   setfl (eam/alloy): F_I(ρ), ρ_I(r) for every element, r·φ_IJ for every pair.
 *   Finnis-Sinclair (eam/fs): like setfl, but element J's section holds ρ_{J→I} for every I.
 * Every table becomes a cubic spline whose slopes come from 4th-order finite differences
 * (LAMMPS's "interpolate"), evaluated at p = r/Δr + 1 with the index and fraction clamped to the
 * table. Beyond the last ρ of the table F is continued linearly.
 *
 * Forces use the full neighbour list: atom i sums the derivative of every pair it belongs to,
 * F_i = Σ_j [F'_I ρ'_{J→I} + F'_J ρ'_{I→J} + φ'_IJ] d_ij / r_ij, so no thread writes another
 * atom's force. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/lines.h"
#include "core/neighbours_internal.h"
#include "mlpot/classical.h"
#include "mlpot/elements.h"
#include "potential/accumulate.h"
#include "potential/potential_internal.h"

/* A tabulated function on a uniform grid as a spline: 7 coefficients per knot: derivative
 * (c0 p + c1) p + c2 and value ((c3 p + c4) p + c5) p + c6 on [knot, knot + 1). */
typedef struct spline {
    int n;
    double (*c)[7];
} spline;

typedef struct eam {
    mlpot_eam_format format;
    int n_el;
    int z[MLPOT_MAX_ELEMENT];
    int index[MLPOT_MAX_ELEMENT + 1];
    int nrho, nr;
    double drho, dr, rdrho, rdr, rhomax, cutoff, cutoff2;
    spline *frho;  /* [n_el] */
    spline *rhor;  /* [n_el * n_el]: density that element J gives element I at (J * n + I) */
    spline *z2r;   /* [n_el * n_el]: r·φ_IJ, symmetric */
    char *description;
} eam;

/* The spline through f[0..n-1] on a grid of spacing delta (LAMMPS's construction). */
static int spline_build(spline *s, const double *f, int n, double delta)
{
    s->n = n;
    s->c = calloc((size_t)n, sizeof *s->c);
    if (!s->c) return 0;
    double(*c)[7] = s->c;
    for (int m = 0; m < n; ++m) c[m][6] = f[m];
    c[0][5] = c[1][6] - c[0][6];
    c[1][5] = 0.5 * (c[2][6] - c[0][6]);
    c[n - 2][5] = 0.5 * (c[n - 1][6] - c[n - 3][6]);
    c[n - 1][5] = c[n - 1][6] - c[n - 2][6];
    for (int m = 2; m < n - 2; ++m)
        c[m][5] = ((c[m - 2][6] - c[m + 2][6]) + 8.0 * (c[m + 1][6] - c[m - 1][6])) / 12.0;
    for (int m = 0; m < n - 1; ++m) {
        c[m][4] = 3.0 * (c[m + 1][6] - c[m][6]) - 2.0 * c[m][5] - c[m + 1][5];
        c[m][3] = c[m][5] + c[m + 1][5] - 2.0 * (c[m + 1][6] - c[m][6]);
    }
    c[n - 1][4] = 0.0;
    c[n - 1][3] = 0.0;
    for (int m = 0; m < n; ++m) {
        c[m][2] = c[m][5] / delta;
        c[m][1] = 2.0 * c[m][4] / delta;
        c[m][0] = 3.0 * c[m][3] / delta;
    }
    return 1;
}

/* Knot index (0-based) and fraction for x on a table of n points with inverse spacing rd,
 * clamped to the table as LAMMPS does. */
static inline int knot(int n, double x, double rd, double *p)
{
    double q = x * rd + 1.0;
    int m = (int)q;
    if (m > n - 1) m = n - 1;
    if (m < 1) m = 1;
    q -= m;
    if (q > 1.0) q = 1.0;
    *p = q;
    return m - 1;
}

static inline double spline_value(const double *c, double p)
{
    return ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
}

static inline double spline_slope(const double *c, double p)
{
    return (c[0] * p + c[1]) * p + c[2];
}

static mlpot_status eam_compute(const void *state, const mlpot_structure *s,
                                const mlpot_neighbour_list *nl, unsigned request,
                                mlpot_result *out, mlpot_error *err)
{
    const eam *p = state;
    const int n = s->n_atoms, ne = p->n_el;
    mlpot_local local;
    mlpot_status st = mlpot_local_init(&local, n, request, out, err);
    if (st) return st;
    double *fp = mlpot_result_scratch(out, 2, ((size_t)n + 1) * sizeof *fp, 0);
    int *el = mlpot_result_scratch(out, 3, ((size_t)n + 1) * sizeof *el, 0);
    if (!fp || !el) {
        mlpot_local_free(&local);
        return mlpot_fail_memory(err, "computing EAM");
    }
    for (int i = 0; i < n; ++i) el[i] = p->index[s->numbers[i]];
    /* densities, embedding energies and their derivatives */
#pragma omp parallel for schedule(dynamic, 64) if (n > 256)
    for (int i = 0; i < n; ++i) {
        int ei = el[i];
        double rho = 0;
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            double r = nl->distance[k];
            if (r * r >= p->cutoff2) continue;
            double q;
            int m = knot(p->nr, r, p->rdr, &q);
            rho += spline_value(p->rhor[el[nl->neighbour[k]] * ne + ei].c[m], q);
        }
        double q;
        const double *c = p->frho[ei].c[knot(p->nrho, rho, p->rdrho, &q)];
        fp[i] = spline_slope(c, q);
        double f = spline_value(c, q);
        if (rho > p->rhomax) f += fp[i] * (rho - p->rhomax);
        local.energy[i] = f;
    }
    /* Pair terms once per pair, by the atom that owns it: (dE/dr)/r and φ in a compact per-pair
     * array; then every atom gathers its pairs through the pair index. */
    const int want_forces = (request & MLPOT_OUT_FORCES) != 0;
    const int *pair_index = NULL;
    int *owned_index = NULL;
    size_t n_unique = 0;
    if ((st = mlpot_neighbour_pairs_view(nl, &pair_index, &n_unique, &owned_index, err))) {
        mlpot_local_free(&local);
        return st;
    }
    double(*pair)[2] = mlpot_result_scratch(out, 4, (n_unique + 1) * sizeof *pair, 0);
    if (!pair) {
        free(owned_index);
        mlpot_local_free(&local);
        return mlpot_fail_memory(err, "computing EAM");
    }
#pragma omp parallel for schedule(dynamic, 64) if (n > 256)
    for (int i = 0; i < n; ++i) {
        int ei = el[i];
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            if (!mlpot_pair_id_owned(pair_index[k])) continue;
            int j = nl->neighbour[k];
            double *out_pair = pair[pair_index[k]];
            double r = nl->distance[k];
            if (r * r >= p->cutoff2) {
                out_pair[0] = out_pair[1] = 0.0;
                continue;
            }
            int ej = el[j];
            double q;
            int m = knot(p->nr, r, p->rdr, &q); /* every r-table shares the grid */
            const double *cz = p->z2r[ei * ne + ej].c[m];
            double rhojp = spline_slope(p->rhor[ej * ne + ei].c[m], q); /* j's density at i */
            /* i's density at j: the same table when both atoms are of one element */
            double rhoip = ei == ej ? rhojp : spline_slope(p->rhor[ei * ne + ej].c[m], q);
            double z2 = spline_value(cz, q), z2p = spline_slope(cz, q);
            double recip = 1.0 / r;
            double phi = z2 * recip;
            double phip = z2p * recip - phi * recip;
            out_pair[0] = (fp[i] * rhojp + fp[j] * rhoip + phip) * recip; /* (dE/dr) / r */
            out_pair[1] = phi;
        }
    }
#pragma omp parallel for schedule(dynamic, 64) if (n > 256)
    for (int i = 0; i < n; ++i) {
        double e = 0, f[3] = {0, 0, 0}, w[9] = {0};
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            const double *pk = pair[mlpot_pair_id(pair_index[k])];
            double g = pk[0];
            const double *d = &nl->vector[3 * k];
            e += 0.5 * pk[1];
            for (int a = 0; a < 3; ++a) f[a] += g * d[a];
            if (local.virial) { /* -½ g d⊗d: symmetric, six products */
                double h = 0.5 * g;
                w[0] -= h * d[0] * d[0], w[4] -= h * d[1] * d[1], w[8] -= h * d[2] * d[2];
                w[1] -= h * d[0] * d[1], w[2] -= h * d[0] * d[2], w[5] -= h * d[1] * d[2];
            }
        }
        w[3] = w[1], w[6] = w[2], w[7] = w[5];
        local.energy[i] += e;
        if (want_forces)
            for (int a = 0; a < 3; ++a) out->forces[3 * i + a] += f[a];
        if (local.virial) memcpy(&local.virial[9 * i], w, sizeof w);
    }
    free(owned_index);
    mlpot_local_add_to_result(&local, request, out);
    mlpot_local_free(&local);
    return MLPOT_OK;
}

static void free_splines(spline *s, int n)
{
    for (int k = 0; s && k < n; ++k) free(s[k].c);
    free(s);
}

static void eam_destroy(void *state)
{
    eam *p = state;
    if (!p) return;
    free_splines(p->frho, p->n_el);
    free_splines(p->rhor, p->n_el * p->n_el);
    free_splines(p->z2r, p->n_el * p->n_el);
    free(p->description);
    free(p);
}

static void eam_describe(const void *state, char *buf, size_t size)
{
    const eam *p = state;
    snprintf(buf, size, "%s", p->description);
}

/* --- reading ---------------------------------------------------------------------------------- */

/* A stream of numbers from a file after its header lines, with line numbers for messages. */
typedef struct numbers {
    line_reader r;
    char *fields[256];
    int n_fields, next;
} numbers;

static mlpot_status numbers_next_line(numbers *nr, mlpot_error *err)
{
    int eof = 0;
    do {
        mlpot_status st = line_reader_next(&nr->r, &eof, err);
        if (st) return st;
        if (eof) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: file ends early (tables incomplete)",
                                   nr->r.path, nr->r.number);
        nr->n_fields = split_fields(nr->r.line, nr->fields, 256);
    } while (nr->n_fields == 0);
    if (nr->n_fields > 256)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: more than 256 numbers on a line", nr->r.path, nr->r.number);
    nr->next = 0;
    return MLPOT_OK;
}

static mlpot_status numbers_read(numbers *nr, double *out, int count, const char *what, mlpot_error *err)
{
    for (int k = 0; k < count; ++k) {
        if (nr->next >= nr->n_fields) {
            mlpot_status st = numbers_next_line(nr, err);
            if (st) return st;
        }
        mlpot_status st = parse_real(nr->fields[nr->next++], &out[k], &nr->r, what, err);
        if (st) return st;
    }
    return MLPOT_OK;
}

/* The current line's words (for header lines), starting a fresh line. */
static mlpot_status header_line(numbers *nr, int min_words, const char *what, mlpot_error *err)
{
    mlpot_status st = numbers_next_line(nr, err);
    if (st) return st;
    if (nr->n_fields < min_words)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s needs at least %d words, found %d", nr->r.path,
                          nr->r.number, what, min_words, nr->n_fields);
    return MLPOT_OK;
}

static mlpot_status skip_comment_lines(numbers *nr, int count, mlpot_error *err)
{
    for (int k = 0; k < count; ++k) {
        int eof = 0;
        mlpot_status st = line_reader_next(&nr->r, &eof, err);
        if (st) return st;
        if (eof) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: file ends in its header", nr->r.path, nr->r.number);
    }
    nr->n_fields = nr->next = 0;
    return MLPOT_OK;
}

static mlpot_status grid_header(numbers *nr, int *nrho, double *drho, int *nnr, double *dr, double *cut,
                                mlpot_error *err)
{
    mlpot_status st = header_line(nr, 5, "the grid line (Nrho drho Nr dr cutoff)", err);
    double v[5];
    for (int k = 0; k < 5 && !st; ++k) st = parse_real(nr->fields[k], &v[k], &nr->r, "grid value", err);
    if (st) return st;
    nr->next = 5;
    if (v[0] < 5 || v[2] < 5 || v[0] != floor(v[0]) || v[2] != floor(v[2]) || v[0] > 1e7 || v[2] > 1e7 ||
        !(v[1] > 0) || !(v[3] > 0) || !(v[4] > 0))
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s:%ld: invalid grid (Nrho %g, drho %g, Nr %g, dr %g, cutoff %g): need at least 5 "
                          "points and positive spacings",
                          nr->r.path, nr->r.number, v[0], v[1], v[2], v[3], v[4]);
    *nrho = (int)v[0], *drho = v[1], *nnr = (int)v[2], *dr = v[3], *cut = v[4];
    return MLPOT_OK;
}

/* One funcfl file. */
typedef struct funcfl {
    int z;
    int nrho, nr;
    double drho, dr, cut;
    double *frho, *zr, *rhor;
} funcfl;

static mlpot_status read_funcfl(const char *path, funcfl *f, mlpot_error *err)
{
    memset(f, 0, sizeof *f);
    numbers nr;
    memset(&nr, 0, sizeof nr);
    mlpot_status st = line_reader_open(&nr.r, path, err);
    if (st) return st;
    if (!(st = skip_comment_lines(&nr, 1, err)) && !(st = header_line(&nr, 2, "the element line (Z mass ...)", err))) {
        double z;
        st = parse_real(nr.fields[0], &z, &nr.r, "atomic number", err);
        if (!st && (z < 1 || z > MLPOT_MAX_ELEMENT || z != floor(z)))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atomic number %g is not an element", path, nr.r.number, z);
        f->z = (int)z;
        nr.next = nr.n_fields;
    }
    if (!st) st = grid_header(&nr, &f->nrho, &f->drho, &f->nr, &f->dr, &f->cut, err);
    if (!st) {
        f->frho = calloc((size_t)f->nrho, sizeof(double));
        f->zr = calloc((size_t)f->nr, sizeof(double));
        f->rhor = calloc((size_t)f->nr, sizeof(double));
        if (!f->frho || !f->zr || !f->rhor) st = mlpot_fail_memory(err, "reading an EAM file");
    }
    if (!st) st = numbers_read(&nr, f->frho, f->nrho, "F(rho) value", err);
    if (!st) st = numbers_read(&nr, f->zr, f->nr, "Z(r) value", err);
    if (!st) st = numbers_read(&nr, f->rhor, f->nr, "rho(r) value", err);
    line_reader_close(&nr.r);
    if (st) {
        free(f->frho), free(f->zr), free(f->rhor);
        memset(f, 0, sizeof *f);
    }
    return st;
}

/* LAMMPS's resampling of a funcfl table onto the common grid: 4-point Lagrange interpolation
 * around the point, the stencil clamped inside the table. */
static void resample(const double *table, int n_table, double spacing, double *out, int n, double delta)
{
    const double sixth = 1.0 / 6.0;
    for (int m = 0; m < n; ++m) {
        double x = m * delta;
        double p = x / spacing + 1.0;
        int k = (int)p;
        if (k > n_table - 2) k = n_table - 2;
        if (k < 2) k = 2;
        p -= k;
        if (p > 2.0) p = 2.0;
        double c1 = -sixth * p * (p - 1.0) * (p - 2.0);
        double c2 = 0.5 * (p * p - 1.0) * (p - 2.0);
        double c3 = -0.5 * p * (p + 1.0) * (p - 2.0);
        double c4 = sixth * p * (p * p - 1.0);
        /* table is 0-based here; LAMMPS's 1-based k-1 .. k+2 are k-2 .. k+1 */
        out[m] = c1 * table[k - 2] + c2 * table[k - 1] + c3 * table[k] + c4 * table[k + 1];
    }
}

static mlpot_status build_funcfl(eam *p, const char *const *paths, int n_paths, mlpot_error *err)
{
    funcfl *files = calloc((size_t)n_paths, sizeof *files);
    if (!files) return mlpot_fail_memory(err, "reading EAM files");
    mlpot_status st = MLPOT_OK;
    for (int k = 0; k < n_paths && !st; ++k) {
        st = read_funcfl(paths[k], &files[k], err);
        if (!st && p->index[files[k].z] >= 0)
            st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: a second file for %s", paths[k], mlpot_element_symbol(files[k].z));
        if (!st) {
            p->index[files[k].z] = p->n_el;
            p->z[p->n_el++] = files[k].z;
        }
    }
    double *work = NULL, *zi = NULL, *zj = NULL;
    if (!st) {
        double rmax = 0, rhomax = 0;
        for (int k = 0; k < n_paths; ++k) {
            funcfl *f = &files[k];
            p->dr = fmax(p->dr, f->dr);
            p->drho = fmax(p->drho, f->drho);
            rmax = fmax(rmax, (f->nr - 1) * f->dr);
            rhomax = fmax(rhomax, (f->nrho - 1) * f->drho);
            p->cutoff = fmax(p->cutoff, f->cut);
        }
        p->nr = (int)(rmax / p->dr + 0.5);
        p->nrho = (int)(rhomax / p->drho + 0.5);
        int ne = p->n_el, nmax = p->nr > p->nrho ? p->nr : p->nrho;
        p->frho = calloc((size_t)ne, sizeof *p->frho);
        p->rhor = calloc((size_t)ne * ne, sizeof *p->rhor);
        p->z2r = calloc((size_t)ne * ne, sizeof *p->z2r);
        work = calloc((size_t)nmax, sizeof *work);
        zi = calloc((size_t)nmax, sizeof *zi);
        zj = calloc((size_t)nmax, sizeof *zj);
        if (!p->frho || !p->rhor || !p->z2r || !work || !zi || !zj) st = mlpot_fail_memory(err, "tabulating EAM");
        for (int a = 0; a < ne && !st; ++a) {
            resample(files[a].frho, files[a].nrho, files[a].drho, work, p->nrho, p->drho);
            if (!spline_build(&p->frho[a], work, p->nrho, p->drho)) st = mlpot_fail_memory(err, "tabulating EAM");
            resample(files[a].rhor, files[a].nr, files[a].dr, work, p->nr, p->dr);
            /* a funcfl density depends only on the element that gives it */
            for (int b = 0; b < ne && !st; ++b)
                if (!spline_build(&p->rhor[a * ne + b], work, p->nr, p->dr)) st = mlpot_fail_memory(err, "tabulating EAM");
        }
        for (int a = 0; a < ne && !st; ++a)
            for (int b = 0; b < ne && !st; ++b) {
                resample(files[a].zr, files[a].nr, files[a].dr, zi, p->nr, p->dr);
                resample(files[b].zr, files[b].nr, files[b].dr, zj, p->nr, p->dr);
                for (int m = 0; m < p->nr; ++m) work[m] = 27.2 * 0.529 * zi[m] * zj[m];
                if (!spline_build(&p->z2r[a * ne + b], work, p->nr, p->dr)) st = mlpot_fail_memory(err, "tabulating EAM");
            }
    }
    for (int k = 0; k < n_paths; ++k) free(files[k].frho), free(files[k].zr), free(files[k].rhor);
    free(files);
    free(work);
    free(zi);
    free(zj);
    return st;
}

static mlpot_status build_setfl(eam *p, const char *path, int fs, mlpot_error *err)
{
    numbers nr;
    memset(&nr, 0, sizeof nr);
    mlpot_status st = line_reader_open(&nr.r, path, err);
    if (st) return st;
    double *table = NULL;
    int ne = 0;
    if (!(st = skip_comment_lines(&nr, 3, err)) && !(st = header_line(&nr, 2, "the element line (N El1 El2 ...)", err))) {
        double v;
        st = parse_real(nr.fields[0], &v, &nr.r, "number of elements", err);
        if (!st && (v < 1 || v > 100 || v != floor(v) || nr.n_fields != (int)v + 1))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: element line must be N followed by N symbols", path, nr.r.number);
        ne = st ? 0 : (int)v;
        for (int k = 0; k < ne && !st; ++k) {
            int z = mlpot_element_number(nr.fields[1 + k]);
            if (!z) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: '%s' is not an element symbol", path, nr.r.number, nr.fields[1 + k]);
            else if (p->index[z] >= 0) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: element %s twice", path, nr.r.number, nr.fields[1 + k]);
            else p->index[z] = k, p->z[k] = z;
        }
        p->n_el = ne;
    }
    if (!st) st = grid_header(&nr, &p->nrho, &p->drho, &p->nr, &p->dr, &p->cutoff, err);
    if (!st) {
        table = calloc((size_t)(p->nr > p->nrho ? p->nr : p->nrho), sizeof *table);
        p->frho = calloc((size_t)ne, sizeof *p->frho);
        p->rhor = calloc((size_t)ne * ne, sizeof *p->rhor);
        p->z2r = calloc((size_t)ne * ne, sizeof *p->z2r);
        if (!table || !p->frho || !p->rhor || !p->z2r) st = mlpot_fail_memory(err, "reading an EAM file");
    }
    for (int a = 0; a < ne && !st; ++a) {
        /* element line: Z mass a lattice */
        if ((st = header_line(&nr, 2, "the element data line (Z mass ...)", err))) break;
        nr.next = nr.n_fields;
        if ((st = numbers_read(&nr, table, p->nrho, "F(rho) value", err))) break;
        if (!spline_build(&p->frho[a], table, p->nrho, p->drho)) st = mlpot_fail_memory(err, "tabulating EAM");
        for (int b = 0; b < (fs ? ne : 1) && !st; ++b) {
            if ((st = numbers_read(&nr, table, p->nr, "rho(r) value", err))) break;
            /* setfl: element a's density, the same for every receiver; fs: a's density at b */
            for (int c = 0; c < ne && !st; ++c) {
                if (fs && c != b) continue;
                if (!spline_build(&p->rhor[a * ne + c], table, p->nr, p->dr)) st = mlpot_fail_memory(err, "tabulating EAM");
            }
        }
    }
    for (int a = 0; a < ne && !st; ++a)
        for (int b = 0; b <= a && !st; ++b) {
            if ((st = numbers_read(&nr, table, p->nr, "r*phi(r) value", err))) break;
            if (!spline_build(&p->z2r[a * ne + b], table, p->nr, p->dr)) st = mlpot_fail_memory(err, "tabulating EAM");
            else if (a != b && !spline_build(&p->z2r[b * ne + a], table, p->nr, p->dr)) st = mlpot_fail_memory(err, "tabulating EAM");
        }
    if (!st) {
        double extra;
        int eof = 0;
        /* numbers left on the last line, or more lines with numbers: the element count or the
         * grid does not match the tables */
        if (nr.next < nr.n_fields) eof = 0;
        else {
            do {
                if ((st = line_reader_next(&nr.r, &eof, err))) break;
            } while (!eof && is_blank(nr.r.line));
            if (!eof) nr.n_fields = split_fields(nr.r.line, nr.fields, 256), nr.next = 0;
        }
        if (!st && !eof && parse_real(nr.fields[nr.next], &extra, &nr.r, "value", NULL) == MLPOT_OK)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: more numbers than the header's grid and elements need",
                            path, nr.r.number);
    }
    line_reader_close(&nr.r);
    free(table);
    return st;
}

mlpot_status mlpot_eam_load(mlpot_eam_format format, const char *const *paths, int n_paths,
                            mlpot_potential **out, mlpot_error *err)
{
    *out = NULL;
    if (n_paths < 1 || (format != MLPOT_EAM_FUNCFL && n_paths != 1))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "eam: %s", format == MLPOT_EAM_FUNCFL ? "give at least one funcfl file"
                                                                                   : "give exactly one file");
    eam *p = calloc(1, sizeof *p);
    if (!p) return mlpot_fail_memory(err, "creating an EAM potential");
    p->format = format;
    for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) p->index[z] = -1;
    mlpot_status st = format == MLPOT_EAM_FUNCFL ? build_funcfl(p, paths, n_paths, err)
                                                 : build_setfl(p, paths[0], format == MLPOT_EAM_FS, err);
    if (!st && (p->nr < 5 || p->nrho < 5))
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: tables shorter than 5 points", paths[0]);
    if (st) {
        eam_destroy(p);
        return st;
    }
    p->rdr = 1.0 / p->dr;
    p->rdrho = 1.0 / p->drho;
    p->rhomax = (p->nrho - 1) * p->drho;
    p->cutoff2 = p->cutoff * p->cutoff;
    static const char *styles[] = {"eam", "eam/alloy", "eam/fs"};
    char desc[1024];
    size_t used = (size_t)snprintf(desc, sizeof desc, "%s:", styles[format]);
    for (int k = 0; k < n_paths && used < sizeof desc; ++k)
        used += (size_t)snprintf(desc + used, sizeof desc - used, "%s%s", k ? "," : "", paths[k]);
    if (used < sizeof desc) snprintf(desc + used, sizeof desc - used, " (cutoff %g Å)", p->cutoff);
    p->description = mlpot_strdup(desc);
    mlpot_potential_info info = {
        .style = styles[format],
        .cutoff = p->cutoff,
        .outputs = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                   MLPOT_OUT_ATOM_VIRIALS,
        .needs_full_list = 1,
        .n_species = p->n_el,
        .species = p->z,
    };
    static const mlpot_potential_ops ops = {eam_compute, eam_destroy, eam_describe};
    return mlpot_potential_create(&ops, p, &info, out, err);
}
