/* Cost of the MD integrator against the force calls it makes: Stillinger-Weber Si, 4096 atoms
 * (8x8x8 diamond cells), 600 K start, NVE, Langevin and Bussi.
 *
 * t_step: wall time of mlpot_md_run per atom and step (integration, thermostat, neighbour-list
 * checks, updates and rebuilds, and the force call). t_force: the force call alone
 * (mlpot_potential_compute, energy + forces + virial, on a prebuilt list, as the integrator
 * calls it between rebuilds). The overhead is (t_step - t_force) / t_step; of it, "list update"
 * is the refresh of the neighbour list's pair vectors from new positions (mlpot_neighbour_list_update).
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
    printf("%-10s %16s %16s %10s %16s %10s\n", "ensemble", "step µs/atom", "force µs/atom", "overhead",
           "list update", "rebuilds");
    for (int e = 0; e < 3; ++e) {
        mlpot_md_options o;
        mlpot_md_options_default(&o);
        o.ensemble = (mlpot_ensemble)e;
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
        /* force calls alone, on the integrator's current structure with a list of the same skin */
        const mlpot_structure *cur = mlpot_md_structure(md);
        mlpot_neighbour_list nl;
        mlpot_neighbour_list_init(&nl);
        mlpot_result r;
        mlpot_result_init(&r);
        unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
        if (mlpot_neighbour_list_build(&nl, cur, mlpot_potential_cutoff(sw), o.skin, MLPOT_NEIGHBOURS_FULL, &err) ||
            mlpot_neighbour_list_reverse(&nl, &err) || mlpot_potential_compute(sw, cur, &nl, request, &r, &err))
            die(&err);
        t0 = now();
        for (long k = 0; k < steps; ++k)
            if (mlpot_potential_compute(sw, cur, &nl, request, &r, &err)) die(&err);
        double t_force = (now() - t0) / ((double)steps * s.n_atoms);
        t0 = now();
        for (long k = 0; k < steps; ++k)
            if (mlpot_neighbour_list_update(&nl, cur, &err)) die(&err);
        double t_update = (now() - t0) / ((double)steps * s.n_atoms);
        printf("%-10s %16.4f %16.4f %9.1f%% %16.4f %10ld\n", mlpot_ensemble_name(o.ensemble), 1e6 * t_step,
               1e6 * t_force, 100.0 * (t_step - t_force) / t_step, 1e6 * t_update, st.rebuilds);
        mlpot_result_free(&r);
        mlpot_neighbour_list_free(&nl);
        mlpot_md_free(md);
    }
    mlpot_structure_free(&s);
    mlpot_potential_free(sw);
    return 0;
}
