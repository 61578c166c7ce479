/* The potential handle's layout, for the library's own composite potentials (sum, committee, units). */
#ifndef MLPOT_POTENTIAL_INTERNAL_H
#define MLPOT_POTENTIAL_INTERNAL_H

#include "mlpot/potential.h"

struct mlpot_potential {
    mlpot_potential_ops ops;
    void *state;
    char *style;
    double cutoff;
    unsigned outputs;
    int needs_full_list;
    int n_species; /* 0: any species */
    int *species;
};

/* Checks request, list and species before a compute (what mlpot_potential_compute checks). */
mlpot_status mlpot_potential_check_request(const mlpot_potential *p, const mlpot_structure *s,
                                           const mlpot_neighbour_list *nl, unsigned request,
                                           mlpot_error *err);

/* A work buffer of at least `bytes` kept in the result between calls (zeroed when zero is set),
 * so that repeated computes (MD) do not allocate and fault in fresh pages every step. Slots 0
 * and 1 belong to mlpot_local; implementations use 2 to 7. NULL when out of memory. The sum
 * potential runs its members one after another, so they may reuse the same slots. */
void *mlpot_result_scratch(mlpot_result *r, int slot, size_t bytes, int zero);

/* The cutoff (largest), outputs (common), list kind and species (those every member supports;
 * written to species[MLPOT_MAX_ELEMENT]) of a sum or committee; 0 when they share no species. */
int mlpot_members_info(mlpot_potential *const *members, int n, mlpot_potential_info *info, int *species);

/* The state of a sum or committee: its members, owned. */
typedef struct mlpot_members {
    int n;
    mlpot_potential **members;
    const char *kind; /* "sum", "committee": the style and the word in messages */
} mlpot_members;

typedef mlpot_status (*mlpot_compute_fn)(const void *state, const mlpot_structure *s,
                                         const mlpot_neighbour_list *nl, unsigned request,
                                         mlpot_result *out, mlpot_error *err);

/* A potential over members (ownership taken, also on failure) with an mlpot_members state:
 * cutoff, list and species from mlpot_members_info, outputs the common ones passed through
 * `outputs` when given. */
mlpot_status mlpot_members_potential(mlpot_potential **members, int n_members, const char *kind,
                                     mlpot_compute_fn compute, unsigned (*outputs)(unsigned common),
                                     mlpot_potential **out, mlpot_error *err);

/* Sizes the result for n atoms and zeroes the requested outputs. */
mlpot_status mlpot_result_prepare(mlpot_result *r, int n, unsigned request, mlpot_error *err);

#endif
