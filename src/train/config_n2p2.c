/* An n2p2 training input.nn as a training configuration (mlpot_train_config_read_n2p2): the
 * keywords that shape the fit are mapped to mlpot's keys, through mlpot_train_config_set, so
 * values are checked as if they had been given in YAML; the messages name the input.nn line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "descriptors/acsf_scaling.h"
#include "io/n2p2_settings.h"
#include "train/config.h"

/* n2p2 keyword → mlpot key, for values that carry over as they are. */
static const struct {
    const char *n2p2, *key;
} DIRECT[] = {
    {"random_seed", "training.seed"},
    {"epochs", "training.epochs"},
    {"test_fraction", "data.validation_fraction"}, /* n2p2's "test" set is reported each epoch, never fitted */
    {"kalman_epsilon", "training.kalman_epsilon"},
    {"kalman_q0", "training.kalman_q0"},
    {"kalman_qtau", "training.kalman_qtau"},
    {"kalman_qmin", "training.kalman_qmin"},
    {"kalman_eta", "training.kalman_eta"},
    {"kalman_etatau", "training.kalman_etatau"},
    {"kalman_etamax", "training.kalman_etamax"},
    {"short_energy_fraction", "training.energy_fraction"},
    {"short_force_fraction", "training.force_fraction"},
    {"rmse_threshold_trials", "training.threshold_trials"},
    {"force_weight", "training.force_weight"},
    {"gradient_adam_eta", "training.learning_rate"},
    {"scale_min_short", "model.scale_min"},
    {"scale_max_short", "model.scale_max"},
};

/* Keywords that change the model or the fit in a way mlpot does not reproduce. */
static const struct {
    const char *n2p2, *why;
} REFUSED[] = {
    {"normalize_nodes", "normalised neuron inputs"},
    {"repeated_energy_update", "repeated energy updates"},
    {"kalman_lambda_short", "the fading-memory Kalman filter"},
    {"kalman_nue_short", "the fading-memory Kalman filter"},
};

static mlpot_status set(mlpot_train_config *c, const n2p2_settings *s, const n2p2_entry *e, const char *key,
                        const char *value, mlpot_error *err)
{
    mlpot_status st = mlpot_train_config_set(c, key, value, err);
    if (st) mlpot_error_prepend(err, "%s:%ld: %s: ", s->path, e->line, e->keyword);
    return st;
}

static mlpot_status refuse(const n2p2_settings *s, const n2p2_entry *e, const char *what, mlpot_error *err)
{
    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s:%ld: %s %s: %s is not supported by mlpot train", s->path, e->line,
                      e->keyword, e->value, what);
}

static int integer_is(const n2p2_entry *e, long value) { return e && strtol(e->value, NULL, 10) == value; }

static mlpot_status map_settings(mlpot_train_config *c, const n2p2_settings *s, const char *path, mlpot_error *err)
{
    mlpot_status st = MLPOT_OK;
    const n2p2_entry *e;
    for (size_t k = 0; k < sizeof REFUSED / sizeof *REFUSED; ++k)
        if ((e = n2p2_settings_find(s, REFUSED[k].n2p2))) return refuse(s, e, REFUSED[k].why, err);
    if ((e = n2p2_settings_find(s, "nnp_type")) && !integer_is(e, 2))
        return refuse(s, e, "training a model of this generation from one input.nn (4G: use the YAML stages)", err);
    /* the scaling of the symmetry functions, with n2p2's range 0..1 where the file gives none */
    c->scaling = acsf_scaling_type_of(s), c->scale_min = 0.0, c->scale_max = 1.0;
    for (size_t k = 0; k < sizeof DIRECT / sizeof *DIRECT && !st; ++k)
        if ((e = n2p2_settings_find(s, DIRECT[k].n2p2))) st = set(c, s, e, DIRECT[k].key, e->value, err);
    if (st) return st;
    /* the optimiser */
    if ((e = n2p2_settings_find(s, "updater_type"))) {
        if (integer_is(e, 1)) st = set(c, s, e, "training.optimizer", "kalman", err);
        else if (integer_is(e, 0)) st = set(c, s, e, "training.optimizer", "adam", err);
        else return refuse(s, e, "this updater", err);
    }
    if (!st && (e = n2p2_settings_find(s, "gradient_type")) && !integer_is(e, 1))
        return refuse(s, e, "gradient descent with a fixed step (mlpot's gradient optimiser is Adam, gradient_type 1)",
                      err);
    if (!st && (e = n2p2_settings_find(s, "kalman_type")) && !integer_is(e, 0))
        return refuse(s, e, "the fading-memory Kalman filter (kalman_type 1)", err);
    if (!st && (e = n2p2_settings_find(s, "update_strategy")))
        st = set(c, s, e, "training.kalman_decoupled", integer_is(e, 1) ? "true" : "false", err);
    long batch = 1; /* the larger of the two task batches, from the entry that gives it */
    const n2p2_entry *batch_entry = NULL;
    for (int k = 0; k < 2 && !st; ++k)
        if ((e = n2p2_settings_find(s, k ? "task_batch_size_force" : "task_batch_size_energy"))) {
            long b = strtol(e->value, NULL, 10);
            if (b < 1) return refuse(s, e, "a batch of the whole training set", err);
            if (b > batch) batch = b, batch_entry = e;
        }
    if (!st && batch_entry) {
        char text[32];
        snprintf(text, sizeof text, "%ld", batch);
        st = set(c, s, batch_entry, "training.kalman_batch", text, err);
    }
    /* thresholds count only with n2p2's threshold selection (selection_mode 2) */
    const int threshold = integer_is(n2p2_settings_find(s, "selection_mode"), 2);
    for (int k = 0; k < 2 && !st && threshold; ++k)
        if ((e = n2p2_settings_find(s, k ? "short_force_error_threshold" : "short_energy_error_threshold")))
            st = set(c, s, e, k ? "training.force_threshold" : "training.energy_threshold", e->value, err);
    if (!st) st = mlpot_train_config_set(c, "loss.forces", n2p2_settings_find(s, "use_short_forces") ? "true" : "false", err);
    /* the networks: hidden layers, one activation for all of them, a linear output */
    const n2p2_entry *layers = n2p2_settings_find(s, "global_hidden_layers_short"),
                     *nodes = n2p2_settings_find(s, "global_nodes_short"),
                     *act = n2p2_settings_find(s, "global_activation_short");
    if (!st && layers && nodes) {
        const long n = strtol(layers->value, NULL, 10);
        char text[256] = "", copy[256];
        snprintf(copy, sizeof copy, "%s", nodes->value);
        long got = 0;
        for (char *w = strtok(copy, " \t"); w && got < n; w = strtok(NULL, " \t"), ++got)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", got ? "," : "", w);
        if (got != n)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: global_nodes_short lists %ld layers, global_hidden_layers_short "
                                                     "says %ld",
                              s->path, nodes->line, got, n);
        st = set(c, s, nodes, "model.hidden_layers", text, err);
    }
    if (!st && act) {
        char copy[256], *w[16];
        int nw = 0;
        snprintf(copy, sizeof copy, "%s", act->value);
        for (char *p = strtok(copy, " \t"); p && nw < 16; p = strtok(NULL, " \t")) w[nw++] = p;
        for (int k = 1; k + 1 < nw; ++k)
            if (strcmp(w[k], w[0])) return refuse(s, act, "different activations in the hidden layers", err);
        if (nw < 2 || strcmp(w[nw - 1], "l")) return refuse(s, act, "an output activation other than l (linear)", err);
        st = set(c, s, act, "model.activation", w[0], err);
    }
    /* reference (free-atom) energies */
    char refs[2048] = "";
    for (int k = 0; k < s->n && !st; ++k)
        if (n2p2_settings_is(s, k, "atom_energy")) {
            char el[16];
            double v;
            if (sscanf(s->entries[k].value, "%15s %lf", el, &v) != 2)
                return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atom_energy: expected an element and an energy", s->path,
                                  s->entries[k].line);
            snprintf(refs + strlen(refs), sizeof refs - strlen(refs), "%s%s=%.17g", *refs ? "," : "", el, v);
        }
    if (!st && *refs) st = mlpot_train_config_set(c, "model.reference_energies", refs, err);
    /* the symmetry functions (and cutoff function) from the file itself; data beside it */
    if (!st && n2p2_settings_find(s, "symfunction_short")) st = mlpot_train_config_set(c, "model.symmetry_functions", path, err);
    const char *slash = strrchr(path, '/');
    const int folder_length = slash ? (int)(slash - path + 1) : 0; /* "dir/" of input.nn, or "" */
    /* n2p2 then starts from the weights.ZZZ.data (and scaling.data) beside input.nn */
    if (!st && (e = n2p2_settings_find(s, "use_old_weights_short"))) {
        char folder[4200];
        snprintf(folder, sizeof folder, "%.*s", folder_length ? folder_length : 1, folder_length ? path : ".");
        st = set(c, s, e, "model.initial_weights", folder, err);
    }
    if (!st) {
        char data[4200];
        snprintf(data, sizeof data, "%.*sinput.data", folder_length, path);
        st = mlpot_train_config_set(c, "data.format", "n2p2", err);
        if (!st && !c->train.n) st = mlpot_train_config_set(c, "data.train", data, err);
    }
    return st;
}

mlpot_status mlpot_train_config_read_n2p2(mlpot_train_config *c, const char *path, mlpot_error *err)
{
    n2p2_settings s;
    mlpot_status st = n2p2_settings_read(path, &s, err);
    if (st) return st;
    st = n2p2_settings_check(&s, 0, err);
    if (!st) st = map_settings(c, &s, path, err);
    n2p2_settings_free(&s);
    return st;
}
