/* Cost of the MD integrator against the force calls it makes, in the same run: the integrator
 * times its steps, the potential's calls and its neighbour-list work (mlpot_md_state), so
 *   integrator = step - potential - neighbour lists
 * is what it adds itself (kicks, drifts, thermostat, barostat). Systems: Stillinger-Weber Si,
 * 4096 atoms (8x8x8 diamond cells), 600 K start, NVE, Langevin, Bussi, Nose-Hoover chain and NPT
 * (Bussi with isotropic stochastic cell rescaling); the n2p2 water model (1080 atoms,
 * nnp-predict/H2O_RPBE-D3 of ../shared/data), NVE and Langevin at 300 K.
 *
 * Columns, µs per atom and step: step (mlpot_md_run), potential, lists (searches, amortised, and
 * the per-step selection of the pairs within the cutoff), integrator, and "adds" = integrator /
 * (potential + lists), the integrator's share on top of the force calls. Then, outside the run,
 * the force call alone on the list within the cutoff (a search with no skin gives the same list,
 * bit for bit) and on the list with the skin, for reference.
 *
 * usage: bench_md [steps] [water_steps]   (default 200, 20)
 * MLPOT_BENCH_CPU_TIME=1 times the standalone calls with the process's CPU clock (the run's own
 * timers use the wall clock; on a shared machine use OMP_NUM_THREADS=1 and compare within a run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_data.h"
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

/* One system: for each ensemble, a run and its breakdown, then the standalone force calls. */
static void bench_system(const char *name, const mlpot_potential *pot, const mlpot_structure *s, int n_ensembles,
                         long steps, double temperature)
{
    mlpot_error err;
    printf("%s, %d atoms, %ld steps of %g fs from %g K\n", name, s->n_atoms, steps, 1.0, temperature);
    printf("%-9s %9s %9s %9s %9s %8s %9s %11s %9s\n", "ensemble", "step", "potential", "lists", "integr.", "adds",
           "force", "skin force", "rebuilds");
    for (int e = 0; e < n_ensembles; ++e) {
        mlpot_md_options o;
        mlpot_md_options_default(&o);
        o.ensemble = e < 4 ? (mlpot_ensemble)e : MLPOT_ENSEMBLE_BUSSI;
        if (e == 4) o.barostat = MLPOT_BAROSTAT_ISOTROPIC; /* target 0, tau_p 1000 fs */
        o.temperature = temperature;
        mlpot_md *md;
        if (mlpot_md_create(pot, s, &o, &md, &err) || mlpot_md_maxwell_boltzmann(md, temperature, 1, &err) ||
            mlpot_md_run(md, steps / 20 + 1, &err)) /* warm up: caches, first rebuild */
            die(&err);
        mlpot_md_state before, after;
        mlpot_md_get_state(md, &before);
        if (mlpot_md_run(md, steps, &err)) die(&err);
        mlpot_md_get_state(md, &after);
        const double per = 1e6 / ((double)steps * s->n_atoms);
        const double t_step = (after.seconds - before.seconds) * per,
                     t_pot = (after.seconds_force - before.seconds_force) * per,
                     t_lists = (after.seconds_neighbours - before.seconds_neighbours) * per,
                     t_int = t_step - t_pot - t_lists;
        /* force calls alone, on the integrator's current structure: the list within the cutoff
         * (as the integrator hands it), then the list with the skin */
        const mlpot_structure *cur = mlpot_md_structure(md);
        double cutoff = mlpot_potential_cutoff(pot), t_force[2];
        mlpot_neighbour_list nl[2];
        mlpot_result r;
        mlpot_result_init(&r);
        unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
        for (int q = 0; q < 2; ++q) {
            mlpot_neighbour_list_init(&nl[q]);
            if (mlpot_neighbour_list_build(&nl[q], cur, cutoff, q ? o.skin : 0.0, MLPOT_NEIGHBOURS_FULL, &err) ||
                mlpot_neighbour_list_reverse(&nl[q], &err) || mlpot_potential_compute(pot, cur, &nl[q], request, &r, &err))
                die(&err);
            double t0 = now();
            for (long k = 0; k < steps; ++k)
                if (mlpot_potential_compute(pot, cur, &nl[q], request, &r, &err)) die(&err);
            t_force[q] = (now() - t0) / ((double)steps * s->n_atoms);
        }
        printf("%-9s %9.4f %9.4f %9.4f %9.4f %7.1f%% %9.4f %11.4f %9ld\n",
               e < 4 ? mlpot_ensemble_name(o.ensemble) : "npt", t_step, t_pot, t_lists, t_int,
               100.0 * t_int / (t_pot + t_lists), 1e6 * t_force[0], 1e6 * t_force[1], after.rebuilds);
        mlpot_result_free(&r);
        mlpot_neighbour_list_free(&nl[0]);
        mlpot_neighbour_list_free(&nl[1]);
        mlpot_md_free(md);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 200, water_steps = argc > 2 ? atol(argv[2]) : 20;
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
    printf("µs per atom and step; %s clock for the standalone force calls\n\n", cpu_time ? "CPU" : "wall");
    bench_system("SW Si", sw, &s, 5, steps, 600);
    mlpot_structure_free(&s);
    mlpot_potential_free(sw);
    /* the n2p2 water model: Hartree and Bohr, converted on reading */
    char spec_nnp[4200], input[4200];
    snprintf(spec_nnp, sizeof spec_nnp, "%s,energy_unit=Hartree,length_unit=Bohr", bench_water_folder());
    snprintf(input, sizeof input, "%s/input.data", bench_water_folder());
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.format = MLPOT_FORMAT_N2P2, opt.energy_unit = MLPOT_UNIT_HARTREE, opt.length_unit = MLPOT_UNIT_BOHR;
    opt.units_given = 1;
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    mlpot_potential *nnp;
    if (water_steps > 0) {
        if (mlpot_dataset_read(input, &opt, &d, &err) || mlpot_potential_load(spec_nnp, &nnp, &err)) {
            printf("(n2p2 water model not run: %s)\n", err.message);
            return 0;
        }
        bench_system("n2p2 water (H2O_RPBE-D3)", nnp, &d.frames[0], 2, water_steps, 300);
        mlpot_potential_free(nnp);
        mlpot_dataset_free(&d);
    }
    return 0;
}
