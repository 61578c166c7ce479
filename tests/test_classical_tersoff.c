/* Tersoff from the LAMMPS files: finite differences, invariances, supercells, thread-count
 * independence, labelled element variants, triplets missing from a file, malformed files.
 * Agreement with LAMMPS is in test_lammps_parity.py. */
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "harness.h"

#define POT "/usr/share/lammps/potentials/"

static void zincblende(mlpot_structure *s, double a, int n, double rattle, unsigned long long seed, int z1, int z2)
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
                    s->numbers[k] = b < 4 ? z1 : z2;
                }
    for (int c = 0; c < 3; ++c) {
        s->cell[c][c] = a * n;
        s->pbc[c] = 1;
    }
    s->cell[1][0] = 0.3 * a;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    if (access(POT "SiC.tersoff", R_OK) != 0) {
        if (getenv("MLPOT_REQUIRE_LAMMPS") && !strcmp(getenv("MLPOT_REQUIRE_LAMMPS"), "1")) return 1;
        printf("SKIP: LAMMPS potential files not installed\n");
        return 77;
    }
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_potential *si, *sic;
    CHECK_OK(mlpot_tersoff_load(POT "Si.tersoff", NULL, 0, &si, &test_err));
    CHECK_OK(mlpot_tersoff_load(POT "SiC.tersoff", NULL, 0, &sic, &test_err));
    zincblende(&s, 5.431, 2, 0.3, 1, 14, 14);
    test_potential_physics(si, &s, "tersoff Si");
    zincblende(&s, 4.36, 2, 0.3, 2, 14, 6);
    test_potential_physics(sic, &s, "tersoff SiC");
    for (int k = 0; k < 3; ++k) s.pbc[k] = 0;
    test_potential_physics(sic, &s, "tersoff SiC cluster");
#ifdef _OPENMP
    zincblende(&s, 4.36, 4, 0.3, 3, 14, 6);
    mlpot_result r1, r2;
    mlpot_result_init(&r1);
    mlpot_result_init(&r2);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(sic, &s, all, &r1, &test_err));
    omp_set_num_threads(2);
    CHECK_OK(mlpot_potential_evaluate(sic, &s, all, &r2, &test_err));
    CHECK(r1.energy == r2.energy && !memcmp(r1.forces, r2.forces, 3 * sizeof(double) * (size_t)s.n_atoms) &&
              !memcmp(r1.virial, r2.virial, sizeof r1.virial),
          "Tersoff: results differ between 1 and 2 threads");
    mlpot_result_free(&r1);
    mlpot_result_free(&r2);
#endif
    /* labelled variants and missing triplets (SiCGe.tersoff has Si(B), Si(C), Si(D) and no C-Ge) */
    mlpot_potential *sige;
    mlpot_element_label label = {14, "Si(D)"};
    CHECK_OK(mlpot_tersoff_load(POT "SiCGe.tersoff", &label, 1, &sige, &test_err));
    zincblende(&s, 5.5, 1, 0.2, 4, 14, 32);
    test_potential_physics(sige, &s, "tersoff SiGe, Si(D) label");
    zincblende(&s, 5.0, 1, 0.2, 5, 6, 32);
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_FAILS(mlpot_potential_evaluate(sige, &s, MLPOT_OUT_ENERGY, &r, &test_err), MLPOT_ERR_UNSUPPORTED,
                "no entry for the triplet C C Ge");
    mlpot_result_free(&r);
    mlpot_potential_free(sige);

    char path[256];
    snprintf(path, sizeof path, "/tmp/mlpot_tersoff_%d.tersoff", (int)getpid());
    mlpot_potential *bad;
    write_file(path, "Si Si Si 3.0 1.0 1.3258 4.8381 2.0417 0.0 22.956\n");
    CHECK_FAILS(mlpot_tersoff_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, ":1: incomplete entry");
    write_file(path, "Si Si Si 2.0 1.0 1.3258 4.8381 2.0417 0.0 22.956 0.33675 1.3258 95.373 3.0 0.2 3.2394 3264.7\n");
    CHECK_FAILS(mlpot_tersoff_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, ":1: illegal Tersoff parameter");
    write_file(path, "\n\nSi Si Si 3.0 1.0 1.3258 4.8381 2.0417 0.0 22.956 0.33675 1.3258 9y5.373 3.0 0.2 3.2394 3264.7\n");
    CHECK_FAILS(mlpot_tersoff_load(path, NULL, 0, &bad, &test_err), MLPOT_ERR_FORMAT, ":3: B (word 13 of the entry)");
    unlink(path);
    mlpot_potential_free(si);
    mlpot_potential_free(sic);
    mlpot_structure_free(&s);
    return test_finish("test_classical_tersoff");
}
