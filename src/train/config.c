/* Training configuration: one table of keys (name, kind, default, meaning) drives defaults,
 * setting from text, the YAML reader and the self-describing dump. */
#include "train/config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/error.h"
#include "core/memory.h"
#include "core/nearest.h"
#include "descriptors/acsf_scaling.h"
#include "models/network.h"
#include "train/loss.h"

enum kind {
    K_REAL, K_REAL_AUTO, K_INT, K_BOOL, K_SEED, K_STRING, K_FILES, K_REALS, K_INTS, K_FORMAT, K_EUNIT, K_LUNIT, K_ACTIVATION,
    K_OPTIMIZER, K_STAGE, K_SELECTION, K_SCALING, K_WIDTHS, K_REFERENCES
};

/* model.scaling's names of n2p2's scaling types (enum acsf_scaling_type) */
static const char *const SCALING_NAMES[] = {[ACSF_SCALE_NONE] = "none", [ACSF_SCALE] = "scale",
                                            [ACSF_CENTER] = "center", [ACSF_SCALE_CENTER] = "scale_center",
                                            [ACSF_SCALE_SIGMA] = "sigma"};

const char *train_scaling_name(int type)
{
    return type >= 0 && type < (int)(sizeof SCALING_NAMES / sizeof *SCALING_NAMES) ? SCALING_NAMES[type] : "?";
}

typedef struct key {
    const char *name;
    int kind;
    size_t offset, count_offset; /* count_offset: counted lists */
    const char *value;           /* default, as text */
    double min, max;             /* numbers */
    const char *help;
} key;

#define AT(f) offsetof(struct mlpot_train_config, f)
#define ANY -INFINITY, INFINITY

static const key KEYS[] = {
    {"data.train", K_FILES, AT(train), 0, "", ANY, "training data files (extxyz, n2p2 input.data, DeePMD folder, npz)"},
    {"data.validation", K_FILES, AT(validation), 0, "", ANY, "validation files; empty: a fraction of the training data"},
    {"data.test", K_FILES, AT(test), 0, "", ANY, "test files, reported at the end; empty: a fraction of the training data"},
    {"data.validation_fraction", K_REAL, AT(validation_fraction), 0, "0.1", 0, 0.9, "of the training structures, when no validation files"},
    {"data.test_fraction", K_REAL, AT(test_fraction), 0, "0", 0, 0.9, "of the training structures, when no test files"},
    {"data.format", K_FORMAT, AT(format), 0, "auto", ANY, "auto, extxyz, n2p2, deepmd, npz"},
    {"data.energy_unit", K_EUNIT, AT(energy_unit), 0, "auto", ANY, "energy unit of the files (auto: the format's; eV, Hartree, kcal/mol, ...); the model is in eV"},
    {"data.length_unit", K_LUNIT, AT(length_unit), 0, "auto", ANY, "length unit of the files (auto: the format's; Angstrom, Bohr, nm)"},
    {"data.energy_key", K_STRING, AT(energy_key), 0, "", ANY, "extxyz info key of the energy (empty: energy, else free_energy)"},
    {"data.forces_key", K_STRING, AT(forces_key), 0, "", ANY, "extxyz column of the forces (empty: forces, else force)"},
    {"data.stress_key", K_STRING, AT(stress_key), 0, "", ANY, "extxyz info key of the stress (empty: stress, else virial)"},
    {"model.symmetry_functions", K_STRING, AT(symmetry_functions), 0, "auto", ANY, "auto (generated from the grid below) or an n2p2 input.nn (or its folder) to take them from"},
    {"model.cutoff", K_REAL, AT(cutoff), 0, "6.0", 0.5, 30, "cutoff radius, Angstrom"},
    {"model.cutoff_type", K_INT, AT(cutoff_type), 0, "6", 0, 8, "n2p2 cutoff function: 1 cos, 2 tanhU, 3 tanh, 4 exp, 5-8 poly1-poly4"},
    {"model.cutoff_alpha", K_REAL, AT(cutoff_alpha), 0, "0", 0, 0.99, "inner shift of the cutoff function, fraction of the cutoff"},
    {"model.radial_count", K_INT, AT(n_radial), 0, "8", 1, 64, "radial functions per neighbour element (shifted Gaussian grid)"},
    {"model.radial_r_lower", K_REAL_AUTO, AT(r_lower), 0, "0.5", 0, 30, "inner edge of the radial (and shifted angular) grid, Angstrom; auto: one grid spacing below the closest pair of the training structures, so that no function sits wholly inside the shortest distance the data sample (nnp-sfparamgen's r_lower, chosen from the data)"},
    {"model.angular_eta_count", K_INT, AT(n_eta), 0, "3", 0, 16, "angular widths per neighbour pair (0: no angular functions)"},
    {"model.angular_zetas", K_REALS, AT(zetas), AT(n_zetas), "1, 4, 16", 1, 1000, "angular exponents zeta (each with lambda = -1 and +1)"},
    {"model.angular_shifted", K_BOOL, AT(angular_shifted), 0, "false", ANY, "angular functions on a shifted grid (n2p2 nnp-sfparamgen's shifted mode: angular_eta_count centres r_s from radial_r_lower on, widths their spacing) instead of centred widths (r_s = 0); with angular_type 9 on Zuo et al.'s data both grids do as well on Li, the shifted one better on Mo's forces and on Si"},
    {"model.angular_type", K_INT, AT(angular_type), 0, "3", 3, 9, "3: narrow (r_jk within the cutoff too: misses the angles whose outer pair lies beyond it, e.g. the 109.5 and 180 degree angles of the first shell in bcc metals at a 5 A cutoff), 9: wide (every pair of neighbours; on Zuo et al.'s Li, Mo and Si force errors a sixth to a third lower than with 3, bench/README.md)"},
    {"model.hidden_layers", K_INTS, AT(hidden), AT(n_hidden), "25, 25", 1, 10000, "neurons of each hidden layer"},
    {"model.activation", K_ACTIVATION, AT(activation), 0, "t", ANY, "hidden-layer activation, an n2p2 letter or name: t tanh, s logistic, p softplus, g gaussian, c cos, ...; on Zuo et al.'s Si and Mo softplus gave lower force errors than tanh (bench/README.md)"},
    {"model.scaling", K_SCALING, AT(scaling), 0, "scale_center", ANY, "network inputs from the symmetry functions G, as n2p2's keywords: scale_center (scale_symmetry_functions and center_symmetry_functions: scale_min + (scale_max - scale_min)(G - mean)/(max - min)), scale ((G - min) onto scale_min..scale_max), center (G - mean), sigma (scale_symmetry_functions_sigma: scale_min + (scale_max - scale_min)(G - mean)/sigma, a standardisation that outliers in the training set do not compress), none"},
    {"model.scale_min", K_REAL, AT(scale_min), 0, "-1", ANY, "scaled symmetry functions range from scale_min ..."},
    {"model.scale_max", K_REAL, AT(scale_max), 0, "1", ANY, "... to scale_max (with sigma: the scaled functions have mean scale_min and standard deviation scale_max - scale_min)"},
    {"model.reference_energies", K_REFERENCES, 0, 0, "fit", ANY, "per-element energies subtracted before the networks: fit (least squares on composition) or El=value, ..."},
    {"model.initial_weights", K_STRING, AT(initial_weights), 0, "", ANY, "a model folder (mlpot train's or n2p2's) whose network weights the fit starts from instead of random ones, e.g. to go on with more data (n2p2's use_old_weights_short): it must have the same elements, symmetry functions, layers, activation and scaling type as this configuration, and its scaling statistics, reference energies and normalisation are kept, so that its weights mean what they meant (empty: random weights from the seed)"},
    {"model.charge_widths", K_WIDTHS, 0, 0, "", ANY, "4G-HDNNP charges stage: Gaussian charge width sigma per element, Angstrom (El=value, ...; n2p2's fixed_gausswidth, e.g. covalent radii)"},
    {"model.initial_hardness", K_REAL, AT(initial_hardness), 0, "10", 1e-6, 1e6, "4G-HDNNP charges stage: starting hardness J of every element, eV/e^2 (fitted)"},
    {"model.screening", K_REALS, AT(screening), AT(n_screening), "", 0, 1000, "4G-HDNNP charges stage: inner, outer radius of n2p2's cosine screening of the electrostatic energy, Angstrom (empty: none)"},
    {"model.ewald_accuracy", K_REAL, AT(ewald_accuracy), 0, "1e-6", 1e-14, 0.1, "4G-HDNNP charges stage: Ewald truncation accuracy of periodic structures (n2p2's ewald_prec, Jackson-Catlow parameters)"},
    {"model.electrostatics", K_STRING, AT(electrostatics), 0, "", ANY, "4G-HDNNP short-range stage: the model folder of the charges stage (its symmetry functions, scaling, electronegativity networks and hardnesses are kept; the model options above are not used)"},
    {"loss.energy_sigma", K_REAL, AT(energy_sigma), 0, "0.001", 1e-12, INFINITY, "noise level of energies per atom (weight 1/sigma^2), eV; a frame's own extxyz energy_sigma (eV, of its whole energy, as gap_fit reads it) overrides it"},
    {"loss.force_sigma", K_REAL, AT(force_sigma), 0, "0.05", 1e-12, INFINITY, "noise level of force components, eV/Angstrom; a frame's own extxyz force_sigma overrides it"},
    {"loss.stress_sigma", K_REAL, AT(stress_sigma), 0, "0.001", 1e-12, INFINITY, "noise level of stress components, eV/Angstrom^3; a frame's own extxyz virial_sigma (eV, as gap_fit reads it: sigma = virial_sigma/V) overrides it"},
    {"loss.charge_sigma", K_REAL, AT(charge_sigma), 0, "0.01", 1e-12, INFINITY, "noise level of reference charges (4G charges stage), e"},
    {"loss.forces", K_BOOL, AT(use_forces), 0, "true", ANY, "fit forces"},
    {"loss.stress", K_BOOL, AT(use_stress), 0, "false", ANY, "fit stress (periodic structures with a stress or virial label)"},
    {"loss.regularization", K_REAL, AT(regularization), 0, "0", 0, INFINITY, "lambda of the L2 penalty on the networks' weights and biases (adam and lbfgs; the kalman filter has none)"},
    {"training.stage", K_STAGE, AT(stage), 0, "energy", ANY, "energy: fit energies/forces/stress (a 2G model, or the short-range networks of a 4G model given model.electrostatics); charges: fit a 4G model's electronegativity networks and hardnesses to reference charges (n2p2's stage 1)"},
    {"training.optimizer", K_OPTIMIZER, AT(optimizer), 0, "adam", ANY, "adam (mini-batches), lbfgs (full batch) or kalman (n2p2's extended Kalman filter: one energy, force or stress component per measurement)"},
    {"training.epochs", K_INT, AT(epochs), 0, "100", 0, 10000000, "passes over the training data"},
    {"training.batch_size", K_INT, AT(batch_size), 0, "8", 1, 1000000, "structures per Adam step"},
    {"training.learning_rate", K_REAL, AT(learning_rate), 0, "0.001", 1e-12, 10, "Adam step size (a --resume may lower it; a higher one has no effect there, as the rate only decays)"},
    {"training.lr_decay", K_REAL, AT(lr_decay), 0, "0.5", 0.01, 1, "learning rate factor when the validation loss stalls"},
    {"training.lr_patience", K_INT, AT(lr_patience), 0, "10", 1, 1000000, "epochs without improvement before the learning rate decays"},
    {"training.lr_min", K_REAL, AT(lr_min), 0, "1e-6", 0, 10, "smallest learning rate"},
    {"training.lbfgs_iterations", K_INT, AT(lbfgs_iterations), 0, "20", 1, 100000, "L-BFGS iterations per epoch (its history restarts each epoch)"},
    {"training.kalman_decoupled", K_BOOL, AT(kalman_decoupled), 0, "true", ANY, "Kalman: one error covariance block per element's network (decoupled filter, memory and time sum of squares of the networks' sizes) instead of one for all parameters"},
    {"training.kalman_batch", K_INT, AT(kalman_batch), 0, "1", 1, 64, "Kalman: measurements per update, evaluated at the same parameters (n2p2's task batch); the cost per measurement falls about this-fold on large networks"},
    {"training.kalman_epsilon", K_REAL, AT(kalman_epsilon), 0, "0.01", 1e-12, 1e12, "Kalman: initial error covariance P = I/epsilon (n2p2's kalman_epsilon)"},
    {"training.kalman_q0", K_REAL, AT(kalman_q0), 0, "0.01", 0, 1e6, "Kalman: initial process noise q (n2p2's kalman_q0)"},
    {"training.kalman_qtau", K_REAL, AT(kalman_qtau), 0, "2.302", 0, 1e6, "Kalman: q falls by exp(-qtau) per epoch (2.302: tenfold) ..."},
    {"training.kalman_qmin", K_REAL, AT(kalman_qmin), 0, "1e-6", 0, 1e6, "Kalman: ... down to qmin"},
    {"training.kalman_eta", K_REAL, AT(kalman_eta), 0, "0.01", 1e-12, 1e12, "Kalman: initial eta, the inverse measurement noise in units of the labels' sigma (n2p2's kalman_eta)"},
    {"training.kalman_etatau", K_REAL, AT(kalman_etatau), 0, "2.302", 0, 1e6, "Kalman: eta rises by exp(etatau) per epoch ..."},
    {"training.kalman_etamax", K_REAL, AT(kalman_etamax), 0, "1", 1e-12, 1e12, "Kalman: ... up to etamax (a --resume may change it; eta then rises to it or drops to it at once)"},
    {"training.energy_fraction", K_REAL, AT(energy_fraction), 0, "1", 0, 1000, "Kalman: energy updates per epoch, as a fraction of the training structures (n2p2's short_energy_fraction)"},
    {"training.force_fraction", K_REAL, AT(force_fraction), 0, "0.02", 0, 1000, "Kalman: force updates per epoch, as a fraction of the training force components (n2p2's short_force_fraction)"},
    {"training.stress_fraction", K_REAL, AT(stress_fraction), 0, "1", 0, 1000, "Kalman, with loss.stress: stress updates per epoch, as a fraction of the training stress components (6 per periodic structure with a stress or virial label; n2p2 fits none)"},
    {"training.force_weight", K_REAL, AT(force_weight), 0, "1", 1e-12, 1e12, "Kalman: factor on force errors and their Jacobians, beyond the 1/sigma scaling (n2p2's force_weight)"},
    {"training.energy_threshold", K_REAL, AT(energy_threshold), 0, "0", 0, 1000, "Kalman: an energy candidate is used when its error is at least this times the last training RMSE ..."},
    {"training.force_threshold", K_REAL, AT(force_threshold), 0, "0", 0, 1000, "Kalman: ... likewise for a force component (n2p2's short_force_error_threshold) ..."},
    {"training.threshold_trials", K_INT, AT(threshold_trials), 0, "3", 1, 1000, "Kalman: ... else the largest error of this many random candidates (n2p2's rmse_threshold_trials)"},
    {"training.cache_memory", K_INT, AT(cache_memory), 0, "4096", 0, 10000000, "MB of symmetry functions and their derivatives kept between epochs (0: recompute every pass; results are the same); a 4G model also keeps per structure its Coulomb matrix or its charges' Jacobian, dense: 8 N^2 or 24 N^2 bytes for N atoms"},
    {"training.ema_decay", K_REAL, AT(ema_decay), 0, "0", 0, 0.99999, "decay d of an exponential moving average of the parameters over the Kalman updates or Adam steps (MACE's and NequIP's ema_decay; 0: none): the average, not the last step, is validated (the learning curve's errors are its), kept and written, which smooths the steps' noise; d = 1 - 1/(updates per epoch) averages over about one epoch"},
    {"training.early_stopping", K_INT, AT(early_stopping), 0, "0", 0, 1000000, "stop after this many epochs without a better validation loss (0: never)"},
    {"training.selection", K_SELECTION, AT(selection), 0, "mean", ANY, "mean: the model kept, early stopping and Adam's rate steps follow the (weighted) mean validation loss; median: the median of the validation structures' losses, which a few structures far outside the training set cannot dominate"},
    {"training.keep_last", K_BOOL, AT(keep_last), 0, "false", ANY, "keep the model of the last epoch instead of the one of lowest validation loss (training loss without validation): for a refit on all the data for an epoch count chosen beforehand, where a noisy loss would keep an accidental early epoch; early stopping and Adam's rate steps still follow the loss"},
    {"training.seed", K_SEED, AT(seed), 0, "1", ANY, "seed of every random choice (split, initial weights, batches)"},
    {"training.resume", K_BOOL, AT(resume), 0, "false", ANY, "continue from output.checkpoint"},
    {"output.directory", K_STRING, AT(directory), 0, "nnp-model", ANY, "folder of the n2p2 model written (the best validation epoch, or the last with training.keep_last)"},
    {"output.learning_curve", K_STRING, AT(learning_curve), 0, "learning_curve.csv", ANY, "CSV of errors per epoch, with the seconds since training began, resumed runs included (empty: none)"},
    {"output.checkpoint", K_STRING, AT(checkpoint), 0, "train.checkpoint", ANY, "checkpoint written after every epoch (empty: none)"},
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static void list_free(string_list *l)
{
    for (int k = 0; k < l->n; ++k) free(l->items[k]);
    free(l->items);
    l->items = NULL, l->n = 0;
}

void mlpot_train_config_free(mlpot_train_config *c)
{
    if (!c) return;
    list_free(&c->train), list_free(&c->validation), list_free(&c->test);
    free(c->energy_key), free(c->forces_key), free(c->stress_key), free(c->symmetry_functions), free(c->electrostatics);
    free(c->initial_weights);
    free(c->directory), free(c->learning_curve), free(c->checkpoint);
    free(c);
}

mlpot_status mlpot_train_config_create(mlpot_train_config **out, mlpot_error *err)
{
    *out = NULL;
    mlpot_train_config *c = calloc(1, sizeof *c);
    if (!c) return mlpot_fail_memory(err, "creating a training configuration");
    for (size_t k = 0; k < N_KEYS; ++k) {
        mlpot_status st = mlpot_train_config_set(c, KEYS[k].name, KEYS[k].value, err);
        if (st) {
            mlpot_train_config_free(c);
            return st;
        }
    }
    *out = c;
    return MLPOT_OK;
}

/* Splits a list value at commas and white space into words (in place). */
static int split_list(char *text, char **words, int max)
{
    int n = 0;
    for (char *p = strtok(text, ", \t\n[]"); p && n < max; p = strtok(NULL, ", \t\n[]")) words[n++] = p;
    return n;
}

static mlpot_status parse_real(const key *k, const char *word, double *out, mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(word, &end);
    if (end == word || *end || !isfinite(x))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not a number", k->name, word);
    if (x < k->min || x > k->max)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: %g is outside [%g, %g]", k->name, x, k->min, k->max);
    *out = x;
    return MLPOT_OK;
}

static mlpot_status parse_int(const key *k, const char *word, int *out, mlpot_error *err)
{
    double x;
    mlpot_status st = parse_real(k, word, &x, err);
    if (st) return st;
    if (x != floor(x)) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not a whole number", k->name, word);
    *out = (int)x;
    return MLPOT_OK;
}

/* "El=value" words into z[], v[] (*n of them); values within the key's range, or any when
 * `any_value`. */
static mlpot_status parse_element_map(const key *k, char **w, int n, int any_value, int *z, double *v, int *count,
                                      mlpot_error *err)
{
    for (int q = 0; q < n; ++q) {
        char *eq = strchr(w[q], '=');
        if (!eq) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not El=value", k->name, w[q]);
        *eq = '\0';
        int el = mlpot_element_number(w[q]);
        if (!el) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: unknown element '%s'", k->name, w[q]);
        for (int j = 0; j < *count; ++j)
            if (z[j] == el) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: %s is given twice", k->name, w[q]);
        key real = *k;
        if (any_value) real.min = -INFINITY, real.max = INFINITY;
        else real.min = 1e-6, real.max = 100;
        mlpot_status st = parse_real(&real, eq + 1, &v[*count], err);
        if (st) return st;
        z[(*count)++] = el;
    }
    return MLPOT_OK;
}

static mlpot_status set_key(mlpot_train_config *c, const key *k, const char *value, mlpot_error *err)
{
    char *base = (char *)c;
    void *at = base + k->offset;
    char buf[4096];
    char *w[256];
    snprintf(buf, sizeof buf, "%s", value);
    switch (k->kind) {
    case K_REAL: return parse_real(k, value, at, err);
    case K_REAL_AUTO: {
        char *end;
        if (!strcmp(value, "auto")) return *(double *)at = NAN, MLPOT_OK;
        if (!isfinite(strtod(value, &end)) || end == value || *end)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is neither a number nor auto", k->name, value);
        return parse_real(k, value, at, err);
    }
    case K_INT: return parse_int(k, value, at, err);
    case K_SEED: {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (end == value || *end || errno || value[0] == '-')
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not a non-negative integer", k->name, value);
        *(unsigned long long *)at = v;
        return MLPOT_OK;
    }
    case K_BOOL: {
        static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
        for (int q = 0; q < 4; ++q) {
            if (!strcmp(value, yes[q])) return *(int *)at = 1, MLPOT_OK;
            if (!strcmp(value, no[q])) return *(int *)at = 0, MLPOT_OK;
        }
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not true or false", k->name, value);
    }
    case K_STRING: {
        char *copy = mlpot_strdup(value);
        if (!copy) return mlpot_fail_memory(err, "setting a key");
        free(*(char **)at);
        *(char **)at = copy;
        return MLPOT_OK;
    }
    case K_FILES: {
        string_list *l = at;
        int n = split_list(buf, w, 256);
        list_free(l);
        if (n == 0) return MLPOT_OK;
        if (!(l->items = calloc((size_t)n, sizeof *l->items))) return mlpot_fail_memory(err, "setting a key");
        for (int q = 0; q < n; ++q)
            if (!(l->items[l->n++] = mlpot_strdup(w[q]))) return mlpot_fail_memory(err, "setting a key");
        return MLPOT_OK;
    }
    case K_REALS:
    case K_INTS: {
        int n = split_list(buf, w, 256), max = k->kind == K_REALS ? 8 : TRAIN_MAX_LIST;
        if (n > max) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: at most %d values", k->name, max);
        for (int q = 0; q < n; ++q) {
            mlpot_status st = k->kind == K_REALS ? parse_real(k, w[q], (double *)at + q, err)
                                                 : parse_int(k, w[q], (int *)at + q, err);
            if (st) return st;
        }
        *(int *)(base + k->count_offset) = n;
        return MLPOT_OK;
    }
    case K_FORMAT: {
        mlpot_format f;
        if (!strcmp(value, "auto")) return *(int *)at = MLPOT_FORMAT_AUTO, MLPOT_OK;
        mlpot_status st = mlpot_format_parse(value, &f, err);
        if (st) mlpot_error_prepend(err, "%s: ", k->name);
        else *(int *)at = (int)f;
        return st;
    }
    case K_EUNIT: {
        mlpot_energy_unit u;
        if (!strcmp(value, "auto")) return *(int *)at = -1, MLPOT_OK;
        mlpot_status st = mlpot_energy_unit_parse(value, &u, err);
        if (st) mlpot_error_prepend(err, "%s: ", k->name);
        else *(int *)at = (int)u;
        return st;
    }
    case K_LUNIT: {
        mlpot_length_unit u;
        if (!strcmp(value, "auto")) return *(int *)at = -1, MLPOT_OK;
        mlpot_status st = mlpot_length_unit_parse(value, &u, err);
        if (st) mlpot_error_prepend(err, "%s: ", k->name);
        else *(int *)at = (int)u;
        return st;
    }
    case K_ACTIVATION: {
        static const char *names[][2] = {{"identity", "l"}, {"linear", "l"}, {"tanh", "t"},     {"logistic", "s"},
                                         {"sigmoid", "s"},  {"softplus", "p"}, {"relu", "r"},   {"gaussian", "g"},
                                         {"cos", "c"},      {"exp", "e"},      {"harmonic", "h"}};
        const char *letter = value;
        for (size_t q = 0; q < sizeof names / sizeof names[0]; ++q)
            if (!strcmp(value, names[q][0])) letter = names[q][1];
        int a = nn_activation_from_letter(letter);
        if (a < 0)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: unknown activation '%s' (t, s, p, r, g, c, S, e, h, l or their names)",
                              k->name, value);
        if (a == NN_RELU)
            return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: relu has no second derivative, which force training needs; use "
                                                       "a smooth activation (tanh, softplus, ...)",
                              k->name);
        *(int *)at = a;
        return MLPOT_OK;
    }
    case K_OPTIMIZER:
        if (!strcmp(value, "adam")) return *(int *)at = TRAIN_ADAM, MLPOT_OK;
        if (!strcmp(value, "lbfgs") || !strcmp(value, "l-bfgs")) return *(int *)at = TRAIN_LBFGS, MLPOT_OK;
        if (!strcmp(value, "kalman") || !strcmp(value, "ekf")) return *(int *)at = TRAIN_KALMAN, MLPOT_OK;
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not adam, lbfgs or kalman", k->name, value);
    case K_STAGE:
        if (!strcmp(value, "energy") || !strcmp(value, "short")) return *(int *)at = TRAIN_STAGE_ENERGY, MLPOT_OK;
        if (!strcmp(value, "charges") || !strcmp(value, "charge")) return *(int *)at = TRAIN_STAGE_CHARGES, MLPOT_OK;
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not energy or charges", k->name, value);
    case K_SELECTION:
        if (!strcmp(value, "mean")) return *(int *)at = TRAIN_SELECT_MEAN, MLPOT_OK;
        if (!strcmp(value, "median")) return *(int *)at = TRAIN_SELECT_MEDIAN, MLPOT_OK;
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not mean or median", k->name, value);
    case K_SCALING:
        for (int t = 0; t < (int)(sizeof SCALING_NAMES / sizeof *SCALING_NAMES); ++t)
            if (!strcmp(value, SCALING_NAMES[t])) return *(int *)at = t, MLPOT_OK;
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "%s: '%s' is not scale_center, scale, center, sigma or none", k->name,
                          value);
    case K_WIDTHS: {
        int n = split_list(buf, w, 256);
        c->n_width = 0;
        return parse_element_map(k, w, n, 0, c->width_z, c->width, &c->n_width, err);
    }
    default: { /* K_REFERENCES: "fit" or "El=value, ..." */
        int n = split_list(buf, w, 256);
        c->n_reference = 0;
        if (n == 1 && !strcmp(w[0], "fit")) return MLPOT_OK;
        return parse_element_map(k, w, n, 1, c->reference_z, c->reference_energy, &c->n_reference, err);
    }
    }
}

mlpot_status mlpot_train_config_set(mlpot_train_config *c, const char *name, const char *value, mlpot_error *err)
{
    for (size_t k = 0; k < N_KEYS; ++k)
        if (!strcmp(KEYS[k].name, name)) return set_key(c, &KEYS[k], value ? value : "", err);
    const char *names[N_KEYS];
    for (size_t k = 0; k < N_KEYS; ++k) names[k] = KEYS[k].name;
    const char *near = nearest_word(name, names, N_KEYS, 5);
    if (near) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown key '%s' (did you mean '%s'?)", name, near);
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown key '%s'", name);
}

/* --- YAML ------------------------------------------------------------------------------------ */

/* The text of a value node: a scalar as is, a sequence joined with commas, a mapping as
 * "key=value" pairs (for model.reference_energies). */
static int node_text(yaml_document_t *doc, yaml_node_t *node, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (node->type == YAML_SCALAR_NODE) {
        snprintf(buf, size, "%.*s", (int)node->data.scalar.length, (const char *)node->data.scalar.value);
        return 1;
    }
    if (node->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; ++it) {
            yaml_node_t *item = yaml_document_get_node(doc, *it);
            if (!item || item->type != YAML_SCALAR_NODE) return 0;
            used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%.*s", used ? "," : "",
                                     (int)item->data.scalar.length, (const char *)item->data.scalar.value);
        }
        return used < size;
    }
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; ++p) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE) return 0;
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%.*s=%.*s", used ? "," : "",
                                 (int)k->data.scalar.length, (const char *)k->data.scalar.value, (int)v->data.scalar.length,
                                 (const char *)v->data.scalar.value);
    }
    return used < size;
}

mlpot_status mlpot_train_config_read(mlpot_train_config *c, const char *path, mlpot_error *err)
{
    const size_t len = strlen(path);
    if (len >= 3 && !strcmp(path + len - 3, ".nn")) return mlpot_train_config_read_n2p2(c, path, err);
    FILE *f = fopen(path, "rb");
    if (!f) return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    yaml_parser_t parser;
    yaml_document_t doc;
    mlpot_status st = MLPOT_OK;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return mlpot_fail_memory(err, "reading YAML");
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                        parser.problem ? parser.problem : "not valid YAML");
        yaml_parser_delete(&parser);
        fclose(f);
        return st;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type != YAML_MAPPING_NODE)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%zu: expected sections (data:, model:, loss:, training:, output:)", path,
                        root->start_mark.line + 1);
    for (yaml_node_pair_t *p = root && !st ? root->data.mapping.pairs.start : NULL; p && p < root->data.mapping.pairs.top && !st;
         ++p) {
        yaml_node_t *sec = yaml_document_get_node(&doc, p->key), *body = yaml_document_get_node(&doc, p->value);
        if (sec->type != YAML_SCALAR_NODE || body->type != YAML_MAPPING_NODE) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%zu: a section is a name followed by indented 'key: value' lines",
                            path, sec->start_mark.line + 1);
            break;
        }
        for (yaml_node_pair_t *q = body->data.mapping.pairs.start; q < body->data.mapping.pairs.top && !st; ++q) {
            yaml_node_t *k = yaml_document_get_node(&doc, q->key), *v = yaml_document_get_node(&doc, q->value);
            char name[256], value[4096];
            if (k->type != YAML_SCALAR_NODE) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%zu: expected a key", path, k->start_mark.line + 1);
                break;
            }
            snprintf(name, sizeof name, "%s.%.*s", (const char *)sec->data.scalar.value, (int)k->data.scalar.length,
                     (const char *)k->data.scalar.value);
            if (!node_text(&doc, v, value, sizeof value)) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%zu: %s: expected a value, a list or a flat mapping", path,
                                v->start_mark.line + 1, name);
                break;
            }
            if ((st = mlpot_train_config_set(c, name, value, err)))
                mlpot_error_prepend(err, "%s:%zu: ", path, k->start_mark.line + 1);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return st;
}

/* --- description ----------------------------------------------------------------------------- */

static void value_text(const mlpot_train_config *c, const key *k, char *buf, size_t size)
{
    const char *base = (const char *)c;
    const void *at = base + k->offset;
    size_t used = 0;
    buf[0] = '\0';
    switch (k->kind) {
    case K_REAL: snprintf(buf, size, "%.15g", *(const double *)at); break;
    case K_REAL_AUTO:
        if (isnan(*(const double *)at)) snprintf(buf, size, "auto");
        else snprintf(buf, size, "%.15g", *(const double *)at);
        break;
    case K_INT: snprintf(buf, size, "%d", *(const int *)at); break;
    case K_SEED: snprintf(buf, size, "%llu", *(const unsigned long long *)at); break;
    case K_BOOL: snprintf(buf, size, "%s", *(const int *)at ? "true" : "false"); break;
    case K_STRING: snprintf(buf, size, "\"%s\"", *(char *const *)at ? *(char *const *)at : ""); break;
    case K_FILES: {
        const string_list *l = at;
        used = (size_t)snprintf(buf, size, "[");
        for (int q = 0; q < l->n && used < size; ++q)
            used += (size_t)snprintf(buf + used, size - used, "%s\"%s\"", q ? ", " : "", l->items[q]);
        if (used < size) snprintf(buf + used, size - used, "]");
        break;
    }
    case K_REALS:
    case K_INTS: {
        int n = *(const int *)(base + k->count_offset);
        used = (size_t)snprintf(buf, size, "[");
        for (int q = 0; q < n && used < size; ++q)
            used += k->kind == K_REALS ? (size_t)snprintf(buf + used, size - used, "%s%g", q ? ", " : "", ((const double *)at)[q])
                                       : (size_t)snprintf(buf + used, size - used, "%s%d", q ? ", " : "", ((const int *)at)[q]);
        if (used < size) snprintf(buf + used, size - used, "]");
        break;
    }
    case K_FORMAT: snprintf(buf, size, "%s", *(const int *)at ? mlpot_format_name(*(const int *)at) : "auto"); break;
    case K_EUNIT:
        snprintf(buf, size, "%s", *(const int *)at < 0 ? "auto" : mlpot_energy_unit_name(*(const int *)at));
        break;
    case K_LUNIT:
        snprintf(buf, size, "%s", *(const int *)at < 0 ? "auto" : mlpot_length_unit_name(*(const int *)at));
        break;
    case K_ACTIVATION: snprintf(buf, size, "%s", nn_activation_letter(*(const int *)at)); break;
    case K_OPTIMIZER: {
        const int o = *(const int *)at;
        snprintf(buf, size, "%s", o == TRAIN_LBFGS ? "lbfgs" : o == TRAIN_KALMAN ? "kalman" : "adam");
        break;
    }
    case K_STAGE: snprintf(buf, size, "%s", *(const int *)at == TRAIN_STAGE_CHARGES ? "charges" : "energy"); break;
    case K_SELECTION: snprintf(buf, size, "%s", *(const int *)at == TRAIN_SELECT_MEDIAN ? "median" : "mean"); break;
    case K_SCALING: snprintf(buf, size, "%s", SCALING_NAMES[*(const int *)at]); break;
    case K_WIDTHS:
        used = (size_t)snprintf(buf, size, "{");
        for (int q = 0; q < c->n_width && used < size; ++q)
            used += (size_t)snprintf(buf + used, size - used, "%s%s: %.17g", q ? ", " : "", mlpot_element_symbol(c->width_z[q]),
                                     c->width[q]);
        if (used < size) snprintf(buf + used, size - used, "}");
        break;
    default:
        if (!c->n_reference) snprintf(buf, size, "fit");
        used = 0;
        for (int q = 0; q < c->n_reference && used < size; ++q)
            used += (size_t)snprintf(buf + used, size - used, "%s%s: %.17g", q ? ", " : "{",
                                     mlpot_element_symbol(c->reference_z[q]), c->reference_energy[q]);
        if (c->n_reference && used < size) snprintf(buf + used, size - used, "}");
    }
}

mlpot_status mlpot_train_config_get(const mlpot_train_config *c, const char *name, char *buf, size_t size, mlpot_error *err)
{
    for (size_t k = 0; k < N_KEYS; ++k)
        if (!strcmp(KEYS[k].name, name)) {
            if (KEYS[k].kind == K_STRING) {
                const char *v = *(char *const *)((const char *)c + KEYS[k].offset);
                snprintf(buf, size, "%s", v ? v : "");
            } else {
                value_text(c, &KEYS[k], buf, size);
            }
            return MLPOT_OK;
        }
    return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "unknown key '%s'", name);
}

void mlpot_train_config_describe(const mlpot_train_config *c, char *buf, size_t size)
{
    size_t used = 0;
    char section[64] = "", value[4096];
    for (size_t k = 0; k < N_KEYS && used < size; ++k) {
        const char *dot = strchr(KEYS[k].name, '.');
        if (strncmp(section, KEYS[k].name, (size_t)(dot - KEYS[k].name)) || section[dot - KEYS[k].name] != '\0') {
            snprintf(section, sizeof section, "%.*s", (int)(dot - KEYS[k].name), KEYS[k].name);
            used += (size_t)snprintf(buf + used, size - used, "%s%s:\n", k ? "\n" : "", section);
        }
        if (used >= size) break;
        value_text(c, &KEYS[k], value, sizeof value);
        used += (size_t)snprintf(buf + used, size - used, "  %s: %s  # %s\n", dot + 1, value, KEYS[k].help);
    }
}
