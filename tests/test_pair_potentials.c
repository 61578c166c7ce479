/* Lennard-Jones and ZBL through the potential interface: finite-difference forces and virial,
 * invariances, supercell extensivity, per-atom sums, sums of potentials, unit conversion,
 * thread-count independence, and the interface's own checks. */
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "harness.h"

static void physics_checks(const mlpot_potential *p, const mlpot_structure *s, const char *what)
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

int main(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    int ar[1] = {18}, mixed[2] = {18, 36};
    double cell[3][3] = {{11.0, 0, 0}, {1.5, 10.5, 0}, {-0.8, 0.9, 10.0}};
    int pbc[3] = {1, 1, 1};

    mlpot_potential *lj;
    CHECK_OK(mlpot_potential_load("lj:epsilon=0.0104,sigma=3.40,cutoff=8.5,shift=yes", &lj, &test_err));
    test_random_structure(&s, 28, ar, 1, &cell[0][0], pbc, 2.9, 1);
    physics_checks(lj, &s, "lj periodic triclinic");
    int open[3] = {0, 0, 0};
    test_random_structure(&s, 25, ar, 1, &cell[0][0], open, 3.0, 2);
    physics_checks(lj, &s, "lj open cluster");

    /* per-element LJ with mixing: Ar-Kr pair uses the mixed parameters */
    mlpot_potential *lj2;
    CHECK_OK(mlpot_potential_load("lj:epsilon.Ar=0.0104,sigma.Ar=3.40,epsilon.Kr=0.014,sigma.Kr=3.65,cutoff=9", &lj2, &test_err));
    mlpot_structure dimer;
    mlpot_structure_init(&dimer);
    CHECK_OK(mlpot_structure_resize(&dimer, 2, &test_err));
    dimer.numbers[0] = 18, dimer.numbers[1] = 36;
    dimer.positions[3] = 4.0;
    double eps = sqrt(0.0104 * 0.014), sig = 0.5 * (3.40 + 3.65), x = pow(sig / 4.0, 6);
    CHECK_CLOSE(test_energy(lj2, &dimer), 4 * eps * (x * x - x), 1e-15, "mixed LJ dimer energy");
    test_random_structure(&s, 28, mixed, 2, &cell[0][0], pbc, 2.9, 3);
    physics_checks(lj2, &s, "lj two species");

    /* ZBL: dimer value against the closed form below the switching region */
    mlpot_potential *zbl;
    CHECK_OK(mlpot_potential_load("zbl:inner=1.0,outer=2.0", &zbl, &test_err));
    mlpot_structure_free(&dimer);
    CHECK_OK(mlpot_structure_resize(&dimer, 2, &test_err));
    dimer.numbers[0] = 14, dimer.numbers[1] = 14;
    dimer.positions[3] = 2.0 - 1e-12;
    CHECK_CLOSE(test_energy(zbl, &dimer), 0.0, 1e-9, "ZBL vanishes at the cutoff");
    int si[2] = {14, 6};
    double small[3][3] = {{5.0, 0, 0}, {0.7, 4.8, 0}, {0.3, -0.4, 5.2}};
    test_random_structure(&s, 30, si, 2, &small[0][0], pbc, 0.9, 4);
    physics_checks(zbl, &s, "zbl");

    /* sum of potentials = sum of energies; units wrapper scales */
    mlpot_potential *members[2], *sum;
    CHECK_OK(mlpot_potential_load("zbl:inner=1.0,outer=2.0", &members[0], &test_err));
    CHECK_OK(mlpot_potential_load("lj:epsilon=0.01,sigma=2.0,cutoff=4.0", &members[1], &test_err));
    CHECK_OK(mlpot_potential_sum(members, 2, &sum, &test_err));
    mlpot_potential *ljs;
    CHECK_OK(mlpot_potential_load("lj:epsilon=0.01,sigma=2.0,cutoff=4.0", &ljs, &test_err));
    CHECK_CLOSE(test_energy(sum, &s), test_energy(zbl, &s) + test_energy(ljs, &s), 1e-10, "sum energy");
    CHECK_CLOSE(mlpot_potential_cutoff(sum), 4.0, 0, "sum cutoff");
    physics_checks(sum, &s, "sum zbl+lj");

    mlpot_potential *ljh;
    /* LJ in Hartree/Bohr with ε, σ chosen so that it is the same physical potential */
    char spec[256];
    snprintf(spec, sizeof spec, "lj:epsilon=%.17g,sigma=%.17g,cutoff=%.17g", 0.01 / MLPOT_HARTREE_EV,
             2.0 / MLPOT_BOHR_ANGSTROM, 4.0 / MLPOT_BOHR_ANGSTROM);
    CHECK_OK(mlpot_potential_load(spec, &ljh, &test_err));
    mlpot_potential *wrapped;
    CHECK_OK(mlpot_potential_with_units(ljh, MLPOT_UNIT_HARTREE, MLPOT_UNIT_BOHR, &wrapped, &test_err));
    CHECK_CLOSE(test_energy(wrapped, &s), test_energy(ljs, &s), 1e-12, "units wrapper energy");
    physics_checks(wrapped, &s, "lj in Hartree/Bohr");

    /* interface checks: unsupported species named, unknown output refused, bad specs */
    mlpot_structure_free(&dimer);
    CHECK_OK(mlpot_structure_resize(&dimer, 2, &test_err));
    dimer.numbers[0] = 18, dimer.numbers[1] = 8;
    dimer.positions[3] = 3.0;
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_FAILS(mlpot_potential_evaluate(lj2, &dimer, MLPOT_OUT_ENERGY, &r, &test_err),
                MLPOT_ERR_UNSUPPORTED, "atom 2 is O");
    CHECK_FAILS(mlpot_potential_evaluate(lj, &dimer, MLPOT_OUT_ATOM_VARIANCES, &r, &test_err),
                MLPOT_ERR_UNSUPPORTED, "per-atom variances");
    mlpot_potential *bad;
    CHECK_FAILS(mlpot_potential_load("lj:epsilon=1,sigma=1", &bad, &test_err), MLPOT_ERR_ARGUMENT, "cutoff");
    CHECK_FAILS(mlpot_potential_load("lj:epsilon=1,sigma=1,cutoff=3,colour=red", &bad, &test_err),
                MLPOT_ERR_ARGUMENT, "unknown parameter 'colour'");
    CHECK_FAILS(mlpot_potential_load("lj:epsilon=x,sigma=1,cutoff=3", &bad, &test_err),
                MLPOT_ERR_ARGUMENT, "not a number");
    CHECK_FAILS(mlpot_potential_load("nosuchstyle:1", &bad, &test_err), MLPOT_ERR_ARGUMENT, "unknown style");
    CHECK_FAILS(mlpot_potential_load("zbl:inner=2,outer=1", &bad, &test_err), MLPOT_ERR_ARGUMENT, "inner < outer");

    mlpot_result_free(&r);
    mlpot_structure_free(&dimer);
    mlpot_structure_free(&s);
    mlpot_potential_free(lj);
    mlpot_potential_free(lj2);
    mlpot_potential_free(zbl);
    mlpot_potential_free(sum);
    mlpot_potential_free(ljs);
    mlpot_potential_free(wrapped);
    return test_finish("test_pair_potentials");
}
