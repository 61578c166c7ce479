/* Reverse-pair indices for code that receives a const neighbour list. */
#ifndef MLPOT_CORE_NEIGHBOURS_INTERNAL_H
#define MLPOT_CORE_NEIGHBOURS_INTERNAL_H

#include "mlpot/neighbours.h"

/* Sets *reverse to nl->reverse when it was computed (mlpot_neighbour_list_reverse), else
 * computes a fresh array into *owned (the caller frees it) and points *reverse at it. */
mlpot_status mlpot_neighbour_reverse_view(const mlpot_neighbour_list *nl, const int **reverse,
                                          int **owned, mlpot_error *err);

/* The same for nl->pair_index (and the number of unique pairs). */
mlpot_status mlpot_neighbour_pairs_view(const mlpot_neighbour_list *nl, const int **pair_index,
                                        size_t *n_unique, int **owned, mlpot_error *err);

/* The largest number of list entries of any atom (the size of per-atom work areas). */
static inline size_t mlpot_neighbour_max_entries(const mlpot_neighbour_list *nl)
{
    size_t most = 0;
    for (int i = 0; i < nl->n_atoms; ++i)
        if (nl->offsets[i + 1] - nl->offsets[i] > most) most = nl->offsets[i + 1] - nl->offsets[i];
    return most;
}

#endif
