/* NPT by stochastic cell rescaling on Stillinger-Weber silicon (64 atoms, 300 K, 1 GPa):
 * the mean pressure matches the target within its error bar (block averages), the volume
 * fluctuations give the bulk modulus B = kT <V> / <δV²> of the finite-difference bulk modulus
 * V d²E/dV² (energies at ±0.5 % volume) within 25 %, the effective energy stays put; the
 * anisotropic and triclinic barostats keep every diagonal pressure at the target and a cubic
 * crystal cubic; bad barostat settings are refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Silicon diamond cells (the harness's builder). */
static void diamond(mlpot_structure *s, int n, double a)
{
    test_diamond(s, 14, n, a);
}

/* B = V d²E/dV² at the diamond minimum, by central differences at V (1 ± 0.005). */
static double bulk_modulus_fd(const mlpot_potential *sw, double a)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    double e[3], v0 = pow(2 * a, 3), h = 0.005;
    for (int k = 0; k < 3; ++k) {
        diamond(&s, 2, a * cbrt(1.0 + (k - 1) * h));
        e[k] = test_energy(sw, &s);
    }
    mlpot_structure_free(&s);
    double dv = h * v0;
    return v0 * (e[0] - 2 * e[1] + e[2]) / (dv * dv);
}

/* Mean of block values and its standard error. */
static void block_stats(const double *x, int n, double *mean, double *err)
{
    double m = 0, v = 0;
    for (int b = 0; b < n; ++b) m += x[b] / n;
    for (int b = 0; b < n; ++b) v += (x[b] - m) * (x[b] - m) / (n - 1);
    *mean = m, *err = sqrt(v / n);
}

typedef struct npt_result {
    double p, p_err;         /* eV/Å³, mean pressure and its standard error */
    double pd[3], pd_err[3]; /* diagonal pressures */
    double v, b, b_err;      /* Å³, mean volume; eV/Å³, bulk modulus from fluctuations */
    double drift;            /* eV, largest |E_conserved - its start| */
    double shear;            /* largest |off-diagonal cell entry| / cell length seen */
} npt_result;

static npt_result run_npt(const mlpot_potential *sw, mlpot_barostat baro, mlpot_ensemble thermostat, double p0,
                          double beta, long equil, int blocks, int per_block, int every, uint64_t seed)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 2, 5.431);
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    o.ensemble = thermostat;
    o.temperature = 300;
    o.tau = 100;
    o.friction = 0.01;
    o.barostat = baro;
    o.pressure = p0;
    o.tau_p = 200;
    o.compressibility = beta;
    o.seed = seed;
    mlpot_md *md;
    CHECK_OK(mlpot_md_create(sw, &s, &o, &md, &test_err));
    CHECK_OK(mlpot_md_maxwell_boltzmann(md, 300, seed + 1, &test_err));
    CHECK_OK(mlpot_md_run(md, equil, &test_err));
    mlpot_md_state st;
    mlpot_md_get_state(md, &st);
    double e0 = st.conserved, drift = 0, shear = 0;
    double *bp = calloc((size_t)blocks, sizeof *bp), *bv = calloc((size_t)blocks, sizeof *bv);
    double *bv2 = calloc((size_t)blocks, sizeof *bv2), *bd[3];
    for (int c = 0; c < 3; ++c) bd[c] = calloc((size_t)blocks, sizeof *bd[c]);
    for (int b = 0; b < blocks; ++b)
        for (int q = 0; q < per_block; ++q) {
            CHECK_OK(mlpot_md_run(md, every, &test_err));
            mlpot_md_get_state(md, &st);
            bp[b] += st.pressure / per_block;
            bv[b] += st.volume / per_block;
            bv2[b] += st.volume * st.volume / per_block;
            for (int c = 0; c < 3; ++c) bd[c][b] += st.pressure_tensor[4 * c] / per_block;
            drift = fmax(drift, fabs(st.conserved - e0));
            const mlpot_structure *cur = mlpot_md_structure(md);
            for (int a = 0; a < 3; ++a)
                for (int c = 0; c < 3; ++c)
                    if (a != c) shear = fmax(shear, fabs(cur->cell[a][c]) / cur->cell[a][a]);
        }
    npt_result r;
    memset(&r, 0, sizeof r);
    block_stats(bp, blocks, &r.p, &r.p_err);
    for (int c = 0; c < 3; ++c) block_stats(bd[c], blocks, &r.pd[c], &r.pd_err[c]);
    /* <δV²> about the mean of the whole run (a block's own mean would drop the slow part of
     * the fluctuations), its error from the spread of the blocks; B = kT <V> / <δV²>, its
     * relative error that of <δV²> */
    double kt = MLPOT_BOLTZMANN_EV_PER_K * 300, vmean, verr, var, var_err;
    block_stats(bv, blocks, &vmean, &verr);
    for (int b = 0; b < blocks; ++b) bv2[b] = bv2[b] - 2 * vmean * bv[b] + vmean * vmean;
    block_stats(bv2, blocks, &var, &var_err);
    r.b = kt * vmean / var, r.b_err = r.b * var_err / var;
    r.v = vmean, r.drift = drift, r.shear = shear;
    free(bp), free(bv), free(bv2);
    for (int c = 0; c < 3; ++c) free(bd[c]);
    mlpot_md_free(md);
    mlpot_structure_free(&s);
    return r;
}

static void test_isotropic(const mlpot_potential *sw, double b_fd)
{
    const double gpa = 1.0 / MLPOT_EV_PER_A3_GPA, p0 = 1.0 * gpa;
    npt_result r = run_npt(sw, MLPOT_BAROSTAT_ISOTROPIC, MLPOT_ENSEMBLE_BUSSI, p0, 1.0 / b_fd, 2000, 20, 500, 10, 5);
    printf("NPT iso (Bussi), SW Si 64 atoms, 300 K, target 1 GPa: <P> = %.4f ± %.4f GPa, <V> = %.2f Å³; bulk "
           "modulus from volume fluctuations %.1f ± %.1f GPa, finite differences %.1f GPa (ratio %.3f); max "
           "|effective energy drift| %.2e eV\n",
           r.p / gpa, r.p_err / gpa, r.v, r.b / gpa, r.b_err / gpa, b_fd / gpa, r.b / b_fd, r.drift);
    CHECK(fabs(r.p - p0) < 3 * r.p_err, "<P> %.4f ± %.4f GPa vs 1 GPa", r.p / gpa, r.p_err / gpa);
    CHECK(r.p_err < 0.05 * gpa, "pressure error bar %.3f GPa too large to test anything", r.p_err / gpa);
    CHECK(fabs(r.b / b_fd - 1) < 0.25, "bulk modulus %.1f vs %.1f GPa", r.b / gpa, b_fd / gpa);
    CHECK(r.b_err < 0.1 * r.b, "bulk modulus error bar %.1f GPa", r.b_err / gpa);
    CHECK(r.drift < 0.02, "effective energy drifted %.3g eV", r.drift);
}

static void test_flexible(const mlpot_potential *sw, double b_fd, mlpot_barostat baro, mlpot_ensemble thermostat)
{
    const double gpa = 1.0 / MLPOT_EV_PER_A3_GPA, p0 = 1.0 * gpa;
    npt_result r = run_npt(sw, baro, thermostat, p0, 1.0 / b_fd, 1000, 10, 300, 10, 9);
    printf("NPT %s (%s), target 1 GPa: diagonal pressures %.3f ± %.3f, %.3f ± %.3f, %.3f ± %.3f GPa; <V> %.2f Å³; "
           "largest shear of the cell %.2e; max |effective energy drift| %.2e eV\n",
           mlpot_barostat_name(baro), mlpot_ensemble_name(thermostat), r.pd[0] / gpa, r.pd_err[0] / gpa,
           r.pd[1] / gpa, r.pd_err[1] / gpa, r.pd[2] / gpa, r.pd_err[2] / gpa, r.v, r.shear, r.drift);
    for (int c = 0; c < 3; ++c)
        CHECK(fabs(r.pd[c] - p0) < 4 * r.pd_err[c] + 0.02 * gpa, "P_%d%d %.3f ± %.3f GPa", c, c, r.pd[c] / gpa,
              r.pd_err[c] / gpa);
    CHECK(r.shear < (baro == MLPOT_BAROSTAT_TRICLINIC ? 0.02 : 1e-15), "cell shear %.2e", r.shear);
    CHECK(r.drift < 0.02, "effective energy drifted %.3g eV", r.drift);
}

static void test_bad_settings(const mlpot_potential *sw)
{
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 1, 5.431);
    mlpot_md_options o;
    mlpot_md_options_default(&o);
    mlpot_md *md = NULL;
    o.barostat = MLPOT_BAROSTAT_ISOTROPIC;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "Langevin or Bussi");
    o.ensemble = MLPOT_ENSEMBLE_BUSSI, o.tau_p = 0;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "barostat time constant");
    o.tau_p = 100, o.compressibility = -1;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "compressibility");
    o.compressibility = 1;
    s.pbc[2] = 0;
    CHECK_FAILS(mlpot_md_create(sw, &s, &o, &md, &test_err), MLPOT_ERR_ARGUMENT, "periodic");
    s.pbc[2] = 1;
    CHECK_OK(mlpot_md_create(sw, &s, &o, &md, &test_err));
    int fixed[8] = {1};
    CHECK_FAILS(mlpot_md_set_fixed(md, fixed, &test_err), MLPOT_ERR_ARGUMENT, "fixed atoms");
    mlpot_md_free(md);
    mlpot_barostat b;
    CHECK_OK(mlpot_barostat_parse("triclinic", &b, &test_err));
    CHECK(b == MLPOT_BAROSTAT_TRICLINIC, "parse");
    CHECK_FAILS(mlpot_barostat_parse("xyz", &b, &test_err), MLPOT_ERR_ARGUMENT, "iso, aniso or tri");
    mlpot_structure_free(&s);
}

int main(void)
{
    char spec[4200];
    snprintf(spec, sizeof spec, "sw:%s/examples/silicon/Si.sw", test_env_or_skip("MLPOT_SOURCE_DIR"));
    mlpot_potential *sw;
    CHECK_OK(mlpot_potential_load(spec, &sw, &test_err));
    test_bad_settings(sw);
    double b_fd = bulk_modulus_fd(sw, 5.431);
    test_isotropic(sw, b_fd);
    test_flexible(sw, b_fd, MLPOT_BAROSTAT_ANISOTROPIC, MLPOT_ENSEMBLE_LANGEVIN);
    test_flexible(sw, b_fd, MLPOT_BAROSTAT_TRICLINIC, MLPOT_ENSEMBLE_BUSSI);
    mlpot_potential_free(sw);
    return test_finish("npt");
}
