/* Ewald summation: Madelung constants (NaCl, CsCl, zinc blende) in conventional and primitive
 * (skewed) cells, independence of the splitting parameter and of the cell choice, finite
 * differences of forces, virial and the potential dE/dq, net-charge background, Gaussian
 * charges, and open boundaries. */
#include <string.h>

#include "harness.h"
#include "mlpot/ewald.h"

static const double KE = MLPOT_COULOMB_EV_ANGSTROM;

static void set_atoms(mlpot_structure *s, int n, const double *frac, const double *q,
                      const double cell[9])
{
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, n, &test_err));
    memcpy(s->cell, cell, 9 * sizeof(double));
    for (int k = 0; k < 3; ++k) s->pbc[k] = 1;
    CHECK_OK(mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, &test_err));
    for (int i = 0; i < n; ++i) {
        s->numbers[i] = q[i] > 0 ? 11 : 17;
        s->charges[i] = q[i];
        for (int a = 0; a < 3; ++a)
            s->positions[3 * i + a] = frac[3 * i] * cell[a] + frac[3 * i + 1] * cell[3 + a] +
                                      frac[3 * i + 2] * cell[6 + a];
    }
}

static double ewald_energy(const mlpot_structure *s, double rc, double accuracy, double alpha)
{
    mlpot_ewald_params p;
    mlpot_ewald_params_default(&p);
    p.real_cutoff = rc;
    p.accuracy = accuracy;
    p.alpha = alpha;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, rc, 0, 0, &test_err));
    mlpot_ewald_output out;
    memset(&out, 0, sizeof out);
    CHECK_OK(mlpot_electrostatics(&p, s, &nl, s->charges, NULL, &out, &test_err));
    mlpot_neighbour_list_free(&nl);
    return out.energy;
}

static void madelung(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    const double a = 5.64;
    /* NaCl, conventional cubic cell: 4 ion pairs, nearest distance a/2 */
    double cubic[9] = {a, 0, 0, 0, a, 0, 0, 0, a};
    double nacl[24] = {0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5,
                       0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5, 0.5, 0.5, 0.5};
    double q8[8] = {1, 1, 1, 1, -1, -1, -1, -1};
    set_atoms(&s, 8, nacl, q8, cubic);
    double m = -ewald_energy(&s, 12.0, 1e-16, 0) / 4.0 * (a / 2) / KE;
    CHECK_CLOSE(m, 1.747564594633182, 1e-10, "NaCl Madelung constant (conventional cell)");
    /* the same crystal in its primitive fcc cell (60° skewed) */
    double prim[9] = {0, a / 2, a / 2, a / 2, 0, a / 2, a / 2, a / 2, 0};
    double nacl_p[6] = {0, 0, 0, 0.5, 0.5, 0.5};
    double q2[2] = {1, -1};
    set_atoms(&s, 2, nacl_p, q2, prim);
    m = -ewald_energy(&s, 12.0, 1e-16, 0) * (a / 2) / KE;
    CHECK_CLOSE(m, 1.747564594633182, 1e-10, "NaCl Madelung constant (primitive cell)");
    /* CsCl: simple cubic, nearest distance a√3/2 */
    double cscl[6] = {0, 0, 0, 0.5, 0.5, 0.5};
    set_atoms(&s, 2, cscl, q2, cubic);
    m = -ewald_energy(&s, 12.0, 1e-16, 0) * (a * sqrt(3.0) / 2) / KE;
    CHECK_CLOSE(m, 1.762674773070604, 1e-10, "CsCl Madelung constant");
    /* zinc blende: fcc + basis (1/4,1/4,1/4), nearest distance a√3/4, charges ±1 */
    double zb[24] = {0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5,
                     0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.75};
    set_atoms(&s, 8, zb, q8, cubic);
    m = -ewald_energy(&s, 12.0, 1e-16, 0) / 4.0 * (a * sqrt(3.0) / 4) / KE;
    CHECK_CLOSE(m, 1.638055053388789, 1e-10, "zinc blende Madelung constant");
    mlpot_structure_free(&s);
}

static void random_ionic(mlpot_structure *s, int n, double total_charge, unsigned long long seed)
{
    double cell[3][3] = {{9.0, 0, 0}, {1.2, 8.5, 0}, {-0.7, 0.9, 9.5}};
    int pbc[3] = {1, 1, 1}, species[2] = {11, 17};
    test_random_structure(s, n, species, 2, &cell[0][0], pbc, 1.8, seed);
    CHECK_OK(mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, &test_err));
    unsigned long long rng = seed;
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += s->charges[i] = (i % 2 ? -1.0 : 1.0) * (0.5 + test_random(&rng));
    for (int i = 0; i < n; ++i) s->charges[i] += (total_charge - sum) / n;
}

static void invariances(void)
{
    mlpot_structure s, t;
    mlpot_structure_init(&s);
    mlpot_structure_init(&t);
    random_ionic(&s, 24, 0.0, 3);
    double e1 = ewald_energy(&s, 8.0, 1e-15, 0);
    double e2 = ewald_energy(&s, 11.0, 1e-15, 0);
    double e3 = ewald_energy(&s, 9.0, 1e-15, 0.6);
    CHECK_CLOSE(e1, e2, 1e-10 * fabs(e1), "energy independent of cutoff/alpha (8 vs 11 Å)");
    CHECK_CLOSE(e1, e3, 1e-10 * fabs(e1), "energy independent of alpha (0.6)");
    int rep[3] = {2, 1, 2};
    CHECK_OK(mlpot_structure_supercell(&s, rep, &t, &test_err));
    CHECK_CLOSE(ewald_energy(&t, 8.0, 1e-15, 0), 4 * e1, 1e-10 * 4 * fabs(e1), "E(supercell) = 4E");
    /* a skewed but equivalent cell: c -> c + a - b */
    CHECK_OK(mlpot_structure_copy(&t, &s, &test_err));
    for (int a = 0; a < 3; ++a) t.cell[2][a] += t.cell[0][a] - t.cell[1][a];
    CHECK_CLOSE(ewald_energy(&t, 8.0, 1e-15, 0), e1, 1e-10 * fabs(e1), "energy independent of cell choice");
    /* net charge: the background term keeps the energy alpha-independent */
    random_ionic(&s, 20, 1.5, 4);
    e1 = ewald_energy(&s, 8.0, 1e-15, 0);
    e2 = ewald_energy(&s, 10.0, 1e-15, 0.5);
    CHECK_CLOSE(e1, e2, 1e-10 * fabs(e1), "charged cell: energy independent of alpha");
    mlpot_structure_free(&s);
    mlpot_structure_free(&t);
}

static void derivatives(const char *what, mlpot_structure *s, const double *sigma)
{
    mlpot_ewald_params p;
    mlpot_ewald_params_default(&p);
    p.real_cutoff = 8.0;
    p.accuracy = 1e-14;
    int n = s->n_atoms, periodic = s->pbc[0];
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    double *f = calloc(3 * (size_t)n, sizeof *f), *phi = calloc((size_t)n, sizeof *phi);
    double *ae = calloc((size_t)n, sizeof *ae);
    mlpot_ewald_output out;
    memset(&out, 0, sizeof out);
    out.forces = f;
    out.potential = phi;
    out.atom_energies = ae;
    out.want_virial = 1;
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, p.real_cutoff, 0, 0, &test_err));
    CHECK_OK(mlpot_electrostatics(&p, s, &nl, s->charges, sigma, &out, &test_err));
    double e0 = out.energy, sum_ae = 0;
    for (int i = 0; i < n; ++i) sum_ae += ae[i];
    CHECK_CLOSE(sum_ae, e0, 1e-12 * fabs(e0), "per-atom energies sum to the energy");

#define ENERGY(result)                                                                    \
    do {                                                                                  \
        mlpot_ewald_output o_;                                                            \
        memset(&o_, 0, sizeof o_);                                                        \
        CHECK_OK(mlpot_neighbour_list_build(&nl, s, p.real_cutoff, 0, 0, &test_err));     \
        CHECK_OK(mlpot_electrostatics(&p, s, &nl, s->charges, sigma, &o_, &test_err));    \
        result = o_.energy;                                                               \
    } while (0)
    const double h = 1e-5;
    double worst = 0, fbig = 0;
    for (int k = 0; k < 3 * n; k += 5) {
        double x = s->positions[k], ep, em;
        s->positions[k] = x + h;
        ENERGY(ep);
        s->positions[k] = x - h;
        ENERGY(em);
        s->positions[k] = x;
        worst = fmax(worst, fabs(-(ep - em) / (2 * h) - f[k]));
        fbig = fmax(fbig, fabs(f[k]));
    }
    CHECK(worst < 1e-6 * fbig + 1e-8, "%s: force FD error %g (max %g)", what, worst, fbig);
    worst = 0;
    double pmax = 0;
    for (int i = 0; i < n; i += 3) {
        double q = s->charges[i], ep, em;
        s->charges[i] = q + h;
        ENERGY(ep);
        s->charges[i] = q - h;
        ENERGY(em);
        s->charges[i] = q;
        worst = fmax(worst, fabs((ep - em) / (2 * h) - phi[i]));
        pmax = fmax(pmax, fabs(phi[i]));
    }
    CHECK(worst < 1e-6 * pmax + 1e-8, "%s: dE/dq FD error %g (max %g)", what, worst, pmax);
    if (periodic) {
        mlpot_structure ref;
        mlpot_structure_init(&ref);
        CHECK_OK(mlpot_structure_copy(&ref, s, &test_err));
        worst = 0;
        double wmax = 0;
        for (int a = 0; a < 3; ++a)
            for (int b = a; b < 3; ++b) {
                double e[2];
                for (int sgn = 0; sgn < 2; ++sgn) {
                    double eps = sgn ? -1e-6 : 1e-6, m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
                    if (a == b) m[a][a] += eps;
                    else m[a][b] += 0.5 * eps, m[b][a] += 0.5 * eps;
                    for (int i = 0; i < n; ++i)
                        for (int c = 0; c < 3; ++c)
                            s->positions[3 * i + c] = ref.positions[3 * i] * m[0][c] +
                                                      ref.positions[3 * i + 1] * m[1][c] +
                                                      ref.positions[3 * i + 2] * m[2][c];
                    for (int r = 0; r < 3; ++r)
                        for (int c = 0; c < 3; ++c)
                            s->cell[r][c] = ref.cell[r][0] * m[0][c] + ref.cell[r][1] * m[1][c] + ref.cell[r][2] * m[2][c];
                    ENERGY(e[sgn]);
                }
                double numeric = -(e[0] - e[1]) / 2e-6;
                double analytic = 0.5 * (out.virial[3 * a + b] + out.virial[3 * b + a]);
                worst = fmax(worst, fabs(numeric - analytic));
                wmax = fmax(wmax, fabs(analytic));
            }
        CHECK_OK(mlpot_structure_copy(s, &ref, &test_err));
        mlpot_structure_free(&ref);
        CHECK(worst < 1e-6 * wmax + 1e-6, "%s: virial FD error %g (max %g)", what, worst, wmax);
    }
#undef ENERGY
    mlpot_neighbour_list_free(&nl);
    free(f);
    free(phi);
    free(ae);
}

static void gaussian_and_open(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    random_ionic(&s, 24, 0.0, 5);
    derivatives("point charges, neutral", &s, NULL);
    random_ionic(&s, 20, -0.8, 6);
    derivatives("point charges, charged cell", &s, NULL);
    double sigma[24];
    for (int i = 0; i < 24; ++i) sigma[i] = 0.8 + 0.05 * (i % 5);
    random_ionic(&s, 24, 0.0, 7);
    derivatives("Gaussian charges", &s, sigma);

    /* Gaussian Ewald = point Ewald + Gaussian self-energies - Σ erfc(r/√2γ)/r pair terms */
    mlpot_ewald_params p;
    mlpot_ewald_params_default(&p);
    p.real_cutoff = 9.0;
    p.accuracy = 1e-15;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, &s, p.real_cutoff, 0, 0, &test_err));
    mlpot_ewald_output og, op;
    memset(&og, 0, sizeof og);
    memset(&op, 0, sizeof op);
    CHECK_OK(mlpot_electrostatics(&p, &s, &nl, s.charges, sigma, &og, &test_err));
    CHECK_OK(mlpot_electrostatics(&p, &s, &nl, s.charges, NULL, &op, &test_err));
    double corr = 0;
    for (int i = 0; i < s.n_atoms; ++i) {
        corr += KE * s.charges[i] * s.charges[i] / (2 * sqrt(MLPOT_PI) * sigma[i]);
        for (size_t k = nl.offsets[i]; k < nl.offsets[i + 1]; ++k) {
            int j = nl.neighbour[k];
            double g = sqrt(sigma[i] * sigma[i] + sigma[j] * sigma[j]), r = nl.distance[k];
            corr -= 0.5 * KE * s.charges[i] * s.charges[j] * erfc(r / (sqrt(2.0) * g)) / r;
        }
    }
    CHECK_CLOSE(og.energy, op.energy + corr, 1e-10 * fabs(og.energy), "Gaussian = point + screening");
    mlpot_neighbour_list_free(&nl);

    /* open boundaries: direct sum, checked against a hand sum for three charges */
    mlpot_structure_free(&s);
    CHECK_OK(mlpot_structure_resize(&s, 3, &test_err));
    CHECK_OK(mlpot_structure_add_label(&s, MLPOT_LABEL_CHARGES, &test_err));
    double x[9] = {0, 0, 0, 1.5, 0, 0, 0.3, 2.0, 0.4}, q[3] = {0.7, -0.4, -0.3};
    memcpy(s.positions, x, sizeof x);
    memcpy(s.charges, q, sizeof q);
    s.numbers[0] = s.numbers[1] = s.numbers[2] = 8;
    double expect = 0;
    for (int i = 0; i < 3; ++i)
        for (int j = i + 1; j < 3; ++j) {
            double d2 = 0;
            for (int a = 0; a < 3; ++a) d2 += (x[3 * i + a] - x[3 * j + a]) * (x[3 * i + a] - x[3 * j + a]);
            expect += KE * q[i] * q[j] / sqrt(d2);
        }
    mlpot_ewald_output oo;
    memset(&oo, 0, sizeof oo);
    CHECK_OK(mlpot_electrostatics(&p, &s, NULL, s.charges, NULL, &oo, &test_err));
    CHECK_CLOSE(oo.energy, expect, 1e-13, "open boundaries: direct Coulomb sum");
    derivatives("open, point", &s, NULL);
    double sg[3] = {0.5, 0.9, 1.1};
    derivatives("open, Gaussian", &s, sg);
    s.pbc[0] = 1;
    s.cell[0][0] = 10;
    CHECK_FAILS(mlpot_electrostatics(&p, &s, NULL, s.charges, NULL, &oo, &test_err),
                MLPOT_ERR_UNSUPPORTED, "periodic along 1");
    mlpot_structure_free(&s);
}

static void coulomb_potential(void)
{
    mlpot_potential *pot;
    CHECK_OK(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-12,charge.Na=1,charge.Cl=-1", &pot, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    random_ionic(&s, 16, 0.0, 8);
    double fmax, wmax;
    double ferr = test_force_fd_error(pot, &s, 1e-5, &fmax);
    double werr = test_virial_fd_error(pot, &s, 1e-6, &wmax);
    CHECK(ferr < 1e-6 * fmax, "coulomb potential: force FD %g (max %g)", ferr, fmax);
    CHECK(werr < 1e-6 * wmax + 1e-6, "coulomb potential: virial FD %g (max %g)", werr, wmax);
    mlpot_potential *from_structure;
    CHECK_OK(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-12", &from_structure, &test_err));
    for (int i = 0; i < s.n_atoms; ++i) s.charges[i] = s.numbers[i] == 11 ? 1.0 : -1.0;
    CHECK_CLOSE(test_energy(from_structure, &s), test_energy(pot, &s), 1e-12, "charges from structure or elements");
    s.labels &= ~(unsigned)MLPOT_LABEL_CHARGES;
    mlpot_result r;
    mlpot_result_init(&r);
    CHECK_FAILS(mlpot_potential_evaluate(from_structure, &s, MLPOT_OUT_ENERGY, &r, &test_err),
                MLPOT_ERR_MISSING, "no charges");
    mlpot_result_free(&r);
    mlpot_potential_free(pot);
    mlpot_potential_free(from_structure);
    mlpot_structure_free(&s);
}

/* Kolafa-Perram parameters (max_charge): the RMS force error of the truncated sums is about the
 * requested δ (eV/Å), against sums converged to 1e-14. */
static void kolafa_perram(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    random_ionic(&s, 64, 0.0, 21);
    mlpot_potential *ref = NULL;
    CHECK_OK(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-14", &ref, &test_err));
    mlpot_result r0, r;
    mlpot_result_init(&r0);
    mlpot_result_init(&r);
    CHECK_OK(mlpot_potential_evaluate(ref, &s, MLPOT_OUT_FORCES, &r0, &test_err));
    static const double deltas[] = {1e-2, 1e-3, 1e-4};
    for (int k = 0; k < 3; ++k) {
        char spec[128];
        snprintf(spec, sizeof spec, "coulomb:cutoff=8,accuracy=%g,max_charge=1.5", deltas[k]);
        mlpot_potential *p = NULL;
        CHECK_OK(mlpot_potential_load(spec, &p, &test_err));
        CHECK_OK(mlpot_potential_evaluate(p, &s, MLPOT_OUT_FORCES, &r, &test_err));
        double sum = 0;
        for (int i = 0; i < 3 * s.n_atoms; ++i) sum += (r.forces[i] - r0.forces[i]) * (r.forces[i] - r0.forces[i]);
        double rms = sqrt(sum / s.n_atoms);
        printf("Kolafa-Perram δ = %g eV/Å: RMS force error %.3g eV/Å\n", deltas[k], rms);
        CHECK(rms <= 3 * deltas[k] && rms >= deltas[k] / 100, "δ %g: RMS force error %.3g", deltas[k], rms);
        mlpot_potential_free(p);
    }
    mlpot_potential *p = NULL;
    CHECK_FAILS(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-4,max_charge=1,kspace=pme", &p, &test_err),
                MLPOT_ERR_ARGUMENT, "direct k-sum");
    mlpot_result_free(&r0);
    mlpot_result_free(&r);
    mlpot_potential_free(ref);
    mlpot_structure_free(&s);
}

int main(void)
{
    kolafa_perram();
    madelung();
    invariances();
    gaussian_and_open();
    coulomb_potential();
    return test_finish("test_ewald");
}
