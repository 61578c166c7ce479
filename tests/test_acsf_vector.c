/* The vectorised symmetry-function kernels (acsf_radial.c, acsf_angular.c: values and
 * back-propagation of types 2, 3, 9, 12, 13) against the general kernel of acsf_kernels.c,
 * which computes the full Jacobian: per atom, the same values and Σ_g w_g dG_g/dd for random
 * weights w. Synthetic sets cover every exponential type with every cutoff type and shift; the
 * n2p2 example models cover real parameter sets (and the cache between the two passes). */
#include "harness.h"

#include "descriptors/acsf_set.h"
#include "models/nnp_model.h"

/* Largest difference between the two paths over the (first 150) atoms of s, relative to the
 * largest value or gradient component of the atom. The vectorised kernels may fuse
 * multiply-adds, so the paths agree to rounding, not bitwise. */
static double compare_paths(const acsf_set *set, const mlpot_structure *s, unsigned long long seed)
{
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, set->rmax, 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
    size_t max_entries = 0;
    int max_fn = 0;
    for (int i = 0; i < s->n_atoms; ++i)
        if (nl.offsets[i + 1] - nl.offsets[i] > max_entries) max_entries = nl.offsets[i + 1] - nl.offsets[i];
    for (int e = 0; e < set->n_elements; ++e)
        if (set->elements[e].n > max_fn) max_fn = set->elements[e].n;
    double *work = malloc(acsf_work_size(set, max_entries) + 64);
    double *G1 = calloc((size_t)max_fn, sizeof *G1), *G2 = calloc((size_t)max_fn, sizeof *G2);
    double *w = calloc((size_t)max_fn, sizeof *w);
    double *jac = calloc((size_t)max_fn * max_entries * 3 + 1, sizeof *jac);
    double *g1 = calloc(max_entries * 3 + 1, sizeof *g1), *g2 = calloc(max_entries * 3 + 1, sizeof *g2);
    acsf_cache cache = {malloc(1 << 20), (1 << 20) / sizeof(double), 0, 0};
    double worst = 0.0;
    for (int i = 0; i < s->n_atoms && i < 150; ++i) { /* enough atoms of every element */
        int ei = set->index[s->numbers[i]];
        if (ei < 0) continue;
        const int n = set->elements[ei].n, n_e = (int)(nl.offsets[i + 1] - nl.offsets[i]);
        for (int g = 0; g < n; ++g) w[g] = test_random(&seed) - 0.5;
        memset(G1, 0, (size_t)n * sizeof *G1);
        memset(G2, 0, (size_t)n * sizeof *G2);
        memset(g1, 0, (size_t)n_e * 3 * sizeof *g1);
        memset(g2, 0, (size_t)n_e * 3 * sizeof *g2);
        memset(jac, 0, (size_t)n * n_e * 3 * sizeof *jac);
        acsf_cache *c = i % 3 ? &cache : NULL; /* with and without the values pass's cache */
        acsf_atom(set, ei, s, &nl, i, ACSF_VALUES, G1, NULL, NULL, NULL, work, c);
        acsf_atom(set, ei, s, &nl, i, ACSF_BACKPROP, NULL, NULL, w, g1, work, c);
        acsf_atom(set, ei, s, &nl, i, ACSF_VALUES | ACSF_JACOBIAN, G2, jac, NULL, NULL, work, NULL);
        double gmax = 1e-300, dmax = 0.0, fbig = 1e-300;
        for (int g = 0; g < n; ++g) {
            gmax = fmax(gmax, fabs(G2[g]));
            dmax = fmax(dmax, fabs(G1[g] - G2[g]));
        }
        worst = fmax(worst, dmax / gmax);
        for (int g = 0; g < n; ++g)
            for (int k = 0; k < n_e * 3; ++k) g2[k] += w[g] * jac[(size_t)g * n_e * 3 + k];
        dmax = 0.0;
        for (int k = 0; k < n_e * 3; ++k) {
            fbig = fmax(fbig, fabs(g2[k]));
            dmax = fmax(dmax, fabs(g1[k] - g2[k]));
        }
        worst = fmax(worst, dmax / fbig);
    }
    free(cache.data);
    free(work);
    free(G1), free(G2), free(w), free(jac), free(g1), free(g2);
    mlpot_neighbour_list_free(&nl);
    return worst;
}

static void synthetic_sets(void)
{
    static const char *const lines[] = {
        "H 2 H 0.5 0.0 4.6",         "H 2 O 0.3 1.0 4.6",        "H 2 O 1.2 1.4 4.6",
        "O 2 O 0.2 0.5 4.6",         "H 3 H O 0.1 1.0 1.0 4.6",  "H 3 O O 0.05 -1.0 4.0 4.6",
        "H 3 O O 0.3 1.0 2.5 4.6 0.7", "O 3 H H 0.02 1.0 16.0 4.6", "O 9 H O 0.1 -1.0 2.0 4.6",
        "O 9 H H 0.07 1.0 1.0 4.6",  "O 9 O O 0.2 1.0 3.0 4.6 0.5", "H 12 0.3 0.2 4.6",
        "O 12 0.1 0.0 4.6",          "H 13 0.05 0.0 1.0 2.0 4.6", "O 13 0.02 0.3 -1.0 5.5 4.6",
        "O 3 H O 0.01 1.0 1.0 3.9",  "O 2 H 0.4 0.0 3.9",
    };
    const int n_lines = (int)(sizeof lines / sizeof *lines);
    acsf_line defs[sizeof lines / sizeof *lines];
    for (int k = 0; k < n_lines; ++k) defs[k] = (acsf_line){lines[k], k + 1};
    const char *elements[] = {"O", "H"};
    const double cell[9] = {7.1, 0.0, 0.0, 0.6, 6.8, 0.0, -0.4, 0.3, 7.3};
    const int pbc[3] = {1, 1, 1}, species[2] = {1, 8};
    mlpot_structure s;
    mlpot_structure_init(&s);
    test_random_structure(&s, 40, species, 2, cell, pbc, 0.8, 11);
    for (int type = 0; type <= 8; ++type)
        for (int k = 0; k < 2; ++k) {
            double alpha = k ? 0.3 : 0.0;
            if (k && (type == 0 || type == 2 || type == 3)) continue; /* hard, tanh: no shift */
            acsf_set set;
            CHECK_OK(acsf_set_build(&set, elements, 2, defs, n_lines, type, alpha, 1.0, "synthetic", &test_err));
            double d = compare_paths(&set, &s, 5 + (unsigned long long)type);
            char what[64];
            snprintf(what, sizeof what, "cutoff type %d alpha %g", type, alpha);
            CHECK(d < 1e-11, "%s: vectorised and general kernels differ by %.3g (relative)", what, d);
            acsf_set_free(&set);
        }
    mlpot_structure_free(&s);
}

static void n2p2_models(void)
{
    const char *names[] = {"H2O_RPBE-D3", "Cu2S_PBE", "DMABN_SCAN", "Anisole_SCAN", "Ethylbenzene_SCAN"};
    for (size_t k = 0; k < sizeof names / sizeof *names; ++k) {
        char rel[256];
        snprintf(rel, sizeof rel, "n2p2/examples/nnp-predict/%s", names[k]);
        char folder[4096], input[4200];
        snprintf(folder, sizeof folder, "%s", test_shared_path(rel));
        snprintf(input, sizeof input, "%s/input.data", folder);
        mlpot_nnp_options opt = {0};
        nnp_model m;
        CHECK_OK(nnp_model_load(folder, &opt, &m, &test_err));
        mlpot_io_options io;
        mlpot_io_options_default(&io);
        io.format = MLPOT_FORMAT_N2P2;
        mlpot_dataset d;
        mlpot_dataset_init(&d);
        CHECK_OK(mlpot_dataset_read(input, &io, &d, &test_err));
        double diff = compare_paths(&m.acsf, &d.frames[0], 3 + k);
        CHECK(diff < 1e-11, "%s: vectorised and general kernels differ by %.3g (relative)", names[k], diff);
        mlpot_dataset_free(&d);
        nnp_model_free(&m);
    }
}

int main(void)
{
    synthetic_sets();
    n2p2_models();
    return test_finish("test_acsf_vector");
}
