/* n2p2 models: parity with n2p2's own predictions, the published SCAN energies, outputs through
 * the potential interface (per-atom sums, virial, units wrapper, extrapolation counts), thread-
 * count independence, and refusal of broken or unsupported model folders (tests/data/nnp_bad). */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define PREDICT "n2p2/examples/nnp-predict/"

static mlpot_potential *load(const char *spec)
{
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_potential_load(spec, &p, &test_err));
    return p;
}

/* n2p2's energy and forces (reference_predictions.txt, n2p2 test/cpp/ExamplePrediction.h). */
typedef struct reference {
    double energy;
    int n;
    double *forces;
} reference;

static reference read_reference(const char *example)
{
    reference ref = {0, 0, NULL};
    FILE *f = fopen(test_shared_path("n2p2/reference_predictions.txt"), "r");
    CHECK(f != NULL, "reference_predictions.txt");
    if (!f) exit(1);
    char line[512];
    int inside = 0, cap = 0;
    while (fgets(line, sizeof line, f)) {
        char name[128];
        if (sscanf(line, "example %127s", name) == 1) {
            inside = !strcmp(name, example);
            continue;
        }
        if (!inside) continue;
        double x, y, z;
        if (sscanf(line, "energy %lf", &x) == 1) ref.energy = x;
        else if (sscanf(line, "force %lf %lf %lf", &x, &y, &z) == 3) {
            if (ref.n == cap) ref.forces = realloc(ref.forces, 3 * sizeof(double) * (size_t)(cap = cap ? 2 * cap : 256));
            ref.forces[3 * ref.n] = x, ref.forces[3 * ref.n + 1] = y, ref.forces[3 * ref.n + 2] = z;
            ++ref.n;
        }
    }
    fclose(f);
    CHECK(ref.n > 0, "no reference for %s", example);
    return ref;
}

static void parity(const char *example)
{
    char folder[4096], data[4200];
    snprintf(folder, sizeof folder, "%s", test_shared_path(PREDICT));
    strncat(folder, example, sizeof folder - strlen(folder) - 1);
    snprintf(data, sizeof data, "%s/input.data", folder);
    mlpot_structure s = test_read_n2p2_first(data);
    reference ref = read_reference(example);
    mlpot_potential *p = load(folder);
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES, &r, &test_err));
    CHECK(ref.n == s.n_atoms, "%s: %d reference forces for %d atoms", example, ref.n, s.n_atoms);
    double rel = fabs(r.energy - ref.energy) / fabs(ref.energy), worst = 0;
    for (int k = 0; k < 3 * s.n_atoms && ref.n == s.n_atoms; ++k) worst = fmax(worst, fabs(r.forces[k] - ref.forces[k]));
    printf("%-12s energy %.17g (n2p2 %.17g, relative error %.2e), max |dF| %.2e\n", example, r.energy, ref.energy,
           rel, worst);
    CHECK(rel <= 1e-10, "%s: energy relative error %.3g", example, rel);
    CHECK(worst <= 1e-9, "%s: force error %.3g", example, worst);
    mlpot_result_free(&r);
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
    free(ref.forces);
}


static const char *example_folder(const char *example)
{
    static char folder[4096];
    snprintf(folder, sizeof folder, "%s%s", test_shared_path(PREDICT), example);
    return folder;
}

static mlpot_structure example_structure(const char *example)
{
    char data[4200];
    snprintf(data, sizeof data, "%s/input.data", example_folder(example));
    return test_read_n2p2_first(data);
}

/* The 2G SCAN models without reference forces: the energies n2p2 gives (README_4g.md §4). */
static void scan_energies(void)
{
    static const struct {
        const char *example;
        double energy;
    } cases[] = {{"Anisole_SCAN", -967.49614724733078}, {"Ethylbenzene_SCAN", -821.98742206281679}};
    for (int k = 0; k < 2; ++k) {
        mlpot_structure s = example_structure(cases[k].example);
        mlpot_potential *p = load(example_folder(cases[k].example));
        mlpot_result r;
        mlpot_result_init(&r);
        CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES, &r, &test_err));
        double rel = fabs(r.energy - cases[k].energy) / fabs(cases[k].energy);
        printf("%-17s energy %.17g (n2p2 %.17g, relative error %.2e)\n", cases[k].example, r.energy, cases[k].energy, rel);
        CHECK(rel <= 1e-10, "%s: energy relative error %.3g", cases[k].example, rel);
        mlpot_result_free(&r);
        mlpot_potential_free(p);
        mlpot_structure_free(&s);
    }
}

/* Outputs on the water box: per-atom sums, virial against strain differences (forces are
 * checked against n2p2 above), thread-count independence, and the units wrapper. */
static void water_outputs(void)
{
    mlpot_structure s = example_structure("H2O_RPBE-D3");
    mlpot_potential *p = load(example_folder("H2O_RPBE-D3"));
    const unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES |
                         MLPOT_OUT_ATOM_VIRIALS | MLPOT_OUT_EXTRAPOLATION;
    mlpot_result r[2];
    for (int t = 0; t < 2; ++t) {
#ifdef _OPENMP
        omp_set_num_threads(t + 1);
#endif
        mlpot_result_init(&r[t]);
        CHECK_OK(mlpot_potential_evaluate(p, &s, all, &r[t], &test_err));
    }
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    const size_t n = (size_t)s.n_atoms;
    int same = r[0].energy == r[1].energy && !memcmp(r[0].forces, r[1].forces, 3 * n * sizeof(double)) &&
               !memcmp(r[0].virial, r[1].virial, sizeof r[0].virial) &&
               !memcmp(r[0].atom_energies, r[1].atom_energies, n * sizeof(double)) &&
               !memcmp(r[0].atom_virials, r[1].atom_virials, 9 * n * sizeof(double));
    CHECK(same, "1 and 2 threads give different results");
    double esum = 0, wsum[9] = {0}, fsum[3] = {0};
    for (size_t i = 0; i < n; ++i) {
        esum += r[0].atom_energies[i];
        for (int q = 0; q < 9; ++q) wsum[q] += r[0].atom_virials[9 * i + q];
        for (int c = 0; c < 3; ++c) fsum[c] += r[0].forces[3 * i + c];
    }
    CHECK_CLOSE(esum, r[0].energy, 1e-10 * fabs(r[0].energy), "per-atom energies sum to the energy");
    double wdiff = 0, wmax = 0, fnet = fabs(fsum[0]) + fabs(fsum[1]) + fabs(fsum[2]);
    for (int q = 0; q < 9; ++q) wdiff = fmax(wdiff, fabs(wsum[q] - r[0].virial[q])), wmax = fmax(wmax, fabs(r[0].virial[q]));
    CHECK(wdiff <= 1e-12 * fmax(1.0, wmax), "per-atom virials sum to the virial (%.3g)", wdiff);
    CHECK(fnet <= 1e-11, "net force %.3g", fnet);
    /* the virial from strained copies (a strain h moves atoms by up to 42 h Bohr: h = 1e-5 keeps
     * the truncation error below 1e-7); differences of a 2.8e4 Ha energy carry a rounding noise of
     * about 10 eps |E| / h. The synthetic models below check derivatives without that noise. */
    double h = 1e-5, noise = 10 * 2.2e-16 * fabs(r[0].energy) / h;
    double wmax2 = 0, werr = test_virial_fd_error(p, &s, h, &wmax2);
    CHECK(werr <= 1e-7 * fmax(1.0, wmax2) + noise, "virial FD error %.3g (virial up to %.3g)", werr, wmax2);
    printf("water box: threads 1/2 bitwise %s; sums ok; virial FD error %.1e (of %.1e)\n",
           same ? "identical" : "DIFFERENT", werr, wmax2);
    /* in eV and Å through the units wrapper: the same numbers times the factors */
    char spec[4200];
    snprintf(spec, sizeof spec, "%s,energy_unit=Hartree,length_unit=Bohr", example_folder("H2O_RPBE-D3"));
    mlpot_potential *q = load(spec);
    mlpot_structure u;
    mlpot_structure_init(&u);
    CHECK_OK(mlpot_structure_copy(&u, &s, &test_err));
    for (size_t k = 0; k < 3 * n; ++k) u.positions[k] *= MLPOT_BOHR_ANGSTROM;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) u.cell[a][b] *= MLPOT_BOHR_ANGSTROM;
    mlpot_result ru;
    mlpot_result_init(&ru);
    CHECK_OK(mlpot_potential_evaluate(q, &u, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES, &ru, &test_err));
    CHECK_CLOSE(ru.energy, r[0].energy * MLPOT_HARTREE_EV, 1e-10 * fabs(ru.energy), "energy in eV");
    double fu = 0;
    for (size_t k = 0; k < 3 * n; ++k)
        fu = fmax(fu, fabs(ru.forces[k] - r[0].forces[k] * MLPOT_HARTREE_PER_BOHR_EV_PER_ANGSTROM));
    CHECK(fu <= 1e-9, "forces in eV/Å differ by %.3g", fu);
    CHECK(mlpot_potential_cutoff(q) == 12.0 * MLPOT_BOHR_ANGSTROM, "cutoff in Å %.17g", mlpot_potential_cutoff(q));
    mlpot_result_free(&ru);
    mlpot_structure_free(&u);
    mlpot_potential_free(q);
    for (int k = 0; k < 2; ++k) mlpot_result_free(&r[k]);
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
}

/* Extrapolation: counts through MLPOT_OUT_EXTRAPOLATION agree with the detailed records; two
 * water molecules pushed together (O-O 2.5 Bohr) extrapolate; extrapolation=error fails naming
 * the atoms. */
static void extrapolation(void)
{
    mlpot_structure s = example_structure("H2O_RPBE-D3");
    mlpot_potential *p = load(example_folder("H2O_RPBE-D3"));
    /* as shipped, n2p2's nnp-predict writes no extrapolation warning for this box */
    mlpot_nnp_extrapolation *x = NULL;
    size_t count = 0;
    CHECK_OK(mlpot_nnp_extrapolations(p, &s, &x, &count, &test_err));
    CHECK(count == 0 && x == NULL, "%zu extrapolations in the shipped box", count);
    double shift[3];
    for (int c = 0; c < 3; ++c) shift[c] = s.positions[c] - s.positions[27 + c]; /* molecule 4 (atoms 9-11) onto 1 */
    double dd = sqrt(shift[0] * shift[0] + shift[1] * shift[1] + shift[2] * shift[2]);
    for (int i = 9; i < 12; ++i)
        for (int c = 0; c < 3; ++c) s.positions[3 * i + c] += shift[c] * (1.0 - 2.5 / dd);
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_EXTRAPOLATION, &r, &test_err));
    CHECK_OK(mlpot_nnp_extrapolations(p, &s, &x, &count, &test_err));
    long total = 0;
    int atoms = 0, consistent = 1;
    for (int i = 0; i < s.n_atoms; ++i) total += r.atom_extrapolations[i], atoms += r.atom_extrapolations[i] > 0;
    for (size_t k = 0; k < count; ++k) {
        consistent &= x[k].value < x[k].min || x[k].value > x[k].max;
        consistent &= r.atom_extrapolations[x[k].atom] > 0;
    }
    CHECK(total > 0 && (size_t)total == count && consistent, "extrapolation counts %ld, records %zu", total, count);
    printf("two molecules pushed together: %d atoms extrapolate, %ld symmetry functions outside scaling.data\n", atoms,
           total);
    CHECK(r.atom_extrapolations[0] > 0 && r.atom_extrapolations[9] > 0, "the two oxygens extrapolate");
    /* n2p2 (nnp-predict of commit 61daa0d, run on this structure written as input.data) prints
     * exactly these 20 warnings (1-based atom, symmetry function in its sorted order) and the
     * energy -2.7564448840308200E+04 Ha */
    static const int n2p2_warnings[20][2] = {{1, 13},  {1, 15},  {2, 11},  {2, 13},  {2, 15},  {2, 16}, {2, 25},
                                             {2, 27},  {3, 27},  {10, 13}, {10, 15}, {11, 11}, {11, 13}, {11, 15},
                                             {11, 16}, {11, 25}, {11, 27}, {12, 16}, {12, 27}, {865, 17}};
    int agree = count == 20;
    for (size_t k = 0; k < count && agree; ++k)
        agree = x[k].atom + 1 == n2p2_warnings[k][0] && x[k].function + 1 == n2p2_warnings[k][1];
    CHECK(agree, "extrapolating (atom, function) pairs differ from n2p2's warnings");
    CHECK_CLOSE(r.energy, -2.7564448840308200E+04, 1e-10 * 2.8e4, "energy of the defect (n2p2)");
    if (count) {
        char buf[256];
        CHECK_OK(mlpot_nnp_describe_function(p, s.numbers[x[0].atom], x[0].function, buf, sizeof buf, &test_err));
        CHECK(strstr(buf, "line ") != NULL, "description '%s'", buf);
    }
    free(x);
    char spec[4200];
    snprintf(spec, sizeof spec, "%s,extrapolation=error", example_folder("H2O_RPBE-D3"));
    mlpot_potential *q = load(spec);
    CHECK_FAILS(mlpot_potential_evaluate(q, &s, MLPOT_OUT_ENERGY, &r, &test_err), MLPOT_ERR_NUMERIC, "extrapolates");
    CHECK(strstr(test_err.message, "atom ") != NULL, "message names atoms: %s", test_err.message);
    mlpot_potential_free(q);
    /* a unit-wrapped model has no details */
    snprintf(spec, sizeof spec, "%s,energy_unit=Hartree,length_unit=Bohr", example_folder("H2O_RPBE-D3"));
    q = load(spec);
    CHECK_FAILS(mlpot_nnp_extrapolations(q, &s, &x, &count, &test_err), MLPOT_ERR_ARGUMENT, "not an n2p2 model");
    mlpot_potential_free(q);
    mlpot_result_free(&r);
    mlpot_potential_free(p);
    mlpot_structure_free(&s);
}

static void refused(void)
{
    /* (4G models: tests/test_nnp_4g.c) a structure with an element the model lacks */
    mlpot_potential *p = load(example_folder("H2O_RPBE-D3"));
    mlpot_structure s = example_structure("H2O_RPBE-D3");
    s.numbers[1] = 6;
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_FAILS(mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY, &r, &test_err), MLPOT_ERR_UNSUPPORTED,
                "atom 2 is C (Z=6)");
    CHECK(strstr(test_err.message, "it handles: H O") != NULL, "message lists the elements: %s", test_err.message);
    mlpot_result_free(&r);
    mlpot_structure_free(&s);
    mlpot_potential_free(p);
}

static void bad_folders(void)
{
    static const struct {
        const char *folder;
        mlpot_status status;
        const char *file, *needle;
    } cases[] = {
        {"wrong_weight_count", MLPOT_ERR_FORMAT, "weights.008.data: ", "10 weights and biases, but the network input.nn describes (3-2-1 t l) has 11"},
        {"too_many_weights", MLPOT_ERR_FORMAT, "weights.001.data:6: ", "written for another network"},
        {"weights_for_other_network", MLPOT_ERR_FORMAT, "weights.001.data:5: ", "connection 2 should be a weight"},
        {"weights_unknown_element", MLPOT_ERR_FORMAT, "weights.006.data: ", "element 6 (C), which input.nn does not list"},
        {"missing_weights", MLPOT_ERR_IO, "weights.001.data: ", "missing"},
        {"weight_not_a_number", MLPOT_ERR_FORMAT, "weights.008.data:9: ", "'0.1e' is not a number"},
        {"unknown_keyword", MLPOT_ERR_FORMAT, "input.nn:6: ", "unknown keyword 'cuttoff_radius'"},
        {"unknown_sf_type", MLPOT_ERR_FORMAT, "input.nn:18: ", "symmetry function type '4' is unknown"},
        {"scaling_too_short", MLPOT_ERR_FORMAT, "scaling.data: ", "does not match the symmetry functions"},
        {"scaling_too_long", MLPOT_ERR_FORMAT, "scaling.data:10: ", "more lines than the 6 symmetry functions"},
        {"scaling_wrong_order", MLPOT_ERR_FORMAT, "scaling.data:7: ", "expected element 2 (O), symmetry function 1"},
        {"unknown_activation", MLPOT_ERR_FORMAT, "input.nn:12: ", "unknown activation function 'q'"},
        {"partial_normalisation", MLPOT_ERR_FORMAT, "input.nn: ", "all or none of mean_energy, conv_energy and conv_length"},
        {"element_nodes_ignored_by_n2p2", MLPOT_ERR_UNSUPPORTED, "input.nn:12: ", "n2p2 ignores that value"},
        {"nnp_type_4", MLPOT_ERR_FORMAT, "weights.001.data:10: ", "written for another network"},
        {"hardness_file", MLPOT_ERR_FORMAT, "hardness.001.data: ", "does not say nnp_generation 4"},
    };
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_potential_load(test_data_path("nnp_bad/good"), &p, &test_err));
    mlpot_potential_free(p);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        char folder[4096], file[4200];
        snprintf(folder, sizeof folder, "%s", test_data_path("nnp_bad/"));
        strncat(folder, cases[k].folder, sizeof folder - strlen(folder) - 1);
        snprintf(file, sizeof file, "%s/%s", folder, cases[k].file);
        p = NULL;
        CHECK_FAILS(mlpot_potential_load(folder, &p, &test_err), cases[k].status, cases[k].needle);
        CHECK(strstr(test_err.message, file) != NULL, "%s: message '%s' does not name '%s'", cases[k].folder,
              test_err.message, file);
        CHECK(p == NULL, "no potential");
    }
    /* the unknown keyword is accepted when asked */
    char spec[4200];
    snprintf(spec, sizeof spec, "%s,unknown_keywords=ignore", test_data_path("nnp_bad/unknown_keyword"));
    p = NULL;
    CHECK_OK(mlpot_potential_load(spec, &p, &test_err));
    mlpot_potential_free(p);
}

/* --- synthetic models -------------------------------------------------------------------------- */

/* A model folder written from its input.nn text: scaling.data from made-up statistics and random
 * weights for the architecture the text describes (via the descriptor's function counts). */
static void write_model(const char *dir, const char *input_nn, const int *hidden, int n_hidden,
                        unsigned long long seed, double weight_scale)
{
    char path[4200];
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/input.nn", dir);
    FILE *f = fopen(path, "w");
    fputs(input_nn, f);
    fclose(f);
    mlpot_descriptor *d = NULL;
    CHECK_OK(mlpot_acsf_parse(input_nn, &d, &test_err));
    snprintf(path, sizeof path, "%s/scaling.data", dir);
    f = fopen(path, "w");
    int zs[2] = {0, 0}, ne = 0;
    for (int z = 1; z <= 118 && ne < 2; ++z)
        if (mlpot_descriptor_n_features(d, z) > 0) zs[ne++] = z;
    for (int e = 0; e < ne; ++e)
        for (int k = 0; k < mlpot_descriptor_n_features(d, zs[e]); ++k)
            fprintf(f, "%d %d %.17g %.17g %.17g %.17g\n", e + 1, k + 1, 0.01 * k, 1.0 + 0.3 * k, 0.2 + 0.1 * k, 0.4 + 0.05 * k);
    fclose(f);
    unsigned long long rng = seed;
    for (int e = 0; e < ne; ++e) {
        snprintf(path, sizeof path, "%s/weights.%03d.data", dir, zs[e]);
        f = fopen(path, "w");
        int sizes[16];
        sizes[0] = mlpot_descriptor_n_features(d, zs[e]);
        for (int l = 0; l < n_hidden; ++l) sizes[l + 1] = hidden[l];
        sizes[n_hidden + 1] = 1;
        int count = 0;
        for (int l = 1; l <= n_hidden + 1; ++l) count += sizes[l] * (sizes[l - 1] + 1);
        for (int k = 0; k < count; ++k) fprintf(f, "%.17g\n", weight_scale * (2.0 * test_random(&rng) - 1.0));
        fclose(f);
    }
    mlpot_descriptor_free(d);
}

static void remove_model(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "removing %s", dir);
}

/* Finite differences of forces and virial for models using every symmetry-function type, every
 * activation function and each scaling type, with normalisation and atomic energies. */
static void synthetic_derivatives(void)
{
    static const char *const sfs =
        "symfunction_short O 2 H 0.3 0.0 4.5\nsymfunction_short O 2 O 0.2 1.0 4.5\n"
        "symfunction_short O 3 H H 0.05 1.0 2.0 4.5\nsymfunction_short O 9 H O 0.03 -1.0 1.0 4.5 0.4\n"
        "symfunction_short O 12 0.1 0.0 4.5\nsymfunction_short O 13 0.02 0.0 -1.0 3.0 4.5\n"
        "symfunction_short O 20 H 0.0 4.5 p2\nsymfunction_short O 21 H H -4.5 4.5 40.0 160.0 p3\n"
        "symfunction_short O 22 H O 0.5 4.5 0.0 180.0 p2a\nsymfunction_short O 23 0.0 4.5 p4\n"
        "symfunction_short O 24 -4.5 4.5 -90.0 90.0 e\nsymfunction_short O 25 0.0 4.5 90.0 270.0 p1\n"
        "symfunction_short H 2 H 0.3 0.0 4.5\nsymfunction_short H 2 O 0.2 0.0 4.5\n"
        "symfunction_short H 3 O H 0.05 -1.0 1.0 4.5\nsymfunction_short H 9 O O 0.03 1.0 4.0 4.5\n"
        "symfunction_short H 22 O H 0.0 4.5 30.0 150.0 p2\nsymfunction_short H 13 0.02 0.3 1.0 2.0 4.5\n";
    static const struct {
        const char *head;
        int hidden[4], n_hidden;
    } models[] = {
        {"cutoff_type 6 0.1\nscale_symmetry_functions\ncenter_symmetry_functions\nscale_min_short -1.0\n"
         "scale_max_short 1.0\nglobal_hidden_layers_short 3\nglobal_nodes_short 5 4 3\nglobal_activation_short t s p l\n"
         "mean_energy -3.2\nconv_energy 2.5\nconv_length 1.7\natom_energy O -75.1\natom_energy H -0.46\n",
         {5, 4, 3}, 3},
        {"cutoff_type 1 0.2\nscale_symmetry_functions\nglobal_hidden_layers_short 3\nglobal_nodes_short 4 4 3\n"
         "global_activation_short g c S e\n",
         {4, 4, 3}, 3},
        {"cutoff_type 2\nscale_symmetry_functions_sigma\nscale_min_short 0.2\nglobal_hidden_layers_short 2\n"
         "global_nodes_short 4 3\nglobal_activation_short h r t\nnormalize_nodes\n",
         {4, 3}, 2},
        {"cutoff_type 4\ncenter_symmetry_functions\nglobal_hidden_layers_short 1\nglobal_nodes_short 3\n"
         "global_activation_short p s\n",
         {3}, 1},
        {"cutoff_type 8 0.3\nglobal_hidden_layers_short 2\nglobal_nodes_short 3 3\nglobal_activation_short t t l\n"
         "element_nodes_short O 5 3\nelement_activation_short O s t l\n",
         {3, 3}, 2},
    };
    mlpot_structure s;
    mlpot_structure_init(&s);
    static const int species[] = {8, 1, 1};
    double cell[9] = {6.2, 0.2, 0, 0, 5.9, 0.3, 0.4, 0, 6.1};
    const int pbc[3] = {1, 1, 1};
    test_random_structure(&s, 12, species, 3, cell, pbc, 0.9, 17);
    for (size_t m = 0; m < sizeof models / sizeof models[0]; ++m) {
        char dir[256], text[8192];
        snprintf(dir, sizeof dir, "/tmp/mlpot_test_nnp_%d_%zu", (int)getpid(), m);
        snprintf(text, sizeof text, "number_of_elements 2\nelements H O\n%s%s", models[m].head, sfs);
        /* element_nodes_short in model 4 gives O a 5-node first layer */
        write_model(dir, text, models[m].hidden, models[m].n_hidden, 100 + m, m == 1 ? 0.3 : 0.5);
        if (m == 4) {
            /* rewrite O's weights for its own 5-3 hidden layers */
            char path[4300];
            snprintf(path, sizeof path, "%s/weights.008.data", dir);
            FILE *f = fopen(path, "w");
            unsigned long long rng = 77;
            int count = 5 * (12 + 1) + 3 * (5 + 1) + 1 * (3 + 1);
            for (int k = 0; k < count; ++k) fprintf(f, "%.17g\n", 0.5 * (2.0 * test_random(&rng) - 1.0));
            fclose(f);
        }
        mlpot_potential *p = load(dir);
        double fmax_ = 0, wmax = 0;
        double ef = test_force_fd_error(p, &s, 1e-5, &fmax_);
        double ew = test_virial_fd_error(p, &s, 1e-5, &wmax);
        char desc[512];
        mlpot_potential_describe(p, desc, sizeof desc);
        printf("synthetic model %zu: force FD error %.1e (forces up to %.1e), virial %.1e (of %.1e)\n  %s\n", m, ef,
               fmax_, ew, wmax, desc);
        CHECK(ef <= 1e-7 * fmax(1.0, fmax_) && fmax_ > 1e-3, "model %zu: force FD error %.3g", m, ef);
        CHECK(ew <= 1e-7 * fmax(1.0, wmax) && wmax > 1e-3, "model %zu: virial FD error %.3g", m, ew);
        mlpot_potential_free(p);
        remove_model(dir);
    }
    mlpot_structure_free(&s);
}

/* The activation functions, n2p2's data-set normalisation, atomic energy offsets and
 * normalize_nodes against the formulas: an H2 molecule whose two atoms each see G = e^{-ηr²}
 * f_c(r), through a 1-1-1 (or 2-1-1) network with known weights. */
static double activation_ref(char a, double x)
{
    switch (a) {
    case 'l': return x;
    case 't': return tanh(x);
    case 's': return 1.0 / (1.0 + exp(-x));
    case 'p': return log(1.0 + exp(x));
    case 'r': return x > 0 ? x : 0;
    case 'g': return exp(-0.5 * x * x);
    case 'c': return cos(x);
    case 'S': return 1.0 - 1.0 / (1.0 + exp(-x));
    case 'e': return exp(-x);
    default: return x * x; /* h */
    }
}

static void activations(void)
{
    const char *letters = "ltsprgcSeh";
    const double r = 1.1, eta = 0.3, rc = 5.0;
    const double G = exp(-eta * r * r) * 0.5 * (cos(MLPOT_PI * r / rc) + 1.0);
    const double w1 = 0.7, b1 = -0.2, w2 = 1.3, b2 = 0.05, w1b = -0.4;
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    s.numbers[0] = s.numbers[1] = 1;
    double pos[6] = {0, 0, 0, r, 0, 0};
    memcpy(s.positions, pos, sizeof pos);
    double worst = 0;
    for (int variant = 0; variant < 3; ++variant)
        for (const char *a = letters; *a; ++a) {
            char dir[256], text[1024], path[4300];
            snprintf(dir, sizeof dir, "/tmp/mlpot_test_act_%d", (int)getpid());
            mkdir(dir, 0755);
            /* variant 0: plain; 1: normalisation + offset; 2: two inputs with normalize_nodes */
            snprintf(text, sizeof text,
                     "number_of_elements 1\nelements H\ncutoff_type 1\nglobal_hidden_layers_short 1\n"
                     "global_nodes_short 1\nglobal_activation_short %c l\nsymfunction_short H 2 H %g 0.0 %g\n%s",
                     *a, eta, rc,
                     variant == 1 ? "mean_energy -0.4\nconv_energy 3.0\nconv_length 1.9\natom_energy H -0.45\n"
                     : variant == 2 ? "symfunction_short H 2 H 0.0 0.0 5.0\nnormalize_nodes\n" : "");
            snprintf(path, sizeof path, "%s/input.nn", dir);
            FILE *f = fopen(path, "w");
            fputs(text, f);
            fclose(f);
            snprintf(path, sizeof path, "%s/weights.001.data", dir);
            f = fopen(path, "w");
            /* sorted order: rc equal, eta 0 before 0.3; so with two inputs G2 (eta 0) comes first */
            if (variant == 2) fprintf(f, "%.17g\n%.17g\n%.17g\n%.17g\n%.17g\n", w1b, w1, b1, w2, b2);
            else fprintf(f, "%.17g\n%.17g\n%.17g\n%.17g\n", w1, b1, w2, b2);
            fclose(f);
            mlpot_potential *p = load(dir);
            double x, expected;
            if (variant == 2) {
                double G0 = 0.5 * (cos(MLPOT_PI * r / rc) + 1.0);
                x = (w1b * G0 + w1 * G + b1) / 2.0;
                expected = 2.0 * ((w2 * activation_ref(*a, x) + b2) / 1.0);
            } else {
                x = w1 * G + b1;
                double out = w2 * activation_ref(*a, x) + b2;
                expected = variant == 1 ? 2.0 * (out / 3.0 - 0.4 - 0.45) : 2.0 * out;
            }
            double e = test_energy(p, &s);
            double err = fabs(e - expected) / fmax(1.0, fabs(expected));
            worst = fmax(worst, err);
            CHECK(err <= 1e-14, "activation %c variant %d: %.17g vs %.17g", *a, variant, e, expected);
            mlpot_potential_free(p);
            remove_model(dir);
        }
    printf("activation functions l t s p r g c S e h (plain, normalised with offsets, normalize_nodes): max error %.1e\n",
           worst);
    mlpot_structure_free(&s);
}

/* Scaled features (what the networks see) against the formulas of each scaling type. */
static void scaling_types(void)
{
    static const char *const keys[] = {"", "scale_symmetry_functions\n", "center_symmetry_functions\n",
                                       "scale_symmetry_functions\ncenter_symmetry_functions\n",
                                       "scale_symmetry_functions_sigma\n"};
    mlpot_structure s;
    mlpot_structure_init(&s);
    static const int species[] = {8, 1, 1};
    double cell[9] = {7, 0, 0, 0, 7, 0, 0, 0, 7};
    const int open[3] = {0, 0, 0};
    test_random_structure(&s, 8, species, 3, cell, open, 0.9, 3);
    double worst = 0;
    for (int t = 0; t < 5; ++t) {
        char dir[256], text[4096];
        snprintf(dir, sizeof dir, "/tmp/mlpot_test_scale_%d", (int)getpid());
        snprintf(text, sizeof text,
                 "number_of_elements 2\nelements H O\ncutoff_type 2\n%sscale_min_short -0.5\nscale_max_short 2.0\n"
                 "global_hidden_layers_short 1\nglobal_nodes_short 2\nglobal_activation_short t l\n"
                 "symfunction_short O 2 H 0.3 0.0 4.5\nsymfunction_short O 9 H H 0.05 1.0 1.0 4.5\n"
                 "symfunction_short H 2 O 0.2 0.0 4.5\n",
                 keys[t]);
        const int hidden[1] = {2};
        write_model(dir, text, hidden, 1, 5, 0.5);
        mlpot_descriptor *raw = NULL, *scaled = NULL;
        mlpot_acsf_options opt = {1, 0};
        CHECK_OK(mlpot_acsf_load(dir, NULL, &raw, &test_err));
        if (t == 0) {
            CHECK_FAILS(mlpot_acsf_load(dir, &opt, &scaled, &test_err), MLPOT_ERR_ARGUMENT, "ask for no scaling");
            mlpot_descriptor_free(raw);
            remove_model(dir);
            continue;
        }
        CHECK_OK(mlpot_acsf_load(dir, &opt, &scaled, &test_err));
        mlpot_features f0, f1;
        mlpot_features_init(&f0);
        mlpot_features_init(&f1);
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        CHECK_OK(mlpot_neighbour_list_build(&nl, &s, 4.5, 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
        CHECK_OK(mlpot_descriptor_compute(raw, &s, &nl, MLPOT_FEATURES_VALUES, &f0, &test_err));
        CHECK_OK(mlpot_descriptor_compute(scaled, &s, &nl, MLPOT_FEATURES_VALUES, &f1, &test_err));
        for (int i = 0; i < s.n_atoms; ++i) {
            int e = s.numbers[i] == 1 ? 0 : 1;
            for (size_t k = 0; k < f0.offsets[i + 1] - f0.offsets[i]; ++k) {
                /* the statistics write_model put into scaling.data */
                double G = f0.values[f0.offsets[i] + k], mn = 0.01 * k, mx = 1.0 + 0.3 * k, mean = 0.2 + 0.1 * k;
                double sigma = 0.4 + 0.05 * k, expected;
                (void)e;
                switch (t) {
                case 1: expected = -0.5 + 2.5 * (G - mn) / (mx - mn); break;
                case 2: expected = G - mean; break;
                case 3: expected = -0.5 + 2.5 * (G - mean) / (mx - mn); break;
                default: expected = -0.5 + 2.5 * (G - mean) / sigma; break;
                }
                double err = fabs(f1.values[f1.offsets[i] + k] - expected);
                worst = fmax(worst, err);
                CHECK(err <= 1e-13, "scaling type %d atom %d feature %zu: %.17g vs %.17g", t, i, k,
                      f1.values[f1.offsets[i] + k], expected);
            }
        }
        mlpot_features_free(&f0);
        mlpot_features_free(&f1);
        mlpot_neighbour_list_free(&nl);
        mlpot_descriptor_free(raw);
        mlpot_descriptor_free(scaled);
        remove_model(dir);
    }
    printf("scaling types (scale, center, both, sigma): max error %.1e\n", worst);
    mlpot_structure_free(&s);
}

int main(void)
{
    parity("H2O_RPBE-D3");
    parity("Cu2S_PBE");
    parity("DMABN_SCAN");
    scan_energies();
    water_outputs();
    extrapolation();
    refused();
    bad_folders();
    activations();
    scaling_types();
    synthetic_derivatives();
    return test_finish("test_nnp");
}
