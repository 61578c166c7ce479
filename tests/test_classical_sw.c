/* Stillinger-Weber: closed-form energy of the perfect diamond crystal, finite differences,
 * invariances, supercells, multi-element files, thread-count independence, cutoff smoothness and
 * malformed parameter files. */
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "harness.h"

static void diamond(mlpot_structure *s, double a, int n, double rattle, unsigned long long seed, int z2)
{
    static const double basis[8][3] = {{0, 0, 0},       {0, .5, .5},      {.5, 0, .5},      {.5, .5, 0},
                                       {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, 8 * n * n * n, &test_err));
    unsigned long long rng = seed;
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < 8; ++b, ++k) {
                    double f[3] = {i + basis[b][0], j + basis[b][1], l + basis[b][2]};
                    for (int c = 0; c < 3; ++c) s->positions[3 * k + c] = a * f[c] + rattle * (test_random(&rng) - 0.5);
                    s->numbers[k] = b < 4 ? 14 : z2;
                }
    for (int c = 0; c < 3; ++c) {
        s->cell[c][c] = a * n;
        s->pbc[c] = 1;
    }
}

static const char *example_sw(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/examples/silicon/Si.sw", test_env_or_skip("MLPOT_SOURCE_DIR"));
    return path;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    mlpot_potential *sw;
    CHECK_OK(mlpot_sw_load(example_sw(), NULL, 0, &sw, &test_err));
    CHECK_CLOSE(mlpot_potential_cutoff(sw), 1.80 * 2.0951, 1e-15, "cutoff a·sigma");
    mlpot_structure s, t;
    mlpot_structure_init(&s);
    mlpot_structure_init(&t);

    /* Perfect diamond at the two-body minimum r = 2^(1/6) σ: every bond contributes -ε, the
     * tetrahedral angles make the three-body term vanish, so E = -2ε per atom. */
    double a0 = pow(2.0, 1.0 / 6.0) * 2.0951 * 4.0 / sqrt(3.0);
    diamond(&s, a0, 2, 0.0, 1, 14);
    /* (to 1e-9: the published A and B make the minimum -ε only to their ten digits) */
    CHECK_CLOSE(test_energy(sw, &s) / s.n_atoms, -2 * 2.1683, 1e-9, "diamond energy per atom = -2ε");

    /* finite differences and invariances: rattled crystal, skewed cell, open cluster */
    diamond(&s, 5.431, 2, 0.3, 2, 14);
    test_potential_physics(sw, &s, "SW rattled diamond");
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    for (int a = 0; a < 3; ++a) t.cell[2][a] += t.cell[0][a] - t.cell[1][a];
    CHECK_CLOSE(test_energy(sw, &t), test_energy(sw, &s), 1e-11 * fabs(test_energy(sw, &s)), "skewed equivalent cell");
    test_potential_physics(sw, &t, "SW skewed cell");
    for (int k = 0; k < 3; ++k) s.pbc[k] = 0;
    test_potential_physics(sw, &s, "SW open cluster");

    /* thread-count independence on a system large enough for the parallel paths */
#ifdef _OPENMP
    diamond(&s, 5.431, 4, 0.3, 3, 14);
    mlpot_result r1, r2;
    mlpot_result_init(&r1);
    mlpot_result_init(&r2);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(sw, &s, all, &r1, &test_err));
    omp_set_num_threads(2);
    CHECK_OK(mlpot_potential_evaluate(sw, &s, all, &r2, &test_err));
    CHECK(r1.energy == r2.energy && !memcmp(r1.forces, r2.forces, 3 * sizeof(double) * (size_t)s.n_atoms) &&
              !memcmp(r1.virial, r2.virial, sizeof r1.virial),
          "SW: results differ between 1 and 2 threads");
    mlpot_result_free(&r1);
    mlpot_result_free(&r2);
#endif

    /* smooth at the cutoff: a dimer's energy and force vanish as r -> aσ */
    mlpot_structure_free(&s);
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    s.numbers[0] = s.numbers[1] = 14;
    s.positions[3] = 1.80 * 2.0951 - 0.02;
    double e_near = test_energy(sw, &s);
    CHECK(fabs(e_near) < 1e-40 && e_near != 0, "dimer energy just inside the cutoff %g", e_near);

    /* two elements (LAMMPS's CdTe file, installed with the lammps package) */
    const char *cdte = "/usr/share/lammps/potentials/CdTe.sw";
    if (access(cdte, R_OK) == 0) {
        mlpot_potential *p;
        CHECK_OK(mlpot_sw_load(cdte, NULL, 0, &p, &test_err));
        diamond(&s, 6.48, 2, 0.3, 4, 52);
        for (int i = 0; i < s.n_atoms; ++i) s.numbers[i] = s.numbers[i] == 14 ? 48 : 52;
        test_potential_physics(p, &s, "SW CdTe");
        mlpot_potential_free(p);
    }

    /* malformed files name the file, line and problem */
    char path[256];
    snprintf(path, sizeof path, "/tmp/mlpot_sw_%d.sw", (int)getpid());
    mlpot_potential *bad = NULL;
    write_file(path, "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.602 4.0 0.0\n");
    CHECK_FAILS(mlpot_sw_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, ":1: incomplete entry");
    write_file(path, "# comment\nSi Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 x 4.0 0.0 0.0\n");
    CHECK_FAILS(mlpot_sw_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, ":2: B (word 11 of the entry) 'x'");
    write_file(path, "Xx Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.6 4.0 0.0 0.0\n");
    CHECK_FAILS(mlpot_sw_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, "no usable Stillinger-Weber entries");
    write_file(path, "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.6 4.0 0.0 0.0\n"
                     "C C C 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.6 4.0 0.0 0.0\n");
    CHECK_OK(mlpot_sw_load(path, NULL, 0, &bad, &test_err)); /* incomplete files load */
    diamond(&s, 5.431, 1, 0.0, 6, 6);
    mlpot_result rr;
    mlpot_result_init(&rr);
    CHECK_FAILS(mlpot_potential_evaluate(bad, &s, MLPOT_OUT_ENERGY, &rr, &test_err), MLPOT_ERR_UNSUPPORTED,
                "has no entry for the triplet Si Si C");
    for (int i = 0; i < s.n_atoms; ++i) s.numbers[i] = 6;
    CHECK_OK(mlpot_potential_evaluate(bad, &s, MLPOT_OUT_ENERGY, &rr, &test_err)); /* C alone is complete */
    mlpot_result_free(&rr);
    mlpot_potential_free(bad);
    write_file(path, "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.6 4.0 0.0 0.0\n"
                     "Si Si Si 2.1683 2.0951 1.80 21.0 1.20 -0.333 7.05 0.6 4.0 0.0 0.0\n");
    CHECK_FAILS(mlpot_sw_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, ":2: entry Si Si Si appears twice");
    CHECK_FAILS(mlpot_sw_load("/nonexistent/Si.sw", NULL, 0, &bad, &test_err), MLPOT_ERR_IO, "cannot open");
    unlink(path);
    /* a species the file lacks */
    diamond(&s, 5.431, 1, 0.0, 5, 6);
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_FAILS(mlpot_potential_evaluate(sw, &s, MLPOT_OUT_ENERGY, &r, &test_err), MLPOT_ERR_UNSUPPORTED, "is C");
    mlpot_result_free(&r);

    mlpot_potential_free(sw);
    mlpot_structure_free(&s);
    mlpot_structure_free(&t);
    return test_finish("test_classical_sw");
}
