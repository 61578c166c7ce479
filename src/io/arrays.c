/* Array-based datasets read frame by frame:
 *  - DeePMD-kit system folders: type.raw (type index per atom), type_map.raw (element per
 *    type), optional nopbc, and set.* folders with box.npy (9 per frame, rows are lattice
 *    vectors), coord.npy, energy.npy, force.npy, virial.npy (eV, Å; virial = -dE/dε). Sets are
 *    read in name order, one set in memory at a time.
 *  - rMD17 .npz archives (zip of .npy, read with libzip): nuclear_charges, coords, energies,
 *    forces in kcal/mol and kcal/mol/Å, converted to eV; molecules without a cell. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/formats.h"
#include "io/npy.h"
#include "mlpot/elements.h"

struct array_source {
    char *path;
    int is_npz;
    int n_atoms;
    int *numbers;
    int periodic;
    double energy_factor, length_factor;
    /* DeePMD sets */
    int n_sets, set;
    char **sets;
    /* arrays of the current set (or of the archive) */
    npy_array box, coord, energy, force, virial;
    long n_frames, frame;
};

void array_source_close(array_source *src)
{
    if (!src) return;
    for (int k = 0; k < src->n_sets; ++k) free(src->sets[k]);
    free(src->sets);
    free(src->numbers);
    free(src->path);
    npy_free(&src->box);
    npy_free(&src->coord);
    npy_free(&src->energy);
    npy_free(&src->force);
    npy_free(&src->virial);
    free(src);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_exists(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0;
}

/* Checks that array a has `rows` x `width` values (width 0: any, taken from the first set). */
static mlpot_status check_shape(const npy_array *a, const char *file, long rows, long width,
                                mlpot_error *err)
{
    if (a->ndim < 1 || a->shape[0] != rows || (long)a->count != rows * width)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: has %zu values, expected %ld frames x %ld",
                          file, a->count, rows, width);
    return MLPOT_OK;
}

static mlpot_status deepmd_load_set(array_source *src, mlpot_error *err)
{
    const char *dir = src->sets[src->set];
    char file[4096];
    npy_free(&src->box), npy_free(&src->coord), npy_free(&src->energy);
    npy_free(&src->force), npy_free(&src->virial);
    mlpot_status st;
    snprintf(file, sizeof file, "%s/%s/coord.npy", src->path, dir);
    if ((st = npy_read_file(file, &src->coord, err))) return st;
    long width = 3L * src->n_atoms;
    if (src->coord.ndim < 1 || src->coord.count % (size_t)width != 0)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: %zu values is not a whole number of frames of %d atoms",
                          file, src->coord.count, src->n_atoms);
    src->n_frames = (long)(src->coord.count / (size_t)width);
    if ((st = check_shape(&src->coord, file, src->n_frames, width, err))) return st;
    snprintf(file, sizeof file, "%s/%s/box.npy", src->path, dir);
    if (file_exists(file)) {
        if ((st = npy_read_file(file, &src->box, err)) || (st = check_shape(&src->box, file, src->n_frames, 9, err)))
            return st;
    } else if (src->periodic) {
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: missing (and no nopbc file in the system folder)", file);
    }
    snprintf(file, sizeof file, "%s/%s/energy.npy", src->path, dir);
    if (file_exists(file) && ((st = npy_read_file(file, &src->energy, err)) ||
                              (st = check_shape(&src->energy, file, src->n_frames, 1, err))))
        return st;
    snprintf(file, sizeof file, "%s/%s/force.npy", src->path, dir);
    if (file_exists(file) && ((st = npy_read_file(file, &src->force, err)) ||
                              (st = check_shape(&src->force, file, src->n_frames, width, err))))
        return st;
    snprintf(file, sizeof file, "%s/%s/virial.npy", src->path, dir);
    if (file_exists(file) && ((st = npy_read_file(file, &src->virial, err)) ||
                              (st = check_shape(&src->virial, file, src->n_frames, 9, err))))
        return st;
    src->frame = 0;
    return MLPOT_OK;
}

/* Reads whitespace-separated words of a small text file. */
static mlpot_status read_words(const char *path, char ***words, int *n, mlpot_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char w[256];
    int cap = 0;
    *n = 0;
    *words = NULL;
    mlpot_status st = MLPOT_OK;
    while (!st && fscanf(f, "%255s", w) == 1) {
        if (*n == cap) {
            char **g = mlpot_realloc(*words, (size_t)(cap = cap ? 2 * cap : 64), sizeof *g);
            if (!g) st = mlpot_fail_memory(err, "reading a DeePMD system");
            else *words = g;
        }
        if (!st && !((*words)[(*n)++] = mlpot_strdup(w))) st = mlpot_fail_memory(err, "reading a DeePMD system");
    }
    fclose(f);
    return st;
}

static void free_words(char **words, int n)
{
    for (int k = 0; k < n; ++k) free(words[k]);
    free(words);
}

mlpot_status deepmd_open(const char *path, const mlpot_io_options *opt, array_source **out,
                         mlpot_error *err)
{
    *out = NULL;
    array_source *src = calloc(1, sizeof *src);
    if (!src || !(src->path = mlpot_strdup(path))) {
        free(src);
        return mlpot_fail_memory(err, "opening a DeePMD system");
    }
    io_unit_factors(opt, &src->energy_factor, &src->length_factor);
    char file[4096];
    char **types = NULL, **map = NULL;
    int n_types = 0, n_map = 0;
    mlpot_status st;
    snprintf(file, sizeof file, "%s/type.raw", path);
    if ((st = read_words(file, &types, &n_types, err))) goto done;
    snprintf(file, sizeof file, "%s/type_map.raw", path);
    if (!file_exists(file)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: missing; mlpot needs it to know the elements", file);
        goto done;
    }
    if ((st = read_words(file, &map, &n_map, err))) goto done;
    src->n_atoms = n_types;
    if (!(src->numbers = mlpot_calloc((size_t)n_types + 1, sizeof *src->numbers))) {
        st = mlpot_fail_memory(err, "opening a DeePMD system");
        goto done;
    }
    for (int i = 0; i < n_types && !st; ++i) {
        char *end;
        long t = strtol(types[i], &end, 10);
        if (*end || t < 0 || t >= n_map)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s/type.raw: atom %d has type '%s' but type_map.raw names %d types",
                            path, i + 1, types[i], n_map);
        else if (!(src->numbers[i] = mlpot_element_number(map[t])))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s/type_map.raw: '%s' is not an element symbol", path, map[t]);
    }
    if (st) goto done;
    snprintf(file, sizeof file, "%s/nopbc", path);
    src->periodic = !file_exists(file);
    DIR *d = opendir(path);
    if (!d) {
        st = mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot list: %s", path, strerror(errno));
        goto done;
    }
    struct dirent *e;
    int cap = 0;
    while (!st && (e = readdir(d))) {
        if (strncmp(e->d_name, "set.", 4) != 0) continue;
        if (src->n_sets == cap) {
            char **g = mlpot_realloc(src->sets, (size_t)(cap = cap ? 2 * cap : 8), sizeof *g);
            if (!g) st = mlpot_fail_memory(err, "listing DeePMD sets");
            else src->sets = g;
        }
        if (!st && !(src->sets[src->n_sets++] = mlpot_strdup(e->d_name))) st = mlpot_fail_memory(err, "listing DeePMD sets");
    }
    closedir(d);
    if (!st && src->n_sets == 0) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no set.* folders", path);
    if (!st) {
        qsort(src->sets, (size_t)src->n_sets, sizeof *src->sets, compare_names);
        st = deepmd_load_set(src, err);
    }
done:
    free_words(types, n_types);
    free_words(map, n_map);
    if (st) array_source_close(src);
    else *out = src;
    return st;
}

/* --- npz ----------------------------------------------------------------------------------- */

static mlpot_status npz_entry(zip_t *z, const char *archive, const char *name, int required,
                              npy_array *a, mlpot_error *err)
{
    zip_stat_t info;
    if (zip_stat(z, name, 0, &info) != 0 || !(info.valid & ZIP_STAT_SIZE)) {
        if (!required) return MLPOT_OK;
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no array '%s' in the archive", archive, name);
    }
    zip_file_t *f = zip_fopen(z, name, 0);
    unsigned char *buf = malloc(info.size + 1);
    if (!f || !buf) {
        if (f) zip_fclose(f);
        free(buf);
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot read '%s'", archive, name);
    }
    zip_int64_t got = zip_fread(f, buf, info.size);
    zip_fclose(f);
    char label[4096];
    snprintf(label, sizeof label, "%s:%s", archive, name);
    mlpot_status st = got != (zip_int64_t)info.size
                          ? mlpot_fail(err, MLPOT_ERR_IO, "%s: truncated entry", label)
                          : npy_parse(buf, info.size, label, a, err);
    free(buf);
    return st;
}

mlpot_status npz_open(const char *path, const mlpot_io_options *opt, array_source **out,
                      mlpot_error *err)
{
    *out = NULL;
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        mlpot_status st = mlpot_fail(err, zerr == ZIP_ER_OPEN || zerr == ZIP_ER_NOENT ? MLPOT_ERR_IO : MLPOT_ERR_FORMAT,
                                     "%s: cannot open as an npz archive: %s", path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return st;
    }
    array_source *src = calloc(1, sizeof *src);
    npy_array z_numbers;
    memset(&z_numbers, 0, sizeof z_numbers);
    mlpot_status st = MLPOT_OK;
    if (!src || !(src->path = mlpot_strdup(path))) st = mlpot_fail_memory(err, "opening an npz archive");
    if (!st) {
        src->is_npz = 1;
        /* rMD17 stores kcal/mol; other units only when the caller says so */
        src->energy_factor = opt->units_given ? mlpot_energy_unit_in_ev(opt->energy_unit) : MLPOT_KCAL_PER_MOL_EV;
        src->length_factor = opt->units_given ? mlpot_length_unit_in_angstrom(opt->length_unit) : 1.0;
        st = npz_entry(z, path, "nuclear_charges.npy", 1, &z_numbers, err);
    }
    if (!st) st = npz_entry(z, path, "coords.npy", 1, &src->coord, err);
    if (!st) st = npz_entry(z, path, "energies.npy", 0, &src->energy, err);
    if (!st) st = npz_entry(z, path, "forces.npy", 0, &src->force, err);
    zip_close(z);
    if (!st) {
        src->n_atoms = (int)z_numbers.count;
        src->numbers = mlpot_calloc(z_numbers.count + 1, sizeof *src->numbers);
        if (!src->numbers) st = mlpot_fail_memory(err, "opening an npz archive");
        for (int i = 0; !st && i < src->n_atoms; ++i) {
            src->numbers[i] = (int)z_numbers.data[i];
            if (src->numbers[i] < 1 || src->numbers[i] > MLPOT_MAX_ELEMENT)
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: nuclear_charges[%d] = %g is not an element", path, i, z_numbers.data[i]);
        }
    }
    long width = 3L * (src ? src->n_atoms : 0);
    if (!st && (width == 0 || src->coord.count % (size_t)width != 0))
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: coords has %zu values, not frames of %d atoms", path,
                        src->coord.count, src->n_atoms);
    if (!st) {
        src->n_frames = (long)(src->coord.count / (size_t)width);
        if (src->energy.data) st = check_shape(&src->energy, "energies.npy", src->n_frames, 1, err);
        if (!st && src->force.data) st = check_shape(&src->force, "forces.npy", src->n_frames, width, err);
        if (st) mlpot_error_prepend(err, "%s:", path);
    }
    npy_free(&z_numbers);
    if (st) array_source_close(src);
    else *out = src;
    return st;
}

mlpot_status array_source_next(array_source *src, mlpot_structure *s, int *done, mlpot_error *err)
{
    mlpot_structure_free(s);
    mlpot_status st;
    while (src->frame >= src->n_frames) {
        if (src->is_npz || src->set + 1 >= src->n_sets) {
            *done = 1;
            return MLPOT_OK;
        }
        src->set++;
        if ((st = deepmd_load_set(src, err))) return st;
    }
    *done = 0;
    long t = src->frame++;
    int n = src->n_atoms;
    const double eu = src->energy_factor, lu = src->length_factor;
    if ((st = mlpot_structure_resize(s, n, err))) return st;
    char where[4096];
    if (src->is_npz) snprintf(where, sizeof where, "%s frame", src->path);
    else snprintf(where, sizeof where, "%s/%s frame", src->path, src->sets[src->set]);
    if ((st = mlpot_structure_set_source(s, where, t, err))) return st;
    memcpy(s->numbers, src->numbers, (size_t)n * sizeof *s->numbers);
    for (long k = 0; k < 3L * n; ++k) s->positions[k] = src->coord.data[t * 3 * n + k] * lu;
    if (src->box.data) {
        for (int k = 0; k < 9; ++k) (&s->cell[0][0])[k] = src->box.data[9 * t + k] * lu;
        s->pbc[0] = s->pbc[1] = s->pbc[2] = src->periodic;
    }
    if (src->energy.data) {
        s->energy = src->energy.data[t] * eu;
        s->labels |= MLPOT_LABEL_ENERGY;
    }
    if (src->force.data) {
        if ((st = mlpot_structure_add_label(s, MLPOT_LABEL_FORCES, err))) return st;
        for (long k = 0; k < 3L * n; ++k) s->forces[k] = src->force.data[t * 3 * n + k] * eu / lu;
    }
    if (src->virial.data) {
        for (int k = 0; k < 9; ++k) s->virial[k] = src->virial.data[9 * t + k] * eu;
        s->labels |= MLPOT_LABEL_VIRIAL;
    }
    return mlpot_structure_validate(s, err);
}
