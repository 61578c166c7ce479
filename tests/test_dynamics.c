/* Molecular dynamics and relaxation: NVE energy conservation of Stillinger-Weber silicon (with a
 * control run on 1 %-wrong forces that must break the same bound), canonical sampling of the
 * Langevin, Bussi and Nosé-Hoover chain thermostats (mean temperature and the Gamma distribution
 * of the kinetic energy; the chain's conserved energy), free-particle diffusion under Langevin, FIRE and L-BFGS relaxation to the diamond
 * minimum, bit-identical checkpoint restarts, and bad input naming the step. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Silicon diamond cells (the harness's builder). */
static void diamond(mlpot_structure *s, int n, double a)
{
    test_diamond(s, 14, n, a);
}

/* --- wrappers: forces scaled by a factor, a zero potential, a potential that fails -------- */

typedef struct scaled {
    const mlpot_potential *inner;
    double factor;
    double nan_beyond; /* x of atom 0 beyond which forces are NaN (0: never) */
} scaled;

static mlpot_status scaled_compute(const void *state, const mlpot_structure *s, const mlpot_neighbour_list *nl,
                                   unsigned request, mlpot_result *out, mlpot_error *err)
{
    const scaled *w = state;
    if (w->inner) {
        mlpot_result r;
        mlpot_result_init(&r);
        mlpot_status st = mlpot_potential_compute(w->inner, s, nl, request, &r, err);
        if (st) return mlpot_result_free(&r), st;
        out->energy += r.energy;
        for (int k = 0; k < 3 * s->n_atoms; ++k) out->forces[k] += w->factor * r.forces[k];
        if (request & MLPOT_OUT_VIRIAL)
            for (int k = 0; k < 9; ++k) out->virial[k] += r.virial[k];
        mlpot_result_free(&r);
    }
    if (w->nan_beyond > 0 && s->positions[0] > w->nan_beyond) out->forces[0] = NAN;
    return MLPOT_OK;
}

static void scaled_destroy(void *state) { free(state); }

static mlpot_potential *make_wrapper(const mlpot_potential *inner, double factor, double nan_beyond)
{
    static const mlpot_potential_ops ops = {scaled_compute, scaled_destroy, NULL};
    scaled *w = calloc(1, sizeof *w);
    w->inner = inner, w->factor = factor, w->nan_beyond = nan_beyond;
    mlpot_potential_info info = {"wrapped", inner ? mlpot_potential_cutoff(inner) : 1.0,
                                 MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL, 1, 0, NULL};
    mlpot_potential *p;
    CHECK_OK(mlpot_potential_create(&ops, w, &info, &p, &test_err));
    return p;
}

/* --- NVE ----------------------------------------------------------------------------------- */

typedef struct nve_stats {
    double drift;   /* eV/atom/ps, slope of a least-squares line through E_conserved(t) */
    double rms;     /* eV/atom, RMS of E_conserved about that line */
    double maxdev;  /* eV/atom, largest |E_conserved(t) - E_conserved(0)| */
    double t_mean;  /* K */
} nve_stats;

static nve_stats run_nve(const mlpot_potential *p, long steps, double dt)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 2, 5.431);
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    o.timestep = dt;
    mlpot_md *md;
    CHECK_OK(mlpot_md_create(p, &s, &o, &md, &test_err));
    CHECK_OK(mlpot_md_maxwell_boltzmann(md, 600.0, 2026, &test_err));
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    CHECK_CLOSE(st.temperature, 600.0, 1e-9, "Maxwell-Boltzmann start is exactly 600 K");
    CHECK(st.n_dof == 3 * 64 - 3, "n_dof %d", st.n_dof);
    double pcom[3] = {0, 0, 0};
    const double *v = mlpot_md_velocities(md);
    for (int i = 0; i < 64; ++i)
        for (int c = 0; c < 3; ++c) pcom[c] += mlpot_md_structure(md)->masses[i] * v[3 * i + c];
    CHECK(fabs(pcom[0]) + fabs(pcom[1]) + fabs(pcom[2]) < 1e-12, "centre-of-mass momentum %g", fabs(pcom[0]));
    double e0 = st.conserved, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, tsum = 0, maxdev = 0;
    long n = 0;
    for (long k = 0; k < steps; ++k) {
        CHECK_OK(mlpot_md_run(md, 1, &test_err));
        mlpot_md_get_state(md, &st);
        double t = st.time * 1e-3, e = (st.conserved - e0) / 64.0; /* ps, eV/atom */
        sx += t, sy += e, sxx += t * t, sxy += t * e, syy += e * e, tsum += st.temperature, ++n;
        maxdev = fmax(maxdev, fabs(e));
    }
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx), icept = (sy - slope * sx) / n;
    /* residual sum of squares of the line, from the sums */
    double rss = syy - 2 * slope * sxy - 2 * icept * sy + slope * slope * sxx + 2 * slope * icept * sx + n * icept * icept;
    nve_stats out = {slope, sqrt(fmax(rss, 0) / n), maxdev, tsum / n};
    mlpot_md_free(md);
    mlpot_structure_free(&s);
    return out;
}

static void test_nve(const mlpot_potential *sw)
{
    const long steps = 5000;
    nve_stats good = run_nve(sw, steps, 1.0);
    printf("NVE SW Si 64 atoms, 600 K start, dt 1 fs, %ld steps: <T> = %.1f K, drift %.3e eV/atom/ps, "
           "RMS %.3e eV/atom, max |dE| %.3e eV/atom\n",
           steps, good.t_mean, good.drift, good.rms, good.maxdev);
    /* bounds: about 5x what velocity Verlet gives here, far below what a 1 % force error gives */
    const double drift_bound = 5e-6, rms_bound = 2e-5, maxdev_bound = 2.5e-4;
    CHECK(fabs(good.drift) < drift_bound, "NVE drift %.3e eV/atom/ps", good.drift);
    CHECK(good.rms < rms_bound, "NVE RMS fluctuation %.3e eV/atom", good.rms);
    CHECK(good.maxdev < maxdev_bound, "NVE max deviation %.3e eV/atom", good.maxdev);
    CHECK(good.t_mean > 250 && good.t_mean < 350, "equipartition: <T> %.1f K from a 600 K start", good.t_mean);

    /* control: forces 1 % too large must break the bounds (the test can fail) */
    mlpot_potential *wrong = make_wrapper(sw, 1.01, 0);
    nve_stats bad = run_nve(wrong, 1000, 1.0);
    printf("  control with forces x1.01 (1000 steps): drift %.3e eV/atom/ps, RMS %.3e, max |dE| %.3e eV/atom\n",
           bad.drift, bad.rms, bad.maxdev);
    CHECK(fabs(bad.drift) >= drift_bound || bad.rms >= rms_bound || bad.maxdev >= maxdev_bound,
          "a 1 %% force error passes the NVE bounds: they are too loose");
    mlpot_potential_free(wrong);

    /* Verlet's error is O(dt²): halving dt divides the fluctuation by about 4 */
    nve_stats half = run_nve(sw, 2000, 0.5);
    nve_stats full = run_nve(sw, 1000, 1.0);
    printf("  RMS at dt 1 fs %.3e, at 0.5 fs %.3e (ratio %.2f, Verlet: ~4)\n", full.rms, half.rms, full.rms / half.rms);
    CHECK(full.rms / half.rms > 2.5 && full.rms / half.rms < 6, "RMS ratio %.2f for dt halved", full.rms / half.rms);
}

/* --- thermostats ---------------------------------------------------------------------------- */

/* Regularised lower incomplete gamma P(a, x) by its series (x up to a few a: converges). */
static double gamma_p(double a, double x)
{
    if (x <= 0) return 0;
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 1000; ++n) {
        term *= x / (a + n);
        sum += term;
        if (term < sum * 1e-16) break;
    }
    return fmin(1.0, exp(a * log(x) - x - lgamma(a)) * sum);
}

/* Mean of block averages and its standard error. */
static void block_stats(const double *x, int n, double *mean, double *err)
{
    double m = 0, v = 0;
    for (int b = 0; b < n; ++b) m += x[b] / n;
    for (int b = 0; b < n; ++b) v += (x[b] - m) * (x[b] - m) / (n - 1);
    *mean = m, *err = sqrt(v / n);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_thermostat(const mlpot_potential *sw, mlpot_ensemble ensemble, double temperature)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 1, 5.431);
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    o.ensemble = ensemble;
    o.temperature = temperature;
    o.timestep = 1.0;
    o.friction = 0.01;
    o.tau = 50;
    o.seed = 7;
    mlpot_md *md;
    CHECK_OK(mlpot_md_create(sw, &s, &o, &md, &test_err));
    CHECK_OK(mlpot_md_maxwell_boltzmann(md, temperature, 11, &test_err));
    CHECK_OK(mlpot_md_run(md, 2000, &test_err)); /* equilibrate */
    /* samples 50 fs apart; error bars from the spread of 20 blocks (the samples are correlated) */
    enum { SAMPLES = 4000, EVERY = 50, BLOCKS = 20, PER_BLOCK = SAMPLES / BLOCKS };
    double *k = malloc(SAMPLES * sizeof *k), bt[BLOCKS] = {0}, bk[BLOCKS] = {0}, bv[BLOCKS] = {0};
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    double e_start = st.conserved, cmax = 0;
    int dof = st.n_dof;
    for (int q = 0; q < SAMPLES; ++q) {
        CHECK_OK(mlpot_md_run(md, EVERY, &test_err));
        mlpot_md_get_state(md, &st);
        k[q] = st.kinetic;
        bt[q / PER_BLOCK] += st.temperature / PER_BLOCK;
        cmax = fmax(cmax, fabs(st.conserved - e_start));
    }
    double kt = MLPOT_BOLTZMANN_EV_PER_K * temperature;
    double mean_expect = 0.5 * dof * kt, var_expect = 0.5 * dof * kt * kt;
    for (int b = 0; b < BLOCKS; ++b) {
        for (int q = b * PER_BLOCK; q < (b + 1) * PER_BLOCK; ++q) bk[b] += k[q] / PER_BLOCK;
        for (int q = b * PER_BLOCK; q < (b + 1) * PER_BLOCK; ++q) bv[b] += (k[q] - mean_expect) * (k[q] - mean_expect) / PER_BLOCK;
    }
    double tmean, terr, mean, mean_err, var, var_err;
    block_stats(bt, BLOCKS, &tmean, &terr);
    block_stats(bk, BLOCKS, &mean, &mean_err);
    block_stats(bv, BLOCKS, &var, &var_err);
    /* Kolmogorov-Smirnov distance to Gamma(dof/2, kT), on every 4th sample (200 fs apart,
     * several correlation times: nearly independent) */
    enum { KS = SAMPLES / 4 };
    double *sub = malloc(KS * sizeof *sub), ks = 0;
    for (int q = 0; q < KS; ++q) sub[q] = k[4 * q + 3];
    qsort(sub, KS, sizeof *sub, compare_double);
    for (int q = 0; q < KS; ++q) {
        double cdf = gamma_p(0.5 * dof, sub[q] / kt);
        ks = fmax(ks, fmax(fabs(cdf - (double)q / KS), fabs(cdf - (double)(q + 1) / KS)));
    }
    free(sub);
    double ks_limit = 1.95 / sqrt((double)KS); /* p = 0.001 */
    printf("%s 8-atom SW Si at %.0f K (n_dof %d, %d samples every %d fs): <T> = %.2f ± %.2f K, "
           "<E_kin> %.5f ± %.5f (expect %.5f) eV, <(E_kin - mean)²> %.3e ± %.1e (expect %.3e) eV², KS distance %.4f (limit %.4f), "
           "max |E_conserved drift| %.2e eV\n",
           mlpot_ensemble_name(ensemble), temperature, dof, SAMPLES, EVERY, tmean, terr, mean, mean_err, mean_expect, var,
           var_err, var_expect, ks, ks_limit, cmax);
    CHECK(fabs(tmean - temperature) < 4 * terr, "<T> %.2f ± %.2f K, target %.0f", tmean, terr, temperature);
    CHECK(terr < 0.02 * temperature && var_err < 0.15 * var_expect, "error bars %.2f K, %.2g eV² too large to test anything", terr, var_err);
    CHECK(fabs(mean - mean_expect) < 4 * mean_err, "<E_kin> %.5f vs %.5f", mean, mean_expect);
    CHECK(fabs(var - var_expect) < 4 * var_err, "var E_kin %.3e vs %.3e", var, var_expect);
    CHECK(ks < ks_limit, "KS distance %.4f to the Gamma distribution", ks);
    /* the heat bookkeeping makes E_conserved a slow random walk of the integration error only */
    CHECK(cmax < 0.05, "conserved quantity wandered %.3g eV", cmax);
    /* Nosé-Hoover is deterministic: its extended energy (chain included) only carries the
     * integration error, about 1e-3 eV over these 202 ps (E_pot + E_kin alone swings ~0.1 eV) */
    if (ensemble == MLPOT_ENSEMBLE_NHC) CHECK(cmax < 5e-3, "Nosé-Hoover conserved quantity drifted %.3g eV", cmax);
    free(k);
    mlpot_md_free(md);
    mlpot_structure_free(&s);
}

/* Free particles under Langevin: D = kT/(mγ), from the mean-square displacement over windows. */
static void test_diffusion(void)
{
    mlpot_potential *zero = make_wrapper(NULL, 1.0, 0);
    mlpot_structure s;
    mlpot_structure_init(&s);
    CHECK_OK(mlpot_structure_resize(&s, 1, &test_err));
    s.numbers[0] = 2;
    s.positions[0] = s.positions[1] = s.positions[2] = 0;
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    o.ensemble = MLPOT_ENSEMBLE_LANGEVIN;
    o.temperature = 300, o.friction = 0.02, o.timestep = 2.0, o.seed = 99;
    mlpot_md *md;
    CHECK_OK(mlpot_md_create(zero, &s, &o, &md, &test_err));
    CHECK_OK(mlpot_md_set_element_mass(md, 2, 4.0, &test_err));
    CHECK_OK(mlpot_md_maxwell_boltzmann(md, 300, 5, &test_err));
    double m = 4.0, gamma = 0.02, kt = MLPOT_BOLTZMANN_EV_PER_K * 300;
    double d = kt / (m * MLPOT_AMU_A2_PER_FS2_EV * gamma); /* Å²/fs */
    const int window = 250; /* steps: 500 fs = 10/γ */
    const int windows = 3000;
    double tau = window * o.timestep;
    double expect = 2 * d * (tau - (1 - exp(-gamma * tau)) / gamma); /* per Cartesian direction */
    double sum = 0, sum2 = 0;
    const double *x = mlpot_md_structure(md)->positions;
    for (int w = 0; w < windows; ++w) {
        double start[3] = {x[0], x[1], x[2]};
        CHECK_OK(mlpot_md_run(md, window, &test_err));
        for (int c = 0; c < 3; ++c) {
            double dx2 = (x[c] - start[c]) * (x[c] - start[c]);
            sum += dx2, sum2 += dx2 * dx2;
        }
    }
    int n = 3 * windows;
    double msd = sum / n, err = sqrt((sum2 / n - msd * msd) / n);
    printf("Langevin free particle (m 4 amu, γ 0.02/fs, 300 K): <Δx²>(500 fs) %.4f ± %.4f Å², expect %.4f "
           "(D = kT/(mγ) = %.5f Å²/fs; measured D %.5f)\n",
           msd, err, expect, d, d * msd / expect);
    CHECK(fabs(msd - expect) < 4 * err, "MSD %.4f ± %.4f vs %.4f", msd, err, expect);
    CHECK(err < 0.05 * expect, "error bar %.4f too large", err);
    mlpot_md_free(md);
    mlpot_structure_free(&s);
    mlpot_potential_free(zero);
}

/* --- relaxation ----------------------------------------------------------------------------- */

static void test_relax(const mlpot_potential *sw, mlpot_relax_method method)
{
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/silicon/si64_rattled.xyz", test_env_or_skip("MLPOT_SOURCE_DIR"));
    CHECK_OK(mlpot_dataset_read(path, NULL, &d, &test_err));
    mlpot_structure perfect;
    mlpot_structure_init(&perfect);
    diamond(&perfect, 2, 5.431);
    double e_min = test_energy(sw, &perfect);
    mlpot_relax_options o;
    mlpot_relax_options_default(&o);
    o.method = method;
    o.fmax = 1e-3;
    o.max_steps = 2000;
    mlpot_relax_report rep;
    double e_start = test_energy(sw, &d.frames[0]);
    CHECK_OK(mlpot_relax(sw, &d.frames[0], &o, &rep, &test_err));
    printf("%s: rattled Si64 from %.6f to %.8f eV in %d steps, fmax %.2e eV/Å; diamond minimum %.8f eV "
           "(difference %.2e eV)\n",
           method == MLPOT_RELAX_FIRE ? "FIRE" : "L-BFGS", e_start, rep.energy, rep.steps, rep.fmax, e_min,
           rep.energy - e_min);
    CHECK(rep.converged && rep.fmax < 1e-3, "converged %d, fmax %g", rep.converged, rep.fmax);
    CHECK_CLOSE(rep.energy, e_min, 1e-5, "relaxed energy vs the diamond minimum");
    CHECK_CLOSE(test_energy(sw, &d.frames[0]), rep.energy, 1e-9, "reported energy is that of the positions");
    /* not converging within the allowed steps is reported, not an error */
    CHECK_OK(mlpot_dataset_read(path, NULL, &d, &test_err));
    o.max_steps = 3;
    CHECK_OK(mlpot_relax(sw, &d.frames[1], &o, &rep, &test_err));
    CHECK(!rep.converged && rep.steps <= 4, "3 steps: converged %d after %d", rep.converged, rep.steps);
    /* fixed atoms stay put */
    int fixed[64] = {0};
    fixed[5] = 1;
    double x5[3];
    memcpy(x5, &d.frames[1].positions[15], sizeof x5);
    o.max_steps = 50;
    o.fixed = fixed;
    CHECK_OK(mlpot_relax(sw, &d.frames[1], &o, &rep, &test_err));
    CHECK(!memcmp(x5, &d.frames[1].positions[15], sizeof x5), "a fixed atom moved");
    o.fmax = 0;
    CHECK_FAILS(mlpot_relax(sw, &d.frames[1], &o, &rep, &test_err), MLPOT_ERR_ARGUMENT, "fmax");
    mlpot_structure_free(&perfect);
    mlpot_dataset_free(&d);
}

/* --- checkpoints and bad input --------------------------------------------------------------- */

static void test_checkpoint(const mlpot_potential *sw)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 1, 5.431);
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    /* NVE, Langevin, Bussi, Nosé-Hoover chain, then NPT: isotropic with Bussi, triclinic with
     * Langevin */
    for (int e = 0; e < 6; ++e) {
        o.ensemble = e < 4 ? (mlpot_ensemble)e : e == 4 ? MLPOT_ENSEMBLE_BUSSI : MLPOT_ENSEMBLE_LANGEVIN;
        o.barostat = e == 4 ? MLPOT_BAROSTAT_ISOTROPIC : e == 5 ? MLPOT_BAROSTAT_TRICLINIC : MLPOT_BAROSTAT_NONE;
        o.temperature = 900, o.pressure = 0.01, o.tau_p = 100, o.compressibility = 1.6;
        mlpot_md *a, *b;
        CHECK_OK(mlpot_md_create(sw, &s, &o, &a, &test_err));
        CHECK_OK(mlpot_md_maxwell_boltzmann(a, 900, 3, &test_err));
        CHECK_OK(mlpot_md_run(a, 150, &test_err));
        char path[64];
        snprintf(path, sizeof path, "md_checkpoint_%d.bin", (int)getpid());
        int64_t extra[MLPOT_MD_CHECKPOINT_EXTRA] = {42, 7}, back[MLPOT_MD_CHECKPOINT_EXTRA];
        CHECK_OK(mlpot_md_checkpoint_write(a, path, extra, &test_err));
        CHECK_OK(mlpot_md_run(a, 150, &test_err));
        CHECK_OK(mlpot_md_create(sw, &s, &o, &b, &test_err));
        CHECK_OK(mlpot_md_checkpoint_read(b, path, back, &test_err));
        CHECK(back[0] == 42 && back[1] == 7, "extra values");
        CHECK_OK(mlpot_md_run(b, 150, &test_err));
        mlpot_md_state sa, sb;
        mlpot_md_get_state(a, &sa), mlpot_md_get_state(b, &sb);
        CHECK(!memcmp(mlpot_md_structure(a)->positions, mlpot_md_structure(b)->positions, 24 * sizeof(double)) &&
                  !memcmp(mlpot_md_velocities(a), mlpot_md_velocities(b), 24 * sizeof(double)) &&
                  !memcmp(mlpot_md_structure(a)->cell, mlpot_md_structure(b)->cell, 9 * sizeof(double)) &&
                  sa.conserved == sb.conserved && sa.step == 300 && sb.step == 300,
              "%s (barostat %s): resumed run differs from the uninterrupted one", mlpot_ensemble_name(o.ensemble),
              mlpot_barostat_name(o.barostat));
        if (o.barostat != MLPOT_BAROSTAT_NONE)
            CHECK(memcmp(mlpot_md_structure(a)->cell, s.cell, sizeof s.cell) != 0, "the barostat left the cell alone");
        /* other options, damaged file */
        mlpot_md_options other = o;
        other.seed = 2;
        mlpot_md *c;
        CHECK_OK(mlpot_md_create(sw, &s, &other, &c, &test_err));
        CHECK_FAILS(mlpot_md_checkpoint_read(c, path, NULL, &test_err), MLPOT_ERR_ARGUMENT, "other options");
        FILE *f = fopen(path, "r+b");
        fseek(f, 200, SEEK_SET);
        fputc(0x55, f);
        fclose(f);
        CHECK_FAILS(mlpot_md_checkpoint_read(b, path, NULL, &test_err), MLPOT_ERR_FORMAT, "damaged");
        /* a checkpoint of the first format is refused by name */
        f = fopen(path, "r+b");
        fputs("MLPOTMD1", f);
        fclose(f);
        CHECK_FAILS(mlpot_md_checkpoint_read(b, path, NULL, &test_err), MLPOT_ERR_FORMAT, "older mlpot (format 1)");
        remove(path);
        mlpot_md_free(a), mlpot_md_free(b), mlpot_md_free(c);
    }
    mlpot_structure_free(&s);
}

static void test_bad_input(const mlpot_potential *sw)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 1, 5.431);
    mlpot_md_options o;
    mlpot_md *md = NULL;
    mlpot_md_options_default(&o);
    o.timestep = 0;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "timestep 0 fs");
    o.timestep = -1;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "must be positive");
    o.timestep = 1000; /* ps mistaken for fs */
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "beyond the limit");
    o.timestep = 1, o.temperature = -5;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "temperature -5");
    o.temperature = 300, o.ensemble = MLPOT_ENSEMBLE_LANGEVIN, o.friction = 0;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "friction");
    o.ensemble = MLPOT_ENSEMBLE_BUSSI, o.tau = -1;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "time constant");
    mlpot_ensemble e;
    CHECK_FAILS(mlpot_ensemble_parse("npt", &e, &test_err), MLPOT_ERR_ARGUMENT, "unknown ensemble 'npt'");
    mlpot_md_options_default(&o);
    CHECK_OK(mlpot_md_create(sw, &s, &o, &md, &test_err));
    CHECK_FAILS(mlpot_md_set_element_mass(md, 14, -1, &test_err), MLPOT_ERR_ARGUMENT, "must be positive");
    CHECK_FAILS(mlpot_md_maxwell_boltzmann(md, -1, 1, &test_err), MLPOT_ERR_ARGUMENT, "temperature");
    mlpot_md_free(md);
    /* masses: explicit zero mass is refused, naming the atom */
    CHECK_OK(mlpot_structure_add_masses(&s, &test_err));
    s.masses[3] = 0;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_FORMAT, "mass of atom 4");
    mlpot_structure_free(&s);

    /* hydrogen: 10 fs is the limit, deuterium allows more */
    mlpot_potential *zero = make_wrapper(NULL, 1.0, 0);
    mlpot_structure h;
    mlpot_structure_init(&h);
    CHECK_OK(mlpot_structure_resize(&h, 2, &test_err));
    h.numbers[0] = h.numbers[1] = 1;
    double x[6] = {0, 0, 0, 3, 0, 0};
    memcpy(h.positions, x, sizeof x);
    o.timestep = 11;
    CHECK_FAILS(mlpot_md_create(zero, &h, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "lightest mass 1.008");
    o.timestep = 12;
    h.masses = NULL;
    o.timestep = 9;
    CHECK_OK(mlpot_md_create(zero, &h, &o, &md, &test_err));
    CHECK_OK(mlpot_md_set_element_mass(md, 1, 2.014, &test_err));
    mlpot_md_free(md);

    /* atoms running into each other mid-run: the message names the step */
    o.timestep = 1;
    CHECK_OK(mlpot_md_create(zero, &h, &o, &md, &test_err));
    double v[6] = {0.01, 0, 0, -0.01, 0, 0}; /* close at 0.02 Å/fs: overlap (< 0.1 Å) near step 146 */
    CHECK_OK(mlpot_md_set_velocities(md, v, &test_err));
    CHECK_FAILS(mlpot_md_run(md, 1000, &test_err), MLPOT_ERR_GEOMETRY, "step 14");
    CHECK(strstr(test_err.message, "overlapping") != NULL, "message: %s", test_err.message);
    printf("overlap mid-run: %s\n", test_err.message);
    mlpot_md_free(md);
    mlpot_potential_free(zero);

    /* non-finite forces mid-run */
    mlpot_potential *nan = make_wrapper(NULL, 1.0, 0.5);
    CHECK_OK(mlpot_md_create(nan, &h, &o, &md, &test_err));
    double w[6] = {0.01, 0, 0, 0, 0, 0};
    CHECK_OK(mlpot_md_set_velocities(md, w, &test_err));
    CHECK_FAILS(mlpot_md_run(md, 1000, &test_err), MLPOT_ERR_NUMERIC, "step 50 ");
    printf("non-finite forces mid-run: %s\n", test_err.message);
    mlpot_md_free(md);
    mlpot_potential_free(nan);
    mlpot_structure_free(&h);
}

/* Fixed atoms keep their place and are not degrees of freedom. */
static void test_fixed(const mlpot_potential *sw)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 1, 5.431);
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    o.ensemble = MLPOT_ENSEMBLE_LANGEVIN;
    mlpot_md *md;
    CHECK_OK(mlpot_md_create(sw, &s, &o, &md, &test_err));
    int fixed[8] = {1, 0, 0, 1};
    CHECK_OK(mlpot_md_set_fixed(md, fixed, &test_err));
    CHECK_OK(mlpot_md_maxwell_boltzmann(md, 500, 1, &test_err));
    CHECK_OK(mlpot_md_run(md, 100, &test_err));
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    CHECK(st.n_dof == 18, "n_dof %d with 2 of 8 atoms fixed", st.n_dof);
    const mlpot_structure *now = mlpot_md_structure(md);
    CHECK(!memcmp(now->positions, s.positions, 3 * sizeof(double)) &&
              !memcmp(&now->positions[9], &s.positions[9], 3 * sizeof(double)),
          "fixed atoms moved");
    CHECK(memcmp(&now->positions[3], &s.positions[3], 3 * sizeof(double)) != 0, "free atom did not move");
    mlpot_md_free(md);
    mlpot_structure_free(&s);
}

int main(void)
{
    char spec[4200];
    snprintf(spec, sizeof spec, "sw:%s/examples/silicon/Si.sw", test_env_or_skip("MLPOT_SOURCE_DIR"));
    mlpot_potential *sw;
    CHECK_OK(mlpot_potential_load(spec, &sw, &test_err));
    test_bad_input(sw);
    test_fixed(sw);
    test_checkpoint(sw);
    test_nve(sw);
    test_thermostat(sw, MLPOT_ENSEMBLE_LANGEVIN, 300);
    test_thermostat(sw, MLPOT_ENSEMBLE_BUSSI, 300);
    test_thermostat(sw, MLPOT_ENSEMBLE_NHC, 300);
    test_diffusion();
    test_relax(sw, MLPOT_RELAX_FIRE);
    test_relax(sw, MLPOT_RELAX_LBFGS);
    mlpot_potential_free(sw);
    return test_finish("dynamics");
}
