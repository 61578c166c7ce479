/* Cost of an n2p2 model evaluation (energy + forces) on the 1080-atom water box of
 * nnp-predict/H2O_RPBE-D3 (RPBE-D3, Morawietz et al. 2016; 57 symmetry functions per atom,
 * cutoff 12 Bohr), or any other example folder, e.g. the 4G-HDNNPs AlAuMgO_4G (110 atoms) and
 * H2O_RPBE-D3_4G (384 atoms), for which a call is charges + energy + forces; against n2p2's own
 * nnp-predict when $N2P2_PREDICT names it.
 *
 * mlpot: median of repeated calls, 1 and 2 OpenMP threads; "compute" with the neighbour list
 * (and its reverse-pair index) built once, as an MD step between list rebuilds; "list +
 * compute" including the list build (as nnp-predict, which builds its list every time). n2p2: nnp-predict run in a copy of the model folder; its wall time minus the same
 * run on a 3-atom structure (setup: reading input.nn, scaling.data and weights) divided by the
 * atom count, best of the repeats. Other processes on the machine disturb both: compare numbers
 * from the same invocation only.
 *
 * usage: bench_nnp [repeats] [model folder] [max threads]   (default folder: $MLPOT_SHARED_DATA
 * or ../shared/data next to the source tree, then n2p2/examples/nnp-predict/H2O_RPBE-D3;
 * default threads: 1 and 2) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_data.h"
#include "mlpot/mlpot.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time of the whole process (all threads): less disturbed than wall time when other
 * processes share the cores, since waiting for a core is not counted. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const mlpot_error *err)
{
    fprintf(stderr, "bench_nnp: %s\n", err->message);
    exit(1);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, compare_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static void set_threads(int n)
{
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

/* Median seconds per call: compute only (list built once) and list build + compute. */
static void time_mlpot(const mlpot_potential *p, const mlpot_structure *s, int repeats, double *compute,
                       double *total, double *cpu, double *energy)
{
    mlpot_error err;
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_result r;
    mlpot_result_init(&r);
    const unsigned request = MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES;
    double *tc = malloc(sizeof(double) * (size_t)repeats), *tt = malloc(sizeof(double) * (size_t)repeats);
    double *tu = malloc(sizeof(double) * (size_t)repeats);
    /* the reverse-pair index belongs to the list (an MD driver builds it with the list) */
    if (mlpot_neighbour_list_build(&nl, s, mlpot_potential_cutoff(p), 0.0, MLPOT_NEIGHBOURS_FULL, &err) ||
        mlpot_neighbour_list_reverse(&nl, &err) || mlpot_potential_compute(p, s, &nl, request, &r, &err)) /* warm-up */
        die(&err);
    for (int k = 0; k < repeats; ++k) {
        double t0 = now(), u0 = cpu_now();
        if (mlpot_potential_compute(p, s, &nl, request, &r, &err)) die(&err);
        tc[k] = now() - t0;
        tu[k] = cpu_now() - u0;
        t0 = now();
        if (mlpot_neighbour_list_build(&nl, s, mlpot_potential_cutoff(p), 0.0, MLPOT_NEIGHBOURS_FULL, &err) ||
            mlpot_neighbour_list_reverse(&nl, &err) || mlpot_potential_compute(p, s, &nl, request, &r, &err))
            die(&err);
        tt[k] = now() - t0;
    }
    *compute = median(tc, repeats);
    *total = median(tt, repeats);
    *cpu = median(tu, repeats);
    *energy = r.energy;
    free(tc);
    free(tt);
    free(tu);
    mlpot_result_free(&r);
    mlpot_neighbour_list_free(&nl);
}

/* Best wall time of nnp-predict in a copy of the folder with the given input.data. */
static double time_n2p2(const char *binary, const char *folder, const char *input, int repeats)
{
    char dir[] = "/tmp/bench_nnp_XXXXXX";
    if (!mkdtemp(dir)) return NAN;
    char cmd[16384];
    /* *.data: scaling, weights and, for 4G models, weightse and hardness (input.data is replaced) */
    snprintf(cmd, sizeof cmd, "cp '%s'/input.nn '%s'/*.data '%s'/ && cp '%s' '%s'/input.data", folder, folder, dir, input,
             dir);
    double best = INFINITY;
    if (system(cmd) == 0)
        for (int k = 0; k < repeats; ++k) {
            snprintf(cmd, sizeof cmd, "cd '%s' && OMP_NUM_THREADS=1 '%s' 0 > nnp-predict.stdout 2>&1", dir, binary);
            double t0 = now();
            int rc = system(cmd);
            double t = now() - t0;
            if (rc != 0) {
                fprintf(stderr, "bench_nnp: %s failed (see %s/nnp-predict.stdout)\n", binary, dir);
                return NAN;
            }
            best = fmin(best, t);
        }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_nnp: could not remove %s\n", dir);
    return best;
}

int main(int argc, char **argv)
{
    /* OpenBLAS's own threads (4G models solve charge equilibration with LAPACK) would add cores
     * to a "1 thread" figure; the variable is read when the library loads, so run again with it */
    if (!getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv("/proc/self/exe", argv);
    }
    int repeats = argc > 1 ? atoi(argv[1]) : 10;
    if (repeats < 1) repeats = 1;
    const char *folder = argc > 2 && *argv[2] ? argv[2] : bench_water_folder();
    const int max_threads = argc > 3 ? atoi(argv[3]) : 2;
    char input[4200];
    snprintf(input, sizeof input, "%s/input.data", folder);
    mlpot_error err;
    mlpot_io_options opt;
    mlpot_io_options_default(&opt);
    opt.format = MLPOT_FORMAT_N2P2;
    mlpot_dataset d;
    mlpot_dataset_init(&d);
    if (mlpot_dataset_read(input, &opt, &d, &err)) die(&err);
    const mlpot_structure *s = &d.frames[0];
    mlpot_potential *p = NULL;
    if (mlpot_potential_load(folder, &p, &err)) die(&err);
    char desc[512];
    mlpot_potential_describe(p, desc, sizeof desc);
    printf("model: %s\nstructure: %d atoms, energy + forces, %d repeats (median)\n\n", desc, s->n_atoms, repeats);
    printf("%-34s %12s %12s %14s\n", "", "us/atom", "ms/call", "CPU us/atom");
    for (int threads = 1; threads <= max_threads; ++threads) {
        set_threads(threads);
        double compute, total, cpu, energy;
        time_mlpot(p, s, repeats, &compute, &total, &cpu, &energy);
        char label[64];
        snprintf(label, sizeof label, "mlpot compute, %d thread%s", threads, threads > 1 ? "s" : "");
        printf("%-34s %12.2f %12.3f %14.2f\n", label, 1e6 * compute / s->n_atoms, 1e3 * compute,
               1e6 * cpu / s->n_atoms);
        snprintf(label, sizeof label, "mlpot list + compute, %d thread%s", threads, threads > 1 ? "s" : "");
        printf("%-34s %12.2f %12.3f\n", label, 1e6 * total / s->n_atoms, 1e3 * total);
    }
    const char *n2p2 = getenv("N2P2_PREDICT");
    if (n2p2 && *n2p2) {
        /* setup cost: the same folder with a 3-atom structure (the first molecule, same cell) */
        char small[] = "/tmp/bench_nnp_small_XXXXXX";
        int fd = mkstemp(small);
        if (fd < 0) return 1;
        close(fd);
        mlpot_dataset one;
        mlpot_dataset_init(&one);
        mlpot_structure m;
        mlpot_structure_init(&m);
        if (mlpot_structure_resize(&m, 3, &err)) die(&err);
        memcpy(m.numbers, s->numbers, 3 * sizeof *m.numbers);
        memcpy(m.positions, s->positions, 9 * sizeof *m.positions);
        memcpy(m.cell, s->cell, sizeof m.cell);
        memcpy(m.pbc, s->pbc, sizeof m.pbc);
        if (mlpot_dataset_push(&one, &m, &err) || mlpot_dataset_write(small, &opt, &one, &err)) die(&err);
        mlpot_dataset_free(&one);
        int n_runs = repeats < 5 ? repeats : 5;
        double whole = time_n2p2(n2p2, folder, input, n_runs);
        double setup = time_n2p2(n2p2, folder, small, n_runs);
        unlink(small);
        double per_call = whole - setup;
        printf("%-34s %12.2f %12.3f\n", "n2p2 nnp-predict, 1 thread", 1e6 * per_call / s->n_atoms, 1e3 * per_call);
        printf("  (nnp-predict wall time %.3f s, of which setup on a 3-atom input %.3f s)\n", whole, setup);
    } else {
        printf("(set N2P2_PREDICT=/path/to/nnp-predict to time n2p2 in the same run)\n");
    }
    mlpot_potential_free(p);
    mlpot_dataset_free(&d);
    return 0;
}
