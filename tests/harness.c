#include "harness.h"

#include <string.h>
#include <sys/stat.h>

#ifdef _OPENMP
#include <omp.h>
#endif

int test_failures = 0;
int test_checks = 0;
mlpot_error test_err;

int test_finish(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
    return test_failures ? 1 : 0;
}

const char *test_env_or_skip(const char *name)
{
    const char *v = getenv(name);
    if (!v || !v[0]) {
        printf("SKIP: environment variable %s is not set\n", name);
        exit(77);
    }
    return v;
}

const char *test_shared_path(const char *relative)
{
    static char buf[4096];
    const char *root = test_env_or_skip("MLPOT_SHARED_DATA");
    struct stat st;
    if (stat(root, &st) != 0) {
        printf("SKIP: shared data folder %s does not exist\n", root);
        exit(77);
    }
    snprintf(buf, sizeof buf, "%s/%s", root, relative);
    return buf;
}

const char *test_data_path(const char *relative)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", test_env_or_skip("MLPOT_TEST_DATA"), relative);
    return buf;
}

double test_random(unsigned long long *state)
{
    unsigned long long x = *state ? *state : 88172645463325252ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

void test_random_structure(mlpot_structure *s, int n, const int *species, int n_species,
                           const double *cell, const int pbc[3], double dmin,
                           unsigned long long seed)
{
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, n, &test_err));
    memcpy(s->cell, cell, sizeof s->cell);
    const double(*L)[3] = (const double(*)[3])cell;
    memcpy(s->pbc, pbc, sizeof s->pbc);
    unsigned long long rng = seed * 2654435761ULL + 1;
    for (int i = 0; i < n; ++i) {
        s->numbers[i] = species[i % n_species];
        for (int attempt = 0;; ++attempt) {
            double f[3] = {test_random(&rng), test_random(&rng), test_random(&rng)};
            double *x = &s->positions[3 * i];
            for (int a = 0; a < 3; ++a)
                x[a] = f[0] * L[0][a] + f[1] * L[1][a] + f[2] * L[2][a];
            /* distance check against earlier atoms with a neighbour list is overkill here:
             * brute force over images -1..1 of the periodic directions */
            int ok = 1;
            for (int j = 0; j < i && ok; ++j)
                for (int i0 = -pbc[0]; i0 <= pbc[0] && ok; ++i0)
                    for (int i1 = -pbc[1]; i1 <= pbc[1] && ok; ++i1)
                        for (int i2 = -pbc[2]; i2 <= pbc[2] && ok; ++i2) {
                            double d2 = 0;
                            for (int a = 0; a < 3; ++a) {
                                double d = s->positions[3 * j + a] + i0 * L[0][a] +
                                           i1 * L[1][a] + i2 * L[2][a] - x[a];
                                d2 += d * d;
                            }
                            if (d2 < dmin * dmin) ok = 0;
                        }
            if (ok) break;
            if (attempt > 100000) {
                fprintf(stderr, "test_random_structure: cannot place atom %d\n", i);
                exit(1);
            }
        }
    }
}

double test_energy(const mlpot_potential *p, const mlpot_structure *s)
{
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, s, MLPOT_OUT_ENERGY, &r, &test_err));
    double e = r.energy;
    mlpot_result_free(&r);
    return e;
}

double test_force_fd_error(const mlpot_potential *p, const mlpot_structure *s, double h,
                           double *max_force)
{
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES, &r, &test_err));
    mlpot_structure t;
    mlpot_structure_init(&t);
    CHECK_OK(mlpot_structure_copy(&t, s, &test_err));
    double worst = 0, fbig = 0;
    for (int k = 0; k < 3 * s->n_atoms; ++k) {
        double x0 = t.positions[k];
        t.positions[k] = x0 + h;
        double ep = test_energy(p, &t);
        t.positions[k] = x0 - h;
        double em = test_energy(p, &t);
        t.positions[k] = x0;
        double numeric = -(ep - em) / (2 * h);
        worst = fmax(worst, fabs(numeric - r.forces[k]));
        fbig = fmax(fbig, fabs(r.forces[k]));
    }
    if (max_force) *max_force = fbig;
    mlpot_structure_free(&t);
    mlpot_result_free(&r);
    return worst;
}

static void strain(const mlpot_structure *s, mlpot_structure *t, int a, int b, double eps)
{
    /* x -> (1 + ε) x with a symmetric ε having ε_ab = ε_ba = eps/2 (or ε_aa = eps) */
    double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    if (a == b) m[a][a] += eps;
    else m[a][b] += 0.5 * eps, m[b][a] += 0.5 * eps;
    for (int i = 0; i < s->n_atoms; ++i)
        for (int c = 0; c < 3; ++c) {
            double v = 0;
            for (int d = 0; d < 3; ++d) v += s->positions[3 * i + d] * m[d][c];
            t->positions[3 * i + c] = v;
        }
    for (int k = 0; k < 3; ++k)
        for (int c = 0; c < 3; ++c) {
            double v = 0;
            for (int d = 0; d < 3; ++d) v += s->cell[k][d] * m[d][c];
            t->cell[k][c] = v;
        }
}

double test_virial_fd_error(const mlpot_potential *p, const mlpot_structure *s, double h,
                            double *max_virial)
{
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, s, MLPOT_OUT_ENERGY | MLPOT_OUT_VIRIAL, &r, &test_err));
    mlpot_structure t;
    mlpot_structure_init(&t);
    CHECK_OK(mlpot_structure_copy(&t, s, &test_err));
    double worst = 0, wmax = 0;
    for (int a = 0; a < 3; ++a)
        for (int b = a; b < 3; ++b) {
            strain(s, &t, a, b, h);
            double ep = test_energy(p, &t);
            strain(s, &t, a, b, -h);
            double em = test_energy(p, &t);
            /* W = -dE/dε; for a != b the symmetric strain gives dE/dε_ab + dE/dε_ba over 2 */
            double numeric = -(ep - em) / (2 * h);
            double analytic = a == b ? r.virial[3 * a + a]
                                     : 0.5 * (r.virial[3 * a + b] + r.virial[3 * b + a]);
            worst = fmax(worst, fabs(numeric - analytic));
            wmax = fmax(wmax, fabs(analytic));
        }
    if (max_virial) *max_virial = wmax;
    mlpot_structure_free(&t);
    mlpot_result_free(&r);
    return worst;
}

void test_rotate(mlpot_structure *s, const double R[9])
{
    for (int i = 0; i < s->n_atoms; ++i) {
        double *x = &s->positions[3 * i], y[3];
        for (int a = 0; a < 3; ++a) y[a] = R[3 * a] * x[0] + R[3 * a + 1] * x[1] + R[3 * a + 2] * x[2];
        memcpy(x, y, sizeof y);
    }
    for (int k = 0; k < 3; ++k) {
        double *x = s->cell[k], y[3];
        for (int a = 0; a < 3; ++a) y[a] = R[3 * a] * x[0] + R[3 * a + 1] * x[1] + R[3 * a + 2] * x[2];
        memcpy(x, y, sizeof y);
    }
}

void test_rotation_matrix(double angle, double R[9])
{
    double u[3] = {0.36, -0.48, 0.8}; /* unit axis */
    double c = cos(angle), s = sin(angle), t = 1 - c;
    double m[9] = {t * u[0] * u[0] + c,        t * u[0] * u[1] - s * u[2], t * u[0] * u[2] + s * u[1],
                   t * u[0] * u[1] + s * u[2], t * u[1] * u[1] + c,        t * u[1] * u[2] - s * u[0],
                   t * u[0] * u[2] - s * u[1], t * u[1] * u[2] + s * u[0], t * u[2] * u[2] + c};
    memcpy(R, m, sizeof m);
}

void test_potential_physics(const mlpot_potential *p, const mlpot_structure *s, const char *what)
{
    double fmax, wmax;
    double ferr = test_force_fd_error(p, s, 1e-5, &fmax);
    double werr = test_virial_fd_error(p, s, 1e-6, &wmax);
    CHECK(ferr < 1e-6 * fmax + 1e-8, "%s: force FD error %g (max force %g)", what, ferr, fmax);
    CHECK(werr < 1e-6 * wmax + 1e-7, "%s: virial FD error %g (max virial %g)", what, werr, wmax);

    mlpot_result r;
    mlpot_result_init(&r);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL |
                   MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ATOM_VIRIALS;
    CHECK_OK(mlpot_potential_evaluate(p, s, all, &r, &test_err));
    double esum = 0, wsum[9] = {0}, fsum[3] = {0};
    for (int i = 0; i < s->n_atoms; ++i) {
        esum += r.atom_energies[i];
        for (int k = 0; k < 9; ++k) wsum[k] += r.atom_virials[9 * i + k];
        for (int a = 0; a < 3; ++a) fsum[a] += r.forces[3 * i + a];
    }
    double scale = fabs(r.energy) + 1;
    CHECK_CLOSE(esum, r.energy, 1e-12 * scale, "per-atom energies sum to the energy");
    for (int k = 0; k < 9; ++k) CHECK_CLOSE(wsum[k], r.virial[k], 1e-10 * scale, "per-atom virials sum");
    for (int a = 0; a < 3; ++a) CHECK_CLOSE(fsum[a], 0.0, 1e-10 * scale, "net force vanishes");
    CHECK_CLOSE(r.virial[1], r.virial[3], 1e-10 * scale, "virial symmetric xy");

    /* rotation and translation invariance */
    mlpot_structure t;
    mlpot_structure_init(&t);
    CHECK_OK(mlpot_structure_copy(&t, s, &test_err));
    double R[9];
    test_rotation_matrix(0.7, R);
    test_rotate(&t, R);
    for (int i = 0; i < t.n_atoms; ++i)
        for (int a = 0; a < 3; ++a) t.positions[3 * i + a] += 1.234 * (a + 1);
    mlpot_result q;
    mlpot_result_init(&q);
    CHECK_OK(mlpot_potential_evaluate(p, &t, all, &q, &test_err));
    CHECK_CLOSE(q.energy, r.energy, 1e-11 * scale, "energy invariant under rotation+translation");
    for (int i = 0; i < s->n_atoms; ++i)
        for (int a = 0; a < 3; ++a) {
            double rf = R[3 * a] * r.forces[3 * i] + R[3 * a + 1] * r.forces[3 * i + 1] +
                        R[3 * a + 2] * r.forces[3 * i + 2];
            CHECK_CLOSE(q.forces[3 * i + a], rf, 1e-9 * scale, "forces rotate with the structure");
        }
    /* permutation: reverse the atom order */
    CHECK_OK(mlpot_structure_copy(&t, s, &test_err));
    for (int i = 0; i < s->n_atoms; ++i) {
        int j = s->n_atoms - 1 - i;
        t.numbers[i] = s->numbers[j];
        memcpy(&t.positions[3 * i], &s->positions[3 * j], 3 * sizeof(double));
    }
    CHECK_OK(mlpot_potential_evaluate(p, &t, all, &q, &test_err));
    CHECK_CLOSE(q.energy, r.energy, 1e-11 * scale, "energy invariant under permutation");
    CHECK_CLOSE(q.forces[0], r.forces[3 * (s->n_atoms - 1)], 1e-10 * scale, "permuted force");

    /* supercell: 2x2x2 has 8 times the energy and virial */
    if (s->pbc[0] && s->pbc[1] && s->pbc[2]) {
        int rep[3] = {2, 2, 2};
        CHECK_OK(mlpot_structure_supercell(s, rep, &t, &test_err));
        CHECK_OK(mlpot_potential_evaluate(p, &t, all, &q, &test_err));
        CHECK_CLOSE(q.energy, 8 * r.energy, 1e-10 * scale * 8, "E(2x2x2) = 8 E");
        for (int k = 0; k < 9; ++k) CHECK_CLOSE(q.virial[k], 8 * r.virial[k], 1e-9 * scale * 8, "W(2x2x2) = 8 W");
        CHECK_CLOSE(q.forces[3 * s->n_atoms + 1], r.forces[1], 1e-9 * scale, "supercell forces repeat");
    }
#ifdef _OPENMP
    /* the same numbers, bit for bit, with one thread */
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(p, s, all, &q, &test_err));
    omp_set_num_threads(threads);
    CHECK(q.energy == r.energy, "%s: energy differs with one thread", what);
    CHECK(!memcmp(q.forces, r.forces, 3 * sizeof(double) * (size_t)s->n_atoms), "%s: forces differ with one thread", what);
    CHECK(!memcmp(q.virial, r.virial, sizeof q.virial), "%s: virial differs with one thread", what);
#endif
    mlpot_result_free(&q);
    mlpot_result_free(&r);
    mlpot_structure_free(&t);
}


void test_diamond(mlpot_structure *s, int z, int n, double a)
{
    static const double basis[8][3] = {{0, 0, 0},          {0, 0.5, 0.5},     {0.5, 0, 0.5},
                                       {0.5, 0.5, 0},      {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75},
                                       {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};
    CHECK_OK(mlpot_structure_resize(s, 8 * n * n * n, &test_err));
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < 8; ++b, ++k) {
                    s->numbers[k] = z;
                    s->positions[3 * k] = a * (i + basis[b][0]);
                    s->positions[3 * k + 1] = a * (j + basis[b][1]);
                    s->positions[3 * k + 2] = a * (l + basis[b][2]);
                }
    memset(s->cell, 0, sizeof s->cell);
    for (int c = 0; c < 3; ++c) s->cell[c][c] = a * n, s->pbc[c] = 1;
}

mlpot_structure test_read_n2p2_first(const char *path)
{
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.format = MLPOT_FORMAT_N2P2;
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    CHECK_OK(mlpot_dataset_read(path, &opt, &d, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK(d.n_frames >= 1, "%s: no frames", path);
    CHECK_OK(mlpot_structure_copy(&s, &d.frames[0], &test_err));
    mlpot_dataset_free(&d);
    return s;
}
