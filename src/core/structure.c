#include "mlpot/structure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"
#include "core/error.h"
#include "core/memory.h"
#include "mlpot/elements.h"

void mlpot_structure_init(mlpot_structure *s)
{
    memset(s, 0, sizeof *s);
    s->weight = 1.0;
}

static void free_property(mlpot_atom_property *p, int n_atoms)
{
    if (p->string) {
        for (long k = 0; k < (long)n_atoms * p->ncols; ++k) free(p->string[k]);
        free(p->string);
    }
    free(p->real);
    free(p->integer);
    free(p->name);
    memset(p, 0, sizeof *p);
}

static void free_properties(mlpot_structure *s)
{
    for (int k = 0; k < s->n_properties; ++k) free_property(&s->properties[k], s->n_atoms);
    free(s->properties);
    s->properties = NULL;
    s->n_properties = 0;
}

static void free_labels(mlpot_structure *s)
{
    free(s->forces);
    free(s->charges);
    free(s->atom_energies);
    s->forces = s->charges = s->atom_energies = NULL;
    s->labels = 0;
}

void mlpot_structure_free(mlpot_structure *s)
{
    if (!s) return;
    free_properties(s);
    free_labels(s);
    for (int k = 0; k < s->n_info; ++k) {
        free(s->info[k].key);
        free(s->info[k].value);
    }
    free(s->info);
    free(s->numbers);
    free(s->positions);
    free(s->masses);
    free(s->config_type);
    free(s->source);
    mlpot_structure_init(s);
}

mlpot_status mlpot_structure_resize(mlpot_structure *s, int n_atoms, mlpot_error *err)
{
    if (n_atoms < 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "negative number of atoms");
    free_properties(s);
    free(s->forces);
    free(s->charges);
    free(s->atom_energies);
    s->forces = s->charges = s->atom_energies = NULL;
    s->labels &= ~(unsigned)(MLPOT_LABEL_FORCES | MLPOT_LABEL_CHARGES | MLPOT_LABEL_ATOM_ENERGIES);
    free(s->masses);
    s->masses = NULL;
    int *numbers = mlpot_realloc(s->numbers, (size_t)n_atoms, sizeof *numbers);
    if (!numbers) return mlpot_fail_memory(err, "resizing a structure");
    s->numbers = numbers;
    double *positions = mlpot_realloc(s->positions, 3 * (size_t)n_atoms, sizeof *positions);
    if (!positions) return mlpot_fail_memory(err, "resizing a structure");
    s->positions = positions;
    if (n_atoms > s->n_atoms) {
        memset(s->numbers + s->n_atoms, 0, (size_t)(n_atoms - s->n_atoms) * sizeof *numbers);
        memset(s->positions + 3 * (size_t)s->n_atoms, 0,
               3 * (size_t)(n_atoms - s->n_atoms) * sizeof *positions);
    }
    s->n_atoms = n_atoms;
    return MLPOT_OK;
}

mlpot_status mlpot_structure_add_label(mlpot_structure *s, unsigned label, mlpot_error *err)
{
    double **slot = NULL;
    size_t width = 1;
    switch (label) {
    case MLPOT_LABEL_FORCES: slot = &s->forces; width = 3; break;
    case MLPOT_LABEL_CHARGES: slot = &s->charges; break;
    case MLPOT_LABEL_ATOM_ENERGIES: slot = &s->atom_energies; break;
    case MLPOT_LABEL_ENERGY:
    case MLPOT_LABEL_STRESS:
    case MLPOT_LABEL_VIRIAL:
    case MLPOT_LABEL_TOTAL_CHARGE:
        s->labels |= label;
        return MLPOT_OK;
    default: return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown label %u", label);
    }
    if (!*slot) {
        *slot = mlpot_calloc(width * (size_t)s->n_atoms, sizeof(double));
        if (!*slot) return mlpot_fail_memory(err, "adding a label");
    } else {
        memset(*slot, 0, width * (size_t)s->n_atoms * sizeof(double));
    }
    s->labels |= label;
    return MLPOT_OK;
}

mlpot_status mlpot_structure_add_masses(mlpot_structure *s, mlpot_error *err)
{
    if (!s->masses) {
        s->masses = mlpot_calloc((size_t)s->n_atoms, sizeof *s->masses);
        if (!s->masses) return mlpot_fail_memory(err, "adding masses");
    }
    for (int i = 0; i < s->n_atoms; ++i) s->masses[i] = mlpot_element_mass(s->numbers[i]);
    return MLPOT_OK;
}

static int copy_array(void **dst, const void *src, size_t count, size_t size)
{
    *dst = NULL;
    if (!src) return 1;
    *dst = mlpot_calloc(count, size);
    if (!*dst) return 0;
    if (count) memcpy(*dst, src, count * size);
    return 1;
}

static mlpot_status copy_property(mlpot_atom_property *dst, const mlpot_atom_property *src,
                                  int n_atoms, mlpot_error *err)
{
    memset(dst, 0, sizeof *dst);
    size_t count = (size_t)n_atoms * (size_t)src->ncols;
    dst->type = src->type;
    dst->ncols = src->ncols;
    dst->name = mlpot_strdup(src->name);
    int ok = dst->name != NULL;
    ok = ok && copy_array((void **)&dst->real, src->real, count, sizeof(double));
    ok = ok && copy_array((void **)&dst->integer, src->integer, count, sizeof(long));
    if (ok && src->string) {
        dst->string = mlpot_calloc(count, sizeof(char *));
        ok = dst->string != NULL;
        for (size_t k = 0; ok && k < count; ++k) {
            dst->string[k] = mlpot_strdup(src->string[k] ? src->string[k] : "");
            ok = dst->string[k] != NULL;
        }
    }
    if (!ok) {
        free_property(dst, n_atoms);
        return mlpot_fail_memory(err, "copying a per-atom property");
    }
    return MLPOT_OK;
}

mlpot_status mlpot_structure_copy(mlpot_structure *dst, const mlpot_structure *src,
                                  mlpot_error *err)
{
    if (dst == src) return MLPOT_OK;
    mlpot_structure_free(dst);
    mlpot_structure t = *src;
    size_t n = (size_t)src->n_atoms;
    t.numbers = NULL; t.positions = NULL; t.masses = NULL; t.forces = NULL; t.charges = NULL;
    t.atom_energies = NULL; t.config_type = NULL; t.source = NULL; t.info = NULL;
    t.properties = NULL; t.n_info = 0; t.n_properties = 0;
    int ok = copy_array((void **)&t.numbers, src->numbers, n, sizeof(int)) &&
             copy_array((void **)&t.positions, src->positions, 3 * n, sizeof(double)) &&
             copy_array((void **)&t.masses, src->masses, n, sizeof(double)) &&
             copy_array((void **)&t.forces, src->forces, 3 * n, sizeof(double)) &&
             copy_array((void **)&t.charges, src->charges, n, sizeof(double)) &&
             copy_array((void **)&t.atom_energies, src->atom_energies, n, sizeof(double));
    if (ok && src->config_type) ok = (t.config_type = mlpot_strdup(src->config_type)) != NULL;
    if (ok && src->source) ok = (t.source = mlpot_strdup(src->source)) != NULL;
    if (ok && src->n_info) {
        t.info = mlpot_calloc((size_t)src->n_info, sizeof *t.info);
        ok = t.info != NULL;
        for (int k = 0; ok && k < src->n_info; ++k) {
            t.info[k].key = mlpot_strdup(src->info[k].key);
            t.info[k].value = mlpot_strdup(src->info[k].value);
            t.n_info = k + 1;
            ok = t.info[k].key && t.info[k].value;
        }
    }
    if (ok && src->n_properties) {
        t.properties = mlpot_calloc((size_t)src->n_properties, sizeof *t.properties);
        ok = t.properties != NULL;
        for (int k = 0; ok && k < src->n_properties; ++k) {
            if (copy_property(&t.properties[k], &src->properties[k], src->n_atoms, err))
                ok = 0;
            else
                t.n_properties = k + 1;
        }
    }
    *dst = t;
    if (!ok) {
        mlpot_structure_free(dst);
        return mlpot_fail_memory(err, "copying a structure");
    }
    return MLPOT_OK;
}

double mlpot_structure_mass(const mlpot_structure *s, int i)
{
    return s->masses ? s->masses[i] : mlpot_element_mass(s->numbers[i]);
}

double mlpot_structure_volume(const mlpot_structure *s)
{
    return fabs(mlpot_det3(&s->cell[0][0]));
}

mlpot_status mlpot_structure_get_virial(const mlpot_structure *s, double virial[9],
                                        mlpot_error *err)
{
    if (s->labels & MLPOT_LABEL_VIRIAL) {
        memcpy(virial, s->virial, sizeof s->virial);
        return MLPOT_OK;
    }
    if (!(s->labels & MLPOT_LABEL_STRESS))
        return mlpot_fail(err, MLPOT_ERR_MISSING, "structure has no stress or virial label");
    double v = mlpot_structure_volume(s);
    if (!(v > 0))
        return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "stress label on a structure without volume");
    for (int k = 0; k < 9; ++k) virial[k] = -s->stress[k] * v;
    return MLPOT_OK;
}

mlpot_status mlpot_structure_get_stress(const mlpot_structure *s, double stress[9],
                                        mlpot_error *err)
{
    if (s->labels & MLPOT_LABEL_STRESS) {
        memcpy(stress, s->stress, sizeof s->stress);
        return MLPOT_OK;
    }
    if (!(s->labels & MLPOT_LABEL_VIRIAL))
        return mlpot_fail(err, MLPOT_ERR_MISSING, "structure has no stress or virial label");
    double v = mlpot_structure_volume(s);
    if (!(v > 0))
        return mlpot_fail(err, MLPOT_ERR_GEOMETRY, "virial label on a structure without volume");
    for (int k = 0; k < 9; ++k) stress[k] = -s->virial[k] / v;
    return MLPOT_OK;
}

static int all_finite(const double *x, size_t n, size_t *bad)
{
    for (size_t k = 0; k < n; ++k)
        if (!isfinite(x[k])) {
            *bad = k;
            return 0;
        }
    return 1;
}

static mlpot_status fail_at(const mlpot_structure *s, mlpot_error *err, mlpot_status code,
                            const char *what)
{
    if (s->source)
        return mlpot_fail(err, code, "%s:%ld: %s", s->source, s->source_line, what);
    return mlpot_fail(err, code, "%s", what);
}

mlpot_status mlpot_structure_validate(const mlpot_structure *s, mlpot_error *err)
{
    char msg[256];
    size_t bad = 0;
    size_t n = (size_t)s->n_atoms;
    for (size_t i = 0; i < n; ++i)
        if (s->numbers[i] < 1 || s->numbers[i] > MLPOT_MAX_ELEMENT) {
            snprintf(msg, sizeof msg, "atom %zu has invalid atomic number %d", i + 1, s->numbers[i]);
            return fail_at(s, err, MLPOT_ERR_FORMAT, msg);
        }
    if (!all_finite(s->positions, 3 * n, &bad)) {
        snprintf(msg, sizeof msg, "position of atom %zu is not finite", bad / 3 + 1);
        return fail_at(s, err, MLPOT_ERR_FORMAT, msg);
    }
    if (!all_finite(&s->cell[0][0], 9, &bad))
        return fail_at(s, err, MLPOT_ERR_FORMAT, "cell is not finite");
    int n_periodic = 0;
    for (int k = 0; k < 3; ++k) {
        if (!s->pbc[k]) continue;
        ++n_periodic;
        double len = sqrt(s->cell[k][0] * s->cell[k][0] + s->cell[k][1] * s->cell[k][1] +
                          s->cell[k][2] * s->cell[k][2]);
        if (!(len > 1e-8)) {
            snprintf(msg, sizeof msg, "lattice vector %c is zero but the direction is periodic",
                     "abc"[k]);
            return fail_at(s, err, MLPOT_ERR_GEOMETRY, msg);
        }
    }
    if (n_periodic >= 2) {
        /* Periodic vectors must be linearly independent: check the volume (3) or the area of
         * the periodic pair (2), relative to the lengths involved. */
        double ref = 1.0, measure;
        if (n_periodic == 3) {
            for (int k = 0; k < 3; ++k)
                ref *= sqrt(s->cell[k][0] * s->cell[k][0] + s->cell[k][1] * s->cell[k][1] +
                            s->cell[k][2] * s->cell[k][2]);
            measure = fabs(mlpot_det3(&s->cell[0][0]));
        } else {
            int a = s->pbc[0] ? 0 : 1, b = s->pbc[2] ? 2 : 1;
            const double *u = s->cell[a], *v = s->cell[b];
            double c[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                           u[0] * v[1] - u[1] * v[0]};
            measure = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
            ref = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]) *
                  sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        }
        if (!(measure > 1e-10 * ref)) {
            snprintf(msg, sizeof msg, "cell volume is zero (periodic lattice vectors are linearly "
                                      "dependent)");
            return fail_at(s, err, MLPOT_ERR_GEOMETRY, msg);
        }
    }
    if ((s->labels & MLPOT_LABEL_ENERGY) && !isfinite(s->energy))
        return fail_at(s, err, MLPOT_ERR_FORMAT, "energy label is not finite");
    if ((s->labels & MLPOT_LABEL_FORCES) && !all_finite(s->forces, 3 * n, &bad)) {
        snprintf(msg, sizeof msg, "force on atom %zu is not finite", bad / 3 + 1);
        return fail_at(s, err, MLPOT_ERR_FORMAT, msg);
    }
    if ((s->labels & MLPOT_LABEL_STRESS) && !all_finite(s->stress, 9, &bad))
        return fail_at(s, err, MLPOT_ERR_FORMAT, "stress label is not finite");
    if ((s->labels & MLPOT_LABEL_VIRIAL) && !all_finite(s->virial, 9, &bad))
        return fail_at(s, err, MLPOT_ERR_FORMAT, "virial label is not finite");
    if ((s->labels & MLPOT_LABEL_CHARGES) && !all_finite(s->charges, n, &bad)) {
        snprintf(msg, sizeof msg, "charge of atom %zu is not finite", bad + 1);
        return fail_at(s, err, MLPOT_ERR_FORMAT, msg);
    }
    if ((s->labels & MLPOT_LABEL_ATOM_ENERGIES) && !all_finite(s->atom_energies, n, &bad)) {
        snprintf(msg, sizeof msg, "energy of atom %zu is not finite", bad + 1);
        return fail_at(s, err, MLPOT_ERR_FORMAT, msg);
    }
    if (s->masses)
        for (size_t i = 0; i < n; ++i)
            if (!(s->masses[i] > 0) || !isfinite(s->masses[i])) {
                snprintf(msg, sizeof msg, "mass of atom %zu is not a positive number", i + 1);
                return fail_at(s, err, MLPOT_ERR_FORMAT, msg);
            }
    if (!isfinite(s->weight) || s->weight < 0)
        return fail_at(s, err, MLPOT_ERR_FORMAT, "configuration weight is negative or not finite");
    return MLPOT_OK;
}

/* --- info and properties ---------------------------------------------------------------- */

const char *mlpot_structure_info(const mlpot_structure *s, const char *key)
{
    for (int k = 0; k < s->n_info; ++k)
        if (strcmp(s->info[k].key, key) == 0) return s->info[k].value;
    return NULL;
}

mlpot_status mlpot_structure_set_info(mlpot_structure *s, const char *key, const char *value,
                                      mlpot_error *err)
{
    char *v = mlpot_strdup(value ? value : "");
    if (!v) return mlpot_fail_memory(err, "storing an info value");
    for (int k = 0; k < s->n_info; ++k)
        if (strcmp(s->info[k].key, key) == 0) {
            free(s->info[k].value);
            s->info[k].value = v;
            return MLPOT_OK;
        }
    char *kcopy = mlpot_strdup(key);
    mlpot_info_entry *grown = mlpot_realloc(s->info, (size_t)s->n_info + 1, sizeof *grown);
    if (!kcopy || !grown) {
        free(v);
        free(kcopy);
        if (grown) s->info = grown;
        return mlpot_fail_memory(err, "storing an info key");
    }
    s->info = grown;
    s->info[s->n_info].key = kcopy;
    s->info[s->n_info].value = v;
    s->n_info++;
    return MLPOT_OK;
}

void mlpot_structure_remove_info(mlpot_structure *s, const char *key)
{
    for (int k = 0; k < s->n_info; ++k)
        if (strcmp(s->info[k].key, key) == 0) {
            free(s->info[k].key);
            free(s->info[k].value);
            memmove(&s->info[k], &s->info[k + 1], (size_t)(s->n_info - k - 1) * sizeof *s->info);
            s->n_info--;
            return;
        }
}

mlpot_atom_property *mlpot_structure_property(const mlpot_structure *s, const char *name)
{
    for (int k = 0; k < s->n_properties; ++k)
        if (strcmp(s->properties[k].name, name) == 0) return &s->properties[k];
    return NULL;
}

void mlpot_structure_remove_property(mlpot_structure *s, const char *name)
{
    for (int k = 0; k < s->n_properties; ++k)
        if (strcmp(s->properties[k].name, name) == 0) {
            free_property(&s->properties[k], s->n_atoms);
            memmove(&s->properties[k], &s->properties[k + 1],
                    (size_t)(s->n_properties - k - 1) * sizeof *s->properties);
            s->n_properties--;
            return;
        }
}

mlpot_status mlpot_structure_add_property(mlpot_structure *s, const char *name,
                                          mlpot_property_type type, int ncols,
                                          mlpot_atom_property **out, mlpot_error *err)
{
    if (ncols < 1) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "property '%s' has %d columns", name, ncols);
    if (type != MLPOT_PROPERTY_REAL && type != MLPOT_PROPERTY_INT &&
        type != MLPOT_PROPERTY_LOGICAL && type != MLPOT_PROPERTY_STRING)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "property '%s' has unknown type", name);
    mlpot_structure_remove_property(s, name);
    mlpot_atom_property p;
    memset(&p, 0, sizeof p);
    p.name = mlpot_strdup(name);
    p.type = type;
    p.ncols = ncols;
    size_t count = (size_t)s->n_atoms * (size_t)ncols;
    int ok = p.name != NULL;
    if (ok && type == MLPOT_PROPERTY_REAL) ok = (p.real = mlpot_calloc(count, sizeof(double))) != NULL;
    if (ok && (type == MLPOT_PROPERTY_INT || type == MLPOT_PROPERTY_LOGICAL))
        ok = (p.integer = mlpot_calloc(count, sizeof(long))) != NULL;
    if (ok && type == MLPOT_PROPERTY_STRING) {
        ok = (p.string = mlpot_calloc(count, sizeof(char *))) != NULL;
        for (size_t k = 0; ok && k < count; ++k) ok = (p.string[k] = mlpot_strdup("")) != NULL;
    }
    mlpot_atom_property *grown =
        ok ? mlpot_realloc(s->properties, (size_t)s->n_properties + 1, sizeof *grown) : NULL;
    if (!grown) {
        free_property(&p, s->n_atoms);
        return mlpot_fail_memory(err, "adding a per-atom property");
    }
    s->properties = grown;
    s->properties[s->n_properties] = p;
    if (out) *out = &s->properties[s->n_properties];
    s->n_properties++;
    return MLPOT_OK;
}

mlpot_status mlpot_structure_set_source(mlpot_structure *s, const char *source, long line,
                                        mlpot_error *err)
{
    char *c = NULL;
    if (source && !(c = mlpot_strdup(source))) return mlpot_fail_memory(err, "naming a source");
    free(s->source);
    s->source = c;
    s->source_line = line;
    return MLPOT_OK;
}

mlpot_status mlpot_structure_supercell(const mlpot_structure *s, const int repeat[3],
                                       mlpot_structure *out, mlpot_error *err)
{
    for (int k = 0; k < 3; ++k)
        if (repeat[k] < 1)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "supercell repeat %d along %c", repeat[k],
                              "abc"[k]);
    long copies = (long)repeat[0] * repeat[1] * repeat[2];
    long n_total = copies * s->n_atoms;
    if (n_total > 2000000000L)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "supercell of %ld atoms is too large", n_total);
    mlpot_structure t;
    mlpot_structure_init(&t);
    int n = s->n_atoms;
    mlpot_status st = mlpot_structure_resize(&t, (int)n_total, err);
    if (st) goto fail;
    for (int k = 0; k < 3; ++k)
        for (int a = 0; a < 3; ++a) t.cell[k][a] = s->cell[k][a] * repeat[k];
    memcpy(t.pbc, s->pbc, sizeof t.pbc);
    t.weight = s->weight;
    t.labels = s->labels;
    t.energy = s->energy * (double)copies;
    t.total_charge = s->total_charge * (double)copies;
    for (int k = 0; k < 9; ++k) {
        t.stress[k] = s->stress[k];
        t.virial[k] = s->virial[k] * (double)copies;
    }
    if (s->forces && (st = mlpot_structure_add_label(&t, MLPOT_LABEL_FORCES, err))) goto fail;
    if (s->charges && (st = mlpot_structure_add_label(&t, MLPOT_LABEL_CHARGES, err))) goto fail;
    if (s->atom_energies && (st = mlpot_structure_add_label(&t, MLPOT_LABEL_ATOM_ENERGIES, err)))
        goto fail;
    t.labels = s->labels;
    if (s->masses && (st = mlpot_structure_add_masses(&t, err))) goto fail;
    for (int p = 0; p < s->n_properties; ++p) {
        const mlpot_atom_property *sp = &s->properties[p];
        mlpot_atom_property *tp;
        if ((st = mlpot_structure_add_property(&t, sp->name, sp->type, sp->ncols, &tp, err))) goto fail;
    }
    long block = 0;
    /* Same atom order as ASE's Atoms.repeat: copies in the order (i0, i1, i2), i2 fastest. */
    for (int i0 = 0; i0 < repeat[0]; ++i0)
        for (int i1 = 0; i1 < repeat[1]; ++i1)
            for (int i2 = 0; i2 < repeat[2]; ++i2, ++block) {
                double shift[3];
                for (int a = 0; a < 3; ++a)
                    shift[a] = i0 * s->cell[0][a] + i1 * s->cell[1][a] + i2 * s->cell[2][a];
                for (int i = 0; i < n; ++i) {
                    long j = block * n + i;
                    t.numbers[j] = s->numbers[i];
                    for (int a = 0; a < 3; ++a) t.positions[3 * j + a] = s->positions[3 * i + a] + shift[a];
                    if (s->forces)
                        for (int a = 0; a < 3; ++a) t.forces[3 * j + a] = s->forces[3 * i + a];
                    if (s->charges) t.charges[j] = s->charges[i];
                    if (s->atom_energies) t.atom_energies[j] = s->atom_energies[i];
                    if (s->masses) t.masses[j] = s->masses[i];
                    for (int p = 0; p < s->n_properties; ++p) {
                        const mlpot_atom_property *sp = &s->properties[p];
                        mlpot_atom_property *tp = &t.properties[p];
                        for (int c = 0; c < sp->ncols; ++c) {
                            long from = (long)i * sp->ncols + c, to = j * sp->ncols + c;
                            if (sp->real) tp->real[to] = sp->real[from];
                            if (sp->integer) tp->integer[to] = sp->integer[from];
                            if (sp->string) {
                                char *copy = mlpot_strdup(sp->string[from]);
                                if (!copy) { st = mlpot_fail_memory(err, "building a supercell"); goto fail; }
                                free(tp->string[to]);
                                tp->string[to] = copy;
                            }
                        }
                    }
                }
            }
    for (int k = 0; k < s->n_info; ++k)
        if ((st = mlpot_structure_set_info(&t, s->info[k].key, s->info[k].value, err))) goto fail;
    if (s->config_type && !(t.config_type = mlpot_strdup(s->config_type))) {
        st = mlpot_fail_memory(err, "building a supercell");
        goto fail;
    }
    if ((st = mlpot_structure_set_source(&t, s->source, s->source_line, err))) goto fail;
    mlpot_structure_free(out);
    *out = t;
    return MLPOT_OK;
fail:
    mlpot_structure_free(&t);
    return st;
}

/* --- datasets ----------------------------------------------------------------------------- */

void mlpot_dataset_init(mlpot_dataset *d)
{
    memset(d, 0, sizeof *d);
}

void mlpot_dataset_free(mlpot_dataset *d)
{
    if (!d) return;
    for (size_t k = 0; k < d->n_frames; ++k) mlpot_structure_free(&d->frames[k]);
    free(d->frames);
    mlpot_dataset_init(d);
}

mlpot_status mlpot_dataset_push(mlpot_dataset *d, mlpot_structure *s, mlpot_error *err)
{
    if (d->n_frames == d->capacity) {
        size_t cap = d->capacity ? 2 * d->capacity : 16;
        mlpot_structure *grown = mlpot_realloc(d->frames, cap, sizeof *grown);
        if (!grown) return mlpot_fail_memory(err, "growing a dataset");
        d->frames = grown;
        d->capacity = cap;
    }
    d->frames[d->n_frames++] = *s;
    mlpot_structure_init(s);
    return MLPOT_OK;
}
