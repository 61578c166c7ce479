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

    /* committee = mean of the members, their spread the variances; loaded from a spec too */
    mlpot_potential *committee, *loaded;
    CHECK_OK(mlpot_potential_load("zbl:inner=1.0,outer=2.0", &members[0], &test_err));
    CHECK_OK(mlpot_potential_load("lj:epsilon=0.01,sigma=2.0,cutoff=4.0", &members[1], &test_err));
    CHECK_OK(mlpot_potential_committee(members, 2, &committee, &test_err));
    CHECK_OK(mlpot_potential_load("committee:zbl:inner=1.0,outer=2.0; lj:epsilon=0.01,sigma=2.0,cutoff=4.0", &loaded,
                                  &test_err));
    {
        const double ez = test_energy(zbl, &s), el = test_energy(ljs, &s);
        mlpot_result rc, rz, rl;
        mlpot_result_init(&rc), mlpot_result_init(&rz), mlpot_result_init(&rl);
        const unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_ATOM_ENERGIES | MLPOT_OUT_ENERGY_VARIANCE |
                             MLPOT_OUT_ATOM_VARIANCES;
        CHECK(mlpot_potential_outputs(committee) & MLPOT_OUT_ENERGY_VARIANCE, "a committee offers variances");
        for (int repeat = 0; repeat < 2; ++repeat) /* the second call reuses the members' result */
            CHECK_OK(mlpot_potential_evaluate(loaded, &s, all, &rc, &test_err));
        CHECK_OK(mlpot_potential_evaluate(zbl, &s, all & ~(MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_ATOM_VARIANCES), &rz,
                                          &test_err));
        CHECK_OK(mlpot_potential_evaluate(ljs, &s, all & ~(MLPOT_OUT_ENERGY_VARIANCE | MLPOT_OUT_ATOM_VARIANCES), &rl,
                                          &test_err));
        CHECK_CLOSE(rc.energy, 0.5 * (ez + el), 1e-12 * fabs(ez), "committee energy is the mean");
        CHECK_CLOSE(rc.energy_variance, 0.25 * (ez - el) * (ez - el), 1e-10 * (ez - el) * (ez - el),
                    "committee energy variance");
        double worst_f = 0.0, worst_v = 0.0;
        for (int i = 0; i < s.n_atoms; ++i) {
            const double d = rz.atom_energies[i] - rl.atom_energies[i];
            worst_v = fmax(worst_v, fabs(rc.atom_variances[i] - 0.25 * d * d) / (0.25 * d * d + 1e-300));
            for (int a = 0; a < 3; ++a)
                worst_f = fmax(worst_f, fabs(rc.forces[3 * i + a] - 0.5 * (rz.forces[3 * i + a] + rl.forces[3 * i + a])));
        }
        CHECK(worst_f < 1e-12, "committee forces are the mean (%g)", worst_f);
        CHECK(worst_v < 1e-10, "committee atom variances are the spread of local energies (%g)", worst_v);
        mlpot_result_free(&rc), mlpot_result_free(&rz), mlpot_result_free(&rl);
    }
    test_potential_physics(committee, &s, "committee zbl, lj");
    mlpot_potential *bad_committee;
    CHECK_FAILS(mlpot_potential_load("committee:", &bad_committee, &test_err), MLPOT_ERR_ARGUMENT, "no members");
    CHECK_FAILS(mlpot_potential_load("committee:zbl:inner=1.0,outer=2.0;lj:epsilon=1", &bad_committee, &test_err),
                MLPOT_ERR_ARGUMENT, "committee member 2");
    mlpot_potential_free(committee);
    mlpot_potential_free(loaded);

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
