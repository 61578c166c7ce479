/* Neighbour-list construction time from 10³ to 10⁶ atoms (fcc Cu, cutoff 5 Å, 42 neighbours
 * per atom): the time per atom should stay flat if the search is O(N). Also times a list for a
 * slab with vacuum (mixed boundaries).
 *
 * usage: bench_neighbours [max_atoms]   (default 1100000: the largest is 1 000 188 atoms) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* n x n x n conventional fcc cells, lattice constant a, rattled by up to 0.05 Å. */
static void fcc(mlpot_structure *s, int n, double a, int slab)
{
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    mlpot_error err;
    if (mlpot_structure_resize(s, 4 * n * n * n, &err)) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    unsigned long long rng = 42;
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (int b = 0; b < 4; ++b, ++k) {
                    double cell[3] = {i + basis[b][0], j + basis[b][1], l + basis[b][2]};
                    for (int c = 0; c < 3; ++c) {
                        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                        double u = (double)(rng >> 11) / 9007199254740992.0;
                        s->positions[3 * k + c] = a * cell[c] + 0.05 * (u - 0.5);
                    }
                    s->numbers[k] = 29;
                }
    for (int c = 0; c < 3; ++c) {
        for (int d = 0; d < 3; ++d) s->cell[c][d] = c == d ? a * n : 0.0;
        s->pbc[c] = 1;
    }
    if (slab) {
        s->pbc[2] = 0;
        s->cell[2][2] += 30.0; /* vacuum */
    }
}

static double time_build(const mlpot_structure *s, double cutoff, size_t *pairs)
{
    mlpot_neighbour_list nl;
    mlpot_neighbour_list_init(&nl);
    mlpot_error err;
    double best = INFINITY;
    int reps = s->n_atoms < 100000 ? 5 : 2;
    for (int r = 0; r < reps; ++r) {
        double t0 = now();
        if (mlpot_neighbour_list_build(&nl, s, cutoff, 0.0, MLPOT_NEIGHBOURS_FULL, &err)) {
            fprintf(stderr, "%s\n", err.message);
            exit(1);
        }
        best = fmin(best, now() - t0);
    }
    *pairs = nl.n_pairs;
    mlpot_neighbour_list_free(&nl);
    return best;
}

int main(int argc, char **argv)
{
    long max_atoms = argc > 1 ? atol(argv[1]) : 1100000; /* up to 4·63³ = 1.0·10⁶ atoms */
    const double a = 3.615, cutoff = 5.0;
    int max_threads = 1;
#ifdef _OPENMP
    max_threads = omp_get_max_threads();
#endif
    printf("# neighbour list build, fcc Cu a=%.3f Å, cutoff %.1f Å, full list, best of repeats\n", a, cutoff);
    printf("%-10s %-8s %-10s %-14s %-12s\n", "atoms", "threads", "pairs/atom", "time (s)", "µs/atom");
    mlpot_structure s;
    mlpot_structure_init(&s);
    int sizes[] = {6, 13, 28, 40, 63};
    for (size_t q = 0; q < sizeof sizes / sizeof sizes[0]; ++q) {
        int n = sizes[q];
        if (4L * n * n * n > max_atoms) break;
        fcc(&s, n, a, 0);
        for (int threads = 1; threads <= max_threads && threads <= 2; ++threads) {
#ifdef _OPENMP
            omp_set_num_threads(threads);
#endif
            size_t pairs;
            double t = time_build(&s, cutoff, &pairs);
            printf("%-10d %-8d %-10.1f %-14.4f %-12.3f\n", s.n_atoms, threads,
                   (double)pairs / s.n_atoms, t, 1e6 * t / s.n_atoms);
            fflush(stdout);
        }
    }
    fcc(&s, 28, a, 1);
    size_t pairs;
    double t = time_build(&s, cutoff, &pairs);
    printf("slab with 30 Å vacuum (pbc T T F), %d atoms: %.3f µs/atom, %.1f pairs/atom\n", s.n_atoms,
           1e6 * t / s.n_atoms, (double)pairs / s.n_atoms);
    mlpot_structure_free(&s);
    return 0;
}
