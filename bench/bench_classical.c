/* Force-call cost of the classical potentials against LAMMPS, in one invocation:
 * Stillinger-Weber Si (64 000 atoms) and EAM Cu (62 500 atoms), rattled crystals.
 *
 * mlpot: energy + forces + virial per call with the neighbour list built once (as LAMMPS reuses
 * its list between rebuilds), median of repeated calls, 1 and 2 OpenMP threads.
 * LAMMPS: the same structure (written by mlpot's LAMMPS data writer) run for a few steps with
 * neighbour rebuilds disabled; its "Pair" time from the timing breakdown, per atom and step, with
 * 1 MPI rank and, when mpirun exists, 2 ranks. LAMMPS is taken from $LMP (default "lmp").
 *
 * usage: bench_classical [repeats]   (run from the build tree; needs the LAMMPS potential files
 * under /usr/share/lammps/potentials) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "mlpot/mlpot.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const mlpot_error *err)
{
    fprintf(stderr, "bench_classical: %s\n", err->message);
    exit(1);
}

static void crystal(mlpot_structure *s, int z, double a, int n, const double (*basis)[3], int nb)
{
    mlpot_error err;
    if (mlpot_structure_resize(s, nb * n * n * n, &err)) die(&err);
    unsigned long long rng = 12345;
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < nb; ++b, ++k) {
                    double f[3] = {i + basis[b][0], j + basis[b][1], l + basis[b][2]};
                    for (int c = 0; c < 3; ++c) {
                        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                        s->positions[3 * k + c] = a * f[c] + 0.1 * ((double)(rng >> 11) / 9007199254740992.0 - 0.5);
                    }
                    s->numbers[k] = z;
                }
    for (int c = 0; c < 3; ++c) {
        s->cell[c][c] = a * n;
        s->pbc[c] = 1;
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double mlpot_time(const char *spec, const mlpot_structure *s, int threads, int repeats)
{
    mlpot_error err;
    mlpot_potential *p;
    if (mlpot_potential_load(spec, &p, &err)) die(&err);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    if (mlpot_neighbour_list_build(&nl, s, mlpot_potential_cutoff(p), 0, 0, &err)) die(&err);
    if (mlpot_neighbour_list_reverse(&nl, &err)) die(&err);
    mlpot_result r;
    mlpot_result_init(&r);
    unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL;
    if (mlpot_potential_compute(p, s, &nl, request, &r, &err)) die(&err); /* warm-up */
    double *t = calloc((size_t)repeats, sizeof *t);
    for (int k = 0; k < repeats; ++k) {
        double t0 = now();
        if (mlpot_potential_compute(p, s, &nl, request, &r, &err)) die(&err);
        t[k] = now() - t0;
    }
    qsort(t, (size_t)repeats, sizeof *t, compare_doubles);
    double median = t[repeats / 2];
    printf("  mlpot   %d thread%s  %8.3f µs/atom  (energy %.6f eV/atom)\n", threads, threads > 1 ? "s" : " ",
           1e6 * median / s->n_atoms, r.energy / s->n_atoms);
    free(t);
    mlpot_result_free(&r);
    mlpot_neighbour_list_free(&nl);
    mlpot_potential_free(p);
    return median;
}

/* Runs LAMMPS and returns its average Pair time per atom-step in µs (negative when unavailable). */
static double lammps_time(const char *lmp, const char *pair_lines, const mlpot_structure *s, int ranks, int steps)
{
    char dir[] = "/tmp/mlpot_bench_XXXXXX";
    if (!mkdtemp(dir)) return -1;
    char data[512], input[512], log[512], cmd[2048];
    snprintf(data, sizeof data, "%s/data.lmp", dir);
    snprintf(input, sizeof input, "%s/in.lmp", dir);
    snprintf(log, sizeof log, "%s/log.lammps", dir);
    mlpot_error err;
    mlpot_dataset d = {1, 1, (mlpot_structure *)s};
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.format = MLPOT_FORMAT_LAMMPS_DATA;
    if (mlpot_dataset_write(data, &opt, &d, &err)) die(&err);
    FILE *f = fopen(input, "w");
    fprintf(f, "units metal\natom_style atomic\nboundary p p p\nread_data %s\n%s\n"
               "neighbor 0.0 bin\nneigh_modify every %d delay %d check no\n"
               "velocity all create 10.0 4928459\nfix 1 all nve\nthermo 1\nrun %d\n",
            data, pair_lines, 10 * steps, 10 * steps, steps);
    fclose(f);
    if (ranks > 1)
        snprintf(cmd, sizeof cmd, "cd %s && mpirun -np %d --allow-run-as-root --oversubscribe %s -in in.lmp -log log.lammps > /dev/null 2>&1",
                 dir, ranks, lmp);
    else
        snprintf(cmd, sizeof cmd, "cd %s && %s -in in.lmp -log log.lammps > /dev/null 2>&1", dir, lmp);
    double pair = -1;
    if (system(cmd) == 0 && (f = fopen(log, "r"))) {
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            double mn, avg;
            if (!strncmp(line, "Pair ", 5) && sscanf(line, "Pair | %lf | %lf", &mn, &avg) == 2) pair = avg;
        }
        fclose(f);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_classical: could not remove %s\n", dir);
    if (pair < 0) return -1;
    double us = 1e6 * pair / ((double)s->n_atoms * steps) * ranks; /* core-µs per atom-step */
    printf("  LAMMPS  %d rank%s    %8.3f µs/atom  (Pair time per atom-step%s)\n", ranks, ranks > 1 ? "s" : " ",
           us / ranks, ranks > 1 ? ", wall" : "");
    return us / ranks;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 10;
    const char *lmp = getenv("LMP") ? getenv("LMP") : "lmp";
    char probe[512];
    snprintf(probe, sizeof probe, "command -v %s > /dev/null 2>&1", lmp);
    int have_lmp = system(probe) == 0;
    int have_mpi = system("command -v mpirun > /dev/null 2>&1") == 0;
    static const double diamond[8][3] = {{0, 0, 0},       {0, .5, .5},      {.5, 0, .5},      {.5, .5, 0},
                                         {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    static const double fcc[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    struct {
        const char *name, *spec, *pair;
        int z, n, nb;
        double a;
        const double (*basis)[3];
    } cases[] = {
        {"Stillinger-Weber Si", "sw:/usr/share/lammps/potentials/Si.sw",
         "pair_style sw\npair_coeff * * /usr/share/lammps/potentials/Si.sw Si", 14, 20, 8, 5.431, diamond},
        {"EAM Cu (funcfl Cu_u3)", "eam:/usr/share/lammps/potentials/Cu_u3.eam",
         "pair_style eam\npair_coeff * * /usr/share/lammps/potentials/Cu_u3.eam", 29, 25, 4, 3.615, fcc},
        {"EAM Cu (setfl Mishin)", "eam/alloy:/usr/share/lammps/potentials/Cu_mishin1.eam.alloy",
         "pair_style eam/alloy\npair_coeff * * /usr/share/lammps/potentials/Cu_mishin1.eam.alloy Cu", 29, 25, 4, 3.615, fcc},
    };
    mlpot_structure s;
    mlpot_structure_init(&s);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        crystal(&s, cases[c].z, cases[c].a, cases[c].n, cases[c].basis, cases[c].nb);
        printf("%s, %d atoms (energy+forces+virial per call)\n", cases[c].name, s.n_atoms);
        mlpot_time(cases[c].spec, &s, 1, repeats);
        mlpot_time(cases[c].spec, &s, 2, repeats);
        if (have_lmp) {
            lammps_time(lmp, cases[c].pair, &s, 1, repeats);
            if (have_mpi) lammps_time(lmp, cases[c].pair, &s, 2, repeats);
        } else {
            printf("  LAMMPS  not found (set LMP)\n");
        }
    }
    mlpot_structure_free(&s);
    return 0;
}
