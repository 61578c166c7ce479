/* Smooth particle-mesh Ewald: convergence to the Ewald k-sum as the grid and the B-spline order
 * grow (energy, forces, virial, dE/dq; NaCl Madelung constant; a rattled ionic crystal in a
 * skewed cell; Gaussian charges), the accuracy rule that picks the grid, finite differences of
 * forces, virial and dE/dq against the PME energy itself (they are its exact derivatives), the
 * small but nonzero net force, the same bits for any thread count, and the coulomb potential
 * with kspace=pme. */
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "harness.h"
#include "mlpot/ewald.h"

static const double KE = MLPOT_COULOMB_EV_ANGSTROM;

/* nc³ conventional NaCl cells (a = 5.64 Å), ions displaced uniformly by ±rattle/2 per
 * component; skew > 0 shears b and c along a (and c along b) by that fraction. */
static void nacl(mlpot_structure *s, int nc, double rattle, double skew, unsigned long long seed)
{
    const double a = 5.64;
    static const double basis[8][3] = {{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5},
                                       {.5, 0, 0}, {0, .5, 0}, {0, 0, .5}, {.5, .5, .5}};
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, 8 * nc * nc * nc, &test_err));
    CHECK_OK(mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, &test_err));
    double cell[3][3] = {{a * nc, 0, 0}, {skew * a * nc, a * nc, 0}, {-0.7 * skew * a * nc, 0.8 * skew * a * nc, a * nc}};
    memcpy(s->cell, cell, sizeof cell);
    unsigned long long rng = seed;
    int k = 0;
    for (int i = 0; i < nc; ++i)
        for (int j = 0; j < nc; ++j)
            for (int l = 0; l < nc; ++l)
                for (int b = 0; b < 8; ++b, ++k) {
                    double f[3] = {(i + basis[b][0]) / nc, (j + basis[b][1]) / nc, (l + basis[b][2]) / nc};
                    for (int c = 0; c < 3; ++c)
                        s->positions[3 * k + c] = f[0] * cell[0][c] + f[1] * cell[1][c] + f[2] * cell[2][c] +
                                                  rattle * (test_random(&rng) - 0.5);
                    s->numbers[k] = b < 4 ? 11 : 17;
                    s->charges[k] = b < 4 ? 1.0 : -1.0;
                }
    for (int c = 0; c < 3; ++c) s->pbc[c] = 1;
}

static mlpot_ewald_params params(int method, double rc, double accuracy, int order, int grid)
{
    mlpot_ewald_params p;
    mlpot_ewald_params_default(&p);
    p.real_cutoff = rc;
    p.accuracy = accuracy;
    p.method = method;
    p.pme_order = order;
    for (int a = 0; a < 3; ++a) p.pme_grid[a] = grid;
    return p;
}

typedef struct result {
    double energy, virial[9];
    double *forces, *phi;
} result;

static void result_free(result *r)
{
    free(r->forces);
    free(r->phi);
}

static result evaluate(const mlpot_ewald_params *p, const mlpot_structure *s, const double *sigma)
{
    result r;
    memset(&r, 0, sizeof r);
    r.forces = calloc(3 * (size_t)s->n_atoms, sizeof *r.forces);
    r.phi = calloc((size_t)s->n_atoms, sizeof *r.phi);
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    CHECK_OK(mlpot_neighbour_list_build(&nl, s, p->real_cutoff, 0, 0, &test_err));
    mlpot_ewald_output out;
    memset(&out, 0, sizeof out);
    out.forces = r.forces;
    out.potential = r.phi;
    out.want_virial = 1;
    CHECK_OK(mlpot_electrostatics(p, s, &nl, s->charges, sigma, &out, &test_err));
    mlpot_neighbour_list_free(&nl);
    r.energy = out.energy;
    memcpy(r.virial, out.virial, sizeof r.virial);
    return r;
}

/* Relative differences of b from the reference a: energy, RMS force, largest virial
 * component (relative to |E|), RMS potential. */
typedef struct deviation {
    double energy, force, virial, phi;
} deviation;

static deviation compare(const result *a, const result *b, int n)
{
    deviation d = {fabs(b->energy - a->energy) / fabs(a->energy), 0, 0, 0};
    double f2 = 0, df2 = 0, p2 = 0, dp2 = 0;
    for (int k = 0; k < 3 * n; ++k) {
        f2 += a->forces[k] * a->forces[k];
        df2 += (b->forces[k] - a->forces[k]) * (b->forces[k] - a->forces[k]);
    }
    for (int i = 0; i < n; ++i) {
        p2 += a->phi[i] * a->phi[i];
        dp2 += (b->phi[i] - a->phi[i]) * (b->phi[i] - a->phi[i]);
    }
    d.force = sqrt(df2 / f2);
    d.phi = sqrt(dp2 / p2);
    for (int k = 0; k < 9; ++k) d.virial = fmax(d.virial, fabs(b->virial[k] - a->virial[k]) / fabs(a->energy));
    return d;
}

static void madelung(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    const double a = 5.64, m_nacl = 1.747564594633182;
    /* conventional cubic cell, and the primitive fcc cell (60° skewed) */
    nacl(&s, 1, 0.0, 0.0, 1);
    mlpot_ewald_params p = params(MLPOT_EWALD_PME, 12.0, 1e-12, 8, 40);
    result r = evaluate(&p, &s, NULL);
    double m = -r.energy / 4.0 * (a / 2) / KE;
    printf("Madelung NaCl, PME p=8 40³ (conventional): %.15f (error %.1e)\n", m, m - m_nacl);
    CHECK_CLOSE(m, m_nacl, 1e-9, "NaCl Madelung constant, PME (conventional cell)");
    result_free(&r);
    double prim[3][3] = {{0, a / 2, a / 2}, {a / 2, 0, a / 2}, {a / 2, a / 2, 0}};
    mlpot_structure_free(&s);
    CHECK_OK(mlpot_structure_resize(&s, 2, &test_err));
    CHECK_OK(mlpot_structure_add_label(&s, MLPOT_LABEL_CHARGES, &test_err));
    memcpy(s.cell, prim, sizeof prim);
    for (int c = 0; c < 3; ++c) {
        s.pbc[c] = 1;
        s.positions[c] = 0;
        s.positions[3 + c] = a / 2;
    }
    s.numbers[0] = 11, s.numbers[1] = 17;
    s.charges[0] = 1, s.charges[1] = -1;
    p = params(MLPOT_EWALD_PME, 12.0, 1e-12, 8, 30);
    r = evaluate(&p, &s, NULL);
    m = -r.energy * (a / 2) / KE;
    printf("Madelung NaCl, PME p=8 30³ (primitive):    %.15f (error %.1e)\n", m, m - m_nacl);
    CHECK_CLOSE(m, m_nacl, 1e-9, "NaCl Madelung constant, PME (primitive cell)");
    /* the forces on a perfect crystal vanish by symmetry, on the grid too */
    CHECK(fabs(r.forces[0]) + fabs(r.forces[1]) + fabs(r.forces[2]) < 1e-9, "perfect crystal: no force");
    result_free(&r);
    mlpot_structure_free(&s);
}

/* PME against the Ewald k-sum at the same α on a rattled ionic crystal in a skewed cell: the
 * error falls as the grid and the order grow, reaching ≤ 1e-6 relative (energy) on fine grids. */
static void convergence(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    nacl(&s, 2, 0.8, 0.3, 2);
    const double rc = 9.0, acc = 1e-12;
    mlpot_ewald_params pe = params(MLPOT_EWALD_DIRECT_K, rc, acc, 0, 0);
    result ref = evaluate(&pe, &s, NULL);
    static const int orders[3] = {4, 6, 8}, grids[4] = {12, 20, 32, 48};
    printf("PME vs Ewald, 64-ion rattled NaCl, skewed 11.3 Å cell, r_c %g Å, α %.3f/Å:\n", rc,
           sqrt(-log(acc)) / rc);
    printf("  order grid   energy     force      virial     dE/dq   (relative)\n");
    for (int io = 0; io < 3; ++io) {
        deviation first = {0, 0, 0, 0}, last = first;
        for (int ig = 0; ig < 4; ++ig) {
            mlpot_ewald_params pp = params(MLPOT_EWALD_PME, rc, acc, orders[io], grids[ig]);
            result r = evaluate(&pp, &s, NULL);
            deviation d = compare(&ref, &r, s.n_atoms);
            printf("  %5d %4d   %.2e   %.2e   %.2e   %.2e\n", orders[io], grids[ig], d.energy, d.force,
                   d.virial, d.phi);
            if (ig == 0) first = d;
            last = d;
            result_free(&r);
        }
        CHECK(last.force < 1e-2 * first.force, "order %d: force error %g -> %g", orders[io], first.force, last.force);
        if (orders[io] >= 6) {
            CHECK(last.energy < 1e-6, "order %d fine grid: energy error %g", orders[io], last.energy);
            CHECK(last.force < 1e-5, "order %d fine grid: force error %g", orders[io], last.force);
            CHECK(last.virial < 1e-6, "order %d fine grid: virial error %g", orders[io], last.virial);
            CHECK(last.phi < 1e-6, "order %d fine grid: dE/dq error %g", orders[io], last.phi);
        }
    }
    result_free(&ref);

    /* Gaussian charges: the reciprocal part is the point-charge one, the screening real-space */
    double sigma[64];
    for (int i = 0; i < 64; ++i) sigma[i] = 0.7 + 0.05 * (i % 7);
    ref = evaluate(&pe, &s, sigma);
    mlpot_ewald_params pp = params(MLPOT_EWALD_PME, rc, acc, 8, 48);
    result r = evaluate(&pp, &s, sigma);
    deviation d = compare(&ref, &r, s.n_atoms);
    printf("  Gaussian charges, order 8, grid 48: energy %.2e force %.2e virial %.2e dE/dq %.2e\n",
           d.energy, d.force, d.virial, d.phi);
    CHECK(d.energy < 1e-7 && d.force < 1e-5 && d.virial < 1e-6 && d.phi < 1e-6,
          "Gaussian charges: PME vs Ewald %g %g %g %g", d.energy, d.force, d.virial, d.phi);
    result_free(&r);
    result_free(&ref);
    mlpot_structure_free(&s);
}

/* The grid picked from the accuracy δ: the PME error stays within a small factor of the
 * Ewald k-sum's at the same δ (both against a converged reference), for several orders. */
static void accuracy_rule(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    nacl(&s, 3, 0.8, 0.2, 3);
    const double rc = 8.0;
    mlpot_ewald_params p0 = params(MLPOT_EWALD_DIRECT_K, 12.0, 1e-15, 0, 0);
    result ref = evaluate(&p0, &s, NULL);
    printf("grid from the accuracy, 216-ion rattled NaCl, skewed cell, r_c %g Å (relative RMS force error):\n", rc);
    static const double accs[3] = {1e-4, 1e-6, 1e-8};
    for (int ia = 0; ia < 3; ++ia) {
        mlpot_ewald_params pe = params(MLPOT_EWALD_DIRECT_K, rc, accs[ia], 0, 0);
        result re = evaluate(&pe, &s, NULL);
        deviation de = compare(&ref, &re, s.n_atoms);
        printf("  δ %.0e: Ewald %.2e", accs[ia], de.force);
        /* low orders need huge grids at small δ (order 4: 240³ for 1e-6) */
        for (int order = 4 + 2 * ia; order <= 8 + 2 * ia; order += 2) {
            mlpot_ewald_params pp = params(MLPOT_EWALD_PME, rc, accs[ia], order, 0);
            mlpot_ewald_setup set;
            CHECK_OK(mlpot_ewald_setup_for(&pp, &s, &set, &test_err));
            result r = evaluate(&pp, &s, NULL);
            deviation d = compare(&ref, &r, s.n_atoms);
            printf(", PME p=%d %d³ %.2e", order, set.pme_grid[0], d.force);
            CHECK(d.force < 3 * de.force, "δ %g order %d: PME force error %g vs Ewald %g", accs[ia],
                  order, d.force, de.force);
            result_free(&r);
        }
        printf("\n");
        result_free(&re);
    }
    result_free(&ref);
    mlpot_structure_free(&s);
}

/* Central differences of the PME energy itself (coarse grid, low order: far from the Ewald
 * limit) against its forces, virial and dE/dq. */
static void derivatives(const char *what, mlpot_structure *s, const double *sigma, int order, int grid)
{
    mlpot_ewald_params p = params(MLPOT_EWALD_PME, 7.0, 1e-6, order, grid);
    int n = s->n_atoms;
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
    printf("%s: force FD error %.1e (max force %.2f)", what, worst, fbig);
    CHECK(worst < 1e-7 * fbig, "%s: force FD error %g (max %g)", what, worst, fbig);
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
    printf(", dE/dq %.1e (max %.2f)", worst, pmax);
    CHECK(worst < 1e-7 * pmax, "%s: dE/dq FD error %g (max %g)", what, worst, pmax);
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
#undef ENERGY
    CHECK_OK(mlpot_structure_copy(s, &ref, &test_err));
    mlpot_structure_free(&ref);
    printf(", virial %.1e (max %.1f)\n", worst, wmax);
    CHECK(worst < 1e-7 * wmax, "%s: virial FD error %g (max %g)", what, worst, wmax);
    CHECK(fabs(out.virial[1] - out.virial[3]) < 1e-12 * wmax, "%s: virial symmetric", what);
    mlpot_neighbour_list_free(&nl);
    free(f);
    free(phi);
    free(ae);
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

static void finite_differences(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    random_ionic(&s, 24, 0.0, 5);
    derivatives("PME p=4 10³, point charges", &s, NULL, 4, 10);
    derivatives("PME p=5 9³ (odd grid), point charges", &s, NULL, 5, 9);
    random_ionic(&s, 20, -0.8, 6);
    derivatives("PME p=6 12³, charged cell", &s, NULL, 6, 12);
    double sigma[24];
    for (int i = 0; i < 24; ++i) sigma[i] = 0.8 + 0.05 * (i % 5);
    random_ionic(&s, 24, 0.0, 7);
    derivatives("PME p=3 16³, Gaussian charges", &s, sigma, 3, 16);
    mlpot_structure_free(&s);
}

/* The PME forces break translation invariance at the level of the interpolation error: the
 * net force is small, and shrinks with the grid. Thread counts give the same bits. */
static void net_force_and_threads(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    nacl(&s, 6, 0.8, 0.25, 4); /* 1728 ions: the threaded spreading and gathering engage */
    double net[2];
    for (int k = 0; k < 2; ++k) {
        mlpot_ewald_params p = params(MLPOT_EWALD_PME, 8.0, k ? 1e-8 : 1e-5, k ? 8 : 5, 0);
        result r = evaluate(&p, &s, NULL);
        double sum[3] = {0, 0, 0}, f2 = 0;
        for (int i = 0; i < s.n_atoms; ++i)
            for (int c = 0; c < 3; ++c) {
                sum[c] += r.forces[3 * i + c];
                f2 += r.forces[3 * i + c] * r.forces[3 * i + c];
            }
        /* relative to the force an uncorrelated error of the RMS force on every atom would sum to */
        net[k] = sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]) / sqrt(f2);
        result_free(&r);
    }
    printf("net force / sqrt(Σ F²), 1728 ions: δ 1e-5 (p=5) %.1e, δ 1e-8 (p=8) %.1e\n", net[0], net[1]);
    CHECK(net[0] < 1e-4 && net[1] < 1e-6 && net[1] < net[0], "net force %g, %g", net[0], net[1]);
#ifdef _OPENMP
    int threads = omp_get_max_threads();
    mlpot_ewald_params p = params(MLPOT_EWALD_PME, 8.0, 1e-6, 6, 0);
    omp_set_num_threads(1);
    result one = evaluate(&p, &s, NULL);
    omp_set_num_threads(threads > 1 ? threads : 2);
    result many = evaluate(&p, &s, NULL);
    omp_set_num_threads(threads);
    CHECK(one.energy == many.energy, "energy differs with the thread count");
    CHECK(!memcmp(one.forces, many.forces, 3 * sizeof(double) * (size_t)s.n_atoms), "forces differ with the thread count");
    CHECK(!memcmp(one.virial, many.virial, sizeof one.virial), "virial differs with the thread count");
    result_free(&one);
    result_free(&many);
#endif
    mlpot_structure_free(&s);
}

static void bad_parameters(void)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    random_ionic(&s, 8, 0.0, 9);
    mlpot_ewald_setup set;
    mlpot_ewald_params p = params(MLPOT_EWALD_PME, 7.0, 1e-6, 2, 0);
    CHECK_FAILS(mlpot_ewald_setup_for(&p, &s, &set, &test_err), MLPOT_ERR_ARGUMENT, "order 2");
    p = params(MLPOT_EWALD_PME, 7.0, 1e-6, 6, 5);
    CHECK_FAILS(mlpot_ewald_setup_for(&p, &s, &set, &test_err), MLPOT_ERR_ARGUMENT, "smaller than the order");
    p = params(MLPOT_EWALD_PME, 7.0, 1e-300, 3, 0);
    CHECK_FAILS(mlpot_ewald_setup_for(&p, &s, &set, &test_err), MLPOT_ERR_ARGUMENT, "PME grid");
    p = params(7, 7.0, 1e-6, 5, 0);
    CHECK_FAILS(mlpot_ewald_setup_for(&p, &s, &set, &test_err), MLPOT_ERR_ARGUMENT, "unknown method");
    /* zero-initialised parameters with the method set take the default order */
    mlpot_ewald_params z;
    memset(&z, 0, sizeof z);
    z.real_cutoff = 7.0;
    z.accuracy = 1e-6;
    z.method = MLPOT_EWALD_PME;
    CHECK_OK(mlpot_ewald_setup_for(&z, &s, &set, &test_err));
    CHECK(set.pme_order == 8 && set.pme_grid[0] >= 8, "default order %d, grid %d", set.pme_order, set.pme_grid[0]);
    mlpot_structure_free(&s);
}

static void coulomb_potential(void)
{
    mlpot_potential *pme, *ewald, *explicit_grid;
    CHECK_OK(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-10,kspace=pme,pme_order=7,charge.Na=1,charge.Cl=-1",
                                  &pme, &test_err));
    CHECK_OK(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-10,charge.Na=1,charge.Cl=-1", &ewald, &test_err));
    CHECK_OK(mlpot_potential_load("coulomb:cutoff=8,accuracy=1e-10,kspace=pme,pme_order=4,grid=10x12x11,charge.Na=1,charge.Cl=-1",
                                  &explicit_grid, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    random_ionic(&s, 16, 0.0, 8);
    for (int i = 0; i < s.n_atoms; ++i) s.charges[i] = s.numbers[i] == 11 ? 1.0 : -1.0;
    double e_pme = test_energy(pme, &s), e_ewald = test_energy(ewald, &s);
    CHECK_CLOSE(e_pme, e_ewald, 1e-8 * fabs(e_ewald), "coulomb kspace=pme vs ewald");
    double fmax, wmax;
    double ferr = test_force_fd_error(explicit_grid, &s, 1e-5, &fmax);
    double werr = test_virial_fd_error(explicit_grid, &s, 1e-6, &wmax);
    CHECK(ferr < 1e-7 * fmax, "coulomb pme: force FD %g (max %g)", ferr, fmax);
    CHECK(werr < 1e-7 * wmax, "coulomb pme: virial FD %g (max %g)", werr, wmax);
    char text[256];
    mlpot_potential_describe(explicit_grid, text, sizeof text);
    CHECK(strstr(text, "PME") && strstr(text, "10×12×11"), "description: %s", text);
    mlpot_potential *bad;
    CHECK_FAILS(mlpot_potential_load("coulomb:kspace=fft", &bad, &test_err), MLPOT_ERR_ARGUMENT, "kspace");
    CHECK_FAILS(mlpot_potential_load("coulomb:kspace=pme,grid=10x12", &bad, &test_err), MLPOT_ERR_ARGUMENT, "grid");
    CHECK_FAILS(mlpot_potential_load("coulomb:kspace=pme,pme_order=13", &bad, &test_err), MLPOT_ERR_ARGUMENT, "order");
    CHECK_FAILS(mlpot_potential_load("coulomb:pme_order=6", &bad, &test_err), MLPOT_ERR_ARGUMENT, "kspace=pme");
    mlpot_potential_free(pme);
    mlpot_potential_free(ewald);
    mlpot_potential_free(explicit_grid);
    mlpot_structure_free(&s);
}

int main(void)
{
    madelung();
    convergence();
    accuracy_rule();
    finite_differences();
    net_force_and_threads();
    bad_parameters();
    coulomb_potential();
    return test_finish("test_pme");
}
