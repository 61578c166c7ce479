/* GAP prediction cost: the QUIP reference model gap_si_tiny.xml (distance_2b + SOAP n_max=8
 * l_max=6, 179 sparse points) on the GAP-18 test set (28 Si frames, 1020 atoms) and on its 53
 * training frames (229 atoms), in µs per atom for energy only, energy + forces + virial, and
 * E+F+V with per-atom variances, with 1 and 2 OpenMP threads.
 *
 * Neighbour lists are built once per frame outside the timed region (QUIP's IP_Calc timings,
 * which the README quotes, likewise exclude its connectivity); their cost is printed
 * separately. Each configuration is timed `repeats` times over all frames and the best and the
 * median are reported (other processes share the machine).
 *
 * usage: bench_gap [repeats] [model.xml] [frames.xyz ...]
 *   defaults: $MLPOT_SHARED_DATA (or ../shared/data) quip_reference/gap_si_tiny.xml,
 *             si_testing_framework/tests/testing_database_force_error/testing_database.xyz and
 *             quip_reference/gap_pred_train.xyz */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    fprintf(stderr, "bench_gap: %s\n", err->message);
    exit(1);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct frames {
    const char *name;
    mlpot_dataset d;
    mlpot_neighbour_list *nl;
    long atoms;
    double list_seconds;
} frames;

static void load_frames(frames *f, const char *path, double cutoff)
{
    mlpot_error err;
    mlpot_dataset_init(&f->d);
    if (mlpot_dataset_read(path, NULL, &f->d, &err)) die(&err);
    f->nl = calloc(f->d.n_frames, sizeof *f->nl);
    f->atoms = 0;
    double t0 = now();
    for (size_t k = 0; k < f->d.n_frames; ++k) {
        mlpot_neighbour_list_init(&f->nl[k]);
        if (mlpot_neighbour_list_build(&f->nl[k], &f->d.frames[k], cutoff, 0.0, 0, &err)) die(&err);
        if (mlpot_neighbour_list_reverse(&f->nl[k], &err)) die(&err);
        f->atoms += f->d.frames[k].n_atoms;
    }
    f->list_seconds = now() - t0;
}

/* Seconds for one pass over all frames. */
static double pass(const mlpot_potential *p, const frames *f, unsigned request, mlpot_result *r)
{
    mlpot_error err;
    double t0 = now();
    for (size_t k = 0; k < f->d.n_frames; ++k)
        if (mlpot_potential_compute(p, &f->d.frames[k], &f->nl[k], request, r, &err)) die(&err);
    return now() - t0;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (repeats < 1) repeats = 1;
    const char *shared = getenv("MLPOT_SHARED_DATA");
    if (!shared) shared = "../shared/data";
    char model[4096], test_set[4096], train_set[4096];
    snprintf(model, sizeof model, "%s/quip_reference/gap_si_tiny.xml", shared);
    snprintf(test_set, sizeof test_set, "%s/si_testing_framework/tests/testing_database_force_error/testing_database.xyz",
             shared);
    snprintf(train_set, sizeof train_set, "%s/quip_reference/gap_pred_train.xyz", shared);
    const char *model_path = argc > 2 ? argv[2] : model;
    const char *sets[8] = {test_set, train_set};
    int n_sets = 2;
    if (argc > 3) {
        n_sets = 0;
        for (int k = 3; k < argc && n_sets < 8; ++k) sets[n_sets++] = argv[k];
    }
    mlpot_error err;
    mlpot_potential *p;
    double t0 = now();
    if (mlpot_potential_load(model_path, &p, &err)) die(&err);
    double load = now() - t0;
    char desc[512];
    mlpot_potential_describe(p, desc, sizeof desc);
    printf("model: %s\nloaded in %.3f s (including the variance factors)\n", desc, load);
    struct {
        const char *what;
        unsigned request;
    } kinds[] = {
        {"E", MLPOT_OUT_ENERGY},
        {"E+F+V", MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL},
        {"E+F+V+var", MLPOT_OUT_ENERGY | MLPOT_OUT_FORCES | MLPOT_OUT_VIRIAL | MLPOT_OUT_ATOM_VARIANCES},
    };
    /* MLPOT_BENCH_THREADS=1 restricts the runs to one thread count (for profiling) */
    int t_first = 1, t_last = 2;
    const char *only = getenv("MLPOT_BENCH_THREADS");
    if (only && atoi(only) > 0) t_first = t_last = atoi(only);
    mlpot_result r;
    mlpot_result_init(&r);
    printf("%-28s %-10s %7s %12s %12s\n", "frames", "outputs", "threads", "best µs/atom", "median µs/atom");
    for (int s = 0; s < n_sets; ++s) {
        frames f;
        load_frames(&f, sets[s], mlpot_potential_cutoff(p));
        const char *base = strrchr(sets[s], '/');
        base = base ? base + 1 : sets[s];
        char label[64];
        snprintf(label, sizeof label, "%.40s (%zu, %ld at.)", base, f.d.n_frames, f.atoms);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; ++k)
            for (int threads = t_first; threads <= t_last; ++threads) {
#ifdef _OPENMP
                omp_set_num_threads(threads);
#endif
                pass(p, &f, kinds[k].request, &r); /* warm-up: scratch buffers, caches */
                double *t = malloc((size_t)repeats * sizeof *t);
                for (int q = 0; q < repeats; ++q) t[q] = pass(p, &f, kinds[k].request, &r);
                qsort(t, (size_t)repeats, sizeof *t, compare_doubles);
                printf("%-28s %-10s %7d %12.1f %12.1f\n", label, kinds[k].what, threads, 1e6 * t[0] / f.atoms,
                       1e6 * t[repeats / 2] / f.atoms);
                free(t);
            }
        printf("%-28s neighbour lists (once per frame, not in the times above): %.1f µs/atom\n", label,
               1e6 * f.list_seconds / f.atoms);
        for (size_t k = 0; k < f.d.n_frames; ++k) mlpot_neighbour_list_free(&f.nl[k]);
        free(f.nl);
        mlpot_dataset_free(&f.d);
    }
    printf("QUIP (README, serial): E+F+V 1040-1050 µs/atom, E only 450 µs/atom, with variance 1170 µs/atom on the "
           "28-frame test set; training set E+F+V 1160-1210 µs/atom\n");
    mlpot_result_free(&r);
    mlpot_potential_free(p);
    return 0;
}
