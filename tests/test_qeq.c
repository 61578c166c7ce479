/* Charge equilibration ("qeq" potential, longrange/qeq.c, longrange/coulomb_matrix.c), checked
 * against the independent Ewald code (longrange/ewald.c) on the same charges:
 * - the equilibrated charges make χ_i + J_i q_i + φ_i the same on every atom (the Lagrange
 *   condition of the constrained minimum, φ = ∂E_es/∂q from ewald.c) and sum to the total charge;
 * - the energy equals Σ χq + ½ Σ J q² + E_es(q) with E_es from ewald.c, and moving charge between
 *   atoms raises it;
 * - Hellmann–Feynman forces and virial against finite differences, rotation/translation
 *   invariance, E(2×2×2) = 8 E, the same bits on 1 and 2 threads;
 * - periodic (rattled rock salt) and open (cluster) structures; bad specifications. */
#include <string.h>

#include "harness.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define SPEC_PARAMS "chi.Na=0,chi.Cl=4,J.Na=6,J.Cl=8,sigma.Na=1.0,sigma.Cl=1.4"

static void rock_salt(mlpot_structure *s, int n, double a, double rattle, unsigned long long seed)
{
    static const double basis[8][3] = {{0, 0, 0},     {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0},
                                       {0.5, 0, 0},   {0, 0.5, 0},   {0, 0, 0.5},   {0.5, 0.5, 0.5}};
    CHECK_OK(mlpot_structure_resize(s, 8 * n * n * n, &test_err));
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < 8; ++b, ++k) {
                    s->numbers[k] = b < 4 ? 11 : 17;
                    const double f[3] = {i + basis[b][0], j + basis[b][1], l + basis[b][2]};
                    for (int c = 0; c < 3; ++c) s->positions[3 * k + c] = a * f[c] + rattle * (2 * test_random(&seed) - 1);
                }
    memset(s->cell, 0, sizeof s->cell);
    for (int c = 0; c < 3; ++c) s->cell[c][c] = n * a, s->pbc[c] = 1;
    s->cell[1][0] = 0.3 * a; /* skewed: a triclinic cell of the same lattice sums */
}

/* The Lagrange condition and the energy against ewald.c for the charges qeq found. */
static void against_ewald(const mlpot_potential *p, const mlpot_structure *s, double total, const char *what)
{
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(p, s, MLPOT_OUT_ENERGY | MLPOT_OUT_CHARGES, &r, &test_err));
    const int n = s->n_atoms;
    double *sigma = calloc((size_t)n, sizeof *sigma), *phi = calloc((size_t)n, sizeof *phi), sum = 0;
    for (int i = 0; i < n; ++i) sigma[i] = s->numbers[i] == 11 ? 1.0 : 1.4, sum += r.charges[i];
    CHECK_CLOSE(sum, total, 1e-12, "charges sum to the total charge");
    mlpot_ewald_params ep;
    mlpot_ewald_params_default(&ep);
    ep.real_cutoff = 16.0; /* long enough for the Gaussian correction too (erfc(16 Å/2.8 Å) ~ 1e-15) */
    ep.accuracy = 1e-12;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, 16.0, 0.0, MLPOT_NEIGHBOURS_FULL, &test_err));
    mlpot_ewald_output eo;
    memset(&eo, 0, sizeof eo);
    eo.potential = phi;
    CHECK_OK(mlpot_electrostatics(&ep, s, &nl, r.charges, sigma, &eo, &test_err));
    double e = eo.energy, lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; ++i) {
        const double chi = s->numbers[i] == 11 ? 0 : 4, J = s->numbers[i] == 11 ? 6 : 8, q = r.charges[i];
        e += chi * q + 0.5 * J * q * q;
        const double mu = chi + J * q + phi[i];
        lo = fmin(lo, mu), hi = fmax(hi, mu);
    }
    printf("%s: q(Na) %.4f, energy %.12g (ewald.c %.12g), spread of χ+Jq+φ %.2e eV/e\n", what, r.charges[0], r.energy, e,
           hi - lo);
    CHECK_CLOSE(r.energy, e, 1e-10 * fabs(e), "energy = Σχq + ½ΣJq² + E_es (ewald.c)");
    CHECK(hi - lo <= 1e-8, "%s: equilibrium condition violated by %.3g eV/e", what, hi - lo);
    /* moving a little charge from atom 0 to atom 1 raises the energy (a minimum, not a saddle) */
    double d = 1e-3, de = 0;
    const double dq[2] = {d, -d};
    for (int k = 0; k < 2; ++k) {
        const double chi = s->numbers[k] == 11 ? 0 : 4, J = s->numbers[k] == 11 ? 6 : 8;
        de += chi * dq[k] + J * r.charges[k] * dq[k] + 0.5 * J * dq[k] * dq[k] + phi[k] * dq[k];
    }
    CHECK(de > 0, "%s: energy change %.3g moving charge is not positive", what, de);
    mlpot_neighbour_list_free(&nl);
    free(sigma);
    free(phi);
    mlpot_result_free(&r);
}

static void derivatives(const mlpot_potential *p, const mlpot_structure *s, const char *what)
{
    double fmax = 0, wmax = 0;
    /* h = 1e-4 Å: the dense Ewald sums carry rounding noise of ~1e-14 of the energy, which
     * smaller steps amplify */
    double fe = test_force_fd_error(p, s, 1e-4, &fmax);
    printf("%s: forces vs finite differences %.2e (max force %.3g)\n", what, fe, fmax);
    CHECK(fe <= 1e-6 * fmax + 1e-9, "%s: force FD error %.3g", what, fe);
    if (s->pbc[0]) {
        double we = test_virial_fd_error(p, s, 1e-6, &wmax);
        printf("%s: virial vs finite differences %.2e (max component %.3g)\n", what, we, wmax);
        CHECK(we <= 1e-6 * wmax + 1e-8, "%s: virial FD error %.3g", what, we);
    }
    mlpot_result r, q;
    mlpot_result_init(&r);
    mlpot_result_init(&q);
    const unsigned all = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_ENERGIES;
    CHECK_OK(mlpot_potential_evaluate(p, s, all, &r, &test_err));
    double esum = 0, fsum[3] = {0, 0, 0};
    for (int i = 0; i < s->n_atoms; ++i) {
        esum += r.atom_energies[i];
        for (int a = 0; a < 3; ++a) fsum[a] += r.forces[3 * i + a];
    }
    CHECK_CLOSE(esum, r.energy, 1e-12 * fabs(r.energy), "per-atom energies sum to the energy");
    for (int a = 0; a < 3; ++a) CHECK(fabs(fsum[a]) <= 1e-8 * fmax * s->n_atoms, "net force %.3g", fsum[a]);
    mlpot_structure t;
    mlpot_structure_init(&t);
    CHECK_OK(mlpot_structure_copy(&t, s, &test_err));
    double R[9];
    test_rotation_matrix(0.7, R);
    test_rotate(&t, R);
    for (int i = 0; i < t.n_atoms; ++i)
        for (int a = 0; a < 3; ++a) t.positions[3 * i + a] += 1.234 * (a + 1);
    CHECK_OK(mlpot_potential_evaluate(p, &t, all, &q, &test_err));
    CHECK_CLOSE(q.energy, r.energy, 1e-10 * fabs(r.energy), "energy invariant under rotation + translation");
    if (s->pbc[0]) {
        int rep[3] = {2, 2, 2};
        CHECK_OK(mlpot_structure_supercell(s, rep, &t, &test_err));
        CHECK_OK(mlpot_potential_evaluate(p, &t, MLPOT_OUT_ENERGY, &q, &test_err));
        CHECK_CLOSE(q.energy, 8 * r.energy, 1e-9 * fabs(8 * r.energy), "E(2x2x2) = 8 E");
    }
#ifdef _OPENMP
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    CHECK_OK(mlpot_potential_evaluate(p, s, all, &q, &test_err));
    omp_set_num_threads(threads);
    CHECK(q.energy == r.energy && !memcmp(q.forces, r.forces, 3 * sizeof(double) * (size_t)s->n_atoms) &&
              !memcmp(q.virial, r.virial, sizeof q.virial),
          "%s: results differ with one thread", what);
#endif
    mlpot_structure_free(&t);
    mlpot_result_free(&r);
    mlpot_result_free(&q);
}

int main(void)
{
    mlpot_potential *p = NULL;
    CHECK_OK(mlpot_potential_load("qeq:" SPEC_PARAMS ",cutoff=9,accuracy=1e-12", &p, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    rock_salt(&s, 2, 5.64, 0.15, 7);
    against_ewald(p, &s, 0.0, "rattled NaCl, skewed cell");
    derivatives(p, &s, "rattled NaCl");
    s.labels |= MLPOT_LABEL_TOTAL_CHARGE;
    s.total_charge = 1.0;
    against_ewald(p, &s, 1.0, "NaCl with one extra positive charge");

    /* an open cluster: the first 8 atoms of the crystal */
    mlpot_structure c;
    mlpot_structure_init(&c);
    CHECK_OK(mlpot_structure_resize(&c, 8, &test_err));
    memcpy(c.numbers, s.numbers, 8 * sizeof *c.numbers);
    memcpy(c.positions, s.positions, 24 * sizeof *c.positions);
    against_ewald(p, &c, 0.0, "Na4Cl4 cluster");
    derivatives(p, &c, "Na4Cl4 cluster");
    mlpot_potential_free(p);

    /* bad specifications */
    CHECK_FAILS(mlpot_potential_load("qeq:chi.Na=0,J.Na=6", &p, &test_err), MLPOT_ERR_ARGUMENT, "has no sigma.Na");
    CHECK_FAILS(mlpot_potential_load("qeq:chi.Na=0,J.Na=6,sigma.Na=0", &p, &test_err), MLPOT_ERR_ARGUMENT, "positive σ");
    CHECK_FAILS(mlpot_potential_load("qeq:chi.Xx=0", &p, &test_err), MLPOT_ERR_ARGUMENT, "unknown element");
    CHECK_FAILS(mlpot_potential_load("qeq:" SPEC_PARAMS ",kspace=pme", &p, &test_err), MLPOT_ERR_ARGUMENT, "kspace");
    mlpot_structure_free(&c);
    mlpot_structure_free(&s);
    return test_finish("test_qeq");
}
