/* Cost of the MD integrator against the force calls it makes: Stillinger-Weber Si, 4096 atoms
 * (8x8x8 diamond cells), 600 K start, NVE, Langevin, Bussi, Nose-Hoover chain and NPT (Bussi
 * with isotropic stochastic cell rescaling).
 *
 * step: wall time of mlpot_md_run per atom and step (integration, thermostat, neighbour-list
 * checks, selections and searches, and the force call). force: the force call alone
 * (mlpot_potential_compute, energy + forces + virial) on the list the integrator hands the
 * potential: the pairs within the cutoff (a search with no skin gives the same list, bit for
 * bit). overhead = (step - force) / step. select: mlpot_neighbour_list_select, the step's
 * refresh of that list from the integrator's list with the skin (included in step).
 * skin force: the force call on the skin's list, which the integrator handed the potential
 * before it selected (so "vs skin" = (step - skin force) / step compares with that reference).
 *
 * usage: bench_md [steps]   (default 200)
 * MLPOT_BENCH_CPU_TIME=1 times with the process's CPU clock instead of the wall clock: on a shared
 * machine the wall clock counts other programs' time slices (use it with OMP_NUM_THREADS=1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlpot/mlpot.h"

static int cpu_time;

static double now(void)
{
    struct timespec t;
    clock_gettime(cpu_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const mlpot_error *err)
{
    fprintf(stderr, "bench_md: %s\n", err->message);
    exit(1);
}

static void diamond(mlpot_structure *s, int n, double a)
{
    static const double basis[8][3] = {{0, 0, 0},          {0, 0.5, 0.5},     {0.5, 0, 0.5},
                                       {0.5, 0.5, 0},      {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75},
                                       {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};
    mlpot_error err;
    if (mlpot_structure_resize(s, 8 * n * n * n, &err)) die(&err);
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < 8; ++b, ++k) {
                    s->numbers[k] = 14;
                    s->positions[3 * k] = a * (i + basis[b][0]);
                    s->positions[3 * k + 1] = a * (j + basis[b][1]);
                    s->positions[3 * k + 2] = a * (l + basis[b][2]);
                }
    for (int c = 0; c < 3; ++c) s->cell[c][c] = a * n, s->pbc[c] = 1;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 200;
    cpu_time = getenv("MLPOT_BENCH_CPU_TIME") && atoi(getenv("MLPOT_BENCH_CPU_TIME")) == 1;
    const char *spec = getenv("MLPOT_BENCH_SW");
    mlpot_error err;
    mlpot_potential *sw;
    if (mlpot_potential_load(spec ? spec : "sw:../examples/silicon/Si.sw", &sw, &err) &&
        mlpot_potential_load("sw:examples/silicon/Si.sw", &sw, &err))
        die(&err);
    mlpot_structure s;
    mlpot_structure_init(&s);
    diamond(&s, 8, 5.431);
    printf("SW Si, %d atoms, %ld steps of 1 fs from 600 K (%s time)\n", s.n_atoms, steps, cpu_time ? "CPU" : "wall");
    printf("%-9s %9s %9s %9s %9s %11s %9s %9s\n", "ensemble", "step", "force", "overhead", "select",
           "skin force", "vs skin", "rebuilds");
    printf("%-9s %9s %9s %9s %9s %11s %9s %9s\n", "", "µs/atom", "µs/atom", "", "µs/atom", "µs/atom", "", "");
    for (int e = 0; e < 5; ++e) {
        mlpot_md_options o;
        mlpot_md_options_default(&o);
        o.ensemble = e < 4 ? (mlpot_ensemble)e : MLPOT_ENSEMBLE_BUSSI;
        if (e == 4) o.barostat = MLPOT_BAROSTAT_ISOTROPIC; /* target 0, tau_p 1000 fs */
        o.temperature = 600;
        mlpot_md *md;
        if (mlpot_md_create(sw, &s, &o, &md, &err) || mlpot_md_maxwell_boltzmann(md, 600, 1, &err) ||
            mlpot_md_run(md, 10, &err)) /* warm up: caches, first rebuild */
            die(&err);
        double t0 = now();
        if (mlpot_md_run(md, steps, &err)) die(&err);
        double t_step = (now() - t0) / ((double)steps * s.n_atoms);
        mlpot_md_state st;
        mlpot_md_get_state(md, &st);
        /* force calls alone, on the integrator's current structure: the list within the cutoff
         * (as the integrator hands it), then the list with the skin */
        const mlpot_structure *cur = mlpot_md_structure(md);
        double cutoff = mlpot_potential_cutoff(sw), t_force[2];
        mlpot_neighbour_list nl[2];
        mlpot_result r;
        mlpot_result_init(&r);
        unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
        for (int q = 0; q < 2; ++q) {
            mlpot_neighbour_list_init(&nl[q]);
            if (mlpot_neighbour_list_build(&nl[q], cur, cutoff, q ? o.skin : 0.0, MLPOT_NEIGHBOURS_FULL, &err) ||
                mlpot_neighbour_list_reverse(&nl[q], &err) || mlpot_potential_compute(sw, cur, &nl[q], request, &r, &err))
                die(&err);
            t0 = now();
            for (long k = 0; k < steps; ++k)
                if (mlpot_potential_compute(sw, cur, &nl[q], request, &r, &err)) die(&err);
            t_force[q] = (now() - t0) / ((double)steps * s.n_atoms);
        }
        t0 = now();
        for (long k = 0; k < steps; ++k)
            if (mlpot_neighbour_list_select(&nl[0], &nl[1], cur, cutoff, &err)) die(&err);
        double t_select = (now() - t0) / ((double)steps * s.n_atoms);
        printf("%-9s %9.4f %9.4f %8.1f%% %9.4f %11.4f %8.1f%% %9ld\n", e < 4 ? mlpot_ensemble_name(o.ensemble) : "npt",
               1e6 * t_step, 1e6 * t_force[0], 100.0 * (t_step - t_force[0]) / t_step, 1e6 * t_select,
               1e6 * t_force[1], 100.0 * (t_step - t_force[1]) / t_step, st.rebuilds);
        mlpot_result_free(&r);
        mlpot_neighbour_list_free(&nl[0]);
        mlpot_neighbour_list_free(&nl[1]);
        mlpot_md_free(md);
    }
    mlpot_structure_free(&s);
    mlpot_potential_free(sw);
    return 0;
}
