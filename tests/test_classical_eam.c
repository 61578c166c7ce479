/* EAM (funcfl, setfl, Finnis-Sinclair) from the LAMMPS potential files: finite differences,
 * invariances, supercells, thread-count independence, the embedding continued beyond the
 * table, and malformed files. Agreement with LAMMPS is in test_lammps_parity.py. */
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "harness.h"

#define POT "/usr/share/lammps/potentials/"

static void fcc(mlpot_structure *s, double a, int n, double rattle, unsigned long long seed, int z1, int z2)
{
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, 4 * n * n * n, &test_err));
    unsigned long long rng = seed;
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < 4; ++b, ++k) {
                    double f[3] = {i + basis[b][0], j + basis[b][1], l + basis[b][2]};
                    for (int c = 0; c < 3; ++c) s->positions[3 * k + c] = a * f[c] + rattle * (test_random(&rng) - 0.5);
                    s->numbers[k] = k % 3 ? z1 : z2;
                }
    for (int c = 0; c < 3; ++c) {
        s->cell[c][c] = a * n;
        s->pbc[c] = 1;
    }
    s->cell[2][0] = 0.4 * a; /* triclinic */
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    if (access(POT "Cu_u3.eam", R_OK) != 0) {
        if (getenv("MLPOT_REQUIRE_LAMMPS") && !strcmp(getenv("MLPOT_REQUIRE_LAMMPS"), "1")) {
            fprintf(stderr, "LAMMPS potential files missing under " POT "\n");
            return 1;
        }
        printf("SKIP: LAMMPS potential files not installed\n");
        return 77;
    }
    mlpot_structure s;
    mlpot_structure_init(&s);
    struct {
        mlpot_eam_format format;
        const char *files[2];
        int n_files, z1, z2;
        double a;
        const char *what;
    } cases[] = {
        {MLPOT_EAM_FUNCFL, {POT "Cu_u3.eam"}, 1, 29, 29, 3.615, "eam Cu"},
        {MLPOT_EAM_FUNCFL, {POT "Cu_u3.eam", POT "Ni_u3.eam"}, 2, 29, 28, 3.58, "eam Cu+Ni"},
        {MLPOT_EAM_SETFL, {POT "CuNi.eam.alloy"}, 1, 29, 28, 3.58, "eam/alloy CuNi"},
        {MLPOT_EAM_FS, {POT "NiAlH_jea.eam.fs"}, 1, 28, 13, 3.52, "eam/fs NiAl"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        mlpot_potential *p;
        CHECK_OK(mlpot_eam_load(cases[c].format, cases[c].files, cases[c].n_files, &p, &test_err));
        fcc(&s, cases[c].a, 2, 0.25, c + 1, cases[c].z1, cases[c].z2);
        test_potential_physics(p, &s, cases[c].what);
        for (int k = 0; k < 3; ++k) s.pbc[k] = 0;
        test_potential_physics(p, &s, cases[c].what);
        mlpot_potential_free(p);
    }

    /* thread-count independence with the parallel paths active */
#ifdef _OPENMP
    mlpot_potential *cu;
    const char *cu_file[1] = {POT "Cu_mishin1.eam.alloy"};
    CHECK_OK(mlpot_eam_load(MLPOT_EAM_SETFL, cu_file, 1, &cu, &test_err));
    fcc(&s, 3.615, 5, 0.3, 9, 29, 29);
    mlpot_result r1, r2;
    mlpot_result_init(&r1);
    mlpot_result_init(&r2);
    unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(cu, &s, all, &r1, &test_err));
    omp_set_num_threads(2);
    CHECK_OK(mlpot_potential_evaluate(cu, &s, all, &r2, &test_err));
    CHECK(r1.energy == r2.energy && !memcmp(r1.forces, r2.forces, 3 * sizeof(double) * (size_t)s.n_atoms) &&
              !memcmp(r1.virial, r2.virial, sizeof r1.virial),
          "EAM: results differ between 1 and 2 threads");
    /* a crushed crystal pushes the density past the table: F continues linearly, forces stay
     * consistent with the energy */
    fcc(&s, 2.2, 1, 0.05, 10, 29, 29);
    double fmax, ferr = test_force_fd_error(cu, &s, 1e-5, &fmax);
    CHECK(ferr < 1e-6 * fmax, "compressed beyond the density table: FD error %g (max %g)", ferr, fmax);
    mlpot_result_free(&r1);
    mlpot_result_free(&r2);
    mlpot_potential_free(cu);
#endif

    /* malformed files */
    char path[256];
    snprintf(path, sizeof path, "/tmp/mlpot_eam_%d.eam", (int)getpid());
    mlpot_potential *bad = NULL;
    const char *paths[1] = {path};
    write_file(path, "comment\n29 63.55 3.615 FCC\n5 0.1 5 0.1 4.0\n1 2 3 4 5\n1 2 3 4 5\n1 2 3\n");
    CHECK_FAILS(mlpot_eam_load(MLPOT_EAM_FUNCFL, paths, 1, &bad, &test_err), MLPOT_ERR_FORMAT, "file ends early");
    write_file(path, "comment\n29 63.55 3.615 FCC\n5 0.1 5 0.1 4.0\n1 2 3 x 5\n");
    CHECK_FAILS(mlpot_eam_load(MLPOT_EAM_FUNCFL, paths, 1, &bad, &test_err), MLPOT_ERR_FORMAT, ":4: F(rho) value 'x'");
    write_file(path, "comment\n29 63.55 3.615 FCC\n3 0.1 5 0.1 4.0\n");
    CHECK_FAILS(mlpot_eam_load(MLPOT_EAM_FUNCFL, paths, 1, &bad, &test_err), MLPOT_ERR_FORMAT, ":3: invalid grid");
    write_file(path, "c\nc\nc\n1 Qq\n5 0.1 5 0.1 4.0\n");
    CHECK_FAILS(mlpot_eam_load(MLPOT_EAM_SETFL, paths, 1, &bad, &test_err), MLPOT_ERR_FORMAT, ":4: 'Qq' is not an element");
    write_file(path, "c\nc\nc\n1 Cu\n5 0.1 5 0.1 4.0\n29 63.55 3.615 FCC\n1 2 3 4 5\n1 2 3 4 5\n1 2 3 4 5 6\n");
    CHECK_FAILS(mlpot_eam_load(MLPOT_EAM_SETFL, paths, 1, &bad, &test_err), MLPOT_ERR_FORMAT, "more numbers than");
    unlink(path);
    mlpot_structure_free(&s);
    return test_finish("test_classical_eam");
}
