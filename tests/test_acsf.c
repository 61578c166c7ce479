/* The ACSF descriptor (mlpot/acsf.h) on its own: every symmetry-function type with every n2p2
 * cutoff type, checked against finite differences of its own values (Jacobian and
 * back-propagation, forces and virial), invariance under rotation, translation and permutation,
 * continuity at the cutoff, and bad definitions. */
#include "harness.h"

#define ALL_TYPES                                                                                          \
    "symfunction_short O 2 H 0.3 0.0 4.0\nsymfunction_short O 2 O 0.2 1.0 4.0\n"                           \
    "symfunction_short O 3 H H 0.05 1.0 2.0 4.0\nsymfunction_short O 9 H O 0.03 -1.0 1.0 4.0 0.4\n"        \
    "symfunction_short O 12 0.1 0.0 4.0\nsymfunction_short O 13 0.02 0.0 -1.0 3.0 4.0\n"                   \
    "symfunction_short O 20 H 0.0 4.0 p2\nsymfunction_short O 21 H H -4.0 4.0 40.0 160.0 p3\n"             \
    "symfunction_short O 22 H O 0.5 4.0 0.0 180.0 p2a\nsymfunction_short O 23 0.0 4.0 p4\n"                \
    "symfunction_short O 24 -4.0 4.0 -90.0 90.0 e\nsymfunction_short O 25 0.0 4.0 90.0 270.0 p1\n"         \
    "symfunction_short H 2 H 0.3 0.0 4.0\nsymfunction_short H 2 O 0.2 0.0 3.5\n"                           \
    "symfunction_short H 3 O H 0.05 -1.0 1.0 4.0\nsymfunction_short H 9 O O 0.03 1.0 4.0 4.0\n"            \
    "symfunction_short H 22 O H 0.0 4.0 30.0 150.0 p2\nsymfunction_short H 13 0.02 0.3 1.0 2.0 4.0\n"

static mlpot_descriptor *parse(int cutoff_type, double alpha)
{
    char text[4096];
    snprintf(text, sizeof text, "elements H O\ncutoff_type %d %g\n%s", cutoff_type, alpha, ALL_TYPES);
    mlpot_descriptor *d = NULL;
    CHECK_OK(mlpot_acsf_parse(text, &d, &test_err));
    return d;
}

static void features(const mlpot_descriptor *d, const mlpot_structure *s, unsigned flags, mlpot_features *f,
                     mlpot_neighbour_list *nl)
{
    CHECK_OK(mlpot_neighbour_list_build(nl, s, mlpot_descriptor_cutoff(d), 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
    CHECK_OK(mlpot_descriptor_compute(d, s, nl, flags, f, &test_err));
}

/* E = Σ_i w_i·G_i with fixed random weights: its forces and virial from back-propagation, from the
 * Jacobian, and from finite differences of the values. */
static void derivatives(int cutoff_type, double alpha, const mlpot_structure *s0)
{
    mlpot_descriptor *d = parse(cutoff_type, alpha);
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_copy(&s, s0, &test_err));
    const int n = s.n_atoms;
    mlpot_features f;
    mlpot_features_init(&f);
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    features(d, &s, MLPOT_FEATURES_VALUES | MLPOT_FEATURES_GRADIENTS, &f, &nl);
    const size_t nf = f.offsets[n];
    double *w = malloc(nf * sizeof *w), *fb = calloc(3 * (size_t)n, sizeof *fb), *fj = calloc(3 * (size_t)n, sizeof *fj);
    double *vb = calloc(9 * (size_t)n, sizeof *vb), vj[9] = {0};
    unsigned long long seed = 11 + (unsigned long long)cutoff_type;
    for (size_t k = 0; k < nf; ++k) w[k] = 2.0 * test_random(&seed) - 1.0;
    CHECK_OK(mlpot_descriptor_backprop(d, &s, &nl, w, fb, vb, &test_err));
    for (int i = 0; i < n; ++i) { /* forces and virial from the Jacobian */
        const size_t entries = nl.offsets[i + 1] - nl.offsets[i];
        const int count = (int)(f.offsets[i + 1] - f.offsets[i]);
        for (size_t e = 0; e < entries; ++e) {
            double g[3] = {0, 0, 0};
            for (int q = 0; q < count; ++q)
                for (int c = 0; c < 3; ++c)
                    g[c] += w[f.offsets[i] + q] * f.gradients[f.gradient_offsets[i] + ((size_t)q * entries + e) * 3 + c];
            const int j = nl.neighbour[nl.offsets[i] + e];
            const double *dv = &nl.vector[3 * (nl.offsets[i] + e)];
            for (int c = 0; c < 3; ++c) fj[3 * i + c] += g[c], fj[3 * j + c] -= g[c];
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) vj[3 * a + b] -= dv[a] * g[b];
        }
    }
    double worst_paths = 0, fbig = 0, worst_fd = 0, wmax = 0, worst_w = 0;
    for (int k = 0; k < 3 * n; ++k) worst_paths = fmax(worst_paths, fabs(fb[k] - fj[k])), fbig = fmax(fbig, fabs(fj[k]));
    for (int c = 0; c < 9; ++c) {
        double sum = 0;
        for (int i = 0; i < n; ++i) sum += vb[9 * i + c];
        worst_paths = fmax(worst_paths, fabs(sum - vj[c]));
        wmax = fmax(wmax, fabs(vj[c]));
    }
    const double h = 1e-5;
    mlpot_features fd;
    mlpot_features_init(&fd);
    mlpot_neighbour_list nd;
    mlpot_neighbour_list_init(&nd);
    for (int k = 0; k < 3 * n; ++k) { /* F = -dE/dx by central differences */
        double e[2];
        for (int side = 0; side < 2; ++side) {
            s.positions[k] = s0->positions[k] + (side ? -h : h);
            features(d, &s, MLPOT_FEATURES_VALUES, &fd, &nd);
            e[side] = 0;
            for (size_t q = 0; q < nf; ++q) e[side] += w[q] * fd.values[q];
        }
        s.positions[k] = s0->positions[k];
        worst_fd = fmax(worst_fd, fabs(-(e[0] - e[1]) / (2 * h) - fb[k]));
    }
    if (s.pbc[0]) { /* virial W = -dE/dε · (strain of cell and positions) by central differences */
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                double e[2];
                for (int side = 0; side < 2; ++side) {
                    double eps = side ? -h : h;
                    for (int r = 0; r < 3; ++r) s.cell[r][b] = s0->cell[r][b] + eps * s0->cell[r][a];
                    for (int i = 0; i < n; ++i)
                        s.positions[3 * i + b] = s0->positions[3 * i + b] + eps * s0->positions[3 * i + a];
                    features(d, &s, MLPOT_FEATURES_VALUES, &fd, &nd);
                    e[side] = 0;
                    for (size_t q = 0; q < nf; ++q) e[side] += w[q] * fd.values[q];
                    memcpy(s.cell, s0->cell, sizeof s.cell);
                    memcpy(s.positions, s0->positions, 3 * (size_t)n * sizeof *s.positions);
                }
                double sum = 0;
                for (int i = 0; i < n; ++i) sum += vb[9 * i + 3 * a + b];
                worst_w = fmax(worst_w, fabs(-(e[0] - e[1]) / (2 * h) - sum));
            }
    }
    printf("cutoff type %d alpha %.1f %s: backprop vs Jacobian %.1e, forces vs FD %.1e (forces up to %.2f), virial vs FD "
           "%.1e (of %.2f)\n",
           cutoff_type, alpha, s.pbc[0] ? "periodic" : "cluster", worst_paths, worst_fd, fbig, worst_w, wmax);
    CHECK(fbig > 1e-2, "forces are not all zero");
    CHECK(worst_paths <= 1e-12 * fmax(1.0, fbig), "cutoff %d: back-propagation and Jacobian differ by %.3g", cutoff_type,
          worst_paths);
    CHECK(worst_fd <= 1e-6 * fmax(1.0, fbig), "cutoff %d: forces differ from finite differences by %.3g", cutoff_type,
          worst_fd);
    CHECK(worst_w <= 1e-6 * fmax(1.0, wmax), "cutoff %d: virial differs from finite differences by %.3g", cutoff_type,
          worst_w);
    free(w), free(fb), free(fj), free(vb);
    mlpot_features_free(&f), mlpot_features_free(&fd);
    mlpot_neighbour_list_free(&nl), mlpot_neighbour_list_free(&nd);
    mlpot_structure_free(&s);
    mlpot_descriptor_free(d);
}

static void rotate(const double *R, double *x)
{
    double y[3] = {R[0] * x[0] + R[1] * x[1] + R[2] * x[2], R[3] * x[0] + R[4] * x[1] + R[5] * x[2],
                   R[6] * x[0] + R[7] * x[1] + R[8] * x[2]};
    memcpy(x, y, sizeof y);
}

/* Rotating (cell and positions), translating and permuting the atoms leaves every feature as it
 * was (permutation: it moves with its atom). */
static void invariance(const mlpot_structure *s0)
{
    mlpot_descriptor *d = parse(2, 0.0);
    const int n = s0->n_atoms;
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_features f0, f;
    mlpot_features_init(&f0), mlpot_features_init(&f);
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    features(d, s0, MLPOT_FEATURES_VALUES, &f0, &nl);
    double gmax = 0;
    for (size_t k = 0; k < f0.offsets[n]; ++k) gmax = fmax(gmax, fabs(f0.values[k]));
    const double c = cos(0.7), sn = sin(0.7), c2 = cos(-1.1), s2 = sin(-1.1);
    double Rz[9] = {c, -sn, 0, sn, c, 0, 0, 0, 1}, Rx[9] = {1, 0, 0, 0, c2, -s2, 0, s2, c2}, R[9];
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) R[3 * a + b] = Rx[3 * a] * Rz[b] + Rx[3 * a + 1] * Rz[3 + b] + Rx[3 * a + 2] * Rz[6 + b];
    const char *what[3] = {"rotation", "translation", "permutation"};
    for (int t = 0; t < 3; ++t) {
        CHECK_OK(mlpot_structure_copy(&s, s0, &test_err));
        for (int i = 0; i < n; ++i) {
            if (t == 0) rotate(R, &s.positions[3 * i]);
            if (t == 1)
                for (int a = 0; a < 3; ++a) s.positions[3 * i + a] += 1.3 + 0.7 * a; /* wraps across the cell */
            if (t == 2) { /* reversed order */
                s.numbers[i] = s0->numbers[n - 1 - i];
                memcpy(&s.positions[3 * i], &s0->positions[3 * (n - 1 - i)], 3 * sizeof(double));
            }
        }
        if (t == 0)
            for (int r = 0; r < 3; ++r) rotate(R, s.cell[r]);
        features(d, &s, MLPOT_FEATURES_VALUES, &f, &nl);
        double worst = 0;
        for (int i = 0; i < n; ++i) {
            const int i0 = t == 2 ? n - 1 - i : i;
            for (size_t k = 0; k < f.offsets[i + 1] - f.offsets[i]; ++k)
                worst = fmax(worst, fabs(f.values[f.offsets[i] + k] - f0.values[f0.offsets[i0] + k]));
        }
        printf("%s (%s): max feature change %.1e of %.2f\n", what[t], s0->pbc[0] ? "periodic" : "cluster", worst, gmax);
        CHECK(worst <= 1e-12 * gmax, "%s changes features by %.3g", what[t], worst);
    }
    mlpot_features_free(&f0), mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    mlpot_structure_free(&s);
    mlpot_descriptor_free(d);
}

/* An O-H dimer approaching each cutoff radius from inside: the features and their derivative go
 * to zero for every smooth cutoff type (the hard type 0 jumps, by definition). */
static void cutoff_continuity(void)
{
    for (int type = 1; type <= 8; ++type) {
        char text[512];
        snprintf(text, sizeof text,
                 "elements H O\ncutoff_type %d 0.1\nsymfunction_short O 2 H 0.3 0.0 4.0\n"
                 "symfunction_short O 20 H 0.0 4.0 p2\nsymfunction_short H 12 0.1 1.0 4.0\n",
                 type);
        mlpot_descriptor *d = NULL;
        CHECK_OK(mlpot_acsf_parse(text, &d, &test_err));
        mlpot_structure s;
        mlpot_structure_init(&s);
        CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
        s.numbers[0] = 8, s.numbers[1] = 1;
        double worst_value = 0, worst_slope = 0;
        for (int side = 0; side < 2; ++side) {
            const double r = 4.0 - (side ? 1e-4 : 0.0) - 1e-7;
            memset(s.positions, 0, 6 * sizeof *s.positions);
            s.positions[3] = r;
            mlpot_features f;
            mlpot_features_init(&f);
            mlpot_neighbour_list nl;
            mlpot_neighbour_list_init(&nl);
            features(d, &s, MLPOT_FEATURES_VALUES | MLPOT_FEATURES_GRADIENTS, &f, &nl);
            for (size_t k = 0; k < f.offsets[2]; ++k) worst_value = fmax(worst_value, fabs(f.values[k]) / (side ? 1e3 : 1.0));
            for (size_t k = 0; k < f.gradient_offsets[2]; ++k)
                worst_slope = fmax(worst_slope, fabs(f.gradients[k]) / (side ? 1e2 : 1.0));
            mlpot_features_free(&f);
            mlpot_neighbour_list_free(&nl);
        }
        /* 1e-7 inside: value ≲ slope·1e-7; 1e-4 inside: scaled so that a jump would show */
        CHECK(worst_value <= 1e-5 && worst_slope <= 1e-2, "cutoff type %d: value %.3g, slope %.3g near the cutoff",
              type, worst_value, worst_slope);
        mlpot_structure_free(&s);
        mlpot_descriptor_free(d);
    }
    printf("cutoff types 1-8: features and slopes vanish at the cutoff\n");
}

static void bad_definitions(void)
{
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"elements H O\ncutoff_type 2\nsymfunction_short O 4 H 0.1 0.0 4.0\n", "settings:3: symmetry function type '4' is unknown"},
        {"elements H O\ncutoff_type 2\nsymfunction_short O 2 H 0.1 0.0\n", "settings:3: "},
        {"elements H O\ncutoff_type 2\nsymfunction_short C 2 H 0.1 0.0 4.0\n", "settings:3: "},
        {"elements H O\ncutoff_type 2\nsymfunction_short O 2 H 0.1 x 4.0\n", "settings:3: "},
        {"elements H O\ncutoff_type 12\nsymfunction_short O 2 H 0.1 0.0 4.0\n", "settings:2: "},
        {"elements H O\ncutof_type 2\nsymfunction_short O 2 H 0.1 0.0 4.0\n", "unknown keyword 'cutof_type'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; ++k) {
        mlpot_descriptor *d = NULL;
        mlpot_error_clear(&test_err);
        mlpot_status st = mlpot_acsf_parse(cases[k].text, &d, &test_err);
        CHECK(st != MLPOT_OK && d == NULL, "case %zu accepted", k);
        CHECK(strstr(test_err.message, cases[k].needle) != NULL, "case %zu: message '%s' lacks '%s'", k, test_err.message,
              cases[k].needle);
    }
    mlpot_descriptor *d = parse(2, 0.0);
    char buf[256];
    CHECK_OK(mlpot_acsf_describe_feature(d, 8, 0, buf, sizeof buf, &test_err));
    CHECK(strstr(buf, "O 1: ") == buf && strstr(buf, "(line "), "description '%s'", buf);
    CHECK_FAILS(mlpot_acsf_describe_feature(d, 8, 99, buf, sizeof buf, &test_err), MLPOT_ERR_ARGUMENT, "no function 100");
    mlpot_descriptor_free(d);
}

int main(void)
{
    static const int species[] = {8, 1, 1};
    const double cell[9] = {6.3, 0.2, 0, 0, 5.8, 0.3, 0.4, 0, 6.0};
    const int periodic[3] = {1, 1, 1}, open[3] = {0, 0, 0};
    mlpot_structure bulk, cluster;
    mlpot_structure_init(&bulk), mlpot_structure_init(&cluster);
    test_random_structure(&bulk, 12, species, 3, cell, periodic, 0.9, 5);
    test_random_structure(&cluster, 9, species, 3, cell, open, 0.9, 6);
    for (int type = 0; type <= 8; ++type) derivatives(type, type % 3 ? 0.2 : 0.0, &bulk);
    derivatives(6, 0.1, &cluster);
    invariance(&bulk);
    invariance(&cluster);
    cutoff_continuity();
    bad_definitions();
    mlpot_structure_free(&bulk), mlpot_structure_free(&cluster);
    return test_finish("test_acsf");
}
