/* Lennard-Jones and ZBL through the potential interface: finite-difference forces and virial,
 * invariances, supercell extensivity, per-atom sums, sums of potentials, unit conversion,
 * thread-count independence, and the interface's own checks. */
#include <string.h>

#include "harness.h"

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
    test_potential_physics(lj, &s, "lj periodic triclinic");
    int open[3] = {0, 0, 0};
    test_random_structure(&s, 25, ar, 1, &cell[0][0], open, 3.0, 2);
    test_potential_physics(lj, &s, "lj open cluster");

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
    test_potential_physics(lj2, &s, "lj two species");

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
    test_potential_physics(zbl, &s, "zbl");

    /* sum of potentials = sum of energies; units wrapper scales */
    mlpot_potential *members[2], *sum;
    CHECK_OK(mlpot_potential_load("zbl:inner=1.0,outer=2.0", &members[0], &test_err));
    CHECK_OK(mlpot_potential_load("lj:epsilon=0.01,sigma=2.0,cutoff=4.0", &members[1], &test_err));
    CHECK_OK(mlpot_potential_sum(members, 2, &sum, &test_err));
    mlpot_potential *ljs;
    CHECK_OK(mlpot_potential_load("lj:epsilon=0.01,sigma=2.0,cutoff=4.0", &ljs, &test_err));
    CHECK_CLOSE(test_energy(sum, &s), test_energy(zbl, &s) + test_energy(ljs, &s), 1e-10, "sum energy");
    CHECK_CLOSE(mlpot_potential_cutoff(sum), 4.0, 0, "sum cutoff");
    test_potential_physics(sum, &s, "sum zbl+lj");

    mlpot_potential *ljh;
    /* LJ in Hartree/Bohr with ε, σ chosen so that it is the same physical potential */
    char spec[256];
    snprintf(spec, sizeof spec, "lj:epsilon=%.17g,sigma=%.17g,cutoff=%.17g", 0.01 / MLPOT_HARTREE_EV,
             2.0 / MLPOT_BOHR_ANGSTROM, 4.0 / MLPOT_BOHR_ANGSTROM);
    CHECK_OK(mlpot_potential_load(spec, &ljh, &test_err));
    mlpot_potential *wrapped;
    CHECK_OK(mlpot_potential_with_units(ljh, MLPOT_UNIT_HARTREE, MLPOT_UNIT_BOHR, &wrapped, &test_err));
    CHECK_CLOSE(test_energy(wrapped, &s), test_energy(ljs, &s), 1e-12, "units wrapper energy");
    test_potential_physics(wrapped, &s, "lj in Hartree/Bohr");

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
