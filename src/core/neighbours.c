/* Cell-list neighbour search for any triclinic cell, open or mixed boundaries.
 *
 * Atoms are binned in fractional coordinates of a full-rank basis (periodic lattice vectors
 * kept, open directions completed by unit vectors, see mlpot_cell_complete). Two points closer
 * than R differ in fractional coordinate k by at most R / h_k, h_k the distance between the
 * basis' faces along k, so a stencil of ceil(R / bin height) bins either side finds every pair.
 * In a periodic direction the stencil may reach past the cell, possibly many times for cells
 * thinner than R: each (bin, image) combination is visited once, so every image of a neighbour
 * within R is found exactly once. */
#include "mlpot/neighbours.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/cell.h"
#include "core/error.h"
#include "core/memory.h"
#include "core/neighbours_internal.h"

static void workspace_free(void *w);

void mlpot_neighbour_list_init(mlpot_neighbour_list *nl)
{
    memset(nl, 0, sizeof *nl);
}

void mlpot_neighbour_list_free(mlpot_neighbour_list *nl)
{
    if (!nl) return;
    free(nl->offsets);
    free(nl->neighbour);
    free(nl->shift);
    free(nl->vector);
    free(nl->distance);
    free(nl->reverse);
    free(nl->pair_index);
    free(nl->built_positions);
    free(nl->built_numbers);
    workspace_free(nl->workspace);
    mlpot_neighbour_list_init(nl);
}

/* A candidate pair while searching, packed into a sort key whose order is the canonical
 * order (species, index, shift): hi = Z << 32 | j, lo = the three shifts offset to unsigned
 * 21-bit fields. 16 bytes per pair keeps the search buffers small. */
typedef struct pair_key {
    uint64_t hi, lo;
} pair_key;

enum { SHIFT_BITS = 21 };
#define SHIFT_OFFSET (1 << (SHIFT_BITS - 1))
#define MAX_WRAP (SHIFT_OFFSET / 2 - MLPOT_NEIGHBOURS_MAX_IMAGES - 2)

static inline pair_key make_key(int z, int j, const int s[3])
{
    pair_key k;
    k.hi = (uint64_t)(uint32_t)z << 32 | (uint32_t)j;
    k.lo = (uint64_t)(uint32_t)(s[0] + SHIFT_OFFSET) << (2 * SHIFT_BITS) |
           (uint64_t)(uint32_t)(s[1] + SHIFT_OFFSET) << SHIFT_BITS |
           (uint64_t)(uint32_t)(s[2] + SHIFT_OFFSET);
    return k;
}

static inline void decode_key(pair_key k, int *j, int s[3])
{
    const uint64_t mask = (1u << SHIFT_BITS) - 1;
    *j = (int)(uint32_t)(k.hi & 0xffffffffu);
    s[0] = (int)((k.lo >> (2 * SHIFT_BITS)) & mask) - SHIFT_OFFSET;
    s[1] = (int)((k.lo >> SHIFT_BITS) & mask) - SHIFT_OFFSET;
    s[2] = (int)(k.lo & mask) - SHIFT_OFFSET;
}

static inline int key_less(pair_key a, pair_key b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static int compare_keys(const void *pa, const void *pb)
{
    pair_key a = *(const pair_key *)pa, b = *(const pair_key *)pb;
    return key_less(a, b) ? -1 : key_less(b, a) ? 1 : 0;
}

static void sort_keys(pair_key *k, size_t n)
{
    if (n > 48) {
        qsort(k, n, sizeof *k, compare_keys);
        return;
    }
    for (size_t a = 1; a < n; ++a) { /* insertion sort: the common short lists */
        pair_key x = k[a];
        size_t b = a;
        while (b > 0 && key_less(x, k[b - 1])) {
            k[b] = k[b - 1];
            --b;
        }
        k[b] = x;
    }
}

/* Per-thread growable buffer of keys, kept in the list's workspace between builds. */
typedef struct key_buffer {
    pair_key *k;
    size_t n, cap;
} key_buffer;

static int buffer_push(key_buffer *b, pair_key key)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        pair_key *grown = mlpot_realloc(b->k, cap, sizeof *grown);
        if (!grown) return 0;
        b->k = grown;
        b->cap = cap;
    }
    b->k[b->n++] = key;
    return 1;
}

typedef struct workspace {
    int n_buffers;
    key_buffer *buffers;
    /* mlpot_neighbour_list_select: per entry of the source list, whether it is kept and then
     * where it went; the capacity of this list's reverse and pair_index arrays (a build frees
     * them, a selection keeps them from step to step) */
    int *map, *kept;
    size_t map_capacity, index_capacity;
} workspace;

static void workspace_free(void *w)
{
    workspace *ws = w;
    if (!ws) return;
    for (int t = 0; t < ws->n_buffers; ++t) free(ws->buffers[t].k);
    free(ws->buffers);
    free(ws->map);
    free(ws->kept);
    free(ws);
}

static workspace *workspace_of(mlpot_neighbour_list *nl)
{
    if (!nl->workspace) nl->workspace = calloc(1, sizeof(workspace));
    return nl->workspace;
}

static workspace *workspace_get(mlpot_neighbour_list *nl, int n_threads)
{
    workspace *ws = workspace_of(nl);
    if (!ws) return NULL;
    if (ws->n_buffers < n_threads) {
        key_buffer *grown = mlpot_realloc(ws->buffers, (size_t)n_threads, sizeof *grown);
        if (!grown) return NULL;
        memset(grown + ws->n_buffers, 0, (size_t)(n_threads - ws->n_buffers) * sizeof *grown);
        ws->buffers = grown;
        ws->n_buffers = n_threads;
    }
    for (int t = 0; t < n_threads; ++t) ws->buffers[t].n = 0;
    return ws;
}

/* Displacement (x_j - x_i) + s·cell in this exact order, so that (j, i, -s) gives -d bitwise. */
static inline void pair_vector(const double *xi, const double *xj, const int s[3],
                               const double *cell, double d[3])
{
    for (int a = 0; a < 3; ++a) {
        double shift = (double)s[0] * cell[a] + (double)s[1] * cell[3 + a] +
                       (double)s[2] * cell[6 + a];
        d[a] = (xj[a] - xi[a]) + shift;
    }
}

/* The same displacement for a list entry, bit for bit: most pairs join atoms of the same image,
 * and their shift term 0·a + 0·b + 0·c is one signed zero for every such pair (zero_shift,
 * computed once per call as pair_vector would), so the nine products are skipped for them. */
static inline void entry_vector(const double *xi, const double *xj, const int sh[3], const double *cell,
                                const double zero_shift[3], double d[3])
{
    if ((sh[0] | sh[1] | sh[2]) == 0) {
        for (int a = 0; a < 3; ++a) d[a] = (xj[a] - xi[a]) + zero_shift[a];
    } else {
        pair_vector(xi, xj, sh, cell, d);
    }
}

static inline void zero_shift_of(const double *cell, double zero_shift[3])
{
    for (int a = 0; a < 3; ++a) zero_shift[a] = 0.0 * cell[a] + 0.0 * cell[3 + a] + 0.0 * cell[6 + a];
}

static int floor_div(int a, int b)
{
    int q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

typedef struct grid {
    int nb[3];          /* bins per direction */
    int reach[3];       /* stencil half-width in bins */
    double origin[3];   /* fractional coordinate of the first bin's edge */
    double width[3];    /* fractional width of a bin */
    size_t n_bins;
    size_t *bin_start;  /* [n_bins + 1] */
    int *bin_atoms;     /* [n_atoms] atoms sorted by bin */
    int *atom_bin;      /* [3 * n_atoms] bin coordinates of each atom */
    int *wrap;          /* [3 * n_atoms] lattice vectors subtracted to wrap each atom */
} grid;

static void grid_free(grid *g)
{
    free(g->bin_start);
    free(g->bin_atoms);
    free(g->atom_bin);
    free(g->wrap);
}

static mlpot_status grid_build(grid *g, const mlpot_structure *s, double range, mlpot_error *err)
{
    int n = s->n_atoms;
    memset(g, 0, sizeof *g);
    double basis[9], inv[9], height[3];
    mlpot_cell_complete(&s->cell[0][0], s->pbc, basis);
    mlpot_status st = mlpot_matrix3_inverse(basis, inv, err);
    if (st) {
        mlpot_error_prepend(err, "neighbour search: ");
        return st;
    }
    mlpot_cell_heights(basis, height);

    double *frac = mlpot_calloc(3 * (size_t)n, sizeof *frac);
    g->atom_bin = mlpot_calloc(3 * (size_t)n, sizeof *g->atom_bin);
    g->wrap = mlpot_calloc(3 * (size_t)n, sizeof *g->wrap);
    if (!frac || !g->atom_bin || !g->wrap) {
        free(frac);
        return mlpot_fail_memory(err, "building a neighbour list");
    }
    double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
    for (int k = 0; k < 3; ++k)
        if (!s->pbc[k]) lo[k] = INFINITY, hi[k] = -INFINITY;
    for (int i = 0; i < n; ++i) {
        double *f = &frac[3 * i];
        mlpot_cell_fractional(inv, &s->positions[3 * i], f);
        for (int k = 0; k < 3; ++k) {
            if (s->pbc[k]) {
                double w = floor(f[k]);
                if (fabs(w) > MAX_WRAP) {
                    free(frac);
                    return mlpot_fail(err, MLPOT_ERR_GEOMETRY,
                                      "atom %d lies %g cells away from the cell", i + 1, w);
                }
                g->wrap[3 * i + k] = (int)w;
                f[k] -= w;
                if (f[k] >= 1.0) f[k] = 0.0; /* f = -tiny rounds to 1 after the shift */
            } else {
                lo[k] = fmin(lo[k], f[k]);
                hi[k] = fmax(hi[k], f[k]);
            }
        }
    }
    /* Bins about half the search range thick (a 5x5x5 stencil covers less volume than 3x3x3
     * bins of the full range, so fewer candidates are tested); in total at most ~2 per atom so
     * that sparse systems (a molecule in a big box, a slab with vacuum) stay O(N) in memory. */
    double extent[3];
    size_t max_bins = 2 * (size_t)n + 27;
    for (int k = 0; k < 3; ++k) {
        extent[k] = s->pbc[k] ? 1.0 : fmax(hi[k] - lo[k], 0.0) * (1.0 + 1e-12) + 1e-12;
        double perpendicular = extent[k] * height[k];
        double nbins = floor(perpendicular / (0.5 * range * (1.0 + 1e-9)));
        g->nb[k] = nbins < 1 ? 1 : (nbins > 1.0e6 ? 1000000 : (int)nbins);
        g->origin[k] = lo[k];
    }
    while ((size_t)g->nb[0] * (size_t)g->nb[1] * (size_t)g->nb[2] > max_bins) {
        int k = 0;
        for (int q = 1; q < 3; ++q)
            if (g->nb[q] > g->nb[k]) k = q;
        g->nb[k] = (g->nb[k] + 1) / 2;
    }
    for (int k = 0; k < 3; ++k) {
        g->width[k] = extent[k] / g->nb[k];
        double bin_height = g->width[k] * height[k];
        /* Points closer than range lie at most ceil(range / bin_height) bins apart. Both atoms of
         * a pair use the same bin assignment, so a pair at the border is found from both sides
         * or from neither, never from one. */
        double reach = ceil(range / bin_height * (1.0 + 1e-12));
        if (s->pbc[k] && reach / g->nb[k] > MLPOT_NEIGHBOURS_MAX_IMAGES) {
            free(frac);
            return mlpot_fail(err, MLPOT_ERR_GEOMETRY,
                              "cutoff %g Å needs about %.0f periodic images along lattice vector "
                              "%c (distance between cell faces %g Å); the neighbour search "
                              "allows at most %d",
                              range, ceil(range / height[k]), "abc"[k], height[k],
                              MLPOT_NEIGHBOURS_MAX_IMAGES);
        }
        if (!s->pbc[k] && reach > g->nb[k]) reach = g->nb[k];
        g->reach[k] = (int)reach;
    }
    g->n_bins = (size_t)g->nb[0] * (size_t)g->nb[1] * (size_t)g->nb[2];
    g->bin_start = mlpot_calloc(g->n_bins + 1, sizeof *g->bin_start);
    g->bin_atoms = mlpot_calloc((size_t)n, sizeof *g->bin_atoms);
    int *bin_of = mlpot_calloc((size_t)n, sizeof *bin_of);
    if (!g->bin_start || !g->bin_atoms || !bin_of) {
        free(frac);
        free(bin_of);
        return mlpot_fail_memory(err, "building a neighbour list");
    }
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < 3; ++k) {
            int b = (int)((frac[3 * i + k] - g->origin[k]) / g->width[k]);
            if (b < 0) b = 0;
            if (b >= g->nb[k]) b = g->nb[k] - 1;
            g->atom_bin[3 * i + k] = b;
        }
        bin_of[i] = (g->atom_bin[3 * i] * g->nb[1] + g->atom_bin[3 * i + 1]) * g->nb[2] +
                    g->atom_bin[3 * i + 2];
        g->bin_start[bin_of[i] + 1]++;
    }
    for (size_t b = 0; b < g->n_bins; ++b) g->bin_start[b + 1] += g->bin_start[b];
    size_t *fill = mlpot_calloc(g->n_bins, sizeof *fill);
    if (!fill) {
        free(frac);
        free(bin_of);
        return mlpot_fail_memory(err, "building a neighbour list");
    }
    for (int i = 0; i < n; ++i) g->bin_atoms[g->bin_start[bin_of[i]] + fill[bin_of[i]]++] = i;
    free(fill);
    free(bin_of);
    free(frac);
    return MLPOT_OK;
}

/* First overlapping pair found by a thread (lowest i, then j). */
typedef struct overlap {
    int i, j;
    double r;
} overlap;

/* Collects the sorted neighbour keys of atom i into buf. Returns 0 on allocation failure. */
static int search_atom(const grid *g, const mlpot_structure *s, int i, double range2,
                       unsigned flags, key_buffer *buf, overlap *ov)
{
    const int *bi = &g->atom_bin[3 * i];
    const int *wi = &g->wrap[3 * i];
    const double *xi = &s->positions[3 * i];
    const double *cell = &s->cell[0][0];
    size_t first = buf->n;
    for (int dx = -g->reach[0]; dx <= g->reach[0]; ++dx) {
        int tx = bi[0] + dx, ix = 0;
        if (s->pbc[0]) {
            ix = floor_div(tx, g->nb[0]);
            tx -= ix * g->nb[0];
        } else if (tx < 0 || tx >= g->nb[0]) {
            continue;
        }
        for (int dy = -g->reach[1]; dy <= g->reach[1]; ++dy) {
            int ty = bi[1] + dy, iy = 0;
            if (s->pbc[1]) {
                iy = floor_div(ty, g->nb[1]);
                ty -= iy * g->nb[1];
            } else if (ty < 0 || ty >= g->nb[1]) {
                continue;
            }
            for (int dz = -g->reach[2]; dz <= g->reach[2]; ++dz) {
                int tz = bi[2] + dz, iz = 0;
                if (s->pbc[2]) {
                    iz = floor_div(tz, g->nb[2]);
                    tz -= iz * g->nb[2];
                } else if (tz < 0 || tz >= g->nb[2]) {
                    continue;
                }
                size_t b = ((size_t)tx * g->nb[1] + (size_t)ty) * g->nb[2] + (size_t)tz;
                for (size_t q = g->bin_start[b]; q < g->bin_start[b + 1]; ++q) {
                    int j = g->bin_atoms[q];
                    const int *wj = &g->wrap[3 * j];
                    int sh[3] = {ix + wi[0] - wj[0], iy + wi[1] - wj[1], iz + wi[2] - wj[2]};
                    if (j == i && sh[0] == 0 && sh[1] == 0 && sh[2] == 0) continue;
                    double d[3];
                    pair_vector(xi, &s->positions[3 * j], sh, cell, d);
                    double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                    if (!(r2 < range2)) continue;
                    if (r2 < MLPOT_MIN_DISTANCE * MLPOT_MIN_DISTANCE && ov->i < 0) {
                        ov->i = i;
                        ov->j = j;
                        ov->r = sqrt(r2);
                    }
                    if ((flags & MLPOT_NEIGHBOURS_HALF) && !mlpot_pair_is_owned(i, j, sh)) continue;
                    if (!buffer_push(buf, make_key(s->numbers[j], j, sh))) return 0;
                }
            }
        }
    }
    sort_keys(buf->k + first, buf->n - first);
    return 1;
}

static mlpot_status reserve_atoms(mlpot_neighbour_list *nl, int n, mlpot_error *err)
{
    if (nl->atom_capacity >= n + 1 && nl->offsets) return MLPOT_OK;
    size_t *offsets = mlpot_realloc(nl->offsets, (size_t)n + 1, sizeof *offsets);
    double *built = mlpot_realloc(nl->built_positions, 3 * (size_t)n + 1, sizeof *built);
    int *numbers = mlpot_realloc(nl->built_numbers, (size_t)n + 1, sizeof *numbers);
    if (offsets) nl->offsets = offsets;
    if (built) nl->built_positions = built;
    if (numbers) nl->built_numbers = numbers;
    if (!offsets || !built || !numbers) return mlpot_fail_memory(err, "building a neighbour list");
    nl->atom_capacity = n + 1;
    return MLPOT_OK;
}

static mlpot_status reserve_pairs(mlpot_neighbour_list *nl, size_t n_pairs, mlpot_error *err)
{
    if (n_pairs <= nl->pair_capacity && nl->neighbour) return MLPOT_OK;
    size_t cap = n_pairs + n_pairs / 8 + 16;
    int *neighbour = mlpot_realloc(nl->neighbour, cap, sizeof *neighbour);
    if (neighbour) nl->neighbour = neighbour;
    int *shift = mlpot_realloc(nl->shift, 3 * cap, sizeof *shift);
    if (shift) nl->shift = shift;
    double *vector = mlpot_realloc(nl->vector, 3 * cap, sizeof *vector);
    if (vector) nl->vector = vector;
    double *distance = mlpot_realloc(nl->distance, cap, sizeof *distance);
    if (distance) nl->distance = distance;
    if (!neighbour || !shift || !vector || !distance)
        return mlpot_fail_memory(err, "storing a neighbour list");
    nl->pair_capacity = cap;
    return MLPOT_OK;
}

mlpot_status mlpot_neighbour_list_build(mlpot_neighbour_list *nl, const mlpot_structure *s,
                                        double cutoff, double skin, unsigned flags,
                                        mlpot_error *err)
{
    if (!(cutoff > 0) || !isfinite(cutoff))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "neighbour list cutoff %g is not positive", cutoff);
    if (!(skin >= 0) || !isfinite(skin))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "neighbour list skin %g is negative", skin);
    mlpot_status st = mlpot_structure_validate(s, err);
    if (st) return st;
    int n = s->n_atoms;
    double range = cutoff + skin;

    free(nl->reverse);
    nl->reverse = NULL;
    free(nl->pair_index);
    nl->pair_index = NULL;
    nl->n_unique = 0;
    if (nl->workspace) ((workspace *)nl->workspace)->index_capacity = 0;
    if ((st = reserve_atoms(nl, n, err))) return st;
    nl->n_atoms = n;
    nl->cutoff = cutoff;
    nl->skin = skin;
    nl->flags = flags;
    nl->n_pairs = 0;
    nl->offsets[0] = 0;
    if (n > 0) {
        memcpy(nl->built_positions, s->positions, 3 * (size_t)n * sizeof(double));
        memcpy(nl->built_numbers, s->numbers, (size_t)n * sizeof(int));
    }
    memcpy(nl->built_cell, s->cell, sizeof nl->built_cell);
    if (n == 0) return MLPOT_OK;

    grid g;
    st = grid_build(&g, s, range, err);
    if (st) {
        grid_free(&g);
        if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
        return st;
    }

    int n_threads = 1;
#ifdef _OPENMP
    n_threads = omp_get_max_threads();
    if (n_threads > n) n_threads = n;
    if (n < 256) n_threads = 1; /* thread start-up costs more than a small search */
#endif
    workspace *ws = workspace_get(nl, n_threads);
    overlap *overlaps = mlpot_calloc((size_t)n_threads, sizeof *overlaps);
    size_t *counts = mlpot_calloc((size_t)n, sizeof *counts);
    int failed = ws == NULL || overlaps == NULL || counts == NULL;
    double range2 = range * range;
    if (!failed) {
#pragma omp parallel num_threads(n_threads) reduction(|| : failed)
        {
            int t = 0;
#ifdef _OPENMP
            t = omp_get_thread_num();
#endif
            /* Contiguous blocks of atoms per thread, so the buffers concatenate in order. */
            int begin = (int)((long)n * t / n_threads), end = (int)((long)n * (t + 1) / n_threads);
            overlaps[t].i = -1;
            for (int i = begin; i < end && !failed; ++i) {
                size_t before = ws->buffers[t].n;
                if (!search_atom(&g, s, i, range2, flags, &ws->buffers[t], &overlaps[t])) failed = 1;
                counts[i] = ws->buffers[t].n - before;
            }
        }
    }
    grid_free(&g);
    if (failed) st = mlpot_fail_memory(err, "building a neighbour list");
    for (int t = 0; !st && t < n_threads; ++t)
        if (overlaps[t].i >= 0) {
            const overlap *o = &overlaps[t];
            st = mlpot_fail(err, MLPOT_ERR_GEOMETRY,
                            "atoms %d (%d) and %d (%d) are %.4g Å apart, closer than %.2g Å: "
                            "overlapping atoms",
                            o->i + 1, s->numbers[o->i], o->j + 1, s->numbers[o->j], o->r,
                            MLPOT_MIN_DISTANCE);
            if (s->source) mlpot_error_prepend(err, "%s:%ld: ", s->source, s->source_line);
        }
    if (!st) {
        for (int i = 0; i < n; ++i) nl->offsets[i + 1] = nl->offsets[i] + counts[i];
        nl->n_pairs = nl->offsets[n];
        st = reserve_pairs(nl, nl->n_pairs, err);
    }
    if (!st) {
        /* Decode the keys into the arrays, recomputing each displacement with the same
         * expression as the search (so reverse pairs stay exact negatives). */
#pragma omp parallel num_threads(n_threads)
        {
            int t = 0;
#ifdef _OPENMP
            t = omp_get_thread_num();
#endif
            int begin = (int)((long)n * t / n_threads), end = (int)((long)n * (t + 1) / n_threads);
            const pair_key *key = ws->buffers[t].k;
            const double *cell = &s->cell[0][0];
            for (int i = begin; i < end; ++i) {
                const double *xi = &s->positions[3 * i];
                for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k, ++key) {
                    int j, *sh = &nl->shift[3 * k];
                    decode_key(*key, &j, sh);
                    nl->neighbour[k] = j;
                    double *d = &nl->vector[3 * k];
                    pair_vector(xi, &s->positions[3 * j], sh, cell, d);
                    nl->distance[k] = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                }
            }
        }
    }
    free(overlaps);
    free(counts);
    if (st) nl->n_pairs = 0, nl->offsets[n] = 0;
    return st;
}

mlpot_status mlpot_neighbour_list_update(mlpot_neighbour_list *nl, const mlpot_structure *s,
                                         mlpot_error *err)
{
    if (s->n_atoms != nl->n_atoms)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "neighbour list was built for %d atoms, structure has %d", nl->n_atoms,
                          s->n_atoms);
    int n = s->n_atoms, bad = 0;
    const double *cell = &s->cell[0][0];
    double zero_shift[3];
    zero_shift_of(cell, zero_shift);
    const double min2 = MLPOT_MIN_DISTANCE * MLPOT_MIN_DISTANCE;
    /* the overlap test rides along (one pass over the pairs, not two); the offending pair is
     * looked up afterwards, only when there is one */
#pragma omp parallel for schedule(static) reduction(| : bad) if (n > 1000)
    for (int i = 0; i < n; ++i) {
        const double *xi = &s->positions[3 * i];
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            double *d = &nl->vector[3 * k];
            entry_vector(xi, &s->positions[3 * nl->neighbour[k]], &nl->shift[3 * k], cell, zero_shift, d);
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            nl->distance[k] = sqrt(r2);
            bad |= !(r2 >= min2 && r2 < INFINITY); /* NaN fails both */
        }
    }
    if (!bad) return MLPOT_OK;
    for (size_t k = 0; k < nl->n_pairs; ++k)
        if (nl->distance[k] < MLPOT_MIN_DISTANCE || !isfinite(nl->distance[k])) {
            int i = 0;
            while (nl->offsets[i + 1] <= k) ++i;
            return mlpot_fail(err, MLPOT_ERR_GEOMETRY,
                              "atoms %d and %d are %.4g Å apart, closer than %.2g Å: "
                              "overlapping atoms",
                              i + 1, nl->neighbour[k] + 1, nl->distance[k], MLPOT_MIN_DISTANCE);
        }
    return MLPOT_OK;
}

/* Three passes over the entries of `from`: which are kept (counted per atom), where each goes
 * (copied, with the displacement and distance computed by the build's expressions, so the values
 * are a build's bit for bit), and the kept entries' reverse and pair indices, mapped from those
 * of `from` (an entry is kept exactly when its reverse is: both have the same r², bit for bit). */
mlpot_status mlpot_neighbour_list_select(mlpot_neighbour_list *out, const mlpot_neighbour_list *from,
                                         const mlpot_structure *s, double cutoff, mlpot_error *err)
{
    if (out == from) return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "a neighbour list cannot be selected into itself");
    if (!from->offsets || s->n_atoms != from->n_atoms)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "neighbour list was built for %d atoms, structure has %d",
                          from->n_atoms, s->n_atoms);
    if (!(cutoff > 0) || !(cutoff <= from->cutoff))
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT,
                          "selection cutoff %g Å: must be positive and at most the list's cutoff %g Å", cutoff,
                          from->cutoff);
    const int n = s->n_atoms;
    mlpot_status st;
    workspace *ws = workspace_of(out);
    if (!ws) return mlpot_fail_memory(err, "selecting neighbours");
    if ((st = reserve_atoms(out, n, err))) return st;
    if (from->n_pairs + 1 > ws->map_capacity) {
        size_t cap = from->n_pairs + from->n_pairs / 8 + 16;
        int *map = mlpot_realloc(ws->map, cap, sizeof *map);
        if (map) ws->map = map;
        int *kept = mlpot_realloc(ws->kept, cap, sizeof *kept);
        if (kept) ws->kept = kept;
        if (!map || !kept) return mlpot_fail_memory(err, "selecting neighbours");
        ws->map_capacity = cap;
    }
    out->n_atoms = n;
    out->cutoff = cutoff;
    out->skin = 0.0;
    out->flags = from->flags;
    out->n_pairs = 0;
    out->n_unique = 0;
    out->offsets[0] = 0;
    memcpy(out->built_positions, s->positions, 3 * (size_t)n * sizeof(double));
    memcpy(out->built_numbers, s->numbers, (size_t)n * sizeof(int));
    memcpy(out->built_cell, s->cell, sizeof out->built_cell);

    const double *cell = &s->cell[0][0], *x = s->positions;
    double zero_shift[3];
    zero_shift_of(cell, zero_shift);
    const double range = cutoff + 0.0, range2 = range * range; /* as a build with no skin */
    const double min2 = MLPOT_MIN_DISTANCE * MLPOT_MIN_DISTANCE;
    /* kept: the source entries within reach, per atom from its first source entry on */
    int *map = ws->map, *kept = ws->kept, bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad) if (n > 1000)
    for (int i = 0; i < n; ++i) {
        const double *xi = &x[3 * i];
        size_t first = from->offsets[i], c = first;
        for (size_t k = first; k < from->offsets[i + 1]; ++k) {
            double d[3];
            entry_vector(xi, &x[3 * from->neighbour[k]], &from->shift[3 * k], cell, zero_shift, d);
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            int keep = r2 < range2;
            kept[c] = (int)k; /* written always, counted when kept: no branch to mispredict */
            c += (size_t)keep;
            /* a build rejects overlapping atoms within its reach; NaN fails r2 < INFINITY */
            bad |= (keep & !(r2 >= min2)) | !(r2 < INFINITY);
        }
        out->offsets[i + 1] = c - first;
    }
    for (int i = 0; i < n; ++i) out->offsets[i + 1] += out->offsets[i];
    const size_t n_pairs = out->offsets[n];
    const int mapped = from->reverse && from->pair_index;
    if (!bad && !(st = reserve_pairs(out, n_pairs, err)) && mapped && ws->index_capacity < out->pair_capacity) {
        int *reverse = mlpot_realloc(out->reverse, out->pair_capacity, sizeof *reverse);
        if (reverse) out->reverse = reverse;
        int *index = mlpot_realloc(out->pair_index, out->pair_capacity, sizeof *index);
        if (index) out->pair_index = index;
        if (!reverse || !index) st = mlpot_fail_memory(err, "selecting neighbours");
        else ws->index_capacity = out->pair_capacity;
    }
    if (!mapped) { /* stale otherwise; mlpot_neighbour_list_reverse(out) computes them on request */
        free(out->reverse), free(out->pair_index);
        out->reverse = NULL, out->pair_index = NULL;
        ws->index_capacity = 0;
    }
    for (int i = 0; bad && !st && i < n; ++i) /* name the offending pair */
        for (size_t k = from->offsets[i]; !st && k < from->offsets[i + 1]; ++k) {
            double d[3];
            entry_vector(&x[3 * i], &x[3 * from->neighbour[k]], &from->shift[3 * k], cell, zero_shift, d);
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if ((r2 < range2 && !(r2 >= min2)) || !(r2 < INFINITY))
                st = mlpot_fail(err, MLPOT_ERR_GEOMETRY,
                                "atoms %d and %d are %.4g Å apart, closer than %.2g Å: overlapping atoms", i + 1,
                                from->neighbour[k] + 1, sqrt(r2), MLPOT_MIN_DISTANCE);
        }
    if (st) {
        memset(out->offsets, 0, ((size_t)n + 1) * sizeof *out->offsets);
        return st;
    }
    out->n_pairs = n_pairs;
#pragma omp parallel for schedule(static) if (n > 1000)
    for (int i = 0; i < n; ++i) {
        const double *xi = &x[3 * i];
        const int *source = &kept[from->offsets[i]];
        for (size_t m = out->offsets[i]; m < out->offsets[i + 1]; ++m, ++source) {
            size_t k = (size_t)*source;
            int j = from->neighbour[k];
            const int *sh = &from->shift[3 * k];
            out->neighbour[m] = j;
            for (int a = 0; a < 3; ++a) out->shift[3 * m + a] = sh[a];
            double *d = &out->vector[3 * m];
            entry_vector(xi, &x[3 * j], sh, cell, zero_shift, d);
            out->distance[m] = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (mapped) {
                out->reverse[m] = (int)k; /* the source entry, until the pass below */
                map[k] = (int)m;          /* set for kept entries only: their reverses are kept */
            }
        }
    }
    if (!mapped) return MLPOT_OK;
    /* pair ids in the order of the owning entries, as mlpot_neighbour_list_reverse numbers them
     * (-1 marks the other side until its owner's id is known) */
    size_t next = 0;
    for (size_t m = 0; m < n_pairs; ++m)
        out->pair_index[m] = mlpot_pair_id_owned(from->pair_index[out->reverse[m]]) ? (int)next++ : -1;
    out->n_unique = next;
#pragma omp parallel for schedule(static) if (n > 1000)
    for (size_t m = 0; m < n_pairs; ++m) out->reverse[m] = map[from->reverse[out->reverse[m]]];
#pragma omp parallel for schedule(static) if (n > 1000)
    for (size_t m = 0; m < n_pairs; ++m)
        if (out->pair_index[m] < 0) out->pair_index[m] = -1 - out->pair_index[out->reverse[m]];
    return MLPOT_OK;
}

/* Whether a list built in cell h0 still holds every pair within the cutoff after the cell became
 * h and the atoms moved. With M = h0⁻¹ h (the deformation) and δ_i = x_i - x_i0 M (each atom's
 * move apart from the affine one), a pair left out at the build (|d0| >= cutoff + skin) now has
 * |d| >= σ_min(M) (cutoff + skin) - |δ_i| - |δ_j|, σ_min >= 1 - |M - 1|_F. So the list is
 * complete while 2 max |δ_i| <= (1 - |M - 1|_F)(cutoff + skin) - cutoff: a barostat's small
 * steps do not force a search every step. Without a change of cell this is the usual test,
 * max |x_i - x_i0| <= skin / 2. */
int mlpot_neighbour_list_needs_rebuild(const mlpot_neighbour_list *nl, const mlpot_structure *s)
{
    if (!nl->offsets || s->n_atoms != nl->n_atoms) return 1;
    double m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, limit = 0.5 * nl->skin;
    int deformed = memcmp(nl->built_cell, s->cell, sizeof nl->built_cell) != 0;
    if (deformed) {
        /* an open direction's cell row means nothing: search again */
        if (!(s->pbc[0] && s->pbc[1] && s->pbc[2])) return 1;
        const double(*h0)[3] = nl->built_cell;
        double det = mlpot_det3(&h0[0][0]), inv[3][3];
        if (!(fabs(det) > 0) || !isfinite(det)) return 1;
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                /* inverse by cofactors: inv[a][b] = C[b][a] / det */
                int a1 = (b + 1) % 3, a2 = (b + 2) % 3, b1 = (a + 1) % 3, b2 = (a + 2) % 3;
                inv[a][b] = (h0[a1][b1] * h0[a2][b2] - h0[a1][b2] * h0[a2][b1]) / det;
            }
        double frob = 0;
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                m[a][b] = inv[a][0] * s->cell[0][b] + inv[a][1] * s->cell[1][b] + inv[a][2] * s->cell[2][b];
                frob += (m[a][b] - (a == b)) * (m[a][b] - (a == b));
            }
        double range = nl->cutoff + nl->skin;
        limit = 0.5 * ((1.0 - sqrt(frob)) * range - nl->cutoff);
        if (!(limit > 0)) return 1;
    }
    double limit2 = limit * limit;
    for (int i = 0; i < s->n_atoms; ++i) {
        const double *a = &s->positions[3 * i], *b = &nl->built_positions[3 * i];
        double dx, dy, dz;
        if (deformed) {
            dx = a[0] - (b[0] * m[0][0] + b[1] * m[1][0] + b[2] * m[2][0]);
            dy = a[1] - (b[0] * m[0][1] + b[1] * m[1][1] + b[2] * m[2][1]);
            dz = a[2] - (b[0] * m[0][2] + b[1] * m[1][2] + b[2] * m[2][2]);
        } else {
            dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
        }
        double d2 = dx * dx + dy * dy + dz * dz;
        if (!(d2 <= limit2)) return 1;
    }
    return 0;
}

static mlpot_status compute_reverse(const mlpot_neighbour_list *nl, int **out, mlpot_error *err)
{
    if (nl->flags & MLPOT_NEIGHBOURS_HALF)
        return mlpot_fail(err, MLPOT_ERR_ARGUMENT, "reverse pairs need a full neighbour list");
    int *reverse = mlpot_calloc(nl->n_pairs + 1, sizeof *reverse);
    if (!reverse) return mlpot_fail_memory(err, "indexing reverse pairs");
    int n = nl->n_atoms, missing = 0;
    /* Entries of an atom are sorted by (species, index, shift): binary search for (i, -s)
     * among the entries of j. */
#pragma omp parallel for schedule(static) reduction(+ : missing) if (n > 1000)
    for (int i = 0; i < n; ++i) {
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k) {
            int j = nl->neighbour[k];
            const int *s = &nl->shift[3 * k];
            int want[3] = {-s[0], -s[1], -s[2]};
            size_t lo = nl->offsets[j], hi = nl->offsets[j + 1];
            int found = -1;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int jm = nl->neighbour[mid];
                int zm = nl->built_numbers[jm], zi = nl->built_numbers[i];
                int cmp = 0;
                if (zm != zi) cmp = zm < zi ? -1 : 1;
                else if (jm != i) cmp = jm < i ? -1 : 1;
                const int *sm = &nl->shift[3 * mid];
                for (int a = 0; a < 3 && cmp == 0; ++a)
                    if (sm[a] != want[a]) cmp = sm[a] < want[a] ? -1 : 1;
                if (cmp == 0) {
                    found = (int)mid;
                    break;
                }
                if (cmp < 0) lo = mid + 1;
                else hi = mid;
            }
            if (found < 0) ++missing;
            reverse[k] = found;
        }
    }
    if (missing) {
        free(reverse);
        return mlpot_fail(err, MLPOT_ERR_INTERNAL, "%d neighbour pairs have no reverse pair", missing);
    }
    *out = reverse;
    return MLPOT_OK;
}

static mlpot_status compute_pair_index(const mlpot_neighbour_list *nl, const int *reverse, int **out,
                                       size_t *n_unique, mlpot_error *err)
{
    int *index = mlpot_calloc(nl->n_pairs + 1, sizeof *index);
    if (!index) return mlpot_fail_memory(err, "indexing neighbour pairs");
    size_t next = 0;
    for (int i = 0; i < nl->n_atoms; ++i)
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
            if (mlpot_pair_is_owned(i, nl->neighbour[k], &nl->shift[3 * k])) index[k] = (int)next++;
#pragma omp parallel for schedule(static) if (nl->n_atoms > 1000)
    for (int i = 0; i < nl->n_atoms; ++i)
        for (size_t k = nl->offsets[i]; k < nl->offsets[i + 1]; ++k)
            if (!mlpot_pair_is_owned(i, nl->neighbour[k], &nl->shift[3 * k])) index[k] = -1 - index[reverse[k]];
    *out = index;
    *n_unique = next;
    return MLPOT_OK;
}

mlpot_status mlpot_neighbour_list_reverse(mlpot_neighbour_list *nl, mlpot_error *err)
{
    mlpot_status st = MLPOT_OK;
    if (!nl->reverse) st = compute_reverse(nl, &nl->reverse, err);
    if (!st && !nl->pair_index) st = compute_pair_index(nl, nl->reverse, &nl->pair_index, &nl->n_unique, err);
    return st;
}

mlpot_status mlpot_neighbour_pairs_view(const mlpot_neighbour_list *nl, const int **pair_index,
                                        size_t *n_unique, int **owned, mlpot_error *err)
{
    *owned = NULL;
    if (nl->pair_index) {
        *pair_index = nl->pair_index;
        *n_unique = nl->n_unique;
        return MLPOT_OK;
    }
    int *reverse = NULL;
    mlpot_status st = nl->reverse ? MLPOT_OK : compute_reverse(nl, &reverse, err);
    if (!st) st = compute_pair_index(nl, nl->reverse ? nl->reverse : reverse, owned, n_unique, err);
    free(reverse);
    *pair_index = *owned;
    return st;
}

mlpot_status mlpot_neighbour_reverse_view(const mlpot_neighbour_list *nl, const int **reverse,
                                          int **owned, mlpot_error *err)
{
    *owned = NULL;
    if (nl->reverse) {
        *reverse = nl->reverse;
        return MLPOT_OK;
    }
    mlpot_status st = compute_reverse(nl, owned, err);
    *reverse = *owned;
    return st;
}
