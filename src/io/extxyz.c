/* Extended XYZ as ASE reads and writes it.
 *
 * Frame: a line with the number of atoms, a key=value comment line (see keyvalue.h), one line
 * per atom with the columns named by Properties=name:type:ncols:... (default
 * species:S:1:pos:R:3). Lattice="ax ay az bx by bz cx cy cz" gives the cell rows; pbc
 * defaults to "T T T" when Lattice is present. stress= and virial= hold 9 numbers of a 3x3
 * matrix in Fortran (column-major) order, as ASE writes them; stress= may also hold the 6 Voigt
 * components xx yy zz yz xz xy. Species symbols are capitalised as ASE does; a Z column, when
 * present, sets the atomic numbers.
 *
 * Known keys become the structure's labels (names from mlpot_io_options); every other key and
 * column is kept as text / typed arrays and written back unchanged. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/formats.h"
#include "io/keyvalue.h"
#include "mlpot/elements.h"

enum { MAX_COLUMNS = 4096 };

typedef struct column {
    char name[128];
    char type;  /* R I S L */
    int ncols;
    int first;  /* index of its first field on an atom line */
} column;

static mlpot_status parse_properties(const char *text, column *cols, int *n_cols, int *n_fields,
                                     const line_reader *r, mlpot_error *err)
{
    char *copy = mlpot_strdup(text);
    if (!copy) return mlpot_fail_memory(err, "reading Properties");
    char *parts[3 * 256];
    int n = 0;
    for (char *p = copy, *q; n < 3 * 256; p = q + 1) {
        q = strchr(p, ':');
        parts[n++] = p;
        if (!q) break;
        *q = '\0';
    }
    mlpot_status st = MLPOT_OK;
    if (n % 3 != 0 || n == 0)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s:%ld: Properties='%s' is not a list of name:type:columns triples",
                        r->path, r->number, text);
    *n_cols = 0;
    *n_fields = 0;
    for (int k = 0; k + 2 < n && !st; k += 3) {
        column *c = &cols[*n_cols];
        char *end;
        long width = strtol(parts[k + 2], &end, 10);
        if (strlen(parts[k]) == 0 || strlen(parts[k]) >= sizeof c->name)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: Properties has an empty or too long name",
                            r->path, r->number);
        else if (strlen(parts[k + 1]) != 1 || !strchr("RISL", parts[k + 1][0]))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: Properties: column '%s' has type '%s' (expected R, I, S or L)",
                            r->path, r->number, parts[k], parts[k + 1]);
        else if (*end || end == parts[k + 2] || width < 1 || width > MAX_COLUMNS)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: Properties: column '%s' has width '%s'", r->path, r->number,
                            parts[k], parts[k + 2]);
        else {
            strcpy(c->name, parts[k]);
            c->type = parts[k + 1][0];
            c->ncols = (int)width;
            c->first = *n_fields;
            *n_fields += (int)width;
            ++*n_cols;
            if (*n_fields > MAX_COLUMNS)
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: more than %d columns", r->path,
                                r->number, MAX_COLUMNS);
        }
    }
    free(copy);
    return st;
}

static int parse_bool(const char *t, int *out)
{
    if (!strcmp(t, "T") || !strcmp(t, "True") || !strcmp(t, "true") || !strcmp(t, "1")) *out = 1;
    else if (!strcmp(t, "F") || !strcmp(t, "False") || !strcmp(t, "false") || !strcmp(t, "0")) *out = 0;
    else return 0;
    return 1;
}

/* Parses a list of exactly `count` (or, when alt > 0, `alt`) reals from an info value. */
static mlpot_status parse_reals(const char *value, double *out, int count, int alt, int *got,
                                const line_reader *r, const char *key, mlpot_error *err)
{
    char *copy = mlpot_strdup(value);
    if (!copy) return mlpot_fail_memory(err, "reading a comment line");
    char *tokens[16];
    int n = kv_split_list(copy, tokens, 16);
    mlpot_status st = MLPOT_OK;
    if (n != count && (alt <= 0 || n != alt)) {
        if (alt > 0)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s has %d values, expected %d or %d",
                            r->path, r->number, key, n, count, alt);
        else
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s has %d values, expected %d",
                            r->path, r->number, key, n, count);
    }
    for (int k = 0; k < n && !st; ++k) {
        char what[160];
        snprintf(what, sizeof what, "%s value %d", key, k + 1);
        st = parse_real(tokens[k], &out[k], r, what, err);
    }
    if (got) *got = n;
    free(copy);
    return st;
}

/* A 3x3 matrix from 9 values in Fortran order (M[i][j] = v[i + 3j]); 6 values are Voigt. */
static mlpot_status parse_matrix(const char *value, double *m, int allow_voigt,
                                 const line_reader *r, const char *key, mlpot_error *err)
{
    double v[16];
    int n = 0;
    mlpot_status st = parse_reals(value, v, 9, allow_voigt ? 6 : 0, &n, r, key, err);
    if (st) return st;
    if (n == 9) {
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) m[3 * i + j] = v[i + 3 * j];
    } else {
        double full[9] = {v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]};
        memcpy(m, full, sizeof full);
    }
    return MLPOT_OK;
}

static const char *key_or(const char *given, const char *fallback)
{
    return given ? given : fallback;
}

/* ASE capitalises species symbols ("SI" -> "Si"). */
static int symbol_number(const char *t)
{
    char buf[4];
    size_t n = strlen(t);
    if (n == 0 || n > 3) return 0;
    for (size_t k = 0; k < n; ++k) buf[k] = (char)(k ? tolower((unsigned char)t[k]) : toupper((unsigned char)t[k]));
    buf[n] = '\0';
    return mlpot_element_number(buf);
}

mlpot_status extxyz_read_frame(line_reader *r, const mlpot_io_options *opt, mlpot_structure *s,
                               int *done, mlpot_error *err)
{
    mlpot_structure_free(s);
    int eof = 0;
    mlpot_status st;
    do {
        if ((st = line_reader_next(r, &eof, err))) return st;
    } while (!eof && is_blank(r->line));
    *done = eof;
    if (eof) return MLPOT_OK;
    long frame_line = r->number;
    char *natoms_text = r->line;
    while (isspace((unsigned char)*natoms_text)) ++natoms_text;
    char *end = natoms_text + strlen(natoms_text);
    while (end > natoms_text && isspace((unsigned char)end[-1])) *--end = '\0';
    long natoms;
    if (parse_long(natoms_text, &natoms, r, "number of atoms", err)) {
        mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected the number of atoms of a frame, found '%.40s'",
                   r->path, r->number, natoms_text);
        return MLPOT_ERR_FORMAT;
    }
    if (natoms < 0 || natoms > 1000000000L)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: invalid number of atoms %ld", r->path,
                          r->number, natoms);
    if ((st = line_reader_next(r, &eof, err))) return st;
    if (eof)
        return mlpot_fail(err, MLPOT_ERR_FORMAT,
                          "%s:%ld: file ends after the atom count (frame has no comment line)",
                          r->path, r->number);
    kv_list kv;
    if ((st = kv_parse(r->line, &kv, err))) {
        mlpot_error_prepend(err, "%s:%ld: ", r->path, r->number);
        return st;
    }
    long comment_line = r->number;
    line_reader at = *r; /* for messages about the comment line */
    at.number = comment_line;

    if ((st = mlpot_structure_resize(s, (int)natoms, err))) goto fail;
    if ((st = mlpot_structure_set_source(s, r->path, frame_line, err))) goto fail;

    /* cell and periodicity */
    const char *lattice = kv_get(&kv, "Lattice");
    if (lattice && (st = parse_matrix(lattice, &s->cell[0][0], 0, &at, "Lattice", err))) goto fail;
    if (lattice) {
        /* parse_matrix reads Fortran order; Lattice lists the vectors one after another */
        double t[9];
        memcpy(t, &s->cell[0][0], sizeof t);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) s->cell[i][j] = t[3 * j + i];
    }
    const char *pbc = kv_get(&kv, "pbc");
    if (pbc) {
        char *copy = mlpot_strdup(pbc);
        char *tokens[4];
        int n = copy ? kv_split_list(copy, tokens, 4) : 0;
        int ok = copy && (n == 3 || n == 1);
        for (int k = 0; k < 3 && ok; ++k) ok = parse_bool(tokens[n == 3 ? k : 0], &s->pbc[k]);
        free(copy);
        if (!ok) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: pbc='%s' is not three of T/F", r->path,
                            comment_line, pbc);
            goto fail;
        }
    } else if (lattice) {
        s->pbc[0] = s->pbc[1] = s->pbc[2] = 1;
    }

    /* columns */
    column *cols = calloc(256, sizeof *cols);
    if (!cols) {
        st = mlpot_fail_memory(err, "reading a frame");
        goto fail;
    }
    int n_cols = 0, n_fields = 0;
    const char *props = kv_get(&kv, "Properties");
    if ((st = parse_properties(props ? props : "species:S:1:pos:R:3", cols, &n_cols, &n_fields, &at, err))) {
        free(cols);
        goto fail;
    }
    const char *forces_key = opt->forces_key;
    if (!forces_key) {
        forces_key = "forces";
        int has_forces = 0, has_force = 0;
        for (int c = 0; c < n_cols; ++c) {
            has_forces |= !strcmp(cols[c].name, "forces");
            has_force |= !strcmp(cols[c].name, "force");
        }
        if (!has_forces && has_force) forces_key = "force";
    }
    const char *charges_key = opt->charges_key;
    if (!charges_key) {
        /* ASE writes charges as "charge" (its arrays['charges']) or "initial_charges"; it reads
         * all three names as the atoms' charges */
        static const char *names[3] = {"charges", "charge", "initial_charges"};
        charges_key = names[0];
        for (int k = 2; k >= 0; --k)
            for (int c = 0; c < n_cols; ++c)
                if (!strcmp(cols[c].name, names[k])) charges_key = names[k];
    }
    const char *energies_key = key_or(opt->atom_energies_key, "energies");
    /* role of each column: 0 extra, 1 species, 2 Z, 3 pos, 4 masses, 5 forces, 6 charges, 7 energies */
    int role[256] = {0}, have_species = 0, have_z = 0, have_pos = 0;
    for (int c = 0; c < n_cols && !st; ++c) {
        const column *col = &cols[c];
        int want_width = 0, want_type = 0;
        if (!strcmp(col->name, "species")) role[c] = 1, want_width = 1, want_type = 'S', have_species = 1;
        else if (!strcmp(col->name, "Z")) role[c] = 2, want_width = 1, want_type = 'I', have_z = 1;
        else if (!strcmp(col->name, "pos")) role[c] = 3, want_width = 3, want_type = 'R', have_pos = 1;
        else if (!strcmp(col->name, "masses")) role[c] = 4, want_width = 1, want_type = 'R';
        else if (!strcmp(col->name, forces_key)) role[c] = 5, want_width = 3, want_type = 'R';
        else if (!strcmp(col->name, charges_key)) role[c] = 6, want_width = 1, want_type = 'R';
        else if (!strcmp(col->name, energies_key)) role[c] = 7, want_width = 1, want_type = 'R';
        if (role[c] && (col->ncols != want_width || col->type != want_type))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: Properties: column '%s' must be %c:%d, not %c:%d",
                            r->path, comment_line, col->name, want_type, want_width, col->type, col->ncols);
    }
    if (!st && !have_pos)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: Properties has no pos:R:3 column", r->path, comment_line);
    if (!st && !have_species && !have_z)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: Properties has neither species:S:1 nor Z:I:1",
                        r->path, comment_line);
    mlpot_atom_property **extra = calloc(256, sizeof *extra);
    if (!st && !extra) st = mlpot_fail_memory(err, "reading a frame");
    for (int c = 0; c < n_cols && !st; ++c) {
        switch (role[c]) {
        case 4: st = mlpot_structure_add_masses(s, err); break;
        case 5: st = mlpot_structure_add_label(s, MLPOT_LABEL_FORCES, err); break;
        case 6: st = mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, err); break;
        case 7: st = mlpot_structure_add_label(s, MLPOT_LABEL_ATOM_ENERGIES, err); break;
        case 0: {
            mlpot_property_type type = (mlpot_property_type)cols[c].type;
            if (!(st = mlpot_structure_add_property(s, cols[c].name, type, cols[c].ncols, NULL, err)))
                extra[c] = mlpot_structure_property(s, cols[c].name);
            break;
        }
        default: break;
        }
    }
    /* mlpot_structure_add_property may move the array: look the pointers up again */
    for (int c = 0; c < n_cols && !st; ++c)
        if (role[c] == 0) extra[c] = mlpot_structure_property(s, cols[c].name);

    char **fields = st ? NULL : calloc((size_t)n_fields + 1, sizeof *fields);
    if (!st && !fields) st = mlpot_fail_memory(err, "reading a frame");
    for (long i = 0; i < natoms && !st; ++i) {
        if ((st = line_reader_next(r, &eof, err))) break;
        if (eof) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: file ends inside the frame that starts at line %ld: %ld of %ld "
                            "atom lines present",
                            r->path, r->number, frame_line, i, natoms);
            break;
        }
        int nf = split_fields(r->line, fields, n_fields);
        if (nf != n_fields) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: atom line has %d fields but Properties needs %d%s", r->path,
                            r->number, nf, n_fields,
                            nf == 0 ? " (blank line; is the atom count right?)" : "");
            break;
        }
        for (int c = 0; c < n_cols && !st; ++c) {
            const column *col = &cols[c];
            for (int q = 0; q < col->ncols && !st; ++q) {
                const char *t = fields[col->first + q];
                char what[200];
                snprintf(what, sizeof what, "column '%s' (field %d)", col->name, col->first + q + 1);
                double x = 0;
                long lx = 0;
                int b;
                switch (role[c]) {
                case 1:
                    if (have_z) break; /* as ASE: a Z column sets the atomic numbers */
                    if (!(s->numbers[i] = symbol_number(t)))
                        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: unknown element symbol '%s'",
                                        r->path, r->number, t);
                    break;
                case 2:
                    if (!(st = parse_long(t, &lx, r, what, err))) {
                        if (lx < 1 || lx > MLPOT_MAX_ELEMENT)
                            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atomic number %ld is not an element",
                                            r->path, r->number, lx);
                        s->numbers[i] = (int)lx;
                    }
                    break;
                case 3: if (!(st = parse_real(t, &x, r, what, err))) s->positions[3 * i + q] = x; break;
                case 4: if (!(st = parse_real(t, &x, r, what, err))) s->masses[i] = x; break;
                case 5: if (!(st = parse_real(t, &x, r, what, err))) s->forces[3 * i + q] = x; break;
                case 6: if (!(st = parse_real(t, &x, r, what, err))) s->charges[i] = x; break;
                case 7: if (!(st = parse_real(t, &x, r, what, err))) s->atom_energies[i] = x; break;
                default: {
                    mlpot_atom_property *p = extra[c];
                    long k = i * col->ncols + q;
                    if (col->type == 'R') {
                        if (!(st = parse_real(t, &x, r, what, err))) p->real[k] = x;
                    } else if (col->type == 'I') {
                        if (!(st = parse_long(t, &lx, r, what, err))) p->integer[k] = lx;
                    } else if (col->type == 'L') {
                        if (parse_bool(t, &b)) p->integer[k] = b;
                        else st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s '%s' is not T or F",
                                             r->path, r->number, what, t);
                    } else {
                        char *copy = mlpot_strdup(t);
                        if (!copy) st = mlpot_fail_memory(err, "reading a frame");
                        else {
                            free(p->string[k]);
                            p->string[k] = copy;
                        }
                    }
                }
                }
            }
        }
    }
    free(fields);
    free(extra);
    free(cols);
    if (st) goto fail;

    /* labels and info */
    const char *energy_key = opt->energy_key;
    if (!energy_key) energy_key = kv_get(&kv, "energy") || !kv_get(&kv, "free_energy") ? "energy" : "free_energy";
    const char *stress_key = key_or(opt->stress_key, "stress");
    const char *virial_key = key_or(opt->virial_key, "virial");
    for (int k = 0; k < kv.n && !st; ++k) {
        const char *key = kv.keys[k], *value = kv.values[k];
        if (!strcmp(key, "Lattice") || !strcmp(key, "pbc") || !strcmp(key, "Properties")) continue;
        if (!strcmp(key, energy_key)) {
            char what[160];
            snprintf(what, sizeof what, "%s", energy_key);
            if (!(st = parse_real(value, &s->energy, &at, what, err))) s->labels |= MLPOT_LABEL_ENERGY;
        } else if (!strcmp(key, stress_key)) {
            if (!(st = parse_matrix(value, s->stress, 1, &at, stress_key, err))) s->labels |= MLPOT_LABEL_STRESS;
        } else if (!strcmp(key, virial_key)) {
            if (!(st = parse_matrix(value, s->virial, 0, &at, virial_key, err))) s->labels |= MLPOT_LABEL_VIRIAL;
        } else if (!strcmp(key, "config_type")) {
            free(s->config_type);
            if (!(s->config_type = mlpot_strdup(value))) st = mlpot_fail_memory(err, "reading a frame");
        } else if (!strcmp(key, "config_weight")) { /* the fit's weight of the frame (MACE's key) */
            st = parse_real(value, &s->weight, &at, "config_weight", err);
        } else if (!strcmp(key, "total_charge")) { /* the net charge, e (charge-equilibration models) */
            if (!(st = parse_real(value, &s->total_charge, &at, "total_charge", err))) s->labels |= MLPOT_LABEL_TOTAL_CHARGE;
        } else {
            st = mlpot_structure_set_info(s, key, value, err);
        }
    }
    kv_free(&kv);
    if (st) {
        mlpot_structure_free(s);
        return st;
    }
    return mlpot_structure_validate(s, err);
fail:
    kv_free(&kv);
    mlpot_structure_free(s);
    return st;
}

/* --- writing ------------------------------------------------------------------------------ */

/* The shortest representation that reads back to the same double (as Python's repr), up to the
 * requested precision: 0.1 is written "0.1", not "0.10000000000000001". */
static void write_real(FILE *f, double x, int precision)
{
    char buf[40];
    for (int digits = precision < 15 ? precision : 15; digits <= precision; ++digits) {
        snprintf(buf, sizeof buf, "%.*g", digits, x);
        if (digits == precision || strtod(buf, NULL) == x) break;
    }
    fputs(buf, f);
}

static void write_matrix(FILE *f, const char *key, const double m[9], int precision)
{
    /* Fortran order, as ASE writes stress and virial */
    kv_write_text(f, key);
    fputs("=\"", f);
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 3; ++i) {
            if (i || j) fputc(' ', f);
            write_real(f, m[3 * i + j], precision);
        }
    fputc('"', f);
}

mlpot_status mlpot_extxyz_write_frame(FILE *f, const mlpot_structure *s, const mlpot_io_options *opt,
                                      mlpot_error *err)
{
    int p = opt && opt->precision > 0 ? opt->precision : 17;
    mlpot_io_options defaults;
    mlpot_io_options_default(&defaults);
    if (!opt) opt = &defaults;
    const char *forces_key = key_or(opt->forces_key, "forces");
    const char *charges_key = key_or(opt->charges_key, "charges");
    const char *energies_key = key_or(opt->atom_energies_key, "energies");
    fprintf(f, "%d\n", s->n_atoms);
    int has_cell = 0;
    for (int k = 0; k < 9; ++k) has_cell |= (&s->cell[0][0])[k] != 0.0;
    if (has_cell) {
        fputs("Lattice=\"", f);
        for (int k = 0; k < 9; ++k) {
            if (k) fputc(' ', f);
            write_real(f, (&s->cell[0][0])[k], p);
        }
        fputs("\" ", f);
    }
    fputs("Properties=species:S:1:pos:R:3", f);
    if (s->masses) fputs(":masses:R:1", f);
    if (s->forces && (s->labels & MLPOT_LABEL_FORCES)) fprintf(f, ":%s:R:3", forces_key);
    if (s->charges && (s->labels & MLPOT_LABEL_CHARGES)) fprintf(f, ":%s:R:1", charges_key);
    if (s->atom_energies && (s->labels & MLPOT_LABEL_ATOM_ENERGIES)) fprintf(f, ":%s:R:1", energies_key);
    for (int k = 0; k < s->n_properties; ++k)
        fprintf(f, ":%s:%c:%d", s->properties[k].name, (char)s->properties[k].type, s->properties[k].ncols);
    if (s->labels & MLPOT_LABEL_ENERGY) {
        fputc(' ', f);
        kv_write_text(f, key_or(opt->energy_key, "energy"));
        fputc('=', f);
        write_real(f, s->energy, p);
    }
    if (s->labels & MLPOT_LABEL_STRESS) {
        fputc(' ', f);
        write_matrix(f, key_or(opt->stress_key, "stress"), s->stress, p);
    }
    if (s->labels & MLPOT_LABEL_VIRIAL) {
        fputc(' ', f);
        write_matrix(f, key_or(opt->virial_key, "virial"), s->virial, p);
    }
    if (s->labels & MLPOT_LABEL_TOTAL_CHARGE) {
        fputs(" total_charge=", f);
        write_real(f, s->total_charge, p);
    }
    if (s->weight != 1.0) {
        fputs(" config_weight=", f);
        write_real(f, s->weight, p);
    }
    if (s->config_type) {
        fputs(" config_type=", f);
        kv_write_text(f, s->config_type);
    }
    for (int k = 0; k < s->n_info; ++k) {
        fputc(' ', f);
        kv_write_text(f, s->info[k].key);
        fputc('=', f);
        kv_write_text(f, s->info[k].value);
    }
    fprintf(f, " pbc=\"%c %c %c\"\n", s->pbc[0] ? 'T' : 'F', s->pbc[1] ? 'T' : 'F', s->pbc[2] ? 'T' : 'F');
    for (int i = 0; i < s->n_atoms; ++i) {
        const char *sym = mlpot_element_symbol(s->numbers[i]);
        if (!sym) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "atom %d has invalid atomic number %d", i + 1, s->numbers[i]);
        fprintf(f, "%-2s", sym);
        for (int a = 0; a < 3; ++a) {
            fputc(' ', f);
            write_real(f, s->positions[3 * i + a], p);
        }
        if (s->masses) fputc(' ', f), write_real(f, s->masses[i], p);
        if (s->forces && (s->labels & MLPOT_LABEL_FORCES))
            for (int a = 0; a < 3; ++a) fputc(' ', f), write_real(f, s->forces[3 * i + a], p);
        if (s->charges && (s->labels & MLPOT_LABEL_CHARGES)) fputc(' ', f), write_real(f, s->charges[i], p);
        if (s->atom_energies && (s->labels & MLPOT_LABEL_ATOM_ENERGIES))
            fputc(' ', f), write_real(f, s->atom_energies[i], p);
        for (int k = 0; k < s->n_properties; ++k) {
            const mlpot_atom_property *q = &s->properties[k];
            for (int c = 0; c < q->ncols; ++c) {
                long idx = (long)i * q->ncols + c;
                fputc(' ', f);
                switch (q->type) {
                case MLPOT_PROPERTY_REAL: write_real(f, q->real[idx], p); break;
                case MLPOT_PROPERTY_INT: fprintf(f, "%ld", q->integer[idx]); break;
                case MLPOT_PROPERTY_LOGICAL: fputc(q->integer[idx] ? 'T' : 'F', f); break;
                case MLPOT_PROPERTY_STRING: {
                    const char *t = q->string[idx];
                    if (!t || !*t || strpbrk(t, " \t\n"))
                        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                          "string property '%s' of atom %d is empty or has spaces, "
                                          "which extended XYZ cannot hold", q->name, i + 1);
                    fputs(t, f);
                    break;
                }
                }
            }
        }
        fputc('\n', f);
    }
    if (ferror(f)) return mlpot_fail(err, MLPOT_ERR_IO, "write error");
    return MLPOT_OK;
}
