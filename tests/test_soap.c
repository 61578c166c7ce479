/* SOAP against QUIP's own vectors and gradients (quip_reference), finite differences of the
 * Jacobian and of the back-propagation, invariances, smoothness at the cutoff, the Bessel
 * functions against exact series, and bad parameters. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "descriptors/soap_internal.h"
#include "harness.h"
#include "mlpot/soap.h"

static void read_structure(const char *relative, mlpot_structure *s)
{
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    CHECK_OK(mlpot_dataset_read(test_shared_path(relative), NULL, &d, &test_err));
    CHECK(d.n_frames == 1, "%s: %zu frames", relative, d.n_frames);
    mlpot_structure_init(s);
    CHECK_OK(mlpot_structure_copy(s, &d.frames[0], &test_err));
    mlpot_dataset_free(&d);
}

/* A QUIP reference file: the descriptor string from its header and the rows. */
typedef struct reference {
    char descriptor[1024];
    int rows, cols; /* cols = values per row after the leading integer columns */
    int *index;     /* [rows][3] leading integers */
    double *values; /* [rows][cols] */
} reference;

static void read_reference(const char *relative, int n_int, reference *r)
{
    memset(r, 0, sizeof *r);
    const char *path = test_shared_path(relative);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    static char line[1 << 16];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            const char *key = "# descriptor_str: ";
            if (!strncmp(line, key, strlen(key))) {
                size_t len = strlen(line + strlen(key));
                if (len >= sizeof r->descriptor) len = sizeof r->descriptor - 1;
                memcpy(r->descriptor, line + strlen(key), len);
                r->descriptor[len] = '\0';
                r->descriptor[strcspn(r->descriptor, "\n")] = '\0';
            }
            continue;
        }
        char *p = line, *end;
        int ints[3] = {0, 0, 0};
        for (int k = 0; k < n_int; ++k) ints[k] = (int)strtol(p, &p, 10);
        int c = 0;
        double buf[2048];
        for (;;) {
            double v = strtod(p, &end);
            if (end == p) break;
            buf[c++] = v;
            p = end;
        }
        if (c == 0) continue;
        if (r->rows == 0) r->cols = c;
        CHECK(c == r->cols, "%s: row %d has %d values", relative, r->rows, c);
        if ((size_t)r->rows + 1 > cap) {
            cap = cap ? 2 * cap : 64;
            r->index = realloc(r->index, cap * 3 * sizeof *r->index);
            r->values = realloc(r->values, cap * (size_t)r->cols * sizeof *r->values);
        }
        memcpy(&r->index[3 * r->rows], ints, sizeof ints);
        memcpy(&r->values[(size_t)r->rows * r->cols], buf, (size_t)r->cols * sizeof *buf);
        ++r->rows;
    }
    fclose(f);
}

static void free_reference(reference *r)
{
    free(r->index);
    free(r->values);
}

static void features(const mlpot_descriptor *d, const mlpot_structure *s, unsigned flags,
                     mlpot_neighbour_list *nl, mlpot_features *f)
{
    CHECK_OK(mlpot_neighbour_list_build(nl, s, mlpot_descriptor_cutoff(d), 0.0, 0, &test_err));
    CHECK_OK(mlpot_descriptor_compute(d, s, nl, flags, f, &test_err));
}

/* Max |ours - QUIP| over a reference file of one structure. */
static double compare_vectors(const char *ref_file, const char *structure, double *max_value)
{
    reference ref;
    read_reference(ref_file, 2, &ref);
    mlpot_structure s;
    read_structure(structure, &s);
    mlpot_descriptor *d;
    CHECK_OK(mlpot_soap_create_from_string(ref.descriptor, &d, &test_err));
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features f;
    mlpot_features_init(&f);
    features(d, &s, MLPOT_FEATURES_VALUES, &nl, &f);
    double worst = 0, biggest = 0;
    CHECK(ref.rows == s.n_atoms, "%s: %d rows for %d atoms", ref_file, ref.rows, s.n_atoms);
    for (int i = 0; i < ref.rows && i < s.n_atoms; ++i) {
        int dim = (int)(f.offsets[i + 1] - f.offsets[i]);
        CHECK(dim == ref.cols, "%s: dimension %d, QUIP %d", ref_file, dim, ref.cols);
        if (dim != ref.cols) break;
        CHECK(ref.index[3 * i + 1] == s.numbers[i], "species of row %d", i);
        for (int k = 0; k < dim; ++k) {
            double e = fabs(f.values[f.offsets[i] + k] - ref.values[(size_t)i * ref.cols + k]);
            if (e > worst) worst = e;
            if (fabs(ref.values[(size_t)i * ref.cols + k]) > biggest) biggest = fabs(ref.values[(size_t)i * ref.cols + k]);
        }
    }
    *max_value = biggest;
    mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    mlpot_descriptor_free(d);
    mlpot_structure_free(&s);
    free_reference(&ref);
    return worst;
}

static void test_quip_vectors(void)
{
    struct {
        const char *file, *structure;
    } cases[] = {
        {"quip_reference/soap_P1.txt", "quip_reference/structures/si_diamond_rattled.xyz"},
        {"quip_reference/soap_P1_unnormalised.txt", "quip_reference/structures/si_diamond_rattled.xyz"},
        {"quip_reference/soap_P3.txt", "quip_reference/structures/ethanol_rmd17_train01_0.xyz"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        double biggest;
        double e = compare_vectors(cases[c].file, cases[c].structure, &biggest);
        printf("%s: max |mlpot - QUIP| = %.3g (largest component %.3g)\n", cases[c].file, e, biggest);
        CHECK(e <= 1e-12 * (biggest > 1 ? biggest : 1), "%s: max error %g", cases[c].file, e);
    }
}

/* dX_i/dr_j (summed over images of j) from the per-entry Jacobian. */
static double total_derivative(const mlpot_features *f, const mlpot_neighbour_list *nl, int i, int j, int c, int g)
{
    size_t first = nl->offsets[i], count = nl->offsets[i + 1] - first;
    const double *jac = f->gradients + f->gradient_offsets[i];
    double sum = 0.0;
    for (size_t k = 0; k < count; ++k) {
        double v = jac[((size_t)g * count + k) * 3 + c];
        if (nl->neighbour[first + k] == j) sum += v;
        if (i == j) sum -= v;
    }
    return sum;
}

static void test_quip_gradients(void)
{
    reference ref;
    read_reference("quip_reference/soap_P1_grad.txt", 3, &ref);
    mlpot_structure s;
    read_structure("quip_reference/structures/si_diamond_rattled.xyz", &s);
    mlpot_descriptor *d;
    CHECK_OK(mlpot_soap_create_from_string(ref.descriptor, &d, &test_err));
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features f;
    mlpot_features_init(&f);
    features(d, &s, MLPOT_FEATURES_VALUES | MLPOT_FEATURES_GRADIENTS, &nl, &f);
    double worst = 0, biggest = 0;
    int dim = (int)(f.offsets[1] - f.offsets[0]);
    CHECK(ref.cols == dim, "gradient file has %d columns, dimension %d", ref.cols, dim);
    CHECK(ref.rows == 8 * 8 * 3 || ref.rows > 0, "gradient rows %d", ref.rows);
    for (int r = 0; r < ref.rows && ref.cols == dim; ++r) {
        int i = ref.index[3 * r], j = ref.index[3 * r + 1], c = ref.index[3 * r + 2];
        for (int g = 0; g < dim; ++g) {
            double ours = total_derivative(&f, &nl, i, j, c, g), theirs = ref.values[(size_t)r * dim + g];
            if (fabs(ours - theirs) > worst) worst = fabs(ours - theirs);
            if (fabs(theirs) > biggest) biggest = fabs(theirs);
        }
    }
    printf("soap_P1_grad: max |mlpot - QUIP| = %.3g over %d rows (largest %.3g)\n", worst, ref.rows, biggest);
    CHECK(worst <= 1e-12, "gradients differ from QUIP by %g", worst);
    mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    mlpot_descriptor_free(d);
    mlpot_structure_free(&s);
    free_reference(&ref);
}

/* A small periodic structure with three species, close neighbours and self-images. */
static void mixed_structure(mlpot_structure *s, unsigned long long seed)
{
    const int species[3] = {1, 6, 8};
    double cell[9] = {5.1, 0.3, 0.0, -0.2, 4.8, 0.4, 0.3, 0.1, 5.3};
    int pbc[3] = {1, 1, 1};
    test_random_structure(s, 9, species, 3, cell, pbc, 0.9, seed);
}

static void test_finite_differences(void)
{
    const char *strings[] = {
        "soap cutoff=4.0 cutoff_transition_width=1.0 n_max=5 l_max=4 atom_sigma=0.5 n_species=3 species_Z={1 6 8}",
        "soap cutoff=3.5 cutoff_transition_width=0.8 n_max=4 l_max=3 atom_sigma=0.9 n_species=2 species_Z={6 8} "
        "normalise=F central_weight=0.7",
        "soap cutoff=3.0 n_max=3 l_max=5 atom_sigma=1.3 n_species=1 species_Z=0 n_Z=2 Z={1 8}",
    };
    for (size_t c = 0; c < sizeof strings / sizeof strings[0]; ++c) {
        mlpot_structure s;
        mlpot_structure_init(&s);
        mixed_structure(&s, 7 + c);
        mlpot_descriptor *d;
        CHECK_OK(mlpot_soap_create_from_string(strings[c], &d, &test_err));
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        mlpot_features f, fp, fm;
        mlpot_features_init(&f), mlpot_features_init(&fp), mlpot_features_init(&fm);
        features(d, &s, MLPOT_FEATURES_VALUES | MLPOT_FEATURES_GRADIENTS, &nl, &f);
        double worst = 0, biggest = 0, h = 1e-5;
        mlpot_neighbour_list nl2;
        mlpot_neighbour_list_init(&nl2);
        for (int j = 0; j < s.n_atoms; ++j)
            for (int x = 0; x < 3; ++x) {
                double keep = s.positions[3 * j + x];
                s.positions[3 * j + x] = keep + h;
                features(d, &s, MLPOT_FEATURES_VALUES, &nl2, &fp);
                s.positions[3 * j + x] = keep - h;
                features(d, &s, MLPOT_FEATURES_VALUES, &nl2, &fm);
                s.positions[3 * j + x] = keep;
                for (int i = 0; i < s.n_atoms; ++i)
                    for (size_t g = 0; g < f.offsets[i + 1] - f.offsets[i]; ++g) {
                        double num = (fp.values[fp.offsets[i] + g] - fm.values[fm.offsets[i] + g]) / (2 * h);
                        double ana = total_derivative(&f, &nl, i, j, x, (int)g);
                        if (fabs(num - ana) > worst) worst = fabs(num - ana);
                        if (fabs(ana) > biggest) biggest = fabs(ana);
                    }
            }
        printf("finite differences, case %zu: max error %.3g (largest derivative %.3g)\n", c, worst, biggest);
        CHECK(worst < 1e-7 * (biggest > 1 ? biggest : 1), "case %zu: Jacobian FD error %g", c, worst);
        mlpot_features_free(&f), mlpot_features_free(&fp), mlpot_features_free(&fm);
        mlpot_neighbour_list_free(&nl), mlpot_neighbour_list_free(&nl2);
        mlpot_descriptor_free(d);
        mlpot_structure_free(&s);
    }
}

/* E = Σ_i w_i·x_i with fixed random weights: back-propagated forces and virial against finite
 * differences, and against the Jacobian. */
static double weighted_energy(const mlpot_descriptor *d, const mlpot_structure *s, const double *w)
{
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features f;
    mlpot_features_init(&f);
    features(d, s, MLPOT_FEATURES_VALUES, &nl, &f);
    double e = 0;
    for (size_t k = 0; k < f.offsets[s->n_atoms]; ++k) e += w[k] * f.values[k];
    mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    return e;
}

static void test_backprop(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    mixed_structure(&s, 99);
    mlpot_descriptor *d;
    CHECK_OK(mlpot_soap_create_from_string(
        "soap cutoff=4.2 cutoff_transition_width=1.2 n_max=5 l_max=5 atom_sigma=0.6 n_species=3 species_Z={1 6 8}", &d,
        &test_err));
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features f;
    mlpot_features_init(&f);
    features(d, &s, MLPOT_FEATURES_VALUES | MLPOT_FEATURES_GRADIENTS, &nl, &f);
    size_t nv = f.offsets[s.n_atoms];
    double *w = malloc(nv * sizeof *w);
    unsigned long long rng = 5;
    for (size_t k = 0; k < nv; ++k) w[k] = test_random(&rng) - 0.5;
    double *forces = calloc(3 * (size_t)s.n_atoms, sizeof *forces);
    double *virials = calloc(9 * (size_t)s.n_atoms, sizeof *virials);
    CHECK_OK(mlpot_descriptor_backprop(d, &s, &nl, w, forces, virials, &test_err));
    double worst = 0, worst_jac = 0, fmax = 0, h = 1e-5;
    for (int j = 0; j < s.n_atoms; ++j)
        for (int x = 0; x < 3; ++x) {
            double keep = s.positions[3 * j + x];
            s.positions[3 * j + x] = keep + h;
            double ep = weighted_energy(d, &s, w);
            s.positions[3 * j + x] = keep - h;
            double em = weighted_energy(d, &s, w);
            s.positions[3 * j + x] = keep;
            double num = -(ep - em) / (2 * h), jac = 0;
            for (int i = 0; i < s.n_atoms; ++i)
                for (size_t g = 0; g < f.offsets[i + 1] - f.offsets[i]; ++g)
                    jac -= w[f.offsets[i] + g] * total_derivative(&f, &nl, i, j, x, (int)g);
            if (fabs(num - forces[3 * j + x]) > worst) worst = fabs(num - forces[3 * j + x]);
            if (fabs(jac - forces[3 * j + x]) > worst_jac) worst_jac = fabs(jac - forces[3 * j + x]);
            if (fabs(num) > fmax) fmax = fabs(num);
        }
    printf("backprop: force FD error %.3g, vs Jacobian %.3g (max force %.3g)\n", worst, worst_jac, fmax);
    CHECK(worst < 1e-7 * (fmax > 1 ? fmax : 1), "backprop forces FD error %g", worst);
    CHECK(worst_jac < 1e-12 * (fmax > 1 ? fmax : 1), "backprop and Jacobian differ by %g", worst_jac);
    /* virial: energies of strained copies */
    double W[9] = {0};
    for (int i = 0; i < s.n_atoms; ++i)
        for (int k = 0; k < 9; ++k) W[k] += virials[9 * i + k];
    double werr = 0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            double e[2];
            for (int sign = 0; sign < 2; ++sign) {
                mlpot_structure t;
                mlpot_structure_init(&t);
                CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
                double eps = sign ? -h : h;
                for (int i = 0; i < t.n_atoms; ++i) t.positions[3 * i + a] += eps * s.positions[3 * i + b];
                for (int r = 0; r < 3; ++r) t.cell[r][a] += eps * s.cell[r][b];
                e[sign] = weighted_energy(d, &t, w);
                mlpot_structure_free(&t);
            }
            double num = -(e[0] - e[1]) / (2 * h);
            if (fabs(num - W[3 * a + b]) > werr) werr = fabs(num - W[3 * a + b]);
        }
    printf("backprop: virial FD error %.3g\n", werr);
    CHECK(werr < 1e-7, "backprop virial FD error %g", werr);
    free(w), free(forces), free(virials);
    mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    mlpot_descriptor_free(d);
    mlpot_structure_free(&s);
}

static void test_invariances(void)
{
    const char *str = "soap cutoff=4.0 cutoff_transition_width=1.0 n_max=5 l_max=6 atom_sigma=0.5 n_species=3 species_Z={1 6 8}";
    mlpot_descriptor *d;
    CHECK_OK(mlpot_soap_create_from_string(str, &d, &test_err));
    mlpot_structure s, t;
    mlpot_structure_init(&s), mlpot_structure_init(&t);
    mixed_structure(&s, 3);
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features f, g;
    mlpot_features_init(&f), mlpot_features_init(&g);
    features(d, &s, MLPOT_FEATURES_VALUES, &nl, &f);
    size_t dim = f.offsets[1];
    /* rotation + translation */
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    double R[9];
    test_rotation_matrix(1.1, R);
    test_rotate(&t, R);
    for (int i = 0; i < t.n_atoms; ++i)
        for (int a = 0; a < 3; ++a) t.positions[3 * i + a] += 0.77 * (a + 2);
    features(d, &t, MLPOT_FEATURES_VALUES, &nl, &g);
    double e = 0;
    for (size_t k = 0; k < f.offsets[s.n_atoms]; ++k) e = fmax(e, fabs(f.values[k] - g.values[k]));
    printf("rotation + translation: max change %.3g\n", e);
    CHECK(e < 1e-13, "rotation/translation changes SOAP by %g", e);
    /* permutation */
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    for (int i = 0; i < s.n_atoms; ++i) {
        int j = s.n_atoms - 1 - i;
        t.numbers[i] = s.numbers[j];
        memcpy(&t.positions[3 * i], &s.positions[3 * j], 3 * sizeof(double));
    }
    features(d, &t, MLPOT_FEATURES_VALUES, &nl, &g);
    e = 0;
    for (int i = 0; i < s.n_atoms; ++i)
        for (size_t k = 0; k < dim; ++k)
            e = fmax(e, fabs(f.values[f.offsets[i] + k] - g.values[g.offsets[s.n_atoms - 1 - i] + k]));
    CHECK(e < 1e-14, "permutation changes SOAP by %g", e);
    /* supercell: every image has its original's vector */
    int rep[3] = {2, 1, 3};
    CHECK_OK(mlpot_structure_supercell(&s, rep, &t, &test_err));
    features(d, &t, MLPOT_FEATURES_VALUES, &nl, &g);
    e = 0;
    for (int i = 0; i < t.n_atoms; ++i) {
        int o = -1;
        for (int j = 0; j < s.n_atoms && o < 0; ++j) {
            /* the original: same fractional position modulo the cell */
            double dx[3];
            for (int a = 0; a < 3; ++a) dx[a] = t.positions[3 * i + a] - s.positions[3 * j + a];
            double inv[9], fr[3];
            CHECK_OK(mlpot_matrix3_inverse(&s.cell[0][0], inv, &test_err));
            mlpot_cell_fractional(inv, dx, fr);
            int ok = 1;
            for (int a = 0; a < 3; ++a) ok &= fabs(fr[a] - round(fr[a])) < 1e-9;
            if (ok) o = j;
        }
        CHECK(o >= 0, "supercell atom %d has no original", i);
        if (o < 0) continue;
        for (size_t k = 0; k < dim; ++k) e = fmax(e, fabs(f.values[f.offsets[o] + k] - g.values[g.offsets[i] + k]));
    }
    printf("supercell: max change %.3g\n", e);
    CHECK(e < 1e-13, "supercell changes SOAP by %g", e);
    /* one thread gives the same bits */
#ifdef _OPENMP
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    features(d, &s, MLPOT_FEATURES_VALUES, &nl, &g);
    omp_set_num_threads(threads);
    CHECK(!memcmp(f.values, g.values, f.offsets[s.n_atoms] * sizeof(double)), "thread count changes SOAP");
#endif
    mlpot_features_free(&f), mlpot_features_free(&g);
    mlpot_neighbour_list_free(&nl);
    mlpot_structure_free(&s), mlpot_structure_free(&t);
    mlpot_descriptor_free(d);
}

/* Two atoms in a big box: moving one across the cutoff changes the vector and its derivative
 * continuously (value and slope vanish at the cutoff). */
static void test_cutoff_smoothness(void)
{
    mlpot_descriptor *d;
    CHECK_OK(mlpot_soap_create_from_string("soap cutoff=3.0 cutoff_transition_width=0.5 n_max=4 l_max=3 atom_sigma=0.5 normalise=F",
                                           &d, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    s.numbers[0] = s.numbers[1] = 14;
    double x[3][253];
    double r[3] = {3.0 - 1e-5, 3.0, 3.0 + 1e-5};
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_features f;
    mlpot_features_init(&f);
    int dim = 0;
    for (int k = 0; k < 3; ++k) {
        memset(s.positions, 0, 6 * sizeof(double));
        s.positions[3] = r[k] * 0.6, s.positions[4] = r[k] * 0.8;
        CHECK_OK(mlpot_neighbour_list_build(&nl, &s, 3.0, 0.5, 0, &test_err));
        CHECK_OK(mlpot_descriptor_compute(d, &s, &nl, MLPOT_FEATURES_VALUES, &f, &test_err));
        dim = (int)f.offsets[1];
        memcpy(x[k], f.values, (size_t)dim * sizeof(double));
    }
    double jump = 0, slope = 0;
    for (int g = 0; g < dim; ++g) {
        jump = fmax(jump, fabs(x[1][g] - x[2][g]));
        slope = fmax(slope, fabs(x[0][g] - x[1][g]) / 1e-5);
    }
    printf("cutoff: change across the cutoff %.3g, slope just inside %.3g\n", jump, slope);
    CHECK(jump < 1e-15, "SOAP jumps at the cutoff by %g", jump);
    CHECK(slope < 1e-6, "SOAP slope at the cutoff %g", slope);
    mlpot_features_free(&f);
    mlpot_neighbour_list_free(&nl);
    mlpot_structure_free(&s);
    mlpot_descriptor_free(d);
}

/* The scaled Bessel functions against their series in long double, across both branches. */
static long double series_ld(int l, long double x)
{
    long double t = 1.0L;
    for (int k = 1; k <= l; ++k) t *= x / (2.0L * k + 1.0L);
    long double sum = 0.0L;
    for (int k = 1; k < 2000; ++k) {
        sum += t;
        t *= 0.5L * x * x / (k * (2.0L * l + 2.0L * k + 1.0L));
        if (t < 1e-22L * sum) break;
    }
    return sum;
}

static void test_bessel(void)
{
    double worst = 0;
    const double alpha = 1.7;
    for (int lmax = 0; lmax <= 16; lmax += 4)
        for (double x = 1e-3; x < 60; x *= 1.37) {
            double rho = 1.3, r = x / (2 * alpha * rho), out[17];
            soap_scaled_bessel(alpha, rho, r, lmax, out);
            for (int l = 0; l <= lmax; ++l) {
                long double exact = series_ld(l, x) * expl(-(long double)alpha * (rho * rho + r * r));
                if (exact < 1e-250L) continue;
                double rel = (double)fabsl((out[l] - exact) / exact);
                if (rel > worst) worst = rel;
            }
        }
    printf("scaled Bessel functions: max relative error %.3g\n", worst);
    CHECK(worst < 1e-12, "Bessel relative error %g", worst);
}

static void test_bad_parameters(void)
{
    mlpot_descriptor *d = NULL;
    mlpot_soap_params p;
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=0 l_max=4 atom_sigma=0.5", &p, &test_err),
                MLPOT_ERR_ARGUMENT, "n_max");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=-1 atom_sigma=0.5", &p, &test_err),
                MLPOT_ERR_ARGUMENT, "l_max");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=0 n_max=4 l_max=4 atom_sigma=0.5", &p, &test_err),
                MLPOT_ERR_ARGUMENT, "cutoff");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=-2 n_max=4 l_max=4 atom_sigma=0.5", &p, &test_err),
                MLPOT_ERR_ARGUMENT, "cutoff");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0", &p, &test_err),
                MLPOT_ERR_ARGUMENT, "atom_sigma");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4", &p, &test_err), MLPOT_ERR_FORMAT,
                "atom_sigma");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 cutoff_transition_width=6", &p,
                                        &test_err),
                MLPOT_ERR_ARGUMENT, "cutoff_transition_width");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=four l_max=4 atom_sigma=0.5", &p, &test_err),
                MLPOT_ERR_FORMAT, "n_max");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 n_mox=3", &p, &test_err),
                MLPOT_ERR_FORMAT, "n_mox");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 n_species=2 species_Z={1}", &p,
                                        &test_err),
                MLPOT_ERR_FORMAT, "species_Z");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 n_species=2 species_Z={1 1}", &p,
                                        &test_err),
                MLPOT_ERR_ARGUMENT, "twice");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 radial_basis=GTO", &p, &test_err),
                MLPOT_ERR_UNSUPPORTED, "radial_basis");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 average=T", &p, &test_err),
                MLPOT_ERR_UNSUPPORTED, "average");
    CHECK_FAILS(mlpot_soap_params_parse("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 species_Z={1 6", &p, &test_err),
                MLPOT_ERR_FORMAT, "unterminated");
    CHECK_FAILS(mlpot_soap_create_from_string("soap cutoff=5 n_max=4 l_max=4 atom_sigma=0.5 normalise=maybe", &d,
                                              &test_err),
                MLPOT_ERR_FORMAT, "normalise");
    CHECK(d == NULL, "no descriptor on failure");
    CHECK_FAILS(mlpot_soap_params_parse("soap_turbo rcut_hard=5 n_max=4 l_max=4", &p, &test_err), MLPOT_ERR_UNSUPPORTED,
                "soap_turbo");
    CHECK_OK(mlpot_soap_params_parse("cutoff=5 n_max=4 l_max=4 atom_sigma=0.5", &p, &test_err));
    CHECK_OK(mlpot_soap_params_parse("  SOAP cutoff = 5 n_max=4 l_max=4 atom_sigma=0.5 normalize=F", &p, &test_err));
    CHECK(p.cutoff == 5 && p.normalise == 0, "spaces around '=' and the normalize alias");
    /* gap_fit's keys are accepted and defaults match QUIP's */
    CHECK_OK(mlpot_soap_params_parse("soap cutoff=5.0 n_max=8 l_max=6 atom_gaussian_width=0.5 zeta=4 delta=0.2 "
                                     "covariance_type=dot_product sparse_method=cur_points n_sparse=200 add_species",
                                     &p, &test_err));
    CHECK(p.cutoff_transition_width == 0.5 && p.normalise == 1 && p.central_weight == 1.0 && p.n_species == 1 &&
              p.atom_sigma == 0.5 && mlpot_soap_dimension(&p) == 253,
          "defaults");
}

int main(void)
{
    test_bessel();
    test_quip_vectors();
    test_quip_gradients();
    test_finite_differences();
    test_backprop();
    test_invariances();
    test_cutoff_smoothness();
    test_bad_parameters();
    return test_finish("test_soap");
}
