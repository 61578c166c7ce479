/* Neighbour lists in compressed-sparse-row form.
 *
 * Built by a cell list in O(N) time and memory for any triclinic cell, including strongly
 * skewed cells and cells thinner than the cutoff (an atom then sees several images of the same
 * neighbour, each its own entry), and for open or mixed boundaries.
 *
 * The pairs of atom i are entries k = offsets[i] .. offsets[i+1]-1. Each entry stores the
 * neighbour index j, the lattice image shift (integers s with the image at x_j + s·cell), the
 * displacement d = (x_j - x_i) + s·cell and its length. The displacement is computed in that
 * order so that the reverse pair (j, i, -s) has exactly -d, bit for bit, and the same length.
 * Within an atom the entries are sorted by neighbour species, then index, then shift, so the
 * order does not depend on the binning or on the number of threads.
 *
 * A list built with a skin holds every pair closer than cutoff + skin; users of the list keep
 * to their own cutoff (r < cutoff). mlpot_neighbour_list_update() refreshes displacements from
 * new positions and cell without searching again, valid while no atom has moved more than
 * skin/2 since the build (mlpot_neighbour_list_needs_rebuild() tells);
 * mlpot_neighbour_list_select() instead copies out the pairs within the cutoff. */
#ifndef MLPOT_NEIGHBOURS_H
#define MLPOT_NEIGHBOURS_H

#include <stddef.h>

#include "mlpot/export.h"
#include "mlpot/status.h"
#include "mlpot/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mlpot_neighbour_flags {
    MLPOT_NEIGHBOURS_FULL = 0,      /* every pair appears from both sides (default) */
    MLPOT_NEIGHBOURS_HALF = 1u << 0 /* each pair once, from the side that owns it (see below) */
};

/* Read the public fields; change them only through the functions below. */
typedef struct mlpot_neighbour_list {
    int n_atoms;
    double cutoff;       /* interaction cutoff asked for */
    double skin;         /* extra distance searched beyond the cutoff */
    unsigned flags;      /* enum mlpot_neighbour_flags */
    size_t n_pairs;
    size_t *offsets;     /* [n_atoms + 1] */
    int *neighbour;      /* [n_pairs] index j */
    int *shift;          /* [3 * n_pairs] lattice image of j */
    double *vector;      /* [3 * n_pairs] displacement x_j + shift·cell - x_i, Å */
    double *distance;    /* [n_pairs] |vector| */
    int *reverse;        /* [n_pairs] index of the pair (j, i, -shift), full lists only,
                            after mlpot_neighbour_list_reverse(); NULL otherwise */
    int *pair_index;     /* [n_pairs] the unordered pair each entry belongs to, numbered
                            0..n_unique-1 in the order of the owning entries: id on the entry
                            that owns the pair, -1 - id on its reverse (full lists, after
                            mlpot_neighbour_list_reverse()). Per-pair data computed once by the
                            owner sits in a compact array that both atoms read. */
    size_t n_unique;

    /* private: positions and cell at build time, capacities */
    double *built_positions;
    int *built_numbers;
    double built_cell[3][3];
    size_t pair_capacity;
    int atom_capacity;
    void *workspace; /* search buffers kept between builds */
} mlpot_neighbour_list;

MLPOT_API void mlpot_neighbour_list_init(mlpot_neighbour_list *nl);
MLPOT_API void mlpot_neighbour_list_free(mlpot_neighbour_list *nl);

/* Builds the list of all pairs closer than cutoff + skin. Errors: cutoff not positive or not
 * finite, a degenerate periodic cell, a cutoff that needs more periodic images than the search
 * allows (MLPOT_NEIGHBOURS_MAX_IMAGES along a direction), atoms closer than
 * MLPOT_MIN_DISTANCE (named in the message), non-finite positions. */
MLPOT_API mlpot_status mlpot_neighbour_list_build(mlpot_neighbour_list *nl,
                                                  const mlpot_structure *s, double cutoff,
                                                  double skin, unsigned flags, mlpot_error *err);

/* Refreshes vector and distance from the structure's current positions and cell, keeping the
 * pairs and shifts found at the last build. */
MLPOT_API mlpot_status mlpot_neighbour_list_update(mlpot_neighbour_list *nl,
                                                   const mlpot_structure *s, mlpot_error *err);

/* Fills `out` with the entries of `from` closer than `cutoff` at the structure's current
 * positions and cell: the list mlpot_neighbour_list_build(out, s, cutoff, 0, from->flags) would
 * give, bit for bit (entries, order, vectors, distances), while `from` still holds every such pair
 * (cutoff <= from->cutoff and mlpot_neighbour_list_needs_rebuild(from, s) is 0). No search: O(pairs
 * of from). When `from` has its reverse index (mlpot_neighbour_list_reverse), `out` gets its own,
 * mapped from it. An integrator keeps `from` with a skin and hands a potential `out`, so the
 * potential never walks the skin's pairs. Errors: overlapping atoms, as a build. */
MLPOT_API mlpot_status mlpot_neighbour_list_select(mlpot_neighbour_list *out,
                                                   const mlpot_neighbour_list *from,
                                                   const mlpot_structure *s, double cutoff,
                                                   mlpot_error *err);

/* 1 when some atom moved more than skin/2 since the build, the cell changed so much that the
 * search may miss pairs, or the atom count changed; 0 otherwise. After a change of a periodic
 * cell (a barostat's step) an atom's move is counted apart from the cell's affine deformation,
 * and the allowance shrinks with the strain (see neighbours.c). */
MLPOT_API int mlpot_neighbour_list_needs_rebuild(const mlpot_neighbour_list *nl,
                                                 const mlpot_structure *s);

/* Fills nl->reverse and nl->pair_index for a full list (a potential that computes each pair
 * once, or scatters per-pair contributions, gathers them through these, deterministically and
 * without races). Kept until the next build; updates keep them valid. */
MLPOT_API mlpot_status mlpot_neighbour_list_reverse(mlpot_neighbour_list *nl, mlpot_error *err);

/* Whether atom i owns the pair (i, j, shift): i < j, or i == j with the first nonzero shift
 * component positive. A half list keeps exactly the owned pairs of the full list; a potential
 * that sums pairs once walks a full list and skips pairs it does not own. */
static inline int mlpot_pair_is_owned(int i, int j, const int shift[3])
{
    if (i != j) return i < j;
    if (shift[0] != 0) return shift[0] > 0;
    if (shift[1] != 0) return shift[1] > 0;
    return shift[2] > 0;
}

/* The pair id of an entry of pair_index, and whether the entry owns the pair. */
static inline int mlpot_pair_id(int encoded) { return encoded >= 0 ? encoded : -1 - encoded; }
static inline int mlpot_pair_id_owned(int encoded) { return encoded >= 0; }

/* Closest allowed distance between two atoms, Å: closer atoms are an input error. */
#define MLPOT_MIN_DISTANCE 0.1
/* Largest number of periodic images searched along one direction. */
#define MLPOT_NEIGHBOURS_MAX_IMAGES 1000

#ifdef __cplusplus
}
#endif

#endif
