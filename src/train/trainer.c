/* The training run: data, model setup, the optimisation loop with validation, learning-rate
 * schedule and early stopping, checkpoints after every epoch, and the model written as an
 * n2p2 folder (the parameters of the best validation epoch). */
#include <errno.h>
#include <lbfgs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/memory.h"
#include "io/n2p2_settings.h"
#include "mlpot/mlpot.h"
#include "train/batch.h"
#include "train/checkpoint.h"
#include "train/config.h"
#include "train/kalman.h"
#include "train/model_setup.h"
#include "train/sf_generate.h"
#include "train/train_data.h"

typedef struct trainer {
    const mlpot_train_config *c;
    train_data data;
    nnp_model model;
    size_t offsets[TRAIN_MAX_ELEMENTS + 1], n_params;
    train_weights w;
    train_batcher batcher;
    train_state state;
    uint64_t fingerprint;
    double *grad;
    size_t *order;
    double *validation_losses; /* [2 n_validation]: each structure's loss, then a copy to sort */
    double t_start;
    double t_before; /* the learning curve's time at the checkpoint a resume starts from */
    double r_lower, closest_pair; /* the generated grid's inner edge; the closest training pair
                                     when radial_r_lower is auto (NaN otherwise) */
    /* L-BFGS evaluation */
    mlpot_status eval_status;
    mlpot_error eval_err;
    /* Kalman filter: the blocks, the Jacobian of one label, the training structures with an
     * energy, those with a stress, and the running count of force components over the training
     * structures */
    train_kalman kalman;
    double *jacobian;
    size_t *energy_candidates, n_energy_candidates;
    size_t *stress_candidates, n_stress_candidates;
    size_t *force_prefix; /* [n_train + 1] */
} trainer;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* --- setup ----------------------------------------------------------------------------------- */

/* The symmetry-function lines of an n2p2 input.nn (or folder), with its cutoff function. */
static mlpot_status lines_from_input_nn(const char *path_in, char ***lines, int *n, int *cutoff_type, double *alpha,
                                        mlpot_error *err)
{
    char path[4200];
    struct stat info;
    if (stat(path_in, &info) == 0 && S_ISDIR(info.st_mode)) snprintf(path, sizeof path, "%s/input.nn", path_in);
    else snprintf(path, sizeof path, "%s", path_in);
    n2p2_settings set;
    mlpot_status st = n2p2_settings_read(path, &set, err);
    if (st) return st;
    *lines = calloc((size_t)set.n + 1, sizeof **lines);
    *n = 0;
    if (!*lines) {
        n2p2_settings_free(&set);
        return mlpot_fail_memory(err, "reading symmetry functions");
    }
    for (int k = 0; k < set.n && !st; ++k)
        if (n2p2_settings_is(&set, k, "symfunction_short") && !((*lines)[(*n)++] = mlpot_strdup(set.entries[k].value)))
            st = mlpot_fail_memory(err, "reading symmetry functions");
    const n2p2_entry *e = n2p2_settings_find(&set, "cutoff_type");
    if (e && sscanf(e->value, "%d %lf", cutoff_type, alpha) < 1)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: cutoff_type needs a number", path, e->line);
    if (!st && *n == 0) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no symfunction_short lines", path);
    n2p2_settings_free(&set);
    return st;
}

static void free_lines(char **lines, int n)
{
    for (int k = 0; k < n; ++k) free(lines[k]);
    free(lines);
}

static mlpot_status setup_model(trainer *t, mlpot_error *err)
{
    const mlpot_train_config *c = t->c;
    char **lines = NULL;
    int n_lines = 0, cutoff_type = c->cutoff_type;
    double alpha = c->cutoff_alpha;
    const int generated = !strcmp(c->symmetry_functions, "auto");
    /* the scaling statistics (and an automatic grid) are those of the structures the loss
     * counts (weight above 0) */
    const mlpot_structure **train = malloc((t->data.n[TRAIN_SET] + 1) * sizeof *train);
    size_t n_train = 0;
    if (!train) return mlpot_fail_memory(err, "setting up a model");
    for (size_t q = 0; q < t->data.n[TRAIN_SET]; ++q)
        if (t->data.set[TRAIN_SET][q]->weight > 0) train[n_train++] = t->data.set[TRAIN_SET][q];
    if (n_train == 0) {
        free(train);
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "every training structure has weight 0 (config_weight): nothing to fit");
    }
    mlpot_status st = MLPOT_OK;
    t->r_lower = t->closest_pair = NAN;
    if (generated) {
        t->r_lower = c->r_lower;
        if (isnan(c->r_lower)) {
            st = sf_closest_pair(train, n_train, c->cutoff, &t->closest_pair, err);
            t->r_lower = sf_auto_r_lower(t->closest_pair, c->cutoff, c->n_radial);
        }
        sf_grid grid = {c->cutoff, t->r_lower, c->n_radial, c->n_eta, c->angular_type, c->angular_shifted, c->n_zetas, {0}};
        memcpy(grid.zetas, c->zetas, sizeof grid.zetas);
        if (!st) st = sf_generate(&grid, t->data.elements, t->data.n_elements, &lines, &n_lines, err);
    } else {
        st = lines_from_input_nn(c->symmetry_functions, &lines, &n_lines, &cutoff_type, &alpha, err);
    }
    if (st) {
        free(train);
        return st;
    }
    /* functions of the given file for elements the data lack would fail the build: keep the
     * data's elements only */
    if (!generated) {
        int kept = 0;
        for (int k = 0; k < n_lines; ++k) {
            char copy[512], *w[16];
            snprintf(copy, sizeof copy, "%s", lines[k]);
            int nw = 0, ok = 1;
            for (char *p = strtok(copy, " \t"); p && nw < 16; p = strtok(NULL, " \t")) w[nw++] = p;
            for (int q = 0; q < nw && ok; ++q) { /* element symbols among the words */
                int z = mlpot_element_number(w[q]);
                if (z && (q == 0 || ((q == 2 || q == 3) && nw > 5))) {
                    int have = 0;
                    for (int e = 0; e < t->data.n_elements; ++e) have |= t->data.elements[e] == z;
                    ok = have;
                }
            }
            if (ok) lines[kept++] = lines[k];
            else free(lines[k]);
        }
        n_lines = kept;
    }
    for (int pass = 0; pass < 2 && !st; ++pass) {
        st = train_model_build(&t->model, t->data.elements, t->data.n_elements, lines, n_lines, cutoff_type, alpha, c->hidden,
                               c->n_hidden, c->activation, c->scaling, c->scale_min, c->scale_max, err);
        if (st) break;
        size_t max_fn = 0;
        for (int e = 0; e < t->model.acsf.n_elements; ++e)
            if ((size_t)t->model.acsf.elements[e].n > max_fn) max_fn = (size_t)t->model.acsf.elements[e].n;
        int *flat = calloc((size_t)t->model.acsf.n_elements * max_fn + 1, sizeof *flat);
        if (!flat) {
            st = mlpot_fail_memory(err, "setting up a model");
            break;
        }
        st = train_model_statistics(&t->model, train, n_train, flat, err);
        int n_flat = 0;
        for (size_t k = 0; !st && k < (size_t)t->model.acsf.n_elements * max_fn; ++k) n_flat += flat[k];
        if (st || !generated || n_flat == 0 || pass == 1) {
            free(flat);
            break;
        }
        /* generated functions that are constant over the data (e.g. angular ones of element
         * pairs that never meet) carry nothing: drop them and set up again */
        char **kept = calloc((size_t)n_lines + 1, sizeof *kept);
        int n_kept = 0;
        for (int e = 0; e < t->model.acsf.n_elements && kept; ++e)
            for (int k = 0; k < t->model.acsf.elements[e].n; ++k)
                if (!flat[(size_t)e * max_fn + (size_t)k]) {
                    char text[512];
                    acsf_fn_format(&t->model.acsf, &t->model.acsf.elements[e].fn[k], text, sizeof text);
                    kept[n_kept++] = mlpot_strdup(text);
                }
        free(flat);
        nnp_model_free(&t->model);
        free_lines(lines, n_lines);
        lines = kept, n_lines = n_kept;
        if (!kept) st = mlpot_fail_memory(err, "setting up a model");
    }
    free_lines(lines, n_lines);
    if (!st && c->stage != TRAIN_STAGE_CHARGES)
        st = train_model_reference_energies(&t->model, train, n_train, c->reference_z, c->reference_energy,
                                            c->n_reference, NULL, err);
    free(train);
    if (st) return st;
    t->n_params = train_model_offsets(&t->model, t->offsets);
    rng r;
    rng_seed(&r, c->seed, 2);
    train_model_init_params(&t->model, &r);
    if (c->initial_weights && *c->initial_weights)
        return train_model_adopt(&t->model, c->initial_weights, c->reference_z, c->reference_energy, c->n_reference, err);
    return MLPOT_OK;
}

/* --- 4G-HDNNP -------------------------------------------------------------------------------- */

/* 4G models keep the Coulomb constant in eV·Å, so their data must be in eV and Å as read: an
 * n2p2 input.data carries no units (often Hartree and Bohr), so its units must be stated. */
static mlpot_status check_4g_units(const mlpot_train_config *c, mlpot_error *err)
{
    if (c->energy_unit >= 0 && c->length_unit >= 0) return MLPOT_OK;
    const string_list *lists[3] = {&c->train, &c->validation, &c->test};
    for (int l = 0; l < 3; ++l)
        for (int k = 0; k < lists[l]->n; ++k) {
            mlpot_format f = (mlpot_format)c->format;
            if (f == MLPOT_FORMAT_AUTO && mlpot_format_detect(lists[l]->items[k], &f, err)) return err->code;
            if (f == MLPOT_FORMAT_N2P2)
                return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                                  "%s: n2p2 data carry no units, and a 4G model's electrostatics need them: set "
                                  "data.energy_unit and data.length_unit (eV and Angstrom, or Hartree and Bohr, ...)",
                                  lists[l]->items[k]);
        }
    return MLPOT_OK;
}

/* The charges stage: the networks just set up become the electronegativity networks; widths,
 * hardnesses, screening and Ewald settings from the configuration. The parameter vector ends
 * with h_e per element, J_e = h_e² (n2p2's parametrisation, which keeps J positive). */
static mlpot_status setup_charges(trainer *t, mlpot_error *err)
{
    const mlpot_train_config *c = t->c;
    nnp_model *m = &t->model;
    nnp_electrostatics *el = &m->elec;
    const int ne = m->acsf.n_elements;
    /* every structure's reference charges were checked when the data were read (train_data.c) */
    if (c->n_screening != 0 && c->n_screening != 2)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "model.screening: give the inner and outer radius (or nothing)");
    if (c->n_screening == 2 && !(c->screening[0] < c->screening[1]))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "model.screening: the inner radius %g must lie below the outer %g",
                          c->screening[0], c->screening[1]);
    el->width = calloc((size_t)ne, sizeof *el->width);
    el->hardness = calloc((size_t)ne, sizeof *el->hardness);
    if (!el->width || !el->hardness) return mlpot_fail_memory(err, "setting up a 4G model");
    double max_width = 0.0;
    for (int e = 0; e < ne; ++e) {
        for (int k = 0; k < c->n_width; ++k)
            if (c->width_z[k] == m->acsf.z[e]) el->width[e] = c->width[k];
        if (!(el->width[e] > 0))
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                              "model.charge_widths gives no Gaussian width for %s (n2p2's fixed_gausswidth; e.g. its "
                              "covalent radius in Angstrom)",
                              mlpot_element_symbol(m->acsf.z[e]));
        el->hardness[e] = c->initial_hardness;
        if (el->width[e] > max_width) max_width = el->width[e];
    }
    m->generation = 4;
    el->coulomb = MLPOT_COULOMB_EV_ANGSTROM;
    el->screen = c->n_screening == 2;
    if (el->screen) el->screen_inner = c->screening[0], el->screen_outer = c->screening[1];
    el->ewald = (ewald_truncation_settings){EWALD_JACKSON_CATLOW, c->ewald_accuracy, 1.0, 0.0, el->coulomb, max_width};
    t->n_params = t->offsets[ne] + (size_t)ne;
    return MLPOT_OK;
}

/* The short-range stage: the model of the charges stage with new short-range networks whose
 * last input is the charge; reference energies fitted to E - E_elec. */
static mlpot_status setup_short_4g(trainer *t, mlpot_error *err)
{
    const mlpot_train_config *c = t->c;
    nnp_model *m = &t->model;
    mlpot_status st = nnp_model_load_electrostatics(c->electrostatics, m, err);
    if (st) return st;
    const int ne = m->acsf.n_elements;
    if (m->elec.nets[0].normalize) /* n2p2 applies it to every network: the new ones would lack it */
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "%s: the electronegativity networks use normalize_nodes, which mlpot train does not reproduce in "
                          "the short-range networks",
                          c->electrostatics);
    for (int k = 0; k < t->data.n_elements; ++k)
        if (t->data.elements[k] > MLPOT_MAX_ELEMENT || m->acsf.index[t->data.elements[k]] < 0)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: the model has no %s, which the training data have", c->electrostatics,
                              mlpot_element_symbol(t->data.elements[k]));
    for (int e = 0; e < ne && !st; ++e) { /* the charge is the last input */
        nn_free(&m->nets[e]);
        st = train_model_network(&m->nets[e], m->acsf.elements[e].n + 1, c->hidden, c->n_hidden, c->activation, err);
    }
    const mlpot_structure *const *train = t->data.set[TRAIN_SET];
    const size_t n_train = t->data.n[TRAIN_SET];
    double *shift = calloc(n_train + 1, sizeof *shift);
    if (!st && !shift) st = mlpot_fail_memory(err, "setting up a 4G model");
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    for (size_t q = 0; q < n_train && !st; ++q) { /* E_elec of each training structure */
        nnp_4g_response r;
        st = mlpot_neighbour_list_build(&nl, train[q], m->acsf.rmax, 0.0, MLPOT_NEIGHBOURS_FULL, err);
        if (!st) st = nnp_4g_response_compute(m, train[q], &nl, train_total_charge(train[q]), 0, &r, err);
        if (!st) shift[q] = r.energy, nnp_4g_response_free(&r);
        if (st && train[q]->source) mlpot_error_prepend(err, "%s:%ld: ", train[q]->source, train[q]->source_line);
    }
    mlpot_neighbour_list_free(&nl);
    if (!st)
        st = train_model_reference_energies(m, train, n_train, c->reference_z, c->reference_energy, c->n_reference, shift, err);
    free(shift);
    if (st) return st;
    t->n_params = train_model_offsets(m, t->offsets);
    rng r;
    rng_seed(&r, c->seed, 2);
    train_model_init_params(m, &r);
    return MLPOT_OK;
}

/* θ into the model (and the hardnesses J = h² in the charges stage) and back. */
static void params_set(trainer *t, const double *theta)
{
    train_model_set(&t->model, t->offsets, theta);
    if (t->c->stage == TRAIN_STAGE_CHARGES)
        for (int e = 0; e < t->model.acsf.n_elements; ++e) {
            const double h = theta[t->offsets[t->model.acsf.n_elements] + (size_t)e];
            t->model.elec.hardness[e] = h * h;
        }
}

static void params_get(const trainer *t, double *theta)
{
    train_model_get(&t->model, t->offsets, theta);
    if (t->c->stage == TRAIN_STAGE_CHARGES)
        for (int e = 0; e < t->model.acsf.n_elements; ++e)
            theta[t->offsets[t->model.acsf.n_elements] + (size_t)e] = sqrt(t->model.elec.hardness[e]);
}

/* The loss gradient holds dL/dJ_e; the optimiser works on h_e. */
static void hardness_chain_rule(const trainer *t, const double *theta, double *grad)
{
    if (t->c->stage != TRAIN_STAGE_CHARGES) return;
    const size_t first = t->offsets[t->model.acsf.n_elements];
    for (size_t k = first; k < t->n_params; ++k) grad[k] *= 2.0 * theta[k];
}

/* Keys added after checkpoints were first written, with the default that reproduces the runs
 * before them: at that default they stay out of the fingerprint, so those checkpoints resume. */
static const char *const LATER_KEYS[][2] = {
    {"training.selection", "mean"}, {"training.keep_last", "false"}, {"training.ema_decay", "0"},
    {"training.stress_fraction", "1"}, {"model.scaling", "scale_center"}, {"model.angular_shifted", "false"},
    {"model.initial_weights", ""}};

/* The step sizes a resume may lower, so that a run that diverged goes on from its last
 * checkpoint with a smaller step instead of starting afresh (the message of a divergence says
 * so). Checkpoints written before 2026-12-06 hashed them too: `legacy` computes that fingerprint. */
static const char *const STEP_KEYS[] = {"training.learning_rate", "training.kalman_etamax"};

/* The configuration's fingerprint: every key's value but the epoch count, early stopping, resume,
 * the output paths and (unless legacy) the step sizes. */
static uint64_t fingerprint(const mlpot_train_config *c, int legacy)
{
    size_t size = 1 << 18;
    char *text = malloc(size);
    if (!text) return 0;
    mlpot_train_config_describe(c, text, size);
    uint64_t h = 0xcbf29ce484222325ULL;
    char section[64] = "", key[160], value[8192];
    mlpot_error err;
    /* "key=value" of every key, from the keys describe lists (not its comments, which may change
     * between versions without changing the run) */
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != ' ' && line[0] != '#') {
            snprintf(section, sizeof section, "%.*s", (int)strcspn(line, ":"), line);
            continue;
        }
        if (strncmp(line, "  ", 2) || line[2] == '#' || !strcmp(section, "output")) continue;
        snprintf(key, sizeof key, "%s.%.*s", section, (int)strcspn(line + 2, ":"), line + 2);
        if (!strcmp(key, "training.epochs") || !strcmp(key, "training.resume") || !strcmp(key, "training.early_stopping"))
            continue;
        int step_key = 0;
        for (size_t k = 0; k < sizeof STEP_KEYS / sizeof STEP_KEYS[0]; ++k) step_key |= !strcmp(key, STEP_KEYS[k]);
        if (step_key && !legacy) continue;
        if (mlpot_train_config_get(c, key, value, sizeof value, &err)) continue;
        int at_default = 0;
        for (size_t k = 0; k < sizeof LATER_KEYS / sizeof LATER_KEYS[0]; ++k)
            at_default |= !strcmp(key, LATER_KEYS[k][0]) && !strcmp(value, LATER_KEYS[k][1]);
        if (at_default) continue;
        h = train_fnv1a(h, key, strlen(key) + 1);
        h = train_fnv1a(h, value, strlen(value) + 1);
    }
    free(text);
    return h;
}

/* Element e's input scaling (factor and shift: what the networks see), for the fingerprints of
 * models taken from a folder. */
static uint64_t scaling_fingerprint(uint64_t h, const nnp_model *m, int e)
{
    const acsf_scaling_element *sc = &m->scaling.elements[e];
    h = train_fnv1a(h, sc->factor, (size_t)m->acsf.elements[e].n * sizeof(double));
    return train_fnv1a(h, sc->shift, (size_t)m->acsf.elements[e].n * sizeof(double));
}

/* The short-range stage of a 4G model also depends on the charges stage's model, which the
 * configuration names only by its folder: its electronegativity networks, hardnesses, widths and
 * scaling go into the fingerprint, so that a resume on a changed folder is refused. */
static uint64_t folder_fingerprint(uint64_t h, const nnp_model *m)
{
    const nnp_electrostatics *el = &m->elec;
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        h = train_fnv1a(h, el->nets[e].params, el->nets[e].n_params * sizeof(double));
        h = train_fnv1a(h, &el->hardness[e], sizeof(double));
        h = train_fnv1a(h, &el->width[e], sizeof(double));
        h = scaling_fingerprint(h, m, e);
    }
    return h;
}

/* --- evaluation and output ------------------------------------------------------------------ */

/* Errors over one set; with losses (the set's size), each structure's own loss too. */
static mlpot_status evaluate(trainer *t, int set, train_metrics *m, double *losses, mlpot_error *err)
{
    memset(m, 0, sizeof *m);
    return train_batch(&t->batcher, t->data.set[set], NULL, t->data.n[set], m, NULL, losses, err);
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median loss of the validation structures that count (weight > 0), from the losses of
 * the last evaluate(); the mean when none counts. A few structures far outside the training
 * set's range (a validation draw can hold such frames) can make the mean fall or rise with
 * their errors alone; the median follows the bulk. */
static double validation_median(const trainer *t, double mean)
{
    const size_t n = t->data.n[VALIDATION_SET];
    double *sorted = t->validation_losses + n;
    size_t m = 0;
    for (size_t q = 0; q < n; ++q)
        if (t->data.set[VALIDATION_SET][q]->weight > 0) sorted[m++] = t->validation_losses[q];
    if (m == 0) return mean;
    qsort(sorted, m, sizeof *sorted, compare_doubles);
    return m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
}

static void errors_into(double *row, const mlpot_train_errors *e)
{
    row[0] = e->energy_rmse, row[1] = e->energy_mae, row[2] = e->force_rmse, row[3] = e->force_mae;
    row[4] = e->stress_rmse, row[5] = e->stress_mae;
}

static mlpot_status write_learning_curve(const trainer *t, mlpot_error *err)
{
    if (!t->c->learning_curve || !*t->c->learning_curve) return MLPOT_OK;
    atomic_file f;
    mlpot_status st = atomic_file_open(&f, t->c->learning_curve, err);
    if (st) return st;
    fputs("epoch,time_s,loss,learning_rate,train_energy_rmse,train_energy_mae,train_force_rmse,train_force_mae,"
          "train_stress_rmse,train_stress_mae,validation_energy_rmse,validation_energy_mae,validation_force_rmse,"
          "validation_force_mae,validation_stress_rmse,validation_stress_mae,validation_loss,train_charge_rmse,"
          "train_charge_mae,validation_charge_rmse,validation_charge_mae\n",
          f.file);
    for (int r = 0; r < t->state.n_rows; ++r) {
        const double *row = t->state.rows + (size_t)r * TRAIN_ROW;
        fprintf(f.file, "%d", (int)row[0]);
        for (int k = 1; k < TRAIN_ROW; ++k) fprintf(f.file, ",%.10g", row[k]);
        fputc('\n', f.file);
    }
    return atomic_file_commit(&f, err);
}

static mlpot_status write_model(trainer *t, const double *theta, const double *row, mlpot_error *err)
{
    params_set(t, theta);
    char comment[2048];
    /* errors of the validation set, or of the training set when there is none */
    const int val = t->data.n[VALIDATION_SET] > 0;
    const char *which = val ? "Validation" : "Training";
    if (t->c->stage == TRAIN_STAGE_CHARGES) {
        /* the electronegativity networks and hardnesses: n2p2's model after its first stage,
         * without short-range weights (training.stage energy with model.electrostatics adds them);
         * short-range weights left in the folder by an earlier run would make it look complete */
        for (int e = 0; e < t->model.acsf.n_elements; ++e) {
            char path[4200];
            snprintf(path, sizeof path, "%s/weights.%03d.data", t->c->directory, t->model.acsf.z[e]);
            if (remove(path) != 0 && errno != ENOENT)
                return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot remove an earlier run's short-range weights: %s", path,
                                  strerror(errno));
        }
        snprintf(comment, sizeof comment,
                 "Trained by mlpot %s (4G-HDNNP charges stage): %zu training and %zu validation structures, epoch %d\n"
                 "Units: eV, Angstrom, e\n%s RMSE: charges %.6g e",
                 mlpot_version(), t->data.n[TRAIN_SET], t->data.n[VALIDATION_SET], (int)row[0], which,
                 val ? row[19] : row[17]);
        nnp_model view = t->model;
        view.elec.nets = t->model.nets, view.nets = NULL;
        return nnp_model_write(&view, t->c->directory, comment, err);
    }
    snprintf(comment, sizeof comment,
             "Trained by mlpot %s: %zu training and %zu validation structures, epoch %d\n"
             "Units: those of the training data as read (eV and Angstrom unless converted from others)\n"
             "%s RMSE: energy %.6g per atom, forces %.6g",
             mlpot_version(), t->data.n[TRAIN_SET], t->data.n[VALIDATION_SET], (int)row[0], which, val ? row[10] : row[4],
             val ? row[12] : row[6]);
    return nnp_model_write(&t->model, t->c->directory, comment, err);
}

/* A fit started from another model's weights (model.initial_weights) also uses its scaling,
 * reference energies and normalisation, which the configuration names only by the folder: they
 * go into the fingerprint, so that a resume on a changed folder is refused. Its weights do not:
 * a resumed run takes them from the checkpoint, and the folder may be the one the run writes. */
static uint64_t adopted_fingerprint(uint64_t h, const nnp_model *m)
{
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        h = scaling_fingerprint(h, m, e); /* the inputs the weights see */
        h = train_fnv1a(h, &m->offset[e], sizeof(double));
    }
    const double normalisation[3] = {m->normalize ? m->mean_energy : 0.0, m->normalize ? m->conv_energy : 0.0,
                                     m->normalize ? m->conv_length : 0.0};
    return train_fnv1a(h, normalisation, sizeof normalisation);
}

/* --- optimisers ------------------------------------------------------------------------------ */

/* λ‖w‖² over the networks' weights and biases; the hardnesses of the charges stage (after the
 * networks) are physical parameters, not pulled towards zero. */
static double regularize(const trainer *t, const double *theta, double *grad)
{
    const double lambda = t->c->regularization;
    if (lambda == 0.0) return 0.0;
    double sum = 0.0;
    for (size_t k = 0; k < t->offsets[t->model.acsf.n_elements]; ++k) {
        sum += theta[k] * theta[k];
        if (grad) grad[k] += 2.0 * lambda * theta[k];
    }
    return lambda * sum;
}

static mlpot_status adam_epoch(trainer *t, double *epoch_loss, mlpot_error *err)
{
    train_state *s = &t->state;
    const size_t n = t->data.n[TRAIN_SET];
    for (size_t q = 0; q < n; ++q) t->order[q] = q;
    for (size_t q = n; q > 1; --q) {
        size_t j = (size_t)rng_below(&s->shuffle, q), tmp = t->order[q - 1];
        t->order[q - 1] = t->order[j], t->order[j] = tmp;
    }
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double loss = 0.0, weight = 0.0;
    for (size_t start = 0; start < n; start += (size_t)t->c->batch_size) {
        size_t count = n - start < (size_t)t->c->batch_size ? n - start : (size_t)t->c->batch_size;
        train_metrics m;
        memset(&m, 0, sizeof m);
        memset(t->grad, 0, t->n_params * sizeof *t->grad);
        mlpot_status st = train_batch(&t->batcher, t->data.set[TRAIN_SET], t->order + start, count, &m, t->grad, NULL, err);
        if (st) return st;
        hardness_chain_rule(t, s->theta, t->grad);
        loss += m.loss + m.weight * regularize(t, s->theta, t->grad), weight += m.weight;
        s->adam_t++;
        const double c1 = 1.0 / (1.0 - pow(b1, (double)s->adam_t)), c2 = 1.0 / (1.0 - pow(b2, (double)s->adam_t));
        for (size_t k = 0; k < t->n_params; ++k) {
            double g = t->grad[k];
            s->adam_m[k] = b1 * s->adam_m[k] + (1.0 - b1) * g;
            s->adam_v[k] = b2 * s->adam_v[k] + (1.0 - b2) * g * g;
            s->theta[k] -= s->lr * (s->adam_m[k] * c1) / (sqrt(s->adam_v[k] * c2) + eps);
        }
        params_set(t, s->theta);
        if (s->averaging) train_state_average(s, t->c->ema_decay);
    }
    *epoch_loss = loss / (weight > 0 ? weight : 1.0);
    return MLPOT_OK;
}

static lbfgsfloatval_t lbfgs_evaluate(void *instance, const lbfgsfloatval_t *x, lbfgsfloatval_t *g, const int n,
                                      const lbfgsfloatval_t step)
{
    (void)step;
    trainer *t = instance;
    params_set(t, x);
    memset(g, 0, (size_t)n * sizeof *g);
    train_metrics m;
    memset(&m, 0, sizeof m);
    if (t->eval_status == MLPOT_OK)
        t->eval_status =
            train_batch(&t->batcher, t->data.set[TRAIN_SET], NULL, t->data.n[TRAIN_SET], &m, g, NULL, &t->eval_err);
    if (t->eval_status) return INFINITY;
    hardness_chain_rule(t, x, g);
    return m.loss / (m.weight > 0 ? m.weight : 1.0) + regularize(t, x, g);
}

static mlpot_status lbfgs_epoch(trainer *t, double *epoch_loss, mlpot_error *err)
{
    lbfgs_parameter_t p;
    lbfgs_parameter_init(&p);
    p.max_iterations = t->c->lbfgs_iterations;
    p.epsilon = 1e-12;
    lbfgsfloatval_t *x = lbfgs_malloc((int)t->n_params), fx = 0;
    if (!x) return mlpot_fail_memory(err, "L-BFGS");
    memcpy(x, t->state.theta, t->n_params * sizeof *x);
    t->eval_status = MLPOT_OK;
    int ret = lbfgs((int)t->n_params, x, &fx, lbfgs_evaluate, NULL, t, &p);
    if (t->eval_status) {
        lbfgs_free(x);
        *err = t->eval_err;
        return t->eval_status;
    }
    /* the iteration limit, a converged minimum or a line search that cannot improve further all
     * end the epoch normally; x is the best point accepted */
    if (ret == LBFGSERR_OUTOFMEMORY) {
        lbfgs_free(x);
        return mlpot_fail_memory(err, "L-BFGS");
    }
    memcpy(t->state.theta, x, t->n_params * sizeof *x);
    lbfgs_free(x);
    params_set(t, t->state.theta);
    *epoch_loss = fx;
    return MLPOT_OK;
}

/* The step size the learning curve and progress report: Adam's rate, the Kalman filter's η. */
static double step_size(const trainer *t)
{
    return t->c->optimizer == TRAIN_KALMAN ? t->state.kalman_eta : t->state.lr;
}

/* The failure of a run whose parameters stopped being finite in `epoch` (update `update` of
 * `updates` when the Kalman filter noticed it), saying what the user still has: the model folder
 * holds the best epoch so far and the checkpoint the last finished one, both from before. */
static mlpot_status diverged(const trainer *t, int epoch, const char *what, size_t update, double updates,
                             mlpot_error *err)
{
    const train_state *s = &t->state;
    const enum train_optimizer o = t->c->optimizer;
    const int resumable = t->c->checkpoint && *t->c->checkpoint;
    const char *step = o == TRAIN_KALMAN ? "training.kalman_etamax" : o == TRAIN_ADAM ? "training.learning_rate" : NULL;
    char where[64] = "", checkpoint[96] = "", hint[128] = "check the labels and the loss weights";
    if (step) /* a resume may lower the step sizes (STEP_KEYS) */
        snprintf(hint, sizeof hint, resumable ? "--resume with a smaller %s goes on from the checkpoint" : "try a smaller %s", step);
    if (update > 0) snprintf(where, sizeof where, " (update %zu of %.0f)", update, updates);
    if (resumable) snprintf(checkpoint, sizeof checkpoint, " and the checkpoint of epoch %d", s->epoch);
    return mlpot_fail(err, MLPOT_ERR_NUMERIC, "%s diverged in epoch %d%s; kept: the model of epoch %d (the best before)%s; %s",
                      what, epoch, where, s->best_epoch, checkpoint, hint);
}

/* What a Kalman measurement fits. */
enum kalman_label { KALMAN_ENERGY = 0, KALMAN_FORCE = 1, KALMAN_STRESS = 2 };

/* n2p2's update schedule: per epoch energy_fraction × (structures with an energy) energy
 * updates and force_fraction × (force components) force updates, in random order; each update
 * takes a random candidate whose error is at least threshold × the last epoch's training RMSE,
 * or the largest of threshold_trials candidates. Errors and Jacobians are in units of the
 * labels' σ (and × √weight of the structure), so η is an inverse noise variance. n2p2 fits no
 * stress; here stress_fraction × (6 × periodic structures with a stress) stress updates join
 * them when the loss fits stresses, each a random component (no threshold). */
static mlpot_status kalman_draw(trainer *t, int label, size_t *structure, long *component, double *error,
                                mlpot_error *err)
{
    const mlpot_train_config *c = t->c;
    train_state *s = &t->state;
    const mlpot_structure *const *set = t->data.set[TRAIN_SET];
    const size_t n = t->data.n[TRAIN_SET];
    const double *last = s->rows + (size_t)(s->n_rows - 1) * TRAIN_ROW;
    const int force = label == KALMAN_FORCE;
    if (label == KALMAN_STRESS) {
        const uint64_t u = rng_below(&s->shuffle, 6 * (uint64_t)t->n_stress_candidates);
        *structure = t->stress_candidates[u / 6];
        *component = 3L * set[*structure]->n_atoms + (long)(u % 6);
        *error = 0.0; /* train_batch_jacobian measures it */
        return MLPOT_OK;
    }
    const double bar = force ? c->force_threshold * last[6] : c->energy_threshold * last[4];
    double best = -1.0;
    for (int trial = 0; trial < c->threshold_trials; ++trial) {
        size_t q;
        long k = -1;
        if (force) {
            const uint64_t u = rng_below(&s->shuffle, t->force_prefix[n]);
            size_t lo = 0, hi = n; /* the structure whose components hold u */
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (t->force_prefix[mid] <= u) lo = mid;
                else hi = mid;
            }
            q = lo, k = (long)(u - t->force_prefix[lo]);
        } else {
            q = t->energy_candidates[rng_below(&s->shuffle, t->n_energy_candidates)];
        }
        double e = 0.0;
        mlpot_status st = MLPOT_OK;
        if (bar > 0.0) st = train_batch_jacobian(&t->batcher, set[q], k, &e, NULL, err);
        if (st) return st;
        if (fabs(e) > best) best = fabs(e), *structure = q, *component = k, *error = e;
        if (!(bar > 0.0) || fabs(e) >= bar) break;
    }
    return MLPOT_OK;
}

static mlpot_status kalman_epoch(trainer *t, double *epoch_loss, mlpot_error *err)
{
    const mlpot_train_config *c = t->c;
    train_state *s = &t->state;
    const mlpot_structure *const *set = t->data.set[TRAIN_SET];
    const size_t n = t->data.n[TRAIN_SET];
    const size_t n_e = (size_t)llround(c->energy_fraction * (double)t->n_energy_candidates);
    const size_t n_f = t->w.use_forces ? (size_t)llround(c->force_fraction * (double)t->force_prefix[n]) : 0;
    const size_t n_s = t->w.use_stress ? (size_t)llround(c->stress_fraction * 6.0 * (double)t->n_stress_candidates) : 0;
    const size_t updates = n_e + n_f + n_s;
    *epoch_loss = NAN; /* end_epoch measures the training loss */
    if (updates == 0) return MLPOT_OK;
    unsigned char *kind = malloc(updates);
    if (!kind) return mlpot_fail_memory(err, "the Kalman filter's schedule");
    memset(kind, KALMAN_ENERGY, n_e), memset(kind + n_e, KALMAN_FORCE, n_f), memset(kind + n_e + n_f, KALMAN_STRESS, n_s);
    for (size_t q = updates; q > 1; --q) {
        size_t j = (size_t)rng_below(&s->shuffle, q);
        unsigned char tmp = kind[q - 1];
        kind[q - 1] = kind[j], kind[j] = tmp;
    }
    /* n2p2's annealing: qtau and etatau are per epoch (per update of m measurements) */
    const int batch = c->kalman_batch;
    const double n_updates = ceil((double)updates / batch);
    const double q_factor = exp(-c->kalman_qtau / n_updates), eta_factor = exp(c->kalman_etatau / n_updates);
    mlpot_status st = MLPOT_OK;
    double xi[TRAIN_KALMAN_MAX_M];
    for (size_t first = 0; first < updates && !st; first += (size_t)batch) {
        const int m = (int)(updates - first < (size_t)batch ? updates - first : (size_t)batch);
        for (int r = 0; r < m && !st; ++r) { /* the measurements, all at the current θ */
            const int label = kind[first + (size_t)r];
            double *h = t->jacobian + (size_t)r * t->n_params;
            size_t q = 0;
            long k = -1;
            double e = 0.0;
            st = kalman_draw(t, label, &q, &k, &e, err);
            if (!st) st = train_batch_jacobian(&t->batcher, set[q], k, &e, h, err);
            if (st) break;
            double sigma[3] = {c->energy_sigma, c->force_sigma, c->stress_sigma};
            train_structure_sigma(set[q], sigma);
            const double scale = sqrt(set[q]->weight) * (label == KALMAN_FORCE    ? c->force_weight / sigma[1]
                                                          : label == KALMAN_STRESS ? 1.0 / sigma[2]
                                                                                   : 1.0 / sigma[0]);
            for (size_t p = 0; p < t->n_params; ++p) h[p] *= scale;
            xi[r] = e * scale;
        }
        if (st) break;
        if (!train_kalman_update(&t->kalman, s->kalman_p, s->theta, t->jacobian, xi, m, s->kalman_eta, s->kalman_q)) {
            st = diverged(t, s->epoch + 1, "the Kalman filter", first / (size_t)batch + 1, n_updates, err);
            break; /* θ is as before the update; nothing to average or anneal */
        }
        params_set(t, s->theta);
        if (s->averaging) train_state_average(s, c->ema_decay);
        if (s->kalman_q > c->kalman_qmin) s->kalman_q = fmax(s->kalman_q * q_factor, c->kalman_qmin);
        if (s->kalman_eta < c->kalman_etamax) s->kalman_eta = fmin(s->kalman_eta * eta_factor, c->kalman_etamax);
    }
    train_kalman_flush(&t->kalman, s->kalman_p); /* the checkpoint holds the whole P */
    free(kind);
    return st;
}

/* The Kalman filter's candidates and covariance; P = I/ε for a new run (a resume reads it). */
static mlpot_status kalman_setup(trainer *t, mlpot_error *err)
{
    const mlpot_train_config *c = t->c;
    const mlpot_structure *const *set = t->data.set[TRAIN_SET];
    const size_t n = t->data.n[TRAIN_SET];
    if (c->stage != TRAIN_STAGE_ENERGY)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "training.optimizer kalman fits energies and forces; the charges "
                                                   "stage uses adam or lbfgs");
    t->energy_candidates = calloc(n + 1, sizeof *t->energy_candidates);
    t->force_prefix = calloc(n + 1, sizeof *t->force_prefix);
    t->stress_candidates = calloc(n + 1, sizeof *t->stress_candidates);
    t->jacobian = calloc(t->n_params * (size_t)c->kalman_batch + 1, sizeof *t->jacobian);
    if (!t->energy_candidates || !t->force_prefix || !t->stress_candidates || !t->jacobian ||
        !train_kalman_init(&t->kalman, t->offsets, t->model.acsf.n_elements, c->kalman_decoupled, c->kalman_batch))
        return mlpot_fail_memory(err, "the Kalman filter");
    for (size_t q = 0; q < n; ++q) { /* a structure of weight 0 brings no measurement */
        const int counts = set[q]->weight > 0;
        if (counts && (set[q]->labels & MLPOT_LABEL_ENERGY)) t->energy_candidates[t->n_energy_candidates++] = q;
        if (counts && train_structure_has_stress(set[q])) t->stress_candidates[t->n_stress_candidates++] = q;
        const size_t comps = counts && (set[q]->labels & MLPOT_LABEL_FORCES) ? 3 * (size_t)set[q]->n_atoms : 0;
        t->force_prefix[q + 1] = t->force_prefix[q] + comps;
    }
    if (t->n_energy_candidates == 0 && c->energy_fraction > 0)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "training.energy_fraction > 0, but no training structure has an energy");
    if (t->force_prefix[n] == 0 && c->use_forces && c->force_fraction > 0)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "training.force_fraction > 0, but no training structure has forces");
    train_state *s = &t->state;
    s->kalman_n = train_kalman_size(&t->kalman);
    if (s->kalman_n > ((size_t)1 << 40) / sizeof(double) || !(s->kalman_p = malloc(s->kalman_n * sizeof *s->kalman_p)))
        return mlpot_fail(err, MLPOT_ERR_MEMORY,
                          "the Kalman filter's covariance needs %.3g GB (the square of the parameters per block); use "
                          "smaller networks, fewer symmetry functions, training.kalman_decoupled, or lbfgs",
                          (double)s->kalman_n * sizeof(double) / 1e9);
    train_kalman_reset(&t->kalman, s->kalman_p, c->kalman_epsilon);
    s->kalman_q = c->kalman_q0, s->kalman_eta = c->kalman_eta;
    return MLPOT_OK;
}

/* Names in note the validation structures that carry most of the kept model's validation
 * loss: the worst twentieth (at least one) when they carry more than half of it, with ten or
 * more structures. Then the mean loss chose the model by those few, often frames outside the
 * training set's range; the note suggests the median (or says it was used). */
static mlpot_status note_dominant_validation(trainer *t, char *note, size_t size, mlpot_error *err)
{
    note[0] = '\0';
    const size_t n = t->data.n[VALIDATION_SET];
    if (n < 10) return MLPOT_OK;
    train_metrics m;
    mlpot_status st = evaluate(t, VALIDATION_SET, &m, t->validation_losses, err);
    if (st) return st;
    const double median = validation_median(t, 0.0); /* before share takes its space */
    const mlpot_structure *const *set = t->data.set[VALIDATION_SET];
    double *share = t->validation_losses + n; /* w_s L_s, sorted */
    for (size_t q = 0; q < n; ++q) share[q] = set[q]->weight * t->validation_losses[q];
    qsort(share, n, sizeof *share, compare_doubles);
    const size_t worst = n / 20 > 0 ? n / 20 : 1;
    double top = 0.0;
    for (size_t q = n - worst; q < n; ++q) top += share[q];
    if (!(m.loss > 0) || !(top > 0.5 * m.loss)) return MLPOT_OK;
    const double threshold = share[n - worst]; /* the worst structures' smallest w_s L_s */
    int used = snprintf(note, size, "%.0f %% of the kept model's validation loss is in %zu of %zu structures (",
                        100.0 * top / m.loss, worst, n);
    for (size_t q = 0, named = 0; q < n && named < worst && used > 0 && (size_t)used < size; ++q) {
        if (set[q]->weight * t->validation_losses[q] < threshold) continue;
        used += snprintf(note + used, size - (size_t)used, "%s%s:%ld, loss %.3g", named++ ? "; " : "",
                         set[q]->source ? set[q]->source : "?", set[q]->source_line, t->validation_losses[q]);
    }
    if (used > 0 && (size_t)used < size)
        snprintf(note + used, size - (size_t)used, "; the median is %.3g): %s", median,
                 t->c->selection == TRAIN_SELECT_MEDIAN
                     ? "training.selection is median, so they did not choose the model"
                     : "the mean chose the model by these few; training.selection: median lets the bulk choose it");
    return MLPOT_OK;
}

/* --- the run --------------------------------------------------------------------------------- */

/* Evaluates training and validation errors, records the row, keeps the best parameters,
 * writes the learning curve, model and checkpoint, and reports. */
static mlpot_status end_epoch(trainer *t, int epoch, double loss, double epoch_s, mlpot_train_callback cb, void *user,
                              const char *message, mlpot_error *err)
{
    train_state *s = &t->state;
    /* the model of this epoch: the parameters, or their moving average (training.ema_decay) */
    const double *model = s->averaging ? s->average : s->theta;
    train_metrics tm, vm;
    if (s->averaging) params_set(t, model); /* the networks hold θ between epochs */
    mlpot_status st = evaluate(t, TRAIN_SET, &tm, NULL, err);
    if (!st) st = evaluate(t, VALIDATION_SET, &vm, t->validation_losses, err);
    if (s->averaging) params_set(t, s->theta);
    if (st) return st;
    const int has_val = t->data.n[VALIDATION_SET] > 0;
    const double mean_loss = has_val ? vm.loss / vm.weight : tm.loss / tm.weight;
    /* a NaN in one structure fails the mean, also where the median would hide it */
    const double val_loss = has_val && t->c->selection == TRAIN_SELECT_MEDIAN && isfinite(mean_loss)
                                ? validation_median(t, mean_loss)
                                : mean_loss;
    if (epoch == 0 || isnan(loss)) loss = tm.loss / tm.weight + regularize(t, model, NULL); /* Kalman: measured */
    if (epoch == 0 && !(isfinite(loss) && isfinite(val_loss)))
        return mlpot_fail(err, MLPOT_ERR_NUMERIC,
                          "the untrained model's loss is not finite (training %g, validation %g), so no training "
                          "step was taken and nothing was written: are the labels in eV and eV/Å, with no absurd "
                          "magnitudes?",
                          loss, val_loss);
    if (!isfinite(loss) || !isfinite(val_loss))
        return diverged(t, epoch, "training", 0, 0.0, err);
    mlpot_train_errors te = train_metrics_errors(&tm, -1), ve = train_metrics_errors(&vm, -1);
    double row[TRAIN_ROW];
    const double rate = step_size(t);
    row[0] = epoch, row[1] = t->t_before + (seconds() - t->t_start), row[2] = loss, row[3] = rate;
    errors_into(row + 4, &te);
    errors_into(row + 10, &ve);
    row[16] = val_loss;
    row[17] = te.charge_rmse, row[18] = te.charge_mae, row[19] = ve.charge_rmse, row[20] = ve.charge_mae;
    if ((st = train_state_add_row(s, row, err))) return st;
    const int improved = epoch == 0 || val_loss < s->best_loss;
    if (improved) {
        s->best_loss = val_loss, s->stop_wait = 0, s->lr_wait = 0;
    } else {
        s->stop_wait++, s->lr_wait++;
        if (t->c->optimizer == TRAIN_ADAM && s->lr_wait >= t->c->lr_patience) {
            s->lr = fmax(s->lr * t->c->lr_decay, fmin(t->c->lr_min, s->lr)); /* never up to lr_min */
            s->lr_wait = 0;
        }
    }
    if (improved || t->c->keep_last) { /* the model kept: best_epoch names it */
        s->best_epoch = epoch;
        memcpy(s->best, model, t->n_params * sizeof *s->best);
        if ((st = write_model(t, s->best, row, err))) return st;
        params_set(t, s->theta);
    }
    s->epoch = epoch;
    if ((st = write_learning_curve(t, err))) return st;
    if (t->c->checkpoint && *t->c->checkpoint && (st = train_checkpoint_write(t->c->checkpoint, t->fingerprint, s, err)))
        return st;
    if (cb) {
        mlpot_train_progress p = {epoch, t->c->epochs, loss, te, ve, rate, row[1], epoch_s, s->best_epoch, message};
        cb(&p, user);
    }
    return MLPOT_OK;
}

static void trainer_free(trainer *t)
{
    train_batcher_free(&t->batcher);
    train_state_free(&t->state);
    nnp_model_free(&t->model);
    train_data_free(&t->data);
    free(t->grad), free(t->order), free(t->validation_losses);
    train_kalman_free(&t->kalman);
    free(t->jacobian), free(t->energy_candidates), free(t->force_prefix), free(t->stress_candidates);
}

mlpot_status mlpot_train(const mlpot_train_config *c, mlpot_train_callback cb, void *user, mlpot_train_report *report,
                         mlpot_error *err)
{
    trainer t;
    memset(&t, 0, sizeof t);
    t.c = c;
    t.r_lower = t.closest_pair = NAN;
    t.t_start = seconds();
    if (report) memset(report, 0, sizeof *report), report->radial_r_lower = report->closest_pair = NAN;
    mlpot_status st = train_data_load(&t.data, c, err);
    if (st) return st;
    if (t.data.n_elements > TRAIN_MAX_ELEMENTS) {
        trainer_free(&t);
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%d elements; training supports up to %d", t.data.n_elements,
                          TRAIN_MAX_ELEMENTS);
    }
    t.w.energy = 1.0 / (c->energy_sigma * c->energy_sigma);
    t.w.force = 1.0 / (c->force_sigma * c->force_sigma);
    t.w.stress = 1.0 / (c->stress_sigma * c->stress_sigma);
    t.w.use_forces = c->use_forces, t.w.use_stress = c->use_stress;
    t.w.sigma[0] = c->energy_sigma, t.w.sigma[1] = c->force_sigma, t.w.sigma[2] = c->stress_sigma;
    if (c->use_stress && c->stage == TRAIN_STAGE_ENERGY) {
        int any = 0;
        for (size_t q = 0; q < t.data.n[TRAIN_SET]; ++q)
            any |= (t.data.set[TRAIN_SET][q]->labels & (MLPOT_LABEL_STRESS | MLPOT_LABEL_VIRIAL)) != 0;
        if (!any) st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "loss.stress is on, but no training structure has a stress or virial");
    }
    t.w.stage = c->stage, t.w.charge = 1.0 / (c->charge_sigma * c->charge_sigma);
    if (!st && c->stage == TRAIN_STAGE_CHARGES && c->electrostatics && *c->electrostatics)
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "model.electrostatics is for the short-range stage (training.stage: energy)");
    if (!st && c->stage == TRAIN_STAGE_CHARGES) t.w.use_forces = t.w.use_stress = 0;
    if (!st && (c->stage == TRAIN_STAGE_CHARGES || (c->electrostatics && *c->electrostatics))) st = check_4g_units(c, err);
    if (!st && c->initial_weights && *c->initial_weights &&
        (c->stage == TRAIN_STAGE_CHARGES || (c->electrostatics && *c->electrostatics)))
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "model.initial_weights starts the networks of a 2G model; the stages of a "
                                                 "4G model start from random weights");
    if (!st && c->electrostatics && *c->electrostatics) st = setup_short_4g(&t, err);
    else if (!st) st = setup_model(&t, err);
    if (!st && c->stage == TRAIN_STAGE_CHARGES) st = setup_charges(&t, err);
    if (!st) st = train_batcher_init(&t.batcher, &t.model, t.offsets, t.n_params, &t.w, (size_t)c->cache_memory << 20, err);
    if (!st) st = train_state_init(&t.state, t.n_params, err);
    if (!st) {
        t.grad = calloc(t.n_params + 1, sizeof *t.grad);
        t.order = calloc(t.data.n[TRAIN_SET] + 1, sizeof *t.order);
        t.validation_losses = calloc(2 * t.data.n[VALIDATION_SET] + 1, sizeof *t.validation_losses);
        if (!t.grad || !t.order || !t.validation_losses) st = mlpot_fail_memory(err, "training");
    }
    if (!st && c->optimizer == TRAIN_KALMAN) st = kalman_setup(&t, err);
    if (!st && c->ema_decay > 0.0 && c->optimizer == TRAIN_LBFGS)
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "training.ema_decay averages the noisy steps of adam and kalman; lbfgs "
                                                 "ends each epoch at a minimum of its own (set ema_decay to 0)");
    /* the filter updates from the measurements alone (as n2p2's does): a penalty it would not
     * apply is refused rather than reported in the loss and ignored in the steps */
    if (!st && c->regularization > 0.0 && c->optimizer == TRAIN_KALMAN)
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT, "loss.regularization is applied by adam and lbfgs; the kalman filter "
                                                 "updates from the measurements alone (set regularization to 0 or "
                                                 "choose another optimizer)");
    if (st) {
        trainer_free(&t);
        return st;
    }
    t.fingerprint = fingerprint(c, 0);
    uint64_t legacy = fingerprint(c, 1);
    if (c->electrostatics && *c->electrostatics) {
        t.fingerprint = folder_fingerprint(t.fingerprint, &t.model);
        legacy = folder_fingerprint(legacy, &t.model);
    }
    if (c->initial_weights && *c->initial_weights) t.fingerprint = adopted_fingerprint(t.fingerprint, &t.model);
    train_state *s = &t.state;
    params_get(&t, s->theta);
    memcpy(s->average, s->theta, t.n_params * sizeof *s->average); /* epoch 0's model; the first step replaces it */
    s->averaging = c->ema_decay > 0.0;
    s->lr = c->learning_rate;
    rng_seed(&s->shuffle, c->seed, 3);
    char note[512];
    if (c->resume) {
        /* what the interrupted run was writing when killed (its files are whole: atomic) */
        atomic_file_sweep(c->checkpoint), atomic_file_sweep(c->learning_curve), atomic_file_sweep_folder(c->directory);
        st = train_checkpoint_read(c->checkpoint, (const uint64_t[2]){t.fingerprint, legacy}, s, err);
        if (!st) {
            /* a lowered step size takes over from here; with the same configuration these change
             * nothing, as Adam's rate only decays from learning_rate and η only rises to etamax
             * (n2p2's schedule: an initial η above etamax stays where it is) */
            s->lr = fmin(s->lr, c->learning_rate);
            s->kalman_eta = fmin(s->kalman_eta, fmax(c->kalman_etamax, c->kalman_eta));
            params_set(&t, s->theta);
            t.t_before = s->rows[(size_t)(s->n_rows - 1) * TRAIN_ROW + 1]; /* the curve's time goes on */
            st = write_learning_curve(&t, err); /* drops rows written after the checkpoint */
            snprintf(note, sizeof note, "resumed from %s after epoch %d", c->checkpoint, s->epoch);
            if (!st && cb) {
                const double *row = s->rows + (size_t)(s->n_rows - 1) * TRAIN_ROW;
                mlpot_train_progress p = {s->epoch, c->epochs, row[2],
                                          {row[4], row[5], row[6], row[7], row[8], row[9], row[17], row[18]},
                                          {row[10], row[11], row[12], row[13], row[14], row[15], row[19], row[20]},
                                          step_size(&t), 0.0, 0.0, s->best_epoch, note};
                cb(&p, user);
            }
        }
    } else {
        st = end_epoch(&t, 0, 0.0, 0.0, cb, user, NULL, err);
    }
    for (int epoch = s->epoch + 1; !st && epoch <= c->epochs; ++epoch) {
        if (c->early_stopping > 0 && s->stop_wait >= c->early_stopping) break; /* also after a resume */
        double t0 = seconds(), loss = 0.0;
        st = c->optimizer == TRAIN_LBFGS    ? lbfgs_epoch(&t, &loss, err)
             : c->optimizer == TRAIN_KALMAN ? kalman_epoch(&t, &loss, err)
                                            : adam_epoch(&t, &loss, err);
        if (!st) st = end_epoch(&t, epoch, loss, seconds() - t0, cb, user, NULL, err);
    }
    if (!st) { /* final model: the best validation epoch; test errors */
        params_set(&t, s->best);
        train_metrics m;
        st = evaluate(&t, TEST_SET, &m, NULL, err);
        if (!st && report) st = note_dominant_validation(&t, report->validation_note, sizeof report->validation_note, err);
        if (!st && report) {
            report->n_train = (int)t.data.n[TRAIN_SET], report->n_validation = (int)t.data.n[VALIDATION_SET];
            report->n_test = (int)t.data.n[TEST_SET];
            report->epochs_run = s->epoch, report->best_epoch = s->best_epoch;
            report->test = train_metrics_errors(&m, -1);
            report->n_elements = t.model.acsf.n_elements;
            for (int e = 0; e < t.model.acsf.n_elements; ++e) {
                report->elements[e] = t.model.acsf.z[e];
                report->test_by_element[e] = train_metrics_errors(&m, e);
            }
            report->n_parameters = (int)t.n_params;
            report->radial_r_lower = t.r_lower, report->closest_pair = t.closest_pair;
            report->seconds = seconds() - t.t_start;
            report->seconds_all = t.t_before + report->seconds;
        }
        if (!st) st = write_model(&t, s->best, s->rows + (size_t)s->best_epoch * TRAIN_ROW, err);
        /* a file the killed run was writing for the first time is there now: its temporary too */
        if (!st && c->resume) atomic_file_sweep_folder(c->directory);
    }
    trainer_free(&t);
    return st;
}
