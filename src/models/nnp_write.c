/* Writing a model as an n2p2 folder that n2p2 (nnp-predict, the LAMMPS interface) and mlpot
 * read: input.nn with the model keywords and every symmetry function, scaling.data with the
 * statistics in n2p2's sorted order, weights.ZZZ.data in n2p2's connection order; for a 4G model
 * also the electrostatic keywords, weightse.ZZZ.data and hardness.ZZZ.data. Numbers are
 * written with 17 significant digits, so a written model evaluates exactly as in memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/nnp_model.h"
#include "mlpot/elements.h"

static int same_topology(const nn *a, const nn *b)
{
    if (a->n_layers != b->n_layers || a->normalize != b->normalize) return 0;
    for (int l = 1; l < a->n_layers; ++l)
        if (a->activation[l] != b->activation[l] || (l < a->n_layers - 1 && a->size[l] != b->size[l])) return 0;
    return 1;
}

/* "hidden layers" / "nodes" / "activations" of a network, as input.nn writes them. */
static void topology_words(const nn *net, char *layers, char *nodes, char *acts, size_t size)
{
    snprintf(layers, size, "%d", net->n_layers - 2);
    size_t n = 0, a = 0;
    nodes[0] = acts[0] = '\0';
    for (int l = 1; l < net->n_layers; ++l) {
        if (l < net->n_layers - 1 && n < size) n += (size_t)snprintf(nodes + n, size - n, "%s%d", n ? " " : "", net->size[l]);
        if (a < size) a += (size_t)snprintf(acts + a, size - a, "%s%s", a ? " " : "", nn_activation_letter(net->activation[l]));
    }
}

static mlpot_status write_input_nn(const nnp_model *m, const char *path, const char *comment, mlpot_error *err)
{
    atomic_file f;
    mlpot_status st = atomic_file_open(&f, path, err);
    if (st) return st;
    const nn *first_short = m->nets ? m->nets : m->elec.nets;
    if (m->generation == 4 && m->elec.nets && first_short->normalize != m->elec.nets[0].normalize) {
        atomic_file_abort(&f);
        return mlpot_fail(err, MLPOT_ERR_UNSUPPORTED, "%s: normalize_nodes applies to every network in n2p2, but only some "
                                                      "of this model's networks use it",
                          path);
    }
    FILE *o = f.file;
    if (comment) {
        const char *line = comment;
        while (*line) {
            const char *end = strchr(line, '\n');
            int len = end ? (int)(end - line) : (int)strlen(line);
            fprintf(o, "# %.*s\n", len, line);
            line += len + (end ? 1 : 0);
        }
    }
    const int n_el = m->acsf.n_elements;
    fprintf(o, "number_of_elements %d\nelements", n_el);
    for (int e = 0; e < n_el; ++e) fprintf(o, " %s", mlpot_element_symbol(m->acsf.z[e]));
    fputc('\n', o);
    for (int e = 0; e < n_el; ++e)
        fprintf(o, "atom_energy %s %.17g\n", mlpot_element_symbol(m->acsf.z[e]), m->offset[e]);
    if (m->normalize)
        fprintf(o, "mean_energy %.17g\nconv_energy %.17g\nconv_length %.17g\n", m->mean_energy, m->conv_energy,
                m->conv_length);
    fprintf(o, "cutoff_type %d %.17g\n", m->acsf.cutoff_type, m->acsf.cutoff_alpha);
    const int type = m->scaling.type;
    if (type == ACSF_SCALE || type == ACSF_SCALE_CENTER) fputs("scale_symmetry_functions\n", o);
    if (type == ACSF_CENTER || type == ACSF_SCALE_CENTER) fputs("center_symmetry_functions\n", o);
    if (type == ACSF_SCALE_SIGMA) fputs("scale_symmetry_functions_sigma\n", o);
    if (type != ACSF_SCALE_NONE && type != ACSF_CENTER)
        fprintf(o, "scale_min_short %.17g\nscale_max_short %.17g\n", m->scaling.smin, m->scaling.smax);
    /* a 4G model between the training stages has no short-range networks yet: their topology
     * is written as that of the electronegativity networks */
    const nn *shorts = m->nets ? m->nets : m->elec.nets;
    if (shorts[0].normalize) fputs("normalize_nodes\n", o);
    char layers[64], nodes[1024], acts[1024];
    topology_words(&shorts[0], layers, nodes, acts, sizeof nodes);
    fprintf(o, "global_hidden_layers_short %s\nglobal_nodes_short %s\nglobal_activation_short %s\n", layers, nodes, acts);
    if (m->generation == 4) {
        const nnp_electrostatics *el = &m->elec;
        fputs("nnp_generation 4\n", o);
        topology_words(&el->nets[0], layers, nodes, acts, sizeof nodes);
        fprintf(o, "global_hidden_layers_electrostatic %s\nglobal_nodes_electrostatic %s\nglobal_activation_electrostatic %s\n",
                layers, nodes, acts);
        for (int e = 0; e < n_el; ++e)
            fprintf(o, "fixed_gausswidth %s %.17g\n", mlpot_element_symbol(m->acsf.z[e]), el->width[e]);
        if (el->screen) fprintf(o, "screen_electrostatics %.17g %.17g\n", el->screen_inner, el->screen_outer);
        fprintf(o, "four_pi_epsilon %.17g\n", 1.0 / el->coulomb);
        fprintf(o, "ewald_truncation_error_method %d\n", el->ewald.method);
        if (el->ewald.method == EWALD_KOLAFA_PERRAM)
            fprintf(o, "ewald_prec %.17g %.17g %.17g\n", el->ewald.accuracy, el->ewald.max_charge, el->ewald.fixed_cutoff);
        else
            fprintf(o, "ewald_prec %.17g\n", el->ewald.accuracy);
    }
    for (int e = 1; e < n_el; ++e) /* per-element networks where they differ */
        if (!same_topology(&shorts[e], &shorts[0])) {
            const char *sym = mlpot_element_symbol(m->acsf.z[e]);
            topology_words(&shorts[e], layers, nodes, acts, sizeof nodes);
            fprintf(o, "element_hidden_layers_short %s %s\nelement_nodes_short %s %s\nelement_activation_short %s %s\n", sym,
                    layers, sym, nodes, sym, acts);
        }
    for (int e = 1; m->generation == 4 && e < n_el; ++e)
        if (!same_topology(&m->elec.nets[e], &m->elec.nets[0])) {
            const char *sym = mlpot_element_symbol(m->acsf.z[e]);
            topology_words(&m->elec.nets[e], layers, nodes, acts, sizeof nodes);
            fprintf(o,
                    "element_hidden_layers_electrostatic %s %s\nelement_nodes_electrostatic %s %s\n"
                    "element_activation_electrostatic %s %s\n",
                    sym, layers, sym, nodes, sym, acts);
        }
    char line[512];
    for (int e = 0; e < n_el; ++e)
        for (int k = 0; k < m->acsf.elements[e].n; ++k) {
            acsf_fn_format(&m->acsf, &m->acsf.elements[e].fn[k], line, sizeof line);
            fprintf(o, "symfunction_short %s\n", line);
        }
    return atomic_file_commit(&f, err);
}

static mlpot_status write_scaling(const nnp_model *m, const char *path, mlpot_error *err)
{
    atomic_file f;
    mlpot_status st = atomic_file_open(&f, path, err);
    if (st) return st;
    fputs("# Symmetry function scaling data: element, function (n2p2's sorted order), min, max, mean, sigma\n", f.file);
    for (int e = 0; e < m->acsf.n_elements; ++e) {
        const acsf_scaling_element *el = &m->scaling.elements[e];
        for (int k = 0; k < m->acsf.elements[e].n; ++k)
            fprintf(f.file, "%4d %9d %24.16E %24.16E %24.16E %24.16E\n", e + 1, k + 1, el->gmin[k], el->gmax[k], el->gmean[k],
                    el->gsigma[k]);
    }
    return atomic_file_commit(&f, err);
}

static mlpot_status write_weights(const nn *net, const char *path, mlpot_error *err)
{
    atomic_file f;
    mlpot_status st = atomic_file_open(&f, path, err);
    if (st) return st;
    fputs("# Neural network connection values: value, a (weight) or b (bias), index, then the layer and neuron\n"
          "# it starts from and the layer and neuron it ends at (biases: the layer and neuron)\n",
          f.file);
    long count = 0;
    for (int l = 1; l < net->n_layers; ++l) {
        const double *w = net->params + net->weight_offset[l], *b = net->params + net->bias_offset[l];
        for (int j = 0; j < net->size[l - 1]; ++j)
            for (int k = 0; k < net->size[l]; ++k)
                fprintf(f.file, "%24.16E a %9ld %5d %5d %5d %5d\n", w[(size_t)j * net->size[l] + k], ++count, l - 1, j + 1, l,
                        k + 1);
        for (int k = 0; k < net->size[l]; ++k) fprintf(f.file, "%24.16E b %9ld %5d %5d\n", b[k], ++count, l, k + 1);
    }
    return atomic_file_commit(&f, err);
}

static mlpot_status write_hardness(double hardness, const char *path, mlpot_error *err)
{
    atomic_file f;
    mlpot_status st = atomic_file_open(&f, path, err);
    if (st) return st;
    fprintf(f.file, "%24.16E\n", hardness);
    return atomic_file_commit(&f, err);
}

mlpot_status nnp_model_write(const nnp_model *m, const char *folder, const char *comment, mlpot_error *err)
{
    if (mkdir(folder, 0777) != 0 && errno != EEXIST)
        return mlpot_fail(err, MLPOT_ERR_IO, "%s: cannot create the model folder: %s", folder, strerror(errno));
    char path[4200];
    mlpot_status st = MLPOT_OK;
    /* the networks and statistics first, input.nn last: a folder with a new input.nn is complete */
    for (int e = 0; e < m->acsf.n_elements && !st && m->nets; ++e) {
        snprintf(path, sizeof path, "%s/weights.%03d.data", folder, m->acsf.z[e]);
        st = write_weights(&m->nets[e], path, err);
    }
    for (int e = 0; e < m->acsf.n_elements && !st && m->generation == 4; ++e) {
        snprintf(path, sizeof path, "%s/weightse.%03d.data", folder, m->acsf.z[e]);
        st = write_weights(&m->elec.nets[e], path, err);
        snprintf(path, sizeof path, "%s/hardness.%03d.data", folder, m->acsf.z[e]);
        if (!st) st = write_hardness(m->elec.hardness[e], path, err);
    }
    snprintf(path, sizeof path, "%s/scaling.data", folder);
    if (!st) st = write_scaling(m, path, err);
    snprintf(path, sizeof path, "%s/input.nn", folder);
    if (!st) st = write_input_nn(m, path, comment, err);
    return st;
}
