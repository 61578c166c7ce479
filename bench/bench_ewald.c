/* Ewald k-sum against smooth particle-mesh Ewald at the same accuracy, from 64 to ~100 000
 * ions: energy + forces per call (neighbour list built once, as MD reuses it), µs per atom,
 * fastest of a few calls.
 *
 * Systems: rattled rock-salt crystals (±1 e, a = 5.64 Å, ions displaced by up to ±0.4 Å per
 * component), nc³ conventional cells. Both methods are held to the same relative RMS force
 * error (default 1e-5), measured against a reference (PME with δ = 1e-8, order 10, r_c 10 Å):
 * each starts at δ = target, and δ is corrected by the ratio of target to measured error
 * (the error is close to proportional to δ) before the timed run; the error reached is printed.
 *
 * Fairness: each method gets its best real-space cutoff r_c (α = sqrt(-ln δ)/r_c).
 *   Ewald: the cost is a·(pairs) + b·N·(k-vectors) with pairs = N ρ (4π/3) r_c³ and
 *     k-vectors = V k_c³/(12π²), k_c = 2α sqrt(-ln δ); a and b are measured at 4096 ions
 *     from two cutoffs, and the best r_c for each N follows from the model (r_c ∝ N^{1/6},
 *     cost ∝ N^{1.5}).
 *   PME: its best r_c and order do not depend on N (every part is ∝ N or N log N): a scan of
 *     r_c 6–10 Å and orders 5–8 at 4096 ions picks them.
 * The full neighbour list of the Ewald real space grows as N^1.5 too; where it would pass
 * MAX_PAIRS (memory) r_c is capped, which makes that Ewald time an upper bound.
 *
 * usage: bench_ewald [max_atoms] [force_error] [threads]    (defaults 100000, 1e-5, 1) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "mlpot/mlpot.h"

#define MAX_PAIRS 8e7 /* 3.8 GB of full neighbour list */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const mlpot_error *err)
{
    fprintf(stderr, "bench_ewald: %s\n", err->message);
    exit(1);
}

static const double A = 5.64;
static const double RHO = 8.0 / (5.64 * 5.64 * 5.64); /* ions per Å³ */

static void rock_salt(mlpot_structure *s, int nc)
{
    static const double basis[8][3] = {{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5},
                                       {.5, 0, 0}, {0, .5, 0}, {0, 0, .5}, {.5, .5, .5}};
    mlpot_error err;
    mlpot_structure_free(s);
    if (mlpot_structure_resize(s, 8 * nc * nc * nc, &err) || mlpot_structure_add_label(s, MLPOT_LABEL_CHARGES, &err))
        die(&err);
    unsigned long long rng = 2026;
    int k = 0;
    for (int i = 0; i < nc; ++i)
        for (int j = 0; j < nc; ++j)
            for (int l = 0; l < nc; ++l)
                for (int b = 0; b < 8; ++b, ++k) {
                    double f[3] = {i + basis[b][0], j + basis[b][1], l + basis[b][2]};
                    for (int c = 0; c < 3; ++c) {
                        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                        s->positions[3 * k + c] = A * f[c] + 0.8 * ((double)(rng >> 11) / 9007199254740992.0 - 0.5);
                    }
                    s->numbers[k] = b < 4 ? 11 : 17;
                    s->charges[k] = b < 4 ? 1.0 : -1.0;
                }
    for (int c = 0; c < 3; ++c) {
        s->cell[c][c] = A * nc;
        s->pbc[c] = 1;
    }
}

static mlpot_ewald_params params(int method, double rc, double accuracy, int order)
{
    mlpot_ewald_params p;
    mlpot_ewald_params_default(&p);
    p.method = method;
    p.real_cutoff = rc;
    p.accuracy = accuracy;
    p.pme_order = order;
    return p;
}

/* Fastest of `repeats` calls of energy + forces, seconds (list built once, not timed; the
 * minimum because other jobs on a shared machine only ever add time); forces in f. */
static double timed(const mlpot_ewald_params *p, const mlpot_structure *s, double *f, int repeats)
{
    mlpot_error err;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    if (mlpot_neighbour_list_build(&nl, s, p->real_cutoff, 0, 0, &err)) die(&err);
    double t[16];
    if (repeats > 16) repeats = 16;
    for (int r = 0; r < repeats; ++r) {
        memset(f, 0, 3 * sizeof *f * (size_t)s->n_atoms);
        mlpot_ewald_output out;
        memset(&out, 0, sizeof out);
        out.forces = f;
        double t0 = now();
        if (mlpot_electrostatics(p, s, &nl, s->charges, NULL, &out, &err)) die(&err);
        t[r] = now() - t0;
    }
    mlpot_neighbour_list_free(&nl);
    double best = t[0];
    for (int r = 1; r < repeats; ++r) best = fmin(best, t[r]);
    return best;
}

static double force_error(const double *f, const double *ref, int n)
{
    double d = 0, r = 0;
    for (int k = 0; k < 3 * n; ++k) {
        d += (f[k] - ref[k]) * (f[k] - ref[k]);
        r += ref[k] * ref[k];
    }
    return sqrt(d / r);
}

/* The Ewald cost model's variables for N ions at cutoff rc. */
static double model_pairs(int n, double rc) { return n * RHO * 4.0 / 3.0 * MLPOT_PI * rc * rc * rc; }
static double model_kvectors(int n, double rc, double accuracy)
{
    double s2 = -log(accuracy), kc = 2.0 * s2 / rc, volume = n / RHO;
    return volume * kc * kc * kc / (12.0 * MLPOT_PI * MLPOT_PI);
}

static double best_ewald_cutoff(int n, double accuracy, double a, double b)
{
    double best = 0, cost = INFINITY;
    for (double rc = 4.0; rc < 80.0; rc += 0.05) {
        double c = a * model_pairs(n, rc) + b * n * model_kvectors(n, rc, accuracy);
        if (c < cost) cost = c, best = rc;
    }
    return best;
}

static int repeats_for(int n) { return n < 5000 ? 5 : n < 30000 ? 3 : 2; }

int main(int argc, char **argv)
{
    int max_atoms = argc > 1 ? atoi(argv[1]) : 100000;
    double target = argc > 2 ? atof(argv[2]) : 1e-5, accuracy = target;
    int threads = argc > 3 ? atoi(argv[3]) : 1;
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    mlpot_structure s;
    mlpot_structure_init(&s);

    /* calibration at 4096 ions */
    rock_salt(&s, 8);
    int n0 = s.n_atoms;
    double *f = malloc(3 * sizeof *f * (size_t)n0);
    double r1 = 8.0, r2 = 14.0;
    mlpot_ewald_params p = params(MLPOT_EWALD_DIRECT_K, r1, accuracy, 0);
    double t1 = timed(&p, &s, f, 5);
    p.real_cutoff = r2;
    double t2 = timed(&p, &s, f, 5);
    /* t = a P + b N K at two cutoffs */
    double P1 = model_pairs(n0, r1), P2 = model_pairs(n0, r2);
    double K1 = n0 * model_kvectors(n0, r1, accuracy), K2 = n0 * model_kvectors(n0, r2, accuracy);
    double det = P1 * K2 - P2 * K1;
    double a = (t1 * K2 - t2 * K1) / det, b = (P1 * t2 - P2 * t1) / det;
    printf("Ewald k-sum vs particle-mesh Ewald, rattled rock salt, relative RMS force error %g, %d thread%s\n", target,
           threads, threads > 1 ? "s" : "");
    printf("Ewald cost model at %d ions: %.1f ns per pair, %.2f ns per ion and k-vector\n", n0, 1e9 * a, 1e9 * b);
    int best_order = 5;
    double best_rc = 8.0, best_t = INFINITY;
    printf("PME scan at %d ions (µs/atom):  r_c", n0);
    for (double rc = 6.0; rc <= 10.0; rc += 1.0) printf(" %5.0f", rc);
    printf("\n");
    for (int order = 5; order <= 8; ++order) {
        printf("                          order %d", order);
        for (double rc = 6.0; rc <= 10.0; rc += 1.0) {
            p = params(MLPOT_EWALD_PME, rc, accuracy, order);
            double t = timed(&p, &s, f, 3);
            printf(" %5.2f", 1e6 * t / n0);
            if (t < best_t) best_t = t, best_rc = rc, best_order = order;
        }
        printf("\n");
    }
    printf("PME: order %d, r_c %g Å\n\n", best_order, best_rc);
    free(f);

    printf("%8s | %6s %8s %7s %9s %8s | %6s %8s %6s %9s %8s | %s\n", "ions", "r_c", "δ", "k-vecs",
           "µs/atom", "F error", "r_c", "δ", "grid", "µs/atom", "F error", "Ewald/PME");
    static const int sizes[] = {2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 23, 29};
    for (size_t is = 0; is < sizeof sizes / sizeof *sizes; ++is) {
        rock_salt(&s, sizes[is]);
        int n = s.n_atoms;
        if (n > max_atoms) break;
        double *ref = malloc(3 * sizeof *ref * (size_t)n), *fe = malloc(3 * sizeof *fe * (size_t)n);
        double *fp = malloc(3 * sizeof *fp * (size_t)n);
        mlpot_ewald_params pr = params(MLPOT_EWALD_PME, 10.0, 1e-8, 10);
        timed(&pr, &s, ref, 1);

        /* PME: one correction of δ towards the target error, then the timing */
        mlpot_ewald_params pp = params(MLPOT_EWALD_PME, best_rc, target, best_order);
        timed(&pp, &s, fp, 1);
        pp.accuracy = target * target / force_error(fp, ref, n);
        double tp = timed(&pp, &s, fp, repeats_for(n));
        double ep = force_error(fp, ref, n);
        mlpot_ewald_setup set;
        mlpot_error err;
        if (mlpot_ewald_setup_for(&pp, &s, &set, &err)) die(&err);

        /* Ewald: the same (twice: the best cutoff moves with δ), at the model's best cutoff */
        double de = target, rc = best_ewald_cutoff(n, de, a, b), te, ee;
        const char *mark = "";
        for (int pass = 0; pass < 3; ++pass) {
            rc = best_ewald_cutoff(n, de, a, b);
            if (model_pairs(n, rc) > MAX_PAIRS) { /* the list would not fit: the largest that does */
                rc = cbrt(MAX_PAIRS / (n * RHO * 4.0 / 3.0 * MLPOT_PI));
                mark = "*";
            }
            mlpot_ewald_params pe = params(MLPOT_EWALD_DIRECT_K, rc, de, 0);
            te = timed(&pe, &s, fe, pass == 2 ? repeats_for(n) : 1);
            ee = force_error(fe, ref, n);
            if (pass < 2) de = de * target / ee;
        }
        printf("%8d | %5.1f%1s %8.1e %7.0f %9.2f %8.1e | %6.1f %8.1e %5d³ %9.2f %8.1e | %.2f\n", n, rc,
               mark, de, model_kvectors(n, rc, de), 1e6 * te / n, ee, best_rc, pp.accuracy,
               set.pme_grid[0], 1e6 * tp / n, ep, te / tp);
        fflush(stdout);
        free(ref);
        free(fe);
        free(fp);
    }
    printf("* r_c capped so that the full neighbour list stays under %.0e pairs (memory); the model's\n"
           "  best r_c would be faster\n", MAX_PAIRS);
    mlpot_structure_free(&s);
    return 0;
}
