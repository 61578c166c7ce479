/* Reading an n2p2 model folder: input.nn (checked as strictly as n2p2, and more), scaling.data
 * and weights.ZZZ.data, with n2p2's network topology rules. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/memory.h"
#include "io/n2p2_settings.h"
#include "io/lines.h"
#include "models/nnp_model.h"

void nnp_model_free(nnp_model *m)
{
    if (!m) return;
    for (int e = 0; m->nets && e < m->acsf.n_elements; ++e) nn_free(&m->nets[e]);
    free(m->nets);
    for (int e = 0; m->elec.nets && e < m->acsf.n_elements; ++e) nn_free(&m->elec.nets[e]);
    free(m->elec.nets);
    free(m->elec.hardness);
    free(m->elec.width);
    free(m->offset);
    acsf_scaling_free(&m->scaling);
    acsf_set_free(&m->acsf);
    free(m->path);
    memset(m, 0, sizeof *m);
}

static mlpot_status number(const n2p2_settings *s, const n2p2_entry *e, const char *word, double *out,
                           mlpot_error *err)
{
    char *end;
    errno = 0;
    double x = strtod(word, &end);
    if (end == word || *end || !isfinite(x) || errno == ERANGE)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: '%s' of %s is not a number", s->path, e->line, word,
                          e->keyword);
    *out = x;
    return MLPOT_OK;
}

/* --- model generation ------------------------------------------------------------------------ */

static mlpot_status check_generation(const n2p2_settings *s, const char *folder, int *generation, mlpot_error *err)
{
    *generation = 2;
    const n2p2_entry *e = n2p2_settings_find(s, "nnp_type");
    if (e) {
        const char *v = e->value;
        char *end;
        long t = strtol(v, &end, 10);
        if (!strcmp(v, "2G-HDNNP") || (t == 2 && !*end)) return MLPOT_OK;
        if (!strcmp(v, "4G-HDNNP") || (t == 4 && !*end)) {
            *generation = 4;
            return MLPOT_OK;
        }
        if (!strcmp(v, "Q-HDNNP") || (t == 3 && !*end))
            return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                              "%s:%ld: %s %s: a Q-HDNNP (charge network feeding the short-range network) is not "
                              "supported; 2G- and 4G-HDNNP models can be evaluated",
                              s->path, e->line, e->keyword, v);
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s '%s' is not an n2p2 model type (2G-HDNNP, 4G-HDNNP, Q-HDNNP)",
                          s->path, e->line, e->keyword, v);
    }
    /* a 4G folder without the keyword would silently lose its electrostatics */
    DIR *d = opendir(folder);
    struct dirent *de;
    mlpot_status st = MLPOT_OK;
    while (d && !st && (de = readdir(d))) {
        int z;
        char tail[16];
        if ((sscanf(de->d_name, "weightse.%3d.dat%15s", &z, tail) == 2 ||
             sscanf(de->d_name, "hardness.%3d.dat%15s", &z, tail) == 2) &&
            !strcmp(tail, "a"))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s/%s: electronegativity or hardness data belong to a 4G-HDNNP, but input.nn does not "
                            "say nnp_generation 4; as a 2G model the folder would lose its electrostatics",
                            folder, de->d_name);
    }
    if (d) closedir(d);
    return st;
}

/* --- network topology ------------------------------------------------------------------------- */

/* Words of an entry's value; returns the count (at most max stored). */
static int words(const n2p2_entry *e, char *buf, size_t size, char **w, int max)
{
    snprintf(buf, size, "%s", e->value);
    return split_fields(buf, w, max);
}

static mlpot_status parse_count(const n2p2_settings *s, const n2p2_entry *e, const char *word, long lo, long hi,
                                long *out, mlpot_error *err)
{
    char *end;
    errno = 0;
    long v = strtol(word, &end, 10);
    if (end == word || *end || errno || v < lo || v > hi)
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s: '%s' is not an integer in [%ld, %ld]", s->path, e->line,
                          e->keyword, word, lo, hi);
    *out = v;
    return MLPOT_OK;
}

enum { MAX_LAYERS = 64, NODES_UNSET = 0, ACT_UNSET = -1 };

typedef struct topology {
    int n_layers;
    int size[MAX_LAYERS];
    int activation[MAX_LAYERS];
} topology;

/* The networks of one kind ("short", or "electrostatic" for a 4G model's electronegativity
 * networks) of every element as n2p2 sets them up (Mode::setupNeuralNetwork):
 * global_hidden_layers/nodes/activation_KIND, then per-element overrides. n2p2 applies
 * element_nodes_KIND to all hidden layers but the last and element_activation_KIND to the
 * hidden layers only; where a file gives other values there, n2p2 would silently use a different
 * network than the file describes, so the model is refused instead of guessing. The input
 * layer has the element's symmetry functions plus extra_inputs (a 4G short-range network
 * takes the atom's charge last). */
static mlpot_status topologies(const n2p2_settings *s, const acsf_set *set, const char *kind, int extra_inputs,
                               topology *t, mlpot_error *err)
{
    char kw_hl[64], kw_ehl[64], kw_nodes[64], kw_act[64], kw_enodes[64], kw_eact[64];
    snprintf(kw_hl, sizeof kw_hl, "global_hidden_layers_%s", kind);
    snprintf(kw_ehl, sizeof kw_ehl, "element_hidden_layers_%s", kind);
    snprintf(kw_nodes, sizeof kw_nodes, "global_nodes_%s", kind);
    snprintf(kw_act, sizeof kw_act, "global_activation_%s", kind);
    snprintf(kw_enodes, sizeof kw_enodes, "element_nodes_%s", kind);
    snprintf(kw_eact, sizeof kw_eact, "element_activation_%s", kind);
    char buf[4096];
    char *w[MAX_LAYERS + 2];
    mlpot_status st;
    const int ne = set->n_elements;
    for (int e = 0; e < ne; ++e) {
        t[e].n_layers = 0;
        for (int l = 0; l < MAX_LAYERS; ++l) t[e].size[l] = NODES_UNSET, t[e].activation[l] = ACT_UNSET;
    }
    long hidden = -1;
    const n2p2_entry *hl = n2p2_settings_find(s, kw_hl);
    if (hl) {
        if (words(hl, buf, sizeof buf, w, 2) != 1)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s needs one number", s->path, hl->line, kw_hl);
        if ((st = parse_count(s, hl, w[0], 1, MAX_LAYERS - 2, &hidden, err))) return st;
        for (int e = 0; e < ne; ++e) t[e].n_layers = (int)hidden + 2;
    }
    for (int k = 0; k < s->n; ++k) {
        if (!n2p2_settings_is(s, k, kw_ehl)) continue;
        const n2p2_entry *en = &s->entries[k];
        long v = 0;
        int z;
        if (words(en, buf, sizeof buf, w, 3) != 2 || !(z = mlpot_element_number(w[0])) || set->index[z] < 0)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s needs an element of the model and a number",
                              s->path, en->line, kw_ehl);
        if ((st = parse_count(s, en, w[1], 1, MAX_LAYERS - 2, &v, err))) return st;
        t[set->index[z]].n_layers = (int)v + 2;
    }
    for (int e = 0; e < ne; ++e)
        if (t[e].n_layers == 0)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the number of hidden layers of the %s %s network is not given (%s)",
                              s->path, mlpot_element_symbol(set->z[e]), kind, kw_hl);
    long gnodes[MAX_LAYERS];
    int n_gnodes = 0, n_gact = 0, gact[MAX_LAYERS];
    const n2p2_entry *gn = n2p2_settings_find(s, kw_nodes);
    if (gn) {
        n_gnodes = words(gn, buf, sizeof buf, w, MAX_LAYERS);
        if (n_gnodes != hidden)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s gives %d layers, %s %ld",
                              s->path, gn->line, kw_nodes, n_gnodes, kw_hl, hidden);
        for (int l = 0; l < n_gnodes; ++l)
            if ((st = parse_count(s, gn, w[l], 1, 1000000, &gnodes[l], err))) return st;
    }
    const n2p2_entry *ga = n2p2_settings_find(s, kw_act);
    if (ga) {
        n_gact = words(ga, buf, sizeof buf, w, MAX_LAYERS);
        if (n_gact != hidden + 1)
            return mlpot_fail(err, MLPOT_ERR_FORMAT,
                              "%s:%ld: %s gives %d activations, needed %ld (hidden layers and output)",
                              s->path, ga->line, kw_act, n_gact, hidden + 1);
        for (int l = 0; l < n_gact; ++l)
            if ((gact[l] = nn_activation_from_letter(w[l])) < 0)
                return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                  "%s:%ld: unknown activation function '%s' (n2p2's: l t s p r g c S e h)", s->path,
                                  ga->line, w[l]);
    }
    for (int e = 0; e < ne; ++e) {
        topology *te = &t[e];
        const int L = te->n_layers;
        te->size[0] = set->elements[e].n + extra_inputs;
        te->activation[0] = NN_IDENTITY;
        te->size[L - 1] = 1;
        if (L != hidden + 2) continue; /* n2p2 skips the global settings for such elements */
        for (int l = 1; l < L; ++l) {
            if (l == L - 1) {
                if (n_gact) te->activation[l] = gact[L - 2];
            } else {
                if (n_gnodes) te->size[l] = (int)gnodes[l - 1];
                if (n_gact) te->activation[l] = gact[l - 1];
            }
        }
    }
    for (int k = 0; k < s->n; ++k) {
        const int nodes = n2p2_settings_is(s, k, kw_enodes);
        if (!nodes && !n2p2_settings_is(s, k, kw_eact)) continue;
        const n2p2_entry *en = &s->entries[k];
        int nw = words(en, buf, sizeof buf, w, MAX_LAYERS + 2), z;
        if (nw < 2 || !(z = mlpot_element_number(w[0])) || set->index[z] < 0)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s needs an element of the model and values", s->path,
                              en->line, en->keyword);
        topology *te = &t[set->index[z]];
        const int L = te->n_layers, n = nw - 1;
        if (nodes) {
            if (L != n + 2)
                return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s gives %d layers, the %s network has %d hidden",
                                  s->path, en->line, kw_enodes, n, w[0], L - 2);
            for (int l = 1; l <= n; ++l) {
                long v = 0;
                if ((st = parse_count(s, en, w[l], 1, 1000000, &v, err))) return st;
                if (l < L - 2) te->size[l] = (int)v;
                else if (te->size[l] != v) /* n2p2 never reads the last value (its loop stops one short) */
                    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                                      "%s:%ld: %s sets %ld nodes in the last hidden layer of %s, but "
                                      "n2p2 ignores that value (it keeps %s); the model's network is ambiguous, so "
                                      "it is refused",
                                      s->path, en->line, kw_enodes, v, w[0], te->size[l] ? kw_nodes : "it unset and fails");
            }
        } else {
            if (L != n + 1)
                return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                  "%s:%ld: %s gives %d activations, the %s network needs %d",
                                  s->path, en->line, kw_eact, n, w[0], L - 1);
            for (int l = 1; l <= n; ++l) {
                int a = nn_activation_from_letter(w[l]);
                if (a < 0)
                    return mlpot_fail(err, MLPOT_ERR_FORMAT,
                                      "%s:%ld: unknown activation function '%s' (n2p2's: l t s p r g c S e h)", s->path,
                                      en->line, w[l]);
                if (l < L - 1) te->activation[l] = a;
                else if (te->activation[l] != a) /* n2p2 leaves the output layer's activation alone */
                    return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                                      "%s:%ld: %s sets the output activation of %s to '%s', "
                                      "but n2p2 ignores that value (it keeps %s); the model's network is "
                                      "ambiguous, so it is refused",
                                      s->path, en->line, kw_eact, w[0], w[l],
                                      te->activation[l] != ACT_UNSET ? kw_act : "it unset and fails");
            }
        }
    }
    for (int e = 0; e < ne; ++e)
        for (int l = 0; l < t[e].n_layers; ++l)
            if (t[e].size[l] == NODES_UNSET || t[e].activation[l] == ACT_UNSET)
                return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: the %s %s network's layer %d has no %s (%s)",
                                  s->path, mlpot_element_symbol(set->z[e]), kind, l,
                                  t[e].size[l] == NODES_UNSET ? "node count" : "activation function",
                                  t[e].size[l] == NODES_UNSET ? kw_nodes : kw_act);
    return MLPOT_OK;
}

/* --- weights ------------------------------------------------------------------------------------ */

/* Reads weights.ZZZ.data. Only the first column counts (as in n2p2), but the annotation n2p2
 * writes after it ("a index l_s n_s l_e n_e" for weights, "b index l_e n_e" for biases) is
 * checked when present, so a file written for another architecture is caught even when the
 * number of values happens to agree. */
static mlpot_status read_weights(nn *net, const char *path, mlpot_error *err)
{
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    char arch[256];
    nn_describe(net, arch, sizeof arch);
    size_t count = 0;
    /* position in n2p2's connection order, to check annotations */
    int layer = 1, j = 0, k = 0, bias = 0;
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        if (r.line[0] == '#' || is_blank(r.line)) continue;
        char *f[16];
        int nf = split_fields(r.line, f, 16);
        double x;
        if ((st = parse_real(f[0], &x, &r, "weight", err))) break;
        if (count >= net->n_params) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                            "%s:%ld: more than the %zu weights and biases the network of input.nn has (%s)", path,
                            r.number, net->n_params, arch);
            break;
        }
        if (nf >= 5 && nf <= 7 && (f[1][0] == 'a' || f[1][0] == 'b') && f[1][1] == '\0') {
            long v[5] = {0, 0, 0, 0, 0};
            for (int c = 2; c < nf && !st; ++c) st = parse_long(f[c], &v[c - 2], &r, "connection index", err);
            if (st) break;
            int ok = v[0] == (long)count + 1;
            if (!bias) ok = ok && f[1][0] == 'a' && nf == 7 && v[1] == layer - 1 && v[2] == j + 1 && v[3] == layer && v[4] == k + 1;
            else ok = ok && f[1][0] == 'b' && nf == 5 && v[1] == layer && v[2] == k + 1;
            if (!ok) {
                st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                                "%s:%ld: connection %zu should be %s (in n2p2's order for the network %s of input.nn), "
                                "but the line says otherwise: the weights were written for another network",
                                path, r.number, count + 1, bias ? "a bias" : "a weight", arch);
                break;
            }
        }
        net->params[count++] = x;
        /* advance: weights j (previous neuron) outer, k inner, then the layer's biases */
        if (!bias) {
            if (++k == net->size[layer]) k = 0, ++j;
            if (j == net->size[layer - 1]) j = 0, bias = 1;
        } else if (++k == net->size[layer]) {
            k = 0, bias = 0, ++layer;
        }
    }
    line_reader_close(&r);
    if (!st && count != net->n_params)
        st = mlpot_fail(err, MLPOT_ERR_FORMAT,
                        "%s: %zu weights and biases, but the network input.nn describes (%s) has %zu; the file was "
                        "written for another network",
                        path, count, arch, net->n_params);
    return st;
}

/* --- 4G-HDNNP electrostatics ------------------------------------------------------------------- */

/* hardness.ZZZ.data: the element's hardness J, one number (comments allowed). */
static mlpot_status read_hardness(const char *path, double *out, mlpot_error *err)
{
    line_reader r;
    mlpot_status st = line_reader_open(&r, path, err);
    if (st) return st;
    int count = 0;
    while (!st) {
        int eof = 0;
        if ((st = line_reader_next(&r, &eof, err)) || eof) break;
        if (r.line[0] == '#' || is_blank(r.line)) continue;
        char *f[4];
        int nf = split_fields(r.line, f, 4);
        for (int k = 0; k < nf && !st; ++k, ++count)
            if (count) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: more than one number (a hardness file holds one)", path, r.number);
            else st = parse_real(f[k], out, &r, "hardness", err);
    }
    line_reader_close(&r);
    if (!st && !count) st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no hardness value", path);
    return st;
}

/* One value per element of the model from lines "KEYWORD El value"; every element needs one. */
static mlpot_status per_element(const n2p2_settings *s, const acsf_set *set, const char *keyword, double *out,
                                mlpot_error *err)
{
    int *seen = calloc((size_t)set->n_elements, sizeof *seen);
    if (!seen) return mlpot_fail_memory(err, "loading a model");
    mlpot_status st = MLPOT_OK;
    for (int k = 0; k < s->n && !st; ++k) {
        if (!n2p2_settings_is(s, k, keyword)) continue;
        const n2p2_entry *e = &s->entries[k];
        char buf[256];
        char *w[4];
        int z = 0;
        if (words(e, buf, sizeof buf, w, 4) != 2 || !(z = mlpot_element_number(w[0])) || set->index[z] < 0)
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: %s needs an element of the model and a value", s->path,
                            e->line, keyword);
        else if (!(st = number(s, e, w[1], &out[set->index[z]], err)))
            seen[set->index[z]] = 1;
    }
    for (int e = 0; e < set->n_elements && !st; ++e)
        if (!seen[e])
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: no %s for element %s (a 4G-HDNNP needs one per element)",
                            s->path, keyword, mlpot_element_symbol(set->z[e]));
    free(seen);
    return st;
}

/* Charge widths, screening, Ewald settings and 4π ε₀ from input.nn; the networks' weights and
 * the hardnesses from their files. Normalised 4G models (n2p2 converts hardness, χ and charges
 * too) are refused rather than half-converted. */
static mlpot_status load_electrostatics(const n2p2_settings *s, const char *folder, const mlpot_nnp_options *opt,
                                        nnp_model *m, mlpot_error *err)
{
    nnp_electrostatics *el = &m->elec;
    const int ne = m->acsf.n_elements;
    if (m->normalize)
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                          "%s: a 4G-HDNNP with data-set normalisation (mean_energy, conv_energy, conv_length) is not "
                          "supported",
                          s->path);
    el->hardness = calloc((size_t)ne, sizeof *el->hardness);
    el->width = calloc((size_t)ne, sizeof *el->width);
    if (!el->hardness || !el->width) return mlpot_fail_memory(err, "loading a model");
    mlpot_status st = per_element(s, &m->acsf, "fixed_gausswidth", el->width, err);
    if (st) return st;
    double max_width = 0;
    for (int e = 0; e < ne; ++e) {
        if (!(el->width[e] > 0))
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: fixed_gausswidth of %s is %g; it must be positive", s->path,
                              mlpot_element_symbol(m->acsf.z[e]), el->width[e]);
        if (el->width[e] > max_width) max_width = el->width[e];
    }
    char buf[512], path[4200];
    char *w[8];
    el->coulomb = 1.0;
    const n2p2_entry *en = n2p2_settings_find(s, "four_pi_epsilon");
    if (en) {
        double v = 0;
        if ((st = number(s, en, en->value, &v, err))) return st;
        if (!(v > 0)) return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: four_pi_epsilon must be positive", s->path, en->line);
        el->coulomb = 1.0 / v;
    }
    if ((en = n2p2_settings_find(s, "screen_electrostatics"))) {
        int nw = words(en, buf, sizeof buf, w, 8);
        if (nw < 2 || nw > 3)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: screen_electrostatics needs inner and outer radius",
                              s->path, en->line);
        if ((st = number(s, en, w[0], &el->screen_inner, err)) || (st = number(s, en, w[1], &el->screen_outer, err)))
            return st;
        if (!(el->screen_inner < el->screen_outer) || el->screen_inner < 0)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: screen_electrostatics: inner radius %g must lie below the outer %g",
                              s->path, en->line, el->screen_inner, el->screen_outer);
        if (nw == 3 && strcmp(w[2], "c"))
            return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED,
                              "%s:%ld: screen_electrostatics core function '%s' is not supported (only the cosine, c)",
                              s->path, en->line, w[2]);
        el->screen = 1;
    }
    el->ewald = (ewald_truncation_settings){EWALD_JACKSON_CATLOW, 1e-6, 1.0, 0.0, el->coulomb, max_width};
    if ((en = n2p2_settings_find(s, "ewald_truncation_error_method"))) {
        if (!strcmp(en->value, "1")) el->ewald.method = EWALD_KOLAFA_PERRAM;
        else if (strcmp(en->value, "0"))
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: ewald_truncation_error_method '%s' (0 or 1)", s->path,
                              en->line, en->value);
    }
    if ((en = n2p2_settings_find(s, "ewald_prec"))) {
        int nw = words(en, buf, sizeof buf, w, 8);
        if (nw < 1 || nw > (el->ewald.method == EWALD_KOLAFA_PERRAM ? 3 : 1))
            return mlpot_fail(err, MLPOT_ERR_FORMAT,
                              "%s:%ld: ewald_prec takes %s for ewald_truncation_error_method %d", s->path, en->line,
                              el->ewald.method == EWALD_KOLAFA_PERRAM ? "1 to 3 values (precision, largest charge, real-space cutoff)"
                                                                      : "one value (precision)",
                              el->ewald.method);
        if ((st = number(s, en, w[0], &el->ewald.accuracy, err))) return st;
        if (nw >= 2 && (st = number(s, en, w[1], &el->ewald.max_charge, err))) return st;
        if (nw == 3 && (st = number(s, en, w[2], &el->ewald.fixed_cutoff, err))) return st;
        if (!(el->ewald.accuracy > 0) || !(el->ewald.max_charge > 0) || el->ewald.fixed_cutoff < 0)
            return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: ewald_prec values must be positive", s->path, en->line);
    } else if (el->ewald.method == EWALD_KOLAFA_PERRAM) {
        return mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: ewald_truncation_error_method 1 needs ewald_prec", s->path);
    }
    if (opt && opt->ewald_accuracy > 0) el->ewald.accuracy = opt->ewald_accuracy;
    if (opt && opt->has_total_charge) el->has_total_charge = 1, el->total_charge = opt->total_charge;
    el->nets = calloc((size_t)ne, sizeof *el->nets);
    topology *t = calloc((size_t)ne, sizeof *t);
    if (!el->nets || !t) {
        free(t);
        return mlpot_fail_memory(err, "loading a model");
    }
    st = topologies(s, &m->acsf, "electrostatic", 0, t, err);
    for (int e = 0; e < ne && !st; ++e)
        st = nn_create(&el->nets[e], t[e].n_layers, t[e].size, t[e].activation, m->nets[0].normalize, err);
    free(t);
    for (int e = 0; e < ne && !st; ++e) {
        struct stat info;
        snprintf(path, sizeof path, "%s/weightse.%03d.data", folder, m->acsf.z[e]);
        if (stat(path, &info) != 0)
            st = mlpot_fail(err, MLPOT_ERR_IO, "%s: missing (the weights of the %s electronegativity network)", path,
                            mlpot_element_symbol(m->acsf.z[e]));
        else
            st = read_weights(&el->nets[e], path, err);
        snprintf(path, sizeof path, "%s/hardness.%03d.data", folder, m->acsf.z[e]);
        if (!st && stat(path, &info) != 0)
            st = mlpot_fail(err, MLPOT_ERR_IO, "%s: missing (the hardness of %s)", path, mlpot_element_symbol(m->acsf.z[e]));
        else if (!st)
            st = read_hardness(path, &el->hardness[e], err);
    }
    return st;
}

/* --- folder --------------------------------------------------------------------------------------- */

static mlpot_status load(const char *folder_arg, const mlpot_nnp_options *opt, int short_weights, nnp_model *m,
                         mlpot_error *err)
{
    memset(m, 0, sizeof *m);
    char folder[4096], path[4200];
    snprintf(folder, sizeof folder, "%s", folder_arg);
    for (size_t len = strlen(folder); len > 1 && folder[len - 1] == '/'; --len) folder[len - 1] = '\0';
    snprintf(path, sizeof path, "%s/input.nn", folder);
    n2p2_settings s;
    mlpot_status st = n2p2_settings_read(path, &s, err);
    if (st) return st;
    m->path = mlpot_strdup(folder);
    m->extrapolation_error = opt ? opt->extrapolation_error : 0;
    if (!m->path) st = mlpot_fail_memory(err, "loading a model");
    if (!st) st = n2p2_settings_check(&s, opt ? opt->ignore_unknown_keywords : 0, err);
    if (!st) st = check_generation(&s, folder, &m->generation, err);
    if (!st) st = acsf_set_from_settings(&s, &m->acsf, err);
    if (st) goto done;
    const int ne = m->acsf.n_elements;
    /* normalisation: all three keywords or none (n2p2 refuses a partial set) */
    const n2p2_entry *me = n2p2_settings_find(&s, "mean_energy"), *ce = n2p2_settings_find(&s, "conv_energy"),
                     *cl = n2p2_settings_find(&s, "conv_length");
    if ((me || ce || cl || n2p2_settings_find(&s, "conv_charge")) && !(me && ce && cl)) {
        st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s: use all or none of mean_energy, conv_energy and conv_length", path);
        goto done;
    }
    if (me) {
        m->normalize = 1;
        if ((st = number(&s, me, me->value, &m->mean_energy, err)) || (st = number(&s, ce, ce->value, &m->conv_energy, err)) ||
            (st = number(&s, cl, cl->value, &m->conv_length, err)))
            goto done;
        if (!(m->conv_energy > 0) || !(m->conv_length > 0)) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: conv_energy and conv_length must be positive", path, ce->line);
            goto done;
        }
    }
    m->offset = calloc((size_t)ne, sizeof *m->offset);
    m->nets = calloc((size_t)ne, sizeof *m->nets);
    topology *t = calloc((size_t)ne, sizeof *t);
    if (!m->offset || !m->nets || !t) {
        free(t);
        st = mlpot_fail_memory(err, "loading a model");
        goto done;
    }
    for (int k = 0; k < s.n && !st; ++k) {
        if (!n2p2_settings_is(&s, k, "atom_energy")) continue;
        char buf[256];
        char *w[4];
        const n2p2_entry *e = &s.entries[k];
        int z = 0;
        if (words(e, buf, sizeof buf, w, 4) != 2 || !(z = mlpot_element_number(w[0])) || m->acsf.index[z] < 0) {
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s:%ld: atom_energy needs an element of the model and an energy",
                            path, e->line);
            break;
        }
        st = number(&s, e, w[1], &m->offset[m->acsf.index[z]], err);
    }
    if (!st) st = topologies(&s, &m->acsf, "short", m->generation == 4 ? 1 : 0, t, err);
    int normalize_nodes = n2p2_settings_find(&s, "normalize_nodes") != NULL;
    for (int e = 0; e < ne && !st; ++e) st = nn_create(&m->nets[e], t[e].n_layers, t[e].size, t[e].activation, normalize_nodes, err);
    free(t);
    if (st) goto done;
    snprintf(path, sizeof path, "%s/scaling.data", folder);
    if ((st = acsf_scaling_read(&m->scaling, &m->acsf, &s, path, err))) goto done;
    for (int e = 0; e < ne && !st; ++e) {
        snprintf(path, sizeof path, "%s/weights.%03d.data", folder, m->acsf.z[e]);
        struct stat info;
        if (stat(path, &info) != 0 && !short_weights) continue;
        if (stat(path, &info) != 0)
            st = mlpot_fail(err, MLPOT_ERR_IO, "%s: missing (the weights of the %s network)", path,
                            mlpot_element_symbol(m->acsf.z[e]));
        else
            st = read_weights(&m->nets[e], path, err);
    }
    /* weight files of elements the model does not list: a sign of a mixed-up folder */
    DIR *d = st ? NULL : opendir(folder);
    struct dirent *de;
    while (d && !st && (de = readdir(d))) {
        int z;
        char tail[16];
        if (sscanf(de->d_name, "weights.%3d.dat%15s", &z, tail) == 2 && !strcmp(tail, "a") &&
            (z < 1 || z > MLPOT_MAX_ELEMENT || m->acsf.index[z] < 0))
            st = mlpot_fail(err, MLPOT_ERR_FORMAT, "%s/%s: weights for element %d (%s), which input.nn does not list",
                            folder, de->d_name, z, z >= 1 && z <= MLPOT_MAX_ELEMENT ? mlpot_element_symbol(z) : "?");
    }
    if (d) closedir(d);
    if (!st && m->generation == 4) st = load_electrostatics(&s, folder, opt, m, err);
done:
    n2p2_settings_free(&s);
    if (st) nnp_model_free(m);
    return st;
}

mlpot_status nnp_model_load(const char *folder, const mlpot_nnp_options *opt, nnp_model *m, mlpot_error *err)
{
    return load(folder, opt, 1, m, err);
}

mlpot_status nnp_model_load_electrostatics(const char *folder, nnp_model *m, mlpot_error *err)
{
    mlpot_status st = load(folder, NULL, 0, m, err);
    if (!st && m->generation != 4) {
        st = mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                        "%s: not a 4G-HDNNP (input.nn lacks nnp_generation 4), so it has no charges to train on", folder);
        nnp_model_free(m);
    }
    return st;
}
