/* n2p2 / RuNNer "input.data":
 *   begin
 *   comment TEXT                 (optional, kept as info "comment")
 *   lattice ax ay az             (three lines for a periodic cell, none for a molecule)
 *   atom x y z El q n fx fy fz   (q: atomic charge, n: atomic energy, f: force)
 *   energy E
 *   charge Q                     (total charge)
 *   end
 * Leading whitespace is allowed. The format has no units: numbers are taken as eV and Å unless
 * the options give other units, which are then converted (and converted back on writing).
 * The charge and atomic-energy columns become labels only when some value is nonzero (n2p2
 * writes zeros for "no data"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/formats.h"
#include "mlpot/elements.h"

typedef struct atom_row {
    int z;
    double x[3], q, e, f[3];
} atom_row;

mlpot_status n2p2_read_frame(line_reader *r, const mlpot_io_options *opt, mlpot_structure *s,
                             int *done, mlpot_error *err)
{
    mlpot_structure_free(s);
    double eu, lu;
    io_unit_factors(opt, &eu, &lu);
    int eof = 0;
    mlpot_status st;
    char *f[16];
    do {
        if ((st = line_reader_next(r, &eof, err))) return st;
    } while (!eof && is_blank(r->line));
    *done = eof;
    if (eof) return MLPOT_OK;
    long begin_line = r->number;
    int nf = split_fields(r->line, f, 16);
    if (nf < 1 || strcmp(f[0], "begin") != 0)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: expected 'begin', found '%.40s'",
                          r->path, r->number, nf ? f[0] : "");
    size_t n = 0, cap = 64;
    atom_row *atoms = calloc(cap, sizeof *atoms);
    if (!atoms) return mlpot_fail_memory(err, "reading input.data");
    double lattice[3][3] = {{0}}, energy = 0, charge = 0;
    int n_lattice = 0, has_energy = 0, has_charge = 0, ended = 0;
    char *comment = NULL;
    while (!st && !ended) {
        if ((st = line_reader_next(r, &eof, err))) break;
        if (eof) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: file ends inside the structure that begins at line %ld (no 'end')",
                            r->path, r->number, begin_line);
            break;
        }
        if (is_blank(r->line)) continue;
        /* the comment keeps its text, so take it before splitting */
        char *t = r->line;
        while (*t == ' ' || *t == '\t') ++t;
        if (!strncmp(t, "comment", 7) && (t[7] == '\0' || t[7] == ' ' || t[7] == '\t')) {
            t += 7;
            while (*t == ' ' || *t == '\t') ++t;
            free(comment);
            if (!(comment = mlpot_strdup(t))) st = mlpot_fail_memory(err, "reading input.data");
            continue;
        }
        nf = split_fields(r->line, f, 16);
        const char *kw = f[0];
        if (!strcmp(kw, "end")) {
            ended = 1;
        } else if (!strcmp(kw, "lattice")) {
            if (nf != 4)
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: 'lattice' needs 3 numbers, found %d",
                                r->path, r->number, nf - 1);
            else if (n_lattice == 3)
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: a fourth 'lattice' line", r->path, r->number);
            for (int a = 0; a < 3 && !st; ++a) {
                st = parse_real(f[1 + a], &lattice[n_lattice][a], r, "lattice component", err);
                lattice[n_lattice][a] *= lu;
            }
            ++n_lattice;
        } else if (!strcmp(kw, "atom")) {
            if (nf != 10) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                                "%s:%ld: 'atom' line has %d fields, expected 9 (x y z element charge "
                                "energy fx fy fz)",
                                r->path, r->number, nf - 1);
                break;
            }
            if (n == cap) {
                atom_row *g = mlpot_realloc(atoms, cap *= 2, sizeof *g);
                if (!g) {
                    st = mlpot_fail_memory(err, "reading input.data");
                    break;
                }
                atoms = g;
            }
            atom_row *a = &atoms[n];
            static const char *names[] = {"x", "y", "z", "", "charge", "atomic energy", "fx", "fy", "fz"};
            double v[9];
            for (int k = 0; k < 9 && !st; ++k)
                if (k != 3) st = parse_real(f[1 + k], &v[k], r, names[k], err);
            if (st) break;
            if (!(a->z = mlpot_element_number(f[4]))) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: unknown element symbol '%s'",
                                r->path, r->number, f[4]);
                break;
            }
            for (int k = 0; k < 3; ++k) a->x[k] = v[k] * lu, a->f[k] = v[6 + k] * eu / lu;
            a->q = v[4];
            a->e = v[5] * eu;
            ++n;
        } else if (!strcmp(kw, "energy")) {
            if (nf != 2) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: 'energy' needs one number", r->path, r->number);
            else if (!(st = parse_real(f[1], &energy, r, "energy", err))) energy *= eu, has_energy = 1;
        } else if (!strcmp(kw, "charge")) {
            if (nf != 2) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: 'charge' needs one number", r->path, r->number);
            else if (!(st = parse_real(f[1], &charge, r, "charge", err))) has_charge = 1;
        } else if (!strcmp(kw, "begin")) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: 'begin' before the 'end' of the structure "
                                                   "that begins at line %ld",
                            r->path, r->number, begin_line);
        } else {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: unknown keyword '%s' (expected comment, lattice, atom, energy, "
                            "charge or end)",
                            r->path, r->number, kw);
        }
    }
    if (!st && n_lattice != 0 && n_lattice != 3)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: structure has %d 'lattice' lines, expected 0 or 3",
                        r->path, begin_line, n_lattice);
    if (!st) st = mlpot_structure_resize(s, (int)n, err);
    if (!st) st = mlpot_structure_set_source(s, r->path, begin_line, err);
    if (!st) st = mlpot_structure_add_label(s, MLPOT_LABEL_FORCES, err);
    int any_q = 0, any_e = 0;
    for (size_t i = 0; i < n; ++i) any_q |= atoms[i].q != 0, any_e |= atoms[i].e != 0;
    if (!st && any_q) st = mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, err);
    if (!st && any_e) st = mlpot_structure_add_label(s, MLPOT_LABEL_ATOM_ENERGIES, err);
    if (!st && comment) st = mlpot_structure_set_info(s, "comment", comment, err);
    if (!st) {
        for (size_t i = 0; i < n; ++i) {
            s->numbers[i] = atoms[i].z;
            memcpy(&s->positions[3 * i], atoms[i].x, sizeof atoms[i].x);
            memcpy(&s->forces[3 * i], atoms[i].f, sizeof atoms[i].f);
            if (any_q) s->charges[i] = atoms[i].q;
            if (any_e) s->atom_energies[i] = atoms[i].e;
        }
        if (n_lattice == 3) {
            memcpy(s->cell, lattice, sizeof lattice);
            s->pbc[0] = s->pbc[1] = s->pbc[2] = 1;
        }
        if (has_energy) s->labels |= MLPOT_LABEL_ENERGY, s->energy = energy;
        if (has_charge) s->labels |= MLPOT_LABEL_TOTAL_CHARGE, s->total_charge = charge;
    }
    free(atoms);
    free(comment);
    if (!st) st = mlpot_structure_validate(s, err);
    if (st) mlpot_structure_free(s);
    return st;
}

mlpot_status n2p2_write_frame(FILE *f, const mlpot_structure *s, const mlpot_io_options *opt,
                              mlpot_error *err)
{
    double eu, lu;
    io_unit_factors(opt, &eu, &lu);
    int periodic = s->pbc[0] + s->pbc[1] + s->pbc[2];
    if (periodic != 0 && periodic != 3)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "n2p2 input.data holds periodic (3 lattice lines) or open structures, not "
                          "pbc %c%c%c", s->pbc[0] ? 'T' : 'F', s->pbc[1] ? 'T' : 'F', s->pbc[2] ? 'T' : 'F');
    fputs("begin\n", f);
    const char *comment = mlpot_structure_info(s, "comment");
    if (comment) fprintf(f, "comment %s\n", comment);
    if (periodic)
        for (int k = 0; k < 3; ++k)
            fprintf(f, "lattice %24.16E %24.16E %24.16E\n", s->cell[k][0] / lu, s->cell[k][1] / lu,
                    s->cell[k][2] / lu);
    int has_f = (s->labels & MLPOT_LABEL_FORCES) && s->forces;
    int has_q = (s->labels & MLPOT_LABEL_CHARGES) && s->charges;
    int has_e = (s->labels & MLPOT_LABEL_ATOM_ENERGIES) && s->atom_energies;
    for (int i = 0; i < s->n_atoms; ++i) {
        const double *x = &s->positions[3 * i];
        const char *sym = mlpot_element_symbol(s->numbers[i]);
        if (!sym) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "atom %d has invalid atomic number", i + 1);
        fprintf(f, "atom %24.16E %24.16E %24.16E %-2s %24.16E %24.16E %24.16E %24.16E %24.16E\n",
                x[0] / lu, x[1] / lu, x[2] / lu, sym, has_q ? s->charges[i] : 0.0,
                has_e ? s->atom_energies[i] / eu : 0.0, has_f ? s->forces[3 * i] * lu / eu : 0.0,
                has_f ? s->forces[3 * i + 1] * lu / eu : 0.0, has_f ? s->forces[3 * i + 2] * lu / eu : 0.0);
    }
    fprintf(f, "energy %24.16E\n", (s->labels & MLPOT_LABEL_ENERGY) ? s->energy / eu : 0.0);
    double q = 0;
    if (s->labels & MLPOT_LABEL_TOTAL_CHARGE) q = s->total_charge;
    else if (has_q)
        for (int i = 0; i < s->n_atoms; ++i) q += s->charges[i];
    fprintf(f, "charge %24.16E\nend\n", q);
    if (ferror(f)) return mlpot_fail(err, MLPOT_ERR_IO, "write error");
    return MLPOT_OK;
}
