/* A program outside the mlpot tree, built against an installed mlpot (CMake package and
 * pkg-config): evaluates a Lennard-Jones dimer and checks the closed-form energy. */
#include <math.h>
#include <stdio.h>

#include <mlpot/mlpot.h>

int main(void)
{
    mlpot_error err;
    mlpot_potential *p;
    if (mlpot_potential_load("lj:epsilon=1,sigma=1,cutoff=3", &p, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    mlpot_structure s;
    mlpot_structure_init(&s);
    mlpot_structure_resize(&s, 2, &err);
    s.numbers[0] = s.numbers[1] = 18;
    s.positions[3] = pow(2.0, 1.0 / 6.0); /* the minimum: E = -1 */
    mlpot_result r;
    mlpot_result_init(&r);
    int rc = mlpot_potential_evaluate(p, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES, &r, &err);
    if (rc || fabs(r.energy + 1.0) > 1e-12 || fabs(r.forces[0]) > 1e-12) {
        fprintf(stderr, "wrong result: %s %g\n", rc ? err.message : "", r.energy);
        return 1;
    }
    printf("mlpot %s: dimer energy %.12f\n", mlpot_version(), r.energy);
    mlpot_result_free(&r);
    mlpot_structure_free(&s);
    mlpot_potential_free(p);
    return 0;
}
