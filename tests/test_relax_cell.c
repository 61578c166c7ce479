/* Cell relaxation: a strained, sheared and rattled 8-atom diamond cell of Stillinger-Weber
 * silicon (a = 5.6 Å) relaxes at zero pressure back to the cubic cell of the SW lattice constant
 * 5.431 Å (within 1e-3 Å, stress below the threshold), with FIRE and with L-BFGS; at +5 GPa the
 * volume shrinks as the bulk modulus says (finite differences of E(V) at ±0.5 %, stiffened by
 * pressure: the secant modulus P V0 / (V0 - V) lies between B and B + 5 GPa · B', B' ≈ 4-5);
 * bad settings are refused. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void diamond(mlpot_structure *s, double a)
{
    static const double basis[8][3] = {{0, 0, 0},          {0, 0.5, 0.5},     {0.5, 0, 0.5},
                                       {0.5, 0.5, 0},      {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75},
                                       {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};
    CHECK_OK(mlpot_structure_resize(s, 8, &test_err));
    for (int k = 0; k < 8; ++k) {
        s->numbers[k] = 14;
        for (int c = 0; c < 3; ++c) s->positions[3 * k + c] = a * basis[k][c];
    }
    memset(s->cell, 0, sizeof s->cell);
    for (int c = 0; c < 3; ++c) s->cell[c][c] = a, s->pbc[c] = 1;
}

/* Applies the deformation x -> x · m to the cell and the positions, and rattles the atoms. */
static void deform(mlpot_structure *s, double m[3][3], double rattle)
{
    double y[3];
    for (int a = 0; a < 3; ++a) {
        for (int b = 0; b < 3; ++b) y[b] = s->cell[a][0] * m[0][b] + s->cell[a][1] * m[1][b] + s->cell[a][2] * m[2][b];
        memcpy(s->cell[a], y, sizeof y);
    }
    for (int i = 0; i < s->n_atoms; ++i) {
        double *x = &s->positions[3 * i];
        for (int b = 0; b < 3; ++b) y[b] = x[0] * m[0][b] + x[1] * m[1][b] + x[2] * m[2][b];
        for (int b = 0; b < 3; ++b) x[b] = y[b] + rattle * sin(7.0 * i + 3.0 * b);
    }
}

static double bulk_modulus_fd(const mlpot_potential *sw)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    double e[3], a = 5.431, v0 = a * a * a, h = 0.005;
    for (int k = 0; k < 3; ++k) {
        diamond(&s, a * cbrt(1.0 + (k - 1) * h));
        e[k] = test_energy(sw, &s);
    }
    mlpot_structure_free(&s);
    return v0 * (e[0] - 2 * e[1] + e[2]) / (h * v0 * h * v0);
}

static void test_zero_pressure(const mlpot_potential *sw, mlpot_relax_method method)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 5.6);
    double shear[3][3] = {{1, 0.03, 0}, {0.03, 1, -0.02}, {0, -0.02, 1.01}};
    deform(&s, shear, 0.05);
    mlpot_relax_options o;
    mlpot_relax_options_default(&o);
    o.method = method;
    o.cell = 1;
    o.fmax = 1e-4;
    o.smax = 1e-4 / MLPOT_EV_PER_A3_GPA;
    o.max_steps = 5000;
    mlpot_relax_report rep;
    CHECK_OK(mlpot_relax(sw, &s, &o, &rep, &test_err));
    double len[3], cosmax = 0;
    for (int a = 0; a < 3; ++a) len[a] = sqrt(s.cell[a][0] * s.cell[a][0] + s.cell[a][1] * s.cell[a][1] + s.cell[a][2] * s.cell[a][2]);
    for (int a = 0; a < 3; ++a) {
        int b = (a + 1) % 3;
        double dot = s.cell[a][0] * s.cell[b][0] + s.cell[a][1] * s.cell[b][1] + s.cell[a][2] * s.cell[b][2];
        cosmax = fmax(cosmax, fabs(dot / (len[a] * len[b])));
    }
    printf("%s cell relaxation of sheared 8-atom Si (a = 5.6 Å) at 0 GPa: %s in %d steps, lengths %.5f %.5f %.5f Å, "
           "largest |cos angle| %.1e, E %.6f eV/atom, fmax %.1e eV/Å, max |stress| %.1e GPa\n",
           method == MLPOT_RELAX_FIRE ? "FIRE" : "L-BFGS", rep.converged ? "converged" : "NOT converged", rep.steps,
           len[0], len[1], len[2], cosmax, rep.energy / 8, rep.fmax, rep.smax * MLPOT_EV_PER_A3_GPA);
    CHECK(rep.converged && rep.fmax < o.fmax && rep.smax < o.smax, "converged %d fmax %g smax %g", rep.converged,
          rep.fmax, rep.smax);
    for (int a = 0; a < 3; ++a) CHECK(fabs(len[a] - 5.431) < 1e-3, "lattice vector %d of length %.5f Å", a, len[a]);
    CHECK(cosmax < 1e-4, "cell not cubic: |cos| %.2e", cosmax);
    CHECK_CLOSE(rep.energy / 8, -4.3366, 1e-4, "SW silicon cohesive energy");
    /* the structure's stress is what the report says */
    mlpot_result r;
    mlpot_result_init(&r);
    double stress[9];
    CHECK_OK(mlpot_potential_evaluate(sw, &s, MLPOT_OUT_ENERGY | MLPOT_OUT_VIRIAL, &r, &test_err));
    CHECK_OK(mlpot_result_stress(&r, &s, stress, &test_err));
    for (int q = 0; q < 9; ++q) CHECK(fabs(stress[q]) < o.smax, "stress %d: %g", q, stress[q]);
    mlpot_result_free(&r);
    mlpot_structure_free(&s);
}

static void test_pressure(const mlpot_potential *sw, double b_fd)
{
    const double gpa = 1.0 / MLPOT_EV_PER_A3_GPA, p = 5 * gpa;
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 5.431);
    double v0 = mlpot_structure_volume(&s);
    mlpot_relax_options o;
    mlpot_relax_options_default(&o);
    o.cell = 1, o.pressure = p, o.fmax = 1e-4, o.smax = 1e-4 * gpa, o.max_steps = 5000;
    mlpot_relax_report rep;
    CHECK_OK(mlpot_relax(sw, &s, &o, &rep, &test_err));
    double v = mlpot_structure_volume(&s), b_sec = p * v0 / (v0 - v);
    printf("cell relaxation at +5 GPa: %s in %d steps, V/V0 = %.5f, secant bulk modulus P V0/(V0 - V) = %.1f GPa; "
           "finite-difference bulk modulus at 0 GPa %.1f GPa\n",
           rep.converged ? "converged" : "NOT converged", rep.steps, v / v0, b_sec / gpa, b_fd / gpa);
    CHECK(rep.converged, "not converged at 5 GPa");
    /* B(P) ≈ B + B' P with B' ≈ 4-5: the secant modulus over 0..5 GPa is about B + B' P / 2 */
    CHECK(b_sec > b_fd && b_sec < b_fd + 5 * 5 * gpa, "secant modulus %.1f GPa vs B %.1f GPa", b_sec / gpa, b_fd / gpa);
    mlpot_structure_free(&s);
}

static void test_bad_settings(const mlpot_potential *sw)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 5.431);
    mlpot_relax_options o;
    mlpot_relax_options_default(&o);
    o.cell = 1;
    mlpot_relax_report rep;
    s.pbc[1] = 0;
    CHECK_FAILS(mlpot_relax(sw, &s, &o, &rep, &test_err), MLPOT_ERR_ARGUMENT, "periodic in all three");
    s.pbc[1] = 1;
    o.smax = 0;
    CHECK_FAILS(mlpot_relax(sw, &s, &o, &rep, &test_err), MLPOT_ERR_ARGUMENT, "smax");
    mlpot_structure_free(&s);
}

int main(void)
{
    char spec[4200];
    snprintf(spec, sizeof spec, "sw:%s/examples/silicon/Si.sw", test_env_or_skip("MLPOT_SOURCE_DIR"));
    mlpot_potential *sw;
    CHECK_OK(mlpot_potential_load(spec, &sw, &test_err));
    test_bad_settings(sw);
    test_zero_pressure(sw, MLPOT_RELAX_FIRE);
    test_zero_pressure(sw, MLPOT_RELAX_LBFGS);
    test_pressure(sw, bulk_modulus_fd(sw));
    mlpot_potential_free(sw);
    return test_finish("relax_cell");
}
