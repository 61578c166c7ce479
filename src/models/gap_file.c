/* mlpot's GAP model file, version 1: a versioned text format that keeps every number.
 *
 *     mlpot-gap 1
 *     # comment lines (anywhere; ignored)
 *     label <text>                       optional
 *     gap_version <integer>              GAP version whose conventions the descriptors follow
 *     energy_scale <real>                QUIP's E_scale (normally 1)
 *     e0 <count>                         followed by <count> lines "<Z> <e0 / eV>"
 *     descriptors <count>
 *   then <count> blocks:
 *     descriptor <QUIP descriptor string, to the end of the line>
 *     kernel <ard_se | dot_product>
 *     delta <δ>                          signal standard deviation (QUIP's signal_variance)
 *     f0 <f0>                            signal mean
 *     zeta <ζ>                           dot_product only
 *     theta <θ_1 ... θ_d>                ard_se only
 *     dimension <d>
 *     sparse <M>
 *     <M lines: alpha sparseCutoff x_1 ... x_d>
 *     end
 *
 * Keys are lower case and come in this order. Reals are written with %.17g, which round-trips
 * every double exactly, so a converted model predicts bit for bit what the original does.
 * Version: the number after "mlpot-gap"; files from a newer mlpot (a higher version) are
 * refused with a message that says so, rather than misread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/lines.h"
#include "models/gap_model.h"

/* --- writing ------------------------------------------------------------------------------ */

static int write_model(FILE *f, const gap_model *m)
{
    fprintf(f, "mlpot-gap %d\n", MLPOT_GAP_FILE_VERSION);
    fprintf(f, "# GAP model for mlpot (format documented in include/mlpot/gap.h)\n");
    if (m->source && !strpbrk(m->source, "\n\r")) fprintf(f, "# converted from %s\n", m->source);
    if (m->label && m->label[0] && !strpbrk(m->label, "\n\r")) fprintf(f, "label %s\n", m->label);
    fprintf(f, "gap_version %ld\n", m->gap_version);
    fprintf(f, "energy_scale %.17g\n", m->energy_scale);
    int n_e0 = 0;
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z) n_e0 += m->e0[z] != 0.0;
    fprintf(f, "e0 %d\n", n_e0);
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        if (m->e0[z] != 0.0) fprintf(f, "%d %.17g\n", z, m->e0[z]);
    fprintf(f, "descriptors %d\n", m->n_coordinates);
    for (int k = 0; k < m->n_coordinates; ++k) {
        const gap_coordinate *c = &m->coordinates[k];
        fprintf(f, "descriptor %s\n", c->descriptor_string);
        fprintf(f, "kernel %s\n", c->kernel == GAP_KERNEL_DOT_PRODUCT ? "dot_product" : "ard_se");
        fprintf(f, "delta %.17g\nf0 %.17g\n", c->delta, c->f0);
        if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
            fprintf(f, "zeta %.17g\n", c->zeta);
        } else {
            fprintf(f, "theta");
            for (int q = 0; q < c->d; ++q) fprintf(f, " %.17g", c->theta[q]);
            fprintf(f, "\n");
        }
        fprintf(f, "dimension %d\nsparse %d\n", c->d, c->n_sparse);
        for (int s = 0; s < c->n_sparse; ++s) {
            fprintf(f, "%.17g %.17g", c->alpha[s], c->sparse_cutoff[s]);
            const double *x = c->sparse + (size_t)s * c->d;
            for (int q = 0; q < c->d; ++q) fprintf(f, " %.17g", x[q]);
            fprintf(f, "\n");
        }
        fprintf(f, "end\n");
    }
    return ferror(f) == 0;
}

mlpot_status gap_file_write(const gap_model *m, const char *path, mlpot_error *err)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) return mlpot_fail_memory(err, "writing a GAP model");
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        mlpot_status st = mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot create", tmp);
        free(tmp);
        return st;
    }
    int ok = write_model(f, m);
    ok &= fflush(f) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        free(tmp);
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot write the GAP model", path);
    }
    free(tmp);
    return MLPOT_OK;
}

/* --- reading ------------------------------------------------------------------------------ */

typedef struct file_reader {
    line_reader r;
    char **field;
    int max_fields;
    int n; /* fields of the current line */
} file_reader;

/* Next non-comment, non-blank line. */
static mlpot_status next_line(file_reader *f, const char *expect, mlpot_error *err)
{
    for (;;) {
        int eof = 0;
        mlpot_status st = line_reader_next(&f->r, &eof, err);
        if (st) return st;
        if (eof)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: the file ends where %s was expected", f->r.path,
                              f->r.number, expect);
        if (f->r.line[0] == '#' || is_blank(f->r.line)) continue;
        return MLPOT_OK;
    }
}

/* Splits the current line into fields (room for at least `needed`). */
static mlpot_status split(file_reader *f, int needed, mlpot_error *err)
{
    if (needed + 2 > f->max_fields) {
        char **p = mlpot_realloc(f->field, (size_t)needed + 2, sizeof *p);
        if (!p) return mlpot_fail_memory(err, "reading a GAP model");
        f->field = p;
        f->max_fields = needed + 2;
    }
    f->n = split_fields(f->r.line, f->field, f->max_fields);
    return MLPOT_OK;
}

/* A line "key value..." with exactly `values` values. */
static mlpot_status keyed(file_reader *f, const char *key, int values, mlpot_error *err)
{
    mlpot_status st = next_line(f, key, err);
    if (st) return st;
    if ((st = split(f, values + 1, err))) return st;
    if (f->n < 1 || strcmp(f->field[0], key))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected '%s', found '%s'", f->r.path, f->r.number, key,
                          f->n ? f->field[0] : "");
    if (f->n != values + 1)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: '%s' needs %d value%s", f->r.path, f->r.number, key, values,
                          values == 1 ? "" : "s");
    return MLPOT_OK;
}

static mlpot_status keyed_real(file_reader *f, const char *key, double *out, mlpot_error *err)
{
    mlpot_status st = keyed(f, key, 1, err);
    return st ? st : parse_real(f->field[1], out, &f->r, key, err);
}

static mlpot_status keyed_long(file_reader *f, const char *key, long *out, long lo, long hi, mlpot_error *err)
{
    mlpot_status st = keyed(f, key, 1, err);
    if (!st) st = parse_long(f->field[1], out, &f->r, key, err);
    if (!st && (*out < lo || *out > hi))
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s %ld is out of range [%ld, %ld]", f->r.path, f->r.number, key, *out,
                        lo, hi);
    return st;
}

static mlpot_status read_coordinate(file_reader *f, gap_model *m, mlpot_error *err)
{
    gap_coordinate *c = gap_model_add_coordinate(m);
    if (!c) return mlpot_fail_memory(err, "reading a GAP model");
    mlpot_status st = next_line(f, "descriptor", err);
    if (st) return st;
    if (strncmp(f->r.line, "descriptor ", 11))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected 'descriptor <QUIP descriptor string>'", f->r.path,
                          f->r.number);
    c->descriptor_string = mlpot_strdup(f->r.line + 11);
    if (!c->descriptor_string) return mlpot_fail_memory(err, "reading a GAP model");
    if ((st = keyed(f, "kernel", 1, err))) return st;
    if (!strcmp(f->field[1], "dot_product")) c->kernel = GAP_KERNEL_DOT_PRODUCT;
    else if (!strcmp(f->field[1], "ard_se")) c->kernel = GAP_KERNEL_ARD_SE;
    else
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s:%ld: kernel '%s' is not supported (ard_se, dot_product)",
                          f->r.path, f->r.number, f->field[1]);
    if ((st = keyed_real(f, "delta", &c->delta, err)) || (st = keyed_real(f, "f0", &c->f0, err))) return st;
    /* theta precedes the dimension: keep its line and parse it once d is known */
    char *theta_line = NULL;
    long theta_number = 0;
    if (c->kernel == GAP_KERNEL_DOT_PRODUCT) {
        if ((st = keyed_real(f, "zeta", &c->zeta, err))) return st;
    } else {
        if ((st = next_line(f, "theta", err))) return st;
        if (strncmp(f->r.line, "theta ", 6))
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected 'theta <length scales>'", f->r.path, f->r.number);
        theta_line = mlpot_strdup(f->r.line);
        theta_number = f->r.number;
        if (!theta_line) return mlpot_fail_memory(err, "reading a GAP model");
    }
    long d = 0, M = 0;
    if ((st = keyed_long(f, "dimension", &d, 1, 100000000, err)) || (st = keyed_long(f, "sparse", &M, 0, 100000000, err))) {
        free(theta_line);
        return st;
    }
    if ((double)d * (double)M > 4e9) {
        free(theta_line);
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: implausible size %ld x %ld", f->r.path, f->r.number, M, d);
    }
    c->d = (int)d;
    c->n_sparse = (int)M;
    if (theta_line) {
        c->theta = mlpot_calloc((size_t)d, sizeof *c->theta);
        char **w = mlpot_calloc((size_t)d + 2, sizeof *w);
        int nw = c->theta && w ? split_fields(theta_line, w, (int)d + 2) : -1;
        if (nw < 0) st = mlpot_fail_memory(err, "reading a GAP model");
        else if (nw != d + 1)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: theta has %d values for dimension %ld", f->r.path, theta_number,
                            nw - 1, d);
        line_reader at = f->r;
        at.number = theta_number;
        for (long q = 0; q < d && !st; ++q) st = parse_real(w[q + 1], &c->theta[q], &at, "theta", err);
        free(w);
        free(theta_line);
        if (st) return st;
    }
    c->sparse = mlpot_calloc((size_t)M * (size_t)d + 1, sizeof *c->sparse);
    c->alpha = mlpot_calloc((size_t)M + 1, sizeof *c->alpha);
    c->sparse_cutoff = mlpot_calloc((size_t)M + 1, sizeof *c->sparse_cutoff);
    if (!c->sparse || !c->alpha || !c->sparse_cutoff)
        return mlpot_fail(err, MLPOT_ERR_MEMORY, "%s: out of memory for %ld sparse points of dimension %ld", f->r.path, M, d);
    for (long s = 0; s < M; ++s) {
        if ((st = next_line(f, "a sparse point", err)) || (st = split(f, (int)d + 2, err))) return st;
        if (f->n != d + 2)
            return mlpot_fail(err, MLPOT_ERR_FORMAT,
                              "%s:%ld: sparse point %ld has %d numbers, expected %ld (alpha, sparse cutoff and %ld values)",
                              f->r.path, f->r.number, s + 1, f->n, d + 2, d);
        if ((st = parse_real(f->field[0], &c->alpha[s], &f->r, "alpha", err)) ||
            (st = parse_real(f->field[1], &c->sparse_cutoff[s], &f->r, "sparse cutoff", err)))
            return st;
        double *x = c->sparse + (size_t)s * d;
        for (long q = 0; q < d; ++q)
            if ((st = parse_real(f->field[q + 2], &x[q], &f->r, "sparse point value", err))) return st;
    }
    if ((st = next_line(f, "end", err))) return st;
    if (strcmp(f->r.line, "end"))
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected 'end' after %ld sparse points", f->r.path, f->r.number, M);
    return MLPOT_OK;
}

mlpot_status gap_file_read(const char *path, gap_model *m, mlpot_error *err)
{
    file_reader f;
    memset(&f, 0, sizeof f);
    mlpot_status st = line_reader_open(&f.r, path, err);
    if (st) return st;
    long version = 0, n_e0 = 0, n_desc = 0;
    if ((st = next_line(&f, "'mlpot-gap <version>'", err)) || (st = split(&f, 4, err))) goto done;
    if (f.n != 2 || strcmp(f.field[0], "mlpot-gap") || (st = parse_long(f.field[1], &version, &f.r, "version", err))) {
        if (!st)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: not an mlpot GAP file (expected 'mlpot-gap <version>')", path,
                            f.r.number);
        goto done;
    }
    if (version > MLPOT_GAP_FILE_VERSION || version < 1) {
        st = mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                        "%s: mlpot GAP file version %ld; this mlpot reads versions 1 to %d (written by a newer mlpot?)",
                        path, version, MLPOT_GAP_FILE_VERSION);
        goto done;
    }
    if ((st = next_line(&f, "gap_version", err))) goto done;
    if (!strncmp(f.r.line, "label ", 6)) {
        m->label = mlpot_strdup(f.r.line + 6);
        if ((st = next_line(&f, "gap_version", err))) goto done;
    }
    if ((st = split(&f, 4, err))) goto done;
    if (f.n != 2 || strcmp(f.field[0], "gap_version") ||
        (st = parse_long(f.field[1], &m->gap_version, &f.r, "gap_version", err))) {
        if (!st) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected 'gap_version <integer>'", path, f.r.number);
        goto done;
    }
    if ((st = keyed_real(&f, "energy_scale", &m->energy_scale, err))) goto done;
    if ((st = keyed_long(&f, "e0", &n_e0, 0, MLPOT_MAX_ELEMENT, err))) goto done;
    for (long k = 0; k < n_e0; ++k) {
        long z = 0;
        double v = 0;
        if ((st = next_line(&f, "an e0 line", err)) || (st = split(&f, 4, err))) goto done;
        if (f.n != 2 || (st = parse_long(f.field[0], &z, &f.r, "Z", err)) || (st = parse_real(f.field[1], &v, &f.r, "e0", err))) {
            if (!st) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected '<Z> <e0>'", path, f.r.number);
            goto done;
        }
        if (z < 1 || z > MLPOT_MAX_ELEMENT) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: Z=%ld is not an atomic number", path, f.r.number, z);
            goto done;
        }
        m->e0[z] = v;
    }
    if ((st = keyed_long(&f, "descriptors", &n_desc, 1, 1000, err))) goto done;
    for (long k = 0; k < n_desc && !st; ++k) st = read_coordinate(&f, m, err);
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&f.r, &eof, err)) || eof) break;
        if (f.r.line[0] != '#' && !is_blank(f.r.line))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: unexpected content after the last descriptor", path, f.r.number);
    }
done:
    free(f.field);
    line_reader_close(&f.r);
    return st;
}
