/* LAMMPS data files (write only), atom_style atomic, or charge when the structure has charges.
 *
 * LAMMPS needs its restricted triclinic form: a along x, b in the xy-plane, c with positive z
 * (tilts xy, xz, yz). A general cell is rotated into that form, and the positions with it (the
 * fractional coordinates are kept), so forces computed by LAMMPS are in the rotated frame; the
 * file's first line says so. Positions are wrapped into the cell along periodic directions.
 * Open directions get a box enclosing the atoms with 1 Å of margin; the input script sets the
 * boundary ("boundary p p f", say), as noted in the header comment. Left-handed cells cannot
 * be rotated into LAMMPS's form and are refused. Atom types follow options.type_order, or the
 * species sorted by atomic number. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"
#include "core/error.h"
#include "core/memory.h"
#include "io/formats.h"
#include "mlpot/elements.h"

mlpot_status lammps_data_write(FILE *f, const mlpot_structure *s, const mlpot_io_options *opt,
                               mlpot_error *err)
{
    int n = s->n_atoms;
    /* types */
    int order[MLPOT_MAX_ELEMENT], n_types = 0, type_of[MLPOT_MAX_ELEMENT + 1] = {0};
    if (opt->type_order && opt->n_types > 0) {
        for (int k = 0; k < opt->n_types && k < MLPOT_MAX_ELEMENT; ++k) {
            order[n_types++] = opt->type_order[k];
            if (opt->type_order[k] >= 1 && opt->type_order[k] <= MLPOT_MAX_ELEMENT) type_of[opt->type_order[k]] = k + 1;
        }
        for (int i = 0; i < n; ++i)
            if (!type_of[s->numbers[i]])
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "LAMMPS data: element %s of atom %d is not in the type order",
                                  mlpot_element_symbol(s->numbers[i]), i + 1);
    } else {
        int present[MLPOT_MAX_ELEMENT + 1] = {0};
        for (int i = 0; i < n; ++i) present[s->numbers[i]] = 1;
        for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
            if (present[z]) order[n_types++] = z, type_of[z] = n_types;
    }
    /* cell in LAMMPS form; open directions completed by unit vectors */
    double basis[9], inv[9];
    mlpot_cell_complete(&s->cell[0][0], s->pbc, basis);
    /* (completed open directions are perpendicular to the periodic ones, so the tilts that
     * involve them vanish and their margins shift only their own axis) */
    if (mlpot_det3(basis) <= 0)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "LAMMPS data: the cell is left-handed; LAMMPS cannot represent it");
    mlpot_status st = mlpot_matrix3_inverse(basis, inv, err);
    if (st) return st;
    const double *A = basis, *B = basis + 3, *C = basis + 6;
    double la = sqrt(A[0] * A[0] + A[1] * A[1] + A[2] * A[2]);
    double xy = (B[0] * A[0] + B[1] * A[1] + B[2] * A[2]) / la;
    double b2 = B[0] * B[0] + B[1] * B[1] + B[2] * B[2];
    double ly = sqrt(fmax(b2 - xy * xy, 0));
    double xz = (C[0] * A[0] + C[1] * A[1] + C[2] * A[2]) / la;
    double bc = B[0] * C[0] + B[1] * C[1] + B[2] * C[2];
    double yz = (bc - xy * xz) / ly;
    double c2 = C[0] * C[0] + C[1] * C[1] + C[2] * C[2];
    double lz = sqrt(fmax(c2 - xz * xz - yz * yz, 0));
    double L[9] = {la, 0, 0, xy, ly, 0, xz, yz, lz};
    /* fractional coordinates, wrapped along periodic directions */
    double *frac = mlpot_calloc(3 * (size_t)n + 1, sizeof *frac);
    if (!frac) return mlpot_fail_memory(err, "writing a LAMMPS data file");
    double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
    for (int k = 0; k < 3; ++k)
        if (!s->pbc[k]) lo[k] = INFINITY, hi[k] = -INFINITY;
    for (int i = 0; i < n; ++i) {
        double *g = &frac[3 * i];
        mlpot_cell_fractional(inv, &s->positions[3 * i], g);
        for (int k = 0; k < 3; ++k) {
            if (s->pbc[k]) {
                g[k] -= floor(g[k]);
                if (g[k] >= 1.0) g[k] = 0.0;
            } else {
                lo[k] = fmin(lo[k], g[k]);
                hi[k] = fmax(hi[k], g[k]);
            }
        }
    }
    /* open directions: the completed basis vectors are unit length, so 1 Å margin is 1 */
    double box_lo[3], box_hi[3];
    for (int k = 0; k < 3; ++k) {
        if (s->pbc[k]) box_lo[k] = 0, box_hi[k] = 1;
        else if (n) box_lo[k] = lo[k] - 1.0 / (k == 0 ? la : k == 1 ? ly : lz), box_hi[k] = hi[k] + 1.0 / (k == 0 ? la : k == 1 ? ly : lz);
        else box_lo[k] = 0, box_hi[k] = 1;
    }
    int charged = (s->labels & MLPOT_LABEL_CHARGES) && s->charges;
    fprintf(f, "LAMMPS data file written by mlpot %s (atom_style %s; cell rotated to LAMMPS's "
               "restricted form; pbc %c %c %c)\n\n",
            mlpot_version(), charged ? "charge" : "atomic", s->pbc[0] ? 'T' : 'F', s->pbc[1] ? 'T' : 'F',
            s->pbc[2] ? 'T' : 'F');
    fprintf(f, "%d atoms\n%d atom types\n\n", n, n_types);
    /* box bounds along the LAMMPS axes: x from a, y from b, z from c (fractional extents) */
    fprintf(f, "%.17g %.17g xlo xhi\n", box_lo[0] * la, box_hi[0] * la);
    fprintf(f, "%.17g %.17g ylo yhi\n", box_lo[1] * ly, box_hi[1] * ly);
    fprintf(f, "%.17g %.17g zlo zhi\n", box_lo[2] * lz, box_hi[2] * lz);
    double sy = box_hi[1] - box_lo[1], sz = box_hi[2] - box_lo[2];
    if (xy != 0 || xz != 0 || yz != 0) fprintf(f, "%.17g %.17g %.17g xy xz yz\n", xy * sy, xz * sz, yz * sz);
    fputs("\nMasses\n\n", f);
    for (int t = 0; t < n_types; ++t) {
        double m = mlpot_element_mass(order[t]);
        for (int i = 0; s->masses && i < n; ++i)
            if (s->numbers[i] == order[t]) {
                m = s->masses[i];
                break;
            }
        fprintf(f, "%d %.17g # %s\n", t + 1, m, mlpot_element_symbol(order[t]) ? mlpot_element_symbol(order[t]) : "?");
    }
    fprintf(f, "\nAtoms # %s\n\n", charged ? "charge" : "atomic");
    for (int i = 0; i < n; ++i) {
        const double *g = &frac[3 * i];
        double x[3];
        for (int a = 0; a < 3; ++a) x[a] = g[0] * L[a] + g[1] * L[3 + a] + g[2] * L[6 + a];
        if (charged)
            fprintf(f, "%d %d %.17g %.17g %.17g %.17g\n", i + 1, type_of[s->numbers[i]], s->charges[i], x[0], x[1], x[2]);
        else
            fprintf(f, "%d %d %.17g %.17g %.17g\n", i + 1, type_of[s->numbers[i]], x[0], x[1], x[2]);
    }
    free(frac);
    if (ferror(f)) return mlpot_fail(err, MLPOT_ERR_IO, "write error");
    return MLPOT_OK;
}
