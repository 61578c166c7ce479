#include "io/n2p2_settings.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "core/nearest.h"
#include "io/lines.h"

/* The keywords n2p2 knows (Settings.cpp: prediction, electrostatics, training). */
static const char *const KNOWN[] = {
    "number_of_elements", "elements", "atom_energy", "cutoff_type", "symfunction_short",
    "scale_symmetry_functions", "scale_min_short", "scale_max_short", "center_symmetry_functions",
    "scale_symmetry_functions_sigma", "global_hidden_layers_short", "global_hidden_layers_electrostatic",
    "global_nodes_short", "global_nodes_electrostatic", "global_activation_short",
    "global_activation_electrostatic", "element_hidden_layers_short", "element_hidden_layers_electrostatic",
    "element_nodes_short", "element_nodes_electrostatic", "element_activation_short",
    "element_activation_electrostatic", "normalize_nodes", "mean_energy", "conv_length", "conv_energy",
    "conv_charge", "nnp_type", "fixed_gausswidth", "ewald_truncation_error_method", "ewald_prec",
    "screen_electrostatics", "four_pi_epsilon", "random_seed", "test_fraction", "epochs",
    "normalize_data_set", "use_short_forces", "rmse_threshold", "rmse_threshold_energy",
    "rmse_threshold_force", "rmse_threshold_charge", "rmse_threshold_trials", "rmse_threshold_trials_energy",
    "rmse_threshold_trials_force", "rmse_threshold_trials_charge", "energy_fraction", "force_fraction",
    "force_energy_ratio", "charge_fraction", "use_old_weights_short", "use_old_weights_charge",
    "weights_min", "weights_max", "initial_hardness", "nguyen_widrow_weights_short",
    "nguyen_widrow_weights_charge", "precondition_weights", "main_error_metric", "write_trainpoints",
    "write_trainforces", "write_traincharges", "write_weights_epoch", "write_neuronstats",
    "write_trainlog", "repeated_energy_update", "updater_type", "parallel_mode", "jacobian_mode",
    "update_strategy", "selection_mode", "selection_mode_energy", "selection_mode_force",
    "selection_mode_charge", "task_batch_size_energy", "task_batch_size_force", "task_batch_size_charge",
    "gradient_type", "gradient_eta", "gradient_adam_eta", "gradient_adam_beta1", "gradient_adam_beta2",
    "gradient_adam_epsilon", "kalman_type", "kalman_epsilon", "kalman_eta", "kalman_etatau",
    "kalman_etamax", "kalman_q0", "kalman_qtau", "kalman_qmin", "kalman_lambda_short",
    "kalman_nue_short", "memorize_symfunc_results", "force_weight",
    /* alternative names */
    "nnp_generation", "nnp_type_gen", "nnp_gen", "short_energy_error_threshold",
    "short_force_error_threshold", "short_energy_fraction", "short_force_fraction", "symfunction",
};

static const struct {
    const char *alternative, *keyword;
} ALTERNATIVES[] = {
    {"nnp_generation", "nnp_type"}, {"nnp_type_gen", "nnp_type"}, {"nnp_gen", "nnp_type"},
    {"short_energy_error_threshold", "rmse_threshold_energy"},
    {"short_force_error_threshold", "rmse_threshold_force"}, {"short_energy_fraction", "energy_fraction"},
    {"short_force_fraction", "force_fraction"}, {"symfunction", "symfunction_short"},
};

/* Keywords n2p2 accepts more than once (Settings::sanityCheck). */
static const char *const REPEATABLE[] = {"symfunction_short", "atom_energy", "element_nodes_short",
                                         "fixed_gausswidth", "initial_hardness"};

static const char *canonical(const char *keyword)
{
    for (size_t k = 0; k < sizeof ALTERNATIVES / sizeof ALTERNATIVES[0]; ++k)
        if (!strcmp(keyword, ALTERNATIVES[k].alternative)) return ALTERNATIVES[k].keyword;
    return keyword;
}

void n2p2_settings_free(n2p2_settings *s)
{
    for (int k = 0; k < s->n; ++k) free(s->entries[k].keyword), free(s->entries[k].value);
    free(s->entries);
    free(s->path);
    memset(s, 0, sizeof *s);
}

/* Adds one line (modified in place) to the settings. */
static mlpot_status add_line(n2p2_settings *s, char *line, long number, int *cap, mlpot_error *err)
{
    char *hash = strpbrk(line, "#!");
    if (hash) *hash = '\0';
    char *t = line;
    while (isspace((unsigned char)*t)) ++t;
    if (!*t) return MLPOT_OK;
    char *kw_end = t;
    while (*kw_end && !isspace((unsigned char)*kw_end)) ++kw_end;
    char *value = kw_end;
    while (isspace((unsigned char)*value)) ++value;
    char *end = value + strlen(value);
    while (end > value && isspace((unsigned char)end[-1])) *--end = '\0';
    if (s->n == *cap) {
        int c = *cap ? 2 * *cap : 64;
        n2p2_entry *g = mlpot_realloc(s->entries, (size_t)c, sizeof *g);
        if (!g) return mlpot_fail_memory(err, "reading input.nn");
        s->entries = g, *cap = c;
    }
    n2p2_entry *e = &s->entries[s->n];
    e->keyword = mlpot_strndup(t, (size_t)(kw_end - t));
    e->value = mlpot_strdup(value);
    e->line = number;
    if (!e->keyword || !e->value) {
        free(e->keyword), free(e->value);
        return mlpot_fail_memory(err, "reading input.nn");
    }
    s->n++;
    return MLPOT_OK;
}

mlpot_status n2p2_settings_read(const char *path, n2p2_settings *s, mlpot_error *err)
{
    memset(s, 0, sizeof *s);
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    s->path = mlpot_strdup(path);
    int cap = 0;
    if (!s->path) st = mlpot_fail_memory(err, "reading input.nn");
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        st = add_line(s, r.line, r.number, &cap, err);
    }
    line_reader_close(&r);
    if (st) n2p2_settings_free(s);
    return st;
}

mlpot_status n2p2_settings_parse(const char *text, const char *name, n2p2_settings *s, mlpot_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = mlpot_strdup(name ? name : "settings");
    char *copy = mlpot_strdup(text ? text : "");
    mlpot_status st = (!s->path || !copy) ? mlpot_fail_memory(err, "reading settings") : MLPOT_OK;
    int cap = 0;
    long number = 0;
    for (char *line = copy, *next; !st && line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        st = add_line(s, line, ++number, &cap, err);
    }
    free(copy);
    if (st) n2p2_settings_free(s);
    return st;
}

int n2p2_settings_is(const n2p2_settings *s, int k, const char *keyword)
{
    return !strcmp(canonical(s->entries[k].keyword), canonical(keyword)); /* either spelling finds both */
}

const n2p2_entry *n2p2_settings_find(const n2p2_settings *s, const char *keyword)
{
    for (int k = 0; k < s->n; ++k)
        if (n2p2_settings_is(s, k, keyword)) return &s->entries[k];
    return NULL;
}

mlpot_status n2p2_settings_check(const n2p2_settings *s, int ignore_unknown, mlpot_error *err)
{
    for (int k = 0; k < s->n; ++k) {
        const n2p2_entry *e = &s->entries[k];
        int known = 0;
        for (size_t q = 0; q < sizeof KNOWN / sizeof KNOWN[0] && !known; ++q) known = !strcmp(e->keyword, KNOWN[q]);
        if (!known) {
            if (ignore_unknown) continue;
            const char *nearest = nearest_word(e->keyword, KNOWN, sizeof KNOWN / sizeof KNOWN[0], 4);
            if (nearest)
                return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                  "%s:%ld: unknown keyword '%s' (did you mean '%s'?); a keyword mlpot does not "
                                  "know might change the model, so it is refused (add unknown_keywords=ignore "
                                  "to the potential specification to load it anyway)",
                                  s->path, e->line, e->keyword, nearest);
            return mlpot_fail(err, MLPOT_ERR_FORMAT,
                              "%s:%ld: unknown keyword '%s'; a keyword mlpot does not know might change the "
                              "model, so it is refused (add unknown_keywords=ignore to the potential "
                              "specification to load it anyway)",
                              s->path, e->line, e->keyword);
        }
        const char *main = canonical(e->keyword);
        int repeatable = 0;
        for (size_t q = 0; q < sizeof REPEATABLE / sizeof REPEATABLE[0]; ++q) repeatable |= !strcmp(main, REPEATABLE[q]);
        for (int j = 0; j < k; ++j) {
            const n2p2_entry *f = &s->entries[j];
            if (strcmp(canonical(f->keyword), main)) continue;
            if (strcmp(f->keyword, e->keyword))
                return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: '%s' and '%s' (line %ld) are two names of one keyword",
                                  s->path, e->line, e->keyword, f->keyword, f->line);
            if (!repeatable)
                return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: keyword '%s' given again (first at line %ld)",
                                  s->path, e->line, e->keyword, f->line);
        }
    }
    return MLPOT_OK;
}
