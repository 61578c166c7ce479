/* Trajectory analysis on cases with known answers: the MSD of ballistic motion (v²t²) and of
 * Gaussian random walks with known D (the estimate within 3 error bars, the error bar within a
 * factor 2 of the scatter across seeds), unwrapping of a particle crossing a skewed cell many
 * times, the RDF of an ideal gas (1 within the counting error) and of fcc crystals (first peak
 * at a/√2, coordination 12, also in a skewed primitive cell thinner than rmax), the VACF of
 * harmonic oscillators (cos ωt, VDOS peak at ω/2π), Green-Kubo on a current with a known
 * integral, and Nernst-Einstein against Green-Kubo for independent ions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"

/* A frame of n atoms (species z[i]) at x with velocities v (or NULL) at time t, in a cell. */
static void frame(mlpot_structure *s, int n, const int *z, const double *x, const double *v, double t,
                  const double cell[9])
{
    mlpot_structure_free(s);
    CHECK_OK(mlpot_structure_resize(s, n, &test_err));
    memcpy(s->numbers, z, (size_t)n * sizeof(int));
    memcpy(s->positions, x, 3 * (size_t)n * sizeof(double));
    memcpy(&s->cell[0][0], cell, 9 * sizeof(double));
    s->pbc[0] = s->pbc[1] = s->pbc[2] = 1;
    if (v) {
        mlpot_atom_property *p;
        CHECK_OK(mlpot_structure_add_property(s, "velocities", MLPOT_PROPERTY_REAL, 3, &p, &test_err));
        memcpy(p->real, v, 3 * (size_t)n * sizeof(double));
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", t);
    CHECK_OK(mlpot_structure_set_info(s, "time_fs", buf, &test_err));
}

static const double CUBE20[9] = {20, 0, 0, 0, 20, 0, 0, 0, 20};

static void test_ballistic(void)
{
    enum { N = 4, F = 200 };
    int z[N] = {14, 14, 8, 8};
    /* the same speed within a species: msd = |v|² t² exactly */
    double v[3 * N] = {0.01, 0.02, -0.02, -0.03, 0, 0, 0.005, 0, 0, 0, 0, -0.005};
    double x[3 * N];
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    mlpot_structure s;
    mlpot_structure_init(&s);
    double dt = 2.0;
    for (int f = 0; f < F; ++f) {
        for (int q = 0; q < 3 * N; ++q) x[q] = 1.0 + q + v[q] * f * dt;
        frame(&s, N, z, x, v, f * dt, CUBE20);
        CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    }
    double got_dt;
    CHECK_OK(mlpot_trajectory_timestep(&t, &got_dt, &test_err));
    CHECK_CLOSE(got_dt, dt, 1e-12, "time step from time_fs");
    int unwrapped = 1;
    CHECK_OK(mlpot_trajectory_unwrap(&t, MLPOT_UNWRAP_AUTO, &unwrapped, &test_err));
    CHECK(unwrapped == 0, "positions outside the cell are taken as unwrapped already");
    mlpot_msd_options opt;
    mlpot_msd_options_default(&opt);
    opt.dt = dt;
    mlpot_msd_result r;
    mlpot_msd_result_init(&r);
    CHECK_OK(mlpot_msd(&t, NULL, 0, &opt, &r, &test_err));
    CHECK(r.n_species == 2 && r.species[0] == 8 && r.species[1] == 14, "species O, Si");
    CHECK(r.n_lags == F / 5, "default lags: one block (%ld)", r.n_lags);
    double worst = 0;
    for (long k = 0; k < r.n_lags; ++k) {
        double tt = k * dt;
        worst = fmax(worst, fabs(r.msd[k] - 0.005 * 0.005 * tt * tt));
        worst = fmax(worst, fabs(r.msd[r.n_lags + k] - (0.01 * 0.01 + 0.02 * 0.02 + 0.02 * 0.02) * tt * tt));
    }
    printf("ballistic: largest |msd - v²t²| = %.3g Å²\n", worst);
    CHECK(worst < 1e-10, "ballistic msd off by %g", worst);
    mlpot_msd_result_free(&r);
    mlpot_structure_free(&s);
    mlpot_trajectory_free(&t);
}

/* A Gaussian random walk of n atoms, step σ per component and frame: D = σ²/(2 dt). */
static void random_walk(mlpot_trajectory *t, int n, long frames, double sigma, double dt, uint64_t seed)
{
    rng g;
    rng_seed(&g, seed, 0);
    int *z = calloc((size_t)n, sizeof(int));
    double *x = calloc(3 * (size_t)n, sizeof(double));
    for (int i = 0; i < n; ++i) z[i] = 18;
    mlpot_structure s;
    mlpot_structure_init(&s);
    for (long f = 0; f < frames; ++f) {
        if (f)
            for (int q = 0; q < 3 * n; ++q) x[q] += sigma * rng_normal(&g);
        frame(&s, n, z, x, NULL, (double)f * dt, CUBE20);
        CHECK_OK(mlpot_trajectory_append(t, &s, &test_err));
    }
    mlpot_structure_free(&s);
    free(z);
    free(x);
}

static void test_random_walk(void)
{
    enum { SEEDS = 8 };
    double sigma = 0.05, dt = 1.0, d_true = sigma * sigma / (2 * dt);
    double d[SEEDS], e[SEEDS];
    int outside = 0;
    for (int k = 0; k < SEEDS; ++k) {
        mlpot_trajectory t;
        mlpot_trajectory_init(&t);
        random_walk(&t, 50, 2000, sigma, dt, 100 + (uint64_t)k);
        mlpot_msd_options opt;
        mlpot_msd_options_default(&opt);
        opt.dt = dt;
        opt.blocks = 10;
        mlpot_msd_result r;
        mlpot_msd_result_init(&r);
        CHECK_OK(mlpot_msd(&t, NULL, 0, &opt, &r, &test_err));
        d[k] = r.diffusion[0], e[k] = r.diffusion_error[0];
        if (fabs(d[k] - d_true) > 3 * e[k]) ++outside;
        mlpot_msd_result_free(&r);
        mlpot_trajectory_free(&t);
    }
    double mean = 0, var = 0, mean_e = 0;
    for (int k = 0; k < SEEDS; ++k) mean += d[k] / SEEDS, mean_e += e[k] / SEEDS;
    for (int k = 0; k < SEEDS; ++k) var += (d[k] - mean) * (d[k] - mean) / (SEEDS - 1);
    double scatter = sqrt(var);
    printf("random walk: D true %.6g, mean of %d seeds %.6g, scatter %.3g, mean error bar %.3g Å²/fs, "
           "%d outside 3 error bars\n", d_true, SEEDS, mean, scatter, mean_e, outside);
    CHECK(outside == 0, "%d of %d seeds put D more than 3 error bars from the truth", outside, SEEDS);
    CHECK(mean_e < 2 * scatter && scatter < 2 * mean_e, "error bar %g vs scatter %g", mean_e, scatter);
    CHECK(fabs(mean - d_true) < 3 * scatter / sqrt(SEEDS), "mean D %g vs %g", mean, d_true);
}

static void test_unwrap(void)
{
    /* one atom crossing a skewed cell many times, and a random walker, written wrapped */
    const double cell[9] = {5, 0, 0, 1.5, 4.5, 0, -1, 0.8, 4};
    int z[2] = {1, 1};
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    mlpot_structure s;
    mlpot_structure_init(&s);
    enum { F = 3000 };
    double *truth = calloc(6 * (size_t)F, sizeof(double));
    rng g;
    rng_seed(&g, 7, 0);
    double x[6] = {0.3, 0.2, 0.1, 2, 2, 2};
    for (int f = 0; f < F; ++f) {
        if (f) {
            x[0] += 0.37, x[1] -= 0.21, x[2] += 0.55; /* crosses some face every few frames */
            for (int q = 3; q < 6; ++q) x[q] += 0.4 * rng_normal(&g);
        }
        memcpy(truth + 6 * f, x, sizeof x);
        frame(&s, 2, z, x, NULL, f, cell);
        CHECK_OK(mlpot_structure_wrap(&s, &test_err));
        CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    }
    int unwrapped = 0;
    CHECK_OK(mlpot_trajectory_unwrap(&t, MLPOT_UNWRAP_AUTO, &unwrapped, &test_err));
    CHECK(unwrapped == 1, "wrapped positions detected");
    double worst = 0;
    for (int f = 0; f < F; ++f)
        for (int q = 0; q < 6; ++q) {
            /* the first frame fixes the image: compare displacements from it */
            double a = t.positions[6 * f + q] - t.positions[q], b = truth[6 * f + q] - truth[q];
            worst = fmax(worst, fabs(a - b));
        }
    printf("unwrap: %d frames, largest error of the unwrapped displacement %.3g Å (travelled %.0f Å)\n", F, worst,
           fabs(truth[6 * (F - 1) + 2] - truth[2]));
    CHECK(worst < 1e-9, "unwrapped displacement off by %g", worst);
    free(truth);
    mlpot_structure_free(&s);
    mlpot_trajectory_free(&t);
}

static void test_rdf_ideal_gas(void)
{
    const double cell[9] = {12, 0, 0, 3, 11, 0, 1, -2, 10};
    int species[2] = {18, 10};
    const int pbc[3] = {1, 1, 1};
    double rmax = mlpot_rdf_default_rmax(cell);
    enum { BINS = 20, FRAMES = 150, N = 120 };
    mlpot_rdf r;
    CHECK_OK(mlpot_rdf_init(&r, rmax, BINS, NULL, 0, &test_err));
    mlpot_structure s;
    mlpot_structure_init(&s);
    for (int f = 0; f < FRAMES; ++f) {
        /* uniform positions; test_random_structure keeps atoms 0.1 Å apart (the neighbour list
         * refuses closer ones), which removes a negligible volume */
        test_random_structure(&s, N, species, 2, cell, pbc, 0.1, 1000 + (unsigned long long)f);
        CHECK_OK(mlpot_rdf_add(&r, &s, &test_err));
    }
    CHECK(r.n_pairs == 3, "Ne-Ne, Ne-Ar, Ar-Ar (%d pairs)", r.n_pairs);
    double g[3 * BINS], n[3 * BINS];
    CHECK_OK(mlpot_rdf_result(&r, g, n, &test_err));
    double volume = mlpot_structure_volume(&s), dr = rmax / BINS, worst = 0;
    for (int p = 0; p < 3; ++p) {
        int same = r.pair[2 * p] == r.pair[2 * p + 1];
        double na = N / 2, nb = N / 2 - same;
        for (int k = 2; k < BINS; ++k) {
            double r0 = k * dr, r1 = r0 + dr, shell = 4.0 / 3.0 * MLPOT_PI * (r1 * r1 * r1 - r0 * r0 * r0);
            /* distinct pairs behind the bin: a-a pairs are counted from both sides */
            double pairs = FRAMES * na * nb / volume * shell / (same ? 2 : 1);
            double z = (g[p * BINS + k] - 1) * sqrt(pairs);
            worst = fmax(worst, fabs(z));
        }
        /* n(rmax) = ρ_b · 4/3 π rmax³ for an ideal gas */
        double expect = nb / volume * 4.0 / 3.0 * MLPOT_PI * rmax * rmax * rmax;
        CHECK(fabs(n[p * BINS + BINS - 1] / expect - 1) < 0.02, "coordination at rmax %g vs %g", n[p * BINS + BINS - 1], expect);
    }
    printf("ideal gas: g(r) - 1 within %.2f standard errors in every bin (r > %.2f Å, rmax %.3f Å)\n", worst, 2 * dr, rmax);
    CHECK(worst < 4.5, "ideal-gas g(r) deviates by %.2f standard errors", worst);
    mlpot_structure_free(&s);
    mlpot_rdf_free(&r);
}

static void fcc_rdf(const mlpot_structure *s, double a, double rmax, const char *what)
{
    enum { BINS = 700 };
    mlpot_rdf r;
    CHECK_OK(mlpot_rdf_init(&r, rmax, BINS, NULL, 0, &test_err));
    CHECK_OK(mlpot_rdf_add(&r, s, &test_err));
    double g[BINS], n[BINS], dr = rmax / BINS;
    CHECK_OK(mlpot_rdf_result(&r, g, n, &test_err));
    int peak = 0;
    for (int k = 0; k < BINS; ++k)
        if (g[k] > g[peak]) peak = k;
    double r_peak = (peak + 0.5) * dr, first = a / sqrt(2.0);
    double n_between = n[(int)(0.5 * (first + a) / dr)];
    printf("fcc %s: first peak at %.4f Å (a/√2 = %.4f), coordination %.6g\n", what, r_peak, first, n_between);
    CHECK(fabs(r_peak - first) <= dr, "%s: peak at %g, expected %g", what, r_peak, first);
    CHECK_CLOSE(n_between, 12.0, 1e-12, "fcc coordination");
    CHECK_CLOSE(n[(int)(first / dr) - 2], 0.0, 1e-12, "nothing inside the first shell");
    mlpot_rdf_free(&r);
}

static void test_rdf_fcc(void)
{
    double a = 3.6;
    mlpot_structure unit, s;
    mlpot_structure_init(&unit);
    mlpot_structure_init(&s);
    static const double basis[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    CHECK_OK(mlpot_structure_resize(&unit, 4, &test_err));
    for (int i = 0; i < 4; ++i) {
        unit.numbers[i] = 29;
        for (int c = 0; c < 3; ++c) unit.positions[3 * i + c] = a * basis[i][c];
    }
    for (int c = 0; c < 3; ++c) unit.cell[c][c] = a, unit.pbc[c] = 1;
    const int rep[3] = {3, 3, 3};
    CHECK_OK(mlpot_structure_supercell(&unit, rep, &s, &test_err));
    fcc_rdf(&s, a, mlpot_rdf_default_rmax(&s.cell[0][0]), "3x3x3 conventional");
    /* skewed primitive cell, 2x2x2: thinner than 2 rmax, images of one atom count several times */
    mlpot_structure prim;
    mlpot_structure_init(&prim);
    CHECK_OK(mlpot_structure_resize(&prim, 1, &test_err));
    prim.numbers[0] = 29;
    double pv[3][3] = {{0, 0.5 * a, 0.5 * a}, {0.5 * a, 0, 0.5 * a}, {0.5 * a, 0.5 * a, 0}};
    memcpy(prim.cell, pv, sizeof pv);
    prim.pbc[0] = prim.pbc[1] = prim.pbc[2] = 1;
    const int rep2[3] = {2, 2, 2};
    CHECK_OK(mlpot_structure_supercell(&prim, rep2, &s, &test_err));
    CHECK(mlpot_rdf_default_rmax(&s.cell[0][0]) < 0.9 * a, "the primitive cell is thinner than the rmax used");
    fcc_rdf(&s, a, 1.2 * a, "skewed primitive 2x2x2");
    mlpot_structure_free(&prim);
    mlpot_structure_free(&unit);
    mlpot_structure_free(&s);
}

static void test_vacf_harmonic(void)
{
    enum { N = 20, F = 4000 };
    double period = 100.0, omega = 2 * MLPOT_PI / period, dt = 1.0;
    int z[N];
    double phase[3 * N], x[3 * N], v[3 * N];
    rng g;
    rng_seed(&g, 3, 0);
    for (int i = 0; i < N; ++i) z[i] = 1;
    for (int q = 0; q < 3 * N; ++q) phase[q] = 2 * MLPOT_PI * rng_uniform(&g);
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    mlpot_structure s;
    mlpot_structure_init(&s);
    for (int f = 0; f < F; ++f) {
        for (int q = 0; q < 3 * N; ++q) {
            x[q] = 5 + 0.1 * sin(omega * f * dt + phase[q]);
            v[q] = 0.1 * omega * cos(omega * f * dt + phase[q]);
        }
        frame(&s, N, z, x, v, f * dt, CUBE20);
        CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    }
    mlpot_vacf_result r;
    mlpot_vacf_result_init(&r);
    CHECK_OK(mlpot_vacf(&t, NULL, 0, dt, 1000, &r, &test_err));
    double worst = 0;
    for (long k = 0; k < r.n_lags; ++k) worst = fmax(worst, fabs(r.vacf[k] / r.vacf[0] - cos(omega * k * dt)));
    long peak = 0;
    for (long k = 0; k < r.n_lags; ++k)
        if (r.vdos[k] > r.vdos[peak]) peak = k;
    double dnu = r.frequency[1] - r.frequency[0];
    printf("harmonic VACF: largest |C(t)/C(0) - cos ωt| = %.3g; VDOS peak at %.5g /fs (%.4g THz), expected %.5g "
           "(grid %.2g)\n", worst, r.frequency[peak], 1e3 * r.frequency[peak], 1 / period, dnu);
    CHECK(worst < 0.02, "VACF differs from cos ωt by %g", worst);
    CHECK(fabs(r.frequency[peak] - 1 / period) <= dnu, "VDOS peak at %g, expected %g", r.frequency[peak], 1 / period);
    double area = 0;
    for (long k = 1; k < r.n_lags; ++k) area += 0.5 * (r.vdos[k] + r.vdos[k - 1]) * dnu;
    CHECK_CLOSE(area, 1.0, 1e-9, "VDOS area");
    mlpot_vacf_result_free(&r);
    mlpot_structure_free(&s);
    mlpot_trajectory_free(&t);
}

/* Ornstein-Uhlenbeck velocities (variance s² per component, correlation time tau) for n atoms,
 * positions integrated by the trapezoid rule. Atom i has species z[i % 2]. */
static void ou_ions(mlpot_trajectory *t, int n, const int z2[2], long frames, double s, double tau, double dt,
                    double box, uint64_t seed)
{
    rng g;
    rng_seed(&g, seed, 0);
    double a = exp(-dt / tau), b = s * sqrt(1 - a * a);
    int *z = calloc((size_t)n, sizeof(int));
    double *x = calloc(3 * (size_t)n, sizeof(double)), *v = calloc(3 * (size_t)n, sizeof(double));
    for (int i = 0; i < n; ++i) z[i] = z2[i % 2];
    for (int q = 0; q < 3 * n; ++q) v[q] = s * rng_normal(&g), x[q] = box * rng_uniform(&g);
    const double cell[9] = {box, 0, 0, 0, box, 0, 0, 0, box};
    mlpot_structure st;
    mlpot_structure_init(&st);
    for (long f = 0; f < frames; ++f) {
        if (f)
            for (int q = 0; q < 3 * n; ++q) {
                double old = v[q];
                v[q] = a * v[q] + b * rng_normal(&g);
                x[q] += 0.5 * (old + v[q]) * dt;
            }
        frame(&st, n, z, x, v, (double)f * dt, cell);
        CHECK_OK(mlpot_trajectory_append(t, &st, &test_err));
    }
    mlpot_structure_free(&st);
    free(z);
    free(x);
    free(v);
}

static void test_green_kubo(void)
{
    /* one ion of charge 1: J = v, <J(0)·J(t)> = 3 s² a^k exactly in expectation */
    double s = 0.01, tau = 10, dt = 1, box = 10, T = 500;
    long lags = 200;
    int z2[2] = {3, 3};
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    ou_ions(&t, 1, z2, 100000, s, tau, dt, box, 11);
    double charge[MLPOT_MAX_ELEMENT + 1] = {0};
    charge[3] = 1;
    mlpot_conductivity_options opt;
    mlpot_conductivity_options_default(&opt);
    opt.dt = dt;
    opt.max_lag = lags;
    opt.temperature = T;
    opt.msd.max_lag = 200;
    mlpot_conductivity_result r;
    mlpot_conductivity_result_init(&r);
    CHECK_OK(mlpot_conductivity(&t, charge, &opt, &r, &test_err));
    double a = exp(-dt / tau), integral = 0.5;
    for (long k = 1; k < lags; ++k) integral += pow(a, (double)k);
    integral += 0.5 * pow(a, (double)lags);
    integral *= 3 * s * s * dt;
    double expect = integral * MLPOT_CONDUCTIVITY_S_PER_M / (3 * box * box * box * MLPOT_BOLTZMANN_EV_PER_K * T);
    printf("Green-Kubo, synthetic current: sigma %.5g ± %.2g S/m, exact %.5g S/m (%.2f error bars)\n", r.sigma,
           r.sigma_error, expect, (r.sigma - expect) / r.sigma_error);
    CHECK(fabs(r.sigma - expect) < 3 * r.sigma_error, "sigma %g ± %g vs %g", r.sigma, r.sigma_error, expect);
    CHECK(fabs(r.sigma / expect - 1) < 0.05 && r.sigma_error < 0.05 * expect, "sigma %g ± %g vs %g", r.sigma,
          r.sigma_error, expect);
    CHECK_CLOSE(r.current_acf[0], 3 * s * s, 0.03 * 3 * s * s, "<J·J>(0)");
    mlpot_conductivity_result_free(&r);
    mlpot_trajectory_free(&t);
}

static void test_nernst_einstein(void)
{
    /* independent ions: no distinct-ion correlations, so Green-Kubo = Nernst-Einstein */
    int z2[2] = {11, 17};
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    ou_ions(&t, 64, z2, 20000, 0.01, 5, 1, 15, 21);
    double charge[MLPOT_MAX_ELEMENT + 1] = {0};
    charge[11] = 1, charge[17] = -1;
    mlpot_conductivity_options opt;
    mlpot_conductivity_options_default(&opt);
    opt.dt = 1;
    opt.max_lag = 100;
    opt.temperature = 1000;
    opt.msd.max_lag = 200;
    mlpot_conductivity_result r;
    mlpot_conductivity_result_init(&r);
    CHECK_OK(mlpot_conductivity(&t, charge, &opt, &r, &test_err));
    double both = sqrt(r.sigma_error * r.sigma_error + r.sigma_ne_error * r.sigma_ne_error);
    printf("independent ions: Green-Kubo %.5g ± %.2g S/m, Nernst-Einstein %.5g ± %.2g S/m (%.2f combined errors); "
           "D(Na) %.4g ± %.2g Å²/fs (s²τ = %.4g)\n", r.sigma, r.sigma_error, r.sigma_ne, r.sigma_ne_error,
           (r.sigma - r.sigma_ne) / both, r.msd.diffusion[0], r.msd.diffusion_error[0], 0.01 * 0.01 * 5);
    CHECK(fabs(r.sigma - r.sigma_ne) < 3 * both, "GK %g vs NE %g", r.sigma, r.sigma_ne);
    CHECK(fabs(r.msd.diffusion[0] / (0.01 * 0.01 * 5) - 1) < 0.1, "D(Na) %g vs s²τ", r.msd.diffusion[0]);
    mlpot_conductivity_result_free(&r);
    mlpot_trajectory_free(&t);
}

static void test_bad_input(void)
{
    mlpot_trajectory t;
    mlpot_trajectory_init(&t);
    mlpot_structure s;
    mlpot_structure_init(&s);
    int z[3] = {1, 1, 1};
    double x[9] = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    frame(&s, 3, z, x, NULL, 0, CUBE20);
    CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    frame(&s, 2, z, x, NULL, 1, CUBE20);
    CHECK_FAILS(mlpot_trajectory_append(&t, &s, &test_err), MLPOT_ERR_FORMAT, "atom count");
    int z2[3] = {1, 8, 1};
    frame(&s, 3, z2, x, NULL, 1, CUBE20);
    CHECK_FAILS(mlpot_trajectory_append(&t, &s, &test_err), MLPOT_ERR_FORMAT, "element");
    frame(&s, 3, z, x, NULL, 1, CUBE20);
    CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    mlpot_msd_options mo;
    mlpot_msd_options_default(&mo);
    mo.dt = 1;
    mlpot_msd_result mr;
    mlpot_msd_result_init(&mr);
    CHECK_FAILS(mlpot_msd(&t, NULL, 0, &mo, &mr, &test_err), MLPOT_ERR_ARGUMENT, "too few");
    mlpot_vacf_result vr;
    mlpot_vacf_result_init(&vr);
    CHECK_FAILS(mlpot_vacf(&t, NULL, 0, 1, 0, &vr, &test_err), MLPOT_ERR_MISSING, "velocities");
    mlpot_rdf r;
    CHECK_FAILS(mlpot_rdf_init(&r, 5, 0, NULL, 0, &test_err), MLPOT_ERR_ARGUMENT, "bins");
    mlpot_rdf_free(&r);
    int pairs[2] = {1, 8};
    CHECK_OK(mlpot_rdf_init(&r, 5, 10, pairs, 1, &test_err));
    CHECK_FAILS(mlpot_rdf_add(&r, &s, &test_err), MLPOT_ERR_ARGUMENT, "no O atoms");
    mlpot_rdf_free(&r);
    /* segments: a second run; times restart, the time step stays uniform within each */
    mlpot_trajectory_new_segment(&t);
    frame(&s, 3, z, x, NULL, 0, CUBE20);
    CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    frame(&s, 3, z, x, NULL, 1, CUBE20);
    CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    CHECK(t.n_segments == 2 && t.segment_start[1] == 2 && t.segment_start[2] == 4, "two segments");
    double dt;
    CHECK_OK(mlpot_trajectory_timestep(&t, &dt, &test_err));
    frame(&s, 3, z, x, NULL, 3, CUBE20);
    CHECK_OK(mlpot_trajectory_append(&t, &s, &test_err));
    CHECK_FAILS(mlpot_trajectory_timestep(&t, &dt, &test_err), MLPOT_ERR_FORMAT, "uniform");
    mlpot_structure_free(&s);
    mlpot_trajectory_free(&t);
}

int main(void)
{
    test_ballistic();
    test_random_walk();
    test_unwrap();
    test_rdf_ideal_gas();
    test_rdf_fcc();
    test_vacf_harmonic();
    test_green_kubo();
    test_nernst_einstein();
    test_bad_input();
    return test_finish("test_analysis");
}
