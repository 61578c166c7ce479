#include "train/train_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "train/loss.h"

void train_data_free(train_data *d)
{
    for (int k = 0; k < 3; ++k) {
        mlpot_dataset_free(&d->files[k]);
        free(d->set[k]);
    }
    memset(d, 0, sizeof *d);
}

static mlpot_status read_files(const string_list *files, const mlpot_io_options *io, mlpot_dataset *out, mlpot_error *err)
{
    for (int k = 0; k < files->n; ++k) {
        mlpot_status st = mlpot_dataset_read(files->items[k], io, out, err);
        if (st) return st;
    }
    return MLPOT_OK;
}

/* "file:line" of a structure, for messages. */
static const char *where(const mlpot_structure *s, char *buf, size_t size)
{
    if (s->source) snprintf(buf, size, "%s:%ld", s->source, s->source_line);
    else snprintf(buf, size, "a structure");
    return buf;
}

static mlpot_status check_labels(const mlpot_structure *s, const mlpot_train_config *c, int training, mlpot_error *err)
{
    char at[4200];
    if (s->n_atoms < 1) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: no atoms", where(s, at, sizeof at));
    if (c->stage == TRAIN_STAGE_CHARGES) { /* the charges stage fits charges only */
        if (!(s->labels & MLPOT_LABEL_CHARGES) || !s->charges)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "%s: no reference charges (the charges stage fits them, for every structure)",
                              where(s, at, sizeof at));
        for (int i = 0; i < s->n_atoms; ++i)
            if (!isfinite(s->charges[i]))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: charge of atom %d is not finite", where(s, at, sizeof at), i + 1);
        return MLPOT_OK;
    }
    if (train_structure_sigma_check(s, err)) {
        mlpot_error_prepend(err, "%s: ", where(s, at, sizeof at));
        return err->code;
    }
    if (!(s->labels & MLPOT_LABEL_ENERGY))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: no energy (training needs an energy for every structure)",
                          where(s, at, sizeof at));
    if (!isfinite(s->energy)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the energy is not finite", where(s, at, sizeof at));
    if (training && c->use_forces && !(s->labels & MLPOT_LABEL_FORCES))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: no forces (loss.forces is on; set it to false to fit energies only)",
                          where(s, at, sizeof at));
    if (s->labels & MLPOT_LABEL_FORCES)
        for (int k = 0; k < 3 * s->n_atoms; ++k)
            if (!isfinite(s->forces[k]))
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: force of atom %d is not finite", where(s, at, sizeof at), k / 3 + 1);
    return MLPOT_OK;
}

mlpot_status train_data_load(train_data *d, const mlpot_train_config *c, mlpot_error *err)
{
    memset(d, 0, sizeof *d);
    for (int k = 0; k < 3; ++k) mlpot_dataset_init(&d->files[k]);
    if (c->train.n == 0) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "no training data (data.train)");
    mlpot_io_options io;
    mlpot_io_options_default(&io);
    io.format = (mlpot_format)c->format;
    if (c->energy_key && *c->energy_key) io.energy_key = c->energy_key;
    if (c->forces_key && *c->forces_key) io.forces_key = c->forces_key;
    if (c->stress_key && *c->stress_key) io.stress_key = c->stress_key;
    if (c->energy_unit >= 0 || c->length_unit >= 0) {
        io.units_given = 1;
        io.energy_unit = c->energy_unit >= 0 ? (mlpot_energy_unit)c->energy_unit : MLPOT_UNIT_EV;
        io.length_unit = c->length_unit >= 0 ? (mlpot_length_unit)c->length_unit : MLPOT_UNIT_ANGSTROM;
    }
    const string_list *lists[3] = {&c->train, &c->validation, &c->test};
    mlpot_status st = MLPOT_OK;
    for (int k = 0; k < 3 && !st; ++k) st = read_files(lists[k], &io, &d->files[k], err);
    for (int k = 0; k < 3 && !st; ++k)
        for (size_t q = 0; q < d->files[k].n_frames && !st; ++q) st = check_labels(&d->files[k].frames[q], c, k == 0, err);
    if (st) {
        train_data_free(d);
        return st;
    }
    /* split the training files by the seed where no validation or test files are given */
    const size_t n = d->files[0].n_frames;
    size_t *order = malloc((n + 1) * sizeof *order);
    for (int k = 0; k < 3; ++k) d->set[k] = calloc(n + d->files[k].n_frames + 1, sizeof *d->set[k]);
    if (!order || !d->set[0] || !d->set[1] || !d->set[2]) {
        free(order);
        train_data_free(d);
        return mlpot_fail_memory(err, "splitting the data");
    }
    for (size_t q = 0; q < n; ++q) order[q] = q;
    rng r;
    rng_seed(&r, c->seed, 1);
    for (size_t q = n; q > 1; --q) { /* Fisher-Yates */
        size_t j = (size_t)rng_below(&r, q), t = order[q - 1];
        order[q - 1] = order[j], order[j] = t;
    }
    size_t n_val = 0, n_test = 0;
    if (c->validation.n == 0 && c->validation_fraction > 0) {
        n_val = (size_t)llround(c->validation_fraction * (double)n);
        if (n_val == 0 && n >= 2) n_val = 1;
    }
    if (c->test.n == 0 && c->test_fraction > 0) {
        n_test = (size_t)llround(c->test_fraction * (double)n);
        if (n_test == 0 && n >= 3) n_test = 1;
    }
    if (n_val + n_test >= n) {
        free(order);
        train_data_free(d);
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "%zu training structures leave none to train on after the validation (%zu) and test (%zu) split",
                          n, n_val, n_test);
    }
    /* the sets keep file order */
    char *role = calloc(n + 1, 1);
    if (!role) {
        free(order);
        train_data_free(d);
        return mlpot_fail_memory(err, "splitting the data");
    }
    for (size_t q = 0; q < n_val; ++q) role[order[q]] = 1;
    for (size_t q = n_val; q < n_val + n_test; ++q) role[order[q]] = 2;
    for (size_t q = 0; q < n; ++q) d->set[(int)role[q]][d->n[(int)role[q]]++] = &d->files[0].frames[q];
    for (int k = 1; k < 3; ++k)
        for (size_t q = 0; q < d->files[k].n_frames; ++q) d->set[k][d->n[k]++] = &d->files[k].frames[q];
    free(role);
    free(order);
    /* elements: those of the training set; the others must not bring new ones */
    int present[MLPOT_MAX_ELEMENT + 1] = {0};
    for (size_t q = 0; q < d->n[0]; ++q)
        for (int i = 0; i < d->set[0][q]->n_atoms; ++i) present[d->set[0][q]->numbers[i]] = 1;
    for (int z = 1; z <= MLPOT_MAX_ELEMENT; ++z)
        if (present[z]) d->elements[d->n_elements++] = z;
    for (int k = 1; k < 3; ++k)
        for (size_t q = 0; q < d->n[k]; ++q)
            for (int i = 0; i < d->set[k][q]->n_atoms; ++i)
                if (!present[d->set[k][q]->numbers[i]]) {
                    char at[4200];
                    st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: has %s, which no training structure has",
                                    where(d->set[k][q], at, sizeof at), mlpot_element_symbol(d->set[k][q]->numbers[i]));
                    train_data_free(d);
                    return st;
                }
    return MLPOT_OK;
}
